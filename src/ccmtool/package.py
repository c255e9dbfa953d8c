"""`ccm export --datapackage DIR`: the dataset as a Frictionless Data Package.

Table Schemas let other tools (frictionless, Datasette, pandas) check types and keys without
reading ccm's code. Empty cells are values ("unknown date", "no detail"), not missing data,
except where a column is genuinely optional (a meeting reference, a reported count).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from ccmtool import __version__
from ccmtool.exporter import export_to_file
from ccmtool.model import ACTIONS, COUNT_RECORDS, INSTRUMENT_KINDS, MEETING_KINDS, RECORDS
from ccmtool.safeio import write_text

DATE_PATTERN = r"(\d{4}(-\d{2}(-\d{2})?)?)?"
DEFAULT_LICENSE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0",
}
RESOURCES = ["states", "meetings", "instruments", "counts", "facts", "claims"]


def _field(name: str, kind: str = "string", *, optional: bool = False, **constraints: Any) -> dict:
    field: dict[str, Any] = {"name": name, "type": kind}
    if optional:
        field["missingValues"] = [""]
    if constraints:
        field["constraints"] = constraints
    return field


def _date(name: str, description: str) -> dict:
    field = _field(name, pattern=DATE_PATTERN)
    field["description"] = description + " ISO 8601 at the source's precision; empty if unknown."
    return field


def fact_fields(date: str) -> list[dict[str, Any]]:
    """The columns of the facts and claims files (one contract); only the date differs."""
    return [
        _field("state", required=True),
        _field("code", required=True, pattern="[A-Z]{3}"),
        _field("record", required=True, enum=list(RECORDS)),
        _field("subject", required=True),
        _date("date", date),
        _field("meeting", optional=True),
        _field("detail"),
        _field("source", required=True),
    ]


def schemas() -> dict[str, dict[str, Any]]:
    meeting_ref = {"reference": {"resource": "meetings", "fields": "slug"}}
    fact_keys = [
        {"fields": "code", "reference": {"resource": "states", "fields": "code"}},
        {"fields": "meeting", **meeting_ref},
    ]
    return {
        "states": {
            "fields": [
                _field("code", required=True, pattern="[A-Z]{3}"),
                _field("name", required=True),
                _field("region"),
                _field("subregion"),
                _field("aliases"),
            ],
            "primaryKey": ["code"],
        },
        "meetings": {
            "fields": [
                _field("slug", required=True),
                _field("name", required=True),
                _field("city"),
                _field("country"),
                _date("start_date", "First day."),
                _date("end_date", "Last day."),
                _field("kind", required=True, enum=list(MEETING_KINDS)),
                _field("reported", "integer", optional=True, minimum=0),
                _field("source", required=True),
            ],
            "primaryKey": ["slug"],
        },
        "instruments": {
            "fields": [
                _field("slug", required=True),
                _field("name", required=True),
                _field("kind", required=True, enum=list(INSTRUMENT_KINDS)),
                _field("meeting", optional=True),
                _date("date", "Adoption date."),
                _field("source", required=True),
            ],
            "primaryKey": ["slug"],
            "foreignKeys": [{"fields": "meeting", **meeting_ref}],
        },
        "counts": {
            "fields": [
                _field("meeting", required=True),
                _field("record", required=True, enum=list(COUNT_RECORDS)),
                _field("count", "integer", required=True, minimum=0),
                _field("detail"),
                _field("source", required=True),
            ],
            "primaryKey": ["meeting", "record", "count", "detail", "source"],
            "foreignKeys": [{"fields": "meeting", **meeting_ref}],
        },
        "facts": {
            "fields": fact_fields("When."),
            "primaryKey": ["code", "record", "subject", "date"],
            "foreignKeys": fact_keys,
        },
        # One row per source of a fact, with that source's own date and wording (lossless).
        "claims": {"fields": fact_fields("The date this source gives."), "foreignKeys": fact_keys},
    }


def export_datapackage(
    conn: sqlite3.Connection, directory: Path, *, database: Path | None = None
) -> dict[str, int]:
    """Write the CSVs and datapackage.json into `directory`; returns rows per resource.

    Every table is read in one read transaction: one consistent snapshot, even while another
    ccm writes. `database` is never written over (see safeio.open_output).
    """
    from ccmtool.dataset import dataset_version

    directory.mkdir(parents=True, exist_ok=True)
    conn.execute("BEGIN")
    try:
        version = dataset_version(conn)
        counts = {
            name: export_to_file(conn, name, "csv", directory / f"{name}.csv", database=database)
            for name in RESOURCES
        }
    finally:
        conn.execute("COMMIT")
    resources = []
    for name, schema in schemas().items():
        schema["missingValues"] = []  # empty cells are values unless a field says otherwise
        resources.append(
            {
                "name": name,
                "path": f"{name}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": schema,
            }
        )
    descriptor = {
        "name": "ccm-dataset",
        "title": "Cluster munitions: what states promised and did",
        "description": (
            "Facts about states and the Oslo Process / Convention on Cluster Munitions, "
            "exported by ccm. Every fact cites its sources in the `source` column "
            "(several separated by ' | '). Actions: " + ", ".join(ACTIONS) + "."
        ),
        "version": version.version,
        # What the version means, and the ccm that wrote the package (custom properties).
        "ccm_dataset": version.describe(),
        "ccm_fingerprint": version.fingerprint,
        "ccm_version": __version__,
        "licenses": [DEFAULT_LICENSE],
        "sources": [
            {
                "title": "Per-row sources: the `source` column of every resource",
            }
        ],
        "resources": resources,
    }
    text = json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"
    write_text(directory / "datapackage.json", text, database=database)
    return counts
