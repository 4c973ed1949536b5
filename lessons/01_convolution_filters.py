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

# %% slideshow={"slide_type": "skip"}
import numpy as np

from lessons_lib.convolution import (
    convolve,
    correlate,
    correlate_loops,
    output_shape,
    pad,
)
from lessons_lib.datasets import figure_matrix, photograph
from lessons_lib.exercises import show_hint  # noqa: F401 (the student calls it)
from lessons_lib.exercises.convolution import (
    check_line_response,
    check_output_shape,
    check_vertical_detector,
)
from lessons_lib.filters import (
    box_blur,
    line_detector,
    line_pixels,
    make_filter,
)
from lessons_lib.plots.convolution import (
    plot_border_crops,
    plot_correlation,
    plot_edge_modes,
    plot_gallery,
    plot_line_pixels,
    plot_matrix,
    plot_signal,
)
from lessons_lib.source import show_source
from lessons_lib.widgets.convolution import ConvolutionStepper, FilterExplorer

# %% [markdown] slideshow={"slide_type": "notes"}
# About one teaching hour: 35 minutes of slides, the rest for the exercises. The
# lesson builds one idea, "lay the filter on the input, multiply, add, move on", and
# then shows what hand-made filters do, so that lesson 04's *learned* filters have
# something to be compared with. Run the whole notebook before presenting: the two
# interactive views need a live kernel.

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
# array**. Before any learning, people designed such filters by hand.

# %% [markdown] slideshow={"slide_type": "notes"}
# Keep this to a minute. The point of the dates: the operation is old and was
# designed by hand for two centuries; what is new in a CNN is that the filters are
# learned. The Neocognitron already had the local filters and the pooling of
# lessons 01 and 03, but no gradient descent.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Filters designed by hand
#
# A few pre-defined filters applied to one photograph: a blur, two line detectors,
# and a Sobel filter, which finds edges where brightness changes from left to right.

# %% alt="Five panels: the photograph of a man with a camera on a tripod, its box blur, and the responses of the horizontal-line, vertical-line and Sobel x filters (mid-grey is 0), where the tripod legs stand out in vertical and Sobel x, the horizon in horizontal."
camera = photograph("camera")
filters = {"box blur": box_blur(9),
           "horizontal lines": line_detector("horizontal"),
           "vertical lines": line_detector("vertical"),
           "sobel x": make_filter("sobel x")}
outputs = {name: correlate(camera, h) for name, h in filters.items()}
# grey levels spread over the 1st to 99th percentile of each picture
plot_gallery({"photograph": camera} | outputs, ncols=5, percentiles=(1, 99),
             ticks=True)

# %% [markdown] slideshow={"slide_type": "notes"}
# Point at the tripod legs: they stand out in "vertical lines" and in "sobel x",
# while "horizontal lines" keeps the horizon (the row of buildings) and the camera's
# horizontal edges. Mid-grey is 0 in the three detectors; the grass, full of short
# strokes, makes all of them respond. The blur keeps the picture and loses the grass
# texture. Ask: which of these would help
# decide "is there a camera in this picture?" That question is what a CNN answers by
# learning its own filters; today they are all designed by hand.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The formula
#
# For a filter $h$ of $K \times K$ taps ($K$ odd) and half-width
# $\omega = (K - 1) / 2$, each output is a weighted sum of the input around
# position $(m, n)$:
#
# $$C[m, n] = \sum_{j=-\omega}^{\omega} \sum_{i=-\omega}^{\omega} h[i + \omega, j + \omega] \, A[m + i, n + j]$$
#
# Read it as: *lay the filter on the input, multiply the overlapping numbers, add
# them up, move on.* A $3 \times 3$ filter has $K = 3$ taps per axis and
# $\omega = 1$: the offsets $i, j$ run from $-1$ to $1$.

# %% [markdown] slideshow={"slide_type": "notes"}
# Read the formula aloud with ω = 1: nine terms, i and j from −1 to 1, and h indexed
# from 0 to 2 (hence the + ω). A frequent confusion: i runs over rows of h but is
# added to m, the row of A; check that students see the filter and the window
# *aligned*, not flipped (the flip comes at the end of the lesson).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The formula in code
#
# Output $(m, n)$, numbered from 0, is centred on $A_p[s\,m + \omega, s\,n + \omega]$:

