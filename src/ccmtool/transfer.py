"""Import and export in the CSV data contract (SPEC.md), and the built-in dataset.

An import reads every file, in dependency order, inside one transaction: a single bad row
anywhere means nothing is written. Rows are streamed, never held in memory, and each distinct
state spelling is resolved once.
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

from ccmtool.dates import check_date
from ccmtool.db import transaction
from ccmtool.errors import CcmError, UnknownStateError, UsageError
from ccmtool.events import FactBatch, check_fact, slugs
from ccmtool.facts import (
    State,
    add_alias,
    ensure_state,
    find_state,
    put_count,
    put_instrument,
    put_meeting,
    state_for_code,
)
from ccmtool.model import (
    COUNT_RECORDS,
    INSTRUMENT_KINDS,
    MEETING_KINDS,
    SLUG,
    SOURCE_SEPARATOR,
    join_sources,
    split_sources,
)

FACT_COLUMNS = ["state", "record", "subject", "date", "meeting", "detail", "source"]
EXPORT_FACT_COLUMNS = ["state", "code", "record", "subject", "date", "meeting", "detail", "source"]
HEADERS: dict[str, list[str]] = {
    "states": ["code", "name", "region", "subregion", "aliases"],
    "meetings": [
        "slug",
        "name",
        "city",
        "country",
        "start_date",
        "end_date",
        "kind",
        "reported",
        "source",
    ],
    "instruments": ["slug", "name", "kind", "meeting", "date", "source"],
    "counts": ["meeting", "record", "count", "detail", "source"],
    "facts": EXPORT_FACT_COLUMNS,
}
# Dependency order: what a row may refer to is loaded before it.
LOAD_ORDER = ["states", "meetings", "instruments", "counts", "facts"]
BUILTIN_FILES = ["states.csv", "meetings.csv", "instruments.csv", "counts.csv", "seed.csv"]
MAX_PROBLEMS = 20


# --- reading ------------------------------------------------------------------------------


def _whole_number(text: str) -> bool:
    """ASCII digits only: '²' and '٣' pass str.isdigit() but are no count."""
    return text.isascii() and text.isdigit()


class _TooManyProblems(Exception):
    pass


@dataclass
class Problems:
    """Problems found so far, each one line naming file, line and field."""

    lines: list[str] = field(default_factory=list)

    def add(self, where: str, message: str) -> None:
        self.lines.append(f"{where}: {message}")
        if len(self.lines) >= MAX_PROBLEMS:
            raise _TooManyProblems


@dataclass
class FileSummary:
    path: str
    kind: str
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    sources_merged: int = 0

    def count(self, status: str) -> None:
        setattr(self, status, getattr(self, status) + 1)

    def __str__(self) -> str:
        text = (
            f"{self.path}: {self.rows} {self.kind}: {self.added} added, {self.updated} updated,"
            f" {self.unchanged} unchanged"
        )
        if self.kind == "facts":
            text += f", {self.sources_merged} sources merged"
        return text


def _shown(text: str, limit: int = 40) -> str:
    text = repr(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def detect_kind(header: list[str], where: str) -> str:
    """Which contract file this is, from its header alone."""
    names = [h.strip() for h in header]
    columns = set(names)
    if any("\x00" in n for n in names):
        raise CcmError(f"{where}:1: contains NUL bytes; is this a binary or UTF-16 file?")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        shown = ", ".join(_shown(n) for n in repeated)
        raise CcmError(f"{where}:1: header: column {shown} appears more than once")
    if columns in ({*FACT_COLUMNS}, {*EXPORT_FACT_COLUMNS}):
        return "facts"
    for kind, expected in HEADERS.items():
        if columns == set(expected):
            return kind
    best = min(HEADERS.items(), key=lambda kv: len(columns ^ set(kv[1])))
    missing = [c for c in best[1] if c not in columns and not (best[0] == "facts" and c == "code")]
    # Shown with repr() and cut short: a binary file's "header" must not reach the terminal.
    extra = [_shown(c) for c in names if c not in best[1]][:5]
    hint = []
    if missing:
        hint.append(f"missing {', '.join(missing)}")
    if extra:
        hint.append(f"unexpected {', '.join(extra)}")
    detail = f" (closest: {best[0]}, {'; '.join(hint)})" if hint else ""
    raise CcmError(
        f"{where}:1: header: not a ccm file{detail}; expected one of: "
        + "; ".join(",".join(h) for h in HEADERS.values())
    )


def _open_text(path: Path, encoding: str) -> TextIO:
    if str(path) == "-":
        raise CcmError("reading from standard input is not supported; name a file")
    try:
        if path.is_dir():
            raise CcmError(f"{path}: is a directory, not a CSV file")
        # utf-8-sig drops the byte-order mark that Excel writes.
        enc = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
        return path.open(encoding=enc, newline="")
    except FileNotFoundError:
        raise CcmError(f"{path}: no such file") from None
    except LookupError:
        raise UsageError(f"--encoding: unknown encoding {encoding!r}") from None
    except OSError as exc:
        raise CcmError(f"{path}: cannot read: {exc.strerror}") from None


Progress = Callable[[str, int, int, int], None]  # (path, bytes read, total bytes, rows)
PROGRESS_EVERY = 20_000  # rows


def read_rows(
    path: Path, encoding: str = "utf-8", progress: Progress | None = None
) -> tuple[str, list[str], Iterator[tuple[int, list[str]]]]:
    """The file's kind, its columns, and an iterator of (line number, values); the header is
    line 1.

    Errors in the file's shape (encoding, quoting, NUL bytes, ragged rows) raise CcmError
    naming the line, while the iterator runs.
    """
    handle = _open_text(path, encoding)
    reader = csv.reader(handle, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        handle.close()
        raise CcmError(f"{path}: empty file; expected a header line") from None
    except (UnicodeError, csv.Error) as exc:
        handle.close()
        raise _shape_error(path, 1, exc, encoding) from None
    kind = detect_kind(header, str(path))
    names = [h.strip() for h in header]

    total = path.stat().st_size

    def rows() -> Iterator[tuple[int, list[str]]]:
        line = reader.line_num + 1
        count = 0
        try:
            width = len(names)
            for values in reader:
                count += 1
                if progress is not None and count % PROGRESS_EVERY == 0:
                    progress(str(path), handle.buffer.tell(), total, count)
                if len(values) == width and "\x00" not in "".join(values):
                    yield line, values  # the usual case
                    line = reader.line_num + 1
                    continue
                if "\x00" in "".join(values):
                    raise CcmError(f"{path}:{line}: contains a NUL byte; is this a binary file?")
                if values and not (len(values) == 1 and values[0] == "" and len(names) > 1):
                    if len(values) != len(names):
                        raise CcmError(
                            f"{path}:{line}: expected {len(names)} fields, found {len(values)}"
                        )
                    yield line, values
                line = reader.line_num + 1
        except (UnicodeError, csv.Error) as exc:
            raise _shape_error(path, line, exc, encoding) from None
        finally:
            if progress is not None:
                progress(str(path), total, total, count)
            handle.close()

    return kind, names, rows()


def _undecodable_line(path: Path, encoding: str) -> int:
    """The first physical line that does not decode (text is decoded in chunks, so the
    csv reader's position is not where the bad byte is)."""
    with path.open("rb") as f:
        for number, raw in enumerate(f, start=1):
            try:
                raw.decode(encoding)
            except UnicodeDecodeError:
                return number
    return 1


def _shape_error(path: Path, line: int, exc: Exception, encoding: str) -> CcmError:
    if isinstance(exc, UnicodeError) and not isinstance(exc, UnicodeDecodeError):
        return CcmError(f"{path}:{line}: cannot be read as {encoding}: {exc}")
    if isinstance(exc, UnicodeDecodeError):
        line = _undecodable_line(path, encoding)
        with path.open("rb") as f:
            start = f.read(2)
        hint = "utf-16" if start in (b"\xff\xfe", b"\xfe\xff") else "latin-1"
        return CcmError(
            f"{path}:{line}: not valid {encoding} (byte 0x{exc.object[exc.start]:02x});"
            f" if the file is in another encoding, say so: --encoding {hint}"
        )
    message = str(exc)
    if "NUL" in message:
        return CcmError(f"{path}:{line}: contains a NUL byte; is this a binary file?")
    if "EOF" in message or "unexpected end" in message:
        return CcmError(f"{path}:{line}: unterminated quoted field")
    return CcmError(f"{path}:{line}: malformed CSV: {message}")


# --- importing ----------------------------------------------------------------------------


class _Importer:
    """Loads rows into an open transaction, counting what changed and collecting problems."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.problems = Problems()
        self._state_cache: dict[str, State] = {}
        self._stored: set[str] = set()

    def state(self, name: str, code: str, where: str, field: str = "state") -> State | None:
        key = f"code:{code.strip().upper()}" if code.strip() else f"name:{name}"
        state = self._state_cache.get(key)
        if state is None:
            try:
                if code.strip():
                    state = state_for_code(self.conn, code)
                elif not name.strip():
                    self.problems.add(where, f"{field}: empty")
                    return None
                else:
                    state = find_state(self.conn, name)
            except UnknownStateError as exc:
                hint = ""
                if exc.suggestions:
                    hint = (
                        "; did you mean "
                        + ", ".join(f"{n} ({c})" for n, c in exc.suggestions)
                        + "?"
                    )
                self.problems.add(where, f"{field}: unknown state {name!r}{hint}")
                return None
            except CcmError as exc:
                self.problems.add(where, f"code: {exc.message}")
                return None
            self._state_cache[key] = state
        if state.code not in self._stored:
            ensure_state(self.conn, state)
            self._stored.add(state.code)
        return state

    def load(
        self, kind: str, path: Path, names: list[str], rows: Iterable[tuple[int, list[str]]]
    ) -> FileSummary:
        summary = FileSummary(str(path), kind)
        if kind == "facts":
            self._load_facts(path, names, rows, summary)
        else:
            loader = getattr(self, f"_{kind}")
            for line, values in rows:
                summary.rows += 1
                row = {k: v.strip() for k, v in zip(names, values, strict=True)}
                loader(f"{path}:{line}", row, summary)
        return summary

    def _required(self, where: str, row: dict[str, str], *columns: str) -> bool:
        ok = True
        for column in columns:
            if not row[column]:
                self.problems.add(where, f"{column}: required")
                ok = False
        return ok

    def _date(self, where: str, value: str, column: str) -> str | None:
        try:
            return check_date(value)
        except ValueError as exc:
            self.problems.add(where, f"{column}: {exc}")
            return None

    def _slug(self, where: str, value: str, column: str = "slug") -> bool:
        if not SLUG.fullmatch(value):
            self.problems.add(where, f"{column}: {value!r} is not a slug (lowercase, digits, -)")
            return False
        return True

    def _states(self, where: str, row: dict[str, str], summary: FileSummary) -> None:
        state = self.state("", row["code"], where)
        if state is None:
            return
        new = [a for a in split_sources(row["aliases"]) if a]
        if row["name"] and row["name"] != state.name:
            new.insert(0, row["name"])
        try:
            added = [a for a in new if add_alias(self.conn, a, state.code)]
        except CcmError as exc:
            self.problems.add(where, f"aliases: {exc.message}")
            return
        summary.count("updated" if added else "unchanged")

    def _meetings(self, where: str, row: dict[str, str], summary: FileSummary) -> None:
        ok = self._required(where, row, "slug", "name", "kind", "source")
        ok = self._slug(where, row["slug"]) and ok
        start, end = (
            self._date(where, row["start_date"], "start_date"),
            self._date(where, row["end_date"], "end_date"),
        )
        if row["kind"] and row["kind"] not in MEETING_KINDS:
            self.problems.add(
                where, f"kind: {row['kind']!r}; expected one of {', '.join(MEETING_KINDS)}"
            )
            ok = False
        reported: int | None = None
        if row["reported"]:
            if not _whole_number(row["reported"]):
                self.problems.add(
                    where, f"reported: expected a whole number, got {row['reported']!r}"
                )
                ok = False
            else:
                reported = int(row["reported"])
        country = None
        if row["country"]:
            state = self.state(row["country"], "", where, field="country")
            ok = ok and state is not None
            country = state.code if state else None
        if start and end and end < start:
            self.problems.add(where, f"end_date: {end} is before start_date {start}")
            ok = False
        if not ok or start is None or end is None:
            return
        meeting = {
            "slug": row["slug"],
            "name": row["name"],
            "city": row["city"],
            "country": country,
            "start_date": start,
            "end_date": end,
            "kind": row["kind"],
            "reported": reported,
            "source": join_sources(split_sources(row["source"])),
        }
        summary.count(put_meeting(self.conn, meeting)[0])

    def _instruments(self, where: str, row: dict[str, str], summary: FileSummary) -> None:
        ok = self._required(where, row, "slug", "name", "kind", "source")
        ok = self._slug(where, row["slug"]) and ok
        date = self._date(where, row["date"], "date")
        if row["kind"] and row["kind"] not in INSTRUMENT_KINDS:
            self.problems.add(
                where, f"kind: {row['kind']!r}; expected one of {', '.join(INSTRUMENT_KINDS)}"
            )
            ok = False
        if row["meeting"] and not self._meeting_exists(row["meeting"]):
            self.problems.add(where, f"meeting: no meeting {row['meeting']!r}")
            ok = False
        if not ok or date is None:
            return
        instrument = {
            "slug": row["slug"],
            "name": row["name"],
            "kind": row["kind"],
            "meeting": row["meeting"] or None,
            "date": date,
            "source": join_sources(split_sources(row["source"])),
        }
        summary.count(put_instrument(self.conn, instrument)[0])

    def _meeting_exists(self, slug: str) -> bool:
        row = self.conn.execute("SELECT 1 FROM meetings WHERE slug = ?", (slug,)).fetchone()
        return row is not None

    def _counts(self, where: str, row: dict[str, str], summary: FileSummary) -> None:
        ok = self._required(where, row, "meeting", "record", "count", "source")
        if row["meeting"] and not self._meeting_exists(row["meeting"]):
            self.problems.add(where, f"meeting: no meeting {row['meeting']!r}")
            ok = False
        if row["record"] and row["record"] not in COUNT_RECORDS:
            self.problems.add(
                where, f"record: {row['record']!r}; expected one of {', '.join(COUNT_RECORDS)}"
            )
            ok = False
        if row["count"] and not _whole_number(row["count"]):
            self.problems.add(where, f"count: expected a whole number, got {row['count']!r}")
            ok = False
        if not ok:
            return
        count = {
            "meeting": row["meeting"],
            "record": row["record"],
            "count": int(row["count"]),
            "detail": row["detail"],
            "source": join_sources(split_sources(row["source"])),
        }
        summary.count(put_count(self.conn, count))

    def _load_facts(
        self,
        path: Path,
        names: list[str],
        rows: Iterable[tuple[int, list[str]]],
        summary: FileSummary,
    ) -> None:
        """The hot loop of a large import: columns by position, every check cached."""
        col = {name: i for i, name in enumerate(names)}
        i_state, i_code, i_record = col["state"], col.get("code"), col["record"]
        i_subject, i_date, i_meeting = col["subject"], col["date"], col["meeting"]
        i_detail, i_source = col["detail"], col["source"]
        meetings, instruments = slugs(self.conn, "meetings"), slugs(self.conn, "instruments")
        batch = FactBatch(self.conn)
        problems = self.problems
        checked: dict[tuple[str, str, str], tuple[str, str, str]] = {}
        codes: dict[tuple[str, str], str] = {}  # (state cell, code cell) -> stored code
        dates: dict[str, str] = {}  # date cell -> checked date
        prefix = f"{path}:"
        add = batch.add
        for line, values in rows:
            summary.rows += 1
            # Fast paths first: a spelling, a date and a (record, subject, meeting) seen
            # before cost a dict lookup; the label for error messages is built only if needed.
            state_cell = values[i_state]
            code_cell = values[i_code] if i_code is not None else ""
            code = codes.get((state_cell, code_cell))
            if code is None:
                state = self.state(state_cell.strip(), code_cell.strip(), prefix + str(line))
                if state is not None:
                    code = state.code
                    if len(codes) < 10_000:
                        codes[state_cell, code_cell] = code
            date = dates.get(values[i_date])
            if date is None:
                date = self._date(prefix + str(line), values[i_date].strip(), "date")
                if date is not None and len(dates) < 10_000:
                    dates[values[i_date]] = date
            source = values[i_source]
            if SOURCE_SEPARATOR in source:
                sources = split_sources(source)
            else:
                source = source.strip()
                sources = [source] if source else []
            if not sources:
                problems.add(prefix + str(line), "source: every fact needs at least one source")
            triple = (values[i_record], values[i_subject], values[i_meeting])
            fact = checked.get(triple)
            if fact is None:
                try:
                    fact = check_fact(*triple, meetings, instruments)
                except ValueError as exc:
                    problems.add(prefix + str(line), str(exc))
                    continue
                if len(checked) < 10_000:
                    checked[triple] = fact
            if code is None or date is None or not sources or problems.lines:
                continue  # the import will be rolled back: no need to write
            add(code, fact[0], fact[1], date, fact[2], values[i_detail].strip(), sources)
        batch.flush()
        summary.added += batch.added
        summary.updated += batch.updated
        summary.unchanged += batch.unchanged
        summary.sources_merged += batch.sources_merged


class _DryRun(Exception):
    pass


def import_files(
    conn: sqlite3.Connection,
    paths: list[Path],
    *,
    dry_run: bool = False,
    encoding: str = "utf-8",
    progress: Progress | None = None,
) -> list[FileSummary]:
    """Load contract files in one transaction; all or nothing.

    Raises CcmError with every problem found (up to 20) and leaves the database as it was.
    """
    if not paths:
        raise CcmError("name at least one file to import")
    kinds: list[tuple[str, Path]] = []
    for path in paths:
        kind, _, rows = read_rows(path, encoding)
        rows.close()
        kinds.append((kind, path))
    kinds.sort(key=lambda kp: LOAD_ORDER.index(kp[0]))
    importer = _Importer(conn)
    summaries: list[FileSummary] = []
    try:
        with transaction(conn):
            try:
                for kind, path in kinds:
                    _, names, rows = read_rows(path, encoding, progress)
                    summaries.append(importer.load(kind, path, names, rows))
            except _TooManyProblems:
                pass
            if importer.problems.lines:
                raise _Rejected
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    except _Rejected:
        lines = importer.problems.lines
        more = " (stopped after 20)" if len(lines) >= MAX_PROBLEMS else ""
        raise CcmError(
            f"import failed: {len(lines)} problem{'s' if len(lines) != 1 else ''}{more};"
            " nothing was written",
            details=lines,
        ) from None
    return summaries


class _Rejected(Exception):
    pass


def data_dir() -> Path:
    """The built-in dataset: inside the installed package, or `data/` of a source checkout."""
    packaged = resources.files("ccmtool") / "data"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "data"


def load_builtin(conn: sqlite3.Connection) -> str:
    """Fill a new database from the built-in dataset; returns a short summary.

    The dataset's version goes into `meta`, so `ccm info`, the Data Package and the site can
    say which release of the data a database started from.
    """
    directory = data_dir()
    files = [directory / name for name in BUILTIN_FILES if (directory / name).exists()]
    summaries = import_files(conn, files)
    version_file = directory / "VERSION"
    if version_file.exists():
        with transaction(conn):
            conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('dataset_version', ?)",
                (version_file.read_text(encoding="utf-8").strip(),),
            )
    parts = {s.kind: s.added for s in summaries}
    return (
        f"{parts.get('facts', 0)} facts, {parts.get('meetings', 0)} meetings,"
        f" {parts.get('instruments', 0)} instruments, {parts.get('counts', 0)} reported counts"
    )


# --- exporting ----------------------------------------------------------------------------

_EXPORT_SQL = {
    # facts: see _fact_rows, a merge of two sequential scans.
    "facts": "",
    # One row per claim: each source with its own date and wording (lossless).
    "claims": """
        SELECT s.name AS state, f.state AS code, f.record, f.subject, c.date,
               coalesce(f.meeting, '') AS meeting, c.detail, c.source
        FROM claims c JOIN facts f ON f.id = c.fact JOIN states s ON s.code = f.state
        ORDER BY c.fact, c.pos
    """,
    "meetings": """
        SELECT m.slug, m.name, m.city, coalesce(s.name, '') AS country, m.start_date,
               m.end_date, m.kind, coalesce(m.reported, '') AS reported, m.source
        FROM meetings m LEFT JOIN states s ON s.code = m.country
        ORDER BY m.slug
    """,
    "instruments": """
        SELECT slug, name, kind, coalesce(meeting, '') AS meeting, date, source
        FROM instruments ORDER BY slug
    """,
    "counts": """
        SELECT meeting, record, count, detail, source FROM counts
        ORDER BY meeting, record, id
    """,
    "states": """
        SELECT s.code, s.name, s.region, s.subregion,
               coalesce((SELECT group_concat(spelling, ' | ') FROM
                   (SELECT spelling FROM aliases WHERE state = s.code ORDER BY spelling)), '')
                   AS aliases
        FROM states s ORDER BY s.code
    """,
}
EXPORT_KINDS = tuple(_EXPORT_SQL)


def export_rows(conn: sqlite3.Connection, what: str) -> tuple[list[str], Iterator[tuple[Any, ...]]]:
    """Column names and a row cursor for one export; streams, never loads everything."""
    if what not in _EXPORT_SQL:
        raise CcmError(f"cannot export {what!r}; choose one of {', '.join(EXPORT_KINDS)}")
    if what == "facts":
        return EXPORT_FACT_COLUMNS, _fact_rows(conn)
    if what == "claims":
        cur = conn.execute(_EXPORT_SQL[what])
        return EXPORT_FACT_COLUMNS, (tuple(r) for r in cur)
    cur = conn.execute(_EXPORT_SQL[what])
    columns = [d[0] for d in cur.description]
    return columns, (tuple(r) for r in cur)


def _fact_rows(conn: sqlite3.Connection) -> Iterator[tuple[Any, ...]]:
    """Every event with all its sources, in the order facts were recorded.

    Facts by id and claims by fact are two sequential scans merged here: a join with a
    per-fact subquery costs a random lookup and a small sort per fact (3x slower at a
    million facts). Recording order is stable, and an import keeps it, so export -> import
    -> export gives the same bytes.
    """
    names = dict(conn.execute("SELECT code, name FROM states").fetchall())
    claims = conn.execute("SELECT fact, source FROM claims ORDER BY fact, pos")
    following = claims.fetchone
    pending = following()
    for fact_id, code, record, subject, date, meeting, detail in conn.execute(
        "SELECT id, state, record, subject, date, coalesce(meeting, ''), detail"
        " FROM facts ORDER BY id"
    ):
        source = ""
        while pending is not None and pending[0] < fact_id:
            pending = following()  # claims of a fact that no longer exists
        if pending is not None and pending[0] == fact_id:
            first = pending[1]
            pending = following()
            if pending is None or pending[0] != fact_id:
                source = first  # the usual case: one source
            else:
                mine = [first]
                while pending is not None and pending[0] == fact_id:
                    mine.append(pending[1])
                    pending = following()
                source = SOURCE_SEPARATOR.join(mine)
        yield names[code], code, record, subject, date, meeting, detail, source


_FORMULA_STARTS = ("=", "+", "-", "@")


class _Counter:
    """Counts rows as csv.writer.writerows pulls them (a loop of writerow is slower)."""

    def __init__(self, rows: Iterator[tuple[Any, ...]]) -> None:
        self.rows = rows
        self.n = 0

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return self

    def __next__(self) -> tuple[Any, ...]:
        row = next(self.rows)
        self.n += 1
        return row


def excel_safe(value: Any) -> Any:
    """Text a spreadsheet would run as a formula gets a leading apostrophe (--excel only)."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def write_export(
    conn: sqlite3.Connection, what: str, fmt: str, out: TextIO, *, excel: bool = False
) -> int:
    """Write one export in `fmt` (csv, json, jsonl, markdown); returns the row count.

    CSV is lossless by default. `excel` is for opening in a spreadsheet, not for re-import:
    a byte-order mark so Excel reads UTF-8, and formula-looking cells defused.
    """
    columns, rows = export_rows(conn, what)
    n = 0
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        if excel:
            out.write("\ufeff")
            rows = (tuple(excel_safe(v) for v in row) for row in rows)
        writer.writerow(columns)
        counted = _Counter(rows)
        writer.writerows(counted)
        n = counted.n
    elif fmt in ("json", "jsonl"):
        first = True
        if fmt == "json":
            out.write("[")
        for row in rows:
            record = _json_record(columns, row)
            text = json.dumps(record, ensure_ascii=False)
            if fmt == "json":
                out.write(("\n  " if first else ",\n  ") + text)
            else:
                out.write(text + "\n")
            first = False
            n += 1
        if fmt == "json":
            out.write("\n]\n" if not first else "]\n")
    elif fmt == "markdown":
        from ccmtool.render import markdown_table

        materialised = list(rows)
        out.write(markdown_table(columns, materialised))
        n = len(materialised)
    else:
        raise CcmError(f"unknown export format {fmt!r}")
    return n


def _json_record(columns: list[str], row: tuple[Any, ...]) -> dict[str, Any]:
    record = dict(zip(columns, row, strict=True))
    for key in ("source", "aliases"):
        if key in record:
            record["sources" if key == "source" else key] = split_sources(record.pop(key) or "")
    if record.get("reported") == "":
        record["reported"] = None
    return record


def export_to_file(
    conn: sqlite3.Connection, what: str, fmt: str, path: Path, *, excel: bool = False
) -> int:
    """Write the export beside `path` and rename it over: a crash never leaves half a file."""
    if path.is_dir():
        raise CcmError(f"{path}: is a directory; -o takes a file name")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            n = write_export(conn, what, fmt, handle, excel=excel)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return n
