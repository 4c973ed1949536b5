"""Sharing a batch between CPU cores: layers work through it in chunks of samples.

Every sample of a batch goes through a convolution or a pooling layer on its own, so a
layer can cut the batch into chunks of :data:`CHUNK` samples and hand the chunks to
different cores, as PyTorch does inside its operators. Two things follow from doing it
this way rather than letting BLAS share each matrix product between threads:

* the chunks are the same whatever the number of threads, and their results are
  combined in chunk order, so training gives **the same numbers on one core or
  eight**;
* a chunk's im2col matrix is a fraction of the batch's, so more of it is still in the
  CPU caches when the matrix products read it back, which pays even on one core.

The matrix products of a small CNN are too small for BLAS's own threads: on a busy
two-core machine OpenBLAS threads wait for each other and a step runs up to ten times
slower. Inside :func:`threads`, BLAS is therefore kept to one thread per chunk.

Examples
--------
>>> import numpy as np
>>> x = np.arange(80.0)
>>> with threads(2):
...     sums = map_chunks(lambda rows: x[rows].sum(), len(x))
>>> [float(s) for s in sums]
[496.0, 1520.0, 1144.0]
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import math
import threading
from concurrent.futures import ThreadPoolExecutor, wait

import numpy as np

from lessons_lib._platform import max_threads
from lessons_lib._validate import positive_int

CHUNK = 32
"""Samples per chunk: a 64-event batch of lesson 04 is two chunks, one per core."""

MIN_PARALLEL_SIZE = 200_000
"""Numbers per chunk below which light (elementwise) work is not worth a second thread."""

_workers: int | None = None
_executor: ThreadPoolExecutor | None = None
_executor_size = 0
_THREAD_PREFIX = "lessons_lib-chunk"


def available_cores() -> int:
    """The number of CPU cores this process may run work on (1 in the browser edition,
    where Python cannot start a thread: :func:`lessons_lib._platform.max_threads`)."""
    return max_threads()


@functools.cache
def _blas_controller():
    """threadpoolctl's view of the loaded BLAS libraries, found once: finding them takes
    milliseconds, as long as a small layer's whole pass."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    return ThreadpoolController()


def blas_threads(threads):
    """Limit the BLAS thread pool to ``threads`` inside a ``with`` block (None: no limit).

    Needs threadpoolctl; without it (the browser edition), nothing changes.
    """
    controller = None if threads is None else _blas_controller()
    if controller is None:
        return contextlib.nullcontext()
    return controller.limit(limits=threads, user_api="blas")


@contextlib.contextmanager
def threads(count=None):
    """Inside this ``with`` block, layers work on up to ``count`` chunks at once.

    Parameters
    ----------
    count : int or None, default None
        Threads for the chunks. None keeps the count of an enclosing block, or uses
        every available core outside any. BLAS is limited to one thread per chunk
        meanwhile. Outside any block, chunks run one after another.

    Examples
    --------
    >>> with threads(2):
    ...     with threads():
    ...         workers()
    2
    >>> workers()
    1
    """
    global _workers
    previous = _workers
    if count is not None:
        _workers = positive_int(count, "threads")
    elif previous is None:
        _workers = available_cores()
    try:
        with blas_threads(1):
            yield
    finally:
        _workers = previous


def workers() -> int:
    """How many chunks may run at once here (1 outside a :func:`threads` block)."""
    return _workers or 1


def chunks(n_samples: int) -> list[slice]:
    """The chunks of a batch of ``n_samples``: slices of :data:`CHUNK` samples, the last shorter.

    Examples
    --------
    >>> chunks(70)
    [slice(0, 32, None), slice(32, 64, None), slice(64, 70, None)]
    """
    return [slice(start, min(start + CHUNK, n_samples)) for start in range(0, n_samples, CHUNK)]


def map_chunks(function, n_samples: int, *per_chunk, sample_size=None) -> list:
    """``[function(rows, *extras) for each chunk]``, on :func:`workers` threads.

    Parameters
    ----------
    function : callable
        Called with the chunk's slice of the batch, then the chunk's item of each of
        ``per_chunk``. It should write only to its own rows: chunks may run at once.
    n_samples : int
        Size of the batch.
    *per_chunk : sequences
        Extra arguments, one item per chunk (e.g. what the forward pass kept of each).
    sample_size : int, optional
        How many numbers the work reads per sample, for light elementwise work: below
        :data:`MIN_PARALLEL_SIZE` numbers per chunk the chunks run one after another,
        as waking a thread and handing over the interpreter lock cost more than they
        save. Without it the chunks always share the threads.

    Returns
    -------
    results : list
        ``function``'s results, in chunk order whatever the threads.
    """
    arguments = list(zip(chunks(n_samples), *per_chunk, strict=True))
    # A chunk that maps chunks of its own runs them itself: waiting for the pool from
    # inside the pool could wait forever.
    nested = threading.current_thread().name.startswith(_THREAD_PREFIX)
    light = sample_size is not None and sample_size * CHUNK < MIN_PARALLEL_SIZE
    if workers() == 1 or len(arguments) == 1 or nested or light:
        return [function(*chunk) for chunk in arguments]
    results = [None] * len(arguments)
    # Each thread, the calling one included (one fewer to wake up), takes the next
    # chunk until none is left: no thread waits while another has two chunks to do.
    # next() on a count is atomic under the GIL.
    counter = itertools.count()

    def take_chunks():
        while (index := next(counter)) < len(arguments):
            results[index] = function(*arguments[index])

    helpers = [_pool().submit(take_chunks) for _ in range(min(workers(), len(arguments)) - 1)]
    try:
        take_chunks()
    finally:
        # Even when a chunk fails, nothing may still write once we return.
        wait(helpers)
    for helper in helpers:
        helper.result()
    return results