# %%
show_source(correlate_loops)

# %% [markdown] slideshow={"slide_type": "notes"}
# The library's correlate_loops; s is the stride, A_p is A padded as the edges
# say. Two numberings meet here: the slides' (m, n) is a position in the input (the
# centre), the code's is a position in the output, starting at 0. With stride 1 and
# no padding they differ by ω on each axis (`omega_i`, `omega_j` in the code: ω
# along the rows and the columns). The code shown is read from the library
# when the cell runs, so it is the code the tests check. Skip its first lines (they
# check the arguments and pad A); the four loops at the end are the formula word for
# word. The library's `correlate` computes the same numbers without Python loops
# (checked a few slides on).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The figure matrix
#
# The slides' running example is an $8 \times 9$ matrix with a stick figure drawn
# in ones:

# %% alt="The 8×9 figure matrix A as a grid of 0s and 1s with the ones shaded dark: a stick figure made of a long vertical stroke in column 2, a full row 5 (the arms) and a diagonal from the top-left corner down to row 7."
A = figure_matrix()
plot_matrix(A, title="A: the figure matrix (8×9)")

# %% [markdown] slideshow={"slide_type": "notes"}
# This matrix comes back in lessons 03 and 06. Let the audience find the figure: the
# long vertical stroke in column 2, the full row 5 (the arms), the diagonal from the
# top-left corner to row 7. Those three strokes are what the line detectors will find.

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
# Per axis, for input size $H$, a filter of $K$ taps, padding $p$ and stride $s$:
#
# $$H' = 1 + \left\lfloor \frac{H + 2p - K}{s} \right\rfloor$$
#
# What does the $8 \times 9$ figure matrix become under a $3 \times 3$ filter?

# %% slideshow={"slide_type": "fragment"}
for stride, edges in [(1, "none"), (2, "none"), (1, "zero"), (2, "zero")]:
    shape = output_shape(A.shape, (3, 3), stride=stride, edges=edges)
    print(f"stride {stride}, edges {edges!r:7}: 8×9 → {shape}")

# %% [markdown] slideshow={"slide_type": "notes"}
# Before the next press, ask for the output shape with stride 1, edges none: 6×7.
# Then stride 2: (3, 4), the floor at work (9 − 3 = 6, halved, plus one gives 4
# columns; 8 − 3 = 5, halved and floored, plus one gives 3 rows). With zero padding
# (p = 1) stride 1 keeps 8×9, and stride 2 gives (4, 5). Students often forget the
# "1 +": the first position counts too.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Zero padding
#
# A frame of zeros (hatched) one cell wide, $\omega = 1$, lets a $3 \times 3$ filter be
# centred on every original cell. The indices are $A$'s: the frame is row and
# column $-1$, and row 8, column 9.

# %% alt="The figure matrix A inside a hatched frame of zeros one cell wide, 10×11 in all, numbered with A's own indices so that the frame is row and column −1 and row 8, column 9, with the original 8×9 outlined."
plot_matrix(pad(A, (1, 1), "zero"), title="A padded with zeros (10×11)",
            padding=(1, 1))

# %% [markdown] slideshow={"slide_type": "notes"}
# For instructors: the padded matrix on the lecture slides does not match the figure
# matrix cell for cell; this one is computed from it, so trust this one if a student
# compares. The other edge modes (reflect, replicate, wrap) fill the same frame with
# copies of the input instead of zeros; the stepper on the next slide shows each.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Step by step
#
# Press ▶ or drag `step`: the window moves, the nine products are written out, and
# their sum fills the output cell.

# %%
ConvolutionStepper()

# %% [markdown] slideshow={"slide_type": "notes"}
# Start at step 0: the window covers the top-left 3×3 block and the products line
# reads C[0, 0] = … = 0.56 (five ones times 1/9). Press ▶ and let it fill one row,
# then stop and drag `step` back and forth. Then change `edges` to zero: the input
# gets its hatched frame and the output grows to 8×9; set `stride` to 2 and the
# output shrinks to 4×5, the shapes of the previous slides. Finally pick "vertical
# lines" to show negative weights and a red/blue output. About five minutes.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## A blurring filter
#
# The $3 \times 3$ box filter (every weight $1/9$) replaces each cell by the mean of
# its neighbourhood: stride 1, edges none, so the $8 \times 9$ figure becomes
# $6 \times 7$. Sharp ones spread into grey.

