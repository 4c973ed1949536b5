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

# %% slideshow={"slide_type": "skip"}
from lessons_lib.setup_check import check_environment, package_versions
from lessons_lib.widgets.start import SmoothingDemo

# %% [markdown] slideshow={"slide_type": "notes"}
# Open with the promise of the course: nothing is a black box, every number on every
# slide is computed by a small function the students can read. Before the first
# lecture, ask everyone to run this notebook at home; the environment check two
# slides on is the one to ask about when a laptop misbehaves.

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

# %% [markdown] slideshow={"slide_type": "notes"}
# The order follows the lecture slides: 01-03 are the building blocks (convolution,
# its gradient, pooling), 04 puts them together into a trained network, 05 is how to
# judge it, 06 and 07 look beyond a plain CNN. Each lesson takes about one teaching
# hour with its exercises; 04 needs a laptop that can train for a minute.

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
check_environment()

# %% [markdown]
# The exact versions (useful when asking for help):

# %% tags=["nbval-ignore-output"]
# Versions differ between machines: this output is not compared.
package_versions()

# %% [markdown] slideshow={"slide_type": "notes"}
# Run these two cells live: the check should say that every package is installed. The
# version list is what to paste into a question on the course forum; nobody needs to
# read it now.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Interactive figures
#
# Some figures have controls. Drag the slider below: each point of the blue line is
# the average of `width` neighbouring samples of the grey, noisy signal. That
# average is already a **convolution** with a filter of `width` equal weights, the
# subject of lesson 01. If you see a slider and the line smooths as you drag it,
# widgets work.

# %%
SmoothingDemo()

# %% [markdown] slideshow={"slide_type": "notes"}
# Drag the slider live: at width 1 the blue line is the noisy signal itself, at 41 it
# is almost a sine wave, and a little flatter than the true one (the average of a peak
# with its slopes is lower than the peak). Ask what a width of 2 would mean for
# "the neighbours around a sample": the course uses odd widths so a filter has a
# centre. If a student sees text like `IntSlider(value=9, ...)` instead of a slider,
# their JupyterLab lacks the widgets extension: `make lab` installs it.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Presenting as slides
#
# Every notebook is also a slide deck, with live widgets:
#
# 1. Run the notebook, then start the presentation from the command palette
#    (**Ctrl + Shift + C**, *Start Deck*) or the deck button in the notebook toolbar.
# 2. **→** or **Space**: next slide or fragment; **←**: back; **Esc**: leave.
#    Widgets stay live: click a slider and its arrow keys move the slider.
#
# The decks in `slides/` (`make slides`) open in any browser without Jupyter;
# there **S** shows the speaker notes.

# %% [markdown] slideshow={"slide_type": "notes"}
# Speaker notes like this one are cells of slide type *notes*: they never show on a
# slide. In the exported decks, press S for the speaker view (notes, the next slide
# and a timer).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Getting help
#
# If a cell fails, run *Kernel → Restart Kernel and Run All Cells*. If it still fails,
# run the environment check above again, and `make unit` in a terminal: it tests the
# library the notebooks use on your machine.

# %% [markdown] slideshow={"slide_type": "notes"}
# Most failures in a first session are cells run out of order (a name not defined yet)
# and a kernel started from another environment (the check lists what is missing).
# "Restart and run all" fixes the first; `make lab` from the course folder the second.
