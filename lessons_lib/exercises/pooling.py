"""Checks for lesson 03's exercises (pooling)."""

from __future__ import annotations

import numpy as np

from lessons_lib.datasets import pooling_example
from lessons_lib.exercises import (
    CORRECT,
    INCORRECT,
    Feedback,
    as_answer_array,
    is_unanswered,
    shown_answer,
    unanswered,
    whole_numbers,
)
from lessons_lib.pooling import max_pool, max_pool_backward, pooled_shape

BATCH_SHAPE = (32, 16, 28, 28)
"""Exercise 1's batch: 32 images, 16 feature maps of 28 x 28."""

HAND_MATRIX = np.array([[2, 0, 1, 3], [4, 1, 0, 2], [0, 5, 2, 2], [1, 1, 6, 0]], dtype=float)
"""Exercise 2's matrix, to max pool by hand."""

UPSTREAM_GRADIENT = np.array([[1, -2], [3, 0.5]])
"""Exercise 3's dout, the gradient arriving at ``HAND_MATRIX`` max pooled."""


def check_pooled_shape(answer) -> Feedback:
    """Exercise 1: the shape of a (32, 16, 28, 28) batch max pooled with size 3, stride 2."""
    name = "Exercise 1 (pooled shape)"
    if is_unanswered(answer):
        return unanswered(name, "a tuple of four integers (N, C, H', W')")
    expected = pooled_shape(BATCH_SHAPE, size=3, stride=2)
    given = whole_numbers(answer)
    if given is None:
        return Feedback(INCORRECT, name, f"Expected a tuple of four whole numbers (a shape "
                                         f"counts cells), got {shown_answer(answer)}.",
                        "H' = 1 + (H - size) // stride; the window must fit, so round down.")
    if given == expected:
        return Feedback(CORRECT, name, "1 + (28 - 3) // 2 = 13; pooling keeps N and C.")
    if len(given) != 4:
        return Feedback(INCORRECT, name, f"{given} has {len(given)} numbers, a batch shape has 4.",
                        "Pooling works on each (H, W) plane: N and C stay as they are.")
    return Feedback(INCORRECT, name, f"{given} is not it.",
                    "H' = 1 + (H - size) // stride; the window must fit, so round down.")


def check_max_pool_by_hand(answer) -> Feedback:
    """Exercise 2: ``HAND_MATRIX`` max pooled with 2 x 2 windows and stride 2."""
    name = "Exercise 2 (max pool by hand)"
    if is_unanswered(answer):
        return unanswered(name, "a 2 x 2 list of numbers")
    answer = as_answer_array(answer, name, shape=(2, 2))
    if isinstance(answer, Feedback):
        return answer
    expected = max_pool(HAND_MATRIX)
    if np.array_equal(answer, expected):
        return Feedback(CORRECT, name, "Each 2 x 2 block keeps its largest number.")
    wrong = int(np.sum(answer != expected))
    return Feedback(INCORRECT, name, f"{wrong} of the 4 numbers differ.",
                    "The windows are the four 2 x 2 blocks: rows 0-1 and 2-3, columns 0-1 and "
                    "2-3; they do not overlap at stride 2.")


def check_max_pool_gradient(answer) -> Feedback:
    """Exercise 3: dA for ``HAND_MATRIX`` max pooled (2 x 2, stride 2), dout = ``UPSTREAM_GRADIENT``."""
    name = "Exercise 3 (gradient through max pooling)"
    if is_unanswered(answer):
        return unanswered(name, "a 4 x 4 list of numbers")
    answer = as_answer_array(answer, name, shape=(4, 4))
    if isinstance(answer, Feedback):
        return answer
    expected = max_pool_backward(HAND_MATRIX, UPSTREAM_GRADIENT)
    if np.allclose(answer, expected):
        return Feedback(CORRECT, name, "Only the four maxima (4, 3, 5 and 6) receive a gradient.")
    if np.allclose(answer, np.kron(UPSTREAM_GRADIENT, np.full((2, 2), 0.25))):
        return Feedback(INCORRECT, name, "That is the gradient of average pooling.",
                        "Max pooling passes each dout whole to the one cell that won its window.")
    if np.allclose(answer, max_pool_backward(pooling_example(), UPSTREAM_GRADIENT)):
        return Feedback(INCORRECT, name, "Those are the positions of the maxima of the slides' "
                                         "matrix.",
                        "This time the matrix is HAND_MATRIX, from exercise 2: find its maxima.")
    return Feedback(INCORRECT, name, "Not quite.",
                    "dA is zero except at each window's maximum, which receives that window's "
                    "dout unchanged.")


OVERLAP_GRADIENT = np.array([[1.0, 2.0], [3.0, 4.0]])
"""Exercise 4's dout, for 3 x 3 windows with stride 1 on the slides' example."""


def check_overlap_gradient(answer) -> Feedback:
    """Exercise 4: the gradient reaching the 9 with 3 x 3 windows, stride 1, ``OVERLAP_GRADIENT``."""
    name = "Exercise 4 (overlapping windows)"
    if is_unanswered(answer):
        return unanswered(name, "a number")
    value = as_answer_array(answer, name)
    if isinstance(value, Feedback) or value.size != 1:
        return Feedback(INCORRECT, name, f"Expected a number, got {shown_answer(answer)}.")
    value = float(value.item())
    A = pooling_example()
    expected = max_pool_backward(A, OVERLAP_GRADIENT, size=3, stride=1)[1, 2]
    if np.isclose(value, expected):
        return Feedback(CORRECT, name, "The 9 is the maximum of all four overlapping windows, "
                                       "and their gradients add up: 1 + 2 + 3 + 4 = 10.")
    if np.isclose(value, 1.0):
        return Feedback(INCORRECT, name, "That is the gradient of one window only.",
                        "The windows overlap: the 9 lies in several of them.")
    return Feedback(INCORRECT, name, f"{value:g} is not it.",
                    "List the 3 x 3 windows (stride 1) of the 4 x 4 matrix, find those whose "
                    "maximum is the 9, and add their dout.")
