"""Attention and the tiny ViT: numpy attention against PyTorch, and training throughput.

Attention rows: forward + backward of multi-head self-attention on a batch shaped like
the tiny ViT's (64 events, 65 tokens, E = 32, 4 heads); ratio = numpy time / PyTorch
time (CPU, float32) in the same run, when PyTorch is installed. Training rows: events
per second of one Adam step (forward, loss, backward, update) on batches of 64 detector
events, for the ViT of lesson 06 and the CNN of lesson 04; ratio = ViT / CNN throughput.
"""

from __future__ import annotations

import numpy as np
from run import median_time

from lessons_lib.attention import multi_head_attention_backward, multi_head_attention_forward
from lessons_lib.datasets import detector_events
from lessons_lib.nn import Adam, train_step
from lessons_lib.nn.models import detector_cnn
from lessons_lib.nn.transformer import VIT_CONFIG, VIT_IMAGE_SHAPE, tiny_vit

BATCH, TOKENS, E, HEADS = 64, 65, 32, 4


def _attention_numpy(X, weights, dZ):
    def step():
        _, _, cache = multi_head_attention_forward(X, *weights, HEADS)
        multi_head_attention_backward(dZ, cache)
    return median_time(step, repeat=7)


def _attention_torch(X, weights, dZ):
    try:
        import torch
    except ImportError:
        return None
    layer = torch.nn.MultiheadAttention(E, HEADS, bias=False, batch_first=True)
    with torch.no_grad():
        layer.in_proj_weight.copy_(torch.from_numpy(np.vstack([w.T for w in weights[:3]])))
        layer.out_proj.weight.copy_(torch.from_numpy(weights[3].T))
    x, grad = torch.from_numpy(X).requires_grad_(), torch.from_numpy(dZ)

    def step():
        layer(x, x, x, need_weights=True, average_attn_weights=False)[0].backward(grad)
    return median_time(step, repeat=7)


def _events_per_second(model, x, y):
    optimizer = Adam(model, lr=1e-3)
    batches = [(x[i : i + BATCH], y[i : i + BATCH]) for i in range(0, len(x), BATCH)]

    def epoch():
        for xb, yb in batches:
            train_step(model, optimizer, xb, yb)
    return len(x) / median_time(epoch, repeat=3)


def run():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(BATCH, TOKENS, E)).astype(np.float32)
    dZ = rng.normal(size=X.shape).astype(np.float32)
    weights = [(rng.normal(size=(E, E)) / np.sqrt(E)).astype(np.float32) for _ in range(4)]
    ours = _attention_numpy(X, weights, dZ)
    theirs = _attention_torch(X, weights, dZ)
    rows = [{
        "what": f"multi-head attention fwd+bwd ({BATCH}x{TOKENS}x{E}, {HEADS} heads)",
        "numpy": f"{1000 * ours:.1f} ms",
        "reference": "n/a (no torch)" if theirs is None else f"torch {1000 * theirs:.1f} ms",
        "ratio": "" if theirs is None else f"{ours / theirs:.1f}",
    }]
    x, y, _ = detector_events(4 * BATCH, seed=5)
    vit = _events_per_second(tiny_vit(VIT_IMAGE_SHAPE, 3, **VIT_CONFIG), x, y)
    cnn = _events_per_second(detector_cnn(3), x, y)
    rows.append({
        "what": "training: tiny ViT (Adam step, batch 64)",
        "numpy": f"{vit:.0f} events/s",
        "reference": f"lesson 04 CNN {cnn:.0f} events/s",
        "ratio": f"{vit / cnn:.2f}",
    })
    return rows
