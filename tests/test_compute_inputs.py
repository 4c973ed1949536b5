"""Every public function of the compute modules under bad input: a named error, nothing else.

Each entry of ``CASES`` is a function of ``convolution``, ``backprop``, ``pooling``,
``shapes``, ``metrics``, ``losses``, ``attention``, ``datasets``, ``detector`` or
``filters``, with arguments that work and, for each argument, the kind of value it
takes. The property tests replace one argument by a bad value of its kind (None, a
string, complex or object numbers, a ragged list, an empty array, NaN, inf, a wrong
shape, an out-of-range or huge number...) and require:

- a ``TypeError`` or ``ValueError`` whose message names the argument;
- no warning (warnings are errors here);
- every argument, the bad one included, unchanged afterwards.

A second test calls each function with its good arguments, integer arrays where the
values allow, and checks that the inputs are unchanged and the numbers computed are
floats.
"""

import copy
import re
import warnings
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lessons_lib import (
    attention,
    backprop,
    convolution,
    datasets,
    detector,
    filters,
    losses,
    metrics,
    pooling,
    shapes,
)

HUGE = 10**15


# --- the bad values of each kind ------------------------------------------------------------


def _with_value(array, value, index):
    out = np.array(array, dtype=np.float64)
    out.flat[index % out.size] = value
    return out


def _ragged(array):
    rows = np.asarray(array).tolist()
    if np.ndim(array) < 2:
        return [[1.0, 2.0], [3.0]]
    rows[0] = rows[0][:-1] if len(rows[0]) > 1 else rows[0] + rows[0]
    return rows


def bad_arrays(valid, *, fixed_ndim):
    """Bad versions of the array ``valid``: wrong dtypes, ragged, empty, NaN, inf, None."""
    valid = np.asarray(valid)
    base = st.sampled_from([
        None,
        "abc",
        {"a": 1},
        valid.astype(complex) + 1j,
        valid.astype(str),
        valid.astype(object),
        _ragged(valid),
        np.empty((0,) + valid.shape[1:]),
        np.array([[[]]]) if valid.ndim != 3 else np.empty((0, 0)),
    ])
    non_finite = st.builds(_with_value, st.just(valid), st.sampled_from([np.nan, np.inf, -np.inf]),
                           st.integers(0, 1000))
    choices = [base, non_finite]
    if fixed_ndim:
        choices.append(st.sampled_from([valid[None], valid.reshape(-1)[0]]))
    return st.one_of(*choices)


