"""Checks for lesson 02's exercises (backpropagation through a 1-D convolution)."""

from __future__ import annotations

import re

import numpy as np
import sympy as sp

from lessons_lib.backprop import (
    conv1d_backward,
    conv1d_forward,
    numerical_gradient,
    relative_error,
    squared_error,
)
from lessons_lib.exercises import (
    CORRECT,
    INCORRECT,
    Feedback,
    as_answer_array,
    is_unanswered,
    plain,
    shown_answer,
    unanswered,
)

# Exercise 1: a 3-tap filter on five inputs; g_k stands for ∂J/∂o_k.
_x = sp.symbols("x0:5")
_F = sp.symbols("F0:3")
_g = sp.symbols("g0:3")
_SYMBOLS = {str(s): s for s in (*_x, *_F, *_g)}
# Bounds on a formula before sympy works on it: a gradient of this exercise is a short
# sum of products, and without bounds "9**9**9" would keep sympy busy for hours.
MAX_FORMULA_CHARACTERS = 500
MAX_FORMULA_TERMS = 200
MAX_CONSTANT = 10**6
MAX_EXPONENT = 4


def _expected_dJ_dF():
    """∂J/∂F_i = Σ_k g_k ∂o_k/∂F_i, derived by sympy from o_k = Σ_i F_i x_{k+i}."""
    o = [sum(_F[i] * _x[k + i] for i in range(3)) for k in range(3)]
    return [sum(_g[k] * sp.diff(o[k], _F[i]) for k in range(3)) for i in range(3)]


def _too_large(expression) -> bool:
    """Whether ``expression`` (unevaluated) is too big, or has constants or powers too large
    to expand quickly; every bound is far beyond what a right answer needs."""
    for count, node in enumerate(sp.preorder_traversal(expression)):
        if count > MAX_FORMULA_TERMS:
            return True
        if node.is_Number and node.is_finite and abs(node) > MAX_CONSTANT:
            return True
        if node.is_Pow and not (node.exp.is_Integer and abs(node.exp) <= MAX_EXPONENT):
            return True
    return False


def _as_expression(answer):
    """A sympy expression in the exercise's symbols, or a message saying why not."""
    unreadable = f"Could not read {shown_answer(answer)} as a formula."
    answer = plain(answer)
    if isinstance(answer, str) and len(answer) > MAX_FORMULA_CHARACTERS:
        return None, (f"That formula has {len(answer)} characters; each gradient here is a "
                      "sum of three products.")
    try:
        if isinstance(answer, str):
            # "g_0*x_0" is how many people write indices: read it as g0*x0.
            text = re.sub(r"\b([xFg])_(\d)\b", r"\1\2", answer)
            expression = sp.parse_expr(text, local_dict=dict(_SYMBOLS), evaluate=False)
        else:
            expression = sp.sympify(answer, evaluate=False)
    except Exception:  # parsing a student's text or object may fail in any way
        return None, unreadable
    if not isinstance(expression, sp.Expr):
        return None, unreadable
    if _too_large(expression):
        return None, (f"{shown_answer(answer)} has numbers, powers or terms far larger than "
                      "a gradient of this exercise needs.")
    unknown = sorted(str(s) for s in expression.free_symbols if str(s) not in _SYMBOLS)
    if unknown:
        return None, (f"{shown_answer(answer)} uses {', '.join(unknown)}; use only x0..x4, F0..F2 "
                      "and g0..g2.")
    # Symbols are matched by name: one made with assumptions (real=True) is another
    # symbol to sympy, and would never cancel against the expected formula.
    return expression.xreplace({s: _SYMBOLS[str(s)] for s in expression.free_symbols}), None


def check_dJ_dF(answer) -> Feedback:
    """Exercise 1: ∂J/∂F_0, ∂J/∂F_1, ∂J/∂F_2 for a 3-tap filter on x0..x4.

    ``answer`` is a list of three formulas (sympy expressions or strings such as
    ``"g1*x0 + 2*g2*x4"``) in the symbols ``x0..x4`` and ``g0..g2``, where
    ``g_k = ∂J/∂o_k``.
    """
    name = "Exercise 1 (∂J/∂F for a 3-tap filter)"
    if is_unanswered(answer):
        return unanswered(name, "a list of three formulas [dJ/dF0, dJ/dF1, dJ/dF2]")
    if not isinstance(answer, (list, tuple)) or len(answer) != 3:
        return Feedback(INCORRECT, name, "Expected a list of three formulas, one per tap.")
    for i, (given, expected) in enumerate(zip(tuple(answer), _expected_dJ_dF(), strict=True)):
        if is_unanswered(given):
            return unanswered(name, f"a formula for dJ/dF{i} (and the others)")
        expression, problem = _as_expression(given)
        if problem:
            return Feedback(INCORRECT, name, problem)
        difference = sp.expand(expression - expected)
        if difference != 0:
            terms = sp.Add.make_args(sp.expand(expected))
            missing = [t for t in terms if t not in sp.Add.make_args(sp.expand(expression))]
            detail = f" It is missing {missing[0]}." if missing else ""
            return Feedback(INCORRECT, name, f"dJ/dF{i} is not {expression}.{detail}",
                            f"Write o0, o1, o2 out first. Tap F{i} multiplies x{i} in o0, "
                            f"x{i + 1} in o1 and x{i + 2} in o2; each term is g_k times "
                            f"∂o_k/∂F{i}.")
    return Feedback(CORRECT, name, "∂J/∂F_i = Σ_k g_k x_(k+i): the correlation of x with "
                    "∂J/∂o, as conv1d_backward computes it.")


