"""What every command shares: its options, opening the database, checking the names a user
gives, and `show`, the one place where a listing meets --columns, --limit, --wide, the pager
and --format.

The shared options (--columns, --limit, --wide, --no-pager on every command with --format;
-q/--quiet on all) are not declared by each command: `CcmCommand` adds them when the CLI is
built, and `GlobalOptions` accepts them, with --db and --format, before the command name
(`ccm --db x.db info`). A command module declares only what is its own, calls `show`, and
gets all of this for free.
"""

from __future__ import annotations

import itertools
import operator
import sqlite3
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from typer import _click as click  # Typer vendors click: its classes, not the click package's
from typer._click.core import ParameterSource
from typer._click.types import IntRange
from typer.core import TyperCommand, TyperOption

from ccmtool import db, render
from ccmtool.cli.terminal import REGIONS, SUBREGIONS, Paged, completer, terminal_height
from ccmtool.errors import CcmError, UnknownStateError, UsageError
from ccmtool.render import check_format, footer

DbOption = Annotated[
    Optional[Path],  # noqa: UP045 - Typer needs Optional on Python 3.10's typing
    typer.Option(
        "--db",
        envvar="CCM_DB",
        metavar="FILE",
        help="Database file. Default: ccm.db in your data directory, made on first use.",
        show_default=False,
    ),
]
FormatOption = Annotated[
    str,
    typer.Option(
        "--format",
        "-f",
        metavar="FORMAT",
        help="table, csv, tsv, json, jsonl, markdown, or a tabulate format (grid, latex, html...).",
    ),
]


def say(message: str) -> None:
    """Messages are for people: stderr, so stdout stays data; `--quiet` silences them."""
    render.message(message)


_OPEN: list[sqlite3.Connection] = []
# The file this command works on, so a database error can name it.
current_path: list[Path] = []


def open_db(
    path: Path | None, *, readonly: bool = False, file_readonly: bool = False
) -> sqlite3.Connection:
    """Open the database for this command; it is closed when the command ends.

    Only the default path is created on first use: a --db or CCM_DB naming a file that does
    not exist is a mistake (a typo would otherwise give a script the built-in data instead
    of the user's own), and `ccm init` is how such a file is made.
    """
    current_path[:] = [path or db.default_path()]
    if path is not None and not path.exists():
        raise CcmError(f"no database at {path}; `ccm init --db {path}` creates one")
    conn = db.open_db(path, notify=say, readonly=readonly, file_readonly=file_readonly)
    _OPEN.append(conn)
    return conn


def close_all() -> None:
    """Close what this command opened: the last close checkpoints the WAL into the main
    file, so a copy of ccm.db alone is complete once ccm has exited or returned."""
    while _OPEN:
        _OPEN.pop().close()


class _Counted:
    """Rows passed through as they are written, counted (a cursor has no len). All in C:
    zip stops at the rows' end before taking a number, so the next number is the count."""

    def __init__(self, rows: Iterable[Sequence[Any]]) -> None:
        self.numbers = itertools.count()
        self.rows = map(operator.itemgetter(0), zip(rows, self.numbers, strict=False))

    def __iter__(self) -> Iterator[Sequence[Any]]:
        return self.rows

    @property
    def n(self) -> int:
        return next(self.numbers)


def show(
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    fmt: str,
    note: str | Callable[[int], str] | None = None,
) -> None:
    """Render one listing and its footer, with --columns, --limit and --wide applied.

    `rows` may be a cursor: it is streamed, never held; then `note` may be a function of
    the number of rows, called once they are all written."""
    counted = _Counted(rows) if callable(note) else None
    picked = render.select(columns, counted if counted is not None else rows)
    if picked is None:  # --columns names none of this listing's columns
        return
    names, kept, limited = picked
    from ccmtool.formats import render as write

    write(names, kept, fmt, sys.stdout)
    left_out = limited()
    said = note(counted.n) if counted is not None and callable(note) else note
    text = " ".join(n for n in (said, left_out) if isinstance(n, str) and n)
    if text:
        footer(text, fmt)


def examples(*lines: str) -> str:
    """An epilog of examples for a command's --help, kept as written (not re-wrapped)."""
    return "Examples:\n\n\b\n" + "\n".join(f"  {line}" for line in lines)


# --- names a user gives: checked, never silently matched to nothing -----------------------


def choice(value: str, choices: Sequence[str], what: str) -> str:
    """The choice `value` names (any case), or a usage error suggesting the closest."""
    for c in choices:
        if c.casefold() == value.strip().casefold():
            return c
    raise render.unknown(what, value, choices)


