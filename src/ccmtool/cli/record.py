"""`ccm record` and its shortcuts `attend`, `endorse`, `announce`; `ccm remove`."""

from __future__ import annotations

import typer

from ccmtool.cli.base import app
from ccmtool.cli.common import DbOption, open_db, say
from ccmtool.db import transaction
from ccmtool.events import record_fact, remove_fact
from ccmtool.model import ACTIONS, RECORDS

SourceOption = typer.Option(
    ..., "--source", "-s", help="URL or citation; repeat for several sources."
)
DateOption = typer.Option(
    "", "--date", "-d", help="YYYY, YYYY-MM or YYYY-MM-DD, as the source gives it."
)
MeetingOption = typer.Option(
    "", "--meeting", "-m", help="Meeting where it happened (slug or city)."
)
DetailOption = typer.Option("", "--detail", help="What exactly: wording, conditions, numbers.")


def _record(
    db_path: object,
    state: str,
    record: str,
    subject: str,
    date: str,
    meeting: str,
    detail: str,
    source: list[str],
) -> None:
    conn = open_db(db_path)  # type: ignore[arg-type]
    with transaction(conn):
        st, slug, result = record_fact(
            conn, state, record, subject, date=date, meeting=meeting, detail=detail, sources=source
        )
    if result.status == "added":
        say(f"recorded fact {result.fact_id}: {st.name} ({st.code}) {record} {slug}")
    else:
        merged = f", {result.sources_added} source(s) added" if result.sources_added else ""
        say(f"fact {result.fact_id} already recorded: {result.status}{merged}")
    for kept in result.kept:
        # Never over what a source already said: say so, and how to change it.
        say(f"kept: {kept} (to change it: ccm remove {result.fact_id}, then record again)")


@app.command()
def record(
    state: str = typer.Argument(..., help="State name or ISO code."),
    record: str = typer.Argument(..., help=", ".join(RECORDS)),
    subject: str = typer.Argument(..., help="A meeting, an instrument, or an action."),
    date: str = DateOption,
    meeting: str = MeetingOption,
    detail: str = DetailOption,
    source: list[str] = SourceOption,
    db_path: DbOption = None,
) -> None:
    """Record one fact about a state, with its source(s)."""
    _record(db_path, state, record, subject, date, meeting, detail, source)


@app.command()
def attend(
    state: str = typer.Argument(..., help="State name or ISO code."),
    meeting: str = typer.Argument(..., help="Meeting slug, city or unique prefix."),
    date: str = DateOption,
    detail: str = DetailOption,
    source: list[str] = SourceOption,
    db_path: DbOption = None,
) -> None:
    """Record that a state took part in a meeting."""
    _record(db_path, state, "attended", meeting, date, "", detail, source)


@app.command()
def endorse(
    state: str = typer.Argument(..., help="State name or ISO code."),
    instrument: str = typer.Argument(..., help="Declaration or treaty slug (or unique prefix)."),
    date: str = DateOption,
    meeting: str = MeetingOption,
    detail: str = DetailOption,
    source: list[str] = SourceOption,
    db_path: DbOption = None,
) -> None:
    """Record that a state endorsed a declaration (or adopted the treaty text)."""
    _record(db_path, state, "endorsed", instrument, date, meeting, detail, source)


@app.command()
def announce(
    state: str = typer.Argument(..., help="State name or ISO code."),
    action: str = typer.Argument(..., help=", ".join(ACTIONS)),
    detail: str = typer.Option(..., "--detail", help="What was announced, in the source's terms."),
    date: str = DateOption,
    meeting: str = MeetingOption,
    source: list[str] = SourceOption,
    db_path: DbOption = None,
) -> None:
    """Record a national action a state announced (moratorium, stockpile destruction...)."""
    _record(db_path, state, "announced", action, date, meeting, detail, source)


@app.command()
def remove(
    fact_id: int = typer.Argument(..., help="The fact's id, as `ccm state NAME` shows it."),
    db_path: DbOption = None,
) -> None:
    """Delete one fact and its sources."""
    conn = open_db(db_path)
    with transaction(conn):
        description = remove_fact(conn, fact_id)
    say(f"removed {description}")
