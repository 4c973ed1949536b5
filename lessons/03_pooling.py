# %% [markdown] slideshow={"slide_type": "slide"}
# # 03 · Pooling
#
# **You will be able to**
# - say why a CNN pools (some tolerance to small shifts, fewer numbers, a larger
#   receptive field), what it costs (aliasing, lost positions), and when a convolution
#   keeps its feature map's size;
# - max pool and average pool a matrix by hand and with code, for any window size
#   and stride;
# - predict the pooled shape, $H' = 1 + \lfloor (H - k) / s \rfloor$;
# - say where the gradient goes when it flows back through max and average pooling.
#
# **Slides:** *Convolutional neural networks: architecture and training*, the
# *Pooling* slide (max pool with 2x2 filters and stride 2) and the *Backpropagation*
# slide after it.
#
# *Previous:* [02 · Backpropagation through a 1-D convolution](02_backpropagation.ipynb) ·
# *Next:* [04 · Training a CNN](04_training_a_cnn.ipynb)

# %% slideshow={"slide_type": "skip"}
import numpy as np

from lessons_lib.backprop import numerical_gradient, relative_error
from lessons_lib.convolution import correlate
from lessons_lib.datasets import figure_matrix, photograph, pooling_example
from lessons_lib.exercises import show_hint  # noqa: F401 (for the exercises)
from lessons_lib.exercises.pooling import (
    HAND_MATRIX,
    check_max_pool_by_hand,
    check_max_pool_gradient,
    check_overlap_gradient,
    check_pooled_shape,
)
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
from lessons_lib.shapes import output_size
from lessons_lib.source import show_source
from lessons_lib.widgets.pooling import PhotoPooling, PoolingStepper

# %% [markdown] slideshow={"slide_type": "notes"}
# About 50 minutes with the exercises. Pooling is the easy layer after lessons 01 and
# 02: no weights, one formula. Start with why (the first slide), then how. Spend the
# time on the two ideas students get wrong: where the gradient goes (all of it to one
# cell, for max), and what pooling does to a picture (aliasing). Run the whole
# notebook before the lecture: the stepper and the photograph view need a live kernel.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Why pool? The slides' example
#
# Read the slides' $4 \times 4$ matrix as a feature map: large numbers where a feature
# is. Shift it one cell up, as when the object moves by one pixel: 14 of its 16
# numbers change. Max pooled ($2 \times 2$ windows, stride 2, the slides' choice) the
# map keeps 3 of its 4 numbers: the 6, 9 and 7 stay inside their windows.

# %% alt="Four grids: the slides' 4×4 matrix A; A shifted up one cell, 14 of its 16 cells framed as changed; A max pooled to [[6, 9], [3, 7]]; and the shifted map max pooled to [[6, 9], [2, 7]], only its bottom-left output framed as changed."
A = pooling_example()
plot_translation(A, translate(A, down=-1, right=0), size=2, stride=2)

# %% [markdown] slideshow={"slide_type": "fragment"}
# Two gains: **some tolerance to small shifts** (a shift that carries a maximum across
# a window's border changes more, as measured later), and **fewer numbers**: 16 become
# 4, so every later layer has a quarter of the work. The rest of the lesson: how.

# %% [markdown] slideshow={"slide_type": "notes"}
# Let the class find the one pooled number that changed (bottom left, 3 → 2) before
# the next press: the 3 left its window upwards, and a 2 is now that window's largest.
# The 6, 9 and 7 stayed in their windows. Ask what a shift to the right would do: the
# 6 crosses into the next window and the 7 leaves the map, so 2 of the 4 pooled
# numbers change; the measuring slide later shows the same on a larger map. "Feature
# map" here is a convolution layer's output, the input of pooling in a CNN.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## How large is a feature map?
#
# Lesson 01's `correlate` keeps only the positions where a filter of $K \times K$ taps
# fits (edges "none", its default): the map loses $K - 1$ rows and columns. It keeps
# the input's size only when padded by $\omega = (K - 1)/2$ on each side (odd $K$,
# any edges but "none") at stride 1, as most CNN layers are; pooling then shrinks it.

# %%
F = figure_matrix()
blur = make_filter("box blur", 3)  # K = 3 taps per axis, ω = 1
print("figure matrix", F.shape, "→", correlate(F, blur).shape, "unpadded,",
      correlate(F, blur, edges="zero").shape, "zero padded")