KINDS = {
    # An int >= 1 whose size only changes the answer's shape.
    "count": st.sampled_from([None, "3", 2.5, True, 0, -1, float("nan"), [3], 1 + 2j]),
    # An int >= 1 that says how much memory to allocate: a huge one is refused up front.
    "alloc": st.sampled_from([None, "3", 2.5, True, 0, -1, [3], HUGE, 10**40]),
    "nonneg": st.sampled_from([None, "1", 1.5, True, -1, [0]]),
    "real": st.sampled_from([None, "1", True, float("nan"), float("inf"), 1j, [1.0]]),
    "positive_real": st.sampled_from([None, "1", True, 0, -1.0, float("nan"), float("inf"),
                                      1j, [1.0]]),
    "nonneg_real": st.sampled_from([None, "1", True, -1.0, float("nan"), float("inf"), 1j]),
    "unit_real": st.sampled_from([None, "0.5", True, -0.1, 1.5, 2, float("nan"), float("inf"),
                                  1j]),
    "choice": st.sampled_from([None, "nonsense", 3, ["none"], b"none"]),
    # average=None is a valid choice (one value per class).
    "average": st.sampled_from(["nonsense", "mean", 3, ["macro"], b"macro"]),
    "bool": st.sampled_from([None, "yes", 2, 1.0]),
    "shape": st.sampled_from([None, "8x9", 8, (8.0, 9), (-8, 9), (0, 9), (True, 9), ()]),
    "labels": st.sampled_from([None, [0.5, 1.5, 0.0, 1.0], [1, "a", 0, 1], [[0, 1], [1]], [],
                               [[0, 1], [1, 0]], [1 + 1j, 0, 0, 1], [None, 0, 1, 1], "0110"]),
    "labelset": st.sampled_from([[0.0, 1.0], [0, "1"], [0, 0, 1], ["a", "b"], [], [[0, 1]],
                                 [None, 1]]),
    "pos_label": st.sampled_from(["1", 1.5, None, [1], 7, 1j]),
    "indices": st.sampled_from(["0", [0.5, 1.5], [-1, 0], [0, 99], [[0, 1], [1]], [True],
                                [[0, 1], [1, 16]], [[0.0, 1.0], [1.0, 0.0]]]),
    "axis": st.sampled_from([None, "0", 1.5, True, 7, -7, [0]]),
    "digits": st.sampled_from([None, "3", 2.5, True, -1, 11, HUGE]),
    "callable": st.sampled_from([None, 3, "f", np.ones(3)]),
    "cache": st.sampled_from([None, {}, "cache", {"X": np.ones((2, 4))}, [1, 2]]),
    "pairs": st.sampled_from([None, 3, "ab", [(1,)], [(1, 2, 3)], [("a", 1)], [(0, 1.5)],
                              [3, 4]]),
    "layers": st.sampled_from([None, 3, "ab", [(3,)], [(3, 1, 1)], [("a", 1)], [(0, 1)],
                               [(3, -1)], [3, 1]]),
    "dims": st.sampled_from([None, 3, "ab", [], [0], ["a"], [2.5], [HUGE]]),
    "mix": st.sampled_from([None, "abc", (1, 2), (1, -1, 1), (0, 0, 0), (float("nan"), 1, 1),
                            [[1, 2, 3], [1]], (1j, 1, 1)]),
    "noise": st.sampled_from([None, "1", True, -1.0, float("nan"), float("inf"), 1e3, 1j]),
    "image_size": st.sampled_from([None, "64", 64.0, True, 8, -1, HUGE]),
    "widths": st.sampled_from([None, "1", 1.5, -1, (1,), (1, -1), (1, 2, 3), HUGE]),
    "shift": st.sampled_from([None, "1", 1.5, True, 5, -5, HUGE]),
    "odd_size": st.sampled_from([None, "3", 2.5, True, 0, -1, 4, HUGE]),
    "probabilities": st.sampled_from([None, "abc", [[2.0, -1.0], [0.5, 0.5]],
                                      [[0.2, 0.2], [0.5, 0.5]], [[1.0, float("nan")], [0, 1]],
                                      [[1, 0], [1]], np.empty((0, 2))]),
    "class_indices": st.sampled_from([None, "ab", [0.0, 1.0], [True, False], [0, 5], [-1, 0],
                                      [[0, 1]], [0], [[0], [1, 2]]]),
    # For one_hot any number of labels will do.
    "index_array": st.sampled_from([None, "ab", [0.0, 1.0], [True, False], [0, 5], [-1, 0],
                                    [[0, 1]], [], [[0], [1, 2]], [1j]]),
    # sigma=None is valid (size / 6).
    "sigma": st.sampled_from(["1", True, 0, -1.0, float("nan"), float("inf"), 1j, [1.0]]),
    "image_shape": st.sampled_from([None, "4x4", 4, (4.0, 4), (-4, 4), (4,), (4, 4, 4),
                                    (1, 1, 1, 4, 4)]),
}


@dataclass
class Case:
    """A function, good arguments for it, and the kind of each argument to spoil."""

    function: object
    kwargs: dict
    kinds: dict
    # Every array in the result is float (False for counts, indices, labels).
    float_result: bool = True

    @property
    def id(self):
        return f"{self.function.__module__.split('.')[-1]}.{self.function.__name__}"


def strategy_for(case, name):
    kind = case.kinds[name]
    if kind in ("array", "array_fixed"):
        return bad_arrays(case.kwargs[name], fixed_ndim=kind == "array_fixed")
    return KINDS[kind]


