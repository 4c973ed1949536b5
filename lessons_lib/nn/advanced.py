r"""The layers the classic networks add to a plain CNN, each a forward/backward pair.

- :class:`PointwiseConv2D`: a 1×1 convolution, a dense layer applied at every pixel
  across the channels (Inception's channel reductions, Xception's second half).
- :class:`DepthwiseConv2D`: one filter per channel, no mixing of channels.
- :class:`SeparableConv2D`: depthwise then pointwise (Xception, MobileNet).
- :class:`PaddedMaxPool2D`: max pooling that can keep the size (inception's branch).
- :class:`GlobalAvgPool2D`: the mean of each channel, (N, C, H, W) → (N, C).
- :class:`BatchNorm`: normalise each channel over the batch, then scale and shift.
- :class:`Residual`: y = body(x) + shortcut(x) (ResNet).
- :class:`Concat`: parallel branches stacked along channels (an inception module).
- :class:`Sigmoid`, :class:`Tanh`: the saturating activations ReLU replaced.

All follow the contract of :class:`lessons_lib.nn.layers.Layer`: ``forward`` keeps what
``backward`` needs, ``backward`` adds parameter gradients into ``grads`` (``+=``).
"""

from __future__ import annotations

import math

import numpy as np

from lessons_lib import pooling
from lessons_lib._validate import as_float_array, check_memory, int_tuple, positive_int
from lessons_lib.fast.conv2d import depthwise_backward_cols, depthwise_forward_cols, im2col
from lessons_lib.nn.layers import (
    Layer,
    Sequential,
    _as_batch,
    _as_dout,
    _check_parameters,
    _Composite,
    _conv_operands,
    _Elementwise,
    _flag,
    _label,
    _Named,
    _number,
    _rng,
    _sample_shape,
    _saved,
    _window_output,
    init_weights,
)

# -- point (1×1) convolution ----------------------------------------------------------


def pointwise_forward(x, w, b):
    r"""A 1×1 convolution: :math:`o[n, f, i, j] = b_f + \sum_c w[f, c]\, x[n, c, i, j]`.

    At every pixel the C channel values are a vector, and the layer multiplies it by
    the same (C_out, C) matrix: a dense layer applied at every position.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    w : ndarray, shape (C_out, C, 1, 1)
    b : ndarray, shape (C_out,)

    Returns
    -------
    o : ndarray, shape (N, C_out, H, W)

    Raises
    ------
    TypeError, ValueError
        Naming the argument that is not a finite real array of the shape above.

    Examples
    --------
    >>> x = np.arange(8.0).reshape(1, 2, 2, 2)
    >>> pointwise_forward(x, np.array([[[[1.0]], [[10.0]]]]), np.zeros(1))[0, 0]
    array([[40., 51.],
           [62., 73.]])
    """
    return _pointwise_forward(*_pointwise_operands(x, w, b, "b"))


def _pointwise_forward(x, w, b):
    o = np.einsum("fc,nchw->nfhw", w[:, :, 0, 0], x, optimize=True)
    return o + b[:, None, None]


def pointwise_backward(x, w, dout):
    r"""Gradients of :func:`pointwise_forward`.

    .. math::

        \frac{\partial J}{\partial w[f, c]} = \sum_{n, i, j} dout[n, f, i, j]\, x[n, c, i, j],
        \qquad
        \frac{\partial J}{\partial x[n, c, i, j]} = \sum_f w[f, c]\, dout[n, f, i, j]

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    w : ndarray, shape (C_out, C, 1, 1)
    dout : ndarray, shape (N, C_out, H, W)

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)
    dw : ndarray, shape (C_out, C, 1, 1)
    db : ndarray, shape (C_out,)

    Raises
    ------
    TypeError, ValueError
        Naming the argument that is not a finite real array of the shape above.

    Examples
    --------
    >>> x = np.ones((1, 2, 1, 1))
    >>> dx, dw, db = pointwise_backward(x, np.ones((3, 2, 1, 1)), np.ones((1, 3, 1, 1)))
    >>> dx.ravel(), dw.shape, db
    (array([3., 3.]), (3, 2, 1, 1), array([1., 1., 1.]))
    """
    return _pointwise_backward(*_pointwise_operands(x, w, dout, "dout"))


def _pointwise_backward(x, w, dout):
    dw = np.einsum("nfhw,nchw->fc", dout, x, optimize=True)[:, :, None, None]
    dx = np.einsum("fc,nfhw->nchw", w[:, :, 0, 0], dout, optimize=True)
    return dx, dw, dout.sum(axis=(0, 2, 3))