# %% alt="Three panels: the 8×9 input A of 0s and 1s, the 3×3 filter h with every weight 1/9 (0.11), and the 6×7 output C of window means from 0 to 0.78, darkest where the arms meet the long stroke and the diagonal."
C = correlate(A, box_blur(3))
plot_correlation(A, box_blur(3), C)

# %% [markdown] slideshow={"slide_type": "notes"}
# Check one cell with the room: C[0, 0] is 0.56, five ones in the top-left window
# divided by nine. The darkest output, 0.78, is where the arms meet the long stroke
# and the diagonal: seven ones in that window. A blur never creates a value above
# the largest input: its weights are positive and add up to 1.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Vectorised code and loops agree
#
# The vectorised `correlate` and the four loops of the formula give the same output:

# %%
print("largest difference:", np.abs(C - correlate_loops(A, box_blur(3))).max())

# %% [markdown] slideshow={"slide_type": "notes"}
# The difference is exactly 0.0 here. This is the pattern of the whole course: a
# readable version written as the formula, a fast version for use, and a test that
# they agree. `correlate` chooses between a direct method and the FFT by size.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Line detection and extraction
#
# A line detector has positive weights along a line and negative weights beside
# it, adding up to zero: a flat region gives 0. Its response is what lies under
# the positive weights minus what lies beside them: largest for a bright line
# along them. Here are the four detectors, with their offsets $i$, $j$;
# "diagonal" follows the matrix's main diagonal (\\), "antidiagonal" the other
# one (/):

# %% alt="Four 3×3 line detectors with offsets i, j from −1 to 1 (horizontal, vertical, diagonal from top left to bottom right, antidiagonal from bottom left to top right), each with 2 on the three cells of its line and −1 on the six others."
directions = ["horizontal", "vertical", "diagonal", "antidiagonal"]
detectors = {d: line_detector(d) for d in directions}
plot_gallery(detectors, cmap="RdBu_r", width=9, symmetric=True,
             ticks=("i", "j"), first_index=(-1, -1))

# %% [markdown] slideshow={"slide_type": "notes"}
# Each detector has three 2s along its line and six −1s beside it: 6 − 6 = 0 on a flat
# patch. A full line of ones under the 2s gives 6, minus whatever lies beside it.
# The word to stress is "largest": a detector does not know what a line is, it adds
# and subtracts, so any ones under its 2s count, even if they belong to a stroke in
# another direction (next slides). Ask before the next slide: on the figure matrix,
# where will the horizontal detector respond most?

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The detectors on the figure matrix
#
# Red is positive, blue negative. Where does each detector fire?

# %% alt="Four 6×7 response maps of the line detectors on the figure matrix, values in each cell: horizontal peaks at 3 to 5 along output row 4, vertical along column 1, diagonal at 4 along its diagonal, antidiagonal only at stray 3s where strokes cross."
responses = {d: correlate(A, h) for d, h in detectors.items()}
plot_gallery(responses, cmap="RdBu_r", symmetric=True, ticks=("m", "n"))

# %% [markdown] slideshow={"slide_type": "fragment"}
# The horizontal detector fires along output row 4, the windows centred on the full
# row 5 of $A$; the vertical detector along output column 1, centred on the full
# column 2 of $A$; the diagonal detector along the long \\ stroke from $A[0, 0]$ to
# $A[7, 7]$. But strong responses also appear off those lines, where strokes cross
# or one stroke ends on another: the antidiagonal detector gives 3 at $C[3, 1]$ and
# $C[4, 2]$, though the figure has no / stroke; the vertical one gives 2 at
# $C[4, 3]$ and $C[4, 5]$, where the diagonal and the leg meet the arms.

