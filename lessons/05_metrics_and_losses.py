# %% [markdown] slideshow={"slide_type": "slide"}
# # 05 · Metrics and loss functions
#
# **You will be able to**
# - explain why a 99 % accurate classifier can be useless, and what to measure instead;
# - fill in a confusion matrix and compute accuracy, precision, recall and $F_1$ from it;
# - read a multi-class confusion matrix and choose between macro, micro and weighted averages;
# - turn logits into probabilities with softmax, without overflow;
# - compute MSE, MAE and cross-entropy, and say why cross-entropy trains classifiers.
#
# **Slides:** *Application 2: can we use machine learning to **accurately** classify
# events in detectors?*: metrics, the confusion matrix, the perfect model, multi-class
# classification, softmax and loss functions.
#
# *Previous:* [04 · Training a CNN](04_training_a_cnn.ipynb) · *Next:*
# [06 · Attention and the vision transformer](06_attention.ipynb)

# %%
import numpy as np

from lessons_lib import losses, metrics
from lessons_lib.backprop import numerical_gradient, relative_error
from lessons_lib.datasets import detector_events
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
from lessons_lib.widgets.metrics import ImbalanceExplorer, ThresholdExplorer

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Can we classify events *accurately*?
#
# Lesson 04 trained a CNN to tell protons from other events in the detector. Before
# trusting it, we need a number that says how good it is. The obvious one is
# **accuracy**: the fraction of events it gets right. This lesson shows why that
# number alone can mislead badly, and which numbers to look at instead.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The 99 % accuracy trap: detecting lung cancer
#
# A screening test for lung cancer is used on 1000 people; 10 of them are sick.
# Here is a "test" that needs no X-ray at all: it declares everybody healthy.

# %%
sick = np.r_[np.ones(10, dtype=int), np.zeros(990, dtype=int)]  # 1 = sick
always_healthy = np.zeros(1000, dtype=int)
print(f"accuracy: {metrics.accuracy(sick, always_healthy):.0%}")
print(f"sick people it finds: {metrics.recall(sick, always_healthy):.0%}")

# %% [markdown]
# **99 % accuracy**, and not one sick person found. When one class is rare, a model
# can be right almost always by ignoring that class: accuracy is dominated by the
# common class.

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

# %% [markdown]
# 98 % accurate, useless for finding protons. Now lesson 04's trained CNN on the same
# events: its proton score is the softmax probability of the class "proton", and it
# predicts the class of largest probability.

# %%
model, model_info = load_detector_cnn()
cnn_rare = (predict_proba(model, rare_images).argmax(axis=1) == 0).astype(int)
for name, y_pred in {"never proton": never_proton, "CNN": cnn_rare}.items():
    print(f"{name:<13} accuracy {metrics.accuracy(rare_labels, y_pred):.3f}   "
          f"F1 {metrics.f1_score(rare_labels, y_pred):.3f}")

# %% [markdown]
# Both look excellent by accuracy. $F_1$ (defined below) separates a model that finds
# protons from one that never does. To see why, we need to look at *which* mistakes
# a model makes.

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
# puts the proton row and column first, as on the slides. Each cell below shows its
# count and, under it, the fraction of its row.

# %%
C_never = metrics.confusion_matrix(rare_labels, never_proton, labels=[1, 0])
C_cnn = metrics.confusion_matrix(rare_labels, cnn_rare, labels=[1, 0])
plot_confusion_matrices({"'never proton'": C_never, "CNN": C_cnn},
                        ["proton", "not proton"], cell_names=BINARY_CELL_NAMES)

# %% [markdown]
# Left: every proton lands in FN, the lazy model finds none of them. Accuracy hid
# that, because the 980 true negatives swamp the 20 misses. Right: the CNN finds all
# 20 protons; its price is 7 false positives among the 980 other events.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The CNN on held-out events
#
# Now the usual mix of lesson 04 (half protons), on the held-out test events that
# lesson 04 reports its accuracy on (never seen in training), in the binary view:
# proton or not.

# %%
test = model_info["test"]  # how many test events, and their seed
test_images, test_labels, class_names = detector_events(
    test["events"], seed=test["data_seed"])
probabilities = predict_proba(model, test_images)
is_proton = test_labels == 0
says_proton = probabilities.argmax(axis=1) == 0
C = metrics.confusion_matrix(is_proton, says_proton, labels=[True, False])
plot_confusion_matrix(C, ["proton", "not proton"], cell_names=BINARY_CELL_NAMES,
                      title="CNN, held-out events")

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

# %% [markdown] slideshow={"slide_type": "subslide"}
# By hand from the four cells, and with the library, for the CNN on both sets of
# events:

# %%
event_sets = {"held-out, 50 % protons": (is_proton, says_proton),
              "2 % protons": (rare_labels == 1, cnn_rare == 1)}
for name, (y, y_pred) in event_sets.items():
    TP, FN, FP, TN = metrics.binary_counts(y, y_pred, pos_label=True)
    P, R = TP / (TP + FP), TP / (TP + FN)
    print(f"{name}: TP={TP} FN={FN} FP={FP} TN={TN}")
    for metric, by_hand in [(metrics.accuracy, (TP + TN) / (TP + FN + FP + TN)),
                            (metrics.precision, P), (metrics.recall, R),
                            (metrics.f1_score, 2 * P * R / (P + R))]:
        print(f"   {metric.__name__:<9}  by hand {by_hand:.3f}"
              f"   library {metric(y, y_pred):.3f}")

# %% [markdown]
# With half protons the four numbers are close (recall a little lower: the CNN misses
# 22 protons but calls only 7 other events protons). With 2 % protons the same CNN
# keeps its recall, but its precision falls from 0.99 to 0.74: the same 7 false
# positives now stand next to 20 protons instead of 978. Accuracy barely notices;
# precision and $F_1$ do.

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

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Multi-class classification
#
# *What does this matrix look like for multi-class classification?* (the slides). One
# row and one column per class: lesson 04's CNN separates protons, carbon ions and
# "other" events.

# %%
names = np.array(class_names)
true_names = names[test_labels]
predicted_names = names[probabilities.argmax(axis=1)]
C3 = metrics.confusion_matrix(true_names, predicted_names, labels=names)
plot_confusion_matrix(C3, class_names, title="CNN, 3 classes")

# %% [markdown] slideshow={"slide_type": "subslide"}
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
# the input image. A **temperature** $T$ divides the logits first,
# $\text{softmax}(\mathbf{z} / T)$: $T > 1$ flattens the probabilities,
# $T < 1$ sharpens them towards the largest logit. The predicted class is the largest
# logit whatever $T$.

# %%
z = np.array([2.0, 1.0, 0.1])  # logits for proton, carbon, other
plot_softmax(z, {f"T = {T:g}": losses.softmax(z, temperature=T)
                 for T in (0.5, 1, 5)},
             ["proton", "carbon", "other"])

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Why softmax subtracts the largest logit
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
#
# **Conventions of the library** (`lessons_lib.losses`): $i$ runs over the $N$ samples
# (the slides' $\sum_{i=0}^{N}$ would count $N + 1$ terms while dividing by $N$; a mean
# over $N$ samples is meant). Cross-entropy on the slides is a **sum**; the library
# returns the **mean** over samples (the sum divided by $N$), like MSE and MAE, so the
# loss does not grow with the batch size. `cross_entropy` clips $\hat{y}$ to
# $[10^{-12}, 1]$, so $\log 0$ never produces an infinite loss.

# %%
y_hat, y = np.array([2.5, 0.0, 2.0, 8.0]), np.array([3.0, -0.5, 2.0, 7.0])
print("MSE:", losses.mse(y_hat, y), "=", np.mean((y_hat - y) ** 2))
print("MAE:", losses.mae(y_hat, y), "=", np.mean(np.abs(y_hat - y)))

# %% [markdown] slideshow={"slide_type": "subslide"}
# Cross-entropy compares one-hot targets $\mathbf{y}$ with predicted probabilities
# $\hat{\mathbf{y}}$: only the probability given to the true class counts.

