r"""The layers of a vision transformer (ViT), each a forward/backward pair, and a tiny ViT.

A ViT reads an image as a sequence of tokens:

1. :class:`PatchEmbedding` cuts the image into P x P patches and maps each flattened
   patch to E numbers with one learned matrix (the slides' "linear embedding");
2. :class:`ClassToken` puts one extra learned token in front, whose final state will
   summarise the image (or :class:`TokenPool` averages all tokens instead);
3. :class:`PositionEmbedding` adds a learned (or sinusoidal) vector per position, the
   only way the network can know where a patch was;
4. :class:`TransformerBlock` s, each ``x + attention(norm(x))`` then ``x + mlp(norm(x))``;
5. a final :class:`LayerNorm`, the pooling, and a :class:`~lessons_lib.nn.layers.Dense`
   classifier.

Token batches are shaped ``(B, N, E)``: B images, N tokens, E features per token. Every
layer follows the contract of :class:`lessons_lib.nn.layers.Layer`.
"""

from __future__ import annotations

import numpy as np

from lessons_lib._data import REBUILD, data_path
from lessons_lib._files import NUMBER, as_path, check_json, damaged
from lessons_lib._validate import check_memory, choice, positive_int
from lessons_lib.attention import patchify, patchify_backward, sinusoidal_position_encoding
from lessons_lib.fast import attention as fast_attention
from lessons_lib.fast import parallel
from lessons_lib.fast.linalg import matmul
from lessons_lib.nn.io import load
from lessons_lib.nn.layers import (
    Dense,
    Layer,
    Sequential,
    _as_batch,
    _as_dout,
    _check_parameters,
    _Composite,
    _Elementwise,
    _float_dtype,
    _label,
    _Named,
    _number,
    _rng,
    _sample_shape,
    _saved,
    _window_output,
    init_weights,
)

POOLS = ("cls", "mean")
POSITIONS = ("learned", "sinusoidal")

MAX_DEPTH = 1000
"""The most transformer blocks :func:`tiny_vit` builds (ViT-Huge has 32): more is a typo."""

VIT_WEIGHTS = data_path("vit_detector.npz")
"""Lesson 06's trained ViT (weights and metadata), as ``tools/train_vit.py`` wrote it to ``data/``."""
VIT_CONFIG = {"patch_size": 8, "embed_dim": 32, "depth": 2, "num_heads": 4, "mlp_dim": 64,
              "pool": "cls", "position": "learned"}
"""The tiny ViT of lesson 06, as keyword arguments of :func:`tiny_vit`."""
VIT_IMAGE_SHAPE = (1, 64, 64)
"""One detector event, (C, H, W), as the stored ViT reads it."""
VIT_TRAINING = {"epochs": 6, "batch_size": 64, "lr": 0.002, "cnn_lr": 0.003}
"""How ``tools/train_vit.py`` trains on the course split's training events
(:func:`lessons_lib.splits.course_split`): Adam, its step decaying from ``lr`` to 0
(cosine) over a fixed number of epochs; the CNN it is compared with alike, with lesson
04's learning rate."""


def _tokens(x, layer, features="E"):
    """``x`` as a float token batch (B, N, E), checked as every layer checks its input."""
    return _as_batch(x, layer, ("B", "N", features))


def _same_tokens(input_shape, layer, features="E"):
    """One sample's shape (N, E) for a layer that keeps it, checked."""
    return _sample_shape(input_shape, layer, ("N", features))