for K in (3, 5, 7):
    omega = (K - 1) // 2
    print(f"K = {K}: 28 → {output_size(28, K)} unpadded,"
          f" 28 → {output_size(28, K, padding=omega)} padded by ω = {omega}")

# %% [markdown] slideshow={"slide_type": "notes"}
# Both lines use the one output-size formula, H' = 1 + ⌊(H + 2p − K)/s⌋
# (`shapes.output_size`): with p = ω and s = 1 it gives H' = H, with p = 0 it gives
# H − K + 1. A padded layer keeps the size so that the network's designer decides
# where the maps shrink: at the pooling layers (and strided convolutions).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## How: the slides' example
#
# **Pooling** cuts the map into windows and keeps one number per window. *Max pooling*
# keeps the largest. The slides pool the $4 \times 4$ matrix with $2 \times 2$ windows
# and stride 2: four windows (one colour each), four outputs. The framed cell is the
# one each window keeps.

# %% alt="The 4×4 matrix A cut into four shaded 2×2 windows with each window's largest cell framed (6, 9, 3, 7), beside the max pooled 2×2 output [[6, 9], [3, 7]], each output cell shaded like its window."
plot_pooling(A, size=2, stride=2)

# %%
max_pool(A, size=2, stride=2)

# %% [markdown] slideshow={"slide_type": "notes"}
# Point at one colour at a time: the orange window holds 1, 1, 5, 6 and keeps the 6;
# blue keeps the 9, green the 3, purple the 7. The code under the figure gives the
# slides' answer, [[6, 9], [3, 7]]; out[0, 1] is row m = 0, column n = 1 of the
# output. Ask what *average* pooling would keep; do not compute it here: the stepper,
# a few slides on, shows it with pooling set to average.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The formula
#
# With windows of $k \times k$ cells (`size=k`) placed every $s$ cells (`stride=s`):
#
# $$\text{out}[m, n] = \max_{0 \le i, j < k} A[m s + i,\; n s + j]
# \qquad\text{(average pooling: } \tfrac{1}{k^2} \textstyle\sum_{i, j} \text{ instead of } \max\text{)}$$
#
# Pooling has **no weights**: nothing to learn, only $k$ and $s$ to choose. With
# $s = k$ the windows tile the input without overlapping. As loops, from
# `lessons_lib.pooling` (`_first_max` finds a window's first largest cell, row by row):

# %%
show_source(max_pool_loops)

# %% [markdown] slideshow={"slide_type": "notes"}
# Stress "no weights": students who just learned backpropagation expect every layer to
# learn something. Pooling only passes gradients on (two slides on). The loops are
# the definition: `plane` runs over the (N, C) maps of a batch, then m and n over the
# output. The next slide shows how the library avoids the loops.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Every window at once
#
# `pooling_windows` returns every window at once (a view, no copy), so pooling is one
# reduction over the last two axes:

# %%
windows = pooling_windows(A, size=2, stride=2)
print("window (0, 1):\n", windows[0, 1])
print("maxima:\n", windows.max(axis=(-2, -1)))
print("same as the loops:", np.array_equal(max_pool_loops(A), max_pool(A)))

# %% [markdown] slideshow={"slide_type": "notes"}
# `windows` has shape (2, 2, 2, 2): output row, output column, then the window itself.
# Window (0, 1) is the blue one, [[2, 4], [9, 3]]; its maximum is the 9. The view
# shares memory with `A` (numpy strides), which is why it costs nothing for a large
# batch. The last line checks the fast version against the loops of the formula.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The output size
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

# %% [markdown] slideshow={"slide_type": "notes"}
# Check the formula on the printout with the class: rows 1 + ⌊(5 − 2)/2⌋ = 2, columns
# 1 + ⌊(7 − 2)/2⌋ = 3, so (2, 3). Row 4 (28 … 34) and column 6 never enter a window.
# Some students expect padding here, as in convolution; PyTorch pools without padding
# unless asked (`padding=`, or `ceil_mode=True` to keep the partial windows).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## A batch of feature maps
#
# The same functions take a whole batch of feature maps, shaped $(N, C, H, W)$, and
# pool every $(H, W)$ plane on its own; a `float32` batch stays `float32`, as a CNN
# trains in it:

# %%
batch = np.random.default_rng(0).random((64, 16, 28, 28), dtype=np.float32)
pooled = max_pool(batch, size=2, stride=2)
print(batch.shape, "→", pooled.shape, pooled.dtype)

# %% [markdown] slideshow={"slide_type": "notes"}
# 64 images, 16 channels, 28 × 28 each become 14 × 14: only the last two axes shrink,
# and each channel of each image is pooled on its own (pooling never mixes channels,
# unlike a convolution). Lesson 04's network pools exactly such batches.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Interactive: a pooling stepper
#
# Press play, or drag `step`, to move the window over the slides' matrix: the window
# is shaded, the cell it keeps is framed in red, the output fills in. Change the
# window `size`, the `stride` (below the size, windows overlap) and max or average.

# %%
PoolingStepper()

# %% [markdown] slideshow={"slide_type": "notes"}
# Press play and let it run the four steps: the formula under the figure spells each
# one out (step 1 is out[0, 1] = max(2, 4, 9, 3) = 9). Then switch pooling to average
# (the answer to the question two slides back), and set the stride to 1: windows
# overlap, the output grows to 3 × 3, and the 9 is kept by several windows. Click a
# slider before using the arrow keys on it, or the arrow turns the slide.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The stepper on a larger matrix
#
# Any small matrix works: here the slides' figure matrix from lesson 01, with
# overlapping $3 \times 3$ windows and stride 2.

# %%
PoolingStepper(figure_matrix(), size=3, stride=2)

# %% [markdown] slideshow={"slide_type": "notes"}
# The 8 × 9 matrix pools to 3 × 4 (the output's title): ask the class to check it with
# H' = 1 + ⌊(H − k)/s⌋ before stepping. With windows of 3 and stride 2 neighbouring
# windows share a column or a row, so one cell can be read by two windows, or four.

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

# %% alt="Four grids: A with its 2×2 windows a to d and their maxima 6, 9, 3, 7 framed; dout = [[1, −2], [3, 2]]; dA for max pooling, zero except each window's dout on its maximum; dA for average pooling, every cell a quarter of its window's dout."
dout = np.array([[1.0, -2.0], [3.0, 2.0]])
plot_pooling_backward(A, dout, size=2, stride=2)

# %% [markdown] slideshow={"slide_type": "notes"}
# Read the figure left to right. The four framed winners of the forward pass (6, 9,
# 3, 7) are the only cells that receive anything with max pooling: 1, −2, 3, 2. With
# average pooling every cell of a window gets a quarter of its dout. The common
# confusion: students spread the max gradient over the window, or give it to every
# cell equal to the maximum. Red is positive, blue negative, on one shared scale. The
# dark frames and their letters name the windows: window b's dout, −2, lands on its 9.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The gradients as numbers
#
# The same $\text{dA}$ as the figure, from the library's backward functions:

# %%
print("max pooling, dA =\n", max_pool_backward(A, dout))
print("average pooling, dA =\n", avg_pool_backward(A, dout))

# %% [markdown] slideshow={"slide_type": "notes"}
# Sum check: both dA add up to 1 − 2 + 3 + 2 = 4, the sum of dout. Max pooling routes
# the gradient, average pooling spreads it; neither creates or loses any. Max pooling's
# dA is mostly zeros: in a CNN most cells before a pooling layer learn nothing from
# that example.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Ties and overlapping windows
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

# %% [markdown] slideshow={"slide_type": "notes"}
# The tie: all four cells hold 5, and the whole gradient goes to the top-left one. With
# 2 × 2 windows at stride 1 there are nine windows; the 9 wins four of them and
# collects 4, the 6 wins two and collects 2. Ask why 4 + 2 + 1 + 1 + 1 = 9: one unit
# per window, and nine windows.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Checking the gradient numerically
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

# %% [markdown] slideshow={"slide_type": "notes"}
# The same check as in lesson 02, with the same target. It would fail for max pooling
# at a tie: nudging one of two equal maxima changes which one wins, and the numerical
# derivative sees half of each. That is why the slide says "unique".

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

