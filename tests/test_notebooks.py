"""The built notebooks: in sync with their lesson sources, presentable, small and clean."""

import json
import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import build_notebooks  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
LESSONS = sorted((ROOT / "lessons").glob("*.py"))
MAX_BYTES = 2 * 1024 * 1024
# Exported static slides show code in a large projector font and crop longer lines.
MAX_CODE_LINE = 80


def test_every_notebook_matches_its_lesson_source():
    assert build_notebooks.check() == []


def test_the_course_has_a_start_notebook():
    assert (ROOT / "notebooks" / "00_start_here.ipynb") in NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_cell_carries_slideshow_metadata(path):
    nb = nbformat.read(path, as_version=4)
    slide_types = [cell.metadata.get("slideshow", {}).get("slide_type", "missing")
                   for cell in nb.cells]
    # null continues the current slide; "-" would hide the cell in jupyterlab-slideshow.
    allowed = {"slide", "subslide", "fragment", "skip", "notes", None}
    wrong = [(i, t) for i, t in enumerate(slide_types) if t not in allowed]
    assert wrong == [], f"cells without a valid slide type: {wrong}"
    assert slide_types[0] == "slide"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_executed_without_errors_and_small(path):
    nb = nbformat.read(path, as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(cell.execution_count is not None for cell in code), "run `make notebooks`"
    errors = [o for cell in code for o in cell.outputs if o.output_type == "error"]
    assert errors == []
    assert path.stat().st_size < MAX_BYTES


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_outputs_hold_no_unstable_text(path):
    text = json.dumps([cell.get("outputs", []) for cell in nbformat.read(path, 4).cells])
    assert " at 0x" not in text, "a memory address was printed"
    assert "it/s]" not in text and "s/it]" not in text, "a progress bar's rate was stored"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_widget_state_is_stored_for_static_views(path):
    nb = nbformat.read(path, as_version=4)
    views = [o for cell in nb.cells for o in cell.get("outputs", [])
             if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    if views:
        state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
        for view in views:
            assert view["data"]["application/vnd.jupyter.widget-view+json"]["model_id"] in state


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_links_between_notebooks_resolve(path):
    text = "\n".join(c.source for c in nbformat.read(path, 4).cells if c.cell_type == "markdown")
    targets = re.findall(r"\]\(([^)#\s]+\.ipynb)\)", text)
    missing = [t for t in targets if not (path.parent / t).exists()]
    assert missing == []


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_code_lines_fit_a_slide(path):
    too_long, in_code = [], False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("# %%"):
            in_code = "[markdown]" not in line
        elif in_code and len(line) > MAX_CODE_LINE:
            too_long.append(f"{path.name}:{number} ({len(line)} characters)")
    assert too_long == [], f"code lines longer than {MAX_CODE_LINE}: {too_long}"
