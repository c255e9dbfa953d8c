"""`ccm stats`: participation meeting by meeting, with a bar chart in plain text."""

from __future__ import annotations

import sqlite3

import typer

from ccmtool.cli.base import app
from ccmtool.cli.common import DbOption, check_format, choice, examples, open_db, show
from ccmtool.queries import stats as stats_rows
from ccmtool.treaty import yearly_counts

BAR_WIDTH = 40


def bar(value: int, extra: int, scale: float) -> str:
    """'#' for what is recorded, '.' for what sources report beyond it."""
    filled = max(round(value * scale), 1 if value > 0 else 0)
    more = round((value + extra) * scale) - filled
    return "#" * filled + "." * max(more, 0)


def by_year(conn: sqlite3.Connection, fmt: str) -> None:
    """Parties ('#') and signatories ('.') of the Convention at the end of each year."""
    columns, rows = yearly_counts(conn)
    note = (
        "At 31 December of each year (today for this one); derived from recorded signatures and"
        " deposits, entry into force by Article 17. No source-reported totals to compare."
    )
    if fmt != "chart":
        show(columns, rows, fmt, note)
        return
    peak = max([r[2] + r[3] for r in rows] or [1]) or 1
    chart = [(*r[:4], bar(r[2], r[3], BAR_WIDTH / peak)) for r in rows]
    show([*columns[:4], "# parties . signatories"], chart, "table", note)


@app.command(
    epilog=examples(
        "ccm stats",
        "ccm stats --by region",
        "ccm stats --by year",
        "ccm stats --format csv",
    )
)
def stats(
    by: str = typer.Option(
        "meeting", "--by", help="meeting, region, record, or year (Convention membership)."
    ),
    fmt: str = typer.Option(
        "chart",
        "--format",
        "-f",
        metavar="FORMAT",
        help="chart (default), or table/csv/json/... for bare numbers.",
    ),
    db_path: DbOption = None,
) -> None:
    """Recorded against reported participation per meeting, in date order; `--by year`:
    the Convention's parties and signatories year by year."""
    if fmt != "chart":
        check_format(fmt)
    by = choice(by, ("meeting", "region", "record", "year"), "grouping")
    conn = open_db(db_path, readonly=True)
    if by == "year":
        by_year(conn, fmt)
        return
    columns, rows = stats_rows(conn, by)
    if fmt != "chart":
        show(columns, rows, fmt, f"{len(rows)} rows")
        return
    if by == "meeting":
        peak = max([max(r[2], r[3] or 0) for r in rows] or [1]) or 1
        scale = BAR_WIDTH / peak
        chart = [
            (*r[:3], r[3] if r[3] is not None else "", bar(r[2], max((r[3] or 0) - r[2], 0), scale))
            for r in rows
        ]
        show([*columns, "# recorded . reported"], chart, "table")
    else:
        peak = max([r[-1] for r in rows] or [1]) or 1
        chart = [(*r, bar(r[-1], 0, BAR_WIDTH / peak)) for r in rows]
        show([*columns, ""], chart, "table")
