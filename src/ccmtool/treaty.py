"""The Convention after 2008: who is bound, since when, and on what date it binds them.

Two kinds of date are kept apart everywhere. Reported dates come from a source (a signature,
a deposit, a published entry into force). Derived dates are computed by ccm from reported ones
with the Convention's own rules, and every derived date is labelled `derived`:

- Article 17: the Convention entered into force on the first day of the sixth month after the
  month in which the 30th instrument of ratification, acceptance, approval or accession was
  deposited; for a state depositing later, on the first day of the sixth month after the month
  of its own deposit. Both cases are max(f(30th deposit), f(own deposit)) with f = "first day
  of the sixth month after the month of", so only the MONTH of a deposit matters: a deposit
  dated to the month gives an exact date, one dated to the year only a range (shown unknown).
- Article 20: a withdrawal takes effect six months after the notice (`withdrew` is dated by
  the notice; `left` is a published date of the withdrawal taking effect).

A partial date is a range of days (`2010-05` is 1 to 31 May 2010), so "had it happened by this
day?" has three answers: yes, no, cannot tell. ccm never picks a day out of a range. A recorded
event with no date happened on or before today (a source reported it), and no earlier bound.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ccmtool.dates import Span, add_months, disjoint, later_of, overlaps, span
from ccmtool.errors import CcmError, UsageError

Rows = list[tuple[Any, ...]]

CONVENTION = "ccm"  # the instrument Articles 17 and 20 are derived for
THRESHOLD = 30  # Article 17(1): instruments needed for entry into force
EIF_MONTHS = 6  # Article 17: first day of the sixth month after the deposit's month
WITHDRAWAL_MONTHS = 6  # Article 20(2)
BOUND_RECORDS = ("ratified", "acceded", "accepted", "approved")
TREATY_RECORDS = ("signed", *BOUND_RECORDS, "in-force", "withdrew", "left")

SIGNATORY = "signatory"
BOUND = "bound, not yet in force"
PARTY = "party"
WITHDRAWN = "withdrawn"
EIF_UNKNOWN = "bound, entry into force unknown"
UNKNOWN = "unknown"
STATUSES = (SIGNATORY, BOUND, PARTY, WITHDRAWN, EIF_UNKNOWN, UNKNOWN)
NONE = "none"  # panel only: no signature or deposit recorded by that date

STATUS_COLUMNS = [
    "state",
    "code",
    "status",
    "signed",
    "bound how",
    "bound",
    "entry into force",
    "eif basis",
    "withdrawal notice",
    "withdrawal effective",
    "withdrawal basis",
    "note",
    "sources",
]


def first_of_sixth_month_after(day: dt.date) -> dt.date:
    """Article 17: the first day of the sixth month after the month of `day`."""
    return add_months(day.replace(day=1), EIF_MONTHS)


# --- who did what -----------------------------------------------------------------------------


class Claim(NamedTuple):
    date: str
    source: str


@dataclass
class Standing:
    """One state's recorded relation to a treaty, and what ccm derives from it."""

    code: str
    name: str
    region: str
    subregion: str
    signed: str | None = None  # reported date ('' undated); None: no signature recorded
    bound_how: str = ""  # ratified / acceded / accepted / approved ('a / b' if sources differ)
    bound: str | None = None
    notice: str | None = None  # withdrawal notice (`withdrew`)
    reported_eif: list[Claim] = field(default_factory=list)  # `in-force` claims
    reported_left: list[Claim] = field(default_factory=list)  # `left` claims
    sources: list[str] = field(default_factory=list)
    eif: Span | None = None  # None: not bound
    eif_basis: str = ""  # derived, reported, or '' (unknown)
    eif_note: str = ""
    effect: Span | None = None  # withdrawal taking effect; None: no withdrawal recorded
    effect_basis: str = ""
    effect_note: str = ""

    def status_on(self, day: dt.date, today: dt.date) -> tuple[str | None, str]:
        """(status, note) on `day`; status None when nothing had happened yet."""
        levels = [
            (WITHDRAWN, self.effect),
            (PARTY, self.eif),
            (BOUND, None if self.bound is None else span(self.bound, today)),
            (SIGNATORY, None if self.signed is None else span(self.signed, today)),
        ]
        maybe: list[str] = []
        base: str | None = None
        for name, when in levels:
            if when is None:
                continue
            answer = when.by(day)
            if answer:
                base = name
                break
            if answer is None:
                maybe.append(name)
        note = ""
        if self.notice is not None and span(self.notice, today).by(day) and base == PARTY:
            note = f"withdrawal notified ({self.notice or 'undated'})"
        if not maybe:
            return base, note
        if base == BOUND and maybe == [PARTY]:
            return EIF_UNKNOWN, note
        could = " or ".join([*maybe, base or "not yet signed"])
        return UNKNOWN, f"on {day}: {could} (dates too coarse to tell)"


