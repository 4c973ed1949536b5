"""Figures of lesson 04: detector events, a multi-channel convolution, training curves,
learned filters, feature maps and misclassified events.

Every function takes arrays (or a History) and returns a Figure; classes keep their
artists so that a widget can update them in place.
"""

from __future__ import annotations

import numpy as np

from lessons_lib._validate import positive_int
from lessons_lib.plots import BLUE, BLUISH_GREEN, MIN_FONT_PT, ORANGE, REDDISH_PURPLE, new_figure
from lessons_lib.plots.convolution import draw_matrix
from lessons_lib.uncertainty import accuracy_text, wilson_interval

EVENT_CMAP = "inferno"
CURVE_COLOURS = {"train": BLUE, "validation": ORANGE}


def confidence(p):
    """A probability as a rounded percentage that never claims certainty.

    Examples
    --------
    >>> confidence(0.843), confidence(0.996), confidence(0.002)
    ('84%', '>99%', '<1%')
    """
    if p >= 0.995:
        return ">99%"
    if p < 0.005:
        return "<1%"
    return f"{p:.0%}"


def _event_axes(ax, image, title=None):
    ax.imshow(image, cmap=EVENT_CMAP, vmin=0, vmax=1)
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=MIN_FONT_PT)


def plot_event_gallery(images, labels, class_names, *, per_class=6, width=10):
    """A row of events for each class: what the detector's pad plane recorded.

    Parameters
    ----------
    images : ndarray, shape (N, 1, H, W) or (N, H, W)
        Pad charges in [0, 1].
    labels : ndarray of int, shape (N,)
    class_names : sequence of str
    per_class : int, default 6
        The first ``per_class`` events of each class are shown.

    Returns
    -------
    fig : Figure
    """
    images = np.asarray(images).reshape(len(labels), *np.shape(images)[-2:])
    labels = np.asarray(labels)
    rows = len(class_names)
    fig = new_figure(width, width / per_class * rows + 0.3)
    axes = fig.subplots(rows, per_class, squeeze=False)
    for c, name in enumerate(class_names):
        chosen = np.flatnonzero(labels == c)[:per_class]
        for j, ax in enumerate(axes[c]):
            if j < len(chosen):
                _event_axes(ax, images[chosen[j]])
            else:
                ax.set_axis_off()
        axes[c, 0].set_ylabel(name)
    return fig


def plot_multichannel_convolution(x, w, *, cell=0.33):
    """One output channel of a convolution is a sum over input channels of 2-D correlations.

    Draws, for each input channel ``c``, the input ``x[c]``, the filter slice ``w[c]``
    and their correlation, then the sum of the correlations: the output channel.

    Parameters
    ----------
    x : ndarray, shape (C, H, W)
    w : ndarray, shape (C, kh, kw)
        The filter of one output channel.
    cell : float, default 0.33
        Side in inches of a cell of the filters and outputs, whose numbers are written
        in. The inputs are drawn as pictures, two thirds as large.

    Returns
    -------
    fig : Figure
    """
    from lessons_lib.convolution import correlate

    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    C = x.shape[0]
    parts = [correlate(x[c], w[c]) for c in range(C)]
    total = np.sum(parts, axis=0)
    pixel = 2 * cell / 3
    widths = [x.shape[2] * pixel, w.shape[2] * cell, total.shape[1] * cell,
              total.shape[1] * cell]
    row = max(x.shape[1] * pixel, total.shape[0] * cell) + 0.45
    fig = new_figure(sum(widths) + 1.8, C * row + 0.1)
    grid = fig.add_gridspec(C, 4, width_ratios=widths)
    limit = max(np.abs(parts).max(), np.abs(total).max())
    for c in range(C):
        draw_matrix(fig.add_subplot(grid[c, 0]), x[c], title=f"input x[{c}]", annotate=False)
        draw_matrix(fig.add_subplot(grid[c, 1]), w[c], cmap="RdBu_r", title=f"w[{c}]",
                    vmin=-np.abs(w).max(), vmax=np.abs(w).max())
        draw_matrix(fig.add_subplot(grid[c, 2]), parts[c], cmap="RdBu_r", vmin=-limit,
                    vmax=limit, title=f"x[{c}] ⊛ w[{c}]")
    draw_matrix(fig.add_subplot(grid[:, 3]), total, cmap="RdBu_r", vmin=-limit, vmax=limit,
                title="o = sum over c")
    return fig


