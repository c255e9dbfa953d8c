"""Concurrent writers (issue 6, item 4): nothing lost, and "database is locked" never shown.

- Four processes, started together, each record 100 distinct facts through the command line
  (`ccm record`, called 100 times in a loop by a small Python script): 400 facts, every
  process exits 0, every call exits 0, and no stderr mentions a lock.
- Four terminals, each running `python -m ccmtool import` on ten files of ten facts: the same.
- Four terminals running ccm for the first time at once, on a database that does not exist
  yet (each would create it): every fact any of them recorded is kept.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
import typer

from ccmtool.cli import app

WRITERS = 4
FACTS_EACH = 100
STATES = ["Peru", "Norway", "Hungary", "Chile"]
LOCK_WORDS = ("locked", "busy")

# One writer: waits for the go signal, then runs `ccm record ...` FACTS_EACH times through
# the console script's entry point, and reports its exit codes and when it ran.
WORKER = """
import json, sys, time
from pathlib import Path
from ccmtool.cli import main

database, who, n, ready, go = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), *sys.argv[4:]
state = ["Peru", "Norway", "Hungary", "Chile"][who]
Path(ready).touch()
while not Path(go).exists():
    time.sleep(0.001)
start, codes = time.time(), []
for i in range(n):
    sys.argv = [
        "ccm", "record", state, "announced", "other",
        "--date", f"{1950 + who}-{1 + i // 28:02d}-{1 + i % 28:02d}",
        "--detail", f"writer {who} fact {i}",
        "--source", f"https://example.org/{who}/{i}",
        "--db", database,
    ]
    try:
        main()
        codes.append(0)
    except SystemExit as exc:
        codes.append(exc.code if isinstance(exc.code, int) else 1)
