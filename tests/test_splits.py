"""The course split and the uncertainty helpers (Wilson against scipy, bootstrap, mean ± sd)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from lessons_lib.metrics import accuracy, f1_score
from lessons_lib.splits import COURSE_SPLIT, EventSplit, course_split, evaluation_log
from lessons_lib.uncertainty import (
    accuracy_text,
    bootstrap_interval,
    mean_sd,
    mean_sd_text,
    wilson_interval,
)

SMALL = {"train": (12, 0), "validation": (8, 2), "test": (6, 1)}


def small_split(**kwargs):
    return EventSplit(SMALL, name="small", image_size=16, **kwargs)


def test_course_split_is_one_object_with_disjoint_seeds():
    assert course_split() is course_split(64)
    assert course_split(32) is not course_split()
    assert len({seed for _, seed in COURSE_SPLIT.values()}) == 3
    assert COURSE_SPLIT["test"] == (2000, 1)


def test_parts_are_the_seeded_events():
    from lessons_lib.datasets import detector_events

    split = small_split()
    x, y = split.train
    x_ref, y_ref, _ = detector_events(12, seed=0, image_size=16)
    np.testing.assert_array_equal(x, x_ref)
    np.testing.assert_array_equal(y, y_ref)
    assert split.train[0] is x  # simulated once
    assert split.validation[0].shape == (8, 1, 16, 16)
    assert split.class_names == ("proton", "carbon", "other")


def test_evaluate_test_counts_every_pass_and_logs_it():
    split = small_split()
    before = len(evaluation_log())
    first = split.evaluate_test(lambda images: np.zeros(len(images), int))
    assert split.test_evaluations == 1
    assert first.outputs.shape == (6,) and first.labels.shape == (6,)
    from lessons_lib.datasets import detector_events

    np.testing.assert_array_equal(first.labels, detector_events(6, seed=1, image_size=16)[1])
    split.evaluate_test(lambda images: np.zeros((len(images), 3)))
    assert split.test_evaluations == 2
    assert [e.split for e in evaluation_log()[before:]] == ["small", "small"]


def test_evaluate_test_refuses_what_is_not_one_output_per_event():
    split = small_split()
    with pytest.raises(TypeError, match="predict"):
        split.evaluate_test(np.zeros(6))
    with pytest.raises(ValueError, match="one output per test event"):
        split.evaluate_test(lambda images: np.zeros(3))
    with pytest.raises(ValueError, match="one output per test event"):
        split.evaluate_test(lambda images: 0.5)
    assert split.test_evaluations == 0


@pytest.mark.parametrize("parts, error, words", [
    ({"train": (1, 0), "validation": (1, 2)}, ValueError, "keys"),
    ({**SMALL, "test": (6, 0)}, ValueError, "different seeds"),
    ({**SMALL, "test": 6}, TypeError, "number of events, seed"),
    ({**SMALL, "test": (0, 1)}, ValueError, "test"),
    ({**SMALL, "test": (6, -1)}, ValueError, "seed"),
    ([1, 2, 3], ValueError, "dict"),
])
def test_bad_parts_are_named(parts, error, words):
    with pytest.raises(error, match=words):
        EventSplit(parts)


def test_bad_simulation_settings_are_refused_at_once():
    with pytest.raises(ValueError, match="view"):
        EventSplit(SMALL, view="four classes")
    with pytest.raises(ValueError, match="image_size"):
        course_split(8)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
       st.sampled_from([0.5, 0.8, 0.9, 0.95, 0.99]))
def test_wilson_matches_scipy(k_n, confidence):
    k, n = k_n
    low, high = wilson_interval(k, n, confidence)
    reference = stats.binomtest(k, n).proportion_ci(confidence, method="wilson")
    assert low == pytest.approx(reference.low, abs=1e-9)
    assert high == pytest.approx(reference.high, abs=1e-9)
    assert 0 <= low <= k / n <= high <= 1


@pytest.mark.parametrize("args, error", [
    ((3, 2), ValueError), ((-1, 2), ValueError), ((1, 0), ValueError), ((1.5, 2), TypeError),
    ((1, 2, 1.0), ValueError), ((1, 2, 0), ValueError), ((1, 2, float("nan")), ValueError),
])
def test_wilson_refuses_bad_counts(args, error):
    with pytest.raises(error):
        wilson_interval(*args)


def test_bootstrap_matches_scipy_percentile_bootstrap():
    rng = np.random.default_rng(3)
    y_true = rng.integers(0, 2, 300)
    y_pred = np.where(rng.random(300) < 0.8, y_true, 1 - y_true)
    low, high = bootstrap_interval(y_true, y_pred, f1_score, resamples=4000, seed=1)
    reference = stats.bootstrap((y_true, y_pred), f1_score, paired=True, vectorized=False,
                                n_resamples=4000, method="percentile",
                                random_state=np.random.default_rng(2)).confidence_interval
    # Two independent resamplings of one distribution: their ends agree to a few 0.001.
    assert low == pytest.approx(reference.low, abs=0.01)
    assert high == pytest.approx(reference.high, abs=0.01)
    assert low < f1_score(y_true, y_pred) < high


def test_bootstrap_of_accuracy_agrees_with_wilson():
    y_true = np.r_[np.ones(850, int), np.zeros(150, int)]
    low, high = bootstrap_interval(y_true, np.ones(1000, int), accuracy, resamples=3000)
    w_low, w_high = wilson_interval(850, 1000)
    assert low == pytest.approx(w_low, abs=0.006)
    assert high == pytest.approx(w_high, abs=0.006)


@pytest.mark.parametrize("kwargs, error, words", [
    ({"y_true": [], "y_pred": []}, ValueError, "non-empty"),
    ({"y_true": [1, 0], "y_pred": [1]}, ValueError, "one length"),
    ({"score": None}, TypeError, "score"),
    ({"resamples": 0}, ValueError, "resamples"),
    ({"confidence": 1.5}, ValueError, "confidence"),
])
def test_bootstrap_refuses_bad_input(kwargs, error, words):
    arguments = {"y_true": [1, 0, 1], "y_pred": [1, 1, 1], "score": accuracy, **kwargs}
    with pytest.raises(error, match=words):
        bootstrap_interval(arguments.pop("y_true"), arguments.pop("y_pred"), **arguments)


@given(st.lists(st.floats(0, 1), min_size=2, max_size=20))
def test_mean_sd_matches_numpy(values):
    mean, sd = mean_sd(values)
    assert mean == pytest.approx(np.mean(values), abs=1e-9)
    assert sd == pytest.approx(np.std(values, ddof=1), abs=1e-9)


@pytest.mark.parametrize("values, error", [([0.5], ValueError), ([[0.1, 0.2]], ValueError),
                                           ([0.1, float("nan")], ValueError), ("ab", TypeError)])
def test_mean_sd_refuses_fewer_than_two_finite_runs(values, error):
    with pytest.raises(error):
        mean_sd(values)


def test_texts():
    assert accuracy_text(1924, 2000) == "96.2 % (95 % interval 95.3–97.0 %)"
    assert mean_sd_text([0.7, 0.8, 0.9]) == "0.800 ± 0.100 (3 seeds)"

