"""The bad-input corpus (issues 6 and 13): every file in tests/data/bad/, and generated
hostile targets, against ccm.

Each case in tests/data/bad/MANIFEST.csv says what is wrong with the input, the exit code ccm
must give and what stderr must say (`{file}` is the path as given on the command line, and
`&&` separates several things that must all be there). `command` is the ccm command to run
(empty: `import`, with the file appended); in `args`, `{target}` is the generated or corpus
file and `{dir}` this directory, and `--db` is added unless the case gives its own.
For every case, on a copy of a database built from the built-in dataset:

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
import os
import re
import shlex
import shutil
import socket
import sqlite3
import stat
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
    command: str = "import"

    @property
    def id(self) -> str:
        extra = "-".join(re.sub(r"\W+", "", Path(a).name)[:24] for a in self.args)
        prefix = "" if self.command == "import" else f"{self.command}-"
        return prefix + self.file.lstrip("@") + (f"[{extra}]" if extra else "")

    def argv(self, target: Path | None, database: Path) -> list[str]:
        """The command line: placeholders filled in, the file and --db added as needed."""
        filled = [a.replace("{target}", str(target or "")) for a in self.args]
        argv = [self.command, *filled]
        if self.command == "import" and "{target}" not in " ".join(self.args):
            argv.append(str(target))
        if "--db" not in self.args:
            argv += ["--db", str(database)]
        return argv


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
            command=row.get("command") or "import",
        )
        for row in rows
    ]


CASES = load_manifest()
FAILING = [c for c in CASES if c.expect_exit != 0]


def _param(case: Case) -> object:
    return case


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


def _damaged_copy(template: Path, tmp_path: Path, how: str) -> Path:
    """A copy of the template database, damaged or made inconsistent in one way."""
    path = tmp_path / f"{how}.db"
    shutil.copyfile(template, path)
    size = path.stat().st_size
    if how == "corrupt":
        with path.open("r+b") as f:
            f.seek(size // 4)
            f.write(b"\xff" * (size // 2))
        return path
    if how == "truncated":
        os.truncate(path, size // 2)
        return path
    statements = {
        "orphan_rows": "DELETE FROM states WHERE code = (SELECT state FROM facts ORDER BY id"
        " LIMIT 1)",
        "facts_without_claims": "DELETE FROM claims WHERE fact = (SELECT min(id) FROM facts)",
        "future_schema": "PRAGMA user_version = 99",
    }
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute(statements[how])
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode = DELETE")
    finally:
        conn.close()
    return path


def _special(case: Case, tmp_path: Path, database: Path, template: Path) -> Path | None:
    """Hostile targets made at test time: pipes, devices, sockets, links, huge files."""
    name = case.file
    if name == "@none":
        return None
    if name in ("@fifo", "@symlink_to_fifo"):
        fifo = tmp_path / "pipe.csv"
        os.mkfifo(fifo)
        if name == "@fifo":
            return fifo
        link = tmp_path / "link-to-pipe.csv"
        link.symlink_to(fifo)
        return link
    if name == "@dev_zero":
        return Path("/dev/zero")
    if name == "@dev_null":
        return Path("/dev/null")
    if name == "@char_device":
        if os.geteuid() != 0:
            pytest.skip("making a device node needs root")
        node = tmp_path / "null-device"
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        return node
    if name == "@socket":
        path = tmp_path / "s.sock"
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(path))
        sock.close()
        return path
    if name == "@sparse_3gib":
        path = tmp_path / "sparse.csv"
        with path.open("wb") as f:
            f.truncate(3 * 1024**3)
        return path
    if name == "@long_line_65mib":
        path = tmp_path / "one-line.csv"
        path.write_bytes(b"x" * (65 * 1024**2))
        return path
    if name == "@wide_header_60k":
        path = tmp_path / "wide.csv"
        path.write_text(",".join(f"c{i}" for i in range(60_000)) + "\n", encoding="utf-8")
        return path
    if name == "@database":
        return database
    if name == "@database_symlink":
        link = tmp_path / "link-to-db.csv"
        link.symlink_to(database)
        return link
    if name == "@database_hardlink":
        link = tmp_path / "hardlink-to-db.csv"
        os.link(database, link)
        return link
    if name == "@database_wal":
        return Path(f"{database}-wal")
    if name == "@file_as_parent":
        blocker = tmp_path / "a-file"
        blocker.write_text("not a directory\n", encoding="utf-8")
        return blocker / "out.csv"
    if name == "@unwritable_dir":
        if not Path("/sys/kernel").is_dir():
            pytest.skip("no /sys/kernel to be refused by")
        return Path("/sys/kernel/ccm-export.csv")
    if name == "@text_as_db":
        path = tmp_path / "notes.txt"
        path.write_text("not a database\n", encoding="utf-8")
        return path
    if name.endswith("_db"):
        return _damaged_copy(template, tmp_path, name[1:-3])
    return Path("unreachable")


def materialise(case: Case, tmp_path: Path, database: Path, template: Path) -> Path | None:
    """The path to give ccm: a corpus file, or one made here (too big or odd to commit)."""
    if case.file.startswith("@") and case.file not in ("@directory", "@missing", "@10mb_field"):
        return _special(case, tmp_path, database, template)
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


def check_output(result: Result, case: Case, target: Path | None) -> list[str]:
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
        if case.command != "check":  # `ccm check` shows its table of checks, then fails
            assert result.stdout == ""
        assert lines[0].startswith("ccm: error:"), result.stderr
    for needle in case.needles:
        expected = needle.replace("{file}", str(target or ""))
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
    """At least 40 bad inputs from each round, every file listed once or more, every listed
    file present."""
    listed = {c.file for c in CASES}
    on_disk = {p.name for p in BAD.iterdir()} - {"MANIFEST.csv"}
    assert on_disk <= listed, f"not in MANIFEST.csv: {sorted(on_disk - listed)}"
    assert len(FAILING) >= 80
    assert {"@directory", "@missing", "@10mb_field"} <= listed
    assert all(c.why and c.needles for c in CASES)
    commands = {c.command for c in CASES}
    assert {"import", "export", "sql", "check", "state"} <= commands


def _kind(path: Path | None) -> int | None:
    """The file type of a hostile target, to check that ccm did not replace it."""
    if path is None or not os.path.lexists(path):
        return None
    return stat.S_IFMT(os.lstat(path).st_mode)


@pytest.mark.parametrize("case", [_param(c) for c in CASES], ids=[c.id for c in CASES])
def test_bad_input(
    ccm: Run, template: Template, database: Path, tmp_path: Path, case: Case
) -> None:
    target = materialise(case, tmp_path, database, template.path)
    kind_before = _kind(target)
    damaged = target.read_bytes() if case.command == "check" and target else None
    result = ccm(*case.argv(target, database))
    check_output(result, case, target)
    if case.command != "import":
        # Reads, refused outputs and checks: the target keeps its type (a pipe stays a pipe,
        # a device a device), a checked file its bytes, and the database everything.
        assert _kind(target) == kind_before
        if damaged is not None and target is not None:
            assert target.read_bytes() == damaged, "ccm check changed the file it checked"
        assert snapshot(database) == template.before
        return
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
    target = materialise(case, tmp_path, database, template.path)
    assert target is not None
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
