"""Figures for lesson 03: pooling windows and their outputs, gradients, shrunken photographs.

Sized for a 1280 x 720 slide at 96 dpi: the matrices keep their numbers at 14 pt, and
each figure leaves room on its slide for a heading, a few lines of text and the code
that draws it.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Rectangle

from lessons_lib.plots import DPI, OKABE_ITO, ORANGE, VERMILLION, lay_out_again, new_figure
from lessons_lib.plots.convolution import (
    _format_number,
    draw_matrix,
    index_ticks,
    set_matrix_text,
)
from lessons_lib.pooling import (
    avg_pool,
    avg_pool_backward,
    max_pool,
    max_pool_backward,
    pooling_windows,
)

# One colour per window (the slides colour the four windows of their example), from the
# course's palette: orange, sky blue, bluish green, reddish purple first.
WINDOW_COLOURS = tuple(OKABE_ITO[i] for i in (0, 1, 2, 6, 4, 5, 3, 7))
# Frames on a red/blue value scale (the gradients) are dark and named by a letter, so that
# no frame can be taken for a value's colour.
FRAME_COLOUR = "0.15"
WINDOW_LETTERS = "abcdefghijklmnopqrstuvwxyz"
MODES = ("max", "average")
CELL = 0.7  # inches per matrix cell: numbers stay readable on a projector
NUMBER_SIZE = 14  # points, the course's body text size, for the numbers in the cells
# Inches of a stepper's height taken by the titles above the matrices, the index ticks
# and the formula below them; the rest, up to STEPPER_HEIGHT, is for the cells. A view's figure may be
# 430 px tall (4.48 inches), but a 1366 x 768 laptop shows only about 418 px of it
# below the controls, and the stepper's slide has text above it.
STEPPER_MARGIN = 1.95
STEPPER_HEIGHT = 4.1


def _colour(number):
    return WINDOW_COLOURS[number % len(WINDOW_COLOURS)]


def _cell(A, height=None):
    """Inches per cell: ``CELL``, smaller for large matrices so the figure fits a slide.

    ``height``, in inches, is what the matrix's rows may take at most.
    """
    cell = min(CELL, 6.0 / max(A.shape))
    return cell if height is None else min(cell, height / A.shape[0])


def _pool(A, size, stride, mode):
    return max_pool(A, size, stride) if mode == "max" else avg_pool(A, size, stride)


def _winner(window):
    """Row and column of the first maximum of ``window`` in row-major order."""
    return divmod(int(np.argmax(window)), window.shape[1])


def _matrix(ax, M, *, index=None, **kwargs):
    """:func:`draw_matrix` with the numbers at the course's text size.

    ``index`` numbers the rows and columns (True), and with a pair of letters, such as
    ``("m", "n")``, also names the two axes; None leaves them bare.
    """
    image, texts = draw_matrix(ax, M, **kwargs)
    for text in () if texts is None else texts.flat:
        text.set_fontsize(NUMBER_SIZE)
    if index is not None:
        index_ticks(ax, np.shape(M), None if index is True else index)
    return image, texts


def _outline(ax, row, col, height, width, colour, *, linewidth=3.0, fill=False, alpha=1.0,
             inset=0.0):
    # Not clipped: a frame on the matrix's border would otherwise lose half its line.
    return ax.add_patch(Rectangle((col - 0.5 + inset, row - 0.5 + inset), width - 2 * inset,
                                  height - 2 * inset, fill=fill,
                                  facecolor=colour if fill else "none", edgecolor=colour,
                                  linewidth=0 if fill else linewidth, alpha=alpha,
                                  clip_on=False))


def _frame_windows(ax, out_shape, size, stride, *, linewidth=2.0, colour=None, labels=False):
    """Frame every window in its colour (or all in ``colour``), each a little inside its cells.

    The inset keeps the frames of neighbouring windows apart; overlapping windows get
    different insets so that each frame can be followed. With ``labels`` each window's
    letter sits on its frame's top-left corner.
    """
    overlap = stride < size
    for number, (m, n) in enumerate(np.ndindex(out_shape)):
        inset = 0.06 + (0.07 * (number % 4) if overlap else 0.0)
        _outline(ax, m * stride, n * stride, size, size, colour or _colour(number),
                 linewidth=linewidth, inset=inset)
        if labels:
            # Centred on the frame's corner, clear of the numbers inside the window.
            _letter(ax, m * stride - 0.5 + inset, n * stride - 0.5 + inset, number,
                    centred=True)


def _letter(ax, y, x, number, *, centred=False):
    """Window ``number``'s letter in a small dark tab at ``(x, y)``: its top-left corner
    there, or its centre with ``centred``."""
    ax.text(x, y, WINDOW_LETTERS[number % len(WINDOW_LETTERS)],
            ha="center" if centred else "left", va="center" if centred else "top",
            fontsize=NUMBER_SIZE, color="white", fontweight="bold", clip_on=False, zorder=5,
            bbox={"boxstyle": "square,pad=0.12", "facecolor": FRAME_COLOUR,
                  "edgecolor": "none"})


def plot_pooling(A, *, size=2, stride=2, mode="max"):
    """An input with its pooling windows coloured, and the pooled output in the same colours.

    Parameters
    ----------
    A : ndarray, shape (H, W)
        A small matrix (up to about 12 x 12), such as the slides' 4 x 4 example.
    size, stride : int, default 2
    mode : {"max", "average"}, default "max"
        With "max" the winning cell of each window is framed.

    Returns
    -------
    fig : Figure
        Two axes: the input and the output.
    """
    A = np.asarray(A, dtype=float)
    out = _pool(A, size, stride, mode)
    # The slides' 4 x 4 example shares its slide with text and two code cells.
    cell = _cell(A, height=2.0)
    # The index ticks and the output's m, n take about 0.5 inch below and left.
    fig = new_figure(cell * (A.shape[1] + max(out.shape[1], 3)) + 1.7, cell * A.shape[0] + 1.9)
    axes = fig.subplots(1, 2, width_ratios=[A.shape[1], max(out.shape[1], 3)])
    _matrix(axes[0], A, cmap="Greys", vmin=A.min(), vmax=A.max() * 2.5, title="input A",
            index=True)
    _matrix(axes[1], out, cmap="Greys", vmin=A.min(), vmax=A.max() * 2.5,
            title=f"{mode} pooled", index=("m", "n"))
    if stride < size:
        _frame_windows(axes[0], out.shape, size, stride)
    for number, (m, n) in enumerate(np.ndindex(out.shape)):
        colour = _colour(number)
        top, left = m * stride, n * stride
        if stride >= size:
            _outline(axes[0], top, left, size, size, colour, fill=True, alpha=0.3)
        _outline(axes[1], m, n, 1, 1, colour, fill=True, alpha=0.3)
        if mode == "max":
            i, j = _winner(A[top:top + size, left:left + size])
            _outline(axes[0], top + i, left + j, 1, 1, colour)
    fig.suptitle(f"{size}×{size} windows, stride {stride}:  {A.shape[0]}×{A.shape[1]} → "
                 f"{out.shape[0]}×{out.shape[1]}", fontsize=15)
    # Room between the figure's title and the panels' titles, which would touch.
    fig.get_layout_engine().set(h_pad=0.12)
    return fig


def plot_pooling_backward(A, dout, *, size=2, stride=2):
    """Where the gradient goes: ``dout``, then ``dA`` for max and for average pooling.

    Parameters
    ----------
    A : ndarray, shape (H, W)
    dout : ndarray, shape (H', W')
    size, stride : int, default 2

    Returns
    -------
    fig : Figure
        Four axes: A, dout, dA (max), dA (average). The three gradients share one
        colour scale centred on zero (red positive, blue negative). Windows are framed
        in dark grey and named by letters (a, b, ... row by row), the same letter on a
        window, its dout cell and where its gradient lands; coloured frames would be
        confused with the values' colours.
    """
    A, dout = np.asarray(A, dtype=float), np.asarray(dout, dtype=float)
    dA_max = max_pool_backward(A, dout, size, stride)
    dA_avg = avg_pool_backward(A, dout, size, stride)
    # Four matrices side by side fit a slide's width at 0.6 inch per cell of the 4 x 4.
    cell = min(_cell(A), 0.55)
    # Room for four columns of row indices, and the column indices below.
    fig = new_figure(cell * (3 * A.shape[1] + max(dout.shape[1], 2)) + 3.2,
                     cell * A.shape[0] + 1.65)
    axes = fig.subplots(1, 4, width_ratios=[A.shape[1], max(dout.shape[1], 2), A.shape[1],
                                            A.shape[1]])
    # One scale for all three: overlapping windows can make dA larger than dout.
    limit = max(float(np.abs(M).max()) for M in (dout, dA_max, dA_avg)) or 1.0
    _matrix(axes[0], A, cmap="Greys", vmin=A.min(), vmax=A.max() * 2.5, title="input A",
            index=True)
    for ax, M, title, index in ((axes[1], dout, "dout", ("m", "n")),
                                (axes[2], dA_max, "dA, max pooling", True),
                                (axes[3], dA_avg, "dA, average pooling", True)):
        _matrix(ax, M, cmap="RdBu_r", vmin=-limit, vmax=limit, title=title, index=index)
    for ax in axes:  # room under the titles for the letters on the top frames
        ax.set_title(ax.get_title(), pad=14)
    for ax in (axes[0], axes[3]):
        _frame_windows(ax, dout.shape, size, stride, colour=FRAME_COLOUR, labels=True)
    for number, (m, n) in enumerate(np.ndindex(dout.shape)):
        top, left = m * stride, n * stride
        _outline(axes[1], m, n, 1, 1, FRAME_COLOUR, inset=0.06)
        _letter(axes[1], m - 0.44, n - 0.44, number)
        i, j = _winner(A[top:top + size, left:left + size])
        for ax in (axes[0], axes[2]):
            _outline(ax, top + i, left + j, 1, 1, "black", linewidth=3.5, inset=0.06)
        _letter(axes[2], top + i - 0.44, left + j - 0.44, number)
    return fig


class PoolingStepperPlot:
    """One step of pooling: the window on the input, the value it keeps, the output so far.

    The figure is built once; :meth:`show` moves the window and fills the output in
    place, so stepping is cheap.

    Parameters
    ----------
    A : ndarray, shape (H, W)
        A small matrix (up to about 12 x 12).
    size, stride : int, default 2
    mode : {"max", "average"}, default "max"

    Attributes
    ----------
    fig : Figure
    output : ndarray, shape (H', W')
        The whole pooled result.
    n_steps : int
        Number of output cells, ``H' * W'``.
    window : Rectangle
        The window on the input.
    chosen : Rectangle
        The cell the window keeps (max); hidden for average pooling.
    cell : Rectangle
        The output cell being computed.
    formula : Text
        The step written out, e.g. ``out[0, 1] = max(2, 4, 9, 3) = 9``.
    """

    def __init__(self, A, *, size=2, stride=2, mode="max"):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        self.A = np.asarray(A, dtype=float)
        self.size, self.stride, self.mode = size, stride, mode
        self.output = _pool(self.A, size, stride, mode)
        self.windows = pooling_windows(self.A, size, stride)
        self.n_steps = self.output.size
        self.step = 0
        H, W = self.A.shape
        cell = _cell(self.A, height=STEPPER_HEIGHT - STEPPER_MARGIN)
        fig = new_figure(cell * (W + max(self.output.shape[1], 3)) + 2.2,
                         cell * H + STEPPER_MARGIN)
        self.fig = fig
        self.axes = fig.subplots(1, 2, width_ratios=[W, max(self.output.shape[1], 3)])
        low, high = self.A.min(), self.A.max() * 2.5
        _matrix(self.axes[0], self.A, cmap="Greys", vmin=low, vmax=high, title="input A",
                index=True)
        blank = np.full(self.output.shape, np.nan)
        self.output_image, self.output_texts = _matrix(
            self.axes[1], blank, cmap="Greys", vmin=low, vmax=high, annotate=True,
            index=("m", "n"),
            title=f"{mode} pooled\n{self.output.shape[0]}×{self.output.shape[1]}")
        self.axes[1].add_patch(Rectangle((-0.5, -0.5), *self.output.shape[::-1], fill=False,
                                         edgecolor="0.6", linewidth=1, clip_on=False))
        self.window = self.axes[0].add_patch(Rectangle((0, 0), size, size, fill=True,
                                                       facecolor=ORANGE, alpha=0.25,
                                                       edgecolor=ORANGE, linewidth=3,
                                                       clip_on=False))
        self.chosen = _outline(self.axes[0], 0, 0, 1, 1, VERMILLION, linewidth=3.5)
        self.chosen.set_visible(mode == "max")
        self.cell = _outline(self.axes[1], 0, 0, 1, 1, ORANGE, linewidth=3.5)
        self.formula = fig.text(0.5, 0.01, "", ha="center", va="bottom", fontsize=NUMBER_SIZE,
                                family="monospace")
        fig.get_layout_engine().set(rect=(0, 0.1, 1, 0.88))
        self.show(0)

    def position(self, step):
        """Output row and column ``(m, n)`` computed at ``step`` (row-major order)."""
        return divmod(int(step), self.output.shape[1])

    def describe(self, step) -> str:
        """The step written out, its window's numbers listed when there are few."""
        m, n = self.position(step)
        window = self.windows[m, n]
        value = _format_number(self.output[m, n])
        if window.size > 9:
            what = "largest" if self.mode == "max" else "mean"
            return f"out[{m}, {n}] = {what} of {window.size} numbers = {value}"
        numbers = ", ".join(_format_number(v) for v in window.ravel())
        if self.mode == "max":
            return f"out[{m}, {n}] = max({numbers}) = {value}"
        return f"out[{m}, {n}] = mean({numbers}) = {value}"

    def show(self, step) -> None:
        """Move the window to ``step`` and fill the output cells up to it."""
        if not 0 <= step < self.n_steps:
            raise ValueError(f"step must be in [0, {self.n_steps - 1}], got {step}")
        self.step = int(step)
        m, n = self.position(step)
        top, left = m * self.stride, n * self.stride
        self.window.set_xy((left - 0.5, top - 0.5))
        i, j = _winner(self.windows[m, n])
        self.chosen.set_xy((left + j - 0.5, top + i - 0.5))
        self.cell.set_xy((n - 0.5, m - 0.5))
        shown = np.full(self.output.shape, np.nan)
        shown.flat[: self.step + 1] = self.output.flat[: self.step + 1]
        self.output_image.set_data(np.ma.masked_invalid(shown))
        set_matrix_text(self.output_image, self.output_texts, shown)
        self.formula.set_text(self.describe(step))