@dataclass
class Treaty:
    instrument: str
    name: str
    today: dt.date
    rules: bool  # Articles 17 and 20 apply (the Convention)
    thirtieth: Span | None  # the 30th deposit; None: fewer than 30 recorded
    general_eif: Span | None  # Article 17(1) for the treaty itself
    standings: list[Standing]

    def on(self, day: dt.date) -> Iterator[tuple[Standing, str, str]]:
        """(standing, status, note) for each state with a status on `day`, by name."""
        for s in self.standings:
            status, note = s.status_on(day, self.today)
            if status is not None:
                yield s, status, note

    def tally(self, day: dt.date) -> Counter[str]:
        return Counter(status for _, status, _ in self.on(day))


def _instrument(conn: sqlite3.Connection, slug: str) -> sqlite3.Row:
    row = conn.execute(
        "SELECT slug, name, kind FROM instruments WHERE slug = ?", (slug,)
    ).fetchone()
    if row is None:
        raise CcmError(f"no instrument {slug!r}; `ccm info` lists what the database holds")
    if row["kind"] != "treaty":
        raise UsageError(
            f"{slug} is a {row['kind']}: states endorse it rather than join it;"
            f" `ccm endorsements {slug}` lists them"
        )
    return row


def _best(dates: list[str]) -> str:
    """The most precise, then earliest, of several dates ('' only if all are undated)."""
    return min(dates, key=lambda d: (-len(d), d)) if dates else ""


def load(
    conn: sqlite3.Connection, instrument: str = CONVENTION, today: dt.date | None = None
) -> Treaty:
    """Every state that signed or joined `instrument`, with derived dates filled in."""
    today = today or dt.date.today()
    info = _instrument(conn, instrument)
    marks = ", ".join("?" for _ in TREATY_RECORDS)
    where = f"f.instrument = ? AND f.record IN ({marks})"
    params = (instrument, *TREATY_RECORDS)
    sources: dict[int, list[str]] = {}
    for r in conn.execute(
        f"SELECT fs.fact, fs.source FROM fact_sources fs JOIN facts f ON f.id = fs.fact"
        f" WHERE {where} ORDER BY fs.fact, fs.pos",
        params,
    ):
        sources.setdefault(r[0], []).append(r[1])
    claims: dict[int, list[Claim]] = {}
    for r in conn.execute(
        f"SELECT c.fact, c.date, c.source FROM claims c JOIN facts f ON f.id = c.fact"
        f" WHERE {where} AND f.record IN ('in-force', 'left') ORDER BY c.fact, c.pos",
        params,
    ):
        claims.setdefault(r[0], []).append(Claim(r[1], r[2]))
    by_code: dict[str, Standing] = {}
    bound: dict[str, list[tuple[str, str]]] = {}
    for r in conn.execute(
        f"""SELECT f.id, f.state, f.record, f.date, s.name, s.region, s.subregion
            FROM facts f JOIN states s ON s.code = f.state WHERE {where} ORDER BY f.id""",
        params,
    ):
        s = by_code.get(r["state"])
        if s is None:
            s = by_code[r["state"]] = Standing(r["state"], r["name"], r["region"], r["subregion"])
        for source in sources.get(r["id"], []):
            if source not in s.sources:
                s.sources.append(source)
        record, date = r["record"], r["date"]
        if record == "signed":
            s.signed = date
        elif record in BOUND_RECORDS:
            bound.setdefault(r["state"], []).append((record, date))
        elif record == "withdrew":
            s.notice = date
        elif record == "in-force":
            s.reported_eif = claims.get(r["id"]) or [Claim(date, "")]
        else:  # left
            s.reported_left = claims.get(r["id"]) or [Claim(date, "")]
    for code, facts in bound.items():
        s = by_code[code]
        s.bound_how = " / ".join(dict.fromkeys(record for record, _ in facts))
        s.bound = _best([date for _, date in facts])
    standings = sorted(by_code.values(), key=lambda s: s.name)
    rules = instrument == CONVENTION
    deposits = [span(s.bound, today) for s in standings if s.bound is not None]
    thirtieth = general = None
    if rules and len(deposits) >= THRESHOLD:
        # The 30th deposit lies between the 30th earliest possible day and the 30th latest.
        los = sorted(d.lo or dt.date.min for d in deposits)
        his = sorted(d.hi or dt.date.max for d in deposits)
        lo, hi = los[THRESHOLD - 1], his[THRESHOLD - 1]
        thirtieth = Span(None if lo == dt.date.min else lo, None if hi == dt.date.max else hi)
        general = thirtieth.map(first_of_sixth_month_after)
    for s in standings:
        _derive(s, rules, general, today)
    return Treaty(instrument, info["name"], today, rules, thirtieth, general, standings)


