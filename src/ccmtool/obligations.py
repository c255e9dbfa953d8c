"""What each party owes under the Convention, by when, and what moved or closed it.

Deadlines run from the state's entry into force (treaty.py), and are derived:
- Article 7(2): the initial transparency report, within 180 days;
- Article 3(2): destruction of stockpiled cluster munitions, within 8 years;
- Article 4(1)(a): clearance of contaminated areas, within 10 years.

Facts that move or close them (subject: the obligation): `extended`, dated by the NEW deadline,
its `meeting` the meeting that granted it; `completed`, dated when it was done; `owes`, a source
saying the obligation applies (stockpiles held, areas contaminated).

Applicability: the report applies to every party. Stockpile destruction is listed for every
party but counts as applying only where a fact says the state held stockpiles (`owes`,
`completed`, `extended`, or an `announced stockpile-destruction`); elsewhere its status is `not
known to apply`. Clearance is listed only where a fact says so. A missing completion fact means
"not recorded", never "not done": `overdue` is past the deadline with no completion recorded.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ccmtool.dates import Span, add_months, span
from ccmtool.treaty import CONVENTION, Claim, Standing, load

Rows = list[tuple[Any, ...]]


class Rule(NamedTuple):
    article: str
    term: str
    due: Callable[[dt.date], dt.date]


RULES = {
    "transparency-report": Rule("Art. 7", "180 days", lambda d: d + dt.timedelta(days=180)),
    "stockpile-destruction": Rule("Art. 3", "8 years", lambda d: add_months(d, 8 * 12)),
    "clearance": Rule("Art. 4", "10 years", lambda d: add_months(d, 10 * 12)),
}

COMPLETED = "completed"
DUE = "due"
OVERDUE = "overdue"
ENDED = "ended by withdrawal"
DEADLINE_UNKNOWN = "deadline unknown"
NOT_KNOWN = "not known to apply"
UNKNOWN = "unknown"
STATUSES = (COMPLETED, DUE, OVERDUE, ENDED, DEADLINE_UNKNOWN, NOT_KNOWN, UNKNOWN)

COLUMNS = [
    "state",
    "code",
    "obligation",
    "article",
    "entry into force",
    "eif basis",
    "deadline",
    "deadline basis",
    "applies",
    "status",
    "completed",
    "note",
    "sources",
]


class Extension(NamedTuple):
    deadline: str
    meeting: str
    granted: Span


@dataclass
class Record:
    """What the facts say about one state's obligation."""

    applies: bool = False
    completions: list[Claim] = field(default_factory=list)
    extensions: list[Extension] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def _records(
    conn: sqlite3.Connection, state: str | None, today: dt.date
) -> dict[tuple[str, str], Record]:
    """(state, obligation) -> its facts; an announced stockpile destruction says stockpiles."""
    # For one state, `f.state = ?` lets SQLite read only that state's facts through the
    # natural key; `? IS NULL OR ...` would make it read every fact in the database.
    one = "f.state = ?" if state is not None else "? IS NULL"
    facts = f"""
        SELECT f.id, f.state, f.record, f.subject, f.date, coalesce(f.meeting, '') AS meeting,
               coalesce(m.start_date, '') AS start, coalesce(m.end_date, '') AS "end"
        FROM facts f LEFT JOIN meetings m ON m.slug = f.meeting
        WHERE {one}
          AND (f.record IN ('completed', 'extended', 'owes')
               OR (f.record = 'announced' AND f.subject = 'stockpile-destruction'))
        ORDER BY f.id
    """
    claims: dict[int, list[Claim]] = {}
    for r in conn.execute(
        f"SELECT c.fact, c.date, c.source FROM claims c JOIN ({facts}) f ON f.id = c.fact"
        " ORDER BY c.fact, c.pos",
        (state,),
    ):
        claims.setdefault(r[0], []).append(Claim(r[1], r[2]))
    out: dict[tuple[str, str], Record] = {}
    for r in conn.execute(facts, (state,)):
        rec = out.setdefault((r["state"], r["subject"]), Record())
        rec.applies = True
        if r["record"] == "completed":
            rec.completions += claims.get(r["id"]) or [Claim(r["date"], "")]
        elif r["record"] == "extended":
            granted = Span(None, today)
            if r["start"]:
                granted = Span(span(r["start"]).lo, span(r["end"] or r["start"]).hi)
            rec.extensions.append(Extension(r["date"], r["meeting"], granted))
        if r["record"] != "announced":  # an announcement is evidence, not this row's source
            for claim in claims.get(r["id"], []):
                if claim.source and claim.source not in rec.sources:
                    rec.sources.append(claim.source)
    return out


def _completion(claims: list[Claim], today: dt.date) -> Span | None:
    """The days the completion may have happened on: every claim's date, widest."""
    if not claims:
        return None
    dated = [c for c in claims if c.date] or claims  # an undated claim agrees with any date
    spans = [span(c.date, today) for c in dated]
    lo = None if any(s.lo is None for s in spans) else min(s.lo for s in spans if s.lo)
    return Span(lo, max(s.hi for s in spans if s.hi))


