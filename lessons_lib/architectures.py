r"""Network architectures as data: shapes, parameter counts and operations of any CNN.

A *spec* is a list of layer specs; a layer spec is a plain dict with a ``"kind"``
and that kind's settings, made by the constructors below (:func:`conv`,
:func:`maxpool`, :func:`dense`, ...). Blocks nest: :func:`residual` adds a body and a
shortcut, :func:`concat` stacks the channels of parallel branches (an inception
module), :func:`block` groups layers under one name. From a spec and an input shape
``(C, H, W)`` the course computes, without building anything, every layer's output
shape, parameter count and multiply-accumulate count (:func:`summarize`), and
:func:`build` turns a spec made of layers ``lessons_lib.nn`` has into a trainable
network.

The output size of a convolution or pooling window of size k, stride s and padding p
on a side of length H is

.. math:: H' = \left\lfloor \frac{H + 2p - k}{s} \right\rfloor + 1

(``ceil_mode`` rounds up instead, as PyTorch's pooling can). Keras's ``"same"``
padding gives :math:`H' = \lceil H / s \rceil` and ``"valid"`` is :math:`p = 0`.

Parameters are what the reference implementation counts: PyTorch counts a batch
normalisation's scale and shift (2C); Keras also counts its moving mean and variance
(4C, half of them not trainable), which :func:`batchnorm` ``(moving_stats=True)``
reproduces. Multiply-accumulates (MACs) are those of convolution and dense layers;
pooling, activations, normalisation and additions cost far less and are not counted.

Examples
--------
>>> spec = [conv(8, 3, padding=1), relu(), maxpool(2), flatten(), dense(10)]
>>> print(format_table(summarize(spec, (1, 28, 28))))
layer                        output shape      params       MACs
conv 3×3, 8, pad 1           (8, 28, 28)           80     56,448
relu                         (8, 28, 28)            0          0
maxpool 2×2, stride 2        (8, 14, 14)            0          0
flatten                      (1568,)                0          0
dense 10                     (10,)             15,690     15,680
total                                          15,770     72,128
>>> count_params(spec, (1, 28, 28))
15770
"""

from __future__ import annotations

import json
import math
import numbers
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lessons_lib._validate import choice, int_tuple, positive_int
from lessons_lib.nn import advanced
from lessons_lib.nn import layers as nn

NAMES = ("alexnet", "vgg16", "resnet18", "resnet50", "googlenet", "xception")
KINDS = ("conv", "depthwise", "separable", "batchnorm", "relu", "sigmoid", "tanh",
         "dropout", "maxpool", "avgpool", "adaptive_avgpool", "global_avgpool", "flatten",
         "dense", "residual", "concat", "block")
ACTIVATIONS = ("relu", "sigmoid", "tanh")


class SpecError(ValueError):
    """A layer that cannot be applied to the shape it receives (says which and why)."""


# -- layer constructors ------------------------------------------------------------

def _padding(padding):
    if isinstance(padding, str):
        return choice(padding, "padding", ("same", "valid"))
    return int_tuple(padding, "padding", 2, minimum=0)


def _named(spec, name):
    if name is not None:
        spec["name"] = str(name)
    return spec


def conv(out_channels, kernel_size, *, stride=1, padding=0, groups=1, bias=True, name=None):
    """A 2-D convolution: ``out_channels`` filters of ``kernel_size`` over all input channels.

    Parameters
    ----------
    out_channels : int
    kernel_size : int or (int, int)
    stride : int or (int, int), default 1
    padding : int, (int, int), "same" or "valid", default 0
        Zeros added on each side; "same" and "valid" as in Keras.
    groups : int, default 1
        Split the channels into groups convolved separately (``groups`` = input
        channels = output channels is a depthwise convolution).
    bias : bool, default True
    name : str, optional
        Shown instead of the layer's index in tables.

    Returns
    -------
    spec : dict

    Examples
    --------
    >>> spec = conv(16, 3, padding=1)
    >>> describe(spec), analyse(spec, (8, 32, 32)).params
    ('conv 3×3, 16, pad 1', 1168)
    """
    return _named({"kind": "conv", "out_channels": positive_int(out_channels, "out_channels"),
                   "kernel_size": int_tuple(kernel_size, "kernel_size", 2),
                   "stride": int_tuple(stride, "stride", 2), "padding": _padding(padding),
                   "groups": positive_int(groups, "groups"), "bias": bool(bias)}, name)


def depthwise(kernel_size, *, multiplier=1, stride=1, padding=0, bias=True, name=None):
    """A depthwise convolution: ``multiplier`` filters of ``kernel_size`` per input channel.

    Each filter sees one channel only, so the layer mixes pixels, never channels.

    Parameters
    ----------
    kernel_size : int or (int, int)
    multiplier : int, default 1
        Output channels per input channel.
    stride, padding, bias, name
        As in :func:`conv`.

    Returns
    -------
    spec : dict

    Examples
    --------
    >>> analyse(depthwise(3, padding=1), (8, 16, 16)).params  # 8 · (3·3 + 1)
    80
    """
    return _named({"kind": "depthwise", "kernel_size": int_tuple(kernel_size, "kernel_size", 2),
                   "multiplier": positive_int(multiplier, "multiplier"),
                   "stride": int_tuple(stride, "stride", 2), "padding": _padding(padding),
                   "bias": bool(bias)}, name)


def separable(out_channels, kernel_size, *, stride=1, padding=0, multiplier=1, bias=True,
              name=None):
    """A depthwise-separable convolution (Keras's SeparableConv2D): depthwise, then 1×1.

    The bias, if any, follows the pointwise step (``out_channels`` numbers).

    Parameters
    ----------
    out_channels : int
        Channels of the 1×1 (pointwise) step.
    kernel_size, stride, padding, multiplier, bias, name
        As in :func:`depthwise` and :func:`conv`.

    Returns
    -------
    spec : dict

    Examples
    --------
    >>> analyse(separable(16, 3, padding=1), (8, 16, 16)).params  # 8·9 + 8·16 + 16
    216
    """
    return _named({"kind": "separable", "out_channels": positive_int(out_channels, "out_channels"),
                   "kernel_size": int_tuple(kernel_size, "kernel_size", 2),
                   "multiplier": positive_int(multiplier, "multiplier"),
                   "stride": int_tuple(stride, "stride", 2), "padding": _padding(padding),
                   "bias": bool(bias)}, name)


def batchnorm(*, moving_stats=False, name=None):
    """Batch normalisation: a scale and a shift per channel (or feature).

    Parameters
    ----------
    moving_stats : bool, default False
        Also count the running mean and variance as parameters (not trainable), as
        Keras does; PyTorch keeps them as buffers, outside its count.
    name : str, optional

    Returns
    -------
    spec : dict

    Examples
    --------
    >>> analyse(batchnorm(), (8, 16, 16)).params, analyse(batchnorm(moving_stats=True), (8, 16, 16)).params
    (16, 32)
    """
    return _named({"kind": "batchnorm", "moving_stats": bool(moving_stats)}, name)


def relu(*, name=None):
    """max(0, x), element-wise: no parameters, no change of shape.

    Parameters
    ----------
    name : str, optional

    Returns
    -------
    spec : dict
    """
    return _named({"kind": "relu"}, name)


