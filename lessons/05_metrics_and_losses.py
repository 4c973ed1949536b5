# %% [markdown] slideshow={"slide_type": "slide"}
# # 05 · Metrics and loss functions
#
# **You will be able to**
# - explain why a 99 % accurate classifier can be useless, and what to measure instead;
# - fill in a confusion matrix and compute accuracy, precision, recall and $F_1$ from it;
# - read a multi-class confusion matrix and choose between macro, micro and weighted averages;
# - turn logits into probabilities with softmax, without overflow;
# - compute MSE, MAE and cross-entropy, and say why cross-entropy trains classifiers;
# - choose a threshold on validation events and report the test events once.
#
# **Slides:** *Application 2: can we use machine learning to **accurately** classify
# events in detectors?*: metrics, the confusion matrix, the perfect model, multi-class
# classification, softmax and loss functions.
#
# *Previous:* [04 · Training a CNN](04_training_a_cnn.ipynb) · *Next:*
# [06 · Attention and the vision transformer](06_attention.ipynb)

# %% slideshow={"slide_type": "skip"}
import numpy as np
from IPython.display import Markdown

from lessons_lib import losses, metrics
from lessons_lib.backprop import numerical_gradient, relative_error
from lessons_lib.datasets import detector_events
from lessons_lib.exercises.metrics import (
    COUNTS_PRED,
    COUNTS_TRUE,
    GRADIENT_LABEL,
    GRADIENT_LOGITS,
    check_average,
    check_counts,
    check_softmax_gradient,
    check_threshold,
)
from lessons_lib.nn.models import load_detector_cnn
from lessons_lib.nn.training import predict_proba
from lessons_lib.plots.metrics import (
    BINARY_CELL_NAMES,
    plot_confusion_matrices,
    plot_confusion_matrix,
    plot_loss_vs_logit,
    plot_losses_against_prediction,
    plot_softmax,
)
from lessons_lib.splits import course_split
from lessons_lib.uncertainty import (
    accuracy_text,
    bootstrap_interval,
    wilson_interval,
)
from lessons_lib.widgets.metrics import ImbalanceExplorer, ThresholdExplorer

# %% [markdown] slideshow={"slide_type": "notes"}
# About an hour with the exercises: 25 minutes for the metrics, 20 for softmax and the
# losses, 15 for the two interactive views and the exercises. The notebook loads the
# CNN that lesson 04 trained (stored weights): run it once before the lecture. Every
# choice is made on the course's validation events; the test events are looked at
# once, on the last slide before the key points.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Can we classify events *accurately*?
#
# Lesson 04 trained a CNN to tell protons from other events in the detector. Before
# trusting it, we need a number that says how good it is. The obvious one is
# **accuracy**: the fraction of events it gets right. This lesson shows why that
# number alone can mislead badly, and which numbers to look at instead.

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask the room first: "a model is 98 % accurate; is it good?" Collect a few answers.
# The next slides show that the question cannot be answered without knowing how
# common each class is.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The 99 % accuracy trap: detecting lung cancer
#
# A screening test for lung cancer is used on 1000 people; 10 of them are sick.
# Here is a "test" that needs no X-ray at all: it declares everybody healthy.

# %% slideshow={"slide_type": "fragment"}
sick = np.r_[np.ones(10, dtype=int), np.zeros(990, dtype=int)]  # 1 = sick
always_healthy = np.zeros(1000, dtype=int)
print(f"accuracy: {metrics.accuracy(sick, always_healthy):.0%}")
print(f"sick people it finds: {metrics.recall(sick, always_healthy):.0%}")

# %% [markdown]
# **99 % accuracy**, and not one sick person found. When one class is rare, a model
# can be right almost always by ignoring that class: accuracy is dominated by the
# common class.

# %% [markdown] slideshow={"slide_type": "notes"}
# Before pressing → for the code and its result, ask what accuracy the lazy test gets;
# most people see 99 % quickly. The second line is the point: it finds 0 % of the sick. This is the
# slides' lung cancer example; any rare event (fraud, a rare particle) behaves alike.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The same trap with detector events
#
# Now 1000 simulated detector events in which only 2 % are protons (the binary view
# of lesson 04's data: label 1 = proton, 0 = not proton), and a "classifier" that never
# says proton:

# %%
rare_images, rare_labels, binary_names = detector_events(
    1000, seed=5, class_mix=(0.02, 0.49, 0.49), view="binary")
never_proton = np.zeros_like(rare_labels)
counts = np.bincount(rare_labels).tolist()
print("events per class:", dict(zip(binary_names, counts, strict=True)))
print("accuracy of 'never proton': "
      f"{metrics.accuracy(rare_labels, never_proton):.1%}")

# %% tags=["hide-input"]
Markdown(f"Right on {np.sum(never_proton == rare_labels)} of these "
         f"{len(rare_labels):,} events, and useless for finding protons.")

# %% [markdown] slideshow={"slide_type": "notes"}
# 20 protons among 1000 events, so "never proton" is right 980 times. The `class_mix`
# argument makes protons rare on purpose; lesson 04 trained on half protons.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Lesson 04's CNN on the same events
#
# Now lesson 04's stored CNN (trained on the course's 10,000 training events) on the
# same events: its proton score is the softmax probability of the class "proton", and
# it predicts the class of largest probability.