def _pointwise_operands(x, w, other, other_name):
    """``(x, w, b or dout)`` of a 1×1 convolution, checked like :func:`_conv_operands`."""
    w = as_float_array(w, "w", ndim=4, keep_float32=True)
    if w.shape[2:] != (1, 1):
        raise ValueError(f"w must be shaped (C_out, C, 1, 1), got {w.shape}")
    x, w, other, _ = _conv_operands(x, w, other, other_name, (1, 1), (0, 0))
    return x, w, other


def pointwise_forward_loops(x, w, b):
    """:func:`pointwise_forward` as loops over pixels: a dense layer at each one.

    Parameters and result as :func:`pointwise_forward`.

    Examples
    --------
    >>> x = np.arange(8.0).reshape(1, 2, 2, 2)
    >>> pointwise_forward_loops(x, np.array([[[[1.0]], [[10.0]]]]), np.zeros(1))[0, 0]
    array([[40., 51.],
           [62., 73.]])
    """
    x, w, b = _pointwise_operands(x, w, b, "b")
    N, _, H, W = x.shape
    matrix = w[:, :, 0, 0]
    o = np.zeros((N, w.shape[0], H, W), dtype=np.result_type(x, w))
    for n in range(N):
        for i in range(H):
            for j in range(W):
                o[n, :, i, j] = matrix @ x[n, :, i, j] + b
    return o


class PointwiseConv2D(Layer):
    """A 1×1 convolution: mixes the channels at each pixel, never looks at neighbours.

    Parameters
    ----------
    in_channels, out_channels : int
    rng : int or numpy.random.Generator, default 0
    dtype : numpy dtype, default float32

    Attributes
    ----------
    params : dict
        ``"W"`` of shape (out_channels, in_channels, 1, 1) as in PyTorch, ``"b"``.

    Examples
    --------
    >>> layer = PointwiseConv2D(64, 16)
    >>> layer(np.zeros((2, 64, 7, 7))).shape, layer.num_params
    ((2, 16, 7, 7), 1040)
    """

    def __init__(self, in_channels, out_channels, *, rng=0, dtype=np.float32):
        super().__init__()
        self.in_channels = positive_int(in_channels, "in_channels")
        self.out_channels = positive_int(out_channels, "out_channels")
        shape = (self.out_channels, self.in_channels, 1, 1)
        dtype = _check_parameters(
            (self.in_channels + 1) * self.out_channels, dtype,
            f"PointwiseConv2D(in_channels={self.in_channels}, "
            f"out_channels={self.out_channels})")
        self.add_param("W", init_weights(shape, self.in_channels, self.out_channels, rng=rng,
                                         dtype=dtype))
        self.add_param("b", np.zeros(self.out_channels, dtype=dtype))

    def output_shape(self, input_shape):
        _, H, W = _sample_shape(input_shape, self, (self.in_channels, "H", "W"))
        return (self.out_channels, H, W)

    def forward(self, x):
        w = self.params["W"]
        self.x = _as_batch(x, self, ("N", self.in_channels, "H", "W"), dtype=w.dtype)
        N, _, H, W = self.x.shape
        check_memory(N * self.out_channels * H * W * w.itemsize,
                     _Named(f"{{}} on x of shape {self.x.shape}", self))
        return _pointwise_forward(self.x, w, self.params["b"])

    def backward(self, dout):
        N, _, H, W = _saved(self, "x").shape
        w = self.params["W"]
        dout = _as_dout(dout, self, (N, self.out_channels, H, W), w.dtype)
        dx, dW, db = _pointwise_backward(self.x, w, dout)
        self.grads["W"] += dW
        self.grads["b"] += db
        return dx

    def extra_repr(self):
        return f"{self.in_channels}, {self.out_channels}"


# -- depthwise convolution --------------------------------------------------------------


