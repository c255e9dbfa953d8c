"""`ccm import FILE...`: load contract CSVs, all files in one transaction."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import typer

from ccmtool.cli.base import app
from ccmtool.cli.common import DbOption, examples, open_db, say
from ccmtool.importer import import_files

PROGRESS_MIN_BYTES = 5_000_000


def _progress_bar(files: list[Path]) -> Callable[[str, int, int, int], None] | None:
    """A one-line progress report on stderr, for a person watching a large import."""
    if not sys.stderr.isatty():
        return None
    try:
        if sum(f.stat().st_size for f in files if f.is_file()) < PROGRESS_MIN_BYTES:
            return None
    except OSError:
        return None

    def draw(path: str, done: int, total: int, rows: int) -> None:
        share = done / total if total else 1.0
        filled = int(share * 30)
        bar = "#" * filled + "-" * (30 - filled)
        end = "\n" if done >= total else ""
        sys.stderr.write(f"\r{path} [{bar}] {share:4.0%} {rows:,} rows{end}")
        sys.stderr.flush()

    return draw


@app.command(
    "import",
    epilog=examples(
        "ccm import meetings.csv facts.csv",
        "ccm import --dry-run facts.csv",
        "ccm import --encoding latin-1 old.csv",
    ),
)
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
    summaries = import_files(
        conn, files, dry_run=dry_run, encoding=encoding, progress=_progress_bar(files)
    )
    for summary in summaries:
        say(str(summary))
    if dry_run:
        say("dry run: nothing was written")
