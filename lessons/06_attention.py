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
from IPython.display import Markdown, display

from lessons_lib.attention import (
    attention_saturation,
    ink_profile_weights,
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
from lessons_lib.exercises.attention import (
    check_attention_row,
    check_query_shape,
    check_score_spread,
)
from lessons_lib.nn import (
    Adam,
    fit,
    format_summary,
    live_budget,
    predict,
    summary,
)
from lessons_lib.nn.transformer import (
    VIT_CONFIG,
    VIT_IMAGE_SHAPE,
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
from lessons_lib.splits import course_split
from lessons_lib.uncertainty import accuracy_text, wilson_interval
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

# %% alt="The figure matrix cut into four numbered 4×4 patches, its ninth column left outside every patch, beside the table X (N × E = 4 × 17): each row a patch's index followed by its 16 pixels read row by row, row 1 (the empty patch) all zeros."
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

# %% alt="The slides' three printed versions of X, compared with the computed one: slides 1 and 5 match it; slide 2 lacks the last 4 columns and differs in one cell of row 0; slides 3 and 4 differ in four outlined cells of row 3."
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
# $Q = XW_Q$, $K = XW_K$, $V = XW_V$. In a network they are learned; here we choose
# them: **$W_Q = W_K$ count the ink in each of a patch's 4 rows**, so a patch attends
# most to the patches whose ink lies in the same rows as its own. ($W_V$ is small
# random integers; $d_k = 4$, a free choice, keeps the arithmetic short.)

# %%
W_Q = W_K = ink_profile_weights(4)
W_V = small_integer_weights(17, 4, seed=30)
Q, K, V = X @ W_Q, X @ W_K, X @ W_V

# %%
print("Q =\n", Q.astype(int), "\nK =\n", K.astype(int),
      "\nV =\n", V.astype(int))

# %% [markdown] slideshow={"slide_type": "notes"}
# The construction: W_Q is 17 × 4 of zeros and ones; its row 1 + 4i + j (pixel j of
# patch row i) has a 1 in column i, and its row 0 (the index) is zero. So Q[n, i] is
# the number of lit pixels in row i of patch n, and position plays no part. With
# W_K = W_Q, the score Q[n] · K[m] is large when patches n and m have ink in the same
# rows. Ask the room to predict before the next slides: patches 2 and 3 both hold the
# figure's horizontal bar in their second row, so they should attend to each other;
# the empty patch 1 has a query of zeros, so it has no preference. The analogy that
# helps: a query is a search request, a key is an index card, a value is the content
# behind the card. Shapes: X is 4 × 17, each W is 17 × 4, so Q, K and V are 4 × 4.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## $Q = XW_Q$, drawn
#
# Row $n$ of $Q$ adds up the rows of $W_Q$ where row $n$ of $X$ has a 1 (pixel $j$ of
# the patch meets row $j + 1$ of $W_Q$); the index meets $W_Q[0]$, a row of zeros.
# Each block of four pixel rows of $W_Q$ sends one patch row to one column of $Q$:
# $Q[2] = (1, 4, 1, 1)$, and the 4 is patch 2's row of the horizontal bar.

# %% alt="The product Q = X W_Q drawn as matrices: X (4×17) times W_Q (17×4), whose blocks of four ones send each patch row to one column, gives Q, the ink in each patch row: (2, 2, 1, 2), (0, 0, 0, 0), (1, 4, 1, 1), (1, 4, 1, 1)."
plot_matrices({"X": X, "W_Q": W_Q, "Q = X W_Q": Q}, operators=["·", "="])

# %% [markdown] slideshow={"slide_type": "notes"}
# Check Q[0] live: patch 0 reads 1 0 1 0 / 0 1 1 0 / 0 0 1 0 / 0 0 1 1, so its rows
# hold 2, 2, 1 and 2 lit pixels: Q[0] = (2, 2, 1, 2). Q[1] is all zeros (the empty
# patch), whatever its index. Q[2] and Q[3] are equal: their patches differ, but
# their ink per row does not, and that is all this W_Q sees.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Scores: $QK^T$
#
# The score of query $n$ for key $m$ is the dot product $Q[n] \cdot K[m]$: large
# when they point the same way. All of them at once: $QK^T$, an $N \times N$ matrix.

# %% alt="The product Q Kᵀ drawn as matrices: Q times Kᵀ (both 4×4, with K = Q) gives symmetric scores: 19 among patches 2 and 3, 13 between patch 0 and each patch with ink, and 0 in the row and column of the empty patch 1."
scores = Q @ K.T
plot_matrices({"Q": Q, "Kᵀ": K.T, "scores = Q Kᵀ": scores},
              operators=["·", "="])

# %% [markdown] slideshow={"slide_type": "notes"}
# Do one score by hand: row 2 of Q (1, 4, 1, 1) with column 3 of Kᵀ (1, 4, 1, 1)
# gives 1 + 16 + 1 + 1 = 19, the largest score: patches 2 and 3 share the bar. Row 0
# scores 13 for each patch with ink. The matrix is symmetric only because we chose
# W_K = W_Q; learned projections differ, and then query n for key m differs from
# query m for key n.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Attention: $A = \mathrm{softmax}(QK^T)$, row by row
#
# The softmax of lesson 05 turns each row of scores into weights that are positive
# and sum to one: row $n$ says how much patch $n$ attends to each patch.

# %%
Z_plain, A_plain = scaled_dot_product_attention(Q, K, V, scale=False)
print("A =\n", A_plain, "\nrow sums:", A_plain.sum(axis=1))

# %% alt="The attention matrix A = softmax(Q Kᵀ), query patch by row, key by column: query 0 gives 0.33 to each of patches 0, 2 and 3, the empty patch 1 gives 0.25 to all, queries 2 and 3 give 0.5 to patches 2 and 3."
plot_attention_rows(A_plain[None], titles=["A = softmax(Q Kᵀ)"])

# %% [markdown] slideshow={"slide_type": "notes"}
# Check the prediction: queries 2 and 3 put almost all their weight on patches 2 and
# 3 (a score of 19 against 13 is a factor e⁶ ≈ 400), query 0 splits its weight evenly
# over the three patches with ink, and the empty patch's row is a quarter everywhere:
# equal scores give equal weights. Columns do not sum to one, rows do.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Output: $Z = AV$
#
# Row $n$ of $Z$ is the average of the rows of $V$, weighted by row $n$ of $A$: each
# patch's new representation mixes in what the patches it attends to pass on.

# %% alt="The product Z = A V drawn as matrices: A (4×4 attention weights) times V (4×4 small integers) gives Z, whose rows 2 and 3 are equal, (−4, −5, 1, 2), and whose row 1 is the plain average of the rows of V."
plot_matrices({"A": A_plain, "V": V, "Z = A V": Z_plain}, operators=["·", "="])

# %% [markdown] slideshow={"slide_type": "notes"}
# Rows 2 and 3 of Z are equal: equal queries give equal attention rows, so equal
# mixtures of V. Row 1 is the plain average of V's rows. Z has the shape of V (4 × 4);
# in a real transformer it is then projected back to E features and added to X (the
# residual connection you will see in the tiny ViT).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Scaled dot-product attention: why $\sqrt{d_k}$
#
# "Attention Is All You Need" divides the scores by $\sqrt{d_k}$:
# $A = \mathrm{softmax}(QK^T / \sqrt{d_k})$. If the $d_k$ entries of a query and a key
# are independent, with mean 0 and variance 1, their dot product has variance $d_k$:
# the wider the vectors, the more spread out the scores, and the softmax of very
# spread-out numbers gives (almost) all the weight to one key. Its gradient then
# vanishes, and the network stops learning where to look.

# %% alt="Line chart of the largest weight in a row of A against d_k from 1 to 512 (log scale): without scaling it climbs from about 0.2 towards 1 as one key takes it all, while with division by √d_k it stays flat near 0.2 to 0.25."
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
# On the slides' example ($d_k = 4$, so the scores are halved), scaling softens the rows:

# %% alt="The slides' attention matrix without and with scaling by √d_k side by side: rows 0 and 1 are unchanged, while rows 2 and 3 soften slightly, from 0, 0, 0.5, 0.5 to 0.02, 0, 0.49, 0.49."
Z, A_scaled = scaled_dot_product_attention(Q, K, V)
plot_attention_rows(np.stack([A_plain, A_scaled]),
                    titles=["softmax(Q Kᵀ)", "softmax(Q Kᵀ / √d_k)"])

# %% [markdown] slideshow={"slide_type": "notes"}
# Compare row 2: the weight on patch 0 grows from about a thousandth to a few
# hundredths. Halving the scores is the same as taking the square root of every
# unnormalised weight, so big weights shrink and small ones grow; the order of the
# weights never changes.

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
# is e⁰ = 1. The result is the extreme case of saturation: each row puts all its
# weight on its largest scores, shared where they tie (patches 2 and 3 for queries 2
# and 3; the three patches with ink for query 0). This is lesson 05's stable softmax
# again.

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
# Here two heads of $d_k = 4$: $W_Q = W_K$ is $17 \times 8$, **head 0 counts the ink
# in each row** of a patch as before, **head 1 in each column**; $W_V$ ($17 \times 8$)
# and $W_O$ ($8 \times 17$, so that $Z$ has the shape of $X$) are random.

# %%
W_Q2 = W_K2 = np.hstack([ink_profile_weights(4, "rows"),
                         ink_profile_weights(4, "columns")])
W_V2 = small_integer_weights(17, 8, seed=42)
W_O = small_integer_weights(8, 17, seed=43)
Z_heads, A_heads = multi_head_attention(X, W_Q2, W_K2, W_V2, W_O, num_heads=2)
print("Z:", Z_heads.shape, " A:", A_heads.shape)

# %% [markdown] slideshow={"slide_type": "notes"}
# Before the maps appear, ask which patches head 1 will pair: patches 0 and 2 both
# hold the figure's vertical line in their third column. Walk the shapes: Q is 4 × 8,
# split into two 4 × 4 blocks, one per head; each head
# makes a 4 × 4 attention map (hence A is 2 × 4 × 4) and a 4 × 4 output; joined they
# are 4 × 8, and W_O (8 × 17) brings them back to 4 × 17, the shape of X. The cost is
# the same as one head of width 8.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Two heads, two attention maps

# %% alt="Attention matrices of two heads: head 0, counting ink per patch row, pairs patches 2 and 3 (0.49 each); head 1, counting ink per column, sends queries 0 and 2 to patches 0 and 2 (0.49 each) and query 3 evenly to patches 0, 2 and 3."
plot_attention_rows(A_heads, titles=["head 0", "head 1"])

# %% [markdown]
# The two heads relate the patches in two ways: head 0 pairs patches 2 and 3 (the
# horizontal bar), head 1 pairs patches 0 and 2 (the vertical line).
# With square $E \times E$ weights each head takes
# $E / n_h$ columns, so $n_h$ must divide $E$. Real ViTs choose $E$ to suit (for example
# 768 = 12 heads × 64). Here $E = 17$, a prime: what happens with two heads?

# %% slideshow={"slide_type": "fragment"}
try:
    multi_head_attention(X, *[np.eye(17)] * 4, num_heads=2)
except ValueError as error:
    print("ValueError:", error)

# %% [markdown] slideshow={"slide_type": "notes"}
# Head 0 is the single head of the earlier slides. Head 1 sends queries 0 and 2
# almost entirely to patches 0 and 2, and query 3 evenly to the three patches with
# ink (its ink per column is as like the others' as its own). Before the error
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

# %% alt="Sinusoidal codes of 64 positions, 32 features: the codes (first features oscillate fast, last ones slowly), their cosine similarity (highest in a band along the diagonal), and mean similarity by distance, falling from 1 to about 0.7 within four positions, then rippling between about 0.35 and 0.7."
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
# Lesson 04's split: 10,000 training events, 2,000 **validation** events for every
# choice, 2,000 test events looked at once, at the end. A short run shows the curves
# move; `tools/train_vit.py` did the full run, whose weights are loaded below.

# %%
split = course_split()
(x_train, y_train), (x_val, y_val) = split.train, split.validation
budget = live_budget("tiny_vit")  # a demonstration, not the real training
curves = LiveTrainingCurves(title=f"tiny ViT, short run: {budget}")
display(curves)
history = fit(vit, x_train[:budget.events], y_train[:budget.events],
              epochs=budget.epochs, optimizer=Adam(vit, lr=0.002),
              validation_data=(x_val[:1000], y_val[:1000]),
              callback=curves.update, progress=False)

# %% [markdown] slideshow={"slide_type": "notes"}
# Run this cell live if the laptop allows (a few seconds): the curves redraw after each
# epoch. The short run (`live_budget`: 1,500 events on a laptop, fewer in the browser
# edition, as the curves' title says; measured on half of the validation events) is
# only a demonstration; the point is that the same `fit` of lesson 04 trains a
# transformer. The full run (6 epochs on all the training events, the learning rate
# decaying to zero) was done by `tools/train_vit.py`; its weights come next.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The fully trained ViT
#
# The stored ViT's training curves, and its accuracy on the validation events,
# recomputed now from the stored weights.

# %%
trained_vit, vit_info = load_tiny_vit()
val_correct = int(np.sum(predict(trained_vit, x_val) == y_val))
LiveTrainingCurves(title="tiny ViT, tools/train_vit.py",
                   history=vit_info["history"])

# %% tags=["hide-input"]
stored = vit_info["validation"]["correct"]
Markdown(f"The stored tiny ViT on the course's {len(y_val):,} validation "
         f"events: {accuracy_text(val_correct, len(y_val))}, recomputed now "
         f"from the weights ({stored:,} events right when it was stored).")

# %% [markdown] slideshow={"slide_type": "notes"}
# The sentence under the curves is printed from the weights, not typed. The curves:
# the validation loss falls with the training loss and stays close to it for all six
# epochs, so the ViT is not memorising its training events.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## ViT and CNN side by side
#
# `tools/train_vit.py` also trained lesson 04's CNN on the same events, with the same
# epochs, batches and decaying Adam steps (from lesson 04's learning rate), then both
# again on **a tenth of the training events** (for ten times as many epochs: the same
# number of gradient steps). All four are scored on the validation events.

# %% slideshow={"slide_type": "fragment"} tags=["hide-input"]
comparison = vit_info["comparison"]
models = {name: comparison[name] for name in ("ViT", "CNN")}
events = comparison["events"]
sizes = {"full": f"all {events['full']:,} training events",
         "tenth": f"a tenth ({events['tenth']:,})"}
rows = [f"| {name} | {row['params']:,} | "
        + " | ".join(accuracy_text(row[size], len(y_val)) for size in sizes)
        + " |" for name, row in models.items()]
Markdown("\n".join([
    "| model | parameters | " + " | ".join(sizes.values()) + " |",
    "|---|--:|--:|--:|", *rows, "",
    f"Accuracy on the course's {len(y_val):,} validation events."]))

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask the room to guess before pressing → for the table: which wins, the newer
# architecture with three times the parameters, or the CNN? The next slide draws them,
# with their 95 % intervals.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Validation accuracy: all the events, and a tenth

# %% alt="Validation accuracy with 95 % intervals of the ViT (21,187 parameters) and the CNN (7,555) trained on all training events and on a tenth of them, above a dotted always-proton line at 50 %: the CNN is ahead at both sizes, and both drop with a tenth."
plot_comparison(models, len(y_val), labels=y_val, class_names=split.class_names)


# %% tags=["hide-input"]
def verdict(size):
    """Which model is ahead at one data size; whether the intervals say so."""
    (low_v, high_v), (low_c, high_c) = (
        wilson_interval(models[name][size], len(y_val)) for name in models)
    if low_v <= high_c and low_c <= high_v:
        return (f"with {sizes[size]} the intervals overlap: these validation "
                f"events cannot tell the two apart")
    ahead = max(models, key=lambda name: models[name][size])
    gap = abs(models["CNN"][size] - models["ViT"][size]) / len(y_val)
    return (f"with {sizes[size]} the {ahead} is ahead by {100 * gap:.1f} "
            f"points, and the intervals do not overlap")


Markdown(f"Lesson 04's CNN and the tiny ViT on the {len(y_val):,} validation "
         f"events (bars: 95 % intervals): {verdict('full')}; "
         f"{verdict('tenth')}. The CNN has a third of the ViT's parameters.")

# %% [markdown] slideshow={"slide_type": "notes"}
# Read a point with its bar: another 2,000 validation events would give another
# accuracy, most likely within the bar. Only when two bars do not overlap do these
# events tell the models apart; the sentence under the figure checks that from the
# stored counts. Both models are far above the dotted line: half the validation
# events are protons, so a model that always answers "proton" is right half the time
# (not one time in three). The next slide says why the gap might still close with far
# more data.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Why the CNN wins here: inductive bias
#
# A convolution **assumes** that what matters
# is local and looks the same everywhere (the same small filter at every position):
# this built-in assumption, the CNN's *inductive bias*, is knowledge it does not need
# to learn. The ViT has to **learn** which patches relate, even what "neighbouring"
# means. Here both lose accuracy with a tenth of the data and the CNN stays ahead:
# the experiment shows the CNN's head start, not a crossing. That takes far more
# data: in the ViT paper (Dosovitskiy et al., 2021) transformers matched and then beat
# the best CNNs only when pre-trained on 14 to 300 million images.

# %% [markdown] slideshow={"slide_type": "notes"}
# The sentence to leave them with: an assumption that is true is free data. Students
# sometimes conclude "transformers are worse"; the honest conclusion is "at this data
# size, on these simulated events". The position embeddings on the next slide show
# what the ViT had to learn that the CNN got for free.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What the ViT learned about positions
#
# Nobody told the ViT that its 64 patches form an 8 × 8 grid. Did it find out? Compare
# the learned position embeddings of patches (the patch itself is outlined; its own
# similarity, 1, is off the colour scale):

# %% alt="Cosine similarity of the ViT's learned position embeddings: maps for the patches at (row 0, col 0), (3, 4) and (7, 7) look mostly like noise, and the mean by grid distance stays small, a little higher for neighbours and erratic at the largest distances."
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
# 0.09 against 0.03, on the right), but single pairs scatter far more than that, and
# some far-apart pairs are as alike as neighbours (the rightmost points average only
# a few pairs). With these 10,000 training events the ViT has learned, at most, a
# faint trace of the neighbourhoods that a convolution has built in.

# %% [markdown] slideshow={"slide_type": "notes"}
# Go back one slide to point at the right panel: the curve starts near 0.09 at distance
# 1, dips to about 0.03 around distance 3 to 6, then jumps about at large distances,
# where only a handful of pairs exist (distance 14: the two pairs of opposite corners).
# Warn against reading the jump at 14 as "far patches are alike".

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Explore: where does the ViT look?
#
# Pick a validation event, a block, a head, and a query: the class token (whose state
# decides the class) or one patch (outlined). The event is drawn dark on white, and
# its attention over the 64 patches tints them blue: the bluer, the more weight (the
# weight the query gives the class token has no patch to colour; the title on the
# right says how much it is). Below, a patch on a proton's track, in head 0 of the
# last block, attends mostly to other patches of the same track.

# %%
AttentionExplorer(trained_vit, x_val[:40], y_val[:40], split.class_names,
                  event=14, head=0, query=20)

# %% [markdown] slideshow={"slide_type": "notes"}
# Live: first point at the outlined patch on the track and the blue patches along
# the same track. Then switch the query to the class token and step through a few
# events, and try the other heads of the same block: heads differ, as in the small
# example. Ask what a misclassified event's attention looks like (move the event
# slider until the title's true and predicted classes differ). Keep expectations
# modest: these maps show where the model looks, not why it decides. The events are
# validation events: studying the model's errors is a choice, made on validation.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The test set, once
#
# Every number so far was measured on validation events, where the choices were made.
# The 2,000 test events played no part in any of them. The stored ViT, on the test
# events, once:

# %%
test = split.evaluate_test(lambda images: predict(trained_vit, images))
test_correct = int(np.sum(test.outputs == test.labels))

# %% slideshow={"slide_type": "fragment"} tags=["hide-input"]
n_test = len(test.labels)
val_low, val_high = wilson_interval(val_correct, len(y_val))
test_low, test_high = wilson_interval(test_correct, n_test)
if test_low <= val_high and val_low <= test_high:
    agree = "the intervals overlap: the test events confirm the estimate"
else:
    agree = "the intervals do not overlap: the estimate did not carry over"
Markdown(f"The stored tiny ViT on the course's {n_test:,} test events: "
         f"{accuracy_text(test_correct, n_test)} "
         f"({vit_info['test']['correct']:,} events right when "
         f"`tools/train_vit.py` stored it). On the validation events: "
         f"{accuracy_text(val_correct, len(y_val))}; {agree}.")

# %% [markdown] slideshow={"slide_type": "notes"}
# Why only once: a test score looked at after every change becomes one more thing the
# changes are tuned to, and stops measuring events the model has never been chosen
# on. The test evaluation of lesson 04's CNN was done once too, by its tool; this
# lesson compares the two on validation only. Nothing after this slide changes the
# ViT.

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
#   (here 10,000 training events, or 1,000) the CNN wins.

# %% [markdown] slideshow={"slide_type": "notes"}
# If time is short, these six bullets are the lesson. Ask one student to say the
# attention formula aloud from memory, with the shape of every matrix.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# Replace each `...` with your answer and run the cell.
#
# **1.** A fifth patch joins, with index 4 and a single lit pixel, at the start of
# its second row. By hand (a calculator for $e^x$ is fine): its query
# $q = x W_Q$ with this lesson's $W_Q$, then its attention over the lesson's four
# keys, $\mathrm{softmax}(qK^T / \sqrt{d_k})$ ($K$ is printed on the *Queries, keys
# and values* slide). Predict first which patches it will attend to most. Answer with
# a list of 4 weights; each must be within 0.01 of the exact value.

# %%
check_attention_row(...)

# %% [markdown] slideshow={"slide_type": "notes"}
# Hint for those stuck: W_Q counts the ink in each row of the patch, and the index
# meets a row of zeros; the score with key m is q · K[m]. Then divide by √d_k = 2,
# exponentiate and normalise. The usual slip is forgetting the division; the check
# says so. The reference answers are in tests/test_exercises_06.py (kept out of this
# notebook, which students open too).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercise 2: the shape of $Q$
#
# **2.** A 48 × 48 image is cut into 4 × 4 patches, each embedded into $E = 24$
# features (no class token), and $W_Q$ is $24 \times 12$. What is the shape of $Q$?
# Answer with a tuple `(rows, columns)`.

# %%
check_query_shape(...)

# %% [markdown] slideshow={"slide_type": "notes"}
# Hint: count the patches first (how many 4-pixel patches fit along 48 pixels, and
# how many in the whole image), then remember that Q has one row per token and takes
# its columns from W_Q. Common wrong answers are the shape of X and the patch grid.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercise 3: the spread of the scores
#
# **3.** A query and a key each have $d_k = 100$ independent entries of mean 0 and
# variance 1. What is the standard deviation of their dot product? (Within 0.05.)

# %%
check_score_spread(...)

# %% [markdown] slideshow={"slide_type": "notes"}
# Hint: the dot product is a sum of d_k independent products; variances of
# independent terms add, and each product here has variance 1. The printed spreads on
# the scaling slide let students check their reasoning afterwards.
