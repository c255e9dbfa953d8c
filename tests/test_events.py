"""Events and claims, presence from every fact at a meeting, updates that lose nothing
(issue 9), through the real CLI and through the core."""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from ccmtool import db
from ccmtool.events import agree, best_date, put_fact

Run = Callable[..., Result]


def ok(result: Result) -> Result:
    assert result.exit_code == 0, f"exit {result.exit_code}\n{result.stdout}\n{result.stderr}"
    return result


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# --- the rules ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("", "2007-05-25", True),
        ("2007-05", "2007-05-25", True),
        ("2007", "2007-05", True),
        ("2007-05-25", "2007-05-26", False),
        ("2007-05", "2007-06-01", False),
        ("2008", "2009", False),
    ],
)
def test_dates_agree_up_to_precision(a: str, b: str, expected: bool) -> None:
    assert agree(a, b) is expected
    assert agree(b, a) is expected


def test_the_best_date_is_the_most_precise_agreed_one_or_the_first() -> None:
    assert best_date(["", "2007-05", "2007-05-25"]) == "2007-05-25"
    assert best_date(["2007-05-25", "2007"]) == "2007-05-25"
    assert best_date(["2009-09-25", "2009-12-25"]) == "2009-09-25"  # in conflict: the first
    assert best_date([]) == ""


@pytest.fixture
def conn(empty_db: Path) -> sqlite3.Connection:
    c = db.open_db(empty_db)
    c.execute("INSERT INTO states VALUES ('PER', 'Peru', 'Americas', 'South America')")
    c.execute("INSERT INTO states VALUES ('BDI', 'Burundi', 'Africa', 'Eastern Africa')")
    c.execute(
        "INSERT INTO instruments VALUES ('ccm', 'Convention on Cluster Munitions', 'treaty',"
        " NULL, '2008-05-30', 'x')"
    )
    yield c
    c.close()


def events(conn: sqlite3.Connection) -> list[tuple[str, str, str, str]]:
    return [
        tuple(r) for r in conn.execute("SELECT state, record, subject, date FROM facts ORDER BY id")
    ]


def test_announcements_that_agree_are_one_event_and_others_stay_distinct(
    conn: sqlite3.Connection,
) -> None:
    for date, source in (
        ("2007-05", "a"),
        ("2007-05-25", "b"),
        ("", "c"),
        ("2009", "d"),
        ("2007", "e"),
    ):
        put_fact(conn, "PER", "announced", "moratorium", date, "", "", [source])
    assert events(conn) == [
        ("PER", "announced", "moratorium", "2007-05-25"),
        ("PER", "announced", "moratorium", "2009"),
    ]
    claims = conn.execute("SELECT source, date FROM claims ORDER BY fact, pos").fetchall()
    assert [tuple(c) for c in claims] == [
        ("a", "2007-05"),
        ("b", "2007-05-25"),
        ("c", ""),
        ("e", "2007"),
        ("d", "2009"),
    ]


def test_a_ratification_on_two_dates_is_one_event_with_two_claims(
    conn: sqlite3.Connection,
) -> None:
    first = put_fact(conn, "BDI", "ratified", "ccm", "2009-09-25", "", "", ["UN"])
    second = put_fact(conn, "BDI", "ratified", "ccm", "2009-12-25", "", "Monitor", ["Monitor"])
    assert second.fact_id == first.fact_id and second.sources_added == 1
    assert events(conn) == [("BDI", "ratified", "ccm", "2009-09-25")]
    claims = conn.execute("SELECT source, date, detail FROM claims ORDER BY pos").fetchall()
    assert [tuple(c) for c in claims] == [
        ("UN", "2009-09-25", ""),
        ("Monitor", "2009-12-25", "Monitor"),
    ]


def test_a_source_already_heard_is_not_overwritten(conn: sqlite3.Connection) -> None:
    put_fact(conn, "PER", "signed", "ccm", "2008-12", "", "first wording", ["UN"])
    result = put_fact(conn, "PER", "signed", "ccm", "2008-12-03", "", "other wording", ["UN"])
    # A more precise agreeing date fills the claim in; a different wording is kept as it was.
    assert result.status == "updated"
    assert any("first wording" in k for k in result.kept)
    claim = conn.execute("SELECT date, detail FROM claims").fetchone()
    assert tuple(claim) == ("2008-12-03", "first wording")
    again = put_fact(conn, "PER", "signed", "ccm", "2009-01-01", "", "", ["UN"])
    assert again.status == "unchanged" and "2008-12-03" in again.kept[0]


# --- on the built-in data -----------------------------------------------------------------


def test_compare_oslo_lima_knows_who_endorsed_at_oslo(ccm: Run, builtin_db: Path) -> None:
    out = ok(ccm("compare", "oslo-2007", "lima", "--format", "csv", "--db", builtin_db)).stdout
    only_lima = {r["code"] for r in rows(out) if r["group"] == "only lima-2007"}
    assert not {"GBR", "PRT"} & only_lima


