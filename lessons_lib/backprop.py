r"""Backpropagation through a 1-D convolution: the forward pass, its gradients, their checks.

The slides write the 1-D convolution :math:`\vec o = \vec x \circledast \vec F` as

.. math::

    o[n] = \sum_{i=-\omega}^{\omega} x[i + n + \omega]\, F[i + \omega]
         = \sum_{i=0}^{K-1} x[n + i]\, F[i],

the first form for an odd, centred filter of ``K = 2ω + 1`` taps, the second for any
``K``, at the ``M = N - K + 1`` positions where the filter fits inside a signal of
``N`` samples (no padding). Given the upstream gradient ``dout[n] = ∂J/∂o[n]`` of a
loss ``J``, the chain rule gives

.. math::

    \frac{\partial J}{\partial F_i} = \sum_n \frac{\partial J}{\partial o_n}
        \frac{\partial o_n}{\partial F_i} = \sum_n \mathrm{dout}[n]\, x[n + i],
    \qquad
    \frac{\partial J}{\partial x_j} = \sum_n \mathrm{dout}[n]\, F[j - n].

The first is a correlation of ``x`` with ``dout``; the second is the *full*
convolution of ``dout`` with ``F`` (``dout`` padded with ``K - 1`` zeros on each side,
then correlated with the flipped filter). Each function comes as a pair, forward and
backward, in two versions tested equal: plain loops that read like the formulas, and
vectorised ones built on :func:`lessons_lib.convolution.correlate`.

Before the convolution, the slides' small network of two weights
(:func:`small_network`) shows the chain rule on a computation graph; every gradient is
checked against central differences (:func:`numerical_gradient`) by
:func:`gradient_check`, which reads the :func:`relative_error` against a tolerance.

Indices count from 0, as in the slides' worked example (``o0 = F0 x0 + F1 x1``) and
in Python; the slides' drawing of a 3-tap filter labels its taps F1, F2, F3.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from lessons_lib._validate import (
    as_float_array,
    check_memory,
    check_sums_fit,
    choice,
    positive_int,
    real_number,
    refuse_overflow,
    sums_fit,
)
from lessons_lib.convolution import convolve, correlate, pad

# Marks "no dout given" in _validate_conv1d, so that dout=None is refused as a value.
_NO_DOUT = object()


def _validate_conv1d(x, F, dout=_NO_DOUT, *, F_name="F"):
    x = as_float_array(x, "x", ndim=1)
    F = as_float_array(F, F_name, ndim=1)
    if F.size > x.size:
        raise ValueError(
            f"{F_name} has {F.size} taps but x has only {x.size} samples: the filter must fit "
            f"inside the signal (valid positions, no padding), so len({F_name}) <= len(x)"
        )
    check_sums_fit(x, "x", F, F_name)
    if dout is _NO_DOUT:
        return x, F
    dout = as_float_array(dout, "dout", ndim=1)
    M = x.size - F.size + 1
    if dout.size != M:
        raise ValueError(
            f"dout must hold one value per output, len(x) - len(F) + 1 = {x.size} - {F.size} "
            f"+ 1 = {M}, got length {dout.size}"
        )
    # dF correlates x with dout, dx spreads dout through F: both sums must fit float64.
    check_sums_fit(x, "x", dout, "dout")
    check_sums_fit(dout, "dout", F, "F")
    return x, F, dout


def conv1d_forward(x, F) -> np.ndarray:
    """The slides' 1-D convolution at valid positions: ``o[n] = Σ_i x[n + i] F[i]``.

    Parameters
    ----------
    x : array_like, shape (N,)
        The input signal.
    F : array_like, shape (K,)
        The filter, ``K <= N``.

    Returns
    -------
    o : ndarray, shape (M,)
        ``M = N - K + 1`` outputs, one per position where the filter fits.

    Raises
    ------
    ValueError
        If ``x`` or ``F`` is not 1-D, is empty or not finite, ``F`` is longer than ``x``,
        or they are so large that an output could overflow float64
        (``max|x| · Σ|F| >= 2**1023``).
    TypeError
        If ``x`` or ``F`` is not numeric.

    See Also
    --------
    conv1d_backward : its gradients.
    conv1d_forward_loops : the same as plain loops.

    Examples
    --------
    The slides' worked example with two taps: ``o0 = F0 x0 + F1 x1``, ``o1 = F0 x1 + F1 x2``.

    >>> conv1d_forward([1, 2, 3], [10, 100])
    array([210., 320.])
    """
    x, F = _validate_conv1d(x, F)
    return correlate(x, F)


def conv1d_backward(x, F, dout) -> tuple[np.ndarray, np.ndarray]:
    """Gradients of a loss ``J`` through :func:`conv1d_forward`, given ``dout = ∂J/∂o``.

    Parameters
    ----------
    x : array_like, shape (N,)
        The input of the forward pass.
    F : array_like, shape (K,)
        The filter of the forward pass.
    dout : array_like, shape (M,)
        The upstream gradient ``∂J/∂o``, ``M = N - K + 1``.

    Returns
    -------
    dx : ndarray, shape (N,)
        ``∂J/∂x[j] = Σ_n dout[n] F[j - n]``: the full convolution of ``dout`` with ``F``.
    dF : ndarray, shape (K,)
        ``∂J/∂F[i] = Σ_n dout[n] x[n + i]``: the correlation of ``x`` with ``dout``.

    Raises
    ------
    TypeError
        If ``x``, ``F`` or ``dout`` is not numeric (None included).
    ValueError
        As :func:`conv1d_forward`, if ``dout`` is not 1-D of length ``M`` or not finite,
        or if a gradient could overflow float64 (``max|x| · Σ|dout|`` or
        ``max|dout| · Σ|F|`` at least 2**1023).

    Examples
    --------
    With ``J = o0 + o1`` (so ``dout = [1, 1]``), ``∂J/∂F1 = x1 + x2``:

    >>> dx, dF = conv1d_backward([1, 2, 3], [10, 100], [1, 1])
    >>> dF
    array([3., 5.])
    >>> dx
    array([ 10., 110., 100.])
    """
    x, F, dout = _validate_conv1d(x, F, dout)
    dF = correlate(x, dout)
    # Every input sample x[j] feeds the outputs o[j - K + 1] ... o[j] that exist; padding
    # dout with K - 1 zeros on each side supplies the missing ones as zero gradients.
    dx = convolve(pad(dout, (F.size - 1,)), F)
    return dx, dF


def conv1d_forward_loops(x, F) -> np.ndarray:
    """:func:`conv1d_forward` written as two loops, for reading.

    Parameters
    ----------
    x : array_like, shape (N,)
    F : array_like, shape (K,)

    Returns
    -------
    o : ndarray, shape (N - K + 1,)

    Raises
    ------
    TypeError, ValueError
        As :func:`conv1d_forward`.

    Examples
    --------
    >>> conv1d_forward_loops([1, 2, 3], [10, 100])
    array([210., 320.])
    """
    x, F = _validate_conv1d(x, F)
    K = F.size
    M = x.size - K + 1
    o = np.zeros(M)
    for n in range(M):
        for i in range(K):
            o[n] += x[n + i] * F[i]
    return o


def conv1d_backward_loops(x, F, dout) -> tuple[np.ndarray, np.ndarray]:
    """:func:`conv1d_backward` written as the same two loops as the forward pass.

    Each product ``x[n + i] F[i]`` of the forward pass sends ``dout[n]`` back to both of
    its factors: ``dout[n] x[n + i]`` to ``F[i]`` and ``dout[n] F[i]`` to ``x[n + i]``.
    A value used in several products collects the sum of their gradients (``+=``).

    Parameters
    ----------
    x : array_like, shape (N,)
    F : array_like, shape (K,)
    dout : array_like, shape (N - K + 1,)

    Returns
    -------
    dx : ndarray, shape (N,)
    dF : ndarray, shape (K,)

    Raises
    ------
    TypeError, ValueError
        As :func:`conv1d_backward`.

    Examples
    --------
    >>> dx, dF = conv1d_backward_loops([1, 2, 3], [10, 100], [1, 1])
    >>> dF, dx
    (array([3., 5.]), array([ 10., 110., 100.]))
    """
    x, F, dout = _validate_conv1d(x, F, dout)
    dx = np.zeros_like(x)
    dF = np.zeros_like(F)
    for n in range(dout.size):
        for i in range(F.size):
            dF[i] += dout[n] * x[n + i]
            dx[n + i] += dout[n] * F[i]
    return dx, dF


def _scalar_value(value, where: str) -> float:
    if np.ndim(value) != 0:
        raise ValueError(f"f must return a scalar, got shape {np.shape(value)} at {where}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"f must return a real number, got {value!r} at {where}") from None
    if not np.isfinite(number):
        raise ValueError(f"f returned {number} at {where}; the gradient is not defined there")
    return number


def numerical_gradient(f, x, eps=1e-6) -> np.ndarray:
    """Estimate the gradient of a scalar function by central differences.

    ``grad[j] ≈ (f(x + eps e_j) - f(x - eps e_j)) / (2 eps)``, one pair of calls to
    ``f`` per element of ``x``. The error is of order ``eps²`` (from the curvature of
    ``f``) plus about ``1e-16 |f| / eps`` (from rounding), hence ``eps = 1e-6`` for
    values of order 1; scale ``eps`` with ``x`` for much larger or smaller values.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``. It receives a perturbed copy of ``x`` (changed in place
        between calls), so it must not keep a reference to it.
    x : array_like, any shape
        The point at which to differentiate.
    eps : float, default 1e-6
        The step, > 0.

    Returns
    -------
    grad : ndarray of float64, shape x.shape

    Raises
    ------
    TypeError
        If ``f`` is not callable or returns something that is not a number.
    ValueError
        If ``x`` is empty or not finite, ``eps`` is not a positive finite number or is
        lost in rounding next to an element of ``x``, ``x ± eps`` or the difference
        quotient overflows float64, or ``f`` returns an array or a non-finite value.

    Examples
    --------
    >>> grad = numerical_gradient(lambda v: np.sum(v ** 2), np.array([1.0, -2.0, 3.0]))
    >>> np.round(grad, 6)
    array([ 2., -4.,  6.])
    """
    if not callable(f):
        raise TypeError(f"f must be a callable returning a scalar, got {type(f).__name__}")
    eps = real_number(eps, "eps", minimum=0, above_minimum=True)
    x = as_float_array(x, "x").copy()
    if float(np.max(np.abs(x))) > np.finfo(np.float64).max - eps:
        raise ValueError(f"x ± eps overflows float64 for eps={eps:g} and max|x| = "
                         f"{float(np.max(np.abs(x))):.3g}; scale x down")
    grad = np.empty_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + eps
        plus = _scalar_value(f(x), f"x{list(index)} + eps")
        step = x[index]
        x[index] = original - eps
        minus = _scalar_value(f(x), f"x{list(index)} - eps")
        # x ± eps is rounded to the nearest float: divide by the step actually taken.
        step -= x[index]
        x[index] = original
        if step == 0:
            raise ValueError(f"eps={eps:g} is lost in rounding at x{list(index)} = "
                             f"{float(original):.3g} (x + eps == x - eps); use an eps that "
                             "grows with x")
        grad[index] = (plus - minus) / step
        if not np.isfinite(grad[index]):
            raise ValueError(f"f changes by more than float64 holds between x{list(index)} "
                             f"± eps ({minus:.3g} to {plus:.3g}); scale f down")
    return grad


def relative_error(a, b) -> float:
    """How far apart two gradients are, relative to their size: ``‖a - b‖ / (‖a‖ + ‖b‖)``.

    The result is between 0 (equal) and 1 (for example ``b = -a``). In float64 a
    correct backward pass checked by central differences gives about 1e-10 or less;
    above 1e-3 there is a bug. Norms are Euclidean over all elements; two zero arrays
    are 0 apart.

    Parameters
    ----------
    a, b : array_like, same shape

    Returns
    -------
    error : float

    Raises
    ------
    TypeError
        If ``a`` or ``b`` is not numeric.
    ValueError
        If the shapes differ, or an array is empty or not finite.

    Examples
    --------
    >>> relative_error([1.0, 2.0], [1.0, 2.0])
    0.0
    >>> relative_error([1.0, 0.0], [-1.0, 0.0])
    1.0
    >>> round(relative_error([1.0, 2.0], [1.0, 2.0001]), 6)
    2.2e-05
    >>> relative_error([3e300, 4e300], [3e300, -4e300])
    0.8
    """
    a = as_float_array(a, "a")
    b = as_float_array(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    largest = max(float(np.abs(a).max()), float(np.abs(b).max()))
    if largest == 0:
        return 0.0
    # The ratio does not change when both are divided by the same number; dividing by
    # the largest element keeps the squares inside the norms from overflowing.
    a, b = a / largest, b / largest
    return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))


#: The tolerance of :func:`gradient_check`. A correct backward pass checked by central
#: differences in float64 lands near 1e-10 (rounding in ``J`` divided by ``eps``), far
#: below; a wrong one (a sign, a flipped filter, a missing term) near 0.1 to 1, far above.
GRADIENT_TOLERANCE = 1e-6
#: A relative error above this is a bug; between the tolerance and this, it may also be a
#: kink (ReLU, max) within ``eps`` of the point, float32 arithmetic or too large an ``eps``.
BUG_LEVEL = 1e-3


def _short(number: float) -> str:
    """A number in at most two significant digits: 3.1e-10, 1e-06 as 1e-6, 0.68, 0.

    Examples
    --------
    >>> [_short(v) for v in (3.14e-10, 1e-6, 0.6812, 0.0, 2.0, 1.5e-3)]
    ['3.1e-10', '1e-6', '0.68', '0', '2', '1.5e-3']
    """
    if number == 0 or 1e-2 <= abs(number) < 1e3:
        return f"{number:.2g}"
    mantissa, exponent = f"{number:.1e}".split("e")
    mantissa = mantissa.removesuffix(".0")
    return f"{mantissa}e{int(exponent)}"


@dataclass(frozen=True)
class GradientCheck:
    """The verdict of :func:`gradient_check`: a relative error read against a tolerance.

    Shows itself as one sentence, never as a bare True or False.

    Attributes
    ----------
    error : float
        :func:`relative_error` of the two gradients, in [0, 1].
    tolerance : float
        The largest error that counts as agreement.
    """

    error: float
    tolerance: float

    @property
    def agree(self) -> bool:
        """Whether the error is below the tolerance."""
        return self.error < self.tolerance

    def __repr__(self) -> str:
        error, tolerance = _short(self.error), _short(self.tolerance)
        if self.agree:
            return f"relative error {error} < tolerance {tolerance}: the gradients agree"
        if self.error >= BUG_LEVEL:
            return (f"relative error {error} ≥ tolerance {tolerance}: the gradients disagree, "
                    "a bug")
        return (f"relative error {error} ≥ tolerance {tolerance}: the gradients disagree "
                "slightly; a kink (ReLU, max) near the point, float32 or too large an eps, "
                "else a bug")


def gradient_check(analytic, numerical, *, tolerance=GRADIENT_TOLERANCE) -> GradientCheck:
    """Compare a backward pass's gradient with a numerical estimate of it.

    Parameters
    ----------
    analytic : array_like, any shape
        The gradient from a backward pass.
    numerical : array_like, same shape
        The same gradient from :func:`numerical_gradient`.
    tolerance : float, default :data:`GRADIENT_TOLERANCE` (1e-6)
        The largest :func:`relative_error` that counts as agreement, > 0.

    Returns
    -------
    check : GradientCheck
        The relative error and the tolerance; prints as a sentence that says which is
        larger and what that means.

    Raises
    ------
    TypeError
        If an array is not numeric or ``tolerance`` is not a number.
    ValueError
        If the shapes differ, an array is empty or not finite, or ``tolerance`` is not
        positive and finite.

    Examples
    --------
    >>> gradient_check([1.0, 2.0], [1.0, 2.0 + 1e-9])
    relative error 2.2e-10 < tolerance 1e-6: the gradients agree
    >>> gradient_check([1.0, 2.0], [1.0, -2.0])
    relative error 0.89 ≥ tolerance 1e-6: the gradients disagree, a bug
    >>> gradient_check([1.0, 2.0], [1.0, 2.0001]).agree
    False
    """
    analytic = as_float_array(analytic, "analytic")
    numerical = as_float_array(numerical, "numerical")
    if analytic.shape != numerical.shape:
        raise ValueError(f"analytic and numerical must have the same shape, got "
                         f"{analytic.shape} and {numerical.shape}")
    tolerance = real_number(tolerance, "tolerance", minimum=0, above_minimum=True)
    return GradientCheck(relative_error(analytic, numerical), tolerance)


# --- the slides' small network -------------------------------------------------------------


@dataclass(frozen=True)
class SmallNetwork:
    """Every value of the slides' small network, forward and backward.

    ``q1 = w1 x1 + w2 x2``, ``y_hat = ReLU(q1)``, ``J = (y_hat - y)²``. Local
    derivatives are named ``da_db`` for ∂a/∂b; the gradients of the loss ``dJ_db``.

    Attributes
    ----------
    x1, x2, w1, w2, y : float
        The inputs, the weights and the target.
    q1, y_hat, J : float
        The forward values.
    dJ_dy_hat, dy_hat_dq1, dq1_dw1, dq1_dw2 : float
        The local derivatives on the edges: ``2 (y_hat - y)``, 1 where ``q1 > 0`` else
        0, ``x1`` and ``x2``.
    dJ_dq1, dJ_dw1, dJ_dw2 : float
        The backward gradients, products of the local derivatives along each path.
    """

    x1: float
    x2: float
    w1: float
    w2: float
    y: float
    q1: float
    y_hat: float
    J: float
    dJ_dy_hat: float
    dy_hat_dq1: float
    dq1_dw1: float
    dq1_dw2: float
    dJ_dq1: float
    dJ_dw1: float
    dJ_dw2: float

    @property
    def dw(self) -> np.ndarray:
        """``[∂J/∂w1, ∂J/∂w2]``, shape (2,)."""
        return np.array([self.dJ_dw1, self.dJ_dw2])


def _small_network_inputs(x, w, y):
    x = as_float_array(x, "x", ndim=1)
    w = as_float_array(w, "w", ndim=1)
    for array, name in ((x, "x"), (w, "w")):
        if array.shape != (2,):
            raise ValueError(f"{name} must hold two numbers [{name}1, {name}2], got shape "
                             f"{array.shape}")
    return x, w, real_number(y, "y")


def small_network_loss(x, w, y) -> float:
    """The loss of the slides' small network: ``J = (ReLU(w1 x1 + w2 x2) - y)²``.

    Parameters
    ----------
    x : array_like, shape (2,)
        The inputs ``[x1, x2]``.
    w : array_like, shape (2,)
        The weights ``[w1, w2]``.
    y : float
        The target.

    Returns
    -------
    J : float

    Raises
    ------
    TypeError
        If an argument is not numeric.
    ValueError
        If ``x`` or ``w`` does not hold two finite numbers, ``y`` is not finite, or the
        loss overflows float64.

    Examples
    --------
    >>> small_network_loss([2, -1], [0.5, -0.5], 3)
    2.25
    """
    return small_network(x, w, y).J


def small_network(x, w, y) -> SmallNetwork:
    """Forward and backward pass of the slides' small network, every value kept.

    Two inputs meet their weights in one node, ``q1 = w1 x1 + w2 x2``; the prediction
    is ``y_hat = ReLU(q1)`` and the loss ``J = (y_hat - y)²``. The chain rule gives

    ``∂J/∂w1 = ∂J/∂y_hat · ∂y_hat/∂q1 · ∂q1/∂w1 = 2 (y_hat - y) · [q1 > 0] · x1``

    and the same for ``w2`` with ``x2`` as the last factor: both paths share every
    factor but the last. Scalars are computed as Python floats, whose arithmetic is
    the same on every machine.

    Parameters
    ----------
    x : array_like, shape (2,)
        The inputs ``[x1, x2]``.
    w : array_like, shape (2,)
        The weights ``[w1, w2]``.
    y : float
        The target.

    Returns
    -------
    network : SmallNetwork

    Raises
    ------
    TypeError, ValueError
        As :func:`small_network_loss`.

    Examples
    --------
    >>> net = small_network([2, -1], [0.5, -0.5], 3)
    >>> net.q1, net.y_hat, net.J
    (1.5, 1.5, 2.25)
    >>> net.dJ_dy_hat, net.dy_hat_dq1, net.dJ_dw1, net.dJ_dw2
    (-3.0, 1.0, -6.0, 3.0)
    """
    x, w, y = _small_network_inputs(x, w, y)
    x1, x2, w1, w2 = (float(v) for v in (*x, *w))
    q1 = w1 * x1 + w2 * x2
    y_hat = max(q1, 0.0)
    gap = y_hat - y
    J = gap * gap
    if not (math.isfinite(q1) and math.isfinite(J)):
        raise ValueError("x, w and y are too large: the loss (ReLU(w1 x1 + w2 x2) - y)² "
                         "exceeds the largest float64 (about 1.8e308); scale them down")
    dJ_dy_hat = 2.0 * gap
    # ReLU's derivative at exactly 0 is taken as 0, as the course's ReLU layer does.
    dy_hat_dq1 = 1.0 if q1 > 0 else 0.0
    dJ_dq1 = dJ_dy_hat * dy_hat_dq1
    return SmallNetwork(x1=x1, x2=x2, w1=w1, w2=w2, y=y, q1=q1, y_hat=y_hat, J=J,
                        dJ_dy_hat=dJ_dy_hat, dy_hat_dq1=dy_hat_dq1, dq1_dw1=x1, dq1_dw2=x2,
                        dJ_dq1=dJ_dq1, dJ_dw1=dJ_dq1 * x1, dJ_dw2=dJ_dq1 * x2)


def squared_error(o, y) -> tuple[float, np.ndarray]:
    """The mean squared error ``J = (1/M) Σ_n (o[n] - y[n])²`` and its gradient ``∂J/∂o``.

    Parameters
    ----------
    o : array_like, shape (M,)
        The outputs.
    y : array_like, shape (M,)
        The targets.

    Returns
    -------
    J : float
    dout : ndarray, shape (M,)
        ``2 (o - y) / M``: what :func:`conv1d_backward` takes.

    Raises
    ------
    TypeError
        If ``o`` or ``y`` is not numeric.
    ValueError
        If they are not 1-D arrays of one length, are empty or not finite, or so large
        that the squares overflow float64.

    Examples
    --------
    >>> squared_error([1.0, 3.0], [0.0, 1.0])
    (2.5, array([1., 2.]))
    """
    o = as_float_array(o, "o", ndim=1)
    y = as_float_array(y, "y", ndim=1)
    if o.shape != y.shape:
        raise ValueError(f"o and y must have the same shape, got {o.shape} and {y.shape}")
    with refuse_overflow("o and y", "the squared error (o - y)²"):
        error = o - y
        return float(np.mean(error**2)), 2.0 * error / error.size


# Filters hidden in the "learn the filter" demo, indexed F[0], F[1], ...
HIDDEN_FILTERS = {
    "blur": np.array([0.25, 0.5, 0.25]),
    "edge detector": np.array([-1.0, 0.0, 1.0]),
    "sharpen": np.array([-0.5, 2.0, -0.5]),
    "5-tap blur": np.array([1.0, 4.0, 6.0, 4.0, 1.0]) / 16,
}


def training_pair(filter_name="blur", *, n=64, noise=0.0, seed=0):
    """An input signal and the output of a hidden filter: what the demo learns from.

    Parameters
    ----------
    filter_name : str, default "blur"
        A key of :data:`HIDDEN_FILTERS`.
    n : int, default 64
        Length of the input ``x``, at least the filter's length.
    noise : float, default 0.0
        Standard deviation of Gaussian noise added to the outputs, >= 0.
    seed : int, default 0
        Any integer >= 0; the same seed gives the same pair.

    Returns
    -------
    x : ndarray, shape (n,)
        Standard normal samples.
    y : ndarray, shape (n - K + 1,)
        ``conv1d_forward(x, F_hidden)``, plus noise.
    F_hidden : ndarray, shape (K,)

    Raises
    ------
    TypeError
        If ``n`` or ``seed`` is not an integer, or ``noise`` not a number.
    ValueError
        If ``filter_name`` is not a key of :data:`HIDDEN_FILTERS`, ``n`` is shorter than
        the filter or too large for the memory, ``noise`` is negative or not finite, or
        ``seed`` is negative.

    Examples
    --------
    >>> x, y, F_hidden = training_pair("edge detector", n=10)
    >>> x.shape, y.shape, F_hidden
    ((10,), (8,), array([-1.,  0.,  1.]))
    """
    choice(filter_name, "filter_name", tuple(HIDDEN_FILTERS))
    F_hidden = HIDDEN_FILTERS[filter_name].copy()
    n = positive_int(n, "n", minimum=F_hidden.size)
    noise = real_number(noise, "noise", minimum=0)
    seed = positive_int(seed, "seed", minimum=0)
    # x, y and the noise, in float64.
    check_memory(3 * 8 * n, f"training_pair(n={n})")
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n)
    y = conv1d_forward(x, F_hidden) + noise * rng.standard_normal(n - F_hidden.size + 1)
    return x, y, F_hidden


def stability_limit(x, K) -> float:
    """The largest learning rate for which gradient descent on :func:`squared_error` converges.

    The loss is quadratic in ``F`` with Hessian ``H = (2/M) XᵀX``, where row ``n`` of
    ``X`` is the window ``x[n : n + K]``. A step ``F ← F - η ∇J`` multiplies the error
    along each eigenvector of ``H`` by ``1 - η λ``, so the error shrinks for every
    eigenvector exactly when ``η < 2 / λ_max``.

    Parameters
    ----------
    x : array_like, shape (N,)
    K : int
        Number of filter taps, ``K <= N``.

    Returns
    -------
    eta_max : float
        ``2 / λ_max(H)``; ``inf`` if ``x`` is all zeros.

    Raises
    ------
    TypeError
        If ``x`` is not numeric or ``K`` not an integer.
    ValueError
        If ``x`` is not 1-D, empty or not finite, or ``K`` is not in [1, len(x)].

    Examples
    --------
    For a constant signal of ones, ``H`` is ``2/M`` times a K x K matrix of ``M``:
    ``λ_max = 2 K`` and the limit is ``1 / K``.

    >>> stability_limit(np.ones(10), 4)
    0.25
    """
    x = as_float_array(x, "x", ndim=1)
    K = positive_int(K, "K")
    if K > x.size:
        raise ValueError(f"K must be at most len(x) = {x.size}, got {K}")
    # The K x K Hessian and its eigenvalue workspace.
    check_memory(3 * 8 * K * K, f"stability_limit with K={K}")
    scale = float(np.abs(x).max())
    if scale == 0:
        return float("inf")
    # H grows with the square of x: work with x / scale, so that XᵀX cannot overflow,
    # and divide by scale² at the end.
    X = np.lib.stride_tricks.sliding_window_view(x / scale, K)
    hessian = 2.0 / X.shape[0] * (X.T @ X)
    largest = float(np.linalg.eigvalsh(hessian)[-1])
    return float(2.0 / largest / scale / scale)


@dataclass(frozen=True)
class LearningHistory:
    """What :func:`learn_filter` did, step by step.

    Attributes
    ----------
    filters : ndarray, shape (steps_done + 1, K)
        The filter before the first step and after each step.
    losses : ndarray, shape (steps_done + 1,)
        The loss of each filter in ``filters``.
    diverged : bool
        True if the run was stopped because the loss blew up.
    message : str
        One sentence saying how the run ended.
    """

    filters: np.ndarray
    losses: np.ndarray
    diverged: bool
    message: str


# A loss this many times its starting value means the steps overshoot further and
# further: stop long before the numbers overflow.
DIVERGENCE_FACTOR = 1e3


def learn_filter(x, y, F_init, *, learning_rate, steps=100) -> LearningHistory:
    """Recover a filter from an input and its output by gradient descent.

    Each step runs the forward pass, the loss :func:`squared_error`, the backward
    pass, and the update ``F ← F - η ∂J/∂F``. A run stops early, with
    ``diverged=True``, when the loss exceeds ``1000`` times its starting value.

    Parameters
    ----------
    x : array_like, shape (N,)
        The input signal.
    y : array_like, shape (N - K + 1,)
        The target outputs.
    F_init : array_like, shape (K,)
        The starting filter.
    learning_rate : float
        ``η`` > 0.
    steps : int, default 100
        At most this many updates.

    Returns
    -------
    history : LearningHistory

    Raises
    ------
    TypeError
        If an array is not numeric, ``learning_rate`` is not a number or ``steps`` not
        an integer.
    ValueError
        As :func:`conv1d_forward` for ``x`` and ``F_init``; if ``y`` does not have
        length ``N - K + 1``, ``learning_rate`` is not positive and finite, ``steps``
        < 1 or so large that the history would not fit in memory, or the starting loss
        already overflows float64.

    Examples
    --------
    >>> x, y, F_hidden = training_pair("blur", n=64)
    >>> history = learn_filter(x, y, np.zeros(3), learning_rate=0.3, steps=60)
    >>> np.round(history.filters[-1], 3), history.diverged
    (array([0.25, 0.5 , 0.25]), False)
    >>> stability_limit(x, 3) < 1.5
    True
    >>> learn_filter(x, y, np.zeros(3), learning_rate=1.5).message
    'diverged at step 4: loss grew from 0.42 to 5.9e+02; learning rate 1.5 is too large, stopped'
    """
    x, F = _validate_conv1d(x, F_init, F_name="F_init")
    y = as_float_array(y, "y", ndim=1)
    if y.size != x.size - F.size + 1:
        raise ValueError(f"y must have length len(x) - len(F_init) + 1 = "
                         f"{x.size - F.size + 1}, got {y.size}")
    learning_rate = real_number(learning_rate, "learning_rate", minimum=0, above_minimum=True)
    steps = positive_int(steps, "steps")
    # The history keeps a filter and a loss per step.
    check_memory(8 * (steps + 1) * (F.size + 1), f"learn_filter(steps={steps})")

    J, dout = _loss_or_inf(x, F, y)
    if J == np.inf:
        raise ValueError("x, y and F_init are so large that the loss overflows float64; "
                         "scale them down")
    filters, losses = [F.copy()], [J]
    # The loss of the zero filter, mean(y²), sets the scale when F_init is already exact.
    limit = DIVERGENCE_FACTOR * max(J, float(np.mean(y**2)), np.finfo(float).tiny)
    for step in range(1, steps + 1):
        _, dF = conv1d_backward(x, F, dout)
        with np.errstate(over="ignore", invalid="ignore"):
            F = F - learning_rate * dF
        J, dout = _loss_or_inf(x, F, y)
        if J < np.inf:
            filters.append(F.copy())
            losses.append(J)
        if J > limit:
            reached = f"{J:.2g}" if J < np.inf else "beyond the largest float64"
            message = (f"diverged at step {step}: loss grew from {losses[0]:.2g} to "
                       f"{reached}; learning rate {learning_rate:.3g} is too large, stopped")
            return LearningHistory(np.array(filters), np.array(losses), True, message)
    message = f"after {steps} steps the loss is {J:.2g} (it started at {losses[0]:.2g})"
    return LearningHistory(np.array(filters), np.array(losses), False, message)


def _loss_or_inf(x, F, y):
    """:func:`squared_error` of ``conv1d_forward(x, F)``, or ``(inf, None)`` on overflow.

    A diverging run multiplies its error with every step; the step that leaves float64
    must end the run with a message, not with warnings, NaNs or an error.
    """
    if not (np.all(np.isfinite(F)) and sums_fit(x, F)):
        return np.inf, None
    o = correlate(x, F)
    try:
        return squared_error(o, y)
    except ValueError:
        # o and y are checked and of one shape: the only refusal left is the squares
        # overflowing float64.
        return np.inf, None
