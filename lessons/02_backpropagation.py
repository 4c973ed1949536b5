# %% [markdown] slideshow={"slide_type": "slide"}
# # 02 · Backpropagation through a 1-D convolution
#
# **You will be able to**
# - write the updates of the weights $w_1$, $w_2$ with the chain rule on a computation graph,
#   and say why gradient descent *subtracts*;
# - derive $\partial J / \partial F_i$ for a 1-D convolution $\vec o = \vec x \circledast \vec F$
#   by hand, and check it by computer algebra and by numerical differentiation, reading
#   the relative error against a tolerance;
# - see that both gradients of a convolution are convolutions again;
# - train a filter by gradient descent, and recognise a learning rate that is too large.
#
# **Slides:** *Convolutional neural networks: architecture and training*, the
# *Backpropagation* slides, from the weight update to the worked example
# $o_0 = F_0 x_0 + F_1 x_1$.
#
# *Previous:* [01 · Convolution filters](01_convolution_filters.ipynb) · *Next:* [03 · Pooling](03_pooling.ipynb)

# %% slideshow={"slide_type": "skip"}
import numpy as np
import sympy as sp
from IPython.display import display

from lessons_lib.backprop import (
    conv1d_backward,
    conv1d_backward_loops,
    conv1d_forward,
    conv1d_forward_loops,
    gradient_check,
    learn_filter,
    numerical_gradient,
    small_network,
    small_network_loss,
    squared_error,
    stability_limit,
    training_pair,
)
from lessons_lib.convolution import convolve, correlate, pad
from lessons_lib.exercises import show_hint  # noqa: F401 (for the exercises)
from lessons_lib.exercises.backprop import (
    check_backward_stride2,
    check_dJ_dF,
    check_update_step,
)
from lessons_lib.plots.backprop import (
    plot_computation_graph,
    plot_conv1d,
    plot_learning,
)
from lessons_lib.source import show_source
from lessons_lib.widgets.backprop import FilterLearner, TapExplorer

# %% [markdown] slideshow={"slide_type": "notes"}
# About one teaching hour: 40 minutes of slides, 20 for the exercises. The lesson
# has one result, "both gradients of a convolution are convolutions", reached three
# ways: by hand, by sympy and by numbers. Students need lesson 01's `correlate` and
# the idea of a derivative; no matrix calculus. Run the notebook before presenting:
# the two interactive views need a live kernel.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## How a weight learns: the chain rule
#
# The slides start from a small network: two weights $w_1$ and $w_2$ feed one node
# $q_1$, which feeds the prediction $\hat y$, which the loss $J$ judges. The slides
# write the two updates one above the other:
#
# $$\begin{aligned}
# w_1 &= w_1 + \eta \, \frac{\partial J}{\partial \hat y} \frac{\partial \hat y}{\partial q_1} \frac{\partial q_1}{\partial w_1} \\
# w_2 &= w_2 + \eta \, \frac{\partial J}{\partial \hat y} \frac{\partial \hat y}{\partial q_1} \frac{\partial q_1}{\partial w_2}
# \end{aligned}$$
#
# Each product is the **chain rule**: how much $J$ changes when a weight moves is the
# product of the local rates of change along its path, $w_1 \to q_1 \to \hat y \to J$.
# The two paths share every factor but the last, so the shared part is computed once:
# computing these products from the loss backwards, node by node, is *backpropagation*.

# %% [markdown] slideshow={"slide_type": "notes"}
# Point at the two formulas line by line: the first two factors are the same, only
# the last differs (∂q₁/∂w₁ against ∂q₁/∂w₂). The point to land: each factor is
# *local* (one node knows its own derivative), and backpropagation is only the order
# of multiplication, from the loss backwards, so that shared factors are computed
# once. The graph of this network comes four slides on. Leave the plus sign for the
# next slide.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The sign of the step
#
# The gradient points in the direction in which $J$ *grows*. To make the loss
# smaller we step against it:
#
# $$w \leftarrow w - \eta \, \frac{\partial J}{\partial w}, \qquad \eta > 0 .$$
#
# The plus in the slide is the same rule only with a negative $\eta$ (or a $J$ to be
# maximised); the later slides, and this lesson, use the minus.

