"""Everything the site shows, read once with SQL into plain objects the templates walk.

Reading the whole dataset once (a few thousand rows for the built-in data) and grouping in
Python is what keeps `ccm site` fast: one query per table instead of several per page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from ccmtool.conflicts import conflicts
from ccmtool.dataset import DatasetVersion, dataset_version
from ccmtool.events import agree
from ccmtool.model import RECORDS
from ccmtool.queries import count_label, newcomers

PRESENCE_STATED = ("attended", "hosted")
# Records that make a state bound by a treaty; compared together, as `ccm conflicts` does.
BOUND = ("ratified", "acceded", "approved", "accepted")
_LABELS = {"bound how": "how bound", "eif basis": "entry into force basis"}
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,80}")


def page_name(key: str) -> str:
    """A file name for a page: the key itself when it is plain, else a stable hash of it.

    Slugs and codes are checked on the way in, but the site must not trust that: a key
    with '/', '..' or odd characters never becomes a path.
    """
    if _SAFE_NAME.fullmatch(key):
        return f"{key}.html"
    return "x-" + hashlib.sha256(key.encode()).hexdigest()[:12] + ".html"


@dataclass
class Claim:
    source: str
    date: str
    detail: str
    implied: bool


@dataclass
class Fact:
    id: int
    state: str
    record: str
    subject: str
    occurrence: str
    date: str
    meeting: str | None
    instrument: str | None
    detail: str
    implied: bool
    claims: list[Claim] = field(default_factory=list)
    # The meeting's start date, for a fact with no date of its own.
    meeting_date: str = ""

    @property
    def disputed(self) -> bool:
        """The sources give dates that cannot all be true."""
        dates = [c.date for c in self.claims if c.date]
        return any(not agree(a, b) for a in dates for b in dates)

    @property
    def sort_key(self) -> tuple[str, int]:
        return (self.date or self.meeting_date or "9999", self.id)


@dataclass
class Count:
    record: str
    count: int
    detail: str
    source: str

    @property
    def label(self) -> str:
        return count_label(self.count, self.detail)


@dataclass
class State:
    code: str
    name: str
    region: str
    subregion: str
    aliases: list[str] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)

    @property
    def page(self) -> str:
        return page_name(self.code)


@dataclass
class Presence:
    """One state at one meeting: how it is known, and the facts that show it."""

    state: str
    facts: list[Fact]

    @property
    def stated(self) -> bool:
        return any(f.record in PRESENCE_STATED for f in self.facts)

    @property
    def shown(self) -> list[Fact]:
        """What the sources state, when they do; otherwise what implies presence."""
        if self.stated:
            return [f for f in self.facts if f.record in PRESENCE_STATED]
        return self.facts


@dataclass
class Meeting:
    slug: str
    name: str
    city: str
    country: str | None
    start: str
    end: str
    kind: str
    reported: int | None
    source: str
    counts: list[Count] = field(default_factory=list)
    present: list[Presence] = field(default_factory=list)
    absent: list[Fact] = field(default_factory=list)
    newcomers: list[str] = field(default_factory=list)

    @property
    def page(self) -> str:
        return page_name(self.slug)

    @property
    def year(self) -> str:
        return self.start[:4]

    @property
    def short(self) -> str:
        """'Lima 2007': short enough for a chart label."""
        return f"{self.city or self.name} {self.year or '(no date)'}"

    @property
    def main_reported(self) -> int | None:
        """The figure to chart: the meeting's own, else the first participation count."""
        if self.reported is not None:
            return self.reported
        firsts = [c.count for c in self.counts if c.record == "attended"]
        return firsts[0] if firsts else None

    def reported_labels(self, record: str = "attended") -> list[str]:
        labels: list[str] = []
        if record == "attended" and self.reported is not None:
            labels.append(str(self.reported))
        for c in self.counts:
            if c.record == record and c.label not in labels:
                labels.append(c.label)
        return labels


@dataclass
class Instrument:
    slug: str
    name: str
    kind: str
    meeting: str | None
    date: str
    source: str
    facts: list[Fact] = field(default_factory=list)

    @property
    def page(self) -> str:
        return page_name(self.slug)

    def by_record(self) -> dict[str, list[Fact]]:
        """Facts grouped by record, in the vocabulary's order (endorsed, declined, signed...)."""
        out: dict[str, list[Fact]] = {}
        for f in self.facts:
            out.setdefault(f.record, []).append(f)
        order = {record: i for i, record in enumerate(RECORDS)}
        return dict(sorted(out.items(), key=lambda kv: order.get(kv[0], len(order))))


@dataclass
class Conflict:
    kind: str
    subject: str
    state: str  # a state name, as `ccm conflicts` gives it; '' for counts
    what: str
    sources: str


@dataclass
class Dataset:
    version: DatasetVersion
    states: dict[str, State]
    meetings: dict[str, Meeting]
    instruments: dict[str, Instrument]
    facts: list[Fact]
    conflicts: list[Conflict]
    claims: int
    # Per state code: (label, value) pairs of its Convention status, and its deadlines.
    status: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    deadlines: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    as_of: str = ""

    def sources(self) -> int:
        return len({c.source for f in self.facts for c in f.claims})


def _rows(conn: sqlite3.Connection, sql: str, *params: object) -> list[sqlite3.Row]:
    return conn.execute(sql, params).fetchall()


