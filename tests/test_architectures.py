"""Architecture specs: the classics' published counts and shapes, the shape arithmetic, build."""

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lessons_lib import architectures as arch
from lessons_lib.architectures import (
    SpecError,
    classic,
    count_macs,
    count_params,
    format_table,
    receptive_field,
    summarize,
)
from lessons_lib.architectures import sweeps as sweeps_module

# The reference implementations' published parameter counts for 1000 classes: torchvision's
# model documentation ("num_params") and Keras's Xception model summary.
PUBLISHED_PARAMS = {
    "alexnet": 61_100_840,
    "vgg16": 138_357_544,
    "resnet18": 11_689_512,
    "resnet50": 25_557_032,
    "googlenet": 6_624_904,
    "xception": 22_910_480,
}
# torchvision's documented "GFLOPS" (which count multiply-accumulates), to two decimals.
PUBLISHED_GMACS = {"alexnet": 0.71, "vgg16": 15.47, "resnet18": 1.81, "resnet50": 4.09,
                   "googlenet": 1.50}
INPUT = {name: (3, 299, 299) if name == "xception" else (3, 224, 224) for name in arch.NAMES}


@pytest.mark.parametrize("name", arch.NAMES)
def test_classic_parameter_totals_equal_the_published_counts(name):
    assert count_params(classic(name), INPUT[name]) == PUBLISHED_PARAMS[name]


def test_xception_trainable_and_non_trainable_split_as_keras():
    spec = classic("xception")
    assert count_params(spec, INPUT["xception"], trainable_only=True) == 22_855_952
    assert PUBLISHED_PARAMS["xception"] - 22_855_952 == 54_528


@pytest.mark.parametrize("name", sorted(PUBLISHED_GMACS))
def test_operation_counts_match_torchvision(name):
    assert round(count_macs(classic(name), INPUT[name]) / 1e9, 2) == PUBLISHED_GMACS[name]


def test_alexnet_layer_by_layer():
    rows = summarize(classic("alexnet"), INPUT["alexnet"])
    shapes = {r["name"]: r["output_shape"] for r in rows}
    params = {r["name"]: r["params"] for r in rows}
    assert [shapes[f"features.{i}"] for i in (0, 2, 3, 5, 6, 8, 10, 12)] == [
        (64, 55, 55), (64, 27, 27), (192, 27, 27), (192, 13, 13), (384, 13, 13),
        (256, 13, 13), (256, 13, 13), (256, 6, 6)]
    assert shapes["flatten"] == (9216,)
    assert [params[f"features.{i}"] for i in (0, 3, 6, 8, 10)] == [
        23_296, 307_392, 663_936, 884_992, 590_080]
    assert [params[f"classifier.{i}"] for i in (1, 4, 6)] == [37_752_832, 16_781_312, 4_097_000]


def test_vgg16_layer_by_layer():
    rows = summarize(classic("vgg16"), INPUT["vgg16"])
    pools = [r["output_shape"] for r in rows if r["layer"].startswith("maxpool")]
    assert pools == [(64, 112, 112), (128, 56, 56), (256, 28, 28), (512, 14, 14),
                     (512, 7, 7)]
    convs = [r for r in rows if r["layer"].startswith("conv")]
    assert len(convs) == 13 and all("3×3" in r["layer"] for r in convs)
    dense = [r["params"] for r in rows if r["layer"].startswith("dense")]
    assert dense == [102_764_544, 16_781_312, 4_097_000]


@pytest.mark.parametrize("name, widths", [("resnet18", (64, 128, 256, 512)),
                                          ("resnet50", (256, 512, 1024, 2048))])
def test_resnet_stage_outputs(name, widths):
    rows = summarize(classic(name), INPUT[name])
    shapes = {r["name"]: r["output_shape"] for r in rows}
    assert shapes["conv1"] == (64, 112, 112) and shapes["maxpool"] == (64, 56, 56)
    last = {"resnet18": (1, 1, 1, 1), "resnet50": (2, 3, 5, 2)}[name]
    for stage, (width, size, index) in enumerate(zip(widths, (56, 28, 14, 7), last,
                                                     strict=True)):
        assert shapes[f"layer{stage + 1}.0"] == (width, size, size)
        assert shapes[f"layer{stage + 1}.{index}"] == (width, size, size)
    assert shapes["fc"] == (1000,)


def test_googlenet_shapes_follow_torchvision_comments():
    shapes = {r["name"]: r["output_shape"] for r in summarize(classic("googlenet"),
                                                              INPUT["googlenet"])}
    expected = {"conv1": (64, 112, 112), "maxpool1": (64, 56, 56), "conv2": (64, 56, 56),
                "conv3": (192, 56, 56), "maxpool2": (192, 28, 28),
                "inception3a": (256, 28, 28), "inception3b": (480, 28, 28),
                "maxpool3": (480, 14, 14), "inception4a": (512, 14, 14),
                "inception4b": (512, 14, 14), "inception4c": (512, 14, 14),
                "inception4d": (528, 14, 14), "inception4e": (832, 14, 14),
                "maxpool4": (832, 7, 7), "inception5a": (832, 7, 7),
                "inception5b": (1024, 7, 7), "avgpool": (1024, 1, 1), "fc": (1000,)}
    assert {k: shapes[k] for k in expected} == expected