# %% [markdown] slideshow={"slide_type": "notes"}
# Students who copy the slide's plus into code get a loss that grows and think their
# gradient is wrong. Say it once, clearly: minus, with a positive learning rate. The
# next slide shows the two signs on one number.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## One weight, both signs
#
# One weight, the loss $J(w) = (w - 3)^2$, starting at $w = 0$ with $\eta = 0.1$:
# stepping against the gradient lowers the loss, stepping with it raises it.

# %%
def J(w):
    return (w - 3) ** 2


w, eta = 0.0, 0.1
dJ_dw = 2 * (w - 3)
print(f"J(w) = {J(w):.2f}   minus step: J = {J(w - eta * dJ_dw):.2f}   "
      f"plus step: J = {J(w + eta * dJ_dw):.2f}")

# %% [markdown] slideshow={"slide_type": "notes"}
# ∂J/∂w = 2(w − 3) = −6 at w = 0. The minus step moves w to 0.6 and the loss from
# 9.00 to 5.76; the plus step moves it to −0.6 and the loss to 12.96. Ask what happens
# with η = 1 (the step overshoots to w = 6, the same loss as before): a first look at
# the learning rate that is too large, at the end of the lesson.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Which loss?
#
# The slide's $J(w) = \hat y - y$ only names the gap between prediction and target. A
# loss must be *smallest* when $\hat y = y$, and $\hat y - y$ is not: it keeps falling
# as $\hat y \to -\infty$. So we square the gap, and average over the outputs:
#
# $$J = \frac{1}{M} \sum_k (o_k - y_k)^2,$$
#
# the mean squared error of lesson 05. The small network has one output:
# $J = (\hat y - y)^2$.

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask the room to minimise ŷ − y: the answer "make ŷ as negative as possible" shows
# why it cannot be a loss. Lesson 05 compares squared error, absolute error and
# cross-entropy; here the squared error is enough because its derivative,
# 2(o_k − y_k)/M, is simple.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The small network as a computation graph
#
# The slides name the nodes; to compute, we give them the simplest functions (the
# formulas above the graph; ReLU is lesson 04's activation). Values go forward,
# gradients come back:

# %% alt="Computation graph of the small network: w₁ = 0.5, x₁ = 2, x₂ = −1, w₂ = −0.5 give q₁ = 1.5, ŷ = ReLU(q₁) = 1.5 and J = 2.25 (y = 3), and the local derivatives multiply back to ∂J/∂w₁ = −6 and ∂J/∂w₂ = 3."
net = small_network(x=[2, -1], w=[0.5, -0.5], y=3)
plot_computation_graph(net)

# %% [markdown] slideshow={"slide_type": "notes"}
# Read it left to right first: q₁ = 0.5·2 + (−0.5)·(−1) = 1.5, ReLU keeps it, J =
# (1.5 − 3)² = 2.25. Then right to left in vermillion: ∂J/∂ŷ = −3, times the blue 1 on
# the ReLU edge gives ∂J/∂q₁ = −3, times the blue x₁ = 2 gives ∂J/∂w₁ = −6, times
# x₂ = −1 gives ∂J/∂w₂ = 3. The inputs x₁, x₂ get no gradient here: they are data, not
# learned. Ask what happens if q₁ were negative (ReLU's factor is 0: neither weight
# learns).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Both updates, step by step
#
# $$\begin{aligned}
# \frac{\partial J}{\partial w_1} &= \frac{\partial J}{\partial \hat y} \, \frac{\partial \hat y}{\partial q_1} \, \frac{\partial q_1}{\partial w_1} = 2(\hat y - y) \cdot [q_1 > 0] \cdot x_1 \\
# \frac{\partial J}{\partial w_2} &= \frac{\partial J}{\partial \hat y} \, \frac{\partial \hat y}{\partial q_1} \, \frac{\partial q_1}{\partial w_2} = 2(\hat y - y) \cdot [q_1 > 0] \cdot x_2
# \end{aligned}$$
#
# ($[q_1 > 0]$ is 1 when $q_1 > 0$, else 0: ReLU's derivative.) Then one step against
# the gradient for both weights, with $\eta = 0.05$:

# %%
shared = net.dJ_dy_hat * net.dy_hat_dq1      # ∂J/∂ŷ · ∂ŷ/∂q1, computed once
dJ_dw1, dJ_dw2 = shared * net.x1, shared * net.x2
print(f"∂J/∂w1 = {dJ_dw1:g}   ∂J/∂w2 = {dJ_dw2:g}")
w_new = np.array([net.w1, net.w2]) - 0.05 * np.array([dJ_dw1, dJ_dw2])
print(f"w1, w2 = {w_new[0]:g}, {w_new[1]:g}: the loss falls from {net.J:g} "
      f"to {small_network_loss([2, -1], w_new, 3):g}")

# %% [markdown] slideshow={"slide_type": "notes"}
# −6 and 3, as the graph showed. Both weights move so that q₁ grows towards y = 3:
# w₁ up (x₁ is positive), w₂ down (x₂ is negative). The loss falls from 2.25 to
# 0.5625. Later in the lesson these two numbers are checked against central
# differences, the check every backward pass should get.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The layer: $\vec o = \vec x \circledast \vec F$
#
# $$o[n] = (x \circledast F)[n] = \sum_{i=-\omega}^{\omega} x[i + n + \omega] \, F[i + \omega]$$
#
# This form is for an odd, centred filter of $K = 2\omega + 1$ taps (offsets
# $-\omega \dots \omega$). Counted from 0, the taps give the same sum for any $K$, even
# the worked example's $K = 2$: $o[n] = \sum_{i=0}^{K-1} x[n + i] \, F[i]$. The slides' drawing:

# %% alt="Diagram of o = x ⊛ F: inputs x₀ to x₇, taps F₀, F₁, F₂ (the slides' F₁, F₂, F₃) and outputs o₀ to o₇, lines joining x₀, x₁, x₂ through the taps to o₀ = F₀x₀ + F₁x₁ + F₂x₂; o₆ and o₇ are dashed, needing padding."
plot_conv1d(N=8, K=3, slide_names=True)

# %% [markdown] slideshow={"slide_type": "notes"}
# This is lesson 01's 1-D correlation with new letters: x the input, F the filter,
# o the output: lay the filter on the signal at position n, multiply, add. Point at
# the three orange lines into o₀: one output, three products. Then ask how many
# outputs a 3-tap filter can make from eight inputs without padding; the next slide
# answers (six).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Two things to notice in the slides' drawing
#
# - **Numbering.** The slides' drawing labels the taps $F_1, F_2, F_3$ (grey, under
#   the taps), counting from 1, while $x_0 \dots x_7$, $o_0 \dots o_7$ and the worked
#   example ($o_0 = F_0 x_0 + F_1 x_1$) count from 0. **This course counts every
#   index from 0, taps included**, in formulas and in code: the slides' $F_1$ is our $F_0$.
# - **How many outputs.** The drawing has eight outputs, but a 3-tap filter fits
#   inside eight inputs at only $M = N - K + 1 = 6$ positions; $o_6$ and $o_7$ would
#   need $x_8$ and $x_9$, which exist only if the signal is padded. The formula above
#   (and lesson 01's `edges="none"`) gives the six.

# %%
x = np.arange(8.0)               # x_0 ... x_7
F = np.array([1.0, 0.0, -1.0])   # an edge detector: o_n = x_n - x_(n+2)
o = conv1d_forward(x, F)         # six outputs; on a ramp every one is -2
o, np.array_equal(o, conv1d_forward_loops(x, F))

# %% [markdown] slideshow={"slide_type": "notes"}
# The output is six −2s and `True`: the vectorised and the loop version agree. The
# numbering is the main source of confusion in this lesson; if students use the
# slides' F₁ for the first tap, the worked example stops matching. The ramp x_n = n
# makes every output x_n − x_(n+2) = −2.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The gradient of one filter tap
#
# $$F_i \leftarrow F_i - \eta \, \frac{\partial J}{\partial F_i}, \qquad
#   \frac{\partial J}{\partial F_i} = \sum_{k} \frac{\partial J}{\partial o_k} \frac{\partial o_k}{\partial F_i}$$
#
# $J$ depends on $F_i$ only through the outputs, and the same tap $F_i$ is used at
# *every* output position, so the chain rule has one term per output. (The slides
# write the sum as $\sum_{k=1}^{M}$, counting the $M$ outputs from 1; we count
# $k = 0 \dots M-1$.) The factor $\partial J / \partial o_k$ comes from the layers
# above, the *upstream gradient*; the factor $\partial o_k / \partial F_i$ is local.

