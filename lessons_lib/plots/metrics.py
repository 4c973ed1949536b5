"""Figures for lesson 05: confusion matrices, precision-recall and ROC curves, losses, softmax.

Sized for a 1280 x 720 slide at 96 dpi, all text at 14 pt or more (legends, bar labels
and the numbers in a confusion matrix included); the two views' figures
(:class:`ThresholdPlot`, :class:`ImbalancePlot`) stay short enough to be seen together
with their slider on a laptop screen.
"""

from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D

from lessons_lib.losses import (
    cross_entropy,
    cross_entropy_backward,
    mae,
    mae_backward,
    mse,
    mse_backward,
    softmax,
    softmax_backward,
    softmax_cross_entropy,
    softmax_cross_entropy_backward,
)
from lessons_lib.metrics import precision_recall_curve, roc_auc, roc_curve
from lessons_lib.plots import BLACK, BLUE, MIN_FONT_PT, OKABE_ITO, VERMILLION, new_figure

POSITIVE_COLOR, NEGATIVE_COLOR, MARKER_COLOR = VERMILLION, BLUE, BLACK
# The slides' names for the four cells of a binary matrix drawn positive class first.
BINARY_CELL_NAMES = (("TP", "FN"), ("FP", "TN"))


def _row_rates(CM: np.ndarray) -> np.ndarray:
    """Each row divided by its sum (the fraction of a true class sent to each column);
    an empty row stays 0."""
    totals = CM.sum(axis=1, keepdims=True)
    out = np.zeros(CM.shape)
    np.divide(CM, totals, out=out, where=totals != 0)
    return out


def _percent(rate: float) -> str:
    """``rate`` as a whole percentage, never rounding a nonzero fraction to 0 % or an
    incomplete one to 100 % (1 event in 1000 is "<1%", not "0%")."""
    text = f"{rate:.0%}"
    if text == "0%" and rate > 0:
        return "<1%"
    if text == "100%" and rate < 1:
        return ">99%"
    return text


class ConfusionPlot:
    """A confusion matrix drawn as the slides do: rows TRUE, columns PREDICTED.

    Cells are coloured by the row-normalised rate (so a rare class is as visible as a
    common one) and show the count, the rate and, optionally, a cell name such as "TP".
    :meth:`update` changes the numbers in place.

    Parameters
    ----------
    ax : matplotlib Axes
    CM : array_like of int, shape (C, C)
    class_names : sequence of str, length C
    cell_names : C x C nested sequence of str, optional
        For example :data:`BINARY_CELL_NAMES` for the binary layout.
    title : str, optional
    decimals : int, optional
        Show the counts with this many decimals (expected counts, which need not be
        whole numbers); by default they are shown as given.

    Attributes
    ----------
    image : AxesImage
    texts : ndarray of Text, shape (C, C)
    CM : ndarray, shape (C, C)
        The counts currently shown.
    """

    def __init__(self, ax, CM, class_names, *, cell_names=None, title=None, decimals=None):
        CM = np.asarray(CM)
        k = len(class_names)
        if CM.shape != (k, k):
            raise ValueError(f"CM must have shape ({k}, {k}) for {k} class_names, got {CM.shape}")
        self.ax, self.cell_names, self.decimals = ax, cell_names, decimals
        self.image = ax.imshow(_row_rates(CM), cmap="Blues", vmin=0, vmax=1, aspect="auto")
        # Column names stand side by side over narrow cells: one word per line.
        ax.set_xticks(range(k), [name.replace(" ", "\n") for name in class_names])
        ax.set_yticks(range(k), class_names)
        ax.xaxis.set_ticks_position("top")
        ax.xaxis.set_label_position("top")
        # The two headers stand apart from the class names (bold, with room), so that
        # "PREDICTED" is not read together with the column name under it.
        ax.set_xlabel("PREDICTED", fontweight="bold", labelpad=12)
        ax.set_ylabel("TRUE", fontweight="bold", labelpad=12)
        ax.tick_params(length=0)
        ax.spines[:].set_visible(False)
        if title:
            ax.set_title(title, pad=10)
        self.texts = np.empty((k, k), dtype=object)
        for r, c in np.ndindex(k, k):
            self.texts[r, c] = ax.text(c, r, "", ha="center", va="center",
                                       fontsize=MIN_FONT_PT)
        self.update(CM)

    def update(self, CM) -> None:
        """Show new counts ``CM`` (same shape)."""
        self.CM = np.asarray(CM)
        rates = _row_rates(self.CM)
        self.image.set_data(rates)
        for (r, c), count in np.ndenumerate(self.CM):
            name = f"{self.cell_names[r][c]}\n" if self.cell_names is not None else ""
            shown = count if self.decimals is None else f"{count:.{self.decimals}f}"
            self.texts[r, c].set_text(f"{name}{shown}\n{_percent(rates[r, c])}")
            self.texts[r, c].set_color("white" if rates[r, c] > 0.55 else "black")