def depthwise_forward_loops(x, w, b, *, stride=1, padding=0):
    r"""Depthwise convolution as plain loops: each input channel with its own filters.

    .. math::

        o[n, c m' + k, i, j] = b_{c m' + k} + \sum_{u, v} w[c m' + k, 0, u, v]\,
            x_p[n, c, i s + u, j s + v]

    for the :math:`m'` filters (the multiplier) of channel c: PyTorch's
    ``Conv2d(C, C·m', k, groups=C)``. Channels are never mixed. Output size
    ``H' = 1 + (H + 2·padding − kh) // stride``.

    Fast version: :func:`lessons_lib.fast.conv2d.depthwise_forward` (tested equal),
    what :class:`DepthwiseConv2D` computes.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    w : ndarray, shape (C·m', 1, kh, kw)
    b : ndarray, shape (C·m',)
    stride, padding : int or tuple of 2 int

    Returns
    -------
    o : ndarray, shape (N, C·m', H', W')

    Raises
    ------
    TypeError, ValueError
        Naming the argument that is not a finite real array of the shape above, or
        the input that is smaller than the kernel.

    Examples
    --------
    >>> x = np.stack([np.ones((3, 3)), 2 * np.ones((3, 3))])[None]
    >>> depthwise_forward_loops(x, np.ones((2, 1, 3, 3)), np.zeros(2)).ravel()
    array([ 9., 18.])
    """
    (sh, sw), (ph, pw) = int_tuple(stride, "stride", 2), int_tuple(padding, "padding", 2,
                                                                  minimum=0)
    x, w, b, (Ho, Wo) = _conv_operands(x, w, b, "b", (sh, sw), (ph, pw), depthwise=True)
    N, C, H, W = x.shape
    C_out, _, kh, kw = w.shape
    multiplier = C_out // C
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    o = np.zeros((N, C_out, Ho, Wo), dtype=np.result_type(x, w))
    for n in range(N):
        for f in range(C_out):
            c = f // multiplier  # the one input channel this filter reads
            for i in range(Ho):
                for j in range(Wo):
                    window = xp[n, c, i * sh : i * sh + kh, j * sw : j * sw + kw]
                    o[n, f, i, j] = np.sum(window * w[f, 0]) + b[f]
    return o


def depthwise_backward_loops(x, w, dout, *, stride=1, padding=0):
    """Gradients of :func:`depthwise_forward_loops`, one output at a time, for reading.

    Output ``o[n, f, i, j]`` used one window of its own channel ``c = f // m'`` and the
    filter ``w[f, 0]``: its gradient goes back to that filter (times the window), to
    that window (times the filter, ``+=`` where windows overlap) and to ``b[f]``.

    Fast version: :func:`lessons_lib.fast.conv2d.depthwise_backward` (tested equal),
    what :class:`DepthwiseConv2D` computes.

    Parameters
    ----------
    x, w, stride, padding
        As in :func:`depthwise_forward_loops`.
    dout : ndarray, shape (N, C·m', H', W')

    Returns
    -------
    dx, dw, db : ndarray
        The shapes of ``x``, ``w`` and the bias (C·m',).

    Raises
    ------
    TypeError, ValueError
        Naming the argument that is not a finite real array of the shape above.

    Examples
    --------
    >>> x = np.arange(9.0).reshape(1, 1, 3, 3)
    >>> dx, dw, db = depthwise_backward_loops(x, np.ones((1, 1, 2, 2)), np.ones((1, 1, 2, 2)))
    >>> dw[0, 0], db
    (array([[ 8., 12.],
           [20., 24.]]), array([4.]))
    """
    (sh, sw), (ph, pw) = int_tuple(stride, "stride", 2), int_tuple(padding, "padding", 2,
                                                                  minimum=0)
    x, w, dout, _ = _conv_operands(x, w, dout, "dout", (sh, sw), (ph, pw), depthwise=True)
    N, C, H, W = x.shape
    C_out, _, kh, kw = w.shape
    multiplier = C_out // C
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    dtype = np.result_type(x, w, dout)
    dxp, dw, db = np.zeros(xp.shape, dtype), np.zeros(w.shape, dtype), np.zeros(C_out, dtype)
    for n in range(N):
        for f in range(C_out):
            c = f // multiplier
            for i in range(dout.shape[2]):
                for j in range(dout.shape[3]):
                    window = (n, c, slice(i * sh, i * sh + kh), slice(j * sw, j * sw + kw))
                    dw[f, 0] += dout[n, f, i, j] * xp[window]
                    dxp[window] += dout[n, f, i, j] * w[f, 0]
                    db[f] += dout[n, f, i, j]
    return dxp[:, :, ph : ph + H, pw : pw + W], dw, db


