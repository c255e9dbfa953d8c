"""`ccm attendance MEETING`: who was there, with sources, against what sources report."""

from __future__ import annotations

import typer

from ccmtool.cli.app import app
from ccmtool.cli.common import DbOption, FormatOption, check_format, open_db, show
from ccmtool.facts import resolve_meeting
from ccmtool.queries import attendance as attendance_rows
from ccmtool.queries import meeting as get_meeting
from ccmtool.queries import participation_footer


@app.command()
def attendance(
    meeting: str = typer.Argument(..., help="Slug (lima-2007), city (lima) or unique prefix."),
    absent: bool = typer.Option(
        False, "--absent", help="States a source says did NOT take part (not: no record)."
    ),
    fmt: FormatOption = "table",
    db_path: DbOption = None,
) -> None:
    """States recorded at a meeting, each with its sources.

    No record is not absence: the data is partial, so the footer compares what is recorded
    with the participation counts the sources report.
    """
    check_format(fmt)
    conn = open_db(db_path, readonly=True)
    slug = resolve_meeting(conn, meeting)
    columns, rows = attendance_rows(conn, slug, absent=absent)
    m = get_meeting(conn, slug)
    if absent:
        note = f"{m.name}: {len(rows)} recorded absent (a source says so)"
    else:
        note = f"{m.name}: {participation_footer(conn, slug, len(rows))}"
    show(columns, rows, fmt, note)
