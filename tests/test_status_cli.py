"""`ccm status`, `ccm obligations`, `ccm state` and `ccm stats --by year` through the real CLI
(issue 11), on test_treaty's hand-made Convention and on the built-in dataset."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from test_treaty import make_db, treaty_facts

from ccmtool import db, treaty

Run = Callable[..., Result]


@pytest.fixture(scope="module")
def treaty_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once: every test here only reads it."""
    return make_db(tmp_path_factory.mktemp("status-cli"), treaty_facts())


def ok(result: Result) -> Result:
    assert result.exit_code == 0, (result.exit_code, result.stderr, result.stdout)
    return result


def rows(result: Result) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(ok(result).stdout)))


def test_status_on_a_date_labels_derived_dates(ccm: Run, treaty_db: Path) -> None:
    out = ok(ccm("status", "--as-of", "2010-09-01", "--db", treaty_db)).stdout
    uk = next(line for line in out.splitlines() if line.startswith("United Kingdom"))
    assert "bound, not yet in force" in uk and "2010-11-01 (derived)" in uk
    assert "On 2010-09-01: 31 parties, 1 signatory, 2 bound but not yet in force" in out
    assert "counts table holds meeting figures only" in out
    assert "Chile" not in out  # nothing recorded by then


def test_machine_formats_keep_the_label_in_its_own_column(ccm: Run, treaty_db: Path) -> None:
    result = ccm("status", "--as-of", "2010-09-01", "--db", treaty_db, "-f", "csv")
    by_code = {r["code"]: r for r in rows(result)}
    assert by_code["GBR"]["entry into force"] == "2010-11-01"
    assert by_code["GBR"]["eif basis"] == "derived"
    assert by_code["GBR"]["status"] == "bound, not yet in force"
    assert result.stderr.startswith("On 2010-09-01: 31 parties")  # the footer stays off stdout
    listed = json.loads(ok(ccm("status", "--db", treaty_db, "-f", "json")).stdout)
    ltu = next(r for r in listed if r["code"] == "LTU")
    assert ltu["status"] == "withdrawn"
    assert (ltu["withdrawal notice"], ltu["withdrawal effective"]) == ("2024-09-06", "2025-03-06")
    assert ltu["withdrawal basis"] == "derived"


def test_status_filters(ccm: Run, treaty_db: Path) -> None:
    def codes(*args: str) -> list[str]:
        return sorted(r["code"] for r in rows(ccm("status", *args, "--db", treaty_db, "-f", "csv")))

    assert codes("--status", "withdrawn") == ["CAN", "LTU"]
    assert codes("--status", "signatory") == ["AGO"]
    assert codes("--region", "south america") == ["CHL", "PER"]
    assert codes("--since", "2010-12", "--until", "2011") == ["CHL", "MEX"]
    assert codes("--as-of", "2013-01-01", "--status", "bound, entry into force unknown") == ["PER"]
    result = ok(ccm("status", "--since", "2012", "--db", treaty_db, "-f", "csv"))
    assert "1 listed" in result.stderr and "left out by --since/--until" in result.stderr


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--as-of", "2010"], 2, "full date"),
        (["--as-of", "2010-02-30"], 2, "not a real calendar date"),
        (["--status", "member"], 2, "unknown status 'member'"),
        (["oslo-declaration"], 2, "declaration"),
        (["no-such-treaty"], 1, "no instrument"),
        (["--since", "20x0"], 2, "--since"),
    ],
)
def test_bad_input_is_one_line(
    ccm: Run, treaty_db: Path, args: list[str], code: int, message: str
) -> None:
    result = ccm("status", *args, "--db", treaty_db)
    assert result.exit_code == code
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "args", [["status"], ["obligations"], ["stats", "--by", "year"], ["state", "Norway"]]
)
def test_a_database_without_the_convention(ccm: Run, empty_db: Path, args: list[str]) -> None:
    result = ccm(*args, "--db", empty_db)
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_another_treaty_lists_published_dates_only(ccm: Run, treaty_db: Path) -> None:
    by_code = {r["code"]: r for r in rows(ccm("status", "other", "--db", treaty_db, "-f", "csv"))}
    assert set(by_code) == {"NOR", "SWE"}
    assert (by_code["NOR"]["entry into force"], by_code["NOR"]["eif basis"]) == (
        "1999-03-01",
        "reported",
    )


