# %% [markdown] slideshow={"slide_type": "slide"}
# # Start here: convolutional neural networks, from one filter to a vision transformer
#
# This course teaches how a convolutional neural network (CNN) really works, by
# computing every piece yourself: a discrete convolution, its gradient, pooling, a
# whole CNN trained on detector events, the metrics that judge it, and the attention
# of a vision transformer.
#
# **In this notebook** you will check that your setup works, learn how to run cells
# and use the interactive figures, and see the map of the course.
#
# *Next:* [01 · Convolution filters](01_convolution_filters.ipynb)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The lessons
#
# | # | lesson | you will be able to |
# |---|---|---|
# | 01 | [Convolution filters](01_convolution_filters.ipynb) | compute $C = A \circledast h$ by hand and by code; blur, find lines, filter a photograph |
# | 02 | [Backpropagation through a 1-D convolution](02_backpropagation.ipynb) | derive and check $\partial J / \partial F_i$; watch a filter learn |
# | 03 | [Pooling](03_pooling.ipynb) | max and average pooling, forward and backward |
# | 04 | [Training a CNN](04_training_a_cnn.ipynb) | build and train a CNN in numpy on simulated detector events |
# | 05 | [Metrics and losses](05_metrics_and_losses.ipynb) | see through the 99 % accuracy trap; precision, recall, F1, cross-entropy |
# | 06 | [Attention and the vision transformer](06_attention.ipynb) | patches, $Q$, $K$, $V$, $\mathrm{softmax}(QK^T/\sqrt{d_k})\,V$ |
# | 07 | [Architectures and workflow](07_architectures.ipynb) | the classic networks, point convolutions, a workflow |
#
# Each lesson opens with what you will be able to do and ends with key points and
# exercises that check your answers.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## How to use a notebook
#
# - Run a cell with **Shift + Enter**; run everything with *Run → Run All Cells*.
# - Cells build on each other: run them top to bottom.
# - The computations live in the tested package `lessons_lib`; a cell only calls it.
#   Reading `lessons_lib` is encouraged: its functions have docstrings with array
#   shapes and examples.
#
# First, check that the packages the course needs are installed:

# %%
from lessons_lib.setup_check import check_environment, package_versions

check_environment()

# %% [markdown]
# The exact versions (useful when asking for help):

# %% tags=["NBVAL_IGNORE_OUTPUT"]
# Versions differ between machines: this output is not compared.
package_versions()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Interactive figures
#
# Some figures have controls. Drag the slider below: each point of the blue line is
# the average of `width` neighbouring samples of the grey, noisy signal. That
# average is already a **convolution** with a filter of `width` equal weights, the
# subject of lesson 01. If you see a slider and the line smooths as you drag it,
# widgets work.

# %%
from lessons_lib.widgets.start import SmoothingDemo

SmoothingDemo()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Presenting as slides
#
# Every notebook is also a slide deck, with live widgets:
#
# 1. Open the notebook in JupyterLab.
# 2. Start the presentation with the command palette (**Ctrl + Shift + C**, then
#    *Start Deck*) or the deck button in the notebook toolbar (jupyterlab-slideshow).
# 3. Move with the arrow keys; **Esc** leaves. Widgets stay live inside slides.
#
# Slide breaks come from each cell's *slide type* (the property inspector on the
# right sidebar shows and edits it).
#
# ## Getting help
#
# If a cell fails, run *Kernel → Restart Kernel and Run All Cells*. If it still fails,
# run the environment check above again, and `make unit` in a terminal: it tests the
# library the notebooks use on your machine.
