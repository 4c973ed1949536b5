r"""Training a classifier: mini-batch gradient descent on the softmax cross-entropy.

One training step, for a batch ``x`` of images with labels ``y``:

1. forward: ``logits = model(x)``, shape (N, C);
2. loss: :math:`J = \frac{1}{N}\sum_i -\log \mathrm{softmax}(z_i)_{y_i}`
   (:func:`lessons_lib.losses.softmax_cross_entropy`);
3. backward: ``model.backward(dJ/dlogits)`` fills every ``layer.grads``;
4. update: the optimiser moves every parameter against its gradient.

:func:`fit` repeats that over shuffled mini-batches for a number of epochs, keeps a
:class:`History` of the loss and accuracy on the training and validation sets, can stop
early when the validation loss stops improving, and stops with :class:`TrainingDiverged`
(and a message saying what to change) when the loss blows up.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field

import numpy as np

from lessons_lib._validate import as_array, brief, positive_int
from lessons_lib.fast import parallel
from lessons_lib.losses import softmax, softmax_cross_entropy, softmax_cross_entropy_backward
from lessons_lib.nn.layers import Layer, _cast, _flag, _real, _rng
from lessons_lib.nn.optim import Adam, Optimizer

# The loss may wander above its starting value early on, but a loss this many times
# the first batch's loss means the updates are overshooting, not learning.
DIVERGENCE_FACTOR = 20.0

MAX_EPOCHS = 10_000
"""The most epochs :func:`fit` runs: far beyond any lesson's (6 to 10); more is a typo."""


class TrainingDiverged(RuntimeError):
    """The loss became non-finite or exploded: the run cannot recover."""


@dataclass
class History:
    """Loss and accuracy per epoch, on the training batches and the validation set.

    Attributes
    ----------
    loss, accuracy : list of float
        Means over the epoch's training batches (measured while the weights move,
        with dropout active).
    val_loss, val_accuracy : list of float
        On the validation set after each epoch (empty without validation data).
    best_epoch : int or None
        Index of the epoch with the lowest validation loss.
    stopped_early : bool
        True when early stopping ended the run before ``epochs``.
    """

    loss: list = field(default_factory=list)
    accuracy: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    best_epoch: int | None = None
    stopped_early: bool = False

    @property
    def epochs(self) -> int:
        """Number of epochs run."""
        return len(self.loss)

    def as_dict(self) -> dict:
        """The curves as a dict of lists, e.g. to store with the weights."""
        return {"loss": self.loss, "accuracy": self.accuracy, "val_loss": self.val_loss,
                "val_accuracy": self.val_accuracy}

    def __repr__(self):
        if not self.loss:
            return "History(no epochs yet)"
        text = f"History({self.epochs} epochs: loss {self.loss[-1]:.3f}, " \
               f"accuracy {self.accuracy[-1]:.3f}"
        if self.val_loss:
            text += f", val_loss {self.val_loss[-1]:.3f}, val_accuracy {self.val_accuracy[-1]:.3f}"
        return text + (", stopped early)" if self.stopped_early else ")")


def _check_model(model):
    if not isinstance(model, Layer):
        raise TypeError(f"model must be a Layer (e.g. a Sequential), got {type(model).__name__}")
    return model


def _check_data(model, x, y, name_x="x", name_y="y", *, labels=True):
    """``x`` as float (model dtype), ``y`` as int labels in range; raise naming the problem.

    ``labels=False``: there is no ``y`` (prediction).
    """
    _check_model(model)
    x = _real(x, name_x)
    if x.ndim < 2:
        raise ValueError(f"{name_x} must be a batch (N, ...), one sample per row, got shape "
                         f"{x.shape}")
    params = list(model.params.values())
    x = _cast(x, params[0].dtype if params else np.float32, name_x)
    if not labels:
        return x, None
    if y is None:
        raise TypeError(f"{name_y} must be integer class labels, one per sample of {name_x}, "
                        f"got None")
    y = as_array(y, name_y)
    if y.dtype.kind not in "iu":
        raise TypeError(f"{name_y} must be integer class labels, got dtype {y.dtype}")
    if y.shape != (len(x),):
        raise ValueError(f"{name_y} must have shape ({len(x)},), one label per sample of "
                         f"{name_x}, got {y.shape}")
    try:
        out_shape = model.output_shape(x.shape[1:])
    except ValueError as error:
        raise ValueError(f"{name_x} has samples of shape {x.shape[1:]}, which the model "
                         f"cannot take: {error}") from None
    if len(out_shape) != 1:
        raise ValueError(f"model must give one logit per class, (N, C), for samples of "
                         f"{name_x}, but gives samples of shape {tuple(out_shape)}")
    num_classes = out_shape[0]
    if y.min() < 0 or y.max() >= num_classes:
        raise ValueError(
            f"{name_y} must hold class labels in [0, {num_classes - 1}] (the model has "
            f"{num_classes} outputs), got values from {y.min()} to {y.max()}"
        )
    return x, y.astype(np.int64)


