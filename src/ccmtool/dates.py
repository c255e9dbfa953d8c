"""Partial ISO 8601 dates: `2007`, `2007-05` or `2007-05-23`, kept at the source's precision.

Stored as text, they sort correctly at mixed precision ('2007' < '2007-05' < '2007-05-23'),
so SQL can compare them directly; padding '2007-05' to '2007-05-01' would invent a day.
"""

from __future__ import annotations

import datetime as dt
import re

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
