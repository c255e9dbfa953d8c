"""The research questions stay index-backed (issue 3): no full scan of the facts table.

A database with a few thousand generated facts is imported through the CLI. The functions in
`ccmtool.queries` then run on a connection that records every statement and its parameters
as it executes them, so the SQL checked here is exactly the SQL they send, never a copy of
it. Each statement goes through `EXPLAIN QUERY PLAN` with the same parameters, with and
without planner statistics (`ANALYZE`; ccm itself never runs it, so users' files have none).

Stricter than "no SCAN without an index": any SCAN of the facts table counts as a full scan,
since walking a whole index also reads every fact, and so does building an AUTOMATIC index.
"""

from __future__ import annotations

import csv
import random
import re
import sqlite3
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import click
import pytest
import typer.main
from click.testing import CliRunner

from ccmtool import db, queries
from ccmtool.cli import load_all

CODES = re.findall(
    r"[A-Z]{3}",
    "AFG ALB DZA AGO ARG AUS AUT BEL BEN BOL BIH BWA BRA BGR BFA BDI KHM CMR CAN TCD CHL COL COM"
    " COG COD CRI CIV HRV CUB CYP CZE DNK ECU EGY SLV ERI EST FIN FRA DEU GHA GRC GTM GIN GNB HUN"
    " ISL IDN IRQ IRL ITA JAM JPN KEN LAO LVA LBN LSO LBR LBY LTU LUX MDG MWI MLI MLT MRT MEX MDA"
    " MNE MAR MOZ NAM NLD NZL NIC NER NGA NOR PER POL PRT ROU RWA SEN SRB SYC SLE SVK SVN ZAF ESP"
    " SDN SWE CHE TZA TUN UGA GBR URY ZMB ZWE",
)
MEETINGS = [f"meeting-{i:03d}" for i in range(50)]
MEETING = "meeting-020"  # dated, with about half the meetings before it
OTHER = "meeting-021"
STATE = "HUN"


def _generate(directory: Path) -> list[Path]:
    """Contract CSVs: 50 meetings (a few undated) and about 3,900 facts, the same every run."""
    rng = random.Random(2024)
    meetings, instruments, facts = (
        directory / "meetings.csv",
        directory / "instruments.csv",
        directory / "facts.csv",
    )
    with meetings.open("w", newline="", encoding="utf-8") as f:
        f.write("slug,name,city,country,start_date,end_date,kind,reported,source\n")
        out = csv.writer(f, lineterminator="\n")
        for i, slug in enumerate(MEETINGS):
            year, month = 2007 + i // 8, 1 + i % 8
            start = "" if i % 17 == 5 else f"{year}-{month:02d}-10"
            end = f"{year}-{month:02d}-12" if start else ""
            out.writerow(
                [
                    *(slug, f"Meeting {i}", f"City {i}", rng.choice(CODES), start, end),
                    *("conference", rng.randint(40, 120), f"https://ex.org/m{i}"),
                ]
            )
    with instruments.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["slug", "name", "kind", "meeting", "date", "source"])
        out.writerow(["decl", "A declaration", "declaration", MEETINGS[0], "2007-01-10", "s"])
        out.writerow(["ccm", "The Convention", "treaty", "", "2008-05-30", "s"])
    with facts.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["state", "record", "subject", "date", "meeting", "detail", "source"])
        for code in CODES:
            for slug in MEETINGS:
                r = rng.random()
                if r < 0.55:
                    out.writerow([code, "attended", slug, "", "", "", f"https://ex.org/{slug}"])
                elif r < 0.6:
                    out.writerow([code, "absent", slug, "", "", "", f"https://ex.org/{slug}/a"])
            out.writerow([code, "endorsed", "decl", "", MEETINGS[0], "", "https://ex.org/d"])
            out.writerow([code, "signed", "ccm", "2008-12-03", "", "", "https://ex.org/untc"])
            ratified = f"{rng.randint(2009, 2019)}-{rng.randint(1, 12):02d}"
            out.writerow([code, "ratified", "ccm", ratified, "", "", "https://ex.org/untc"])
            for k in range(5):
                action = rng.choice(["moratorium", "legislation", "other"])
                date = f"{rng.randint(2007, 2015)}-{rng.randint(1, 12):02d}-{k + 1:02d}"
                out.writerow([code, "announced", action, date, "", "x", f"https://ex.org/a{k}"])
    return [meetings, instruments, facts]


@lru_cache(maxsize=1)
def _command() -> click.Command:
    return typer.main.get_command(load_all())


@pytest.fixture(scope="module")
def plain_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Many facts, imported through `ccm import`; no planner statistics."""
    directory = tmp_path_factory.mktemp("plans")
    path = directory / "many.db"
    db.create(path, seed=False)
    files = _generate(directory)
    result = CliRunner().invoke(_command(), ["import", *map(str, files), "--db", str(path)])
    assert result.exit_code == 0, result.stderr
    conn = sqlite3.connect(path)
    try:
        n = conn.execute("SELECT count(*) FROM facts").fetchone()[0]
    finally:
        conn.close()
    assert n > 3000
    return path


@pytest.fixture(scope="module")
def analyzed_db(plain_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same database after ANALYZE, so the planner knows the table sizes."""
    path = tmp_path_factory.mktemp("analyzed") / "many.db"
    source, target = sqlite3.connect(plain_db), sqlite3.connect(path)
    try:
        source.backup(target)
        target.execute("ANALYZE")
        target.commit()
        assert target.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'facts'").fetchone()[0]
    finally:
        source.close()
        target.close()
    return path


