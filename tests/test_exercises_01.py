"""Lesson 01's exercise checks, with the reference answers."""

import numpy as np

from lessons_lib.exercises import CORRECT, INCORRECT, UNANSWERED
from lessons_lib.exercises.convolution import (
    check_line_response,
    check_output_shape,
    check_vertical_detector,
)

REFERENCE_ANSWERS = {
    check_output_shape: (126, 94),
    check_line_response: 1,
    check_vertical_detector: [[-1, 2, -1], [-1, 2, -1], [-1, 2, -1]],
}
WRONG_ANSWERS = {
    check_output_shape: [(128, 96), (125, 93), (94, 126), (126.7, 94.2), "3x4", (1, 2, 3), 126],
    check_line_response: [4, 2, "one"],
    check_vertical_detector: [np.ones((3, 3)), [[-1, -1, -1], [2, 2, 2], [-1, -1, -1]],
                              np.zeros((3, 3)), np.ones((5, 5)), "edge", np.full((3, 3), np.nan)],
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


def test_unanswered_exercises_say_so():
    for check in REFERENCE_ANSWERS:
        for placeholder in (None, ...):
            feedback = check(placeholder)
            assert feedback.status == UNANSWERED
            assert "not answered yet" in repr(feedback)


def test_shared_answer_parser_rejects_complex_and_ragged_answers():
    from lessons_lib.exercises import Feedback, as_answer_array

    for answer in ([[1j, 0], [0, 1]], [[1, 2], [3]], "abc"):
        feedback = as_answer_array(answer, "Exercise", shape=(2, 2))
        assert isinstance(feedback, Feedback) and feedback.status == INCORRECT
