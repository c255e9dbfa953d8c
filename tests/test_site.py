"""`ccm site DIR` (issue 15) without a browser: the files, every link, escaping, citation.

The link checker parses every generated page and follows every reference: internal links
must land on a file of the site (and on an element, for a #fragment), nothing may load from
outside the folder, and every page must be reachable from the home page.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import sqlite3
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from typer.testing import CliRunner

from ccmtool import db
from ccmtool.cli import app
from ccmtool.conflicts import conflicts
from ccmtool.dataset import dataset_version
from ccmtool.queries import attendance

EPOCH = "1767225600"  # 2026-01-01T00:00:00Z
RTL = "\u202e"
HOSTILE_STATE = "Peru <script>alert('state')</script>"
HOSTILE_MEETING = "Lima <img src=x onerror=alert(1)> \"Conference\" 'x'"
HOSTILE_DETAIL = f"Said \"hi\" & 'bye' <script>alert(4)</script> {RTL}RTL{RTL}"


def run(*args: str | Path, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args], env=env)
    return result.exit_code, result.stdout, result.stderr


def write_hostile_csvs(folder: Path) -> list[Path]:
    """Contract files whose every text field tries to become markup, a link, or bidi."""
    folder.mkdir(parents=True, exist_ok=True)
    facts_sources = (
        "https://example.org/x?a=1&b=2 | <script>alert(5)</script> | javascript:alert(6)"
    )
    tables = {
        "states.csv": [
            ["code", "name", "region", "subregion", "aliases"],
            ["PER", HOSTILE_STATE, "Americas", "South America", ""],
        ],
        "meetings.csv": [
            [
                *("slug", "name", "city", "country", "start_date", "end_date"),
                *("kind", "reported", "source"),
            ],
            [
                *("lima-2007", HOSTILE_MEETING, f"Li{RTL}ma", "Peru", "2007-05-23"),
                *("2007-05-25", "conference", "68", "javascript:alert(1)"),
            ],
        ],
        "instruments.csv": [
            ["slug", "name", "kind", "meeting", "date", "source"],
            [
                *("ccm", "Convention </title><script>alert(2)</script>", "treaty"),
                *("lima-2007", "2008-05-30", 'https://example.org/a?b=1&c="2"'),
            ],
        ],
        "counts.csv": [
            ["meeting", "record", "count", "detail", "source"],
            [
                *("lima-2007", "attended", "68", "about 68 <b>bold</b>"),
                'https://example.org/"><script>alert(3)</script>',
            ],
        ],
        "facts.csv": [
            ["state", "record", "subject", "date", "meeting", "detail", "source"],
            [HOSTILE_STATE, "attended", "lima-2007", "", "", HOSTILE_DETAIL, facts_sources],
            [
                *(HOSTILE_STATE, "signed", "ccm", "2008-12-03", "lima-2007"),
                *("IMPLIED: from a list", "Some book, p. 4 (as cited)"),
            ],
        ],
    }
    paths = []
    for name, rows in tables.items():
        path = folder / name
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)
        paths.append(path)
    return paths


def hostile_db(folder: Path) -> Path:
    path = folder / "hostile.db"
    db.create(path, seed=False)
    code, _out, err = run("import", *write_hostile_csvs(folder / "csv"), "--db", path)
    assert code == 0, err
    return path


# --- the link checker ------------------------------------------------------------------------


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.ids: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if name in ("href", "src", "action", "srcset", "poster", "data") and value is not None:
                self.refs.append((tag, name, value))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def check_links(site: Path) -> dict[Path, set[Path]]:
    """Every reference on every page; returns the internal link graph. Fails on any problem."""
    root = site.resolve()
    pages = {p.resolve(): parse(p) for p in root.rglob("*.html")}
    graph: dict[Path, set[Path]] = {}
    problems = []
    for path, page in pages.items():
        graph[path] = set()
        for tag, attr, value in page.refs:
            where = f"{path.relative_to(root)}: <{tag} {attr}={value!r}>"
            parts = urlsplit(value)
            if parts.scheme in ("http", "https"):
                if not (tag == "a" and attr == "href"):
                    problems.append(f"{where}: loads from outside the site")
                continue
            if parts.scheme or parts.netloc or value.startswith("/"):
                problems.append(f"{where}: not a relative link")
                continue
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if root not in target.parents and target != root:
                problems.append(f"{where}: leaves the site folder")
            elif not target.is_file():
                problems.append(f"{where}: no such file")
            elif parts.fragment and target in pages and parts.fragment not in pages[target].ids:
                problems.append(f"{where}: no element #{parts.fragment}")
            elif target.suffix == ".html":
                graph[path].add(target)
    assert not problems, "\n".join(problems[:20])
    return graph


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, _builtin_template: Path) -> Iterator[Path]:
    """The site of the built-in dataset, written once for this module."""
    folder = tmp_path_factory.mktemp("site")
    database = folder / "ccm.db"
    shutil.copy(_builtin_template, database)
    started = time.perf_counter()
    code, _out, err = run(
        "site", folder / "out", "--db", database, env={"SOURCE_DATE_EPOCH": EPOCH}
    )
    seconds = time.perf_counter() - started
    assert code == 0, err
    assert seconds < 5, f"ccm site took {seconds:.1f} s on the built-in data"
    assert "wrote" in err and "index.html" in err
    yield folder / "out"


def database_of(site: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(site.parent / "ccm.db")
    conn.row_factory = sqlite3.Row
    return conn


# --- tests -----------------------------------------------------------------------------------


def test_site_has_every_page_and_download(built: Path) -> None:
    conn = database_of(built)
    for (slug,) in conn.execute("SELECT slug FROM meetings"):
        assert (built / "meetings" / f"{slug}.html").is_file()
    for (code,) in conn.execute("SELECT code FROM states"):
        assert (built / "states" / f"{code}.html").is_file()
    for (slug,) in conn.execute("SELECT slug FROM instruments"):
        assert (built / "instruments" / f"{slug}.html").is_file()
    for name in ("index.html", "conflicts.html", "data.html", "CITATION.cff"):
        assert (built / name).is_file()
    for name in ("facts", "claims", "states", "meetings", "instruments", "counts"):
        with (built / "data" / f"{name}.csv").open(encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        table = "claims" if name == "claims" else name
        assert len(rows) - 1 == conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    package = json.loads((built / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert {r["path"] for r in package["resources"]} <= {p.name for p in (built / "data").iterdir()}


def test_every_link_resolves_and_every_page_is_reachable(built: Path) -> None:
    graph = check_links(built)
    home = (built / "index.html").resolve()
    seen, todo = {home}, [home]
    while todo:
        for target in graph[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    assert seen == set(graph), sorted(str(p) for p in set(graph) - seen)[:5]


def test_nothing_loads_from_outside_the_folder(built: Path) -> None:
    css = (built / "assets" / "style.css").read_text(encoding="utf-8")
    assert "@import" not in css and not re.search(r"url\(", css)
    js = (built / "assets" / "site.js").read_text(encoding="utf-8")
    assert not re.search(r"https?://|fetch\(|XMLHttpRequest|innerHTML|eval\(", js)
    for page in built.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        scripts = re.findall(r"<script\b[^>]*>", html)
        assert len(scripts) == 1 and 'src="' in scripts[0], page  # only our own file
        assert "<style" not in html and " style=" not in html, page  # CSP: no inline style


def test_home_links_every_meeting_and_state_and_draws_the_chart(built: Path) -> None:
    conn = database_of(built)
    home = parse(built / "index.html")
    links = {value for tag, _attr, value in home.refs if tag == "a"}
    for (slug,) in conn.execute("SELECT slug FROM meetings"):
        assert f"meetings/{slug}.html" in links
    for (code,) in conn.execute("SELECT code FROM states"):
        assert f"states/{code}.html" in links
    html = (built / "index.html").read_text(encoding="utf-8")
    meetings = conn.execute("SELECT count(*) FROM meetings").fetchone()[0]
    # One recorded bar per meeting in each of the wide and narrow drawings.
    assert html.count('<rect class="recorded"') == 2 * meetings
    version = dataset_version(conn).version
    assert version in html


def test_meeting_pages_count_what_the_cli_counts(built: Path) -> None:
    conn = database_of(built)
    for (slug,) in conn.execute("SELECT slug FROM meetings"):
        present = len(attendance(conn, slug)[1])
        absent = len(attendance(conn, slug, absent=True)[1])
        text = " ".join(parse(built / "meetings" / f"{slug}.html").text)
        assert f"{present} recorded" in text, slug
        assert f"Present ({present})" in text and f"Recorded absent ({absent})" in text, slug


def test_every_fact_shows_every_source_on_its_state_page(built: Path) -> None:
    conn = database_of(built)
    pages: dict[str, tuple[set[str], str]] = {}
    for row in conn.execute("SELECT f.state, c.source FROM facts f JOIN claims c ON c.fact = f.id"):
        if row["state"] not in pages:
            page = parse(built / "states" / f"{row['state']}.html")
            hrefs = {value for tag, _a, value in page.refs if tag == "a"}
            pages[row["state"]] = (hrefs, " ".join(page.text))
        hrefs, text = pages[row["state"]]
        source = row["source"]
        if re.fullmatch(r"https?://\S+", source):
            assert source in hrefs, (row["state"], source)
        else:
            assert source.split(" http")[0] in text, (row["state"], source)


def test_conflicts_page_lists_every_conflict(built: Path) -> None:
    _columns, rows = conflicts(database_of(built))
    page = (built / "conflicts.html").read_text(encoding="utf-8")
    body = page.split("<tbody>", 1)[1]
    assert body.count("<tr>") == len(rows) > 0


def test_citation_datapackage_and_pages_share_one_version(built: Path) -> None:
    version = dataset_version(database_of(built))
    fields = yaml.safe_load((built / "CITATION.cff").read_text(encoding="utf-8"))
    assert fields["cff-version"] == "1.2.0" and fields["type"] == "dataset"
    assert fields["version"] == version.version
    assert fields["date-released"] == "2026-01-01"  # SOURCE_DATE_EPOCH's day
    assert fields["license"] == "CC-BY-4.0"
    assert fields["authors"] == [{"name": "ccm contributors"}]
    package = json.loads((built / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["version"] == version.version
    data_page = (built / "data.html").read_text(encoding="utf-8")
    assert version.version in data_page and version.fingerprint in data_page
    assert "@misc{" in data_page and "CITATION.cff" in data_page


def test_rebuild_is_identical_and_replaces_the_old_site(built: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    env = {"SOURCE_DATE_EPOCH": EPOCH}
    assert run("site", again, "--db", built.parent / "ccm.db", env=env)[0] == 0
    stale = again / "meetings" / "gone.html"
    stale.write_text("old", encoding="utf-8")
    assert run("site", again, "--db", built.parent / "ccm.db", env=env)[0] == 0
    assert not stale.exists()
    ours = {p.relative_to(built): p.read_bytes() for p in built.rglob("*") if p.is_file()}
    theirs = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert ours == theirs
    assert not list(tmp_path.glob(".again*"))  # no scratch folder left behind


def test_refuses_a_folder_it_did_not_make(tmp_path: Path, empty_db: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "thesis.txt").write_text("precious", encoding="utf-8")
    code, _out, err = run("site", folder, "--db", empty_db)
    assert code == 1 and err.startswith("ccm: error:") and "not made by `ccm site`" in err
    assert [p.name for p in folder.iterdir()] == ["thesis.txt"]
    a_file = tmp_path / "file.html"
    a_file.write_text("x", encoding="utf-8")
    code, _out, err = run("site", a_file, "--db", empty_db)
    assert code == 1 and "not a folder" in err and "Traceback" not in err
    code, _out, err = run("site", tmp_path / "new", "--url", "example.org", "--db", empty_db)
    assert code == 2 and "--url" in err and not (tmp_path / "new").exists()


def test_empty_database_gives_a_working_site(tmp_path: Path, empty_db: Path) -> None:
    out = tmp_path / "out"
    (out).mkdir()  # an empty folder is fine
    code, _out, err = run("site", out, "--db", empty_db)
    assert code == 0, err
    check_links(out)
    assert "unreleased+" in (out / "index.html").read_text(encoding="utf-8")


def test_hostile_text_is_escaped_everywhere(tmp_path: Path) -> None:
    database = hostile_db(tmp_path)
    out = tmp_path / "out"
    authors = ['A "quoted" {name}\\', "B\nnewline: x"]
    args = [a for name in authors for a in ("--author", name)]
    code, _out, err = run("site", out, "--db", database, *args)
    assert code == 0, err
    check_links(out)
    for page in out.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert re.findall(r"<script\b", html) == ["<script"], page  # only our site.js
        assert (
            "<img" not in html
            and "<b>" not in html
            and "onerror=alert" not in html.replace("&lt;img src=x onerror=alert(1)&gt;", "")
        )
        assert 'href="javascript:' not in html and "href='javascript:" not in html
    lima = (out / "meetings" / "lima-2007.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(4)&lt;/script&gt;" in lima
    assert "&#34;hi&#34; &amp; &#39;bye&#39;" in lima and RTL in lima
    assert "<bdi>" in lima  # data text is isolated from the page's direction
    assert "<li>javascript:alert(6)</li>" in lima  # a non-URL source stays text
    # A URL with quotes and markup after it: the link ends where the URL does.
    assert 'href="https://example.org/x?a=1&amp;b=2"' in lima
    cff = yaml.safe_load((out / "CITATION.cff").read_text(encoding="utf-8"))
    assert [a["name"] for a in cff["authors"]] == authors
    assert cff["title"] and cff["version"].startswith("unreleased+")
    bibtex = (out / "data.html").read_text(encoding="utf-8").split("@misc{", 1)[1]
    assert "{name}" not in bibtex
