"""`ccm site` in a real browser (issue 15): Debian's headless Chromium, driven by Playwright.

Every generated page is opened from the file system, as a reader who downloaded the folder
would: no console error, no request leaving the site folder, every internal link landing on
a file. Screenshots of the home page and Lima's page at phone and desktop widths are kept as
artefacts (the folder is printed). Hostile text in the data must come out as text.

Runs wherever Chromium and Playwright are installed; skips otherwise, except in CI (CI=true),
where `.ci/run` installs Chromium and a skip would hide a broken site.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from test_site import EPOCH, HOSTILE_DETAIL, HOSTILE_MEETING, RTL, hostile_db, run

ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Fewer process swaps between file:// pages: navigations are what these tests spend on.
    "--disable-features=BackForwardCache,ProactivelySwapBrowsingInstance,RenderDocument",
]
WIDTHS = {"phone": 390, "desktop": 1280}


def _chromium() -> str | None:
    found = os.environ.get("CCM_CHROMIUM") or shutil.which("chromium")
    return found or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{reason}; CI must run the browser tests (.ci/run installs chromium)")
    pytest.skip(reason)


def collation_key(text: str) -> str:
    """Close to the browser's localeCompare: accents and case aside ("Côte" before "Croatia")."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


def artefacts() -> Path:
    folder = Path(os.environ.get("CCM_ARTIFACTS") or Path(tempfile.gettempdir()) / "ccm-artifacts")
    folder = folder / "site-screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = _chromium()
    if executable is None:
        _unavailable("no chromium on this machine")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory, _builtin_template: Path) -> dict[str, Path]:
    """The built-in dataset's site, and a site of hostile data."""
    folder = tmp_path_factory.mktemp("browser-sites")
    database = folder / "ccm.db"
    shutil.copy(_builtin_template, database)
    env = {"SOURCE_DATE_EPOCH": EPOCH}
    assert run("site", folder / "builtin", "--db", database, env=env)[0] == 0
    hostile = hostile_db(folder)
    assert run("site", folder / "hostile", "--db", hostile, env=env)[0] == 0
    return {"builtin": folder / "builtin", "hostile": folder / "hostile"}


class Watch:
    """One tab that records what a reader's browser would complain about."""

    def __init__(self, browser: Any, site: Path, width: int = 1280, **options: Any) -> None:
        self.root = site.resolve().as_uri() + "/"
        self.context = browser.new_context(viewport={"width": width, "height": 900}, **options)
        self.problems: list[str] = []
        self.dialogs: list[str] = []
        self.page = self.tab()

    def tab(self) -> Any:
        """A page in this context whose every request, message and dialog is recorded."""
        page = self.context.new_page()
        page.on("request", self._request)
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.problems.append(f"page error: {exc}"))
        page.on("dialog", self._dialog)
        return page

    def _request(self, request: Any) -> None:
        if not request.url.startswith(self.root):
            self.problems.append(f"request outside the site: {request.url}")

    def _console(self, message: Any) -> None:
        if message.type in ("error", "warning"):
            self.problems.append(f"console {message.type}: {message.text}")

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, path: Path) -> Any:
        # By DOMContentLoaded the stylesheet has loaded (it blocks the deferred script) and
        # site.js has run; nothing else is left to wait for.
        self.page.goto(path.resolve().as_uri(), wait_until="domcontentloaded")
        return self.page

    def close(self) -> None:
        self.context.close()


LINKS_AND_STATE = """() => ({
    js: document.documentElement.classList.contains("js"),
    sheets: document.styleSheets.length,
    links: Array.from(document.querySelectorAll("a[href]"),
        a => new URL(a.getAttribute("href"), document.baseURI).href),
})"""


def test_every_page_loads_clean_and_every_link_resolves(browser: Any, sites: dict) -> None:
    site = sites["builtin"]
    watch = Watch(browser, site)
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 150
    broken = []
    # A navigation mostly waits (on the file, on the renderer): three tabs overlap the waits.
    tabs = [watch.page, watch.tab(), watch.tab()]
    try:
        for start in range(0, len(pages), len(tabs)):
            batch = list(zip(tabs, pages[start : start + len(tabs)], strict=False))
            for tab, path in batch:
                tab.goto(path.resolve().as_uri(), wait_until="commit")
            for tab, path in batch:
                tab.wait_for_load_state("domcontentloaded")
                state = tab.evaluate(LINKS_AND_STATE)
                assert state["js"] and state["sheets"] == 1, path  # our script ran, our CSS too
                for href in state["links"]:
                    parts = urlsplit(href)
                    if parts.scheme in ("http", "https"):
                        continue  # a source, followed only when a reader clicks it
                    target = Path(unquote(parts.path))
                    if parts.scheme != "file" or not target.is_file():
                        broken.append(f"{path.relative_to(site)} -> {href}")
    finally:
        watch.close()
    assert not watch.problems, watch.problems[:10]
    assert not broken, broken[:10]


