"""The facts and claims exports are text SQLite builds (exporter._big_sql): the bytes must be
those csv.writer and json.dumps give for the same rows, whatever the free text holds."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccmtool import db, exporter

# Any text a source or a detail may hold: stored text never has a NUL (the reader refuses
# one, and a command-line argument cannot carry one).
TEXT = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)))
SPECIAL = st.sampled_from(
    ['"', ",", "\n", "\r", "\r\n", '""', "\\", "\t", " | ", "\x1f", "é", "=", "+", "-", "@"]
)
FREE = st.lists(st.one_of(TEXT, SPECIAL), max_size=4).map("".join)
# A stored source as ccm stores one (model.split_sources): stripped, not empty, no separator;
# and not starting or ending with '|', which joined with ' | ' would read back as two others.
SOURCE = FREE.map(str.strip).filter(lambda s: s.strip("|") == s != "" and " | " not in s)


@pytest.fixture(scope="module")
def empty_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("text") / "empty.db"
    db.create(path, seed=False)
    return path


def _fill(path: Path, events: list[tuple[str, str, list[tuple[str, str]]]]) -> sqlite3.Connection:
    """An in-memory copy of the empty database holding these events: (state name, detail,
    [(source, claim detail)...]), stored as ccm stores them."""
    conn = sqlite3.connect(":memory:")
    sqlite3.connect(path).backup(conn)
    for i, (name, detail, claims) in enumerate(events, 1):
        code = f"X{i:02d}"
        conn.execute(
            "INSERT INTO states (code, name, region, subregion) VALUES (?, ?, '', '')",
            (code, name),
        )
        conn.execute(
            "INSERT INTO facts (id, state, record, subject, date, detail, claim_count)"
            " VALUES (?, ?, 'announced', 'moratorium', '2008-05', ?, ?)",
            (i, code, detail, len(claims)),
        )
        for pos, (source, said) in enumerate(claims):
            conn.execute(
                "INSERT INTO claims (fact, pos, source, date, detail) VALUES (?, ?, ?, '2008', ?)",
                (i, pos, source, said),
            )
    return conn


EVENTS = st.lists(
    st.tuples(
        FREE,
        FREE,
        st.lists(st.tuples(SOURCE, FREE), min_size=1, max_size=3, unique_by=lambda c: c[0]),
    ),
    max_size=6,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(events=EVENTS)
def test_big_exports_are_the_libraries_bytes(
    empty_db: Path, events: list[tuple[str, str, list[tuple[str, str]]]]
) -> None:
    conn = _fill(empty_db, events)
    for what in ("facts", "claims"):
        columns, rows = exporter.export_rows(conn, what)
        rows = list(rows)
        expected = io.StringIO()
        writer = csv.writer(expected, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
        got = io.StringIO()
        assert exporter.write_export(conn, what, "csv", got) == len(rows)
        assert list(csv.reader(io.StringIO(got.getvalue()))) == [columns, *map(list, rows)]
        if got.getvalue() != expected.getvalue():
            # ccm quotes a cell with a carriage return; Python 3.11's writer leaves a lone CR
            # bare, and it does not read back (the reader above proves ccm's does).
            assert "\r" in got.getvalue()

        # --excel: a byte-order mark, and text a spreadsheet would run as a formula defused
        expected = io.StringIO()
        expected.write("\ufeff")
        writer = csv.writer(expected, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[exporter.excel_safe(v) for v in r] for r in rows])
        got = io.StringIO()
        assert exporter.write_export(conn, what, "csv", got, excel=True) == len(rows)
        assert got.getvalue() == expected.getvalue() or "\r" in got.getvalue()
        read = list(csv.reader(io.StringIO(got.getvalue().removeprefix("\ufeff"))))
        assert read == [columns, *([exporter.excel_safe(v) for v in r] for r in rows)]

        records = [exporter._json_record(columns, r) for r in rows]
        got = io.StringIO()
        exporter.write_export(conn, what, "jsonl", got)
        assert got.getvalue() == "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        got = io.StringIO()
        exporter.write_export(conn, what, "json", got)
        assert json.loads(got.getvalue()) == records
        texts = [json.dumps(r, ensure_ascii=False) for r in records]
        assert got.getvalue() == ("[\n  " + ",\n  ".join(texts) + "\n]\n" if texts else "[]\n")


def test_the_text_is_built_by_sqlite_for_the_big_exports() -> None:
    """Not csv.writer row by row: the SELECT itself quotes (a Python call per cell was most
    of an export's time at 500k facts, bench/read_scale.py)."""
    sql = exporter._big_sql("facts", "csv")
    assert "replace(" in sql and "instr(" in sql
    assert "format(" in exporter._big_sql("claims", "json")


# What a GFM reader trims from a table cell: JavaScript's String.trim set, as markdown-it
# (and GitHub's cmark-gfm for ASCII) trims.
TRIMMED = (
    "\t\n\x0b\x0c\r \xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + ("\u2028\u2029\u202f\u205f\u3000")
)


def _spaced(value: str) -> str:
    """A value as a Markdown reader shows it in a table cell: one line, trimmed."""
    for brk in ("\r\n", "\r", "\n", "\t"):
        value = value.replace(brk, " ")
    return value.strip(TRIMMED)


def _table_cells(text: str) -> list[list[str]]:
    """The cells of the Markdown table in `text` as a GFM parser reads them (markdown-it-py
    with its table rule: the rule CommonMark's GitHub flavour adds)."""
    from markdown_it import MarkdownIt

    rows: list[list[str]] = []
    row: list[str] | None = None
    tables = 0
    for token in MarkdownIt("commonmark").enable("table").parse(text):
        tables += token.type == "table_open"
        if token.type == "tr_open":
            row = []
        elif token.type == "inline" and row is not None:
            row.append(token.content)
        elif token.type == "tr_close" and row is not None:
            rows.append(row)
            row = None
    assert tables == 1
    return rows


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(events=EVENTS)
def test_markdown_exports_read_back_as_the_same_cells(
    empty_db: Path, events: list[tuple[str, str, list[tuple[str, str]]]]
) -> None:
    """An exported Markdown table is one row per event (or claim) and one cell per column,
    whatever the text holds: a GFM reader gets back each value with its line breaks and
    tabs as spaces, trimmed as every Markdown table cell is. The rows are not padded to a
    common width: a wider cell does not rewrite every line of a file kept under version
    control, and 500,000 facts are 67 MB, not 636."""
    conn = _fill(empty_db, events)
    for what in ("facts", "claims"):
        columns, rows = exporter.export_rows(conn, what)
        rows = list(rows)
        got = io.StringIO()
        assert exporter.write_export(conn, what, "markdown", got) == len(rows)
        text = got.getvalue()
        assert text.count("\n") == len(rows) + 2
        spaced = [[_spaced(v) for v in r] for r in [columns, *rows]]
        assert _table_cells(text) == spaced
        # the small tables' rows are made in Python, the big two's in SQL: the same text
        head = exporter.markdown_head(columns)
        assert text == head + "".join(exporter._markdown_row(r) + "\n" for r in rows)


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.lists(st.one_of(FREE, st.none(), st.integers()), max_size=4)))
def test_every_csv_ccm_writes_reads_back(rows: list[list[str | int | None]]) -> None:
    """csvtext.Writer is csv.writer's quoting plus a lone carriage return quoted, which
    Python 3.11's writer leaves bare with "\\n" line ends (the row then split in two when
    read). Every row reads back whole; where csv.writer's text reads back, it is the same."""
    from ccmtool.csvtext import Writer

    got = io.StringIO()
    Writer(got).writerows(rows)
    back = list(csv.reader(io.StringIO(got.getvalue(), newline="")))
    assert back == [["" if v is None else str(v) for v in row] for row in rows]
    if not any("\r" in str(v) for row in rows for v in row):
        plain = io.StringIO()
        csv.writer(plain, lineterminator="\n").writerows(rows)
        assert got.getvalue() == plain.getvalue()


def test_a_lone_carriage_return_reads_back_from_every_csv(
    ccm: Callable[..., Any], tmp_path: Path
) -> None:
    """A meeting named with a lone carriage return: its export and its listing are CSV
    that reads back to the same name (it used to go out bare and split the row in two)."""
    path = tmp_path / "cr.db"
    db.create(path, seed=False)
    name = "Geneva\rMeeting"
    added = ccm("add-meeting", "gva", "--name", name, "--source", "https://x.org", "--db", path)
    assert added.exit_code == 0, added.output
    for args in (("export", "--what", "meetings"), ("meetings", "--format", "csv")):
        result = ccm(*args, "--db", path)
        assert result.exit_code == 0, result.output
        rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
        assert [r["name"] for r in rows if r["slug"] == "gva"] == [name]
