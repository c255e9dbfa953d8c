"""Old databases, files that are not ccm's, and read-only surfaces (issue 6, items 5 and 6).

- A database from schema version 1 (tests/data/v1.db, made by tests/data/make_v1_db.py with
  only the first migration) is upgraded in place by any command, keeps every row and the
  order of every fact's sources, and leaves a backup NAME.v1.bak that is still version 1.
- `--db` pointing at a text file, an image, another application's SQLite database, or a
  database from a newer ccm is refused with a clear message, exit 1, and the file is left
  byte for byte as it was, with nothing created beside it.
- `ccm sql` cannot write, whatever the statement; user text is never SQL (a state name with
  SQL in it is just an unknown state).
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import sqlite3
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from ccmtool import db

Run = Callable[..., Result]  # the `ccm` fixture from conftest.py

V1 = Path(__file__).parent / "data" / "v1.db"
V2 = Path(__file__).parent / "data" / "v2.db"
TABLES = ("states", "aliases", "meetings", "instruments", "counts", "facts", "fact_sources")
# Tables an upgrade to schema 3 leaves as they were (facts become events with claims).
KEPT = ("states", "aliases", "meetings", "instruments", "counts")
EXPORTS = ("facts", "meetings", "instruments", "counts", "states")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def table_rows(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        conn.close()


def pragma(path: Path, name: str) -> int:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return int(conn.execute(f"PRAGMA {name}").fetchone()[0])
    finally:
        conn.close()


def old_claims(path: Path) -> set[tuple[str, ...]]:
    """What each source said in a v1 or v2 database: (state, code, record, subject, source)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return {
            tuple(r)
            for r in conn.execute(
                "SELECT s.name, f.state, f.record, f.subject, x.source FROM facts f"
                " JOIN states s ON s.code = f.state JOIN fact_sources x ON x.fact = f.id"
            )
        }
    finally:
        conn.close()


def exported_claims(ccm: Run, path: Path) -> set[tuple[str, ...]]:
    result = ccm("export", "--csv", "--what", "claims", "--db", path)
    assert result.exit_code == 0, result.stderr
    return {
        (r[0], r[1], r[2], r[3], r[7]) for r in list(csv.reader(io.StringIO(result.stdout)))[1:]
    }


