# %% [markdown] slideshow={"slide_type": "slide"}
# # 07 · Choosing an architecture, the classic networks, and a workflow
#
# **You will be able to**
# - answer the slides' questions (how many layers, how many nodes, which learning rate,
#   dropout or not, which activation, how many convolution layers, which filter size,
#   stride and pooling) with small experiments rather than folklore;
# - compute any layer's output shape, parameters and operations, and a network's
#   receptive field;
# - take AlexNet, VGG, ResNet, Inception and Xception apart layer by layer and say what
#   each one introduced;
# - use a 1×1 (point) convolution, and reuse a trained network on a new task;
# - follow a workflow from a question to a model you can trust.
#
# **Slides:** *Choosing an architecture*, *Pre-trained models* (AlexNet, VGG, ResNets,
# Inception, Xception), *Example workflow*, and *Other network mechanisms: point
# convolutions, attention*.
#
# *Previous:* [06 · Attention and the vision transformer](06_attention.ipynb) · *Next:*
# back to the [course map](00_start_here.ipynb)

# %% slideshow={"slide_type": "skip"}
import numpy as np

from lessons_lib import architectures as arch
from lessons_lib.architectures import conv, relu
from lessons_lib.datasets import detector_events
from lessons_lib.exercises import architectures as ex
from lessons_lib.nn.advanced import PointwiseConv2D
from lessons_lib.nn.layers import Dense
from lessons_lib.plots import architectures as plots
from lessons_lib.plots.metrics import plot_confusion_matrix
from lessons_lib.widgets.architectures import (
    ArchitectureBrowser,
    ArchitectureBuilder,
)

# %% [markdown] slideshow={"slide_type": "notes"}
# A long lesson: plan two sessions of about an hour, the architecture questions and
# receptive fields in the first, the classic networks, transfer learning and the
# workflow in the second. Nothing trains during the lecture: every experiment was run
# in advance by `tools/run_sweeps.py` and is read from `data/sweeps.json`; only the
# builder's train button trains live (a few seconds per epoch).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Choosing an architecture: measure, do not guess
#
# The slides list the decisions: **how many layers? how many nodes per layer? learning
# rate? dropout? what activation function? how many convolution layers? filter size?
# stride? pooling?** There is no formula for them. There is a method: change one thing,
# train the same way on the same data, compare on data the network did not train on.
#
# Each experiment below does exactly that on lesson 04's detector events (proton,
# carbon, other), at 32×32 pads so that they all run in a few minutes: 800 training
# events, 200 validation events (to choose), 400 test events (to report once). The
# results are cached in `data/sweeps.json`; `python tools/run_sweeps.py --rerun`
# recomputes them (seeded: the same numbers on every machine).

# %% [markdown] slideshow={"slide_type": "notes"}
# Open by asking the room for rules of thumb they have heard ("deeper is better",
# "always use dropout", "3×3 filters"): write two or three down and come back to them
# as the experiments answer. The method is the message: one change at a time, same
# training, judged on validation data.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The experiments' settings

# %%
results = arch.load_sweeps()
sweeps = results["sweeps"]
results["meta"]

# %% [markdown]
# How big a difference means something? An accuracy measured on 200 validation events
# is uncertain by about $\sqrt{0.8 \cdot 0.2 / 200} \approx 0.03$ (one standard error),
# so differences smaller than that are not evidence either way.

# %% [markdown] slideshow={"slide_type": "notes"}
# Every run: 6 epochs of Adam at learning rate 0.003, batches of 32, the same data
# (seed 11) and the same initial weights (seed 0). Keep the 0.03 in mind and apply it
# to every table that follows: many differences below are smaller than that.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The architecture language
#
# Every network is written in the course's **architecture language**: a list of layers
# from which shapes, parameters and operations follow, before anything is trained.

# %%
spec = sweeps["width"]["runs"][2]["spec"]  # the reference CNN of the sweeps
print(arch.format_table(arch.summarize(spec, (1, 32, 32))))

# %% [markdown] slideshow={"slide_type": "notes"}
# The reference CNN: two blocks of convolution, ReLU and pooling, then one dense layer,
# 3,027 parameters. Point at the dense layer: 2,307 of the parameters but only 2,304 of
# the 223,488 multiply-accumulates. Ask where the other operations are (the second
# convolution, 165,888). This split between parameters and operations comes back with
# AlexNet and VGG.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## How many layers?
#
# Dense networks on the flattened event, with 0 to 4 hidden layers of 32 units (and
# ReLU).

