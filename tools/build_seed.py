#!/usr/bin/env python3
"""Build ccm's built-in dataset (`data/*.csv`) from the sourced research in `shared/data`.

Why a script and not hand-edited CSVs: the research files are the record of what each source
said, spelled the way the source spelled it. The dataset must stay traceable to them, so it is
derived mechanically, the same way every time: run it twice and you get the same bytes, and
anyone can check a row of `data/seed.csv` against the row (or note) it came from.

What is mechanical and what is curated:

- `seed.csv` is mapped row by row from `participation*.csv`, `actions.csv` and the three
  Convention status files. The same fact (same state, record, subject and date) from several
  sources becomes one row that lists every source, because ccm counts facts, not citations.
  States are grouped by ISO alpha-3 through `countryguess` only to find those duplicates; the
  names written out are the sources' own (the app resolves them when it loads the file).
- `meetings.csv` is a column mapping of the research `meetings.csv`.
- `instruments.csv` and `counts.csv` come from free-text notes (which declaration a meeting
  adopted, which figures each source gave). Free text cannot be parsed reliably, so those rows
  are written out below by hand, and each carries the exact words of the research file it rests
  on: the build fails if those words are no longer there. That keeps the curated rows honest.

Usage: build_seed.py [SHARED_DATA_DIR] [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from countryguess import guess_country

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = Path(__file__).resolve().parents[2] / "shared" / "data"
DEFAULT_OUT = REPO / "data"

SEED_HEADER = ["state", "record", "subject", "date", "meeting", "detail", "source"]
MEETINGS_HEADER = [
    "slug",
    "name",
    "city",
    "country",
    "start_date",
    "end_date",
    "kind",
    "reported",
    "source",
]
INSTRUMENTS_HEADER = ["slug", "name", "kind", "meeting", "date", "source"]
COUNTS_HEADER = ["meeting", "record", "count", "detail", "source"]

SOURCE_SEP = " | "
DETAIL_SEP = " / "

ACTIONS = frozenset(
    ["moratorium", "stockpile-destruction", "legislation", "host-meeting", "regional-zone", "other"]
)

# The declaration each meeting adopted: an `endorsed`/`declined` row at that meeting is about it.
DECLARATION_OF = {
    "oslo-2007": "oslo-declaration",
    "wellington-2008": "wellington-declaration",
    "livingstone-2008": "livingstone-declaration",
    "santiago-2013": "santiago-declaration",
}

# UN Treaty Collection terms for how a state became bound, as ccm records them.
BOUND_RECORD = {
    "ratification": "ratified",
    "accession": "acceded",
    "acceptance": "accepted",
    "approval": "approved",
}

# Notes that cite a source without giving its URL are cited in plain words, saying where the
# citation was found, so a reader knows it was not checked against the page itself.
VIA_MEETINGS = "(as cited in the meetings research notes)"
VIA_NOTES = "(as cited in the research working notes)"
VIA_STATUS = "(as cited in the notes of ccm_status_more.csv)"


# --------------------------------------------------------------------------------------------
# Curated rows (instruments and counts), each tied to the words it rests on
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """Words that must appear in a research file for a curated row to be built."""

    file: str
    text: str


@dataclass(frozen=True)
class Instrument:
    """One row of instruments.csv, with the research text that names the instrument."""

    slug: str
    name: str
    kind: str
    meeting: str
    date: str
    source: str
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class Count:
    """One figure a source reports about a meeting, with the research text that reports it."""

    meeting: str
    record: str
    count: int
    detail: str
    source: str
    evidence: Evidence


URL_CMC_OSLO = "http://www.stopclustermunitions.org/calendar/?id=1108"
URL_REGJERINGEN_OSLO = (
    "http://www.regjeringen.no/en/dep/ud/press/News/2007/"
    "Cluster-munitions-to-be-banned-by-2008.html?id=454942"
)
URL_PRONK_OSLO = "https://ccm4.pronk.se/oslo-conference-february-2007/"
URL_MALTA = "https://maltamediaonline.com/p-2637"
URL_DI_LIMA = "http://disarmamentinsight.blogspot.com/2007/05/cluster-munitions-road-from-lima.html"
URL_ICBL_LIMA = (
    "https://icbl.org/en-gb/news-and-events/newsletter/stage-2-of-the-oslo-process-the-lima-"
    "conference-on-cluster-munitions-%E2%80%93-support-for-a-new-treaty-grows.aspx"
)
URL_CMC_BELGRADE = (
    "http://www.stopclustermunitions.org//en-gb/media/news/2007/"
    "survivors-and-states-join-forces-against-clus.aspx"
)
URL_REGJERINGEN_BELGRADE = (
    "https://regjeringen.no/en/historical-archive/Stoltenbergs-2nd-Government/"
    "Ministry-of-Foreign-Affairs/Nyheter-og-pressemeldinger/nyheter/2007/"
    "The-Oslo-process-for-cluster-munitions-c/id482154"
)
URL_CMC_VIENNA = "http://www.stopclustermunitions.org/calendar/?id=75"
URL_CMC_VIENNA_120 = (
    "http://www.stopclustermunitions.org/en-gb/media/news/2007/"
    "120-countries-gather-in-vienna-to-discuss-clu.aspx"
)
URL_LANDMINE_82 = (
    "https://www.landmine.de/archiv/oeffentlichkeitsarbeit/news/news-detailseite/article/"
    "82-countries-sign-wellington-declaration-on-cluste.html"
)
URL_LANDMINE_PACIFIC = (
    "https://www.landmine.de/archiv/oeffentlichkeitsarbeit/news/news-detailseite/article/"
    "nine-pacific-nations-declare-cluster-ban.html"
)
URL_AFP_WELLINGTON = (
    "https://www.commondreams.org/news/2008/02/22/bulk-states-back-cluster-bomb-ban-organisers-say"
)
URL_CMC_LIVINGSTONE = "http://stopclustermunitions.org/en-gb/media/news/2008/cmc-report-on-the-livingstone-conference.aspx"
URL_ISU_LIVINGSTONE = "https://clusterconvention.org/livingstone-conference-on-cluster-munitions"
URL_CMC_MEXICO = (
    "http://www.stopclustermunitions.org/en-gb/media/news/2008/"
    "latin-america-and-caribbean-push-for-global-c.aspx"
)
URL_CMC_MEXICO_ADVISORY = "http://stopclustermunitions.org/en-gb/media/news/2008/20-latin-american-countries-meet-to-ban-clust.aspx"
URL_ICRC_DUBLIN = (
    "https://ihl-databases.icrc.org/applic/ihl/ihl.nsf/Treaty.xsp?"
    "documentId=00E3441C08D5B5B9C12574C6002EE0D3&action=openDocument"
)
URL_ADMIN_CH_DUBLIN = (
    "https://www.admin.ch/gov/en/start/documentation/media-releases.msg-id-19077.html"
)
URL_KAMPALA = "http://www.docstoc.com/docs/31456499/Kampala-Conference-on-Cluster-Munitions"
URL_CMC_QUITO = (
    "http://www.stopclustermunitions.org/en-gb/media/news/2008/"
    "report-quito-regional-conference-on-the-con.aspx"
)
URL_CMC_TREATY_STATUS = "http://www.stopclustermunitions.org/treatystatus/"
URL_HRW_1MSP = (
    "https://www.hrw.org/news/2010/11/13/cluster-bomb-treaty-nations-approve-bold-action-plan"
)
URL_HRW_2MSP = (
    "https://www.hrw.org/news/2011/09/17/cluster-bomb-ban-powers-ahead-despite-us-absence"
)
URL_3MSP = "http://noclusterbombs.org/news/2012/09/14/3msp"
URL_JMU_4MSP = "https://commons.lib.jmu.edu/cisr-globalcwd/103/"
URL_UNOG_4MSP = (
    "http://www.unog.ch/__80256ee600585943.nsf/(httpPages)/"
    "5bd2aec9172b6e3fc1257b36005cb64c?OpenDocument"
)
URL_CMC_SANTIAGO_2013 = (
    "http://stopclustermunitions.org/en-gb/media/news/2013/"
    "santiago-conference-commits-to-a-cluster-muni.aspx"
)


def _m(text: str) -> Evidence:
    return Evidence("meetings.csv", text)


def _n(text: str) -> Evidence:
    return Evidence("notes.md", text)


def _r(text: str) -> Evidence:
    return Evidence("README.md", text)


INSTRUMENTS: tuple[Instrument, ...] = (
    Instrument(
        "ccm",
        "Convention on Cluster Munitions",
        "treaty",
        "dublin-2008",
        "2008-05-30",
        URL_ICRC_DUBLIN,
        (_m("107 states adopted the Convention on 30 May 2008 (ICRC, Monitor)"),),
    ),
    Instrument(
        "oslo-declaration",
        "Oslo Declaration",
        "declaration",
        "oslo-2007",
        # Disarmament Insight speaks of "the Oslo Declaration of February 2007": a month, no day.
        "2007-02",
        URL_CMC_OSLO + SOURCE_SEP + URL_DI_LIMA,
        (
            _m("46 of 49 states present agreed the Oslo Declaration"),
            _r("Declaration of February 2007"),
        ),
    ),
    Instrument(
        "wellington-declaration",
        "Wellington Declaration",
        "declaration",
        "wellington-2008",
        "",
        URL_LANDMINE_82,
        (_m("82 signed Wellington Declaration by close"),),
    ),
    Instrument(
        "livingstone-declaration",
        "Livingstone Declaration",
        "declaration",
        "livingstone-2008",
        "",
        URL_CMC_LIVINGSTONE,
        (_m("Livingstone Declaration agreed by all present except Egypt"),),
    ),
    Instrument(
        "santiago-declaration",
        "Santiago Declaration",
        "declaration",
        "santiago-2013",
        "",
        URL_CMC_SANTIAGO_2013,
        (_m("adopted Santiago Declaration"),),
    ),
)


COUNTS: tuple[Count, ...] = (
    # Oslo 2007
    Count("oslo-2007", "attended", 49, "49 states present", URL_CMC_OSLO, _m("46 of 49 states")),
    Count(
        "oslo-2007",
        "endorsed",
        46,
        "46 of 49 states present agreed the Oslo Declaration",
        URL_CMC_OSLO,
        _m("CMC report: 46 of 49 states present agreed the Oslo Declaration"),
    ),
    Count(
        "oslo-2007",
        "attended",
        50,
        "almost 50 states",
        URL_REGJERINGEN_OSLO,
        _m("regjeringen.no says 'almost 50 states'"),
    ),
    Count(
        "oslo-2007",
        "endorsed",
        46,
        "declaration adopted by 46 States",
        URL_PRONK_OSLO,
        _m("ccm4.pronk.se: declaration adopted by 46 States"),
    ),
    Count(
        "oslo-2007",
        "endorsed",
        46,
        "process started by group of 46",
        URL_MALTA,
        _n("process started by group of 46"),
    ),
    # Lima 2007
    Count(
        "lima-2007",
        "attended",
        68,
        "delegates from 68 countries",
        URL_DI_LIMA,
        _r("Delegates from 68 countries met in Lima"),
    ),
    Count(
        "lima-2007",
        "attended",
        67,
        "67 states",
        URL_ICBL_LIMA,
        _m("ICBL newsletter says 67 states"),
    ),
    Count(
        "lima-2007",
        "attended",
        65,
        "more than 65",
        "HRW press release, via livinginperu.com " + VIA_MEETINGS,
        _m("HRW release (livinginperu.com) 'more than 65'"),
    ),
    Count(
        "lima-2007",
        "attended",
        68,
        "68 countries at Lima",
        "Disarmament Insight blog post of 27 May 2007 (lima-defining-cluster-munitions...) "
        + VIA_NOTES,
        _n("27 May 2007 post (lima-defining-cluster-munitions...): 68 countries at Lima"),
    ),
    # Belgrade 2007
    Count(
        "belgrade-2007",
        "attended",
        22,
        "22 of 26 affected states participated (affected states only; interested states were"
        " also invited)",
        URL_CMC_BELGRADE,
        _m("22 of 26 affected states participated"),
    ),
    # Vienna 2007
    Count("vienna-2007", "attended", 138, "138 states", URL_CMC_VIENNA, _m("138 states per CMC")),
    Count(
        "vienna-2007",
        "attended",
        120,
        "120 countries (CMC release the day before the conference, 4 Dec 2007)",
        URL_CMC_VIENNA_120,
        _m("CMC pre-conference release (4 Dec 2007) said 120 countries"),
    ),
    Count(
        "vienna-2007",
        "attended",
        120,
        "more than 120 governments",
        "Oxfam New Zealand " + VIA_MEETINGS,
        _m("Oxfam NZ 'more than 120 governments'"),
    ),
    # Wellington 2008
    Count(
        "wellington-2008",
        "attended",
        103,
        "attended by officials from 103 countries (Xinhua, quoting Goff)",
        URL_LANDMINE_82,
        _m("Xinhua/Goff: attended by officials from 103 countries"),
    ),
    Count(
        "wellington-2008",
        "endorsed",
        82,
        "82 signed the Wellington Declaration by the close (Xinhua, quoting Goff)",
        URL_LANDMINE_82,
        _m("82 signed Wellington Declaration by close"),
    ),
    Count(
        "wellington-2008",
        "attended",
        122,
        "122 governments represented",
        URL_AFP_WELLINGTON,
        _m("AFP (commondreams) '122 governments represented'"),
    ),
    Count(
        "wellington-2008",
        "attended",
        122,
        "over 122 countries",
        "Bernama " + VIA_MEETINGS,
        _m("Bernama 'over 122 countries'"),
    ),
    Count(
        "wellington-2008",
        "endorsed",
        79,
        "Declaration adopted by 79 States",
        "ccm3.pronk.se (Convention on Cluster Munitions site) " + VIA_MEETINGS,
        _m("ccm3.pronk.se says Declaration adopted by 79 States"),
    ),
    Count(
        "wellington-2008",
        "endorsed",
        105,
        "105 had endorsed by 6 May 2008",
        "norway-un.org (Norwegian mission to the UN) " + VIA_MEETINGS,
        _m("norway-un.org says 105 had endorsed by 6 May 2008"),
    ),
    Count(
        "wellington-2008",
        "endorsed",
        82,
        "9 Pacific + 73 others = 82 Wellington signers",
        URL_LANDMINE_PACIFIC,
        _n("landmine.de 28 Feb 2008: 9 Pacific + 73 others = 82 Wellington signers"),
    ),
    # Livingstone 2008
    Count(
        "livingstone-2008",
        "attended",
        39,
        "39 African states",
        URL_CMC_LIVINGSTONE,
        _m("39 African states"),
    ),
    Count(
        "livingstone-2008",
        "endorsed",
        38,
        "agreed by all present except Egypt (38 of 39)",
        URL_CMC_LIVINGSTONE,
        _r("Livingstone: 38 of 39 endorsed, Egypt apart (CMC, 3 April)"),
    ),
    Count(
        "livingstone-2008",
        "endorsed",
        38,
        "38 of 39 endorsed",
        "CMC release, 1 April 2008 " + VIA_MEETINGS,
        _m("CMC 1 Apr release says 38 of 39 endorsed"),
    ),
    Count(
        "livingstone-2008",
        "endorsed",
        39,
        "39 endorsed",
        URL_ISU_LIVINGSTONE,
        _m("clusterconvention.org says 39 endorsed"),
    ),
    # Mexico City 2008
    Count(
        "mexico-city-2008",
        "attended",
        20,
        "more than 20 Latin American and Caribbean governments",
        URL_CMC_MEXICO,
        _m("'More than 20' Latin American and Caribbean governments"),
    ),
    Count(
        "mexico-city-2008",
        "attended",
        20,
        "20 countries (media advisory, 15 Apr 2008)",
        URL_CMC_MEXICO_ADVISORY,
        _m("Media advisory (15 Apr) said 20 countries"),
    ),
    Count(
        "mexico-city-2008",
        "attended",
        23,
        "attended by 23 states",
        "CMC news, 7 May 2009 (mexico-is-first-country...) " + VIA_NOTES,
        _n('"attended by 23 states"'),
    ),
    # Dublin 2008
    Count(
        "dublin-2008",
        "adopted",
        107,
        "107 states adopted the Convention on 30 May 2008",
        URL_ICRC_DUBLIN + SOURCE_SEP + "Cluster Munition Monitor " + VIA_MEETINGS,
        _m("107 states adopted the Convention on 30 May 2008 (ICRC, Monitor)"),
    ),
    Count(
        "dublin-2008",
        "attended",
        109,
        "delegates from 109 countries",
        "norway-un.org (Norwegian mission to the UN) " + VIA_MEETINGS,
        _m("norway-un.org 'delegates from 109 countries'"),
    ),
    Count(
        "dublin-2008",
        "attended",
        109,
        "109",
        "GRIP " + VIA_MEETINGS,
        _m("GRIP 109"),
    ),
    Count(
        "dublin-2008",
        "attended",
        111,
        "111",
        "rjb.ch " + VIA_MEETINGS,
        _m("rjb.ch 111"),
    ),
    Count(
        "dublin-2008",
        "attended",
        110,
        "More than 110 states attended",
        URL_ADMIN_CH_DUBLIN,
        _n('admin.ch 2008-05-30: "More than 110 states attended" Dublin'),
    ),
    Count(
        "dublin-2008",
        "adopted",
        111,
        "111 States approved by consensus",
        "Swiss Federal Department of Foreign Affairs release, admin.ch, 1 Dec 2008 " + VIA_NOTES,
        _n('admin.ch 2008-12-01: "111 States approved by consensus" at Dublin'),
    ),
    Count(
        "dublin-2008",
        "attended",
        111,
        "111 participating States and 21 observer States",
        "IFRC, 4 Jun 2008 " + VIA_NOTES,
        _n("IFRC 4 Jun 2008: Dublin hosted 111 participating States and 21 observer States"),
    ),
    Count(
        "dublin-2008",
        "adopted",
        107,
        "18 Latin American/Caribbean states among the 107 adopting in Dublin",
        "CMC media advisory on the Quito conference, 5 Nov 2008 " + VIA_NOTES,
        _n("18 Latin American/Caribbean states among the 107 adopting in Dublin"),
    ),
    # Kampala and Quito 2008
    Count(
        "kampala-2008",
        "attended",
        42,
        "representatives of 42 African States",
        URL_KAMPALA,
        _m("Kampala Action Plan: representatives of 42 African States"),
    ),
    Count(
        "quito-2008",
        "attended",
        20,
        "20 Latin American/Caribbean states",
        URL_CMC_QUITO,
        _m("20 Latin American/Caribbean states"),
    ),
    # Oslo signing conference 2008
    Count(
        "oslo-signing-2008",
        "signed",
        94,
        "94 states signed in Oslo",
        URL_CMC_TREATY_STATUS + SOURCE_SEP + "Amnesty International " + VIA_MEETINGS,
        _m("94 states signed in Oslo (CMC; Amnesty)"),
    ),
    Count(
        "oslo-signing-2008",
        "signed",
        92,
        "92 signed on 3 Dec",
        "Wikipedia mirror, 2009 " + VIA_MEETINGS,
        _m("A 2009 Wikipedia mirror says 92 signed on 3 Dec"),
    ),
    Count(
        "oslo-signing-2008",
        "signed",
        92,
        "one of 92 countries meeting in Oslo who signed",
        URL_MALTA,
        _n('"one of 92 countries meeting in Oslo who signed"'),
    ),
    Count(
        "oslo-signing-2008",
        "signed",
        94,
        "94 countries signed at Oslo 3-4 Dec 2008",
        "CMC news, 13 Jan 2009 " + VIA_NOTES,
        _n("CMC 13 Jan 2009: 94 countries signed at Oslo 3-4 Dec 2008"),
    ),
    Count(
        "oslo-signing-2008",
        "attended",
        125,
        "125 states are taking part in the signing ceremony in Oslo City Hall today",
        "norway-un.org (Norwegian mission to the UN) " + VIA_NOTES,
        _n('"125 states are taking part in the signing ceremony in Oslo City Hall today"'),
    ),
    Count(
        "oslo-signing-2008",
        "signed",
        100,
        "more than 100 countries to sign on 3 Dec (expected, before the ceremony)",
        "Stavanger Aftenblad (aftenbladet) " + VIA_NOTES,
        _n('"more than 100 countries" to sign 3 Dec'),
    ),
    # Meetings of States Parties and later regional meetings
    Count(
        "1msp-vientiane-2010",
        "attended",
        121,
        "121 governments (40 States Parties, 47 signatories, 34 non-joined)",
        URL_HRW_1MSP,
        _m("HRW: 121 governments (40 SP, 47 signatories, 34 non-joined)"),
    ),
    Count(
        "1msp-vientiane-2010",
        "attended",
        122,
        "122",
        "noclusterbombs.org " + VIA_MEETINGS,
        _m("noclusterbombs.org: 122"),
    ),
    Count(
        "1msp-vientiane-2010",
        "attended",
        118,
        "118 states",
        "UN release, via webwire " + VIA_MEETINGS,
        _m("UN (webwire): 118 states"),
    ),
    Count(
        "2msp-beirut-2011",
        "attended",
        131,
        "131 governments incl. 40 observers",
        URL_HRW_2MSP + SOURCE_SEP + "UNDP " + VIA_MEETINGS,
        _m("HRW/UNDP: 131 governments incl. 40 observers"),
    ),
    Count(
        "3msp-oslo-2012",
        "attended",
        121,
        "121 states incl. 31 observer delegations",
        URL_3MSP,
        _m("121 states incl. 31 observer delegations"),
    ),
    Count(
        "4msp-lusaka-2013",
        "attended",
        106,
        "58 States Parties + 18 signatories + 30 observers (the total 106 is the researcher's"
        " sum; the document gives the three parts)",
        URL_JMU_4MSP,
        _m("58 SP + 18 signatories + 30 observers (=106 states, computed by me)"),
    ),
    Count(
        "santiago-2013",
        "attended",
        24,
        "24 Latin American and Caribbean states",
        URL_CMC_SANTIAGO_2013,
        _m("24 Latin American and Caribbean states"),
    ),
    Count(
        "santiago-2013",
        "endorsed",
        24,
        "24 states adopted a declaration toward a Latin America/Caribbean"
        " cluster-munition-free zone",
        URL_CMC_SANTIAGO_2013,
        Evidence("actions.csv", "where 24 states adopted a declaration"),
    ),
)


# --------------------------------------------------------------------------------------------
# Reading the research files
# --------------------------------------------------------------------------------------------


class BuildError(Exception):
    """The research data cannot be mapped as the contract requires; the message says where."""


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) with every cell stripped, so stray spaces never split a key."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        for row in reader:
            yield reader.line_num, {k: (v or "").strip() for k, v in row.items()}


def valid_date(value: str) -> bool:
    """True for '', YYYY, YYYY-MM or YYYY-MM-DD naming a real calendar date."""
    if not value:
        return True
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value)
    if not m:
        return False
    year, month, day = m.groups()
    try:
        dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Meeting:
    """The parts of a research meeting row that the mapping needs."""

    slug: str
    start: str
    end: str
    source: str = ""


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
# "Landmine.de (28 Feb 2008): ..." is when the page was published, not when the fact happened.
_PUBLISHED = re.compile(r"\(\d{1,2}\s+" + _MONTH_RE + r"\s+\d{4}\):")
# "5-7 Dec 2007", "Feb 18-22": a meeting's span, not the day of one state's act.
_RANGE = re.compile(
    rf"\b\d{{1,2}}\s*[-–]\s*\d{{1,2}}\s+{_MONTH_RE}(?:\s+\d{{4}})?"
    rf"|\b{_MONTH_RE}\s+\d{{1,2}}\s*[-–]\s*\d{{1,2}}\b"
)
_ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DAY_MONTH = re.compile(r"\b(\d{1,2})\s+(" + _MONTH_RE + r")(?:\s+(\d{4}))?\b")


def quote_day(quote: str, meeting: Meeting | None) -> str:
    """Return the single day a quote states (YYYY-MM-DD), or '' if it states none or several.

    Only a full day counts: "in December 2008" gives nothing, because a month-precision date
    would make the same signature from two sources look like two different facts. A day
    without a year ("on 30 May") is accepted only when it falls within the meeting's own
    dates, which then supply the year.
    """
    text = _RANGE.sub(" ", _PUBLISHED.sub(" ", quote))
    found: set[str] = set()
    for y, mo, d in _ISO_DAY.findall(text):
        found.add(f"{y}-{mo}-{d}")
    for d, mon, y in _DAY_MONTH.findall(text):
        month = _MONTHS[mon[:3].lower()]
        if y:
            found.add(f"{int(y):04d}-{month:02d}-{int(d):02d}")
            continue
        if meeting is None or not meeting.start:
            continue
        start = meeting.start
        end = meeting.end or meeting.start
        candidate = f"{start[:4]}-{month:02d}-{int(d):02d}"
        if len(start) == 10 and len(end) == 10 and start <= candidate <= end:
            found.add(candidate)
    found = {d for d in found if valid_date(d)}
    return found.pop() if len(found) == 1 else ""


# --------------------------------------------------------------------------------------------
# Facts, merged on their natural key
# --------------------------------------------------------------------------------------------


@dataclass
class Fact:
    """One seed row; sources and details accumulate as the same fact is met again."""

    state: str
    record: str
    subject: str
    date: str
    meeting: str
    details: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def row(self) -> list[str]:
        return [
            self.state,
            self.record,
            self.subject,
            self.date,
            self.meeting,
            DETAIL_SEP.join(self.details),
            SOURCE_SEP.join(self.sources),
        ]


class FactTable:
    """Facts in first-seen order, one per (state code, record, subject, date)."""

    def __init__(self) -> None:
        self.facts: dict[tuple[str, str, str, str], Fact] = {}
        self.unresolved: set[str] = set()
        self.spellings: dict[str, list[str]] = {}

    def code(self, name: str) -> str:
        """ISO alpha-3 for grouping; an unresolved name groups only with itself."""
        guess = guess_country(name)
        iso3 = guess.get("iso3") if guess else None
        if not iso3:
            self.unresolved.add(name)
            return "?" + name.casefold()
        spellings = self.spellings.setdefault(iso3, [])
        if name not in spellings:
            spellings.append(name)
        return iso3

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
        if not state:
            raise BuildError(f"{where}: empty state")
        if not source:
            raise BuildError(f"{where}: no source")
        if not valid_date(date):
            raise BuildError(f"{where}: bad date {date!r}")
        key = (self.code(state), record, subject, date)
        fact = self.facts.get(key)
        if fact is None:
            fact = self.facts[key] = Fact(state, record, subject, date, meeting)
        elif meeting and fact.meeting and meeting != fact.meeting:
            raise BuildError(f"{where}: same fact as an earlier row but at meeting {meeting!r}")
        elif meeting and not fact.meeting:
            fact.meeting = meeting
        if detail and detail not in fact.details:
            fact.details.append(detail)
        for part in source.split(SOURCE_SEP):
            if part not in fact.sources:
                fact.sources.append(part)


# --------------------------------------------------------------------------------------------
# The mappings
# --------------------------------------------------------------------------------------------


def load_meetings(src: Path) -> tuple[list[list[str]], dict[str, Meeting]]:
    """Map research meetings.csv to the contract's columns; also return the dates by slug."""
    rows: list[list[str]] = []
    meetings: dict[str, Meeting] = {}
    for line, r in read_rows(src / "meetings.csv"):
        where = f"meetings.csv:{line}"
        slug = r["slug"]
        if slug in meetings:
            raise BuildError(f"{where}: duplicate slug {slug!r}")
        for col in ("start_date", "end_date"):
            if not valid_date(r[col]):
                raise BuildError(f"{where}: bad {col} {r[col]!r}")
        reported = r["states_participating"]
        if reported and not reported.isdigit():
            raise BuildError(f"{where}: states_participating is not an integer: {reported!r}")
        if not r["source_url"]:
            raise BuildError(f"{where}: no source_url")
        kind = r["kind"].replace("_", "-")
        rows.append(
            [
                slug,
                r["name"],
                r["city"],
                r["country"],
                r["start_date"],
                r["end_date"],
                kind,
                reported,
                r["source_url"],
            ]
        )
        meetings[slug] = Meeting(slug, r["start_date"], r["end_date"], r["source_url"])
    return rows, meetings