# %% [markdown] slideshow={"slide_type": "notes"}
# Let the room answer before pressing for the explanation. The off-by-one is the
# usual stumbling block: output row 4 is centred on input row 5, because output
# indices start where the filter's centre first fits (ω = 1). The diagonal
# detector gives 4 along its whole stroke, not 6: the stroke's neighbours are not
# all zero. Off the lines: C[3, 1] of the antidiagonal is centred on A[4, 2]; its
# three 2s lie on A[3, 3], A[4, 2] and A[5, 1], ones of three different strokes
# (the diagonal, the long stroke, the arms), and three ones beside them leave 3. The
# horizontal detector gives 2 at C[0, 1] and C[2, 1], where the diagonal meets the
# long stroke. The antidiagonal's most extreme value, −4, is a *negative* response.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Extracting the lines
#
# Detection gives a response at every position; **extraction** keeps the pixels
# where the response reaches a threshold, here 3 (half the 6 of a clean line), and
# marks them on the input: `line_pixels(A, h, threshold)`.

# %% alt="The figure matrix four times with the extracted pixels (response at least 3) marked: horizontal finds 7 pixels of the arms in row 5, vertical 6 of the long stroke in column 2, diagonal 6 of the diagonal, antidiagonal 2 false pixels where strokes cross."
found = {d: line_pixels(A, h, 3) for d, h in detectors.items()}
plot_line_pixels(A, found)

# %% [markdown] slideshow={"slide_type": "notes"}
# Each orange cell is the centre of a window whose response is at least 3. The
# horizontal detector extracts the arms and the vertical one the long stroke, both
# without their end cells: the filter cannot be centred on the border. The
# diagonal one gets the \\ stroke. The antidiagonal detector "extracts" two pixels
# where strokes cross, A[4, 2] and A[5, 3]: false detections, the crossings of the
# previous slide. Ask: what happens to them at threshold 4? (They go, and so does
# part of the arms; a threshold trades missed pixels against false ones.)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Lines in a photograph
#
# The same on the photograph, with $5 \times 5$ detectors; the threshold keeps the
# strongest 1 % of each response (its value is in each title):

# %% alt="The photograph twice with the strongest 1 % of each 5×5 detector's response marked: vertical picks out the tripod legs, horizontal the top of the camera, the shoulder and the horizon's buildings; both also mark parts of the coat's outline and the grass."
found = {}
for d in ["vertical", "horizontal"]:
    h = line_detector(d, 5)
    threshold = np.percentile(correlate(camera, h), 99)
    found[f"{d} ≥ {threshold:.1f}"] = line_pixels(camera, h, threshold)
plot_line_pixels(camera, found, width=6.8, ticks=True)

# %% [markdown] slideshow={"slide_type": "notes"}
# The vertical detector extracts the tripod legs, the horizontal one the top of
# the camera, the shoulder and the buildings on the horizon. Both also pick parts
# of the coat's outline: beside a dark region, a bright one looks like part of a
# line to a filter that only adds and subtracts. Scattered orange in the grass is
# texture. A 5×5 detector (weights 4 on its line, −1 beside it) adds up five pixels
# along the line, which is why it holds on to the long, slightly tilted legs better
# than a 3×3 would.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Filtering a photograph
#
# A photograph is a matrix too, here $512 \times 512$ grey levels between 0 and 1.
# The slides' $11 \times 11$ blurring filter, stride 1, edges none, shrinks it by
# 10 pixels on each axis:

# %% alt="Three panels: the 512×512 photograph A, the 11×11 filter h (every weight 1/121, one flat square, offsets −5 to 5), and the slightly blurred 502×502 output C, barely smaller than the input."
C = correlate(camera, box_blur(11))
plot_correlation(camera, box_blur(11), C)

# %% [markdown] slideshow={"slide_type": "notes"}
# Same call as for the figure matrix, only larger: 512×512 becomes 502×502, 5 pixels
# lost on each side (ω = 5, the filter's ticks run from −5 to 5). The filter panel
# is one flat colour because all 121 weights are equal (1/121). Students sometimes
# expect the output to be smaller *visibly*; 10 pixels out of 512 is hard to see,
# which is why the next slides use much larger filters.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The slides' 101 × 101 filter
#
# The same photograph (previous slide) under $K = 101$ taps per axis,
# $\omega = 50$: each output is the mean of 10,201 pixels, and edges none loses 50
# pixels on each side.

