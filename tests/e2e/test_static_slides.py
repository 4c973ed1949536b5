"""The exported slide decks (tools/export_slides.py) and handouts, opened from files with
the network off, as an instructor presents them on a machine without Jupyter."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe import blocking, run_axe, summary
from conftest import confine
from decks import MATH_ON_SLIDE, MATHJAX_IDLE, SCREEN, walk_static_deck
from lab_page import ConsoleLog
from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import build_site  # noqa: E402
import export_handouts  # noqa: E402
import export_slides  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# Lesson 01 has formulas and interactive views; the start notebook stands in before it exists.
FEATURED = next(path for path in (ROOT / "notebooks" / "01_convolution_filters.ipynb",
                                  NOTEBOOKS[0]) if path.exists())
# Printing is the slowest step; one lesson with views, formulas and many slides is enough.
HANDOUT = next(path for path in (ROOT / "notebooks" / "03_pooling.ipynb", FEATURED)
               if path.exists())

@pytest.fixture(scope="module")
def decks(tmp_path_factory) -> dict[str, Path]:
    """Every notebook exported once into a temporary folder, by notebook name."""
    try:
        exported = export_slides.export_all(NOTEBOOKS, tmp_path_factory.mktemp("slides"))
    except export_slides.MissingAssets as error:
        pytest.fail(str(error), pytrace=False)
    return {deck.name.removesuffix(".slides.html"): deck for deck in exported}


@pytest.fixture
def offline(browser):
    """A browser context at projector size that may read only files of the deck folder."""
    context = browser.new_context(viewport=SCREEN, offline=True)
    context.set_default_timeout(60_000)
    confine(context, ("file://", "data:"))
    yield context
    context.close()


def open_deck(context, deck: Path, query: str = ""):
    page = context.new_page()
    page.console_log = ConsoleLog(page)
    page.goto(deck.as_uri() + query)
    page.wait_for_selector(".reveal.ready")
    page.wait_for_function("() => window.MathJax && MathJax.Hub")
    page.wait_for_function(MATHJAX_IDLE)
    return page


def test_site_decks_link_the_browser_edition_and_their_title_slides_still_fit(
        decks, offline, artifacts, tmp_path):
    """The site's copies of the decks (tools/build_site.py) get a link under the title."""
    slides = tmp_path / "site" / "slides"
    shutil.copytree(next(iter(decks.values())).parent, slides)
    lab = tmp_path / "lite" / "lab"
    lab.mkdir(parents=True)
    (lab / "index.html").write_text("<!doctype html><title>browser edition</title>")
    build_site.link_decks_to_lite(slides, list(decks))
    for stem in decks:
        page = open_deck(offline, slides / f"{stem}.slides.html")
        link = page.locator(".reveal .slides section.present .try-live a")
        assert link.is_visible(), stem
        assert (slides / urlsplit(link.get_attribute("href")).path).resolve() == (
            lab / "index.html").resolve()
        report = walk_static_deck(page, stem, artifacts / f"{stem}_site_title", max_steps=1)
        assert report.overflowing == {}, f"{stem}: the title slide no longer fits"
        page.close()
    assert offline.outside == [] and offline.failed == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_static_deck_walks_and_fits(path, decks, offline, artifacts, deck_reports):
    page = open_deck(offline, decks[path.stem])
    assert page.locator(".reveal .slides :is(input, select, button, textarea)").count() == 0, (
        "the deck shows controls that cannot work without a kernel")
    assert page.locator(".reveal .slides :is(.jp-InputPrompt, .jp-OutputPrompt)").count() == 0
    assert page.locator(".reveal aside.notes").count() > 0, "the deck has no speaker notes"
    frozen = page.locator(".frozen-view")
    assert frozen.count() == page.locator(".frozen-view figcaption").count()
    report = walk_static_deck(page, path.stem, artifacts / f"{path.stem}_static")
    deck_reports.append(report)
    assert report.missed == [], "slides that the right arrow skipped"
    assert report.overflowing == {}, "slides taller than the screen (h.v: px)"
    assert page.locator(".MathJax_Error, .mjx-merror").count() == 0
    assert offline.outside == [], "the deck reached outside its folder"
    assert offline.failed == [], "files the deck needs are missing from its folder"
    assert page.console_log.problems() == []


