"""Bad input to the network layer: every layer, fit, the builders, refuse it by name.

Each case asserts a TypeError or ValueError whose message names the argument (``x``,
``dout``, ``y``, ``fan_in``...), no warning (pytest turns warnings into errors), and the
inputs unchanged. The tables list every layer of ``lessons_lib.nn`` with a batch it
takes; the property tests draw bad inputs for each.
"""

from __future__ import annotations

import pickle
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lessons_lib import architectures as arch
from lessons_lib import nn
from lessons_lib.nn.advanced import (
    BatchNorm,
    Concat,
    DepthwiseConv2D,
    GlobalAvgPool2D,
    PaddedMaxPool2D,
    PointwiseConv2D,
    Residual,
    SeparableConv2D,
    Sigmoid,
    Tanh,
    depthwise_backward_loops,
    depthwise_forward_loops,
    pointwise_backward,
    pointwise_forward,
)
from lessons_lib.nn.layers import conv2d_backward_loops, conv2d_forward_loops, init_weights
from lessons_lib.nn.transformer import (
    GELU,
    ClassToken,
    LayerNorm,
    MultiHeadSelfAttention,
    PatchEmbedding,
    PositionEmbedding,
    TokenDense,
    TokenPool,
    TransformerBlock,
    attention_maps,
    tiny_vit,
)

# name → (make the layer, a batch shape it takes, a shape it refuses for k = 1, 2, ...;
# None for a layer that takes any shape)
LAYERS = {
    "Conv2D": (lambda: nn.Conv2D(2, 3, 3, padding=1), (2, 2, 5, 5),
               lambda k: (2, 2 + k, 5, 5)),
    "ReLU": (nn.ReLU, (2, 3), None),
    "MaxPool2D": (nn.MaxPool2D, (2, 2, 4, 4), lambda k: (k, 4, 4)),
    "Flatten": (nn.Flatten, (2, 2, 3), lambda k: (k,)),
    "Dense": (lambda: nn.Dense(4, 3), (2, 4), lambda k: (2, 4 + k)),
    "Dropout": (lambda: nn.Dropout(0.5, rng=1), (2, 4), None),
    "Sequential": (lambda: nn.Sequential([nn.Dense(4, 3), nn.ReLU()]), (2, 4),
                   lambda k: (2, 4 + k)),
    "PointwiseConv2D": (lambda: PointwiseConv2D(2, 3), (2, 2, 4, 4),
                        lambda k: (2, 2 + k, 4, 4)),
    "DepthwiseConv2D": (lambda: DepthwiseConv2D(2, 3, padding=1), (2, 2, 4, 4),
                        lambda k: (2, 2 + k, 4, 4)),
    "SeparableConv2D": (lambda: SeparableConv2D(2, 3, 3, padding=1), (2, 2, 4, 4),
                        lambda k: (2, 2 + k, 4, 4)),
    "PaddedMaxPool2D": (PaddedMaxPool2D, (2, 2, 4, 4), lambda k: (k, 4, 4)),
    "GlobalAvgPool2D": (GlobalAvgPool2D, (2, 2, 4, 4), lambda k: (2, 4 + k)),
    "BatchNorm": (lambda: BatchNorm(2), (3, 2, 4, 4), lambda k: (3, 2 + k, 4, 4)),
    "Residual": (lambda: Residual([nn.Conv2D(2, 2, 3, padding=1)], activation=nn.ReLU()),
                 (2, 2, 4, 4), lambda k: (2, 2 + k, 4, 4)),
    "Concat": (lambda: Concat([PointwiseConv2D(2, 1), [PointwiseConv2D(2, 2), Tanh()]]),
               (2, 2, 4, 4), lambda k: (2, 2 + k, 4, 4)),
    "Sigmoid": (Sigmoid, (2, 3), None),
    "Tanh": (Tanh, (2, 3), None),
    "TokenDense": (lambda: TokenDense(4, 3), (2, 5, 4), lambda k: (2, 5, 4 + k)),
    "GELU": (GELU, (2, 5, 4), None),
    "LayerNorm": (lambda: LayerNorm(4), (2, 5, 4), lambda k: (2, 5, 4 + k)),
    "PatchEmbedding": (lambda: PatchEmbedding(1, 2, 4), (2, 1, 4, 4),
                       lambda k: (2, 1 + k, 4, 4)),
    "ClassToken": (lambda: ClassToken(4), (2, 5, 4), lambda k: (2, 5, 4 + k)),
    "PositionEmbedding": (lambda: PositionEmbedding(5, 4), (2, 5, 4), lambda k: (2, 5 + k, 4)),
    "MultiHeadSelfAttention": (lambda: MultiHeadSelfAttention(4, 2), (2, 5, 4),
                               lambda k: (2, 5, 4 + k)),
    "TransformerBlock": (lambda: TransformerBlock(4, 2), (2, 5, 4), lambda k: (2, 5, 4 + k)),
    "TokenPool": (TokenPool, (2, 5, 4), lambda k: (5 + k, 4)),
    "tiny_vit": (lambda: tiny_vit((1, 8, 8), 3, patch_size=4, embed_dim=4, depth=1,
                                  num_heads=2), (2, 1, 8, 8), lambda k: (2, 1 + k, 8, 8)),
}
NAMES = sorted(LAYERS)


