r"""The fast multi-head self-attention behind :class:`lessons_lib.nn.transformer.MultiHeadSelfAttention`.

Readable versions: :func:`lessons_lib.attention.multi_head_attention_forward` and
:func:`lessons_lib.attention.multi_head_attention_backward` (the slides' Q, K, V, one
step per formula). The two functions here compute the same numbers (tested equal, to
rounding) with fewer passes over memory and no copies of the heads:

- **One projection.** ``X [s W_Q | W_K | W_V]`` is one matrix product. A head's Q, K or V
  is a strided view of its result, which BLAS reads as it is, so no head is copied
  out. The scale :math:`s = 1/\sqrt{d_k}` rides in the first block: the scores
  :math:`(sQ) K^T` come out scaled, with no pass over them.
- **The softmax in place**, in the buffer that becomes A: ``exp`` and the division by
  the row sums overwrite the scores, and the row sums are a matrix product with a
  column of ones. Subtracting each row's largest score first changes nothing but the
  rounding and keeps ``exp`` from overflowing; it takes two passes over the scores, so
  it is done only when a score is large enough to need it.
- **The softmax backward in the product that makes it.** The softmax's gradient is
  :math:`dS = A \odot (dA - D)` with :math:`D_n = \sum_m dA_{nm} A_{nm}`; as
  :math:`dA = dZ\,V^T` and :math:`A V = Z`, :math:`D_n = dZ_n \cdot Z_n`, a dot product
  of d_k numbers instead of N. Written as one product,
  :math:`dA - D = [dZ, D]\,[V, -1]^T`, what is left is one multiplication by A, in
  place. The column of -1 comes out of the projection (a zero column in the weights,
  then filled), the column D out of the product with W_O (a zero row, then filled).
- **Chunks on threads.** The batch goes through in the chunks of
  :mod:`lessons_lib.fast.parallel`, on the threads of :func:`lessons_lib.nn.threads`;
  the weight gradients are summed in chunk order, so the numbers do not depend on the
  number of threads.
- **Buffers kept.** A caller that passes the same ``workspace``
  (:class:`lessons_lib.fast.parallel.Workspace`) to every call gets the intermediate
  arrays of the last call back instead of new memory.

The arguments are checked by the caller (the layer); here they are one float dtype.
"""

from __future__ import annotations

import numpy as np

from lessons_lib._validate import refuse_overflow
from lessons_lib.fast import parallel
from lessons_lib.fast.linalg import matmul

# The buffers span the whole batch (its chunks write their own rows of them): one
# workspace entry each, keyed as the chunk that starts the batch.
WHOLE_BATCH = slice(0, None)


