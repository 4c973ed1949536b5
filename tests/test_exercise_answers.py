"""Every exercise check, given any answer a student might type or build: a verdict, quickly.

A check never raises, never hangs and is never fooled into "correct" by an object that
claims to equal everything, overflows or fails when converted.
"""

from __future__ import annotations

import inspect
import math
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lessons_lib import exercises
from lessons_lib.exercises import (
    CORRECT,
    Feedback,
    architectures,
    attention,
    backprop,
    cnn,
    convolution,
    metrics,
    pooling,
)

MODULES = (architectures, attention, backprop, cnn, convolution, metrics, pooling)
CHECKS = [function for module in MODULES
          for name, function in inspect.getmembers(module, inspect.isfunction)
          if name.startswith("check_") and function.__module__ == module.__name__]
# A check's verdict comes back well within this, whatever the answer (seconds).
PATIENCE = 3.0


def ask(check, answer):
    """``check``'s verdict on ``answer`` (the threshold check also needs its data)."""
    if check is metrics.check_threshold:
        return check(answer, np.array([0, 1, 1, 0]), np.array([0.1, 0.9, 0.8, 0.3]))
    return check(answer)


class Liar:
    """Claims to equal anything."""

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = object.__hash__


class LyingText(str):
    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


class LyingInteger(int):
    def __eq__(self, other):
        return True

    __hash__ = int.__hash__


class LyingList(list):
    def __eq__(self, other):
        return True

    __hash__ = None


class Broken:
    """Fails in every conversion a check might try."""

    def _fail(self, *args, **kwargs):
        raise RuntimeError("broken on purpose")

    __float__ = __int__ = __index__ = __len__ = __iter__ = __array__ = __bool__ = _fail

    def __repr__(self):
        return "Broken()"


class Unprintable(Broken):
    """Fails even to be shown."""

    __repr__ = Broken._fail


NASTY = {
    "huge int": 10**400, "huge negative int": -(10**400), "huge tuple": (10**400,) * 3,
    "huge list": [10**400] * 9, "very long int": 10**5000,
    "tower as text": "9**9**9", "towers": ["9**9**9"] * 3,
    "nested towers": [("9**9**9",) * 3] * 3, "tower exponent": "x0**(9**9**9)",
    "long formula": ["x0 + " * 2000 + "x1"] * 3, "huge float text": "1e999",
    "liar": Liar(), "liars": [Liar()] * 3, "liar tuple": (Liar(), Liar(), Liar()),
    "lying text": LyingText("no"), "lying texts": [LyingText("no")] * 3,
    "lying int": LyingInteger(-1), "lying ints": (LyingInteger(-1),) * 3,
    "lying list": LyingList([0, 0, 0]), "object array of liars": np.array([Liar()] * 3),
    "broken": Broken(), "broken items": [Broken()] * 3, "unprintable": Unprintable(),
    "nan": float("nan"), "inf": float("inf"), "complex": 1j, "complexes": [1j] * 3,
    "bool": True, "bools": np.ones((3, 3), dtype=bool), "dict": {1: 2}, "set": {1},
    "bytes": b"bytes", "empty text": "", "blank": "   ", "empty list": [],
    "ragged": [[1, 2], [3]], "function returning a liar": lambda *args: Liar(),
    "function returning liars": lambda *args: (Liar(), Liar(), Liar()),
    "function returning huge": lambda *args: 10**400,
    "function that fails": lambda *args: 1 / 0,
}


def self_referencing_list():
    answer = []
    answer.append(answer)
    return answer


NASTY["list containing itself"] = self_referencing_list()


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__qualname__)
@pytest.mark.parametrize("answer", list(NASTY.values()), ids=list(NASTY))
def test_a_nasty_answer_gets_a_verdict_that_is_not_correct(check, answer):
    start = time.perf_counter()
    verdict = ask(check, answer)
    assert time.perf_counter() - start < PATIENCE
    assert isinstance(verdict, Feedback)
    assert verdict.status != CORRECT
    assert repr(verdict)


answers = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
    | st.complex_numbers() | st.sampled_from([Liar(), Broken(), 10**400, "9**9**9"]),
    lambda inner: st.lists(inner, max_size=6) | st.tuples(inner, inner, inner),
    max_leaves=20)


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__qualname__)
@settings(max_examples=40, deadline=None)
@given(answer=answers)
def test_any_answer_gets_a_verdict_quickly(check, answer):
    start = time.perf_counter()
    verdict = ask(check, answer)
    assert time.perf_counter() - start < PATIENCE
    assert isinstance(verdict, Feedback)
    assert repr(verdict)


def test_plain_values_cannot_lie():
    assert exercises.plain(LyingText("mean")) != "macro"
    assert exercises.plain(LyingInteger(3)) != 4
    assert exercises.plain(True) is True and exercises.plain(np.float32(0.5)) == 0.5
    assert exercises.whole_numbers((LyingInteger(16), 48, 48.0)) == (16, 48, 48)
    assert exercises.whole_numbers([10**400]) is None
    assert exercises.whole_numbers([True, 1]) is None


def test_sizes_and_symbols_of_a_formula_are_bounded():
    verdict = backprop.check_dJ_dF(["x0**(9**9**9)", "g0", "g0"])
    assert verdict.status != CORRECT and "far larger" in verdict.message
    right = ["g0*x0 + g1*x1 + g2*x2", "g0*x1 + g1*x2 + g2*x3", "g0*x2 + g1*x3 + g2*x4"]
    assert backprop.check_dJ_dF(right).status == CORRECT
    # A right answer written with small powers and constants still passes.
    assert backprop.check_dJ_dF([f"({term})**1 * 2 / 2" for term in right]).status == CORRECT
    assert math.isfinite(backprop.MAX_CONSTANT)