def batch(shape, seed=0, dtype=np.float32):
    """A batch of small random numbers (some negative, none at ReLU's kink)."""
    values = np.random.default_rng(seed).normal(size=shape)
    values[np.abs(values) < 1e-3] = 0.5
    return values.astype(dtype)


def run_forward(name, dtype=np.float32):
    make, shape, _ = LAYERS[name]
    layer = make()
    x = batch(shape, dtype=dtype)
    return layer, x, layer(x)


def refuses(function, *args, match, **kwargs):
    """``function(*args, **kwargs)`` raises TypeError or ValueError matching ``match``,
    without a warning and without changing its arguments."""
    before = pickle.dumps((args, kwargs))
    with pytest.raises((TypeError, ValueError), match=match) as info:
        function(*args, **kwargs)
    assert pickle.dumps((args, kwargs)) == before, "an argument was modified"
    return info.value


# -- unit tests over every layer -----------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_integer_input_is_computed_in_floating_point(name):
    make, shape, _ = LAYERS[name]
    integers = np.arange(np.prod(shape)).reshape(shape) % 5 - 2
    y = make()(integers)
    assert y.dtype.kind == "f"
    np.testing.assert_allclose(y, make()(integers.astype(np.float32)), rtol=1e-6)


def test_sigmoid_of_integers_is_not_truncated():
    np.testing.assert_allclose(Sigmoid()(np.arange(-3, 4)), 1 / (1 + np.exp(-np.arange(-3, 4))),
                               rtol=1e-6)
    assert nn.Dropout(0.5, rng=0)(np.ones((1, 8), dtype=int)).max() == 2.0


@pytest.mark.parametrize("name", NAMES)
def test_float32_stays_float32_and_float64_stays_float64_where_the_layer_has_no_weights(name):
    layer, x, y = run_forward(name)
    assert y.dtype == np.float32
    if not layer.params:
        assert LAYERS[name][0]()(x.astype(np.float64)).dtype == np.float64


@pytest.mark.parametrize("name", NAMES)
def test_backward_before_forward_says_what_to_do(name):
    layer = LAYERS[name][0]()
    with pytest.raises(RuntimeError, match="call forward"):
        layer.backward(np.zeros((2, 3), dtype=np.float32))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_forward_refuses_nan_and_inf_naming_x(name, bad):
    make, shape, _ = LAYERS[name]
    x = batch(shape)
    x.flat[-1] = bad
    refuses(make(), x, match=r"^x of .* must contain only finite numbers")


@pytest.mark.parametrize("name", NAMES)
def test_forward_refuses_an_empty_batch(name):
    make, shape, _ = LAYERS[name]
    refuses(make(), np.zeros((0, *shape[1:]), dtype=np.float32), match=r"^x of .*empty")


@pytest.mark.parametrize("name", NAMES)
def test_backward_refuses_dout_of_another_shape_naming_the_expected_one(name):
    layer, _, y = run_forward(name)
    expected = re.escape(str(tuple(y.shape)))
    for shape in [(*y.shape, 1), y.shape[:-1], (y.shape[0] + 1, *y.shape[1:])]:
        error = refuses(layer.backward, np.zeros(shape, dtype=np.float32),
                        match=rf"^dout of .* must have the shape of its last output, {expected}")
        assert str(tuple(shape)) in str(error)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [np.int64, np.complex128, bool, object, str])
