"""Every listing's output: a table for people, CSV / TSV / JSON for programs, or a document
format (Markdown, LaTeX, HTML... through tabulate).

- `table` is for a person at a terminal: it fits the terminal's width (or COLUMNS), cutting
  long cells with '...', and shows sources compactly (the first site and how many more). With
  no terminal and no COLUMNS (a pipe, a file) or with `--wide`, nothing is cut.
- Machine formats carry raw values: ISO dates, numbers as numbers, null for nothing, and
  `sources` as a list in JSON (joined with ' | ' in CSV and TSV, as in the data contract).
- Data goes to stdout. Footers (counts, notes on partial data) follow a `table` on stdout;
  for every other format they go to stderr, so `ccm ... --format X > file` stays clean.

`options` holds the shared command-line options (--columns, --limit, --wide, --no-pager,
--quiet); the CLI sets them once per command, and `show` in cli/common.py applies them
(the pager itself is in cli/terminal.py).
"""

from __future__ import annotations

import itertools
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TextIO

from ccmtool.errors import UsageError

MACHINE_FORMATS = ("csv", "tsv", "json", "jsonl")
FORMATS = ("table", *MACHINE_FORMATS, "markdown")
# Our names for tabulate styles; any other tabulate format name is passed through.
_ALIASES = {"markdown": "github"}
SOURCES = "sources"  # a column of citations joined with ' | '
# The mark of a cut cell: three dots, not '…'. A terminal (or tmux, or a tool counting
# bytes) that does not take '…' as UTF-8 draws its three bytes as three cells, and a line
# fitted to 80 columns overflows to 82; three dots are three cells everywhere.
ELLIPSIS = "..."


GAP = "  "  # between the columns of a table
_BAR = re.compile(r"#*\.*")  # a cell of a plain-text bar chart (`ccm stats`)


class Options:
    """The shared options of one command run, and what its listings have shown so far.

    A plain class, not a dataclass: importing dataclasses costs every command start-up.
    """

    def __init__(self) -> None:
        self.columns: list[str] | None = None
        self.limit: int | None = None
        self.wide = False
        self.pager = True
        self.quiet = False
        # Columns to fit tables to; None: do not fit. Set by the CLI before output is captured.
        self.width: int | None = None
        # The column lists of every listing offered, and how many were shown (for --columns).
        self.offered: list[list[str]] = []
        self.shown = 0


options = Options()


def reset() -> Options:
    """Fresh options for a new command (tests run many commands in one process); changed
    in place, so every module that imported `options` sees the new values."""
    fresh = Options()
    fresh.width = terminal_width()
    options.__dict__.update(fresh.__dict__)
    return options


