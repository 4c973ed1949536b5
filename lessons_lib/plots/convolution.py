"""Figures for lesson 01: matrices with their numbers, a convolution step, filtered photographs."""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Rectangle

from lessons_lib.convolution import correlate, pad
from lessons_lib.plots import (
    BLUE,
    DPI,
    MAX_FIGURE_PX,
    MIN_FONT_PT,
    OKABE_ITO,
    ORANGE,
    lay_out_again,
    new_figure,
)

OKABE_ORANGE = OKABE_ITO[0]
# Matrices up to this many rows and columns are drawn with their numbers written in.
ANNOTATE_LIMIT = 16
#: The width of a figure that spans a slide, in inches (1100 px at 96 dpi).
FULL_WIDTH = MAX_FIGURE_PX[0] / DPI


def _format_number(value: float) -> str:
    """Short, exact-looking numbers: 3 not 3.0, 0.33 not 0.3333333, −1 with a real minus."""
    rounded = round(float(value), 2)
    if rounded == 0:
        return "0"
    return f"{rounded:g}".replace("-", "−")


def _factor(value: float) -> str:
    """A number as a factor of a product: negative ones in brackets, (−1)·0."""
    text = _format_number(value)
    return f"({text})" if text.startswith("−") else text


def describe_filter(h) -> str:
    """Size, and the weights when they are all equal (a box filter: "all 1/9").

    Examples
    --------
    >>> describe_filter(np.full((3, 3), 1 / 9))
    '3×3, all 1/9'
    >>> describe_filter(np.eye(3))
    '3×3, weights 0 … 1'
    """
    h = np.asarray(h, dtype=float)
    shape = "×".join(str(k) for k in h.shape)
    first = h.flat[0]
    if np.all(h == first) and first != 0 and abs(1 / first - round(1 / first)) < 1e-9:
        return f"{shape}, all 1/{round(1 / first)}"
    return f"{shape}, weights {_format_number(h.min())} … {_format_number(h.max())}"


def output_colours(C, h):
    """How to colour a filter's output: grey for filters that keep brightness (weights
    summing to 1), red/blue around zero for detectors (weights summing to 0).

    Returns
    -------
    cmap : str
    limits : tuple of float
    """
    C = np.asarray(C, dtype=float)
    # In a photograph a few extreme pixels would stretch the scale and flatten the
    # rest: use the 0.5 and 99.5 percentiles there, the exact range for small matrices.
    tail = 0.5 if C.size > ANNOTATE_LIMIT**2 else 0.0
    if abs(float(np.sum(h))) < 1e-9:
        bound = float(np.percentile(np.abs(C), 100 - tail)) or 1.0
        return "RdBu_r", (-bound, bound)
    low, high = (float(v) for v in np.percentile(C, [tail, 100 - tail]))
    return "gray", (low, high if high > low else low + 1.0)


def draw_matrix(ax, M, *, cmap="Greys", vmin=None, vmax=None, annotate=None, title=None,
                ticks=None, first_index=(0, 0)):
    """Draw ``M`` as a grid of cells, with each cell's value written in when small.

    Parameters
    ----------
    ax : matplotlib Axes
    M : ndarray, shape (rows, cols)
        NaN cells are left blank (an output not computed yet).
    cmap : str, default "Greys"
    vmin, vmax : float, optional
        Colour limits; default the finite minimum and maximum of ``M``.
    annotate : bool, optional
        Write the numbers in; default when both sides are at most 16.
    title : str, optional
    ticks : None, True or (str, str), default None
        Opt-in index ticks (see :func:`index_ticks`): True numbers the rows and
        columns; a pair of letters, such as ("m", "n") or ("i", "j"), also names the
        two axes. None draws no ticks.
    first_index : (int, int), default (0, 0)
        The index of the top-left cell when ``ticks`` is set: (−ω, −ω) for a filter's
        offsets, (−p, −p) for an input padded by p.

    Returns
    -------
    image : AxesImage
    texts : ndarray of Text or None, shape (rows, cols)
    """
    M = np.asarray(M, dtype=float)
    finite = M[np.isfinite(M)]
    vmin = float(finite.min()) if vmin is None and finite.size else vmin
    vmax = float(finite.max()) if vmax is None and finite.size else vmax
    if vmin is not None and vmax is not None and vmin == vmax:
        vmin, vmax = vmin - 1.0, vmax + 1.0
    image = ax.imshow(np.ma.masked_invalid(M), cmap=cmap, vmin=vmin, vmax=vmax)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.spines[:].set_visible(False)
    if title:
        ax.set_title(title)
    if ticks is not None:
        index_ticks(ax, M.shape, None if ticks is True else ticks, first_index)
    if annotate is None:
        annotate = max(M.shape) <= ANNOTATE_LIMIT
    texts = None
    if annotate:
        texts = np.empty(M.shape, dtype=object)
        for r, c in np.ndindex(*M.shape):
            texts[r, c] = ax.text(c, r, "", ha="center", va="center", fontsize=MIN_FONT_PT)
        set_matrix_text(image, texts, M)
    return image, texts


