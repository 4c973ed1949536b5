"""The fast layer: optimised twins of the formulas the lessons show.

A lesson shows, and a student reads, the readable version of each computation: the
slides' formula as loops, in the module named after its topic. The code that makes the
same computation fast lives here, apart, and is tested equal to it
(``tests/test_fast.py``); each docstring names its twin.

=====================================  ==========================================================
readable version                       fast version (this package)
=====================================  ==========================================================
``convolution.correlate_loops``        :mod:`.convolution`: ``correlate_taps`` (one multiply-add
                                       per filter tap), ``correlate_banded`` (strips of outputs as
                                       one matrix product each), ``correlate_spectral`` (real FFTs
                                       on a fast grid); ``choose_method`` picks by measured costs
``pooling.max_pool_loops``             :mod:`.pooling`: ``window_max``, ``window_argmax``
                                       (strided windows), ``max_pool_switches``
``pooling.max_pool_backward_loops``    :mod:`.pooling`: ``route_to_indices``,
                                       ``max_pool_switches_backward``
``pooling.avg_pool_loops`` and         :mod:`.pooling`: ``window_mean``, ``spread_mean``
``avg_pool_backward_loops``
``nn.layers.conv2d_forward_loops``     :mod:`.conv2d`: ``conv2d_forward`` (phase-split im2col and
and ``conv2d_backward_loops``          one matrix product), ``conv2d_backward`` (col2im)
``nn.layers.conv2d_forward_loops``,    :mod:`.conv2d`: ``conv_relu_pool_forward`` and
ReLU and ``pooling.max_pool_loops``    ``conv_relu_pool_backward`` (a Conv2D → ReLU → MaxPool2D block
in a row, and their backward passes    in one pass per chunk, while the chunk is in cache; their
                                       ``*_chunk`` forms let a stack of blocks run chunk by chunk)
``nn.advanced.depthwise_*_loops``      :mod:`.conv2d`: ``depthwise_forward``, ``depthwise_backward``
``attention.multi_head_attention_``    :mod:`.attention`: ``multi_head_attention_forward`` and
``forward`` and ``_backward``          ``multi_head_attention_backward`` (one projection, heads
                                       as strided views, the softmax and its backward in place)
=====================================  ==========================================================

The public functions of the topic modules (``correlate``, ``max_pool``, ...) and the
layers of :mod:`lessons_lib.nn` check their arguments, then call these. The layers
share a batch between CPU cores through :mod:`.parallel` (``nn.threads``):
:func:`.conv2d.conv2d_layer_forward` and :func:`.pooling.max_pool_layer` are their
passes, and a layer keeps its large arrays from batch to batch in a
:class:`.parallel.Workspace` (fresh memory costs page faults on every batch). Their
matrix products go through :func:`.linalg.matmul`: ``np.matmul`` itself, except in the
browser edition, whose numpy has no BLAS library and where ``np.einsum`` is faster.

Like the topic modules, this package uses numpy only and never imports
:mod:`lessons_lib.nn`, the plots or the widgets.
"""