print(json.dumps({"start": start, "end": time.time(), "codes": codes}))
"""

_COMMAND = typer.main.get_command(app)


def export_facts(path: Path) -> list[dict[str, str]]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            _COMMAND.main(["export", "--csv", "--db", str(path)], prog_name="ccm")
        except SystemExit as exc:
            assert exc.code in (0, None), err.getvalue()
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def integrity_problems(path: Path) -> list[str]:
    """integrity_check and foreign_key_check; a "NULL value in T.C" line is kept only if the
    column really holds a NULL (SQLite 3.40-3.41 report it falsely for WITHOUT ROWID tables)."""
    conn = sqlite3.connect(path)
    try:
        problems = []
        for (line,) in conn.execute("PRAGMA integrity_check"):
            if line == "ok":
                continue
            if line.startswith("NULL value in ") and "." in line:
                table, column = line.removeprefix("NULL value in ").split(".", 1)
                query = f'SELECT count(*) FROM "{table}" WHERE "{column}" IS NULL'
                if conn.execute(query).fetchone()[0] == 0:
                    continue
            problems.append(line)
        problems += [repr(r) for r in conn.execute("PRAGMA foreign_key_check")]
    finally:
        conn.close()
    return problems


def expected(who: int, i: int) -> tuple[str, str, str]:
    return (STATES[who], f"writer {who} fact {i}", f"https://example.org/{who}/{i}")


def written(path: Path) -> set[tuple[str, str, str]]:
    return {
        (r["state"], r["detail"], r["source"])
        for r in export_facts(path)
        if r["detail"].startswith("writer ")
    }


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    clean = {k: v for k, v in os.environ.items() if k not in ("CCM_DB", "XDG_DATA_HOME")}
    return {**clean, "HOME": str(home)}


def test_four_processes_record_100_facts_each_at_once(
    builtin_db: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    before = len(export_facts(builtin_db))
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER,
                str(builtin_db),
                str(who),
                str(FACTS_EACH),
                str(tmp_path / f"ready-{who}"),
                str(go),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for who in range(WRITERS)
    ]
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"ready-{w}").exists() for w in range(WRITERS)):
        assert time.monotonic() < deadline, "the writers did not start"
        assert all(p.poll() is None for p in procs), [p.communicate() for p in procs]
        time.sleep(0.01)
    go.touch()
    outcomes = [p.communicate(timeout=120) for p in procs]

    reports = []
    for proc, (out, err) in zip(procs, outcomes, strict=True):
        assert proc.returncode == 0, err
        assert not [w for w in LOCK_WORDS if w in err.lower()], err
        assert "error" not in err.lower(), err
        report = json.loads(out)
        assert report["codes"] == [0] * FACTS_EACH, err
        reports.append(report)
    # They really ran at the same time: every writer started before any finished.
    assert max(r["start"] for r in reports) < min(r["end"] for r in reports)

    assert not integrity_problems(builtin_db)
    assert written(builtin_db) == {
        expected(w, i) for w in range(WRITERS) for i in range(FACTS_EACH)
    }
    assert len(export_facts(builtin_db)) == before + WRITERS * FACTS_EACH


def _run_all(commands: list[list[list[str]]], env: dict[str, str]) -> list[list[tuple[int, str]]]:
    """Run each list of commands in its own thread, one after the other; all lists at once."""
    results: list[list[tuple[int, str]]] = [[] for _ in commands]
    barrier = threading.Barrier(len(commands))

    def terminal(n: int) -> None:
        barrier.wait()
        for args in commands[n]:
            proc = subprocess.run(
                [sys.executable, "-m", "ccmtool", *args],
                capture_output=True,
                text=True,
                env=env,
                timeout=120,
            )
            results[n].append((proc.returncode, proc.stderr))

    threads = [threading.Thread(target=terminal, args=(n,)) for n in range(len(commands))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_four_terminals_import_at_once(
    builtin_db: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    before = len(export_facts(builtin_db))
    files_each = 10
    per_file = FACTS_EACH // files_each
    commands: list[list[list[str]]] = []
    for who in range(WRITERS):
        commands.append([])
        for j in range(files_each):
            path = tmp_path / f"writer-{who}-{j}.csv"
            with path.open("w", encoding="utf-8", newline="") as f:
                writer = csv.writer(f, lineterminator="\n")
                writer.writerow(
                    ["state", "record", "subject", "date", "meeting", "detail", "source"]
                )
                for k in range(per_file):
                    i = j * per_file + k
                    state, detail, source = expected(who, i)
                    date = f"{1950 + who}-{1 + i // 28:02d}-{1 + i % 28:02d}"
                    writer.writerow([state, "announced", "other", date, "", detail, source])
            commands[who].append(["import", str(path), "--db", str(builtin_db)])

    results = _run_all(commands, env)
    for terminal in results:
        for code, err in terminal:
            assert code == 0, err
            assert not [w for w in LOCK_WORDS if w in err.lower()], err
            assert f"{per_file} added" in err, err
    assert not integrity_problems(builtin_db)
    assert written(builtin_db) == {
        expected(w, i) for w in range(WRITERS) for i in range(FACTS_EACH)
    }
    assert len(export_facts(builtin_db)) == before + WRITERS * FACTS_EACH


def test_first_use_from_four_terminals_at_once_loses_nothing(
    tmp_path: Path, env: dict[str, str]
) -> None:
    """Nobody has a database yet; four terminals run ccm at the same moment, each of them
    creating the database from the built-in dataset. Every fact any of them was told
    was recorded must be in the one database they end up sharing."""
    each = 5
    # Only the default path is created on first use (an explicit --db must exist).
    env = {**env, "XDG_DATA_HOME": str(tmp_path / "data")}
    env.pop("CCM_DB", None)
    path = tmp_path / "data" / "ccm" / "ccm.db"
    commands = [
        [
            [
                *("record", STATES[who], "announced", "other"),
                *("--date", f"{1950 + who}-01-{1 + i:02d}", "--detail", f"writer {who} fact {i}"),
                *("--source", f"https://example.org/{who}/{i}"),
            ]
            for i in range(each)
        ]
        for who in range(WRITERS)
    ]
    results = _run_all(commands, env)
    for terminal in results:
        for code, err in terminal:
            assert code == 0, err
            assert not [w for w in LOCK_WORDS if w in err.lower()], err
    assert sorted(p.name for p in path.parent.iterdir() if not p.name.startswith("ccm.db-")) == [
        "ccm.db"
    ]
    assert not integrity_problems(path)
    assert written(path) == {expected(w, i) for w in range(WRITERS) for i in range(each)}
