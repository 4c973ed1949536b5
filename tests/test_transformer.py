"""lessons_lib.nn.transformer: every layer's gradient, PyTorch as oracle, the tiny ViT."""

import numpy as np
import pytest
from cases import tolerance

from lessons_lib import nn
from lessons_lib.attention import multi_head_attention_backward, multi_head_attention_forward
from lessons_lib.backprop import numerical_gradient, relative_error
from lessons_lib.datasets import detector_events
from lessons_lib.fast import parallel
from lessons_lib.nn.layers import Sequential
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

GRADIENT_TOLERANCE = 1e-6


def rng(seed=0):
    return np.random.default_rng(seed)


def check_layer_gradients(layer, x, seed=1):
    """Numerical gradient check of ``layer`` (in float64) for its input and every parameter.

    The loss is Σ y ⊙ R for a fixed random R, so dJ/dy = R.
    """
    layer.astype(np.float64)
    y = layer.forward(x)
    R = rng(seed).normal(size=y.shape)
    layer.zero_grad()
    dx = layer.backward(R)
    analytic = {"input": dx, **{name: g.copy() for name, g in layer.grads.items()}}

    def loss(_):
        return float(np.sum(layer.forward(x) * R))

    errors = {"input": relative_error(dx, numerical_gradient(lambda v: float(
        np.sum(layer.forward(v) * R)), x))}
    for name, value in layer.params.items():
        # numerical_gradient perturbs a copy: write it into the live parameter each call.
        def loss_of_param(v, value=value):
            value[...] = v
            return loss(None)

        saved = value.copy()
        numeric = numerical_gradient(loss_of_param, saved)
        value[...] = saved
        errors[name] = relative_error(analytic[name], numeric)
    worst = max(errors, key=errors.get)
    assert errors[worst] < GRADIENT_TOLERANCE, f"d{worst}: relative error {errors[worst]:.1e}"
    return errors


TOKENS = rng(0).normal(size=(2, 5, 8))


@pytest.mark.parametrize("make, x", [
    (lambda: TokenDense(8, 3), TOKENS),
    (lambda: GELU(), TOKENS),
    (lambda: LayerNorm(8), TOKENS),
    (lambda: ClassToken(8), TOKENS),
    (lambda: PositionEmbedding(5, 8), TOKENS),
    (lambda: PositionEmbedding(5, 8, kind="sinusoidal"), TOKENS),
    (lambda: MultiHeadSelfAttention(8, num_heads=2), TOKENS),
    (lambda: TransformerBlock(8, num_heads=4, mlp_dim=6), TOKENS),
    (lambda: TokenPool("cls"), TOKENS),
    (lambda: TokenPool("mean"), TOKENS),
    (lambda: PatchEmbedding(2, patch_size=3, embed_dim=4), rng(2).normal(size=(2, 2, 7, 6))),
], ids=["dense", "gelu", "layernorm", "cls", "learned-pos", "sinusoidal-pos", "attention",
        "block", "pool-cls", "pool-mean", "patch-embedding"])
def test_every_layer_passes_a_numerical_gradient_check(make, x):
    check_layer_gradients(make(), x)


@pytest.mark.parametrize("pool", ["cls", "mean"])
def test_the_whole_tiny_vit_passes_a_numerical_gradient_check(pool):
    model = tiny_vit((1, 8, 8), 3, patch_size=4, embed_dim=8, depth=2, num_heads=2,
                     mlp_dim=8, pool=pool, rng=3)
    check_layer_gradients(model, rng(4).normal(size=(2, 1, 8, 8)))


def test_gradients_accumulate_until_zero_grad():
    layer = LayerNorm(8).astype(np.float64)
    y = layer.forward(TOKENS)
    layer.backward(np.ones_like(y))
    once = layer.grads["gamma"].copy()
    layer.backward(np.ones_like(y))
    np.testing.assert_allclose(layer.grads["gamma"], 2 * once)
    assert not layer.zero_grad().grads["gamma"].any()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_attention_layer_computes_the_readable_multi_head_attention(dtype):
    # The layer runs the fast twin: its numbers must be those of the lesson's formulas.
    layer = MultiHeadSelfAttention(8, num_heads=2, rng=3).astype(dtype)
    x, R = TOKENS.astype(dtype), rng(12).normal(size=TOKENS.shape).astype(dtype)
    weights = [layer.params[name] for name in ("W_Q", "W_K", "W_V", "W_O")]
    Z, A, cache = multi_head_attention_forward(x, *weights, num_heads=2)
    grads = multi_head_attention_backward(R, cache)
    np.testing.assert_allclose(layer.forward(x), Z, **tolerance(dtype))
    np.testing.assert_allclose(layer.A, A, **tolerance(dtype))
    np.testing.assert_allclose(layer.backward(R), grads["X"], **tolerance(dtype))
    for name in ("W_Q", "W_K", "W_V", "W_O"):
        np.testing.assert_allclose(layer.grads[name], grads[name], **tolerance(dtype))


