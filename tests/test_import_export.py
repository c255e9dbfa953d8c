"""Import and export in the CSV data contract (SPEC.md, The data contract; issue 2, item 5).

Export then import into an empty database then export again gives the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

Run = Callable[..., Result]  # the `ccm` fixture from conftest.py

MEETINGS_CSV = (
    "slug,name,city,country,start_date,end_date,kind,reported,source\n"
    "lima-2007,Lima Conference on Cluster Munitions,Lima,Peru,2007-05-23,2007-05-25,conference,68,"
    "https://ex.org/di\n"
    'wellington-2008,"Wellington Conference, ""Stage 3""",Wellington,New Zealand,2008-02,,'
    "conference,,https://ex.org/a | https://ex.org/b\n"
)
INSTRUMENTS_CSV = """\
slug,name,kind,meeting,date,source
wellington-declaration,Wellington Declaration,declaration,wellington-2008,2008-02-22,https://ex.org/w
ccm,Convention on Cluster Munitions,treaty,,2008-05-30,https://ex.org/ccm
"""
COUNTS_CSV = """\
meeting,record,count,detail,source
lima-2007,attended,68,68 countries,https://ex.org/di
lima-2007,attended,67,67 states,https://ex.org/icbl
lima-2007,attended,65,more than 65,https://ex.org/hrw
wellington-2008,endorsed,82,,https://ex.org/xinhua
"""
FACTS_CSV = """\
state,record,subject,date,meeting,detail,source
Peru,hosted,lima-2007,,,,https://ex.org/di
Lao PDR,attended,lima-2007,,,,https://ex.org/icbl
Côte d'Ivoire,endorsed,wellington-declaration,2008-02,wellington-2008,,https://ex.org/w
Hungary,announced,stockpile-destruction,2007-05-23,lima-2007,"Would destroy stockpiles \"\"soon\"\"",https://ex.org/di
Japan,accepted,ccm,2009-07-14,,UN term; sources say ratified,https://ex.org/untc | https://ex.org/mofa
"""
FILES = {
    "meetings.csv": MEETINGS_CSV,
    "instruments.csv": INSTRUMENTS_CSV,
    "counts.csv": COUNTS_CSV,
    "facts.csv": FACTS_CSV,
}
EXPORTS = ("facts", "meetings", "instruments", "counts", "states")


def ok(result: Result) -> Result:
    assert result.exit_code == 0, f"exit {result.exit_code}: {result.stderr}{result.stdout}"
    assert "Traceback" not in result.stderr
    return result


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def export(ccm: Run, path: Path, what: str = "facts", *flags: str) -> str:
    return ok(ccm("export", *(flags or ("--csv",)), "--what", what, "--db", path)).stdout


def everything(ccm: Run, path: Path) -> dict[str, str]:
    return {what: export(ccm, path, what) for what in EXPORTS}


def write_files(directory: Path, names: list[str] | None = None) -> list[Path]:
    paths = []
    for name in names or list(FILES):
        path = directory / name
        path.write_text(FILES[name], encoding="utf-8")
        paths.append(path)
    return paths


def summary_line(stderr: str, path: Path) -> str:
    return next(line for line in stderr.splitlines() if line.startswith(f"{path}:"))


# --- import -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "order",
    [
        ["meetings.csv", "instruments.csv", "counts.csv", "facts.csv"],
        ["facts.csv", "counts.csv", "instruments.csv", "meetings.csv"],
        ["counts.csv", "facts.csv", "meetings.csv", "instruments.csv"],
    ],
    ids=["dependency-order", "reversed", "shuffled"],
)
def test_import_tells_the_four_files_apart_in_any_order(
    ccm: Run, empty_db: Path, tmp_path: Path, order: list[str]
) -> None:
    # Names that say nothing: the header alone tells the kind.
    paths = []
    for i, name in enumerate(order):
        path = tmp_path / f"file{i}.csv"
        path.write_text(FILES[name], encoding="utf-8")
        paths.append(path)
    result = ok(ccm("import", *paths, "--db", empty_db))
    kinds = {name: summary_line(result.stderr, p) for name, p in zip(order, paths, strict=True)}
    assert "2 meetings: 2 added" in kinds["meetings.csv"]
    assert "2 instruments: 2 added" in kinds["instruments.csv"]
    assert "4 counts: 4 added" in kinds["counts.csv"]
    assert "5 facts: 5 added" in kinds["facts.csv"]

    got = everything(ccm, empty_db)
    assert [r["slug"] for r in rows(got["meetings"])] == ["lima-2007", "wellington-2008"]
    assert [r["slug"] for r in rows(got["instruments"])] == ["ccm", "wellington-declaration"]
    assert len(rows(got["counts"])) == 4
    facts = {r["code"]: r for r in rows(got["facts"])}
    assert set(facts) == {"PER", "LAO", "CIV", "HUN", "JPN"}
    assert facts["HUN"]["detail"] == 'Would destroy stockpiles "soon"'
    assert facts["JPN"]["source"] == "https://ex.org/untc | https://ex.org/mofa"
    assert facts["CIV"]["date"] == "2008-02"  # never padded to a false precision
    wellington = rows(got["meetings"])[1]
    assert wellington["name"] == 'Wellington Conference, "Stage 3"'
    assert wellington["country"] == "New Zealand"
    assert wellington["start_date"] == "2008-02"
    assert wellington["reported"] == ""


