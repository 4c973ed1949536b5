"""The fast layer (lessons_lib.fast) computes what the readable functions compute.

Every optimised function has a readable twin, the formula a lesson describes: loops
over windows, positions, filters. Here each pair meets random inputs and must agree
(exactly where the order of the additions is the same, to rounding elsewhere), and
each pair's docstrings point to one another.
"""

import importlib

import numpy as np
import pytest
from cases import (
    conv_cases,
    correlation_problems,
    depthwise_cases,
    pooling_problems,
    tolerance,
)
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lessons_lib import nn
from lessons_lib.convolution import correlate_loops, pad
from lessons_lib.datasets import pooling_example
from lessons_lib.fast import conv2d, parallel
from lessons_lib.fast import convolution as fast_convolution
from lessons_lib.fast import pooling as fast_pooling
from lessons_lib.nn.advanced import depthwise_backward_loops, depthwise_forward_loops
from lessons_lib.nn.layers import conv2d_backward_loops, conv2d_forward_loops
from lessons_lib.pooling import (
    avg_pool_backward_loops,
    avg_pool_loops,
    max_pool_backward_loops,
    max_pool_loops,
    pooled_shape,
)
from lessons_lib.shapes import output_size

# Each readable function and the fast functions that compute it.
TWINS = {
    "lessons_lib.pooling.max_pool_loops": [
        "lessons_lib.fast.pooling.window_max", "lessons_lib.fast.pooling.window_argmax",
        "lessons_lib.fast.pooling.max_pool_switches", "lessons_lib.fast.pooling.max_pool_layer"],
    "lessons_lib.pooling.max_pool_backward_loops": [
        "lessons_lib.fast.pooling.route_to_indices",
        "lessons_lib.fast.pooling.max_pool_switches_backward"],
    "lessons_lib.pooling.avg_pool_loops": ["lessons_lib.fast.pooling.window_mean"],
    "lessons_lib.pooling.avg_pool_backward_loops": ["lessons_lib.fast.pooling.spread_mean"],
    "lessons_lib.convolution.correlate_loops": [
        "lessons_lib.fast.convolution.correlate_padded",
        "lessons_lib.fast.convolution.correlate_direct",
        "lessons_lib.fast.convolution.correlate_fft"],
    "lessons_lib.nn.layers.conv2d_forward_loops": [
        "lessons_lib.fast.conv2d.conv2d_forward", "lessons_lib.fast.conv2d.conv2d_layer_forward",
        "lessons_lib.fast.conv2d.conv_relu_pool_forward"],
    "lessons_lib.nn.layers.conv2d_backward_loops": [
        "lessons_lib.fast.conv2d.conv2d_backward",
        "lessons_lib.fast.conv2d.conv2d_layer_backward",
        "lessons_lib.fast.conv2d.conv_relu_pool_backward"],
    "lessons_lib.nn.advanced.depthwise_forward_loops": ["lessons_lib.fast.conv2d.depthwise_forward"],
    "lessons_lib.nn.advanced.depthwise_backward_loops": [
        "lessons_lib.fast.conv2d.depthwise_backward"],
}


def _function(dotted):
    module, name = dotted.rsplit(".", 1)
    return getattr(importlib.import_module(module), name)


@pytest.mark.parametrize("readable", TWINS)
def test_each_pair_of_docstrings_points_to_the_other(readable):
    fast = TWINS[readable]
    readable_doc = _function(readable).__doc__
    # The readable function names one of its fast versions; every fast one names it back.
    assert any(name.removeprefix("lessons_lib.") in readable_doc for name in fast), readable
    for name in fast:
        assert "Readable version" in _function(name).__doc__, name
        assert readable.rsplit(".", 1)[1] in _function(name).__doc__, (name, readable)


# -- pooling ----------------------------------------------------------------------------


@given(pooling_problems(max_side=7))
def test_pooling_kernels_equal_the_loops(problem):
    A, dout, size, stride = problem
    out_shape = pooled_shape(A.shape, size, stride)
    maxima, indices = fast_pooling.window_argmax(A, size, stride, out_shape)
    np.testing.assert_array_equal(fast_pooling.window_max(A, size, stride, out_shape),
                                  max_pool_loops(A, size, stride))
    np.testing.assert_array_equal(maxima, max_pool_loops(A, size, stride))
    # One gradient per window: the same additions in the same order as the loops.
    np.testing.assert_allclose(fast_pooling.route_to_indices(dout, indices, A.shape),
                               max_pool_backward_loops(A, dout, size, stride),
                               **tolerance(A.dtype))
    np.testing.assert_allclose(fast_pooling.window_mean(A, size, stride, out_shape),
                               avg_pool_loops(A, size, stride), **tolerance(A.dtype))
    np.testing.assert_allclose(fast_pooling.spread_mean(dout, A.shape, size, stride),
                               avg_pool_backward_loops(A, dout, size, stride),
                               **tolerance(A.dtype))