class Workspace:
    """Arrays that a layer's passes reuse from one batch to the next, chunk by chunk.

    A training step allocates the same large arrays (im2col columns, products,
    gradients) batch after batch. Fresh from ``np.empty``, each is new memory that
    the operating system maps page by page on first touch, which on a small CNN costs
    as much time as the arithmetic; a workspace hands the same array back instead.
    Arrays are keyed by name and chunk (chunks may run at once on several threads, so
    no two share an array), and replaced when the shape or dtype changes.

    Examples
    --------
    >>> import numpy as np
    >>> workspace = Workspace()
    >>> a = workspace.array("cols", slice(0, 32), (2, 3), np.float32)
    >>> a is workspace.array("cols", slice(0, 32), (2, 3), np.float32)
    True
    >>> a is workspace.array("cols", slice(32, 64), (2, 3), np.float32)
    False
    """

    def __init__(self):
        self._arrays = {}

    def array(self, name, rows, shape, dtype, *, zero="never"):
        """The array for ``name`` in chunk ``rows``, of this ``shape`` and ``dtype``.

        ``zero``: "never" (its values are whatever the last pass left), "always"
        (filled with zeros), or "once" (zeros when created; the caller writes only
        parts that it writes every time, so the rest stays zero from pass to pass).
        """
        key = (name, rows.start)
        array = self._arrays.get(key)
        if array is None or array.shape != tuple(shape) or array.dtype != dtype:
            array = self._arrays[key] = np.zeros(shape, dtype)
        elif zero == "always":
            array.fill(0)
        return array

    def keep_chunks(self, n_samples):
        """Forget the arrays of chunks beyond a batch of ``n_samples`` (after a larger one)."""
        for key in [key for key in self._arrays if key[1] >= n_samples]:
            del self._arrays[key]


_THREAD_ARRAYS = threading.local()


def scratch(workspace, name, rows, shape, dtype, *, zero="never", transient=False):
    """:meth:`Workspace.array`, or a new array when ``workspace`` is None.

    ``transient``: the array is used up before the pass over the chunk returns (a
    product turned into the output, gradients of columns folded back into an image).
    It is then the calling thread's own :func:`thread_array`, shared with every layer,
    rather than one per layer and chunk: a training step's arrays take a few megabytes
    less, and what they keep stays in the CPU caches.
    """
    if transient and zero == "once":
        # Every layer writes into a thread's array: what one leaves is not another's zero.
        raise ValueError('a transient array cannot be zeroed "once"; use "always"')
    if workspace is None:
        return np.empty(shape, dtype) if zero == "never" else np.zeros(shape, dtype)
    if transient:
        array = thread_array(name, shape, dtype)
        if zero == "always":
            array.fill(0)
        return array
    return workspace.array(name, rows, shape, dtype, zero=zero)


def thread_array(name, shape, dtype):
    """This thread's work array ``name``: uninitialised, of ``shape`` and ``dtype``.

    Each thread has its own memory for each name, as large as the largest array asked
    for under that name so far; every call returns a view of it. The array is valid
    until the same thread asks for ``name`` again.

    Examples
    --------
    >>> a = thread_array("example", (3, 2), np.float64)
    >>> b = thread_array("example", (2, 3), np.float32)
    >>> np.shares_memory(a, b), b.shape
    (True, (2, 3))
    """
    memory = _THREAD_ARRAYS.__dict__.setdefault("memory", {})
    # math.prod: np.prod would cost as much as the rest of the call.
    nbytes = math.prod(shape) * np.dtype(dtype).itemsize
    buffer = memory.get(name)
    if buffer is None or buffer.size < nbytes:
        # At least as many bytes as float64 needs, so that any dtype's view is aligned.
        buffer = memory[name] = np.empty(-(-nbytes // 8), np.float64).view(np.uint8)
    return buffer[:nbytes].view(dtype).reshape(shape)


def _pool() -> ThreadPoolExecutor:
    global _executor, _executor_size
    if _executor_size != _workers:
        if _executor is not None:
            _executor.shutdown(wait=False)
        _executor = ThreadPoolExecutor(_workers - 1, thread_name_prefix=_THREAD_PREFIX)
        _executor_size = _workers
    return _executor