def sigmoid(*, name=None):
    """1 / (1 + e^-x), element-wise: no parameters, no change of shape.

    Parameters
    ----------
    name : str, optional

    Returns
    -------
    spec : dict
    """
    return _named({"kind": "sigmoid"}, name)


def tanh(*, name=None):
    """tanh(x), element-wise: no parameters, no change of shape.

    Parameters
    ----------
    name : str, optional

    Returns
    -------
    spec : dict
    """
    return _named({"kind": "tanh"}, name)


def dropout(p=0.5, *, name=None):
    """Drop each value with probability ``p`` while training (no parameters, no shape change).

    Parameters
    ----------
    p : float in [0, 1), default 0.5
    name : str, optional

    Returns
    -------
    spec : dict

    Examples
    --------
    >>> describe(dropout(0.3))
    'dropout 0.3'
    """
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0 <= p < 1:
        raise ValueError(f"p must be a number in [0, 1), got {p!r}")
    return _named({"kind": "dropout", "p": float(p)}, name)


def _pool(kind, size, stride, padding, ceil_mode, name):
    size = int_tuple(size, "size", 2)
    stride = size if stride is None else int_tuple(stride, "stride", 2)
    return _named({"kind": kind, "size": size, "stride": stride, "padding": _padding(padding),
                   "ceil_mode": bool(ceil_mode)}, name)


def maxpool(size=2, stride=None, *, padding=0, ceil_mode=False, name=None):
    """Max pooling over ``size`` windows, ``stride`` defaulting to ``size``.

    Parameters
    ----------
    size : int or (int, int), default 2
    stride : int or (int, int), optional
        Default ``size``: windows side by side.
    padding : int, (int, int), "same" or "valid", default 0
    ceil_mode : bool, default False
        Round the output size up, keeping a last, partial window (PyTorch's option).
    name : str, optional

    Returns
    -------
    spec : dict

    Examples
    --------
    >>> analyse(maxpool(3, 2, ceil_mode=True), (8, 16, 16)).output_shape
    (8, 8, 8)
    """
    return _pool("maxpool", size, stride, padding, ceil_mode, name)


def avgpool(size=2, stride=None, *, padding=0, ceil_mode=False, name=None):
    """Average pooling over ``size`` windows, ``stride`` defaulting to ``size``.

    Parameters
    ----------
    size : int or (int, int), default 2
    stride : int or (int, int), optional
        Default ``size``: windows side by side.
    padding : int, (int, int), "same" or "valid", default 0
    ceil_mode : bool, default False
        Round the output size up, keeping a last, partial window (PyTorch's option).
    name : str, optional

    Returns
    -------
    spec : dict

    Examples
    --------
    >>> analyse(avgpool(3, 2, ceil_mode=True), (8, 16, 16)).output_shape
    (8, 8, 8)
    """
    return _pool("avgpool", size, stride, padding, ceil_mode, name)


def adaptive_avgpool(output_size, *, name=None):
    """Average pooling to a fixed ``output_size`` whatever the input (PyTorch's AdaptiveAvgPool2d).

    Parameters
    ----------
    output_size : int or (int, int)
    name : str, optional

    Returns
    -------
    spec : dict

    Examples
    --------
    >>> analyse(adaptive_avgpool(7), (8, 16, 16)).output_shape
    (8, 7, 7)
    """
    return _named({"kind": "adaptive_avgpool",
                   "output_size": int_tuple(output_size, "output_size", 2)}, name)


def global_avgpool(*, name=None):
    """The mean of each channel: (C, H, W) → (C,).

    Parameters
    ----------
    name : str, optional

    Returns
    -------
    spec : dict

    Examples
    --------
    >>> analyse(global_avgpool(), (8, 16, 16)).output_shape
    (8,)
    """
    return _named({"kind": "global_avgpool"}, name)


def flatten(*, name=None):
    """(C, H, W) → (C·H·W,).

    Parameters
    ----------
    name : str, optional

    Returns
    -------
    spec : dict

    Examples
    --------
    >>> analyse(flatten(), (8, 4, 4)).output_shape
    (128,)
    """
    return _named({"kind": "flatten"}, name)


def dense(out_features, *, bias=True, name=None):
    """A fully connected layer on a flat input (PyTorch's Linear, Keras's Dense).

    Parameters
    ----------
    out_features : int
    bias : bool, default True
    name : str, optional

    Returns
    -------
    spec : dict

    Examples
    --------
    >>> analyse(dense(10), (128,)).params  # 128 · 10 + 10
    1290
    """
    return _named({"kind": "dense", "out_features": positive_int(out_features, "out_features"),
                   "bias": bool(bias)}, name)


def residual(body, shortcut=(), *, activation=None, name=None):
    """y = body(x) + shortcut(x), then ``activation``: a residual connection.

    Parameters
    ----------
    body : list of layer specs
    shortcut : list of layer specs, default () (the identity)
        A projection (1×1 convolution, batch norm) when the body changes the shape.
    activation : {None, "relu", "sigmoid", "tanh"}, default None
    name : str, optional

    Returns
    -------
    spec : dict

    Examples
    --------
    >>> body = [conv(8, 3, padding=1), relu(), conv(8, 3, padding=1)]
    >>> describe(residual(body, activation="relu"))
    'residual: 3×3 8→3×3 8 + x'
    """
    if activation is not None:
        choice(activation, "activation", ACTIVATIONS)
    return _named({"kind": "residual", "body": list(body), "shortcut": list(shortcut),
                   "activation": activation}, name)


def concat(*branches, name=None):
    """Parallel branches on the same input, outputs stacked along channels (inception).

    Parameters
    ----------
    *branches : lists of layer specs
        Each must give the same height and width.
    name : str, optional

    Returns
    -------
    spec : dict

    Examples
    --------
    >>> analyse(concat([conv(4, 1)], [conv(8, 3, padding=1)]), (8, 16, 16)).output_shape
    (12, 16, 16)
    """
    if not branches:
        raise ValueError("concat needs at least one branch")
    return _named({"kind": "concat", "branches": [list(b) for b in branches]}, name)


def block(layers, *, name=None):
    """Layers applied one after the other, shown as one row (PyTorch's nn.Sequential).

    Parameters
    ----------
    layers : list of layer specs
    name : str, optional

    Returns
    -------
    spec : dict

    Examples
    --------
    >>> describe(block([conv(8, 3), relu()], name="stem"))
    'conv 3×3, 8 + relu'
    """
    return _named({"kind": "block", "layers": list(layers)}, name)


# -- shapes, parameters and operations ---------------------------------------------

@dataclass
class Analysis:
    """What one layer spec does to one input shape."""

    kind: str
    layer: str
    input_shape: tuple
    output_shape: tuple
    params: int = 0
    trainable: int = 0
    macs: int = 0
    children: list = field(default_factory=list)


