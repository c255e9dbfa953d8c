"""Listings of any length in flat memory: a `table` with nothing cut, and JSON, written from
an iterator of rows (a database cursor) without holding them all.

A table's columns are as wide as their widest cell, so nothing can be written before every
row has been seen. The rows are read once, in chunks: each chunk's cells are measured and
set aside (in memory while short, then in a temporary file), and written once the widths are
known. Cells are measured a column at a time with C-level `max(map(len, ...))` wherever the
text is plain ASCII, which is what keeps half a million rows to about a second. The result
is the same text `render.draw` gives (tests/test_scale_shapes.py compares them).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TextIO, cast

CHUNK = 5000  # rows measured at a time; one chunk is all that is ever held
# A character that may not take exactly one column (render.char_width): none below U+0300
# combines or is wide, so text without one is as wide as it is long ("Côte d'Ivoire").
_not_narrow = re.compile("[^\x00-\u02ff]").search


def _narrow(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("latin-1")  # a copy, where a search looks at each character
        return True
    except UnicodeEncodeError:
        return _not_narrow(text) is None


def _plain_column(values: Sequence[Any]) -> list[str] | None:
    """A column of cells as `render._cell` gives them, when every value is text with no
    line break or tab (the common case, done without a Python call per cell); else None."""
    if set(map(type, values)) != {str}:
        return None
    joined = "\x00".join(values)
    if "\n" in joined or "\t" in joined or "\r" in joined:
        return None
    return list(values)


def _flat(rows: list[Sequence[Any]], n: int) -> list[Any]:
    """A chunk's cells in one list, row after row: column i is the slice [i::n], so each
    column is measured and converted by C-level calls, not a Python call per cell."""
    flat = list(itertools.chain.from_iterable(rows))
    if len(flat) != n * len(rows):
        raise ValueError(f"rows of {n} cells expected")
    return flat


class _Stats:
    """What the table needs from every row: column widths and right alignment."""

    def __init__(self, names: list[str]) -> None:
        from ccmtool.render import width

        self.n = len(names)
        self.natural = [width(h) for h in names]
        self.numbers = [True] * self.n  # every value a number or nothing, so far
        self.any_number = [False] * self.n

    def add(self, rows: list[Sequence[Any]]) -> list[str]:
        """The chunk's cells as text (see _flat), measured."""
        from ccmtool.render import _cell, _is_number, width

        flat = _flat(rows, self.n)
        for i in range(self.n):
            values = flat[i :: self.n]
            if self.numbers[i] and set(map(type, values)) <= {str, type(None)}:
                # all text: a number column only while every cell is empty so far
                self.numbers[i] = not any(values)
            elif self.numbers[i]:
                for v in values:
                    if _is_number(v):
                        self.any_number[i] = True
                    elif v is not None and v != "":
                        self.numbers[i] = False
                        break
            col = _plain_column(values)
            if col is None:
                col = [_cell("", v, False) for v in values]
                flat[i :: self.n] = col
            if _narrow("".join(col)):
                longest = max(map(len, col), default=0)
            else:
                longest = max(map(width, col), default=0)
            self.natural[i] = max(self.natural[i], longest)
        return flat

    def right(self) -> list[bool]:
        return [a and b for a, b in zip(self.numbers, self.any_number, strict=True)]


