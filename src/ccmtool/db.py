"""The one SQLite file: where it lives, and how it is opened, checked and first made.

A new database is filled from the built-in dataset; opening an older one upgrades it in place
(see schema.py). The schema's names are re-exported here for callers that open databases.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

from ccmtool.errors import CcmError
from ccmtool.schema import (
    APPLICATION_ID,
    BUSY_TIMEOUT_MS,
    MIGRATIONS,
    SCHEMA_VERSION,
    Notify,
    allow_reads_only,
    connect,
    migrate,
    schema_version,
    transaction,
)

_SQLITE_MAGIC = b"SQLite format 3\x00"


def default_path() -> Path:
    """`CCM_DB`, else ccm.db in the platform's per-user data directory."""
    env = os.environ.get("CCM_DB")
    if env:
        return Path(env).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "ccm" / "ccm.db"


def check_is_ccm_file(path: Path) -> None:
    """Refuse anything that is not empty and not ccm's, before SQLite can write to it."""
    if path.is_dir():
        raise CcmError(f"{path}: is a directory, not a database file")
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as f:
        head = f.read(100)
    if not head.startswith(_SQLITE_MAGIC):
        raise CcmError(f"{path}: not a SQLite database; ccm will not touch it")
    app_id = int.from_bytes(head[68:72], "big")
    if app_id == APPLICATION_ID:
        return
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    finally:
        conn.close()
    if app_id != 0 or tables:
        raise CcmError(f"{path}: a SQLite database that is not ccm's; ccm will not touch it")


def create(
    path: Path, *, seed: bool = True, replace: bool = False, notify: Notify = lambda _msg: None
) -> None:
    """Build a new database beside `path` and move it into place.

    Nothing is half-written: a crash while seeding leaves no file (or the old one, for
    `init --force`), never a database with a schema but half a dataset. Without `replace`,
    the move is a hard link, which fails if another ccm process created the file first: that
    one is kept, with whatever it has already written.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    conn = connect(tmp)
    try:
        migrate(conn, tmp, notify)
        summary = ""
        if seed:
            from ccmtool.importer import load_builtin

            summary = load_builtin(conn)
        conn.close()
        if replace or (path.exists() and path.stat().st_size == 0):
            for suffix in ("-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                return  # another process made it first: use theirs
            finally:
                tmp.unlink(missing_ok=True)
    except BaseException:
        conn.close()
        tmp.unlink(missing_ok=True)
        raise
    if seed:
        notify(f"ccm: created {path} from the built-in dataset ({summary})")
    else:
        notify(f"ccm: created empty database {path}")


def open_db(
    path: Path | None = None,
    *,
    notify: Notify = lambda _msg: None,
    readonly: bool = False,
    file_readonly: bool = False,
) -> sqlite3.Connection:
    """Open the database at `path`, creating it from the built-in dataset on first use and
    upgrading an older schema in place.

    `readonly` sets `query_only` (reads by ccm's own commands); `file_readonly` reopens the
    file itself read-only, for SQL typed by the user. Read-only file handles cannot clean up
    SQLite's -wal/-shm files when they close, so ccm's own reads do not use them.
    """
    path = path or default_path()
    check_is_ccm_file(path)
    if not path.exists() or path.stat().st_size == 0:
        create(path, notify=notify)
    if (readonly or file_readonly) and not _writable(path):
        return _open_unwritable(path)
    conn = connect(path)
    try:
        try:
            version = schema_version(conn)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            raise CcmError(f"{path}: cannot be read as a database ({exc})") from None
        if version != SCHEMA_VERSION:
            migrate(conn, path, notify)
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        if file_readonly:
            conn.close()
            conn = connect(path, readonly=True)
        if readonly or file_readonly:
            conn.execute("PRAGMA query_only = ON")
    except BaseException:
        conn.close()
        raise
    return conn


def _writable(path: Path) -> bool:
    """Can this process change the file and make SQLite's -wal/-shm files beside it?"""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def _open_unwritable(path: Path) -> sqlite3.Connection:
    """A database on a read-only disk, in a read-only folder, or not ours to write: still
    readable. Read-only first; where SQLite cannot even make its shared-memory file, as
    immutable (nobody can write the file there, so nothing can change under the reader)."""
    last: sqlite3.Error | None = None
    for extra in ("", "&immutable=1"):
        try:
            conn = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=ro{extra}", uri=True, isolation_level=None
            )
            conn.row_factory = sqlite3.Row
            version = schema_version(conn)
            conn.execute("PRAGMA query_only = ON")
        except sqlite3.Error as exc:
            last = exc
            continue
        if version != SCHEMA_VERSION:
            conn.close()
            raise CcmError(
                f"{path}: schema version {version} needs upgrading to {SCHEMA_VERSION}, but the"
                " file cannot be written here; copy it somewhere writable and open the copy"
            )
        return conn
    raise CcmError(f"{path}: cannot be read ({last}); check that you may read it")


__all__ = [
    "APPLICATION_ID",
    "BUSY_TIMEOUT_MS",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Notify",
    "allow_reads_only",
    "check_is_ccm_file",
    "connect",
    "create",
    "default_path",
    "open_db",
    "schema_version",
    "transaction",
]
