r"""The fast methods behind :func:`lessons_lib.convolution.correlate`.

Readable version: :func:`lessons_lib.convolution.correlate_loops`, the slides' formula
as nested loops. Every method here computes the same numbers (tested equal, up to
rounding):

- :func:`correlate_taps` multiplies and adds one shifted copy of the input per filter
  tap, vectorised over every output position, block by block so that a block stays in
  the CPU cache across the taps. It adds the products in the loops' order of taps and is
  the choice for tiny inputs;
- :func:`correlate_banded` hands the same sums to the matrix product (BLAS): a strip of
  ``B`` outputs along the last axis reads ``B + K - 1`` inputs per filter row, so the
  taps of a whole block become one product with a banded matrix of the filter's
  weights. It multiplies a few zeros of the band too, but at the speed of BLAS;
- :func:`correlate_spectral` uses the correlation theorem with real FFTs on a grid of
  fast length, the filter placed centred on the grid instead of padding the input: on
  the input's own size the circular correlation *is* "wrap", and the other modes
  differ from it only in a thin frame, summed directly; otherwise a grid large enough
  makes "zero" padding free (the transform zero-fills the input).

:func:`correlate` (edges included) and :func:`correlate_padded` (an input already
padded) choose by the estimated time of each, from costs per operation stored in
:data:`COSTS` (measured with :func:`measure_costs` and side-by-side timings on the
course's two-core benchmark machine). Blocks of rows are
shared between threads by :func:`lessons_lib.fast.parallel.map_chunks` (numpy releases
the interpreter lock in matrix products, elementwise loops and FFTs); every output
number is computed the same way whatever the number of threads.
"""

from __future__ import annotations

import math
import threading
import time

import numpy as np
from numpy.lib.stride_tricks import as_strided

from lessons_lib.fast import parallel

# numpy.pad's name for each edge mode of the course.
_NUMPY_PAD_MODE = {"zero": "constant", "reflect": "reflect", "replicate": "edge", "wrap": "wrap"}

COSTS = {"tap": 0.75, "tap_block": 5000.0, "copy": 0.35, "flop": 0.05, "product": 20_000.0,
         "fft": 0.35, "fft_call": 15_000.0, "fresh": 0.35}
"""Nanoseconds per unit of work of each method, measured by :func:`measure_costs`.

``tap``: one multiply-add of :func:`correlate_taps` per output and tap, ``tap_block``:
its overhead per tap and block; ``copy``: one input number copied into
:func:`correlate_banded`'s strips, ``flop``: one of its multiply-adds, ``product``: its
overhead per block; ``fft``: one ``n log2 n`` unit of a real transform of
:func:`correlate_spectral`, ``fft_call``: its overhead per call, ``fresh``: one byte of
a work array too large to keep (:func:`_scratch`), which the operating system maps on
first touch. Only their ratios matter: they decide which method :func:`choose_method`
picks. :func:`measure_costs` leaves ``copy`` and ``fresh`` as they are.
"""

# The blocks of the direct methods hold about this many numbers, so that a block and
# the inputs it reads stay in the CPU cache across all taps.
_BLOCK_ELEMENTS = 1 << 15
# Outputs per strip of correlate_banded: the band multiplies (B + K - 1) / K times the
# products a tap-by-tap sum needs, and fewer columns make slower matrix products.
_STRIP = 16
# Problems up to this many products (taps x input size) are summed tap by tap, in the
# loops' order (see choose_method).
_IN_ORDER = 1 << 14


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


def _is_fast_length(n: int) -> bool:
    """Whether ``n`` has no prime factor above 7 (pocketfft has radices up to 7 and 11)."""
    for p in (2, 3, 5, 7):
        while n % p == 0:
            n //= p
    return n == 1


def _window(starts, strides, counts):
    """Slices taking ``counts[d]`` elements every ``strides[d]`` from ``starts[d]``."""
    return tuple(slice(t, t + s * (n - 1) + 1, s)
                 for t, s, n in zip(starts, strides, counts, strict=True))


