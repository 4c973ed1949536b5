"""Figures for lesson 07: sweeps, training curves, receptive fields, where parameters live."""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from lessons_lib.architectures import CATEGORIES
from lessons_lib.plots import BLUE, BLUISH_GREEN, ORANGE, VERMILLION, lay_out_again, new_figure
from lessons_lib.plots.convolution import draw_matrix
from lessons_lib.uncertainty import mean_sd

COLOURS = {"train": BLUE, "validation": ORANGE, "test": BLUISH_GREEN}
#: Numbers written on bars and cells: the smallest a projector allows.
NUMBER_PT = 14
CATEGORY_COLOURS = dict(zip(CATEGORIES, (BLUE, VERMILLION, "0.55"), strict=True))


def _short_count(n: float) -> str:
    """12,345,678 → "12.3M": parameter counts that fit under a bar."""
    for size, unit in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if n >= size:
            return f"{n / size:.3g}{unit}"
    return f"{int(n)}"


def _seed_values(values) -> np.ndarray:
    """Per-seed values as floats, a diverged seed (None) as NaN."""
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _mean_sd(values) -> tuple[float, float]:
    """:func:`~lessons_lib.uncertainty.mean_sd` of the finite values (the seeds that did
    not diverge); NaN when fewer than two."""
    values = values[np.isfinite(values)]
    return mean_sd(values) if len(values) >= 2 else (np.nan, np.nan)


def plot_sweep(settings, train_accuracy, val_accuracy, *, xlabel, params=None, title=None,
               ax=None):
    """Training and validation accuracy for each setting of one choice: every seed as a
    small dot, the mean as a large one with ± sd error bars.

    Parameters
    ----------
    settings : sequence of str
        The values tried (tick labels).
    train_accuracy, val_accuracy : sequence of sequence of float, one per setting
        One value per seed (None for a seed that diverged).
    xlabel : str
    params : sequence of int, optional
        Parameter counts, written under the labels.
    title : str, optional
    ax : Axes, optional
        Draw into it; default a new figure.

    Returns
    -------
    fig : Figure
    """
    if ax is None:
        fig = new_figure(max(6.0, 1.5 * len(settings) + 2.5), 3.8)
        ax = fig.add_subplot()
    x = np.arange(len(settings))
    for offset, per_setting, label in ((-0.15, train_accuracy, "train"),
                                       (0.15, val_accuracy, "validation")):
        colour = COLOURS[label]
        means, sds = [], []
        for position, values in zip(x + offset, per_setting, strict=True):
            values = _seed_values(values)
            ax.plot(np.full(len(values), position), values, "o", color=colour, alpha=0.35,
                    markersize=4)
            mean, sd = _mean_sd(values)
            means.append(mean)
            sds.append(sd)
        ax.errorbar(x + offset, means, yerr=sds, fmt="o", color=colour, markersize=8,
                    capsize=5, elinewidth=2, label=f"{label} (mean ± sd)")
    labels = [str(s) for s in settings]
    if params is not None:
        labels = [f"{s}\n{_short_count(p)} par." for s, p in zip(labels, params, strict=True)]
    ax.set_xticks(x, labels)
    ax.set_xlim(-0.6, len(settings) - 0.4)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("accuracy")
    ax.grid(axis="y", alpha=0.3)
    # Above the axes: inside, it would hide the points of the last setting; beside them,
    # it would squeeze the settings' labels into each other.
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, frameon=False)
    if title:
        ax.set_title(title, pad=36)
    return ax.figure


