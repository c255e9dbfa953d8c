"""`ccm state NAME`: a state's profile and everything it did, in date order, with sources."""

from __future__ import annotations

import sqlite3

import typer

from ccmtool.cli.base import app
from ccmtool.cli.common import DbOption, FormatOption, check_format, examples, open_db, show
from ccmtool.cli.common import state as find_state
from ccmtool.cli.obligations import compact as compact_obligations
from ccmtool.errors import CcmError
from ccmtool.facts import get_state
from ccmtool.obligations import obligations
from ccmtool.queries import state_profile, timeline
from ccmtool.render import MACHINE_FORMATS
from ccmtool.treaty import profile as treaty_profile

NOTE = (
    "Deadlines derived from entry into force unless an extension is recorded; overdue ="
    " no completion recorded, which means not recorded, not not done (`ccm obligations`)."
)


def convention(conn: sqlite3.Connection, code: str, fmt: str) -> None:
    """The state's standing towards the Convention today and its deadlines, if it ever
    signed or joined (tables only: machine formats carry the timeline alone)."""
    standing = treaty_profile(conn, code)
    if not standing:
        return
    show(["Convention", ""], standing, fmt)
    print()
    listing = obligations(conn, state=code)
    if listing.rows:
        columns, rows = compact_obligations(listing.columns, listing.rows)
        keep = [c for c in columns if c not in ("state", "entry into force")]
        picked = [tuple(r[columns.index(c)] for c in keep) for r in rows]
        show(keep, picked, fmt, NOTE)
        print()


@app.command(
    epilog=examples(
        "ccm state Hungary",
        'ccm state "Côte d\'Ivoire"',
        "ccm state HUN --columns date,date_from,record,subject",
        "ccm state Hungary --format csv > hungary.csv",
    )
)
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
        convention(conn, found.code, fmt)
    columns, rows = timeline(conn, found.code)
    show(
        columns,
        rows,
        fmt,
        f"{found.name} ({found.code}): {len(rows)} fact{'' if len(rows) == 1 else 's'}",
    )
