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
import threading
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


class _Rule(NamedTuple):
    """An invariant: rows of `source` where `broken` holds break it; `shown` (selected from
    `listed`, when the rows counted are not the rows to show) identifies them."""

    name: str
    source: str
    broken: str
    shown: str
    what: str
    needs: frozenset[str]
    listed: str = ""
    # (table, parent) of the foreign key that says the same: foreign_key_check answers it.
    key: tuple[str, str] | None = None


_FACTS = "facts f NOT INDEXED"  # in id order, the claims of each fact are visited in key order
# Each fact with its claims counted: one ordered pass over both tables for three rules.
_PER_FACT = (
    "(SELECT f.id, f.claim_count, f.implied, count(c.fact) AS n, max(c.pos = 0) AS first,"
    " min(c.implied) AS said FROM facts f NOT INDEXED LEFT JOIN claims c ON c.fact = f.id"
    " GROUP BY f.id) f"
)
# The distinct (state, record, subject) of the facts, read from the facts_key index: the
# rules on these columns alone look at a thousand keys, not at every fact.
_KEYS = "(SELECT DISTINCT state, record, subject FROM facts) f"
_CLAIMS = "claims c"
_OTHER = ""  # a rule with a query of its own


def _rules() -> list[_Rule]:
    from ccmtool import model

    meeting_records = _in(model.MEETING_RECORDS)
    instrument_records = _in(model.INSTRUMENT_RECORDS)
    action_records = _in(model.ACTION_RECORDS)
    obligation_records = _in(getattr(model, "OBLIGATION_RECORDS", ()))

    def facts(name: str, broken: str, *needs: str, key: str = "") -> _Rule:
        parent = ("facts", key) if key else None
        return _Rule(
            name, _FACTS, broken, "f.id", "facts", frozenset({"facts", *needs}), key=parent
        )

    def keys(name: str, broken: str) -> _Rule:
        return _Rule(name, _KEYS, broken, "f.id", "facts", frozenset({"facts"}), _FACTS)

    def per_fact(name: str, broken: str) -> _Rule:
        return _Rule(name, _PER_FACT, broken, "f.id", "facts", frozenset({"facts", "claims"}))

    def other(name: str, sql: str, what: str, *needs: str) -> _Rule:
        return _Rule(name, _OTHER, sql, "", what, frozenset(needs))

    return [
        per_fact("every fact has a claim", "f.n = 0"),
        _Rule(
            "every claim has its fact",
            _CLAIMS,
            "NOT EXISTS (SELECT 1 FROM facts f WHERE f.id = c.fact)",
            "c.fact",
            "claims of facts",
            frozenset({"facts", "claims"}),
            key=("claims", "facts"),
        ),
        # The facts export and the views trust these two (they number the claims).
        per_fact(
            "claims are numbered from 0, as many as the fact counts",
            "f.claim_count != f.n OR f.first IS NOT 1",
        ),
        _Rule(
            "every claim has a source",
            _CLAIMS,
            "trim(c.source) = ''",
            "c.fact",
            "claims of facts",
            frozenset({"claims"}),
        ),
        facts(
            "every fact's state exists",
            "NOT EXISTS (SELECT 1 FROM states s WHERE s.code = f.state)",
            "states",
            key="states",
        ),
        keys("every fact's record is known", f"f.record NOT IN {_in(model.RECORDS)}"),
        # The CSV and JSON exports write these columns unquoted (exporter._BIG); a fact's
        # meeting is a meeting's slug (foreign_key_check), held to the rule below.
        keys(
            "codes, records and subjects are plain",
            "f.state || f.record || f.subject GLOB '*[^A-Za-z0-9-]*'",
        ),
        other(
            "meeting slugs are plain",
            "SELECT slug FROM meetings WHERE slug GLOB '*[^a-z0-9-]*' OR slug = ''",
            "meetings",
            "meetings",
        ),
        facts(
            "meeting records name a meeting",
            f"f.record IN {meeting_records} AND (f.meeting IS NOT f.subject"
            " OR NOT EXISTS (SELECT 1 FROM meetings m WHERE m.slug = f.subject))",
            "meetings",
        ),
        facts(
            "every fact's meeting exists",
            "f.meeting IS NOT NULL"
            " AND NOT EXISTS (SELECT 1 FROM meetings m WHERE m.slug = f.meeting)",
            "meetings",
            key="meetings",
        ),
        facts(
            "instrument records name an instrument",
            f"f.record IN {instrument_records} AND (f.instrument IS NOT f.subject"
            " OR NOT EXISTS (SELECT 1 FROM instruments i WHERE i.slug = f.subject))",
            "instruments",
        ),
        facts(
            "every fact's instrument exists",
            "f.instrument IS NOT NULL"
            " AND NOT EXISTS (SELECT 1 FROM instruments i WHERE i.slug = f.instrument)",
            "instruments",
            key="instruments",
        ),
        keys(
            "actions are known",
            f"f.record IN {action_records} AND f.subject NOT IN {_in(model.ACTIONS)}",
        ),
        keys(
            "obligations are known",
            f"f.record IN {obligation_records}"
            f" AND f.subject NOT IN {_in(getattr(model, 'OBLIGATIONS', ()))}",
        ),
        per_fact("implied agrees with the claims", "f.n > 0 AND f.implied IS NOT f.said"),
        other(
            "instruments' meetings exist",
            "SELECT i.slug FROM instruments i WHERE i.meeting IS NOT NULL AND i.meeting != ''"
            " AND NOT EXISTS (SELECT 1 FROM meetings m WHERE m.slug = i.meeting)",
            "instruments",
            "instruments",
            "meetings",
        ),
        other(
            "counts' meetings exist",
            "SELECT c.meeting FROM counts c"
            " WHERE NOT EXISTS (SELECT 1 FROM meetings m WHERE m.slug = c.meeting)",
            "counts of meetings",
            "counts",
            "meetings",
        ),
        other(
            "aliases' states exist",
            "SELECT a.alias FROM aliases a"
            " WHERE NOT EXISTS (SELECT 1 FROM states s WHERE s.code = a.state)",
            "aliases",
            "aliases",
            "states",
        ),
        other(
            "meetings, instruments and counts have sources",
            "SELECT 'meeting ' || slug FROM meetings WHERE trim(source) = ''"
            " UNION ALL SELECT 'instrument ' || slug FROM instruments WHERE trim(source) = ''"
            " UNION ALL SELECT 'count ' || meeting FROM counts WHERE trim(source) = ''",
            "",
            "meetings",
            "instruments",
            "counts",
        ),
        other(
            "meetings end on or after they start",
            "SELECT slug FROM meetings WHERE start_date != '' AND end_date != ''"
            " AND end_date < start_date",
            "meetings",
            "meetings",
        ),
    ]


