"""Convolution: lessons_lib.correlate on a 512x512 photograph against scipy, and the filter explorer.

Ratio = correlate's median time / the fastest scipy method's median time on the same
input in the same run (target: at most 1.5). scipy.ndimage.correlate computes every
position (mirror edges); scipy.signal.fftconvolve and correlate compute the valid ones.
"""

from __future__ import annotations

import numpy as np
import scipy.ndimage as ndi
import scipy.signal as signal
from run import median_time

from lessons_lib.convolution import correlate
from lessons_lib.datasets import photograph
from lessons_lib.filters import box_blur
from lessons_lib.widgets.convolution import FilterExplorer


def _time(function):
    """Median of 7 runs, or of 1 when a single run already takes over a second."""
    once = median_time(function, repeat=1, warmup=0)
    return once if once > 1.0 else median_time(function, repeat=7)


def explorer_update_ms(repeat=11):
    """Median time from setting the size slider to a redrawn figure (101x101 filter)."""
    view = FilterExplorer("camera", filter_name="box blur", size=99)
    times = []
    for i in range(repeat):
        size = 101 if i % 2 == 0 else 99
        # Alternating sizes makes every assignment a real change that triggers a redraw.
        times.append(median_time(lambda s=size: setattr(view.size, "value", s), repeat=1,
                                 warmup=0))
    return 1000 * float(np.median(times))


def run():
    image = photograph("camera")
    rows = []
    for size in (3, 11, 101):
        # Asymmetric weights, so that no method can profit from a symmetric filter.
        h = box_blur(size) * np.linspace(0.5, 1.5, size)
        ours = _time(lambda h=h: correlate(image, h))
        scipy_times = {
            "ndimage.correlate": _time(lambda h=h: ndi.correlate(image, h, mode="mirror")),
            "signal.fftconvolve": _time(
                lambda h=h: signal.fftconvolve(image, h[::-1, ::-1], mode="valid")),
        }
        fastest = min(scipy_times, key=scipy_times.get)
        rows.append({
            "filter": f"{size}x{size}",
            "correlate ms": f"{1000 * ours:.2f}",
            "fastest scipy": fastest,
            "scipy ms": f"{1000 * scipy_times[fastest]:.2f}",
            "ratio (target <= 1.5)": f"{ours / scipy_times[fastest]:.2f}",
        })
    rows.append({
        "filter": "explorer 101x101",
        "correlate ms": f"{explorer_update_ms():.1f}",
        "fastest scipy": "(control set → figure redrawn, median)",
        "scipy ms": "",
        "ratio (target <= 1.5)": "target <= 100 ms",
    })
    return rows
