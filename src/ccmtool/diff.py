"""`ccm diff OLD NEW`: what changed between two versions of the dataset, for release notes.

Either side is a ccm database or a folder of exported CSV files (`ccm export --datapackage`,
or a site's `data/` folder). A folder is imported into a scratch database first, so both
sides are compared by the same rules the importer uses to merge claims into facts; an older
database is upgraded in a scratch copy, never in place.

A fact is matched across versions by its key (state code, record, subject, occurrence), so
a fact whose date or wording changed is "changed", not "removed" and "added"; its sources
are matched by their citation text.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ccmtool import db
from ccmtool.dataset import dataset_version
from ccmtool.errors import CcmError

COLUMNS = ["change", "state", "record", "subject", "what", "sources"]
# Kinds of change in the order a reader of release notes wants them.
KINDS = [
    f"{thing} {change}"
    for thing in ("fact", "source", "meeting", "instrument", "count", "state")
    for change in ("added", "removed", "changed")
]
EXPORT_FILES = ("states.csv", "meetings.csv", "instruments.csv", "counts.csv")
ARROW = " -> "


@dataclass
class Diff:
    rows: list[tuple[str, str, str, str, str, str]]
    counts: Counter[str]
    old_version: str
    new_version: str

    def summary(self) -> str:
        """'3 facts added, 1 fact changed, 2 sources added (2026.12.0 -> 2026.12.0+3f2a9c1d)'."""
        parts = []
        for kind in KINDS:
            n = self.counts[kind]
            if n:
                thing, change = kind.split(" ")
                parts.append(f"{n} {thing}{'' if n == 1 else 's'} {change}")
        text = ", ".join(parts) if parts else "no differences"
        return f"{text} ({self.old_version}{ARROW}{self.new_version})"


# --- opening either side ---------------------------------------------------------------------


def _from_folder(folder: Path, scratch: Path) -> sqlite3.Connection:
    from ccmtool.importer import import_files

    facts = next((folder / n for n in ("claims.csv", "facts.csv") if (folder / n).is_file()), None)
    if facts is None:
        raise CcmError(
            f"{folder}: no claims.csv or facts.csv; give a ccm database or a folder written by"
            " `ccm export --datapackage`"
        )
    files = [folder / n for n in EXPORT_FILES if (folder / n).is_file()] + [facts]
    path = scratch / f"{len(list(scratch.iterdir()))}.db"
    db.create(path, seed=False)
    conn = db.connect(path)
    try:
        import_files(conn, files)
    except CcmError as exc:
        raise CcmError(f"{folder}: {exc.message}", details=exc.details) from None
    return conn


def _open(path: Path, scratch: Path) -> sqlite3.Connection:
    if path.is_dir():
        return _from_folder(path, scratch)
    if not path.exists():
        raise CcmError(f"{path}: no such database or folder")
    db.check_is_ccm_file(path)
    conn = db.connect(path, readonly=True)
    if db.schema_version(conn) == db.SCHEMA_VERSION:
        return conn
    copy = scratch / f"{len(list(scratch.iterdir()))}.db"
    dest = sqlite3.connect(copy)
    try:
        conn.backup(dest)
    finally:
        dest.close()
        conn.close()
    return db.open_db(copy, notify=lambda _message: None)


@contextmanager
def opened(old: Path, new: Path) -> Iterator[tuple[sqlite3.Connection, sqlite3.Connection]]:
    """Both sides as schema-current connections; scratch copies vanish afterwards."""
    with tempfile.TemporaryDirectory(prefix="ccm-diff-") as tmp:
        scratch = Path(tmp)
        a = _open(old, scratch)
        try:
            b = _open(new, scratch)
            try:
                yield a, b
            finally:
                b.close()
        finally:
            a.close()


# --- reading and comparing -------------------------------------------------------------------

Key = tuple[str, ...]


def _facts(conn: sqlite3.Connection) -> dict[Key, dict[str, Any]]:
    facts: dict[Key, dict[str, Any]] = {}
    by_id: dict[int, dict[str, Any]] = {}
    for r in conn.execute(
        "SELECT f.id, f.state, s.name, f.record, f.subject, f.occurrence, f.date,"
        " coalesce(f.meeting, '') AS meeting, f.detail, f.implied"
        " FROM facts f JOIN states s ON s.code = f.state"
    ):
        fact = {
            "name": r["name"],
            "date": r["date"],
            "meeting": r["meeting"],
            "detail": r["detail"],
            "implied": bool(r["implied"]),
            "claims": {},
        }
        facts[(r["state"], r["record"], r["subject"], r["occurrence"])] = fact
        by_id[r["id"]] = fact
    for r in conn.execute(
        "SELECT fact, source, date, detail, implied FROM claims ORDER BY fact, pos"
    ):
        owner = by_id.get(r["fact"])
        if owner is not None:
            owner["claims"][r["source"]] = {
                "date": r["date"],
                "detail": r["detail"],
                "implied": bool(r["implied"]),
            }
    return facts


def _table(conn: sqlite3.Connection, sql: str, key: int) -> dict[Key, dict[str, Any]]:
    cur = conn.execute(sql)
    names = [d[0] for d in cur.description]
    return {tuple(str(v) for v in row[:key]): dict(zip(names, row, strict=True)) for row in cur}


_TABLES = {
    "meeting": (
        "SELECT slug, name, city, coalesce(country, '') AS country, start_date, end_date, kind,"
        " coalesce(reported, '') AS reported, source FROM meetings",
        1,
    ),
    "instrument": (
        "SELECT slug, name, kind, coalesce(meeting, '') AS meeting, date, source FROM instruments",
        1,
    ),
    "count": ("SELECT meeting, record, count, detail, source FROM counts", 5),
    "state": ("SELECT code, name, region, subregion FROM states", 1),
}


def _changes(old: dict[str, Any], new: dict[str, Any], fields: list[str]) -> str:
    out = []
    for name in fields:
        if old[name] != new[name]:
            out.append(f"{name} {old[name]!r}{ARROW}{new[name]!r}")
    return "; ".join(out)


def _what(item: dict[str, Any]) -> str:
    parts = [str(item["date"])] if item.get("date") else []
    if item.get("detail"):
        parts.append(str(item["detail"]))
    if item.get("implied"):
        parts.append("(implied)")
    return ": ".join(parts[:2]) + (" " + parts[2] if len(parts) > 2 else "")


def compare(old: sqlite3.Connection, new: sqlite3.Connection) -> Diff:
    """Every fact, source, meeting, instrument, count and state added, removed or changed."""
    rows: list[tuple[str, str, str, str, str, str]] = []
    a, b = _facts(old), _facts(new)
    for key in sorted(a.keys() | b.keys()):
        _code, record, subject, occurrence = key
        shown = f"{subject} ({occurrence})" if occurrence else subject
        x, y = a.get(key), b.get(key)
        if x is None or y is None:
            fact = y if x is None else x
            assert fact is not None
            change = "fact added" if x is None else "fact removed"
            rows.append(
                (change, fact["name"], record, shown, _what(fact), " | ".join(fact["claims"]))
            )
            continue
        changed = _changes(x, y, ["date", "meeting", "detail", "implied"])
        if changed:
            rows.append(("fact changed", y["name"], record, shown, changed, ""))
        for source in [*x["claims"], *(s for s in y["claims"] if s not in x["claims"])]:
            c, d = x["claims"].get(source), y["claims"].get(source)
            if c is None or d is None:
                change = "source added" if c is None else "source removed"
                rows.append((change, y["name"], record, shown, _what(d or c or {}), source))
            else:
                changed = _changes(c, d, ["date", "detail", "implied"])
                if changed:
                    rows.append(("source changed", y["name"], record, shown, changed, source))
    for thing, (sql, width) in _TABLES.items():
        p, q = _table(old, sql, width), _table(new, sql, width)
        for key in sorted(p.keys() | q.keys()):
            x, y = p.get(key), q.get(key)
            item = y if y is not None else x
            assert item is not None
            record = str(item["record"]) if thing == "count" else ""
            subject = str(item.get("meeting") if thing == "count" else key[0])
            if x is None or y is None:
                change = f"{thing} added" if x is None else f"{thing} removed"
                what = {
                    "meeting": f"{item.get('name', '')} {item.get('start_date', '')}".strip(),
                    "instrument": str(item.get("name", "")),
                    "count": f"{item.get('count')} {item.get('detail', '')}".strip(),
                    "state": str(item.get("name", "")),
                }[thing]
                rows.append((change, "", record, subject, what, str(item.get("source", ""))))
            else:
                fields = [n for n in x if n not in ("slug", "code")]
                changed = _changes(x, y, fields)
                if changed:
                    rows.append((f"{thing} changed", "", record, subject, changed, ""))
    rows.sort(key=lambda r: KINDS.index(r[0]))  # stable: keys stay sorted within a kind
    counts = Counter(r[0] for r in rows)
    return Diff(rows, counts, dataset_version(old).version, dataset_version(new).version)


def diff_paths(old: Path, new: Path) -> Diff:
    with opened(old, new) as (a, b):
        return compare(a, b)


__all__ = ["COLUMNS", "Diff", "compare", "diff_paths"]
