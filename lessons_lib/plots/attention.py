"""Figures for lesson 06: patches and the table X, attention step by step, heads, positions."""

from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import LinearSegmentedColormap, to_rgb
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from lessons_lib.attention import patch_grid, patchify, prepend_position_index
from lessons_lib.plots import (
    BLUE,
    LINE_CYCLE,
    OKABE_ITO,
    ORANGE,
    VERMILLION,
    lay_out_again,
    new_figure,
)
from lessons_lib.plots.convolution import draw_matrix
from lessons_lib.uncertainty import wilson_interval

# Patch k is drawn in colour k (cycled): the same colour on the image and in the table.
PATCH_COLOURS = LINE_CYCLE  # yellow would not read on white


# Attention is drawn in blue over the event drawn in dark grey on white, so the two
# cannot be mistaken for each other (the event's own bright pixels are not coloured).
OVERLAY_COLOUR = OKABE_ITO[4]
OVERLAY_OPACITY = 0.75
QUERY_COLOUR = OKABE_ITO[5]
INDEX_COLOUR = VERMILLION
"""The position index column of X: written in, in this colour, never shaded as a pixel."""
#: Numbers written in matrices, tables and maps: the smallest a projector allows.
NUMBER_PT = 14


def _plural(count, word):
    return f"{count} {word}" if count == 1 else f"{count} {word}es"


def _cell_width(M):
    """Inches for a column of ``M``'s numbers at 14 pt, written to 2 decimals as
    :func:`draw_matrix` writes them (3, −1, 0.84, −3.16)."""
    longest = max(len(f"{round(float(value), 2):g}") for value in np.asarray(M).flat)
    return max(0.32, 0.11 * longest + 0.22)


def _symmetric_limits(M):
    bound = float(np.max(np.abs(M))) or 1.0
    return -bound, bound


