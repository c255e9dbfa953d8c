#!/usr/bin/env python3
"""Build ccm's built-in dataset (`data/*.csv` and `data/README.md`) from `data/research/`.

Why a script and not hand-edited CSVs: the research files are the record of what each source
said, spelled the way the source spelled it. The dataset must stay traceable to them, so it is
derived mechanically, the same way every time: run it twice and you get the same bytes, and
anyone can check a row of `data/seed.csv` against the research row it came from.

One research row is one claim: `seed.csv` has one row per source statement, with that source's
own date and wording, in research-file order. Nothing is merged here; ccm merges claims into
events when it loads the file, so the dataset and a user's own imports follow one rule.

The build uses the app's own contract: its CSV headers and row checks (`ccmtool.contract`),
its date rule (`ccmtool.dates.check_date`) and its name resolution (`ccmtool.names.find`, exact
matches only). A row or a spelling ccm would refuse fails the build here, naming the file and
line, not later in a user's `ccm init`.

What is curated (a judgment, not a mapping) lives as data in `data/curated/*.csv`, each row with
an `evidence` column quoting the research words it rests on (`file: words`, several separated
by ` | `). The build fails if those words are no longer there.

The coverage table in `data/README.md` is computed through the app: the freshly written files
are imported into a scratch database and counted with its `presence` view.

Usage: build_seed.py [RESEARCH_DIR] [--curated DIR] [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import re
import sqlite3
import string
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ccmtool.contract import (
    FACT_COLUMNS,
    HEADERS,
    FieldError,
    check_fact,
    count_row,
    instrument_row,
    meeting_row,
)
from ccmtool.dates import check_date
from ccmtool.names import find

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = REPO / "data" / "research"
DEFAULT_CURATED = REPO / "data" / "curated"
DEFAULT_OUT = REPO / "data"
README_TEMPLATE = Path(__file__).resolve().parent / "seed_readme.md"

SEP = " | "  # the contract's separator of several values in one cell

# Research files in the order their rows are written to seed.csv.
PARTICIPATION_FILES = (
    "participation.csv",
    "participation_more.csv",
    "participation_round3.csv",
    "participation_round4.csv",
)
ACTION_FILES = ("actions.csv", "actions_round3.csv", "actions_round4.csv")
STATUS_FILES = (
    "untc_ccm_status.csv",
    "ccm_status_supplement.csv",
    "ccm_status_more.csv",
    "ccm_status_round3.csv",
)
# A merged view of the status files: checked against them, not mapped (see check_consolidated).
CONSOLIDATED = "ccm_status_consolidated.csv"

# The declaration each meeting adopted: an `endorsed`/`declined` row at that meeting is about it.
DECLARATION_OF = {
    "oslo-2007": "oslo-declaration",
    "wellington-2008": "wellington-declaration",
    "livingstone-2008": "livingstone-declaration",
    "santiago-2013": "santiago-declaration",
}
MEETING_ROLES = {"attended": "attended", "absent": "absent", "host": "hosted"}
# The research's action names, as ccm spells them.
ACTION_NAMES = {
    "moratorium": "moratorium",
    "stockpile_destruction": "stockpile-destruction",
    "national_legislation": "legislation",
    "host_meeting": "host-meeting",
    "regional_zone": "regional-zone",
    "other": "other",
}
# UN Treaty Collection terms for how a state became bound, as ccm records them.
BOUND_RECORD = {
    "ratification": "ratified",
    "accession": "acceded",
    "acceptance": "accepted",
    "approval": "approved",
}
# Words that say an endorsement or signature did not happen at the meeting. A row that keeps its
# meeting while saying one of them stops the build until someone decides (not_at_meeting.csv).
NOT_THERE = ("after the conference", "later endorsement", "without attending", "unable to attend")
IMPLIED = "IMPLIED:"


class BuildError(Exception):
    """The research data cannot be mapped as the contract requires; the message says where."""


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) with every cell stripped, so stray spaces never split a key."""
    if not path.is_file():
        raise BuildError(f"{path.name}: missing")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        for row in reader:
            yield reader.line_num, {k: (v or "").strip() for k, v in row.items()}


def date_of(value: str, where: str) -> str:
    """The app's date rule, failing the build with the place of a bad date."""
    try:
        return check_date(value)
    except ValueError as exc:
        raise BuildError(f"{where}: {exc}") from None


