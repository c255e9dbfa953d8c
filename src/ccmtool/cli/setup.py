"""`ccm init` and `ccm info`: where the database is and what it holds."""

from __future__ import annotations

import typer

from ccmtool import db
from ccmtool.cli.base import app
from ccmtool.cli.common import DbOption, FormatOption, check_format, examples, open_db, say, show
from ccmtool.errors import CcmError
from ccmtool.queries import info as info_rows


@app.command(
    epilog=examples(
        "ccm init",
        "ccm init --db mine.db --empty",
        "ccm init --force",
    )
)
def init(
    empty: bool = typer.Option(False, "--empty", help="Start with no data (no built-in dataset)."),
    force: bool = typer.Option(False, "--force", help="Replace an existing database."),
    db_path: DbOption = None,
) -> None:
    """Create the database, filled from the built-in Oslo Process dataset unless --empty."""
    path = db_path or db.default_path()
    db.check_is_ccm_file(path)
    if path.exists() and path.stat().st_size > 0 and not force:
        raise CcmError(f"{path} already exists; --force replaces it (its data is lost)")
    db.create(path, seed=not empty, replace=force, notify=say)


@app.command(
    epilog=examples(
        "ccm info",
        "ccm --db mine.db info",
        "ccm info --format json",
    )
)
def info(db_path: DbOption = None, fmt: FormatOption = "table") -> None:
    """Where the database is, its schema version, and how many rows each table holds."""
    check_format(fmt)
    path = db_path or db.default_path()
    conn = open_db(db_path, readonly=True)
    rows = [("path", str(path.resolve())), *info_rows(conn)]
    from ccmtool.dataset import dataset_version

    version = dataset_version(conn)
    rows += [
        ("dataset version", f"{version.version} ({version.describe()})"),
        ("dataset fingerprint", version.fingerprint),
    ]
    show(["field", "value"], rows, fmt)
