"""What an instructor saw on the projector: labels that touch or cover, colours that
clash, numbers that contradict each other, figures drawn at the wrong scale."""

import io

import matplotlib as mpl
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from PIL import Image

from lessons_lib.plots import (
    DPI,
    _drawn_tick_labels,
    check_projector_ready,
    figure_png,
    lay_out_again,
    new_figure,
    to_png,
)


def boxes_apart(a, b, gap=0.0):
    """Whether two display boxes are at least ``gap`` pixels apart."""
    return (a.x1 + gap <= b.x0 or b.x1 + gap <= a.x0 or a.y1 + gap <= b.y0
            or b.y1 + gap <= a.y0)


def renderer_of(fig):
    figure_png(fig)  # lays the figure out as a notebook does
    return FigureCanvasAgg(fig).get_renderer()


# -- lesson 05 ---------------------------------------------------------------------------


def test_imbalance_matrix_shows_expected_counts_that_agree_with_the_curves():
    from lessons_lib.widgets.metrics import ImbalanceExplorer

    view = ImbalanceExplorer(0.978, 0.007, prevalence=0.02)
    texts = [t.get_text() for t in view.plot.confusion.texts.ravel()]
    # 2 % of 10,000 events are 200 protons: recall 0.978 finds 195.6, misses 4.4.
    assert texts[0] == "TP\n195.6\n98%" and texts[1] == "FN\n4.4\n2%"
    view.prevalence.value = 0.001
    assert view.plot.confusion.texts[0, 1].get_text().startswith("FN\n0.2\n")


def test_imbalance_legend_sits_outside_the_curves_and_every_line_is_marked():
    from lessons_lib.widgets.metrics import ImbalanceExplorer

    view = ImbalanceExplorer(0.978, 0.007, prevalence=0.5)
    curves = view.plot.curves
    ax = curves.marker.axes
    assert ax.get_legend() is None
    renderer = FigureCanvasAgg(view.fig).get_renderer()
    legend = curves.legend.get_window_extent(renderer)
    assert boxes_apart(legend, ax.get_window_extent(renderer))
    # Curves that lie on each other near 1 differ in colour, line style and marker.
    handles = curves.legend.legend_handles
    styles = {(h.get_color(), h.get_linestyle(), h.get_marker()) for h in handles}
    assert len({h.get_marker() for h in handles}) == len(handles) == len(styles)
    assert len({h.get_color() for h in handles}) == len(handles)


def test_score_histogram_names_the_classes_above_the_bars_not_over_them():
    from lessons_lib.plots.metrics import ThresholdPlot

    rng = np.random.default_rng(0)
    positive = rng.random(400) < 0.5
    scores = np.clip(np.where(positive, 0.9, 0.1) + rng.normal(0, 0.1, 400), 0, 1)
    plot = ThresholdPlot(positive, scores, ("proton", "not proton"))
    ax = plot.histogram.line.axes
    assert ax.get_legend() is None
    renderer = renderer_of(plot.fig)
    top = ax.get_window_extent(renderer).y1
    for label in plot.histogram.labels:
        assert label.get_window_extent(renderer).y0 >= top
    left, right = (label.get_window_extent(renderer) for label in plot.histogram.labels)
    assert boxes_apart(left, right, gap=10)


def test_confusion_headers_stand_apart_from_the_class_names():
    from lessons_lib.plots.metrics import plot_confusion_matrix

    fig = plot_confusion_matrix(np.eye(3, dtype=int), ["proton", "carbon", "other"])
    renderer = renderer_of(fig)
    ax = fig.axes[0]
    header = ax.xaxis.label.get_window_extent(renderer)
    names = [t.get_window_extent(renderer) for t in ax.get_xticklabels()]
    assert ax.xaxis.label.get_fontweight() == "bold"
    assert all(header.y0 >= name.y1 + 8 for name in names)


def test_mae_gradient_jumps_at_the_target_without_a_line_across():
    from lessons_lib.plots.metrics import plot_losses_against_prediction

    y_hat = np.linspace(0.01, 1.0, 100)
    fig = plot_losses_against_prediction(y_hat)
    gradient_ax = fig.axes[1]
    mae = gradient_ax.lines[1]
    assert mae.get_label() == "MAE"
    values = np.asarray(mae.get_ydata(), dtype=float)
    assert np.isnan(values[-1]) and np.all(values[:-1] == -1)
    ends = [tuple(line.get_xydata()[0]) for line in gradient_ax.lines[-2:]]
    assert ends == [(1.0, -1.0), (1.0, 0.0)]  # the value it leaves, the value it takes


