# %% [markdown] slideshow={"slide_type": "slide"}
# # 06 · Attention and the vision transformer
#
# **You will be able to**
# - cut an image into patches and write it as the slides' $N \times E$ matrix $X$;
# - compute $Q = XW_Q$, $K = XW_K$, $V = XW_V$, the scores $QK^T$, the attention
#   $A = \mathrm{softmax}(QK^T)$ and the output $Z = AV$, by hand and in code;
# - explain why the scores are divided by $\sqrt{d_k}$, and what multi-head attention adds;
# - say how real vision transformers encode where a patch is;
# - train a tiny vision transformer (ViT) on the detector events and compare it with
#   lesson 04's CNN, and see where its attention looks.
#
# **Slides:** *Another approach: Visual Transformer*: patches of the figure matrix,
# linear embedding with position, $Q$, $K$, $V$, $QK^T$, softmax, $Z = AV$, scaled
# dot-product attention and multi-head attention ("Attention Is All You Need").
#
# *Previous:* [05 · Metrics and losses](05_metrics_and_losses.ipynb) ·
# *Next:* [07 · Architectures and workflow](07_architectures.ipynb)

# %% slideshow={"slide_type": "skip"}
import numpy as np
from IPython.display import display

from lessons_lib.attention import (
    attention_saturation,
    multi_head_attention,
    patchify,
    prepend_position_index,
    scaled_dot_product_attention,
    sinusoidal_position_encoding,
    slides_x_copies,
    small_integer_weights,
    table_slips,
)
from lessons_lib.datasets import figure_matrix
from lessons_lib.detector import CLASS_NAMES
from lessons_lib.exercises.attention import (
    check_attention_row,
    check_query_shape,
    check_score_spread,
)
from lessons_lib.nn import Adam, evaluate, fit, format_summary, summary
from lessons_lib.nn.transformer import (
    VIT_CONFIG,
    VIT_IMAGE_SHAPE,
    detector_split,
    load_tiny_vit,
    tiny_vit,
)
from lessons_lib.plots.attention import (
    plot_attention_rows,
    plot_comparison,
    plot_matrices,
    plot_patches,
    plot_position_encoding,
    plot_position_similarity,
    plot_saturation,
    plot_table_slips,
)
from lessons_lib.widgets.attention import (
    AttentionExplorer,
    LiveTrainingCurves,
    PatchSizeExplorer,
)

np.set_printoptions(precision=3, suppress=True)

# %% [markdown] slideshow={"slide_type": "notes"}
# About an hour with the exercises. The first half (patches to multi-head attention) is
# hand-checkable arithmetic on the slides' 8 × 9 figure matrix; the second half trains a
# tiny ViT on lesson 04's detector events and compares it with the CNN. Run the notebook
# before class: the short training run takes a few seconds, everything else is instant.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Another approach
#
# A convolution looks at a small window: an output pixel of a $3 \times 3$ filter sees
# 9 input pixels, and only stacking many layers lets information travel across the
# image. A **vision transformer** does the opposite: it cuts the image into patches
# and lets **every patch look at every other patch** in a single step, with weights
# that depend on the patches' contents. That step is **attention**.
#
# We follow the slides on their 8 × 9 figure matrix, then train a tiny transformer
# on the detector events of lesson 04.

# %% [markdown] slideshow={"slide_type": "notes"}
# The contrast to draw: a convolution's weights are fixed after training and the same
# at every position; attention's mixing weights are computed from the data, afresh for
# every image. Ask: how many 3 × 3 layers (stride 1, no pooling) does it take before a
# pixel in one corner of a 64 × 64 image can influence the opposite corner? (Each layer
# reaches one pixel further: 63 layers. Attention does it in one.)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Patches
#
# The slides cut the figure matrix into **four 4 × 4 patches**, numbered row by row.
# Four columns fit twice across the 9 columns; the **ninth column is dropped**
# because it cannot fill a whole patch (it would need three more columns), which is
# what `patchify` does with any leftover rows or columns. Real ViTs avoid the loss
# by choosing image sizes that are multiples of the patch size (224 = 14 × 16).

