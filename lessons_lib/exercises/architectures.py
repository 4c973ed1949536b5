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


def check_conv_params(answer) -> Feedback:
    """Exercise 1: parameters of a 3×3 convolution from 64 to 128 channels, with biases.

    Examples
    --------
    >>> check_conv_params(...)
    ⏳ Exercise 1: not answered yet. Replace ... with a whole number and run the cell again.
    """
    name = "Exercise 1"
    if is_unanswered(answer):
        return unanswered(name, "a whole number")
    value = _integer(answer, name, "a whole number of parameters")
    if isinstance(value, Feedback):
        return value
    expected = arch.count_params([arch.conv(128, 3)], (64, 8, 8))
    if value == expected:
        return Feedback(CORRECT, name, f"{expected:,} = 3·3·64·128 weights + 128 biases: each "
                                       "filter spans all 64 input channels.")
    hints = {
        3 * 3 * 64 * 128: "Almost: every one of the 128 filters also has a bias.",
        3 * 3 * 128 + 128: "Each filter is 3×3 on every one of the 64 input channels, not on "
                           "one channel only.",
        3 * 3 * 64 + 64: "There are 128 filters (one per output channel), each 3×3×64.",
    }
    hint = hints.get(value, "Count the weights of one filter (kernel height × width × input "
                            "channels), multiply by the number of filters, add one bias each.")
    return Feedback(INCORRECT, name, f"{value:,} is not right.", hint)


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
    >>> check_separable_savings(...)
    ⏳ Exercise 4: not answered yet. Replace ... with a number (the ratio) and run the cell again.
    """
    name = "Exercise 4"
    if is_unanswered(answer):
        return unanswered(name, "a number (the ratio)")
    answer = as_answer_number(answer, name)
    if isinstance(answer, Feedback):
        return answer
    full, separable = separable_weights()
    expected = full / separable
    if abs(answer - expected) < 0.01:
        return Feedback(CORRECT, name, f"{full:,} / {separable:,} = {expected:.2f}: the 5×5 "
                                       "step is done once per channel, the mixing by a 1×1; "
                                       "the larger the kernel, the larger the saving.")
    if abs(answer - 1 / expected) < 0.01:
        hint = "That is separable / full: the question asks how many times fewer."
    else:
        hint = ("Full: 5·5·64·128. Separable: a depthwise 5·5·64 plus a pointwise "
                "1·1·64·128.")
    return Feedback(INCORRECT, name, f"{answer} is not right.", hint)


def separable_weights() -> tuple[int, int]:
    """Weights of the full and of the separable convolution of exercise 4."""
    shape = (64, 8, 8)
    return (arch.count_params([arch.conv(128, 5, padding=2, bias=False)], shape),
            arch.count_params([arch.separable(128, 5, padding=2, bias=False)], shape))
