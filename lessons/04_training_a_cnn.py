# %% [markdown] slideshow={"slide_type": "slide"}
# # 04 · Training a CNN to classify detector events
#
# **You will be able to**
# - build a convolutional network from layers: multi-channel convolution, ReLU, max
#   pooling, flatten, dense, softmax, and follow the shape of the data through it;
# - explain backpropagation through the whole network as a chain of the backward
#   passes of lessons 02 and 03;
# - train it with mini-batch gradient descent, watch the loss and accuracy curves,
#   compare it with baselines on validation events and report on test events once;
# - look inside a trained network: its filters, its feature maps, its mistakes;
# - say what a toy simulation can and cannot tell about a real detector.
#
# **Slides:** *Convolutional neural networks: architecture and training* and
# *Application 2: can we use machine learning to accurately classify events in
# detectors?*
#
# *Previous:* [03 · Pooling](03_pooling.ipynb) ·
# *Next:* [05 · Metrics and losses](05_metrics_and_losses.ipynb)

# %% slideshow={"slide_type": "skip"}
import numpy as np
from IPython.display import Markdown, display

from lessons_lib import nn
from lessons_lib.backprop import numerical_gradient, relative_error
from lessons_lib.convolution import correlate
from lessons_lib.datasets import figure_matrix
from lessons_lib.detector import to_binary
from lessons_lib.exercises.cnn import (
    check_conv_shape,
    check_dense_backward,
    check_parameter_counts,
)
from lessons_lib.filters import line_detector
from lessons_lib.losses import (
    softmax_cross_entropy,
    softmax_cross_entropy_backward,
)
from lessons_lib.nn.models import (
    dense_baseline,
    detector_cnn,
    live_budget,
    load_detector_cnn,
)
from lessons_lib.plots.cnn import (
    plot_baselines,
    plot_event_gallery,
    plot_feature_maps,
    plot_filters,
    plot_misclassified,
    plot_multichannel_convolution,
    plot_training_curves,
)
from lessons_lib.source import show_source
from lessons_lib.splits import course_split
from lessons_lib.uncertainty import accuracy_text, wilson_interval
from lessons_lib.widgets.cnn import FeatureMapExplorer, TrainingCurves

# %% [markdown] slideshow={"slide_type": "notes"}
# This is the lesson where the pieces of 01-03 become a network. Budget about an hour:
# 20 minutes to the architecture, 15 for backpropagation and the gradient check, the
# rest for training, the baselines, looking inside and the limits of the simulation.
# Run the whole notebook once before class: the live training takes about fifteen
# seconds on a two-core laptop, longer on an old one.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The question
#
# > Can we use machine learning to **accurately** classify events in detectors?
#
# An *active-target time projection chamber* is a chamber of gas that is at the same
# time the target and the detector. A beam of nuclei enters along its axis; when one of
# them reacts with a gas nucleus, the charged particles that fly out ionise the gas,
# and the freed electrons drift onto a plane of pads. Most recorded events are not the
# reaction one is looking for, so the first job is to sort them: **proton** or **not
# proton** (Kuchera et al., *Nucl. Instrum. Methods A* 940, 2019, did it with CNNs for
# the AT-TPC at Michigan State University).
#
# Our events are a **toy simulation** of such a detector's pad plane, not AT-TPC data.

# %% [markdown] slideshow={"slide_type": "notes"}
# The slides' application. Draw the chamber if the room has a board: beam along the
# axis, the reaction somewhere inside, tracks drifting onto the pad plane. The point
# to land: the events can be read as images, so the tools of lessons 01-03 apply. No
# real data ship with the course: the events are a 2-D toy with the features a
# physicist would recognise, and every number in this lesson is about the toy. The
# end of the lesson says what the toy is not.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Simulated events in three parts
#
# `course_split()` is the course's one split of the simulated events (64 × 64 pads,
# three classes), the same in lessons 04-07, each part from its own seed:
# - **train** (10,000 events): the weights are fitted to these;
# - **validation** (2,000): every choice is made on these (epochs, model, which errors
#   to study);
# - **test** (2,000): looked at **once**, at the end, to report the chosen model.

# %%
split = course_split()
x_train, y_train = split.train
x_val, y_val = split.validation
n_val, class_names = len(y_val), split.class_names
print("images:", x_train.shape, x_train.dtype, " classes:", class_names)
print("training events per class:", np.bincount(y_train).tolist())
print("validation events:", n_val, " test events:", split.test_size,
      "(not handed out as arrays)")

