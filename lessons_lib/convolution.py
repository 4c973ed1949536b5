r"""Discrete convolution as the slides define it, in any number of dimensions.

The slides write the 2-D operation :math:`C = A \circledast h` as

.. math::

    C[m, n] = \sum_{j=-\omega}^{\omega} \sum_{i=-\omega}^{\omega} h[i + \omega, j + \omega]\, A[m + i, n + j]

for a filter ``h`` of ``K x K`` taps, ``K = 2ω + 1`` odd (ω = (K − 1) / 2 is its
half-width, the offsets ``i``, ``j`` run from −ω to ω), where ``(m, n)`` is the
position of the filter's centre on ``A``. In code, output cells are numbered from 0: output
``(m, n)`` is centred on ``A_p[s·m + ω, s·n + ω]`` of the (padded) input ``A_p`` for
stride ``s``, so :func:`correlate` computes
``C[m, n] = Σ_j Σ_i h[i + ω, j + ω] · A_p[s·m + ω + i, s·n + ω + j]``.
There is no flip of the kernel:
this is what signal processing calls *cross-correlation* and what every deep-learning
library calls "convolution". :func:`correlate` computes it; :func:`convolve` flips the
kernel first and so computes the mathematical convolution.

:func:`correlate_loops` is the formula as four nested loops (2-D, for reading).
:func:`correlate` checks its arguments and computes the same numbers with the fast
methods of :mod:`lessons_lib.fast.convolution` (tested equal): "direct", the sums of
the formula (one vectorised multiply-add per filter tap, or strips of outputs as matrix
products), or "fft", the correlation theorem, cheaper for large filters.

Output size, per axis, for input size ``H``, a filter of ``K`` taps, padding ``p``
(``p = 0`` for ``edges="none"``, ``p = ω = (K - 1) / 2`` otherwise) and ``stride``::

    H' = 1 + (H + 2 p - K) // stride
"""

from __future__ import annotations

import math

import numpy as np

from lessons_lib._validate import (
    as_float_array,
    check_memory,
    check_sums_fit,
    choice,
    int_tuple,
    shape_tuple,
)
from lessons_lib.fast import convolution as fast
from lessons_lib.shapes import output_size

EDGES = ("none", "zero", "reflect", "replicate", "wrap")
METHODS = ("auto", "direct", "fft")


def output_shape(input_shape, filter_shape, *, stride=1, edges="none") -> tuple[int, ...]:
    """Shape of ``correlate(A, h, stride=stride, edges=edges)`` without computing it.

    Parameters
    ----------
    input_shape, filter_shape : tuple of int
        Shapes of ``A`` and ``h`` (same length, every size at least 1).
    stride : int or tuple of int, default 1
    edges : {"none", "zero", "reflect", "replicate", "wrap"}, default "none"

    Returns
    -------
    shape : tuple of int
        ``1 + (H + 2 p - K) // stride`` on every axis, for ``K`` taps of the filter
        along it.

    Raises
    ------
    TypeError
        If a shape is not a tuple of integers, or ``stride`` is not an integer.
    ValueError
        On the conditions under which :func:`correlate` refuses these shapes: sizes
        below 1, shapes of different lengths, a filter that does not fit with
        ``edges="none"``, an even filter size with padded edges.

    Examples
    --------
    >>> output_shape((8, 9), (3, 3))
    (6, 7)
    >>> output_shape((8, 9), (3, 3), edges="zero")
    (8, 9)
    >>> output_shape((512, 512), (11, 11), stride=2)
    (251, 251)
    """
    input_shape = shape_tuple(input_shape, "input_shape")
    filter_shape = shape_tuple(filter_shape, "filter_shape")
    strides, widths = _check_shapes(input_shape, filter_shape, stride, edges,
                                    ("input_shape", "filter_shape"))
    return tuple(
        output_size(size, k, s, pad, what="filter")
        for size, k, pad, s in zip(input_shape, filter_shape, widths, strides, strict=True)
    )