def test_xception_shapes_follow_the_keras_summary():
    shapes = {r["name"]: r["output_shape"] for r in summarize(classic("xception"),
                                                              INPUT["xception"])}
    expected = {"block1_conv1": (32, 149, 149), "block1_conv2": (64, 147, 147),
                "block2": (128, 74, 74), "block3": (256, 37, 37), "block4": (728, 19, 19),
                "block12": (728, 19, 19), "block13": (1024, 10, 10),
                "block14_sepconv1": (1536, 10, 10), "block14_sepconv2": (2048, 10, 10),
                "avg_pool": (2048,), "predictions": (1000,)}
    assert {k: shapes[k] for k in expected} == expected


def test_expanded_rows_add_up_to_their_blocks():
    rows = summarize(classic("resnet50"), INPUT["resnet50"], expand=True)
    block = next(i for i, r in enumerate(rows) if r["name"] == "layer2.0")
    children = [r for r in rows[block + 1:] if r["name"].startswith("layer2.0.")]
    assert {r["name"] for r in children} >= {"layer2.0.conv2", "layer2.0.downsample.0"}
    assert sum(r["params"] for r in children) == rows[block]["params"]
    assert sum(r["macs"] for r in children) == rows[block]["macs"]
    stride2 = next(r for r in children if r["name"] == "layer2.0.conv2")
    assert stride2["output_shape"] == (128, 28, 28)  # v1.5: the stride is in the 3×3


def test_num_classes_changes_only_the_last_layer():
    ten = count_params(classic("resnet18", num_classes=10), INPUT["resnet18"])
    assert PUBLISHED_PARAMS["resnet18"] - ten == 512 * 990 + 990


def test_classics_run_at_other_input_sizes_and_fail_clearly_when_too_small():
    assert arch.output_shape(classic("resnet50"), (3, 64, 64)) == (1000,)
    with pytest.raises(SpecError, match="larger than its input"):
        summarize(classic("vgg16"), (3, 16, 16))


def test_format_table_prints_every_row_and_the_total():
    text = format_table(summarize(classic("alexnet"), INPUT["alexnet"]), names=True)
    lines = text.splitlines()
    assert len(lines) == 2 + len(classic("alexnet"))
    assert lines[-1].split()[-2] == "61,100,840"
    assert "classifier.1" in text and "(9216,)" in text


def test_classic_information_has_years_sources_and_results():
    assert set(arch.CLASSICS) == set(arch.NAMES)
    years = [arch.CLASSICS[n].year for n in arch.NAMES]
    assert years == [2012, 2014, 2015, 2015, 2014, 2016]
    for info in arch.CLASSICS.values():
        assert 50 < info.top1 < info.top5 < 100 and "arXiv" in info.paper or "NeurIPS" in (
            info.paper)


# -- shape arithmetic -------------------------------------------------------------------


def test_conv_and_pool_output_size_formula():
    rows = summarize([arch.conv(8, 5, stride=2, padding=1), arch.maxpool(3, 2)], (3, 32, 31))
    assert rows[0]["output_shape"] == (8, 15, 15)
    assert rows[0]["params"] == 8 * 3 * 25 + 8 and rows[0]["macs"] == 8 * 3 * 25 * 15 * 15
    assert rows[1]["output_shape"] == (8, 7, 7)


@given(h=st.integers(1, 40), k=st.integers(1, 7), s=st.integers(1, 4), p=st.integers(0, 3),
       ceil=st.booleans())
def test_pooling_sizes_match_torch(h, k, s, p, ceil):
    torch = pytest.importorskip("torch")
    spec = [arch.maxpool(k, s, padding=p, ceil_mode=ceil)]
    try:
        expected = torch.nn.functional.max_pool2d(
            torch.empty(1, 1, h, h, device="meta"), k, s, p, ceil_mode=ceil).shape[2:]
    except RuntimeError:
        with pytest.raises(SpecError):
            summarize(spec, (1, h, h))
        return
    assert summarize(spec, (1, h, h))[0]["output_shape"][1:] == tuple(expected)


@given(h=st.integers(1, 40), k=st.integers(1, 7), s=st.integers(1, 4), p=st.integers(0, 3))
def test_conv_sizes_match_torch(h, k, s, p):
    torch = pytest.importorskip("torch")
    spec = [arch.conv(2, k, stride=s, padding=p)]
    if h + 2 * p < k:
        with pytest.raises(SpecError, match="filter"):
            summarize(spec, (1, h, h))
        return
    layer = torch.nn.Conv2d(1, 2, k, s, p, device="meta")
    expected = layer(torch.empty(1, 1, h, h, device="meta")).shape[1:]
    row = summarize(spec, (1, h, h))[0]
    assert row["output_shape"] == tuple(expected)
    assert row["params"] == sum(t.numel() for t in layer.parameters())