# %%
A = figure_matrix()
plot_patches(A, 4)

# %% [markdown] slideshow={"slide_type": "notes"}
# Point at the grey column on the right of the image: 8 of the 72 pixels belong to no
# patch (the caption under the figure says so). Then follow one patch across: patch 0's
# 16 pixels, read row by row, become row 0 of the table, after its index 0 in red.
# Students often expect patches to be flattened column by column; here, as in
# `numpy.reshape`, it is row by row.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Linear embedding with position: the matrix $X$
#
# Each patch is flattened row by row into 16 numbers, and its **position index** is
# written in front: one row of $X$ per patch. $N = 4$ patches (tokens), $E = 17$
# features each.

# %%
patches = patchify(A, 4)
X = prepend_position_index(patches)
print("X shape (N, E):", X.shape)
X.astype(int)

# %% [markdown] slideshow={"slide_type": "notes"}
# The vocabulary: a row of X is a token, N is the number of tokens, E the number of
# features of each. Row 1 is the empty patch: all zeros after its index 1. Keep X in
# view for the next slides: every later matrix is computed from it.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The slides' copies of $X$
#
# The first five *Visual Transformer* slides print this table five times, in three
# versions that do not all agree. Computed from the matrix, the table settles it. The
# cells where a printed version differs from $X$ are outlined in red:

# %%
copies = slides_x_copies()
plot_table_slips(X, copies)

# %% [markdown] slideshow={"slide_type": "notes"}
# A short detour with a point: a table typed by hand slips; a table computed from the
# matrix cannot. Let the room find the red outlines before moving on: one cell in
# lecture slide 2's copy (which also stops early), four in row 3 of lecture slides 3
# and 4.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Where the copies differ

# %%
for name, copy in copies.items():
    print(f"{name!r:26} {copy.shape[1]} columns,"
          f" differing cells (row, column): {table_slips(X, copy)}")

# %% [markdown] slideshow={"slide_type": "fragment"}
# - **Slides 1 and 5** print it right.
# - **Slide 2** stops after 13 columns (12 of each patch's 16 pixels), and row 0's last
#   printed value, in column 12, is a 1 where $X$ has a 0.
# - **Slides 3 and 4** have row 3 shifted: its pixels from column 5 to 12 moved one
#   column to the right (a 0 slipped in at column 5).

# %% [markdown] slideshow={"slide_type": "notes"}
# Before the bullets appear, ask what kind of mistake four differing cells in one row
# could be: one slip that shifts the rest of the row, not four separate typos. Column
# numbers count the index column as column 0.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Queries, keys and values
#
# Three weight matrices turn each token into a **query** (what am I looking for?), a
# **key** (what do I contain?) and a **value** (what do I pass on?):
# $Q = XW_Q$, $K = XW_K$, $V = XW_V$. In a network they are learned; here they are
# small random integers, so that every product can be checked by hand. The slides
# draw square $E \times E$ weights; the width $d_k$ of $Q$ and $K$ is a free choice,
# and $d_k = 4$ keeps the arithmetic short.

# %%
W_Q, W_K, W_V = (small_integer_weights(17, 4, seed=s) for s in (28, 29, 30))
Q, K, V = X @ W_Q, X @ W_K, X @ W_V

# %%
print("Q =\n", Q.astype(int), "\nK =\n", K.astype(int),
      "\nV =\n", V.astype(int))