class TokenDense(Dense):
    r"""A :class:`~lessons_lib.nn.layers.Dense` layer applied to every token: :math:`y = x w^T + b`.

    Parameters and attributes as for ``Dense`` (the weights w, ``"W"``, of shape
    (out_features, in_features)); the input is ``(..., in_features)`` with any leading axes.

    Examples
    --------
    >>> layer = TokenDense(4, 2)
    >>> layer(np.zeros((3, 5, 4), dtype=np.float32)).shape
    (3, 5, 2)
    >>> layer.output_shape((5, 4))
    (5, 2)
    """

    def output_shape(self, input_shape):
        input_shape = _sample_shape(input_shape, self, ("...", self.in_features))
        return (*input_shape[:-1], self.out_features)

    def forward(self, x):
        self.x = _as_batch(x, self, ("...", self.in_features))
        return matmul(self.x, self.params["W"].T) + self.params["b"]

    def backward(self, dout):
        x = _saved(self, "x")
        dout = _as_dout(dout, self, (*x.shape[:-1], self.out_features))
        rows = x.reshape(-1, self.in_features)
        dout_rows = dout.reshape(-1, self.out_features)
        self.grads["W"] += matmul(dout_rows.T, rows)
        self.grads["b"] += dout_rows.sum(axis=0)
        return matmul(dout, self.params["W"])


class GELU(_Elementwise):
    r"""Gaussian error linear unit (tanh form), the activation of transformers' MLPs.

    .. math::

        y = \tfrac12 x \left(1 + \tanh u\right), \qquad
        u = \sqrt{2/\pi}\,(x + 0.044715\, x^3)

    A smooth ReLU: near 0 for very negative x, near x for large x, and with a gradient
    everywhere, so no unit is ever stuck at zero gradient.

    Examples
    --------
    >>> np.round(GELU()(np.array([-3.0, 0.0, 1.0, 3.0])), 4)
    array([-0.0036,  0.    ,  0.8412,  2.9964])
    """

    _C = float(np.sqrt(2.0 / np.pi))

    def forward(self, x):
        x = _as_batch(x, self)
        self.x = x
        self.t = np.tanh(self._C * (x + 0.044715 * x * x * x))
        return 0.5 * x * (1.0 + self.t)

    def backward(self, dout):
        x, t = _saved(self, "x"), self.t
        dout = _as_dout(dout, self, x.shape)
        du = self._C * (1.0 + 3 * 0.044715 * x * x)
        return dout * (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t**2) * du)


class LayerNorm(Layer):
    r"""Normalise each token over its E features, then scale and shift.

    .. math::

        \hat x = \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}}, \qquad y = \gamma \hat x + \beta

    with :math:`\mu, \sigma^2` the mean and variance of one token's features. Unlike
    batch normalisation it needs no batch statistics: a token is normalised on its own.

    Parameters
    ----------
    features : int
        E.
    eps : float, default 1e-5
    dtype : numpy dtype, default float32

    Attributes
    ----------
    params : dict
        ``"gamma"`` (ones) and ``"beta"`` (zeros), each of shape (E,).

    Examples
    --------
    >>> norm = LayerNorm(3)
    >>> np.round(norm(np.array([[[1.0, 2.0, 3.0]]], dtype=np.float32)), 3)
    array([[[-1.225,  0.   ,  1.225]]], dtype=float32)
    """

    def __init__(self, features, *, eps=1e-5, dtype=np.float32):
        super().__init__()
        self.features = positive_int(features, "features")
        self.eps = _number(eps, "eps", low=0, low_open=True, high=np.inf, high_open=True)
        dtype = _check_parameters(2 * self.features, dtype,
                                  f"LayerNorm(features={self.features})")
        self.add_param("gamma", np.ones(self.features, dtype=dtype))
        self.add_param("beta", np.zeros(self.features, dtype=dtype))

    def output_shape(self, input_shape):
        return _sample_shape(input_shape, self, ("...", self.features))

    def forward(self, x):
        x = _as_batch(x, self, ("...", self.features))
        mu = x.mean(axis=-1, keepdims=True)
        self.inv_std = 1.0 / np.sqrt(x.var(axis=-1, keepdims=True) + self.eps)
        self.x_hat = (x - mu) * self.inv_std
        return self.params["gamma"] * self.x_hat + self.params["beta"]

    def backward(self, dout):
        x_hat = _saved(self, "x_hat")
        dout = _as_dout(dout, self, x_hat.shape)
        axes = tuple(range(dout.ndim - 1))
        self.grads["gamma"] += np.sum(dout * x_hat, axis=axes)
        self.grads["beta"] += np.sum(dout, axis=axes)
        dx_hat = dout * self.params["gamma"]
        # μ and σ depend on every feature of the token: the two mean terms carry that.
        return self.inv_std * (dx_hat - dx_hat.mean(axis=-1, keepdims=True)
                               - x_hat * np.mean(dx_hat * x_hat, axis=-1, keepdims=True))

    def extra_repr(self):
        return str(self.features)


