"""Lesson 03's exercise checks, with the reference answers."""

import numpy as np
import pytest

from lessons_lib.exercises import CORRECT, INCORRECT, UNANSWERED, show_hint
from lessons_lib.exercises.pooling import (
    check_max_pool_by_hand,
    check_max_pool_gradient,
    check_overlap_gradient,
    check_pooled_shape,
)

REFERENCE_ANSWERS = {
    check_pooled_shape: (32, 16, 13, 13),
    check_max_pool_by_hand: [[4, 3], [5, 6]],
    check_max_pool_gradient: [[0, 0, 0, -2], [1, 0, 0, 0], [0, 3, 0, 0], [0, 0, 0.5, 0]],
    check_overlap_gradient: 10,
}
WRONG_ANSWERS = {
    check_pooled_shape: [(32, 16, 14, 14), (32, 16, 12, 12), (13, 13), "13x13", "32161313",
                         (32, 16, 13.4, 13), (32, 16, np.inf, 13), (32, 16, np.nan, 13),
                         [[32, 16], [13, 13]], {"H": 13}],
    check_max_pool_by_hand: [[[4, 3], [5, 5]], [[2, 3], [5, 6]], [4, 3, 5, 6], "max", np.eye(3)],
    check_max_pool_gradient: [
        np.kron([[1, -2], [3, 0.5]], np.full((2, 2), 0.25)),
        # the slides' matrix instead of exercise 2's
        [[0, 0, 0, 0], [0, 1, -2, 0], [3, 0, 0, 0], [0, 0, 0, 0.5]],
        [[0, 0, 0, 0], [0, 1, -2, 0], [3, 0, 0, 0], [0, 0, 0.5, 0]],
        np.full((4, 4), np.nan),
        np.zeros((2, 2)),
        "zero",
    ],
    check_overlap_gradient: [1, 4, 9, 2.5, "ten", np.nan, [10, 10], 10 + 1j, {}],
}


def test_reference_answers_pass():
    for check, answer in REFERENCE_ANSWERS.items():
        feedback = check(answer)
        assert feedback.status == CORRECT, feedback
        assert repr(feedback).startswith("✅")


def test_wrong_answers_fail_with_a_message():
    for check, answers in WRONG_ANSWERS.items():
        for answer in answers:
            feedback = check(answer)
            assert feedback.status == INCORRECT, (check.__name__, answer)
            assert repr(feedback).startswith("❌") and len(feedback.message) > 5


def test_average_pooling_gradient_is_recognised_as_such():
    feedback = check_max_pool_gradient(np.kron([[1, -2], [3, 0.5]], np.full((2, 2), 0.25)))
    assert "average pooling" in feedback.message


def test_the_slides_matrix_in_exercise_3_is_recognised():
    feedback = check_max_pool_gradient([[0, 0, 0, 0], [0, 1, -2, 0], [3, 0, 0, 0], [0, 0, 0, 0.5]])
    assert "slides' matrix" in feedback.message and "HAND_MATRIX" in feedback.hint


def test_answers_of_another_form_are_accepted():
    assert check_pooled_shape(np.array([32, 16, 13, 13])).status == CORRECT
    assert check_pooled_shape([32.0, 16.0, 13.0, 13.0]).status == CORRECT
    assert check_overlap_gradient(np.float32(10)).status == CORRECT
    assert check_overlap_gradient(10.0).status == CORRECT


def test_unanswered_exercises_say_so():
    for check in REFERENCE_ANSWERS:
        for placeholder in (None, ...):
            feedback = check(placeholder)
            assert feedback.status == UNANSWERED
            assert "not answered yet" in repr(feedback)


# -- each diagnosed mistake, fed to its check ---------------------------------------------

