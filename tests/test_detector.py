"""Tests of the simulated detector events and of the stored, trained detector CNN."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lessons_lib import detector, nn
from lessons_lib.datasets import detector_events
from lessons_lib.metrics import confusion_matrix
from lessons_lib.nn.models import (
    _METRICS_SCHEMA,
    DETECTOR_WEIGHTS,
    detector_metrics,
    load_detector_cnn,
)
from lessons_lib.splits import course_split


@pytest.fixture(scope="module")
def events():
    return detector_events(1200, seed=3)


def test_events_are_images_in_unit_range_with_named_labels(events):
    images, labels, class_names = events
    assert images.shape == (1200, 1, 64, 64) and images.dtype == np.float32
    assert images.min() == 0.0 and images.max() <= 1.0
    assert labels.dtype == np.int64 and class_names == ("proton", "carbon", "other")
    # Every event has a track or hits: no blank image.
    assert np.all(images.reshape(1200, -1).max(axis=1) > 0)


def test_same_seed_same_events_other_seed_other_events():
    a_images, a_labels, _ = detector_events(300, seed=7)
    b_images, b_labels, _ = detector_events(300, seed=7)
    c_images, _, _ = detector_events(300, seed=8)
    np.testing.assert_array_equal(a_images, b_images)
    np.testing.assert_array_equal(a_labels, b_labels)
    assert not np.array_equal(a_images, c_images)


@pytest.mark.parametrize(("n", "mix", "counts"), [
    (1000, (0.5, 0.25, 0.25), [500, 250, 250]),
    (1000, (0.98, 0.01, 0.01), [980, 10, 10]),
    (7, (1, 1, 1), [3, 2, 2]),
    (50, (1, 0, 0), [50, 0, 0]),
])
def test_class_mix_gives_exact_counts(n, mix, counts):
    labels = detector_events(n, seed=0, class_mix=mix)[1]
    np.testing.assert_array_equal(np.bincount(labels, minlength=3), counts)


def test_binary_view_is_proton_versus_the_rest_of_the_same_events():
    images3, labels3, _ = detector_events(200, seed=2)
    images2, labels2, names2 = detector_events(200, seed=2, view="binary")
    np.testing.assert_array_equal(images2, images3)
    np.testing.assert_array_equal(labels2, (labels3 == 0).astype(int))
    assert names2 == ("not proton", "proton") and names2[1] == "proton"
    np.testing.assert_array_equal(detector.to_binary(labels3), labels2)


def _extent(image):
    """Largest distance of a lit pad from the charge centre: the track's reach."""
    rows, cols = np.nonzero(image > 0.1)
    if len(rows) == 0:
        return 0.0
    weights = image[rows, cols]
    r0, c0 = np.average(rows, weights=weights), np.average(cols, weights=weights)
    return float(np.percentile(np.hypot(rows - r0, cols - c0), 90))


def test_physics_protons_are_long_and_faint_carbon_short_and_dense(events):
    images, labels, _ = events
    extent = np.array([_extent(im[0]) for im in images])
    peak = images.max(axis=(1, 2, 3))
    median = {c: np.median(extent[labels == c]) for c in range(3)}
    assert median[0] > 2 * median[1], median
    # Carbon saturates the ADC; a proton's track is mostly fainter than its Bragg peak.
    assert np.median(peak[labels == 1]) == 1.0
    lit = images > 0.1
    mean_lit = [images[(labels == c)[:, None, None, None] & lit].mean() for c in range(3)]
    assert mean_lit[1] > 1.5 * mean_lit[0]


def test_tracks_start_near_the_centre(events):
    images, labels, _ = events
    carbon = images[labels == 1, 0]
    rows, cols = np.indices((64, 64))
    total = carbon.sum(axis=(1, 2))
    r0 = (carbon * rows).sum(axis=(1, 2)) / total
    c0 = (carbon * cols).sum(axis=(1, 2)) / total
    assert np.median(np.hypot(r0 - 32, c0 - 32)) < 8


def test_total_charge_alone_does_not_separate_the_classes(events):
    # The best threshold on the total charge, proton vs not proton, stays far from a CNN.
    images, labels, _ = events
    total = images.sum(axis=(1, 2, 3))
    is_proton = labels == 0
    best = max(max(np.mean((total > t) == is_proton), np.mean((total <= t) == is_proton))
               for t in np.percentile(total, np.arange(1, 100)))
    assert best < 0.8, best


def test_noise_knob_adds_and_removes_noise_pads():
    quiet = detector_events(300, seed=4, noise=0.0)[0]
    noisy = detector_events(300, seed=4, noise=3.0)[0]
    # Pads lit far from the centre (outside a 24-pad box) are mostly noise.
    def far_hits(images):
        far = images.copy()
        far[:, :, 20:44, 20:44] = 0
        return np.count_nonzero(far)

    assert far_hits(noisy) > 2 * far_hits(quiet)


def test_image_size_knob():
    images, labels, _ = detector_events(20, seed=0, image_size=32)
    assert images.shape == (20, 1, 32, 32)