def map_participation(src: Path, name: str, facts: FactTable, meetings: dict[str, Meeting]) -> None:
    """Map one participation file; roles become records as the data contract defines them."""
    for line, r in read_rows(src / name):
        where = f"{name}:{line}"
        state, slug, role = r["state"], r["meeting_slug"], r["role"]
        quote, source = r["quote"], r["source_url"]
        meeting = meetings.get(slug)
        if meeting is None:
            raise BuildError(f"{where}: unknown meeting {slug!r}")
        date = quote_day(quote, meeting)
        if role in ("attended", "absent", "host"):
            record = {"attended": "attended", "absent": "absent", "host": "hosted"}[role]
            facts.add(where, state, record, slug, date, "", quote, source)
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
        # A stated day outside the meeting's dates (Nicaragua endorsing Wellington "later on
        # 23 April 2008") means the act did not happen at the meeting: leave `meeting` empty.
        at = slug
        if date and meeting.start and not (meeting.start <= date <= (meeting.end or meeting.start)):
            at = ""
        facts.add(where, state, record, subject, date, at, quote, source)


def map_actions(src: Path, facts: FactTable, meetings: dict[str, Meeting]) -> None:
    """Map actions.csv to `announced` facts whose subject is the action."""
    for line, r in read_rows(src / "actions.csv"):
        where = f"actions.csv:{line}"
        action = r["action"].replace("_", "-")
        if action == "national-legislation":
            action = "legislation"
        if action not in ACTIONS:
            raise BuildError(f"{where}: unknown action {r['action']!r}")
        slug = r["meeting_slug"]
        if slug and slug not in meetings:
            raise BuildError(f"{where}: unknown meeting {slug!r}")
        facts.add(
            where,
            r["state"],
            "announced",
            action,
            r["date"],
            slug,
            r["description"],
            r["source_url"],
        )


