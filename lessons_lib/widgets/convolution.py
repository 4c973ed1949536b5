"""Lesson 01's interactive views: a convolution stepper and a filter explorer."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from lessons_lib.convolution import EDGES, correlate
from lessons_lib.datasets import PHOTOGRAPHS, figure_matrix, photograph
from lessons_lib.filters import FILTERS, RESIZABLE, make_filter
from lessons_lib.plots.convolution import ExplorerPlot, StepperPlot
from lessons_lib.widgets import Dropdown, IntSlider, StepperView, View

STEPPER_FILTERS = ("box blur", "horizontal lines", "vertical lines", "diagonal lines",
                   "antidiagonal lines", "sobel x", "sobel y", "sharpen", "identity")


class ConvolutionStepper(StepperView):
    """Move a 3 x 3 filter over a small matrix one output cell at a time.

    Parameters
    ----------
    A : array_like, shape (H, W), optional
        The matrix to filter; default the slides' 8 x 9 figure matrix.
    filter_name : str, default "box blur"
        One of :data:`STEPPER_FILTERS`.
    stride : int, default 1
    edges : {"none", "zero", "reflect", "replicate", "wrap"}, default "none"

    Attributes
    ----------
    step : IntSlider
        Which output cell is being computed (row-major order).
    play : Play
        Steps automatically; linked to ``step`` in the browser.
    filter, stride, edges : Dropdown, IntSlider, Dropdown
    plot : StepperPlot
        What the figure shows now (window position, products, output so far).
    """

    ALT = ('The convolution stepper: the input matrix A with the filter window framed at the '
           'current position, the filter h with its weights, and the output C filled in up to '
           'the current cell, whose sum of products is written below.')

    def __init__(self, A=None, *, filter_name="box blur", stride=1, edges="none"):
        super().__init__(interval=700)
        self.A = figure_matrix() if A is None else np.asarray(A, dtype=float)
        self.filter = Dropdown(options=STEPPER_FILTERS, value=filter_name,
                                       description="filter")
        self.stride = IntSlider(value=stride, min=1, max=3, description="stride")
        self.edges = Dropdown(options=EDGES, value=edges, description="edges")
        self._build([self.filter, self.stride, self.edges])

    def make_plot(self):
        kernel = make_filter(self.filter.value, 3)
        return StepperPlot(self.A, kernel, stride=self.stride.value, edges=self.edges.value)


class FilterExplorer(View):
    """Filter a photograph with any course filter, size up to 101, any stride and edges.

    Parameters
    ----------
    image_name : str, default "camera"
        One of :data:`lessons_lib.datasets.PHOTOGRAPHS`.
    filter_name : str, default "box blur"
        A key of :data:`lessons_lib.filters.FILTERS`.
    size : int, default 11
        Odd filter size (ignored by the fixed 3 x 3 filters).
    stride : int, default 1
    edges : str, default "none"

    Attributes
    ----------
    image_name, filter, size, stride, edges : ipywidgets controls
    output : ndarray
        The filtered photograph currently shown.
    plot : ExplorerPlot
    """

    ALT = ('A photograph, the weights of the chosen filter and the filtered photograph side by '
           'side, each titled with its size.')

    def __init__(self, image_name="camera", *, filter_name="box blur", size=11, stride=1,
                 edges="none"):
        super().__init__()
        self.image_name = Dropdown(options=PHOTOGRAPHS, value=image_name,
                                           description="photo")
        self.filter = Dropdown(options=tuple(FILTERS), value=filter_name,
                                       description="filter")
        # Large filters take a moment: recompute when the slider is released.
        # Size 1 would turn every line detector into the single weight 0.
        self.size = IntSlider(value=size, min=3, max=101, step=2, description="size",
                                      continuous_update=False)
        self.stride = IntSlider(value=stride, min=1, max=8, description="stride",
                                        continuous_update=False)
        self.edges = Dropdown(options=EDGES, value=edges, description="edges")
        self.ui = widgets.VBox([
            widgets.HBox([self.image_name, self.filter, self.edges]),
            widgets.HBox([self.size, self.stride]),
            self.image,
        ])
        self._photos = {}
        self.plot = None
        self.update()
        for control in (self.image_name, self.filter, self.size, self.stride, self.edges):
            control.observe(lambda change: self.update(), names="value")

    def photo(self, name):
        if name not in self._photos:
            self._photos[name] = photograph(name)
        return self._photos[name]

    def kernel(self):
        size = self.size.value if self.filter.value in RESIZABLE else 3
        return make_filter(self.filter.value, size)

    def update(self) -> None:
        """Recompute the output for the current controls and redraw in place."""
        image, kernel = self.photo(self.image_name.value), self.kernel()
        self.size.disabled = self.filter.value not in RESIZABLE
        # Every photograph is larger than the largest filter, so every choice is valid.
        output = correlate(image, kernel, stride=self.stride.value, edges=self.edges.value)
        self.output = output
        if self.plot is None:
            self.plot = ExplorerPlot(image, kernel, output)
            self.fig = self.plot.fig
        else:
            self.plot.update(image, kernel, output)
        self.redraw()