# %% [markdown] slideshow={"slide_type": "notes"}
# The analogy that helps: a query is a search request, a key is an index card, a value
# is the content behind the card. Point out the shapes: X is 4 × 17 and each W is
# 17 × 4, so Q, K and V are 4 × 4, one row per patch. A common confusion: Q, K and V
# are three views of the same tokens, not three different inputs.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## $Q = XW_Q$, drawn
#
# Row $n$ of $Q$ adds up the rows of $W_Q$ where row $n$ of $X$ has a 1 (pixel $j$ of
# the patch meets row $j + 1$ of $W_Q$), plus the index $n$ times the first row,
# $W_Q[0]$. For example $Q[1]$: patch 1 is empty and its index is 1, so
# $Q[1] = 1 \cdot W_Q[0]$.

# %%
plot_matrices({"X": X, "W_Q": W_Q, "Q = X W_Q": Q}, operators=["·", "="])

# %% [markdown] slideshow={"slide_type": "notes"}
# Check Q[1] live: the first row of W_Q is 0, 1, −1, 1, and so is Q[1]. Then, if
# there is time, have the room compute Q[0] from the rows of W_Q under the 1s of row 0
# of X (the index is 0, so W_Q[0] does not count). Two minutes.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Scores: $QK^T$
#
# The score of query $n$ for key $m$ is the dot product $Q[n] \cdot K[m]$: large
# when they point the same way. All of them at once: $QK^T$, an $N \times N$ matrix.

# %%
scores = Q @ K.T
plot_matrices({"Q": Q, "Kᵀ": K.T, "scores = Q Kᵀ": scores},
              operators=["·", "="])

# %% [markdown] slideshow={"slide_type": "notes"}
# Do one score by hand: row 1 of Q (0, 1, −1, 1) with column 2 of Kᵀ (4, 1, −2, −1)
# gives 0 + 1 + 2 − 1 = 2, the entry in row 1, column 2 of the scores. Row 1 is the
# one exercise 1 uses. Note that the scores matrix is not symmetric: query 0 for key 2
# (5) differs from query 2 for key 0 (−8), because Q and K are different projections.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Attention: $A = \mathrm{softmax}(QK^T)$, row by row
#
# The softmax of lesson 05 turns each row of scores into weights that are positive
# and sum to one: row $n$ says how much patch $n$ attends to each patch.

# %%
Z_plain, A_plain = scaled_dot_product_attention(Q, K, V, scale=False)
print("A =\n", A_plain, "\nrow sums:", A_plain.sum(axis=1))

# %%
plot_attention_rows(A_plain[None], titles=["A = softmax(Q Kᵀ)"])

# %% [markdown] slideshow={"slide_type": "notes"}
# Read row 1: scores 1, −1, 2, −1 become 0.25, 0.03, 0.68, 0.03. The largest score
# gets most of the weight, but not all of it; a difference of 3 in the scores is a
# factor e³ ≈ 20 in the weights. Columns do not sum to one, rows do: ask
# which patch is attended to most overall (patch 2, by queries 1, 2 and 3).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Output: $Z = AV$
#
# Row $n$ of $Z$ is the average of the rows of $V$, weighted by row $n$ of $A$: each
# patch's new representation mixes in what the patches it attends to pass on.

# %%
plot_matrices({"A": A_plain, "V": V, "Z = A V": Z_plain}, operators=["·", "="])

# %% [markdown] slideshow={"slide_type": "notes"}
# Rows 1 to 3 of Z look alike because all three queries put most of their weight on
# patch 2. Z has the shape of V (4 × 4); in a real transformer it is then projected
# back to E features and added to X (the residual connection you will see in the tiny
# ViT).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Scaled dot-product attention: why $\sqrt{d_k}$
#
# "Attention Is All You Need" divides the scores by $\sqrt{d_k}$:
# $A = \mathrm{softmax}(QK^T / \sqrt{d_k})$. If the $d_k$ entries of a query and a key
# are independent, with mean 0 and variance 1, their dot product has variance $d_k$:
# the wider the vectors, the more spread out the scores, and the softmax of very
# spread-out numbers gives (almost) all the weight to one key. Its gradient then
# vanishes, and the network stops learning where to look.

