# %% [markdown] slideshow={"slide_type": "slide"}
# # 01 · Convolution filters
#
# **You will be able to**
# - compute a discrete convolution $C = A \circledast h$ by hand and with code;
# - predict the output size from the filter size, the stride and the edge handling;
# - choose a filter to blur an image or to find lines in it;
# - say why deep learning's "convolution" is a cross-correlation.
#
# **Slides:** *Convolutional neural networks: discrete convolutions*, from
# D'Alembert to "filters extract features".
#
# *Previous:* [00 · Start here](00_start_here.ipynb) · *Next:*
# [02 · Backpropagation through a 1-D convolution](02_backpropagation.ipynb)

# %%
import numpy as np

from lessons_lib.convolution import (
    convolve,
    correlate,
    correlate_loops,
    output_shape,
    pad,
)
from lessons_lib.datasets import figure_matrix, photograph
from lessons_lib.filters import box_blur, line_detector, make_filter
from lessons_lib.plots.convolution import (
    plot_correlation,
    plot_gallery,
    plot_matrix,
    plot_signal,
)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## A short history
#
# - **1754:** D'Alembert uses convolution-type integrals (in his work on Taylor's
#   theorem); the operation later becomes central to signal processing.
# - **1980:** Kunihiko Fukushima describes the *Neocognitron*, the first
#   convolutional neural network architecture: layers of local filters followed by
#   pooling, inspired by the visual cortex. Its filters were not yet learned by
#   backpropagation; LeCun and colleagues did that in 1989 (lesson 02).
#
# Discrete convolutions are **matrix operations that apply filters to a matrix or
# array**. Before any learning, people designed such filters by hand. Here are a
# few pre-defined filters applied to one photograph: a blur, two line detectors, and
# a Sobel filter, which finds edges where brightness changes from left to right.

# %%
camera = photograph("camera")
filters = {"box blur": box_blur(9),
           "horizontal lines": line_detector("horizontal"),
           "vertical lines": line_detector("vertical"),
           "sobel x": make_filter("sobel x")}
outputs = {name: correlate(camera, h) for name, h in filters.items()}
plot_gallery({"photograph": camera} | outputs, ncols=5)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The formula
#
# For a filter $h$ of size $(2\omega + 1) \times (2\omega + 1)$, each output is a
# weighted sum of the input around position $(m, n)$:
#
# $$C[m, n] = \sum_{j=-\omega}^{\omega} \sum_{i=-\omega}^{\omega} h[i + \omega, j + \omega] \, A[m + i, n + j]$$
#
# Read it as: *lay the filter on the input, multiply the overlapping numbers, add
# them up, move on.* $\omega$ is the filter's half-width: $\omega = 1$ for a
# $3 \times 3$ filter.
#
# The slides name an output by the input position $(m, n)$ under the filter's
# **centre**. Code numbers output cells from 0 instead: output $(m, n)$, with stride
# $s$, has its centre at $(s\,m + \omega,\; s\,n + \omega)$ of the input $P$
# (padded, if the edges are padded). Written as loops, this is `correlate_loops`:
#
# ```python
# for m in range(rows):
#     for n in range(cols):
#         for j in range(-ω, ω + 1):
#             for i in range(-ω, ω + 1):
#                 C[m, n] += h[i + ω, j + ω] * P[s*m + ω + i, s*n + ω + j]
# ```

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The figure matrix
#
# The slides' running example is an $8 \times 9$ matrix with a stick figure drawn
# in ones:

# %%
A = figure_matrix()
plot_matrix(A, title="A: the figure matrix (8×9)")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Filter, stride and edges
#
# Three choices define a convolution:
#
# - **Filter** $h$: its size and its numbers.
# - **Stride**: how far the filter moves between outputs; stride 2 keeps every
#   second position.
# - **Edges**: what happens where the filter hangs over the border. With
#   *none*, the filter only visits positions where it fits, and the output
#   shrinks. Otherwise the input is **padded** by $\omega$ on each side, with zeros
#   or with copies of itself.
#
# Per axis, for input size $H$, filter size $k$, padding $p$ and stride $s$:
#
# $$H' = 1 + \left\lfloor \frac{H + 2p - k}{s} \right\rfloor$$

