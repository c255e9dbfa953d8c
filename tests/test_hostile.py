"""Hostile use, round two (issue 13): names that mislead, inputs that hang, outputs that
clobber, queries that never end, and faults that used to read "internal error".

The file-by-file corpus of refusals is tests/data/bad/MANIFEST.csv (test_bad_inputs.py);
this file tests the mechanisms behind it directly: name resolution (fuzzed for correctness
and for bounded work), the safe writer and bounded reader in `ccmtool.safeio` (permissions,
links, signals, a full disk), `ccm sql`'s limits, `ccm check`, and the CLI's one-line errors.
"""

from __future__ import annotations

import csv
import io
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_names import ALL_NAMES

from ccmtool import names, safeio, sqlquery
from ccmtool.check import run_checks
from ccmtool.errors import CcmError, UsageError

Run = Callable[..., Result]  # the `ccm` fixture from conftest.py
ROOT = os.geteuid() == 0
SRC = Path(__file__).resolve().parents[1] / "src"


def clean_error(result: Result, exit_code: int | tuple[int, ...] = 1) -> str:
    """One `ccm: error:` line (a few at most), the given exit code, no traceback."""
    codes = exit_code if isinstance(exit_code, tuple) else (exit_code,)
    assert result.exit_code in codes, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "internal error" not in result.stderr
    assert result.stderr.startswith("ccm: error:"), result.stderr
    assert len(result.stderr.strip().splitlines()) <= 3, result.stderr
    return result.stderr


