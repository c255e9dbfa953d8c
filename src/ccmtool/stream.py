"""Tables of any length in flat memory, written from an iterator of rows (a database
cursor) without holding them all, and the chunks of rows every streamed format reads
(`formats` has the others: CSV, TSV, JSON, JSON Lines, Markdown).

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
from typing import Any, BinaryIO, TextIO

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


def _plain_text(values: list[Any], kinds: set[type]) -> str | None:
    """A column's cells joined, when each is text with no line break or tab (`kinds`, the
    types of the values): then each is its own cell as `render._cell` gives it, the common
    case, done without a Python call per cell. The joined text is measured too (_narrow)."""
    if kinds != {str}:
        return None
    joined = "".join(values)
    if "\n" in joined or "\t" in joined or "\r" in joined:
        return None
    return joined


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

        n = self.n
        flat = _flat(rows, n)
        for i in range(n):
            values = flat[i::n]
            kinds = set(map(type, values))
            joined: str | None = None
            if self.numbers[i] and kinds <= {str, type(None)}:
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
                flat[i::n] = col
            elif (joined := _plain_text(values, kinds)) is not None:
                col = values
            else:
                col = [_cell("", v, False) for v in values]
                flat[i::n] = col
            text = "".join(col) if joined is None else joined
            if _narrow(text):
                longest = max(map(len, col), default=0)
            else:
                longest = max(map(width, col), default=0)
            self.cells[i] = max(self.cells[i], longest)
            self.natural[i] = max(self.natural[i], longest)
            if self.bars[i] and text:  # a chunk of empty cells changes neither
                self.bars[i] = all(map(_BAR.fullmatch, col))
                self.any_text[i] = self.any_text[i] or any(col)
        return flat

    def right(self) -> list[bool]:
        return [a and b for a, b in zip(self.numbers, self.any_number, strict=True)]

    def bar(self) -> list[bool]:
        return [a and b for a, b in zip(self.bars, self.any_text, strict=True)]


class _Spool:
    """Chunks of cells (see _flat) set aside until the widths are known: the first in
    memory, the rest as UTF-8 in an anonymous temporary file, one block per chunk, its cells
    split by a character found in none of them (NUL, nearly always). A block is written and
    read back in one call, and encoded by ccm: reading millions of lines one by one,
    unpickling small strings or a text file's read(n) characters is not fast."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.first: list[str] | None = None
        self.file: BinaryIO | None = None
        self.blocks: list[tuple[str, int]] = []  # (separator, bytes) of each block
        self.count = 0

    def put(self, cells: list[str]) -> None:
        self.count += 1
        if self.first is None:
            self.first = cells
            return
        if self.file is None:
            import tempfile  # only for a table of more than one chunk: start-up stays light

            # Closed when read back, or with the process: no context manager can span both.
            self.file = tempfile.TemporaryFile()  # noqa: SIM115
        sep, block = "\x00", "\x00".join(cells)
        if block.count(sep) != len(cells) - 1:  # a cell holds a NUL: another separator
            text = "".join(cells)
            sep = next(c for c in _separators() if c not in text)
            block = sep.join(cells)
        data = block.encode("utf-8", "surrogatepass")
        self.file.write(data)
        self.blocks.append((sep, len(data)))

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
                yield self.file.read(size).decode("utf-8", "surrogatepass").split(sep)
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
        "%s" if not w or (i == len(widths) - 1 and not r) else f"%{'' if r else '-'}{w}s"
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
        # A chunk at a time, in one %-format (faster than str.format) and one write of
        # text that ends in its line break (adding one would copy it). % pads by
        # characters, which is by columns while every character takes one; a line where
        # one may not is padded by width.
        block = _rows_format(row, len(cells) // n) % tuple(cells)
        if not _narrow(block):
            lines = block.split("\n")
            for k, line in enumerate(lines[:-1]):
                if not _narrow(line):
                    padded = zip(cells[k * n : k * n + n], widths, right, strict=True)
                    lines[k] = GAP.join(pad(c, w, r) for c, w, r in padded).rstrip()
            block = "\n".join(lines)
        if overflow or _blank_ends(cells[n - 1 :: n]):
            block = _lines(block[:-1].split("\n"), room if overflow else None) + "\n"
        out.write(block)
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
        if self.sources:  # a site and a count: few distinct values, each cut once
            memo = {c: c if len(c) <= w and c.isascii() else cut_sources(c, w) for c in set(col)}
            return list(map(memo.__getitem__, col))
        if w > 0 and _narrow("".join(col)):
            # c[:keep].rstrip() + mark where c is too long, by C-level calls mapped over
            # the column (a comprehension doing it took 0.6 s in ccm actions at 500k facts)
            lengths = list(map(len, col))
            if max(lengths, default=0) <= w:
                return col
            heads = map(str.__getitem__, col, itertools.repeat(slice(self.keep)))
            cuts = map(operator.add, map(str.rstrip, heads), itertools.repeat(self.mark))
            if min(lengths) > w:
                return list(cuts)
            return [c if n <= w else x for c, n, x in zip(col, lengths, cuts, strict=True)]
        return [cut(c, w) for c in col]


@functools.lru_cache(maxsize=4)
def _rows_format(row: str, count: int, between: str = "\n", end: str = "\n") -> str:
    """The format of `count` lines of `row`: a chunk of cells is formatted in one call.
    It ends with `end`, so that the chunk is written as formatted (text + "\n" copies
    it: a fifth of a long table's writing)."""
    return between.join([row] * count) + end