# %% [markdown] slideshow={"slide_type": "notes"}
# The key idea of the lesson: weight sharing. A dense layer's weight is used once, so
# its gradient has one term; a filter tap is used at every position, so its gradient
# is a sum over positions. Ask: with six outputs, how many terms does ∂J/∂F₀ have?
# (Six.)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The worked example: two taps, three inputs
#
# $$o_0 = F_0 x_0 + F_1 x_1 \qquad o_1 = F_0 x_1 + F_1 x_2$$
#
# $$\frac{\partial o_0}{\partial F_1} = x_1 \qquad \frac{\partial o_1}{\partial F_1} = x_2
#   \qquad\Longrightarrow\qquad
#   \frac{\partial J}{\partial F_1} = \frac{\partial J}{\partial o_0} x_1 + \frac{\partial J}{\partial o_1} x_2$$

# %% alt="Diagram of the worked example: inputs x₀, x₁, x₂, taps F₀, F₁ and outputs o₀, o₁, with lines joining x₀ and x₁ through the taps to o₀ = F₀x₀ + F₁x₁; a dashed o₂ would need padding."
plot_conv1d(N=3, K=2)

# %% [markdown] slideshow={"slide_type": "notes"}
# This is the slides' example, in their own numbering from 0. Work it on the board:
# F₁ multiplies x₁ in o₀ and x₂ in o₁, so those are its two local derivatives. Ask for
# ∂J/∂F₀ before moving on: ∂J/∂o₀ · x₀ + ∂J/∂o₁ · x₁.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## One gradient is a correlation, the other a convolution
#
# In general $\partial o_k / \partial F_i = x_{k+i}$, so
#
# $$\frac{\partial J}{\partial F_i} = \sum_k \frac{\partial J}{\partial o_k} \, x_{k+i}$$
#
# is the forward formula again with $\partial J / \partial o$ in the place of the
# filter: **$\partial J / \partial F$ is the correlation of $x$ with $\partial J / \partial o$.**

# %% [markdown] slideshow={"slide_type": "fragment"}
# The layer must also pass a gradient down to the layer below, $\partial J / \partial x$.
# Input $x_j$ meets tap $F_{j-k}$ at output $o_k$, so
#
# $$\frac{\partial J}{\partial x_j} = \sum_k \frac{\partial J}{\partial o_k} \, F_{j-k}$$
#
# (over the $k$ with $0 \le j - k < K$): **$\partial J / \partial x$ is the full
# convolution of $\partial J / \partial o$ with $F$**, that is $\partial J / \partial o$
# padded with $K - 1$ zeros on each side and correlated with the *flipped* filter.
# Inputs near the ends feed fewer outputs; the zeros stand for the missing ones.

# %% [markdown] slideshow={"slide_type": "notes"}
# Before the press, ask which gradient the layer still owes: the one for its input,
# which the layer below needs. The flip is where lesson 01's "convolution or
# cross-correlation" pays off: the forward pass is a correlation, the input gradient a
# true convolution. Check one end with the room: x₀ meets only F₀ (at o₀), so
# ∂J/∂x₀ = ∂J/∂o₀ · F₀.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Both gradients in code
#
# With lesson 01's `correlate` and `convolve` (the flip), next to `conv1d_backward`:

# %%
# some ∂J/∂o, as if from the layers above
dout = np.array([1.0, -1.0, 2.0, 0.0, 1.0, -2.0])
dF = correlate(x, dout)                     # ∂J/∂F_i = Σ_k dout_k x_(k+i)
dx = convolve(pad(dout, (F.size - 1,)), F)  # full convolution of dout with F
dx_lib, dF_lib = conv1d_backward(x, F, dout)
print("dF =", dF, "\ndx =", dx)
np.array_equal(dF, dF_lib), np.array_equal(dx, dx_lib)

# %% [markdown] slideshow={"slide_type": "notes"}
# dF has three numbers (one per tap) and dx eight (one per input): the gradient has
# the shape of what it is the gradient of. `(True, True)`: the two one-liners give
# exactly the library's result. Here dF = [−3, −2, −1].

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The backward pass as loops
#
# The forward loops (`conv1d_forward_loops`) add up the products
# `o[n] += x[n + i] * F[i]`. The backward pass walks the same products: each sends
# $\partial J / \partial o_n$ back to both of its factors, and a number used in several
# products collects the sum (`+=`). The library's loop version:

