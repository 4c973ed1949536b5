"""The kinds that hold other layers: a residual connection, parallel branches, a block.

Each holds lists of layer specs (its :meth:`~lessons_lib.architectures.kinds.LayerKind.paths`);
its analysis walks them with :func:`~lessons_lib.architectures.kinds.analyse_list` and adds
up their parameters and MACs, its receptive field is the largest of theirs, and it
builds the ``lessons_lib.nn`` container of their layers.
"""

from __future__ import annotations

from lessons_lib._validate import choice
from lessons_lib.architectures.kinds import (
    KINDS,
    LayerKind,
    SpecError,
    analyse_list,
    build_list,
    check_layers,
    combine,
    describe,
    kind_of,
    named,
    path_description,
    receptive_field,
    register,
)
from lessons_lib.architectures.layers import ACTIVATIONS
from lessons_lib.nn import advanced
from lessons_lib.nn import layers as nn


class _Container(LayerKind):
    """What the three containers share: lists of specs inside, each a path of its own."""

    def window(self, spec):
        # Each path is a stack of its own: the container acts as one window as large
        # as the largest field among them, with the largest jump.
        fields = [receptive_field(path) if path else (1, 1) for path in self.paths(spec)]
        return (max(f[0] for f in fields), max(f[1] for f in fields))


def _from_json(layers):
    return [kind_of(s).from_json(dict(s)) for s in layers]


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
    >>> from lessons_lib.architectures import conv, relu
    >>> body = [conv(8, 3, padding=1), relu(), conv(8, 3, padding=1)]
    >>> describe(residual(body, activation="relu"))
    'residual: 3×3 8→3×3 8 + x'
    """
    if activation is not None:
        choice(activation, "activation", ACTIVATIONS)
    return named({"kind": "residual", "body": check_layers(body, "body"),
                  "shortcut": check_layers(shortcut, "shortcut"), "activation": activation},
                 name)


@register
class Residual(_Container):
    """:func:`residual`: body and shortcut on the same input, added."""

    name = "residual"
    make = staticmethod(residual)

    def describe(self, spec):
        shortcut = " + 1×1 proj." if spec["shortcut"] else " + x"
        return f"residual: {path_description(spec['body'])}{shortcut}"

    def paths(self, spec):
        return [spec["body"], spec["shortcut"]]

    def from_json(self, item):
        item["body"], item["shortcut"] = _from_json(item["body"]), _from_json(item["shortcut"])
        return item

    def analyse(self, spec, shape):
        out, children = analyse_list(spec["body"], shape)
        short, short_children = analyse_list(spec["shortcut"], shape)
        if out != short:
            raise SpecError(f"the body gives {out} but the shortcut gives {short}: "
                            "they must match to be added (use a 1×1 projection shortcut)")
        return combine(self, spec, shape, out, children + short_children)

    def build(self, spec, shape, rng):
        body = build_list(spec["body"], shape, rng)[0]
        shortcut = build_list(spec["shortcut"], shape, rng)[0] or None
        activation = None if spec["activation"] is None else KINDS[spec["activation"]].build(
            {"kind": spec["activation"]}, shape, rng)
        return advanced.Residual(body, shortcut, activation)


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
    >>> from lessons_lib.architectures import analyse, conv
    >>> analyse(concat([conv(4, 1)], [conv(8, 3, padding=1)]), (8, 16, 16)).output_shape
    (12, 16, 16)
    """
    if not branches:
        raise ValueError("concat needs at least one branch")
    return named({"kind": "concat", "branches": [check_layers(b, f"branches[{i}]")
                                                 for i, b in enumerate(branches)]}, name)


@register
class Concat(_Container):
    """:func:`concat`: parallel branches, outputs stacked along channels."""

    name = "concat"
    make = staticmethod(concat)

    def remake(self, settings):
        branches = settings.pop("branches", None)
        if not isinstance(branches, list):
            raise TypeError(f"'branches' must be a list of lists of layer specs, got "
                            f"{branches!r:.60}")
        return concat(*branches, **settings)

    def describe(self, spec):
        return "concat: " + " | ".join(
            "→".join(kind_of(s).short(s) for s in branch) for branch in spec["branches"])

    def paths(self, spec):
        return spec["branches"]

    def from_json(self, item):
        item["branches"] = [_from_json(branch) for branch in item["branches"]]
        return item

    def analyse(self, spec, shape):
        children, outs = [], []
        for b, branch in enumerate(spec["branches"]):
            out, inner = analyse_list(branch, shape, f"branch{b + 1}.")
            if len(out) != 3:
                raise SpecError(f"branch {b + 1} gives {out}; concat needs images (C, H, W)")
            children += inner
            outs.append(out)
        if len({o[1:] for o in outs}) > 1:
            raise SpecError("the branches give different sizes "
                            + ", ".join(f"{o[1]}×{o[2]}" for o in outs)
                            + ": they must match to be stacked")
        return combine(self, spec, shape, (sum(o[0] for o in outs), *outs[0][1:]), children)

    def build(self, spec, shape, rng):
        return advanced.Concat([build_list(b, shape, rng)[0] for b in spec["branches"]])


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
    >>> from lessons_lib.architectures import conv, relu
    >>> describe(block([conv(8, 3), relu()], name="stem"))
    'conv 3×3, 8 + relu'
    """
    layers = check_layers(layers, "layers")
    if not layers:
        raise ValueError("layers must hold at least one layer spec, got an empty list")
    return named({"kind": "block", "layers": layers}, name)


@register
class Block(_Container):
    """:func:`block`: layers one after the other, shown as one row."""

    name = "block"
    make = staticmethod(block)

    def describe(self, spec):
        first, *rest = spec["layers"]
        return describe(first) + "".join(kind_of(s).joined(s) for s in rest)

    def short(self, spec):
        return path_description(spec["layers"])

    def paths(self, spec):
        return [spec["layers"]]

    def from_json(self, item):
        item["layers"] = _from_json(item["layers"])
        return item

    def analyse(self, spec, shape):
        out, children = analyse_list(spec["layers"], shape)
        return combine(self, spec, shape, out, children)

    def build(self, spec, shape, rng):
        return nn.Sequential(build_list(spec["layers"], shape, rng)[0])
