r"""Attention, as the slides' vision transformer and "Attention Is All You Need" define it.

An image is cut into non-overlapping patches (:func:`patchify`); each patch, flattened,
becomes one *token*: one row of a matrix X of N tokens by E features. Attention lets
every token look at every other one:

.. math::

    Q = X W_Q, \quad K = X W_K, \quad V = X W_V, \qquad
    A = \mathrm{softmax}\!\left(\frac{Q K^T}{\sqrt{d_k}}\right), \qquad Z = A V

The softmax runs along each row, so row n of A says how much token n attends to each
token, and row n of Z is the matching weighted average of the rows of V. Multi-head
attention does this in ``num_heads`` narrower slices of Q, K and V and joins the results
with one more matrix, W_O.

Every forward function has its backward next to it (from ``dZ``, the gradient of a loss
with respect to the output, to the gradients with respect to the inputs; the softmax's
is :func:`lessons_lib.losses.softmax_backward`, imported here), and the
``*_loops`` functions spell the formulas out one number at a time, for reading.
Results are float64, except that float32 inputs stay float32 (the precision of training).
"""

from __future__ import annotations

import numpy as np

from lessons_lib._validate import (
    as_float_array,
    brief,
    check_memory,
    choice,
    positive_int,
    refuse_overflow,
    shape_tuple,
)
from lessons_lib.losses import softmax, softmax_backward
from lessons_lib.shapes import output_size


def _as_real(value, name, *, ndim=None):
    """:func:`as_float_array`, except that float32 stays float32 (the training precision)."""
    return as_float_array(value, name, ndim=ndim, keep_float32=True)


# The slides' ViT table (the figure matrix in four 4 x 4 patches, each row the position
# index followed by the flattened patch), as printed on the first five slides titled
# "Visual Transformer", slips included. Five printings, three versions.
SLIDES_X_COPIES = {
    "slides 1 and 5": (
        "0 1 0 1 0 0 1 1 0 0 0 1 0 0 0 1 1",
        "1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0",
        "2 0 0 1 0 1 1 1 1 0 0 1 0 0 0 1 0",
        "3 1 0 0 0 1 1 1 1 0 0 1 0 0 0 0 1",
    ),
    "slide 2": (
        "0 1 0 1 0 0 1 1 0 0 0 1 1",
        "1 0 0 0 0 0 0 0 0 0 0 0 0",
        "2 0 0 1 0 1 1 1 1 0 0 1 0",
        "3 1 0 0 0 1 1 1 1 0 0 1 0",
    ),
    "slides 3 and 4": (
        "0 1 0 1 0 0 1 1 0 0 0 1 0 0 0 1 1",
        "1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0",
        "2 0 0 1 0 1 1 1 1 0 0 1 0 0 0 1 0",
        "3 1 0 0 0 0 1 1 1 1 0 0 1 0 0 0 1",
    ),
}


def slides_x_copies() -> dict[str, np.ndarray]:
    """The versions of the table X printed on the slides, keyed by where they are printed.

    "slide k" is the k-th slide titled "Visual Transformer": slides 1 and 5 print the
    same table, and so do slides 3 and 4.

    Returns
    -------
    copies : dict of str to ndarray of float64, shape (4, columns)
        Columns as printed: 17, except for a copy cut short at 13.

    Examples
    --------
    >>> {name: table.shape for name, table in slides_x_copies().items()}
    {'slides 1 and 5': (4, 17), 'slide 2': (4, 13), 'slides 3 and 4': (4, 17)}
    """
    return {
        name: np.array([[float(v) for v in row.split()] for row in rows])
        for name, rows in SLIDES_X_COPIES.items()
    }


def table_slips(X, copy) -> list[tuple[int, int]]:
    """The cells ``(row, column)`` where a printed ``copy`` of ``X`` differs from ``X``.

    A copy with fewer columns is compared on the columns it has.

    Parameters
    ----------
    X : ndarray, shape (N, E)
    copy : ndarray, shape (N, E') with E' <= E

    Returns
    -------
    cells : list of (int, int)

    Raises
    ------
    TypeError
        If ``X`` or ``copy`` is not numeric.
    ValueError
        If either is not 2-D, is empty, ragged or not finite, or ``copy`` does not have
        the rows of ``X`` and at most its columns.

    Examples
    --------
    >>> table_slips(np.eye(2), [[1, 0], [1, 1]])
    [(1, 0)]
    """
    X = as_float_array(X, "X", ndim=2)
    copy = as_float_array(copy, "copy", ndim=2)
    if copy.shape[0] != X.shape[0] or copy.shape[1] > X.shape[1]:
        raise ValueError(f"copy must have {X.shape[0]} rows and at most {X.shape[1]} columns "
                         f"(the shape of X), got shape {copy.shape}")
    rows, cols = np.nonzero(copy != X[:, : copy.shape[1]])
    return [(int(r), int(c)) for r, c in zip(rows, cols, strict=True)]


def _check_patch_fits(image_shape, patch_size, name="image") -> int:
    """``patch_size`` as an int, if one patch fits in an image of ``image_shape``."""
    if len(image_shape) not in (2, 4):
        raise ValueError(f"{name} must be 2-D (H, W) or 4-D (B, C, H, W), got shape "
                         f"{tuple(image_shape)}")
    P = positive_int(patch_size, "patch_size")
    H, W = image_shape[-2:]
    if H < P or W < P:
        raise ValueError(f"image ({H} x {W}) is smaller than one patch of {P} x {P}: "
                         f"patch_size must be at most {min(H, W)}")
    return P