# %%
show_source(conv1d_backward_loops)

# %%
dx_loops, dF_loops = conv1d_backward_loops(x, F, dout)
np.array_equal(dx_loops, dx), np.array_equal(dF_loops, dF)

# %% [markdown] slideshow={"slide_type": "notes"}
# This is the version to remember: no index gymnastics, no flip to think about. The
# derivative of a product a·b sends the upstream gradient times b to a, and times a
# to b; the `+=` is the sum over k of the earlier slides. Forgetting
# the `+=` (writing `=`) is the classic bug: only the last output's term survives.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The same derivation by computer algebra
#
# `sympy` works with symbols instead of numbers. Build the worked example's outputs
# from the formula $o_k = \sum_i F_i x_{k+i}$:

# %%
xs, Fs = sp.symbols("x0:3"), sp.symbols("F0:2")
o_sym = sp.Matrix([sum(Fs[i] * xs[k + i] for i in range(2)) for k in range(2)])
display(o_sym)

# %% [markdown]
# All the local derivatives $\partial o_k / \partial F_i$ at once (row $k$, column $i$):
# the column of $F_1$ holds the slide's $x_1$ and $x_2$.

# %%
do_dF = o_sym.jacobian(Fs)
display(do_dF)

# %% [markdown] slideshow={"slide_type": "notes"}
# The first matrix is the slides' two equations, o₀ = F₀x₀ + F₁x₁ and
# o₁ = F₀x₁ + F₁x₂. The Jacobian has rows [x₀, x₁] and [x₁, x₂]: point at its second
# column, the two local derivatives of the worked example.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The chain rule with symbols
#
# The chain rule with symbols $g_k$ standing for $\partial J / \partial o_k$, and the
# hand result from the slide, term by term:

# %%
gs = sp.symbols("g0:2")
dJ_dF = do_dF.T * sp.Matrix(gs)     # ∂J/∂F_i = Σ_k g_k ∂o_k/∂F_i
hand = gs[0] * xs[1] + gs[1] * xs[2]
dJ_dF, sp.expand(dJ_dF[1] - hand) == 0

# %% [markdown] slideshow={"slide_type": "notes"}
# The chain rule over all outputs is a transposed Jacobian times the upstream
# gradient. The result, g₀x₁ + g₁x₂ for F₁, is the slide's hand result,
# and the `True` says sympy agrees term by term.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## A real loss, differentiated by sympy
#
# Now a real loss, $J = \frac{1}{2}\left[(o_0 - y_0)^2 + (o_1 - y_1)^2\right]$ (the
# mean squared error of the two outputs): `sympy` differentiates it directly (it
# applies the chain rule itself). With numbers put in, the symbolic gradient must
# equal the one `conv1d_backward` computes:

# %%
ys = sp.symbols("y0:2")
J_sym = sum((o_sym[k] - ys[k]) ** 2 for k in range(2)) / 2
numbers = {xs[0]: 1, xs[1]: 2, xs[2]: -1,
           Fs[0]: sp.Rational(1, 2), Fs[1]: -1,
           ys[0]: 0, ys[1]: 1}
symbolic = [sp.diff(J_sym, F_i).subs(numbers) for F_i in Fs]

J_num, dout_num = squared_error(conv1d_forward([1, 2, -1], [0.5, -1]), [0, 1])
_, dF_num = conv1d_backward([1, 2, -1], [0.5, -1], dout_num)
print("sympy:          ", symbolic)
print("conv1d_backward:", dF_num.tolist())
print("equal:", [float(s) for s in symbolic] == dF_num.tolist())

# %% [markdown] slideshow={"slide_type": "notes"}
# Both give [1/2, −4] (sympy keeps the exact fraction), and they are equal. This is
# the micrograd-style check: an independent tool replays the same computation. It
# works only for tiny examples; the next slides give a check that works for any size.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Checking a gradient numerically
#
# A derivative is a limit of slopes; a small step gives a close estimate. The
# **central difference**
#
# $$\frac{\partial J}{\partial F_i} \approx \frac{J(F + \epsilon e_i) - J(F - \epsilon e_i)}{2 \epsilon}, \qquad \epsilon = 10^{-6}$$
#
# is accurate to about $\epsilon^2$, up to rounding. It costs two evaluations of $J$
# per parameter: far too slow for training, right for testing a backward pass.