def test_backward_refuses_dout_that_is_not_float(name, dtype):
    layer, _, y = run_forward(name)
    dout = np.ones(y.shape).astype(dtype)
    expected = re.escape(str(tuple(y.shape)))
    with pytest.raises(TypeError, match=rf"^dout of .* must be an array of floats .*{expected}"):
        layer.backward(dout)


@pytest.mark.parametrize("name", NAMES)
def test_backward_refuses_nan_dout_and_accepts_the_right_one_unchanged(name):
    layer, x, y = run_forward(name)
    dout = batch(y.shape, seed=1)
    dout.flat[0] = np.nan
    refuses(layer.backward, dout, match=r"^dout of .* finite")
    dout.flat[0] = 0.5
    before = dout.copy()
    dx = layer.backward(dout)
    np.testing.assert_array_equal(dout, before)
    assert dx.shape == x.shape and np.isfinite(dx).all()


@pytest.mark.parametrize("name", NAMES)
def test_forward_and_backward_leave_x_and_dout_unchanged(name):
    make, shape, _ = LAYERS[name]
    layer, x = make(), batch(shape)
    before = x.copy()
    y = layer(x)
    dout = batch(y.shape, seed=2)
    dout_before = dout.copy()
    layer.backward(dout)
    np.testing.assert_array_equal(x, before)
    np.testing.assert_array_equal(dout, dout_before)


def test_inside_a_network_the_batch_is_scanned_once_and_an_overflow_is_a_diverged_run():
    model = nn.Sequential([nn.Dense(2, 2, rng=1), nn.ReLU(), nn.Dense(2, 3, rng=2)])
    x = np.ones((4, 2), dtype=np.float32)
    model[0].params["W"][...] = 3e38  # finite weights whose products overflow
    with pytest.raises(nn.TrainingDiverged, match="infinite or NaN"):
        nn.train_step(model, nn.SGD(model, lr=0.1), x, np.zeros(4, dtype=int))
    # The scans are off only inside the network: a layer called alone still scans.
    with pytest.raises(ValueError, match=r"^x of ReLU\(\) must contain only finite"):
        model[1](np.full((1, 2), np.inf))


def test_a_failing_layer_does_not_leave_the_scans_switched_off():
    model = nn.Sequential([nn.Dense(2, 2), nn.Conv2D(1, 1, 1)])
    with pytest.raises(ValueError, match="Conv2D"):
        model(np.ones((1, 2)))
    with pytest.raises(ValueError, match="finite"):
        nn.ReLU()(np.array([np.nan]))


def test_composite_layers_check_their_parts():
    with pytest.raises(TypeError, match=r"body must be a Layer or a list of layers"):
        Residual(None)
    with pytest.raises(TypeError, match=r"branches\[1\] must be a Layer"):
        Concat([nn.ReLU(), "relu"])
    with pytest.raises(TypeError, match="layers must be a list"):
        nn.Sequential(nn.ReLU())
    with pytest.raises(ValueError, match="projection shortcut"):
        Residual([nn.Conv2D(2, 3, 1)]).output_shape((2, 4, 4))


def test_a_flatten_dout_of_the_same_size_but_another_shape_is_refused():
    flat = nn.Flatten()
    flat(np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match=r"\(2, 12\), got \(4, 6\)"):
        flat.backward(np.zeros((4, 6)))


def test_batchnorm_backward_follows_the_statistics_its_forward_used():
    bn = BatchNorm(2).astype(np.float64)
    x = batch((4, 2), dtype=np.float64)
    bn(x)
    bn.eval()  # switched after the forward pass: backward still uses the batch statistics
    trained = bn.backward(np.ones((4, 2)))
    np.testing.assert_allclose(trained, 0, atol=1e-12)  # a constant dout is normalised away


# -- constructors and helpers --------------------------------------------------------------


