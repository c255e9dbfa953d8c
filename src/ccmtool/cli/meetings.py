"""`ccm meetings`: every meeting, with recorded against reported participation."""

from __future__ import annotations

from ccmtool.cli.base import app
from ccmtool.cli.common import DbOption, FormatOption, check_format, examples, open_db, show
from ccmtool.queries import meetings as meeting_rows


@app.command(
    epilog=examples(
        "ccm meetings",
        "ccm meetings --columns slug,start,recorded,reported",
        "ccm meetings --format json",
    )
)
def meetings(fmt: FormatOption = "table", db_path: DbOption = None) -> None:
    """Meetings in date order: recorded states against the count the main source reports."""
    check_format(fmt)
    conn = open_db(db_path, readonly=True)
    columns, rows = meeting_rows(conn)
    show(columns, rows, fmt, f"{len(rows)} meetings")
