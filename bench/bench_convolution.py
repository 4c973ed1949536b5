"""Convolution: lessons_lib.correlate against scipy's fastest method for the same numbers.

One row per image size, filter size K and edges mode, at 1 and at 2 threads (ours inside
``lessons_lib.fast.parallel.threads(n)``; scipy's methods have no threads): the
photograph "camera" (512 x 512, float64) with K = 3, 11, 101, and four copies of it side
by side and one above the other (2048 x 2048) with K = 3, 11. The filter is asymmetric
(a box whose weights grow from 0.5 to 1.5 along a row), so no method profits from a
symmetric one.

The reference is the fastest of the scipy methods that give the same numbers (checked
in the run): ``scipy.ndimage.correlate`` with the matching mode (zero: "constant";
reflect, which repeats no edge sample: "mirror"; replicate: "nearest"; wrap:
"grid-wrap"), ``scipy.signal.fftconvolve`` with the flipped filter and
``scipy.signal.correlate`` (method "auto") on the valid positions of the input padded
by ``numpy.pad`` (the padding timed with them; edges "zero" uses their mode "same"
instead). Each candidate runs once and the fastest is timed against ours in pairs; a
direct method is not tried where it needs over 3·10^8 multiply-adds (seconds per call,
where an FFT method takes milliseconds). Target: ratio (ours / scipy's time) at most
1.0 in every row.
"""

from __future__ import annotations

import numpy as np
import scipy.ndimage as ndi
import scipy.signal as signal
from run import TIME, median_time, paired_times, row

from lessons_lib.convolution import correlate
from lessons_lib.datasets import photograph
from lessons_lib.fast import parallel
from lessons_lib.filters import box_blur

EDGES = ("none", "zero", "reflect", "replicate", "wrap")
NDIMAGE_MODE = {"none": "constant", "zero": "constant", "reflect": "mirror",
                "replicate": "nearest", "wrap": "grid-wrap"}
NUMPY_PAD_MODE = {"reflect": "reflect", "replicate": "edge", "wrap": "wrap"}
DIRECT_LIMIT = 3e8
PAIRS = 5
THREADS = (1, 2)


def candidates(image, h, edges):
    """The scipy methods that compute ``correlate(image, h, edges=edges)``, by name."""
    k = h.shape[0]
    w = (k - 1) // 2
    flipped = h[::-1, ::-1]
    valid = (slice(w, image.shape[0] - w), slice(w, image.shape[1] - w))
    methods = {}
    if image.size * h.size <= DIRECT_LIMIT:
        mode = NDIMAGE_MODE[edges]
        if edges == "none":
            methods["scipy.ndimage.correlate"] = lambda: ndi.correlate(image, h, mode=mode)[valid]
        else:
            methods["scipy.ndimage.correlate"] = lambda: ndi.correlate(image, h, mode=mode)
    if edges in ("none", "zero"):
        shape = "valid" if edges == "none" else "same"
        methods["scipy.signal.fftconvolve"] = lambda: signal.fftconvolve(image, flipped, shape)
        methods["scipy.signal.correlate"] = lambda: signal.correlate(image, h, shape)
    else:
        pad_mode = NUMPY_PAD_MODE[edges]
        methods["numpy.pad + scipy.signal.fftconvolve"] = lambda: signal.fftconvolve(
            np.pad(image, w, mode=pad_mode), flipped, "valid")
        methods["numpy.pad + scipy.signal.correlate"] = lambda: signal.correlate(
            np.pad(image, w, mode=pad_mode), h, "valid")
    return methods


def fastest(methods, expected):
    """Name and function of the quickest method, each checked to give ``expected``."""
    seconds = {}
    for name, method in methods.items():
        result = method()
        scale = np.abs(expected).max()
        np.testing.assert_allclose(result, expected, rtol=0, atol=1e-9 * scale, err_msg=name)
        seconds[name] = median_time(method, repeat=1, warmup=0)
    name = min(seconds, key=seconds.get)
    return name, methods[name]


def run():
    camera = photograph("camera")
    rows = []
    for image, sizes in ((camera, (3, 11, 101)), (np.tile(camera, (4, 4)), (3, 11))):
        for k in sizes:
            h = box_blur(k) * np.linspace(0.5, 1.5, k)
            for edges in EDGES:
                ours = correlate(image, h, edges=edges)
                name, reference = fastest(candidates(image, h, edges), ours)
                for threads in THREADS:
                    # Entered once: limiting BLAS's threads costs milliseconds itself.
                    # scipy's methods use neither our threads nor BLAS.
                    with parallel.threads(threads):
                        ours_s, reference_s, ratio = paired_times(
                            lambda h=h, edges=edges, image=image: correlate(image, h,
                                                                            edges=edges),
                            reference, pairs=PAIRS)
                    rows.append(row(
                        f"correlate {image.shape[0]}x{image.shape[1]}, K={k}, edges={edges}",
                        ours=1000 * ours_s, reference=1000 * reference_s, unit="ms",
                        kind=TIME, threads=threads, reference_name=name, ratio=ratio,
                        target="<= 1.0", pairs=PAIRS))
    return rows
