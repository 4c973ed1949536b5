"""Checks for lesson 01's exercises (convolution filters).

Each check recognises the common wrong answers (an off-by-one output size, a wrong
stride, a forgotten padding, an inverted sign, an edge detector instead of a line
detector, a transposed filter) and says which mistake the answer looks like, pointing to
``show_hint`` rather than giving the answer.
"""

from __future__ import annotations

import numpy as np

from lessons_lib.convolution import correlate, output_shape
from lessons_lib.exercises import (
    CORRECT,
    INCORRECT,
    Feedback,
    as_answer_array,
    as_answer_number,
    hints,
    is_unanswered,
    shown_answer,
    unanswered,
    whole_numbers,
)

# Exercise 1: a 512 x 384 photograph, an 11 x 11 filter, stride 4, edges "none".
PHOTO_SHAPE, FILTER_SIZE, STRIDE = (512, 384), 11, 4


def _sizes(formula) -> tuple[int, int]:
    """``formula(H)`` for both axes of exercise 1's photograph."""
    return tuple(formula(H) for H in PHOTO_SHAPE)


def _shape_mistakes() -> dict[tuple[int, int], str]:
    """Output shapes that a known slip gives, and what the slip is."""
    K, s = FILTER_SIZE, STRIDE
    mistakes = {
        _sizes(lambda H: (H - K) // s): "is one short on each axis: it looks like the "
        "formula without its \"1 +\" (the first position, where the filter starts, "
        "counts too).",
        _sizes(lambda H: -(-(H - K) // s) + 1): "is one too many on each axis: it looks "
        "like (H − K) / s rounded up; the formula rounds down, since a last step that "
        "would overhang the border is not taken.",
        _sizes(lambda H: 1 + H // s): "looks like the size with the filter size "
        "forgotten: subtract K before dividing by the stride.",
        # Padding by ω = (K - 1) / 2 on each side, which here is also H / s.
        _sizes(lambda H: 1 + (H + K - 1 - K) // s): "is the size with padding "
        "(ω = 5 on each side, as edges \"zero\" would add); edges \"none\" adds no "
        "padding, p = 0: the filter must fit inside the photograph.",
    }
    for stride in (1, 2, 3, 5, 8, 11):
        shape = _sizes(lambda H, stride=stride: 1 + (H - K) // stride)
        mistakes.setdefault(shape, f"is the output at stride {stride}, where the "
                                   f"exercise moves the filter by {s} pixels.")
    return mistakes


@hints("Exercise 1",
       "Work on one axis at a time: first the 512 rows, then the 384 columns.",
       "Use H' = 1 + ⌊(H + 2p − K) / s⌋ on each axis, with K = 11 taps, stride s = 4 "
       "and p = 0 for edges \"none\"; ⌊ ⌋ rounds down.",
       "Rows 1 + ⌊(512 − 11) / 4⌋ = 126, columns 1 + ⌊(384 − 11) / 4⌋ = 94: "
       "check_output_shape((126, 94)).")
def check_output_shape(answer) -> Feedback:
    """Exercise 1: output shape for 512 rows x 384 columns, an 11 x 11 filter, stride 4, edges "none"."""
    name = "Exercise 1 (output shape)"
    if is_unanswered(answer):
        return unanswered(name, "a tuple (rows, columns)")
    expected = output_shape(PHOTO_SHAPE, (FILTER_SIZE, FILTER_SIZE), stride=STRIDE)
    given = whole_numbers(answer)
    if given is None or len(given) != 2:
        return Feedback(INCORRECT, name, f"Expected a tuple of two integers, got {shown_answer(answer)}.")
    if given == expected:
        return Feedback(CORRECT, name,
                        "1 + (512 - 11) // 4 = 126 rows, 1 + (384 - 11) // 4 = 94 columns.")
    more = "More help: show_hint(check_output_shape)."
    if given == expected[::-1]:
        return Feedback(INCORRECT, name, f"{given} has the right numbers in the wrong order.",
                        "Shapes are (rows, columns), as numpy writes them.")
    mistakes = _shape_mistakes()
    if given in mistakes:
        return Feedback(INCORRECT, name, f"{given} {mistakes[given]}", more)
    if given[::-1] in mistakes:
        return Feedback(INCORRECT, name, f"{given} has rows and columns swapped, and "
                        f"{given[::-1]} {mistakes[given[::-1]]}", more)
    right = [axis for axis, a, b in zip(("rows", "columns"), given, expected, strict=True)
             if a == b]
    if len(right) == 1:
        wrong = "columns" if right[0] == "rows" else "rows"
        return Feedback(INCORRECT, name, f"{given}: the {right[0]} are right, the "
                        f"{wrong} are not; the same formula works on both axes.", more)
    if all(abs(a - b) == 1 for a, b in zip(given, expected, strict=True)):
        return Feedback(INCORRECT, name, f"{given} is off by one: count the positions "
                        "of the filter again, the first one included.", more)
    return Feedback(INCORRECT, name, f"{given} is not it.",
                    "Use H' = 1 + (H + 2p - K) // stride on each axis, with p = 0 for edges "
                    f"'none'. {more}")


def _line_response_mistakes() -> dict[float, str]:
    """C[0, 0] as a known slip computes it, and what the slip is."""
    return {
        -2.0: "is C[0, 0] without padding (edges \"none\"): the window of the top-left "
        "3 × 3 block of A, centred on A[1, 1]. With edges \"zero\" the window is centred "
        "on A[0, 0].",
        -1.0: "has the sign inverted: the centre column of the vertical detector holds "
        "the positive weights (2), the sides −1.",
        2.0: "is only the product at the centre: another cell of the window holds a 1 "
        "under a weight of −1.",
        3.0: "looks like products added without their signs: the weights beside the "
        "centre column are −1.",
    }


@hints("Exercise 2",
       "With edges \"zero\", where is the centre of the window of C[0, 0]? Draw the "
       "padded matrix (the zero-padding slide shows it).",
       "The window of C[0, 0] covers rows −1 to 1 and columns −1 to 1 of A, the cells "
       "outside A being 0. Multiply it by h = line_detector(\"vertical\") cell by cell "
       "and add the nine products.",
       "The window is [[0, 0, 0], [0, 1, 0], [0, 0, 1]]: 2 · 1 (centre) − 1 · 1 "
       "(bottom right) = 1: check_line_response(1).")
def check_line_response(answer) -> Feedback:
    """Exercise 2: C[0, 0] of the vertical-line detector on the figure matrix, edges "zero"."""
    from lessons_lib.datasets import figure_matrix
    from lessons_lib.filters import line_detector

    name = "Exercise 2 (one output by hand)"
    if is_unanswered(answer):
        return unanswered(name, "a number")
    expected = correlate(figure_matrix(), line_detector("vertical"), edges="zero",
                         method="direct")[0, 0]
    value = as_answer_number(answer, name)
    if isinstance(value, Feedback):
        return value
    if np.isclose(value, expected):
        return Feedback(CORRECT, name, "The window is [[0, 0, 0], [0, 1, 0], [0, 0, 1]]: "
                        "2·1 (centre) − 1·1 (bottom right) = 1.")
    more = "More help: show_hint(check_line_response)."
    for slip, mistake in _line_response_mistakes().items():
        if np.isclose(value, slip):
            return Feedback(INCORRECT, name, f"{value:g} {mistake}", more)
    if np.isfinite(value) and not float(value).is_integer():
        return Feedback(INCORRECT, name, f"{value:g} is not a whole number, but every "
                        "weight of the detector and every cell of A is one.", more)
    return Feedback(INCORRECT, name, f"{value:g} is not it.",
                    "Pad A with a frame of zeros; the window of C[0, 0] is then rows −1 to 1 "
                    f"and columns −1 to 1 of A. Multiply it by h cell by cell and add. {more}")


def _is_vertical_line_detector(kernel) -> bool:
    """Positive centre column, negative side columns, weights adding up to zero.

    A weight may be 0 (a detector of one row is one), but none has the wrong sign and
    each column adds up to a number of the right sign.
    """
    centre, left, right = kernel[:, 1], kernel[:, 0], kernel[:, 2]
    return bool(np.isclose(kernel.sum(), 0, atol=1e-9)
                and np.all(centre >= 0) and centre.sum() > 0
                and np.all(left <= 0) and left.sum() < 0
                and np.all(right <= 0) and right.sum() < 0)


def _responses(kernel) -> tuple[float, float]:
    """Response to a one-pixel bright vertical line, and to a horizontal one, with the
    filter's centre on the line."""
    vertical = np.zeros((3, 3))
    vertical[:, 1] = 1
    return (float(correlate(vertical, kernel, method="direct")[0, 0]),
            float(correlate(vertical.T, kernel, method="direct")[0, 0]))


@hints("Exercise 3",
       "Two things to get right: what the filter gives on a flat patch, and where its "
       "positive weights lie compared with a vertical line.",
       "A line detector weighs the pixels on the line positively and those beside it "
       "negatively, with weights adding up to 0: so a flat patch gives 0 and a bright "
       "vertical line under the middle column gives a large positive response.",
       "A positive middle column and negative sides, adding up to zero: "
       "check_vertical_detector([[-1, 2, -1], [-1, 2, -1], [-1, 2, -1]]).")
def check_vertical_detector(kernel) -> Feedback:
    """Exercise 3: a 3 x 3 filter that finds vertical lines and ignores flat regions.

    A vertical *line* detector: positive weights down the centre column, negative ones
    in both side columns, adding up to zero (a constant image gives 0). Inverted,
    edge-detecting and horizontal filters are recognised and named.
    """
    name = "Exercise 3 (design a filter)"
    if is_unanswered(kernel):
        return unanswered(name, "a 3 x 3 array")
    kernel = as_answer_array(kernel, name, shape=(3, 3))
    if isinstance(kernel, Feedback):
        return kernel
    if not np.all(np.isfinite(kernel)):
        return Feedback(INCORRECT, name, "Your filter contains NaN or infinite weights.",
                        "Use ordinary numbers, for example -1 and 2.")
    more = "More help: show_hint(check_vertical_detector)."
    if np.all(kernel == 0):
        return Feedback(INCORRECT, name, "A filter of zeros gives 0 everywhere: it "
                        "detects nothing.", more)
    # 1e-300 weights are not zero, and their responses must not overflow a message.
    scale = float(np.max(np.abs(kernel)))
    unit = kernel / scale
    v, hz = (value * scale for value in _responses(unit))
    flat = float(unit.sum()) * scale
    if not np.isclose(unit.sum(), 0, atol=1e-9):
        return Feedback(INCORRECT, name, f"On a flat image your filter gives {flat:g}, "
                        "not 0: its weights do not add up to zero.", more)
    if _is_vertical_line_detector(unit):
        return Feedback(CORRECT, name, f"Vertical line → {v:g}, horizontal line → {hz:g}; "
                        "a flat region → 0.")
    if _is_vertical_line_detector(unit.T):
        return Feedback(INCORRECT, name, "This is a horizontal line detector (the "
                        "transposed filter): its positive weights run along the middle "
                        f"row, so a horizontal line under its centre gives {hz:g} and a "
                        f"vertical one {v:g}.", more)
    if _is_vertical_line_detector(-unit):
        return Feedback(INCORRECT, name, "The sign is inverted: your filter detects "
                        "dark lines on a bright background: a bright vertical line "
                        f"under its centre gives {v:g}, a negative response.", more)
    left, right = unit[:, 0].sum(), unit[:, 2].sum()
    # One side against the other ([1, 0, -1], [-1, 1, 0]): a difference across columns.
    if left * right <= 0 and not np.isclose(left, right, atol=1e-9):
        return Feedback(INCORRECT, name, "This filter finds edges, not lines: it compares "
                        "the left column with the right one, so it responds where the "
                        "brightness changes from left to right, and a one-pixel line "
                        "gives a positive response on one side and a negative one on "
                        "the other.", more)
    return Feedback(INCORRECT, name,
                    f"A vertical line gives {v:g}, a horizontal one {hz:g}, but this is "
                    "not yet a vertical line detector: it needs positive weights down "
                    "the middle column and negative ones in both side columns.", more)