# --- the good arguments ---------------------------------------------------------------------

A45 = np.arange(20.0).reshape(4, 5)
H33 = np.ones((3, 3))
X1 = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
F1 = np.array([1.0, -1.0])
DOUT1 = np.array([1.0, 2.0, 3.0, 4.0])
P44 = np.array([[1.0, 1, 2, 4], [5, 6, 9, 3], [3, 2, 4, 4], [1, 2, 0, 7]])
D22 = np.array([[1.0, 2.0], [3.0, 4.0]])
Y_TRUE = np.array([0, 1, 1, 0])
Y_PRED = np.array([0, 1, 0, 0])
SCORES = np.array([0.1, 0.9, 0.4, 0.3])
Z23 = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 1.0]])
ONE_HOT = np.array([[1.0, 0.0], [0.0, 1.0]])
PROBS = np.array([[0.75, 0.25], [0.5, 0.5]])
Q = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
K = np.array([[1.0, 2.0], [0.0, 1.0]])
V = np.array([[1.0], [3.0]])
X_TOKENS = np.arange(12.0).reshape(3, 4) / 10
EYE4 = np.eye(4)
_MHA_Z, _MHA_A, MHA_CACHE = attention.multi_head_attention_forward(X_TOKENS, EYE4, EYE4, EYE4,
                                                                  EYE4, 2)
_SDPA_Z, SDPA_A = attention.scaled_dot_product_attention(Q, K, V)
TP_X, TP_Y, _ = backprop.training_pair("blur", n=10)


def _square(v):
    return float(np.sum(v**2))