class PatchEmbedding(Layer):
    r"""Cut images into patches and map each flattened patch to E numbers.

    :math:`x_{\text{token}} = \text{patch}\, w^T + b`: the same learned matrix for every
    patch. This equals a convolution with E filters of size P x P and stride P.

    Parameters
    ----------
    in_channels : int
        C.
    patch_size : int
        P; the image's H and W need not be multiples of P (the remainder is dropped).
    embed_dim : int
        E.
    rng : int or numpy.random.Generator, default 0
    dtype : numpy dtype, default float32

    Attributes
    ----------
    params : dict
        ``"W"`` of shape (E, C·P·P), ``"b"`` of shape (E,).

    Examples
    --------
    >>> embed = PatchEmbedding(1, patch_size=8, embed_dim=16)
    >>> embed(np.zeros((2, 1, 32, 32), dtype=np.float32)).shape  # 4 x 4 = 16 patches
    (2, 16, 16)
    """

    def __init__(self, in_channels, patch_size, embed_dim, *, rng=0, dtype=np.float32):
        super().__init__()
        self.in_channels = positive_int(in_channels, "in_channels")
        self.patch_size = positive_int(patch_size, "patch_size")
        self.embed_dim = positive_int(embed_dim, "embed_dim")
        fan_in = self.in_channels * self.patch_size**2
        dtype = _check_parameters(
            (fan_in + 1) * self.embed_dim, dtype,
            f"PatchEmbedding(in_channels={self.in_channels}, patch_size={self.patch_size}, "
            f"embed_dim={self.embed_dim})")
        self.add_param("W", init_weights((self.embed_dim, fan_in), fan_in, self.embed_dim,
                                         init="glorot", rng=rng, dtype=dtype))
        self.add_param("b", np.zeros(self.embed_dim, dtype=dtype))

    def _grid(self, name, H, W):
        """Patches down and across an H x W image, or an error naming ``name``."""
        P = (self.patch_size,) * 2
        return _window_output(name, H, W, P, P, (0, 0), "patch")

    def output_shape(self, input_shape):
        _, H, W = _sample_shape(input_shape, self, (self.in_channels, "H", "W"))
        rows, cols = self._grid(_Named("input_shape (one sample) of {}", self), H, W)
        return (rows * cols, self.embed_dim)

    def forward(self, x):
        w = self.params["W"]
        x = _as_batch(x, self, ("B", self.in_channels, "H", "W"), dtype=w.dtype)
        self._grid(_Named("x of {}", self), *x.shape[2:])
        self.x_shape = x.shape
        self.patches = patchify(x, self.patch_size)
        return matmul(self.patches, w.T) + self.params["b"]

    def backward(self, dout):
        w, patches = self.params["W"], _saved(self, "patches")
        dout = _as_dout(dout, self, (*patches.shape[:2], self.embed_dim))
        rows = patches.reshape(-1, w.shape[1])
        dout_rows = dout.reshape(-1, self.embed_dim)
        self.grads["W"] += matmul(dout_rows.T, rows)
        self.grads["b"] += dout_rows.sum(axis=0)
        return patchify_backward(matmul(dout, w), self.x_shape, self.patch_size)

    def num_patches(self, image_shape) -> int:
        """N for an image of shape (..., H, W)."""
        shape = _sample_shape(image_shape, self, ("...", "H", "W"))
        rows, cols = self._grid(f"image_shape {shape}", *shape[-2:])
        return rows * cols

    def extra_repr(self):
        return f"{self.in_channels}, patch_size={self.patch_size}, embed_dim={self.embed_dim}"


