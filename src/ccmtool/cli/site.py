"""`ccm site DIR`: write the dataset as a static website."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path
from typing import Optional

import typer

from ccmtool.cli.base import app
from ccmtool.cli.common import DbOption, examples, open_db, say
from ccmtool.errors import UsageError


def _release_date() -> str:
    """Today (UTC), or SOURCE_DATE_EPOCH's day, so a rebuild of the same data is identical."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            moment = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise UsageError(f"SOURCE_DATE_EPOCH={epoch!r}: not a Unix time in seconds") from None
    else:
        moment = dt.datetime.now(dt.timezone.utc)
    return moment.date().isoformat()


@app.command(
    epilog=examples(
        "ccm site public/",
        'ccm site public/ --author "A. Researcher" --url https://example.org/ccm/',
    )
)
def site(
    directory: Path = typer.Argument(..., help="Folder to write the site into (new or empty)."),
    author: list[str] = typer.Option(
        [], "--author", help="Who to cite (repeatable). Default: ccm contributors."
    ),
    url: Optional[str] = typer.Option(  # noqa: UP045
        None, "--url", help="Where the site will be published, for the citation."
    ),
    db_path: DbOption = None,
) -> None:
    """Write a static website of the dataset: pages, charts, downloads and a citation.

    Open DIRECTORY/index.html from the disk, or copy the folder to any static host. Running it
    again replaces a site it made before; any other non-empty folder is refused.
    """
    if url is not None and not url.startswith(("https://", "http://")):
        raise UsageError(f"--url {url!r}: give an http(s) address")
    if not all(a.strip() for a in author):
        raise UsageError("--author: give a name")
    from ccmtool.site import build_site

    started = time.perf_counter()
    conn = open_db(db_path, readonly=True)
    summary = build_site(
        conn,
        directory,
        released=_release_date(),
        authors=[a.strip() for a in author] if author else None,
        url=url,
    )
    seconds = time.perf_counter() - started
    say(
        f"wrote {summary.pages} pages ({summary.files} files) of dataset version"
        f" {summary.version} to {directory} in {seconds:.1f} s;"
        f" open {directory / 'index.html'}"
    )
