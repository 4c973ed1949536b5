"""CNN training: lesson 04's network, numpy (lessons_lib.nn) against PyTorch CPU, and where the time goes.

Throughput is images per second of full training steps (forward, loss, backward, Adam
update) on batches of 64 simulated 64 x 64 events, float32, each step on the next of 16
batches as in a training run (steps repeated on one batch overfit it within a few
dozen steps, and PyTorch's steps then slow down by up to a third: no longer the
training a student runs). The reference is PyTorch CPU training the same network (same
layers, same initial weights, same batches, same optimiser) in the same run, on the
same number of threads (``torch.set_num_threads`` on its side, ``nn.threads`` on
ours). After 10 warm-up steps each (PyTorch prepares its kernels in its first steps),
steps are timed in pairs, ours then PyTorch's, 10 steps each, 7 pairs; ratio = ours /
PyTorch's images per second, the median of the per-pair ratios (target: at least
0.85, aim 1.0), at 1 thread and at 2.

The breakdown rows time each stage of our step (a ``Conv2D → ReLU → MaxPool2D`` block
is one fused pass, forward and backward), then the loss and the optimiser, in ms per
step (median of 30 steps), with each stage's share of the step. Each block is timed on
its own: in the step, ``Sequential`` takes each chunk of the batch through all three
blocks in turn, so the threads meet once per pass instead of once per block. The last
row times lesson 04's training run, as the lesson runs it (its data and
``live_budget()``: 6 epochs on 10,000 events; target: at most 60 s on two cores).
"""

from __future__ import annotations

import itertools
import time

from run import THROUGHPUT, TIME, median, median_time, paired_times, row

from lessons_lib import nn
from lessons_lib.datasets import detector_events
from lessons_lib.fast.parallel import available_cores
from lessons_lib.losses import softmax_cross_entropy, softmax_cross_entropy_backward
from lessons_lib.nn.layers import _conv_relu_pool, _run_inside
from lessons_lib.nn.models import detector_cnn, live_budget
from lessons_lib.splits import course_split

BATCH = 64
N_BATCHES = 16
PAIRS, STEPS = 7, 10
BREAKDOWN_STEPS = 30


def _batches(n_batches):
    """``n_batches`` batches ``(x, y)`` of BATCH simulated events."""
    x, y, _ = detector_events(BATCH * n_batches, seed=0)
    return [(x[i : i + BATCH], y[i : i + BATCH]) for i in range(0, len(x), BATCH)]


def _numpy_step(model, optimizer, batches):
    """One training step on the next of ``batches`` (round and round) per call."""
    cycle = itertools.cycle(batches)

    def step():
        x, y = next(cycle)
        logits = model.forward(x)
        model.zero_grad()
        model.backward(softmax_cross_entropy_backward(logits, y))
        optimizer.step()

    return step


def _torch_twin(torch, model):
    layers = []
    for layer in model:
        name = type(layer).__name__
        if name == "Conv2D":
            layers.append(torch.nn.Conv2d(layer.in_channels, layer.out_channels,
                                          layer.kernel_size, layer.stride, layer.padding))
        elif name == "Dense":
            layers.append(torch.nn.Linear(layer.in_features, layer.out_features))
        elif name == "ReLU":
            layers.append(torch.nn.ReLU())
        elif name == "MaxPool2D":
            layers.append(torch.nn.MaxPool2d(layer.size, layer.stride))
        elif name == "Flatten":
            layers.append(torch.nn.Flatten())
    twin = torch.nn.Sequential(*layers)
    with torch.no_grad():
        for layer, ours in zip(twin, model, strict=True):
            if hasattr(layer, "weight"):
                layer.weight.copy_(torch.from_numpy(ours.params["W"]))
                layer.bias.copy_(torch.from_numpy(ours.params["b"]))
    return twin


def _torch_step(torch, twin, batches):
    optimizer = torch.optim.Adam(twin.parameters(), lr=0.003)
    cycle = itertools.cycle([(torch.from_numpy(x), torch.from_numpy(y)) for x, y in batches])

    def step():
        x, y = next(cycle)
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(twin(x), y).backward()
        optimizer.step()

    return step


def _stages(model):
    """The stages of ``model``'s step as Sequential runs them: (name, forward, backward)."""
    layers, stages, i = model.layers, [], 0
    while i < len(layers):
        if _conv_relu_pool(layers[i : i + 3]):
            conv, relu, pool = layers[i : i + 3]
            stages.append((f"{conv!r} + ReLU + MaxPool2D, one pass",
                           lambda x, c=conv, r=relu, p=pool: c.forward_relu_pool(x, r, p),
                           conv.backward_relu_pool))
            i += 3
        else:
            stages.append((repr(layers[i]), layers[i].forward, layers[i].backward))
            i += 1
    return stages


