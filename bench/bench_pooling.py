"""Pooling: max pooling of a (64, 16, 64, 64) float32 batch, forward and backward, against PyTorch.

Ratio = lessons_lib's median time / PyTorch's CPU median time for the same operation on
the same batch in the same run (target: at most 2). PyTorch's backward uses the indices
its forward pass stored; lessons_lib's ``max_pool_backward`` does too when given
``indices`` (from ``max_pool(..., return_indices=True)``), and otherwise finds the
maxima again from the input, so that row compares more work against less. The
``MaxPool2D`` layer, whose windows tile the input, records switches instead
(``max_pool_switches``), timed in the last rows. numpy runs
on one core; PyTorch on the number of threads shown (on a busy machine, threads wait,
so compare with ``torch.set_num_threads(1)`` too). Without
PyTorch (an optional ``bench`` extra) the reference is numpy's reshape-and-max one-liner,
for the forward pass only.
"""

from __future__ import annotations

import numpy as np
from run import median_time

from lessons_lib.fast.pooling import max_pool_switches, max_pool_switches_backward
from lessons_lib.pooling import max_pool, max_pool_backward

SHAPE = (64, 16, 64, 64)


def _row(operation, ours, reference, name):
    ratio = f"{ours / reference:.2f}" if reference else "n/a"
    return {"operation": operation, "lessons_lib ms": f"{1000 * ours:.2f}",
            "reference": name, "reference ms": f"{1000 * reference:.2f}" if reference else "n/a",
            "ratio": ratio}


def _numpy_rows(A, times):
    N, C, H, W = A.shape

    def reshape_max():
        return A.reshape(N, C, H // 2, 2, W // 2, 2).max(axis=(3, 5))

    reference = median_time(reshape_max)
    return [
        _row("max_pool forward", times["forward"], reference, "numpy reshape + max"),
        _row("max_pool_backward, with indices", times["backward, indices"], None, ""),
        _row("max_pool_backward, from A", times["backward"], None, ""),
        _row("max_pool_switches_backward", times["backward, switches"], None, ""),
    ]


def run():
    rng = np.random.default_rng(0)
    # After a ReLU many windows hold ties at 0; the tie rule must cost nothing extra.
    A = np.maximum(rng.standard_normal(SHAPE, dtype=np.float32), 0)
    dout = rng.standard_normal((*SHAPE[:2], SHAPE[2] // 2, SHAPE[3] // 2), dtype=np.float32)
    _, indices = max_pool(A, return_indices=True)

    def step():
        _, found = max_pool(A, return_indices=True)
        return max_pool_backward(A, dout, indices=found)

    def step_without_indices():
        max_pool(A)
        return max_pool_backward(A, dout)

    def step_with_switches():
        _, found = max_pool_switches(A)
        return max_pool_switches_backward(dout, found, A.shape)

    _, switches = max_pool_switches(A)

    times = {
        "forward": median_time(lambda: max_pool(A)),
        "forward, indices": median_time(lambda: max_pool(A, return_indices=True)),
        "backward, indices": median_time(lambda: max_pool_backward(A, dout, indices=indices)),
        "backward": median_time(lambda: max_pool_backward(A, dout)),
        "step": median_time(step),
        "step, no indices": median_time(step_without_indices),
        "backward, switches": median_time(
            lambda: max_pool_switches_backward(dout, switches, A.shape)),
        "step, switches": median_time(step_with_switches),
    }
    try:
        import torch
    except ImportError:
        return _numpy_rows(A, times)

    x, g = torch.from_numpy(A), torch.from_numpy(dout)
    _, torch_indices = torch.nn.functional.max_pool2d(x, 2, 2, return_indices=True)
    threads = torch.get_num_threads()
    name = f"torch {torch.__version__.split('+')[0]}, {threads} thread{'s' if threads > 1 else ''}"

    def torch_backward():
        return torch.ops.aten.max_pool2d_with_indices_backward(
            g, x, [2, 2], [2, 2], [0, 0], [1, 1], False, torch_indices)

    x_grad = x.clone().requires_grad_(True)

    def torch_step():
        x_grad.grad = None
        torch.nn.functional.max_pool2d(x_grad, 2, 2).backward(g)

    with torch.no_grad():
        forward = median_time(lambda: torch.nn.functional.max_pool2d(x, 2, 2))
        forward_indices = median_time(
            lambda: torch.nn.functional.max_pool2d(x, 2, 2, return_indices=True))
        backward = median_time(torch_backward)
    step_time = median_time(torch_step)
    return [
        _row("max_pool forward", times["forward"], forward, name),
        _row("max_pool forward, return_indices", times["forward, indices"], forward_indices, name),
        _row("max_pool_backward, with indices", times["backward, indices"], backward, name),
        _row("max_pool_backward, from A (finds the maxima again)", times["backward"], backward,
             name),
        _row("training step: forward with indices + backward", times["step"], step_time, name),
        _row("training step: forward + backward from A", times["step, no indices"], step_time,
             name),
        _row("max_pool_switches_backward (MaxPool2D's path)", times["backward, switches"],
             backward, name),
        _row("training step: max_pool_switches + backward (MaxPool2D)", times["step, switches"],
             step_time, name),
    ]
