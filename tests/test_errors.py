"""Bad input (SPEC.md, Errors; issue 2, items 6 and 7).

Every case: exit 1 (bad data) or 2 (bad usage), a short message on stderr that names the file,
line (the header is line 1) and field where there is one, no traceback, and a database left
exactly as it was: the same exports of every table, and the same bytes on disk.
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

Run = Callable[..., Result]  # the `ccm` fixture from conftest.py

MEETINGS_CSV = """\
slug,name,city,country,start_date,end_date,kind,reported,source
oslo-2007,Oslo Conference on Cluster Munitions,Oslo,Norway,2007-02-22,2007-02-23,conference,49,https://ex.org/oslo
lima-2007,Lima Conference on Cluster Munitions,Lima,Peru,2007-05-23,2007-05-25,conference,68,https://ex.org/di
oslo-signing-2008,Oslo Signing Conference,Oslo,Norway,2008-12-03,2008-12-04,signing,94,https://ex.org/sign
"""
INSTRUMENTS_CSV = """\
slug,name,kind,meeting,date,source
oslo-declaration,Oslo Declaration,declaration,oslo-2007,2007-02-23,https://ex.org/oslo
"""
COUNTS_CSV = """\
meeting,record,count,detail,source
lima-2007,attended,67,67 states,https://ex.org/icbl
"""
FACTS_CSV = """\
state,record,subject,date,meeting,detail,source
Peru,hosted,lima-2007,,,,https://ex.org/di
Hungary,attended,lima-2007,,,,https://ex.org/icbl | https://ex.org/di
Hungary,announced,moratorium,2007-05-25,lima-2007,Immediate moratorium,https://ex.org/icbl
"""
FACT_HEADER = "state,record,subject,date,meeting,detail,source\n"
GOOD_FACT = "Netherlands,attended,lima-2007,,,,https://ex.org/di\n"
EXPORTS = ("facts", "meetings", "instruments", "counts", "states")


# --- helpers ------------------------------------------------------------------------------


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def db_digest(path: Path) -> str:
    """The database file's bytes once any committed WAL content is in it."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return sha256(path)


def snapshot(ccm: Run, path: Path) -> dict[str, str]:
    """Everything a user can see in the database, plus the file's bytes."""
    seen = {}
    for what in EXPORTS:
        result = ccm("export", "--csv", "--what", what, "--db", path)
        assert result.exit_code == 0, result.stderr
        seen[what] = result.stdout
    seen["sha256"] = db_digest(path)
    return seen


def assert_refused(result: Result, codes: tuple[int, ...] = (1, 2)) -> list[str]:
    """A clean refusal: the right exit code, a short stderr, no traceback. Its lines."""
    assert result.exit_code in codes, f"exit {result.exit_code}: {result.stderr}"
    everything = result.stdout + result.stderr
    assert "Traceback" not in everything
    assert "internal error" not in result.stderr, result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines, "an error must say something on stderr"
    assert lines[0].startswith("ccm: error:"), result.stderr
    assert len(lines) <= 3, result.stderr
    assert all(len(line) < 1000 for line in lines)
    return lines


def assert_names(lines: list[str], *parts: str) -> None:
    """One line of the message names every part (file:line:, field, value)."""
    assert any(all(p in line for p in parts) for line in lines), (parts, lines)


_TEMPLATE: dict[str, tuple[Path, dict[str, str]]] = {}


