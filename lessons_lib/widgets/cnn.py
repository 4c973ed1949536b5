"""Lesson 04's interactive views: live training curves and a feature-map explorer."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from lessons_lib._validate import positive_int
from lessons_lib.nn.layers import ReLU, Sequential
from lessons_lib.nn.training import predict_proba
from lessons_lib.plots.cnn import FeatureMapsPlot, TrainingCurvesPlot, confidence
from lessons_lib.widgets import IntSlider, View


class TrainingCurves(View):
    """Loss and accuracy curves that grow while a network trains.

    Display the view, then pass its :meth:`update` to ``fit`` as the callback:
    the figure is redrawn after every epoch.

    Parameters
    ----------
    epochs : int
        The number of epochs the run will take (the x axis).

    Attributes
    ----------
    plot : TrainingCurvesPlot
    status : Label
        "epoch k / n" and the latest numbers.

    Examples
    --------
    >>> from lessons_lib.nn import History
    >>> view = TrainingCurves(epochs=3)
    >>> view.update(History(loss=[0.9], accuracy=[0.6], val_loss=[0.7], val_accuracy=[0.7]))
    >>> view.status.value
    'epoch 1 / 3: training loss 0.900, validation accuracy 0.700'
    """

    ALT = ('Training and validation loss and accuracy against the epoch, growing while the '
           "network trains, under a title with the latest epoch's numbers.")

    def __init__(self, epochs):
        super().__init__()
        self.plot = TrainingCurvesPlot(epochs)
        self.epochs = self.plot.epochs
        self.fig = self.plot.fig
        self.status = widgets.Label(value="waiting for the first epoch")
        self.ui = widgets.VBox([self.status, self.image])
        self.redraw()

    def update(self, history):
        """Show ``history``; use as ``fit(..., callback=view.update)``."""
        self.plot.update(history)
        if not history.loss:
            self.status.value = "waiting for the first epoch"
            self.redraw()
            return
        text = (f"epoch {history.epochs} / {max(self.epochs, history.epochs)}: "
                f"training loss {history.loss[-1]:.3f}")
        if history.val_accuracy:
            text += f", validation accuracy {history.val_accuracy[-1]:.3f}"
        self.status.value = text
        self.redraw()


class FeatureMapExplorer(View):
    """Pick an event and see what each convolution block of the network makes of it.

    Parameters
    ----------
    model : Sequential
        A trained CNN whose ReLU outputs are shown (one row per ReLU).
    images : ndarray, shape (N, 1, H, W)
    labels : ndarray of int, shape (N,)
    class_names : sequence of str
    channels : int, default 6
    event : int, default 0
        The event shown first, an index into ``images``.

    Raises
    ------
    ValueError
        If ``images`` is not (N, 1, H, W), ``labels`` not (N,), ``event`` out of range,
        ``channels`` more than a layer has, or the model has no convolutional ReLU outputs.

    Attributes
    ----------
    event : IntSlider
        Index of the event shown.
    plot : FeatureMapsPlot
    verdict : Label
        The true class and the network's prediction with its probability.
    """

    ALT = ("A detector event and, for each of the network's three convolution blocks, the "
           'feature maps of its first channels, each on its own scale from dark for zero to '
           'yellow for its largest value.')

    def __init__(self, model, images, labels, class_names, *, channels=6, event=0):
        super().__init__()
        self.model, self.images = model, np.asarray(images)
        self.labels, self.class_names = np.asarray(labels), tuple(class_names)
        if self.images.ndim != 4 or len(self.images) == 0:
            raise ValueError(f"images must be a non-empty batch shaped (N, 1, H, W), got shape "
                             f"{self.images.shape}")
        if self.labels.shape != (len(self.images),):
            raise ValueError(f"labels must have shape ({len(self.images)},), one per image, got "
                             f"{self.labels.shape}")
        if not isinstance(model, Sequential):
            raise TypeError(f"model must be a Sequential, got {type(model).__name__}")
        self.relus = [i for i, layer in enumerate(model) if isinstance(layer, ReLU)]
        if not self.relus:
            raise ValueError("model must have ReLU layers: their outputs are the feature maps "
                             "shown")
        event = positive_int(event, "event", minimum=0)
        if event >= len(self.images):
            raise ValueError(f"event must be an index in [0, {len(self.images) - 1}], got {event}")
        self.event = IntSlider(value=event, min=0, max=len(self.images) - 1,
                                       description="event", continuous_update=False)
        self.verdict = widgets.Label()
        image, maps = self._maps(self.event.value)
        flat = [name for name, fmap in maps if fmap.ndim != 3]
        if flat:
            raise ValueError(f"model's ReLU outputs must be feature maps (C, h, w), but "
                             f"{', '.join(flat)} gives vectors: use a convolutional network")
        self.plot = FeatureMapsPlot(image, maps, channels=channels)
        self.fig = self.plot.fig
        self._describe(self.event.value)
        self.ui = widgets.VBox([widgets.HBox([self.event, self.verdict]), self.image])
        self.event.observe(self._on_event, names="value")
        self.redraw()

    def _maps(self, index):
        outputs = self.model.activations(self.images[index : index + 1])
        maps = [(f"block {k + 1}", outputs[i][0]) for k, i in enumerate(self.relus)]
        return self.images[index, 0], maps

    def _describe(self, index):
        proba = predict_proba(self.model, self.images[index : index + 1])[0]
        guess = int(np.argmax(proba))
        self.verdict.value = (f"true: {self.class_names[self.labels[index]]}, predicted: "
                              f"{self.class_names[guess]} ({confidence(proba[guess])})")

    def _on_event(self, change):
        self.plot.update(*self._maps(change["new"]))
        self._describe(change["new"])
        self.redraw()