def terminal_width() -> int | None:
    """COLUMNS if set, else the terminal's width when stdout is one, else None (no fitting)."""
    env = os.environ.get("COLUMNS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        if sys.stdout.isatty():
            return os.get_terminal_size(sys.stdout.fileno()).columns or None
    except (OSError, ValueError, AttributeError):
        pass
    return None


# --- names the user gives -----------------------------------------------------------------


def closest(value: str, choices: Sequence[str]) -> str | None:
    """The choice a mistyped value most likely meant, if any is close (case-insensitive)."""
    import difflib

    # A slug is also known by its first words ('wellington' for wellington-declaration).
    lowered: dict[str, str] = {}
    for c in choices:
        words = c.casefold().split("-")
        for n in range(len(words), 0, -1):
            lowered.setdefault("-".join(words[:n]), c)
    hit = difflib.get_close_matches(value.casefold(), list(lowered), n=1, cutoff=0.6)
    return lowered[hit[0]] if hit else None


def unknown(what: str, value: str, choices: Sequence[str]) -> UsageError:
    """'unknown region 'Eurpoe'; did you mean Europe?' (or the choices, when none is close)."""
    best = closest(value, choices)
    if best is not None:
        return UsageError(f"unknown {what} {value!r}; did you mean {best}?")
    return UsageError(f"unknown {what} {value!r}; choose one of {', '.join(choices)}")


def check_format(fmt: str) -> str:
    """Reject an unknown format before any work is done (exit 2, bad usage)."""
    if fmt in FORMATS or fmt in _ALIASES:
        return fmt
    import tabulate

    if fmt not in tabulate.tabulate_formats:
        others = sorted(set(tabulate.tabulate_formats) - set(FORMATS))
        best = closest(fmt, [*FORMATS, *others])
        if best is not None:
            raise UsageError(f"unknown format {fmt!r}; did you mean {best}?")
        raise UsageError(
            f"unknown format {fmt!r}; choose {', '.join(FORMATS)},"
            f" or a tabulate format ({', '.join(others)})"
        )
    return fmt


# --- text width ---------------------------------------------------------------------------


def char_width(ch: str) -> int:
    if unicodedata.combining(ch) or ch in "\u200b\u200c\u200d\ufeff":
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def width(text: str) -> int:
    """Columns a string takes in a terminal (CJK characters take two)."""
    if text.isascii():
        return len(text)
    return sum(char_width(ch) for ch in text)


def cut(text: str, room: int) -> str:
    """The text, or as much as fits in `room` columns followed by '...'."""
    if (len(text) if text.isascii() else width(text)) <= room:
        return text
    if room <= 0:
        return ""
    mark = ELLIPSIS[:room]
    if text.isascii():  # every character one column
        return text[: room - len(mark)].rstrip() + mark
    out, used = [], 0
    for ch in text:
        w = char_width(ch)
        if used + w > room - len(mark):
            break
        out.append(ch)
        used += w
    return "".join(out).rstrip() + mark


def cut_sources(text: str, room: int) -> str:
    """A compact sources cell cut to fit, keeping how many more there are ('icbl... +2')."""
    if " +" not in text:
        return cut(text, room)
    more = re.fullmatch(r"(.*)( \+\d+)", text)
    if more is None or width(text) <= room or room < len(more[2]) + 2:
        return cut(text, room)
    return cut(more[1], room - len(more[2])) + more[2]


def pad(text: str, room: int, right: bool = False) -> str:
    space = " " * max(room - width(text), 0)
    return space + text if right else text + space


# --- sources ------------------------------------------------------------------------------


def source_list(value: Any) -> list[str]:
    """Sources as a list, from a list or from text joined with ' | '."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    from ccmtool.model import split_sources

    return split_sources(str(value))


_DOMAIN = re.compile(r"\(((?:[a-z0-9-]+\.)+[a-z]{2,})\)", re.I)


def short_source(source: str) -> str:
    """A source in a few characters: a URL's host, a citation's named site or its author."""
    text = source.strip()
    if "://" in text:
        host = text.split("://", 1)[1].split("/", 1)[0].split("?", 1)[0].lower()
        return host.removeprefix("www.")
    named = _DOMAIN.search(text)
    if named:
        return named.group(1).lower().removeprefix("www.")
    return re.split(r",|\s\(", text, maxsplit=1)[0].strip()


def compact_sources(value: Any) -> str:
    """'icbl.org +2': the first source's site and how many more there are."""
    items = source_list(value)
    if not items:
        return ""
    more = f" +{len(items) - 1}" if len(items) > 1 else ""
    return short_source(items[0]) + more


# --- fitting a table to the terminal ------------------------------------------------------


def _is_bar(cells: list[str]) -> bool:
    return any(cells) and all(_BAR.fullmatch(c) for c in cells)


def _scale_bar(bar: str, room: int, natural: int) -> str:
    """A bar drawn `natural` wide, redrawn at most `room` wide: scaled, never cut."""
    if natural <= room or natural == 0:
        return bar
    factor = room / natural
    filled = bar.count("#")
    total = len(bar)
    hashes = max(round(filled * factor), 1 if filled else 0)
    return "#" * hashes + "." * max(round(total * factor) - hashes, 0)


def column_widths(headers: list[str], columns: list[list[str]], room: int | None) -> list[int]:
    """Each column's width so the table fits `room` (None: natural widths)."""
    natural = [
        max([width(h), *(width(c) for c in col)]) for h, col in zip(headers, columns, strict=True)
    ]
    return fit_widths(headers, natural, room)


def fit_widths(headers: list[str], natural: list[int], room: int | None) -> list[int]:
    """The widths of columns `natural` wide (their header included) fitted to `room`.

    Short columns (ids, codes, dates: up to 10 wide) keep their width; the others shrink
    from the widest down (a shared cap), never below their header unless nothing else fits.
    Only the widths are needed, so a streamed table (stream.write_table) fits the same way.
    """
    if room is None:
        return natural
    avail = room - len(GAP) * (len(headers) - 1)
    if sum(natural) <= avail:
        return natural
    # The least each column keeps, from the most generous choice down to the first that fits:
    # short columns whole and long ones their header; then long ones 6 wide; then all 3.
    for floors in (
        [n if n <= 10 else min(n, max(width(h), 6)) for h, n in zip(headers, natural, strict=True)],
        [n if n <= 10 else 6 for n in natural],
        [min(n, 3) for n in natural],
    ):
        if sum(floors) <= avail:
            break

    def total(cap: int) -> int:
        return sum(min(n, max(cap, f)) for n, f in zip(natural, floors, strict=True))

    cap = 0
    while cap < max(natural) and total(cap + 1) <= avail:
        cap += 1
    widths = [min(n, max(cap, f)) for n, f in zip(natural, floors, strict=True)]
    spare = avail - sum(widths)
    for i, n in enumerate(natural):  # leftover columns go to the cut columns, left first
        if spare <= 0:
            break
        if widths[i] < n:
            widths[i] += 1
            spare -= 1
    return widths


def draw(headers: list[str], rows: list[list[str]], room: int | None, right: list[bool]) -> str:
    """A plain table: header, a rule of dashes, rows; two spaces between columns."""
    columns = [list(col) for col in zip(*rows, strict=True)] if rows else [[] for _ in headers]
    bars = [_is_bar(col) for col in columns]
    widths = column_widths(headers, columns, room)
    natural = [max([0, *(width(c) for c in col)]) for col in columns]
    lines = [
        GAP.join(pad(cut(h, w), w, r) for h, w, r in zip(headers, widths, right, strict=True)),
        GAP.join("-" * w for w in widths),
    ]
    for row in rows:
        cells = [
            _scale_bar(c, w, n) if bar else cut_sources(c, w) if h == SOURCES else cut(c, w)
            for h, c, w, n, bar in zip(headers, row, widths, natural, bars, strict=True)
        ]
        lines.append(GAP.join(pad(c, w, r) for c, w, r in zip(cells, widths, right, strict=True)))
    lines = [line.rstrip() for line in lines]
    if room is not None:  # last resort, for tables with more columns than the screen
        lines = [cut(line, room) for line in lines]
    return "\n".join(lines)


def _cell(column: str, value: Any, compact: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = " | ".join(str(v) for v in value)
    text = compact_sources(value) if compact and column == SOURCES else str(value)
    if "\n" in text or "\t" in text or "\r" in text:
        text = " ".join(text.split())
    return text


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def table_text(columns: Sequence[str], rows: Sequence[Sequence[Any]], room: int | None) -> str:
    """The `table` format: fitted to `room` columns with compact sources, or in full."""
    if not rows:
        return "(no rows)"
    compact = room is not None
    cells = [[_cell(c, v, compact) for c, v in zip(columns, row, strict=True)] for row in rows]
    right = [
        all(_is_number(r[i]) or r[i] in (None, "") for r in rows)
        and any(_is_number(r[i]) for r in rows)
        for i in range(len(columns))
    ]
    return draw([str(c) for c in columns], cells, room, right)


# --- machine formats ----------------------------------------------------------------------


def json_value(column: str, value: Any) -> Any:
    if column == SOURCES:
        return source_list(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def flat_value(column: str, value: Any) -> Any:
    """A value for a CSV or TSV cell: nothing is empty, several sources joined with ' | '."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return " | ".join(str(v) for v in value)
    return value


def tsv_cell(value: Any) -> str:
    """TSV has no quoting: tab, newline, carriage return and backslash are escaped."""
    text = str(value)
    if any(ch in text for ch in "\\\t\n\r"):
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def render(
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    fmt: str = "table",
    out: TextIO | None = None,
) -> None:
    """Every format, holding every row. Listings go through formats.render, which streams
    all but the other tabulate formats and sends those here; the rest of this is the text
    the streamed writers are tested against (tests/test_scale_shapes.py)."""
    out = out or sys.stdout
    names = [str(c) for c in columns]
    if fmt == "csv":
        from ccmtool.csvtext import Writer

        writer = Writer(out)
        writer.writerow(names)
        writer.writerows(
            [flat_value(c, v) for c, v in zip(names, row, strict=True)] for row in rows
        )
    elif fmt == "tsv":
        out.write("\t".join(tsv_cell(c) for c in names) + "\n")
        for row in rows:
            out.write(
                "\t".join(tsv_cell(flat_value(c, v)) for c, v in zip(names, row, strict=True))
                + "\n"
            )
    elif fmt in ("json", "jsonl"):
        import json

        records = [{c: json_value(c, v) for c, v in zip(names, row, strict=True)} for row in rows]
        if fmt == "json":
            out.write(json.dumps(records, ensure_ascii=False, indent=2) + "\n")
        else:
            out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    elif fmt == "table":
        room = None if options.wide else options.width
        out.write(table_text(names, list(rows), room) + "\n")
    else:
        out.write(table(names, list(rows), _ALIASES.get(fmt, fmt)) + "\n")


def table(columns: Sequence[str], rows: Sequence[Sequence[Any]], style: str = "simple") -> str:
    """A document-format table (Markdown, LaTeX, HTML, grid...), every value in full."""
    from tabulate import tabulate

    if not rows:
        return "(no rows)"
    cells = [[_cell(c, v, False) for c, v in zip(columns, row, strict=True)] for row in rows]
    if style in ("github", "pipe"):
        # ' | ' separates sources; unescaped, it would split a Markdown cell in two.
        cells = [[v.replace("|", "\\|") for v in r] for r in cells]
    return tabulate(cells, headers=list(columns), tablefmt=style, disable_numparse=True)


# --- footers and messages -----------------------------------------------------------------


def message(text: str) -> None:
    """A line for people on stderr; `--quiet` silences it (errors are never silenced)."""
    if not options.quiet:
        print(text, file=sys.stderr)


def footer(text: str, fmt: str) -> None:
    """A summary line: under a `table` on stdout, or on stderr for every other format."""
    if fmt != "table":
        message(text)
        return
    room = None if options.wide else options.width
    if room is not None and width(text) > room:
        import textwrap

        text = "\n".join(textwrap.wrap(text, room, break_on_hyphens=False))
    print(f"\n{text}")


# --- --columns and --limit ----------------------------------------------------------------


def _key(name: str) -> str:
    return re.sub(r"[\s_-]+", " ", name).strip().casefold()


def select(
    columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> tuple[list[str], Iterable[Sequence[Any]], Callable[[], str | None]] | None:
    """Apply --columns and --limit to one listing: its columns, rows (streamed when `rows`
    is an iterator) and a function giving the note on what was left out, to call once the
    rows are written; None when --columns names none of its columns (a command may print
    several listings, as `ccm state` does: those without the columns asked for are skipped)."""
    names = [str(c) for c in columns]
    picked_rows: Iterable[Sequence[Any]] = rows
    if options.columns:
        options.offered.append(names)
        index = {_key(c): i for i, c in enumerate(names)}
        wanted = [_key(c) for c in options.columns]
        if not any(k in index for k in wanted):
            return None
        missing = [c for c, k in zip(options.columns, wanted, strict=True) if k not in index]
        if missing:
            raise unknown("column", missing[0], names)
        keep = [index[k] for k in wanted]
        names = [names[i] for i in keep]
        picked_rows = (tuple(row[i] for i in keep) for row in picked_rows)
    options.shown += 1
    if options.limit is None:
        return names, picked_rows, lambda: None
    limit = options.limit
    it: Iterator[Sequence[Any]] = iter(picked_rows)
    head = list(itertools.islice(it, limit))

    def note() -> str | None:
        rest = sum(1 for _ in it)  # the rows left out: counted, never held
        return f"(showing the first {limit} of {limit + rest} rows: --limit)" if rest else None

    return names, head, note


def check_columns_shown() -> None:
    """After a command: --columns that matched no listing at all is a usage error."""
    if options.columns and options.offered and not options.shown:
        every = list(dict.fromkeys(c for cols in options.offered for c in cols))
        raise unknown("column", options.columns[0], every)


def parse_columns(text: str | None) -> list[str] | None:
    if text is None:
        return None
    names = [c.strip() for c in text.split(",") if c.strip()]
    if not names:
        raise UsageError("--columns: give column names separated by commas, e.g. state,code")
    return names
