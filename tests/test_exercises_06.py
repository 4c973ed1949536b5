"""Lesson 06's exercise checks, with the reference answers."""

import numpy as np
import pytest

from lessons_lib.exercises import CORRECT, INCORRECT, UNANSWERED
from lessons_lib.exercises.attention import (
    check_attention_row,
    check_query_shape,
    check_score_spread,
    lesson_qkv,
)


def reference_row():
    """Row 1 of A, worked as a student would: scores, divide by √4, e^, normalise."""
    Q, K, _ = lesson_qkv()
    scores = [float(Q[1] @ K[m]) for m in range(4)]
    weights = [np.exp(s / 2) for s in scores]
    return [w / sum(weights) for w in weights]


REFERENCE_ANSWERS = {
    check_attention_row: reference_row(),
    check_query_shape: (64, 32),
    check_score_spread: 8,
}
WRONG_ANSWERS = {
    check_attention_row: [[0.25, 0.25, 0.25, 0.25], [0.251, 0.034, 0.681, 0.034],
                          [1, 2, 3, 4], [0.3, 0.1], "row", [np.nan] * 4, [np.inf, 0, 0, 0],
                          [0.3, 0.1, 0.5, 0.1], {"row": 1}],
    check_query_shape: [(32, 64), (65, 32), (16, 32), "64x32", (64,), (64.5, 32),
                        (np.inf, 32), (np.nan, 32), [[64, 32]], (64, 32, 1), {64: 0, 32: 1},
                        "(64, 32)"],
    check_score_spread: [64, 1, 0.125, "eight", -8, np.nan, np.inf, [8, 8]],
}


def test_the_reference_row_is_the_one_in_the_hint():
    np.testing.assert_allclose(reference_row(), [0.295, 0.109, 0.487, 0.109], atol=1e-3)


@pytest.mark.parametrize("check", list(REFERENCE_ANSWERS), ids=lambda c: c.__name__)
def test_reference_answers_pass(check):
    feedback = check(REFERENCE_ANSWERS[check])
    assert feedback.status == CORRECT, feedback
    assert repr(feedback).startswith("✅")


@pytest.mark.parametrize("check", list(WRONG_ANSWERS), ids=lambda c: c.__name__)
def test_wrong_answers_fail_with_a_message(check):
    for answer in WRONG_ANSWERS[check]:
        feedback = check(answer)
        assert feedback.status == INCORRECT, (check.__name__, answer)
        assert repr(feedback).startswith("❌") and len(feedback.message) > 5


def test_the_unscaled_row_gets_a_specific_hint():
    assert "√d_k" in check_attention_row([0.251, 0.034, 0.681, 0.034]).hint


def test_a_row_rounded_to_one_decimal_is_called_close():
    feedback = check_attention_row([0.3, 0.1, 0.5, 0.1])
    assert "close" in feedback.message and "two decimals" in feedback.hint


def test_the_shape_may_be_any_sequence_of_two_whole_numbers():
    for answer in ([64, 32], np.array([64, 32]), (64.0, 32.0)):
        assert check_query_shape(answer).status == CORRECT, answer


@pytest.mark.parametrize("check", list(REFERENCE_ANSWERS), ids=lambda c: c.__name__)
def test_unanswered_exercises_say_so(check):
    for answer in (None, ...):
        feedback = check(answer)
        assert feedback.status == UNANSWERED and repr(feedback).startswith("⏳")
