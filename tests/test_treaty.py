"""Articles 17, 20, 7, 3 and 4 through the core (issue 11): the date rules at month and year
edges, then a hand-made Convention whose answers are worked out by hand below.

TREATY_FACTS, by construction: 29 states deposit in 2009 and Austria deposits the 30th
instrument on 2010-02-16, so the Convention enters into force on 2010-08-01 (Article 17(1)).
Belgium deposits the same day (also 2010-08-01); the United Kingdom 2010-05-04 (2010-11-01);
Chile on the last day of 2010 (2011-06-01); Mexico in March 2011, month only (2011-09-01, exact:
Article 17 counts months); Peru in 2012, year only (unknown, between 2012-07-01 and 2013-06-01).
Angola only signed. Lithuania ratified in 2009 and gave notice on 2024-09-06 (effect
2025-03-06, derived); Canada's withdrawal is known only by its published effective date.
Ireland's published entry into force (2010-08-02) contradicts the derived 2010-08-01.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from ccmtool import db, obligations, treaty
from ccmtool.dates import Span, add_months, span
from ccmtool.importer import import_files
from ccmtool.queries import date_filter
from ccmtool.treaty import first_of_sixth_month_after

D = dt.date.fromisoformat
TODAY = D("2026-12-02")

# --- the pure rules ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("deposit", "eif"),
    [
        ("2010-02-16", "2010-08-01"),  # the 30th instrument
        ("2010-02-01", "2010-08-01"),  # deposit on the 1st: still the month's sixth month on
        ("2010-02-28", "2010-08-01"),  # last day of a month
        ("2010-05-31", "2010-11-01"),
        ("2010-07-31", "2011-01-01"),  # July -> January of the next year
        ("2010-12-31", "2011-06-01"),  # December -> June of the next year
        ("2012-02-29", "2012-08-01"),  # a leap day
    ],
)
def test_article_17_first_day_of_the_sixth_month_after(deposit: str, eif: str) -> None:
    assert first_of_sixth_month_after(D(deposit)) == D(eif)


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        ("2024-09-06", 6, "2025-03-06"),  # Lithuania: notice -> withdrawal took effect
        ("2024-08-31", 6, "2025-02-28"),  # a day February lacks falls to its last day
        ("2023-08-31", 6, "2024-02-29"),  # ... which is the 29th in a leap year
        ("2024-02-29", 12, "2025-02-28"),
        ("2010-08-01", 96, "2018-08-01"),  # Article 3: eight years
        ("2010-12-01", 1, "2011-01-01"),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(start: str, months: int, end: str) -> None:
    assert add_months(D(start), months) == D(end)


@pytest.mark.parametrize(
    ("eif", "due"),
    [
        ("2010-08-01", "2011-01-28"),  # the first initial reports
        ("2010-08-31", "2011-02-27"),
        ("2011-09-01", "2012-02-28"),
        ("2011-09-02", "2012-02-29"),  # lands on a leap day
        ("2015-09-01", "2016-02-28"),  # across a leap February
    ],
)
def test_article_7_report_due_180_days_after_entry_into_force(eif: str, due: str) -> None:
    assert obligations.RULES["transparency-report"].due(D(eif)) == D(due)


def test_partial_dates_are_ranges_never_padded() -> None:
    assert span("2010") == Span(D("2010-01-01"), D("2010-12-31"))
    assert span("2012-02") == Span(D("2012-02-01"), D("2012-02-29"))
    assert span("2010-05-04").exact == D("2010-05-04")
    assert span("2010-05").exact is None and span("2010-05").text() == ""
    # A recorded event cannot be later than today; an undated one could be any earlier day.
    assert span("2026", TODAY) == Span(D("2026-01-01"), TODAY)
    assert span("", TODAY) == Span(None, TODAY)
    may = span("2010-05")
    assert may.by(D("2010-04-30")) is False
    assert may.by(D("2010-05-15")) is None
    assert may.by(D("2010-05-31")) is True
    deadline = span("2011-01-28")
    assert deadline.before(D("2011-01-28")) is False  # due on the day itself
    assert deadline.before(D("2011-01-29")) is True
    # Only the month of a deposit matters to Article 17: month precision gives one day.
    assert span("2011-03").map(first_of_sixth_month_after).exact == D("2011-09-01")
    assert span("2012").map(first_of_sixth_month_after) == Span(D("2012-07-01"), D("2013-06-01"))


DATES = ["", "2007", "2007-05", "2007-05-23", "2007-06", "2008", "2006-12-31"]


@pytest.mark.parametrize("since", [None, "2007", "2007-05", "2007-05-24", "2007-06"])
@pytest.mark.parametrize("until", [None, "2007", "2007-05", "2007-05-22", "2006"])
def test_status_filters_mean_what_date_filter_means(since: str | None, until: str | None) -> None:
    conn = sqlite3.connect(":memory:")
    clause, params = date_filter("d", since, until)
    expected = {
        d
        for d in DATES
        if conn.execute(f"SELECT {clause} FROM (SELECT ? AS d)", (*params, d)).fetchone()[0]
    }
    assert {d for d in DATES if treaty.overlaps(d, since, until)} == expected


# --- a hand-made Convention --------------------------------------------------------------------

# 27 states; with Ireland and Lithuania, 29 deposits in 2009.
# fmt: off
EARLY = [
    "BGR", "HRV", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN", "ISL", "ITA", "LVA",
    "LUX", "MLT", "NLD", "NOR", "POL", "PRT", "ROU", "SVK", "SVN", "ESP", "SWE", "CHE", "NZL",
    "JPN",
]
# fmt: on

INSTRUMENTS = """\
slug,name,kind,meeting,date,source
ccm,Convention on Cluster Munitions,treaty,,2008-05-30,https://ex.org/ccm
oslo-declaration,Oslo Declaration,declaration,,2007-02,https://ex.org/oslo
other-treaty,Another Treaty,treaty,,1997-09-18,https://ex.org/other
"""
MEETINGS = """\
slug,name,city,country,start_date,end_date,kind,reported,source
msp-2018,Eighth Meeting of States Parties,Geneva,,2018-09-03,2018-09-05,meeting-of-states-parties,,https://ex.org/msp
"""


def treaty_facts() -> str:
    rows = ["state,record,subject,date,meeting,detail,source"]
    for n, code in enumerate(EARLY):
        rows.append(f"{code},signed,ccm,2008-12-03,,,https://ex.org/s")
        rows.append(f"{code},ratified,ccm,2009-{1 + n % 12:02d}-{1 + n:02d},,,https://ex.org/r")
    rows += [
        "IRL,ratified,ccm,2009-12-03,,,https://ex.org/irl",
        "IRL,in-force,ccm,2010-08-02,,,https://ex.org/irl-eif",
        "LTU,ratified,ccm,2009-12-04,,,https://ex.org/ltu",
        "LTU,withdrew,ccm,2024-09-06,,notice,https://ex.org/ltu-notice",
        "AUT,ratified,ccm,2010-02-16,,30th instrument,https://ex.org/aut",
        "BEL,ratified,ccm,2010-02-16,,,https://ex.org/bel",
        "BEL,in-force,ccm,2010-08,,,https://ex.org/bel-eif",
        "GBR,signed,ccm,2008-12-03,,,https://ex.org/s",
        "GBR,ratified,ccm,2010-05-04,,,https://ex.org/gbr",
        "CHL,acceded,ccm,2010-12-31,,,https://ex.org/chl",
        "MEX,ratified,ccm,2011-03,,,https://ex.org/mex",
        "PER,ratified,ccm,2012,,,https://ex.org/per",
        "CAN,ratified,ccm,2010-06-01,,,https://ex.org/can",
        "CAN,left,ccm,2020-01-15,,took effect,https://ex.org/can-left",
        "AGO,signed,ccm,2008-12-03,,,https://ex.org/ago",
        # Obligations: Norway reported on time; Japan had stockpiles and an extension;
        # Germany's report is undated; Laos-like clearance for Croatia.
        "NOR,completed,transparency-report,2011-01-10,,,https://ex.org/nor-report",
        "JPN,owes,stockpile-destruction,,,held stockpiles,https://ex.org/jpn-stock",
        "JPN,extended,stockpile-destruction,2022-08-01,msp-2018,,https://ex.org/jpn-ext",
        "DEU,completed,transparency-report,,,,https://ex.org/deu-report",
        "HRV,owes,clearance,,,contaminated areas,https://ex.org/hrv-clear",
        "GBR,announced,stockpile-destruction,2010-05-04,,will destroy,https://ex.org/gbr-ann",
        "GBR,completed,stockpile-destruction,2013-12-17,,,https://ex.org/gbr-done",
        # One late report, two claims: an undated one agrees with the dated one.
        "FIN,completed,transparency-report,,,,https://ex.org/fin-a",
        "FIN,completed,transparency-report,2011-03-01,,,https://ex.org/fin-b",
        # A treaty other than the Convention: no rule is derived, only what sources publish.
        "NOR,ratified,other-treaty,1998-07-09,,,https://ex.org/o1",
        "NOR,in-force,other-treaty,1999-03-01,,,https://ex.org/o2",
        "SWE,ratified,other-treaty,1998-11-30,,,https://ex.org/o3",
    ]
    return "\n".join(rows) + "\n"


def make_db(directory: Path, facts: str) -> Path:
    path = directory / "treaty.db"
    db.create(path, seed=False)
    files = []
    for name, text in (("i.csv", INSTRUMENTS), ("m.csv", MEETINGS), ("f.csv", facts)):
        (directory / name).write_text(text, encoding="utf-8")
        files.append(directory / name)
    conn = db.open_db(path)
    try:
        import_files(conn, files)
    finally:
        conn.close()
    return path


@pytest.fixture(scope="module")
def treaty_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once: every test here only reads it."""
    return make_db(tmp_path_factory.mktemp("treaty"), treaty_facts())


