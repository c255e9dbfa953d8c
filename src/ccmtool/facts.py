"""Writes: states, aliases, meetings, instruments and counts (facts: events.py).

Every function here takes an open connection and leaves transactions to the caller, so that
a command (or a whole multi-file import) commits once or not at all.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, NamedTuple

from ccmtool.errors import CcmError, UnknownStateError

if TYPE_CHECKING:
    from ccmtool.names import Country


def normalize(text: str) -> str:
    """names.normalize, imported on first use: reading commands that never resolve a name
    (most of them) do not pay for loading the name module at start-up."""
    from ccmtool.names import normalize as names_normalize

    return names_normalize(text)


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
        names.check_spelling(name)  # a refused spelling says why (two states, mixed scripts)
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
    from ccmtool import names

    key = normalize(spelling)
    if not key:
        raise CcmError("an alias cannot be empty")
    names.check_spelling(spelling)  # held to the rules for names: one script, one state...
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


def _fold(text: str) -> str:
    """A city as typed or as stored, compared without case, accents or extra spaces
    (`San José` is `san jose`). Cities are not states: no name library needed."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.casefold().split())


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
    key = _fold(text)
    by_city = [r for r in rows if _fold(r["city"]) == key]
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


Change = tuple[str, object, object]  # (field, before, after)


def _upsert(
    conn: sqlite3.Connection, table: str, key: str, row: dict[str, object]
) -> tuple[str, list[Change]]:
    """Insert a row, or change only the fields given (None or '' means not given).

    Returns 'added', 'updated' or 'unchanged' and each change as (field, before, after):
    an update never blanks a field nobody mentioned, and the caller says what changed.
    """
    existing = conn.execute(f"SELECT * FROM {table} WHERE {key} = ?", (row[key],)).fetchone()
    if existing is None:
        cols = list(row)
        marks = ", ".join("?" for _ in cols)
        conn.execute(
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", list(row.values())
        )
        return "added", []
    changes: list[Change] = [
        (c, existing[c], v)
        for c, v in row.items()
        if c != key and v is not None and v != "" and existing[c] != v
    ]
    if not changes:
        return "unchanged", []
    sets = ", ".join(f"{c} = ?" for c, _, _ in changes)
    conn.execute(
        f"UPDATE {table} SET {sets} WHERE {key} = ?", [v for _, _, v in changes] + [row[key]]
    )
    return "updated", changes


def put_meeting(conn: sqlite3.Connection, meeting: dict[str, object]) -> tuple[str, list[Change]]:
    """Add a meeting, or change the fields given (already validated)."""
    return _upsert(conn, "meetings", "slug", meeting)


def put_instrument(
    conn: sqlite3.Connection, instrument: dict[str, object]
) -> tuple[str, list[Change]]:
    return _upsert(conn, "instruments", "slug", instrument)


def put_count(conn: sqlite3.Connection, count: dict[str, object]) -> str:
    """A reported figure; the same figure from the same source twice is one row."""
    cur = conn.execute(
        "INSERT OR IGNORE INTO counts (meeting, record, count, detail, source)"
        " VALUES (:meeting, :record, :count, :detail, :source)",
        count,
    )
    return "added" if cur.rowcount else "unchanged"
