"""Exercise checks for lesson 07: architectures, shapes, receptive fields, point convolutions."""

from __future__ import annotations

import math

from lessons_lib import architectures as arch
from lessons_lib.exercises import (
    CORRECT,
    INCORRECT,
    MAX_WHOLE_NUMBER,
    Feedback,
    as_answer_number,
    is_unanswered,
    plain,
    shown_answer,
    unanswered,
    whole_numbers,
)

# Exercise 2: an event image through four layers.
STACK = (arch.conv(8, 5, padding=2), arch.maxpool(2), arch.conv(16, 3, stride=2),
         arch.maxpool(2))
STACK_INPUT = (1, 64, 64)

# Exercise 3: two small networks; which output sees more of the input?
NETWORK_A = (arch.conv(8, 3), arch.conv(8, 3), arch.conv(8, 3))
NETWORK_B = (arch.conv(8, 5), arch.maxpool(2), arch.conv(8, 3))


def _integer(answer, name, what):
    """``answer`` as an int, or an incorrect Feedback (never an exception: NaN, inf, 2.5)."""
    value = plain(answer)
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > MAX_WHOLE_NUMBER:
        return Feedback(INCORRECT, name, f"Expected {what}, got {shown_answer(answer)}.")
    return value


# Exercise 1: one convolution layer (no count the lesson prints before it equals this).
CONV_IN, CONV_OUT, CONV_KERNEL = 32, 96, 5

# Exercise 4: the ratio is accepted within this distance (the question asks for two
# decimals: rounding either way stays inside it).
RATIO_TOLERANCE = 0.01


def check_conv_params(answer) -> Feedback:
    """Exercise 1: parameters of a 5×5 convolution from 32 to 96 channels, with biases.

    The answer is a whole number and must be exact.

    Examples
    --------
    >>> check_conv_params(...)
    ⏳ Exercise 1: not answered yet. Replace ... with a whole number (exact) and run the cell again.
    >>> check_conv_params(2.5)
    ❌ Exercise 1: not yet. Expected a whole number of parameters (exact), got 2.5.
    """
    name = "Exercise 1"
    k, c_in, c_out = CONV_KERNEL, CONV_IN, CONV_OUT
    if is_unanswered(answer):
        return unanswered(name, "a whole number (exact)")
    value = _integer(answer, name, "a whole number of parameters (exact)")
    if isinstance(value, Feedback):
        return value
    expected = arch.count_params([arch.conv(c_out, k)], (c_in, 8, 8))
    if value == expected:
        return Feedback(CORRECT, name, f"{expected:,} = {k}·{k}·{c_in}·{c_out} weights + "
                                       f"{c_out} biases: each filter spans all {c_in} input "
                                       "channels.")
    hints = {
        k * k * c_in * c_out: f"Almost: every one of the {c_out} filters also has a bias.",
        k * k * c_out + c_out: f"Each filter is {k}×{k} on every one of the {c_in} input "
                               "channels, not on one channel only.",
        k * k * c_in + c_in: f"There are {c_out} filters (one per output channel), each "
                             f"{k}×{k}×{c_in}.",
    }
    hint = hints.get(value, "Count the weights of one filter (kernel height × width × input "
                            "channels), multiply by the number of filters, add one bias each.")
    return Feedback(INCORRECT, name, f"{value:,} is not right: the check expects the exact "
                                     "whole number of weights and biases.", hint)