def test_cross_entropy_label_keeps_off_its_curve():
    from lessons_lib.plots.metrics import plot_loss_vs_logit

    fig = plot_loss_vs_logit(np.linspace(-6, 6, 121))
    ax = fig.axes[1]
    renderer = renderer_of(fig)
    label = next(t for t in ax.texts if t.get_text().startswith("cross-entropy"))
    box = label.get_window_extent(renderer)
    curve = ax.transData.transform(ax.lines[0].get_xydata())
    inside = ((curve[:, 0] >= box.x0) & (curve[:, 0] <= box.x1)
              & (curve[:, 1] >= box.y0 - 5) & (curve[:, 1] <= box.y1 + 5))
    assert not inside.any()


# -- lesson 03 ---------------------------------------------------------------------------


def test_pooling_gradient_frames_are_dark_and_named_by_letters():
    from lessons_lib.datasets import pooling_example
    from lessons_lib.plots.pooling import FRAME_COLOUR, WINDOW_COLOURS, plot_pooling_backward

    fig = plot_pooling_backward(pooling_example(), np.array([[1.0, -2.0], [3.0, 2.0]]))
    window_colours = {to_rgb(c) for c in WINDOW_COLOURS[:4]}  # the four windows' colours
    for ax in fig.axes:
        frames = [p for p in ax.patches if not p.get_fill()]
        assert frames and not {to_rgb(p.get_edgecolor()[:3]) for p in frames} & window_colours
    letters = [t.get_text() for t in fig.axes[1].texts if t.get_text().isalpha()]
    assert letters == ["a", "b", "c", "d"]
    assert to_rgb(FRAME_COLOUR) == pytest.approx((0.15, 0.15, 0.15))


def test_translation_figure_leaves_a_gap_between_input_and_translated_copy():
    from lessons_lib.datasets import figure_matrix
    from lessons_lib.plots.pooling import plot_translation
    from lessons_lib.pooling import translate

    A = figure_matrix()
    fig = plot_translation(A, translate(A, 0, 1))
    renderer = renderer_of(fig)
    first, second = (ax.get_window_extent(renderer) for ax in fig.axes[:2])
    cell = first.width / A.shape[1]
    assert second.x0 - first.x1 >= cell
    check_projector_ready(fig)


def test_zone_plate_is_drawn_pixel_for_pixel_at_integer_zoom():
    from lessons_lib.plots.pooling import plot_downsampled
    from lessons_lib.pooling import downsample, zone_plate

    rings = zone_plate(64)
    small = downsample(rings, 4, "subsample")
    fig = plot_downsampled({"zone plate": rings, "subsample": small}, zoom=(1, 4))
    check_projector_ready(fig)
    png = np.asarray(Image.open(io.BytesIO(figure_png(fig))).convert("L"), dtype=float)
    assert png.shape == tuple(np.round(fig.get_size_inches()[::-1] * DPI).astype(int))
    for ax, image, zoom in zip(fig.axes, (rings, small), (1, 4), strict=True):
        x0, y0, x1, y1 = np.round(ax.get_window_extent().extents).astype(int)
        drawn = png[png.shape[0] - y1:png.shape[0] - y0, x0:x1]
        assert drawn.shape == (image.shape[0] * zoom, image.shape[1] * zoom)
        expected = np.kron(image, np.ones((zoom, zoom))) * 255
        assert np.abs(drawn - expected).max() <= 2
    with pytest.raises(ValueError, match="zoom must be a positive integer"):
        plot_downsampled({"a": rings, "b": small}, zoom=(1, 2.5))


def test_pooling_example_title_has_room_above_the_panel_titles():
    from lessons_lib.datasets import pooling_example
    from lessons_lib.plots.pooling import plot_pooling

    fig = plot_pooling(pooling_example())
    renderer = renderer_of(fig)
    suptitle = fig._suptitle.get_window_extent(renderer)
    for ax in fig.axes:
        assert suptitle.y0 >= ax.title.get_window_extent(renderer).y1 + 6


