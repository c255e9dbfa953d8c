"""Writes: states, aliases, meetings, instruments, counts and facts.

Every function here takes an open connection and leaves transactions to the caller, so that
a command (or a whole multi-file import) commits once or not at all.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Container
from typing import NamedTuple

from ccmtool.dates import check_date
from ccmtool.errors import CcmError, UnknownStateError
from ccmtool.model import (
    ACTION_RECORDS,
    ACTIONS,
    INSTRUMENT_RECORDS,
    MEETING_RECORDS,
    RECORDS,
    SOURCE_SEPARATOR,
    split_sources,
)
from ccmtool.names import Country, normalize


class State(NamedTuple):
    code: str
    name: str
    region: str
    subregion: str


# --- states -------------------------------------------------------------------------------


def _known_spellings(conn: sqlite3.Connection) -> dict[str, tuple[str, str]]:
    """Normalised name, code and alias of every state in the database -> (name, code)."""
    spellings: dict[str, tuple[str, str]] = {}
    for row in conn.execute("SELECT code, name FROM states"):
        spellings[normalize(row["name"])] = (row["name"], row["code"])
        spellings[normalize(row["code"])] = (row["name"], row["code"])
    for row in conn.execute(
        "SELECT a.alias, s.name, s.code FROM aliases a JOIN states s ON s.code = a.state"
    ):
        spellings[row["alias"]] = (row["name"], row["code"])
    return spellings


def get_state(conn: sqlite3.Connection, code: str) -> State | None:
    row = conn.execute(
        "SELECT code, name, region, subregion FROM states WHERE code = ?", (code,)
    ).fetchone()
    return State(**dict(row)) if row else None


def find_state(conn: sqlite3.Connection, name: str) -> State:
    """The state a spelling names: the database's names and aliases first, then the library.

    Raises UnknownStateError with suggestions; never picks the closest match itself.
    """
    key = normalize(name)
    hit = _known_spellings(conn).get(key)
    if hit is not None:
        state = get_state(conn, hit[1])
        assert state is not None
        return state
    return _from_library(conn, name)


def _from_library(conn: sqlite3.Connection, name: str, where: str = "") -> State:
    from ccmtool import names

    country = names.find(name)
    if country is None:
        extra = {k: v for k, v in _known_spellings(conn).items() if len(k) > 3}
        raise UnknownStateError(name, names.suggest(name, extra), where=where)
    existing = get_state(conn, country.code)
    return existing or State(country.code, country.name, country.region, country.subregion)


def ensure_state(conn: sqlite3.Connection, state: State) -> bool:
    """Store the state if it is new; True if it was added."""
    cur = conn.execute(
        "INSERT OR IGNORE INTO states (code, name, region, subregion) VALUES (?, ?, ?, ?)",
        (state.code, state.name, state.region, state.subregion),
    )
    return cur.rowcount > 0


def state_for_code(conn: sqlite3.Connection, code: str, where: str = "") -> State:
    """The state with this ISO code; a code the library does not know is refused."""
    from ccmtool import names

    existing = get_state(conn, code.strip().upper())
    if existing:
        return existing
    country: Country | None = names.by_code(code)
    if country is None:
        prefix = f"{where}: " if where else ""
        raise CcmError(f"{prefix}{code!r} is not an ISO 3166-1 country code")
    return State(country.code, country.name, country.region, country.subregion)


def add_alias(conn: sqlite3.Connection, spelling: str, code: str) -> bool:
    """Make `spelling` name the state `code` from now on; True if it is new.

    A spelling that already names another state is refused: one spelling, one state.
    """
    key = normalize(spelling)
    if not key:
        raise CcmError("an alias cannot be empty")
    hit = _known_spellings(conn).get(key)
    if hit is not None:
        if hit[1] != code:
            raise CcmError(f"{spelling!r} already names {hit[0]} ({hit[1]})")
        return False
    from ccmtool import names

    country = names.find(spelling)
    if country is not None and country.code != code:
        raise CcmError(f"{spelling!r} is the name of {country.name} ({country.code}), not {code}")
    conn.execute(
        "INSERT INTO aliases (alias, spelling, state) VALUES (?, ?, ?)", (key, spelling, code)
    )
    return True


def add_state(
    conn: sqlite3.Connection, name: str, code: str | None = None, aliases: tuple[str, ...] = ()
) -> tuple[State, bool, list[str]]:
    """Add a state by name; with `code`, an unknown spelling becomes an alias of that code.

    Returns the state, whether it was new, and the aliases that were added.
    """
    if code:
        state = state_for_code(conn, code)
        try:
            named = find_state(conn, name)
        except UnknownStateError:
            named = None
        if named is not None and named.code != state.code:
            raise CcmError(f"{name!r} is {named.name} ({named.code}), not {state.code}")
        if named is None:
            aliases = (name, *aliases)
    else:
        state = find_state(conn, name)
    added = ensure_state(conn, state)
    new_aliases = [a for a in aliases if add_alias(conn, a, state.code)]
    return state, added, new_aliases


# --- meetings and instruments -------------------------------------------------------------


def resolve_meeting(conn: sqlite3.Connection, name: str) -> str:
    """A meeting's slug from its slug, its city or a unique slug prefix.

    An ambiguous name is an error listing the candidates: `oslo` is both the 2007
    conference and the 2008 signing.
    """
    text = name.strip()
    rows = conn.execute(
        "SELECT slug, name, city, start_date FROM meetings ORDER BY start_date = '', start_date"
    ).fetchall()
    lowered = text.casefold()
    for row in rows:
        if row["slug"] == lowered:
            return row["slug"]
    key = normalize(text)
    by_city = [r for r in rows if normalize(r["city"]) == key]
    if len(by_city) == 1:
        return by_city[0]["slug"]
    candidates = by_city or [r for r in rows if r["slug"].startswith(lowered)]
    if len(candidates) == 1:
        return candidates[0]["slug"]
    if not candidates:
        raise CcmError(f"no meeting called {name!r}; `ccm meetings` lists them")
    listed = "; ".join(
        f"{r['slug']} ({r['name']}, {r['start_date'] or 'date unknown'})" for r in candidates
    )
    raise CcmError(f"{name!r} is ambiguous: {listed}")


def resolve_instrument(conn: sqlite3.Connection, name: str) -> str:
    """An instrument's slug from its slug or a unique slug prefix (`wellington`)."""
    lowered = name.strip().casefold()
    rows = conn.execute("SELECT slug, name FROM instruments ORDER BY slug").fetchall()
    for row in rows:
        if row["slug"] == lowered:
            return row["slug"]
    candidates = [r for r in rows if r["slug"].startswith(lowered)]
    if len(candidates) == 1:
        return candidates[0]["slug"]
    if not candidates:
        raise CcmError(
            f"no instrument called {name!r}; known: {', '.join(r['slug'] for r in rows)}"
        )
    listed = ", ".join(r["slug"] for r in candidates)
    raise CcmError(f"{name!r} is ambiguous: {listed}")