def region(value: str | None) -> str | None:
    """A UN region or sub-region, spelled as the states carry it."""
    if value is None:
        return None
    return choice(value, [*REGIONS, *SUBREGIONS], "region")


def date(value: str | None, option: str) -> str | None:
    """A partial ISO date for a filter; a malformed one is a usage error."""
    from ccmtool.dates import check_date

    if value is None:
        return None
    try:
        return check_date(value) or None
    except ValueError as exc:
        raise UsageError(f"{option}: {exc}") from None


def meeting(conn: sqlite3.Connection, name: str) -> str:
    """A meeting's slug from a slug, city or unique prefix; else a usage error that
    suggests the closest slug or city."""
    from ccmtool.facts import resolve_meeting

    try:
        return resolve_meeting(conn, name)
    except CcmError as exc:
        if "ambiguous" in exc.message:
            raise UsageError(exc.message) from None
        from ccmtool.queries import meetings

        columns, rows = meetings(conn)
        slug, city = columns.index("slug"), columns.index("city")
        known = [*(r[slug] for r in rows), *(r[city] for r in rows if r[city])]
        best = render.closest(name, known)
        hint = f"did you mean {best}? (`ccm meetings` lists them)" if best else ""
        raise UsageError(
            f"unknown meeting {name!r}; {hint or '`ccm meetings` lists them'}"
        ) from None


def instrument(conn: sqlite3.Connection, name: str) -> str:
    """An instrument's slug from its slug or a unique prefix; else a usage error."""
    from ccmtool.events import slugs
    from ccmtool.facts import resolve_instrument

    try:
        return resolve_instrument(conn, name)
    except CcmError as exc:
        if "ambiguous" in exc.message:
            raise UsageError(exc.message) from None
        raise render.unknown("instrument", name, sorted(slugs(conn, "instruments"))) from None


def state(conn: sqlite3.Connection, name: str) -> Any:
    """The state a name or code means; an unknown name is a usage error with suggestions."""
    from ccmtool.facts import find_state

    try:
        return find_state(conn, name)
    except UnknownStateError as exc:
        raise UsageError(exc.message) from None


# --- options every command shares ---------------------------------------------------------

_LISTING = (
    (
        "--columns",
        "columns",
        "COLUMNS",
        "Only these columns, in this order: a comma-separated list.",
    ),
    ("--limit", "limit", "N", "At most N rows."),
)
_LISTING_FLAGS = (
    ("--wide", "wide", "Do not fit the terminal: every cell and every source in full."),
    ("--no-pager", "no_pager", "Never page long output (at a terminal ccm uses $PAGER)."),
)
# Option metavars by option name, where the type alone would say little.
_METAVARS = {
    "since": "DATE",
    "until": "DATE",
    "date": "DATE",
    "start": "DATE",
    "end": "DATE",
    "as-of": "DATE",
    "attended": "MEETING",
    "not-attended": "MEETING",
    "absent": "MEETING",
    "meeting": "MEETING",
    "endorsed": "INSTRUMENT",
    "not-endorsed": "INSTRUMENT",
    "signed": "INSTRUMENT",
    "announced": "ACTION",
    "country": "STATE",
    "output": "FILE",
    "datapackage": "DIR",
    "timeout": "SECONDS",
}


def _listing_options(prefix: str) -> list[click.Parameter]:
    options: list[click.Parameter] = [
        TyperOption(
            param_decls=[flag, prefix + name],
            metavar=metavar,
            help=text,
            type=IntRange(min=0) if name == "limit" else None,
        )
        for flag, name, metavar, text in _LISTING
    ]
    options += [
        TyperOption(param_decls=[flag, prefix + name], is_flag=True, default=False, help=text)
        for flag, name, text in _LISTING_FLAGS
    ]
    return options


def _quiet(prefix: str) -> click.Parameter:
    return TyperOption(
        param_decls=["-q", "--quiet", prefix + "quiet"],
        is_flag=True,
        default=False,
        help="No messages on stderr (errors are still reported).",
    )


def _metavar(param: click.Parameter) -> str | None:
    """An upper-case metavar: the argument's name, or what the option's value is."""
    if param.param_type_name == "argument":
        return (param.name or "").upper()
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return None
    long = next((o for o in param.opts if o.startswith("--")), param.opts[0]).lstrip("-")
    if long in _METAVARS:
        return _METAVARS[long]
    kind = getattr(param.type, "name", "")
    if kind == "path":
        return "FILE"
    if kind in ("integer", "float") or kind.startswith(("integer", "float")):
        return "N"
    return long.upper().replace("-", "_")


def upper_metavars(params: list[click.Parameter]) -> None:
    for param in params:
        if param.metavar is None:
            param.metavar = _metavar(param)