# %%
saturation = attention_saturation([1, 2, 4, 8, 16, 32, 64, 128, 256, 512])
print("std of the unscaled scores:", np.round(saturation["score_std"], 1))
plot_saturation(saturation)

# %% [markdown] slideshow={"slide_type": "notes"}
# The printed spreads follow √d_k: about 2.8 at d_k = 8, about 22.7 at 512
# (√512 ≈ 22.6). Red: without scaling, the largest weight of a row creeps towards 1 as
# d_k grows; blue: with it, it stays flat. Exercise 3 practises the variance argument
# above. A frequent confusion: scaling does not change which key wins, only how
# decisively.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Scaling on the slides' example
#
# On the slides' example ($d_k = 4$, so the scores are halved), scaling softens every row:

# %%
Z, A_scaled = scaled_dot_product_attention(Q, K, V)
plot_attention_rows(np.stack([A_plain, A_scaled]),
                    titles=["softmax(Q Kᵀ)", "softmax(Q Kᵀ / √d_k)"])

# %% [markdown] slideshow={"slide_type": "notes"}
# Compare row 0: 0.84 on patch 0 becomes 0.63. Halving the scores is the same as
# taking the square root of every unnormalised weight, so big weights shrink and small
# ones grow. Row 1 of the right map is what exercise 1 asks students to compute by
# hand: if the exercise is set as homework, do not dwell on that row.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Enormous scores stay finite
#
# The softmax subtracts each row's largest score before exponentiating, so even
# enormous scores give finite weights that sum to one:

# %%
_, A_huge = scaled_dot_product_attention(1e6 * Q, K, V, scale=False)
print(A_huge, "\nfinite:", np.isfinite(A_huge).all(),
      " row sums:", A_huge.sum(axis=1))

# %% [markdown] slideshow={"slide_type": "notes"}
# e¹⁰⁰⁰ already overflows float64; with the maximum subtracted, the largest exponent
# is e⁰ = 1. The result is the extreme case of saturation: each row is
# one-hot on its largest score (patch 0 for query 0, patch 2 for the others). This is
# lesson 05's stable softmax again.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Multi-head attention
#
# One attention map can only express one way of relating patches. **Multi-head
# attention** runs $n_h$ attentions side by side (`num_heads`): $Q$, $K$ and $V$ are
# split into $n_h$ blocks of columns, each head attends with its own block, the heads' outputs are
# joined side by side and multiplied by one more matrix, $W_O$.
#
# $$\mathrm{MultiHead}(X) = [\,Z_1 \;|\; \cdots \;|\; Z_{n_h}\,]\, W_O, \qquad
# Z_i = \mathrm{softmax}\!\left(\frac{Q_i K_i^T}{\sqrt{d_k}}\right) V_i$$
#
# Here two heads of $d_k = 4$: $W_Q$, $W_K$, $W_V$ are $17 \times 8$ and $W_O$ is
# $8 \times 17$, so that $Z$ has the shape of $X$.

# %%
W_Q2, W_K2, W_V2 = (small_integer_weights(17, 8, seed=s) for s in (40, 41, 42))
W_O = small_integer_weights(8, 17, seed=43)
Z_heads, A_heads = multi_head_attention(X, W_Q2, W_K2, W_V2, W_O, num_heads=2)
print("Z:", Z_heads.shape, " A:", A_heads.shape)

# %% [markdown] slideshow={"slide_type": "notes"}
# Walk the shapes: Q is 4 × 8, split into two 4 × 4 blocks, one per head; each head
# makes a 4 × 4 attention map (hence A is 2 × 4 × 4) and a 4 × 4 output; joined they
# are 4 × 8, and W_O (8 × 17) brings them back to 4 × 17, the shape of X. The cost is
# the same as one head of width 8.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Two heads, two attention maps

