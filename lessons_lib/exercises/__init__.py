"""Exercise checks: each takes a student's answer and returns a :class:`Feedback`.

A check never raises on a wrong or missing answer: it says what is wrong and gives
a hint. ``None`` (or ``...``) means "not answered yet". Reference answers live in
``tests/test_exercises_NN.py`` (one file per lesson), where the tests run them
through the checks.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

CORRECT, INCORRECT, UNANSWERED = "correct", "incorrect", "unanswered"


@dataclass(frozen=True)
class Feedback:
    """The verdict on one exercise; shows itself as a short text in a notebook.

    Examples
    --------
    >>> Feedback(CORRECT, "Exercise 1", "5 x 5 it is.")
    ✅ Exercise 1: correct. 5 x 5 it is.
    """

    status: str
    exercise: str
    message: str
    hint: str = ""

    @property
    def correct(self) -> bool:
        return self.status == CORRECT

    def __repr__(self) -> str:
        if self.status == UNANSWERED:
            return f"⏳ {self.exercise}: not answered yet. {self.message}".rstrip()
        if self.status == CORRECT:
            return f"✅ {self.exercise}: correct. {self.message}".rstrip()
        text = f"❌ {self.exercise}: not yet. {self.message}"
        return f"{text}\n   Hint: {self.hint}" if self.hint else text


def is_unanswered(answer) -> bool:
    return answer is None or answer is Ellipsis


def unanswered(exercise: str, what: str) -> Feedback:
    return Feedback(UNANSWERED, exercise, f"Replace ... with {what} and run the cell again.")


def as_answer_number(answer, exercise: str):
    """The answer as a float, or a Feedback saying it is not a number.

    Examples
    --------
    >>> as_answer_number("4", "Exercise 2")
    4.0
    >>> as_answer_number("four", "Exercise 2")
    ❌ Exercise 2: not yet. Expected a number, got 'four'.
    """
    try:
        return float(answer)
    except (TypeError, ValueError):
        return Feedback(INCORRECT, exercise, f"Expected a number, got {answer!r}.")


def as_answer_array(answer, exercise: str, shape=None, *, finite=False):
    """The answer as a float array, or a Feedback saying why it cannot be one.

    ``shape`` is the shape it must have; ``finite=True`` also refuses NaN and inf.

    Examples
    --------
    >>> as_answer_array([1, 2.5], "Exercise 1")
    array([1. , 2.5])
    >>> as_answer_array([1j, 2], "Exercise 1").message
    'Expected real numbers, got complex ones.'
    >>> as_answer_array([np.nan, 2], "Exercise 1", shape=(2,), finite=True).message
    '[nan, 2.0] contains NaN or inf.'
    """
    try:
        raw = np.asarray(answer)
    except (TypeError, ValueError):
        raw = np.asarray(None)
    # Casting complex numbers to float would only warn and drop the imaginary part.
    if np.iscomplexobj(raw):
        return Feedback(INCORRECT, exercise, "Expected real numbers, got complex ones.")
    try:
        array = raw.astype(float)
    except (TypeError, ValueError):
        return Feedback(INCORRECT, exercise, f"Expected an array of numbers, got {answer!r}.")
    if shape is not None and array.shape != tuple(shape):
        return Feedback(INCORRECT, exercise,
                        f"Expected an array of shape {tuple(shape)}, got shape {array.shape}.")
    if finite and not np.all(np.isfinite(array)):
        return Feedback(INCORRECT, exercise, f"{array.tolist()} contains NaN or inf.")
    return array


def whole_numbers(answer):
    """The answer as a tuple of ints, or None unless it is a sequence of whole numbers.

    ``48.0`` counts as 48; ``48.5``, NaN, infinity, booleans, strings, dicts and other
    objects do not (a dict would otherwise be read as its keys).

    Examples
    --------
    >>> whole_numbers([16, 48.0, np.int64(48)]), whole_numbers((16, 48.5)), whole_numbers("16")
    ((16, 48, 48), None, None)
    >>> whole_numbers({64: 0, 32: 1}), whole_numbers(np.array([4, 17])), whole_numbers(5)
    (None, (4, 17), None)
    """
    if not isinstance(answer, (list, tuple, np.ndarray)):
        return None
    values = list(answer)
    if not all(not isinstance(v, (bool, np.bool_)) and isinstance(v, numbers.Real)
               and math.isfinite(v) and float(v).is_integer() for v in values):
        return None
    return tuple(int(v) for v in values)
