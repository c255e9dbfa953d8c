"""The bad-input corpus (issue 6, item 1): every file in tests/data/bad/ against ccm import.

Each case in tests/data/bad/MANIFEST.csv says what is wrong with the file, the exit code ccm
must give and what stderr must say (`{file}` is the path as given on the command line, and
`&&` separates several things that must all be there). For every case, on a copy of a
database built from the built-in dataset:

- the exit code is the manifest's (1 bad data, 2 bad usage; 0 only for the few valid files);
- stderr is a few short lines that name the file (and line and field where the manifest
  says), with no traceback, no "internal error" and no raw control bytes;
- a refused import leaves the database exactly as it was: the same `ccm export --csv` of
  facts, meetings, instruments, counts and states, and the same bytes in the main file once
  the WAL is checkpointed.

Text that merely looks like SQL or a spreadsheet formula is stored literally and comes back
unchanged (test_lookalike_text_round_trips).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer
from click.testing import Result

from ccmtool import db
from ccmtool.cli import app

Run = Callable[..., Result]  # the `ccm` fixture from conftest.py

BAD = Path(__file__).parent / "data" / "bad"
EXPORTS = ("facts", "meetings", "instruments", "counts", "states")
TEN_MB = 10 * 1024 * 1024
# A refusal is one line (a few at most), or, when an import collects problems, one line
# saying how many and then one line per problem: at most 20, then "stopped after 20".
MAX_LINES_ONE_LINE = 3
MAX_LINES = 21
MAX_LINE_LENGTH = 1000


@dataclass(frozen=True)
class Case:
    file: str
    args: tuple[str, ...]
    expect_exit: int
    needles: tuple[str, ...]
    why: str

    @property
    def id(self) -> str:
        extra = "-".join(re.sub(r"\W+", "", Path(a).name) for a in self.args)
        return self.file.lstrip("@") + (f"[{extra}]" if extra else "")


def load_manifest() -> list[Case]:
    with (BAD / "MANIFEST.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [
        Case(
            file=row["file"],
            args=tuple(a.replace("{dir}", str(BAD)) for a in shlex.split(row["args"])),
            expect_exit=int(row["expect_exit"]),
            needles=tuple(n.strip() for n in row["expect_in_stderr"].split("&&") if n.strip()),
            why=row["why"],
        )
        for row in rows
    ]


CASES = load_manifest()
FAILING = [c for c in CASES if c.expect_exit != 0]


# --- helpers ------------------------------------------------------------------------------


def db_digest(path: Path) -> str:
    """sha256 of the main database file once committed WAL content is copied into it."""
    conn = sqlite3.connect(path)
    try:
        busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        assert busy == 0, "a connection is still open on the database"
    finally:
        conn.close()
    return hashlib.sha256(path.read_bytes()).hexdigest()


_COMMAND = typer.main.get_command(app)


def export(path: Path, what: str, *extra: str) -> str:
    """`ccm export --csv --what WHAT`, run in-process like the `ccm` fixture, but without
    rebuilding the whole Typer application on every call (5 exports per case add up)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            _COMMAND.main(
                ["export", "--csv", "--what", what, *extra, "--db", str(path)], prog_name="ccm"
            )
        except SystemExit as exc:
            assert exc.code in (0, None), err.getvalue()
    return out.getvalue()


def snapshot(path: Path) -> dict[str, str]:
    """Everything a user can see in the database (every export), and the file's bytes."""
    state = {what: export(path, what) for what in EXPORTS}
    state["sha256"] = db_digest(path)
    return state


