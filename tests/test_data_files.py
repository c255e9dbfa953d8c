"""Contract tests for the built-in dataset in data/.

They read the four CSVs with the stdlib only (never the app), because the files are a public
contract of their own: `ccm import` must accept them, other tools read them, and a broken row
here would be loaded into every new user's database. The last test rebuilds the files from the
research data and compares bytes, so nobody can hand-edit data/ and drift from the sources.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SHARED = ROOT.parent / "shared" / "data"
BUILD = ROOT / "tools" / "build_seed.py"

HEADERS = {
    "seed.csv": ["state", "record", "subject", "date", "meeting", "detail", "source"],
    "meetings.csv": [
        "slug",
        "name",
        "city",
        "country",
        "start_date",
        "end_date",
        "kind",
        "reported",
        "source",
    ],
    "instruments.csv": ["slug", "name", "kind", "meeting", "date", "source"],
    "counts.csv": ["meeting", "record", "count", "detail", "source"],
}

MEETING_RECORDS = {"attended", "absent", "hosted"}
INSTRUMENT_RECORDS = {
    "endorsed",
    "declined",
    "signed",
    "ratified",
    "acceded",
    "approved",
    "accepted",
    "withdrew",
}
ACTION_RECORDS = {"announced"}
RECORDS = MEETING_RECORDS | INSTRUMENT_RECORDS | ACTION_RECORDS
ACTIONS = {
    "moratorium",
    "stockpile-destruction",
    "legislation",
    "host-meeting",
    "regional-zone",
    "other",
}
MEETING_KINDS = {"conference", "regional", "diplomatic", "signing", "meeting-of-states-parties"}
INSTRUMENT_KINDS = {"treaty", "declaration"}
COUNT_RECORDS = {"attended", "endorsed", "adopted", "signed"}

_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def is_date(value: str) -> bool:
    """YYYY, YYYY-MM or YYYY-MM-DD naming a real calendar date (never padded)."""
    m = _DATE.fullmatch(value)
    if not m:
        return False
    year, month, day = m.groups()
    try:
        dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return False
    return True


def meeting_slugs() -> set[str]:
    return {r["slug"] for r in read("meetings.csv")}


def instrument_slugs() -> set[str]:
    return {r["slug"] for r in read("instruments.csv")}


@pytest.mark.parametrize("name", sorted(HEADERS))
def test_exact_header(name: str) -> None:
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        assert next(csv.reader(fh)) == HEADERS[name]


@pytest.mark.parametrize("name", sorted(HEADERS))
def test_encoding_and_line_ends(name: str) -> None:
    raw = (DATA / name).read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), "no BOM"
    assert b"\r" not in raw, "LF line ends only"
    assert raw.endswith(b"\n")
    raw.decode("utf-8")


@pytest.mark.parametrize("name", sorted(HEADERS))
def test_rows_have_every_column(name: str) -> None:
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) > 1
    for i, row in enumerate(rows, start=1):
        assert len(row) == len(HEADERS[name]), f"{name}:{i}"


@pytest.mark.parametrize("name", sorted(HEADERS))
def test_every_row_has_a_source(name: str) -> None:
    for i, row in enumerate(read(name), start=2):
        parts = row["source"].split(" | ")
        assert all(p.strip() for p in parts), f"{name}:{i}: empty source"
        assert len(parts) == len(set(parts)), f"{name}:{i}: a source listed twice"


def test_meetings() -> None:
    rows = read("meetings.csv")
    slugs = [r["slug"] for r in rows]
    assert len(slugs) == len(set(slugs))
    for r in rows:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", r["slug"]), r["slug"]
        assert r["name"] and r["city"] and r["country"], r["slug"]
        assert r["kind"] in MEETING_KINDS, r["slug"]
        for col in ("start_date", "end_date"):
            assert r[col] == "" or is_date(r[col]), (r["slug"], col)
        if r["start_date"] and r["end_date"]:
            assert r["start_date"] <= r["end_date"], r["slug"]
        assert r["reported"] == "" or r["reported"].isdigit(), r["slug"]


def test_instruments() -> None:
    rows = read("instruments.csv")
    slugs = [r["slug"] for r in rows]
    assert len(slugs) == len(set(slugs))
    assert {"ccm", "oslo-declaration", "wellington-declaration", "livingstone-declaration"} <= set(
        slugs
    )
    meetings = meeting_slugs()
    for r in rows:
        assert r["kind"] in INSTRUMENT_KINDS, r["slug"]
        assert r["meeting"] in meetings, r["slug"]
        assert r["date"] == "" or is_date(r["date"]), r["slug"]


def test_seed_records_and_subjects() -> None:
    meetings, instruments = meeting_slugs(), instrument_slugs()
    for i, r in enumerate(read("seed.csv"), start=2):
        where = f"seed.csv:{i}"
        assert r["state"].strip(), where
        assert r["record"] in RECORDS, where
        if r["record"] in MEETING_RECORDS:
            assert r["subject"] in meetings, where
        elif r["record"] in INSTRUMENT_RECORDS:
            assert r["subject"] in instruments, where
        else:
            assert r["subject"] in ACTIONS, where


def test_seed_dates() -> None:
    for i, r in enumerate(read("seed.csv"), start=2):
        assert r["date"] == "" or is_date(r["date"]), f"seed.csv:{i}: {r['date']!r}"


def test_meeting_columns_reference_meetings() -> None:
    meetings = meeting_slugs()
    for name in ("seed.csv", "instruments.csv", "counts.csv"):
        for i, r in enumerate(read(name), start=2):
            assert r["meeting"] == "" or r["meeting"] in meetings, f"{name}:{i}"
    for r in read("counts.csv"):
        assert r["meeting"], "a count belongs to a meeting"


def test_counts() -> None:
    for i, r in enumerate(read("counts.csv"), start=2):
        where = f"counts.csv:{i}"
        assert r["record"] in COUNT_RECORDS, where
        assert re.fullmatch(r"\d+", r["count"]), where
        assert r["detail"].strip(), where


def test_conflicting_counts_are_kept() -> None:
    """Where sources disagree, each figure is its own row (ccm conflicts relies on it)."""
    by_meeting: dict[tuple[str, str], set[int]] = {}
    for r in read("counts.csv"):
        by_meeting.setdefault((r["meeting"], r["record"]), set()).add(int(r["count"]))
    assert {68, 67, 65} <= by_meeting[("lima-2007", "attended")]
    assert {138, 120} <= by_meeting[("vienna-2007", "attended")]
    assert {38, 39} <= by_meeting[("livingstone-2008", "endorsed")]


def test_conflicting_meeting_dates_are_kept() -> None:
    """A source's other start date is a dated `hosted` fact outside the meeting's dates."""
    spans = {
        r["slug"]: (r["start_date"], r["end_date"] or r["start_date"]) for r in read("meetings.csv")
    }
    outside: set[str] = set()
    for r in read("seed.csv"):
        if r["record"] != "hosted" or not r["date"] or not spans[r["subject"]][0]:
            continue
        start, end = spans[r["subject"]]
        n = len(r["date"])
        if r["date"] < start[:n] or r["date"] > end[:n]:
            outside.add(r["subject"])
    assert {"belgrade-2007", "oslo-signing-2008", "4msp-lusaka-2013"} <= outside


def test_natural_key_is_unique() -> None:
    """One row per (state, record, subject, date): the same fact from two sources is one row."""
    countryguess = pytest.importorskip("countryguess")
    keys: Counter[tuple[str, str, str, str]] = Counter()
    spelled: dict[str, set[str]] = {}
    for i, r in enumerate(read("seed.csv"), start=2):
        guess = countryguess.guess_country(r["state"])
        assert guess and guess.get("iso3"), f"seed.csv:{i}: cannot resolve {r['state']!r}"
        spelled.setdefault(guess["iso3"], set()).add(r["state"])
        keys[(guess["iso3"], r["record"], r["subject"], r["date"])] += 1
    dupes = [k for k, n in keys.items() if n > 1]
    assert not dupes, dupes
    # Names the sources spell differently must still land on distinct, right states.
    assert spelled["COD"].isdisjoint(spelled["COG"])
    assert "Guinea Conakry" in spelled["GIN"] and "Guinea-Bissau" in spelled["GNB"]


def test_rebuild_is_byte_identical(tmp_path: Path) -> None:
    if not SHARED.is_dir():
        pytest.skip(f"research data not present at {SHARED}")
    subprocess.run(
        [sys.executable, str(BUILD), str(SHARED), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    for name in HEADERS:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name