class ClassToken(Layer):
    """Put one learned token in front of every sequence: (B, N, E) → (B, N + 1, E).

    After the transformer blocks, this token's state has gathered, through attention,
    what the classifier needs from all patches.

    Parameters
    ----------
    embed_dim : int
    rng : int or numpy.random.Generator, default 0
    dtype : numpy dtype, default float32

    Attributes
    ----------
    params : dict
        ``"cls"`` of shape (E,), initially small random numbers.

    Examples
    --------
    >>> ClassToken(4)(np.zeros((2, 3, 4), dtype=np.float32)).shape
    (2, 4, 4)
    """

    def __init__(self, embed_dim, *, rng=0, dtype=np.float32):
        super().__init__()
        self.embed_dim = positive_int(embed_dim, "embed_dim")
        dtype = _check_parameters(self.embed_dim, dtype, f"ClassToken(embed_dim={self.embed_dim})")
        self.add_param("cls", (0.02 * _rng(rng).normal(size=self.embed_dim)).astype(dtype))

    def output_shape(self, input_shape):
        N, E = _same_tokens(input_shape, self, self.embed_dim)
        return (N + 1, E)

    def forward(self, x):
        x = _tokens(x, self, self.embed_dim)
        self.x_shape = x.shape
        cls = np.broadcast_to(self.params["cls"].astype(x.dtype), (x.shape[0], 1, x.shape[2]))
        return np.concatenate([cls, x], axis=1)

    def backward(self, dout):
        B, N, E = _saved(self, "x_shape")
        dout = _as_dout(dout, self, (B, N + 1, E))
        self.grads["cls"] += dout[:, 0].sum(axis=0)
        return dout[:, 1:]

    def extra_repr(self):
        return str(self.embed_dim)


class PositionEmbedding(Layer):
    """Add a vector per position to the tokens: x + P, with P of shape (N, E).

    Parameters
    ----------
    num_tokens : int
        N, the sequence length (patches, plus one with a class token).
    embed_dim : int
        E.
    kind : {"learned", "sinusoidal"}, default "learned"
        "learned": P is a parameter (as in ViT), initially small random numbers.
        "sinusoidal": P is :func:`~lessons_lib.attention.sinusoidal_position_encoding`,
        fixed (no parameters).
    rng : int or numpy.random.Generator, default 0
    dtype : numpy dtype, default float32

    Attributes
    ----------
    params : dict
        ``"pos"`` of shape (N, E) when learned, empty otherwise.
    table : ndarray, shape (N, E)
        P, whichever kind.

    Examples
    --------
    >>> layer = PositionEmbedding(3, 4, kind="sinusoidal")
    >>> np.round(layer(np.zeros((1, 3, 4), dtype=np.float32))[0, 1], 3)
    array([0.841, 0.54 , 0.01 , 1.   ], dtype=float32)
    """

    def __init__(self, num_tokens, embed_dim, *, kind="learned", rng=0, dtype=np.float32):
        super().__init__()
        self.num_tokens = positive_int(num_tokens, "num_tokens")
        self.embed_dim = positive_int(embed_dim, "embed_dim")
        self.kind = choice(kind, "kind", POSITIONS)
        dtype = _check_parameters(
            self.num_tokens * self.embed_dim, dtype,
            f"PositionEmbedding(num_tokens={self.num_tokens}, embed_dim={self.embed_dim})")
        if self.kind == "learned":
            shape = (self.num_tokens, self.embed_dim)
            self.add_param("pos", (0.02 * _rng(rng).normal(size=shape)).astype(dtype))
        else:
            self._fixed = sinusoidal_position_encoding(self.num_tokens, self.embed_dim).astype(
                dtype)

    @property
    def table(self) -> np.ndarray:
        return self.params["pos"] if self.kind == "learned" else self._fixed

    def output_shape(self, input_shape):
        return self._check_tokens(_same_tokens(input_shape, self, self.embed_dim),
                                  "input_shape (one sample)", 0)

    def _check_tokens(self, shape, name, axis):
        if shape[axis] != self.num_tokens:
            raise ValueError(f"{name} of {_label(self)} must have {self.num_tokens} tokens, "
                             f"got shape {shape}: the image size or patch size changed")
        return shape

    def forward(self, x):
        x = _tokens(x, self, self.embed_dim)
        self.x_shape = self._check_tokens(x.shape, "x", 1)
        return x + self.table

    def backward(self, dout):
        dout = _as_dout(dout, self, _saved(self, "x_shape"))
        if self.kind == "learned":
            self.grads["pos"] += dout.sum(axis=0)
        return dout

    def extra_repr(self):
        return f"{self.num_tokens}, {self.embed_dim}, kind={self.kind!r}"


