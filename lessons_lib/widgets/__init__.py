"""Interactive views: ipywidgets controls wired to the figures of ``lessons_lib.plots``.

Each view is an object with its controls as attributes (a test sets ``view.size.value``
and reads what the figure now shows) and displays itself in a notebook. The figure is
rendered to PNG in the kernel and shown in an :class:`ipywidgets.Image`, so the view
works the same in JupyterLab, in live slides and, frozen, in static exports.

Views build their controls from the classes below rather than from ipywidgets directly:
each refuses, by trait validation, a value its view cannot show (no selection, a size
off the slider's steps, NaN). A refused value raises :class:`traitlets.TraitError` and
leaves the control as it was, so a control and its figure never disagree, however the
value was set (by a student's code, a test or the browser).
"""

from __future__ import annotations

import math

import ipywidgets as widgets
import traitlets

from lessons_lib.plots import to_png


class _Chosen(traitlets.Any):
    """The value of a selection control; None ("nothing selected") goes to validation."""

    allow_none = False


def _chosen(control, proposal, validate):
    """``validate(proposal)`` of ipywidgets, after refusing None while there are options,
    and with every refusal a TraitError that names the control."""
    name = control.description or "the control"
    if proposal["value"] is None and control.options:
        raise traitlets.TraitError(f"{name} must be one of {list(control.options)}, got None")
    try:
        return validate(proposal)
    except (traitlets.TraitError, TypeError, ValueError) as error:
        raise traitlets.TraitError(f"{name} must be one of {list(control.options)}, got "
                                   f"{proposal['value']!r}") from error


class Dropdown(widgets.Dropdown):
    """A dropdown that always has one of its options selected.

    Examples
    --------
    >>> control = Dropdown(options=["max", "average"], description="pooling")
    >>> control.value = None
    Traceback (most recent call last):
    ...
    traitlets.traitlets.TraitError: pooling must be one of ['max', 'average'], got None
    >>> control.value
    'max'
    """

    value = _Chosen(help="Selected value").tag(sync=True)

    @traitlets.validate("value")
    def _validate_value(self, proposal):
        return _chosen(self, proposal, super()._validate_value)


class ToggleButtons(widgets.ToggleButtons):
    """Toggle buttons that always have one of their options selected."""

    value = _Chosen(help="Selected value").tag(sync=True)

    @traitlets.validate("value")
    def _validate_value(self, proposal):
        return _chosen(self, proposal, super()._validate_value)


class Select(widgets.Select):
    """A list box with one of its options selected whenever it has options."""

    value = _Chosen(help="Selected value").tag(sync=True)

    @traitlets.validate("value")
    def _validate_value(self, proposal):
        return _chosen(self, proposal, super()._validate_value)


class IntSlider(widgets.IntSlider):
    """An integer slider whose value is always on its steps: ``min + k * step``.

    A value beyond ``min`` or ``max`` is clamped, as ipywidgets does; one between two
    steps (an even size on a slider of odd sizes) is refused.

    Examples
    --------
    >>> size = IntSlider(value=3, min=1, max=9, step=2, description="size")
    >>> size.value = 4
    Traceback (most recent call last):
    ...
    traitlets.traitlets.TraitError: size must be one of 1, 3, ..., 9, got 4
    >>> size.value
    3
    """

    @traitlets.validate("value")
    def _validate_value(self, proposal):
        value = super()._validate_value(proposal)
        if (value - self.min) % self.step:
            raise traitlets.TraitError(
                f"{self.description or 'the slider'} must be one of {self.min}, "
                f"{self.min + self.step}, ..., {self.max}, got {proposal['value']}")
        return value


def _refuse_non_finite(control, proposal, low, high):
    value = proposal["value"]
    if not math.isfinite(value):
        raise traitlets.TraitError(f"{control.description or 'the slider'} must be a finite "
                                   f"number between {low:g} and {high:g}, got {value}")


