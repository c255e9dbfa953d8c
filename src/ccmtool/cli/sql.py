"""`ccm sql "SELECT ..."`: read-only SQL for power users, bounded in time and size."""

from __future__ import annotations

import sys

import typer

from ccmtool.cli.base import app
from ccmtool.cli.common import DbOption, FormatOption, check_format, examples, open_db, show
from ccmtool.sqlquery import (
    DEFAULT_MAX_ROWS,
    DEFAULT_TIMEOUT,
    parse_params,
    read_query,
    run,
    split_arguments,
)


@app.command(
    context_settings={"ignore_unknown_options": True},
    epilog=examples(
        'ccm sql "SELECT record, count(*) FROM facts GROUP BY record"',
        'ccm sql "SELECT * FROM facts WHERE state = :s" -p s HUN',
        "echo 'SELECT 1' | ccm sql -",
    ),
)
def sql(
    words: list[str] = typer.Argument(
        ...,
        metavar="QUERY [-p NAME VALUE]...",
        help="One SELECT statement (- reads it from stdin); -p binds :NAME to VALUE (text).",
    ),
    timeout: float = typer.Option(
        DEFAULT_TIMEOUT, "--timeout", help="Stop the query after this many seconds (0: never)."
    ),
    max_rows: int = typer.Option(
        DEFAULT_MAX_ROWS, "--max-rows", help="Refuse results with more rows than this."
    ),
    fmt: FormatOption = "table",
    db_path: DbOption = None,
) -> None:
    """Run one read-only SQL query. Writes are impossible: the file is opened read-only,
    and only common functions (text, numbers, dates, JSON, aggregates, windows) exist.
    Ctrl-C stops a query (exit 130).

    Example: ccm sql "SELECT * FROM facts WHERE state = :s" -p s HUN
    """
    check_format(fmt)
    query, pairs = split_arguments(words)
    params = parse_params(pairs)
    text = read_query(query, sys.stdin)
    conn = open_db(db_path, file_readonly=True)
    columns, rows = run(conn, text, params, timeout=timeout, max_rows=max_rows)
    show(columns, rows, fmt, f"{len(rows)} rows")