# Rows whose `notes` say the state signed although no signature date is given, with the
# source of that statement (the row's own URL, or the source the note names when it is another).
SIGNED_WITHOUT_DATE = {
    ("Palau", "had signed before EIF"): None,
    ("Madagascar", "was a signatory in Aug 2016 per CMC Addis Ababa item"): (
        "CMC news item on the Addis Ababa meeting, Aug 2016 " + VIA_STATUS
    ),
}

# Rows with a ratification date but no action type: the record chosen, and why.
UNTYPED_BOUND = {
    "Madagascar": (
        "ratified",
        "record 'ratified' inferred by the dataset builder: the source gives no action type,"
        " and Madagascar was a signatory, which joins by ratification",
    ),
    "Mauritius": (
        "ratified",
        "record 'ratified' is the source's word; the source gives no UN action type and the"
        " research notes say it was likely an accession",
    ),
}


def map_status(src: Path, name: str, facts: FactTable) -> None:
    """Map one Convention status file to `signed` and ratified/acceded/... facts."""
    for line, r in read_rows(src / name):
        where = f"{name}:{line}"
        state, source = r["participant"], r["source_url"]
        notes = r.get("notes", "")
        signed, bound, action = r["signature_date"], r["ratification_date"], r["action_type"]
        if signed:
            facts.add(where, state, "signed", "ccm", signed, "", notes, source)
        else:
            for (who, words), cited in SIGNED_WITHOUT_DATE.items():
                if who == state and words in notes:
                    facts.add(where, state, "signed", "ccm", "", "", notes, cited or source)
        if not bound:
            continue
        if action:
            if action not in BOUND_RECORD:
                raise BuildError(f"{where}: unknown action_type {action!r}")
            facts.add(where, state, BOUND_RECORD[action], "ccm", bound, "", notes, source)
            continue
        if state not in UNTYPED_BOUND:
            raise BuildError(f"{where}: ratification date without action type; decide a record")
        record, why = UNTYPED_BOUND[state]
        detail = f"{notes} [{why}]" if notes else f"[{why}]"
        facts.add(where, state, record, "ccm", bound, "", detail, source)