class PatchPlot:
    """An image cut into patches beside the table X it becomes, for any patch size.

    Left: the image, each patch outlined and numbered, the rows and columns that no
    patch covers greyed out. Right: X, one row per patch (the position index, then the
    patch's pixels row by row). :meth:`update` redraws both for a new patch size.

    Parameters
    ----------
    image : ndarray, shape (H, W)
        A small matrix, such as the slides' 8 x 9 figure matrix.
    patch_size : int

    Attributes
    ----------
    fig : Figure
    X : ndarray, shape (N, 1 + P*P)
        The table shown now.
    caption : Text
        N, E and what was dropped.
    """

    def __init__(self, image, patch_size):
        self.image = np.asarray(image, dtype=float)
        H, W = self.image.shape
        # One size for every patch size: the view keeps the layout of its first picture.
        self.fig = new_figure(11.0, 3.9)
        self.image_ax, self.table_ax = self.fig.subplots(1, 2, width_ratios=[W, 17])
        # No numbers on the image: the patch numbers go there.
        draw_matrix(self.image_ax, self.image, cmap="Greys", vmin=0, vmax=1.6, annotate=False)
        self.image_ax.set_title(f"image {H}×{W}")
        self.grid = self.image_ax.add_collection(LineCollection([], colors=ORANGE,
                                                                linewidths=3))
        self.dropped = [self.image_ax.add_patch(Rectangle((0, 0), 0, 0, facecolor="0.5",
                                                          alpha=0.55, edgecolor="none"))
                        for _ in range(2)]
        self.labels = []
        self.table_texts = []
        self.table = self.table_ax.imshow(np.zeros((1, 1)), cmap="Greys", vmin=0, vmax=1.6,
                                          aspect="auto")
        self.table_ax.set_yticks([])
        self.table_ax.set_xticks([])
        self.index_box = self.table_ax.add_patch(Rectangle((-0.5, -0.5), 1, 1, fill=False,
                                                           edgecolor=INDEX_COLOUR,
                                                           linewidth=2.5))
        self.caption = self.fig.text(0.5, 0.01, "", ha="center", va="bottom",
                                     fontsize=NUMBER_PT)
        self.fig.get_layout_engine().set(rect=(0, 0.08, 1, 0.92))
        self.update(patch_size)

    def update(self, patch_size) -> None:
        """Cut the image with patches of ``patch_size`` and show the new table."""
        P = int(patch_size)
        H, W = self.image.shape
        rows, cols = patch_grid(self.image.shape, P)
        self.X = prepend_position_index(patchify(self.image, P))
        N, E = self.X.shape
        segments = [[(c * P - 0.5, -0.5), (c * P - 0.5, rows * P - 0.5)] for c in range(cols + 1)]
        segments += [[(-0.5, r * P - 0.5), (cols * P - 0.5, r * P - 0.5)] for r in range(rows + 1)]
        self.grid.set_segments(segments)
        self.dropped[0].set_bounds(cols * P - 0.5, -0.5, W - cols * P, H)
        self.dropped[1].set_bounds(-0.5, rows * P - 0.5, cols * P, H - rows * P)
        for text in self.labels + self.table_texts:
            text.remove()
        self.labels = [
            self.image_ax.text((c + 0.5) * P - 0.5, (r + 0.5) * P - 0.5, str(r * cols + c),
                               ha="center", va="center", fontsize=12 + 4 * min(P, 3),
                               fontweight="bold",
                               color=PATCH_COLOURS[(r * cols + c) % len(PATCH_COLOURS)],
                               bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.75,
                                     "pad": 1})
            for r in range(rows) for c in range(cols)] if N <= 16 else []
        shown = self.X.copy()
        shown[:, 0] = np.nan  # the index column is written in, not shaded
        self.table.set_data(np.ma.masked_invalid(shown))
        self.table.set_extent((-0.5, E - 0.5, N - 0.5, -0.5))
        self.table_ax.set_xlim(-0.5, E - 0.5)
        self.table_ax.set_ylim(N - 0.5, -0.5)
        self.index_box.set_height(N)
        self.table_texts = []
        if N <= 16 and E <= 26:
            for (n, e), value in np.ndenumerate(self.X):
                colour = INDEX_COLOUR if e == 0 else ("white" if value > 0.8 else "black")
                self.table_texts.append(self.table_ax.text(e, n, f"{value:g}", ha="center",
                                                           va="center", color=colour,
                                                           fontsize=NUMBER_PT))
        self.table_ax.set_title(f"X: N × E = {N} × {E}   (index, then the {P}×{P} pixels)")
        lost = H * W - N * P * P
        self.caption.set_text(
            f"patch size {P}: {rows}×{cols} = {_plural(N, 'patch')}, E = 1 + {P}·{P} = {E}; "
            f"{lost} of {H * W} pixels fall outside every patch (grey)")


def plot_patches(image, patch_size):
    """The image cut into patches and the table X (see :class:`PatchPlot`).

    Returns
    -------
    fig : Figure
    """
    return PatchPlot(image, patch_size).fig


