"""`ccm site DIR`: the dataset as a static website anyone can host, cite and check.

The site needs no server and no network when it is read: one stylesheet and one small
script ship with it, charts are inline SVG, every link is relative, so it works from
`file://` and from any static host. Every value from the data goes through Jinja2's
autoescaping; a source becomes a link only when it is an http(s) URL.

The site is written to a folder beside DIR and moved into place at the end, so a failed
build leaves the previous site (or nothing) rather than half a site; a folder that is not
empty and was not made by `ccm site` is never overwritten.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ccmtool.errors import CcmError
from ccmtool.site.cite import DEFAULT_AUTHOR, LICENCE_NAME, LICENCE_URL, Citation
from ccmtool.site.data import Dataset, Fact, load

if TYPE_CHECKING:
    from jinja2 import Environment
    from markupsafe import Markup

MARKER = ".ccm-site"
# What each kind of `ccm conflicts` row means, for readers of the conflicts page.
CONFLICT_KINDS = {
    "count": "one meeting, several reported figures",
    "date": "one event given different dates",
    "record": "one event described in different terms",
    "meeting date": "a dated fact outside its meeting's recorded dates",
    "endorsed and declined": "both recorded for one state and instrument",
    "attended and absent": "both recorded for one state and meeting",
    "present and absent": "a state placed at a meeting that a source says it missed",
}
_URL = re.compile(r"https?://[^\s<>\"'|]+")
_TRAILING = ".,;:!?"


@dataclass
class SiteSummary:
    pages: int
    files: int
    version: str


@dataclass
class Download:
    name: str
    path: str
    what: str
    rows: int | None
    size: str


# --- text -------------------------------------------------------------------------------


def _trim_url(url: str) -> str:
    """A URL as found in running text, without the punctuation that ends the sentence."""
    while url and (url[-1] in _TRAILING or (url[-1] == ")" and url.count("(") < url.count(")"))):
        url = url[:-1]
    return url


def _url_label(url: str) -> str:
    label = re.sub(r"^https?://(www\.)?", "", url)
    return label if len(label) <= 50 else label[:49] + "…"


def linkify(text: str) -> Markup:
    """Escaped text in which each http(s) URL is a link; nothing else can become markup."""
    from markupsafe import Markup, escape

    parts: list[Markup] = []
    pos = 0
    for match in _URL.finditer(text):
        url = _trim_url(match.group())
        if not url:
            continue
        start = match.start()
        parts.append(escape(text[pos:start]))
        parts.append(
            Markup(
                '<a class="source" href="{}" title="{}" rel="noopener noreferrer">{}</a>'
            ).format(url, url, _url_label(url))
        )
        pos = start + len(url)
    parts.append(escape(text[pos:]))
    return Markup("").join(parts)


def _environment() -> Environment:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("ccmtool", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["linkify"] = linkify
    return env


# --- the folder -------------------------------------------------------------------------


def _check_target(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise CcmError(f"{out}: exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise CcmError(f"{out}: not empty and not made by `ccm site`; choose a new or empty folder")


def _move_into_place(new: Path, out: Path) -> None:
    if not out.exists():
        os.replace(new, out)
    elif not any(out.iterdir()):
        for entry in new.iterdir():
            os.replace(entry, out / entry.name)
        new.rmdir()
    else:  # a site made before: swap, then delete the old one
        old = out.with_name(f".{out.name}.{os.getpid()}.old")
        os.replace(out, old)
        os.replace(new, out)
        shutil.rmtree(old, ignore_errors=True)


def _size(n: int) -> str:
    return f"{n / 1024:.1f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


def _downloads(conn: sqlite3.Connection, folder: Path) -> list[Download]:
    """The Data Package (every table as CSV) and any export the package leaves out."""
    from ccmtool.exporter import EXPORT_KINDS, export_to_file
    from ccmtool.package import RESOURCES, export_datapackage

    what = {
        "facts": "one row per fact, its sources joined in one cell",
        "claims": "one row per source's claim of a fact, with its own date and wording",
        "states": "states, regions and the spellings sources use",
        "meetings": "meetings, dates and reported participation",
        "instruments": "the Convention and the declarations",
        "counts": "every participation figure a source reports",
    }
    rows = export_datapackage(conn, folder)
    # The recorded data only: derived tables (a status panel) belong to their commands.
    extra = [k for k in what if k in EXPORT_KINDS and k not in rows]
    for kind in extra:
        rows[kind] = export_to_file(conn, kind, "csv", folder / f"{kind}.csv")
    out = []
    for kind in [*RESOURCES, *extra]:
        path = folder / f"{kind}.csv"
        out.append(
            Download(
                f"{kind}.csv",
                f"data/{kind}.csv",
                what.get(kind, kind),
                rows.get(kind),
                _size(path.stat().st_size),
            )
        )
    package = folder / "datapackage.json"
    out.append(
        Download(
            "datapackage.json",
            "data/datapackage.json",
            "Frictionless Data Package: the tables' types, keys and licence",
            None,
            _size(package.stat().st_size),
        )
    )
    return out


# --- pages ------------------------------------------------------------------------------


def _how(ds: Dataset, facts: list[Fact], slug: str) -> str:
    parts = []
    for f in facts:
        if f.record in ("attended", "hosted", "absent"):
            parts.append(("implied: " if f.implied else "") + f.record)
        else:
            subject = ds.instruments[f.subject].name if f.subject in ds.instruments else f.subject
            parts.append(f"implied: {f.record.replace('-', ' ')} {subject}".strip())
    return "; ".join(dict.fromkeys(parts))


def _state_meetings(ds: Dataset) -> dict[str, list[tuple[Any, str, list[Fact]]]]:
    """Per state: each meeting with its presence or absence, and how it is known."""
    out: dict[str, list[tuple[Any, str, list[Fact]]]] = {code: [] for code in ds.states}
    for m in ds.meetings.values():
        here: dict[str, list[Fact]] = {p.state: list(p.shown) for p in m.present}
        for f in m.absent:
            here.setdefault(f.state, []).append(f)
        for code, facts in here.items():
            out[code].append((m, _how(ds, facts, m.slug), facts))
    return out


def _treaty(ds: Dataset) -> Any:
    return next((i for i in ds.instruments.values() if i.kind == "treaty"), None)


def build_site(
    conn: sqlite3.Connection,
    out: Path,
    *,
    released: str,
    authors: list[str] | None = None,
    url: str | None = None,
) -> SiteSummary:
    """Write the whole site to `out`; `released` (YYYY-MM-DD) dates the publication."""
    import datetime as dt

    from ccmtool import __version__
    from ccmtool.queries import endorsement_footer
    from ccmtool.site import charts

    _check_target(out)
    ds = load(conn, dt.date.fromisoformat(released))
    cite = Citation(ds.version, released, authors or [DEFAULT_AUTHOR], url)
    target = out.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    env = _environment()
    common = {
        "ds": ds,
        "version": ds.version,
        "cite": cite,
        "licence_url": LICENCE_URL,
        "licence_name": LICENCE_NAME,
        "tool_version": __version__,
        "by_name": {s.name: s for s in ds.states.values()},
    }
    pages = 0

    def page(template: str, path: str, section: str, **context: Any) -> None:
        nonlocal pages
        root = "../" * path.count("/")
        html = env.get_template(template).render(**common, root=root, section=section, **context)
        dest = tmp / path
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(html, encoding="utf-8", newline="\n")
        pages += 1

    try:
        tmp.mkdir()
        assets = tmp / "assets"
        assets.mkdir()
        static = Path(__file__).resolve().parent.parent / "static"
        for name in ("style.css", "site.js"):
            shutil.copyfile(static / name, assets / name)
        downloads = _downloads(conn, tmp / "data")
        (tmp / "CITATION.cff").write_text(cite.cff(), encoding="utf-8", newline="\n")
        (tmp / MARKER).write_text(f"{ds.version.version}\n", encoding="utf-8")

        meetings = list(ds.meetings.values())
        regions: dict[str, list[Any]] = {}
        for s in sorted(ds.states.values(), key=lambda s: s.name):
            regions.setdefault(s.region, []).append(s)
        page(
            "index.html",
            "index.html",
            "home",
            participation=(
                charts.participation(meetings, ""),
                charts.participation(meetings, "", narrow=True),
            ),
            regions=sorted(regions.items(), key=lambda kv: (kv[0] == "", kv[0])),
            sources=ds.sources(),
        )
        page("meetings.html", "meetings/index.html", "meetings")
        for m in meetings:
            adopted = [i for i in ds.instruments.values() if i.meeting == m.slug]
            page("meeting.html", f"meetings/{m.page}", "meetings", m=m, adopted=adopted)

        treaty = _treaty(ds)
        per_state = _state_meetings(ds)
        present_at = [{p.state for p in m.present} for m in meetings]
        rows = []
        for s in ds.states.values():
            latest = None
            if treaty is not None:
                mine = [f for f in s.facts if f.instrument == treaty.slug]
                latest = mine[-1] if mine else None
            present = sum(1 for here in present_at if s.code in here)
            rows.append((s, present, latest))
        page(
            "states.html",
            "states/index.html",
            "states",
            rows=rows,
            treaty_name=treaty.name if treaty else "the treaty",
        )
        for s in ds.states.values():
            page(
                "state.html",
                f"states/{s.page}",
                "states",
                s=s,
                status=ds.status.get(s.code, []),
                deadlines=ds.deadlines.get(s.code, []),
                instruments=[f for f in s.facts if f.instrument in ds.instruments],
                meetings=per_state[s.code],
            )
        page("instruments.html", "instruments/index.html", "instruments")
        for i in ds.instruments.values():
            groups = list(i.by_record().items())
            endorsed = dict(groups).get("endorsed")
            footer = None
            if endorsed is not None or i.kind == "declaration":
                footer = endorsement_footer(conn, i.slug, len(endorsed or []))
            page(
                "instrument.html",
                f"instruments/{i.page}",
                "instruments",
                i=i,
                groups=groups,
                chart=charts.over_time(i),
                endorsers=footer,
            )
        page(
            "conflicts.html",
            "conflicts.html",
            "conflicts",
            rows=ds.conflicts,
            explained=CONFLICT_KINDS,
        )
        page("data.html", "data.html", "data", downloads=downloads)
        files = sum(1 for p in tmp.rglob("*") if p.is_file())
        _move_into_place(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return SiteSummary(pages, files, ds.version.version)


__all__ = ["MARKER", "SiteSummary", "build_site", "linkify"]