def test_the_attention_layer_works_in_the_dtype_of_its_weights():
    layer = MultiHeadSelfAttention(8, num_heads=2)
    assert layer(TOKENS).dtype == np.float32 and layer.A.dtype == np.float32
    assert layer.backward(np.ones(TOKENS.shape)).dtype == np.float32


def _vit_after_two_steps(threads):
    # Two chunks and a short third: the attention layers share the batch between threads.
    x, y, _ = detector_events(2 * parallel.CHUNK + 3, seed=3)
    model = tiny_vit((1, 64, 64), 3, patch_size=16, embed_dim=8, num_heads=2, rng=2)
    optimizer = nn.Adam(model, lr=0.01)
    with nn.threads(threads):
        for _ in range(2):
            nn.train_step(model, optimizer, x, y)
    return model.params


def test_training_the_tiny_vit_gives_the_same_numbers_on_one_core_or_several():
    one, several = _vit_after_two_steps(1), _vit_after_two_steps(3)
    for name in one:
        np.testing.assert_array_equal(one[name], several[name], err_msg=name)


# -- PyTorch as the oracle ------------------------------------------------------------


def test_layer_norm_and_gelu_agree_with_pytorch():
    torch = pytest.importorskip("torch")
    x = torch.tensor(TOKENS, requires_grad=True)
    norm = LayerNorm(8).astype(np.float64)
    norm.params["gamma"][...] = rng(5).normal(size=8)
    norm.params["beta"][...] = rng(6).normal(size=8)
    expected = torch.nn.functional.layer_norm(x, (8,), torch.from_numpy(norm.params["gamma"]),
                                              torch.from_numpy(norm.params["beta"]), eps=1e-5)
    np.testing.assert_allclose(norm.forward(TOKENS), expected.detach().numpy(), atol=1e-12)
    gelu = torch.nn.functional.gelu(x, approximate="tanh")
    np.testing.assert_allclose(GELU().forward(TOKENS), gelu.detach().numpy(), atol=1e-12)


def test_patch_embedding_is_a_strided_convolution_as_in_pytorch():
    torch = pytest.importorskip("torch")
    x = rng(7).normal(size=(2, 3, 9, 8))
    embed = PatchEmbedding(3, patch_size=4, embed_dim=5, rng=1).astype(np.float64)
    W = embed.params["W"].reshape(5, 3, 4, 4)
    expected = torch.nn.functional.conv2d(torch.from_numpy(x), torch.from_numpy(W),
                                          torch.from_numpy(embed.params["b"]), stride=4)
    np.testing.assert_allclose(embed.forward(x), expected.flatten(2).transpose(1, 2).numpy(),
                               atol=1e-12)


