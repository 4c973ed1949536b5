r"""Layers of a convolutional network, each a forward/backward pair, in numpy.

Every layer follows one contract, the one of :class:`Layer`:

- ``forward(x)`` returns ``y`` and keeps, on the layer, what ``backward`` needs;
- ``backward(dout)`` takes :math:`\partial J / \partial y` (same shape as ``y``) and
  returns :math:`\partial J / \partial x` (same shape as ``x``); on the way it *adds*
  :math:`\partial J / \partial \theta` into ``grads[name]`` for each parameter;
- ``params`` maps a name to an array (the weights w under "W", as PyTorch's weight,
  and the bias b under "b"), ``grads`` the same names to arrays of the same shapes.

Inputs of image layers are batches shaped ``(N, C, H, W)``: N images, C channels.

Every ``forward`` and ``backward`` checks its argument before computing: ``x`` must be
a non-empty array of real numbers without NaN or inf (integers are computed in float32,
floats keep their dtype or take the weights'), ``dout`` an array of floats of the last
output's shape. A mistake is a TypeError or ValueError that names ``x`` or ``dout``, the
layer, what came and what would do; ``backward`` before any ``forward`` is a
RuntimeError saying so. Inside a network the NaN/inf scan runs once, where the batch
enters, and a request for more memory than :func:`lessons_lib._validate.check_memory`
allows is refused before anything is allocated.
"""

from __future__ import annotations

import contextvars
import math
import numbers

import numpy as np

from lessons_lib._validate import (
    as_array,
    as_float_array,
    brief,
    check_memory,
    int_tuple,
    positive_int,
)
from lessons_lib.fast import conv2d as fast_conv2d
from lessons_lib.fast import parallel as fast_parallel
from lessons_lib.fast import pooling as fast_pooling
from lessons_lib.fast.linalg import matmul
from lessons_lib.shapes import output_size


class Layer:
    r"""Base class of every layer: one step of the network and its derivative.

    The contract (subclasses in other modules rely on it; it does not change):

    ``forward(x) -> y``
        Computes the output for a batch ``x`` and stores on ``self`` whatever
        ``backward`` will need (the input, a mask, ...). Only the most recent call
        is remembered. ``layer(x)`` is the same as ``layer.forward(x)``.
    ``backward(dout) -> dx``
        Given ``dout`` = :math:`\partial J / \partial y` for the output of the most
        recent ``forward``, returns ``dx`` = :math:`\partial J / \partial x` and **adds**
        (``+=``) :math:`\partial J / \partial \theta` into ``self.grads[name]`` for each
        parameter. Gradients accumulate, as in PyTorch and micrograd: call
        :meth:`zero_grad` before each backward pass (``fit`` does).
    ``params``
        Dict name → ndarray of this layer's parameters (``"W"``, ``"b"``, ...) and,
        for a layer made of other layers, theirs too under dotted names
        (``"0.W"``, ``"attention.W_Q"``). Optimisers update these arrays **in
        place**: a subclass creates its arrays once, in ``__init__``, and never
        rebinds them afterwards.
    ``grads``
        Dict with the same keys as ``params``, arrays of the same shapes.
    ``training``
        True after :meth:`train` (the default), False after :meth:`eval`. Layers
        that behave differently at training time (Dropout) read it.

    A subclass calls ``super().__init__()``, then sets ``self.params`` and
    ``self.grads`` (or calls :meth:`add_param`), and implements ``forward`` and
    ``backward``. Layers stored as attributes (directly, or in a list or tuple) are
    found by :meth:`sublayers`, so their parameters appear in ``params`` under the
    attribute's name and ``train``/``eval``/``zero_grad``/``astype`` reach them.
    The course's layers check ``x`` with ``_as_batch`` and ``dout`` with ``_as_dout``;
    a layer made of layers subclasses ``_Composite``, which checks them once.

    Raises
    ------
    TypeError
        From ``forward`` when ``x`` is not made of real numbers (complex, bool, str,
        object, None), and from ``backward`` when ``dout`` is not made of floats; both
        name the argument, the layer and the expected shape.
    ValueError
        When ``x`` is ragged, empty, of a shape the layer cannot take or holds NaN or
        inf, or ``dout`` does not have the last output's shape or is not finite.
    RuntimeError
        From ``backward`` before any ``forward``.

    Examples
    --------
    A layer that scales its input by a learned number :math:`a`, y = a·x:

    >>> import numpy as np
    >>> class Scale(Layer):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.add_param("a", np.array([2.0]))
    ...     def forward(self, x):
    ...         self.x = x
    ...         return self.params["a"] * x
    ...     def backward(self, dout):
    ...         self.grads["a"] += np.sum(dout * self.x, keepdims=True).ravel()
    ...         return self.params["a"] * dout
    >>> layer = Scale()
    >>> layer(np.array([1.0, 3.0]))
    array([2., 6.])
    >>> layer.backward(np.ones(2))
    array([2., 2.])
    >>> layer.grads
    {'a': array([4.])}
    >>> layer.zero_grad().grads
    {'a': array([0.])}
    >>> layer
    Scale()
    """

    def __init__(self):
        self._params: dict[str, np.ndarray] = {}
        self._grads: dict[str, np.ndarray] = {}
        self.training = True

    # -- the two halves of a layer --------------------------------------------

    def forward(self, x):
        """Output for the batch ``x``; remembers what :meth:`backward` needs."""
        raise NotImplementedError(f"{type(self).__name__} must implement forward(x)")

    def backward(self, dout):
        """Gradient with respect to the input of the last :meth:`forward`."""
        raise NotImplementedError(f"{type(self).__name__} must implement backward(dout)")

    def __call__(self, x):
        return self.forward(x)

    # -- parameters ------------------------------------------------------------

    @property
    def params(self) -> dict[str, np.ndarray]:
        """Name → parameter array, own parameters first, then the sublayers'."""
        return self._collect("_params", "params")

    @params.setter
    def params(self, value):
        self._params = dict(value)

    @property
    def grads(self) -> dict[str, np.ndarray]:
        """Name → gradient array, with the same keys and shapes as :attr:`params`."""
        return self._collect("_grads", "grads")

    @grads.setter
    def grads(self, value):
        self._grads = dict(value)

    def _collect(self, own, public):
        children = self.sublayers()
        if not children:
            # The layer's own dict, so that ``self.grads["W"] += ...`` writes through.
            return getattr(self, own)
        merged = dict(getattr(self, own))
        for prefix, layer in children.items():
            merged.update({f"{prefix}.{k}": v for k, v in getattr(layer, public).items()})
        return merged

    def add_param(self, name: str, value) -> np.ndarray:
        """Register a parameter array (kept as given) and a zero gradient for it."""
        value = np.asarray(value)
        self._params[name] = value
        self._grads[name] = np.zeros_like(value)
        return value

    def sublayers(self) -> dict[str, Layer]:
        """The layers inside this one, by name: attributes that are layers or lists of layers.

        Composite layers whose children live elsewhere override this method.
        """
        found = {}
        for name, value in vars(self).items():
            if isinstance(value, Layer):
                found[name] = value
            elif isinstance(value, (list, tuple)):
                found.update(
                    {f"{name}.{i}": v for i, v in enumerate(value) if isinstance(v, Layer)}
                )
        return found

    @property
    def num_params(self) -> int:
        """Total number of scalar parameters, sublayers included."""
        return int(sum(p.size for p in self.params.values()))

    def zero_grad(self):
        """Set every gradient to zero, in place (sublayers included). Returns self."""
        for g in self.grads.values():
            g[...] = 0
        return self

    def astype(self, dtype):
        """Convert parameters and gradients to ``dtype`` (e.g. float64 for gradient checks).

        Create the optimiser after this call: the arrays are replaced. Returns self.

        Raises
        ------
        TypeError
            If ``dtype`` is not a floating-point dtype (integer weights would be
            truncated to zero).
        """
        dtype = _float_dtype(dtype)
        for name in self._params:
            self._params[name] = self._params[name].astype(dtype)
            self._grads[name] = self._grads[name].astype(dtype)
        for layer in self.sublayers().values():
            layer.astype(dtype)
        return self

    # -- modes -----------------------------------------------------------------

    def train(self):
        """Training mode (Dropout drops). Returns self."""
        return self._set_training(True)

    def eval(self):
        """Evaluation mode (Dropout passes everything through). Returns self."""
        return self._set_training(False)

    def _set_training(self, flag):
        self.training = flag
        for layer in self.sublayers().values():
            layer._set_training(flag)
        return self

    # -- description -----------------------------------------------------------

    def output_shape(self, input_shape) -> tuple[int, ...]:
        """Shape of one output sample for one input sample of shape ``input_shape``.

        The default runs :meth:`forward` on a batch of one zero sample; layers with an
        output-size formula override it.

        Raises
        ------
        TypeError, ValueError
            If ``input_shape`` is not a tuple of ints >= 1 that the layer can take, or
            one sample would not fit in the machine's memory.
        """
        shape = _sample_shape(input_shape, self, ("...",))
        check_memory(4 * math.prod(shape), f"one zero sample of shape {shape}")
        return tuple(self.forward(np.zeros((1, *shape), dtype=np.float32)).shape[1:])

    def extra_repr(self) -> str:
        """The constructor arguments shown between the parentheses of ``repr``."""
        return ""

    def __repr__(self):
        return f"{type(self).__name__}({self.extra_repr()})"


