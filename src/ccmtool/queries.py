"""Reads. Plain sqlite3 and parameterised SQL only: user text never becomes SQL.

Functions return column names and rows, ready for render.py; the CLI adds nothing but
presentation.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from ccmtool.schema import SCHEMA_VERSION, schema_version

Rows = list[tuple[Any, ...]]
Cursor = Iterable[tuple[Any, ...]]  # rows streamed from SQLite, read once

SOURCES_SQL = (
    "(SELECT group_concat(source, ' | ') FROM"
    " (SELECT source FROM claims WHERE fact = {fact} ORDER BY pos))"
)
# The same for a fact row {fact}: claim 0 by key when it is the only one (claim_count).
ONE_SOURCE_SQL = (
    "CASE WHEN {fact}.claim_count = 1 THEN"
    " (SELECT source FROM claims WHERE fact = {fact}.id AND pos = 0)"
    " ELSE " + SOURCES_SQL.replace("{fact}", "{fact}.id") + " END"
)
# How presence at a meeting is known, for one fact at it: stated (attended, hosted) or
# implied by what the state did there (endorsed its declaration, signed, announced...).
HOW_SQL = (
    "CASE WHEN {t}.record IN ('attended', 'hosted') THEN {t}.record"
    " ELSE 'implied: ' || {t}.record END"
)
# An absence that rests only on a source's implication says so.
ABSENT_SQL = "CASE WHEN {t}.implied THEN 'implied: absent' ELSE 'absent' END"
_QUALIFIER = re.compile(
    r"^(more than|over|nearly|almost|about|around|at least|some|fewer than|less than)\b", re.I
)


class Meeting(NamedTuple):
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


def reported_counts(
    conn: sqlite3.Connection, slug: str, record: str = "attended", *, as_entered: bool = False
) -> list[str]:
    """Distinct labels of every figure the sources report: largest first, or in the order
    they were entered (the first is then the main source's)."""
    labels: list[str] = []
    order = "id" if as_entered else "count DESC, id"
    for row in conn.execute(
        f"SELECT count, detail FROM counts WHERE meeting = ? AND record = ? ORDER BY {order}",
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
    """States present at a meeting, known from every fact at it, or recorded absent.

    `how` says how each is known: `attended`/`hosted` when a source says so, `implied: signed`
    when presence follows from what the state did there. A state with both kinds lists only
    what the sources state.
    """
    if absent:
        sql = f"""
            SELECT s.name AS state, s.code, s.region, {ABSENT_SQL.format(t="f")} AS how,
                   {SOURCES_SQL.format(fact="f.id")} AS sources
            FROM facts f JOIN states s ON s.code = f.state
            WHERE f.meeting = ? AND f.record = 'absent'
            ORDER BY s.name
        """
        cur = conn.execute(sql, (slug,))
        return [d[0] for d in cur.description], [tuple(r) for r in cur]
    sql = f"""
        WITH here AS (
            SELECT f.id, f.state, {HOW_SQL.format(t="f")} AS how,
                   f.record IN ('attended', 'hosted') AS stated
            FROM facts f WHERE f.meeting = ? AND f.record != 'absent'
        ),
        best AS (SELECT state, max(stated) AS stated FROM here GROUP BY state)
        SELECT s.name AS state, s.code, s.region,
               group_concat(h.how, ', ') AS how,
               group_concat({SOURCES_SQL.format(fact="h.id")}, ' | ') AS sources
        FROM here h JOIN best b ON b.state = h.state AND h.stated = b.stated
        JOIN states s ON s.code = h.state
        GROUP BY h.state
        ORDER BY s.name
    """
    cur = conn.execute(sql, (slug,))
    return [d[0] for d in cur.description], [tuple(r) for r in cur]


def meetings(conn: sqlite3.Connection) -> tuple[list[str], Rows]:
    """Every meeting in date order (undated last), with recorded and reported participation."""
    cur = conn.execute(
        """
        SELECT m.slug, m.name, m.city, m.start_date AS start, m.end_date AS "end", m.kind,
               (SELECT count(DISTINCT p.state) FROM presence p
                 WHERE p.meeting = m.slug) AS recorded,
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
        ("facts", facts),
    ]


def timeline(conn: sqlite3.Connection, code: str) -> tuple[list[str], Rows]:
    """Everything a state did, in date order, each fact with its sources.

    A fact with no date of its own (most attendance) sorts at its meeting's start date and
    shows that date with `date_from` 'meeting' ('source' when a source dates the fact
    itself), so no date is claimed that no source gave.
    """
    meeting_date = "coalesce(nullif(ms.start_date, ''), nullif(mm.start_date, ''))"
    cur = conn.execute(
        f"""
        SELECT f.id,
               CASE WHEN f.date != '' THEN f.date ELSE coalesce({meeting_date}, '') END
                   AS date,
               CASE WHEN f.date != '' THEN 'source'
                    WHEN {meeting_date} IS NOT NULL THEN 'meeting' ELSE '' END AS date_from,
               f.record, f.subject, coalesce(f.meeting, '') AS meeting, f.detail,
               {SOURCES_SQL.format(fact="f.id")} AS sources
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


def info(conn: sqlite3.Connection) -> list[tuple[str, Any]]:
    """What is in the database, for `ccm info`."""
    tables = ["states", "meetings", "instruments", "counts", "facts", "claims", "aliases"]
    out: list[tuple[str, Any]] = [
        ("schema version", f"{schema_version(conn)} (this ccm: {SCHEMA_VERSION})")
    ]
    out.append(("sqlite", sqlite3.sqlite_version))
    for table in tables:
        n = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        out.append((table.replace("_", " "), n))
    return out


# --- questions researchers ask ------------------------------------------------------------

_REGION = "(? IS NULL OR lower(s.region) = lower(?) OR lower(s.subregion) = lower(?))"


def newcomers(
    conn: sqlite3.Connection, slug: str, region: str | None = None
) -> tuple[list[str], Rows]:
    """States present at this meeting with no recorded presence at any earlier meeting.

    "First recorded", not "first": the data is partial. A meeting is earlier only if its
    date, at its own precision, is before this one's: undated meetings, and a meeting dated
    '2008-02' against one starting 2008-02-18, cannot be placed, so they never make a state
    a non-newcomer. Presence counts every fact at a meeting (see `attendance`).
    """
    start = meeting(conn, slug).start_date
    cur = conn.execute(
        f"""
        SELECT s.name AS state, s.code, s.region,
               group_concat(DISTINCT p.how) AS how,
               group_concat({SOURCES_SQL.format(fact="p.fact")}, ' | ') AS sources
        FROM presence p JOIN states s ON s.code = p.state
        WHERE p.meeting = ? AND {_REGION}
          AND NOT EXISTS (
              -- From the (few) earlier meetings to the state's facts at each, through the
              -- meeting-first index: never through all of a state's facts.
              SELECT 1 FROM meetings m CROSS JOIN facts g
              WHERE g.meeting = m.slug AND g.state = p.state AND g.record != 'absent'
                AND m.start_date != '' AND m.start_date < substr(?, 1, length(m.start_date)))
        GROUP BY p.state
        ORDER BY s.name
        """,
        (slug, region, region, region, start),
    )
    return [d[0] for d in cur.description], [tuple(r) for r in cur]


def attendance_in_region(
    conn: sqlite3.Connection, slug: str, region: str | None, *, absent: bool = False
) -> tuple[list[str], Rows]:
    columns, rows = attendance(conn, slug, absent=absent)
    if region is None:
        return columns, rows
    wanted = region.casefold()
    keep = {
        r["code"]
        for r in conn.execute("SELECT code, region, subregion FROM states")
        if wanted in (r["region"].casefold(), r["subregion"].casefold())
    }
    return columns, [row for row in rows if row[1] in keep]


def compare(conn: sqlite3.Connection, a: str, b: str) -> tuple[list[str], Rows, dict[str, int]]:
    """Who was at both meetings, only at A, only at B (recorded presence)."""
    cur = conn.execute(
        """
        WITH present AS (
            SELECT DISTINCT state, meeting FROM presence WHERE meeting IN (?, ?)
        ),
        grouped AS (
            SELECT state,
                   max(meeting = ?) AS at_a,
                   max(meeting = ?) AS at_b
            FROM present GROUP BY state
        )
        SELECT CASE WHEN at_a AND at_b THEN 'both'
                    WHEN at_a THEN 'only ' || ? ELSE 'only ' || ? END AS "group",
               s.name AS state, s.code, s.region
        FROM grouped g JOIN states s ON s.code = g.state
        ORDER BY CASE WHEN at_a AND at_b THEN 0 WHEN at_a THEN 1 ELSE 2 END, s.name
        """,
        (a, b, a, b, a, b),
    )
    rows = [tuple(r) for r in cur]
    counts = {"both": 0, f"only {a}": 0, f"only {b}": 0}
    for row in rows:
        counts[row[0]] += 1
    return ["group", "state", "code", "region"], rows, counts


def states(
    conn: sqlite3.Connection,
    *,
    attended: Sequence[str] = (),
    not_attended: Sequence[str] = (),
    absent: Sequence[str] = (),
    endorsed: Sequence[str] = (),
    not_endorsed: Sequence[str] = (),
    signed: Sequence[str] = (),
    announced: Sequence[str] = (),
    region: str | None = None,
) -> tuple[list[str], Rows]:
    """States matching every filter (AND). "Not attended" means no attendance recorded."""
    where: list[str] = []
    params: list[object] = []

    def has(records: str, subject: str, negate: bool = False) -> None:
        where.append(
            f"{'NOT ' if negate else ''}EXISTS (SELECT 1 FROM facts f WHERE f.state = s.code"
            f" AND f.record IN {records} AND f.subject = ?)"
        )
        params.append(subject)

    def present(slug: str, negate: bool = False) -> None:
        where.append(
            f"{'NOT ' if negate else ''}EXISTS (SELECT 1 FROM presence p"
            " WHERE p.state = s.code AND p.meeting = ?)"
        )
        params.append(slug)

    for slug in attended:
        present(slug)
    for slug in not_attended:
        present(slug, negate=True)
    for slug in absent:
        has("('absent')", slug)
    for slug in endorsed:
        has("('endorsed')", slug)
    for slug in not_endorsed:
        has("('endorsed')", slug, negate=True)
    for slug in signed:
        has("('signed')", slug)
    for action in announced:
        has("('announced')", action)
    if region is not None:
        where.append("(lower(s.region) = lower(?) OR lower(s.subregion) = lower(?))")
        params += [region, region]
    sql = (
        "SELECT s.name AS state, s.code, s.region, s.subregion,"
        " (SELECT count(*) FROM facts f WHERE f.state = s.code) AS facts FROM states s"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY s.name"
    )
    cur = conn.execute(sql, params)
    return [d[0] for d in cur.description], [tuple(r) for r in cur]


def endorsements(
    conn: sqlite3.Connection, slug: str, *, declined: bool = False
) -> tuple[list[str], Rows]:
    """States recorded endorsing (or declining) an instrument, with date, meeting, sources."""
    cur = conn.execute(
        f"""
        SELECT s.name AS state, s.code, f.date, coalesce(f.meeting, '') AS meeting, f.detail,
               {SOURCES_SQL.format(fact="f.id")} AS sources
        FROM facts f JOIN states s ON s.code = f.state
        WHERE f.instrument = ? AND f.record = ?
        ORDER BY s.name, f.date
        """,
        (slug, "declined" if declined else "endorsed"),
    )
    return [d[0] for d in cur.description], [tuple(r) for r in cur]


def endorsement_footer(conn: sqlite3.Connection, slug: str, recorded: int) -> str:
    """Recorded endorsers against what sources report for the adopting meeting."""
    row = conn.execute("SELECT meeting FROM instruments WHERE slug = ?", (slug,)).fetchone()
    labels: list[str] = []
    if row and row["meeting"]:
        for record in ("endorsed", "adopted"):
            for label in reported_counts(conn, row["meeting"], record, as_entered=True):
                if label not in labels:
                    labels.append(label)
    if not labels:
        return f"{recorded} recorded; no count reported"
    text = f"{recorded} recorded of {labels[0]} reported"
    if len(labels) > 1:
        text += f" (other sources: {', '.join(labels[1:])})"
    return text


def date_filter(column: str, since: str | None, until: str | None) -> tuple[str, list[str]]:
    """SQL keeping dates that overlap [since, until] at any precision.

    '2007-05' is within `since 2007` and `until 2007`; '2007' is within `since 2007-06`
    (the year may include June) but '2007-05' is not. Undated facts never match a filter.
    """
    clauses: list[str] = []
    params: list[str] = []
    if since:
        clauses.append(
            f"{column} != '' AND ({column} >= ? OR substr(?, 1, length({column})) = {column})"
        )
        params += [since, since]
    if until:
        clauses.append(f"{column} != '' AND substr({column}, 1, length(?)) <= ?")
        params += [until, until]
    return (" AND ".join(clauses) or "1"), params


def actions(
    conn: sqlite3.Connection,
    *,
    kind: str | None = None,
    state: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> tuple[list[str], Cursor]:
    """Announced national actions, in date order (undated last): a cursor, streamed.

    Without a state, the facts are read in id order (NOT INDEXED): scanning facts_key
    instead visits the table in random order, twice as slow. An event with one claim
    (nearly all) takes its source from claim 0 by key, with no ordered subquery.
    """
    dates, params = date_filter("f.date", since, until)
    cur = conn.execute(
        f"""
        SELECT f.date, s.name AS state, s.code, f.subject AS action,
               coalesce(f.meeting, '') AS meeting, f.detail,
               {ONE_SOURCE_SQL.format(fact="f")} AS sources
        FROM facts f {"NOT INDEXED" if state is None else ""} JOIN states s ON s.code = f.state
        WHERE f.record = 'announced' AND (? IS NULL OR f.subject = ?)
          AND (? IS NULL OR f.state = ?) AND {dates}
        ORDER BY f.date = '', f.date, s.name, f.id
        """,
        (kind, kind, state, state, *params),
    )
    cur.row_factory = None  # plain tuples
    return [d[0] for d in cur.description], cur


def stats(conn: sqlite3.Connection, by: str = "meeting") -> tuple[list[str], Rows]:
    """Numbers for `ccm stats`; the last numeric column is what a bar would show."""
    if by == "meeting":
        cur = conn.execute(
            """
            SELECT m.slug AS meeting, m.start_date AS start,
                   (SELECT count(DISTINCT p.state) FROM presence p
                     WHERE p.meeting = m.slug) AS recorded,
                   m.reported
            FROM meetings m ORDER BY m.start_date = '', m.start_date, m.slug
            """
        )
    elif by == "region":
        cur = conn.execute(
            """
            SELECT m.slug AS meeting, m.start_date AS start,
                   CASE WHEN s.region = '' THEN '(none)' ELSE s.region END AS region,
                   count(DISTINCT p.state) AS recorded
            FROM meetings m
            JOIN presence p ON p.meeting = m.slug
            JOIN states s ON s.code = p.state
            GROUP BY m.slug, s.region
            ORDER BY m.start_date = '', m.start_date, m.slug, s.region
            """
        )
    elif by == "record":
        cur = conn.execute(
            """
            SELECT record, count(DISTINCT state) AS states, count(*) AS facts
            FROM facts GROUP BY record ORDER BY count(*) DESC, record
            """
        )
    else:
        from ccmtool.errors import UsageError

        raise UsageError(f"--by {by!r}: choose meeting, region or record")
    return [d[0] for d in cur.description], [tuple(r) for r in cur]
