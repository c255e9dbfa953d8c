"""The data contract (see "Data contract" in the README): file headers, and every check a row
must pass, in one place for the importer, the CLI's add commands and `tools/build_seed.py`.

A check names the field it is about, so whoever calls it can place the problem: the importer
as `file:line: field: ...`, the CLI as `--option: ...`. Checks here need no database; what
needs one (does this meeting exist? which state is this?) is passed in or done by the caller.
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from typing import Any

from ccmtool.dates import check_date
from ccmtool.model import (
    ACTION_RECORDS,
    ACTIONS,
    COUNT_RECORDS,
    INSTRUMENT_KINDS,
    INSTRUMENT_RECORDS,
    MEETING_KINDS,
    MEETING_RECORDS,
    OBLIGATION_RECORDS,
    OBLIGATIONS,
    RECORDS,
    SLUG,
    join_sources,
    split_sources,
)

FACT_COLUMNS = ["state", "record", "subject", "date", "meeting", "detail", "source"]
EXPORT_FACT_COLUMNS = ["state", "code", "record", "subject", "date", "meeting", "detail", "source"]
HEADERS: dict[str, list[str]] = {
    "states": ["code", "name", "region", "subregion", "aliases"],
    "meetings": [
        "slug",
        "name",
        "city",
        "country",
        "start_date",
        "end_date",
        "kind",
        "reported",
        "source",
    ],
    "instruments": ["slug", "name", "kind", "meeting", "date", "source"],
    "counts": ["meeting", "record", "count", "detail", "source"],
    "facts": EXPORT_FACT_COLUMNS,
}
# Dependency order: what a row may refer to is loaded before it.
LOAD_ORDER = ["states", "meetings", "instruments", "counts", "facts"]


class FieldError(ValueError):
    """One field of one row breaks the contract."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


Problems = list[FieldError]


def whole_number(text: str, field: str) -> int:
    """ASCII digits only: '²' and '٣' pass str.isdigit() but are no count."""
    if not (text.isascii() and text.isdigit()):
        raise FieldError(field, f"expected a whole number, got {text!r}")
    return int(text)


def slug(value: str, field: str = "slug") -> str:
    if not SLUG.fullmatch(value):
        raise FieldError(field, f"{value!r} is not a slug (lowercase letters, digits and -)")
    return value


def one_of(value: str, choices: tuple[str, ...], field: str) -> str:
    if value not in choices:
        raise FieldError(field, f"{value!r}; expected one of {', '.join(choices)}")
    return value


def date(value: str, field: str) -> str:
    try:
        return check_date(value)
    except ValueError as exc:
        raise FieldError(field, str(exc)) from None


def date_range(
    start: str, end: str, field: str = "end_date", start_field: str = "start_date"
) -> None:
    if start and end and end < start:
        raise FieldError(field, f"{end} is before {start_field} {start}")


def _collect(problems: Problems, check: Any, *args: Any) -> Any:
    try:
        return check(*args)
    except FieldError as exc:
        problems.append(exc)
        return None


def _required(row: Mapping[str, str], problems: Problems, *columns: str) -> None:
    for column in columns:
        if not row[column]:
            problems.append(FieldError(column, "required"))


def meeting_row(row: Mapping[str, str]) -> tuple[dict[str, Any], Problems]:
    """A meetings-file row, checked; `country` stays a name (the caller resolves it)."""
    problems: Problems = []
    _required(row, problems, "slug", "name", "kind", "source")
    if row["slug"]:
        _collect(problems, slug, row["slug"])
    start = _collect(problems, date, row["start_date"], "start_date")
    end = _collect(problems, date, row["end_date"], "end_date")
    if row["kind"]:
        _collect(problems, one_of, row["kind"], MEETING_KINDS, "kind")
    reported = (
        _collect(problems, whole_number, row["reported"], "reported") if row["reported"] else None
    )
    if start and end:
        _collect(problems, date_range, start, end)
    return {
        "slug": row["slug"],
        "name": row["name"],
        "city": row["city"],
        "country": row["country"],
        "start_date": start,
        "end_date": end,
        "kind": row["kind"],
        "reported": reported,
        "source": join_sources(split_sources(row["source"])),
    }, problems


def instrument_row(
    row: Mapping[str, str], meetings: Container[str]
) -> tuple[dict[str, Any], Problems]:
    problems: Problems = []
    _required(row, problems, "slug", "name", "kind", "source")
    if row["slug"]:
        _collect(problems, slug, row["slug"])
    when = _collect(problems, date, row["date"], "date")
    if row["kind"]:
        _collect(problems, one_of, row["kind"], INSTRUMENT_KINDS, "kind")
    if row["meeting"] and row["meeting"] not in meetings:
        problems.append(FieldError("meeting", f"no meeting {row['meeting']!r}"))
    return {
        "slug": row["slug"],
        "name": row["name"],
        "kind": row["kind"],
        "meeting": row["meeting"] or None,
        "date": when,
        "source": join_sources(split_sources(row["source"])),
    }, problems


def count_row(row: Mapping[str, str], meetings: Container[str]) -> tuple[dict[str, Any], Problems]:
    problems: Problems = []
    _required(row, problems, "meeting", "record", "count", "source")
    if row["meeting"] and row["meeting"] not in meetings:
        problems.append(FieldError("meeting", f"no meeting {row['meeting']!r}"))
    if row["record"]:
        _collect(problems, one_of, row["record"], COUNT_RECORDS, "record")
    count = _collect(problems, whole_number, row["count"], "count") if row["count"] else None
    return {
        "meeting": row["meeting"],
        "record": row["record"],
        "count": count,
        "detail": row["detail"],
        "source": join_sources(split_sources(row["source"])),
    }, problems


def check_fact(
    record: str,
    subject: str,
    meeting: str,
    meetings: Container[str],
    instruments: Container[str],
) -> tuple[str, str, str]:
    """Validate a fact's record, subject and meeting; returns them normalised.

    A fact about a meeting (attended, absent, hosted) happened at that meeting, so its
    meeting is its subject. Raises FieldError naming the field.
    """
    record = record.strip().lower()
    subject = subject.strip()
    meeting = meeting.strip()
    if record not in RECORDS:
        raise FieldError(
            "record", f"unknown record {record!r}; expected one of {', '.join(RECORDS)}"
        )
    if record in MEETING_RECORDS:
        if subject not in meetings:
            raise FieldError("subject", f"no meeting {subject!r}")
        if meeting and meeting != subject:
            raise FieldError(
                "meeting",
                f"a fact of record {record!r} happened at its subject {subject!r}, not {meeting!r}",
            )
        meeting = subject
    elif record in INSTRUMENT_RECORDS:
        if subject not in instruments:
            raise FieldError("subject", f"no instrument {subject!r}")
    elif record in ACTION_RECORDS and subject not in ACTIONS:
        raise FieldError(
            "subject", f"unknown action {subject!r}; expected one of {', '.join(ACTIONS)}"
        )
    elif record in OBLIGATION_RECORDS and subject not in OBLIGATIONS:
        raise FieldError(
            "subject", f"unknown obligation {subject!r}; expected one of {', '.join(OBLIGATIONS)}"
        )
    if meeting and meeting not in meetings:
        raise FieldError("meeting", f"no meeting {meeting!r}")
    return record, subject, meeting