def plot_histories(histories, *, metric="loss", title=None, log=False, ax=None,
                   legend_title=None, legend=True):
    """One colour per setting: each seed's curve thin, their mean ± sd as a line and band.

    Parameters
    ----------
    histories : dict of str to dict or list of dict
        Label → one history, or one per seed: lists under keys such as "loss",
        "val_loss", "val_accuracy" (one value per epoch; non-finite values or None end
        the curve of a run that diverged). The mean and the ± sd band are over the
        seeds that did not diverge, for the epochs all of them reached; the legend
        counts the seeds that diverged.
    metric : str, default "loss"
    title : str, optional
    log : bool, default False
        Logarithmic y axis (losses spanning orders of magnitude).
    ax : Axes, optional
    legend_title : str, optional
    legend : bool, default True
        Draw a legend in the axes (False when the caller draws one for the figure).

    Returns
    -------
    fig : Figure
    """
    if ax is None:
        fig = new_figure(6.5, 4.0)
        ax = fig.add_subplot()
    for index, (label, seeds) in enumerate(histories.items()):
        seeds = [seeds] if isinstance(seeds, dict) else list(seeds)
        colour = f"C{index}"
        curves = [_seed_values(history[metric]) for history in seeds]
        finished = [values for values in curves if np.isfinite(values).all() and len(values)]
        for values in curves:
            epochs = np.arange(1, len(values) + 1)
            finite = np.isfinite(values)
            ax.plot(epochs[finite], values[finite], color=colour, alpha=0.35, linewidth=1)
            if finite.any() and not finite.all():
                # A run that diverged part-way: mark where it left the chart.
                ax.annotate("diverged", (epochs[finite][-1], values[finite][-1]),
                            color=colour, fontsize=NUMBER_PT, xytext=(5, 5),
                            textcoords="offset points")
        diverged = len(curves) - len(finished)
        name = label if len(curves) == 1 else f"{label} ({len(finished)} seeds" + (
            f", {diverged} diverged)" if diverged else ")")
        if not finished:
            ax.plot([], [], color=colour, linewidth=2.5, label=name)
            continue
        # The mean (and ± sd) of the seeds that finished, over the epochs all of them ran.
        common = min(len(values) for values in finished)
        stack = np.array([values[:common] for values in finished])
        epochs = np.arange(1, common + 1)
        mean = stack.mean(axis=0)
        ax.plot(epochs, mean, color=colour, linewidth=2.5, marker="o", markersize=3,
                label=name)
        if len(finished) > 1:
            sd = stack.std(axis=0, ddof=1)
            ax.fill_between(epochs, mean - sd, mean + sd, color=colour, alpha=0.2,
                            linewidth=0)
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
    ax.set_ylabel(metric.replace("_", " "))
    if log:
        ax.set_yscale("log")
    if legend:
        ax.legend(title=legend_title)
    if title:
        ax.set_title(title)
    return ax.figure


