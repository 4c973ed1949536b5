"""The table of layer kinds, and the walks over a spec that consult it.

A layer spec is a plain dict: its ``"kind"`` and that kind's settings. Everything the
course knows about a kind lives in ONE class, registered in :data:`KINDS` under the
kind's name: its description, what it does to a shape (output shape, parameters,
multiply-accumulates), its window for the receptive field, its ``lessons_lib.nn``
layer, and, for a block, the lists of specs inside it. The functions below
(:func:`describe`, :func:`analyse`, :func:`build_list`, :func:`receptive_field`) look
the kind up and ask it; adding a kind means adding one class
(:mod:`lessons_lib.architectures.layers`, :mod:`lessons_lib.architectures.blocks`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lessons_lib import shapes
from lessons_lib._validate import choice, int_tuple, positive_int


class SpecError(ValueError):
    """A layer that cannot be applied to the shape it receives (says which and why)."""


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


KINDS: dict[str, LayerKind] = {}
"""Every kind of layer a spec can hold: name → its :class:`LayerKind`."""


def register(cls):
    """Class decorator: put one instance of a :class:`LayerKind` in :data:`KINDS`."""
    KINDS[cls.name] = cls()
    return cls


class LayerKind:
    """One kind of layer: everything the architecture tables need to know about it.

    A subclass sets :attr:`name` (the spec's ``"kind"``) and overrides what differs
    from these defaults, which describe a layer that keeps its input's shape, holds
    no parameters, does no multiply-accumulates, keeps each pixel where it is and has
    no ``lessons_lib.nn`` counterpart.
    """

    name = ""
    category = None
    """Where :func:`lessons_lib.architectures.breakdown` counts its parameters and MACs."""
    pairs = ()
    """Settings stored as ``(height, width)`` tuples (JSON turns them into lists)."""
    hidden_in_paths = False
    """Left out of the one-line description of a block's path (batch norm, ReLU)."""
    make = None
    """The constructor of the kind (:func:`~lessons_lib.architectures.conv` for "conv"):
    a spec must be what it makes from the spec's own settings."""

    def remake(self, settings: dict) -> dict:
        """The spec :attr:`make` makes from ``settings`` (a spec's entries but "kind")."""
        return type(self).make(**settings)

    def describe(self, spec) -> str:
        """A short human description, as in the tables: ``"conv 3×3, 16, pad 1"``."""
        return self.name

    def short(self, spec) -> str:
        """A few characters for the layer inside a block's path: ``"3×3 128"``."""
        return self.name

    def joined(self, spec) -> str:
        """How the layer follows the first one in a block's description."""
        return f" + {self.describe(spec)}"

    def analyse(self, spec, shape) -> Analysis:
        """Output shape, parameters and MACs on an input of ``shape`` (no batch axis)."""
        return self.analysis(spec, shape, shape)

    def window(self, spec):
        """``(size, stride)`` of the layer's window along one side, for the receptive field.

        None for a layer after which every output sees the whole input (flatten,
        global pooling, dense): the receptive field stops growing there.
        """
        return (1, 1)

    def build(self, spec, shape, rng):
        """The ``lessons_lib.nn`` layer for ``spec`` on inputs of ``shape``."""
        buildable = [name for name, kind in KINDS.items()
                     if type(kind).build is not LayerKind.build]
        raise ValueError(f"{describe(spec)}: lessons_lib.nn has no such layer; build supports "
                         f"{', '.join(buildable[:-1])} and {buildable[-1]}")

    def paths(self, spec) -> list[list[dict]]:
        """The lists of specs inside the layer (a block's layers, a residual's body...)."""
        return []

    def from_json(self, item: dict) -> dict:
        """The spec as read from JSON, its pairs turned back into tuples."""
        for key in self.pairs:
            if isinstance(item.get(key), list):
                item[key] = tuple(item[key])
        return item

    def analysis(self, spec, shape, output_shape, *, params=0, trainable=0, macs=0,
                 children=()) -> Analysis:
        """An :class:`Analysis` of ``spec`` with its kind and description filled in."""
        return Analysis(self.name, describe(spec), shape, tuple(output_shape), params,
                        trainable, macs, list(children))


# -- walks over specs ---------------------------------------------------------------


def kind_of(spec) -> LayerKind:
    """The :class:`LayerKind` of a layer spec, or a TypeError naming what is wrong."""
    if not isinstance(spec, dict) or spec.get("kind") not in KINDS:
        raise TypeError(f"a layer spec must be a dict with 'kind' in {tuple(KINDS)}, "
                        f"got {spec!r:.100}")
    return KINDS[spec["kind"]]


def checked_kind(spec) -> LayerKind:
    """:func:`kind_of`, once ``spec`` is found to be what its kind's constructor makes.

    A dict written by hand (or read from a file) with a missing, extra or mistyped
    setting is refused here, by name, rather than failing somewhere inside a table.

    Raises
    ------
    TypeError
        If ``spec`` is not a dict with a known "kind", or its settings are not those
        the constructor makes.
    ValueError
        If a setting is out of range (as the constructor says).
    """
    kind = kind_of(spec)
    if kind.make is not None:
        settings = {key: value for key, value in spec.items() if key != "kind"}
        try:
            made = kind.remake(settings)
        except TypeError as error:
            raise TypeError(f"the layer spec {spec!r:.100} is not what "
                            f"{kind.make.__name__}(...) makes: {error}") from None
        for key in sorted(made.keys() | spec.keys()):
            if made.get(key) != spec.get(key):
                raise TypeError(f"the layer spec {spec!r:.100}: {key!r} is {spec.get(key)!r}, "
                                f"where {kind.make.__name__}(...) makes {made.get(key)!r}; "
                                f"make specs with the constructors")
    return kind


def describe(spec) -> str:
    """A short human description of a layer spec.

    Examples
    --------
    >>> from lessons_lib.architectures import conv, maxpool
    >>> describe(conv(64, 11, stride=4, padding=2))
    'conv 11×11, 64, stride 4, pad 2'
    >>> describe(maxpool(3, 2, ceil_mode=True))
    'maxpool 3×3, stride 2, ceil'
    """
    return checked_kind(spec).describe(spec)


def path_description(layers) -> str:
    """A path of layers in a few characters: ``"3×3 64→3×3 64"`` (batch norm, ReLU left out)."""
    return "→".join(kind_of(s).short(s) for s in layers if not kind_of(s).hidden_in_paths)


def analyse(spec, input_shape) -> Analysis:
    """Output shape, parameters and MACs of one layer spec on one input shape.

    Parameters
    ----------
    spec : dict
        A layer spec.
    input_shape : tuple of int
        (C, H, W) for an image, (features,) for a flat vector; no batch axis.

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
    kind = checked_kind(spec)
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) not in (1, 3):
        raise ValueError(f"input_shape must be (C, H, W) or (features,), got {input_shape!r}")
    return kind.analyse(spec, tuple(positive_int(n, "input_shape") for n in input_shape))


def analyse_list(layers, shape, prefix=""):
    """Each layer of a list on the shape the one before it gives: ``(shape, children)``."""
    children = []
    for i, layer in enumerate(layers):
        name = prefix + str(layer.get("name", i) if isinstance(layer, dict) else i)
        try:
            result = analyse(layer, shape)
        except (TypeError, ValueError) as error:
            text = str(error)
            if text.startswith("layer "):
                # Raised inside a block: name the path to the layer, outside in.
                raise type(error)(f"layer {name}.{text[len('layer '):]}") from None
            where = f"{name} ({describe(layer)})" if isinstance(error, SpecError) else name
            raise type(error)(f"layer {where}: {text}") from None
        children.append((name, result))
        shape = result.output_shape
    return shape, children


def combine(kind, spec, shape, output_shape, children) -> Analysis:
    """A block's analysis: its children's parameters and MACs added up."""
    return kind.analysis(spec, shape, output_shape,
                         params=sum(a.params for _, a in children),
                         trainable=sum(a.trainable for _, a in children),
                         macs=sum(a.macs for _, a in children), children=children)


def build_list(layers, shape, rng):
    """The ``lessons_lib.nn`` layers of a list of specs: ``(layers, output shape)``."""
    built = []
    for layer in layers:
        built.append(checked_kind(layer).build(layer, shape, rng))
        shape = analyse(layer, shape).output_shape
    return built, shape


def receptive_field(spec) -> tuple[int, int]:
    r"""Receptive field r and jump of a network's last spatial layer (square windows).

    Each window of size k and stride s grows the field by (k − 1)·jump and multiplies
    the jump (the input distance between neighbouring outputs) by s:
    :math:`r \leftarrow r + (k - 1)\,\text{jump}`, :math:`\text{jump} \leftarrow \text{jump}\; s`
    (:func:`lessons_lib.shapes.receptive_field`). Branches and residual paths take the
    largest field. Layers after flatten or global pooling see the whole input and are
    not counted.

    Examples
    --------
    Two stacked 3×3 convolutions see what one 5×5 sees (VGG's argument):

    >>> from lessons_lib.architectures import conv
    >>> receptive_field([conv(1, 3), conv(1, 3)]), receptive_field([conv(1, 5)])
    ((5, 1), (5, 1))
    """
    windows = []
    for layer in check_spec(spec):
        window = checked_kind(layer).window(layer)
        if window is None:
            break
        windows.append(window)
    fields = shapes.receptive_field(windows)
    return fields[-1] if fields else (1, 1)


def check_spec(spec) -> list:
    """``spec`` as a list of layer specs, or a TypeError."""
    if not isinstance(spec, (list, tuple)) or not spec:
        raise TypeError(f"spec must be a non-empty list of layer specs, got {spec!r:.100}")
    return list(spec)


def check_layers(layers, name: str) -> list:
    """``layers`` (a block's body, a branch...) as a list of layer specs, or a TypeError."""
    if not isinstance(layers, (list, tuple)) or not all(isinstance(s, dict) for s in layers):
        raise TypeError(f"{name} must be a list of layer specs, got {layers!r:.100}")
    return list(layers)


def check_input_shape(input_shape) -> tuple:
    """``input_shape`` as a (C, H, W) tuple of positive ints, or a ValueError."""
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3:
        raise ValueError(f"input_shape must be (C, H, W), got {input_shape!r}")
    return tuple(positive_int(n, "input_shape") for n in input_shape)


# -- settings shared by the kinds ---------------------------------------------------


def named(spec, name):
    """``spec`` with its optional display name."""
    if name is not None:
        if not isinstance(name, str):
            raise TypeError(f"name must be a str or None, got {name!r}")
        spec["name"] = name
    return spec


def padding_setting(padding):
    """An int or pair of ints, or Keras's "same" or "valid"."""
    if isinstance(padding, str):
        return choice(padding, "padding", ("same", "valid"))
    return int_tuple(padding, "padding", 2, minimum=0)


def need_image(shape, spec):
    """Raise unless ``shape`` is an image (C, H, W)."""
    if len(shape) != 3:
        raise SpecError(f"{spec['kind']} needs an image (C, H, W) but receives {shape}; "
                        "it cannot come after flatten, global pooling or dense")


def window_output(spec, shape, k, what):
    """Height and width after a window of size ``k`` (with the spec's stride and padding)."""
    _, h, w = shape
    s, p = spec["stride"], spec["padding"]
    if isinstance(p, tuple) and (p[0] > k[0] // 2 or p[1] > k[1] // 2) and what != "filter":
        raise SpecError(f"padding {p} is more than half the window {k}")
    pads = (0, 0) if p == "valid" else ("same", "same") if p == "same" else p
    return [window_size(n, kk, st, pp, ceil_mode=spec.get("ceil_mode", False), what=what)
            for n, kk, st, pp in zip((h, w), k, s, pads, strict=True)]


def window_size(n, k, stride, padding, *, ceil_mode=False, what="window") -> int:
    """:func:`lessons_lib.shapes.output_size`, with a window that does not fit as a SpecError."""
    try:
        return shapes.output_size(n, k, stride, padding, ceil_mode=ceil_mode, what=what)
    except ValueError as error:
        raise SpecError(str(error)) from None


def window_text(spec, channels="", *, always_stride=False) -> str:
    """``"3×3, 16, stride 2, pad 1"``: a window's size, channels, stride and padding."""
    k = spec["kernel_size" if "kernel_size" in spec else "size"]
    stride, padding = spec["stride"], spec["padding"]
    text = f"{k[0]}×{k[1]}" + (f", {channels}" if channels else "")
    if stride != (1, 1) or always_stride:
        text += f", stride {stride[0] if stride[0] == stride[1] else stride}"
    if isinstance(padding, str):
        text += f", {padding}" if padding == "same" else ""
    elif padding != (0, 0):
        text += f", pad {padding[0] if padding[0] == padding[1] else padding}"
    return text


def built_padding(spec):
    """The spec's padding as ``lessons_lib.nn`` layers take it: a pair of ints."""
    padding = spec["padding"]
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0)
        raise ValueError(f"{describe(spec)}: 'same' padding is not built; use an int padding")
    return padding
