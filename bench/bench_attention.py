"""Attention: multi-head self-attention against PyTorch, and the tiny ViT's training speed.

Attention rows: forward + backward of the tiny ViT's attention layer
(``lessons_lib.nn.transformer.MultiHeadSelfAttention``) on a batch shaped like the ViT's
(64 events, 65 tokens, E = 32, 4 heads, float32), against ``torch.nn.MultiheadAttention``
with the same weights (no biases; ``need_weights=True, average_attn_weights=False``, so
it returns every head's attention map, as ours does). Ratio = our time / PyTorch's CPU
time, the median of paired repetitions in one run; target: at most 1.0. PyTorch runs on
``torch.set_num_threads(n)`` threads, ours inside ``lessons_lib.nn.threads(n)``. When
another program takes a core, PyTorch's two threads wait for each other in spin loops
and its two-thread time can grow tenfold for the whole run; the one-thread row is the
steadier comparison.

Training rows: events per second of one Adam step (forward, loss, backward, update) on
batches of 64 detector events, for the ViT of lesson 06 against the CNN of lesson 04,
both lessons_lib, on the same threads; ratio = ViT / CNN throughput (no target: it says
how much a ViT step costs next to the CNN's).
"""

from __future__ import annotations

import numpy as np
from run import THROUGHPUT, TIME, median_time, paired_times, row

from lessons_lib import nn
from lessons_lib.datasets import detector_events
from lessons_lib.nn.models import detector_cnn
from lessons_lib.nn.transformer import (
    VIT_CONFIG,
    VIT_IMAGE_SHAPE,
    MultiHeadSelfAttention,
    tiny_vit,
)

BATCH, TOKENS, E, HEADS = 64, 65, 32, 4
THREADS = (1, 2)
PAIRS = 9
TARGET = "<= 1.0"


def _torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


def _attention_step(X, dZ):
    layer = MultiHeadSelfAttention(E, HEADS)

    def step():
        layer.forward(X)
        layer.backward(dZ)
    return layer, step


def _torch_attention_step(torch, layer, X, dZ):
    reference = torch.nn.MultiheadAttention(E, HEADS, bias=False, batch_first=True)
    p = layer.params
    with torch.no_grad():
        # PyTorch computes x Wᵀ with its weights: ours (used as X @ W) transposed.
        reference.in_proj_weight.copy_(
            torch.from_numpy(np.vstack([p[name].T for name in ("W_Q", "W_K", "W_V")])))
        reference.out_proj.weight.copy_(torch.from_numpy(p["W_O"].T.copy()))
    x, grad = torch.from_numpy(X).requires_grad_(), torch.from_numpy(dZ)

    def step():
        reference(x, x, x, need_weights=True, average_attn_weights=False)[0].backward(grad)
    return step


def _attention_rows():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(BATCH, TOKENS, E)).astype(np.float32)
    dZ = rng.normal(size=X.shape).astype(np.float32)
    layer, ours = _attention_step(X, dZ)
    torch = _torch()
    operation = f"multi-head attention fwd+bwd ({BATCH}x{TOKENS}x{E}, {HEADS} heads)"
    rows = []
    for threads in THREADS:
        with nn.threads(threads):
            if torch is None:
                rows.append(row(operation, ours=1000 * median_time(ours), unit="ms",
                                    kind=TIME, threads=threads,
                                    reference_name="n/a (no torch)"))
                continue
            torch.set_num_threads(threads)
            reference = _torch_attention_step(torch, layer, X, dZ)
            ours_s, reference_s, ratio = paired_times(ours, reference, pairs=PAIRS,
                                                          number=5)
        rows.append(row(operation, ours=1000 * ours_s, reference=1000 * reference_s,
                            unit="ms", kind=TIME, threads=threads,
                            reference_name=f"torch {torch.__version__} CPU", ratio=ratio,
                            target=TARGET, pairs=PAIRS))
    return rows


def _epoch(model, x, y):
    optimizer = nn.Adam(model, lr=1e-3)
    batches = [(x[i : i + BATCH], y[i : i + BATCH]) for i in range(0, len(x), BATCH)]

    def epoch():
        for xb, yb in batches:
            nn.train_step(model, optimizer, xb, yb)
    return epoch


def _training_rows():
    x, y, _ = detector_events(4 * BATCH, seed=5)
    vit = _epoch(tiny_vit(VIT_IMAGE_SHAPE, 3, **VIT_CONFIG), x, y)
    cnn = _epoch(detector_cnn(3), x, y)
    rows = []
    for threads in THREADS:
        with nn.threads(threads):
            vit_s, cnn_s, time_ratio = paired_times(vit, cnn, pairs=5)
        rows.append(row("training: tiny ViT (Adam step, batch 64)", ours=len(x) / vit_s,
                            reference=len(x) / cnn_s, unit="events/s", kind=THROUGHPUT,
                            threads=threads, reference_name="lesson 04 CNN (lessons_lib)",
                            ratio=1 / time_ratio, pairs=5))
    return rows


def run():
    return _attention_rows() + _training_rows()
