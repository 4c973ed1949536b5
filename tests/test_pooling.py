"""lessons_lib.pooling: against PyTorch, against its own loops, gradient checks, bad input."""

import numpy as np
import pytest
from cases import pooling_problems, tolerance
from hypothesis import given

from lessons_lib.backprop import numerical_gradient, relative_error
from lessons_lib.convolution import correlate
from lessons_lib.datasets import figure_matrix, pooling_example
from lessons_lib.pooling import (
    avg_pool,
    avg_pool_backward,
    avg_pool_backward_loops,
    avg_pool_loops,
    global_avg_pool,
    max_pool,
    max_pool_backward,
    max_pool_backward_loops,
    max_pool_loops,
    pooled_shape,
    pooling_windows,
    receptive_field,
    relative_change,
    translate,
    translation_sensitivity,
)

GRADIENT_TOLERANCE = 1e-7


def torch_reference(A, dout, size, stride, mode):
    """PyTorch's pooled output and input gradient, in float64."""
    torch = pytest.importorskip("torch")
    x = torch.tensor(A, dtype=torch.float64).reshape(-1, 1, *A.shape[-2:]).requires_grad_(True)
    pool = torch.nn.functional.max_pool2d if mode == "max" else torch.nn.functional.avg_pool2d
    y = pool(x, size, stride)
    y.backward(torch.tensor(dout, dtype=torch.float64).reshape(y.shape))
    return y.detach().numpy().reshape(dout.shape), x.grad.numpy().reshape(A.shape)


@given(pooling_problems())
def test_max_pool_agrees_with_torch_values_gradients_and_indices(problem):
    torch = pytest.importorskip("torch")
    A, dout, size, stride = problem
    expected, expected_dA = torch_reference(A, dout, size, stride, "max")
    out, indices = max_pool(A, size, stride, return_indices=True)
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(max_pool(A, size, stride), expected)
    _, torch_indices = torch.nn.functional.max_pool2d(
        torch.tensor(A, dtype=torch.float64).reshape(-1, 1, *A.shape[-2:]), size, stride,
        return_indices=True)
    np.testing.assert_array_equal(indices, torch_indices.numpy().reshape(indices.shape))
    np.testing.assert_allclose(max_pool_backward(A, dout, size, stride), expected_dA,
                               **tolerance(A.dtype))


@given(pooling_problems())
def test_avg_pool_agrees_with_torch(problem):
    A, dout, size, stride = problem
    expected, expected_dA = torch_reference(A, dout, size, stride, "avg")
    np.testing.assert_allclose(avg_pool(A, size, stride), expected, **tolerance(A.dtype))
    np.testing.assert_allclose(avg_pool_backward(A, dout, size, stride), expected_dA,
                               **tolerance(A.dtype))


@given(pooling_problems())
def test_pooling_windows_give_the_same_maxima_and_means(problem):
    A, _, size, stride = problem
    windows = pooling_windows(A, size, stride)
    assert windows.shape == (*pooled_shape(A.shape, size, stride), size, size)
    np.testing.assert_array_equal(windows.max(axis=(-2, -1)), max_pool(A, size, stride))
    np.testing.assert_allclose(windows.mean(axis=(-2, -1)), avg_pool(A, size, stride),
                               **tolerance(A.dtype))


@given(pooling_problems())
def test_max_gradient_goes_to_the_first_maximum_of_each_window(problem):
    """The tie rule, checked against the windows without any pooling code."""
    A, dout, size, stride = problem
    _, indices = max_pool(A, size, stride, return_indices=True)
    windows = pooling_windows(A, size, stride)
    flat = windows.reshape(*windows.shape[:-2], size * size)
    # argmax returns the first maximum of the flattened (row-major) window.
    i, j = np.divmod(flat.argmax(axis=-1), size)
    Ho, Wo = indices.shape[-2:]
    rows = np.arange(Ho)[:, None] * stride + i
    cols = np.arange(Wo) * stride + j
    np.testing.assert_array_equal(indices, rows * A.shape[-1] + cols)
    # Each window's gradient arrives whole: the gradients add up to sum(dout).
    np.testing.assert_allclose(max_pool_backward(A, dout, size, stride).sum(), dout.sum(),
                               rtol=1e-4, atol=1e-3)