def multi_head_attention_forward(X, W_Q, W_K, W_V, W_O, num_heads, workspace=None):
    """Multi-head self-attention of a batch, keeping what the backward pass needs.

    Readable version: :func:`lessons_lib.attention.multi_head_attention_forward`.

    Parameters
    ----------
    X : ndarray, shape (B, N, E)
    W_Q, W_K, W_V : ndarray, shape (E, D)
    W_O : ndarray, shape (D, E_out)
    num_heads : int
        Divides D.
    workspace : Workspace, optional
        Where the buffers of the forward and backward passes are kept from one call to
        the next (a layer keeps one): buffers of the right shape are reused rather than
        allocated again, which spares the memory system fresh pages at every step (the
        C library hands freed memory back to the system, and touching it again costs
        as much as the arithmetic). The cache's arrays live there until the next
        forward pass with the same workspace.

    Returns
    -------
    Z : ndarray, shape (B, N, E_out)
    A : ndarray, shape (B, num_heads, N, N)
        Every row sums to one.
    cache : dict
        For :func:`multi_head_attention_backward`.

    Raises
    ------
    ValueError
        If a product overflows.

    Examples
    --------
    >>> X = np.ones((2, 3, 4))
    >>> Z, A, cache = multi_head_attention_forward(X, *[np.eye(4)] * 4, num_heads=2)
    >>> Z.shape, A.shape
    ((2, 3, 4), (2, 2, 3, 3))
    """
    X = np.ascontiguousarray(X)
    dtype = X.dtype
    (B, N, E), D = X.shape, W_Q.shape[1]
    d_k = D // num_heads
    scale = dtype.type(1.0 / np.sqrt(d_k))
    W = np.concatenate([scale * W_Q, W_K, W_V], axis=1)
    # The same, with a zero column after each head's columns of W_V, where the
    # projection gets a column of -1: [V, -1] for the backward pass.
    W_ext = np.zeros((E, 2 * D + num_heads * (d_k + 1)), dtype)
    W_ext[:, : 2 * D] = W[:, : 2 * D]
    _per_head(W_ext[:, 2 * D :], num_heads)[..., :d_k] = _per_head(W_V, num_heads)
    P = parallel.scratch(workspace, "P", WHOLE_BATCH, (B, N, W_ext.shape[1]), dtype)
    concat = parallel.scratch(workspace, "concat", WHOLE_BATCH, (B, N, D), dtype)
    # A and Z are returned: new arrays, which a later call cannot overwrite.
    A = np.empty((B, num_heads, N, N), dtype)
    Z = np.empty((B, N, W_O.shape[1]), dtype)
    ones = np.ones((N, 1), dtype)

    def forward_chunk(rows):
        b, p, S = len(X[rows]), P[rows], A[rows]
        with refuse_overflow("X and the weights", "a product in multi-head attention"):
            matmul(X[rows].reshape(b * N, E), W_ext, out=p.reshape(b * N, -1))
            V_ext = _heads(p[..., 2 * D :], num_heads)
            V_ext[..., d_k] = -1
            Q, K = _heads(p[..., :D], num_heads), _heads(p[..., D : 2 * D], num_heads)
            matmul(Q, np.swapaxes(K, -1, -2), out=S)
            _softmax_in_place(S, ones)
            matmul(S, V_ext[..., :d_k], out=_heads(concat[rows], num_heads))
            matmul(concat[rows].reshape(b * N, D), W_O, out=Z[rows].reshape(b * N, -1))

    parallel.map_chunks(forward_chunk, B)
    cache = {"X": X, "W": W, "W_O": W_O, "num_heads": num_heads, "scale": scale,
             "P": P, "A": A, "concat": concat}
    return Z, A, cache


