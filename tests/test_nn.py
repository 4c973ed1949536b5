"""Tests of lessons_lib.nn: layers (gradient checks, oracles), optimisers, training, storage."""

from __future__ import annotations

import numpy as np
import pytest
from cases import conv_cases
from hypothesis import given, settings
from hypothesis import strategies as st

from lessons_lib import nn
from lessons_lib.backprop import numerical_gradient, relative_error
from lessons_lib.convolution import correlate
from lessons_lib.datasets import detector_events
from lessons_lib.fast import conv2d
from lessons_lib.losses import softmax_cross_entropy_backward
from lessons_lib.nn.models import dense_baseline, detector_cnn

GRADIENT_TOLERANCE = 1e-6


def gradient_errors(layer, x, seed=0):
    """Relative errors of backward against central differences, for x and every param.

    The scalar checked is J = sum(forward(x) * dout) for a fixed random dout, so that
    dJ/dy = dout exercises every output.
    """
    layer.astype(np.float64)
    x = np.asarray(x, dtype=np.float64)
    dout = np.random.default_rng(seed).normal(size=layer.forward(x).shape)
    layer.zero_grad()
    layer.forward(x)
    dx = layer.backward(dout)
    analytic = {name: g.copy() for name, g in layer.grads.items()}

    def J(xx):
        return float(np.sum(layer.forward(xx) * dout))

    errors = {"x": relative_error(dx, numerical_gradient(J, x))}
    for name, param in layer.params.items():
        original = param.copy()

        def J_param(value, param=param):
            param[...] = value
            return float(np.sum(layer.forward(x) * dout))

        numeric = numerical_gradient(J_param, original)
        param[...] = original
        errors[name] = relative_error(analytic[name], numeric)
    return errors


def assert_gradients(layer, x, seed=0):
    errors = gradient_errors(layer, x, seed)
    print(f"{layer!r}: relative errors {errors}")
    bad = {k: v for k, v in errors.items() if not v < GRADIENT_TOLERANCE}
    assert not bad, f"{layer!r}: gradient check failed (relative error {bad})"


# -- Conv2D -------------------------------------------------------------------------


@settings(max_examples=25)
@given(conv_cases())
def test_conv2d_gradients_match_numerical(case):
    N, C, F, k, stride, padding, H, W, seed = case
    conv = nn.Conv2D(C, F, k, stride=stride, padding=padding, rng=seed)
    conv.params["b"][...] = np.random.default_rng(seed + 1).normal(size=F)
    x = np.random.default_rng(seed + 2).normal(size=(N, C, H, W))
    assert_gradients(conv, x, seed)


def test_conv2d_is_lesson_01_correlate_summed_over_channels():
    rng = np.random.default_rng(3)
    x, Wt = rng.normal(size=(2, 3, 9, 8)), rng.normal(size=(4, 3, 3, 3))
    o = conv2d.conv2d_forward(x, Wt, np.zeros(4), stride=2)
    for n in range(2):
        for f in range(4):
            expected = sum(correlate(x[n, c], Wt[f, c], stride=2) for c in range(3))
            np.testing.assert_allclose(o[n, f], expected, atol=1e-12)


def test_conv2d_with_zero_padding_is_correlate_with_zero_edges():
    rng = np.random.default_rng(4)
    x, Wt = rng.normal(size=(1, 1, 7, 7)), rng.normal(size=(1, 1, 5, 5))
    o = conv2d.conv2d_forward(x, Wt, np.zeros(1), padding=2)
    np.testing.assert_allclose(o[0, 0], correlate(x[0, 0], Wt[0, 0], edges="zero"), atol=1e-12)


def test_conv2d_backward_function_matches_layer():
    rng = np.random.default_rng(5)
    x, dout = rng.normal(size=(2, 2, 6, 5)), rng.normal(size=(2, 3, 3, 3))
    conv = nn.Conv2D(2, 3, 3, stride=2, padding=1, rng=1).astype(np.float64)
    conv.forward(x)
    dx = conv.backward(dout)
    dx2, dW, db = conv2d.conv2d_backward(x, conv.params["W"], dout, stride=2, padding=1)
    np.testing.assert_allclose(dx, dx2)
    np.testing.assert_allclose(conv.grads["W"], dW)
    np.testing.assert_allclose(conv.grads["b"], db)


def test_im2col_and_col2im_are_adjoint():
    # <im2col(x), c> == <x, col2im(c)> for every x and c: col2im is the transpose.
    rng = np.random.default_rng(6)
    x = rng.normal(size=(2, 3, 7, 6))
    cols = conv2d.im2col(x, (3, 2), (2, 1), (1, 0))
    c = rng.normal(size=cols.shape)
    lhs = np.sum(cols * c)
    rhs = np.sum(x * conv2d.col2im(c, x.shape, (2, 1), (1, 0)))
    assert lhs == pytest.approx(rhs, rel=1e-12)


