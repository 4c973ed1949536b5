"""Interactive views: ipywidgets controls wired to the figures of ``lessons_lib.plots``.

Each view is an object with its controls as attributes (a test sets ``view.size.value``
and reads what the figure now shows) and displays itself in a notebook. The figure is
rendered to PNG in the kernel and shown in an :class:`ipywidgets.Image`, so the view
works the same in JupyterLab, in live slides and, frozen, in static exports.
"""

from __future__ import annotations

import ipywidgets as widgets

from lessons_lib.plots import to_png


class View:
    """Base of the course's interactive views.

    Subclasses build ``self.fig`` and ``self.ui`` (the widget tree that contains
    ``self.image``) and call :meth:`redraw` after changing artists.
    """

    ui: widgets.Widget

    def __init__(self):
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))

    def redraw(self) -> None:
        """Render the current figure into the image widget."""
        self.image.value = to_png(self.fig)

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.ui._repr_mimebundle_(**kwargs)
        # The default text is the widget tree's repr, which holds the PNG bytes and
        # changes with every build; a short, stable line says what this output is.
        bundle["text/plain"] = f"{type(self).__name__}: an interactive view (run the cell to use it)"
        return bundle