def _check_image(image, patch_size):
    image = _as_real(image, "image", ndim=(2, 4))
    return image, _check_patch_fits(image.shape, patch_size)


def patch_grid(image_shape, patch_size) -> tuple[int, int]:
    """How many patches fit down and across an image: ``(H // P, W // P)``.

    Patches are windows of side P and stride P, so this is
    :func:`lessons_lib.shapes.output_size` along each axis.

    Parameters
    ----------
    image_shape : tuple of int
        The image's shape; its last two entries are H and W, each at least P.
    patch_size : int
        P, the side of a square patch.

    Returns
    -------
    rows, cols : int

    Raises
    ------
    TypeError
        If ``image_shape`` is not a tuple of integers or ``patch_size`` not an integer.
    ValueError
        If ``image_shape`` has fewer than two sizes or a size below 1, or one patch does
        not fit in H x W.

    Examples
    --------
    >>> patch_grid((8, 9), 4)
    (2, 2)
    """
    image_shape = shape_tuple(image_shape, "image_shape")
    if len(image_shape) < 2:
        raise ValueError(f"image_shape must end with (H, W), got {image_shape}")
    P = positive_int(patch_size, "patch_size")
    H, W = image_shape[-2:]
    if H < P or W < P:
        raise ValueError(f"image_shape {image_shape} is smaller than one patch of {P} x {P}: "
                         f"patch_size must be at most {min(H, W)}")
    return output_size(H, P, P, what="patch"), output_size(W, P, P, what="patch")


def patchify(image, patch_size) -> np.ndarray:
    """Cut an image into non-overlapping square patches, each flattened row-major.

    Patches are numbered row-major (left to right, then top to bottom). Rows and
    columns at the bottom and right that do not fill a whole patch are dropped, as
    the slides drop the ninth column of the 8 x 9 figure matrix.

    Parameters
    ----------
    image : ndarray, shape (H, W) or (B, C, H, W)
        One grey image, or a batch of B images with C channels.
    patch_size : int
        P, the side of a patch; at most min(H, W).

    Returns
    -------
    patches : ndarray, shape (N, P*P) or (B, N, C*P*P)
        N = (H // P) * (W // P). With channels, a patch is flattened in the order
        (channel, row, column), the layout of a PyTorch ``Conv2d`` weight. float64,
        or float32 for a float32 image.

    Raises
    ------
    TypeError
        If ``image`` is not numeric or ``patch_size`` not an integer.
    ValueError
        If ``image`` is not 2-D or 4-D, is empty, ragged or not finite, or
        ``patch_size`` is below 1 or larger than the image.

    See Also
    --------
    patchify_loops : the same, one patch at a time.
    patchify_backward : the gradient with respect to the image.

    Examples
    --------
    >>> patchify(np.arange(16).reshape(4, 4), 2).astype(int)
    array([[ 0,  1,  4,  5],
           [ 2,  3,  6,  7],
           [ 8,  9, 12, 13],
           [10, 11, 14, 15]])
    """
    image, P = _check_image(image, patch_size)
    rows, cols = patch_grid(image.shape, P)
    batch = image.reshape((-1, 1) + image.shape[-2:]) if image.ndim == 2 else image
    B, C = batch.shape[:2]
    cropped = batch[:, :, : rows * P, : cols * P]
    # (B, C, rows, P, cols, P) -> (B, rows, cols, C, P, P): patch index first, then its pixels
    blocks = cropped.reshape(B, C, rows, P, cols, P).transpose(0, 2, 4, 1, 3, 5)
    patches = blocks.reshape(B, rows * cols, C * P * P)
    return patches[0] if image.ndim == 2 else patches


def patchify_backward(dpatches, image_shape, patch_size) -> np.ndarray:
    """The gradient of :func:`patchify`: put each patch's gradient back where it came from.

    Every pixel is in at most one patch, so this only rearranges; pixels that no patch
    covers (the dropped rows and columns) get zero. With ``dpatches = patchify(image, P)``
    it rebuilds the image with its uncovered border set to zero.

    Parameters
    ----------
    dpatches : ndarray, shape (N, P*P) or (B, N, C*P*P)
    image_shape : tuple of int
        (H, W) or (B, C, H, W), the shape of the image given to :func:`patchify`.
    patch_size : int

    Returns
    -------
    dimage : ndarray, shape ``image_shape``

    Raises
    ------
    TypeError
        If ``dpatches`` is not numeric, ``image_shape`` not a tuple of integers or
        ``patch_size`` not an integer.
    ValueError
        If ``image_shape`` is not 2 or 4 sizes >= 1 that a patch fits in, or
        ``dpatches`` does not have the shape :func:`patchify` returns for it or is not
        finite.

    Examples
    --------
    >>> patchify_backward(np.ones((1, 4)), (3, 3), 2).astype(int)
    array([[1, 1, 0],
           [1, 1, 0],
           [0, 0, 0]])
    """
    image_shape = shape_tuple(image_shape, "image_shape", lengths=(2, 4))
    P = _check_patch_fits(image_shape, patch_size, "image_shape")
    rows, cols = patch_grid(image_shape, P)
    B, C = (1, 1) if len(image_shape) == 2 else image_shape[:2]
    expected = (rows * cols, P * P) if len(image_shape) == 2 else (B, rows * cols, C * P * P)
    dpatches = _as_real(dpatches, "dpatches", ndim=len(expected))
    if dpatches.shape != expected:
        raise ValueError(f"dpatches must have shape {expected} for an image of shape "
                         f"{image_shape} and patch_size={P}, got {dpatches.shape}")
    blocks = dpatches.reshape(B, rows, cols, C, P, P).transpose(0, 3, 1, 4, 2, 5)
    dimage = np.zeros((B, C) + image_shape[-2:], dtype=dpatches.dtype)
    dimage[:, :, : rows * P, : cols * P] = blocks.reshape(B, C, rows * P, cols * P)
    return dimage.reshape(image_shape)


