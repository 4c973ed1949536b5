r"""Network architectures as data: shapes, parameter counts and operations of any CNN.

A *spec* is a list of layer specs; a layer spec is a plain dict with a ``"kind"``
and that kind's settings, made by the constructors (:func:`conv`, :func:`maxpool`,
:func:`dense`, ...). Blocks nest: :func:`residual` adds a body and a shortcut,
:func:`concat` stacks the channels of parallel branches (an inception module),
:func:`block` groups layers under one name. From a spec and an input shape
``(C, H, W)`` the course computes, without building anything, every layer's output
shape, parameter count and multiply-accumulate count (:func:`summarize`), and
:func:`build` turns a spec made of layers ``lessons_lib.nn`` has into a trainable
network.

The package sits beside :mod:`lessons_lib.nn`, whose layers it builds:

- :mod:`~lessons_lib.architectures.kinds`: the one table of layer kinds, :data:`KINDS`
  (each kind's description, output shape, parameters, MACs, receptive field and
  builder in one class), and the walks over a spec that consult it;
- :mod:`~lessons_lib.architectures.layers` and :mod:`~lessons_lib.architectures.blocks`:
  the kinds, each with its constructor;
- :mod:`~lessons_lib.architectures.network`: a whole spec's table and totals, and
  :func:`build`;
- :mod:`~lessons_lib.architectures.classics`: AlexNet, VGG-16, ResNet-18/50,
  GoogLeNet and Xception;
- :mod:`~lessons_lib.architectures.sweeps`: lesson 07's stored experiments.

The output size of a convolution or pooling window of size k, stride s and padding p
on a side of length H is (:func:`lessons_lib.shapes.output_size`)

.. math:: H' = \left\lfloor \frac{H + 2p - k}{s} \right\rfloor + 1

(``ceil_mode`` rounds up instead, as PyTorch's pooling can). Keras's ``"same"``
padding gives :math:`H' = \lceil H / s \rceil` and ``"valid"`` is :math:`p = 0`.

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

from lessons_lib.architectures.blocks import block, concat, residual
from lessons_lib.architectures.classics import (
    CLASSICS,
    NAMES,
    ClassicInfo,
    basic_block,
    bottleneck_block,
    classic,
    conv_bn_relu,
    format_classics,
    inception,
)
from lessons_lib.architectures.kinds import (
    KINDS,
    Analysis,
    LayerKind,
    SpecError,
    analyse,
    describe,
    receptive_field,
)
from lessons_lib.architectures.layers import (
    ACTIVATIONS,
    adaptive_avgpool,
    avgpool,
    batchnorm,
    conv,
    dense,
    depthwise,
    dropout,
    flatten,
    global_avgpool,
    maxpool,
    relu,
    separable,
    sigmoid,
    tanh,
)
from lessons_lib.architectures.network import (
    CATEGORIES,
    breakdown,
    build,
    count_macs,
    count_params,
    format_table,
    output_shape,
    receptive_field_weights,
    summarize,
)
from lessons_lib.architectures.sweeps import SWEEPS_PATH, format_sweep, load_sweeps, spec_from_json

__all__ = [
    "ACTIVATIONS",
    "CATEGORIES",
    "CLASSICS",
    "KINDS",
    "NAMES",
    "SWEEPS_PATH",
    "Analysis",
    "ClassicInfo",
    "LayerKind",
    "SpecError",
    "adaptive_avgpool",
    "analyse",
    "avgpool",
    "basic_block",
    "batchnorm",
    "block",
    "bottleneck_block",
    "breakdown",
    "build",
    "classic",
    "concat",
    "conv",
    "conv_bn_relu",
    "count_macs",
    "count_params",
    "dense",
    "depthwise",
    "describe",
    "dropout",
    "flatten",
    "format_classics",
    "format_sweep",
    "format_table",
    "global_avgpool",
    "inception",
    "load_sweeps",
    "maxpool",
    "output_shape",
    "receptive_field",
    "receptive_field_weights",
    "relu",
    "residual",
    "separable",
    "sigmoid",
    "spec_from_json",
    "summarize",
    "tanh",
]
