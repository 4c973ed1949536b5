r"""Softmax and the loss functions of the slides, each with its gradient.

The slides write, for ``N`` predictions :math:`\hat y_i` of targets :math:`y_i`,

.. math::

    \text{MSE} = \frac{1}{N} \sum_i (\hat y_i - y_i)^2, \qquad
    \text{MAE} = \frac{1}{N} \sum_i |\hat y_i - y_i|, \qquad
    \mathcal{L}(\mathbf{y}, \hat{\mathbf{y}}) = -\sum_{i=1}^N \sum_{j=1}^C y_{ij} \log \hat y_{ij},

and :math:`\text{Softmax}(\mathbf{x})_i = e^{x_i} / \sum_{j=1}^C e^{x_j}`.

Conventions used here (and by every training loop of the course):

- the index ``i`` runs over the ``N`` samples (the slides' ``i = 0 … N`` with a division by
  ``N`` counts ``N + 1`` terms; the intended meaning is a mean over ``N`` samples);
- every loss is a **mean** over samples. The slides' cross-entropy is a *sum*; the mean is
  that sum divided by ``N``, so the learning rate does not have to change with the batch size;
- each loss ``f`` has a gradient ``f_backward`` next to it, with respect to the prediction
  (``y_hat``, or the logits for :func:`softmax_cross_entropy`), of the mean.

:func:`softmax` and :func:`softmax_cross_entropy` subtract the largest logit before
exponentiating, so logits of ±1e4 stay finite in float32 and float64; float32 inputs give
float32 outputs.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from lessons_lib._validate import (
    as_array,
    as_float_array,
    brief,
    check_memory,
    positive_int,
    real_number,
    refuse_overflow,
)

# Probabilities are clipped to [EPS, 1] before the logarithm in cross_entropy:
# log(0) = -inf would turn one confident mistake into an infinite (then NaN) loss.
EPS = 1e-12
# Probability rows may miss 1 by rounding (a float32 softmax) but not by more.
_SUM_TOLERANCE = 1e-4


def _as_real(value, name: str, *, ndim=None) -> np.ndarray:
    """``value`` as a finite float array: float32 is kept, other reals become float64."""
    return as_float_array(value, name, ndim=ndim, keep_float32=True)


def _same_shape(y_hat: np.ndarray, y: np.ndarray, names=("y_hat", "y")) -> None:
    if y_hat.shape != y.shape:
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same shape, "
            f"got {y_hat.shape} and {y.shape}"
        )


def _check_axis(axis, array: np.ndarray, name: str) -> int:
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, numbers.Integral):
        raise TypeError(f"axis must be an integer, got {brief(axis)}")
    if not -array.ndim <= axis < array.ndim:
        raise ValueError(f"axis must be in [{-array.ndim}, {array.ndim - 1}] for {name} of shape "
                         f"{array.shape}, got {axis}")
    return int(axis)


def softmax(z, axis=-1, *, temperature=1.0) -> np.ndarray:
    r"""Turn logits into probabilities along ``axis``: :math:`e^{z_i / T} / \sum_j e^{z_j / T}`.

    The largest logit is subtracted first. That changes nothing mathematically
    (:math:`e^{z_i - m} / \sum_j e^{z_j - m}` is the same fraction) but keeps every
    exponent ≤ 0, so ``exp`` cannot overflow: ``np.exp(1000.0)`` is ``inf`` while
    ``softmax([1000.0, 0.0])`` is ``[1, 0]``.

    Parameters
    ----------
    z : array_like, any shape with at least one dimension
        Logits (real numbers).
    axis : int, default -1
        The axis along which the probabilities sum to one (the class axis).
    temperature : float, default 1.0
        ``T > 0``. Large ``T`` flattens the distribution towards uniform; small ``T``
        sharpens it towards a one-hot vector at the largest logit. However small or
        large ``T`` is, the result is that limit rather than NaN: a logit whose
        ``(z_i - max z) / T`` overflows gets probability exactly 0, and the largest
        logits (several if they tie) share the rest.

    Returns
    -------
    y_hat : ndarray, same shape as ``z``
        Probabilities in [0, 1] summing to one along ``axis``. float32 if ``z`` is
        float32, else float64.

    Raises
    ------
    TypeError
        If ``z`` is not numeric, ``axis`` is not an integer or ``temperature`` is not
        a real number.
    ValueError
        If ``z`` is a scalar, empty, ragged or not finite, ``axis`` is out of range,
        or ``temperature`` is not positive and finite.

    Examples
    --------
    >>> np.round(softmax([1.0, 2.0, 3.0]), 4)
    array([0.09  , 0.2447, 0.6652])
    >>> softmax([1000.0, 0.0])
    array([1., 0.])
    >>> np.round(softmax([1.0, 2.0, 3.0], temperature=100.0), 3)
    array([0.33 , 0.333, 0.337])
    >>> softmax(np.array([[0, 0], [0, 1e4]], dtype=np.float32))
    array([[0.5, 0.5],
           [0. , 1. ]], dtype=float32)
    >>> softmax([1.0, 3.0, 3.0], temperature=1e-300)
    array([0. , 0.5, 0.5])
    """
    z = _as_real(z, "z")
    if z.ndim == 0:
        raise ValueError("z must have at least one dimension (the classes), got a scalar")
    axis = _check_axis(axis, z, "z")
    temperature = real_number(temperature, "temperature", minimum=0, above_minimum=True)
    # An exponent that overflows to -inf belongs to a logit infinitely far below the
    # largest at this temperature: exp gives it 0, its limit. The largest logit's
    # exponent is exactly 0, so the sum is at least 1 and never 0/0.
    with np.errstate(over="ignore"):
        shifted = z - z.max(axis=axis, keepdims=True)
        scale = z.dtype.type(temperature)
        if scale == 0 or not np.isfinite(scale):
            # T outside float32's range: divide in float64, then round back.
            shifted = (shifted.astype(np.float64) / temperature).astype(z.dtype)
        else:
            shifted = shifted / scale
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)


def softmax_backward(dout, y_hat, axis=-1) -> np.ndarray:
    r"""Gradient through :func:`softmax`: from ``dout`` = ∂J/∂ŷ to ∂J/∂z, given ``y_hat = softmax(z)``.

    The Jacobian of softmax is
    :math:`\partial \hat y_i / \partial z_j = \hat y_i (\delta_{ij} - \hat y_j)`, so
    :math:`\partial J / \partial z_j = \hat y_j (\text{dout}_j - \sum_i \text{dout}_i\, \hat y_i)`
    without building the ``C x C`` matrix. (For ``temperature=T`` divide the result by ``T``.)
    Attention's softmax (:mod:`lessons_lib.attention`, the rows of A) goes back through
    this same function.

    Parameters
    ----------
    dout : array_like, any shape
        Gradient of a scalar ``J`` with respect to ``y_hat``; first, as in every backward
        pass of the course.
    y_hat : array_like, same shape as ``dout``
        The output of ``softmax(z, axis=axis)``.
    axis : int, default -1
        The axis that softmax normalised.

    Returns
    -------
    dz : ndarray, same shape as ``y_hat``
        Sums to zero along ``axis``: adding a constant to every logit changes nothing.

    Raises
    ------
    TypeError
        If ``dout`` or ``y_hat`` is not numeric, or ``axis`` is not an integer.
    ValueError
        If the shapes differ, an array is empty or not finite, ``axis`` is out of
        range, or the products overflow.

    Examples
    --------
    Chained with :func:`cross_entropy_backward` it gives the famous ŷ − y:

    >>> z, y = np.array([[2.0, 1.0, 0.1]]), np.array([[0.0, 1.0, 0.0]])
    >>> y_hat = softmax(z)
    >>> np.round(softmax_backward(cross_entropy_backward(y, y_hat), y_hat), 4)
    array([[ 0.659 , -0.7577,  0.0986]])
    >>> np.round(y_hat - y, 4)
    array([[ 0.659 , -0.7577,  0.0986]])
    >>> softmax_backward([[1.0, 1.0]], [[0.5, 0.5]])  # adding a constant: no change
    array([[0., 0.]])
    """
    dout, y_hat = _as_real(dout, "dout"), _as_real(y_hat, "y_hat")
    _same_shape(dout, y_hat, names=("dout", "y_hat"))
    if y_hat.ndim == 0:
        raise ValueError("y_hat must have at least one dimension (the classes), got a scalar")
    axis = _check_axis(axis, y_hat, "y_hat")
    with refuse_overflow("dout and y_hat", "the gradient ŷ (dout - Σ dout ŷ)"):
        return y_hat * (dout - np.sum(dout * y_hat, axis=axis, keepdims=True))


def softmax_loops(z) -> list[float]:
    """Softmax of one vector of logits with plain Python loops, for reading.

    Parameters
    ----------
    z : sequence of float, shape (C,)

    Returns
    -------
    y_hat : list of float, length C
        Must agree with :func:`softmax`.

    Raises
    ------
    TypeError, ValueError
        As :func:`softmax`, and a ValueError if ``z`` is not 1-D.

    Examples
    --------
    >>> [round(value, 4) for value in softmax_loops([1.0, 2.0, 3.0])]
    [0.09, 0.2447, 0.6652]
    """
    z = _as_real(z, "z", ndim=1)
    m = max(float(v) for v in z)
    exps = [math.exp(float(v) - m) for v in z]
    total = sum(exps)
    return [e / total for e in exps]


def mse(y_hat, y) -> float:
    r"""Mean squared error :math:`\frac{1}{N} \sum_i (\hat y_i - y_i)^2`.

    Parameters
    ----------
    y_hat : array_like, any shape
        Predictions.
    y : array_like, same shape as ``y_hat``
        Targets. No broadcasting: a shape mismatch is an error, not a silent outer
        difference.

    Returns
    -------
    loss : float
        The mean over every element.

    Raises
    ------
    TypeError
        If ``y_hat`` or ``y`` is not numeric.
    ValueError
        If the shapes differ, an array is empty, ragged or not finite, or the squares overflow.

    Examples
    --------
    >>> mse([2.5, 0.0, 2.0], [3.0, -0.5, 2.0])
    0.16666666666666666
    """
    y_hat, y = _as_real(y_hat, "y_hat"), _as_real(y, "y")
    _same_shape(y_hat, y)
    with refuse_overflow("y_hat and y", "the mean of (y_hat - y)²"):
        return float(np.mean((y_hat - y) ** 2))


def mse_backward(y_hat, y) -> np.ndarray:
    r"""Gradient of :func:`mse` with respect to ``y_hat``: :math:`\frac{2}{N} (\hat y - y)`.

    Parameters
    ----------
    y_hat, y : array_like, same shape
        As for :func:`mse`.

    Returns
    -------
    dy_hat : ndarray, shape of ``y_hat``

    Raises
    ------
    TypeError
        If ``y_hat`` or ``y`` is not numeric.
    ValueError
        If the shapes differ, an array is empty, ragged or not finite, or ``y_hat - y`` overflows.

    Examples
    --------
    >>> mse_backward([2.5, 0.0, 2.0], [3.0, -0.5, 2.0])
    array([-0.33333333,  0.33333333,  0.        ])
    """
    y_hat, y = _as_real(y_hat, "y_hat"), _as_real(y, "y")
    _same_shape(y_hat, y)
    with refuse_overflow("y_hat and y", "2 (y_hat - y)"):
        return 2.0 * (y_hat - y) / y_hat.size


def mae(y_hat, y) -> float:
    r"""Mean absolute error :math:`\frac{1}{N} \sum_i |\hat y_i - y_i|`.

    Parameters
    ----------
    y_hat : array_like, any shape
        Predictions.
    y : array_like, same shape as ``y_hat``
        Targets.

    Returns
    -------
    loss : float
        The mean over every element.

    Raises
    ------
    TypeError
        If ``y_hat`` or ``y`` is not numeric.
    ValueError
        If the shapes differ, an array is empty, ragged or not finite, or ``|y_hat - y|`` overflows.

    Examples
    --------
    >>> mae([2.5, 0.0, 2.0], [3.0, -0.5, 2.0])
    0.3333333333333333
    """
    y_hat, y = _as_real(y_hat, "y_hat"), _as_real(y, "y")
    _same_shape(y_hat, y)
    with refuse_overflow("y_hat and y", "the mean of |y_hat - y|"):
        return float(np.mean(np.abs(y_hat - y)))


def mae_backward(y_hat, y) -> np.ndarray:
    r"""Gradient of :func:`mae` with respect to ``y_hat``: :math:`\text{sign}(\hat y - y) / N`.

    At :math:`\hat y_i = y_i` the absolute value has a corner; the subgradient 0 is used
    there (as PyTorch does).

    Parameters
    ----------
    y_hat, y : array_like, same shape
        As for :func:`mae`.

    Returns
    -------
    dy_hat : ndarray, shape of ``y_hat``

    Raises
    ------
    TypeError
        If ``y_hat`` or ``y`` is not numeric.
    ValueError
        If the shapes differ, an array is empty, ragged or not finite.

    Examples
    --------
    >>> mae_backward([2.5, 0.0, 2.0], [3.0, -0.5, 2.0])
    array([-0.33333333,  0.33333333,  0.        ])
    """
    y_hat, y = _as_real(y_hat, "y_hat"), _as_real(y, "y")
    _same_shape(y_hat, y)
    # Only the sign of y_hat - y matters: compare instead of subtracting, which could
    # overflow for values of opposite signs near the largest float.
    dtype = np.result_type(y_hat, y)
    return (np.greater(y_hat, y).astype(dtype) - np.less(y_hat, y)) / y_hat.size


def _check_distributions(p: np.ndarray, name: str) -> None:
    """Each row of ``p`` must be a probability distribution: ≥ 0 and summing to one."""
    if np.any(p < 0):
        raise ValueError(f"{name} must hold probabilities (>= 0), got a minimum of {p.min():.3g}")
    if np.any(p > 1):
        raise ValueError(f"{name} must hold probabilities (<= 1), got a maximum of {p.max():.3g}")
    sums = p.sum(axis=-1)
    worst = int(np.argmax(np.abs(sums - 1)))
    if abs(float(sums[worst]) - 1) > _SUM_TOLERANCE:
        raise ValueError(
            f"each row of {name} must sum to 1 (a probability distribution over the classes), "
            f"row {worst} sums to {float(sums[worst]):.6g}"
        )


def _cross_entropy_inputs(y, y_hat):
    """``y`` and ``y_hat`` checked, as (N, C) arrays, and the shape they came in."""
    y, y_hat = _as_real(y, "y", ndim=(1, 2)), _as_real(y_hat, "y_hat", ndim=(1, 2))
    _same_shape(y, y_hat, names=("y", "y_hat"))
    shape = y_hat.shape
    # One sample of C probabilities is a batch of one.
    y, y_hat = np.atleast_2d(y), np.atleast_2d(y_hat)
    _check_distributions(y, "y")
    _check_distributions(y_hat, "y_hat")
    return y, y_hat, shape


def cross_entropy(y, y_hat) -> float:
    r"""Cross-entropy :math:`-\frac{1}{N} \sum_{i=1}^N \sum_{j=1}^C y_{ij} \log \hat y_{ij}`.

    The slides' sum divided by ``N``: the mean over samples. ``y_hat`` is clipped to
    ``[1e-12, 1]`` before the logarithm, so a predicted probability of exactly 0 for the
    true class gives a large finite loss (``-log(1e-12) ≈ 27.6`` for that sample) rather
    than ``inf`` or ``NaN``.

    Parameters
    ----------
    y : array_like, shape (N, C) or (C,)
        Targets: one-hot rows (or any probability rows: soft labels).
    y_hat : array_like, same shape as ``y``
        Predicted probabilities: each row ≥ 0 and summing to 1 (for instance a
        :func:`softmax` output).

    Returns
    -------
    loss : float
        Mean over the ``N`` samples (a 1-D input is one sample).

    Raises
    ------
    ValueError
        If a row of ``y`` or ``y_hat`` has a negative entry or does not sum to 1.

    See Also
    --------
    softmax_cross_entropy : the same loss computed from logits, more stably.

    Examples
    --------
    >>> y = [[1, 0, 0], [0, 1, 0]]
    >>> y_hat = [[0.7, 0.2, 0.1], [0.1, 0.8, 0.1]]
    >>> round(cross_entropy(y, y_hat), 6)   # (-log 0.7 - log 0.8) / 2
    0.289909
    >>> round(cross_entropy([0, 1], [1.0, 0.0]), 4)   # clipped: finite
    27.631
    """
    y, y_hat, _ = _cross_entropy_inputs(y, y_hat)
    clipped = np.clip(y_hat, EPS, 1.0)
    return float(-np.sum(y * np.log(clipped)) / y.shape[0])


def cross_entropy_backward(y, y_hat) -> np.ndarray:
    r"""Gradient of :func:`cross_entropy` with respect to ``y_hat``: :math:`-y / (N \hat y)`.

    Where ``y_hat`` was clipped to 1e-12 the clipped value is used, so the gradient stays
    finite. Combined with the gradient of :func:`softmax` this collapses to
    ``(softmax(z) - y) / N`` (see :func:`softmax_cross_entropy_backward`).

    Parameters
    ----------
    y, y_hat : array_like, shape (N, C) or (C,)
        As for :func:`cross_entropy`.

    Returns
    -------
    dy_hat : ndarray, shape of ``y_hat``

    Raises
    ------
    TypeError, ValueError
        As :func:`cross_entropy`.

    Examples
    --------
    >>> cross_entropy_backward([[1, 0], [0, 1]], [[0.5, 0.5], [0.25, 0.75]])
    array([[-1.        , -0.        ],
           [-0.        , -0.66666667]])
    """
    y, y_hat, shape = _cross_entropy_inputs(y, y_hat)
    dy_hat = -y / np.clip(y_hat, EPS, 1.0) / y.shape[0]
    return dy_hat.reshape(shape)


def _logits_and_labels(logits, labels):
    logits = _as_real(logits, "logits", ndim=2)
    labels = as_array(labels, "labels")
    if labels.dtype.kind not in "iu":
        raise TypeError(
            f"labels must be integer class indices, got dtype {labels.dtype}"
        )
    n, c = logits.shape
    if labels.shape != (n,):
        raise ValueError(
            f"labels must have shape ({n},) to match logits of shape {logits.shape}, "
            f"got {labels.shape}"
        )
    if labels.min() < 0 or labels.max() >= c:
        raise ValueError(
            f"labels must be class indices in [0, {c - 1}] for {c} classes, "
            f"got values from {labels.min()} to {labels.max()}"
        )
    return logits, labels


def softmax_cross_entropy(logits, labels) -> float:
    r"""Mean cross-entropy of ``softmax(logits)`` against integer labels, from the logits.

    For sample ``i`` with true class ``y_i`` the loss is
    :math:`-\log \text{softmax}(z_i)_{y_i} = \log \sum_j e^{z_{ij}} - z_{i y_i}`, computed
    as :math:`\log \sum_j e^{z_{ij} - m_i} - (z_{i y_i} - m_i)` with :math:`m_i = \max_j z_{ij}`:
    no probability is ever rounded to 0 and then logged, so logits of ±1e4 give the exact
    (large, finite) loss in float32 as in float64.

    Parameters
    ----------
    logits : array_like, shape (N, C)
        Unnormalised scores, one row per sample. float32 stays float32.
    labels : array_like of int, shape (N,)
        True class index of each sample, in ``[0, C)``.

    Returns
    -------
    loss : float
        Mean over the ``N`` samples; equals
        ``cross_entropy(one_hot(labels, C), softmax(logits))`` wherever that is not clipped.

    Raises
    ------
    TypeError
        If ``logits`` is not numeric or ``labels`` not integers (booleans included).
    ValueError
        If ``logits`` is not 2-D, is empty or not finite, ``labels`` does not have
        shape (N,) or holds an index outside [0, C), or the loss itself exceeds the
        largest float (a true class's logit about 1.8e308 below the largest, in
        float64).

    Examples
    --------
    >>> logits = np.array([[2.0, 0.5, -1.0], [0.0, 3.0, 0.0]])
    >>> round(softmax_cross_entropy(logits, [0, 1]), 6)
    0.168117
    >>> softmax_cross_entropy(np.array([[1e4, -1e4]], dtype=np.float32), [1])
    20000.0
    """
    logits, labels = _logits_and_labels(logits, labels)
    # A logit that overflows to -inf after the shift contributes exp(-inf) = 0 to the
    # sum, its true share; only a true class's logit that far below makes the loss
    # itself too large, and that is refused below.
    with np.errstate(over="ignore"):
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_sum = np.log(np.exp(shifted).sum(axis=1))
        loss = float(np.mean(log_sum - shifted[np.arange(len(labels)), labels]))
    return _finite_loss(loss)


def _finite_loss(loss: float) -> float:
    if not math.isfinite(loss):
        raise ValueError("logits are too large: the loss exceeds the largest floating-point "
                         "number (a true class's logit is about 1.8e308 below the largest in "
                         "float64, 3.4e38 in float32); scale them down")
    return loss


def softmax_cross_entropy_backward(logits, labels) -> np.ndarray:
    r"""Gradient of :func:`softmax_cross_entropy` with respect to the logits.

    .. math::

        \frac{\partial \mathcal{L}}{\partial z_{ij}} = \frac{1}{N} (\hat y_{ij} - y_{ij}),
        \qquad \hat y_i = \text{softmax}(z_i),\ y_i = \text{one-hot}(\text{labels}_i)

    The ``1/N`` is there because the loss is a mean over samples.

    Parameters
    ----------
    logits : array_like, shape (N, C)
    labels : array_like of int, shape (N,)

    Returns
    -------
    dlogits : ndarray, shape (N, C)
        Same dtype as ``logits`` (float32 stays float32). Each row sums to 0.

    Raises
    ------
    TypeError, ValueError
        As :func:`softmax_cross_entropy`, except that the gradient never overflows.

    Examples
    --------
    >>> np.round(softmax_cross_entropy_backward([[0.0, 0.0], [0.0, 0.0]], [0, 1]), 3)
    array([[-0.25,  0.25],
           [ 0.25, -0.25]])
    """
    logits, labels = _logits_and_labels(logits, labels)
    n = len(labels)
    dlogits = softmax(logits, axis=1)
    dlogits[np.arange(n), labels] -= 1
    dlogits /= n
    return dlogits


def softmax_cross_entropy_loops(logits, labels) -> float:
    """:func:`softmax_cross_entropy` as plain loops over samples and classes, for reading.

    Parameters
    ----------
    logits : array_like, shape (N, C)
    labels : array_like of int, shape (N,)

    Returns
    -------
    loss : float
        Must agree with :func:`softmax_cross_entropy`.

    Raises
    ------
    TypeError, ValueError
        As :func:`softmax_cross_entropy`.

    Examples
    --------
    >>> round(softmax_cross_entropy_loops([[2.0, 0.5, -1.0], [0.0, 3.0, 0.0]], [0, 1]), 6)
    0.168117
    """
    logits, labels = _logits_and_labels(logits, labels)
    total = 0.0
    for z, label in zip(logits.tolist(), labels.tolist(), strict=True):
        m = max(z)
        log_sum = math.log(sum(math.exp(z_j - m) for z_j in z))
        total += log_sum - (z[label] - m)
    return _finite_loss(total / len(logits))


def one_hot(labels, num_classes) -> np.ndarray:
    """One-hot rows: ``one_hot(labels, C)[i, labels[i]] = 1``, zeros elsewhere.

    Parameters
    ----------
    labels : array_like of int, shape (N,)
        Class indices in ``[0, num_classes)``.
    num_classes : int
        ``C``, the number of columns.

    Returns
    -------
    y : ndarray of float64, shape (N, C)

    Raises
    ------
    TypeError
        If ``labels`` is not integers or ``num_classes`` not an integer.
    ValueError
        If ``labels`` is not a non-empty 1-D array of indices in [0, num_classes), or
        the result would not fit in memory.

    Examples
    --------
    >>> one_hot([0, 2], 3)
    array([[1., 0., 0.],
           [0., 0., 1.]])
    """
    num_classes = positive_int(num_classes, "num_classes")
    labels = as_array(labels, "labels")
    if labels.dtype.kind not in "iu":
        raise TypeError(f"labels must be integer class indices, got dtype {labels.dtype}")
    if labels.ndim != 1 or labels.size == 0:
        raise ValueError(f"labels must be a non-empty 1-D array, got shape {labels.shape}")
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(
            f"labels must be in [0, {num_classes - 1}] for num_classes={num_classes}, "
            f"got values from {labels.min()} to {labels.max()}"
        )
    check_memory(8 * labels.size * num_classes,
                 f"one_hot of {labels.size} labels with num_classes={num_classes}")
    y = np.zeros((labels.size, num_classes))
    y[np.arange(labels.size), labels] = 1.0
    return y
