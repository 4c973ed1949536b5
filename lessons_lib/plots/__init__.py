"""Figures for the course: functions that take arrays and return matplotlib figures.

Figures are built with :class:`matplotlib.figure.Figure` rather than pyplot, so that
nothing is shown twice and no global figure state leaks between cells; in a notebook
a returned figure displays itself as PNG.

Sized for a projector: figures render at 96 dots per inch, the CSS pixel density, so a
PNG shown at its natural size (as the notebooks, the slides and the handouts show it)
draws a 14 pt font at 14 pt on a 1280 x 720 screen. :func:`check_projector_ready` holds
every figure to that: no text under :data:`MIN_FONT_PT`, and small enough to sit on a
slide beside a title and a line of code.
"""

from __future__ import annotations

import io
import itertools
import weakref

import matplotlib as mpl
import numpy as np
from cycler import cycler
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine, PlaceHolderLayoutEngine
from matplotlib.text import Text
from PIL import Image

#: Dots per inch of every figure: one figure pixel is one CSS pixel at natural size.
DPI = 96
#: The smallest text a figure may carry, in points (14 pt reads from the back of a room).
MIN_FONT_PT = 14
#: The largest figure, in pixels, that fits a 1280 x 720 slide beside its title.
MAX_FIGURE_PX = (1100, 540)
#: An interactive view's figure leaves room for its controls: both stay in sight on a
#: slide and in the notebook on a 1366 x 768 laptop screen.
MAX_VIEW_PX = (1100, 430)
# The figures to_png has rendered once, and checked for a projector.
_RENDERED: weakref.WeakSet = weakref.WeakSet()

#: The course's palette for categories (Okabe & Ito, "Color Universal Design"): orange,
#: sky blue, bluish green, yellow, blue, vermillion, reddish purple, black. Distinct for
#: the common colour-vision deficiencies; yellow is for fills, too light for thin lines.
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
             "#000000")
ORANGE, SKY_BLUE, BLUISH_GREEN, YELLOW, BLUE, VERMILLION, REDDISH_PURPLE, BLACK = OKABE_ITO
#: Lines and markers without a colour of their own take these in turn: the palette
#: without yellow.
LINE_CYCLE = (BLUE, ORANGE, BLUISH_GREEN, VERMILLION, REDDISH_PURPLE, SKY_BLUE, BLACK)
#: Colour maps, by what the values mean. Magnitudes (images, counts, activations) use a
#: single hue or a perceptually uniform map that reads in grey too; signed values (filters,
#: gradients) a diverging map whose white middle is zero.
IMAGE_CMAPS = ("gray", "gray_r", "Greys", "Blues", "viridis", "magma", "inferno")
SIGNED_CMAP = "RdBu_r"

STYLE = {
    "font.size": MIN_FONT_PT,
    "axes.titlesize": 16,
    "axes.labelsize": MIN_FONT_PT,
    "legend.fontsize": MIN_FONT_PT,
    "xtick.labelsize": MIN_FONT_PT,
    "ytick.labelsize": MIN_FONT_PT,
    "figure.titlesize": 16,
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "image.interpolation": "nearest",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": cycler(color=LINE_CYCLE),
}
mpl.rcParams.update(STYLE)


def new_figure(width: float, height: float) -> Figure:
    """An empty figure of ``width`` x ``height`` inches with constrained layout."""
    return Figure(figsize=(width, height), layout="constrained")


def check_projector_ready(fig: Figure, max_px: tuple[int, int] = MAX_FIGURE_PX) -> None:
    """Raise ValueError if ``fig`` has text under :data:`MIN_FONT_PT` or is too large.

    Parameters
    ----------
    fig : Figure
        A figure whose size is final (its text sizes are read as they will be drawn).
    max_px : (int, int), default :data:`MAX_FIGURE_PX`
        The largest width and height in pixels at :data:`DPI`.

    Examples
    --------
    >>> fig = new_figure(4, 3)
    >>> _ = fig.add_subplot().set_title("readable")
    >>> check_projector_ready(fig)
    >>> _ = fig.text(0.5, 0.5, "footnote", fontsize=9)
    >>> check_projector_ready(fig)
    Traceback (most recent call last):
    ...
    ValueError: figure text under 14 pt, unreadable on a projector: 'footnote' (9 pt)
    """
    small = [f"{text.get_text()!r} ({text.get_fontsize():g} pt)"
             for text in fig.findobj(Text)
             if text.get_visible() and text.get_text().strip()
             and text.get_fontsize() < MIN_FONT_PT - 1e-9]
    if small:
        raise ValueError("figure text under 14 pt, unreadable on a projector: "
                         + ", ".join(sorted(set(small))[:8]))
    crowded, cut = _text_layout_problems(fig)
    if crowded:
        raise ValueError("tick labels overlap, unreadable: " + "; ".join(crowded[:4]))
    if cut:
        raise ValueError("text cut off at the figure's edge: " + "; ".join(cut[:4]))
    width, height = fig.get_size_inches() * DPI
    if width > max_px[0] + 0.5 or height > max_px[1] + 0.5:
        raise ValueError(f"figure of {width:.0f} x {height:.0f} px does not fit a slide: "
                         f"at most {max_px[0]} x {max_px[1]} px ({max_px[0] / DPI:.2f} x "
                         f"{max_px[1] / DPI:.2f} inches)")