def _batches(n, batch_size, order=None):
    order = np.arange(n) if order is None else order
    for start in range(0, n, batch_size):
        yield order[start : start + batch_size]


def _diverged(message, optimizer):
    lr = optimizer.lr
    return TrainingDiverged(
        f"training diverged: {message}. The updates overshoot instead of going downhill: "
        f"lower the learning rate (lr={lr:g} now; try lr={lr / 10:g}), or use Adam, and "
        f"check that the inputs are scaled to about [0, 1]."
    )


def train_step(model, optimizer, x, y) -> tuple[float, float]:
    """One gradient step on one batch: forward, loss, backward, update.

    Parameters
    ----------
    model : Layer
        Returns logits of shape (N, C).
    optimizer : Optimizer
        Built on ``model``.
    x : ndarray, shape (N, ...)
    y : ndarray of int, shape (N,)
        Labels in [0, C).

    Returns
    -------
    loss : float
        The batch's mean cross-entropy before the update.
    accuracy : float
        The fraction of the batch classified correctly before the update.

    Raises
    ------
    TypeError, ValueError
        Naming the argument that is not valid (as :func:`fit` checks them).
    TrainingDiverged
        When the network's outputs are infinite or NaN.
    """
    _check_optimizer(optimizer, model)
    x, y = _check_data(model, x, y)
    return _train_step(model, optimizer, x, y)


def _check_optimizer(optimizer, model):
    _check_model(model)
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be an Optimizer built on this model, e.g. "
                        f"optimizer=Adam(model, lr=0.001), got {type(optimizer).__name__}")
    if optimizer.model is not model:
        raise ValueError("optimizer must be an Optimizer built on this model, "
                         "e.g. optimizer=Adam(model, lr=0.001)")
    return optimizer


def _train_step(model, optimizer, x, y):
    """:func:`train_step` on checked arguments (``fit`` checks the whole data once)."""
    # Numbers that overflow are what a diverging run looks like: reported as one, with
    # advice (here, or by fit's check of the weights), not as numpy warnings.
    with np.errstate(over="ignore", invalid="ignore"):
        logits = model.forward(x)
        if not np.all(np.isfinite(logits)):
            raise _diverged("the network's outputs became infinite or NaN", optimizer)
        loss = softmax_cross_entropy(logits, y)
        model.zero_grad()
        model.backward(softmax_cross_entropy_backward(logits, y))
        optimizer.step()
    return loss, float(np.mean(np.argmax(logits, axis=1) == y))