def describe(spec) -> str:
    """A short human description of a layer spec.

    Examples
    --------
    >>> describe(conv(64, 11, stride=4, padding=2))
    'conv 11×11, 64, stride 4, pad 2'
    >>> describe(maxpool(3, 2, ceil_mode=True))
    'maxpool 3×3, stride 2, ceil'
    """
    kind = spec["kind"]

    def window(s, channels=""):
        k, st, p = s["kernel_size" if "kernel_size" in s else "size"], s["stride"], s["padding"]
        text = f"{k[0]}×{k[1]}" + (f", {channels}" if channels else "")
        if st != (1, 1) or kind in ("maxpool", "avgpool"):
            text += f", stride {st[0] if st[0] == st[1] else st}"
        if isinstance(p, str):
            text += f", {p}" if p == "same" else ""
        elif p != (0, 0):
            text += f", pad {p[0] if p[0] == p[1] else p}"
        return text

    if kind == "conv":
        text = f"conv {window(spec, spec['out_channels'])}"
        text += f", groups {spec['groups']}" if spec["groups"] != 1 else ""
        return text
    if kind == "depthwise":
        return f"depthwise {window(spec)}" + (
            f", ×{spec['multiplier']}" if spec["multiplier"] != 1 else "")
    if kind == "separable":
        return f"separable {window(spec, spec['out_channels'])}"
    if kind in ("maxpool", "avgpool"):
        return f"{kind} {window(spec)}" + (", ceil" if spec["ceil_mode"] else "")
    if kind == "adaptive_avgpool":
        return "adaptive avgpool to {}×{}".format(*spec["output_size"])
    if kind == "global_avgpool":
        return "global avgpool"
    if kind == "dense":
        return f"dense {spec['out_features']}"
    if kind == "dropout":
        return f"dropout {spec['p']:g}"
    if kind == "batchnorm":
        return "batchnorm"
    if kind == "residual":
        body = "→".join(_short(s) for s in spec["body"] if s["kind"] not in ("batchnorm", "relu"))
        shortcut = " + 1×1 proj." if spec["shortcut"] else " + x"
        return f"residual: {body}{shortcut}"
    if kind == "concat":
        return "concat: " + " | ".join("→".join(_short(s) for s in b) for b in spec["branches"])
    if kind == "block":
        first, *rest = spec["layers"]
        return describe(first) + "".join(
            " + bn" if s["kind"] == "batchnorm" else f" + {describe(s)}" for s in rest)
    return kind


def _short(spec) -> str:
    """A few characters for a layer inside a branch: "3×3 128", "pool"."""
    kind = spec["kind"]
    if kind == "block":
        return "→".join(_short(s) for s in spec["layers"] if s["kind"] not in (
            "batchnorm", "relu"))
    if kind in ("conv", "separable"):
        text = "{}×{} {}".format(*spec["kernel_size"], spec["out_channels"])
        return text if kind == "conv" else "sep " + text
    if kind in ("maxpool", "avgpool"):
        return kind[:3] + "pool"
    return kind