@pytest.mark.parametrize(("make", "name"), [
    (lambda v: nn.Conv2D(v, 2, 3), "in_channels"),
    (lambda v: nn.Conv2D(1, v, 3), "out_channels"),
    (lambda v: nn.Conv2D(1, 2, v), "kernel_size"),
    (lambda v: nn.Conv2D(1, 2, 3, stride=v), "stride"),
    (lambda v: nn.Dense(v, 2), "in_features"),
    (lambda v: nn.Dense(2, v), "out_features"),
    (lambda v: nn.MaxPool2D(v), "size"),
    (lambda v: nn.MaxPool2D(2, v), "stride"),
    (lambda v: PointwiseConv2D(v, 2), "in_channels"),
    (lambda v: DepthwiseConv2D(v, 3), "channels"),
    (lambda v: DepthwiseConv2D(2, 3, multiplier=v), "multiplier"),
    (lambda v: SeparableConv2D(v, 2, 3), "in_channels"),
    (lambda v: SeparableConv2D(2, v, 3), "out_channels"),
    (lambda v: PaddedMaxPool2D(v), "size"),
    (lambda v: BatchNorm(v), "num_features"),
    (lambda v: LayerNorm(v), "features"),
    (lambda v: PatchEmbedding(1, v, 4), "patch_size"),
    (lambda v: PatchEmbedding(1, 2, v), "embed_dim"),
    (lambda v: ClassToken(v), "embed_dim"),
    (lambda v: PositionEmbedding(v, 4), "num_tokens"),
    (lambda v: MultiHeadSelfAttention(4, v), "num_heads"),
    (lambda v: TransformerBlock(v, 1), "embed_dim"),
    (lambda v: tiny_vit((1, 8, 8), 3, depth=v, patch_size=4), "depth"),
    (lambda v: tiny_vit((1, 8, 8), v, patch_size=4), "num_classes"),
])
@pytest.mark.parametrize("value", [0, -3, 2.5, float("nan"), "3", None, True])
def test_layer_constructors_refuse_sizes_that_are_not_positive_integers(make, name, value):
    refuses(make, value, match=name)


@pytest.mark.parametrize(("make", "words"), [
    (lambda: nn.Dense(10**7, 10**7), "Dense(in_features=10000000, out_features=10000000)"),
    (lambda: nn.Conv2D(10**4, 10**4, 100), "Conv2D(in_channels=10000, out_channels=10000, "
                                           "kernel_size=(100, 100))"),
    (lambda: DepthwiseConv2D(10**9, 10**3), "DepthwiseConv2D(channels=1000000000"),
    (lambda: BatchNorm(10**12), "BatchNorm(num_features=1000000000000)"),
    (lambda: LayerNorm(10**12), "LayerNorm(features=1000000000000)"),
    (lambda: PositionEmbedding(10**6, 10**6), "PositionEmbedding(num_tokens=1000000"),
    (lambda: MultiHeadSelfAttention(10**6, 1), "MultiHeadSelfAttention(embed_dim=1000000)"),
    (lambda: init_weights((10**6, 10**7), 1, 1), "weights of shape (1000000, 10000000)"),
])
def test_layers_larger_than_the_memory_limit_are_refused_before_allocating(make, words):
    with pytest.raises(ValueError, match=re.escape(words) + ".* of memory, more than the limit"):
        make()


@pytest.mark.parametrize(("kwargs", "error", "words"), [
    ({"fan_in": float("nan")}, TypeError, "fan_in must be an integer >= 1, got nan"),
    ({"fan_in": 0}, ValueError, "fan_in must be an integer >= 1, got 0"),
    ({"fan_in": -2}, ValueError, "fan_in"),
    ({"fan_out": 0, "init": "glorot"}, ValueError, "fan_out"),
    ({"shape": (2, -1)}, ValueError, "shape must be an integer >= 1, got -1"),
    ({"shape": 3}, TypeError, "shape must be a non-empty tuple"),
    ({"dtype": np.int32}, TypeError, "dtype must be a floating-point dtype"),
    ({"dtype": "weights"}, TypeError, "dtype must be a floating-point dtype"),
    ({"init": "zeros"}, ValueError, "init must be one of 'he', 'glorot'"),
    ({"rng": -1}, TypeError, "rng must be an int seed >= 0"),
])
def test_init_weights_refuses_nonsense_by_name(kwargs, error, words):
    arguments = {"shape": (2, 3), "fan_in": 3, "fan_out": 2, **kwargs}
    with pytest.raises(error, match=re.escape(words)):
        init_weights(arguments.pop("shape"), arguments.pop("fan_in"), arguments.pop("fan_out"),
                     **arguments)