def check_output_shape(answer) -> Feedback:
    """Exercise 2: the (C, H, W) shape after :data:`STACK` on a (1, 64, 64) event.

    Examples
    --------
    >>> check_output_shape(...)
    ⏳ Exercise 2: not answered yet. Replace ... with a tuple (C, H, W) and run the cell again.
    """
    name = "Exercise 2"
    if is_unanswered(answer):
        return unanswered(name, "a tuple (C, H, W)")
    value = whole_numbers(answer)
    if value is None:
        return Feedback(INCORRECT, name, "Expected a tuple of three whole numbers, got "
                                         f"{shown_answer(answer)}.")
    expected = arch.output_shape(list(STACK), STACK_INPUT)
    if value == expected:
        return Feedback(CORRECT, name, "64 → 64 (padding 2 keeps the size of a 5×5) → 32 → "
                                       "(32 − 3) // 2 + 1 = 15 → 7.")
    if len(value) != 3:
        return Feedback(INCORRECT, name, f"{value} is not (C, H, W).",
                        "Give three numbers: channels, height, width.")
    if value[0] != expected[0]:
        hint = "The channels are the number of filters of the last convolution."
    elif value[1:] == (8, 8):
        hint = "The second convolution has no padding: H' = (H − 3) // 2 + 1."
    elif value[1:] == (15, 15):
        hint = "Do not forget the last pooling layer."
    else:
        hint = ("Apply H' = (H + 2p − k) // s + 1 layer by layer; a 2×2 pooling with stride "
                "2 halves the size (rounding down).")
    return Feedback(INCORRECT, name, f"{value} is not right.", hint)


def check_receptive_field(answer) -> Feedback:
    """Exercise 3: "A" or "B", the network of which one output sees more input pixels.

    Examples
    --------
    >>> check_receptive_field(...)
    ⏳ Exercise 3: not answered yet. Replace ... with "A" or "B" and run the cell again.
    """
    name = "Exercise 3"
    if is_unanswered(answer):
        return unanswered(name, '"A" or "B"')
    choice = plain(answer)
    if not isinstance(choice, str) or choice.strip().upper() not in ("A", "B"):
        return Feedback(INCORRECT, name, f'Answer "A" or "B", got {shown_answer(answer)}.')
    a, b = receptive_field_sizes()
    expected = "A" if a > b else "B"
    if choice.strip().upper() == expected:
        return Feedback(CORRECT, name, f"A sees {a}×{a} pixels, B sees {b}×{b}: after the "
                                       "pooling every step of B's 3×3 moves 2 input pixels.")
    return Feedback(INCORRECT, name, "Not that one.",
                    "Follow r ← r + (k − 1)·jump and jump ← jump·s layer by layer, starting "
                    "from r = jump = 1: a pooling layer doubles the jump of every layer after it.")


def receptive_field_sizes() -> tuple[int, int]:
    """The receptive fields of :data:`NETWORK_A` and :data:`NETWORK_B` (side lengths)."""
    return (arch.receptive_field(list(NETWORK_A))[0], arch.receptive_field(list(NETWORK_B))[0])


def check_separable_savings(answer) -> Feedback:
    """Exercise 4: how many times fewer weights a 5×5 depthwise-separable convolution from
    64 to 128 channels has than a full 5×5 convolution (no biases), to 2 decimals.

    Examples
    --------
    >>> check_separable_savings(...)  # doctest: +NORMALIZE_WHITESPACE
    ⏳ Exercise 4: not answered yet. Replace ... with the ratio full / separable, a number
    above 1 (accepted within ±0.01) and run the cell again.
    """
    name = "Exercise 4"
    kind = (f"the ratio full / separable, a number above 1 (accepted within "
            f"±{RATIO_TOLERANCE})")
    if is_unanswered(answer):
        return unanswered(name, kind)
    answer = as_answer_number(answer, name)
    if isinstance(answer, Feedback):
        return answer
    full, separable = separable_weights()
    expected = full / separable
    if abs(answer - expected) <= RATIO_TOLERANCE:
        return Feedback(CORRECT, name, f"{full:,} / {separable:,} = {expected:.2f}: the 5×5 "
                                       "step is done once per channel, the mixing by a 1×1; "
                                       "the larger the kernel, the larger the saving.")
    if abs(answer - 1 / expected) <= RATIO_TOLERANCE:
        hint = "That is separable / full: the question asks how many times fewer."
    else:
        hint = ("Full: 5·5·64·128. Separable: a depthwise 5·5·64 plus a pointwise "
                "1·1·64·128.")
    return Feedback(INCORRECT, name, f"{answer} is not right: the check expects {kind}.",
                    hint)


def separable_weights() -> tuple[int, int]:
    """Weights of the full and of the separable convolution of exercise 4."""
    shape = (64, 8, 8)
    return (arch.count_params([arch.conv(128, 5, padding=2, bias=False)], shape),
            arch.count_params([arch.separable(128, 5, padding=2, bias=False)], shape))
