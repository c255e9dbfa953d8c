"""Every listing's output: tables through tabulate, or CSV / JSON for other tools.

Data goes to stdout; footers (counts, notes on partial data) go to stdout under a table but
to stderr for machine formats, so `ccm ... --format csv > file` stays clean.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any, TextIO

from ccmtool.errors import UsageError

MACHINE_FORMATS = ("csv", "json")
# Our names for tabulate styles; any other tabulate format name is passed through.
_ALIASES = {"table": "simple", "markdown": "github"}


def check_format(fmt: str) -> str:
    """Reject an unknown format before any work is done (exit 2, bad usage)."""
    if fmt in MACHINE_FORMATS or fmt in _ALIASES:
        return fmt
    import tabulate

    if fmt not in tabulate.tabulate_formats:
        known = ", ".join(["table", "csv", "json", "markdown", *sorted(tabulate.tabulate_formats)])
        raise UsageError(f"unknown format {fmt!r}; choose one of {known}")
    return fmt


def render(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    fmt: str = "table",
    out: TextIO | None = None,
) -> None:
    out = out or sys.stdout
    if fmt == "csv":
        import csv

        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
    elif fmt == "json":
        import json

        records = [dict(zip(columns, row, strict=True)) for row in rows]
        out.write(json.dumps(records, ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(table(columns, rows, _ALIASES.get(fmt, fmt)) + "\n")


def table(columns: Sequence[str], rows: Sequence[Sequence[Any]], style: str = "simple") -> str:
    from tabulate import tabulate

    if not rows:
        return "(no rows)"
    cells = [["" if v is None else v for v in row] for row in rows]
    if style in ("github", "pipe"):
        # ' | ' separates sources; unescaped, it would split a Markdown cell in two.
        cells = [[v.replace("|", "\\|") if isinstance(v, str) else v for v in r] for r in cells]
    return tabulate(
        cells,
        headers=list(columns),
        tablefmt=style,
        disable_numparse=True,
    )


def markdown_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    return table(columns, rows, "github") + "\n"


def footer(text: str, fmt: str) -> None:
    """A summary line: under the table, or on stderr when stdout carries machine data."""
    if fmt in MACHINE_FORMATS:
        print(text, file=sys.stderr)
    else:
        print(f"\n{text}")
