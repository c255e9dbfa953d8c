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
import operator
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
    """What the table needs from every row: column widths, right alignment, and whether a
    column is a bar (`ccm stats`); `compact` shows sources as a site and a count, as a
    table fitted to a terminal does."""

    def __init__(self, names: list[str], compact: bool = False) -> None:
        from ccmtool.render import SOURCES, width

        self.n = len(names)
        self.natural = [width(h) for h in names]
        self.cells = [0] * self.n  # the widest cell, header left out (a bar is scaled by it)
        self.numbers = [True] * self.n  # every value a number or nothing, so far
        self.any_number = [False] * self.n
        self.bars = [True] * self.n  # every cell a bar of '#' and '.', so far
        self.any_text = [False] * self.n
        self.compact = {i for i, name in enumerate(names) if compact and name == SOURCES}
        self.short: dict[str, str] = {}  # compact sources by value: sites repeat

    def add(self, rows: list[Sequence[Any]]) -> list[str]:
        """The chunk's cells as text (see _flat), measured."""
        from ccmtool.render import _BAR, SOURCES, _cell, _is_number, width

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
            if i in self.compact:
                short = self.short
                col = [
                    _cell(SOURCES, v, True)
                    if type(v) is not str
                    else short[v]
                    if v in short
                    else short.setdefault(v, _cell(SOURCES, v, True))
                    for v in values
                ]
                if len(short) > CHUNK:
                    short.clear()
                flat[i :: self.n] = col
            elif (plain := _plain_column(values)) is not None:
                col = plain
            else:
                col = [_cell("", v, False) for v in values]
                flat[i :: self.n] = col
            if _narrow("".join(col)):
                longest = max(map(len, col), default=0)
            else:
                longest = max(map(width, col), default=0)
            self.cells[i] = max(self.cells[i], longest)
            self.natural[i] = max(self.natural[i], longest)
            if self.bars[i]:
                self.bars[i] = all(map(_BAR.fullmatch, col))
                self.any_text[i] = self.any_text[i] or any(col)
        return flat

    def right(self) -> list[bool]:
        return [a and b for a, b in zip(self.numbers, self.any_number, strict=True)]

    def bar(self) -> list[bool]:
        return [a and b for a, b in zip(self.bars, self.any_text, strict=True)]


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