# %% [markdown] slideshow={"slide_type": "notes"}
# e_i is the unit vector of tap i: nudge one tap up and down, everything else fixed.
# Why not a smaller ε: below about 1e-8, rounding in J dominates and the estimate
# gets worse; why not a larger one: the ε² term grows. 1e-6 balances the two for
# values of order 1.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Reading a gradient check
#
# `gradient_check` compares the two gradients $a$ and $b$ by their **relative error**
# $\lVert a - b \rVert / (\lVert a \rVert + \lVert b \rVert)$ (`relative_error`):
# 0 when they are equal, 1 when one is minus the other, whatever the size of the
# numbers. It prints the error beside a tolerance, $10^{-6}$. In float64, with
# $\epsilon = 10^{-6}$:
#
# | relative error | what it means |
# |---|---|
# | about $10^{-10}$ | they agree: only rounding in $J$, divided by $\epsilon$, is left |
# | $10^{-6}$ to $10^{-3}$ | suspect: a kink (ReLU, max) within $\epsilon$ of the point, float32 or too large an $\epsilon$; check at another point |
# | above $10^{-3}$ | a bug: a wrong sign, a flipped filter, a missing term |

# %% [markdown] slideshow={"slide_type": "notes"}
# Why relative: an absolute difference of 0.01 is tiny for gradients of size 1000 and
# huge for gradients of size 0.001. A real bug rarely lands between the rows: a wrong
# sign or a missing term changes the gradient by as much as its own size, which gives
# an error of order 0.1 to 1. Ask the room where 0.5 and 3e-11 go in the table.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The check in code: the small network
#
# First the two weights of the small network: the chain rule's
# $\partial J / \partial w_1$ and $\partial J / \partial w_2$ against central differences.

# %%
w0 = np.array([net.w1, net.w2])
numerical = numerical_gradient(
    lambda w_: small_network_loss([2, -1], w_, 3), w0)
print("chain rule:", net.dw, "  central differences:", numerical.round(6))
gradient_check(net.dw, numerical)

# %% [markdown] slideshow={"slide_type": "notes"}
# The two gradients print alike to six decimals, and the relative error, about 1e-11,
# sits in the first row of the table: the chain rule of the graph was right. The
# ReLU's kink is at q₁ = 0, far from q₁ = 1.5, so the estimate is not disturbed.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The check on a convolution
#
# A loss whose $\partial J / \partial o$ is a fixed random vector, and both gradients
# of a 5-tap filter on 20 inputs compared with central differences:

# %%
rng = np.random.default_rng(1)
x = rng.standard_normal(20)
F = rng.standard_normal(5)
dout = rng.standard_normal(16)


def J_lin(x, F):
    return np.sum(dout * conv1d_forward(x, F))   # ∂J/∂o is exactly dout


dx, dF = conv1d_backward(x, F, dout)
print("dF:", gradient_check(dF, numerical_gradient(lambda F_: J_lin(x, F_), F)))
print("dx:", gradient_check(dx, numerical_gradient(lambda x_: J_lin(x_, F), x)))

# %% [markdown] slideshow={"slide_type": "notes"}
# Both agree, with errors around 1e-10: the first row of the table. The linear loss
# J = dout · o is a trick worth teaching: it tests the backward pass with any
# upstream gradient we like.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## A check that catches a bug
#
# The check catches mistakes. Forget the flip in $\partial J / \partial x$ (a
# correlation where a convolution belongs): what relative error do you expect?

# %% slideshow={"slide_type": "fragment"}
dx_wrong = correlate(pad(dout, (F.size - 1,)), F)
dx_numerical = numerical_gradient(lambda x_: J_lin(x_, F), x)
gradient_check(dx_wrong, dx_numerical)

# %% [markdown] slideshow={"slide_type": "notes"}
# 0.68: far above 1e-3, the last row of the table, though the shapes are right and the
# numbers look plausible. That is the point: a wrong backward pass rarely crashes, it
# just trains badly. Lesson 04 checks the gradient of its whole network this way.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Interactive: which terms make up $\partial J / \partial F_i$?
#
# Pick a tap. The highlighted inputs are the ones that tap meets; each orange line
# joins one of them to the output gradient it is multiplied by. Every output
# contributes to every tap, and the taps see the same inputs shifted by one.