class MultiHeadSelfAttention(Layer):
    """Multi-head self-attention over the tokens, :func:`~lessons_lib.attention.multi_head_attention`.

    The passes run its fast twin, :mod:`lessons_lib.fast.attention`, on the threads of
    :func:`lessons_lib.nn.threads`; x and dout are converted to the weights' dtype.

    Parameters
    ----------
    embed_dim : int
        E; the queries, keys, values and output all have E features.
    num_heads : int
        num_heads; must divide E. Each head has d_k = E / num_heads.
    rng : int or numpy.random.Generator, default 0
    dtype : numpy dtype, default float32

    Attributes
    ----------
    params : dict
        ``"W_Q"``, ``"W_K"``, ``"W_V"``, ``"W_O"``, each (E, E), used as ``X @ W`` (the
        slides' Q = X W_Q; PyTorch stores the transposes).
    A : ndarray, shape (B, num_heads, N, N)
        The attention maps of the last forward pass.

    Examples
    --------
    >>> attention = MultiHeadSelfAttention(8, num_heads=2)
    >>> attention(np.zeros((3, 5, 8), dtype=np.float32)).shape, attention.A.shape
    ((3, 5, 8), (3, 2, 5, 5))
    >>> MultiHeadSelfAttention(8, num_heads=3)
    Traceback (most recent call last):
    ...
    ValueError: num_heads must divide embed_dim = 8, got num_heads=3
    """

    def __init__(self, embed_dim, num_heads, *, rng=0, dtype=np.float32):
        super().__init__()
        self.embed_dim = positive_int(embed_dim, "embed_dim")
        self.num_heads = positive_int(num_heads, "num_heads")
        if self.embed_dim % self.num_heads:
            raise ValueError(f"num_heads must divide embed_dim = {self.embed_dim}, got "
                             f"num_heads={self.num_heads}")
        generator = _rng(rng)
        E = self.embed_dim
        dtype = _check_parameters(4 * E * E, dtype, f"MultiHeadSelfAttention(embed_dim={E})")
        for name in ("W_Q", "W_K", "W_V", "W_O"):
            self.add_param(name, init_weights((E, E), E, E, init="glorot", rng=generator,
                                              dtype=dtype))
        self._workspace = parallel.Workspace()

    def output_shape(self, input_shape):
        return _same_tokens(input_shape, self, self.embed_dim)

    def forward(self, x):
        p = self.params
        x = _as_batch(x, self, ("B", "N", self.embed_dim), dtype=p["W_Q"].dtype)
        B, N, E = x.shape
        # The attention maps and, for the backward pass, their gradient; the heads'
        # queries, keys, values and outputs, and their gradients.
        check_memory(2 * B * self.num_heads * N * N * x.itemsize + 10 * x.nbytes,
                     _Named(f"{{}} on x of shape {x.shape}", self))
        # The fast twin of attention.multi_head_attention_forward; its buffers are
        # kept in the layer from one batch to the next.
        Z, self.A, self.cache = fast_attention.multi_head_attention_forward(
            x, p["W_Q"], p["W_K"], p["W_V"], p["W_O"], self.num_heads, self._workspace)
        return Z

    def backward(self, dout):
        cache = _saved(self, "cache")
        dout = _as_dout(dout, self, cache["X"].shape, cache["X"].dtype)
        grads = fast_attention.multi_head_attention_backward(dout, cache, self._workspace)
        for name in ("W_Q", "W_K", "W_V", "W_O"):
            self.grads[name] += grads[name]
        return grads["X"]

    def extra_repr(self):
        return f"{self.embed_dim}, num_heads={self.num_heads}"