def patchify_loops(image, patch_size) -> np.ndarray:
    """:func:`patchify` for one 2-D image, written as loops over patches and pixels.

    Parameters
    ----------
    image : ndarray, shape (H, W)
    patch_size : int

    Returns
    -------
    patches : ndarray of float64, shape (N, P*P)

    Raises
    ------
    TypeError, ValueError
        As :func:`patchify`, and a ValueError if ``image`` is not 2-D.

    Examples
    --------
    >>> patchify_loops(np.arange(16).reshape(4, 4), 2)[1].astype(int)
    array([2, 3, 6, 7])
    """
    image, P = _check_image(image, patch_size)
    if image.ndim != 2:
        raise ValueError(f"image must be 2-D, got an array of shape {image.shape}")
    rows, cols = patch_grid(image.shape, P)
    patches = np.zeros((rows * cols, P * P))
    for r in range(rows):
        for c in range(cols):
            n = r * cols + c
            for i in range(P):
                for j in range(P):
                    patches[n, i * P + j] = image[r * P + i, c * P + j]
    return patches


def prepend_position_index(patches) -> np.ndarray:
    """The slides' "linear embedding with position": each row's index written in front.

    Parameters
    ----------
    patches : ndarray, shape (N, D)

    Returns
    -------
    X : ndarray of float64, shape (N, D + 1)
        ``X[n] = [n, patches[n, 0], ..., patches[n, D - 1]]``.

    Raises
    ------
    TypeError
        If ``patches`` is not numeric.
    ValueError
        If ``patches`` is not 2-D, is empty, ragged or not finite.

    Examples
    --------
    >>> prepend_position_index([[5, 5], [7, 7]]).astype(int)
    array([[0, 5, 5],
           [1, 7, 7]])
    """
    patches = as_float_array(patches, "patches", ndim=2)
    return np.column_stack((np.arange(patches.shape[0], dtype=float), patches))


def _check_qkv(Q, K, V, scale):
    Q = _as_real(Q, "Q")
    K = _as_real(K, "K")
    V = _as_real(V, "V")
    if not isinstance(scale, (bool, np.bool_)):
        raise TypeError(f"scale must be True or False, got {scale!r}")
    for name, M in (("Q", Q), ("K", K), ("V", V)):
        if M.ndim < 2:
            raise ValueError(f"{name} must have shape (..., tokens, features), got {M.shape}")
    if K.shape[-1] != Q.shape[-1]:
        raise ValueError(f"K must have as many columns as Q (d_k = {Q.shape[-1]}), got K of "
                         f"shape {K.shape} and Q of shape {Q.shape}")
    if V.shape[-2] != K.shape[-2]:
        raise ValueError(f"V must have one row per row of K ({K.shape[-2]}), got V of shape "
                         f"{V.shape} and K of shape {K.shape}")
    if not Q.shape[:-2] == K.shape[:-2] == V.shape[:-2]:
        raise ValueError(f"Q, K and V must have the same leading (batch) dimensions, got "
                         f"shapes {Q.shape}, {K.shape} and {V.shape}")
    return Q, K, V, (1.0 / float(np.sqrt(Q.shape[-1])) if scale else 1.0)


def scaled_dot_product_attention(Q, K, V, scale=True) -> tuple[np.ndarray, np.ndarray]:
    r"""Attention: :math:`A = \mathrm{softmax}(Q K^T / \sqrt{d_k})` row by row, and :math:`Z = A V`.

    Parameters
    ----------
    Q : ndarray, shape (..., N_q, d_k)
        Queries: one row per token that asks.
    K : ndarray, shape (..., N_k, d_k)
        Keys: one row per token that can be attended to.
    V : ndarray, shape (..., N_k, d_v)
        Values: what each attended token contributes.
    scale : bool, default True
        Divide the scores by :math:`\sqrt{d_k}` ("Attention Is All You Need");
        False gives the slides' plain :math:`\mathrm{softmax}(Q K^T)`.

    Returns
    -------
    Z : ndarray, shape (..., N_q, d_v)
    A : ndarray, shape (..., N_q, N_k)
        Every row is non-negative and sums to one.

    Raises
    ------
    TypeError
        If Q, K or V is not numeric, or ``scale`` is not a bool.
    ValueError
        If an array has fewer than 2 dimensions, is empty, ragged or not finite, the
        shapes do not match as above, or a score ``Q Kᵀ`` overflows.

    See Also
    --------
    scaled_dot_product_attention_loops : the same for 2-D inputs, one number at a time.
    scaled_dot_product_attention_backward : the gradients.

    Examples
    --------
    >>> Q = K = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> V = np.array([[10.0], [20.0]])
    >>> Z, A = scaled_dot_product_attention(Q, K, V, scale=False)
    >>> np.round(A, 3)
    array([[0.731, 0.269],
           [0.269, 0.731]])
    >>> np.round(Z, 2)
    array([[12.69],
           [17.31]])
    """
    Q, K, V, s = _check_qkv(Q, K, V, scale)
    with refuse_overflow("Q and K", "a score Q Kᵀ"):
        scores = s * (Q @ np.swapaxes(K, -1, -2))
    # softmax subtracts each row's largest score first: no overflow for any finite score.
    A = softmax(scores, axis=-1)
    # Each row of Z is a weighted average of rows of V: no larger than max|V|.
    return A @ V, A