@dataclass(frozen=True)
class Evidence:
    """Words that must appear in a research file for a curated row to be built."""

    file: str
    text: str


def parse_evidence(cell: str, where: str) -> list[Evidence]:
    """`file: words`, several separated by ` | `."""
    found = []
    for part in cell.split(SEP):
        name, colon, text = part.partition(": ")
        if not colon or not text.strip():
            raise BuildError(f"{where}: evidence must read 'file: words', got {part!r}")
        found.append(Evidence(name.strip(), text))
    if not found:
        raise BuildError(f"{where}: no evidence")
    return found


class Research:
    """The research folder, with each file's text cached for evidence checks."""

    def __init__(self, src: Path) -> None:
        self.src = src
        self._text: dict[str, str] = {}

    def text(self, name: str) -> str:
        if name not in self._text:
            path = self.src / name
            if not path.is_file():
                raise BuildError(f"evidence names {name!r}, which is not in {self.src.name}/")
            self._text[name] = path.read_text(encoding="utf-8")
        return self._text[name]

    def check(self, evidence: list[Evidence], where: str) -> None:
        """Fail unless every quoted passage is still in the research file it is said to be in."""
        for ev in evidence:
            if ev.text not in self.text(ev.file):
                raise BuildError(f"{where}: {ev.file} no longer says {ev.text!r}")


def read_curated(path: Path, columns: list[str]) -> Iterator[tuple[str, dict[str, str]]]:
    """Rows of a curated file, which must have exactly these columns."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames != columns:
            raise BuildError(f"{path.name}: header must be {','.join(columns)}")
        for row in reader:
            yield f"{path.name}:{reader.line_num}", {k: (v or "").strip() for k, v in row.items()}


# --------------------------------------------------------------------------------------------
# Meetings
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Meeting:
    """The parts of a research meeting row that the mapping needs."""

    slug: str
    start: str
    end: str
    source: str

    def holds(self, date: str) -> bool | None:
        """Whether a date falls within the meeting (None when the meeting has no dates)."""
        if not date or not self.start:
            return None
        end = self.end or self.start
        n = len(date)
        return self.start[:n] <= date <= end[:n]


def load_meetings(src: Path) -> tuple[list[list[str]], dict[str, Meeting]]:
    """Map research meetings.csv to the contract's columns; also return the meetings by slug."""
    rows: list[list[str]] = []
    meetings: dict[str, Meeting] = {}
    for line, r in read_rows(src / "meetings.csv"):
        where = f"meetings.csv:{line}"
        slug = r["slug"]
        if slug in meetings:
            raise BuildError(f"{where}: duplicate slug {slug!r}")
        row = [
            slug,
            r["name"],
            r["city"],
            r["country"],
            r["start_date"],
            r["end_date"],
            r["kind"].replace("_", "-"),
            r["states_participating"],
            r["source_url"],
        ]
        checked, problems = meeting_row(dict(zip(HEADERS["meetings"], row, strict=True)))
        refuse(problems, where)
        if r["country"]:
            resolve(r["country"], where)
        rows.append(row)
        meetings[slug] = Meeting(slug, checked["start_date"], checked["end_date"], r["source_url"])
    return rows, meetings


def refuse(problems: list[FieldError], where: str) -> None:
    """Fail the build on the first field the app's contract refuses."""
    if problems:
        raise BuildError(f"{where}: {problems[0]}")


# --------------------------------------------------------------------------------------------
# Claims
# --------------------------------------------------------------------------------------------


def resolve(name: str, where: str) -> str:
    """The state's code by the app's own exact name resolution, or a build error."""
    country = find(name)
    if country is None:
        raise BuildError(f"{where}: ccm cannot resolve the state name {name!r}")
    return country.code


@dataclass(frozen=True)
class Claim:
    """One seed row: one source's statement of one fact."""

    where: str  # research file and line (or curated file and line) it comes from
    state: str
    code: str
    record: str
    subject: str
    date: str
    meeting: str
    detail: str
    source: str

    def row(self) -> list[str]:
        return [
            self.state,
            self.record,
            self.subject,
            self.date,
            self.meeting,
            self.detail,
            self.source,
        ]


