"""How sure a measured score is: intervals for one score, spread over repeated runs.

An accuracy measured on n events is a count of successes out of n; another set of n
events would give another count. Two scores are told apart only when their intervals
say so. Three tools, each for one situation:

- :func:`wilson_interval`: a proportion (accuracy, recall, ...) from k of n events;
- :func:`bootstrap_interval`: any score of predictions (F1, ...), by resampling events;
- :func:`mean_sd`: the spread of a score over training runs that differ only in their
  seed (initial weights, batch order).

The functions returning text (:func:`accuracy_text`, :func:`mean_sd_text`) are how the
lessons print these numbers, so every sentence shows them the same way.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from lessons_lib._validate import as_array, as_float_array, positive_int, real_number

# The 97.5 % quantile of the standard normal distribution: a 95 % two-sided interval.
Z_95 = 1.959963984540054


def wilson_interval(successes, n, confidence=0.95) -> tuple[float, float]:
    r"""Wilson score interval for a proportion measured as ``successes`` out of ``n``.

    .. math::

        \frac{\hat p + \frac{z^2}{2n} \pm z \sqrt{\frac{\hat p (1 - \hat p)}{n}
        + \frac{z^2}{4 n^2}}}{1 + \frac{z^2}{n}}, \qquad \hat p = k / n

    Unlike the textbook :math:`\hat p \pm z \sqrt{\hat p(1-\hat p)/n}`, it stays inside
    [0, 1] and does not shrink to a point when every event is right.

    Parameters
    ----------
    successes : int
        Events counted as right, 0 <= successes <= n.
    n : int
        Events measured, at least 1.
    confidence : float, default 0.95
        Only 0.95 (the course's intervals are all 95 %), or another value in (0, 1)
        for which the normal quantile is computed.

    Returns
    -------
    low, high : float
        The interval's ends, 0 <= low <= k/n <= high <= 1.

    Raises
    ------
    TypeError
        If ``successes`` or ``n`` is not an integer.
    ValueError
        If ``n`` < 1, ``successes`` is outside [0, n] or ``confidence`` outside (0, 1).

    Examples
    --------
    >>> [round(v, 4) for v in wilson_interval(1924, 2000)]
    [0.9527, 0.9695]
    >>> [round(v, 4) for v in wilson_interval(10, 10)]
    [0.7225, 1.0]
    """
    n = positive_int(n, "n")
    k = positive_int(successes, "successes", minimum=0)
    if k > n:
        raise ValueError(f"successes must be at most n ({n}), got {k}")
    z = _normal_quantile(confidence)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    # Round-off must not push an end past the estimate or out of [0, 1].
    return max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half))


def bootstrap_interval(y_true, y_pred, score: Callable, *, resamples=2000, confidence=0.95,
                       seed=0) -> tuple[float, float]:
    """Percentile bootstrap interval of ``score(y_true, y_pred)`` over the events.

    Draws ``resamples`` sets of n events with replacement from the n pairs, scores
    each, and returns the central ``confidence`` range of those scores: how much the
    score would move on another sample of events like these.

    Parameters
    ----------
    y_true, y_pred : array_like, shape (n,)
        Labels and predictions, paired by position.
    score : callable
        ``score(y_true, y_pred) -> float``, e.g. :func:`lessons_lib.metrics.f1_score`.
    resamples : int, default 2000
    confidence : float, default 0.95
    seed : int, default 0
        The same seed gives the same interval.

    Returns
    -------
    low, high : float

    Raises
    ------
    TypeError
        If ``score`` is not callable or ``resamples`` / ``seed`` not integers.
    ValueError
        If the arrays are empty, not one-dimensional or of different lengths, or
        ``confidence`` is outside (0, 1).

    Examples
    --------
    >>> from lessons_lib.metrics import accuracy
    >>> y = np.r_[np.ones(90, int), np.zeros(10, int)]
    >>> low, high = bootstrap_interval(y, np.ones(100, int), accuracy)
    >>> round(low, 2), round(high, 2)
    (0.84, 0.96)
    """
    if not callable(score):
        raise TypeError(f"score must be a function (y_true, y_pred) -> float, got "
                        f"{type(score).__name__}")
    y_true, y_pred = as_array(y_true, "y_true"), as_array(y_pred, "y_pred")
    if y_true.ndim != 1 or y_pred.ndim != 1 or len(y_true) != len(y_pred) or not len(y_true):
        raise ValueError(f"y_true and y_pred must be non-empty 1-D arrays of one length, "
                         f"got shapes {y_true.shape} and {y_pred.shape}")
    resamples = positive_int(resamples, "resamples")
    _normal_quantile(confidence)
    rng = np.random.default_rng(positive_int(seed, "seed", minimum=0))
    picks = rng.integers(0, len(y_true), size=(resamples, len(y_true)))
    scores = np.array([score(y_true[p], y_pred[p]) for p in picks], dtype=float)
    tail = (1 - confidence) / 2
    low, high = np.quantile(scores, [tail, 1 - tail])
    return float(low), float(high)


def mean_sd(values) -> tuple[float, float]:
    """Mean and sample standard deviation (n − 1) of repeated measurements.

    Parameters
    ----------
    values : array_like of float, shape (runs,)
        At least two runs: one run has no spread to report.

    Returns
    -------
    mean, sd : float

    Raises
    ------
    TypeError, ValueError
        If ``values`` is not a 1-D array of at least two finite numbers.

    Examples
    --------
    >>> mean_sd([0.80, 0.82, 0.84])
    (0.82, 0.02)
    """
    values = as_float_array(values, "values", ndim=1)
    if len(values) < 2:
        raise ValueError(f"values must hold at least two runs to have a spread, got "
                         f"{len(values)}")
    return round(float(values.mean()), 12), round(float(values.std(ddof=1)), 12)


def accuracy_text(correct, n, *, digits=1) -> str:
    """An accuracy as the lessons print it: percent and its 95 % Wilson interval.

    Examples
    --------
    >>> accuracy_text(1924, 2000)
    '96.2 % (95 % interval 95.3–97.0 %)'
    """
    low, high = wilson_interval(correct, n)
    return (f"{100 * correct / n:.{digits}f} % (95 % interval "
            f"{100 * low:.{digits}f}–{100 * high:.{digits}f} %)")


def mean_sd_text(values, *, digits=3) -> str:
    """Mean ± sd over runs, with the number of runs.

    Examples
    --------
    >>> mean_sd_text([0.80, 0.82, 0.84])
    '0.820 ± 0.020 (3 seeds)'
    """
    mean, sd = mean_sd(values)
    return f"{mean:.{digits}f} ± {sd:.{digits}f} ({len(values)} seeds)"


def _normal_quantile(confidence) -> float:
    confidence = real_number(confidence, "confidence", minimum=0, maximum=1)
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence}")
    if confidence == 0.95:
        return Z_95
    # Inverse of the normal CDF by bisection on erf: no scipy in the compute layer.
    target, low, high = 0.5 + confidence / 2, 0.0, 40.0
    for _ in range(200):
        middle = (low + high) / 2
        low, high = (middle, high) if 0.5 * (1 + math.erf(middle / math.sqrt(2))) < target \
            else (low, middle)
    return (low + high) / 2
