"""Build the course notebooks from their lesson sources, and check that they agree.

    python tools/build_notebooks.py                 # build and execute every lesson
    python tools/build_notebooks.py lessons/01_*.py # build the lessons given
    python tools/build_notebooks.py --check         # fail if a notebook's cells differ

A lesson source (``lessons/NN_name.py``, jupytext py:percent) is the only place lesson
text is edited. A notebook (``notebooks/NN_name.ipynb``) is its build product: the
source's cells, with slideshow metadata on every cell, executed with outputs and
widget state stored.

A build is reproducible: cell ids come from each cell's content and widget model ids
from where the widget sits in the notebook, so rebuilding an unchanged lesson on the
same machine writes the same bytes and a changed lesson changes only what it changed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import uuid
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

from lessons_lib._files import replacing

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"
NOTEBOOKS = ROOT / "notebooks"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
# A cell whose slide type is null continues the current slide. JupyterLab's property
# inspector and jupyterlab-slideshow write and read it so; the older "-" makes
# jupyterlab-slideshow drop the cell from every slide, and nbconvert treats both alike.
DEFAULT_SLIDESHOW = {"slide_type": None}
EXECUTION_TIMEOUT = 900
# Type sizes while a notebook is presented (jupyterlab-slideshow applies these styles,
# stored for it by jupyterlab-fonts, only in presenting mode): large enough to read from
# the back of a room, and the same as the exported decks' (tools/export_slides.py).
DECK_STYLE = {
    "@deathbeds/jupyterlab-fonts": {"styles": {":root": {
        "body[data-jp-deck-mode='presenting'] &": {
            "--jp-content-font-size1": "18px",
            "--jp-code-font-size": "16px",
            "--jp-ui-font-size1": "16px",
            "--jp-widgets-font-size": "16px",
        },
        # Printed output wraps between words, as in the exported decks.
        "body[data-jp-deck-mode='presenting'] & .jp-OutputArea-output pre": {
            "word-break": "normal",
            "overflow-wrap": "break-word",
        }}}},
}
HIDDEN_INPUT = "hide-input"
# The cell metadata a lesson source sets and the notebook keeps (jupytext's filter in
# pyproject.toml keeps the same keys). "alt" describes what each figure of a code cell
# shows, for a reader who cannot see it: one sentence, or a list with one per figure.
KEPT_METADATA = ("slideshow", "tags", "alt")
ALT = "alt"
FIGURE = "image/png"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# Model ids are uuid4 hex strings made by the kernel; a stored notebook refers to them
# in outputs and, as "IPY_MODEL_<id>", inside other models' state.
MODEL_REF = re.compile(r"IPY_MODEL_([0-9a-f]{32})")
MODEL_IDS = uuid.UUID("6f1c2a52-6c35-4e0b-9a51-4c2d1b3f8e07")


def notebook_path(lesson: Path) -> Path:
    return NOTEBOOKS / (lesson.stem + ".ipynb")


def lesson_sources() -> list[Path]:
    return sorted(LESSONS.glob("[0-9][0-9]_*.py"))


def cell_ids(cells) -> list[str]:
    """An id for each cell from its type and source (a repeated cell gets a suffix)."""
    ids, seen = [], {}
    for cell in cells:
        digest = hashlib.sha1(f"{cell.cell_type}\n{cell.source}".encode()).hexdigest()[:12]
        seen[digest] = seen.get(digest, 0) + 1
        ids.append(digest if seen[digest] == 1 else f"{digest}-{seen[digest]}")
    return ids


def build_inputs(lesson: Path) -> nbformat.NotebookNode:
    """The notebook a lesson source describes, before execution."""
    nb = jupytext.read(lesson, fmt="py:percent")
    for cell, cell_id in zip(nb.cells, cell_ids(nb.cells), strict=True):
        cell.id = cell_id
        cell.metadata = {k: v for k, v in cell.metadata.items() if k in KEPT_METADATA}
        cell.metadata.setdefault("slideshow", dict(DEFAULT_SLIDESHOW))
        # Prose whose numbers come from stored results is printed by code: JupyterLab
        # shows such a cell's output with its code collapsed (one click opens it).
        if HIDDEN_INPUT in cell.metadata.get("tags", []):
            cell.metadata["jupyter"] = {"source_hidden": True}
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.metadata = nbformat.from_dict(
        {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}, **DECK_STYLE}
    )
    return nb


def execute(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    client = NotebookClient(
        nb,
        timeout=EXECUTION_TIMEOUT,
        kernel_name=KERNELSPEC["name"],
        resources={"metadata": {"path": str(NOTEBOOKS)}},
        store_widget_state=True,
        record_timing=False,
    )
    client.execute()
    # The kernel's language_info stays as the kernel reported it: JupyterLab writes the
    # kernel's version into a notebook on opening, and marks it as changed if it differs.
    return nb


def model_order(nb: nbformat.NotebookNode, state: dict) -> list[str]:
    """The widget model ids of ``state`` in a reproducible order.

    Models are numbered depth-first from the views that the outputs show, in notebook
    order; the models no output reaches (links between controls) follow, ordered by
    their state with the ids already numbered written in.
    """
    order: list[str] = []

    def visit(model_id: str) -> None:
        if model_id in state and model_id not in order:
            order.append(model_id)
            text = json.dumps(state[model_id]["state"], sort_keys=True)
            for ref in MODEL_REF.findall(text):
                visit(ref)

    for cell in nb.cells:
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view:
                visit(view["model_id"])
    def masked(model_id: str, named: dict) -> str:
        text = json.dumps(state[model_id], sort_keys=True)
        return MODEL_REF.sub(lambda ref: "IPY_MODEL_" + named.get(ref.group(1), "?"), text)

    while len(order) < len(state):
        named = {old: str(index) for index, old in enumerate(order)}
        rest = [model_id for model_id in state if model_id not in order]
        visit(min(rest, key=lambda model_id: masked(model_id, named)))
    return order


def stable_widget_ids(nb: nbformat.NotebookNode, lesson: str) -> nbformat.NotebookNode:
    """``nb`` with every widget model id replaced by one derived from ``lesson``."""
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    if not state:
        return nb
    new = {old: uuid.uuid5(MODEL_IDS, f"{lesson}/{index}").hex
           for index, old in enumerate(model_order(nb, state))}
    text = re.sub(r"[0-9a-f]{32}", lambda m: new.get(m.group(0), m.group(0)), json.dumps(nb))
    renamed = nbformat.from_dict(json.loads(text))
    widgets = renamed.metadata.widgets[WIDGET_STATE]
    widgets["state"] = dict(sorted(widgets["state"].items()))
    return renamed


def cell_inputs(nb: nbformat.NotebookNode) -> list[tuple]:
    """What the sync check compares: each cell's type, source, id and kept metadata."""
    return [
        (
            cell.cell_type,
            cell.source,
            cell.get("id"),
            {k: v for k, v in cell.metadata.items() if k in KEPT_METADATA},
        )
        for cell in nb.cells
    ]