CASES = [
    # convolution
    Case(convolution.output_shape, {"input_shape": (8, 9), "filter_shape": (3, 3), "stride": 1,
                                    "edges": "none"},
         {"input_shape": "shape", "filter_shape": "shape", "stride": "count", "edges": "choice"},
         float_result=False),
    Case(convolution.pad, {"A": D22, "widths": (1, 1), "edges": "zero"},
         {"A": "array", "widths": "widths", "edges": "choice"}),
    *[Case(function, {"A": A45, "h": H33, "stride": 1, "edges": "none", "method": "auto"},
           {"A": "array_fixed", "h": "array_fixed", "stride": "count", "edges": "choice",
            "method": "choice"})
      for function in (convolution.correlate, convolution.convolve)],
    Case(convolution.correlate_loops, {"A": A45, "h": H33, "stride": 1, "edges": "zero"},
         {"A": "array_fixed", "h": "array_fixed", "stride": "count", "edges": "choice"}),
    # backprop
    *[Case(function, {"x": X1, "F": F1}, {"x": "array_fixed", "F": "array_fixed"})
      for function in (backprop.conv1d_forward, backprop.conv1d_forward_loops)],
    *[Case(function, {"x": X1, "F": F1, "dout": DOUT1},
           {"x": "array_fixed", "F": "array_fixed", "dout": "array_fixed"})
      for function in (backprop.conv1d_backward, backprop.conv1d_backward_loops)],
    Case(backprop.numerical_gradient, {"f": _square, "x": D22, "eps": 1e-6},
         {"f": "callable", "x": "array", "eps": "positive_real"}),
    Case(backprop.relative_error, {"a": D22, "b": D22 + 1}, {"a": "array", "b": "array"}),
    Case(backprop.squared_error, {"o": X1, "y": X1 + 1},
         {"o": "array_fixed", "y": "array_fixed"}),
    Case(backprop.training_pair, {"filter_name": "blur", "n": 8, "noise": 0.1, "seed": 0},
         {"filter_name": "choice", "n": "alloc", "noise": "nonneg_real", "seed": "nonneg"}),
    Case(backprop.stability_limit, {"x": X1, "K": 2}, {"x": "array_fixed", "K": "alloc"}),
    Case(backprop.learn_filter, {"x": TP_X, "y": TP_Y, "F_init": np.zeros(3),
                                 "learning_rate": 0.1, "steps": 3},
         {"x": "array_fixed", "y": "array_fixed", "F_init": "array_fixed",
          "learning_rate": "positive_real", "steps": "alloc"}),
    Case(backprop.gradient_check,
         {"analytic": D22, "numerical": D22 + 1e-9, "tolerance": 1e-6},
         {"analytic": "array", "numerical": "array", "tolerance": "positive_real"},
         float_result=False),
    *[Case(function, {"x": np.array([2.0, -1.0]), "w": np.array([0.5, -0.5]), "y": 3.0},
           {"x": "array_fixed", "w": "array_fixed", "y": "real"}, float_result=False)
      for function in (backprop.small_network, backprop.small_network_loss)],
    # pooling and shapes
    Case(pooling.pooled_shape, {"input_shape": (4, 4), "size": 2, "stride": 2},
         {"input_shape": "shape", "size": "alloc", "stride": "count"}, float_result=False),
    *[Case(function, {"A": P44, "size": 2, "stride": 2},
           {"A": "array_fixed", "size": "alloc", "stride": "count"})
      for function in (pooling.pooling_windows, pooling.max_pool_loops, pooling.avg_pool_loops,
                       pooling.avg_pool)],
    Case(pooling.max_pool, {"A": P44, "size": 2, "stride": 2, "return_indices": False},
         {"A": "array_fixed", "size": "alloc", "stride": "count", "return_indices": "bool"}),
    *[Case(function, {"A": P44, "dout": D22, "size": 2, "stride": 2},
           {"A": "array_fixed", "dout": "array_fixed", "size": "alloc", "stride": "count"})
      for function in (pooling.max_pool_backward_loops, pooling.avg_pool_backward_loops,
                       pooling.avg_pool_backward)],
    Case(pooling.max_pool_backward, {"A": P44, "dout": D22, "size": 2, "stride": 2,
                                     "indices": np.array([[5, 6], [8, 15]])},
         {"dout": "array_fixed", "size": "alloc", "stride": "count", "indices": "indices"}),
    Case(pooling.global_avg_pool, {"A": P44}, {"A": "array_fixed"}),
    Case(pooling.receptive_field, {"layers": [(3, 1), (2, 2)]}, {"layers": "layers"},
         float_result=False),
    Case(shapes.receptive_field, {"layers": [(3, 1), (2, 2)]}, {"layers": "layers"},
         float_result=False),
    Case(shapes.output_size, {"length": 8, "k": 3, "stride": 1, "padding": 0,
                              "ceil_mode": False},
         {"length": "count", "k": "count", "stride": "count", "padding": "nonneg",
          "ceil_mode": "bool"}, float_result=False),
    Case(pooling.translate, {"A": P44, "down": 1, "right": -1},
         {"A": "array_fixed", "down": "shift", "right": "shift"}),
    Case(pooling.relative_change, {"before": D22, "after": D22 + 1},
         {"before": "array", "after": "array"}),
    Case(pooling.translation_sensitivity, {"A": P44, "shifts": [(0, 1)], "size": 2, "stride": 2},
         {"A": "array_fixed", "shifts": "pairs", "size": "alloc", "stride": "count"}),
    Case(pooling.downsample, {"image": P44, "factor": 2, "method": "max pool"},
         {"image": "array_fixed", "factor": "alloc", "method": "choice"}),
    Case(pooling.zone_plate, {"n": 4}, {"n": "alloc"}),
    # metrics
    Case(metrics.confusion_matrix, {"y_true": Y_TRUE, "y_pred": Y_PRED, "labels": [1, 0]},
         {"y_true": "labels", "y_pred": "labels", "labels": "labelset"}, float_result=False),
    Case(metrics.confusion_matrix_loops, {"y_true": Y_TRUE, "y_pred": Y_PRED, "labels": [1, 0]},
         {"y_true": "labels", "y_pred": "labels", "labels": "labelset"}, float_result=False),
    Case(metrics.binary_counts, {"y_true": Y_TRUE, "y_pred": Y_PRED, "pos_label": 1},
         {"y_true": "labels", "y_pred": "labels", "pos_label": "pos_label"}, float_result=False),
    Case(metrics.accuracy, {"y_true": Y_TRUE, "y_pred": Y_PRED},
         {"y_true": "labels", "y_pred": "labels"}),
    *[Case(function, {"y_true": Y_TRUE, "y_pred": Y_PRED, "average": "binary", "pos_label": 1},
           {"y_true": "labels", "y_pred": "labels", "average": "average",
            "pos_label": "pos_label"})
      for function in (metrics.precision, metrics.recall, metrics.f1_score)],
    *[Case(function, {"y_true": Y_TRUE, "y_pred": Y_PRED, "average": None, "labels": [1]},
           {"labels": "labelset"})
      for function in (metrics.precision, metrics.recall, metrics.f1_score)],
    Case(metrics.f1_from_precision_recall, {"precision_value": 0.5, "recall_value": 1.0},
         {"precision_value": "unit_real", "recall_value": "unit_real"}),
    Case(metrics.classification_table, {"y_true": Y_TRUE, "y_pred": Y_PRED, "labels": None,
                                        "digits": 3},
         {"y_true": "labels", "y_pred": "labels", "labels": "labelset", "digits": "digits"},
         float_result=False),
    *[Case(function, {"y_true": Y_TRUE, "scores": SCORES, "pos_label": 1},
           {"y_true": "labels", "scores": "array_fixed", "pos_label": "pos_label"},
           float_result=function is not metrics.threshold_counts)
      for function in (metrics.threshold_counts, metrics.precision_recall_curve,
                       metrics.roc_curve, metrics.roc_auc, metrics.average_precision)],
    Case(metrics.metrics_at_prevalence, {"tpr": 0.9, "fpr": 0.1, "prevalence": np.array([0.5])},
         {"tpr": "unit_real", "fpr": "unit_real", "prevalence": "array"}),
    # losses
    Case(losses.softmax, {"z": Z23, "axis": -1, "temperature": 2.0},
         {"z": "array", "axis": "axis", "temperature": "positive_real"}),
    Case(losses.softmax_backward, {"dout": Z23, "y_hat": losses.softmax(Z23), "axis": -1},
         {"dout": "array", "y_hat": "array", "axis": "axis"}),
    Case(losses.softmax_loops, {"z": np.array([1.0, 2.0])}, {"z": "array_fixed"}),
    *[Case(function, {"y_hat": Z23, "y": Z23 + 1}, {"y_hat": "array", "y": "array"})
      for function in (losses.mse, losses.mse_backward, losses.mae, losses.mae_backward)],
    *[Case(function, {"y": ONE_HOT, "y_hat": PROBS},
           {"y": "probabilities", "y_hat": "probabilities"})
      for function in (losses.cross_entropy, losses.cross_entropy_backward)],
    *[Case(function, {"logits": Z23, "labels": np.array([0, 2])},
           {"logits": "array_fixed", "labels": "class_indices"})
      for function in (losses.softmax_cross_entropy, losses.softmax_cross_entropy_backward,
                       losses.softmax_cross_entropy_loops)],
    Case(losses.one_hot, {"labels": np.array([0, 2]), "num_classes": 3},
         {"labels": "index_array", "num_classes": "alloc"}),
    # attention
    Case(attention.table_slips, {"X": D22, "copy": D22}, {"X": "array_fixed", "copy": "array"},
         float_result=False),
    Case(attention.patch_grid, {"image_shape": (8, 9), "patch_size": 4},
         {"image_shape": "shape", "patch_size": "alloc"}, float_result=False),
    *[Case(function, {"image": P44, "patch_size": 2},
           {"image": "array_fixed", "patch_size": "alloc"})
      for function in (attention.patchify, attention.patchify_loops)],
    Case(attention.patchify_backward, {"dpatches": np.ones((4, 4)), "image_shape": (4, 4),
                                       "patch_size": 2},
         {"dpatches": "array_fixed", "image_shape": "image_shape", "patch_size": "alloc"}),
    Case(attention.prepend_position_index, {"patches": D22}, {"patches": "array_fixed"}),
    *[Case(function, {"Q": Q, "K": K, "V": V, "scale": True},
           {"Q": "array_fixed", "K": "array_fixed", "V": "array_fixed", "scale": "bool"})
      for function in (attention.scaled_dot_product_attention,
                       attention.scaled_dot_product_attention_loops)],
    Case(attention.scaled_dot_product_attention_backward,
         {"dZ": np.ones((3, 1)), "Q": Q, "K": K, "V": V, "A": SDPA_A, "scale": True},
         {"dZ": "array_fixed", "Q": "array_fixed", "K": "array_fixed", "V": "array_fixed",
          "A": "array_fixed", "scale": "bool"}),
    Case(attention.split_heads, {"M": X_TOKENS, "num_heads": 2},
         {"M": "array", "num_heads": "alloc"}),
    Case(attention.merge_heads, {"heads": np.ones((2, 3, 2))}, {"heads": "array"}),
    # X may be a batch (B, N, E), except for the loops.
    *[Case(function, {"X": X_TOKENS, "W_Q": EYE4, "W_K": EYE4, "W_V": EYE4, "W_O": EYE4,
                      "num_heads": 2},
           {"X": "array_fixed" if function is attention.multi_head_attention_loops else "array",
            "W_Q": "array_fixed", "W_K": "array_fixed", "W_V": "array_fixed",
            "W_O": "array_fixed", "num_heads": "alloc"},
           float_result=function is not attention.multi_head_attention_forward)
      for function in (attention.multi_head_attention, attention.multi_head_attention_forward,
                       attention.multi_head_attention_loops)],
    Case(attention.multi_head_attention_backward, {"dZ": np.ones((3, 4)), "cache": MHA_CACHE},
         {"dZ": "array_fixed", "cache": "cache"}),
    Case(attention.sinusoidal_position_encoding, {"N": 3, "E": 4}, {"N": "alloc", "E": "alloc"}),
    Case(attention.small_integer_weights, {"rows": 2, "cols": 3, "seed": 0},
         {"rows": "alloc", "cols": "alloc", "seed": "nonneg"}),
    Case(attention.ink_profile_weights, {"patch_size": 2, "along": "rows"},
         {"patch_size": "alloc", "along": "choice"}),
    Case(attention.attention_saturation, {"dims": [2], "num_tokens": 4, "trials": 3, "seed": 0},
         {"dims": "dims", "num_tokens": "alloc", "trials": "alloc", "seed": "nonneg"},
         float_result=False),
    # data
    Case(datasets.photograph, {"name": "camera"}, {"name": "choice"}),
    *[Case(function, {"n": 4, "seed": 0, "image_size": 16, "class_mix": (0.5, 0.25, 0.25),
                      "noise": 1.0},
           {"n": "alloc", "seed": "nonneg", "image_size": "image_size", "class_mix": "mix",
            "noise": "noise"}, float_result=False)
      for function in (datasets.detector_events, detector.simulate)],
    Case(datasets.detector_events, {"n": 4, "view": "binary"}, {"view": "choice"},
         float_result=False),
    Case(detector.to_binary, {"labels": np.array([0, 1, 2, 0])}, {"labels": "index_array"},
         float_result=False),
    # filters
    *[Case(function, {"size": 3}, {"size": "odd_size"})
      for function in (filters.identity, filters.box_blur)],
    Case(filters.gaussian_blur, {"size": 5, "sigma": 1.0},
         {"size": "odd_size", "sigma": "sigma"}),
    Case(filters.line_detector, {"direction": "diagonal", "size": 3},
         {"direction": "choice", "size": "odd_size"}),
    Case(filters.sobel, {"direction": "x"}, {"direction": "choice"}),
    Case(filters.line_pixels, {"A": A45, "h": H33, "threshold": 3.0},
         {"A": "array_fixed", "h": "array_fixed", "threshold": "real"}, float_result=False),
    Case(filters.make_filter, {"name": "sobel x", "size": 3},
         {"name": "choice", "size": "odd_size"}),
]