def test_screenshots_of_home_and_lima_at_phone_and_desktop_widths(
    browser: Any, sites: dict, capsys: pytest.CaptureFixture[str]
) -> None:
    site = sites["builtin"]
    folder = artefacts()
    for name, width in WIDTHS.items():
        watch = Watch(browser, site, width=width)
        try:
            for label, path in (("home", "index.html"), ("lima", "meetings/lima-2007.html")):
                page = watch.open(site / path)
                # Readable on a phone: wide tables scroll inside their box, never the page.
                overflow = page.evaluate("document.documentElement.scrollWidth")
                assert overflow <= width, f"{path} is {overflow}px wide at {width}px"
                shot = folder / f"{label}-{name}.png"
                page.screenshot(path=str(shot), full_page=True)
                assert shot.stat().st_size > 10_000
                assert int.from_bytes(shot.read_bytes()[16:20], "big") == width
        finally:
            watch.close()
        assert not watch.problems, watch.problems
    home = Watch(browser, site, width=WIDTHS["phone"])
    try:
        page = home.open(site / "index.html")
        assert page.locator("svg.narrow").is_visible() and not page.locator("svg.wide").is_visible()
    finally:
        home.close()
    with capsys.disabled():
        print(f"\nsite screenshots: {folder}")


def test_hostile_text_comes_out_as_text(browser: Any, sites: dict) -> None:
    site = sites["hostile"]
    watch = Watch(browser, site)
    try:
        for path in sorted(site.rglob("*.html")):
            page = watch.open(path)
            assert page.locator("script").count() == 1, path
            assert page.locator("img, b").count() == 0, path
        page = watch.open(site / "meetings" / "lima-2007.html")
        assert page.locator("h1").inner_text() == HOSTILE_MEETING
        assert HOSTILE_DETAIL in page.locator("main").inner_text()
        assert RTL in page.locator("main").inner_text()
        assert page.locator('a[href^="javascript:"]').count() == 0
        title = page.title()
        assert title.startswith(HOSTILE_MEETING)
    finally:
        watch.close()
    assert not watch.dialogs, watch.dialogs  # no alert() ever ran
    assert not watch.problems, watch.problems


def test_tables_sort_and_filter_and_work_without_javascript(browser: Any, sites: dict) -> None:
    site = sites["builtin"]
    watch = Watch(browser, site)
    try:
        page = watch.open(site / "states" / "index.html")
        rows = page.locator("table.data tbody tr")
        total = rows.count()
        first = rows.first.locator("td").first
        header = page.locator("table.data th").first
        header.locator("button").click()
        assert header.get_attribute("aria-sort") == "ascending"
        names = page.locator("table.data tbody tr td:first-child").all_inner_texts()
        assert names == sorted(names, key=collation_key)
        header.locator("button").click()
        assert header.get_attribute("aria-sort") == "descending"
        assert first.inner_text() != names[0] or total == 1
        page.fill(".filter input", "Peru")
        visible = page.locator("table.data tbody tr:visible")
        assert visible.count() == 1 and "Peru" in visible.first.inner_text()
        assert f"1 of {total} rows" in page.locator(".filter .shown").inner_text()
        page.emulate_media(media="print")
        assert not page.locator("nav").is_visible() and not page.locator(".filter").is_visible()
    finally:
        watch.close()
    assert not watch.problems, watch.problems
    plain = Watch(browser, site, java_script_enabled=False)
    try:
        page = plain.open(site / "index.html")
        assert page.locator("svg.wide rect.recorded").count() > 10  # the chart needs no script
        assert page.locator(".filter").count() == 0
        page = plain.open(site / "states" / "index.html")
        assert page.locator("table.data tbody tr").count() == total
    finally:
        plain.close()
