"""Crash safety (issue 6, item 3): SIGKILL a large import at random moments.

`python -m ccmtool import BIG.csv` (80,000 new facts) runs in a subprocess and is killed with
SIGKILL, at a different moment each time:

- while Python is still starting up, before the database is even opened;
- with the write transaction open but nothing written to disk yet (the WAL still empty);
- twice while pages are spilling into the WAL (at random WAL sizes);
- during the commit (the WAL jumping to its final size);
- right after the import reported success, while the WAL is checkpointed on close.

After every kill the database must pass `PRAGMA integrity_check` and `foreign_key_check`, and
its facts must be exactly the state before the import or exactly the state after it (the count
and a checksum of `ccm export --csv`). The same database then takes the next attempt, as a
user would retry; finally an import left to finish gives the "after" state to compare with.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import typer

from ccmtool import db
from ccmtool.cli import app

N_FACTS = 80_000
MIN_KILLS = 5
STATES = [
    "Austria", "Belgium", "Bolivia (Plurinational State of)", "Chile", "Colombia", "Croatia",
    "Côte d'Ivoire", "Denmark", "Ecuador", "France", "Germany", "Ghana", "Holy See", "Hungary",
    "Ireland", "Japan", "Lao PDR", "Lebanon", "Mexico", "Mozambique", "Netherlands",
    "New Zealand", "Norway", "Peru", "Republic of Korea", "Senegal", "South Africa", "Spain",
]  # fmt: skip
ACTIONS = ["moratorium", "stockpile-destruction", "legislation", "other"]


def write_facts(path: Path, n: int) -> Path:
    """n distinct, valid facts: (state, action, day) never repeats."""
    start = dt.date(1900, 1, 1)
    per_day = len(STATES) * len(ACTIONS)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["state", "record", "subject", "date", "meeting", "detail", "source"])
        for i in range(n):
            writer.writerow(
                [
                    STATES[i % len(STATES)],
                    "announced",
                    ACTIONS[(i // len(STATES)) % len(ACTIONS)],
                    (start + dt.timedelta(days=i // per_day)).isoformat(),
                    "",
                    f'generated fact {i}, with a comma and a "quote"',
                    f"https://example.org/source/{i % 997} | Monitor {1999 + i % 20}",
                ]
            )
    return path


# --- what the database holds --------------------------------------------------------------

_COMMAND = typer.main.get_command(app)


@dataclass(frozen=True)
class Facts:
    count: int
    sources: int
    checksum: str


def integrity_problems(path: Path) -> list[str]:
    """What `PRAGMA integrity_check` and `foreign_key_check` report, after recovery.

    SQLite 3.40.0 to 3.41.0 wrongly report "NULL value in T.C" for NOT NULL columns of
    WITHOUT ROWID tables whose primary key is declared in another order than the columns
    (fact_sources since schema v2). Each such claim is checked with a query and dropped only
    if the column really holds no NULL.
    """
    conn = sqlite3.connect(path)  # read-write, so that a hot WAL is recovered as ccm would
    try:
        problems = []
        for (line,) in conn.execute("PRAGMA integrity_check"):
            if line == "ok":
                continue
            if line.startswith("NULL value in ") and "." in line:
                table, column = line.removeprefix("NULL value in ").split(".", 1)
                nulls = conn.execute(
                    f'SELECT count(*) FROM "{table}" WHERE "{column}" IS NULL'
                ).fetchone()[0]
                if nulls == 0:
                    continue
            problems.append(line)
        problems += [repr(r) for r in conn.execute("PRAGMA foreign_key_check")]
    finally:
        conn.close()
    return problems


def facts_state(path: Path) -> Facts:
    """Count and checksum of the facts, as `ccm export --csv` shows them."""
    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(io.StringIO()) as err:
        try:
            _COMMAND.main(["export", "--csv", "--db", str(path)], prog_name="ccm")
        except SystemExit as exc:
            assert exc.code in (0, None), err.getvalue()
    text = out.getvalue()
    conn = sqlite3.connect(path)
    try:
        sources = conn.execute("SELECT count(*) FROM fact_sources").fetchone()[0]
    finally:
        conn.close()
    return Facts(text.count("\n") - 1, sources, hashlib.sha256(text.encode()).hexdigest())


# --- killing ------------------------------------------------------------------------------


@dataclass
class Kill:
    plan: str
    killed: bool  # the process was still running when SIGKILL was sent
    wal_bytes: int  # size of the WAL when it was sent (-1: no WAL file yet)
    seconds: float
    facts: Facts | None = None


def wal_size(path: Path) -> int:
    try:
        return os.stat(f"{path}-wal").st_size
    except FileNotFoundError:
        return -1


def attempt(
    big: Path, database: Path, env: dict[str, str], plan: str, until: Callable[[float, int], bool]
) -> Kill:
    """Start the import and SIGKILL it as soon as `until(seconds, wal bytes)` holds."""
    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ccmtool", "import", str(big), "--db", str(database)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        while proc.poll() is None:
            elapsed, wal = time.monotonic() - start, wal_size(database)
            if until(elapsed, wal):
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                return Kill(plan, True, wal, elapsed)
            time.sleep(0.002)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        assert proc.stderr is not None
        errors = proc.stderr.read().decode()
        proc.stderr.close()
    assert proc.returncode == 0, errors
    return Kill(plan, False, wal_size(database), time.monotonic() - start)


def test_sigkill_during_a_large_import_leaves_before_or_after(tmp_path: Path) -> None:
    big = write_facts(tmp_path / "big.csv", N_FACTS)
    env = {**os.environ, "HOME": str(tmp_path / "home")}
    template = tmp_path / "before.db"
    db.create(template)
    db.open_db(template).close()
    before = facts_state(template)
    database = tmp_path / "ccm.db"
    shutil.copyfile(template, database)

    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    spilling = big.stat().st_size  # the WAL passes this many bytes well before the commit
    plans: list[tuple[str, Callable[[float, int], bool]]] = []
    startup = rng.uniform(0.01, 0.12)
    plans.append(("starting up", lambda t, wal: t >= startup))
    opened: dict[str, float] = {}
    pause = rng.uniform(0.1, 0.6)

    def validating(t: float, wal: int) -> bool:
        # The database is open (its WAL exists) and the transaction holds rows in memory.
        if wal >= 0 and "at" not in opened:
            opened["at"] = t
        return "at" in opened and (t >= opened["at"] + pause or wal > 0)

    plans.append(("transaction open, nothing on disk", validating))
    early, late = rng.uniform(0.02, 0.45) * spilling, rng.uniform(0.55, 1.0) * spilling
    plans.append(("spilling into the WAL", lambda t, wal: wal >= early))
    plans.append(("spilling into the WAL, later", lambda t, wal: wal >= late))
    plans.append(("late in the write, maybe committing", lambda t, wal: wal >= 1.5 * spilling))
    rng.shuffle(plans)

    kills: list[Kill] = []
    after: Facts | None = None
    for plan, until in plans:
        kill = attempt(big, database, env, plan, until)
        problems = integrity_problems(database)
        assert not problems, f"{plan} (seed {seed}): {problems[:5]}"
        kill.facts = facts_state(database)
        kills.append(kill)
        if kill.facts != before:
            # The import had committed: start the next attempt from the "before" state again.
            after = after or kill.facts
            assert kill.facts == after, f"{plan} (seed {seed}): two different 'after' states"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{database}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(template, database)

    # Left to finish, on the same database: the reference "after" state.
    completed = attempt(big, database, env, "completed", lambda t, wal: False)
    assert not completed.killed
    assert not integrity_problems(database)
    final = facts_state(database)
    # Every generated row is two claims; a few become claims of built-in announcements whose
    # date (undated, or a year) agrees with theirs, so events grow by a little less.
    assert final.sources == before.sources + 2 * N_FACTS
    assert before.count + N_FACTS - 100 <= final.count <= before.count + N_FACTS
    assert after is None or after == final

    # Killed the moment it reports success: the commit is done and the WAL is being
    # checkpointed into the database file as the connection closes.
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, database)
    kills.append(attempt_after_success(big, database, env))
    problems = integrity_problems(database)
    assert not problems, f"after success (seed {seed}): {problems[:5]}"
    kills[-1].facts = facts_state(database)
    assert kills[-1].facts == final

    for kill in kills:  # shown with `pytest -s`
        state = "before" if kill.facts == before else "after" if kill.facts == final else "?"
        print(f"{kill.plan}: killed={kill.killed} {kill.seconds:.2f}s WAL={kill.wal_bytes} {state}")
    for kill in kills:
        assert kill.facts in (before, final), f"{kill} (seed {seed}): neither before nor after"
    delivered = [k for k in kills if k.killed]
    assert len(delivered) >= MIN_KILLS, kills
    assert len({round(k.seconds, 2) for k in delivered}) == len(delivered), kills
    assert any(k.wal_bytes <= 0 for k in delivered), f"no kill before the write: {kills}"
    assert sum(k.wal_bytes > 0 for k in delivered) >= 2, f"too few kills mid-write: {kills}"


def attempt_after_success(big: Path, database: Path, env: dict[str, str]) -> Kill:
    """Kill the import the moment it prints its summary (the commit is done; the connection
    is being closed, which checkpoints the WAL into the database file)."""
    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ccmtool", "import", str(big), "--db", str(database)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stderr is not None
    line = proc.stderr.readline().decode()
    wal = wal_size(database)
    alive = proc.poll() is None
    if alive:
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    assert f"{N_FACTS} facts" in line, line
    return Kill("reported success, checkpointing", alive, wal, time.monotonic() - start)
