"""Checks for lesson 03's exercises (pooling).

Each check recognises the usual wrong answers (average instead of max, a wrong stride,
an off-by-one output size, a transposed matrix, a gradient spread over the window
instead of routed to its maximum, overlapping windows counted once) and says which
mistake the answer looks like; its hints, read with ``show_hint(check)``, climb from a
nudge to the answer.
"""

from __future__ import annotations

import numpy as np

from lessons_lib.datasets import pooling_example
from lessons_lib.exercises import (
    CORRECT,
    INCORRECT,
    Feedback,
    as_answer_array,
    hints,
    is_unanswered,
    shown_answer,
    unanswered,
    whole_numbers,
)
from lessons_lib.pooling import avg_pool, max_pool, max_pool_backward, pooled_shape

BATCH_SHAPE = (32, 16, 28, 28)
"""Exercise 1's batch: 32 images, 16 feature maps of 28 x 28."""

WINDOW, STRIDE = 3, 2
"""Exercise 1's pooling window and stride."""

HAND_MATRIX = np.array([[2, 0, 1, 3], [4, 1, 0, 2], [0, 5, 2, 2], [1, 1, 6, 0]], dtype=float)
"""Exercise 2's matrix, to max pool by hand."""

UPSTREAM_GRADIENT = np.array([[1, -2], [3, 0.5]])
"""Exercise 3's dout, the gradient arriving at ``HAND_MATRIX`` max pooled."""

OVERLAP_GRADIENT = np.array([[1.0, 2.0], [3.0, 4.0]])
"""Exercise 4's dout, for 3 x 3 windows with stride 1 on the slides' example."""


def _more(check: str) -> str:
    return f"show_hint({check}) helps, one step at a time."


def _pooled_side_mistake(side: int) -> str | None:
    """What a wrong pooled side of exercise 1 looks like, or None if nothing known."""
    H = BATCH_SHAPE[-1]
    known = {
        -(-(H - WINDOW) // STRIDE) + 1: (
            f"{-(-(H - WINDOW) // STRIDE) + 1} looks like an off-by-one output size: "
            f"1 + ({H} - {WINDOW}) / {STRIDE} rounded up (or {H} / {STRIDE}). A window "
            f"that would stick out of the input is dropped, so round down."),
        (H - WINDOW) // STRIDE: (
            f"{(H - WINDOW) // STRIDE} looks like an off-by-one output size: "
            f"({H} - {WINDOW}) // {STRIDE} counts the steps between windows; the first "
            f"window adds one more."),
        H - WINDOW + 1: (
            f"{H - WINDOW + 1} is the size at stride 1, a wrong stride: the window moves "
            f"{STRIDE} cells at a time."),
        1 + (H - WINDOW) // WINDOW: (
            f"{1 + (H - WINDOW) // WINDOW} is the size at stride {WINDOW} (the window's "
            f"size), a wrong stride: here the stride is {STRIDE}, so windows overlap."),
    }
    return known.get(side)


@hints("Exercise 1",
       "Which of the four axes does pooling shrink? For those, where can the last window "
       "start?",
       "N and C stay as they are. Per pooled axis, H' = 1 + ⌊(H − size) / stride⌋: the "
       "first window, plus one per stride that still fits inside the input.",
       "(32, 16, 13, 13): 1 + ⌊(28 − 3) / 2⌋ = 1 + 12 = 13 on both pooled axes.")
