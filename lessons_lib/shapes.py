r"""Sizes of sliding-window outputs and receptive fields: one formula each, for every module.

A window of size ``K`` (a filter of ``K`` taps; a pooling window of ``k`` cells, as
lesson 03 writes it) slides along an axis of length ``H``
(the height; the same holds for the width ``W``) padded by ``p`` on each side, one
position every ``s`` (the stride). It fits at

.. math:: H' = 1 + \left\lfloor \frac{H + 2p - K}{s} \right\rfloor

positions: the output size of :func:`lessons_lib.convolution.correlate`,
:func:`lessons_lib.pooling.max_pool`, :class:`lessons_lib.nn.Conv2D` and of every layer
in :mod:`lessons_lib.architectures` (:func:`output_size`).

Stacked windows see more and more of the input. After a layer of window ``K`` and
stride ``s`` one output depends on a square of side ``r`` of the input (the
receptive field) and neighbouring outputs are a *jump* of input pixels apart:

.. math:: r \leftarrow r + (K - 1)\, \text{jump}, \qquad \text{jump} \leftarrow \text{jump}\; s

starting from ``r = jump = 1`` (:func:`receptive_field`).
"""

from __future__ import annotations

import numpy as np

from lessons_lib._validate import brief, positive_int


def output_size(length, k, stride=1, padding=0, *, ceil_mode=False, what="window") -> int:
    """The number of positions of a window of size ``k`` (``K``) along an axis of ``length`` cells.

    Parameters
    ----------
    length : int
        ``H`` (or ``W``): the input's size along the axis, before padding.
    k : int
        Size of the window along the axis: ``K``, the number of taps of a filter, or
        the side of a pooling window (lesson 03's ``k``).
    stride : int, default 1
        ``s``: distance between neighbouring window positions.
    padding : int or "same", default 0
        ``p``: cells added on each side. "same" is Keras's rule, ``H' = ⌈H / s⌉``
        whatever ``k`` (the padding is chosen to make it so).
    ceil_mode : bool, default False
        Round up instead of down, keeping a last, partial window, as PyTorch's pooling
        option does; the last window must still start inside the input or the left
        padding.
    what : str, default "window"
        How the error message calls the window ("filter", "pooling window").

    Returns
    -------
    size : int
        ``H' = 1 + (H + 2p - K) // s`` (floor), at least 1.

    Raises
    ------
    TypeError
        If ``length``, ``k``, ``stride`` or ``padding`` is not an integer (or "same"
        for ``padding``), or ``ceil_mode`` is not a bool.
    ValueError
        If one of them is out of range, or the window is larger than the padded input.

    Examples
    --------
    >>> output_size(8, 3)
    6
    >>> output_size(64, 5, stride=1, padding=2)
    64
    >>> output_size(7, 3, stride=2)
    3
    >>> output_size(16, 3, stride=2, ceil_mode=True), output_size(16, 3, stride=2)
    (8, 7)
    >>> output_size(299, 3, stride=2, padding="same")
    150
    >>> output_size(3, 4, what="pooling window")
    Traceback (most recent call last):
    ...
    ValueError: the pooling window (4) is larger than its input (3)
    """
    length, k = positive_int(length, "length"), positive_int(k, "k")
    stride = positive_int(stride, "stride")
    if not isinstance(ceil_mode, (bool, np.bool_)):
        raise TypeError(f"ceil_mode must be True or False, got {brief(ceil_mode)}")
    if isinstance(padding, str):
        if padding != "same":
            raise ValueError(f"padding must be an integer >= 0 or 'same', got {padding!r}")
        return -(-length // stride)
    padding = positive_int(padding, "padding", minimum=0)
    span = length + 2 * padding
    if ceil_mode:
        size = -(-(span - k) // stride) + 1
        if size > 1 and (size - 1) * stride >= length + padding:
            size -= 1
    else:
        size = (span - k) // stride + 1
    if size < 1:
        padded = f" + padding {2 * padding}" if padding else ""
        raise ValueError(f"the {what} ({k}) is larger than its input ({length}{padded})")
    return size


def receptive_field(layers) -> list[tuple[int, int]]:
    """How many input pixels each output of a stack of windowed layers sees.

    Parameters
    ----------
    layers : sequence of (size, stride)
        Window (or filter) size and stride of each layer, first layer first; a layer
        that keeps every pixel where it is (an activation) is ``(1, 1)``.

    Returns
    -------
    fields : list of (field, jump)
        After each layer: the side ``r`` of the input square that one output depends
        on, ``r += (size - 1) * j``, and the distance ``j`` in input pixels between
        neighbouring outputs, ``j *= stride``.

    Raises
    ------
    TypeError
        If ``layers`` is not a sequence of pairs of integers.
    ValueError
        If a size or a stride is below 1.

    Examples
    --------
    Two 3 x 3 convolutions, each followed by 2 x 2 max pooling:

    >>> receptive_field([(3, 1), (2, 2), (3, 1), (2, 2)])
    [(3, 1), (4, 2), (8, 2), (10, 4)]
    """
    if not isinstance(layers, (list, tuple)) or not all(
            isinstance(layer, (list, tuple)) and len(layer) == 2 for layer in layers):
        raise TypeError(f"layers must be a list of (size, stride) pairs, got {brief(layers)}")
    field, jump, fields = 1, 1, []
    for number, (size, stride) in enumerate(layers):
        field += (positive_int(size, f"the size of layers[{number}]") - 1) * jump
        jump *= positive_int(stride, f"the stride of layers[{number}]")
        fields.append((field, jump))
    return fields
