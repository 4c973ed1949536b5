"""Every notebook in notebooks/, run in JupyterLab in Chromium, then presented.

Opened, it shows no unsaved changes; run, it shows no error and every widget live, each
view's figure at its natural size and, on a 1366 x 768 laptop, in sight together with its
controls; presented on a 1280 x 720 screen, the right arrow alone reaches every slide and
no slide is taller than the screen.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from decks import SCREEN, walk_live_deck
from lab_page import ALLOWED_STDERR, WIDGET_MIME, Notebook

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# How a widget reads as text when no widget manager shows it: "IntSlider(value=3, ...)".
WIDGET_REPR = re.compile(r"^(\[\d+\]:\s*)?[A-Z]\w*\((value|children|layout|description)=")


def stored_widget_views(path: Path) -> int:
    nb = nbformat.read(path, as_version=4)
    return sum(WIDGET_MIME in output.get("data", {}) for cell in nb.cells
               for output in cell.get("outputs", []))


def stderr_problems(cells: list[dict]) -> list[str]:
    """Errors (a traceback) and warnings not in ALLOWED_STDERR, as rendered on stderr."""
    problems = []
    for cell in cells:
        for output in cell["rendered"]:
            if output["mime"] != "application/vnd.jupyter.stderr":
                continue
            text = output["text"]
            if "Traceback" in text or re.search(r"^\w+Error\b", text, re.M):
                problems.append(f"cell {cell['index']}: error: {text}")
            elif not any(re.search(pattern, text) for pattern in ALLOWED_STDERR):
                problems.append(f"cell {cell['index']}: unlisted warning: {text}")
    return problems


def check_ran_with_views(notebook: Notebook, cells: list[dict], path: Path) -> list[dict]:
    """Assert that every code cell of a notebook run to the end ran without an error and
    that every stored view came back drawn; return the code cells.

    Shared by the runs in JupyterLab and in the browser edition (tests/e2e/test_lite.py).
    """
    code = [cell for cell in cells if cell["type"] == "code"]
    errors = [f"cell {cell['index']}: {output['ename']}: {output['evalue']}" for cell in code
              for output in cell["outputs"] if output["type"] == "error"]
    assert errors == []
    assert all(cell["count"] for cell in code), "a code cell did not run"

    views = [(cell["index"], position) for cell in code
             for position, output in enumerate(cell["outputs"]) if WIDGET_MIME in output["mimes"]]
    assert len(views) == stored_widget_views(path), "not every stored widget view came back"
    for index, position in views:
        shown = cells[index]["rendered"][position]
        # Without a widget manager, JupyterLab falls back to the output's text/plain.
        assert shown["widget"] and shown["mime"] != "text/plain", (
            f"cell {index} shows its widget as text: {shown['text']!r}")
        assert "Loading widget" not in shown["text"]
    # A view the widget manager failed to create shows an error box instead.
    broken = notebook.page.locator(
        f"{notebook.selector} .jupyter-widgets-error-widget").count()
    assert broken == 0, f"{broken} widget views failed to render (see the screenshot)"
    fallbacks = [f"cell {cell['index']}: {output['text'][:80]}" for cell in code
                 for output in cell["rendered"] if WIDGET_REPR.match(output["text"])]
    assert fallbacks == [], "a widget printed as text instead of shown"
    return code


# A 1366 x 768 laptop screen less the browser's own bars.
LAPTOP = {"width": 1366, "height": 768 - 110}

# Each view's outer box, its images as drawn and as stored, and the notebook's visible height.
_VIEW_SIZES = """(selector) => {
  const scroller = document.querySelector(selector + ' .jp-WindowedPanel-outer');
  return Array.from(document.querySelectorAll(selector + ' .jp-OutputArea-output'))
    .filter((output) => output.querySelector('img.widget-image'))
    .map((output) => {
      const view = output.querySelector('.jupyter-widgets');
      const images = Array.from(output.querySelectorAll('img.widget-image'));
      return {height: view.getBoundingClientRect().height, visible: scroller.clientHeight,
              images: images.map((img) => [img.getBoundingClientRect().width,
                                           img.naturalWidth])};
    });
}"""


def dirty(notebook: Notebook) -> bool:
    return notebook.page.evaluate(
        "(path) => { for (const w of window.jupyterapp.shell.widgets('main')) "
        "if (w.context && w.context.path === path) return w.context.model.dirty; }",
        notebook.path)


def view_problems(notebook: Notebook) -> list[str]:
    """Views whose figure is not at its natural size, or taller than a laptop's screen."""
    problems = []
    notebook.page.set_viewport_size(LAPTOP)
    notebook.page.wait_for_timeout(500)
    for index, view in enumerate(notebook.page.evaluate(_VIEW_SIZES, notebook.selector)):
        if view["height"] > view["visible"]:
            problems.append(f"view {index}: {view['height']:.0f} px tall, "
                            f"{view['visible']} px visible on a laptop")
        for shown, natural in view["images"]:
            if abs(shown - natural) > 1:
                problems.append(f"view {index}: image drawn {shown:.0f} px wide, "
                                f"stored {natural} px")
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_and_presents(path, lab, page, artifacts, deck_reports):
    page.set_viewport_size(SCREEN)
    notebook = Notebook.open(page, lab, path.name)
    assert not dirty(notebook), "the notebook shows unsaved changes right after opening"
    notebook.run_all()
    notebook.wait_widgets_rendered()
    cells = notebook.cells()
    notebook.screenshot(artifacts / f"{path.stem}.png")

    code = check_ran_with_views(notebook, cells, path)
    assert stderr_problems(code) == []
    assert view_problems(notebook) == []

    page.set_viewport_size(SCREEN)
    report = walk_live_deck(notebook, path, artifacts / f"{path.stem}_live")
    deck_reports.append(report)
    assert report.missed == [], "slides (first cell index) that the right arrow skipped"
    assert report.overflowing == {}, "slides taller than the screen (cell index: px)"
    assert page.console_log.problems() == []