class TransformerBlock(_Composite):
    r"""One pre-norm transformer encoder block, as in ViT.

    .. math::

        x \leftarrow x + \mathrm{MHSA}(\mathrm{LN}_1(x)), \qquad
        x \leftarrow x + \mathrm{MLP}(\mathrm{LN}_2(x))

    with :math:`\mathrm{MLP} = \text{Dense} \to \text{GELU} \to \text{Dense}`. Attention
    mixes information between tokens; the MLP works on each token on its own. The
    residual additions pass the gradient straight through (``dx = dout + ...``).

    Parameters
    ----------
    embed_dim : int
    num_heads : int
    mlp_dim : int, optional
        Width of the MLP's hidden layer; default 2 * embed_dim.
    rng : int or numpy.random.Generator, default 0
    dtype : numpy dtype, default float32

    Examples
    --------
    >>> block = TransformerBlock(8, num_heads=2)
    >>> block(np.zeros((2, 5, 8), dtype=np.float32)).shape
    (2, 5, 8)
    >>> sorted(block.params)[:4]
    ['attention.W_K', 'attention.W_O', 'attention.W_Q', 'attention.W_V']
    """

    def __init__(self, embed_dim, num_heads, mlp_dim=None, *, rng=0, dtype=np.float32):
        super().__init__()
        generator = _rng(rng)
        E = positive_int(embed_dim, "embed_dim")
        hidden = 2 * E if mlp_dim is None else positive_int(mlp_dim, "mlp_dim")
        _check_parameters(_block_params(E, hidden), dtype,
                          f"TransformerBlock(embed_dim={E}, mlp_dim={hidden})")
        self.embed_dim, self.mlp_dim = E, hidden
        self.norm1 = LayerNorm(E, dtype=dtype)
        self.attention = MultiHeadSelfAttention(E, num_heads, rng=generator, dtype=dtype)
        self.norm2 = LayerNorm(E, dtype=dtype)
        self.mlp = Sequential([TokenDense(E, hidden, init="he", rng=generator, dtype=dtype),
                               GELU(),
                               TokenDense(hidden, E, init="glorot", rng=generator, dtype=dtype)])

    def output_shape(self, input_shape):
        return _same_tokens(input_shape, self, self.embed_dim)

    def _enter(self, x):
        return _tokens(x, self, self.embed_dim)

    def _forward(self, x):
        x = x + self.attention.forward(self.norm1.forward(x))
        return x + self.mlp.forward(self.norm2.forward(x))

    def _backward(self, dout):
        dx = dout + self.norm2.backward(self.mlp.backward(dout))
        return dx + self.norm1.backward(self.attention.backward(dx))

    def extra_repr(self):
        return (f"{self.embed_dim}, num_heads={self.attention.num_heads}, "
                f"mlp_dim={self.mlp_dim}")


