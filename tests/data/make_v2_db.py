"""Build tests/data/v2.db: a database as schema version 2 wrote it, with the duplicates that
schema 3 merges into events.

Run once, from the repository root, and commit the result; test_upgrade.py opens copies of it:

    .venv/bin/python tests/data/make_v2_db.py

It starts from tests/data/v1.db (real rows of the v0.1 dataset), upgrades it with
`MIGRATIONS[1]` alone (never today's code), and adds real rows of the v0.1 seed that v2
stored as separate facts although they are one event (rows v1.db already has are skipped):
Norway hosting the signing conference four times (undated, and dated 1, 2 and 3 Dec 2008 by
different sources), Peru's regional-zone announcement at `2007-05` and `2007-05-25`, Japan's
signature with and without a date, and Burundi's ratification on two dates (one event in
conflict).
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import sqlite_utils

from ccmtool.db import MIGRATIONS

HERE = Path(__file__).resolve().parent
V1, OUT = HERE / "v1.db", HERE / "v2.db"

UNTC = "http://treaties.un.org/doc/Publication/MTDSG/Volume%20II/Chapter%20XXVI/XXVI-6.en.xml"
MOFA = "https://www.mofa.go.jp/announce/announce/2009/7/1193807_1138.html"
ICBL_LIMA = (
    "https://icbl.org/en-gb/news-and-events/newsletter/stage-2-of-the-oslo-process-the-lima-"
    "conference-on-cluster-munitions-%E2%80%93-support-for-a-new-treaty-grows.aspx"
)
DI_LIMA = "http://disarmamentinsight.blogspot.com/2007/05/cluster-munitions-road-from-lima.html"
STATES = [
    ("BDI", "Burundi", "Africa", "Eastern Africa"),
    ("JPN", "Japan", "Asia", "Eastern Asia"),
]
MEETING = (
    "oslo-signing-2008",
    "Oslo Signing Conference for the Convention on Cluster Munitions",
    "Oslo",
    "NOR",
    "2008-12-03",
    "2008-12-04",
    "signing",
    94,
    "http://www.stopclustermunitions.org/treatystatus/",
)
INSTRUMENT = (
    "ccm",
    "Convention on Cluster Munitions",
    "treaty",
    None,
    "2008-05-30",
    "https://ihl-databases.icrc.org/applic/ihl/ihl.nsf/Treaty.xsp?"
    "documentId=00E3441C08D5B5B9C12574C6002EE0D3&action=openDocument",
)
# (state, record, subject, date, meeting, detail, sources) as the v0.1 seed had them.
FACTS = [
    ("NOR", "hosted", "oslo-signing-2008", "", None, "Norwegian PM to host signing in Oslo",
     ["https://www.eu-norway.org/news/cluster_munitions_signing/"]),
    ("NOR", "hosted", "oslo-signing-2008", "2008-12-02", None,
     "regjeringen.no foreword gives the signing conference as Oslo 2-3 December 2008",
     ["https://www.regjeringen.no/en/aktuelt/foreword/id537541/"]),
    ("NOR", "hosted", "oslo-signing-2008", "2008-12-01", None,
     "Indonesia says the signing conference runs December 1-4, 2008 in Oslo",
     ["https://scandasia.com/indonesia-to-sign-cluster-munitions-convention/"]),
    ("NOR", "hosted", "oslo-signing-2008", "2008-12-03", None,
     "CMC gives the signing conference as 3-4 December 2008",
     ["http://www.stopclustermunitions.org/treatystatus/"]),
    ("PER", "announced", "regional-zone", "2007-05-25", "lima-2007",
     "Launched a regional initiative for a Latin American cluster-munition-free zone",
     [ICBL_LIMA]),
    ("PER", "announced", "regional-zone", "2007-05", "lima-2007",
     "Announced at Lima that it would work towards a regional cluster-munition-free zone",
     [DI_LIMA]),
    ("JPN", "signed", "ccm", "", "oslo-signing-2008",
     "Japanese foreign minister says he attended the Oslo signing conference and signed",
     [MOFA]),
    ("JPN", "signed", "ccm", "2008-12-03", None, "", [UNTC, MOFA]),
    ("BDI", "ratified", "ccm", "2009-09-25", None, "", [UNTC]),
    ("BDI", "ratified", "ccm", "2009-12-25", None,
     "CONFLICT: Monitor 2016 gives 25 Dec 2009; the UN Treaty Collection gives 25 Sep 2009",
     ["http://www.the-monitor.org/en-gb/reports/2016/burundi/cluster-munition-ban-policy.aspx"]),
]  # fmt: skip


def main() -> None:
    OUT.unlink(missing_ok=True)
    shutil.copyfile(V1, OUT)
    conn = sqlite3.connect(OUT, isolation_level=None)
    conn.execute("BEGIN")
    MIGRATIONS[1](sqlite_utils.Database(conn))
    conn.execute("PRAGMA user_version = 2")
    conn.executemany("INSERT OR IGNORE INTO states VALUES (?, ?, ?, ?)", STATES)
    conn.execute("INSERT INTO meetings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", MEETING)
    conn.execute("INSERT INTO instruments VALUES (?, ?, ?, ?, ?, ?)", INSTRUMENT)
    for state, record, subject, date, meeting, detail, sources in FACTS:
        key = (state, record, subject, date)
        if conn.execute(
            "SELECT 1 FROM facts WHERE state = ? AND record = ? AND subject = ? AND date = ?", key
        ).fetchone():
            continue  # already in v1.db
        cur = conn.execute(
            "INSERT INTO facts (state, record, subject, date, meeting, detail)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (state, record, subject, date, meeting, detail),
        )
        conn.executemany(
            "INSERT INTO fact_sources (fact, source, pos) VALUES (?, ?, ?)",
            [(cur.lastrowid, s, pos) for pos, s in enumerate(sources)],
        )
    conn.execute("COMMIT")
    conn.execute("VACUUM")
    facts = conn.execute("SELECT count(*) FROM facts").fetchone()[0]
    conn.close()
    print(f"wrote {OUT.name}: {facts} facts")


if __name__ == "__main__":
    main()