def _reported(claims: list[Claim]) -> Span | None:
    """The span of a published date when its claims agree on one day; None otherwise."""
    dated = [c.date for c in claims if c.date]  # an undated claim agrees with any date
    days = {span(d).exact for d in dated}
    if len(days) == 1 and None not in days:
        return span(dated[0])
    return None


def _derive(s: Standing, rules: bool, general: Span | None, today: dt.date) -> None:
    """Entry into force and withdrawal for one state: derived where the rules give one day,
    else a published date, else the range the rules allow (shown as unknown)."""
    if s.bound is not None:
        deposit = span(s.bound, today)
        reported = _reported(s.reported_eif)
        derived: Span | None = None
        if rules:
            own = deposit.map(first_of_sixth_month_after)
            derived = later_of(general, own) if general else Span(own.lo, None)
        if derived is not None and derived.exact:
            s.eif, s.eif_basis = derived, "derived"
        elif reported is not None:
            s.eif, s.eif_basis = reported, "reported"
        elif derived is not None:
            s.eif = derived
            why = f"bound {s.bound or 'undated'}" if general else "fewer than 30 deposits recorded"
            s.eif_note = f"entry into force unknown ({why}): {derived.describe()}"
        else:
            s.eif = Span(deposit.lo, None)
            s.eif_note = (
                "sources disagree on the entry into force"
                if s.reported_eif
                else "no entry into force recorded (ccm derives it only for the Convention)"
            )
    if s.notice is None and not s.reported_left:
        return
    reported = _reported(s.reported_left)
    derived = None
    if s.notice is not None and rules:
        derived = span(s.notice, today).map(lambda d: add_months(d, WITHDRAWAL_MONTHS))
    if derived is not None and derived.exact:
        s.effect, s.effect_basis = derived, "derived"
    elif reported is not None:
        s.effect, s.effect_basis = reported, "reported"
    elif derived is not None:
        s.effect = derived
        s.effect_note = f"withdrawal takes effect {derived.describe()} (notice {s.notice})"
    elif s.notice is not None:
        s.effect = Span(span(s.notice, today).lo, None)
        s.effect_note = "withdrawal effective date unknown"
    else:  # only `left` claims, and they disagree
        s.effect = Span(None, None)
        s.effect_note = "sources disagree on when the withdrawal took effect"


# --- listings ---------------------------------------------------------------------------------