# %% [markdown] slideshow={"slide_type": "notes"}
# Point at the shapes: (N, C, H, W) with one channel, float32 as a CNN trains in. Half
# the events are protons: the classes are not balanced, which matters in lesson 05.
# Why three parts: a score used to choose something is no longer a fair report, since
# we picked what looked best on it. The split hands out no test arrays: its
# `evaluate_test` runs a model over them and counts the calls.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What a physicist sees

# %% alt="A gallery of 18 simulated 64×64 training events, six per row: protons as long faint tracks bending into arcs, some with a bright end; carbon as short, dense, nearly straight tracks; other as straight streaks, several-pronged break-ups and short fragments."
plot_event_gallery(x_train, y_train, class_names, per_class=6)

# %% [markdown] slideshow={"slide_type": "notes"}
# Let the room describe the three rows before the next slide explains them: which
# features would you use to tell a proton from a carbon? (Length, brightness,
# curvature, where the track starts.) A CNN has to find such features by itself.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Three kinds of event
#
# - **Proton:** a long, faint track from the centre (where the beam is). The chamber
#   sits in a magnetic field, so the track bends; as the proton slows down it bends
#   more and curls into a **spiral**. It deposits most charge just before it stops
#   (the **Bragg peak**): the bright end.
# - **Carbon:** a carbon nucleus of the gas, knocked forward by a beam nucleus. A
#   **short, dense, nearly straight** track: with six times the proton's charge it
#   loses energy fast and stops before the field can visibly curve it.
# - **Other:** sparks (straight streaks not from the centre), break-ups into several
#   short prongs, and events with only noise.
#
# Diffusion blurs the tracks, the gain changes from event to event, noisy pads light
# up at random.

# %% [markdown] slideshow={"slide_type": "notes"}
# The Bragg peak is the physics detail students remember: the bright end of a proton
# track is where it stops. Carbon is straight, but not because it is "too rigid to
# bend": at the same kinetic energy it has √12 ≈ 3.5 times the proton's momentum and
# 6 times its charge, so its rigidity Bρ = p/q is about 3.5 / 6 ≈ 0.58 of the
# proton's and, given the room, it would curl more tightly. But energy loss per length
# grows as the charge squared (36 times a proton's at the same speed), so it stops
# within a range far shorter than its radius of curvature. If asked why three classes
# and not two: "other" mixes very different things (sparks, break-ups, noise), and
# naming it helps us read the network's mistakes later.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Three classes, one binary question
#
# The slides' question is binary; the same events have a binary view:

# %%
y_binary = to_binary(y_train)  # 1 for proton, 0 for carbon and other
print("proton vs not proton → protons:", int(y_binary.sum()),
      "of", len(y_binary))

# %% [markdown]
# We train on the three classes (a harder, more informative task); lesson 05 measures
# the binary question with the right metrics.

# %% [markdown] slideshow={"slide_type": "notes"}
# Half the training events are protons, so the binary view is balanced here; lesson 05
# makes protons rare and shows what that does to accuracy. Keep this slide short: its
# point is only that the same events answer both questions.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## From one filter to many channels
#
# Lesson 01 slid **one** filter over **one** image. A layer of a CNN takes an input
# with $C_{in}$ channels (1 for our events, 8 after the first layer...) and has
# $C_{out}$ filters, each of shape $C_{in} \times K_h \times K_w$. Output channel $f$ is a
# **sum over the input channels** of lesson 01's correlation $\circledast$, plus one
# bias $b_f$ per filter:
#
# $$o[f] = b_f + \sum_{c=0}^{C_{in}-1} x[c] \circledast w[f, c]$$

# %% [markdown] slideshow={"slide_type": "notes"}
# The one new idea of the lesson's first half. A filter is now a small 3-D block
# (C_in x kh x kw): it looks at every input channel at once and adds up what it sees.
# C_out filters give C_out output channels. Ask: how many numbers does one filter have
# for 8 input channels and a 3 x 3 window? (72, plus one bias.)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Two channels, one filter
#
# The input has two channels (the figure matrix and its mirror image); the filter has
# one $3 \times 3$ slice per channel; the output channel adds the two correlations:

# %% alt="The figure matrix x[0] and its mirror image x[1], each correlated with its 3×3 slice of the filter (vertical detector w[0], horizontal detector w[1]), the two 6×7 results, and their sum o, which responds to both the long stroke and the arms (largest value 9)."
x = np.stack([figure_matrix(), figure_matrix()[:, ::-1]])
w = np.stack([line_detector("vertical"), line_detector("horizontal")])
plot_multichannel_convolution(x, w)