def run_python(code: str, **kwargs: object) -> subprocess.Popen[str]:
    """A child Python with this checkout's ccmtool importable, as the real CLI would run."""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        **kwargs,  # type: ignore[arg-type]
    )


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail (instead of hanging the suite) if the block blocks: SIGALRM after `seconds`."""

    def expired(_signum: int, _frame: object) -> None:
        raise AssertionError(f"still blocked after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# --- names: one state, not a place inside one, one script ----------------------------------

REFUSED = [
    # (spelling, words the reason must contain)
    ("Korea and Japan", "more than one state"),
    ("Japan and Korea", "more than one state"),
    ("Korea Japan", "more than one state"),
    ("Congo and Gabon", "more than one state"),
    ("Guinea and Guinea-Bissau", "more than one state"),
    ("Sudan/South Sudan", "more than one state"),
    ("Congo, Gabon", "more than one state"),
    ("Iraqi Kurdistan", "Kurdistan"),
    ("Kurdistan Region of Iraq", "Kurdistan"),
    ("Northern Cyprus", "part of Cyprus"),
    ("Turkish Republic of Northern Cyprus", "part of Cyprus"),
    ("Southern Lebanon", "part of Lebanon"),
    ("Scotland, United Kingdom", "Scotland"),
    ("England", "England"),
    ("Somaliland", "Somaliland"),
    ("Gaza", "Gaza"),
    ("West Bank", "West Bank"),
    ("Paris, France", "place in France"),
    ("Cyprus (Greek part)", "place in Cyprus"),
    ("Kuwait City", "part of Kuwait"),
    ("Czechoslovakia", "former state"),
    ("Bulg\u0430ria", "scripts"),  # Cyrillic а
    ("\u03a1eru", "scripts"),  # Greek capital Rho
    ("Hun\u200bgary", "invisible"),
    ("\u202eyragnuH", "invisible"),
    ("Hungary" * 60, "too long"),
]


@pytest.mark.parametrize(("spelling", "reason"), REFUSED)
def test_misleading_spellings_are_refused_and_say_why(spelling: str, reason: str) -> None:
    assert names.find(spelling) is None
    why = names.refusal(spelling)
    assert why is not None and reason in why, why
    with pytest.raises(names.NameRefused) as caught:
        names.check_spelling(spelling)
    assert isinstance(caught.value, CcmError)  # every caller already turns it into a line
    assert len(caught.value.message) < 300
    assert "\u200b" not in caught.value.message and "\u202e" not in caught.value.message


# Spellings the one-state check must not refuse: lists inside real names, qualifiers that
# are part of the name, capitals that tell namesakes apart, ISO 3166-1's own forms.
ACCEPTED = [
    ("Trinidad and Tobago", "TTO"),
    ("Trinidad & Tobago", "TTO"),
    ("Bosnia & Herzegovina", "BIH"),
    ("Antigua & Barbuda", "ATG"),
    ("St. Vincent & the Grenadines", "VCT"),
    ("Sao Tome & Principe", "STP"),
    ("Turks & Caicos", "TCA"),
    ("Great Britain and Northern Ireland", "GBR"),
    ("North Korea", "PRK"),
    ("South Sudan", "SSD"),
    ("East Timor", "TLS"),
    ("Western Sahara", "ESH"),
    ("South Georgia", "SGS"),
    ("Vatican City", "VAT"),
    ("Congo Kinshasa", "COD"),
    ("Congo (Kinshasa)", "COD"),
    ("Congo Brazzaville", "COG"),
    ("Guinea Conakry", "GIN"),
    ("Guinea Bissau", "GNB"),
    ("Papua New Guinea", "PNG"),
    ("Cote d'Ivoire (Ivory Coast)", "CIV"),
    ("Korea, Republic of", "KOR"),
    ("Korea, Democratic People's Republic of", "PRK"),
    ("Iran, Islamic Republic of", "IRN"),
    ("Moldova, Republic of", "MDA"),
    ("Palestine, State of", "PSE"),
    ("Bolivia, Plurinational State of", "BOL"),
    ("Venezuela, Bolivarian Republic of", "VEN"),
    ("Congo, The Democratic Republic of the", "COD"),
    ("Tanzania, United Republic of", "TZA"),
    ("Taiwan, Province of China", "TWN"),
    ("Virgin Islands, British", "VGB"),
    ("Virgin Islands, U.S.", "VIR"),
    ("Netherlands, Kingdom of the", "NLD"),
    ("Macedonia, the former Yugoslav Republic of", "MKD"),
    ("Falkland Islands (Malvinas)", "FLK"),
    ("Saint Martin (French part)", "MAF"),
    ("\U0001d401\U0001d42e\U0001d425\U0001d420\U0001d41a\U0001d42b\U0001d422\U0001d41a", "BGR"),
    ("\uff2a\uff41\uff50\uff41\uff4e", "JPN"),  # full-width Latin: one script
]


@pytest.mark.parametrize(("spelling", "code"), ACCEPTED + ALL_NAMES)
def test_real_spellings_still_resolve(spelling: str, code: str) -> None:
    country = names.find(spelling)
    assert country is not None and country.code == code, (spelling, names.refusal(spelling))
    names.check_spelling(spelling)  # and would be accepted as an alias


@pytest.mark.parametrize(
    "spelling", ["日本", "Ελλάδα", "Россия", "대한민국", "にっぽん日本", "Oʻzbekiston"]
)
def test_one_writing_system_is_not_mixed_scripts(spelling: str) -> None:
    """Japanese and Korean mix scripts by design; a modifier letter belongs to none."""
    why = names.refusal(spelling)
    assert why is None or "scripts" not in why


_STATES = sorted({c["name_short"] for c in names._countries() if c["un"]})
_SEPARATORS = [" and ", ", ", "/", " & ", "; ", " or "]


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(_STATES),
    st.sampled_from(_STATES),
    st.sampled_from(_SEPARATORS),
)
def test_two_states_in_one_text_never_resolve(first: str, second: str, separator: str) -> None:
    if names.find(first) == names.find(second):
        return
    assert names.find(first + separator + second) is None


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(ALL_NAMES),
    st.lists(st.booleans(), min_size=60, max_size=60),
    st.sampled_from(["", " ", "  ", "\t"]),
)
def test_case_and_spacing_do_not_change_a_resolution(
    pair: tuple[str, str], flips: list[bool], pad: str
) -> None:
    spelling, code = pair
    varied = "".join(
        c.swapcase() if f else c for c, f in zip(spelling, [*flips, *[False] * 99], strict=False)
    )
    country = names.find(pad + varied.replace(" ", "  ") + pad)
    assert country is not None and country.code == code


class _Spy:
    """Wraps a library pattern to record the length of every text it is run on."""

    def __init__(self, pattern: object, seen: list[int]) -> None:
        self.pattern = pattern
        self.seen = seen

    def search(self, text: str) -> object:
        self.seen.append(len(text))
        return self.pattern.search(text)  # type: ignore[attr-defined]


_HOSTILE_TEXT = st.lists(
    st.sampled_from([*"aeiou rnkgd.,'()&/-1", "korea", "china", "rep", " and "]), max_size=1500
).map("".join)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(_HOSTILE_TEXT)
def test_patterns_only_ever_see_short_text(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    """The work is bounded whatever the input: the library's regular expressions (some of
    which backtrack) never run on more than MAX_NAME_LENGTH characters, and one resolution
    runs at most a bounded number of them."""
    seen: list[int] = []
    real = names._pattern
    monkeypatch.setattr(names, "_pattern", lambda info: _Spy(real(info), seen))
    names._match.cache_clear()
    names._lookup_cached.cache_clear()
    names.find(text)
    names.refusal(text)
    assert all(n <= names.MAX_NAME_LENGTH for n in seen)
    assert len(seen) <= len(names._countries()) * 2 * (names.MAX_NAME_LENGTH + 4)


@pytest.mark.parametrize("n", [34, 60, 200, 100_000])
def test_the_backtracking_name_answers_at_once(n: int) -> None:
    """'a' + 34 dots + '1' froze `state` and `import` (the old name pattern was exponential
    in the run of separators: ~1 s at 24 dots, doubling with each one). Generous bound."""
    text = "a" + "." * n + "1"
    names._lookup_cached.cache_clear()
    start = time.perf_counter()
    assert names.find(text) is None
    assert time.perf_counter() - start < 2.0


def test_ccm_state_refuses_two_states(ccm: Run, builtin_db: Path) -> None:
    stderr = clean_error(ccm("state", "Korea and Japan", "--db", builtin_db), (1, 2))
    assert "Korea and Japan" in stderr


# --- outputs --------------------------------------------------------------------------------


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """A directory holding only what the test writes (tmp_path also holds the test's HOME)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@contextmanager
def umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_a_new_output_gets_the_umask_mode(tmp_path: Path, mask: int, mode: int) -> None:
    target = tmp_path / "new.csv"
    with umask(mask), safeio.open_output(target) as handle:
        handle.write("a,b\n")
    assert stat.S_IMODE(target.stat().st_mode) == mode
    assert target.read_text(encoding="utf-8") == "a,b\n"


def test_an_existing_output_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "shared.csv"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o664)
    with umask(0o077), safeio.open_output(target) as handle:
        handle.write("new\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o664
    assert target.read_text(encoding="utf-8") == "new\n"


def test_a_symlink_is_written_through_and_kept(tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "latest.csv"
    link.symlink_to(real)
    with safeio.open_output(link) as handle:
        handle.write("new\n")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text(encoding="utf-8") == "new\n"


def test_a_failed_write_leaves_the_old_file_and_no_temporary(out: Path) -> None:
    target = out / "facts.csv"
    target.write_text("precious\n", encoding="utf-8")
    with pytest.raises(RuntimeError), safeio.open_output(target) as handle:
        handle.write("half")
        raise RuntimeError("the export failed half-way")
    assert target.read_text(encoding="utf-8") == "precious\n"
    assert sorted(p.name for p in out.iterdir()) == ["facts.csv"]


def _database(tmp_path: Path) -> Path:
    path = tmp_path / "ccm.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    return path


def test_the_database_is_never_an_output(tmp_path: Path) -> None:
    database = _database(tmp_path)
    before = database.read_bytes()
    symlink = tmp_path / "export.csv"
    symlink.symlink_to(database)
    hardlink = tmp_path / "hard.csv"
    os.link(database, hardlink)
    relative = Path(os.path.relpath(database))
    for target in (database, symlink, hardlink, relative):
        with (
            pytest.raises(CcmError, match="the database"),
            safeio.open_output(target, database=database) as handle,
        ):
            handle.write("state,record\n")
    assert database.read_bytes() == before


def test_only_regular_files_are_outputs(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for target, kind in ((fifo, "FIFO"), (Path("/dev/null"), "device"), (tmp_path, "directory")):
        with pytest.raises(CcmError, match=kind):
            safeio.check_output(target)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    for text in ("", "   ", None):
        with pytest.raises(UsageError, match="empty"):
            safeio.output_path(text, option="--datapackage")


@pytest.mark.skipif(ROOT, reason="root may write read-only files")
def test_a_read_only_file_is_not_replaced(tmp_path: Path) -> None:
    target = tmp_path / "frozen.csv"
    target.write_text("keep\n", encoding="utf-8")
    target.chmod(0o444)
    with pytest.raises(CcmError, match="read-only"):
        safeio.check_output(target)
    assert target.read_text(encoding="utf-8") == "keep\n"


def test_permission_denied_is_one_line_naming_the_file() -> None:
    """A real EACCES (ccm may not create files in /sys/kernel, even as root in a container)."""
    target = Path("/sys/kernel/ccm-test-output.csv")
    if not target.parent.is_dir():
        pytest.skip("no /sys/kernel here")
    try:
        with safeio.open_output(target) as handle:
            handle.write("x\n")
    except CcmError as exc:
        message = exc.message
    else:
        target.unlink()
        pytest.skip("this system lets the test write to /sys/kernel")
    assert message.startswith(str(target))
    assert "permission denied" in message or "read-only" in message


def test_a_full_disk_leaves_the_old_file(out: Path) -> None:
    """A real write failure from the kernel: RLIMIT_FSIZE makes the file system refuse the
    write past 64 KiB (EFBIG), as a full disk would with ENOSPC."""
    target = out / "facts.csv"
    target.write_text("precious\n", encoding="utf-8")
    child = run_python(
        f"""
        import resource, signal, sys
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))
        from ccmtool import safeio
        from ccmtool.errors import CcmError
        try:
            with safeio.open_output({str(target)!r}) as handle:
                for _ in range(1000):
                    handle.write("x" * 1000 + "\\n")
        except CcmError as exc:
            print(exc.message)
            sys.exit(1)
        """
    )
    stdout, stderr = child.communicate(timeout=60)
    assert child.returncode == 1, stderr
    assert stdout.startswith(str(target)) and "too large" in stdout, stdout
    assert target.read_text(encoding="utf-8") == "precious\n"
    assert sorted(p.name for p in out.iterdir()) == ["facts.csv"]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_mid_write_removes_the_temporary_file(out: Path, signum: int) -> None:
    target = out / "facts.csv"
    target.write_text("precious\n", encoding="utf-8")
    child = run_python(
        f"""
        import sys, time
        from ccmtool import safeio
        try:
            with safeio.open_output({str(target)!r}) as handle:
                handle.write("half an export")
                print("writing", flush=True)
                time.sleep(30)
        except KeyboardInterrupt:
            sys.exit(130)
        """
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "writing"
    assert len(list(out.iterdir())) == 2  # the target and the temporary file
    child.send_signal(signum)
    child.communicate(timeout=30)
    assert child.returncode == (-signal.SIGTERM if signum == signal.SIGTERM else 130)
    assert sorted(p.name for p in out.iterdir()) == ["facts.csv"]
    assert target.read_text(encoding="utf-8") == "precious\n"


# --- inputs ---------------------------------------------------------------------------------


def test_pipes_devices_sockets_and_directories_are_refused_without_blocking(
    tmp_path: Path,
) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    import socket

    sock_path = tmp_path / "s.sock"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    sock.close()
    cases = [
        (fifo, "FIFO"),
        (Path("/dev/zero"), "character device"),
        (sock_path, "no such|socket"),
        (tmp_path, "directory"),
        (tmp_path / "missing.csv", "no such file"),
    ]
    with deadline(20):
        for path, message in cases:
            with pytest.raises(CcmError, match=message) as caught:
                safeio.open_input(path)
            assert str(path) in caught.value.message


def test_a_huge_file_is_refused_before_reading(tmp_path: Path) -> None:
    sparse = tmp_path / "huge.csv"
    with sparse.open("wb") as f:
        f.truncate(3 * 1024**3)
    with deadline(20), pytest.raises(CcmError, match=r"3 GiB.*2 GiB"):
        safeio.open_input(sparse)


def test_reads_stop_at_the_size_and_line_limits(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("state,record\n" + "x" * 5000 + "\nnext\n", encoding="utf-8")
    with pytest.raises(CcmError, match=rf"{path}:2: a line longer than 1000 bytes"):
        safeio.open_input(path, line_limit=1000).read()
    with pytest.raises(CcmError, match="up to 100 bytes"):
        safeio.open_input(path, limit=100).read()
    assert safeio.open_input(path).read().startswith("state,record\n")


def test_utf8_input_drops_the_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffstate,record\n".encode())
    with safeio.open_input(path) as handle:
        assert handle.read() == "state,record\n"
    with pytest.raises(UsageError, match="klingon"):
        safeio.open_input(path, "klingon")


def test_standard_input_is_read_for_a_dash() -> None:
    child = run_python(
        """
        from ccmtool import safeio
        print(safeio.open_input("-").read().upper(), end="")
        """,
        stdin=subprocess.PIPE,
    )
    out, err = child.communicate("state,record\nHungary,attended\n", timeout=60)
    assert child.returncode == 0, err
    assert out == "STATE,RECORD\nHUNGARY,ATTENDED\n"


def test_wide_and_repeated_headers_are_refused_in_linear_time() -> None:
    wide = [f"c{i}" for i in range(200_000)]
    start = time.perf_counter()
    with pytest.raises(CcmError, match="200,000 columns"):
        safeio.check_header(wide, "wide.csv")
    repeated = [f"c{i}" for i in range(999)] + ["c5"]
    with pytest.raises(CcmError, match="'c5' appears more than once"):
        safeio.check_header(repeated, "repeated.csv")
    assert time.perf_counter() - start < 2.0  # list.count per column: minutes
    safeio.check_header(["state", "record", "subject", "date", "meeting", "detail"], "ok.csv")


# --- ccm sql --------------------------------------------------------------------------------


@pytest.fixture
def conn(builtin_db: Path) -> Iterator[sqlite3.Connection]:
    from ccmtool import db

    connection = db.open_db(builtin_db, file_readonly=True)
    yield connection
    connection.close()


def test_sql_keeps_common_functions(conn: sqlite3.Connection) -> None:
    result = sqlquery.run(
        conn,
        "SELECT upper(name), length(code), json_extract('{\"a\": 2}', '$.a'),"
        " date('2008-12-03', '+1 day'), row_number() OVER (ORDER BY code), count(*) OVER ()"
        " FROM states ORDER BY code LIMIT 1",
    )
    assert len(result.rows) == 1
    assert result.rows[0][2:5] == (2, "2008-12-04", 1)


@pytest.mark.parametrize(
    "function", ["randomblob(10)", "zeroblob(10)", "load_extension('x')", "fts3_tokenizer('x')"]
)
def test_sql_refuses_functions_off_the_list(conn: sqlite3.Connection, function: str) -> None:
    with pytest.raises(CcmError, match=r"function \w+\(\) is not allowed"):
        sqlquery.run(conn, f"SELECT {function}")


def test_sql_keeps_the_read_only_rules(conn: sqlite3.Connection) -> None:
    """restrict() wraps db.allow_reads_only: schema pragmas read, state-changing ones fail."""
    assert sqlquery.run(conn, "PRAGMA table_info(states)").rows
    for statement in ("PRAGMA user_version = 7", "DELETE FROM states", "ATTACH 'x.db' AS x"):
        with pytest.raises(CcmError, match="sql:"):
            sqlquery.run(conn, statement)


def test_sql_stops_at_the_time_limit(conn: sqlite3.Connection) -> None:
    endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT max(x) FROM c"
    start = time.perf_counter()
    with pytest.raises(CcmError, match=r"stopped after 0.2 s"):
        sqlquery.run(conn, endless, timeout=0.2)
    assert time.perf_counter() - start < 10


def test_sql_bounds_rows_and_memory(conn: sqlite3.Connection) -> None:
    rows = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c"
    with pytest.raises(CcmError, match="more than 500 rows"):
        sqlquery.run(conn, rows, max_rows=500)
    wide = rows.replace("SELECT x FROM c", "SELECT printf('%.*c', 100000, 'x') FROM c")
    with pytest.raises(CcmError, match="larger than 1 MiB"):
        sqlquery.run(conn, wide, max_bytes=1024**2)


def test_sql_from_stdin_with_parameters(ccm: Run, builtin_db: Path) -> None:
    query = "SELECT code FROM states WHERE name = :name"
    result = ccm("sql", "-", "-p", "name", "Japan", "-f", "csv", "--db", builtin_db, input=query)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["code", "JPN"]
    # A parameter is a value, never SQL.
    hostile = ccm("sql", query, "-p", "name", "x' OR '1'='1", "-f", "csv", "--db", builtin_db)
    assert hostile.exit_code == 0 and hostile.stdout.splitlines() == ["code"]


def test_ctrl_c_stops_a_query_with_exit_130(builtin_db: Path) -> None:
    child = run_python(
        f"""
        import sys
        sys.argv = ["ccm", "sql", "--timeout", "0", "--db", {str(builtin_db)!r},
                    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)"
                    " SELECT max(x) FROM c"]
        import ccmtool.cli.sql, ccmtool.sqlquery  # imported before the signal can come
        from ccmtool.cli import main
        print("started", file=sys.stderr, flush=True)
        main()
        """
    )
    assert child.stderr is not None
    assert child.stderr.readline().strip() == "started"
    time.sleep(1.0)  # the query is running: it never ends by itself
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=30)
    assert child.returncode == 130, err
    assert out == "" and "interrupted" in err and "Traceback" not in err


# --- ccm check and database faults ----------------------------------------------------------


def test_check_passes_on_a_good_database(ccm: Run, builtin_db: Path) -> None:
    before = builtin_db.read_bytes()
    result = ccm("check", "-f", "csv", "--db", builtin_db)
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    names_ = {r["check"] for r in rows}
    assert {"integrity_check", "foreign_key_check", "every fact has a claim"} <= names_
    assert all(r["result"] == "ok" for r in rows), rows
    assert builtin_db.read_bytes() == before  # a check writes nothing


def test_check_finds_what_sqlite_cannot(builtin_db: Path) -> None:
    conn = sqlite3.connect(builtin_db)
    conn.execute("PRAGMA foreign_keys = OFF")
    fact = conn.execute("SELECT id FROM facts ORDER BY id LIMIT 1").fetchone()[0]
    conn.execute("DELETE FROM claims WHERE fact = ?", (fact,))
    conn.execute("INSERT INTO claims (fact, pos, source) VALUES (987654, 0, 'https://x.org')")
    conn.execute("UPDATE facts SET record = 'visited' WHERE id = ?", (fact + 1,))
    conn.execute("UPDATE facts SET date = '2007-02-30' WHERE id = ?", (fact + 2,))
    conn.commit()
    conn.close()
    failed = {c.name: c for c in run_checks(builtin_db) if not c.ok}
    assert str(fact) in failed["every fact has a claim"].detail
    assert "987654" in failed["every claim has its fact"].detail
    assert failed["every fact's record is known"].problems == 1
    assert "2007-02-30" in failed["dates are ISO 8601"].detail
    assert failed["foreign_key_check"].problems >= 1


def test_check_counts_each_broken_rule_of_a_shared_scan(builtin_db: Path) -> None:
    """The rules over facts are counted in one scan, and the ones a foreign key states are
    answered by foreign_key_check; a broken rule still names its own rows, and only those."""
    conn = sqlite3.connect(builtin_db)
    conn.execute("PRAGMA foreign_keys = OFF")
    ids = [r[0] for r in conn.execute("SELECT id FROM facts ORDER BY id LIMIT 6")]
    conn.execute("UPDATE facts SET subject = 'stockpile destruction, ok' WHERE id = ?", (ids[0],))
    conn.execute("UPDATE facts SET state = 'ZZZ' WHERE id = ?", (ids[1],))
    conn.execute("UPDATE facts SET claim_count = 7 WHERE id = ?", (ids[2],))
    conn.execute("UPDATE facts SET implied = 1 - implied WHERE id = ?", (ids[3],))
    conn.execute("UPDATE facts SET meeting = 'nowhere' WHERE id = ?", (ids[4],))
    conn.execute("UPDATE meetings SET slug = 'Lima 2007' WHERE slug = 'lima-2007'")
    conn.commit()
    conn.close()
    failed = {c.name: c for c in run_checks(builtin_db) if not c.ok}
    assert failed["codes, records and subjects are plain"].detail == f"facts {ids[0]}"
    assert failed["every fact's state exists"].detail == f"facts {ids[1]}"
    assert failed["claims are numbered from 0, as many as the fact counts"].problems == 1
    assert str(ids[2]) in failed["claims are numbered from 0, as many as the fact counts"].detail
    assert failed["implied agrees with the claims"].detail == f"facts {ids[3]}"
    assert str(ids[4]) in failed["every fact's meeting exists"].detail
    assert "Lima 2007" in failed["meeting slugs are plain"].detail
    assert "every fact has a claim" not in failed
    assert "every claim has its fact" not in failed
    assert failed["foreign_key_check"].problems >= 2


def test_check_flags_an_alias_that_mixes_scripts(builtin_db: Path) -> None:
    """A database from before aliases were checked may hold a homoglyph alias."""
    conn = sqlite3.connect(builtin_db)
    conn.execute(
        "INSERT INTO aliases (alias, spelling, state) VALUES (?, ?, 'JPN')",
        (names.normalize("Bulg\u0430ria"), "Bulg\u0430ria"),
    )
    conn.commit()
    conn.close()
    failed = {c.name: c for c in run_checks(builtin_db) if not c.ok}
    assert list(failed) == ["aliases are plain spellings"]


def test_a_file_that_is_not_a_database_is_one_line(ccm: Run, tmp_path: Path) -> None:
    """SQLite's magic header with garbage after it: "file is not a database" became
    "internal error" in some commands; now one line naming the file and what to do."""
    path = tmp_path / "ccm.db"
    path.write_bytes(b"SQLite format 3\x00" + b"\x07" * 4000)
    before = path.read_bytes()
    for args in (["stats"], ["sql", "SELECT 1"], ["check"]):
        stderr = clean_error(ccm(*args, "--db", path))
        assert str(path) in stderr
    assert path.read_bytes() == before


def test_a_closed_stdout_is_one_line(builtin_db: Path) -> None:
    """`ccm export >&-`: the data has nowhere to go; say so instead of "internal error"."""
    proc = subprocess.run(
        [sys.executable, "-m", "ccmtool", "export", "--csv", "--db", str(builtin_db)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(SRC)},
        preexec_fn=lambda: os.close(1),
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.startswith("ccm: error:") and "standard output" in proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_a_path_through_a_file_is_one_line(ccm: Run, builtin_db: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x\n", encoding="utf-8")
    stderr = clean_error(ccm("export", "--csv", "-o", blocker / "out.csv", "--db", builtin_db))
    assert str(blocker) in stderr and "not a directory" in stderr


# --- a database on a read-only disk -------------------------------------------------------


@pytest.fixture
def read_only_copy(builtin_db: Path, tmp_path: Path) -> Iterator[Path]:
    """The built-in database seen through a read-only bind mount (needs mount privileges,
    which root has on these machines; elsewhere the test is skipped)."""
    import shutil

    source, mount = tmp_path / "src", tmp_path / "ro"
    source.mkdir()
    mount.mkdir()
    shutil.copy(builtin_db, source / "ccm.db")
    steps = [
        ["mount", "--bind", str(source), str(mount)],
        ["mount", "-o", "remount,bind,ro", str(mount)],
    ]
    for step in steps:
        if subprocess.run(step, capture_output=True).returncode != 0:
            subprocess.run(["umount", str(mount)], capture_output=True)
            pytest.skip("cannot make a read-only mount here")
    try:
        yield mount / "ccm.db"
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)


def test_a_database_on_a_read_only_disk_can_still_be_read(ccm: Run, read_only_copy: Path) -> None:
    for args in (["meetings"], ["attendance", "lima"], ["export", "--what", "counts"], ["check"]):
        result = ccm(*args, "--db", read_only_copy)
        assert result.exit_code == 0, (args, result.stderr)
    refused = ccm("record", "Peru", "attended", "lima", "-s", "x", "--db", read_only_copy)
    assert refused.exit_code == 1
    assert "Traceback" not in refused.stderr and str(read_only_copy) in refused.stderr
