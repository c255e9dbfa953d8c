"""`ccm check`: SQLite's integrity checks and ccm's own invariants, as a table."""

from __future__ import annotations

import typer

from ccmtool.cli.base import app
from ccmtool.cli.common import DbOption, FormatOption, check_format, examples, show
from ccmtool.errors import CcmError


@app.command(epilog=examples("ccm check", "ccm check --quick --format json"))
def check(
    quick: bool = typer.Option(
        False, "--quick", help="quick_check instead of integrity_check (faster, less thorough)."
    ),
    fmt: FormatOption = "table",
    db_path: DbOption = None,
) -> None:
    """Check the database: integrity, foreign keys, and that every fact has a source and
    every reference leads somewhere. Changes nothing; exit 1 if anything is wrong."""
    from ccmtool import db
    from ccmtool.check import run_checks

    check_format(fmt)
    path = db_path or db.default_path()
    results = run_checks(path, quick=quick)
    rows = [(c.name, _result(c.problems), c.detail) for c in results]
    failed = [c for c in results if not c.ok]
    note = f"{_plural(len(results), 'check')}, {len(failed)} failed"
    show(["check", "result", "detail"], rows, fmt, note)
    if failed:
        raise CcmError(
            f"{path}: {len(failed)} of {len(results)} checks failed"
            f" ({', '.join(c.name for c in failed[:3])}{', ...' if len(failed) > 3 else ''});"
            " restore a backup or re-import the data"
        )


def _result(problems: int) -> str:
    return "ok" if problems == 0 else _plural(problems, "problem")


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'s' if n != 1 else ''}"
