"""lessons_lib.attention: the slides' table, loops vs vectorised, PyTorch as oracle, gradients."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lessons_lib.attention import (
    attention_saturation,
    ink_profile_weights,
    merge_heads,
    multi_head_attention,
    multi_head_attention_backward,
    multi_head_attention_forward,
    multi_head_attention_loops,
    patch_grid,
    patchify,
    patchify_backward,
    patchify_loops,
    prepend_position_index,
    scaled_dot_product_attention,
    scaled_dot_product_attention_backward,
    scaled_dot_product_attention_loops,
    sinusoidal_position_encoding,
    slides_x_copies,
    small_integer_weights,
    softmax_backward,
    split_heads,
    table_slips,
)
from lessons_lib.backprop import numerical_gradient, relative_error
from lessons_lib.datasets import figure_matrix

GRADIENT_TOLERANCE = 1e-6

# The slides' "linear embedding with position": position index, then the 4 x 4 patch
# flattened row by row. Written out by hand from the 8 x 9 figure matrix.
SLIDES_X = np.array([
    [0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1],
    [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [2, 0, 0, 1, 0, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 1, 0],
    [3, 1, 0, 0, 0, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 1],
])

values = st.floats(-3, 3, allow_nan=False, width=64)


def rng(seed=0):
    return np.random.default_rng(seed)


def check_gradient(loss, x, analytic, name):
    """Compare ``analytic`` with central differences of ``loss`` at ``x``; report the error."""
    error = relative_error(analytic, numerical_gradient(loss, x))
    assert error < GRADIENT_TOLERANCE, f"d{name}: relative error {error:.1e}"


# -- the slides' table ----------------------------------------------------------


def test_slides_table_is_reproduced_exactly_from_the_figure_matrix():
    X = prepend_position_index(patchify(figure_matrix(), 4))
    assert X.shape == (4, 17)
    np.testing.assert_array_equal(X, SLIDES_X)


def test_the_slides_copies_have_exactly_the_slips_the_lesson_points_out():
    copies = slides_x_copies()
    assert list(copies) == ["slides 1 and 5", "slide 2", "slides 3 and 4"]
    assert table_slips(SLIDES_X, copies["slides 1 and 5"]) == []
    assert copies["slide 2"].shape == (4, 13)
    assert table_slips(SLIDES_X, copies["slide 2"]) == [(0, 12)]
    # Row 3 on slides 3 and 4: the pixels from column 5 to 12 moved one column right.
    shifted = copies["slides 3 and 4"]
    assert table_slips(SLIDES_X, shifted) == [(3, 5), (3, 9), (3, 11), (3, 12)]
    np.testing.assert_array_equal(shifted[3, 6:13], SLIDES_X[3, 5:12])


def test_table_slips_rejects_a_copy_wider_than_the_table():
    with pytest.raises(ValueError, match="copy must have 4 rows and at most 17 columns"):
        table_slips(SLIDES_X, np.zeros((4, 18)))


# -- patches --------------------------------------------------------------------


@given(arrays(np.float64, st.tuples(st.integers(1, 11), st.integers(1, 11)), elements=values),
       st.integers(1, 5))
def test_patchify_agrees_with_its_loops(image, P):
    if P > min(image.shape):
        return
    np.testing.assert_array_equal(patchify(image, P), patchify_loops(image, P))
    rows, cols = patch_grid(image.shape, P)
    assert patchify(image, P).shape == (rows * cols, P * P)


def test_patchify_of_a_batch_agrees_with_pytorch_unfold():
    torch = pytest.importorskip("torch")
    x = rng().normal(size=(3, 2, 9, 11))
    expected = torch.nn.functional.unfold(torch.from_numpy(x), kernel_size=4, stride=4)
    np.testing.assert_allclose(patchify(x, 4), expected.transpose(1, 2).numpy())


def test_patchify_backward_is_the_adjoint_and_zeroes_the_dropped_border():
    x = rng(1).normal(size=(2, 3, 7, 10))
    dp = rng(2).normal(size=patchify(x, 3).shape)
    dx = patchify_backward(dp, x.shape, 3)
    # <patchify(x), dp> = <x, patchify_backward(dp)> for a linear map and its adjoint.
    assert np.isclose(np.sum(patchify(x, 3) * dp), np.sum(x * dx))
    assert not dx[..., 6:, :].any() and not dx[..., :, 9:].any()
    image = rng(3).normal(size=(8, 9))
    np.testing.assert_array_equal(patchify_backward(patchify(image, 4), image.shape, 4)[:, :8],
                                  image[:, :8])


def test_patchify_backward_passes_a_numerical_gradient_check():
    x = rng(4).normal(size=(1, 2, 5, 6))
    R = rng(5).normal(size=patchify(x, 2).shape)
    check_gradient(lambda v: np.sum(patchify(v, 2) * R), x, patchify_backward(R, x.shape, 2),
                   "image")


def test_patchify_keeps_float32():
    assert patchify(np.zeros((1, 1, 4, 4), dtype=np.float32), 2).dtype == np.float32


@pytest.mark.parametrize("image, P, match", [
    (np.zeros((3, 3)), 4, r"image \(3 x 3\) is smaller than one patch of 4 x 4"),
    (np.zeros((8, 2)), 4, "patch_size must be at most 2"),
    (np.zeros((8, 8)), 0, "patch_size must be an integer >= 1"),
    (np.zeros(8), 2, "image must be 2-D or 4-D"),
])
def test_patchify_rejects_bad_input_by_name(image, P, match):
    with pytest.raises(ValueError, match=match):
        patchify(image, P)


def test_patchify_backward_rejects_gradients_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"dpatches must have shape \(4, 16\)"):
        patchify_backward(np.zeros((4, 17)), (8, 9), 4)


# -- scaled dot-product attention -----------------------------------------------


@st.composite
def qkv(draw, batch=()):
    N_q, N_k, d_k, d_v = (draw(st.integers(1, 5)) for _ in range(4))
    Q = draw(arrays(np.float64, batch + (N_q, d_k), elements=values))
    K = draw(arrays(np.float64, batch + (N_k, d_k), elements=values))
    V = draw(arrays(np.float64, batch + (N_k, d_v), elements=values))
    return Q, K, V


@given(qkv(), st.booleans())
def test_attention_agrees_with_its_loops_and_rows_sum_to_one(problem, scale):
    Q, K, V = problem
    Z, A = scaled_dot_product_attention(Q, K, V, scale=scale)
    Z_loops, A_loops = scaled_dot_product_attention_loops(Q, K, V, scale=scale)
    np.testing.assert_allclose(A, A_loops, atol=1e-12)
    np.testing.assert_allclose(Z, Z_loops, atol=1e-10)
    np.testing.assert_allclose(A.sum(axis=-1), 1.0, atol=1e-12)
    assert (A >= 0).all()


@given(st.floats(1e3, 1e300, allow_nan=False))
def test_attention_stays_finite_for_huge_scores(size):
    Q = np.array([[size, -size], [1.0, 0.0]])
    K = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 1.0]])
    Z, A = scaled_dot_product_attention(Q, K, np.eye(3), scale=False)
    assert np.isfinite(A).all() and np.isfinite(Z).all()
    np.testing.assert_allclose(A.sum(axis=-1), 1.0)
    np.testing.assert_allclose(A[0], [1.0, 0.0, 0.0])


@pytest.mark.parametrize("scale", [True, False])
def test_attention_agrees_with_pytorch(scale):
    torch = pytest.importorskip("torch")
    Q, K, V = (rng(i).normal(size=s) for i, s in enumerate([(2, 5, 4), (2, 6, 4), (2, 6, 3)]))
    expected = torch.nn.functional.scaled_dot_product_attention(
        *(torch.from_numpy(M) for M in (Q, K, V)), scale=None if scale else 1.0)
    Z, _ = scaled_dot_product_attention(Q, K, V, scale=scale)
    np.testing.assert_allclose(Z, expected.numpy(), atol=1e-12)


@pytest.mark.parametrize("scale", [True, False])
def test_attention_backward_passes_a_numerical_gradient_check(scale):
    Q, K, V = rng(1).normal(size=(4, 3)), rng(2).normal(size=(5, 3)), rng(3).normal(size=(5, 2))
    R = rng(4).normal(size=(4, 2))
    Z, A = scaled_dot_product_attention(Q, K, V, scale=scale)
    dQ, dK, dV = scaled_dot_product_attention_backward(R, Q, K, V, A, scale=scale)

    def loss(Q=Q, K=K, V=V):
        return np.sum(scaled_dot_product_attention(Q, K, V, scale=scale)[0] * R)

    check_gradient(lambda M: loss(Q=M), Q, dQ, "Q")
    check_gradient(lambda M: loss(K=M), K, dK, "K")
    check_gradient(lambda M: loss(V=M), V, dV, "V")


def test_attention_backward_agrees_with_pytorch_autograd_on_a_batch():
    torch = pytest.importorskip("torch")
    Q, K, V = (rng(i).normal(size=(3, 4, 5)) for i in range(3))
    R = rng(9).normal(size=(3, 4, 5))
    tensors = [torch.tensor(M, requires_grad=True) for M in (Q, K, V)]
    torch.nn.functional.scaled_dot_product_attention(*tensors).backward(torch.from_numpy(R))
    _, A = scaled_dot_product_attention(Q, K, V)
    for ours, theirs in zip(scaled_dot_product_attention_backward(R, Q, K, V, A), tensors,
                            strict=True):
        np.testing.assert_allclose(ours, theirs.grad.numpy(), atol=1e-12)


def test_softmax_backward_passes_a_numerical_gradient_check():
    from lessons_lib.losses import softmax

    S, R = rng(1).normal(size=(3, 4)), rng(2).normal(size=(3, 4))
    check_gradient(lambda M: np.sum(softmax(M) * R), S, softmax_backward(R, softmax(S)), "S")


def test_attention_keeps_float32():
    Q = np.ones((2, 3), dtype=np.float32)
    Z, A = scaled_dot_product_attention(Q, Q, Q)
    assert Z.dtype == A.dtype == np.float32


@pytest.mark.parametrize("shapes, error, match", [
    (((4, 3), (4, 2), (4, 3)), ValueError, r"K must have as many columns as Q \(d_k = 3\)"),
    (((4, 3), (4, 3), (5, 3)), ValueError, r"V must have one row per row of K \(4\)"),
    (((2, 4, 3), (3, 4, 3), (3, 4, 3)), ValueError, "same leading"),
    (((3,), (3, 3), (3, 3)), ValueError, r"Q must have shape \(..., tokens, features\)"),
])
def test_attention_rejects_mismatched_shapes_by_name(shapes, error, match):
    Q, K, V = (np.ones(s) for s in shapes)
    with pytest.raises(error, match=match):
        scaled_dot_product_attention(Q, K, V)


def test_attention_rejects_a_non_boolean_scale_and_nan():
    with pytest.raises(TypeError, match="scale must be True or False"):
        scaled_dot_product_attention(np.ones((2, 2)), np.ones((2, 2)), np.ones((2, 2)), scale=2)
    with pytest.raises(ValueError, match="Q must contain only finite numbers"):
        scaled_dot_product_attention(np.full((2, 2), np.nan), np.ones((2, 2)), np.ones((2, 2)))


# -- multi-head attention ---------------------------------------------------------


def weights(E, D=None, E_out=None, seed=0):
    D, E_out = D or E, E_out or E
    generator = rng(seed)
    return [generator.normal(size=s) / np.sqrt(E) for s in [(E, D)] * 3 + [(D, E_out)]]


@given(st.integers(1, 5), st.sampled_from([1, 2, 3, 6]), st.integers(0, 100))
def test_multi_head_attention_agrees_with_its_loop_over_heads(N, h, seed):
    X = rng(seed).normal(size=(N, 6))
    Z, A = multi_head_attention(X, *weights(6, seed=seed), num_heads=h)
    Z_loops, A_loops = multi_head_attention_loops(X, *weights(6, seed=seed), num_heads=h)
    np.testing.assert_allclose(Z, Z_loops, atol=1e-12)
    np.testing.assert_allclose(A, A_loops, atol=1e-12)
    assert A.shape == (h, N, N)


def test_one_head_is_scaled_dot_product_attention_then_w_o():
    X = rng(1).normal(size=(4, 5))
    W_Q, W_K, W_V, W_O = weights(5)
    Z, A = multi_head_attention(X, W_Q, W_K, W_V, W_O, num_heads=1)
    Z_1, A_1 = scaled_dot_product_attention(X @ W_Q, X @ W_K, X @ W_V)
    np.testing.assert_allclose(Z, Z_1 @ W_O)
    np.testing.assert_allclose(A[0], A_1)


@pytest.mark.parametrize("num_heads", [1, 2, 4])
def test_multi_head_attention_agrees_with_pytorch(num_heads):
    torch = pytest.importorskip("torch")
    E, X = 8, rng(3).normal(size=(2, 5, 8))
    W_Q, W_K, W_V, W_O = weights(E)
    layer = torch.nn.MultiheadAttention(E, num_heads, bias=False, batch_first=True,
                                        dtype=torch.float64)
    with torch.no_grad():
        # PyTorch stores weights transposed (y = x Wᵀ): ours are its transposes.
        layer.in_proj_weight.copy_(torch.from_numpy(np.vstack([W_Q.T, W_K.T, W_V.T])))
        layer.out_proj.weight.copy_(torch.from_numpy(W_O.T))
    x = torch.tensor(X, requires_grad=True)
    Z_torch, A_torch = layer(x, x, x, average_attn_weights=False)
    R = rng(4).normal(size=X.shape)
    Z_torch.backward(torch.from_numpy(R))

    Z, A, cache = multi_head_attention_forward(X, W_Q, W_K, W_V, W_O, num_heads)
    np.testing.assert_allclose(Z, Z_torch.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(A, A_torch.detach().numpy(), atol=1e-12)
    grads = multi_head_attention_backward(R, cache)
    np.testing.assert_allclose(grads["X"], x.grad.numpy(), atol=1e-12)
    in_proj = np.hstack([grads["W_Q"], grads["W_K"], grads["W_V"]]).T
    np.testing.assert_allclose(in_proj, layer.in_proj_weight.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(grads["W_O"].T, layer.out_proj.weight.grad.numpy(), atol=1e-12)


@pytest.mark.parametrize("shape", [(4, 6), (2, 3, 6)])
def test_multi_head_attention_backward_passes_a_numerical_gradient_check(shape):
    X = rng(5).normal(size=shape)
    # A non-square layout: D = 4 columns for 2 heads, an output of width 3.
    W = dict(zip(["W_Q", "W_K", "W_V", "W_O"], weights(6, D=4, E_out=3, seed=6), strict=True))
    Z, _, cache = multi_head_attention_forward(X, **W, num_heads=2)
    R = rng(7).normal(size=Z.shape)
    grads = multi_head_attention_backward(R, cache)
    inputs = {"X": X, **W}

    for name, value in inputs.items():
        def loss(M, name=name):
            return np.sum(multi_head_attention(**{**inputs, name: M}, num_heads=2)[0] * R)

        check_gradient(loss, value, grads[name], name)


def test_split_and_merge_heads_are_inverses_and_take_contiguous_columns():
    M = np.arange(24.0).reshape(2, 3, 4)
    heads = split_heads(M, 2)
    assert heads.shape == (2, 2, 3, 2)
    np.testing.assert_array_equal(heads[:, 1], M[..., 2:])
    np.testing.assert_array_equal(merge_heads(heads), M)


@pytest.mark.parametrize("change, match", [
    ({"num_heads": 2}, "num_heads must divide D = 17"),
    ({"W_K": np.ones((17, 16))}, r"W_K must have shape \(E, D\) = \(17, 17\)"),
    ({"W_V": np.ones((16, 17))}, r"W_V must have shape \(E, D\) = \(17, 17\)"),
    ({"W_O": np.ones((16, 17))}, "W_O must have 17 rows"),
    ({"X": np.ones(17)}, "X must be 2-D or 3-D"),
])
def test_multi_head_attention_rejects_bad_input_by_name(change, match):
    arguments = {"X": SLIDES_X, "W_Q": np.eye(17), "W_K": np.eye(17), "W_V": np.eye(17),
                 "W_O": np.eye(17), "num_heads": 1, **change}
    with pytest.raises(ValueError, match=match):
        multi_head_attention(**arguments)


def test_multi_head_backward_rejects_a_gradient_of_the_wrong_shape():
    _, _, cache = multi_head_attention_forward(np.ones((3, 4)), *weights(4), num_heads=2)
    with pytest.raises(ValueError, match=r"dZ must have the shape of Z, \(3, 4\)"):
        multi_head_attention_backward(np.ones((3, 5)), cache)


# -- position encoding -------------------------------------------------------------


@given(st.integers(1, 30), st.integers(1, 30))
def test_sinusoidal_encoding_follows_the_paper_formula(N, E):
    PE = sinusoidal_position_encoding(N, E)
    expected = np.zeros((N, E))
    for p in range(N):
        for i in range(E):
            angle = p / 10000 ** ((i - i % 2) / E)
            expected[p, i] = np.sin(angle) if i % 2 == 0 else np.cos(angle)
    np.testing.assert_allclose(PE, expected, atol=1e-12)


def test_sinusoidal_encoding_gives_every_position_its_own_code():
    PE = sinusoidal_position_encoding(64, 16)
    distances = np.linalg.norm(PE[:, None] - PE[None], axis=-1)
    assert (distances[~np.eye(64, dtype=bool)] > 0.1).all()


@pytest.mark.parametrize("N, E, match", [(0, 4, "N must be"), (4, 0, "E must be"),
                                         (4.0, 4, "N must be")])
def test_sinusoidal_encoding_rejects_bad_sizes(N, E, match):
    with pytest.raises((ValueError, TypeError), match=match):
        sinusoidal_position_encoding(N, E)


def test_permuting_tokens_permutes_attention_outputs():
    """Without a position encoding attention cannot tell where a token came from."""
    X = rng(8).normal(size=(5, 4))
    order = np.array([3, 0, 4, 1, 2])
    Z, _ = multi_head_attention(X, *weights(4), num_heads=2)
    Z_permuted, _ = multi_head_attention(X[order], *weights(4), num_heads=2)
    np.testing.assert_allclose(Z_permuted, Z[order], atol=1e-12)


# -- figures and the patch-size view ---------------------------------------------------


def test_patch_size_explorer_updates_the_table_and_the_grid():
    from lessons_lib.widgets.attention import PatchSizeExplorer

    view = PatchSizeExplorer()
    np.testing.assert_array_equal(view.X, SLIDES_X)
    first_png = view.image.value
    view.patch_size.value = 2
    assert view.X.shape == (16, 5)
    assert view.plot.table.get_array().shape == (16, 5)
    assert len(view.plot.grid.get_segments()) == (4 + 1) + (4 + 1)
    assert "16 patches" in view.plot.caption.get_text()
    assert view.image.value != first_png
    view.patch_size.value = 8
    assert view.X.shape == (1, 65) and "8 of 72 pixels" in view.plot.caption.get_text()
    assert "1×1 = 1 patch," in view.plot.caption.get_text()
    assert view.patch_size.max == 8


def test_table_slips_figure_outlines_exactly_the_slipped_cells():
    from matplotlib.patches import Rectangle

    from lessons_lib.plots.attention import plot_table_slips

    fig = plot_table_slips(SLIDES_X, slides_x_copies())
    outlined = [sum(isinstance(p, Rectangle) and p.get_edgecolor()[0] > 0.5 for p in ax.patches)
                for ax in fig.axes]
    assert outlined == [0, 1, 4]
    assert fig.axes[0].get_title(loc="left") == "slides 1 and 5: matches X"
    # The index column is written in red, not shaded as if it were a pixel.
    assert np.ma.getmaskarray(fig.axes[2].images[0].get_array())[:, 0].all()
    assert [t.get_text() for t in fig.axes[2].texts[::17]] == ["0", "1", "2", "3"]


def test_matrix_and_attention_figures_show_the_given_numbers():
    from lessons_lib.plots.attention import plot_attention_rows, plot_matrices

    Q = np.arange(6.0).reshape(2, 3)
    fig = plot_matrices({"Q": Q, "Qᵀ": Q.T}, operators=["·"])
    np.testing.assert_array_equal(fig.axes[0].images[0].get_array(), Q)
    assert fig.axes[0].get_title() == "Q  (2×3)"
    _, A = scaled_dot_product_attention(Q, Q, Q)
    fig = plot_attention_rows(np.stack([A, A]), titles=["a", "b"])
    assert [ax.get_title() for ax in fig.axes] == ["a", "b"]
    np.testing.assert_allclose(fig.axes[1].images[0].get_array(), A)


def test_comparison_figure_draws_each_accuracy_with_its_wilson_interval():
    from lessons_lib.plots.attention import plot_comparison
    from lessons_lib.uncertainty import wilson_interval

    results = {"CNN": {"full": 194, "tenth": 180, "params": 7555},
               "ViT": {"full": 186, "tenth": 170, "params": 21187}}
    # Half the events in class 0: answering it always is right half the time, not one
    # time in three; the dotted baseline says so.
    fig = plot_comparison(results, 200, labels=[0, 0, 0, 0, 1, 1, 2, 2],
                          class_names=("proton", "carbon", "other"))
    ax, = fig.axes
    assert ax.get_legend() is None and len(fig.legends) == 1
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [
        "CNN (7,555 parameters)", "ViT (21,187 parameters)",
        "always 'proton'\n(50 % of the validation events)"]
    assert ax.get_ylabel() == "validation accuracy"
    for container, name in zip(ax.containers, results, strict=True):
        points, _, (whiskers,) = container
        np.testing.assert_allclose(points.get_ydata(),
                                   [results[name]["full"] / 200, results[name]["tenth"] / 200])
        for segment, size in zip(whiskers.get_segments(), ("full", "tenth"), strict=True):
            np.testing.assert_allclose(sorted(segment[:, 1]),
                                       wilson_interval(results[name][size], 200))
    assert [t.get_text() for t in ax.texts] == ["97.0 %", "90.0 %", "93.0 %", "85.0 %"]
    baseline = [line for line in ax.get_lines() if line.get_linestyle() == ":"]
    assert [tuple(line.get_ydata()) for line in baseline] == [(0.5, 0.5)]
    # Without labels there is no baseline to draw.
    no_labels = plot_comparison(results, 200).axes[0]
    assert [line for line in no_labels.get_lines() if line.get_linestyle() == ":"] == []


# -- the lesson's hand-made Q, K, V ---------------------------------------------------------


def ink_per_row_loops(x, P):
    """The readable formula: feature i is the sum of row i of the patch after the index."""
    patch = np.asarray(x[1:]).reshape(P, P)
    return np.array([sum(patch[i, j] for j in range(P)) for i in range(P)], dtype=float)


@given(P=st.integers(1, 5), data=st.data())
def test_ink_profile_weights_count_the_ink_of_each_patch_row_and_column(P, data):
    x = data.draw(arrays(np.float64, 1 + P * P, elements=st.integers(0, 1)))
    x[0] = data.draw(st.integers(0, 20))  # the position index plays no part
    np.testing.assert_array_equal(x @ ink_profile_weights(P), ink_per_row_loops(x, P))
    transposed = np.concatenate([[x[0]], x[1:].reshape(P, P).T.ravel()])
    np.testing.assert_array_equal(x @ ink_profile_weights(P, "columns"),
                                  ink_per_row_loops(transposed, P))


@given(P=st.integers(2, 5), row=st.data(), others=st.data())
def test_a_patch_with_ink_in_one_row_attends_most_to_the_most_ink_in_that_row(P, row, others):
    """The property the lesson's W_Q = W_K is chosen for, against the readable formula."""
    i = row.draw(st.integers(0, P - 1))
    query = np.zeros((P, P))
    query[i] = 1
    patches = others.draw(arrays(np.float64, (3, P, P), elements=st.integers(0, 1)))
    X = prepend_position_index(np.vstack([query.ravel(), patches.reshape(3, -1)]))
    W = ink_profile_weights(P)
    _, A = scaled_dot_product_attention(X @ W, X @ W, X)
    ink_in_row_i = np.array([ink_per_row_loops(x, P)[i] for x in X])
    np.testing.assert_array_equal(np.flatnonzero(np.isclose(A[0], A[0].max())),
                                  np.flatnonzero(ink_in_row_i == ink_in_row_i.max()))