# -- checks shared by the layers ---------------------------------------------------
#
# Every layer's forward takes ``x`` and every backward ``dout`` through these, so that a
# mistake gets one message everywhere: the argument, the layer, what came and what
# would do.

# Inside a network (Sequential, and the layers made of layers) the values are scanned
# for NaN and inf once, where they enter: what flows between the layers is the
# network's own, and a run whose numbers blow up is reported by ``train_step`` as a
# diverged run, with advice, rather than by the first layer that meets an inf.
_INSIDE = contextvars.ContextVar("lessons_lib_nn_inside_a_network", default=False)


def _run_inside(function, value):
    """``function(value)`` with the NaN/inf scans of the layers it calls switched off."""
    token = _INSIDE.set(True)
    try:
        return function(value)
    finally:
        _INSIDE.reset(token)


def _label(layer) -> str:
    """How a message names a layer: its repr, or its class for a repr of several lines."""
    text = repr(layer)
    return type(layer).__name__ if "\n" in text else text


class _Named:
    """``template`` with the layer's :func:`_label` in its ``{}``, written only when shown.

    Every forward and backward names its argument, "x of Conv2D(1, 8, 5)"; writing
    that text on every call, error or not, would cost more than the checks themselves.
    """

    __slots__ = ("template", "layer")

    def __init__(self, template: str, layer):
        self.template, self.layer = template, layer

    def __str__(self):
        return self.template.format(_label(self.layer))


def _real(value, name: str) -> np.ndarray:
    """``value`` as a non-empty array of ints or floats, finite outside a network."""
    array = as_array(value, name)
    if array.dtype.kind not in "iuf":
        hint = " (convert a mask with .astype(np.float32))" if array.dtype.kind == "b" else ""
        raise TypeError(f"{name} must be an array of real numbers (int or float), got dtype "
                        f"{array.dtype}{hint}")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    if array.dtype.kind == "f" and not _INSIDE.get() and not np.isfinite(array).all():
        raise ValueError(f"{name} must contain only finite numbers, got NaN or inf")
    return array


def _cast(array: np.ndarray, dtype, name: str) -> np.ndarray:
    """``array`` in the float ``dtype``; a value beyond its range is an error, not an inf."""
    dtype = np.dtype(dtype)
    if array.dtype == dtype:
        return array
    with np.errstate(over="ignore"):
        cast = array.astype(dtype)
    info = np.finfo if array.dtype.kind == "f" else np.iinfo
    if info(array.dtype).max > np.finfo(dtype).max and not np.isfinite(cast).all():
        raise ValueError(f"{name} holds values beyond the range of {dtype} "
                         f"(±{np.finfo(dtype).max:.3g})")
    return cast


def _shape_text(shape) -> str:
    """``("N", 1, "H", "W")`` → ``"(N, 1, H, W)"``."""
    return "(" + ", ".join(map(str, shape)) + ("," if tuple(shape) != ("...",) and
                                               len(shape) == 1 else "") + ")"


def _fits(actual, expected) -> bool:
    """Whether the shape ``actual`` matches ``expected``: names (any size), ints (that size).

    One ``"..."`` in ``expected`` stands for any number of axes, none included.
    """
    actual, expected = tuple(actual), tuple(expected)
    if "..." in expected:
        i = expected.index("...")
        head, tail = expected[:i], expected[i + 1:]
        if len(actual) < len(head) + len(tail):
            return False
        actual = actual[:len(head)] + actual[len(actual) - len(tail):]
        expected = head + tail
    return len(actual) == len(expected) and all(
        isinstance(e, str) or a == e for a, e in zip(actual, expected, strict=True))


def _shape_error(name, actual, expected) -> ValueError:
    """The error for a shape that does not match: "be shaped" when the rank is wrong."""
    rank = len(expected) - ("..." in expected)
    wrong_rank = len(actual) < rank if "..." in expected else len(actual) != rank
    verb = "be shaped" if wrong_rank else "have shape"
    return ValueError(f"{name} must {verb} {_shape_text(expected)}, got {tuple(actual)}")


def _as_batch(x, layer: Layer, shape=None, *, dtype=None) -> np.ndarray:
    """``x``, the input of ``layer``, checked and in floating point, or an error naming ``x``.

    Parameters
    ----------
    x : array_like
    layer : Layer
        Named in the messages.
    shape : tuple of str and int, optional
        The expected shape: a name stands for any size, an int for that size, one
        ``"..."`` for any number of axes; ``("N", 1, "H", "W")``. None: any shape.
    dtype : numpy dtype, optional
        Converted to it (the layer's weights'); without it, floats keep their dtype and
        integers become float32, the course's training precision.

    Raises
    ------
    TypeError
        If ``x`` is not made of real numbers (complex, bool, str, object...).
    ValueError
        If it is ragged, empty, of another shape, or holds NaN or inf (scanned outside a
        network only: see ``_INSIDE``).
    """
    name = _Named("x of {}", layer)
    array = as_array(x, name)
    if shape is not None and not _fits(array.shape, shape):
        raise _shape_error(name, array.shape, shape)
    array = _real(array, name)
    if dtype is not None:
        return _cast(array, dtype, name)
    return array if array.dtype.kind == "f" else array.astype(np.float32)