def _cell_size(k: int) -> float:
    """Inches per cell of a C x C matrix: 1.15 for two classes, less for more, so that the
    figure stays under about 4.2 inches (400 px) and leaves room on its slide for a
    heading and the code that computes the matrix."""
    return min(1.15, 3.0 / k)


def plot_confusion_matrix(CM, class_names, *, cell_names=None, title=None, size=None):
    """A confusion matrix with counts and row-normalised rates.

    Parameters
    ----------
    CM : array_like of int, shape (C, C)
        Rows are true classes, columns predicted classes.
    class_names : sequence of str, length C
    cell_names : C x C nested sequence of str, optional
        Cell names written above the counts (``BINARY_CELL_NAMES`` for TP/FN/FP/TN).
    title : str, optional
    size : float, optional
        Inches per cell; default 1.15 for two classes, 3 / C inches for more.

    Returns
    -------
    fig : Figure
    """
    k = len(class_names)
    size = _cell_size(k) if size is None else size
    fig = new_figure(size * k + 1.8, size * k + 1.2)
    ConfusionPlot(fig.add_subplot(), CM, class_names, cell_names=cell_names, title=title)
    return fig


def plot_confusion_matrices(matrices, class_names, *, cell_names=None, size=None):
    """Several confusion matrices side by side (for example two models on the same data).

    Parameters
    ----------
    matrices : dict of str to array_like, each shape (C, C)
        Title → counts.
    class_names : sequence of str, length C
    cell_names : C x C nested sequence of str, optional
    size : float, optional
        Inches per cell; default as :func:`plot_confusion_matrix`.

    Returns
    -------
    fig : Figure
    """
    k = len(class_names)
    size = _cell_size(k) if size is None else size
    fig = new_figure(len(matrices) * (size * k + 1.6), size * k + 1.3)
    axes = np.atleast_1d(fig.subplots(1, len(matrices)))
    for ax, (title, CM) in zip(axes, matrices.items(), strict=True):
        ConfusionPlot(ax, CM, class_names, cell_names=cell_names, title=title)
    return fig