class TrainingCurvesPlot:
    """Loss and accuracy per epoch, training and validation, updated in place.

    Parameters
    ----------
    epochs : int
        The x axis runs from 1 to ``epochs`` (further if the run turns out longer).

    Attributes
    ----------
    fig : Figure
    lines : dict
        ``lines["loss", "train"]`` etc.: the Line2D artists.
    """

    def __init__(self, epochs, *, width=10, height=3.6):
        self.epochs = positive_int(epochs, "epochs")
        self.fig = new_figure(width, height)
        self.ax_loss, self.ax_acc = self.fig.subplots(1, 2)
        self.lines = {}
        for ax, metric in ((self.ax_loss, "loss"), (self.ax_acc, "accuracy")):
            for split, colour in CURVE_COLOURS.items():
                (self.lines[metric, split],) = ax.plot([], [], "o-", color=colour, label=split)
            ax.set_xlim(0.5, self.epochs + 0.5)
            ax.set_xlabel("epoch")
            ax.set_title(metric)
        self.ax_loss.set_ylim(0, 1.2)
        self.ax_acc.set_ylim(0.3, 1.0)
        self.ax_acc.legend(loc="lower right")
        self.title = self.fig.suptitle("not trained yet")

    def update(self, history):
        """Show ``history`` (a :class:`lessons_lib.nn.History`)."""
        curves = {("loss", "train"): history.loss, ("accuracy", "train"): history.accuracy,
                  ("loss", "validation"): history.val_loss,
                  ("accuracy", "validation"): history.val_accuracy}
        for key, values in curves.items():
            self.lines[key].set_data(np.arange(1, len(values) + 1), values)
        if history.epochs > self.epochs:
            # A longer run than announced: widen the axis rather than hide epochs.
            for ax in (self.ax_loss, self.ax_acc):
                ax.set_xlim(0.5, history.epochs + 0.5)
        if history.loss:
            top = max(max(history.loss), max(history.val_loss, default=0))
            self.ax_loss.set_ylim(0, max(1.2, 1.05 * top))
            low = min(min(history.accuracy), min(history.val_accuracy, default=1))
            self.ax_acc.set_ylim(min(0.3, low - 0.02), 1.0)
            text = f"epoch {history.epochs}: training loss {history.loss[-1]:.3f}"
            if history.val_accuracy:
                text += f", validation accuracy {history.val_accuracy[-1]:.3f}"
            self.title.set_text(text)


def plot_training_curves(history, *, epochs=None):
    """The curves of a finished run (see :class:`TrainingCurvesPlot`)."""
    plot = TrainingCurvesPlot(epochs or max(history.epochs, 1))
    plot.update(history)
    return plot.fig


def plot_filters(w, *, title="learned first-layer filters", width=11):
    """Each filter of a convolution as a small image (blue negative, red positive).

    Parameters
    ----------
    w : ndarray, shape (C_out, C_in, kh, kw)
        Only input channel 0 is shown.
    """
    w = np.asarray(w)[:, 0]
    limit = np.abs(w).max()
    fig = new_figure(width, width / len(w) + 0.9)
    for f, ax in enumerate(fig.subplots(1, len(w), squeeze=False)[0]):
        ax.imshow(w[f], cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"filter {f}")
    fig.suptitle(title)
    return fig


class FeatureMapsPlot:
    """An event and what the network's layers make of it: a few channels per layer.

    The event fills the left; each layer is a row of its first ``channels`` feature
    maps, each on its own colour scale.

    Parameters
    ----------
    image : ndarray, shape (H, W)
    maps : list of (str, ndarray of shape (C, h, w))
        The layer names and their outputs for this event.
    channels : int, default 6
        Channels shown per layer.
    size : float, default 1.15
        Side of one feature map in inches.

    Attributes
    ----------
    images : list of list of AxesImage
        ``images[0][0]`` is the event, then ``images[row]`` the maps of layer ``row - 1``.
    """

    def __init__(self, image, maps, *, channels=6, size=1.15):
        channels = positive_int(channels, "channels")
        available = min(fmap.shape[0] for _, fmap in maps) if maps else channels
        if channels > available:
            raise ValueError(f"channels must be at most {available} (the fewest channels "
                             f"of a layer shown), got {channels}")
        self.channels = channels
        rows = max(len(maps), 1)
        event_width = rows * size
        self.fig = new_figure(event_width + channels * size + 0.8, rows * size + 0.75)
        grid = self.fig.add_gridspec(rows, channels + 1, width_ratios=[rows] + channels * [1])
        event_ax = self.fig.add_subplot(grid[:, 0])
        self.images = [[event_ax.imshow(image, cmap=EVENT_CMAP, vmin=0, vmax=1)]]
        event_ax.set_title("event")
        axes = [event_ax]
        for r, (name, fmap) in enumerate(maps):
            row = []
            for c in range(channels):
                ax = self.fig.add_subplot(grid[r, c + 1])
                row.append(ax.imshow(np.zeros(fmap.shape[1:]), cmap="viridis"))
                if r == 0:
                    ax.set_title(f"channel {c}")
                axes.append(ax)
            axes[-channels].set_ylabel(f"{name}\n{fmap.shape[1]}×{fmap.shape[2]}")
            self.images.append(row)
        for ax in axes:
            ax.set_xticks([])
            ax.set_yticks([])
        # Without this note a weak map would look as strong as the strongest one.
        self.fig.supxlabel("each map on its own colour scale: dark = 0, yellow = that "
                           "map's largest value", fontsize=MIN_FONT_PT)
        self.update(image, maps)

    def update(self, image, maps):
        """Show another event's maps (same layers and shapes)."""
        self.images[0][0].set_data(image)
        for row, (_, fmap) in zip(self.images[1:], maps, strict=True):
            for c, artist in enumerate(row):
                artist.set_data(fmap[c])
                artist.set_clim(0, max(float(fmap[c].max()), 1e-6))