def _counted(conn: sqlite3.Connection, rules: list[_Rule]) -> dict[str, int]:
    """How many rows break each rule, counted with one scan per source for all its rules
    (each rule alone costs nearly a whole scan); rules foreign_key_check answers are left
    to it. A scan SQLite cannot finish (a corrupt page) counts nothing: its rules are then
    asked one by one, and fail with the reason."""
    counted: dict[str, int] = {}
    for source in (_FACTS, _KEYS, _PER_FACT, _CLAIMS):
        scanned = [r for r in rules if r.source == source and r.key is None]
        if not scanned:
            continue
        sums = ", ".join(f"coalesce(sum(CASE WHEN {r.broken} THEN 1 END), 0)" for r in scanned)
        try:
            counts = conn.execute(f"SELECT {sums} FROM {source}").fetchone()
        except sqlite3.DatabaseError:
            continue
        counted.update(zip((r.name for r in scanned), counts, strict=True))
    return counted


def _declared_keys(conn: sqlite3.Connection) -> set[tuple[str, str]]:
    """(table, parent) of the foreign keys the schema declares on facts and claims."""
    try:
        return {
            (table, str(row[2]))
            for table in ("facts", "claims")
            for row in conn.execute(f"PRAGMA foreign_key_list({table})")
        }
    except sqlite3.DatabaseError:
        return set()