class CurvesPlot:
    """Precision-recall and ROC curves of one binary score, with a movable operating point.

    Parameters
    ----------
    axes : pair of matplotlib Axes
        Where the precision-recall and the ROC curve go.
    y_true : array_like, shape (N,)
    scores : array_like of float, shape (N,)
    pos_label : int, bool or str, default 1

    Attributes
    ----------
    pr_marker, roc_marker : Line2D
        The operating point; :meth:`mark` moves them.
    auc, prevalence : float
        Area under the ROC curve; fraction of positives (the precision of a random guess).
    """

    def __init__(self, axes, y_true, scores, pos_label=1):
        pr_ax, roc_ax = axes
        precision, recall, _ = precision_recall_curve(y_true, scores, pos_label)
        fpr, tpr, _ = roc_curve(y_true, scores, pos_label)
        self.auc = roc_auc(y_true, scores, pos_label)
        self.prevalence = float(np.mean(np.asarray(y_true) == pos_label))
        pr_ax.plot(np.r_[0.0, recall], np.r_[precision[0], precision], color=POSITIVE_COLOR,
                   linewidth=2, drawstyle="steps-pre")
        # The random-guess lines are labelled where they run, the area under the ROC curve
        # goes in the title: legends would cover the curves in a panel two inches wide.
        guess = {"color": "0.45", "ha": "left", "va": "bottom"}
        pr_ax.axhline(self.prevalence, color="0.6", linestyle="--", linewidth=1)
        pr_ax.text(0.03, self.prevalence + 0.02, f"random ({self.prevalence:.0%})", **guess)
        pr_ax.set(xlim=(0, 1.02), ylim=(0, 1.05), xlabel="recall", ylabel="precision",
                  title="precision-recall curve")
        roc_ax.plot(fpr, tpr, color=POSITIVE_COLOR, linewidth=2)
        roc_ax.plot([0, 1], [0, 1], color="0.6", linestyle="--", linewidth=1)
        roc_ax.text(0.98, 0.03, "random (0.5)", **guess | {"ha": "right"})
        roc_ax.set(xlim=(-0.02, 1.02), ylim=(0, 1.05), xlabel="false-positive rate",
                   ylabel="recall (true-positive rate)", title=f"ROC, AUC = {self.auc:.3f}")
        (self.pr_marker,) = pr_ax.plot([], [], "o", color=MARKER_COLOR, markersize=10)
        (self.roc_marker,) = roc_ax.plot([], [], "o", color=MARKER_COLOR, markersize=10)

    def mark(self, precision, recall, fpr) -> None:
        """Move the operating point to these rates."""
        self.pr_marker.set_data([recall], [precision])
        self.roc_marker.set_data([fpr], [recall])


def plot_pr_roc(y_true, scores, pos_label=1, *, point=None):
    """Precision-recall and ROC curves of a binary score, side by side.

    Parameters
    ----------
    y_true : array_like, shape (N,)
    scores : array_like of float, shape (N,)
        Higher means "more likely ``pos_label``".
    pos_label : int, bool or str, default 1
    point : tuple of float (precision, recall, fpr), optional
        An operating point to mark on both curves.

    Returns
    -------
    fig : Figure
    """
    fig = new_figure(10, 4.2)
    curves = CurvesPlot(fig.subplots(1, 2), y_true, scores, pos_label)
    if point is not None:
        curves.mark(*point)
    return fig


class ScoreHistogram:
    """Histograms of a score for the positive and the negative class, with a threshold line.

    Parameters
    ----------
    ax : matplotlib Axes
    positive_scores, negative_scores : ndarray
    names : pair of str
        Legend names of the positive and the negative class.
    bins : int, default 30

    Attributes
    ----------
    line : Line2D
        The threshold; :meth:`set_threshold` moves it.
    """

    def __init__(self, ax, positive_scores, negative_scores, names, *, bins=30):
        edges = np.linspace(0, 1, bins + 1)
        ax.hist(negative_scores, bins=edges, color=NEGATIVE_COLOR, alpha=0.6, label=names[1])
        ax.hist(positive_scores, bins=edges, color=POSITIVE_COLOR, alpha=0.75, label=names[0])
        ax.set_yscale("log")
        counts = max(np.histogram(negative_scores, edges)[0].max(),
                     np.histogram(positive_scores, edges)[0].max(), 1)
        ax.set_ylim(0.6, counts * 3)
        ax.set(xlim=(0, 1), xlabel=f"score ({names[0]}), by true class",
               ylabel="events (log scale)")
        # The class names stand above the panel, each over the side where its events
        # pile up (low scores for the negative class, high for the positive): a legend
        # inside the panel would cover the tallest bars.
        self.labels = (
            ax.text(0, 1.03, names[1], color=NEGATIVE_COLOR, ha="left", va="bottom",
                    transform=ax.transAxes),
            ax.text(1, 1.03, names[0], color=POSITIVE_COLOR, ha="right",
                    va="bottom", transform=ax.transAxes),
        )
        self.line = ax.axvline(0.5, color=MARKER_COLOR, linewidth=2)

    def set_threshold(self, threshold) -> None:
        self.line.set_xdata([threshold, threshold])