def tick_step(size: int, most: int = 6) -> int:
    """Distance between index ticks along an axis of ``size`` cells: 1 up to 16 cells
    (up to ``3 * most`` cells if that is fewer), else the smallest of 2, 5, 10, 20, 50,
    100, 200, ... that leaves at most ``most`` ticks.

    Examples
    --------
    >>> tick_step(9), tick_step(101), tick_step(512), tick_step(512, most=3)
    (1, 20, 100, 200)
    >>> tick_step(11), tick_step(11, most=3)
    (1, 5)
    """
    if size <= min(ANNOTATE_LIMIT, 3 * most):
        return 1
    step, factors = 1, (2, 2.5, 2)  # 1, 2, 5, 10, 20, 50, 100, 200, ...
    for turn in range(60):
        if size / step <= most:
            break
        step = round(step * factors[turn % 3])
    return step


def index_ticks(ax, shape, names=None, first_index=(0, 0), *, most=6) -> None:
    """Label the rows and columns of a matrix drawn by :func:`draw_matrix` by their index.

    Every index on an axis of up to 16 cells, else round indices :func:`tick_step`
    apart (sparse ticks on a photograph), or only −ω, 0 and ω on a large centred
    filter. Negative indices are written with a real minus sign.

    Parameters
    ----------
    ax : matplotlib Axes
    shape : (int, int)
        Rows and columns of the matrix, whose cell (r, c) is drawn at x = c, y = r.
    names : (str, str), optional
        Letters of the row and the column index, written as axis labels ("m", "n").
    first_index : (int, int), default (0, 0)
        The index of the top-left cell: (−ω, −ω) for the offsets of a filter of K × K
        taps, ω = (K − 1) / 2.
    most : int, default 6
        At most this many ticks on a large axis (3 for a small panel).
    """
    for axis, size, first in ((ax.yaxis, shape[0], first_index[0]),
                              (ax.xaxis, shape[1], first_index[1])):
        step = tick_step(size, most)
        if step > 1 and first == -((size - 1) // 2):
            # A large centred filter: its ends and centre, −ω, 0 and ω, say what ω is.
            labels = [first, 0, first + size - 1]
        else:
            # Round indices (multiples of the step) wherever the axis starts.
            labels = [k for k in range(first, first + size) if k % step == 0]
        axis.set_ticks([k - first for k in labels],
                       [_format_number(k) for k in labels])
    ax.tick_params(length=3, pad=2, labelsize=MIN_FONT_PT)
    if names is not None:
        # Upright: a rotated "i" reads as a minus sign.
        ax.set_ylabel(names[0], labelpad=6, rotation=0, ha="right", va="center")
        ax.set_xlabel(names[1], labelpad=1)


def set_matrix_text(image, texts, M) -> None:
    """Write ``M``'s values into ``texts``, dark on light cells and light on dark ones."""
    norm, cmap = image.norm, image.get_cmap()
    for (r, c), value in np.ndenumerate(M):
        if not np.isfinite(value):
            texts[r, c].set_text("")
            continue
        luminance = np.dot(cmap(norm(value))[:3], [0.299, 0.587, 0.114])
        texts[r, c].set_text(_format_number(value))
        texts[r, c].set_color("white" if luminance < 0.5 else "black")


def plot_matrix(M, *, title=None, cmap="Greys", size=None, padding=(0, 0), ticks=("m", "n")):
    """One matrix, every number written in (the slides' way of showing the figure).

    Parameters
    ----------
    M : ndarray, shape (rows, cols)
    title : str, optional
    cmap : str, default "Greys"
    size : float, optional
        Inches per cell; default 0.45, or less for a matrix of more than 8 rows, so that
        the figure is never taller than 4.4 inches (room for a heading, a line of text
        and two of code on a slide).
    padding : tuple of 2 int, default (0, 0)
        Rows and columns of padding on each side of ``M``: drawn hatched, with the
        original matrix framed. The index ticks then count from −padding, so that the
        original cells keep their indices.
    ticks : None, True or (str, str), default ("m", "n")
        Index ticks and the letters of the row and column index (see
        :func:`draw_matrix`); None for none.

    Returns
    -------
    fig : Figure
    """
    M = np.asarray(M, dtype=float)
    if size is None:
        size = min(0.45, 3.6 / M.shape[0])
    extra = 0.0 if ticks is None else 0.45  # tick labels and axis letters
    fig = new_figure(max(2.5, size * M.shape[1] + 0.4 + extra), size * M.shape[0] + 0.8 + extra)
    ax = fig.add_subplot()
    draw_matrix(ax, M, cmap=cmap, title=title, ticks=ticks,
                first_index=(-padding[0], -padding[1]))
    if any(padding):
        draw_padding(ax, M.shape, padding)
    return fig


def draw_padding(ax, padded_shape, widths):
    """Hatch the padding cells of a padded matrix and frame the original inside it."""
    rows, cols = padded_shape
    ax.add_patch(Rectangle((widths[1] - 0.5, widths[0] - 0.5), cols - 2 * widths[1],
                           rows - 2 * widths[0], fill=False, edgecolor=BLUE, linewidth=2))
    for r, c in np.ndindex(rows, cols):
        inside = widths[0] <= r < rows - widths[0] and widths[1] <= c < cols - widths[1]
        if not inside:
            ax.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, hatch="//",
                                   edgecolor=BLUE, linewidth=0, alpha=0.35))


