"""Queries at 1,000,000 facts against the same queries on the built-in dataset.

Goal: attendance, --newcomers, compare and state take at most 1.2x their built-in time
(whole commands, cold, as a user runs them).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from common import CCM, alternate, bench_env, builtin_and_big, report, verdict

QUERIES = {
    "attendance lima": ["attendance", "lima"],
    "attendance lima --newcomers": ["attendance", "lima", "--newcomers"],
    "compare livingstone kampala": ["compare", "livingstone", "kampala"],
    "state Uganda": ["state", "Uganda"],  # a state the generated facts leave alone
}


def main() -> list[tuple[str, str, str, str]]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args([] if __name__ != "__main__" else None)
    rows = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        env = bench_env(HOME=tmp_name)
        small, big = builtin_and_big(tmp, env, args.rows)
        for label, argv in QUERIES.items():
            a = [*CCM, *argv, "--db", str(big)]
            b = [*CCM, *argv, "--db", str(small)]
            t_big, t_small, _, _ = alternate(a, b, args.runs, env)
            ratio = t_big / t_small
            rows.append(
                (
                    f"`{label}` at {args.rows:,} facts / built-in",
                    f"{ratio:.2f}x ({t_big * 1000:.0f} / {t_small * 1000:.0f} ms)",
                    "<= 1.2x",
                    verdict(ratio, 1.2, higher_is_better=False),
                )
            )
    return rows


if __name__ == "__main__":
    report(main())