def _drawn_tick_labels(axis) -> list[Text]:
    """The labels of ``axis``'s major ticks inside its view, the ones matplotlib draws."""
    if not (axis.axes.axison and axis.get_visible()):
        return []
    # Compared on the axis's own scale: on a log axis a tick at 1e-17 lies far below a
    # view that starts at 5e-14, though the two differ by next to nothing in linear terms.
    scale = axis.get_transform().transform
    low, high = sorted(scale(np.asarray(axis.get_view_interval(), float)))
    margin = 1e-9 * max(1.0, abs(high - low))
    ticks = axis.get_major_ticks()
    places = scale(np.asarray([tick.get_loc() for tick in ticks], float))
    return [tick.label1 for tick, place in zip(ticks, places, strict=True)
            if low - margin <= place <= high + margin
            and tick.label1.get_visible() and tick.label1.get_text().strip()]


def _text_layout_problems(fig: Figure) -> tuple[list[str], list[str]]:
    """Once ``fig`` is laid out: neighbouring tick labels of one axis that overlap, and
    text that reaches past the figure's edge (a pixel of contact is allowed)."""
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    # Constrained layout settles in two passes (the first leaves titles too high).
    fig.draw_without_rendering()
    fig.draw_without_rendering()
    renderer = canvas.get_renderer()
    crowded, shown = [], []
    for ax in fig.axes:
        for axis, along in ((ax.xaxis, "x0"), (ax.yaxis, "y0")):
            labels = _drawn_tick_labels(axis)
            shown += labels
            boxes = [label.get_window_extent(renderer) for label in labels]
            order = sorted(range(len(labels)), key=lambda i: getattr(boxes[i], along))
            for a, b in itertools.pairwise(order):
                if boxes[a].shrunk(0.98, 0.98).overlaps(boxes[b].shrunk(0.98, 0.98)):
                    crowded.append(f"{labels[a].get_text()!r} / {labels[b].get_text()!r}")
    ticks = {id(label) for ax in fig.axes for axis in (ax.xaxis, ax.yaxis)
             for label in axis.get_ticklabels(which="both")}
    shown += [text for text in fig.findobj(Text) if id(text) not in ticks
              and text.get_visible() and text.get_text().strip()]
    edge = fig.bbox.padded(1)
    cut = []
    for text in shown:
        box = text.get_window_extent(renderer)
        if not (edge.contains(box.x0, box.y0) and edge.contains(box.x1, box.y1)):
            cut.append(repr(text.get_text()))
    return crowded, cut


def figure_png(fig: Figure) -> bytes:
    """PNG bytes of ``fig``, for figures stored in notebooks (checked for a projector)."""
    check_projector_ready(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _display_figures_as_png() -> None:
    """Let a returned Figure show itself in IPython, without importing pyplot."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        shell.display_formatter.formatters["image/png"].for_type(Figure, figure_png)


_display_figures_as_png()


def lay_out_again(fig: Figure) -> None:
    """Have :func:`to_png` lay ``fig`` out, and check it, again at its next render.

    For a plot whose panels or labels change size (another photograph, a longer
    history); pictures in between keep their first layout, which is faster. to_png
    leaves matplotlib's placeholder engine after a layout: this puts a real one back.
    """
    if not isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine):
        fig.set_layout_engine("constrained")


def to_png(fig: Figure) -> bytes:
    """Render ``fig`` to PNG bytes (what an image widget shows), fast enough for a slider.

    The first render checks the figure for a projector (:data:`MAX_VIEW_PX`) and lays it
    out; later ones keep that layout (a layout pass costs as much as drawing) and
    compress lightly. A figure given a layout engine again (a plot whose labels change
    width) is laid out and checked again on its next render.
    """
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    # After the first render the engine is matplotlib's placeholder, which lays nothing
    # out: not a reason to check and lay out again on every move of a slider.
    engine = fig.get_layout_engine()
    relayout = engine is not None and not isinstance(engine, PlaceHolderLayoutEngine)
    if relayout or fig not in _RENDERED:
        check_projector_ready(fig, MAX_VIEW_PX)
        _RENDERED.add(fig)
    if relayout:
        # One layout pass leaves titles clipped; a second, as savefig does, settles it.
        fig.draw_without_rendering()
        canvas.draw()
        fig.set_layout_engine("none")
    canvas.draw()
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(canvas.buffer_rgba())[..., :3]).save(
        buffer, format="png", compress_level=1
    )
    return buffer.getvalue()