def materialise(case: Case, tmp_path: Path) -> Path:
    """The path to give ccm: a corpus file, or one made here (too big or odd to commit)."""
    if case.file == "@directory":
        folder = tmp_path / "facts.csv"
        folder.mkdir()
        return folder
    if case.file == "@missing":
        return tmp_path / "no-such-file.csv"
    if case.file == "@10mb_field":
        path = tmp_path / "ten_mb_field.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            f.write((BAD / "header_only.csv").read_text(encoding="utf-8"))
            f.write(
                "Norway,announced,other,2009-01-01,,valid row before the bad one,https://e.org\n"
            )
            f.write("Peru,announced,other,2009,," + "x" * TEN_MB + ",https://example.org/x\n")
        return path
    path = BAD / case.file
    assert path.is_file(), f"{case.file} is in MANIFEST.csv but not in {BAD}"
    return path


def control_characters(text: str) -> list[str]:
    """Characters that would drive a terminal rather than show on it (NUL, ESC, C1...)."""
    return [repr(c) for c in text if c not in "\n\t" and unicodedata.category(c) in ("Cc", "Cs")]


def check_output(result: Result, case: Case, target: Path) -> list[str]:
    """The promises about what the user sees; returns stderr's lines."""
    everything = result.stdout + result.stderr
    assert result.exit_code == case.expect_exit, (
        f"{case.file}: expected exit {case.expect_exit}, got {result.exit_code}\n"
        f"why: {case.why}\nstderr: {result.stderr}"
    )
    assert "Traceback" not in everything
    assert "internal error" not in result.stderr, result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    lines = result.stderr.rstrip("\n").splitlines()
    assert lines, "ccm must say something on stderr"
    problems = re.search(r"import failed: (\d+) problems?", result.stderr)
    limit = 1 + int(problems[1]) if problems else MAX_LINES_ONE_LINE
    assert len(lines) <= min(limit, MAX_LINES), result.stderr
    assert all(len(line) <= MAX_LINE_LENGTH for line in lines), result.stderr
    assert not control_characters(result.stderr), (
        f"raw control characters on stderr: {control_characters(result.stderr)[:5]}"
    )
    if case.expect_exit != 0:
        assert result.stdout == ""
        assert lines[0].startswith("ccm: error:"), result.stderr
    for needle in case.needles:
        expected = needle.replace("{file}", str(target))
        assert expected in result.stderr, f"{expected!r} not in stderr:\n{result.stderr}"
    return lines


_SUMMARY = re.compile(r"(\d+) added, (\d+) updated, \d+ unchanged(?:, (\d+) sources merged)?")


def changed_rows(stderr: str) -> int:
    """Rows an import says it added or updated (and sources it merged), from its summaries."""
    return sum(int(m[1]) + int(m[2]) + int(m[3] or 0) for m in _SUMMARY.finditer(stderr))


# --- fixtures -----------------------------------------------------------------------------


@dataclass
class Template:
    path: Path
    before: dict[str, str]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """A database built from the built-in dataset, in WAL mode, and everything in it.

    It is switched to WAL once here (as the first write by any ccm does), so that the byte
    comparison is about what the import did, not about the journal mode changing.
    """
    path = tmp_path_factory.mktemp("bad-inputs") / "template.db"
    db.create(path)
    db.open_db(path).close()
    return Template(path, snapshot(path))


@pytest.fixture
def database(template: Template, tmp_path: Path) -> Path:
    path = tmp_path / "ccm.db"
    shutil.copyfile(template.path, path)
    return path


# --- the corpus ---------------------------------------------------------------------------