@dataclass(frozen=True)
class NotedFact:
    """A seed fact that only a research note states (no row), tied to the note's words."""

    state: str
    record: str
    subject: str
    date: str
    detail: str
    source: str
    evidence: tuple[Evidence, ...]


# Facts the notes state outright that no row carries. The README asks to keep both sides of
# every disagreement it lists, and Burundi's second date is in no status row; the Mexico City
# note names the only two states of the region that stayed away, which makes them known absent.
#
# Meeting dates: where a source gives a meeting a different start date than meetings.csv, the
# host's `hosted` fact is written dated with that source's start day, so `ccm conflicts` can show
# the disagreement (a dated fact about a meeting that falls outside the meeting's dates). The
# other side gets a dated `hosted` fact too, but only where the meeting's own source (its
# meetings.csv source_url) is the one giving the recorded dates; `map_noted` checks both rules
# against meetings.csv. The undated `hosted` rows from participation.csv are distinct facts and
# stay as they are.
NOTED_FACTS: tuple[NotedFact, ...] = (
    NotedFact(
        "Brazil",
        "absent",
        "mexico-city-2008",
        "",
        "only Brazil and Cuba shunned the Mexico City regional meeting",
        URL_CMC_MEXICO,
        (_m("only Brazil and Cuba shunned it"),),
    ),
    NotedFact(
        "Cuba",
        "absent",
        "mexico-city-2008",
        "",
        "only Brazil and Cuba shunned the Mexico City regional meeting",
        URL_CMC_MEXICO,
        (_m("only Brazil and Cuba shunned it"),),
    ),
    NotedFact(
        "Burundi",
        "ratified",
        "ccm",
        "2009-12-25",
        "CONFLICT: Monitor 2016 gives 25 Dec 2009; the UN Treaty Collection gives 25 Sep 2009",
        "Cluster Munition Monitor 2016 (as cited in the research README)",
        (_r("Burundi's ratification: 25 Sep 2009 (UN) vs 25 Dec 2009 (Monitor 2016)"),),
    ),
    # Belgrade 2007: regjeringen.no 2-4 Oct, CMC (the meeting's source) 3-4 Oct. The
    # regjeringen.no page is the one actions.csv cites for "2-4 or 3-4 Oct 2007, sources differ".
    NotedFact(
        "Serbia",
        "hosted",
        "belgrade-2007",
        "2007-10-02",
        "regjeringen.no gives the conference as 2-4 October 2007; ICBL/CMC give 3-4 Oct",
        URL_REGJERINGEN_BELGRADE,
        (
            _m("regjeringen.no gives 2-4 Oct 2007; ICBL/CMC give 3-4 Oct."),
            _r("Belgrade 3-4 vs 2-4 Oct 2007"),
            Evidence("actions.csv", "(2-4 or 3-4 Oct 2007, sources differ)"),
        ),
    ),
    NotedFact(
        "Serbia",
        "hosted",
        "belgrade-2007",
        "2007-10-03",
        "CMC gives the conference as 3-4 October 2007; regjeringen.no gives 2-4 Oct",
        URL_CMC_BELGRADE,
        (_m("regjeringen.no gives 2-4 Oct 2007; ICBL/CMC give 3-4 Oct."),),
    ),
    # Oslo signing conference 2008: 2 Dec (regjeringen.no foreword; Swiss FDFA), 1 Dec
    # (Indonesia, via ScandAsia), CMC (the meeting's source) 3-4 Dec.
    NotedFact(
        "Norway",
        "hosted",
        "oslo-signing-2008",
        "2008-12-02",
        "regjeringen.no foreword by Foreign Minister Støre gives the signing conference as"
        " Oslo 2-3 December 2008; CMC and eu-norway give 3-4 Dec",
        "regjeringen.no, foreword by Foreign Minister Jonas Gahr Støre to the Convention on"
        " Cluster Munitions Signing Conference " + VIA_NOTES,
        (
            _n('regjeringen.no foreword (Støre): signing conference "Oslo 2 - 3 December 2008"'),
            _n("conflicts with 3-4 Dec (CMC, eu-norway)"),
            _r("The signing conference: 3-4 Dec 2008, or 2-3 Dec in one government page."),
        ),
    ),
    NotedFact(
        "Norway",
        "hosted",
        "oslo-signing-2008",
        "2008-12-02",
        "Swiss FDFA release of 30 May 2008 says the signing ceremony will take place in Oslo on"
        " 2 December 2008; CMC gives 3-4 Dec",
        URL_ADMIN_CH_DUBLIN,
        (
            _n(
                'admin.ch 2008-05-30: "More than 110 states attended" Dublin; same release says'
                ' signing ceremony in Oslo "2 December 2008" (vs 3 Dec) -> date conflict'
            ),
            _n("Swiss FDFA also said 2 Dec"),
        ),
    ),
    NotedFact(
        "Norway",
        "hosted",
        "oslo-signing-2008",
        "2008-12-01",
        "Indonesia says the signing conference runs December 1-4, 2008 in Oslo; CMC gives 3-4 Dec",
        "ScandAsia, on Indonesia taking part in the signing " + VIA_NOTES,
        (_n("scandasia: Indonesia says signing conference Dec 1-4, 2008 in Oslo (vs 3-4 Dec)"),),
    ),
    NotedFact(
        "Norway",
        "hosted",
        "oslo-signing-2008",
        "2008-12-03",
        "CMC gives the signing conference as 3-4 December 2008; a regjeringen.no foreword and"
        " the Swiss FDFA give 2 Dec as the start, Indonesia (ScandAsia) 1 Dec",
        URL_CMC_TREATY_STATUS,
        (_n("conflicts with 3-4 Dec (CMC, eu-norway)"),),
    ),
    # 2MSP Beirut 2011: clusterconvention.org and UNODA 13-16 Sep, CMC 12-16 Sep. The
    # meeting's source (HRW) is not the one the notes credit with 12-16 Sep, so that side
    # gets no dated row here.
    NotedFact(
        "Lebanon",
        "hosted",
        "2msp-beirut-2011",
        "2011-09-13",
        "clusterconvention.org and UNODA give the meeting as 13-16 September 2011; CMC gives"
        " 12-16 Sep",
        "clusterconvention.org (Convention on Cluster Munitions site) "
        + VIA_MEETINGS
        + SOURCE_SEP
        + "UNODA (UN Office for Disarmament Affairs) "
        + VIA_MEETINGS,
        (
            _m("clusterconvention.org and UNODA give 13-16 Sep"),
            _r("2MSP Beirut 12-16 vs 13-16 Sep 2011"),
        ),
    ),
    # 4MSP Lusaka 2013: JMU/CCM document 9-13 Sep, UNOG (the meeting's source) 10-13 Sep.
    NotedFact(
        "Zambia",
        "hosted",
        "4msp-lusaka-2013",
        "2013-09-09",
        "JMU/CCM document gives the meeting as 9-13 September 2013; UNOG gives 10-13 Sep",
        URL_JMU_4MSP,
        (_m("JMU/CCM document says 9-13 Sep"),),
    ),
    NotedFact(
        "Zambia",
        "hosted",
        "4msp-lusaka-2013",
        "2013-09-10",
        "UNOG gives the meeting as 10-13 September 2013; a JMU/CCM document gives 9-13 Sep",
        URL_UNOG_4MSP,
        (_m("Dates per UNOG (10-13 Sep)"),),
    ),
)


