"""Lesson 01's figures and widgets, driven through their controls without a browser."""

import numpy as np
import pytest

from lessons_lib.convolution import correlate, pad
from lessons_lib.datasets import figure_matrix, photograph
from lessons_lib.filters import box_blur, line_detector, line_pixels
from lessons_lib.plots import MAX_VIEW_PX, check_projector_ready, new_figure
from lessons_lib.plots.convolution import (
    ExplorerPlot,
    StepperPlot,
    draw_matrix,
    plot_border_crops,
    plot_correlation,
    plot_gallery,
    plot_line_pixels,
    plot_matrix,
    plot_signal,
    tick_step,
)
from lessons_lib.widgets.convolution import ConvolutionStepper, FilterExplorer
from lessons_lib.widgets.start import SmoothingDemo

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def shown_values(image):
    """The numbers an imshow artist displays (masked cells as NaN)."""
    return np.ma.filled(np.ma.asarray(image.get_array(), dtype=float), np.nan)


def test_plot_matrix_writes_every_number():
    fig = plot_matrix(figure_matrix(), title="A")
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert len(texts) == 72 and texts.count("1") == int(figure_matrix().sum())
    np.testing.assert_array_equal(shown_values(ax.images[0]), figure_matrix())


def test_plot_correlation_shows_input_filter_and_output_with_shapes_in_titles():
    A, h = figure_matrix(), box_blur(3)
    C = correlate(A, h)
    fig = plot_correlation(A, h, C)
    titles = [ax.get_title() for ax in fig.axes]
    assert "8×9" in titles[0] and "3×3" in titles[1] and "6×7" in titles[2]
    np.testing.assert_allclose(shown_values(fig.axes[2].images[0]), C)


def test_gallery_uses_symmetric_limits_for_signed_responses():
    responses = {"h": correlate(figure_matrix(), line_detector("horizontal"))}
    fig = plot_gallery(responses, cmap="RdBu_r", symmetric=True)
    low, high = fig.axes[0].images[0].get_clim()
    assert low == -high == -np.abs(responses["h"]).max()


def test_stepper_plot_moves_the_window_and_fills_the_output():
    plot = StepperPlot(figure_matrix(), box_blur(3), stride=1, edges="none")
    assert plot.n_steps == 42
    plot.show(9)  # second row of the output, third column
    assert plot.position(9) == (1, 2)
    assert plot.window.get_xy() == (1.5, 0.5)
    shown = shown_values(plot.output_image)
    np.testing.assert_allclose(shown.ravel()[:10], plot.output.ravel()[:10])
    assert np.isnan(shown.ravel()[10:]).all()
    assert plot.products(9).sum() == pytest.approx(plot.output[1, 2])
    assert plot.describe(9).startswith("C[1, 2] = ") and plot.describe(9).endswith("= 0.44")


def test_stepper_plot_pads_and_strides():
    plot = StepperPlot(figure_matrix(), box_blur(3), stride=2, edges="zero")
    assert plot.padded.shape == (10, 11) and plot.output.shape == (4, 5)
    plot.show(6)  # row 1, column 1: the window starts at padded (2, 2)
    assert plot.window.get_xy() == (1.5, 1.5)
    with pytest.raises(ValueError, match="step must be in"):
        plot.show(20)


def test_large_filters_are_described_by_their_sum():
    plot = StepperPlot(np.ones((6, 6)), np.ones((5, 5)))
    assert plot.describe(0) == "C[0, 0] = sum of 25 products h·A = 25"


def test_convolution_stepper_follows_its_controls():
    view = ConvolutionStepper()
    first = bytes(view.image.value)
    assert first.startswith(PNG_SIGNATURE)
    view.step.value = 5
    assert view.plot.step == 5 and view.image.value != first
    view.edges.value = "zero"
    assert view.plot.output.shape == (8, 9) and view.step.max == 71 == view.play.max
    view.step.value = 71
    view.stride.value = 3  # fewer steps: the slider is clamped, not out of range
    assert view.plot.output.shape == (3, 3) and view.step.value == 8 == view.step.max
    view.filter.value = "vertical lines"
    np.testing.assert_array_equal(view.plot.h, line_detector("vertical"))
    assert "interactive view" in view._repr_mimebundle_()["text/plain"]


def test_filter_explorer_updates_output_in_place():
    view = FilterExplorer(size=11)
    plot = view.plot
    assert view.output.shape == (502, 502)
    view.size.value = 101
    assert view.plot is plot, "the figure is reused, not rebuilt"
    assert view.output.shape == (412, 412)
    assert shown_values(plot.output_image).shape == (412, 412)
    assert plot.axes[2].get_title() == "output 412×412"
    view.edges.value = "reflect"
    view.stride.value = 4
    assert view.output.shape == (128, 128)
    before = view.image.value
    view.filter.value = "horizontal lines"
    assert view.image.value != before
    np.testing.assert_allclose(
        view.output, correlate(photograph("camera"), line_detector("horizontal", 101),
                               stride=4, edges="reflect"))


