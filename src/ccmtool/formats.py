"""Listings in CSV, TSV, JSON, JSON Lines and Markdown, written from an iterator of rows (a
database cursor) a chunk at a time, in flat memory: the text `render.render` gives holding
every row (tests/test_scale_shapes.py compares them). `render` picks the writer; tables, and
the chunks every writer reads, are in `stream`.

Each chunk's cells are handled a column at a time by C-level calls where they need nothing
done (plain text), and laid out by one %-format call per chunk.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TextIO

from ccmtool import stream


def write_json(names: list[str], rows: Iterable[Sequence[Any]], out: TextIO) -> None:
    """A JSON array of one object per row, indented by 2, byte for byte what
    `json.dumps([render.json_value...], ensure_ascii=False, indent=2)` writes."""
    first = True
    for objects in _json_objects(names, rows, indent=True):
        out.write("[\n  " if first else ",\n  ")
        out.write(objects)
        first = False
    out.write("[]\n" if first else "\n]\n")


def write_jsonl(names: list[str], rows: Iterable[Sequence[Any]], out: TextIO) -> None:
    """One JSON object per line, what `json.dumps(record, ensure_ascii=False)` writes for
    each row (render.render)."""
    for objects in _json_objects(names, rows, indent=False):
        out.write(objects)
        out.write("\n")


def _json_objects(names: list[str], rows: Iterable[Sequence[Any]], indent: bool) -> Iterator[str]:
    """Each chunk of rows as JSON objects laid out as json.dumps lays them out (indented as
    members of an array, or one to a line) and joined as write_json or write_jsonl joins
    them. json's indenting encoder is pure Python; here a chunk's values are encoded in one
    call to the C encoder, with a NUL between them (JSON escapes every NUL inside a
    string), and laid out by one %-format. `sources` becomes a list: a column at a time
    where each cell is one source (the usual case), else cell by cell."""
    import json

    from ccmtool.model import SOURCE_SEPARATOR
    from ccmtool.render import SOURCES, source_list

    encode = json.JSONEncoder(ensure_ascii=False, separators=("\x00", ":")).encode
    text = json.JSONEncoder(ensure_ascii=False).encode
    n = len(names)
    keys = [text(str(name)).replace("%", "%%") + ": %s" for name in names]
    if indent:
        row, between = "{\n    " + ",\n    ".join(keys) + "\n  }", ",\n  "
        opened, listed, closed = "[\n      ", ",\n      ", "\n    ]"
    else:
        row, between = "{" + ", ".join(keys) + "}", "\n"
        opened, listed, closed = "[", ", ", "]"
    if not n:
        row = "{}"
    at = names.index(SOURCES) if SOURCES in names else -1
    it = iter(rows)
    while chunk := list(itertools.islice(it, stream.CHUNK)):
        flat = stream._flat(chunk, n)
        if set(map(type, flat)) & {list, tuple, dict}:  # not from SQLite: the slow way
            records = [{c: _json_value(c, v) for c, v in zip(names, r, strict=True)} for r in chunk]
            if indent:
                dumped = [json.dumps(r, ensure_ascii=False, indent=2) for r in records]
                yield between.join(d.replace("\n", "\n  ") for d in dumped)
            else:
                yield between.join(json.dumps(r, ensure_ascii=False) for r in records)
            continue
        parts = encode(flat)[1:-1].split("\x00") if flat else []
        raws = flat[at::n] if at >= 0 else []
        if (
            set(map(type, raws)) == {str}
            and all(raws)
            and SOURCE_SEPARATOR not in "\x00".join(raws)
            and list(map(str.strip, raws)) == raws
        ):  # one source in each cell: the usual case
            parts[at::n] = [opened + p + closed for p in parts[at::n]]
        else:
            for k in range(at, len(parts), n) if at >= 0 else ():
                raw = flat[k]
                if type(raw) is str and raw and SOURCE_SEPARATOR not in raw and raw.strip() == raw:
                    parts[k] = opened + parts[k] + closed
                else:
                    items = [text(s) for s in source_list(raw)]
                    parts[k] = opened + listed.join(items) + closed if items else "[]"
        yield stream._rows_format(row, len(chunk), between, "") % tuple(parts)


def write_tsv(names: list[str], rows: Iterable[Sequence[Any]], out: TextIO) -> None:
    """Tab-separated values as render.render writes them (`render.tsv_cell` escapes), a
    column of a chunk at a time: only a column holding something to escape, or not text,
    is converted cell by cell."""
    from ccmtool.render import flat_value, tsv_cell

    n = len(names)
    out.write("\t".join(tsv_cell(c) for c in names) + "\n")
    line = "\t".join(["%s"] * n)
    it = iter(rows)
    while chunk := list(itertools.islice(it, stream.CHUNK)):
        cells = stream._flat(chunk, n)
        for i in range(n):
            values = cells[i::n]
            if set(map(type, values)) == {str}:
                joined = "".join(values)
                if not any(ch in joined for ch in "\\\t\n\r"):
                    continue
            name = names[i]
            cells[i::n] = [tsv_cell(flat_value(name, v)) for v in values]
        out.write(stream._rows_format(line, len(chunk)) % tuple(cells))


def _json_value(column: str, value: Any) -> Any:
    from ccmtool.render import json_value

    return json_value(column, value)


def write_csv(names: list[str], rows: Iterable[Sequence[Any]], out: TextIO) -> None:
    """CSV as `csvtext.Writer` writes `render.flat_value` cells, a column of a chunk at a
    time: only a column holding something to quote, or not text, is converted cell by cell
    (csv.writer makes a write call per row: a fifth of `ccm actions --format csv`)."""
    from ccmtool.csvtext import QUOTED
    from ccmtool.render import flat_value

    n = len(names)
    if not n:
        out.write("\n" * (1 + sum(1 for _ in rows)))
        return
    line = ",".join(["%s"] * n)
    out.write(stream._rows_format(line, 1) % _csv_cells(names, n))
    it = iter(rows)
    while chunk := list(itertools.islice(it, stream.CHUNK)):
        cells = stream._flat(chunk, n)
        for i in range(n):
            values = cells[i::n]
            if n > 1 and set(map(type, values)) == {str}:
                joined = "".join(values)
                if any(c in joined for c in QUOTED):
                    cells[i::n] = _csv_column(values, joined)
                continue
            name = names[i]
            cells[i::n] = _csv_cells([flat_value(name, v) for v in values], n)
        out.write(stream._rows_format(line, len(chunk)) % tuple(cells))


def _csv_column(values: list[str], joined: str) -> list[str]:
    """A column of text (`joined`, to look in) as csvtext.Writer quotes it in rows of two or
    more, with C-level calls mapped over the column and one comprehension (every detail in
    a listing may hold a comma: a Python call per cell was a third of the listing's time)."""
    if '"' in joined:
        values = list(map(str.replace, values, itertools.repeat('"'), itertools.repeat('""')))
    from ccmtool.csvtext import needs_quotes

    hits = map(needs_quotes, values)
    return ['"' + v + '"' if hit else v for v, hit in zip(values, hits, strict=True)]


def _csv_cells(values: Sequence[Any], n: int) -> tuple[str, ...]:
    """Cells as csvtext.Writer writes them in a row of `n`: quoted when holding one of
    csvtext.QUOTED, quotes doubled; a row of one empty cell is `""` (else a blank line)."""
    from ccmtool.csvtext import needs_quotes

    cells = []
    for value in values:
        text = value if type(value) is str else "" if value is None else str(value)
        if needs_quotes(text) or (n == 1 and not text):
            text = '"' + text.replace('"', '""') + '"'
        cells.append(text)
    return tuple(cells)


def write_markdown(names: list[str], rows: Iterable[Sequence[Any]], out: TextIO) -> None:
    """A GitHub Markdown table, the text `render.table` gets from tabulate, in flat
    memory. tabulate strips cells and makes each column its widest cell or its header plus
    two; a table it would measure differently (terminal escapes, or wcwidth installed) is
    handed to tabulate whole, as before."""
    import tabulate

    from ccmtool.render import _cell

    escape = operator.methodcaller("replace", "|", "\\|")
    n = len(names)
    widths = [len(h) + tabulate.MIN_PADDING for h in names]
    spool = stream._Spool(n)
    plain = not tabulate.WIDE_CHARS_MODE and "\x1b" not in "".join(names)
    it = iter(rows)
    while chunk := list(itertools.islice(it, stream.CHUNK)):
        cells = stream._flat(chunk, n)
        for i in range(n):
            values = cells[i::n]
            joined = stream._plain_text(values, set(map(type, values)))
            col = values if joined is not None else [_cell("", v, False) for v in values]
            joined = "".join(col) if joined is None else joined
            if "|" in joined:
                col = list(map(escape, col))
            col = list(map(str.strip, col))
            plain = plain and "\x1b" not in joined
            widths[i] = max(widths[i], max(map(len, col), default=0))
            cells[i::n] = col
        spool.put(cells)
    if not spool.count:
        out.write("(no rows)\n")
        return
    if not plain:  # rare: tabulate measures these cells itself
        table = [list(row) for row in spool]
        out.write(tabulate.tabulate(table, names, "github", disable_numparse=True) + "\n")
        return
    row = "| " + " | ".join(f"%-{w}s" for w in widths) + " |"
    out.write(row % tuple(names) + "\n|" + "|".join("-" * (w + 2) for w in widths) + "|\n")
    for cells in spool.chunks():
        out.write(stream._rows_format(row, len(cells) // n) % tuple(cells))


def render(names: list[str], rows: Iterable[Sequence[Any]], fmt: str, out: TextIO) -> None:
    """A listing in `fmt`, as `render.render` writes it, in flat memory: CSV, TSV, JSON,
    JSON Lines, Markdown and tables (fitted to a terminal or not). The other document
    formats (LaTeX, HTML, grid...) go there: tabulate holds every row."""
    from ccmtool.render import options
    from ccmtool.render import render as render_all

    if fmt == "csv":
        write_csv(names, rows, out)
    elif fmt == "json":
        write_json(names, rows, out)
    elif fmt == "jsonl":
        write_jsonl(names, rows, out)
    elif fmt == "tsv":
        write_tsv(names, rows, out)
    elif fmt in ("markdown", "github"):
        write_markdown(names, rows, out)
    elif fmt == "table":
        if not stream.write_table(names, rows, out, None if options.wide else options.width):
            out.write("(no rows)\n")
    else:
        render_all(names, rows, fmt, out)