def check_pooled_shape(answer) -> Feedback:
    """Exercise 1: the shape of a (32, 16, 28, 28) batch max pooled with size 3, stride 2.

    Examples
    --------
    >>> check_pooled_shape((32, 16, 12, 12)).message[:40]
    '12 looks like an off-by-one output size:'
    """
    name = "Exercise 1 (pooled shape)"
    more = _more("check_pooled_shape")
    if is_unanswered(answer):
        return unanswered(name, "a tuple of four integers (N, C, H', W')")
    expected = pooled_shape(BATCH_SHAPE, size=WINDOW, stride=STRIDE)
    given = whole_numbers(answer)
    if given is None:
        return Feedback(INCORRECT, name, f"Expected a tuple of four whole numbers (a shape "
                                         f"counts cells), got {shown_answer(answer)}.", more)
    if given == expected:
        return Feedback(CORRECT, name, "1 + (28 - 3) // 2 = 13; pooling keeps N and C.")
    if len(given) != 4:
        return Feedback(INCORRECT, name, f"{given} has {len(given)} numbers, a batch shape "
                                         f"has 4.",
                        "Pooling works on each (H, W) plane: N and C stay as they are. "
                        + more)
    if given[:2] == expected[1::-1] and given[2:] == expected[2:]:
        return Feedback(INCORRECT, name, "N and C are swapped: the batch is (N, C, H, W) = "
                                         f"{BATCH_SHAPE}.", "Pooling keeps N and C in place.")
    if given[:2] != expected[:2]:
        return Feedback(INCORRECT, name, f"{given[:2]} should be N and C, {BATCH_SHAPE[:2]}.",
                        "Pooling works on each (H, W) plane: N and C stay as they are. "
                        + more)
    if given[2] != given[3]:
        return Feedback(INCORRECT, name, f"H' = {given[2]} and W' = {given[3]} differ, "
                                         "but both axes are 28 and pooled alike.", more)
    mistake = _pooled_side_mistake(given[2])
    if mistake is not None:
        return Feedback(INCORRECT, name, mistake, more)
    return Feedback(INCORRECT, name, f"{given} is not it: the pooled sides are wrong.",
                    "Count the window positions along one axis of 28 cells. " + more)


@hints("Exercise 2",
       "Stride 2 with 2 × 2 windows: how many windows, and do they share any cell?",
       "Cut HAND_MATRIX into four 2 × 2 blocks (rows 0-1 and 2-3, columns 0-1 and 2-3). "
       "Each block gives its largest number, in the block's place: the top-right block "
       "gives out[0, 1].",
       "[[4, 3], [5, 6]]: the blocks hold (2, 0, 4, 1), (1, 3, 0, 2), (0, 5, 1, 1) and "
       "(2, 2, 6, 0).")
def check_max_pool_by_hand(answer) -> Feedback:
    """Exercise 2: ``HAND_MATRIX`` max pooled with 2 x 2 windows and stride 2.

    Examples
    --------
    >>> check_max_pool_by_hand([[4, 5], [3, 6]]).message[:30]
    'Transposed: rows and columns a'
    """
    name = "Exercise 2 (max pool by hand)"
    more = _more("check_max_pool_by_hand")
    if is_unanswered(answer):
        return unanswered(name, "a 2 x 2 list of numbers")
    answer = as_answer_array(answer, name)
    if isinstance(answer, Feedback):
        return answer
    if answer.shape == (3, 3):
        looks = ("it is the max pooling at stride 1" if np.allclose(
            answer, max_pool(HAND_MATRIX, 2, 1)) else "that is the size at stride 1")
        return Feedback(INCORRECT, name, f"A 3 x 3 answer looks like a wrong stride: {looks}, "
                                         "with windows moving one cell at a time.",
                        "At stride 2 the window jumps 2 cells: the four windows do not "
                        "overlap. " + more)
    answer = as_answer_array(answer, name, shape=(2, 2))
    if isinstance(answer, Feedback):
        return answer
    expected = max_pool(HAND_MATRIX)
    if np.array_equal(answer, expected):
        return Feedback(CORRECT, name, "Each 2 x 2 block keeps its largest number.")
    blocks = HAND_MATRIX.reshape(2, 2, 2, 2).swapaxes(1, 2)
    known = (
        (expected.T, "Transposed: rows and columns are swapped. out[0, 1] comes from the "
                     "top-right window (rows 0-1, columns 2-3).",
         "Keep each window's result where the window is. "),
        (avg_pool(HAND_MATRIX), "That is average pooling: each window's mean, not its "
                                "maximum.", "Max pooling keeps the largest number. "),
        (blocks.min(axis=(2, 3)), "Those are the windows' smallest numbers.",
         "Max pooling keeps the largest. "),
        (blocks.sum(axis=(2, 3)), "Those are the windows' sums.",
         "Max pooling keeps one number of each window, the largest. "),
        (max_pool(pooling_example()), "That is the slides' example, [[6, 9], [3, 7]].",
         "This exercise pools HAND_MATRIX, printed above the check. "),
    )
    for wrong, message, hint in known:
        if np.allclose(answer, wrong):
            return Feedback(INCORRECT, name, message, hint + more)
    wrong = int(np.sum(answer != expected))
    return Feedback(INCORRECT, name, f"{wrong} of the 4 numbers {'is' if wrong == 1 else 'are'} "
                                     "wrong.",
                    "Check each window's largest number. " + more)


