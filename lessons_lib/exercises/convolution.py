"""Checks for lesson 01's exercises (convolution filters)."""

from __future__ import annotations

import numpy as np

from lessons_lib.convolution import correlate, output_shape
from lessons_lib.exercises import (
    CORRECT,
    INCORRECT,
    Feedback,
    as_answer_array,
    as_answer_number,
    is_unanswered,
    shown_answer,
    unanswered,
    whole_numbers,
)


def check_output_shape(answer) -> Feedback:
    """Exercise 1: output shape for 512 rows x 384 columns, an 11 x 11 filter, stride 4, edges "none"."""
    name = "Exercise 1 (output shape)"
    if is_unanswered(answer):
        return unanswered(name, "a tuple (rows, columns)")
    expected = output_shape((512, 384), (11, 11), stride=4)
    given = whole_numbers(answer)
    if given is None or len(given) != 2:
        return Feedback(INCORRECT, name, f"Expected a tuple of two integers, got {shown_answer(answer)}.")
    if given == expected:
        return Feedback(CORRECT, name,
                        "1 + (512 - 11) // 4 = 126 rows, 1 + (384 - 11) // 4 = 94 columns.")
    if given == expected[::-1]:
        return Feedback(INCORRECT, name, f"{given} has the right numbers in the wrong order.",
                        "Shapes are (rows, columns), as numpy writes them.")
    return Feedback(INCORRECT, name, f"{given} is not it.",
                    "Use H' = 1 + (H + 2p - k) // stride on each axis, with p = 0 for edges 'none'.")


def check_line_response(answer) -> Feedback:
    """Exercise 2: C[0, 0] of the vertical-line detector on the figure matrix, edges "zero"."""
    from lessons_lib.datasets import figure_matrix
    from lessons_lib.filters import line_detector

    name = "Exercise 2 (one output by hand)"
    if is_unanswered(answer):
        return unanswered(name, "a number")
    expected = correlate(figure_matrix(), line_detector("vertical"), edges="zero")[0, 0]
    value = as_answer_number(answer, name)
    if isinstance(value, Feedback):
        return value
    if np.isclose(value, expected):
        return Feedback(CORRECT, name, "The window is [[0, 0, 0], [0, 1, 0], [0, 0, 1]]: "
                        "2·1 (centre) − 1·1 (bottom right) = 1.")
    return Feedback(INCORRECT, name, f"{value:g} is not it.",
                    "Pad A with a frame of zeros; the window of C[0, 0] is then rows −1 to 1 "
                    "and columns −1 to 1 of A. Multiply it by h cell by cell and add.")


def check_vertical_detector(kernel) -> Feedback:
    """Exercise 3: a 3 x 3 filter that finds vertical lines and ignores flat regions.

    The filter must give 0 on a constant image, and respond more strongly to a
    one-pixel vertical line than to a horizontal one.
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
    flat = correlate(np.ones((7, 7)), kernel)
    if not np.allclose(flat, 0):
        return Feedback(INCORRECT, name, f"On a flat image your filter gives {flat[0, 0]:g}, not 0.",
                        "Make the weights add up to zero.")
    vertical = np.zeros((7, 7))
    vertical[:, 3] = 1
    horizontal = vertical.T
    v, hz = correlate(vertical, kernel).max(), correlate(horizontal, kernel).max()
    if v > hz and v > 0:
        return Feedback(CORRECT, name, f"Vertical line → {v:g}, horizontal line → {hz:g}.")
    return Feedback(INCORRECT, name,
                    f"A vertical line gives {v:g} but a horizontal one gives {hz:g}.",
                    "Put positive weights down the middle column and negative ones beside it.")