@given(pooling_problems())
def test_backward_with_indices_equals_backward_without(problem):
    A, dout, size, stride = problem
    _, indices = max_pool(A, size, stride, return_indices=True)
    np.testing.assert_array_equal(max_pool_backward(A, dout, size, stride, indices=indices),
                                  max_pool_backward(A, dout, size, stride))


def distinct_values(shape, seed):
    """Values at least 0.1 apart, so max pooling is differentiable at them for small eps."""
    rng = np.random.default_rng(seed)
    return rng.permutation(np.prod(shape)).reshape(shape) * 0.1 + rng.uniform(0, 0.01)


@pytest.mark.parametrize(("shape", "size", "stride"),
                         [((4, 4), 2, 2), ((7, 6), 3, 2), ((6, 5), 3, 1), ((2, 3, 5, 5), 2, 1),
                          ((1, 2, 9, 8), 4, 3)])
@pytest.mark.parametrize("mode", ["max", "avg"])
def test_backward_passes_a_numerical_gradient_check(shape, size, stride, mode):
    forward, backward = (max_pool, max_pool_backward) if mode == "max" else (avg_pool,
                                                                           avg_pool_backward)
    A = distinct_values(shape, seed=len(shape) + size)
    dout = np.random.default_rng(size).standard_normal(pooled_shape(shape, size, stride))

    def loss(x):
        return float(np.sum(forward(x, size, stride) * dout))

    numerical = numerical_gradient(loss, A)
    analytic = backward(A, dout, size, stride)
    error = relative_error(analytic, numerical)
    print(f"{mode} pool {shape} size {size} stride {stride}: relative error {error:.1e}")
    assert error < GRADIENT_TOLERANCE


def test_the_slides_example():
    A = pooling_example()
    np.testing.assert_array_equal(max_pool(A, size=2, stride=2), [[6, 9], [3, 7]])
    np.testing.assert_array_equal(max_pool_loops(A), [[6, 9], [3, 7]])
    np.testing.assert_array_equal(max_pool_backward(A, np.ones((2, 2))),
                                  [[0, 0, 0, 0], [0, 1, 1, 0], [1, 0, 0, 0], [0, 0, 0, 1]])
    np.testing.assert_array_equal(avg_pool_backward(A, np.ones((2, 2))), np.full((4, 4), 0.25))


def test_ties_and_overlapping_windows():
    A = np.array([[1.0, 3.0, 3.0], [3.0, 0.0, 3.0]])
    # Window (0, 0) holds 3 at (0, 1) and (1, 0): (0, 1) comes first in row-major order.
    np.testing.assert_array_equal(max_pool_backward(A, [[1.0, 10.0]], size=2, stride=1),
                                  [[0, 11, 0], [0, 0, 0]])
    # Overlapping windows that pick the same cell add their gradients.
    B = np.array([[0.0, 9.0, 0.0], [0.0, 0.0, 0.0]])
    np.testing.assert_array_equal(max_pool_backward(B, [[2.0, 5.0]], size=2, stride=1),
                                  [[0, 7, 0], [0, 0, 0]])


def test_remainder_rows_and_columns_are_dropped_and_get_no_gradient():
    A = np.arange(35.0).reshape(5, 7)
    out = max_pool(A)
    np.testing.assert_array_equal(out, [[8, 10, 12], [22, 24, 26]])
    dA = avg_pool_backward(A, np.ones(out.shape))
    assert dA[4].sum() == 0 and dA[:, 6].sum() == 0
    assert max_pool_backward(A, np.ones(out.shape))[4:, :].sum() == 0


@pytest.mark.parametrize("function", [max_pool, avg_pool, max_pool_loops, avg_pool_loops])
def test_float32_stays_float32_and_other_inputs_become_float64(function):
    A = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    assert function(A).dtype == np.float32
    assert function(A.astype(int)).dtype == np.float64
    assert function(A.astype(bool)).dtype == np.float64


