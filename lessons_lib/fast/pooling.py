r"""The fast pooling behind :mod:`lessons_lib.pooling` and :class:`lessons_lib.nn.MaxPool2D`.

Readable versions: the ``*_loops`` functions of :mod:`lessons_lib.pooling`, one window
at a time; every function here computes the same numbers (tested equal). None of them
loops over windows, only over the ``size`` cells of a window row or column: a window's
maximum is separable, the maximum of the maxima of its rows, so ``2 (size - 1)``
whole-array ``np.maximum`` calls pool a batch, two for the common ``size=2, stride=2``.
The same strided views (:func:`_taps`) sum windows for average pooling and spread
gradients back.

Max pooling finds its maxima in one of two ways, and the backward pass routes the
gradient accordingly:

- *indices* (:func:`window_argmax`, then :func:`route_to_indices`): the flat position of
  each window's first maximum, for any stride; what ``max_pool(..., return_indices=True)``
  returns, as PyTorch does;
- *switches* (:func:`max_pool_switches`, then :func:`max_pool_switches_backward`): for
  windows that tile the input (stride = size), which column won each window row and
  which row won the window, in small integers: cheaper to find and to route.

:func:`max_pool_layer` is the forward pass of :class:`lessons_lib.nn.MaxPool2D`: it takes
the switches when it can, chunk by chunk on the threads of
:func:`lessons_lib.nn.threads`, the indices otherwise.

Arguments are checked by the callers (:mod:`lessons_lib.pooling`), except at the entry
points of the layer: :func:`max_pool_switches`, :func:`max_pool_switches_backward` and
:func:`max_pool_layer` check what they receive.
"""

from __future__ import annotations

import numpy as np

from lessons_lib._validate import as_feature_maps, as_pooled_gradient, positive_int
from lessons_lib.fast import parallel
from lessons_lib.shapes import output_size

# The argmax pass works through a batch in blocks of about this many row maxima, so
# that a block's temporaries stay in the CPU cache across the ``size`` passes.
_BLOCK_ELEMENTS = 1 << 15

# route_to_indices hands planes to map_chunks in groups of about this many cells: a
# chunk of 32 groups, 2 MB of float32 gradient, was as fast as half that and faster than
# twice that or than lone planes, on 1 and 2 threads (a (64, 16, 64, 64) batch).
_ROUTE_GROUP_ELEMENTS = 1 << 14


def _taps(X, axis, size, stride, count):
    """The ``size`` strided views of ``X`` along ``axis`` (-1 or -2) that one pass reads.

    View ``i`` holds ``X[..., i + stride * m]`` for ``m < count``: the ``i``-th cell of
    every window along that axis. Views of a writable array are writable.
    """
    views = []
    for i in range(size):
        index = slice(i, i + stride * (count - 1) + 1, stride)
        views.append(X[..., index] if axis == -1 else X[..., index, :])
    return views


def _running_max(views) -> np.ndarray:
    first, *rest = views
    if not rest:
        return first.copy()
    out = np.maximum(first, rest[0])
    for view in rest[1:]:
        np.maximum(out, view, out=out)
    return out


def window_max(A, size, stride, out_shape) -> np.ndarray:
    """Max over every window: across each window row, then down the row maxima.

    Readable version: :func:`lessons_lib.pooling.max_pool_loops`. ``A`` is checked
    and ``out_shape`` is :func:`lessons_lib.pooling.pooled_shape` of it.
    """
    Ho, Wo = out_shape[-2:]
    across = _running_max(_taps(A, -1, size, stride, Wo))
    return _running_max(_taps(across, -2, size, stride, Ho))


def _select(better, new, old):
    """``np.where(better, new, old)`` for small signed integers, as arithmetic.

    numpy's ``where`` on strided small-integer arrays is several times slower than
    one multiply-add, and the argmax pass below selects on every window.
    """
    return old + better * (new - old)


