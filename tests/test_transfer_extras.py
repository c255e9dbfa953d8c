"""Import and export beyond the basics (issue 4): line-numbered errors in large files, the
20-problem cap, byte-order marks, Excel-safe CSV, the Frictionless Data Package, streaming."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from ccmtool import db
from ccmtool.importer import import_files

HEADER = "state,record,subject,date,meeting,detail,source\n"


def facts_file(path: Path, n: int, bad_line: int | None = None) -> Path:
    """n valid announced facts (line 2 onwards); `bad_line` gets an impossible date."""
    lines = [HEADER]
    for i in range(n):
        line = i + 2
        date = "2007-02-30" if line == bad_line else f"{1900 + i // 12:04d}-{i % 12 + 1:02d}"
        lines.append(f"Hungary,announced,other,{date},,fact {i},https://ex.org/{i}\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


def export(ccm, db_path: Path, what: str = "facts") -> str:  # type: ignore[no-untyped-def]
    result = ccm("export", "--csv", "--what", what, "--db", db_path)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_one_bad_date_on_line_801_of_1000_rejects_the_whole_file(
    ccm, builtin_db: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    before = export(ccm, builtin_db)
    path = facts_file(tmp_path / "thousand.csv", 1000, bad_line=801)
    result = ccm("import", path, "--db", builtin_db)
    assert result.exit_code == 1
    assert f"{path}:801: date:" in result.stderr
    assert "2007-02-30" in result.stderr
    assert "Traceback" not in result.stderr
    assert export(ccm, builtin_db) == before


def test_problems_stop_at_twenty_each_with_its_line(ccm, empty_db: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = [HEADER] + [f"Hungry,announced,other,2007,,,https://ex.org/{i}\n" for i in range(30)]
    path = tmp_path / "many.csv"
    path.write_text("".join(rows), encoding="utf-8")
    result = ccm("import", path, "--db", empty_db)
    assert result.exit_code == 1
    problems = [line for line in result.stderr.splitlines() if line.startswith("  ")]
    assert len(problems) == 20
    assert "stopped after 20" in result.stderr
    assert problems[0].strip().startswith(f"{path}:2: state: unknown state 'Hungry'")
    assert "Hungary (HUN)" in problems[0]  # a suggestion, never a guess
    assert problems[-1].strip().startswith(f"{path}:21:")


def test_a_quoted_newline_does_not_shift_line_numbers(ccm, empty_db: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "multiline.csv"
    path.write_text(
        HEADER
        + 'Hungary,announced,other,2007,,"two\nlines",https://ex.org/a\n'
        + "Hungary,announced,other,2007-13,,,https://ex.org/b\n",
        encoding="utf-8",
    )
    result = ccm("import", path, "--db", empty_db)
    assert result.exit_code == 1
    assert f"{path}:4: date:" in result.stderr  # the record starts on physical line 4


def test_a_byte_order_mark_is_accepted(ccm, empty_db: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (HEADER + "Peru,announced,other,2007,,,x\n").encode())
    result = ccm("import", path, "--db", empty_db)
    assert result.exit_code == 0, result.stderr
    assert "1 added" in result.stderr


def test_summary_counts_added_updated_unchanged_and_merged_sources(
    ccm, empty_db: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    first = tmp_path / "first.csv"
    first.write_text(HEADER + "Peru,announced,other,2007,,a,https://ex.org/1\n", encoding="utf-8")
    second = tmp_path / "second.csv"
    second.write_text(
        HEADER
        + "Peru,announced,other,2007,,b,https://ex.org/1 | https://ex.org/2\n"
        + "Chile,announced,other,2008,,,https://ex.org/3\n",
        encoding="utf-8",
    )
    assert ccm("import", first, "--db", empty_db).exit_code == 0
    result = ccm("import", second, "--db", empty_db)
    assert result.exit_code == 0, result.stderr
    # The event is unchanged (its first wording stays); the new source is merged into it with
    # its own wording, kept beside the first, never over it.
    assert "2 facts: 1 added, 0 updated, 1 unchanged, 1 sources merged" in result.stderr
    claims = ccm("export", "--what", "claims", "--db", empty_db).stdout.splitlines()
    assert claims[1:3] == [
        "Peru,PER,announced,other,2007,,a,https://ex.org/1",
        "Peru,PER,announced,other,2007,,b,https://ex.org/2",
    ]


def test_excel_export_has_a_bom_and_defused_formulas(ccm, empty_db: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "formulas.csv"
    rows = [
        HEADER,
        'Peru,announced,other,2007,,"=HYPERLINK(""http://x"")",https://ex.org/1\n',
        "Chile,announced,other,2007,,+1 and -2,https://ex.org/2\n",
        "Cuba,announced,other,2007,,@SUM(A1),https://ex.org/3\n",
    ]
    path.write_text("".join(rows), encoding="utf-8")
    assert ccm("import", path, "--db", empty_db).exit_code == 0
    plain = export(ccm, empty_db)
    assert not plain.startswith("\ufeff")
    assert '=HYPERLINK(""http://x"")' in plain  # lossless by default
    excel = ccm("export", "--csv", "--excel", "--db", empty_db).stdout
    assert excel.startswith("\ufeff")
    details = {row["state"]: row["detail"] for row in csv.DictReader(io.StringIO(excel[1:]))}
    assert details == {
        "Peru": '\'=HYPERLINK("http://x")',
        "Chile": "'+1 and -2",
        "Cuba": "'@SUM(A1)",
    }
    assert ccm("export", "--json", "--excel", "--db", empty_db).exit_code == 2


def test_datapackage_validates_and_reads_back(ccm, builtin_db: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    package = tmp_path / "package"
    result = ccm("export", "--datapackage", package, "--db", builtin_db)
    assert result.exit_code == 0, result.stderr
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    names = [r["name"] for r in descriptor["resources"]]
    assert names == ["states", "meetings", "instruments", "counts", "facts", "claims"]
    facts = next(r for r in descriptor["resources"] if r["name"] == "facts")
    assert facts["schema"]["primaryKey"] == ["code", "record", "subject", "date"]
    assert {fk["reference"]["resource"] for fk in facts["schema"]["foreignKeys"]} == {
        "states",
        "meetings",
    }
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    frictionless = shutil.which("frictionless", path=str(Path(sys.executable).parent))
    assert frictionless, "frictionless is a dev dependency"
    check = subprocess.run(
        [frictionless, "validate", str(package / "datapackage.json"), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = json.loads(check.stdout)
    assert report["valid"] is True, check.stdout[:2000]
    # ... and ccm reads the package back into an empty database, identically.
    fresh = tmp_path / "fresh.db"
    db.create(fresh, seed=False)
    csvs = sorted(package.glob("*.csv"))
    result = ccm("import", *csvs, "--db", fresh)
    assert result.exit_code == 0, result.stderr
    for what in ("facts", "meetings", "instruments", "counts", "states"):
        assert export(ccm, fresh, what) == export(ccm, builtin_db, what)


def test_frictionless_catches_a_broken_package(ccm, builtin_db: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The schema is not decoration: a fact pointing at an unknown state fails validation."""
    package = tmp_path / "package"
    assert ccm("export", "--datapackage", package, "--db", builtin_db).exit_code == 0
    facts = package / "facts.csv"
    lines = facts.read_text(encoding="utf-8").splitlines(keepends=True)
    first = lines[1].split(",")
    first[1] = "ZZZ"
    lines[1] = ",".join(first)
    facts.write_text("".join(lines), encoding="utf-8")
    frictionless = shutil.which("frictionless", path=str(Path(sys.executable).parent))
    check = subprocess.run(
        [str(frictionless), "validate", str(package / "datapackage.json"), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert json.loads(check.stdout)["valid"] is False


def _peak_import_memory(tmp_path: Path, n: int) -> int:
    path = tmp_path / f"db{n}.db"
    db.create(path, seed=False)
    facts = facts_file(tmp_path / f"facts{n}.csv", n)
    conn = db.open_db(path)
    tracemalloc.start()
    try:
        import_files(conn, [facts])
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        conn.close()


@pytest.mark.parametrize("small,large", [(12_000, 48_000)])
def test_import_memory_stays_flat_as_files_grow(tmp_path: Path, small: int, large: int) -> None:
    """Four times the rows must not take anywhere near four times the memory: rows stream
    through in fixed-size batches (measured with tracemalloc, not timed)."""
    _peak_import_memory(tmp_path, 100)  # load the name library and caches first
    peak_small = _peak_import_memory(tmp_path, small)
    peak_large = _peak_import_memory(tmp_path, large)
    assert peak_large < 1.5 * peak_small, (peak_small, peak_large)