def plot_downsampled(images, *, width=11.0, zoom=None):
    """Images of different sizes side by side, so that their pixels can be compared.

    Parameters
    ----------
    images : dict of str to ndarray, each shape (h, w)
        The first is the reference (the full-size image); the others are shrunken
        versions of it.
    width : float, default 11.0
        In inches, when ``zoom`` is not given; the height follows from the images' shape.
    zoom : int or sequence of int, optional
        Screen pixels per image pixel, one for all images or one per image. Each image is
        then drawn at exactly that size with nearest-neighbour sampling, and the figure
        is sized to hold them: no resampling by the figure, so a fine pattern (a zone
        plate) shows only its own aliasing, not the display's. Without ``zoom`` every
        image is stretched over the same area: the first with anti-aliased resampling,
        the others with nearest-neighbour so that their pixels show.

    Returns
    -------
    fig : Figure
        One axes per image, titled with its name and size.
    """
    names = list(images)
    arrays = [np.asarray(images[name]) for name in names]
    if zoom is not None:
        return _plot_at_zoom(names, arrays, zoom)
    first = arrays[0]
    height, full_width = first.shape
    fig = new_figure(width, width / len(names) * height / full_width + 0.65)
    axes = np.atleast_1d(fig.subplots(1, len(names)))
    for number, (ax, name, image) in enumerate(zip(axes, names, arrays, strict=True)):
        ax.imshow(image, cmap="gray", vmin=0, vmax=1,
                  interpolation="antialiased" if number == 0 else "nearest",
                  extent=(-0.5, full_width - 0.5, height - 0.5, -0.5))
        ax.set_title(f"{name}\n{image.shape[0]}×{image.shape[1]}", fontsize=14)
        ax.set_xticks([])
        ax.set_yticks([])
    return fig