def _argmax_block(X, size, stride, out, index) -> None:
    """Fill ``out`` and ``index`` (the flat position in its plane) for planes ``X`` (P, H, W).

    Across each window row the first column reaching the row's maximum is kept; down
    the rows, the first row whose maximum is the window's. Together: the first
    maximum in row-major order. Comparisons are strict (``>``) for that reason.
    """
    H, W = X.shape[-2:]
    Ho, Wo = out.shape[-2:]
    # Offsets within a window, 0 to size - 1, in the smallest signed integer type.
    offset_type = np.min_scalar_type(-size)
    columns = _taps(X, -1, size, stride, Wo)
    row_max = columns[0].copy()
    column = np.zeros(row_max.shape, offset_type)
    for j, view in enumerate(columns[1:], start=1):
        column = _select(view > row_max, j, column)
        np.maximum(row_max, view, out=row_max)
    rows, columns = _taps(row_max, -2, size, stride, Ho), _taps(column, -2, size, stride, Ho)
    np.copyto(out, rows[0])
    row, column = np.zeros(out.shape, offset_type), columns[0].copy()
    for i, (view, candidate) in enumerate(zip(rows[1:], columns[1:], strict=True), start=1):
        better = view > out
        row, column = _select(better, i, row), _select(better, candidate, column)
        np.maximum(out, view, out=out)
    np.multiply(row, W, out=index, dtype=index.dtype)
    index += column
    index += (np.arange(Ho) * stride * W)[:, None] + np.arange(Wo) * stride