@given(h=st.integers(1, 50), s=st.integers(1, 3))
def test_same_padding_gives_ceil_of_size_over_stride(h, s):
    rows = summarize([arch.separable(4, 3, stride=s, padding="same"),
                      arch.maxpool(3, s, padding="same")], (2, h, h))
    first = -(-h // s)
    assert rows[0]["output_shape"] == (4, first, first)
    assert rows[1]["output_shape"][1] == -(-first // s)


def test_depthwise_and_separable_counts():
    rows = summarize([arch.depthwise(3, padding=1, bias=False),
                      arch.separable(64, 3, padding=1, bias=False),
                      arch.conv(64, 3, padding=1, bias=False)], (32, 10, 10))
    assert [r["params"] for r in rows] == [9 * 32, 9 * 32 + 32 * 64, 9 * 64 * 64]
    assert rows[1]["macs"] == (9 * 32 + 32 * 64) * 100


def test_keras_counts_moving_statistics_as_parameters():
    rows = summarize([arch.batchnorm(), arch.batchnorm(moving_stats=True)], (8, 4, 4))
    assert [(r["params"], r["trainable"]) for r in rows] == [(16, 16), (32, 16)]


# -- errors a student meets in the builder ---------------------------------------------


@pytest.mark.parametrize("spec, shape, message", [
    ([arch.maxpool(4)], (1, 3, 3), r"layer 0 \(maxpool 4×4, stride 4\): the pooling window"),
    ([arch.conv(4, 3), arch.dense(10)], (1, 8, 8), "put flatten or global pooling before it"),
    ([arch.flatten(), arch.conv(4, 3)], (1, 8, 8), "needs an image"),
    ([arch.residual([arch.conv(4, 3, padding=1)])], (2, 8, 8),
     "they must match to be added"),
    ([arch.concat([arch.conv(2, 3)], [arch.conv(2, 1)])], (1, 8, 8),
     "branches give different sizes 6×6, 8×8"),
    ([arch.conv(4, 3, groups=3)], (2, 8, 8), "groups=3 must divide"),
    ([arch.maxpool(2, padding=2)], (1, 8, 8), "more than half the window"),
])
def test_impossible_layers_are_named_with_the_reason(spec, shape, message):
    with pytest.raises(SpecError, match=message):
        summarize(spec, shape)


def test_errors_inside_blocks_name_the_inner_layer():
    spec = [arch.residual([arch.conv(2, 3, padding=1, name="a"), arch.maxpool(9, name="big")],
                          name="block1")]
    with pytest.raises(SpecError, match=r"layer block1\.big \(maxpool 9×9"):
        summarize(spec, (2, 4, 4))


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="name must be one of"):
        classic("lenet")
    with pytest.raises(ValueError, match=r"input_shape must be \(C, H, W\)"):
        summarize([arch.relu()], (3, 224))
    with pytest.raises(TypeError, match="non-empty list"):
        summarize([], (1, 2, 2))
    with pytest.raises(TypeError, match="must be a dict with 'kind'"):
        summarize([{"kind": "softmax"}], (1, 2, 2))
    with pytest.raises(ValueError, match="out_channels"):
        arch.conv(0, 3)
    with pytest.raises(ValueError, match="padding must be one of"):
        arch.conv(1, 3, padding="full")
    for p in (1.0, float("nan"), "0.5", None):
        with pytest.raises((TypeError, ValueError), match=r"p must be a number in \[0, 1\)"):
            arch.dropout(p)


@pytest.mark.parametrize(("spec", "error", "words"), [
    ([{"kind": "conv", "out_channels": 3}], TypeError,
     r"layer 0: the layer spec .* is not what conv\(\.\.\.\) makes: .*'kernel_size'"),
    ([{**arch.conv(3, 3), "kernel_size": 3}], TypeError,
     r"layer 0: .*'kernel_size' is 3, where conv\(\.\.\.\) makes \(3, 3\)"),
    ([{**arch.conv(3, 3), "stride": (0, 1)}], ValueError, "layer 0: stride must be an integer >= 1"),
    ([{**arch.dense(3), "colour": "red"}], TypeError, "unexpected keyword argument 'colour'"),
    ([arch.block([arch.relu(), {**arch.conv(3, 3), "bias": "no"}], name="stem")], TypeError,
     "layer stem.1: .*bias must be True or False"),
    ([arch.relu(), 5], TypeError, "layer 1: a layer spec must be a dict"),
])
def test_hand_made_specs_are_refused_naming_the_layer_and_setting(spec, error, words):
    with pytest.raises(error, match=words):
        summarize(spec, (1, 8, 8))


@pytest.mark.parametrize(("call", "error", "words"), [
    (lambda: arch.block([]), ValueError, "layers must hold at least one layer spec"),
    (lambda: arch.residual(arch.conv(2, 3)), TypeError, "body must be a list of layer specs"),
    (lambda: arch.concat([arch.relu()], "relu"), TypeError, r"branches\[1\] must be a list"),
    (lambda: arch.conv(2, 3, bias="no"), TypeError, "bias must be True or False"),
    (lambda: arch.maxpool(2, ceil_mode=1), TypeError, "ceil_mode must be True or False"),
    (lambda: arch.batchnorm(moving_stats=None), TypeError, "moving_stats must be True or False"),
    (lambda: arch.relu(name=3), TypeError, "name must be a str or None"),
    (lambda: summarize([arch.relu()], (1, 2, 2), expand=-1), ValueError, "expand"),
    (lambda: summarize([arch.relu()], (1, 2, 2), expand="all"), TypeError, "expand"),
    (lambda: count_params([arch.relu()], (1, 2, 2), trainable_only="yes"), TypeError,
     "trainable_only must be True or False"),
    (lambda: format_table([{"layer": "relu"}]), TypeError, "rows must be the non-empty list"),
    (lambda: format_table([]), TypeError, "rows must be the non-empty list"),
    (lambda: arch.analyse(arch.relu(), (3, "224", 224)), TypeError, "input_shape"),
    (lambda: arch.analyse(arch.relu(), (3, 224)), ValueError, r"input_shape must be \(C, H, W\)"),
    (lambda: arch.receptive_field_weights(3), TypeError, "kernel_sizes must be a list"),
    (lambda: arch.receptive_field_weights([3, 0]), ValueError, "kernel_sizes"),
    (lambda: arch.receptive_field_weights([10**9]), ValueError,
     "kernel_sizes with a receptive field of 1000000000 pixels would need .* memory"),
    (lambda: arch.build([arch.relu()], (1, 2, 2), seed=-1), TypeError, "seed must be an int"),
    (lambda: arch.build([arch.flatten(), arch.dense(10**6)], (3, 1000, 1000)), ValueError,
     "a network of 3,000,001,000,000 parameters would need .* memory"),
    (lambda: arch.format_classics("alexnet"), TypeError, "names must be a list"),
    (lambda: arch.bottleneck_block(64, expansion=0), ValueError, "expansion"),
    (lambda: arch.basic_block(64, project="yes"), TypeError, "project must be True or False"),
    (lambda: arch.inception(1, 1, 1, 1, 1, 1, five_by_five=0), ValueError, "five_by_five"),
])
def test_builder_inputs_are_refused_by_name(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_a_huge_input_is_only_numbers_until_it_is_built():
    rows = summarize([arch.conv(8, 3), arch.global_avgpool(), arch.dense(3)], (3, 10**9, 10**9))
    assert rows[0]["output_shape"] == (8, 10**9 - 2, 10**9 - 2)
    assert rows[0]["macs"] == 8 * 27 * (10**9 - 2) ** 2


# -- receptive fields -------------------------------------------------------------------


@given(n=st.integers(1, 8))
def test_stacked_3x3_receptive_field_grows_by_two(n):
    assert receptive_field([arch.conv(1, 3)] * n) == (2 * n + 1, 1)


def test_receptive_field_with_strides_and_blocks():
    # conv 3 (r 3), pool 2/2 (r 4, j 2), conv 3 (r 4 + 2·2 = 8).
    assert receptive_field([arch.conv(1, 3), arch.maxpool(2), arch.conv(1, 3)]) == (8, 2)
    block = arch.residual([arch.conv(1, 3, padding=1), arch.conv(1, 3, padding=1)])
    assert receptive_field([block]) == (5, 1)
    assert receptive_field([arch.concat([arch.conv(1, 1)], [arch.conv(1, 5, padding=2)])]) == (
        5, 1)
    # VGG's argument: two 3×3 see 5×5 with 2·9 = 18 weights per channel pair instead of 25.
    two = count_params([arch.conv(1, 3, bias=False)] * 2, (1, 9, 9))
    one = count_params([arch.conv(1, 5, bias=False)], (1, 9, 9))
    assert (two, one) == (18, 25)


# -- an independent reference: the same networks written in PyTorch ---------------------


def _torch_references(torch):
    """The five torchvision networks, module by module as the specs' top-level rows."""
    nn = torch.nn

    def basic_conv(i, o, **kw):
        return nn.Sequential(nn.Conv2d(i, o, bias=False, **kw), nn.BatchNorm2d(o), nn.ReLU())

    class Inception(nn.Module):
        def __init__(self, i, c1, c3r, c3, c5r, c5, pp):
            super().__init__()
            self.b = nn.ModuleList([
                basic_conv(i, c1, kernel_size=1),
                nn.Sequential(basic_conv(i, c3r, kernel_size=1),
                              basic_conv(c3r, c3, kernel_size=3, padding=1)),
                nn.Sequential(basic_conv(i, c5r, kernel_size=1),
                              basic_conv(c5r, c5, kernel_size=3, padding=1)),
                nn.Sequential(nn.MaxPool2d(3, 1, 1, ceil_mode=True),
                              basic_conv(i, pp, kernel_size=1))])

        def forward(self, x):
            return torch.cat([b(x) for b in self.b], 1)

    class Block(nn.Module):
        def __init__(self, i, width, stride, bottleneck):
            super().__init__()
            out = width * 4 if bottleneck else width
            if bottleneck:
                self.body = nn.Sequential(
                    nn.Conv2d(i, width, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(),
                    nn.Conv2d(width, width, 3, stride, 1, bias=False), nn.BatchNorm2d(width),
                    nn.ReLU(), nn.Conv2d(width, out, 1, bias=False), nn.BatchNorm2d(out))
            else:
                self.body = nn.Sequential(
                    nn.Conv2d(i, width, 3, stride, 1, bias=False), nn.BatchNorm2d(width),
                    nn.ReLU(), nn.Conv2d(width, width, 3, 1, 1, bias=False),
                    nn.BatchNorm2d(width))
            self.short = (nn.Sequential(nn.Conv2d(i, out, 1, stride, bias=False),
                                        nn.BatchNorm2d(out))
                          if stride != 1 or i != out else nn.Identity())

        def forward(self, x):
            return torch.relu(self.body(x) + self.short(x))

    def resnet(counts, bottleneck):
        layers = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
                  nn.MaxPool2d(3, 2, 1)]
        channels = 64
        for stage, (count, width) in enumerate(zip(counts, (64, 128, 256, 512), strict=True)):
            for i in range(count):
                layers.append(Block(channels, width, 2 if stage and not i else 1, bottleneck))
                channels = width * 4 if bottleneck else width
        return layers + [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, 1000)]

    def vgg():
        layers, c = [], 3
        for v in (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
                  512, 512, 512, "M"):
            if v == "M":
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers += [nn.Conv2d(c, v, 3, padding=1), nn.ReLU()]
                c = v
        return layers + [nn.AdaptiveAvgPool2d(7), nn.Flatten(), nn.Linear(25088, 4096),
                         nn.ReLU(), nn.Dropout(), nn.Linear(4096, 4096), nn.ReLU(),
                         nn.Dropout(), nn.Linear(4096, 1000)]

    alexnet = [nn.Conv2d(3, 64, 11, 4, 2), nn.ReLU(), nn.MaxPool2d(3, 2),
               nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
               nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(),
               nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(),
               nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2),
               nn.AdaptiveAvgPool2d(6), nn.Flatten(), nn.Dropout(), nn.Linear(9216, 4096),
               nn.ReLU(), nn.Dropout(), nn.Linear(4096, 4096), nn.ReLU(),
               nn.Linear(4096, 1000)]
    pool = {"ceil_mode": True}
    googlenet = [basic_conv(3, 64, kernel_size=7, stride=2, padding=3),
                 nn.MaxPool2d(3, 2, **pool), basic_conv(64, 64, kernel_size=1),
                 basic_conv(64, 192, kernel_size=3, padding=1), nn.MaxPool2d(3, 2, **pool),
                 Inception(192, 64, 96, 128, 16, 32, 32),
                 Inception(256, 128, 128, 192, 32, 96, 64), nn.MaxPool2d(3, 2, **pool),
                 Inception(480, 192, 96, 208, 16, 48, 64),
                 Inception(512, 160, 112, 224, 24, 64, 64),
                 Inception(512, 128, 128, 256, 24, 64, 64),
                 Inception(512, 112, 144, 288, 32, 64, 64),
                 Inception(528, 256, 160, 320, 32, 128, 128), nn.MaxPool2d(2, 2, **pool),
                 Inception(832, 256, 160, 320, 32, 128, 128),
                 Inception(832, 384, 192, 384, 48, 128, 128), nn.AdaptiveAvgPool2d(1),
                 nn.Flatten(), nn.Dropout(0.2), nn.Linear(1024, 1000)]
    return {"alexnet": alexnet, "vgg16": vgg(), "resnet18": resnet((2, 2, 2, 2), False),
                   "resnet50": resnet((3, 4, 6, 3), True), "googlenet": googlenet}