@dataclass
class Seed:
    """Claims in the order they are written, each checked as ccm's importer will check it."""

    meetings: set[str]
    instruments: set[str]
    claims: list[Claim] = field(default_factory=list)

    def add(
        self,
        where: str,
        state: str,
        record: str,
        subject: str,
        date: str,
        meeting: str,
        detail: str,
        source: str,
    ) -> None:
        if not source:
            raise BuildError(f"{where}: no source")
        if SEP in source:
            raise BuildError(f"{where}: a research row is one claim with one source")
        code = resolve(state, where)
        date = date_of(date, where)
        try:
            check_fact(record, subject, meeting, self.meetings, self.instruments)
        except FieldError as exc:
            raise BuildError(f"{where}: {exc}") from None
        self.claims.append(
            Claim(where, state, code, record, subject, date, meeting, detail, source)
        )


def with_note(detail: str, note: str) -> str:
    """A builder's note goes after the source's words, so an `IMPLIED:` prefix stays first."""
    return f"{detail} [{note}]" if detail else f"[{note}]"


# --------------------------------------------------------------------------------------------
# Dates stated in quotes
# --------------------------------------------------------------------------------------------

_MONTHS = {
    name: i
    for i, name in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
        start=1,
    )
}
_MONTH_RE = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
# "Monitor profile (updated 12 Aug 2010): ..." names the source and when it was published;
# the words after the first colon are what the source says.
_ATTRIBUTION = re.compile(r"[^:]{1,100}:\s")
# "5-7 Dec 2007", "Feb 18-22": a meeting's span, not the day of one state's act.
_RANGE = re.compile(
    rf"\b\d{{1,2}}\s*[-–]\s*\d{{1,2}}\s+{_MONTH_RE}(?:\s+\d{{4}})?"
    rf"|\b{_MONTH_RE}\s+\d{{1,2}}\s*[-–]\s*\d{{1,2}}\b"
)
_ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DAY_MONTH = re.compile(r"\b(\d{1,2})\s+(" + _MONTH_RE + r")(?:\s+(\d{4}))?\b")
_MONTH_DAY = re.compile(r"\b(" + _MONTH_RE + r")\s+(\d{1,2}),\s+(\d{4})\b")


def quote_day(quote: str, meeting: Meeting) -> str:
    """The single day a quote says the act happened on (YYYY-MM-DD), or '' if none or several.

    Only a full day counts: "in December 2008" gives nothing, so a month never stands in for
    a day. The source's attribution before the first colon is skipped (it dates the page, not
    the act). A day without a year ("on 30 May") counts only within the meeting's own dates,
    which then supply the year.
    """
    text = quote[len(IMPLIED) :] if quote.startswith(IMPLIED) else quote
    text = _ATTRIBUTION.sub("", text.lstrip(), count=1)
    text = _RANGE.sub(" ", text)
    found: set[str] = set()
    for y, mo, d in _ISO_DAY.findall(text):
        found.add(f"{y}-{mo}-{d}")
    for mon, d, y in _MONTH_DAY.findall(text):
        found.add(f"{int(y):04d}-{_MONTHS[mon[:3].lower()]:02d}-{int(d):02d}")
    for d, mon, y in _DAY_MONTH.findall(text):
        month = _MONTHS[mon[:3].lower()]
        if y:
            found.add(f"{int(y):04d}-{month:02d}-{int(d):02d}")
        elif len(meeting.start) == 10:
            candidate = f"{meeting.start[:4]}-{month:02d}-{int(d):02d}"
            if meeting.holds(candidate):
                found.add(candidate)
    valid = set()
    for day in found:
        try:
            valid.add(check_date(day))
        except ValueError:
            continue
    return valid.pop() if len(valid) == 1 else ""


# --------------------------------------------------------------------------------------------
# The mappings
# --------------------------------------------------------------------------------------------


def load_not_at_meeting(curated: Path, research: Research) -> dict[tuple[str, str, str, str], str]:
    """Rows whose act the source places away from the meeting: (file, state, meeting, role)."""
    away: dict[tuple[str, str, str, str], str] = {}
    columns = ["file", "state", "meeting", "role", "evidence", "why"]
    for where, r in read_curated(curated / "not_at_meeting.csv", columns):
        if not r["why"]:
            raise BuildError(f"{where}: say why")
        evidence = parse_evidence(r["evidence"], where)
        research.check(evidence, where)
        away[(r["file"], r["state"], r["meeting"], r["role"])] = where
    return away


