"""`ccm attendance MEETING`: who was there, with sources, against what sources report."""

from __future__ import annotations

from typing import Optional

import typer

from ccmtool.cli.base import app
from ccmtool.cli.common import (
    DbOption,
    FormatOption,
    check_format,
    examples,
    open_db,
    show,
)
from ccmtool.cli.common import meeting as meeting_slug
from ccmtool.cli.common import region as region_name
from ccmtool.errors import UsageError
from ccmtool.queries import attendance_in_region, participation_footer
from ccmtool.queries import meeting as get_meeting
from ccmtool.queries import newcomers as newcomer_rows


@app.command(
    epilog=examples(
        "ccm attendance lima",
        "ccm attendance lima --absent",
        "ccm attendance livingstone --newcomers --region Africa",
        "ccm attendance lima --columns state,code --limit 5",
        "ccm attendance lima --format csv > lima.csv",
    )
)
def attendance(
    meeting: str = typer.Argument(..., help="Slug (lima-2007), city (lima) or unique prefix."),
    absent: bool = typer.Option(
        False, "--absent", help="States a source says did NOT take part (not: no record)."
    ),
    newcomers: bool = typer.Option(
        False, "--newcomers", help="Only states with no recorded presence at any earlier meeting."
    ),
    region: Optional[str] = typer.Option(  # noqa: UP045
        None, "--region", help="UN region or sub-region: Africa, Americas, Western Europe..."
    ),
    fmt: FormatOption = "table",
    db_path: DbOption = None,
) -> None:
    """States recorded at a meeting, each with its sources.

    No record is not absence: the data is partial, so the footer compares what is recorded
    with the participation counts the sources report.
    """
    check_format(fmt)
    if newcomers and absent:
        raise UsageError("--newcomers and --absent do not go together")
    region_name(region)  # checked; the footer keeps the user's spelling
    conn = open_db(db_path, readonly=True)
    slug = meeting_slug(conn, meeting)
    m = get_meeting(conn, slug)
    where = f" in {region}" if region else ""
    if newcomers:
        columns, rows = newcomer_rows(conn, slug, region)
        note = (
            f"{m.name}: {len(rows)} states{where} whose first recorded attendance this is"
            " (first recorded: the data is partial)"
        )
        show(columns, rows, fmt, note)
        return
    columns, rows = attendance_in_region(conn, slug, region, absent=absent)
    if region:
        note = f"{m.name}: {len(rows)} recorded{where}"
        if absent:
            note += " as absent"
        show(columns, rows, fmt, note)
        return
    if absent:
        note = f"{m.name}: {len(rows)} recorded absent (a source says so)"
    else:
        note = f"{m.name}: {participation_footer(conn, slug, len(rows))}"
    show(columns, rows, fmt, note)