@pytest.mark.parametrize("name", ["alexnet", "vgg16", "resnet18", "resnet50", "googlenet"])
def test_every_layer_matches_a_pytorch_reference(name):
    torch = pytest.importorskip("torch")
    # On the meta device modules have shapes but no memory and no arithmetic: instant.
    with torch.device("meta"):
        modules = _torch_references(torch)[name]
        x = torch.empty(1, *INPUT[name])
        shapes = []
        for module in modules:
            x = module(x)
            shapes.append(tuple(x.shape[1:]))
    rows = summarize(classic(name), INPUT[name])
    assert [r["output_shape"] for r in rows] == shapes
    assert [r["params"] for r in rows] == [sum(p.numel() for p in m.parameters())
                                           for m in modules]


# -- building a trainable network -------------------------------------------------------


def test_build_gives_a_network_with_the_same_shapes_and_counts():
    spec = [arch.conv(4, 3, padding=1), arch.batchnorm(), arch.relu(),
            arch.residual([arch.conv(4, 3, padding=1), arch.relu(),
                           arch.conv(4, 3, padding=1)], activation="relu"),
            arch.concat([arch.conv(2, 1)], [arch.separable(3, 3, padding=1)]),
            arch.depthwise(3, multiplier=2), arch.maxpool(2), arch.dropout(0.2),
            arch.global_avgpool(), arch.dense(3)]
    net = arch.build(spec, (1, 10, 10), seed=1)
    assert net.num_params == count_params(spec, (1, 10, 10))
    y = net.eval()(np.zeros((2, 1, 10, 10), dtype=np.float32))
    assert y.shape == (2, 3)
    np.testing.assert_array_equal(arch.build(spec, (1, 10, 10), seed=1)[0].params["W"],
                                  net[0].params["W"])