@pytest.mark.parametrize("backward", [max_pool_backward, avg_pool_backward,
                                      max_pool_backward_loops, avg_pool_backward_loops])
def test_gradients_have_the_dtype_of_the_input(backward):
    A = np.arange(16, dtype=np.float32).reshape(4, 4)
    assert backward(A, np.ones((2, 2))).dtype == np.float32
    assert backward(A.astype(np.float64), np.ones((2, 2), np.float32)).dtype == np.float64


def test_a_batch_is_pooled_plane_by_plane():
    batch = np.random.default_rng(0).standard_normal((3, 2, 6, 6))
    dout = np.random.default_rng(1).standard_normal((3, 2, 3, 3))
    for n, c in np.ndindex(3, 2):
        np.testing.assert_array_equal(max_pool(batch)[n, c], max_pool(batch[n, c]))
        np.testing.assert_array_equal(max_pool_backward(batch, dout)[n, c],
                                      max_pool_backward(batch[n, c], dout[n, c]))


def test_average_pooling_is_a_strided_convolution_with_a_box_filter():
    A = figure_matrix()
    np.testing.assert_allclose(avg_pool(A, 2, 2), correlate(A, np.full((2, 2), 0.25), stride=2))
    np.testing.assert_allclose(avg_pool(A, 3, 1), correlate(A, np.full((3, 3), 1 / 9)))


def test_global_average_pooling():
    A = np.random.default_rng(0).standard_normal((2, 3, 5, 5))
    np.testing.assert_allclose(global_avg_pool(A), A.mean(axis=(2, 3)))
    np.testing.assert_allclose(global_avg_pool(A), avg_pool(A, 5, 1)[..., 0, 0])


def test_receptive_field_grows_with_pooling():
    assert receptive_field([(3, 1)] * 3) == [(3, 1), (5, 1), (7, 1)]
    assert receptive_field([(3, 1), (2, 2)] * 3)[-1] == (22, 8)


def test_translate_and_the_translation_experiment():
    A = figure_matrix()
    np.testing.assert_array_equal(translate(translate(A, 1, 2), -1, -2)[:-1, :-2], A[:-1, :-2])
    assert translate(A, down=1)[0].sum() == 0
    rows = translation_sensitivity(A, [(0, 1), (1, 0), (-1, 0)])
    assert [row["shift"] for row in rows] == [(0, 1), (1, 0), (-1, 0)]
    assert all(row["pooled change"] < row["input change"] for row in rows)
    assert rows[0]["pooled change"] == round(relative_change(
        max_pool(A), max_pool(translate(A, 0, 1))), 3)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: max_pool(np.ones((4, 4)), size=5), ValueError, "size=5 is larger than"),
        (lambda: avg_pool(np.ones((1, 1, 3, 8)), size=4), ValueError, "size=4 is larger"),
        (lambda: max_pool(np.ones((4, 4)), stride=0), ValueError, "stride must be an integer >= 1"),
        (lambda: max_pool(np.ones((4, 4)), size=0), ValueError, "size must be an integer >= 1"),
        (lambda: max_pool(np.ones((4, 4)), stride=1.5), TypeError, "stride must be an integer"),
        (lambda: max_pool(np.ones(4)), ValueError, r"A must be 2-D or 4-D"),
        (lambda: max_pool(np.ones((2, 4, 4))), ValueError, r"A must be 2-D or 4-D"),
        (lambda: max_pool(np.ones((2, 4, 4), np.float32)), ValueError,
         r"A must be 2-D or 4-D \(\(H, W\) or \(N, C, H, W\)\)"),
        (lambda: max_pool(np.ones((0, 4))), ValueError, "A must not be empty"),
        (lambda: max_pool(np.ones((0, 4), np.float32)), ValueError, "A must not be empty"),
        (lambda: max_pool([["a", "b"]]), TypeError, "A must be an array of real numbers"),
        (lambda: max_pool([[1.0, np.nan]], size=1), ValueError, "A must contain only finite"),
        (lambda: max_pool(np.array([[np.inf, 1.0]], np.float32), size=1), ValueError,
         "A must contain only finite"),
        (lambda: max_pool_backward(np.ones((4, 4)), np.ones((3, 3))), ValueError,
         r"dout must have the shape of the pooled output, \(2, 2\)"),
        (lambda: avg_pool_backward(np.ones((4, 4)), np.ones(4)), ValueError,
         "dout must have the shape"),
        (lambda: avg_pool_backward(np.ones((4, 4)), np.full((2, 2), np.nan)), ValueError,
         "dout must contain only finite"),
        (lambda: max_pool_backward(np.ones((4, 4), np.float32),
                                   np.full((2, 2), np.nan, np.float32)), ValueError,
         "dout must contain only finite"),
        (lambda: max_pool_backward(np.ones((4, 4)), np.ones((2, 2)), indices=np.zeros((2, 2))),
         TypeError, "indices must be integers"),
        (lambda: max_pool_backward(np.ones((4, 4)), np.ones((2, 2)),
                                   indices=np.zeros((1, 2), int)), ValueError,
         "indices must have the shape"),
        (lambda: max_pool_backward(np.ones((4, 4)), np.ones((2, 2)),
                                   indices=np.full((2, 2), 16)), ValueError,
         r"indices must lie in \[0, 16\)"),
        (lambda: pooled_shape((4, 4, 4)), ValueError, "input_shape must have 2 or 4 entries"),
        (lambda: translate(np.ones((3, 3)), down=3), ValueError, r"\|down\| < 3"),
        (lambda: relative_change(np.zeros(3), np.ones(3)), ValueError, "all zeros"),
        (lambda: relative_change(np.ones(3), np.ones(2)), ValueError, "same shape"),
    ],
)
def test_bad_input_is_named_in_the_error(call, error, words):
    with pytest.raises(error, match=words):
        call()