# %%
plot_attention_rows(A_heads, titles=["head 0", "head 1"])

# %% [markdown]
# The two heads attend differently. With square $E \times E$ weights each head takes
# $E / n_h$ columns, so $n_h$ must divide $E$. Real ViTs choose $E$ to suit (for example
# 768 = 12 heads × 64). Here $E = 17$, a prime: what happens with two heads?

# %% slideshow={"slide_type": "fragment"}
try:
    multi_head_attention(X, *[np.eye(17)] * 4, num_heads=2)
except ValueError as error:
    print("ValueError:", error)

# %% [markdown] slideshow={"slide_type": "notes"}
# Head 1 sends queries 0, 2 and 3 almost entirely to patch 3 (0.99, 1, 1); head 0
# sends query 0 to patch 0 (0.93) and query 3 to patch 2 (0.8). Before the error
# appears, ask what two heads on E = 17 columns would each get (8.5 columns: no such
# thing). Our earlier Ws were 17 × 8, so the split was fine there.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Where is a patch? Position encodings
#
# Attention itself has no idea where a token sits: it compares contents only. Shuffle
# the patches (here without the index column) and the output rows are shuffled the
# same way, nothing else changes:

# %% slideshow={"slide_type": "fragment"}
W_p = [small_integer_weights(16, 8, seed=s) for s in (50, 51, 52)]
W_pO = small_integer_weights(8, 16, seed=53)
order = np.array([2, 0, 3, 1])
Z_patches, _ = multi_head_attention(patches, *W_p, W_pO, num_heads=2)
Z_shuffled, _ = multi_head_attention(patches[order], *W_p, W_pO, num_heads=2)
print("shuffled output == shuffled rows of the output:",
      np.allclose(Z_shuffled, Z_patches[order]))

# %% [markdown]
# So position must be written **into** the tokens. The slides' index column does that,
# in the simplest way. It does not scale: with 64 patches the index reaches 63 while
# the pixels are between 0 and 1, so one feature drowns all the others; and one
# number cannot say that patch 8 sits right below patch 0 on an 8 × 8 grid.

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask for a prediction before the code appears: if we shuffle the patches, what
# happens to the output? Attention is permutation-equivariant: shuffled in, shuffled
# out, the same rows. A picture and its patches shuffled like a puzzle would look the
# same to it. That is why the slides prepend the index.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What vision transformers do instead
#
# 1. **Patch embedding**: a learned matrix $W_E$ maps each flattened patch to $E$
#    numbers of our choosing, $x_n = W_E\,\mathrm{patch}_n + b$ (a convolution with
#    $P \times P$ filters and stride $P$).
# 2. **Position embedding**: a vector $p_n$ is *added* (not prepended) to token $n$.
#    ViT learns the $p_n$; the original transformer uses fixed sines and cosines of
#    different frequencies, on the next slide: every position gets its own code, and
#    nearby positions get similar codes.
# 3. **Class token**: one more learned token is put in front; after the transformer
#    blocks, its state summarises the image and feeds the classifier.

# %% [markdown] slideshow={"slide_type": "notes"}
# The link to lesson 01: a patch embedding is a convolution whose stride equals its
# filter size, so the patches do not overlap. Students ask why add rather than
# append: adding keeps E unchanged, and in a high-dimensional space the network can
# learn to keep content and position in different directions.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Sinusoidal position codes

# %%
plot_position_encoding(sinusoidal_position_encoding(64, 32))

