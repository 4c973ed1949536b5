"""Softmax and the losses: values, gradients (numerical checks), stability, oracles, errors."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lessons_lib import losses
from lessons_lib.losses import (
    cross_entropy,
    cross_entropy_backward,
    mae,
    mae_backward,
    mse,
    mse_backward,
    one_hot,
    softmax,
    softmax_backward,
    softmax_cross_entropy,
    softmax_cross_entropy_backward,
    softmax_cross_entropy_loops,
    softmax_loops,
)

GRADIENT_TOLERANCE = 1e-7


def numerical_gradient(f, x, eps=1e-6):
    """Central differences of the scalar function ``f`` at every element of ``x``."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + eps
        plus = f(x)
        x[index] = saved - eps
        minus = f(x)
        x[index] = saved
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def relative_error(a, b):
    """||a - b|| / (||a|| + ||b||): tiny gradient entries do not dominate the comparison."""
    return float(np.linalg.norm(a - b) / max(1e-12, np.linalg.norm(a) + np.linalg.norm(b)))


def assert_gradient(analytic, numeric):
    error = relative_error(analytic, numeric)
    assert error < GRADIENT_TOLERANCE, f"relative error {error:.2e}"


finite = st.floats(-30, 30, allow_nan=False, allow_infinity=False)
logit_matrices = arrays(
    np.float64, st.tuples(st.integers(1, 6), st.integers(2, 5)), elements=finite
)


def logits_and_labels(seed, n=5, c=4, scale=3.0):
    rng = np.random.default_rng(seed)
    return rng.normal(scale=scale, size=(n, c)), rng.integers(0, c, size=n)


# --- softmax -----------------------------------------------------------------------------


@given(logit_matrices)
def test_softmax_rows_are_probability_distributions(z):
    p = softmax(z)
    assert np.all(p >= 0) and np.all(p <= 1)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-12)


@given(logit_matrices, finite)
def test_softmax_is_unchanged_by_adding_a_constant_to_every_logit(z, c):
    np.testing.assert_allclose(softmax(z + c), softmax(z), atol=1e-12)


@given(logit_matrices)
def test_softmax_keeps_the_order_of_logits(z):
    p = softmax(z)
    order = np.argsort(z, axis=-1, kind="stable")
    assert np.all(np.diff(np.take_along_axis(p, order, axis=-1), axis=-1) >= 0)


def test_softmax_matches_the_slides_formula_without_overflow_risk():
    z = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(softmax(z), np.exp(z) / np.exp(z).sum(), rtol=1e-15)


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_softmax_along_any_axis_matches_scipy(axis):
    special = pytest.importorskip("scipy.special")
    z = np.random.default_rng(0).normal(size=(3, 4))
    np.testing.assert_allclose(softmax(z, axis=axis), special.softmax(z, axis=axis), rtol=1e-13)


def test_softmax_loops_agrees_with_softmax():
    z = np.random.default_rng(1).normal(scale=5, size=7)
    np.testing.assert_allclose(softmax_loops(z), softmax(z), rtol=1e-13)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_stays_finite_and_exact_for_huge_logits(dtype):
    z = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]], dtype=dtype)
    p = softmax(z)
    assert p.dtype == dtype
    assert np.all(np.isfinite(p))
    np.testing.assert_allclose(p, [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3]], rtol=1e-6)


def test_naive_softmax_overflows_where_the_library_does_not():
    z = np.array([1000.0, 0.0])
    with np.errstate(over="ignore", invalid="ignore"):
        naive = np.exp(z) / np.exp(z).sum()
    assert np.isnan(naive[0])
    np.testing.assert_array_equal(softmax(z), [1.0, 0.0])


def test_temperature_flattens_and_sharpens():
    z = np.array([1.0, 2.0, 3.0])
    hot, cold = softmax(z, temperature=100.0), softmax(z, temperature=0.01)
    np.testing.assert_allclose(hot, 1 / 3, atol=0.01)
    np.testing.assert_allclose(cold, [0, 0, 1], atol=1e-12)
    np.testing.assert_allclose(softmax(z, temperature=2.0), softmax(z / 2.0), rtol=1e-15)