# %% alt="The 512×512 photograph and four 64×64 versions shrunk 8 times: max pool makes the tripod thick and white, average pool is smooth with the tripod faint, subsample is jagged with the tripod broken into dots and noisy grass, blur then subsample is smooth."
camera = photograph("camera")
methods = ["max pool", "average pool", "subsample", "blur, then subsample"]
shrunk_camera = {m: downsample(camera, 8, m) for m in methods}
plot_downsampled({"photograph": camera} | shrunk_camera)

# %% [markdown] slideshow={"slide_type": "notes"}
# Point at the tripod: thick and white after max pooling, faint after average pooling,
# broken into dots after subsampling. The grass behind the man is smooth in the
# average and in the blurred version, noisy when subsampled. Each small image has
# 64 × 64 pixels, one for every 8 × 8 block of the original.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Aliasing
#
# A pattern finer than the new pixel size cannot be shown by it. Subsampling does not
# drop such detail: it folds it back as a false, coarser pattern (**aliasing**). Rings
# that get finer towards the edge (a *zone plate*) make it plain: subsampling 4 times
# invents rings that are not there. Blurring first (a low-pass filter) removes most of
# the fine rings before they can fold back: only faint ghosts remain. Average pooling
# is a box blur then subsampling: it removes less, and clearer false rings remain. Max
# pooling is no low-pass filter at all: it keeps the bright peaks, so fine bright rings
# become a nearly white image.

# %% alt="A 192×192 zone plate of rings getting finer towards the edge and four 48×48 versions: max pool nearly white, average pool with clear false rings, subsample covered in false rings, and blur then subsample keeping the true central rings with faint ghosts."
rings = zone_plate(192)
shrunk_rings = {m: downsample(rings, 4, m) for m in methods}
# zoom: screen pixels per image pixel, so the display adds no moiré of its own
plot_downsampled({"zone plate": rings} | shrunk_rings, zoom=(1, 4, 4, 4, 4))

# %% [markdown] slideshow={"slide_type": "notes"}
# The zone plate has only one true set of rings, centred. Each image is drawn at a
# whole number of screen pixels per pixel (the zone plate 1:1, the 48 × 48 images 4
# times), so every ring you see is in the data, not made by the screen. Every other
# ring centre in the subsampled image is invented: the fine rings near the edge fold back as coarse
# ones. This is the same effect as the moiré on a striped shirt on television, or
# wagon wheels turning backwards on film. A CNN pools without blurring first; some
# networks add a blur before striding ("anti-aliased" CNNs) for shift robustness.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Interactive: shrink a photograph
#
# Choose the photograph, the method and the factor (the window size and stride).

# %%
PhotoPooling("camera", method="max pool", factor=4)

# %% [markdown] slideshow={"slide_type": "notes"}
# Try factor 16 with max pool, then subsample, on the camera; then "coins" or "moon",
# where subsampling makes the texture noisy. The factor slider recomputes when it is
# released (a wide blur takes a moment). Both panels cover the same area, so the
# shrunken pixels show at their real size.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Small shifts, on a larger map
#
# The first slide's test on lesson 01's figure matrix: shift it one cell to the right.
# About a third of its cells change, and every one of its ones moves. After
# $2 \times 2$ max pooling only one output changes: a shift *inside* a window does not
# change the window's maximum.

# %% alt="Four grids: the 8×9 figure matrix; the same shifted one cell right, 23 of its 72 cells framed as changed; its 4×4 max pooled output; and the shifted map pooled, where only 1 of the 16 outputs (row 1, column 2) changes, from 0 to 1."
F = figure_matrix()
plot_translation(F, translate(F, down=0, right=1), size=2, stride=2)

# %% [markdown] slideshow={"slide_type": "notes"}
# 23 of the 72 input cells change, but only 1 of the 16 pooled cells. Point at that
# one red frame on the right: a 1 moved across a window border. Ask what happens for a
# shift by two cells (every 1 leaves its window; pooling cannot help).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Measuring the change
#
# How much changes, as $\sum |\Delta| / \sum |\cdot|$ (the total change over the total of
# the unshifted matrix: 1.00 is as much change as the matrix holds), for shifts by one
# cell in each direction and diagonally:

# %%
shifts = [(0, 1), (0, -1), (1, 0), (-1, 0), (1, 1)]
for row in translation_sensitivity(F, shifts):
    print(f"shift (down, right) = {row['shift']!s:8}"
          f"  input changes {row['input change']:.2f}"
          f"   pooled changes {row['pooled change']:.2f}")

