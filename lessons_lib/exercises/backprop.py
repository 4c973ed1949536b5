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
    hints,
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


def _tap_gradient(i, *, x_shift=0, g_shift=0, g_reversed=False):
    """Σ_k g_k x_(k+i), or a common mistake of it: x or g indices shifted, g reversed.

    Symbols are made by name, so that a shifted index beyond the exercise (x5, g3) is
    the symbol a student's text would be read as.
    """
    terms = []
    for k in range(3):
        g_index = (2 - k if g_reversed else k) + g_shift
        x_index = k + i + x_shift
        if g_index < 0 or x_index < 0:
            return None
        terms.append(sp.Symbol(f"g{g_index}") * sp.Symbol(f"x{x_index}"))
    return sp.Add(*terms)


def _expected_dJ_dF():
    """∂J/∂F_i = Σ_k g_k ∂o_k/∂F_i, derived by sympy from o_k = Σ_i F_i x_{k+i}."""
    o = [sum(_F[i] * _x[k + i] for i in range(3)) for k in range(3)]
    return [sum(_g[k] * sp.diff(o[k], _F[i]) for k in range(3)) for i in range(3)]


def _dJ_dF_mistakes(i):
    """(formula, what it looks like) for the common wrong answers for ∂J/∂F_i."""
    right = _tap_gradient(i)
    candidates = [
        (-right, f"a sign error: dJ/dF{i} is your formula times -1. Each term is "
                 f"+g_k ∂o_k/∂F{i}, and ∂o_k/∂F{i} is an x with a plus sign"),
        (_tap_gradient(2 - i), f"the flipped filter: this is the formula of dJ/dF{2 - i}, "
                               "as if the taps were numbered from the other end"),
        (_tap_gradient(i, g_reversed=True), "the flipped filter: g_k is paired with the "
                                            "x of output 2 - k, the order a convolution "
                                            "(flipped) would give, not this correlation"),
        (_tap_gradient(i, x_shift=1), "an off-by-one index shift: every x index is one too "
                                      "high, as when the taps are counted from 1 like the "
                                      "slides' drawing (F1, F2, F3)"),
        (_tap_gradient(i, x_shift=-1), "an off-by-one index shift: every x index is one "
                                       "too low"),
        (_tap_gradient(i, g_shift=1), "an off-by-one index shift: the outputs are counted "
                                      "from 1 (g1, g2, g3); they are g0, g1, g2"),
        (_tap_gradient(i, g_shift=-1), "an off-by-one index shift: every g index is one "
                                       "too low"),
    ]
    return [(sp.expand(formula), words) for formula, words in candidates
            if formula is not None and sp.expand(formula - right) != 0]


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
        elif isinstance(answer, sp.Basic):
            expression = answer
        elif isinstance(answer, (int, float)) and not isinstance(answer, bool):
            expression = sp.sympify(answer)
        else:
            # sympify would read the texts inside a list or tuple with evaluation on,
            # and "9**9**9" in a nested list would be computed: not a formula anyway.
            return None, unreadable
    except Exception:  # parsing a student's text or object may fail in any way
        return None, unreadable
    if not isinstance(expression, sp.Expr):
        return None, unreadable
    if _too_large(expression):
        return None, (f"{shown_answer(answer)} has numbers, powers or terms far larger than "
                      "a gradient of this exercise needs.")
    # Symbols are matched by name: one made with assumptions (real=True) is another
    # symbol to sympy, and would never cancel against the expected formula. A name
    # outside the exercise (x5, g3) is kept: it may be an index shifted by one.
    return expression.xreplace({s: sp.Symbol(str(s)) for s in expression.free_symbols}), None


def _unknown_symbols(expression) -> list[str]:
    return sorted(str(s) for s in expression.free_symbols if str(s) not in _SYMBOLS)


