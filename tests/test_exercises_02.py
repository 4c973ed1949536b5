"""Lesson 02's exercises: reference answers pass their checks, wrong answers do not."""

import re

import numpy as np
import pytest
import sympy as sp

from lessons_lib.backprop import conv1d_backward
from lessons_lib.exercises import CORRECT, INCORRECT, UNANSWERED
from lessons_lib.exercises.backprop import (
    check_backward_stride2,
    check_dJ_dF,
    check_update_step,
    forward_stride2,
)

x0, x1, x2, x3, x4 = sp.symbols("x0:5")
g0, g1, g2 = sp.symbols("g0:3")


def backward_stride2(x, F, dout):
    """Reference answer: dout at the even stride-1 positions, zeros between."""
    x, F, dout = np.asarray(x), np.asarray(F), np.asarray(dout)
    full = np.zeros(x.size - F.size + 1)
    full[::2] = dout
    return conv1d_backward(x, F, full)


@pytest.mark.parametrize("check", [check_dJ_dF, check_backward_stride2, check_update_step])
@pytest.mark.parametrize("answer", [None, ...])
def test_unanswered_exercises_say_so(check, answer):
    feedback = check(answer)
    assert feedback.status == UNANSWERED
    assert "not answered yet" in repr(feedback)


def test_exercise_1_reference_answers_as_expressions_and_as_text():
    answer = [g0 * x0 + g1 * x1 + g2 * x2, g0 * x1 + g1 * x2 + g2 * x3,
              g0 * x2 + g1 * x3 + g2 * x4]
    assert check_dJ_dF(answer).status == CORRECT
    text = ["g0*x0 + g1*x1 + g2*x2", "x1*g0 + x2*g1 + x3*g2", "g2*x4 + g1*x3 + g0*x2"]
    assert check_dJ_dF(text).status == CORRECT


def test_exercise_1_accepts_indices_with_underscores_and_symbols_with_assumptions():
    text = ["g_0*x_0 + g_1*x_1 + g_2*x_2", "g_0*x_1 + g_1*x_2 + g_2*x_3",
            "g_0*x_2 + g_1*x_3 + g_2*x_4"]
    assert check_dJ_dF(text).status == CORRECT
    xr, gr = sp.symbols("x0:5", real=True), sp.symbols("g0:3", positive=True)
    answer = [sum(gr[k] * xr[k + i] for k in range(3)) for i in range(3)]
    assert check_dJ_dF(answer).status == CORRECT


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (["g0*x0 + g1*x1", "g0*x1 + g1*x2 + g2*x3", "g0*x2 + g1*x3 + g2*x4"], "missing g2\\*x2"),
        (["g0*x0 + g1*x1 + g2*x2", "g0*x0 + g1*x1 + g2*x2", "g0*x2 + g1*x3 + g2*x4"], "dJ/dF1"),
        (["x0", "x1"], "three formulas"),
        ("g0*x0", "three formulas"),
        (["g0*x0 + g1*x1 + g2*x2", "g0*x1 + g1*x2 + g2*x3", "y0*x2"], "uses y0"),
        (["g0*x0 +* g1", "a", "b"], "Could not read"),
        ([float("nan")] * 3, "dJ/dF0 is not nan"),
        ([[1], [2], [3]], "Could not read"),
    ],
)
def test_exercise_1_wrong_answers(answer, words):
    feedback = check_dJ_dF(answer)
    assert feedback.status == INCORRECT
    assert re.search(words, repr(feedback)), repr(feedback)


def test_exercise_2_reference_answer():
    feedback = check_backward_stride2(backward_stride2)
    assert feedback.status == CORRECT, repr(feedback)


