"""A small convolutional-network framework in numpy: layers, optimisers, training, storage.

Every layer subclasses :class:`lessons_lib.nn.layers.Layer` (``forward``/``backward``,
``params``/``grads``, ``train()``/``eval()``). Batches of images are ``(N, C, H, W)``;
a :class:`Conv2D` weight is ``(out_channels, in_channels, kh, kw)`` as in PyTorch.
Training runs in float32.

Bad input is refused before any work, with a TypeError or ValueError that names the
argument: a layer's ``x`` (real numbers of the shape it takes, no NaN or inf; integers
are computed in floating point) and ``dout`` (floats of the last output's shape), the
data and labels of ``fit``, sizes and settings of every constructor. Requests larger
than the memory limit are refused up front (a layer's weights, ``tiny_vit``'s depth,
``fit``'s epochs: at most ``training.MAX_EPOCHS``).

- layers (:mod:`lessons_lib.nn.layers`): ``Layer``, ``Conv2D``, ``ReLU``, ``MaxPool2D``,
  ``Flatten``, ``Dense``, ``Dropout``, ``Sequential``; ``summary``/``format_summary``;
- optimisers (:mod:`lessons_lib.nn.optim`): ``SGD`` (with momentum), ``Adam``;
- training (:mod:`lessons_lib.nn.training`): ``fit`` → ``History``, ``evaluate``,
  ``predict``, ``predict_proba``, ``predict_logits``, ``train_step``;
- storage (:mod:`lessons_lib.nn.io`): ``save``/``load`` of ``.npz`` weights, no pickle;
- cores (:mod:`lessons_lib.fast.parallel`): ``threads(n)``, inside which convolution and
  pooling layers share each batch between ``n`` CPU cores (``fit`` uses them all);
- lesson 04's networks (:mod:`lessons_lib.nn.models`): ``detector_cnn``,
  ``dense_baseline``, ``load_detector_cnn``, and ``live_budget`` (how much of its
  training, and of lesson 06's ViT's, a lesson runs live: less in the browser edition).
"""

from lessons_lib.fast.parallel import blas_threads, threads
from lessons_lib.nn.io import load, save
from lessons_lib.nn.layers import (
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    Layer,
    MaxPool2D,
    ReLU,
    Sequential,
    format_summary,
    summary,
)
from lessons_lib.nn.models import dense_baseline, detector_cnn, live_budget, load_detector_cnn
from lessons_lib.nn.optim import SGD, Adam, Optimizer
from lessons_lib.nn.training import (
    History,
    TrainingDiverged,
    evaluate,
    fit,
    predict,
    predict_logits,
    predict_proba,
    train_step,
)

__all__ = [
    "SGD",
    "Adam",
    "Conv2D",
    "Dense",
    "Dropout",
    "Flatten",
    "History",
    "Layer",
    "MaxPool2D",
    "Optimizer",
    "ReLU",
    "Sequential",
    "TrainingDiverged",
    "blas_threads",
    "dense_baseline",
    "detector_cnn",
    "evaluate",
    "fit",
    "format_summary",
    "live_budget",
    "load",
    "load_detector_cnn",
    "predict",
    "predict_logits",
    "predict_proba",
    "save",
    "summary",
    "threads",
    "train_step",
]