def test_softmax_matches_torch():
    torch = pytest.importorskip("torch")
    z = np.random.default_rng(2).normal(scale=10, size=(4, 6))
    expected = torch.softmax(torch.from_numpy(z), dim=1).numpy()
    np.testing.assert_allclose(softmax(z), expected, rtol=1e-12)


@pytest.mark.parametrize("axis", [0, -1])
def test_softmax_backward_matches_numerical_gradient(axis):
    rng = np.random.default_rng(10)
    z, w = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    numeric = numerical_gradient(lambda v: float(np.sum(w * softmax(v, axis=axis))), z)
    assert_gradient(softmax_backward(w, softmax(z, axis=axis), axis=axis), numeric)


def test_softmax_backward_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(11)
    z, w = rng.normal(size=(2, 5)), rng.normal(size=(2, 5))
    zt = torch.tensor(z, requires_grad=True)
    (torch.softmax(zt, dim=1) * torch.from_numpy(w)).sum().backward()
    np.testing.assert_allclose(softmax_backward(w, softmax(z)), zt.grad.numpy(), atol=1e-14)


def test_cross_entropy_chained_through_softmax_is_y_hat_minus_y():
    z, labels = logits_and_labels(12, n=4, c=3)
    p, y = softmax(z), one_hot(labels, 3)
    chained = softmax_backward(cross_entropy_backward(y, p), p)
    np.testing.assert_allclose(chained, (p - y) / 4, atol=1e-15)
    np.testing.assert_allclose(chained, softmax_cross_entropy_backward(z, labels), atol=1e-15)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"z": 3.0}, ValueError, "z must have at least one dimension"),
        ({"z": []}, ValueError, "z must not be empty"),
        ({"z": ["a", "b"]}, TypeError, "z must be an array of real numbers"),
        ({"z": [1.0, np.nan]}, ValueError, "z must contain only finite"),
        ({"z": [1.0, 2.0], "axis": 1}, ValueError, "axis must be in"),
        ({"z": [1.0, 2.0], "axis": 0.5}, TypeError, "axis must be an integer"),
        ({"z": [1.0, 2.0], "temperature": 0}, ValueError, r"temperature must be a finite number > 0"),
        ({"z": [1.0, 2.0], "temperature": "hot"}, TypeError, r"temperature must be a finite number > 0"),
    ],
)
def test_softmax_rejects_bad_input_by_name(kwargs, error, match):
    with pytest.raises(error, match=match):
        softmax(**kwargs)


# --- MSE and MAE ---------------------------------------------------------------------------


def test_mse_and_mae_follow_the_slides_formulas():
    y_hat, y = np.array([2.5, 0.0, 2.0, 8.0]), np.array([3.0, -0.5, 2.0, 7.0])
    assert mse(y_hat, y) == pytest.approx((0.25 + 0.25 + 0 + 1) / 4)
    assert mae(y_hat, y) == pytest.approx((0.5 + 0.5 + 0 + 1) / 4)


@pytest.mark.parametrize("shape", [(7,), (4, 3)])
def test_mse_and_mae_match_scikit_learn(shape):
    sk = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(3)
    y_hat, y = rng.normal(size=shape), rng.normal(size=shape)
    assert mse(y_hat, y) == pytest.approx(sk.mean_squared_error(y, y_hat), rel=1e-12)
    assert mae(y_hat, y) == pytest.approx(sk.mean_absolute_error(y, y_hat), rel=1e-12)


@pytest.mark.parametrize(
    ("loss", "backward"), [(mse, mse_backward), (mae, mae_backward)], ids=["mse", "mae"]
)
def test_mse_and_mae_gradients_match_numerical_gradients(loss, backward):
    rng = np.random.default_rng(4)
    y_hat, y = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    assert_gradient(backward(y_hat, y), numerical_gradient(lambda v: loss(v, y), y_hat))


def test_mae_gradient_is_zero_where_prediction_equals_target():
    np.testing.assert_array_equal(mae_backward([1.0, 2.0], [1.0, 0.0]), [0.0, 0.5])