# %%
print(arch.format_sweep(sweeps["layers"]))

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask before the next slide: which column would you use to choose the depth? (The
# validation accuracy; the test column is shown for completeness, and must not be used
# to choose.)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## How many layers: training and validation
#
# Blue: accuracy on the training events; orange: on the validation events.

# %%
plots.plot_sweep_results(sweeps["layers"])

# %% [markdown]
# One hidden layer lets the network combine pads non-linearly and helps (validation 0.74
# → 0.80). More layers fit the *training* events better still (blue) but do not move the
# validation accuracy (orange): the extra capacity memorises. Depth pays off when each
# layer can build on the features of the previous one, which is what convolution layers
# do (below).

# %% [markdown] slideshow={"slide_type": "notes"}
# Point at the growing gap between blue and orange from 1 to 4 hidden layers (0.94 to
# 0.97 in training, 0.80 throughout in validation). The 0.06 step from 0 to 1 hidden
# layer is twice the 0.03 noise level; the differences among 1, 2 and 4 are none.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## How many nodes per layer?
#
# The reference CNN with more filters per convolution layer (first layer − second).

# %%
print(arch.format_sweep(sweeps["width"]))

# %% [markdown] slideshow={"slide_type": "notes"}
# Read the parameter column: from 417 to 7,347 parameters, and the operations grow
# faster, from 14,208 to 778,752. Ask whether accuracy grows as fast, then read the
# accuracy columns: it does not.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## How many nodes: training and validation

# %%
plots.plot_sweep_results(sweeps["width"])

# %% [markdown]
# With 1 to 6 filters the network fits its training events no better than the dense
# network without hidden layers above (0.72 against 0.75); with more filters it fits and
# generalises better, 12−24 best. The cost grows quickly: parameters and operations of a
# convolution grow with the *product* of its input and output channels.

# %% [markdown] slideshow={"slide_type": "notes"}
# Here the network is too small, not too large: training and validation accuracy rise
# together, the opposite of the previous sweep. Doubling both channel counts multiplies
# the second convolution's weights by four.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Learning rate
#
# The reference CNN trained with SGD (momentum 0.9, instead of Adam) at three learning
# rates.

# %%
plots.plot_run_curves(sweeps["lr"]["runs"], legend_title="learning rate η")

# %% [markdown] slideshow={"slide_type": "notes"}
# Let the room describe the three curves before the next slide gives the reading:
# which one learns, which one barely moves, which one jumps about?

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Too small, about right, too large
#
# - **Too small** ($\eta = 10^{-4}$): the loss barely moves; it would get there, in
#   hundreds of epochs.
# - **About right** ($\eta = 10^{-2}$): the loss falls steadily.
# - **Too large** ($\eta = 1$): the steps overshoot the valley; the loss jumps around
#   its starting value and the network answers the same class for every event (0.505
#   is the share of protons among the validation events). Larger still, the loss
#   explodes, and lesson 04's `fit` stops with a message saying what to change.
#
# Try a few rates a factor 10 apart, keep the largest that still decreases smoothly.

# %% [markdown] slideshow={"slide_type": "notes"}
# A validation accuracy stuck at exactly one value (0.505) is a signature worth
# teaching: the network predicts one class for everything. Go back one slide to show
# the green curve sitting at 0.505 in four of its six epochs. The learning rate is the
# first thing to tune; every other comparison assumes it is sensible.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Dropout?
#
# A dense layer of 64 units on only 300 training events: a network that can memorise.
# Dropout zeroes a random fraction $p$ of that layer's outputs at each training step.

# %%
print(arch.format_sweep(sweeps["dropout"]))

# %% [markdown] slideshow={"slide_type": "notes"}
# The setup is chosen to memorise: 50,131 parameters for 300 training events. The
# training accuracy without dropout, 0.983, says it nearly has. Dropout is only active
# in training; at evaluation every unit is kept.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Dropout: training and validation

# %%
plots.plot_sweep_results(sweeps["dropout"])

# %% [markdown]
# Look at the **gap** between training and validation accuracy: it measures
# memorisation. Dropout narrows it a little (0.19 → 0.17). On this small problem it does
# not raise the validation accuracy, and too much of it ($p = 0.6$) costs accuracy:
# dropout pays off when the network is very large compared to the data (AlexNet's dense
# layers, below).

# %% [markdown] slideshow={"slide_type": "notes"}
# The gaps: 0.983 − 0.795 without dropout, 0.970 − 0.800 at p = 0.3. The honest summary
# is "no effect within the noise", and that is a result too: a popular remedy that
# does not help here. Back to the rules of thumb from the start: "always use dropout"
# fails this test.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What activation function?
#
# Eight hidden dense layers with sigmoid, tanh or ReLU, then the output layer (layer 9
# below). First, how much gradient reaches each layer of the *untrained* network:

# %%
plots.plot_gradient_norms(sweeps["activation"]["gradient_norms"])

# %% [markdown] slideshow={"slide_type": "notes"}
# The y axis is logarithmic: each grid step is a factor 10. Trace the sigmoid line from
# right (layer 9) to left (layer 1): four decades down. Tanh and ReLU do not fall off.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Vanishing gradients
#
# The derivative of the sigmoid is at most 1/4, and the backward pass multiplies the
# gradient by it at every layer (and by that layer's weights): here it shrinks by a
# factor of about 3 per layer, and the first layers get 10,000 times less than the last.
# Their gradients **vanish**. With tanh (derivative up to 1) and ReLU (derivative 1
# where active) the gradient keeps about the same size from the last layer to the first.
# The consequence on training:

# %% slideshow={"slide_type": "fragment"}
print(arch.format_sweep(sweeps["activation"]))

# %% [markdown]
# The sigmoid network's first layers hardly learn, and it stays well behind; tanh and
# ReLU both train. ReLU is also the cheapest to compute, hence the default.

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask for a prediction before the table appears: which network trains worst? Sigmoid:
# 0.724 in training, 0.750 in validation, against 0.940 / 0.805 for tanh and 0.943 /
# 0.835 for ReLU. A common confusion: the sigmoid is not wrong as an output (lesson 05's
# probabilities), only as the activation of many stacked hidden layers.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## How many convolution layers?
#
# Blocks of convolution (3×3), ReLU and 2×2 max pooling, channels doubling each time.

# %%
print(arch.format_sweep(sweeps["conv_layers"]))

# %% [markdown] slideshow={"slide_type": "notes"}
# Point at the parameter column before the figure: 4,671 with one block, 3,027 with
# two, 4,491 with three. Ask why two blocks have fewer parameters than one (the dense
# layer reads a smaller image).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Convolution blocks: training and validation

# %%
plots.plot_sweep_results(sweeps["conv_layers"])

# %% [markdown]
# Each block halves the image and sees a wider region (its receptive field, below), and
# shrinks the input of the dense layer: more blocks can mean *fewer* parameters.

# %% [markdown] slideshow={"slide_type": "notes"}
# Validation accuracy rises with the number of blocks (0.695, 0.765, 0.800), while the
# parameters do not: depth helps here because each block builds on the previous one,
# the contrast with the dense layers earlier.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Filter size, stride, pooling

# %%
for name in ("filter", "stride", "pooling"):
    print(arch.format_sweep(sweeps[name]), end="\n\n")

# %% [markdown]
# - **Filter size**: larger first filters see more of a track at once, at a higher
#   cost, and do not help here; stacking small filters is the cheaper way to see far
#   (next section).
# - **Stride**: a stride of 2 computes a quarter of the positions (see the MACs) for a
#   small loss of detail.
# - **Pooling**: max pooling and a stride-2 convolution (which learns how to shrink, at
#   the price of more parameters) both shrink the image; without any downsampling the
#   dense layer becomes huge (parameters) and memorises the training events.

# %% [markdown] slideshow={"slide_type": "notes"}
# Numbers to point at: stride 2 cuts the MACs from 223,488 to 55,872 (a quarter) for
# a validation accuracy of 0.750 against 0.765, within the noise. Without downsampling:
# 37,587 parameters, 0.949 in training but 0.740 in validation, the memorisation
# pattern again.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Receptive fields: why VGG stacks 3×3 filters
#
# The *receptive field* of an output is the region of the input it depends on. Each
# layer of kernel $k$ adds $(k-1)\cdot\text{jump}$ to it, where the *jump* is the product
# of the strides before: $r \leftarrow r + (k - 1)\cdot\text{jump}$,
# $\text{jump} \leftarrow \text{jump}\cdot s$.

# %%
for label, layers in (("two 3×3", [conv(1, 3)] * 2), ("one 5×5", [conv(1, 5)]),
                      ("three 3×3", [conv(1, 3)] * 3)):
    r, jump = arch.receptive_field(layers)
    print(f"{label:>9}: each output sees {r}×{r} input pixels")

# %% [markdown] slideshow={"slide_type": "notes"}
# Do two 3×3 layers on the board: r starts at 1, the first layer adds 2 (r = 3), the
# second adds 2 more (r = 5). With stride 1 the jump stays 1. Exercise 3 adds a pooling
# layer, where the jump doubles: keep this recurrence visible for it.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Two 3×3 against one 5×5

# %%
plots.plot_receptive_fields(
    [arch.receptive_field_weights([3, 3]), arch.receptive_field_weights([5])],
    ["two 3×3: paths per pixel", "one 5×5"])

# %% [markdown]
# Both see 5×5 pixels. With C channels in and out, two 3×3 layers have $2 \cdot 9C^2
# = 18C^2$ weights against $25C^2$ for one 5×5, and an extra ReLU in between: more
# non-linearity for fewer parameters. That is VGG's argument; three 3×3 layers (7×7)
# against one 7×7 save even more ($27C^2$ against $49C^2$).

# %% [markdown] slideshow={"slide_type": "notes"}
# The left grid counts paths: the centre pixel reaches the output along 9 paths, a
# corner pixel along one. So two stacked 3×3 filters weigh the centre more, like a
# smooth bump, while one 5×5 filter can weigh every pixel freely. Same field, not the
# same family of functions.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## VGG's argument in numbers

# %%
C = 64
two_3x3 = arch.count_params([conv(C, 3, padding=1)] * 2, (C, 32, 32))
one_5x5 = arch.count_params([conv(C, 5, padding=2)], (C, 32, 32))
print(f"two 3×3: {two_3x3:,} parameters")
print(f"one 5×5: {one_5x5:,} parameters")

# %% [markdown] slideshow={"slide_type": "notes"}
# 73,856 against 102,464: 18·64² + 2·64 biases against 25·64² + 64. About 28 % fewer
# parameters for the same receptive field.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Pre-trained models: the classics
#
# The slides' classic networks are the ones people download with pretrained ImageNet
# weights. Here they are described layer by layer **as those implementations define
# them** (torchvision's for the first five, Keras's for Xception); the totals are
# computed, and equal the published counts. ImageNet accuracies are those of the same
# implementations' pretrained weights (torchvision's and Keras's documentation).

# %%
print(arch.format_classics())

# %% [markdown] slideshow={"slide_type": "notes"}
# The surprise in the table: more parameters do not mean better. VGG-16 has 138 million
# parameters and 71.6 % top-1; GoogLeNet has 6.6 million and 69.8 %; Xception, with
# 22.9 million, has the best top-1, 79.0 %. Architecture matters more than size.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What each network introduced
#
# One idea per network. `arch.CLASSICS[name]` also holds its paper and the implementation
# whose counts the table follows, with how it differs from the paper.

# %%
for info in arch.CLASSICS.values():
    print(f"{info.title} ({info.year}): {info.idea}")

# %% [markdown] slideshow={"slide_type": "notes"}
# Pick two or three ideas and say what they replaced: ReLU for saturating activations,
# stacked 3×3 for large filters, the shortcut for nothing at all. If a student compares
# the counts with a paper: torchvision's AlexNet is the single-GPU variant, its
# ResNet-50 is "v1.5" (the stride sits in the 3×3 convolution), its GoogLeNet adds
# batch normalisation and uses 3×3 filters in the "5×5" branch, and Keras counts the
# batch-norm statistics of Xception among its parameters. `arch.CLASSICS[name].differs`
# says each in full.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## An architecture browser
#
# Pick a network and an input size. The table lists every layer's output shape,
# parameters and multiply-accumulates (MACs); the bars show where the parameters and the
# operations are. Try AlexNet and VGG-16: almost all *parameters* sit in the dense
# layers, almost all *operations* in the convolutions. ResNet, GoogLeNet and Xception
# replaced those dense layers by global average pooling. Shrink the input: below 63
# pixels AlexNet no longer fits, below 32 VGG-16 (why?); the networks that end in global
# average pooling take any size the slider offers.

# %% [markdown] slideshow={"slide_type": "notes"}
# The answer to "why?": VGG-16 halves the image five times with 2×2 max pooling; below
# 32 pixels one of those poolings gets an input smaller than its window (the browser
# names the layer). AlexNet's first convolution (11×11, stride 4) and its three
# poolings need at least 63 pixels. Global average pooling accepts any size, so the
# dense layer after it always receives the same number of features.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The browser

# %%
ArchitectureBrowser("vgg16")

# %% [markdown] slideshow={"slide_type": "notes"}
# Live: start on VGG-16 (89 % of the parameters in the dense layers, 99 % of the
# operations in the convolutions), then switch to AlexNet and ResNet-50. Scroll the
# table to the end to show the dense layers. Then drag the input size below 32 with
# VGG-16 selected to show the message that names the layer that no longer fits.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## AlexNet's ideas: ReLU and dropout
#
# AlexNet trained a deep CNN on GPUs with two ideas you measured above: **ReLU**
# (gradients that do not vanish) and **dropout** in its two 4096-unit dense layers,
# which hold almost all of its parameters:

# %%
totals = arch.breakdown(arch.classic("alexnet"), (3, 224, 224))
plots.plot_breakdown(totals, title="AlexNet")

# %% [markdown] slideshow={"slide_type": "notes"}
# 96 % of AlexNet's parameters are in the dense layers, 92 % of its operations in the
# convolutions. That is why dropout was placed there: the dense layers are where
# AlexNet's 61 million parameters could memorise its training images.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## ResNet's idea: a residual connection lets a deep network train
#
# A residual block computes $y = \mathrm{ReLU}(\mathrm{body}(x) + x)$: its layers learn a
# correction $\mathrm{body}$, and in the backward pass the gradient reaches $x$ directly through the
# $+\,x$. Forty dense layers with batch normalisation, trained the same way, plain or
# grouped in residual blocks:

# %%
plots.plot_run_curves(sweeps["residual"]["runs"])

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask why the plain network's curves stay flat before the next slide: one network
# learns, the other does not. Same layers, same parameters, same training; only the + x differs.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Plain against residual
#
# The plain network does not get off the ground: it stays at the accuracy of always
# answering "proton". With the same layers and the same number of parameters, the
# residual version trains. He et al. saw a milder form on ImageNet: a plain 34-layer
# network trained *worse* than a plain 18-layer one, while with residual connections the
# 34-layer network was the better of the two.

# %% [markdown] slideshow={"slide_type": "notes"}
# The derivative of x + body(x) with respect to x is 1 + body′(x): even when body′ is
# tiny, the 1 carries the gradient down. Students often think ResNet's point is more
# parameters; it is the opposite, the same parameters made trainable.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Inception's idea: parallel filters, reduced by 1×1 convolutions
#
# An inception module applies 1×1, 3×3 and 5×5 convolutions and a pooling in parallel
# and stacks their channels. The 1×1 convolutions first **reduce** the channels that
# the expensive 3×3 and 5×5 ones read. A small module on 16 channels (the arguments are
# the channels of each branch, in torchvision's order), run on a random batch:

# %%
module = [arch.inception(ch1x1=8, ch3x3red=4, ch3x3=8, ch5x5red=2, ch5x5=4,
                         pool_proj=4, five_by_five=5, batch_norm=False,
                         name="module")]
summary = arch.summarize(module, (16, 16, 16), expand=1)
print(arch.format_table(summary, names=True))

# %%
net = arch.build(module, (16, 16, 16), seed=0)
x = np.random.default_rng(0).random((2, 16, 16, 16), dtype=np.float32)
print("output:", net.eval()(x).shape)

# %% [markdown] slideshow={"slide_type": "notes"}
# The output has 8 + 8 + 4 + 4 = 24 channels: the four branches stacked. Every branch
# keeps the 16 × 16 size (padding, and a stride-1 pooling), which is what lets them be
# stacked. 806 parameters in all.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Point convolutions
#
# A **1×1 convolution** looks at one pixel at a time, but at all its channels: at every
# pixel it multiplies the vector of $C_{in}$ channel values by the same
# $C_{out} \times C_{in}$ matrix. It is a dense layer applied at every pixel. Numerically,
# with $C_{in} = 16$, $C_{out} = 4$ on the random batch above:

# %%
point = PointwiseConv2D(16, 4, rng=1)
dense_layer = Dense(16, 4)
dense_layer.params["W"][...] = point.params["W"][:, :, 0, 0]
pixels = x.transpose(0, 2, 3, 1).reshape(-1, 16)  # one row per pixel
per_pixel = dense_layer(pixels).reshape(2, 16, 16, 4).transpose(0, 3, 1, 2)
print("largest difference:", float(np.abs(point(x) - per_pixel).max()))

# %% [markdown] slideshow={"slide_type": "notes"}
# The difference is exactly 0.0: the same multiplications in the same order. The
# reshape puts one pixel per row (2 images × 256 pixels = 512 rows of 16 channels),
# the dense layer maps each row to 4 numbers, and the reshape back restores the image.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Shrinking channels before an expensive convolution (Inception)
#
# GoogLeNet's module 3a reads 192 channels at 28×28 and makes 32 channels with 5×5
# filters. Directly, or after a 1×1 reduction to 16 channels:

# %%
direct = [conv(32, 5, padding=2)]
reduced = [conv(16, 1), relu(), conv(32, 5, padding=2)]
input_shape = (192, 28, 28)
for label, layers in (("direct 5×5", direct), ("1×1 then 5×5", reduced)):
    print(f"{label:>14}: {arch.count_params(layers, input_shape):>8,}"
          f" parameters, {arch.count_macs(layers, input_shape):>12,} MACs")

# %% [markdown] slideshow={"slide_type": "notes"}
# 153,632 parameters against 15,920, and 120 million MACs against 12: about ten times
# cheaper, for one extra layer. Ask what is lost: the 5×5 filters now see 16 mixed
# channels, not the original 192. It works because neighbouring channels are redundant.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Depthwise-separable convolutions (Xception)
#
# Xception goes further: a 3×3 **depthwise** convolution filters each channel on its own
# (spatial step), then a 1×1 convolution mixes the channels. From 128 to 256 channels:

# %%
full = [conv(256, 3, padding=1, bias=False)]
separable = [arch.separable(256, 3, padding=1, bias=False)]
input_shape = (128, 32, 32)
for label, layers in (("3×3 convolution", full), ("separable", separable)):
    print(f"{label:>16}: {arch.count_params(layers, input_shape):>8,}"
          f" parameters, {arch.count_macs(layers, input_shape):>12,} MACs")

# %% [markdown]
# About 8.7 times fewer weights and operations. The other mechanism of the slides,
# **attention**, mixes information between *positions* rather than channels: that was
# lesson 06.

# %% [markdown] slideshow={"slide_type": "notes"}
# 294,912 / 33,920 ≈ 8.7. The count: the full convolution has 3·3·128·256 weights; the
# separable one 3·3·128 (depthwise) + 128·256 (pointwise). Exercise 4 is the same
# calculation with 5×5 filters, where the saving is larger.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Pretrained models and transfer learning, without downloads
#
# ImageNet networks are reused for new tasks because their layers learned general
# features (edges, textures, parts). The same works at our scale. The "pretrained"
# network is **lesson 04's CNN**, trained on 10,000 events (`data/detector_cnn.npz`).
# The new setting is a detector **eight times noisier**, with only **200 labelled
# events** from it. Four ways to get a classifier:
#
# 0. use the old network **as it is**;
# 1. **frozen features**: keep every layer but the last, train only a new last layer;
# 2. **fine-tuning**: start from the pretrained weights, train everything, gently;
# 3. **from scratch**: the same architecture, random weights.

# %% slideshow={"slide_type": "fragment"}
transfer = results["transfer"]
print(f"lesson 04's network on its own detector: test accuracy "
      f"{transfer['pretrained']['test_accuracy']:.3f}")
for run in transfer["runs"]:
    print(f"{run['label']:>28}: test accuracy {run['test_accuracy']:.3f}, "
          f"{run['trained_params']:>5,} parameters trained")

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask for a ranking of the four strategies before pressing → for the numbers. Most
# people put fine-tuning first. The number of parameters each one trains is its cost: 0, 1,539
# for a new last layer, 7,555 for the whole network.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Four ways, one noisier detector

# %%
runs = transfer["runs"]
bar_labels = [r["label"].replace(" + ", "\n+ ").replace(" (", "\n(")
              for r in runs]
plots.plot_comparison(bar_labels, [r["test_accuracy"] for r in runs],
                      ylabel="test accuracy",
                      title="a noisier detector, 200 labelled events")

# %% [markdown] slideshow={"slide_type": "notes"}
# From 0.983 on its own detector down to 0.700 as it is on the noisier one; a new
# last layer brings it back to 0.793, the best of the four. The interpretation is on
# the next slide.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What transfer bought
#
# The old network loses accuracy in the new setting, and 200 events are too few to
# train the architecture from scratch. Its features, though, still describe tracks:
# a new last layer trained on them, 1,539 parameters, does best. Fine-tuning
# all 7,555 parameters does better than starting from scratch, but with so few events it
# fits them more than it generalises (training accuracy 0.94, validation 0.74 after 15
# epochs); it needs more labelled events to pay off.

# %% [markdown] slideshow={"slide_type": "notes"}
# The rule that generalises: the less labelled data, the fewer parameters you should
# train. Frozen features with a new head is the default first try; fine-tune when
# there are enough labelled examples to support it. From scratch came last (0.680).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## An example workflow, end to end
#
# A fresh question: **is this event a proton?** in a noisier detector where only about
# one event in five is a proton.
#
# 1. **Task and metric.** Binary classification; protons are rare, so accuracy
#    misleads (lesson 05): we judge by the **F1 score of the proton class**.
# 2. **Split** the data once: training (fit), validation (choose), test (report once).
# 3. **Baselines** first: what does doing nothing clever give?
# 4. **A first model**, trained, evaluated on validation.
# 5. **Look at the errors**, **change one thing**, compare again.
# 6. **Stop** when the validation score stops improving (early stopping).

# %%
workflow = results["workflow"]
print(f"{'step':>28}  val F1 | test accuracy  test F1")
for step in workflow["steps"]:
    print(f"{step['label']:>28}  {step['val_f1']:6.3f} | "
          f"{step['test_accuracy']:13.3f}  {step['test_f1']:7.3f}")

# %% [markdown] slideshow={"slide_type": "notes"}
# Cover the test columns with a hand (or ask the room to ignore them): the decisions
# in steps 3 to 5 use only the validation F1. The majority baseline's 0.767 test
# accuracy with F1 = 0 is lesson 05's accuracy trap once more.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Validation to choose, early stopping to stop
#
# The steps are compared on the **validation** column (proton F1 on the 200 validation
# events). The **test** columns are for the final model, looked at once; they are
# shown for every step here so that you can see the whole story.
#
# The majority baseline is right about three times out of four and finds no proton at
# all: F1 = 0. A dense layer finds a few; the first CNN many more. The CNNs were
# trained with **early stopping**, which answers "when to stop": after each epoch the
# validation loss is measured, training stops when it has not improved for 3 epochs
# (at most 12), and the weights of the best epoch are kept.

# %%
first, second = workflow["steps"][2:4]
for step in (first, second):
    epochs = len(step["history"]["loss"])
    print(f"{step['label']}: best epoch {step['best_epoch'] + 1} of {epochs},"
          f" stopped early: {step['stopped_early']}")

# %% [markdown] slideshow={"slide_type": "notes"}
# The first CNN ran all 12 epochs (its best was epoch 10, within the last 3, so it
# never stopped early); the second stopped after 9, keeping epoch 6. The curves on
# the next slide show why.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The validation loss decides when to stop

# %%
plots.plot_run_curves([first, second], metrics=("loss", "val_loss"))

# %% [markdown] slideshow={"slide_type": "notes"}
# Point at the right panel: the validation loss of the second CNN turns up after its
# best epoch while its training loss keeps falling on the left; three epochs without
# improvement end the run.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Look at the errors
#
# The confusion matrix of the first CNN on the test events, and the first eight events it
# got wrong (regenerated from their seed). In a real project, look at the errors on the
# validation events: the test events stay unseen until the end.

# %%
plot_confusion_matrix(np.array(first["confusion"]), workflow["class_names"])

# %% [markdown] slideshow={"slide_type": "notes"}
# Read the off-diagonal cells: missed protons (true proton, predicted not proton) and
# false alarms. Ask which kind of error is more common; the event gallery on the next
# slide shows eight of them.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The first eight errors

# %%
d = workflow["data"]
images, labels, names = detector_events(d["n"], seed=d["seed"],
                                        image_size=d["image_size"],
                                        view=d["view"], noise=d["noise"],
                                        class_mix=tuple(d["class_mix"]))
errors = workflow["errors"]
wrong = images[d["test_start"] + np.array(errors["indices"])]
titles = [f"true {names[t]}\nsaid {names[p]}"
          for t, p in zip(errors["true"], errors["predicted"], strict=True)]
plots.plot_events(wrong, titles)

# %% [markdown] slideshow={"slide_type": "notes"}
# Five of the eight are missed protons, three are false alarms. Point at a faint
# proton track and at a long straight non-proton track called "proton". Looking at
# errors is where ideas for the next change come from.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What the errors suggest, and what validation can tell
#
# The errors go both ways: faint or partly hidden proton tracks called "not proton",
# and long straight tracks called "proton". Most of them are missed protons, and the
# network had only 158 protons to learn from. That suggests **one change**: more
# training events (cheap here: simulate them). The same network, trained the same way
# on twice the events, is the last line of the table above.
#
# Its validation F1 (0.47) is *lower* than the first CNN's (0.51), and yet its test F1
# is higher. No contradiction: the validation events hold only 37 protons, and an F1
# measured on 37 protons is uncertain by about ±0.08 (one standard error, from a
# bootstrap over the validation events). 0.51 against 0.47 says nothing either way,
# while 0.51 against the dense layer's 0.28 is a real difference. A validation set too
# small to separate two candidates is a common trap. Change one thing at a time, keep
# it only if the validation score improves by more than its noise (get more
# validation events if it cannot tell), and touch the test set only at the very end.

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask before reading the second paragraph: the new model is worse on validation but
# better on test; which do you ship? The honest answer is "the data cannot tell": a
# difference of 0.04 with an uncertainty of 0.08. Resist choosing by the test score;
# that would make the test set a validation set.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Build your own architecture
#
# Select a layer in the list, choose a kind and its settings, then **add after**,
# **replace** or **remove**. The table updates live; a layer that no longer fits (a
# pooling window larger than its input, a dense layer on an image...) is reported with
# the reason. When the network ends with `dense 3`, **train** it for a few epochs on
# detector events (it takes a few seconds per epoch).

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask the room what they would add to the default network (two convolution blocks,
# 4,451 parameters) and what they expect to break it; the next slide is the builder.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The builder

# %%
ArchitectureBuilder()

# %% [markdown] slideshow={"slide_type": "notes"}
# Live: select the second max pooling and add a max pooling of window 11: the message
# names the layer and why it cannot fit. Remove it, then train the default network for
# three epochs. Students enjoy breaking it; let them try in pairs and report the
# smallest network that reaches a validation accuracy they like.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Key points
#
# - Architecture choices are answered by **experiments**: change one thing, train the
#   same way, compare on validation data.
# - Depth and width help until the data is the limit; ReLU keeps gradients alive;
#   dropout fights memorisation; the learning rate must be the largest that still
#   decreases the loss smoothly.
# - A layer's output size is $\lfloor (H + 2p - k)/s \rfloor + 1$; a convolution has
#   $k^2 C_{in} C_{out} + C_{out}$ parameters and $k^2 C_{in} C_{out} H' W'$ MACs.
# - Stacked small filters see as far as a large one, with fewer parameters (VGG).
#   Residual connections let very deep networks train (ResNet). 1×1 convolutions mix
#   channels and cut costs (Inception, Xception).
# - With little data, start from a network trained on a related task.
#
# **Exercises** follow. *Back to the* [course map](00_start_here.ipynb).

# %% [markdown] slideshow={"slide_type": "notes"}
# The three formulas in the third bullet are what the exercises use. If time is short,
# set exercises 1 and 2 in class and 3 and 4 as homework.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# **1.** A convolution layer takes 64 channels to 128 channels with 3×3 filters and a
# bias per filter. How many parameters does it have?

# %%
ex.check_conv_params(...)

# %% [markdown] slideshow={"slide_type": "notes"}
# The usual mistake is forgetting that each filter spans all 64 input channels; the
# key points' formula k²·C_in·C_out + C_out is the whole calculation. The reference
# answers are in tests/test_exercises_07.py (kept out of this notebook, which students
# open too).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercise 2: an output shape
#
# **2.** An event image of shape (1, 64, 64) goes through `conv(8, 5, padding=2)`,
# `maxpool(2)`, `conv(16, 3, stride=2)`, `maxpool(2)`. What is the output shape
# (C, H, W)? Work it out by hand, then check with `arch.summarize`.

# %%
ex.check_output_shape(...)

# %% [markdown] slideshow={"slide_type": "notes"}
# Have students write the shape after every layer. The floor in the output-size
# formula is where they slip: a stride-2 convolution or a 2×2 pooling on an odd size
# drops the last row and column. arch.summarize checks every step.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercise 3: which sees more?
#
# **3.** Network A: three 3×3 convolutions. Network B: a 5×5 convolution, a 2×2 max
# pooling (stride 2), a 3×3 convolution. Which one's outputs see more of the input,
# "A" or "B"?

# %%
ex.check_receptive_field(...)

# %% [markdown] slideshow={"slide_type": "notes"}
# Point back to the recurrence of the receptive-field slide: the pooling both widens
# the field and doubles the jump, so every layer after it adds twice as much. Students
# who count only kernel sizes get this one wrong.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercise 4: the saving of a separable convolution
#
# **4.** How many times fewer weights does a 5×5 depthwise-separable convolution from
# 64 to 128 channels have than a full 5×5 convolution (no biases)? Two decimals.

# %%
ex.check_separable_savings(...)

# %% [markdown] slideshow={"slide_type": "notes"}
# The calculation is the one of the Xception slide with 5×5 filters: the full
# convolution has k²·C_in·C_out weights, the separable one k²·C_in (depthwise) plus
# C_in·C_out (pointwise). The larger the kernel, the larger the saving: expect more
# than the 8.7 seen there.
