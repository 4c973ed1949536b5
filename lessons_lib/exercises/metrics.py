"""Exercise checks for lesson 05: metrics and loss functions."""

from __future__ import annotations

import numpy as np

from lessons_lib.exercises import (
    CORRECT,
    INCORRECT,
    Feedback,
    as_answer_array,
    as_answer_number,
    is_unanswered,
    plain,
    shown_answer,
    unanswered,
)
from lessons_lib.losses import softmax
from lessons_lib.metrics import binary_counts, precision_recall_curve, threshold_counts

# Exercise 1: twelve events, the truth and a model's answers.
COUNTS_TRUE = ("proton", "other", "proton", "other", "other", "proton",
               "other", "other", "proton", "other", "other", "other")
COUNTS_PRED = ("proton", "proton", "other", "other", "other", "proton",
               "other", "proton", "proton", "other", "other", "other")

# Exercise 4: one event's logits (proton, carbon, other) and its true class. The
# lesson prints no softmax of these logits before the exercise asks for it.
GRADIENT_LOGITS = (0.4, -1.2, 1.6)
GRADIENT_LABEL = 0
# Exercise 4 accepts each number within this of the exact value: two decimals are enough.
GRADIENT_TOLERANCE = 0.005
# Exercise 2 accepts a threshold within this of a best one: two decimals are enough.
THRESHOLD_TOLERANCE = 0.005

AVERAGE_CHOICES = ("macro", "micro", "weighted")


def check_counts(answer) -> Feedback:
    """Exercise 1: (TP, FN, FP, TN) of :data:`COUNTS_PRED` against :data:`COUNTS_TRUE`,
    "proton" positive.

    Examples
    --------
    >>> check_counts(...)
    ⏳ Exercise 1: not answered yet. Replace ... with (TP, FN, FP, TN) and run the cell again.
    """
    name = "Exercise 1"
    if is_unanswered(answer):
        return unanswered(name, "(TP, FN, FP, TN)")
    values = as_answer_array(answer, name, shape=(4,))
    if isinstance(values, Feedback):
        return values
    expected = np.array(binary_counts(COUNTS_TRUE, COUNTS_PRED, pos_label="proton"))
    said = (f"({', '.join(f'{v:g}' for v in values)}) is not right: expected the four "
            "counts (TP, FN, FP, TN), whole numbers of events, exactly.")
    if not np.all(np.isfinite(values) & (values >= 0) & (values == np.round(values))):
        return Feedback(INCORRECT, name, said,
                        "Each cell counts events: four whole numbers, 0 or more.")
    if np.array_equal(values, expected):
        return Feedback(CORRECT, name, f"TP={expected[0]}, FN={expected[1]}, FP={expected[2]}, "
                                       f"TN={expected[3]}: the four add up to 12 events.")
    if values.sum() != len(COUNTS_TRUE):
        hint = "Every event lands in exactly one cell: the four numbers must add up to 12."
    elif np.array_equal(values, expected[[0, 2, 1, 3]]):
        hint = ("FN and FP are swapped. A false negative is a true proton the model missed "
                "(row TRUE proton, column PREDICTED other).")
    else:
        hint = ("Go through the pairs one by one: true proton and predicted proton is a TP, "
                "true proton and predicted other is a FN, and so on.")
    return Feedback(INCORRECT, name, said, hint)


def best_threshold(y_true, scores, *, min_recall=0.95, pos_label=1):
    """The threshold with the best precision among those reaching ``min_recall``.

    Parameters
    ----------
    y_true : array_like, shape (N,)
    scores : array_like of float, shape (N,)
    min_recall : float, default 0.95
    pos_label : int, bool or str, default 1

    Returns
    -------
    threshold : float
        The largest such threshold (a distinct score).
    precision, recall : float
        What it achieves.
    """
    p, r, t = precision_recall_curve(y_true, scores, pos_label)
    ok = r >= min_recall
    best = np.flatnonzero(ok & (p == p[ok].max()))[0]
    return float(t[best]), float(p[best]), float(r[best])


