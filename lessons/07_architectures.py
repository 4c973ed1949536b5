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
from IPython.display import Markdown

from lessons_lib import architectures as arch
from lessons_lib.architectures import conv, relu
from lessons_lib.architectures.sweeps import compare_text, spread_text
from lessons_lib.exercises import architectures as ex
from lessons_lib.nn.advanced import PointwiseConv2D
from lessons_lib.nn.layers import Dense
from lessons_lib.plots import architectures as plots
from lessons_lib.plots.metrics import plot_confusion_matrix
from lessons_lib.splits import EventSplit, course_split
from lessons_lib.uncertainty import accuracy_text, wilson_interval
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
# Each experiment below does exactly that on the course's split of the detector events
# (proton, carbon, other), at 32×32 pads so that all the runs fit in about a quarter
# of an hour on two cores: part of the training events to fit, the validation events
# to compare. The test events play no part: nothing here is chosen, so nothing is
# reported on them. Every setting is trained several times with different seeds, so
# that its spread shows.

# %% [markdown] slideshow={"slide_type": "notes"}
# Open by asking the room for rules of thumb they have heard ("deeper is better",
# "always use dropout", "3×3 filters"): write two or three down and come back to them
# as the experiments answer. The method is the message: one change at a time, same
# training, judged on validation data, repeated with several seeds.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The experiments' settings

# %%
results = arch.load_sweeps()
sweeps, meta = results["sweeps"], results["meta"]
n_val = meta["validation"]["events"]
print(f"events: {meta['split']}; the first {meta['train']['events']:,} of "
      f"its {meta['train']['of']:,} training events, its {n_val:,} "
      "validation events")
print(f"seeds: {meta['seeds']} (initial weights and order of the batches)")
print(f"stopping: {meta['stopping']}")
print(f"training: {meta['optimizer']}, learning rate {meta['lr']}, "
      f"batches of {meta['batch_size']}")

# %% [markdown]
# How big a difference means something? Two things move a measured accuracy: **the
# seed** (another start, another result: each table shows mean ± sd over the seeds)
# and **the events** (another set of validation events, another count):

# %% tags=["hide-input"]
reference = sweeps["width"]["runs"][2]  # the reference CNN (below)
right = round(reference["val_accuracy"][0] * n_val)
low, high = wilson_interval(right, n_val)
Markdown(f"The reference CNN below, seed {reference['seeds'][0]}, classifies "
         f"{accuracy_text(right, n_val)} of the {n_val:,} validation events "
         f"right: the events alone leave about ±{(high - low) / 2:.3f}. "
         "Below, two settings count as different only when their mean ± sd "
         "error bars are apart; when the bars overlap, the lesson says so.")

# %% [markdown] slideshow={"slide_type": "notes"}
# Every run: Adam, the stopping rule printed above (early stopping on the validation
# loss, best epoch kept), the same events; only the seed changes between the runs of
# a setting. The event noise printed above is for one run; when bars overlap, say
# "these seeds cannot tell them apart", never "A is a bit better".

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The architecture language
#
# Every network is written in the course's **architecture language**: a list of layers
# from which shapes, parameters and operations follow, before anything is trained.

# %%
spec = reference["spec"]  # the reference CNN of the sweeps
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
# ReLU). Accuracies are mean ± sd over the seeds; "epochs" is how long the stopping
# rule let the seeds run.