# %% [markdown] slideshow={"slide_type": "notes"}
# Check one number with the room: the top-left output, -2, is the sum of -2 (first
# channel) and 0 (second channel). The vertical slice lights up on the vertical
# stroke of channel 0, the horizontal slice on the horizontal bar of channel 1: one
# output channel responds to both. The network learns w; here it is hand-made.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The same in a layer
#
# `Conv2D` does exactly this for all filters and all images of a batch at once. Its
# weight has shape (out_channels, in_channels, kh, kw), as in PyTorch:

# %%
conv = nn.Conv2D(in_channels=2, out_channels=1, kernel_size=3)
conv = conv.astype(np.float64)
conv.params["W"][0] = w
o = conv(x[None])  # a batch of one image: shape (N, C, H, W) = (1, 2, 8, 9)
print("output shape:", o.shape, " equals the sum of correlations:",
      np.allclose(o[0, 0], correlate(x[0], w[0]) + correlate(x[1], w[1])))

# %% [markdown] slideshow={"slide_type": "notes"}
# The batch axis N comes first: a layer always takes many images at once. The output
# is 6 x 7, lesson 01's output size for a 3 x 3 filter without padding. `astype`
# switches the layer to float64 so that it matches lesson 01's float64 results to the
# last digit.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The architecture
#
# Three **blocks** of *convolution → ReLU → max pooling*, then *flatten → dense*:
#
# - **convolution** finds local patterns (track segments, then curves, blobs, prongs);
# - **ReLU**, $\max(0, x)$, keeps the positive responses: without a non-linearity, a
#   stack of layers would be one big linear map;
# - **max pooling** (lesson 03) halves height and width, keeping the strongest response;
# - **flatten → dense** turns the last feature maps into one score (*logit*) per class;
# - **softmax** turns the logits into probabilities (inside the loss).

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask why ReLU is needed before showing the answer on the slide: two convolutions in
# a row are one convolution (with a larger filter), so depth without non-linearity
# buys nothing. Pooling after each block is what lets the last layers see the whole
# event.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The network, layer by layer

# %%
model = detector_cnn()
print(nn.format_summary(nn.summary(model, (1, 64, 64))))

# %% [markdown] slideshow={"slide_type": "notes"}
# Read the shapes down the table: 64 x 64 becomes 32 x 32 (stride 2), then 16, 8 and 4
# by pooling, while the channels grow 8, 16, 32. Parameters sit in the convolutions
# and in the last dense layer; pooling and ReLU have none. Lesson 07 has a browser
# for such tables of famous networks.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Before training
#
# The first convolution uses stride 2: the tracks are several pads wide, so looking at
# every second position loses little and makes everything after it four times cheaper.
# (`input_grad=False`: its input is the data, so its backward pass skips the gradient
# with respect to the images, which nothing needs.)
# Weights start random, *He-initialised* (normal, standard deviation
# $\sqrt{2 / \text{fan-in}}$), which keeps the signal's size about constant through
# ReLU layers. Untrained, the network guesses:

# %%
print(np.round(nn.predict_proba(model, x_val[:4]), 2), "true:", y_val[:4])

# %% [markdown] slideshow={"slide_type": "notes"}
# Each row is one event's three probabilities: all close to one third, as they should
# be for random weights. If a student asks why not start from zeros: every filter
# would then receive the same gradient and stay identical to the others.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Backpropagation through the whole network
#
# The loss of a batch is the mean cross-entropy of the softmax probabilities,
# $J = \frac{1}{N}\sum_i -\log p_{i, y_i}$, where $p_{i, y_i}$ is the probability the
# network gives to the true class $y_i$ of event $i$. Training needs
# $\partial J / \partial w$ for every weight of every layer. The slides' chain rule,
# applied layer by layer from the end:
#
# $$\frac{\partial J}{\partial x_{\ell}} = \frac{\partial J}{\partial x_{\ell+1}} \,
#   \frac{\partial x_{\ell+1}}{\partial x_{\ell}}$$
#
# where $x_\ell$ is the input of layer $\ell$ and $x_{\ell+1}$ its output (the input of
# the next layer).