def _as_dout(dout, layer: Layer, shape, dtype=None) -> np.ndarray:
    """``dout`` checked against the last output's ``shape``; in ``dtype`` when given."""
    name = _Named("dout of {}", layer)
    array = as_array(dout, name)
    shape = tuple(shape)
    if array.dtype.kind != "f":
        raise TypeError(f"{name} must be an array of floats of its last output's shape "
                        f"{shape}, got dtype {array.dtype}")
    if array.shape != shape:
        raise ValueError(f"{name} must have the shape of its last output, {shape}, got "
                         f"{array.shape}")
    if not _INSIDE.get() and not np.isfinite(array).all():
        raise ValueError(f"{name} must contain only finite numbers, got NaN or inf")
    return array if dtype is None else _cast(array, dtype, name)


def _sample_shape(input_shape, layer: Layer, shape=("C", "H", "W")) -> tuple[int, ...]:
    """One sample's shape, ints >= 1 matching ``shape`` (as in :func:`_as_batch`), or raise."""
    name = _Named("input_shape (one sample) of {}", layer)
    if not isinstance(input_shape, (tuple, list)):
        raise TypeError(f"{name} must be a tuple of ints shaped {_shape_text(shape)}, got "
                        f"{brief(input_shape)}")
    sizes = tuple(positive_int(n, name) for n in input_shape)
    if not _fits(sizes, shape):
        raise _shape_error(name, sizes, shape)
    return sizes


def _saved(layer: Layer, attribute: str):
    """What the last ``forward`` stored for ``backward``, or a clear error without one."""
    try:
        return getattr(layer, attribute)
    except AttributeError:
        raise RuntimeError(f"{_label(layer)}.backward needs the values of a forward pass: "
                           f"call forward (or the layer) on a batch first") from None


def _rng(rng, name="rng") -> np.random.Generator:
    """A Generator from a seed (int >= 0) or a Generator, for seeded initialisation."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, bool) or not isinstance(rng, numbers.Integral) or rng < 0:
        raise TypeError(f"{name} must be an int seed >= 0 or a numpy Generator, got "
                        f"{brief(rng)}")
    return np.random.default_rng(int(rng))


def _float_dtype(dtype, name="dtype") -> np.dtype:
    """``dtype`` as a numpy floating dtype (weights of another kind would be truncated)."""
    try:
        result = np.dtype(dtype)
    except TypeError:
        result = None
    if result is None or result.kind != "f":
        raise TypeError(f"{name} must be a floating-point dtype such as np.float32 or "
                        f"np.float64, got {dtype!r}")
    return result


def _number(value, name: str, *, low=-math.inf, high=math.inf, low_open=False,
            high_open=False) -> float:
    """``value`` as a float in the interval from ``low`` to ``high``, or raise naming ``name``.

    ``low_open``/``high_open`` exclude the bound; NaN is never in the interval.
    """
    interval = (f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}")
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number in {interval}, got {brief(value)}")
    try:
        number = float(value)
    except OverflowError:  # an int beyond the float range
        number = math.inf if value > 0 else -math.inf
    above = low < number if low_open else low <= number
    below = number < high if high_open else number <= high
    if not (above and below):
        raise ValueError(f"{name} must be a number in {interval}, got {value!r}")
    return number


def _check_parameters(count: int, dtype, request: str) -> np.dtype:
    """``dtype`` checked, and a layer of ``count`` parameters refused up front when they,
    their gradients and the float64 draw of the initial weights would not fit in memory.

    ``request`` names the constructor's arguments: "Dense(in_features=..., out_features=...)".
    """
    dtype = _float_dtype(dtype)
    check_memory(count * (2 * dtype.itemsize + 8), request)
    return dtype


def _flag(value, name: str) -> bool:
    """``value`` as a bool; anything else (a string "no" is true in Python) is refused."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


INITS = ("he", "glorot")


def init_weights(shape, fan_in: int, fan_out: int, *, init="he", rng=0, dtype=np.float32):
    r"""Random initial weights the way the field does it, seeded.

    - ``"he"`` (He et al., 2015), for layers followed by ReLU: normal with standard
      deviation :math:`\sqrt{2 / \text{fan\_in}}`. ReLU zeroes half of its inputs, the
      factor 2 keeps the variance of the activations constant from layer to layer.
    - ``"glorot"`` (Glorot and Bengio, 2010): uniform on :math:`\pm\sqrt{6 / (\text{fan\_in}
      + \text{fan\_out})}`, which balances the variances of the forward and backward signals.

    Parameters
    ----------
    shape : tuple of int
        Each size >= 1.
    fan_in, fan_out : int
        Inputs feeding one output, outputs fed by one input (for a convolution:
        channels x kernel area); each >= 1.
    init : {"he", "glorot"}, default "he"
    rng : int or numpy.random.Generator, default 0
    dtype : numpy floating dtype, default float32

    Returns
    -------
    w : ndarray, shape ``shape``

    Raises
    ------
    TypeError
        If a size or fan is not an int, ``rng`` is neither a seed nor a Generator, or
        ``dtype`` is not a floating-point dtype.
    ValueError
        If a size or fan is below 1, ``init`` is unknown, or the weights would need more
        memory than :func:`lessons_lib._validate.check_memory` allows.

    Examples
    --------
    >>> w = init_weights((2000, 500), fan_in=500, fan_out=2000, rng=0)
    >>> round(float(w.std()), 2), round(float(np.sqrt(2 / 500)), 2), w.dtype
    (0.06, 0.06, dtype('float32'))
    >>> init_weights((2, 2), fan_in=0, fan_out=2)
    Traceback (most recent call last):
    ...
    ValueError: fan_in must be an integer >= 1, got 0
    """
    if not isinstance(shape, (tuple, list)) or not shape:
        raise TypeError(f"shape must be a non-empty tuple of ints, got {shape!r}")
    shape = tuple(positive_int(n, "shape") for n in shape)
    fan_in, fan_out = positive_int(fan_in, "fan_in"), positive_int(fan_out, "fan_out")
    if init not in INITS:
        raise ValueError(f"init must be one of {', '.join(map(repr, INITS))}, got {init!r}")
    dtype = _float_dtype(dtype)
    generator = _rng(rng)
    # numpy draws float64 numbers, then converts them.
    check_memory(math.prod(shape) * (8 + dtype.itemsize), f"weights of shape {shape}")
    if init == "he":
        w = generator.normal(0.0, np.sqrt(2.0 / fan_in), size=shape)
    else:
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        w = generator.uniform(-limit, limit, size=shape)
    return w.astype(dtype)


# -- convolution -----------------------------------------------------------------


