"""Writes of facts: events and the claims that sources make of them.

A fact is one event: a state, a record, a subject, and the meeting where it happened. Each
source's statement of the event is a claim that keeps that source's own date and wording.
Claims that agree up to precision (no date and `2007-05`; `2007-05` and `2007-05-25`) are one
event dated at the most precise agreed date; claims that disagree on a record that happens
once (Burundi's two ratification dates) stay one event, and `ccm conflicts` lists them.
Only repeatable records (`announced`, `extended`) can be distinct events on different dates.

Every function takes an open connection and leaves transactions to the caller.
"""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

from ccmtool.contract import check_fact
from ccmtool.dates import check_date
from ccmtool.errors import CcmError
from ccmtool.facts import State, ensure_state, find_state, resolve_instrument, resolve_meeting
from ccmtool.model import (
    INSTRUMENT_RECORDS,
    MEETING_RECORDS,
    REPEATABLE_RECORDS,
    SOURCE_SEPARATOR,
    split_sources,
)

IMPLIED_PREFIX = "IMPLIED:"
INSERT_FACT = (
    "INSERT INTO facts (id, state, record, subject, occurrence, date, meeting, instrument,"
    " detail, implied, claim_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
INSERT_CLAIM = (
    "INSERT INTO claims (fact, pos, source, date, detail, implied) VALUES (?, ?, ?, ?, ?, ?)"
)


def is_implied(detail: str) -> bool:
    """A claim resting on a source's implication, by the research convention `IMPLIED: ...`."""
    return detail[:1] in "Ii" and detail[:8].upper() == IMPLIED_PREFIX


def agree(a: str, b: str) -> bool:
    """Two dates agree when one contains the other: '' agrees with every date."""
    return a.startswith(b) or b.startswith(a)


def best_date(dates: list[str]) -> str:
    """The most precise date the claims agree on; where they disagree, the first claim wins
    (the disagreement is kept in the claims and listed by `ccm conflicts`)."""
    best = ""
    for date in dates:
        if agree(best, date) and len(date) > len(best):
            best = date
    return best


class FactResult(NamedTuple):
    fact_id: int
    status: str  # added, updated, unchanged
    sources_added: int
    # Claims this call did not change because the same source already says otherwise.
    kept: tuple[str, ...] = ()


def _find_event(
    conn: sqlite3.Connection, state: str, record: str, subject: str, date: str
) -> sqlite3.Row | None:
    """The event these claims are about, if it is already stored.

    A repeatable record's occurrence is its date, so agreeing dates are found by index:
    the same date, a more precise one, then each less precise prefix ('', year, month).
    """
    query = (
        "SELECT id, date, occurrence, meeting FROM facts"
        " WHERE state = ? AND record = ? AND subject = ? AND occurrence"
    )
    if record not in REPEATABLE_RECORDS:
        return conn.execute(query + " = ''", (state, record, subject)).fetchone()
    key = (state, record, subject)
    row = conn.execute(query + " = ?", (*key, date)).fetchone()
    if row is None and len(date) < 10:
        row = conn.execute(
            query + " > ? AND occurrence < ? || '~' ORDER BY id LIMIT 1"
            if date
            else query + " > '' ORDER BY id LIMIT 1",
            (*key, date, date) if date else key,
        ).fetchone()
    if row is None:
        for prefix in (date[:7], date[:4], ""):
            if len(prefix) < len(date):
                row = conn.execute(query + " = ?", (*key, prefix)).fetchone()
                if row is not None:
                    break
    return row


def _refresh(conn: sqlite3.Connection, fact_id: int, record: str) -> None:
    """Recompute an event's date, wording and implied mark from its claims."""
    claims = conn.execute(
        "SELECT date, detail, implied FROM claims WHERE fact = ? ORDER BY pos", (fact_id,)
    ).fetchall()
    date = best_date([c["date"] for c in claims])
    detail = next((c["detail"] for c in claims if c["detail"]), "")
    implied = int(bool(claims) and all(c["implied"] for c in claims))
    occurrence = date if record in REPEATABLE_RECORDS else ""
    values = (date, detail, implied, occurrence)
    conn.execute(
        "UPDATE facts SET date = ?, detail = ?, implied = ?, occurrence = ?"
        " WHERE id = ? AND (date, detail, implied, occurrence) IS NOT (?, ?, ?, ?)",
        (*values, fact_id, *values),
    )


def put_fact(
    conn: sqlite3.Connection,
    state: str,
    record: str,
    subject: str,
    date: str,
    meeting: str,
    detail: str,
    sources: list[str],
    *,
    fact_id: int | None = None,
) -> FactResult:
    """Store validated claims: each source says this event happened, with this date and
    wording. A new event is stored under `fact_id` when given (imports keep file order).

    A source that already has a claim on the event is not heard twice: a more precise
    agreeing date or a first wording fills its claim in; anything else it says differently
    is kept as it was, and returned in `kept` so the caller can say so.
    """
    if not sources:
        raise ValueError("source: every fact needs at least one source")
    if record in MEETING_RECORDS:
        meeting = subject  # a fact about a meeting happened at it
    implied = int(is_implied(detail))
    row = _find_event(conn, state, record, subject, date)
    if row is None:
        instrument = subject if record in INSTRUMENT_RECORDS else None
        occurrence = date if record in REPEATABLE_RECORDS else ""
        cur = conn.execute(
            INSERT_FACT,
            (
                fact_id,
                state,
                record,
                subject,
                occurrence,
                date,
                meeting or None,
                instrument,
                detail,
                implied,
                len(sources),
            ),
        )
        new_id = int(cur.lastrowid or 0)
        conn.executemany(
            INSERT_CLAIM,
            [(new_id, pos, s, date, detail, implied) for pos, s in enumerate(sources)],
        )
        return FactResult(new_id, "added", 0)
    event_id = int(row["id"])
    status = "unchanged"
    if meeting and row["meeting"] is None:
        conn.execute("UPDATE facts SET meeting = ? WHERE id = ?", (meeting, event_id))
        status = "updated"
    existing = {
        c["source"]: c
        for c in conn.execute(
            "SELECT pos, source, date, detail FROM claims WHERE fact = ?", (event_id,)
        )
    }
    next_pos = max((c["pos"] for c in existing.values()), default=-1) + 1
    added = 0
    kept: list[str] = []
    for source in sources:
        claim = existing.get(source)
        if claim is None:
            conn.execute(
                INSERT_CLAIM,
                (event_id, next_pos, source, date, detail, implied),
            )
            next_pos += 1
            added += 1
            continue
        new_date = claim["date"]
        if agree(claim["date"], date) and len(date) > len(claim["date"]):
            new_date = date
        elif not agree(claim["date"], date):
            kept.append(f"{source} says {claim['date']}, not {date}")
        new_detail = claim["detail"] or detail
        if detail and claim["detail"] and detail != claim["detail"]:
            kept.append(f"{source} says {claim['detail']!r}")
        if (new_date, new_detail) != (claim["date"], claim["detail"]):
            conn.execute(
                "UPDATE claims SET date = ?, detail = ?, implied = ? WHERE fact = ? AND pos = ?",
                (new_date, new_detail, int(is_implied(new_detail)), event_id, claim["pos"]),
            )
            status = "updated"
    if added:
        # A new source is merged, not an update of the event itself (the summary counts it
        # as a merged source); the count is what the facts export relies on.
        conn.execute(
            "UPDATE facts SET claim_count = claim_count + ? WHERE id = ?", (added, event_id)
        )
    if added or status == "updated":
        before = conn.total_changes
        _refresh(conn, event_id, record)
        if conn.total_changes != before:
            status = "updated"
    return FactResult(event_id, status, added, tuple(kept))


def record_fact(
    conn: sqlite3.Connection,
    state_name: str,
    record: str,
    subject: str,
    *,
    date: str = "",
    meeting: str = "",
    detail: str = "",
    sources: list[str],
) -> tuple[State, str, FactResult]:
    """The `ccm record` path: names in (state, meeting, instrument), a stored claim out."""
    state = find_state(conn, state_name)
    record = record.strip().lower()
    if record in MEETING_RECORDS:
        subject = resolve_meeting(conn, subject)
    elif record in INSTRUMENT_RECORDS:
        subject = resolve_instrument(conn, subject)
    if meeting:
        meeting = resolve_meeting(conn, meeting)
    try:
        try:
            date = check_date(date)
        except ValueError as exc:
            raise ValueError(f"--date: {exc}") from None
        record, subject, meeting = check_fact(
            record, subject, meeting, slugs(conn, "meetings"), slugs(conn, "instruments")
        )
        # One --source may hold several, separated as in the CSV contract.
        sources = split_sources(SOURCE_SEPARATOR.join(sources))
        if not sources:
            raise ValueError("--source: every fact needs at least one source")
    except ValueError as exc:
        raise CcmError(str(exc)) from None
    ensure_state(conn, state)
    result = put_fact(conn, state.code, record, subject, date, meeting, detail.strip(), sources)
    return state, subject, result


def slugs(conn: sqlite3.Connection, table: str) -> set[str]:
    """Every meeting or instrument slug, for validating many facts without a query each."""
    return {r[0] for r in conn.execute(f"SELECT slug FROM {table}")}


def remove_fact(conn: sqlite3.Connection, fact_id: int) -> str:
    """Delete a fact and its claims; returns a one-line description of what went."""
    row = conn.execute(
        "SELECT f.id, s.name, f.record, f.subject, f.date FROM facts f"
        " JOIN states s ON s.code = f.state WHERE f.id = ?",
        (fact_id,),
    ).fetchone()
    if row is None:
        raise CcmError(f"no fact with id {fact_id}")
    conn.execute("DELETE FROM claims WHERE fact = ?", (fact_id,))
    conn.execute("DELETE FROM facts WHERE id = ?", (fact_id,))
    when = f" ({row['date']})" if row["date"] else ""
    return f"fact {fact_id}: {row['name']} {row['record']} {row['subject']}{when}"


FactRow = tuple[int, str, str, str, str, str, "str | None", "str | None", str, int, int]
ClaimRow = tuple[int, int, str, str, str, int]


class FactBatch:
    """Bulk writes for imports, with the semantics of `put_fact`.

    A claim that starts a new event (the usual case in a big import) goes in with
    `executemany`, under an id assigned here (the import holds the write lock). A claim whose
    event may already exist takes the row-by-row path of `put_fact`: a duplicate key found by
    the insert, or a repeatable record whose date could agree with another event's
    (a partial date, or a key that already has one).
    """

    SIZE = 10_000

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.next_id = int(conn.execute("SELECT coalesce(max(id), 0) FROM facts").fetchone()[0]) + 1
        self.rows: list[FactRow] = []
        self.claims: list[ClaimRow] = []
        self.added = self.updated = self.unchanged = self.sources_merged = 0
        self.partial: set[tuple[str, str, str]] = {
            (r[0], r[1], r[2])
            for r in conn.execute(
                "SELECT DISTINCT state, record, subject FROM facts"
                f" WHERE record IN ({', '.join('?' for _ in REPEATABLE_RECORDS)})"
                " AND length(date) < 10",
                REPEATABLE_RECORDS,
            )
        }

    def add(
        self,
        state: str,
        record: str,
        subject: str,
        date: str,
        meeting: str,
        detail: str,
        sources: list[str],
    ) -> None:
        fact_id = self.next_id
        self.next_id += 1
        occurrence = ""
        if record in REPEATABLE_RECORDS:
            key = (state, record, subject)
            if len(date) < 10:
                self.partial.add(key)
            if key in self.partial:
                self.flush()
                self._count(
                    put_fact(
                        self.conn,
                        state,
                        record,
                        subject,
                        date,
                        meeting,
                        detail,
                        sources,
                        fact_id=fact_id,
                    )
                )
                return
            occurrence = date
        implied = 1 if detail[:1] in "Ii" and is_implied(detail) else 0
        self.rows.append(
            (
                fact_id,
                state,
                record,
                subject,
                occurrence,
                date,
                meeting or None,
                subject if record in INSTRUMENT_RECORDS else None,
                detail,
                implied,
                len(sources),
            )
        )
        claims = self.claims
        for pos, source in enumerate(sources):
            claims.append((fact_id, pos, source, date, detail, implied))
        if len(self.rows) >= self.SIZE:
            self.flush()

    def add_checked(
        self,
        state: str,
        record: str,
        subject: str,
        date: str,
        meeting: str | None,
        instrument: str | None,
        detail: str,
        sources: list[str],
        repeatable: bool,
    ) -> None:
        """`add` for the import's hot loop, which has already worked out, once per kind of
        row, whether the record repeats and which instrument it is about."""
        occurrence = ""
        if repeatable:
            if len(date) < 10 or (state, record, subject) in self.partial:
                self.add(state, record, subject, date, meeting or "", detail, sources)
                return
            occurrence = date
        fact_id = self.next_id
        self.next_id = fact_id + 1
        implied = 1 if detail[:1] in "Ii" and is_implied(detail) else 0
        rows = self.rows
        rows.append(
            (
                fact_id,
                state,
                record,
                subject,
                occurrence,
                date,
                meeting,
                instrument,
                detail,
                implied,
                len(sources),
            )
        )
        if len(sources) == 1:
            self.claims.append((fact_id, 0, sources[0], date, detail, implied))
        else:
            self.claims.extend(
                (fact_id, pos, source, date, detail, implied) for pos, source in enumerate(sources)
            )
        if len(rows) >= self.SIZE:
            self.flush()

    def _count(self, result: FactResult) -> None:
        if result.status == "added":
            self.added += 1
        elif result.status == "updated":
            self.updated += 1
        else:
            self.unchanged += 1
        self.sources_merged += result.sources_added

    def flush(self) -> None:
        if not self.rows:
            return
        rows, claims = self.rows, self.claims
        self.rows, self.claims = [], []
        conn = self.conn
        before = conn.total_changes
        # A key already stored (or twice in this batch) is ignored here, merged below.
        conn.executemany(INSERT_FACT.replace("INSERT", "INSERT OR IGNORE", 1), rows)
        inserted = conn.total_changes - before
        self.added += inserted
        if inserted == len(rows):  # the usual case: every claim starts a new event
            conn.executemany(INSERT_CLAIM, claims)
            return
        first = rows[0][0]
        new = {r[0] for r in conn.execute("SELECT id FROM facts WHERE id >= ?", (first,))}
        conn.executemany(INSERT_CLAIM, [c for c in claims if c[0] in new])
        # Keys that were already there (or came twice in this batch): merge one by one.
        by_fact: dict[int, list[str]] = {}
        for c in claims:
            if c[0] not in new:
                by_fact.setdefault(c[0], []).append(c[2])
        for row in rows:
            if row[0] not in new:
                _, state, record, subject, _, date, meeting, _, detail, _, _ = row
                self._count(
                    put_fact(
                        self.conn,
                        state,
                        record,
                        subject,
                        date,
                        meeting or "",
                        detail,
                        by_fact[row[0]],
                    )
                )