@hints("Exercise 3",
       "Start from exercise 2: which cell of each window made the output?",
       "Max pooling passes one cell of each window through, so the derivative is 1 for "
       "that cell and 0 for the others: dA is zero except at each window's maximum, which "
       "receives its window's dout unchanged.",
       "[[0, 0, 0, -2], [1, 0, 0, 0], [0, 3, 0, 0], [0, 0, 0.5, 0]]: the 4, 3, 5 and 6 of "
       "exercise 2 receive 1, -2, 3 and 0.5.")
def check_max_pool_gradient(answer) -> Feedback:
    """Exercise 3: dA for ``HAND_MATRIX`` max pooled (2 x 2, stride 2), dout = ``UPSTREAM_GRADIENT``.

    Examples
    --------
    >>> check_max_pool_gradient(np.kron(UPSTREAM_GRADIENT, np.ones((2, 2)))).message[:40]
    'The gradient is spread over each window:'
    """
    name = "Exercise 3 (gradient through max pooling)"
    more = _more("check_max_pool_gradient")
    if is_unanswered(answer):
        return unanswered(name, "a 4 x 4 list of numbers")
    answer = as_answer_array(answer, name, shape=(4, 4))
    if isinstance(answer, Feedback):
        return answer
    expected = max_pool_backward(HAND_MATRIX, UPSTREAM_GRADIENT)
    if np.allclose(answer, expected):
        return Feedback(CORRECT, name, "Only the four maxima (4, 3, 5 and 6) receive a gradient.")
    winners = expected != 0
    known = (
        (np.kron(UPSTREAM_GRADIENT, np.full((2, 2), 0.25)),
         "That is the gradient of average pooling.",
         "Max pooling passes each dout whole to the one cell that won its window. "),
        (np.kron(UPSTREAM_GRADIENT, np.ones((2, 2))),
         "The gradient is spread over each window: every cell got its window's dout.",
         "Only the cell that won the window affects the output; route dout there. "),
        (max_pool_backward(pooling_example(), UPSTREAM_GRADIENT),
         "Those are the positions of the maxima of the slides' matrix.",
         "This time the matrix is HAND_MATRIX, from exercise 2: find its maxima. "),
        (expected.T, "Transposed: rows and columns are swapped.",
         "dA[m, n] belongs to HAND_MATRIX[m, n]: row first, then column. "),
        (-expected, "The sign is flipped: dA is what the gradient is, not the step "
                    "against it.", "Each maximum gets its window's dout as it is. "),
        (winners.astype(float), "The right cells, but each got 1 instead of its window's "
                                "dout.", "By the chain rule, 1 (the local derivative) "
                                         "times dout. "),
    )
    for wrong, message, hint in known:
        if np.allclose(answer, wrong):
            return Feedback(INCORRECT, name, message, hint + more)
    if np.array_equal(answer != 0, winners):
        return Feedback(INCORRECT, name, "The right four cells, with the wrong values.",
                        "Each maximum gets the dout of its own window: top-left window, "
                        "dout[0, 0], and so on. " + more)
    if np.all(answer[winners] == expected[winners]) and np.any(answer[~winners] != 0):
        return Feedback(INCORRECT, name, "The maxima are right, but other cells got a "
                                         "gradient too.",
                        "A cell that did not win its window does not change the output: "
                        "its gradient is 0. " + more)
    return Feedback(INCORRECT, name, "Not quite.",
                    "dA is zero except at each window's maximum. " + more)


