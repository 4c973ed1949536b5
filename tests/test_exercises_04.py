"""Lesson 04's exercise checks, with the reference answers."""

import numpy as np

from lessons_lib.exercises import CORRECT, INCORRECT, UNANSWERED
from lessons_lib.exercises.cnn import (
    check_conv_shape,
    check_dense_backward,
    check_parameter_counts,
)


def reference_dense_backward(x, w, dout):
    return dout @ w, dout.T @ x, dout.sum(axis=0)


REFERENCE_ANSWERS = {
    check_conv_shape: (16, 48, 48),
    check_parameter_counts: (4640, 33_562_624),
    check_dense_backward: reference_dense_backward,
}
WRONG_ANSWERS = {
    check_conv_shape: [(3, 48, 48), (16, 45, 45), (16, 96, 96), "16x48x48", (16, 48),
                       (16, 48.5, 48), (16, 48, float("inf")), (float("nan"), 48, 48), 16,
                       "164848", (16, 48, 48, 1)],
    check_parameter_counts: [(4608, 33_562_624), (4640, 33_554_432), (4640,), "many",
                             (4640.5, 33_562_624), (float("inf"), 1), (4640, float("nan")),
                             "464033562624"],
    check_dense_backward: [
        lambda x, w, dout: (dout @ w, x.T @ dout, dout.sum(axis=0)),  # dw transposed
        lambda x, w, dout: (dout @ w, dout.T @ x, dout.mean(axis=0)),  # mean, not sum
        lambda x, w, dout: (dout @ w.T, dout.T @ x, dout.sum(axis=0)),  # shapes do not fit
        lambda x, w, dout: (dout @ w, dout.T @ x),  # two values only
        lambda x, w, dout: 5,  # not three arrays
        lambda x, w, dout: ("a", "b", "c"),  # not numbers
        lambda x, w, dout: (dout @ w, dout.T @ x, np.full(3, np.nan)),  # NaN
        lambda x, w, dout: 1 / 0,  # fails when called
        lambda x, w: None,  # wrong signature
        "dout @ w",
    ],
}


def test_reference_answers_pass():
    for check, answer in REFERENCE_ANSWERS.items():
        feedback = check(answer)
        assert feedback.status == CORRECT, feedback
        assert repr(feedback).startswith("✅")


def test_wrong_answers_fail_with_a_message_and_a_hint():
    for check, answers in WRONG_ANSWERS.items():
        for answer in answers:
            feedback = check(answer)
            assert feedback.status == INCORRECT, (check.__name__, answer)
            assert repr(feedback).startswith("❌") and len(feedback.message) > 5


def test_a_channel_mistake_gets_the_channel_hint():
    assert "one output channel per filter" in check_conv_shape((3, 48, 48)).hint
    assert "H' = 1 +" in check_conv_shape((16, 45, 45)).hint


def test_the_dense_backward_hints_name_the_wrong_gradient():
    feedback = check_dense_backward(lambda x, w, dout: (dout @ w, dout.T @ x, np.zeros(3)))
    assert "db" in feedback.message and "sum of dout" in feedback.hint


def test_a_function_that_returns_nothing_yet_is_unanswered():
    def dense_backward(x, W, dout):
        ...

    assert check_dense_backward(dense_backward).status == UNANSWERED


def test_unanswered_exercises_say_so():
    for check in REFERENCE_ANSWERS:
        for answer in (None, ...):
            feedback = check(answer)
            assert feedback.status == UNANSWERED
            assert "not answered yet" in repr(feedback)


def test_equivalent_forms_of_the_right_answer_pass():
    assert check_conv_shape(np.array([16, 48, 48])).status == CORRECT
    assert check_conv_shape([16.0, 48.0, 48.0]).status == CORRECT
    assert check_parameter_counts(np.array([4640, 33_562_624])).status == CORRECT
    assert check_dense_backward(
        lambda x, w, dout: [(dout @ w).tolist(), dout.T @ x, dout.sum(axis=0)]
    ).status == CORRECT


def test_answers_that_are_not_whole_numbers_say_so():
    for feedback in (check_conv_shape((16, 48.5, 48)), check_parameter_counts("many")):
        assert "whole numbers" in feedback.message
    assert "three numbers" in check_conv_shape((16, 48)).hint
    assert "two numbers" in check_parameter_counts((4640,)).hint


def test_the_parameter_count_hints_name_the_wrong_count():
    conv_wrong = check_parameter_counts((4608, 33_562_624)).hint
    dense_wrong = check_parameter_counts((4640, 33_554_432)).hint
    assert conv_wrong.startswith("A filter has") and "Dense" not in conv_wrong
    assert dense_wrong.startswith("A Dense layer") and "filter" not in dense_wrong


def test_a_function_returning_the_wrong_kind_of_thing_is_told_so():
    feedback = check_dense_backward(lambda x, w, dout: 5)
    assert "not three arrays" in feedback.message and "Calling it failed" not in feedback.message
    assert "Calling it failed: ZeroDivisionError" in check_dense_backward(
        lambda x, w, dout: 1 / 0).message
