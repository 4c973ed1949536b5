"""Build the course notebooks from their lesson sources, and check that they agree.

    python tools/build_notebooks.py                 # build and execute every lesson
    python tools/build_notebooks.py lessons/01_*.py # build the lessons given
    python tools/build_notebooks.py --check         # fail if a notebook's cells differ

A lesson source (``lessons/NN_name.py``, jupytext py:percent) is the only place lesson
text is edited. A notebook (``notebooks/NN_name.ipynb``) is its build product: the
source's cells, with slideshow metadata on every cell, executed with outputs and
widget state stored.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"
NOTEBOOKS = ROOT / "notebooks"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
# A cell whose slide type is null continues the current slide. JupyterLab's property
# inspector and jupyterlab-slideshow write and read it so; the older "-" makes
# jupyterlab-slideshow drop the cell from every slide, and nbconvert treats both alike.
DEFAULT_SLIDESHOW = {"slide_type": None}
EXECUTION_TIMEOUT = 900


def notebook_path(lesson: Path) -> Path:
    return NOTEBOOKS / (lesson.stem + ".ipynb")


def lesson_sources() -> list[Path]:
    return sorted(LESSONS.glob("[0-9][0-9]_*.py"))


def build_inputs(lesson: Path) -> nbformat.NotebookNode:
    """The notebook a lesson source describes, before execution."""
    nb = jupytext.read(lesson, fmt="py:percent")
    for cell in nb.cells:
        cell.metadata = {k: v for k, v in cell.metadata.items() if k in ("slideshow", "tags")}
        cell.metadata.setdefault("slideshow", dict(DEFAULT_SLIDESHOW))
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.metadata = nbformat.from_dict(
        {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
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
    # The kernel's full language_info names its patch version: keep the stable part.
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def cell_inputs(nb: nbformat.NotebookNode) -> list[tuple]:
    """What the sync check compares: each cell's type, source and kept metadata."""
    return [
        (
            cell.cell_type,
            cell.source,
            {k: v for k, v in cell.metadata.items() if k in ("slideshow", "tags")},
        )
        for cell in nb.cells
    ]


def build(lesson: Path) -> Path:
    nb = execute(build_inputs(lesson))
    target = notebook_path(lesson)
    nbformat.write(nb, target)
    return target


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
            problems.append(f"{target.name} is missing: run `make notebooks`")
        elif cell_inputs(nbformat.read(target, as_version=4)) != cell_inputs(build_inputs(lesson)):
            problems.append(f"{target.name} differs from {lesson.name}: run `make notebooks`")
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
    for lesson in args.lessons or lesson_sources():
        print(f"building {notebook_path(lesson.resolve()).relative_to(ROOT)}", flush=True)
        build(lesson.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
