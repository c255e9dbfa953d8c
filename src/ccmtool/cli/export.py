"""`ccm export`: the whole dataset back out, losslessly."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from ccmtool.cli.base import app
from ccmtool.cli.common import DbOption, open_db, say
from ccmtool.errors import UsageError
from ccmtool.transfer import EXPORT_KINDS, export_to_file, write_export


@app.command()
def export(
    csv_: bool = typer.Option(False, "--csv", help="CSV in the data contract (the default)."),
    json_: bool = typer.Option(False, "--json", help="A JSON array of objects."),
    jsonl: bool = typer.Option(False, "--jsonl", help="One JSON object per line."),
    markdown: bool = typer.Option(False, "--markdown", help="A Markdown table."),
    excel: bool = typer.Option(
        False, "--excel", help="CSV for spreadsheets: a BOM, and formula-like cells prefixed '."
    ),
    datapackage: Optional[Path] = typer.Option(  # noqa: UP045
        None, "--datapackage", help="Write every table and a Frictionless datapackage.json here."
    ),
    datasette_metadata: bool = typer.Option(
        False,
        "--datasette-metadata",
        help="Datasette's metadata.json: tables, columns and the record vocabulary.",
    ),
    what: str = typer.Option(
        "facts", "--what", help=", ".join(EXPORT_KINDS) + " (claims: one row per source)."
    ),
    output: Optional[Path] = typer.Option(  # noqa: UP045
        None, "--output", "-o", help="Write to this file (atomically) instead of stdout."
    ),
    db_path: DbOption = None,
) -> None:
    """Export facts (one row per event, every source), claims (one row per source, with
    its own date and wording: lossless), or meetings, instruments, counts, states."""
    chosen = [
        n
        for n, on in (("csv", csv_), ("json", json_), ("jsonl", jsonl), ("markdown", markdown))
        if on
    ]
    if len(chosen) > 1:
        raise UsageError(f"choose one format, not {' and '.join('--' + c for c in chosen)}")
    fmt = chosen[0] if chosen else "csv"
    if what not in EXPORT_KINDS:
        raise UsageError(f"--what {what!r}: choose one of {', '.join(EXPORT_KINDS)}")
    if excel and fmt != "csv":
        raise UsageError("--excel goes with CSV only")
    conn = open_db(db_path, readonly=True)
    if datasette_metadata:
        import json

        from ccmtool.cli.common import current_path
        from ccmtool.datasette import metadata

        text = json.dumps(metadata(current_path[0].stem), ensure_ascii=False, indent=2) + "\n"
        if output is not None:
            output.write_text(text, encoding="utf-8")
            say(f"wrote Datasette metadata to {output}")
        else:
            sys.stdout.write(text)
        return
    if datapackage is not None:
        from ccmtool.package import export_datapackage

        counts = export_datapackage(conn, datapackage)
        listed = ", ".join(f"{n} {name}" for name, n in counts.items())
        say(f"wrote {listed} and datapackage.json to {datapackage}")
    elif output is not None:
        n = export_to_file(conn, what, fmt, output, excel=excel)
        say(f"wrote {n} {what} to {output}")
    else:
        write_export(conn, what, fmt, sys.stdout, excel=excel)
