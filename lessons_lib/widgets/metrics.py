"""Lesson 05's interactive views: a decision-threshold explorer and a class-imbalance explorer."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from lessons_lib.metrics import accuracy, binary_counts, metrics_at_prevalence
from lessons_lib.plots.metrics import ImbalancePlot, ThresholdPlot
from lessons_lib.widgets import FloatLogSlider, FloatSlider, View


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


class ThresholdExplorer(View):
    """Move the decision threshold on a score and watch every metric follow.

    An event is predicted positive when its score is at least the threshold. The view
    shows the score histograms of both true classes with the threshold, the binary
    confusion matrix (TP FN / FP TN), and the operating point on the precision-recall
    and ROC curves.

    Parameters
    ----------
    y_true : array_like, shape (N,)
        True labels; ``pos_label`` is positive, every other label negative.
    scores : array_like of float in [0, 1], shape (N,)
        The model's probability of the positive class.
    pos_label : int, bool or str, default 1
    class_names : pair of str, default ("proton", "not proton")
        Names of the positive and the negative class.
    threshold : float, default 0.5

    Attributes
    ----------
    threshold : FloatSlider
    counts : BinaryCounts
        TP, FN, FP, TN at the current threshold.
    scores : dict of str to float
        "accuracy", "precision", "recall", "f1", "fpr" at the current threshold.
    plot : ThresholdPlot
        The figure: histograms, confusion matrix, precision-recall and ROC curves.
    """

    ALT = ('At the chosen decision threshold: histograms of the proton score for each true class '
           'with the threshold as a vertical line, the confusion matrix it gives, and the '
           'precision-recall and ROC curves with the current point marked, under a title with '
           'accuracy, precision, recall and F1.')

    def __init__(self, y_true, scores, *, pos_label=1, class_names=("proton", "not proton"),
                 threshold=0.5):
        super().__init__()
        self.positive = np.asarray(y_true) == pos_label
        self.score_values = np.asarray(scores, dtype=float)
        if self.positive.shape != self.score_values.shape:
            raise ValueError(f"y_true and scores must have the same shape, got "
                             f"{self.positive.shape} and {self.score_values.shape}")
        self.threshold = FloatSlider(value=threshold, min=0.0, max=1.0, step=0.01,
                                             description="threshold", readout_format=".2f")
        self.plot = ThresholdPlot(self.positive, self.score_values, class_names)
        self.fig = self.plot.fig
        self.ui = widgets.VBox([self.threshold, self.image])
        self.update()
        self.threshold.observe(lambda change: self.update(), names="value")

    def update(self) -> None:
        """Recompute the matrix and metrics at the slider's threshold and redraw."""
        t = self.threshold.value
        predicted = self.score_values >= t
        c = binary_counts(self.positive, predicted, pos_label=True)
        self.counts = c
        p, r = _ratio(c.TP, c.TP + c.FP), _ratio(c.TP, c.TP + c.FN)
        self.scores = {
            "accuracy": accuracy(self.positive, predicted),
            "precision": p,
            "recall": r,
            "f1": _ratio(2 * c.TP, 2 * c.TP + c.FP + c.FN),
            "fpr": _ratio(c.FP, c.FP + c.TN),
        }
        self.plot.update(t, [[c.TP, c.FN], [c.FP, c.TN]], self.scores)
        self.redraw()


class ImbalanceExplorer(View):
    """Make the positive class rarer or commoner and watch accuracy drift away from F1.

    The classifier is summarised by its two rates, which do not depend on the class
    balance: recall (true-positive rate) and false-positive rate. The view draws the
    metrics it would reach at every fraction of positives, the accuracy of the lazy
    model that always answers the negative class, and the expected confusion matrix of
    ``n_events`` events at the slider's fraction.

    Parameters
    ----------
    tpr, fpr : float
        True-positive rate and false-positive rate of the classifier, in [0, 1].
    prevalence : float, default 0.02
        Initial fraction of positives.
    n_events : int, default 10000
    class_names : pair of str, default ("proton", "not proton")

    Attributes
    ----------
    prevalence : FloatLogSlider
    metrics : dict
        :func:`lessons_lib.metrics.metrics_at_prevalence` at the current fraction.
    counts : ndarray of float, shape (2, 2)
        The expected confusion matrix (TP FN / FP TN) of ``n_events`` events, not
        rounded (rounded counts would contradict the rates: shown with one decimal).
    plot : ImbalancePlot
        The figure: the metrics against the fraction of positives, the confusion matrix.
    """

    ALT = ('Accuracy, precision, recall and F1 against the fraction of positives on a log scale, '
           "beside the accuracy of always answering 'not proton', with the chosen fraction "
           'marked, and the expected confusion matrix of 10,000 events at that fraction.')

    GRID = np.geomspace(0.001, 0.5, 200)

    def __init__(self, tpr, fpr, *, prevalence=0.02, n_events=10_000,
                 class_names=("proton", "not proton")):
        super().__init__()
        self.tpr, self.fpr, self.n_events = float(tpr), float(fpr), int(n_events)
        self.prevalence = FloatLogSlider(
            value=prevalence, base=10, min=-3, max=np.log10(0.5), step=0.01,
            description="positives", readout_format=".3f")
        curve = metrics_at_prevalence(self.tpr, self.fpr, self.GRID)
        # Recall is drawn last and dotted: when recall = 1 − FPR it lies on accuracy.
        self._names = {"accuracy": "accuracy", "f1": "F1", "precision": "precision",
                       "recall": "recall"}
        lines = {label: curve[key] for key, label in self._names.items()}
        self._lazy = f"always '{class_names[1]}': accuracy"
        lines[self._lazy] = 1 - self.GRID
        self.plot = ImbalancePlot(self.GRID, lines, class_names, self.n_events,
                                  styles={"recall": ":", self._lazy: "--"})
        self.fig = self.plot.fig
        self.ui = widgets.VBox([self.prevalence, self.image])
        self.update()
        self.prevalence.observe(lambda change: self.update(), names="value")

    def update(self) -> None:
        """Recompute the metrics at the slider's fraction of positives and redraw."""
        pi = self.prevalence.value
        self.metrics = metrics_at_prevalence(self.tpr, self.fpr, pi)
        values = {label: self.metrics[key] for key, label in self._names.items()}
        values[self._lazy] = 1 - pi
        self.counts = np.reshape(self.metrics["counts"], (2, 2)) * self.n_events
        self.plot.update(pi, values, self.counts)
        self.redraw()
