"""The SQLite schema, its migrations, and connections with ccm's settings.

Schema changes happen only here, as numbered migrations recorded in `PRAGMA user_version`,
so a database made by any earlier ccm upgrades in place (after a backup copy is taken).
`PRAGMA application_id` marks the file as ccm's, so ccm never writes into another
application's database by mistake. Where a database lives and how a new one is filled is
`db.py`'s business, one layer up.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ccmtool.errors import CcmError

if TYPE_CHECKING:
    import sqlite_utils

APPLICATION_ID = int.from_bytes(b"ccm1", "big")
BUSY_TIMEOUT_MS = 30_000

Notify = Callable[[str], None]


# --- schema -------------------------------------------------------------------------------


def _migrate_1(db: sqlite_utils.Database) -> None:
    """The first schema: states, meetings, instruments, counts, facts and their sources."""
    db.table("states").create(
        {"code": str, "name": str, "region": str, "subregion": str},
        pk="code",
        not_null={"name", "region", "subregion"},
        defaults={"region": "", "subregion": ""},
    )
    db.table("aliases").create(
        {"alias": str, "spelling": str, "state": str},
        pk="alias",
        not_null={"spelling", "state"},
        foreign_keys=[("state", "states", "code")],
    )
    db.table("aliases").create_index(["state"])
    db.table("meetings").create(
        {
            "slug": str,
            "name": str,
            "city": str,
            "country": str,
            "start_date": str,
            "end_date": str,
            "kind": str,
            "reported": int,
            "source": str,
        },
        pk="slug",
        not_null={"name", "city", "start_date", "end_date", "kind", "source"},
        defaults={"city": "", "start_date": "", "end_date": ""},
        foreign_keys=[("country", "states", "code")],
    )
    db.table("instruments").create(
        {"slug": str, "name": str, "kind": str, "meeting": str, "date": str, "source": str},
        pk="slug",
        not_null={"name", "kind", "date", "source"},
        defaults={"date": ""},
        foreign_keys=[("meeting", "meetings", "slug")],
    )
    db.table("counts").create(
        {"id": int, "meeting": str, "record": str, "count": int, "detail": str, "source": str},
        pk="id",
        not_null={"meeting", "record", "count", "detail", "source"},
        defaults={"detail": ""},
        foreign_keys=[("meeting", "meetings", "slug")],
    )
    db.table("counts").create_index(["meeting", "record", "count", "detail", "source"], unique=True)
    db.table("facts").create(
        {
            "id": int,
            "state": str,
            "record": str,
            "subject": str,
            "date": str,
            "meeting": str,
            "detail": str,
        },
        pk="id",
        not_null={"state", "record", "subject", "date", "detail"},
        defaults={"date": "", "detail": ""},
        foreign_keys=[("state", "states", "code"), ("meeting", "meetings", "slug")],
    )
    # The natural key: the same fact from two sources is one fact with two sources.
    db.table("facts").create_index(["state", "record", "subject", "date"], unique=True)
    # Meeting-first, for attendance, newcomers and compare.
    db.table("facts").create_index(["subject", "record", "state"])
    db.table("facts").create_index(["meeting"])
    db.table("fact_sources").create(
        {"id": int, "fact": int, "source": str},
        pk="id",
        not_null={"fact", "source"},
        foreign_keys=[("fact", "facts", "id")],
    )
    db.table("fact_sources").create_index(["fact", "source"], unique=True)


def _migrate_2(db: sqlite_utils.Database) -> None:
    """Faster bulk imports: sources in one B-tree keyed (fact, source), ordered by `pos`;
    no index on facts.meeting (no query needs it, and each index slows every insert).

    The key columns come first: SQLite 3.40-3.41's integrity_check misreports WITHOUT ROWID
    tables whose key is not a prefix of the columns."""
    db.execute(
        """
        CREATE TABLE fact_sources_v2 (
            fact INTEGER NOT NULL REFERENCES facts(id),
            source TEXT NOT NULL,
            pos INTEGER NOT NULL,
            PRIMARY KEY (fact, source)
        ) WITHOUT ROWID
        """
    )
    db.execute(
        """
        INSERT INTO fact_sources_v2 (fact, source, pos)
        SELECT fact, source, row_number() OVER (PARTITION BY fact ORDER BY id) - 1
        FROM fact_sources
        """
    )
    db.table("fact_sources").drop()
    db.rename_table("fact_sources_v2", "fact_sources")
    db.execute("DROP INDEX IF EXISTS idx_facts_meeting")


V3_SCHEMA = """
CREATE TABLE facts (
    id INTEGER PRIMARY KEY,
    state TEXT NOT NULL REFERENCES states(code),
    record TEXT NOT NULL,
    subject TEXT NOT NULL,
    occurrence TEXT NOT NULL DEFAULT '',
    date TEXT NOT NULL DEFAULT '',
    meeting TEXT REFERENCES meetings(slug),
    instrument TEXT REFERENCES instruments(slug),
    detail TEXT NOT NULL DEFAULT '',
    implied INTEGER NOT NULL DEFAULT 0,
    claim_count INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE claims (
    fact INTEGER NOT NULL REFERENCES facts(id),
    pos INTEGER NOT NULL,
    source TEXT NOT NULL,
    date TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    implied INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (fact, pos)
) WITHOUT ROWID;
CREATE UNIQUE INDEX facts_key ON facts (state, record, subject, occurrence);
CREATE INDEX facts_by_instrument ON facts (instrument, record, state)
    WHERE instrument IS NOT NULL;
CREATE INDEX facts_by_meeting ON facts (meeting, state) WHERE meeting IS NOT NULL;
CREATE INDEX states_names ON states (code, name);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE VIEW presence AS
    SELECT meeting, state, record AS how, id AS fact FROM facts
    WHERE meeting IS NOT NULL AND record != 'absent';
CREATE VIEW fact_sources AS SELECT fact, pos, source FROM claims;
CREATE VIEW fact_details AS
    SELECT f.id, f.state AS code, s.name AS state, f.record, f.subject, f.date, f.meeting,
           f.instrument, f.detail, f.implied,
           (SELECT group_concat(source, ' | ') FROM
               (SELECT source FROM claims c WHERE c.fact = f.id ORDER BY pos)) AS sources,
           f.claim_count AS claims
    FROM facts f JOIN states s ON s.code = f.state;
CREATE VIEW meeting_presence AS
    SELECT p.meeting, m.name AS meeting_name, p.state AS code, s.name AS state,
           group_concat(p.how, ', ') AS how
    FROM presence p JOIN meetings m ON m.slug = p.meeting JOIN states s ON s.code = p.state
    GROUP BY p.meeting, p.state;
"""


def _migrate_3(db: sqlite_utils.Database) -> None:
    """Events and claims: a fact is one event, and each source's statement of it a claim
    with that source's own date and wording (see "How ccm counts" in the README).

    Old facts become claims and merge into events by the same rules as an import
    (`events.put_fact`): the four `hosted oslo-2007` rows become one event with four claims,
    Burundi's two ratification dates one event in conflict. Every fact at a meeting gets the
    meeting as a foreign key, so presence can be derived from every fact at a meeting.
    """
    from ccmtool.events import put_fact

    conn = db.conn
    conn.execute("ALTER TABLE facts RENAME TO facts_v2")
    for statement in V3_SCHEMA.split(";"):
        if statement.strip() and "CREATE VIEW fact_sources" not in statement:
            conn.execute(statement)
    old = conn.execute(
        "SELECT id, state, record, subject, date, coalesce(meeting, '') AS meeting, detail"
        " FROM facts_v2 ORDER BY id"
    ).fetchall()
    for row in old:
        sources = [
            r[0]
            for r in conn.execute(
                "SELECT source FROM fact_sources WHERE fact = ? ORDER BY pos", (row["id"],)
            )
        ]
        put_fact(
            conn,
            row["state"],
            row["record"],
            row["subject"],
            row["date"],
            row["meeting"],
            row["detail"],
            sources or ["(no source recorded before schema 3)"],
        )
    conn.execute("DROP TABLE fact_sources")
    conn.execute("DROP TABLE facts_v2")
    conn.execute("CREATE VIEW fact_sources AS SELECT fact, pos, source FROM claims")


# Migration N (1-based) brings a database from version N-1 to N. Append; never edit.
MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_migrate_1, _migrate_2, _migrate_3]
SCHEMA_VERSION = len(MIGRATIONS)


# --- opening ------------------------------------------------------------------------------


# 16 MiB of page cache: big imports update indexes all over the file (measured 1.4x faster
# than the 2 MiB default at a million facts) and peak memory stays well under 60 MiB.
CACHE_KIB = 16_000


# One helper thread for a sort too big for the cache: SQLite sorts the spilled runs and
# merges them beside the thread that reads the rows (`ccm actions` at 500k facts: its
# query 0.89x, the median of 12 paired runs on two cores; more threads gained nothing).
SORT_THREADS = 1


def _configure(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    conn.execute(f"PRAGMA threads = {SORT_THREADS}")
    conn.execute("PRAGMA foreign_keys = ON")


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """A raw connection with ccm's settings; transactions are explicit (see `transaction`)."""
    if readonly:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    else:
        conn = sqlite3.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    _configure(conn)
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection, *, dry_run: bool = False) -> Iterator[sqlite3.Connection]:
    """One write transaction: everything inside commits together or not at all.

    BEGIN IMMEDIATE takes the write lock up front, so two ccm processes queue on the busy
    timeout instead of failing half-way with "database is locked". A dry run does all the
    work and checks, then rolls back.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("ROLLBACK" if dry_run else "COMMIT")


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, path: Path, notify: Notify) -> None:
    """Bring a database to this ccm's schema, backing up a non-empty older one first."""
    import sqlite_utils

    version = schema_version(conn)
    if version > SCHEMA_VERSION:
        raise CcmError(
            f"{path}: schema version {version} is newer than this ccm knows "
            f"({SCHEMA_VERSION}); upgrade ccm"
        )
    if version > 0:
        backup = path.with_name(f"{path.name}.v{version}.bak")
        dest = sqlite3.connect(backup)
        try:
            conn.backup(dest)
        finally:
            dest.close()
        notify(
            f"ccm: upgrading {path} from schema {version} to {SCHEMA_VERSION}; backup at {backup}"
        )
    db = sqlite_utils.Database(conn)
    with transaction(conn):
        for step in MIGRATIONS[version:]:
            step(db)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")