# %%
TapExplorer()

# %% [markdown] slideshow={"slide_type": "notes"}
# It opens on F0: six orange lines from x₀ … x₅ straight down to o₀ … o₅, and
# ∂J/∂F₀ = −11. Click F1 and F2: the highlighted inputs slide one to the right each
# time while the output gradients stay.
# That shift is why the gradient is a correlation. The buttons also name each tap as
# the slides' drawing does (F1, F2, F3).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Learning a filter
#
# Hide a filter, show the learner only an input signal $x$ (64 random samples) and
# the output $y = x \circledast F_\text{hidden}$, start from $F = 0$ and repeat:
# forward, loss, backward, update. Each output is one equation for the $K$ unknown taps.

# %%
x, y, F_hidden = training_pair("edge detector")
history = learn_filter(x, y, np.zeros(3), learning_rate=0.1, steps=100)
print("hidden: ", F_hidden)
print("learned:", np.round(history.filters[-1], 3) + 0.0)

# %% alt="Learning the hidden filter [−1, 0, 1] from F = 0 with η = 0.1 over 100 steps: the loss J falls on a straight line on a log scale, and the taps F₀, F₁, F₂ settle on their dashed hidden values within about 30 steps."
plot_learning(F_hidden, history)

# %% [markdown] slideshow={"slide_type": "notes"}
# The learned filter is the hidden one, [−1, 0, 1], to three decimals. With 62 outputs
# and 3 unknowns the problem is heavily over-determined, which is why it converges so
# cleanly. Left: the loss falls on a straight line on the log scale, from 1.4 to
# 1.6e-13 after 100 steps: every step multiplies the error by the same factor.
# Right: the taps approach the dashed hidden values; the middle tap stays near 0
# throughout. This is a CNN's training loop in miniature: lesson 04 runs the same four
# steps for thousands of weights.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Too large a learning rate
#
# Each step multiplies the remaining error along each direction by $1 - \eta \lambda$,
# where the $\lambda$ are the curvatures of the loss (the eigenvalues of its Hessian).
# While $\eta < 2 / \lambda_\text{max}$ the error shrinks; above, every step
# overshoots the minimum along the steepest direction by more than the last, and the
# taps swing ever wider. The loss can fall for a few steps first (along the gentler
# directions the step is still fine) before that one direction takes over. The
# learner stops as soon as the loss has grown a thousandfold, long before the numbers
# overflow:

# %%
too_large = learn_filter(x, y, np.zeros(3), learning_rate=1.2, steps=100)
print(too_large.message)
eta_max = stability_limit(x, 3)
print(f"largest stable learning rate for this input: {eta_max:.3f}")

# %% [markdown] slideshow={"slide_type": "notes"}
# η = 1.2 is above the limit of 0.861 for this input, and the run stops at step 12
# with the loss grown from 1.4 to 2.7e+03. The one-weight example of the start makes
# the 1 − ηλ concrete: there λ = 2, so η = 1 gives a factor of −1 (the step jumps to
# the mirror point), and anything larger diverges.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## A run that diverges

# %% alt="The same two plots at learning rate 1.2: the loss J falls for a few steps, then climbs on a straight line on a log scale until the run is stopped after about a dozen steps, while the taps swing with growing amplitude and flipping sign."
plot_learning(F_hidden, too_large)

# %% [markdown] slideshow={"slide_type": "notes"}
# Point at the loss: it falls for the first few steps, then climbs on a straight line,
# as the slide before said. On the right the taps swing with growing amplitude, their
# sign flipping at every one of the last steps: the overshoot along the steepest
# direction.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Interactive: learn the filter
#
# Choose the hidden filter, the learning rate $\eta$ (log scale), the steps and noise
# on the outputs. Try $\eta$ = 0.01, 0.1, 0.5 and then 1.0 or more.

# %%
FilterLearner()

