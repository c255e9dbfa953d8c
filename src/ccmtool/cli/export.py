"""`ccm export`: the whole dataset back out, losslessly."""

from __future__ import annotations

import sys
from typing import Optional

import typer

from ccmtool.cli.base import app
from ccmtool.cli.common import DbOption, choice, current_path, examples, open_db, say
from ccmtool.errors import UsageError
from ccmtool.exporter import EXPORT_KINDS, export_to_file, write_export
from ccmtool.safeio import output_path, write_text

EXPORT_FORMATS = ("csv", "json", "jsonl", "markdown")
SUFFIXES = {"csv": ".csv", "json": ".json", "jsonl": ".jsonl", "markdown": ".md"}


@app.command(
    epilog=examples(
        "ccm export > facts.csv",
        "ccm export --what claims --format jsonl",
        "ccm export --what meetings --json",
        "ccm export --what all -o dump/",
        "ccm export --datapackage package/",
    )
)
def export(
    fmt: Optional[str] = typer.Option(  # noqa: UP045
        None,
        "--format",
        "-f",
        metavar="FORMAT",
        help="csv (the default), json, jsonl or markdown; --csv, --json... say the same.",
    ),
    csv_: bool = typer.Option(False, "--csv", help="CSV in the data contract (the default)."),
    json_: bool = typer.Option(False, "--json", help="A JSON array of objects."),
    jsonl: bool = typer.Option(False, "--jsonl", help="One JSON object per line."),
    markdown: bool = typer.Option(False, "--markdown", help="A Markdown table."),
    excel: bool = typer.Option(
        False, "--excel", help="CSV for spreadsheets: a BOM, and formula-like cells prefixed '."
    ),
    datapackage: Optional[str] = typer.Option(  # noqa: UP045
        None,
        "--datapackage",
        metavar="DIR",
        help="Write every table and a Frictionless datapackage.json here.",
    ),
    datasette_metadata: bool = typer.Option(
        False,
        "--datasette-metadata",
        help="Datasette's metadata.json: tables, columns and the record vocabulary.",
    ),
    what: str = typer.Option(
        "facts",
        "--what",
        metavar="TABLE",
        help=", ".join(EXPORT_KINDS) + " (claims: one row per source), or all (needs -o DIR).",
    ),
    output_text: Optional[str] = typer.Option(  # noqa: UP045
        None,
        "--output",
        "-o",
        metavar="FILE",
        help="Write to this file (atomically) instead of stdout; with --what all, a directory.",
    ),
    db_path: DbOption = None,
) -> None:
    """Export facts (one row per event, every source), claims (one row per source, with
    its own date and wording: lossless), or meetings, instruments, counts, states; or all
    of them, one file each, into a directory."""
    chosen = [
        n
        for n, on in (("csv", csv_), ("json", json_), ("jsonl", jsonl), ("markdown", markdown))
        if on
    ]
    if fmt is not None:
        chosen = list(dict.fromkeys([choice(fmt, EXPORT_FORMATS, "export format"), *chosen]))
    if len(chosen) > 1:
        raise UsageError(f"choose one format, not {' and '.join(chosen)}")
    fmt = chosen[0] if chosen else "csv"
    what = choice(what, [*EXPORT_KINDS, "all"], "table")
    if excel and fmt != "csv":
        raise UsageError("--excel goes with CSV only")
    if what == "all" and output_text is None and datapackage is None:
        raise UsageError("--what all writes one file per table: give a directory with -o DIR")
    # Outputs are checked before anything is read: never the database itself, a device, a
    # FIFO or an empty path (safeio.py).
    output = output_path(output_text, option="--output") if output_text is not None else None
    folder = output_path(datapackage, option="--datapackage") if datapackage is not None else None
    conn = open_db(db_path, readonly=True)
    database = current_path[0]
    if datasette_metadata:
        import json

        from ccmtool.datasette import metadata

        text = json.dumps(metadata(database.stem), ensure_ascii=False, indent=2) + "\n"
        if output is not None:
            write_text(output, text, database=database)
            say(f"wrote Datasette metadata to {output}")
        else:
            sys.stdout.write(text)
        return
    if folder is not None:
        from ccmtool.package import export_datapackage

        counts = export_datapackage(conn, folder, database=database)
        listed = ", ".join(f"{n} {name}" for name, n in counts.items())
        say(f"wrote {listed} and datapackage.json to {folder}")
    elif what == "all":
        assert output is not None
        output.mkdir(parents=True, exist_ok=True)
        for kind in EXPORT_KINDS:
            target = output / f"{kind}{SUFFIXES[fmt]}"
            n = export_to_file(conn, kind, fmt, target, excel=excel, database=database)
            say(f"wrote {n} {kind} to {target}")
    elif output is not None:
        n = export_to_file(conn, what, fmt, output, excel=excel, database=database)
        say(f"wrote {n} {what} to {output}")
    else:
        write_export(conn, what, fmt, sys.stdout, excel=excel)