def assess(
    s: Standing, obligation: str, rec: Record, day: dt.date, today: dt.date
) -> tuple[Any, ...]:
    """One obligation of one state on `day`, as a row of COLUMNS."""
    rule = RULES[obligation]
    notes: list[str] = []
    deadline: Span | None = None
    basis = ""
    if s.eif is not None and s.eif.exact:
        deadline = s.eif.map(rule.due)
        basis = f"entry into force + {rule.term} ({s.eif_basis})"
    elif s.eif is not None and (s.eif.lo or s.eif.hi):
        deadline = s.eif.map(rule.due)
        basis = f"entry into force + {rule.term}"
        notes.append(f"entry into force unknown ({s.eif.describe()})")
    granted = [e for e in rec.extensions if e.granted.by(day)]
    pending = [e for e in rec.extensions if e.granted.by(day) is None]
    if granted:
        latest = max(granted, key=lambda e: span(e.deadline).hi or dt.date.max)
        deadline = span(latest.deadline)
        basis = f"extended at {latest.meeting} (reported)" if latest.meeting else "extended"
    applies = obligation == "transparency-report" or rec.applies
    completion = _completion(rec.completions, today)
    dates = [c.date for c in rec.completions if c.date]
    completed = " / ".join(dict.fromkeys(dates)) or ("undated" if rec.completions else "")
    done = completion.by(day) if completion else False
    ended = s.effect.by(day) if s.effect else False
    if done:
        status = COMPLETED
        if (
            deadline
            and completion
            and completion.lo
            and deadline.hi
            and completion.lo > deadline.hi
        ):
            notes.append("completed after the deadline")
    elif ended:
        status = ENDED
        notes.append(f"withdrawal took effect {s.effect.describe() if s.effect else ''}")
    elif not applies:
        status = NOT_KNOWN
    elif deadline is None or (deadline.lo is None and deadline.hi is None):
        status = DEADLINE_UNKNOWN
    else:
        past = deadline.before(day)
        if past is False:
            status = DUE
        elif past is None:
            status = UNKNOWN
            notes.append(f"deadline {deadline.describe()}")
        elif done is None:
            status = UNKNOWN
            notes.append(f"completion recorded ({completed}): cannot tell whether by {day}")
        elif ended is None:
            status = UNKNOWN
            notes.append(f"withdrawal takes effect {s.effect.describe() if s.effect else ''}")
        elif any(span(e.deadline).before(day) is not True for e in pending):
            status = UNKNOWN
            notes.append("an extension was granted at a date ccm cannot place")
        else:
            status = OVERDUE
    if done is False and completion is not None:
        notes.append(f"completion recorded later ({completed})")
    if obligation == "stockpile-destruction":
        applies_text = (
            "yes (a source says it held stockpiles)" if rec.applies else "if it held stockpiles"
        )
    elif obligation == "clearance":
        applies_text = "yes (a source says it has contaminated areas)"
    else:
        applies_text = "yes"
    sources = [*s.sources, *(x for x in rec.sources if x not in s.sources)]
    return (
        s.name,
        s.code,
        obligation,
        rule.article,
        s.eif.text() if s.eif else "",
        s.eif_basis,
        deadline.text() if deadline else "",
        basis,
        applies_text,
        status,
        completed,
        "; ".join(notes),
        " | ".join(sources),
    )


class Listing(NamedTuple):
    columns: list[str]
    rows: Rows
    counts: Counter[str]  # every deadline by status, before --overdue
    passed_unknown: int  # `not known to apply` whose derived deadline had passed
    completions: int  # completion facts in the database
    day: dt.date


def obligations(
    conn: sqlite3.Connection,
    *,
    state: str | None = None,
    as_of: dt.date | None = None,
    overdue: bool = False,
    today: dt.date | None = None,
) -> Listing:
    """Every deadline of every state bound by `as_of` (default today), by state and article."""
    treaty = load(conn, CONVENTION, today)
    day = as_of or treaty.today
    records = _records(conn, state, treaty.today)
    rows: Rows = []
    counts: Counter[str] = Counter()
    passed_unknown = 0
    for s in treaty.standings:
        if state is not None and s.code != state:
            continue
        if s.bound is None or span(s.bound, treaty.today).by(day) is False:
            continue
        for obligation in RULES:
            rec = records.get((s.code, obligation), Record())
            if obligation == "clearance" and not rec.applies:
                continue
            row = assess(s, obligation, rec, day, treaty.today)
            status, deadline = row[COLUMNS.index("status")], row[COLUMNS.index("deadline")]
            counts[status] += 1
            if status == NOT_KNOWN and deadline and deadline < day.isoformat():
                passed_unknown += 1
            if not overdue or status == OVERDUE:
                rows.append(row)
    # State by state through the natural key (state, record, ...): a handful of index
    # searches, where `WHERE record = 'completed'` alone would read every fact.
    recorded = conn.execute(
        "SELECT count(*) FROM states s CROSS JOIN facts f"
        " WHERE f.state = s.code AND f.record = 'completed'"
    ).fetchone()[0]
    return Listing(COLUMNS, rows, counts, passed_unknown, recorded, day)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def footer(listing: Listing, *, overdue: bool) -> str:
    """Counts by status, and what `overdue` does and does not mean."""
    c = listing.counts
    if overdue:
        text = f"{c[OVERDUE]} overdue on {listing.day} of {_plural(c.total(), 'deadline')}"
    else:
        listed = ", ".join(f"{c[s]} {s}" for s in STATUSES if c[s])
        text = f"On {listing.day}: {_plural(c.total(), 'deadline')} ({listed or 'none'})"
    text += (
        ". Deadlines are derived from entry into force (Articles 7, 3, 4) unless an extension"
        " is recorded. Overdue = past the deadline with no completion recorded; ccm holds "
        + _plural(listing.completions, "completion fact")
        + ", and a missing one means not recorded, not not done."
    )
    if listing.passed_unknown:
        text += (
            f" {_plural(listing.passed_unknown, 'stockpile-destruction deadline')} had passed"
            " for parties no recorded source says held stockpiles (status: not known to apply)."
        )
    if c[UNKNOWN]:
        text += f" {c[UNKNOWN]} cannot be placed on that date (coarse dates; see note)."
    return text