def v1_facts(path: Path) -> set[tuple[str, ...]]:
    """The facts export a v1 database should give: computed from the v1 tables directly,
    each fact's sources in the order they were recorded (fact_sources.id)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        facts = conn.execute(
            "SELECT f.id, s.name, f.state, f.record, f.subject, f.date,"
            " coalesce(f.meeting, ''), f.detail FROM facts f JOIN states s ON s.code = f.state"
        ).fetchall()
        sources: dict[int, list[str]] = {}
        for fact, source in conn.execute("SELECT fact, source FROM fact_sources ORDER BY id"):
            sources.setdefault(fact, []).append(source)
    finally:
        conn.close()
    return {(*row[1:], " | ".join(sources[row[0]])) for row in facts}


def exported_facts(ccm: Run, path: Path) -> set[tuple[str, ...]]:
    result = ccm("export", "--csv", "--db", path)
    assert result.exit_code == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["state", "code", "record", "subject", "date", "meeting", "detail", "source"]
    assert len(rows) - 1 == len({tuple(r) for r in rows[1:]})
    return {tuple(r) for r in rows[1:]}


def snapshot(ccm: Run, path: Path) -> dict[str, str]:
    state = {}
    for what in EXPORTS:
        result = ccm("export", "--csv", "--what", what, "--db", path)
        assert result.exit_code == 0, result.stderr
        state[what] = result.stdout
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    state["sha256"] = sha256(path)
    return state


def assert_refused(result: Result, *names: str) -> str:
    """Exit 1 or 2, one or a few clear lines naming what is wrong, no traceback."""
    assert result.exit_code in (1, 2), f"exit {result.exit_code}: {result.stdout}{result.stderr}"
    assert "Traceback" not in result.stdout + result.stderr
    assert "internal error" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert 1 <= len(lines) <= 3, result.stderr
    assert lines[0].startswith("ccm: error:"), result.stderr
    for name in names:
        assert name in result.stderr, f"{name!r} not in {result.stderr!r}"
    return result.stderr


# --- the v1 fixture -----------------------------------------------------------------------


def test_fixture_is_a_version_1_database() -> None:
    assert pragma(V1, "user_version") == 1
    assert pragma(V1, "application_id") == db.APPLICATION_ID
    conn = sqlite3.connect(f"{V1.resolve().as_uri()}?mode=ro", uri=True)
    try:
        columns = [r[1] for r in conn.execute("PRAGMA table_info(fact_sources)")]
        several = conn.execute(
            "SELECT count(*) FROM (SELECT fact FROM fact_sources GROUP BY fact HAVING count(*) > 1)"
        ).fetchone()[0]
    finally:
        conn.close()
    assert columns == ["id", "fact", "source"]  # the v1 layout, before `pos`
    assert several >= 3
    assert all(n > 0 for n in table_rows(V1).values())


UPGRADING_COMMANDS = [
    ["info"],
    ["export", "--csv"],
    ["meetings"],
    ["attendance", "lima"],
    ["state", "Hungary"],
    ["sql", "SELECT count(*) FROM facts"],
    ["states", "--attended", "oslo-2007"],
    ["record", "Peru", "attended", "wellington-2008", "--source", "https://example.org/new"],
]


@pytest.mark.parametrize("args", UPGRADING_COMMANDS, ids=lambda a: "-".join(a[:2]))
def test_any_command_upgrades_v1_in_place_and_keeps_a_backup(
    ccm: Run, tmp_path: Path, args: list[str]
) -> None:
    path = tmp_path / "research.db"
    shutil.copyfile(V1, path)
    rows_before = table_rows(V1)
    facts_before = v1_facts(V1)

    result = ccm(*args, "--db", path)
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr

    backup = tmp_path / "research.db.v1.bak"
    assert backup.is_file(), sorted(p.name for p in tmp_path.iterdir())
    assert str(backup) in result.stderr, result.stderr
    assert pragma(path, "user_version") == db.SCHEMA_VERSION
    assert pragma(path, "application_id") == db.APPLICATION_ID
    # The backup is the old database, untouched: still version 1, every row.
    assert pragma(backup, "user_version") == 1
    assert table_rows(backup) == rows_before
    assert v1_facts(backup) == facts_before

    added = 1 if args[0] == "record" else 0
    rows_after = table_rows(path)
    assert {t: rows_after[t] for t in KEPT} == {t: rows_before[t] for t in KEPT}
    # No source is lost: every (state, record, subject, source) is a claim after the upgrade.
    claims = exported_claims(ccm, path)
    assert old_claims(V1) <= claims
    assert len(claims) == len(old_claims(V1)) + added
    # One event per (state, record, subject) for records that happen once.
    events = exported_facts(ccm, path)
    keys = [(e[1], e[2], e[3]) for e in events if e[2] != "announced"]
    assert len(keys) == len(set(keys))


def test_fixture_is_a_version_2_database_with_duplicate_events() -> None:
    assert pragma(V2, "user_version") == 2
    conn = sqlite3.connect(f"{V2.resolve().as_uri()}?mode=ro", uri=True)
    try:
        norway = conn.execute(
            "SELECT count(*) FROM facts WHERE state = 'NOR' AND record = 'hosted'"
            " AND subject = 'oslo-signing-2008'"
        ).fetchone()[0]
        columns = [r[1] for r in conn.execute("PRAGMA table_info(fact_sources)")]
    finally:
        conn.close()
    assert norway == 4
    assert columns == ["fact", "source", "pos"]


def test_v2_upgrades_into_events_with_claims_and_a_backup(ccm: Run, tmp_path: Path) -> None:
    path = tmp_path / "research.db"
    shutil.copyfile(V2, path)
    before = old_claims(V2)
    result = ccm("export", "--csv", "--what", "claims", "--db", path)
    assert result.exit_code == 0, result.stderr
    backup = tmp_path / "research.db.v2.bak"
    assert str(backup) in result.stderr
    assert pragma(backup, "user_version") == 2 and old_claims(backup) == before
    assert pragma(path, "user_version") == db.SCHEMA_VERSION
    assert exported_claims(ccm, path) == before  # no source lost, none invented
    events = list(csv.DictReader(io.StringIO(ccm("export", "--csv", "--db", path).stdout)))

    def event(code: str, record: str, subject: str) -> list[dict[str, str]]:
        return [
            e for e in events if (e["code"], e["record"], e["subject"]) == (code, record, subject)
        ]

    norway = event("NOR", "hosted", "oslo-signing-2008")
    assert len(norway) == 1 and len(norway[0]["source"].split(" | ")) == 4
    assert norway[0]["meeting"] == "oslo-signing-2008"
    # 2007-05 and 2007-05-25 agree: one announcement, at the more precise date.
    assert [e["date"] for e in event("PER", "announced", "regional-zone")] == ["2007-05-25"]
    assert [e["date"] for e in event("JPN", "signed", "ccm")] == ["2008-12-03"]
    # Two dates that disagree: one ratification, in conflict.
    assert len(event("BDI", "ratified", "ccm")) == 1
    conflicts = ccm("conflicts", "--format", "csv", "--db", path).stdout
    assert "Burundi" in conflicts and "2009-09-25 [1], 2009-12-25 [2]" in conflicts


def test_upgrade_happens_once(ccm: Run, tmp_path: Path) -> None:
    path = tmp_path / "research.db"
    shutil.copyfile(V1, path)
    assert ccm("info", "--db", path).exit_code == 0
    backup = tmp_path / "research.db.v1.bak"
    backup_bytes = sha256(backup)
    second = ccm("info", "--db", path)
    assert second.exit_code == 0
    assert "upgrading" not in second.stderr
    assert sha256(backup) == backup_bytes
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".bak")) == [backup.name]


def test_upgrade_through_python_m_ccmtool(ccm: Run, tmp_path: Path) -> None:
    path = tmp_path / "research.db"
    shutil.copyfile(V1, path)
    proc = subprocess.run(
        [sys.executable, "-m", "ccmtool", "export", "--csv", "--db", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.reader(io.StringIO(proc.stdout)))
    sources = {(r[0], r[1], r[2], r[3], s) for r in rows[1:] for s in r[7].split(" | ")}
    assert sources == old_claims(V1)
    assert pragma(tmp_path / "research.db.v1.bak", "user_version") == 1


def test_database_from_a_newer_ccm_is_refused_and_left_alone(ccm: Run, tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    shutil.copyfile(V1, path)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {db.SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = sha256(path)
    for args in (["info"], ["export", "--csv"], ["record", "Peru", "attended", "lima", "-s", "x"]):
        assert_refused(ccm(*args, "--db", path), str(path), "newer")
    assert sha256(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["future.db", "home"]


# --- files that are not ccm's -------------------------------------------------------------


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


def _text(path: Path) -> None:
    path.write_text("Notes from the Lima conference, May 2007.\n", encoding="utf-8")


def _image(path: Path) -> None:
    path.write_bytes(_png())


def _other_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('state,record,subject')")
    conn.commit()
    conn.close()


def _other_sqlite_with_app_id(path: Path) -> None:
    """Another application's database that has marked itself, but has no tables yet."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 1234")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()


