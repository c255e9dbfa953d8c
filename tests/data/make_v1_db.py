"""Build tests/data/v1.db: a database as the first ccm schema (version 1) wrote it.

Run once, from the repository root, and commit the result; test_upgrade.py opens copies of it:

    .venv/bin/python tests/data/make_v1_db.py

The schema is made by `MIGRATIONS[0]` alone (never by today's code), marked as version 1 with
ccm's application id, and filled with a handful of real rows from data/*.csv: three meetings,
two declarations, the counts sources give for those meetings, and the facts about them that
cite two or three sources each, plus a few single-source ones. Sources are stored the v1 way
(fact_sources with its own id, in the order the source cell lists them), interleaved across
facts so that an upgrade must order them by id within each fact, not by table position.
"""

from __future__ import annotations

import csv
import sqlite3
import sys
from pathlib import Path

import sqlite_utils

from ccmtool.db import APPLICATION_ID, MIGRATIONS
from ccmtool.model import INSTRUMENT_RECORDS, MEETING_RECORDS, split_sources
from ccmtool.names import find, normalize

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
OUT = Path(__file__).resolve().parent / "v1.db"

MEETINGS = ("oslo-2007", "lima-2007", "wellington-2008")
INSTRUMENTS = ("oslo-declaration", "wellington-declaration")
STATES = ("Hungary", "Norway", "Peru", "Lao PDR", "Niue", "Germany", "Austria", "New Zealand")
ALIASES = ("Lao People's Democratic Republic",)  # stored under its normalised key, as v1 did


def rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def state(name: str) -> tuple[str, str, str, str]:
    country = find(name)
    if country is None:
        sys.exit(f"cannot resolve {name!r}")
    return country.code, country.name, country.region, country.subregion


def facts() -> list[dict[str, str]]:
    """Seed facts about the chosen states that refer only to the chosen meetings/instruments."""
    chosen = []
    for row in rows("seed.csv"):
        if row["state"] not in STATES:
            continue
        if row["record"] in MEETING_RECORDS and row["subject"] not in MEETINGS:
            continue
        if row["record"] in INSTRUMENT_RECORDS and row["subject"] not in INSTRUMENTS:
            continue
        if row["meeting"] and row["meeting"] not in MEETINGS:
            continue
        chosen.append(row)
    return chosen


def main() -> None:
    OUT.unlink(missing_ok=True)
    conn = sqlite3.connect(OUT, isolation_level=None)
    conn.execute("BEGIN")
    MIGRATIONS[0](sqlite_utils.Database(conn))
    conn.execute("PRAGMA user_version = 1")
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")

    meetings = [r for r in rows("meetings.csv") if r["slug"] in MEETINGS]
    hosts = {r["country"] for r in meetings}
    chosen = facts()
    for name in sorted(set(STATES) | hosts | {r["state"] for r in chosen}):
        conn.execute("INSERT OR IGNORE INTO states VALUES (?, ?, ?, ?)", state(name))
    for spelling in ALIASES:
        conn.execute(
            "INSERT INTO aliases VALUES (?, ?, ?)",
            (normalize(spelling), spelling, state(spelling)[0]),
        )
    for m in meetings:
        conn.execute(
            "INSERT INTO meetings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                m["slug"],
                m["name"],
                m["city"],
                state(m["country"])[0],
                m["start_date"],
                m["end_date"],
                m["kind"],
                int(m["reported"]) if m["reported"] else None,
                m["source"],
            ),
        )
    for i in rows("instruments.csv"):
        if i["slug"] in INSTRUMENTS:
            conn.execute(
                "INSERT INTO instruments VALUES (?, ?, ?, ?, ?, ?)",
                (i["slug"], i["name"], i["kind"], i["meeting"] or None, i["date"], i["source"]),
            )
    for c in rows("counts.csv"):
        if c["meeting"] in MEETINGS:
            conn.execute(
                "INSERT INTO counts (meeting, record, count, detail, source)"
                " VALUES (?, ?, ?, ?, ?)",
                (c["meeting"], c["record"], int(c["count"]), c["detail"], c["source"]),
            )
    sources: list[tuple[int, list[str]]] = []
    for f in chosen:
        cur = conn.execute(
            "INSERT INTO facts (state, record, subject, date, meeting, detail)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                state(f["state"])[0],
                f["record"],
                f["subject"],
                f["date"],
                f["meeting"] or None,
                f["detail"],
            ),
        )
        sources.append((int(cur.lastrowid or 0), split_sources(f["source"])))
    # Round-robin: the first source of every fact, then every second source, and so on.
    for position in range(max(len(s) for _, s in sources)):
        for fact, cited in sources:
            if position < len(cited):
                conn.execute(
                    "INSERT INTO fact_sources (fact, source) VALUES (?, ?)", (fact, cited[position])
                )
    conn.execute("COMMIT")
    conn.execute("VACUUM")
    counts = {
        t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("states", "aliases", "meetings", "instruments", "counts", "facts", "fact_sources")
    }
    conn.close()
    print(f"wrote {OUT.relative_to(ROOT)}: {counts}")


if __name__ == "__main__":
    main()
