"""Reference answers of lesson 05's exercises, run through their checks."""

from pathlib import Path

import numpy as np
import pytest

from lessons_lib.exercises import CORRECT, INCORRECT, UNANSWERED
from lessons_lib.exercises.metrics import (
    COUNTS_PRED,
    COUNTS_TRUE,
    GRADIENT_LABEL,
    GRADIENT_LOGITS,
    GRADIENT_TOLERANCE,
    best_threshold,
    check_average,
    check_counts,
    check_softmax_gradient,
    check_threshold,
)

ROOT = Path(__file__).resolve().parent.parent

# Exercise 1, counted by hand from the twelve pairs.
REFERENCE_COUNTS = (3, 1, 2, 6)


def threshold_data():
    rng = np.random.default_rng(5)
    y = (rng.random(300) < 0.25).astype(int)
    scores = np.clip(np.where(y == 1, rng.normal(0.7, 0.15, 300), rng.normal(0.3, 0.15, 300)),
                     0, 1)
    return y, scores


@pytest.mark.parametrize("check", [check_counts, check_average, check_softmax_gradient])
@pytest.mark.parametrize("answer", [None, ...])
def test_unanswered_exercises_say_so(check, answer):
    feedback = check(answer)
    assert feedback.status == UNANSWERED
    assert "not answered yet" in repr(feedback)


def test_unanswered_threshold_says_so():
    assert check_threshold(..., *threshold_data()).status == UNANSWERED


def test_exercise_1_reference_answer():
    assert len(COUNTS_TRUE) == len(COUNTS_PRED) == sum(REFERENCE_COUNTS)
    assert check_counts(REFERENCE_COUNTS).status == CORRECT


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        ((3, 1, 2, 5), "add up to 12"),
        ((6, 2, 1, 3), "one by one"),
        ((3, 2, 1, 6), "swapped"),
        ("two", "Expected an array"),
        ((1, 2, 3), "shape (4,)"),
        ((3, 1, 2, float("nan")), "whole numbers"),
        ((3, 1, 2, float("inf")), "whole numbers"),
        ((3.5, 1, 1.5, 6), "whole numbers"),
        ((4, -1, 3, 6), "whole numbers"),
    ],
)
def test_exercise_1_wrong_answers(answer, hint):
    feedback = check_counts(answer)
    assert feedback.status == INCORRECT
    assert hint in feedback.message + feedback.hint


def test_exercise_1_repeats_a_fractional_answer_as_given():
    assert "(3.5, 1, 1.5, 6) is not right" in check_counts((3.5, 1, 1.5, 6)).message


def test_exercise_1_says_what_it_expected_when_wrong():
    message = check_counts((3, 2, 1, 6)).message
    assert "expected the four counts (TP, FN, FP, TN), whole numbers of events" in message


def test_exercise_2_reference_answer_and_equivalent_thresholds():
    y, scores = threshold_data()
    t, p, r = best_threshold(y, scores)
    assert r >= 0.95
    assert check_threshold(t, y, scores).status == CORRECT
    # Anything between the chosen score and the next lower one makes the same predictions.
    next_lower = np.max(scores[scores < t])
    assert check_threshold((t + next_lower) / 2, y, scores).status == CORRECT


def test_exercise_2_wrong_answers():
    y, scores = threshold_data()
    t, _, _ = best_threshold(y, scores)
    too_high = check_threshold(min(1.0, t + 0.1), y, scores)
    assert too_high.status == INCORRECT and "lower the threshold" in too_high.hint
    too_low = check_threshold(0.0, y, scores)
    assert too_low.status == INCORRECT and "raise the threshold" in too_low.hint
    assert check_threshold("high", y, scores).status == INCORRECT
    for odd in (float("nan"), float("inf"), [0.5, 0.6]):
        feedback = check_threshold(odd, y, scores)
        assert feedback.status == INCORRECT and "number" in feedback.message


def test_exercise_2_precision_that_drops_above_the_best_threshold():
    # Sorted by score: positive, negative, positive, positive, negative, negative.
    y, scores = [1, 0, 1, 1, 0, 0], [0.9, 0.8, 0.7, 0.6, 0.5, 0.4]
    assert best_threshold(y, scores, min_recall=0.6)[:2] == (0.6, 0.75)
    above = check_threshold(0.7, y, scores, min_recall=0.6)  # recall 2/3, precision 2/3
    assert above.status == INCORRECT and "slightly lower" in above.hint
    below = check_threshold(0.45, y, scores, min_recall=0.6)  # recall 1, precision 3/5
    assert below.status == INCORRECT and "raise the threshold" in below.hint


def test_exercise_2_accepts_precision_within_the_tolerance():
    # 3000 positives, then one negative, then one more positive: the lowest threshold
    # costs 1/3002 ≈ 3.3e-4 of precision, less than the tolerance of 5e-4.
    y = [1] * 3000 + [0, 1]
    scores = np.r_[np.linspace(1.0, 0.5, 3000), 0.4, 0.3]
    assert check_threshold(0.5, y, scores).status == CORRECT  # precision 1
    assert check_threshold(0.3, y, scores).status == CORRECT  # precision 3001/3002
    assert check_threshold(0.3, y, scores, tolerance=1e-4).status == INCORRECT


