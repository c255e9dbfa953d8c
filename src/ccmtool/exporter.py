"""Exports: every table back out in the data contract, or as JSON, JSON Lines, Markdown.

The facts export is one row per event with every source; the claims export one row per
source, with that source's own date and wording, and is lossless. Export -> import into an
empty database -> export gives the same bytes for both.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO, cast

from ccmtool.csvtext import Writer
from ccmtool.errors import CcmError
from ccmtool.model import split_sources

CHUNK = 5000  # rows fetched and written at a time
_FORMULA_STARTS = ("=", "+", "-", "@")  # what a spreadsheet runs as a formula (--excel)
# Columns that start with a letter or a digit (a state's code, a record of the vocabulary,
# an ISO date: `ccm check` tests every row), so --excel has nothing to defuse in them.
_NEVER_FORMULAS = frozenset({"code", "record", "date"})


# The two big exports, column by column: (name, SQL, free text). Free text may hold any
# character; the other columns hold codes, vocabulary words, slugs and ISO dates, which the
# contract keeps to letters, digits and '-' (`ccm check` tests every row for it), so they
# need no quoting or escaping in CSV or JSON. Both read each event's claim 0 in key order,
# its event found by id: one ordered scan, no sort. Only an event with several claims
# aggregates them (claim_count says which; the claims of one fact are visited in pos
# order). The covering index on states saves a second lookup per row (with no statistics
# the planner would not pick it by itself).
def _columns(of: str) -> list[tuple[str, str, bool]]:
    """The contract's columns but the sources, date and detail taken from `of`: f, the
    event's (one row per event), or c, each claim's own (one row per claim)."""
    return [
        ("state", "s.name", True),
        ("code", "f.state", False),
        ("record", "f.record", False),
        ("subject", "f.subject", False),
        ("date", f"{of}.date", False),
        ("meeting", "coalesce(f.meeting, '')", False),
        ("detail", f"{of}.detail", True),
    ]


_BIG: dict[str, tuple[list[tuple[str, str, bool]], bool, str]] = {
    # name: (columns but the sources, several claims per row, the rest of the query)
    "facts": (
        _columns("f"),
        True,
        """FROM claims c JOIN facts f ON f.id = c.fact
        JOIN states s INDEXED BY states_names ON s.code = f.state
        WHERE c.pos = 0 ORDER BY c.fact""",
    ),
    # One row per claim: each source with its own date and wording (lossless).
    "claims": (
        _columns("c"),
        False,
        """FROM claims c JOIN facts f ON f.id = c.fact
        JOIN states s INDEXED BY states_names ON s.code = f.state
        ORDER BY c.fact, c.pos""",
    ),
}


def _sources(many: bool, one: str, joined: str) -> str:
    """The sources cell: `one` of claim 0 (c.source), or for an event with several claims
    `joined` of all of them, aggregated over its claims (source) in one subquery."""
    if not many:
        return one
    return (
        f"CASE WHEN f.claim_count = 1 THEN {one}"
        f" ELSE (SELECT {joined} FROM claims e WHERE e.fact = f.id) END"
    )


def _big_sql(what: str, fmt: str) -> str:
    """The SELECT of a big export: plain values, or (fmt csv) each row as a CSV line with
    the free text quoted as csv.writer quotes it, or (fmt json) each row as one JSON object,
    the text `json.dumps(record, ensure_ascii=False)` gives. SQLite builds the text in C, so
    Python only joins rows: a Python call (or object) per cell is most of a big export."""
    columns, many, rest = _BIG[what]
    all_sources = "group_concat(source, ' | ')"
    if fmt in ("csv", "excel"):  # excel: formula-looking cells defused first (excel_safe)
        xl = fmt == "excel"
        cells = [
            _csv_cell(sql, xl)
            if free
            else f"{_excel_mark(sql)} || {sql}"
            if xl and name not in _NEVER_FORMULAS
            else sql
            for name, sql, free in columns
        ]
        cells.append(_sources(many, _csv_cell("c.source", xl), _csv_cell(all_sources, xl)))
        return f"SELECT format('{','.join(['%s'] * len(cells))}', {', '.join(cells)}) {rest}"
    if fmt == "json":
        keys = ", ".join(
            f'"{name}": %s' if free else f'"{name}": "%s"' for name, _, free in columns
        )
        values = ", ".join(f"json_quote({sql})" if free else sql for _, sql, free in columns)
        listed = _sources(
            many,
            "'[' || json_quote(c.source) || ']'",
            "'[' || group_concat(json_quote(source), ', ') || ']'",
        )
        return f"SELECT format('{{{keys}, \"sources\": %s}}', {values}, {listed}) {rest}"
    if fmt == "markdown":
        cells = [_markdown_cell(sql) if free else sql for _, sql, free in columns]
        cells.append(_sources(many, _markdown_cell("c.source"), _markdown_cell(all_sources)))
        return f"SELECT format('| {' | '.join(['%s'] * len(cells))} |', {', '.join(cells)}) {rest}"
    select = ", ".join(f"{sql} AS {name}" for name, sql, _ in columns)
    return f"SELECT {select}, {_sources(many, 'c.source', all_sources)} AS source {rest}"


def _csv_cell(sql: str, excel: bool = False) -> str:
    """csv.writer's minimal quoting, in SQL: quoted when holding a comma, a quote or a line
    break, quotes doubled. (instr, not GLOB: GLOB stops at a NUL; no stored text has one.)
    `excel`: excel_safe first (a leading ' never needs quoting, so it goes inside)."""
    mark = _excel_mark(sql) + " || " if excel else ""
    return (
        f"CASE WHEN instr({sql}, ',') OR instr({sql}, '\"') OR instr({sql}, char(10))"
        f" OR instr({sql}, char(13)) THEN '\"' || {mark}replace({sql}, '\"', '\"\"') || '\"'"
        f" ELSE {mark}{sql} END"
    )


def _excel_mark(sql: str) -> str:
    """excel_safe's mark in SQL: ' before text a spreadsheet would run as a formula."""
    starts = ", ".join(f"'{c}'" for c in _FORMULA_STARTS)
    return f"CASE WHEN substr({sql}, 1, 1) IN ({starts}) THEN '''' ELSE '' END"


def _markdown_cell(sql: str) -> str:
    """markdown_cell in SQL: '|' escaped, a line break or tab a space."""
    changed = sql
    for find, put in (("'|'", "'\\|'"), *((ch, "' '") for ch in _MARKDOWN_SPACES)):
        changed = f"replace({changed}, {find}, {put})"
    tests = " OR ".join(f"instr({sql}, {ch})" for ch in ("'|'", *_MARKDOWN_SPACES[1:]))
    return f"CASE WHEN {tests} THEN {changed} ELSE {sql} END"


# What a Markdown cell cannot hold, replaced in this order (CR LF is one space).
_MARKDOWN_SPACES = ("char(13, 10)", "char(13)", "char(10)", "char(9)")


def markdown_cell(value: Any) -> str:
    """A cell of an exported Markdown table: '|' escaped, so that it does not end the cell,
    and each line break or tab a space (a row is one line); nothing else changes. GitHub,
    pandoc and CommonMark's table extension trim the spaces around a cell themselves."""
    text = "" if value is None else str(value)
    if "|" in text:
        text = text.replace("|", "\\|")
    if "\r" in text or "\n" in text or "\t" in text:
        text = text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
        text = text.replace("\t", " ")
    return text


def _markdown_row(cells: Iterable[Any]) -> str:
    return "| " + " | ".join(map(markdown_cell, cells)) + " |"


def markdown_head(columns: list[str]) -> str:
    """A Markdown table's header and delimiter rows."""
    return _markdown_row(columns) + "\n|" + "|".join(["---"] * len(columns)) + "|\n"


_EXPORT_SQL = {
    "facts": _big_sql("facts", ""),
    "claims": _big_sql("claims", ""),
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
# panel: one row per state and 1 January, its status under the Convention (treaty.py).
EXPORT_KINDS = (*_EXPORT_SQL, "panel")


def export_rows(conn: sqlite3.Connection, what: str) -> tuple[list[str], Iterator[tuple[Any, ...]]]:
    """Column names and a row cursor for one export; streams, never loads everything."""
    if what == "panel":
        from ccmtool.treaty import panel_rows

        columns, panel = panel_rows(conn)
        return columns, iter(panel)
    if what not in _EXPORT_SQL:
        raise CcmError(f"cannot export {what!r}; choose one of {', '.join(EXPORT_KINDS)}")
    cur = conn.execute(_EXPORT_SQL[what])
    cur.row_factory = None  # plain tuples, straight to the CSV writer
    columns = [d[0] for d in cur.description]
    return columns, iter(cur)


class _Counter:
    """Counts rows as the CSV writer's writerows pulls them."""

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
    if what in _BIG and fmt in ("csv", "json", "jsonl", "markdown"):
        return _write_big(conn, what, "excel" if excel and fmt == "csv" else fmt, out)
    columns, rows = export_rows(conn, what)
    n = 0
    if fmt == "csv":
        writer = Writer(out)
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
        for row in rows:  # the small tables: the big two are written by _write_big
            text = json.dumps(_json_record(columns, row), ensure_ascii=False)
            if fmt == "json":
                out.write(("\n  " if first else ",\n  ") + text)
            else:
                out.write(text + "\n")
            first = False
            n += 1
        if fmt == "json":
            out.write("\n]\n" if not first else "]\n")
    elif fmt == "markdown":  # the small tables: the big two are written by _write_big
        out.write(markdown_head(columns))
        for row in rows:
            out.write(_markdown_row(row) + "\n")
            n += 1
    else:
        raise CcmError(f"unknown export format {fmt!r}")
    return n


def _write_big(conn: sqlite3.Connection, what: str, fmt: str, out: TextIO) -> int:
    """The facts or claims export from text SQLite builds (`_big_sql`), a chunk of rows at
    a time; the same bytes as csv.writer and the JSON encoder give (tests/test_export_text.py)."""
    cur = conn.execute(_big_sql(what, "json" if fmt == "jsonl" else fmt))
    cur.row_factory = None
    n = 0
    names = [name for name, _, _ in _BIG[what][0]] + ["source"]
    if fmt in ("csv", "excel"):
        out.write(("\ufeff" if fmt == "excel" else "") + ",".join(names) + "\n")
    elif fmt == "markdown":
        out.write(markdown_head(names))
    between = ",\n  " if fmt == "json" else "\n"
    while rows := cur.fetchmany(CHUNK):
        text = between.join([row[0] for row in rows])
        if fmt == "json":
            out.write(("[\n  " if not n else between) + text)
        else:  # a CSV line, a JSON object or a Markdown row on each line
            out.write(text + "\n")
        n += len(rows)
    if fmt == "json":
        out.write("\n]\n" if n else "[]\n")
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
    conn: sqlite3.Connection,
    what: str,
    fmt: str,
    path: Path,
    *,
    excel: bool = False,
    database: Path | None = None,
) -> int:
    """Write the export beside `path` and rename it over (see safeio.open_output: regular
    files only, never `database`, permissions kept, temporary file removed on signals)."""
    from ccmtool.safeio import open_output

    with open_output(path, database=database) as handle:
        return write_export(conn, what, fmt, cast(TextIO, handle), excel=excel)