def map_participation(
    src: Path,
    name: str,
    seed: Seed,
    meetings: dict[str, Meeting],
    away: dict[tuple[str, str, str, str], str],
    used: set[str],
) -> None:
    """One participation file; roles become records as the data contract defines them."""
    for line, r in read_rows(src / name):
        where = f"{name}:{line}"
        state, slug, role = r["state"], r["meeting_slug"], r["role"]
        quote, source = r["quote"], r["source_url"]
        meeting = meetings.get(slug)
        if meeting is None:
            raise BuildError(f"{where}: unknown meeting {slug!r}")
        if role in MEETING_ROLES:
            # The meeting's dates are the event's; a day a quote mentions is not a claim's date.
            seed.add(where, state, MEETING_ROLES[role], slug, "", slug, quote, source)
            continue
        if role == "adopted":
            if slug != "dublin-2008":
                raise BuildError(f"{where}: 'adopted' outside Dublin")
            record, subject = "endorsed", "ccm"
        elif role == "signed":
            if slug != "oslo-signing-2008":
                raise BuildError(f"{where}: 'signed' outside the Oslo signing conference")
            record, subject = "signed", "ccm"
        elif role in ("endorsed", "did_not_endorse"):
            record = "endorsed" if role == "endorsed" else "declined"
            if slug == "oslo-signing-2008":
                subject = "ccm"
            elif slug in DECLARATION_OF:
                subject = DECLARATION_OF[slug]
            else:
                raise BuildError(f"{where}: no declaration known for {slug!r}")
        else:
            raise BuildError(f"{where}: unknown role {role!r}")
        # A refusal's quote dates other acts (a later signature at the UN), never the refusal.
        date = "" if record == "declined" else quote_day(quote, meeting)
        at = slug
        key = (name, state, slug, role)
        if record == "declined" and slug == "oslo-signing-2008":
            at = ""  # "did not sign there": says nothing about being there
        elif meeting.holds(date) is False:
            at = ""  # a stated day outside the meeting: it happened later, elsewhere
        elif key in away:
            at = ""
            used.add(away[key])
        elif any(words in quote for words in NOT_THERE):
            raise BuildError(
                f"{where}: the quote says this did not happen at {slug}; add the row to"
                " not_at_meeting.csv (or reword the research)"
            )
        seed.add(where, state, record, subject, date, at, quote, source)


@dataclass(frozen=True)
class Completion:
    """A stockpile-destruction row that says destruction was completed."""

    where: str
    date: str
    note: str
    evidence: str


def load_completions(
    curated: Path, research: Research
) -> dict[tuple[str, str, str], list[Completion]]:
    found: dict[tuple[str, str, str], list[Completion]] = {}
    columns = ["file", "state", "row_date", "date", "evidence", "note"]
    for where, r in read_curated(curated / "completed.csv", columns):
        if r["date"] not in ("", r["row_date"]):
            raise BuildError(f"{where}: date must be the row's date or empty, never another")
        if not r["date"] and r["row_date"] and not r["note"]:
            raise BuildError(f"{where}: say why the row's date is not the completion date")
        research.check([Evidence(r["file"], r["evidence"])], where)
        key = (r["file"], r["state"], r["row_date"])
        found.setdefault(key, []).append(Completion(where, r["date"], r["note"], r["evidence"]))
    return found


def map_actions(
    src: Path,
    name: str,
    seed: Seed,
    meetings: dict[str, Meeting],
    completions: dict[tuple[str, str, str], list[Completion]],
    used: set[str],
) -> None:
    """One actions file: each row is an `announced` fact whose subject is the action; a
    stockpile destruction the row says was completed is also a `completed` fact."""
    for line, r in read_rows(src / name):
        where = f"{name}:{line}"
        action = ACTION_NAMES.get(r["action"])
        if action is None:
            raise BuildError(f"{where}: unknown action {r['action']!r}")
        state, date, slug = r["state"], r["date"], r["meeting_slug"]
        detail, source = r["description"], r["source_url"]
        if slug and slug not in meetings:
            detail = with_note(detail, f"research meeting {slug!r} is not one of ccm's meetings")
            slug = ""
        seed.add(where, state, "announced", action, date, slug, detail, source)
        done = [
            c for c in completions.get((name, state, date), []) if c.evidence in r["description"]
        ]
        if action != "stockpile-destruction" and done:
            raise BuildError(f"{where}: a completion needs a stockpile-destruction row")
        for c in done:
            used.add(c.where)
            text = with_note(detail, c.note) if c.note else detail
            seed.add(where, state, "completed", "stockpile-destruction", c.date, "", text, source)