# %% [markdown] slideshow={"slide_type": "fragment"}
# The pooled features always change less than the input, but by how much depends on
# whether the shift crosses a window border. Pooling gives *some* tolerance to shifts
# smaller than the window, not invariance; a CNN gets more by stacking layers and by
# learning from shifted examples.

# %% [markdown] slideshow={"slide_type": "notes"}
# Let the class read the table before the last paragraph appears: shifting right by one
# changes the pooled features by 0.11, shifting left by one by 0.56, although both
# shifts change the input about equally (1.04 and 1.00). Ask why; the answer is on the
# next press. "Invariant" is the word students bring from blog posts; the honest word
# is tolerant.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Why pool? A larger receptive field
#
# The *receptive field* of an output is the patch of the input it depends on. Each
# convolution of $K \times K$ taps widens it by $K - 1$ ($2\omega$ for an odd filter)
# times the distance (in input pixels) between neighbouring inputs of that layer. Each
# $2 \times 2$ pooling with stride 2 widens it by one such distance and then doubles the
# distance. So the same three $3 \times 3$ convolutions see much more of the image when
# pooling sits between them:

# %%
r_plain = receptive_field([(3, 1), (3, 1), (3, 1)])[-1][0]
r_pooled = receptive_field([(3, 1), (2, 2), (3, 1), (2, 2), (3, 1)])[-1][0]
print("conv, conv, conv:              ", r_plain, "x", r_plain, "pixels")
print("conv, pool, conv, pool, conv:  ", r_pooled, "x", r_pooled, "pixels")

# %% [markdown] slideshow={"slide_type": "notes"}
# Walk the second line: 3 (first conv), + 1 → 4 (pool, distance now 2), + 2·2 → 8
# (conv), + 2 → 10 (pool, distance now 4), + 2·4 → 18 (conv). Three convolutions alone
# see 7 × 7 pixels, with two poolings between them 18 × 18. Deep layers need a wide
# view to recognise whole objects.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Fewer numbers, in a CNN's batch
#
# As 16 became 4 on the first slide, $2 \times 2$ pooling with stride 2 keeps a quarter
# of the numbers: every later layer has a quarter of the work, and the dense layer at
# the end a quarter of the weights:

# %%
for shape in [(64, 16, 64, 64), pooled_shape((64, 16, 64, 64)),
              pooled_shape(pooled_shape((64, 16, 64, 64)))]:
    print(f"{str(shape):20} {np.prod(shape):>10,} numbers")

# %% [markdown] slideshow={"slide_type": "notes"}
# 4,194,304 numbers become 1,048,576, then 262,144: each pooling divides by four. The
# same factor saves memory in training, where every activation is kept for the
# backward pass.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Global average pooling
#
# The extreme case: one window as large as the whole feature map, one number per map.
# Three $3 \times 3$ filters ($K = 3$) from lesson 01 on the camera photograph, each
# followed by a ReLU ($\max(0, x)$, as in a CNN), give three feature maps; global
# average pooling turns them into three numbers, *how much* of each feature the
# photograph holds, whatever its size. Many modern CNNs (ResNet, Inception) end this
# way, in place of a large dense layer.

# %%
filters = ["box blur", "horizontal lines", "vertical lines"]
maps = np.stack([np.maximum(correlate(camera, make_filter(name, 3)), 0)
                 for name in filters])
maps = maps[None]  # a batch of one image with three channels: (N, C, H, W)
print("feature maps:", maps.shape, "→", global_avg_pool(maps).shape)
for name, value in zip(filters, global_avg_pool(maps)[0], strict=True):
    print(f"{name:17} {value:+.3f}")

# %% [markdown] slideshow={"slide_type": "notes"}
# The three numbers: +0.506 for the box blur (about the photograph's mean brightness),
# +0.037 and +0.045 for the two line detectors (thin lines cover little of the
# photograph). The maps are 510 × 510; a photograph of another size would still give
# three numbers, which is why such a network accepts any input size.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Pooling versus a strided convolution
#
# A convolution with stride 2 shrinks a map just as much. Average pooling *is* one: a
# strided convolution with a fixed box filter of $2 \times 2$ taps ($K = 2$, even like
# the slides' 2-tap filter of lesson 02: no centre cell, so no $\omega$).