def test_build_runs_an_inception_module():
    module = [arch.inception(4, 2, 4, 2, 4, 2, five_by_five=5, batch_norm=False)]
    net = arch.build(module, (6, 8, 8))
    assert net.num_params == count_params(module, (6, 8, 8))
    y = net.eval()(np.random.default_rng(0).random((2, 6, 8, 8), dtype=np.float32))
    assert y.shape == (2, *arch.output_shape(module, (6, 8, 8))) == (2, 14, 8, 8)


def test_build_refuses_what_nn_does_not_have():
    with pytest.raises(ValueError, match="adaptive avgpool"):
        arch.build(classic("alexnet"), (3, 224, 224))
    with pytest.raises(SpecError, match="larger than its input"):
        arch.build([arch.maxpool(4)], (1, 2, 2))
    with pytest.raises(ValueError, match="without ceil mode"):
        arch.build([arch.maxpool(2, ceil_mode=True)], (1, 5, 5))
    with pytest.raises(ValueError, match="only ungrouped convolutions with bias"):
        arch.build([arch.conv(2, 3, bias=False)], (1, 5, 5))


# -- plots and interactive views ---------------------------------------------------------


def test_sweep_and_curve_plots_draw_what_they_are_given():
    from lessons_lib.plots import architectures as plots

    sweep = {"xlabel": "depth", "runs": [
        {"label": "1", "params": 10, "train_accuracy": [0.8, 0.82, 0.84],
         "val_accuracy": [0.7, 0.7, 0.7],
         "history": [{"loss": [1.0, 0.5], "val_accuracy": [0.5, 0.7]},
                     {"loss": [1.0, 0.4, 0.3], "val_accuracy": [0.5, 0.7, 0.7]}]},
        {"label": "2", "params": 20, "train_accuracy": [None, 0.5, 0.6],
         "val_accuracy": [None, 0.4, 0.5], "diverged": ["boom", None, None],
         "history": [{"loss": [1.0, None], "val_accuracy": [0.4, None]}]}]}
    fig = plots.plot_sweep_results(sweep)
    ax = fig.axes[0]
    # The means with their error bars: train (0.82 ± 0.02, 0.55 ± 0.07), validation.
    means = [np.asarray(c.lines[0].get_ydata(), float) for c in ax.containers]
    np.testing.assert_allclose(means[0], [0.82, 0.55])
    np.testing.assert_allclose(means[1], [0.7, 0.45])
    bars = ax.containers[0].lines[2][0].get_segments()
    np.testing.assert_allclose([seg[:, 1] for seg in bars],
                               [[0.8, 0.84], [0.55 - 0.0707107, 0.55 + 0.0707107]], atol=1e-6)
    fig = plots.plot_run_curves(sweep["runs"])
    lines = fig.axes[0].get_lines()
    # Two seeds and their mean over the two epochs both ran; the diverged run stops
    # where it left off and has no mean (no seed of it finished); the legend says so.
    assert [len(line.get_xdata()) for line in lines] == [2, 3, 2, 1, 0]
    assert any(t.get_text() == "diverged" for t in fig.axes[0].texts)
    assert len(fig.axes[0].collections) == 1  # one ± sd band: the run with two seeds
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["1 (2 seeds)", "2"]