# -- figures and interactive views ---------------------------------------------------


def texts_of(ax):
    return [t.get_text() for t in ax.texts]


def test_plot_pooling_shows_the_slides_output_and_frames_the_winners():
    from lessons_lib.plots.pooling import plot_pooling

    fig = plot_pooling(pooling_example())
    inputs, output = fig.axes
    assert texts_of(output) == ["6", "9", "3", "7"]
    # Each window: one filled background patch, plus a frame around its maximum.
    frames = [p for p in inputs.patches if not p.get_fill()]
    assert sorted(p.get_xy() for p in frames) == [(-0.5, 1.5), (0.5, 0.5), (1.5, 0.5),
                                                   (2.5, 2.5)]


def test_plot_pooling_backward_shows_both_gradients():
    from lessons_lib.plots.pooling import plot_pooling_backward

    fig = plot_pooling_backward(pooling_example(), [[1, -2], [3, 2]])
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["input A", "dout", "dA, max pooling", "dA, average pooling"]
    assert texts_of(fig.axes[2])[5:7] == ["1", "−2"]
    assert texts_of(fig.axes[3])[:4] == ["0.25", "0.25", "−0.5", "−0.5"]


def test_plot_pooling_backward_colours_share_one_scale_centred_on_zero():
    from lessons_lib.plots.pooling import plot_pooling_backward

    A = pooling_example()
    # Overlapping windows: the 9 wins all four windows and collects a gradient of 4.
    fig = plot_pooling_backward(A, np.ones((3, 3)), size=2, stride=1)
    norms = [ax.images[0].norm for ax in fig.axes[1:]]
    assert all((norm.vmin, norm.vmax) == (-4.0, 4.0) for norm in norms)


def test_matrix_numbers_and_frames_are_readable():
    from lessons_lib.plots.pooling import NUMBER_SIZE, plot_pooling

    fig = plot_pooling(pooling_example())
    assert NUMBER_SIZE >= 14
    assert all(t.get_fontsize() == NUMBER_SIZE for ax in fig.axes for t in ax.texts)
    # A frame on the matrix's edge keeps its whole line: it is not clipped by the axes.
    frames = [p for p in fig.axes[0].patches if not p.get_fill()]
    assert frames and not any(p.get_clip_on() for p in frames)