# Commands with --format that write files, not one listing: --columns and --limit do not apply.
NOT_LISTINGS = {"export"}

# Values of the shared options given before the command name (`ccm --db x.db info`).
_BEFORE: dict[str, Any] = {}


def _stdout_is_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


class CcmCommand(TyperCommand):
    """A command with the shared options, upper-case metavars, and a usage line without
    Typer's braces; it applies the options, then runs the command (through the pager when
    a long listing goes to a terminal)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        taken = {o for p in self.params for o in getattr(p, "opts", ())}
        self.listing = "--format" in taken and self.name not in NOT_LISTINGS
        extra = _listing_options("shared_") if self.listing else []
        extra.append(_quiet("shared_"))
        self.params += [p for p in extra if not set(getattr(p, "opts", ())) & taken]
        upper_metavars(self.params)
        for param in self.params:
            if getattr(param, "_custom_shell_complete", None) is None and param.name:
                param._custom_shell_complete = completer(self.name or "", param.name)

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = param.metavar or (param.name or "").upper()
                if param.nargs != 1 and not name.endswith("..."):
                    name += "..."
                pieces.append(name if param.required else f"[{name}]")
        return pieces

    def invoke(self, ctx: click.Context) -> Any:
        opts = render.options
        mine = {
            k[len("shared_") :]: ctx.params.pop(k)
            for k in list(ctx.params)
            if k.startswith("shared_")
        }
        columns = mine.get("columns") or _BEFORE.get("columns")
        limit = mine.get("limit") if mine.get("limit") is not None else _BEFORE.get("limit")
        if (columns or limit is not None) and not self.listing:
            raise UsageError(
                f"`ccm {ctx.info_name}` lists nothing: --columns and --limit do not apply"
            )
        opts.columns = render.parse_columns(columns)
        opts.limit = limit
        opts.wide = bool(mine.get("wide") or _BEFORE.get("wide"))
        opts.pager = not (mine.get("no_pager") or _BEFORE.get("no_pager"))
        opts.quiet = bool(mine.get("quiet") or _BEFORE.get("quiet"))
        self._use_before(ctx, "--db", _BEFORE.get("db"))
        self._use_before(ctx, "--format", _BEFORE.get("format"))
        if not (self.listing and opts.pager and self._for_people(ctx) and _stdout_is_terminal()):
            result = super().invoke(ctx)
            render.check_columns_shown()
            return result
        real = sys.stdout
        paged = Paged(real, terminal_height())
        sys.stdout = paged
        try:
            result = super().invoke(ctx)
            render.check_columns_shown()
        finally:
            sys.stdout = real
            paged.finish()
        return result

    def _for_people(self, ctx: click.Context) -> bool:
        """Whether the listing is a table for people: only those are paged (their footer is
        on stdout too, so nothing on stderr can come out of order around the pager)."""
        param = next((p for p in self.params if "--format" in getattr(p, "opts", ())), None)
        return param is not None and ctx.params.get(param.name or "") in ("table", "chart")

    def _use_before(self, ctx: click.Context, flag: str, value: Any) -> None:
        """An option given before the command name, unless given after it too."""
        if value is None:
            return
        param = next((p for p in self.params if flag in getattr(p, "opts", ())), None)
        if param is None or param.name is None:
            raise UsageError(f"`ccm {ctx.info_name}` has no {flag} option")
        source = ctx.get_parameter_source(param.name)
        if source in (None, ParameterSource.DEFAULT, ParameterSource.ENVIRONMENT):
            ctx.params[param.name] = param.type_cast_value(ctx, value)


class GlobalOptions:
    """For the root group: --db, --format and the shared options before the command name."""

    params: list[click.Parameter]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params += [
            TyperOption(
                param_decls=["--db", "before_db"],
                metavar="FILE",
                help="Database file, for any command (also: after the command, or CCM_DB).",
            ),
            TyperOption(
                param_decls=["-f", "--format", "before_format"],
                metavar="FORMAT",
                help="Output format, for any listing (also: after the command).",
            ),
            *_listing_options("before_"),
            _quiet("before_"),
        ]

    def invoke(self, ctx: click.Context) -> Any:
        render.reset()
        _BEFORE.clear()
        for key in [k for k in ctx.params if k.startswith("before_")]:
            _BEFORE[key[len("before_") :]] = ctx.params.pop(key)
        return super().invoke(ctx)  # type: ignore[misc]


__all__ = [
    "CcmCommand",
    "DbOption",
    "FormatOption",
    "GlobalOptions",
    "check_format",
    "choice",
    "date",
    "examples",
    "instrument",
    "meeting",
    "open_db",
    "region",
    "say",
    "show",
    "state",
]
