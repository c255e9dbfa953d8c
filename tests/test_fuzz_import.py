"""Fuzzing `ccm import` (issue 6, item 2): generated CSV, valid and broken, holds the promises.

Hypothesis writes contract files of every kind: real rows, rows with unknown names, bad dates
and missing sources, random cells full of quotes, commas, newlines and NUL bytes, ragged rows,
broken quoting, wrong headers, truncated files and other encodings. For each one:

- ccm either imports it or refuses it cleanly: the core raises CcmError and nothing else; the
  CLI exits 0, 1 or 2 and never prints a traceback or "internal error";
- a refused file leaves the database exactly as it was (every table, row for row, and the
  schema);
- an accepted file, imported again, changes nothing.

Most examples call the core (`importer.import_files`) directly for speed; a smaller share goes
through the command line. Every example starts from a fresh copy of a small template database.
"""

from __future__ import annotations

import csv
import io
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccmtool import db, importer
from ccmtool.cli import app
from ccmtool.errors import CcmError
from ccmtool.model import ACTIONS, COUNT_RECORDS, INSTRUMENT_KINDS, MEETING_KINDS, RECORDS

CORE_EXAMPLES = 800
CLI_EXAMPLES = 200
MAX_PROBLEM_LINES = 20

MEETINGS_CSV = """\
slug,name,city,country,start_date,end_date,kind,reported,source
oslo-2007,Oslo Conference on Cluster Munitions,Oslo,Norway,2007-02-22,2007-02-23,conference,49,https://e.org/o
lima-2007,Lima Conference on Cluster Munitions,Lima,Peru,2007-05-23,2007-05-25,conference,68,https://e.org/l
wellington-2008,Wellington Conference,Wellington,New Zealand,2008-02-18,2008-02-22,conference,,https://e.org/w
"""
INSTRUMENTS_CSV = """\
slug,name,kind,meeting,date,source
oslo-declaration,Oslo Declaration,declaration,oslo-2007,2007-02-23,https://e.org/o
ccm,Convention on Cluster Munitions,treaty,,2008-05-30,https://e.org/c
"""
COUNTS_CSV = """\
meeting,record,count,detail,source
lima-2007,attended,68,68 states,https://e.org/l
lima-2007,attended,67,"more than 65, says another",https://e.org/m
"""
FACTS_CSV = """\
state,record,subject,date,meeting,detail,source
Peru,hosted,lima-2007,2007-05-23,,,https://e.org/l
Hungary,attended,lima-2007,,,,https://e.org/l | https://e.org/m
Hungary,announced,moratorium,2007-05-25,lima-2007,"Immediate moratorium, at Lima",https://e.org/l
Norway,endorsed,oslo-declaration,2007-02-23,oslo-2007,,https://e.org/o
"""
TABLES = ("states", "aliases", "meetings", "instruments", "counts", "facts", "fact_sources")


# --- what a database holds ----------------------------------------------------------------


def dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table (in a stable order), the schema and its version."""
    conn = sqlite3.connect(path)
    try:
        state = {
            table: sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=lambda r: repr(r))
            for table in TABLES
        }
        state["schema"] = conn.execute(
            "SELECT type, name, sql FROM sqlite_master ORDER BY type, name"
        ).fetchall()
        state["version"] = conn.execute("PRAGMA user_version").fetchall()
    finally:
        conn.close()
    return state


class Template:
    """The template database and what it holds (short repr: Hypothesis prints it)."""

    def __init__(self, path: Path, content: dict[str, object]) -> None:
        self.path = path
        self.content = content

    def __repr__(self) -> str:
        return f"Template({str(self.path)!r})"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """A small database (3 meetings, 2 instruments, counts, 4 facts) in WAL mode."""
    directory = tmp_path_factory.mktemp("fuzz-template")
    path = directory / "template.db"
    db.create(path, seed=False)
    files = []
    for name, text in (
        ("m.csv", MEETINGS_CSV),
        ("i.csv", INSTRUMENTS_CSV),
        ("c.csv", COUNTS_CSV),
        ("f.csv", FACTS_CSV),
    ):
        (directory / name).write_text(text, encoding="utf-8")
        files.append(directory / name)
    conn = db.open_db(path)
    try:
        importer.import_files(conn, files)
    finally:
        conn.close()
    return Template(path, dump(path))


class Workspace:
    """One directory reused by every example: a database reset from the template, a file."""

    def __init__(self, root: Path, template: Path) -> None:
        self.root = root
        self.template = template

    def __repr__(self) -> str:
        return f"Workspace({str(self.root)!r})"

    @property
    def db(self) -> Path:
        return self.root / "fuzz.db"

    @property
    def csv(self) -> Path:
        return self.root / "input.csv"

    def reset(self, data: bytes) -> None:
        for suffix in ("-wal", "-shm"):
            Path(f"{self.db}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(self.template, self.db)
        self.csv.write_bytes(data)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory, template: Template) -> Workspace:
    return Workspace(tmp_path_factory.mktemp("fuzz"), template.path)


# --- generated files ----------------------------------------------------------------------

# Characters that matter to CSV, SQL, spreadsheets and ccm's parsing, and some that look
# like digits or spaces without being ASCII ones.
ALPHABET = (
    "abcXYZ019-_ ,;|'\"\n\r\t\x00\x1b=+@()%*/\\éçôÿ²³½٦٨２\u00a0\u200b\u2028—–‘’“”🙂\ufeff\uffff"
)
random_text = st.text(ALPHABET, max_size=10)


def cell(*pool: str) -> st.SearchStrategy[str]:
    """Mostly a value from the pool (valid or typically wrong), sometimes random text."""
    return st.one_of(st.sampled_from(pool), st.sampled_from(pool), random_text)


STATES = ("Peru", "Norway", "Hungary", "Côte d'Ivoire", "Republic of Korea", "Kosovo", "hu")
BAD_STATES = ("Hungry", "Atlantis", "", "Hungary'; DROP TABLE facts;--", '=HYPERLINK("x")')
DATES = ("", "2007", "2007-05", "2007-05-23", "2008-02-29")
BAD_DATES = ("2007-02-30", "2007-13", "23/05/2007", "May 2007", "2007-5-3", "0000", "２００７")
MEETINGS = ("lima-2007", "oslo-2007", "wellington-2008")
INSTRUMENTS = ("oslo-declaration", "ccm")
SOURCES = ("https://e.org/a", "https://e.org/a | https://e.org/b", "Monitor 2009, p. 3")
NUMBERS = ("68", "0", "", "-3", "sixty", "1e3", "٦٨", "²", " 7 ")

COLUMNS: dict[str, dict[str, st.SearchStrategy[str]]] = {
    "facts": {
        "state": cell(*STATES, *BAD_STATES),
        "code": cell("", "", "PER", "NOR", "XXX", "hu"),
        "record": cell(*RECORDS, "visited", "Attended", ""),
        "subject": cell(*MEETINGS, *INSTRUMENTS, *ACTIONS, "geneva-2099", "lima", ""),
        "date": cell(*DATES, *BAD_DATES),
        "meeting": cell("", "", *MEETINGS, "geneva-2099"),
        "detail": cell("", "said so", "a, b", 'the "Oslo" text', "line\nbreak"),
        "source": cell(*SOURCES, "", " | "),
    },
    "meetings": {
        "slug": cell("geneva-2099", "lima-2007", "Bad Slug", ""),
        "name": cell("Geneva Conference", ""),
        "city": cell("Geneva", ""),
        "country": cell(*STATES, *BAD_STATES),
        "start_date": cell(*DATES, *BAD_DATES),
        "end_date": cell(*DATES, *BAD_DATES),
        "kind": cell(*MEETING_KINDS, "party", ""),
        "reported": cell(*NUMBERS),
        "source": cell(*SOURCES, ""),
    },
    "instruments": {
        "slug": cell("geneva-declaration", "ccm", "Bad Slug", ""),
        "name": cell("Geneva Declaration", ""),
        "kind": cell(*INSTRUMENT_KINDS, "pact", ""),
        "meeting": cell("", *MEETINGS, "geneva-2099"),
        "date": cell(*DATES, *BAD_DATES),
        "source": cell(*SOURCES, ""),
    },
    "counts": {
        "meeting": cell(*MEETINGS, "geneva-2099", ""),
        "record": cell(*COUNT_RECORDS, "visited", ""),
        "count": cell(*NUMBERS),
        "detail": cell("", "more than 65"),
        "source": cell(*SOURCES, ""),
    },
    "states": {
        "code": cell("PER", "HUN", "XKX", "ZZZ", ""),
        "name": cell("Peru", "Hungary", "Kosovo", "Atlantis", ""),
        "region": cell("", "Americas"),
        "subregion": cell("", "South America"),
        "aliases": cell("", "Perú", "Peru", "Hungaria | Magyarország"),
    },
}
CONTRACT_HEADERS = {
    "facts": ["state", "record", "subject", "date", "meeting", "detail", "source"],
    "facts+code": ["state", "code", "record", "subject", "date", "meeting", "detail", "source"],
    **{kind: list(columns) for kind, columns in COLUMNS.items() if kind != "facts"},
}


@st.composite
def header(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A contract header (usually facts), maybe reordered or broken."""
    name = draw(
        st.sampled_from(["facts"] * 6 + ["facts+code"] * 2 + [k for k in COLUMNS if k != "facts"])
    )
    kind = name.split("+")[0]
    columns = list(CONTRACT_HEADERS[name])
    change = draw(st.sampled_from(["none"] * 12 + ["shuffle", "drop", "extra", "repeat", "case"]))
    if change == "shuffle":
        columns = draw(st.permutations(columns))
    elif change == "drop":
        columns.pop(draw(st.integers(0, len(columns) - 1)))
    elif change == "extra":
        columns.insert(draw(st.integers(0, len(columns))), draw(st.sampled_from(["notes", ""])))
    elif change == "repeat":
        columns.append(draw(st.sampled_from(columns)))
    elif change == "case":
        columns = [c.upper() for c in columns]
    return kind, columns


