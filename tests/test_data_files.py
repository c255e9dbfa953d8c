"""Contract tests for the built-in dataset in data/.

Most read the four CSVs with the stdlib only (never the app), because the files are a public
contract of their own: `ccm import` must accept them, other tools read them, and a broken row
here would be loaded into every new user's database. Then the files are checked against the
research in data/research (every research row is a claim, nothing second-hand), the build is
run (byte-identical rebuild; refusals of broken research), and the answers the issue promised
are asked of the real CLI.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
RESEARCH = DATA / "research"
CURATED = DATA / "curated"
BUILD = ROOT / "tools" / "build_seed.py"
BUILT = ["seed.csv", "meetings.csv", "instruments.csv", "counts.csv", "README.md"]

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
    "left",
    "in-force",
}
ACTION_RECORDS = {"announced"}
OBLIGATION_RECORDS = {"completed", "extended", "owes"}
RECORDS = MEETING_RECORDS | INSTRUMENT_RECORDS | ACTION_RECORDS | OBLIGATION_RECORDS
ACTIONS = {
    "moratorium",
    "stockpile-destruction",
    "legislation",
    "host-meeting",
    "regional-zone",
    "other",
}
OBLIGATIONS = {"transparency-report", "stockpile-destruction", "clearance"}
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
        elif r["record"] in OBLIGATION_RECORDS:
            assert r["subject"] in OBLIGATIONS, where
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


def research(name: str) -> list[dict[str, str]]:
    with (RESEARCH / name).open(encoding="utf-8-sig", newline="") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def test_one_row_is_one_claim() -> None:
    """The dataset lists claims; ccm merges them into events when it loads the file."""
    for i, r in enumerate(read("seed.csv"), start=2):
        assert " | " not in r["source"], f"seed.csv:{i}: one source per row"


def test_every_participation_row_is_a_claim_with_its_own_words() -> None:
    seed = Counter((r["state"], r["source"], r["detail"]) for r in read("seed.csv"))
    wanted: Counter[tuple[str, str, str]] = Counter()
    for path in sorted(RESEARCH.glob("participation*.csv")):
        for r in research(path.name):
            wanted[(r["state"], r["source_url"], r["quote"])] += 1
    assert sum(wanted.values()) > 1200
    missing = wanted - seed
    assert not missing, list(missing)[:5]


def test_every_action_and_status_row_is_a_claim() -> None:
    seed = read("seed.csv")
    actions = Counter(
        (r["state"], r["date"], r["source"]) for r in seed if r["record"] == "announced"
    )
    wanted: Counter[tuple[str, str, str]] = Counter()
    for path in sorted(RESEARCH.glob("actions*.csv")):
        for r in research(path.name):
            wanted[(r["state"], r["date"], r["source_url"])] += 1
    assert not wanted - actions, list(wanted - actions)[:5]
    claims = {(r["state"], r["record"], r["date"], r["source"]) for r in seed}
    for name in ("untc_ccm_status.csv", "ccm_status_supplement.csv", "ccm_status_more.csv"):
        for r in research(name):
            if r["signature_date"]:
                key = (r["participant"], "signed", r["signature_date"], r["source_url"])
                assert key in claims, (name, key)


def test_round_four_withdrawal_and_completions_are_in() -> None:
    """Lithuania: the notice (autumn 2024, so only the year) and the date the withdrawal took
    effect (6 March 2025) are two facts, the second under the record `left`."""
    seed = read("seed.csv")
    withdrew = [(r["state"], r["date"]) for r in seed if r["record"] == "withdrew"]
    left = [r for r in seed if r["record"] == "left"]
    assert withdrew == [("Lithuania", "2024")]
    assert [(r["state"], r["date"]) for r in left] == [("Lithuania", "2025-03-06")]
    assert "took effect on 6 March 2025" in left[0]["detail"]
    done = {r["state"] for r in seed if r["record"] == "completed"}
    assert {"Norway", "Botswana", "Peru", "United Kingdom"} <= done
    # "earmarked for destruction" and "commenced the destruction" are no completion.
    assert "South Africa" not in done


def test_implied_wording_keeps_its_prefix() -> None:
    implied = [r for r in read("seed.csv") if r["detail"].startswith("IMPLIED:")]
    in_research = sum(
        1
        for path in RESEARCH.glob("participation*.csv")
        for r in research(path.name)
        if r["quote"].startswith("IMPLIED:")
    )
    assert len(implied) == in_research > 100


def test_meeting_facts_name_their_meeting() -> None:
    for i, r in enumerate(read("seed.csv"), start=2):
        if r["record"] in MEETING_RECORDS:
            assert r["meeting"] == r["subject"], f"seed.csv:{i}"


def test_not_signing_at_the_signing_conference_is_not_being_there() -> None:
    """`did_not_endorse` at the signing conference means "did not sign there" (research README);
    a meeting on it would count the state present."""
    refusals = [r for r in read("seed.csv") if r["record"] == "declined" and r["subject"] == "ccm"]
    assert len(refusals) > 30
    assert all(r["meeting"] == "" for r in refusals)


def test_a_late_endorsement_is_not_at_the_meeting() -> None:
    late = [
        r
        for r in read("seed.csv")
        if r["record"] == "endorsed" and "after the conference" in r["detail"]
    ]
    assert len(late) > 5
    assert all(r["meeting"] == "" for r in late)


def test_sources_can_be_followed() -> None:
    """No second-hand "as cited in"; every URL is one the research itself cites."""
    corpus = "\n".join(p.read_text(encoding="utf-8") for p in sorted(RESEARCH.iterdir()))
    for name in HEADERS:
        for i, r in enumerate(read(name), start=2):
            for part in r["source"].split(" | "):
                assert "as cited in" not in part.lower(), f"{name}:{i}"
                if part.startswith("http"):
                    assert part in corpus, f"{name}:{i}: {part}"


def test_no_document_names_a_path_outside_the_repo() -> None:
    """No sibling folder and no absolute path of one machine (a URL's path is not one; the
    build script's `#!` line is the one absolute path allowed)."""
    outside = re.compile(r"\.\./shared|(?<![\w:/.~-])/[a-z][\w.-]*/[\w./-]+")
    assert outside.search("read " + "/".join(["", "srv", "research", "x.csv"]))
    assert not outside.search("see https://example.org/a/b and data/research/x.csv")
    for path in [
        DATA / "README.md",
        RESEARCH / "README.md",
        BUILD,
        ROOT / "tools" / "seed_readme.md",
    ]:
        lines = path.read_text(encoding="utf-8").splitlines()
        text = "\n".join(line for line in lines if not line.startswith("#!"))
        assert not outside.search(text), path


def test_rebuild_is_byte_identical(tmp_path: Path) -> None:
    """data/ is exactly what `make seed` makes from the files in the repository."""
    result = subprocess.run(
        [
            sys.executable,
            str(BUILD),
            str(RESEARCH),
            "--curated",
            str(CURATED),
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    for name in BUILT:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def _build_copy(tmp_path: Path, edit: Callable[[Path], None]) -> subprocess.CompletedProcess[str]:
    src = tmp_path / "research"
    shutil.copytree(RESEARCH, src)
    edit(src)
    return subprocess.run(
        [sys.executable, str(BUILD), str(src), "--curated", str(CURATED), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
    )


def test_build_refuses_a_name_ccm_cannot_resolve(tmp_path: Path) -> None:
    def add_row(src: Path) -> None:
        with (src / "participation.csv").open("a", encoding="utf-8") as fh:
            fh.write("Hungry,lima-2007,attended,http://example.org/x,a typo\n")

    result = _build_copy(tmp_path, add_row)
    assert result.returncode == 1
    lines = len((RESEARCH / "participation.csv").read_text(encoding="utf-8").splitlines())
    assert f"participation.csv:{lines + 1}" in result.stderr
    assert "'Hungry'" in result.stderr
    assert not (tmp_path / "seed.csv").exists()


def test_build_refuses_a_curated_row_whose_words_are_gone(tmp_path: Path) -> None:
    def reword(src: Path) -> None:
        path = src / "meetings.csv"
        path.write_text(
            path.read_text(encoding="utf-8").replace("138 states per CMC", "138 per CMC"),
            encoding="utf-8",
        )

    result = _build_copy(tmp_path, reword)
    assert result.returncode == 1
    assert "counts.csv:" in result.stderr and "138 states per CMC" in result.stderr


def _recorded(ccm: Callable[..., Any], db: Path, meeting: str) -> int:
    result = ccm("attendance", meeting, "--db", db)
    assert result.exit_code == 0, result.output
    m = re.search(r"(\d+) recorded of", result.output)
    assert m, result.output
    return int(m.group(1))


def test_the_promised_attendance(ccm: Callable[..., Any], builtin_db: Path) -> None:
    assert _recorded(ccm, builtin_db, "oslo-2007") == 49
    assert _recorded(ccm, builtin_db, "dublin") >= 85
    assert _recorded(ccm, builtin_db, "vienna") >= 60
    assert _recorded(ccm, builtin_db, "wellington") >= 55


def test_exported_counts_cite_no_source_second_hand(
    ccm: Callable[..., Any], builtin_db: Path
) -> None:
    result = ccm("export", "--csv", "--what", "counts", "--db", builtin_db)
    assert result.exit_code == 0, result.output
    assert "as cited in" not in result.output
    assert len(result.output.splitlines()) == len(read("counts.csv")) + 1
