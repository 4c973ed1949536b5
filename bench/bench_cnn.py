"""CNN training: lesson 04's network, numpy (lessons_lib.nn) against PyTorch CPU, and the notebook's run.

Throughput is images per second of full training steps (forward, loss, backward, Adam
update) on one batch of 64 simulated 64 x 64 events: the median of 60 steps, taken in
blocks that alternate between the two libraries so that both see the same load. The
reference is PyTorch CPU training the same network (same layers, same initial weights,
same batch, same optimiser) in the same run; ratio = numpy images/s / PyTorch images/s
(target: at least 0.5). Both are measured on the cores ``nn.fit`` uses by default
(every available one, see ``lessons_lib.fast.parallel``) and on one. The last rows time
what lesson 04 runs: simulating its events and its training run (6000 events, 6
epochs; target: at most 60 s on two cores).
"""

from __future__ import annotations

import contextlib
import time

import numpy as np
from run import wall_times

from lessons_lib import nn
from lessons_lib.datasets import detector_events
from lessons_lib.fast.parallel import available_cores
from lessons_lib.losses import softmax_cross_entropy_backward
from lessons_lib.nn.models import detector_cnn

BATCH = 64
ROUNDS, STEPS_PER_ROUND = 4, 15


def _numpy_step(model, optimizer, x, y):
    def step():
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


def _torch_step(torch, twin, x, y):
    optimizer = torch.optim.Adam(twin.parameters(), lr=0.003)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def step():
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(twin(xt), yt).backward()
        optimizer.step()

    return step


def _row(measurement, value, reference="", ratio=""):
    return {"measurement": measurement, "value": value, "reference": reference, "ratio": ratio}


def _alternating_medians(steps, *, rounds=ROUNDS, per_round=STEPS_PER_ROUND):
    """Median step time of each of ``steps``, measured in alternating blocks.

    A shared machine drifts by tens of percent within a minute; alternating blocks of
    steps (after a warm-up) lets every contender see the same drift.
    """
    times = {name: [] for name in steps}
    for step, context in steps.values():
        with context():
            wall_times(step, 3)
    for _ in range(rounds):
        for name, (step, context) in steps.items():
            with context():
                times[name] += wall_times(step, per_round)
    return {name: float(np.median(t)) for name, t in times.items()}


def run():
    x, y, _ = detector_events(BATCH, seed=0)
    try:
        import torch
    except ImportError:
        torch = None
    rows = []
    default_threads = torch.get_num_threads() if torch else None
    for threads in sorted({available_cores(), 1}, reverse=True):
        model = detector_cnn()
        steps = {"numpy": (_numpy_step(model, nn.Adam(model, lr=0.003), x, y),
                           lambda threads=threads: nn.threads(threads))}
        if torch:
            torch.set_num_threads(threads)
            steps["torch"] = (_torch_step(torch, _torch_twin(torch, detector_cnn()), x, y),
                              contextlib.nullcontext)
        speed = {name: BATCH / seconds for name, seconds in _alternating_medians(steps).items()}
        rows.append(_row(f"numpy train step, {threads} thread(s), images/s",
                         f"{speed['numpy']:.0f}"))
        if torch:
            rows.append(_row(f"torch {torch.__version__.split('+')[0]} CPU, {threads} "
                             f"thread(s), images/s", f"{speed['torch']:.0f}",
                             "numpy / torch", f"{speed['numpy'] / speed['torch']:.2f}"))
    if torch:
        torch.set_num_threads(default_threads)
    else:
        rows.append(_row("PyTorch not installed", "", "pip install torch==2.13.0"))

    start = time.perf_counter()
    x_train, y_train, _ = detector_events(6000, seed=0)
    detector_events(2000, seed=1)
    rows.append(_row("lesson 04: simulate 8000 events, s", f"{time.perf_counter() - start:.1f}"))
    model = detector_cnn()
    start = time.perf_counter()
    nn.fit(model, x_train, y_train, epochs=6, batch_size=64, optimizer=nn.Adam(model, lr=0.003),
           validation_split=0.1, progress=False)
    rows.append(_row("lesson 04: training run (6 epochs), s", f"{time.perf_counter() - start:.1f}",
                     "target", "<= 60"))
    return rows
