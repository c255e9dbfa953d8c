"""The dataset version: one answer for `ccm info`, the Data Package, the site and CITATION.cff.

Data are cited by version (Correlates of War, ATOP), so a reader must be able to tell which
data a page or a file shows. A database filled from the built-in dataset records that
release (the text of `data/VERSION`) in `meta.dataset_version`, and the fingerprint of what
it then held in `meta.dataset_fingerprint` (`mark_seeded`). While the content is unchanged,
the version is the release: `2026.12.0`. Once a fact, a source, a meeting, an instrument, a
count or a state is added, removed or changed, it is the release plus `+` and the first
eight hex digits of the new content's fingerprint: `2026.12.0+3f2a9c1d`, still traceable to
its release, and the same for two databases that hold the same data. A database never filled
from a release is `unreleased+<fingerprint>`.

The fingerprint is a SHA-256 over the reference tables in key order and over the facts as a
multiset: each fact, with its claims in their order, is hashed on its own and the digests are
added (mod 2**256), so recording order and row ids do not matter (the same data entered in
another order, or a fact removed and recorded again, gives the same fingerprint) and both
tables are read in one sequential pass, as fast as an export. It identifies content; it is
not a signature against deliberate forgery. Name spellings (aliases) are left out: they help
imports find states and claim nothing about them.
"""

from __future__ import annotations

import hashlib
import sqlite3
from typing import NamedTuple

VERSION_KEY = "dataset_version"
FINGERPRINT_KEY = "dataset_fingerprint"
UNRELEASED = "unreleased"
SHORT = 8

# What the fingerprint covers, each reference table in a total order on its natural key.
_TABLES = (
    ("states", "SELECT code, name, region, subregion FROM states ORDER BY code"),
    (
        "meetings",
        "SELECT slug, name, city, coalesce(country, ''), start_date, end_date, kind,"
        " reported, source FROM meetings ORDER BY slug",
    ),
    (
        "instruments",
        "SELECT slug, name, kind, coalesce(meeting, ''), date, source"
        " FROM instruments ORDER BY slug",
    ),
    (
        "counts",
        "SELECT meeting, record, count, detail, source FROM counts"
        " ORDER BY meeting, record, count, detail, source",
    ),
)
_FACTS = (
    "SELECT id, state, record, subject, occurrence, date, coalesce(meeting, ''),"
    " coalesce(instrument, ''), detail, implied FROM facts ORDER BY id"
)
_CLAIMS = "SELECT fact, pos, source, date, detail, implied FROM claims ORDER BY fact, pos"
_MASK = (1 << 256) - 1


class DatasetVersion(NamedTuple):
    version: str  # what to cite: "2026.12.0" or "2026.12.0+3f2a9c1d"
    release: str | None  # the built-in release the database was filled from, if any
    fingerprint: str  # SHA-256 (hex) of the content now
    modified: bool  # the content is no longer what the release filled in (or cannot be shown)
    recorded: bool = True  # the seed's fingerprint is known, so `modified` was checked

    def describe(self) -> str:
        """One line for people: what the version means."""
        if self.release is None:
            return f"not filled from a released dataset; content {self.fingerprint[:SHORT]}"
        if not self.recorded:
            return f"built-in dataset {self.release}; whether changed since was not recorded"
        if self.modified:
            return f"built-in dataset {self.release}, changed since"
        return f"built-in dataset {self.release}, unchanged"

    @property
    def short(self) -> str:
        return self.fingerprint[:SHORT]


def builtin_release() -> str:
    """The release of the dataset this ccm ships (`data/VERSION`)."""
    from ccmtool.builtin import release

    return release() or UNRELEASED


def fingerprint(conn: sqlite3.Connection) -> str:
    """SHA-256 of the dataset's content, independent of row ids and recording order."""
    digest = hashlib.sha256()
    for table, sql in _TABLES:
        digest.update(f"\x1e{table}\n".encode())
        for row in _plain(conn, sql):
            digest.update(repr(row).encode("utf-8", "surrogatepass"))
            digest.update(b"\n")
    total = 0
    claims = _plain(conn, _CLAIMS)
    pending = next(claims, None)
    for row in _plain(conn, _FACTS):
        mine = []
        while pending is not None and pending[0] <= row[0]:
            if pending[0] == row[0]:
                mine.append(pending[1:])
            pending = next(claims, None)
        text = repr((row[1:], mine)).encode("utf-8", "surrogatepass")
        total += int.from_bytes(hashlib.sha256(text).digest(), "big")
    digest.update(b"\x1efacts\n" + (total & _MASK).to_bytes(32, "big"))
    return digest.hexdigest()


def _plain(conn: sqlite3.Connection, sql: str) -> sqlite3.Cursor:
    """Rows as tuples, whatever the connection's row factory (sqlite3.Row costs here)."""
    cur = conn.cursor()
    cur.row_factory = None
    return cur.execute(sql)


def _meta(conn: sqlite3.Connection) -> dict[str, str]:
    try:
        rows = conn.execute(
            "SELECT key, value FROM meta WHERE key IN (?, ?)", (VERSION_KEY, FINGERPRINT_KEY)
        ).fetchall()
    except sqlite3.OperationalError:  # a database from before schema 3 has no meta table
        return {}
    return {key: value for key, value in rows}


def mark_seeded(conn: sqlite3.Connection, release: str | None = None) -> None:
    """Record that the database now holds exactly the built-in release.

    Call it inside the transaction that loaded the dataset, after the last row is written.
    """
    values = ((VERSION_KEY, release or builtin_release()), (FINGERPRINT_KEY, fingerprint(conn)))
    conn.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", values)


def dataset_version(conn: sqlite3.Connection) -> DatasetVersion:
    """The version to cite for what this database holds now."""
    meta = _meta(conn)
    now = fingerprint(conn)
    release = meta.get(VERSION_KEY) or None
    if release is None:
        return DatasetVersion(f"{UNRELEASED}+{now[:SHORT]}", None, now, True)
    # Without a recorded fingerprint, unchanged content cannot be shown: the version carries
    # the fingerprint, so it never claims to be the release when it may not be.
    recorded = FINGERPRINT_KEY in meta
    modified = meta.get(FINGERPRINT_KEY) != now
    version = f"{release}+{now[:SHORT]}" if modified else release
    return DatasetVersion(version, release, now, modified, recorded)


__all__ = ["DatasetVersion", "builtin_release", "dataset_version", "fingerprint", "mark_seeded"]