class DepthwiseConv2D(Layer):
    r"""One ``kernel_size`` filter per input channel (``multiplier`` of them), no channel mixing.

    A 3×3 depthwise layer on C channels has 9·C weights where a full 3×3 convolution
    to C channels has 9·C². Readable version: :func:`depthwise_forward_loops`; computed
    by :mod:`lessons_lib.fast.conv2d` (im2col, tested equal).

    Parameters
    ----------
    channels : int
    kernel_size : int or tuple of 2 int
    stride, padding : int or tuple of 2 int, default 1 and 0
    multiplier : int, default 1
        Filters per input channel; the output has ``channels · multiplier`` channels.
    bias : bool, default True
    rng : int or numpy.random.Generator, default 0
    dtype : numpy dtype, default float32

    Attributes
    ----------
    params : dict
        ``"W"`` of shape (channels·multiplier, 1, kh, kw), as PyTorch's ``groups=channels``,
        and ``"b"`` when ``bias``.

    Examples
    --------
    >>> layer = DepthwiseConv2D(8, 3, padding=1)
    >>> layer(np.zeros((2, 8, 10, 10))).shape, layer.num_params
    ((2, 8, 10, 10), 80)
    """

    def __init__(self, channels, kernel_size, stride=1, padding=0, *, multiplier=1, bias=True,
                 rng=0, dtype=np.float32):
        super().__init__()
        self.channels = positive_int(channels, "channels")
        self.kernel_size = int_tuple(kernel_size, "kernel_size", 2)
        self.stride = int_tuple(stride, "stride", 2)
        self.padding = int_tuple(padding, "padding", 2, minimum=0)
        self.multiplier = positive_int(multiplier, "multiplier")
        self.bias = _flag(bias, "bias")
        kh, kw = self.kernel_size
        out = self.channels * self.multiplier
        dtype = _check_parameters(
            out * (kh * kw + 1), dtype,
            f"DepthwiseConv2D(channels={self.channels}, kernel_size={self.kernel_size}, "
            f"multiplier={self.multiplier})")
        self.add_param("W", init_weights((out, 1, kh, kw), kh * kw, self.multiplier * kh * kw,
                                         rng=rng, dtype=dtype))
        if self.bias:
            self.add_param("b", np.zeros(out, dtype=dtype))

    def output_shape(self, input_shape):
        _, H, W = _sample_shape(input_shape, self, (self.channels, "H", "W"))
        name = _Named("input_shape (one sample) of {}", self)
        return (self.channels * self.multiplier,
                *_window_output(name, H, W, self.kernel_size, self.stride, self.padding))

    def forward(self, x):
        w = self.params["W"]
        x = _as_batch(x, self, ("N", self.channels, "H", "W"), dtype=w.dtype)
        N, C, H, W = x.shape
        Ho, Wo = _window_output(_Named("x of {}", self), H, W, self.kernel_size, self.stride,
                                self.padding)
        # The im2col columns of the whole batch, kept for backward, and the output.
        kh, kw = self.kernel_size
        check_memory((kh * kw + self.multiplier) * N * C * Ho * Wo * w.itemsize,
                     _Named(f"{{}} on x of shape {x.shape}", self))
        self.x_shape, self.out_shape = x.shape, (N, w.shape[0], Ho, Wo)
        self.cols = im2col(x, self.kernel_size, self.stride, self.padding)
        b = self.params["b"] if self.bias else np.zeros(w.shape[0], dtype=w.dtype)
        return depthwise_forward_cols(self.cols, w, b)

    def backward(self, dout):
        cols, w = _saved(self, "cols"), self.params["W"]
        dout = _as_dout(dout, self, self.out_shape, w.dtype)
        dx, dW, db = depthwise_backward_cols(cols, self.x_shape, w, dout, self.stride,
                                             self.padding)
        self.grads["W"] += dW
        if self.bias:
            self.grads["b"] += db
        return dx

    def extra_repr(self):
        text = (f"{self.channels}, kernel_size={self.kernel_size}, stride={self.stride}, "
                f"padding={self.padding}")
        text += f", multiplier={self.multiplier}" if self.multiplier != 1 else ""
        return text + ("" if self.bias else ", bias=False")