def plot_feature_maps(image, maps, *, channels=6):
    """The figure of :class:`FeatureMapsPlot` for one event."""
    return FeatureMapsPlot(image, maps, channels=channels).fig


def plot_misclassified(images, true, predicted, class_names, *, probabilities=None, count=12,
                       width=11.4, side=1.6):
    """Events the network got wrong, titled "true → predicted" (and its confidence).

    Parameters
    ----------
    images : ndarray, shape (N, 1, H, W)
    true, predicted : ndarray of int, shape (N,)
    probabilities : ndarray, shape (N, C), optional
    count : int, default 12
    width : float, default 11.4
        Inches. Six panels a row: at 11.4 inches each title ("proton → carbon", 14 pt)
        has about 180 px, and neighbouring titles stay apart.
    side : float, default 1.6
        Inches of each event's picture: the figure's height follows from it.
    """
    images = np.asarray(images).reshape(len(true), *np.shape(images)[-2:])
    wrong = np.flatnonzero(np.asarray(true) != np.asarray(predicted))[:count]
    ncols = 6
    nrows = max(1, -(-len(wrong) // ncols))
    # Room above each picture for a two-line title, and for the figure's title.
    fig = new_figure(width, nrows * (side + 0.55) + 0.35)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes:
        ax.set_axis_off()
    for ax, i in zip(axes, wrong, strict=False):
        ax.set_axis_on()
        title = f"{class_names[true[i]]} → {class_names[predicted[i]]}"
        if probabilities is not None:
            title += f"\n({confidence(probabilities[i, predicted[i]])} sure)"
        _event_axes(ax, images[i], title)
    total = int(np.sum(np.asarray(true) != np.asarray(predicted)))
    fig.suptitle(f"{len(wrong)} of the {total} misclassified events (true → predicted)")
    return fig


def plot_baselines(names, accuracies, params, *, events=None, data="validation", width=10):
    """Accuracy of each model on the same events, its parameter count beside its name.

    Parameters
    ----------
    names : sequence of str
    accuracies : sequence of float in [0, 1]
    params : sequence of int
    events : int, optional
        How many events every accuracy was measured on. When given, each bar carries
        its 95 % Wilson interval (:func:`lessons_lib.uncertainty.wilson_interval`) as
        an error bar and in its label: two models are told apart only when their
        intervals are.
    data : str, default "validation"
        The events measured on, named in the axis label.

    Returns
    -------
    fig : Figure

    Raises
    ------
    ValueError
        If ``events`` is given and an accuracy times ``events`` is not a whole count
        of events.

    Examples
    --------
    >>> fig = plot_baselines(["majority", "CNN"], [0.5, 0.9765], [0, 7555], events=2000)
    >>> fig.axes[0].get_xlabel()
    'validation accuracy (2,000 events)'
    >>> fig.axes[0].texts[1].get_text()
    '97.7 % (95 % interval 97.0–98.2 %)'
    >>> plot_baselines(["majority"], [0.3333], [0], events=2000)
    Traceback (most recent call last):
    ...
    ValueError: accuracies must be counts out of events=2000, got [0.3333]
    """
    accuracies = np.asarray(accuracies, dtype=float)
    labels = [f"{acc:.1%}" for acc in accuracies]
    errors = None
    if events is not None:
        events = positive_int(events, "events")
        correct = np.round(accuracies * events)
        if not np.allclose(correct, accuracies * events, rtol=0, atol=1e-6):
            raise ValueError(f"accuracies must be counts out of events={events}, got "
                             f"{accuracies.tolist()}")
        correct = correct.astype(int)
        intervals = np.array([wilson_interval(int(k), events) for k in correct])
        errors = np.abs(intervals.T - accuracies)
        labels = [accuracy_text(int(k), events) for k in correct]
    fig = new_figure(width, 0.8 * len(names) + 1.2)
    ax = fig.subplots()
    y = np.arange(len(names))[::-1]
    bars = ax.barh(y, accuracies, xerr=errors, capsize=6,
                   color=["0.55", REDDISH_PURPLE, BLUISH_GREEN][: len(names)])
    for bar, acc, label in zip(bars, accuracies, labels, strict=True):
        # Inside a long bar in white, beside a short one in black: always readable. A
        # label inside starts left of the error bar.
        inside = acc >= 0.7
        ax.text(acc - 0.04 if inside else acc + 0.04, bar.get_y() + bar.get_height() / 2,
                label, ha="right" if inside else "left", va="center",
                color="white" if inside else "black")
    ax.set_yticks(y, [f"{name}\n{p:,} parameters" for name, p in zip(names, params,
                                                                      strict=True)])
    ax.set_xlim(0, 1)
    ax.set_xlabel(f"{data} accuracy" + (f" ({events:,} events)" if events else ""))
    return fig