def test_the_lesson_example_pairs_the_patches_that_share_a_stroke():
    W_rows, W_columns = ink_profile_weights(4), ink_profile_weights(4, "columns")
    for W, pair in ((W_rows, [2, 3]), (W_columns, [0, 2])):
        Q = SLIDES_X @ W
        _, A = scaled_dot_product_attention(Q, Q, Q)
        # Patches 2 and 3 hold the figure's horizontal bar in their second row; patches
        # 0 and 2 its vertical line in their third column: each attends most to the pair.
        for n in pair:
            assert set(np.flatnonzero(np.isclose(A[n], A[n].max()))) == set(pair)
        # The empty patch has a query of zeros: no preference.
        np.testing.assert_allclose(A[1], 0.25)
    with pytest.raises(ValueError, match="along must be one of"):
        ink_profile_weights(4, "diagonals")
    with pytest.raises(ValueError, match="patch_size must be an integer >= 1"):
        ink_profile_weights(0)


def test_lesson_figures_fit_a_projector_slide():
    from lessons_lib.plots import attention as plots
    from lessons_lib.plots import check_projector_ready

    W_Q = ink_profile_weights(4)
    Q = SLIDES_X @ W_Q
    _, A = scaled_dot_product_attention(Q, Q, Q)
    results = {"CNN": {"full": 1967, "tenth": 1812, "params": 7555},
               "ViT": {"full": 1865, "tenth": 1686, "params": 21187}}
    for fig in (plots.plot_patches(figure_matrix(), 4),
                plots.plot_table_slips(SLIDES_X, slides_x_copies()),
                plots.plot_matrices({"X": SLIDES_X, "W_Q": W_Q, "Q": Q}, operators="·="),
                plots.plot_matrices({"A": A, "V": Q, "Z": A @ Q}, operators="·="),
                plots.plot_attention_rows(np.stack([A, A]), titles=["a", "b"]),
                plots.plot_saturation(attention_saturation([1, 4, 16])),
                plots.plot_position_encoding(sinusoidal_position_encoding(64, 32)),
                plots.plot_comparison(results, 2000, labels=[0, 0, 1, 2]),
                plots.plot_position_similarity(rng(0).normal(size=(64, 8)), (8, 8))):
        check_projector_ready(fig)