@given(pooling_problems())
def test_switches_give_the_maxima_and_the_gradient_of_the_loops(problem):
    A, _, size, _ = problem
    # The switches are for windows that tile the input: stride = size.
    expected = max_pool_loops(A, size, size)
    dout = np.linspace(-1, 1, expected.size, dtype=expected.dtype).reshape(expected.shape)
    out, switches = fast_pooling.max_pool_switches(A, size)
    np.testing.assert_array_equal(out, expected)
    assert out.dtype == expected.dtype
    dA = fast_pooling.max_pool_switches_backward(dout, switches, A.shape)
    np.testing.assert_array_equal(dA, max_pool_backward_loops(A, dout, size, size))
    assert dA.dtype == expected.dtype


def test_switches_backward_checks_dout():
    _, switches = fast_pooling.max_pool_switches(pooling_example())
    with pytest.raises(ValueError, match="dout must have the shape of the pooled output"):
        fast_pooling.max_pool_switches_backward(np.ones((3, 2)), switches, (4, 4))
    with pytest.raises(ValueError, match="finite"):
        fast_pooling.max_pool_switches_backward(np.full((2, 2), np.nan), switches, (4, 4))


@settings(max_examples=20)
@given(size=st.integers(1, 3), stride=st.integers(1, 3), seed=st.integers(0, 2**16))
def test_the_max_pool_layer_routes_equal_the_loops_on_threads(size, stride, seed):
    # Small integers (many ties) in a batch of several chunks, the last one short.
    N = parallel.CHUNK + 3
    x = np.random.default_rng(seed).integers(0, 3, (N, 2, 7, 8)).astype(np.float32)
    with nn.threads(2):
        y, backward = fast_pooling.max_pool_layer(x, size, stride)
        dout = np.linspace(-1, 1, y.size, dtype=np.float32).reshape(y.shape)
        dx = backward(dout)
    np.testing.assert_array_equal(y, max_pool_loops(x, size, stride))
    np.testing.assert_array_equal(dx, max_pool_backward_loops(x, dout, size, stride))


# -- correlation ----------------------------------------------------------------------------


