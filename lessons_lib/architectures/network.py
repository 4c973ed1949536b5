"""A whole network from its spec: the table, the totals, where they live, the trainable net.

Every function here walks a spec (a list of layer specs) through
:func:`~lessons_lib.architectures.kinds.analyse_list`, which asks each layer's kind
(:data:`~lessons_lib.architectures.kinds.KINDS`) what it does to its input.
"""

from __future__ import annotations

import math

import numpy as np

from lessons_lib._validate import check_memory, positive_int
from lessons_lib.architectures.kinds import (
    analyse_list,
    build_list,
    check_input_shape,
    check_spec,
    kind_of,
)
from lessons_lib.nn.layers import Sequential, _flag, _rng


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
    TypeError, ValueError
        If ``spec`` is not a list of layer specs as the constructors make them
        (naming the layer), ``input_shape`` not three ints >= 1, or ``expand`` neither
        a bool nor an int >= 0.

    Examples
    --------
    >>> from lessons_lib.architectures import conv, maxpool
    >>> rows = summarize([conv(4, 5), maxpool(2)], (1, 12, 12))
    >>> [(r["layer"], r["output_shape"], r["params"]) for r in rows]
    [('conv 5×5, 4', (4, 8, 8), 104), ('maxpool 2×2, stride 2', (4, 4, 4), 0)]
    >>> summarize([maxpool(4)], (1, 3, 3))
    Traceback (most recent call last):
    ...
    lessons_lib.architectures.kinds.SpecError: layer 0 (maxpool 4×4, stride 4): the pooling window
    (4) is larger than its input (3)
    """
    spec, shape = check_spec(spec), check_input_shape(input_shape)
    if isinstance(expand, (bool, np.bool_)):
        max_depth = math.inf if expand else 0
    else:
        max_depth = positive_int(expand, "expand", minimum=0)
    _, children = analyse_list(spec, shape)
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
    >>> from lessons_lib.architectures import classic
    >>> count_params(classic("alexnet"), (3, 224, 224))
    61100840
    """
    key = "trainable" if _flag(trainable_only, "trainable_only") else "params"
    return int(sum(r[key] for r in summarize(spec, input_shape)))


def count_macs(spec, input_shape) -> int:
    """Total multiply-accumulates of one forward pass on one (C, H, W) image."""
    return int(sum(r["macs"] for r in summarize(spec, input_shape)))


def output_shape(spec, input_shape) -> tuple:
    """Shape of the network's output for one (C, H, W) input.

    Examples
    --------
    >>> from lessons_lib.architectures import conv, maxpool
    >>> output_shape([conv(6, 5), maxpool(2), conv(16, 5), maxpool(2)], (1, 32, 32))
    (16, 5, 5)
    """
    return summarize(spec, input_shape)[-1]["output_shape"]


# The layers that hold parameters or do multiply-accumulates; the others hold none.
CATEGORIES = ("convolution", "dense", "batch norm")


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
    >>> from lessons_lib.architectures import classic
    >>> totals = breakdown(classic("vgg16"), (3, 224, 224))
    >>> round(totals["params"]["dense"] / count_params(classic("vgg16"), (3, 224, 224)), 2)
    0.89
    >>> round(totals["macs"]["dense"] / count_macs(classic("vgg16"), (3, 224, 224)), 3)
    0.008
    """
    spec, shape = check_spec(spec), check_input_shape(input_shape)
    totals = {"params": dict.fromkeys(CATEGORIES, 0), "macs": dict.fromkeys(CATEGORIES, 0)}

    def visit(layer, analysis):
        kind = kind_of(layer)
        if analysis.children:
            inner = [child for path in kind.paths(layer) for child in path]
            for child, (_, child_analysis) in zip(inner, analysis.children, strict=True):
                visit(child, child_analysis)
            return
        if kind.category is None:
            return
        totals["params"][kind.category] += analysis.params
        totals["macs"][kind.category] += analysis.macs

    _, children = analyse_list(spec, shape)
    for layer, (_, analysis) in zip(spec, children, strict=True):
        visit(layer, analysis)
    return totals


def format_table(rows, *, total=True, names=False) -> str:
    """Rows of :func:`summarize` as a fixed-width text table (what a student prints).

    ``names=True`` adds a first column with the layer names.

    Raises
    ------
    TypeError
        If ``rows`` is not a non-empty list of :func:`summarize` rows, or ``total`` or
        ``names`` not a bool.
    """
    keys = {"name", "layer", "output_shape", "params", "macs", "depth"}
    if not isinstance(rows, (list, tuple)) or not rows or not all(
            isinstance(r, dict) and keys <= r.keys() for r in rows):
        raise TypeError(f"rows must be the non-empty list of dicts that summarize returns, "
                        f"got {rows!r:.80}")
    total, names = _flag(total, "total"), _flag(names, "names")
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

    Raises
    ------
    TypeError, ValueError
        If ``kernel_sizes`` is not a sequence of ints >= 1, or the r x r table would not
        fit in the machine's memory.

    Examples
    --------
    >>> receptive_field_weights([3, 3])[2]
    array([3, 6, 9, 6, 3])
    >>> receptive_field_weights([5])[2]
    array([1, 1, 1, 1, 1])
    """
    if isinstance(kernel_sizes, (str, bytes)) or not isinstance(kernel_sizes, (list, tuple)):
        raise TypeError(f"kernel_sizes must be a list of ints, got {kernel_sizes!r:.60}")
    sizes = [positive_int(k, "kernel_sizes") for k in kernel_sizes]
    r = 1 + sum(k - 1 for k in sizes)
    check_memory(8 * r * r, f"kernel_sizes with a receptive field of {r} pixels")
    line = np.ones(1, dtype=np.int64)
    for k in sizes:
        line = np.convolve(line, np.ones(k, dtype=np.int64))
    return np.outer(line, line)


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
        without bias, ...), or the network's weights and gradients would not fit in
        the machine's memory (checked before anything is built).
    TypeError
        If ``seed`` is not an int >= 0 (or a numpy Generator).

    Examples
    --------
    >>> from lessons_lib.architectures import conv, dense, flatten, maxpool, relu
    >>> net = build([conv(4, 3, padding=1), relu(), maxpool(2), flatten(), dense(3)],
    ...             (1, 8, 8))
    >>> net.num_params == count_params([conv(4, 3, padding=1), relu(), maxpool(2),
    ...                                 flatten(), dense(3)], (1, 8, 8))
    True
    """
    spec, shape = check_spec(spec), check_input_shape(input_shape)
    count = sum(r["params"] for r in summarize(spec, shape))
    rng = _rng(seed, "seed")
    # float32 weights and their gradients.
    check_memory(8 * count, f"a network of {count:,} parameters")
    layers, _ = build_list(spec, shape, rng)
    return Sequential(layers)