def test_patch_size_explorer_stays_readable_at_every_patch_size():
    """Text at 14 pt and a view-sized figure for every position of the slider."""
    from lessons_lib.plots import MAX_VIEW_PX, check_projector_ready
    from lessons_lib.widgets.attention import PatchSizeExplorer

    view = PatchSizeExplorer()
    for size in range(1, view.patch_size.max + 1):
        view.patch_size.value = size
        check_projector_ready(view.fig, MAX_VIEW_PX)


# -- issue 14: float computation, named refusals, sizes ----------------------------------


def test_heads_are_split_and_merged_in_float_whatever_the_input():
    M = np.arange(8).reshape(2, 4)
    heads = split_heads(M, 2)
    assert heads.dtype == np.float64
    assert split_heads(M.astype(np.float32), 2).dtype == np.float32
    np.testing.assert_array_equal(merge_heads(heads), M)
    with pytest.raises(ValueError, match=r"M must have shape \(\.\.\., N, D\)"):
        split_heads(np.ones(4), 2)
    with pytest.raises(ValueError, match="num_heads must divide the number of columns"):
        split_heads(np.ones((2, 4)), 3)
    with pytest.raises(ValueError, match=r"heads must have shape \(\.\.\., num_heads, N, d\)"):
        merge_heads(np.ones((2, 2)))


