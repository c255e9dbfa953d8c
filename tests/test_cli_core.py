"""The core commands through the real CLI, on real SQLite files (issue 2, items 5 and 6).

Most tests use a small database whose answers are known by construction (`small_db`: four
meetings, two instruments, three disagreeing counts for Lima and ten facts, imported from
contract CSVs); the rest use the built-in dataset (`builtin_db`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from ccmtool import __version__

Run = Callable[..., Result]  # the `ccm` fixture from conftest.py

MEETINGS_CSV = """\
slug,name,city,country,start_date,end_date,kind,reported,source
wellington-2008,Wellington Conference,Wellington,New Zealand,2008-02-18,2008-02-22,conference,,https://ex.org/wlg
oslo-signing-2008,Oslo Signing Conference,Oslo,Norway,2008-12-03,2008-12-04,signing,94,https://ex.org/sign
lima-2007,Lima Conference on Cluster Munitions,Lima,Peru,2007-05-23,2007-05-25,conference,68,https://ex.org/di
oslo-2007,Oslo Conference on Cluster Munitions,Oslo,Norway,2007-02-22,2007-02-23,conference,49,https://ex.org/oslo
"""
INSTRUMENTS_CSV = """\
slug,name,kind,meeting,date,source
oslo-declaration,Oslo Declaration,declaration,oslo-2007,2007-02-23,https://ex.org/oslo
ccm,Convention on Cluster Munitions,treaty,,2008-05-30,https://ex.org/ccm
"""
COUNTS_CSV = """\
meeting,record,count,detail,source
lima-2007,attended,68,68 countries,https://ex.org/di
lima-2007,attended,67,67 states,https://ex.org/icbl
lima-2007,attended,65,more than 65,https://ex.org/hrw
"""
# Deliberately out of date order: the timeline must sort them.
FACTS_CSV = """\
state,record,subject,date,meeting,detail,source
Hungary,ratified,ccm,2012-07-03,,,https://ex.org/untc
Hungary,signed,ccm,2008-12-03,oslo-signing-2008,,https://ex.org/untc
Peru,hosted,lima-2007,,,,https://ex.org/di
Hungary,attended,lima-2007,,,,https://ex.org/icbl | https://ex.org/di
Netherlands,attended,lima-2007,,,Questioned a threshold of 20,https://ex.org/di
Hungary,announced,moratorium,2007-05-25,lima-2007,Immediate moratorium,https://ex.org/icbl
United States,absent,lima-2007,,,,https://ex.org/di
Russia,absent,lima-2007,,,,https://ex.org/di
Hungary,attended,oslo-2007,,,,https://ex.org/oslo
Norway,hosted,oslo-2007,,,,https://ex.org/oslo
"""
LIMA_FOOTER = "3 recorded of 68 reported (other sources: 67, more than 65)"


# --- helpers ------------------------------------------------------------------------------


def ok(result: Result) -> Result:
    assert result.exit_code == 0, f"exit {result.exit_code}: {result.stderr}{result.stdout}"
    assert "Traceback" not in result.stderr
    return result


def clean_error(result: Result, code: int = 1) -> Result:
    assert result.exit_code == code, f"exit {result.exit_code}: {result.stderr}{result.stdout}"
    assert "Traceback" not in result.stderr + result.stdout
    assert "internal error" not in result.stderr
    assert result.stdout == ""
    return result


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def db_digest(path: Path) -> str:
    """The database file's bytes once any committed WAL content is in it."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return hashlib.sha256(path.read_bytes()).hexdigest()


def export(ccm: Run, db: Path, what: str = "facts") -> str:
    return ok(ccm("export", "--csv", "--what", what, "--db", db)).stdout


def facts(ccm: Run, db: Path) -> list[dict[str, str]]:
    return rows(export(ccm, db))


def info(ccm: Run, db: Path) -> dict[str, str]:
    out = ok(ccm("info", "--format", "csv", "--db", db)).stdout
    return {r["field"]: r["value"] for r in rows(out)}


def write_files(directory: Path) -> list[Path]:
    paths = []
    for name, text in (
        ("meetings.csv", MEETINGS_CSV),
        ("instruments.csv", INSTRUMENTS_CSV),
        ("counts.csv", COUNTS_CSV),
        ("facts.csv", FACTS_CSV),
    ):
        path = directory / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture
def small_db(ccm: Run, empty_db: Path, tmp_path: Path) -> Path:
    ok(ccm("import", *write_files(tmp_path), "--db", empty_db))
    return empty_db


# --- init, info, --version, first use -----------------------------------------------------


def test_version(ccm: Run) -> None:
    result = ok(ccm("--version"))
    assert result.stdout.strip() == f"ccm {__version__}"


def test_init_empty_creates_a_ccm_database(ccm: Run, tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    result = ok(ccm("init", "--empty", "--db", path))
    assert path.is_file()
    assert str(path) in result.stderr
    assert result.stdout == ""
    counts = info(ccm, path)
    assert counts["facts"] == "0"
    assert counts["meetings"] == "0"
    assert re.fullmatch(r"(\d+) \(this ccm: \1\)", counts["schema version"])
    assert counts["path"] == str(path.resolve())


def test_init_refuses_to_overwrite_without_force(ccm: Run, small_db: Path) -> None:
    before = db_digest(small_db)
    result = clean_error(ccm("init", "--empty", "--db", small_db))
    assert "--force" in result.stderr
    assert str(small_db) in result.stderr
    assert db_digest(small_db) == before
    assert info(ccm, small_db)["facts"] == "10"


def test_init_force_replaces_the_database(ccm: Run, small_db: Path) -> None:
    ok(ccm("init", "--empty", "--force", "--db", small_db))
    counts = info(ccm, small_db)
    assert (counts["facts"], counts["meetings"], counts["states"]) == ("0", "0", "0")


def test_init_without_empty_loads_the_builtin_dataset(ccm: Run, tmp_path: Path) -> None:
    path = tmp_path / "seeded.db"
    result = ok(ccm("init", "--db", path))
    assert "built-in" in result.stderr
    counts = info(ccm, path)
    assert int(counts["facts"]) > 100
    assert int(counts["meetings"]) >= 10


def test_info_counts_what_is_in_the_database(ccm: Run, small_db: Path) -> None:
    counts = info(ccm, small_db)
    assert counts["facts"] == "10"
    assert counts["claims"] == "11"  # Hungary at Lima has two sources
    assert counts["meetings"] == "4"
    assert counts["instruments"] == "2"
    assert counts["counts"] == "3"
    # Norway, Peru, New Zealand (hosts), Hungary, Netherlands, United States, Russia
    assert counts["states"] == "7"
    table = ok(ccm("info", "--db", small_db)).stdout
    assert str(small_db.resolve()) in table
    assert "schema version" in table


def test_first_use_creates_the_default_database_once(ccm: Run, isolated_home: Path) -> None:
    default = isolated_home / "ccm" / "ccm.db"
    assert not default.exists()
    first = ok(ccm("meetings", "--format", "csv"))
    assert default.is_file()
    assert first.stderr.count("created") == 1
    assert str(default) in first.stderr
    assert "built-in" in first.stderr
    assert "lima-2007" in [r["slug"] for r in rows(first.stdout)]
    second = ok(ccm("meetings", "--format", "csv"))
    assert "created" not in second.stderr
    assert second.stdout == first.stdout
    lima = ok(ccm("attendance", "lima"))
    assert "Peru" in lima.stdout
    assert "created" not in lima.stderr


def test_ccm_db_environment_variable_names_the_database(
    ccm: Run, tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "from-env.db"
    monkeypatch.setenv("CCM_DB", str(path))
    ok(ccm("init", "--empty"))
    assert path.is_file()
    assert not (isolated_home / "ccm" / "ccm.db").exists()
    ok(ccm("add-state", "Peru"))
    assert [r["code"] for r in rows(export(ccm, path, "states"))] == ["PER"]


# --- add-meeting, add-instrument ----------------------------------------------------------


def test_add_meeting_then_meetings(ccm: Run, empty_db: Path) -> None:
    args = [
        "add-meeting",
        "vienna-2007",
        "--name",
        "Vienna Conference on Cluster Munitions",
        "--city",
        "Vienna",
        "--country",
        "Austria",
        "--start",
        "2007-12-05",
        "--end",
        "2007-12-07",
        "--reported",
        "138",
        "--source",
        "https://ex.org/cmc",
        "--db",
        str(empty_db),
    ]
    assert "added" in ok(ccm(*args)).stderr
    assert "unchanged" in ok(ccm(*args)).stderr
    listed = rows(ok(ccm("meetings", "--format", "csv", "--db", empty_db)).stdout)
    assert listed == [
        {
            "slug": "vienna-2007",
            "name": "Vienna Conference on Cluster Munitions",
            "city": "Vienna",
            "start": "2007-12-05",
            "end": "2007-12-07",
            "kind": "conference",
            "recorded": "0",
            "reported": "138",
        }
    ]
    exported = rows(export(ccm, empty_db, "meetings"))
    assert exported[0]["country"] == "Austria"
    assert exported[0]["source"] == "https://ex.org/cmc"
    args[args.index("--reported") + 1] = "120"
    assert "updated" in ok(ccm(*args)).stderr
    assert rows(export(ccm, empty_db, "meetings"))[0]["reported"] == "120"


def test_add_instrument_resolves_its_meeting_by_city(ccm: Run, small_db: Path) -> None:
    result = ok(
        ccm(
            "add-instrument",
            "wellington-declaration",
            "--name",
            "Wellington Declaration",
            "--meeting",
            "wellington",
            "--date",
            "2008-02-22",
            "--source",
            "https://ex.org/a",
            "--source",
            "https://ex.org/b",
            "--db",
            small_db,
        )
    )
    assert "added" in result.stderr
    instruments = {r["slug"]: r for r in rows(export(ccm, small_db, "instruments"))}
    assert instruments["wellington-declaration"] == {
        "slug": "wellington-declaration",
        "name": "Wellington Declaration",
        "kind": "declaration",
        "meeting": "wellington-2008",
        "date": "2008-02-22",
        "source": "https://ex.org/a | https://ex.org/b",
    }


# --- record, attend, endorse, announce, remove --------------------------------------------


def test_attend_records_a_fact_with_its_source(ccm: Run, small_db: Path) -> None:
    result = ok(
        ccm("attend", "New Zealand", "lima", "--source", "https://ex.org/nz", "--db", small_db)
    )
    assert "NZL" in result.stderr
    assert result.stdout == ""
    new = [f for f in facts(ccm, small_db) if f["code"] == "NZL" and f["record"] == "attended"]
    assert new == [
        {
            "state": "New Zealand",
            "code": "NZL",
            "record": "attended",
            "subject": "lima-2007",
            "date": "",
            "meeting": "lima-2007",  # a fact about a meeting happened at it
            "detail": "",
            "source": "https://ex.org/nz",
        }
    ]
    assert (
        LIMA_FOOTER.replace("3 recorded", "4 recorded")
        in ok(ccm("attendance", "lima", "--db", small_db)).stdout
    )


def test_the_same_fact_from_a_second_source_is_one_fact(ccm: Run, small_db: Path) -> None:
    ok(ccm("attend", "Japan", "lima-2007", "-s", "https://ex.org/one", "--db", small_db))
    again = ok(ccm("attend", "JP", "Lima", "-s", "https://ex.org/two", "--db", small_db))
    assert "already" in again.stderr
    japan = [f for f in facts(ccm, small_db) if f["code"] == "JPN"]
    assert len(japan) == 1
    assert japan[0]["source"] == "https://ex.org/one | https://ex.org/two"
    assert info(ccm, small_db)["facts"] == "11"


def test_endorse_by_instrument_prefix(ccm: Run, small_db: Path) -> None:
    ok(
        ccm(
            "endorse",
            "Peru",
            "oslo-decl",
            "--meeting",
            "oslo-2007",
            "--date",
            "2007-02-23",
            "-s",
            "https://ex.org/oslo",
            "--db",
            small_db,
        )
    )
    peru = [f for f in facts(ccm, small_db) if f["code"] == "PER" and f["record"] == "endorsed"]
    assert [(f["subject"], f["meeting"], f["date"]) for f in peru] == [
        ("oslo-declaration", "oslo-2007", "2007-02-23")
    ]


def test_announce_keeps_detail_date_and_meeting(ccm: Run, small_db: Path) -> None:
    detail = 'Would destroy its stockpiles "soon", the delegate said'
    ok(
        ccm(
            "announce",
            "Hungary",
            "stockpile-destruction",
            "--detail",
            detail,
            "--date",
            "2007-05-23",
            "--meeting",
            "lima",
            "--source",
            "https://ex.org/di",
            "--db",
            small_db,
        )
    )
    got = [f for f in facts(ccm, small_db) if f["subject"] == "stockpile-destruction"]
    assert [(f["code"], f["date"], f["meeting"], f["detail"]) for f in got] == [
        ("HUN", "2007-05-23", "lima-2007", detail)
    ]


def test_announcements_on_different_dates_are_different_facts(ccm: Run, small_db: Path) -> None:
    for date in ("2008", "2008-05", "2009"):
        ok(
            ccm(
                "announce",
                "Hungary",
                "moratorium",
                "--detail",
                f"moratorium announced {date}",
                "--date",
                date,
                "-s",
                "https://ex.org/m",
                "--db",
                small_db,
            )
        )
    dates = sorted(
        f["date"]
        for f in facts(ccm, small_db)
        if f["code"] == "HUN" and f["subject"] == "moratorium"
    )
    # 2008 and 2008-05 agree up to precision: one announcement, at the more precise date.
    assert dates == ["2007-05-25", "2008-05", "2009"]


def test_record_general_form(ccm: Run, small_db: Path) -> None:
    ok(
        ccm(
            "record",
            "Japan",
            "accepted",
            "ccm",
            "--date",
            "2009-07",
            "-s",
            "UNTC",
            "--db",
            small_db,
        )
    )
    ok(ccm("record", "Japan", "declined", "oslo-declaration", "-s", "CMC", "--db", small_db))
    japan = {
        (f["record"], f["subject"], f["date"]) for f in facts(ccm, small_db) if f["code"] == "JPN"
    }
    assert japan == {("accepted", "ccm", "2009-07"), ("declined", "oslo-declaration", "")}


def test_remove_deletes_a_fact_and_its_sources(ccm: Run, small_db: Path) -> None:
    timeline = rows(ok(ccm("state", "Hungary", "--format", "csv", "--db", small_db)).stdout)
    lima = next(r for r in timeline if r["subject"] == "lima-2007")
    result = ok(ccm("remove", lima["id"], "--db", small_db))
    assert f"fact {lima['id']}" in result.stderr
    left = [(f["code"], f["subject"]) for f in facts(ccm, small_db) if f["record"] == "attended"]
    assert ("HUN", "lima-2007") not in left
    counts = info(ccm, small_db)
    assert (counts["facts"], counts["claims"]) == ("9", "9")
    clean_error(ccm("remove", lima["id"], "--db", small_db), code=2)


# --- attendance ---------------------------------------------------------------------------


def test_attendance_rows_sources_and_footer(ccm: Run, small_db: Path) -> None:
    result = ok(ccm("attendance", "lima", "--format", "csv", "--db", small_db))
    got = rows(result.stdout)
    assert [(r["state"], r["code"], r["how"]) for r in got] == [
        ("Hungary", "HUN", "attended"),
        ("Netherlands", "NLD", "attended"),
        ("Peru", "PER", "hosted"),
    ]
    assert got[0]["sources"] == "https://ex.org/icbl | https://ex.org/di"
    assert all(r["sources"] for r in got)
    assert LIMA_FOOTER in result.stderr  # machine formats keep stdout clean


def test_attendance_table_has_the_footer_under_it(ccm: Run, small_db: Path) -> None:
    result = ok(ccm("attendance", "Lima", "--db", small_db))
    lines = result.stdout.rstrip("\n").splitlines()
    assert lines[-1].endswith(LIMA_FOOTER)
    for state in ("Hungary", "Netherlands", "Peru"):
        assert state in result.stdout
    assert "Russia" not in result.stdout  # recorded absent is not attendance


@pytest.mark.parametrize("name", ["lima", "LIMA", "lima-2007", "lima-"])
def test_attendance_meeting_by_city_slug_or_prefix(ccm: Run, small_db: Path, name: str) -> None:
    assert LIMA_FOOTER in ok(ccm("attendance", name, "--db", small_db)).stdout


def test_attendance_absent_lists_only_known_absences(ccm: Run, small_db: Path) -> None:
    result = ok(ccm("attendance", "lima", "--absent", "--format", "csv", "--db", small_db))
    assert [r["state"] for r in rows(result.stdout)] == ["Russia", "United States"]
    assert all(r["sources"] for r in rows(result.stdout))
    assert "2 recorded absent" in result.stderr


def test_attendance_with_no_reported_count(ccm: Run, small_db: Path) -> None:
    result = ok(ccm("attendance", "wellington", "--db", small_db))
    assert "(no rows)" in result.stdout
    assert "0 recorded" in result.stdout


def test_attendance_ambiguous_meeting_lists_both(ccm: Run, small_db: Path) -> None:
    result = clean_error(ccm("attendance", "oslo", "--db", small_db), code=2)
    assert "ambiguous" in result.stderr
    assert "oslo-2007" in result.stderr
    assert "oslo-signing-2008" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_attendance_unknown_meeting(ccm: Run, small_db: Path) -> None:
    result = clean_error(ccm("attendance", "geneva", "--db", small_db), code=2)
    assert "geneva" in result.stderr


# --- meetings and state -------------------------------------------------------------------


def test_meetings_in_date_order_with_recorded_and_reported(ccm: Run, small_db: Path) -> None:
    result = ok(ccm("meetings", "--format", "csv", "--db", small_db))
    got = [(r["slug"], r["start"], r["recorded"], r["reported"]) for r in rows(result.stdout)]
    assert got == [
        ("oslo-2007", "2007-02-22", "2", "49"),
        ("lima-2007", "2007-05-23", "3", "68"),
        ("wellington-2008", "2008-02-18", "0", ""),
        ("oslo-signing-2008", "2008-12-03", "1", "94"),  # Hungary signed there
    ]


def test_state_profile_and_timeline_in_date_order(ccm: Run, small_db: Path) -> None:
    result = ok(ccm("state", "Hungary", "--db", small_db))
    profile = {}
    for line in result.stdout.splitlines()[2:7]:
        key, _, value = line.partition("  ")
        profile[key.strip()] = value.strip()
    assert profile["code"] == "HUN"
    assert profile["name"] == "Hungary"
    assert profile["region"].startswith("Europe")
    assert profile["facts"] == "5"
    assert result.stdout.rstrip().endswith("Hungary (HUN): 5 facts")

    timeline = rows(ok(ccm("state", "HUN", "--format", "csv", "--db", small_db)).stdout)
    assert [(r["record"], r["subject"], r["date"]) for r in timeline] == [
        ("attended", "oslo-2007", "2007-02-22"),
        ("attended", "lima-2007", "2007-05-23"),
        ("announced", "moratorium", "2007-05-25"),
        ("signed", "ccm", "2008-12-03"),
        ("ratified", "ccm", "2012-07-03"),
    ]
    assert [r["date_from"] for r in timeline] == ["meeting"] * 2 + ["source"] * 3
    assert timeline[1]["sources"] == "https://ex.org/icbl | https://ex.org/di"
    assert all(r["sources"] for r in timeline)
    assert timeline[2]["detail"] == "Immediate moratorium"


def test_state_not_in_database(ccm: Run, small_db: Path) -> None:
    result = clean_error(ccm("state", "Japan", "--db", small_db))
    assert "Japan" in result.stderr


# --- --format -----------------------------------------------------------------------------

LISTINGS = [
    ("attendance", "lima"),
    ("meetings",),
    ("state", "Hungary"),
    ("info",),
]


@pytest.mark.parametrize("command", LISTINGS, ids=lambda c: c[0])
def test_format_csv(ccm: Run, small_db: Path, command: tuple[str, ...]) -> None:
    out = ok(ccm(*command, "--format", "csv", "--db", small_db)).stdout
    parsed = rows(out)
    assert parsed and all(None not in r for r in parsed)  # no ragged rows, no footer mixed in


@pytest.mark.parametrize("command", LISTINGS, ids=lambda c: c[0])
def test_format_json(ccm: Run, small_db: Path, command: tuple[str, ...]) -> None:
    out = ok(ccm(*command, "--format", "json", "--db", small_db)).stdout
    parsed = json.loads(out)
    assert isinstance(parsed, list) and parsed
    assert all(isinstance(r, dict) for r in parsed)


@pytest.mark.parametrize("fmt", ["markdown", "github"])
@pytest.mark.parametrize("command", LISTINGS, ids=lambda c: c[0])
def test_format_markdown(ccm: Run, small_db: Path, command: tuple[str, ...], fmt: str) -> None:
    out = ok(ccm(*command, "--format", fmt, "--db", small_db)).stdout
    table = [line for line in out.splitlines() if line.startswith("|")]
    assert len(table) >= 3
    assert re.fullmatch(r"\|[-:| ]+\|", table[1])


def test_format_any_tabulate_name(ccm: Run, small_db: Path) -> None:
    out = ok(ccm("attendance", "lima", "-f", "grid", "--db", small_db)).stdout
    assert out.startswith("+")
    assert "Netherlands" in out


def test_json_attendance_values(ccm: Run, small_db: Path) -> None:
    out = ok(ccm("attendance", "lima", "--format", "json", "--db", small_db)).stdout
    peru = next(r for r in json.loads(out) if r["code"] == "PER")
    assert peru["how"] == "hosted"
    assert peru["sources"] == ["https://ex.org/di"]


@pytest.mark.parametrize("command", [*LISTINGS, ("attendance", "oslo")], ids=lambda c: c[0])
def test_unknown_format_is_bad_usage(ccm: Run, small_db: Path, command: tuple[str, ...]) -> None:
    result = clean_error(ccm(*command, "--format", "nope", "--db", small_db), code=2)
    assert "nope" in result.stderr


# --- on the built-in dataset --------------------------------------------------------------


def test_builtin_lima_attendance(ccm: Run, builtin_db: Path) -> None:
    table = ok(ccm("attendance", "lima", "--db", builtin_db)).stdout
    for state in ("Peru", "Hungary", "Netherlands", "New Zealand", "Japan"):
        assert state in table
    footer = table.rstrip().splitlines()[-1]
    assert re.search(r"\d+ recorded of 68 reported \(other sources: 67, more than 65\)", footer)

    result = ok(ccm("attendance", "lima", "--format", "csv", "--db", builtin_db))
    got = rows(result.stdout)
    assert {"PER", "HUN", "NLD", "NZL", "JPN"} <= {r["code"] for r in got}
    assert all(r["sources"].strip() for r in got)
    assert f"{len(got)} recorded of 68 reported" in result.stderr


def test_builtin_oslo_is_ambiguous(ccm: Run, builtin_db: Path) -> None:
    result = clean_error(ccm("attendance", "oslo", "--db", builtin_db), code=2)
    assert "oslo-2007" in result.stderr
    assert "oslo-signing-2008" in result.stderr


def test_builtin_export_csv_header_and_sources(ccm: Run, builtin_db: Path) -> None:
    out = export(ccm, builtin_db)
    assert out.startswith("state,code,record,subject,date,meeting,detail,source\n")
    got = rows(out)
    assert len(got) > 100
    assert all(r["source"].strip() for r in got)
    assert all(re.fullmatch(r"[A-Z]{3}", r["code"]) for r in got)


def test_builtin_ivory_coast_then_cote_divoire(ccm: Run, builtin_db: Path) -> None:
    ok(ccm("add-state", "Ivory Coast", "--db", builtin_db))
    result = ok(ccm("state", "Côte d'Ivoire", "--db", builtin_db))
    assert re.search(r"^code\s+CIV\s*$", result.stdout, re.M)


# --- the installed command, as a user runs it ---------------------------------------------


def _installed_ccm() -> list[str]:
    script = Path(sys.executable).parent / "ccm"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "ccmtool"]


def test_installed_ccm_from_another_folder_with_an_empty_home(tmp_path: Path) -> None:
    """The real process: no --db, no CCM_DB, an empty home, started outside the checkout."""
    home, elsewhere = tmp_path / "empty-home", tmp_path / "elsewhere"
    home.mkdir()
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("CCM_DB", "XDG_DATA_HOME")}
    env["HOME"] = str(home)
    lima = subprocess.run(
        [*_installed_ccm(), "attendance", "lima"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert lima.returncode == 0, lima.stderr
    for state in ("Peru", "Hungary", "Netherlands", "New Zealand", "Japan"):
        assert state in lima.stdout
    assert "recorded of 68 reported" in lima.stdout
    assert "created" in lima.stderr
    assert [p.name for p in home.rglob("ccm.db")] == ["ccm.db"]  # in the user's data dir
    assert list(elsewhere.iterdir()) == []


def test_installed_ccm_usage_error_exits_2(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("CCM_DB", "XDG_DATA_HOME")}
    env["HOME"] = str(tmp_path)
    usage = subprocess.run(
        [*_installed_ccm(), "attendance"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert usage.returncode == 2, usage.stderr
    assert "Traceback" not in usage.stderr
    assert "internal error" not in usage.stderr