@dataclass(frozen=True)
class StatusDecision:
    """What a status row without a usable action type or date records."""

    where: str
    record: str
    date: str
    note: str


def load_status_decisions(
    curated: Path, research: Research
) -> dict[tuple[str, str, str], StatusDecision]:
    found: dict[tuple[str, str, str], StatusDecision] = {}
    columns = ["file", "participant", "action_type", "record", "date", "note", "evidence"]
    for where, r in read_curated(curated / "status.csv", columns):
        evidence = parse_evidence(r["evidence"], where)
        research.check(evidence, where)
        date_of(r["date"], where)
        found[(r["file"], r["participant"], r["action_type"])] = StatusDecision(
            where, r["record"], r["date"], r["note"]
        )
    return found


def map_status(
    src: Path,
    name: str,
    seed: Seed,
    decisions: dict[tuple[str, str, str], StatusDecision],
    used: set[str],
) -> None:
    """One Convention status file: a signature and how the state became bound (or left)."""
    for line, r in read_rows(src / name):
        where = f"{name}:{line}"
        state, source, notes = r["participant"], r["source_url"], r.get("notes", "")
        signed, bound, action = r["signature_date"], r["ratification_date"], r["action_type"]
        if signed:
            # No meeting: a status list gives a date, not a place (Niger signed on 3 Dec 2008,
            # but no source says it signed in Oslo).
            seed.add(where, state, "signed", "ccm", signed, "", notes, source)
        if action in BOUND_RECORD and bound:
            seed.add(where, state, BOUND_RECORD[action], "ccm", bound, "", notes, source)
            continue
        if action == "signature" and not bound:
            if not signed:
                raise BuildError(f"{where}: a signature row without a signature date")
            continue
        if not action and not bound:
            continue  # a signatory's row: its signature is all it says
        decision = decisions.get((name, state, action))
        if decision is None:
            raise BuildError(
                f"{where}: action type {action!r} with date {bound!r}: decide the record in"
                " status.csv"
            )
        if bound and decision.date != bound:
            raise BuildError(f"{decision.where}: the row's date is {bound!r}")
        used.add(decision.where)
        detail = with_note(notes, decision.note)
        seed.add(where, state, decision.record, "ccm", decision.date, "", detail, source)


def map_curated_facts(
    curated: Path, research: Research, seed: Seed, meetings: dict[str, Meeting]
) -> None:
    """Facts that a research note states but no research row carries."""
    columns = [*FACT_COLUMNS, "evidence"]
    for where, r in read_curated(curated / "facts.csv", columns):
        research.check(parse_evidence(r["evidence"], where), where)
        if r["record"] == "hosted" and r["date"]:
            check_meeting_date(r, meetings.get(r["subject"]), where)
        seed.add(
            where,
            r["state"],
            r["record"],
            r["subject"],
            r["date"],
            r["meeting"],
            r["detail"],
            r["source"],
        )


def check_meeting_date(r: dict[str, str], meeting: Meeting | None, where: str) -> None:
    """A dated `hosted` fact carries one side of a meeting-date disagreement: check which.

    Sourced by the meeting's own source, it must give the meeting's recorded start; sourced by
    anything else, it must give another start, or there is no disagreement left to carry.
    """
    if meeting is None:
        raise BuildError(f"{where}: unknown meeting {r['subject']!r}")
    date = r["date"]
    if len(date) != 10 or len(meeting.start) != 10:
        raise BuildError(f"{where}: a meeting-date fact needs full days on both sides")
    if r["source"] == meeting.source:
        if date != meeting.start:
            raise BuildError(f"{where}: the meeting's source gives {meeting.start}, not {date}")
    elif date == meeting.start:
        raise BuildError(f"{where}: {date} is the recorded start; no disagreement to carry")


