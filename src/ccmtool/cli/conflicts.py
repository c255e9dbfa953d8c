"""`ccm conflicts`: where the sources disagree."""

from __future__ import annotations

from ccmtool.cli.base import app
from ccmtool.cli.common import DbOption, FormatOption, check_format, examples, open_db, show
from ccmtool.conflicts import conflicts as conflict_rows


@app.command(
    epilog=examples(
        "ccm conflicts",
        "ccm conflicts --wide",
        "ccm conflicts --format csv > conflicts.csv",
    )
)
def conflicts(fmt: FormatOption = "table", db_path: DbOption = None) -> None:
    """Counts, dates and records on which sources disagree; every side keeps its source."""
    check_format(fmt)
    conn = open_db(db_path, readonly=True)
    columns, rows = conflict_rows(conn)
    show(columns, rows, fmt, f"{len(rows)} conflicts between sources")