def scaled_dot_product_attention_backward(dZ, Q, K, V, A, scale=True):
    r"""Gradients of :func:`scaled_dot_product_attention` from the gradient of its output.

    With :math:`S = s\,Q K^T` (:math:`s = 1/\sqrt{d_k}` or 1), :math:`A = \mathrm{softmax}(S)`
    and :math:`Z = A V`:

    .. math::

        dV = A^T dZ, \quad dA = dZ\, V^T, \quad dS = \mathrm{softmax\ backward}(dA),
        \quad dQ = s\, dS\, K, \quad dK = s\, dS^T Q

    Parameters
    ----------
    dZ : ndarray, shape (..., N_q, d_v)
    Q, K, V : ndarray
        The forward pass's inputs.
    A : ndarray, shape (..., N_q, N_k)
        The forward pass's attention (returned by it, so nothing is recomputed).
    scale : bool, default True
        As in the forward pass.

    Returns
    -------
    dQ, dK, dV : ndarray
        Shapes of Q, K and V.

    Raises
    ------
    TypeError, ValueError
        As :func:`scaled_dot_product_attention`; also if ``dZ`` or ``A`` is not
        numeric, does not have the shape of Z or of A, is not finite, or a gradient
        overflows.

    Examples
    --------
    >>> Q, K, V = np.eye(2), np.eye(2), np.array([[1.0], [3.0]])
    >>> Z, A = scaled_dot_product_attention(Q, K, V)
    >>> dQ, dK, dV = scaled_dot_product_attention_backward(np.ones_like(Z), Q, K, V, A)
    >>> dV.shape, float(dV.sum())  # every row of A sums to one
    ((2, 1), 2.0)
    """
    Q, K, V, s = _check_qkv(Q, K, V, scale)
    N_q, N_k = Q.shape[-2], K.shape[-2]
    dZ = _as_real(dZ, "dZ")
    A = _as_real(A, "A")
    if dZ.shape != Q.shape[:-1] + V.shape[-1:]:
        raise ValueError(f"dZ must have the shape of Z, {Q.shape[:-1] + V.shape[-1:]}, "
                         f"got {dZ.shape}")
    if A.shape != Q.shape[:-1] + (N_k,):
        raise ValueError(f"A must have shape {Q.shape[:-2] + (N_q, N_k)}, got {A.shape}")
    with refuse_overflow("dZ, Q, K and V", "a gradient"):
        dV = np.swapaxes(A, -1, -2) @ dZ
        dS = softmax_backward(dZ @ np.swapaxes(V, -1, -2), A)
        dQ = s * (dS @ K)
        dK = s * (np.swapaxes(dS, -1, -2) @ Q)
    return dQ, dK, dV


def scaled_dot_product_attention_loops(Q, K, V, scale=True) -> tuple[np.ndarray, np.ndarray]:
    r""":func:`scaled_dot_product_attention` for 2-D inputs, as loops over single numbers.

    score[n, m] = Σ_i Q[n, i] K[m, i] / √d_k;  A[n, m] = e^{score[n, m]} / Σ_m' e^{score[n, m']};
    Z[n, j] = Σ_m A[n, m] V[m, j].

    Parameters
    ----------
    Q : ndarray, shape (N_q, d_k)
    K : ndarray, shape (N_k, d_k)
    V : ndarray, shape (N_k, d_v)
    scale : bool, default True

    Returns
    -------
    Z : ndarray, shape (N_q, d_v)
    A : ndarray, shape (N_q, N_k)

    Raises
    ------
    TypeError, ValueError
        As :func:`scaled_dot_product_attention`, and a ValueError if Q, K and V are not
        2-D.

    Examples
    --------
    >>> Z, A = scaled_dot_product_attention_loops(np.eye(2), np.eye(2), [[10.0], [20.0]],
    ...                                           scale=False)
    >>> np.round(Z, 2)
    array([[12.69],
           [17.31]])
    """
    Q, K, V, s = _check_qkv(Q, K, V, scale)
    if Q.ndim != 2:
        raise ValueError(f"Q, K and V must be 2-D here, got Q of shape {Q.shape}")
    (N_q, d_k), (N_k, d_v) = Q.shape, V.shape
    A = np.zeros((N_q, N_k))
    Z = np.zeros((N_q, d_v))
    for n in range(N_q):
        with refuse_overflow("Q and K", "a score Q Kᵀ"):
            scores = [s * sum(Q[n, i] * K[m, i] for i in range(d_k)) for m in range(N_k)]
        largest = max(scores)
        # A score so far below the largest that the difference overflows has weight 0.
        with np.errstate(over="ignore"):
            weights = [np.exp(score - largest) for score in scores]
        for m in range(N_k):
            A[n, m] = weights[m] / sum(weights)
        for j in range(d_v):
            Z[n, j] = sum(A[n, m] * V[m, j] for m in range(N_k))
    return Z, A