_SCRATCH = threading.local()
# Arrays up to this many bytes are kept from call to call, on each thread (see _scratch).
_SCRATCH_BYTES = 1 << 23


def _scratch(name, shape, dtype=np.float64):
    """An uninitialised work array, the one of the previous call when it has this shape.

    Fresh memory is mapped by the operating system page by page when first written,
    which for the megabytes of an FFT costs as much time as the transforms; keeping
    the work arrays (each thread its own, none above :data:`_SCRATCH_BYTES`) saves it.
    """
    arrays = _SCRATCH.__dict__.setdefault("arrays", {})
    array = arrays.get(name)
    if array is None or array.shape != tuple(shape) or array.dtype != dtype:
        array = np.empty(shape, dtype)
        if array.nbytes <= _SCRATCH_BYTES:
            arrays[name] = array
    return array


# -- direct: one multiply-add per tap ---------------------------------------------------------


def _taps_into(A_p, h, strides, out):
    """``out`` = Σ over taps t, in the loops' order, of h[t] · (A_p shifted by t)."""
    scratch = np.empty_like(out)
    for number, tap in enumerate(np.ndindex(*h.shape)):
        window = A_p[_window(tap, strides, out.shape)]
        if number == 0:
            np.multiply(window, h[tap], out=out)
        else:
            np.multiply(window, h[tap], out=scratch)
            out += scratch