class TokenPool(Layer):
    """From tokens to one vector per image: (B, N, E) → (B, E).

    Parameters
    ----------
    mode : {"cls", "mean"}, default "cls"
        "cls" keeps the first token (the class token); "mean" averages all tokens.

    Examples
    --------
    >>> x = np.arange(12.0).reshape(1, 3, 4)
    >>> TokenPool("cls")(x), TokenPool("mean")(x)
    (array([[0., 1., 2., 3.]]), array([[4., 5., 6., 7.]]))
    """

    def __init__(self, mode="cls"):
        super().__init__()
        self.mode = choice(mode, "mode", POOLS)

    def output_shape(self, input_shape):
        return (_same_tokens(input_shape, self)[1],)

    def forward(self, x):
        x = _tokens(x, self)
        self.x_shape = x.shape
        return x[:, 0] if self.mode == "cls" else x.mean(axis=1)

    def backward(self, dout):
        B, N, E = _saved(self, "x_shape")
        dout = _as_dout(dout, self, (B, E))
        if self.mode == "mean":
            return np.broadcast_to(dout[:, None] / N, self.x_shape).copy()
        dx = np.zeros(self.x_shape, dtype=dout.dtype)
        dx[:, 0] = dout
        return dx

    def extra_repr(self):
        return repr(self.mode)