def test_reimport_is_idempotent(ccm: Run, empty_db: Path, tmp_path: Path) -> None:
    paths = write_files(tmp_path)
    ok(ccm("import", *paths, "--db", empty_db))
    before = everything(ccm, empty_db)
    again = ok(ccm("import", *paths, "--db", empty_db))
    for path in paths:
        line = summary_line(again.stderr, path)
        assert " 0 added, 0 updated," in line, line
        assert "unchanged" in line
    assert "5 facts: 0 added, 0 updated, 5 unchanged" in summary_line(again.stderr, paths[-1])
    assert everything(ccm, empty_db) == before


def test_import_code_column_wins_over_the_name(ccm: Run, empty_db: Path, tmp_path: Path) -> None:
    paths = write_files(tmp_path, ["meetings.csv"])
    facts = tmp_path / "exported.csv"
    facts.write_text(
        "state,code,record,subject,date,meeting,detail,source\n"
        "Some local spelling,PER,attended,lima-2007,,,,https://ex.org/x\n",
        encoding="utf-8",
    )
    ok(ccm("import", *paths, facts, "--db", empty_db))
    assert [(r["state"], r["code"]) for r in rows(export(ccm, empty_db))] == [("Peru", "PER")]


def test_same_fact_from_two_rows_is_one_fact_with_two_sources(
    ccm: Run, empty_db: Path, tmp_path: Path
) -> None:
    paths = write_files(tmp_path, ["meetings.csv"])
    facts = tmp_path / "lao.csv"
    facts.write_text(
        "state,record,subject,date,meeting,detail,source\n"
        "Lao PDR,attended,lima-2007,,,,https://ex.org/icbl\n"
        "Lao People's Democratic Republic,attended,lima-2007,,,,https://ex.org/monitor\n"
        "LA,attended,lima-2007,,,,https://ex.org/icbl\n",
        encoding="utf-8",
    )
    result = ok(ccm("import", *paths, facts, "--db", empty_db))
    assert "1 added" in summary_line(result.stderr, facts)
    got = rows(export(ccm, empty_db))
    assert len(got) == 1
    assert got[0]["code"] == "LAO"
    assert got[0]["source"] == "https://ex.org/icbl | https://ex.org/monitor"

    # A third source in a later import joins the same fact.
    more = tmp_path / "more.csv"
    more.write_text(
        "state,record,subject,date,meeting,detail,source\n"
        "Laos,attended,lima-2007,,,,https://ex.org/regjeringen\n",
        encoding="utf-8",
    )
    result = ok(ccm("import", more, "--db", empty_db))
    assert "1 sources merged" in summary_line(result.stderr, more)
    got = rows(export(ccm, empty_db))
    assert [r["source"] for r in got] == [
        "https://ex.org/icbl | https://ex.org/monitor | https://ex.org/regjeringen"
    ]


def test_dry_run_writes_nothing(ccm: Run, empty_db: Path, tmp_path: Path) -> None:
    paths = write_files(tmp_path)
    before = everything(ccm, empty_db)
    size = empty_db.stat().st_size
    result = ok(ccm("import", *paths, "--dry-run", "--db", empty_db))
    assert "dry run" in result.stderr
    assert "5 facts: 5 added" in summary_line(result.stderr, paths[-1])  # what it would do
    assert everything(ccm, empty_db) == before
    assert empty_db.stat().st_size == size
    conn = sqlite3.connect(empty_db)
    try:
        assert conn.execute("SELECT count(*) FROM facts").fetchone()[0] == 0
    finally:
        conn.close()


def test_dry_run_still_reports_problems(ccm: Run, empty_db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "state,record,subject,date,meeting,detail,source\nPeru,attended,lima-2007,,,,x\n",
        encoding="utf-8",
    )
    result = ccm("import", bad, "--dry-run", "--db", empty_db)
    assert result.exit_code == 1
    assert f"{bad}:2: subject:" in result.stderr
    assert "Traceback" not in result.stderr


