"""`ccm endorsements INSTRUMENT`: who endorsed (or declined) a declaration or the treaty."""

from __future__ import annotations

import typer

from ccmtool.cli.base import app
from ccmtool.cli.common import DbOption, FormatOption, check_format, examples, open_db, show
from ccmtool.cli.common import instrument as instrument_slug
from ccmtool.queries import endorsement_footer
from ccmtool.queries import endorsements as endorsement_rows


@app.command(
    epilog=examples(
        "ccm endorsements wellington",
        "ccm endorsements oslo-declaration --declined",
        "ccm endorsements ccm --columns state,date --format csv",
    )
)
def endorsements(
    instrument: str = typer.Argument(..., help="Instrument slug or unique prefix."),
    declined: bool = typer.Option(
        False, "--declined", help="States that attended but a source says did not endorse."
    ),
    fmt: FormatOption = "table",
    db_path: DbOption = None,
) -> None:
    """States recorded endorsing an instrument, with sources."""
    check_format(fmt)
    conn = open_db(db_path, readonly=True)
    slug = instrument_slug(conn, instrument)
    columns, rows = endorsement_rows(conn, slug, declined=declined)
    if declined:
        note = f"{slug}: {len(rows)} recorded declining"
    else:
        note = f"{slug}: {endorsement_footer(conn, slug, len(rows))}"
    show(columns, rows, fmt, note)
