"""Checks for lesson 06's exercises (attention and the vision transformer)."""

from __future__ import annotations

import numpy as np

from lessons_lib.attention import (
    ink_profile_weights,
    patchify,
    prepend_position_index,
    scaled_dot_product_attention,
    small_integer_weights,
)
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

# The seed of the lesson's W_V (17 x 4, entries in {-1, 0, 1}); W_Q = W_K count the ink in
# each row of a patch (lessons_lib.attention.ink_profile_weights).
LESSON_VALUE_SEED = 30
# Exercise 1's new patch: one lit pixel, in its second row; its position index is 4.
EXERCISE_PATCH = np.array([[0, 0, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]])
EXERCISE_INDEX = 4
# Exercise 1 accepts each weight within this distance of the exact value: two decimals.
ROW_TOLERANCE = 0.01


def lesson_qkv():
    """The lesson's Q, K and V for the slides' X: each shape (4, 4).

    Examples
    --------
    >>> Q, K, V = lesson_qkv()
    >>> Q.astype(int)[2]
    array([1, 4, 1, 1])
    """
    from lessons_lib.datasets import figure_matrix

    X = prepend_position_index(patchify(figure_matrix(), 4))
    W_QK = ink_profile_weights(4)
    return X @ W_QK, X @ W_QK, X @ small_integer_weights(17, 4, seed=LESSON_VALUE_SEED)


def exercise_attention_row(scale=True):
    """Exercise 1's answer: the new patch's query against the lesson's four keys.

    Examples
    --------
    >>> exercise_attention_row().round(3)
    array([0.147, 0.054, 0.399, 0.399])
    """
    x = np.concatenate([[EXERCISE_INDEX], EXERCISE_PATCH.ravel()])[None]
    _, K, V = lesson_qkv()
    q = x @ ink_profile_weights(4)
    return scaled_dot_product_attention(q, K, V, scale=scale)[1][0]


def check_attention_row(answer) -> Feedback:
    """Exercise 1: the attention row of a new patch (one lit pixel in row 1), by hand."""
    name = "Exercise 1 (one row of attention)"
    if is_unanswered(answer):
        return unanswered(name, "a list of 4 weights")
    row = as_answer_array(answer, name, shape=(4,))
    if isinstance(row, Feedback):
        return row
    if not np.isfinite(row).all():
        return Feedback(INCORRECT, name, f"{row.tolist()} is not 4 finite numbers.",
                        "Each weight is e^(score / 2) divided by the sum of all four.")
    expected = exercise_attention_row()
    unscaled = exercise_attention_row(scale=False)
    if np.allclose(row, expected, rtol=0, atol=ROW_TOLERANCE):
        return Feedback(CORRECT, name, "q = (0, 1, 0, 0), scores q · K[m] = [2, 0, 4, 4], "
                        "divided by √4 = 2: [1, 0, 2, 2] → e^1, e^0, e^2, e^2 → divided by "
                        f"their sum: {np.round(expected, 3).tolist()}. Like patches 2 and 3, "
                        "it attends most to the patches with ink in their second row.")
    if np.allclose(row, unscaled, rtol=0, atol=ROW_TOLERANCE):
        return Feedback(INCORRECT, name, "That is softmax(q Kᵀ) without the scaling.",
                        "Divide the scores by √d_k = √4 = 2 before the softmax.")
    if not np.isclose(row.sum(), 1.0, rtol=0, atol=0.02):
        return Feedback(INCORRECT, name, f"Your row sums to {row.sum():.3g}, not 1.",
                        "A softmax row always sums to one: divide each e^s by the sum of all four.")
    if np.allclose(row, expected, rtol=0, atol=0.06):
        return Feedback(INCORRECT, name, f"{np.round(row, 3).tolist()} is close, but each "
                        f"weight must be within {ROW_TOLERANCE} of the exact value.",
                        "Keep at least two decimals in each weight, and in e^1 and e^2.")
    return Feedback(INCORRECT, name, f"{np.round(row, 3).tolist()} is not it: expected 4 "
                    f"weights that sum to 1, each within {ROW_TOLERANCE} of the exact value.",
                    "The query counts the new patch's ink per row; its score with key m is "
                    "q · K[m]. Divide by 2, take e^ of each, divide by their sum.")


# Exercise 3 accepts a standard deviation within this distance of the exact value.
SPREAD_TOLERANCE = 0.05


def check_query_shape(answer) -> Feedback:
    """Exercise 2: the shape of Q for a 48 x 48 image, 4 x 4 patches, E = 24, W_Q of 24 x 12."""
    name = "Exercise 2 (the shape of Q)"
    if is_unanswered(answer):
        return unanswered(name, "a tuple (rows, columns)")
    given = whole_numbers(answer)
    if given is None:
        return Feedback(INCORRECT, name, f"Expected a tuple of whole numbers, got "
                        f"{shown_answer(answer)}.",
                        "A shape is written (rows, columns), for example (4, 17).")
    if len(given) != 2:
        return Feedback(INCORRECT, name, f"{given} has {len(given)} entries; Q is a matrix.",
                        "Give two numbers: (rows, columns).")
    if given == (144, 12):
        return Feedback(CORRECT, name, "(48 / 4)² = 144 patches, one row of Q each, and the "
                        "12 columns of W_Q: Q = X W_Q is (144 × 24)(24 × 12) = 144 × 12.")
    if given == (12, 144):
        return Feedback(INCORRECT, name, "Rows and columns are swapped.",
                        "One row per patch (token), one column per column of W_Q.")
    if given == (145, 12):
        return Feedback(INCORRECT, name, "There is no class token in this question.",
                        "Count only the patches: (48 / 4) × (48 / 4).")
    if given == (144, 24):
        return Feedback(INCORRECT, name, "That is the shape of X, not of Q.",
                        "Q = X W_Q takes its columns from W_Q, which is 24 × 12.")
    return Feedback(INCORRECT, name, f"{given} is not it: expected (rows, columns) of Q.",
                    "N = (48 / 4) × (48 / 4) patches; Q = X W_Q keeps N rows and takes the "
                    "columns of W_Q.")


def check_score_spread(answer) -> Feedback:
    """Exercise 3: the standard deviation of q · k for d_k = 100 entries of variance 1."""
    name = "Exercise 3 (why √d_k)"
    if is_unanswered(answer):
        return unanswered(name, "a number")
    value = as_answer_number(answer, name)
    if isinstance(value, Feedback):
        return value
    if abs(value - 10.0) <= SPREAD_TOLERANCE:
        return Feedback(CORRECT, name, "100 independent products of variance 1 add up to "
                        "variance 100: standard deviation √100 = 10, exactly the √d_k the "
                        "scores are divided by.")
    if abs(value - 100.0) <= SPREAD_TOLERANCE:
        return Feedback(INCORRECT, name, f"{value:g} is the variance.",
                        "The standard deviation is the square root of the variance.")
    if value < 0:
        return Feedback(INCORRECT, name, f"{value:g} is negative; a standard deviation never is.",
                        "Variances of independent terms add up; take the square root.")
    return Feedback(INCORRECT, name, f"{value:g} is not it: expected one number, within "
                    f"{SPREAD_TOLERANCE} of the exact standard deviation.",
                    "Variances of independent terms add up; each product q_i k_i has variance 1.")