@pytest.fixture
def conn(treaty_db: Path) -> Iterator[sqlite3.Connection]:
    c = db.open_db(treaty_db, readonly=True)
    yield c
    c.close()


def statuses(conn: sqlite3.Connection, day: str) -> dict[str, tuple[str, str, str]]:
    """code -> (status, entry into force, eif basis) on `day`."""
    columns, rows, _ = treaty.status(conn, as_of=D(day), today=TODAY)
    i = {c: n for n, c in enumerate(columns)}
    return {
        r[i["code"]]: (r[i["status"]], r[i["entry into force"]], r[i["eif basis"]]) for r in rows
    }


def test_the_30th_deposit_sets_entry_into_force(conn: sqlite3.Connection) -> None:
    t = treaty.load(conn, today=TODAY)
    assert t.thirtieth == span("2010-02-16")
    assert t.general_eif == span("2010-08-01")
    on = statuses(conn, "2010-09-01")
    assert on["AUT"] == ("party", "2010-08-01", "derived")
    assert on["BEL"] == ("party", "2010-08-01", "derived")  # same day as the 30th
    assert on["NOR"] == ("party", "2010-08-01", "derived")  # deposited early: waits for the 30th
    assert on["GBR"] == ("bound, not yet in force", "2010-11-01", "derived")
    assert on["AGO"][0] == "signatory"
    assert "CHL" not in on and "PER" not in on  # nothing recorded by then