def test_exercise_2_reference_matches_the_definition_of_stride():
    x, F = np.arange(7.0), np.array([1.0, -1.0])
    assert forward_stride2(x, F).tolist() == [-1.0, -1.0, -1.0]
    dx, dF = backward_stride2(x, F, np.ones(3))
    assert dF.tolist() == [0 + 2 + 4, 1 + 3 + 5]
    assert dx.tolist() == [1, -1, 1, -1, 1, -1, 0]


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        # Stride-2 outputs treated as consecutive stride-1 outputs (repeated to fill).
        (lambda x, F, dout: conv1d_backward(x, F, np.resize(dout, x.size - F.size + 1)),
         "it looks like the stride-1 gradient"),
        (lambda x, F, dout: (np.zeros_like(x), np.zeros_like(F)), "relative error 1"),
        (lambda x, F, dout: (x, F, dout), "raised ValueError"),
        (lambda x, F, dout: conv1d_backward(x, F, dout),
         "raised ValueError: dout must hold one value per output"),
        (lambda x, F, dout: (np.zeros(3), np.zeros(3)), "Expected an array of shape"),
        (lambda x, F, dout: (np.full_like(x, np.nan), F), "contains NaN or inf"),
        (lambda x, F, dout: (backward_stride2(x, F, dout)[0], np.full_like(F, np.inf)),
         "dF for N=9, K=3: [inf, inf, inf] contains NaN or inf"),
        (lambda x, F, dout: (x + 1j, F), "got complex ones"),
        (lambda x, F, dout: (1e300 * x, 1e300 * F), "relative error 1"),
        (lambda x, F, dout: None, "returned None"),
        ("not a function", "Expected a function"),
    ],
)
def test_exercise_2_wrong_answers(answer, words):
    feedback = check_backward_stride2(answer)
    assert feedback.status == INCORRECT
    assert words in repr(feedback)
    if callable(answer):
        assert "Hint" in repr(feedback)


def test_exercise_2_unwritten_function_from_the_notebook():
    def backward_stride2(x, F, dout):
        ...  # your code here

    feedback = check_backward_stride2(backward_stride2)
    assert feedback.status == INCORRECT and "return dx, dF" in feedback.hint


def test_exercise_3_reference_answer_and_common_mistakes():
    # o = [0.5·1 - 2, 0.5·2 + 1, -0.5 - 0, 0 - 3] = [-1.5, 2, -0.5, -3];
    # o - y = [-1.5, 1, -2.5, -2]; ∂J/∂o = (o - y) / 2 = [-0.75, 0.5, -1.25, -1];
    # ∂J/∂F0 = -0.75·1 + 0.5·2 - 1.25·(-1) - 1·0 = 1.5; ∂J/∂F1 = -0.75·2 + 0.5·(-1) + 0 - 3 = -5.
    assert check_update_step([0.35, -0.5]).status == CORRECT
    uphill = check_update_step([0.65, -1.5])
    assert uphill.status == INCORRECT and "F ← F - η ∂J/∂F" in uphill.hint
    assert "gradient" in check_update_step([1.5, -5.0]).message
    assert check_update_step([0.0, 0.0]).status == INCORRECT
    assert "shape (2,)" in check_update_step([1, 2, 3]).message


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        ([np.nan, -0.5], "NaN or inf"),
        ([np.inf, -np.inf], "NaN or inf"),
        (np.array([0.35 + 1j, -0.5]), "complex"),
        ("0.35, -0.5", "Expected an array of numbers"),
        ([[0.35, -0.5]], "shape (2,)"),
        ({"F0": 0.35}, "Expected an array of numbers"),
    ],
)
def test_exercise_3_odd_answers_get_feedback(answer, words):
    feedback = check_update_step(answer)
    assert feedback.status == INCORRECT
    assert words in feedback.message and feedback.hint


def stride1_gradient(x, F, dout):
    """dout laid on consecutive stride-1 outputs, the rest zero."""
    full = np.zeros(x.size - F.size + 1)
    full[:dout.size] = dout
    return conv1d_backward(x, F, full)


def no_zeros_between(x, F, dout):
    """dout spread to the stride-1 outputs, each value copied into the gap after it."""
    return conv1d_backward(x, F, np.repeat(dout, 2)[:x.size - F.size + 1])


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (stride1_gradient, "it looks like the stride-1 gradient: dout was laid on consecutive"),
        (lambda x, F, dout: conv1d_backward(x, F, dout),
         "It looks like the stride-1 gradient: conv1d_backward wants one dout per stride-1"),
        (no_zeros_between, "it looks like a forgotten zero between the strided positions"),
    ],
    ids=["stride-1 gradient", "stride-2 dout to the stride-1 pass", "forgotten zeros"],
)
def test_exercise_2_names_the_mistake(answer, words):
    feedback = check_backward_stride2(answer)
    assert feedback.status == INCORRECT
    assert words in feedback.message, feedback.message
    assert "show_hint(check_backward_stride2)" in feedback.hint


