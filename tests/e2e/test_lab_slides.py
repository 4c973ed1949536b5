"""A notebook presented as live slides (jupyterlab-slideshow) in JupyterLab."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from lab_page import Notebook, drag, slider, wait_for_new_image
from playwright.sync_api import TimeoutError as PlaywrightTimeout

# The start notebook always exists; it has a formula and a live widget on its slides.
NOTEBOOK = "00_start_here.ipynb"
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

_ONSCREEN = """(selector) => Array.from(document.querySelectorAll(selector + ' .jp-Cell'))
    .map((cell, index) => (cell.classList.contains('jp-deck-mod-onscreen') ? index : -1))
    .filter((index) => index >= 0)"""


def onscreen(notebook: Notebook) -> list[int]:
    """Indices of the cells that the current slide shows."""
    return notebook.page.evaluate(_ONSCREEN, notebook.selector)


def go(notebook: Notebook, direction: str, shown: list[int], max_steps: int = 12) -> list[int]:
    """Run deck:<direction> until the slide changes; return the cells it shows then.

    Within a slide, deck:forward first walks through the slide's cells one at a time
    (scrolling a long slide), so several steps may show the same slide.
    """
    for _ in range(max_steps):
        notebook.command(f"deck:{direction}")
        try:
            notebook.page.wait_for_function(
                f"([selector, shown]) => JSON.stringify(({_ONSCREEN})(selector)) !== "
                "JSON.stringify(shown)", arg=[notebook.selector, shown], timeout=3_000)
        except PlaywrightTimeout:
            continue
        return onscreen(notebook)
    raise AssertionError(f"deck:{direction} did not leave the slide of cells {shown}")


def slide(notebook: Notebook):
    """The visible part of the presentation (the cells on the current slide)."""
    return notebook.page.locator(f"{notebook.selector} .jp-Cell.jp-deck-mod-onscreen")


@pytest.fixture
def deck(lab, page):
    notebook = Notebook.open(page, lab, NOTEBOOK)
    notebook.run_all()
    notebook.wait_widgets_rendered()
    # Present from the first slide, not from the last cell that ran.
    page.evaluate("(path) => { for (const w of window.jupyterapp.shell.widgets('main')) "
                  "if (w.context && w.context.path === path) w.content.activeCellIndex = 0; }",
                  notebook.path)
    notebook.command("deck:start")
    page.wait_for_selector(f"{notebook.selector} .jp-Cell.jp-deck-mod-onscreen")
    yield notebook
    notebook.command("deck:stop")


def slide_types(path: Path) -> list[str | None]:
    return [cell.metadata.get("slideshow", {}).get("slide_type")
            for cell in nbformat.read(path, as_version=4).cells]


def test_slides_advance_typeset_and_stay_live(deck, page, artifacts):
    since = page.console_log.mark()
    types = slide_types(NOTEBOOKS / NOTEBOOK)
    n_slides = sum(kind in ("slide", "subslide") for kind in types)
    slides = [onscreen(deck)]
    assert slides[0][0] == 0, "the presentation did not start at the first slide"
    formulas, live = 0, False
    while True:
        math = slide(deck).locator("mjx-container")
        assert slide(deck).locator("mjx-merror").count() == 0, "a formula failed to typeset"
        if math.count() and not formulas:
            page.screenshot(path=artifacts / f"{Path(NOTEBOOK).stem}_slide_formula.png")
        formulas += math.count()
        if not live and slide(deck).locator(".jupyter-widgets .widget-slider").count():
            check_live_widget(deck, page)
            page.screenshot(path=artifacts / f"{Path(NOTEBOOK).stem}_slide_widget.png")
            live = True
        if len(slides) == n_slides:
            break
        slides.append(go(deck, "forward", slides[-1], max_steps=len(types)))

    assert len(slides) >= 3, "the deck has fewer than three slides"
    assert len({tuple(s) for s in slides}) == len(slides), "a slide repeated"
    shown = {index for cells in slides for index in cells}
    hidden = [(index, kind) for index, kind in enumerate(types)
              if index not in shown and kind not in ("skip", "notes")]
    assert hidden == [], "cells on no slide (index, slide_type); jupyterlab-slideshow " \
                         "continues a slide only for cells without a slide_type"
    assert formulas > 0, "no typeset formula on any slide"
    assert live, f"no slide of {NOTEBOOK} showed a live widget"
    assert go(deck, "back", slides[-1], max_steps=len(types)) == slides[-2]
    assert page.console_log.problems(since) == []


def check_live_widget(deck: Notebook, page) -> None:
    """The first slider view on the current slide answers the mouse and the keyboard."""
    shown = onscreen(deck)
    view = slide(deck).locator(".jp-OutputArea-output").filter(
        has=page.locator(".widget-slider")).first
    control = slider(view, view.locator(".widget-label").first.inner_text())
    readout = control.locator(".widget-readout")
    before, start = view.locator("img.widget-image").screenshot(), int(readout.inner_text())
    drag(page, control.locator(".noUi-handle"),
         control.locator(".noUi-target").bounding_box()["width"] / 4)
    after = wait_for_new_image(view, before)
    assert int(readout.inner_text()) > start and after != before, "the drag did nothing"
    start = int(readout.inner_text())
    control.locator(".noUi-handle").focus()
    page.keyboard.press("ArrowLeft")
    after, before = wait_for_new_image(view, after), after
    assert int(readout.inner_text()) < start and after != before, "the arrow key did nothing"
    assert onscreen(deck) == shown, "the arrow key on the slider turned the slide"