# %% [markdown] slideshow={"slide_type": "notes"}
# Left: each row is the code of one position; the first features oscillate fast, the
# last ones slowly, like the digits of a counter. Middle: the bright diagonal band says
# that a code is most similar to itself and to its neighbours (the colours span the
# similarities that occur, about 0.33 to 1). Right: averaged over all pairs the same
# distance apart, the similarity falls from 1 to about 0.7 within four positions, then
# ripples between about 0.35 and 0.7: nearby positions get similar codes without any
# learning, far ones are not told apart by distance alone.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## A tiny vision transformer
#
# The pieces above, with a backward pass each (`lessons_lib.nn.transformer`), make a
# ViT that trains with lesson 04's `fit`: patch embedding (8 × 8 patches of a 64 × 64
# event: 64 tokens of $E = 32$), class token, learned position embedding, two
# transformer blocks, and a classifier on the class token. A block is
#
# $$x \leftarrow x + \mathrm{MultiHead}(\mathrm{LayerNorm}(x)), \qquad
# x \leftarrow x + \mathrm{MLP}(\mathrm{LayerNorm}(x))$$
#
# attention mixes the tokens, the MLP transforms each token on its own, and the
# residual additions let the gradient flow straight through.

# %%
vit = tiny_vit(VIT_IMAGE_SHAPE, 3, **VIT_CONFIG)
print(format_summary(summary(vit, VIT_IMAGE_SHAPE)))

# %% [markdown] slideshow={"slide_type": "notes"}
# Read the summary top to bottom: 64 tokens of 32 features, 65 with the class token;
# each transformer block has 8,416 parameters, most of the 21,187 in total. The token
# count stays 65 through both blocks, and only the class token reaches the final
# dense layer. Lesson 04's CNN, for comparison, has 7,555 parameters.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Training it on the detector events
#
# The events of lesson 04, with its split: 10,000 training events (of which `fit`
# holds out a tenth to validate after each epoch) and 2000 test events. A short run
# here (1500 training events, two epochs) shows the curves move; the full run (6 epochs,
# the learning rate decaying to zero) was done by `tools/train_vit.py`, and its
# weights are loaded below.

# %%
(x_train, y_train), (x_test, y_test) = detector_split()
curves = LiveTrainingCurves(title="tiny ViT, short run")
display(curves)
history = fit(vit, x_train[:1500], y_train[:1500], epochs=2,
              optimizer=Adam(vit, lr=0.002), validation_split=0.1,
              callback=curves.update, progress=False)

# %% [markdown] slideshow={"slide_type": "notes"}
# Run this cell live if the laptop allows (a few seconds): the curves redraw after each
# epoch. Two epochs on 1500 events are only a demonstration; the point is that the
# same `fit` of lesson 04 trains a transformer. The stored weights come next.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The fully trained ViT
#
# The stored, fully trained ViT: its training curves, and its accuracy on the 2000
# test events, recomputed now from the stored weights.

# %%
trained_vit, vit_info = load_tiny_vit()
test_accuracy = evaluate(trained_vit, x_test, y_test)["accuracy"]
print(f"test accuracy: {test_accuracy:.1%} (stored with the weights: "
      f"{vit_info['test_accuracy']:.1%})")
LiveTrainingCurves(title="tiny ViT, tools/train_vit.py",
                   history=vit_info["history"])

# %% [markdown] slideshow={"slide_type": "notes"}
# 92.8 % on the test events, recomputed from the weights and equal to the stored
# figure. The curves: the validation loss falls with the training loss and stays close
# to it for all six epochs, so the ViT is not memorising its training events.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## ViT and CNN side by side
#
# `tools/train_vit.py` also trained lesson 04's CNN on the same events, with the same
# epochs, batches and decaying Adam steps (from lesson 04's learning rate), then both
# again on **a tenth of the training events** (for ten times as many epochs: the same
# number of gradient steps).

# %% slideshow={"slide_type": "fragment"}
comparison = vit_info["comparison"]
for name, row in comparison.items():
    print(f"{name}: {row['params']:>6,} parameters,"
          f" test accuracy {row['full']:.1%}"
          f" (a tenth of the data: {row['tenth']:.1%})")

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask the room to guess before pressing → for the numbers: which wins, the newer
# architecture with three times the parameters, or the CNN? The next slide draws them.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Test accuracy: all the events, and a tenth

