"""Lesson 00's first widget: smooth a noisy signal with a box filter of adjustable width."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from lessons_lib.convolution import correlate
from lessons_lib.plots.start import SmoothingPlot
from lessons_lib.widgets import IntSlider, View


def noisy_signal(n=200, *, seed=0):
    """A sine wave with Gaussian noise: shape (n,), deterministic for ``seed``."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 4 * np.pi, n)
    return np.sin(t) + 0.4 * rng.standard_normal(n)


class SmoothingDemo(View):
    """Drag ``width`` and watch a moving average (a 1-D box filter) smooth the signal.

    Attributes
    ----------
    width : IntSlider
        Odd filter width, 1 to 41.
    plot : SmoothingPlot
        The figure; ``plot.smoothed`` is the filtered signal currently drawn.
    """

    ALT = ('A noisy signal of 200 samples and its moving average: the smoothed curve follows the '
           'slow wave and leaves out the fast wiggles, more so the wider the window.')

    def __init__(self, width=9):
        super().__init__()
        self.signal = noisy_signal()
        # The label's own width: at the default width it is cut to "filter wi…".
        self.width = IntSlider(value=width, min=1, max=41, step=2,
                               description="filter width",
                               style={"description_width": "initial"})
        self.plot = SmoothingPlot(self.signal)
        self.fig = self.plot.fig
        self.ui = widgets.VBox([self.width, self.image])
        self.width.observe(lambda change: self.update(), names="value")
        self.update()

    def update(self):
        w = self.width.value
        self.plot.show(correlate(self.signal, np.full(w, 1.0 / w), edges="replicate"), w)
        self.redraw()
