"""The course website (tools/build_site.py), served over HTTP with every request that
leaves the site blocked, as a reader without network (or behind a school proxy) sees it."""

from __future__ import annotations

import functools
import http.server
import sys
import threading
from pathlib import Path

import pytest
from axe import blocking, run_axe, summary
from conftest import confine
from lab_page import ConsoleLog

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import build_site  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# Sphinx loads MathJax only on pages with formulas; there, wait until it has typeset them.
TYPESET = ("() => !document.querySelector('script[src*=\"MathJax.js\"]') || (window.MathJax"
           " && MathJax.Hub && MathJax.Hub.queue.pending === 0 && !MathJax.Hub.queue.running)")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site built once into a temporary folder and served on a free local port."""
    root = tmp_path_factory.mktemp("served")
    try:
        build_site.build(root / "site", NOTEBOOKS, lite=root / "lite")
    except build_site.MissingAssets as error:
        pytest.fail(str(error), pytrace=False)
    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/site/"
    server.shutdown()
    server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def reader(browser, site):
    """A page that may load only what the site serves; it records every other request."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(60_000)
    confine(context, (site, "data:", "blob:"))
    page = context.new_page()
    page.console_log = ConsoleLog(page)
    yield page
    context.close()


def visit(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.wait_for_function(TYPESET)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_lesson_page_is_whole_offline(path, site, reader, artifacts):
    visit(reader, f"{site}{path.stem}.html")
    assert reader.locator("h1").first.inner_text().strip() != ""
    # Every formula typeset: no TeX source left in the page's text, no MathJax error.
    assert reader.locator(".MathJax_Error, .mjx-merror").count() == 0
    text = reader.locator("article").inner_text()
    assert "\\(" not in text and "\\frac" not in text, "a formula was left as TeX"
    notebook = build_site.nbformat.read(path, as_version=4)
    views = sum(build_site.export_slides.WIDGET_VIEW in output.get("data", {})
                for cell in notebook.cells for output in cell.get("outputs", []))
    # Each interactive view shows as stored, captioned, with no control that does nothing.
    assert reader.locator(".frozen-view figcaption").count() == views
    assert reader.locator("article :is(input, select, button, textarea)").count() == 0
    images = reader.locator("article img")
    reader.wait_for_function("() => Array.from(document.querySelectorAll('article img'))"
                             ".every((img) => img.complete && img.naturalWidth > 0)")
    editions = reader.locator("nav.lesson-editions a")
    assert editions.count() >= 1
    missing_alt = reader.locator("article img:not([alt]), article img[alt='']").count()
    assert missing_alt == 0, "figures without a description"
    reader.screenshot(path=artifacts / f"site_{path.stem}.png")
    violations = run_axe(reader)
    print(f"\n{path.stem}: {images.count()} images, {views} views; {summary(violations)}")
    assert blocking(violations) == []
    assert reader.context.outside == [], "the page asked for something outside the site"
    assert reader.context.failed == [], "files the page needs are missing from the site"
    assert reader.console_log.problems() == []


def test_index_lists_every_lesson_and_search_finds_them(site, reader, artifacts):
    visit(reader, site)
    for path in NOTEBOOKS:
        assert reader.locator(f"article a[href='{path.stem}.html']").count() >= 1, path.stem
    reader.screenshot(path=artifacts / "site_index.png")
    reader.goto(f"{site}search.html?q=stride")
    results = reader.locator("#search-results li")
    results.first.wait_for()
    found = [results.nth(i).locator("a").first.get_attribute("href")
             for i in range(results.count())]
    assert any("03_pooling" in href for href in found), found
    reader.screenshot(path=artifacts / "site_search.png")
    assert reader.context.outside == [] and reader.context.failed == []


def test_notation_page_has_its_tables(site, reader):
    visit(reader, f"{site}notation.html")
    assert reader.locator("article table").count() >= 3