@pytest.mark.parametrize(("make", "error", "name"), [
    (lambda: nn.Dropout(1.0), ValueError, r"p must be a number in \[0, 1\)"),
    (lambda: nn.Dropout(-0.1), ValueError, "p must"),
    (lambda: nn.Dropout(float("nan")), ValueError, "p must"),
    (lambda: nn.Dropout("0.5"), TypeError, "p must"),
    (lambda: nn.Dropout(0.5, rng=-1), TypeError, "rng"),
    (lambda: nn.Conv2D(1, 2, 3, padding=-1), ValueError, "padding"),
    (lambda: nn.Conv2D(1, 2, 3, input_grad="no"), TypeError, "input_grad must be True or False"),
    (lambda: nn.Dense(2, 2, dtype=int), TypeError, "dtype must be a floating-point"),
    (lambda: ClassToken(4, dtype=np.int8), TypeError, "dtype must be a floating-point"),
    (lambda: DepthwiseConv2D(2, 3, bias=1), TypeError, "bias must be True or False"),
    (lambda: BatchNorm(2, eps=0), ValueError, r"eps must be a number in \(0, inf\)"),
    (lambda: BatchNorm(2, eps=float("inf")), ValueError, "eps"),
    (lambda: BatchNorm(2, momentum="a"), TypeError, "momentum"),
    (lambda: BatchNorm(2, momentum=1.5), ValueError, "momentum"),
    (lambda: LayerNorm(2, eps=-1.0), ValueError, "eps"),
    (lambda: PaddedMaxPool2D(3, 1, 2), ValueError, "padding must be at most"),
    (lambda: nn.Dense(2, 2).astype(np.int64), TypeError, "dtype must be a floating-point"),
    (lambda: nn.SGD(nn.Dense(1, 1), lr=10**400), ValueError, "lr"),
    (lambda: nn.Adam(nn.Dense(1, 1), betas=(0.9, 1.0)), ValueError, r"betas\[1\]"),
    (lambda: nn.Adam(nn.Dense(1, 1), betas=0.9), TypeError, "betas must be a pair"),
])
def test_constructors_refuse_nonsense_settings_by_name(make, error, name):
    with pytest.raises(error, match=name):
        make()


@pytest.mark.parametrize(("call", "error", "words"), [
    (lambda: nn.summary(nn.ReLU(), (1, 2)), TypeError, "model must be a Sequential"),
    (lambda: nn.summary(nn.Sequential([nn.ReLU()]), None), TypeError, "input_shape"),
    (lambda: nn.summary(nn.Sequential([nn.ReLU()]), (1, -2)), ValueError, "input_shape"),
    (lambda: nn.format_summary([{"layer": "x"}]), TypeError, "rows must be the list"),
    (lambda: nn.Dense(3, 2).output_shape((4,)), ValueError, r"input_shape .* \(3,\), got \(4,\)"),
    (lambda: nn.Dropout(0.5).output_shape((10**6, 10**6, 10**6)), ValueError, "memory"),
])
def test_shape_helpers_refuse_bad_arguments(call, error, words):
    with pytest.raises(error, match=words):
        call()


@pytest.mark.parametrize(("call", "name"), [
    (lambda: conv2d_forward_loops(np.ones((1, 1, 3, 3)), np.ones((1, 2, 2, 2)), np.zeros(1)),
     r"w must be shaped \(C_out, 1, kh, kw\)"),
    (lambda: conv2d_forward_loops(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)), np.zeros(2)),
     r"b must have shape \(1,\)"),
    (lambda: conv2d_backward_loops(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)), None),
     "dout"),
    (lambda: conv2d_backward_loops(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)),
                                   np.ones((1, 1, 3, 3))), r"dout must have shape \(1, 1, 2, 2\)"),
    (lambda: conv2d_forward_loops(np.ones((1, 1, 2, 2)), np.ones((1, 1, 3, 3)), np.zeros(1)),
     "smaller than the kernel"),
    (lambda: pointwise_forward(np.ones((1, 2, 3, 3)), np.ones((1, 2, 2, 2)), np.zeros(1)),
     r"w must be shaped \(C_out, C, 1, 1\)"),
    (lambda: pointwise_backward(np.ones((1, 2, 3, 3)), np.ones((1, 2, 1, 1)), [[1]]), "dout"),
    (lambda: depthwise_forward_loops(np.ones((1, 2, 3, 3)), np.ones((3, 1, 2, 2)), np.zeros(3)),
     "m' filters for each of the 2 channels"),
    (lambda: depthwise_backward_loops(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)),
                                      np.full((1, 1, 2, 2), np.nan)), "dout .*finite"),
    (lambda: conv2d_forward_loops([[1, 2], [3]], np.ones((1, 1, 1, 1)), np.zeros(1)),
     "x must be a rectangular array"),
])
def test_the_readable_convolutions_check_their_arguments(call, name):
    with pytest.raises((TypeError, ValueError), match=name):
        call()


