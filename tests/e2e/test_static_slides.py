"""An exported slide deck (tools/export_slides.py) opened from a file with the network off."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest
from lab_page import ConsoleLog
from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import export_slides  # noqa: E402

# Lesson 01 has formulas and stored widget state; the start notebook stands in before it exists.
CANDIDATES = ["01_convolution_filters.ipynb", "00_start_here.ipynb"]
NOTEBOOK = next(ROOT / "notebooks" / name for name in CANDIDATES
                if (ROOT / "notebooks" / name).exists())

_PRESENT = "() => Array.from(document.querySelectorAll('.reveal .slides > section'))" \
           ".findIndex((s) => s.classList.contains('present'))"


# On the current slide: [formulas in the source, formulas typeset and visible].
_MATH_ON_SLIDE = """() => {
  const slide = document.querySelector('.reveal .slides > section.present');
  const visible = Array.from(slide.querySelectorAll('.MathJax_CHTML'))
    .filter((m) => m.getBoundingClientRect().width > 0);
  return [slide.querySelectorAll('script[type^="math/tex"]').length, visible.length];
}"""
_MATHJAX_IDLE = "() => MathJax.Hub.queue.pending === 0 && !MathJax.Hub.queue.running"


@pytest.fixture(scope="module")
def deck(tmp_path_factory) -> Path:
    try:
        (deck,) = export_slides.export_all([NOTEBOOK], tmp_path_factory.mktemp("slides"))
    except export_slides.MissingAssets as error:
        pytest.fail(str(error), pytrace=False)
    return deck


def test_exported_deck_works_offline(deck, browser, artifacts):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, offline=True)
    context.set_default_timeout(60_000)
    folder = deck.parent.as_uri() + "/"
    outside, failed = [], []

    def only_the_deck_folder(route):
        if route.request.url.startswith(folder):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_deck_folder)
    page = context.new_page()
    console = ConsoleLog(page)
    page.on("requestfailed", lambda request: failed.append(request.url))
    try:
        page.goto(deck.as_uri())
        page.wait_for_selector(".reveal.ready")
        sections = page.locator(".reveal .slides > section").count()
        assert sections >= 2

        # MathJax 2 typesets the formulas (CommonHTML output) without a parse error.
        page.wait_for_function("() => window.MathJax && MathJax.Hub && "
                               "document.querySelectorAll('.MathJax_CHTML').length > 0")
        page.wait_for_function(_MATHJAX_IDLE)
        assert page.locator(".MathJax_Error, .mjx-merror").count() == 0

        # Widget state stored in the notebook renders as widgets, images included.
        if nbformat.read(NOTEBOOK, as_version=4).metadata.get("widgets"):
            page.wait_for_selector(".jupyter-widgets img.widget-image", state="attached")
            page.wait_for_function(
                "() => Array.from(document.querySelectorAll('img.widget-image'))"
                ".every((img) => img.complete && img.naturalWidth > 0)")

        # The arrow key advances the deck, slide after slide; each slide's formulas show
        # once MathJax has re-rendered them for the new slide.
        visited, formulas = [page.evaluate(_PRESENT)], 0
        for _ in range(4):
            page.keyboard.press("ArrowRight")
            page.wait_for_function(f"(last) => ({_PRESENT})() !== last", arg=visited[-1])
            visited.append(page.evaluate(_PRESENT))
            try:
                page.wait_for_function(f"() => {{ const [source, shown] = ({_MATH_ON_SLIDE})();"
                                       " return shown === source; }", timeout=20_000)
            except PlaywrightTimeout:
                pass
            source, shown = page.evaluate(_MATH_ON_SLIDE)
            assert shown == source, f"slide {visited[-1]}: {shown} of {source} formulas shown"
            formulas += shown
            if shown:
                page.screenshot(path=artifacts / f"{NOTEBOOK.stem}_static_slide.png")
        assert visited == sorted(set(visited)), f"slides did not advance: {visited}"
        assert formulas > 0, "no formula on the slides visited"

        assert outside == [], "the deck reached outside its folder"
        assert failed == [], "files the deck needs are missing from its folder"
        assert console.problems() == []
    finally:
        context.close()