def plot_loss_curves(x, losses, *, target=None, gradients=None, xlabel="prediction ŷ",
                     gradient_label="dJ/dŷ", title=None, ylim=None):
    """Losses (and optionally their gradients) against one varying input.

    Parameters
    ----------
    x : ndarray, shape (P,)
        The values on the x axis: a prediction ŷ, or a logit z.
    losses : dict of str to ndarray, each shape (P,)
        Loss name → loss at each ``x``.
    target : float, optional
        The true value, marked by a dotted vertical line.
    gradients : dict of str to ndarray, optional
        Loss name → its derivative at each ``x``, drawn in a second panel.
    xlabel : str, default "prediction ŷ"
    gradient_label : str, default "dJ/dŷ"
        What the gradient panel's y axis shows.
    title : str, optional
    ylim : tuple of float, optional
        Limits of the loss axis (cross-entropy grows without bound near 0).

    Returns
    -------
    fig : Figure
    """
    panels = 1 if gradients is None else 2
    fig = new_figure(5.2 * panels, 3.8)
    axes = np.atleast_1d(fig.subplots(1, panels))
    for name, values in losses.items():
        axes[0].plot(x, values, linewidth=2, label=name)
    axes[0].set(xlabel=xlabel, ylabel="loss J", title=title or "loss")
    if ylim is not None:
        axes[0].set_ylim(*ylim)
    if gradients is not None:
        for name, values in gradients.items():
            axes[1].plot(x, values, linewidth=2, label=name)
        axes[1].axhline(0, color="0.6", linewidth=1)
        axes[1].set(xlabel=xlabel, ylabel=gradient_label, title="gradient")
    for ax in axes:
        if target is not None:
            ax.axvline(target, color="0.4", linestyle=":", linewidth=1.5)
        ax.legend()
    return fig


def plot_losses_against_prediction(y_hat):
    """MSE, MAE and cross-entropy, and their gradients, for a target of 1 and a prediction ŷ.

    Cross-entropy treats ``ŷ`` as the probability of the true class (two classes:
    ``[ŷ, 1 − ŷ]`` against the one-hot ``[1, 0]``), so it is ``−log ŷ``.

    Parameters
    ----------
    y_hat : ndarray, shape (P,)
        Predictions in (0, 1].

    Returns
    -------
    fig : Figure
    """
    y_hat = np.asarray(y_hat, dtype=float)
    one, target = np.ones(1), np.array([1.0, 0.0])
    curves = {"MSE": [], "MAE": [], "cross-entropy": []}
    slopes = {"MSE": [], "MAE": [], "cross-entropy": []}
    for value in y_hat:
        v = np.array([value])
        curves["MSE"].append(mse(v, one))
        slopes["MSE"].append(mse_backward(v, one)[0])
        curves["MAE"].append(mae(v, one))
        slopes["MAE"].append(mae_backward(v, one)[0])
        pair = np.array([value, 1.0 - value])
        curves["cross-entropy"].append(cross_entropy(target, pair))
        slopes["cross-entropy"].append(cross_entropy_backward(target, pair)[0])
    fig = plot_loss_curves(y_hat, curves, gradients=slopes, target=1.0,
                           title="loss for target y = 1", ylim=(0, 4.7))
    gradient_ax = fig.axes[1]
    gradient_ax.set_ylim(-10, 1)
    # MAE's slope jumps from −1 to 0 at the target: a line joining the two values would
    # draw a steep stretch that is not there. The line stops short of the target, an
    # open circle marks the value it does not take, a dot the 0 it takes at ŷ = 1.
    at_target = y_hat == 1.0
    if at_target.any():
        mae_line = gradient_ax.lines[1]
        colour = mae_line.get_color()
        mae_line.set_ydata(np.where(at_target, np.nan, slopes["MAE"]))
        below = np.flatnonzero(y_hat < 1.0)
        left = float(slopes["MAE"][below[np.argmax(y_hat[below])]]) if below.size else -1.0
        gradient_ax.plot([1.0], [left], "o", markersize=8, markerfacecolor="white",
                         markeredgecolor=colour, markeredgewidth=2, zorder=4)
        gradient_ax.plot([1.0], [0.0], "o", markersize=8, color=colour, zorder=4)
        gradient_ax.annotate("MAE: 0 at ŷ = 1", xy=(1.0, 0.0), xytext=(0.97, -3.0),
                             ha="right", va="top", color=colour,
                             arrowprops={"arrowstyle": "->", "color": colour})
    return fig