@st.composite
def row(draw: st.DrawFn, kind: str, columns: list[str]) -> list[str]:
    if draw(st.integers(0, 9)) == 0:  # ragged, random
        return draw(st.lists(random_text, max_size=len(columns) + 2))
    pools = COLUMNS[kind]
    return [draw(pools[c]) if c in pools else draw(random_text) for c in columns]


@st.composite
def csv_file(draw: st.DrawFn) -> tuple[bytes, str]:
    """The bytes of one file, and the encoding to tell ccm."""
    kind, columns = draw(header())
    rows = draw(st.lists(row(kind, columns), max_size=6))
    style = draw(st.sampled_from(["csv"] * 6 + ["quote-all", "naive"]))
    newline = draw(st.sampled_from(["\n", "\n", "\r\n", "\r"]))
    if style == "naive":  # no quoting at all: commas, quotes and newlines break the shape
        text = "".join(",".join(r) + newline for r in [columns, *rows])
    else:
        buffer = io.StringIO()
        quoting = csv.QUOTE_ALL if style == "quote-all" else csv.QUOTE_MINIMAL
        csv.writer(buffer, quoting=quoting, lineterminator=newline).writerows([columns, *rows])
        text = buffer.getvalue()
    if draw(st.integers(0, 19)) == 0:
        text = "\ufeff" + text
    encoding = draw(st.sampled_from(["utf-8"] * 10 + ["latin-1", "utf-16", "cp1252"]))
    data = text.encode(encoding, errors="replace")
    damage = draw(st.sampled_from(["none"] * 10 + ["truncate", "bytes", "declared-wrong"]))
    if damage == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif damage == "bytes":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    elif damage == "declared-wrong":
        encoding = draw(st.sampled_from(["utf-8", "latin-1", "utf-16", "ascii"]))
    return data, encoding


# --- the promises -------------------------------------------------------------------------


def import_core(workspace: Workspace, encoding: str) -> list[str] | None:
    """Import through the core; None if accepted, else the error's lines."""
    conn = db.open_db(workspace.db)
    try:
        importer.import_files(conn, [workspace.csv], encoding=encoding)
    except CcmError as exc:
        return [exc.message, *exc.details]
    finally:
        conn.close()
    return None


@settings(
    max_examples=CORE_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
@given(generated=csv_file())
def test_fuzz_import_core(
    workspace: Workspace,
    template: Template,
    generated: tuple[bytes, str],
) -> None:
    data, encoding = generated
    workspace.reset(data)
    refused = import_core(workspace, encoding)
    if refused is not None:
        assert dump(workspace.db) == template.content, (
            f"a refused import changed the database: {refused}"
        )
        assert len(refused) <= 1 + MAX_PROBLEM_LINES, refused
        assert all(str(workspace.csv) in line for line in refused[1:]), refused
        return
    after = dump(workspace.db)
    assert import_core(workspace, encoding) is None, "the same file, imported again, failed"
    assert dump(workspace.db) == after, "importing the same file again changed the database"


_COMMAND = typer.main.get_command(app)


def run_cli(*args: str | Path) -> tuple[int, str, str]:
    """`ccm ARGS...` in-process, the way the console script runs it: (exit code, out, err).

    An exception escaping the CLI propagates and fails the test."""
    out, err = io.StringIO(), io.StringIO()
    code: object = 0
    with redirect_stdout(out), redirect_stderr(err):
        try:
            _COMMAND.main([str(a) for a in args], prog_name="ccm")
        except SystemExit as exc:
            code = exc.code
    return (code if isinstance(code, int) else 1), out.getvalue(), err.getvalue()


def _cli_problems(stderr: str) -> Iterator[str]:
    for marker in ("Traceback", "internal error"):
        if marker in stderr:
            yield marker


@settings(
    max_examples=CLI_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
@given(generated=csv_file())
def test_fuzz_import_cli(
    workspace: Workspace,
    template: Template,
    generated: tuple[bytes, str],
) -> None:
    data, encoding = generated
    workspace.reset(data)
    args = ("import", workspace.csv, "--encoding", encoding, "--db", workspace.db)
    code, out, err = run_cli(*args)
    assert code in (0, 1, 2), (code, err)
    assert not list(_cli_problems(out + err)), err
    if code != 0:
        assert err.startswith("ccm: error:"), err
        assert out == ""
        assert dump(workspace.db) == template.content, (
            f"a refused import changed the database: {err}"
        )
        return
    after = dump(workspace.db)
    again, _, err2 = run_cli(*args)
    assert again == 0, err2
    assert dump(workspace.db) == after, "importing the same file again changed the database"