def _counts_near(y_true, scores, threshold, tolerance, pos_label):
    """TP, FP, number of positives at ``threshold`` and at every threshold that predicts
    differently within ``tolerance`` of it (those at the scores in the window).

    Returns arrays ``thresholds, tp, fp`` (the answer itself first) and ``n_pos``.
    """
    levels, tp, fp, n_pos, _ = threshold_counts(y_true, scores, pos_label)
    # levels decrease; a threshold t predicts positive the events of levels >= t.
    near = levels[(levels >= threshold - tolerance) & (levels <= threshold + tolerance)]
    candidates = np.r_[threshold, threshold + tolerance, near]
    above = np.searchsorted(-levels, -candidates, side="right")  # levels >= candidate
    tp_at = np.where(above > 0, tp[np.maximum(above - 1, 0)], 0)
    fp_at = np.where(above > 0, fp[np.maximum(above - 1, 0)], 0)
    return candidates, tp_at, fp_at, n_pos


def check_threshold(answer, y_true, scores, *, min_recall=0.95, pos_label=1,
                    tolerance=5e-4, threshold_tolerance=THRESHOLD_TOLERANCE) -> Feedback:
    """Exercise 2: a threshold with recall >= ``min_recall`` and the best precision possible.

    A threshold is best when its recall reaches ``min_recall`` and its precision is
    within ``tolerance`` of the best such precision: thresholds whose precision differs
    by less (one true positive more or less among a thousand) are equally good. An
    answer within ``threshold_tolerance`` of a best threshold is accepted, so a best
    threshold given to two decimals passes.

    Parameters
    ----------
    answer : float
        The student's threshold; ``score >= threshold`` is predicted positive.
    y_true : array_like, shape (N,)
    scores : array_like of float, shape (N,)
    min_recall : float, default 0.95
    pos_label : int, bool or str, default 1
    tolerance : float, default 5e-4
        On precision.
    threshold_tolerance : float, default :data:`THRESHOLD_TOLERANCE`
        On the threshold.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> check_threshold(None, [0, 1], [0.2, 0.8]).status
    'unanswered'
    >>> check_threshold(0.5, [0, 1], [0.2, 0.8]).correct
    True
    >>> check_threshold(0.804, [0, 1], [0.2, 0.8]).correct  # within 0.005 of 0.8
    True
    """
    name = "Exercise 2"
    expected = (f"Expected a threshold on the score whose recall is at least {min_recall:g} "
                f"and whose precision is within {tolerance:g} of the best such precision "
                f"(within {threshold_tolerance:g} of such a threshold is accepted).")
    if is_unanswered(answer):
        return unanswered(name, "a threshold between 0 and 1 (two decimals are enough)")
    threshold = as_answer_number(answer, name)
    if isinstance(threshold, Feedback):
        return threshold
    if not np.isfinite(threshold):
        return Feedback(INCORRECT, name, "Expected a finite number between 0 and 1, got "
                                         f"{shown_answer(answer)}.")
    best, best_precision, _ = best_threshold(y_true, scores, min_recall=min_recall,
                                             pos_label=pos_label)
    candidates, tp, fp, n_pos = _counts_near(y_true, np.asarray(scores, dtype=float),
                                             threshold, threshold_tolerance, pos_label)
    recall = tp / n_pos
    precision = np.divide(tp, tp + fp, out=np.zeros(len(tp)), where=tp + fp > 0)
    good = (recall >= min_recall) & (precision >= best_precision - tolerance)
    said = f"At {threshold:g}: recall {recall[0]:.4f}, precision {precision[0]:.4f}."
    best_said = (f"The best precision at this recall is {best_precision:.4f} "
                 f"(threshold {best:.4f}).")
    if good[0]:
        return Feedback(CORRECT, name, f"{said} {best_said}")
    if good.any():
        i = np.flatnonzero(good)[0]
        return Feedback(CORRECT, name, f"{said} Within {threshold_tolerance:g} of "
                                       f"{candidates[i]:.4f}, which reaches recall "
                                       f"{recall[i]:.4f} and precision {precision[i]:.4f}. "
                                       f"{best_said}")
    if recall[0] < min_recall:
        return Feedback(INCORRECT, name, f"{said} {expected}",
                        f"Recall must reach {min_recall:g}: lower the threshold, so that "
                        "more events are called positive.")
    direction = ("raise the threshold as far as recall allows" if threshold < best else
                 "try slightly lower thresholds: precision does not always grow with "
                 "the threshold")
    return Feedback(INCORRECT, name, f"{said} {expected}",
                    f"Recall is high enough, but another threshold gives a better "
                    f"precision: {direction}.")