# %% alt="The 101×101 filter h (every weight 1/10201, offsets −50 to 50) and the 412×412 output C of the photograph, so blurred that only large light and dark patches remain: the sky, the coat, the grass."
C = correlate(camera, box_blur(101))
plot_correlation(camera, box_blur(101), C, show_input=False)

# %% [markdown] slideshow={"slide_type": "notes"}
# 512 − 100 = 412 on each axis: read it on the output's ticks (0 to 411) against
# the input's on the previous slide (0 to 511); the filter's ticks give its
# offsets, −50 to 50. At this size only light and dark patches are left: the sky,
# the coat, the grass. The explorer on the next slide opens on this filter; there
# it can be resized.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## A filter explorer
#
# Pick a photograph, a filter and its size (up to the slides' $101 \times 101$), the
# stride and the edges.

# %%
FilterExplorer(size=101)

# %% [markdown] slideshow={"slide_type": "notes"}
# Large filters are computed with the FFT, so even 101×101 redraws as soon as a
# slider is released. It opens on the slides' 101×101 blur of the previous slide.
# The output is drawn at the photograph's
# scale inside a dashed frame the size of the input, so the 50 pixels lost on each
# side show as an empty border. Drag `size` down to 11 and back. Switch the
# filter to "vertical lines" at size 11 and to "sobel x"; then raise `stride` to 4
# (the output shrinks to about a quarter on each axis, the formula of the earlier
# slide). The FFT is the correlation theorem: a product in frequency space instead of
# 10,201 multiplications per pixel; this lesson does not derive it.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Why edges matter
#
# With a large filter, the border is a large part of the image. "none" gives a
# smaller image; zero padding pulls the border towards black; reflect and replicate
# keep it plausible; wrap brings in the opposite side of the photograph.

# %% alt="The photograph under a 31×31 box blur with the five edge modes, drawn at one scale, each top-left corner enlarged below: none is smaller (482×482), zero darkens the border, reflect and replicate keep it plausible, wrap darkens a band along the top."
edge_modes = ["none", "zero", "reflect", "replicate", "wrap"]
blurred = {e: correlate(camera, box_blur(31), edges=e) for e in edge_modes}
plot_edge_modes(blurred, camera.shape)  # below: each top-left corner, enlarged

# %% [markdown] slideshow={"slide_type": "notes"}
# A 31×31 blur: "none" gives 482×482, every padded mode keeps 512×512; all are drawn
# at the same scale, so "none" is visibly smaller. The enlarged corners show the
# 15-pixel band (ω = 15) the padding decides: empty for "none", dark for "zero",
# plausible sky for reflect and replicate, a darker band at the top for "wrap"
# (the next slide shows why). In a CNN the usual choice is zero padding ("same"
# padding in the libraries): cheap, and the network learns to live with the dark
# border.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Wrap brings in the opposite side
#
# The left corners of the photograph and of its two blurs, enlarged. What has
# wrap put into the band of $\omega = 15$ pixels along each border?

# %% alt="Enlarged top-left and bottom-left corners of the photograph and of its reflect and wrap blurs: reflect looks like the input, while wrap adds a dark band along the top of the sky and light bands along the bottom and left edge of the dark coat."
corners = {"top left": (0, 0, 48, 96), "bottom left": (464, 0, 48, 96)}
plot_border_crops({"input": camera, "reflect": blurred["reflect"],
                   "wrap": blurred["wrap"]}, corners, width=7)

# %% [markdown] slideshow={"slide_type": "fragment"}
# Wrap pads each side with the opposite one. At the top left the dark coat of the
# bottom edge darkens the sky; at the bottom left the bright sky of the top edge
# lightens the coat, and the grass of the right edge its left border. Reflect
# fills the band with the photograph's own neighbourhood, so nothing foreign
# appears.

