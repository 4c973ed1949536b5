"""Lesson 00's figure: a noisy signal and its moving average."""

from __future__ import annotations

import numpy as np

from lessons_lib.plots import BLUE, new_figure


class SmoothingPlot:
    """A noisy signal in grey and a smoothed copy in blue; the smoothed line updates in place.

    Parameters
    ----------
    signal : ndarray, shape (n,)

    Attributes
    ----------
    fig : Figure
    smoothed : Line2D
        The smoothed signal currently drawn.

    Examples
    --------
    >>> plot = SmoothingPlot(np.zeros(50))
    >>> plot.show(np.ones(50), width=5)
    >>> plot.ax.get_title()
    'moving average over 5 samples'
    """

    def __init__(self, signal):
        self.signal = np.asarray(signal, dtype=float)
        self.fig = new_figure(9, 3.2)
        self.ax = self.fig.add_subplot()
        self.ax.plot(self.signal, color="0.7", label="noisy signal")
        (self.smoothed,) = self.ax.plot(self.signal, color=BLUE, linewidth=2.5,
                                        label="smoothed")
        self.ax.set_xlabel("sample")
        self.ax.legend(loc="upper right")

    def show(self, smoothed, width):
        """Draw ``smoothed`` (shape (n,)), the moving average over ``width`` samples."""
        self.smoothed.set_ydata(smoothed)
        self.ax.set_title(f"moving average over {width} sample{'s' if width > 1 else ''}")