def test_overdue_initial_reports(ccm: Run, treaty_db: Path) -> None:
    result = ccm(
        "obligations", "--overdue", "--as-of", "2011-01-29", "--db", treaty_db, "-f", "csv"
    )
    listed = rows(result)
    assert {r["status"] for r in listed} == {"overdue"}
    aut = next(r for r in listed if r["code"] == "AUT")
    assert (aut["obligation"], aut["article"], aut["deadline"]) == (
        "transparency-report",
        "Art. 7",
        "2011-01-28",
    )
    assert "derived" in aut["deadline basis"]
    codes = {r["code"] for r in listed}
    assert "NOR" not in codes  # reported on 2011-01-10
    assert "GBR" not in codes  # its report is due on 2011-04-30
    assert "not recorded, not not done" in result.stderr


def test_obligations_of_one_state(ccm: Run, treaty_db: Path) -> None:
    out = ok(ccm("obligations", "Japan", "--as-of", "2018-09-10", "--db", treaty_db)).stdout
    lines = [line for line in out.splitlines() if line.startswith("Japan")]
    assert len(lines) == 2
    stock = next(line for line in lines if "stockpile-destruction" in line)
    assert "2022-08-01" in stock and "extended at msp-2018" in stock and " due " in stock
    result = ccm("obligations", "Atlantis", "--db", treaty_db)
    assert result.exit_code == 2 and "Atlantis" in result.stderr  # a usage error, as for `state`


def test_state_shows_status_and_deadlines(ccm: Run, treaty_db: Path) -> None:
    out = ok(ccm("state", "United Kingdom", "--db", treaty_db)).stdout
    assert "entry into force      2010-11-01 (derived)" in out
    assert "transparency-report" in out and "2011-04-30" in out
    assert "not recorded, not not done" in out
    machine = ok(ccm("state", "United Kingdom", "--db", treaty_db, "-f", "csv")).stdout
    assert "Convention" not in machine.splitlines()[0]  # CSV carries the timeline alone


def test_stats_by_year(ccm: Run, treaty_db: Path) -> None:
    chart = ok(ccm("stats", "--by", "year", "--db", treaty_db)).stdout
    line_2010 = next(line for line in chart.splitlines() if line.startswith("2010"))
    assert "2010-12-31" in line_2010 and "#" in line_2010
    listed = rows(ccm("stats", "--by", "year", "--db", treaty_db, "-f", "csv"))
    by_year = {r["year"]: r for r in listed}
    assert (by_year["2010"]["parties"], by_year["2010"]["signatories"]) == ("33", "1")


# --- the built-in dataset ---------------------------------------------------------------------


def test_builtin_united_kingdom_in_september_2010(ccm: Run, builtin_db: Path) -> None:
    listed = rows(ccm("status", "--as-of", "2010-09-01", "--db", builtin_db, "-f", "csv"))
    uk = next(r for r in listed if r["code"] == "GBR")
    assert (uk["bound"], uk["status"]) == ("2010-05-04", "bound, not yet in force")
    assert (uk["entry into force"], uk["eif basis"]) == ("2010-11-01", "derived")


def test_builtin_counts_today(ccm: Run, builtin_db: Path) -> None:
    conn = db.open_db(builtin_db, readonly=True)
    try:
        standing = {s.code: s for s in treaty.load(conn).standings}
    finally:
        conn.close()
    if "VUT" not in standing:
        pytest.skip("the built-in dataset predates Vanuatu's accession (status rounds 3-4)")
    today = dt.date.today()
    result = ok(ccm("status", "--db", builtin_db, "-f", "csv"))
    by_code = {r["code"]: r for r in rows(result)}
    assert by_code["LTU"]["status"] == "withdrawn"
    assert by_code["VUT"]["status"] == "party"
    assert result.stderr.startswith(f"On {today}: 112 parties, 12 signatories")
