"""Datasette metadata for a ccm database: what each table and column means.

Datasette, sqlite3 and pandas users read ccm's file directly; the schema alone does not say
that a fact is an event and a claim a source's statement of it, nor what `hosted` or
`implied` mean. This describes them, with the record vocabulary, so a reader browsing the
file needs no other document.
"""

from __future__ import annotations

from typing import Any

from ccmtool.model import (
    ACTIONS,
    INSTRUMENT_RECORDS,
    MEETING_RECORDS,
    OBLIGATION_RECORDS,
    OBLIGATIONS,
    REPEATABLE_RECORDS,
)

RECORD_MEANINGS = {
    "attended": "took part in the meeting (subject)",
    "absent": "a source says it did not take part in the meeting (subject)",
    "hosted": "hosted the meeting (subject)",
    "endorsed": "endorsed a declaration, or adopted the treaty text (subject: instrument)",
    "declined": "a source says it did not endorse or sign the instrument (subject)",
    "signed": "signed the treaty (subject: instrument)",
    "ratified": "became bound by ratification (UN term)",
    "acceded": "became bound by accession (UN term)",
    "approved": "became bound by approval (UN term)",
    "accepted": "became bound by acceptance (UN term)",
    "withdrew": "gave notice of withdrawal (date: the notice)",
    "in-force": "a source's published entry-into-force date for the state",
    "left": "a source's published date for the withdrawal taking effect",
    "announced": "announced a national action (subject: " + ", ".join(ACTIONS) + ")",
    "completed": "completed an obligation (subject: " + ", ".join(OBLIGATIONS) + ")",
    "extended": "was granted an extension of an obligation (date: the new deadline)",
    "owes": "a source says the obligation applies (stockpiles held, contaminated areas)",
}
LICENSE = "CC BY 4.0"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"


def metadata(database: str) -> dict[str, Any]:
    """Datasette's metadata.json for a ccm database served under the name `database`."""
    records = "; ".join(f"{r}: {m}" for r, m in RECORD_MEANINGS.items())
    tables: dict[str, Any] = {
        "facts": {
            "description": (
                "One row per event: a state, a record, a subject and the meeting where it"
                " happened. What each source said of it is in claims. Records: " + records
            ),
            "sort": "id",
            "columns": {
                "state": "ISO 3166-1 alpha-3 code of the state (states.code)",
                "record": "what happened; see the table description for the vocabulary",
                "subject": (
                    "a meeting slug for " + ", ".join(MEETING_RECORDS) + "; an instrument slug"
                    " for " + ", ".join(INSTRUMENT_RECORDS) + "; an action or obligation"
                    " for announced, " + ", ".join(OBLIGATION_RECORDS)
                ),
                "occurrence": (
                    "tells repeated events apart for " + ", ".join(REPEATABLE_RECORDS) + ""
                    " (their date); empty for records that happen once per state and subject"
                ),
                "date": (
                    "ISO 8601 at the sources' precision: the most precise date the claims"
                    " agree on, or the first claim's where they disagree (see ccm conflicts)"
                ),
                "meeting": "the meeting where it happened (meetings.slug); presence there",
                "instrument": "the instrument, for instrument records (instruments.slug)",
                "detail": "the first wording a source gave; each source's own is in claims",
                "implied": (
                    "1 when every claim rests on a source's implication rather than its"
                    " statement (wording starting IMPLIED:)"
                ),
            },
        },
        "claims": {
            "description": "What each source said of an event, with its own date and wording.",
            "sort": "fact",
            "columns": {
                "fact": "the event (facts.id)",
                "pos": "order in which the sources were recorded",
                "source": "a URL or a bibliographic reference",
                "date": "the date this source gives",
                "detail": "this source's wording",
                "implied": "1 when this source implies rather than states it",
            },
        },
        "states": {
            "description": "States, keyed by ISO 3166-1 alpha-3 (Kosovo: XKX), UN regions.",
            "columns": {"code": "ISO alpha-3", "region": "UN geoscheme region"},
        },
        "aliases": {"description": "Other spellings that name a state (normalised key)."},
        "meetings": {
            "description": (
                "Meetings of the Oslo Process and the Convention. `reported` is the"
                " participation count the meeting's main source gives; counts has the others."
            ),
            "columns": {
                "start_date": "first day, ISO 8601 at the source's precision",
                "end_date": "last day",
                "reported": "participation count the main source reports",
            },
        },
        "instruments": {"description": "Declarations and the Convention (slug ccm)."},
        "counts": {
            "description": (
                "Every figure a source reports about a meeting (attended, endorsed, adopted,"
                " signed); several rows for one meeting and record are disagreements."
            )
        },
        "meta": {"description": "About this database: dataset_version of the built-in data."},
        "presence": {
            "description": (
                "View: every fact at a meeting that shows the state was there"
                " (any record but absent); `how` is the record."
            )
        },
        "meeting_presence": {"description": "View: who was present at each meeting, and how."},
        "fact_details": {"description": "View: each fact with its state's name and sources."},
        "fact_sources": {"description": "View: sources per fact (schema 2 compatibility)."},
    }
    return {
        "title": "ccm: what states promised and did about cluster munitions",
        "description": (
            "Facts about states and the Oslo Process / Convention on Cluster Munitions,"
            " each with its sources. No record is not absence: the data is partial."
        ),
        "license": LICENSE,
        "license_url": LICENSE_URL,
        "source": "Per-row sources (claims.source)",
        "databases": {database: {"tables": tables}},
    }
