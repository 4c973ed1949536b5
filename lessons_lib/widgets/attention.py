"""Lesson 06's interactive views: patch sizes on the figure matrix, and an attention explorer."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from lessons_lib._validate import positive_int
from lessons_lib.attention import patch_grid
from lessons_lib.datasets import figure_matrix
from lessons_lib.nn.transformer import ClassToken, PatchEmbedding, attention_maps
from lessons_lib.plots.attention import AttentionOverlayPlot, PatchPlot, TrainingCurvesPlot
from lessons_lib.widgets import Dropdown, IntSlider, View


class PatchSizeExplorer(View):
    """Change the patch size and see the patches, N, E and the table X change.

    Parameters
    ----------
    image : array_like, shape (H, W), optional
        Default the slides' 8 x 9 figure matrix.
    patch_size : int, default 4
        The slides' choice.

    Attributes
    ----------
    patch_size : IntSlider
        From 1 (every pixel a token) to min(H, W) (one patch).
    plot : PatchPlot
        The figure; ``plot.X`` is the table shown.
    """

    ALT = ('A small image cut into numbered patches of the chosen size, pixels outside every '
           'patch in grey, and the table X with one row per patch: its position index, then its '
           'pixels.')

    def __init__(self, image=None, *, patch_size=4):
        super().__init__()
        self.A = figure_matrix() if image is None else np.asarray(image, dtype=float)
        self.patch_size = IntSlider(value=patch_size, min=1, max=min(self.A.shape),
                                            description="patch size",
                                            style={"description_width": "initial"})
        self.plot = PatchPlot(self.A, patch_size)
        self.fig = self.plot.fig
        self.ui = widgets.VBox([self.patch_size, self.image])
        self.patch_size.observe(lambda change: self.update(), names="value")
        self.redraw()

    @property
    def X(self) -> np.ndarray:
        """The table X for the current patch size, shape (N, 1 + P*P)."""
        return self.plot.X

    def update(self) -> None:
        self.plot.update(self.patch_size.value)
        self.redraw()


class AttentionExplorer(View):
    """Pick an event, a block, a head and a query: see where that query looks.

    The attention weights of the query token (the class token or one patch) over the
    image's patches are drawn on top of the event, each weight covering its patch.

    Parameters
    ----------
    model : Sequential
        A trained :func:`lessons_lib.nn.transformer.tiny_vit`.
    images : ndarray, shape (n, 1, H, W)
    labels : ndarray of int, shape (n,)
    class_names : sequence of str
    event : int, default 0
    head : int, default -1
        The head shown first; -1 for the mean of the heads.
    query : int, optional
        The patch whose attention is shown first; default the class token (or patch 0
        without one).

    Attributes
    ----------
    event : IntSlider
        Which image.
    block : IntSlider
        Which transformer block's attention.
    head : Dropdown
        A head, or the mean of all heads (value -1).
    query : Dropdown
        The class token (value -1, when the model has one) or a patch index.
    weights : ndarray, shape (rows, cols)
        The attention shown now, on the patch grid. With a class token, the weight the
        query gives to the class token is not on the grid: the figure's title says how
        much it is, so that the grid plus that share sums to one.
    prediction : int
        The model's class for the current event.
    """

    ALT = ('A detector event with the chosen query patch framed and the attention that query '
           'gives each patch shaded over the event, and the same attention weights alone with '
           'their scale, under a title with the true and predicted class.')

    def __init__(self, model, images, labels, class_names, *, event=0, head=-1, query=None):
        super().__init__()
        self.model, self.images = model, np.asarray(images)
        self.labels, self.class_names = np.asarray(labels), tuple(class_names)
        if self.images.ndim != 4 or len(self.labels) != len(self.images):
            raise ValueError(f"images must be shaped (n, 1, H, W) with one label each, got "
                             f"images of shape {self.images.shape} and {len(self.labels)} labels")
        embed = next(layer for layer in model if isinstance(layer, PatchEmbedding))
        self.patch_size = embed.patch_size
        self.grid = patch_grid(self.images.shape, self.patch_size)
        self.offset = int(any(isinstance(layer, ClassToken) for layer in model))
        event = positive_int(event, "event", minimum=0)
        if event >= len(self.images):
            raise ValueError(f"event must be below {len(self.images)} (the number of images), "
                             f"got {event}")
        maps = self._forward(event)
        num_blocks, num_heads = len(maps), maps[0].shape[0]  # each map is (num_heads, N, N)
        rows, cols = self.grid
        if head not in range(-1, num_heads):
            raise ValueError(f"head must be -1 (the mean of the heads) or 0 to {num_heads - 1}, "
                             f"got {head!r}")
        lowest = -1 if self.offset else 0
        if query is not None and query not in range(lowest, rows * cols):
            raise ValueError(f"query must be {'-1 (the class token) or ' * self.offset}a patch "
                             f"from 0 to {rows * cols - 1}, got {query!r}")
        self.event = IntSlider(value=event, min=0, max=len(self.images) - 1,
                                       description="event", continuous_update=False)
        self.block = IntSlider(value=num_blocks - 1, min=0, max=num_blocks - 1,
                                       description="block")
        self.head = Dropdown(options=[("mean of heads", -1)] + [
            (f"head {h}", h) for h in range(num_heads)], value=head, description="head")
        queries = [(f"patch {n} (row {n // cols}, col {n % cols})", n) for n in range(rows * cols)]
        if self.offset:
            queries.insert(0, ("class token", -1))
        self.query = Dropdown(options=queries,
                                      value=queries[0][1] if query is None else query,
                                      description="query")
        self.plot = AttentionOverlayPlot(self.images[event, 0], np.zeros(self.grid),
                                         self.patch_size, None)
        self.fig = self.plot.fig
        self.ui = widgets.VBox([widgets.HBox([self.event, self.block]),
                                widgets.HBox([self.head, self.query]), self.image])
        self.event.observe(lambda change: self.update(recompute=True), names="value")
        for control in (self.block, self.head, self.query):
            control.observe(lambda change: self.update(), names="value")
        self.update()

    def _forward(self, event):
        self.model.eval()
        logits = self.model.forward(self.images[event : event + 1])
        self.prediction = int(np.argmax(logits[0]))
        self.maps = [A[0] for A in attention_maps(self.model)]
        return self.maps

    def update(self, recompute=False) -> None:
        """Show the attention for the current controls (re-running the model for a new event)."""
        if recompute:
            self._forward(self.event.value)
        A = self.maps[self.block.value]
        A = A.mean(axis=0) if self.head.value == -1 else A[self.head.value]
        q = self.query.value
        row = A[q + self.offset] if q >= 0 else A[0]
        self.weights = row[self.offset :].reshape(self.grid)
        rows, cols = self.grid
        truth = self.class_names[self.labels[self.event.value]]
        guess = self.class_names[self.prediction]
        grid_title = (f"attention on patches; class token: {row[0]:.0%}" if self.offset
                      else "attention over the patch grid")
        self.plot.update(self.images[self.event.value, 0], self.weights,
                         None if q < 0 else divmod(q, cols),
                         title=f"true: {truth}, predicted: {guess}", grid_title=grid_title)
        self.redraw()


class LiveTrainingCurves(View):
    """Training curves that redraw after every epoch: pass :meth:`update` as ``fit``'s callback.

    Parameters
    ----------
    title : str, optional
    history : History or dict, optional
        Curves to show from the start (e.g. those stored with trained weights).

    Attributes
    ----------
    plot : TrainingCurvesPlot
    epochs : int
        Epochs shown so far.

    Examples
    --------
    >>> curves = LiveTrainingCurves()
    >>> curves.update({"loss": [1.0, 0.5], "accuracy": [0.5, 0.8], "val_loss": [0.9, 0.6],
    ...                "val_accuracy": [0.6, 0.7]})
    >>> curves.epochs
    2
    """

    ALT = ("The vision transformer's training and validation loss and accuracy against the "
           'epoch, redrawn after every epoch.')

    def __init__(self, *, title="", history=None):
        super().__init__()
        self.plot = TrainingCurvesPlot(title=title)
        self.fig = self.plot.fig
        self.epochs = 0
        self.ui = widgets.VBox([self.image])
        if history is None:
            self.redraw()
        else:
            self.update(history)

    def update(self, history) -> None:
        """Show the curves so far (``history``: a History or its ``as_dict()``)."""
        self.plot.update(history)
        self.epochs = len(history.get("loss", []) if isinstance(history, dict) else history.loss)
        self.redraw()