def plot_table_slips(X, copies):
    """Each printed copy of X with the cells that differ from the computed X outlined.

    Parameters
    ----------
    X : ndarray, shape (N, E)
        The table computed from the image.
    copies : dict of str to ndarray, each shape (N, E') with E' <= E
        The copies as printed, keyed by where they were printed.

    Returns
    -------
    fig : Figure
        One axes per copy, top to bottom. Pixels are shaded; the first column, the
        position index, is written in red and not shaded (as in :class:`PatchPlot`).
    """
    X = np.asarray(X, dtype=float)
    # Cells wider than tall: three 4-row tables fit a slide under their heading.
    fig = new_figure(9.5, 1.45 * len(copies) + 0.2)
    axes = np.atleast_1d(fig.subplots(len(copies), 1))
    for ax, (name, copy) in zip(axes, copies.items(), strict=True):
        copy = np.asarray(copy, dtype=float)
        padded = np.full(X.shape, np.nan)
        padded[:, 1 : copy.shape[1]] = copy[:, 1:]
        _, texts = draw_matrix(ax, padded, cmap="Greys", vmin=0, vmax=1.6, annotate=True)
        for n, text in enumerate(texts[:, 0]):
            text.set_text(f"{copy[n, 0]:g}")
            text.set_color(INDEX_COLOUR)
        for text in texts.flat:
            text.set_fontsize(NUMBER_PT)
        ax.set_aspect("auto")
        ax.set_xlim(-0.5, X.shape[1] - 0.5)
        wrong = np.argwhere(copy != X[:, : copy.shape[1]])
        for r, c in wrong:
            ax.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, edgecolor=VERMILLION,
                                   linewidth=3))
        missing = X.shape[1] - copy.shape[1]
        problems = []
        if len(wrong):
            problems.append(f"{len(wrong)} cell{'s differ' if len(wrong) > 1 else ' differs'}")
        if missing:
            problems.append(f"{missing} columns missing")
        verdict = ", ".join(problems) or "matches X"
        ax.set_title(f"{name}: {verdict}", loc="left")
    return fig


def plot_matrices(matrices, *, operators=None, cmap="RdBu_r", annotate=True):
    """Matrices side by side with their numbers, optionally joined by symbols (× , =).

    Every row has the same height in every matrix, so that rows line up as in a
    written product; each matrix's columns are as wide as its longest number.

    Parameters
    ----------
    matrices : dict of str to ndarray, each shape (rows, cols)
        Title → matrix, left to right.
    operators : sequence of str, optional
        ``len(matrices) - 1`` symbols written between neighbours.
    cmap : str, default "RdBu_r"
        With a diverging map, zero is white and the limits are symmetric.
    annotate : bool, default True

    Returns
    -------
    fig : Figure
        At most 11.4 x 4.6 inches (1094 x 442 px).
    """
    items = [(name, np.asarray(M, dtype=float)) for name, M in matrices.items()]
    titles = [f"{name}  ({M.shape[0]}×{M.shape[1]})" for name, M in items]
    tallest = max(M.shape[0] for _, M in items)
    # Inches: a row holds a 14 pt number; a column is as wide as its longest number.
    cell_h = min(0.5, 4.1 / tallest)
    cell_w = [_cell_width(M) for _, M in items]
    widths = [max(M.shape[1] * w, 0.11 * len(title))
              for (_, M), w, title in zip(items, cell_w, titles, strict=True)]
    fig = new_figure(min(11.4, sum(widths) + 0.6 * len(items)), cell_h * tallest + 0.5)
    axes = np.atleast_1d(fig.subplots(1, len(items), width_ratios=widths))
    for ax, (_, M), w, title in zip(axes, items, cell_w, titles, strict=True):
        limits = _symmetric_limits(M) if cmap in ("RdBu_r", "coolwarm", "PuOr") else (None, None)
        _, texts = draw_matrix(ax, M, cmap=cmap, vmin=limits[0], vmax=limits[1],
                               annotate=annotate, title=title)
        ax.set_aspect(cell_h / w)
        for text in () if texts is None else texts.flat:
            text.set_fontsize(NUMBER_PT)
    for left, symbol in zip(axes[:-1], operators or (), strict=False):
        left.annotate(symbol, xy=(1.0, 0.5), xycoords="axes fraction", xytext=(6, 0),
                      textcoords="offset points", ha="left", va="center", fontsize=30,
                      fontweight="bold")
    return fig


