"""The built notebooks: in sync with their lesson sources, presentable, small and clean."""

import ast
import json
import re
import sys
from pathlib import Path

import jupytext
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
    # A duration or a date differs on every machine and every day.
    printed = " ".join(
        "".join(output.get("text") or output.get("data", {}).get("text/plain", ""))
        for cell in nbformat.read(path, 4).cells for output in cell.get("outputs", []))
    duration = re.search(r"\b\d+(\.\d+)? (s|ms|seconds|minutes)\b", printed)
    assert duration is None, f"a duration was stored: {duration and duration.group(0)!r}"
    date = re.search(r"\b20\d\d-[01]\d-[0-3]\d\b", printed)
    assert date is None, f"a date was stored: {date and date.group(0)!r}"


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


def without_language_version(path: Path) -> str:
    """The notebook's text without the kernel's Python version, which differs by machine."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["metadata"]["language_info"].pop("version", None)
    return json.dumps(nb, indent=1)


def test_a_rebuild_writes_the_same_bytes(tmp_path):
    lesson = ROOT / "lessons" / "00_start_here.py"
    first, second = tmp_path / "first.ipynb", tmp_path / "second.ipynb"
    assert build_notebooks.build(lesson, first) == []
    assert build_notebooks.build(lesson, second) == []
    assert first.read_bytes() == second.read_bytes()
    # The stored notebook is what a rebuild writes today: nothing in the library that
    # notebooks store (a widget's layout, a figure) changed without a rebuild.
    stored = ROOT / "notebooks" / "00_start_here.ipynb"
    assert without_language_version(first) == without_language_version(stored), (
        "notebooks/00_start_here.ipynb is not what a build writes today: run `make notebooks`")


def test_widget_ids_follow_the_views_not_the_kernel():
    nb = nbformat.from_dict({"cells": [{"cell_type": "code", "metadata": {}, "outputs": [
        {"output_type": "display_data", "metadata": {}, "data": {
            build_notebooks.WIDGET_VIEW: {"model_id": "b" * 32}}}]}],
        "metadata": {"widgets": {build_notebooks.WIDGET_STATE: {"state": {
            "a" * 32: {"model_name": "LayoutModel", "state": {}},
            "b" * 32: {"model_name": "VBoxModel",
                       "state": {"children": ["IPY_MODEL_" + "c" * 32],
                                 "layout": "IPY_MODEL_" + "a" * 32}},
            "c" * 32: {"model_name": "ImageModel", "state": {}},
            "d" * 32: {"model_name": "LinkModel", "state": {"source": "IPY_MODEL_" + "c" * 32}},
        }}}}, "nbformat": 4, "nbformat_minor": 5})
    renamed = build_notebooks.stable_widget_ids(nb, "99_test")
    state = renamed.metadata.widgets[build_notebooks.WIDGET_STATE]["state"]
    view = renamed.cells[0].outputs[0].data[build_notebooks.WIDGET_VIEW]["model_id"]
    assert state[view]["model_name"] == "VBoxModel"
    children = state[view]["state"]["children"]
    assert state[children[0].removeprefix("IPY_MODEL_")]["model_name"] == "ImageModel"
    assert sorted(m["model_name"] for m in state.values()) == [
        "ImageModel", "LayoutModel", "LinkModel", "VBoxModel"]
    assert not any(old * 32 in json.dumps(renamed) for old in "abcd")
    again = build_notebooks.stable_widget_ids(nb, "99_test")
    assert json.dumps(again) == json.dumps(renamed)


def slide_types(path: Path) -> list:
    nb = jupytext.read(path, fmt="py:percent")
    return [(cell, cell.metadata.get("slideshow", {}).get("slide_type")) for cell in nb.cells]


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_the_right_arrow_reaches_every_slide(path):
    # jupyterlab-slideshow's right arrow (deck:forward) steps over sub-slides: a lesson
    # that uses them hides slides from a presenter who only presses the right arrow.
    subslides = [i for i, (_, kind) in enumerate(slide_types(path)) if kind == "subslide"]
    assert subslides == [], f"cells of slide type subslide: {subslides}"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_a_lesson_opens_on_its_title_and_keeps_imports_off_slides(path):
    cells = slide_types(path)
    first, kind = cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# ") and kind == "slide"
    shown_imports = []
    for index, (cell, kind) in enumerate(cells):
        if cell.cell_type != "code" or kind == "skip":
            continue
        body = ast.parse(cell.source).body
        if body and all(isinstance(node, ast.Import | ast.ImportFrom) for node in body):
            shown_imports.append(index)
    assert shown_imports == [], f"import-only cells shown on slides: {shown_imports}"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_every_lesson_has_speaker_notes(path):
    cells = slide_types(path)
    notes = [cell for cell, kind in cells if kind == "notes"]
    slides = [cell for cell, kind in cells if kind == "slide"]
    assert notes and all(cell.cell_type == "markdown" for cell in notes)
    # Notes for most slides: an instructor presenting someone else's lesson needs them.
    assert len(notes) >= len(slides) // 2, f"{len(notes)} notes for {len(slides)} slides"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_nbval_tags_are_spelled_as_nbval_reads_them(path):
    """nbval reads its cell tags in lower case ("nbval-ignore-output"): an upper-case tag
    is silently compared after all."""
    nb = nbformat.read(path, as_version=4)
    tags = {tag for cell in nb.cells for tag in cell.metadata.get("tags", [])}
    nbval_like = {tag for tag in tags if tag.lower().replace("_", "-").startswith("nbval")}
    assert nbval_like <= {"nbval-ignore-output", "nbval-skip", "nbval-check-output",
                          "nbval-raises-exception"}, nbval_like
