"""The kinds of single layer: one constructor (what a student calls) and one class each.

A constructor (:func:`conv`, :func:`maxpool`, ...) checks its settings and returns the
layer spec, a plain dict; the class beside it, registered in
:data:`lessons_lib.architectures.kinds.KINDS`, says what that kind of layer does: its
description, its output shape, parameters and multiply-accumulates (MACs), its window
for the receptive field, and the ``lessons_lib.nn`` layer it builds.

Output sizes come from :func:`lessons_lib.shapes.output_size`. Parameters are what the
reference implementation counts: PyTorch counts a batch normalisation's scale and shift
(2C); Keras also counts its moving mean and variance (4C, half of them not trainable).
MACs are those of convolution and dense layers; pooling, activations, normalisation and
additions cost far less and are not counted.
"""

from __future__ import annotations

import math

from lessons_lib._validate import int_tuple, positive_int
from lessons_lib.architectures.kinds import (
    LayerKind,
    SpecError,
    analyse,
    built_padding,
    describe,
    named,
    need_image,
    padding_setting,
    register,
    window_output,
    window_size,
    window_text,
)
from lessons_lib.nn import advanced
from lessons_lib.nn import layers as nn
from lessons_lib.nn.layers import _flag, _number

ACTIVATIONS = ("relu", "sigmoid", "tanh")
"""The activation kinds, which a residual connection may end with."""


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
    return named({"kind": "conv", "out_channels": positive_int(out_channels, "out_channels"),
                  "kernel_size": int_tuple(kernel_size, "kernel_size", 2),
                  "stride": int_tuple(stride, "stride", 2), "padding": padding_setting(padding),
                  "groups": positive_int(groups, "groups"), "bias": _flag(bias, "bias")}, name)


class _Convolution(LayerKind):
    """What the three convolutions share: a filter window over an image."""

    category = "convolution"
    pairs = ("kernel_size", "stride", "padding")

    def window(self, spec):
        return (spec["kernel_size"][0], spec["stride"][0])

    def analyse(self, spec, shape):
        need_image(shape, spec)
        h, w = window_output(spec, shape, spec["kernel_size"], "filter")
        out, params, macs_per_position = self.counts(spec, shape[0])
        return self.analysis(spec, shape, (out, h, w), params=params, trainable=params,
                             macs=macs_per_position * h * w)

    def counts(self, spec, in_channels):
        """``(output channels, parameters, MACs per output position)``."""
        raise NotImplementedError