def check_consolidated(src: Path, seed: Seed) -> int:
    """`ccm_status_consolidated.csv` picks one best row per state from the other status files.

    Mapping it too would repeat their claims under the same sources, so it is not mapped;
    instead every date it gives must be one that a mapped claim gives, from the same source.
    """
    said = {(c.code, c.record, c.date, c.source) for c in seed.claims}
    rows = 0
    for line, r in read_rows(src / CONSOLIDATED):
        where = f"{CONSOLIDATED}:{line}"
        rows += 1
        code = resolve(r["participant"], where)
        wanted = []
        if r["signature_date"]:
            wanted.append(("signed", r["signature_date"]))
        if r["ratification_date"]:
            record = BOUND_RECORD.get(r["action_type"])
            if record is None:
                raise BuildError(f"{where}: action type {r['action_type']!r}")
            wanted.append((record, r["ratification_date"]))
        for record, date in wanted:
            if (code, record, date, r["source_url"]) not in said:
                raise BuildError(
                    f"{where}: {r['participant']} {record} {date} from {r['source_url']} is"
                    " in no other status file"
                )
    return rows


# --------------------------------------------------------------------------------------------
# Instruments and counts
# --------------------------------------------------------------------------------------------


def curated_instruments(
    curated: Path, research: Research, meetings: dict[str, Meeting]
) -> list[list[str]]:
    columns = [*HEADERS["instruments"], "evidence"]
    rows = []
    for where, r in read_curated(curated / "instruments.csv", columns):
        research.check(parse_evidence(r["evidence"], where), where)
        refuse(instrument_row(r, meetings)[1], where)
        if not r["meeting"]:
            raise BuildError(f"{where}: an instrument of the dataset names its meeting")
        rows.append([r[c] for c in HEADERS["instruments"]])
    return rows


def curated_counts(
    curated: Path, research: Research, meetings: dict[str, Meeting]
) -> list[list[str]]:
    columns = [*HEADERS["counts"], "evidence"]
    rows = []
    for where, r in read_curated(curated / "counts.csv", columns):
        research.check(parse_evidence(r["evidence"], where), where)
        refuse(count_row(r, meetings)[1], where)
        row = [r[c] for c in HEADERS["counts"]]
        if row in rows:
            raise BuildError(f"{where}: the same count twice")
        rows.append(row)
    return rows


# --------------------------------------------------------------------------------------------
# Checks and output
# --------------------------------------------------------------------------------------------


