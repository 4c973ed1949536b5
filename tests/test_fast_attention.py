"""lessons_lib.fast.attention computes what the readable multi-head attention computes.

The readable functions (lessons_lib.attention) follow the slides one formula at a time;
the fast twins fold the scale into W_Q, take the softmax in place and its backward
inside a matrix product. Here both meet random problems (odd token and head counts,
float32 and float64, scores small and large) and must agree to rounding; the fast
backward passes a numerical gradient check of its own, and its numbers do not depend
on the number of threads.
"""

import numpy as np
import pytest
from cases import tolerance
from hypothesis import given
from hypothesis import strategies as st

from lessons_lib import attention, nn
from lessons_lib.backprop import numerical_gradient, relative_error
from lessons_lib.fast import attention as fast
from lessons_lib.fast import parallel

WEIGHTS = ("W_Q", "W_K", "W_V", "W_O")


@st.composite
def problems(draw):
    """X, the four weights, num_heads and dZ of a batch; sizes small and often odd."""
    B, N = draw(st.integers(1, 3)), draw(st.integers(1, 9))
    E, E_out = draw(st.integers(1, 5)), draw(st.integers(1, 4))
    num_heads, d_k = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    # Large inputs make scores in the hundreds: the softmax must shift them.
    size = draw(st.sampled_from([0.3, 1.0, 8.0]))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    D = num_heads * d_k
    X = size * rng.normal(size=(B, N, E))
    weights = [rng.normal(size=(E, D)) for _ in range(3)] + [rng.normal(size=(D, E_out))]
    dZ = rng.normal(size=(B, N, E_out))
    return [a.astype(dtype) for a in (X, *weights)], num_heads, dZ.astype(dtype)


def assert_close(fast_value, exact, dtype, scores):
    """``fast_value`` within rounding of ``exact``, relative to how large the scores are.

    A softmax magnifies an error in a score by the score's size, so the tolerance grows
    with the largest score.
    """
    assert fast_value.dtype == dtype and fast_value.shape == exact.shape
    tolerance = 500 * np.finfo(dtype).eps * (1 + scores) * max(1.0, np.abs(exact).max())
    np.testing.assert_allclose(fast_value, exact, rtol=0, atol=tolerance)


def _readable_in_float64(arrays, num_heads, dZ):
    """The readable forward and backward on the same numbers, in float64."""
    X, *weights = (a.astype(np.float64) for a in arrays)
    Z, A, cache = attention.multi_head_attention_forward(X, *weights, num_heads)
    grads = attention.multi_head_attention_backward(dZ.astype(np.float64), cache)
    Q = attention.split_heads(X @ weights[0], num_heads)
    K = attention.split_heads(X @ weights[1], num_heads)
    scores = float(np.abs(Q @ np.swapaxes(K, -1, -2)).max()) / np.sqrt(Q.shape[-1])
    return Z, A, grads, scores


@given(problems())
def test_forward_and_backward_equal_the_readable_functions(problem):
    arrays, num_heads, dZ = problem
    dtype = arrays[0].dtype
    Z, A, cache = fast.multi_head_attention_forward(*arrays, num_heads)
    grads = fast.multi_head_attention_backward(dZ, cache)
    exact_Z, exact_A, exact_grads, scores = _readable_in_float64(arrays, num_heads, dZ)
    assert_close(Z, exact_Z, dtype, scores)
    assert_close(A, exact_A, dtype, scores)
    np.testing.assert_allclose(A.sum(axis=-1), 1, rtol=0, atol=10 * np.finfo(dtype).eps)
    for name in ("X", *WEIGHTS):
        assert_close(grads[name], exact_grads[name], dtype, scores)


@pytest.mark.parametrize("num_heads, d_k", [(1, 3), (3, 2)])
def test_the_backward_pass_passes_a_numerical_gradient_check(num_heads, d_k):
    rng = np.random.default_rng(num_heads)
    B, N, E = 2, 5, 4
    D = num_heads * d_k
    inputs = {"X": rng.normal(size=(B, N, E)), "W_Q": rng.normal(size=(E, D)),
              "W_K": rng.normal(size=(E, D)), "W_V": rng.normal(size=(E, D)),
              "W_O": rng.normal(size=(D, 3))}
    R = rng.normal(size=(B, N, 3))
    _, _, cache = fast.multi_head_attention_forward(*inputs.values(), num_heads)
    grads = fast.multi_head_attention_backward(R, cache)
    for name, value in inputs.items():
        def loss(v, name=name):
            changed = {**inputs, name: v}
            return float(np.sum(fast.multi_head_attention_forward(
                *changed.values(), num_heads)[0] * R))

        error = relative_error(grads[name], numerical_gradient(loss, value))
        assert error < 1e-7, f"d{name}: relative error {error:.1e}"