def conv2d_forward_loops(x, w, b, *, stride=1, padding=0):
    r"""Multi-channel 2-D convolution as loops over samples, filters and positions.

    .. math::

        o[n, f, i, j] = b_f + \sum_{c} \sum_{u, v} w[f, c, u, v]\,
                        x_p[n, c, i s + u, j s + v]

    with :math:`x_p` the input zero-padded by ``padding``: for each output channel a sum,
    over the input channels, of lesson 01's 2-D correlation (no kernel flip, as every
    CNN library computes it). Output size ``H' = 1 + (H + 2·padding − kh) // stride``
    (:func:`lessons_lib.shapes.output_size`), and the same for the width.

    Fast version: :func:`lessons_lib.fast.conv2d.conv2d_forward` (im2col and one matrix
    product, tested equal), what :class:`Conv2D` computes.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    w : ndarray, shape (C_out, C, kh, kw)
    b : ndarray, shape (C_out,)
    stride, padding : int or tuple of 2 int

    Returns
    -------
    o : ndarray, shape (N, C_out, H', W')

    Raises
    ------
    TypeError, ValueError
        Naming the argument that is not a finite real array of the shape above, or
        the input that is smaller than the kernel.

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> conv2d_forward_loops(x, np.ones((1, 1, 2, 2)), np.zeros(1), stride=2)[0, 0]
    array([[10., 18.],
           [42., 50.]])
    """
    (sh, sw), (ph, pw) = _stride_padding(stride, padding)
    x, w, b, (Ho, Wo) = _conv_operands(x, w, b, "b", (sh, sw), (ph, pw))
    N, C, H, W = x.shape
    C_out, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    o = np.zeros((N, C_out, Ho, Wo), dtype=np.result_type(x, w))
    for n in range(N):
        for f in range(C_out):
            for i in range(Ho):
                for j in range(Wo):
                    window = xp[n, :, i * sh : i * sh + kh, j * sw : j * sw + kw]
                    o[n, f, i, j] = np.sum(window * w[f]) + b[f]
    return o


def conv2d_backward_loops(x, w, dout, *, stride=1, padding=0):
    r"""Gradients of :func:`conv2d_forward_loops`, one output at a time: lesson 02's chain rule in 2-D.

    Output :math:`o[n, f, i, j]` used the window :math:`x_p[n, :, i s : i s + kh,
    j s : j s + kw]`, the filter :math:`w[f]` and the bias :math:`b_f`, so its gradient
    ``dout[n, f, i, j]`` goes back to each of them:

    .. math::

        \frac{\partial J}{\partial w[f, c, u, v]} = \sum_{n, i, j} dout[n, f, i, j]\,
            x_p[n, c, i s + u, j s + v], \qquad
        \frac{\partial J}{\partial b_f} = \sum_{n, i, j} dout[n, f, i, j]

    and each input cell collects ``dout[n, f, i, j] · w[f, c, u, v]`` from every window
    it is in (``+=``: windows overlap when the stride is smaller than the kernel).

    Fast version: :func:`lessons_lib.fast.conv2d.conv2d_backward` (tested equal), what
    :class:`Conv2D` computes.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    w : ndarray, shape (C_out, C, kh, kw)
    dout : ndarray, shape (N, C_out, H', W')
    stride, padding : int or tuple of 2 int

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)
    dw : ndarray, shape (C_out, C, kh, kw)
    db : ndarray, shape (C_out,)

    Raises
    ------
    TypeError, ValueError
        Naming the argument that is not a finite real array of the shape above.

    Examples
    --------
    >>> x = np.arange(9.0).reshape(1, 1, 3, 3)
    >>> dx, dw, db = conv2d_backward_loops(x, np.ones((1, 1, 2, 2)), np.ones((1, 1, 2, 2)))
    >>> dw[0, 0], db
    (array([[ 8., 12.],
           [20., 24.]]), array([4.]))
    >>> dx[0, 0]
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    """
    (sh, sw), (ph, pw) = _stride_padding(stride, padding)
    x, w, dout, _ = _conv_operands(x, w, dout, "dout", (sh, sw), (ph, pw))
    N, C, H, W = x.shape
    C_out, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    dtype = np.result_type(x, w, dout)
    dxp, dw, db = np.zeros(xp.shape, dtype), np.zeros(w.shape, dtype), np.zeros(C_out, dtype)
    for n in range(N):
        for f in range(C_out):
            for i in range(dout.shape[2]):
                for j in range(dout.shape[3]):
                    window = (n, slice(None), slice(i * sh, i * sh + kh),
                              slice(j * sw, j * sw + kw))
                    dw[f] += dout[n, f, i, j] * xp[window]
                    dxp[window] += dout[n, f, i, j] * w[f]
                    db[f] += dout[n, f, i, j]
    return dxp[:, :, ph : ph + H, pw : pw + W], dw, db


def _window_output(name, H, W, kernel_size, stride, padding, what="kernel"):
    """``(H', W')`` of a window sliding over ``H`` x ``W``, or a ValueError naming ``name``."""
    Hp, Wp = H + 2 * padding[0], W + 2 * padding[1]
    if Hp < kernel_size[0] or Wp < kernel_size[1]:
        padded = f" (padded {Hp}x{Wp})" if (Hp, Wp) != (H, W) else ""
        raise ValueError(f"{name} is {H}x{W}{padded}: smaller than the {what} "
                         f"{kernel_size[0]}x{kernel_size[1]}")
    return tuple(output_size(n, k, s, p) for n, k, s, p in
                 zip((H, W), kernel_size, stride, padding, strict=True))


def _stride_padding(stride, padding):
    return int_tuple(stride, "stride", 2), int_tuple(padding, "padding", 2, minimum=0)


def _conv_operands(x, w, other, other_name, stride, padding, *, depthwise=False):
    """The arguments of a convolution function, checked: ``(x, w, other, (H', W'))``.

    ``other`` is the bias ``b``, of shape (C_out,), or ``dout``, of the output's shape.
    ``depthwise``: ``w`` is (C·m', 1, kh, kw) as in :func:`lessons_lib.nn.advanced.
    depthwise_forward_loops`, otherwise (C_out, C, kh, kw).
    """
    x = as_float_array(x, "x", ndim=4, keep_float32=True)
    w = as_float_array(w, "w", ndim=4, keep_float32=True)
    N, C, H, W = x.shape
    C_out, C_w, kh, kw = w.shape
    if depthwise and (C_w != 1 or C_out % C):
        raise ValueError(f"w must be shaped (C·m', 1, kh, kw), m' filters for each of the "
                         f"{C} channels of x, got {w.shape}")
    if not depthwise and C_w != C:
        raise ValueError(f"w must be shaped (C_out, {C}, kh, kw) for x of shape {x.shape}, "
                         f"got {w.shape}")
    out_size = _window_output(f"x of shape {x.shape}", H, W, (kh, kw), stride, padding)
    expected = (C_out,) if other_name == "b" else (N, C_out, *out_size)
    other = as_float_array(other, other_name, keep_float32=True)
    if other.shape != expected:
        raise ValueError(f"{other_name} must have shape {expected} for x of shape {x.shape} "
                         f"and w of shape {w.shape}, got {other.shape}")
    return x, w, other, out_size


def _compact(pair):
    """``(3, 3)`` → ``"3"``, ``(3, 5)`` → ``"(3, 5)"``: how a size is written in a call."""
    return str(pair[0]) if pair[0] == pair[1] else str(pair)