def breakdown(threads, x, y):
    """Rows: ms per step of each stage of our training step, forward and backward."""
    model = detector_cnn()
    optimizer = nn.Adam(model, lr=0.003)
    stages = _stages(model)
    times = {name: ([], []) for name, _, _ in stages}
    times.update({"loss (softmax cross-entropy and its gradient)": ([], []),
                  "Adam update (with zero_grad)": ([], [])})

    def forward(h):
        for name, stage, _ in stages:
            start = time.perf_counter()
            h = stage(h)
            times[name][0].append(time.perf_counter() - start)
        return h

    def backward(d):
        for name, _, stage in reversed(stages):
            start = time.perf_counter()
            d = stage(d)
            times[name][1].append(time.perf_counter() - start)

    with nn.threads(threads):
        for _ in range(BREAKDOWN_STEPS + 3):
            logits = _run_inside(forward, x)
            start = time.perf_counter()
            softmax_cross_entropy(logits, y)
            d = softmax_cross_entropy_backward(logits, y)
            times["loss (softmax cross-entropy and its gradient)"][0].append(
                time.perf_counter() - start)
            start = time.perf_counter()
            model.zero_grad()
            middle = time.perf_counter()
            _run_inside(backward, d)
            end = time.perf_counter()
            optimizer.step()
            times["Adam update (with zero_grad)"][0].append(
                middle - start + time.perf_counter() - end)
    # The first steps warm up (workspaces, caches): left out.
    medians = {name: [1000 * median(t[3:]) if t else None for t in pair]
               for name, pair in times.items()}
    total = sum(t for pair in medians.values() for t in pair if t is not None)
    rows = []
    for name, (forward_ms, backward_ms) in medians.items():
        for half, ms in (("forward", forward_ms), ("backward", backward_ms)):
            if ms is None:
                continue
            # The loss and the update have one time each, not a forward and a backward.
            label = name if backward_ms is None else f"{name}, {half}"
            rows.append(row(f"  breakdown: {label} ({100 * ms / total:.0f}% of the step)",
                                ours=ms, unit="ms", kind=TIME, threads=threads))
    return rows


def run():
    batches = _batches(N_BATCHES)
    x, y = batches[0]
    try:
        import torch
    except ImportError:
        torch = None
    rows = []
    thread_counts = sorted({1, min(2, available_cores())})
    default_threads = torch.get_num_threads() if torch else None
    for threads in thread_counts:
        model = detector_cnn()
        ours = _numpy_step(model, nn.Adam(model, lr=0.003), batches)
        operation = f"training step, batch {BATCH}, float32"
        if torch is None:
            with nn.threads(threads):
                seconds = median_time(ours, repeat=PAIRS * STEPS)
            rows.append(row(operation, ours=BATCH / seconds, unit="images/s",
                                kind=THROUGHPUT, threads=threads,
                                reference_name="PyTorch not installed"))
        else:
            torch.set_num_threads(threads)
            reference = _torch_step(torch, _torch_twin(torch, detector_cnn()), batches)
            with nn.threads(threads):
                ours_s, reference_s, ratio = paired_times(ours, reference, pairs=PAIRS,
                                                              number=STEPS, warmup=STEPS)
            # A throughput ratio is the inverse of the time ratio; over an odd number of
            # pairs the median of the inverses is the inverse of the median.
            rows.append(row(operation, ours=BATCH / ours_s, reference=BATCH / reference_s,
                                unit="images/s", kind=THROUGHPUT, threads=threads,
                                reference_name=f"torch {torch.__version__.split('+')[0]} CPU",
                                ratio=1 / ratio, target=">= 0.85 (aim 1.0)", pairs=PAIRS))
        rows += breakdown(threads, x, y)
    if torch is not None:
        torch.set_num_threads(default_threads)

    # Lesson 04's cell, as the lesson runs it: its data, its budget, its optimiser.
    split, budget = course_split(), live_budget()
    (x_train, y_train), validation = split.train, split.validation
    model = detector_cnn()
    start = time.perf_counter()
    nn.fit(model, x_train[:budget.events], y_train[:budget.events], epochs=budget.epochs,
           batch_size=64, optimizer=nn.Adam(model, lr=0.003), validation_data=validation,
           progress=False)
    rows.append(row(f"lesson 04: training run ({budget})", ours=time.perf_counter() - start,
                    unit="s", kind=TIME, threads=available_cores(), target="<= 60 s"))
    return rows