# -- lesson 06 ---------------------------------------------------------------------------


def test_attention_overlay_draws_the_event_in_grey_under_a_blue_tint():
    from lessons_lib.plots.attention import OVERLAY_COLOUR, AttentionOverlayPlot

    plot = AttentionOverlayPlot(np.eye(8), np.full((2, 2), 0.25), 4, (0, 1))
    assert plot.picture.get_cmap().name == "gray_r"
    tint = plot.overlay.get_array()
    assert tuple(tint[0, 0, :3]) == pytest.approx(to_rgb(OVERLAY_COLOUR))
    red, green, blue = to_rgb(OVERLAY_COLOUR)
    assert blue > red and blue > green


def test_position_codes_show_the_similarity_against_distance():
    from lessons_lib.attention import sinusoidal_position_encoding
    from lessons_lib.plots.attention import plot_position_encoding

    fig = plot_position_encoding(sinusoidal_position_encoding(64, 32))
    check_projector_ready(fig)
    similarity = fig.axes[1].images[0]
    low, high = similarity.get_clim()
    assert low > 0.3 and high == 1  # the colours span the values that occur
    profile = fig.axes[2].lines[0].get_ydata()
    assert profile[0] == pytest.approx(1) and profile[4] < 0.8


# -- lessons 04, 07, 01, 02, 00 --------------------------------------------------------


def test_misclassified_titles_do_not_touch():
    from lessons_lib.plots.cnn import plot_misclassified

    true = np.zeros(12, dtype=int)
    fig = plot_misclassified(np.zeros((12, 1, 16, 16)), true, true + 1,
                             ["proton", "carbon"], probabilities=np.full((12, 2), 0.97))
    check_projector_ready(fig)
    renderer = renderer_of(fig)
    titles = [ax.title.get_window_extent(renderer) for ax in fig.axes[:6]]
    assert all(left.x1 + 10 <= right.x0
               for left, right in zip(titles[:-1], titles[1:], strict=True))


def test_breakdown_legend_lists_only_the_kinds_a_network_has():
    from lessons_lib import architectures as arch
    from lessons_lib.plots.architectures import BreakdownPlot

    plot = BreakdownPlot(None, arch.breakdown(arch.classic("vgg16"), (3, 224, 224)))
    assert [t.get_text() for t in plot.ax.get_legend().get_texts()] == ["convolution",
                                                                        "dense"]
    plot.update(arch.breakdown(arch.classic("resnet18"), (3, 224, 224)))
    assert "batch norm" in [t.get_text() for t in plot.ax.get_legend().get_texts()]
    plot.clear()
    assert plot.ax.get_legend() is None


def test_receptive_field_grids_are_framed_on_every_side():
    from lessons_lib import architectures as arch
    from lessons_lib.plots.architectures import plot_receptive_fields

    fig = plot_receptive_fields([arch.receptive_field_weights([3, 3])], ["two 3×3"])
    ax = fig.axes[0]
    frame = [p for p in ax.patches if not p.get_fill()]
    assert len(frame) == 1 and not frame[0].get_clip_on()
    assert frame[0].get_width() == frame[0].get_height() == 7
    assert all(not c.get_clip_on() for c in ax.collections)


def test_photograph_gallery_clips_each_response_to_its_percentiles():
    from lessons_lib.plots.convolution import plot_gallery

    rng = np.random.default_rng(0)
    signed = rng.normal(size=(64, 64))
    signed[0, 0] = 100.0  # one extreme pixel must not set the scale
    fig = plot_gallery({"signed": signed, "photo": rng.random((64, 64))}, ncols=2,
                       percentiles=(1, 99))
    low, high = fig.axes[0].images[0].get_clim()
    assert low == -high == pytest.approx(-np.percentile(np.abs(signed), 99))
    low, high = fig.axes[1].images[0].get_clim()
    assert 0 < low < 0.05 and 0.95 < high < 1


def test_filter_explorer_draws_the_output_at_the_photographs_scale():
    from lessons_lib.widgets.convolution import FilterExplorer

    view = FilterExplorer(size=101)
    plot = view.plot
    # 412 pixels centred in the 512 of the input: 50 lost on each side.
    assert plot.output_image.get_extent() == [49.5, 461.5, 461.5, 49.5]
    assert plot.axes[2].get_xlim() == plot.axes[0].get_xlim()
    view.stride.value = 4
    left, right, _, _ = plot.output_image.get_extent()
    assert right - left == view.output.shape[1] == 103


