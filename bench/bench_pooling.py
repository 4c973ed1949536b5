"""Pooling: max pooling of a (64, 16, 64, 64) float32 batch, forward and backward, against PyTorch.

Ratio = lessons_lib's time / PyTorch CPU's time for the same operation on the same batch
in the same run, the median of 7 paired repetitions (ours, then PyTorch's, again and
again), at 1 thread and at 2 (``torch.set_num_threads`` on PyTorch's side,
``nn.threads`` on ours). The target is on the backward pass with indices: at most 1.5
(``max_pool_backward(A, dout, indices=...)`` against
``max_pool2d_with_indices_backward``). ``max_pool_backward`` without indices finds the
maxima again from ``A``: that row compares more work against less. The ``MaxPool2D``
layer, whose windows tile the input, records switches instead (``max_pool_switches``),
timed in the last rows. Without PyTorch the rows carry our times alone.

The row "numpy's floor" is not a function of the course: the one step that any numpy
version of the backward pass with indices must take, each gradient value written to its
cell by a fancy-index assignment, alone (into an array already zeroed, positions already
computed, nothing checked), on the batch split between the threads as the course splits
it. Its ratio is the least that row's target can get with numpy.
"""

from __future__ import annotations

import numpy as np
from run import TIME, median_time, paired_times, row

from lessons_lib import nn
from lessons_lib.fast import parallel
from lessons_lib.fast.parallel import available_cores
from lessons_lib.fast.pooling import max_pool_switches, max_pool_switches_backward
from lessons_lib.pooling import max_pool, max_pool_backward

SHAPE = (64, 16, 64, 64)
PAIRS, NUMBER = 7, 3


def _ours(A, dout):
    """Our operations, by the name of their row."""
    _, indices = max_pool(A, return_indices=True)
    _, switches = max_pool_switches(A)

    def step():
        _, found = max_pool(A, return_indices=True)
        return max_pool_backward(A, dout, indices=found)

    def step_with_switches():
        _, found = max_pool_switches(A)
        return max_pool_switches_backward(dout, found, A.shape)

    return {
        "max_pool forward": lambda: max_pool(A),
        "max_pool forward, return_indices": lambda: max_pool(A, return_indices=True),
        "max_pool_backward, with indices": lambda: max_pool_backward(A, dout, indices=indices),
        "max_pool_backward, from A (finds the maxima again)": lambda: max_pool_backward(A, dout),
        "training step: forward with indices + backward": step,
        "max_pool_switches_backward (MaxPool2D's path)":
            lambda: max_pool_switches_backward(dout, switches, A.shape),
        "training step: max_pool_switches + backward (MaxPool2D)": step_with_switches,
        FLOOR: _scatter_alone(dout, indices, A.shape),
    }


FLOOR = "numpy's floor for the row with indices: the scatter alone"


def _scatter_alone(dout, indices, input_shape):
    """The fancy-index assignment at the heart of the backward pass, and nothing else."""
    N, C, H, W = input_shape
    dA = np.zeros((N, C * H * W), dout.dtype)
    values = dout.reshape(N, -1)
    # Each chunk's flat positions in its own rows of dA, computed once, outside the timing.
    within = (np.arange(C)[:, None] * (H * W) + indices.reshape(N, C, -1)).reshape(N, -1)
    positions = [(np.arange(rows.stop - rows.start)[:, None] * (C * H * W)
                  + within[rows]).reshape(-1) for rows in parallel.chunks(N)]

    def scatter(rows, chunk_positions):
        dA[rows].reshape(-1)[chunk_positions] = values[rows].reshape(-1)

    return lambda: parallel.map_chunks(scatter, N, positions)


def _torch(torch, A, dout):
    """PyTorch's operation for each of our rows."""
    x, g = torch.from_numpy(A), torch.from_numpy(dout)
    _, indices = torch.nn.functional.max_pool2d(x, 2, 2, return_indices=True)
    x_grad = x.clone().requires_grad_(True)

    def backward():
        return torch.ops.aten.max_pool2d_with_indices_backward(
            g, x, [2, 2], [2, 2], [0, 0], [1, 1], False, indices)

    def step():
        x_grad.grad = None
        torch.nn.functional.max_pool2d(x_grad, 2, 2).backward(g)

    def no_grad(function):
        def call():
            with torch.no_grad():
                return function()
        return call

    forward = no_grad(lambda: torch.nn.functional.max_pool2d(x, 2, 2))
    forward_indices = no_grad(lambda: torch.nn.functional.max_pool2d(x, 2, 2, return_indices=True))
    return {
        "max_pool forward": forward,
        "max_pool forward, return_indices": forward_indices,
        "max_pool_backward, with indices": no_grad(backward),
        "max_pool_backward, from A (finds the maxima again)": no_grad(backward),
        "training step: forward with indices + backward": step,
        "max_pool_switches_backward (MaxPool2D's path)": no_grad(backward),
        "training step: max_pool_switches + backward (MaxPool2D)": step,
        FLOOR: no_grad(backward),
    }


def run():
    rng = np.random.default_rng(0)
    # After a ReLU many windows hold ties at 0; the tie rule must cost nothing extra.
    A = np.maximum(rng.standard_normal(SHAPE, dtype=np.float32), 0)
    dout = rng.standard_normal((*SHAPE[:2], SHAPE[2] // 2, SHAPE[3] // 2), dtype=np.float32)
    ours = _ours(A, dout)
    try:
        import torch
    except ImportError:
        torch = None
    rows = []
    default_threads = torch.get_num_threads() if torch else None
    for threads in sorted({1, min(2, available_cores())}):
        references = {}
        if torch is not None:
            torch.set_num_threads(threads)
            references = _torch(torch, A, dout)
            name = f"torch {torch.__version__.split('+')[0]} CPU"
        for operation, function in ours.items():
            target = "<= 1.5" if operation == "max_pool_backward, with indices" else None
            with nn.threads(threads):
                if torch is None:
                    rows.append(row(operation, ours=1000 * median_time(function), unit="ms",
                                    kind=TIME, threads=threads))
                    continue
                ours_s, reference_s, ratio = paired_times(function, references[operation],
                                                          pairs=PAIRS, number=NUMBER)
            rows.append(row(operation, ours=1000 * ours_s, reference=1000 * reference_s,
                            unit="ms", kind=TIME, threads=threads, reference_name=name,
                            ratio=ratio, target=target, pairs=PAIRS))
    if torch is not None:
        torch.set_num_threads(default_threads)
    return rows
