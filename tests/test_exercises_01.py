"""Lesson 01's exercise checks, with the reference answers."""

import numpy as np
import pytest

from lessons_lib.exercises import CORRECT, INCORRECT, UNANSWERED, show_hint
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
                              np.zeros((3, 3)), np.ones((5, 5)), "edge", np.full((3, 3), np.nan),
                              [[1, -2, 1]] * 3, [[1, 0, -1]] * 3, np.eye(3) * 3 - 1],
}

# Each common mistake, and words the check's message must say about it.
DIAGNOSED = [
    (check_output_shape, (125, 93), "without its \"1 +\""),
    (check_output_shape, (127, 95), "rounded up"),
    (check_output_shape, (128, 96), "size with padding"),
    (check_output_shape, (129, 97), "filter size forgotten"),
    (check_output_shape, (502, 374), "output at stride 1"),
    (check_output_shape, (251, 187), "output at stride 2"),
    (check_output_shape, (94, 126), "wrong order"),
    (check_output_shape, (93, 125), "rows and columns swapped, and (125, 93) is one short"),
    (check_output_shape, (126, 95), "the rows are right"),
    (check_output_shape, (127, 93), "off by one"),
    (check_line_response, -2, "without padding"),
    (check_line_response, -1, "sign inverted"),
    (check_line_response, 2, "only the product at the centre"),
    (check_line_response, 3, "without their signs"),
    (check_line_response, 0.5, "not a whole number"),
    (check_vertical_detector, [[1, -2, 1]] * 3, "sign is inverted: your filter detects dark lines"),
    (check_vertical_detector, -np.array([[0, 0, 0], [-1, 2, -1], [0, 0, 0]]), "sign is inverted"),
    (check_vertical_detector, [[1, 0, -1]] * 3, "finds edges, not lines"),
    (check_vertical_detector, [[-1, 0, 1]] * 3, "finds edges, not lines"),
    (check_vertical_detector, [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], "finds edges, not lines"),
    (check_vertical_detector, [[-1, -1, -1], [2, 2, 2], [-1, -1, -1]],
     "horizontal line detector (the transposed filter)"),
    (check_vertical_detector, np.ones((3, 3)), "do not add up to zero"),
    (check_vertical_detector, np.zeros((3, 3)), "detects nothing"),
]


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


@pytest.mark.parametrize("check, answer, words", DIAGNOSED,
                         ids=[f"{c.__name__}-{i}" for i, (c, _, _) in enumerate(DIAGNOSED)])
def test_common_mistakes_are_named_and_point_to_the_hints(check, answer, words):
    feedback = check(answer)
    assert feedback.status == INCORRECT
    assert words in feedback.message, feedback
    if "wrong order" not in feedback.message:
        assert f"show_hint({check.__name__})" in feedback.hint


def test_line_detectors_other_than_the_slides_one_pass():
    for kernel in ([[0, 0, 0], [-1, 2, -1], [0, 0, 0]], [[-2, 4, -2]] * 3,
                   [[-1, 3, -2], [-1, 3, -2], [-1, 3, -2]], np.array([[-1, 2, -1]] * 3) * 1e-300):
        assert check_vertical_detector(kernel).status == CORRECT, kernel


def test_every_check_gives_hints_that_climb_to_the_answer():
    for check, answer in REFERENCE_ANSWERS.items():
        nudge, idea, solution = (show_hint(check, level).text for level in (1, 2, 3))
        # Only the last level gives the call that passes.
        call = f"{check.__name__}({answer!r})".replace(" ", "")
        assert call in solution.replace(" ", "") and check.__name__ not in nudge + idea


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