def test_size_slider_offers_only_odd_sizes_and_is_off_for_fixed_filters():
    view = FilterExplorer("coins", size=3)
    assert (view.size.min, view.size.max, view.size.step) == (3, 101, 2)
    assert not view.size.disabled
    view.filter.value = "sobel x"
    assert view.size.disabled and view.kernel().shape == (3, 3)


def test_smoothing_demo_draws_the_moving_average():
    view = SmoothingDemo(width=1)
    np.testing.assert_allclose(view.plot.smoothed.get_ydata(), view.signal)
    view.width.value = 21
    smoothed = view.plot.smoothed.get_ydata()
    assert smoothed.shape == view.signal.shape
    assert np.std(np.diff(smoothed)) < np.std(np.diff(view.signal)) / 5
    assert "21 samples" in view.plot.ax.get_title()


def test_explorer_plot_accepts_any_shapes():
    plot = ExplorerPlot(np.zeros((10, 20)), np.ones((3, 3)), np.zeros((8, 18)))
    plot.update(np.zeros((30, 30)), np.ones((5, 5)), np.ones((26, 26)))
    assert plot.axes[0].get_xlim() == (-0.5, 29.5)
    assert plot.output_image.get_clim() == (1.0, 2.0)


def test_outputs_of_detectors_are_coloured_around_zero_and_blurs_in_grey():
    view = FilterExplorer(size=11)
    assert view.plot.output_image.get_cmap().name == "gray"
    view.filter.value = "vertical lines"
    low, high = view.plot.output_image.get_clim()
    assert view.plot.output_image.get_cmap().name == "RdBu_r" and low == -high
    assert "weights −1 … 10" in view.plot.axes[1].get_title()


def test_stepper_colours_signed_outputs_around_zero():
    plot = StepperPlot(figure_matrix(), line_detector("horizontal"))
    low, high = plot.output_image.get_clim()
    assert plot.output_image.get_cmap().name == "RdBu_r" and low == -high
    assert "(−1)·0" in plot.describe(0)


def tick_labels(ax):
    """The row and column tick labels of an axes, as drawn (real minus signs)."""
    return ([t.get_text() for t in ax.get_yticklabels()],
            [t.get_text() for t in ax.get_xticklabels()])


def test_draw_matrix_draws_no_ticks_unless_asked():
    """Other topics' figures call draw_matrix: its default output stays as it was."""
    ax = new_figure(3, 3).add_subplot()
    draw_matrix(ax, np.ones((4, 5)))
    assert list(ax.get_xticks()) == [] and list(ax.get_yticks()) == []
    assert ax.get_xlabel() == ax.get_ylabel() == ""


def test_draw_matrix_numbers_rows_and_columns_on_request():
    ax = new_figure(3, 3).add_subplot()
    draw_matrix(ax, np.ones((3, 3)), ticks=("i", "j"), first_index=(-1, -1))
    assert tick_labels(ax) == (["−1", "0", "1"], ["−1", "0", "1"])
    assert list(ax.get_xticks()) == [0, 1, 2]  # cell centres
    assert (ax.get_ylabel(), ax.get_xlabel()) == ("i", "j")


def test_large_matrices_get_sparse_ticks_and_large_filters_their_ends():
    ax = new_figure(3, 3).add_subplot()
    draw_matrix(ax, np.zeros((512, 384)), ticks=True)
    assert tick_labels(ax) == (["0", "100", "200", "300", "400", "500"],
                               ["0", "100", "200", "300"])
    ax = new_figure(3, 3).add_subplot()
    draw_matrix(ax, box_blur(101), ticks=True, first_index=(-50, -50))
    assert tick_labels(ax)[0] == ["−50", "0", "50"]
    assert [tick_step(n) for n in (16, 17, 101, 512)] == [1, 5, 20, 100]


def test_lesson_matrices_carry_their_indices():
    A = figure_matrix()
    fig = plot_matrix(pad(A, (1, 1), "zero"), padding=(1, 1))
    rows, cols = tick_labels(fig.axes[0])
    assert rows[0] == "−1" and rows[-1] == "8" and cols[-1] == "9"
    fig = plot_correlation(A, box_blur(3), correlate(A, box_blur(3)))
    assert tick_labels(fig.axes[1]) == (["−1", "0", "1"], ["−1", "0", "1"])
    assert fig.axes[2].get_xlabel() == "n" and tick_labels(fig.axes[2])[0][-1] == "5"
    plot = StepperPlot(A, box_blur(3), edges="zero")
    assert tick_labels(plot.axes[0])[0][0] == "−1"
    assert tick_labels(plot.axes[2])[1] == [str(n) for n in range(9)]