# %% [markdown] slideshow={"slide_type": "notes"}
# Connect to lesson 02: there the chain rule went through one convolution; here it
# goes through eleven layers, but each layer only needs to know its own derivative.
# That locality is why a framework can offer layers as building blocks.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## One backward pass per layer
#
# Each layer's `backward(dout)` receives
# $\partial J / \partial(\text{its output})$ and returns
# $\partial J / \partial(\text{its input})$, which is the `dout` of the layer before.
# Along the way, convolution and dense layers store $\partial J / \partial w$: the sum
# of lesson 02 (`dJ/dF_i = Σ_k dJ/do_k · x[k+i]`), now in 2-D and over
# channels; max pooling sends each gradient to the maximum (lesson 03); ReLU lets it
# through where its input was positive. `Sequential.backward` checks `dout`, then
# runs this loop:

# %%
show_source(nn.Sequential._backward)

# %% [markdown] slideshow={"slide_type": "notes"}
# Read the loop aloud: these three lines are all of backpropagation in the library;
# everything else is each layer's own derivative, met in lessons 02 and 03. The
# `dout` name recurs in every layer: the gradient arriving from above.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## One training step by hand
#
# Forward, loss, backward, update $w \leftarrow w - \eta\, \partial J / \partial w$:

# %%
logits = model(x_train[:64])
J = softmax_cross_entropy(logits, y_train[:64])
model.zero_grad()
model.backward(softmax_cross_entropy_backward(logits, y_train[:64]))
print(f"loss {J:.2f} (a uniform guess gives log 3 = {np.log(3):.2f})")
print({name: g.shape for name, g in model.grads.items()})

# %%
nn.SGD(model, lr=0.1, momentum=0.0).step()  # every w ← w − η ∂J/∂w, η = 0.1
J_after = softmax_cross_entropy(model(x_train[:64]), y_train[:64])
print(f"loss on the same batch after one step: {J_after:.2f}")

# %% [markdown] slideshow={"slide_type": "notes"}
# The starting loss is log 3, the loss of a uniform guess, which confirms the random
# start. One step lowers the loss on this batch a little; training is thousands of
# such steps. The dictionary shows one gradient per parameter array, with the
# parameter's own shape.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Is the backward pass right?
#
# Compare it with the slope measured numerically,
# $(J(w + \epsilon) - J(w - \epsilon)) / 2\epsilon$, for a tiny network in float64
# (a correct backward agrees far below $10^{-6}$; a bug gives $10^{-2}$ or more):

# %%
tiny = nn.Sequential([nn.Conv2D(1, 2, 3, padding=1), nn.ReLU(), nn.MaxPool2D(),
                      nn.Flatten(), nn.Dense(2 * 4 * 4, 3)]).astype(np.float64)
xs, ys = np.random.default_rng(0).random((4, 1, 8, 8)), np.array([0, 1, 2, 0])
tiny.zero_grad()
tiny.backward(softmax_cross_entropy_backward(tiny(xs), ys))
w0 = tiny.params["0.W"]


def J_of(w):
    w0[...] = w
    return softmax_cross_entropy(tiny(xs), ys)


numeric = numerical_gradient(J_of, w0.copy())
error = relative_error(tiny.grads["0.W"], numeric)
print("relative error of dJ/dw (first conv) below 1e-6:", error < 1e-6)

# %% [markdown] slideshow={"slide_type": "notes"}
# Float64 matters here: in float32 the central difference loses about half its
# digits and the comparison becomes noisy. Every layer of `lessons_lib.nn` passes
# this check in the test suite; a student's own layer should too, before training.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Training
#
# `fit` repeats the step over **mini-batches** of 64 events, shuffled, for a few
# **epochs** (passes over the data), as many as the room can wait for: `live_budget()`
# says how many, on how many training events (all 10,000 on a laptop; fewer in the
# browser edition, where numpy runs on one thread without a fast matrix library).
# After every epoch it measures the loss and accuracy on the **validation** events
# (`validation_data`), never trained on, to watch for overfitting. The optimiser is
# **Adam**: gradient descent with momentum and a step size per weight. Run the next two
# cells and watch the curves grow (about fifteen seconds on a two-core laptop, half a
# minute in the browser: `fit` shares each batch between the CPU cores;
# `progress=True` adds a progress bar).

# %% [markdown] slideshow={"slide_type": "notes"}
# Run both cells live if the room can wait fifteen seconds: the curves grow epoch by
# epoch. Explain the three words on the slide (mini-batch, epoch, validation) before
# pressing Shift + Enter; Adam is one line of the optimiser and can stay a black box
# here. The budget is set by the room's patience, not a choice made on the
# curves: the stored model later in the lesson is trained the careful way.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Watch it learn

