r"""Optimisers: how a gradient becomes a change of the weights.

The slides' update is plain gradient descent, :math:`F_i \leftarrow F_i - \eta\,
\partial J / \partial F_i` with learning rate :math:`\eta`. :class:`SGD` adds momentum
(a running average of past gradients, which rolls through small bumps and damps
zig-zags); :class:`Adam` also divides each step by a running estimate of the gradient's
size, so every weight moves at a similar pace whatever the scale of its gradient.

Both read ``model.params`` and ``model.grads`` (see :class:`lessons_lib.nn.layers.Layer`)
and update the parameter arrays in place.
"""

from __future__ import annotations

import math

import numpy as np

from lessons_lib.nn.layers import Layer, _number


def _positive(value, name, *, upper=math.inf):
    """``value`` as a float in (0, ``upper``), or a TypeError/ValueError naming ``name``."""
    return _number(value, name, low=0, low_open=True, high=upper, high_open=True)


class Optimizer:
    """Base class: holds the model and the learning rate; ``step()`` applies one update.

    Parameters
    ----------
    model : Layer
        Any layer or network; its ``params`` are updated in place.
    lr : float
        The learning rate :math:`\\eta`, in (0, inf).

    Raises
    ------
    TypeError
        If ``model`` is not a Layer or ``lr`` not a number.
    ValueError
        If ``lr`` is not positive and finite.
    """

    def __init__(self, model, lr):
        if not isinstance(model, Layer):
            raise TypeError(f"model must be a Layer (e.g. a Sequential), got {type(model).__name__}")
        self.model = model
        self.lr = _positive(lr, "lr")
        self.state: dict[str, dict[str, np.ndarray]] = {}

    def zero_grad(self):
        """Reset the model's gradients to zero (they accumulate)."""
        self.model.zero_grad()

    def step(self):
        """Update every parameter from its gradient, in place."""
        grads = self.model.grads
        for name, param in self.model.params.items():
            self._update(name, param, grads[name])

    def _update(self, name, param, grad):
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}(lr={self.lr:g})"


class SGD(Optimizer):
    r"""Stochastic gradient descent with (optional) momentum.

    .. math::

        v \leftarrow \mu v + \frac{\partial J}{\partial \theta}, \qquad
        \theta \leftarrow \theta - \eta\, v

    With ``momentum=0`` this is the slides' :math:`\theta \leftarrow \theta - \eta\,
    \partial J / \partial \theta`.

    Parameters
    ----------
    model : Layer
    lr : float, default 0.01
    momentum : float in [0, 1), default 0.9

    Examples
    --------
    >>> from lessons_lib.nn.layers import Dense
    >>> layer = Dense(1, 1)
    >>> layer.params["W"][...] = 1.0
    >>> layer.grads["W"][...] = 0.5
    >>> opt = SGD(layer, lr=0.1, momentum=0.0)
    >>> opt.step()
    >>> layer.params["W"]
    array([[0.95]], dtype=float32)
    """

    def __init__(self, model, lr=0.01, momentum=0.9):
        super().__init__(model, lr)
        self.momentum = _number(momentum, "momentum", low=0, high=1, high_open=True)

    def _update(self, name, param, grad):
        if self.momentum == 0:
            param -= self.lr * grad
            return
        state = self.state.setdefault(name, {"v": np.zeros_like(param)})
        v = state["v"]
        v *= self.momentum
        v += grad
        param -= self.lr * v

    def __repr__(self):
        return f"SGD(lr={self.lr:g}, momentum={self.momentum:g})"


