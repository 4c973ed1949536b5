# %% [markdown] slideshow={"slide_type": "slide"}
# # 03 · Pooling
#
# **You will be able to**
# - max pool and average pool a matrix by hand and with code, for any window size and stride;
# - predict the pooled shape, $H' = 1 + \lfloor (H - k) / s \rfloor$;
# - say where the gradient goes when it flows back through max and average pooling;
# - explain what pooling buys a CNN (some tolerance to small shifts, a larger receptive
#   field, fewer numbers) and what it costs (aliasing, lost positions).
#
# **Slides:** *Convolutional neural networks: architecture and training*, the
# *Pooling* slide (max pool with 2x2 filters and stride 2) and the *Backpropagation*
# slide after it.
#
# *Previous:* [02 · Backpropagation through a 1-D convolution](02_backpropagation.ipynb) ·
# *Next:* [04 · Training a CNN](04_training_a_cnn.ipynb)

# %%
import numpy as np

from lessons_lib.backprop import numerical_gradient, relative_error
from lessons_lib.convolution import correlate
from lessons_lib.datasets import figure_matrix, photograph, pooling_example
from lessons_lib.filters import make_filter
from lessons_lib.plots.pooling import (
    plot_downsampled,
    plot_pooling,
    plot_pooling_backward,
    plot_translation,
)
from lessons_lib.pooling import (
    avg_pool,
    avg_pool_backward,
    downsample,
    global_avg_pool,
    max_pool,
    max_pool_backward,
    max_pool_loops,
    pooled_shape,
    pooling_windows,
    receptive_field,
    translate,
    translation_sensitivity,
    zone_plate,
)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The slides' example
#
# A convolution layer produces feature maps as large as its input. **Pooling** shrinks
# them: cut the map into windows and keep one number per window. *Max pooling* keeps
# the largest. The slides pool this $4 \times 4$ matrix with $2 \times 2$ windows and
# stride 2: four windows (one colour each), four outputs. The framed cell is the one
# each window keeps.

# %%
A = pooling_example()
plot_pooling(A, size=2, stride=2)

# %%
max_pool(A, size=2, stride=2)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The formula
#
# With windows of $k \times k$ cells placed every $s$ cells (the stride):
#
# $$\text{out}[m, n] = \max_{0 \le i, j < k} A[m s + i,\; n s + j]
# \qquad\text{(average pooling: } \tfrac{1}{k^2} \textstyle\sum_{i, j} \text{ instead of } \max\text{)}$$
#
# Pooling has **no weights**: nothing to learn, only $k$ and $s$ to choose. Each
# output sees its own window; with $s = k$ the windows tile the input without
# overlapping. As loops (`max_pool_loops` in `lessons_lib.pooling`):
#
# ```python
# for m in range(H_out):
#     for n in range(W_out):
#         window = A[m*s : m*s + k, n*s : n*s + k]
#         out[m, n] = window.max()
# ```
#
# `pooling_windows` returns every window at once (a view, no copy), so pooling is one
# reduction over the last two axes:

# %%
windows = pooling_windows(A, size=2, stride=2)
print("window (0, 1):\n", windows[0, 1])
print("maxima:\n", windows.max(axis=(-2, -1)))
print("same as the loops:", np.array_equal(max_pool_loops(A), max_pool(A)))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The output size
#
# Per axis $H' = 1 + \lfloor (H - k) / s \rfloor$: a window that would stick out of the
# input is dropped, together with the rows or columns only it would cover (PyTorch's
# default, "floor mode"). A $5 \times 7$ input with $2 \times 2$ windows, stride 2,
# loses its last row and column:

# %%
B = np.arange(35.0).reshape(5, 7)
print(B)
print("pooled shape:", pooled_shape(B.shape, size=2, stride=2))
print(max_pool(B, size=2, stride=2))

