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
)
ACTION_RECORDS = ("announced",)
RECORDS = MEETING_RECORDS + INSTRUMENT_RECORDS + ACTION_RECORDS

ACTIONS = (
    "moratorium",
    "stockpile-destruction",
    "legislation",
    "host-meeting",
    "regional-zone",
    "other",
)
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
