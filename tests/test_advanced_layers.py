"""The layers of the classic networks: gradient checks, loop versions, references."""

import numpy as np
import pytest
from cases import depthwise_cases
from hypothesis import given
from hypothesis import strategies as st

from lessons_lib.convolution import correlate
from lessons_lib.fast.conv2d import depthwise_backward, depthwise_forward
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
    pointwise_backward,
    pointwise_forward,
    pointwise_forward_loops,
)
from lessons_lib.nn.layers import Conv2D, Dense, ReLU

TOLERANCE = 1e-6


def numerical_gradient(f, x, eps=1e-5):
    """Central differences of the scalar f() with respect to every entry of x (in place)."""
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + eps
        plus = f()
        x[index] = old - eps
        minus = f()
        x[index] = old
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def relative_error(a, b):
    """||a - b|| / (||a|| + ||b||): one number per array, insensitive to tiny entries."""
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300))


def check_layer_gradients(layer, x, seed=0):
    """Every gradient of ``layer`` (input and parameters) against central differences."""
    layer.astype(np.float64)
    x = x.astype(np.float64)
    # A seed of its own: with G equal to x, some losses have near-zero gradients.
    G = np.random.default_rng(seed + 7919).normal(size=layer.forward(x).shape)

    def loss():
        return float(np.sum(layer.forward(x) * G))

    layer.zero_grad()
    layer.forward(x)
    dx = layer.backward(G)
    errors = {"x": relative_error(dx, numerical_gradient(loss, x))}
    analytic = {k: v.copy() for k, v in layer.grads.items()}
    for name, p in layer.params.items():
        numeric = numerical_gradient(loss, p)
        if np.max(np.abs(analytic[name])) < 1e-10:
            # A bias just before a batch norm: its true gradient is exactly zero, and the
            # numerical one is rounding noise.
            assert np.max(np.abs(numeric)) < 1e-7, name
            errors[name] = 0.0
        else:
            errors[name] = relative_error(analytic[name], numeric)
    worst = max(errors.values())
    assert worst < TOLERANCE, f"relative errors {errors}"
    return errors