MISTAKES = [
    # exercise 1: (32, 16, 28, 28), 3 x 3 windows, stride 2
    (check_pooled_shape, (32, 16, 14, 14), "off-by-one output size", "rounded up"),
    (check_pooled_shape, (32, 16, 12, 12), "off-by-one output size", "first window"),
    (check_pooled_shape, (32, 16, 26, 26), "wrong stride", "stride 1"),
    (check_pooled_shape, (32, 16, 9, 9), "wrong stride", "stride 3"),
    (check_pooled_shape, (16, 32, 13, 13), "N and C are swapped", ""),
    (check_pooled_shape, (32, 16, 13, 14), "pooled alike", ""),
    (check_pooled_shape, (13, 13), "has 2 numbers", ""),
    # exercise 2: HAND_MATRIX max pooled, 2 x 2 windows, stride 2 -> [[4, 3], [5, 6]]
    (check_max_pool_by_hand, [[4, 5], [3, 6]], "Transposed", ""),
    (check_max_pool_by_hand, [[1.75, 1.5], [1.75, 2.5]], "average pooling", ""),
    (check_max_pool_by_hand, [[4, 1, 3], [5, 5, 2], [5, 6, 6]], "wrong stride",
     "max pooling at stride 1"),
    (check_max_pool_by_hand, np.zeros((3, 3)), "wrong stride", "size at stride 1"),
    (check_max_pool_by_hand, [[6, 9], [3, 7]], "slides' example", ""),
    (check_max_pool_by_hand, [[0, 0], [0, 0]], "smallest", ""),
    (check_max_pool_by_hand, [[7, 6], [7, 10]], "sums", ""),
    (check_max_pool_by_hand, [[4, 3], [5, 5]], "1 of the 4 numbers is wrong", ""),
    # exercise 3: dout [[1, -2], [3, 0.5]] back through exercise 2's max pooling
    (check_max_pool_gradient, np.kron([[1, -2], [3, 0.5]], np.ones((2, 2))),
     "spread over each window", ""),
    (check_max_pool_gradient, np.kron([[1, -2], [3, 0.5]], np.full((2, 2), 0.25)),
     "average pooling", ""),
    (check_max_pool_gradient, np.array(REFERENCE_ANSWERS[check_max_pool_gradient]).T,
     "Transposed", ""),
    (check_max_pool_gradient, -np.array(REFERENCE_ANSWERS[check_max_pool_gradient]),
     "sign is flipped", ""),
    (check_max_pool_gradient, [[0, 0, 0, 1], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]],
     "got 1 instead", ""),
    (check_max_pool_gradient, [[0, 0, 0, 1], [-2, 0, 0, 0], [0, 3, 0, 0], [0, 0, 0.5, 0]],
     "right four cells, with the wrong values", ""),
    (check_max_pool_gradient, [[0, 0, 0, -2], [1, 0, 0, 0], [0, 3, 0, 0], [0, 0, 0.5, 0.5]],
     "other cells got a gradient too", ""),
    # exercise 4: 3 x 3 windows, stride 1, dout [[1, 2], [3, 4]]; the 9 gets 10
    (check_overlap_gradient, 1, "one window only", "counted once"),
    (check_overlap_gradient, 4, "only some windows", "counted once"),
    (check_overlap_gradient, 7, "only some windows", "counted once"),
    (check_overlap_gradient, 2.5, "mean of the four dout", "not averaged"),
    (check_overlap_gradient, 10 / 9, "average pooling", ""),
    (check_overlap_gradient, 9, "the cell's value", ""),
    (check_overlap_gradient, 0, "wins no window", ""),
]


@pytest.mark.parametrize("check, answer, words, more_words", MISTAKES,
                         ids=[f"{c.__name__}-{i}" for i, (c, *_) in enumerate(MISTAKES)])
def test_each_diagnosed_mistake_is_named(check, answer, words, more_words):
    feedback = check(answer)
    assert feedback.status == INCORRECT
    assert words in feedback.message and more_words in feedback.message, feedback


@pytest.mark.parametrize("check", list(REFERENCE_ANSWERS), ids=lambda c: c.__name__)
def test_a_diagnosed_mistake_points_to_the_hints_not_the_answer(check):
    answer = REFERENCE_ANSWERS[check]
    for mistake in (m for c, m, *_ in MISTAKES if c is check):
        feedback = check(mistake)
        assert f"show_hint({check.__name__})" in feedback.hint or "Pooling keeps" in feedback.hint
        assert str(answer) not in feedback.message + feedback.hint


@pytest.mark.parametrize("check", list(REFERENCE_ANSWERS), ids=lambda c: c.__name__)
def test_the_last_hint_gives_the_reference_answer(check):
    answer = REFERENCE_ANSWERS[check]
    last = show_hint(check, 3).text
    shown = str(answer).replace(" ", "") if not isinstance(answer, int) else str(answer)
    assert shown in last.replace(" ", "")
    assert shown not in show_hint(check, 1).text.replace(" ", "")
