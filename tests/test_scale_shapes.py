"""Listings stream: what they print is what the materialising code printed, and the big
ones come from a cursor, not a list (issue 13, item 6; timing is in bench/read_scale.py)."""

from __future__ import annotations

import io
import json
import random
import sqlite3
from pathlib import Path
from typing import Any

from tabulate import tabulate
from typer.testing import CliRunner

from ccmtool import exporter, queries, render, stream
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


def test_streamed_json_csv_and_markdown_are_the_libraries_own() -> None:
    names = ["date", "state", "n", "sources"]
    rows = _rows(stream.CHUNK + 5, 4)
    out = io.StringIO()
    stream.write_json(names, iter(rows), out)
    records = [{c: render.json_value(c, v) for c, v in zip(names, r, strict=True)} for r in rows]
    assert out.getvalue() == json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    out = io.StringIO()
    stream.write_markdown(names, iter(rows), out)
    assert out.getvalue() == render.markdown_table(names, rows)
    out = io.StringIO()
    stream.write_json(names, iter([]), out)
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
    stream.write_markdown(["h", "k"], iter(rows), out)
    cells = [["a \\| b", "x"]]
    assert out.getvalue() == tabulate(cells, ["h", "k"], "github", disable_numparse=True) + "\n"