def test_gradient_norms_and_comparison_show_their_spread():
    from lessons_lib.plots import architectures as plots

    fig = plots.plot_gradient_norms({"relu": [[1.0, 10.0], [1.0, 1000.0]]})
    line = fig.axes[0].containers[0].lines[0]
    np.testing.assert_allclose(line.get_ydata(), [1.0, 100.0])  # geometric means
    fig = plots.plot_comparison(["a", "b"], [0.5, 0.8], ylabel="accuracy",
                                errors=[(0.1, 0.2), (0.05, 0.05)])
    segments = fig.axes[0].containers[1].lines[2][0].get_segments()
    np.testing.assert_allclose([seg[:, 1] for seg in segments], [[0.4, 0.7], [0.75, 0.85]])
    assert [t.get_text() for t in fig.axes[0].texts] == ["0.50", "0.80"]


def test_breakdown_plot_moves_its_bars():
    from lessons_lib.plots import architectures as plots

    fig = plots.new_figure(6, 2)
    plot = plots.BreakdownPlot(fig.add_subplot(), arch.breakdown(classic("vgg16"),
                                                                 INPUT["vgg16"]))
    dense = plot.bars["params", "dense"]
    assert round(dense.get_width(), 2) == 0.89
    assert dense.get_x() == pytest.approx(plot.bars["params", "convolution"].get_width())
    plot.update(arch.breakdown(classic("resnet50"), INPUT["resnet50"]))
    assert plot.bars["params", "dense"] is dense and round(dense.get_width(), 2) == 0.08
    assert sum(plot.bars["macs", c].get_width() for c in arch.CATEGORIES) == pytest.approx(1)


