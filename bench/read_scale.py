"""Every read command at 500,000 facts: wall time and peak memory, against the same command
on the built-in dataset in the same run (issue 13, item 6). Not a test: a report.

Goal: each command under 2 s and 200 MiB at 500k facts (whole commands, output to
/dev/null). The ratio to the built-in run says how much of that is the data and how much
start-up; peak RSS is the child's own (wait4), so it includes Python and the imports.

    .venv/bin/python bench/read_scale.py [--rows 500000] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CCM, alternate, bench_env, builtin_and_big, report, run_once, verdict

GOAL_SECONDS = 2.0
GOAL_MIB = 200

# Every command that only reads, with arguments that make it do its full work. Commands a
# given ccm does not have are skipped (they fail on the built-in database first).
READS: dict[str, list[str]] = {
    "attendance lima": ["attendance", "lima"],
    "attendance lima --newcomers": ["attendance", "lima", "--newcomers"],
    "meetings": ["meetings"],
    "state Norway (13k generated facts)": ["state", "Norway"],
    "state Uganda": ["state", "Uganda"],
    "states": ["states"],
    "compare livingstone kampala": ["compare", "livingstone", "kampala"],
    "endorsements convention": ["endorsements", "convention"],
    "actions": ["actions"],
    # At a terminal a table is fitted to its width (COLUMNS stands in for one): cut cells,
    # compact sources. Until 2026-12-03 that path held every row: 15 s and 550 MB here.
    "actions (fitted to 80 columns)": ["COLUMNS=80", "actions"],
    # Every listing format: each streams (tabulate's Markdown held 2.4 GB here).
    "actions --format csv": ["actions", "--format", "csv"],
    "actions --format tsv": ["actions", "--format", "tsv"],
    "actions --format json": ["actions", "--format", "json"],
    "actions --format jsonl": ["actions", "--format", "jsonl"],
    "actions --format markdown": ["actions", "--format", "markdown"],
    "stats": ["stats"],
    "conflicts": ["conflicts"],
    "status": ["status"],
    "obligations": ["obligations"],
    "check": ["check"],
    "sql count(*)": ["sql", "SELECT count(*) FROM facts"],
    "export --csv": ["export", "--csv"],
    "export --json": ["export", "--json"],
    "export --markdown": ["export", "--markdown"],
    "export --what claims": ["export", "--what", "claims"],
    "export --what states": ["export", "--what", "states"],
}


def _works(argv: list[str], db: Path, env: dict[str, str]) -> bool:
    proc = subprocess.run([*CCM, *argv, "--db", str(db)], env=env, capture_output=True)
    return proc.returncode == 0


def main() -> list[tuple[str, str, str, str]]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args([] if __name__ != "__main__" else None)
    rows: list[tuple[str, str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        env = bench_env(HOME=tmp_name)
        small, big = builtin_and_big(tmp, env, args.rows)
        for label, argv in READS.items():
            # An entry may start with a NAME=VALUE setting, as a shell line does.
            run_env = env
            if "=" in argv[0]:
                name, _, value = argv[0].partition("=")
                run_env, argv = {**env, name: value}, argv[1:]
            if not _works(argv, small, run_env):
                rows.append((f"`{label}`", "skipped (not in this ccm)", "", ""))
                continue
            a = [*CCM, *argv, "--db", str(big)]
            b = [*CCM, *argv, "--db", str(small)]
            try:
                t_big, t_small, rss_big, _ = alternate(a, b, args.runs, run_env)
            except SystemExit as exc:  # one broken command does not lose the others' figures
                rows.append((f"`{label}`", f"failed: {str(exc).splitlines()[-1]}", "", "MISSED"))
                continue
            mib = rss_big / 1024
            ok = t_big <= GOAL_SECONDS and mib <= GOAL_MIB
            rows.append(
                (
                    f"`{label}` at {args.rows:,} facts",
                    f"{t_big:.2f} s ({t_big / t_small:.1f}x built-in {t_small * 1000:.0f} ms),"
                    f" {mib:.0f} MiB",
                    f"<= {GOAL_SECONDS:g} s, <= {GOAL_MIB} MiB",
                    verdict(1.0 if ok else 2.0, 1.0, higher_is_better=False),
                )
            )
            print(f"{label}: {rows[-1][1]}", file=sys.stderr, flush=True)
        rows.append(_floor(big, env, args.runs))
    return rows


# The least any `ccm actions` can take: its query alone, every row fetched by Python's
# sqlite3 and nothing printed (no Typer, no formatting). What a command takes beyond this
# is ccm's own; the rest is SQLite sorting the rows and looking up each one's source.
FLOOR = """
import sys
from pathlib import Path
from ccmtool.queries import actions
from ccmtool.schema import connect
conn = connect(Path(sys.argv[1]), readonly=True)  # ccm's settings: cache, sort thread
columns, cursor = actions(conn)
while cursor.fetchmany(5000):
    pass
"""


def _floor(big: Path, env: dict[str, str], runs: int) -> tuple[str, str, str, str]:
    seconds = [run_once([sys.executable, "-c", FLOOR, str(big)], env)[0] for _ in range(runs)]
    median = statistics.median(seconds)
    print(f"actions query alone: {median:.2f} s", file=sys.stderr, flush=True)
    label = "`actions` query alone (ccm's connection, nothing printed)"
    return (label, f"{median:.2f} s", "", "floor")


if __name__ == "__main__":
    report(main())