@pytest.mark.parametrize("loss", [mse, mae, mse_backward, mae_backward])
def test_regression_losses_refuse_to_broadcast(loss):
    match = r"y_hat and y must have the same shape, got \(3,\) and \(3, 1\)"
    with pytest.raises(ValueError, match=match):
        loss(np.zeros(3), np.zeros((3, 1)))


@pytest.mark.parametrize("loss", [mse, mae])
def test_regression_losses_reject_empty_input(loss):
    with pytest.raises(ValueError, match="y_hat must not be empty"):
        loss([], [])


# --- cross-entropy on probabilities ------------------------------------------------------------


def test_cross_entropy_is_the_slides_sum_divided_by_n():
    y = one_hot([0, 2, 1], 3)
    y_hat = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.3, 0.4, 0.3]])
    slide_sum = -sum(y[i, j] * math.log(y_hat[i, j]) for i in range(3) for j in range(3))
    assert cross_entropy(y, y_hat) == pytest.approx(slide_sum / 3, rel=1e-14)


def test_cross_entropy_matches_scikit_learn_log_loss():
    sk = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(5)
    labels = np.array([0, 1, 2, 1, 0, 2])
    y_hat = softmax(rng.normal(size=(6, 3)))
    expected = sk.log_loss(labels, y_hat, labels=[0, 1, 2])
    assert cross_entropy(one_hot(labels, 3), y_hat) == pytest.approx(expected, rel=1e-12)


def test_cross_entropy_clips_log_of_zero_to_a_finite_loss():
    loss = cross_entropy([[0.0, 1.0]], [[1.0, 0.0]])
    assert math.isfinite(loss)
    assert loss == pytest.approx(-math.log(losses.EPS))
    assert np.all(np.isfinite(cross_entropy_backward([[0.0, 1.0]], [[1.0, 0.0]])))


def test_cross_entropy_gradient_matches_numerical_gradient():
    rng = np.random.default_rng(6)
    y, y_hat = one_hot([1, 0, 2], 3), softmax(rng.normal(size=(3, 3)))
    # The probe moves single entries off the simplex; the loss formula is defined there too.
    numeric = numerical_gradient(lambda p: -np.sum(y * np.log(p)) / 3, y_hat)
    assert_gradient(cross_entropy_backward(y, y_hat), numeric)


def test_cross_entropy_accepts_one_sample_as_a_vector():
    assert cross_entropy([0, 1, 0], [0.2, 0.5, 0.3]) == pytest.approx(-math.log(0.5))
    assert cross_entropy_backward([0, 1, 0], [0.2, 0.5, 0.3]).shape == (3,)


@pytest.mark.parametrize(
    ("y", "y_hat", "match"),
    [
        ([[1, 0]], [[1.2, -0.2]], r"y_hat must hold probabilities \(>= 0\)"),
        ([[1, 0]], [[0.5, 0.4]], "each row of y_hat must sum to 1.*row 0 sums to 0.9"),
        ([[1, 1]], [[0.5, 0.5]], "each row of y must sum to 1"),
        ([[1, 0]], [[0.5, 0.25, 0.25]], "y and y_hat must have the same shape"),
        ([[[1, 0]]], [[[0.5, 0.5]]], "y must be 1-D or 2-D"),
    ],
)
def test_cross_entropy_rejects_non_probabilities_by_name(y, y_hat, match):
    with pytest.raises(ValueError, match=match):
        cross_entropy(y, y_hat)


# --- softmax cross-entropy from logits ------------------------------------------------------


