"""`ccm record` and its shortcuts `attend`, `endorse`, `announce`; `ccm remove`."""

from __future__ import annotations

import typer

from ccmtool.cli import common
from ccmtool.cli.base import app
from ccmtool.cli.common import DbOption, examples, open_db, say
from ccmtool.db import transaction
from ccmtool.errors import CcmError, UsageError
from ccmtool.events import record_fact, remove_fact
from ccmtool.model import (
    ACTION_RECORDS,
    ACTIONS,
    INSTRUMENT_RECORDS,
    MEETING_RECORDS,
    OBLIGATION_RECORDS,
    OBLIGATIONS,
    RECORDS,
    SOURCE_SEPARATOR,
    split_sources,
)

SourceOption = typer.Option(
    ..., "--source", "-s", metavar="SOURCE", help="URL or citation; repeat for several sources."
)
DateOption = typer.Option(
    "", "--date", "-d", metavar="DATE", help="YYYY, YYYY-MM or YYYY-MM-DD, as the source gives it."
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
    record = common.choice(record, RECORDS, "record")
    if record in ACTION_RECORDS:
        subject = common.choice(subject, ACTIONS, "action")
    elif record in OBLIGATION_RECORDS:
        subject = common.choice(subject, OBLIGATIONS, "obligation")
    common.date(date, "--date")
    if not split_sources(SOURCE_SEPARATOR.join(source)):
        raise UsageError("--source: every fact needs at least one source")
    conn = open_db(db_path)  # type: ignore[arg-type]
    # Every name given is checked first, as a usage error with suggestions.
    common.state(conn, state)
    if record in MEETING_RECORDS:
        common.meeting(conn, subject)
    elif record in INSTRUMENT_RECORDS:
        common.instrument(conn, subject)
    if meeting:
        common.meeting(conn, meeting)
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


@app.command(
    epilog=examples(
        'ccm record Burundi ratified ccm --date 2009-09-25 --source "https://treaties.un.org/..."',
        "ccm record Hungary completed stockpile-destruction --date 2011-06-30 -s URL",
    )
)
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


@app.command(
    epilog=examples(
        "ccm attend Hungary lima --source https://example.org/report",
        'ccm attend "New Zealand" wellington -s URL1 -s URL2',
    )
)
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


@app.command(
    epilog=examples(
        'ccm endorse "New Zealand" wellington-declaration --source https://example.org/report',
        "ccm endorse Peru oslo-declaration --meeting oslo-2007 -s URL",
    )
)
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


@app.command(
    epilog=examples(
        "ccm announce Hungary moratorium --date 2007-05-25 --meeting lima"
        ' --detail "an immediate moratorium" --source URL',
    )
)
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


@app.command(epilog=examples("ccm state Hungary    # shows each fact's id", "ccm remove 642"))
def remove(
    fact_id: int = typer.Argument(..., help="The fact's id, as `ccm state NAME` shows it."),
    db_path: DbOption = None,
) -> None:
    """Delete one fact and its sources."""
    conn = open_db(db_path)
    try:
        with transaction(conn):
            description = remove_fact(conn, fact_id)
    except CcmError as exc:  # no fact with that id: the argument names nothing
        raise UsageError(f"{exc.message}; `ccm state NAME` shows facts with their ids") from None
    say(f"removed {description}")
