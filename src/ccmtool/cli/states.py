"""`ccm states`: states matching every filter given (AND)."""

from __future__ import annotations

from typing import Optional

import typer

from ccmtool.cli.base import app
from ccmtool.cli.common import (
    DbOption,
    FormatOption,
    check_format,
    choice,
    examples,
    instrument,
    meeting,
    open_db,
    show,
)
from ccmtool.cli.common import region as region_name
from ccmtool.model import ACTIONS
from ccmtool.queries import states as state_rows


@app.command(
    epilog=examples(
        "ccm states --region Europe",
        "ccm states --endorsed oslo-declaration --not-attended lima",
        "ccm states --attended lima --absent vienna",
        "ccm states --announced moratorium --format csv",
    )
)
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
    announced: list[str] = typer.Option(
        [], "--announced", help=f"Recorded announcing this: {', '.join(ACTIONS)}."
    ),
    region: Optional[str] = typer.Option(  # noqa: UP045
        None, "--region", help="UN region or sub-region."
    ),
    fmt: FormatOption = "table",
    db_path: DbOption = None,
) -> None:
    """States in the database that match every filter; filters combine with AND."""
    check_format(fmt)
    announced = [choice(action, ACTIONS, "action") for action in announced]
    region_name(region)
    conn = open_db(db_path, readonly=True)
    columns, rows = state_rows(
        conn,
        attended=[meeting(conn, m) for m in attended],
        not_attended=[meeting(conn, m) for m in not_attended],
        absent=[meeting(conn, m) for m in absent],
        endorsed=[instrument(conn, i) for i in endorsed],
        not_endorsed=[instrument(conn, i) for i in not_endorsed],
        signed=[instrument(conn, i) for i in signed],
        announced=announced,
        region=region,
    )
    note = f"{len(rows)} states"
    if not_attended or not_endorsed:
        note += ' ("not" means none recorded, not known absent: the data is partial)'
    show(columns, rows, fmt, note)
