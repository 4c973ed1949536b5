"""Lesson 02's interactive views: the terms of ∂J/∂F_i, and a filter learned by gradient descent."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from lessons_lib.backprop import HIDDEN_FILTERS, learn_filter, stability_limit, training_pair
from lessons_lib.plots.backprop import GradientTermsPlot, LearningPlot
from lessons_lib.widgets import Dropdown, FloatLogSlider, FloatSlider, IntSlider, ToggleButtons, View


def small_example(N=8, K=3, *, seed=28):
    """Small non-zero integers for ``x`` (N,) and ``dout`` (N - K + 1,): easy to add up.

    The default seed gives three different, non-zero taps of ``∂J/∂F`` for N=8, K=3.
    """
    rng = np.random.default_rng(seed)
    return rng.integers(-3, 4, N).astype(float), rng.integers(-2, 3, N - K + 1).astype(float)


class TapExplorer(View):
    """Pick a filter tap ``F_i`` and see the inputs, outputs and terms of ``∂J/∂F_i``.

    Parameters
    ----------
    x : array_like, shape (N,), optional
        Inputs; default eight small integers.
    dout : array_like, shape (N - K + 1,), optional
        Upstream gradient ``∂J/∂o``; default small integers.
    K : int, default 3
        Number of taps.

    Attributes
    ----------
    tap : ToggleButtons
        The tap ``i``; each button also names the tap as the slides' drawing does.
    plot : GradientTermsPlot
        What the figure shows (``plot.tap``, ``plot.formula``, ``plot.dF``).
    """

    ALT = ('The input x and the output gradient ∂J/∂o as rows of boxes, with a line from each '
           'output to the input that the chosen tap F_i multiplies, and the sum that gives '
           '∂J/∂F_i written below.')

    def __init__(self, x=None, dout=None, *, K=3):
        super().__init__()
        if x is None or dout is None:
            x, dout = small_example(K=K)
        self.plot = GradientTermsPlot(x, dout, K)
        self.fig = self.plot.fig
        self.tap = ToggleButtons(
            options=[(f"F{i}  (slides: F{i + 1})", i) for i in range(K)], value=0,
            description="tap", style={"button_width": "150px"})
        self.ui = widgets.VBox([self.tap, self.image])
        self.tap.observe(self._on_tap, names="value")
        self.redraw()

    def _on_tap(self, change):
        self.plot.show(change["new"])
        self.redraw()


class FilterLearner(View):
    """Recover a hidden filter from an input and its output by gradient descent.

    Parameters
    ----------
    filter_name : str, default "blur"
        A key of :data:`lessons_lib.backprop.HIDDEN_FILTERS`.
    learning_rate : float, default 0.05
    steps : int, default 100
    noise : float, default 0.0
        Standard deviation of the noise added to the outputs.

    Attributes
    ----------
    filter, learning_rate, steps, noise : ipywidgets controls
    history : LearningHistory
        The run currently shown.
    message : HTML
        How the run ended, and the largest stable learning rate for this input.
    plot : LearningPlot
    """

    ALT = ('Gradient descent recovering a hidden filter: the loss J falling over the steps on a '
           'log scale, and each learned tap F_i approaching its hidden value, drawn dashed.')

    def __init__(self, filter_name="blur", *, learning_rate=0.05, steps=100, noise=0.0):
        super().__init__()
        self.filter = Dropdown(options=tuple(HIDDEN_FILTERS), value=filter_name,
                                       description="hidden")
        self.learning_rate = FloatLogSlider(value=learning_rate, base=10, min=-3,
                                                    max=0.5, step=0.05, description="η",
                                                    readout_format=".3g",
                                                    continuous_update=False)
        # A run and its figure take a few tenths of a second: update on release.
        self.steps = IntSlider(value=steps, min=10, max=300, step=10,
                                       description="steps", continuous_update=False)
        self.noise = FloatSlider(value=noise, min=0.0, max=0.5, step=0.05,
                                         description="noise", continuous_update=False)
        self.message = widgets.HTML()
        self.ui = widgets.VBox([
            widgets.HBox([self.filter, self.learning_rate]),
            widgets.HBox([self.steps, self.noise]),
            self.message,
            self.image,
        ])
        self.plot = None
        self.update()
        for control in (self.filter, self.learning_rate, self.steps, self.noise):
            control.observe(lambda change: self.update(), names="value")

    def update(self) -> None:
        """Run gradient descent for the current controls and show the result."""
        x, y, F_hidden = training_pair(self.filter.value, noise=self.noise.value)
        F_init = np.zeros(F_hidden.size)
        self.history = learn_filter(x, y, F_init, learning_rate=self.learning_rate.value,
                                    steps=self.steps.value)
        limit = stability_limit(x, F_hidden.size)
        # A tap that should be 0 can end at -1e-17, which would print as "-0.000".
        learned = ", ".join(f"{v:.3f}".replace("-0.000", "0.000")
                            for v in self.history.filters[-1])
        # How the loss went is the figure's title: the line here does not repeat it.
        if self.history.diverged:
            verdict = (f"<b style='color:#c0392b'>Stopped:</b> η = "
                       f"{self.learning_rate.value:.3g} is too large: along the steepest "
                       f"direction every step overshoots the minimum by more than the last.")
        elif self.learning_rate.value >= limit:
            # Not stopped yet (too few steps), but the steepest direction already grows.
            verdict = (f"<b style='color:#c0392b'>Unstable:</b> F = [{learned}]. η is above "
                       f"the limit, so the error along the steepest direction grows with "
                       f"every step: more steps, and it diverges.")
        else:
            verdict = f"<b>Learned F = [{learned}]</b>."
        self.message.value = (f"{verdict}<br>For this input gradient descent converges "
                              f"when η &lt; 2/λ<sub>max</sub> = {limit:.3g}.")
        if self.plot is None:
            self.plot = LearningPlot(F_hidden, self.history)
            self.fig = self.plot.fig
        else:
            self.plot.update(F_hidden, self.history)
        self.redraw()
