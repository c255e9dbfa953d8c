"""`ccm import FILE...`: load contract CSVs, all files in one transaction."""

from __future__ import annotations

from pathlib import Path

import typer

from ccmtool.cli.app import app
from ccmtool.cli.common import DbOption, open_db, say
from ccmtool.transfer import import_files


@app.command("import")
def import_(
    files: list[Path] = typer.Argument(
        ..., help="Facts, meetings, instruments, counts or states CSVs, in any order."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check everything, write nothing."),
    encoding: str = typer.Option("utf-8", "--encoding", help="Text encoding, e.g. latin-1."),
    db_path: DbOption = None,
) -> None:
    """Import files (told apart by their header). One bad row anywhere: nothing is written."""
    conn = open_db(db_path)
    summaries = import_files(conn, files, dry_run=dry_run, encoding=encoding)
    for summary in summaries:
        say(str(summary))
    if dry_run:
        say("dry run: nothing was written")
