r"""The fast 2-D convolution behind :class:`lessons_lib.nn.Conv2D` and the depthwise layers.

Readable versions: :func:`lessons_lib.nn.layers.conv2d_forward_loops` and
:func:`lessons_lib.nn.layers.conv2d_backward_loops` (the formula as loops over samples,
filters and positions), :func:`lessons_lib.nn.advanced.depthwise_forward_loops`. The
functions here compute the same numbers (tested equal) with matrix products.

im2col ("image to columns") copies every window of the input into one column, so that
one matrix product does the multiply-adds of every filter at every position. Copying
one window tap for every output position is a strided gather whose inner runs are one
output row long (8 to 32 numbers in lesson 04's network): slow. Splitting the padded
input by stride phase and flattening each phase row by row makes every tap ONE
contiguous slice per image and channel, at the price of ``Wq - W'`` "junk" positions at
the end of each output row, computed and dropped. The columns are kept sample by sample
(N, K, H'·Wq): then each image's product is a small matrix product that stays in the CPU
cache, and the output comes out in (N, F, H', W') order with no transposition.

The layer passes, :func:`conv2d_layer_forward` and :func:`conv2d_layer_backward`, cut
the batch into the chunks of :mod:`lessons_lib.fast.parallel` and run them on the
threads of :func:`lessons_lib.nn.threads`; gradients are summed in chunk order, so the
numbers do not depend on the number of threads. :func:`conv_relu_pool_forward` and
:func:`conv_relu_pool_backward` do the same for a convolution, its ReLU and a max
pooling in one pass over each chunk. The large arrays of every pass are reused by the
next batch: those kept for the backward pass (columns) in the layer's
:class:`~lessons_lib.fast.parallel.Workspace`, those used up within the pass (products,
gradients of columns) in the thread's own :func:`~lessons_lib.fast.parallel.thread_array`,
which every layer shares.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from lessons_lib._validate import int_tuple
from lessons_lib.fast import parallel
from lessons_lib.fast import pooling as fast_pooling
from lessons_lib.fast.linalg import matmul
from lessons_lib.shapes import output_size


def im2col(x, kernel_size, stride, padding):
    """Every receptive field of ``x`` as one row: the "image to columns" rearrangement.

    Turning the convolution into one matrix product is what makes it fast: a BLAS
    matrix product does the multiply-adds of every filter at every position at once.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    kernel_size, stride, padding : tuple of 2 int

    Returns
    -------
    cols : ndarray, shape (N, H', W', C, kh, kw)
        ``cols[n, i, j]`` is the padded input window whose top-left corner is at
        ``(i·stride, j·stride)``: a copy, contiguous, of the same dtype as ``x``.

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> im2col(x, (2, 2), (2, 2), (0, 0))[0, 1, 0, 0]
    array([[ 8.,  9.],
           [12., 13.]])
    """
    Wo = output_size(x.shape[3], kernel_size[1], stride[1], padding[1])
    cols = _im2col(x, kernel_size, stride, padding)
    return np.ascontiguousarray(cols[..., :Wo].transpose(0, 4, 5, 1, 2, 3))


def col2im(dcols, x_shape, stride, padding):
    """The adjoint of :func:`im2col`: add every row's gradient back onto its window.

    Windows overlap when the stride is smaller than the kernel, so an input pixel
    collects the gradients of every window it belongs to (``+=``).

    Parameters
    ----------
    dcols : ndarray, shape (N, H', W', C, kh, kw)
    x_shape : tuple (N, C, H, W)
    stride, padding : tuple of 2 int

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)

    Examples
    --------
    >>> dcols = np.ones((1, 2, 2, 1, 3, 3))
    >>> col2im(dcols, (1, 1, 4, 4), (1, 1), (0, 0))[0, 0]
    array([[1., 2., 2., 1.],
           [2., 4., 4., 2.],
           [2., 4., 4., 2.],
           [1., 2., 2., 1.]])
    """
    N, Ho, Wo, C, kh, kw = dcols.shape
    Wq = _phase_shape(x_shape, stride, padding)[1]
    wide = np.zeros((N, C, kh, kw, Ho, Wq), dcols.dtype)
    wide[..., :Wo] = dcols.transpose(0, 3, 4, 5, 1, 2)
    return _col2im(wide, x_shape, stride, padding)


def _phase_shape(x_shape, stride, padding):
    """``(Hq, Wq)``: the size of one stride phase of the padded input."""
    (sh, sw), (ph, pw) = stride, padding
    return -(-(x_shape[2] + 2 * ph) // sh), -(-(x_shape[3] + 2 * pw) // sw)


def _phase_rows(phase, stride, padding, size):
    """Rows ``r0:r1`` of phase ``phase`` hold input rows ``x0, x0 + stride, ...``.

    Padded row ``phase + r·stride`` is input row ``phase + r·stride − padding``; the
    rows of the phase outside the input stay zero (the padding).
    """
    r0 = max(0, -(-(padding - phase) // stride))
    r1 = -(-(size + padding - phase) // stride)
    return r0, r1, phase + r0 * stride - padding


def _phase_slices(x_shape, stride, padding):
    """For each phase ``(a, b)``: the part of it that holds input, and that input.

    Yields ``(inside, source)``: index tuples into the (N, C, sh, sw, Hq, Wq) phases
    and into ``x``. Every input pixel is in exactly one phase.
    """
    H, W = x_shape[2:]
    for a in range(stride[0]):
        r0, r1, x_row = _phase_rows(a, stride[0], padding[0], H)
        for b in range(stride[1]):
            c0, c1, x_col = _phase_rows(b, stride[1], padding[1], W)
            inside = (slice(None), slice(None), a, b, slice(r0, r1), slice(c0, c1))
            source = (slice(None), slice(None), slice(x_row, None, stride[0]),
                      slice(x_col, None, stride[1]))
            yield inside, source


def _phase_buffers(x_shape, kw, stride, padding, dtype, flat=None):
    """Stride phases of a padded input: ``(flat, phases)``, zero unless ``flat`` is given.

    ``flat`` has shape (N, C, sh, sw, Hq·Wq + (kw − 1) // sw): each phase flattened row
    by row, plus a tail of zeros that lets the junk of the last output row read past
    the end. ``phases`` is its (N, C, sh, sw, Hq, Wq) view without the tail.
    """
    N, C = x_shape[:2]
    sh, sw = stride
    Hq, Wq = _phase_shape(x_shape, stride, padding)
    if flat is None:
        flat = np.zeros(_flat_shape(x_shape, kw, stride, padding), dtype=dtype)
    return flat, flat[..., : Hq * Wq].reshape(N, C, sh, sw, Hq, Wq)


def _flat_shape(x_shape, kw, stride, padding):
    """The shape of :func:`_phase_buffers`' ``flat``."""
    Hq, Wq = _phase_shape(x_shape, stride, padding)
    return (*x_shape[:2], *stride, Hq * Wq + (kw - 1) // stride[1])


def _tap_start(u, v, stride, Wq):
    """Where tap ``(u, v)`` starts reading in its flattened phase, ``(u mod sh, v mod sw)``."""
    return (u // stride[0]) * Wq + v // stride[1]


def _im2col(x, kernel_size, stride, padding, workspace=None, rows=slice(0, None)):
    """:func:`im2col` in the layout of the matrix products: shape (N, C, kh, kw, H', Wq).

    The padded input ``x_p`` is split into ``sh·sw`` stride phases
    ``x_p[:, :, a::sh, b::sw]`` (one phase, ``x_p`` itself, for stride 1), each of
    width ``Wq = ⌈Wp / sw⌉`` and flattened row by row. Output ``(i, j)`` of tap
    ``(u, v)`` reads ``x_p[i·sh + u, j·sw + v]``, which is phase
    ``(u mod sh, v mod sw)`` at flat position ``i·Wq + j + (u // sh)·Wq + v // sw``:
    for all ``(i, j)`` at once, one contiguous slice. Columns ``j ≥ W'`` are junk.
    Reshaped to (N, C·kh·kw, H'·Wq), ``cols[n]`` is the right operand of
    ``w.reshape(C_out, -1) @ cols[n]``. With a :class:`~.parallel.Workspace`, the
    arrays are those of chunk ``rows``, reused.
    """
    (kh, kw), (sh, sw) = kernel_size, stride
    N, C, H, W = x.shape
    # The padding is zero once and for all: every pass writes the same cells.
    flat, phases = _phase_buffers(x.shape, kw, stride, padding, x.dtype, parallel.scratch(
        workspace, "phases", rows, _flat_shape(x.shape, kw, stride, padding), x.dtype,
        zero="once"))
    Wq = phases.shape[-1]
    L = output_size(H, kh, sh, padding[0]) * Wq
    for inside, source in _phase_slices(x.shape, stride, padding):
        phases[inside] = x[source]
    cols = parallel.scratch(workspace, "cols", rows, (N, C, kh, kw, L), x.dtype)
    for a in range(min(sh, kh)):
        for b in range(min(sw, kw)):
            # Taps (a + sh·u', b + sw·v') all read phase (a, b), from u'·Wq + v' on: one
            # strided view holds them all, so each phase is one copy. The last tap
            # ends at ((kh − 1) // sh + H')·Wq + (kw − 1) // sw ≤ len(phase): in bounds.
            phase = flat[:, :, a, b]
            step = phase.strides[2]
            taps = as_strided(phase, (N, C, len(range(a, kh, sh)), len(range(b, kw, sw)), L),
                              (*phase.strides[:2], Wq * step, step, step), writeable=False)
            cols[:, :, a::sh, b::sw] = taps
    return cols.reshape(N, C, kh, kw, L // Wq, Wq)


def _col2im(dcols, x_shape, stride, padding, out=None, workspace=None, rows=slice(0, None)):
    """The adjoint of :func:`_im2col`: ``dcols`` of shape (N, C, kh, kw, H', Wq) → dx.

    Junk columns must be zero in ``dcols``: they are added onto real positions.
    ``dx`` is written into ``out`` (shape ``x_shape``) if given.
    """
    N, C, H, W = x_shape
    sh, sw = stride
    _, _, kh, kw, Ho, Wq = dcols.shape
    L = Ho * Wq
    flat, phases = _phase_buffers(x_shape, kw, stride, padding, dcols.dtype, parallel.scratch(
        workspace, "d_phases", rows, _flat_shape(x_shape, kw, stride, padding), dcols.dtype,
        zero="always", transient=True))
    dcols = dcols.reshape(N, C, kh, kw, L)
    # One contiguous add per kernel tap (kh·kw of them), never a loop over pixels.
    for u in range(kh):
        for v in range(kw):
            start = _tap_start(u, v, stride, Wq)
            flat[:, :, u % sh, v % sw, start : start + L] += dcols[:, :, u, v]
    dx = np.empty(x_shape, dtype=dcols.dtype) if out is None else out
    for inside, source in _phase_slices(x_shape, stride, padding):
        dx[source] = phases[inside]
    return dx


def conv2d_forward(x, w, b, *, stride=1, padding=0):
    """Multi-channel 2-D convolution as one matrix product per image (im2col).

    Readable version: :func:`lessons_lib.nn.layers.conv2d_forward_loops`, which writes
    out the formula; takes the same arguments and returns the same array (tested equal).

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> conv2d_forward(x, np.ones((2, 1, 3, 3)), np.array([0.0, 1.0]))[:, 1]
    array([[[46., 55.],
            [82., 91.]]])
    """
    stride, padding = int_tuple(stride, "stride", 2), int_tuple(padding, "padding", 2, minimum=0)
    cols = _im2col(x, w.shape[2:], stride, padding)
    Wo = output_size(x.shape[3], w.shape[3], stride[1], padding[1])
    return _conv2d_forward_cols(cols, w, b, Wo)


def _conv2d_forward_cols(cols, w, b, Wo, out=None, workspace=None, rows=slice(0, None)):
    """``o`` from the columns of :func:`_im2col`, written into ``out`` (N, C_out, H', W') if given."""
    o = _products(cols, w, workspace, rows)
    N, C_out, Ho = len(cols), w.shape[0], cols.shape[4]
    if out is None:
        out = np.empty((N, C_out, Ho, Wo), o.dtype)
    # Junk columns dropped and the bias added in one pass.
    np.add(o.reshape(N, C_out, Ho, -1)[..., :Wo], b[:, None, None], out=out)
    return out


def _products(cols, w, workspace, rows):
    """``w`` times each image's columns: shape (N, C_out, H'·Wq), junk columns included."""
    N, C, kh, kw, Ho, Wq = cols.shape
    C_out = w.shape[0]
    o = parallel.scratch(workspace, "products", rows, (N, C_out, Ho * Wq),
                         np.result_type(cols, w), transient=True)
    # (C_out, K) @ (K, H'·Wq) for each image: every filter at every position.
    return matmul(w.reshape(C_out, -1), cols.reshape(N, C * kh * kw, Ho * Wq), out=o)


def conv2d_backward(x, w, dout, *, stride=1, padding=0):
    """Gradients of :func:`conv2d_forward`, as matrix products on the im2col columns.

    Readable version: :func:`lessons_lib.nn.layers.conv2d_backward_loops`, which writes
    out the chain rule; takes the same arguments and returns the same arrays
    ``(dx, dw, db)`` (tested equal).

    Examples
    --------
    A 3×3 kernel on a zero-padded 2×2 input: every output's window covers all four
    inputs.

    >>> dx, dw, db = conv2d_backward(np.ones((1, 1, 2, 2)), np.ones((1, 1, 3, 3)),
    ...                              np.ones((1, 1, 2, 2)), padding=1)
    >>> dx[0, 0], db
    (array([[4., 4.],
           [4., 4.]]), array([4.]))
    """
    stride, padding = int_tuple(stride, "stride", 2), int_tuple(padding, "padding", 2, minimum=0)
    cols = _im2col(x, w.shape[2:], stride, padding)
    return _conv2d_backward_cols(cols, x.shape, w, dout, stride, padding)


def _conv2d_backward_cols(cols, x_shape, w, dout, stride, padding, input_grad=True, out=None,
                          workspace=None, rows=slice(0, None)):
    """``(dx, dw, db)`` from the columns of :func:`_im2col`; dx is None without ``input_grad``."""
    N, C, kh, kw, Ho, Wq = cols.shape
    C_out, K, L = w.shape[0], C * kh * kw, Ho * Wq
    # dout in the columns' layout, zero at the junk columns: they then add nothing to
    # dw, and only zeros to dx. Every pass writes the same cells: the junk stays zero.
    dout_wide = parallel.scratch(workspace, "dout_wide", rows, (N, C_out, Ho, Wq), dout.dtype,
                                 zero="once")
    dout_wide[..., : dout.shape[3]] = dout
    dout_wide = dout_wide.reshape(N, C_out, L)
    # dw = Σ_n dout[n] @ cols[n].T, each image's product computed transposed,
    # cols[n] @ dout[n].T: the same dot products, and BLAS's faster loop for these
    # shapes (a quarter faster in lesson 04's last block). db = Σ dout.
    per_image = parallel.scratch(workspace, "dw", rows, (N, K, C_out), dout_wide.dtype,
                                 transient=True)
    matmul(cols.reshape(N, K, L), dout_wide.transpose(0, 2, 1), out=per_image)
    dw = per_image.sum(axis=0).T
    db = dout.sum(axis=(0, 2, 3))
    if not input_grad:
        return None, dw.reshape(w.shape), db
    dcols = parallel.scratch(workspace, "dcols", rows, (N, K, L), dout_wide.dtype,
                             transient=True)
    matmul(w.reshape(C_out, K).T, dout_wide, out=dcols)
    dx = _col2im(dcols.reshape(cols.shape), x_shape, stride, padding, out=out,
                 workspace=workspace, rows=rows)
    return dx, dw.reshape(w.shape), db


def conv2d_layer_forward(x, w, b, stride, padding, out, workspace=None):
    """:class:`lessons_lib.nn.Conv2D`'s forward pass, chunk by chunk on threads.

    Readable version: :func:`lessons_lib.nn.layers.conv2d_forward_loops`.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W), of ``w``'s dtype
    w : ndarray, shape (C_out, C, kh, kw)
    b : ndarray, shape (C_out,)
    stride, padding : tuple of 2 int
    out : ndarray, shape (N, C_out, H', W')
        Receives the output.
    workspace : Workspace, optional
        The layer's :class:`~.parallel.Workspace`: its arrays are reused, and the
        columns returned are among them (valid until the next pass).

    Returns
    -------
    cols : list of ndarray
        The im2col columns of each chunk of the batch, for :func:`conv2d_layer_backward`.
    """
    if workspace is not None:
        workspace.keep_chunks(x.shape[0])

    def forward_chunk(rows):
        cols = _im2col(x[rows], w.shape[2:], stride, padding, workspace, rows)
        _conv2d_forward_cols(cols, w, b, out.shape[3], out[rows], workspace, rows)
        return cols

    # Samples are independent: the batch goes through in chunks, on several cores
    # inside nn.threads(); each chunk's columns are kept for backward.
    return parallel.map_chunks(forward_chunk, x.shape[0])


def conv2d_layer_backward(cols, x_shape, w, dout, stride, padding, *, input_grad, dw, db,
                          workspace=None):
    """:class:`lessons_lib.nn.Conv2D`'s backward pass: adds into ``dw`` and ``db``, returns dx.

    Readable version: :func:`lessons_lib.nn.layers.conv2d_backward_loops`.

    Parameters
    ----------
    cols : list of ndarray
        From :func:`conv2d_layer_forward`.
    x_shape : tuple (N, C, H, W)
    w : ndarray, shape (C_out, C, kh, kw)
    dout : ndarray, shape (N, C_out, H', W'), of ``w``'s dtype
    stride, padding : tuple of 2 int
    input_grad : bool
        Compute dx (False: return None).
    dw, db : ndarray, shapes of w and (C_out,)
        The layer's gradients: each chunk's share is added (``+=``) in chunk order.
    workspace : Workspace, optional
        As given to :func:`conv2d_layer_forward`.

    Returns
    -------
    dx : ndarray, shape ``x_shape``, or None
    """
    dx, backward_chunk = _backward_chunk(lambda rows, chunk_cols: (chunk_cols, dout[rows]),
                                         x_shape, w, dout.dtype, stride, padding, input_grad,
                                         workspace)
    add_in_chunk_order(parallel.map_chunks(backward_chunk, x_shape[0], cols), dw, db)
    return dx


def _backward_chunk(chunk_gradient, x_shape, w, dtype, stride, padding, input_grad,
                    workspace):
    """The backward pass shared by the layer passes, for one chunk: ``(dx, backward_chunk)``.

    ``chunk_gradient(rows, item)`` gives, for a chunk and its item of what the forward
    pass saved, the chunk's im2col columns and the gradient of the convolution's output
    there. ``backward_chunk(rows, item)`` writes ``dx[rows]`` (dx is None without
    ``input_grad``) and returns the chunk's ``(dw, db)``, for :func:`add_in_chunk_order`.
    """
    dx = np.empty(x_shape, dtype) if input_grad else None

    def backward_chunk(rows, item):
        chunk_cols, chunk_dout = chunk_gradient(rows, item)
        _, chunk_dw, chunk_db = _conv2d_backward_cols(
            chunk_cols, (len(chunk_cols), *x_shape[1:]), w, chunk_dout, stride, padding,
            input_grad, None if dx is None else dx[rows], workspace, rows,
        )
        return chunk_dw, chunk_db

    return dx, backward_chunk


def add_in_chunk_order(chunk_gradients, dw, db):
    """Add each chunk's ``(dw, db)`` into ``dw`` and ``db``, in chunk order.

    Float sums depend on their order: summing in chunk order, never in the order the
    threads finish, gives the same gradient whatever the number of threads.
    """
    for chunk_dw, chunk_db in chunk_gradients:
        dw += chunk_dw
        db += chunk_db


# -- convolution, ReLU and max pooling in one pass -------------------------------------


def conv_relu_pool_forward(x, w, b, stride, padding, size, out, workspace=None):
    r"""``Conv2D → ReLU → MaxPool2D(size, size)`` on a batch, chunk by chunk on threads.

    Readable versions: :func:`lessons_lib.nn.layers.conv2d_forward_loops`, then
    :math:`\max(0, \cdot)`, then :func:`lessons_lib.pooling.max_pool_loops`; the
    output is the same array, and :func:`conv_relu_pool_backward` gives the same
    gradients as the three backward passes one after the other (tested equal).

    Each chunk goes through the three steps while it is still in the CPU cache, and
    the convolution's output is never written out at full size. ReLU is applied after
    the pooling, on a quarter of the values: ReLU never changes which value of a window
    is largest, :math:`\max_k \max(0, o_k) = \max(0, \max_k o_k)`, and a window
    whose maximum is not positive passes no gradient either way, so the numbers are
    the same as in the layers' order.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W), of ``w``'s dtype
    w : ndarray, shape (C_out, C, kh, kw)
    b : ndarray, shape (C_out,)
    stride, padding : tuple of 2 int
    size : int
        The pooling window and its stride; it must fit in the convolution's output.
    out : ndarray, shape (N, C_out, H' // size, W' // size)
        Receives the output.
    workspace : Workspace, optional
        Arrays reused from pass to pass, as in :func:`conv2d_layer_forward`.

    Returns
    -------
    saved : list
        For each chunk of the batch, what :func:`conv_relu_pool_backward` needs.

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> out = np.empty((1, 2, 1, 1))
    >>> _ = conv_relu_pool_forward(x, np.stack([np.ones((1, 3, 3)), -np.ones((1, 3, 3))]),
    ...                            np.zeros(2), (1, 1), (0, 0), 2, out)
    >>> out.ravel()
    array([90.,  0.])
    """
    forward_chunk = conv_relu_pool_forward_chunk(x, w, b, stride, padding, size, out,
                                                 workspace)
    return parallel.map_chunks(forward_chunk, x.shape[0])


def conv_relu_pool_forward_chunk(x, w, b, stride, padding, size, out, workspace=None):
    """:func:`conv_relu_pool_forward` as work on one chunk, for a caller that runs the chunks.

    Takes the same arguments and returns ``forward_chunk(rows) -> saved item``, which
    writes ``out[rows]`` and reads ``x[rows]`` only. A stack of blocks can then take
    each chunk through every block before the next chunk (what
    :class:`lessons_lib.nn.Sequential` does): a chunk stays on one core, in its cache,
    and the threads meet once per stack instead of once per block.
    """
    Wo = output_size(x.shape[3], w.shape[3], stride[1], padding[1])
    if workspace is not None:
        workspace.keep_chunks(x.shape[0])

    def forward_chunk(rows):
        cols = _im2col(x[rows], w.shape[2:], stride, padding, workspace, rows)
        conv = parallel.scratch(workspace, "conv", rows,
                                (len(cols), w.shape[0], cols.shape[4], Wo), out.dtype,
                                transient=True)
        # The convolution's output, as conv2d_layer_forward computes it, for the chunk
        # only: contiguous, so that the pooling's strided views run in long loops.
        _conv2d_forward_cols(cols, w, b, Wo, conv, workspace, rows)
        pooled, switches = fast_pooling.switches_unchecked(conv, size)
        positive = pooled > 0
        np.maximum(pooled, 0, out=out[rows])
        return cols, switches, positive

    return forward_chunk


def conv_relu_pool_backward(saved, x_shape, w, dout, stride, padding, *, input_grad, dw, db,
                            workspace=None):
    """The backward pass of :func:`conv_relu_pool_forward`: adds into ``dw`` and ``db``.

    Readable versions: :func:`lessons_lib.pooling.max_pool_backward_loops`, the
    derivative of ReLU (1 where its input was positive, 0 elsewhere), then
    :func:`lessons_lib.nn.layers.conv2d_backward_loops`.

    Parameters
    ----------
    saved : list
        From :func:`conv_relu_pool_forward`.
    x_shape : tuple (N, C, H, W)
    w : ndarray, shape (C_out, C, kh, kw)
    dout : ndarray, the shape of the pooled output, of ``w``'s dtype
    stride, padding : tuple of 2 int
    input_grad : bool
        Compute dx (False: return None).
    dw, db : ndarray, shapes of w and (C_out,)
        Each chunk's share is added (``+=``) in chunk order.
    workspace : Workspace, optional
        As given to :func:`conv_relu_pool_forward`.

    Returns
    -------
    dx : ndarray, shape ``x_shape``, or None
    """
    dx, backward_chunk = conv_relu_pool_backward_chunk(x_shape, w, dout, stride, padding,
                                                       input_grad=input_grad,
                                                       workspace=workspace)
    add_in_chunk_order(parallel.map_chunks(backward_chunk, x_shape[0], saved), dw, db)
    return dx


def conv_relu_pool_backward_chunk(x_shape, w, dout, stride, padding, *, input_grad,
                                  workspace=None):
    """:func:`conv_relu_pool_backward` as work on one chunk: ``(dx, backward_chunk)``.

    ``backward_chunk(rows, item)``, for a chunk and its item of what the forward pass
    saved, reads ``dout[rows]``, writes ``dx[rows]`` (dx is None without
    ``input_grad``) and returns the chunk's ``(dw, db)``; :func:`add_in_chunk_order`
    adds them up once every chunk is done.
    """
    Wo = output_size(x_shape[3], w.shape[3], stride[1], padding[1])

    def chunk_gradient(rows, item):
        cols, switches, positive = item
        # ReLU's derivative on the pooled values, then each window's gradient to its
        # maximum: the convolution's output gradient.
        d_conv = parallel.scratch(workspace, "d_conv", rows,
                                  (len(cols), w.shape[0], cols.shape[4], Wo), dout.dtype,
                                  transient=True)
        fast_pooling.route_switches(dout[rows] * positive, switches, d_conv)
        return cols, d_conv

    return _backward_chunk(chunk_gradient, x_shape, w, dout.dtype, stride, padding,
                           input_grad, workspace)


# -- depthwise convolution -------------------------------------------------------------


def depthwise_forward(x, w, b, *, stride=1, padding=0):
    """Depthwise convolution (each input channel with its own filters) on im2col columns.

    Readable version: :func:`lessons_lib.nn.advanced.depthwise_forward_loops`, which
    writes out the formula; takes the same arguments and returns the same array (tested
    equal).

    Examples
    --------
    Two filters for the one channel (multiplier 2):

    >>> depthwise_forward(np.ones((1, 1, 3, 3)), np.ones((2, 1, 3, 3)), np.array([0.0, 1.0])).ravel()
    array([ 9., 10.])
    """
    stride, padding = int_tuple(stride, "stride", 2), int_tuple(padding, "padding", 2, minimum=0)
    return depthwise_forward_cols(im2col(x, w.shape[2:], stride, padding), w, b)


def depthwise_forward_cols(cols, w, b):
    """:func:`depthwise_forward` from the columns of :func:`im2col`, (N, H', W', C, kh, kw)."""
    N, C = cols.shape[0], cols.shape[3]
    filters = w.reshape(C, -1, *w.shape[2:])  # (C, m', kh, kw)
    o = np.einsum("nijcuv,cmuv->ncmij", cols, filters, optimize=True)
    return o.reshape(N, -1, *cols.shape[1:3]) + b[:, None, None]


def depthwise_backward(x, w, dout, *, stride=1, padding=0):
    """Gradients of :func:`depthwise_forward`, from the same im2col columns.

    Readable version: :func:`lessons_lib.nn.advanced.depthwise_backward_loops`; takes
    the same arguments and returns the same arrays ``(dx, dw, db)`` (tested equal). Each
    filter's gradient is the correlation of its own input channel with its own output
    gradient; the input gradient sends each ``dout`` value back over its window,
    weighted by the filter, within the same channel only.

    Examples
    --------
    >>> x = np.stack([np.ones((2, 2)), 2 * np.ones((2, 2))])[None]
    >>> dx, dw, db = depthwise_backward(x, np.ones((2, 1, 2, 2)), np.ones((1, 2, 1, 1)))
    >>> dw[:, 0, 0, 0], db
    (array([1., 2.]), array([1., 1.]))
    """
    stride, padding = int_tuple(stride, "stride", 2), int_tuple(padding, "padding", 2, minimum=0)
    cols = im2col(x, w.shape[2:], stride, padding)
    return depthwise_backward_cols(cols, x.shape, w, dout, stride, padding)


def depthwise_backward_cols(cols, x_shape, w, dout, stride, padding):
    """:func:`depthwise_backward` from the columns :func:`depthwise_forward` used."""
    N, C = x_shape[:2]
    Ho, Wo = cols.shape[1:3]
    dout = np.asarray(dout).reshape(N, C, -1, Ho, Wo)  # (N, C, m', H', W')
    filters = w.reshape(C, -1, *w.shape[2:])
    dw = np.einsum("ncmij,nijcuv->cmuv", dout, cols, optimize=True).reshape(w.shape)
    dcols = np.einsum("ncmij,cmuv->nijcuv", dout, filters, optimize=True)
    db = dout.sum(axis=(0, 3, 4)).reshape(-1)
    return col2im(dcols, x_shape, stride, padding), dw, db