def test_exercise_2_accepts_a_best_threshold_given_to_two_decimals():
    # Only thresholds in (0.4135, 0.4165] reach recall 1 with precision 1; the best
    # one rounded to two decimals, 0.42, misses the third positive by itself.
    y = [1, 1, 1, 0, 0]
    scores = [0.9, 0.7, 0.4165, 0.4135, 0.1]
    assert best_threshold(y, scores, min_recall=1.0)[:2] == (0.4165, 1.0)
    rounded = check_threshold(0.42, y, scores, min_recall=1.0)
    assert rounded.status == CORRECT and "Within 0.005 of 0.4165" in rounded.message
    # No threshold within 0.005 of 0.43 finds the third positive.
    assert check_threshold(0.43, y, scores, min_recall=1.0).status == INCORRECT
    assert check_threshold(0.43, y, scores, min_recall=1.0,
                           threshold_tolerance=0.02).status == CORRECT


@pytest.mark.parametrize("answer", [0.0, 1.0, 0.95])
def test_exercise_2_says_what_it_expected_when_wrong(answer):
    y, scores = threshold_data()
    feedback = check_threshold(answer, y, scores)
    assert feedback.status == INCORRECT
    assert "recall is at least 0.95" in feedback.message
    assert "within 0.005 of such a threshold is accepted" in feedback.message
    t, _, _ = best_threshold(y, scores)
    assert f"{t:.4f}" not in feedback.message + feedback.hint  # the answer is not given away


def test_exercise_3_reference_answer_and_wrong_ones():
    assert check_average("macro").status == CORRECT
    assert "dominate" in check_average("micro").hint
    assert "support" in check_average("weighted").hint
    assert check_average("median").status == INCORRECT
    for odd in (np.array(["macro", "micro"]), ["macro"], 3, float("nan")):
        assert check_average(odd).status == INCORRECT


def exercise_4_reference():
    """ŷ − y written out with exp, independent of the library's softmax."""
    z = np.array(GRADIENT_LOGITS)
    y_hat = np.exp(z) / np.exp(z).sum()
    return y_hat - np.eye(3)[GRADIENT_LABEL]


def test_exercise_4_reference_answer():
    assert check_softmax_gradient(exercise_4_reference()).status == CORRECT
    assert check_softmax_gradient(tuple(exercise_4_reference())).status == CORRECT


@pytest.mark.parametrize("decimals", [2, 3, 4])
def test_exercise_4_accepts_the_answer_rounded(decimals):
    rounded = np.round(exercise_4_reference(), decimals)
    assert check_softmax_gradient(rounded.tolist()).status == CORRECT


def test_exercise_4_accepts_up_to_the_stated_tolerance_and_no_further():
    shifted = exercise_4_reference() + np.array([GRADIENT_TOLERANCE, 0, 0])
    assert check_softmax_gradient(shifted).status == CORRECT
    too_far = exercise_4_reference() + np.array([0, 2 * GRADIENT_TOLERANCE, 0])
    feedback = check_softmax_gradient(too_far)
    assert feedback.status == INCORRECT
    assert "each within 0.005 of the exact value" in feedback.message


def test_exercise_4_logits_are_printed_nowhere_before_the_exercise():
    # The lesson's own examples (temperature, the gradient check) use other logits, so
    # no softmax of the exercise's logits is on screen before the question.
    lesson = (ROOT / "lessons" / "05_metrics_and_losses.py").read_text()
    before = lesson[:lesson.index("**Exercise 4.**")]
    assert ", ".join(str(v) for v in GRADIENT_LOGITS) not in before
    cells = [cell for cell in before.split("# %%") if "import" not in cell]
    assert not any("GRADIENT_LOGITS" in cell for cell in cells)  # only the imports name it


def wrong_class(k):
    z = np.array(GRADIENT_LOGITS)
    return np.exp(z) / np.exp(z).sum() - np.eye(3)[k]


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (-exercise_4_reference(), "sign is flipped"),
        (exercise_4_reference() + np.eye(3)[GRADIENT_LABEL], "subtract the one-hot"),
        (wrong_class((GRADIENT_LABEL + 1) % 3), "wrong class"),
        ([0.0, 0.0, 0.0], "softmax(z) first"),
    ],
)
def test_exercise_4_wrong_answers(answer, hint):
    feedback = check_softmax_gradient(np.round(answer, 2))
    assert feedback.status == INCORRECT
    assert hint in feedback.hint
    assert "expected the three numbers dL/dz" in feedback.message
    # The message repeats the answer given, never the expected one.
    shown = np.round(exercise_4_reference(), 3).tolist()
    assert str(shown) not in feedback.message + feedback.hint