def plot_attention_rows(A, *, titles, row_labels=None):
    """Attention maps side by side: row n is where query n looks, each row sums to one.

    Parameters
    ----------
    A : ndarray, shape (maps, N_q, N_k)
    titles : sequence of str
        One per map.
    row_labels : sequence of str, optional
        Names of the tokens (default their indices).

    Returns
    -------
    fig : Figure
    """
    A = np.asarray(A, dtype=float)
    maps, N_q, N_k = A.shape
    fig = new_figure(min(11.4, maps * (0.53 * N_k + 1.3)), min(4.4, 0.42 * N_q + 0.95))
    axes = np.atleast_1d(fig.subplots(1, maps))
    for ax, M, title in zip(axes, A, titles, strict=True):
        _, texts = draw_matrix(ax, M, cmap="Blues", vmin=0, vmax=1,
                               annotate=max(N_q, N_k) <= 8, title=title)
        for text in () if texts is None else texts.flat:
            text.set_fontsize(NUMBER_PT)
        # Cells a little wider than tall: "0.84" at 14 pt fits, and the maps stay short.
        ax.set_aspect(0.8)
        ax.set_xlabel("key (attended patch)")
        ax.set_xticks(range(N_k), row_labels or range(N_k))
        ax.set_yticks(range(N_q), row_labels or range(N_q))
    axes[0].set_ylabel("query patch")
    return fig


def plot_saturation(result):
    """The largest attention weight of a row against d_k, with and without scaling.

    Parameters
    ----------
    result : dict
        From :func:`lessons_lib.attention.attention_saturation`.

    Returns
    -------
    fig : Figure
    """
    dims = result["dims"]
    fig = new_figure(9, 3.4)
    ax = fig.add_subplot()
    ax.plot(dims, result["unscaled"], "o-", color=VERMILLION, linewidth=2.5,
            label="softmax(q·k): one key takes it all")
    ax.plot(dims, result["scaled"], "s-", color=BLUE, linewidth=2.5,
            label="softmax(q·k / √d_k): stays spread")
    ax.set_xscale("log", base=2)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("d_k (features per query and key)")
    ax.set_ylabel("largest weight in a row of A")
    ax.legend(loc="center right")
    return fig