def test_every_signer_at_the_signing_conference_was_there(ccm: Run, builtin_db: Path) -> None:
    out = ok(ccm("attendance", "oslo-signing", "--format", "csv", "--db", builtin_db)).stdout
    present = rows(out)
    signers = {
        r["code"]
        for r in rows(ok(ccm("export", "--csv", "--db", builtin_db)).stdout)
        if r["record"] == "signed" and r["meeting"] == "oslo-signing-2008"
    }
    assert len(signers) >= 86
    assert signers <= {r["code"] for r in present}
    assert all(r["how"] for r in present)
    assert any(r["how"] == "implied: signed" for r in present)


def test_no_event_is_stored_twice(ccm: Run, builtin_db: Path) -> None:
    exported = rows(ok(ccm("export", "--csv", "--db", builtin_db)).stdout)
    once = ("signed", "ratified", "acceded", "hosted", "attended", "endorsed")
    keys = [(r["code"], r["record"], r["subject"]) for r in exported if r["record"] in once]
    assert len(keys) == len(set(keys))


def test_burundi_ratification_is_one_fact_with_two_dated_claims(ccm: Run, builtin_db: Path) -> None:
    facts = rows(ok(ccm("export", "--csv", "--db", builtin_db)).stdout)
    burundi = [r for r in facts if r["code"] == "BDI" and r["record"] == "ratified"]
    assert len(burundi) == 1
    claims = rows(ok(ccm("export", "--what", "claims", "--db", builtin_db)).stdout)
    dates = {r["date"] for r in claims if r["code"] == "BDI" and r["record"] == "ratified"}
    assert {"2009-09-25", "2009-12-25"} <= dates
    conflicts = rows(ok(ccm("conflicts", "--format", "csv", "--db", builtin_db)).stdout)
    assert any(r["state"] == "Burundi" and r["kind"] == "date" for r in conflicts)


@pytest.mark.parametrize("what", ["facts", "claims"])
def test_both_exports_round_trip_byte_identical(
    ccm: Run, builtin_db: Path, tmp_path: Path, what: str
) -> None:
    files = []
    for kind in ("states", "meetings", "instruments", "counts", what):
        path = tmp_path / f"{kind}.csv"
        ok(ccm("export", "--what", kind, "-o", path, "--db", builtin_db))
        files.append(path)
    fresh = tmp_path / "fresh.db"
    ok(ccm("init", "--empty", "--db", fresh))
    ok(ccm("import", *files, "--db", fresh))
    again = ok(ccm("export", "--what", what, "--db", fresh)).stdout
    assert again == files[-1].read_text(encoding="utf-8")


# --- implied absence ----------------------------------------------------------------------


def test_an_implied_absence_is_never_shown_as_plain_absent(
    ccm: Run, builtin_db: Path, tmp_path: Path
) -> None:
    facts = tmp_path / "facts.csv"
    facts.write_text(
        "state,record,subject,date,meeting,detail,source\n"
        "Chile,absent,vienna-2007,,,IMPLIED: first took part at Wellington,https://ex.org/i\n"
        "Peru,absent,vienna-2007,,,Did not attend,https://ex.org/s\n",
        encoding="utf-8",
    )
    ok(ccm("import", facts, "--db", builtin_db))
    out = ok(ccm("attendance", "vienna", "--absent", "--format", "csv", "--db", builtin_db))
    how = {r["code"]: r["how"] for r in rows(out.stdout)}
    assert how["CHL"] == "implied: absent"
    assert how["PER"] == "absent"


# --- updates never lose data --------------------------------------------------------------


def meeting_row(ccm: Run, path: Path, slug: str) -> dict[str, str]:
    out = ok(ccm("export", "--what", "meetings", "--db", path)).stdout
    return next(r for r in rows(out) if r["slug"] == slug)


def test_add_meeting_changes_only_the_fields_given(ccm: Run, builtin_db: Path) -> None:
    before = meeting_row(ccm, builtin_db, "lima-2007")
    newcomers = ok(ccm("attendance", "lima", "--newcomers", "-f", "csv", "--db", builtin_db))
    result = ok(
        ccm("add-meeting", "lima-2007", "--name", "Lima Conference", "--source", "x", "--db",
            builtin_db)
    )  # fmt: skip
    after = meeting_row(ccm, builtin_db, "lima-2007")
    assert after["name"] == "Lima Conference"
    for field in ("city", "country", "start_date", "end_date", "reported", "kind"):
        assert after[field] == before[field], field
    assert after["source"] == before["source"] + " | x"  # kept beside, never over
    assert f"name: {before['name']} -> Lima Conference" in result.stderr
    again = ok(ccm("attendance", "lima", "--newcomers", "-f", "csv", "--db", builtin_db))
    assert again.stdout == newcomers.stdout