# %% [markdown] slideshow={"slide_type": "subslide"}
# The same functions take a whole batch of feature maps, shaped $(N, C, H, W)$, and
# pool every $(H, W)$ plane on its own; a `float32` batch stays `float32`, as a CNN
# trains in it:

# %%
batch = np.random.default_rng(0).random((64, 16, 28, 28), dtype=np.float32)
pooled = max_pool(batch, size=2, stride=2)
print(batch.shape, "→", pooled.shape, pooled.dtype)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Interactive: a pooling stepper
#
# Press play, or drag `step`, to move the window over the slides' matrix: the window
# is shaded, the cell it keeps is framed in red, the output fills in. Change the
# window `size`, the `stride` (below the size, windows overlap) and max or average.

# %%
from lessons_lib.widgets.pooling import PoolingStepper

PoolingStepper()

# %% [markdown] slideshow={"slide_type": "subslide"}
# Any small matrix works: here the slides' figure matrix from lesson 01, with
# overlapping $3 \times 3$ windows and stride 2.

# %%
PoolingStepper(figure_matrix(), size=3, stride=2)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Backpropagation through pooling
#
# Pooling has no weights to update, but the gradient still has to pass through it to
# reach the layers before. Given $\text{dout} = \partial J / \partial \text{out}$:
#
# - **max:** $\text{out}[m, n]$ *is* one cell of its window, so its derivative is 1 for
#   that cell and 0 for the others. The whole $\text{dout}[m, n]$ goes to the cell that
#   won; the rest of the window gets nothing.
# - **average:** every cell counts $1 / k^2$, so each gets $\text{dout}[m, n] / k^2$.

# %%
dout = np.array([[1.0, -2.0], [3.0, 2.0]])
plot_pooling_backward(A, dout, size=2, stride=2)

# %%
print("max pooling, dA =\n", max_pool_backward(A, dout))
print("average pooling, dA =\n", avg_pool_backward(A, dout))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Ties and overlapping windows
#
# - **A tie:** if a window holds its maximum twice, the gradient goes to the *first*
#   one in row-major order (row by row, left to right), as in PyTorch. Any one choice
#   is a valid (sub)gradient; fixing it makes results reproducible.
# - **Overlapping windows** ($s < k$): one cell can win several windows, and then it
#   receives the sum of their gradients.

# %%
print("tie:\n", max_pool_backward([[5.0, 5.0], [5.0, 5.0]], [[1.0]]))
dout_ones = np.ones(pooled_shape(A.shape, 2, 1))
print("2x2 windows, stride 1, every dout = 1:\n",
      max_pool_backward(A, dout_ones, size=2, stride=1))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Checking the gradient numerically
#
# As in lesson 02: nudge each input by $\pm\varepsilon$, watch the loss
# $J = \sum \text{out} \cdot \text{dout}$ change, and compare with the backward pass.
# Max pooling is differentiable wherever each window's maximum is unique, as here.