def test_conv2d_without_input_grad_returns_none_and_the_same_weight_gradients():
    x = np.random.default_rng(14).random((2, 1, 9, 9), dtype=np.float32)
    dout = np.random.default_rng(15).random((2, 4, 5, 5), dtype=np.float32)
    full, first = nn.Conv2D(1, 4, 3, stride=2, padding=1), nn.Conv2D(1, 4, 3, stride=2,
                                                                    padding=1, input_grad=False)
    for conv in (full, first):
        conv(x)
    assert full.backward(dout).shape == x.shape and first.backward(dout) is None
    np.testing.assert_array_equal(first.grads["W"], full.grads["W"])
    np.testing.assert_array_equal(first.grads["b"], full.grads["b"])
    assert repr(first).endswith("input_grad=False)")


def test_conv2d_matches_torch_forward_and_backward():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    x, dout = rng.normal(size=(3, 2, 11, 9)), rng.normal(size=(3, 4, 6, 3))
    conv = nn.Conv2D(2, 4, (3, 4), stride=(2, 2), padding=(1, 0), rng=2).astype(np.float64)
    conv.params["b"][...] = rng.normal(size=4)
    y = conv.forward(x)
    dx = conv.backward(dout)
    xt = torch.tensor(x, requires_grad=True)
    Wt = torch.tensor(conv.params["W"], requires_grad=True)
    bt = torch.tensor(conv.params["b"], requires_grad=True)
    yt = torch.nn.functional.conv2d(xt, Wt, bt, stride=(2, 2), padding=(1, 0))
    yt.backward(torch.tensor(dout))
    np.testing.assert_allclose(y, yt.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(dx, xt.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(conv.grads["W"], Wt.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(conv.grads["b"], bt.grad.numpy(), atol=1e-12)


def test_conv2d_output_shape_formula_and_float32():
    conv = nn.Conv2D(3, 5, 3, stride=2, padding=1)
    y = conv(np.zeros((2, 3, 9, 10), dtype=np.float32))
    assert y.shape == (2, *conv.output_shape((3, 9, 10))) == (2, 5, 5, 5)
    assert y.dtype == np.float32 and conv.params["W"].shape == (5, 3, 3, 3)


@pytest.mark.parametrize(
    ("x", "error", "words"),
    [
        (np.zeros((2, 1, 8)), ValueError, "x of Conv2D(1, 2, 3) must be shaped (N, 1, H, W)"),
        (np.zeros((2, 3, 8, 8)), ValueError, "must have shape (N, 1, H, W)"),
        (np.zeros((2, 1, 2, 2)), ValueError, "smaller than the kernel"),
        (np.array([[[["a"]]]]), TypeError, "real numbers"),
    ],
)
def test_conv2d_rejects_bad_input_clearly(x, error, words):
    with pytest.raises(error, match=None) as info:
        nn.Conv2D(1, 2, 3)(x)
    assert words in str(info.value)


def test_conv2d_rejects_bad_arguments():
    with pytest.raises(ValueError, match="kernel_size"):
        nn.Conv2D(1, 2, 0)
    with pytest.raises(ValueError, match="padding"):
        nn.Conv2D(1, 2, 3, padding=-1)
    with pytest.raises(ValueError, match="init"):
        nn.Conv2D(1, 2, 3, init="zeros")
    with pytest.raises(TypeError, match="rng"):
        nn.Conv2D(1, 2, 3, rng="seed")


def test_initialisation_is_seeded_and_scaled():
    a, b, c = nn.Conv2D(16, 64, 3, rng=1), nn.Conv2D(16, 64, 3, rng=1), nn.Conv2D(16, 64, 3, rng=2)
    assert np.array_equal(a.params["W"], b.params["W"])
    assert not np.array_equal(a.params["W"], c.params["W"])
    assert a.params["W"].std() == pytest.approx(np.sqrt(2 / (16 * 9)), rel=0.05)
    g = nn.Dense(300, 100, init="glorot").params["W"]
    limit = np.sqrt(6 / 400)
    assert np.abs(g).max() <= limit and g.std() == pytest.approx(limit / np.sqrt(3), rel=0.05)


# -- the other layers ---------------------------------------------------------------


@settings(max_examples=15)
@given(st.integers(1, 3), st.integers(1, 6), st.integers(1, 5), st.integers(0, 2**16))
def test_dense_gradients_match_numerical(N, D, M, seed):
    dense = nn.Dense(D, M, rng=seed)
    dense.params["b"][...] = np.random.default_rng(seed).normal(size=M)
    assert_gradients(dense, np.random.default_rng(seed + 1).normal(size=(N, D)), seed)


@settings(max_examples=15)
@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3),
       st.integers(0, 2**16))
def test_maxpool_gradients_match_numerical(size, stride, extra_h, extra_w, seed):
    x = np.random.default_rng(seed).normal(size=(2, 2, size + extra_h, size + extra_w))
    assert_gradients(nn.MaxPool2D(size, stride), x, seed)


def test_relu_and_flatten_gradients_match_numerical():
    x = np.random.default_rng(8).normal(size=(2, 3, 4, 5))
    x[np.abs(x) < 1e-3] = 0.5  # away from the kink at 0
    assert_gradients(nn.ReLU(), x)
    assert_gradients(nn.Flatten(), x)


def test_sequential_gradients_match_numerical_through_the_whole_network():
    model = nn.Sequential([
        nn.Conv2D(1, 2, 3, padding=1, rng=1), nn.ReLU(), nn.MaxPool2D(),
        nn.Conv2D(2, 3, 3, stride=2, padding=1, rng=2), nn.ReLU(), nn.Flatten(),
        nn.Dense(3 * 2 * 2, 3, init="glorot", rng=3),
    ])
    x = np.random.default_rng(9).normal(size=(2, 1, 8, 8))
    assert_gradients(model, x)


def test_relu_forward_and_backward_values():
    relu = nn.ReLU()
    np.testing.assert_array_equal(relu(np.array([[-2.0, 0.0, 3.0]])), [[0.0, 0.0, 3.0]])
    np.testing.assert_array_equal(relu.backward(np.array([[1.0, 1.0, 1.0]])), [[0, 0, 1]])


def test_maxpool_uses_lesson_03_pooling_on_the_slides_example():
    from lessons_lib.datasets import pooling_example

    pool = nn.MaxPool2D(2, 2)
    np.testing.assert_array_equal(pool(pooling_example()[None, None])[0, 0], [[6, 9], [3, 7]])


def test_maxpool_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(10)
    x, pool = rng.normal(size=(2, 3, 7, 6)), nn.MaxPool2D(3, 2)
    y = pool(x)
    dout = rng.normal(size=y.shape)
    xt = torch.tensor(x, requires_grad=True)
    yt = torch.nn.functional.max_pool2d(xt, 3, 2)
    yt.backward(torch.tensor(dout))
    np.testing.assert_allclose(y, yt.detach().numpy())
    np.testing.assert_allclose(pool.backward(dout), xt.grad.numpy(), atol=1e-12)


def test_dropout_drops_a_fraction_p_scales_the_rest_and_is_identity_in_eval():
    drop = nn.Dropout(0.3, rng=1)
    x = np.ones((200, 100))
    y = drop(x)
    assert np.mean(y == 0) == pytest.approx(0.3, abs=0.02)
    np.testing.assert_allclose(y[y != 0], 1 / 0.7)
    dout = np.random.default_rng(0).normal(size=x.shape)
    np.testing.assert_allclose(drop.backward(dout), dout * y)
    drop.eval()
    np.testing.assert_array_equal(drop(x), x)
    np.testing.assert_array_equal(drop.backward(dout), dout)
    with pytest.raises(ValueError, match=r"p must be a number in \[0, 1\)"):
        nn.Dropout(1.0)


def test_dense_rejects_wrong_feature_count():
    with pytest.raises(ValueError, match=r"must have shape \(N, 4\)"):
        nn.Dense(4, 2)(np.zeros((3, 5)))
    with pytest.raises(ValueError, match=r"x of Dense\(4, 2\) must be shaped \(N, 4\)"):
        nn.Dense(4, 2)(np.zeros((3, 1, 4)))


# -- the Layer contract ---------------------------------------------------------------


def test_layer_contract_params_grads_modes_and_repr():
    model = nn.Sequential([nn.Conv2D(1, 2, 3, rng=1), nn.ReLU(), nn.Flatten(),
                           nn.Dropout(0.5), nn.Dense(2 * 4 * 4, 3)])
    assert list(model.params) == list(model.grads) == ["0.W", "0.b", "4.W", "4.b"]
    for name, p in model.params.items():
        assert model.grads[name].shape == p.shape
    # Sequential's dicts hold the layers' own arrays: in-place updates reach the layers.
    assert model.params["0.W"] is model[0].params["W"]
    model.eval()
    assert not any(layer.training for layer in model)
    model.train()
    assert all(layer.training for layer in model)
    model(np.ones((2, 1, 6, 6)))
    model.backward(np.ones((2, 3)))
    assert np.any(model.grads["4.W"] != 0)
    model.zero_grad()
    assert all(np.all(g == 0) for g in model.grads.values())
    assert "Conv2D(1, 2" in repr(model) and repr(nn.ReLU()) == "ReLU()"
    assert model.num_params == 2 * 9 + 2 + 32 * 3 + 3


def test_gradients_accumulate_until_zero_grad():
    dense = nn.Dense(2, 1)
    x = np.ones((1, 2), dtype=np.float32)
    for _ in range(2):
        dense(x)
        dense.backward(np.ones((1, 1), dtype=np.float32))
    np.testing.assert_array_equal(dense.grads["W"], [[2.0, 2.0]])


def test_layer_subclass_outside_the_module_composes_and_finds_sublayers():
    class Residual(nn.Layer):
        """y = x + dense(x): a layer made of a layer, found through its attribute."""

        def __init__(self):
            super().__init__()
            self.dense = nn.Dense(3, 3, rng=4)

        def forward(self, x):
            return x + self.dense(x)

        def backward(self, dout):
            return dout + self.dense.backward(dout)

    block = Residual()
    assert list(block.params) == ["dense.W", "dense.b"]
    assert_gradients(block, np.random.default_rng(11).normal(size=(2, 3)))
    block.eval()
    assert not block.dense.training


def test_summary_lists_shapes_and_parameter_counts():
    rows = nn.summary(detector_cnn(), (1, 64, 64))
    assert rows[0]["output_shape"] == (1, 64, 64)
    assert rows[-1]["output_shape"] == (3,)
    assert sum(r["params"] for r in rows) == detector_cnn().num_params
    assert rows[1]["output_shape"] == (8, 32, 32) and rows[1]["params"] == 8 * 25 + 8
    text = nn.format_summary(rows)
    assert text.splitlines()[-1].split()[-1] == str(detector_cnn().num_params)


# -- optimisers ----------------------------------------------------------------------


def _torch_twin(torch, model):
    """The Dense(4, 3) model and a torch Linear with the same weights."""
    linear = torch.nn.Linear(4, 3).double()
    with torch.no_grad():
        linear.weight.copy_(torch.tensor(model.params["W"]))
        linear.bias.copy_(torch.tensor(model.params["b"]))
    return linear


@pytest.mark.parametrize("kind", ["sgd", "momentum", "adam"])
def test_optimisers_match_torch_over_several_steps(kind):
    torch = pytest.importorskip("torch")
    from lessons_lib.losses import softmax_cross_entropy_backward

    rng = np.random.default_rng(12)
    x, y = rng.normal(size=(8, 4)), rng.integers(0, 3, 8)
    model = nn.Dense(4, 3, rng=5).astype(np.float64)
    linear = _torch_twin(torch, model)
    if kind == "adam":
        ours, theirs = nn.Adam(model, lr=0.01), torch.optim.Adam(linear.parameters(), lr=0.01)
    else:
        mu = 0.9 if kind == "momentum" else 0.0
        ours = nn.SGD(model, lr=0.1, momentum=mu)
        theirs = torch.optim.SGD(linear.parameters(), lr=0.1, momentum=mu)
    for _ in range(5):
        ours.zero_grad()
        logits = model(x)
        model.backward(softmax_cross_entropy_backward(logits, y))
        ours.step()
        theirs.zero_grad()
        torch.nn.functional.cross_entropy(linear(torch.tensor(x)), torch.tensor(y)).backward()
        theirs.step()
    np.testing.assert_allclose(model.params["W"], linear.weight.detach().numpy(), atol=1e-10)
    np.testing.assert_allclose(model.params["b"], linear.bias.detach().numpy(), atol=1e-10)


def test_optimisers_reject_bad_arguments():
    with pytest.raises(ValueError, match="lr"):
        nn.SGD(nn.Dense(1, 1), lr=0)
    for lr in (float("inf"), float("nan"), 10**400):
        with pytest.raises(ValueError, match=r"lr must be a number in \(0, inf\)"):
            nn.Adam(nn.Dense(1, 1), lr=lr)
    with pytest.raises(ValueError, match="momentum"):
        nn.SGD(nn.Dense(1, 1), momentum=1.0)
    with pytest.raises(TypeError, match="model must be a Layer"):
        nn.Adam([np.zeros(3)])


# -- training -------------------------------------------------------------------------


def blobs(n=300, seed=0):
    """Three separable Gaussian blobs in 2-D, float32."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    centres = np.array([[0.0, 2.0], [2.0, -1.0], [-2.0, -1.0]])
    return (centres[y] + 0.5 * rng.normal(size=(n, 2))).astype(np.float32), y


def small_mlp(seed=0):
    return nn.Sequential([nn.Dense(2, 16, rng=seed), nn.ReLU(),
                          nn.Dense(16, 3, init="glorot", rng=seed + 1)])


def test_fit_learns_and_records_history():
    x, y = blobs()
    model = small_mlp()
    history = nn.fit(model, x, y, epochs=15, batch_size=32, progress=False,
                     optimizer=nn.Adam(model, lr=0.01))
    assert history.epochs == 15 and len(history.val_loss) == 15
    assert history.loss[-1] < history.loss[0] / 3
    assert history.val_accuracy[-1] > 0.95
    assert nn.evaluate(model, x, y)["accuracy"] > 0.95
    proba = nn.predict_proba(model, x)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    np.testing.assert_array_equal(nn.predict(model, x), proba.argmax(axis=1))
    assert not model.training
    assert "15 epochs" in repr(history)


def test_fit_is_reproducible_for_a_seed():
    x, y = blobs()
    runs = []
    for _ in range(2):
        model = small_mlp()
        runs.append(nn.fit(model, x, y, epochs=3, progress=False, seed=4).loss)
    assert runs[0] == runs[1]


def test_fit_with_sgd_momentum_and_a_progress_bar():
    x, y = blobs()
    model = small_mlp()
    history = nn.fit(model, x, y, epochs=10, progress=True,
                     optimizer=nn.SGD(model, lr=0.1, momentum=0.9), validation_data=blobs(90, 1))
    assert history.val_accuracy[-1] > 0.95


def test_early_stopping_stops_and_restores_the_best_weights():
    x, y = blobs(120)
    model = small_mlp()
    # Noise labels: the validation loss cannot keep improving, so the patience runs out.
    y_noise = np.random.default_rng(1).integers(0, 3, len(y))
    history = nn.fit(model, x, y_noise, epochs=60, early_stopping=3, progress=False,
                     optimizer=nn.Adam(model, lr=0.05), validation_split=0.3)
    assert history.stopped_early and history.epochs < 60
    assert history.epochs - 1 - history.best_epoch == 3
    x_val_loss = min(history.val_loss)
    assert history.val_loss[history.best_epoch] == x_val_loss


def test_fit_callback_is_called_after_every_epoch():
    x, y = blobs()
    seen = []
    nn.fit(small_mlp(), x, y, epochs=4, progress=False, callback=lambda h: seen.append(h.epochs))
    assert seen == [1, 2, 3, 4]


def test_a_diverging_run_stops_with_advice():
    x, y = blobs()
    model = small_mlp()
    with pytest.raises(nn.TrainingDiverged, match="lower the learning rate") as info:
        nn.fit(model, x * 100, y, epochs=20, progress=False,
               optimizer=nn.SGD(model, lr=50.0, momentum=0.9))
    assert "lr=50" in str(info.value) and "try lr=5" in str(info.value)


def test_weights_that_overflow_in_the_last_step_are_a_diverged_run_not_a_warning():
    x, y = blobs(20)
    model = nn.Sequential([nn.Dense(2, 3, init="glorot")])
    with pytest.raises(nn.TrainingDiverged, match="at epoch 1, the weights became infinite"):
        nn.fit(model, x, y, epochs=1, batch_size=20, validation_split=0.0, progress=False,
               optimizer=nn.SGD(model, lr=1e39, momentum=0.0))


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"y": np.array([0, 1, 3] * 100)}, ValueError, "class labels in [0, 2]"),
        ({"y": np.zeros(300)}, TypeError, "integer class labels"),
        ({"y": np.zeros(10, dtype=int)}, ValueError, "one label per sample"),
        ({"x": np.full((300, 2), np.nan)}, ValueError, "finite"),
        ({"epochs": 0}, ValueError, "epochs"),
        ({"validation_split": 1.5}, ValueError, "validation_split"),
        ({"validation_split": 0.0, "early_stopping": 2}, ValueError, "needs validation data"),
    ],
)
def test_fit_rejects_bad_input_clearly(kwargs, error, words):
    x, y = blobs()
    arguments = {"x": x, "y": y, "epochs": 1, "progress": False, **kwargs}
    model = small_mlp()
    with pytest.raises(error) as info:
        nn.fit(model, arguments.pop("x"), arguments.pop("y"), **arguments)
    assert words in str(info.value)


@pytest.mark.parametrize(
    "layer",
    [nn.Conv2D(1, 2, 3), nn.ReLU(), nn.MaxPool2D(), nn.Flatten(), nn.Dense(3, 2), nn.Dropout(0.5)],
    ids=repr,
)
def test_backward_before_forward_says_what_to_do(layer):
    with pytest.raises(RuntimeError, match="call forward"):
        layer.backward(np.zeros((1, 2, 3, 3)))


@pytest.mark.parametrize(
    ("input_shape", "words"),
    [
        ((64, 64), "must be shaped (1, H, W), got (64, 64)"),
        ((3, 64, 64), "must have shape (1, H, W), got (3, 64, 64)"),
        ((1, 2, 2), "smaller than the pooling window"),
        ((1, 32, 32), "Dense(512, 3) must have shape (512,), got (128,)"),
    ],
)
def test_summary_rejects_input_shapes_the_model_cannot_take(input_shape, words):
    with pytest.raises(ValueError) as info:
        nn.summary(detector_cnn(), input_shape)
    assert words in str(info.value)


def test_conv2d_output_shape_checks_like_forward():
    with pytest.raises(ValueError, match="smaller than the kernel"):
        nn.Conv2D(1, 2, 5).output_shape((1, 3, 3))
    assert nn.Conv2D(1, 2, 5, padding=1).output_shape((1, 3, 3)) == (2, 1, 1)


def test_fit_names_images_without_a_channel_axis():
    images, labels, _ = detector_events(8, seed=0)
    with pytest.raises(ValueError) as info:
        nn.fit(detector_cnn(), images[:, 0], labels, epochs=1, progress=False)
    assert str(info.value).startswith("x has samples of shape (64, 64), which the model cannot")


def test_fit_rejects_an_optimizer_of_another_model():
    x, y = blobs()
    with pytest.raises(ValueError, match="built on this model"):
        nn.fit(small_mlp(), x, y, optimizer=nn.Adam(small_mlp()), progress=False)


def test_whole_network_training_step_matches_torch():
    torch = pytest.importorskip("torch")
    from lessons_lib.losses import softmax_cross_entropy

    model = detector_cnn(image_size=32).astype(np.float64)
    layers = [torch.nn.Conv2d(1, 8, 5, stride=2, padding=2), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
              torch.nn.Conv2d(8, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
              torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
              torch.nn.Flatten(), torch.nn.Linear(32 * 2 * 2, 3)]
    twin = torch.nn.Sequential(*layers).double()
    with torch.no_grad():
        for i, layer in enumerate(twin):
            if hasattr(layer, "weight"):
                layer.weight.copy_(torch.tensor(model.params[f"{i}.W"]))
                layer.bias.copy_(torch.tensor(model.params[f"{i}.b"]))
    rng = np.random.default_rng(13)
    x, y = rng.random((4, 1, 32, 32)), rng.integers(0, 3, 4)
    loss, _ = nn.train_step(model, nn.SGD(model, lr=1e-12, momentum=0.0), x, y)
    torch_loss = torch.nn.functional.cross_entropy(twin(torch.tensor(x)), torch.tensor(y))
    torch_loss.backward()
    assert loss == pytest.approx(torch_loss.item(), rel=1e-10)
    assert softmax_cross_entropy(model(x), y) == pytest.approx(loss, rel=1e-10)
    for i, layer in enumerate(twin):
        if hasattr(layer, "weight"):
            np.testing.assert_allclose(model.grads[f"{i}.W"], layer.weight.grad.numpy(), atol=1e-10)
            np.testing.assert_allclose(model.grads[f"{i}.b"], layer.bias.grad.numpy(), atol=1e-10)


# -- storage ----------------------------------------------------------------------------


def test_save_and_load_round_trip_without_pickle(tmp_path):
    model, other = detector_cnn(rng=1), detector_cnn(rng=2)
    path = nn.save(model, tmp_path / "cnn", metadata={"test_accuracy": 0.97})
    assert path.suffix == ".npz"
    with np.load(path, allow_pickle=False) as archive:
        assert set(archive.files) == {*model.params, "__metadata__"}
    assert nn.load(other, path) == {"test_accuracy": 0.97}
    for name, value in model.params.items():
        np.testing.assert_array_equal(other.params[name], value)
    x = np.random.default_rng(0).random((2, 1, 64, 64))
    np.testing.assert_array_equal(nn.predict_logits(model, x), nn.predict_logits(other, x))


def test_load_refuses_a_different_architecture(tmp_path):
    path = nn.save(detector_cnn(), tmp_path / "cnn.npz")
    model = dense_baseline()
    before = {k: v.copy() for k, v in model.params.items()}
    with pytest.raises(ValueError, match="does not match the model"):
        nn.load(model, path)
    assert all(np.array_equal(before[k], v) for k, v in model.params.items())
    with pytest.raises(ValueError, match="shape"):
        nn.load(detector_cnn(num_classes=2), path)


# -- figures and views of lesson 04 ------------------------------------------------------


def test_training_curves_view_follows_the_history():
    from lessons_lib.widgets.cnn import TrainingCurves

    view = TrainingCurves(epochs=4)
    history = nn.History(loss=[1.0, 0.5], accuracy=[0.5, 0.8], val_loss=[0.9, 0.6],
                         val_accuracy=[0.6, 0.75])
    before = view.image.value
    view.update(history)
    xs, ys = view.plot.lines["loss", "validation"].get_data()
    np.testing.assert_array_equal(xs, [1, 2])
    np.testing.assert_array_equal(ys, [0.9, 0.6])
    np.testing.assert_array_equal(view.plot.lines["accuracy", "train"].get_ydata(), [0.5, 0.8])
    assert view.status.value == "epoch 2 / 4: training loss 0.500, validation accuracy 0.750"
    assert view.image.value != before


def test_training_curves_view_copes_with_empty_and_longer_runs():
    from lessons_lib.widgets.cnn import TrainingCurves

    view = TrainingCurves(epochs=2)
    view.update(nn.History())
    assert view.status.value == "waiting for the first epoch"
    view.update(nn.History(loss=[1.0, 0.8, 0.6], accuracy=[0.5, 0.6, 0.7]))
    assert view.status.value == "epoch 3 / 3: training loss 0.600"
    assert view.plot.ax_loss.get_xlim()[1] >= 3
    for epochs, error in ((0, ValueError), ("6", TypeError)):
        with pytest.raises(error, match="epochs must be an integer"):
            TrainingCurves(epochs=epochs)


@pytest.mark.parametrize(
    ("change", "error", "words"),
    [
        ({"images": np.zeros((5, 64, 64))}, ValueError, "images must be a non-empty batch"),
        ({"labels": np.zeros(3, dtype=int)}, ValueError, "labels must have shape (5,)"),
        ({"event": 5}, ValueError, "event must be an index in [0, 4]"),
        ({"channels": 9}, ValueError, "channels must be at most 8"),
        ({"model": dense_baseline()}, ValueError, "feature maps"),
        ({"model": nn.Conv2D(1, 2, 3)}, TypeError, "model must be a Sequential"),
    ],
)
def test_feature_map_explorer_rejects_bad_arguments_clearly(change, error, words):
    from lessons_lib.widgets.cnn import FeatureMapExplorer

    images, labels, names = detector_events(5, seed=2)
    arguments = {"model": detector_cnn(), "images": images, "labels": labels, **change}
    with pytest.raises(error) as info:
        FeatureMapExplorer(arguments.pop("model"), arguments.pop("images"),
                           arguments.pop("labels"), names, **arguments)
    assert words in str(info.value)


def test_feature_map_explorer_shows_the_chosen_event_layer_by_layer():
    from lessons_lib.widgets.cnn import FeatureMapExplorer

    images, labels, names = detector_events(5, seed=2)
    model = detector_cnn()
    view = FeatureMapExplorer(model, images, labels, names, channels=4, event=1)
    np.testing.assert_array_equal(view.plot.images[0][0].get_array(), images[1, 0])
    view.event.value = 3
    shown = view.plot.images
    np.testing.assert_array_equal(shown[0][0].get_array(), images[3, 0])
    outputs = model.activations(images[3:4])
    np.testing.assert_allclose(shown[1][2].get_array(), outputs[1][0, 2])
    np.testing.assert_allclose(shown[3][0].get_array(), outputs[7][0, 0])
    assert len(shown) == 4 and all(len(row) == 4 for row in shown[1:])
    assert view.verdict.value.startswith(f"true: {names[labels[3]]}, predicted: ")


def test_lesson_04_figures_show_their_data():
    from lessons_lib.plots import cnn as plots

    images, labels, names = detector_events(30, seed=0)
    gallery = plots.plot_event_gallery(images, labels, names, per_class=4)
    assert len(gallery.axes) == 12
    first_carbon = np.flatnonzero(labels == 1)[0]
    np.testing.assert_array_equal(gallery.axes[4].images[0].get_array(), images[first_carbon, 0])

    x = np.random.default_rng(0).random((2, 5, 5))
    W = np.random.default_rng(1).random((2, 3, 3))
    fig = plots.plot_multichannel_convolution(x, W)
    total = fig.axes[-1].images[0].get_array()
    np.testing.assert_allclose(total, correlate(x[0], W[0]) + correlate(x[1], W[1]))

    predicted = labels.copy()
    predicted[:3] = (labels[:3] + 1) % 3
    wrong = plots.plot_misclassified(images, labels, predicted, names)
    assert sum(ax.axison for ax in wrong.axes) == 3
    assert "3 of the 3 misclassified" in wrong._suptitle.get_text()

    bars = plots.plot_baselines(["a", "b"], [0.5, 0.9], [0, 10]).axes[0].patches
    assert [bar.get_width() for bar in bars] == [0.5, 0.9]
    short = plots.plot_baselines(["a", "b"], [0.1, 0.9], [0, 10]).axes[0].texts
    # A short bar's label sits beside it, in a colour that shows on the white background.
    assert short[0].get_position()[0] > 0.1 and short[0].get_color() == "black"
    assert short[1].get_position()[0] < 0.9 and short[1].get_color() == "white"
    assert len(plots.plot_filters(np.zeros((8, 1, 5, 5))).axes) == 8


# -- Conv2D → ReLU → MaxPool2D in one pass --------------------------------------------


def _layer_by_layer(model):
    """Forward and backward through each layer alone: the network without its fused passes."""
    from lessons_lib.nn.layers import _run_inside

    def forward(x):
        for layer in model.layers:
            x = layer.forward(x)
        return x

    def backward(dout):
        for layer in reversed(model.layers):
            dout = layer.backward(dout)
        return dout

    return (lambda x: _run_inside(forward, x)), (lambda d: _run_inside(backward, d))


@pytest.mark.parametrize("threads", [1, 2])
def test_a_network_with_fused_blocks_trains_to_the_same_numbers_as_its_layers_alone(threads):
    x, y, _ = detector_events(2 * 64, seed=0)
    fused, alone = detector_cnn(), detector_cnn()
    fused_adam, alone_adam = nn.Adam(fused, lr=0.003), nn.Adam(alone, lr=0.003)
    forward, backward = _layer_by_layer(alone)
    with nn.threads(threads):
        for step in range(4):
            rows = slice(64 * (step % 2), 64 * (step % 2 + 1))
            logits, expected = fused.forward(x[rows]), forward(x[rows])
            np.testing.assert_array_equal(logits, expected)
            fused.zero_grad()
            alone.zero_grad()
            dout = softmax_cross_entropy_backward(logits, y[rows])
            fused.backward(dout)
            backward(dout)
            fused_adam.step()
            alone_adam.step()
    for name, value in alone.params.items():
        np.testing.assert_array_equal(fused.params[name], value, err_msg=name)


def test_consecutive_fused_blocks_run_chunk_by_chunk_with_the_numbers_of_each_layer_alone():
    # 70 samples: two full chunks and a short one; the second block has a stride and
    # windows of 3 that leave a row and a column out.
    def model():
        return nn.Sequential([nn.Conv2D(2, 4, 3, padding=1, rng=1), nn.ReLU(), nn.MaxPool2D(),
                              nn.Conv2D(4, 5, 3, stride=2, padding=1, rng=2), nn.ReLU(),
                              nn.MaxPool2D(3, 3), nn.Flatten(), nn.Dense(5, 2, rng=3)])

    x = np.random.default_rng(7).normal(size=(70, 2, 12, 12)).astype(np.float32)
    fused, alone = model(), model()
    forward, backward = _layer_by_layer(alone)
    dout = np.random.default_rng(8).normal(size=(70, 2)).astype(np.float32)
    with nn.threads(2):
        np.testing.assert_array_equal(fused.forward(x), forward(x))
        assert fused[0].fused_with() == (fused[1], fused[2])
        assert fused[3].fused_with() == (fused[4], fused[5])
        np.testing.assert_array_equal(fused.backward(dout), backward(dout))
    for name, value in alone.grads.items():
        np.testing.assert_array_equal(fused.grads[name], value, err_msg=name)


def test_fused_blocks_of_two_dtypes_give_the_numbers_of_their_layers_alone():
    # The float64 block converts the float32 block's output: the two run one after
    # the other, not chunk by chunk together.
    def model():
        return nn.Sequential([nn.Conv2D(1, 3, 3, padding=1, rng=1), nn.ReLU(), nn.MaxPool2D(),
                              nn.Conv2D(3, 2, 3, padding=1, rng=2, dtype=np.float64),
                              nn.ReLU(), nn.MaxPool2D(), nn.Flatten()])

    x = np.random.default_rng(9).normal(size=(40, 1, 8, 8)).astype(np.float32)
    fused, alone = model(), model()
    forward, backward = _layer_by_layer(alone)
    with nn.threads(2):
        out = fused.forward(x)
        np.testing.assert_array_equal(out, forward(x))
        assert out.dtype == np.float64
        dout = np.random.default_rng(10).normal(size=out.shape)
        np.testing.assert_array_equal(fused.backward(dout), backward(dout))
    for name, value in alone.grads.items():
        np.testing.assert_array_equal(fused.grads[name], value, err_msg=name)


def test_a_fused_pass_that_fails_in_a_chunk_leaves_nothing_to_go_back_through(monkeypatch):
    conv, relu, pool = nn.Conv2D(1, 2, 3, padding=1), nn.ReLU(), nn.MaxPool2D()
    x = np.ones((2, 1, 6, 6), np.float32)
    conv.forward_relu_pool(x, relu, pool)

    def out_of_memory(*args):
        raise MemoryError

    monkeypatch.setattr("lessons_lib.fast.pooling.switches_unchecked", out_of_memory)
    with pytest.raises(MemoryError):
        conv.forward_relu_pool(x, relu, pool)
    assert conv.fused_with() is None
    with pytest.raises(RuntimeError, match="forward"):
        conv.backward_relu_pool(np.ones((2, 2, 3, 3), np.float32))


def test_a_fused_block_passes_a_gradient_check_with_rows_the_windows_leave_out():
    # 7 x 5 outputs pooled 2 x 2: the last row and column get no gradient.
    model = nn.Sequential([nn.Conv2D(2, 3, 3, padding=1, rng=4), nn.ReLU(), nn.MaxPool2D(2),
                           nn.Flatten()])
    x = np.random.default_rng(5).normal(size=(3, 2, 7, 5))
    assert_gradients(model, x)


def test_after_a_fused_pass_each_layer_still_works_alone():
    conv, relu, pool = nn.Conv2D(1, 2, 3, padding=1), nn.ReLU(), nn.MaxPool2D()
    x = np.random.default_rng(6).normal(size=(2, 1, 6, 6)).astype(np.float32)
    y = conv.forward_relu_pool(x, relu, pool)
    assert conv.fused_with() == (relu, pool)
    # ReLU and MaxPool2D kept nothing of the fused pass to go back through.
    for layer in (relu, pool):
        with pytest.raises(RuntimeError, match="forward"):
            layer.backward(np.ones((2, 2, 6, 6), np.float32))
    with pytest.raises(RuntimeError, match="forward"):
        conv.backward(np.ones((2, 2, 6, 6), np.float32))
    dx = conv.backward_relu_pool(np.ones(y.shape, np.float32))
    assert dx.shape == x.shape
    # A plain forward afterwards: the layers are separate again.
    out = conv(x)
    assert conv.fused_with() is None
    np.testing.assert_array_equal(pool(relu(out)), y)
    with pytest.raises(RuntimeError, match="forward"):
        conv.backward_relu_pool(np.ones(y.shape, np.float32))


def test_a_fused_block_names_the_pooling_layer_when_its_window_does_not_fit():
    model = nn.Sequential([nn.Conv2D(1, 2, 3), nn.ReLU(), nn.MaxPool2D(4, 4)])
    with pytest.raises(ValueError, match=r"x of MaxPool2D\(size=4, stride=4\) is 3x3"):
        model(np.zeros((1, 1, 5, 5)))


def test_outputs_of_successive_passes_are_separate_arrays():
    # The layers reuse their work arrays from batch to batch, never what they return.
    conv = nn.Conv2D(1, 2, 3, padding=1)
    rng = np.random.default_rng(7)
    first_x, second_x = rng.normal(size=(2, 2, 1, 5, 5))
    first = conv(first_x)
    kept = first.copy()
    second = conv(second_x)
    np.testing.assert_array_equal(first, kept)
    assert not np.shares_memory(first, second)


def test_adam_updates_every_weight_at_once_with_the_numbers_of_one_parameter_at_a_time():
    x, y, _ = detector_events(64, seed=1)
    together, apart = detector_cnn(), detector_cnn()
    together_adam, apart_adam = nn.Adam(together, lr=0.01), nn.Adam(apart, lr=0.01)
    for _ in range(3):
        for model in (together, apart):
            logits = model.forward(x)
            model.zero_grad()
            model.backward(softmax_cross_entropy_backward(logits, y))
        together_adam.step()
        apart_adam.t += 1
        for name, param in apart.params.items():
            apart_adam._update(name, param, apart.grads[name])
    for name, value in apart.params.items():
        np.testing.assert_array_equal(together.params[name], value, err_msg=name)
        for average in ("m", "v"):
            np.testing.assert_array_equal(together_adam.state[name][average],
                                          apart_adam.state[name][average])


def test_adam_steps_parameters_of_several_dtypes_one_at_a_time():
    model = nn.Sequential([nn.Dense(2, 2), nn.Dense(2, 1, dtype=np.float64)])
    before = {name: value.copy() for name, value in model.params.items()}
    for layer in model:
        layer.grads["W"][...] = 1.0
    nn.Adam(model, lr=0.1).step()
    # The first step moves each weight by lr against its gradient's sign.
    for name in ("0.W", "1.W"):
        assert model.params[name].dtype == before[name].dtype
        np.testing.assert_allclose(model.params[name], before[name] - 0.1, rtol=1e-6)
