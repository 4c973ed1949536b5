"""Lesson 01's views in JupyterLab, driven with the mouse and the keyboard as a student would."""

from __future__ import annotations

from pathlib import Path

import pytest
from axe import blocking, run_axe, summary
from lab_page import (
    ConsoleLog,
    Notebook,
    drag,
    dropdown,
    shutdown_kernels,
    slider,
    wait_for_new_image,
)

ROOT = Path(__file__).resolve().parents[2]
LESSON = "01_convolution_filters.ipynb"

pytestmark = pytest.mark.skipif(not (ROOT / "notebooks" / LESSON).exists(),
                                reason=f"{LESSON} is not built yet")


@pytest.fixture(scope="module")
def lesson(browser, lab):
    """Lesson 01 open and run once; the tests below share its live widgets."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(60_000)
    page = context.new_page()
    console = ConsoleLog(page)
    notebook = Notebook.open(page, lab, LESSON)
    notebook.run_all()
    notebook.wait_widgets_rendered()
    yield notebook, console
    shutdown_kernels(page)
    context.close()


def image_of(view):
    return view.locator("img.widget-image").screenshot(animations="disabled")


def test_filter_explorer_follows_mouse_and_keyboard(lesson, artifacts):
    notebook, console = lesson
    since = console.mark()
    view = notebook.view("FilterExplorer")
    view.scroll_into_view_if_needed()
    size = slider(view, "size")
    readout = size.locator(".widget-readout")

    # Mouse: drag the size handle a third of the track to the left and release.
    before, start = image_of(view), int(readout.inner_text())
    track = size.locator(".noUi-target").bounding_box()
    drag(notebook.page, size.locator(".noUi-handle"), -track["width"] / 3)
    after = wait_for_new_image(view, before)
    assert int(readout.inner_text()) < start
    assert after != before, "the image did not change after dragging the size slider"

    # Keyboard: the arrow keys move the focused handle by one step (2: sizes are odd).
    before, start = after, int(readout.inner_text())
    size.locator(".noUi-handle").focus()
    notebook.page.keyboard.press("ArrowLeft")
    after = wait_for_new_image(view, before)
    assert int(readout.inner_text()) == start - 2
    assert after != before, "the image did not change after the arrow key"

    # Mouse: pick another filter from the list.
    choice = dropdown(view, "filter")
    before = after
    choice.select_option(label="sobel x")
    after = wait_for_new_image(view, before)
    assert after != before, "the image did not change with the filter"

    # Keyboard: type a size into the slider's readout (an editable field) and press Enter.
    choice.select_option(label="box blur")
    before = wait_for_new_image(view, after)
    readout.click()
    notebook.page.keyboard.press("Control+A")
    notebook.page.keyboard.type("5")
    notebook.page.keyboard.press("Enter")
    after = wait_for_new_image(view, before)
    assert readout.inner_text() == "5"
    assert after != before, "the image did not change after typing a size"

    view.screenshot(path=artifacts / "01_filter_explorer_after_input.png")
    assert console.problems(since) == []


def test_convolution_stepper_moves_its_window(lesson, artifacts):
    notebook, console = lesson
    since = console.mark()
    view = notebook.view("ConvolutionStepper")
    view.scroll_into_view_if_needed()
    step = slider(view, "step")
    readout = step.locator(".widget-readout")
    play = view.locator(".widget-play button").first

    # Mouse: press play, let it run a few steps, press it again to pause.
    before, start = image_of(view), int(readout.inner_text())
    play.click()
    notebook.page.wait_for_function(
        "([node, start]) => parseInt(node.innerText) >= start + 2",
        arg=[readout.element_handle(), start], timeout=30_000)
    play.click()
    after = wait_for_new_image(view, before)
    assert int(readout.inner_text()) > start
    assert after != before, "the highlighted window did not move while playing"

    # Keyboard: one arrow key, one step further.
    notebook.wait_idle()
    before = wait_for_new_image(view, after, timeout=2)
    start = int(readout.inner_text())
    step.locator(".noUi-handle").focus()
    notebook.page.keyboard.press("ArrowRight")
    after = wait_for_new_image(view, before)
    assert int(readout.inner_text()) == start + 1
    assert after != before, "the highlighted window did not move with the arrow key"

    view.screenshot(path=artifacts / "01_convolution_stepper_after_input.png")
    assert console.problems(since) == []


@pytest.mark.xfail(strict=True, reason=(
    "JupyterLab's notebook shortcuts take the arrow keys of a focused, closed dropdown "
    "and move the cell cursor instead (jupyter-widgets/ipywidgets#3912, open); when this "
    "passes, fold the keyboard step back into the filter explorer test"))
def test_dropdown_takes_arrow_keys(lesson):
    notebook, _ = lesson
    choice = dropdown(notebook.view("FilterExplorer"), "filter")
    previous = choice.input_value()
    choice.focus()
    notebook.page.keyboard.press("ArrowDown")
    notebook.page.wait_for_timeout(1000)
    assert choice.input_value() != previous


# What JupyterLab and ipywidgets draw, not the course, and cannot be named from a notebook:
# each allowance says where it comes from. Everything else in the outputs must pass.
UPSTREAM_AXE = {
    # JupyterLab 4 draws a PNG output as <img> without alt, even when the output's metadata
    # carries one (the notebook build stores each figure's description there; the decks,
    # the handouts and the website show it): jupyter/enhancement-proposals#120.
    "image-alt": ".jp-RenderedImage img",
    # ipywidgets' slider handle (noUiSlider) is not tied to its description label.
    "aria-input-field-name": ".noUi-handle",
    # ipywidgets' Play control draws icon-only buttons without names.
    "button-name": ".widget-play button",
}


def test_outputs_and_widgets_pass_axe(lesson):
    """axe-core on the notebook's outputs (not JupyterLab's own interface)."""
    notebook, _ = lesson
    outputs = f"{notebook.selector} .jp-OutputArea"
    violations = run_axe(notebook.page, include=[outputs])
    ours = [v for v in violations
            if not all(_matches(notebook.page, node, UPSTREAM_AXE.get(v["id"]))
                       for node in v["nodes"])]
    print(f"\n{LESSON} outputs: {summary(violations)}")
    assert blocking(ours) == []


def _matches(page, node, selector) -> bool:
    if selector is None:
        return False
    return page.evaluate("([target, selector]) => !!document.querySelector(target)"
                         "?.matches(selector + ', ' + selector + ' *')", [node["target"][0],
                                                                          selector])