# --- export -------------------------------------------------------------------------------


def test_round_trip_of_the_builtin_dataset_is_byte_identical(
    ccm: Run, builtin_db: Path, tmp_path: Path
) -> None:
    first = {}
    files = []
    for what in EXPORTS:
        path = tmp_path / f"{what}.csv"
        ok(ccm("export", "--csv", "--what", what, "-o", path, "--db", builtin_db))
        first[what] = path.read_bytes()
        files.append(path)
    assert first["facts"].startswith(b"state,code,record,subject,date,meeting,detail,source\n")
    assert first["counts"].startswith(b"meeting,record,count,detail,source\n")
    assert first["meetings"].startswith(
        b"slug,name,city,country,start_date,end_date,kind,reported,source\n"
    )
    assert first["instruments"].startswith(b"slug,name,kind,meeting,date,source\n")

    fresh = tmp_path / "fresh.db"
    ok(ccm("init", "--empty", "--db", fresh))
    ok(ccm("import", *reversed(files), "--db", fresh))
    for what in EXPORTS:
        second = export(ccm, fresh, what).encode("utf-8")
        assert second == first[what], f"{what} differs after a round trip"


def test_round_trip_keeps_aliases(ccm: Run, empty_db: Path, tmp_path: Path) -> None:
    ok(ccm("add-state", "Hungry", "--code", "HUN", "--alias", "Magyarország", "--db", empty_db))
    states = tmp_path / "states.csv"
    ok(ccm("export", "--what", "states", "-o", states, "--db", empty_db))
    fresh = tmp_path / "fresh.db"
    ok(ccm("init", "--empty", "--db", fresh))
    ok(ccm("import", states, "--db", fresh))
    assert export(ccm, fresh, "states") == states.read_text(encoding="utf-8")
    assert "Magyarország" in states.read_text(encoding="utf-8")


@pytest.fixture
def cote_db(ccm: Run, empty_db: Path, tmp_path: Path) -> Path:
    ok(ccm("import", *write_files(tmp_path), "--db", empty_db))
    return empty_db


def test_export_json_keeps_unicode_readable(ccm: Run, cote_db: Path) -> None:
    out = export(ccm, cote_db, "facts", "--json")
    assert "Côte d'Ivoire" in out
    assert "\\u00f4" not in out
    records = json.loads(out)
    civ = next(r for r in records if r["code"] == "CIV")
    assert civ["state"] == "Côte d'Ivoire"
    assert civ["date"] == "2008-02"
    japan = next(r for r in records if r["code"] == "JPN")
    assert japan["sources"] == ["https://ex.org/untc", "https://ex.org/mofa"]
    assert len(records) == len(rows(export(ccm, cote_db)))


def test_export_jsonl_one_object_a_line(ccm: Run, cote_db: Path) -> None:
    out = export(ccm, cote_db, "facts", "--jsonl")
    lines = out.splitlines()
    assert len(lines) == 5
    records = [json.loads(line) for line in lines]
    assert {r["code"] for r in records} == {"PER", "LAO", "CIV", "HUN", "JPN"}
    assert "Côte d'Ivoire" in out and "\\u00f4" not in out


@pytest.mark.parametrize("what", ["meetings", "instruments", "counts", "states"])
def test_export_json_of_other_tables(ccm: Run, cote_db: Path, what: str) -> None:
    records = json.loads(export(ccm, cote_db, what, "--json"))
    assert len(records) == len(rows(export(ccm, cote_db, what)))


def test_export_markdown(ccm: Run, cote_db: Path) -> None:
    out = export(ccm, cote_db, "facts", "--markdown")
    lines = out.splitlines()
    assert lines[0].startswith("| state")
    assert set(lines[1]) <= set("|-: ")
    assert len(lines) == 2 + 5
    assert "Côte d'Ivoire" in out