# %%
print(arch.format_sweep(sweeps["layers"]))

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask before the next slide: which column would you use to choose the depth? (The
# validation accuracy. There is no test column: a number used to choose cannot also
# be the final report.)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## How many layers: training and validation
#
# Blue: accuracy on the training events; orange: on the validation events. Small dots:
# one seed each; large dots with bars: mean ± sd.

# %% alt="Accuracy of dense networks with 0, 1, 2 and 4 hidden layers, training and validation as mean ± sd with single seeds as small dots: one hidden layer lifts both well above none, and more layers add nothing on validation, which stays far below training."
plots.plot_sweep_results(sweeps["layers"])

# %% [markdown] slideshow={"slide_type": "notes"}
# Let the room read the figure before the next slide says it in numbers: which orange
# bars overlap? Small dots are single runs: point out how far one seed can fall from
# the mean.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## How many layers: what the spread says

# %% tags=["hide-input"]
layers = sweeps["layers"]["runs"]
Markdown(compare_text(layers[0], layers[1], names=("No hidden layer",
                                                   "one hidden layer"))
         + " " + compare_text(layers[1], layers[3], names=("One hidden layer",
                                                           "four")))

# %% [markdown]
# One hidden layer lets the network combine pads non-linearly and lifts the validation
# accuracy far beyond the spread. Two or four hidden layers cannot be told apart from
# one on validation; they do not fit the training events better either, and the
# stopping rule ends them sooner (their validation loss turns up after a few epochs).
# Depth pays off when each layer can build on the features of the previous one, which
# is what convolution layers do (below).

# %% [markdown] slideshow={"slide_type": "notes"}
# Point at the epochs column of the table: with four hidden layers the validation loss
# is lowest within the first four epochs, then rises, and the stopping rule ends the
# run. The first paragraph is generated from the stored means and sds: when it says
# "indistinguishable", do not read an order into the means.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## How many nodes per layer?
#
# The reference CNN with more filters per convolution layer (first layer − second).

# %%
print(arch.format_sweep(sweeps["width"]))

# %% [markdown] slideshow={"slide_type": "notes"}
# Read the parameter column: from 417 to 7,347 parameters, and the operations grow
# faster, from 14,208 to 778,752. Ask whether accuracy grows as fast, then read the
# accuracy columns.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## How many nodes: training and validation

# %% alt="Accuracy of the reference CNN with 1−2 up to 12−24 filters in its two convolution layers (417 to 7,347 parameters), training and validation as mean ± sd with single seeds as dots: both rise with width, validation levelling off as its error bars start to overlap."
plots.plot_sweep_results(sweeps["width"])

# %% [markdown] slideshow={"slide_type": "notes"}
# Here blue and orange rise together from left to right. Ask where the error bars
# start to overlap, and whether the extra parameters on the right are worth it.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## How many nodes: what the spread says

# %% tags=["hide-input"]
width = sweeps["width"]["runs"]
Markdown(compare_text(width[0], width[2], names=("1−2 filters", "6−12"))
         + " " + compare_text(width[2], width[3],
                              names=("6−12 filters", "12−24")))

# %% [markdown]
# From 1−2 to 6−12 filters, training and validation accuracy rise together: the
# network is too small, not too large. From 6−12 to 12−24 the two settings are within
# their spread, for 2.4 times the parameters. The cost grows quickly: parameters and
# operations of a convolution grow with the *product* of its input and output channels.

# %% [markdown] slideshow={"slide_type": "notes"}
# The opposite of the previous sweep: here more capacity helps training and
# validation alike, until it stops helping. Doubling both channel counts multiplies the
# second convolution's weights by four. Note the wide error bar of 6−12: one or two
# seeds land well below the others.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The CNN against the dense network
#
# Both trained the same way: the same events, the same seeds, the same stopping rule.

# %% tags=["hide-input"]
dense, cnn = layers[1], width[2]
deep = sweeps["conv_layers"]["runs"][2]  # three convolution blocks
Markdown(compare_text(cnn, dense, names=(
             f"The reference CNN (6−12 filters, {cnn['params']:,} parameters)",
             "the dense network with one hidden layer "
             f"({dense['params']:,} parameters)"))
         + f" Training accuracy: CNN {spread_text(cnn, 'train_accuracy')}, "
         f"dense {spread_text(dense, 'train_accuracy')}; the CNN with 12−24 "
         f"filters ({width[3]['params']:,} parameters): validation "
         f"{spread_text(width[3])}. "
         + compare_text(deep, dense, names=(
             f"The CNN with three convolution blocks ({deep['params']:,} "
             "parameters)", "the dense network")))

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask for a verdict before the next slide: does this table say that dense networks are
# better than CNNs on these events? Then ask what else differs between the two
# networks besides convolution (read the parameters).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Why the CNN does not win here
#
# At the same training budget, the reference CNN and the dense network are within
# their spread: these runs cannot say that either is better. The numbers say why the
# CNN does not win: it has about a tenth of the dense network's parameters and fits its
# own training events less well (its training accuracy, previous slide), and its seeds spread
# widely. It is held back by its size, not by being convolutional: with a third
# convolution block (below) the CNN, still a seventh of the dense network's size, is
# ahead beyond the spread.

# %% [markdown] slideshow={"slide_type": "notes"}
# An older version of this lesson trained every network for six epochs with one seed
# and read a lower CNN score as a property of convolutions. Ask the room what could
# make one network look better than another besides its architecture: the seed,
# too few epochs, too few validation events, a smaller size. The stopping rule, the
# seeds and the 2,000 validation events remove the first three here.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Learning rate
#
# The reference CNN trained with SGD (momentum 0.9, instead of Adam) at three learning
# rates. Thin lines: one seed each; thick line and band: their mean ± sd over the
# epochs every seed ran.

# %% alt="Loss and validation accuracy per epoch of the reference CNN trained with SGD at three learning rates, seeds as thin lines, mean ± sd as bands: η = 0.0001 creeps down, η = 0.01 learns fastest and best, η = 1 stays at its starting loss while accuracy jumps."
plots.plot_run_curves(sweeps["lr"]["runs"], legend_title="learning rate η")

# %% [markdown] slideshow={"slide_type": "notes"}
# Let the room describe the three curves before the next slide gives the reading:
# which one learns, which one barely moves, which one jumps about?

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Too small, about right, too large
#
# - **Too small** ($\eta = 10^{-4}$): the loss creeps down; every seed ran all the
#   epochs the stopping rule allows and was still improving at the end. It would get
#   there, in hundreds of epochs.
# - **About right** ($\eta = 10^{-2}$): the loss falls steadily until the validation
#   loss stops improving and the stopping rule ends the run.
# - **Too large** ($\eta = 1$): the steps overshoot the valley; the loss jumps around
#   its starting value and the network answers the same class for every event (its
#   validation accuracy is exactly the share of protons, printed below). One seed's loss
#   exploded: lesson 04's `fit` stopped it with a message saying what to change.
#
# Try a few rates a factor 10 apart, keep the largest that still decreases smoothly.

# %% tags=["hide-input"]
rates = sweeps["lr"]["runs"]
protons = np.mean(course_split(image_size=32).validation[1] == 0)
ran = [[e for e in r["epochs"] if e is not None] for r in rates]
spans = [f"{min(e)}" if min(e) == max(e) else f"{min(e)}–{max(e)}" for e in ran]
Markdown(" ".join(f"η = {r['label']}: validation accuracy {spread_text(r)}, "
                  f"epochs run {span}"
                  f" ({len(r['seeds']) - len(e)} of the seeds diverged)."
                  for r, e, span in zip(rates, ran, spans, strict=True))
         + f" Protons are {protons:.3f} of the validation events.")

# %% [markdown] slideshow={"slide_type": "notes"}
# A validation accuracy stuck at exactly the share of one class, with a spread of
# zero, is a signature worth teaching: the network predicts one class for everything.
# Go back one slide to show the flat green curve. The learning rate is the first thing
# to tune; every other comparison assumes it is sensible.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Dropout?
#
# A dense layer of 64 units on only 300 training events: a network that can memorise.
# Dropout zeroes a random fraction $p$ of that layer's outputs at each training step.

# %%
print(arch.format_sweep(sweeps["dropout"]))

# %% [markdown] slideshow={"slide_type": "notes"}
# The setup is chosen to memorise: 50,131 parameters for 300 training events; the
# training accuracy without dropout in the table says how far it got. Dropout is only
# active in training; at evaluation every unit is kept.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Dropout: training and validation

# %% alt="Accuracy with dropout probability p = 0, 0.3 and 0.6 (50.1k parameters each), training and validation as mean ± sd with single seeds as dots: training stays far above validation in every setting, and the validation error bars all overlap."
plots.plot_sweep_results(sweeps["dropout"])

# %% [markdown] slideshow={"slide_type": "notes"}
# Point at the orange error bars: all three overlap. Then at the gap between blue and
# orange in each setting: it measures memorisation.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Dropout: what the spread says

# %% tags=["hide-input"]
drop = sweeps["dropout"]["runs"]
gaps = [np.mean(r["train_accuracy"]) - np.mean(r["val_accuracy"])
        for r in drop]
Markdown(compare_text(drop[0], drop[1], names=("Without dropout", "p = 0.3"))
         + " " + compare_text(drop[0], drop[2],
                              names=("Without dropout", "p = 0.6"))
         + " Gap between training and validation accuracy (means): "
         + ", ".join(f"{g:.3f} at p = {r['label']}"
                     for g, r in zip(gaps, drop, strict=True)) + ".")

# %% [markdown]
# Look at the **gap** between training and validation accuracy: it measures
# memorisation. Here no setting can be told apart from the others on validation, and
# the gap barely moves: on this small problem dropout does nothing these seeds can
# detect. It pays off when the network is very large compared to its data (AlexNet's
# dense layers, below).

# %% [markdown] slideshow={"slide_type": "notes"}
# The honest summary is "no effect within the spread", and that is a result too: a
# popular remedy that does not help here. Back to the rules of thumb from the start:
# "always use dropout" fails this test. Note how wide the error bars are with 300
# training events: a single seed would have "shown" an effect either way.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What activation function?
#
# Eight hidden dense layers with sigmoid, tanh or ReLU, then the output layer (layer 9
# below). First, how much gradient reaches each layer of the *untrained* network, for
# each seed's initial weights (the bars: ± one sd on the log scale):

# %% alt="Log-scale plot of the gradient norm reaching each of 9 layers at initialisation, mean ± sd over seeds: with sigmoid it falls by about four decades from layer 9 back to layer 1, while with tanh and ReLU it stays about level."
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

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask for a prediction before the table appears: which network trains worst? Then
# read its training and validation columns against the other two.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Activation: what the spread says

# %% tags=["hide-input"]
act = sweeps["activation"]["runs"]
Markdown(compare_text(act[0], act[2]) + " " + compare_text(act[1], act[2]))

# %% [markdown]
# The sigmoid network stays behind, beyond the spread: its first layers hardly learn.
# Tanh and ReLU both train and are within their spread. ReLU is also the cheapest to
# compute, hence the default.

# %% [markdown] slideshow={"slide_type": "notes"}
# A common confusion: the sigmoid is not wrong as an output (lesson 05's
# probabilities), only as the activation of many stacked hidden layers. With Adam and
# the stopping rule it still learns something, more slowly (see its epochs).

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

# %% alt="Accuracy of CNNs with 1, 2 and 3 convolution blocks (4.67k, 3.03k and 4.49k parameters), training and validation as mean ± sd with single seeds as dots: both rise with each block, validation by more than its error bars."
plots.plot_sweep_results(sweeps["conv_layers"])

# %% [markdown] slideshow={"slide_type": "notes"}
# Compare the orange means from left to right and check the error bars: this time they
# do not overlap. The parameters under the labels do not grow with the blocks.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Convolution blocks: what the spread says

# %% tags=["hide-input"]
blocks = sweeps["conv_layers"]["runs"]
Markdown(compare_text(blocks[0], blocks[1], names=("One block", "two"))
         + " " + compare_text(blocks[1], blocks[2],
                              names=("Two blocks", "three")))

# %% [markdown]
# Each block halves the image and sees a wider region (its receptive field, below), and
# shrinks the input of the dense layer: more blocks can mean *fewer* parameters. Here
# every added block raises the validation accuracy beyond the spread.

# %% [markdown] slideshow={"slide_type": "notes"}
# Depth helps here while the parameters do not grow: each block builds on the
# features of the previous one, the contrast with the stacked dense layers earlier.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Filter size, stride, pooling

# %%
for name in ("filter", "stride", "pooling"):
    print(arch.format_sweep(sweeps[name]), end="\n\n")

# %% [markdown] slideshow={"slide_type": "notes"}
# Let the room read the three tables before the next slide says what the spread
# allows. Numbers to point at: stride 2 cuts the MACs from 223,488 to 55,872 (a
# quarter); without downsampling the network has 37,587 parameters.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Filter size, stride, pooling: what the spread allows

# %% tags=["hide-input"]
filters, strides, pools = (sweeps[k]["runs"]
                           for k in ("filter", "stride", "pooling"))
Markdown(compare_text(filters[0], filters[2],
                      names=("3×3 first filters", "7×7"))
         + "\n\n" + compare_text(strides[0], strides[1],
                                 names=("Stride 1", "stride 2"))
         + "\n\n" + compare_text(pools[0], pools[1], names=(
             "Max pooling", "a stride-2 convolution"))
         + "\n\n" + compare_text(pools[0], pools[2],
                                 names=("Max pooling", "no downsampling"))
         + f" (training accuracy without downsampling: "
         f"{spread_text(pools[2], 'train_accuracy')})")

# %% [markdown]
# - **Filter size**: a larger first filter helps here: a track is a long thin line, and
#   a 7×7 filter sees more of it at once, at more operations. Stacking small filters
#   is the other way to see far (next section); the third convolution block above did
#   at least as well.
# - **Stride**: a stride of 2 computes a quarter of the positions (the MACs) and cannot
#   be told apart from stride 1.
# - **Pooling**: max pooling and a stride-2 convolution (which learns how to shrink, at
#   the price of more parameters) cannot be told apart; without any downsampling the
#   dense layer becomes huge and the gap between training and validation is the widest.

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

# %% alt="Two 7×7 grids over the input: for two stacked 3×3 layers, the number of paths from each pixel of a 5×5 field to the output, 9 at the centre falling to 1 at the corners; for one 5×5 layer, the same 5×5 field with 1 everywhere."
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
# The surprise in the table: more parameters do not mean better. Read VGG-16's 138
# million parameters and its top-1 against GoogLeNet's 6.6 million and Xception's 22.9
# million, which has the best top-1 of the table. Architecture matters more than size.

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
# AlexNet trained a deep CNN on GPUs with two ideas you tried above: **ReLU**
# (gradients that do not vanish) and **dropout** in its two 4096-unit dense layers,
# which hold almost all of its parameters:

# %% alt="Stacked bar chart of AlexNet's parameters and operations (MACs) split between convolution and dense layers: 96 % of the parameters are in the dense layers, 92 % of the operations in the convolutions."
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

# %% alt="Loss and validation accuracy per epoch of forty dense layers, plain and residual, five seeds each as thin lines with mean ± sd bands: the residual network's loss keeps falling and its accuracy climbs, while the plain one barely moves, hovers near 0.5 and stops early."
plots.plot_run_curves(sweeps["residual"]["runs"])

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask why the plain network's curves stay flat before the next slide: one network
# learns, the other does not. Same layers, same parameters, same training, five seeds
# each; only the + x differs.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Plain against residual

# %% tags=["hide-input"]
plain, residual = sweeps["residual"]["runs"]
best = max(v for v in plain["val_accuracy"] if v is not None)
Markdown(compare_text(plain, residual) + " Best single seed of the plain "
         f"network: {best:.3f}; the share of protons among the validation "
         f"events: {protons:.3f}.")

# %% [markdown]
# The plain network does not get off the ground: with every seed it stays at or below
# the accuracy of always answering "proton". With the same layers and the same number
# of parameters, the residual version trains. He et al. saw a milder form on ImageNet:
# a plain 34-layer network trained *worse* than a plain 18-layer one, while with
# residual connections the 34-layer network was the better of the two.

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
# network is **lesson 04's CNN**, trained on the course split's 10,000 training events
# (`data/detector_cnn.npz`). The new setting is a detector **eight times noisier**, with
# only **200 labelled events** from it, and 1,000 validation events of its own to
# compare on. Four ways to get a classifier:
#
# 0. use the old network **as it is**;
# 1. **frozen features**: keep every layer but the last, train only a new last layer;
# 2. **fine-tuning**: start from the pretrained weights, train everything, gently;
# 3. **from scratch**: the same architecture, random weights.

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask for a ranking of the four strategies before pressing → for the numbers. Most
# people put fine-tuning first.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Four ways: the numbers

# %%
transfer = results["transfer"]
mine, as_is = transfer["pretrained"]["validation"], transfer["as_it_is"]
print(f"lesson 04's network, its own detector ({mine['events']:,} validation "
      f"events): {accuracy_text(mine['correct'], mine['events'])}")
new = as_is["validation"]
share = new["correct"] / new["events"]
low, high = wilson_interval(new["correct"], new["events"])
print(f"{as_is['label']:>26}: validation {share:.3f} "
      f"(95 % interval {low:.3f}–{high:.3f}, no seeds)")
for run in transfer["runs"]:
    print(f"{run['label']:>26}: validation {spread_text(run)}, "
          f"{run['trained_params']:,} parameters trained")

# %% [markdown] slideshow={"slide_type": "notes"}
# Compare with the ranking the room gave. The number of parameters each one trains is
# its cost: 0, 1,539 for a new last layer, 7,555 for the whole network. The untrained network has
# no seeds: its spread is the 95 % interval over the validation events.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Four ways, one noisier detector

# %% alt="Bar chart of validation accuracy on a noisier detector with 200 labelled events for four strategies: the pretrained network as it is (no training) scores highest, frozen features with a new head and fine-tuning come next, and training from scratch is lowest."
runs = transfer["runs"]
bar_labels = [as_is["label"], *(r["label"] for r in runs)]
bar_labels = [b.replace(" + ", "\n+ ").replace(" (", "\n(") for b in bar_labels]
means = [share, *(r["validation"]["mean"] for r in runs)]
errors = [(share - low, high - share),
          *((r["validation"]["sd"],) * 2 for r in runs)]
plots.plot_comparison(bar_labels, means, errors=errors,
                      ylabel="validation accuracy",
                      title="a noisier detector, 200 labelled events")

# %% [markdown] slideshow={"slide_type": "notes"}
# The bars: mean over the seeds with ± sd; the first bar, one network with no seeds,
# carries its 95 % interval over the validation events instead. The reading is on the
# next slide.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What transfer bought

# %% tags=["hide-input"]
frozen, tuned, scratch = runs
verdicts = [r["label"] + (" overlaps its interval"
                          if sum(r["validation"][k] for k in ("mean", "sd"))
                          >= low else " is below it") for r in runs]
Markdown(f"The untouched network: {share:.3f} (95 % interval "
         f"{low:.3f}–{high:.3f}); mean ± sd of each trained strategy: "
         f"{', '.join(verdicts)}.\n\n"
         + compare_text(frozen, tuned) + "\n\n" + compare_text(tuned, scratch)
         + "\n\nFine-tuned: training accuracy "
         f"{spread_text(tuned, 'train_accuracy')} against validation "
         f"{spread_text(tuned)}; from scratch: training "
         f"{spread_text(scratch, 'train_accuracy')}. Validation here: the "
         f"{new['events']:,} validation events of the noisier detector.")

# %% [markdown]
# Everything that starts from lesson 04's network beats training from scratch on 200
# events. The surprise is the untouched network: on the noisier detector it still does
# at least as well as any retrained version (printed above). Its features and its last
# layer still describe tracks under the noise; 200 labelled events are too few to
# improve on them, and fine-tuning 7,555 parameters fits those events far better than
# it generalises. With little data: try the pretrained network as it is first, and
# train as few parameters as the data can support.

# %% [markdown] slideshow={"slide_type": "notes"}
# The rule that generalises: the less labelled data, the fewer parameters you should
# train, and measure the untouched model first. Frozen features with a new head is the
# usual first try; here it could not beat the old head, which was already good. The
# untrained network has no seeds: compare its interval with the others' bars.

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
# 5. **Look at the errors** (on validation), **change one thing**, compare again.
# 6. **Stop** when the validation score stops improving (early stopping).

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask which step students usually skip (the baselines, and the split into three
# parts). The whole workflow below chooses on validation; the test events appear once,
# on its last slide.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The workflow's steps, on validation

# %%
workflow = results["workflow"]
base, steps = workflow["baseline"], workflow["steps"]
print(f"{'step':>27}  validation F1 (seeds)  95 % interval, seed 0")
print(f"{base['label']:>27}  {base['val_f1']:.3f} (no training)")
for step in steps:
    low, high = step["val_f1_interval"]
    print(f"{step['label']:>27}  {spread_text(step, 'val_f1')}  "
          f"{low:.3f}–{high:.3f}")

# %% [markdown] slideshow={"slide_type": "notes"}
# Every number here is on the workflow's validation events; the test events wait for
# the last slide of the workflow. Two spreads: the seeds' sd, and the interval from a
# bootstrap over the validation events of one network.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Validation to choose, early stopping to stop

# %% tags=["hide-input"]
val = workflow["validation"]
dense_step, first_cnn, more = steps
Markdown(f"On the {val['events']:,} validation events ({val['protons']} "
         f"protons), the majority baseline (always \"{base['predicts']}\") is "
         f"right {base['val_accuracy']:.3f} of the time and finds no proton: "
         f"F1 {base['val_f1']:.3f}. "
         + compare_text(dense_step, first_cnn, "val_f1", what="validation F1",
                        names=("The dense layer", "the first CNN")))

# %% [markdown]
# The networks were trained with **early stopping**, which answers "when to stop":
# after each epoch the validation loss is measured, training stops when it has not
# improved for a few epochs, and the weights of the best epoch are kept.

# %%
for step in (first_cnn, more):
    print(f"{step['label']}: best epoch "
          f"{[b + 1 for b in step['best_epoch']]} of {step['epochs']}")

# %% [markdown] slideshow={"slide_type": "notes"}
# One entry per seed: the epoch whose weights were kept, and how many epochs ran
# before the patience ran out. The curves on the next slide show why.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The validation loss decides when to stop

# %% alt="Training loss (left) and validation loss (right) per epoch for the first CNN and for twice the events, five seeds each with mean ± sd bands: training loss keeps falling, while validation loss flattens and turns up before each run stops, lower with twice the events."
plots.plot_run_curves([first_cnn, more], metrics=("loss", "val_loss"))

# %% [markdown] slideshow={"slide_type": "notes"}
# Point at the right panel: the validation loss turns up after its best epoch while the
# training loss keeps falling on the left; a few epochs without improvement end the
# run. Thin lines are single seeds, the band the seeds' mean ± sd.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Look at the errors
#
# The confusion matrix of the first CNN (seed 0) on the **validation** events, and the
# first eight validation events it got wrong (regenerated from their seed). The test
# events stay unseen until the end.

# %% alt="Confusion matrix of the first CNN on the validation events, rows TRUE and columns PREDICTED, not proton first: most non-protons are classified right but a large share of the protons is missed, and missed protons and false alarms are about as many."
errors = workflow["errors"]
plot_confusion_matrix(np.array(errors["confusion"]), workflow["class_names"])

# %% [markdown] slideshow={"slide_type": "notes"}
# Read the off-diagonal cells: missed protons (true proton, predicted not proton) and
# false alarms. Ask which kind of error is more common; the event gallery on the next
# slide shows eight of them.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The first eight errors

# %% alt="Eight misclassified validation events, each titled with its true and said class: false alarms (non-protons said proton), mostly long straight or bright tracks, and missed protons: a faint arc, a small ring and a curl."
d = workflow["data"]
parts = {k: (v["events"], v["data_seed"]) for k, v in d["split"].items()}
events = EventSplit(parts, name="workflow", image_size=d["image_size"],
                    view=d["view"], noise=d["noise"],
                    class_mix=tuple(d["class_mix"]))
images = events.validation[0][errors["indices"]]
names = workflow["class_names"]
titles = [f"true {names[t]}\nsaid {names[p]}"
          for t, p in zip(errors["true"], errors["predicted"], strict=True)]
plots.plot_events(images, titles)

# %% [markdown] slideshow={"slide_type": "notes"}
# Three of the eight are missed protons, five are false alarms; in the confusion
# matrix the two kinds are about as common. Point at a faint proton track and at a long
# straight non-proton track called "proton". Looking at errors is where ideas for the
# next change come from, and it happens on validation events.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What the errors suggest, and what validation can tell

# %% tags=["hide-input"]
low, high = first_cnn["val_f1_interval"]
Markdown(f"The first CNN learned from {first_cnn['train_events']:,} training "
         f"events, {first_cnn['train_protons']} of them protons. One change: "
         f"twice the training events ({more['train_events']:,}, "
         f"{more['train_protons']} protons; cheap here, simulate them), the "
         "same network trained the same way. "
         + compare_text(first_cnn, more, "val_f1", what="validation F1",
                        names=("First CNN", "twice the events"))
         + f" One network's validation F1, measured on {val['protons']} "
         f"protons, is uncertain by about ±{(high - low) / 2:.3f} over the "
         f"events (the first CNN, seed 0: 95 % bootstrap interval "
         f"{low:.3f}–{high:.3f}).")

# %% [markdown]
# The errors go both ways: faint or curled proton tracks called "not proton", curved
# tracks of other particles called "proton", as from a network that has seen too few
# protons. More training events is
# the change tried, and here it is kept: its validation F1 is ahead beyond both
# spreads. Two habits make that call possible: a validation set large enough that
# one network's interval is narrow, and several seeds, because the first CNN's F1
# moves more from seed to seed than from the events. Change one thing at a time, keep
# it only if the validation score improves by more than its noise, and touch the test
# set only at the very end.

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask before reading the text: would you keep the change, and what would make you
# unsure? Compare the first CNN's sd over seeds with its interval over events: both are
# noise, and a single run shows neither. Resist choosing by the test score; that would
# make the test set a validation set.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The test set, once
#
# The choice is made: the step with the highest mean validation F1, its seed-0
# network. `tools/run_sweeps.py` evaluated that one network on the workflow's test
# events, once, in one prediction pass, after every choice above; the result is
# stored, and printed here.

# %% tags=["hide-input"]
final = workflow["final"]
test = final["test"]
low, high = test["f1_interval"]
Markdown(f"Final model: {final['label']} (seed {final['seed']}), chosen as "
         f"{final['rule']}. On the {test['events']:,} test events "
         f"({test['protons']} protons): F1 of the protons {test['f1']:.3f} "
         f"(95 % bootstrap interval {low:.3f}–{high:.3f}), accuracy "
         f"{accuracy_text(test['correct'], test['events'])}.")

# %% [markdown] slideshow={"slide_type": "notes"}
# This is the only test number of the lesson, and it is not compared with anything:
# comparing it with the validation scores to pick again would turn the test events
# into validation events. If it disappoints, the honest move is new test events.

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
# - Train every setting with several seeds and a stopping rule; compare mean ± sd, and
#   say "cannot tell" when the bars overlap.
# - Convolution blocks that build on each other helped; stacked dense layers did not.
#   ReLU and tanh keep gradients alive; the learning rate must be the largest that
#   still decreases the loss smoothly; dropout did not help on this small problem.
# - A layer's output size is $\lfloor (H + 2p - k)/s \rfloor + 1$; a convolution has
#   $K^2 C_{in} C_{out} + C_{out}$ parameters and $K^2 C_{in} C_{out} H' W'$ MACs.
# - Stacked small filters see as far as a large one, with fewer parameters (VGG).
#   Residual connections let very deep networks train (ResNet). 1×1 convolutions mix
#   channels and cut costs (Inception, Xception).
# - With little data, start from a network trained on a related task, and measure it
#   untouched before retraining any of it.
#
# **Exercises** follow. *Back to the* [course map](00_start_here.ipynb).

# %% [markdown] slideshow={"slide_type": "notes"}
# The three formulas in the third bullet are what the exercises use. If time is short,
# set exercises 1 and 2 in class and 3 and 4 as homework.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# **1.** A convolution layer takes 32 channels to 96 channels with 5×5 filters and a
# bias per filter. How many parameters does it have? (A whole number; the check wants
# it exact.)

# %%
ex.check_conv_params(...)

# %% [markdown] slideshow={"slide_type": "notes"}
# The usual mistake is forgetting that each filter spans all 32 input channels; the
# key points' formula K²·C_in·C_out + C_out is the whole calculation. The reference
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
# 64 to 128 channels have than a full 5×5 convolution (no biases)? Two decimals (the
# check accepts ±0.01).

# %%
ex.check_separable_savings(...)

# %% [markdown] slideshow={"slide_type": "notes"}
# The calculation is the one of the Xception slide with 5×5 filters: the full
# convolution has K²·C_in·C_out weights, the separable one K²·C_in (depthwise) plus
# C_in·C_out (pointwise). The larger the kernel, the larger the saving: expect more
# than the 8.7 seen there.
