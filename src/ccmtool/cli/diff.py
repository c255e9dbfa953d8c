"""`ccm diff OLD NEW`: facts and sources added, removed or changed between two versions."""

from __future__ import annotations

from pathlib import Path

import typer

from ccmtool.cli.base import app
from ccmtool.cli.common import FormatOption, check_format, examples, show


@app.command(
    epilog=examples(
        "ccm diff old.db ccm.db",
        "ccm diff release-1/ release-2/ --format markdown",
    )
)
def diff(
    old: Path = typer.Argument(..., help="The earlier version: a ccm database or export folder."),
    new: Path = typer.Argument(..., help="The later version: a ccm database or export folder."),
    fmt: FormatOption = "table",
) -> None:
    """What changed between two versions of the dataset, for release notes.

    Facts are matched by state, record, subject and occurrence, so a new date or wording
    shows as a change; sources are matched by their citation. Neither side is modified.
    `--format markdown` gives a table to paste into release notes.
    """
    check_format(fmt)
    from ccmtool.diff import COLUMNS, diff_paths

    result = diff_paths(old, new)
    show(COLUMNS, result.rows, fmt, result.summary())