def fit(model, x, y, *, epochs=10, batch_size=64, optimizer=None, validation_split=0.1,
        validation_data=None, early_stopping=None, seed=0, progress=True,
        callback=None, threads=None) -> History:
    """Train ``model`` to classify ``x`` into the labels ``y``.

    Parameters
    ----------
    model : Layer
        Maps a batch (N, ...) to logits (N, C); trained in place.
    x : array_like, shape (N, ...)
        Inputs, converted to the model's dtype (float32).
    y : array_like of int, shape (N,)
        Labels in [0, C).
    epochs : int, default 10
        Passes over the training set, at most :data:`MAX_EPOCHS`.
    batch_size : int, default 64
    optimizer : Optimizer, optional
        Default ``Adam(model, lr=0.001)``.
    validation_split : float in [0, 1), default 0.1
        Fraction of ``(x, y)`` held out (a seeded random choice) to measure
        generalisation after every epoch; ignored when ``validation_data`` is given.
    validation_data : tuple (x_val, y_val), optional
        A pair, checked as ``x`` and ``y`` are.
    early_stopping : int, optional
        Patience: stop when the validation loss has not improved for this many
        epochs, and put back the weights of the best epoch.
    seed : int >= 0 or numpy.random.Generator, default 0
        Seeds the validation split and the shuffling of the batches.
    progress : bool, default True
        Show a progress bar over the batches of each epoch (it disappears when done).
    callback : callable, optional
        ``callback(history)`` after every epoch, e.g. to update a live plot.
    threads : int or None, default None
        CPU cores to share each batch between (see :func:`lessons_lib.nn.threads`);
        None uses every available core. The result is the same for any value.

    Returns
    -------
    history : History

    Raises
    ------
    TypeError, ValueError
        Before any training, naming the argument that is not valid: data that is
        ragged, empty, not real or not finite, labels of another type or length or out
        of the model's range, ``validation_data`` that is not a pair, ``epochs`` outside
        [1, :data:`MAX_EPOCHS`], a ``callback`` that cannot be called, ...
    TrainingDiverged
        When the loss becomes non-finite or grows far above its starting value.

    Examples
    --------
    >>> from lessons_lib.nn.layers import Dense, Sequential
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(200, 2)).astype(np.float32)
    >>> y = (x[:, 0] + x[:, 1] > 0).astype(int)
    >>> model = Sequential([Dense(2, 2, init="glorot")])
    >>> history = fit(model, x, y, epochs=20, batch_size=20, progress=False,
    ...               optimizer=Adam(model, lr=0.05))
    >>> history.epochs, history.val_accuracy[-1] >= 0.9
    (20, True)
    """
    epochs = positive_int(epochs, "epochs")
    if epochs > MAX_EPOCHS:
        raise ValueError(f"epochs must be at most {MAX_EPOCHS} (MAX_EPOCHS), got {epochs}")
    batch_size = positive_int(batch_size, "batch_size")
    progress = _flag(progress, "progress")
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be a function of the history, or None, got "
                        f"{type(callback).__name__}")
    _check_model(model)
    x, y = _check_data(model, x, y)
    rng = _rng(seed, "seed")
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise TypeError(f"validation_data must be a pair (x_val, y_val), got "
                            f"{brief(validation_data)}")
        x_val, y_val = _check_data(model, *validation_data, "validation_data[0]",
                                   "validation_data[1]")
    else:
        if isinstance(validation_split, bool) or not isinstance(
            validation_split, numbers.Real
        ) or not 0 <= validation_split < 1:
            raise ValueError(f"validation_split must be in [0, 1), got {validation_split!r}")
        n_val = int(round(len(x) * validation_split))
        if n_val and len(x) - n_val < 1:
            raise ValueError("validation_split leaves no training samples")
        order = rng.permutation(len(x))
        x_val, y_val = (x[order[:n_val]], y[order[:n_val]]) if n_val else (None, None)
        x, y = x[order[n_val:]], y[order[n_val:]]
    if early_stopping is not None:
        early_stopping = positive_int(early_stopping, "early_stopping")
        if x_val is None:
            raise ValueError("early_stopping needs validation data: set validation_split > 0 "
                             "or pass validation_data")
    optimizer = Adam(model) if optimizer is None else _check_optimizer(optimizer, model)

    with parallel.threads(threads):
        history = _train(model, optimizer, x, y, x_val, y_val, epochs, batch_size,
                         early_stopping, rng, progress, callback)
    model.eval()
    return history