@register
class Conv(_Convolution):
    """:func:`conv`: ``out_channels`` filters over all input channels (or groups of them)."""

    name = "conv"
    make = staticmethod(conv)

    def describe(self, spec):
        text = f"conv {window_text(spec, spec['out_channels'])}"
        return text + (f", groups {spec['groups']}" if spec["groups"] != 1 else "")

    def short(self, spec):
        return "{}×{} {}".format(*spec["kernel_size"], spec["out_channels"])

    def counts(self, spec, in_channels):
        groups, out, (kh, kw) = spec["groups"], spec["out_channels"], spec["kernel_size"]
        if in_channels % groups or out % groups:
            raise SpecError(f"groups={groups} must divide the input channels ({in_channels}) "
                            f"and the output channels ({out})")
        weights = out * (in_channels // groups) * kh * kw
        return out, weights + (out if spec["bias"] else 0), weights

    def build(self, spec, shape, rng):
        if spec["groups"] != 1 or not spec["bias"]:
            raise ValueError(f"{describe(spec)}: only ungrouped convolutions with bias are built")
        padding = built_padding(spec)
        if spec["kernel_size"] == (1, 1) and spec["stride"] == (1, 1) and padding == (0, 0):
            return advanced.PointwiseConv2D(shape[0], spec["out_channels"], rng=rng)
        return nn.Conv2D(shape[0], spec["out_channels"], spec["kernel_size"], spec["stride"],
                         padding, rng=rng)


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
    return named({"kind": "depthwise", "kernel_size": int_tuple(kernel_size, "kernel_size", 2),
                  "multiplier": positive_int(multiplier, "multiplier"),
                  "stride": int_tuple(stride, "stride", 2), "padding": padding_setting(padding),
                  "bias": _flag(bias, "bias")}, name)


@register
class Depthwise(_Convolution):
    """:func:`depthwise`: ``multiplier`` filters per input channel, no mixing of channels."""

    name = "depthwise"
    make = staticmethod(depthwise)

    def describe(self, spec):
        text = f"depthwise {window_text(spec)}"
        return text + (f", ×{spec['multiplier']}" if spec["multiplier"] != 1 else "")

    def counts(self, spec, in_channels):
        out, (kh, kw) = in_channels * spec["multiplier"], spec["kernel_size"]
        return out, out * kh * kw + (out if spec["bias"] else 0), out * kh * kw

    def build(self, spec, shape, rng):
        return advanced.DepthwiseConv2D(shape[0], spec["kernel_size"], spec["stride"],
                                        built_padding(spec), multiplier=spec["multiplier"],
                                        bias=spec["bias"], rng=rng)


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
    return named({"kind": "separable", "out_channels": positive_int(out_channels, "out_channels"),
                  "kernel_size": int_tuple(kernel_size, "kernel_size", 2),
                  "multiplier": positive_int(multiplier, "multiplier"),
                  "stride": int_tuple(stride, "stride", 2), "padding": padding_setting(padding),
                  "bias": _flag(bias, "bias")}, name)


@register
class Separable(_Convolution):
    """:func:`separable`: depthwise, then a 1×1 convolution to ``out_channels``."""

    name = "separable"
    make = staticmethod(separable)

    def describe(self, spec):
        return f"separable {window_text(spec, spec['out_channels'])}"

    def short(self, spec):
        return "sep {}×{} {}".format(*spec["kernel_size"], spec["out_channels"])

    def counts(self, spec, in_channels):
        out, (kh, kw) = spec["out_channels"], spec["kernel_size"]
        depth_weights = in_channels * spec["multiplier"] * kh * kw
        point_weights = in_channels * spec["multiplier"] * out
        weights = depth_weights + point_weights
        return out, weights + (out if spec["bias"] else 0), weights

    def build(self, spec, shape, rng):
        if spec["bias"] is False:
            raise ValueError(f"{describe(spec)}: separable convolutions are built with a bias")
        return advanced.SeparableConv2D(shape[0], spec["out_channels"], spec["kernel_size"],
                                        spec["stride"], built_padding(spec),
                                        multiplier=spec["multiplier"], rng=rng)


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
    return named({"kind": "batchnorm", "moving_stats": _flag(moving_stats, "moving_stats")},
                 name)


@register
class BatchNorm(LayerKind):
    """:func:`batchnorm`: a scale and a shift per channel, and maybe the running statistics."""

    name = "batchnorm"
    make = staticmethod(batchnorm)
    category = "batch norm"
    hidden_in_paths = True

    def joined(self, spec):
        return " + bn"

    def analyse(self, spec, shape):
        c = shape[0]
        total = 4 * c if spec["moving_stats"] else 2 * c
        return self.analysis(spec, shape, shape, params=total, trainable=2 * c)

    def build(self, spec, shape, rng):
        return advanced.BatchNorm(shape[0])


class _Activation(LayerKind):
    """An element-wise function: no parameters, no change of shape."""

    layer = None
    """The ``lessons_lib.nn`` class of the function."""

    def build(self, spec, shape, rng):
        return self.layer()


def relu(*, name=None):
    """max(0, x), element-wise: no parameters, no change of shape.

    Parameters
    ----------
    name : str, optional

    Returns
    -------
    spec : dict
    """
    return named({"kind": "relu"}, name)


@register
class ReLU(_Activation):
    """:func:`relu`."""

    name = "relu"
    make = staticmethod(relu)
    hidden_in_paths = True
    layer = nn.ReLU


def sigmoid(*, name=None):
    """1 / (1 + e^-x), element-wise; parameters and result as :func:`relu`."""
    return named({"kind": "sigmoid"}, name)


@register
class Sigmoid(_Activation):
    """:func:`sigmoid`."""

    name = "sigmoid"
    make = staticmethod(sigmoid)
    layer = advanced.Sigmoid


def tanh(*, name=None):
    """tanh(x), element-wise; parameters and result as :func:`relu`."""
    return named({"kind": "tanh"}, name)


@register
class Tanh(_Activation):
    """:func:`tanh`."""

    name = "tanh"
    make = staticmethod(tanh)
    layer = advanced.Tanh


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
    return named({"kind": "dropout", "p": _number(p, "p", low=0, high=1, high_open=True)}, name)


@register
class Dropout(LayerKind):
    """:func:`dropout`."""

    name = "dropout"
    make = staticmethod(dropout)

    def describe(self, spec):
        return f"dropout {spec['p']:g}"

    def build(self, spec, shape, rng):
        return nn.Dropout(spec["p"], rng=rng)


def _pool(kind, size, stride, padding, ceil_mode, name):
    size = int_tuple(size, "size", 2)
    stride = size if stride is None else int_tuple(stride, "stride", 2)
    return named({"kind": kind, "size": size, "stride": stride, "padding": padding_setting(padding),
                  "ceil_mode": _flag(ceil_mode, "ceil_mode")}, name)


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
    """Average pooling over ``size`` windows; parameters and result as :func:`maxpool`.

    Examples
    --------
    >>> analyse(avgpool(3, 2, ceil_mode=True), (8, 16, 16)).output_shape
    (8, 8, 8)
    """
    return _pool("avgpool", size, stride, padding, ceil_mode, name)


class _Pooling(LayerKind):
    """What the two pooling kinds share: a window over an image, no parameters."""

    pairs = ("size", "stride", "padding")

    def describe(self, spec):
        text = f"{self.name} {window_text(spec, always_stride=True)}"
        return text + (", ceil" if spec["ceil_mode"] else "")

    def window(self, spec):
        return (spec["size"][0], spec["stride"][0])

    def analyse(self, spec, shape):
        need_image(shape, spec)
        h, w = window_output(spec, shape, spec["size"], "pooling window")
        return self.analysis(spec, shape, (shape[0], h, w))


@register
class MaxPool(_Pooling):
    """:func:`maxpool`."""

    name = "maxpool"
    make = staticmethod(maxpool)

    def build(self, spec, shape, rng):
        (size, size_w), (stride, stride_w) = spec["size"], spec["stride"]
        pad, pad_w = built_padding(spec)
        floor = tuple(window_size(n, size, stride, pad) for n in shape[1:])
        if size != size_w or stride != stride_w or pad != pad_w or \
                floor != analyse(spec, shape).output_shape[1:]:
            raise ValueError(f"{describe(spec)}: only square max pooling without ceil mode "
                             "is built")
        if pad:
            return advanced.PaddedMaxPool2D(size, stride, pad)
        return nn.MaxPool2D(size, stride)


@register
class AvgPool(_Pooling):
    """:func:`avgpool`."""

    name = "avgpool"
    make = staticmethod(avgpool)


class _WholeInput(LayerKind):
    """A layer after which every output sees the whole input: the receptive field stops."""

    def window(self, spec):
        return None


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
    return named({"kind": "adaptive_avgpool",
                  "output_size": int_tuple(output_size, "output_size", 2)}, name)


@register
class AdaptiveAvgPool(_WholeInput):
    """:func:`adaptive_avgpool`: a fixed output size whatever the input."""

    name = "adaptive_avgpool"
    make = staticmethod(adaptive_avgpool)
    pairs = ("output_size",)

    def describe(self, spec):
        return "adaptive avgpool to {}×{}".format(*spec["output_size"])

    def analyse(self, spec, shape):
        need_image(shape, spec)
        return self.analysis(spec, shape, (shape[0], *spec["output_size"]))


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
    return named({"kind": "global_avgpool"}, name)


@register
class GlobalAvgPool(_WholeInput):
    """:func:`global_avgpool`."""

    name = "global_avgpool"
    make = staticmethod(global_avgpool)

    def describe(self, spec):
        return "global avgpool"

    def analyse(self, spec, shape):
        need_image(shape, spec)
        return self.analysis(spec, shape, (shape[0],))

    def build(self, spec, shape, rng):
        return advanced.GlobalAvgPool2D()


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
    return named({"kind": "flatten"}, name)


@register
class Flatten(_WholeInput):
    """:func:`flatten`."""

    name = "flatten"
    make = staticmethod(flatten)

    def analyse(self, spec, shape):
        return self.analysis(spec, shape, (math.prod(shape),))

    def build(self, spec, shape, rng):
        return nn.Flatten()


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
    return named({"kind": "dense", "out_features": positive_int(out_features, "out_features"),
                  "bias": _flag(bias, "bias")}, name)


@register
class Dense(_WholeInput):
    """:func:`dense`: every output from every input, ``in · out`` weights."""

    name = "dense"
    make = staticmethod(dense)
    category = "dense"

    def describe(self, spec):
        return f"dense {spec['out_features']}"

    def analyse(self, spec, shape):
        if len(shape) != 1:
            raise SpecError(f"dense needs a flat input but receives {shape}; "
                            "put flatten or global pooling before it")
        weights = shape[0] * spec["out_features"]
        params = weights + (spec["out_features"] if spec["bias"] else 0)
        return self.analysis(spec, shape, (spec["out_features"],), params=params,
                             trainable=params, macs=weights)

    def build(self, spec, shape, rng):
        if not spec["bias"]:
            raise ValueError(f"{describe(spec)}: dense layers are built with a bias")
        return nn.Dense(shape[0], spec["out_features"], rng=rng)
