"""Matrix products that stay fast where numpy has no BLAS library (the browser edition).

On a laptop, ``np.matmul`` hands float products to an optimised BLAS library. The
browser edition's numpy (Pyodide) is built without one: ``np.matmul`` falls back to a
plain triple loop that walks the second factor down its columns, one cache line per
term. ``np.einsum`` runs the same sums with its own unrolled multiply-add loop along
the summed axis, and is several times faster there when that axis is long. Measured in
Pyodide 0.27.7 (numpy 2.0.2, Node 20, float32), best of 3:

=======================================  ==============  ==============
product (the layer it comes from)        ``np.matmul``   ``np.einsum``
=======================================  ==============  ==============
(64, 4096) @ (4096, 64)  (dense, forward)     14.0 ms         6.1 ms
(64, 64) @ (64, 4096)    (dense, dx)          51.8 ms         6.2 ms
(64, 64) @ (64, 4096)    (dense, dW)          51.9 ms         6.3 ms
(32, 8, 1056) @ (32, 1056, 72) (conv, dw)     15.7 ms         7.1 ms
(8, 72) @ (32, 72, 1056) (conv, forward)      12.2 ms        11.2 ms
(72, 8) @ (32, 8, 1056)  (conv, dx)           12.1 ms        27.2 ms
(32, 4, 65, 65) @ (32, 4, 65, 8) (attention)   2.7 ms        17.5 ms
=======================================  ==============  ==============

einsum wins when the summed axis has at least :data:`EINSUM_MIN_DEPTH` terms and the
factors have at most one batch axis (its loop over several batch axes of small
matrices costs more than it saves), and only without BLAS: natively ``np.matmul`` is
3-10 times faster than einsum on the same products, so there :func:`matmul` is
``np.matmul`` itself, bit for bit.
"""

from __future__ import annotations

import numpy as np

from lessons_lib import _platform

#: The shortest summed axis for which einsum beats numpy's BLAS-less matmul (see above).
EINSUM_MIN_DEPTH = 64


def matmul(a, b, out=None):
    """``a @ b`` (``np.matmul``, batch axes broadcast), by the faster loop for this numpy.

    Parameters
    ----------
    a : ndarray, shape (..., m, k)
    b : ndarray, shape (..., k, n)
    out : ndarray, shape (..., m, n), optional
        Receives the product.

    Returns
    -------
    ndarray, shape (..., m, n)
        ``np.matmul(a, b, out=out)``; without BLAS, with ``k >= EINSUM_MIN_DEPTH``
        and at most 3 axes in each factor, the same sums by ``np.einsum`` (equal up
        to the rounding of float sums).

    Examples
    --------
    >>> a, b = np.arange(6.0).reshape(2, 3), np.ones((3, 2))
    >>> matmul(a, b)
    array([[ 3.,  3.],
           [12., 12.]])
    """
    if (_platform.has_blas() or not 2 <= np.ndim(a) <= 3 or not 2 <= np.ndim(b) <= 3
            or np.shape(a)[-1] < EINSUM_MIN_DEPTH):
        return np.matmul(a, b, out=out)
    return np.einsum("...ij,...jk->...ik", a, b, out=out)
