"""`ccm obligations`: each party's deadlines under the Convention, with their articles."""

from __future__ import annotations

from typing import Any, Optional

import typer

from ccmtool.cli.base import app
from ccmtool.cli.common import DbOption, FormatOption, check_format, examples, open_db, show
from ccmtool.cli.common import state as state_option
from ccmtool.cli.status import as_of_date, with_basis
from ccmtool.obligations import footer
from ccmtool.obligations import obligations as obligation_rows
from ccmtool.render import MACHINE_FORMATS


def compact(columns: list[str], rows: list[tuple[Any, ...]]) -> tuple[list[str], list[tuple]]:
    """For people: dates beside their labels; the state's code and EIF basis folded in."""
    i = {c: n for n, c in enumerate(columns)}
    out = [
        (
            r[i["state"]],
            r[i["obligation"]],
            r[i["article"]],
            with_basis(r[i["entry into force"]], r[i["eif basis"]]),
            r[i["deadline"]],
            r[i["deadline basis"]],
            r[i["applies"]],
            r[i["status"]],
            r[i["completed"]],
            r[i["note"]],
            r[i["sources"]],
        )
        for r in rows
    ]
    head = ["state", "obligation", "article", "entry into force", "deadline", "deadline basis"]
    return [*head, "applies", "status", "completed", "note", "sources"], out


@app.command(
    epilog=examples(
        "ccm obligations",
        "ccm obligations Norway",
        "ccm obligations --overdue --as-of 2020-01-01",
    )
)
def obligations(
    state: Optional[str] = typer.Argument(None, help="One state (name or code); default all."),  # noqa: UP045
    as_of: Optional[str] = typer.Option(  # noqa: UP045
        None, "--as-of", help="Status on this day (YYYY-MM-DD). Default: today."
    ),
    overdue: bool = typer.Option(
        False, "--overdue", help="Only deadlines past on that day with no completion recorded."
    ),
    fmt: FormatOption = "table",
    db_path: DbOption = None,
) -> None:
    """Deadlines the Convention sets from each party's entry into force: initial report
    (Art. 7, 180 days), stockpile destruction (Art. 3, 8 years), clearance (Art. 4, 10 years),
    moved by recorded extensions and closed by recorded completions."""
    check_format(fmt)
    day = as_of_date(as_of)
    conn = open_db(db_path, readonly=True)
    code = state_option(conn, state).code if state else None
    listing = obligation_rows(conn, state=code, as_of=day, overdue=overdue)
    columns, rows = listing.columns, listing.rows
    if fmt not in MACHINE_FORMATS:
        columns, rows = compact(columns, rows)
    show(columns, rows, fmt, footer(listing, overdue=overdue))