class _Spool:
    """Chunks of cells (see _flat) set aside until the widths are known: the first in
    memory, the rest as text in an anonymous temporary file, one block per chunk, its cells
    split by a character found in none of them. A block is written and read back in one
    call (reading millions of lines one by one, or unpickling small strings, is not fast)."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.first: list[str] | None = None
        self.file: TextIO | None = None
        self.blocks: list[tuple[str, int]] = []  # (separator, length) of each block
        self.count = 0

    def put(self, cells: list[str]) -> None:
        self.count += 1
        if self.first is None:
            self.first = cells
            return
        if self.file is None:
            import tempfile  # only for a table of more than one chunk: start-up stays light

            # Closed when read back, or with the process: no context manager can span both.
            self.file = cast(
                TextIO,
                tempfile.TemporaryFile(  # noqa: SIM115
                    "w+", encoding="utf-8", errors="surrogatepass", newline=""
                ),
            )
        text = "".join(cells)
        sep = next(c for c in _separators() if c not in text)
        block = sep.join(cells)
        self.file.write(block)
        self.blocks.append((sep, len(block)))

    def __iter__(self) -> Iterator[Sequence[str]]:
        n = self.n
        for cells in self.chunks():
            for k in range(0, len(cells), n):
                yield cells[k : k + n]

    def chunks(self) -> Iterator[list[str]]:
        """The cells again, a chunk at a time."""
        if self.first is not None:
            yield self.first
        if self.file is not None:
            self.file.seek(0)
            for sep, size in self.blocks:
                yield self.file.read(size).split(sep)
            self.file.close()


# More candidates than a chunk has cells, so one is always free. No cell holds a line break.
@functools.cache
def _separators() -> str:
    """Characters that may split a spilled row's cells: built on first use, not at import
    (it is 40,000 characters long, and every command imports this module)."""
    return "\x00\x1f\x1e\x1d\x1c" + "".join(map(chr, range(0xE000, 0xE000 + 8 * CHUNK)))


def write_table(names: list[str], rows: Iterable[Sequence[Any]], out: TextIO) -> bool:
    """A `table` with nothing cut, from any iterable of rows; False when there were none
    (the caller writes '(no rows)')."""
    from ccmtool.render import GAP, pad

    stats = _Stats(names)
    spool = _Spool(len(names))
    it = iter(rows)
    while chunk := list(itertools.islice(it, CHUNK)):
        spool.put(stats.add(chunk))
    if not spool.count:
        return False
    widths, right = stats.natural, stats.right()
    header = GAP.join(pad(h, w, r) for h, w, r in zip(names, widths, right, strict=True))
    out.write(header.rstrip() + "\n" + GAP.join("-" * w for w in widths) + "\n")
    # Unfitted, a bar (`ccm stats`) is padded like any cell: render.draw scales none.
    row = GAP.join(
        "{}" if not w else f"{{:{'>' if r else '<'}{w}}}"
        for w, r in zip(widths, right, strict=True)
    )
    n = len(names)
    for cells in spool.chunks():
        # A chunk at a time, in one str.format call and one write. str.format pads by
        # characters, which is by columns while every character takes one; a line where
        # one may not is padded by width.
        block = _rows_format(row, len(cells) // n).format(*cells)
        block = "\n".join(map(str.rstrip, block.split("\n")))
        if not _narrow(block):
            lines = block.split("\n")
            for k, line in enumerate(lines):
                if not _narrow(line):
                    padded = zip(cells[k * n : k * n + n], widths, right, strict=True)
                    lines[k] = GAP.join(pad(c, w, r) for c, w, r in padded).rstrip()
            block = "\n".join(lines)
        out.write(block + "\n")
    return True


@functools.lru_cache(maxsize=4)
def _rows_format(row: str, count: int) -> str:
    """The format of `count` lines of `row`: a chunk of cells is formatted in one call."""
    return "\n".join([row] * count)


def write_json(names: list[str], rows: Iterable[Sequence[Any]], out: TextIO) -> None:
    """A JSON array of one object per row, indented by 2, byte for byte what
    `json.dumps([render.json_value...], ensure_ascii=False, indent=2)` writes.

    json's indenting encoder is pure Python; this one encodes each row's values in one call
    to the C encoder, with a NUL between them (JSON escapes every NUL inside a string), and
    lays the pieces out as the indenting encoder would. `sources` becomes a list.
    """
    import json

    from ccmtool.render import SOURCES, source_list

    encode = json.JSONEncoder(ensure_ascii=False, separators=("\x00", ":")).encode
    text = json.JSONEncoder(ensure_ascii=False).encode
    keys = [text(str(n)) + ": " for n in names]
    at = names.index(SOURCES) if SOURCES in names else -1
    first = True
    for row in rows:
        values = list(row)
        if at >= 0:
            values[at] = None
        if set(map(type, values)) & {list, tuple, dict}:  # not from SQLite: the slow way
            record = {c: _json_value(c, v) for c, v in zip(names, row, strict=True)}
            body = json.dumps(record, ensure_ascii=False, indent=2).replace("\n", "\n  ")
        else:
            parts = encode(values)[1:-1].split("\x00") if values else []
            if at >= 0:
                items = [text(s) for s in source_list(row[at])]
                parts[at] = "[\n      " + ",\n      ".join(items) + "\n    ]" if items else "[]"
            pairs = ",\n    ".join(map(str.__add__, keys, parts))
            body = "{\n    " + pairs + "\n  }" if pairs else "{}"
        out.write(("[\n  " if first else ",\n  ") + body)
        first = False
    out.write("[]\n" if first else "\n]\n")


def _json_value(column: str, value: Any) -> Any:
    from ccmtool.render import json_value

    return json_value(column, value)


def write_csv(names: list[str], rows: Iterable[Sequence[Any]], out: TextIO) -> None:
    """CSV with `render.flat_value` cells: csv writes None as empty already, so only a chunk
    holding lists (never one from SQLite) is converted cell by cell."""
    import csv

    from ccmtool.render import flat_value

    writer, it = csv.writer(out, lineterminator="\n"), iter(rows)
    writer.writerow(names)
    while chunk := list(itertools.islice(it, CHUNK)):
        if set(map(type, itertools.chain.from_iterable(chunk))) & {list, tuple}:
            chunk = [[flat_value(c, v) for c, v in zip(names, r, strict=True)] for r in chunk]
        writer.writerows(chunk)


def write_markdown(names: list[str], rows: Iterable[Sequence[Any]], out: TextIO) -> None:
    """A GitHub Markdown table, the text `render.markdown_table` gets from tabulate, in flat
    memory. tabulate strips cells and makes each column its widest cell or its header plus
    two; a table it would measure differently (terminal escapes, or wcwidth installed) is
    handed to tabulate whole, as before."""
    import operator

    import tabulate

    from ccmtool.render import _cell

    escape = operator.methodcaller("replace", "|", "\\|")
    n = len(names)
    widths = [len(h) + tabulate.MIN_PADDING for h in names]
    spool = _Spool(n)
    plain = not tabulate.WIDE_CHARS_MODE and "\x1b" not in "".join(names)
    it = iter(rows)
    while chunk := list(itertools.islice(it, CHUNK)):
        cells = _flat(chunk, n)
        for i in range(n):
            values = cells[i::n]
            col = _plain_column(values) or [_cell("", v, False) for v in values]
            joined = "".join(col)
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
    row = "| " + " | ".join(f"{{:<{w}}}" for w in widths) + " |"
    out.write(row.format(*names) + "\n|" + "|".join("-" * (w + 2) for w in widths) + "|\n")
    for cells in spool.chunks():
        out.write(_rows_format(row, len(cells) // n).format(*cells) + "\n")


def render(names: list[str], rows: Iterable[Sequence[Any]], fmt: str, out: TextIO) -> None:
    """A listing in `fmt`, as `render.render` writes it: streamed for CSV, JSON and a table
    with nothing to fit; the other formats (and a table fitted to a terminal) go there."""
    from ccmtool.render import options
    from ccmtool.render import render as render_all

    if fmt == "csv":
        write_csv(names, rows, out)
    elif fmt == "json":
        write_json(names, rows, out)
    elif fmt == "table" and (options.wide or options.width is None):
        if not write_table(names, rows, out):
            out.write("(no rows)\n")
    else:
        render_all(names, rows, fmt, out)
