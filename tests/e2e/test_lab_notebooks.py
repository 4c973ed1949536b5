"""Every notebook in notebooks/, run in JupyterLab in Chromium: no errors, live widgets."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_in_jupyterlab(path, lab, page, artifacts):
    notebook = Notebook.open(page, lab, path.name)
    notebook.run_all()
    notebook.wait_widgets_rendered()
    cells = notebook.cells()
    notebook.screenshot(artifacts / f"{path.stem}.png")

    code = [cell for cell in cells if cell["type"] == "code"]
    errors = [f"cell {cell['index']}: {output['ename']}: {output['evalue']}" for cell in code
              for output in cell["outputs"] if output["type"] == "error"]
    assert errors == []
    assert all(cell["count"] for cell in code), "a code cell did not run"
    assert stderr_problems(code) == []

    views = [(cell["index"], position) for cell in code
             for position, output in enumerate(cell["outputs"]) if WIDGET_MIME in output["mimes"]]
    assert len(views) == stored_widget_views(path), "not every stored widget view came back"
    for index, position in views:
        shown = cells[index]["rendered"][position]
        # Without a widget manager, JupyterLab falls back to the output's text/plain.
        assert shown["widget"] and shown["mime"] != "text/plain", (
            f"cell {index} shows its widget as text: {shown['text']!r}")
        assert "Loading widget" not in shown["text"]
    fallbacks = [f"cell {cell['index']}: {output['text'][:80]}" for cell in code
                 for output in cell["rendered"] if WIDGET_REPR.match(output["text"])]
    assert fallbacks == [], "a widget printed as text instead of shown"
    assert page.console_log.problems() == []
