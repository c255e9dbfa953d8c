"""`ccm state NAME`: a state's profile and everything it did, in date order, with sources."""

from __future__ import annotations

import typer

from ccmtool.cli.base import app
from ccmtool.cli.common import DbOption, FormatOption, check_format, open_db, show
from ccmtool.errors import CcmError
from ccmtool.facts import find_state, get_state
from ccmtool.queries import state_profile, timeline
from ccmtool.render import MACHINE_FORMATS


@app.command()
def state(
    name: str = typer.Argument(..., help="Any exact name (UN, ISO, common) or ISO code."),
    fmt: FormatOption = "table",
    db_path: DbOption = None,
) -> None:
    """Profile (code, region, aliases) and the full timeline of one state."""
    check_format(fmt)
    conn = open_db(db_path, readonly=True)
    found = find_state(conn, name)
    if get_state(conn, found.code) is None:
        raise CcmError(
            f"{found.name} ({found.code}) is not in the database; `ccm add-state` adds it"
        )
    if fmt not in MACHINE_FORMATS:
        columns, rows = state_profile(conn, found.code)
        show(columns, rows, fmt)
        print()
    columns, rows = timeline(conn, found.code)
    show(
        columns,
        rows,
        fmt,
        f"{found.name} ({found.code}): {len(rows)} fact{'' if len(rows) == 1 else 's'}",
    )