# Margins of a figure laid out in pixels (:func:`_plot_at_zoom`): two lines of 14 pt
# title above the images, a little room on the other sides and between them.
_TITLE_PX, _MARGIN_PX, _GAP_PX = 52, 4, 14


def _plot_at_zoom(names, arrays, zoom):
    """:func:`plot_downsampled` with each image at an integer zoom, axes placed in pixels."""
    zooms = [zoom] * len(arrays) if np.ndim(zoom) == 0 else list(zoom)
    if len(zooms) != len(arrays) or any(int(z) != z or z < 1 for z in zooms):
        raise ValueError(f"zoom must be a positive integer or one per image ({len(arrays)}), "
                         f"got {zoom!r}")
    sizes = [(a.shape[1] * int(z), a.shape[0] * int(z)) for a, z in zip(arrays, zooms,
                                                                       strict=True)]
    titles = [f"{name}\n{image.shape[0]}×{image.shape[1]}" for name, image in zip(
        names, arrays, strict=True)]
    # Each image gets a slot at least as wide as its title, so that no title is cut off.
    slots = [max(w, _text_px(title, 14)) for (w, _), title in zip(sizes, titles, strict=True)]
    width = 2 * _MARGIN_PX + sum(slots) + _GAP_PX * (len(sizes) - 1)
    height = _TITLE_PX + max(h for _, h in sizes) + _MARGIN_PX
    fig = new_figure(width / DPI, height / DPI)
    fig.set_layout_engine("none")
    left = _MARGIN_PX
    for image, title, (w, h), slot in zip(arrays, titles, sizes, slots, strict=True):
        # Whole pixels from the figure's top left, so each image pixel covers exactly
        # zoom x zoom screen pixels.
        bottom = height - _TITLE_PX - h
        x0 = left + (slot - w) // 2
        ax = fig.add_axes((x0 / width, bottom / height, w / width, h / height))
        ax.imshow(image, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(title, fontsize=14)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.spines[:].set_visible(False)
        left += slot + _GAP_PX
    return fig


def _text_px(text: str, size: float) -> int:
    """Width in pixels of the widest line of ``text`` at ``size`` points (at :data:`DPI`)."""
    renderer = RendererAgg(1, 1, DPI)
    font = FontProperties(size=size)
    return math.ceil(max(renderer.get_text_width_height_descent(line, font, ismath=False)[0]
                         for line in text.splitlines()))


class PhotoPoolingPlot:
    """A photograph beside its shrunken version, both drawn over the photograph's area.

    Both panels span the photograph's pixels, so the shrunken photograph's pixels show at
    their true size: each covers the ``factor`` x ``factor`` block it came from, and the
    rows and columns that pooling dropped stay blank. :meth:`update` changes the two
    images in place.

    Parameters
    ----------
    image : ndarray, shape (H, W)
        The photograph, values in [0, 1].
    output : ndarray, shape (H // factor, W // factor)
        Its shrunken version.
    factor : int
        Window size and stride that made ``output``.
    method : str
        How ``output`` was made, for its title (e.g. "max pool").

    Attributes
    ----------
    fig : Figure
    axes : ndarray of Axes, shape (2,)
    input_image, output_image : AxesImage
        The two artists that :meth:`update` changes.
    """

    def __init__(self, image, output, factor, method):
        # Two square panels and their titles, short enough to stay in sight below the
        # controls on a laptop screen.
        fig = new_figure(8.2, 4.2)
        self.fig, self.axes = fig, fig.subplots(1, 2)
        for ax in self.axes:
            ax.set_xticks([])
            ax.set_yticks([])
        self.input_image = self.axes[0].imshow(image, cmap="gray", vmin=0, vmax=1,
                                               interpolation="antialiased")
        self.output_image = self.axes[1].imshow(output, cmap="gray", vmin=0, vmax=1)
        self.update(image, output, factor, method)

    def update(self, image, output, factor, method) -> None:
        """Show a new photograph and shrunken version (of any shapes)."""
        if image.shape != self.input_image.get_array().shape:
            # Another photograph: panels of another shape, titles in other places.
            lay_out_again(self.fig)
        extent = (-0.5, image.shape[1] - 0.5, image.shape[0] - 0.5, -0.5)
        covered = (-0.5, output.shape[1] * factor - 0.5, output.shape[0] * factor - 0.5, -0.5)
        for artist, data, area in ((self.input_image, image, extent),
                                   (self.output_image, output, covered)):
            artist.set_data(data)
            artist.set_extent(area)
        for ax in self.axes:
            ax.set_xlim(extent[:2])
            ax.set_ylim(extent[2:])
        self.axes[0].set_title(f"photograph  {image.shape[0]}×{image.shape[1]}")
        self.axes[1].set_title(f"{method}  {output.shape[0]}×{output.shape[1]}")


def plot_translation(A, moved, *, size=2, stride=2):
    """A matrix and its translated copy, before and after max pooling, changes framed in red.

    Parameters
    ----------
    A, moved : ndarray, shape (H, W)
        Up to about 8 x 9 cells (the figure matrix); a smaller matrix, such as the
        slides' 4 x 4 example, gets larger cells.
    size, stride : int, default 2

    Returns
    -------
    fig : Figure
        Four axes in a row: A, moved, their max-pooled versions, every row and column
        numbered (the pooled ones by m and n).
    """
    A, moved = np.asarray(A, dtype=float), np.asarray(moved, dtype=float)
    pooled, pooled_moved = max_pool(A, size, stride), max_pool(moved, size, stride)
    # One row, so that the figure stays short enough for its slide's text and code. The
    # pooled matrices get wider slots than their cells need, for their three-line titles,
    # but never so wide that they would be drawn taller than the input.
    tallest = A.shape[0] * pooled.shape[1] / pooled.shape[0]
    slots = [A.shape[1], A.shape[1]] + [min(max(pooled.shape[1], 5.0), tallest)] * 2
    cell = min(0.55, 9.0 / sum(slots))  # inches per input cell
    fig = new_figure(sum(slots) * cell + 2.4, cell * A.shape[0] + 1.7)
    axes = fig.subplots(1, 4, width_ratios=slots)
    # Gaps between the panels: side by side, the input and its translated copy would
    # otherwise read as one wide matrix.
    # The last title is wider than its matrix: a margin on the right keeps it whole.
    fig.get_layout_engine().set(wspace=0.08, rect=(0, 0, 0.985, 1))
    panels = ((A, A, "input", True), (moved, A, "translated", True),
              (pooled, pooled, "max pooled", ("m", "n")),
              (pooled_moved, pooled, "max pooled,\ntranslated", ("m", "n")))
    for ax, (M, reference, title, index) in zip(axes, panels, strict=True):
        changed = int(np.sum(M != reference))
        suffix = f"\n{changed} of {M.size} changed" if M is not reference else ""
        _matrix(ax, M, cmap="Greys", vmin=0, vmax=max(2.5, 1.25 * float(A.max())),
                title=title + suffix, index=index)
        ax.add_patch(Rectangle((-0.5, -0.5), M.shape[1], M.shape[0], fill=False,
                               edgecolor="0.45", linewidth=1.5, clip_on=False))
        for r, c in zip(*np.nonzero(M != reference), strict=True):
            _outline(ax, r, c, 1, 1, OKABE_ITO[5], linewidth=2.5)
    return fig
