"""`ccm actions`: national actions states announced, filtered by kind, state and date."""

from __future__ import annotations

from typing import Optional

import typer

from ccmtool.cli.base import app
from ccmtool.cli.common import (
    DbOption,
    FormatOption,
    check_format,
    choice,
    date,
    examples,
    open_db,
    show,
)
from ccmtool.cli.common import state as find_state
from ccmtool.model import ACTIONS
from ccmtool.queries import actions as action_rows


@app.command(
    epilog=examples(
        "ccm actions --kind moratorium --since 2007 --until 2007",
        "ccm actions --state Hungary",
        "ccm actions --since 2008-05 --format json",
    )
)
def actions(
    kind: Optional[str] = typer.Option(  # noqa: UP045
        None, "--kind", help=f"Only this kind: {', '.join(ACTIONS)}."
    ),
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
    if kind is not None:
        kind = choice(kind, ACTIONS, "action kind")
    since_d, until_d = date(since, "--since"), date(until, "--until")
    conn = open_db(db_path, readonly=True)
    code = find_state(conn, state).code if state else None
    columns, rows = action_rows(conn, kind=kind, state=code, since=since_d, until=until_d)
    dated = " (undated announcements are left out by a date filter)" if since_d or until_d else ""
    show(columns, rows, fmt, lambda n: f"{n} announced actions{dated}")