def random(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


# -- pointwise ------------------------------------------------------------------------


@given(n=st.integers(1, 2), c=st.integers(1, 4), f=st.integers(1, 4), h=st.integers(1, 5),
       seed=st.integers(0, 100))
def test_pointwise_vectorised_equals_loops(n, c, f, h, seed):
    x, W, b = random((n, c, h, h + 1), seed), random((f, c, 1, 1), seed + 1), random(f, seed + 2)
    np.testing.assert_allclose(pointwise_forward(x, W, b), pointwise_forward_loops(x, W, b),
                               atol=1e-12)


def test_pointwise_is_a_dense_layer_at_every_pixel():
    x = random((2, 5, 3, 4))
    point = PointwiseConv2D(5, 3, rng=1, dtype=np.float64)
    point.params["b"][...] = random(3, 2)
    dense = Dense(5, 3, dtype=np.float64)
    dense.params["W"][...] = point.params["W"][:, :, 0, 0]
    dense.params["b"][...] = point.params["b"]
    pixels = x.transpose(0, 2, 3, 1).reshape(-1, 5)
    expected = dense(pixels).reshape(2, 3, 4, 3).transpose(0, 3, 1, 2)
    np.testing.assert_allclose(point(x), expected, atol=1e-12)


def test_pointwise_equals_a_1x1_conv2d():
    x = random((2, 4, 5, 5))
    point = PointwiseConv2D(4, 6, rng=3, dtype=np.float64)
    conv = Conv2D(4, 6, 1, dtype=np.float64)
    conv.params["W"][...] = point.params["W"]
    np.testing.assert_allclose(point(x), conv(x), atol=1e-12)
    G = random((2, 6, 5, 5), 1)
    np.testing.assert_allclose(point.backward(G), conv.backward(G), atol=1e-12)
    np.testing.assert_allclose(point.grads["W"], conv.grads["W"], atol=1e-12)


def test_pointwise_gradients():
    check_layer_gradients(PointwiseConv2D(3, 2, rng=0), random((2, 3, 3, 2)))


def test_pointwise_backward_function_matches_the_layer():
    x, W = random((1, 3, 2, 2)), random((2, 3, 1, 1), 1)
    G = random((1, 2, 2, 2), 2)
    dx, dW, db = pointwise_backward(x, W, G)
    num = numerical_gradient(lambda: float(np.sum(pointwise_forward(x, W, np.zeros(2)) * G)), W)
    assert relative_error(dW, num) < TOLERANCE
    np.testing.assert_allclose(db, G.sum(axis=(0, 2, 3)))
    assert dx.shape == x.shape


# -- depthwise ------------------------------------------------------------------------

def test_depthwise_is_lesson_01_correlation_per_channel():
    x = random((1, 3, 7, 6))
    W = random((6, 1, 3, 3), 1)
    o = depthwise_forward(x, W, np.zeros(6), stride=2)
    for f in range(6):
        expected = correlate(x[0, f // 2], W[f, 0], stride=2)
        np.testing.assert_allclose(o[0, f], expected, atol=1e-12)


@given(case=depthwise_cases)
def test_depthwise_gradients(case):
    layer = DepthwiseConv2D(case["c"], case["k"], case["stride"], case["padding"],
                            multiplier=case["m"], rng=case["seed"])
    layer.params["b"][...] = 0.5
    x = random((case["n"], case["c"], case["h"], case["h"] + 1), case["seed"])
    check_layer_gradients(layer, x, case["seed"])


def test_depthwise_backward_function():
    x, W = random((2, 2, 5, 5)), random((4, 1, 3, 3), 1)
    G = random((2, 4, 2, 2), 2)
    dx, dW, db = depthwise_backward(x, W, G, stride=2)

    def loss():
        return float(np.sum(depthwise_forward(x, W, np.zeros(4), stride=2) * G))

    assert relative_error(dW, numerical_gradient(loss, W)) < TOLERANCE
    assert relative_error(dx, numerical_gradient(loss, x)) < TOLERANCE
    np.testing.assert_allclose(db, G.sum(axis=(0, 2, 3)))


def test_depthwise_without_bias_has_only_weights():
    layer = DepthwiseConv2D(4, 3, bias=False)
    assert list(layer.params) == ["W"] and layer.num_params == 36


def test_separable_gradients_and_parameter_count():
    layer = SeparableConv2D(3, 4, 3, padding=1, rng=2)
    assert layer.num_params == 3 * 9 + 3 * 4 + 4
    assert layer(np.zeros((1, 3, 5, 5))).shape == (1, 4, 5, 5)
    errors = check_layer_gradients(layer, random((2, 3, 4, 4)))
    assert set(errors) == {"x", "depthwise.W", "pointwise.W", "pointwise.b"}


def test_layers_reject_wrong_channels_and_too_small_inputs():
    with pytest.raises(ValueError, match=r"DepthwiseConv2D\(3.*\(1, 2, 5, 5\)"):
        DepthwiseConv2D(3, 3)(np.zeros((1, 2, 5, 5)))
    with pytest.raises(ValueError, match="smaller than the kernel"):
        DepthwiseConv2D(1, 5)(np.zeros((1, 1, 3, 3)))
    with pytest.raises(ValueError, match=r"PointwiseConv2D\(4, 2\).*\(1, 2, 5, 5\)"):
        PointwiseConv2D(4, 2)(np.zeros((1, 2, 5, 5)))
    with pytest.raises(ValueError, match="kernel_size"):
        DepthwiseConv2D(3, 0)
    with pytest.raises(ValueError, match=r"GlobalAvgPool2D.*\(2, 3\)"):
        GlobalAvgPool2D()(np.zeros((2, 3)))


# -- pooling, normalisation -----------------------------------------------------------


def test_global_average_pooling_and_gradients():
    x = random((2, 3, 4, 5))
    np.testing.assert_allclose(GlobalAvgPool2D()(x), x.mean(axis=(2, 3)))
    check_layer_gradients(GlobalAvgPool2D(), x)


@pytest.mark.parametrize("size, stride, padding", [(3, 1, 1), (3, 2, 1), (2, 2, 0), (5, 1, 2)])
def test_padded_max_pooling_gradients_and_shape(size, stride, padding):
    pool = PaddedMaxPool2D(size, stride, padding)
    # Distinct values: no ties, so the maximum's derivative is defined everywhere.
    x = np.random.default_rng(1).permutation(2 * 2 * 6 * 5).reshape(2, 2, 6, 5) / 7.0
    assert pool(x).shape[1:] == pool.output_shape((2, 6, 5))
    check_layer_gradients(pool, x)


def test_padded_max_pooling_refuses_padding_larger_than_half_the_window():
    with pytest.raises(ValueError, match="padding must be at most"):
        PaddedMaxPool2D(3, 1, 2)


@pytest.mark.parametrize("shape", [(4, 3), (3, 2, 3, 3)])
def test_batchnorm_training_gradients(shape):
    bn = BatchNorm(shape[1])
    bn.params["gamma"][...] = [1.5, -0.5, 2.0][: shape[1]]
    bn.params["beta"][...] = 0.25
    check_layer_gradients(bn, random(shape))


def test_batchnorm_evaluation_gradients_and_statistics():
    bn = BatchNorm(2).astype(np.float64)
    bn.running_mean[...] = [0.5, -1.0]
    bn.running_var[...] = [2.0, 0.5]
    bn.eval()
    check_layer_gradients(bn, random((3, 2, 2, 2)))
    y = bn(np.full((1, 2, 1, 1), 0.5))
    np.testing.assert_allclose(y.ravel(), [0.0, 1.5 / np.sqrt(0.5 + 1e-5)])


def test_batchnorm_normalises_each_channel_while_training():
    x = random((8, 3, 4, 4)) * [[[[2.0]], [[5.0]], [[0.1]]]] + 7
    y = BatchNorm(3).astype(np.float64)(x)
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=(0, 2, 3)), 1, atol=1e-3)


def test_batchnorm_refuses_a_single_value_per_channel():
    with pytest.raises(ValueError, match="more than one value per channel"):
        BatchNorm(3)(np.zeros((1, 3)))
    with pytest.raises(ValueError, match="momentum"):
        BatchNorm(3, momentum=2)


# -- composite layers and activations -------------------------------------------------


def test_residual_with_zero_body_is_the_identity_and_passes_the_gradient():
    block = Residual([Conv2D(2, 2, 3, padding=1, dtype=np.float64)])
    block.body[0].params["W"][...] = 0
    x = random((1, 2, 4, 4))
    np.testing.assert_allclose(block(x), x)
    G = random((1, 2, 4, 4), 1)
    np.testing.assert_allclose(block.backward(G), G)


def test_residual_block_gradients():
    body = [Conv2D(2, 3, 3, stride=2, padding=1, rng=1), BatchNorm(3), ReLU(),
            Conv2D(3, 3, 3, padding=1, rng=2), BatchNorm(3)]
    block = Residual(body, shortcut=[Conv2D(2, 3, 1, stride=2, rng=3), BatchNorm(3)],
                     activation=Tanh())
    errors = check_layer_gradients(block, random((2, 2, 4, 4)))
    assert "shortcut.0.W" in errors and "body.3.W" in errors


def test_residual_reports_mismatched_shapes():
    block = Residual([Conv2D(2, 3, 3, padding=1)])
    with pytest.raises(ValueError, match="projection shortcut"):
        block(np.zeros((1, 2, 4, 4), dtype=np.float32))


def test_concat_gradients_and_shapes():
    block = Concat([PointwiseConv2D(3, 2, rng=1),
                    [DepthwiseConv2D(3, 3, padding=1, rng=2), Sigmoid()],
                    [PointwiseConv2D(3, 1, rng=3), Tanh()]])
    assert block.output_shape((3, 4, 4)) == (6, 4, 4)
    check_layer_gradients(block, random((2, 3, 4, 4)))


@pytest.mark.parametrize("layer", [Sigmoid(), Tanh()], ids=repr)
def test_saturating_activation_gradients(layer):
    check_layer_gradients(layer, random((3, 4)) * 3)


def test_sigmoid_derivative_is_at_most_a_quarter():
    s = Sigmoid()
    s(np.linspace(-10, 10, 201))
    slope = s.backward(np.ones(201))
    assert slope.max() == pytest.approx(0.25) and slope.min() > 0


def test_sigmoid_does_not_overflow():
    with np.errstate(over="raise"):
        y = Sigmoid()(np.array([-1000.0, 1000.0]))
    np.testing.assert_allclose(y, [0.0, 1.0])


# -- an independent reference: PyTorch --------------------------------------------------


def _torch():
    return pytest.importorskip("torch")


def test_depthwise_matches_torch_grouped_convolution():
    torch = _torch()
    x, W, b = random((2, 3, 7, 7)), random((6, 1, 3, 3), 1), random(6, 2)
    G = random((2, 6, 3, 3), 3)
    xt = torch.tensor(x, requires_grad=True)
    Wt = torch.tensor(W, requires_grad=True)
    out = torch.nn.functional.conv2d(xt, Wt, torch.tensor(b), stride=2, padding=0, groups=3)
    out.backward(torch.tensor(G))
    np.testing.assert_allclose(depthwise_forward(x, W, b, stride=2), out.detach().numpy(),
                               atol=1e-10)
    dx, dW, _ = depthwise_backward(x, W, G, stride=2)
    np.testing.assert_allclose(dx, xt.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(dW, Wt.grad.numpy(), atol=1e-10)


def test_batchnorm_matches_torch_in_training_and_evaluation():
    torch = _torch()
    x, G = random((4, 3, 5, 5)) * 2 + 1, random((4, 3, 5, 5), 1)
    ours = BatchNorm(3, momentum=0.1).astype(np.float64)
    ours.params["gamma"][...] = [0.5, 1.0, 2.0]
    ours.params["beta"][...] = [0.0, 1.0, -1.0]
    ref = torch.nn.BatchNorm2d(3, momentum=0.1).double()
    with torch.no_grad():
        ref.weight[:] = torch.tensor([0.5, 1.0, 2.0])
        ref.bias[:] = torch.tensor([0.0, 1.0, -1.0])
    xt = torch.tensor(x, requires_grad=True)
    out = ref(xt)
    out.backward(torch.tensor(G))
    np.testing.assert_allclose(ours(x), out.detach().numpy(), atol=1e-10)
    np.testing.assert_allclose(ours.backward(G), xt.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(ours.grads["gamma"], ref.weight.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(ours.running_mean, ref.running_mean.numpy(), atol=1e-12)
    np.testing.assert_allclose(ours.running_var, ref.running_var.numpy(), atol=1e-12)
    ours.eval()
    ref.eval()
    np.testing.assert_allclose(ours(x), ref(torch.tensor(x)).detach().numpy(), atol=1e-10)


def test_padded_max_pooling_matches_torch():
    torch = _torch()
    x = random((2, 3, 7, 6))
    expected = torch.nn.functional.max_pool2d(torch.tensor(x), 3, 2, 1).numpy()
    np.testing.assert_array_equal(PaddedMaxPool2D(3, 2, 1)(x), expected)


def test_separable_matches_torch():
    torch = _torch()
    layer = SeparableConv2D(2, 3, 3, padding=1, rng=5).astype(np.float64)
    x = random((1, 2, 4, 4))
    depth = torch.nn.functional.conv2d(torch.tensor(x),
                                       torch.tensor(layer.depthwise.params["W"]),
                                       padding=1, groups=2)
    point = torch.nn.functional.conv2d(depth, torch.tensor(layer.pointwise.params["W"]),
                                       torch.tensor(layer.pointwise.params["b"]))
    np.testing.assert_allclose(layer(x), point.numpy(), atol=1e-10)