@hints(
    "Exercise 1",
    "Write the three outputs o0, o1, o2 out in full first, the way the worked example "
    "writes o0 = F0 x0 + F1 x1.",
    "Tap F_i appears once in every output: in o_k it multiplies x_(k+i), so "
    "∂o_k/∂F_i = x_(k+i). The chain rule adds one term g_k ∂o_k/∂F_i per output k = 0, 1, 2.",
    "[g0*x0 + g1*x1 + g2*x2, g0*x1 + g1*x2 + g2*x3, g0*x2 + g1*x3 + g2*x4]",
)
def check_dJ_dF(answer) -> Feedback:
    """Exercise 1: ∂J/∂F_0, ∂J/∂F_1, ∂J/∂F_2 for a 3-tap filter on x0..x4.

    ``answer`` is a list of three formulas (sympy expressions or strings such as
    ``"g1*x0 + 2*g2*x4"``) in the symbols ``x0..x4`` and ``g0..g2``, where
    ``g_k = ∂J/∂o_k``. A wrong formula is compared with the common mistakes (a sign
    error, the flipped filter, an index off by one) and the feedback names the one it
    looks like.

    Examples
    --------
    >>> feedback = check_dJ_dF(["-g0*x0 - g1*x1 - g2*x2", "0", "0"])
    >>> feedback.message.split(": ")[1]
    'it looks like a sign error'
    """
    name = "Exercise 1 (∂J/∂F for a 3-tap filter)"
    if is_unanswered(answer):
        return unanswered(name, "a list of three formulas [dJ/dF0, dJ/dF1, dJ/dF2]")
    if not isinstance(answer, (list, tuple)) or len(answer) != 3:
        return Feedback(INCORRECT, name, "Expected a list of three formulas, one per tap.",
                        "dJ/dF0, dJ/dF1 and dJ/dF2 in a list, e.g. [\"g0*x0 + ...\", "
                        "\"...\", \"...\"].")
    hint = "show_hint(check_dJ_dF) gives a nudge, then the idea, then the answer."
    for i, (given, expected) in enumerate(zip(tuple(answer), _expected_dJ_dF(), strict=True)):
        if is_unanswered(given):
            return unanswered(name, f"a formula for dJ/dF{i} (and the others)")
        expression, problem = _as_expression(given)
        if problem:
            return Feedback(INCORRECT, name, problem, hint)
        # Expanded once (the costly step for a long answer); an expanded sum minus
        # another collects like terms by itself, so each comparison after it is cheap.
        expanded = sp.expand(expression)
        if expanded - sp.expand(expected) == 0:
            continue
        for mistake, words in _dJ_dF_mistakes(i):
            if expanded - mistake == 0:
                return Feedback(INCORRECT, name, f"dJ/dF{i} is not {expression}: it looks "
                                f"like {words}.", hint)
        unknown = _unknown_symbols(expression)
        if unknown:
            return Feedback(INCORRECT, name, f"{shown_answer(given)} uses "
                            f"{', '.join(unknown)}; use only x0..x4, F0..F2 and g0..g2.",
                            hint)
        terms = sp.Add.make_args(sp.expand(expected))
        missing = [t for t in terms if t not in sp.Add.make_args(expanded)]
        detail = f" It is missing {missing[0]}." if missing else ""
        return Feedback(INCORRECT, name, f"dJ/dF{i} is not {expression}.{detail}", hint)
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


def _stride2_mistakes(x, F, dout):
    """((dx, dF), what it looks like) for the common wrong stride-2 backward passes."""
    M = x.size - F.size + 1
    consecutive = np.zeros(M)
    consecutive[:dout.size] = dout
    copied = np.repeat(dout, 2)[:M]
    stride1 = ("the stride-1 gradient: dout was laid on consecutive stride-1 outputs, but "
               "stride-2 output n is stride-1 output 2n")
    return [
        (conv1d_backward(x, F, consecutive), stride1),
        (conv1d_backward(x, F, np.resize(dout, M)), stride1),
        (conv1d_backward(x, F, copied), "a forgotten zero between the strided positions: "
         "the stride-1 outputs that stride 2 skips got a copy of their neighbour's dout, "
         "and they must get 0 (no output was computed there)"),
    ]


def _matches(given, expected) -> bool:
    return all(relative_error(g, e) < 1e-6 for g, e in zip(given, expected, strict=True))


@hints(
    "Exercise 2",
    "Start from conv1d_backward_loops in lessons_lib.backprop (show_source shows it) and "
    "ask where output n's window starts in forward_stride2.",
    "Stride-2 output n is stride-1 output 2n. Either loop as conv1d_backward_loops does "
    "with x[2n + i] in place of x[n + i], or put dout at the even positions of a zero "
    "array of the stride-1 length N - K + 1 and call conv1d_backward on it.",
    "def backward_stride2(x, F, dout):\n"
    "    full = np.zeros(len(x) - len(F) + 1)\n"
    "    full[::2] = dout\n"
    "    return conv1d_backward(x, F, full)",
)
def check_backward_stride2(backward) -> Feedback:
    """Exercise 2: ``backward(x, F, dout) -> (dx, dF)`` for :func:`forward_stride2`.

    The answer is run on several random signals and filters and compared with
    numerical gradients of ``J = Σ dout · forward_stride2(x, F)``. A wrong answer is
    compared with the common mistakes (the stride-1 gradient, a forgotten zero between
    the strided positions) and the feedback names the one it looks like.

    Examples
    --------
    >>> from lessons_lib.backprop import conv1d_backward
    >>> def backward_stride2(x, F, dout):
    ...     full = np.zeros(len(x) - len(F) + 1)
    ...     full[:len(dout)] = dout
    ...     return conv1d_backward(x, F, full)
    >>> check_backward_stride2(backward_stride2).message.split(":")[1]
    ' it looks like the stride-1 gradient'
    """
    name = "Exercise 2 (backward pass for stride 2)"
    if is_unanswered(backward):
        return unanswered(name, "your function backward_stride2")
    if not callable(backward):
        return Feedback(INCORRECT, name, f"Expected a function, got {type(backward).__name__}.",
                        "Pass the function itself: check_backward_stride2(backward_stride2).")
    rng = np.random.default_rng(2)
    hint = "show_hint(check_backward_stride2) gives a nudge, then the idea, then the code."
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
            message = (f"With N={N}, K={K} your function raised "
                       f"{type(error).__name__}: {error}")
            if isinstance(error, ValueError) and "dout must hold one value per" in str(error):
                message += (". It looks like the stride-1 gradient: conv1d_backward wants "
                            "one dout per stride-1 output, and stride 2 has about half as "
                            "many.")
            return Feedback(INCORRECT, name, message, hint)
        expected = _numerical_stride2_gradients(x, F, dout)
        given = []
        for label, value in (("dx", dx), ("dF", dF)):
            array = as_answer_array(value, name, expected[label].shape, finite=True)
            if isinstance(array, Feedback):
                return Feedback(INCORRECT, name, f"{label} for N={N}, K={K}: {array.message}",
                                hint)
            given.append(array)
        if _matches(given, (expected["dx"], expected["dF"])):
            continue
        for mistake, words in _stride2_mistakes(x, F, dout):
            if _matches(given, mistake):
                return Feedback(INCORRECT, name, f"For N={N}, K={K} your gradients differ "
                                f"from the numerical gradients: it looks like {words}.", hint)
        for label, array in zip(("dx", "dF"), given, strict=True):
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