def _dated(date: str | None) -> str:
    if date is None:
        return ""
    return date or "undated"


def status_row(s: Standing, status: str, note: str) -> tuple[Any, ...]:
    notes = [n for n in (note, s.eif_note, s.effect_note) if n]
    return (
        s.name,
        s.code,
        status,
        _dated(s.signed),
        s.bound_how,
        _dated(s.bound),
        s.eif.text() if s.eif else "",
        s.eif_basis,
        _dated(s.notice),
        s.effect.text() if s.effect else "",
        s.effect_basis,
        "; ".join(dict.fromkeys(notes)),
        " | ".join(s.sources),
    )


def status(
    conn: sqlite3.Connection,
    instrument: str = CONVENTION,
    *,
    as_of: dt.date | None = None,
    status: str | None = None,
    region: str | None = None,
    since: str | None = None,
    until: str | None = None,
    today: dt.date | None = None,
) -> tuple[list[str], Rows, Treaty]:
    """Each state's standing on `as_of` (default today), filtered; the Treaty for footers."""
    treaty = load(conn, instrument, today)
    day = as_of or treaty.today
    wanted = region.casefold() if region else None
    rows: Rows = []
    for s, st, note in treaty.on(day):
        if status is not None and st != status:
            continue
        if wanted and wanted not in (s.region.casefold(), s.subregion.casefold()):
            continue
        if (since or until) and not overlaps(s.bound or "", since, until):
            continue
        rows.append(status_row(s, st, note))
    return STATUS_COLUMNS, rows, treaty


def summary(treaty: Treaty, day: dt.date) -> str:
    """The footer: derived counts on `day`, and what sources report to compare them with."""
    counts = treaty.tally(day)
    parts = [
        f"{counts[PARTY]} part{'y' if counts[PARTY] == 1 else 'ies'}",
        f"{counts[SIGNATORY]} signator{'y' if counts[SIGNATORY] == 1 else 'ies'}",
        f"{counts[BOUND]} bound but not yet in force",
        f"{counts[WITHDRAWN]} withdrawn",
    ]
    parts += [f"{counts[s]} {s}" for s in (EIF_UNKNOWN, UNKNOWN) if counts[s]]
    text = f"On {day}: {', '.join(parts)} (from recorded signatures and deposits"
    if treaty.rules and treaty.general_eif and treaty.general_eif.exact:
        text += f"; in force since {treaty.general_eif.exact} by Article 17, derived"
    elif treaty.rules and treaty.thirtieth is not None:
        text += f"; entry into force unknown: the 30th deposit was {treaty.thirtieth.describe()}"
    elif treaty.rules:
        text += "; entry into force cannot be derived: fewer than 30 deposits recorded"
    else:
        text += "; entry into force as published, not derived: Article 17 is the Convention's"
    text += "). No source-reported totals to compare: the counts table holds meeting figures only."
    return text


def panel_rows(
    conn: sqlite3.Connection, instrument: str = CONVENTION, today: dt.date | None = None
) -> tuple[list[str], Rows]:
    """One row per state and year: its status on 1 January, from the first 1 January after
    the first recorded signature or deposit up to today. `none`: nothing recorded by then."""
    treaty = load(conn, instrument, today)
    first = _first_day(treaty)
    rows: Rows = []
    if first is None:
        return ["year", "date", "state", "code", "status", "note"], rows
    start = first.year + (0 if first == dt.date(first.year, 1, 1) else 1)
    for year in range(start, treaty.today.year + 1):
        day = dt.date(year, 1, 1)
        for s in treaty.standings:
            st, note = s.status_on(day, treaty.today)
            rows.append((year, day.isoformat(), s.name, s.code, st or NONE, note))
    return ["year", "date", "state", "code", "status", "note"], rows


def _first_day(treaty: Treaty) -> dt.date | None:
    days = [
        span(d).lo
        for s in treaty.standings
        for d in (s.signed, s.bound)
        if d  # undated events cannot start a series
    ]
    return min((d for d in days if d is not None), default=None)