def alt_texts(cell) -> list[str]:
    """The cell's figure descriptions, one per figure, from its ``alt`` metadata."""
    alt = cell.metadata.get(ALT, [])
    return [alt] if isinstance(alt, str) else list(alt)


def figure_outputs(cell) -> list:
    """The outputs of a code cell that show a figure (a PNG image)."""
    return [output for output in cell.get("outputs", []) if FIGURE in output.get("data", {})]


def figure_alt(output) -> str:
    """The description :func:`attach_alt_texts` gave a figure output ('' if none)."""
    return output.get("metadata", {}).get(FIGURE, {}).get(ALT, "")


def attach_alt_texts(nb: nbformat.NotebookNode) -> list[str]:
    """Copy each cell's figure descriptions onto its figures; return what does not match.

    A figure output carries its description as ``metadata["image/png"]["alt"]``, where
    nbconvert (the decks, the handouts) and the website read it.
    """
    problems = []
    for index, cell in enumerate(nb.cells):
        figures, texts = figure_outputs(cell), alt_texts(cell)
        if cell.cell_type != "code" or (not figures and not texts):
            continue
        if len(figures) != len(texts) or not all(t.strip() for t in texts):
            problems.append(f"cell {index} shows {len(figures)} figure(s) but its alt "
                            f"metadata describes {len(texts)}: give one sentence per figure")
            continue
        for output, text in zip(figures, texts, strict=True):
            output.setdefault("metadata", {}).setdefault(FIGURE, {})[ALT] = text
    return problems


def stored_errors(nb: nbformat.NotebookNode) -> list[str]:
    """The error outputs of ``nb`` (a failing display shows one without stopping a run)."""
    return [f"cell {index}: {output.ename}: {output.evalue}"
            for index, cell in enumerate(nb.cells) for output in cell.get("outputs", [])
            if output.output_type == "error"]


def build(lesson: Path, target: Path | None = None) -> list[str]:
    """Build the notebook of ``lesson`` and write it to ``target`` (default: its place in
    notebooks/); return the errors its outputs show and its figures without a description."""
    nb = stable_widget_ids(execute(build_inputs(lesson)), lesson.stem)
    problems = attach_alt_texts(nb)
    with replacing(target or notebook_path(lesson)) as file:
        nbformat.write(nb, file)
    return stored_errors(nb) + problems


def check() -> list[str]:
    """Every difference between the lesson sources and the stored notebooks."""
    problems = []
    lessons = lesson_sources()
    expected = {notebook_path(lesson) for lesson in lessons}
    for extra in sorted(set(NOTEBOOKS.glob("*.ipynb")) - expected):
        problems.append(f"{extra.name} has no lesson source in lessons/")
    for lesson in lessons:
        target = notebook_path(lesson)
        if not target.exists():
            problems.append(f"{target.name} is missing: run "
                            f"`make notebooks LESSONS=lessons/{lesson.name}`")
        elif cell_inputs(nbformat.read(target, as_version=4)) != cell_inputs(build_inputs(lesson)):
            problems.append(f"{target.name} differs from {lesson.name}: run "
                            f"`make notebooks LESSONS=lessons/{lesson.name}`")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", type=Path, help="lesson sources (default: all)")
    parser.add_argument("--check", action="store_true", help="only compare, do not build")
    args = parser.parse_args(argv)
    if args.check:
        problems = check()
        print("\n".join(problems) or "notebooks match their lesson sources")
        return 1 if problems else 0
    failed = False
    for lesson in args.lessons or lesson_sources():
        print(f"building {notebook_path(lesson.resolve()).relative_to(ROOT)}", flush=True)
        for error in build(lesson.resolve()):
            print(f"  {error}", file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
