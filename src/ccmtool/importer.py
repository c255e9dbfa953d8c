"""Importing contract files, and the built-in dataset.

`load_files` reads every file, in dependency order, inside its caller's transaction: a single
bad row anywhere raises (with up to 20 problems, each naming file, line and field) and the
caller's transaction rolls back, so nothing is written. `import_files` is that in one
transaction of its own. Each distinct state spelling is resolved once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ccmtool import builtin, contract
from ccmtool.contract import LOAD_ORDER, FieldError, check_fact
from ccmtool.errors import CcmError, UnknownStateError
from ccmtool.events import FactBatch, slugs
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
    INSTRUMENT_RECORDS,
    REPEATABLE_RECORDS,
    SOURCE_SEPARATOR,
    split_sources,
)
from ccmtool.reader import Progress, read_rows
from ccmtool.schema import transaction

MAX_PROBLEMS = 20


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


Loader = Callable[["Importer", str, dict[str, str], FileSummary], None]


class Importer:
    """Loads rows into the caller's open transaction, counting what changed and collecting
    problems. Each kind of file has its loader in LOADERS (facts have a streaming one)."""

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
                from ccmtool.names import NameRefused

                if isinstance(exc, NameRefused):  # it says why: two states, mixed scripts...
                    self.problems.add(where, f"{field}: {exc.message}")
                    return None
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
            return summary
        loader = LOADERS[kind]
        for line, values in rows:
            summary.rows += 1
            row = {k: v.strip() for k, v in zip(names, values, strict=True)}
            loader(self, f"{path}:{line}", row, summary)
        return summary

    def _report(self, where: str, problems: list[FieldError]) -> bool:
        for problem in problems:
            self.problems.add(where, str(problem))
        return not problems

    def load_state(self, where: str, row: dict[str, str], summary: FileSummary) -> None:
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

    def load_meeting(self, where: str, row: dict[str, str], summary: FileSummary) -> None:
        meeting, problems = contract.meeting_row(row)
        ok = self._report(where, problems)
        if row["country"]:
            state = self.state(row["country"], "", where, field="country")
            ok = ok and state is not None
            meeting["country"] = state.code if state else None
        else:
            meeting["country"] = None
        if ok:
            summary.count(put_meeting(self.conn, meeting)[0])

    def load_instrument(self, where: str, row: dict[str, str], summary: FileSummary) -> None:
        instrument, problems = contract.instrument_row(row, slugs(self.conn, "meetings"))
        if self._report(where, problems):
            summary.count(put_instrument(self.conn, instrument)[0])

    def load_count(self, where: str, row: dict[str, str], summary: FileSummary) -> None:
        count, problems = contract.count_row(row, slugs(self.conn, "meetings"))
        if self._report(where, problems):
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
        # (record, subject, meeting cells) -> record, subject, meeting, instrument, repeats
        checked: dict[tuple[str, str, str], tuple[str, str, str | None, str | None, bool]] = {}
        codes: dict[tuple[str, str], str] = {}  # (state cell, code cell) -> stored code
        dates: dict[str, str] = {}  # date cell -> checked date
        prefix = f"{path}:"
        add = batch.add_checked
        count = 0
        for line, values in rows:
            count += 1
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
                try:
                    date = contract.date(values[i_date].strip(), "date")
                except FieldError as exc:
                    problems.add(prefix + str(line), str(exc))
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
                    record, subject, meeting = check_fact(*triple, meetings, instruments)
                except ValueError as exc:
                    problems.add(prefix + str(line), str(exc))
                    continue
                fact = (
                    record,
                    subject,
                    meeting or None,
                    subject if record in INSTRUMENT_RECORDS else None,
                    record in REPEATABLE_RECORDS,
                )
                if len(checked) < 10_000:
                    checked[triple] = fact
            if code is None or date is None or not sources or problems.lines:
                continue  # the import will be rolled back: no need to write
            add(
                code,
                fact[0],
                fact[1],
                date,
                fact[2],
                fact[3],
                values[i_detail].strip(),
                sources,
                fact[4],
            )
        summary.rows += count
        batch.flush()
        summary.added += batch.added
        summary.updated += batch.updated
        summary.unchanged += batch.unchanged
        summary.sources_merged += batch.sources_merged


LOADERS: dict[str, Loader] = {
    "states": Importer.load_state,
    "meetings": Importer.load_meeting,
    "instruments": Importer.load_instrument,
    "counts": Importer.load_count,
}


def load_files(
    conn: sqlite3.Connection,
    paths: list[Path],
    *,
    encoding: str = "utf-8",
    progress: Progress | None = None,
) -> list[FileSummary]:
    """Load contract files inside the caller's open transaction, in dependency order.

    Raises CcmError with every problem found (up to 20); the caller's transaction then rolls
    back, so the database is left as it was.
    """
    if not paths:
        raise CcmError("name at least one file to import")
    kinds: list[tuple[str, Path]] = []
    for path in paths:
        kind, _, rows = read_rows(path, encoding)
        rows.close()
        kinds.append((kind, path))
    kinds.sort(key=lambda kp: LOAD_ORDER.index(kp[0]))
    importer = Importer(conn)
    summaries: list[FileSummary] = []
    try:
        for kind, path in kinds:
            _, names, rows = read_rows(path, encoding, progress)
            summaries.append(importer.load(kind, path, names, rows))
    except _TooManyProblems:
        pass
    lines = importer.problems.lines
    if lines:
        more = " (stopped after 20)" if len(lines) >= MAX_PROBLEMS else ""
        raise CcmError(
            f"import failed: {len(lines)} problem{'s' if len(lines) != 1 else ''}{more};"
            " nothing was written",
            details=lines,
        )
    return summaries


def import_files(
    conn: sqlite3.Connection,
    paths: list[Path],
    *,
    dry_run: bool = False,
    encoding: str = "utf-8",
    progress: Progress | None = None,
) -> list[FileSummary]:
    """`load_files` in a transaction of its own: all or nothing (nothing at all for a dry run)."""
    with transaction(conn, dry_run=dry_run):
        return load_files(conn, paths, encoding=encoding, progress=progress)


def load_builtin(conn: sqlite3.Connection) -> str:
    """Fill a new database from the built-in dataset; returns a short summary.

    The dataset's version goes into `meta`, so `ccm info`, the Data Package and the site can
    say which release of the data a database started from.
    """
    directory = builtin.data_dir()
    files = [directory / name for name in builtin.FILES if (directory / name).exists()]
    summaries = import_files(conn, files)
    release = builtin.release()
    if release:
        from ccmtool.dataset import mark_seeded

        with transaction(conn):
            mark_seeded(conn, release)
    parts = {s.kind: s.added for s in summaries}
    return (
        f"{parts.get('facts', 0)} facts, {parts.get('meetings', 0)} meetings,"
        f" {parts.get('instruments', 0)} instruments, {parts.get('counts', 0)} reported counts"
    )