@hints("Exercise 4",
       "Run the stepper with size 3 and stride 1: which windows hold the 9?",
       "With 3 × 3 windows at stride 1 the 4 × 4 matrix has 2 × 2 windows. Every window "
       "whose maximum is the 9 sends it its dout, and the gradients add up.",
       "10: the 9 (row 1, column 2) is the maximum of all four windows, so it receives "
       "1 + 2 + 3 + 4.")
def check_overlap_gradient(answer) -> Feedback:
    """Exercise 4: the gradient reaching the 9 with 3 x 3 windows, stride 1, ``OVERLAP_GRADIENT``.

    Examples
    --------
    >>> check_overlap_gradient(2.5).message[:33]
    'That is the mean of the four dout'
    """
    name = "Exercise 4 (overlapping windows)"
    more = _more("check_overlap_gradient")
    if is_unanswered(answer):
        return unanswered(name, "a number")
    value = as_answer_array(answer, name)
    if isinstance(value, Feedback) or value.size != 1:
        return Feedback(INCORRECT, name, f"Expected a number, got {shown_answer(answer)}.", more)
    value = float(value.item())
    A = pooling_example()
    expected = max_pool_backward(A, OVERLAP_GRADIENT, size=3, stride=1)[1, 2]
    if np.isclose(value, expected):
        return Feedback(CORRECT, name, "The 9 is the maximum of all four overlapping windows, "
                                       "and their gradients add up: 1 + 2 + 3 + 4 = 10.")
    if np.isclose(value, 1.0):
        return Feedback(INCORRECT, name, "That is the gradient of one window only: the 9 "
                                         "was counted once, though the windows overlap.",
                        "The 9 lies in several windows; each one it wins sends its dout. "
                        + more)
    if np.isclose(value, OVERLAP_GRADIENT.mean()):
        return Feedback(INCORRECT, name, "That is the mean of the four dout: the gradients "
                                         "of overlapping windows add up, they are not "
                                         "averaged.", more)
    if np.isclose(value, OVERLAP_GRADIENT.sum() / 9):
        return Feedback(INCORRECT, name, "That is average pooling: each window sends dout / 9 "
                                         "to each of its cells.",
                        "Max pooling sends a window's whole dout to its maximum. " + more)
    if np.isclose(value, 0.0):
        return Feedback(INCORRECT, name, "0 would mean the 9 wins no window, but it is the "
                                         "largest number of the matrix.",
                        "A window that holds the 9 keeps the 9. " + more)
    if np.isclose(value, 9.0):
        return Feedback(INCORRECT, name, "9 is the cell's value, not its gradient (or the "
                                         "dout of only some of its windows).", more)
    douts = OVERLAP_GRADIENT.ravel()
    partial = [subset for subset in range(1, 2**douts.size - 1)
               if np.isclose(value, sum(d for bit, d in enumerate(douts) if subset >> bit & 1))]
    if partial:
        return Feedback(INCORRECT, name, f"{value:g} is the dout of one window, or of only "
                                         "some windows added: overlapping windows were "
                                         "counted once, though the 9 wins more of them.",
                        "Find every window whose maximum is the 9 and add all their dout. "
                        + more)
    return Feedback(INCORRECT, name, f"{value:g} is not it.",
                    "List the 3 x 3 windows (stride 1) of the 4 x 4 matrix, find those whose "
                    "maximum is the 9, and add their dout. " + more)