def forward_stride2(x, F):
    """The 1-D convolution with stride 2: ``o[n] = Σ_i x[2n + i] F[i]``, shape (1 + (N - K) // 2,).

    Examples
    --------
    >>> forward_stride2([1, 2, 3, 4, 5], [1, 1])
    array([3., 7.])
    """
    return conv1d_forward(x, F)[::2]


def _numerical_stride2_gradients(x, F, dout):
    """Central-difference gradients of J = Σ dout · forward_stride2(x, F)."""
    return {
        "dx": numerical_gradient(lambda x_: dout @ forward_stride2(x_, F), x),
        "dF": numerical_gradient(lambda F_: dout @ forward_stride2(x, F_), F),
    }


# (N, K) of the cases a stride-2 backward pass is run on; odd and even lengths.
_STRIDE2_CASES = ((9, 3), (8, 3), (7, 2), (6, 1), (5, 5), (10, 4))


def check_backward_stride2(backward) -> Feedback:
    """Exercise 2: ``backward(x, F, dout) -> (dx, dF)`` for :func:`forward_stride2`.

    The answer is run on several random signals and filters and compared with
    numerical gradients of ``J = Σ dout · forward_stride2(x, F)``.
    """
    name = "Exercise 2 (backward pass for stride 2)"
    if is_unanswered(backward):
        return unanswered(name, "your function backward_stride2")
    if not callable(backward):
        return Feedback(INCORRECT, name, f"Expected a function, got {type(backward).__name__}.")
    rng = np.random.default_rng(2)
    hint = ("A stride-2 output o[n] is the stride-1 output number 2n: put dout back at the "
            "even positions of a zero array of length N - K + 1 and call conv1d_backward.")
    for N, K in _STRIDE2_CASES:
        x, F = rng.standard_normal(N), rng.standard_normal(K)
        dout = rng.standard_normal(forward_stride2(x, F).size)
        try:
            result = backward(x.copy(), F.copy(), dout.copy())
            if result is None:
                return Feedback(INCORRECT, name, "Your function returned None.",
                                "End it with `return dx, dF`.")
            dx, dF = result
        except Exception as error:  # the student's code may fail in any way: report it
            return Feedback(INCORRECT, name, f"With N={N}, K={K} your function raised "
                            f"{type(error).__name__}: {error}", hint)
        expected = _numerical_stride2_gradients(x, F, dout)
        for label, given in (("dx", dx), ("dF", dF)):
            array = as_answer_array(given, name, expected[label].shape, finite=True)
            if isinstance(array, Feedback):
                return Feedback(INCORRECT, name, f"{label} for N={N}, K={K}: {array.message}",
                                hint)
            error = relative_error(array, expected[label])
            if not error < 1e-6:
                return Feedback(INCORRECT, name, f"{label} for N={N}, K={K} differs from the "
                                f"numerical gradient: relative error {error:.2g}.", hint)
    return Feedback(CORRECT, name, f"dx and dF match numerical gradients on "
                    f"{len(_STRIDE2_CASES)} signals (relative error < 1e-6).")


# Exercise 3: one gradient-descent step by hand.
STEP_X = np.array([1.0, 2.0, -1.0, 0.0, 3.0])
STEP_F = np.array([0.5, -1.0])
STEP_Y = np.array([0.0, 1.0, 2.0, -1.0])
STEP_ETA = 0.1


def check_update_step(answer) -> Feedback:
    """Exercise 3: the filter after one step ``F ← F - η ∂J/∂F`` on the lesson's small problem.

    ``x = [1, 2, -1, 0, 3]``, ``F = [0.5, -1]``, targets ``y = [0, 1, 2, -1]``,
    loss ``J = (1/M) Σ (o_n - y_n)²``, ``η = 0.1``; the answer is the new ``F``.
    """
    name = "Exercise 3 (one gradient-descent step)"
    if is_unanswered(answer):
        return unanswered(name, "the new filter [F0, F1]")
    given = as_answer_array(answer, name, (2,), finite=True)
    if isinstance(given, Feedback):
        return Feedback(given.status, name, given.message,
                        "The new filter is two numbers: F - η ∂J/∂F.")
    _, dout = squared_error(conv1d_forward(STEP_X, STEP_F), STEP_Y)
    _, dF = conv1d_backward(STEP_X, STEP_F, dout)
    expected = STEP_F - STEP_ETA * dF
    if np.allclose(given, expected, atol=1e-6):
        return Feedback(CORRECT, name, f"∂J/∂F = [{dF[0]:g}, {dF[1]:g}], so F becomes "
                        f"[{expected[0]:g}, {expected[1]:g}] and the loss goes down.")
    if np.allclose(given, STEP_F + STEP_ETA * dF, atol=1e-6):
        return Feedback(INCORRECT, name, "You stepped uphill: this F has a larger loss.",
                        "Gradient descent subtracts: F ← F - η ∂J/∂F.")
    if np.allclose(given, dF, atol=1e-6) or np.allclose(given, STEP_ETA * dF, atol=1e-6):
        return Feedback(INCORRECT, name, "That is the gradient (or η times it), not the new "
                        "filter.", "Subtract η ∂J/∂F from F = [0.5, -1].")
    return Feedback(INCORRECT, name, f"{given.tolist()} is not it.",
                    "Compute o, then ∂J/∂o = 2 (o - y) / 4, then ∂J/∂F_i = Σ_k ∂J/∂o_k "
                    "x_(k+i), then F - 0.1 ∂J/∂F.")
