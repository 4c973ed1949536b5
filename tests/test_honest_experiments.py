"""Lessons 04 to 07 choose on validation, look at the test events once, and type no score.

- Every notebook, run top to bottom in a kernel, evaluates on the test events at most once:
  ``make nbval`` loads ``tests/nbval_test_once.py``, which reads
  :func:`lessons_lib.splits.evaluation_log` after the last cell; tested here on two tiny
  notebooks.
- No score is typed in the prose (markdown and notes): a number next to "accuracy",
  "F1", ... is printed by code from the stored results, so it cannot drift from them.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSONS = {path.stem: path for path in sorted((ROOT / "lessons").glob("0[4-7]_*.py"))}
SCORE_WORDS = re.compile(r"accura|\bF1\b|F₁|precision|recall|\bAUC\b|\bscore", re.I)
# "96.2 %", "0.765": a measured score; small integers, "0.003" (a learning rate) or
# "p = 0.6" (a setting) are not.
PERCENT = re.compile(r"\b\d{1,3}\.\d+\s?%")
FRACTION = re.compile(r"(?<![\d.=])\b0\.\d{2,3}\b(?!\s*[×x]|\d)")
NEAR = 80  # characters on either side of a number in which a score word counts


def typed_scores(text: str) -> list[str]:
    found = [m.group() for m in PERCENT.finditer(text)]
    for match in FRACTION.finditer(text):
        around = text[max(0, match.start() - NEAR): match.end() + NEAR]
        if SCORE_WORDS.search(around):
            found.append(match.group())
    return found


def test_typed_scores_are_found():
    assert typed_scores("the CNN reaches 96.2 % on test") == ["96.2 %"]
    assert typed_scores("validation accuracy 0.765 against 0.80") == ["0.765", "0.80"]
    assert typed_scores("a learning rate of 0.003, dropout p = 0.6") == []
    assert typed_scores("accuracy is printed above; the step is 0.25 pads wide") == ["0.25"]


@pytest.mark.parametrize("name", LESSONS)
def test_prose_types_no_score(name):
    nb = jupytext.read(LESSONS[name], fmt="py:percent")
    typed = [(i, typed_scores(cell.source)) for i, cell in enumerate(nb.cells)
             if cell.cell_type == "markdown"]
    assert [(i, t) for i, t in typed if t] == [], (
        "print these scores from the stored results instead of typing them "
        "(a code cell tagged hide-input shows its output as text)")


def notebook(path: Path, evaluations: int) -> Path:
    """A two-cell notebook that evaluates on a tiny split's test events ``evaluations`` times."""
    setup = ("from lessons_lib.splits import EventSplit\n"
             "split = EventSplit({'train': (4, 0), 'validation': (4, 2), 'test': (4, 1)},"
             " image_size=16)")
    look = "_ = split.evaluate_test(lambda x: x.sum(axis=(1, 2, 3)))"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(setup)] + [
        nbformat.v4.new_code_cell(look) for _ in range(evaluations)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)
    return path


def test_the_nbval_check_fails_a_notebook_that_tests_twice(tmp_path):
    once, twice = notebook(tmp_path / "once.ipynb", 1), notebook(tmp_path / "twice.ipynb", 2)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax",
         "--nbval-current-env", "-p", "tests.nbval_test_once", str(once), str(twice)],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stdout
    assert "twice.ipynb evaluates on the test events 2 times" in run.stdout
    assert "once.ipynb evaluates" not in run.stdout


def test_make_nbval_loads_the_check():
    assert "-p tests.nbval_test_once" in (ROOT / "Makefile").read_text()


@pytest.mark.parametrize("name", LESSONS)
def test_lesson_evaluates_on_test_in_one_place(name):
    source = LESSONS[name].read_text()
    assert source.count("evaluate_test(") <= 1, (
        f"{name} evaluates on the test events in more than one cell")
