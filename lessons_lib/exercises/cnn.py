"""Checks for lesson 04's exercises (training a CNN)."""

from __future__ import annotations

import numpy as np

from lessons_lib.exercises import (
    CORRECT,
    INCORRECT,
    Feedback,
    is_unanswered,
    shown_answer,
    unanswered,
    whole_numbers,
)
from lessons_lib.nn.layers import Conv2D, Dense
from lessons_lib.shapes import output_size


def check_conv_shape(answer) -> Feedback:
    """Exercise 1: the output shape of ``Conv2D(3, 16, 7, stride=2, padding=3)`` on 96 x 96."""
    name = "Exercise 1 (output shape of a layer)"
    if is_unanswered(answer):
        return unanswered(name, "a tuple (channels, height, width)")
    expected = Conv2D(3, 16, 7, stride=2, padding=3).output_shape((3, 96, 96))
    given = whole_numbers(answer)
    if given is None:
        return Feedback(INCORRECT, name, f"Expected a tuple of three whole numbers, got "
                                         f"{shown_answer(answer)}.", "Sizes count channels and pixels.")
    if given == expected:
        side = output_size(96, 7, 2, 3)
        return Feedback(CORRECT, name, f"16 filters give 16 channels; 1 + (96 + 6 - 7) // 2 "
                                       f"= {side} on each side.")
    if len(given) != 3:
        hint = "Give three numbers: (channels, height, width)."
    elif given[0] != 16:
        hint = "There is one output channel per filter, whatever the number of input channels."
    else:
        hint = "Use H' = 1 + (H + 2·padding - k) // stride on each side."
    return Feedback(INCORRECT, name, f"{given} is not it.", hint)


def check_parameter_counts(answer) -> Feedback:
    """Exercise 2: parameters of Conv2D(16, 32, 3, padding=1) on a 16 x 16 x 16 input, and
    of a Dense layer producing the same 32 x 16 x 16 output from the same input."""
    name = "Exercise 2 (what convolution buys)"
    if is_unanswered(answer):
        return unanswered(name, "a tuple (conv_parameters, dense_parameters)")
    conv = Conv2D(16, 32, 3, padding=1).num_params
    dense = 16 * 16 * 16 * 32 * 16 * 16 + 32 * 16 * 16
    given = whole_numbers(answer)
    if given is None:
        return Feedback(INCORRECT, name, f"Expected a tuple of two whole numbers, got "
                                         f"{shown_answer(answer)}.", "Parameters are counted one by one.")
    if given == (conv, dense):
        return Feedback(CORRECT, name, f"{conv:,} against {dense:,}: the convolution shares "
                                       f"one small filter across all positions, "
                                       f"{dense // conv:,} times fewer parameters.")
    if len(given) != 2:
        return Feedback(INCORRECT, name, f"{given} is not it.",
                        "Give two numbers: (conv_parameters, dense_parameters).")
    hints = []
    if given[0] != conv:
        hints.append("A filter has in_channels x kh x kw weights, plus one bias per filter.")
    if given[1] != dense:
        hints.append("A Dense layer has one weight per (input, output) pair, plus one bias "
                     "per output; here 4096 inputs and 8192 outputs.")
    return Feedback(INCORRECT, name, f"{given} is not it.", " ".join(hints))


def check_dense_backward(dense_backward) -> Feedback:
    """Exercise 3: a function ``dense_backward(x, w, dout) -> (dx, dw, db)`` for y = x wᵀ + b.

    It is compared with :class:`lessons_lib.nn.Dense` on random data.
    """
    name = "Exercise 3 (backward of a dense layer)"
    if is_unanswered(dense_backward):
        return unanswered(name, "a function dense_backward(x, w, dout) returning (dx, dw, db)")
    if not callable(dense_backward):
        return Feedback(INCORRECT, name, f"Expected a function, got {shown_answer(dense_backward)}.")
    rng = np.random.default_rng(4)
    x, dout = rng.normal(size=(5, 4)), rng.normal(size=(5, 3))
    layer = Dense(4, 3, rng=1).astype(np.float64)
    layer.forward(x)
    expected = {"dx": layer.backward(dout), "dw": layer.grads["W"], "db": layer.grads["b"]}
    returns = "It must return three arrays: dx (N, in), dw (out, in), db (out,)."
    try:
        result = dense_backward(x.copy(), layer.params["W"].copy(), dout.copy())
    except Exception as error:  # a student's function may fail in any way
        return Feedback(INCORRECT, name, f"Calling it failed: {type(error).__name__}: {error}.",
                        returns)
    if is_unanswered(result):
        return unanswered(name, "the body of dense_backward (it returns nothing yet)")
    try:
        dx, dw, db = (np.asarray(v, dtype=float) for v in result)
    except Exception as error:  # any returned object, however odd, gets a verdict
        return Feedback(INCORRECT, name, f"It returned {type(result).__name__} {shown_answer(result)}, "
                                         f"which is not three arrays of numbers ({error}).",
                        returns)
    for label, value in (("dx", dx), ("dw", dw), ("db", db)):
        if value.shape != expected[label].shape:
            return Feedback(INCORRECT, name, f"{label} has shape {value.shape}, expected "
                                             f"{expected[label].shape}.",
                            "dx is like x, dw like w, db like b.")
        if not np.allclose(value, expected[label]):
            hints = {"dx": "dx = dout @ w.", "dw": "dw = doutᵀ @ x: sum over the samples.",
                     "db": "db = the sum of dout over the samples (axis 0)."}
            return Feedback(INCORRECT, name, f"{label} is wrong.", hints[label])
    return Feedback(CORRECT, name, "dx = dout w, dw = doutᵀ x, db = Σ dout: the chain rule "
                                   "for y = x wᵀ + b.")
