"""`ccm compare A B`: who was at both meetings, only at A, only at B."""

from __future__ import annotations

import typer

from ccmtool.cli.base import app
from ccmtool.cli.common import DbOption, FormatOption, check_format, examples, open_db, show
from ccmtool.cli.common import meeting as meeting_slug
from ccmtool.queries import compare as compare_rows


@app.command(
    epilog=examples(
        "ccm compare livingstone kampala",
        "ccm compare oslo-2007 dublin-2008 --format csv",
    )
)
def compare(
    a: str = typer.Argument(..., help="First meeting (slug, city or unique prefix)."),
    b: str = typer.Argument(..., help="Second meeting."),
    fmt: FormatOption = "table",
    db_path: DbOption = None,
) -> None:
    """Recorded presence at two meetings: both, only the first, only the second."""
    check_format(fmt)
    conn = open_db(db_path, readonly=True)
    slug_a, slug_b = meeting_slug(conn, a), meeting_slug(conn, b)
    columns, rows, counts = compare_rows(conn, slug_a, slug_b)
    note = ", ".join(f"{k}: {v}" for k, v in counts.items()) + " (recorded attendance)"
    show(columns, rows, fmt, note)
