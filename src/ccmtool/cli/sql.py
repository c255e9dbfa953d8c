"""`ccm sql "SELECT ..."`: read-only SQL for power users."""

from __future__ import annotations

import typer

from ccmtool.cli.base import app
from ccmtool.cli.common import DbOption, FormatOption, check_format, open_db, show
from ccmtool.db import allow_reads_only
from ccmtool.errors import CcmError
from ccmtool.queries import read_only_sql


@app.command()
def sql(
    query: str = typer.Argument(..., help="One SELECT statement."),
    fmt: FormatOption = "table",
    db_path: DbOption = None,
) -> None:
    """Run one read-only SQL query. Writes are impossible: the file is opened read-only."""
    import sqlite3

    check_format(fmt)
    conn = open_db(db_path, file_readonly=True)
    allow_reads_only(conn)
    try:
        columns, rows = read_only_sql(conn, query)
    except sqlite3.Error as exc:
        raise CcmError(f"sql: {exc}") from None
    show(columns, rows, fmt, f"{len(rows)} rows")
