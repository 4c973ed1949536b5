"""Lesson 01's views in JupyterLab, driven with the mouse and the keyboard as a student would."""

from __future__ import annotations

import json
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


def stored_descriptions() -> list[str]:
    """The description the notebook build stored with each figure of the lesson, in order."""
    cells = json.loads((ROOT / "notebooks" / LESSON).read_text())["cells"]
    return [output["metadata"]["image/png"]["alt"] for cell in cells
            for output in cell.get("outputs", []) if "image/png" in output.get("data", {})]


def shown_descriptions(notebook) -> list[str]:
    """The alt text of each figure <img> that JupyterLab shows in the notebook, in order."""
    return notebook.page.locator(f"{notebook.selector} .jp-RenderedImage img").evaluate_all(
        "images => images.map(image => image.getAttribute('alt'))")


def test_stored_figures_show_their_description(browser, lab):
    """Opened, not run: the course's image renderer (a11y/) draws each stored PNG with the
    description from its output's metadata as alt text. Runs before the shared fixture
    below starts its kernel, so that shutting this page's kernel down does not stop it."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        notebook = Notebook.open(page, lab, LESSON)
        assert page.evaluate("() => window.jupyterapp.shell.currentWidget.content.rendermime"
                             ".getRank('image/png')") == 80, "the course's renderer is not used"
        assert stored_descriptions(), f"{LESSON} stores no figure"
        assert shown_descriptions(notebook) == stored_descriptions()
    finally:
        shutdown_kernels(page)
        context.close()


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

    # Keyboard: the arrow keys of the focused, closed list pick the next filter (not the
    # notebook's next cell: the course's extension keeps them for the <select>).
    before, previous = after, choice.input_value()
    choice.focus()
    notebook.page.keyboard.press("ArrowDown")
    after = wait_for_new_image(view, before)
    assert choice.input_value() != previous
    assert after != before, "the image did not change after the arrow key on the list"

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

    # Mouse: press play, let it run a few steps, press it again to pause. The button's
    # name follows its icon (the course's extension names ipywidgets' icon-only buttons).
    before, start = image_of(view), int(readout.inner_text())
    assert play.get_attribute("aria-label") == "Play"
    play.click()
    notebook.page.wait_for_function(
        "button => button.getAttribute('aria-label') === 'Pause'", arg=play.element_handle())
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


def test_outputs_and_widgets_pass_axe(lesson):
    """axe-core on the notebook's outputs (not JupyterLab's own interface), with nothing
    allowed: the course's extension (a11y/) names what JupyterLab and ipywidgets leave
    unnamed (figures, slider handles, Play buttons)."""
    notebook, _ = lesson
    outputs = f"{notebook.selector} .jp-OutputArea"
    violations = run_axe(notebook.page, include=[outputs])
    print(f"\n{LESSON} outputs: {summary(violations)}")
    assert blocking(violations) == []


def test_figures_carry_their_stored_description(lesson):
    """Run again, each figure comes from the kernel without the stored metadata; its alt
    text is still the description the notebook build stored (from the cell's metadata)."""
    notebook, _ = lesson
    assert shown_descriptions(notebook) == stored_descriptions()


def test_widget_controls_have_names(lesson):
    """Slider handles are named by their label, Play buttons by what they do."""
    notebook, _ = lesson
    view = notebook.view("ConvolutionStepper")
    handle = slider(view, "step").locator(".noUi-handle")
    label_id = handle.get_attribute("aria-labelledby")
    assert label_id and notebook.page.locator(f"#{label_id}").inner_text() == "step"
    buttons = view.locator(".widget-play button")
    assert buttons.evaluate_all("bs => bs.map(b => b.getAttribute('aria-label'))") == [
        "Play", "Stop", "Repeat"]