class RecordingConnection(sqlite3.Connection):
    """A real connection that keeps each statement it executes, with its parameters."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.statements: list[tuple[str, Sequence[Any]]] = []

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> sqlite3.Cursor:  # type: ignore[override]
        self.statements.append((sql, tuple(parameters)))
        return super().execute(sql, parameters)

    def plan(self, sql: str, parameters: Sequence[Any]) -> list[str]:
        rows = super().execute("EXPLAIN QUERY PLAN " + sql, parameters).fetchall()
        return [row[3] for row in rows]


def _open(path: Path) -> RecordingConnection:
    conn = sqlite3.connect(path, factory=RecordingConnection, isolation_level=None)
    assert isinstance(conn, RecordingConnection)
    conn.row_factory = sqlite3.Row
    return conn


_NOT_AN_ALIAS = {
    "WHERE", "JOIN", "ON", "GROUP", "ORDER", "LEFT", "INNER", "CROSS", "NATURAL", "USING",
    "LIMIT", "WINDOW", "UNION", "EXCEPT", "INTERSECT", "SET", "VALUES", "AS",
}  # fmt: skip
_STEP = re.compile(r"^(SCAN|SEARCH)\s+(?:TABLE\s+)?(\w+)(?:\s+AS\s+(\w+))?(.*)$")


def facts_names(sql: str) -> set[str]:
    """The names the facts table goes by in a statement: `facts` and every alias."""
    names = {"facts"}
    for match in re.finditer(r"\bfacts\s+(?:AS\s+)?([A-Za-z_]\w*)", sql, re.IGNORECASE):
        if match.group(1).upper() not in _NOT_AN_ALIAS:
            names.add(match.group(1))
    return names


def full_scans(plan: list[str], names: set[str]) -> list[str]:
    """Plan steps that read the whole facts table (or the whole of one of its indexes)."""
    bad = []
    for step in plan:
        match = _STEP.match(step.strip())
        if not match or (match.group(3) or match.group(2)) not in names:
            continue
        if match.group(1) == "SCAN" or "AUTOMATIC" in match.group(4):
            bad.append(step)
    return bad


def fact_searches(plan: list[str], names: set[str]) -> list[str]:
    return [
        step
        for step in plan
        if (m := _STEP.match(step.strip()))
        and (m.group(3) or m.group(2)) in names
        and m.group(1) == "SEARCH"
        and "USING" in m.group(4)
    ]


Question = Callable[[sqlite3.Connection], object]
QUESTIONS: dict[str, Question] = {
    # The four the issue names ...
    "attendance": lambda c: queries.attendance(c, MEETING),
    "attendance --absent": lambda c: queries.attendance(c, MEETING, absent=True),
    "attendance --region": lambda c: queries.attendance_in_region(c, MEETING, "Africa"),
    "attendance footer": lambda c: queries.participation_footer(c, MEETING, 3),
    "newcomers": lambda c: queries.newcomers(c, MEETING),
    "newcomers --region": lambda c: queries.newcomers(c, MEETING, "Western Europe"),
    "compare": lambda c: queries.compare(c, MEETING, OTHER),
    "state timeline": lambda c: queries.timeline(c, STATE),
    "state profile": lambda c: queries.state_profile(c, STATE),
    # ... and the other lookups keyed by a meeting, an instrument or a state.
    "endorsements": lambda c: queries.endorsements(c, "decl"),
    "endorsements --declined": lambda c: queries.endorsements(c, "decl", declined=True),
    "states filters": lambda c: queries.states(
        c, attended=[MEETING], not_attended=[OTHER], absent=[OTHER], endorsed=["decl"]
    ),
    "states not-endorsed signed": lambda c: queries.states(
        c, not_endorsed=["decl"], signed=["ccm"], region="Africa"
    ),
}


@pytest.mark.parametrize("statistics", ["analyzed", "plain"])
@pytest.mark.parametrize("question", list(QUESTIONS))
def test_no_full_scan_of_facts(
    request: pytest.FixtureRequest, statistics: str, question: str
) -> None:
    path: Path = request.getfixturevalue(f"{statistics}_db")
    conn = _open(path)
    try:
        QUESTIONS[question](conn)
        assert conn.statements, "the question ran no SQL"
        scans: list[str] = []
        searched = False
        for sql, params in conn.statements:
            names = facts_names(sql)
            plan = conn.plan(sql, params)
            scans += [
                f"{step}   <- {' '.join(sql.split())[:160]}" for step in full_scans(plan, names)
            ]
            searched = searched or bool(fact_searches(plan, names))
    finally:
        conn.close()
    assert scans == []
    if question != "attendance footer":  # reads meetings and counts only
        assert searched, "no statement looked facts up through an index"


def test_the_checker_sees_a_full_scan(plain_db: Path) -> None:
    """The detector is not vacuous: an unindexed filter on facts is reported, by alias too."""
    conn = _open(plain_db)
    try:
        for sql in (
            "SELECT id FROM facts WHERE detail = ?",
            "SELECT f.id FROM facts AS f WHERE f.detail = ?",
            "SELECT g.id FROM meetings m JOIN facts g ON g.detail = m.slug WHERE m.name = ?",
        ):
            assert full_scans(conn.plan(sql, ("x",)), facts_names(sql)), sql
        sql = "SELECT f.id FROM facts f WHERE f.meeting = ? AND f.record = 'attended'"
        assert full_scans(conn.plan(sql, (MEETING,)), facts_names(sql)) == []
    finally:
        conn.close()


def test_aliases_of_facts_are_found() -> None:
    sql = (
        "WITH present AS (SELECT state FROM facts WHERE subject = ?), grouped AS (SELECT 1)"
        " SELECT * FROM facts f JOIN facts AS g ON g.state = f.state JOIN grouped x"
    )
    assert facts_names(sql) == {"facts", "f", "g"}