# %%
y_onehot = losses.one_hot([0, 2], 3)  # a proton and an "other" event
y_prob = np.array([[0.7, 0.2, 0.1], [0.2, 0.2, 0.6]])
slides_sum = -np.sum(y_onehot * np.log(y_prob))
print(f"slides' sum {slides_sum:.4f}, divided by N = 2: {slides_sum / 2:.4f}")
print(f"losses.cross_entropy: {losses.cross_entropy(y_onehot, y_prob):.4f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The three losses against one prediction
#
# For a target $y = 1$ and a prediction $\hat{y}$ between 0 and 1: MSE and MAE stay
# below 1, cross-entropy $-\log \hat{y}$ grows without bound as the prediction
# approaches the wrong answer. Their gradients (right; the axis stops at −10) say how
# hard training pushes the prediction towards the target. MAE pushes with the same
# force at every distance (its slope is −1, and 0 exactly at the target).

# %%
plot_losses_against_prediction(np.linspace(0.01, 1.0, 100))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Why cross-entropy for classification
#
# Combine softmax and cross-entropy for one event with logits $\mathbf{z}$, one-hot
# target $\mathbf{y}$ and $\hat{\mathbf{y}} = \text{softmax}(\mathbf{z})$:
#
# $$\mathcal{L} = -\sum_j y_j \log \hat{y}_j = -\sum_j y_j z_j + \log \sum_k e^{z_k}
# \quad\text{(using } \textstyle\sum_j y_j = 1\text{)}$$
#
# $$\frac{\partial \mathcal{L}}{\partial z_i} = -y_i + \frac{e^{z_i}}{\sum_k e^{z_k}}
# = \hat{y}_i - y_i$$
#
# The gradient is simply **prediction minus target** (divided by $N$ for the mean over
# a batch). `losses.softmax_cross_entropy_backward` returns it; we check it against the
# chain rule through softmax and against a numerical gradient:

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

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Confidently wrong: cross-entropy keeps pushing
#
# Two classes with logits $[z, 0]$, the first one true. When $z$ is very negative the
# model is confidently wrong. Cross-entropy's gradient $\hat{y} - y$ stays near $-1$
# there: a strong push. MSE on the softmax output has a gradient that *vanishes* when
# the model is confidently wrong, so learning stalls exactly where it is needed.

# %%
plot_loss_vs_logit(np.linspace(-6, 6, 121))

# %% [markdown]
# Computed from the logits, the loss stays finite and exact even for extreme logits
# in float32, where $\hat{y}$ itself rounds to 0:

# %%
extreme = np.array([[1e4, -1e4]], dtype=np.float32)
print(losses.softmax(extreme), losses.softmax_cross_entropy(extreme, [1]))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Moving the decision threshold
#
# "Largest probability wins" is one choice. Calling an event a proton when its proton
# score is at least a **threshold** trades precision for recall: a low threshold finds
# more protons (recall up) but lets in more impostors (precision down). Drag the
# threshold and watch the confusion matrix and the operating point on the
# precision-recall and ROC curves (the area under the ROC curve, AUC, does not depend on
# the threshold: it measures how well the score ranks protons above the rest). These are
# the held-out events with half protons; the CNN separates them so well that both curves
# hug the top-left and top-right corners, and the operating point moves along them.

# %%
ThresholdExplorer(is_proton, probabilities[:, 0], pos_label=True)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Class imbalance: accuracy drifts away from $F_1$
#
# The CNN finds a fraction (recall, the true-positive rate) of the protons and wrongly
# flags a fraction (the false-positive rate) of the other events. Those two rates do
# not depend on how many protons there are; accuracy, precision and $F_1$ do. Drag the
# fraction of protons: as protons get rarer, accuracy hardly moves (and below a few
# percent the lazy "always not proton" model even beats it), while precision and $F_1$
# collapse, because the false positives from the many other events soon outnumber the
# few true protons.

# %%
tpr = metrics.recall(is_proton, says_proton)        # protons found
fpr = 1 - metrics.recall(~is_proton, ~says_proton)  # others called proton
ImbalanceExplorer(tpr, fpr, prevalence=0.02)

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

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# Replace each `...` with your answer and run the cell; the check says whether it is
# right and gives a hint if not.
#
# **Exercise 1.** Twelve events, the truth and a model's answers (below). With
# "proton" as the positive class, give `(TP, FN, FP, TN)`.

# %%
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

for truth, answer in zip(COUNTS_TRUE, COUNTS_PRED, strict=True):
    print(f"true {truth:<7} predicted {answer}")

# %%
check_counts(...)

# %% [markdown] slideshow={"slide_type": "subslide"}
# **Exercise 2.** A physics analysis must keep at least 95 % of the protons. Find the
# threshold on the CNN's proton score `probabilities[:, 0]` that reaches recall
# $\ge 0.95$ on the held-out events with the best precision possible (a precision within
# 0.0005 of the best counts as best). Try the threshold slider above, or compute
# `metrics.precision_recall_curve`.

# %%
check_threshold(..., is_proton, probabilities[:, 0], pos_label=True)

# %% [markdown] slideshow={"slide_type": "subslide"}
# **Exercise 3.** A detector sees 10 000 "other" events for every 10 protons. Which
# average of $F_1$ (`"macro"`, `"micro"` or `"weighted"`) gives the rare proton class
# the same weight as the common one?

# %%
check_average(...)

# %% [markdown] slideshow={"slide_type": "subslide"}
# **Exercise 4.** One event with logits `GRADIENT_LOGITS` (proton, carbon, other) and
# true class `GRADIENT_LABEL`. Give $\partial \mathcal{L} / \partial \mathbf{z}$ of the
# softmax cross-entropy (three numbers, three decimals are enough). Compute
# it with `losses.softmax` and a one-hot vector, not with
# `softmax_cross_entropy_backward`.

# %%
print(GRADIENT_LOGITS, GRADIENT_LABEL)
check_softmax_gradient(...)
