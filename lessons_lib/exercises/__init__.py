"""Exercise checks: each takes a student's answer and returns a :class:`Feedback`.

A check never raises on a wrong or missing answer: it says what is wrong and gives
a hint. ``None`` (or ``...``) means "not answered yet". Reference answers live in
``tests/test_exercises_NN.py`` (one file per lesson), where the tests run them
through the checks.

An answer is read through :func:`plain`, :func:`as_answer_number`,
:func:`as_answer_array` or :func:`whole_numbers`, which turn it into plain Python or
numpy values first: whatever a student's object does when converted (fail, overflow,
claim to equal everything), the check compares values it made itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

CORRECT, INCORRECT, UNANSWERED = "correct", "incorrect", "unanswered"
#: No whole-number answer of the course comes near this; larger ones are not read as
#: answers (Python cannot even print an int of more than 4300 digits).
MAX_WHOLE_NUMBER = 10**15


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


def shown_answer(answer) -> str:
    """A short repr of an answer; an object whose repr fails is named by its type."""
    try:
        text = repr(answer)
    except Exception:  # a student's object may fail in any way
        return f"a {type(answer).__name__}"
    return text if len(text) <= 60 else text[:57] + "..."


def plain(answer):
    """``answer`` as an exact ``str``, ``int`` or ``float`` when it is one of those (or
    a subclass, or a numpy scalar), else ``answer`` itself.

    A subclass may redefine ``__eq__`` to claim it equals anything; its plain value
    cannot. Booleans stay booleans, so that ``True`` is never read as 1.

    Examples
    --------
    >>> class Liar(str):
    ...     def __eq__(self, other):
    ...         return True
    ...     __hash__ = str.__hash__
    >>> Liar("mean") == "macro", plain(Liar("mean")) == "macro"
    (True, False)
    >>> plain(np.float64(2.5)), type(plain(np.int64(3)))
    (2.5, <class 'int'>)
    """
    if isinstance(answer, (bool, np.bool_)):  # neither type can be subclassed
        return bool(answer)
    if isinstance(answer, str):
        return str.__str__(answer)
    if isinstance(answer, int):
        return int.__index__(answer)
    if isinstance(answer, float):
        return float.__float__(answer)
    if isinstance(answer, np.generic) and answer.dtype.kind in "iuf":
        return np.generic.item(answer)
    return answer


def as_answer_number(answer, exercise: str):
    """The answer as a finite-or-not float, or a Feedback saying it is not a number.

    Examples
    --------
    >>> as_answer_number("4", "Exercise 2")
    4.0
    >>> as_answer_number("four", "Exercise 2")
    ❌ Exercise 2: not yet. Expected a number, got 'four'.
    >>> as_answer_number(10**400, "Exercise 2").message
    'Expected a number of a sensible size, got an integer of about 401 digits.'
    """
    value = plain(answer)
    if isinstance(value, bool):
        return Feedback(INCORRECT, exercise, f"Expected a number, got {value}.")
    if isinstance(value, int) and abs(value) > 10**300:
        # str() of a very long int is refused by Python itself: count digits instead.
        digits = int(value.bit_length() * math.log10(2)) + 1
        return Feedback(INCORRECT, exercise, "Expected a number of a sensible size, got "
                        f"an integer of about {digits} digits.")
    try:
        return float(value)
    except Exception:  # a student's object may fail in any way when converted
        return Feedback(INCORRECT, exercise, f"Expected a number, got {shown_answer(answer)}.")


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
    except Exception:  # a student's object may fail in any way when converted
        raw = np.asarray(None)
    # Casting complex numbers to float would only warn and drop the imaginary part.
    if np.iscomplexobj(raw):
        return Feedback(INCORRECT, exercise, "Expected real numbers, got complex ones.")
    if raw.dtype == bool:
        return Feedback(INCORRECT, exercise, f"Expected numbers, got booleans: {shown_answer(answer)}.")
    try:
        with np.errstate(all="ignore"):
            array = raw.astype(float)
    except Exception:  # huge Python ints overflow, objects may fail in any way
        return Feedback(INCORRECT, exercise,
                        f"Expected an array of numbers, got {shown_answer(answer)}.")
    if shape is not None and array.shape != tuple(shape):
        return Feedback(INCORRECT, exercise,
                        f"Expected an array of shape {tuple(shape)}, got shape {array.shape}.")
    if finite and not np.all(np.isfinite(array)):
        return Feedback(INCORRECT, exercise, f"{shown_answer(array.tolist())} contains NaN or inf.")
    return array


def whole_numbers(answer):
    """The answer as a tuple of ints, or None unless it is a sequence of whole numbers.

    ``48.0`` counts as 48; ``48.5``, NaN, infinity, numbers beyond
    :data:`MAX_WHOLE_NUMBER`, booleans, strings, dicts and other objects do not (a dict
    would otherwise be read as its keys).

    Examples
    --------
    >>> whole_numbers([16, 48.0, np.int64(48)]), whole_numbers((16, 48.5)), whole_numbers("16")
    ((16, 48, 48), None, None)
    >>> whole_numbers({64: 0, 32: 1}), whole_numbers(np.array([4, 17])), whole_numbers(5)
    (None, (4, 17), None)
    """
    if not isinstance(answer, (list, tuple, np.ndarray)) or len(answer) > 100:
        return None
    values = []
    for v in (plain(v) for v in list(answer)):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return None
        if isinstance(v, float) and not (math.isfinite(v) and v.is_integer()):
            return None
        if abs(v) > MAX_WHOLE_NUMBER:
            return None
        values.append(int(v))
    return tuple(values)