# %%
budget = live_budget()  # how many epochs, on how many events
curves = TrainingCurves(epochs=budget.epochs)
display(curves)

# %%
model = detector_cnn()
history = nn.fit(model, x_train[:budget.events], y_train[:budget.events],
                 epochs=budget.epochs, batch_size=64,
                 optimizer=nn.Adam(model, lr=0.003),
                 validation_data=(x_val, y_val),
                 callback=curves.update, progress=False)

# %% [markdown] slideshow={"slide_type": "notes"}
# The first epoch does most of the work: the loss falls from about log 3 to a fraction
# of it. The run is seeded, so the curves look the same on every machine up to the
# last digits.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Reading the curves
#
# The curves of the run, as a figure. The training numbers are averages over an
# epoch's batches, measured while the weights were still improving; the validation
# numbers are measured after the epoch, with the improved weights. That is why the
# validation curve can lie *above* the training one early on; overfitting would show
# as the opposite, a training accuracy that keeps rising while the validation one falls
# behind.

# %% alt="Two line charts over the training epochs, training and validation: the loss falls steeply after the first epoch and then levels off, and the accuracy climbs close to 1, the validation curve above the training one at first and the two meeting by the end."
plot_training_curves(history)

# %% [markdown] slideshow={"slide_type": "notes"}
# The subtle point of the slide: training numbers are measured while the weights move,
# validation numbers after the epoch. Students often read "validation above training"
# as a bug. Overfitting would be the training curve pulling away upwards while the
# validation one stalls; a budget this short is too short for that.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## How good is it?
#
# Measured on the validation events, which the network was not trained on. We are
# about to *choose* with this number (which model to keep), so it serves for choosing,
# not for the final report. Another 2,000 events would give a slightly different
# count: the 95 % interval says how much.

# %% tags=["hide-input", "nbval-ignore-output"]
# Float32 training: the last digits depend on the machine's BLAS library.
val_correct = int(np.sum(nn.predict(model, x_val) == y_val))
Markdown(f"The CNN trained above ({budget}) "
         f"classifies {accuracy_text(val_correct, n_val)} of the "
         f"{n_val:,} validation events right.")

# %%
print(f"at least {budget.accuracy * 100:.0f} % of the validation events right:",
      val_correct >= budget.accuracy * n_val)

# %% [markdown] slideshow={"slide_type": "notes"}
# The exact count depends on the machine's BLAS in the last digits (float32), so the
# notebook checks a threshold rather than a number. The interval is Wilson's: with
# 2,000 events, the count of right answers would move by about a percentage point
# from one sample of events to another. Lesson 05 asks whether accuracy is even the
# right number.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## When training goes wrong
#
# With a learning rate far too large, each step overshoots the valley of the loss and
# lands higher up the other side; left alone, the loss would grow until the numbers
# overflow. `fit` stops as soon as the loss exceeds 20 times its starting value, and
# says what to change (float64 here, so that the numbers are the same on every machine):

# %%
wild = detector_cnn().astype(np.float64)
try:
    nn.fit(wild, x_train[:640], y_train[:640], epochs=2,
           optimizer=nn.SGD(wild, lr=10.0), progress=False)
except nn.TrainingDiverged as error:
    print(error)

# %% [markdown] slideshow={"slide_type": "notes"}
# Read the message aloud: it says what happened and what to change. Lesson 02's
# filter learner showed the same divergence on one filter; a learning rate that is
# too large is the most common reason a first network does not learn.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What convolution buys
#
# Two baselines. **Majority:** always answer the most common training class.
# **Dense:** no convolution, every pad connected to 64 hidden units, then to the three
# class scores; trained on the same events for the same epochs as the CNN (with a smaller
# learning rate, which suits it better). All three models are measured on the same
# 2,000 validation events, each with its 95 % interval: a difference counts when the
# intervals are apart.

# %%
majority = np.bincount(y_train).argmax()
majority_correct = int(np.sum(y_val == majority))
dense = dense_baseline()
nn.fit(dense, x_train[:budget.events], y_train[:budget.events],
       epochs=budget.epochs, optimizer=nn.Adam(dense, lr=0.001),
       validation_data=(x_val, y_val), progress=False)