def plot_gradient_norms(norms, *, title="gradient reaching each layer at initialisation"):
    """Gradient size per layer, first layer on the left, one line per activation.

    Parameters
    ----------
    norms : dict of str to sequence of sequence of float
        Activation name → for each seed (initial weights), the norm of ∂J/∂W of each
        layer, first layer first. The line is the geometric mean over the seeds, the
        error bars ± one sd of log10 of the norm (a log axis spreads factors evenly).
    title : str

    Returns
    -------
    fig : Figure
    """
    fig = new_figure(6.5, 4.2)
    ax = fig.add_subplot()
    for label, seeds in norms.items():
        logs = np.log10(np.atleast_2d(np.asarray(seeds, dtype=float)))
        mean = logs.mean(axis=0)
        sd = logs.std(axis=0, ddof=1) if len(logs) > 1 else np.zeros_like(mean)
        layers = np.arange(1, logs.shape[1] + 1)
        ax.errorbar(layers, 10 ** mean, yerr=(10 ** mean - 10 ** (mean - sd),
                                              10 ** (mean + sd) - 10 ** mean),
                    marker="o", capsize=4, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("layer (1 = nearest the input)")
    ax.set_ylabel("‖∂J/∂W‖")
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return fig


def plot_receptive_fields(weights, titles):
    """Receptive fields as grids, each cell showing how many paths reach the output.

    Parameters
    ----------
    weights : sequence of ndarray, shape (r, r)
        From :func:`lessons_lib.architectures.receptive_field_weights`.
    titles : sequence of str

    Returns
    -------
    fig : Figure
    """
    # One more ring of pixels around the largest field: the input the field lies in.
    size = max(w.shape[0] for w in weights) + 2
    top = max(float(w.max()) for w in weights)
    fig = new_figure(3.9 * len(weights), 3.75)
    axes = np.atleast_1d(fig.subplots(1, len(weights)))
    lines = np.arange(size + 1) - 0.5
    for ax, w, title in zip(axes, weights, titles, strict=True):
        pad = (size - w.shape[0]) // 2
        grid = np.pad(w.astype(float), pad, constant_values=np.nan)
        _, texts = draw_matrix(ax, grid, cmap="Blues", vmin=0, vmax=top, title=title)
        for text in () if texts is None else texts.flat:
            text.set_fontsize(NUMBER_PT)
        # The grid's lines, its outer frame included, drawn unclipped: lines on the axes'
        # edge would otherwise lose their outer half (the right and bottom ones all of it).
        ax.vlines(lines, lines[0], lines[-1], color="0.8", linewidth=0.8, clip_on=False)
        ax.hlines(lines, lines[0], lines[-1], color="0.8", linewidth=0.8, clip_on=False)
        ax.add_patch(Rectangle((lines[0], lines[0]), size, size, fill=False,
                               edgecolor="0.45", linewidth=1.5, clip_on=False))
    # A little room under the grids, so the text below the figure does not touch them.
    fig.get_layout_engine().set(h_pad=0.08)
    return fig


class BreakdownPlot:
    """Shares of a network's parameters and operations by kind of layer, as stacked bars.

    Parameters
    ----------
    ax : Axes or None
        Draw into it; None makes a figure of its own (``size`` inches) with a title.
    totals : dict
        :func:`lessons_lib.architectures.breakdown`'s result.
    size : (float, float), default (5.6, 2.5)
        Width and height of the figure made when ``ax`` is None.

    Attributes
    ----------
    fig : Figure
    bars : dict of (str, str) to Rectangle
        ``bars["params", "dense"]`` is the dense layers' share of the parameters.
    """

    ROWS = ("params", "macs")

    def __init__(self, ax, totals, *, size=(5.6, 2.5)):
        if ax is None:
            ax = new_figure(*size).add_subplot()
        self.ax, self.fig = ax, ax.figure
        # A share is written on its bar only where the number fits inside: about 0.45 in
        # of bar, and the bars get the figure's width less the labels and the legend.
        self.min_share = 0.45 / max(self.fig.get_figwidth() - 3.0, 1.0)
        self.bars, self.texts = {}, {}
        for row, key in enumerate(self.ROWS):
            for category in CATEGORIES:
                bar = ax.barh(row, 0, color=CATEGORY_COLOURS[category], label=category,
                              height=0.6)[0]
                self.bars[key, category] = bar
                self.texts[key, category] = ax.text(0, row, "", ha="center", va="center",
                                                    color="white", fontsize=NUMBER_PT)
        ax.set_yticks(range(len(self.ROWS)), ["parameters", "operations\n(MACs)"])
        ax.set_xlim(0, 1)
        ax.set_xlabel("share of the network's total")
        ax.invert_yaxis()
        self.update(totals)

    def shares(self, key):
        """The share of each category in ``key`` ("params" or "macs")."""
        total = sum(self.totals[key].values()) or 1
        return {c: self.totals[key][c] / total for c in CATEGORIES}

    def update(self, totals) -> None:
        """Show ``totals`` (moves the existing bars)."""
        self.totals = totals
        for key in self.ROWS:
            left = 0.0
            for category, share in self.shares(key).items():
                self.bars[key, category].set_x(left)
                self.bars[key, category].set_width(share)
                text = self.texts[key, category]
                text.set_position((left + share / 2, self.ROWS.index(key)))
                text.set_text(f"{share:.0%}" if share >= self.min_share else "")
                left += share
        self._legend()

    def _legend(self) -> None:
        """A legend of the kinds of layer the network has: a kind with no parameters and
        no operations (batch norm in VGG or AlexNet) is left out."""
        if self.ax.get_legend() is not None:
            self.ax.get_legend().remove()
        present = [c for c in CATEGORIES if any(self.totals[key][c] for key in self.ROWS)]
        if present:
            self.ax.legend([self.bars["params", c] for c in present], present,
                           loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)

    def clear(self) -> None:
        """Empty every bar (no network to show)."""
        self.update({key: dict.fromkeys(CATEGORIES, 0) for key in self.ROWS})

    def set_heading(self, title) -> None:
        """The figure's title (which network, or why none is shown)."""
        self.fig.suptitle(title)


def plot_breakdown(totals, *, title=None):
    """:class:`BreakdownPlot` as a figure of its own."""
    plot = BreakdownPlot(None, totals, size=(8.0, 3.0))
    if title:
        plot.set_heading(title)
    return plot.fig


def plot_comparison(labels, values, *, ylabel, errors=None, annotations=None, title=None,
                    colours=None):
    """One bar per option (for example transfer-learning strategies), with error bars.

    Parameters
    ----------
    labels : sequence of str
    values : sequence of float
        The bars' heights (means over seeds, or a single measurement).
    ylabel : str
    errors : sequence of (float, float), optional
        For each bar, how far the error bar reaches below and above its top (± sd,
        or the distance to the ends of an interval).
    annotations : sequence of str, optional
        Written above the bars (default the values to 2 decimals).
    title : str, optional
    colours : sequence of colours, optional

    Returns
    -------
    fig : Figure
    """
    fig = new_figure(max(6.0, 1.9 * len(labels) + 1), 3.5)
    ax = fig.add_subplot()
    x = np.arange(len(labels))
    values = np.asarray(values, dtype=float)
    spans = np.zeros((2, len(values))) if errors is None else np.asarray(errors, float).T
    ax.bar(x, values, color=colours or BLUE)
    if errors is not None:
        ax.errorbar(x, values, yerr=spans, fmt="none", ecolor="black", capsize=6,
                    elinewidth=2)
    for position, top, text in zip(x, values + spans[1],
                                   annotations or [f"{v:.2f}" for v in values], strict=True):
        ax.annotate(text, (position, top), xytext=(0, 3), textcoords="offset points",
                    ha="center", va="bottom", fontsize=NUMBER_PT)
    ax.set_xticks(x, labels)
    ax.set_ylabel(ylabel)
    highest = float(np.max(values + spans[1]))
    ax.set_ylim(0, highest * 1.2 if highest > 0 else 1)
    if title:
        ax.set_title(title)
    return fig


class TrainingPlot:
    """Loss and validation accuracy against the epoch, updated in place after training.

    Parameters
    ----------
    axes : pair of Axes or None
        Draw into them; None makes a figure of its own (``size`` inches).
    size : (float, float), default (6.0, 2.4)
        Width and height of the figure made when ``axes`` is None.

    Attributes
    ----------
    fig : Figure
    loss_line, accuracy_line : Line2D
    """

    def __init__(self, axes=None, *, size=(6.0, 2.4)):
        if axes is None:
            axes = new_figure(*size).subplots(1, 2)
        self.axes, self.fig = axes, axes[0].figure
        self.loss_line, = axes[0].plot([], [], marker="o", color=COLOURS["train"],
                                       label="training")
        self.val_loss_line, = axes[0].plot([], [], marker="o", color=COLOURS["validation"],
                                           label="validation")
        self.accuracy_line, = axes[1].plot([], [], marker="o", color=COLOURS["validation"])
        axes[0].set_xlabel("epoch")
        axes[0].set_ylabel("loss")
        # Above the panels: inside, the legend would cover the curves of a small figure.
        self.fig.legend(handles=[self.loss_line, self.val_loss_line], loc="outside upper center",
                        ncols=2, frameon=False)
        axes[1].set_xlabel("epoch")
        axes[1].set_ylabel("accuracy")
        axes[1].set_ylim(0, 1)
        for ax in axes:
            ax.set_xlim(0.5, 3.5)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
        axes[0].set_ylim(0, 1.2)
        self.note = axes[0].text(2, 0.6, "not trained yet", ha="center", va="center",
                                 color="0.5")

    def update(self, loss, val_loss, val_accuracy) -> None:
        """Show a history (lists of one value per epoch); empty lists clear the plot."""
        # Tick labels change width with the history: lay the figure out again (once per
        # training) rather than keep the layout of the first, empty, picture.
        lay_out_again(self.fig)
        epochs = np.arange(1, len(loss) + 1)
        self.note.set_text("" if len(loss) else "not trained yet")
        self.loss_line.set_data(epochs, loss)
        self.val_loss_line.set_data(epochs, val_loss)
        self.accuracy_line.set_data(epochs, val_accuracy)
        top = max([*loss, *val_loss, 1e-3])
        self.axes[0].set_xlim(0.5, max(len(loss), 1) + 0.5)
        self.axes[0].set_ylim(0, 1.1 * top if np.isfinite(top) else 1)
        self.axes[1].set_xlim(0.5, max(len(loss), 1) + 0.5)


def plot_sweep_results(sweep, *, title=None):
    """A sweep of ``tools/run_sweeps.py``: training and validation accuracy per setting,
    every seed and the mean ± sd (:func:`plot_sweep`).

    Parameters
    ----------
    sweep : dict
        With "xlabel" and "runs" (each "label", "params", and per-seed lists
        "train_accuracy", "val_accuracy"; a diverged seed is None and not drawn).
    title : str, optional

    Returns
    -------
    fig : Figure
    """
    runs = sweep["runs"]
    return plot_sweep([r["label"] for r in runs], [r["train_accuracy"] for r in runs],
                      [r["val_accuracy"] for r in runs], xlabel=sweep["xlabel"],
                      params=[r["params"] for r in runs], title=title)


def plot_run_curves(runs, metrics=("loss", "val_accuracy"), *, log=False, legend_title=None):
    """Curves of several settings side by side, one panel per metric.

    Parameters
    ----------
    runs : sequence of dict
        Each with "label" and "history": one history, or a list of one per seed
        (lists per epoch; None marks divergence), drawn by :func:`plot_histories`.
    metrics : sequence of str, default ("loss", "val_accuracy")
    log : bool, default False
        Logarithmic y axis for the loss panels.
    legend_title : str, optional

    Returns
    -------
    fig : Figure
    """
    fig = new_figure(min(11.4, 4.6 * len(metrics) + 2.0), 3.4)
    axes = np.atleast_1d(fig.subplots(1, len(metrics)))
    histories = {r["label"]: r["history"] for r in runs}
    for ax, metric in zip(axes, metrics, strict=True):
        plot_histories(histories, metric=metric, ax=ax, log=log and "loss" in metric,
                       legend=False)
    # One legend for all panels, beside them: the curves stay uncovered.
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside right upper",
               title=legend_title, frameon=False)
    return fig


def plot_events(images, titles, *, columns=4):
    """A gallery of detector events (pad charges, one channel), each with a title.

    Parameters
    ----------
    images : ndarray, shape (N, 1, H, W) or (N, H, W)
    titles : sequence of str, one per image
    columns : int, default 4

    Returns
    -------
    fig : Figure
    """
    images = np.asarray(images)
    images = images[:, 0] if images.ndim == 4 else images
    rows = -(-len(images) // columns)
    fig = new_figure(2.3 * min(columns, len(images)), 1.95 * rows + 0.1)
    axes = np.atleast_1d(fig.subplots(rows, min(columns, len(images)))).ravel()
    for ax in axes:
        ax.set_axis_off()
    for ax, image, title in zip(axes, images, titles, strict=False):
        ax.imshow(image, cmap="magma", vmin=0, vmax=1)
        ax.set_title(title, fontsize=NUMBER_PT)
    return fig
