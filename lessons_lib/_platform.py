"""Where the course runs: a Python on the machine, or the browser edition (Pyodide).

The browser edition (``make lite``, see README) runs the same notebooks and the same
``lessons_lib`` in the page, in Pyodide: CPython compiled to WebAssembly. This module is
the one place that tells the two apart; code that must behave differently asks it, and
lessons never do (they have no browser-only cells). What differs in the browser:

- **Threads**: a page's Python has one thread and cannot start another
  (``threading.Thread.start`` raises ``RuntimeError``). :func:`max_threads` is 1 there,
  so work that is shared between cores elsewhere runs chunk after chunk.
- **Packages**: only those the site ships (numpy 2.0, matplotlib 3.8, ipywidgets, tqdm,
  sympy, and what they need); no JupyterLab or jupyterlab-slideshow as Python packages
  (the page is the lab), no threadpoolctl, no scikit-image, no scipy. The stored data
  (weights, cached results, the photographs) are package data of ``lessons_lib.data``
  and are read with ``importlib.resources`` in both editions.
- **Integers**: WebAssembly is 32-bit, so ``np.intp`` (the index type) is int32 while
  numpy's random generators return int64: counts passed to ``np.repeat`` and indices
  must be cast to ``np.intp`` (see :mod:`lessons_lib.detector`).
- **Matrix products**: numpy there is built without a BLAS library, so ``np.matmul``
  is a plain loop; :func:`has_blas` is False and :func:`lessons_lib.fast.linalg.matmul`
  (which the layers use) takes ``np.einsum``'s faster loop for long sums.
- **Files**: the kernel's working folder is the site's in-browser storage; nothing the
  course reads comes from it.

Examples
--------
>>> in_browser() == (sys.platform == "emscripten")
True
>>> max_threads() >= 1
True
"""

from __future__ import annotations

import os
import sys


def in_browser() -> bool:
    """True in the browser edition (Pyodide, ``sys.platform == "emscripten"``)."""
    return sys.platform == "emscripten"


def has_blas() -> bool:
    """False in the browser, whose numpy does matrix products without a BLAS library."""
    return not in_browser()


def max_threads() -> int:
    """How many threads this Python can run work on: 1 in the browser, else the cores it may use."""
    if in_browser():
        return 1
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows have no affinity masks
        return os.cpu_count() or 1