def test_states_depositing_after_the_30th(conn: sqlite3.Connection) -> None:
    on = statuses(conn, "2011-08-31")
    assert on["CHL"] == ("party", "2011-06-01", "derived")  # December -> June
    assert on["MEX"] == ("bound, not yet in force", "2011-09-01", "derived")  # month is enough
    assert statuses(conn, "2011-09-01")["MEX"][0] == "party"
    assert statuses(conn, "2010-10-31")["GBR"][0] == "bound, not yet in force"
    assert statuses(conn, "2010-11-01")["GBR"][0] == "party"


def test_a_year_only_deposit_gives_an_unknown_entry_into_force(conn: sqlite3.Connection) -> None:
    assert statuses(conn, "2012-09-01")["PER"][0] == "unknown"  # maybe not even bound yet
    assert statuses(conn, "2013-01-01")["PER"] == ("bound, entry into force unknown", "", "")
    assert statuses(conn, "2013-06-01")["PER"] == ("party", "", "")  # every possible day passed
    columns, rows, _ = treaty.status(conn, as_of=D("2013-01-01"), today=TODAY)
    peru = next(r for r in rows if r[1] == "PER")
    assert "between 2012-07-01 and 2013-06-01" in peru[columns.index("note")]


def test_withdrawal_takes_effect_six_months_after_notice(conn: sqlite3.Connection) -> None:
    before = treaty.status(conn, as_of=D("2025-03-05"), today=TODAY)
    ltu = next(r for r in before[1] if r[1] == "LTU")
    i = {c: n for n, c in enumerate(before[0])}
    assert ltu[i["status"]] == "party"
    assert "withdrawal notified" in ltu[i["note"]]
    assert (ltu[i["withdrawal effective"]], ltu[i["withdrawal basis"]]) == ("2025-03-06", "derived")
    assert statuses(conn, "2025-03-06")["LTU"][0] == "withdrawn"
    # Canada: only the published date of the withdrawal taking effect.
    assert statuses(conn, "2020-01-14")["CAN"][0] == "party"
    assert statuses(conn, "2020-01-15")["CAN"][0] == "withdrawn"


