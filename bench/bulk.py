"""Import and export of 1,000,000 facts against the stdlib doing the bare minimum.

- import: `ccm import` against csv.reader + one `executemany` into a table with the same
  unique key (state, record, subject, date), in one transaction. Goal >= 0.5x its rows/s,
  peak RSS < 60 MiB.
- export: `ccm export --csv -o` against `csv.writer` over a plain SELECT of ccm's largest
  table (claims, every column) in the same database. Goal >= 0.7x.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

from common import CCM, PYTHON, alternate, bench_env, report, verdict
from gen import write_facts

BASELINE_IMPORT = """
import csv, sqlite3, sys
db, path = sys.argv[1], sys.argv[2]
conn = sqlite3.connect(db, isolation_level=None)
conn.execute("PRAGMA journal_mode = WAL")
conn.execute("DROP TABLE IF EXISTS facts")
conn.execute("CREATE TABLE facts (id INTEGER PRIMARY KEY, state TEXT, record TEXT,"
             " subject TEXT, date TEXT, meeting TEXT, detail TEXT, source TEXT)")
conn.execute("CREATE UNIQUE INDEX k ON facts (state, record, subject, date)")
with open(path, newline="", encoding="utf-8") as f:
    rows = csv.reader(f)
    next(rows)
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO facts (state, record, subject, date, meeting, detail, source)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    conn.execute("COMMIT")
"""

BASELINE_EXPORT = """
import csv, sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
with open(sys.argv[2], "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\\n")
    cur = conn.execute("SELECT * FROM claims")
    w.writerow([d[0] for d in cur.description])
    w.writerows(cur)
"""


def measure(n: int, runs: int) -> list[tuple[str, str, str, str]]:
    """Import and export of `n` generated facts, each against its stdlib baseline."""
    rows: list[tuple[str, str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        env = bench_env(HOME=tmp_name)
        facts = write_facts(tmp / "facts.csv", n)
        ccm_db, base_db = tmp / "ccm.db", tmp / "base.db"
        # Each import starts from an empty database, copied from a template made once (the
        # baseline creates its one table inside its timed run; ccm's schema is made here).
        template = tmp / "template.db"
        subprocess.run([*CCM, "init", "--empty", "--db", str(template)], env=env, check=True)
        ccm_cmd = [
            "sh",
            "-c",
            f'rm -f "{ccm_db}"* && cp "{template}" "{ccm_db}"'
            f' && exec "{PYTHON}" -m ccmtool import "{facts}" --db "{ccm_db}"',
        ]
        base_cmd = [PYTHON, "-c", BASELINE_IMPORT, str(base_db), str(facts)]
        t_ccm, t_base, rss_ccm, _ = alternate(ccm_cmd, base_cmd, runs, env, warmup=0)
        ratio = t_base / t_ccm
        rows.append(
            (
                f"import {n:,} facts: ccm rows/s / executemany rows/s",
                f"{ratio:.2f}x ({n / t_ccm:,.0f} / {n / t_base:,.0f} rows/s)",
                ">= 0.5x",
                verdict(ratio, 0.5, higher_is_better=True),
            )
        )
        rows.append(
            (
                f"import {n:,} facts: peak RSS",
                f"{rss_ccm / 1024:.0f} MiB",
                "< 60 MiB",
                verdict(rss_ccm / 1024, 60, higher_is_better=False),
            )
        )
        export_cmd = [*CCM, "export", "--csv", "--db", str(ccm_db), "-o", str(tmp / "out.csv")]
        base_export = [PYTHON, "-c", BASELINE_EXPORT, str(ccm_db), str(tmp / "base.csv")]
        subprocess.run(export_cmd, env=env, check=True, capture_output=True)
        t_exp, t_bexp, _, _ = alternate(export_cmd, base_export, runs, env, warmup=0)
        ratio = t_bexp / t_exp
        rows.append(
            (
                f"export {n:,} facts: ccm rows/s / raw csv.writer rows/s",
                f"{ratio:.2f}x ({n / t_exp:,.0f} / {n / t_bexp:,.0f} rows/s)",
                ">= 0.7x",
                verdict(ratio, 0.7, higher_is_better=True),
            )
        )
    return rows


def main() -> list[tuple[str, str, str, str]]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[200_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args([] if __name__ != "__main__" else None)
    rows: list[tuple[str, str, str, str]] = []
    for n in args.rows:
        rows += measure(n, args.runs)
    return rows


if __name__ == "__main__":
    report(main())
