"""`ccm states`: states matching every filter given (AND)."""

from __future__ import annotations

from typing import Optional

import typer

from ccmtool.cli.base import app
from ccmtool.cli.common import DbOption, FormatOption, check_format, open_db, show
from ccmtool.errors import CcmError
from ccmtool.facts import resolve_instrument, resolve_meeting
from ccmtool.model import ACTIONS
from ccmtool.queries import states as state_rows


@app.command()
def states(
    attended: list[str] = typer.Option([], "--attended", help="Recorded at this meeting."),
    not_attended: list[str] = typer.Option(
        [], "--not-attended", help="NO attendance recorded at this meeting (not: known absent)."
    ),
    absent: list[str] = typer.Option([], "--absent", help="A source says it was NOT there."),
    endorsed: list[str] = typer.Option([], "--endorsed", help="Recorded endorsing this."),
    not_endorsed: list[str] = typer.Option(
        [], "--not-endorsed", help="No endorsement of this recorded."
    ),
    signed: list[str] = typer.Option([], "--signed", help="Recorded signing this."),
    announced: list[str] = typer.Option([], "--announced", help=", ".join(ACTIONS)),
    region: Optional[str] = typer.Option(  # noqa: UP045
        None, "--region", help="UN region or sub-region."
    ),
    fmt: FormatOption = "table",
    db_path: DbOption = None,
) -> None:
    """States in the database that match every filter; filters combine with AND."""
    check_format(fmt)
    for action in announced:
        if action not in ACTIONS:
            raise CcmError(f"--announced {action!r}: expected one of {', '.join(ACTIONS)}")
    conn = open_db(db_path, readonly=True)
    columns, rows = state_rows(
        conn,
        attended=[resolve_meeting(conn, m) for m in attended],
        not_attended=[resolve_meeting(conn, m) for m in not_attended],
        absent=[resolve_meeting(conn, m) for m in absent],
        endorsed=[resolve_instrument(conn, i) for i in endorsed],
        not_endorsed=[resolve_instrument(conn, i) for i in not_endorsed],
        signed=[resolve_instrument(conn, i) for i in signed],
        announced=announced,
        region=region,
    )
    note = f"{len(rows)} states"
    if not_attended or not_endorsed:
        note += ' ("not" means none recorded, not known absent: the data is partial)'
    show(columns, rows, fmt, note)
