"""Partial ISO 8601 dates: `2007`, `2007-05` or `2007-05-23`, kept at the source's precision.

Stored as text, they sort correctly at mixed precision ('2007' < '2007-05' < '2007-05-23'),
so SQL can compare them directly; padding '2007-05' to '2007-05-01' would invent a day.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from typing import NamedTuple

_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")


def check_date(value: str) -> str:
    """Return the date unchanged if valid (empty means unknown), else raise ValueError."""
    value = value.strip()
    if not value:
        return ""
    m = _DATE.fullmatch(value)
    if not m:
        raise ValueError(f"expected a date as YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")
    year, month, day = m.groups()
    try:
        dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise ValueError(f"{value!r} is not a real calendar date") from None
    return value


# --- partial dates as ranges of days ----------------------------------------------------


class Span(NamedTuple):
    """The days a date may be: lo..hi inclusive; None is an open end."""

    lo: dt.date | None
    hi: dt.date | None

    @property
    def exact(self) -> dt.date | None:
        return self.lo if self.lo is not None and self.lo == self.hi else None

    def by(self, day: dt.date) -> bool | None:
        """On or before `day`? None: cannot tell."""
        if self.hi is not None and self.hi <= day:
            return True
        if self.lo is not None and self.lo > day:
            return False
        return None

    def before(self, day: dt.date) -> bool | None:
        """Strictly before `day` (a deadline is past only the day after it)?"""
        return self.by(day - dt.timedelta(days=1))

    def map(self, f: Callable[[dt.date], dt.date]) -> Span:
        """Apply a monotone rule to both ends."""
        return Span(
            None if self.lo is None else f(self.lo), None if self.hi is None else f(self.hi)
        )

    def text(self) -> str:
        """The exact date, or '' when the span is more than one day."""
        return self.exact.isoformat() if self.exact else ""

    def describe(self) -> str:
        if self.exact:
            return self.exact.isoformat()
        if self.lo and self.hi:
            return f"between {self.lo} and {self.hi}"
        if self.lo:
            return f"on or after {self.lo}"
        return f"on or before {self.hi}" if self.hi else "at an unknown date"


def span(date: str, today: dt.date | None = None) -> Span:
    """The days a partial ISO date covers. With `today`, the date is of a recorded event,
    which cannot be later than today: undated is (no bound, today)."""
    if not date:
        return Span(None, today)
    parts = [int(p) for p in date.split("-")]
    year = parts[0]
    if len(parts) == 1:
        lo, hi = dt.date(year, 1, 1), dt.date(year, 12, 31)
    elif len(parts) == 2:
        last = calendar.monthrange(year, parts[1])[1]
        lo, hi = dt.date(year, parts[1], 1), dt.date(year, parts[1], last)
    else:
        lo = hi = dt.date(year, parts[1], parts[2])
    if today is not None and lo <= today < hi:
        hi = today
    return Span(lo, hi)


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day of the month, `months` later; a day the month lacks falls to its last day
    (31 August + 6 months = 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _later(a: dt.date | None, b: dt.date | None, *, open_is_late: bool) -> dt.date | None:
    """max() of two ends where None is -infinity (a lower end) or +infinity (an upper end)."""
    if a is None or b is None:
        return None if open_is_late else (a or b)
    return max(a, b)


def later_of(a: Span, b: Span) -> Span:
    """The span of max(x, y) for x in a, y in b."""
    return Span(_later(a.lo, b.lo, open_is_late=False), _later(a.hi, b.hi, open_is_late=True))


def disjoint(a: Span, b: Span) -> bool:
    return (a.hi is not None and b.lo is not None and a.hi < b.lo) or (
        b.hi is not None and a.lo is not None and b.hi < a.lo
    )


def overlaps(date: str, since: str | None, until: str | None) -> bool:
    """queries.date_filter in Python: partial dates match a filter they overlap; undated never."""
    if since and not (date and (date >= since or since[: len(date)] == date)):
        return False
    return not (until and not (date and date[: len(until)] <= until))