# %% [markdown] slideshow={"slide_type": "notes"}
# It opens on the blur [0.25, 0.5, 0.25] with η = 0.05: learned exactly, loss
# 2.4e-08 after 100 steps, and the limit for this input is 0.861. Drag η to 0.01
# (not there yet after 100 steps), 0.1 and 0.5 (there), then 1.0 (above the limit:
# stopped, in red). Then add noise: the taps settle near, not on, the hidden filter,
# on the filter that best explains the noisy outputs. Five minutes; let students
# predict before each drag.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Key points
#
# - The chain rule multiplies local derivatives along the path from a weight to the
#   loss; gradient descent steps *against* the gradient: $w \leftarrow w - \eta \, \partial J / \partial w$.
# - A filter tap is used at every output, so $\partial J / \partial F_i = \sum_k \frac{\partial J}{\partial o_k} x_{k+i}$:
#   a correlation of the input with the upstream gradient.
# - The gradient for the input, $\partial J / \partial x$, is the full convolution of
#   the upstream gradient with the filter (padded, filter flipped).
# - Check every backward pass against central differences and read the relative error
#   against the tolerance: near $10^{-10}$ means correct, above $10^{-3}$ a bug.
#   Computer algebra gives the same formulas symbolically.
# - A learning rate above $2 / \lambda_\text{max}$ makes gradient descent diverge.

# %% [markdown] slideshow={"slide_type": "notes"}
# If time is short, keep the second and fourth points: weight sharing makes the
# gradient a sum over positions, and every backward pass gets a numerical check.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# Stuck? `show_hint(check_dJ_dF)` gives a nudge; call it again for the idea, and a
# third time for the answer (the same for every check).
#
# **1. Derive $\partial J / \partial F$ for a 3-tap filter.** Five inputs
# $x_0 \dots x_4$, taps $F_0, F_1, F_2$, three outputs $o_0, o_1, o_2$. Write
# $\partial J / \partial F_0$, $\partial J / \partial F_1$ and $\partial J / \partial F_2$ with
# $g_k = \partial J / \partial o_k$, as a list of three formulas: sympy expressions, or
# text in the symbols `x0`...`x4`, `g0`...`g2` such as `"g1*x0 + 2*g2*x4"`.

# %%
check_dJ_dF(...)

# %% [markdown] slideshow={"slide_type": "notes"}
# Each formula has one term per output, as on the worked-example slide. The check
# names the usual mistakes: a sign error, the taps or outputs in flipped order, and
# indices off by one (students who number the taps from 1, as the slides' drawing
# does). The answers are in `tests/test_exercises_02.py` and behind the third hint,
# not in this notebook, which students open too.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercise 2: the backward pass for stride 2
#
# With stride 2 the filter jumps two samples:
# $o[n] = \sum_i x[2n + i] \, F[i]$ (`forward_stride2` in `lessons_lib.exercises.backprop`).
# Write `backward_stride2(x, F, dout)` returning `(dx, dF)`, then pass it to the check
# (it compares with numerical gradients on several signals).

# %%
def backward_stride2(x, F, dout):
    """Return (dx, dF) for o = forward_stride2(x, F), given dout = ∂J/∂o."""
    ...  # your code here


# replace ... with backward_stride2 when it is written
check_backward_stride2(...)

# %% [markdown] slideshow={"slide_type": "notes"}
# The hint to give when a student is stuck: start from the loops of "The backward
# pass as loops" and ask where output n's window now starts. An input that no window
# reaches (the last one when N − K is odd) must get a gradient of 0; the numerical
# check tests that too, and names the two usual mistakes: the stride-1 gradient, and
# copies of dout where the skipped positions need zeros.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercise 3: one step by hand
#
# $x = [1, 2, -1, 0, 3]$, $F = [0.5, -1]$, targets $y = [0, 1, 2, -1]$, loss
# $J = \frac{1}{4} \sum_k (o_k - y_k)^2$, $\eta = 0.1$.
# Compute $o$, $\partial J / \partial o$, $\partial J / \partial F$ and the new filter.

# %%
check_update_step(...)   # replace ... with the new filter [F0, F1]

# %% [markdown] slideshow={"slide_type": "notes"}
# Have students write o, ∂J/∂o, ∂J/∂F and the new F in that order, each on its own
# line. The usual slip is ∂J/∂o: the factor is 2/4, and the 2 from the square is easy
# to forget. The check names the usual slips: a plus where the minus belongs, a
# forgotten η, a lost 2 or 1/4 in ∂J/∂o.
