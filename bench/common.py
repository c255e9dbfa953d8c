"""Shared helpers for the benchmarks: run commands alternately, take medians, print ratios.

These machines are noisy, so every figure is a ratio against a baseline measured in the same
run, A B A B, and bytecode is allowed (as in a normal install).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
CCM = [PYTHON, "-m", "ccmtool"]


def bench_env(**extra: str) -> dict[str, str]:
    # Output goes to /dev/null, as through a pipe: a COLUMNS of the caller's shell would
    # have every table fitted to it, so only a run that asks for it is.
    dropped = ("PYTHONDONTWRITEBYTECODE", "COLUMNS", "LINES")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(extra)
    return env


def run_once(cmd: Sequence[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one run, measured for that child alone."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{err}")
    return elapsed, usage.ru_maxrss


def alternate(
    a: Sequence[str], b: Sequence[str], runs: int, env: dict[str, str], warmup: int = 1
) -> tuple[float, float, int, int]:
    """Median seconds of A and B run alternately, and their peak RSS (KiB)."""
    for _ in range(warmup):
        run_once(a, env)
        run_once(b, env)
    ta, tb, ra, rb = [], [], [], []
    for _ in range(runs):
        t, r = run_once(a, env)
        ta.append(t)
        ra.append(r)
        t, r = run_once(b, env)
        tb.append(t)
        rb.append(r)
    return statistics.median(ta), statistics.median(tb), max(ra), max(rb)


def verdict(value: float, goal: float, higher_is_better: bool) -> str:
    ok = value >= goal if higher_is_better else value <= goal
    return "met" if ok else "MISSED"


def report(rows: list[tuple[str, str, str, str]]) -> None:
    """Print (what, measured, goal, verdict) rows as a Markdown table."""
    print("| what | measured | goal | |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    sys.stdout.flush()


def builtin_and_big(tmp: Path, env: dict[str, str], rows: int) -> tuple[Path, Path]:
    """A database of the built-in dataset, and a copy of it with `rows` generated facts
    imported: the same questions asked of both say what the size costs."""
    from gen import write_facts

    small, big = tmp / "builtin.db", tmp / "big.db"
    subprocess.run([*CCM, "init", "--db", str(small)], env=env, check=True, capture_output=True)
    shutil.copy(small, big)
    facts = write_facts(tmp / "facts.csv", rows)
    subprocess.run(
        [*CCM, "import", str(facts), "--db", str(big)], env=env, check=True, capture_output=True
    )
    return small, big