def test_export_to_a_file(ccm: Run, cote_db: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "facts.csv"
    result = ok(ccm("export", "--csv", "-o", target, "--db", cote_db))
    assert result.stdout == ""
    assert str(target) in result.stderr
    assert target.read_text(encoding="utf-8") == export(ccm, cote_db)
    json_target = tmp_path / "facts.json"
    ok(ccm("export", "--json", "--output", json_target, "--db", cote_db))
    assert len(json.loads(json_target.read_text(encoding="utf-8"))) == 5


def test_export_of_an_empty_database_is_just_the_header(ccm: Run, empty_db: Path) -> None:
    assert export(ccm, empty_db) == "state,code,record,subject,date,meeting,detail,source\n"
    assert json.loads(export(ccm, empty_db, "facts", "--json")) == []


# --- property: any facts survive export -> import -> export ---------------------------------

STATES = [
    ("Côte d'Ivoire", "CIV"),
    ("Lao PDR", "LAO"),
    ("Bolivia (Plurinational State of)", "BOL"),
    ("Republic of Korea", "KOR"),
    ("Kosovo", "XKX"),
    ("Hungary", "HUN"),
    ("hu", "HUN"),
    ("Cape Verde", "CPV"),
]
PROPERTY_MEETINGS = """\
slug,name,city,country,start_date,end_date,kind,reported,source
lima-2007,Lima Conference,Lima,Peru,2007-05-23,2007-05-25,conference,68,https://ex.org/di
oslo-2007,Oslo Conference,Oslo,Norway,2007-02-22,2007-02-23,conference,49,https://ex.org/o
"""
PROPERTY_INSTRUMENTS = """\
slug,name,kind,meeting,date,source
oslo-declaration,Oslo Declaration,declaration,oslo-2007,2007-02-23,https://ex.org/o
"""
SUBJECTS = {
    "attended": ["lima-2007", "oslo-2007"],
    "absent": ["lima-2007"],
    "endorsed": ["oslo-declaration"],
    "declined": ["oslo-declaration"],
    "announced": ["moratorium", "stockpile-destruction", "regional-zone"],
}

_text_chars = st.one_of(
    st.characters(blacklist_categories=("Cs", "Cc")),
    st.sampled_from([",", '"', "\n", "|", " ", "'", "é", "ô", "—", "🙂", "\u00a0"]),
)
detail_text = st.text(_text_chars, max_size=40).map(str.strip)
source_text = (
    st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="|"), max_size=25)
    .map(lambda s: " ".join(s.split()))
    .filter(bool)
)
partial_date = st.dates(min_value=dt.date(1990, 1, 1)).flatmap(
    lambda d: st.sampled_from(["", d.strftime("%Y"), d.strftime("%Y-%m"), d.isoformat()])
)


@st.composite
def fact_rows(draw: st.DrawFn) -> dict[str, object]:
    spelling, code = draw(st.sampled_from(STATES))
    record = draw(st.sampled_from(sorted(SUBJECTS)))
    return {
        "spelling": spelling,
        "code": code,
        "record": record,
        "subject": draw(st.sampled_from(SUBJECTS[record])),
        "date": draw(partial_date),
        "meeting": draw(st.sampled_from(["", "lima-2007"])) if record == "announced" else "",
        "detail": draw(detail_text),
        "sources": draw(st.lists(source_text, min_size=1, max_size=3, unique=True)),
        "repeat": draw(st.lists(source_text, max_size=2, unique=True)),
    }


def _key(fact: dict[str, object]) -> tuple[object, ...]:
    """One event per key: rows with the same key are claims of one event (see events.py)."""
    return (fact["code"], fact["record"], fact["subject"])


_TEMPLATE: dict[str, Path] = {}