class Conv2D(Layer):
    r"""2-D convolution over a batch of multi-channel images.

    ``out_channels`` filters, each of shape ``(in_channels, kh, kw)``: output channel
    ``f`` is the sum over the input channels of the correlation of channel ``c`` with
    the weights ``w[f, c]``, plus ``b[f]``. Output size ``H' = 1 + (H + 2·padding − kh) // stride``.

    Readable version: :func:`conv2d_forward_loops` and :func:`conv2d_backward_loops`;
    computed by :func:`lessons_lib.fast.conv2d.conv2d_layer_forward` and
    :func:`lessons_lib.fast.conv2d.conv2d_layer_backward` (im2col, tested equal).

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int or tuple of 2 int
    stride : int or tuple of 2 int, default 1
    padding : int or tuple of 2 int, default 0
        Zeros added on each side of the height and width.
    init : {"he", "glorot"}, default "he"
    rng : int or numpy.random.Generator, default 0
        Seed of the initial weights.
    dtype : numpy dtype, default float32
    input_grad : bool, default True
        False for the first layer of a network, whose input is the data: nobody needs
        :math:`\partial J / \partial x` there, so ``backward`` skips computing it (the
        costliest part of the first layer's backward) and returns None.

    Attributes
    ----------
    params : dict
        ``"W"`` of shape (out_channels, in_channels, kh, kw) as in PyTorch, ``"b"`` of
        shape (out_channels,), initially 0.

    Notes
    -----
    The batch goes through in chunks of :data:`lessons_lib.fast.parallel.CHUNK` samples,
    several at once inside :func:`lessons_lib.nn.threads` (as :func:`fit` does); the
    results do not depend on the number of threads.

    Examples
    --------
    >>> conv = Conv2D(1, 8, 5, padding=2)
    >>> conv
    Conv2D(1, 8, 5, padding=2)
    >>> conv(np.zeros((4, 1, 64, 64))).shape
    (4, 8, 64, 64)
    >>> conv.num_params, conv.output_shape((1, 64, 64))
    (208, (8, 64, 64))
    >>> conv(np.zeros((4, 3, 64, 64)))
    Traceback (most recent call last):
    ...
    ValueError: x of Conv2D(1, 8, 5, padding=2) must have shape (N, 1, H, W), got (4, 3, 64, 64)
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, *,
                 init="he", rng=0, dtype=np.float32, input_grad=True):
        super().__init__()
        self.input_grad = _flag(input_grad, "input_grad")
        self.in_channels = positive_int(in_channels, "in_channels")
        self.out_channels = positive_int(out_channels, "out_channels")
        self.kernel_size = int_tuple(kernel_size, "kernel_size", 2)
        self.stride = int_tuple(stride, "stride", 2)
        self.padding = int_tuple(padding, "padding", 2, minimum=0)
        kh, kw = self.kernel_size
        fan_in, fan_out = self.in_channels * kh * kw, self.out_channels * kh * kw
        shape = (self.out_channels, self.in_channels, kh, kw)
        dtype = _check_parameters(
            math.prod(shape) + self.out_channels, dtype,
            f"Conv2D(in_channels={self.in_channels}, out_channels={self.out_channels}, "
            f"kernel_size={self.kernel_size})")
        self.add_param("W", init_weights(shape, fan_in, fan_out, init=init, rng=rng, dtype=dtype))
        self.add_param("b", np.zeros(self.out_channels, dtype=dtype))
        # Large arrays reused by every pass (see lessons_lib.fast.parallel.Workspace).
        self._workspace = fast_parallel.Workspace()

    def output_shape(self, input_shape):
        _, H, W = _sample_shape(input_shape, self, (self.in_channels, "H", "W"))
        name = _Named("input_shape (one sample) of {}", self)
        Ho, Wo = _window_output(name, H, W, self.kernel_size, self.stride, self.padding)
        return (self.out_channels, Ho, Wo)

    def forward(self, x):
        x, (Ho, Wo) = self._enter(x)
        w = self.params["W"]
        out = np.empty((x.shape[0], self.out_channels, Ho, Wo), w.dtype)
        # The im2col columns are kept for backward.
        self.cols = fast_conv2d.conv2d_layer_forward(x, w, self.params["b"], self.stride,
                                                     self.padding, out, self._workspace)
        self.out_shape = out.shape
        return out

    def backward(self, dout):
        cols, w = _saved(self, "cols"), self.params["W"]
        dout = _as_dout(dout, self, self.out_shape, w.dtype)
        return fast_conv2d.conv2d_layer_backward(
            cols, self.x_shape, w, dout, self.stride, self.padding,
            input_grad=self.input_grad, dw=self.grads["W"], db=self.grads["b"],
            workspace=self._workspace)

    def _enter(self, x):
        """``x`` checked, and the output's ``(H', W')``; what the last pass kept is dropped."""
        w = self.params["W"]
        x = _as_batch(x, self, ("N", self.in_channels, "H", "W"), dtype=w.dtype)
        N, C, H, W = x.shape
        Ho, Wo = _window_output(_Named("x of {}", self), H, W, self.kernel_size, self.stride,
                                self.padding)
        kh, kw = self.kernel_size
        check_memory((C * kh * kw + self.out_channels) * N * Ho * Wo * w.itemsize,
                     _Named(f"{{}} on x of shape {x.shape}", self))
        # Freed before the new columns are made, so that the memory is reused.
        vars(self).pop("cols", None)
        vars(self).pop("_fused", None)
        self.x_shape = x.shape
        return x, (Ho, Wo)

    def forward_relu_pool(self, x, relu, pool):
        """This layer, then ``relu`` (a :class:`ReLU`), then ``pool`` (a :class:`MaxPool2D`
        whose windows tile its input), in one pass: how :class:`Sequential` runs the three.

        The output is ``pool(relu(self(x)))``; :meth:`backward_relu_pool` is the three
        backward passes, adding into this layer's gradients. Computed by
        :func:`lessons_lib.fast.conv2d.conv_relu_pool_forward` (tested equal to the three
        layers one after the other); the convolution's output is never stored whole.
        Until the next forward, ``relu`` and ``pool`` have no pass of their own to go
        back through.

        Examples
        --------
        >>> conv, relu, pool = Conv2D(1, 2, 3, padding=1), ReLU(), MaxPool2D()
        >>> x = np.arange(32.0).reshape(2, 1, 4, 4)
        >>> np.array_equal(conv.forward_relu_pool(x, relu, pool), pool(relu(conv(x))))
        True
        """
        return _forward_blocks([(self, relu, pool)], x)

    def _relu_pool_forward_chunk(self, x, relu, pool):
        """``(out, forward_chunk)``: :meth:`forward_relu_pool` for one chunk at a time.

        ``out`` is allocated, not yet written: ``forward_chunk(rows)`` writes its rows
        (:func:`lessons_lib.fast.conv2d.conv_relu_pool_forward_chunk`).
        """
        x, (Ho, Wo) = self._enter(x)
        _check_window_fits(pool, Ho, Wo)
        w = self.params["W"]
        out = np.empty((x.shape[0], self.out_channels, Ho // pool.size, Wo // pool.size),
                       w.dtype)
        forward_chunk = fast_conv2d.conv_relu_pool_forward_chunk(
            x, w, self.params["b"], self.stride, self.padding, pool.size, out, self._workspace)
        vars(relu).pop("mask", None)
        vars(pool).pop("route_back", None)
        pool.out_shape, pool.x_dtype = out.shape, w.dtype
        return out, forward_chunk

    def backward_relu_pool(self, dout):
        """The gradient with respect to ``x`` of the last :meth:`forward_relu_pool`."""
        return _backward_blocks([self], dout)

    def _relu_pool_backward_chunk(self, dout):
        """``(dx, backward_chunk)``: :meth:`backward_relu_pool` for one chunk at a time.

        ``backward_chunk(rows, item)`` writes ``dx[rows]`` and returns the chunk's share
        of this layer's gradients
        (:func:`lessons_lib.fast.conv2d.conv_relu_pool_backward_chunk`).
        """
        fused, w = _saved(self, "_fused"), self.params["W"]
        dout = _as_dout(dout, fused["pool"], fused["pool"].out_shape, w.dtype)
        return fast_conv2d.conv_relu_pool_backward_chunk(
            self.x_shape, w, dout, self.stride, self.padding, input_grad=self.input_grad,
            workspace=self._workspace)

    def fused_with(self):
        """``(relu, pool)`` if the last forward was :meth:`forward_relu_pool`, else None."""
        fused = vars(self).get("_fused")
        return None if fused is None else (fused["relu"], fused["pool"])

    def extra_repr(self):
        # The constructor call that builds this layer, defaults left out.
        parts = [str(self.in_channels), str(self.out_channels), _compact(self.kernel_size)]
        if self.stride != (1, 1):
            parts.append(f"stride={_compact(self.stride)}")
        if self.padding != (0, 0):
            parts.append(f"padding={_compact(self.padding)}")
        if not self.input_grad:
            parts.append("input_grad=False")
        return ", ".join(parts)


# -- elementwise, pooling, reshaping ------------------------------------------------


class _Elementwise(Layer):
    """A function applied to each value: one sample's output has its input's shape."""

    def output_shape(self, input_shape):
        return _sample_shape(input_shape, self, ("...",))


class ReLU(_Elementwise):
    r"""Rectified linear unit, :math:`y = \max(0, x)`, elementwise; any input shape.

    Its derivative is 1 where the input was positive and 0 elsewhere, so ``backward``
    lets the gradient through exactly where the input was positive.

    Examples
    --------
    >>> relu = ReLU()
    >>> relu(np.array([[-1.0, 0.0, 2.0]]))
    array([[0., 0., 2.]])
    >>> relu.backward(np.array([[5.0, 5.0, 5.0]]))
    array([[0., 0., 5.]])
    """

    def forward(self, x):
        x = _as_batch(x, self)
        self.mask = x > 0
        return np.maximum(x, 0)

    def backward(self, dout):
        mask = _saved(self, "mask")
        return _as_dout(dout, self, mask.shape) * mask


class MaxPool2D(Layer):
    r"""Max pooling over the height and width of ``(N, C, H, W)`` batches: lesson 03.

    Each ``size x size`` window (one every ``stride`` pixels) keeps its largest value;
    ``backward`` sends each gradient to the position of that maximum (the first one,
    in row-major order, on ties). ``H' = 1 + (H − size) // stride``.

    Parameters
    ----------
    size : int, default 2
    stride : int, default 2

    Notes
    -----
    Readable version: :func:`lessons_lib.pooling.max_pool_loops` and
    :func:`lessons_lib.pooling.max_pool_backward_loops`; computed by
    :func:`lessons_lib.fast.pooling.max_pool_layer`. When the windows tile the input
    (``stride == size``) it records switches, chunk by chunk as :class:`Conv2D` does;
    otherwise the flat indices of :func:`lessons_lib.pooling.max_pool`. Both route the
    gradient as :func:`lessons_lib.pooling.max_pool_backward` does. Inside a
    :class:`Sequential`, after a ``Conv2D`` and a ``ReLU``, it runs in their pass
    (:meth:`Conv2D.forward_relu_pool`).

    Examples
    --------
    >>> pool = MaxPool2D()
    >>> A = np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]], float)
    >>> pool(A[None, None])[0, 0]
    array([[6., 8.],
           [3., 4.]])
    >>> pool.backward(np.ones((1, 1, 2, 2)))[0, 0]
    array([[0., 0., 0., 0.],
           [0., 1., 0., 1.],
           [1., 0., 0., 0.],
           [0., 0., 0., 1.]])
    """

    def __init__(self, size=2, stride=2):
        super().__init__()
        self.size = positive_int(size, "size")
        self.stride = positive_int(stride, "stride")

    def output_shape(self, input_shape):
        C, H, W = _sample_shape(input_shape, self)
        return (C, *_window_output(_Named("input_shape (one sample) of {}", self), H, W,
                                   (self.size,) * 2, (self.stride,) * 2, (0, 0),
                                   "pooling window"))

    def forward(self, x):
        x = _as_batch(x, self, ("N", "C", "H", "W"))
        _check_window_fits(self, *x.shape[2:])
        # Where each maximum was, so that backward routes the gradient without searching.
        y, self.route_back = fast_pooling.max_pool_layer(x, self.size, self.stride)
        self.out_shape, self.x_dtype = y.shape, x.dtype
        return y

    def backward(self, dout):
        route_back = _saved(self, "route_back")
        return route_back(_as_dout(dout, self, self.out_shape, self.x_dtype))

    def extra_repr(self):
        return f"size={self.size}, stride={self.stride}"


def _check_window_fits(pool, H, W):
    """A ValueError naming ``pool`` (a MaxPool2D) if its window does not fit in ``H x W``."""
    if min(H, W) < pool.size:
        raise ValueError(f"x of {_label(pool)} is {H}x{W}: smaller than the pooling window "
                         f"{pool.size}x{pool.size}")


class Flatten(Layer):
    """Reshape ``(N, C, H, W)`` (or any ``(N, ...)``) to ``(N, C·H·W)``, row-major.

    Examples
    --------
    >>> flat = Flatten()
    >>> flat(np.zeros((2, 3, 4, 5))).shape
    (2, 60)
    >>> flat.backward(np.zeros((2, 60))).shape
    (2, 3, 4, 5)
    """

    def output_shape(self, input_shape):
        return (math.prod(_sample_shape(input_shape, self, ("C", "..."))),)

    def forward(self, x):
        x = _as_batch(x, self, ("N", "C", "..."))
        self.x_shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dout):
        x_shape = _saved(self, "x_shape")
        return _as_dout(dout, self, (x_shape[0], math.prod(x_shape[1:]))).reshape(x_shape)