def test_correlation_without_its_input_shows_the_filter_and_the_output():
    camera = photograph("camera")
    C = correlate(camera, box_blur(101))
    fig = plot_correlation(camera, box_blur(101), C, show_input=False)
    assert [ax.get_title().split("\n")[0] for ax in fig.axes] == [
        "filter h", "output C = A ⊛ h  412×412"]
    assert tick_labels(fig.axes[0]) == (["−50", "0", "50"], ["−50", "0", "50"])
    check_projector_ready(fig)


def test_line_pixels_are_drawn_over_the_input():
    A = figure_matrix()
    detected = {d: line_pixels(A, line_detector(d), 3) for d in ("vertical", "antidiagonal")}
    fig = plot_line_pixels(A, detected)
    assert [ax.get_title() for ax in fig.axes] == ["vertical: 6 pixels", "antidiagonal: 2 pixels"]
    rgb = fig.axes[1].images[0].get_array()
    orange = rgb[detected["antidiagonal"]]
    assert len(orange) == 2 and np.allclose(orange, orange[0])
    assert not np.isclose(rgb[~detected["antidiagonal"]], orange[0]).all(axis=1).any()
    with pytest.raises(ValueError, match="A's shape"):
        plot_line_pixels(A, {"wrong": np.zeros((3, 3), bool)})


def test_border_crops_show_the_same_region_of_each_image_with_its_indices():
    camera = photograph("camera")
    blurred = correlate(camera, box_blur(31))  # edges "none": 482 x 482, centred
    fig = plot_border_crops({"input": camera, "none": blurred},
                            {"top left": (0, 0, 48, 96), "bottom left": (464, 0, 48, 96)})
    # Columns named by image, rows by region.
    assert [ax.get_title() for ax in fig.axes] == ["input", "none", "", ""]
    assert [ax.get_ylabel() for ax in fig.axes] == ["top left", "", "bottom left", ""]
    np.testing.assert_array_equal(shown_values(fig.axes[0].images[0]), camera[:48, :96])
    crop = shown_values(fig.axes[3].images[0])
    assert np.isnan(crop[-15:]).all() and np.isnan(crop[:, :15]).all()  # lost border
    np.testing.assert_array_equal(crop[:33, 15:], blurred[449:, :81])
    assert tick_labels(fig.axes[2])[0][0] == "480"


def test_lesson_figures_fit_a_slide_and_read_on_a_projector():
    A, camera = figure_matrix(), photograph("camera")
    detected = {"v": line_pixels(camera, line_detector("vertical", 5), 2.6)}
    figures = [
        plot_line_pixels(A, {"v": line_pixels(A, line_detector("vertical"), 3)}),
        plot_line_pixels(A, {d: line_pixels(A, line_detector(d), 3) for d in
                             ("horizontal", "vertical", "diagonal", "antidiagonal")}),
        plot_line_pixels(camera, detected | {"w": detected["v"]}, width=9, ticks=True),
        plot_correlation(camera, box_blur(101), correlate(camera, box_blur(101))),
        plot_border_crops({"input": camera, "wrap": camera, "reflect": camera},
                          {"top left": (0, 0, 48, 96), "bottom left": (464, 0, 48, 96)},
                          width=9),
        plot_gallery({str(k): camera for k in range(5)}, ncols=5, ticks=True),
        plot_matrix(A, title="A"),
        plot_matrix(pad(A, (1, 1), "zero"), title="padded", padding=(1, 1)),
        plot_correlation(A, box_blur(3), correlate(A, box_blur(3))),
        plot_correlation(camera, box_blur(11), correlate(camera, box_blur(11))),
        plot_gallery({d: correlate(A, line_detector(d)) for d in ("horizontal", "vertical")},
                     cmap="RdBu_r", symmetric=True),
        plot_gallery({str(k): camera for k in range(5)}, ncols=5),
        plot_signal(np.arange(12.0), {"o": (2, np.arange(8.0))}),
    ]
    for fig in figures:
        check_projector_ready(fig)
    # The padded matrix is no taller than the plain one: both leave room on their slide.
    assert figures[1].get_size_inches()[1] <= figures[0].get_size_inches()[1]


@pytest.mark.parametrize("edges", ["none", "zero"])
@pytest.mark.parametrize("stride", [1, 3])
def test_stepper_figure_fits_a_view_for_every_layout(edges, stride):
    plot = StepperPlot(figure_matrix(), box_blur(3), stride=stride, edges=edges)
    check_projector_ready(plot.fig, MAX_VIEW_PX)
    # One line of products across the figure, not cut at its sides.
    plot.fig.draw_without_rendering()
    box = plot.formula.get_window_extent()
    assert box.x0 >= 0 and box.x1 <= plot.fig.bbox.width