@pytest.mark.parametrize(("kwargs", "error", "words"), [
    ({"n": 0}, ValueError, "n must be an integer >= 1"),
    ({"n": 2.5}, TypeError, "n must be an integer"),
    ({"class_mix": (1, 1)}, ValueError, "class_mix must be 3 non-negative"),
    ({"class_mix": (1, -1, 1)}, ValueError, "class_mix"),
    ({"class_mix": (0, 0, 0)}, ValueError, "positive sum"),
    ({"view": "4-class"}, ValueError, "view must be one of"),
    ({"image_size": 8}, ValueError, "image_size"),
    ({"noise": -1}, ValueError, "noise must be a finite number >= 0"),
    ({"seed": -1}, ValueError, "seed"),
])
def test_bad_arguments_are_named(kwargs, error, words):
    arguments = {"n": 10, **kwargs}
    with pytest.raises(error) as info:
        detector_events(arguments.pop("n"), **arguments)
    assert words in str(info.value)


def test_to_binary_rejects_labels_that_are_not_3_class():
    with pytest.raises(ValueError, match="3-class labels"):
        detector.to_binary([0, 3])


needs_weights = pytest.mark.skipif(not DETECTOR_WEIGHTS.exists(),
                                  reason="run tools/train_detector_cnn.py")


@pytest.fixture(scope="module")
def stored():
    return load_detector_cnn()


@needs_weights
def test_stored_weights_reproduce_their_validation_accuracy(stored):
    model, metadata = stored
    assert metadata == detector_metrics()
    split = course_split()
    n, seed = split.parts["validation"]
    assert metadata["validation"]["events"] == n and metadata["validation"]["data_seed"] == seed
    assert metadata["train"] == {"events": split.parts["train"][0],
                                 "data_seed": split.parts["train"][1]}
    x_val, y_val = split.validation
    correct = int(np.sum(nn.predict(model, x_val) == y_val))
    # Float32 sums may round differently on another BLAS: allow one event of difference.
    assert abs(correct - metadata["validation"]["correct"]) <= 1
    assert metadata["validation_accuracy"] == metadata["validation"]["correct"] / n
    assert metadata["validation_accuracy"] >= 0.95
    assert 1 <= metadata["best_epoch"] <= metadata["epochs"]


@needs_weights
def test_stored_weights_reproduce_their_test_accuracy_and_confusion_matrix(stored):
    model, metadata = stored
    split = course_split()
    n, seed = split.parts["test"]
    assert metadata["test"]["events"] == n and metadata["test"]["data_seed"] == seed
    before = split.test_evaluations
    evaluation = split.evaluate_test(lambda images: nn.predict_proba(model, images))
    assert split.test_evaluations == before + 1
    predicted = evaluation.outputs.argmax(axis=1)
    correct = int(np.sum(predicted == evaluation.labels))
    assert abs(correct - metadata["test"]["correct"]) <= 1
    assert metadata["test_accuracy"] == metadata["test"]["correct"] / n
    stored_matrix = np.array(metadata["confusion_matrix"])
    assert stored_matrix.sum() == n and np.trace(stored_matrix) == metadata["test"]["correct"]
    # One event predicted otherwise moves one count from a cell to another.
    difference = confusion_matrix(evaluation.labels, predicted, labels=[0, 1, 2]) - stored_matrix
    assert np.abs(difference).sum() <= 2


NEW_ENTRIES = ["validation_accuracy", "validation", "train", "epochs", "best_epoch",
               "confusion_matrix"]


def test_the_metadata_schema_names_the_split_entries_lessons_read():
    assert set(NEW_ENTRIES) | {"test_accuracy", "test"} <= set(_METRICS_SCHEMA)
    assert set(_METRICS_SCHEMA["validation"]) == {"events", "data_seed", "correct"}
    assert set(_METRICS_SCHEMA["test"]) == {"events", "data_seed", "correct"}


@needs_weights
@pytest.mark.parametrize("entry", NEW_ENTRIES + ["test"])
def test_stored_metrics_without_an_entry_are_refused_naming_it(entry, tmp_path):
    metrics = detector_metrics()
    del metrics[entry]
    path = tmp_path / "detector_cnn.json"
    path.write_text(json.dumps(metrics))
    with pytest.raises(ValueError, match=f"has no entry '{entry}'; rebuild it with"):
        detector_metrics(path)


def test_a_request_larger_than_the_memory_is_refused_at_once_naming_n_and_the_limit():
    import time

    from lessons_lib._validate import memory_limit

    start = time.perf_counter()
    with pytest.raises(ValueError) as info:
        detector_events(10**8)
    assert time.perf_counter() - start < 1.0
    message = str(info.value)
    assert message.startswith("n=100000000 events of image_size=64 (64 x 64 pads) would need "
                              "about 1.64e+03 GB of memory, more than the limit of ")
    assert f"{memory_limit() / 1e9:.3g} GB (half of this machine's memory)" in message
    with pytest.raises(ValueError, match="image_size=1000000 "):
        detector_events(2, image_size=10**6)


@pytest.mark.parametrize(("class_mix", "error"), [
    ("abc", TypeError), ([[1, 2, 3], [1]], ValueError), ((1, np.nan, 1), ValueError),
    ((1e308, 1e308, 1e308), None),
])
def test_class_mix_is_checked_by_name(class_mix, error):
    if error is None:
        # Huge weights are proportions like any others.
        assert np.bincount(detector_events(3, class_mix=class_mix)[1]).tolist() == [1, 1, 1]
        return
    with pytest.raises(error, match="class_mix"):
        detector_events(3, class_mix=class_mix)


def test_to_binary_refuses_labels_that_are_not_a_list_of_classes():
    for labels in ([[0, 1]], [], [0.0, 1.0], [[0], [1, 2]]):
        with pytest.raises(ValueError, match="labels must"):
            detector.to_binary(labels)