dense_correct = int(np.sum(nn.predict(dense, x_val) == y_val))

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask for guesses before the next slide: how much better than always answering
# "proton" will a dense network be, and will the CNN beat it?

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Three models compared on validation

# %% alt="Horizontal bar chart of validation accuracy on 2,000 events with 95 % intervals: the majority class (0 parameters) gets half right, the dense network (262,403 parameters) far more, and the CNN (7,555 parameters) the most."
correct = np.array([majority_correct, dense_correct, val_correct])
plot_baselines(["majority class", "dense network", "CNN trained above"],
               correct / n_val, [0, dense.num_params, model.num_params],
               events=n_val)

# %% slideshow={"slide_type": "fragment"} tags=["hide-input", "nbval-ignore-output"]
# Both networks train in float32: counts may differ by a few events elsewhere.
apart = (wilson_interval(val_correct, n_val)[0]
         > wilson_interval(dense_correct, n_val)[1])
verdict = ("beats the dense network (the intervals are apart)" if apart else
           "is not told apart from the dense network (the intervals overlap)")
ratio = dense.num_params / model.num_params
Markdown(f"On the validation events the CNN {verdict} with **{ratio:.0f} "
         f"times fewer parameters**: a filter is shared by all positions, so "
         f"a track segment is recognised wherever it lies, while the dense "
         f"network has to learn every position separately.")

# %% [markdown] slideshow={"slide_type": "notes"}
# The majority baseline gets half the validation events right: half of them are
# protons. The dense network has 262,403 parameters against the CNN's 7,555, the same
# events and the same epochs, and still loses: weight sharing is the lesson's main
# idea, worth saying twice. This is one training run of each; lesson 07 repeats the
# comparison over several seeds.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The model of this lesson
#
# The live run's length was a budget, not a choice. `make weights`
# (`tools/train_detector_cnn.py`) trains the same network on the same 10,000 training
# events and makes the choice on validation: up to 20 epochs, stopping once the
# validation loss has not improved for 3 epochs, keeping the best epoch's weights. It
# stores them in `data/detector_cnn.npz` (plain arrays, no pickle) with their metrics.
#
# **This stored CNN is the model of the lesson** (and of lessons 05-07): from here on,
# "the CNN" means it.

# %% [markdown] slideshow={"slide_type": "notes"}
# Why not the network trained above: its length of training was picked for the room,
# and each student's run differs in the last digits. The stored one is the same on
# every machine, so lessons 05-07 can quote its numbers. Early stopping chose its
# epoch on the validation events, so its validation score flatters it a little: one
# more reason for the test set at the end.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The stored CNN on validation

# %%
stored, metadata = load_detector_cnn()
val_predicted = nn.predict(stored, x_val)
stored_correct = metadata["validation"]["correct"]
difference = int(np.sum(val_predicted == y_val)) - stored_correct
print(f"trained {metadata['epochs']} epochs, kept {metadata['best_epoch']};",
      "its stored validation result reproduced:", abs(difference) <= 1)

# %% tags=["hide-input"]
Markdown(f"The stored CNN classifies {accuracy_text(stored_correct, n_val)} "
         f"of the {n_val:,} validation events right.")

# %% slideshow={"slide_type": "fragment"} tags=["hide-input", "nbval-ignore-output"]
# The live network's count depends on the machine (float32, see above).
overlap = not (wilson_interval(val_correct, n_val)[1]
               < wilson_interval(stored_correct, n_val)[0])
verdict = ("The intervals overlap: on 2,000 events the two runs are not "
           "told apart." if overlap else
           "The stored CNN is ahead: the intervals are apart.")
Markdown(f"The CNN trained above: {accuracy_text(val_correct, n_val)} on the "
         f"same events. {verdict}")

# %% [markdown] slideshow={"slide_type": "notes"}
# The reproduction check allows one event of difference: float32 sums may round
# differently on another machine's BLAS. Point at the intervals: two runs of the same
# network differ, and 2,000 events can only tell apart differences larger than about
# a percentage point.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Look inside: the learned filters
#
# The eight $5 \times 5$ filters of the stored CNN's first layer, learned from random
# numbers:

# %% alt="The eight 5×5 first-layer filters of the stored CNN on a diverging scale around zero: noisy, but several show a band of positive weights beside weaker or negative ones, like oriented line detectors."
plot_filters(stored[0].params["W"])

# %% [markdown]
# Blue is negative, white zero, red positive. They are noisy, but several have a band
# of positive weights with weaker or negative ones beside it: oriented detectors of
# track segments, like lesson 01's hand-made line detectors. Nobody designed them, the
# gradient did.