# %%
plot_comparison(comparison, test_labels=y_test, class_names=CLASS_NAMES)

# %% [markdown]
# On these small images and this little data the CNN wins at both sizes, with a third
# of the parameters: about 5 points ahead with all the events, and still about 5 with a
# tenth.

# %% [markdown] slideshow={"slide_type": "notes"}
# CNN 97.5 % against ViT 92.8 % with all the events, 89.8 % against 84.7 % with a
# tenth. Both are far above the dotted line: half the test events are protons, so a
# model that always answers "proton" already scores 50 % (not one in three). The gap
# does not close with less data here; the next slide says why it still might with far
# more.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Why the CNN wins here: inductive bias
#
# A convolution **assumes** that what matters
# is local and looks the same everywhere (the same small filter at every position):
# this built-in assumption, the CNN's *inductive bias*, is knowledge it does not need
# to learn. The ViT has to **learn** which patches relate, even what "neighbouring"
# means. Here both lose about 8 points with a tenth of the data: the experiment shows
# the CNN's head start, not a crossing. That takes far more data: in the ViT paper
# (Dosovitskiy et al., 2021) transformers matched and then beat the best CNNs only
# when pre-trained on 14 to 300 million images.

# %% [markdown] slideshow={"slide_type": "notes"}
# The sentence to leave them with: an assumption that is true is free data. Students
# sometimes conclude "transformers are worse"; the honest conclusion is "at this data
# size". The position embeddings on the next slide show what the ViT had to learn
# that the CNN got for free.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What the ViT learned about positions
#
# Nobody told the ViT that its 64 patches form an 8 × 8 grid. Did it find out? Compare
# the learned position embeddings of patches (the patch itself is outlined; its own
# similarity, 1, is off the colour scale):

# %%
# row 0 is the class token's position: keep the patches' positions only
learned_positions = trained_vit[2].params["pos"][1:]
plot_position_similarity(learned_positions, (8, 8))

# %% [markdown] slideshow={"slide_type": "notes"}
# Let the room answer the question from the maps before moving on. If the ViT had
# learned the grid, each map would show a bright blob around the outlined patch, as
# the sinusoidal codes did along their diagonal. The answer is on the next slide.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Did it find the grid?
#
# Hardly. Apart from each patch's own code, the similarities look mostly like noise.
# On average, neighbours are a little more alike than patches four steps apart (about
# 0.10 against 0.05, on the right), but single pairs scatter far more than that, and
# some far-apart pairs are as alike as neighbours (the rightmost points average only
# a few pairs). With these 9000 events the ViT has learned, at most, a faint trace
# of the neighbourhoods that a convolution has built in.

# %% [markdown] slideshow={"slide_type": "notes"}
# Go back one slide to point at the right panel: the curve starts near 0.10 at distance
# 1, dips to about 0.05 around distance 4 to 6, then jumps about at large distances,
# where only a handful of pairs exist (distance 14: the two pairs of opposite corners).
# Warn against reading the jump at 14 as "far patches are alike".

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Explore: where does the ViT look?
#
# Pick a test event, a block, a head, and a query: the class token (whose state
# decides the class) or one patch (outlined). The event is drawn dark on white, and
# its attention over the 64 patches tints them blue: the bluer, the more weight (the
# weight the query gives the class token has no patch to colour; the title on the
# right says how much it is). Below, a patch on a proton's track, in head 1 of the
# last block, attends mostly to other patches of the same track.

# %%
AttentionExplorer(trained_vit, x_test[:40], y_test[:40], CLASS_NAMES,
                  head=1, query=27)