@given(correlation_problems(ndims=(2,)))
def test_both_correlation_methods_equal_the_loops(problem):
    A, h, stride, edges = problem
    stride = (stride, stride) if isinstance(stride, int) else stride
    expected = correlate_loops(A, h, stride=stride, edges=edges)
    P = pad(A, tuple(0 if edges == "none" else (k - 1) // 2 for k in h.shape), edges)
    out_shape = tuple(output_size(n, k, s) for n, k, s in zip(P.shape, h.shape, stride,
                                                              strict=True))
    scale = max(1.0, np.abs(A).max() * np.abs(h).sum())
    for method in ("direct", "fft"):
        C = fast_convolution.correlate_padded(P, h, stride, out_shape, method)
        np.testing.assert_allclose(C, expected, rtol=0, atol=1e-9 * scale, err_msg=method)


# -- 2-D convolution -----------------------------------------------------------------------


def _conv_problem(case):
    N, C, F, k, stride, padding, H, W, seed = case
    rng = np.random.default_rng(seed)
    x, weights, b = rng.normal(size=(N, C, H, W)), rng.normal(size=(F, C, *k)), rng.normal(size=F)
    Ho, Wo = (output_size(n, kk, s, p) for n, kk, s, p in zip((H, W), k, stride, padding,
                                                              strict=True))
    return x, weights, b, rng.normal(size=(N, F, Ho, Wo)), stride, padding


@settings(max_examples=30)
@given(conv_cases())
def test_conv2d_forward_and_backward_equal_the_loops(case):
    x, weights, b, dout, stride, padding = _conv_problem(case)
    kwargs = {"stride": stride, "padding": padding}
    np.testing.assert_allclose(conv2d.conv2d_forward(x, weights, b, **kwargs),
                               conv2d_forward_loops(x, weights, b, **kwargs),
                               rtol=1e-10, atol=1e-12)
    for fast, loops in zip(conv2d.conv2d_backward(x, weights, dout, **kwargs),
                           conv2d_backward_loops(x, weights, dout, **kwargs), strict=True):
        np.testing.assert_allclose(fast, loops, rtol=1e-10, atol=1e-12)


@settings(max_examples=10)
@given(conv_cases())
def test_the_conv2d_layer_passes_equal_the_loops_on_threads(case):
    x, weights, b, dout, stride, padding = _conv_problem(case)
    # Enough samples for two chunks of the batch or more, the last one short.
    copies = (parallel.CHUNK + 1, 1, 1, 1)
    x, dout = np.tile(x, copies), np.tile(dout, copies)
    out = np.empty(dout.shape)
    dw, db = np.zeros(weights.shape), np.zeros(b.shape)
    with nn.threads(2):
        cols = conv2d.conv2d_layer_forward(x, weights, b, stride, padding, out)
        dx = conv2d.conv2d_layer_backward(cols, x.shape, weights, dout, stride, padding,
                                          input_grad=True, dw=dw, db=db)
    np.testing.assert_allclose(out, conv2d_forward_loops(x, weights, b, stride=stride,
                                                         padding=padding), rtol=1e-10, atol=1e-12)
    for fast, loops in zip((dx, dw, db), conv2d_backward_loops(x, weights, dout, stride=stride,
                                                               padding=padding), strict=True):
        np.testing.assert_allclose(fast, loops, rtol=1e-10, atol=1e-10)


@given(case=depthwise_cases)
def test_depthwise_forward_and_backward_equal_the_loops(case):
    rng = np.random.default_rng(case["seed"])
    x = rng.normal(size=(case["n"], case["c"], case["h"], case["h"] + 1))
    weights = rng.normal(size=(case["c"] * case["m"], 1, case["k"], case["k"]))
    b = rng.normal(size=case["c"] * case["m"])
    kwargs = {"stride": case["stride"], "padding": case["padding"]}
    o = conv2d.depthwise_forward(x, weights, b, **kwargs)
    np.testing.assert_allclose(o, depthwise_forward_loops(x, weights, b, **kwargs), atol=1e-12)
    dout = rng.normal(size=o.shape)
    for fast, loops in zip(conv2d.depthwise_backward(x, weights, dout, **kwargs),
                           depthwise_backward_loops(x, weights, dout, **kwargs), strict=True):
        np.testing.assert_allclose(fast, loops, rtol=1e-10, atol=1e-12)


# -- convolution, ReLU and max pooling in one pass ---------------------------------------


def _fused(x, weights, b, dout, stride, padding, size, threads, workspace=None):
    """Output and (dx, dw, db) of the fused Conv2D → ReLU → MaxPool2D passes."""
    out = np.empty(dout.shape, x.dtype)
    dw, db = np.zeros(weights.shape, x.dtype), np.zeros(b.shape, x.dtype)
    with nn.threads(threads):
        saved = conv2d.conv_relu_pool_forward(x, weights, b, stride, padding, size, out,
                                              workspace)
        dx = conv2d.conv_relu_pool_backward(saved, x.shape, weights, dout, stride, padding,
                                            input_grad=True, dw=dw, db=db, workspace=workspace)
    return out, dx, dw, db


@settings(max_examples=25)
@given(conv_cases(), st.integers(1, 3))
def test_conv_relu_pool_equals_the_three_readable_steps(case, size):
    x, weights, b, dout_conv, stride, padding = _conv_problem(case)
    N, F, Ho, Wo = dout_conv.shape
    assume(min(Ho, Wo) >= size)
    dout = np.random.default_rng(case[-1]).normal(size=(N, F, Ho // size, Wo // size))
    out, *grads = _fused(x, weights, b, dout, stride, padding, size, threads=1)
    conv = conv2d_forward_loops(x, weights, b, stride=stride, padding=padding)
    relu = np.maximum(conv, 0)
    np.testing.assert_allclose(out, max_pool_loops(relu, size, size), rtol=1e-10, atol=1e-12)
    # Backward through the pooling, then ReLU's derivative, then the convolution.
    d_conv = max_pool_backward_loops(relu, dout, size, size) * (conv > 0)
    expected = conv2d_backward_loops(x, weights, d_conv, stride=stride, padding=padding)
    for fast, loops in zip(grads, expected, strict=True):
        np.testing.assert_allclose(fast, loops, rtol=1e-10, atol=1e-10)


@settings(max_examples=15)
@given(conv_cases(), st.integers(1, 3), st.sampled_from([np.float32, np.float64]))
def test_conv_relu_pool_gives_the_numbers_of_the_three_fast_passes_on_any_threads(case, size,
                                                                                   dtype):
    x, weights, b, dout_conv, stride, padding = _conv_problem(case)
    N, F, Ho, Wo = dout_conv.shape
    assume(min(Ho, Wo) >= size)
    # Two chunks of the batch or more, the last one short; float32 as in training.
    copies = (parallel.CHUNK + 1, 1, 1, 1)
    x = np.tile(x, copies).astype(dtype)
    weights, b = weights.astype(dtype), b.astype(dtype)
    dout = np.random.default_rng(case[-1]).normal(
        size=(len(x), F, Ho // size, Wo // size)).astype(dtype)
    # The three passes one after the other, as the layers run them alone.
    conv = np.empty((len(x), F, Ho, Wo), dtype)
    cols = conv2d.conv2d_layer_forward(x, weights, b, stride, padding, conv)
    relu = np.maximum(conv, 0)
    pooled, route_back = fast_pooling.max_pool_layer(relu, size, size)
    dw, db = np.zeros(weights.shape, dtype), np.zeros(b.shape, dtype)
    dx = conv2d.conv2d_layer_backward(cols, x.shape, weights, route_back(dout) * (conv > 0),
                                      stride, padding, input_grad=True, dw=dw, db=db)
    workspace = parallel.Workspace()
    for threads in (1, 2, 2):  # the last pass reuses the workspace's arrays
        results = _fused(x, weights, b, dout, stride, padding, size, threads, workspace)
        for fused, unfused in zip(results, (pooled, dx, dw, db), strict=True):
            assert fused.dtype == dtype
            np.testing.assert_array_equal(fused, unfused)