# -- training --------------------------------------------------------------------------------


def blobs(n=60, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 2)).astype(np.float32), rng.integers(0, 3, n)


def mlp():
    return nn.Sequential([nn.Dense(2, 4), nn.ReLU(), nn.Dense(4, 3, init="glorot")])


@pytest.mark.parametrize(("change", "error", "words"), [
    ({"validation_data": blobs(10, 1)[0]}, TypeError,
     r"validation_data must be a pair \(x_val, y_val\), got an array of shape \(10, 2\)"),
    ({"validation_data": (blobs(10, 1)[0],)}, TypeError, "validation_data must be a pair"),
    ({"validation_data": (blobs(10, 1)[0], np.arange(9))}, ValueError,
     r"validation_data\[1\] must have shape \(10,\)"),
    ({"y": None}, TypeError, "y must be integer class labels, one per sample of x, got None"),
    ({"x": np.zeros((0, 2)), "y": np.zeros(0, dtype=int)}, ValueError,
     r"x must not be empty, got shape \(0, 2\)"),
    ({"x": [[1.0, 2.0], [3.0]]}, ValueError, "x must be a rectangular array"),
    ({"x": np.zeros(60)}, ValueError, r"x must be a batch \(N, \.\.\.\)"),
    ({"x": np.full((60, 2), "a")}, TypeError, "x must be an array of real numbers"),
    ({"x": np.ones((60, 2), dtype=bool)}, TypeError, "x must be an array of real numbers"),
    ({"x": np.full((60, 2), 1e300)}, ValueError, "x holds values beyond the range of float32"),
    ({"y": [[0, 1]] * 30}, ValueError, r"y must have shape \(60,\)"),
    ({"y": np.full(60, -1)}, ValueError, r"class labels in \[0, 2\]"),
    ({"y": np.array(["a"] * 60)}, TypeError, "y must be integer class labels"),
    ({"epochs": 10**12}, ValueError, r"epochs must be at most 10000 \(MAX_EPOCHS\)"),
    ({"epochs": 2.0}, TypeError, "epochs"),
    ({"batch_size": 0}, ValueError, "batch_size"),
    ({"seed": -1}, TypeError, "seed must be an int seed >= 0"),
    ({"seed": "a"}, TypeError, "seed"),
    ({"progress": "no"}, TypeError, "progress must be True or False"),
    ({"callback": 3}, TypeError, "callback must be a function"),
    ({"early_stopping": 0}, ValueError, "early_stopping"),
    ({"optimizer": "adam"}, TypeError, "optimizer must be an Optimizer"),
    ({"threads": 0}, ValueError, "threads"),
])
def test_fit_refuses_bad_arguments_before_training(change, error, words):
    x, y = blobs()
    arguments = {"x": x, "y": y, "epochs": 1, "progress": False, **change}
    model = mlp()
    before = {k: v.copy() for k, v in model.params.items()}
    with pytest.raises(error, match=words):
        nn.fit(model, arguments.pop("x"), arguments.pop("y"), **arguments)
    assert all(np.array_equal(before[k], v) for k, v in model.params.items())


@pytest.mark.parametrize("function", [nn.predict, nn.predict_proba, nn.predict_logits])
def test_prediction_refuses_a_model_that_is_not_a_layer(function):
    with pytest.raises(TypeError, match="model must be a Layer .* got function"):
        function(lambda v: v, blobs()[0])


def test_evaluate_and_train_step_check_their_arguments():
    x, y = blobs()
    model = mlp()
    with pytest.raises(TypeError, match="y must be integer class labels"):
        nn.evaluate(model, x, None)
    with pytest.raises(ValueError, match=r"y must have shape \(60,\)"):
        nn.evaluate(model, x, y[:10])
    with pytest.raises(ValueError, match="built on this model"):
        nn.train_step(model, nn.Adam(mlp()), x, y)
    with pytest.raises(ValueError, match=r"model must give one logit per class"):
        nn.evaluate(nn.Sequential([nn.Conv2D(1, 3, 1)]), np.ones((2, 1, 2, 2)), [0, 1])