def test_counts_and_filters(conn: sqlite3.Connection) -> None:
    t = treaty.load(conn, today=TODAY)
    counts = t.tally(TODAY)
    # 36 deposits, two withdrawn; Angola only signed.
    assert counts["party"] == 34 and counts["withdrawn"] == 2 and counts["signatory"] == 1
    _, rows, _ = treaty.status(conn, status="withdrawn", today=TODAY)
    assert sorted(r[1] for r in rows) == ["CAN", "LTU"]
    _, rows, _ = treaty.status(conn, since="2010-12", until="2011", today=TODAY)
    assert sorted(r[1] for r in rows) == ["CHL", "MEX"]
    _, rows, _ = treaty.status(conn, region="South America", today=TODAY)
    assert sorted(r[1] for r in rows) == ["CHL", "PER"]


def test_published_dates_the_rules_contradict_are_conflicts(conn: sqlite3.Connection) -> None:
    rows = treaty.eif_conflicts(conn, today=TODAY)
    assert [(r[0], r[1], r[2]) for r in rows] == [("entry into force", "ccm", "Ireland")]
    assert "2010-08-02" in rows[0][3] and "2010-08-01" in rows[0][3]
    assert rows[0][4] == "https://ex.org/irl-eif"  # Belgium's '2010-08' agrees: no conflict


def test_panel_has_every_state_every_first_of_january(conn: sqlite3.Connection) -> None:
    columns, rows = treaty.panel_rows(conn, today=TODAY)
    states = {r[3] for r in rows}
    years = sorted({r[0] for r in rows})
    assert years == list(range(2009, 2027))  # first signature 2008-12-03
    assert len(rows) == len(states) * len(years)
    at = {(r[0], r[3]): r[columns.index("status")] for r in rows}
    assert at[(2010, "NOR")] == "bound, not yet in force"
    assert at[(2011, "NOR")] == "party"
    assert at[(2011, "CHL")] == "bound, not yet in force"
    assert at[(2010, "CHL")] == "none"
    assert at[(2026, "LTU")] == "withdrawn" and at[(2025, "LTU")] == "party"


def test_yearly_counts_agree_with_status_on_each_31_december(conn: sqlite3.Connection) -> None:
    _columns, rows = treaty.yearly_counts(conn, today=TODAY)
    assert rows[0][0] == 2008 and rows[-1][1] == TODAY.isoformat()
    for row in rows:
        tally = treaty.load(conn, today=TODAY).tally(D(row[1]))
        assert (row[2], row[3]) == (tally["party"], tally["signatory"])
    by_year = {r[0]: r for r in rows}
    assert by_year[2009][2] == 0 and by_year[2010][2] == 33  # 30, Belgium, the UK, Canada


def test_other_treaties_use_only_published_dates(conn: sqlite3.Connection) -> None:
    columns, rows, t = treaty.status(conn, "other-treaty", today=TODAY)
    assert not t.rules and t.general_eif is None
    by_code = {r[1]: r for r in rows}
    assert by_code["NOR"][2:3] + by_code["NOR"][6:8] == ("party", "1999-03-01", "reported")
    assert by_code["SWE"][2] == "bound, entry into force unknown"
    assert "only for the Convention" in by_code["SWE"][columns.index("note")]
    assert "not derived" in treaty.summary(t, TODAY)


def test_declarations_have_no_status(conn: sqlite3.Connection) -> None:
    from ccmtool.errors import UsageError

    with pytest.raises(UsageError, match="declaration"):
        treaty.load(conn, "oslo-declaration")