def tiny_vit(image_shape, num_classes, *, patch_size=8, embed_dim=32, depth=2, num_heads=4,
             mlp_dim=None, pool="cls", position="learned", rng=0, dtype=np.float32):
    """A small vision transformer, as a :class:`~lessons_lib.nn.layers.Sequential`.

    PatchEmbedding → [ClassToken] → PositionEmbedding → depth x TransformerBlock →
    LayerNorm → TokenPool → Dense(embed_dim, num_classes) (logits).

    Parameters
    ----------
    image_shape : tuple of int
        One input image, (C, H, W).
    num_classes : int
    patch_size : int, default 8
    embed_dim : int, default 32
    depth : int, default 2
        Number of transformer blocks.
    num_heads : int, default 4
    mlp_dim : int, optional
        Default 2 * embed_dim.
    pool : {"cls", "mean"}, default "cls"
        "cls" adds a class token and classifies from it; "mean" averages the patches.
    position : {"learned", "sinusoidal"}, default "learned"
    rng : int or numpy.random.Generator, default 0
        Seed of every initial weight.
    dtype : numpy dtype, default float32

    Returns
    -------
    model : Sequential

    Raises
    ------
    TypeError, ValueError
        Naming the argument that is not valid, before anything is built; a ``depth``
        above :data:`MAX_DEPTH`, or a model whose weights and gradients would not fit in
        the machine's memory, is refused up front.

    Examples
    --------
    >>> model = tiny_vit((1, 32, 32), 3, patch_size=8, embed_dim=16, depth=1, num_heads=2)
    >>> model(np.zeros((5, 1, 32, 32), dtype=np.float32)).shape
    (5, 3)
    >>> model.num_params
    3571
    >>> tiny_vit((1, 32, 32), 3, depth=10**12)
    Traceback (most recent call last):
    ...
    ValueError: depth must be at most 1000 (MAX_DEPTH), got 1000000000000
    """
    if not isinstance(image_shape, (tuple, list)) or len(image_shape) != 3:
        raise ValueError(f"image_shape must be (C, H, W), one input image, got {image_shape!r}")
    C, H, W = (positive_int(n, "image_shape") for n in image_shape)
    num_classes = positive_int(num_classes, "num_classes")
    patch_size = positive_int(patch_size, "patch_size")
    if patch_size > min(H, W):
        raise ValueError(f"patch_size must be at most {min(H, W)} for images of {H} x {W}, "
                         f"got {patch_size}")
    E = positive_int(embed_dim, "embed_dim")
    depth = positive_int(depth, "depth")
    if depth > MAX_DEPTH:
        raise ValueError(f"depth must be at most {MAX_DEPTH} (MAX_DEPTH), got {depth}")
    num_heads = positive_int(num_heads, "num_heads")
    if E % num_heads:
        raise ValueError(f"num_heads must divide embed_dim = {E}, got num_heads={num_heads}")
    hidden = 2 * E if mlp_dim is None else positive_int(mlp_dim, "mlp_dim")
    choice(pool, "pool", POOLS)
    choice(position, "position", POSITIONS)
    itemsize = _float_dtype(dtype).itemsize
    generator = _rng(rng)
    num_tokens = (H // patch_size) * (W // patch_size) + (pool == "cls")
    count = (E * C * patch_size**2 + E + (E if pool == "cls" else 0)
             + (num_tokens * E if position == "learned" else 0)
             + depth * _block_params(E, hidden) + 2 * E + (E + 1) * num_classes)
    check_memory(2 * count * itemsize, f"tiny_vit({image_shape}, embed_dim={E}, depth="
                 f"{depth}, mlp_dim={hidden}): {count:,} weights and their gradients")
    embed = PatchEmbedding(C, patch_size, E, rng=generator, dtype=dtype)
    layers = [embed]
    if pool == "cls":
        layers.append(ClassToken(E, rng=generator, dtype=dtype))
    layers.append(PositionEmbedding(num_tokens, E, kind=position, rng=generator, dtype=dtype))
    layers += [TransformerBlock(E, num_heads, mlp_dim, rng=generator, dtype=dtype)
               for _ in range(depth)]
    layers += [LayerNorm(E, dtype=dtype), TokenPool(pool),
               Dense(E, num_classes, init="glorot", rng=generator, dtype=dtype)]
    return Sequential(layers)


def _block_params(E, hidden) -> int:
    """Parameters of a TransformerBlock: two layer norms, W_Q, W_K, W_V, W_O, the MLP."""
    return 4 * E + 4 * E * E + (E + 1) * hidden + (hidden + 1) * E


def attention_maps(model) -> list[np.ndarray]:
    """The attention maps of every block of a :func:`tiny_vit`, from its last forward pass.

    Parameters
    ----------
    model : Sequential

    Returns
    -------
    maps : list of ndarray, each shape (B, num_heads, N, N)
        One per transformer block, in order.

    Raises
    ------
    TypeError
        If ``model`` is not a Sequential.
    RuntimeError
        If a block has not run a forward pass yet.
    """
    if not isinstance(model, Sequential):
        raise TypeError(f"model must be a Sequential (a tiny_vit), got {type(model).__name__}")
    blocks = [layer for layer in model if isinstance(layer, TransformerBlock)]
    if not all(hasattr(block.attention, "A") for block in blocks):
        raise RuntimeError("attention_maps reads the last forward pass: call the model on a "
                           "batch first")
    return [block.attention.A for block in blocks]


def load_tiny_vit(path=VIT_WEIGHTS) -> tuple[Sequential, dict]:
    """Lesson 06's trained ViT (built from its stored configuration) and its metadata.

    Parameters
    ----------
    path : str or Path, default :data:`VIT_WEIGHTS`

    Returns
    -------
    model : Sequential
        In evaluation mode.
    metadata : dict
        "config", "validation", "test", "test_accuracy", "history", "comparison", ...

    Raises
    ------
    FileNotFoundError
        If the file is missing, naming the command that writes it.
    ValueError
        If the file cannot be used (damaged, other arrays, metadata without the test
        accuracy, history or :data:`VIT_CONFIG`), naming the file and that command.
    """
    path = as_path(path)
    rebuild = REBUILD["vit_detector.npz"]
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: create it with {rebuild}")
    model = tiny_vit(VIT_IMAGE_SHAPE, 3, **VIT_CONFIG)
    metadata = load(model, path, rebuild=rebuild)
    check_json(metadata, {"config": dict, "test_accuracy": NUMBER,
                          "history": {...: [(*NUMBER, type(None))]}},
               path=path, rebuild=rebuild)
    if metadata["config"] != VIT_CONFIG:
        raise damaged(path, f"it was trained with the configuration {metadata['config']}, "
                            f"the lesson builds {VIT_CONFIG}", rebuild)
    return model.eval(), metadata