# -- the vision transformer -----------------------------------------------------------------


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"depth": 10**12}, r"depth must be at most 1000 \(MAX_DEPTH\), got 1000000000000"),
    ({"embed_dim": 10**5, "num_heads": 1},
     r"tiny_vit\(\(1, 32, 32\), embed_dim=100000, .*memory"),
    ({"num_heads": 3}, "num_heads must divide embed_dim = 32"),
    ({"position": "rotary"}, "position must be one of"),
    ({"dtype": np.int32}, "dtype must be a floating-point"),
    ({"rng": "seed"}, "rng"),
])
def test_tiny_vit_refuses_huge_or_bad_requests_up_front(kwargs, words):
    with pytest.raises((TypeError, ValueError), match=words):
        tiny_vit((1, 32, 32), 3, **kwargs)


def test_the_vit_helpers_check_their_arguments():
    with pytest.raises(TypeError, match="model must be a Sequential"):
        attention_maps(nn.ReLU())
    model = tiny_vit((1, 8, 8), 3, patch_size=4, embed_dim=4, depth=1, num_heads=2)
    with pytest.raises(RuntimeError, match="call the model on a batch first"):
        attention_maps(model)
    with pytest.raises(ValueError, match=r"must have 5 tokens, got shape \(4, 4\)"):
        model[2].output_shape((4, 4))


# -- property tests ---------------------------------------------------------------------------


def _nonfinite(shape):
    return st.tuples(st.integers(0, int(np.prod(shape)) - 1),
                     st.sampled_from([np.nan, np.inf, -np.inf])).map(
        lambda c: _with_value(batch(shape), *c))


def _with_value(array, index, value):
    array.flat[index] = value
    return array


def _wrong_dtype(shape):
    return st.sampled_from([
        np.ones(shape, dtype=complex), np.ones(shape, dtype=bool),
        np.full(shape, "1"), np.full(shape, None, dtype=object),
        np.ones(shape).astype(object),
    ])


def _odd_objects():
    return st.sampled_from([None, "x", 3 + 2j, [[1.0, 2.0], [3.0]], [[[1.0], [2.0, 3.0]]],
                            {"x": 1}, object()])


def bad_inputs(name):
    """Values that ``LAYERS[name]`` cannot take as ``x``."""
    _, shape, wrong_shape = LAYERS[name]
    options = [_nonfinite(shape), _wrong_dtype(shape), _odd_objects(),
               st.just(np.zeros((0, *shape[1:]), dtype=np.float32)),
               st.just(np.float32(np.nan))]
    if wrong_shape is not None:
        options.append(st.integers(1, 4).map(lambda k: batch(wrong_shape(k))))
    return st.one_of(options)


@settings(max_examples=15)
@given(data=st.data())
@pytest.mark.parametrize("name", NAMES)
def test_property_every_forward_refuses_bad_x_by_name(name, data):
    refuses(LAYERS[name][0](), data.draw(bad_inputs(name)), match=r"^x of ")


def bad_douts(shape):
    wrong_shapes = st.lists(st.integers(1, 6), min_size=1, max_size=5).map(tuple).filter(
        lambda s: s != tuple(shape)).map(lambda s: np.zeros(s, dtype=np.float32))
    return st.one_of(wrong_shapes, _nonfinite(shape), _wrong_dtype(shape), _odd_objects(),
                     st.just(np.zeros(shape, dtype=np.int64)))


@settings(max_examples=15)
@given(data=st.data())
@pytest.mark.parametrize("name", NAMES)
def test_property_every_backward_refuses_bad_dout_by_name(name, data):
    layer, _, y = run_forward(name)
    dout = data.draw(bad_douts(y.shape))
    refuses(layer.backward, dout, match=r"\bdout\b")


BAD_SIZES = st.one_of(st.integers(max_value=0), st.floats(allow_nan=True),
                      st.sampled_from([None, "3", True, 3j, [3]]))
HUGE_SIZES = st.integers(10**13, 10**30)


@settings(max_examples=20)
@given(value=st.one_of(BAD_SIZES, HUGE_SIZES), which=st.sampled_from(["fan_in", "fan_out"]))
def test_property_init_weights_refuses_bad_fans(value, which):
    fans = {"fan_in": 3, "fan_out": 2, which: value}
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        # A huge fan is a valid number: only the weights' shape decides the memory.
        assert init_weights((2, 3), **fans).shape == (2, 3)
        return
    refuses(init_weights, (2, 3), init="glorot", match=which, **fans)