def test_featured_deck_typesets_and_shows_views(decks, offline, artifacts):
    page = open_deck(offline, decks[FEATURED.stem])
    images = page.locator(".frozen-view img")
    assert images.count() > 0, f"{FEATURED.name} shows no interactive view"
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.frozen-view img'))"
        ".every((img) => img.complete && img.naturalWidth > 0)")
    # Every formula on the slides visited typesets once the slide is shown.
    formulas = 0
    for _ in range(6):
        try:
            page.wait_for_function(f"() => {{ const [source, shown] = ({MATH_ON_SLIDE})();"
                                   " return shown === source; }", timeout=20_000)
        except PlaywrightTimeout:
            pass
        source, shown = page.evaluate(MATH_ON_SLIDE)
        assert shown == source, f"slide {page.evaluate('Reveal.getIndices()')}: " \
                                f"{shown} of {source} formulas shown"
        formulas += shown
        page.keyboard.press("ArrowRight")
    assert formulas > 0, "no formula on the slides visited"
    page.evaluate("Reveal.slide(Array.from(Reveal.getSlides()).findIndex("
                  "(s) => s.querySelector('.frozen-view')))")
    page.screenshot(path=artifacts / f"{FEATURED.stem}_static_view.png")


def test_featured_deck_passes_axe_on_every_slide(decks, offline):
    """axe-core on each slide as it is shown (reveal.js hides the others from assistive
    technology), with the slide number: no serious or critical violation."""
    page = open_deck(offline, decks[FEATURED.stem])
    by_rule = {}
    for index in range(page.evaluate("Reveal.getTotalSlides()")):
        page.evaluate(f"Reveal.slide({index})")
        for violation in run_axe(page, include=[".reveal .slides section.present",
                                                ".reveal .slide-number"]):
            by_rule.setdefault(violation["id"], {**violation, "nodes": []})["nodes"] += (
                violation["nodes"])
    violations = list(by_rule.values())
    print(f"\n{FEATURED.stem} deck, every slide: {summary(violations)}")
    assert blocking(violations) == []


def test_speaker_view_shows_the_notes(decks, offline, artifacts):
    page = open_deck(offline, decks[FEATURED.stem])
    noted = page.evaluate("Array.from(Reveal.getSlides()).findIndex("
                          "(s) => s.querySelector('aside.notes'))")
    page.evaluate(f"Reveal.slide({noted})")
    expected = page.evaluate("Reveal.getSlideNotes()")
    with page.expect_popup() as popup:
        page.keyboard.press("s")
    speaker = popup.value
    notes = speaker.locator(".speaker-controls-notes .value")
    speaker.wait_for_function("(text) => document.querySelector("
                              "'.speaker-controls-notes .value')?.innerText.trim().length > 0",
                              arg=expected)
    assert notes.inner_text().strip()[:40] in " ".join(expected.split())
    speaker.screenshot(path=artifacts / f"{FEATURED.stem}_speaker_view.png")


def test_handout_has_one_page_per_slide(decks, browser, tmp_path):
    from pypdf import PdfReader

    deck = decks[HANDOUT.stem]
    page = browser.new_page(viewport=SCREEN)
    page.goto(deck.as_uri())
    page.wait_for_selector(".reveal.ready")
    slides = page.evaluate("Reveal.getTotalSlides()")
    page.close()
    pdf = export_handouts.print_deck(browser, deck, tmp_path)
    pages = PdfReader(pdf).pages
    print(f"\n{pdf.name}: {len(pages)} pages for {slides} slides")
    assert len(pages) == slides, "a slide spilled over onto a second page (cut in a handout)"
    width, height = pages[0].mediabox.width, pages[0].mediabox.height
    assert abs(width / height - 16 / 9) < 0.01
    # A tagged PDF: every figure a screen reader meets says what it shows.
    figures = pdf_figures(PdfReader(pdf))
    print(f"{pdf.name}: {len(figures)} tagged figures, "
          f"{sum(bool(alt) for alt in figures)} with a description")
    assert figures and all(figures), "figures without alt text in the handout"


def pdf_figures(reader) -> list[str]:
    """The alt text of every image of a tagged PDF ('' if none): each Figure element of
    its structure tree that holds no other element (a frozen view's <figure> holds its
    image, its control values and its caption)."""
    from pypdf.generic import ArrayObject, DictionaryObject

    def elements(node) -> list:
        node = node.get_object()
        if isinstance(node, ArrayObject):
            return [e for child in node for e in elements(child)]
        return [node] if isinstance(node, DictionaryObject) and "/S" in node else []

    found = []

    def visit(element):
        children = elements(element["/K"]) if "/K" in element else []
        if element.get("/S") == "/Figure" and not children:
            found.append(str(element.get("/Alt", "")))
        for child in children:
            visit(child)

    for top in elements(reader.trailer["/Root"]["/StructTreeRoot"]["/K"]):
        visit(top)
    return found