def test_plot_translation_counts_the_changed_cells():
    from lessons_lib.plots.pooling import plot_translation

    A = figure_matrix()
    fig = plot_translation(A, translate(A, 0, 1))
    assert fig.axes[3].get_title().endswith("1 of 16 changed")
    assert fig.axes[1].get_title().endswith(f"{int(np.sum(translate(A, 0, 1) != A))} of 72 "
                                            "changed")


def tick_labels(axis):
    return [t.get_text() for t in axis.get_ticklabels()]


@pytest.mark.parametrize("make", ["pooling", "backward", "translation", "stepper"])
def test_small_matrix_plots_number_every_row_and_column(make):
    """A cell the formula names, out[m, n] or A[m s + i, n s + j], can be found by its
    indices; the outputs' axes are named m and n."""
    from lessons_lib.plots import MIN_FONT_PT
    from lessons_lib.plots.pooling import (
        PoolingStepperPlot,
        plot_pooling,
        plot_pooling_backward,
        plot_translation,
    )

    A = pooling_example()
    fig = {"pooling": lambda: plot_pooling(A),
           "backward": lambda: plot_pooling_backward(A, [[1, -2], [3, 2]]),
           "translation": lambda: plot_translation(A, translate(A, -1, 0)),
           "stepper": lambda: PoolingStepperPlot(A).fig}[make]()
    for ax in fig.axes:
        rows, cols = ax.images[0].get_array().shape
        assert tick_labels(ax.yaxis) == [str(r) for r in range(rows)]
        assert tick_labels(ax.xaxis) == [str(c) for c in range(cols)]
        assert all(t.get_fontsize() >= MIN_FONT_PT for t in ax.get_xticklabels())
    outputs = [ax for ax in fig.axes if ax.images[0].get_array().shape == (2, 2)]
    assert outputs and all((ax.get_ylabel(), ax.get_xlabel()) == ("m", "n")
                           for ax in outputs)


def test_plot_translation_on_the_slides_example_draws_the_pooled_maps_no_taller():
    from lessons_lib.plots import check_projector_ready
    from lessons_lib.plots.pooling import plot_translation

    A = pooling_example()
    fig = plot_translation(A, translate(A, -1, 0))
    check_projector_ready(fig)
    assert fig.axes[1].get_title().endswith("14 of 16 changed")
    assert fig.axes[3].get_title().endswith("1 of 4 changed")
    fig.canvas.draw()
    heights = [ax.get_position().height for ax in fig.axes]
    assert max(heights) <= heights[0] * 1.01


def test_plot_downsampled_titles_give_the_sizes():
    from lessons_lib.plots.pooling import plot_downsampled
    from lessons_lib.pooling import downsample, zone_plate

    image = zone_plate(64)
    fig = plot_downsampled({"zone plate": image, "max pool": downsample(image, 4)})
    assert [ax.get_title() for ax in fig.axes] == ["zone plate\n64×64", "max pool\n16×16"]


def test_pooling_stepper_moves_the_window_and_fills_the_output():
    from lessons_lib.widgets.pooling import PoolingStepper

    view = PoolingStepper()
    assert view.step.max == 3 and bytes(view.image.value).startswith(b"\x89PNG")
    before = bytes(view.image.value)
    view.step.value = 1
    plot = view.plot
    assert plot.window.get_xy() == (1.5, -0.5)
    assert plot.chosen.get_xy() == (1.5, 0.5) and plot.chosen.get_visible()
    assert plot.formula.get_text() == "out[0, 1] = max(2, 4, 9, 3) = 9"
    assert [t.get_text() for t in plot.output_texts.ravel()] == ["6", "9", "", ""]
    assert bytes(view.image.value) != before
    view.mode.value = "average"
    assert view.plot.formula.get_text() == "out[0, 1] = mean(2, 4, 9, 3) = 4.5"
    assert not view.plot.chosen.get_visible()
    view.stride.value = 1
    view.size.value = 3
    assert view.step.max == 3 and view.plot.output.shape == (2, 2)
    view.stride.value = 4
    assert view.step.max == 0 and view.step.value == 0
    assert "an interactive view" in view._repr_mimebundle_()["text/plain"]