def _update_step_mistakes():
    """(filter, what it looks like) for the common wrong answers of Exercise 3."""
    o = conv1d_forward(STEP_X, STEP_F)
    _, dout = squared_error(o, STEP_Y)
    _, dF = conv1d_backward(STEP_X, STEP_F, dout)
    M = o.size
    return [
        (STEP_F + STEP_ETA * dF, "you added the gradient instead of subtracting it: this "
         "step goes uphill, to a larger loss"),
        (STEP_F - dF, "you forgot the learning rate: F - ∂J/∂F is a step ten times too "
         "long"),
        (STEP_F + dF, "you added the gradient and forgot the learning rate"),
        (dF, "this is the gradient ∂J/∂F, not the new filter"),
        (STEP_ETA * dF, "this is η ∂J/∂F, the step, not the new filter"),
        (STEP_F - STEP_ETA * dF / 2, "∂J/∂o is missing the factor 2 from the square"),
        (STEP_F - STEP_ETA * M * dF, "∂J/∂o is missing the 1/4 of the mean"),
        (STEP_F - STEP_ETA * M / 2 * dF, "∂J/∂o is o - y: the 2 of the square and the "
         "1/4 of the mean are both missing"),
    ]


@hints(
    "Exercise 3",
    "Work in the order o, ∂J/∂o, ∂J/∂F and the new F, each on its own line; o has four "
    "numbers and ∂J/∂F two.",
    "o_k = F0 x_k + F1 x_(k+1); ∂J/∂o_k = 2 (o_k - y_k) / 4; ∂J/∂F_i = Σ_k ∂J/∂o_k "
    "x_(k+i); then F - 0.1 ∂J/∂F, with a minus.",
    "o = [-1.5, 2, -0.5, -3], ∂J/∂o = [-0.75, 0.5, -1.25, -1], ∂J/∂F = [1.5, -5], "
    "so the new F is [0.35, -0.5].",
)
def check_update_step(answer) -> Feedback:
    """Exercise 3: the filter after one step ``F ← F - η ∂J/∂F`` on the lesson's small problem.

    ``x = [1, 2, -1, 0, 3]``, ``F = [0.5, -1]``, targets ``y = [0, 1, 2, -1]``,
    loss ``J = (1/M) Σ (o_n - y_n)²``, ``η = 0.1``; the answer is the new ``F``. A
    wrong answer is compared with the common mistakes (the gradient added instead of
    subtracted, the learning rate forgotten, a factor of ∂J/∂o lost) and the feedback
    names the one it looks like.

    Examples
    --------
    >>> check_update_step([0.65, -1.5]).message.split(": ")[1]
    'you added the gradient instead of subtracting it'
    """
    name = "Exercise 3 (one gradient-descent step)"
    if is_unanswered(answer):
        return unanswered(name, "the new filter [F0, F1]")
    hint = "show_hint(check_update_step) gives a nudge, then the idea, then the answer."
    given = as_answer_array(answer, name, (2,), finite=True)
    if isinstance(given, Feedback):
        return Feedback(given.status, name, given.message,
                        "The new filter is two numbers, [F0, F1]: F - η ∂J/∂F.")
    _, dout = squared_error(conv1d_forward(STEP_X, STEP_F), STEP_Y)
    _, dF = conv1d_backward(STEP_X, STEP_F, dout)
    expected = STEP_F - STEP_ETA * dF
    if np.allclose(given, expected, atol=1e-6):
        return Feedback(CORRECT, name, f"∂J/∂F = [{dF[0]:g}, {dF[1]:g}], so F becomes "
                        f"[{expected[0]:g}, {expected[1]:g}] and the loss goes down.")
    shown = f"[{given[0]:g}, {given[1]:g}]"
    for mistake, words in _update_step_mistakes():
        if np.allclose(given, mistake, atol=1e-6):
            return Feedback(INCORRECT, name, f"Not {shown}: {words}.",
                            "Gradient descent subtracts: F ← F - η ∂J/∂F. " + hint)
    return Feedback(INCORRECT, name, f"{shown} is not it.", hint)