def load(conn: sqlite3.Connection, today: dt.date) -> Dataset:
    """The whole dataset, grouped for pages; derived status and deadlines as of `today`."""
    states = {
        r["code"]: State(r["code"], r["name"], r["region"], r["subregion"])
        for r in _rows(conn, "SELECT code, name, region, subregion FROM states ORDER BY name")
    }
    for r in _rows(conn, "SELECT state, spelling FROM aliases ORDER BY spelling"):
        state = states.get(r["state"])
        if state is not None and r["spelling"] != state.name:
            state.aliases.append(r["spelling"])
    meetings = {
        r["slug"]: Meeting(
            r["slug"],
            r["name"],
            r["city"],
            r["country"],
            r["start_date"],
            r["end_date"],
            r["kind"],
            r["reported"],
            r["source"],
        )
        for r in _rows(
            conn,
            "SELECT slug, name, city, country, start_date, end_date, kind, reported, source"
            " FROM meetings ORDER BY start_date = '', start_date, slug",
        )
    }
    for r in _rows(
        conn, "SELECT meeting, record, count, detail, source FROM counts ORDER BY meeting, id"
    ):
        if r["meeting"] in meetings:
            meetings[r["meeting"]].counts.append(
                Count(r["record"], r["count"], r["detail"], r["source"])
            )
    instruments = {
        r["slug"]: Instrument(r["slug"], r["name"], r["kind"], r["meeting"], r["date"], r["source"])
        for r in _rows(
            conn,
            "SELECT slug, name, kind, meeting, date, source FROM instruments"
            " ORDER BY date = '', date, slug",
        )
    }
    facts = _facts(conn, meetings)
    by_id = {f.id: f for f in facts}
    for f in facts:
        states[f.state].facts.append(f)
        if f.instrument in instruments:
            instruments[f.instrument].facts.append(f)
        if f.record == "absent" and f.subject in meetings:
            meetings[f.subject].absent.append(f)
    _presence(conn, meetings, by_id)
    for m in meetings.values():
        m.absent.sort(key=lambda f: states[f.state].name)
        columns, rows = newcomers(conn, m.slug)
        code = columns.index("code")
        m.newcomers = [row[code] for row in rows]
    for s in states.values():
        s.facts.sort(key=lambda f: f.sort_key)
    for i in instruments.values():
        i.facts.sort(key=lambda f: (states[f.state].name, f.sort_key))
    columns, rows = conflicts(conn)
    found = [Conflict(**dict(zip(columns, row, strict=True))) for row in rows]
    claims = conn.execute("SELECT count(*) FROM claims").fetchone()[0]
    standing, deadlines = _status(conn, today)
    return Dataset(
        dataset_version(conn),
        states,
        meetings,
        instruments,
        facts,
        found,
        claims,
        standing,
        deadlines,
        today.isoformat(),
    )


def _facts(conn: sqlite3.Connection, meetings: dict[str, Meeting]) -> list[Fact]:
    facts = [
        Fact(
            r["id"],
            r["state"],
            r["record"],
            r["subject"],
            r["occurrence"],
            r["date"],
            r["meeting"],
            r["instrument"],
            r["detail"],
            bool(r["implied"]),
        )
        for r in _rows(
            conn,
            "SELECT id, state, record, subject, occurrence, date, meeting, instrument, detail,"
            " implied FROM facts ORDER BY id",
        )
    ]
    by_id = {f.id: f for f in facts}
    for r in _rows(
        conn, "SELECT fact, source, date, detail, implied FROM claims ORDER BY fact, pos"
    ):
        fact = by_id.get(r["fact"])
        if fact is not None:
            fact.claims.append(Claim(r["source"], r["date"], r["detail"], bool(r["implied"])))
    for f in facts:
        where = meetings.get(f.meeting or "") or meetings.get(f.subject)
        if where is not None:
            f.meeting_date = where.start
    return facts


def _presence(conn: sqlite3.Connection, meetings: dict[str, Meeting], by_id: dict) -> None:
    """Who was at each meeting, from the `presence` view: every fact at it but `absent`."""
    grouped: dict[tuple[str, str], list[Fact]] = {}
    for r in _rows(
        conn,
        "SELECT p.meeting, p.state, p.fact FROM presence p JOIN states s ON s.code = p.state"
        " ORDER BY p.meeting, s.name, p.fact",
    ):
        fact = by_id.get(r["fact"])
        if fact is not None and r["meeting"] in meetings:
            grouped.setdefault((r["meeting"], r["state"]), []).append(fact)
    for (slug, code), facts in grouped.items():
        meetings[slug].present.append(Presence(code, facts))


def _status(conn: sqlite3.Connection, today: dt.date) -> tuple[dict, dict]:
    """Convention status and Article 3, 4 and 7 deadlines per state, on `today`, as
    `ccm status` and `ccm obligations` derive them; none when the data has no Convention."""
    from ccmtool.errors import CcmError
    from ccmtool.obligations import obligations
    from ccmtool.treaty import CONVENTION, status

    if conn.execute("SELECT 1 FROM instruments WHERE slug = ?", (CONVENTION,)).fetchone() is None:
        return {}, {}
    try:
        columns, rows, _treaty = status(conn, today=today)
        listing = obligations(conn, today=today)
    except CcmError:
        return {}, {}
    shown = [c for c in columns if c not in ("state", "code", "sources")]
    standing = {}
    for row in rows:
        values = dict(zip(columns, row, strict=True))
        standing[values["code"]] = [(_LABELS.get(c, c), str(values[c])) for c in shown if values[c]]
    deadlines: dict[str, list[dict[str, Any]]] = {}
    for row in listing.rows:
        values = dict(zip(listing.columns, row, strict=True))
        deadlines.setdefault(values["code"], []).append(values)
    return standing, deadlines
