"""Lessons 04 to 07 choose on validation, look at the test events once, and type no score.

- Every lesson, run top to bottom in a kernel, evaluates on the test events at most once
  (:func:`lessons_lib.splits.evaluation_log` after the last cell).
- No score is typed in the prose (markdown and notes): a number next to "accuracy",
  "F1", ... is printed by code from the stored results, so it cannot drift from them.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
LESSONS = {path.stem: path for path in sorted((ROOT / "lessons").glob("0[4-7]_*.py"))}
NOTEBOOKS = ROOT / "notebooks"
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


PROBE = ("from lessons_lib.splits import evaluation_log\n"
         "print([e.split for e in evaluation_log()])")


@pytest.mark.parametrize("name", LESSONS)
def test_lesson_evaluates_on_test_at_most_once(name):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    printed = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    evaluations = ast.literal_eval(printed)  # the split names the probe printed
    assert len(evaluations) <= 1, f"{name} evaluates on the test events {len(evaluations)} times"
    calls = [cell for cell in nb.cells[:-1] if "evaluate_test(" in cell.source]
    assert len(calls) == len(evaluations)
