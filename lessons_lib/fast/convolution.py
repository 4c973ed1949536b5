r"""The fast methods behind :func:`lessons_lib.convolution.correlate`.

Readable version: :func:`lessons_lib.convolution.correlate_loops`, the slides' formula
as nested loops. Both methods here compute the same numbers (tested equal, up to
rounding) on an input ``A_p`` that is already padded and checked:

- :func:`correlate_direct` multiplies and adds one shifted copy of ``A_p`` per filter tap,
  vectorised over every output position, block by block so that a block stays in the
  CPU cache across the taps;
- :func:`correlate_fft` uses the correlation theorem, cheaper for large filters.

:func:`correlate_padded` picks one by size.
"""

from __future__ import annotations

import numpy as np


def _next_fast_length(n: int) -> int:
    """Smallest 5-smooth integer >= n: FFT sizes made of 2, 3 and 5 are fastest."""
    best = 2 * n
    power5 = 1
    while power5 < best:
        power35 = power5
        while power35 < best:
            candidate = power35
            while candidate < n:
                candidate *= 2
            best = min(best, candidate)
            power35 *= 3
        power5 *= 5
    return best


# The direct method works through the output in blocks of about this many elements,
# so that each block and its input rows stay in the CPU cache across all filter taps.
_BLOCK_ELEMENTS = 1 << 15


def _accumulate_taps(A_p, h, strides, out):
    """``out`` = Σ over taps t of h[t] · (A_p shifted by t): one multiply-add per tap."""
    scratch = np.empty_like(out)
    for number, tap in enumerate(np.ndindex(*h.shape)):
        window = tuple(
            slice(t, t + s * (n - 1) + 1, s) for t, s, n in zip(tap, strides, out.shape, strict=True)
        )
        if number == 0:
            np.multiply(A_p[window], h[tap], out=out)
        else:
            np.multiply(A_p[window], h[tap], out=scratch)
            out += scratch


def correlate_direct(A_p, h, strides, out_shape):
    """The formula vectorised over output positions, block by block along the first axis.

    Readable version: :func:`lessons_lib.convolution.correlate_loops`.
    """
    C = np.empty(out_shape)
    row_size = int(np.prod(out_shape[1:], dtype=np.int64))
    rows_per_block = max(1, _BLOCK_ELEMENTS // max(row_size, 1))
    step, k = strides[0], h.shape[0]
    for first in range(0, out_shape[0], rows_per_block):
        last = min(out_shape[0], first + rows_per_block)
        rows = A_p[first * step : (last - 1) * step + k]
        _accumulate_taps(rows, h, strides, C[first:last])
    return C


def correlate_fft(A_p, h, strides, out_shape):
    """Correlation theorem: FFT(A_p ⋆ h) = FFT(A_p) · conj(FFT(h)).

    Readable version: :func:`lessons_lib.convolution.correlate_loops`.

    The circular correlation on a grid at least as large as ``A_p`` equals the valid
    (non-wrapping) correlation at every position where the filter fits, so no extra
    padding is needed; the rest of the grid is discarded.
    """
    axes = tuple(range(A_p.ndim))
    sizes = [_next_fast_length(n) for n in A_p.shape]
    spectrum = np.fft.rfftn(A_p, sizes, axes) * np.conj(np.fft.rfftn(h, sizes, axes))
    full = np.fft.irfftn(spectrum, sizes, axes)
    window = tuple(slice(0, s * (n - 1) + 1, s) for s, n in zip(strides, out_shape, strict=True))
    return full[window]


def fft_is_faster(padded_shape, h_shape, out_shape) -> bool:
    """Compare estimated times (in ns, measured on a laptop core) of the two methods."""
    taps = float(np.prod(h_shape))
    outputs = float(np.prod(out_shape))
    blocks = max(1.0, outputs / _BLOCK_ELEMENTS)
    direct = 0.8 * outputs * taps + 3000.0 * taps * blocks
    grid = float(np.prod([_next_fast_length(n) for n in padded_shape]))
    fft = 1.4 * grid * np.log2(max(grid, 2.0)) + 50_000.0
    return direct > fft


def correlate_padded(A_p, h, strides, out_shape, method="auto") -> np.ndarray:
    """``C[m] = Σ_i h[i] · A_p[s·m + i]`` at every position where ``h`` fits inside ``A_p``.

    Readable version: :func:`lessons_lib.convolution.correlate_loops`. "direct" is
    :func:`correlate_direct`, "fft" :func:`correlate_fft`, "auto" the one
    :func:`fft_is_faster` predicts.

    Parameters
    ----------
    A_p : ndarray of float64, shape (n_0, ..., n_{d-1})
        The input, already padded as :func:`lessons_lib.convolution.correlate`'s
        ``edges`` says.
    h : ndarray of float64, shape (k_0, ..., k_{d-1})
    strides : tuple of int, one per axis
    out_shape : tuple of int
        ``1 + (n - k) // s`` on each axis (:func:`lessons_lib.shapes.output_size`).
    method : {"auto", "direct", "fft"}, default "auto"

    Returns
    -------
    C : ndarray of float64, shape ``out_shape``

    Examples
    --------
    >>> A_p = np.arange(16.0).reshape(4, 4)
    >>> correlate_padded(A_p, np.ones((3, 3)), (1, 1), (2, 2), "direct")
    array([[45., 54.],
           [81., 90.]])
    """
    if method == "auto":
        method = "fft" if fft_is_faster(A_p.shape, h.shape, out_shape) else "direct"
    if method == "fft":
        return correlate_fft(A_p, h, strides, out_shape)
    return correlate_direct(A_p, h, strides, out_shape)