def _check_shapes(A_shape, h_shape, stride, edges, names=("A", "h")):
    """Strides and padding widths for these shapes, or the error :func:`correlate` gives."""
    A_name, h_name = names
    if len(A_shape) != len(h_shape):
        raise ValueError(
            f"{h_name} must have as many dimensions as {A_name}: {A_name} is "
            f"{len(A_shape)}-D {A_shape}, {h_name} is {len(h_shape)}-D {h_shape}"
        )
    strides = int_tuple(stride, "stride", len(A_shape))
    choice(edges, "edges", EDGES)
    if edges == "none":
        if any(k > n for k, n in zip(h_shape, A_shape, strict=True)):
            raise ValueError(
                f"{h_name} {h_shape} is larger than {A_name} {A_shape} on some axis: with "
                "edges='none' the filter must fit inside the input; use a padded edges mode "
                "or a smaller filter"
            )
    elif any(k % 2 == 0 for k in h_shape):
        raise ValueError(
            f"{h_name} must have odd sizes with edges={edges!r} (padding by ω on each side "
            f"needs a centre element), got {h_shape}; use edges='none' for even filters"
        )
    widths = tuple(0 if edges == "none" else (k - 1) // 2 for k in h_shape)
    return strides, widths


def pad(A, widths, edges="zero") -> np.ndarray:
    """Pad ``A`` by ``widths[d]`` elements on both sides of axis ``d``.

    Parameters
    ----------
    A : array_like, shape (n_0, ..., n_{d-1})
        Real numbers; the result is float64 (float32 stays float32).
    widths : int or tuple of int
        Padding on each side of each axis (the filter's ω = (K - 1) / 2), one per axis of ``A``, or
        one for all of them; each >= 0.
    edges : {"none", "zero", "reflect", "replicate", "wrap"}, default "zero"
        What the border is filled with: zeros; the input mirrored about its edge
        element (``d c b | a b c d``); the edge element repeated; the opposite side
        of the input (periodic). "none" returns a copy of ``A``, unpadded.

    Returns
    -------
    padded : ndarray, shape (n_0 + 2 widths[0], ...)

    Raises
    ------
    TypeError
        If ``A`` is not numeric or a width is not an integer.
    ValueError
        If ``A`` is empty or not finite, a width is negative or there is not one per
        axis, ``edges`` is not one of the words above, or the padded array would not
        fit in memory.

    Examples
    --------
    >>> row = np.array([1, 2, 3])
    >>> for mode in EDGES[1:]:
    ...     print(mode, pad(row, (2,), mode))
    zero [0. 0. 1. 2. 3. 0. 0.]
    reflect [3. 2. 1. 2. 3. 2. 1.]
    replicate [1. 1. 1. 2. 3. 3. 3.]
    wrap [2. 3. 1. 2. 3. 1. 2.]
    """
    choice(edges, "edges", EDGES)
    A = as_float_array(A, "A", keep_float32=True)
    widths = int_tuple(widths, "widths", A.ndim, minimum=0)
    padded_shape = [n + 2 * w for n, w in zip(A.shape, widths, strict=True)]
    check_memory(math.prod(padded_shape) * A.itemsize,
                 f"pad of A {A.shape} by widths={widths}")
    return _pad(A, widths, edges)


def _pad(A, widths, edges):
    """:func:`pad` for a checked ``A``: always a new array."""
    return fast.pad(A, widths, edges)


def _validate(A, h, stride, edges, method):
    # One pass for min and max, no temporary: NaN propagates into both and inf shows in
    # one, so they tell whether A is finite and give max|A| for the overflow check.
    A = as_float_array(A, "A", check_finite=False)
    h = as_float_array(h, "h")
    if A.ndim == 0:
        raise ValueError("A must have at least one dimension, got a single number")
    lowest, highest = float(A.min()), float(A.max())
    if not (math.isfinite(lowest) and math.isfinite(highest)):
        raise ValueError("A must contain only finite numbers (no NaN or inf)")
    strides, widths = _check_shapes(A.shape, h.shape, stride, edges)
    choice(method, "method", METHODS)
    check_sums_fit(np.array([max(-lowest, highest)]), "A", h, "h")
    return A, h, strides, widths


def _valid_shape(A_p, h, strides):
    """Where ``h`` fits inside the (already padded) ``A_p``, at the given strides."""
    return tuple(output_size(n, k, s, what="filter")
                 for n, k, s in zip(A_p.shape, h.shape, strides, strict=True))


def correlate(A, h, *, stride=1, edges="none", method="auto") -> np.ndarray:
    r"""Slide the filter ``h`` over ``A``: ``C[m] = Σ_i h[i + ω] · A_p[s·m + ω + i]`` on every axis.

    ``A_p`` is ``A`` padded as ``edges`` says, ``s`` the stride and ``i`` runs from
    ``-ω`` to ``ω``, ``ω = (K - 1) / 2`` for a filter of ``K`` taps along the axis (for
    an even ``K``, from ``-ω`` to ``ω + 1`` with ``ω = (K - 1) // 2``): output cells are
    numbered from 0.

    Parameters
    ----------
    A : array_like, shape (n_0, ..., n_{d-1})
        The input, any number of dimensions (1-D signal, 2-D image, 3-D volume).
    h : array_like, shape (K_0, ..., K_{d-1})
        The filter, with ``h.ndim == A.ndim``: ``K_d`` taps along axis ``d``.
    stride : int or tuple of int, default 1
        Keep every stride-th output position on each axis, starting at the first.
    edges : {"none", "zero", "reflect", "replicate", "wrap"}, default "none"
        "none": only positions where the filter fits inside ``A`` (the output
        shrinks by ``K - 1``). The others pad ``A`` by ω = (K - 1) / 2 on each side
        (see :func:`pad`), so that at stride 1 the output has the shape of ``A``;
        they need odd filter sizes.
    method : {"auto", "direct", "fft"}, default "auto"
        "direct" adds up the products of the formula (tap by tap, or as matrix
        products); "fft" uses the correlation theorem; "auto" picks the fastest by
        size, from costs measured once for the course (small problems always tap by
        tap, in the loops' order, so that they give the same digits everywhere). They
        live in :mod:`lessons_lib.fast.convolution`; the readable version of the
        formula is :func:`correlate_loops`.

    Returns
    -------
    C : ndarray of float64, shape :func:`output_shape` ``(A.shape, h.shape, ...)``
        Both methods give the same numbers, up to rounding, for every input they
        accept.

    Raises
    ------
    TypeError
        If ``A`` or ``h`` is not numeric, or ``stride`` is not an integer.
    ValueError
        If the dimensions differ, ``h`` does not fit with edges "none", ``h`` has an
        even size with padded edges, ``stride`` < 1, a value is NaN or infinite, or
        ``edges``/``method`` is not one of the words above. Also:

        - an empty ``A`` or ``h`` (a size of 0 on some axis) is refused, where
          ``scipy.ndimage.correlate`` returns an empty array: a filter needs at least
          one tap and an input at least one sample to be placed on;
        - inputs so large that an output could overflow float64 are refused, whatever
          the method: when ``max|A| · Σ|h|`` (a bound on every output and every partial
          sum) reaches 2**1023 ≈ 9e307. Below that both methods give finite results:
          where its spectra, which add up every sample, could overflow, the FFT works
          on copies of ``A`` and ``h`` scaled by powers of two (exact).

    Examples
    --------
    >>> A = np.arange(16).reshape(4, 4)
    >>> correlate(A, np.ones((3, 3)))
    array([[45., 54.],
           [81., 90.]])
    >>> correlate([1, 2, 3, 4, 5], [0.5, 0.5])
    array([1.5, 2.5, 3.5, 4.5])
    >>> correlate(A, np.ones((3, 3)), edges="zero", stride=2)
    array([[10., 24.],
           [51., 90.]])
    """
    A, h, strides, _ = _validate(A, h, stride, edges, method)
    return fast.correlate(A, h, strides, edges, method)


def convolve(A, h, *, stride=1, edges="none", method="auto") -> np.ndarray:
    """The mathematical convolution: :func:`correlate` with ``h`` flipped on every axis.

    Takes the same arguments as :func:`correlate`. For a symmetric filter (a box or
    Gaussian blur) both give the same result; for an asymmetric one (an edge
    detector) the signs or directions differ.

    Raises
    ------
    TypeError, ValueError
        As :func:`correlate`.

    Examples
    --------
    Convolving an impulse returns the filter itself (its impulse response);
    correlating returns it reversed:

    >>> convolve([0, 0, 1, 0, 0], [1, 2, 3])
    array([1., 2., 3.])
    >>> correlate([0, 0, 1, 0, 0], [1, 2, 3])
    array([3., 2., 1.])
    """
    flipped = np.flip(as_float_array(h, "h"))
    return correlate(A, flipped, stride=stride, edges=edges, method=method)


def correlate_loops(A, h, *, stride=1, edges="none") -> np.ndarray:
    """The slides' 2-D formula written as plain loops: for reading, not for speed.

    Fast version: :func:`correlate` (:func:`lessons_lib.fast.convolution.correlate_padded`).

    Parameters
    ----------
    A : array_like, shape (H, W)
    h : array_like, shape (K_h, K_w)
        ``K_h`` taps down a column (the code's ``kh``), ``K_w`` along a row (``kw``);
        offsets ``i`` from ``-ω_i`` (``omega_i``), ``ω_i = (K_h - 1) // 2``, and ``j``
        likewise.
    stride : int or tuple of 2 int, default 1
    edges : {"none", "zero", "reflect", "replicate", "wrap"}, default "none"

    Returns
    -------
    C : ndarray of float64, shape (1 + (H + 2 p - K_h) // stride, 1 + (W + 2 p - K_w) // stride)

    Raises
    ------
    TypeError, ValueError
        As :func:`correlate`, and a ValueError if ``A`` is not 2-D.

    Examples
    --------
    >>> correlate_loops(np.arange(16).reshape(4, 4), np.ones((3, 3)))
    array([[45., 54.],
           [81., 90.]])
    """
    as_float_array(A, "A", ndim=2)
    A, h, (stride_m, stride_n), widths = _validate(A, h, stride, edges, "direct")
    A_p = _pad(A, widths, edges)
    kh, kw = h.shape
    # ω is the filter's half-width; for an even filter (edges "none" only) the
    # "centre" is the element just before the middle.
    omega_i, omega_j = (kh - 1) // 2, (kw - 1) // 2
    rows, cols = _valid_shape(A_p, h, (stride_m, stride_n))
    C = np.zeros((rows, cols))
    for m in range(rows):
        for n in range(cols):
            centre_m, centre_n = m * stride_m + omega_i, n * stride_n + omega_j
            total = 0.0
            for j in range(-omega_j, kw - omega_j):
                for i in range(-omega_i, kh - omega_i):
                    total += h[i + omega_i, j + omega_j] * A_p[centre_m + i, centre_n + j]
            C[m, n] = total
    return C