def check_average(answer) -> Feedback:
    """Exercise 3: which average gives a rare class the same weight as a common one?

    Examples
    --------
    >>> check_average("macro").correct
    True
    """
    name = "Exercise 3"
    if is_unanswered(answer):
        return unanswered(name, 'one of "macro", "micro", "weighted"')
    answer = plain(answer)
    if not isinstance(answer, str) or answer not in AVERAGE_CHOICES:
        return Feedback(INCORRECT, name, f"Choose one of {AVERAGE_CHOICES}, got {shown_answer(answer)}.")
    if answer == "macro":
        return Feedback(CORRECT, name, "The macro average is the plain mean over classes: "
                                       "a class of 10 events weighs as much as one of 10 000.")
    hints = {
        "micro": "Micro pools every event before dividing: common classes dominate "
                 "(with all classes counted it equals the accuracy).",
        "weighted": "Weighted multiplies each class by its support: a rare class barely counts.",
    }
    return Feedback(INCORRECT, name, f'"{answer}" is not it.', hints[answer])


def check_softmax_gradient(answer) -> Feedback:
    """Exercise 4: dL/dz for the logits :data:`GRADIENT_LOGITS` and true class
    :data:`GRADIENT_LABEL` (one event, so N = 1).

    Each of the three numbers is accepted within :data:`GRADIENT_TOLERANCE` of the
    exact value: two decimals are enough.

    Examples
    --------
    >>> check_softmax_gradient(None).status
    'unanswered'
    >>> check_softmax_gradient([-0.78, 0.04, 0.73]).correct  # two decimals
    True
    >>> "each within 0.005" in check_softmax_gradient([0.0, 0.0, 0.0]).message
    True
    """
    name = "Exercise 4"
    if is_unanswered(answer):
        return unanswered(name, "the three numbers dL/dz")
    values = as_answer_array(answer, name, shape=(3,))
    if isinstance(values, Feedback):
        return values
    y_hat = softmax(np.array(GRADIENT_LOGITS))
    y = np.eye(3)[GRADIENT_LABEL]
    expected = y_hat - y

    def near(target):
        # The rounding of a decimal answer may land a hair beyond the tolerance.
        return bool(np.all(np.abs(values - target) <= GRADIENT_TOLERANCE + 1e-9))

    if near(expected):
        return Feedback(CORRECT, name, f"dL/dz = ŷ − y = {np.round(expected, 3).tolist()}; "
                                       "it sums to 0.")
    if near(-expected):
        hint = "The sign is flipped: the gradient is ŷ − y, not y − ŷ."
    elif near(y_hat):
        hint = "That is ŷ = softmax(z). Now subtract the one-hot vector y of the true class."
    elif any(near(y_hat - np.eye(3)[k]) for k in range(3)):
        hint = (f"The 1 is subtracted at the wrong class: the true class is "
                f"GRADIENT_LABEL = {GRADIENT_LABEL}, counted from 0.")
    else:
        hint = "Compute ŷ = softmax(z) first, then subtract 1 at the true class."
    return Feedback(INCORRECT, name,
                    f"{np.round(values, 3).tolist()} is not right: expected the three "
                    f"numbers dL/dz (proton, carbon, other), each within "
                    f"{GRADIENT_TOLERANCE:g} of the exact value.", hint)