def write_table(
    names: list[str], rows: Iterable[Sequence[Any]], out: TextIO, room: int | None = None
) -> bool:
    """A `table` from any iterable of rows, the text `render.table_text` gives: with nothing
    cut (room None), or fitted to `room` columns with compact sources. False when there were
    no rows (the caller writes '(no rows)')."""
    from ccmtool.render import GAP, cut, fit_widths, pad

    stats = _Stats(names, compact=room is not None)
    spool = _Spool(len(names))
    it = iter(rows)
    while chunk := list(itertools.islice(it, CHUNK)):
        spool.put(stats.add(chunk))
    if not spool.count:
        return False
    widths, right = fit_widths(names, stats.natural, room), stats.right()
    lines = [
        GAP.join(pad(cut(h, w), w, r) for h, w, r in zip(names, widths, right, strict=True)),
        GAP.join("-" * w for w in widths),
    ]
    # A table with more columns than the screen has room for is cut line by line, last.
    overflow = room is not None and sum(widths) + len(GAP) * (len(widths) - 1) > room
    out.write(_lines(lines, room if overflow else None) + "\n")
    # Unfitted, a bar (`ccm stats`) is padded like any cell: render.draw scales none. The
    # last column is not padded (a line ends with its last cell), unless right-aligned.
    row = GAP.join(
        "{}" if not w or (i == len(widths) - 1 and not r) else f"{{:{'>' if r else '<'}{w}}}"
        for i, (w, r) in enumerate(zip(widths, right, strict=True))
    )
    n = len(names)
    fits = [
        _Fit(names[i], widths[i], stats.cells[i], room is not None and bar)
        for i, bar in enumerate(stats.bar())
    ]
    for cells in spool.chunks():
        for i, fit in enumerate(fits):
            if fit.needed:
                cells[i::n] = fit(cells[i::n])
        # A chunk at a time, in one str.format call and one write. str.format pads by
        # characters, which is by columns while every character takes one; a line where
        # one may not is padded by width.
        block = _rows_format(row, len(cells) // n).format(*cells)
        if not _narrow(block):
            lines = block.split("\n")
            for k, line in enumerate(lines):
                if not _narrow(line):
                    padded = zip(cells[k * n : k * n + n], widths, right, strict=True)
                    lines[k] = GAP.join(pad(c, w, r) for c, w, r in padded).rstrip()
            block = "\n".join(lines)
        if overflow or _blank_ends(cells[n - 1 :: n]):
            block = _lines(block.split("\n"), room if overflow else None)
        out.write(block + "\n")
    return True


def _blank_ends(last: list[str]) -> bool:
    """Whether a line may end in blanks: a last cell that is empty (the cells before it
    are padded) or ends in whitespace. Checked by C-level calls, a chunk at a time."""
    return "" in last or any(map(str.isspace, map(operator.itemgetter(-1), last)))


def _lines(lines: list[str], room: int | None) -> str:
    """Lines stripped of trailing blanks; cut to `room` when given."""
    from ccmtool.render import cut

    stripped: Iterable[str] = map(str.rstrip, lines)
    if room is not None:
        stripped = [cut(line, room) for line in stripped]
    return "\n".join(stripped)


class _Fit:
    """What fitting does to one column's cells: a bar scaled to its width, a cell wider
    than its column cut with '...' (sources keeping their '+2'); nothing when it fits."""

    def __init__(self, name: str, width: int, widest: int, bar: bool) -> None:
        from ccmtool.render import ELLIPSIS, SOURCES

        self.width, self.widest, self.bar = width, widest, bar
        self.sources = name == SOURCES
        self.needed = widest > width
        self.mark = ELLIPSIS[:width]
        self.keep = max(width - len(self.mark), 0)

    def __call__(self, col: list[str]) -> list[str]:
        from ccmtool.render import _scale_bar, cut, cut_sources

        w = self.width
        if self.bar:
            return [_scale_bar(c, w, self.widest) for c in col]
        if self.sources:  # a site and a count: few distinct values
            memo: dict[str, str] = {}
            return [
                c
                if len(c) <= w and c.isascii()
                else memo[c]
                if c in memo
                else memo.setdefault(c, cut_sources(c, w))
                for c in col
            ]
        if w > 0 and _narrow("".join(col)):
            keep, mark = self.keep, self.mark
            return [c if len(c) <= w else c[:keep].rstrip() + mark for c in col]
        return [cut(c, w) for c in col]


@functools.lru_cache(maxsize=4)
def _rows_format(row: str, count: int, between: str = "\n") -> str:
    """The format of `count` lines of `row`: a chunk of cells is formatted in one call."""
    return between.join([row] * count)


def write_json(names: list[str], rows: Iterable[Sequence[Any]], out: TextIO) -> None:
    """A JSON array of one object per row, indented by 2, byte for byte what
    `json.dumps([render.json_value...], ensure_ascii=False, indent=2)` writes."""
    first = True
    for objects in _json_objects(names, rows, indent=True):
        out.write(("[\n  " if first else ",\n  ") + objects)
        first = False
    out.write("[]\n" if first else "\n]\n")


def write_jsonl(names: list[str], rows: Iterable[Sequence[Any]], out: TextIO) -> None:
    """One JSON object per line, what `json.dumps(record, ensure_ascii=False)` writes for
    each row (render.render)."""
    for objects in _json_objects(names, rows, indent=False):
        out.write(objects + "\n")


def _json_objects(names: list[str], rows: Iterable[Sequence[Any]], indent: bool) -> Iterator[str]:
    """Each chunk of rows as JSON objects laid out as json.dumps lays them out (indented as
    members of an array, or one to a line) and joined as write_json or write_jsonl joins
    them. json's indenting encoder is pure Python; here a chunk's values are encoded in one
    call to the C encoder, with a NUL between them (JSON escapes every NUL inside a
    string), and laid out by one str.format. `sources` becomes a list."""
    import json

    from ccmtool.model import SOURCE_SEPARATOR
    from ccmtool.render import SOURCES, source_list

    encode = json.JSONEncoder(ensure_ascii=False, separators=("\x00", ":")).encode
    text = json.JSONEncoder(ensure_ascii=False).encode
    n = len(names)
    keys = [text(str(name)).replace("{", "{{").replace("}", "}}") + ": {}" for name in names]
    if indent:
        row, between = "{{\n    " + ",\n    ".join(keys) + "\n  }}", ",\n  "
        opened, listed, closed = "[\n      ", ",\n      ", "\n    ]"
    else:
        row, between = "{{" + ", ".join(keys) + "}}", "\n"
        opened, listed, closed = "[", ", ", "]"
    if not n:
        row = "{{}}"
    at = names.index(SOURCES) if SOURCES in names else -1
    it = iter(rows)
    while chunk := list(itertools.islice(it, CHUNK)):
        flat = _flat(chunk, n)
        if set(map(type, flat)) & {list, tuple, dict}:  # not from SQLite: the slow way
            records = [{c: _json_value(c, v) for c, v in zip(names, r, strict=True)} for r in chunk]
            if indent:
                dumped = [json.dumps(r, ensure_ascii=False, indent=2) for r in records]
                yield between.join(d.replace("\n", "\n  ") for d in dumped)
            else:
                yield between.join(json.dumps(r, ensure_ascii=False) for r in records)
            continue
        parts = encode(flat)[1:-1].split("\x00") if flat else []
        for k in range(at, len(parts), n) if at >= 0 else ():
            raw = flat[k]
            if type(raw) is str and raw and SOURCE_SEPARATOR not in raw and raw.strip() == raw:
                parts[k] = opened + parts[k] + closed  # one source: the usual case
            else:
                items = [text(s) for s in source_list(raw)]
                parts[k] = opened + listed.join(items) + closed if items else "[]"
        yield _rows_format(row, len(chunk), between).format(*parts)


def write_tsv(names: list[str], rows: Iterable[Sequence[Any]], out: TextIO) -> None:
    """Tab-separated values as render.render writes them (`render.tsv_cell` escapes), a
    column of a chunk at a time: only a column holding something to escape, or not text,
    is converted cell by cell."""
    from ccmtool.render import flat_value, tsv_cell

    n = len(names)
    out.write("\t".join(tsv_cell(c) for c in names) + "\n")
    line = "\t".join(["{}"] * n)
    it = iter(rows)
    while chunk := list(itertools.islice(it, CHUNK)):
        cells = _flat(chunk, n)
        for i in range(n):
            values = cells[i::n]
            if set(map(type, values)) == {str}:
                joined = "".join(values)
                if not any(ch in joined for ch in "\\\t\n\r"):
                    continue
            name = names[i]
            cells[i::n] = [tsv_cell(flat_value(name, v)) for v in values]
        out.write(_rows_format(line, len(chunk)).format(*cells) + "\n")


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
    """A GitHub Markdown table, the text `render.table` gets from tabulate, in flat
    memory. tabulate strips cells and makes each column its widest cell or its header plus
    two; a table it would measure differently (terminal escapes, or wcwidth installed) is
    handed to tabulate whole, as before."""
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
        if not write_table(names, rows, out, None if options.wide else options.width):
            out.write("(no rows)\n")
    else:
        render_all(names, rows, fmt, out)
