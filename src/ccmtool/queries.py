"""Reads. Plain sqlite3 and parameterised SQL only: user text never becomes SQL.

Functions return column names and rows, ready for render.py; the CLI adds nothing but
presentation.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from typing import Any

from ccmtool.db import SCHEMA_VERSION, schema_version

Rows = list[tuple[Any, ...]]

_SOURCES = (
    "(SELECT group_concat(source, ' | ') FROM"
    " (SELECT source FROM fact_sources WHERE fact = {fact} ORDER BY id))"
)
_QUALIFIER = re.compile(
    r"^(more than|over|nearly|almost|about|around|at least|some|fewer than|less than)\b", re.I
)


@dataclass
class Meeting:
    slug: str
    name: str
    city: str
    start_date: str
    end_date: str
    kind: str
    reported: int | None
    source: str


def meeting(conn: sqlite3.Connection, slug: str) -> Meeting:
    row = conn.execute(
        "SELECT slug, name, city, start_date, end_date, kind, reported, source"
        " FROM meetings WHERE slug = ?",
        (slug,),
    ).fetchone()
    return Meeting(**dict(row))


def count_label(count: int, detail: str) -> str:
    """How a reported figure reads: '67', or 'more than 65' when the source hedged."""
    m = _QUALIFIER.match(detail.strip())
    return f"{m.group(1).lower()} {count}" if m else str(count)


def reported_counts(conn: sqlite3.Connection, slug: str, record: str = "attended") -> list[str]:
    """Distinct labels of every figure the sources report, largest first."""
    labels: list[str] = []
    for row in conn.execute(
        "SELECT count, detail FROM counts WHERE meeting = ? AND record = ? ORDER BY count DESC, id",
        (slug, record),
    ):
        label = count_label(row["count"], row["detail"])
        if label not in labels:
            labels.append(label)
    return labels


def participation_footer(conn: sqlite3.Connection, slug: str, recorded: int) -> str:
    """'21 recorded of 68 reported (other sources: 67, more than 65)'."""
    m = meeting(conn, slug)
    labels = reported_counts(conn, slug)
    main = str(m.reported) if m.reported is not None else (labels[0] if labels else None)
    if main is None:
        return f"{recorded} recorded; no participation count reported"
    others = [label for label in labels if label != main]
    text = f"{recorded} recorded of {main} reported"
    if others:
        text += f" (other sources: {', '.join(others)})"
    return text


def attendance(
    conn: sqlite3.Connection, slug: str, *, absent: bool = False
) -> tuple[list[str], Rows]:
    """States recorded at a meeting (hosts count as present), or recorded absent."""
    records = ("absent",) if absent else ("attended", "hosted")
    marks = ", ".join("?" for _ in records)
    sql = f"""
        SELECT s.name AS state, s.code, s.region,
               group_concat(f.record, ', ') AS recorded,
               group_concat({_SOURCES.format(fact="f.id")}, ' | ') AS sources
        FROM facts f JOIN states s ON s.code = f.state
        WHERE f.subject = ? AND f.record IN ({marks})
        GROUP BY f.state
        ORDER BY s.name
    """
    cur = conn.execute(sql, (slug, *records))
    return [d[0] for d in cur.description], [tuple(r) for r in cur]


def meetings(conn: sqlite3.Connection) -> tuple[list[str], Rows]:
    """Every meeting in date order (undated last), with recorded and reported participation."""
    cur = conn.execute(
        """
        SELECT m.slug, m.name, m.city, m.start_date AS start, m.end_date AS "end", m.kind,
               (SELECT count(DISTINCT f.state) FROM facts f
                 WHERE f.subject = m.slug AND f.record IN ('attended', 'hosted')) AS recorded,
               m.reported
        FROM meetings m
        ORDER BY m.start_date = '', m.start_date, m.slug
        """
    )
    return [d[0] for d in cur.description], [tuple(r) for r in cur]


def state_profile(conn: sqlite3.Connection, code: str) -> tuple[list[str], Rows]:
    """One row a field: code, name, region, aliases, fact count."""
    row = conn.execute(
        "SELECT code, name, region, subregion FROM states WHERE code = ?", (code,)
    ).fetchone()
    aliases = [
        r[0]
        for r in conn.execute(
            "SELECT spelling FROM aliases WHERE state = ? ORDER BY spelling", (code,)
        )
    ]
    facts = conn.execute("SELECT count(*) FROM facts WHERE state = ?", (code,)).fetchone()[0]
    return ["field", "value"], [
        ("name", row["name"]),
        ("code", row["code"]),
        ("region", " / ".join(p for p in (row["region"], row["subregion"]) if p)),
        ("aliases", ", ".join(aliases)),
        ("facts", str(facts)),
    ]


def timeline(conn: sqlite3.Connection, code: str) -> tuple[list[str], Rows]:
    """Everything a state did, in date order, each fact with its sources.

    A fact with no date of its own (most attendance) sorts at its meeting's start date and
    shows that date marked '(meeting)', so no date is claimed that no source gave.
    """
    cur = conn.execute(
        f"""
        SELECT f.id,
               CASE WHEN f.date != '' THEN f.date
                    WHEN coalesce(ms.start_date, mm.start_date, '') != ''
                    THEN coalesce(ms.start_date, mm.start_date) || ' (meeting)'
                    ELSE '' END AS date,
               f.record, f.subject, coalesce(f.meeting, '') AS meeting, f.detail,
               {_SOURCES.format(fact="f.id")} AS sources
        FROM facts f
        LEFT JOIN meetings ms ON ms.slug = f.subject
        LEFT JOIN meetings mm ON mm.slug = f.meeting
        WHERE f.state = ?
        ORDER BY coalesce(nullif(f.date, ''), nullif(ms.start_date, ''),
                          nullif(mm.start_date, ''), '9999'), f.id
        """,
        (code,),
    )
    return [d[0] for d in cur.description], [tuple(r) for r in cur]


def info(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """What is in the database, for `ccm info`."""
    tables = ["states", "meetings", "instruments", "counts", "facts", "fact_sources", "aliases"]
    out = [("schema version", f"{schema_version(conn)} (this ccm: {SCHEMA_VERSION})")]
    out.append(("sqlite", sqlite3.sqlite_version))
    for table in tables:
        n = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        out.append((table.replace("_", " "), str(n)))
    return out