def test_corpus_is_complete() -> None:
    """At least 40 bad inputs, every file listed once or more, every listed file present."""
    listed = {c.file for c in CASES}
    on_disk = {p.name for p in BAD.iterdir()} - {"MANIFEST.csv"}
    assert on_disk <= listed, f"not in MANIFEST.csv: {sorted(on_disk - listed)}"
    assert len(FAILING) >= 40
    assert {"@directory", "@missing", "@10mb_field"} <= listed
    assert all(c.why and c.needles for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(
    ccm: Run, template: Template, database: Path, tmp_path: Path, case: Case
) -> None:
    target = materialise(case, tmp_path)
    result = ccm("import", *case.args, target, "--db", database)
    check_output(result, case, target)
    after = snapshot(database)
    if case.expect_exit != 0 or changed_rows(result.stderr) == 0:
        # Refused, or accepted with nothing to add: not one byte of the database changes.
        for what in (*EXPORTS, "sha256"):
            assert after[what] == template.before[what], f"{what} changed: {case.why}"
    else:
        # Accepted: importing the same file again changes nothing.
        again = ccm("import", *case.args, target, "--db", database)
        assert again.exit_code == 0, again.stderr
        assert changed_rows(again.stderr) == 0, again.stderr
        assert snapshot(database) == after


# A few cases through the real entry point (`python -m ccmtool`), as a user runs it: the same
# exit code, no traceback, and the database untouched.
SUBPROCESS_CASES = [
    c
    for c in FAILING
    if (c.file, c.args)
    in {
        ("empty.csv", ()),
        ("image.png", ()),
        ("unknown_state.csv", ()),
        ("@missing", ()),
        ("nul_in_field.csv", ()),
        ("utf8_read_as_utf16.csv", ("--encoding", "utf-16")),
        ("counts_superscript.csv", ()),
    }
]


@pytest.mark.parametrize("case", SUBPROCESS_CASES, ids=[c.id for c in SUBPROCESS_CASES])
def test_bad_input_through_python_m_ccmtool(
    ccm: Run, template: Template, database: Path, tmp_path: Path, case: Case
) -> None:
    target = materialise(case, tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "ccmtool", "import", *case.args, str(target), "--db", str(database)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == case.expect_exit, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "internal error" not in proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert 1 <= len(lines) <= MAX_LINES_ONE_LINE, proc.stderr
    assert str(target) in proc.stderr
    assert snapshot(database) == template.before


# --- text that only looks dangerous -------------------------------------------------------


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _export(database: Path, what: str, *extra: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(export(database, what, *extra).lstrip("\ufeff"))))


def test_lookalike_text_round_trips(ccm: Run, template: Template, database: Path) -> None:
    """SQL- and formula-looking text is data: stored literally, exported byte for byte."""
    files = [
        BAD / "lookalike_sql.csv",
        BAD / "lookalike_formula.csv",
        BAD / "lookalike_meetings.csv",
    ]
    result = ccm("import", *files, "--db", database)
    assert result.exit_code == 0, result.stderr

    wanted = {
        (r["state"], r["record"], r["subject"], r["date"], r["detail"], r["source"])
        for f in files[:2]
        for r in _rows(f)
    }
    exported = {
        (r["state"], r["record"], r["subject"], r["date"], r["detail"], r["source"])
        for r in _export(database, "facts")
    }
    assert wanted <= exported, sorted(wanted - exported)
    assert len(wanted) == 7

    (meeting,) = _rows(files[2])
    (stored,) = [r for r in _export(database, "meetings") if r["slug"] == meeting["slug"]]
    assert stored == meeting

    # Nothing was run: every table is still there with everything it had.
    before_facts = list(csv.DictReader(io.StringIO(template.before["facts"])))
    assert len(_export(database, "facts")) == len(before_facts) + 7
    for what in ("instruments", "counts", "states"):
        assert export(database, what) == template.before[what]


def test_lookalike_formulas_are_defused_only_for_spreadsheets(ccm: Run, database: Path) -> None:
    """`--excel` (meant for opening in a spreadsheet) prefixes formula-like cells with '."""
    path = BAD / "lookalike_formula.csv"
    assert ccm("import", path, "--db", database).exit_code == 0
    details = {r["detail"] for r in _rows(path)}
    plain = {r["detail"] for r in _export(database, "facts")}
    excel = {r["detail"] for r in _export(database, "facts", "--excel")}
    assert details <= plain
    assert {"'" + d for d in details} <= excel
    assert not details & excel