class Dense(Layer):
    r"""Fully connected layer, :math:`y = x w^T + b`.

    Parameters
    ----------
    in_features, out_features : int
    init : {"he", "glorot"}, default "he"
        Use "glorot" for a layer not followed by ReLU (the last one, before softmax).
    rng : int or numpy.random.Generator, default 0
    dtype : numpy dtype, default float32

    Attributes
    ----------
    params : dict
        ``"W"`` of shape (out_features, in_features) as in PyTorch, ``"b"`` of shape
        (out_features,), initially 0.

    Examples
    --------
    >>> dense = Dense(3, 2)
    >>> dense.params["W"][...] = [[1, 0, 0], [0, 1, 1]]
    >>> y = dense(np.array([[1.0, 2.0, 3.0]]))
    >>> y
    array([[1., 5.]], dtype=float32)
    >>> dense.backward(np.array([[1.0, 1.0]], dtype=np.float32))
    array([[1., 1., 1.]], dtype=float32)
    >>> dense.grads["W"]
    array([[1., 2., 3.],
           [1., 2., 3.]], dtype=float32)
    """

    def __init__(self, in_features, out_features, *, init="he", rng=0, dtype=np.float32):
        super().__init__()
        self.in_features = positive_int(in_features, "in_features")
        self.out_features = positive_int(out_features, "out_features")
        shape = (self.out_features, self.in_features)
        dtype = _check_parameters(
            (self.in_features + 1) * self.out_features, dtype,
            f"Dense(in_features={self.in_features}, out_features={self.out_features})")
        self.add_param("W", init_weights(shape, self.in_features, self.out_features, init=init,
                                         rng=rng, dtype=dtype))
        self.add_param("b", np.zeros(self.out_features, dtype=dtype))

    def output_shape(self, input_shape):
        _sample_shape(input_shape, self, (self.in_features,))
        return (self.out_features,)

    def forward(self, x):
        w = self.params["W"]
        self.x = _as_batch(x, self, ("N", self.in_features), dtype=w.dtype)
        return matmul(self.x, w.T) + self.params["b"]

    def backward(self, dout):
        dout = _as_dout(dout, self, (len(_saved(self, "x")), self.out_features),
                        self.params["W"].dtype)
        self.grads["W"] += matmul(dout.T, self.x)
        self.grads["b"] += dout.sum(axis=0)
        return matmul(dout, self.params["W"])

    def extra_repr(self):
        return f"{self.in_features}, {self.out_features}"


