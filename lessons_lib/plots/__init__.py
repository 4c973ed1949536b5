"""Figures for the course: functions that take arrays and return matplotlib figures.

Figures are built with :class:`matplotlib.figure.Figure` rather than pyplot, so that
nothing is shown twice and no global figure state leaks between cells; in a notebook
a returned figure displays itself as PNG. The style below is sized for a projector.
"""

from __future__ import annotations

import io

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

STYLE = {
    "font.size": 14,
    "axes.titlesize": 15,
    "axes.labelsize": 14,
    "legend.fontsize": 13,
    "figure.dpi": 80,
    "savefig.dpi": 80,
    "image.interpolation": "nearest",
    "axes.spines.top": False,
    "axes.spines.right": False,
}
mpl.rcParams.update(STYLE)


def new_figure(width: float, height: float) -> Figure:
    """An empty figure of ``width`` x ``height`` inches with constrained layout."""
    return Figure(figsize=(width, height), layout="constrained")


def figure_png(fig: Figure) -> bytes:
    """PNG bytes of ``fig`` at full compression, for figures stored in notebooks."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
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


def to_png(fig: Figure) -> bytes:
    """Render ``fig`` to PNG bytes (what an image widget shows), fast enough for a slider.

    The first render lays the figure out; later ones keep that layout (a layout pass
    costs as much as drawing) and compress lightly.
    """
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    if fig.get_layout_engine() is not None:
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
