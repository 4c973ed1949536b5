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

# %%
import numpy as np

from lessons_lib import architectures as arch
from lessons_lib.architectures import conv, relu
from lessons_lib.plots import architectures as plots

results = arch.load_sweeps()
sweeps = results["sweeps"]
results["meta"]

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
#
# Every network is written in the course's **architecture language**: a list of layers
# from which shapes, parameters and operations follow, before anything is trained.
#
# How big a difference means something? An accuracy measured on 200 validation events
# is uncertain by about $\sqrt{0.8 \cdot 0.2 / 200} \approx 0.03$ (one standard error),
# so differences smaller than that are not evidence either way.

# %%
spec = sweeps["width"]["runs"][2]["spec"]  # the reference CNN of the sweeps
print(arch.format_table(arch.summarize(spec, (1, 32, 32))))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## How many layers?
#
# Dense networks on the flattened event, with 0 to 4 hidden layers of 32 units (and
# ReLU). Blue: accuracy on the training events; orange: on the validation events.

# %%
print(arch.format_sweep(sweeps["layers"]))
plots.plot_sweep_results(sweeps["layers"])

# %% [markdown]
# One hidden layer lets the network combine pads non-linearly and helps (validation 0.74
# → 0.80). More layers fit the *training* events better still (blue) but do not move the
# validation accuracy (orange): the extra capacity memorises. Depth pays off when each
# layer can build on the features of the previous one, which is what convolution layers
# do (below).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## How many nodes per layer?
#
# The reference CNN with more filters per convolution layer (first layer − second).

# %%
print(arch.format_sweep(sweeps["width"]))
plots.plot_sweep_results(sweeps["width"])

# %% [markdown]
# With 1 to 6 filters the network fits its training events no better than the dense
# network without hidden layers above (0.72 against 0.75); with more filters it fits and
# generalises better, 12−24 best. The cost grows quickly: parameters and operations of a
# convolution grow with the *product* of its input and output channels.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Learning rate
#
# The reference CNN trained with SGD (momentum 0.9, instead of Adam) at three learning
# rates.

# %%
plots.plot_run_curves(sweeps["lr"]["runs"], legend_title="learning rate η")

# %% [markdown]
# - **Too small** ($\eta = 10^{-4}$): the loss barely moves; it would get there, in
#   hundreds of epochs.
# - **About right** ($\eta = 10^{-2}$): the loss falls steadily.
# - **Too large** ($\eta = 1$): the steps overshoot the valley; the loss jumps around
#   its starting value and the network answers the same class for every event (0.505
#   is the share of protons among the validation events). Larger still, the loss
#   explodes, and lesson 04's `fit` stops with a message saying what to change.
#
# Try a few rates a factor 10 apart, keep the largest that still decreases smoothly.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Dropout?
#
# A dense layer of 64 units on only 300 training events: a network that can memorise.
# Dropout zeroes a random fraction $p$ of that layer's outputs at each training step.

# %%
print(arch.format_sweep(sweeps["dropout"]))
plots.plot_sweep_results(sweeps["dropout"])

# %% [markdown]
# Look at the **gap** between training and validation accuracy: it measures
# memorisation. Dropout narrows it a little (0.19 → 0.17). On this small problem it does
# not raise the validation accuracy, and too much of it ($p = 0.6$) costs accuracy:
# dropout pays off when the network is very large compared to the data (AlexNet's dense
# layers, below).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What activation function?
#
# Eight hidden dense layers with sigmoid, tanh or ReLU, then the output layer (layer 9
# below). First, how much gradient reaches each layer of the *untrained* network:

# %%
plots.plot_gradient_norms(sweeps["activation"]["gradient_norms"])

# %% [markdown]
# The derivative of the sigmoid is at most 1/4, and the backward pass multiplies the
# gradient by it at every layer (and by that layer's weights): here it shrinks by a
# factor of about 3 per layer, and the first layers get 10,000 times less than the last.
# Their gradients **vanish**. With tanh (derivative up to 1) and ReLU (derivative 1
# where active) the gradient keeps about the same size from the last layer to the first.
# The consequence on training:

# %%
print(arch.format_sweep(sweeps["activation"]))

# %% [markdown]
# The sigmoid network's first layers hardly learn, and it stays well behind; tanh and
# ReLU both train. ReLU is also the cheapest to compute, hence the default.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## How many convolution layers?
#
# Blocks of convolution (3×3), ReLU and 2×2 max pooling, channels doubling each time.

# %%
print(arch.format_sweep(sweeps["conv_layers"]))
plots.plot_sweep_results(sweeps["conv_layers"])

# %% [markdown]
# Each block halves the image and sees a wider region (its receptive field, below), and
# shrinks the input of the dense layer: more blocks can mean *fewer* parameters.

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

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Receptive fields: why VGG stacks 3×3 filters
#
# The *receptive field* of an output is the region of the input it depends on. Each
# layer of kernel $k$ adds $(k-1)\,j$ to it, where the *jump* $j$ is the product of
# the strides before: $r \leftarrow r + (k - 1)\,j$, $j \leftarrow j\,s$.

# %%
for label, layers in (("two 3×3", [conv(1, 3)] * 2), ("one 5×5", [conv(1, 5)]),
                      ("three 3×3", [conv(1, 3)] * 3)):
    r, j = arch.receptive_field(layers)
    print(f"{label:>9}: each output sees {r}×{r} input pixels")
plots.plot_receptive_fields(
    [arch.receptive_field_weights([3, 3]), arch.receptive_field_weights([5])],
    ["two 3×3: paths per pixel", "one 5×5"])

# %% [markdown]
# Both see 5×5 pixels. With C channels in and out, two 3×3 layers have $2 \cdot 9C^2
# = 18C^2$ weights against $25C^2$ for one 5×5, and an extra ReLU in between: more
# non-linearity for fewer parameters. That is VGG's argument; three 3×3 layers (7×7)
# against one 7×7 save even more ($27C^2$ against $49C^2$).

# %%
C = 64
two_3x3 = arch.count_params([conv(C, 3, padding=1)] * 2, (C, 32, 32))
one_5x5 = arch.count_params([conv(C, 5, padding=2)], (C, 32, 32))
print(f"two 3×3: {two_3x3:,} parameters")
print(f"one 5×5: {one_5x5:,} parameters")

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

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### What each one introduced, and where the implementation differs from the paper

# %%
for info in arch.CLASSICS.values():
    print(f"{info.title} ({info.year}), {info.paper}\n  idea: {info.idea}\n"
          f"  {info.implementation}: {info.differs}\n")

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

# %%
from lessons_lib.widgets.architectures import ArchitectureBrowser

ArchitectureBrowser("vgg16")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## AlexNet's ideas: ReLU and dropout
#
# AlexNet trained a deep CNN on GPUs with two ideas you measured above: **ReLU**
# (gradients that do not vanish) and **dropout** in its two 4096-unit dense layers,
# which hold almost all of its parameters:

# %%
totals = arch.breakdown(arch.classic("alexnet"), (3, 224, 224))
plots.plot_breakdown(totals, title="AlexNet")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## ResNet's idea: a residual connection lets a deep network train
#
# A residual block computes $y = \mathrm{ReLU}(F(x) + x)$: its layers learn a
# correction $F$, and in the backward pass the gradient reaches $x$ directly through the
# $+\,x$. Forty dense layers with batch normalisation, trained the same way, plain or
# grouped in residual blocks:

# %%
plots.plot_run_curves(sweeps["residual"]["runs"])

# %% [markdown]
# The plain network does not get off the ground: it stays at the accuracy of always
# answering "proton". With the same layers and the same number of parameters, the
# residual version trains. He et al. saw a milder form on ImageNet: a plain 34-layer
# network trained *worse* than a plain 18-layer one, while with residual connections the
# 34-layer network was the better of the two.

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

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Point convolutions
#
# A **1×1 convolution** looks at one pixel at a time, but at all its channels: at every
# pixel it multiplies the vector of $C_{in}$ channel values by the same
# $C_{out} \times C_{in}$ matrix. It is a dense layer applied at every pixel. Numerically,
# with $C_{in} = 16$, $C_{out} = 4$ on the random batch above:

# %%
from lessons_lib.nn.advanced import PointwiseConv2D
from lessons_lib.nn.layers import Dense

point = PointwiseConv2D(16, 4, rng=1)
dense_layer = Dense(16, 4)
dense_layer.params["W"][...] = point.params["W"][:, :, 0, 0]
pixels = x.transpose(0, 2, 3, 1).reshape(-1, 16)  # one row per pixel
per_pixel = dense_layer(pixels).reshape(2, 16, 16, 4).transpose(0, 3, 1, 2)
print("largest difference:", float(np.abs(point(x) - per_pixel).max()))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Shrinking channels before an expensive convolution (Inception)
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

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Depthwise-separable convolutions (Xception)
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

# %%
transfer = results["transfer"]
print(f"lesson 04's network on its own detector: test accuracy "
      f"{transfer['pretrained']['test_accuracy']:.3f}")
for run in transfer["runs"]:
    print(f"{run['label']:>28}: test accuracy {run['test_accuracy']:.3f}, "
          f"{run['trained_params']:>5,} parameters trained"
          f" in {run['seconds']:.1f} s")

# %%
runs = transfer["runs"]
bar_labels = [r["label"].replace(" + ", "\n+ ").replace(" (", "\n(")
              for r in runs]
plots.plot_comparison(bar_labels, [r["test_accuracy"] for r in runs],
                      ylabel="test accuracy",
                      title="a noisier detector, 200 labelled events")

# %% [markdown]
# The old network loses accuracy in the new setting, and 200 events are too few to
# train the architecture from scratch. Its features, though, still describe tracks:
# a new last layer trained on them, in a fraction of a second, does best. Fine-tuning
# all 7,555 parameters does better than starting from scratch, but with so few events it
# fits them more than it generalises (training accuracy 0.94, validation 0.74 after 15
# epochs); it needs more labelled events to pay off. (The times are those of the run
# that made the cache.)

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

# %% [markdown]
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
plots.plot_run_curves([first, second], metrics=("loss", "val_loss"))

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Look at the errors
#
# The confusion matrix of the first CNN on the test events, and the first eight events it
# got wrong (regenerated from their seed). In a real project, look at the errors on the
# validation events: the test events stay unseen until the end.

# %%
from lessons_lib.plots.metrics import plot_confusion_matrix

plot_confusion_matrix(np.array(first["confusion"]), workflow["class_names"])

# %%
from lessons_lib.datasets import detector_events

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

# %% [markdown]
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

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Build your own architecture
#
# Select a layer in the list, choose a kind and its settings, then **add after**,
# **replace** or **remove**. The table updates live; a layer that no longer fits (a
# pooling window larger than its input, a dense layer on an image...) is reported with
# the reason. When the network ends with `dense 3`, **train** it for a few epochs on
# detector events (it takes a few seconds per epoch).

# %%
from lessons_lib.widgets.architectures import ArchitectureBuilder

ArchitectureBuilder()

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

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# **1.** A convolution layer takes 64 channels to 128 channels with 3×3 filters and a
# bias per filter. How many parameters does it have?

# %%
from lessons_lib.exercises import architectures as ex

ex.check_conv_params(...)

# %% [markdown]
# **2.** An event image of shape (1, 64, 64) goes through `conv(8, 5, padding=2)`,
# `maxpool(2)`, `conv(16, 3, stride=2)`, `maxpool(2)`. What is the output shape
# (C, H, W)? Work it out by hand, then check with `arch.summarize`.

# %%
ex.check_output_shape(...)

# %% [markdown]
# **3.** Network A: three 3×3 convolutions. Network B: a 5×5 convolution, a 2×2 max
# pooling (stride 2), a 3×3 convolution. Which one's outputs see more of the input,
# "A" or "B"?

# %%
ex.check_receptive_field(...)

# %% [markdown]
# **4.** How many times fewer weights does a 5×5 depthwise-separable convolution from
# 64 to 128 channels have than a full 5×5 convolution (no biases)? Two decimals.

# %%
ex.check_separable_savings(...)