CONSTRUCTORS = {
    "Conv2D.out_channels": (lambda v: nn.Conv2D(1, v, 3), "out_channels"),
    "Conv2D.kernel_size": (lambda v: nn.Conv2D(1, 1, v), "kernel_size"),
    "Dense.in_features": (lambda v: nn.Dense(v, 2), "in_features"),
    "DepthwiseConv2D.multiplier": (lambda v: DepthwiseConv2D(2, 3, multiplier=v),
                                   "multiplier"),
    "BatchNorm.num_features": (lambda v: BatchNorm(v), "num_features"),
    "LayerNorm.features": (lambda v: LayerNorm(v), "features"),
    "PatchEmbedding.embed_dim": (lambda v: PatchEmbedding(1, 2, v), "embed_dim"),
    "PositionEmbedding.num_tokens": (lambda v: PositionEmbedding(v, 4), "num_tokens"),
    "tiny_vit.depth": (lambda v: tiny_vit((1, 8, 8), 3, depth=v, patch_size=4), "depth"),
    "tiny_vit.embed_dim": (lambda v: tiny_vit((1, 8, 8), 3, embed_dim=v, num_heads=1,
                                              patch_size=4), "embed_dim"),
    "arch.conv.out_channels": (lambda v: arch.conv(v, 3), "out_channels"),
    "arch.dense.out_features": (lambda v: arch.dense(v), "out_features"),
    "arch.maxpool.size": (lambda v: arch.maxpool(v), "size"),
}


@settings(max_examples=20)
@given(value=st.one_of(BAD_SIZES, HUGE_SIZES))
@pytest.mark.parametrize("key", sorted(CONSTRUCTORS))
def test_property_constructors_refuse_bad_or_huge_sizes(key, value):
    make, name = CONSTRUCTORS[key]
    if key.startswith("arch.") and isinstance(value, int) and not isinstance(value, bool) \
            and value > 0:
        make(value)  # a spec is only numbers: a huge one is refused when it is built
        return
    refuses(make, value, match=name)


@settings(max_examples=25)
@given(case=st.one_of(
    st.tuples(st.just("x"), _nonfinite((60, 2))),
    st.tuples(st.just("x"), _wrong_dtype((60, 2))),
    st.tuples(st.just("x"), _odd_objects()),
    st.tuples(st.just("y"), st.integers(-5, 10).filter(lambda n: n not in (0, 1, 2)).map(
        lambda n: np.full(60, n))),
    st.tuples(st.just("y"), st.integers(0, 80).filter(lambda n: n != 60).map(
        lambda n: np.zeros(n, dtype=int))),
    st.tuples(st.just("y"), _wrong_dtype((60,))),
    st.tuples(st.just("y"), _odd_objects()),
))
def test_property_fit_predict_and_evaluate_refuse_bad_data_by_name(case):
    name, value = case
    x, y = blobs()
    arguments = {"x": x, "y": y, name: value}
    model = mlp()
    refuses(nn.fit, model, arguments["x"], arguments["y"], epochs=1, progress=False,
            match=rf"\b{name}\b")
    refuses(nn.evaluate, model, arguments["x"], arguments["y"], match=rf"\b{name}\b")
    if name == "x":
        refuses(nn.predict, model, value, match=r"\bx\b")


SPEC_SETTINGS = st.one_of(BAD_SIZES, st.sampled_from(["same", (1, 2, 3), [0, 1]]))


@settings(max_examples=25)
@given(key=st.sampled_from(["out_channels", "kernel_size", "stride", "padding", "groups",
                            "bias"]), value=SPEC_SETTINGS)
def test_property_hand_made_specs_are_refused_naming_the_setting(key, value):
    spec = arch.conv(4, 3, padding=1)
    spec[key] = value
    if (key, value) in (("padding", "same"), ("bias", True), ("bias", False)):
        return  # valid settings
    refuses(arch.summarize, [arch.relu(), spec], (1, 8, 8), match=rf"layer 1: .*{key}")


@settings(max_examples=25)
@given(shape=st.one_of(_odd_objects(), st.lists(st.one_of(BAD_SIZES, st.integers(1, 4)),
                                                min_size=0, max_size=4).filter(
    lambda s: not (len(s) == 3 and all(isinstance(n, int) and not isinstance(n, bool)
                                       and n > 0 for n in s)))))
def test_property_architecture_tables_refuse_bad_input_shapes(shape):
    for function in (arch.summarize, arch.count_params, arch.build):
        refuses(function, [arch.conv(2, 1)], shape, match="input_shape")