# %%
model, model_info = load_detector_cnn()
cnn_rare = (predict_proba(model, rare_images).argmax(axis=1) == 0).astype(int)
for name, y_pred in {"never proton": never_proton, "CNN": cnn_rare}.items():
    print(f"{name:<13} accuracy {metrics.accuracy(rare_labels, y_pred):.3f}   "
          f"F1 {metrics.f1_score(rare_labels, y_pred):.3f}")

# %% tags=["hide-input"]
n_rare = len(rare_labels)
f1_low, f1_high = bootstrap_interval(rare_labels, cnn_rare, metrics.f1_score)
Markdown(
    f"On these {n_rare:,} events, accuracy is "
    f"{accuracy_text(np.sum(never_proton == rare_labels), n_rare)} for 'never "
    f"proton' and {accuracy_text(np.sum(cnn_rare == rare_labels), n_rare)} for "
    f"the CNN: both look excellent. $F_1$ (defined below) is 0 for 'never "
    f"proton' and {metrics.f1_score(rare_labels, cnn_rare):.3f} (95 % interval "
    f"{f1_low:.3f}–{f1_high:.3f}, bootstrap over events) for the CNN: it "
    "separates a model that finds protons from one that never does. To see "
    "why, we look at *which* mistakes a model makes.")

# %% [markdown] slideshow={"slide_type": "notes"}
# Read the two printed lines: accuracy barely tells the models apart, F1 is a different
# world. Do not define F1 yet; promise it a few slides on. Students often ask why the
# CNN's F1 is not close to its accuracy: the answer is its false positives, next.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The confusion matrix
#
# The slides lay the four possible outcomes out as a table: rows are the TRUE class,
# columns the PREDICTED class, the positive class (proton) first.
#
# | | PREDICTED proton | PREDICTED not proton |
# |---|---|---|
# | **TRUE proton** | TRUE POSITIVE (TP) | FALSE NEGATIVE (FN) |
# | **TRUE not proton** | FALSE POSITIVE (FP) | TRUE NEGATIVE (TN) |
#
# `metrics.confusion_matrix(y_true, y_pred, labels=...)` counts them; `labels=[1, 0]`
# puts the proton row and column first, as on the slides.

# %% [markdown] slideshow={"slide_type": "notes"}
# Draw the table on the board if you can, and fill it in for the lazy model with the
# class: everything lands in the right column. Common confusion: which axis is which.
# Here, as on the slides and in scikit-learn, rows are the truth, columns the
# prediction; some books swap them.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Two confusion matrices
#
# The lazy model and the CNN on the 1000 events with 2 % protons. Each cell shows its
# count and, under it, the fraction of its row.

# %% alt="Two confusion matrices for 1000 events with 20 protons (rows TRUE, columns PREDICTED, each cell with count and row fraction): 'never proton' puts all 20 protons in FN and the 980 others in TN; the CNN puts the protons in TP, with a few false positives."
C_never = metrics.confusion_matrix(rare_labels, never_proton, labels=[1, 0])
C_cnn = metrics.confusion_matrix(rare_labels, cnn_rare, labels=[1, 0])
plot_confusion_matrices({"'never proton'": C_never, "CNN": C_cnn},
                        ["proton", "not proton"], cell_names=BINARY_CELL_NAMES)

# %% tags=["hide-input"]
Markdown(
    "Left: every proton lands in FN; accuracy hid that behind the "
    f"{C_never[1, 1]} true negatives. Right: the CNN finds {C_cnn[0, 0]} of "
    f"the {C_cnn[0].sum()} protons, at the price of {C_cnn[1, 0]} false "
    f"positives among the {C_cnn[1].sum()} other events.")

# %% [markdown] slideshow={"slide_type": "notes"}
# Point at the FN cell of the left matrix (all of the protons) and at the FP cell of
# the right one (about 1 % of the others). The colour is the row fraction, so the rare
# proton row is as visible as the common one.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The CNN on the validation events
#
# Now the usual mix of lesson 04 (half protons): the course's 2,000 **validation**
# events, on which every choice in this lesson is made (no weight was fitted to
# them), in the binary view: proton or not.

# %% alt="Confusion matrix of the CNN on the 2,000 validation events, proton or not proton (rows TRUE, columns PREDICTED, each cell with count and row fraction): nearly every event lies on the diagonal, in TP and TN, with only small counts in FN and FP."
split = course_split()  # the course's train / validation / test events
val_images, val_labels = split.validation
probabilities = predict_proba(model, val_images)
is_proton = val_labels == 0
says_proton = probabilities.argmax(axis=1) == 0
CM = metrics.confusion_matrix(is_proton, says_proton, labels=[True, False])
plot_confusion_matrix(CM, ["proton", "not proton"],
                      cell_names=BINARY_CELL_NAMES, title="validation events")