def plot_loss_vs_logit(z):
    """Cross-entropy and MSE after a softmax, and their gradients, against the true logit.

    Two classes with logits ``[z, 0]``, the first one true, so ``ŷ = softmax([z, 0])[0]``
    grows from 0 to 1 as ``z`` grows. Cross-entropy's gradient ``ŷ − 1`` stays large while
    the prediction is confidently wrong (``z`` very negative); the gradient of MSE through
    the softmax vanishes there, and learning stalls.

    Parameters
    ----------
    z : ndarray, shape (P,)
        Values of the true class's logit.

    Returns
    -------
    fig : Figure
    """
    y, labels = np.array([[1.0, 0.0]]), np.array([0])
    ce, mse_values, ce_grad, mse_grad = [], [], [], []
    for value in np.asarray(z, dtype=float):
        logits = np.array([[value, 0.0]])
        p = softmax(logits)
        ce.append(softmax_cross_entropy(logits, labels))
        ce_grad.append(softmax_cross_entropy_backward(logits, labels)[0, 0])
        mse_values.append(mse(p, y))
        mse_grad.append(softmax_backward(mse_backward(p, y), p)[0, 0])
    fig = plot_loss_curves(
        z, {"cross-entropy": np.array(ce), "MSE after softmax": np.array(mse_values)},
        gradients={"cross-entropy: ŷ − y": np.array(ce_grad),
                   "MSE after softmax": np.array(mse_grad)},
        xlabel="logit z of the true class", gradient_label="dJ/dz",
        title="loss against the true class's logit", ylim=(0, 4))
    # The loss panel's legend names both colours; a legend here would cross a curve, so
    # the cross-entropy gradient is labelled where it runs.
    gradient_ax = fig.axes[1]
    gradient_ax.get_legend().remove()
    # Under the curve's right half, where the panel is empty: the curve rises from −1
    # to 0 there, so the label stays clear of it.
    gradient_ax.text(0.55, 0.22, "cross-entropy: ŷ − y", ha="left", va="center",
                     transform=gradient_ax.transAxes, color=gradient_ax.lines[0].get_color())
    return fig


def plot_softmax(z, distributions, class_names):
    """Logits and the probabilities made from them, as bar charts side by side.

    Parameters
    ----------
    z : ndarray, shape (C,)
        The logits.
    distributions : dict of str to ndarray, each shape (C,)
        Label (for example "T = 1") → probabilities.
    class_names : sequence of str, length C

    Returns
    -------
    fig : Figure
    """
    z = np.asarray(z, dtype=float)
    # Four panels fit a slide's width at 2.7 inches each.
    fig = new_figure(2.7 * (1 + len(distributions)), 3.4)
    axes = fig.subplots(1, 1 + len(distributions))
    x = np.arange(len(class_names))
    axes[0].bar(x, z, color="0.5")
    axes[0].axhline(0, color="black", linewidth=0.8)
    axes[0].set_title("logits z")
    for ax, (label, p) in zip(axes[1:], distributions.items(), strict=True):
        bars = ax.bar(x, p, color=POSITIVE_COLOR)
        ax.bar_label(bars, labels=[f"{v:.2f}" for v in p])
        ax.set(ylim=(0, 1.15), title=f"softmax, {label}")
    for ax in axes:
        ax.set_xticks(x, class_names, rotation=20)
    return fig


