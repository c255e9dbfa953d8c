"""Where the sources disagree: the rows of `ccm conflicts`.

Every side of a disagreement keeps its source; nothing here picks a winner.
"""

from __future__ import annotations

import sqlite3

from ccmtool.queries import ABSENT_SQL, HOW_SQL, Rows


def source_conflicts(conn: sqlite3.Connection) -> tuple[list[str], Rows]:
    """Where the sources disagree, one row per disagreement.

    - count: one meeting, one record, several reported figures;
    - date: one event whose claims give dates that do not agree (Burundi's ratification);
    - record: one event under two terms (Japan "accepted" by the UN, "ratified" elsewhere);
    - meeting date: a source's date for a fact about a meeting that falls outside the
      meeting's dates (compared at the coarser of the two precisions; with no end date, a
      meeting is taken to end within the month it started);
    - endorsed and declined: both recorded for one state;
    - present and absent: a fact at a meeting, and a source saying the state was absent
      (the absence marked `implied` when it rests on a source's implication).
    """
    rows: Rows = []
    for r in conn.execute(
        """
        WITH figures AS (
            SELECT meeting, record, count, source FROM counts
            UNION ALL
            SELECT slug, 'attended', reported, source FROM meetings WHERE reported IS NOT NULL
        )
        SELECT meeting, record, group_concat(DISTINCT count) AS figures,
               count(DISTINCT count) AS n
        FROM figures GROUP BY meeting, record HAVING n > 1
        ORDER BY meeting, record
        """
    ):
        figures = ", ".join(sorted(r["figures"].split(","), key=int))
        sources = " | ".join(
            s[0]
            for s in conn.execute(
                "SELECT DISTINCT source FROM counts WHERE meeting = ? AND record = ?",
                (r["meeting"], r["record"]),
            )
        )
        rows.append(("count", r["meeting"], "", f"{r['record']}: {figures}", sources))
    # Claims of one event that disagree on its date (Burundi's ratification). Presence on
    # different days of one meeting is no disagreement: it is checked against the meeting's
    # dates below. A partial date that contains a full one ('2007-05', '2007-05-25') agrees.
    events: dict[int, list[sqlite3.Row]] = {}
    for r in conn.execute(
        """
        SELECT f.id, s.name, f.record, f.subject, c.date, c.source
        FROM facts f JOIN states s ON s.code = f.state JOIN claims c ON c.fact = f.id
        WHERE f.record NOT IN ('attended', 'hosted', 'absent') AND c.date != ''
          AND EXISTS (SELECT 1 FROM claims d WHERE d.fact = f.id AND d.date != ''
                      AND NOT (d.date = substr(c.date, 1, length(d.date))
                               OR c.date = substr(d.date, 1, length(c.date))))
        ORDER BY s.name, f.subject, f.id, c.pos
        """
    ):
        events.setdefault(r["id"], []).append(r)
    for claims in events.values():
        first = claims[0]
        by_date: dict[str, list[str]] = {}
        for c in claims:
            by_date.setdefault(c["date"], []).append(c["source"])
        parts, listed = cite(list(by_date.items()))
        what = f"{first['record']}: " + ", ".join(parts)
        rows.append(("date", first["subject"], first["name"], what, listed))
    # One event under two terms: Japan "accepted" (the UN's word), "ratified" elsewhere.
    # Ratified, acceded, approved and accepted all say "became bound".
    bound = "('ratified', 'acceded', 'approved', 'accepted')"
    terms: dict[tuple[str, str], list[tuple[str, list[str]]]] = {}
    for r in conn.execute(
        f"""
        SELECT s.name, f.subject, f.id, f.record || CASE WHEN f.date != '' THEN ' ' || f.date
                                                    ELSE '' END AS what
        FROM facts f JOIN states s ON s.code = f.state
        WHERE f.record IN {bound} AND (f.state, f.subject) IN (
            SELECT state, subject FROM facts WHERE record IN {bound}
            GROUP BY state, subject HAVING count(DISTINCT record) > 1)
        ORDER BY s.name, f.subject, f.id
        """
    ):
        terms.setdefault((r["name"], r["subject"]), []).append(
            (r["what"], claim_sources(conn, r["id"]))
        )
    for (name, subject), groups in terms.items():
        parts, listed = cite(groups)
        rows.append(("record", subject, name, ", ".join(parts), listed))
    for r in conn.execute(
        """
        SELECT s.name, f.record, f.subject, c.date, c.source, m.start_date, m.end_date
        FROM facts f JOIN states s ON s.code = f.state JOIN claims c ON c.fact = f.id
        JOIN (SELECT slug, start_date, end_date,
                     coalesce(nullif(end_date, ''), substr(start_date, 1, 7)) AS last
              FROM meetings WHERE start_date != '') m ON m.slug = f.subject
        WHERE c.date != ''
          AND (substr(c.date, 1, min(length(c.date), length(m.start_date)))
                 < substr(m.start_date, 1, min(length(c.date), length(m.start_date)))
               OR substr(c.date, 1, min(length(c.date), length(m.last)))
                 > substr(m.last, 1, min(length(c.date), length(m.last))))
        ORDER BY m.start_date, s.name, f.id, c.pos
        """
    ):
        span = r["start_date"] + (f" to {r['end_date']}" if r["end_date"] else "")
        rows.append(
            (
                "meeting date",
                r["subject"],
                r["name"],
                f"{r['record']} dated {r['date']}; meeting recorded as {span}",
                r["source"],
            )
        )
    for r in conn.execute(
        """
        SELECT s.name, x.subject, x.id AS endorsed, y.id AS declined
        FROM facts x JOIN facts y
          ON y.state = x.state AND y.subject = x.subject AND y.record = 'declined'
        JOIN states s ON s.code = x.state
        WHERE x.record = 'endorsed'
        ORDER BY x.subject, s.name
        """
    ):
        parts, listed = cite(
            [(record, claim_sources(conn, r[record])) for record in ("endorsed", "declined")]
        )
        rows.append(("endorsed and declined", r["subject"], r["name"], ", ".join(parts), listed))
    for r in conn.execute(
        f"""
        SELECT s.name, a.meeting, a.id, {ABSENT_SQL.format(t="a")} AS absence,
               group_concat(x.id) AS present
        FROM facts a JOIN facts x
          ON x.state = a.state AND x.meeting = a.meeting AND x.record != 'absent'
        JOIN states s ON s.code = a.state
        WHERE a.record = 'absent'
        GROUP BY a.id
        ORDER BY a.meeting, s.name
        """
    ):
        present: dict[str, list[str]] = {}
        for fact in sorted(int(i) for i in r["present"].split(",")):
            how = conn.execute(
                f"SELECT {HOW_SQL.format(t='f')} FROM facts f WHERE f.id = ?", (fact,)
            ).fetchone()[0]
            present.setdefault(how, []).extend(claim_sources(conn, fact))
        parts, listed = cite([*present.items(), (r["absence"], claim_sources(conn, r["id"]))])
        what = ", ".join(parts[:-1]) + "; " + parts[-1]
        rows.append(("present and absent", r["meeting"], r["name"], what, listed))
    return ["kind", "subject", "state", "what", "sources"], rows


def claim_sources(conn: sqlite3.Connection, fact: int) -> list[str]:
    """A fact's sources, in the order they were recorded."""
    return [
        r[0] for r in conn.execute("SELECT source FROM claims WHERE fact = ? ORDER BY pos", (fact,))
    ]


def cite(groups: list[tuple[str, list[str]]]) -> tuple[list[str], str]:
    """Each side of a disagreement with the numbers of its sources ('2009-09-25 [1]'), and
    every source once, numbered by position (joined with ' | ', like every sources column).
    """
    listed: list[str] = []
    parts = []
    for label, sources in groups:
        refs = set()
        for source in sources:
            if source not in listed:
                listed.append(source)
            refs.add(listed.index(source) + 1)
        parts.append(f"{label} [{', '.join(map(str, sorted(refs)))}]" if refs else label)
    return parts, " | ".join(listed)


def conflicts(conn: sqlite3.Connection) -> tuple[list[str], Rows]:
    """Disagreements between sources, then published treaty dates that the Convention's
    rules (Articles 17 and 20) contradict."""
    from ccmtool.treaty import eif_conflicts

    columns, rows = source_conflicts(conn)
    return columns, rows + list(eif_conflicts(conn))