def split_heads(M, num_heads) -> np.ndarray:
    """Cut the columns of ``M`` into ``num_heads`` contiguous blocks, one per head.

    Parameters
    ----------
    M : array_like, shape (..., N, D)
    num_heads : int
        num_heads, which must divide D.

    Returns
    -------
    heads : ndarray, shape (..., num_heads, N, D / num_heads)
        ``heads[..., k, :, :]`` is ``M[..., :, k * D/num_heads : (k + 1) * D/num_heads]``.
        float64, or float32 for a float32 ``M``.

    Raises
    ------
    TypeError
        If ``M`` is not numeric or ``num_heads`` not an integer.
    ValueError
        If ``M`` has fewer than 2 dimensions, is empty, ragged or not finite, or
        ``num_heads`` does not divide D.

    Examples
    --------
    >>> split_heads(np.arange(4.0).reshape(1, 4), 2)
    array([[[0., 1.]],
    <BLANKLINE>
           [[2., 3.]]])
    """
    M = _as_real(M, "M")
    if M.ndim < 2:
        raise ValueError(f"M must have shape (..., N, D), got {M.shape}")
    num_heads = positive_int(num_heads, "num_heads")
    if M.shape[-1] % num_heads:
        raise ValueError(f"num_heads must divide the number of columns ({M.shape[-1]}), "
                         f"got {num_heads}")
    return _split_heads(M, num_heads)