# %% [markdown] slideshow={"slide_type": "notes"}
# 2,000 validation events, 1,000 of them protons: read the four cells aloud. No weight
# was fitted to them, but lesson 04's early stopping watched their loss, so they are
# not quite untouched: that is why the test events wait until the end. Compare with
# the rare events two slides back: a similar number of false positives, but here next
# to about a thousand true positives.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Four numbers, four metrics
#
# From the slides:
#
# $$\text{accuracy} = \frac{TP + TN}{TP + FN + FP + TN} \qquad
# \text{precision} = \frac{TP}{TP + FP}$$
#
# $$\text{recall} = \frac{TP}{TP + FN} \qquad
# F_1 = \frac{2 \cdot \text{precision} \cdot \text{recall}}{\text{precision} + \text{recall}}$$
#
# - **precision**: of the events called proton, how many are protons? (how *pure*)
# - **recall**: of the real protons, how many were found? (how *complete*)
# - **$F_1$**: their harmonic mean, high only when *both* are high.
#
# When a ratio is $0/0$ (a model that never predicts proton has no precision), the
# library returns 0.0, as scikit-learn does with `zero_division=0`.

# %% [markdown] slideshow={"slide_type": "notes"}
# Precision answers the physicist who must trust the selected sample, recall the one
# who must not lose signal. Why a harmonic mean: with precision 1 and recall 0 the
# arithmetic mean is 0.5, F1 is 0. Students mix up the two denominators; "precision
# divides by what the model *said*, recall by what was *true*" helps.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The four metrics by hand
#
# By hand from the four cells, and with the library, for the CNN on both sets of
# events:

# %%
event_sets = {"validation, 50 % protons": (is_proton, says_proton),
              "2 % protons": (rare_labels == 1, cnn_rare == 1)}
for name, (y, y_pred) in event_sets.items():
    TP, FN, FP, TN = metrics.binary_counts(y, y_pred, pos_label=True)
    precision, recall = TP / (TP + FP), TP / (TP + FN)
    f1 = 2 * precision * recall / (precision + recall)
    print(f"{name}: TP={TP} FN={FN} FP={FP} TN={TN}")
    for metric, by_hand in [(metrics.accuracy, (TP + TN) / (TP + FN + FP + TN)),
                            (metrics.precision, precision),
                            (metrics.recall, recall), (metrics.f1_score, f1)]:
        print(f"   {metric.__name__:<9}  by hand {by_hand:.3f}"
              f"   library {metric(y, y_pred):.3f}")

# %% [markdown] slideshow={"slide_type": "notes"}
# Let the class compute one line by hand first, for example precision on the 2 %
# events from the printed TP and FP. The library agrees on every line. Before moving
# on, ask what changed between the two blocks; the next slide gives the answer.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Same model, another mix of events
#
# What changed between the two blocks? Not the model: only how many of the events
# are protons.

# %% tags=["hide-input"]
half, rare = (metrics.binary_counts(y, y_pred, pos_label=True)
              for y, y_pred in event_sets.values())
Markdown(
    "With 2 % protons the same CNN still finds the protons, but its precision "
    f"falls from {accuracy_text(half.TP, half.TP + half.FP)} to "
    f"{accuracy_text(rare.TP, rare.TP + rare.FP)}: its {rare.FP} false "
    f"positives now stand next to {rare.TP} protons instead of {half.TP}. "
    "Accuracy barely notices; precision and $F_1$ do.")

# %% [markdown] slideshow={"slide_type": "notes"}
# The false-positive rate is about the same on both sets of events, but with 2 %
# protons there are far more other events to draw false positives from. Precision
# depends on the class balance, recall does not: remember this for the
# class-imbalance view at the end.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The perfect model
#
# A perfect model predicts every event's true class. Its confusion matrix has
# counts only on the diagonal (TP and TN); FN and FP are zero, so precision, recall,
# $F_1$ and accuracy are all 1. With more classes the same holds: everything on the
# diagonal.

# %%
C_perfect = metrics.confusion_matrix(rare_labels, rare_labels, labels=[1, 0])
print(C_perfect)
print("precision, recall, F1:", metrics.precision(rare_labels, rare_labels),
      metrics.recall(rare_labels, rare_labels),
      metrics.f1_score(rare_labels, rare_labels))

# %% [markdown] slideshow={"slide_type": "notes"}
# A one-minute slide: the slides' "perfect model" is the truth used as the prediction.
# 20 and 980 on the diagonal, zeros elsewhere. In practice a perfect score on test
# data usually means a leak (the labels reached the inputs), not a perfect model.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Multi-class classification
#
# *What does this matrix look like for multi-class classification?* (the slides). One
# row and one column per class: lesson 04's CNN separates protons, carbon ions and
# "other" events (the same 2,000 validation events).

# %% alt="Three-class confusion matrix of the CNN on the validation events (rows true proton, carbon, other; columns predicted; counts and row fractions): nearly all of each row lies on the diagonal, the few errors spread thinly over the other cells."
names = np.array(split.class_names)
true_names = names[val_labels]
predicted_names = names[probabilities.argmax(axis=1)]
C3 = metrics.confusion_matrix(true_names, predicted_names, labels=names)
plot_confusion_matrix(C3, split.class_names, title="CNN, 3 classes, validation")