# %% [markdown] slideshow={"slide_type": "notes"}
# Let the room describe the wrap column before pressing: two bands that reflect
# does not have. Wrap is right for periodic data (a signal over a full circle,
# textures that tile); for a photograph it mixes opposite borders. The crops are
# 48×96 pixels at about three times their size; the ticks place them on the
# photograph (rows 464 to 511 at the bottom).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## N-D discrete convolutions
#
# Nothing in the formula is special to two dimensions. In one dimension:
#
# $$C[m] = \sum_{i=-\omega}^{\omega} h[i + \omega] \, A[m + i]$$
#
# The same function filters a 3-D volume with a 3-D filter (for example a video or a
# medical scan); with edges "none" an axis of $K$ taps shrinks by $K - 1$:
# $(16 - 3 + 1,\; 32 - 5 + 1,\; 32 - 5 + 1)$.

# %%
volume = np.random.default_rng(0).random((16, 32, 32))
print(correlate(volume, np.ones((3, 5, 5)) / 75).shape)

# %% [markdown] slideshow={"slide_type": "notes"}
# (14, 28, 28), as the formula says. A colour image is also 3-D (height, width,
# channel), but a CNN layer treats it differently: its filter spans *all* channels, so
# that axis does not slide. Lesson 04 comes back to this. The slides keep C[m, n] on
# the left of their 1-D formula; in one dimension there is only m.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The slides' 1-D filter
#
# The slides' $1 \times 5$ filter of $0.5$ ($K = 5$ taps, $\omega = 2$) sums five
# neighbours and halves them. Why is the output larger than the input?

# %% alt="Line plot against index of the 12-sample input x, rising from 0 to a plateau of 4 and back, and of the 8 outputs o of the 1×5 filter of 0.5, drawn from index 2 to 9, rising from 3 to 8.5: over twice the input's top."
x = np.array([0, 0, 1, 2, 3, 4, 4, 4, 2, 0, 0, 0], dtype=float)
o = correlate(x, np.full(5, 0.5))
print("o =", o)
plot_signal(x, {"o = x ⊛ [0.5 0.5 0.5 0.5 0.5]": (2, o)})

# %% [markdown] slideshow={"slide_type": "notes"}
# Let the room answer: the top of o, 8.5, is more than twice the largest input, 4.
# Twelve inputs, five taps, no padding: 12 − 5 + 1 = 8 outputs, drawn from sample 2
# (the first centre). The next slide names the reason.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The gain of a filter
#
# On a constant signal $c$ every window holds $K$ copies of $c$, so the output is
# $c \sum_i h[i]$: the sum of the weights is the filter's **gain**, the factor by
# which it multiplies a constant (a flat region).

# %%
h = np.full(5, 0.5)
print("gain of [0.5 0.5 0.5 0.5 0.5]:", h.sum())
print("a constant 2 becomes", correlate(np.full(8, 2.0), h))
print("gains of the 3×3 blur and the vertical line detector:",
      box_blur(3).sum(), line_detector("vertical").sum())

# %% [markdown] slideshow={"slide_type": "fragment"}
# A gain of 2.5 smooths *and* amplifies: a long plateau of 4s would become 10; the
# signal's plateau holds three 4s, so its top is 8.5. A blur has gain 1 and keeps
# brightness; a detector has gain 0, so a flat region gives 0.

# %% [markdown] slideshow={"slide_type": "notes"}
# The gain links the earlier slides: the blurs' weights 1/9 and 1/121 are chosen to
# add up to 1, the detectors' to 0. A filter with gain 2.5 applied again and again
# (as in a deep network with no normalisation) multiplies flat regions by 2.5 each
# time. Lesson 02 learns 1-D filters like this one by gradient descent.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Convolution or cross-correlation?
#
# The slides' formula adds $A[m + i]$: the filter is laid on the input as it is.
# Mathematics calls this **cross-correlation**; its **convolution** flips the filter
# first, $\sum_{i=-\omega}^{\omega} h[i + \omega]\,A[m - i]$. Every deep-learning
# library computes the unflipped version and calls it "convolution"; since a network
# *learns* its filters, the flip makes no difference to what it can learn. It does
# matter when you apply a given, asymmetric filter. Put a single 1 (an impulse)
# through both: which one gives back the filter $[1, 2, 3]$?