class Adam(Optimizer):
    r"""Adam (Kingma and Ba, 2015): momentum plus a per-weight step size.

    .. math::

        m \leftarrow \beta_1 m + (1 - \beta_1) g, \quad
        v \leftarrow \beta_2 v + (1 - \beta_2) g^2, \quad
        \theta \leftarrow \theta - \eta\, \frac{m / (1 - \beta_1^t)}{\sqrt{v / (1 - \beta_2^t)}
        + \epsilon}

    The divisions by :math:`1 - \beta^t` undo the bias of averages that start at 0.
    ``step`` keeps every parameter's averages in one array and updates all the weights
    in one pass of each operation (the same numbers as one parameter at a time).

    Parameters
    ----------
    model : Layer
    lr : float, default 0.001
    betas : tuple of 2 float in (0, 1), default (0.9, 0.999)
    eps : float, default 1e-8

    Examples
    --------
    The first step moves every weight by about ``lr``, whatever its gradient's size:

    >>> from lessons_lib.nn.layers import Dense
    >>> layer = Dense(2, 1)
    >>> layer.params["W"][...] = 0.0
    >>> layer.grads["W"][...] = [[1000.0, 0.001]]
    >>> Adam(layer, lr=0.01).step()
    >>> np.round(layer.params["W"], 4)
    array([[-0.01, -0.01]], dtype=float32)
    """

    def __init__(self, model, lr=0.001, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(model, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        self.beta1 = _positive(betas[0], "betas[0]", upper=1)
        self.beta2 = _positive(betas[1], "betas[1]", upper=1)
        self.eps = _positive(eps, "eps")
        self.t = 0
        self._flat = None

    def step(self):
        self.t += 1
        params, grads = self.model.params, self.model.grads
        flat = self._flat_state(params)
        if flat is None:  # parameters of several dtypes: one array at a time
            for name, param in params.items():
                self._update(name, param, grads[name])
            return
        places, g, m, v, work = flat
        for name, where in places.items():
            g[where] = grads[name].ravel()
        # Every weight in one pass of each operation: the operations of _update, in its
        # order, on one array instead of one per parameter.
        np.multiply(g, 1 - self.beta1, out=work)
        m *= self.beta1
        m += work
        np.multiply(g, 1 - self.beta2, out=work)
        work *= g
        v *= self.beta2
        v += work
        np.divide(v, 1 - self.beta2**self.t, out=work)
        np.sqrt(work, out=work)
        work += self.eps
        np.multiply(m, self.lr * (1 / (1 - self.beta1**self.t)), out=g)
        g /= work
        for name, where in places.items():
            params[name] -= g[where].reshape(params[name].shape)

    def _flat_state(self, params):
        """``(places, g, m, v, work)``: every parameter's m and v in one array, or None.

        ``places[name]`` is the slice of the flat arrays that holds the parameter;
        ``state[name]["m"]`` and ``["v"]`` are views of them. Rebuilt (keeping the
        averages) when the parameters change; None when their dtypes differ.
        """
        layout = [(name, p.shape, p.dtype) for name, p in params.items()]
        if self._flat is not None and self._flat[0] == layout:
            return self._flat[1]
        if len({dtype for _, _, dtype in layout}) != 1:
            self._flat = None
            return None
        places, start = {}, 0
        for name, shape, _ in layout:
            places[name] = slice(start, start + math.prod(shape))
            start = places[name].stop
        g, m, v, work = np.zeros((4, start), layout[0][2])
        for name, shape, _ in layout:
            old = self.state.get(name)
            if old is not None and old["m"].shape == shape:
                m[places[name]], v[places[name]] = old["m"].ravel(), old["v"].ravel()
            self.state[name] = {"m": m[places[name]].reshape(shape),
                                "v": v[places[name]].reshape(shape)}
        self._flat = (layout, (places, g, m, v, work))
        return self._flat[1]

    def _update(self, name, param, grad):
        state = self.state.setdefault(
            name, {"m": np.zeros_like(param), "v": np.zeros_like(param)}
        )
        m, v = state["m"], state["v"]
        m *= self.beta1
        m += (1 - self.beta1) * grad
        v *= self.beta2
        v += (1 - self.beta2) * grad * grad
        m_hat_scale = 1 / (1 - self.beta1**self.t)
        denominator = np.sqrt(v / (1 - self.beta2**self.t)) + self.eps
        param -= ((self.lr * m_hat_scale) * m / denominator).astype(param.dtype, copy=False)

    def __repr__(self):
        return f"Adam(lr={self.lr:g}, betas=({self.beta1:g}, {self.beta2:g}))"