def _out_size(n, k, s, p, *, ceil_mode=False, what="window"):
    """Output length of a sliding window; ``p`` is (before, after) padding."""
    span = n + p[0] + p[1]
    if ceil_mode:
        out = -(-(span - k) // s) + 1
        # As PyTorch: the last window must start inside the input or the left padding.
        if out > 1 and (out - 1) * s >= n + p[0]:
            out -= 1
    else:
        out = (span - k) // s + 1
    if out < 1:
        padded = f" + padding {p[0] + p[1]}" if p[0] + p[1] else ""
        raise SpecError(f"the {what} ({k}) is larger than its input ({n}{padded})")
    return out


def _window_output(spec, shape, k, what):
    _, h, w = shape
    s, p = spec["stride"], spec["padding"]
    if p == "same":
        return [-(-n // st) for n, st in zip((h, w), s, strict=True)]
    pads = ((0, 0), (0, 0)) if p == "valid" else ((p[0], p[0]), (p[1], p[1]))
    if isinstance(p, tuple) and (p[0] > k[0] // 2 or p[1] > k[1] // 2) and what != "filter":
        raise SpecError(f"padding {p} is more than half the window {k}")
    ceil_mode = spec.get("ceil_mode", False)
    return [_out_size(n, kk, st, pp, ceil_mode=ceil_mode, what=what)
            for n, kk, st, pp in zip((h, w), k, s, pads, strict=True)]


def _need_image(shape, spec):
    if len(shape) != 3:
        raise SpecError(f"{spec['kind']} needs an image (C, H, W) but receives {shape}; "
                        "it cannot come after flatten, global pooling or dense")


def _analyse_list(layers, shape, prefix=""):
    children = []
    for i, layer in enumerate(layers):
        name = prefix + layer.get("name", str(i))
        try:
            result = analyse(layer, shape)
        except SpecError as error:
            text = str(error)
            if text.startswith("layer "):
                # Raised inside a block: name the path to the layer, outside in.
                raise SpecError(f"layer {name}.{text[len('layer '):]}") from None
            raise SpecError(f"layer {name} ({describe(layer)}): {text}") from None
        children.append((name, result))
        shape = result.output_shape
    return shape, children


def analyse(spec, input_shape) -> Analysis:
    """Output shape, parameters and MACs of one layer spec on one input shape.

    Parameters
    ----------
    spec : dict
        A layer spec.
    input_shape : tuple of int
        (C, H, W) for an image, (F,) for a flat vector; no batch axis.

    Returns
    -------
    Analysis
        ``children`` lists ``(name, Analysis)`` for the layers inside a block.

    Raises
    ------
    SpecError
        If the layer does not fit its input (a window larger than the image, a dense
        layer on an image, branches of different sizes...).
    """
    if not isinstance(spec, dict) or spec.get("kind") not in KINDS:
        raise TypeError(f"a layer spec must be a dict with 'kind' in {KINDS}, got {spec!r}")
    shape = tuple(int(n) for n in input_shape)
    kind = spec["kind"]
    text = describe(spec)
    if kind in ("conv", "depthwise", "separable"):
        _need_image(shape, spec)
        c = shape[0]
        k = spec["kernel_size"]
        h, w = _window_output(spec, shape, k, "filter")
        mult = spec.get("multiplier", 1)
        if kind == "conv":
            groups, out = spec["groups"], spec["out_channels"]
            if c % groups or out % groups:
                raise SpecError(f"groups={groups} must divide the input channels ({c}) "
                                f"and the output channels ({out})")
            weights = out * (c // groups) * k[0] * k[1]
            params = weights + (out if spec["bias"] else 0)
            macs = weights * h * w
        elif kind == "depthwise":
            out = c * mult
            params = out * k[0] * k[1] + (out if spec["bias"] else 0)
            macs = out * k[0] * k[1] * h * w
        else:
            out = spec["out_channels"]
            depth_weights, point_weights = c * mult * k[0] * k[1], c * mult * out
            params = depth_weights + point_weights + (out if spec["bias"] else 0)
            macs = (depth_weights + point_weights) * h * w
        return Analysis(kind, text, shape, (out, h, w), params, params, macs)
    if kind == "batchnorm":
        c = shape[0]
        total = 4 * c if spec["moving_stats"] else 2 * c
        return Analysis(kind, text, shape, shape, total, 2 * c)
    if kind in ("relu", "sigmoid", "tanh", "dropout"):
        return Analysis(kind, text, shape, shape)
    if kind in ("maxpool", "avgpool"):
        _need_image(shape, spec)
        h, w = _window_output(spec, shape, spec["size"], "pooling window")
        return Analysis(kind, text, shape, (shape[0], h, w))
    if kind == "adaptive_avgpool":
        _need_image(shape, spec)
        return Analysis(kind, text, shape, (shape[0], *spec["output_size"]))
    if kind == "global_avgpool":
        _need_image(shape, spec)
        return Analysis(kind, text, shape, (shape[0],))
    if kind == "flatten":
        return Analysis(kind, text, shape, (math.prod(shape),))
    if kind == "dense":
        if len(shape) != 1:
            raise SpecError(f"dense needs a flat input but receives {shape}; "
                            "put flatten or global pooling before it")
        weights = shape[0] * spec["out_features"]
        params = weights + (spec["out_features"] if spec["bias"] else 0)
        return Analysis(kind, text, shape, (spec["out_features"],), params, params, weights)
    if kind == "block":
        out, children = _analyse_list(spec["layers"], shape)
        return _combine(kind, text, shape, out, children)
    if kind == "residual":
        out, children = _analyse_list(spec["body"], shape)
        short, short_children = _analyse_list(spec["shortcut"], shape)
        if out != short:
            raise SpecError(f"the body gives {out} but the shortcut gives {short}: "
                            "they must match to be added (use a 1×1 projection shortcut)")
        return _combine(kind, text, shape, out, children + short_children)
    # concat
    children, outs = [], []
    for b, branch in enumerate(spec["branches"]):
        out, inner = _analyse_list(branch, shape, f"branch{b + 1}.")
        if len(out) != 3:
            raise SpecError(f"branch {b + 1} gives {out}; concat needs images (C, H, W)")
        children += inner
        outs.append(out)
    if len({o[1:] for o in outs}) > 1:
        raise SpecError("the branches give different sizes "
                        + ", ".join(f"{o[1]}×{o[2]}" for o in outs)
                        + ": they must match to be stacked")
    return _combine(kind, text, shape, (sum(o[0] for o in outs), *outs[0][1:]), children)


def _combine(kind, text, shape, out, children):
    return Analysis(kind, text, shape, tuple(out),
                    sum(a.params for _, a in children),
                    sum(a.trainable for _, a in children),
                    sum(a.macs for _, a in children), children)


def _check_input_shape(input_shape):
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3:
        raise ValueError(f"input_shape must be (C, H, W), got {input_shape!r}")
    return tuple(positive_int(n, "input_shape") for n in input_shape)


def _check_spec(spec):
    if not isinstance(spec, (list, tuple)) or not spec:
        raise TypeError(f"spec must be a non-empty list of layer specs, got {spec!r}")
    return list(spec)


def summarize(spec, input_shape, *, expand=False) -> list[dict]:
    """The table of a network: one row per layer with its output shape, parameters, MACs.

    Parameters
    ----------
    spec : list of dict
        Layer specs (see the module docstring).
    input_shape : (int, int, int)
        (C, H, W) of one input image.
    expand : bool or int, default False
        Also list the layers inside blocks (names joined with dots), after their
        block: all of them (True) or down to that many levels (an int).

    Returns
    -------
    rows : list of dict
        Keys "name", "kind", "layer" (a description), "output_shape" (tuple), "params",
        "trainable", "macs" and "depth" (0 for top-level layers).

    Raises
    ------
    SpecError
        Naming the first layer that does not fit and why.

    Examples
    --------
    >>> rows = summarize([conv(4, 5), maxpool(2)], (1, 12, 12))
    >>> [(r["layer"], r["output_shape"], r["params"]) for r in rows]
    [('conv 5×5, 4', (4, 8, 8), 104), ('maxpool 2×2, stride 2', (4, 4, 4), 0)]
    >>> summarize([maxpool(4)], (1, 3, 3))
    Traceback (most recent call last):
    ...
    lessons_lib.architectures.SpecError: layer 0 (maxpool 4×4, stride 4): the pooling window
    (4) is larger than its input (3)
    """
    spec, shape = _check_spec(spec), _check_input_shape(input_shape)
    _, children = _analyse_list(spec, shape)
    max_depth = math.inf if expand is True else int(expand)
    rows = []

    def emit(name, a, depth):
        rows.append({"name": name, "kind": a.kind, "layer": a.layer,
                     "output_shape": a.output_shape,
                     "params": a.params, "trainable": a.trainable, "macs": a.macs,
                     "depth": depth})
        if depth < max_depth:
            for child_name, child in a.children:
                emit(f"{name}.{child_name}", child, depth + 1)

    for name, a in children:
        emit(name, a, 0)
    return rows


def count_params(spec, input_shape, *, trainable_only=False) -> int:
    """Total parameters of a network on an input of shape (C, H, W).

    Examples
    --------
    >>> count_params(classic("alexnet"), (3, 224, 224))
    61100840
    """
    rows = summarize(spec, input_shape)
    return int(sum(r["trainable" if trainable_only else "params"] for r in rows))


def count_macs(spec, input_shape) -> int:
    """Total multiply-accumulates of one forward pass on one (C, H, W) image."""
    return int(sum(r["macs"] for r in summarize(spec, input_shape)))


def output_shape(spec, input_shape) -> tuple:
    """Shape of the network's output for one (C, H, W) input.

    Examples
    --------
    >>> output_shape([conv(6, 5), maxpool(2), conv(16, 5), maxpool(2)], (1, 32, 32))
    (16, 5, 5)
    """
    return summarize(spec, input_shape)[-1]["output_shape"]


# The layers that hold parameters or do multiply-accumulates; the others hold none.
CATEGORIES = ("convolution", "dense", "batch norm")


def _category(kind):
    if kind in ("conv", "depthwise", "separable"):
        return "convolution"
    return {"dense": "dense", "batchnorm": "batch norm"}.get(kind)


def breakdown(spec, input_shape) -> dict:
    """Where the parameters and the operations live: totals by kind of layer.

    Parameters
    ----------
    spec : list of dict
    input_shape : (int, int, int)

    Returns
    -------
    totals : dict
        ``{"params": {category: int}, "macs": {category: int}}`` over the categories
        "convolution", "dense" and "batch norm", layers inside blocks included.

    Examples
    --------
    >>> totals = breakdown(classic("vgg16"), (3, 224, 224))
    >>> round(totals["params"]["dense"] / count_params(classic("vgg16"), (3, 224, 224)), 2)
    0.89
    >>> round(totals["macs"]["dense"] / count_macs(classic("vgg16"), (3, 224, 224)), 3)
    0.008
    """
    spec, shape = _check_spec(spec), _check_input_shape(input_shape)
    totals = {"params": dict.fromkeys(CATEGORIES, 0), "macs": dict.fromkeys(CATEGORIES, 0)}

    def visit(layer, analysis):
        if analysis.children:
            inner = _children_specs(layer)
            for child, (_, child_analysis) in zip(inner, analysis.children, strict=True):
                visit(child, child_analysis)
            return
        category = _category(layer["kind"])
        if category is None:
            return
        totals["params"][category] += analysis.params
        totals["macs"][category] += analysis.macs

    _, children = _analyse_list(spec, shape)
    for layer, (_, analysis) in zip(spec, children, strict=True):
        visit(layer, analysis)
    return totals


def _children_specs(layer):
    kind = layer["kind"]
    if kind == "block":
        return layer["layers"]
    if kind == "residual":
        return layer["body"] + layer["shortcut"]
    return [s for branch in layer["branches"] for s in branch]


def format_table(rows, *, total=True, names=False) -> str:
    """Rows of :func:`summarize` as a fixed-width text table (what a student prints).

    ``names=True`` adds a first column with the layer names.
    """
    def shape_text(s):
        return "(" + ", ".join(str(n) for n in s) + ("," if len(s) == 1 else "") + ")"

    def clip(text, width):
        return text if len(text) <= width else text[: width - 1] + "…"

    name_w = min(34, max(len("  " * r["depth"] + r["name"]) for r in rows)) if names else 0
    layer_w = min(48, max(28, *(len(r["layer"]) for r in rows)))
    params_w = max(7, len(f"{sum(r['params'] for r in rows):,}"))
    macs_w = max(10, len(f"{sum(r['macs'] for r in rows):,}"))
    lead = f"{'name':<{name_w}} " if names else ""
    lines = [f"{lead}{'layer':<{layer_w}} {'output shape':<16} {'params':>{params_w}} "
             f"{'MACs':>{macs_w}}"]
    for r in rows:
        lead = f"{clip('  ' * r['depth'] + r['name'], name_w):<{name_w}} " if names else ""
        lines.append(f"{lead}{clip(r['layer'], layer_w):<{layer_w}} "
                     f"{shape_text(r['output_shape']):<16} "
                     f"{r['params']:>{params_w},} {r['macs']:>{macs_w},}")
    if total:
        top = [r for r in rows if r["depth"] == 0]
        lead = f"{'':<{name_w}} " if names else ""
        lines.append(f"{lead}{'total':<{layer_w}} {'':<16} "
                     f"{sum(r['params'] for r in top):>{params_w},} "
                     f"{sum(r['macs'] for r in top):>{macs_w},}")
    return "\n".join(line.rstrip() for line in lines)


def receptive_field(spec) -> tuple[int, int]:
    r"""Receptive field r and jump j of a network's last spatial layer (square windows).

    Each window of size k and stride s grows the field by (k − 1)·j and multiplies
    the jump (the input distance between neighbouring outputs) by s:
    :math:`r \leftarrow r + (k - 1) j`, :math:`j \leftarrow j s`. Branches and
    residual paths take the largest field. Layers after flatten or global pooling
    see the whole input and are not counted.

    Examples
    --------
    Two stacked 3×3 convolutions see what one 5×5 sees (VGG's argument):

    >>> receptive_field([conv(1, 3), conv(1, 3)]), receptive_field([conv(1, 5)])
    ((5, 1), (5, 1))
    """
    r, j = 1, 1
    for layer in _check_spec(spec):
        kind = layer["kind"]
        if kind in ("flatten", "global_avgpool", "dense", "adaptive_avgpool"):
            break
        if kind in ("conv", "depthwise", "separable", "maxpool", "avgpool"):
            k = layer.get("kernel_size", layer.get("size"))[0]
            r, j = r + (k - 1) * j, j * layer["stride"][0]
        elif kind in ("residual", "concat", "block"):
            if kind == "residual":
                paths = [layer["body"], layer["shortcut"]]
            else:
                paths = layer["branches"] if kind == "concat" else [layer["layers"]]
            fields = [receptive_field(p) if p else (1, 1) for p in paths]
            r_add = max(f[0] for f in fields)
            r, j = r + (r_add - 1) * j, j * max(f[1] for f in fields)
    return r, j


def receptive_field_weights(kernel_sizes) -> np.ndarray:
    """How many paths join each input pixel to one output of stacked stride-1 convolutions.

    The support (non-zero cells) is the receptive field; the counts show that its
    centre feeds the output through many more paths than its rim.

    Parameters
    ----------
    kernel_sizes : sequence of int
        Square, stride-1 kernels, first layer first.

    Returns
    -------
    weights : ndarray of int, shape (r, r)
        r = 1 + Σ (k − 1).

    Examples
    --------
    >>> receptive_field_weights([3, 3])[2]
    array([3, 6, 9, 6, 3])
    >>> receptive_field_weights([5])[2]
    array([1, 1, 1, 1, 1])
    """
    line = np.ones(1, dtype=np.int64)
    for k in kernel_sizes:
        line = np.convolve(line, np.ones(positive_int(k, "kernel_sizes"), dtype=np.int64))
    return np.outer(line, line)


# -- the classic networks ------------------------------------------------------------

def _alexnet(num_classes):
    # torchvision's AlexNet: the single-GPU variant of "One weird trick" (Krizhevsky 2014),
    # without the original's grouped convolutions and local response normalisation.
    return [
        conv(64, 11, stride=4, padding=2, name="features.0"), relu(name="features.1"),
        maxpool(3, 2, name="features.2"),
        conv(192, 5, padding=2, name="features.3"), relu(name="features.4"),
        maxpool(3, 2, name="features.5"),
        conv(384, 3, padding=1, name="features.6"), relu(name="features.7"),
        conv(256, 3, padding=1, name="features.8"), relu(name="features.9"),
        conv(256, 3, padding=1, name="features.10"), relu(name="features.11"),
        maxpool(3, 2, name="features.12"),
        adaptive_avgpool(6, name="avgpool"), flatten(name="flatten"),
        dropout(0.5, name="classifier.0"), dense(4096, name="classifier.1"),
        relu(name="classifier.2"), dropout(0.5, name="classifier.3"),
        dense(4096, name="classifier.4"), relu(name="classifier.5"),
        dense(num_classes, name="classifier.6"),
    ]


def _vgg16(num_classes):
    spec, index = [], 0
    for item in (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
                 512, 512, 512, "M"):
        if item == "M":
            spec.append(maxpool(2, 2, name=f"features.{index}"))
            index += 1
        else:
            spec += [conv(item, 3, padding=1, name=f"features.{index}"),
                     relu(name=f"features.{index + 1}")]
            index += 2
    return spec + [
        adaptive_avgpool(7, name="avgpool"), flatten(name="flatten"),
        dense(4096, name="classifier.0"), relu(name="classifier.1"),
        dropout(0.5, name="classifier.2"), dense(4096, name="classifier.3"),
        relu(name="classifier.4"), dropout(0.5, name="classifier.5"),
        dense(num_classes, name="classifier.6"),
    ]


def basic_block(channels, *, stride=1, project=False, name=None):
    """ResNet's basic block: two 3×3 convolutions and batch norms, plus the input."""
    body = [conv(channels, 3, stride=stride, padding=1, bias=False, name="conv1"),
            batchnorm(name="bn1"), relu(name="relu"),
            conv(channels, 3, padding=1, bias=False, name="conv2"), batchnorm(name="bn2")]
    shortcut = ([conv(channels, 1, stride=stride, bias=False, name="downsample.0"),
                 batchnorm(name="downsample.1")] if project else [])
    return residual(body, shortcut, activation="relu", name=name)


def bottleneck_block(width, *, stride=1, project=False, expansion=4, name=None):
    """ResNet's bottleneck: 1×1 to ``width``, 3×3 (with the stride, as torchvision's v1.5), 1×1 up."""
    out = width * expansion
    body = [conv(width, 1, bias=False, name="conv1"), batchnorm(name="bn1"), relu(name="relu1"),
            conv(width, 3, stride=stride, padding=1, bias=False, name="conv2"),
            batchnorm(name="bn2"), relu(name="relu2"),
            conv(out, 1, bias=False, name="conv3"), batchnorm(name="bn3")]
    shortcut = ([conv(out, 1, stride=stride, bias=False, name="downsample.0"),
                 batchnorm(name="downsample.1")] if project else [])
    return residual(body, shortcut, activation="relu", name=name)


def _resnet(blocks_per_stage, bottleneck, num_classes):
    spec = [conv(64, 7, stride=2, padding=3, bias=False, name="conv1"), batchnorm(name="bn1"),
            relu(name="relu"), maxpool(3, 2, padding=1, name="maxpool")]
    channels = 64
    for stage, (count, width) in enumerate(zip(blocks_per_stage, (64, 128, 256, 512),
                                               strict=True)):
        for i in range(count):
            stride = 2 if stage > 0 and i == 0 else 1
            name = f"layer{stage + 1}.{i}"
            if bottleneck:
                project = i == 0  # the first block changes the channels (and maybe the size)
                spec.append(bottleneck_block(width, stride=stride, project=project, name=name))
                channels = width * 4
            else:
                project = i == 0 and (stride != 1 or channels != width)
                spec.append(basic_block(width, stride=stride, project=project, name=name))
                channels = width
    return spec + [adaptive_avgpool(1, name="avgpool"), flatten(name="flatten"),
                   dense(num_classes, name="fc")]


def conv_bn_relu(out_channels, kernel_size, *, stride=1, padding=0, batch_norm=True,
                 name=None):
    """torchvision's BasicConv2d: convolution without bias, batch norm, ReLU.

    ``batch_norm=False`` gives the paper's convolution with bias, then ReLU.
    """
    if not batch_norm:
        return block([conv(out_channels, kernel_size, stride=stride, padding=padding,
                           name="conv"), relu(name="relu")], name=name)
    return block([conv(out_channels, kernel_size, stride=stride, padding=padding, bias=False,
                       name="conv"), batchnorm(name="bn"), relu(name="relu")], name=name)


def inception(ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj, *, name=None,
              five_by_five=3, batch_norm=True):
    """An inception module: four branches whose channels are stacked.

    1×1 convolutions reduce the channels before the expensive 3×3 and 5×5 ones. The
    argument names and order are torchvision's (``Inception`` in ``googlenet.py``).

    Parameters
    ----------
    ch1x1 : int
        Output channels of the 1×1 branch.
    ch3x3red, ch3x3 : int
        The 3×3 branch: a 1×1 reduction to ``ch3x3red`` channels, then a 3×3
        convolution (padding 1) to ``ch3x3`` channels.
    ch5x5red, ch5x5 : int
        The same for the "5×5" branch.
    pool_proj : int
        Output channels of the 1×1 convolution after the 3×3 max pooling (stride 1).
    name : str, optional
    five_by_five : int, default 3
        The kernel of the "5×5" branch: torchvision uses 3 (a known slip kept for its
        pretrained weights, pytorch/vision#906); the paper uses 5.
    batch_norm : bool, default True
        False gives the paper's module (convolutions with bias, no batch norm).

    Returns
    -------
    spec : dict
        A concat spec; the output has ch1x1 + ch3x3 + ch5x5 + pool_proj channels and
        the input's height and width.

    Examples
    --------
    >>> module = inception(64, 96, 128, 16, 32, 32, name="inception3a")  # GoogLeNet's 3a
    >>> output_shape([module], (192, 28, 28))
    (256, 28, 28)
    """
    pad = five_by_five // 2

    def unit(channels, k, padding=0, unit_name=None):
        return conv_bn_relu(channels, k, padding=padding, batch_norm=batch_norm, name=unit_name)

    return concat(
        [unit(ch1x1, 1, unit_name="conv")],
        [unit(ch3x3red, 1, unit_name="0"), unit(ch3x3, 3, 1, "1")],
        [unit(ch5x5red, 1, unit_name="0"), unit(ch5x5, five_by_five, pad, "1")],
        [maxpool(3, 1, padding=1, ceil_mode=True, name="0"), unit(pool_proj, 1, unit_name="1")],
        name=name)


def _googlenet(num_classes):
    pool = {"ceil_mode": True}
    return [
        conv_bn_relu(64, 7, stride=2, padding=3, name="conv1"),
        maxpool(3, 2, name="maxpool1", **pool),
        conv_bn_relu(64, 1, name="conv2"), conv_bn_relu(192, 3, padding=1, name="conv3"),
        maxpool(3, 2, name="maxpool2", **pool),
        inception(64, 96, 128, 16, 32, 32, name="inception3a"),
        inception(128, 128, 192, 32, 96, 64, name="inception3b"),
        maxpool(3, 2, name="maxpool3", **pool),
        inception(192, 96, 208, 16, 48, 64, name="inception4a"),
        inception(160, 112, 224, 24, 64, 64, name="inception4b"),
        inception(128, 128, 256, 24, 64, 64, name="inception4c"),
        inception(112, 144, 288, 32, 64, 64, name="inception4d"),
        inception(256, 160, 320, 32, 128, 128, name="inception4e"),
        maxpool(2, 2, name="maxpool4", **pool),
        inception(256, 160, 320, 32, 128, 128, name="inception5a"),
        inception(384, 192, 384, 48, 128, 128, name="inception5b"),
        adaptive_avgpool(1, name="avgpool"), flatten(name="flatten"),
        dropout(0.2, name="dropout"), dense(num_classes, name="fc"),
    ]


def _xception(num_classes):
    def bn(name=None):
        return batchnorm(moving_stats=True, name=name)

    def sep(channels, name):
        return [separable(channels, 3, padding="same", bias=False, name=name),
                bn(f"{name}_bn")]

    def projection(channels):
        return [conv(channels, 1, stride=2, padding="same", bias=False, name="shortcut_conv"),
                bn("shortcut_bn")]

    def entry(index, channels, first_relu=True):
        p = f"block{index}"
        body = ([relu(name=f"{p}_sepconv1_act")] if first_relu else []) + sep(
            channels[0], f"{p}_sepconv1") + [relu(name=f"{p}_sepconv2_act")] + sep(
            channels[1], f"{p}_sepconv2") + [
            maxpool(3, 2, padding="same", name=f"{p}_pool")]
        return residual(body, projection(channels[1]), name=p)

    spec = [conv(32, 3, stride=2, bias=False, name="block1_conv1"), bn("block1_conv1_bn"),
            relu(name="block1_conv1_act"),
            conv(64, 3, bias=False, name="block1_conv2"), bn("block1_conv2_bn"),
            relu(name="block1_conv2_act"),
            entry(2, (128, 128), first_relu=False), entry(3, (256, 256)), entry(4, (728, 728))]
    for index in range(5, 13):
        p = f"block{index}"
        body = []
        for k in (1, 2, 3):
            body += [relu(name=f"{p}_sepconv{k}_act")] + sep(728, f"{p}_sepconv{k}")
        spec.append(residual(body, name=p))
    spec.append(entry(13, (728, 1024)))
    for k, channels in ((1, 1536), (2, 2048)):
        spec += sep(channels, f"block14_sepconv{k}") + [relu(name=f"block14_sepconv{k}_act")]
    return spec + [global_avgpool(name="avg_pool"), dense(num_classes, name="predictions")]


_BUILDERS = {
    "alexnet": _alexnet,
    "vgg16": _vgg16,
    "resnet18": lambda n: _resnet((2, 2, 2, 2), False, n),
    "resnet50": lambda n: _resnet((3, 4, 6, 3), True, n),
    "googlenet": _googlenet,
    "xception": _xception,
}


def classic(name, num_classes=1000) -> list[dict]:
    """A classic network's spec, layer by layer as its reference implementation defines it.

    Parameters
    ----------
    name : {"alexnet", "vgg16", "resnet18", "resnet50", "googlenet", "xception"}
        torchvision's models (GoogLeNet without its auxiliary classifiers, as loaded
        with pretrained weights); Keras's Xception.
    num_classes : int, default 1000

    Returns
    -------
    spec : list of dict
        Top-level names are the reference implementation's module (or layer) names.

    Examples
    --------
    >>> spec = classic("resnet18")
    >>> count_params(spec, (3, 224, 224))
    11689512
    >>> [r["output_shape"] for r in summarize(spec, (3, 224, 224))][-3:]
    [(512, 1, 1), (512,), (1000,)]
    """
    name = choice(name, "name", NAMES)
    return _BUILDERS[name](positive_int(num_classes, "num_classes"))


@dataclass(frozen=True)
class ClassicInfo:
    """Facts about a classic network, each with its source."""

    title: str
    year: int
    paper: str
    implementation: str
    input_size: int
    top1: float
    top5: float
    results_source: str
    idea: str
    differs: str


CLASSICS = {
    "alexnet": ClassicInfo(
        "AlexNet", 2012,
        "Krizhevsky, Sutskever, Hinton, ImageNet Classification with Deep Convolutional "
        "Neural Networks, NeurIPS 2012",
        "torchvision.models.alexnet", 224, 56.522, 79.066,
        "torchvision AlexNet_Weights.IMAGENET1K_V1",
        "ReLU and dropout make a deep CNN trainable on GPUs; won ILSVRC 2012",
        "the single-GPU variant of Krizhevsky's 2014 'One weird trick' paper: 64/192 "
        "filters in the first layers, no grouped convolutions, no local response "
        "normalisation, an adaptive average pool before the dense layers"),
    "vgg16": ClassicInfo(
        "VGG-16", 2014,
        "Simonyan, Zisserman, Very Deep Convolutional Networks for Large-Scale Image "
        "Recognition, arXiv:1409.1556 (ICLR 2015)",
        "torchvision.models.vgg16", 224, 71.592, 90.382,
        "torchvision VGG16_Weights.IMAGENET1K_V1",
        "only 3×3 convolutions, stacked: two see what one 5×5 sees, with fewer parameters",
        "configuration D of the paper; an adaptive average pool to 7×7 lets it take "
        "other input sizes"),
    "resnet18": ClassicInfo(
        "ResNet-18", 2015,
        "He, Zhang, Ren, Sun, Deep Residual Learning for Image Recognition, "
        "arXiv:1512.03385 (CVPR 2016)",
        "torchvision.models.resnet18", 224, 69.758, 89.078,
        "torchvision ResNet18_Weights.IMAGENET1K_V1",
        "residual connections y = F(x) + x let very deep networks train",
        "as the paper, with 1×1 projection shortcuts only where the shape changes "
        "(option B)"),
    "resnet50": ClassicInfo(
        "ResNet-50", 2015,
        "He, Zhang, Ren, Sun, Deep Residual Learning for Image Recognition, "
        "arXiv:1512.03385 (CVPR 2016)",
        "torchvision.models.resnet50", 224, 76.130, 92.862,
        "torchvision ResNet50_Weights.IMAGENET1K_V1",
        "bottleneck blocks: 1×1 convolutions shrink the channels around the 3×3",
        "'ResNet v1.5': the stride 2 sits in the 3×3 convolution of a bottleneck, not "
        "in the first 1×1 as in the paper"),
    "googlenet": ClassicInfo(
        "GoogLeNet (Inception v1)", 2014,
        "Szegedy et al., Going Deeper with Convolutions, arXiv:1409.4842 (CVPR 2015)",
        "torchvision.models.googlenet", 224, 69.778, 89.530,
        "torchvision GoogLeNet_Weights.IMAGENET1K_V1",
        "inception modules: parallel 1×1, 3×3, 5×5 and pooling branches, with 1×1 "
        "convolutions reducing the channels first",
        "batch normalisation after every convolution (not in the paper), the '5×5' "
        "branch uses 3×3 filters (pytorch/vision#906), no auxiliary classifiers at "
        "inference, no local response normalisation"),
    "xception": ClassicInfo(
        "Xception", 2016,
        "Chollet, Xception: Deep Learning with Depthwise Separable Convolutions, "
        "arXiv:1610.02357 (CVPR 2017)",
        "keras.applications.Xception", 299, 79.0, 94.5,
        "Keras applications documentation",
        "depthwise-separable convolutions everywhere, with residual connections",
        "as the paper; Keras counts each batch norm's moving mean and variance among "
        "the parameters (54,528 not trainable)"),
}


def format_classics(names=NAMES) -> str:
    """The classics side by side: year, parameters (computed here), ImageNet results.

    Examples
    --------
    >>> print(format_classics(["alexnet"]))
    network                   year   input      params  top-1 %  top-5 %
    AlexNet                   2012     224  61,100,840     56.5     79.1
    """
    lines = [f"{'network':<25} {'year':>4} {'input':>7} {'params':>11} {'top-1 %':>8} "
             f"{'top-5 %':>8}"]
    for name in names:
        info = CLASSICS[choice(name, "name", NAMES)]
        size = info.input_size
        total = count_params(classic(name), (3, size, size))
        lines.append(f"{info.title:<25} {info.year:>4} {size:>7} {total:>11,} "
                     f"{info.top1:>8.1f} {info.top5:>8.1f}")
    return "\n".join(lines)


def format_sweep(sweep) -> str:
    """One sweep of ``tools/run_sweeps.py`` as a table: each setting's size, cost and accuracies.

    Parameters
    ----------
    sweep : dict
        With "xlabel" and "runs" (each with "label", "params", "macs" and the
        accuracies; a diverged run has none).

    Returns
    -------
    table : str
    """
    head = sweep["xlabel"]
    width = max(len(head), *(len(run["label"]) for run in sweep["runs"]))
    lines = [f"{head:<{width}} {'params':>8} {'MACs':>11} {'train acc':>9} {'val acc':>8} "
             f"{'test acc':>8}"]
    for run in sweep["runs"]:
        if run.get("diverged"):
            scores = f"{'diverged':>27}"
        else:
            scores = (f"{run['train_accuracy']:>9.3f} {run['val_accuracy']:>8.3f} "
                      f"{run['test_accuracy']:>8.3f}")
        lines.append(f"{run['label']:<{width}} {run['params']:>8,} {run['macs']:>11,} {scores}")
    return "\n".join(lines)


# -- specs stored as JSON -------------------------------------------------------------

_PAIRS = ("kernel_size", "stride", "size", "output_size")
_NESTED = ("body", "shortcut", "layers")


def spec_from_json(spec) -> list[dict]:
    """A spec read back from JSON, with its pairs as tuples again.

    Examples
    --------
    >>> spec = [conv(4, 3, padding=1), maxpool(2)]
    >>> spec_from_json(json.loads(json.dumps(spec))) == spec
    True
    """
    def layer(item):
        item = dict(item)
        for key in _PAIRS:
            if key in item:
                item[key] = tuple(item[key])
        if isinstance(item.get("padding"), list):
            item["padding"] = tuple(item["padding"])
        for key in _NESTED:
            if key in item:
                item[key] = [layer(x) for x in item[key]]
        if "branches" in item:
            item["branches"] = [[layer(x) for x in branch] for branch in item["branches"]]
        return item

    return [layer(item) for item in _check_spec(spec)]


SWEEPS_PATH = Path(__file__).resolve().parent.parent / "data" / "sweeps.json"


def load_sweeps(path=None) -> dict:
    """The cached results of lesson 07's experiments (written by ``tools/run_sweeps.py``).

    Parameters
    ----------
    path : str or Path, optional
        Default ``data/sweeps.json`` in the course repository.

    Returns
    -------
    results : dict
        Parsed JSON; every stored spec is converted back with :func:`spec_from_json`.
    """
    path = SWEEPS_PATH if path is None else Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `python tools/run_sweeps.py` "
                                "in the course repository to compute it")
    results = json.loads(path.read_text())

    def convert(node):
        if isinstance(node, dict):
            return {k: spec_from_json(v) if k == "spec" else convert(v) for k, v in node.items()}
        if isinstance(node, list):
            return [convert(v) for v in node]
        return node

    return convert(results)


# -- from a spec to a trainable network ----------------------------------------------

def build(spec, input_shape, *, seed=0):
    """A trainable ``lessons_lib.nn`` network from a spec made of layers it has.

    Parameters
    ----------
    spec : list of dict
    input_shape : (int, int, int)
        Checked with :func:`summarize` first, so a layer that does not fit is
        reported by name before anything is built.
    seed : int, default 0
        Seeds the weight initialisation (and dropout masks), layer after layer.

    Returns
    -------
    net : lessons_lib.nn.layers.Sequential
        Its ``num_params`` equals :func:`count_params` (PyTorch's convention).

    Raises
    ------
    SpecError
        If a layer does not fit its input.
    ValueError
        If a layer has no ``lessons_lib.nn`` counterpart (adaptive pooling, average
        pooling windows, grouped convolutions, Keras "same" padding, a convolution
        without bias, ...).

    Examples
    --------
    >>> net = build([conv(4, 3, padding=1), relu(), maxpool(2), flatten(), dense(3)],
    ...             (1, 8, 8))
    >>> net.num_params == count_params([conv(4, 3, padding=1), relu(), maxpool(2),
    ...                                 flatten(), dense(3)], (1, 8, 8))
    True
    """
    spec, shape = _check_spec(spec), _check_input_shape(input_shape)
    summarize(spec, shape)
    rng = np.random.default_rng(seed)
    layers, _ = _build_list(spec, shape, rng)
    return nn.Sequential(layers)


def _build_list(layers, shape, rng):
    built = []
    for layer in layers:
        built.append(_build_one(layer, shape, rng))
        shape = analyse(layer, shape).output_shape
    return built, shape


def _build_one(spec, shape, rng):
    kind = spec["kind"]

    def padding():
        p = spec["padding"]
        if isinstance(p, str):
            if p == "valid":
                return (0, 0)
            raise ValueError(f"{describe(spec)}: 'same' padding is not built; use an int padding")
        return p

    if kind == "conv":
        if spec["groups"] != 1 or not spec["bias"]:
            raise ValueError(f"{describe(spec)}: only ungrouped convolutions with bias are built")
        if spec["kernel_size"] == (1, 1) and spec["stride"] == (1, 1) and padding() == (0, 0):
            return advanced.PointwiseConv2D(shape[0], spec["out_channels"], rng=rng)
        return nn.Conv2D(shape[0], spec["out_channels"], spec["kernel_size"], spec["stride"],
                         padding(), rng=rng)
    if kind == "depthwise":
        return advanced.DepthwiseConv2D(shape[0], spec["kernel_size"], spec["stride"], padding(),
                                        multiplier=spec["multiplier"], bias=spec["bias"], rng=rng)
    if kind == "separable":
        if spec["bias"] is False:
            raise ValueError(f"{describe(spec)}: separable convolutions are built with a bias")
        return advanced.SeparableConv2D(shape[0], spec["out_channels"], spec["kernel_size"],
                                        spec["stride"], padding(),
                                        multiplier=spec["multiplier"], rng=rng)
    if kind == "batchnorm":
        return advanced.BatchNorm(shape[0])
    if kind in ("relu", "sigmoid", "tanh"):
        return {"relu": nn.ReLU, "sigmoid": advanced.Sigmoid, "tanh": advanced.Tanh}[kind]()
    if kind == "dropout":
        return nn.Dropout(spec["p"], rng=rng)
    if kind == "maxpool":
        (size, size_w), (stride, stride_w), (pad, pad_w) = (spec["size"], spec["stride"],
                                                            padding())
        floor = tuple(_out_size(n, size, stride, (pad, pad)) for n in shape[1:])
        if size != size_w or stride != stride_w or pad != pad_w or \
                floor != analyse(spec, shape).output_shape[1:]:
            raise ValueError(f"{describe(spec)}: only square max pooling without ceil mode "
                             "is built")
        if pad:
            return advanced.PaddedMaxPool2D(size, stride, pad)
        return nn.MaxPool2D(size, stride)
    if kind == "global_avgpool":
        return advanced.GlobalAvgPool2D()
    if kind == "flatten":
        return nn.Flatten()
    if kind == "dense":
        if not spec["bias"]:
            raise ValueError(f"{describe(spec)}: dense layers are built with a bias")
        return nn.Dense(shape[0], spec["out_features"], rng=rng)
    if kind == "block":
        return nn.Sequential(_build_list(spec["layers"], shape, rng)[0])
    if kind == "residual":
        body = _build_list(spec["body"], shape, rng)[0]
        shortcut = _build_list(spec["shortcut"], shape, rng)[0] or None
        activation = None if spec["activation"] is None else _build_one(
            {"kind": spec["activation"]}, shape, rng)
        return advanced.Residual(body, shortcut, activation)
    if kind == "concat":
        return advanced.Concat([_build_list(b, shape, rng)[0] for b in spec["branches"]])
    raise ValueError(f"{describe(spec)}: lessons_lib.nn has no such layer; build supports "
                     "conv, depthwise, separable, batchnorm, relu, sigmoid, tanh, dropout, "
                     "maxpool, global_avgpool, flatten, dense, block, residual and concat")