def test_browser_switches_networks_sizes_and_reports_impossible_inputs():
    from lessons_lib.widgets.architectures import ArchitectureBrowser

    view = ArchitectureBrowser("alexnet")
    assert len(view.rows) == len(classic("alexnet"))
    assert "61,100,840 parameters" in view.message.value
    assert view.breakdown.shares("params")["dense"] > 0.95
    view.network.value = "xception"
    assert view.input_size.value == 299 and "22,910,480" in view.message.value
    assert "block13" in view.table.value
    view.network.value = "vgg16"
    view.input_size.value = 16
    assert view.rows == [] and "Cannot build" in view.message.value
    assert "larger than its input" in view.message.value and view.table.value == ""
    view.input_size.value = 224
    view.expand.value = True
    assert any(r["depth"] == 0 for r in view.rows) and "138,357,544" in view.message.value


def test_builder_reports_a_layer_that_no_longer_fits_in_the_view():
    from lessons_lib.widgets.architectures import ArchitectureBuilder

    view = ArchitectureBuilder(input_size=32)
    assert view.error == "" and not view.train.disabled
    assert view.rows[-1]["output_shape"] == (3,)
    view.layers.index = 5  # after the second pooling: 16 × 8 × 8
    view.kind.value = "maxpool"
    view.size.value, view.stride.value = 11, 1
    view.add.click()
    assert "pooling window (11) is larger than its input (8)" in view.error
    assert "Cannot build" in view.message.value and view.train.disabled
    assert view.table.value == ""
    view.remove.click()
    assert view.error == "" and len(view.spec) == 8
    view.layers.index = 7
    view.kind.value, view.channels.value = "dense", 5
    view.replace.click()
    assert "must end with dense 3" in view.error and view.train.disabled
    view.layers.index = 6
    view.remove.click()  # flatten
    assert "put flatten or global pooling before it" in view.error
    view.input_size.value = 16
    while view.spec:
        view.remove.click()
    assert "empty" in view.error


def test_builder_controls_make_every_kind_of_layer():
    from lessons_lib.widgets.architectures import BUILDER_KINDS, layer_from_controls

    for kind in BUILDER_KINDS:
        assert layer_from_controls(kind)["kind"] == kind
    with pytest.raises(ValueError, match="kind must be one of"):
        layer_from_controls("attention")


def test_builder_trains_the_network_it_shows():
    from lessons_lib.datasets import detector_events
    from lessons_lib.widgets.architectures import ArchitectureBuilder

    images, labels, _ = detector_events(64, seed=3, image_size=16)
    view = ArchitectureBuilder([arch.conv(2, 3, padding=1), arch.relu(), arch.maxpool(2),
                                arch.flatten(), arch.dense(3)], input_size=16,
                               data=(images, labels))
    view.epochs.value = 2
    view.train.click()
    assert len(view.history["loss"]) == 2
    assert len(view.curves.loss_line.get_xdata()) == 2
    assert "validation accuracy" in view.message.value


# -- the cached experiments -------------------------------------------------------------


@pytest.mark.parametrize("name", arch.NAMES)
def test_specs_survive_a_trip_through_json(name):
    import json

    spec = classic(name)
    assert arch.spec_from_json(json.loads(json.dumps(spec))) == spec


def test_cached_sweeps_match_their_specs():
    results = arch.load_sweeps()
    size = results["meta"]["image_size"]
    runs = [run for sweep in results["sweeps"].values() for run in sweep["runs"]]
    assert len(runs) >= 25
    for run in runs:
        assert arch.count_params(run["spec"], (1, size, size)) == run["params"], run["label"]
        assert arch.count_macs(run["spec"], (1, size, size)) == run["macs"], run["label"]
    assert set(results) >= {"meta", "sweeps", "transfer", "workflow"}


def test_sweep_tables_and_sentences_show_mean_and_sd_and_no_test_column():
    results = arch.load_sweeps()
    for sweep in results["sweeps"].values():
        table = arch.format_sweep(sweep)
        assert "test" not in table and "±" in table
    first, second = results["sweeps"]["layers"]["runs"][:2]
    sentence = sweeps_module.compare_text(first, second)
    assert sentence.count("±") == 2 and "seeds" in sentence


def test_missing_sweeps_file_says_how_to_make_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="tools/run_sweeps.py"):
        arch.load_sweeps(tmp_path / "nothing.json")


def test_builder_forgets_the_curves_of_a_network_it_no_longer_shows():
    from lessons_lib.datasets import detector_events
    from lessons_lib.widgets.architectures import ArchitectureBuilder

    images, labels, _ = detector_events(64, seed=3, image_size=16)
    view = ArchitectureBuilder([arch.conv(2, 3, padding=1), arch.relu(), arch.maxpool(2),
                                arch.flatten(), arch.dense(3)], input_size=16,
                               data=(images, labels))
    view.epochs.value = 1
    view.train.click()
    assert len(view.curves.loss_line.get_xdata()) == 1
    view.layers.index = 1
    view.kind.value = "tanh"
    view.replace.click()
    assert view.history["loss"] == [] and len(view.curves.loss_line.get_xdata()) == 0
    assert view.curves.note.get_text() == "not trained yet"