def _upsert(conn: sqlite3.Connection, table: str, key: str, row: dict[str, object]) -> str:
    """Insert or update one row by its key; says 'added', 'updated' or 'unchanged'."""
    existing = conn.execute(f"SELECT * FROM {table} WHERE {key} = ?", (row[key],)).fetchone()
    cols = list(row)
    if existing is None:
        marks = ", ".join("?" for _ in cols)
        conn.execute(
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", list(row.values())
        )
        return "added"
    if all(existing[c] == row[c] for c in cols):
        return "unchanged"
    sets = ", ".join(f"{c} = ?" for c in cols if c != key)
    values = [row[c] for c in cols if c != key] + [row[key]]
    conn.execute(f"UPDATE {table} SET {sets} WHERE {key} = ?", values)
    return "updated"


def put_meeting(conn: sqlite3.Connection, meeting: dict[str, object]) -> str:
    """Add or update a meeting (already validated); 'added', 'updated' or 'unchanged'."""
    return _upsert(conn, "meetings", "slug", meeting)


def put_instrument(conn: sqlite3.Connection, instrument: dict[str, object]) -> str:
    return _upsert(conn, "instruments", "slug", instrument)


def put_count(conn: sqlite3.Connection, count: dict[str, object]) -> str:
    """A reported figure; the same figure from the same source twice is one row."""
    cur = conn.execute(
        "INSERT OR IGNORE INTO counts (meeting, record, count, detail, source)"
        " VALUES (:meeting, :record, :count, :detail, :source)",
        count,
    )
    return "added" if cur.rowcount else "unchanged"


# --- facts --------------------------------------------------------------------------------


def slugs(conn: sqlite3.Connection, table: str) -> set[str]:
    """Every meeting or instrument slug, for validating many facts without a query each."""
    return {r[0] for r in conn.execute(f"SELECT slug FROM {table}")}


def check_fact(
    record: str,
    subject: str,
    meeting: str,
    meetings: Container[str],
    instruments: Container[str],
) -> tuple[str, str, str]:
    """Validate a fact's record, subject and meeting; returns them normalised.

    Raises ValueError naming the field, so both the CLI and the importer can place the error.
    """
    record = record.strip().lower()
    subject = subject.strip()
    meeting = meeting.strip()
    if record not in RECORDS:
        raise ValueError(f"record: unknown record {record!r}; expected one of {', '.join(RECORDS)}")
    if record in MEETING_RECORDS:
        if subject not in meetings:
            raise ValueError(f"subject: no meeting {subject!r}")
    elif record in INSTRUMENT_RECORDS:
        if subject not in instruments:
            raise ValueError(f"subject: no instrument {subject!r}")
    elif record in ACTION_RECORDS and subject not in ACTIONS:
        raise ValueError(
            f"subject: unknown action {subject!r}; expected one of {', '.join(ACTIONS)}"
        )
    if meeting and meeting not in meetings:
        raise ValueError(f"meeting: no meeting {meeting!r}")
    return record, subject, meeting