# %% [markdown] slideshow={"slide_type": "notes"}
# Don't oversell: 5 x 5 filters of a small network are noisy, and some look like
# nothing. The honest statement is "several look like oriented edge or line
# detectors", which is what networks trained on images usually learn first.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Feature maps, block by block
#
# The outputs of the three ReLUs for a proton of the validation events, first six
# channels each. Block 1 works on a 32 × 32 grid (the stride-2 convolution halved the
# 64 × 64 event) and follows the track segment by segment; each pooling halves the grid
# again, so block 3 is an 8 × 8 map of *where* a channel's pattern occurs, coarse but
# about the whole track.

# %% alt="A validation proton (an arc of charge) and the first six channels of each block's feature maps, each on its own scale: block 1 (32×32) traces the arc segment by segment, block 2 (16×16) more coarsely, block 3 (8×8) only marks where patterns occur."
proton, carbon = np.flatnonzero(y_val == 0)[0], np.flatnonzero(y_val == 1)[0]
maps = stored.activations(x_val[proton : proton + 1])
plot_feature_maps(x_val[proton, 0], [(f"block {k + 1}", maps[i][0])
                                     for k, i in enumerate((1, 4, 7))])

# %% [markdown] slideshow={"slide_type": "notes"}
# Point at block 1: it still looks like the track, segment by segment. By block 3 the
# maps are 8 x 8 and say where a pattern occurs, not what the track looks like. Each
# map has its own colour scale, so compare shapes within a map, not brightness
# between maps.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Explore: feature maps of any validation event
#
# Move through the validation events (carbon first). Studying a model to improve it
# is choosing, so it is done on validation, never on test:

# %%
FeatureMapExplorer(stored, x_val, y_val, class_names, event=int(carbon))

# %% [markdown] slideshow={"slide_type": "notes"}
# Drag to a few protons, a carbon and an "other", and read the verdict line: true
# class, predicted class and confidence. A carbon lights up few maps of block 3 in
# one place; a proton's spiral spreads over several.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The mistakes, on validation

# %% alt="Twelve misclassified validation events, each titled true → predicted with the network's confidence: straight sparks (other) taken for protons, proton curls and small rings taken for carbon, faint proton arcs and short carbon tracks taken for other, many confidently wrong."
plot_misclassified(x_val, y_val, val_predicted, class_names,
                   probabilities=nn.predict_proba(stored, x_val))

# %% [markdown] slideshow={"slide_type": "fragment"}
# Typical errors: a spark (a long straight streak) taken for a proton's track, a
# proton leaving almost along the beam (a short curl or a small ring) taken for a
# carbon, a faint proton arc taken for "other", a short carbon track taken for a
# proton or for "other". Some are hard for a physicist too. What we learn here may
# change the next model, which is why we look at validation errors.

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask the room to classify two or three of these before revealing the typical
# errors. Many mistakes are confident (read the "sure" in the titles): a probability
# from a network is not a calibrated certainty. Had we studied the test errors and
# changed the model, the test set would have become a second validation set.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The test set, once
#
# Everything is chosen: the model is the stored CNN. Now, and only now, it meets the
# 2,000 test events, which played no part in any choice. One pass over them, counted
# by the split:

# %%
evaluation = split.evaluate_test(lambda images: nn.predict(stored, images))
test_correct = int(np.sum(evaluation.outputs == evaluation.labels))
difference = test_correct - metadata["test"]["correct"]
print("its stored test result reproduced:", abs(difference) <= 1)

# %% tags=["hide-input"]
n_test, test_stored = split.test_size, metadata["test"]["correct"]
test_low, test_high = wilson_interval(test_stored, n_test)
val_low, val_high = wilson_interval(stored_correct, n_val)
agree = test_low <= val_high and val_low <= test_high
verdict = ("overlaps this one: the test events confirm what validation said."
           if agree else "is apart from this one: validation misled us.")
Markdown(f"**The stored CNN classifies {accuracy_text(test_stored, n_test)} "
         f"of the {n_test:,} test events right**: the lesson's report of how "
         f"it does on new events of this toy simulation. Its validation "
         f"interval {verdict}")