# The three formulas of Exercise 1 as text, for building wrong answers from.
RIGHT = ["g0*x0 + g1*x1 + g2*x2", "g0*x1 + g1*x2 + g2*x3", "g0*x2 + g1*x3 + g2*x4"]


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (["-(" + f + ")" for f in RIGHT], r"dJ/dF0 is not -g0\*x0 - g1\*x1 - g2\*x2: it "
         "looks like a sign error"),
        (RIGHT[:2] + ["-g0*x2 - g1*x3 - g2*x4"], "dJ/dF2 is not .*: it looks like a sign error"),
        (RIGHT[::-1], "dJ/dF0 is not .*: it looks like the flipped filter: this is the "
         "formula of dJ/dF2"),
        (["g2*x0 + g1*x1 + g0*x2", "g2*x1 + g1*x2 + g0*x3", "g2*x2 + g1*x3 + g0*x4"],
         "it looks like the flipped filter: g_k is paired with the x of output 2 - k"),
        # Taps counted from 1, as in the slides' drawing: every x index one too high.
        (RIGHT[1:] + ["g0*x3 + g1*x4 + g2*x5"], "dJ/dF0 is not .*: it looks like an "
         "off-by-one index shift: every x index is one too high"),
        (RIGHT[:2] + ["g0*x3 + g1*x4 + g2*x5"], "dJ/dF2 .* off-by-one index shift: every x "
         "index is one too high"),
        (["g1*x0 + g2*x1 + g3*x2", "g1*x1 + g2*x2 + g3*x3", "g1*x2 + g2*x3 + g3*x4"],
         "off-by-one index shift: the outputs are counted from 1"),
        (RIGHT[:1] + ["g0*x0 + g1*x1 + g2*x2", RIGHT[2]],
         "dJ/dF1 is not .*: it looks like an off-by-one index shift: every x index is one "
         "too low"),
    ],
    ids=["sign", "sign of the last", "taps reversed", "outputs reversed", "taps from 1",
         "x5", "outputs from 1", "x one too low"],
)
def test_exercise_1_names_the_mistake(answer, words):
    feedback = check_dJ_dF(answer)
    assert feedback.status == INCORRECT
    assert re.search(words, feedback.message), feedback.message
    assert "show_hint(check_dJ_dF)" in feedback.hint


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        # ∂J/∂F = [1.5, -5], η = 0.1, F = [0.5, -1] (worked out in the test above).
        ([0.65, -1.5], "you added the gradient instead of subtracting it"),
        ([-1.0, 4.0], "you forgot the learning rate"),
        ([2.0, -6.0], "you added the gradient and forgot the learning rate"),
        ([1.5, -5.0], "this is the gradient ∂J/∂F, not the new filter"),
        ([0.15, -0.5], "this is η ∂J/∂F, the step"),
        ([0.425, -0.75], "missing the factor 2 from the square"),
        ([-0.1, 1.0], "missing the 1/4 of the mean"),
        ([0.2, 0.0], "the 2 of the square and the 1/4 of the mean are both missing"),
    ],
)
def test_exercise_3_names_the_mistake(answer, words):
    feedback = check_update_step(answer)
    assert feedback.status == INCORRECT
    assert words in feedback.message, feedback.message
    assert "show_hint(check_update_step)" in feedback.hint


def test_exercise_3_last_hint_holds_the_checked_numbers():
    from lessons_lib.backprop import conv1d_forward, squared_error
    from lessons_lib.exercises.backprop import STEP_ETA, STEP_F, STEP_X, STEP_Y

    o = conv1d_forward(STEP_X, STEP_F)
    _, dout = squared_error(o, STEP_Y)
    _, dF = conv1d_backward(STEP_X, STEP_F, dout)
    answer = check_update_step.hints[2]
    for values in (o, dout, dF, STEP_F - STEP_ETA * dF):
        assert "[" + ", ".join(f"{v:g}" for v in values) + "]" in answer
    assert check_update_step(STEP_F - STEP_ETA * dF).status == CORRECT


def test_exercise_1_and_2_last_hints_pass_their_checks():
    assert check_dJ_dF(re.findall(r"g0\*x\d[^,\]]*", check_dJ_dF.hints[2])).status == CORRECT
    namespace = {"np": np, "conv1d_backward": conv1d_backward}
    exec(check_backward_stride2.hints[2], namespace)
    assert check_backward_stride2(namespace["backward_stride2"]).status == CORRECT