# %%
for stride, edges in [(1, "none"), (2, "none"), (1, "zero"), (2, "zero")]:
    shape = output_shape(A.shape, (3, 3), stride=stride, edges=edges)
    print(f"stride {stride}, edges {edges!r:7}: 8×9 → {shape}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Zero padding with $\omega = 1$ surrounds the figure with a frame of zeros (hatched),
# so that a $3 \times 3$ filter can be centred on every original cell. *(For
# instructors: the padded matrix on the slides does not match the figure cell for
# cell; this one is computed from it.)*

# %%
plot_matrix(pad(A, (1, 1), "zero"), title="A padded with zeros (10×11)",
            padding=(1, 1))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Step by step
#
# Press ▶ or drag `step`: the orange window moves over the input, the nine products
# are written out, and their sum fills the output cell. Change the filter, the
# stride and the edges, and watch the output's size change.

# %%
from lessons_lib.widgets.convolution import ConvolutionStepper

ConvolutionStepper()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## A blurring filter
#
# The $3 \times 3$ box filter (every weight $1/9$) replaces each cell by the mean of
# its neighbourhood: stride 1, edges none, so the $8 \times 9$ figure becomes
# $6 \times 7$. Sharp ones spread into grey.

# %%
C = correlate(A, box_blur(3))
plot_correlation(A, box_blur(3), C)

# %% [markdown]
# The vectorised `correlate` and the four loops of the formula agree:

# %%
print("largest difference:", np.abs(C - correlate_loops(A, box_blur(3))).max())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Line detection and extraction
#
# A line detector has positive weights along a line and negative weights beside
# it, adding up to zero: a flat region gives 0, and only a line in that direction
# gives a strong response. Here are the four detectors; "diagonal" follows the
# matrix's main diagonal (\\), "antidiagonal" the other one (/):

# %%
directions = ["horizontal", "vertical", "diagonal", "antidiagonal"]
detectors = {d: line_detector(d) for d in directions}
plot_gallery(detectors, cmap="RdBu_r", width=9, symmetric=True)

# %% [markdown] slideshow={"slide_type": "subslide"}
# Applied to the figure matrix (red positive, blue negative): the horizontal
# detector fires along output row 4, the windows centred on the full row 5 of $A$;
# the vertical detector along output column 1, centred on the full column 2 of $A$;
# the diagonal detector along the long \\ stroke from $A[0, 0]$ to $A[7, 7]$. The
# figure has no / stroke: the antidiagonal detector only responds, unevenly, where
# other strokes cross its window.

# %%
responses = {d: correlate(A, h) for d, h in detectors.items()}
plot_gallery(responses, cmap="RdBu_r", width=12, symmetric=True)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Filtering a photograph
#
# A photograph is a matrix too, here $512 \times 512$ grey levels between 0 and 1.
# The slides' $11 \times 11$ blurring filter, stride 1, edges none, shrinks it by
# 10 pixels on each axis:

# %%
C = correlate(camera, box_blur(11))
plot_correlation(camera, box_blur(11), C)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## A filter explorer
#
# Pick a photograph, a filter and its size (up to the slides' $101 \times 101$),
# the stride and the edges. Large filters are computed with the FFT (the
# correlation theorem), so even $101 \times 101$ takes milliseconds.

# %%
from lessons_lib.widgets.convolution import FilterExplorer

FilterExplorer(size=101)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Why edges matter
#
# With a large filter, the border is a large part of the image. "none" gives a
# smaller image; zero padding pulls the border towards black; reflect and replicate
# keep it plausible; wrap brings in the opposite side (sky at the bottom, the coat
# at the top right).

# %%
edge_modes = ["none", "zero", "reflect", "replicate", "wrap"]
blurred = {e: correlate(camera, box_blur(31), edges=e) for e in edge_modes}
titled = {f"{e}: {C.shape[0]}×{C.shape[1]}": C for e, C in blurred.items()}
plot_gallery(titled, ncols=5)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## N-D discrete convolutions
#
# Nothing in the formula is special to two dimensions. In one dimension:
#
# $$C[m] = \sum_{i=-\omega}^{\omega} h[i + \omega] \, A[m + i]$$
#
# (The slides keep $C[m, n]$ on the left of the 1-D formula; in one dimension there is
# only $m$.) The slides' $1 \times 5$ filter of $0.5$ sums five neighbours and halves
# them:

# %%
x = np.array([0, 0, 1, 2, 3, 4, 4, 4, 2, 0, 0, 0], dtype=float)
o = correlate(x, np.full(5, 0.5))
print("o =", o)
plot_signal(x, {"o = x ⊛ [0.5 0.5 0.5 0.5 0.5]": (2, o)})

# %% [markdown]
# The same function filters a 3-D volume with a 3-D filter (for example a video or a
# medical scan); with edges "none" every axis shrinks by $k - 1$:
# $(16 - 3 + 1,\; 32 - 5 + 1,\; 32 - 5 + 1)$.

# %%
volume = np.random.default_rng(0).random((16, 32, 32))
print(correlate(volume, np.ones((3, 5, 5)) / 75).shape)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Convolution or cross-correlation?
#
# The slides' formula adds $A[m + i]$: the filter is laid on the input as it is.
# Mathematics calls this **cross-correlation**; its **convolution** flips the filter
# first, $\sum_{i=-\omega}^{\omega} h[i + \omega]\,A[m - i]$. Every deep-learning library computes the unflipped
# version and calls it "convolution"; since a network *learns* its filters, the flip
# makes no difference to what it can learn. It does matter when you apply a given,
# asymmetric filter. Put a single 1 (an impulse) through both:

# %%
impulse = np.array([0, 0, 1, 0, 0], dtype=float)
h = np.array([1, 2, 3], dtype=float)
print("correlate:", correlate(impulse, h), "  convolve:", convolve(impulse, h))

# %% [markdown]
# Convolution returns the filter itself (its *impulse response*), correlation returns
# it reversed. For symmetric filters, like the blurs above, both agree.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Key points
#
# - $C[m, n] = \sum_{i,j} h[i + \omega, j + \omega]\,A[m + i, n + j]$, with $(m, n)$
#   under the filter's centre: multiply the window by the filter, add, move by the
#   stride.
# - Output size per axis: $1 + \lfloor (H + 2p - k) / s \rfloor$.
# - Edges "none" shrinks the output; padding keeps its size but invents border
#   values, which matters for large filters.
# - Filters **extract features** (lines, edges) or **transform** the input (blur,
#   sharpen). A CNN learns its filters instead of having them designed: lessons 02
#   and 04.
# - Deep learning's convolution is the cross-correlation above (no flip).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# Replace each `...` with your answer and run the cell.
#
# **1.** A photograph of 512 rows and 384 columns is filtered by an $11 \times 11$
# filter with stride 4 and edges "none". What is the output shape? Answer with a tuple
# `(rows, columns)`, without running `correlate`.

# %%
from lessons_lib.exercises.convolution import (
    check_line_response,
    check_output_shape,
    check_vertical_detector,
)

check_output_shape(...)

# %% [markdown] slideshow={"slide_type": "subslide"}
# **2.** By hand: what is $C[0, 0]$ when the vertical line detector
# `line_detector("vertical")` is applied to the figure matrix with stride 1 and
# edges "zero"? (You may check your hand computation with the stepper above.)

# %%
check_line_response(...)

# %% [markdown] slideshow={"slide_type": "subslide"}
# **3.** Design a $3 \times 3$ filter that gives 0 on flat regions and responds more
# to a vertical line than to a horizontal one (without calling `line_detector`).

# %%
check_vertical_detector(...)