# %% [markdown] slideshow={"slide_type": "notes"}
# Why only once: had we gone back to change the model after seeing this number, the
# test set would have become a second validation set, and its number would flatter.
# Lesson 05 reports the same model on the test events with other metrics.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What this simulation is not
#
# - **A 2-D toy.** Our events are 64 × 64 pictures of the pad plane. The real AT-TPC
#   records each event as a **3-D point cloud**: x and y from its 10,240 pads, z from
#   the electrons' drift time, and a charge for every point.
# - **Not the experiment's numbers.** Every accuracy in this lesson is measured on
#   simulated events against the simulation's own labels.
# - **Simulation is not data.** Kuchera et al. (2019) trained networks on simulated
#   events and tested them on real events labelled by hand: they lost accuracy on the
#   real ones. Real events have noise, broken tracks and reactions a simulation leaves
#   out or gets slightly wrong.

# %% [markdown] slideshow={"slide_type": "notes"}
# The honest frame for everything above: the toy teaches how CNNs are trained and
# judged, not how well they classify AT-TPC events. The drop from simulation to data
# is the rule in experimental physics, not a failure of that paper: a network learns
# whatever separates the simulated classes, including details the simulation gets
# wrong. Our toy also drops the third dimension, which carries the spiral's pitch.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## On real data, a student would have to
#
# 1. **label real events by hand**, a few hundred or more, and keep them for validation
#    and test: only real labelled events can say how the network does on real data;
# 2. **check the simulation against data**: track lengths, charge, noise, before
#    trusting a network trained on it;
# 3. **fine-tune on real events** (lesson 07's transfer learning), choosing on the real
#    validation events;
# 4. **read the accuracy on simulation as an upper bound** on the accuracy on real
#    events.

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask the room which step costs the most (labelling by hand: physicists' time) and why
# it cannot be skipped (without real labels there is no honest validation or test on
# real data). The same three-part discipline as this lesson applies, with real events
# in the validation and test parts.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Key points
#
# - A CNN layer sums lesson 01's correlation over its input channels, for every filter;
#   blocks of convolution → ReLU → pooling, then flatten → dense → softmax.
# - Output size per layer: $1 + \lfloor (H + 2p - k) / s \rfloor$; a convolution has
#   $C_{out} (C_{in} K_h K_w + 1)$ parameters, whatever the image size.
# - Backpropagation is the chain rule run backwards, one `backward` per layer; a
#   numerical gradient check catches mistakes.
# - Train on the training events, make every choice on validation (baselines, length
#   of training, the model, error analysis) with intervals, report on test **once**.
# - Filters and feature maps show what the network learned; misclassified events show
#   what it has not.
# - A toy simulation's accuracy is not an experiment's: real data need real labelled
#   events to validate and test on.

# %% [markdown] slideshow={"slide_type": "notes"}
# If time is short, these six lines are the lesson. The output-size formula and the
# parameter count are what exercise 1 and 2 practise.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# Replace each `...` with your answer and run the cell.
#
# **1.** What is the output shape (channels, height, width) of
# `Conv2D(3, 16, 7, stride=2, padding=3)` on a $3 \times 96 \times 96$ input? Work it
# out without running the layer.

# %%
check_conv_shape(...)

# %% [markdown] slideshow={"slide_type": "notes"}
# Exercise 1 practises the output-size formula of the key points; the common mistake
# is to count the padding on one side only. The reference answers are in
# `tests/test_exercises_04.py` (kept out of this notebook, which students open too).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises (continued)
#
# **2.** A `Conv2D(16, 32, 3, padding=1)` turns a $16 \times 16 \times 16$ input into a
# $32 \times 16 \times 16$ output. How many parameters does it have, and how many would
# a `Dense` layer need to map the same (flattened) input to the same (flattened)
# output? Answer `(conv_parameters, dense_parameters)`.

# %%
check_parameter_counts(...)

# %% [markdown] slideshow={"slide_type": "notes"}
# Exercise 2 is "what convolution buys" in one number: ask the room to guess the
# ratio of the two counts before anyone computes it (it is several thousand).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises (continued)
#
# **3.** Write the backward pass of a dense layer $y = x w^T + b$: a function
# `dense_backward(x, w, dout)` returning `(dx, dw, db)`, with `x` of shape (N, in),
# `w` (out, in) and `dout` (N, out).

# %%
def dense_backward(x, w, dout):
    ...


check_dense_backward(dense_backward)

# %% [markdown] slideshow={"slide_type": "notes"}
# Exercise 3: have students write the shape of each gradient first (each has the
# shape of what it is the gradient of); the formulas follow from the shapes.