# %%
for name, forward, backward in [("max", max_pool, max_pool_backward),
                                ("average", avg_pool, avg_pool_backward)]:
    numerical = numerical_gradient(
        lambda x, f=forward: float(np.sum(f(x) * dout)), A)
    error = relative_error(backward(A, dout), numerical)
    print(f"{name} pooling: relative error below 1e-8: {error < 1e-8}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Pooling a photograph
#
# Shrinking the $512 \times 512$ camera photograph 8 times, four ways:
#
# - **max pool** keeps the brightest pixel of each $8 \times 8$ block: bright thin
#   details (the tripod's highlights) survive and grow, dark thin ones vanish;
# - **average pool** keeps the mean: smooth, faithful, but thin details fade;
# - **subsample** keeps the top-left pixel and ignores the other 63: jagged edges and
#   noisy grass;
# - **blur, then subsample** first removes the detail the small image cannot hold.

# %%
camera = photograph("camera")
methods = ["max pool", "average pool", "subsample", "blur, then subsample"]
shrunk_camera = {m: downsample(camera, 8, m) for m in methods}
plot_downsampled({"photograph": camera} | shrunk_camera)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Aliasing
#
# A pattern finer than the new pixel size cannot be shown by it. Subsampling does not
# drop such detail: it folds it back as a false, coarser pattern (**aliasing**). Rings
# that get finer towards the edge (a *zone plate*) make it plain: subsampling 4 times
# invents rings that are not there. Blurring first (a low-pass filter) removes most of
# the fine rings before they can fold back: only faint ghosts remain. Average pooling is
# a box blur then subsampling: it removes less, and clearer false rings remain. Max pooling is no low-pass filter at all: it keeps the bright
# peaks, so fine bright rings become a nearly white image.

# %%
rings = zone_plate(256)
shrunk_rings = {m: downsample(rings, 4, m) for m in methods}
plot_downsampled({"zone plate": rings} | shrunk_rings)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Interactive: shrink a photograph
#
# Choose the photograph, the method and the factor (the window size and stride).

# %%
from lessons_lib.widgets.pooling import PhotoPooling

PhotoPooling("camera", method="max pool", factor=4)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Why pool? 1. Small shifts matter less
#
# Shift the figure matrix one cell to the right: about a third of its cells change,
# and every one of its ones moves. After $2 \times 2$ max pooling only one output
# changes: a shift *inside* a window does not change the window's maximum.

# %%
F = figure_matrix()
plot_translation(F, translate(F, down=0, right=1), size=2, stride=2)

# %% [markdown] slideshow={"slide_type": "subslide"}
# How much changes, as $\sum |\Delta| / \sum |\cdot|$ (the total change over the total of
# the unshifted matrix: 1.00 is as much change as the matrix holds), for shifts by one
# cell in each direction and diagonally:

# %%
shifts = [(0, 1), (0, -1), (1, 0), (-1, 0), (1, 1)]
for row in translation_sensitivity(F, shifts):
    print(f"shift (down, right) = {row['shift']!s:8}"
          f"  input changes {row['input change']:.2f}"
          f"   pooled changes {row['pooled change']:.2f}")

# %% [markdown]
# The pooled features always change less than the input, but by how much depends on
# whether the shift crosses a window border. Pooling gives *some* tolerance to shifts
# smaller than the window, not invariance; a CNN gets more by stacking layers and by
# learning from shifted examples.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Why pool? 2. A larger receptive field
#
# The *receptive field* of an output is the patch of the input it depends on. Each
# $3 \times 3$ convolution widens it by 2 pixels times the distance (in input pixels)
# between neighbouring inputs of that layer; each $2 \times 2$ pooling with stride 2 widens
# it by one such distance and then doubles the distance. So the same three convolutions
# see much more of the image when pooling sits between them:

# %%
r_plain = receptive_field([(3, 1), (3, 1), (3, 1)])[-1][0]
r_pooled = receptive_field([(3, 1), (2, 2), (3, 1), (2, 2), (3, 1)])[-1][0]
print("conv, conv, conv:              ", r_plain, "x", r_plain, "pixels")
print("conv, pool, conv, pool, conv:  ", r_pooled, "x", r_pooled, "pixels")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Why pool? 3. Fewer numbers to process
#
# $2 \times 2$ pooling with stride 2 keeps a quarter of the numbers, so every later
# layer has a quarter of the work, and the dense layer at the end a quarter of the
# weights:

# %%
for shape in [(64, 16, 64, 64), pooled_shape((64, 16, 64, 64)),
              pooled_shape(pooled_shape((64, 16, 64, 64)))]:
    print(f"{str(shape):20} {np.prod(shape):>10,} numbers")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Global average pooling
#
# The extreme case: one window as large as the whole feature map, one number per map.
# Three filters from lesson 01 on the camera photograph, each followed by a ReLU
# ($\max(0, x)$, as in a CNN), give three feature maps; global average pooling turns
# them into three numbers, *how much* of each feature the photograph holds, whatever
# its size. Many modern CNNs (ResNet, Inception) end this way, in place of a large
# dense layer.

# %%
filters = ["box blur", "horizontal lines", "vertical lines"]
maps = np.stack([np.maximum(correlate(camera, make_filter(name, 3)), 0)
                 for name in filters])
maps = maps[None]  # a batch of one image with three channels: (N, C, H, W)
print("feature maps:", maps.shape, "→", global_avg_pool(maps).shape)
for name, value in zip(filters, global_avg_pool(maps)[0], strict=True):
    print(f"{name:17} {value:+.3f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Pooling versus a strided convolution
#
# A convolution with stride 2 shrinks a map just as much. Average pooling *is* one: a
# strided convolution with a fixed box filter.

# %%
box = np.full((2, 2), 1 / 4)
print("avg_pool == correlate(box, stride 2):",
      np.allclose(avg_pool(F, 2, 2), correlate(F, box, stride=2)))

# %% [markdown]
# Max pooling is not a convolution of any filter: it is not linear, so the maximum
# of a sum is not the sum of the maxima.

# %%
G = translate(F, down=0, right=1)
print("max_pool(F + G) == max_pool(F) + max_pool(G):",
      np.array_equal(max_pool(F + G), max_pool(F) + max_pool(G)))

# %% [markdown]
# A strided convolution *learns* its filter (and pays with weights and work); pooling
# is fixed and free. Some networks drop pooling for strided convolutions
# ("all-convolutional" networks); ResNet keeps one max pooling layer, downsamples with
# stride-2 convolutions, and ends with global average pooling.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Key points
#
# - Pooling keeps one number per $k \times k$ window placed every $s$ cells: the
#   maximum or the average. No weights. $H' = 1 + \lfloor (H - k)/s \rfloor$.
# - The slides' example: $2 \times 2$, stride 2, $[[6, 9], [3, 7]]$.
# - Backward, max: each $\text{dout}$ goes whole to its window's maximum (the first
#   one on a tie); average: $\text{dout}/k^2$ to every cell; overlapping windows add up.
# - Pooling makes features tolerate small shifts, widens the receptive field and cuts
#   the work; subsampling without blurring aliases.
# - Global average pooling: one number per feature map. Average pooling is a strided
#   box-filter convolution; max pooling is not linear.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# Replace each `...` with your answer and run the cell.
#
# **1.** A batch of shape $(32, 16, 28, 28)$ is max pooled with $3 \times 3$ windows and
# stride 2. What is the pooled shape? Answer with a tuple of four integers.

# %%
from lessons_lib.exercises.pooling import (
    HAND_MATRIX,
    check_max_pool_by_hand,
    check_max_pool_gradient,
    check_overlap_gradient,
    check_pooled_shape,
)

check_pooled_shape(...)

# %% [markdown] slideshow={"slide_type": "subslide"}
# **2.** By hand: max pool this matrix with $2 \times 2$ windows and stride 2. Answer with
# a $2 \times 2$ list of lists.

# %%
print(HAND_MATRIX)
check_max_pool_by_hand(...)

# %% [markdown] slideshow={"slide_type": "subslide"}
# **3.** Exercise 2's matrix, `HAND_MATRIX`, is max pooled ($2 \times 2$, stride 2) and
# the gradient $\text{dout} = [[1, -2], [3, 0.5]]$ arrives from the next layer. Write
# down $\partial J / \partial A$ for $A$ = `HAND_MATRIX` as a $4 \times 4$ list of lists,
# without calling `max_pool_backward`.

# %%
check_max_pool_gradient(...)

# %% [markdown] slideshow={"slide_type": "subslide"}
# **4.** Now max pool the slides' matrix with $3 \times 3$ windows and stride 1, and let
# $\text{dout} = [[1, 2], [3, 4]]$. How much gradient reaches the cell holding 9?

# %%
check_overlap_gradient(...)
