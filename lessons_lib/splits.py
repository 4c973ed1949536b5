"""The course's one split of the detector events: train, validation, test.

Lessons 04 to 07 and the tools that store their results (``make weights``,
``make sweeps``) all use :func:`course_split`. The three parts play three roles:

- **train**: the events a network's weights are fitted to;
- **validation**: the events every choice is made on (a threshold, an architecture,
  a number of epochs, a learning rate, which errors to study);
- **test**: looked at once, at the end, to report how the chosen model does on events
  that played no part in any choice.

The test events are not handed out as arrays: :meth:`EventSplit.evaluate_test` runs
a model over them and returns its outputs with the labels, and counts the call. A
lesson that evaluates on test twice shows it in :func:`evaluation_log`, which the
course's tests read after running each lesson.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from lessons_lib import detector
from lessons_lib._validate import positive_int
from lessons_lib.datasets import detector_events

COURSE_SPLIT = {"train": (10000, 0), "validation": (2000, 2), "test": (2000, 1)}
"""Each part of the course split as (number of events, seed of
:func:`~lessons_lib.datasets.detector_events`). The seeds differ, so no event is in two
parts; the test part is the 2,000 events lesson 04 has always reported on."""

PARTS = ("train", "validation", "test")

_EVALUATIONS: list[Evaluation] = []


class Evaluation(NamedTuple):
    """One pass of a model over a split's test events.

    Attributes
    ----------
    outputs : ndarray, shape (n_test, ...)
        What ``predict`` returned for the test images, in order.
    labels : ndarray of int64, shape (n_test,)
        The test events' true labels.
    split : str
        The split's description (:attr:`EventSplit.name`).
    """

    outputs: np.ndarray
    labels: np.ndarray
    split: str


class EventSplit:
    """Simulated detector events in three seeded parts: train, validation and test.

    Parameters
    ----------
    parts : dict, default :data:`COURSE_SPLIT`
        ``{"train": (n, seed), "validation": (n, seed), "test": (n, seed)}``.
    name : str, default "course split"
        How the split is named in :func:`evaluation_log`.
    **simulation
        Passed to :func:`~lessons_lib.datasets.detector_events` for every part
        (``image_size``, ``noise``, ``class_mix``, ``view``).

    Attributes
    ----------
    train, validation : tuple (images (n, 1, S, S) float32, labels (n,) int64)
        Simulated when first used, then kept.
    class_names : tuple of str
    test_size : int

    Raises
    ------
    TypeError, ValueError
        If ``parts`` does not give a positive count and a seed >= 0 for exactly the
        three parts, or a simulation setting is not valid (named as in
        :func:`~lessons_lib.datasets.detector_events`).

    Examples
    --------
    >>> split = EventSplit({"train": (6, 0), "validation": (4, 2), "test": (4, 1)},
    ...                    name="example", image_size=16)
    >>> split.train[0].shape, split.validation[1].shape
    ((6, 1, 16, 16), (4,))
    >>> result = split.evaluate_test(lambda images: images.mean(axis=(1, 2, 3)) > 0)
    >>> result.outputs.shape, result.labels.shape, split.test_evaluations
    ((4,), (4,), 1)
    """

    def __init__(self, parts=None, *, name="course split", **simulation):
        parts = COURSE_SPLIT if parts is None else parts
        if not isinstance(parts, dict) or set(parts) != set(PARTS):
            raise ValueError(f"parts must be a dict with the keys {PARTS}, got {parts!r}")
        self.parts = {}
        for part in PARTS:
            value = parts[part]
            if not isinstance(value, (tuple, list)) or len(value) != 2:
                raise TypeError(f"parts[{part!r}] must be (number of events, seed), "
                                f"got {value!r}")
            self.parts[part] = (positive_int(value[0], f"parts[{part!r}] events"),
                                positive_int(value[1], f"parts[{part!r}] seed", minimum=0))
        if len({seed for _, seed in self.parts.values()}) != len(PARTS):
            raise ValueError(f"parts must have three different seeds (an event in two parts "
                             f"would be seen twice), got {parts!r}")
        self.name = str(name)
        self.simulation = dict(simulation)
        # A tiny simulation checks every setting now, not at the first use of a part.
        _, _, self.class_names = detector_events(1, seed=0, **self.simulation)
        self.test_evaluations = 0

    def __repr__(self):
        settings = "".join(f", {k}={v!r}" for k, v in self.simulation.items())
        return f"EventSplit({self.parts!r}, name={self.name!r}{settings})"

    def _part(self, part):
        n, seed = self.parts[part]
        images, labels, _ = detector_events(n, seed=seed, **self.simulation)
        return images, labels

    @functools.cached_property
    def train(self) -> tuple[np.ndarray, np.ndarray]:
        return self._part("train")

    @functools.cached_property
    def validation(self) -> tuple[np.ndarray, np.ndarray]:
        return self._part("validation")

    @property
    def test_size(self) -> int:
        return self.parts["test"][0]

    def evaluate_test(self, predict: Callable[[np.ndarray], np.ndarray]) -> Evaluation:
        """Run ``predict`` once over the test images; count it as one test evaluation.

        Parameters
        ----------
        predict : callable
            ``predict(images)`` with images (n_test, 1, S, S) returns one output per
            event: labels (n_test,), probabilities (n_test, C), ...

        Returns
        -------
        Evaluation
            ``(outputs, labels, split)``; any number of metrics computed from it is
            still one evaluation.

        Raises
        ------
        TypeError
            If ``predict`` is not callable.
        ValueError
            If ``predict`` does not return one output per test event.
        """
        if not callable(predict):
            raise TypeError(f"predict must be a function of the test images, got "
                            f"{type(predict).__name__}")
        images, labels = self._part("test")
        outputs = np.asarray(predict(images))
        if outputs.ndim == 0 or len(outputs) != len(labels):
            raise ValueError(f"predict must return one output per test event "
                             f"({len(labels)}), got shape {outputs.shape}")
        self.test_evaluations += 1
        evaluation = Evaluation(outputs, labels, self.name)
        _EVALUATIONS.append(evaluation)
        return evaluation


def course_split(image_size=64) -> EventSplit:
    """The course's split (:data:`COURSE_SPLIT`), the same object on every call.

    Parameters
    ----------
    image_size : int, default 64
        Pads per side. Lesson 07's sweeps use the same events at 32 × 32 to afford
        many training runs; every other network sees 64 × 64.

    Returns
    -------
    EventSplit
        3-class labels (0 proton, 1 carbon, 2 other), the default class mix and noise.
    """
    return _course_split(positive_int(image_size, "image_size", minimum=16))


@functools.cache
def _course_split(image_size: int) -> EventSplit:
    name = "course split" if image_size == 64 else f"course split, {image_size} × {image_size}"
    return EventSplit(COURSE_SPLIT, name=name, image_size=image_size,
                      class_mix=detector.DEFAULT_CLASS_MIX)


def evaluation_log() -> tuple[Evaluation, ...]:
    """Every test evaluation made in this process so far, oldest first."""
    return tuple(_EVALUATIONS)