# %% slideshow={"slide_type": "fragment"}
impulse = np.array([0, 0, 1, 0, 0], dtype=float)
h = np.array([1, 2, 3], dtype=float)
print("correlate:", correlate(impulse, h), "  convolve:", convolve(impulse, h))

# %% [markdown] slideshow={"slide_type": "fragment"}
# Convolution returns the filter itself (its *impulse response*), correlation returns
# it reversed. For symmetric filters, like the blurs above, both agree.

# %% [markdown] slideshow={"slide_type": "notes"}
# Let the room guess before each press: correlate gives [3, 2, 1], convolve gives
# [1, 2, 3]. Students who know signal processing will say
# "that is not a convolution": they are right, and the name stuck anyway. Lesson 02
# needs both: the gradient with respect to the input is a true convolution.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Key points
#
# - $C[m, n] = \sum_{i,j} h[i + \omega, j + \omega]\,A[m + i, n + j]$, with $(m, n)$
#   under the filter's centre: multiply the window by the filter, add, move by the
#   stride.
# - Output size per axis, for a filter of $K$ taps: $1 + \lfloor (H + 2p - K) / s \rfloor$.
# - Edges "none" shrinks the output; padding keeps its size but invents border
#   values, which matters for large filters.
# - The gain, the sum of the weights, is what a filter does to a flat region.
# - A detector responds to whatever lies under its positive weights; thresholding
#   its response extracts lines, with false detections where strokes cross.
# - Filters **extract features** (lines, edges) or **transform** the input (blur,
#   sharpen). A CNN learns its filters instead of having them designed: lessons 02
#   and 04.
# - Deep learning's convolution is the cross-correlation above (no flip).

# %% [markdown] slideshow={"slide_type": "notes"}
# If time is short, this slide and the first exercise are the minimum. "Filters
# extract features" is the slides' closing phrase: the features of lesson 04's
# network are exactly such filter responses, learned instead of designed.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# Replace each `...` with your answer and run the cell. Stuck? Run
# `show_hint(check_output_shape)` (with the exercise's check): a first call gives
# a nudge, a second the idea, a third the answer.
#
# **1.** A photograph of 512 rows and 384 columns is filtered by an $11 \times 11$
# filter with stride 4 and edges "none". What is the output shape? Answer with a tuple
# `(rows, columns)`, without running `correlate`.

# %%
check_output_shape(...)

# %% [markdown] slideshow={"slide_type": "notes"}
# Exercise 1 practises the output-size formula, one axis at a time; the check names
# the usual slips: rows and columns swapped, the missing "1 +", rounding up,
# padding that edges "none" does not add, the wrong stride. Give two minutes, and
# point at show_hint for those who are stuck: its first two levels give no number.
# The reference answers are in `tests/test_exercises_01.py` (kept out of this
# notebook, which students open too).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercise 2: one output by hand
#
# By hand: what is $C[0, 0]$ when the vertical line detector
# `line_detector("vertical")` is applied to the figure matrix with stride 1 and
# edges "zero"? (You may check your hand computation with the stepper above.)

# %%
check_line_response(...)

# %% [markdown] slideshow={"slide_type": "notes"}
# The check recognises a forgotten padding, an inverted sign, a missing product and
# products added without their signs, and names each.
# The usual mistake is to forget the padding and take the top-left 3×3 block of A as
# the window: with edges "zero" the window of C[0, 0] is centred on A[0, 0], so its
# top row and left column are padding. Students who finish early can confirm their
# number with the stepper (filter "vertical lines", edges "zero", step 0).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercise 3: design a filter
#
# Design a $3 \times 3$ filter that detects bright vertical **lines** (one pixel
# wide), not edges: it gives 0 on flat regions and responds more to a vertical line
# than to a horizontal one (without calling `line_detector`).

# %%
check_vertical_detector(...)

# %% [markdown] slideshow={"slide_type": "notes"}
# Many filters pass: the check asks for a line detector as the lesson defines it,
# with any weights of the right signs. It names the near misses: a filter that
# detects dark lines (sign inverted), an edge detector such as Sobel's, a
# horizontal detector (transposed), weights that do not add up to zero. Ask two
# students with different answers to compare: both can be right.