def multi_head_attention_backward(dZ, cache, workspace=None):
    """Gradients of :func:`multi_head_attention_forward` from the gradient of its output.

    Readable version: :func:`lessons_lib.attention.multi_head_attention_backward`.

    Parameters
    ----------
    dZ : ndarray, shape of Z, of the forward pass's dtype
    cache : dict
        From :func:`multi_head_attention_forward`.
    workspace : Workspace, optional
        As for :func:`multi_head_attention_forward`.

    Returns
    -------
    grads : dict of str to ndarray
        "X", "W_Q", "W_K", "W_V", "W_O", each the shape of that input; the weights'
        summed over the batch, chunk by chunk in order.

    Raises
    ------
    ValueError
        If a gradient overflows.

    Examples
    --------
    >>> X = np.ones((2, 3, 4))
    >>> Z, A, cache = multi_head_attention_forward(X, *[np.eye(4)] * 4, num_heads=2)
    >>> grads = multi_head_attention_backward(np.ones_like(Z), cache)
    >>> sorted(grads), grads["X"].shape
    (['W_K', 'W_O', 'W_Q', 'W_V', 'X'], (2, 3, 4))
    """
    X, W, W_O, num_heads = cache["X"], cache["W"], cache["W_O"], cache["num_heads"]
    P, A, concat = cache["P"], cache["A"], cache["concat"]
    dZ = np.ascontiguousarray(dZ)
    (B, N, E), D, E_out = X.shape, concat.shape[2], W_O.shape[1]
    d_k = D // num_heads
    # W_O with a zero row after each head's rows: dZ W_Oᵀ then has an empty column
    # after each head's columns, where D goes: [dZ, D].
    W_O_ext = np.zeros((num_heads, d_k + 1, E_out), X.dtype)
    W_O_ext[:, :d_k] = W_O.reshape(num_heads, d_k, E_out)
    W_O_ext = W_O_ext.reshape(-1, E_out)
    dQKV = parallel.scratch(workspace, "dQKV", WHOLE_BATCH, (B, N, 3 * D), X.dtype)
    G_all = parallel.scratch(workspace, "G", WHOLE_BATCH, (B, N, W_O_ext.shape[0]), X.dtype)
    dS_all = parallel.scratch(workspace, "dS", WHOLE_BATCH, A.shape, X.dtype)
    dX = np.empty_like(X)

    def backward_chunk(rows):
        b, p, A_rows = len(X[rows]), P[rows], A[rows]
        with refuse_overflow("dZ and the forward pass's arrays", "a gradient"):
            dZ_rows = dZ[rows].reshape(b * N, E_out)
            dW_O = matmul(concat[rows].reshape(b * N, D).T, dZ_rows)
            matmul(dZ_rows, W_O_ext.T, out=G_all[rows].reshape(b * N, -1))
            G = _per_head(G_all[rows], num_heads)
            # D = dZ · Z for every token and head (see the module's notes).
            np.einsum("bnhj,bnhj->bnh", G[..., :d_k],
                      concat[rows].reshape(b, N, num_heads, d_k), out=G[..., d_k])
            dZ_ext, V_ext = _heads(G_all[rows], num_heads), _heads(p[..., 2 * D :], num_heads)
            Q, K = _heads(p[..., :D], num_heads), _heads(p[..., D : 2 * D], num_heads)
            dQ, dK, dV = (_heads(dQKV[rows][..., i * D : (i + 1) * D], num_heads)
                          for i in range(3))
            matmul(np.swapaxes(A_rows, -1, -2), dZ_ext[..., :d_k], out=dV)
            dS = matmul(dZ_ext, np.swapaxes(V_ext, -1, -2), out=dS_all[rows])
            dS *= A_rows
            # dQ is the gradient of sQ, the queries the scores were made of.
            matmul(dS, K, out=dQ)
            matmul(np.swapaxes(dS, -1, -2), Q, out=dK)
            dQKV_rows = dQKV[rows].reshape(b * N, 3 * D)
            matmul(dQKV_rows, W.T, out=dX[rows].reshape(b * N, E))
            return matmul(X[rows].reshape(b * N, E).T, dQKV_rows), dW_O

    dW, dW_O = 0, 0
    # Summed in chunk order: the same gradients whatever the number of threads.
    for chunk_dW, chunk_dW_O in parallel.map_chunks(backward_chunk, B):
        dW = dW + chunk_dW
        dW_O = dW_O + chunk_dW_O
    return {"X": dX, "W_Q": cache["scale"] * dW[:, :D], "W_K": dW[:, D : 2 * D],
            "W_V": dW[:, 2 * D :], "W_O": dW_O}


def _per_head(M, num_heads):
    """``M`` (..., num_heads * w) as a (..., num_heads, w) view: each head's w columns."""
    return M.reshape(M.shape[:-1] + (num_heads, M.shape[-1] // num_heads))


def _heads(M, num_heads):
    """The heads of ``M`` (b, N, num_heads * w) as a (b, num_heads, N, w) view."""
    return np.swapaxes(_per_head(M, num_heads), 1, 2)


def _softmax_in_place(S, ones):
    """Overwrite scores ``S`` (..., N, N) with their softmax along the last axis.

    ``ones`` is a column of N ones, whose product with S sums its rows.
    """
    # Scores within ±L, L half the log of the largest float, need no shift: each
    # exponential lies between 1/sqrt(max) and sqrt(max), so neither a row's sum nor
    # its reciprocal can overflow. Otherwise each row's largest score is subtracted
    # first, as lessons_lib.losses.softmax does (a score so far below that the
    # difference overflows gets weight 0).
    limit = np.log(np.finfo(S.dtype).max) / 2
    if S.max() > limit or S.min() < -limit:
        with np.errstate(over="ignore"):
            np.subtract(S, S.max(axis=-1, keepdims=True), out=S)
    np.exp(S, out=S)
    np.divide(S, S @ ones, out=S)
