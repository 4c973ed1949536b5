"""The networks of the course, built from :mod:`lessons_lib.nn.layers`, and their stored weights.

:func:`detector_cnn` is lesson 04's network for the detector events;
:func:`dense_baseline` is the same job without convolutions, to compare with.
:func:`live_budget` says how much of that training a lesson runs live.
The weights trained by ``tools/train_detector_cnn.py`` are in ``data/`` (installed with
the package as ``lessons_lib.data``) and load with :func:`load_detector_cnn`, so later
lessons need not retrain.
"""

from __future__ import annotations

from dataclasses import dataclass

from lessons_lib import _platform
from lessons_lib._data import REBUILD, data_path
from lessons_lib._files import NUMBER, as_path, check_json, read_json
from lessons_lib.nn.io import load
from lessons_lib.nn.layers import Conv2D, Dense, Flatten, MaxPool2D, ReLU, Sequential

DETECTOR_WEIGHTS = data_path("detector_cnn.npz")
"""The trained weights, as ``tools/train_detector_cnn.py`` wrote them to ``data/``."""
DETECTOR_METRICS = data_path("detector_cnn.json")
"""The metrics of those weights (validation and test results, data seeds, training settings)."""
# What the lessons and tests read from the metrics, stored both in the .json and with the
# weights; a file without one of these entries is refused by name. Each part of the
# course split (lessons_lib.splits) records its size and seed; validation and test also
# their count of right answers, so that an accuracy prints with its interval. The
# weights were chosen on validation (early stopping: `best_epoch` of `epochs`); the test
# entries, with the test confusion matrix (rows true class, columns predicted), come
# from the one look at the test events after that choice.
_METRICS_SCHEMA = {
    "test_accuracy": NUMBER,
    "test": {"events": int, "data_seed": int, "correct": int},
    "validation_accuracy": NUMBER,
    "validation": {"events": int, "data_seed": int, "correct": int},
    "train": {"events": int, "data_seed": int},
    "epochs": int,
    "best_epoch": int,
    "confusion_matrix": [[int]],
}


def detector_cnn(num_classes=3, *, image_size=64, rng=0) -> Sequential:
    """Lesson 04's CNN: three convolution blocks, then one dense layer.

    ``Conv(1→8, 5x5, stride 2) → ReLU → MaxPool`` shrinks a 64 x 64 event to 16 x 16
    while finding track segments; two ``Conv 3x3 → ReLU → MaxPool`` blocks combine
    them into curves, blobs and prongs; ``Flatten → Dense`` maps those features to
    class scores (logits).

    Parameters
    ----------
    num_classes : int, default 3
    image_size : int, default 64
        Height and width of the input events, a multiple of 16.
    rng : int, default 0
        Seed of the initial weights (each layer gets its own seed from it).

    Returns
    -------
    model : Sequential

    Examples
    --------
    >>> model = detector_cnn()
    >>> model.num_params, model.output_shape((1, 64, 64))
    (7555, (3,))
    """
    if image_size % 16:
        raise ValueError(f"image_size must be a multiple of 16, got {image_size!r}")
    side = image_size // 16
    return Sequential([
        # The first layer's input is the data: no gradient needed for it.
        Conv2D(1, 8, 5, stride=2, padding=2, rng=rng, input_grad=False),
        ReLU(),
        MaxPool2D(2, 2),
        Conv2D(8, 16, 3, padding=1, rng=rng + 1),
        ReLU(),
        MaxPool2D(2, 2),
        Conv2D(16, 32, 3, padding=1, rng=rng + 2),
        ReLU(),
        MaxPool2D(2, 2),
        Flatten(),
        Dense(32 * side * side, num_classes, init="glorot", rng=rng + 3),
    ])


def dense_baseline(num_classes=3, *, image_size=64, hidden=64, rng=0) -> Sequential:
    """A network without convolutions: every pixel connected to ``hidden`` units.

    Examples
    --------
    >>> dense_baseline().num_params
    262403
    """
    return Sequential([
        Flatten(),
        Dense(image_size * image_size, hidden, rng=rng),
        ReLU(),
        Dense(hidden, num_classes, init="glorot", rng=rng + 1),
    ])


@dataclass(frozen=True)
class LiveBudget:
    """How much training a lesson runs while the room waits, and what that run reaches.

    Attributes
    ----------
    events : int
        Train on the first ``events`` training events of the course split.
    epochs : int
        Passes over them.
    accuracy : float
        The share of the 2,000 validation events that the network gets right after such
        a run, with its lesson's learning rate, with a margin (a floor to check, not a
        promise to the digit).
    """

    events: int
    epochs: int
    accuracy: float

    def __str__(self) -> str:
        return f"{self.epochs} epochs on {self.events:,} training events"


