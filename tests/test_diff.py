"""`ccm diff OLD NEW` (issue 15): facts and sources added, removed or changed, for release notes.

The changes are made through the real CLI (`record`, `remove`, `import`) on copies of the
built-in database, so the diff is checked against what a user would actually do.
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from ccmtool.diff import compare, diff_paths

Run = Callable[..., Result]
DATA = Path(__file__).parent / "data"


def _lines(result: Result) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.strip()]


def _diff(ccm: Run, old: Path, new: Path) -> tuple[list[list[str]], str]:
    """Rows (CSV on stdout) and the summary line (stderr, under machine formats)."""
    result = ccm("diff", old, new, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["change", "state", "record", "subject", "what", "sources"]
    return rows[1:], result.stderr.strip().splitlines()[-1]


def _fact_id(path: Path, state: str, record: str, subject: str) -> int:
    conn = sqlite3.connect(path)
    try:
        row = conn.execute(
            "SELECT id FROM facts WHERE state = ? AND record = ? AND subject = ?",
            (state, record, subject),
        ).fetchone()
    finally:
        conn.close()
    assert row is not None
    return int(row[0])


def test_identical_databases_have_no_differences(
    ccm: Run, builtin_db: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "copy.db"
    shutil.copy(builtin_db, copy)
    result = ccm("diff", builtin_db, copy)
    assert result.exit_code == 0, result.output
    assert "no differences" in result.stdout
    rows, summary = _diff(ccm, builtin_db, copy)
    assert rows == [] and summary.startswith("no differences")


def test_added_removed_and_changed_facts_and_sources(
    ccm: Run, builtin_db: Path, tmp_path: Path
) -> None:
    new = tmp_path / "new.db"
    shutil.copy(builtin_db, new)
    added = ccm(
        "record", "Peru", "attended", "wellington-2008", "-s", "https://ex.org/new", "--db", new
    )
    assert added.exit_code == 0, added.output
    # A second source for a fact that exists: a source added, not a fact added.
    lima_host = _fact_id(new, "PER", "hosted", "lima-2007")
    more = ccm("record", "Peru", "hosted", "lima-2007", "-s", "https://ex.org/more", "--db", new)
    assert more.exit_code == 0, more.output
    assert _fact_id(new, "PER", "hosted", "lima-2007") == lima_host
    gone = _fact_id(new, "JPN", "declined", "oslo-declaration")
    assert ccm("remove", str(gone), "--db", new).exit_code == 0
    rows, summary = _diff(ccm, builtin_db, new)
    assert [row[0] for row in rows] == ["fact added", "fact removed", "source added"]
    assert rows[0][1:4] == ["Peru", "attended", "wellington-2008"]
    assert rows[0][-1] == "https://ex.org/new"
    assert rows[1][1:4] == ["Japan", "declined", "oslo-declaration"]
    assert rows[2][1:4] == ["Peru", "hosted", "lima-2007"] and rows[2][-1] == "https://ex.org/more"
    assert summary.startswith("1 fact added, 1 fact removed, 1 source added (")
    # The versions: the same release, the new one marked with its content's fingerprint.
    old_version, new_version = summary.split("(", 1)[1].rstrip(")").split(" -> ")
    assert new_version.startswith(old_version.split("+")[0] + "+") and new_version != old_version
    # Reversed, every addition is a removal.
    _rows, back = _diff(ccm, new, builtin_db)
    assert back.startswith("1 fact added, 1 fact removed, 1 source removed (")


def test_a_changed_claim_is_a_change_not_a_removal(builtin_db: Path, tmp_path: Path) -> None:
    new = tmp_path / "new.db"
    shutil.copy(builtin_db, new)
    conn = sqlite3.connect(new)
    with conn:
        fact = conn.execute(
            "SELECT fact FROM claims WHERE source LIKE 'http%' ORDER BY fact LIMIT 1"
        ).fetchone()[0]
        conn.execute("UPDATE claims SET detail = 'reworded' WHERE fact = ? AND pos = 0", (fact,))
        conn.execute("UPDATE facts SET detail = 'reworded' WHERE id = ?", (fact,))
    conn.close()
    result = diff_paths(builtin_db, new)
    assert [r[0] for r in result.rows] == ["fact changed", "source changed"]
    assert result.rows[0][4].endswith("-> 'reworded'")


def test_markdown_for_release_notes(ccm: Run, builtin_db: Path, tmp_path: Path) -> None:
    new = tmp_path / "new.db"
    shutil.copy(builtin_db, new)
    ccm("record", "Peru", "attended", "wellington-2008", "-s", "https://ex.org/a|b", "--db", new)
    result = ccm("diff", builtin_db, new, "--format", "markdown")
    assert result.exit_code == 0, result.output
    lines = _lines(result)
    assert lines[0].startswith("| change") and lines[1].startswith("|---")
    assert "https://ex.org/a\\|b" in lines[2]  # a pipe cannot split the Markdown cell
    assert len(lines) == 3  # the summary goes to stderr: stdout pastes as it is
    assert result.stderr.strip().startswith("1 fact added (")


def test_export_folders_compare_like_databases(ccm: Run, builtin_db: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert ccm("site", site, "--db", builtin_db).exit_code == 0
    # The site's data folder holds claims.csv, so importing it loses nothing.
    rows, summary = _diff(ccm, builtin_db, site / "data")
    assert rows == [] and summary.startswith("no differences")
    new = tmp_path / "new.db"
    shutil.copy(builtin_db, new)
    ccm("record", "Peru", "attended", "wellington-2008", "-s", "https://ex.org/x", "--db", new)
    package = tmp_path / "package"
    assert ccm("export", "--datapackage", package, "--db", new).exit_code == 0
    rows, _summary = _diff(ccm, site / "data", package)
    added = [row for row in rows if row[0] == "fact added"]
    assert added == [["fact added", "Peru", "attended", "wellington-2008", "", "https://ex.org/x"]]


def test_an_old_schema_database_is_compared_without_being_touched(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    old = work / "v1.db"
    shutil.copy(DATA / "v1.db", old)
    before = hashlib.sha256(old.read_bytes()).hexdigest()
    result = diff_paths(old, old)
    assert result.rows == [] and result.summary().startswith("no differences")
    assert hashlib.sha256(old.read_bytes()).hexdigest() == before
    assert [p.name for p in work.iterdir()] == ["v1.db"]  # no backup, no upgrade in place


def test_bad_inputs_are_one_line_errors(ccm: Run, builtin_db: Path, tmp_path: Path) -> None:
    missing = ccm("diff", tmp_path / "nope.db", builtin_db)
    assert missing.exit_code == 1 and "no such database or folder" in missing.stderr
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n", encoding="utf-8")
    not_db = ccm("diff", text, builtin_db)
    assert not_db.exit_code == 1 and "not a SQLite database" in not_db.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    no_facts = ccm("diff", builtin_db, empty)
    assert no_facts.exit_code == 1 and "no claims.csv or facts.csv" in no_facts.stderr
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "facts.csv").write_text("state,record\nPeru,attended\n", encoding="utf-8")
    bad = ccm("diff", builtin_db, broken)
    assert bad.exit_code == 1 and str(broken) in bad.stderr
    for result in (missing, not_db, no_facts, bad):
        assert result.stderr.startswith("ccm: error:") and "Traceback" not in result.output
    usage = ccm("diff", builtin_db, builtin_db, "--format", "nope")
    assert usage.exit_code == 2


def test_compare_reports_meetings_counts_and_states(builtin_db: Path, tmp_path: Path) -> None:
    new = tmp_path / "new.db"
    shutil.copy(builtin_db, new)
    conn = sqlite3.connect(new)
    with conn:
        conn.execute("UPDATE meetings SET reported = 70 WHERE slug = 'lima-2007'")
        conn.execute(
            "INSERT INTO counts (meeting, record, count, detail, source)"
            " VALUES ('lima-2007', 'attended', 70, '', 'https://ex.org/c')"
        )
    old_conn, new_conn = sqlite3.connect(builtin_db), conn
    for c in (old_conn, new_conn):
        c.row_factory = sqlite3.Row
    result = compare(old_conn, new_conn)
    assert [(r[0], r[3]) for r in result.rows] == [
        ("meeting changed", "lima-2007"),
        ("count added", "lima-2007"),
    ]
    assert result.rows[0][4] == "reported 68 -> 70"
    old_conn.close()
    conn.close()