# %%
box = np.full((2, 2), 1 / 4)
print("avg_pool == correlate(box, stride 2):",
      np.allclose(avg_pool(F, 2, 2), correlate(F, box, stride=2)))

# %% [markdown] slideshow={"slide_type": "fragment"}
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

# %% [markdown] slideshow={"slide_type": "notes"}
# Before the next press, ask: can max pooling also be written as a convolution? Let a
# few people answer, then reveal. The check prints False: the maximum of a sum is not
# the sum of the maxima, so no fixed filter can do it.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Key points
#
# - Why: pooled features tolerate small shifts, and there are fewer of them (16 → 4).
#   A convolution keeps its map's size only when padded by $\omega = (K - 1)/2$.
# - Pooling keeps one number per $k \times k$ window placed every $s$ cells: the
#   maximum or the average. No weights. $H' = 1 + \lfloor (H - k)/s \rfloor$.
# - The slides' example: $2 \times 2$, stride 2, $[[6, 9], [3, 7]]$.
# - Backward, max: each $\text{dout}$ goes whole to its window's maximum (the first
#   one on a tie); average: $\text{dout}/k^2$ to every cell; overlapping windows add up.
# - Pooling also widens the receptive field; subsampling without blurring aliases.
# - Global average pooling: one number per feature map. Average pooling is a strided
#   box-filter convolution; max pooling is not linear.

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask the class to say each point back in their own words before showing the
# exercises; "the first one on a tie" and "overlapping windows add up" are the two
# details the exercises test.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# Replace each `...` with your answer and run the cell. Stuck? Run
# `show_hint(check_pooled_shape)` for a nudge; run it again for the idea, a third time
# for the answer. Every check of the lesson has its three hints.
#
# **1.** A batch of shape $(32, 16, 28, 28)$ is max pooled with $3 \times 3$ windows and
# stride 2. What is the pooled shape? Answer with a tuple of four integers.

# %%
check_pooled_shape(...)

# %% [markdown] slideshow={"slide_type": "notes"}
# About 15 minutes for the four exercises. Reference answers: `tests/test_exercises_03.py`
# (not in the students' notebook). The usual slips in 1: rounding up instead of down,
# forgetting the + 1, stride 1 instead of 2; the check names each. Only the last two
# axes shrink. Point a stuck student to show_hint rather than to the answer.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercise 2: max pooling by hand
#
# **2.** By hand: max pool this matrix with $2 \times 2$ windows and stride 2. Answer with
# a $2 \times 2$ list of lists.

# %%
print(HAND_MATRIX)
check_max_pool_by_hand(...)

# %% [markdown] slideshow={"slide_type": "notes"}
# Give two minutes without laptops: four windows, one maximum each. The usual slip is
# to slide the window by one cell (stride 1) and produce a 3 × 3 answer; the check says
# so. Reference answer: tests/test_exercises_03.py.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercise 3: the gradient through max pooling
#
# **3.** Exercise 2's matrix, `HAND_MATRIX`, is max pooled ($2 \times 2$, stride 2) and
# the gradient $\text{dout} = [[1, -2], [3, 0.5]]$ arrives from the next layer. Write
# down $\partial J / \partial A$ for $A$ = `HAND_MATRIX` as a $4 \times 4$ list of lists,
# without calling `max_pool_backward`.

# %%
check_max_pool_gradient(...)

# %% [markdown] slideshow={"slide_type": "notes"}
# Exercise 3 is exercise 2 run backwards: the gradient lands where exercise 2's maxima
# were. Students who spread dout over the window, as average pooling does, are told so
# by the check.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercise 4: overlapping windows
#
# **4.** Now max pool the slides' matrix with $3 \times 3$ windows and stride 1, and let
# $\text{dout} = [[1, 2], [3, 4]]$. How much gradient reaches the cell holding 9?

# %%
check_overlap_gradient(...)

# %% [markdown] slideshow={"slide_type": "notes"}
# Exercise 4 needs the overlap rule from the ties slide: count the windows the 9 wins,
# and add their dout. The stepper with size 3 and stride 1 shows which windows those
# are.