# %% [markdown] slideshow={"slide_type": "notes"}
# Read one row and one column aloud. The proton row says where the missed protons
# went (carbon or "other"), the proton column where the false protons came from.
# Carbon is almost always found.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Macro, micro and weighted averages
#
# Each class has its own TP (its diagonal cell), FN (the rest of its row) and FP (the
# rest of its column), hence its own precision, recall and $F_1$. Three ways to
# summarise them in one number:
#
# - **macro**: the plain mean over classes. *How good is the model on a typical class?*
#   A rare class counts as much as a common one.
# - **micro**: add up TP, FP and FN over classes first. *How good is it on a typical
#   event?* With every class counted, micro precision = recall = $F_1$ = accuracy.
# - **weighted**: the mean over classes weighted by support (true events per class):
#   common classes dominate, as in micro (weighted recall is exactly the accuracy).

# %%
print(metrics.classification_table(true_names, predicted_names, labels=names))

# %% [markdown] slideshow={"slide_type": "notes"}
# Point at the micro row and at the weighted recall: both equal the accuracy of the
# table. Macro barely differs here because every class is done well. With a rare class
# done badly the three part ways; exercise 3 comes back to this.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## From logits to probabilities: softmax
#
# A classifier for $C$ classes ends with $C$ numbers per event, the **logits**
# $\mathbf{x}$: any real numbers, larger meaning "more likely". Softmax turns them into
# probabilities that are positive and sum to one (the slides' formula):
#
# $$\text{Softmax}(\mathbf{x})_i = \frac{e^{x_i}}{\sum_{j=1}^C e^{x_j}}$$
#
# From here on the logits are called $\mathbf{z}$ (as in the code), so that $x$ stays
# the input image.

# %% [markdown] slideshow={"slide_type": "notes"}
# Two properties to state: the exponential makes every output positive, the division
# makes them sum to one. Order is kept: the largest logit gets the largest
# probability. The name: a smooth version of "put 1 on the maximum" (arg max).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Temperature
#
# A **temperature** $T$ divides the logits first,
# $\text{softmax}(\mathbf{z} / T)$: $T > 1$ flattens the probabilities,
# $T < 1$ sharpens them towards the largest logit. The predicted class is the largest
# logit whatever $T$.

# %% alt="Four bar charts over proton, carbon, other: the logits z = 2, 1, 0.1, then their softmax at T = 0.5 (0.86, 0.12, 0.02), T = 1 (0.66, 0.24, 0.10) and T = 5 (0.40, 0.33, 0.27): lower T sharpens, higher T flattens, proton always largest."
z = np.array([2.0, 1.0, 0.1])  # logits for proton, carbon, other
plot_softmax(z, {f"T = {T:g}": losses.softmax(z, temperature=T)
                 for T in (0.5, 1, 5)},
             ["proton", "carbon", "other"])

# %% [markdown] slideshow={"slide_type": "notes"}
# Logits 2, 1, 0.1. At T = 1 the probabilities are 0.66, 0.24, 0.10; at T = 0.5 the
# largest takes 0.86; at T = 5 they flatten to 0.40, 0.33, 0.27. Proton wins in every
# panel. Temperature is used to calibrate probabilities and in knowledge distillation.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Why softmax subtracts the largest logit
#
# $e^{1000}$ does not fit in a float: it overflows to infinity, and $\infty / \infty$
# is "not a number". Subtracting the largest logit $m$ from all of them changes nothing
# mathematically ($e^{x_i - m} / \sum_j e^{x_j - m}$ is the same fraction) but keeps
# every exponent $\le 0$:

# %%
z_big = np.array([1000.0, 999.0, 0.0])
# the naive formula overflows: its warnings are expected here
with np.errstate(over="ignore", invalid="ignore"):
    naive = np.exp(z_big) / np.exp(z_big).sum()
print("naive :", naive)
print("stable:", np.round(losses.softmax(z_big), 4))

# %% [markdown] slideshow={"slide_type": "notes"}
# The naive line prints nan, nan, 0; the stable one 0.7311, 0.2689, 0. Ask where the
# 0.7311 comes from: the two large logits differ by 1, so it is 1 / (1 + e⁻¹), the
# third is e⁻¹⁰⁰⁰, zero in floating point. Every framework does this shift.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Loss functions
#
# A metric judges a finished model; a **loss** $J$ is what training minimises, so it
# must be smooth enough to differentiate. The slides give three: MSE and MAE compare
# numbers (regression, for example predicting a particle's energy), cross-entropy
# compares probability distributions (classification).
#
# $$\text{MSE:}\quad J(w) = \frac{1}{N} \sum_{i=0}^N (\hat{y}_i - y_i)^2 \qquad
# \text{MAE:}\quad J(w) = \frac{1}{N} \sum_{i=0}^N |\hat{y}_i - y_i|$$
#
# $$\text{CE:}\quad \mathcal{L}(\mathbf{y}, \hat{\mathbf{y}}) = - \sum_{i=1}^N \sum_{j=1}^C y_{ij} \cdot \log(\hat{y}_{ij})$$

