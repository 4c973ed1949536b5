"""Classification metrics against scikit-learn, the slides' formulas and their edge cases."""

import warnings

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from lessons_lib.metrics import (
    accuracy,
    average_precision,
    binary_counts,
    classification_table,
    confusion_matrix,
    confusion_matrix_loops,
    f1_from_precision_recall,
    f1_score,
    metrics_at_prevalence,
    precision,
    precision_recall_curve,
    recall,
    roc_auc,
    roc_curve,
    threshold_counts,
)

sk = pytest.importorskip("sklearn.metrics")

METRICS = [
    (precision, sk.precision_score),
    (recall, sk.recall_score),
    (f1_score, sk.f1_score),
]
METRIC_IDS = ["precision", "recall", "f1"]


@st.composite
def label_pairs(draw, alphabet=(0, 1, 2, 3), min_size=1):
    """Two equally long label lists, each over its own random subset of ``alphabet`` (so
    that some classes occur only in the truth, others only in the predictions)."""
    n = draw(st.integers(min_size, 30))
    subsets = st.lists(st.sampled_from(alphabet), min_size=1, max_size=len(alphabet),
                       unique=True)
    true_classes, pred_classes = draw(subsets), draw(subsets)
    y_true = draw(st.lists(st.sampled_from(true_classes), min_size=n, max_size=n))
    y_pred = draw(st.lists(st.sampled_from(pred_classes), min_size=n, max_size=n))
    return np.array(y_true), np.array(y_pred)


