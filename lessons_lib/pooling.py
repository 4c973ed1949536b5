r"""Pooling: keep one number per window of a feature map, its maximum or its average.

The slides max pool a 4 x 4 matrix with 2 x 2 windows and stride 2: each window
keeps its largest value, and the output is 2 x 2. In general a ``size x size``
window is placed every ``stride`` cells, and each output is the maximum (or the
average) of its window. Windows that would stick out past the bottom or the right
edge are dropped (PyTorch's default "floor" mode), so per axis

    H' = 1 + (H - size) // stride

An input is one feature map ``(H, W)`` or a batch ``(N, C, H, W)``; every ``(H, W)``
plane is pooled on its own.

The backward passes send the gradient ``dout`` of the pooled output back to the input:

- max: each ``dout[m, n]`` goes, whole, to the cell that won window ``(m, n)``; the
  other cells get nothing. On a tie the *first* maximum of the window in row-major
  order wins (as in PyTorch).
- average: each ``dout[m, n]`` is shared equally, ``dout[m, n] / size²``, among the
  cells of its window.

When windows overlap (``stride < size``) a cell can belong to several windows and
its gradients add up.

Dtype: a float32 input stays float32 (outputs and gradients), as a CNN trains in
float32; any other real input is computed in float64.

The ``*_loops`` functions are the formulas, one window at a time: read them. The
public functions (:func:`max_pool`, :func:`max_pool_backward`, :func:`avg_pool`,
:func:`avg_pool_backward`) check their arguments, then compute the same numbers with
the vectorised code of :mod:`lessons_lib.fast.pooling` (tested equal), which never loops
over windows.

In training, call ``max_pool(A, return_indices=True)`` and pass the indices to
``max_pool_backward(A, dout, indices=indices)``: the backward pass then only scatters
``dout`` instead of finding every window's maximum again.
"""

from __future__ import annotations

import numbers

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from lessons_lib import shapes
from lessons_lib._validate import (
    as_array,
    as_feature_maps,
    as_float_array,
    as_pooled_gradient,
    brief,
    check_memory,
    check_total_fits,
    choice,
    positive_int,
    refuse_overflow,
    shape_tuple,
)
from lessons_lib.fast import pooling as fast


def pooled_shape(input_shape, size=2, stride=2) -> tuple[int, ...]:
    """Shape of ``max_pool(A, size, stride)`` for ``A.shape == input_shape``.

    Parameters
    ----------
    input_shape : tuple of int
        ``(H, W)`` or ``(N, C, H, W)``.
    size : int, default 2
        The window is ``size x size``.
    stride : int, default 2
        Distance between neighbouring windows.

    Returns
    -------
    shape : tuple of int
        ``input_shape`` with ``H`` and ``W`` replaced by ``1 + (H - size) // stride``
        and ``1 + (W - size) // stride``.

    Raises
    ------
    TypeError
        If ``input_shape`` is not a tuple of integers, or ``size`` or ``stride`` is not
        an integer.
    ValueError
        If ``input_shape`` does not have 2 or 4 sizes >= 1, the window does not fit
        inside ``H x W``, or ``size`` or ``stride`` < 1.

    Examples
    --------
    >>> pooled_shape((4, 4))
    (2, 2)
    >>> pooled_shape((64, 16, 28, 28), size=3, stride=2)
    (64, 16, 13, 13)
    >>> pooled_shape((5, 7))
    (2, 3)
    """
    input_shape = shape_tuple(input_shape, "input_shape", lengths=(2, 4))
    size = positive_int(size, "size")
    stride = positive_int(stride, "stride")
    H, W = input_shape[-2:]
    if size > min(H, W):
        raise ValueError(f"size={size} is larger than the input's {H} x {W} planes: the window "
                         f"must fit inside the input; use size <= {min(H, W)}")
    return (*input_shape[:-2], shapes.output_size(H, size, stride),
            shapes.output_size(W, size, stride))


def _validate(A, size, stride, *, check_finite=True):
    A = as_feature_maps(A, check_finite=check_finite)
    return A, positive_int(size, "size"), positive_int(stride, "stride"), pooled_shape(
        A.shape, size, stride)