@given(logit_matrices, st.data())
def test_softmax_cross_entropy_equals_cross_entropy_of_softmax(z, data):
    labels = np.array(data.draw(st.lists(st.integers(0, z.shape[1] - 1), min_size=len(z),
                                         max_size=len(z))))
    p = softmax(z)
    if p[np.arange(len(z)), labels].min() > losses.EPS:
        expected = cross_entropy(one_hot(labels, z.shape[1]), p)
        assert softmax_cross_entropy(z, labels) == pytest.approx(expected, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_softmax_cross_entropy_loops_agrees_with_vectorised(seed):
    z, labels = logits_and_labels(seed)
    assert softmax_cross_entropy_loops(z, labels) == pytest.approx(
        softmax_cross_entropy(z, labels), rel=1e-13)


@pytest.mark.parametrize("seed", range(3))
def test_softmax_cross_entropy_gradient_matches_numerical_gradient(seed):
    z, labels = logits_and_labels(seed)
    numeric = numerical_gradient(lambda v: softmax_cross_entropy(v, labels), z)
    assert_gradient(softmax_cross_entropy_backward(z, labels), numeric)


def test_softmax_cross_entropy_gradient_is_softmax_minus_one_hot_over_n():
    z, labels = logits_and_labels(7, n=4, c=3)
    expected = (softmax(z) - one_hot(labels, 3)) / 4
    np.testing.assert_allclose(softmax_cross_entropy_backward(z, labels), expected, atol=1e-15)
    np.testing.assert_allclose(softmax_cross_entropy_backward(z, labels).sum(axis=1), 0,
                               atol=1e-15)


def test_softmax_cross_entropy_and_gradient_match_torch():
    torch = pytest.importorskip("torch")
    z, labels = logits_and_labels(8, n=6, c=5, scale=10.0)
    zt = torch.tensor(z, requires_grad=True)
    loss = torch.nn.functional.cross_entropy(zt, torch.from_numpy(labels))
    loss.backward()
    assert softmax_cross_entropy(z, labels) == pytest.approx(loss.item(), rel=1e-12)
    np.testing.assert_allclose(softmax_cross_entropy_backward(z, labels), zt.grad.numpy(),
                               rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_cross_entropy_is_finite_and_exact_at_logits_of_1e4(dtype):
    z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4], [1e4, -1e4, 0.0]], dtype=dtype)
    labels = np.array([0, 0, 1])
    # Sample 0 is right with certainty (loss 0); sample 1 loses log(2) + 2e4; sample 2 loses 2e4.
    expected = (0.0 + (2e4 + math.log(2)) + 2e4) / 3
    assert softmax_cross_entropy(z, labels) == pytest.approx(expected, rel=1e-6)
    grad = softmax_cross_entropy_backward(z, labels)
    assert grad.dtype == dtype
    assert np.all(np.isfinite(grad))
    np.testing.assert_allclose(grad[1], np.array([-1, 0.5, 0.5]) / 3, atol=1e-7)


def test_float32_logits_give_float32_gradients_close_to_float64():
    z, labels = logits_and_labels(9)
    g32 = softmax_cross_entropy_backward(z.astype(np.float32), labels)
    assert g32.dtype == np.float32
    np.testing.assert_allclose(g32, softmax_cross_entropy_backward(z, labels), atol=1e-7)
    assert softmax_cross_entropy(z.astype(np.float32), labels) == pytest.approx(
        softmax_cross_entropy(z, labels), rel=1e-6)


@pytest.mark.parametrize(
    ("logits", "labels", "error", "match"),
    [
        (np.zeros((2, 3)), [0, 3], ValueError, r"labels must be class indices in \[0, 2\]"),
        (np.zeros((2, 3)), [0, -1], ValueError, "labels must be class indices"),
        (np.zeros((2, 3)), [0, 1, 2], ValueError, r"labels must have shape \(2,\)"),
        (np.zeros((2, 3)), [0.0, 1.0], TypeError, "labels must be integer class indices"),
        (np.zeros(3), [0], ValueError, "logits must be 2-D"),
        (np.zeros((0, 3)), [], ValueError, "logits must not be empty"),
    ],
)
@pytest.mark.parametrize(
    "function", [softmax_cross_entropy, softmax_cross_entropy_backward],
    ids=["forward", "backward"],
)
def test_softmax_cross_entropy_rejects_bad_input_by_name(function, logits, labels, error, match):
    with pytest.raises(error, match=match):
        function(logits, labels)


def test_one_hot_rejects_labels_outside_the_classes():
    with pytest.raises(ValueError, match=r"labels must be in \[0, 1\] for num_classes=2"):
        one_hot([0, 2], 2)