# network → (natively, in the browser). Natively lesson 04's CNN trains 6 epochs on the
# 10,000 training events in about fifteen seconds on two cores (97.8 % right); the
# browser runs numpy on one thread without a BLAS library (lessons_lib._platform), where
# that run takes over two minutes: 3 epochs on 4,000 events take about 25 s (90.9 % right,
# the dense baseline given the same budget 86.1 %). Lesson 06's short ViT run (69 % right
# natively) took 21 s of the page's 42 s Run all; on 600 events (and measured on 1,000
# validation events) it takes 11 s there, and still learns (50 % right, chance is a
# third).
_BUDGETS = {
    "detector_cnn": (LiveBudget(events=10_000, epochs=6, accuracy=0.95),
                     LiveBudget(events=4_000, epochs=3, accuracy=0.85)),
    "tiny_vit": (LiveBudget(events=1_500, epochs=2, accuracy=0.6),
                 LiveBudget(events=600, epochs=2, accuracy=0.4)),
}


def live_budget(network: str = "detector_cnn") -> LiveBudget:
    """How long a lesson trains ``network`` live: less in the browser edition.

    Parameters
    ----------
    network : {"detector_cnn", "tiny_vit"}
        Lesson 04's CNN (:func:`detector_cnn`) or lesson 06's short run of
        :func:`lessons_lib.nn.transformer.tiny_vit`.

    Returns
    -------
    LiveBudget

    Examples
    --------
    >>> budget = live_budget()
    >>> print(budget)
    6 epochs on 10,000 training events
    >>> budget.accuracy
    0.95
    >>> print(live_budget("tiny_vit"))
    2 epochs on 1,500 training events
    """
    if network not in _BUDGETS:
        raise ValueError(f"network must be one of {sorted(_BUDGETS)}, not {network!r}")
    native, browser = _BUDGETS[network]
    return browser if _platform.in_browser() else native


def load_detector_cnn(path=DETECTOR_WEIGHTS) -> tuple[Sequential, dict]:
    """The trained detector CNN from ``data/`` and its metadata (accuracies, seeds...).

    ``make weights`` trained it on the training part of
    :func:`lessons_lib.splits.course_split`, chose its epoch on the validation part
    (early stopping) and then evaluated it once on the test part.

    Parameters
    ----------
    path : str or Path, default :data:`DETECTOR_WEIGHTS`

    Returns
    -------
    model : Sequential
        In evaluation mode.
    metadata : dict
        At least these entries (the same as :func:`detector_metrics`):

        - ``"train"``: ``{"events", "data_seed"}`` of the events the weights were
          fitted to;
        - ``"validation"``: ``{"events", "data_seed", "correct"}`` and
          ``"validation_accuracy"`` (= correct / events): what the choices were made on;
        - ``"epochs"``, ``"best_epoch"``: epochs run, and the one whose weights were
          kept (the lowest validation loss);
        - ``"test"``: ``{"events", "data_seed", "correct"}``, ``"test_accuracy"`` and
          ``"confusion_matrix"`` (3 x 3, rows true class, columns predicted): the
          one evaluation on the test events.

        Also stored: ``"split"``, ``"history"``, ``"stopping"``, the optimiser and the
        command that wrote it.

    Raises
    ------
    FileNotFoundError
        If the file is missing, naming the command that writes it.
    ValueError
        If the file cannot be used (damaged, other arrays, metadata without one of the
        entries above...), naming the file and that command.
    """
    path = as_path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: create it with "
                                f"{REBUILD['detector_cnn.npz']}")
    model = detector_cnn()
    metadata = load(model, path, rebuild=REBUILD["detector_cnn.npz"])
    check_json(metadata, _METRICS_SCHEMA, path=path, rebuild=REBUILD["detector_cnn.npz"])
    return model.eval(), metadata


def detector_metrics(path=DETECTOR_METRICS) -> dict:
    """The metrics reported when the stored weights were trained (a JSON file).

    Raises
    ------
    FileNotFoundError
        If the file is missing, naming the command that writes it.
    ValueError
        If it is not JSON, or lacks one of the entries :func:`load_detector_cnn` lists:
        one error naming the entry, the file and that command.
    """
    path = as_path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: create it with "
                                f"{REBUILD['detector_cnn.json']}")
    return read_json(path, rebuild=REBUILD["detector_cnn.json"], schema=_METRICS_SCHEMA)