# --- helpers ----------------------------------------------------------------------------------


def snapshot(value):
    """A comparable record of ``value``: its bytes for arrays, its repr otherwise."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "O":
            return ("object", value.shape, repr(value.tolist()))
        return (value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, dict):
        return {key: snapshot(item) for key, item in value.items()}
    if callable(value):
        return id(value)
    return repr(value)


def named(name):
    """A regex matching ``name`` as a whole word in an error message."""
    return rf"(?<!\w){re.escape(name)}(?!\w)"


def call_refuses(case, name, bad):
    kwargs = {**case.kwargs, name: bad}
    before = {key: snapshot(value) for key, value in kwargs.items()}
    originals = copy.copy(kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises((TypeError, ValueError), match=named(name)):
            case.function(**kwargs)
    for key, value in originals.items():
        assert snapshot(value) == before[key], f"{case.id} changed its argument {key}"


CASE_IDS = [f"{case.id}[{'-'.join(case.kinds)}]" for case in CASES]


# --- the tests --------------------------------------------------------------------------------


def test_every_public_compute_function_is_covered():
    """A new public function of a compute module must be added to CASES."""
    covered = {(case.function.__module__, case.function.__name__) for case in CASES}
    # Functions without arguments, and record types.
    exempt = {"figure_matrix", "pooling_example", "slides_x_copies", "sharpen",
              "BinaryCounts", "LearningHistory", "GradientCheck", "SmallNetwork"}
    missing = []
    for module in (convolution, backprop, pooling, shapes, metrics, losses, attention,
                   datasets, detector, filters):
        for name in dir(module):
            value = getattr(module, name)
            if (name.startswith("_") or name in exempt or not callable(value)
                    or getattr(value, "__module__", None) != module.__name__):
                continue
            if (module.__name__, name) not in covered:
                missing.append(f"{module.__name__}.{name}")
    assert not missing, f"add these to CASES: {missing}"


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_bad_argument_is_refused_by_name_without_warning_or_change(case, data):
    name = data.draw(st.sampled_from(sorted(case.kinds)), label="argument")
    bad = data.draw(strategy_for(case, name), label="bad value")
    call_refuses(case, name, bad)


def _as_integers(value):
    """Integer-valued float arrays as int64, to check that integer input is computed in float."""
    if (isinstance(value, np.ndarray) and value.dtype.kind == "f"
            and np.array_equal(value, np.round(value))):
        return value.astype(np.int64)
    return value


def _arrays_in(result):
    if isinstance(result, np.ndarray):
        yield result
    elif isinstance(result, dict):
        for item in result.values():
            yield from _arrays_in(item)
    elif isinstance(result, (tuple, list)):
        for item in result:
            yield from _arrays_in(item)


@pytest.mark.parametrize("integers", [False, True], ids=["float input", "integer input"])
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_good_arguments_are_left_unchanged_and_computed_in_float(case, integers):
    kwargs = {key: _as_integers(value) if integers else value
              for key, value in case.kwargs.items()}
    if case.function is attention.multi_head_attention_backward:
        kwargs["cache"] = copy.deepcopy(MHA_CACHE)
    before = {key: snapshot(value) for key, value in kwargs.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = case.function(**kwargs)
    for key, value in kwargs.items():
        assert snapshot(value) == before[key], f"{case.id} changed its argument {key}"
    if case.float_result:
        for array in _arrays_in(result):
            assert array.dtype.kind == "f", f"{case.id} returned {array.dtype}"
        if isinstance(result, (int, np.integer)) and not isinstance(result, bool):
            pytest.fail(f"{case.id} returned the integer {result!r}")