def correlate_taps(A_p, h, strides, out_shape):
    """The formula vectorised over output positions, block by block along the first axis.

    Readable version: :func:`lessons_lib.convolution.correlate_loops`. Arguments as
    :func:`correlate_padded`.

    Examples
    --------
    >>> correlate_taps(np.arange(5.0), np.array([1.0, -1.0]), (1,), (4,))
    array([-1., -1., -1., -1.])
    """
    C = np.empty(out_shape)
    row_size = math.prod(out_shape[1:])
    rows_per_block = max(1, _BLOCK_ELEMENTS // max(row_size, 1))
    # Threads share rows; a signal's "rows" are its samples, shared in groups instead.
    group = 1 if len(out_shape) > 1 else rows_per_block // parallel.CHUNK
    step, k = strides[0], h.shape[0]

    def block(groups):
        stop = min(out_shape[0], groups.stop * group)
        for first in range(groups.start * group, stop, rows_per_block):
            last = min(stop, first + rows_per_block)
            _taps_into(A_p[first * step:(last - 1) * step + k], h, strides, C[first:last])

    parallel.map_chunks(block, -(-out_shape[0] // group), sample_size=row_size * group * h.size)
    return C


# -- direct: strips of outputs as one banded matrix product ------------------------------------


def _band(h, step, width):
    """The filter as a matrix: rows (leading taps, strip input), columns the strip's outputs.

    Column ``n`` holds ``h[..., c - step·n]`` at strip input ``c``, zero elsewhere, so a
    strip of inputs times this matrix is the correlation along the last axis.
    """
    k = h.shape[-1]
    reach = step * (width - 1) + k
    band = np.zeros(h.shape[:-1] + (reach, width))
    for n in range(width):
        band[..., step * n:step * n + k, n] = h
    return band.reshape(-1, width)


def correlate_banded(A_p, h, strides, out_shape, *, width=None):
    """Strips of ``width`` outputs along the last axis, each one matrix product with a band.

    Readable version: :func:`lessons_lib.convolution.correlate_loops`. Arguments as
    :func:`correlate_padded`; ``width`` is the strip's number of outputs (at most the
    last axis' output size; by default 16).

    For every output row (every position on the leading axes) the inputs under a strip
    (``K_0 ... K_{d-2}`` rows of ``s·(B - 1) + K`` numbers) are copied side by side,
    and one matrix product with :func:`_band` gives all the strip's sums. A last strip
    that would stick out is placed to end at the last output, overlapping the one
    before.

    Examples
    --------
    >>> A_p = np.arange(20.0).reshape(2, 10)
    >>> correlate_banded(A_p, np.ones((2, 3)), (1, 1), (1, 8), width=3)
    array([[36., 42., 48., 54., 60., 66., 72., 78.]])
    """
    if A_p.ndim == 1:
        # A signal is an image of one row.
        return correlate_banded(A_p[None], h[None], (1, *strides), (1, *out_shape),
                                width=width)[0]
    n_out, step = out_shape[-1], strides[-1]
    width = min(width or _STRIP, n_out)
    band = _band(h, step, width)
    reach = step * (width - 1) + h.shape[-1]
    strips = n_out // width
    C = np.empty(out_shape)
    # A strip's inputs: one block row of output positions, then the strips, then the
    # filter's leading taps and the strip's reach, all as a view of A_p.
    lead_out, lead_taps = out_shape[1:-1], h.shape[:-1]
    lead_steps = tuple(a * s for a, s in zip(A_p.strides[1:-1], strides[1:-1], strict=True))
    last_stride = A_p.strides[-1]
    taps_row = band.shape[0]
    row_size = math.prod(lead_out) * strips * taps_row
    rows_per_block = max(1, _BLOCK_ELEMENTS * 2 // max(row_size, 1))

    def strip_inputs(first, rows, column, count):
        return as_strided(
            A_p[first * strides[0]:, ..., column * step:],
            (rows, *lead_out, count, *lead_taps, reach),
            (A_p.strides[0] * strides[0], *lead_steps, last_stride * step * width,
             *A_p.strides[:-1], last_stride),
            writeable=False)

    def block(rows):
        buffer = _scratch("strips", (rows_per_block * row_size,))
        for first in range(rows.start, rows.stop, rows_per_block):
            count = min(rows_per_block, rows.stop - first)
            out = C[first:first + count]
            strip = buffer[:count * row_size].reshape(count, *lead_out, strips, taps_row)
            np.copyto(strip.reshape(count, *lead_out, strips, *lead_taps, reach),
                      strip_inputs(first, count, 0, strips))
            if strips * width == n_out:
                np.matmul(strip.reshape(-1, taps_row), band, out=out.reshape(-1, width))
            else:
                sums = strip.reshape(-1, taps_row) @ band
                out[..., :strips * width] = sums.reshape(*out.shape[:-1], strips * width)
                last = strip_inputs(first, count, n_out - width, 1)
                out[..., n_out - width:] = (
                    last.reshape(-1, taps_row) @ band).reshape(*out.shape[:-1], width)

    parallel.map_chunks(block, out_shape[0])
    return C


# -- FFT: the correlation theorem on a grid of fast length -----------------------------------


def _transform(function, X, out, axis):
    """``out = function(X, axis)`` along ``axis``, the other positions shared between threads."""
    other = X.ndim - 1 if axis == 0 else 0
    cut = (slice(None),) * other

    def chunk(part):
        function(X[cut + (part,)], out[cut + (part,)])

    parallel.map_chunks(chunk, X.shape[other])
    return out


def _spectrum(array, grid, centre, reverse):
    """The real-input spectrum of ``array`` zero-filled to ``grid``, its index ``centre`` at 0.

    With ``reverse``, element ``k`` goes to ``(centre - k) mod grid`` instead of
    ``(k - centre) mod grid``: the spectrum of the filter flipped, so that a product of
    spectra is a correlation rather than a convolution.
    """
    M = grid[-1]
    if reverse or any(centre):
        # Place (small) arrays: the filter. Sizes never exceed the grid, so no two
        # elements land on the same index.
        sign = -1 if reverse else 1
        placed = np.zeros(array.shape[:-1] + (M,))
        placed[..., (sign * (np.arange(array.shape[-1]) - centre[-1])) % M] = array
        X = np.fft.rfft(placed, axis=-1)
    else:
        X = _scratch("rows", array.shape[:-1] + (M // 2 + 1,), complex)
        if array.ndim == 1:
            np.fft.rfft(array, M, out=X)
        else:
            parallel.map_chunks(lambda rows: np.fft.rfft(array[rows], M, axis=-1, out=X[rows]),
                                array.shape[0])
    for axis in range(array.ndim - 1):
        N, k = grid[axis], array.shape[axis]
        shape = X.shape[:axis] + (N,) + X.shape[axis + 1:]
        if reverse or centre[axis]:
            sign = -1 if reverse else 1
            placed = _scratch(("filter", axis), shape, complex)
            rows = (sign * (np.arange(k) - centre[axis])) % N
            placed.fill(0)
            placed[(slice(None),) * axis + (rows,)] = X
            X = _transform(lambda x, out, a=axis: np.fft.fft(x, axis=a, out=out),
                           placed, placed, axis)
        else:
            X = _transform(lambda x, out, a=axis, n=N: np.fft.fft(x, n, axis=a, out=out),
                           X, _scratch(("input", axis), shape, complex), axis)
    return X


def _circular(A, h, grid, centre, strides, out_shape):
    """``C[m] = Σ_k h[k] · A_g[(s·m + k - c) mod grid]``, ``A_g`` being ``A`` zero-filled to ``grid``."""
    X = _spectrum(A, grid, (0,) * A.ndim, reverse=False)
    X *= _spectrum(h, grid, centre, reverse=True)
    for axis in range(A.ndim - 1):
        full = _transform(lambda x, out, a=axis: np.fft.ifft(x, axis=a, out=out),
                          X, _scratch(("back", axis), X.shape, complex), axis)
        X = full[(slice(None),) * axis + (slice(0, strides[axis] * (out_shape[axis] - 1) + 1,
                                                strides[axis]),)]
    columns = _window((0,), strides[-1:], out_shape[-1:])[0]
    M = grid[-1]
    if A.ndim == 1:
        return np.fft.irfft(X, M)[columns]
    C = np.empty(out_shape)

    def rows(part):
        real = _scratch("real", X[part].shape[:-1] + (M,))
        C[part] = np.fft.irfft(X[part], M, axis=-1, out=real)[..., columns]

    parallel.map_chunks(rows, out_shape[0])
    return C


def _frame_fraction(shape, h_shape):
    """The fraction of outputs whose filter reaches past an edge of the input (stride 1)."""
    inside = math.prod(max(0, n - (k - 1)) / n for n, k in zip(shape, h_shape, strict=True))
    return 1.0 - inside


def _spectral_plan(shape, h_shape, edges):
    """(padding widths, grid, centre, frame) of :func:`correlate_spectral` for these shapes.

    ``frame``: the grid is the input's own, whose circular correlation is "wrap"; the
    outputs where the filter reaches past an edge are then summed directly.
    """
    centre = tuple((k - 1) // 2 for k in h_shape)
    nothing = (0,) * len(shape)
    if all(_is_fast_length(n) and k <= n for n, k in zip(shape, h_shape, strict=True)):
        if edges == "wrap":
            # The circular correlation on the input's own grid is "wrap": nothing to pad.
            return nothing, tuple(shape), centre, False
        # A larger grid costs more than its size says (numpy's FFTs are much faster
        # on 512 than on 540): where the frame is thin, keep the input's own grid.
        if edges != "none" and (_frame_fraction(shape, h_shape) * math.prod(h_shape)
                                <= _log2(math.prod(shape))):
            return nothing, tuple(shape), centre, True
    if edges == "zero":
        # The filter centred at index 0 reads up to ω past either edge; a grid of at
        # least n + ω keeps what wraps around on zeros: the transform pads for free.
        grid = tuple(_next_fast_length(max(n + c, k))
                     for n, k, c in zip(shape, h_shape, centre, strict=True))
        return nothing, grid, centre, False
    widths = tuple(0 if edges == "none" else (k - 1) // 2 for k in h_shape)
    grid = tuple(_next_fast_length(n + 2 * w) for n, w in zip(shape, widths, strict=True))
    return widths, grid, nothing, False


def _redo_frame(C, A_p, h, strides):
    """Sum directly the outputs of ``C`` whose filter reaches into the padding of ``A_p``."""
    for axis in range(C.ndim):
        k, s = h.shape[axis], strides[axis]
        w, n = (k - 1) // 2, A_p.shape[axis] - (k - 1)
        low = min(C.shape[axis], -(-w // s))  # outputs with s·m - ω < 0
        high = max(low, (n - 1 - w) // s + 1)  # outputs with s·m + ω > n - 1
        for first, last in ((0, low), (high, C.shape[axis])):
            if last <= first:
                continue
            before = (slice(None),) * axis
            slab = A_p[before + (slice(s * first, s * (last - 1) + k),)]
            out = C[before + (slice(first, last),)]
            flip = 0 < axis == C.ndim - 1
            if flip:
                # A slab thin along the last axis, seen with its first axis last: long
                # strips of outputs make few, large matrix products.
                slab, out = slab.swapaxes(0, -1), out.swapaxes(0, -1)
            taps = h.swapaxes(0, -1) if flip else h
            steps = (strides[-1], *strides[1:-1], strides[0]) if flip else strides
            method = choose_method(slab.shape, taps.shape, steps, "none", "direct")
            function = correlate_banded if method == "banded" else correlate_taps
            out[...] = function(slab, taps, steps, out.shape)


def correlate_spectral(A, h, strides, edges="none"):
    """The correlation theorem with edges: real FFTs on a grid of fast length.

    Readable version: :func:`lessons_lib.convolution.correlate_loops`.

    Parameters
    ----------
    A : ndarray of float64, shape (n_0, ..., n_{d-1})
        The input, not padded.
    h : ndarray of float64, shape (K_0, ..., K_{d-1})
    strides : tuple of int
    edges : {"none", "zero", "reflect", "replicate", "wrap"}, default "none"
        As :func:`lessons_lib.convolution.correlate`. On sizes made of 2, 3, 5 and 7
        the grid is the input's own: "wrap" is its circular correlation, and the other
        modes redo directly the frame of outputs whose filter reaches past an edge
        (when that frame is thin; else the input is padded, or for "zero" the grid
        grown by ω).

    Returns
    -------
    C : ndarray of float64, shape :func:`lessons_lib.convolution.output_shape`

    Examples
    --------
    >>> C = correlate_spectral(np.arange(4.0), np.array([1.0, 0.0, 0.0]), (1,), "wrap")
    >>> np.round(C, 12) + 0.0
    array([3., 0., 1., 2.])
    """
    widths, grid, centre, frame = _spectral_plan(A.shape, h.shape, edges)
    omegas = tuple(0 if edges == "none" else (k - 1) // 2 for k in h.shape)
    out_shape = _output_shape(A.shape, h.shape, strides, omegas)
    C = _scaled_circular(_padded(A, widths, edges), h, grid, centre, strides, out_shape)
    if frame:
        _redo_frame(C, _padded(A, omegas, edges), h, strides)
    return C


def _scaled_circular(A, h, grid, centre, strides, out_shape):
    """:func:`_circular`, on copies scaled by powers of two if its sums could overflow."""
    # The transforms add up every sample, which can overflow (or vanish below the
    # smallest float64) where the correlation does not: then work with maxima in
    # [0.5, 1), scaling by powers of two, which is exact and changes no digit.
    A_shift, h_shift = _exponent(A), _exponent(h)
    bound = A_shift + h_shift + math.log2(A.size) + math.log2(h.size)
    if abs(A_shift) < 300 and abs(h_shift) < 300 and bound < 1000:
        return _circular(A, h, grid, centre, strides, out_shape)
    C = _circular(np.ldexp(A, -A_shift), np.ldexp(h, -h_shift), grid, centre, strides,
                  out_shape)
    return np.ldexp(C, A_shift + h_shift, out=C)


def _exponent(array) -> int:
    """``e`` such that ``max|array| / 2**e`` lies in [0.5, 1) (0 for an all-zero array)."""
    largest = max(-float(array.min()), float(array.max()))
    return int(np.frexp(largest)[1])


def correlate_fft(A_p, h, strides, out_shape):
    """Correlation theorem: FFT(A_p ⋆ h) = FFT(A_p) · conj(FFT(h)), at valid positions.

    Readable version: :func:`lessons_lib.convolution.correlate_loops`. Arguments as
    :func:`correlate_padded`; :func:`correlate_spectral` with edges "none".

    Examples
    --------
    >>> C = correlate_fft(np.arange(5.0), np.array([1.0, -1.0]), (1,), (4,))
    >>> np.round(C, 12) + 0.0
    array([-1., -1., -1., -1.])
    """
    return correlate_spectral(A_p, h, strides, "none")


# -- choosing ----------------------------------------------------------------------------------


def pad(A, widths, edges):
    """``A`` padded by ``widths[d]`` on both sides of axis ``d`` as ``edges`` says (a new array)."""
    if edges == "none" or not any(widths):
        return A.copy()
    return np.pad(A, [(w, w) for w in widths], mode=_NUMPY_PAD_MODE[edges])


def _padded(A, widths, edges):
    """:func:`pad` into a work array (:func:`_scratch`), to be read before the next call.

    Axis by axis as numpy.pad does (so the corners agree), each border copied from the
    part already filled; numpy.pad itself where a border is wider than what it mirrors.
    """
    if edges == "none" or not any(widths):
        return A
    if any(w > n - (edges == "reflect") for w, n in zip(widths, A.shape, strict=True)):
        return pad(A, widths, edges)
    out = _scratch("padded", tuple(n + 2 * w for n, w in zip(A.shape, widths, strict=True)))
    inner = tuple(slice(w, w + n) for w, n in zip(widths, A.shape, strict=True))
    out[inner] = A
    for axis, (w, n) in enumerate(zip(widths, A.shape, strict=True)):
        if not w:
            continue
        def at(part, axis=axis):
            return (slice(None),) * axis + (part,) + inner[axis + 1:]
        before, after = at(slice(0, w)), at(slice(w + n, 2 * w + n))
        if edges == "zero":
            out[before] = 0
            out[after] = 0
        elif edges == "wrap":
            out[before] = out[at(slice(n, n + w))]
            out[after] = out[at(slice(w, 2 * w))]
        elif edges == "replicate":
            out[before] = out[at(slice(w, w + 1))]
            out[after] = out[at(slice(w + n - 1, w + n))]
        else:  # reflect about the edge sample: d c b | a b c d
            out[before] = out[at(slice(2 * w, w, -1))]
            out[after] = out[at(slice(w + n - 2, n - 2, -1))]
    return out


def _output_shape(shape, h_shape, strides, widths):
    return tuple(1 + (n + 2 * w - k) // s
                 for n, k, s, w in zip(shape, h_shape, strides, widths, strict=True))


def _log2(n):
    return math.log2(max(n, 2))


def _fft_units(n):
    """The work of one FFT of length ``n``: numpy's are about 4/3 as fast on powers of two."""
    return n * _log2(n) * (0.75 if n & (n - 1) == 0 else 1.0)


def estimated_ns(method, shape, h_shape, strides, edges="none"):
    """Estimated time of one method for these shapes, in ns, from :data:`COSTS`.

    Parameters
    ----------
    method : {"taps", "banded", "fft"}
    shape, h_shape : tuple of int
        Shapes of the input (not padded) and of the filter.
    strides : tuple of int
    edges : str, default "none"

    Examples
    --------
    >>> small = estimated_ns("taps", (8, 9), (3, 3), (1, 1))
    >>> small < estimated_ns("fft", (8, 9), (3, 3), (1, 1))
    True
    """
    widths = tuple(0 if edges == "none" else (k - 1) // 2 for k in h_shape)
    out_shape = _output_shape(shape, h_shape, strides, widths)
    outputs = math.prod(out_shape)
    padded = math.prod(n + 2 * w for n, w in zip(shape, widths, strict=True))
    padding = COSTS["copy"] * padded if any(widths) else 0.0
    if method == "taps":
        rows = max(1, _BLOCK_ELEMENTS // max(math.prod(out_shape[1:]), 1))
        blocks = -(-out_shape[0] // rows)
        taps = math.prod(h_shape)
        return padding + taps * (COSTS["tap"] * outputs + COSTS["tap_block"] * blocks)
    if method == "banded":
        width = min(_STRIP, out_shape[-1])
        reach = strides[-1] * (width - 1) + h_shape[-1]
        per_output = math.prod(h_shape[:-1]) * reach
        rows = math.prod(out_shape[:-1])
        blocks = 1 + outputs * per_output // width // (2 * _BLOCK_ELEMENTS)
        if out_shape[-1] % width:
            blocks *= 2  # a product more per block, for the last strip
        return padding + outputs * per_output * (COSTS["copy"] / width + COSTS["flop"]) + \
            COSTS["product"] * (1 + blocks) / 2
    widths, grid, _, frame = _spectral_plan(shape, h_shape, edges)
    padding = COSTS["copy"] * padded if any(widths) else 0.0
    if frame:
        padding = _frame_fraction(shape, h_shape) * estimated_ns("banded", shape, h_shape,
                                                                 strides, edges)
    half = grid[-1] // 2 + 1
    rows_in = math.prod(shape[:-1]) + math.prod(h_shape[:-1])
    units = (rows_in + math.prod(out_shape[:-1])) * _fft_units(grid[-1])
    for axis in range(len(shape) - 1):
        # Forward for the input and the filter, then back: complex, twice a real one.
        others = half * math.prod(grid[:axis]) * math.prod(shape[axis + 1:-1])
        units += 3 * 2 * others * _fft_units(grid[axis])
    calls = 3 * len(shape) + 2 * math.prod(shape[:-1]) / parallel.CHUNK
    # The input's rows, then per leading axis its spectrum, the filter's and the way back.
    sizes = [16 * half * math.prod(shape[:-1])]
    sizes += [16 * half * math.prod(grid[:axis + 1]) * math.prod(shape[axis + 1:-1])
              for axis in range(len(shape) - 1)] * 3
    fresh = sum(size for size in sizes if size > _SCRATCH_BYTES)
    return padding + COSTS["fft"] * units + COSTS["fft_call"] * calls + COSTS["fresh"] * fresh


def choose_method(shape, h_shape, strides, edges="none", method="auto"):
    """The fastest method by :func:`estimated_ns`: "taps", "banded" or "fft".

    ``method="direct"`` chooses between the two direct ones only. Small problems (up to
    :data:`_IN_ORDER` products) always get "taps": it adds the products in the loops'
    order with one rounding per operation, so that the small examples of the lessons
    give the same digits on every machine (a BLAS or an FFT adds them in an order of
    its own, which differs between CPUs).

    Examples
    --------
    >>> choose_method((8, 9), (3, 3), (1, 1))
    'taps'
    >>> choose_method((512, 512), (101, 101), (1, 1), "zero")
    'fft'
    """
    if math.prod(h_shape) * math.prod(shape) <= _IN_ORDER:
        return "taps"
    methods = ("taps", "banded") if method == "direct" else ("taps", "banded", "fft")
    return min(methods, key=lambda m: estimated_ns(m, shape, h_shape, strides, edges))


def correlate(A, h, strides, edges="none", method="auto"):
    """``C[m] = Σ_i h[i] · A_p[s·m + i]``, ``A_p`` being ``A`` padded as ``edges`` says.

    Readable version: :func:`lessons_lib.convolution.correlate_loops`. The fast layer
    of :func:`lessons_lib.convolution.correlate`, for checked arguments.

    Parameters
    ----------
    A : ndarray of float64, shape (n_0, ..., n_{d-1})
    h : ndarray of float64, shape (K_0, ..., K_{d-1})
    strides : tuple of int, one per axis
    edges : {"none", "zero", "reflect", "replicate", "wrap"}, default "none"
    method : {"auto", "direct", "fft", "taps", "banded"}, default "auto"
        "direct" is the faster of "taps" and "banded" (:func:`choose_method`).

    Returns
    -------
    C : ndarray of float64

    Examples
    --------
    >>> correlate(np.arange(16.0).reshape(4, 4), np.ones((3, 3)), (2, 2), "zero")
    array([[10., 24.],
           [51., 90.]])
    """
    if method in ("auto", "direct"):
        method = choose_method(A.shape, h.shape, strides, edges, method)
    if method == "fft":
        return correlate_spectral(A, h, strides, edges)
    widths = tuple(0 if edges == "none" else (k - 1) // 2 for k in h.shape)
    A_p = _padded(A, widths, edges)
    out_shape = _output_shape(A.shape, h.shape, strides, widths)
    function = correlate_banded if method == "banded" else correlate_taps
    return function(A_p, h, strides, out_shape)


def correlate_direct(A_p, h, strides, out_shape):
    """The sums of the formula, without FFT: :func:`correlate_taps` or :func:`correlate_banded`.

    Readable version: :func:`lessons_lib.convolution.correlate_loops`. Arguments as
    :func:`correlate_padded`; the faster of the two by :func:`choose_method`.

    Examples
    --------
    >>> correlate_direct(np.arange(5.0), np.array([1.0, -1.0]), (1,), (4,))
    array([-1., -1., -1., -1.])
    """
    method = choose_method(A_p.shape, h.shape, strides, "none", "direct")
    function = correlate_banded if method == "banded" else correlate_taps
    return function(A_p, h, strides, out_shape)


def correlate_padded(A_p, h, strides, out_shape, method="auto") -> np.ndarray:
    """``C[m] = Σ_i h[i] · A_p[s·m + i]`` at every position where ``h`` fits inside ``A_p``.

    Readable version: :func:`lessons_lib.convolution.correlate_loops`. "direct" is
    :func:`correlate_direct`, "fft" :func:`correlate_fft`, "auto" the faster by
    :func:`choose_method`.

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
    if method == "fft":
        return correlate_fft(A_p, h, strides, out_shape)
    return correlate(A_p, h, strides, "none", method)


def measure_costs(repeat=5) -> dict:
    """Measure :data:`COSTS` on this machine (about a second; for the stored table).

    Times each method on a problem where its per-unit work dominates and on one where
    its overhead does, and solves for the two constants of each. Run
    ``python -m lessons_lib.fast.convolution`` on one free core and paste its output
    into :data:`COSTS`.

    Returns
    -------
    costs : dict of str to float
        Nanoseconds, with the keys of :data:`COSTS`.
    """
    rng = np.random.default_rng(0)

    def seconds(function):
        times = []
        for _ in range(repeat + 1):
            start = time.perf_counter()
            function()
            times.append(time.perf_counter() - start)
        return float(np.median(times[1:]))

    stored = dict(COSTS)
    costs = dict(COSTS)
    A = rng.random((512, 512))
    h3, h7 = rng.random((3, 3)), rng.random((7, 7))
    # Per-unit costs on large problems, after the overheads of the current table.
    for key, method, h in (("tap", "taps", h3), ("flop", "banded", h7), ("fft", "fft", h7)):
        estimate = estimated_ns(method, A.shape, h.shape, (1, 1))
        measured = 1e9 * seconds(lambda m=method, h=h: correlate(A, h, (1, 1), "none", m))
        costs[key] *= measured / estimate
    # Overheads on a tiny one, where they dominate.
    tiny = rng.random((8, 8))
    try:
        COSTS.update(costs)
        for key, method in (("tap_block", "taps"), ("product", "banded"), ("fft_call", "fft")):
            estimate = estimated_ns(method, tiny.shape, h3.shape, (1, 1))
            measured = 1e9 * seconds(lambda m=method: correlate(tiny, h3, (1, 1), "none", m))
            costs[key] *= measured / estimate
    finally:
        COSTS.update(stored)
    return {key: float(f"{value:.3g}") for key, value in costs.items()}


if __name__ == "__main__":
    print(measure_costs())