# %% [markdown] slideshow={"slide_type": "notes"}
# Live: first point at the outlined patch on the track and the blue patches along
# the same track. Then switch the query to the class token and step through a few
# events, and try the other heads of the same block: heads differ, as in the small
# example. Ask what a misclassified event's attention looks like (move the event
# slider until the title's true and predicted classes differ). Keep expectations
# modest: these maps show where the model looks, not why it decides.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Explore: patch size
#
# Back to the figure matrix. Change the patch size: the number of patches $N$, the
# width $E = 1 + P^2$ of the slides' table and the pixels lost at the border all change.
# With $P = 1$ every pixel is a token; from $P = 5$ on a single patch is left, one
# token, and attention has nothing to relate.

# %%
PatchSizeExplorer()

# %% [markdown] slideshow={"slide_type": "notes"}
# Drag from 4 down to 2 (16 patches of E = 5, the same 8 pixels lost) and 1 (72 tokens
# of E = 2, nothing lost), then up to 5 (one patch). The trade-off to name: small
# patches give many tokens, and attention's cost grows with the square of their
# number; large patches give few tokens and lose detail and border pixels.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Key points
#
# - A ViT cuts the image into $N$ patches: the tokens, rows of $X$ ($N \times E$).
#   The slides' $X$ is four 4 × 4 patches of the figure matrix with the index in front.
# - $Q = XW_Q$, $K = XW_K$, $V = XW_V$; $A = \mathrm{softmax}(QK^T/\sqrt{d_k})$ row by
#   row (each row sums to one); $Z = AV$.
# - Divide by $\sqrt{d_k}$: unscaled scores spread like $\sqrt{d_k}$ and saturate the
#   softmax.
# - Multi-head attention: $n_h$ attentions on $n_h$ column blocks, joined and projected by $W_O$.
# - Attention does not know positions: real ViTs add learned (or sinusoidal) position
#   embeddings to a learned linear patch embedding, and classify from a class token.
# - Convolution's locality is built in; a ViT must learn it from data. On small data
#   (here 9000 events, or 900) the CNN wins.

# %% [markdown] slideshow={"slide_type": "notes"}
# If time is short, these six bullets are the lesson. Ask one student to say the
# attention formula aloud from memory, with the shape of every matrix.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# Replace each `...` with your answer and run the cell.
#
# **1.** By hand (a calculator for $e^x$ is fine): row 1 of
# $A = \mathrm{softmax}(QK^T / \sqrt{d_k})$ for this lesson's $Q$ and $K$ (row 1 of the
# scores $QK^T$ is in the *Scores* figure). Answer with a list of 4 numbers, with two
# decimals or more.

# %%
check_attention_row(...)

# %% [markdown] slideshow={"slide_type": "notes"}
# Hint for those stuck: start from row 1 of the scores (1, −1, 2, −1), divide by
# √d_k = 2, then exponentiate and normalise. The usual slip is forgetting the division,
# which gives the unscaled row 0.25, 0.03, 0.68, 0.03 of the attention slide. The
# reference answers are in tests/test_exercises_06.py (kept out of this notebook,
# which students open too).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercise 2: the shape of $Q$
#
# **2.** A 64 × 64 image is cut into 8 × 8 patches, each embedded into $E = 32$
# features (no class token), and $W_Q$ is $32 \times 32$. What is the shape of $Q$?
# Answer with a tuple `(rows, columns)`.

# %%
check_query_shape(...)

# %% [markdown] slideshow={"slide_type": "notes"}
# Hint: count the patches first (how many 8-pixel patches fit along 64 pixels, and
# how many in the whole image), then remember that Q has one row per token. Common
# wrong answers are the patch grid and the attention map's shape.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercise 3: the spread of the scores
#
# **3.** A query and a key each have $d_k = 64$ independent entries of mean 0 and
# variance 1. What is the standard deviation of their dot product?

# %%
check_score_spread(...)

# %% [markdown] slideshow={"slide_type": "notes"}
# Hint: the dot product is a sum of d_k independent products; variances of
# independent terms add, and each product here has variance 1. The printed spreads on
# the scaling slide let students check their reasoning afterwards.
