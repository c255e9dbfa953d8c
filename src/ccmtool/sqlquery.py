"""`ccm sql`: one read-only query, bounded in time, rows and memory.

The connection is opened read-only by SQLite itself and `query_only` is set; on top of that,
`db.allow_reads_only`'s authorizer refuses every write, ATTACH and state-changing pragma, and
this module narrows it further to functions on an allow-list (no `randomblob`/`zeroblob`
memory bombs, no `load_extension`, nothing added later by an extension). A progress handler
stops the query after `timeout` seconds or on Ctrl-C (exit 130); SQLite's own limits keep any
single value, LIKE pattern and the SQL text small; and the rows are counted and sized while
they are fetched, so a query that returns too much stops with a message instead of filling
memory.
"""

from __future__ import annotations

import signal
import sqlite3
import time
from collections.abc import Callable, Mapping
from contextlib import contextmanager, suppress
from types import FrameType
from typing import Any, NamedTuple

from ccmtool.errors import CcmError, UsageError

DEFAULT_TIMEOUT = 5.0  # seconds: every ccm query at 500k facts runs in well under one
DEFAULT_MAX_ROWS = 100_000
DEFAULT_MAX_BYTES = 64 * 1024**2  # of result values, roughly; Python objects cost ~2x more
MAX_VALUE_BYTES = 16 * 1024**2  # the longest string or blob one expression may build
MAX_LIKE_PATTERN = 1_000
MAX_SQL_BYTES = 1024**2
PROGRESS_STEPS = 1_000  # VM instructions between checks of the clock (about 10 µs)
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a command stopped by Ctrl-C

# Bounded functions: core scalars, aggregates, window functions, dates and
# JSON. Not here: randomblob, zeroblob (allocate what they are told), load_extension,
# fts3_tokenizer, sqlite_compileoption_* and anything an extension might register.
ALLOWED_FUNCTIONS = frozenset(
    str.split(
        """
    abs char coalesce concat concat_ws format glob hex ifnull iif instr length like
    likelihood likely lower ltrim max min nullif octet_length printf quote replace round
    rtrim sign soundex substr substring trim typeof unhex unicode unlikely upper random
    sqlite_version changes total_changes last_insert_rowid
    avg count group_concat string_agg sum total
    row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value
    last_value nth_value
    date time datetime julianday strftime unixepoch timediff
    json json_array json_array_length json_extract json_insert json_object json_patch
    json_quote json_remove json_replace json_set json_type json_valid json_group_array
    json_group_object jsonb
    acos acosh asin asinh atan atan2 atanh ceil ceiling cos cosh degrees exp floor ln log
    log10 log2 mod pi pow power radians sin sinh sqrt tan tanh trunc
    """
    )
)


class Interrupted(CcmError):
    """Ctrl-C during a query: not bad data, so the shell's usual code for it."""

    exit_code = EXIT_INTERRUPTED  # type: ignore[assignment]


class Result(NamedTuple):
    columns: list[str]
    rows: list[tuple[Any, ...]]


def _reads_only_authorizer() -> Callable[..., int]:
    """The authorizer `db.allow_reads_only` installs, so this module can wrap it rather
    than copy its rules (db.py stays the one place that says what reading is)."""
    from ccmtool.db import allow_reads_only

    class _Capture:
        authorizer: Callable[..., int] | None = None

        def set_authorizer(self, fn: Callable[..., int]) -> None:
            self.authorizer = fn

    capture = _Capture()
    allow_reads_only(capture)  # type: ignore[arg-type]
    assert capture.authorizer is not None
    return capture.authorizer


def restrict(conn: sqlite3.Connection) -> None:
    """Reads only (db.allow_reads_only), functions only from ALLOWED_FUNCTIONS, and small
    limits on value size, LIKE patterns and SQL length."""
    reads_only = _reads_only_authorizer()

    def authorizer(action: int, arg1: str | None, arg2: str | None, *rest: object) -> int:
        if action == sqlite3.SQLITE_FUNCTION:
            allowed = (arg2 or "").lower() in ALLOWED_FUNCTIONS
            return sqlite3.SQLITE_OK if allowed else sqlite3.SQLITE_DENY
        return reads_only(action, arg1, arg2, *rest)

    conn.set_authorizer(authorizer)
    setlimit = getattr(conn, "setlimit", None)  # Python 3.11+
    if setlimit is not None:
        setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
        setlimit(sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH, MAX_LIKE_PATTERN)
        setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, MAX_SQL_BYTES)


class _Watch:
    """Tells SQLite to stop when time is up or Ctrl-C was pressed.

    SIGINT only sets a flag: raising KeyboardInterrupt inside SQLite's progress callback
    would be swallowed by the sqlite3 module, and the query would go on.
    """

    def __init__(self, timeout: float) -> None:
        self.deadline = time.monotonic() + timeout if timeout > 0 else float("inf")
        self.interrupted = False
        self.timed_out = False

    def __call__(self) -> int:
        if self.interrupted:
            return 1
        if time.monotonic() > self.deadline:
            self.timed_out = True
            return 1
        return 0

    def on_sigint(self, _signum: int, _frame: FrameType | None) -> None:
        self.interrupted = True

    def check(self) -> None:
        """Between rows, in Python: the same two reasons to stop."""
        if self() and self.interrupted:
            raise Interrupted("sql: interrupted")


@contextmanager
def _sigint_to(watch: _Watch) -> Any:
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, watch.on_sigint)
    try:
        yield
    finally:
        with suppress(ValueError, TypeError):
            signal.signal(signal.SIGINT, previous)