def yearly_counts(
    conn: sqlite3.Connection, instrument: str = CONVENTION, today: dt.date | None = None
) -> tuple[list[str], Rows]:
    """Parties and signatories at the end of each year (today for the current year), from
    the year of the first recorded signature or deposit."""
    treaty = load(conn, instrument, today)
    first = _first_day(treaty)
    rows: Rows = []
    for year in range(first.year, treaty.today.year + 1) if first else ():
        day = min(dt.date(year, 12, 31), treaty.today)
        c = treaty.tally(day)
        rows.append(
            (year, day.isoformat(), c[PARTY], c[SIGNATORY], c[BOUND], c[WITHDRAWN],
             c[EIF_UNKNOWN] + c[UNKNOWN])
        )  # fmt: skip
    columns = ["year", "as of", "parties", "signatories", "bound, not in force", "withdrawn"]
    return [*columns, "unknown"], rows


def eif_conflicts(conn: sqlite3.Connection, today: dt.date | None = None) -> Rows:
    """Published dates the Convention's rules contradict, shaped like queries.conflicts rows:
    (kind, subject, state, what, sources). A claim conflicts when no day it may name lies in
    the range the rules allow."""
    if conn.execute("SELECT 1 FROM instruments WHERE slug = ?", (CONVENTION,)).fetchone() is None:
        return []
    treaty = load(conn, CONVENTION, today)
    rows: Rows = []
    for s in treaty.standings:
        if s.bound is not None and s.reported_eif:
            own = span(s.bound, treaty.today).map(first_of_sixth_month_after)
            derived = later_of(treaty.general_eif, own) if treaty.general_eif else None
            if derived is not None:
                basis = f"Article 17 from the deposit {s.bound}"
                rows += _disagreements("entry into force", s, s.reported_eif, derived, basis)
        if s.notice is not None and s.reported_left:
            derived = span(s.notice, treaty.today).map(lambda d: add_months(d, WITHDRAWAL_MONTHS))
            basis = f"Article 20 from the notice {s.notice}"
            rows += _disagreements("withdrawal effect", s, s.reported_left, derived, basis)
    return rows


def _disagreements(kind: str, s: Standing, claims: list[Claim], derived: Span, basis: str) -> Rows:
    bad = [c for c in claims if c.date and disjoint(span(c.date), derived)]
    if not bad:
        return []
    published = ", ".join(dict.fromkeys(c.date for c in bad))
    what = f"published {published}; derived {derived.describe()} ({basis})"
    sources = " | ".join(dict.fromkeys(c.source for c in bad if c.source))
    return [(kind, CONVENTION, s.name, what, sources)]


def profile(
    conn: sqlite3.Connection, code: str, today: dt.date | None = None
) -> list[tuple[str, str]]:
    """A state's standing towards the Convention today, as field/value rows for `ccm state`;
    empty when the database has no Convention or the state never signed or joined it."""
    if conn.execute("SELECT 1 FROM instruments WHERE slug = ?", (CONVENTION,)).fetchone() is None:
        return []
    treaty = load(conn, CONVENTION, today)
    s = next((s for s in treaty.standings if s.code == code), None)
    if s is None:
        return []
    st, note = s.status_on(treaty.today, treaty.today)
    rows = [(f"status on {treaty.today}", st or NONE)]
    if s.signed is not None:
        rows.append(("signed", _dated(s.signed)))
    if s.bound is not None:
        rows.append(("bound", f"{s.bound_how} {_dated(s.bound)}"))
        eif = s.eif.text() if s.eif else ""
        rows.append(("entry into force", f"{eif} ({s.eif_basis})" if eif else "unknown"))
    if s.notice is not None:
        rows.append(("withdrawal notice", _dated(s.notice)))
    if s.effect is not None:
        effect = s.effect.text()
        rows.append(("withdrawal effective", f"{effect} ({s.effect_basis})" if effect else ""))
    notes = "; ".join(dict.fromkeys(n for n in (note, s.eif_note, s.effect_note) if n))
    if notes:
        rows.append(("note", notes))
    return rows
