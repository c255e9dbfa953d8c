"""Options shared by every command, and opening the database for a command."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Annotated, Optional

import typer

from ccmtool import db
from ccmtool.errors import CcmError
from ccmtool.render import check_format, footer, render

DbOption = Annotated[
    Optional[Path],  # noqa: UP045 - Typer needs Optional on Python 3.10's typing
    typer.Option(
        "--db",
        envvar="CCM_DB",
        help="Database file. Default: ccm.db in your data directory, made on first use.",
        show_default=False,
    ),
]
FormatOption = Annotated[
    str,
    typer.Option(
        "--format",
        "-f",
        help="table, csv, json, markdown, or any tabulate format (github, grid, latex...).",
    ),
]


def say(message: str) -> None:
    """Messages are for people: stderr, so stdout stays data."""
    typer.echo(message, err=True)


_OPEN: list[sqlite3.Connection] = []
# The file this command works on, so a database error can name it.
current_path: list[Path] = []


def open_db(
    path: Path | None, *, readonly: bool = False, file_readonly: bool = False
) -> sqlite3.Connection:
    """Open the database for this command; it is closed when the command ends.

    Only the default path is created on first use: a --db or CCM_DB naming a file that does
    not exist is a mistake (a typo would otherwise give a script the built-in data instead
    of the user's own), and `ccm init` is how such a file is made.
    """
    current_path[:] = [path or db.default_path()]
    if path is not None and not path.exists():
        raise CcmError(f"no database at {path}; `ccm init --db {path}` creates one")
    conn = db.open_db(path, notify=say, readonly=readonly, file_readonly=file_readonly)
    _OPEN.append(conn)
    return conn


def close_all() -> None:
    """Close what this command opened: the last close checkpoints the WAL into the main
    file, so a copy of ccm.db alone is complete once ccm has exited or returned."""
    while _OPEN:
        _OPEN.pop().close()


def show(columns: list[str], rows: list[tuple], fmt: str, note: str | None = None) -> None:
    """Render a listing and its footer line."""
    render(columns, rows, fmt)
    if note:
        footer(note, fmt)


__all__ = ["DbOption", "FormatOption", "check_format", "open_db", "say", "show"]