def test_the_backward_pass_refuses_a_cache_it_did_not_make():
    X = np.ones((3, 4))
    Z, _, cache = multi_head_attention_forward(X, *[np.eye(4)] * 4, num_heads=2)
    for bad in ({}, None, {"X": X}, [cache]):
        with pytest.raises(TypeError, match="cache must be the dict returned by"):
            multi_head_attention_backward(np.ones_like(Z), bad)


def test_scores_beyond_the_largest_float_are_refused_by_name():
    Q = K = np.full((2, 2), 1e200)
    with pytest.raises(ValueError, match="Q and K are too large: a score Q Kᵀ exceeds"):
        scaled_dot_product_attention(Q, K, np.ones((2, 1)))
    with pytest.raises(ValueError, match="Q and K are too large"):
        scaled_dot_product_attention_loops(Q, K, np.ones((2, 1)))
    with pytest.raises(ValueError, match="X and W_Q, W_K, W_V are too large"):
        multi_head_attention(np.full((2, 4), 1e200), *[np.full((4, 4), 1e200)] * 4, num_heads=2)
    # Scores far apart but finite: the softmax takes its limit, the loops agree.
    Q, K, V = np.array([[1.0]]), np.array([[1e300], [-1e300]]), np.array([[1.0], [2.0]])
    for attend in (scaled_dot_product_attention, scaled_dot_product_attention_loops):
        Z, A = attend(Q, K, V)
        np.testing.assert_array_equal(A, [[1.0, 0.0]])
        np.testing.assert_array_equal(Z, [[1.0]])


def test_shapes_and_sizes_are_checked_by_name():
    with pytest.raises(TypeError, match="image_shape must be a tuple of integers"):
        patch_grid(8, 4)
    with pytest.raises(ValueError, match=r"image_shape \(3, 9\) is smaller than one patch"):
        patch_grid((3, 9), 4)
    with pytest.raises(ValueError, match="image_shape must hold integers >= 1"):
        patchify_backward(np.ones((1, 4)), (-2, 2), 2)
    with pytest.raises(TypeError, match="image_shape must hold integers"):
        patchify_backward(np.ones((1, 4)), (2.5, 2), 2)
    with pytest.raises(ValueError, match=r"sinusoidal_position_encoding\(N=1000000000, "
                                         r"E=1000000000\) would need"):
        sinusoidal_position_encoding(10**9, 10**9)
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        small_integer_weights(2, 2, seed=-1)
    with pytest.raises(TypeError, match="dims must be a sequence of integers"):
        attention_saturation(4)
    with pytest.raises(ValueError, match="dims must name at least one d_k"):
        attention_saturation([])
