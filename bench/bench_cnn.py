"""CNN training: lesson 04's network, numpy (lessons_lib.nn) against PyTorch CPU, and the notebook's run.

Throughput is images per second of full training steps (forward, loss, backward, Adam
update) on one batch of 64 simulated 64 x 64 events, median of repeated steps. The
reference is PyTorch CPU training the same network (same layers, same initial weights,
same batch, same optimiser) in the same run; ratio = numpy images/s / PyTorch images/s
(target: at least 0.5). Both are measured on the cores ``nn.fit`` uses by default
(every available one, see ``lessons_lib.nn.parallel``) and on one. The last rows time
what lesson 04 runs: simulating its events and its training run (6000 events, 6
epochs; target: at most 60 s on two cores).
"""

from __future__ import annotations

import time

from run import median_time

from lessons_lib import nn
from lessons_lib.datasets import detector_events
from lessons_lib.losses import softmax_cross_entropy_backward
from lessons_lib.nn.models import detector_cnn
from lessons_lib.nn.parallel import available_cores

BATCH = 64


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


def run():
    x, y, _ = detector_events(BATCH, seed=0)
    cores = available_cores()
    ours = {}
    for threads in sorted({cores, 1}, reverse=True):
        model = detector_cnn()
        with nn.threads(threads):
            seconds = median_time(_numpy_step(model, nn.Adam(model, lr=0.003), x, y), repeat=15)
        ours[threads] = BATCH / seconds
    rows = [_row(f"numpy train step, {threads} thread(s), images/s", f"{speed:.0f}")
            for threads, speed in ours.items()]
    try:
        import torch
    except ImportError:
        rows.append(_row("PyTorch not installed", "", "pip install torch==2.13.0"))
    else:
        default_threads = torch.get_num_threads()
        for threads in ours:
            torch.set_num_threads(threads)
            step = _torch_step(torch, _torch_twin(torch, detector_cnn()), x, y)
            reference = BATCH / median_time(step, repeat=15)
            rows.append(_row(f"torch {torch.__version__.split('+')[0]} CPU, {threads} "
                             f"thread(s), images/s", f"{reference:.0f}",
                             "numpy / torch", f"{ours[threads] / reference:.2f}"))
        torch.set_num_threads(default_threads)

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