# %% [markdown] slideshow={"slide_type": "notes"}
# These are the slides' formulas, as printed there. Point out the slides' index range
# before the next slide fixes it: the sums start at 0 and run to N, one term too many
# for a mean over N samples.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Conventions of the library
#
# In `lessons_lib.losses`, $i$ runs over the $N$ samples
# (the slides' $\sum_{i=0}^{N}$ would count $N + 1$ terms while dividing by $N$; a mean
# over $N$ samples is meant). Cross-entropy on the slides is a **sum**; the library
# returns the **mean** over samples (the sum divided by $N$), like MSE and MAE, so the
# loss does not grow with the batch size. `cross_entropy` clips $\hat{y}$ to
# $[10^{-12}, 1]$, so $\log 0$ never produces an infinite loss.

# %%
y_hat, y = np.array([2.5, 0.0, 2.0, 8.0]), np.array([3.0, -0.5, 2.0, 7.0])
print("MSE:", losses.mse(y_hat, y), "=", np.mean((y_hat - y) ** 2))
print("MAE:", losses.mae(y_hat, y), "=", np.mean(np.abs(y_hat - y)))

# %% [markdown] slideshow={"slide_type": "notes"}
# MSE 0.375 and MAE 0.5 on four numbers; the errors are 0.5, 0.5, 0 and 1. MSE squares
# the largest error (1) and so weighs it most; MAE treats all errors alike. That is
# the whole difference, and why MAE is used when outliers should not dominate.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Cross-entropy with one-hot targets
#
# Cross-entropy compares one-hot targets $\mathbf{y}$ with predicted probabilities
# $\hat{\mathbf{y}}$: only the probability given to the true class counts.

# %%
y_onehot = losses.one_hot([0, 2], 3)  # a proton and an "other" event
y_prob = np.array([[0.7, 0.2, 0.1], [0.2, 0.2, 0.6]])
slides_sum = -np.sum(y_onehot * np.log(y_prob))
print(f"slides' sum {slides_sum:.4f}, divided by N = 2: {slides_sum / 2:.4f}")
print(f"losses.cross_entropy: {losses.cross_entropy(y_onehot, y_prob):.4f}")

# %% [markdown] slideshow={"slide_type": "notes"}
# Only 0.7 (the proton's probability for the proton) and 0.6 (the "other" probability
# for the other event) enter: −(log 0.7 + log 0.6) = 0.8675, divided by 2 gives 0.4338.
# The 0.2 and 0.1 do not enter at all: only the probability of the true class counts.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The three losses against one prediction
#
# For a target $y = 1$ and a prediction $\hat{y}$ between 0 and 1: MSE and MAE stay
# below 1, cross-entropy $-\log \hat{y}$ grows without bound as the prediction
# approaches the wrong answer. Their gradients (right; the axis stops at −10) say how
# hard training pushes the prediction towards the target. MAE pushes with the same
# force at every distance (its slope is −1, and 0 exactly at the target).

# %% alt="Loss (left) and its gradient dJ/dŷ (right) against the prediction ŷ for target y = 1: MSE and MAE stay below 1 while cross-entropy grows without bound as ŷ nears 0; slopes: MSE −2 to 0, MAE −1 (0 exactly at ŷ = 1), cross-entropy −1/ŷ, below −10."
plot_losses_against_prediction(np.linspace(0.01, 1.0, 100))

# %% [markdown] slideshow={"slide_type": "notes"}
# Left: cross-entropy is the only loss that gets large near ŷ = 0. Right: MSE's slope
# goes from −2 to 0, MAE's is −1 everywhere, cross-entropy's −1/ŷ falls off the chart
# below ŷ = 0.1. MAE's slope jumps at the target: the open circle is the −1 it has just
# below ŷ = 1, the dot the 0 it takes exactly there (the "0 exactly at the target" of
# the text). No line joins them: the slope takes no value in between.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Why cross-entropy for classification
#
# Combine softmax and cross-entropy for one event with logits $\mathbf{z}$, one-hot
# target $\mathbf{y}$ and $\hat{\mathbf{y}} = \text{softmax}(\mathbf{z})$:
#
# $$\mathcal{L} = -\sum_j y_j \log \hat{y}_j = -\sum_j y_j z_j + \log \sum_k e^{z_k}
# \quad\text{(using } \textstyle\sum_j y_j = 1\text{)}$$

# %% [markdown] slideshow={"slide_type": "fragment"}
# $$\frac{\partial \mathcal{L}}{\partial z_i} = -y_i + \frac{e^{z_i}}{\sum_k e^{z_k}}
# = \hat{y}_i - y_i$$

# %% [markdown] slideshow={"slide_type": "fragment"}
# The gradient is simply **prediction minus target** (divided by $N$ for the mean over
# a batch).

# %% [markdown] slideshow={"slide_type": "notes"}
# Derive it in three presses. First line: log of a fraction is a difference of logs,
# and the sum of y is 1 because y is one-hot. Ask the class to differentiate before
# the second press: the first term gives −y_i, the log-sum-exp gives softmax. Third
# press: the result. This is why every framework fuses softmax and cross-entropy
# into one layer.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Checking $\hat{\mathbf{y}} - \mathbf{y}$
#
# `losses.softmax_cross_entropy_backward` returns this gradient; we check it against
# the chain rule through softmax and against a numerical gradient:

# %%
logits = np.array([[2.0, 1.0, 0.1], [0.5, -1.0, 3.0]])
labels = np.array([1, 2])
analytic = losses.softmax_cross_entropy_backward(logits, labels)
print(np.round(analytic, 4))
p_hat, y_true = losses.softmax(logits), losses.one_hot(labels, 3)
print("(ŷ − y) / N equal:", np.allclose(analytic, (p_hat - y_true) / 2))
numeric = numerical_gradient(
    lambda v: losses.softmax_cross_entropy(v, labels), logits)
print("relative error to the numerical gradient below 1e-8:",
      relative_error(analytic, numeric) < 1e-8)

# %% [markdown] slideshow={"slide_type": "notes"}
# First row: labels say class 1, the gradient is −0.3788 there (push that logit up)
# and positive for the others; each row sums to zero. Values are halved because the
# batch has two events. Both checks print True.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Confidently wrong: cross-entropy keeps pushing
#
# Two classes with logits $[z, 0]$, the first one true. When $z$ is very negative the
# model is confidently wrong. Cross-entropy's gradient $\hat{y} - y$ stays near $-1$
# there: a strong push. MSE on the softmax output has a gradient that *vanishes* when
# the model is confidently wrong, so learning stalls exactly where it is needed.

# %% alt="Loss (left) and gradient dJ/dz (right) against the true class's logit z from −6 to 6, two classes: when confidently wrong (z near −6) cross-entropy's gradient stays near −1, while MSE after softmax flattens with a gradient near 0, its strongest push only about −0.3."
plot_loss_vs_logit(np.linspace(-6, 6, 121))

# %% [markdown] slideshow={"slide_type": "notes"}
# Point at z = −6 on the right panel: cross-entropy's gradient is close to −1, MSE's
# close to 0. The orange dip is the most MSE ever pushes, about −0.3, and only when
# the model is already unsure. A network that starts confidently wrong on some
# examples would barely learn from them with MSE.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Extreme logits
#
# Computed from the logits, the loss stays finite and exact even for extreme logits
# in float32, where $\hat{y}$ itself rounds to 0:

# %%
extreme = np.array([[1e4, -1e4]], dtype=np.float32)
print(losses.softmax(extreme), losses.softmax_cross_entropy(extreme, [1]))

# %% [markdown] slideshow={"slide_type": "notes"}
# softmax gives [1, 0]: the true class (1) has probability 0 in float32, and log 0
# would be infinite. From the logits the loss is exactly z₀ − z₁ = 20000. This is why
# a network's last layer outputs logits and the loss takes them, rather than
# probabilities.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Moving the decision threshold
#
# "Largest probability wins" is one choice. Calling an event a proton when its proton
# score is at least a **threshold** trades precision for recall: a low threshold finds
# more protons (recall up) but lets in more impostors (precision down). Drag the
# threshold and watch the confusion matrix and the operating point on the
# precision-recall and ROC curves (the area under the ROC curve, AUC, does not depend on
# the threshold: it measures how well the score ranks protons above the rest). These are
# the validation events with half protons; the CNN separates them so well that both
# curves hug the top-left and top-right corners, and the operating point moves along them.

# %% [markdown] slideshow={"slide_type": "notes"}
# Name the trade-off before dragging: a lower threshold calls more events protons,
# recall goes up, precision down. AUC is a property of the score, not of one
# threshold. The view is on the next slide.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Interactive: the decision threshold
#
# Drag the threshold: the score histograms, the confusion matrix and the operating
# point on both curves follow.

# %%
ThresholdExplorer(is_proton, probabilities[:, 0], pos_label=True)

# %% [markdown] slideshow={"slide_type": "notes"}
# At 0.50 the four metrics are those "largest probability wins" gave on these events
# (the first block of "the four metrics by hand"). Drag towards 0: FP grows, the dot
# slides right along the PR curve. Drag towards 1: FN grows. The histogram uses a log
# scale: the few events in the middle are the only ones a threshold decides about.
# Exercise 2 uses this slider.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Class imbalance: accuracy drifts away from $F_1$
#
# The CNN finds a fraction (recall, the true-positive rate) of the protons and wrongly
# flags a fraction (the false-positive rate) of the other events. Those two rates do
# not depend on how many protons there are; accuracy, precision and $F_1$ do. Drag the
# fraction of protons: as protons get rarer, accuracy hardly moves (and when protons
# are rare enough the lazy "always not proton" model even beats it), while precision
# and $F_1$ collapse, because the false positives from the many other events soon
# outnumber the few true protons.

# %% [markdown] slideshow={"slide_type": "notes"}
# This repeats the two blocks of "the four metrics by hand" (half protons, 2 %
# protons), now for every balance. The two rates are measured once, on the validation
# events; everything else follows from them and the fraction of protons. The view is
# on the next slide.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Interactive: class imbalance
#
# The CNN's two rates, measured on the validation events, and a slider for the
# fraction of protons:

# %%
tpr = metrics.recall(is_proton, says_proton)        # protons found
fpr = 1 - metrics.recall(~is_proton, ~says_proton)  # others called proton
ImbalanceExplorer(tpr, fpr, prevalence=0.02)

# %% [markdown] slideshow={"slide_type": "notes"}
# At 2 % protons compare F1 with the one printed for the 1,000 rare events: there the
# recall rests on only 20 protons, while the rates here come from the 2,000 validation
# events. The matrix shows expected counts per 10,000 events, with one decimal, so
# they agree with the curves (protons found divided by 200 is the recall). Drag to the
# left end, one proton in a thousand events: F1 and precision collapse, and the lazy
# model's dashed line passes above the accuracy. Drag to 50 %: the dashed accuracy falls to 0.5. Ask: which number would
# you report for a search for a rare particle?

# %% [markdown] slideshow={"slide_type": "slide"}
# ## When is "always not proton" more accurate?
#
# At a fraction $\pi$ of protons the CNN is right on a fraction
# $\pi \cdot \text{tpr} + (1 - \pi)(1 - \text{fpr})$ of the events, the lazy model on
# $1 - \pi$. The two are equal when $\pi \cdot \text{tpr} = (1 - \pi) \cdot \text{fpr}$:
# when the CNN's true positives and false positives are equally many. So the lazy
# model is the more accurate one below
#
# $$\pi^* = \frac{\text{fpr}}{\text{tpr} + \text{fpr}}.$$

# %% tags=["hide-input"]
crossover = fpr / (tpr + fpr)
(tpr_low, tpr_high), (fpr_low, fpr_high) = (
    wilson_interval(np.sum(y_pred & y), np.sum(y))
    for y, y_pred in [(is_proton, says_proton), (~is_proton, says_proton)])
Markdown(
    f"Lesson 04's stored CNN on the 2,000 validation events finds a fraction "
    f"tpr = {tpr:.3f} of the protons and flags fpr = {fpr:.3f} of the other "
    f"events, so $\\pi^*$ = {100 * crossover:.2f} %: below about one proton "
    f"in {1 / crossover:.0f} events, 'always not proton' is the more accurate "
    f"model. With the rates' 95 % intervals, $\\pi^*$ lies between "
    f"{100 * fpr_low / (tpr_high + fpr_low):.2f} % and "
    f"{100 * fpr_high / (tpr_low + fpr_high):.2f} %.")

# %% [markdown] slideshow={"slide_type": "notes"}
# Derive it on the board: expand the CNN's accuracy, subtract 1 − π, and π·tpr −
# (1 − π)·fpr is left. At π* the expected true and false positives are equal, so the
# precision there is exactly one half. π* grows with fpr and shrinks with tpr, hence
# the interval: the false-positive rate rests on only a handful of events. Drag the
# previous slide's slider to the printed π* to see the dashed line cross accuracy.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Choosing a threshold on validation
#
# A threshold is a choice, so it is made on the validation events. Here we pick the one
# with the largest $F_1 = 2\,TP / (2\,TP + FP + FN)$, computed from the counts at every
# distinct score (`metrics.threshold_counts`):

# %%
levels, tp, fp, n_pos, _ = metrics.threshold_counts(
    is_proton, probabilities[:, 0], pos_label=True)
f1_at = 2 * tp / (tp + fp + n_pos)  # FN = n_pos − TP
chosen = float(levels[f1_at.argmax()])

# %% tags=["hide-input"]
Markdown(
    "On the 2,000 validation events, lesson 04's stored CNN reaches its best "
    f"$F_1$, {f1_at.max():.3f}, at threshold {chosen:.3f}: an event is called "
    "a proton when its proton score is at least that.")

# %% [markdown] slideshow={"slide_type": "notes"}
# Any criterion fixed in advance would do (exercise 2 uses another one); what matters
# is that the test events play no part in it. The formula for F1 from the counts is
# the harmonic mean of precision and recall written out.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The test set, once
#
# Every choice is made. Now, once, the CNN runs over the 2,000 test events of the course
# split, which no choice has seen, at the threshold chosen on validation. The split
# counts this evaluation; one prediction pass gives all four metrics.

# %%
evaluation = split.evaluate_test(lambda x: predict_proba(model, x))
test_proton = evaluation.labels == 0
test_says = evaluation.outputs[:, 0] >= chosen
val_says = probabilities[:, 0] >= chosen

# %% tags=["hide-input"]
def row(y, y_pred):
    """Precision, recall (Wilson), F1 (bootstrap), accuracy (Wilson)."""
    c = metrics.binary_counts(y, y_pred, pos_label=True)
    low, high = bootstrap_interval(y, y_pred, metrics.f1_score)
    f1 = 100 * metrics.f1_score(y, y_pred)
    return (accuracy_text(c.TP, c.TP + c.FP), accuracy_text(c.TP, c.TP + c.FN),
            f"{f1:.1f} % (95 % interval {100 * low:.1f}–{100 * high:.1f} %)",
            accuracy_text(c.TP + c.TN, len(y)))