NOT_CCM = {
    "notes.txt": _text,
    "photo.png": _image,
    "other.sqlite": _other_sqlite,
    "marked.sqlite": _other_sqlite_with_app_id,
}
COMMANDS = [
    ["info"],
    ["meetings"],
    ["export", "--csv"],
    ["sql", "SELECT 1"],
    ["import", "FACTS"],
    ["record", "Peru", "attended", "lima", "-s", "https://example.org/x"],
    ["add-state", "Peru"],
    ["init"],
    ["init", "--force"],
]


@pytest.mark.parametrize("name", sorted(NOT_CCM))
def test_a_file_that_is_not_ccms_is_refused_and_never_modified(
    ccm: Run, tmp_path: Path, name: str
) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    target = folder / name
    NOT_CCM[name](target)
    before = sha256(target)
    facts = tmp_path / "facts.csv"
    facts.write_text(
        "state,record,subject,date,meeting,detail,source\n"
        "Peru,attended,lima-2007,,,,https://example.org/x\n",
        encoding="utf-8",
    )
    for args in COMMANDS:
        argv = [str(facts) if a == "FACTS" else a for a in args]
        message = assert_refused(ccm(*argv, "--db", target), str(target))
        assert "not" in message, message
        assert sha256(target) == before, args
        assert sorted(p.name for p in folder.iterdir()) == [name], args


