"""`ccm add-state`, `ccm add-meeting`, `ccm add-instrument`."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable
from typing import Any, Optional

import typer

from ccmtool import contract
from ccmtool.cli import common
from ccmtool.cli.base import app
from ccmtool.cli.common import DbOption, examples, open_db, say
from ccmtool.contract import FieldError
from ccmtool.db import transaction
from ccmtool.errors import UnknownStateError, UsageError
from ccmtool.facts import add_state as core_add_state
from ccmtool.facts import ensure_state, put_instrument, put_meeting
from ccmtool.model import INSTRUMENT_KINDS, MEETING_KINDS, join_sources, split_sources


@app.command(
    "add-state",
    epilog=examples(
        'ccm add-state "Ivory Coast"',
        "ccm add-state Hungry --code HUN     # accept a spelling as an alias",
        "ccm add-state Kosovo --code XKX --alias Kosova",
    ),
)
def add_state(
    name: str = typer.Argument(..., help="A name (UN, ISO or common) or an ISO code."),
    code: Optional[str] = typer.Option(  # noqa: UP045
        None, "--code", help="The ISO alpha-3 code; an unmatched NAME becomes its alias."
    ),
    alias: list[str] = typer.Option([], "--alias", help="Another spelling for this state."),
    db_path: DbOption = None,
) -> None:
    """Add a state. Names must match exactly; a near miss is refused with suggestions."""
    conn = open_db(db_path)
    try:
        with transaction(conn):
            state, added, aliases = core_add_state(conn, name, code, tuple(alias))
    except UnknownStateError as exc:
        if not (exc.suggestions and sys.stdin.isatty() and sys.stderr.isatty()):
            hint = ""
            if exc.suggestions:
                hint = f" (to accept it: --code {exc.suggestions[0][1]})"
            raise UsageError(exc.message + hint) from None
        guess_name, guess_code = exc.suggestions[0]
        if not typer.confirm(
            f"{name!r} is not a known name. Did you mean {guess_name} ({guess_code})?", err=True
        ):
            raise UsageError(exc.message) from None
        with transaction(conn):
            state, added, aliases = core_add_state(conn, name, guess_code, tuple(alias))
    verb = "added" if added else "already known:"
    say(f"{verb} {state.name} ({state.code}), {state.region} / {state.subregion}")
    for spelling in aliases:
        say(f"alias {spelling!r} now names {state.code}")


def _checked(check: Callable[..., Any], *args: Any) -> Any:
    """Run a data-contract check (the importer runs the same ones), as a usage error."""
    try:
        return check(*args)
    except FieldError as exc:
        raise UsageError(str(exc)) from None


def _merged_sources(
    conn: sqlite3.Connection, table: str, slug: str, given: list[str]
) -> str | None:
    """A new source is kept beside the ones already cited, never over them."""
    if not given:
        return None
    row = conn.execute(f"SELECT source FROM {table} WHERE slug = ?", (slug,)).fetchone()
    before = split_sources(row[0]) if row else []
    return join_sources(split_sources(join_sources([*before, *given])))


def _report(what: str, slug: str, status: str, changes: list[tuple[str, object, object]]) -> None:
    say(f"{what} {slug}: {status}")
    for field, before, after in changes:
        shown = "(empty)" if before in (None, "") else before
        say(f"  {field}: {shown} -> {after}")


def _require_new(conn: sqlite3.Connection, table: str, slug: str, **given: object) -> bool:
    """True if the row is new; a new row needs every option in `given`."""
    exists = conn.execute(f"SELECT 1 FROM {table} WHERE slug = ?", (slug,)).fetchone()
    if exists:
        return False
    missing = [f"--{k}" for k, v in given.items() if not v]
    if missing:
        raise UsageError(f"{slug!r} is new: {' and '.join(missing)} required")
    return True


@app.command(
    "add-meeting",
    epilog=examples(
        'ccm add-meeting geneva-2009 --name "Geneva Meeting" --city Geneva --country Switzerland'
        " --start 2009-06 --source URL",
        "ccm add-meeting lima-2007 --reported 68 --source URL    # change one field",
    ),
)
def add_meeting(
    slug: str = typer.Argument(..., help="Short key, e.g. lima-2007."),
    name: Optional[str] = typer.Option(None, "--name", help="Full name of the meeting."),  # noqa: UP045
    source: list[str] = typer.Option([], "--source", help="Where this comes from (repeatable)."),
    city: Optional[str] = typer.Option(None, "--city"),  # noqa: UP045
    country: Optional[str] = typer.Option(  # noqa: UP045
        None, "--country", help="Host country (any exact name or code)."
    ),
    start: Optional[str] = typer.Option(  # noqa: UP045
        None, "--start", help="Start date: YYYY, YYYY-MM or YYYY-MM-DD."
    ),
    end: Optional[str] = typer.Option(None, "--end", help="End date, same forms."),  # noqa: UP045
    kind: Optional[str] = typer.Option(  # noqa: UP045
        None, "--kind", help=f"{', '.join(MEETING_KINDS)} (new meetings: conference)."
    ),
    reported: Optional[int] = typer.Option(  # noqa: UP045
        None, "--reported", min=0, help="Participation count the source gives."
    ),
    db_path: DbOption = None,
) -> None:
    """Add a meeting, or change only the fields given on an existing one.

    A new meeting needs --name and --source. On an existing meeting, each field you give
    replaces that field (and is printed as before -> after); a --source is added beside the
    sources already cited. Nothing you do not give is touched.
    """
    _checked(contract.slug, slug)
    if kind is not None:
        _checked(contract.one_of, kind, MEETING_KINDS, "--kind")
    start = _checked(contract.date, start, "--start") if start else None
    end = _checked(contract.date, end, "--end") if end else None
    _checked(contract.date_range, start or "", end or "", "--end", "--start")
    conn = open_db(db_path)
    with transaction(conn):
        new = _require_new(conn, "meetings", slug, name=name, source=source)
        code = None
        if country:
            state = common.state(conn, country)
            ensure_state(conn, state)
            code = state.code
        if new and start is None:
            start = ""
        status, changes = put_meeting(
            conn,
            {
                "slug": slug,
                "name": name,
                "city": city if city is not None else ("" if new else None),
                "country": code,
                "start_date": start if start is not None else ("" if new else None),
                "end_date": end if end is not None else ("" if new else None),
                "kind": kind or ("conference" if new else None),
                "reported": reported,
                "source": _merged_sources(conn, "meetings", slug, source),
            },
        )
    _report("meeting", slug, status, changes)


@app.command(
    "add-instrument",
    epilog=examples(
        'ccm add-instrument geneva-declaration --name "Geneva Declaration" --meeting geneva-2009'
        " --date 2009-06-12 --source URL",
    ),
)
def add_instrument(
    slug: str = typer.Argument(..., help="Short key, e.g. wellington-declaration."),
    name: Optional[str] = typer.Option(None, "--name"),  # noqa: UP045
    source: list[str] = typer.Option([], "--source", help="Where this comes from (repeatable)."),
    kind: Optional[str] = typer.Option(  # noqa: UP045
        None, "--kind", help=f"{', '.join(INSTRUMENT_KINDS)} (new instruments: declaration)."
    ),
    meeting: Optional[str] = typer.Option(  # noqa: UP045
        None, "--meeting", help="The meeting that adopted it."
    ),
    date: Optional[str] = typer.Option(  # noqa: UP045
        None, "--date", help="Adoption date: YYYY, YYYY-MM or YYYY-MM-DD."
    ),
    db_path: DbOption = None,
) -> None:
    """Add a declaration or treaty, or change only the fields given on an existing one.

    A new instrument needs --name and --source; on an existing one, each field you give
    replaces that field (printed as before -> after) and a --source is added beside the
    others.
    """
    _checked(contract.slug, slug)
    if kind is not None:
        _checked(contract.one_of, kind, INSTRUMENT_KINDS, "--kind")
    date = _checked(contract.date, date, "--date") if date else None
    conn = open_db(db_path)
    with transaction(conn):
        new = _require_new(conn, "instruments", slug, name=name, source=source)
        meeting_slug = common.meeting(conn, meeting) if meeting else None
        status, changes = put_instrument(
            conn,
            {
                "slug": slug,
                "name": name,
                "kind": kind or ("declaration" if new else None),
                "meeting": meeting_slug,
                "date": date if date is not None else ("" if new else None),
                "source": _merged_sources(conn, "instruments", slug, source),
            },
        )
    _report("instrument", slug, status, changes)
