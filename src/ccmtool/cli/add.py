"""`ccm add-state`, `ccm add-meeting`, `ccm add-instrument`."""

from __future__ import annotations

import sys
from typing import Optional

import typer

from ccmtool.cli.base import app
from ccmtool.cli.common import DbOption, open_db, say
from ccmtool.dates import check_date
from ccmtool.db import transaction
from ccmtool.errors import CcmError, UnknownStateError
from ccmtool.facts import add_state as core_add_state
from ccmtool.facts import ensure_state, find_state, put_instrument, put_meeting, resolve_meeting
from ccmtool.model import INSTRUMENT_KINDS, MEETING_KINDS, SLUG, join_sources


@app.command("add-state")
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
            raise CcmError(exc.message + hint) from None
        guess_name, guess_code = exc.suggestions[0]
        if not typer.confirm(
            f"{name!r} is not a known name. Did you mean {guess_name} ({guess_code})?", err=True
        ):
            raise CcmError(exc.message) from None
        with transaction(conn):
            state, added, aliases = core_add_state(conn, name, guess_code, tuple(alias))
    verb = "added" if added else "already known:"
    say(f"{verb} {state.name} ({state.code}), {state.region} / {state.subregion}")
    for spelling in aliases:
        say(f"alias {spelling!r} now names {state.code}")


def _date(value: str, field: str) -> str:
    try:
        return check_date(value)
    except ValueError as exc:
        raise CcmError(f"{field}: {exc}") from None


@app.command("add-meeting")
def add_meeting(
    slug: str = typer.Argument(..., help="Short key, e.g. lima-2007."),
    name: str = typer.Option(..., "--name", help="Full name of the meeting."),
    source: list[str] = typer.Option(..., "--source", help="Where this comes from (repeatable)."),
    city: str = typer.Option("", "--city"),
    country: str = typer.Option("", "--country", help="Host country (any exact name or code)."),
    start: str = typer.Option("", "--start", help="Start date: YYYY, YYYY-MM or YYYY-MM-DD."),
    end: str = typer.Option("", "--end", help="End date, same forms."),
    kind: str = typer.Option("conference", "--kind", help=", ".join(MEETING_KINDS)),
    reported: Optional[int] = typer.Option(  # noqa: UP045
        None, "--reported", min=0, help="Participation count the source gives."
    ),
    db_path: DbOption = None,
) -> None:
    """Add or update a meeting of the Oslo Process or the Convention."""
    if not SLUG.fullmatch(slug):
        raise CcmError(f"slug: {slug!r} is not a slug (lowercase letters, digits and -)")
    if kind not in MEETING_KINDS:
        raise CcmError(f"kind: {kind!r}; expected one of {', '.join(MEETING_KINDS)}")
    start, end = _date(start, "--start"), _date(end, "--end")
    if start and end and end < start:
        raise CcmError(f"--end {end} is before --start {start}")
    conn = open_db(db_path)
    with transaction(conn):
        code = None
        if country:
            state = find_state(conn, country)
            ensure_state(conn, state)
            code = state.code
        status = put_meeting(
            conn,
            {
                "slug": slug,
                "name": name,
                "city": city,
                "country": code,
                "start_date": start,
                "end_date": end,
                "kind": kind,
                "reported": reported,
                "source": join_sources(source),
            },
        )
    say(f"meeting {slug}: {status}")


@app.command("add-instrument")
def add_instrument(
    slug: str = typer.Argument(..., help="Short key, e.g. wellington-declaration."),
    name: str = typer.Option(..., "--name"),
    source: list[str] = typer.Option(..., "--source", help="Where this comes from (repeatable)."),
    kind: str = typer.Option("declaration", "--kind", help=", ".join(INSTRUMENT_KINDS)),
    meeting: str = typer.Option("", "--meeting", help="The meeting that adopted it."),
    date: str = typer.Option("", "--date", help="Adoption date: YYYY, YYYY-MM or YYYY-MM-DD."),
    db_path: DbOption = None,
) -> None:
    """Add or update a declaration or treaty."""
    if not SLUG.fullmatch(slug):
        raise CcmError(f"slug: {slug!r} is not a slug (lowercase letters, digits and -)")
    if kind not in INSTRUMENT_KINDS:
        raise CcmError(f"kind: {kind!r}; expected one of {', '.join(INSTRUMENT_KINDS)}")
    date = _date(date, "--date")
    conn = open_db(db_path)
    with transaction(conn):
        meeting_slug = resolve_meeting(conn, meeting) if meeting else None
        status = put_instrument(
            conn,
            {
                "slug": slug,
                "name": name,
                "kind": kind,
                "meeting": meeting_slug,
                "date": date,
                "source": join_sources(source),
            },
        )
    say(f"instrument {slug}: {status}")