def _train(model, optimizer, x, y, x_val, y_val, epochs, batch_size, early_stopping, rng,
           progress, callback):
    history = History()
    best_loss, best_params, first_loss = math.inf, None, None
    for epoch in range(epochs):
        model.train()
        batches = _batches(len(x), batch_size, rng.permutation(len(x)))
        total = -(-len(x) // batch_size)
        bar = _progress(batches, total, f"epoch {epoch + 1}/{epochs}", progress)
        losses, correct = [], 0.0
        for batch_index, rows in enumerate(bar):
            loss, accuracy = _train_step(model, optimizer, x[rows], y[rows])
            first_loss = loss if first_loss is None else first_loss
            if not math.isfinite(loss) or loss > DIVERGENCE_FACTOR * max(first_loss, 0.1):
                raise _diverged(f"at epoch {epoch + 1}, batch {batch_index + 1}, the loss "
                                f"reached {loss:.3g} (it started at {first_loss:.3g})", optimizer)
            losses.append(loss * len(rows))
            correct += accuracy * len(rows)
            if progress:
                bar.set_postfix(loss=f"{loss:.3f}", refresh=False)
        if not all(np.isfinite(p).all() for p in model.params.values()):
            raise _diverged(f"at epoch {epoch + 1}, the weights became infinite or NaN",
                            optimizer)
        history.loss.append(float(sum(losses) / len(x)))
        history.accuracy.append(float(correct / len(x)))
        if x_val is not None:
            scores = evaluate(model, x_val, y_val, batch_size=max(batch_size, 256))
            history.val_loss.append(scores["loss"])
            history.val_accuracy.append(scores["accuracy"])
            if scores["loss"] < best_loss:
                best_loss, history.best_epoch = scores["loss"], epoch
                if early_stopping is not None:
                    best_params = {k: v.copy() for k, v in model.params.items()}
        if callback is not None:
            callback(history)
        if early_stopping is not None and epoch - history.best_epoch >= early_stopping:
            history.stopped_early = epoch < epochs - 1
            break
    if best_params is not None:
        for name, value in model.params.items():
            value[...] = best_params[name]
    return history


def _progress(iterable, total, description, enabled):
    if not enabled:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, total=total, desc=description, leave=False, unit="batch")


def predict_logits(model, x, *, batch_size=256) -> np.ndarray:
    """The model's outputs (logits), in evaluation mode, batch by batch.

    Parameters
    ----------
    model : Layer
    x : array_like, shape (N, ...)
    batch_size : int, default 256

    Returns
    -------
    logits : ndarray, shape (N, C)

    Raises
    ------
    TypeError, ValueError
        If ``model`` is not a Layer, ``x`` is not a non-empty, finite, real batch, or
        ``batch_size`` is not an int >= 1.
    """
    batch_size = positive_int(batch_size, "batch_size")
    x, _ = _check_data(model, x, None, labels=False)
    was_training = model.training
    model.eval()
    try:
        with parallel.threads():
            return np.concatenate([model.forward(x[rows])
                                   for rows in _batches(len(x), batch_size)])
    finally:
        model._set_training(was_training)


def predict_proba(model, x, *, batch_size=256) -> np.ndarray:
    """Class probabilities, ``softmax(logits)``: shape (N, C), rows sum to 1.

    Arguments and errors as :func:`predict_logits`.
    """
    return softmax(predict_logits(model, x, batch_size=batch_size), axis=1)


def predict(model, x, *, batch_size=256) -> np.ndarray:
    """Predicted class of each sample, the most probable one: int array of shape (N,).

    Arguments and errors as :func:`predict_logits`.

    Examples
    --------
    >>> from lessons_lib.nn.layers import Dense
    >>> layer = Dense(2, 2)
    >>> layer.params["W"][...] = [[1, 0], [0, 1]]
    >>> predict(layer, [[3.0, 1.0], [0.0, 2.0]])
    array([0, 1])
    """
    return np.argmax(predict_logits(model, x, batch_size=batch_size), axis=1)


def evaluate(model, x, y, *, batch_size=256) -> dict:
    """Mean cross-entropy loss and accuracy of ``model`` on ``(x, y)``, in evaluation mode.

    Returns
    -------
    scores : dict
        ``{"loss": float, "accuracy": float}``.

    Raises
    ------
    TypeError, ValueError
        As :func:`fit` for ``model``, ``x`` and ``y``.
    """
    x, y = _check_data(model, x, y)
    logits = predict_logits(model, x, batch_size=batch_size)
    return {"loss": softmax_cross_entropy(logits, y),
            "accuracy": float(np.mean(np.argmax(logits, axis=1) == y))}
