"""Listings stream: what they print is what the materialising code printed, and the big
ones come from a cursor, not a list (issue 13, item 6; timing is in bench/read_scale.py)."""

from __future__ import annotations

import io
import json
import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tabulate import tabulate
from typer.testing import CliRunner

from ccmtool import exporter, formats, queries, render, stream
from ccmtool.cli import app

CELLS = ["", "a", "Côte d'Ivoire", "日本", "x | y", " padded ", "line\nbreak", "tab\there"]


def _rows(n: int, seed: int) -> list[tuple[Any, ...]]:
    rng = random.Random(seed)
    values: list[Any] = [*CELLS, None, 0, 7, 12.5, -3]
    return [tuple(rng.choice(values) for _ in range(4)) for _ in range(n)]


def test_a_streamed_table_is_the_drawn_table() -> None:
    names = ["date", "state", "n", "sources"]
    for seed, n in ((1, 3), (2, 40), (3, stream.CHUNK * 2 + 17)):
        rows = _rows(n, seed)
        out = io.StringIO()
        assert stream.write_table(names, iter(rows), out)
        assert out.getvalue() == render.table_text(names, rows, None) + "\n"


def test_numbers_only_columns_are_right_aligned_when_streamed() -> None:
    rows = [(1, "a"), (None, "b"), (22, "c")]
    out = io.StringIO()
    stream.write_table(["n", "x"], iter(rows), out)
    assert out.getvalue() == render.table_text(["n", "x"], rows, None) + "\n"
    assert out.getvalue().splitlines()[2] == " 1  a"


def test_a_spooled_chunk_holding_a_nul_keeps_its_cells(monkeypatch: Any) -> None:
    """A table's chunks are set aside split at NUL; a chunk whose text holds one is split
    at another character, so each cell comes back whole and the table is the drawn one."""
    monkeypatch.setattr(stream, "CHUNK", 2)
    rows = [("a\x00b", "x"), ("c", "y\x00\x00"), ("d", "e"), ("f\x1f", "\x00")]
    out = io.StringIO()
    assert stream.write_table(["one", "two"], iter(rows), out)
    assert out.getvalue() == render.table_text(["one", "two"], rows, None) + "\n"
    lines = out.getvalue().splitlines()[2:]
    for line, (one, two) in zip(lines, rows, strict=True):
        assert line.startswith(one) and line.endswith(two)


def test_streamed_json_csv_and_markdown_are_the_libraries_own() -> None:
    names = ["date", "state", "n", "sources"]
    rows = _rows(stream.CHUNK + 5, 4)
    out = io.StringIO()
    formats.write_json(names, iter(rows), out)
    records = [{c: render.json_value(c, v) for c, v in zip(names, r, strict=True)} for r in rows]
    assert out.getvalue() == json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    out = io.StringIO()
    formats.write_markdown(names, iter(rows), out)
    assert out.getvalue() == render.table(names, rows, "github") + "\n"
    out = io.StringIO()
    formats.write_json(names, iter([]), out)
    assert out.getvalue() == "[]\n"


def test_export_json_lines_match_json_dumps(tmp_path: Path) -> None:
    db_path = tmp_path / "ccm.db"
    assert CliRunner().invoke(app, ["init", "--db", str(db_path)]).exit_code == 0
    conn = sqlite3.connect(db_path)
    for what in ("meetings", "states"):
        columns, rows = exporter.export_rows(conn, what)
        got = io.StringIO()
        exporter.write_export(conn, what, "jsonl", got)
        records = [exporter._json_record(columns, r) for r in rows]
        texts = got.getvalue().splitlines()
        expected = [json.dumps(r, ensure_ascii=False) for r in records]
        assert texts == expected and texts


def test_actions_come_from_a_cursor(tmp_path: Path) -> None:
    db_path = tmp_path / "ccm.db"
    assert CliRunner().invoke(app, ["init", "--db", str(db_path)]).exit_code == 0
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    columns, rows = queries.actions(conn)
    assert not isinstance(rows, list)
    assert isinstance(rows, sqlite3.Cursor)
    listed = list(rows)
    assert listed and all(type(r) is tuple for r in listed)
    assert columns[-1] == "sources"
    result = CliRunner().invoke(app, ["actions", "--db", str(db_path), "--format", "csv"])
    assert result.exit_code == 0
    assert result.stdout.count("\n") == len(listed) + 1


def test_limit_counts_what_it_leaves_out(tmp_path: Path) -> None:
    db_path = tmp_path / "ccm.db"
    CliRunner().invoke(app, ["init", "--db", str(db_path)])
    whole = CliRunner().invoke(app, ["actions", "--db", str(db_path), "--format", "csv"])
    total = whole.stdout.count("\n") - 1
    result = CliRunner().invoke(
        app, ["actions", "--db", str(db_path), "--format", "csv", "--limit", "2"]
    )
    assert result.stdout.count("\n") == 3
    assert f"showing the first 2 of {total} rows" in result.stderr
    assert f"{total} announced actions" in result.stderr


def test_markdown_cells_are_stripped_and_escaped_like_tabulate() -> None:
    rows = [(" a | b ", "x")]
    out = io.StringIO()
    formats.write_markdown(["h", "k"], iter(rows), out)
    cells = [["a \\| b", "x"]]
    assert out.getvalue() == tabulate(cells, ["h", "k"], "github", disable_numparse=True) + "\n"


