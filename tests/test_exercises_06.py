"""Lesson 06's exercise checks, with the reference answers."""

import numpy as np
import pytest

from lessons_lib.exercises import CORRECT, INCORRECT, UNANSWERED
from lessons_lib.exercises.attention import (
    EXERCISE_PATCH,
    ROW_TOLERANCE,
    SPREAD_TOLERANCE,
    check_attention_row,
    check_query_shape,
    check_score_spread,
    lesson_qkv,
)


def reference_row():
    """Exercise 1 worked as a student would: ink per row, scores, divide by √4, e^, normalise."""
    _, K, _ = lesson_qkv()
    q = EXERCISE_PATCH.sum(axis=1)
    scores = [float(q @ K[m]) for m in range(4)]
    weights = [np.exp(s / 2) for s in scores]
    return [w / sum(weights) for w in weights]


REFERENCE_ANSWERS = {
    check_attention_row: reference_row(),
    check_query_shape: (144, 12),
    check_score_spread: 10,
}
WRONG_ANSWERS = {
    check_attention_row: [[0.25, 0.25, 0.25, 0.25], [0.063, 0.009, 0.464, 0.464],
                          [1, 2, 3, 4], [0.3, 0.1], "row", [np.nan] * 4, [np.inf, 0, 0, 0],
                          [0.1, 0.1, 0.4, 0.4], {"row": 1}],
    check_query_shape: [(12, 144), (145, 12), (144, 24), (12, 12), "144x12", (144,),
                        (144.5, 12), (np.inf, 12), (np.nan, 12), [[144, 12]], (144, 12, 1),
                        {144: 0, 12: 1}, "(144, 12)"],
    check_score_spread: [100, 1, 0.1, "ten", -10, np.nan, np.inf, [10, 10], 10.2],
}


def test_the_reference_row_is_the_one_in_the_feedback():
    np.testing.assert_allclose(reference_row(), [0.147, 0.054, 0.399, 0.399], atol=1e-3)
    assert "[0.147, 0.054, 0.399, 0.399]" in check_attention_row(reference_row()).message


def test_the_answer_is_not_a_row_the_lesson_shows():
    """Exercise 1's patch is new: its row appears in no attention map of the lesson."""
    from lessons_lib.attention import scaled_dot_product_attention

    Q, K, V = lesson_qkv()
    for scale in (True, False):
        A = scaled_dot_product_attention(Q, K, V, scale=scale)[1]
        assert not np.any(np.all(np.abs(A - reference_row()) <= ROW_TOLERANCE, axis=1))


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


def test_answers_within_the_stated_tolerance_pass():
    exact = np.array(reference_row())
    for shift in (ROW_TOLERANCE * 0.9, -ROW_TOLERANCE * 0.9):
        assert check_attention_row(exact + shift * np.array([1, -1, 1, -1])).status == CORRECT
    assert check_attention_row(np.round(exact, 2)).status == CORRECT
    assert check_attention_row([0.15, 0.05, 0.4, 0.4]).status == CORRECT
    for value in (10 - 0.9 * SPREAD_TOLERANCE, 10 + 0.9 * SPREAD_TOLERANCE):
        assert check_score_spread(value).status == CORRECT


def test_the_unscaled_row_gets_a_specific_hint():
    assert "√d_k" in check_attention_row([0.063, 0.009, 0.464, 0.464]).hint


def test_a_row_off_by_a_few_hundredths_is_called_close_and_says_the_tolerance():
    feedback = check_attention_row([0.1, 0.1, 0.4, 0.4])
    assert "close" in feedback.message and f"{ROW_TOLERANCE}" in feedback.message
    assert "two decimals" in feedback.hint


def test_a_wrong_row_says_what_was_expected():
    assert "4 weights that sum to 1" in check_attention_row([0.2, 0.2, 0.3, 0.3]).message
    assert "expected" in check_query_shape((3, 3)).message
    assert f"within {SPREAD_TOLERANCE}" in check_score_spread(7).message


def test_the_shape_may_be_any_sequence_of_two_whole_numbers():
    for answer in ([144, 12], np.array([144, 12]), (144.0, 12.0)):
        assert check_query_shape(answer).status == CORRECT, answer
    assert "shape of X" in check_query_shape((144, 24)).message


@pytest.mark.parametrize("check", list(REFERENCE_ANSWERS), ids=lambda c: c.__name__)
def test_unanswered_exercises_say_so(check):
    for answer in (None, ...):
        feedback = check(answer)
        assert feedback.status == UNANSWERED and repr(feedback).startswith("⏳")