def torch_block(block):
    """A PyTorch pre-norm encoder block carrying the weights of our ``block``."""
    import torch

    E, h = block.embed_dim, block.attention.num_heads
    p = {k: torch.from_numpy(v) for k, v in block.params.items()}

    class Block(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.norm1 = torch.nn.LayerNorm(E, dtype=torch.float64)
            self.attention = torch.nn.MultiheadAttention(E, h, bias=False, batch_first=True,
                                                         dtype=torch.float64)
            self.norm2 = torch.nn.LayerNorm(E, dtype=torch.float64)
            self.fc1 = torch.nn.Linear(E, block.mlp_dim, dtype=torch.float64)
            self.fc2 = torch.nn.Linear(block.mlp_dim, E, dtype=torch.float64)

        def forward(self, x):
            y = self.norm1(x)
            x = x + self.attention(y, y, y, need_weights=False)[0]
            mlp = self.fc2(torch.nn.functional.gelu(self.fc1(self.norm2(x)), approximate="tanh"))
            return x + mlp

    model = Block()
    with torch.no_grad():
        for ours, theirs in (("norm1", model.norm1), ("norm2", model.norm2)):
            theirs.weight.copy_(p[f"{ours}.gamma"])
            theirs.bias.copy_(p[f"{ours}.beta"])
        model.attention.in_proj_weight.copy_(torch.cat(
            [p["attention.W_Q"].T, p["attention.W_K"].T, p["attention.W_V"].T]))
        model.attention.out_proj.weight.copy_(p["attention.W_O"].T)
        for ours, theirs in (("mlp.0", model.fc1), ("mlp.2", model.fc2)):
            theirs.weight.copy_(p[f"{ours}.W"])
            theirs.bias.copy_(p[f"{ours}.b"])
    return model


def test_transformer_block_agrees_with_pytorch_values_and_gradients():
    torch = pytest.importorskip("torch")
    block = TransformerBlock(8, num_heads=2, mlp_dim=12, rng=8).astype(np.float64)
    block.norm1.params["gamma"][...] = rng(9).normal(size=8)
    block.norm2.params["beta"][...] = rng(10).normal(size=8)
    model = torch_block(block)
    x = torch.tensor(TOKENS, requires_grad=True)
    R = rng(11).normal(size=TOKENS.shape)
    expected = model(x)
    expected.backward(torch.from_numpy(R))

    np.testing.assert_allclose(block.forward(TOKENS), expected.detach().numpy(), atol=1e-12)
    dx = block.backward(R)
    np.testing.assert_allclose(dx, x.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(block.grads["norm1.gamma"], model.norm1.weight.grad.numpy(),
                               atol=1e-12)
    np.testing.assert_allclose(block.grads["mlp.0.W"], model.fc1.weight.grad.numpy(),
                               atol=1e-12)
    np.testing.assert_allclose(block.grads["attention.W_O"],
                               model.attention.out_proj.weight.grad.numpy().T, atol=1e-12)


# -- the model ----------------------------------------------------------------------------


def test_tiny_vit_shapes_parameters_and_attention_maps():
    model = tiny_vit((1, 32, 32), 3, patch_size=8, embed_dim=16, depth=2, num_heads=4)
    logits = model(np.zeros((6, 1, 32, 32), dtype=np.float32))
    assert logits.shape == (6, 3) and logits.dtype == np.float32
    maps = attention_maps(model)
    assert len(maps) == 2 and maps[0].shape == (6, 4, 17, 17)
    np.testing.assert_allclose(maps[1].sum(axis=-1), 1.0, atol=1e-5)
    assert isinstance(model, Sequential)
    mean_pool = tiny_vit((1, 32, 32), 3, patch_size=8, embed_dim=16, depth=2, pool="mean")
    assert model.num_params - mean_pool.num_params == 16 + 16  # the class token and its position


def test_tiny_vit_is_deterministic_for_a_seed():
    a, b = (tiny_vit((1, 16, 16), 3, embed_dim=8, num_heads=2, rng=5) for _ in range(2))
    for name, value in a.params.items():
        np.testing.assert_array_equal(value, b.params[name])


def test_permuting_patches_changes_nothing_without_position_embedding():
    """Attention is blind to order: the position embedding is what tells patches apart."""
    model = tiny_vit((1, 8, 8), 2, patch_size=4, embed_dim=8, num_heads=2, pool="mean",
                     rng=1).astype(np.float64)
    position = model[1]
    image = rng(2).normal(size=(1, 1, 8, 8))
    swapped = image[..., [4, 5, 6, 7, 0, 1, 2, 3], :]  # top and bottom patch rows exchanged
    position.params["pos"][...] = 0
    np.testing.assert_allclose(model(image), model(swapped), atol=1e-12)
    position.params["pos"][...] = rng(3).normal(size=position.params["pos"].shape)
    assert not np.allclose(model(image), model(swapped))


@pytest.mark.parametrize("make, match", [
    (lambda: MultiHeadSelfAttention(17, num_heads=2), "num_heads must divide embed_dim = 17"),
    (lambda: tiny_vit((1, 6, 6), 3, patch_size=8), "patch_size must be at most 6"),
    (lambda: tiny_vit((64, 64), 3), r"image_shape must be \(C, H, W\)"),
    (lambda: tiny_vit((1, 32, 32), 3, pool="max"), "pool must be one of 'cls', 'mean'"),
    (lambda: PositionEmbedding(4, 8, kind="rotary"), "kind must be one of"),
])
def test_bad_configurations_are_rejected_by_name(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize("layer, x, match", [
    (PatchEmbedding(1, 4, 8), np.zeros((2, 3, 8, 8)), r"^x of PatchEmbedding\(1, "
     r".*must have shape \(B, 1, H, W\), got \(2, 3, 8, 8\)"),
    (PatchEmbedding(1, 4, 8), np.zeros((2, 1, 3, 8)), r"is 3x8: smaller than the patch 4x4"),
    (PositionEmbedding(5, 8), np.zeros((2, 4, 8)), "^x of .* must have 5 tokens"),
    (LayerNorm(8), np.zeros((2, 4, 7)), r"^x of LayerNorm\(8\) must have shape \(\.\.\., 8\)"),
    (ClassToken(8), np.zeros((2, 8)), r"^x of ClassToken\(8\) must be shaped \(B, N, 8\)"),
])
def test_bad_inputs_are_rejected_by_name(layer, x, match):
    with pytest.raises(ValueError, match=match):
        layer(x)


# -- the views ---------------------------------------------------------------------------


def test_attention_explorer_shows_the_chosen_query_head_and_event():
    from lessons_lib.widgets.attention import AttentionExplorer

    model = tiny_vit((1, 16, 16), 3, patch_size=4, embed_dim=8, depth=2, num_heads=2, rng=2)
    images = rng(3).random((3, 1, 16, 16)).astype(np.float32)
    view = AttentionExplorer(model, images, [0, 1, 2], ("a", "b", "c"))
    assert view.query.value == -1 and view.weights.shape == (4, 4)
    # One choice per head of the model (2), plus their mean; the class token plus 16 patches.
    assert [value for _, value in view.head.options] == [-1, 0, 1]
    assert len(view.query.options) == 1 + 16 and view.block.max == 1
    maps = view.maps
    # The class token's attention over the 16 patches, averaged over heads (last block).
    np.testing.assert_allclose(view.weights.ravel(), maps[1][:, 0, 1:].mean(axis=0), rtol=1e-6)
    assert not view.plot.outline.get_visible()

    view.head.value, view.block.value, view.query.value = 1, 0, 6
    np.testing.assert_allclose(view.weights.ravel(), maps[0][1, 7, 1:], rtol=1e-6)
    assert view.plot.outline.get_visible() and view.plot.outline.get_xy() == (7.5, 3.5)
    np.testing.assert_allclose(view.plot.grid_image.get_array(), view.weights)
    opacity = view.plot.overlay.get_array()[..., 3]
    np.testing.assert_allclose(opacity, 0.75 * view.weights / view.weights.max())

    # The grid leaves out the query's weight on the class token; the title gives it.
    share = float(maps[0][1, 7, 0])
    assert view.plot.bar_ax.get_title() == f"attention on patches; class token: {share:.0%}"
    np.testing.assert_allclose(view.weights.sum() + share, 1.0, rtol=1e-5)

    view.event.value = 2
    assert view.plot.picture.get_array().shape == (16, 16)
    np.testing.assert_allclose(view.plot.picture.get_array(), images[2, 0])
    assert view.plot.ax.get_title().startswith("true: c, predicted: ")


@pytest.mark.parametrize("change, match", [
    ({"event": 3}, "event must be below 3"),
    ({"head": 2}, r"head must be -1 \(the mean of the heads\) or 0 to 1, got 2"),
    ({"query": 16}, r"query must be -1 \(the class token\) or a patch from 0 to 15"),
    ({"labels": [0, 1]}, "one label each"),
])
def test_attention_explorer_rejects_bad_choices_by_name(change, match):
    from lessons_lib.widgets.attention import AttentionExplorer

    model = tiny_vit((1, 16, 16), 3, patch_size=4, embed_dim=8, depth=2, num_heads=2, rng=2)
    arguments = {"images": np.zeros((3, 1, 16, 16), dtype=np.float32), "labels": [0, 1, 2],
                 **change}
    with pytest.raises(ValueError, match=match):
        AttentionExplorer(model, class_names=("a", "b", "c"), **arguments)


def test_attention_overlay_keeps_every_label_inside_the_figure_as_the_weights_change():
    """A view keeps its first layout: labels that grow later must still fit."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from lessons_lib.plots import to_png
    from lessons_lib.plots.attention import AttentionOverlayPlot

    image = rng(1).random((16, 16))
    plot = AttentionOverlayPlot(image, np.full((4, 4), 1 / 16), 4, None)
    to_png(plot.fig)
    for top in (0.0123, 0.15, 0.9):
        weights = rng(2).random((4, 4))
        plot.update(image, top * weights / weights.max(), (1, 2), title="true: a, predicted: b",
                    grid_title="attention on patches; class token: 12%")
        to_png(plot.fig)
        renderer = FigureCanvasAgg(plot.fig).get_renderer()
        width, height = plot.fig.bbox.width, plot.fig.bbox.height
        for ax in plot.fig.axes:
            box = ax.get_tightbbox(renderer)
            assert box.x0 >= -1 and box.x1 <= width + 1, (top, ax, box)
            assert box.y0 >= -1 and box.y1 <= height + 1, (top, ax, box)


def test_attention_explorer_and_curves_fit_beside_their_controls():
    from lessons_lib.plots import MAX_VIEW_PX, check_projector_ready
    from lessons_lib.widgets.attention import AttentionExplorer, LiveTrainingCurves

    model = tiny_vit((1, 16, 16), 3, patch_size=4, embed_dim=8, depth=2, num_heads=2, rng=2)
    images = rng(3).random((3, 1, 16, 16)).astype(np.float32)
    view = AttentionExplorer(model, images, [0, 1, 2], ("a", "b", "c"))
    check_projector_ready(view.fig, MAX_VIEW_PX)
    curves = LiveTrainingCurves(history={"loss": [1.0, 0.5], "accuracy": [0.5, 0.8],
                                         "val_loss": [0.9, 0.6], "val_accuracy": [0.6, 0.7]})
    check_projector_ready(curves.fig, MAX_VIEW_PX)
    # One legend for both panels, outside them: it covers no curve.
    assert len(curves.fig.legends) == 1
    assert curves.plot.loss_ax.get_legend() is None


def test_training_curves_lay_themselves_out_again_as_they_grow():
    """Shown empty first, then after each epoch: no label may end up outside the figure."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from lessons_lib.widgets.attention import LiveTrainingCurves

    curves = LiveTrainingCurves(title="short run")
    curves.update({"loss": [1.05, 0.78], "accuracy": [0.5, 0.65], "val_loss": [0.97, 0.77],
                   "val_accuracy": [0.43, 0.67]})
    renderer = FigureCanvasAgg(curves.fig).get_renderer()
    for ax in curves.fig.axes:
        box = ax.get_tightbbox(renderer)
        assert box.x0 >= -1 and box.x1 <= curves.fig.bbox.width + 1, (ax, box)


def test_live_training_curves_follow_fit():
    from lessons_lib.nn import Adam, fit
    from lessons_lib.widgets.attention import LiveTrainingCurves

    model = tiny_vit((1, 8, 8), 2, patch_size=4, embed_dim=8, depth=1, num_heads=2, rng=0)
    x = rng(1).random((40, 1, 8, 8)).astype(np.float32)
    y = (x[:, 0, :4].mean(axis=(1, 2)) > x[:, 0, 4:].mean(axis=(1, 2))).astype(int)
    curves = LiveTrainingCurves()
    # Before the first epoch: one epoch on the axis, a loss axis from 0, nothing drawn.
    assert curves.plot.loss_ax.get_xlim() == (0.5, 1.5)
    assert curves.plot.loss_ax.get_ylim() == (0, 1) and curves.epochs == 0
    history = fit(model, x, y, epochs=3, batch_size=10, optimizer=Adam(model, lr=0.01),
                  progress=False, callback=curves.update)
    assert curves.epochs == 3
    np.testing.assert_allclose(curves.plot.lines["val_loss"].get_ydata(), history.val_loss)
    assert history.loss[-1] < history.loss[0]


# -- the stored model ------------------------------------------------------------------------


def test_stored_vit_reproduces_its_validation_count_and_records_the_split():
    from lessons_lib.nn import predict
    from lessons_lib.nn.transformer import VIT_TRAINING, VIT_WEIGHTS, load_tiny_vit
    from lessons_lib.splits import COURSE_SPLIT, course_split

    if not VIT_WEIGHTS.exists():
        pytest.fail(f"{VIT_WEIGHTS} is missing: run tools/train_vit.py")
    model, metadata = load_tiny_vit()
    # Checked on validation: the stored test count was made by the tool's one test pass.
    x_val, y_val = course_split().validation
    correct = int(np.sum(predict(model, x_val) == y_val))
    # float32 sums may round differently on another machine: a couple of events may flip.
    assert abs(correct - metadata["validation"]["correct"]) <= 2
    assert correct / len(y_val) >= 0.90
    assert metadata["split"] == {part: {"events": n, "data_seed": seed}
                                 for part, (n, seed) in COURSE_SPLIT.items()}
    assert metadata["train"]["events"] == len(course_split().train[1])
    assert metadata["test"]["events"] == course_split().test_size
    assert metadata["test_accuracy"] == metadata["test"]["correct"] / metadata["test"]["events"]
    assert metadata["training"] == VIT_TRAINING
    # The comparison holds validation counts per model and data size, no test numbers
    # and no wall-clock times.
    comparison = metadata["comparison"]
    assert comparison["data"] == "validation"
    assert comparison["events"] == {"full": 10000, "tenth": 1000}
    assert comparison["ViT"]["full"] == metadata["validation"]["correct"]
    for name in ("ViT", "CNN"):
        assert set(comparison[name]) == {"full", "tenth", "params"}
        assert all(0 <= comparison[name][size] <= len(y_val) for size in ("full", "tenth"))
    assert "seconds" not in str(metadata)
