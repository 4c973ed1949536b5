"""Lesson 03's exercise checks, with the reference answers."""

import numpy as np

from lessons_lib.exercises import CORRECT, INCORRECT, UNANSWERED
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