def plot_position_encoding(PE, *, title="position codes"):
    """A position encoding table, how similar the codes of two positions are, and how that
    similarity changes with their distance.

    Parameters
    ----------
    PE : ndarray, shape (N, E)

    Returns
    -------
    fig : Figure
        Left: PE (rows = positions). Middle: the cosine similarity of rows p and p', its
        colours spread over the values it takes (not −1 to 1, where the band around the
        diagonal would hardly show). Right: the mean similarity of two positions against
        their distance |p − p'|.
    """
    PE = np.asarray(PE, dtype=float)
    unit = PE / np.maximum(np.linalg.norm(PE, axis=1, keepdims=True), 1e-12)
    similarity = unit @ unit.T
    positions = np.arange(len(PE))
    apart = np.abs(positions[:, None] - positions[None])
    distances = np.arange(len(PE))
    mean = [similarity[apart == d].mean() for d in distances]
    fig = new_figure(11.4, 4.0)
    left, middle, right = fig.subplots(1, 3, width_ratios=[1.15, 1.15, 1])
    image = left.imshow(PE, cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
    left.set_xlabel("feature")
    left.set_ylabel("position p")
    left.set_title(title)
    fig.colorbar(image, ax=left, shrink=0.8)
    low = float(similarity.min())
    shown = middle.imshow(similarity, cmap="viridis", vmin=low, vmax=1)
    middle.set_xlabel("position p'")
    middle.set_ylabel("position p")
    middle.set_title("cosine similarity")
    fig.colorbar(shown, ax=middle, shrink=0.8).locator = MaxNLocator(4)
    right.plot(distances, mean, color=OKABE_ITO[4], linewidth=2)
    right.set_ylim(min(0.0, float(np.min(mean)) - 0.05), 1.03)
    right.set_xlabel("distance |p − p'|")
    right.set_ylabel("mean similarity")
    right.set_title("by distance")
    return fig


class AttentionOverlayPlot:
    """An image with one query patch's attention drawn over the patches it looks at.

    Parameters
    ----------
    image : ndarray, shape (H, W)
    weights : ndarray, shape (rows, cols)
        Attention from the query to every patch, laid out on the patch grid.
    patch_size : int
    query : (int, int) or None
        Grid position of the query patch, outlined; None for the class token.

    The event is drawn in grey, dark on white (bright pixels dark), and the attention
    tints its patches blue on top: the more weight, the more opaque. The grid beside it
    uses the same white-to-blue colours, so its colour bar reads both panels.

    Attributes
    ----------
    fig : Figure
    picture, overlay : AxesImage
        The image, and on top of it the attention as an RGBA image (opacity ∝ weight).
    grid_image : AxesImage
        The attention weights on the patch grid, beside the image.
    outline : Rectangle
        The query patch.
    """

    def __init__(self, image, weights, patch_size, query):
        self.patch_size = int(patch_size)
        # Short enough for a slide with its text and two rows of controls.
        self.fig = new_figure(9.0, 3.4)
        self.ax, self.bar_ax = self.fig.subplots(1, 2, width_ratios=[1, 1])
        self.picture = self.ax.imshow(image, cmap="gray_r")
        self.overlay = self.ax.imshow(np.zeros(weights.shape + (4,)))
        self.outline = self.ax.add_patch(Rectangle((0, 0), 1, 1, fill=False,
                                                   edgecolor=QUERY_COLOUR, linewidth=3))
        self.ax.set_xticks([])
        self.ax.set_yticks([])
        # The colour the overlay gives a patch of the largest weight over white.
        full = (1 - OVERLAY_OPACITY) + OVERLAY_OPACITY * np.array(to_rgb(OVERLAY_COLOUR))
        tints = LinearSegmentedColormap.from_list("attention", ["white", tuple(full)])
        self.grid_image = self.bar_ax.imshow(weights, cmap=tints, vmin=0)
        for ax in (self.ax, self.bar_ax):  # white on white: frame both panels
            ax.spines[:].set_visible(True)
            ax.spines[:].set_color("0.5")
        self.bar_ax.set_xticks([])
        self.bar_ax.set_yticks([])
        self.bar_ax.set_title("attention over the patch grid")
        # Below the grid, not beside it: the tick labels change width with the weights,
        # and a view keeps the layout of its first picture.
        self.fig.colorbar(self.grid_image, ax=self.bar_ax, location="bottom", shrink=0.8,
                          label="attention weight").locator = MaxNLocator(4)
        self.update(image, weights, query)

    def update(self, image, weights, query, *, title="", grid_title=None) -> None:
        """Show a new image, new weights and a new query patch (and new titles)."""
        P = self.patch_size
        rows, cols = weights.shape
        self.picture.set_data(image)
        self.picture.set_clim(float(image.min()), float(max(image.max(), image.min() + 1e-9)))
        # Each attention weight tints its P x P patch of the image: the more weight,
        # the more opaque the blue.
        top = float(weights.max()) or 1.0
        tint = np.zeros(weights.shape + (4,))
        tint[..., :3] = to_rgb(OVERLAY_COLOUR)
        tint[..., 3] = OVERLAY_OPACITY * weights / top
        self.overlay.set_data(tint)
        self.overlay.set_extent((-0.5, cols * P - 0.5, rows * P - 0.5, -0.5))
        self.grid_image.set_data(weights)
        self.grid_image.set_clim(0, top)
        self.ax.set_xlim(-0.5, image.shape[1] - 0.5)
        self.ax.set_ylim(image.shape[0] - 0.5, -0.5)
        if query is None:
            self.outline.set_visible(False)
        else:
            r, c = query
            self.outline.set_visible(True)
            self.outline.set_bounds(c * P - 0.5, r * P - 0.5, P, P)
        self.ax.set_title(title)
        if grid_title is not None:
            self.bar_ax.set_title(grid_title)


def plot_comparison(results, n, *, labels=None, class_names=None, data="validation"):
    """Accuracy of two or more models trained on all the data and on a tenth of it.

    Each accuracy is drawn as a point with its 95 % Wilson interval
    (:func:`lessons_lib.uncertainty.wilson_interval`) as a bar: where two models'
    bars overlap, these ``n`` events cannot tell the models apart.

    Parameters
    ----------
    results : dict of str to dict
        Model name → {"full": correct, "tenth": correct, "params": int}: how many of
        the ``n`` events the model classified right after training on all the training
        events and on a tenth of them.
    n : int
        The number of events the models were scored on.
    labels : array_like of int, shape (n,), optional
        Those events' labels: a dotted line marks the accuracy of always answering their
        most common class (the baseline a model must beat; with unequal classes it is
        above one over the number of classes).
    class_names : sequence of str, optional
        Names of the labels, for the baseline's legend entry.
    data : str, default "validation"
        Which events were scored, for the axis label.

    Returns
    -------
    fig : Figure

    Raises
    ------
    TypeError, ValueError
        If a count is not a whole number in [0, n] (as :func:`wilson_interval` says).
    """
    names = list(results)
    fig = new_figure(9, 3.9)
    ax = fig.add_subplot()
    width = 0.8 / len(names)
    for i, name in enumerate(names):
        x = np.arange(2) + (i - (len(names) - 1) / 2) * width
        correct = [results[name]["full"], results[name]["tenth"]]
        accuracy = np.array(correct) / n
        low, high = np.array([wilson_interval(k, n) for k in correct]).T
        ax.errorbar(x, accuracy, yerr=[accuracy - low, high - accuracy], fmt="o",
                    markersize=9, capsize=8, elinewidth=2.5, capthick=2.5,
                    color=OKABE_ITO[i % len(OKABE_ITO)],
                    label=f"{name} ({results[name]['params']:,} parameters)")
        # Percent as lessons_lib.uncertainty.accuracy_text writes it, so the figure and
        # the sentences round alike.
        for xi, k, top in zip(x, correct, high, strict=True):
            ax.annotate(f"{100 * k / n:.1f} %", (xi, top), xytext=(0, 4),
                        textcoords="offset points", ha="center", va="bottom")
    ax.set_xticks(np.arange(2), ["all training events", "a tenth of them"])
    ax.set_xlim(-0.6, 1.6)
    ax.set_ylim(0.4, 1.04)
    ax.yaxis.set_major_formatter(lambda value, _: f"{100 * value:.0f} %")
    ax.set_ylabel(f"{data} accuracy")
    handles, names_shown = ax.get_legend_handles_labels()
    if labels is not None:
        counts = np.bincount(np.asarray(labels, dtype=int))
        majority, share = int(np.argmax(counts)), float(counts.max() / counts.sum())
        name = (f"'{class_names[majority]}'" if class_names is not None
                else "the most common class")
        baseline = ax.axhline(share, color="0.3", linestyle=":", linewidth=2)
        handles.append(baseline)
        names_shown.append(f"always {name}\n({100 * share:.0f} % of the {data} events)")
    # Outside the axes (inside, it would cover the points), clear of the axis labels; the
    # models first, then the baseline.
    fig.legend(handles, names_shown, loc="outside lower center", ncols=2, frameon=False)
    fig.get_layout_engine().set(h_pad=0.1)
    return fig


class TrainingCurvesPlot:
    """Loss and accuracy per epoch, training and validation, redrawn as training goes.

    Attributes
    ----------
    fig : Figure
    lines : dict of str to Line2D
        "loss", "val_loss", "accuracy", "val_accuracy".
    """

    def __init__(self, *, title=""):
        self.fig = new_figure(10, 3.0)
        self.loss_ax, self.accuracy_ax = self.fig.subplots(1, 2)
        self.lines = {}
        for ax, key, label in ((self.loss_ax, "loss", "loss"),
                               (self.accuracy_ax, "accuracy", "accuracy")):
            self.lines[key], = ax.plot([], [], "o-", color=BLUE, label="training")
            self.lines[f"val_{key}"], = ax.plot([], [], "s-", color=ORANGE,
                                                label="validation")
            ax.set_xlabel("epoch")
            ax.set_ylabel(label)
        # One legend beside both panels: inside a short panel it would cover the curves.
        self.fig.legend(handles=[self.lines["loss"], self.lines["val_loss"]],
                        loc="outside right center", frameon=False)
        self.accuracy_ax.set_ylim(0, 1)
        self.loss_ax.set_ylim(0, 1)
        self.fig.suptitle(title)
        self.update({})

    def update(self, history) -> None:
        """Show ``history`` (a :class:`lessons_lib.nn.History` or its ``as_dict()``)."""
        curves = history if isinstance(history, dict) else history.as_dict()
        # Tick labels change width as the curves grow: lay the figure out again (cheap
        # once per epoch) rather than keep the layout of the first, empty, picture.
        lay_out_again(self.fig)
        for key, line in self.lines.items():
            values = curves.get(key, [])
            line.set_data(np.arange(1, len(values) + 1), values)
        epochs = max(len(curves.get("loss", [])), 1)
        for ax in (self.loss_ax, self.accuracy_ax):
            ax.set_xlim(0.5, epochs + 0.5)
            ax.set_xticks(range(1, epochs + 1))
        losses = [v for key in ("loss", "val_loss") for v in curves.get(key, [])]
        if losses:
            self.loss_ax.set_ylim(0, 1.1 * max(losses))


def plot_position_similarity(P, grid, *, patches=((0, 0), (3, 4), (7, 7))):
    """How a learned position embedding relates patches, map by map and by distance.

    Parameters
    ----------
    P : ndarray, shape (rows * cols, E)
        One embedding per patch, row-major (no class token).
    grid : (int, int)
        (rows, cols) of the patch grid.
    patches : sequence of (int, int), default ((0, 0), (3, 4), (7, 7))
        Grid positions whose similarity maps are drawn.

    Returns
    -------
    fig : Figure
        One map per patch in ``patches`` (the cosine similarity of that patch's
        embedding with every patch's, on the grid), then the mean similarity of two
        patches against their distance on the grid (rows + columns apart).
    """
    rows, cols = grid
    P = np.asarray(P, dtype=float)
    unit = P / np.maximum(np.linalg.norm(P, axis=1, keepdims=True), 1e-12)
    similarity = unit @ unit.T
    r, c = np.divmod(np.arange(rows * cols), cols)
    distance = np.abs(r[:, None] - r[None]) + np.abs(c[:, None] - c[None])
    distances = np.arange(1, distance.max() + 1)
    mean = [similarity[distance == d].mean() for d in distances]
    fig = new_figure(min(11.4, 2.3 * len(patches) + 4.5), 3.2)
    axes = fig.subplots(1, len(patches) + 1, width_ratios=[1] * len(patches) + [2.2])
    off_diagonal = similarity[~np.eye(len(P), dtype=bool)]
    limit = float(np.abs(off_diagonal).max()) or 1.0
    for ax, (pr, pc) in zip(axes, patches, strict=False):
        image = ax.imshow(similarity[pr * cols + pc].reshape(rows, cols), cmap="RdBu_r",
                          vmin=-limit, vmax=limit)
        ax.add_patch(Rectangle((pc - 0.5, pr - 0.5), 1, 1, fill=False, edgecolor="black",
                               linewidth=2))
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"row {pr}, col {pc}")
    fig.colorbar(image, ax=axes[: len(patches)], shrink=0.8, label="cosine similarity")
    axes[-1].plot(distances, mean, "o-", color=BLUE, linewidth=2)
    axes[-1].axhline(0, color="0.6", linewidth=1)
    axes[-1].xaxis.set_major_locator(MaxNLocator(integer=True))
    axes[-1].set_xlabel("distance on the grid (rows + columns)")
    axes[-1].set_title("mean similarity of two patches")
    return fig
