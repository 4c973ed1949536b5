"""Checks for lesson 06's exercises (attention and the vision transformer)."""

from __future__ import annotations

import numpy as np

from lessons_lib.attention import (
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

# The seeds of the lesson's W_Q, W_K and W_V (each 17 x 4, entries in {-1, 0, 1}).
LESSON_WEIGHT_SEEDS = (28, 29, 30)


def lesson_qkv():
    """The lesson's Q, K and V for the slides' X: each shape (4, 4).

    Examples
    --------
    >>> Q, K, V = lesson_qkv()
    >>> Q.astype(int)[1]
    array([ 0,  1, -1,  1])
    """
    from lessons_lib.datasets import figure_matrix

    X = prepend_position_index(patchify(figure_matrix(), 4))
    return tuple(X @ small_integer_weights(17, 4, seed=s) for s in LESSON_WEIGHT_SEEDS)


def check_attention_row(answer) -> Feedback:
    """Exercise 1: row 1 of A = softmax(Q Kᵀ / √d_k) for the lesson's Q and K, by hand."""
    name = "Exercise 1 (one row of A)"
    if is_unanswered(answer):
        return unanswered(name, "a list of 4 numbers")
    row = as_answer_array(answer, name, shape=(4,))
    if isinstance(row, Feedback):
        return row
    if not np.isfinite(row).all():
        return Feedback(INCORRECT, name, f"{row.tolist()} is not 4 finite numbers.",
                        "Each weight is e^(score / 2) divided by the sum of all four.")
    Q, K, V = lesson_qkv()
    expected = scaled_dot_product_attention(Q, K, V)[1][1]
    unscaled = scaled_dot_product_attention(Q, K, V, scale=False)[1][1]
    if np.allclose(row, expected, atol=0.01):
        return Feedback(CORRECT, name, "scores [1, -1, 2, -1] / 2 → e^0.5, e^-0.5, e^1, e^-0.5 "
                        f"→ divided by their sum: {np.round(expected, 3).tolist()}.")
    if np.allclose(row, unscaled, atol=0.01):
        return Feedback(INCORRECT, name, "That is softmax(QKᵀ) without the scaling.",
                        "Divide the scores by √d_k = √4 = 2 before the softmax.")
    if np.allclose(row, expected, atol=0.06):
        return Feedback(INCORRECT, name, f"{np.round(row, 3).tolist()} is close, but not "
                        "precise enough.", "Keep at least two decimals in each weight.")
    if not np.isclose(row.sum(), 1.0, atol=0.02):
        return Feedback(INCORRECT, name, f"Your row sums to {row.sum():.3g}, not 1.",
                        "A softmax row always sums to one: divide each e^s by the sum of all four.")
    return Feedback(INCORRECT, name, f"{np.round(row, 3).tolist()} is not it.",
                    "Row 1 of the scores is Q[1] · K[m] for m = 0..3; divide by 2, take e^ of "
                    "each, divide by their sum.")


def check_query_shape(answer) -> Feedback:
    """Exercise 2: the shape of Q for a 64 x 64 image, 8 x 8 patches, E = 32, W_Q of 32 x 32."""
    name = "Exercise 2 (the shape of Q)"
    if is_unanswered(answer):
        return unanswered(name, "a tuple (rows, columns)")
    given = whole_numbers(answer)
    if given is None:
        return Feedback(INCORRECT, name, f"Expected a tuple of whole numbers, got {shown_answer(answer)}.",
                        "A shape is written (rows, columns), for example (4, 17).")
    if len(given) != 2:
        return Feedback(INCORRECT, name, f"{given} has {len(given)} entries; Q is a matrix.",
                        "Give two numbers: (rows, columns).")
    if given == (64, 32):
        return Feedback(CORRECT, name, "(64 / 8)² = 64 patches, one row of Q each, and E = 32 "
                        "columns: Q is N × E = 64 × 32.")
    if given == (32, 64):
        return Feedback(INCORRECT, name, "Rows and columns are swapped.",
                        "One row per patch (token), one column per feature.")
    if given == (65, 32):
        return Feedback(INCORRECT, name, "There is no class token in this question.",
                        "Count only the patches: (64 / 8) × (64 / 8).")
    return Feedback(INCORRECT, name, f"{given} is not it.",
                    "N = (64 / 8) × (64 / 8) patches; Q = X W_Q keeps N rows and takes the "
                    "columns of W_Q.")


def check_score_spread(answer) -> Feedback:
    """Exercise 3: the standard deviation of q · k for d_k = 64 entries of variance 1."""
    name = "Exercise 3 (why √d_k)"
    if is_unanswered(answer):
        return unanswered(name, "a number")
    value = as_answer_number(answer, name)
    if isinstance(value, Feedback):
        return value
    if np.isclose(value, 8.0):
        return Feedback(CORRECT, name, "64 independent products of variance 1 add up to variance "
                        "64: standard deviation √64 = 8, exactly the √d_k the scores are "
                        "divided by.")
    if np.isclose(value, 64.0):
        return Feedback(INCORRECT, name, "64 is the variance.",
                        "The standard deviation is the square root of the variance.")
    if value < 0:
        return Feedback(INCORRECT, name, f"{value:g} is negative; a standard deviation never is.",
                        "Variances of independent terms add up; take the square root.")
    return Feedback(INCORRECT, name, f"{value:g} is not it.",
                    "Variances of independent terms add up; each product q_i k_i has variance 1.")