table = zip(("precision", "recall", "$F_1$", "accuracy"),
            row(is_proton, val_says), row(test_proton, test_says), strict=True)
Markdown(
    f"Lesson 04's stored CNN (trained on the course's "
    f"{model_info['train']['events']:,} training events, best epoch "
    f"{model_info['best_epoch']} of {model_info['epochs']}), proton against "
    f"the rest at the threshold {chosen:.3f} chosen on validation; intervals "
    "by Wilson, for $F_1$ by bootstrap over events:\n\n"
    f"| | {len(val_labels):,} validation events "
    f"| {len(test_proton):,} test events |\n|---|---|---|\n"
    + "\n".join(f"| {name} | {v} | {t} |" for name, v, t in table))

# %% [markdown] slideshow={"slide_type": "notes"}
# The test column is the number to report for this model and threshold; the validation
# column is what the choices were made on. Where the intervals overlap, the two sets of
# events do not tell the model apart. Do not go back and change the threshold after
# seeing the test column: then the test events would have made a choice too.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Key points
#
# - Accuracy alone misleads when classes are imbalanced: "always healthy" is 99 %
#   accurate on a rare disease. Look at the **confusion matrix**.
# - **Precision** = TP / (TP + FP) (how pure the positives are), **recall** =
#   TP / (TP + FN) (how many positives are found), **$F_1$** their harmonic mean.
# - The perfect model's confusion matrix is diagonal.
# - With several classes, per-class metrics are averaged: **macro** (every class counts
#   the same), **micro** (every event counts the same), **weighted** (by support).
# - **Softmax** turns logits into probabilities; subtracting the largest logit prevents
#   overflow.
# - MSE and MAE suit regression; **cross-entropy** suits classification: with softmax
#   its gradient is $\hat{y} - y$, large when the model is confidently wrong.
# - Choose on the **validation** events (a threshold, a model); evaluate the **test**
#   events once, at the end, and report their scores with 95 % intervals.

# %% [markdown] slideshow={"slide_type": "notes"}
# If time is short, stop here and leave the exercises for home; exercise 2 needs the
# threshold slider, so show where it is.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# Replace each `...` with your answer and run the cell; the check says whether it is
# right and gives a hint if not.
#
# **Exercise 1.** Twelve events, the truth and a model's answers (below). With
# "proton" as the positive class, give `(TP, FN, FP, TN)` (exact counts).

# %%
for truth, answer in zip(COUNTS_TRUE, COUNTS_PRED, strict=True):
    print(f"true {truth:<7} predicted {answer}")

# %%
check_counts(...)

# %% [markdown] slideshow={"slide_type": "notes"}
# About 15 minutes for the four. Reference answers: `tests/test_exercises_05.py` (not
# in the students' notebook). Exercise 1: suggest making a tally on paper, row by
# row; the usual slip is swapping FN and FP.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercise 2: a threshold for 95 % recall
#
# **Exercise 2.** A physics analysis must keep at least 95 % of the protons. Find the
# threshold on the CNN's proton score `probabilities[:, 0]` that reaches a recall of at
# least 95 % on the validation events with the best precision possible (a precision at
# most 5 × 10⁻⁴ below the best counts as best; a threshold at most 5 × 10⁻³ from a best
# one is accepted, so two decimals are enough). Try the threshold slider above, or
# compute `metrics.precision_recall_curve`.

# %%
check_threshold(..., is_proton, probabilities[:, 0], pos_label=True)

# %% [markdown] slideshow={"slide_type": "notes"}
# Exercise 2: the slider moves in hundredths, enough to get close; the exact answer needs
# `metrics.precision_recall_curve`. Going lower than needed keeps recall but loses
# precision; the check says which way to move.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercise 3: which average
#
# **Exercise 3.** A detector sees 10 000 "other" events for every 10 protons, and a
# model misses most of the protons while getting almost every other event right. Which
# average of $F_1$ (`"macro"`, `"micro"` or `"weighted"`) shows the failure on protons
# most clearly?

# %%
check_average(...)

# %% [markdown] slideshow={"slide_type": "notes"}
# Let students argue from the definitions rather than recall: which average divides by
# the number of classes, which by the number of events? Reference answer:
# tests/test_exercises_05.py.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercise 4: the gradient of softmax cross-entropy
#
# **Exercise 4.** One event with logits `GRADIENT_LOGITS` (proton, carbon, other) and
# true class `GRADIENT_LABEL`. Give $\partial \mathcal{L} / \partial \mathbf{z}$ of the
# softmax cross-entropy (three numbers, each accepted within 0.005: two decimals are
# enough). Compute it with `losses.softmax` and a one-hot vector, not with
# `softmax_cross_entropy_backward`.

# %%
print(GRADIENT_LOGITS, GRADIENT_LABEL)
check_softmax_gradient(...)

# %% [markdown] slideshow={"slide_type": "notes"}
# Exercise 4 is the ŷ − y slide for one event (no division by N). Students who call
# `softmax_cross_entropy_backward` to check themselves are fine; the exercise asks
# them to build it from softmax and a one-hot vector.