def test_browser_empties_its_bars_when_the_input_is_too_small():
    from lessons_lib.widgets.architectures import ArchitectureBrowser

    view = ArchitectureBrowser("alexnet", input_size=512)
    assert view.breakdown.bars["params", "dense"].get_width() > 0.9
    view.input_size.value = 16
    assert all(bar.get_width() == 0 for bar in view.breakdown.bars.values())
    assert "does not fit a 16×16 input" in view.fig.get_suptitle()
    view.input_size.value = 224
    assert view.breakdown.bars["params", "dense"].get_width() > 0.9
    assert "where the parameters" in view.fig.get_suptitle()


def test_views_and_figures_fit_a_projector_slide():
    from lessons_lib.plots import MAX_VIEW_PX, check_projector_ready
    from lessons_lib.plots import architectures as plots
    from lessons_lib.widgets.architectures import ArchitectureBrowser, ArchitectureBuilder

    for name in arch.NAMES:
        view = ArchitectureBrowser(name)
        check_projector_ready(view.fig, MAX_VIEW_PX)
    check_projector_ready(ArchitectureBuilder().fig, MAX_VIEW_PX)
    sweep = {"xlabel": "filters in the two convolution layers", "runs": [
        {"label": f"{n}-{2 * n}", "params": 10 * n, "train_accuracy": [0.8, 0.81, 0.79],
         "val_accuracy": [0.7, 0.72, 0.71],
         "history": [{"loss": [1.0, 0.5], "val_accuracy": [0.5, 0.7]}] * 3}
        for n in range(4)]}
    for fig in (plots.plot_sweep_results(sweep), plots.plot_run_curves(sweep["runs"]),
                plots.plot_breakdown(arch.breakdown(classic("alexnet"), INPUT["alexnet"]),
                                     title="AlexNet"),
                plots.plot_receptive_fields([arch.receptive_field_weights([3, 3])], ["a"]),
                plots.plot_events(np.zeros((8, 1, 16, 16)), ["true a\nsaid b"] * 8),
                plots.plot_gradient_norms({"sigmoid": [[1e-4, 1e-2, 1.0]] * 3}),
                plots.plot_comparison(["as it is\n(no training)", "frozen features\n+ new head",
                                       "fine-tuned", "from scratch"], [0.6, 0.8, 0.7, 0.6],
                                      ylabel="validation accuracy", errors=[(0.03, 0.03)] * 4,
                                      title="a noisier detector, 200 labelled events")):
        check_projector_ready(fig)


def test_breakdown_and_training_plots_make_their_own_figure():
    from lessons_lib.plots import architectures as plots

    plot = plots.BreakdownPlot(None, arch.breakdown(classic("vgg16"), INPUT["vgg16"]),
                               size=(5.6, 2.2))
    assert plot.ax.figure is plot.fig and tuple(plot.fig.get_size_inches()) == (5.6, 2.2)
    plot.set_heading("vgg")
    assert plot.fig.get_suptitle() == "vgg"
    plot.clear()
    assert all(bar.get_width() == 0 for bar in plot.bars.values())
    curves = plots.TrainingPlot()
    assert len(curves.fig.axes) == 2 and curves.axes[0].figure is curves.fig


def test_every_kind_round_trips_through_json_and_describes_itself():
    spec = [arch.conv(4, 3, padding=1), arch.depthwise(3, padding=1), arch.separable(4, 3),
            arch.batchnorm(), arch.relu(), arch.sigmoid(), arch.tanh(), arch.dropout(0.1),
            arch.maxpool(2), arch.avgpool(1), arch.residual([arch.conv(4, 1)], activation="relu"),
            arch.concat([arch.conv(2, 1)], [arch.conv(2, 1), arch.relu()]),
            arch.block([arch.conv(2, 1), arch.relu()]), arch.adaptive_avgpool(2),
            arch.global_avgpool(), arch.flatten(), arch.dense(3)]
    assert {layer["kind"] for layer in spec} == set(arch.KINDS)
    assert arch.spec_from_json(json.loads(json.dumps(spec))) == spec
    assert all(isinstance(arch.describe(layer), str) for layer in spec)


def test_a_new_kind_of_layer_is_one_class_in_the_table():
    from lessons_lib.architectures.kinds import KINDS, LayerKind, register
    from lessons_lib.nn import advanced

    @register
    class Square(LayerKind):
        """y = x², element-wise; built as a sigmoid so that build has something to return."""

        name = "square"

        def build(self, spec, shape, rng):
            return advanced.Sigmoid()

    try:
        spec = [arch.conv(2, 3), {"kind": "square"}, arch.maxpool(2)]
        rows = summarize(spec, (1, 8, 8))
        assert [r["layer"] for r in rows] == ["conv 3×3, 2", "square", "maxpool 2×2, stride 2"]
        assert receptive_field(spec) == (4, 2)
        assert arch.build(spec, (1, 8, 8)).num_params == count_params(spec, (1, 8, 8))
    finally:
        del KINDS["square"]