def property_template(ccm: Run, factory: pytest.TempPathFactory) -> Path:
    """An empty database with two meetings and one instrument, made once per session."""
    if "property" not in _TEMPLATE:
        directory = factory.mktemp("property")
        path = directory / "template.db"
        ok(ccm("init", "--empty", "--db", path))
        (directory / "m.csv").write_text(PROPERTY_MEETINGS, encoding="utf-8")
        (directory / "i.csv").write_text(PROPERTY_INSTRUMENTS, encoding="utf-8")
        ok(ccm("import", directory / "m.csv", directory / "i.csv", "--db", path))
        conn = sqlite3.connect(path)  # fold the WAL into the file, so a copy has everything
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
        _TEMPLATE["property"] = path
    return _TEMPLATE["property"]


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(facts=st.lists(fact_rows(), min_size=1, max_size=8, unique_by=_key))
def test_property_facts_round_trip(
    ccm: Run, tmp_path_factory: pytest.TempPathFactory, facts: list[dict[str, object]]
) -> None:
    template = property_template(ccm, tmp_path_factory)

    def run(*args: object) -> Result:
        return ok(ccm(*args))

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        first, second = work / "first.db", work / "second.db"
        shutil.copy(template, first)
        shutil.copy(template, second)

        # One row per fact, then a second row for some, with further sources.
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(["state", "record", "subject", "date", "meeting", "detail", "source"])
        repeats = [(f, f["repeat"]) for f in facts if f["repeat"]]
        for fact, sources in [(f, f["sources"]) for f in facts] + repeats:
            writer.writerow(
                [
                    fact["spelling"],
                    fact["record"],
                    fact["subject"],
                    fact["date"],
                    fact["meeting"],
                    fact["detail"],
                    " | ".join(sources),  # type: ignore[arg-type]
                ]
            )
        source_csv = work / "facts.csv"
        source_csv.write_text(buffer.getvalue(), encoding="utf-8", newline="")
        run("import", source_csv, "--db", first)

        exported = run("export", "--csv", "--db", first).stdout
        got = {(r["code"], r["record"], r["subject"]): r for r in rows(exported)}
        assert len(got) == len(facts)
        for fact in facts:
            row = got[_key(fact)]  # type: ignore[index]
            assert row["detail"] == fact["detail"]
            assert row["date"] == fact["date"]
            at_meeting = fact["subject"] if fact["record"] in ("attended", "absent") else ""
            assert row["meeting"] == (fact["meeting"] or at_meeting)
            expected: list[str] = list(fact["sources"])  # type: ignore[call-overload]
            repeat: list[str] = fact["repeat"]  # type: ignore[assignment]
            expected += [s for s in repeat if s not in expected]
            assert row["source"].split(" | ") == expected

        # Export -> import into an empty database -> export: the same bytes.
        exported_csv = work / "exported.csv"
        exported_csv.write_text(exported, encoding="utf-8", newline="")
        run("import", exported_csv, "--db", second)
        assert run("export", "--csv", "--db", second).stdout == exported

        # The per-claim export round-trips too, into a third database.
        claims = run("export", "--csv", "--what", "claims", "--db", first).stdout
        claims_csv = work / "claims.csv"
        claims_csv.write_text(claims, encoding="utf-8", newline="")
        third = work / "third.db"
        shutil.copy(template, third)
        run("import", claims_csv, "--db", third)
        assert run("export", "--csv", "--what", "claims", "--db", third).stdout == claims
        assert run("export", "--csv", "--db", third).stdout == exported


def test_a_source_typed_with_the_separator_survives_a_round_trip(
    ccm: Run, empty_db: Path, tmp_path: Path
) -> None:
    """`--source "A | B"` must mean the same thing before and after export -> import."""
    ok(ccm("import", *write_files(tmp_path, ["meetings.csv"]), "--db", empty_db))
    ok(ccm("attend", "Peru", "lima", "-s", "https://ex.org/a | https://ex.org/b", "--db", empty_db))
    exported = tmp_path / "facts-out.csv"
    ok(ccm("export", "--csv", "-o", exported, "--db", empty_db))
    fresh = tmp_path / "fresh.db"
    ok(ccm("init", "--empty", "--db", fresh))
    ok(ccm("import", tmp_path / "meetings.csv", exported, "--db", fresh))

    def sources(path: Path) -> tuple[str, str]:
        out = ok(ccm("info", "--format", "csv", "--db", path)).stdout
        info = {r["field"]: r["value"] for r in rows(out)}
        return info["facts"], info["claims"]

    assert sources(fresh) == sources(empty_db)


def test_an_excel_export_reads_back_as_what_it_was_exported_from(
    ccm: Run, builtin_db: Path, tmp_path: Path
) -> None:
    """--excel defuses formula-like cells for spreadsheets (a leading '); importing that file
    undoes it, so no detail changes and no bogus source is added."""
    ok(ccm("record", "Peru", "announced", "other", "--date", "2009", "--detail", "=SUM(A1)",
           "-s", "+44 20 7946 0000", "-s", "@cmc", "-s", "-dash", "--db", builtin_db))  # fmt: skip
    plain = ok(ccm("export", "--what", "claims", "--db", builtin_db)).stdout
    files = []
    for kind in ("states", "meetings", "instruments", "counts", "claims"):
        path = tmp_path / f"{kind}.csv"
        ok(ccm("export", "--what", kind, "--excel", "-o", path, "--db", builtin_db))
        files.append(path)
    assert "'=SUM(A1)" in files[-1].read_text(encoding="utf-8-sig")
    fresh = tmp_path / "fresh.db"
    ok(ccm("init", "--empty", "--db", fresh))
    ok(ccm("import", *files, "--db", fresh))
    assert ok(ccm("export", "--what", "claims", "--db", fresh)).stdout == plain
    # Into the database it came from: nothing new.
    result = ok(ccm("import", files[-1], "--db", builtin_db))
    assert " 0 added" in result.stderr and " 0 sources merged" in result.stderr