def check_sources(src: Path, tables: dict[str, list[list[str]]]) -> None:
    """Every source a reader can follow: a URL that the research really cites, or a
    bibliographic reference; never a second-hand "as cited in"."""
    corpus = "\n".join(
        p.read_text(encoding="utf-8") for p in sorted(src.iterdir()) if p.suffix in (".csv", ".md")
    )
    for name, rows in tables.items():
        for row in rows:
            for part in row[-1].split(SEP):
                if "as cited in" in part.lower():
                    raise BuildError(f"{name}: a second-hand citation: {part}")
                if part.startswith("http") and part not in corpus:
                    raise BuildError(f"{name}: URL not found in the research data: {part}")


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    """Write UTF-8 (no BOM), LF line ends, RFC 4180 quoting: the same bytes every run."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


@dataclass
class Built:
    """What one build wrote, for the README and the summary line."""

    rows: dict[str, int]
    research_rows: dict[str, int]
    meetings: list[str]  # slugs in research order


def build(src: Path, curated: Path, out: Path) -> Built:
    """Build the four CSVs and the README from `src` and `curated` into `out`."""
    research = Research(src)
    meeting_rows, meetings = load_meetings(src)
    instrument_rows = curated_instruments(curated, research, meetings)
    seed = Seed(set(meetings), {row[0] for row in instrument_rows})
    research_rows: dict[str, int] = {"meetings.csv": len(meeting_rows)}
    used: set[str] = set()

    away = load_not_at_meeting(curated, research)
    for name in PARTICIPATION_FILES:
        before = len(seed.claims)
        map_participation(src, name, seed, meetings, away, used)
        research_rows[name] = len(seed.claims) - before
    completions = load_completions(curated, research)
    for name in ACTION_FILES:
        before = len(seed.claims)
        map_actions(src, name, seed, meetings, completions, used)
        research_rows[name] = sum(1 for _ in read_rows(src / name))
    decisions = load_status_decisions(curated, research)
    for name in STATUS_FILES:
        map_status(src, name, seed, decisions, used)
        research_rows[name] = sum(1 for _ in read_rows(src / name))
    research_rows[CONSOLIDATED] = check_consolidated(src, seed)
    map_curated_facts(curated, research, seed, meetings)

    unused = (
        set(away.values())
        | {c.where for cs in completions.values() for c in cs}
        | {d.where for d in decisions.values()}
    ) - used
    if unused:
        raise BuildError(f"curated rows that match no research row: {', '.join(sorted(unused))}")

    count_rows = curated_counts(curated, research, meetings)
    seed_rows = [c.row() for c in seed.claims]
    tables = {
        "seed.csv": seed_rows,
        "meetings.csv": meeting_rows,
        "instruments.csv": instrument_rows,
        "counts.csv": count_rows,
    }
    check_sources(src, tables)

    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "seed.csv", FACT_COLUMNS, seed_rows)
    write_csv(out / "meetings.csv", HEADERS["meetings"], meeting_rows)
    write_csv(out / "instruments.csv", HEADERS["instruments"], instrument_rows)
    write_csv(out / "counts.csv", HEADERS["counts"], count_rows)
    built = Built({k: len(v) for k, v in tables.items()}, research_rows, list(meetings))
    write_readme(out, built)
    return built


# --------------------------------------------------------------------------------------------
# data/README.md: coverage computed through the app
# --------------------------------------------------------------------------------------------


def load_into_app(out: Path, db_path: Path) -> sqlite3.Connection:
    """A scratch ccm database holding exactly the files just written."""
    from ccmtool import db
    from ccmtool.errors import CcmError
    from ccmtool.importer import import_files

    db.create(db_path, seed=False)
    conn = db.connect(db_path)
    files = [out / n for n in ("meetings.csv", "instruments.csv", "counts.csv", "seed.csv")]
    try:
        import_files(conn, files)
    except CcmError as exc:
        problems = "; ".join(exc.details)
        raise BuildError(f"ccm refuses the built files: {exc.message} {problems}") from None
    return conn


def _figures(values: list[int]) -> str:
    counted: dict[int, int] = {}
    for v in values:
        counted[v] = counted.get(v, 0) + 1
    return ", ".join(
        f"{v}" + (f" ({n} sources)" if n > 1 else "") for v, n in sorted(counted.items())
    )


def _unnamed(recorded: int, reported: list[int]) -> str:
    if not reported:
        return ""
    low, high = max(min(reported) - recorded, 0), max(max(reported) - recorded, 0)
    return str(low) if low == high else f"{low}-{high}"


def coverage(conn: sqlite3.Connection, order: list[str]) -> tuple[str, list[str]]:
    """The coverage table (markdown) and the gap lines, from the app's own views.

    `order` is the meetings' order in the research file (roughly chronological, the Oslo
    Process first), so the table reads like the history it covers.
    """

    def one(sql: str, *args: str) -> int:
        return int(conn.execute(sql, args).fetchone()[0])

    reported: dict[tuple[str, str], list[int]] = {}
    for r in conn.execute("SELECT meeting, record, count FROM counts ORDER BY id"):
        reported.setdefault((r[0], r[1]), []).append(int(r[2]))
    adopted_at = {
        r[0]: (r[1], r[2])
        for r in conn.execute(
            "SELECT meeting, slug, name FROM instruments WHERE meeting IS NOT NULL"
        )
    }
    kinds = dict(conn.execute("SELECT slug, kind FROM meetings").fetchall())
    listed = dict(conn.execute("SELECT slug, coalesce(reported, '') FROM meetings").fetchall())
    lines = [
        "| meeting | what | recorded | sources report | not yet named |",
        "|---|---|---|---|---|",
    ]
    gaps: list[str] = []
    for slug in order:
        present = one("SELECT count(DISTINCT state) FROM presence WHERE meeting = ?", slug)
        figures = reported.get((slug, "attended"), [])
        shown = _figures(figures) or "-"
        if listed[slug] != "":
            shown += f"; meetings.csv: {listed[slug]}"
        lines.append(f"| {slug} | present | {present} | {shown} | {_unnamed(present, figures)} |")
        if figures and min(figures) > present:
            gaps.append(f"- {slug}: present, named {present}; sources report {_figures(figures)}.")
        measures = []
        if slug in adopted_at:
            instrument, name = adopted_at[slug]
            if instrument == "ccm":
                measures.append((f"adopted the {name}", "endorsed", "ccm", "adopted"))
            else:
                measures.append((f"endorsed the {name}", "endorsed", instrument, "endorsed"))
        if kinds[slug] == "signing":
            measures.append(("signed the Convention", "signed", "ccm", "signed"))
        for label, record, subject, counted in measures:
            at = one(
                "SELECT count(DISTINCT state) FROM facts WHERE record = ? AND subject = ?"
                " AND meeting = ?",
                record,
                subject,
                slug,
            )
            anywhen = one(
                "SELECT count(DISTINCT state) FROM facts WHERE record = ? AND subject = ?",
                record,
                subject,
            )
            figures = reported.get((slug, counted), [])
            recorded = f"{at}" if anywhen == at else f"{at} ({anywhen} at any date)"
            lines.append(
                f"| {slug} | {label} | {recorded} | {_figures(figures) or '-'} |"
                f" {_unnamed(at, figures)} |"
            )
            if figures and min(figures) > at:
                gaps.append(f"- {slug}: {label}, named {at}; sources report {_figures(figures)}.")
    both = conn.execute(
        "SELECT DISTINCT p.meeting, s.name, a.implied FROM presence p"
        " JOIN facts a ON a.state = p.state AND a.subject = p.meeting AND a.record = 'absent'"
        " JOIN states s ON s.code = p.state ORDER BY p.meeting, s.name"
    ).fetchall()
    for meeting, name, implied in both:
        how = "an implied absence" if implied else "a stated absence"
        gaps.append(f"- {meeting}: {name} is recorded present and has {how}; sources disagree.")
    return "\n".join(lines), gaps


def write_readme(out: Path, built: Built) -> None:
    """Generate data/README.md from the template, with figures computed through the app."""
    with tempfile.TemporaryDirectory() as tmp:
        conn = load_into_app(out, Path(tmp) / "coverage.db")
        try:
            table, gaps = coverage(conn, built.meetings)

            def one(sql: str) -> int:
                return int(conn.execute(sql).fetchone()[0])

            figures = {
                "claims": one("SELECT count(*) FROM claims"),
                "events": one("SELECT count(*) FROM facts"),
                "merged": one(
                    "SELECT count(*) FROM (SELECT fact FROM claims GROUP BY fact"
                    " HAVING count(*) > 1)"
                ),
                "implied": one("SELECT count(*) FROM facts WHERE implied = 1"),
                "states": one("SELECT count(DISTINCT state) FROM facts"),
            }
        finally:
            conn.close()
    becomes = {"meetings.csv": "a row of `meetings.csv` each", CONSOLIDATED: "checked, not mapped"}
    for name in PARTICIPATION_FILES:
        becomes[name] = "a claim each"
    for name in ACTION_FILES:
        becomes[name] = "a claim each, and a `completed` claim where destruction was completed"
    for name in STATUS_FILES:
        becomes[name] = "a `signed` claim for a signature date, a claim for a ratification date"
    research_table = "\n".join(
        f"| `{name}` | {n} | {becomes[name]} |" for name, n in built.research_rows.items()
    )
    text = string.Template(README_TEMPLATE.read_text(encoding="utf-8")).substitute(
        seed_rows=built.rows["seed.csv"],
        meeting_rows=built.rows["meetings.csv"],
        instrument_rows=built.rows["instruments.csv"],
        count_rows=built.rows["counts.csv"],
        research_table=research_table,
        coverage_table=table,
        gaps="\n".join(gaps) if gaps else "- none",
        **figures,
    )
    (out / "README.md").write_text(text, encoding="utf-8", newline="\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "source",
        nargs="?",
        type=Path,
        default=DEFAULT_SOURCE,
        help="folder with the research files (default: data/research)",
    )
    parser.add_argument(
        "--curated",
        type=Path,
        default=DEFAULT_CURATED,
        help="folder with the curated rows (default: data/curated)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="folder to write the four CSVs and README.md into (default: data)",
    )
    args = parser.parse_args(argv)
    for folder in (args.source, args.curated):
        if not folder.is_dir():
            print(f"build_seed: no such folder: {folder}", file=sys.stderr)
            return 2
    try:
        built = build(args.source, args.curated, args.out)
    except BuildError as exc:
        print(f"build_seed: {exc}", file=sys.stderr)
        return 1
    summary = ", ".join(f"{name} {n}" for name, n in built.rows.items())
    print(f"build_seed: wrote {summary} rows and README.md to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