def _split_heads(M, num_heads):
    """:func:`split_heads` of a checked ``M``."""
    D = M.shape[-1]
    return np.swapaxes(M.reshape(M.shape[:-1] + (num_heads, D // num_heads)), -2, -3)


def merge_heads(heads) -> np.ndarray:
    """Join the heads' columns side by side: the inverse of :func:`split_heads`.

    Parameters
    ----------
    heads : array_like, shape (..., num_heads, N, d)

    Returns
    -------
    M : ndarray, shape (..., N, num_heads * d)

    Raises
    ------
    TypeError
        If ``heads`` is not numeric.
    ValueError
        If ``heads`` has fewer than 3 dimensions, is empty, ragged or not finite.

    Examples
    --------
    >>> M = np.arange(12.0).reshape(2, 6)
    >>> bool(np.array_equal(merge_heads(split_heads(M, 3)), M))
    True
    """
    heads = _as_real(heads, "heads")
    if heads.ndim < 3:
        raise ValueError(f"heads must have shape (..., num_heads, N, d), got {heads.shape}")
    return _merge_heads(heads)


def _merge_heads(heads):
    """:func:`merge_heads` of checked ``heads``."""
    num_heads, N, d = heads.shape[-3:]
    return np.swapaxes(heads, -2, -3).reshape(heads.shape[:-3] + (N, num_heads * d))


def _check_mha(X, W_Q, W_K, W_V, W_O, num_heads):
    X = _as_real(X, "X", ndim=(2, 3))
    E = X.shape[-1]
    W_Q = _as_real(W_Q, "W_Q", ndim=2)
    D = W_Q.shape[1]
    weights = {"W_Q": W_Q}
    for name, matrix in (("W_K", W_K), ("W_V", W_V)):
        weights[name] = _as_real(matrix, name, ndim=2)
    for name, matrix in weights.items():
        if matrix.shape != (E, D):
            raise ValueError(f"{name} must have shape (E, D) = ({E}, {D}): E rows, one per "
                             f"column of X, and as many columns as W_Q; got {matrix.shape}")
    W_O = _as_real(W_O, "W_O", ndim=2)
    if W_O.shape[0] != D:
        raise ValueError(f"W_O must have {D} rows (one per column of the joined heads), "
                         f"got shape {W_O.shape}")
    num_heads = positive_int(num_heads, "num_heads")
    if D % num_heads:
        raise ValueError(f"num_heads must divide D = {D}, the number of columns of W_Q, W_K "
                         f"and W_V (E for square weights): each head takes D / num_heads "
                         f"columns; got num_heads={num_heads}")
    return X, weights["W_Q"], weights["W_K"], weights["W_V"], W_O, num_heads


def multi_head_attention_forward(X, W_Q, W_K, W_V, W_O, num_heads):
    """:func:`multi_head_attention`, also returning what its backward pass needs.

    Fast version: :func:`lessons_lib.fast.attention.multi_head_attention_forward`, which
    the ViT's attention layer runs.

    Returns
    -------
    Z : ndarray, shape (N, E_out) or (B, N, E_out)
    A : ndarray, shape (num_heads, N, N) or (B, num_heads, N, N)
    cache : dict
        The inputs and the intermediate arrays, for :func:`multi_head_attention_backward`.

    Raises
    ------
    TypeError, ValueError
        As :func:`multi_head_attention`.

    Examples
    --------
    >>> X = np.ones((3, 4))
    >>> Z, A, cache = multi_head_attention_forward(X, *[np.eye(4)] * 4, num_heads=2)
    >>> Z.shape, A.shape
    ((3, 4), (2, 3, 3))
    """
    X, W_Q, W_K, W_V, W_O, num_heads = _check_mha(X, W_Q, W_K, W_V, W_O, num_heads)
    # Contiguous copies: the batched products below are much faster on them than on views.
    with refuse_overflow("X and W_Q, W_K, W_V", "a product X W"):
        Q, K, V = (np.ascontiguousarray(_split_heads(X @ matrix, num_heads))
                   for matrix in (W_Q, W_K, W_V))
    Z_heads, A = scaled_dot_product_attention(Q, K, V)
    concat = _merge_heads(Z_heads)
    cache = {"X": X, "W_Q": W_Q, "W_K": W_K, "W_V": W_V, "W_O": W_O, "num_heads": num_heads,
             "Q": Q, "K": K, "V": V, "A": A, "concat": concat}
    with refuse_overflow("W_O and the attention output", "the product with W_O"):
        return concat @ W_O, A, cache


def multi_head_attention(X, W_Q, W_K, W_V, W_O, num_heads) -> tuple[np.ndarray, np.ndarray]:
    """Multi-head self-attention: attend in ``num_heads`` slices, join, project with W_O.

    Head k uses the k-th contiguous block of D / num_heads columns of Q = X W_Q, K = X W_K and
    V = X W_V, so each head has d_k = D / num_heads. The heads' outputs are joined side by side
    (in head order) and multiplied by W_O. The course's weights are square, D = E.

    Parameters
    ----------
    X : ndarray, shape (N, E) or (B, N, E)
        N tokens of E features (optionally a batch of B sequences).
    W_Q, W_K, W_V : ndarray, shape (E, D)
    W_O : ndarray, shape (D, E_out)
    num_heads : int
        num_heads; must divide D.

    Returns
    -------
    Z : ndarray, shape (N, E_out) or (B, N, E_out)
    A : ndarray, shape (num_heads, N, N) or (B, num_heads, N, N)
        Each head's attention map; every row sums to one.

    Raises
    ------
    TypeError
        If an array is not numeric or ``num_heads`` not an integer.
    ValueError
        If X is not 2-D or 3-D, a weight not 2-D, an array is empty, ragged or not
        finite, the shapes do not match as above, ``num_heads`` does not divide D, or
        a product overflows.

    See Also
    --------
    multi_head_attention_loops : the same, one head at a time.
    multi_head_attention_backward : the gradients.

    Examples
    --------
    >>> X = np.array([[1.0, 0.0, 0.0, 1.0], [0.0, 1.0, 1.0, 0.0]])
    >>> I = np.eye(4)
    >>> Z, A = multi_head_attention(X, I, I, I, I, num_heads=2)
    >>> np.round(A, 3)
    array([[[0.67, 0.33],
            [0.33, 0.67]],
    <BLANKLINE>
           [[0.67, 0.33],
            [0.33, 0.67]]])
    """
    Z, A, _ = multi_head_attention_forward(X, W_Q, W_K, W_V, W_O, num_heads)
    return Z, A


def multi_head_attention_backward(dZ, cache):
    """Gradients of :func:`multi_head_attention` with respect to X and the four weights.

    Fast version: :func:`lessons_lib.fast.attention.multi_head_attention_backward`.

    Parameters
    ----------
    dZ : ndarray, shape of Z
    cache : dict
        From :func:`multi_head_attention_forward`.

    Returns
    -------
    grads : dict of str to ndarray
        "X", "W_Q", "W_K", "W_V", "W_O", each the shape of that input. A batch's weight
        gradients are summed over the batch.

    Raises
    ------
    TypeError
        If ``dZ`` is not numeric, or ``cache`` is not the dict the forward pass returned.
    ValueError
        If ``dZ`` does not have the shape of Z, is not finite, or a gradient overflows.

    Examples
    --------
    >>> X = np.ones((3, 4))
    >>> Z, A, cache = multi_head_attention_forward(X, *[np.eye(4)] * 4, num_heads=2)
    >>> grads = multi_head_attention_backward(np.ones_like(Z), cache)
    >>> sorted(grads), grads["W_O"].shape
    (['W_K', 'W_O', 'W_Q', 'W_V', 'X'], (4, 4))
    """
    if not isinstance(cache, dict) or not _CACHE_KEYS <= cache.keys():
        raise TypeError("cache must be the dict returned by multi_head_attention_forward, "
                        f"got {brief(cache)}")
    X, W_O, concat = cache["X"], cache["W_O"], cache["concat"]
    dZ = _as_real(dZ, "dZ")
    if dZ.shape != concat.shape[:-1] + W_O.shape[1:]:
        raise ValueError(f"dZ must have the shape of Z, {concat.shape[:-1] + W_O.shape[1:]}, "
                         f"got {dZ.shape}")
    num_heads = cache["num_heads"]
    with refuse_overflow("dZ and the forward pass's arrays", "a gradient"):
        # A batch shares the weights: flatten (B, N, .) to (B * N, .) for their gradients.
        dW_O = concat.reshape(-1, concat.shape[-1]).T @ dZ.reshape(-1, dZ.shape[-1])
        d_heads = np.ascontiguousarray(_split_heads(dZ @ W_O.T, num_heads))
        dQ, dK, dV = scaled_dot_product_attention_backward(d_heads, cache["Q"], cache["K"],
                                                           cache["V"], cache["A"])
        X_rows = X.reshape(-1, X.shape[-1])
        grads = {"X": np.zeros_like(X), "W_O": dW_O}
        for name, d in (("W_Q", dQ), ("W_K", dK), ("W_V", dV)):
            d = _merge_heads(d)
            grads[name] = X_rows.T @ d.reshape(-1, d.shape[-1])
            grads["X"] += d @ cache[name].T
    return grads


# What multi_head_attention_backward reads from the forward pass's cache.
_CACHE_KEYS = {"X", "W_Q", "W_K", "W_V", "W_O", "num_heads", "Q", "K", "V", "A", "concat"}


def multi_head_attention_loops(X, W_Q, W_K, W_V, W_O, num_heads):
    """:func:`multi_head_attention` for 2-D X, written as a loop over heads.

    Parameters
    ----------
    X : ndarray, shape (N, E)
    W_Q, W_K, W_V : ndarray, shape (E, D)
    W_O : ndarray, shape (D, E_out)
    num_heads : int

    Returns
    -------
    Z : ndarray, shape (N, E_out)
    A : ndarray, shape (num_heads, N, N)

    Raises
    ------
    TypeError, ValueError
        As :func:`multi_head_attention`, and a ValueError if X is not 2-D.

    Examples
    --------
    >>> Z, A = multi_head_attention_loops(np.ones((3, 4)), *[np.eye(4)] * 4, num_heads=4)
    >>> A.shape
    (4, 3, 3)
    """
    X, W_Q, W_K, W_V, W_O, num_heads = _check_mha(X, W_Q, W_K, W_V, W_O, num_heads)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D here, got an array of shape {X.shape}")
    with refuse_overflow("X and W_Q, W_K, W_V", "a product X W"):
        Q, K, V = X @ W_Q, X @ W_K, X @ W_V
    d_k = Q.shape[1] // num_heads
    outputs, maps = [], []
    for k in range(num_heads):
        columns = slice(k * d_k, (k + 1) * d_k)
        Z_k, A_k = scaled_dot_product_attention(Q[:, columns], K[:, columns], V[:, columns])
        outputs.append(Z_k)
        maps.append(A_k)
    with refuse_overflow("W_O and the attention output", "the product with W_O"):
        return np.hstack(outputs) @ W_O, np.stack(maps)


def sinusoidal_position_encoding(N, E) -> np.ndarray:
    r"""The fixed position encoding of "Attention Is All You Need".

    .. math::

        PE[p, 2i] = \sin\!\left(\frac{p}{10000^{2i/E}}\right), \qquad
        PE[p, 2i + 1] = \cos\!\left(\frac{p}{10000^{2i/E}}\right)

    Each pair of columns is a clock turning at its own speed; together they give every
    position a distinct code, and the code of p + k is a fixed rotation of the code of p.

    Parameters
    ----------
    N : int
        Number of positions (tokens), p = 0, ..., N - 1.
    E : int
        Number of features; an odd E ends with a sine column.

    Returns
    -------
    PE : ndarray of float64, shape (N, E)
        Values in [-1, 1]; added to the token embeddings.

    Raises
    ------
    TypeError
        If ``N`` or ``E`` is not an integer.
    ValueError
        If one of them is below 1, or the table would not fit in memory.

    Examples
    --------
    >>> np.round(sinusoidal_position_encoding(3, 4), 3)
    array([[ 0.   ,  1.   ,  0.   ,  1.   ],
           [ 0.841,  0.54 ,  0.01 ,  1.   ],
           [ 0.909, -0.416,  0.02 ,  1.   ]])
    """
    N = positive_int(N, "N")
    E = positive_int(E, "E")
    # The table and one temporary of its size.
    check_memory(2 * 8 * N * E, f"sinusoidal_position_encoding(N={N}, E={E})")
    p = np.arange(N, dtype=np.float64)[:, None]
    frequencies = 10000.0 ** (-np.arange(0, E, 2, dtype=np.float64) / E)
    PE = np.zeros((N, E))
    PE[:, 0::2] = np.sin(p * frequencies)
    PE[:, 1::2] = np.cos(p * frequencies[: E // 2])
    return PE


INK_PROFILES = ("rows", "columns")


def ink_profile_weights(patch_size, along="rows") -> np.ndarray:
    """Weights that turn a row of the slides' X into the ink of each patch row (or column).

    X's row n is the position index n followed by patch n flattened row by row (see
    :func:`prepend_position_index`). With ``W = ink_profile_weights(P, "rows")``,
    ``(X @ W)[n, i]`` is the number of lit pixels (the sum of the pixels) in row i of
    patch n; with ``"columns"``, in column i. The index meets a row of zeros: position
    plays no part. Used as both W_Q and W_K, the score Q[n] · K[m] is large when
    patches n and m have their ink in the same rows (columns), so each patch attends
    most to the patches whose ink profile is most like its own.

    Parameters
    ----------
    patch_size : int
        P, the side of a patch.
    along : {"rows", "columns"}, default "rows"

    Returns
    -------
    W : ndarray of float64, shape (1 + P², P)
        Entries 0 and 1: W[1 + i·P + j, i] = 1 for "rows", W[1 + i·P + j, j] = 1
        for "columns".

    Raises
    ------
    TypeError
        If ``patch_size`` is not an integer.
    ValueError
        If ``patch_size`` is below 1 or too large for memory, or ``along`` is not one of
        :data:`INK_PROFILES`.

    Examples
    --------
    >>> ink_profile_weights(2).astype(int)
    array([[0, 0],
           [1, 0],
           [1, 0],
           [0, 1],
           [0, 1]])
    >>> x = np.array([[7, 1, 1, 0, 1]])  # index 7, then the 2 x 2 patch [[1, 1], [0, 1]]
    >>> (x @ ink_profile_weights(2)).astype(int), (x @ ink_profile_weights(2, "columns")).astype(int)
    (array([[2, 1]]), array([[1, 2]]))
    """
    P = positive_int(patch_size, "patch_size")
    along = choice(along, "along", INK_PROFILES)
    check_memory(8 * (1 + P * P) * P, f"ink_profile_weights(patch_size={P})")
    rows, cols = np.divmod(np.arange(P * P), P)
    W = np.zeros((1 + P * P, P))
    W[1 + np.arange(P * P), rows if along == "rows" else cols] = 1.0
    return W


def small_integer_weights(rows, cols, *, seed=0) -> np.ndarray:
    """Random weights in {-1, 0, 1}: a matrix whose products a student can do by hand.

    Parameters
    ----------
    rows, cols : int
    seed : int, default 0

    Returns
    -------
    w : ndarray of float64, shape (rows, cols)

    Raises
    ------
    TypeError
        If ``rows``, ``cols`` or ``seed`` is not an integer.
    ValueError
        If ``rows`` or ``cols`` is below 1, ``seed`` is negative, or the matrix would
        not fit in memory.

    Examples
    --------
    >>> small_integer_weights(2, 3, seed=0)
    array([[ 1.,  0.,  0.],
           [-1., -1., -1.]])
    """
    rows, cols = positive_int(rows, "rows"), positive_int(cols, "cols")
    seed = positive_int(seed, "seed", minimum=0)
    # The int64 draws and their float64 copy.
    check_memory(2 * 8 * rows * cols, f"small_integer_weights(rows={rows}, cols={cols})")
    return np.random.default_rng(seed).integers(-1, 2, size=(rows, cols)).astype(np.float64)


def attention_saturation(dims, *, num_tokens=16, trials=200, seed=0) -> dict[str, np.ndarray]:
    r"""How peaked attention gets as d_k grows, with and without the :math:`\sqrt{d_k}`.

    For queries and keys with independent standard-normal entries, a score
    :math:`q \cdot k` is a sum of d_k products of variance 1: its standard deviation is
    :math:`\sqrt{d_k}`. The softmax of ever more spread-out scores puts almost all its
    weight on one token (and its gradient vanishes); dividing by :math:`\sqrt{d_k}`
    brings the spread back to 1 whatever d_k.

    Parameters
    ----------
    dims : sequence of int
        The d_k values to try.
    num_tokens : int, default 16
        Keys per query.
    trials : int, default 200
        Random queries per d_k (averaged).
    seed : int, default 0

    Returns
    -------
    result : dict of str to ndarray, each shape (len(dims),)
        "dims"; "unscaled" and "scaled": the mean largest attention weight of a row
        (1/num_tokens is uniform attention, 1 is all on one token); "score_std": the
        measured standard deviation of the unscaled scores.

    Raises
    ------
    TypeError
        If ``dims`` is not a sequence of integers, or ``num_tokens``, ``trials`` or
        ``seed`` is not an integer.
    ValueError
        If ``dims`` is empty or holds a value below 1, ``num_tokens`` or ``trials`` is
        below 1, ``seed`` is negative, or the random queries and keys would not fit
        in memory.

    Examples
    --------
    >>> result = attention_saturation([1, 256], trials=50)
    >>> bool(result["unscaled"][1] > 0.9 > result["scaled"][1])
    True
    """
    if isinstance(dims, np.ndarray):
        dims = dims.tolist()
    if not isinstance(dims, (list, tuple, range)):
        raise TypeError(f"dims must be a sequence of integers (the d_k values), got "
                        f"{brief(dims)}")
    if not dims:
        raise ValueError("dims must name at least one d_k, got an empty sequence")
    dims = [positive_int(d, "dims") for d in dims]
    N = positive_int(num_tokens, "num_tokens")
    trials = positive_int(trials, "trials")
    seed = positive_int(seed, "seed", minimum=0)
    # Keys and scores of the largest d_k, with their temporaries.
    check_memory(3 * 8 * trials * N * (max(dims) + 1),
                 f"attention_saturation with dims up to {max(dims)}, trials={trials} and "
                 f"num_tokens={N}")
    generator = np.random.default_rng(seed)
    result = {"dims": np.array(dims), "unscaled": [], "scaled": [], "score_std": []}
    for d in dims:
        q = generator.normal(size=(trials, 1, d))
        k = generator.normal(size=(trials, N, d))
        scores = q @ np.swapaxes(k, -1, -2)
        result["score_std"].append(scores.std())
        for key, s in (("unscaled", 1.0), ("scaled", 1.0 / np.sqrt(d))):
            result[key].append(softmax(s * scores, axis=-1).max(axis=-1).mean())
    return {key: np.asarray(value) for key, value in result.items()}
