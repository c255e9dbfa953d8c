"""The vocabulary of the data contract (SPEC.md), in one place for the core and the CLI."""

from __future__ import annotations

import re

MEETING_RECORDS = ("attended", "absent", "hosted")
INSTRUMENT_RECORDS = (
    "endorsed",
    "declined",
    "signed",
    "ratified",
    "acceded",
    "approved",
    "accepted",
    "withdrew",
    "in-force",
    "left",
)
# `in-force`: the date a source publishes for the instrument's entry into force for the state
# (ccm also derives it from Article 17; a difference is a conflict).
# `withdrew` is dated by the notice of withdrawal; `left` is the date a source publishes for the
# withdrawal taking effect (Article 20: six months after the notice; a difference is a conflict).
ACTION_RECORDS = ("announced",)
# What closes or moves a Convention obligation (subject: one of OBLIGATIONS): `completed` is
# dated when it was done; `extended` is dated by the NEW deadline, with the granting meeting.
# `owes`: a source says the obligation applies to the state (it held stockpiles, it has areas
# contaminated by cluster munition remnants); its date is the source's statement, if any.
OBLIGATION_RECORDS = ("completed", "extended", "owes")
RECORDS = MEETING_RECORDS + INSTRUMENT_RECORDS + ACTION_RECORDS + OBLIGATION_RECORDS

# Records that may happen again: a state may announce a moratorium twice, years apart, or be
# granted a second extension. Two claims of these are one event only when their dates agree
# up to precision. Every other record happens once per state and subject: two sources giving
# two dates for it describe one event in conflict (Burundi's ratification), never two events.
REPEATABLE_RECORDS = ("announced", "extended")

ACTIONS = (
    "moratorium",
    "stockpile-destruction",
    "legislation",
    "host-meeting",
    "regional-zone",
    "other",
)
# The Convention's obligations with a deadline: Article 7 (initial transparency report),
# Article 3 (stockpile destruction), Article 4 (clearance of contaminated areas).
OBLIGATIONS = ("transparency-report", "stockpile-destruction", "clearance")
MEETING_KINDS = ("conference", "regional", "diplomatic", "signing", "meeting-of-states-parties")
INSTRUMENT_KINDS = ("declaration", "treaty", "action-plan")
COUNT_RECORDS = ("attended", "endorsed", "adopted", "signed")

# Meeting and instrument keys: lowercase words joined by hyphens (lima-2007).
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

# Several sources in one CSV cell.
SOURCE_SEPARATOR = " | "


def split_sources(cell: str) -> list[str]:
    """Distinct non-empty sources in their given order."""
    if SOURCE_SEPARATOR not in cell:  # the usual case, and the hot path of a big import
        cell = cell.strip()
        return [cell] if cell else []
    out: list[str] = []
    for part in cell.split(SOURCE_SEPARATOR):
        part = part.strip()
        if part and part not in out:
            out.append(part)
    return out


def join_sources(sources: list[str]) -> str:
    return SOURCE_SEPARATOR.join(sources)