def _size(value: Any) -> int:
    if isinstance(value, (str, bytes)):
        return len(value) + 48
    return 24


def run(
    conn: sqlite3.Connection,
    sql: str,
    params: Mapping[str, Any] | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Result:
    """Run one read-only statement on `conn` (opened read-only) and return every row.

    Raises CcmError for SQL errors and for results over `max_rows` rows or about
    `max_bytes` bytes, CcmError after `timeout` seconds (0: no limit), and Interrupted on
    Ctrl-C. Nothing is returned unless the whole result fits.
    """
    if not sql.strip():
        raise UsageError("sql: the query is empty")
    if timeout < 0:
        raise UsageError("--timeout: must be 0 (no limit) or more seconds")
    if max_rows < 1:
        raise UsageError("--max-rows: must be at least 1")
    restrict(conn)
    watch = _Watch(timeout)
    conn.set_progress_handler(watch, PROGRESS_STEPS)
    try:
        with _sigint_to(watch):
            try:
                cur = conn.execute(sql, dict(params or {}))
                if cur.description is None:
                    return Result([], [])
                columns = [d[0] for d in cur.description]
                rows: list[tuple[Any, ...]] = []
                size = 0
                for row in cur:
                    rows.append(tuple(row))
                    size += sum(_size(v) for v in row)
                    if len(rows) > max_rows:
                        raise CcmError(
                            f"sql: the query returns more than {max_rows:,} rows;"
                            " add a LIMIT, or allow more with --max-rows"
                        )
                    if size > max_bytes:
                        raise CcmError(
                            f"sql: the result is larger than {max_bytes // 1024**2} MiB"
                            f" (after {len(rows):,} rows); select fewer columns or add a LIMIT"
                        )
                    watch.check()
                return Result(columns, rows)
            except sqlite3.Error as exc:
                if _is_fault(exc) and not (watch.interrupted or watch.timed_out):
                    raise  # a damaged or unreadable file: the CLI names it and says what to do
                raise _explain(exc, watch, timeout) from None
    finally:
        conn.set_progress_handler(None, 0)


_FAULTS = ("malformed", "not a database", "disk i/o", "disk is full", "unable to open")


def _is_fault(exc: sqlite3.Error) -> bool:
    return any(f in str(exc).lower() for f in _FAULTS)


def _explain(exc: sqlite3.Error, watch: _Watch, timeout: float) -> CcmError:
    if watch.interrupted:
        return Interrupted("sql: interrupted")
    if watch.timed_out:
        return CcmError(
            f"sql: stopped after {timeout:g} s; allow longer with --timeout (0: no limit)"
        )
    message = str(exc)
    if message.startswith("not authorized to use function"):
        name = message.rpartition(":")[2].strip()
        return CcmError(
            f"sql: function {name}() is not allowed; ccm sql offers the common text, number,"
            " date, JSON, aggregate and window functions"
        )
    if "not authorized" in message:
        return CcmError(
            "sql: not allowed; ccm sql only reads (SELECT, WITH, and PRAGMAs that describe"
            " the schema)"
        )
    if "too big" in message:
        return CcmError(
            f"sql: {message}: one value may be at most {MAX_VALUE_BYTES // 1024**2} MiB"
        )
    return CcmError(f"sql: {message}")


def read_query(text: str, stdin: Any, *, limit: int = MAX_SQL_BYTES) -> str:
    """The query: the argument, or standard input when the argument is `-`."""
    if text != "-":
        return text
    data = stdin.read(limit + 1)
    if len(data) > limit:
        raise UsageError(f"sql: the query on standard input is longer than {limit:,} characters")
    return str(data)


PARAM_OPTIONS = ("-p", "--param")


def split_arguments(words: list[str]) -> tuple[str, list[tuple[str, str]]]:
    """The query and the `-p NAME VALUE` pairs from `ccm sql`'s words, in any order.

    Typer cannot declare a repeatable option with two values, so the command takes its
    words as they come and this takes them apart.
    """
    query: list[str] = []
    pairs: list[tuple[str, str]] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word in PARAM_OPTIONS:
            if i + 2 >= len(words):
                raise UsageError(f"{word} takes two values: NAME VALUE")
            pairs.append((words[i + 1], words[i + 2]))
            i += 3
            continue
        if word.startswith("-") and word != "-":
            raise UsageError(f"no such option: {word}")
        query.append(word)
        i += 1
    if len(query) != 1:
        if not query:
            raise UsageError("sql: give one query (or - to read it from standard input)")
        raise UsageError(f"sql: give the query as one argument (in quotes); got {len(query)} words")
    return query[0], pairs


def parse_params(pairs: list[tuple[str, str]] | None) -> dict[str, str]:
    """`-p NAME VALUE` pairs as named parameters (:NAME in the query); values are text."""
    params: dict[str, str] = {}
    for name, value in pairs or []:
        key = name.lstrip(":$@")
        if not key.isidentifier():
            raise UsageError(f"-p: {name!r} is not a parameter name (letters, digits, _)")
        if key in params:
            raise UsageError(f"-p: parameter {key!r} given twice")
        params[key] = value
    return params


__all__ = [
    "ALLOWED_FUNCTIONS",
    "DEFAULT_MAX_ROWS",
    "DEFAULT_TIMEOUT",
    "Interrupted",
    "Result",
    "parse_params",
    "read_query",
    "restrict",
    "run",
    "split_arguments",
]