# --- obligations -------------------------------------------------------------------------------


def deadlines(conn: sqlite3.Connection, day: str, **kw: object) -> dict[tuple[str, str], tuple]:
    listing = obligations.obligations(conn, as_of=D(day), today=TODAY, **kw)  # type: ignore[arg-type]
    i = {c: n for n, c in enumerate(listing.columns)}
    return {
        (r[i["code"]], r[i["obligation"]]): (r[i["deadline"]], r[i["status"]], r[i["note"]])
        for r in listing.rows
    }


def test_initial_reports_due_180_days_after_entry_into_force(conn: sqlite3.Connection) -> None:
    on_the_day = deadlines(conn, "2011-01-28")
    assert on_the_day[("AUT", "transparency-report")][:2] == ("2011-01-28", "due")
    after = deadlines(conn, "2011-01-29")
    assert after[("AUT", "transparency-report")][:2] == ("2011-01-28", "overdue")
    assert after[("NOR", "transparency-report")][1] == "completed"
    assert after[("GBR", "transparency-report")][:2] == ("2011-04-30", "due")
    early = deadlines(conn, "2011-01-05")[("NOR", "transparency-report")]
    assert early[1] == "due" and "completion recorded later" in early[2]


def test_an_undated_completion_is_not_placed_before_it_could_be(conn: sqlite3.Connection) -> None:
    assert deadlines(conn, "2012-01-01")[("DEU", "transparency-report")][1] == "unknown"
    assert deadlines(conn, TODAY.isoformat())[("DEU", "transparency-report")][1] == "completed"


def test_an_undated_claim_does_not_blur_a_dated_completion(conn: sqlite3.Connection) -> None:
    assert deadlines(conn, "2011-02-28")[("FIN", "transparency-report")][1] == "overdue"
    done = deadlines(conn, "2011-03-01")[("FIN", "transparency-report")]
    assert done[1] == "completed" and "after the deadline" in done[2]


def test_stockpiles_apply_only_where_a_fact_says_so(conn: sqlite3.Connection) -> None:
    on = deadlines(conn, "2018-08-15")
    assert on[("AUT", "stockpile-destruction")][:2] == ("2018-08-01", "not known to apply")
    assert on[("JPN", "stockpile-destruction")][:2] == ("2018-08-01", "overdue")
    assert on[("GBR", "stockpile-destruction")][:2] == ("2018-11-01", "completed")
    # The extension granted at the 2018 meeting moves Japan's deadline once it is granted.
    moved = deadlines(conn, "2018-09-10")[("JPN", "stockpile-destruction")]
    assert moved[:2] == ("2022-08-01", "due")
    assert deadlines(conn, "2022-08-02")[("JPN", "stockpile-destruction")][1] == "overdue"


def test_clearance_only_where_a_source_says_so(conn: sqlite3.Connection) -> None:
    on = deadlines(conn, "2020-08-02")
    assert on[("HRV", "clearance")][:2] == ("2020-08-01", "overdue")
    assert [k for k in on if k[1] == "clearance"] == [("HRV", "clearance")]


def test_overdue_lists_only_overdue_and_withdrawal_ends_deadlines(conn: sqlite3.Connection) -> None:
    listing = obligations.obligations(conn, as_of=D("2015-06-18"), overdue=True, today=TODAY)
    status = listing.columns.index("status")
    assert listing.rows and {r[status] for r in listing.rows} == {"overdue"}
    assert listing.counts["completed"] == 3  # Norway, Finland, the UK; Germany's is undated:
    assert deadlines(conn, "2015-06-18")[("DEU", "transparency-report")][1] == "unknown"
    assert listing.passed_unknown == 0
    later = deadlines(conn, "2026-01-01")
    assert later[("LTU", "transparency-report")][1] == "ended by withdrawal"
    assert (
        deadlines(conn, "2020-01-01", state="CAN")[("CAN", "transparency-report")][1] == "overdue"
    )
    assert ("PER", "transparency-report") in deadlines(conn, "2014-06-01")
    assert deadlines(conn, "2014-06-01")[("PER", "transparency-report")][1] == "overdue"
    assert deadlines(conn, "2013-03-01")[("PER", "transparency-report")][1] == "unknown"
