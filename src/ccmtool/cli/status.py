"""`ccm status`: where each state stands towards a treaty on a date, with derived dates labelled."""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

import typer

from ccmtool.cli.base import app
from ccmtool.cli.common import (
    DbOption,
    FormatOption,
    check_format,
    choice,
    examples,
    open_db,
    show,
)
from ccmtool.cli.common import date as date_option
from ccmtool.cli.common import region as region_option
from ccmtool.dates import check_date
from ccmtool.errors import UsageError
from ccmtool.facts import resolve_instrument
from ccmtool.render import MACHINE_FORMATS
from ccmtool.treaty import STATUSES, summary
from ccmtool.treaty import status as status_rows


def as_of_date(value: str | None) -> dt.date | None:
    """A full date: status on a month or a year would hide changes within it."""
    if value is None:
        return None
    try:
        date = check_date(value)
    except ValueError as exc:
        raise UsageError(f"--as-of: {exc}") from None
    if len(date) != 10:
        raise UsageError(f"--as-of {value!r}: give a full date (YYYY-MM-DD)")
    return dt.date.fromisoformat(date)


def filter_date(value: str | None, option: str) -> str | None:
    return date_option(value, option)


def with_basis(date: str, basis: str) -> str:
    return f"{date} ({basis})" if date and basis else date


def compact(columns: list[str], rows: list[tuple[Any, ...]]) -> tuple[list[str], list[tuple]]:
    """For people: each derived or reported date beside its label, one withdrawal column."""
    i = {c: n for n, c in enumerate(columns)}
    out = []
    for r in rows:
        notice, effect = r[i["withdrawal notice"]], r[i["withdrawal effective"]]
        withdrawal = "; ".join(
            p
            for p in (
                f"notice {notice}" if notice else "",
                f"effective {with_basis(effect, r[i['withdrawal basis']])}" if effect else "",
            )
            if p
        )
        out.append(
            (
                r[i["state"]],
                r[i["code"]],
                r[i["status"]],
                r[i["signed"]],
                r[i["bound how"]],
                r[i["bound"]],
                with_basis(r[i["entry into force"]], r[i["eif basis"]]),
                withdrawal,
                r[i["note"]],
                r[i["sources"]],
            )
        )
    head = ["state", "code", "status", "signed", "bound how", "bound", "entry into force"]
    return [*head, "withdrawal", "note", "sources"], out


@app.command(
    epilog=examples(
        "ccm status",
        "ccm status --as-of 2010-09-01",
        "ccm status --status party --region Africa",
        "ccm status --since 2020 --format csv",
    )
)
def status(
    instrument: str = typer.Argument("ccm", help="A treaty (default: the Convention, ccm)."),
    as_of: Optional[str] = typer.Option(  # noqa: UP045
        None, "--as-of", help="Status on this day (YYYY-MM-DD). Default: today."
    ),
    only: Optional[str] = typer.Option(  # noqa: UP045
        None,
        "--status",
        help="signatory, 'bound, not yet in force', party, withdrawn, "
        "'bound, entry into force unknown' or unknown.",
    ),
    region: Optional[str] = typer.Option(None, "--region", help="UN region or subregion."),  # noqa: UP045
    since: Optional[str] = typer.Option(  # noqa: UP045
        None, "--since", help="Bound on or after (YYYY, YYYY-MM, YYYY-MM-DD)."
    ),
    until: Optional[str] = typer.Option(None, "--until", help="Bound on or before."),  # noqa: UP045
    fmt: FormatOption = "table",
    db_path: DbOption = None,
) -> None:
    """Each state that signed or joined a treaty: status on a date, signature, binding, entry
    into force (derived by Article 17 unless labelled reported), withdrawal, sources."""
    check_format(fmt)
    day = as_of_date(as_of)
    if only is not None:
        only = choice(only, STATUSES, "status")
    region = region_option(region)
    since_d, until_d = filter_date(since, "--since"), filter_date(until, "--until")
    conn = open_db(db_path, readonly=True)
    slug = resolve_instrument(conn, instrument)
    columns, rows, treaty = status_rows(
        conn, slug, as_of=day, status=only, region=region, since=since_d, until=until_d
    )
    note = summary(treaty, day or treaty.today)
    if only or region or since_d or until_d:
        note = f"{len(rows)} listed. " + note
        if since_d or until_d:
            note += " States with no dated binding are left out by --since/--until."
    if fmt not in MACHINE_FORMATS:
        columns, rows = compact(columns, rows)
    show(columns, rows, fmt, note)