def test_refusal_through_python_m_ccmtool(tmp_path: Path) -> None:
    target = tmp_path / "photo.png"
    _image(target)
    before = sha256(target)
    args = [
        "record",
        "Peru",
        "attended",
        "lima",
        "-s",
        "https://example.org/x",
        "--db",
        str(target),
    ]
    proc = subprocess.run(
        [sys.executable, "-m", "ccmtool", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert str(target) in proc.stderr
    assert len(proc.stderr.splitlines()) == 1
    assert sha256(target) == before


def test_a_damaged_ccm_database_is_refused_naming_the_file(
    ccm: Run, builtin_db: Path, tmp_path: Path
) -> None:
    """A ccm database cut short (a failed copy): a clear message naming it; no change."""
    broken = tmp_path / "broken.db"
    broken.write_bytes(builtin_db.read_bytes()[:4096] + b"\x00" * 100)
    before = sha256(broken)
    for args in (["info"], ["export", "--csv"], ["record", "Peru", "attended", "lima", "-s", "x"]):
        assert_refused(ccm(*args, "--db", broken), str(broken))
        assert sha256(broken) == before


# --- read-only surfaces -------------------------------------------------------------------


@pytest.fixture
def wal_db(builtin_db: Path) -> Path:
    """The built-in database, switched to WAL as the first write by any ccm does, so that
    comparing its bytes is about what a command did, not about the journal mode."""
    db.open_db(builtin_db).close()
    return builtin_db


WRITES = [
    "INSERT INTO facts (state, record, subject) VALUES ('HUN', 'announced', 'other')",
    "INSERT INTO facts SELECT * FROM facts RETURNING id",
    "REPLACE INTO states (code, name) VALUES ('ZZZ', 'Atlantis')",
    "UPDATE facts SET detail = 'changed'",
    "UPDATE meetings SET reported = 0 WHERE slug = 'lima-2007'",
    "DELETE FROM facts",
    "DELETE FROM fact_sources",
    "WITH doomed AS (SELECT id FROM facts) DELETE FROM facts WHERE id IN doomed",
    "DROP TABLE facts",
    "DROP INDEX idx_facts_state_record_subject_date",
    "CREATE TABLE t (x)",
    "CREATE TEMP TABLE t (x)",
    "CREATE TRIGGER t AFTER INSERT ON facts BEGIN DELETE FROM facts; END",
    "CREATE VIEW v AS SELECT 1",
    "ALTER TABLE facts ADD COLUMN x",
    "ATTACH DATABASE 'ATTACHED' AS other",
    "PRAGMA user_version = 99",
    "PRAGMA application_id = 0",
    "PRAGMA journal_mode = DELETE",
    "PRAGMA query_only = OFF",
    "PRAGMA foreign_keys = OFF",
    "PRAGMA wal_checkpoint(TRUNCATE)",
    "VACUUM",
    "VACUUM INTO 'VACUUMED'",
    "REINDEX",
    "ANALYZE",
    "BEGIN IMMEDIATE",
    "SAVEPOINT s",
    "SELECT 1; DELETE FROM facts",
    "SELECT load_extension('mod_spatialite')",
]


@pytest.mark.parametrize("statement", WRITES)
def test_sql_cannot_write(ccm: Run, wal_db: Path, tmp_path: Path, statement: str) -> None:
    before = snapshot(ccm, wal_db)
    statement = statement.replace("ATTACHED", str(tmp_path / "attached.db"))
    statement = statement.replace("VACUUMED", str(tmp_path / "vacuumed.db"))
    assert_refused(ccm("sql", statement, "--db", wal_db), "sql")
    assert snapshot(ccm, wal_db) == before
    assert not (tmp_path / "attached.db").exists()
    assert not (tmp_path / "vacuumed.db").exists()


def test_sql_cannot_write_even_while_upgrading_an_old_database(ccm: Run, tmp_path: Path) -> None:
    path = tmp_path / "research.db"
    shutil.copyfile(V1, path)
    result = ccm("sql", "DELETE FROM facts", "--db", path)
    assert result.exit_code in (1, 2), result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1].startswith("ccm: error: sql"), result.stderr
    # The upgrade itself went ahead (facts became events with claims); no row was deleted.
    assert old_claims(V1) <= exported_claims(ccm, path)


def test_sql_still_reads(ccm: Run, builtin_db: Path) -> None:
    result = ccm(
        "sql",
        "SELECT count(*) AS n FROM facts WHERE state = 'HUN'",
        "-f",
        "csv",
        "--db",
        builtin_db,
    )
    assert result.exit_code == 0, result.stderr
    assert int(result.stdout.splitlines()[1]) > 0


SQL_NAMES = [
    ["record", "Hungary'; DROP TABLE facts;--", "attended", "lima", "-s", "https://example.org/x"],
    ["attend", "Hungary' OR '1'='1", "lima", "-s", "https://example.org/x"],
    ["state", "Hungary'; DROP TABLE facts;--"],
    ["add-state", "Robert'); DROP TABLE states;--"],
    ["attendance", "lima'; DROP TABLE facts;--"],
    ["states", "--attended", "x' OR '1'='1"],
    ["endorse", "Peru", "ccm'; DELETE FROM facts;--", "-s", "https://example.org/x"],
    ["actions", "--state", "Peru' OR 1=1 --"],
]


@pytest.mark.parametrize("args", SQL_NAMES, ids=lambda a: a[0])
def test_names_with_sql_in_them_are_just_unknown_names(
    ccm: Run, wal_db: Path, args: list[str]
) -> None:
    before = snapshot(ccm, wal_db)
    sql_text = next(a for a in args if "'" in a)
    assert_refused(ccm(*args, "--db", wal_db), sql_text[:12])
    assert snapshot(ccm, wal_db) == before