def window_argmax(A, size, stride, out_shape):
    """The pooled maxima and the flat index of each one in its (H, W) plane.

    Readable version: :func:`lessons_lib.pooling.max_pool_loops`, which finds the same
    first maximum (row-major order) of each window.
    """
    H, W = A.shape[-2:]
    Ho, Wo = out_shape[-2:]
    X = A.reshape(-1, H, W)
    out = np.empty((X.shape[0], Ho, Wo), A.dtype)
    index = np.empty((X.shape[0], Ho, Wo), np.int64)
    per_block = max(1, _BLOCK_ELEMENTS // (H * Wo))
    for start in range(0, X.shape[0], per_block):
        block = slice(start, start + per_block)
        _argmax_block(X[block], size, stride, out[block], index[block])
    return out.reshape(out_shape), index.reshape(out_shape)


def route_to_indices(dout, indices, input_shape, *, overlapping=True) -> np.ndarray:
    """Each ``dout`` value added to the cell its index names: max pooling's backward pass.

    Readable version: :func:`lessons_lib.pooling.max_pool_backward_loops`.

    Parameters
    ----------
    dout : ndarray, shape (..., H', W')
        Checked, and of the dtype the gradient should have.
    indices : ndarray of int, shape (..., H', W')
        Flat positions in their (H, W) plane, from :func:`window_argmax`.
    input_shape : tuple of int
        ``(H, W)`` or ``(N, C, H, W)``.
    overlapping : bool, default True
        Whether windows may overlap (stride < size), so that two of them can name the
        same cell. False (windows that tile the plane, or leave gaps) lets each value be
        written instead of added: faster, and the same result.

    Returns
    -------
    dA : ndarray, shape ``input_shape``, dtype of ``dout``
    """
    plane = input_shape[-2] * input_shape[-1]
    pooled = dout.shape[-2] * dout.shape[-1]
    indices, dout = indices.reshape(-1, pooled), dout.reshape(-1, pooled)
    dA = np.empty((len(indices), plane), dout.dtype)
    # The chunks of map_chunks are of groups of planes: a chunk of lone 64 x 64 planes
    # would be too little work to pay for handing it to a thread.
    group = max(1, _ROUTE_GROUP_ELEMENTS // plane)

    def route_planes(groups):
        # A chunk of planes at a time: its positions and gradient stay in the CPU
        # cache, and inside nn.threads() the chunks share the cores.
        rows = slice(groups.start * group, groups.stop * group)
        block = dA[rows].reshape(-1)
        block.fill(0)
        positions = np.arange(0, block.size, plane, dtype=np.intp)[:, None]
        positions = np.add(positions, indices[rows], dtype=np.intp).reshape(-1)
        if overlapping:  # add.at: one cell can be picked by two windows
            np.add.at(block, positions, dout[rows].reshape(-1))
        else:  # one window per cell: a plain scatter, faster than add.at
            block[positions] = dout[rows].reshape(-1)

    parallel.map_chunks(route_planes, -(-len(indices) // group))
    return dA.reshape(input_shape)


def window_mean(A, size, stride, out_shape) -> np.ndarray:
    """The mean of every window: sums across each window row, then down the row sums.

    Readable version: :func:`lessons_lib.pooling.avg_pool_loops`.
    """
    Ho, Wo = out_shape[-2:]
    across = sum(_taps(A, -1, size, stride, Wo))
    total = sum(_taps(across, -2, size, stride, Ho))
    return total / A.dtype.type(size**2)


def spread_mean(dout, input_shape, size, stride) -> np.ndarray:
    """Each ``dout[m, n] / size²`` added to every cell of window ``(m, n)``.

    Readable version: :func:`lessons_lib.pooling.avg_pool_backward_loops`. ``dout`` is
    checked, and of the dtype the gradient should have.
    """
    Ho, Wo = dout.shape[-2:]
    share = dout / dout.dtype.type(size**2)
    # The forward pass in reverse: spread each share down the rows of its window,
    # then across its columns.
    down = np.zeros((*input_shape[:-1], Wo), dout.dtype)
    for view in _taps(down, -2, size, stride, Ho):
        view += share
    dA = np.zeros(input_shape, dout.dtype)
    for view in _taps(dA, -1, size, stride, Wo):
        view += down
    return dA


def _running_argmax(views):
    """Elementwise maximum over ``views`` and which view (0, 1, ...) first holds it."""
    dtype = np.min_scalar_type(-len(views))
    if len(views) == 1:
        return views[0].copy(), np.zeros(views[0].shape, dtype)
    first, second, *rest = views
    # Strictly greater: on a tie the earlier view keeps it. A bool is one byte, 0 or 1:
    # read as int8 without a copy.
    which = second > first
    which = which.view(dtype) if dtype.itemsize == 1 else which.astype(dtype)
    out = np.maximum(first, second)
    for k, view in enumerate(rest, start=2):
        which = _select(view > out, dtype.type(k), which)
        np.maximum(out, view, out=out)
    return out, which


def max_pool_switches(A, size=2):
    """Max pooling over windows that tile ``A`` (stride = size), and its "switches".

    The switches record where each maximum came from, so that the backward pass,
    :func:`max_pool_switches_backward`, only routes the gradient. They follow the
    separable maximum: the first maximum of each window row, then the first row
    holding the window's maximum; together the first maximum in row-major order, as
    :func:`lessons_lib.pooling.max_pool` finds. This is the fast path of the pooling
    layer of lesson 04: every step is one whole-array operation on small integer or
    float arrays. Readable version: :func:`lessons_lib.pooling.max_pool_loops`.

    Parameters
    ----------
    A : array_like, shape (H, W) or (N, C, H, W)
    size : int, default 2
        Window size and stride.

    Returns
    -------
    out : ndarray, shape (..., H', W')
        Equal to ``lessons_lib.pooling.max_pool(A, size, size)``.
    switches : tuple (column, row) of small-integer arrays
        ``column``, shape (..., size·H', W'): the column (0 to size − 1) of the
        maximum of each window row; ``row``, shape (..., H', W'): the row of the
        window whose maximum is the window's.

    Examples
    --------
    >>> from lessons_lib.datasets import pooling_example
    >>> out, (column, row) = max_pool_switches(pooling_example())
    >>> out
    array([[6., 9.],
           [3., 7.]])
    >>> row
    array([[1, 1],
           [0, 1]], dtype=int8)
    """
    A, size = as_feature_maps(A), positive_int(size, "size")
    return switches_unchecked(A, size)


def switches_unchecked(A, size):
    """:func:`max_pool_switches` of a checked float array (any view), without the checks.

    For callers inside a network, where the values are the network's own: a scan for
    NaN and inf on every pass would cost as much as the pooling.
    """
    Ho, Wo = (output_size(n, size, size) for n in A.shape[-2:])
    row_max, column = _running_argmax(_taps(A[..., : Ho * size, :], -1, size, size, Wo))
    out, row = _running_argmax(_taps(row_max, -2, size, size, Ho))
    return out, (column, row)


def max_pool_switches_backward(dout, switches, input_shape) -> np.ndarray:
    """The gradient of :func:`max_pool_switches`: ``dout`` routed back through the switches.

    Parameters
    ----------
    dout : ndarray, shape (..., H', W')
        Gradient of the loss with respect to the pooled output.
    switches : tuple (column, row)
        From :func:`max_pool_switches`.
    input_shape : tuple of int
        Shape of ``A``.

    Returns
    -------
    dA : ndarray, shape ``input_shape``, dtype of ``dout``
        Equal to :func:`lessons_lib.pooling.max_pool_backward` with ``stride = size``.
        Readable version: :func:`lessons_lib.pooling.max_pool_backward_loops`.

    Examples
    --------
    >>> from lessons_lib.datasets import pooling_example
    >>> A = pooling_example()
    >>> _, switches = max_pool_switches(A)
    >>> max_pool_switches_backward(np.array([[1.0, 2.0], [3.0, 4.0]]), switches, A.shape)
    array([[0., 0., 0., 0.],
           [0., 1., 2., 0.],
           [3., 0., 0., 0.],
           [0., 0., 0., 4.]])
    """
    row = switches[1]
    dtype = np.float32 if np.asarray(dout).dtype == np.float32 else np.float64
    dA = np.empty(input_shape, dtype)
    return route_switches(as_pooled_gradient(dout, dA, row.shape), switches, dA)


def route_switches(dout, switches, dA):
    """:func:`max_pool_switches_backward` without the checks, written into ``dA``.

    ``dout`` has the pooled shape and ``dA``'s dtype; ``dA`` (any writable array or
    view of the input's shape) receives every cell, zero where no window's maximum is.
    """
    column, row = switches
    Ho, Wo = row.shape[-2:]
    size = column.shape[-2] // Ho
    # Rows and columns the windows leave out keep a zero gradient.
    dA[..., Ho * size :, :] = 0
    dA[..., Wo * size :] = 0
    to_rows = np.empty(column.shape, dout.dtype)
    for i, view in enumerate(_taps(to_rows, -2, size, size, Ho)):
        np.multiply(dout, row == i, out=view)
    for j, view in enumerate(_taps(dA[..., : Ho * size, :], -1, size, size, Wo)):
        np.multiply(to_rows, column == j, out=view)
    return dA


def max_pool_layer(x, size, stride):
    """The forward pass of :class:`lessons_lib.nn.MaxPool2D`, and its backward pass.

    Readable versions: :func:`lessons_lib.pooling.max_pool_loops` and
    :func:`lessons_lib.pooling.max_pool_backward_loops`.

    Parameters
    ----------
    x : ndarray of float, shape (N, C, H, W)
        The window must fit inside ``H x W``.
    size, stride : int

    Returns
    -------
    y : ndarray, shape (N, C, H', W'), dtype of ``x``
    backward : callable
        ``backward(dout) -> dx`` for a ``dout`` of ``y``'s shape and dtype: each
        gradient goes to the first maximum of its window, as
        :func:`lessons_lib.pooling.max_pool_backward` sends it.

    Examples
    --------
    >>> x = np.array([[[[1.0, 2.0], [4.0, 3.0]]]])
    >>> y, backward = max_pool_layer(x, 2, 2)
    >>> y.ravel(), backward(np.ones((1, 1, 1, 1))).ravel()
    (array([4.]), array([0., 0., 1., 0.]))
    """
    if stride != size:
        return _max_pool_indices(x, size, stride)
    return _max_pool_switches(x, size)


def _max_pool_indices(x, size, stride):
    """Any stride: where each maximum was, so that backward does not search again."""
    A = as_feature_maps(x)
    out_shape = (*A.shape[:2], *(output_size(n, size, stride) for n in A.shape[2:]))
    y, indices = window_argmax(A, size, stride, out_shape)

    def backward(dout):
        return route_to_indices(as_pooled_gradient(dout, A, out_shape), indices, A.shape,
                                overlapping=stride < size)

    return y, backward


def _max_pool_switches(x, size):
    """Windows that tile the input: the cheaper switches, chunk by chunk on threads."""
    N = x.shape[0]
    y = np.empty((N, x.shape[1], *(output_size(n, size, size) for n in x.shape[2:])), x.dtype)

    def forward_chunk(rows):
        y[rows], switches = max_pool_switches(x[rows], size)
        return switches

    switches = parallel.map_chunks(forward_chunk, N, sample_size=x[0].size)

    def backward(dout):
        dx = np.empty(x.shape, x.dtype)

        def backward_chunk(rows, chunk_switches):
            dx[rows] = max_pool_switches_backward(dout[rows], chunk_switches, dx[rows].shape)

        parallel.map_chunks(backward_chunk, N, switches, sample_size=dx[0].size)
        return dx

    return y, backward