_SCHEMA_PRAGMAS = {
    "table_info",
    "table_xinfo",
    "table_list",
    "index_list",
    "index_info",
    "index_xinfo",
    "foreign_key_list",
    "foreign_key_check",
    "integrity_check",
    "quick_check",
}
# Pragmas that set something when given a value: allowed only without one.
_VALUE_PRAGMAS = {
    "database_list",
    "user_version",
    "application_id",
    "page_count",
    "page_size",
    "encoding",
}


def allow_reads_only(conn: sqlite3.Connection) -> None:
    """Refuse, inside SQLite, anything but reading: the connection is already read-only,
    and this also stops ATTACH (which could create a file) and pragmas that change state."""
    allowed = {
        sqlite3.SQLITE_SELECT,
        sqlite3.SQLITE_READ,
        sqlite3.SQLITE_FUNCTION,
        getattr(sqlite3, "SQLITE_RECURSIVE", 33),
    }

    def authorizer(action: int, arg1: str | None, arg2: str | None, *_rest: object) -> int:
        if action in allowed:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_PRAGMA and (
            arg1 in _SCHEMA_PRAGMAS or (arg1 in _VALUE_PRAGMAS and arg2 is None)
        ):
            return sqlite3.SQLITE_OK  # reading the schema, as power users do
        return sqlite3.SQLITE_DENY

    conn.set_authorizer(authorizer)
