"""`ccm check`: is this database whole, and does it keep ccm's promises?

SQLite's own checks (`integrity_check`, `foreign_key_check`) find a corrupt page or a row
pointing nowhere; ccm's invariants find what SQLite cannot know: a fact with no source, a
claim without its fact, a meeting record whose meeting is missing, a record or date outside
the contract, an alias that mixes scripts. Each is one query counting the rows that break
it, so the whole check is linear in the size of the database (a few seconds at 500k facts).

The file is opened read-only and never upgraded or repaired: a check changes nothing.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from ccmtool.errors import CcmError

SAMPLE = 5  # ids shown per failed check


class Check(NamedTuple):
    name: str
    problems: int  # rows (or messages) that break the invariant; 0 is a pass
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.problems == 0


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {
        r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table','view')")
    }


def _sample(rows: list[tuple]) -> str:
    shown = ", ".join(str(r[0]) for r in rows[:SAMPLE])
    return shown + (", ..." if len(rows) > SAMPLE else "")


def _count(conn: sqlite3.Connection, name: str, sql: str, what: str) -> Check:
    """Rows from `sql` (first column: an id to show) are the rows breaking the invariant."""
    rows = [tuple(r) for r in conn.execute(sql).fetchmany(SAMPLE + 1)]
    if not rows:
        return Check(name, 0)
    total = conn.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]
    return Check(name, total, f"{what} {_sample(rows)}")


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"


def _invariants(conn: sqlite3.Connection) -> list[tuple[str, str, str, set[str]]]:
    """(name, SQL selecting the offending rows' ids, what the ids are, tables needed)."""
    from ccmtool import model

    meeting_records = _in(model.MEETING_RECORDS)
    instrument_records = _in(model.INSTRUMENT_RECORDS)
    action_records = _in(model.ACTION_RECORDS)
    obligation_records = _in(getattr(model, "OBLIGATION_RECORDS", ()))
    return [
        (
            "every fact has a claim",
            # In id order (NOT INDEXED), the claims are visited in key order: 4x faster.
            "SELECT f.id FROM facts f NOT INDEXED"
            " WHERE NOT EXISTS (SELECT 1 FROM claims c WHERE c.fact = f.id)",
            "facts",
            {"facts", "claims"},
        ),
        (
            "every claim has its fact",
            "SELECT c.fact FROM claims c"
            " WHERE NOT EXISTS (SELECT 1 FROM facts f WHERE f.id = c.fact)",
            "claims of facts",
            {"facts", "claims"},
        ),
        (
            # The facts export and the views trust these two (they number the claims).
            "claims are numbered from 0, as many as the fact counts",
            "SELECT f.id FROM facts f NOT INDEXED WHERE f.claim_count !="
            " (SELECT count(*) FROM claims c WHERE c.fact = f.id) OR NOT EXISTS"
            " (SELECT 1 FROM claims c WHERE c.fact = f.id AND c.pos = 0)",
            "facts",
            {"facts", "claims"},
        ),
        (
            "every claim has a source",
            "SELECT fact FROM claims WHERE trim(source) = ''",
            "claims of facts",
            {"claims"},
        ),
        (
            "every fact's state exists",
            "SELECT f.id FROM facts f"
            " WHERE NOT EXISTS (SELECT 1 FROM states s WHERE s.code = f.state)",
            "facts",
            {"facts", "states"},
        ),
        (
            "every fact's record is known",
            f"SELECT id FROM facts WHERE record NOT IN {_in(model.RECORDS)}",
            "facts",
            {"facts"},
        ),
        (
            "meeting records name a meeting",
            f"SELECT f.id FROM facts f WHERE f.record IN {meeting_records} AND ("
            " f.meeting IS NOT f.subject"
            " OR NOT EXISTS (SELECT 1 FROM meetings m WHERE m.slug = f.subject))",
            "facts",
            {"facts", "meetings"},
        ),
        (
            "every fact's meeting exists",
            "SELECT f.id FROM facts f WHERE f.meeting IS NOT NULL"
            " AND NOT EXISTS (SELECT 1 FROM meetings m WHERE m.slug = f.meeting)",
            "facts",
            {"facts", "meetings"},
        ),
        (
            "instrument records name an instrument",
            f"SELECT f.id FROM facts f WHERE f.record IN {instrument_records} AND ("
            " f.instrument IS NOT f.subject"
            " OR NOT EXISTS (SELECT 1 FROM instruments i WHERE i.slug = f.subject))",
            "facts",
            {"facts", "instruments"},
        ),
        (
            "every fact's instrument exists",
            "SELECT f.id FROM facts f WHERE f.instrument IS NOT NULL"
            " AND NOT EXISTS (SELECT 1 FROM instruments i WHERE i.slug = f.instrument)",
            "facts",
            {"facts", "instruments"},
        ),
        (
            "actions are known",
            f"SELECT id FROM facts WHERE record IN {action_records}"
            f" AND subject NOT IN {_in(model.ACTIONS)}",
            "facts",
            {"facts"},
        ),
        (
            "obligations are known",
            f"SELECT id FROM facts WHERE record IN {obligation_records}"
            f" AND subject NOT IN {_in(getattr(model, 'OBLIGATIONS', ()))}",
            "facts",
            {"facts"},
        ),
        (
            "implied agrees with the claims",
            "SELECT f.id FROM facts f NOT INDEXED WHERE f.implied IS NOT"
            " coalesce((SELECT min(c.implied) FROM claims c WHERE c.fact = f.id), f.implied)",
            "facts",
            {"facts", "claims"},
        ),
        (
            "instruments' meetings exist",
            "SELECT i.slug FROM instruments i WHERE i.meeting IS NOT NULL AND i.meeting != ''"
            " AND NOT EXISTS (SELECT 1 FROM meetings m WHERE m.slug = i.meeting)",
            "instruments",
            {"instruments", "meetings"},
        ),
        (
            "counts' meetings exist",
            "SELECT c.meeting FROM counts c"
            " WHERE NOT EXISTS (SELECT 1 FROM meetings m WHERE m.slug = c.meeting)",
            "counts of meetings",
            {"counts", "meetings"},
        ),
        (
            "aliases' states exist",
            "SELECT a.alias FROM aliases a"
            " WHERE NOT EXISTS (SELECT 1 FROM states s WHERE s.code = a.state)",
            "aliases",
            {"aliases", "states"},
        ),
        (
            "meetings, instruments and counts have sources",
            "SELECT 'meeting ' || slug FROM meetings WHERE trim(source) = ''"
            " UNION ALL SELECT 'instrument ' || slug FROM instruments WHERE trim(source) = ''"
            " UNION ALL SELECT 'count ' || meeting FROM counts WHERE trim(source) = ''",
            "",
            {"meetings", "instruments", "counts"},
        ),
        (
            "meetings end on or after they start",
            "SELECT slug FROM meetings WHERE start_date != '' AND end_date != ''"
            " AND end_date < start_date",
            "meetings",
            {"meetings"},
        ),
    ]


# A valid stored date, in SQL: empty, or YYYY, YYYY-MM or YYYY-MM-DD that SQLite's date()
# gives back unchanged through a day number (2007-02-30 comes back as 2007-03-02, month 13
# as NULL). Year 0 does not exist in ccm's dates. One pass over each table, no sorting.
_VALID_DATE = """(
    {c} = ''
    OR (length({c}) = 4 AND {c} GLOB '[0-9][0-9][0-9][0-9]' AND {c} != '0000')
    OR (length({c}) = 7 AND {c} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]'
        AND date(julianday({c} || '-01')) IS {c} || '-01' AND {c} >= '0001')
    OR (length({c}) = 10 AND {c} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'
        AND date(julianday({c})) IS {c} AND {c} >= '0001')
)"""


def _dates(conn: sqlite3.Connection, tables: set[str]) -> Check:
    """Every stored date is a real ISO 8601 date at some precision (the same rule as
    `dates.check_date`, in SQL so that half a million rows take one scan)."""
    columns = [
        ("facts", "date"),
        ("claims", "date"),
        ("meetings", "start_date"),
        ("meetings", "end_date"),
        ("instruments", "date"),
    ]
    bad: list[tuple[str]] = []
    total = 0
    for table, column in columns:
        if table not in tables:
            continue
        rule = _VALID_DATE.format(c=f"coalesce({column}, '')")
        where = f"FROM {table} WHERE NOT {rule}"
        found = conn.execute(f"SELECT DISTINCT {column} {where} LIMIT {SAMPLE + 1}").fetchall()
        if found:  # count only when something is wrong: a clean table is scanned once
            total += conn.execute(f"SELECT count(*) {where}").fetchone()[0]
            bad.extend((f"{table}.{column} {value!r}",) for (value,) in found)
    return Check("dates are ISO 8601", total, _sample(bad) if bad else "")


def _aliases(conn: sqlite3.Connection, tables: set[str]) -> Check:
    """Aliases held to today's rules for names (one script, no invisible characters...):
    a database from an older ccm may have an alias that would now be refused."""
    if "aliases" not in tables:
        return Check("aliases are plain spellings", 0)
    from ccmtool.names import refusal

    bad = []
    for (spelling,) in conn.execute("SELECT spelling FROM aliases"):
        reason = refusal(spelling)
        if reason is not None and ("script" in reason or "invisible" in reason or "long" in reason):
            bad.append((repr(spelling),))
    return Check("aliases are plain spellings", len(bad), _sample(bad) if bad else "")


def _guarded(name: str, run: Callable[[], Check]) -> Check:
    """A check that SQLite cannot even run (a corrupt page) is a failed check, not a crash."""
    try:
        return run()
    except sqlite3.DatabaseError as exc:
        return Check(name, 1, f"cannot run: {exc}")


def _integrity(conn: sqlite3.Connection, quick: bool) -> Check:
    pragma = "quick_check" if quick else "integrity_check"
    messages = [r[0] for r in conn.execute(f"PRAGMA {pragma}(100)")]
    if messages == ["ok"]:
        return Check(pragma, 0)
    return Check(pragma, len(messages), "; ".join(messages[:3]))


def _foreign_keys(conn: sqlite3.Connection) -> Check:
    rows = conn.execute("PRAGMA foreign_key_check").fetchall()
    if not rows:
        return Check("foreign_key_check", 0)
    by_table: dict[str, int] = {}
    for row in rows:
        by_table[row[0]] = by_table.get(row[0], 0) + 1
    detail = ", ".join(f"{n} in {t}" for t, n in sorted(by_table.items()))
    return Check("foreign_key_check", len(rows), f"rows pointing nowhere: {detail}")


def _open_readonly(path: Path) -> sqlite3.Connection:
    """Read-only, also where SQLite cannot create its -shm file (a read-only directory or
    file system): then the file is opened as immutable, which is safe for a check that
    only reads, as long as no other process writes meanwhile."""
    uri = path.resolve().as_uri()
    last: sqlite3.Error | None = None
    for query in ("mode=ro", "mode=ro&immutable=1"):
        conn = sqlite3.connect(f"{uri}?{query}", uri=True, isolation_level=None)
        try:
            conn.execute("PRAGMA query_only = ON")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError as exc:
            conn.close()
            last = exc
        except sqlite3.DatabaseError:
            return conn  # corrupt: let the checks say so
    raise CcmError(f"{path}: cannot be opened: {last}")


def run_checks(path: Path, *, quick: bool = False) -> list[Check]:
    """Every check on the database at `path`, opened read-only; raises CcmError only when
    the file is not a ccm database at all (or cannot be opened)."""
    from ccmtool import db

    if not path.exists():
        raise CcmError(f"{path}: no such database")
    db.check_is_ccm_file(path)
    if path.stat().st_size == 0:
        raise CcmError(f"{path}: empty file; not a database yet")
    conn = _open_readonly(path)
    try:
        results: list[Check] = []
        try:
            version = db.schema_version(conn)
            tables = _tables(conn)
        except sqlite3.DatabaseError as exc:
            return [Check("readable", 1, f"{exc}; restore a backup (ccm keeps NAME.vN.bak)")]
        if version > db.SCHEMA_VERSION:
            results.append(
                Check(
                    "schema version",
                    1,
                    f"{version} is newer than this ccm knows ({db.SCHEMA_VERSION}); upgrade ccm",
                )
            )
            return results
        note = "" if version == db.SCHEMA_VERSION else f"{version}; upgraded when next opened"
        results.append(Check("schema version", 0, note or str(version)))
        results.append(_guarded("integrity_check", lambda: _integrity(conn, quick)))
        results.append(_guarded("foreign_key_check", lambda: _foreign_keys(conn)))
        for name, sql, what, needs in _invariants(conn):
            if needs <= tables:
                results.append(_guarded(name, functools.partial(_count, conn, name, sql, what)))
        results.append(_guarded("dates are ISO 8601", lambda: _dates(conn, tables)))
        results.append(_guarded("aliases are plain spellings", lambda: _aliases(conn, tables)))
        return results
    finally:
        conn.close()


__all__ = ["Check", "run_checks"]