@pytest.mark.parametrize(
    ("names", "rows"),
    [
        (["a", "b"], [("\x1b[31mred\x1b[0m", "x")]),  # an escape before the last column
        (["\x1b[1mh\x1b[0m"], [("x",)]),  # an escape in a header
        (["a", "b", "c"], [("x", "\x1b[2my\x1b[0m", "z")] * 3),
    ],
)
def test_markdown_with_terminal_escapes_is_measured_by_tabulate(
    names: list[str], rows: list[tuple[str, ...]], monkeypatch: Any
) -> None:
    """tabulate does not count a terminal escape as width: a Markdown listing holding one
    anywhere, in any column or chunk, is handed to tabulate whole (a review found one
    padded by its length when it was not in the last column)."""
    monkeypatch.setattr(stream, "CHUNK", 2)
    expected = io.StringIO()
    render.render(names, rows, "markdown", expected)
    got = io.StringIO()
    formats.write_markdown(names, iter(rows), got)
    assert got.getvalue() == expected.getvalue()


# Cells that exercise fitting: long text to cut, wide and combining characters, several
# sources (compact as 'site +N'), bars of '#' and '.', numbers, blanks at either end.
FIT_CELLS = st.one_of(
    st.sampled_from(
        [
            "",
            "a much longer cell of text that must be cut somewhere",
            "日本の長い名前",
            "e\u0301te\u0301",
            "https://icbl.org/a | https://b.org/y | Landmine Monitor (the-monitor.org), 2009",
            "Landmine Monitor 2008 (the-monitor.org), p. 12",
            "####....",
            "##",
            "trailing   ",
            "line\nbreak",
            '50% off, "quoted" {braces}',
            "a NUL\x00inside",
        ]
    ),
    st.text(alphabet="ab |+.#\t日é", max_size=14),
    st.integers(-5, 10**6),
    st.none(),
)


@settings(max_examples=300, deadline=None)
@given(
    names=st.lists(
        st.sampled_from(["date", "state", "sources", "n", "bar", ""]), min_size=1, max_size=6
    ),
    data=st.data(),
    room=st.one_of(st.none(), st.integers(1, 120)),
    chunk=st.sampled_from([2, 5, 5000]),
)
def test_a_streamed_fitted_table_is_the_drawn_one(
    names: list[str], data: st.DataObject, room: int | None, chunk: int
) -> None:
    """A table fitted to a terminal streams, a chunk of rows at a time (flat memory at any
    length), and is the text render.table_text gives holding every row: the widths fitted
    from every row, cells cut with '...', sources compact, bars scaled."""
    rows = data.draw(st.lists(st.tuples(*[FIT_CELLS] * len(names)), min_size=1, max_size=12))
    out = io.StringIO()
    saved = stream.CHUNK
    stream.CHUNK = chunk
    try:
        assert stream.write_table(names, iter(rows), out, room)
    finally:
        stream.CHUNK = saved
    assert out.getvalue() == render.table_text(names, rows, room) + "\n"


@settings(max_examples=500, deadline=None)
@given(
    text=st.text(alphabet=st.characters(max_codepoint=0x3100), max_size=20),
    room=st.integers(-2, 24),
)
def test_cut_is_the_same_by_slicing_or_by_characters(text: str, room: int) -> None:
    """Plain ASCII is cut by slicing (a terminal table cuts half a million cells); every
    other text character by character: both end in the same place."""
    expected = text
    if render.width(text) > room:
        if room <= 0:
            expected = ""
        else:
            mark, used, kept = render.ELLIPSIS[:room], 0, []
            for ch in text:
                if used + render.char_width(ch) > room - len(mark):
                    break
                kept.append(ch)
                used += render.char_width(ch)
            expected = "".join(kept).rstrip() + mark
    assert render.cut(text, room) == expected
    assert render.width(render.cut(text, room)) <= max(room, 0) or render.width(text) <= room


def test_a_fitted_table_streams_from_a_cursor(tmp_path: Path, monkeypatch: Any) -> None:
    """`ccm actions` at a terminal (COLUMNS set) reads the cursor in chunks: the drawn
    table never holds the rows (it took 15 s and 550 MB at 500,000 facts)."""
    db_path = tmp_path / "ccm.db"
    assert CliRunner().invoke(app, ["init", "--db", str(db_path)]).exit_code == 0
    monkeypatch.setattr(render, "table_text", None)  # the materialising path is not taken
    monkeypatch.setenv("COLUMNS", "80")
    result = CliRunner().invoke(app, ["actions", "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(map(len, lines)) == 80
    assert lines[-1].endswith("announced actions")


@settings(max_examples=200, deadline=None)
@given(
    names=st.lists(
        st.sampled_from(["date", "state", "sources", "n", "a b", "50%s", 'q,"x{}']),
        min_size=1,
        max_size=5,
        unique=True,
    ),
    data=st.data(),
    fmt=st.sampled_from(["csv", "tsv", "json", "jsonl", "markdown", "github"]),
    chunk=st.sampled_from([2, 5000]),
)
def test_every_streamed_format_is_the_materialised_one(
    names: list[str], data: st.DataObject, fmt: str, chunk: int
) -> None:
    """Listings in every format ccm names stream from a cursor in flat memory (`ccm actions
    --format markdown` at 500,000 facts took 42 s and 2.4 GB through tabulate, JSON Lines
    440 MB) and write what render.render writes holding every row."""
    text = st.text(alphabet='\\\t\r\n|a日,"%{}\x00', max_size=6)
    cells = st.one_of(FIT_CELLS, text, st.floats(-1, 1))
    rows = data.draw(st.lists(st.tuples(*[cells] * len(names)), max_size=12))
    expected = io.StringIO()
    render.render(names, rows, fmt, expected)
    got = io.StringIO()
    saved = stream.CHUNK
    stream.CHUNK = chunk
    try:
        formats.render(names, iter(rows), fmt, got)
    finally:
        stream.CHUNK = saved
    assert got.getvalue() == expected.getvalue()
