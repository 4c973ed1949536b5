"""Figures for lesson 01: matrices with their numbers, a convolution step, filtered photographs."""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Rectangle

from lessons_lib.convolution import correlate, pad
from lessons_lib.plots import DPI, MAX_FIGURE_PX, MIN_FONT_PT, OKABE_ITO, new_figure

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


def draw_matrix(ax, M, *, cmap="Greys", vmin=None, vmax=None, annotate=None, title=None):
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
    if annotate is None:
        annotate = max(M.shape) <= ANNOTATE_LIMIT
    texts = None
    if annotate:
        texts = np.empty(M.shape, dtype=object)
        for r, c in np.ndindex(*M.shape):
            texts[r, c] = ax.text(c, r, "", ha="center", va="center", fontsize=MIN_FONT_PT)
        set_matrix_text(image, texts, M)
    return image, texts


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


def plot_matrix(M, *, title=None, cmap="Greys", size=None, padding=(0, 0)):
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
        original matrix framed.

    Returns
    -------
    fig : Figure
    """
    M = np.asarray(M, dtype=float)
    if size is None:
        size = min(0.45, 3.6 / M.shape[0])
    fig = new_figure(max(2.5, size * M.shape[1] + 0.4), size * M.shape[0] + 0.8)
    ax = fig.add_subplot()
    draw_matrix(ax, M, cmap=cmap, title=title)
    if any(padding):
        draw_padding(ax, M.shape, padding)
    return fig


def draw_padding(ax, padded_shape, widths):
    """Hatch the padding cells of a padded matrix and frame the original inside it."""
    rows, cols = padded_shape
    ax.add_patch(Rectangle((widths[1] - 0.5, widths[0] - 0.5), cols - 2 * widths[1],
                           rows - 2 * widths[0], fill=False, edgecolor="tab:blue", linewidth=2))
    for r, c in np.ndindex(rows, cols):
        inside = widths[0] <= r < rows - widths[0] and widths[1] <= c < cols - widths[1]
        if not inside:
            ax.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, hatch="//",
                                   edgecolor="tab:blue", linewidth=0, alpha=0.35))


def _kernel_limits(h):
    """Symmetric colour limits, so that zero is white and the sign reads as red/blue."""
    bound = float(np.max(np.abs(h))) or 1.0
    return -bound, bound


def plot_correlation(A, h, C, *, titles=("input A", "filter h", "output C = A ⊛ h")):
    """Input, filter and output side by side.

    Parameters
    ----------
    A : ndarray, shape (H, W)
    h : ndarray, shape (kh, kw)
    C : ndarray, shape (H', W')
    titles : tuple of 3 str

    Returns
    -------
    fig : Figure
        Three axes, in the order A, h, C.
    """
    A, h, C = (np.asarray(x, dtype=float) for x in (A, h, C))
    small = max(A.shape) <= ANNOTATE_LIMIT
    # Small matrices get up to 0.45 inch per row, room for a number like 0.56 at 14 pt,
    # and 0.9 inch for the titles (the filter's takes two lines).
    fig = new_figure(FULL_WIDTH, 4.2 if not small else min(0.45 * A.shape[0], 3.6) + 0.9)
    axes = fig.subplots(1, 3, width_ratios=[A.shape[1], max(h.shape[1], A.shape[1] / 3),
                                             C.shape[1]])
    cmap = "Greys" if small else "gray"
    draw_matrix(axes[0], A, cmap=cmap, title=f"{titles[0]}  {A.shape[0]}×{A.shape[1]}")
    kmin, kmax = _kernel_limits(h)
    draw_matrix(axes[1], h, cmap="RdBu_r", vmin=kmin, vmax=kmax, annotate=max(h.shape) <= 7,
                title=f"{titles[1]}\n{describe_filter(h)}")
    out_cmap, (low, high) = output_colours(C, h)
    draw_matrix(axes[2], C, cmap=cmap if out_cmap == "gray" else out_cmap, vmin=low, vmax=high,
                title=f"{titles[2]}  {C.shape[0]}×{C.shape[1]}")
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
        draw_matrix(axes[0], self.padded, cmap="Greys", vmin=min(0, self.padded.min()),
                    title=f"input A, padded ({edges})" if padded else "input A")
        if padded:
            draw_padding(axes[0], self.padded.shape, widths)
        kmin, kmax = _kernel_limits(self.h)
        draw_matrix(axes[1], self.h, cmap="RdBu_r", vmin=kmin, vmax=kmax,
                    title=f"filter h ({self.h.shape[0]}×{self.h.shape[1]})")
        blank = np.full(self.output.shape, np.nan)
        out_cmap, (low, high) = output_colours(self.output, self.h)
        if out_cmap == "gray":
            out_cmap, low, high = "Greys", min(0.0, low), max(high, 1.0)
        self.output_image, self.output_texts = draw_matrix(
            axes[2], blank, cmap=out_cmap, vmin=low, vmax=high,
            annotate=True, title=f"output C ({self.output.shape[0]}×{self.output.shape[1]})")
        axes[2].set_aspect(out_aspect)
        axes[2].set_xlim(-0.5, frame[1] - 0.5)
        axes[2].set_ylim(frame[0] - 0.5, -0.5)
        # The cells not computed yet are blank: a frame shows the output's size.
        axes[2].add_patch(Rectangle((-0.5, -0.5), *self.output.shape[::-1], fill=False,
                                    edgecolor="0.6", linewidth=1, clip_on=False))
        self.window = axes[0].add_patch(Rectangle((0, 0), 1, 1, fill=False, edgecolor="tab:orange",
                                                  linewidth=3.5))
        self.cell = axes[2].add_patch(Rectangle((0, 0), 1, 1, fill=False, edgecolor="tab:orange",
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
        self.kernel_image.set_clim(*_kernel_limits(kernel))
        cmap, limits = output_colours(output, kernel)
        self.output_image.set_cmap(cmap)
        self.output_image.set_clim(*limits)
        self.axes[0].set_title(f"input {image.shape[0]}×{image.shape[1]}")
        self.axes[1].set_title(f"filter {describe_filter(kernel)}")
        self.axes[2].set_title(f"output {output.shape[0]}×{output.shape[1]}")


def plot_gallery(images, *, ncols=4, cmap="gray", width=FULL_WIDTH, annotate=None,
                 symmetric=False, percentiles=None):
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
    fig = new_figure(width, nrows * (width / ncols) * aspect + 0.5 * nrows)
    axes = np.atleast_1d(fig.subplots(nrows, ncols)).ravel()
    for ax, name in zip(axes, names, strict=False):
        if percentiles is not None:
            limits = _percentile_limits(images[name], percentiles)
        else:
            limits = _kernel_limits(images[name]) if symmetric else (None, None)
        draw_matrix(ax, images[name], cmap=cmap, annotate=annotate, title=name,
                    vmin=limits[0], vmax=limits[1])
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