class Dropout(Layer):
    r"""Randomly zero a fraction ``p`` of the activations while training (inverted dropout).

    The survivors are divided by ``1 − p``, so the expected activation is unchanged
    and nothing has to be rescaled at evaluation time, when the layer is the identity.
    It stops units from relying on one another: a form of regularisation.

    Parameters
    ----------
    p : float in [0, 1)
        Probability of dropping each activation.
    rng : int or numpy.random.Generator, default 0
        Seed of the random masks.

    Examples
    --------
    >>> drop = Dropout(0.5)
    >>> drop(np.ones((1, 8)))
    array([[2., 0., 0., 0., 2., 2., 2., 2.]])
    >>> drop.eval()(np.ones((1, 8)))
    array([[1., 1., 1., 1., 1., 1., 1., 1.]])
    """

    def __init__(self, p, *, rng=0):
        super().__init__()
        self.p = _number(p, "p", low=0, high=1, high_open=True)
        self.rng = _rng(rng)

    def forward(self, x):
        x = _as_batch(x, self)
        self.x_shape = x.shape
        if not self.training or self.p == 0:
            self.mask = None
            return x
        keep = self.rng.random(x.shape) >= self.p
        self.mask = (keep / (1 - self.p)).astype(x.dtype)
        return x * self.mask

    def backward(self, dout):
        mask = _saved(self, "mask")
        dout = _as_dout(dout, self, self.x_shape)
        return dout if mask is None else dout * mask

    def extra_repr(self):
        return f"p={self.p}"


# -- containers ---------------------------------------------------------------------


class _Composite(Layer):
    """A layer made of layers: ``x`` and ``dout`` are checked once, where they enter.

    A subclass implements ``_forward(x)`` and ``_backward(dout)`` with its parts'
    ``forward`` and ``backward``; the values between the parts are not scanned for NaN
    and inf again (see ``_INSIDE``), and ``dout`` is checked against the last output.
    """

    def _enter(self, x):
        """``x`` checked as this layer's input (any shape; integers become float32)."""
        return _as_batch(x, self)

    def forward(self, x):
        out = _run_inside(self._fast_forward, self._enter(x))
        self.out_shape = np.shape(out)
        return out

    def backward(self, dout):
        dout = _as_dout(dout, self, _saved(self, "out_shape"))
        return _run_inside(self._fast_backward, dout)

    def _forward(self, x):
        raise NotImplementedError

    def _backward(self, dout):
        raise NotImplementedError

    # What forward and backward run: the readable passes above, unless a subclass has
    # a faster twin of them (tested equal).
    def _fast_forward(self, x):
        return self._forward(x)

    def _fast_backward(self, dout):
        return self._backward(dout)


class Sequential(_Composite):
    """Layers applied one after the other; ``backward`` runs them in reverse order.

    Backpropagation through the whole network is the chain rule: each layer's
    ``backward`` turns the gradient with respect to its output into the gradient with
    respect to its input, which is the output of the layer before.

    ``forward`` and ``backward`` run the fast twins of these loops: three layers
    ``Conv2D → ReLU → MaxPool2D`` whose pooling windows tile their input (stride = size)
    run as one pass, :meth:`Conv2D.forward_relu_pool`, with the same numbers; a run of
    such blocks takes each chunk of the batch through all of them before the next chunk
    (:func:`_forward_blocks`), so that on several threads a chunk stays on one core.

    Parameters
    ----------
    layers : list of Layer

    Attributes
    ----------
    params, grads : dict
        Every layer's parameters under ``"<index>.<name>"`` (``"0.W"``, ``"0.b"``, ...).

    Examples
    --------
    >>> model = Sequential([Conv2D(1, 4, 3, padding=1), ReLU(), MaxPool2D(), Flatten(),
    ...                     Dense(4 * 4 * 4, 3, init="glorot")])
    >>> model(np.zeros((2, 1, 8, 8))).shape
    (2, 3)
    >>> list(model.params), model.num_params
    (['0.W', '0.b', '4.W', '4.b'], 235)
    >>> model[0]
    Conv2D(1, 4, 3, padding=1)
    """

    def __init__(self, layers):
        super().__init__()
        if isinstance(layers, Layer) or not isinstance(layers, (list, tuple)):
            raise TypeError(f"layers must be a list of Layer objects, got "
                            f"{type(layers).__name__}")
        layers = list(layers)
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"layers[{i}] must be a Layer, got {type(layer).__name__}")
        self.layers = layers

    def sublayers(self):
        return {str(i): layer for i, layer in enumerate(self.layers)}

    def _enter(self, x):
        # The first layer converts x to its own dtype: int64 → float64 directly, say,
        # without a float32 step that would round large integers.
        return _real(x, _Named("x of {}", self)) if self.layers else _as_batch(x, self)

    def _forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def _backward(self, dout):
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout

    def _fast_forward(self, x):
        """:meth:`_forward`, with each ``Conv2D → ReLU → MaxPool2D`` as one pass.

        :meth:`Conv2D.forward_relu_pool` gives the numbers of the three layers one after
        the other (tested equal, to the last bit), without writing the convolution's
        output out whole in between. Consecutive blocks run together: each chunk of
        the batch goes through all of them before the next (:func:`_forward_blocks`).
        """
        layers, i = self.layers, 0
        while i < len(layers):
            blocks = []
            while _conv_relu_pool(layers[i : i + 3]) and (
                    not blocks or _same_run(blocks[-1][0], layers[i])):
                blocks.append(tuple(layers[i : i + 3]))
                i += 3
            if blocks:
                x = _forward_blocks(blocks, x)
            else:
                x = layers[i].forward(x)
                i += 1
        return x

    def _fast_backward(self, dout):
        """:meth:`_backward`, back through the blocks that :meth:`_fast_forward` ran as one."""
        layers, i = self.layers, len(self.layers)
        while i:
            convs = []
            # A run also ends at a block that computes no input gradient: the block
            # before it would have none to start from.
            while i >= 3 and isinstance(layers[i - 3], Conv2D) and (
                    layers[i - 3].fused_with() == (layers[i - 2], layers[i - 1])) and (
                    not convs or (convs[-1].input_grad and _same_run(layers[i - 3], convs[-1]))):
                convs.append(layers[i - 3])
                i -= 3
            if convs:
                dout = _backward_blocks(convs[::-1], dout)
            else:
                dout = layers[i - 1].backward(dout)
                i -= 1
        return dout

    def activations(self, x) -> list[np.ndarray]:
        """The output of every layer for the batch ``x`` (evaluation mode), in order.

        Examples
        --------
        >>> model = Sequential([Conv2D(1, 2, 3), ReLU(), Flatten()])
        >>> [a.shape for a in model.activations(np.zeros((1, 1, 5, 5)))]
        [(1, 2, 3, 3), (1, 2, 3, 3), (1, 18)]
        """
        was_training = self.training
        self.eval()
        x = self._enter(x)
        outputs = []

        def run(x):
            for layer in self.layers:
                x = layer.forward(x)
                outputs.append(x)

        try:
            _run_inside(run, x)
        finally:
            self._set_training(was_training)
        return outputs

    def output_shape(self, input_shape):
        input_shape = _sample_shape(input_shape, self, ("...",))
        for layer in self.layers:
            input_shape = layer.output_shape(input_shape)
        return tuple(input_shape)

    def __getitem__(self, index):
        return self.layers[index]

    def __len__(self):
        return len(self.layers)

    def __iter__(self):
        return iter(self.layers)

    def __repr__(self):
        lines = [f"  ({i}) {layer!r}" for i, layer in enumerate(self.layers)]
        return "Sequential(\n" + "\n".join(lines) + "\n)"


