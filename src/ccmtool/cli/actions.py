"""`ccm actions`: national actions states announced, filtered by kind, state and date."""

from __future__ import annotations

from typing import Optional

import typer

from ccmtool.cli.base import app
from ccmtool.cli.common import DbOption, FormatOption, check_format, open_db, show
from ccmtool.dates import check_date
from ccmtool.errors import CcmError
from ccmtool.facts import find_state
from ccmtool.model import ACTIONS
from ccmtool.queries import actions as action_rows


def _date(value: str | None, option: str) -> str | None:
    if value is None:
        return None
    try:
        return check_date(value) or None
    except ValueError as exc:
        raise CcmError(f"{option}: {exc}") from None


@app.command()
def actions(
    kind: Optional[str] = typer.Option(None, "--kind", help=", ".join(ACTIONS)),  # noqa: UP045
    state: Optional[str] = typer.Option(None, "--state", help="State name or code."),  # noqa: UP045
    since: Optional[str] = typer.Option(  # noqa: UP045
        None, "--since", help="On or after (YYYY, YYYY-MM, YYYY-MM-DD); partial dates overlap."
    ),
    until: Optional[str] = typer.Option(None, "--until", help="On or before."),  # noqa: UP045
    fmt: FormatOption = "table",
    db_path: DbOption = None,
) -> None:
    """Announced actions (moratoria, stockpile destruction, laws...) in date order."""
    check_format(fmt)
    if kind is not None and kind not in ACTIONS:
        raise CcmError(f"--kind {kind!r}: expected one of {', '.join(ACTIONS)}")
    since_d, until_d = _date(since, "--since"), _date(until, "--until")
    conn = open_db(db_path, readonly=True)
    code = find_state(conn, state).code if state else None
    columns, rows = action_rows(conn, kind=kind, state=code, since=since_d, until=until_d)
    note = f"{len(rows)} announced actions"
    if since_d or until_d:
        note += " (undated announcements are left out by a date filter)"
    show(columns, rows, fmt, note)
