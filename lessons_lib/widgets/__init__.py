"""Interactive views: ipywidgets controls wired to the figures of ``lessons_lib.plots``.

Each view is an object with its controls as attributes (a test sets ``view.size.value``
and reads what the figure now shows) and displays itself in a notebook. The figure is
rendered to PNG in the kernel and shown in an :class:`ipywidgets.Image`, so the view
works the same in JupyterLab, in live slides and, frozen, in static exports.
"""

from __future__ import annotations

import ipywidgets as widgets

from lessons_lib.plots import to_png

#: A view's image leaves this much of the window to the controls and the page around it;
#: on a 1366 x 768 laptop it still shows a figure of MAX_VIEW_PX (430 px) at full size.
IMAGE_MAX_HEIGHT = "calc(100vh - 220px)"


class View:
    """Base of the course's interactive views.

    Subclasses build ``self.fig`` and ``self.ui`` (the widget tree that contains
    ``self.image``) and call :meth:`redraw` after changing artists.
    """

    ui: widgets.Widget

    def __init__(self):
        # The figure shows at its natural size (its text at 14 pt): never stretched to the
        # width of the output, shrunk only when the window is too small to show it
        # together with the controls above it.
        self.image = widgets.Image(format="png", layout=widgets.Layout(
            align_self="flex-start", max_width="100%", max_height=IMAGE_MAX_HEIGHT,
            object_fit="contain"))

    def redraw(self) -> None:
        """Render the current figure into the image widget."""
        self.image.value = to_png(self.fig)

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.ui._repr_mimebundle_(**kwargs)
        # The default text is the widget tree's repr, which holds the PNG bytes and
        # changes with every build; a short, stable line says what this output is.
        bundle["text/plain"] = f"{type(self).__name__}: an interactive view (run the cell to use it)"
        return bundle


class StepperView(View):
    """A view that steps through the output cells of a small computation.

    Subclasses implement :meth:`make_plot` (returning an object with ``fig``,
    ``n_steps`` and ``show(step)``) and call :meth:`_build` with their own controls:
    changing a control rebuilds the plot, moving ``step`` (or pressing ``play``) shows
    another cell in place.

    Attributes
    ----------
    step : IntSlider
        Which output cell is shown (row-major order).
    play : Play
        Steps automatically; linked to ``step`` in the browser.
    """

    def __init__(self, *, interval=700):
        super().__init__()
        self.step = widgets.IntSlider(value=0, min=0, max=0, description="step")
        self.play = widgets.Play(value=0, min=0, max=0, interval=interval, description="play")
        widgets.jslink((self.play, "value"), (self.step, "value"))

    def make_plot(self):
        raise NotImplementedError

    def _build(self, controls):
        self.ui = widgets.VBox([widgets.HBox(controls), widgets.HBox([self.play, self.step]),
                                self.image])
        self._rebuild()
        for control in controls:
            control.observe(lambda change: self._rebuild(), names="value")
        self.step.observe(self._on_step, names="value")

    def _rebuild(self):
        self.plot = self.make_plot()
        self.fig = self.plot.fig
        last = self.plot.n_steps - 1
        # Fewer steps after a change: clamp the slider rather than leave it out of range.
        with self.step.hold_trait_notifications():
            self.step.max = self.play.max = last
            self.step.value = min(self.step.value, last)
        self.plot.show(self.step.value)
        self.redraw()

    def _on_step(self, change):
        self.plot.show(change["new"])
        self.redraw()
