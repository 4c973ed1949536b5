"""Lesson 03's interactive views: a pooling stepper and a photograph shrunk four ways."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from lessons_lib.datasets import PHOTOGRAPHS, photograph, pooling_example
from lessons_lib.plots.pooling import MODES, PhotoPoolingPlot, PoolingStepperPlot
from lessons_lib.pooling import DOWNSAMPLING, downsample
from lessons_lib.widgets import Dropdown, IntSlider, StepperView, View


class PoolingStepper(StepperView):
    """Move a pooling window over a small matrix, one output cell at a time.

    Parameters
    ----------
    A : array_like, shape (H, W), optional
        Default the slides' 4 x 4 example.
    size : int, default 2
        Window size, 1 to ``min(4, H, W)``.
    stride : int, default 2
        1 to 4.
    mode : {"max", "average"}, default "max"

    Attributes
    ----------
    step : IntSlider
        Which output cell is being computed (row-major order).
    play : Play
        Steps automatically; linked to ``step`` in the browser.
    size, stride, mode : IntSlider, IntSlider, Dropdown
    plot : PoolingStepperPlot
        What the figure shows now (window, chosen cell, output so far).
    """

    ALT = ('The pooling stepper: the input matrix A with the current window shaded (and, for max '
           'pooling, the kept cell framed), the pooled output filled in up to the current cell, '
           "and the window's formula below.")

    def __init__(self, A=None, *, size=2, stride=2, mode="max"):
        super().__init__(interval=900)
        self.A = pooling_example() if A is None else np.asarray(A, dtype=float)
        largest = min(4, *self.A.shape)
        self.size = IntSlider(value=size, min=1, max=largest, description="size")
        self.stride = IntSlider(value=stride, min=1, max=4, description="stride")
        self.mode = Dropdown(options=MODES, value=mode, description="pooling")
        self._build([self.mode, self.size, self.stride])

    def make_plot(self):
        return PoolingStepperPlot(self.A, size=self.size.value, stride=self.stride.value,
                                  mode=self.mode.value)


class PhotoPooling(View):
    """Shrink a photograph by max pooling, average pooling, subsampling, or blurring first.

    Parameters
    ----------
    image_name : str, default "camera"
        One of :data:`lessons_lib.datasets.PHOTOGRAPHS`.
    method : str, default "max pool"
        One of :data:`lessons_lib.pooling.DOWNSAMPLING`.
    factor : int, default 4
        Window size and stride, 1 to 16.

    Attributes
    ----------
    image_name, method, factor : Dropdown, Dropdown, IntSlider
    output : ndarray
        The shrunken photograph currently shown.
    plot : PhotoPoolingPlot
        The figure: the photograph and its shrunken version.
    """

    ALT = ('A photograph and the same photograph shrunk by the chosen method, side by side, each '
           'titled with its size.')

    def __init__(self, image_name="camera", *, method="max pool", factor=4):
        super().__init__()
        self.image_name = Dropdown(options=PHOTOGRAPHS, value=image_name,
                                           description="photo")
        self.method = Dropdown(options=DOWNSAMPLING, value=method, description="method")
        # A 512 x 512 photograph blurred by a wide Gaussian takes a moment.
        self.factor = IntSlider(value=factor, min=1, max=16, description="factor",
                                        continuous_update=False)
        self.ui = widgets.VBox([widgets.HBox([self.image_name, self.method, self.factor]),
                                self.image])
        self._photos = {}
        self.plot = None
        self.update()
        for control in (self.image_name, self.method, self.factor):
            control.observe(lambda change: self.update(), names="value")

    def photo(self, name):
        if name not in self._photos:
            self._photos[name] = photograph(name)
        return self._photos[name]

    def update(self) -> None:
        """Recompute the shrunken photograph for the current controls and redraw in place."""
        image = self.photo(self.image_name.value)
        self.output = downsample(image, self.factor.value, self.method.value)
        if self.plot is None:
            self.plot = PhotoPoolingPlot(image, self.output, self.factor.value,
                                         self.method.value)
            self.fig = self.plot.fig
        else:
            self.plot.update(image, self.output, self.factor.value, self.method.value)
        self.redraw()