class PrevalencePlot:
    """Accuracy, precision, recall and F1 of a fixed classifier against the class balance.

    Parameters
    ----------
    ax : matplotlib Axes
    prevalence : ndarray, shape (P,)
        Fractions of positives on the x axis (drawn on a log scale).
    curves : dict of str to ndarray, each shape (P,)
        Metric name → value at each prevalence.
    styles : dict of str to str, optional
        Metric name → matplotlib line style (default solid), for curves that overlap.

    Several curves run close together near 1 (accuracy, recall, the lazy model's
    accuracy): each curve has its own colour, line style and marker shape, its markers
    placed between those of the others, and the first curve is drawn on top.

    Attributes
    ----------
    marker : Line2D
        A vertical line at the current prevalence; :meth:`mark` moves it.
    points : dict of str to Line2D
        One dot per curve at the current prevalence.
    """

    COLOURS = (OKABE_ITO[4], OKABE_ITO[0], OKABE_ITO[2], OKABE_ITO[5], OKABE_ITO[6],
               OKABE_ITO[1], OKABE_ITO[7])
    MARKERS = ("o", "D", "v", "s", "^", "P", "X")

    def __init__(self, ax, prevalence, curves, *, styles=None):
        self.lines = {}
        styles = styles or {}
        count = len(curves)
        # Five markers per curve, evenly spaced on the log axis; curve i starts i / count
        # of a spacing later, so that markers of curves lying on each other alternate.
        spacing = max(len(prevalence) // 5, 1)
        handles = []
        for number, (name, values) in enumerate(curves.items()):
            style = {"color": self.COLOURS[number % len(self.COLOURS)],
                     "marker": self.MARKERS[number % len(self.MARKERS)], "markersize": 8,
                     "markeredgecolor": "white", "markeredgewidth": 0.8}
            (self.lines[name],) = ax.plot(prevalence, values, linestyle=styles.get(name, "-"),
                                          linewidth=2.5, color=style["color"],
                                          zorder=3 + (count - number) / count, label=name)
            # The markers go over every line, so that a curve lying under another still
            # shows its own.
            shown = slice(spacing // 2 + number * spacing // count, None, spacing)
            ax.plot(np.asarray(prevalence)[shown], np.asarray(values)[shown],
                    linestyle="none", zorder=4.5, **style)
            handles.append(Line2D([], [], linestyle=styles.get(name, "-"), linewidth=2.5,
                                  label=name, **style))
        ax.set_xscale("log")
        ticks = [t for t in (0.001, 0.01, 0.1, 0.5) if prevalence[0] <= t <= prevalence[-1]]
        ax.set_xticks(ticks, [f"{t:.1%}".replace(".0%", "%") for t in ticks])
        ax.minorticks_off()
        ax.set(ylim=(0, 1.03), xlabel="fraction of positives (log scale)", ylabel="metric")
        ax.set_yticks(np.linspace(0, 1, 6))
        # Under the panel, outside it: inside, the legend would cover a curve somewhere
        # along the slider (the lazy model's accuracy falls to 0.5 at 50 %).
        self.legend = ax.figure.legend(handles=handles,
                                       loc="outside lower center", ncols=min(count, 3),
                                       frameon=False, columnspacing=1.4, handlelength=2.6)
        self.marker = ax.axvline(prevalence[0], color=MARKER_COLOR, linewidth=1.5, zorder=2)
        self.points = {name: ax.plot([], [], handle.get_marker(), color=handle.get_color(),
                                     markersize=11, markeredgecolor="black",
                                     markeredgewidth=1, zorder=5)[0]
                       for name, handle in zip(self.lines, handles, strict=True)}

    def mark(self, prevalence, values) -> None:
        """Move the marker to ``prevalence``; ``values`` maps curve name → value there."""
        self.marker.set_xdata([prevalence, prevalence])
        for name, value in values.items():
            self.points[name].set_data([prevalence], [value])


class ThresholdPlot:
    """A decision threshold on a binary score, and everything it decides, in one row.

    Four panels: the score histograms of both true classes with the threshold, the
    binary confusion matrix (TP FN / FP TN), and the operating point on the
    precision-recall and on the ROC curve; a summary line above them. :meth:`update`
    moves the threshold in place.

    Parameters
    ----------
    positive : ndarray of bool, shape (N,)
        Which events belong to the positive class.
    scores : ndarray of float in [0, 1], shape (N,)
        The model's probability of the positive class.
    class_names : pair of str
        Names of the positive and the negative class.

    Attributes
    ----------
    fig : Figure
    histogram : ScoreHistogram
    confusion : ConfusionPlot
    curves : CurvesPlot
    summary : Text
        The threshold and its four metrics, above the panels.
    """

    def __init__(self, positive, scores, class_names):
        positive, scores = np.asarray(positive, dtype=bool), np.asarray(scores, dtype=float)
        # One row rather than a 2 x 2 grid: the figure stays short enough to be seen
        # together with the slider on a laptop screen.
        self.fig = new_figure(11.4, 4.3)
        axes = self.fig.subplots(1, 4, width_ratios=[1.1, 0.8, 1, 1.1])
        self.histogram = ScoreHistogram(axes[0], scores[positive], scores[~positive],
                                        class_names)
        self.confusion = ConfusionPlot(axes[1], np.zeros((2, 2), int), class_names,
                                       cell_names=BINARY_CELL_NAMES)
        self.curves = CurvesPlot(axes[2:], positive, scores, pos_label=True)
        self.summary = self.fig.suptitle("")

    def update(self, threshold, counts, scores) -> None:
        """Show the state at ``threshold``.

        Parameters
        ----------
        threshold : float
        counts : array_like of int, shape (2, 2)
            ``[[TP, FN], [FP, TN]]`` at this threshold.
        scores : dict of str to float
            "accuracy", "precision", "recall", "f1" and "fpr" at this threshold.
        """
        self.histogram.set_threshold(threshold)
        self.confusion.update(counts)
        self.curves.mark(scores["precision"], scores["recall"], scores["fpr"])
        self.summary.set_text(
            f"threshold {threshold:.2f}:  accuracy {scores['accuracy']:.3f}   "
            f"precision {scores['precision']:.3f}   recall {scores['recall']:.3f}   "
            f"F1 {scores['f1']:.3f}")


class ImbalancePlot:
    """Metrics of a fixed classifier against the class balance, beside its confusion matrix.

    Parameters
    ----------
    prevalence : ndarray, shape (P,)
        Fractions of positives on the x axis (log scale).
    curves : dict of str to ndarray, each shape (P,)
        Metric name → value at each prevalence; "accuracy" and "F1" are named in the
        title.
    class_names : pair of str
        Names of the positive and the negative class.
    n_events : int
        How many events the confusion matrix counts.
    decimals : int, default 1
        Decimals of the expected counts in the matrix: expected counts need not be whole
        numbers, and rounding them would contradict the curves (19.56 true positives of
        20 is a recall of 0.978, not 20 of 20).
    styles : dict of str to str, optional
        Metric name → line style, as for :class:`PrevalencePlot`.

    Attributes
    ----------
    fig : Figure
    curves : PrevalencePlot
    confusion : ConfusionPlot
    title : Text
        The current fraction of positives, accuracy and F1.
    """

    def __init__(self, prevalence, curves, class_names, n_events, *, decimals=1,
                 styles=None):
        # Short enough to be seen together with the slider on a laptop screen.
        self.fig = new_figure(11.2, 4.45)
        # Two subfigures, laid out apart: the matrix's headers do not push the curves'
        # panel down, and the curves' legend stays under the curves.
        left, right = self.fig.subfigures(1, 2, width_ratios=[1.9, 1])
        axes = (left.add_subplot(), right.add_subplot())
        self.curves = PrevalencePlot(axes[0], prevalence, curves, styles=styles)
        self.confusion = ConfusionPlot(axes[1], np.zeros((2, 2)), class_names,
                                       cell_names=BINARY_CELL_NAMES, decimals=decimals,
                                       title=f"expected counts\nin {n_events:,} events")
        self.title = axes[0].set_title("")

    def update(self, prevalence, values, counts) -> None:
        """Show the state at ``prevalence``.

        Parameters
        ----------
        prevalence : float
        values : dict of str to float
            Curve name → value at ``prevalence`` (every curve of the plot).
        counts : array_like of float, shape (2, 2)
            The expected ``[[TP, FN], [FP, TN]]`` (shown with ``decimals`` decimals).
        """
        self.curves.mark(prevalence, values)
        self.confusion.update(counts)
        self.title.set_text(f"{prevalence:.1%} positives: accuracy {values['accuracy']:.3f}, "
                            f"F1 {values['F1']:.3f}")