def map_noted(src: Path, facts: FactTable, meetings: dict[str, Meeting]) -> None:
    """Add the facts that rest on a research note rather than a row."""
    for nf in NOTED_FACTS:
        where = f"noted fact {nf.state} {nf.record} {nf.subject} {nf.date}".rstrip()
        check_evidence(src, nf.evidence, where)
        if nf.record == "hosted" and nf.date:
            check_meeting_date(nf, meetings.get(nf.subject), where)
        facts.add(where, nf.state, nf.record, nf.subject, nf.date, "", nf.detail, nf.source)


def check_meeting_date(nf: NotedFact, meeting: Meeting | None, where: str) -> None:
    """A dated `hosted` fact carries one side of a meeting-date disagreement: check which.

    Sourced by the meeting's own source, it must give the meeting's recorded start; sourced by
    anything else, it must give another start, or there is no disagreement left to carry.
    """
    if meeting is None:
        raise BuildError(f"{where}: unknown meeting {nf.subject!r}")
    if len(nf.date) != 10 or len(meeting.start) != 10:
        raise BuildError(f"{where}: a meeting-date fact needs full days on both sides")
    if nf.source == meeting.source:
        if nf.date != meeting.start:
            raise BuildError(f"{where}: the meeting's source gives {meeting.start}, not {nf.date}")
    elif nf.date == meeting.start:
        raise BuildError(f"{where}: {nf.date} is the recorded start; no disagreement to carry")