def oracle(function, *args, **kwargs):
    """Call a scikit-learn function, silencing its advice (single-label, undefined-metric)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


def sk_kwargs(average, **extra):
    return {"average": average, "zero_division": 0, **extra}


# --- confusion matrix ---------------------------------------------------------------------------


@given(label_pairs())
def test_confusion_matrix_matches_scikit_learn(pair):
    y_true, y_pred = pair
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred),
                                  oracle(sk.confusion_matrix, y_true, y_pred))


@given(label_pairs(alphabet=("proton", "electron", "muon")))
def test_confusion_matrix_with_string_labels_and_absent_classes(pair):
    y_true, y_pred = pair
    labels = ["proton", "electron", "muon", "pion"]
    C = confusion_matrix(y_true, y_pred, labels=labels)
    np.testing.assert_array_equal(C, oracle(sk.confusion_matrix, y_true, y_pred, labels=labels))
    assert C[3].sum() == 0 and C[:, 3].sum() == 0
    assert C.sum() == len(y_true)


@given(label_pairs())
def test_confusion_matrix_loops_agrees_with_vectorised(pair):
    y_true, y_pred = pair
    labels = [0, 1, 2, 3]
    assert confusion_matrix_loops(y_true.tolist(), y_pred.tolist(), labels) == \
        confusion_matrix(y_true, y_pred, labels=labels).tolist()


def test_confusion_matrix_in_the_slides_layout_is_tp_fn_fp_tn():
    y_true = np.array(["proton"] * 5 + ["other"] * 7)
    y_pred = np.array(["proton"] * 3 + ["other"] * 2 + ["proton"] * 1 + ["other"] * 6)
    C = confusion_matrix(y_true, y_pred, labels=["proton", "other"])
    np.testing.assert_array_equal(C, [[3, 2], [1, 6]])
    assert tuple(C.ravel()) == binary_counts(y_true, y_pred, pos_label="proton")


@given(label_pairs(alphabet=(0, 1, 2)))
def test_binary_counts_treat_every_other_class_as_negative(pair):
    y_true, y_pred = pair
    assume(2 in y_true or 2 in y_pred)
    c = binary_counts(y_true, y_pred, pos_label=2)
    C = confusion_matrix(y_true == 2, y_pred == 2, labels=[True, False])
    assert tuple(C.ravel()) == tuple(c)
    assert sum(c) == len(y_true)


# --- accuracy, precision, recall, F1 -----------------------------------------------------------


@given(label_pairs())
def test_accuracy_matches_scikit_learn(pair):
    assert accuracy(*pair) == pytest.approx(oracle(sk.accuracy_score, *pair))


@pytest.mark.parametrize("average", [None, "macro", "micro", "weighted"])
@given(pair=label_pairs())
def test_multiclass_metrics_match_scikit_learn(average, pair):
    y_true, y_pred = pair
    for ours, theirs in METRICS:
        np.testing.assert_allclose(ours(y_true, y_pred, average=average),
                                   oracle(theirs, y_true, y_pred, **sk_kwargs(average)),
                                   atol=1e-12, err_msg=ours.__name__)


@pytest.mark.parametrize("average", [None, "macro", "micro", "weighted"])
@given(pair=label_pairs(alphabet=("a", "b", "c")))
def test_metrics_with_labels_absent_from_the_data_match_scikit_learn(average, pair):
    y_true, y_pred = pair
    labels = ["c", "a", "b", "zebra"]
    for ours, theirs in METRICS:
        np.testing.assert_allclose(
            ours(y_true, y_pred, average=average, labels=labels),
            oracle(theirs, y_true, y_pred, **sk_kwargs(average, labels=labels)),
            atol=1e-12, err_msg=ours.__name__)


@pytest.mark.parametrize("average", [None, "macro", "micro", "weighted"])
@given(pair=label_pairs(alphabet=(0, 1, 2, 3)),
       labels=st.lists(st.sampled_from([0, 1, 2, 3, 4]), min_size=1, max_size=4, unique=True))
def test_metrics_of_a_subset_of_the_classes_match_scikit_learn(average, pair, labels):
    """labels= may leave out classes that occur: only the listed ones are scored."""
    y_true, y_pred = pair
    for ours, theirs in METRICS:
        np.testing.assert_allclose(
            ours(y_true, y_pred, average=average, labels=labels),
            oracle(theirs, y_true, y_pred, **sk_kwargs(average, labels=labels)),
            atol=1e-12, err_msg=f"{ours.__name__} with labels={labels}")


def test_a_subset_of_the_classes_in_the_classification_table():
    y_true, y_pred = ["a", "b", "c", "c"], ["a", "c", "c", "b"]
    table = classification_table(y_true, y_pred, labels=["c", "a"])
    assert [row.split()[0] for row in table.splitlines()] == [
        "class", "c", "a", "macro", "micro", "weighted"]
    assert table.splitlines()[1].split() == ["c", "0.500", "0.500", "0.500", "2"]


@given(pair=label_pairs(alphabet=(0, 1)), pos_label=st.sampled_from([0, 1]))
def test_binary_metrics_match_scikit_learn(pair, pos_label):
    y_true, y_pred = pair
    assume(pos_label in np.union1d(y_true, y_pred) or len(np.union1d(y_true, y_pred)) < 2)
    for ours, theirs in METRICS:
        assert ours(y_true, y_pred, pos_label=pos_label) == pytest.approx(
            oracle(theirs, y_true, y_pred, **sk_kwargs("binary", pos_label=pos_label)),
            abs=1e-12), ours.__name__


@given(pair=label_pairs(alphabet=("proton", "other")))
def test_binary_metrics_with_string_labels_match_scikit_learn(pair):
    y_true, y_pred = pair
    assume("proton" in np.union1d(y_true, y_pred))
    for ours, theirs in METRICS:
        assert ours(y_true, y_pred, pos_label="proton") == pytest.approx(
            oracle(theirs, y_true, y_pred, **sk_kwargs("binary", pos_label="proton")),
            abs=1e-12), ours.__name__


@given(label_pairs(alphabet=(0, 1)))
def test_binary_metrics_follow_the_slides_formulas_from_the_four_cells(pair):
    y_true, y_pred = pair
    assume(1 in y_true or 1 in y_pred)
    TP, FN, FP, TN = binary_counts(y_true, y_pred)
    p = TP / (TP + FP) if TP + FP else 0.0
    r = TP / (TP + FN) if TP + FN else 0.0
    assert accuracy(y_true, y_pred) == pytest.approx((TP + TN) / (TP + FN + FP + TN))
    assert precision(y_true, y_pred, labels=[0, 1]) == pytest.approx(p)
    assert recall(y_true, y_pred, labels=[0, 1]) == pytest.approx(r)
    assert f1_score(y_true, y_pred, labels=[0, 1]) == pytest.approx(
        f1_from_precision_recall(p, r))


def test_micro_average_equals_accuracy_when_every_class_counts():
    rng = np.random.default_rng(0)
    y_true, y_pred = rng.integers(0, 3, 50), rng.integers(0, 3, 50)
    for metric in (precision, recall, f1_score):
        assert metric(y_true, y_pred, average="micro") == pytest.approx(accuracy(y_true, y_pred))


@pytest.mark.parametrize(
    ("y_true", "y_pred"),
    [
        ([0, 0, 0], [0, 0, 0]),  # no positives at all: every ratio is 0/0
        ([1, 1, 0], [0, 0, 0]),  # nothing predicted positive: precision 0/0
        ([0, 0, 0], [1, 0, 0]),  # no true positives: recall 0/0
    ],
)
@pytest.mark.parametrize(("ours", "theirs"), METRICS, ids=METRIC_IDS)
def test_undefined_ratios_are_zero_without_warnings(ours, theirs, y_true, y_pred):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = ours(y_true, y_pred)
        per_class = ours(y_true, y_pred, average=None, labels=[0, 1, 2])
    assert value == oracle(theirs, y_true, y_pred, zero_division=0)
    assert value in (0.0, 1.0)
    assert per_class[2] == 0.0


def test_always_healthy_scores_99_percent_accuracy_and_zero_recall():
    y_true, y_pred = np.array([0] * 99 + [1]), np.zeros(100, dtype=int)
    assert accuracy(y_true, y_pred) == 0.99
    assert recall(y_true, y_pred) == 0.0
    assert precision(y_true, y_pred) == 0.0
    assert f1_score(y_true, y_pred) == 0.0


def test_perfect_model_has_a_diagonal_matrix_and_every_metric_one():
    y = np.array([0, 1, 2, 2, 1, 0, 2])
    C = confusion_matrix(y, y)
    np.testing.assert_array_equal(C, np.diag(np.diag(C)))
    for metric in (precision, recall, f1_score):
        np.testing.assert_array_equal(metric(y, y, average=None), 1.0)


def test_binary_counts_refuse_a_pos_label_that_is_not_among_the_labels():
    with pytest.raises(ValueError, match=r"pos_label=2 is not among the labels in y_true and "
                                         r"y_pred, \[0, 1\]"):
        binary_counts([0, 1, 1], [1, 1, 0], pos_label=2)
    with pytest.raises(ValueError, match=r"pos_label='protn'.*\['other', 'proton'\]"):
        binary_counts(["proton", "other"], ["other", "other"], pos_label="protn")
    with pytest.raises(TypeError, match="pos_label='1' is a string but the labels are numbers"):
        binary_counts([0, 1], [0, 1], pos_label="1")
    with pytest.raises(TypeError, match="pos_label must be a class label"):
        binary_counts([0, 1], [0, 1], pos_label=1.0)
    # Present in one of the two is enough: a model that never says "proton" has TP = 0.
    assert binary_counts([0, 1], [0, 0], pos_label=1) == (0, 1, 0, 1)


@pytest.mark.parametrize("function", [accuracy, confusion_matrix, precision, binary_counts])
def test_labels_of_mixed_types_are_refused_not_compared(function):
    with pytest.raises(TypeError, match="y_true mixes labels of different types, 1 and 'a'"):
        function([1, "a"], ["1", "a"])
    with pytest.raises(TypeError, match="y_pred mixes labels of different types"):
        function(["1", "a"], np.array(["1", 2], dtype=object))
    with pytest.raises(TypeError, match="y_true and y_pred must hold the same kind of labels, "
                                        "got numbers and strings"):
        function([1, 0], ["1", "0"])


@given(st.lists(st.one_of(st.integers(-3, 3), st.sampled_from(["a", "1", "b"])), min_size=2,
                max_size=12))
def test_any_list_mixing_integers_and_strings_is_refused(values):
    assume(any(isinstance(v, str) for v in values) and any(isinstance(v, int) for v in values))
    with pytest.raises(TypeError, match="y_true mixes labels of different types"):
        accuracy(values, values)


def test_uint64_and_int64_labels_are_compared_exactly():
    y_true = np.array([0, 1, 2, 1, 2], dtype=np.uint64)
    y_pred = np.array([0, 1, 1, 1, 2], dtype=np.int64)
    assert accuracy(y_true, y_pred) == 0.8
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred),
                                  sk.confusion_matrix(y_true.astype(int), y_pred))
    assert precision(y_true, y_pred, average="macro", labels=np.array([1, 2], np.uint64)) == \
        pytest.approx(oracle(sk.precision_score, y_true.astype(int), y_pred, average="macro",
                             labels=[1, 2]))
    # Labels beyond int64 are kept apart exactly, not merged by a float conversion.
    big = np.array([2**63, 2**63 + 1], dtype=np.uint64)
    assert accuracy(big, np.array([2**63 + 1, 2**63 + 1], dtype=np.uint64)) == 0.5
    assert accuracy(big, np.array([5, 0], dtype=np.int64)) == 0.0
    with pytest.raises(ValueError, match="no 64-bit integer type holds them all"):
        accuracy(big, np.array([-1, 0]))
    with pytest.raises(ValueError, match="y_true holds integers that no 64-bit integer type"):
        accuracy([-1, 2**63], [0, 0])


def test_ragged_labels_are_named():
    with pytest.raises(ValueError, match="y_true must be a rectangular array"):
        accuracy([[0, 1], [1]], [0, 1])
    with pytest.raises(ValueError, match="labels must be a rectangular array"):
        confusion_matrix([0, 1], [0, 1], labels=[[0, 1], [1]])


@pytest.mark.parametrize(
    ("values", "error", "words"),
    [
        ((2, 3), ValueError, r"precision_value must be a finite number in \[0, 1\], got 2"),
        ((0.5, 1.5), ValueError, r"recall_value must be a finite number in \[0, 1\], got 1.5"),
        ((-0.1, 0.5), ValueError, "precision_value"),
        ((float("nan"), 0.5), ValueError, "precision_value"),
        ((True, 0.5), TypeError, "precision_value must be a finite number"),
        ((0.5, "0.5"), TypeError, "recall_value"),
        ((0.5, None), TypeError, "recall_value"),
    ],
)
def test_f1_from_precision_recall_refuses_values_that_are_not_rates(values, error, words):
    with pytest.raises(error, match=words):
        f1_from_precision_recall(*values)


def test_f1_from_precision_recall_stays_within_its_range():
    assert f1_from_precision_recall(0, 0) == 0.0
    assert f1_from_precision_recall(1, 1) == 1.0
    assert f1_from_precision_recall(np.float32(0.5), 1) == pytest.approx(2 / 3)


def test_bool_labels_work_with_the_default_pos_label():
    y_true, y_pred = np.array([True, True, False]), np.array([True, False, False])
    assert precision(y_true, y_pred) == 1.0 and recall(y_true, y_pred) == 0.5


def test_classification_table_rounds_every_number():
    table = classification_table([0, 1, 1, 2], [0, 1, 2, 2])
    lines = table.splitlines()
    assert lines[0].split() == ["class", "precision", "recall", "f1", "support"]
    assert [line.split()[0] for line in lines[1:]] == ["0", "1", "2", "macro", "micro",
                                                        "weighted"]
    assert lines[2].split() == ["1", "1.000", "0.500", "0.667", "2"]


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: accuracy([0, 1], [0]), ValueError,
         "y_true and y_pred must have the same length, got 2 and 1"),
        (lambda: precision([], []), ValueError, "y_true must not be empty"),
        (lambda: recall([0, 1], [0, 1], average="mean"), ValueError,
         "average must be one of 'binary', 'macro', 'micro', 'weighted', got 'mean'"),
        (lambda: f1_score([0, 1], [0, 1], pos_label=2), ValueError,
         r"pos_label=2 is not among the labels \[0, 1\]"),
        (lambda: f1_score(["a", "b"], ["a", "b"]), TypeError,
         "pos_label=1 is a number but the labels are strings"),
        (lambda: f1_score(["a", "b"], ["a", "b"], pos_label="c"), ValueError,
         r"pos_label='c' is not among the labels \['a', 'b'\]"),
        (lambda: precision([0, 1, 2], [0, 1, 2]), ValueError,
         "average='binary' needs at most two classes, got 3"),
        (lambda: confusion_matrix([0, 1], [0, 5], labels=[0, 1]), ValueError,
         r"y_pred holds labels that are not in labels=\[0, 1\]: \[5\]"),
        (lambda: confusion_matrix([0, 1], [0, 1], labels=[0, 0, 1]), ValueError,
         "labels must not repeat a class"),
        (lambda: accuracy([0, 1], [0.2, 0.9]), TypeError,
         "y_pred must hold class labels.*got floats"),
        (lambda: accuracy([0, 1], ["a", "b"]), TypeError,
         "y_true and y_pred must hold the same kind of labels"),
        (lambda: confusion_matrix([[0, 1]], [[0, 1]]), ValueError,
         "y_true must be a 1-D array"),
        (lambda: roc_curve([0, 1, 1], [0.1, 0.2]), ValueError,
         "y_true and scores must have the same length"),
        (lambda: roc_auc([0, 0], [0.1, 0.2]), ValueError, "pos_label=1 never occurs in y_true"),
        (lambda: metrics_at_prevalence(1.5, 0.1, 0.5), ValueError,
         r"tpr must be a finite number in \[0, 1\]"),
    ],
)
def test_bad_input_raises_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --- scores, thresholds and curves -----------------------------------------------------------------


@st.composite
def scored_labels(draw):
    n = draw(st.integers(2, 40))
    y = draw(st.lists(st.sampled_from([0, 1]), min_size=n, max_size=n))
    assume(0 < sum(y) < n)
    # Few distinct values, so that ties between scores are common.
    scores = draw(st.lists(st.integers(0, 8), min_size=n, max_size=n))
    return np.array(y), np.array(scores) / 8


@given(scored_labels())
def test_roc_curve_and_auc_match_scikit_learn(data):
    y, scores = data
    fpr, tpr, thresholds = roc_curve(y, scores)
    sk_fpr, sk_tpr, sk_thresholds = oracle(sk.roc_curve, y, scores, drop_intermediate=False)
    np.testing.assert_allclose(fpr, sk_fpr)
    np.testing.assert_allclose(tpr, sk_tpr)
    np.testing.assert_allclose(thresholds[1:], sk_thresholds[1:])
    assert roc_auc(y, scores) == pytest.approx(oracle(sk.roc_auc_score, y, scores), abs=1e-12)


@given(scored_labels())
def test_precision_recall_curve_and_average_precision_match_scikit_learn(data):
    y, scores = data
    p, r, t = precision_recall_curve(y, scores)
    sk_p, sk_r, sk_t = oracle(sk.precision_recall_curve, y, scores)
    # scikit-learn orders by increasing threshold and appends the point (recall 0, precision 1).
    np.testing.assert_allclose(p, sk_p[-2::-1])
    np.testing.assert_allclose(r, sk_r[-2::-1])
    np.testing.assert_allclose(t, sk_t[::-1])
    assert average_precision(y, scores) == pytest.approx(
        oracle(sk.average_precision_score, y, scores), abs=1e-12)


@given(scored_labels())
def test_each_curve_point_is_the_confusion_matrix_at_that_threshold(data):
    y, scores = data
    thresholds, tp, fp, _, _ = threshold_counts(y, scores)
    for t, expected_tp, expected_fp in zip(thresholds, tp, fp, strict=True):
        c = binary_counts(y, (scores >= t).astype(int))
        assert (c.TP, c.FP) == (expected_tp, expected_fp)


def test_perfect_and_reversed_rankings():
    y = np.array([0, 0, 1, 1])
    assert roc_auc(y, [0.1, 0.2, 0.8, 0.9]) == 1.0
    assert roc_auc(y, [0.9, 0.8, 0.2, 0.1]) == 0.0
    assert average_precision(y, [0.1, 0.2, 0.8, 0.9]) == 1.0


# --- metrics at another class balance -------------------------------------------------------------


@pytest.mark.parametrize("prevalence", [0.02, 0.2, 0.5])
def test_metrics_at_prevalence_match_an_explicitly_resampled_set(prevalence):
    tpr, fpr, n = 0.8, 0.1, 10_000
    pos, neg = round(prevalence * n), n - round(prevalence * n)
    y_true = np.r_[np.ones(pos, int), np.zeros(neg, int)]
    y_pred = np.r_[np.ones(round(tpr * pos), int), np.zeros(pos - round(tpr * pos), int),
                   np.ones(round(fpr * neg), int), np.zeros(neg - round(fpr * neg), int)]
    m = metrics_at_prevalence(tpr, fpr, prevalence)
    assert m["accuracy"] == pytest.approx(accuracy(y_true, y_pred))
    assert m["precision"] == pytest.approx(precision(y_true, y_pred))
    assert m["recall"] == pytest.approx(recall(y_true, y_pred))
    assert m["f1"] == pytest.approx(f1_score(y_true, y_pred))


def test_accuracy_drifts_away_from_f1_as_positives_get_rare():
    prevalence = np.array([0.5, 0.1, 0.01])
    m = metrics_at_prevalence(0.9, 0.05, prevalence)
    assert np.all(np.diff(m["accuracy"]) > 0)
    assert np.all(np.diff(m["f1"]) < 0)


# --- figures and interactive views ---------------------------------------------------------------


def scored_events(n=400, seed=0):
    rng = np.random.default_rng(seed)
    positive = rng.random(n) < 0.2
    scores = np.clip(np.where(positive, rng.normal(0.7, 0.15, n), rng.normal(0.3, 0.15, n)), 0, 1)
    return np.where(positive, "proton", "other"), scores


def test_confusion_plot_writes_counts_and_row_rates():
    from lessons_lib.plots.metrics import BINARY_CELL_NAMES, plot_confusion_matrix

    fig = plot_confusion_matrix([[3, 1], [0, 0]], ["proton", "other"],
                                cell_names=BINARY_CELL_NAMES)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == ["TP\n3\n75%", "FN\n1\n25%", "FP\n0\n0%", "TN\n0\n0%"]
    np.testing.assert_allclose(fig.axes[0].images[0].get_array(), [[0.75, 0.25], [0, 0]])


@pytest.mark.parametrize(("names", "title"), [
    (["proton", "not proton"], "CNN, held-out events"),
    (["proton", "carbon", "other"], None),
    (["proton", "carbon", "other", "electron"], None),
])
def test_confusion_plot_keeps_every_label_inside_the_figure(names, title):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from lessons_lib.plots import figure_png
    from lessons_lib.plots.metrics import plot_confusion_matrix

    k = len(names)
    fig = plot_confusion_matrix(np.arange(k * k).reshape(k, k), names, title=title)
    canvas = FigureCanvasAgg(fig)
    figure_png(fig)  # lays the figure out as the notebook does
    renderer = canvas.get_renderer()
    ax = fig.axes[0]
    labels = [ax.xaxis.label, ax.yaxis.label, *ax.get_xticklabels(), *ax.get_yticklabels()]
    for text in labels + ([ax.title] if title else []):
        box = text.get_window_extent(renderer)
        assert box.x0 >= 0 and box.y0 >= 0, text.get_text()
        assert box.x1 <= fig.bbox.width and box.y1 <= fig.bbox.height, text.get_text()


def test_confusion_plot_never_rounds_a_rare_cell_to_0_or_100_percent():
    from lessons_lib.plots.metrics import plot_confusion_matrix

    fig = plot_confusion_matrix([[999, 1], [0, 1000]], ["proton", "other"])
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == ["999\n>99%", "1\n<1%", "0\n0%", "1000\n100%"]


def test_confusion_plot_rejects_a_matrix_of_the_wrong_size():
    from lessons_lib.plots.metrics import plot_confusion_matrix

    with pytest.raises(ValueError, match=r"CM must have shape \(3, 3\) for 3 class_names"):
        plot_confusion_matrix(np.eye(2), ["a", "b", "c"])


def test_pr_roc_figure_shows_the_area_and_the_operating_point():
    from lessons_lib.plots.metrics import plot_pr_roc

    y, scores = scored_events()
    fig = plot_pr_roc(y, scores, pos_label="proton", point=(0.8, 0.6, 0.1))
    pr_ax, roc_ax = fig.axes
    assert roc_ax.get_title() == f"ROC, AUC = {roc_auc(y, scores, 'proton'):.3f}"
    np.testing.assert_allclose(roc_ax.lines[-1].get_xydata(), [[0.1, 0.6]])
    np.testing.assert_allclose(pr_ax.lines[-1].get_xydata(), [[0.6, 0.8]])


def test_threshold_explorer_follows_its_slider():
    from lessons_lib.widgets.metrics import ThresholdExplorer

    y, scores = scored_events()
    view = ThresholdExplorer(y, scores, pos_label="proton", threshold=0.5)
    for threshold in (0.35, 0.0, 0.8, 1.0):
        before = view.image.value
        view.threshold.value = threshold
        predicted = np.where(scores >= threshold, "proton", "other")
        expected = binary_counts(y, predicted, pos_label="proton")
        assert view.counts == expected
        np.testing.assert_array_equal(view.plot.confusion.CM, [[expected.TP, expected.FN],
                                                         [expected.FP, expected.TN]])
        p = precision(y, predicted, pos_label="proton")
        r = recall(y, predicted, pos_label="proton")
        assert view.scores["precision"] == pytest.approx(p)
        assert view.scores["recall"] == pytest.approx(r)
        assert view.scores["f1"] == pytest.approx(f1_score(y, predicted, pos_label="proton"))
        assert view.scores["accuracy"] == pytest.approx(accuracy(y, predicted))
        np.testing.assert_allclose(view.plot.curves.pr_marker.get_xydata(), [[r, p]])
        assert view.plot.histogram.line.get_xdata()[0] == threshold
        assert f"threshold {threshold:.2f}" in view.plot.summary.get_text()
        assert view.image.value != before


def test_threshold_explorer_rejects_mismatched_inputs():
    from lessons_lib.widgets.metrics import ThresholdExplorer

    with pytest.raises(ValueError, match="y_true and scores must have the same shape"):
        ThresholdExplorer([0, 1, 1], [0.2, 0.4])


def test_imbalance_explorer_follows_its_slider():
    from lessons_lib.widgets.metrics import ImbalanceExplorer

    view = ImbalanceExplorer(0.9, 0.05, prevalence=0.2, n_events=1000)
    view.prevalence.value = 0.01
    expected = metrics_at_prevalence(0.9, 0.05, view.prevalence.value)
    assert view.metrics["accuracy"] == pytest.approx(expected["accuracy"])
    assert view.metrics["f1"] == pytest.approx(expected["f1"])
    # Expected counts, not rounded: rounding 49.5 false positives to 50 would contradict
    # the rates the curves are drawn from.
    np.testing.assert_allclose(view.counts, [[9, 1], [49.5, 940.5]])
    np.testing.assert_array_equal(view.plot.confusion.CM, view.counts)
    assert view.plot.curves.marker.get_xdata()[0] == pytest.approx(0.01)
    np.testing.assert_allclose(view.plot.curves.points["F1"].get_xydata(),
                               [[view.prevalence.value, expected["f1"]]])
    assert "1.0% positives" in view.plot.title.get_text()
    lazy = view.plot.curves.lines["always 'not proton': accuracy"]
    np.testing.assert_allclose(lazy.get_ydata(), 1 - view.GRID)
