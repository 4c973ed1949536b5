"""Exercise checks: each takes a student's answer and returns a :class:`Feedback`.

A check never raises on a wrong or missing answer: it says what is wrong and gives
a hint. ``None`` (or ``...``) means "not answered yet". Reference answers live in
``tests/test_exercises_NN.py`` (one file per lesson), where the tests run them
through the checks.

Every check also carries hints in three levels, read with :func:`show_hint`: a nudge,
then the idea, then the answer. The first call never gives the answer away.

An answer is read through :func:`plain`, :func:`as_answer_number`,
:func:`as_answer_array` or :func:`whole_numbers`, which turn it into plain Python or
numpy values first: whatever a student's object does when converted (fail, overflow,
claim to equal everything), the check compares values it made itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable
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


# --- hints in levels ---------------------------------------------------------------------

HINT_LEVELS = ("a nudge", "the idea", "the answer")
_SHOWN: dict[str, int] = {}


@dataclass(frozen=True)
class Hint:
    """One level of an exercise's hints; shows itself as a short text in a notebook.

    Examples
    --------
    >>> Hint("Exercise 1", "check_output_size", 1, "Count where the filter fits.")
    💡 Exercise 1, hint 1 of 3 (a nudge): Count where the filter fits.
       More: show_hint(check_output_size, 2)
    """

    exercise: str
    check: str
    level: int
    text: str

    def __repr__(self) -> str:
        text = (f"💡 {self.exercise}, hint {self.level} of {len(HINT_LEVELS)} "
                f"({HINT_LEVELS[self.level - 1]}): {self.text}")
        if self.level < len(HINT_LEVELS):
            text += f"\n   More: show_hint({self.check}, {self.level + 1})"
        return text


def hints(exercise: str, nudge: str, idea: str, answer: str) -> Callable:
    """Attach three levels of hints to a check function (a decorator).

    Parameters
    ----------
    exercise : str
        How the lesson names the exercise ("Exercise 2").
    nudge, idea, answer : str
        Level 1 points where to look without saying what is there; level 2 gives the
        method; level 3 gives the answer (or the code) itself.

    Examples
    --------
    >>> @hints("Exercise 9", "Look at the corners.", "Count the windows.", "4.")
    ... def check_windows(answer):
    ...     return answer == 4
    >>> check_windows.hints[0]
    'Look at the corners.'
    """
    levels = (nudge, idea, answer)
    if not all(isinstance(text, str) and text.strip() for text in levels):
        raise ValueError("hints needs a nudge, an idea and an answer, each a non-empty text")

    def attach(check: Callable) -> Callable:
        check.exercise = exercise
        check.hints = levels
        return check

    return attach


def show_hint(exercise, level=None) -> Hint:
    """The next hint for an exercise, or the hint of a given level.

    Parameters
    ----------
    exercise : callable or str
        The exercise's check function (as the lesson calls it, e.g. ``check_output_size``)
        or its name.
    level : {1, 2, 3} or None, default None
        1: a nudge, 2: the idea, 3: the answer. None gives the level after the last one
        shown for this exercise, starting at 1, so that calling ``show_hint(check)``
        again and again climbs the levels.

    Returns
    -------
    Hint

    Raises
    ------
    TypeError
        If ``exercise`` is neither a check function with hints nor a name, or ``level``
        is not an integer.
    ValueError
        If no check of that name has hints, or ``level`` is outside 1-3.

    Examples
    --------
    >>> @hints("Exercise 9", "Look at the corners.", "Count the windows.", "4.")
    ... def check_windows(answer):
    ...     return answer == 4
    >>> show_hint(check_windows)
    💡 Exercise 9, hint 1 of 3 (a nudge): Look at the corners.
       More: show_hint(check_windows, 2)
    >>> show_hint(check_windows).level, show_hint(check_windows, 3).text
    (2, '4.')
    """
    check = _hinted_check(exercise)
    if level is None:
        level = min(_SHOWN.get(check.__name__, 0) + 1, len(HINT_LEVELS))
    elif isinstance(level, bool) or not isinstance(level, (int, np.integer)):
        raise TypeError(f"level must be 1, 2 or 3, got {shown_answer(level)}")
    level = int(level)
    if not 1 <= level <= len(HINT_LEVELS):
        raise ValueError(f"level must be 1 (a nudge), 2 (the idea) or 3 (the answer), "
                         f"got {level}")
    _SHOWN[check.__name__] = max(level, _SHOWN.get(check.__name__, 0))
    return Hint(check.exercise, check.__name__, level, check.hints[level - 1])


def hinted_checks() -> dict[str, Callable]:
    """Every check function of the course that carries hints, by name."""
    import importlib
    import pkgutil

    import lessons_lib.exercises as package

    found = {}
    for module in pkgutil.iter_modules(package.__path__):
        for value in vars(importlib.import_module(f"{package.__name__}.{module.name}")).values():
            if callable(value) and hasattr(value, "hints"):
                found[value.__name__] = value
    return found


def _hinted_check(exercise) -> Callable:
    if isinstance(exercise, str):
        checks = hinted_checks()
        if exercise not in checks:
            raise ValueError(f"exercise must name a check with hints, one of "
                             f"{sorted(checks)}, got {exercise!r}")
        return checks[exercise]
    if callable(exercise) and hasattr(exercise, "hints"):
        return exercise
    raise TypeError(f"exercise must be an exercise's check function (e.g. check_output_shape) "
                    f"or its name, got {shown_answer(exercise)}")
