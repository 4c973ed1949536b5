"""Figures for lesson 02: the 1-D convolution as the slides draw it, the terms of ∂J/∂F_i, learning."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import to_hex, to_rgb
from matplotlib.patches import FancyBboxPatch, Rectangle
from matplotlib.ticker import MaxNLocator

from lessons_lib.backprop import conv1d_backward
from lessons_lib.plots import BLACK, MIN_FONT_PT, OKABE_ITO, ORANGE, VERMILLION, new_figure

CELL = 0.8
# The palette's orange, lightened so that the numbers on it stay black-on-light.
HIGHLIGHT = to_hex(0.35 * np.asarray(to_rgb(ORANGE)) + 0.65)
# The learner's taps: the course's palette and a marker each (blue, orange, bluish green,
# vermillion, reddish purple).
TAP_COLOURS = tuple(OKABE_ITO[i] for i in (4, 0, 2, 5, 6))
TAP_MARKERS = ("o", "s", "^", "D", "v")
ACCENT = ORANGE
# Labels beside the cells (indices, notes), in grey: the smallest size a projector reads.
LABEL_SIZE = MIN_FONT_PT
# Losses are drawn on a log scale; an exact zero (reached in float64) is drawn here.
LOSS_FLOOR = 1e-30


def _cell(ax, centre_x, centre_y, text, *, label=None, dashed=False, fontsize=15):
    """A square box with ``text`` inside and an optional ``label`` above it."""
    box = ax.add_patch(Rectangle((centre_x - CELL / 2, centre_y - CELL / 2), CELL, CELL,
                                 facecolor="white", edgecolor="0.55" if dashed else "0.2",
                                 linestyle="--" if dashed else "-", linewidth=1.5))
    inside = ax.text(centre_x, centre_y, text, ha="center", va="center", fontsize=fontsize,
                     color="0.55" if dashed else "black")
    if label is not None:
        ax.text(centre_x, centre_y + CELL / 2 + 0.08, label, ha="center", va="bottom",
                fontsize=LABEL_SIZE, color="0.35")
    return box, inside


def _blank_axes(fig, width, height):
    ax = fig.add_subplot()
    ax.set_xlim(-1.6, width)
    ax.set_ylim(-0.9, height)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def plot_conv1d(N=8, K=3, *, slide_names=False):
    """The slides' picture of ``o = x ⊛ F``: inputs, a K-tap filter, and the outputs.

    The filter is drawn at its first position, under ``x_0 ... x_{K-1}``, with lines
    to ``o_0``. Outputs that need the filter to hang over the end of ``x`` (the slides
    draw ``N`` outputs) are dashed: without padding there are only ``N - K + 1``.
    Every index counts from 0, as in the slides' worked example and in Python.

    Parameters
    ----------
    N : int, default 8
        Number of inputs ``x_0 ... x_{N-1}``.
    K : int, default 3
        Number of filter taps ``F_0 ... F_{K-1}``, ``K <= N``.
    slide_names : bool, default False
        Also write, small and grey under each tap, the name the slides' drawing gives
        it (``F_1, F_2, F_3``: counted from 1).

    Returns
    -------
    fig : Figure

    Raises
    ------
    TypeError
        If ``slide_names`` is not a bool.
    ValueError
        If ``K`` is not between 1 and ``N``.

    Examples
    --------
    >>> plot_conv1d(8, 3, slide_names=True).axes[0].get_title()
    '$o_0 = F_{0} x_{0} + F_{1} x_{1} + F_{2} x_{2}$'
    """
    if not isinstance(slide_names, bool):
        raise TypeError(f"slide_names must be True or False, got {slide_names!r}")
    if not 1 <= K <= N:
        raise ValueError(f"K must be between 1 and N = {N}, got {K}")
    # 0.75 inch per cell pitch: the boxes and their labels stay large on a projector.
    fig = new_figure(0.75 * N + 1.5, 4.0)
    ax = _blank_axes(fig, N - 0.2, 3.7)
    M = N - K + 1
    for row, name in ((3.2, r"$\vec x$"), (1.8, r"$\vec F$"), (0.0, r"$\vec o$")):
        ax.text(-1.0, row, name, ha="center", va="center", fontsize=17)
    for j in range(N):
        _cell(ax, j, 3.2, f"$x_{{{j}}}$")
    # The lines to o_0 leave room under the taps for the slides' names, if any.
    gap = 0.4 if slide_names else 0.0
    if slide_names:
        ax.text(-1.0, 1.8 - CELL / 2 - 0.06, "slides:", ha="center", va="top",
                fontsize=LABEL_SIZE, color="0.35")
    for i in range(K):
        _, text = _cell(ax, i, 1.8, f"$F_{{{i}}}$")
        text.set_color(ACCENT)
        if slide_names:
            ax.text(i, 1.8 - CELL / 2 - 0.06, f"$F_{{{i + 1}}}$", ha="center", va="top",
                    fontsize=LABEL_SIZE, color="0.35")
        ax.plot([i, i], [3.2 - CELL / 2, 1.8 + CELL / 2], color=ACCENT, linewidth=1.5)
        ax.plot([i, 0], [1.8 - CELL / 2 - gap, CELL / 2], color=ACCENT, linewidth=1.5)
    for n in range(N):
        _cell(ax, n, 0.0, f"$o_{{{n}}}$", dashed=n >= M)
    if M < N:
        ax.text(M - 0.5 + (N - M) / 2, -CELL / 2 - 0.1, "need padding", ha="center",
                va="top", fontsize=LABEL_SIZE, color="0.35")
    ax.set_title(r"$o_0 = " + " + ".join(f"F_{{{i}}} x_{{{i}}}" for i in range(K))
                 + "$", fontsize=16)
    return fig


def _signed(value: float) -> str:
    """A number for a formula: 1.5, (-2) and 0, without trailing zeros."""
    text = f"{float(value):.3g}"
    if text == "-0":
        text = "0"
    return f"({text})" if text.startswith("-") else text


class GradientTermsPlot:
    """Which inputs and outputs make up ``∂J/∂F_i``, with every term written out.

    ``∂J/∂F_i = Σ_k ∂J/∂o_k · ∂o_k/∂F_i = Σ_k ∂J/∂o_k · x_{k+i}``: each output
    ``o_k`` contributes its upstream gradient times the input that tap ``i`` met
    there. :meth:`show` moves to another tap in place.

    Parameters
    ----------
    x : ndarray, shape (N,)
        The inputs (a short signal, N up to about 10).
    dout : ndarray, shape (N - K + 1,)
        The upstream gradient ``∂J/∂o``.
    K : int
        Number of filter taps.
    tap : int, default 0
        The tap ``i`` shown first (0-based, as in Python).

    Attributes
    ----------
    fig : Figure
    dF : ndarray, shape (K,)
        The whole gradient, from :func:`lessons_lib.backprop.conv1d_backward`.
    x_boxes, tap_boxes : list of Rectangle
        Input and tap cells; the ones in use are filled in the highlight colour.
    links : list of Line2D
        One line per term, from ``x_{k+i}`` to ``∂J/∂o_k``.
    formula : Text
        The terms and their sum.
    """

    def __init__(self, x, dout, K, *, tap=0):
        self.x = np.asarray(x, dtype=float)
        self.dout = np.asarray(dout, dtype=float)
        self.K = int(K)
        _, self.dF = conv1d_backward(np.asarray(x, dtype=float), np.zeros(self.K), self.dout)
        N, M = self.x.size, self.dout.size
        # 0.8 inch per cell pitch, and no more width than the cells and the taps need;
        # 4.2 inches tall (403 px): room on its slide for the heading, text and buttons.
        fig = new_figure(0.8 * (N + K + 2.3), 4.2)
        ax = _blank_axes(fig, N + K + 0.6, 3.9)
        ax.set_ylim(-1.2, 4.0)
        ax.text(-1.0, 3.2, r"$x$", ha="center", va="center", fontsize=15)
        ax.text(-1.0, 0.9, r"$\partial J / \partial o$", ha="center", va="center",
                fontsize=14)
        self.x_boxes = [_cell(ax, j, 3.2, _signed(v), label=f"$x_{{{j}}}$")[0]
                        for j, v in enumerate(self.x)]
        for k, v in enumerate(self.dout):
            box, _ = _cell(ax, k, 0.9, _signed(v))
            box.set_facecolor(HIGHLIGHT)
            ax.text(k, 0.9 - CELL / 2 - 0.08, f"$o_{{{k}}}$", ha="center", va="top",
                    fontsize=LABEL_SIZE, color="0.35")
        ax.text(N + 0.9 + (K - 1) / 2, 2.05 + CELL / 2 + 0.1, "taps", ha="center", va="bottom",
                fontsize=LABEL_SIZE, color="0.35")
        self.tap_boxes = [_cell(ax, N + 0.9 + i, 2.05, f"$F_{{{i}}}$")[0] for i in range(K)]
        self.links = [ax.plot([], [], color=ACCENT, linewidth=2, zorder=0)[0] for _ in range(M)]
        self.formula = ax.text(-1.5, -0.75, "", ha="left", va="center", fontsize=14)
        self.fig, self.ax = fig, ax
        self.show(tap)

    def terms(self, tap):
        """The pairs ``(∂J/∂o_k, x_{k+i})`` whose products add up to ``∂J/∂F_i``."""
        return list(zip(self.dout, self.x[tap:tap + self.dout.size], strict=True))

    def describe(self, tap) -> str:
        """``∂J/∂F_i`` as a sum of its terms, symbols first, then numbers."""
        M = self.dout.size
        symbols = " + ".join(
            rf"\partial J/\partial o_{{{k}}} \, x_{{{k + tap}}}" for k in range(M))
        numbers = " + ".join(f"{_signed(g)}·{_signed(v)}" for g, v in self.terms(tap))
        return (rf"$\partial J / \partial F_{{{tap}}} = {symbols}$" + "\n"
                + f"      = {numbers} = {self.dF[tap]:.3g}")

    def show(self, tap) -> None:
        """Highlight tap ``tap``, its inputs and its terms."""
        if not 0 <= tap < self.K:
            raise ValueError(f"tap must be in [0, {self.K - 1}], got {tap}")
        self.tap = int(tap)
        used = range(tap, tap + self.dout.size)
        for j, box in enumerate(self.x_boxes):
            box.set_facecolor(HIGHLIGHT if j in used else "white")
        for i, box in enumerate(self.tap_boxes):
            box.set_facecolor(ACCENT if i == tap else "white")
        for k, line in enumerate(self.links):
            line.set_data([k + tap, k], [3.2 - CELL / 2, 0.9 + CELL / 2])
        self.formula.set_text(self.describe(tap))


class LearningPlot:
    """A filter learned by gradient descent: the loss per step and each tap per step.

    Parameters
    ----------
    F_hidden : ndarray, shape (K,)
        The filter to recover, drawn as dashed lines.
    history : LearningHistory
        What :func:`lessons_lib.backprop.learn_filter` returned.

    Attributes
    ----------
    fig : Figure
    loss_line : Line2D
    tap_lines, hidden_lines : list of Line2D
        One per tap: the learned value per step, and the hidden value.
    status : Text
        How the run ended (red when it diverged).
    """

    def __init__(self, F_hidden, history):
        # 326 px tall: the learner's view shows its controls and a verdict above it.
        fig = new_figure(11, 3.4)
        self.fig = fig
        self.loss_ax, self.tap_ax = fig.subplots(1, 2)
        (self.loss_line,) = self.loss_ax.semilogy([], [], color="black", linewidth=2)
        self.loss_ax.set_xlabel("step")
        self.loss_ax.set_ylabel("loss J")
        # A widget lays the figure out once; a fixed place for the label keeps the
        # wider tick labels of a later run (down to 10⁻³⁰) from pushing it off the edge.
        self.loss_ax.yaxis.set_label_coords(-0.17, 0.5)
        self.loss_ax.set_title("loss")
        self.tap_ax.set_xlabel("step")
        self.tap_ax.set_title("filter taps (dashed: hidden filter)")
        for ax in (self.loss_ax, self.tap_ax):
            # A run that diverges at once has two or three steps: no ticks at step 0.5.
            ax.xaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 5, 10], integer=True))
        self.tap_lines, self.hidden_lines = [], []
        self._draw_taps(F_hidden)
        self.status = fig.suptitle("", fontsize=14)
        self.update(F_hidden, history)

    def _draw_taps(self, F_hidden):
        for line in self.tap_lines + self.hidden_lines:
            line.remove()
        K = len(F_hidden)
        colors = [TAP_COLOURS[i % len(TAP_COLOURS)] for i in range(K)]
        # Equal taps (a symmetric filter) draw the same curve: earlier taps are wider, and
        # each tap has its own marker, placed between the others' along the curve, so
        # that every tap of the legend can be found.
        self.tap_lines = [
            self.tap_ax.plot([], [], color=c, linewidth=1.5 + 2.5 * (K - 1 - i) / K,
                             marker=TAP_MARKERS[i % len(TAP_MARKERS)], markersize=8,
                             markeredgecolor="white", markeredgewidth=0.8,
                             markevery=(0.04 + 0.12 * i / K, 0.12),
                             label=f"$F_{{{i}}}$")[0]
            for i, c in enumerate(colors)]
        self.hidden_lines = [self.tap_ax.axhline(v, color=c, linestyle="--", linewidth=1.2)
                             for v, c in zip(F_hidden, colors, strict=True)]
        self.tap_ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)

    def update(self, F_hidden, history) -> None:
        """Show a new run; the number of taps may change."""
        F_hidden = np.asarray(F_hidden, dtype=float)
        if len(self.tap_lines) != F_hidden.size:
            self._draw_taps(F_hidden)
        for line, value in zip(self.hidden_lines, F_hidden, strict=True):
            line.set_ydata([value, value])
        steps = np.arange(history.losses.size)
        self.loss_line.set_data(steps, np.maximum(history.losses, LOSS_FLOOR))
        for line, values in zip(self.tap_lines, history.filters.T, strict=True):
            line.set_data(steps, values)
        last = max(int(steps[-1]), 1)
        for ax in (self.loss_ax, self.tap_ax):
            ax.set_xlim(0, last)
        floor = max(float(np.maximum(history.losses, LOSS_FLOOR).min()), LOSS_FLOOR)
        self.loss_ax.set_ylim(floor / 3, float(history.losses.max()) * 3 + LOSS_FLOOR)
        everything = np.concatenate([history.filters.ravel(), F_hidden])
        low, high = float(everything.min()), float(everything.max())
        margin = 0.1 * (high - low) + 0.05
        self.tap_ax.set_ylim(low - margin, high + margin)
        self.status.set_text(history.message)
        self.status.set_color(VERMILLION if history.diverged else BLACK)


def plot_learning(F_hidden, history):
    """One run of :func:`lessons_lib.backprop.learn_filter`, drawn as a :class:`LearningPlot`.

    Parameters
    ----------
    F_hidden : ndarray, shape (K,)
    history : LearningHistory

    Returns
    -------
    fig : Figure
        Loss per step (log scale) and each tap per step, titled with how the run ended.
    """
    return LearningPlot(F_hidden, history).fig


# The computation graph: forward values in black, backward gradients in vermillion, the
# local derivatives on the edges in blue (Okabe-Ito).
GRADIENT_COLOUR = OKABE_ITO[5]
LOCAL_COLOUR = OKABE_ITO[4]


def _number(value: float) -> str:
    """A value for a mathtext label: 2.25, -6, 0.5 (three significant digits)."""
    text = f"{float(value):.3g}"
    return "0" if text == "-0" else text


def _graph_node(ax, centre, width, value, gradient=None):
    """A rounded box with a forward value and, below it, a backward gradient."""
    height = 0.5 if gradient is None else 0.86
    cx, cy = centre
    ax.add_patch(FancyBboxPatch((cx - width / 2, cy - height / 2), width, height,
                                boxstyle="round,pad=0,rounding_size=0.12",
                                facecolor="white", edgecolor="0.25", linewidth=1.6))
    if gradient is None:
        ax.text(cx, cy, value, ha="center", va="center", fontsize=16)
    else:
        ax.text(cx, cy + 0.19, value, ha="center", va="center", fontsize=16)
        ax.text(cx, cy - 0.2, gradient, ha="center", va="center", fontsize=15,
                color=GRADIENT_COLOUR)
    return cx - width / 2, cx + width / 2, cy - height / 2, cy + height / 2


def _graph_edge(ax, start, end, label=None, label_at=None):
    """A forward arrow from ``start`` to ``end``, with a local derivative beside it."""
    ax.annotate("", xy=end, xytext=start,
                arrowprops={"arrowstyle": "-|>", "color": "0.3", "linewidth": 1.6,
                            "mutation_scale": 18, "shrinkA": 0, "shrinkB": 0})
    if label is not None:
        ax.text(*label_at, label, ha="center", va="center", fontsize=15, color=LOCAL_COLOUR,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5})


def plot_computation_graph(network):
    """The slides' small network as a computation graph, forward and backward.

    Nodes hold their forward value (black) and the gradient ``∂J/∂node`` of the loss
    (vermillion); the arrows of the weights and of the inner nodes carry their local
    derivatives (blue). A gradient is the product of the local derivatives on the path
    from ``J`` back to its node: ``∂J/∂w1 = ∂J/∂ŷ · ∂ŷ/∂q1 · ∂q1/∂w1``.

    Parameters
    ----------
    network : SmallNetwork
        What :func:`lessons_lib.backprop.small_network` returned.

    Returns
    -------
    fig : Figure
        1075 x 490 px.

    Raises
    ------
    TypeError
        If ``network`` is not a :class:`~lessons_lib.backprop.SmallNetwork`.

    Examples
    --------
    >>> from lessons_lib.backprop import small_network
    >>> fig = plot_computation_graph(small_network([2, -1], [0.5, -0.5], 3))
    >>> [round(v) for v in fig.get_size_inches() * fig.dpi]
    [1075, 490]
    """
    from lessons_lib.backprop import SmallNetwork

    if not isinstance(network, SmallNetwork):
        raise TypeError(f"network must be a SmallNetwork (from small_network), got "
                        f"{type(network).__name__}")
    n = network
    width, height = 11.2, 5.1
    fig = new_figure(width, height)
    # Coordinates in inches: the boxes keep their size whatever the labels hold.
    fig.set_layout_engine("none")
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.axis("off")

    mid = 2.53
    w1 = _graph_node(ax, (1.1, 3.95), 1.8, f"$w_1 = {_number(n.w1)}$",
                     rf"$\partial J/\partial w_1 = {_number(n.dJ_dw1)}$")
    x1 = _graph_node(ax, (1.1, 2.98), 1.8, f"$x_1 = {_number(n.x1)}$")
    x2 = _graph_node(ax, (1.1, 2.08), 1.8, f"$x_2 = {_number(n.x2)}$")
    w2 = _graph_node(ax, (1.1, 1.1), 1.8, f"$w_2 = {_number(n.w2)}$",
                     rf"$\partial J/\partial w_2 = {_number(n.dJ_dw2)}$")
    q1 = _graph_node(ax, (4.7, mid), 2.0, f"$q_1 = {_number(n.q1)}$",
                     rf"$\partial J/\partial q_1 = {_number(n.dJ_dq1)}$")
    y_hat = _graph_node(ax, (7.3, mid), 2.0, rf"$\hat y = {_number(n.y_hat)}$",
                        rf"$\partial J/\partial \hat y = {_number(n.dJ_dy_hat)}$")
    J = _graph_node(ax, (9.95, mid), 1.75, f"$J = {_number(n.J)}$",
                    r"$\partial J/\partial J = 1$")
    y = _graph_node(ax, (9.95, 3.95), 1.2, f"$y = {_number(n.y)}$")

    _graph_edge(ax, (w1[1], 3.95), (q1[0], mid + 0.3),
                rf"$\partial q_1/\partial w_1 = x_1 = {_number(n.dq1_dw1)}$", (3.55, 4.02))
    _graph_edge(ax, (x1[1], 2.98), (q1[0], mid + 0.1))
    _graph_edge(ax, (x2[1], 2.08), (q1[0], mid - 0.1))
    _graph_edge(ax, (w2[1], 1.1), (q1[0], mid - 0.3),
                rf"$\partial q_1/\partial w_2 = x_2 = {_number(n.dq1_dw2)}$", (3.55, 1.0))
    _graph_edge(ax, (q1[1], mid), (y_hat[0], mid),
                rf"$\partial \hat y/\partial q_1 = {_number(n.dy_hat_dq1)}$", (6.0, 3.22))
    _graph_edge(ax, (y_hat[1], mid), (J[0], mid),
                rf"$\partial J/\partial \hat y = 2(\hat y - y) = {_number(n.dJ_dy_hat)}$",
                (8.6, 3.22))
    _graph_edge(ax, (9.95, y[2]), (9.95, J[3]))
    ax.text(6.0, 1.83, "ReLU: 1 if $q_1 > 0$, else 0", ha="center", va="center",
            fontsize=14, color=LOCAL_COLOUR)

    ax.text(width / 2, 4.8, r"$q_1 = w_1 x_1 + w_2 x_2 \qquad \hat y = \mathrm{ReLU}(q_1)"
            r"\qquad J = (\hat y - y)^2$", ha="center", va="center", fontsize=17)
    # The backward pass runs from J to the weights: one arrow under the whole graph.
    ax.annotate("", xy=(0.3, 0.15), xytext=(width - 0.3, 0.15),
                arrowprops={"arrowstyle": "-|>", "color": GRADIENT_COLOUR, "linewidth": 2,
                            "mutation_scale": 20})
    ax.text(width / 2, 0.38, "backward: each gradient is the product of the local "
            "derivatives on the path from J", ha="center", va="center", fontsize=14,
            color=GRADIENT_COLOUR)
    return fig