def _batch_over_several_chunks(dtype=np.float32):
    rng = np.random.default_rng(7)
    # Two chunks and a short third: the batch is split between threads.
    B, N, E, num_heads = 2 * parallel.CHUNK + 3, 9, 6, 3
    X = rng.normal(size=(B, N, E)).astype(dtype)
    weights = [(rng.normal(size=(E, E)) / 2).astype(dtype) for _ in range(4)]
    return X, weights, num_heads, rng.normal(size=(B, N, E)).astype(dtype)


def _run(X, weights, num_heads, dZ, workspace=None):
    Z, A, cache = fast.multi_head_attention_forward(X, *weights, num_heads, workspace)
    return Z, A, fast.multi_head_attention_backward(dZ, cache, workspace)


def test_the_numbers_do_not_depend_on_the_number_of_threads():
    X, weights, num_heads, dZ = _batch_over_several_chunks()
    results = []
    for threads in (1, 2, 3):
        with nn.threads(threads):
            results.append(_run(X, weights, num_heads, dZ))
    for other in results[1:]:
        np.testing.assert_array_equal(other[0], results[0][0])
        np.testing.assert_array_equal(other[1], results[0][1])
        for name in ("X", *WEIGHTS):
            np.testing.assert_array_equal(other[2][name], results[0][2][name], err_msg=name)
    exact_Z, exact_A, exact_grads, scores = _readable_in_float64([X, *weights], num_heads, dZ)
    assert_close(results[0][0], exact_Z, np.float32, scores)
    assert_close(results[0][2]["W_Q"], exact_grads["W_Q"], np.float32, scores)


def test_a_workspace_gives_the_same_numbers_as_fresh_arrays_whatever_came_before():
    X, weights, num_heads, dZ = _batch_over_several_chunks()
    fresh = _run(X, weights, num_heads, dZ)
    workspace = parallel.Workspace()
    # Another batch size and dtype first: the workspace's arrays must be replaced.
    small = [a[:5].astype(np.float64) for a in (X, dZ)]
    _run(small[0], [w.astype(np.float64) for w in weights], num_heads, small[1], workspace)
    for _ in range(2):
        again = _run(X, weights, num_heads, dZ, workspace)
        np.testing.assert_array_equal(again[0], fresh[0])
        np.testing.assert_array_equal(again[1], fresh[1])
        for name in ("X", *WEIGHTS):
            np.testing.assert_array_equal(again[2][name], fresh[2][name], err_msg=name)


def test_scores_far_apart_give_the_readable_softmax_with_exact_zeros():
    # Scores of ±1e30: the shift by each row's largest score is needed, and a score
    # so far below it gets weight exactly 0, as in the readable softmax.
    X = np.array([[[1e15, 0.0], [-1e15, 0.0], [0.0, 1.0]]])
    for dtype in (np.float32, np.float64):
        arrays = [X.astype(dtype)] + [np.eye(2, dtype=dtype)] * 4
        Z, A, _ = fast.multi_head_attention_forward(*arrays, 1)
        exact_Z, exact_A = attention.multi_head_attention(*arrays, 1)
        np.testing.assert_array_equal(A == 0, exact_A == 0)
        np.testing.assert_allclose(A, exact_A, **tolerance(dtype))
        np.testing.assert_allclose(Z, exact_Z, rtol=1e-6)


@pytest.mark.parametrize("threads", [1, 2])
def test_an_overflowing_product_raises_a_value_error_as_the_readable_one_does(threads):
    X, weights, num_heads, dZ = _batch_over_several_chunks()
    X = X * np.float32(1e25)
    with pytest.raises(ValueError, match="too large"):
        attention.multi_head_attention_forward(X, *weights, num_heads)
    with nn.threads(threads), pytest.raises(ValueError, match="too large"):
        fast.multi_head_attention_forward(X, *weights, num_heads)


@pytest.mark.parametrize("name", ["multi_head_attention_forward",
                                  "multi_head_attention_backward"])
def test_each_twin_names_the_other(name):
    assert f"fast.attention.{name}" in getattr(attention, name).__doc__
    assert f"Readable version: :func:`lessons_lib.attention.{name}`" in getattr(
        fast, name).__doc__
