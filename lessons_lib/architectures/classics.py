"""The classic networks as specs, layer by layer as their reference implementations define them.

torchvision's AlexNet, VGG-16, ResNet-18/50 and GoogLeNet, Keras's Xception; their
published parameter counts are reproduced by
:func:`~lessons_lib.architectures.network.count_params` (tested). :data:`CLASSICS`
holds the facts about each, with their sources.
"""

from __future__ import annotations

from dataclasses import dataclass

from lessons_lib._validate import choice, positive_int
from lessons_lib.architectures.blocks import block, concat, residual
from lessons_lib.architectures.layers import (
    adaptive_avgpool,
    batchnorm,
    conv,
    dense,
    dropout,
    flatten,
    global_avgpool,
    maxpool,
    relu,
    separable,
)
from lessons_lib.architectures.network import count_params
from lessons_lib.nn.layers import _flag

NAMES = ("alexnet", "vgg16", "resnet18", "resnet50", "googlenet", "xception")


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
    project = _flag(project, "project")
    body = [conv(channels, 3, stride=stride, padding=1, bias=False, name="conv1"),
            batchnorm(name="bn1"), relu(name="relu"),
            conv(channels, 3, padding=1, bias=False, name="conv2"), batchnorm(name="bn2")]
    shortcut = ([conv(channels, 1, stride=stride, bias=False, name="downsample.0"),
                 batchnorm(name="downsample.1")] if project else [])
    return residual(body, shortcut, activation="relu", name=name)


def bottleneck_block(width, *, stride=1, project=False, expansion=4, name=None):
    """ResNet's bottleneck: 1×1 to ``width``, 3×3 (with the stride, as torchvision's v1.5), 1×1 up."""
    project = _flag(project, "project")
    out = positive_int(width, "width") * positive_int(expansion, "expansion")
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
    if not _flag(batch_norm, "batch_norm"):
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
    >>> from lessons_lib.architectures import output_shape
    >>> module = inception(64, 96, 128, 16, 32, 32, name="inception3a")  # GoogLeNet's 3a
    >>> output_shape([module], (192, 28, 28))
    (256, 28, 28)
    """
    pad = positive_int(five_by_five, "five_by_five") // 2

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
    >>> from lessons_lib.architectures import summarize
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
        "residual connections y = body(x) + x let very deep networks train",
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
    if isinstance(names, str) or not isinstance(names, (list, tuple)):
        raise TypeError(f"names must be a list of names from {NAMES}, got {names!r:.60}")
    lines = [f"{'network':<25} {'year':>4} {'input':>7} {'params':>11} {'top-1 %':>8} "
             f"{'top-5 %':>8}"]
    for name in names:
        info = CLASSICS[choice(name, "name", NAMES)]
        size = info.input_size
        total = count_params(classic(name), (3, size, size))
        lines.append(f"{info.title:<25} {info.year:>4} {size:>7} {total:>11,} "
                     f"{info.top1:>8.1f} {info.top5:>8.1f}")
    return "\n".join(lines)