def _invariants(
    conn: sqlite3.Connection,
    rules: list[_Rule],
    counted: dict[str, int],
    orphans: dict[tuple[str, str], int] | None,
) -> list[Check]:
    """A result for every rule: passed when its count (or, for a declared foreign key,
    foreign_key_check) says no row breaks it; otherwise the rule is asked alone for the
    rows to show and their number."""
    declared = _declared_keys(conn) if orphans is not None else set()
    results = []
    for rule in rules:
        if rule.key is not None and rule.key in declared:
            count = (orphans or {}).get(rule.key, 0)
        else:
            count = counted.get(rule.name, -1)
        if count == 0 and rule.source != _OTHER:
            results.append(Check(rule.name, 0))
            continue
        sql = rule.broken
        if rule.source != _OTHER:
            sql = f"SELECT {rule.shown} FROM {rule.listed or rule.source} WHERE {rule.broken}"
        results.append(
            _guarded(rule.name, functools.partial(_count, conn, rule.name, sql, rule.what))
        )
    return results


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


_CLAIM_DATES = (("claims", "date"),)
_OTHER_DATES = (
    ("facts", "date"),
    ("meetings", "start_date"),
    ("meetings", "end_date"),
    ("instruments", "date"),
)


def _dates(
    conn: sqlite3.Connection, tables: set[str], columns: tuple[tuple[str, str], ...]
) -> Check:
    """Every stored date is a real ISO 8601 date at some precision (the same rule as
    `dates.check_date`, in SQL so that half a million rows take one scan)."""
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


def _merge(first: Check, second: Check) -> Check:
    """One check's result from two halves run apart."""
    detail = ", ".join(d for d in (first.detail, second.detail) if d)
    return Check(first.name, first.problems + second.problems, detail)


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


def _foreign_keys(conn: sqlite3.Connection, orphans: dict[tuple[str, str], int]) -> Check:
    """foreign_key_check; `orphans` gets the count for each (table, parent)."""
    rows = conn.execute("PRAGMA foreign_key_check").fetchall()
    if not rows:
        return Check("foreign_key_check", 0)
    by_table: dict[str, int] = {}
    for row in rows:
        by_table[row[0]] = by_table.get(row[0], 0) + 1
        orphans[(row[0], row[2])] = orphans.get((row[0], row[2]), 0) + 1
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


class _SQLiteChecks:
    """integrity_check, foreign_key_check and the dates of the claims, on a connection of
    their own in a thread of their own: SQLite lets go of the GIL while it works, so on two
    cores these run beside ccm's invariants, and the check takes the time of the longer
    half. Each statement reads its own snapshot, as the checks always did."""

    def __init__(self, path: Path, quick: bool, tables: set[str]) -> None:
        self.path, self.quick, self.tables = path, quick, tables
        self.results: list[Check] = []
        self.dates = Check("dates are ISO 8601", 0)
        self.orphans: dict[tuple[str, str], int] | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        try:
            conn = _open_readonly(self.path)
            try:
                self.results.append(
                    _guarded("integrity_check", lambda: _integrity(conn, self.quick))
                )
                orphans: dict[tuple[str, str], int] = {}
                found = _guarded("foreign_key_check", lambda: _foreign_keys(conn, orphans))
                self.results.append(found)
                if "cannot run" not in found.detail:
                    self.orphans = orphans
                self.dates = _guarded(
                    "dates are ISO 8601", lambda: _dates(conn, self.tables, _CLAIM_DATES)
                )
            finally:
                conn.close()
        except BaseException as exc:  # handed to the main thread, which raises it
            self.error = exc


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
        sqlite_checks = _SQLiteChecks(path, quick, tables)
        sqlite_checks.thread.start()
        try:
            rules = [r for r in _rules() if r.needs <= tables]
            counted = _counted(conn, rules)
            dates = _guarded("dates are ISO 8601", lambda: _dates(conn, tables, _OTHER_DATES))
        finally:
            sqlite_checks.thread.join()
        if sqlite_checks.error is not None:
            raise sqlite_checks.error
        results.extend(sqlite_checks.results)
        results.extend(_invariants(conn, rules, counted, sqlite_checks.orphans))
        results.append(_merge(dates, sqlite_checks.dates))
        results.append(_guarded("aliases are plain spellings", lambda: _aliases(conn, tables)))
        return results
    finally:
        conn.close()


__all__ = ["Check", "run_checks"]