class FactResult(NamedTuple):
    fact_id: int
    status: str  # added, updated, unchanged
    sources_added: int


def put_fact(
    conn: sqlite3.Connection,
    state: str,
    record: str,
    subject: str,
    date: str,
    meeting: str,
    detail: str,
    sources: list[str],
) -> FactResult:
    """Store a validated fact under its natural key (state, record, subject, date).

    The same fact again merges its sources; a new meeting or detail updates it.
    """
    if not sources:
        raise ValueError("source: every fact needs at least one source")
    row = conn.execute(
        "SELECT id, meeting, detail FROM facts"
        " WHERE state = ? AND record = ? AND subject = ? AND date = ?",
        (state, record, subject, date),
    ).fetchone()
    meeting_value = meeting or None
    if row is None:
        cur = conn.execute(
            "INSERT INTO facts (state, record, subject, date, meeting, detail)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (state, record, subject, date, meeting_value, detail),
        )
        fact_id = int(cur.lastrowid or 0)
        status = "added"
    else:
        fact_id = row["id"]
        status = "unchanged"
        if (meeting_value and row["meeting"] != meeting_value) or (
            detail and row["detail"] != detail
        ):
            conn.execute(
                "UPDATE facts SET meeting = coalesce(?, meeting), detail = ? WHERE id = ?",
                (meeting_value, detail or row["detail"], fact_id),
            )
            status = "updated"
    added = 0
    for source in sources:
        cur = conn.execute(
            "INSERT OR IGNORE INTO fact_sources (fact, pos, source) VALUES"
            " (?1, (SELECT coalesce(max(pos) + 1, 0) FROM fact_sources WHERE fact = ?1), ?2)",
            (fact_id, source),
        )
        added += cur.rowcount
    return FactResult(fact_id, status, added if status != "added" else 0)


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
    """The `ccm record` path: names in (state, meeting, instrument), a stored fact out."""
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


def remove_fact(conn: sqlite3.Connection, fact_id: int) -> str:
    """Delete a fact and its sources; returns a one-line description of what went."""
    row = conn.execute(
        "SELECT f.id, s.name, f.record, f.subject, f.date FROM facts f"
        " JOIN states s ON s.code = f.state WHERE f.id = ?",
        (fact_id,),
    ).fetchone()
    if row is None:
        raise CcmError(f"no fact with id {fact_id}")
    conn.execute("DELETE FROM fact_sources WHERE fact = ?", (fact_id,))
    conn.execute("DELETE FROM facts WHERE id = ?", (fact_id,))
    when = f" ({row['date']})" if row["date"] else ""
    return f"fact {fact_id}: {row['name']} {row['record']} {row['subject']}{when}"


class FactBatch:
    """Bulk writes for imports, with the semantics of `put_fact`.

    New facts get their ids assigned here (the import holds the write lock, so nobody else
    can take them) and go in with `executemany`, facts and sources alike; only a row whose
    natural key already exists takes the row-by-row path to merge sources or update.
    """

    SIZE = 10_000

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.next_id = int(conn.execute("SELECT coalesce(max(id), 0) FROM facts").fetchone()[0]) + 1
        self.rows: list[tuple[int, str, str, str, str, str | None, str]] = []
        self.sources: list[list[str]] = []
        self.added = self.updated = self.unchanged = self.sources_merged = 0

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
        self.rows.append((self.next_id, state, record, subject, date, meeting or None, detail))
        self.sources.append(sources)
        self.next_id += 1
        if len(self.rows) >= self.SIZE:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self._write(self.rows, self.sources)
            self.rows, self.sources = [], []

    def _write(
        self, rows: list[tuple[int, str, str, str, str, str | None, str]], sources: list[list[str]]
    ) -> None:
        conn = self.conn
        first = rows[0][0]
        conn.executemany(
            "INSERT OR IGNORE INTO facts (id, state, record, subject, date, meeting, detail)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        inserted = {r[0] for r in conn.execute("SELECT id FROM facts WHERE id >= ?", (first,))}
        conn.executemany(
            "INSERT INTO fact_sources (fact, pos, source) VALUES (?, ?, ?)",
            [
                (row[0], pos, source)
                for row, row_sources in zip(rows, sources, strict=True)
                if row[0] in inserted
                for pos, source in enumerate(row_sources)
            ],
        )
        self.added += len(inserted)
        # Keys that were already there (or came twice in this batch): merge one by one.
        for row, row_sources in zip(rows, sources, strict=True):
            if row[0] not in inserted:
                _, state, record, subject, date, meeting, detail = row
                result = put_fact(
                    conn, state, record, subject, date, meeting or "", detail, row_sources
                )
                if result.status == "updated":
                    self.updated += 1
                else:
                    self.unchanged += 1
                self.sources_merged += result.sources_added
