"""Reference answers of lesson 07's exercises, run through their checks."""

import pytest

from lessons_lib.exercises import CORRECT, INCORRECT, UNANSWERED
from lessons_lib.exercises import architectures as ex

# The reference answers, worked out by hand.
CONV_PARAMS = 5 * 5 * 32 * 96 + 96  # 76,896
OUTPUT_SHAPE = (16, 7, 7)  # 64 → 64 → 32 → (32 - 3) // 2 + 1 = 15 → 7
LARGER_FIELD = "B"  # A: 1 + 3·2 = 7; B: 5, then 6 (jump 2), then 6 + 2·2 = 10
SEPARABLE_RATIO = (25 * 64 * 128) / (25 * 64 + 64 * 128)  # 20.92


@pytest.mark.parametrize("check, answer", [
    (ex.check_conv_params, CONV_PARAMS),
    (ex.check_output_shape, OUTPUT_SHAPE),
    (ex.check_output_shape, [16, 7, 7]),
    (ex.check_receptive_field, LARGER_FIELD),
    (ex.check_receptive_field, " b "),
    (ex.check_separable_savings, SEPARABLE_RATIO),
    (ex.check_separable_savings, 20.92),
    (ex.check_separable_savings, 20.91),  # cut instead of rounded: within ±0.01
])
def test_reference_answers_are_correct(check, answer):
    feedback = check(answer)
    assert feedback.status == CORRECT, feedback
    assert "correct" in repr(feedback)


@pytest.mark.parametrize("check, answer, hint", [
    (ex.check_conv_params, 5 * 5 * 32 * 96, "bias"),
    (ex.check_conv_params, 5 * 5 * 96 + 96, "32 input channels"),
    (ex.check_conv_params, 5 * 5 * 32 + 32, "96 filters"),
    (ex.check_conv_params, 12, "Count the weights"),
    (ex.check_conv_params, "many", None),
    (ex.check_output_shape, (16, 8, 8), "no padding"),
    (ex.check_output_shape, (16, 15, 15), "last pooling"),
    (ex.check_output_shape, (8, 7, 7), "channels"),
    (ex.check_output_shape, (16, 7), "three numbers"),
    (ex.check_output_shape, "16x7x7", None),
    (ex.check_receptive_field, "A", "jump"),
    (ex.check_receptive_field, "C", None),
    (ex.check_separable_savings, 1 / SEPARABLE_RATIO, "how many times fewer"),
    (ex.check_separable_savings, 25.0, "depthwise"),
    (ex.check_separable_savings, 8.69, "depthwise"),  # the lesson's 3×3, 128 → 256 example
    (ex.check_separable_savings, float("nan"), "depthwise"),
    (ex.check_conv_params, float("nan"), None),
    (ex.check_conv_params, float("inf"), None),
    (ex.check_conv_params, 76_896.5, None),
    (ex.check_conv_params, 76_897, "Count the weights"),
    (ex.check_output_shape, (16.5, 7, 7), None),
    (ex.check_output_shape, (float("inf"), 7, 7), None),
    (ex.check_output_shape, (float("nan"), 7, 7), None),
    (ex.check_output_shape, "167", None),
    (ex.check_output_shape, 16, None),
    (ex.check_receptive_field, 1, None),
])
def test_wrong_answers_are_incorrect_with_a_hint(check, answer, hint):
    feedback = check(answer)
    assert feedback.status == INCORRECT
    if hint is not None:
        assert hint in feedback.hint


@pytest.mark.parametrize("check", [ex.check_conv_params, ex.check_output_shape,
                                   ex.check_receptive_field, ex.check_separable_savings])
@pytest.mark.parametrize("answer", [None, ...])
def test_unanswered(check, answer):
    assert check(answer).status == UNANSWERED


def test_the_networks_of_exercise_3_have_the_fields_worked_out_by_hand():
    assert ex.receptive_field_sizes() == (7, 10)
    assert ex.separable_weights() == (204_800, 9_792)


def test_incorrect_answers_say_what_kind_of_answer_the_check_expects():
    assert "exact whole number" in ex.check_conv_params(12).message
    assert "within ±0.01" in ex.check_separable_savings(25.0).message
    assert "within ±0.01" in ex.check_separable_savings(...).message


def test_exercise_1_answer_is_no_count_the_lesson_prints_before_it():
    import re
    from pathlib import Path

    import nbformat

    notebook = Path(__file__).resolve().parent.parent / "notebooks" / "07_architectures.ipynb"
    cells = nbformat.read(notebook, as_version=4).cells
    before = cells[:next(i for i, c in enumerate(cells) if "check_conv_params" in c.source)]
    shown = " ".join(c.source + " ".join(o.get("text", "") + str(o.get("data", {}))
                                         for o in c.get("outputs", []))
                     for c in before)
    assert not re.search(r"76[, ]?896", shown)