def _kernel_limits(h):
    """Symmetric colour limits, so that zero is white and the sign reads as red/blue."""
    bound = float(np.max(np.abs(h))) or 1.0
    return -bound, bound


def plot_correlation(A, h, C, *, titles=("input A", "filter h", "output C = A ⊛ h"),
                     ticks=True, show_input=True):
    """Input, filter and output side by side.

    Parameters
    ----------
    A : ndarray, shape (H, W)
    h : ndarray, shape (K_h, K_w)
        Odd sizes when ``ticks`` is set: its ticks are the offsets −ω … ω.
    C : ndarray, shape (H', W')
    titles : tuple of 3 str
    ticks : bool, default True
        Index ticks: A's rows and columns, the filter's offsets ``i``, ``j`` from −ω to
        ω (ω = (K − 1) / 2), and the output's ``m``, ``n`` from 0; sparse on a
        photograph or a large filter.
    show_input : bool, default True
        False leaves ``A`` out (a slide that already showed it): two axes, h and C.

    Returns
    -------
    fig : Figure
        Three axes, in the order A, h, C (two without A).
    """
    A, h, C = (np.asarray(x, dtype=float) for x in (A, h, C))
    small = max(A.shape) <= ANNOTATE_LIMIT
    # Small matrices get up to 0.45 inch per row, room for a number like 0.56 at 14 pt,
    # and 0.9 inch for the titles (the filter's takes two lines), 0.45 for the ticks.
    extra = 0.45 if ticks else 0.0
    fig = new_figure(FULL_WIDTH if show_input else 0.7 * FULL_WIDTH,
                     4.2 if not small else min(0.45 * A.shape[0], 3.6) + 0.9 + extra)
    ratios = [A.shape[1], max(h.shape[1], A.shape[1] / 3), C.shape[1]]
    axes = fig.subplots(1, len(ratios) if show_input else 2,
                        width_ratios=ratios if show_input else ratios[1:])
    cmap = "Greys" if small else "gray"
    omega = tuple((k - 1) // 2 for k in h.shape)
    if show_input:
        draw_matrix(axes[0], A, cmap=cmap, title=f"{titles[0]}  {A.shape[0]}×{A.shape[1]}",
                    ticks=True if ticks else None)
    else:
        axes = [None, *axes]
    kmin, kmax = _kernel_limits(h)
    draw_matrix(axes[1], h, cmap="RdBu_r", vmin=kmin, vmax=kmax, annotate=max(h.shape) <= 7,
                title=f"{titles[1]}\n{describe_filter(h)}")
    if ticks:
        # Beside a photograph the filter's panel is narrow: −ω, 0, ω only for K > 9.
        index_ticks(axes[1], h.shape, ("i", "j"), (-omega[0], -omega[1]),
                    most=6 if small else 3)
    out_cmap, (low, high) = output_colours(C, h)
    draw_matrix(axes[2], C, cmap=cmap if out_cmap == "gray" else out_cmap, vmin=low, vmax=high,
                title=f"{titles[2]}  {C.shape[0]}×{C.shape[1]}",
                ticks=("m", "n") if ticks else None)
    return fig


#: Height of the stepper's figure in inches (413 px, a view may have 430): with its two
#: rows of controls, a heading and a line of text it fits a 720 px slide.
STEPPER_HEIGHT = 4.3
# What is left of it for the matrices, below their titles and above the formula.
MATRIX_HEIGHT = 3.5


class StepperPlot:
    """One step of a 2-D correlation: the window on the (padded) input, its products, the output.

    The figure is built once; :meth:`show` moves the window and fills the output
    in place, so stepping is cheap.

    Parameters
    ----------
    A : ndarray, shape (H, W)
        A small matrix (up to 16 x 16), such as the slides' figure matrix.
    h : ndarray, shape (kh, kw)
    stride : int, default 1
    edges : {"none", "zero", "reflect", "replicate", "wrap"}, default "none"

    Attributes
    ----------
    fig : Figure
    padded : ndarray, shape (H + 2 ω, W + 2 ω)
        The input as the filter sees it; padding cells are drawn hatched.
    output : ndarray, shape (H', W')
        The full result of ``correlate(A, h, stride=stride, edges=edges)``.
    n_steps : int
        Number of output cells, ``H' * W'``.
    window : Rectangle
        The highlighted window on the padded input.
    formula : Text
        The products and their sum for the current step.
    """

    def __init__(self, A, h, *, stride=1, edges="none"):
        self.h = np.asarray(h, dtype=float)
        self.stride = stride
        self.output = correlate(A, self.h, stride=stride, edges=edges)
        widths = (0, 0) if edges == "none" else tuple((k - 1) // 2 for k in self.h.shape)
        self.padded = pad(np.asarray(A, dtype=float), widths, edges)
        self.n_steps = self.output.size
        self.step = 0

        # The output gets a frame of at least 6 x 7 cells (the figure matrix's output):
        # with stride 2 or 3 its few cells stay the size of the others, not huge.
        frame = (max(self.output.shape[0], 6), max(self.output.shape[1], 7))
        # Output cells at least 0.55 inch wide, for a number like 0.56 at 14 pt: an
        # output of more than 6 rows gets cells wider than tall.
        out_aspect = min(1.0, MATRIX_HEIGHT / frame[0] / 0.55)
        # Panels of equal height, each as wide as its matrix needs; 0.7 of the height
        # is enough for the 3 x 3 filter.
        fig = new_figure(FULL_WIDTH, STEPPER_HEIGHT)
        axes = fig.subplots(1, 3, width_ratios=[
            self.padded.shape[1] / self.padded.shape[0], 0.7,
            frame[1] / frame[0] / out_aspect])
        self.fig, self.axes = fig, axes
        padded = any(widths)
        # Ticks: A's own indices (the padding from −ω), the filter's offsets, and the
        # output's (m, n) from 0, so that C[m, n] of the products line can be found.
        draw_matrix(axes[0], self.padded, cmap="Greys", vmin=min(0, self.padded.min()),
                    title=f"input A, padded ({edges})" if padded else "input A",
                    ticks=True, first_index=(-widths[0], -widths[1]))
        if padded:
            draw_padding(axes[0], self.padded.shape, widths)
        kmin, kmax = _kernel_limits(self.h)
        draw_matrix(axes[1], self.h, cmap="RdBu_r", vmin=kmin, vmax=kmax,
                    title=f"filter h ({self.h.shape[0]}×{self.h.shape[1]})", ticks=("i", "j"),
                    first_index=tuple(-((k - 1) // 2) for k in self.h.shape))
        blank = np.full(self.output.shape, np.nan)
        out_cmap, (low, high) = output_colours(self.output, self.h)
        if out_cmap == "gray":
            out_cmap, low, high = "Greys", min(0.0, low), max(high, 1.0)
        self.output_image, self.output_texts = draw_matrix(
            axes[2], blank, cmap=out_cmap, vmin=low, vmax=high,
            annotate=True, title=f"output C ({self.output.shape[0]}×{self.output.shape[1]})",
            ticks=("m", "n"))
        axes[2].set_aspect(out_aspect)
        axes[2].set_xlim(-0.5, frame[1] - 0.5)
        axes[2].set_ylim(frame[0] - 0.5, -0.5)
        # The cells not computed yet are blank: a frame shows the output's size.
        axes[2].add_patch(Rectangle((-0.5, -0.5), *self.output.shape[::-1], fill=False,
                                    edgecolor="0.6", linewidth=1, clip_on=False))
        self.window = axes[0].add_patch(Rectangle((0, 0), 1, 1, fill=False, edgecolor=ORANGE,
                                                  linewidth=3.5))
        self.cell = axes[2].add_patch(Rectangle((0, 0), 1, 1, fill=False, edgecolor=ORANGE,
                                                linewidth=3.5))
        # One line across the figure: nine products fit at 14 pt in a proportional font.
        self.formula = fig.text(0.5, 0.015, "", ha="center", va="bottom", fontsize=MIN_FONT_PT)
        fig.get_layout_engine().set(rect=(0, 0.08, 1, 0.92))
        self.show(0)

    def position(self, step):
        """Output row and column ``(m, n)`` computed at ``step`` (row-major order)."""
        return divmod(int(step), self.output.shape[1])

    def products(self, step):
        """The element-wise products h · window for ``step``: shape (kh, kw)."""
        m, n = self.position(step)
        kh, kw = self.h.shape
        top, left = m * self.stride, n * self.stride
        return self.h * self.padded[top:top + kh, left:left + kw]

    def describe(self, step) -> str:
        """The step as a sum of products, written out when the filter is small."""
        m, n = self.position(step)
        terms = self.products(step)
        value = self.output[m, n]
        kh, kw = self.h.shape
        top, left = m * self.stride, n * self.stride
        window = self.padded[top:top + kh, left:left + kw]
        if self.h.size <= 9:
            parts = " + ".join(f"{_factor(a)}·{_factor(b)}"
                               for a, b in zip(self.h.ravel(), window.ravel(), strict=True))
            return f"C[{m}, {n}] = {parts} = {_format_number(value)}"
        return f"C[{m}, {n}] = sum of {terms.size} products h·A = {_format_number(value)}"

    def show(self, step) -> None:
        """Move the window to ``step`` and fill the output cells up to it."""
        if not 0 <= step < self.n_steps:
            raise ValueError(f"step must be in [0, {self.n_steps - 1}], got {step}")
        self.step = int(step)
        m, n = self.position(step)
        kh, kw = self.h.shape
        self.window.set_xy((n * self.stride - 0.5, m * self.stride - 0.5))
        self.window.set_width(kw)
        self.window.set_height(kh)
        self.cell.set_xy((n - 0.5, m - 0.5))
        shown = np.full(self.output.shape, np.nan)
        shown.flat[: self.step + 1] = self.output.flat[: self.step + 1]
        self.output_image.set_data(np.ma.masked_invalid(shown))
        set_matrix_text(self.output_image, self.output_texts, shown)
        self.formula.set_text(self.describe(step))


class ExplorerPlot:
    """A photograph, a filter and the filtered photograph, updated in place.

    The output is drawn at the photograph's scale, one output pixel as large as one
    input pixel and centred in a frame the size of the input: an output that lost a
    border, or was shrunk by a stride, looks as much smaller as it is.

    Parameters
    ----------
    image : ndarray, shape (H, W)
    kernel : ndarray, shape (kh, kw)
    output : ndarray, shape (H', W')

    Attributes
    ----------
    fig : Figure
    input_image, kernel_image, output_image : AxesImage
        The three artists that :meth:`update` changes.
    frame : Rectangle
        The input's outline in the output's panel.
    """

    def __init__(self, image, kernel, output):
        fig = new_figure(FULL_WIDTH, 4.2)
        self.fig, self.axes = fig, fig.subplots(1, 3, width_ratios=[1, 0.8, 1])
        for ax in self.axes:
            ax.set_xticks([])
            ax.set_yticks([])
            ax.spines[:].set_visible(False)
        # Resampling the data rather than the colours is a third of the drawing time of a
        # photograph; with nearest-neighbour display both give the same picture.
        self.input_image = self.axes[0].imshow(image, cmap="gray", vmin=0, vmax=1,
                                               interpolation_stage="data")
        self.kernel_image = self.axes[1].imshow(kernel, cmap="RdBu_r", interpolation_stage="data")
        self.output_image = self.axes[2].imshow(output, cmap="gray", interpolation_stage="data")
        self.frame = self.axes[2].add_patch(Rectangle((0, 0), 1, 1, fill=False,
                                                      edgecolor="0.55", linewidth=1.2,
                                                      linestyle="--", clip_on=False))
        self.update(image, kernel, output)

    def update(self, image, kernel, output) -> None:
        """Show new arrays (of any shape) in the three panels."""
        if image.shape != self.input_image.get_array().shape:
            # Another photograph: panels of another shape, tick labels of another width.
            lay_out_again(self.fig)
        for artist, data in ((self.input_image, image), (self.kernel_image, kernel)):
            artist.set_data(data)
            artist.set_extent((-0.5, data.shape[1] - 0.5, data.shape[0] - 0.5, -0.5))
        # The output centred on the input's area, at the input's scale.
        top, left = ((size - out) / 2 for size, out in zip(image.shape, output.shape,
                                                           strict=True))
        self.output_image.set_data(output)
        self.output_image.set_extent((left - 0.5, left + output.shape[1] - 0.5,
                                      top + output.shape[0] - 0.5, top - 0.5))
        self.frame.set_bounds(-0.5, -0.5, image.shape[1], image.shape[0])
        for ax, data in zip(self.axes, (image, kernel, image), strict=True):
            ax.set_xlim(-0.5, data.shape[1] - 0.5)
            ax.set_ylim(data.shape[0] - 0.5, -0.5)
        # Sparse indices on the photograph, −ω, 0, ω on a large filter; the output is
        # drawn in the photograph's frame, where its own indices would mislead.
        index_ticks(self.axes[0], image.shape, most=5)
        index_ticks(self.axes[1], kernel.shape,
                    first_index=tuple(-((k - 1) // 2) for k in kernel.shape), most=3)
        self.kernel_image.set_clim(*_kernel_limits(kernel))
        cmap, limits = output_colours(output, kernel)
        self.output_image.set_cmap(cmap)
        self.output_image.set_clim(*limits)
        self.axes[0].set_title(f"input {image.shape[0]}×{image.shape[1]}")
        # Two lines: "weights −1 … 10" beside the size would run into the output panel.
        self.axes[1].set_title("filter " + describe_filter(kernel).replace(", ", "\n", 1))
        self.axes[2].set_title(f"output {output.shape[0]}×{output.shape[1]}")


def plot_gallery(images, *, ncols=4, cmap="gray", width=FULL_WIDTH, annotate=None,
                 symmetric=False, percentiles=None, ticks=None, first_index=(0, 0)):
    """Several images (or small matrices) side by side, each titled by its key.

    Parameters
    ----------
    images : dict of str to ndarray, each shape (H, W)
    ncols : int, default 4
    cmap : str, default "gray"
    width : float, default :data:`FULL_WIDTH`
        Figure width in inches (at most 11.46, 1100 px); the height follows from the grid.
    annotate : bool, optional
        Write numbers into cells (default: only for matrices up to 16 x 16).
    symmetric : bool, default False
        Colour limits ±max|value| for each image, so that zero sits in the middle of
        a diverging colour map (for signed filters and responses).
    percentiles : (float, float), optional
        Clip each image's colour range to these percentiles of its values, for example
        (1, 99): a few extreme pixels then do not wash the rest out to one grey. An
        image with negative values (a detector's response) gets limits symmetric around
        zero, ± the upper percentile of its absolute values.
    ticks : None, True or (str, str), default None
        Index ticks on every image (see :func:`draw_matrix`), sparse on photographs.
    first_index : (int, int), default (0, 0)
        Index of the top-left cell of every image: (−ω, −ω) for filters.

    Returns
    -------
    fig : Figure
        One axes per image, in the order of ``images``.
    """
    names = list(images)
    ncols = min(ncols, len(names))
    nrows = -(-len(names) // ncols)
    first = np.asarray(images[names[0]])
    aspect = first.shape[0] / first.shape[1]
    below = 0.5 if ticks is None else 0.95  # title, and tick labels with their letters
    fig = new_figure(width, nrows * (width / ncols) * aspect + below * nrows)
    axes = np.atleast_1d(fig.subplots(nrows, ncols)).ravel()
    for ax, name in zip(axes, names, strict=False):
        if percentiles is not None:
            limits = _percentile_limits(images[name], percentiles)
        else:
            limits = _kernel_limits(images[name]) if symmetric else (None, None)
        draw_matrix(ax, images[name], cmap=cmap, annotate=annotate, title=name,
                    vmin=limits[0], vmax=limits[1])
        if ticks is not None:
            # Panels under 3 inches have room for three numbers along a photograph.
            index_ticks(ax, np.shape(images[name]), None if ticks is True else ticks,
                        first_index, most=3 if width / ncols < 3 else 6)
    for ax in axes[len(names):]:
        ax.set_visible(False)
    return fig


def _percentile_limits(M, percentiles):
    """Colour limits at ``percentiles`` of ``M``; symmetric around 0 if ``M`` is signed."""
    M = np.asarray(M, dtype=float)
    low, high = percentiles
    if M.min() < 0:
        bound = float(np.percentile(np.abs(M), high)) or 1.0
        return -bound, bound
    vmin, vmax = (float(v) for v in np.percentile(M, [low, high]))
    return vmin, (vmax if vmax > vmin else vmin + 1.0)


def plot_edge_modes(outputs, input_shape, *, corner=(48, 96)):
    """A filtered photograph for each edge mode, at true scale, with a zoomed corner.

    Parameters
    ----------
    outputs : dict of str to ndarray, each shape (H', W')
        Edge mode → output. An output smaller than the input (edges "none") is drawn
        centred in the input's area, at the input's scale, so it looks as much smaller
        as it is.
    input_shape : (int, int)
        (H, W) of the input.
    corner : (int, int), default (48, 96)
        Rows and columns of the input's top-left corner shown enlarged under each
        output, where the padding decides the border (outlined on the outputs).

    Returns
    -------
    fig : Figure
        Two rows: the outputs, titled with their sizes, then their corners.
    """
    names = list(outputs)
    H, W = input_shape
    rows, cols = corner
    columns = len(names)
    panel = min((FULL_WIDTH - 0.3) / columns, 2.25)  # inches per output, 5 to a row
    fig = new_figure(FULL_WIDTH, panel * H / W + panel * rows / cols + 0.6)
    axes = fig.subplots(2, columns, height_ratios=[H / W, rows / cols])
    for column, name in enumerate(names):
        C = np.asarray(outputs[name], dtype=float)
        top, left = (H - C.shape[0]) / 2, (W - C.shape[1]) / 2
        extent = (left - 0.5, left + C.shape[1] - 0.5, top + C.shape[0] - 0.5, top - 0.5)
        full, zoom = axes[0, column], axes[1, column]
        for ax in (full, zoom):
            ax.imshow(C, cmap="gray", vmin=0, vmax=1, extent=extent,
                      interpolation="antialiased" if ax is full else "nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.spines[:].set_visible(True)
            ax.spines[:].set_color("0.55")
        full.set(xlim=(-0.5, W - 0.5), ylim=(H - 0.5, -0.5))
        full.set_title(f"{name}: {C.shape[0]}×{C.shape[1]}")
        full.add_patch(Rectangle((-0.5, -0.5), cols, rows, fill=False, edgecolor=OKABE_ORANGE,
                                 linewidth=2))
        zoom.set(xlim=(-0.5, cols - 0.5), ylim=(rows - 0.5, -0.5))
        for spine in zoom.spines.values():
            spine.set_color(OKABE_ORANGE)
            spine.set_linewidth(2)
    axes[1, 0].set_ylabel("corner", labelpad=4)
    return fig


def plot_border_crops(images, regions, *, width=FULL_WIDTH):
    """Enlarged crops of the same regions of several images: what each edge mode puts
    at the border, large enough to see on a projector.

    Parameters
    ----------
    images : dict of str to ndarray, each shape (H', W') with H' <= H, W' <= W
        Name → image. The first one fixes the input's shape (H, W); a smaller image
        (an output with edges "none") is placed centred in it, the cells it lacks
        left blank. Grey levels between 0 and 1.
    regions : dict of str to (int, int, int, int)
        Name → (top, left, rows, cols) of a region of the input; all regions the same
        size.
    width : float, default :data:`FULL_WIDTH`
        Figure width in inches.

    Returns
    -------
    fig : Figure
        One row per region, one column per image; ticks give the input's row and
        column indices, so a crop can be found in the full picture.
    """
    names = list(images)
    H, W = np.asarray(images[names[0]]).shape
    boxes = list(regions.values())
    rows, cols = boxes[0][2], boxes[0][3]
    below = 0.75  # title and tick labels of each row
    # As wide as asked, unless the rows of crops would not fit 5.5 inches in height.
    panel = min(width / len(names), (5.5 / len(boxes) - below) * cols / rows)
    fig = new_figure(panel * len(names), len(boxes) * (panel * rows / cols + below))
    axes = np.atleast_2d(fig.subplots(len(boxes), len(names), squeeze=False))
    for column, name in enumerate(names):
        C = np.asarray(images[name], dtype=float)
        canvas = np.full((H, W), np.nan)
        top, left = (H - C.shape[0]) // 2, (W - C.shape[1]) // 2
        canvas[top:top + C.shape[0], left:left + C.shape[1]] = C
        for row, (region, (r0, c0, r, c)) in enumerate(regions.items()):
            ax = axes[row, column]
            # The image names its column, the region its row: short titles fit above
            # narrow crops.
            draw_matrix(ax, canvas[r0:r0 + r, c0:c0 + c], cmap="gray", vmin=0, vmax=1,
                        annotate=False, title=name if row == 0 else None)
            if column == 0:
                ax.set_ylabel(region)
            # A short crop has room for three row numbers at 14 pt.
            index_ticks(ax, (r, c), first_index=(r0, c0), most=3)
            ax.spines[:].set_visible(True)
            ax.spines[:].set_color("0.55")
    return fig


def plot_line_pixels(A, detected, *, width=FULL_WIDTH, ticks=("m", "n")):
    """The pixels where a detector found a line, coloured over the input.

    Parameters
    ----------
    A : ndarray, shape (H, W)
        The input (a small matrix or a photograph, grey levels from 0 up).
    detected : dict of str to ndarray of bool, each shape (H, W)
        Detector name → its line pixels (:func:`lessons_lib.filters.line_pixels`).
    width : float, default :data:`FULL_WIDTH`
    ticks : None, True or (str, str), default ("m", "n")
        Index ticks (sparse on a photograph).

    Returns
    -------
    fig : Figure
        One panel per detector, titled with its name and its number of line pixels:
        the input dimmed in grey, the line pixels in orange.
    """
    A = np.asarray(A, dtype=float)
    names = list(detected)
    # Panels side by side, none taller than 4.3 inches (with its title, a slide's room).
    panel = min(width / len(names), 4.3 * A.shape[1] / A.shape[0])
    small = max(A.shape) <= ANNOTATE_LIMIT
    # Room for the title, and for tick labels (and the letters naming the axes).
    below = 0.5 if ticks is None else 0.7 if ticks is True else 0.95
    fig = new_figure(panel * len(names), panel * A.shape[0] / A.shape[1] + below)
    axes = np.atleast_1d(fig.subplots(1, len(names)))
    span = float(A.max() - A.min()) or 1.0
    # Ink of a small matrix in mid grey, a photograph dimmed: orange stands out on both.
    grey = (A - A.min()) / span
    grey = 1 - 0.55 * grey if small else 0.15 + 0.6 * grey
    orange = np.array([int(OKABE_ORANGE[k:k + 2], 16) / 255 for k in (1, 3, 5)])
    for ax, name in zip(axes, names, strict=True):
        mask = np.asarray(detected[name], dtype=bool)
        if mask.shape != A.shape:
            raise ValueError(f"detected[{name!r}] must have A's shape {A.shape}, "
                             f"got {mask.shape}")
        rgb = np.repeat(grey[..., None], 3, axis=2)
        rgb[mask] = orange
        ax.imshow(rgb, interpolation="nearest" if small else "antialiased")
        # At the smallest projector size: a detector's name and threshold fit above a
        # narrow panel.
        ax.set_title(f"{name}: {int(mask.sum())} pixels", fontsize=MIN_FONT_PT)
        ax.spines[:].set_visible(small is False)
        if ticks is not None:
            index_ticks(ax, A.shape, None if ticks is True else ticks)
        else:
            ax.set_xticks([])
            ax.set_yticks([])
        if small:  # cell borders, so that a pixel can be counted
            ax.set_xticks(np.arange(-0.5, A.shape[1]), minor=True)
            ax.set_yticks(np.arange(-0.5, A.shape[0]), minor=True)
            ax.grid(which="minor", color="white", linewidth=1.5)
            ax.tick_params(which="minor", length=0)
    return fig


def plot_signal(x, outputs, *, title=None):
    """A 1-D signal and one or more filtered versions of it, aligned on the same axis.

    Parameters
    ----------
    x : ndarray, shape (n,)
    outputs : dict of str to (offset, ndarray)
        Each output is drawn starting at sample ``offset`` (a valid correlation
        with a filter of half-width ω starts at ω).
    title : str, optional

    Returns
    -------
    fig : Figure
    """
    fig = new_figure(10, 3.0)
    ax = fig.add_subplot()
    ax.plot(np.arange(len(x)), x, "o-", color="0.55", label="input x")
    for name, (offset, y) in outputs.items():
        ax.plot(offset + np.arange(len(y)), y, "s-", linewidth=2, label=name)
    ax.set_xlabel("index")
    # Beside the axes: inside, a legend would hide part of a signal.
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    if title:
        ax.set_title(title)
    return fig