def _forward_blocks(blocks, x):
    """``Conv2D → ReLU → MaxPool2D`` blocks, one after the other, chunk by chunk.

    Each chunk of the batch goes through every block before the next chunk starts: on
    several threads, a chunk's activations stay on one core, in its cache, and the
    threads meet once for the whole run instead of once per block. Every block gives
    the numbers of its own pass (the chunks are the same).

    Parameters
    ----------
    blocks : list of (Conv2D, ReLU, MaxPool2D)
    x : ndarray, shape (N, C, H, W)

    Returns
    -------
    out : ndarray
        The last block's output.
    """
    functions = []
    for conv, relu, pool in blocks:
        x, forward_chunk = conv._relu_pool_forward_chunk(x, relu, pool)
        functions.append(forward_chunk)
    saved = fast_parallel.map_chunks(lambda rows: [f(rows) for f in functions], len(x))
    for (conv, relu, pool), per_chunk in zip(blocks, zip(*saved, strict=True), strict=True):
        # A dict, not a tuple: the two layers are not sublayers of the convolution.
        conv._fused = {"saved": list(per_chunk), "relu": relu, "pool": pool}
    return x


def _backward_blocks(convs, dout):
    """The backward pass of :func:`_forward_blocks`'s run ``convs`` (in forward order).

    Chunk by chunk through every block, last block first; each block's gradients are
    added in chunk order once all chunks are done, so they do not depend on the threads.
    """
    functions, saved = [], []
    for conv in reversed(convs):
        dout, backward_chunk = conv._relu_pool_backward_chunk(dout)
        functions.append(backward_chunk)
        saved.append(conv._fused["saved"])

    def backward_chunk(rows, *items):
        return [f(rows, item) for f, item in zip(functions, items, strict=True)]

    gradients = fast_parallel.map_chunks(backward_chunk, convs[0].x_shape[0], *saved)
    for conv, per_chunk in zip(reversed(convs), zip(*gradients, strict=True), strict=True):
        fast_conv2d.add_in_chunk_order(per_chunk, conv.grads["W"], conv.grads["b"])
    return dout


def _same_run(earlier: Conv2D, later: Conv2D) -> bool:
    """Whether the fused block of ``later`` can run chunk by chunk after ``earlier``'s.

    Not when their weights' dtypes differ: ``later`` would convert its input (and
    ``earlier`` its gradient) before the other block has written it.
    """
    return earlier.params["W"].dtype == later.params["W"].dtype


def _conv_relu_pool(layers) -> bool:
    """Whether ``layers`` are Conv2D, ReLU, MaxPool2D (windows that tile), which run as one.

    Only these exact classes: a subclass may compute something else.
    """
    return (len(layers) == 3 and type(layers[0]) is Conv2D and type(layers[1]) is ReLU
            and type(layers[2]) is MaxPool2D and layers[2].stride == layers[2].size)


def summary(model: Sequential, input_shape) -> list[dict]:
    """The shape of one sample after every layer, and each layer's parameter count.

    Parameters
    ----------
    model : Sequential
    input_shape : tuple of int
        One sample's shape, without the batch axis: (C, H, W).

    Returns
    -------
    rows : list of dict
        One per layer, plus a first row for the input: keys "layer" (str),
        "output_shape" (tuple) and "params" (int).

    Raises
    ------
    TypeError
        If ``model`` is not a Sequential or ``input_shape`` not a tuple of ints.
    ValueError
        Naming the first layer that cannot take the shape it receives.

    Examples
    --------
    >>> model = Sequential([Conv2D(1, 4, 3, padding=1), ReLU(), MaxPool2D(), Flatten()])
    >>> for row in summary(model, (1, 8, 8)):
    ...     print(row["output_shape"], row["params"])
    (1, 8, 8) 0
    (4, 8, 8) 40
    (4, 8, 8) 0
    (4, 4, 4) 0
    (64,) 0
    """
    if not isinstance(model, Sequential):
        raise TypeError(f"model must be a Sequential, got {type(model).__name__}")
    shape = _sample_shape(input_shape, model, ("...",))
    rows = [{"layer": "input", "output_shape": shape, "params": 0}]
    for layer in model:
        shape = tuple(int(n) for n in layer.output_shape(shape))
        rows.append({"layer": repr(layer), "output_shape": shape, "params": layer.num_params})
    return rows


def format_summary(rows) -> str:
    """:func:`summary` rows as a fixed-width text table with a total.

    Examples
    --------
    >>> model = Sequential([Flatten(), Dense(4, 2)])
    >>> print(format_summary(summary(model, (1, 2, 2))))
    layer         output shape  parameters
    input         (1, 2, 2)              0
    Flatten()     (4,)                   0
    Dense(4, 2)   (2,)                  10
    total                               10
    """
    if not isinstance(rows, (list, tuple)) or not rows or not all(
            isinstance(r, dict) and {"layer", "output_shape", "params"} <= r.keys()
            for r in rows):
        raise TypeError(f"rows must be the list of dicts that summary returns, got "
                        f"{rows!r:.80}")
    cells = [(r["layer"], str(r["output_shape"]), str(r["params"])) for r in rows]
    cells.append(("total", "", str(sum(r["params"] for r in rows))))
    header = ("layer", "output shape", "parameters")
    widths = [max(len(c[i]) for c in [header, *cells]) for i in range(3)]
    lines = [f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c:>{widths[2]}}" for a, b, c in
             [header, *cells]]
    return "\n".join(line.rstrip() for line in lines)