# --------------------------------------------------------------------------------------------
# Checks and output
# --------------------------------------------------------------------------------------------


def check_evidence(src: Path, evidence: Iterable[Evidence], what: str) -> None:
    """Fail unless every quoted passage is still in the research file it is said to be in."""
    for ev in evidence:
        text = (src / ev.file).read_text(encoding="utf-8")
        if ev.text not in text:
            raise BuildError(f"{what}: {ev.file} no longer says {ev.text!r}")


def check_urls(src: Path, tables: dict[str, list[list[str]]]) -> None:
    """Fail if any URL written out does not appear verbatim in the research files."""
    corpus = "\n".join(
        p.read_text(encoding="utf-8") for p in sorted(src.iterdir()) if p.suffix in (".csv", ".md")
    )
    for name, rows in tables.items():
        for row in rows:
            for part in row[-1].split(SOURCE_SEP):
                if part.startswith("http") and part not in corpus:
                    raise BuildError(f"{name}: URL not found in the research data: {part}")


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    """Write UTF-8 (no BOM), LF line ends, RFC 4180 quoting: the same bytes every run."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def build(src: Path, out: Path) -> dict[str, int]:
    """Build the four files from `src` into `out`; return the number of rows written to each."""
    meeting_rows, meetings = load_meetings(src)

    facts = FactTable()
    map_participation(src, "participation.csv", facts, meetings)
    map_participation(src, "participation_more.csv", facts, meetings)
    map_actions(src, facts, meetings)
    for name in ("untc_ccm_status.csv", "ccm_status_supplement.csv", "ccm_status_more.csv"):
        map_status(src, name, facts)
    map_noted(src, facts, meetings)
    for name in sorted(facts.unresolved):
        print(f"build_seed: countryguess cannot resolve {name!r}", file=sys.stderr)

    instrument_rows: list[list[str]] = []
    for ins in INSTRUMENTS:
        check_evidence(src, ins.evidence, f"instrument {ins.slug}")
        if ins.meeting not in meetings or not valid_date(ins.date):
            raise BuildError(f"instrument {ins.slug}: bad meeting or date")
        instrument_rows.append([ins.slug, ins.name, ins.kind, ins.meeting, ins.date, ins.source])
    slugs = {row[0] for row in instrument_rows}
    for fact in facts.facts.values():
        if fact.record in ("endorsed", "declined", "signed") and fact.subject not in slugs:
            raise BuildError(f"{fact.state} {fact.record}: unknown instrument {fact.subject!r}")

    count_rows: list[list[str]] = []
    for c in COUNTS:
        check_evidence(src, (c.evidence,), f"count {c.meeting} {c.record} {c.count}")
        if c.meeting not in meetings:
            raise BuildError(f"count: unknown meeting {c.meeting!r}")
        count_rows.append([c.meeting, c.record, str(c.count), c.detail, c.source])
    if len({tuple(r) for r in count_rows}) != len(count_rows):
        raise BuildError("counts: duplicate row")

    seed_rows = [fact.row() for fact in facts.facts.values()]
    tables = {
        "seed.csv": seed_rows,
        "meetings.csv": meeting_rows,
        "instruments.csv": instrument_rows,
        "counts.csv": count_rows,
    }
    check_urls(src, tables)

    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "seed.csv", SEED_HEADER, seed_rows)
    write_csv(out / "meetings.csv", MEETINGS_HEADER, meeting_rows)
    write_csv(out / "instruments.csv", INSTRUMENTS_HEADER, instrument_rows)
    write_csv(out / "counts.csv", COUNTS_HEADER, count_rows)
    return {name: len(rows) for name, rows in tables.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "source",
        nargs="?",
        type=Path,
        default=DEFAULT_SOURCE,
        help=f"folder with the research CSVs (default: {DEFAULT_SOURCE})",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"folder to write the four CSVs into (default: {DEFAULT_OUT})",
    )
    args = parser.parse_args(argv)
    if not args.source.is_dir():
        print(f"build_seed: no such folder: {args.source}", file=sys.stderr)
        return 2
    try:
        counts = build(args.source, args.out)
    except BuildError as exc:
        print(f"build_seed: {exc}", file=sys.stderr)
        return 1
    summary = ", ".join(f"{name} {n}" for name, n in counts.items())
    print(f"build_seed: wrote {summary} rows to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