def test_add_instrument_does_not_turn_the_treaty_into_a_declaration(
    ccm: Run, builtin_db: Path
) -> None:
    ok(ccm("add-instrument", "ccm", "--name", "X", "--source", "y", "--db", builtin_db))
    out = ok(ccm("export", "--what", "instruments", "--db", builtin_db)).stdout
    treaty = next(r for r in rows(out) if r["slug"] == "ccm")
    assert (treaty["name"], treaty["kind"]) == ("X", "treaty")
    assert treaty["date"] == "2008-05-30" and treaty["meeting"] == "dublin-2008"


def test_a_new_meeting_still_needs_a_name_and_a_source(ccm: Run, builtin_db: Path) -> None:
    result = ccm("add-meeting", "geneva-2030", "--city", "Geneva", "--db", builtin_db)
    assert result.exit_code == 2
    assert "--name and --source required" in result.stderr


def test_a_second_sources_wording_is_kept_beside_the_first(ccm: Run, builtin_db: Path) -> None:
    ok(ccm("record", "Hungary", "attended", "lima", "--detail", "New words", "-s",
           "https://ex.org/new", "--db", builtin_db))  # fmt: skip
    claims = rows(ok(ccm("export", "--what", "claims", "--db", builtin_db)).stdout)
    hungary = [
        r["detail"]
        for r in claims
        if (r["code"], r["record"], r["subject"]) == ("HUN", "attended", "lima-2007")
    ]
    assert len(hungary) >= 2 and hungary[-1] == "New words" and hungary[0] != "New words"


@pytest.mark.parametrize("how", ["--db", "CCM_DB"])
def test_an_explicit_database_that_does_not_exist_is_an_error(
    ccm: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    path = tmp_path / "typo" / "dir" / "x.db"
    if how == "CCM_DB":
        monkeypatch.setenv("CCM_DB", str(path))
        result = ccm("info")
    else:
        result = ccm("info", "--db", path)
    assert result.exit_code == 1
    assert f"no database at {path}; `ccm init --db {path}` creates one" in result.stderr
    assert not (tmp_path / "typo").exists()
    ok(ccm("init", "--db", path))
    ok(ccm("info", "--db", path))


def test_the_default_path_is_still_created_on_first_use(ccm: Run, isolated_home: Path) -> None:
    result = ok(ccm("meetings"))
    assert "created" in result.stderr
    assert (isolated_home / "ccm" / "ccm.db").exists()


# --- the meeting link is data: views and Datasette ----------------------------------------


def test_views_join_facts_to_meetings_and_states(builtin_db: Path) -> None:
    conn = sqlite3.connect(builtin_db)
    try:
        lima = conn.execute(
            "SELECT count(*) FROM meeting_presence WHERE meeting = 'lima-2007'"
        ).fetchone()[0]
        assert lima >= 20
        unlinked = conn.execute(
            "SELECT count(*) FROM facts WHERE record IN ('attended', 'absent', 'hosted')"
            " AND meeting IS NOT subject"
        ).fetchone()[0]
        assert unlinked == 0
        detail = conn.execute(
            "SELECT state, sources FROM fact_details WHERE code = 'HUN' LIMIT 1"
        ).fetchone()
        assert detail[0] == "Hungary" and detail[1]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_datasette_shows_limas_facts_on_limas_row_page(
    ccm: Run, builtin_db: Path, tmp_path: Path
) -> None:
    metadata = tmp_path / "metadata.json"
    ok(ccm("export", "--datasette-metadata", "-o", metadata, "--db", builtin_db))
    described = json.loads(metadata.read_text(encoding="utf-8"))
    tables = described["databases"][builtin_db.stem]["tables"]
    assert "hosted" in tables["facts"]["description"]
    assert "claims" in tables
    port = _free_port()
    datasette = Path(sys.executable).with_name("datasette")
    proc = subprocess.Popen(
        [str(datasette), "serve", str(builtin_db), "-m", str(metadata), "-h", "127.0.0.1",
         "-p", str(port), "--immutable", str(builtin_db)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}/{builtin_db.stem}"
        page = ""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{base}/meetings/lima-2007", timeout=5) as r:
                    page = r.read().decode()
                break
            except OSError:
                time.sleep(0.1)
        assert "Lima Conference" in page
        # The row page links to the facts that carry Lima as their meeting.
        assert "facts?meeting=lima-2007" in page
        with urllib.request.urlopen(f"{base}/facts.json?meeting=lima-2007&_shape=array") as r:
            facts = json.loads(r.read())
        assert len(facts) >= 20 and all(f["meeting"] == "lima-2007" for f in facts)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