def template(ccm: Run, factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A small database, built once per session through the CLI, and everything in it."""
    if "small" not in _TEMPLATE:
        directory = factory.mktemp("errors")
        path = directory / "template.db"
        assert ccm("init", "--empty", "--db", path).exit_code == 0
        files = []
        for name, text in (
            ("m.csv", MEETINGS_CSV),
            ("i.csv", INSTRUMENTS_CSV),
            ("c.csv", COUNTS_CSV),
            ("f.csv", FACTS_CSV),
        ):
            (directory / name).write_text(text, encoding="utf-8")
            files.append(directory / name)
        result = ccm("import", *files, "--db", path)
        assert result.exit_code == 0, result.stderr
        _TEMPLATE["small"] = (path, snapshot(ccm, path))
    return _TEMPLATE["small"]


@pytest.fixture
def small_db(ccm: Run, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the small database: three meetings, one instrument, one count, three facts."""
    path = tmp_path / "small.db"
    shutil.copy(template(ccm, tmp_path_factory)[0], path)
    return path


@pytest.fixture
def baseline(ccm: Run, small_db: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """What `small_db` holds before the test: the template's exports and bytes."""
    before = template(ccm, tmp_path_factory)[1]
    assert db_digest(small_db) == before["sha256"]
    return before


# --- commands with bad arguments ----------------------------------------------------------

COMMAND_CASES = [
    # id, arguments, what the message must mention
    ("unknown-state", ["record", "Atlantis", "attended", "lima", "-s", "x"], ["Atlantis"]),
    ("near-miss-state", ["attend", "Hungry", "lima", "-s", "x"], ["Hungry", "Hungary"]),
    ("state-command", ["state", "Atlantis"], ["Atlantis"]),
    ("unknown-meeting", ["attend", "Peru", "geneva", "-s", "x"], ["geneva"]),
    ("unknown-meeting-attendance", ["attendance", "geneva"], ["geneva"]),
    ("ambiguous-meeting", ["attend", "Peru", "oslo", "-s", "x"], ["oslo-2007", "oslo-signing"]),
    ("unknown-record", ["record", "Peru", "visited", "lima", "-s", "x"], ["record", "visited"]),
    ("unknown-instrument", ["endorse", "Peru", "treaty-of-x", "-s", "x"], ["treaty-of-x"]),
    (
        "unknown-action",
        ["announce", "Peru", "ban", "--detail", "d", "-s", "x"],
        ["ban"],
    ),
    ("unknown-fact", ["remove", "999"], ["999"]),
    ("date-month-13", ["record", "Peru", "attended", "lima", "-d", "2007-13", "-s", "x"], []),
    ("date-feb-30", ["record", "Peru", "attended", "lima", "-d", "2007-02-30", "-s", "x"], []),
    ("date-words", ["record", "Peru", "attended", "lima", "-d", "May 2007", "-s", "x"], []),
    ("empty-source", ["record", "Peru", "attended", "lima", "-s", ""], ["source"]),
    ("blank-source", ["attend", "Peru", "lima", "-s", "   "], ["source"]),
    (
        "meeting-bad-start",
        ["add-meeting", "x-2007", "--name", "X", "--source", "s", "--start", "2007-13"],
        ["--start", "2007-13"],
    ),
    (
        "meeting-end-before-start",
        [
            "add-meeting",
            "x-2007",
            "--name",
            "X",
            "--source",
            "s",
            "--start",
            "2007-05",
            "--end",
            "2007-04",
        ],
        ["--end"],
    ),
    (
        "meeting-bad-kind",
        ["add-meeting", "x-2007", "--name", "X", "--source", "s", "--kind", "party"],
        ["party"],
    ),
    (
        "meeting-unknown-country",
        ["add-meeting", "x-2007", "--name", "X", "--source", "s", "--country", "Atlantis"],
        ["Atlantis"],
    ),
    ("meeting-bad-slug", ["add-meeting", "Lima 2007", "--name", "X", "--source", "s"], ["slug"]),
    (
        "instrument-bad-date",
        ["add-instrument", "x", "--name", "X", "--source", "s", "--date", "2008-02-30"],
        ["--date"],
    ),
]


@pytest.mark.parametrize(
    ("args", "mentions"), [c[1:] for c in COMMAND_CASES], ids=[c[0] for c in COMMAND_CASES]
)
def test_bad_command_input_is_refused_and_changes_nothing(
    ccm: Run, small_db: Path, args: list[str], mentions: list[str], baseline: dict[str, str]
) -> None:
    before = baseline
    lines = assert_refused(ccm(*args, "--db", small_db))
    assert len(lines) == 1
    for part in mentions:
        assert part in lines[0], (part, lines)
    assert snapshot(ccm, small_db) == before


@pytest.mark.parametrize("date", ["2007-13", "2007-02-30", "May 2007"])
def test_bad_date_names_the_field_and_the_value(ccm: Run, small_db: Path, date: str) -> None:
    lines = assert_refused(
        ccm("record", "Peru", "attended", "lima", "--date", date, "-s", "x", "--db", small_db)
    )
    assert date in lines[0]
    assert "--date" in lines[0]


def test_near_miss_state_hint(ccm: Run, small_db: Path) -> None:
    lines = assert_refused(ccm("state", "Hungry", "--db", small_db))
    assert "Hungary" in lines[0]


# --- usage errors: exit 2 -----------------------------------------------------------------

USAGE_CASES = [
    ("missing-argument", ["attendance"]),
    ("unknown-option", ["attendance", "lima", "--bogus"]),
    ("unknown-command", ["frobnicate"]),
    ("not-an-integer", ["remove", "abc"]),
    ("missing-source-option", ["record", "Peru", "attended", "lima"]),
    ("two-export-formats", ["export", "--csv", "--json"]),
    ("unknown-export-kind", ["export", "--what", "people"]),
    ("unknown-format", ["meetings", "--format", "nope"]),
]


@pytest.mark.parametrize("args", [c[1] for c in USAGE_CASES], ids=[c[0] for c in USAGE_CASES])
def test_bad_usage_exits_2(
    ccm: Run, small_db: Path, args: list[str], baseline: dict[str, str]
) -> None:
    before = baseline
    result = ccm(*args, "--db", small_db)
    assert result.exit_code == 2, f"exit {result.exit_code}: {result.stderr}"
    assert "Traceback" not in result.stdout + result.stderr
    assert "internal error" not in result.stderr, result.stderr
    assert result.stderr.strip()
    assert snapshot(ccm, small_db) == before


# --- bad files ----------------------------------------------------------------------------

# id, file name, bytes, line, field (or "" where none), extra words the message must carry
FILE_CASES: list[tuple[str, str, bytes, int, str, list[str]]] = [
    ("date-month-13", "f.csv", b"Peru,attended,lima-2007,2007-13,,,x\n", 3, "date", ["2007-13"]),
    (
        "date-feb-30",
        "f.csv",
        b"Peru,attended,lima-2007,2007-02-30,,,x\n",
        3,
        "date",
        ["2007-02-30"],
    ),
    ("date-words", "f.csv", b"Peru,attended,lima-2007,May 2007,,,x\n", 3, "date", ["May 2007"]),
    ("unknown-state", "f.csv", b"Hungry,attended,lima-2007,,,,x\n", 3, "state", ["Hungary"]),
    ("empty-state", "f.csv", b",attended,lima-2007,,,,x\n", 3, "state", []),
    ("unknown-record", "f.csv", b"Peru,visited,lima-2007,,,,x\n", 3, "record", ["visited"]),
    ("unknown-meeting", "f.csv", b"Peru,attended,geneva-2007,,,,x\n", 3, "subject", ["geneva"]),
    ("unknown-instrument", "f.csv", b"Peru,endorsed,x-decl,,,,x\n", 3, "subject", ["x-decl"]),
    ("unknown-action", "f.csv", b"Peru,announced,ban,,,,x\n", 3, "subject", ["ban"]),
    ("unknown-fact-meeting", "f.csv", b"Peru,announced,other,,geneva,d,x\n", 3, "meeting", []),
    ("no-source", "f.csv", b"Peru,attended,lima-2007,,,,\n", 3, "source", []),
    ("blank-source", "f.csv", b"Peru,attended,lima-2007,,,, | \n", 3, "source", []),
    ("ragged-row", "f.csv", b"Peru,attended,lima-2007,,,\n", 3, "", ["7", "6"]),
    ("unterminated-quote", "f.csv", b'Peru,attended,lima-2007,,,"oops,x\n', 3, "", ["quot"]),
    ("not-utf8", "f.csv", b"C\xf4te d'Ivoire,attended,lima-2007,,,,x\n", 3, "", ["latin-1"]),
]


@pytest.mark.parametrize(
    ("body", "line", "field", "words"),
    [c[2:] for c in FILE_CASES],
    ids=[c[0] for c in FILE_CASES],
)
def test_bad_fact_file_is_refused_naming_file_line_and_field(
    ccm: Run,
    small_db: Path,
    tmp_path: Path,
    body: bytes,
    line: int,
    field: str,
    words: list[str],
    baseline: dict[str, str],
) -> None:
    path = tmp_path / "bad facts.csv"
    path.write_bytes(FACT_HEADER.encode() + GOOD_FACT.encode() + body)
    file_before = sha256(path)
    before = baseline
    lines = assert_refused(ccm("import", path, "--db", small_db))
    where = f"{path}:{line}:"
    assert_names(lines, where, *([f"{field}:"] if field else []), *words)
    assert snapshot(ccm, small_db) == before
    assert sha256(path) == file_before


def test_bad_code_column_is_refused(
    ccm: Run, small_db: Path, tmp_path: Path, baseline: dict[str, str]
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "state,code,record,subject,date,meeting,detail,source\n"
        "Peru,PER,attended,lima-2007,,,,x\n"
        "Peru,QQQ,attended,lima-2007,,,,x\n",
        encoding="utf-8",
    )
    before = baseline
    lines = assert_refused(ccm("import", path, "--db", small_db))
    assert_names(lines, f"{path}:3:", "QQQ")
    assert snapshot(ccm, small_db) == before


def test_wrong_header_is_refused_at_line_1(
    ccm: Run, small_db: Path, tmp_path: Path, baseline: dict[str, str]
) -> None:
    path = tmp_path / "wrong.csv"
    path.write_text(
        "country,record,subject,date,meeting,detail,source\nPeru,attended,lima-2007,,,,x\n"
    )
    before = baseline
    lines = assert_refused(ccm("import", path, "--db", small_db))
    assert_names(lines, f"{path}:1:", "header")
    assert "country" in "\n".join(lines)
    assert snapshot(ccm, small_db) == before


MEETINGS_HEADER = MEETINGS_CSV.splitlines()[0]
COUNTS_HEADER = COUNTS_CSV.splitlines()[0]
INSTRUMENTS_HEADER = INSTRUMENTS_CSV.splitlines()[0]
# id, file name, the bad row (line 2), the field the message must name
OTHER_FILE_CASES = [
    ("meeting-kind", "meetings.csv", "x-2007,X,X,Peru,2007-05-23,2007-05-25,party,,s", "kind"),
    ("meeting-reported", "meetings.csv", "x-2007,X,X,Peru,2007,2007,regional,many,s", "reported"),
    ("meeting-date", "meetings.csv", "x-2007,X,X,Peru,2007-05-32,,regional,,s", "start_date"),
    ("meeting-country", "meetings.csv", "x-2007,X,X,Atlantis,2007,,regional,,s", "Atlantis"),
    ("meeting-source", "meetings.csv", "x-2007,X,X,Peru,2007,,regional,,", "source"),
    ("count-integer", "counts.csv", "lima-2007,attended,sixty,,s", "count"),
    ("count-meeting", "counts.csv", "geneva-2007,attended,6,,s", "meeting"),
    ("count-record", "counts.csv", "lima-2007,visited,6,,s", "record"),
    ("instrument-meeting", "instruments.csv", "x-decl,X,declaration,geneva-2007,2007,s", "meeting"),
    ("instrument-source", "instruments.csv", "x-decl,X,declaration,,2007,", "source"),
]
HEADERS = {
    "meetings.csv": MEETINGS_HEADER,
    "counts.csv": COUNTS_HEADER,
    "instruments.csv": INSTRUMENTS_HEADER,
}


@pytest.mark.parametrize(
    ("name", "row", "field"),
    [c[1:] for c in OTHER_FILE_CASES],
    ids=[c[0] for c in OTHER_FILE_CASES],
)
def test_bad_rows_in_other_contract_files(
    ccm: Run,
    small_db: Path,
    tmp_path: Path,
    name: str,
    row: str,
    field: str,
    baseline: dict[str, str],
) -> None:
    path = tmp_path / name
    path.write_text(f"{HEADERS[name]}\n{row}\n", encoding="utf-8")
    before = baseline
    lines = assert_refused(ccm("import", path, "--db", small_db))
    assert_names(lines, f"{path}:2:", field)
    assert snapshot(ccm, small_db) == before


def test_one_bad_file_means_nothing_from_any_file(
    ccm: Run, small_db: Path, tmp_path: Path, baseline: dict[str, str]
) -> None:
    meetings = tmp_path / "new-meetings.csv"
    meetings.write_text(
        MEETINGS_CSV.splitlines()[0]
        + "\nvienna-2007,Vienna Conference,Vienna,Austria,2007-12-05,2007-12-07,conference,138,s\n",
        encoding="utf-8",
    )
    good = tmp_path / "good.csv"
    good.write_text(FACT_HEADER + "Austria,hosted,vienna-2007,,,,s\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(FACT_HEADER + GOOD_FACT + "Peru,attended,lima-2007,2007-13,,,x\n")
    before = baseline
    lines = assert_refused(ccm("import", meetings, good, bad, "--db", small_db))
    assert_names(lines, f"{bad}:3:", "date")
    assert snapshot(ccm, small_db) == before


def test_every_problem_is_listed_with_its_line(
    ccm: Run, small_db: Path, tmp_path: Path, baseline: dict[str, str]
) -> None:
    path = tmp_path / "many.csv"
    path.write_text(
        FACT_HEADER + "".join(f"Peru,attended,lima-2007,2007-{m:02d}-31,,,x\n" for m in (2, 4, 6)),
        encoding="utf-8",
    )
    before = baseline
    result = ccm("import", path, "--db", small_db)
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    for line in (2, 3, 4):
        assert f"{path}:{line}: date:" in result.stderr
    assert snapshot(ccm, small_db) == before


def test_missing_file(ccm: Run, small_db: Path, tmp_path: Path, baseline: dict[str, str]) -> None:
    path = tmp_path / "nowhere.csv"
    before = baseline
    lines = assert_refused(ccm("import", path, "--db", small_db))
    assert_names(lines, str(path))
    assert snapshot(ccm, small_db) == before


def test_directory_instead_of_file(
    ccm: Run, small_db: Path, tmp_path: Path, baseline: dict[str, str]
) -> None:
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    before = baseline
    lines = assert_refused(ccm("import", folder, "--db", small_db))
    assert_names(lines, str(folder), "directory")
    assert snapshot(ccm, small_db) == before


def test_empty_file(ccm: Run, small_db: Path, tmp_path: Path, baseline: dict[str, str]) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    before = baseline
    lines = assert_refused(ccm("import", path, "--db", small_db))
    assert_names(lines, str(path))
    assert snapshot(ccm, small_db) == before


def test_binary_file(ccm: Run, small_db: Path, tmp_path: Path, baseline: dict[str, str]) -> None:
    path = tmp_path / "image.csv"
    path.write_bytes(FACT_HEADER.encode() + b"\x00\x01\x02PNG\x00\n")
    before = baseline
    lines = assert_refused(ccm("import", path, "--db", small_db))
    assert_names(lines, str(path))
    assert snapshot(ccm, small_db) == before


def test_latin1_file_fails_as_utf8_then_imports_with_encoding(
    ccm: Run, small_db: Path, tmp_path: Path, baseline: dict[str, str]
) -> None:
    path = tmp_path / "latin1.csv"
    text = FACT_HEADER + "Côte d'Ivoire,attended,lima-2007,,,délégation à Lima,Rapport §3\n"
    path.write_bytes(text.encode("latin-1"))
    before = baseline
    lines = assert_refused(ccm("import", path, "--db", small_db))
    assert_names(lines, f"{path}:2:", "latin-1")
    assert snapshot(ccm, small_db) == before

    result = ccm("import", path, "--encoding", "latin-1", "--db", small_db)
    assert result.exit_code == 0, result.stderr
    exported = list(csv.DictReader(io.StringIO(snapshot(ccm, small_db)["facts"])))
    civ = [r for r in exported if r["code"] == "CIV"]
    assert [(r["state"], r["detail"], r["source"]) for r in civ] == [
        ("Côte d'Ivoire", "délégation à Lima", "Rapport §3")
    ]


def test_unknown_encoding_is_refused(
    ccm: Run, small_db: Path, tmp_path: Path, baseline: dict[str, str]
) -> None:
    path = tmp_path / "f.csv"
    path.write_text(FACT_HEADER + GOOD_FACT, encoding="utf-8")
    before = baseline
    lines = assert_refused(ccm("import", path, "--encoding", "klingon", "--db", small_db))
    assert "klingon" in lines[0]
    assert snapshot(ccm, small_db) == before


# --- a --db that is not ccm's -------------------------------------------------------------

DB_COMMANDS = [
    ["info"],
    ["meetings"],
    ["attendance", "lima"],
    ["state", "Peru"],
    ["add-state", "Peru"],
    ["attend", "Peru", "lima", "-s", "x"],
    ["export", "--csv"],
    ["import", "FACTS"],
    ["init", "--force"],
    ["init", "--empty", "--force"],
]


def _other_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('not ccm data')")
    conn.commit()
    conn.close()


def _run_against(ccm: Run, target: Path, args: list[str], facts: Path) -> Result:
    return ccm(*[str(facts) if a == "FACTS" else a for a in args], "--db", target)


@pytest.mark.parametrize("args", DB_COMMANDS, ids=lambda a: "-".join(a[:2]))
def test_db_that_is_a_text_file_is_refused(ccm: Run, tmp_path: Path, args: list[str]) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("Meeting notes, Lima, May 2007.\n", encoding="utf-8")
    facts = tmp_path / "f.csv"
    facts.write_text(FACT_HEADER + GOOD_FACT, encoding="utf-8")
    before = sha256(target)
    lines = assert_refused(_run_against(ccm, target, args, facts))
    assert str(target) in lines[0]
    assert sha256(target) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("notes")) == ["notes.txt"]


@pytest.mark.parametrize("args", DB_COMMANDS, ids=lambda a: "-".join(a[:2]))
def test_db_of_another_application_is_refused(ccm: Run, tmp_path: Path, args: list[str]) -> None:
    target = tmp_path / "other.sqlite"
    _other_sqlite(target)
    facts = tmp_path / "f.csv"
    facts.write_text(FACT_HEADER + GOOD_FACT, encoding="utf-8")
    before = sha256(target)
    lines = assert_refused(_run_against(ccm, target, args, facts))
    assert str(target) in lines[0]
    assert sha256(target) == before
    conn = sqlite3.connect(target)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    finally:
        conn.close()
    assert tables == ["notes"]


def test_db_of_another_application_given_as_a_relative_path(
    ccm: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    _other_sqlite(work / "other.sqlite")
    before = sha256(work / "other.sqlite")
    monkeypatch.chdir(work)
    for args in (["info"], ["add-state", "Peru"]):
        lines = assert_refused(ccm(*args, "--db", "other.sqlite"))
        assert "other.sqlite" in lines[0]
    assert sha256(work / "other.sqlite") == before


def test_db_that_is_a_directory_is_refused(ccm: Run, tmp_path: Path) -> None:
    folder = tmp_path / "adir"
    folder.mkdir()
    for args in (["info"], ["add-state", "Peru"], ["init", "--force"]):
        lines = assert_refused(ccm(*args, "--db", folder))
        assert str(folder) in lines[0]
    assert list(folder.iterdir()) == []


def test_export_to_a_directory_is_refused(ccm: Run, small_db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "keep.txt").write_text("kept", encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    lines = assert_refused(ccm("export", "--csv", "-o", folder, "--db", small_db))
    assert str(folder) in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no stray temporary file
    assert [p.name for p in folder.iterdir()] == ["keep.txt"]


def test_duplicated_column_is_refused_at_line_1(
    ccm: Run, small_db: Path, tmp_path: Path, baseline: dict[str, str]
) -> None:
    """Two `source` columns: reading either one would silently drop the other's data."""
    path = tmp_path / "twice.csv"
    path.write_text(
        "state,record,subject,date,meeting,detail,source,source\n"
        "Netherlands,attended,lima-2007,,,,https://ex.org/a,https://ex.org/b\n",
        encoding="utf-8",
    )
    lines = assert_refused(ccm("import", path, "--db", small_db))
    assert_names(lines, f"{path}:1:", "source")
    assert snapshot(ccm, small_db) == baseline