class FloatSlider(widgets.FloatSlider):
    """A float slider that refuses NaN and infinity (out-of-range values are clamped)."""

    @traitlets.validate("value")
    def _validate_value(self, proposal):
        _refuse_non_finite(self, proposal, self.min, self.max)
        return super()._validate_value(proposal)


class FloatLogSlider(widgets.FloatLogSlider):
    """A logarithmic slider that refuses NaN and infinity (others are clamped)."""

    @traitlets.validate("value")
    def _validate_value(self, proposal):
        _refuse_non_finite(self, proposal, self.base**self.min, self.base**self.max)
        return super()._validate_value(proposal)

#: A view's image leaves this much of the window to the controls and the page around it;
#: on a 1366 x 768 laptop it still shows a figure of MAX_VIEW_PX (430 px) at full size.
IMAGE_MAX_HEIGHT = "calc(100vh - 220px)"


class DescribedImage(widgets.Image):
    """An image widget whose ``tooltip`` is its accessible name (the ``title`` of its img).

    ipywidgets 8 shows a tooltip only on a widget with a description, and an Image has
    none: its view fails to draw when given a tooltip. An empty description, synced with
    the image, makes the tooltip work.
    """

    description = traitlets.Unicode("").tag(sync=True)


class View:
    """Base of the course's interactive views.

    Subclasses build ``self.fig`` and ``self.ui`` (the widget tree that contains
    ``self.image``) and call :meth:`redraw` after changing artists.
    """

    ui: widgets.Widget
    #: What the view's figure shows, in one sentence, for a reader who cannot see it. The
    #: image carries it, with the current value of each control, as its accessible name.
    ALT = ""

    def __init__(self):
        # The figure shows at its natural size (its text at 14 pt): never stretched to the
        # width of the output, shrunk only when the window is too small to show it
        # together with the controls above it.
        self.image = DescribedImage(format="png", layout=widgets.Layout(
            align_self="flex-start", max_width="100%", max_height=IMAGE_MAX_HEIGHT,
            object_fit="contain"))

    def redraw(self) -> None:
        """Render the current figure into the image widget, with its description."""
        self.image.value = to_png(self.fig)
        self.image.tooltip = self.alt_text()

    def alt_text(self) -> str:
        """:attr:`ALT` followed by the current value of each control of the view.

        Examples
        --------
        >>> from lessons_lib.widgets.pooling import PoolingStepper
        >>> print(PoolingStepper().alt_text())  # doctest: +ELLIPSIS
        The pooling stepper: ... Controls: pooling max, size 2, stride 2, step 0.
        """
        settings = [f"{control.description} {_shown_value(control)}"
                    for control in _controls(getattr(self, "ui", None))]
        return f"{self.ALT} Controls: {', '.join(settings)}." if settings else self.ALT

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.ui._repr_mimebundle_(**kwargs)
        # The default text is the widget tree's repr, which holds the PNG bytes and
        # changes with every build; a short, stable line says what this output is.
        bundle["text/plain"] = f"{type(self).__name__}: an interactive view (run the cell to use it)"
        return bundle


def _controls(widget) -> list:
    """The labelled value controls inside ``widget``, in the order they are shown."""
    if widget is None:
        return []
    if isinstance(widget, widgets.Box):
        return [control for child in widget.children for control in _controls(child)]
    shown = isinstance(widget, widgets.ValueWidget) and not isinstance(
        widget, (widgets.Image, widgets.Play, widgets.HTML, widgets.Label))
    return [widget] if shown and widget.description else []


def _shown_value(control) -> str:
    """A control's value as its label shows it (a choice's label, not its value)."""
    label = getattr(control, "label", None)
    if label is not None:
        return str(label)
    value = control.value
    if isinstance(value, bool):
        return "on" if value else "off"
    return f"{value:.4g}" if isinstance(value, float) else str(value)


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
        self.step = IntSlider(value=0, min=0, max=0, description="step")
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