# -- issue 14: limits instead of NaN, overflow refused by name ----------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("temperature", [1e-300, 1e-50, 5e-324, np.finfo(np.float32).tiny / 4])
def test_a_tiny_temperature_gives_the_one_hot_limit_not_nan(dtype, temperature):
    z = np.array([[1.0, 3.0, 2.0], [0.5, -1.0, 0.25]], dtype=dtype)
    y_hat = softmax(z, temperature=temperature)
    assert y_hat.dtype == dtype
    np.testing.assert_array_equal(y_hat, [[0, 1, 0], [1, 0, 0]])


def test_tied_largest_logits_share_the_limit_equally():
    np.testing.assert_array_equal(softmax([1.0, 3.0, 3.0], temperature=1e-300), [0, 0.5, 0.5])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_huge_temperature_gives_the_uniform_limit(dtype):
    y_hat = softmax(np.array([1.0, 3.0, -2.0, 0.0], dtype=dtype), temperature=1e300)
    assert y_hat.dtype == dtype
    np.testing.assert_allclose(y_hat, 0.25, rtol=1e-6)


@given(
    z=arrays(st.sampled_from([np.float32, np.float64]), st.integers(1, 6),
             elements=st.floats(-2.0**100, 2.0**100, width=32)),
    temperature=st.floats(5e-324, 1e300, allow_nan=False, allow_infinity=False),
)
def test_softmax_is_a_distribution_at_every_temperature_without_warnings(z, temperature):
    y_hat = softmax(z, temperature=temperature)
    assert y_hat.dtype == z.dtype
    assert np.all(np.isfinite(y_hat)) and np.all(y_hat >= 0)
    assert float(y_hat.sum()) == pytest.approx(1.0, abs=1e-5)
    assert y_hat[np.argmax(z)] == y_hat.max()


def test_logits_further_apart_than_the_largest_float_still_give_a_softmax():
    np.testing.assert_array_equal(softmax([1.7e308, -1.7e308]), [1.0, 0.0])
    np.testing.assert_array_equal(softmax(np.array([3e38, -3e38], np.float32)), [1.0, 0.0])
    # The true class far below the largest: the loss itself leaves float64, and is refused.
    for function in (softmax_cross_entropy, softmax_cross_entropy_loops):
        with pytest.raises(ValueError, match="logits are too large: the loss exceeds"):
            function([[1.7e308, -1.7e308]], [1])
        assert function([[1.7e308, -1.7e308]], [0]) == 0.0
    np.testing.assert_array_equal(softmax_cross_entropy_backward([[1.7e308, -1.7e308]], [1]),
                                  [[1.0, -1.0]])


def test_regression_losses_refuse_differences_beyond_the_largest_float():
    for function in (mse, mse_backward, mae):
        with pytest.raises(ValueError, match="y_hat and y are too large"):
            function([1.7e308], [-1.7e308])
    with pytest.raises(ValueError, match="y_hat and y are too large"):
        mse([1e200], [0.0])
    # The gradient of the MAE needs only the sign: it has one.
    np.testing.assert_array_equal(mae_backward([1.7e308, -1.0], [-1.7e308, -1.0]), [0.5, 0.0])


def test_softmax_backward_checks_its_axis_and_overflow():
    with pytest.raises(ValueError, match=r"axis must be in \[-2, 1\] for y_hat of shape"):
        softmax_backward(np.ones((2, 2)), np.full((2, 2), 0.5), axis=2)
    with pytest.raises(TypeError, match="axis must be an integer"):
        softmax_backward(np.ones((2, 2)), np.full((2, 2), 0.5), axis=None)
    with pytest.raises(ValueError, match="dout and y_hat are too large"):
        softmax_backward([[1e200, 1e200]], [[1e200, 0.5]])


def test_one_hot_refuses_a_table_larger_than_memory():
    with pytest.raises(ValueError, match="one_hot of 2 labels with num_classes=10000000000000 "
                                         "would need"):
        one_hot([0, 1], 10**13)
    with pytest.raises(ValueError, match="labels must be a rectangular array"):
        one_hot([[0, 1], [1]], 3)