def test_edge_modes_are_drawn_at_true_scale_with_their_corners():
    from lessons_lib.convolution import correlate
    from lessons_lib.filters import box_blur
    from lessons_lib.plots.convolution import plot_edge_modes

    image = np.random.default_rng(0).random((64, 64))
    outputs = {e: correlate(image, box_blur(7), edges=e) for e in ("none", "zero", "wrap")}
    fig = plot_edge_modes(outputs, image.shape, corner=(12, 24))
    check_projector_ready(fig)
    assert len(fig.axes) == 6
    assert fig.axes[0].get_title() == "none: 58×58"
    assert fig.axes[0].images[0].get_extent() == [2.5, 60.5, 60.5, 2.5]
    assert fig.axes[3].get_xlim() == (-0.5, 23.5)


def test_filter_learner_marks_each_tap_and_does_not_repeat_its_title():
    from lessons_lib.widgets.backprop import FilterLearner

    view = FilterLearner()  # the blur: taps 0 and 2 draw the same curve
    markers = [line.get_marker() for line in view.plot.tap_lines]
    assert len(set(markers)) == 3
    assert view.history.message not in view.message.value
    assert view.history.message == view.plot.status.get_text()


def test_widget_labels_are_not_cut():
    from lessons_lib.widgets.architectures import ArchitectureBrowser, ArchitectureBuilder
    from lessons_lib.widgets.start import SmoothingDemo

    assert SmoothingDemo().width.style.description_width == "initial"
    assert ArchitectureBuilder().channels.style.description_width == "initial"
    browser = ArchitectureBrowser()
    assert browser.expand.indent is False
    to_png(browser.fig)


def test_overlapping_tick_labels_are_refused():
    fig = new_figure(3, 3)
    ax = fig.add_subplot()
    ax.set_xticks(range(3), ["50.1k parameters"] * 3)
    with pytest.raises(ValueError, match="tick labels overlap"):
        check_projector_ready(fig)
    ax.set_xticks(range(3), ["a", "b", "c"])
    check_projector_ready(fig)


def test_text_cut_at_the_edge_is_refused():
    fig = new_figure(3, 2)
    ax = fig.add_subplot()
    ax.set_title("a title far wider than its little figure")
    with pytest.raises(ValueError, match="cut off"):
        check_projector_ready(fig)
    ax.set_title("short")
    check_projector_ready(fig)


def test_log_axis_ticks_outside_the_view_are_not_checked():
    """matplotlib 3.8 (the browser edition's) keeps log ticks beyond the view; none is drawn."""
    fig = new_figure(4, 3)
    ax = fig.add_subplot()
    ax.semilogy([1, 2, 3], [5e-14, 1e-3, 4.0])
    ax.set_ylim(5e-14, 4.0)
    ax.yaxis.set_major_locator(mpl.ticker.FixedLocator([1e-17, 1e-11, 1e-5, 10.0]))
    fig.draw_without_rendering()
    assert [label.get_text() for label in _drawn_tick_labels(ax.yaxis)] == [
        "$\\mathdefault{10^{-11}}$", "$\\mathdefault{10^{-5}}$"]
    check_projector_ready(fig)


def test_a_views_later_pictures_keep_its_first_layout_until_asked(monkeypatch):
    """A slider's every move redraws: only the first picture, and one after
    lay_out_again, pays for the projector check and the layout passes."""
    fig = new_figure(4, 3)
    ax = fig.add_subplot()
    ax.set_title("short")
    first = to_png(fig)
    passes = []
    real_pass = fig.draw_without_rendering
    monkeypatch.setattr(fig, "draw_without_rendering",
                        lambda: (passes.append(1), real_pass())[1])
    assert to_png(fig) == first
    assert passes == []
    ax.set_title("a title far wider than its little figure")
    to_png(fig)  # drawn as it is: no check between two pictures of one layout
    lay_out_again(fig)
    with pytest.raises(ValueError, match="cut off"):
        to_png(fig)
    assert passes
    ax.set_title("short")
    lay_out_again(fig)
    assert to_png(fig) == first