class SeparableConv2D(_Composite):
    r"""A depthwise-separable convolution: :class:`DepthwiseConv2D` then :class:`PointwiseConv2D`.

    It factors a k×k convolution from C to C_out channels, k²·C·C_out weights, into a
    spatial step (k²·C) and a channel-mixing step (C·C_out): for 3×3 and C_out = 256 about 8.7 times
    fewer weights and operations. Keras's ``SeparableConv2D``; the bias sits after the
    pointwise step.

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int or tuple of 2 int
    stride, padding : int or tuple of 2 int, default 1 and 0
    multiplier : int, default 1
    rng : int or numpy.random.Generator, default 0
    dtype : numpy dtype, default float32

    Attributes
    ----------
    depthwise : DepthwiseConv2D
        Without bias; its parameters appear as ``"depthwise.W"``.
    pointwise : PointwiseConv2D

    Examples
    --------
    >>> layer = SeparableConv2D(16, 32, 3, padding=1)
    >>> layer(np.zeros((1, 16, 8, 8))).shape, layer.num_params, 3 * 3 * 16 * 32 + 32
    ((1, 32, 8, 8), 688, 4640)
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, *,
                 multiplier=1, rng=0, dtype=np.float32):
        super().__init__()
        in_channels = positive_int(in_channels, "in_channels")
        positive_int(out_channels, "out_channels")
        rng = _rng(rng)
        self.depthwise = DepthwiseConv2D(in_channels, kernel_size, stride, padding,
                                         multiplier=multiplier, bias=False, rng=rng, dtype=dtype)
        self.pointwise = PointwiseConv2D(in_channels * self.depthwise.multiplier, out_channels,
                                         rng=rng, dtype=dtype)

    def output_shape(self, input_shape):
        return self.pointwise.output_shape(self.depthwise.output_shape(input_shape))

    def _forward(self, x):
        return self.pointwise.forward(self.depthwise.forward(x))

    def _backward(self, dout):
        return self.depthwise.backward(self.pointwise.backward(dout))

    def extra_repr(self):
        d = self.depthwise
        return (f"{d.channels}, {self.pointwise.out_channels}, kernel_size={d.kernel_size}, "
                f"stride={d.stride}, padding={d.padding}")


# -- pooling and normalisation ------------------------------------------------------------


class PaddedMaxPool2D(Layer):
    r"""Max pooling with padding, as an inception module's 3×3, stride-1 pooling branch.

    The border is padded with the lowest number of the dtype, which never wins a
    window, so ``size=3, stride=1, padding=1`` keeps the height and width.
    ``H' = 1 + (H + 2·padding − size) // stride``.

    Parameters
    ----------
    size : int, default 3
    stride : int, default 1
    padding : int, default 1
        At most ``size // 2`` (a window must always hold a real value).

    Examples
    --------
    >>> pool = PaddedMaxPool2D()
    >>> pool(np.arange(9.0).reshape(1, 1, 3, 3))[0, 0]
    array([[4., 5., 5.],
           [7., 8., 8.],
           [7., 8., 8.]])
    >>> pool.backward(np.ones((1, 1, 3, 3)))[0, 0]
    array([[0., 0., 0.],
           [0., 1., 2.],
           [0., 2., 4.]])
    """

    def __init__(self, size=3, stride=1, padding=1):
        super().__init__()
        self.size = positive_int(size, "size")
        self.stride = positive_int(stride, "stride")
        self.padding = positive_int(padding, "padding", minimum=0)
        if self.padding > self.size // 2:
            raise ValueError(f"padding must be at most size // 2 = {self.size // 2}, "
                             f"got {padding!r}")

    def _window(self, name, H, W):
        return _window_output(name, H, W, (self.size,) * 2, (self.stride,) * 2,
                              (self.padding,) * 2, "pooling window")

    def output_shape(self, input_shape):
        C, H, W = _sample_shape(input_shape, self)
        return (C, *self._window(_Named("input_shape (one sample) of {}", self), H, W))

    def forward(self, x):
        x = _as_batch(x, self, ("N", "C", "H", "W"))
        self._window(_Named("x of {}", self), *x.shape[2:])
        p = self.padding
        low = np.finfo(x.dtype).min
        self.xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), constant_values=low)
        return pooling.max_pool(self.xp, self.size, self.stride).astype(x.dtype, copy=False)

    def backward(self, dout):
        xp, p = _saved(self, "xp"), self.padding
        N, C, H, W = xp.shape[0], xp.shape[1], xp.shape[2] - 2 * p, xp.shape[3] - 2 * p
        dout = _as_dout(dout, self, (N, C, *self._window("x", H, W)), xp.dtype)
        dxp = pooling.max_pool_backward(xp, dout, self.size, self.stride)
        return dxp[:, :, p : p + H, p : p + W].astype(self.xp.dtype, copy=False)

    def extra_repr(self):
        return f"size={self.size}, stride={self.stride}, padding={self.padding}"


class GlobalAvgPool2D(Layer):
    r"""The mean of each channel: (N, C, H, W) → (N, C).

    Replaces the big dense layers of AlexNet and VGG in ResNet, GoogLeNet and
    Xception: no parameters, and any input size works. Backward spreads each
    gradient evenly, :math:`\partial J/\partial x = dout / (H W)` at every pixel.

    Examples
    --------
    >>> pool = GlobalAvgPool2D()
    >>> pool(np.arange(8.0).reshape(1, 2, 2, 2))
    array([[1.5, 5.5]])
    >>> pool.backward(np.array([[4.0, 8.0]]))[0, 1]
    array([[2., 2.],
           [2., 2.]])
    """

    def output_shape(self, input_shape):
        return (_sample_shape(input_shape, self)[0],)

    def forward(self, x):
        x = _as_batch(x, self, ("N", "C", "H", "W"))
        self.x_shape = x.shape
        return x.mean(axis=(2, 3))

    def backward(self, dout):
        N, C, H, W = _saved(self, "x_shape")
        dout = _as_dout(dout, self, (N, C))
        return np.broadcast_to(dout[:, :, None, None] / (H * W), self.x_shape).copy()


class BatchNorm(Layer):
    r"""Batch normalisation (Ioffe and Szegedy, 2015) of each channel (or feature).

    While training, each channel is normalised with the mean :math:`\mu` and variance
    :math:`\sigma^2` of the current batch (over N, H and W), then scaled and shifted by
    learned :math:`\gamma`, :math:`\beta`:

    .. math:: \hat x = \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}}, \qquad y = \gamma \hat x + \beta

    and running averages of :math:`\mu` and :math:`\sigma^2` (unbiased, as PyTorch) are
    kept for evaluation, where they replace the batch statistics.

    Parameters
    ----------
    num_features : int
        Channels C of (N, C, H, W) inputs, or features of (N, features) inputs.
    eps : float, default 1e-5
    momentum : float, default 0.1
        running ← (1 − momentum) · running + momentum · batch statistic.
    dtype : numpy dtype, default float32

    Attributes
    ----------
    params : dict
        ``"gamma"`` (ones) and ``"beta"`` (zeros), shape (num_features,).
    running_mean, running_var : ndarray, shape (num_features,)
        Statistics, not parameters: no optimiser changes them.

    Examples
    --------
    >>> bn = BatchNorm(1)
    >>> bn(np.array([[1.0], [3.0]])).ravel()
    array([-1.,  1.], dtype=float32)
    >>> bn.running_mean, bn.running_var
    (array([0.2], dtype=float32), array([1.1], dtype=float32))
    """

    def __init__(self, num_features, *, eps=1e-5, momentum=0.1, dtype=np.float32):
        super().__init__()
        self.num_features = positive_int(num_features, "num_features")
        self.eps = _number(eps, "eps", low=0, low_open=True, high=math.inf, high_open=True)
        self.momentum = _number(momentum, "momentum", low=0, high=1)
        dtype = _check_parameters(4 * self.num_features, dtype,
                                  f"BatchNorm(num_features={self.num_features})")
        self.add_param("gamma", np.ones(self.num_features, dtype=dtype))
        self.add_param("beta", np.zeros(self.num_features, dtype=dtype))
        self.running_mean = np.zeros(self.num_features, dtype=dtype)
        self.running_var = np.ones(self.num_features, dtype=dtype)

    def astype(self, dtype):
        super().astype(dtype)
        self.running_mean = self.running_mean.astype(dtype)
        self.running_var = self.running_var.astype(dtype)
        return self

    def output_shape(self, input_shape):
        shape = _sample_shape(input_shape, self, (self.num_features, "..."))
        if len(shape) not in (1, 3):
            raise ValueError(f"input_shape (one sample) of {_label(self)} must be shaped "
                             f"({self.num_features},) or ({self.num_features}, H, W), got "
                             f"{shape}")
        return shape

    def _axes(self, x):
        return (0,) if x.ndim == 2 else (0, 2, 3)

    def _per_channel(self, v, x):
        return v if x.ndim == 2 else v[:, None, None]

    def forward(self, x):
        gamma, C = self.params["gamma"], self.num_features
        x = _as_batch(x, self, ("N", C, "..."), dtype=gamma.dtype)
        if x.ndim not in (2, 4):
            raise ValueError(f"x of {_label(self)} must be shaped (N, {C}) or (N, {C}, H, W), "
                             f"got {x.shape}")
        axes = self._axes(x)
        # Backward differentiates what was computed: batch or running statistics.
        self.batch_statistics = self.training
        if self.training:
            m = x.size // self.num_features
            if m < 2:
                raise ValueError(f"{self!r} needs more than one value per channel to train, "
                                 f"got an input of shape {x.shape}")
            mu, var = x.mean(axis=axes), x.var(axis=axes)
            self.running_mean[...] = ((1 - self.momentum) * self.running_mean
                                      + self.momentum * mu)
            self.running_var[...] = ((1 - self.momentum) * self.running_var
                                     + self.momentum * var * m / (m - 1))
        else:
            mu, var = self.running_mean, self.running_var
        self.inv_std = 1.0 / np.sqrt(var + self.eps)
        self.x_hat = (x - self._per_channel(mu, x)) * self._per_channel(self.inv_std, x)
        return (self._per_channel(gamma, x) * self.x_hat
                + self._per_channel(self.params["beta"], x))

    def backward(self, dout):
        r"""With :math:`d\hat x = \gamma \cdot dout` and m values per channel:

        .. math:: dx = \frac{1}{m \sqrt{\sigma^2+\epsilon}} \left(m\, d\hat x -
                  \textstyle\sum d\hat x - \hat x \sum d\hat x\, \hat x\right)

        (in evaluation mode the statistics are constants: :math:`dx = d\hat x /
        \sqrt{\sigma^2_{run} + \epsilon}`).
        """
        x_hat = _saved(self, "x_hat")
        dout = _as_dout(dout, self, x_hat.shape)
        axes = self._axes(x_hat)
        self.grads["gamma"] += np.sum(dout * x_hat, axis=axes)
        self.grads["beta"] += np.sum(dout, axis=axes)
        dx_hat = dout * self._per_channel(self.params["gamma"], x_hat)
        inv_std = self._per_channel(self.inv_std, x_hat)
        if not self.batch_statistics:
            return dx_hat * inv_std
        m = x_hat.size // self.num_features
        total = self._per_channel(np.sum(dx_hat, axis=axes), x_hat)
        along = self._per_channel(np.sum(dx_hat * x_hat, axis=axes), x_hat)
        return inv_std / m * (m * dx_hat - total - x_hat * along)

    def extra_repr(self):
        return f"{self.num_features}"


# -- composite layers ---------------------------------------------------------------------


def _sequence(layers, name):
    if isinstance(layers, Layer):
        return layers
    if isinstance(layers, (list, tuple)) and all(isinstance(v, Layer) for v in layers):
        return Sequential(layers)
    raise TypeError(f"{name} must be a Layer or a list of layers, got {layers!r:.80}")


class Residual(_Composite):
    r"""A residual connection: :math:`y = \mathrm{act}(\mathrm{body}(x) + \mathrm{shortcut}(x))`.

    With the identity shortcut the block only has to learn a correction
    :math:`\mathrm{body}(x) = y - x`, and its backward pass adds the upstream gradient straight
    to the input's, :math:`dx = d\,\mathrm{body} + dout`: the gradient reaches early
    layers even through a hundred blocks.

    Parameters
    ----------
    body : Layer or list of Layer
    shortcut : Layer or list of Layer, optional
        Default the identity; a projection (1×1 convolution) when the body changes
        the shape.
    activation : Layer, optional
        Applied after the addition (ResNet: ReLU).

    Examples
    --------
    >>> from lessons_lib.nn.layers import Dense
    >>> block = Residual([Dense(2, 2)])
    >>> block.body[0].params["W"][...] = 0
    >>> block(np.array([[1.0, 2.0]], dtype=np.float32))
    array([[1., 2.]], dtype=float32)
    >>> block.backward(np.array([[1.0, 1.0]], dtype=np.float32))
    array([[1., 1.]], dtype=float32)
    """

    def __init__(self, body, shortcut=None, activation=None):
        super().__init__()
        self.body = _sequence(body, "body")
        self.shortcut = None if shortcut is None else _sequence(shortcut, "shortcut")
        if activation is not None and not isinstance(activation, Layer):
            raise TypeError(f"activation must be a Layer, got {type(activation).__name__}")
        self.activation = activation

    def output_shape(self, input_shape):
        input_shape = _sample_shape(input_shape, self, ("...",))
        y = self.body.output_shape(input_shape)
        s = input_shape if self.shortcut is None else self.shortcut.output_shape(input_shape)
        self._check_shapes(y, s)
        return y if self.activation is None else self.activation.output_shape(y)

    def _check_shapes(self, body, shortcut):
        if tuple(body) != tuple(shortcut):
            raise ValueError(f"the body of {type(self).__name__} gives {tuple(body)} but the "
                             f"shortcut gives {tuple(shortcut)}: use a projection shortcut")

    def _forward(self, x):
        y = self.body.forward(x)
        s = x if self.shortcut is None else self.shortcut.forward(x)
        self._check_shapes(y.shape, np.shape(s))
        y = y + s
        return y if self.activation is None else self.activation.forward(y)

    def _backward(self, dout):
        if self.activation is not None:
            dout = self.activation.backward(dout)
        dx = self.body.backward(dout)
        return dx + (dout if self.shortcut is None else self.shortcut.backward(dout))

    def __repr__(self):
        inner = repr(self.body).replace("\n", "\n  ")
        short = "identity" if self.shortcut is None else repr(self.shortcut).replace("\n", "\n  ")
        return f"Residual(\n  body={inner},\n  shortcut={short},\n  activation={self.activation!r}\n)"


class Concat(_Composite):
    """Parallel branches on the same input, outputs stacked along the channels (inception).

    Backward splits the upstream gradient by channels, sends each part back through
    its branch, and adds the input gradients (every branch read the same input).

    Parameters
    ----------
    branches : list of (Layer or list of Layer)

    Examples
    --------
    >>> block = Concat([PointwiseConv2D(3, 2), [PointwiseConv2D(3, 1), Tanh()]])
    >>> block(np.zeros((1, 3, 4, 4))).shape
    (1, 3, 4, 4)
    """

    def __init__(self, branches):
        super().__init__()
        if not isinstance(branches, (list, tuple)) or not branches:
            raise TypeError("branches must be a non-empty list of layers or lists of layers")
        self.branches = [_sequence(b, f"branches[{i}]") for i, b in enumerate(branches)]

    def output_shape(self, input_shape):
        input_shape = _sample_shape(input_shape, self, ("...",))
        shapes = [tuple(b.output_shape(input_shape)) for b in self.branches]
        self._check_sizes([(None, *shape) for shape in shapes])
        return (sum(s[0] for s in shapes), *shapes[0][1:])

    @staticmethod
    def _check_sizes(shapes):
        """Branch outputs can be stacked when they differ only along the channels."""
        sizes = {shape[2:] if len(shape) > 1 else None for shape in shapes}
        if None in sizes:
            raise ValueError("the branches of Concat must give batches with channels, "
                             f"(N, C, ...), got shapes {[s[1:] for s in shapes]}")
        if len(sizes) > 1:
            raise ValueError(f"the branches of Concat give different sizes {sorted(sizes)}")

    def _forward(self, x):
        outputs = [b.forward(x) for b in self.branches]
        self._check_sizes([o.shape for o in outputs])
        self.splits = np.cumsum([o.shape[1] for o in outputs])[:-1]
        return np.concatenate(outputs, axis=1)

    def _backward(self, dout):
        parts = np.split(dout, self.splits, axis=1)
        return sum(b.backward(d) for b, d in zip(self.branches, parts, strict=True))


# -- saturating activations -------------------------------------------------------------


class Sigmoid(_Elementwise):
    r""":math:`\sigma(x) = 1 / (1 + e^{-x})`; its derivative :math:`\sigma(1-\sigma) \le 1/4`.

    Stacked, those factors of at most 1/4 shrink the gradient layer after layer: the
    vanishing gradient that ReLU (derivative 1 where active) avoids.

    Examples
    --------
    >>> s = Sigmoid()
    >>> np.round(s(np.array([0.0, 100.0, -100.0])), 4)
    array([0.5, 1. , 0. ])
    >>> np.round(s.backward(np.ones(3)), 4)
    array([0.25, 0.  , 0.  ])
    """

    def forward(self, x):
        x = _as_batch(x, self)
        # Split by sign so that exp never overflows.
        e = np.exp(-np.abs(x))
        self.y = np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)
        return self.y

    def backward(self, dout):
        y = _saved(self, "y")
        return _as_dout(dout, self, y.shape) * y * (1 - y)


class Tanh(_Elementwise):
    r""":math:`\tanh(x)`; its derivative :math:`1 - \tanh^2 \le 1`, 1 only at 0.

    Examples
    --------
    >>> t = Tanh()
    >>> t(np.array([0.0, 20.0]))
    array([0., 1.])
    >>> t.backward(np.ones(2))
    array([1., 0.])
    """

    def forward(self, x):
        self.y = np.tanh(_as_batch(x, self))
        return self.y

    def backward(self, dout):
        y = _saved(self, "y")
        return _as_dout(dout, self, y.shape) * (1 - y**2)