def _check_window_sums(A, size):
    """Average pooling adds ``size²`` cells before dividing: refuse A if that can overflow."""
    check_total_fits(A, size * size, "A", f"a {size} x {size} window's sum")


def _check_routed_sums(dout, size, stride):
    """With overlapping windows one cell of dA collects up to ⌈size/stride⌉² gradients."""
    overlaps = (-(-size // stride)) ** 2
    if overlaps > 1:
        check_total_fits(dout, overlaps, "dout",
                         f"a cell shared by {overlaps} overlapping windows")


def pooling_windows(A, size=2, stride=2) -> np.ndarray:
    """Every pooling window of ``A``, as a read-only view (no copy).

    Parameters
    ----------
    A : array_like, shape (H, W) or (N, C, H, W)
    size : int, default 2
    stride : int, default 2

    Returns
    -------
    windows : ndarray, shape (..., H', W', size, size)
        ``windows[..., m, n, :, :]`` is the window that output ``(m, n)`` pools:
        ``A[..., m*stride : m*stride + size, n*stride : n*stride + size]``.

    Raises
    ------
    TypeError, ValueError
        As :func:`max_pool`.

    Examples
    --------
    >>> from lessons_lib.datasets import pooling_example
    >>> windows = pooling_windows(pooling_example())
    >>> windows.shape
    (2, 2, 2, 2)
    >>> windows[0, 1]
    array([[2., 4.],
           [9., 3.]])
    >>> windows.max(axis=(-2, -1))
    array([[6., 9.],
           [3., 7.]])
    """
    A, size, stride, _ = _validate(A, size, stride)
    every = sliding_window_view(A, (size, size), axis=(-2, -1))
    return every[..., ::stride, ::stride, :, :]


def _first_max(window) -> tuple[int, int]:
    """Row and column of the first maximum of ``window`` in row-major order."""
    best, where = window[0, 0], (0, 0)
    for i in range(window.shape[0]):
        for j in range(window.shape[1]):
            # Strictly greater: a later cell equal to the best does not take over.
            if window[i, j] > best:
                best, where = window[i, j], (i, j)
    return where


def max_pool_loops(A, size=2, stride=2) -> np.ndarray:
    """Max pooling one window at a time: for reading, not for speed.

    Takes the same arguments and returns the same array as :func:`max_pool`. Fast
    version: :func:`lessons_lib.fast.pooling.window_max`.

    Examples
    --------
    >>> from lessons_lib.datasets import pooling_example
    >>> max_pool_loops(pooling_example())
    array([[6., 9.],
           [3., 7.]])
    """
    A, size, stride, out_shape = _validate(A, size, stride)
    out = np.zeros(out_shape, A.dtype)
    for plane in np.ndindex(A.shape[:-2]):
        for m in range(out_shape[-2]):
            for n in range(out_shape[-1]):
                rows = slice(m * stride, m * stride + size)
                cols = slice(n * stride, n * stride + size)
                window = A[plane][rows, cols]
                i, j = _first_max(window)
                out[plane][m, n] = window[i, j]
    return out


def max_pool_backward_loops(A, dout, size=2, stride=2) -> np.ndarray:
    """The gradient of max pooling, one window at a time: for reading, not for speed.

    Takes the same arguments and returns the same array as :func:`max_pool_backward`.
    Fast version: :func:`lessons_lib.fast.pooling.route_to_indices`, after
    :func:`lessons_lib.fast.pooling.window_argmax`.

    Examples
    --------
    >>> from lessons_lib.datasets import pooling_example
    >>> max_pool_backward_loops(pooling_example(), [[1, 2], [3, 4]])
    array([[0., 0., 0., 0.],
           [0., 1., 2., 0.],
           [3., 0., 0., 0.],
           [0., 0., 0., 4.]])
    """
    A, size, stride, out_shape = _validate(A, size, stride)
    dout = as_pooled_gradient(dout, A, out_shape)
    _check_routed_sums(dout, size, stride)
    dA = np.zeros(A.shape, A.dtype)
    for plane in np.ndindex(A.shape[:-2]):
        for m in range(out_shape[-2]):
            for n in range(out_shape[-1]):
                rows = slice(m * stride, m * stride + size)
                cols = slice(n * stride, n * stride + size)
                window = A[plane][rows, cols]
                i, j = _first_max(window)
                # += because overlapping windows can pick the same cell.
                dA[plane][m * stride + i, n * stride + j] += dout[plane][m, n]
    return dA


def avg_pool_loops(A, size=2, stride=2) -> np.ndarray:
    """Average pooling one window at a time: for reading, not for speed.

    Takes the same arguments and returns the same array as :func:`avg_pool`. Fast
    version: :func:`lessons_lib.fast.pooling.window_mean`.

    Examples
    --------
    >>> from lessons_lib.datasets import pooling_example
    >>> avg_pool_loops(pooling_example())
    array([[3.25, 4.5 ],
           [2.  , 3.75]])
    """
    A, size, stride, out_shape = _validate(A, size, stride)
    _check_window_sums(A, size)
    out = np.zeros(out_shape, A.dtype)
    for plane in np.ndindex(A.shape[:-2]):
        for m in range(out_shape[-2]):
            for n in range(out_shape[-1]):
                total = 0.0
                for i in range(size):
                    for j in range(size):
                        total += A[plane][m * stride + i, n * stride + j]
                out[plane][m, n] = total / size**2
    return out


def avg_pool_backward_loops(A, dout, size=2, stride=2) -> np.ndarray:
    """The gradient of average pooling, one window at a time: for reading, not for speed.

    Takes the same arguments and returns the same array as :func:`avg_pool_backward`.
    Fast version: :func:`lessons_lib.fast.pooling.spread_mean`.

    Examples
    --------
    >>> from lessons_lib.datasets import pooling_example
    >>> avg_pool_backward_loops(pooling_example(), [[4, 8], [0, 4]])
    array([[1., 1., 2., 2.],
           [1., 1., 2., 2.],
           [0., 0., 1., 1.],
           [0., 0., 1., 1.]])
    """
    A, size, stride, out_shape = _validate(A, size, stride)
    dout = as_pooled_gradient(dout, A, out_shape)
    dA = np.zeros(A.shape, A.dtype)
    for plane in np.ndindex(A.shape[:-2]):
        for m in range(out_shape[-2]):
            for n in range(out_shape[-1]):
                for i in range(size):
                    for j in range(size):
                        dA[plane][m * stride + i, n * stride + j] += dout[plane][m, n] / size**2
    return dA


def max_pool(A, size=2, stride=2, *, return_indices=False):
    """Max pooling: each ``size x size`` window, one every ``stride`` cells, keeps its maximum.

    Readable version: :func:`max_pool_loops`; computed by
    :func:`lessons_lib.fast.pooling.window_max` (``window_argmax`` with indices).

    Parameters
    ----------
    A : array_like, shape (H, W) or (N, C, H, W)
        One feature map or a batch; each (H, W) plane is pooled on its own.
    size : int, default 2
        The window is ``size x size``; it must fit inside ``H x W``.
    stride : int, default 2
        Distance between neighbouring windows; ``stride < size`` makes them overlap.
    return_indices : bool, default False
        Also return where each maximum was, as PyTorch's
        ``max_pool2d(..., return_indices=True)`` does. Passing them to
        :func:`max_pool_backward` saves it from finding the maxima again.

    Returns
    -------
    out : ndarray, shape (..., H', W')
        ``H' = 1 + (H - size) // stride``, ``W' = 1 + (W - size) // stride``; rows and
        columns left over at the bottom and the right are dropped. float32 if ``A``
        is float32, float64 otherwise.
    indices : ndarray of int64, shape (..., H', W')
        Only with ``return_indices``: the flat index ``row * W + column`` in its
        (H, W) plane of the first maximum (row-major order) of each window.

    Raises
    ------
    TypeError
        If ``A`` is not numeric, ``size`` or ``stride`` is not an integer, or
        ``return_indices`` is not a bool.
    ValueError
        If ``A`` is not 2-D or 4-D, is ragged, empty or not finite, ``size`` or
        ``stride`` is below 1, or the window is larger than the input.

    Examples
    --------
    The slides' example:

    >>> from lessons_lib.datasets import pooling_example
    >>> A = pooling_example()
    >>> max_pool(A)
    array([[6., 9.],
           [3., 7.]])
    >>> out, indices = max_pool(A, return_indices=True)
    >>> indices
    array([[ 5,  6],
           [ 8, 15]])

    Overlapping 3 x 3 windows, stride 1:

    >>> max_pool(A, size=3, stride=1)
    array([[9., 9.],
           [9., 9.]])
    """
    A, size, stride, out_shape = _validate(A, size, stride)
    if not isinstance(return_indices, (bool, np.bool_)):
        raise TypeError(f"return_indices must be True or False, got {brief(return_indices)}")
    if return_indices:
        return fast.window_argmax(A, size, stride, out_shape)
    return fast.window_max(A, size, stride, out_shape)


def _as_indices(indices, A, out_shape) -> np.ndarray:
    array = as_array(indices, "indices")
    if array.dtype.kind not in "iu":
        raise TypeError(f"indices must be integers from max_pool(..., return_indices=True), "
                        f"got dtype {array.dtype}")
    if array.shape != out_shape:
        raise ValueError(f"indices must have the shape of the pooled output, {out_shape}, "
                         f"got {array.shape}")
    plane = A.shape[-2] * A.shape[-1]
    # One pass instead of min() and max(): seen as unsigned, a negative index is huge.
    if array.view(array.dtype.str.replace("i", "u")).max() >= plane:
        raise ValueError(f"indices must lie in [0, {plane}) (flat positions in an (H, W) plane "
                         f"of A), got values from {array.min()} to {array.max()}")
    return array


def max_pool_backward(A, dout, size=2, stride=2, *, indices=None) -> np.ndarray:
    """The gradient of max pooling: each ``dout[m, n]`` goes to the maximum of its window.

    Readable version: :func:`max_pool_backward_loops`; computed by
    :func:`lessons_lib.fast.pooling.route_to_indices`.

    Parameters
    ----------
    A : array_like, shape (H, W) or (N, C, H, W)
        The input of the forward pass.
    dout : array_like, shape (..., H', W')
        The gradient of the loss with respect to ``max_pool(A, size, stride)``.
    size, stride : int, default 2
        As in the forward pass.
    indices : ndarray of int, shape (..., H', W'), optional
        The indices returned by ``max_pool(A, size, stride, return_indices=True)``;
        without them the maxima are found again from ``A``.

    Returns
    -------
    dA : ndarray, shape of A
        Zero except at the first maximum (row-major order) of each window, which
        receives that window's ``dout``; where windows overlap and share a maximum,
        their gradients add up. float32 if ``A`` is float32, float64 otherwise.

    Raises
    ------
    TypeError, ValueError
        As :func:`max_pool`, and if ``dout`` or ``indices`` does not have the pooled
        output's shape, ``dout`` is not finite, ``indices`` is not integer or holds
        positions outside a plane, or overlapping windows would add gradients past
        the largest float (``max|dout| · ⌈size/stride⌉²``).

    Examples
    --------
    >>> from lessons_lib.datasets import pooling_example
    >>> max_pool_backward(pooling_example(), [[1, 2], [3, 4]])
    array([[0., 0., 0., 0.],
           [0., 1., 2., 0.],
           [3., 0., 0., 0.],
           [0., 0., 0., 4.]])

    A tie: the first maximum in row-major order gets the gradient.

    >>> max_pool_backward([[5, 5], [5, 5]], [[1]])
    array([[1., 0.],
           [0., 0.]])
    """
    # With indices, only A's shape and dtype are used: its values were checked when
    # max_pool found the indices.
    A, size, stride, out_shape = _validate(A, size, stride, check_finite=indices is None)
    dout = as_pooled_gradient(dout, A, out_shape)
    _check_routed_sums(dout, size, stride)
    if indices is None:
        _, indices = fast.window_argmax(A, size, stride, out_shape)
    else:
        indices = _as_indices(indices, A, out_shape)
    return fast.route_to_indices(dout, indices, A.shape, overlapping=stride < size)


def avg_pool(A, size=2, stride=2) -> np.ndarray:
    """Average pooling: each ``size x size`` window, one every ``stride`` cells, keeps its mean.

    Readable version: :func:`avg_pool_loops`; computed by
    :func:`lessons_lib.fast.pooling.window_mean`.

    Parameters
    ----------
    A : array_like, shape (H, W) or (N, C, H, W)
    size : int, default 2
    stride : int, default 2

    Returns
    -------
    out : ndarray, shape (..., H', W')
        As :func:`max_pool`, with the mean of each window instead of its maximum.

    Raises
    ------
    TypeError, ValueError
        As :func:`max_pool`, and a ValueError if a window's sum could overflow
        (``max|A| · size²`` beyond the largest float of A's dtype).

    Examples
    --------
    >>> from lessons_lib.datasets import pooling_example
    >>> avg_pool(pooling_example())
    array([[3.25, 4.5 ],
           [2.  , 3.75]])
    """
    A, size, stride, out_shape = _validate(A, size, stride)
    _check_window_sums(A, size)
    return fast.window_mean(A, size, stride, out_shape)


def avg_pool_backward(A, dout, size=2, stride=2) -> np.ndarray:
    """The gradient of average pooling: each ``dout[m, n] / size²`` goes to every cell of its window.

    Readable version: :func:`avg_pool_backward_loops`; computed by
    :func:`lessons_lib.fast.pooling.spread_mean`.

    Parameters
    ----------
    A : array_like, shape (H, W) or (N, C, H, W)
        The input of the forward pass (only its shape and dtype matter).
    dout : array_like, shape (..., H', W')
    size, stride : int, default 2

    Returns
    -------
    dA : ndarray, shape of A
        Cells in no window (dropped rows and columns) get 0; cells in several
        overlapping windows get the sum of their shares.

    Raises
    ------
    TypeError, ValueError
        As :func:`max_pool_backward`.

    Examples
    --------
    >>> from lessons_lib.datasets import pooling_example
    >>> avg_pool_backward(pooling_example(), [[4, 8], [0, 4]])
    array([[1., 1., 2., 2.],
           [1., 1., 2., 2.],
           [0., 0., 1., 1.],
           [0., 0., 1., 1.]])
    """
    A, size, stride, out_shape = _validate(A, size, stride)
    dout = as_pooled_gradient(dout, A, out_shape)
    return fast.spread_mean(dout, A.shape, size, stride)


def global_avg_pool(A) -> np.ndarray:
    """Global average pooling: one number per feature map, the mean of its plane.

    Parameters
    ----------
    A : array_like, shape (H, W) or (N, C, H, W)

    Returns
    -------
    out : ndarray, shape (N, C), or a 0-d array for (H, W)
        Equal to ``avg_pool(A, size=H, stride=1)`` for square planes.

    Raises
    ------
    TypeError, ValueError
        As :func:`avg_pool`, for a window of the whole plane.

    Examples
    --------
    >>> global_avg_pool(np.arange(8.0).reshape(1, 2, 2, 2))
    array([[1.5, 5.5]])
    """
    A = as_feature_maps(A)
    check_total_fits(A, A.shape[-2] * A.shape[-1], "A", "a plane's sum")
    return A.mean(axis=(-2, -1))


def receptive_field(layers) -> list[tuple[int, int]]:
    """How many input pixels each output of a stack of conv/pool layers sees.

    :func:`lessons_lib.shapes.receptive_field` (its parameters, its result), here beside
    the pooling that makes the field grow fast: after each ``(size, stride)`` layer,
    ``(field, jump)`` with ``field += (size - 1) * jump`` and ``jump *= stride``.

    Examples
    --------
    Three 3 x 3 convolutions, with and without 2 x 2 max pooling between them:

    >>> receptive_field([(3, 1), (3, 1), (3, 1)])[-1], receptive_field(
    ...     [(3, 1), (2, 2), (3, 1), (2, 2), (3, 1)])[-1]
    ((7, 1), (18, 4))
    """
    return shapes.receptive_field(layers)


def translate(A, down=0, right=0) -> np.ndarray:
    """Shift the (H, W) planes of ``A`` by whole cells, filling with zeros (no wrap-around).

    Parameters
    ----------
    A : array_like, shape (H, W) or (N, C, H, W)
    down, right : int, default 0
        Cells to move down and to the right (negative: up and to the left);
        ``|down| < H`` and ``|right| < W``.

    Returns
    -------
    moved : ndarray, shape of A
        Cells shifted in from outside are 0; cells shifted out are lost.

    Raises
    ------
    TypeError
        If ``A`` is not numeric, or ``down`` or ``right`` is not an integer.
    ValueError
        As :func:`max_pool` for ``A``, and if a shift is as large as the plane.

    Examples
    --------
    >>> translate(np.arange(1.0, 7.0).reshape(2, 3), right=1)
    array([[0., 1., 2.],
           [0., 4., 5.]])
    """
    A = as_feature_maps(A)
    H, W = A.shape[-2:]
    for name, shift, n in (("down", down, H), ("right", right, W)):
        if isinstance(shift, (bool, np.bool_)) or not isinstance(shift, (int, np.integer)):
            raise TypeError(f"{name} must be an integer with |{name}| < {n}, got {brief(shift)}")
        if abs(shift) >= n:
            raise ValueError(f"{name} must be an integer with |{name}| < {n}, got {shift!r}")
    down, right = int(down), int(right)
    out = np.zeros_like(A)
    rows_to, rows_from = slice(max(down, 0), H + min(down, 0)), slice(max(-down, 0), H - max(down, 0))
    cols_to, cols_from = slice(max(right, 0), W + min(right, 0)), slice(max(-right, 0),
                                                                        W - max(right, 0))
    out[..., rows_to, cols_to] = A[..., rows_from, cols_from]
    return out


def relative_change(before, after) -> float:
    """``Σ |after - before| / Σ |before|``: how much of ``before`` a change moved.

    Parameters
    ----------
    before, after : array_like, same shape
        ``before`` must not be all zeros.

    Returns
    -------
    change : float
        0 for no change; 1 when the change is as large, in total, as ``before``.

    Raises
    ------
    TypeError
        If ``before`` or ``after`` is not numeric.
    ValueError
        If the shapes differ, an array is empty or not finite, ``before`` is all
        zeros, or the totals overflow float64.

    Examples
    --------
    >>> relative_change([1.0, 1.0, 0.0], [1.0, 0.0, 1.0])
    1.0
    """
    before, after = as_float_array(before, "before"), as_float_array(after, "after")
    if before.shape != after.shape:
        raise ValueError(f"before and after must have the same shape, got {before.shape} "
                         f"and {after.shape}")
    with refuse_overflow("before and after", "the total Σ|after - before|"):
        scale = np.abs(before).sum()
        if scale == 0:
            raise ValueError("before must not be all zeros (the change would be relative to 0)")
        return float(np.abs(after - before).sum() / scale)


def translation_sensitivity(A, shifts, size=2, stride=2) -> list[dict]:
    """How much a translation changes ``A``, and how much it changes ``max_pool(A)``.

    Parameters
    ----------
    A : array_like, shape (H, W)
    shifts : sequence of (down, right)
    size, stride : int, default 2

    Returns
    -------
    rows : list of dict
        One per shift, with keys "shift", "input change" and "pooled change"
        (each a :func:`relative_change`, rounded to 3 decimals).

    Raises
    ------
    TypeError, ValueError
        As :func:`max_pool` and :func:`translate`, and if ``shifts`` is not a sequence
        of ``(down, right)`` pairs.

    Examples
    --------
    >>> from lessons_lib.datasets import figure_matrix
    >>> translation_sensitivity(figure_matrix(), [(0, 1)])
    [{'shift': (0, 1), 'input change': 1.045, 'pooled change': 0.111}]
    """
    A = as_float_array(A, "A", ndim=2)
    wanted = f"a list of (down, right) pairs of integers with |down| < {A.shape[0]} and " \
             f"|right| < {A.shape[1]}"
    if not isinstance(shifts, (list, tuple)) or not all(
            isinstance(shift, (list, tuple)) and len(shift) == 2
            and all(isinstance(n, numbers.Integral) and not isinstance(n, (bool, np.bool_))
                    for n in shift) for shift in shifts):
        raise TypeError(f"shifts must be {wanted}, got {brief(shifts)}")
    if any(abs(down) >= A.shape[0] or abs(right) >= A.shape[1] for down, right in shifts):
        raise ValueError(f"shifts must be {wanted}, got {brief(shifts)}")
    pooled = max_pool(A, size, stride)
    rows = []
    for down, right in shifts:
        moved = translate(A, down, right)
        rows.append({
            "shift": (down, right),
            "input change": round(relative_change(A, moved), 3),
            "pooled change": round(relative_change(pooled, max_pool(moved, size, stride)), 3),
        })
    return rows


DOWNSAMPLING = ("max pool", "average pool", "subsample", "blur, then subsample")
"""The ways :func:`downsample` can shrink an image."""


def downsample(image, factor, method="max pool") -> np.ndarray:
    """Shrink an image ``factor`` times along each axis.

    Parameters
    ----------
    image : array_like, shape (H, W)
    factor : int
        Window size and stride; ``factor <= min(H, W)``.
    method : {"max pool", "average pool", "subsample", "blur, then subsample"}, default "max pool"
        "subsample" keeps the top-left pixel of every window and ignores the rest
        (detail finer than the new pixel size comes back as false, coarser patterns:
        aliasing). "blur, then subsample" removes that fine detail first with a
        Gaussian of ``sigma = (factor - 1) / 2``, as image libraries do before
        shrinking. Average pooling is a box blur followed by subsampling.

    Returns
    -------
    small : ndarray of float64, shape (1 + (H - factor) // factor, 1 + (W - factor) // factor)

    Raises
    ------
    TypeError
        If ``image`` is not numeric or ``factor`` not an integer.
    ValueError
        If ``image`` is not 2-D, is empty or not finite, ``factor`` is not in
        [1, min(H, W)], or ``method`` is not one of the words above.

    Examples
    --------
    >>> image = np.array([[0, 1, 0, 1], [1, 0, 1, 0], [0, 1, 0, 1], [1, 0, 1, 0]])
    >>> downsample(image, 2, "subsample")
    array([[0., 0.],
           [0., 0.]])
    >>> downsample(image, 2, "max pool")
    array([[1., 1.],
           [1., 1.]])
    >>> downsample(image, 2, "average pool")
    array([[0.5, 0.5],
           [0.5, 0.5]])
    """
    from lessons_lib.convolution import correlate
    from lessons_lib.filters import gaussian_blur

    image = as_float_array(image, "image", ndim=2)
    choice(method, "method", DOWNSAMPLING)
    factor = positive_int(factor, "factor")
    if factor > min(image.shape):
        raise ValueError(f"factor must be at most min(H, W) = {min(image.shape)} for an image "
                         f"of shape {image.shape}, got {factor}")
    H, W = pooled_shape(image.shape, factor, factor)
    if method == "max pool":
        return max_pool(image, factor, factor)
    if method == "average pool":
        return avg_pool(image, factor, factor)
    if method == "blur, then subsample" and factor > 1:
        sigma = (factor - 1) / 2
        image = correlate(image, gaussian_blur(2 * int(np.ceil(3 * sigma)) + 1, sigma),
                          edges="reflect")
    return image[: H * factor : factor, : W * factor : factor].copy()


def zone_plate(n=256) -> np.ndarray:
    """Concentric rings that get finer towards the edge: a test pattern for aliasing.

    ``image[r, c] = (1 + cos(π d² / n)) / 2`` with ``d`` the distance from the centre,
    so the local frequency grows linearly from 0 at the centre to one cycle every
    2 pixels at the middle of each edge.

    Parameters
    ----------
    n : int, default 256
        Side of the square image.

    Returns
    -------
    image : ndarray of float64, shape (n, n), values in [0, 1]

    Raises
    ------
    TypeError
        If ``n`` is not an integer.
    ValueError
        If ``n`` < 1 or the image would not fit in memory.

    Examples
    --------
    >>> zone_plate(4).round(2)
    array([[1.  , 0.15, 0.  , 0.15],
           [0.15, 0.5 , 0.85, 0.5 ],
           [0.  , 0.85, 1.  , 0.85],
           [0.15, 0.5 , 0.85, 0.5 ]])
    """
    n = positive_int(n, "n")
    # The image and two temporaries of its size.
    check_memory(3 * 8 * n * n, f"zone_plate(n={n})")
    d = np.arange(n) - n // 2
    squared = d[:, None] ** 2 + d[None, :] ** 2
    return (1 + np.cos(np.pi * squared / n)) / 2