def test_photo_pooling_redraws_in_place():
    from lessons_lib.pooling import downsample
    from lessons_lib.widgets.pooling import PhotoPooling

    view = PhotoPooling("camera", factor=4)
    artist = view.plot.output_image
    assert view.output.shape == (128, 128)
    view.factor.value = 8
    view.method.value = "average pool"
    assert view.plot.output_image is artist
    np.testing.assert_array_equal(artist.get_array(), downsample(view.photo("camera"), 8,
                                                                  "average pool"))
    assert view.plot.axes[1].get_title() == "average pool  64×64"
    # 400 x 600 shrunk 7 times: 57 x 85 pixels cover 399 x 595 input pixels, and the
    # rows and columns that pooling dropped are left blank, not stretched over.
    view.image_name.value = "coffee"
    view.factor.value = 7
    assert view.output.shape == (57, 85)
    assert view.plot.output_image.get_extent() == [-0.5, 594.5, 398.5, -0.5]
    assert view.plot.input_image.get_extent() == [-0.5, 599.5, 399.5, -0.5]


# -- issue 14: shapes and shifts by name, sums that would overflow ------------------------


@pytest.mark.parametrize("average", [avg_pool, avg_pool_loops])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_window_sums_beyond_the_largest_float_are_refused_alike(average, dtype):
    big = np.finfo(dtype).max / 2
    A = np.full((4, 4), big, dtype)
    with pytest.raises(ValueError, match=r"A is too large: a 2 x 2 window's sum adds up to 4 "
                                         rf"values as large as .*, beyond the largest {dtype.__name__}"):
        average(A)
    # A mean near the limit that the sum does not exceed is computed.
    assert np.all(np.isfinite(average(np.full((4, 4), big / 4, dtype))))


def test_overlapping_windows_that_would_add_gradients_past_the_float_limit_are_refused():
    for backward in (max_pool_backward, max_pool_backward_loops):
        with pytest.raises(ValueError, match="dout is too large: a cell shared by 4 overlapping"):
            backward(np.zeros((3, 3)), np.full((2, 2), 1e308), size=2, stride=1)
    # Without overlap each cell gets at most one gradient: nothing to add up.
    assert max_pool_backward(np.zeros((2, 2)), [[1e308]]).max() == 1e308


def test_shapes_shifts_and_factors_are_checked_by_name():
    from lessons_lib.pooling import downsample, zone_plate

    with pytest.raises(TypeError, match="input_shape must hold integers"):
        pooled_shape((4.0, 4))
    with pytest.raises(ValueError, match=r"input_shape must hold integers >= 1.*\(-4, 4\)"):
        pooled_shape((-4, 4))
    with pytest.raises(TypeError, match="down must be an integer"):
        translate(np.ones((3, 3)), down=1.5)
    with pytest.raises(TypeError, match="shifts must be a list of"):
        translation_sensitivity(np.ones((4, 4)), [(0, "a")])
    with pytest.raises(ValueError, match=r"shifts must be .* \|right\| < 4"):
        translation_sensitivity(np.ones((4, 4)), [(0, 4)])
    with pytest.raises(ValueError, match=r"factor must be at most min\(H, W\) = 4"):
        downsample(np.ones((4, 6)), 5)
    with pytest.raises(TypeError, match="return_indices must be True or False"):
        max_pool(np.ones((4, 4)), return_indices="yes")
    with pytest.raises(ValueError, match=r"zone_plate\(n=1000000000\) would need"):
        zone_plate(10**9)
    with pytest.raises(TypeError, match="layers must be a list of"):
        receptive_field([3, 1])
    with pytest.raises(ValueError, match=r"the size of layers\[1\] must be an integer >= 1"):
        receptive_field([(3, 1), (0, 1)])


def test_integer_input_is_pooled_in_float_and_left_unchanged():
    A = np.arange(16).reshape(4, 4)
    kept = A.copy()
    for function in (max_pool, avg_pool, global_avg_pool, max_pool_loops, avg_pool_loops):
        assert function(A).dtype == np.float64
    assert max_pool_backward(A, np.ones((2, 2), int)).dtype == np.float64
    np.testing.assert_array_equal(A, kept)
