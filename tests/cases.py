"""Random problems shared by the topic tests and by tests/test_fast.py (readable vs fast)."""

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lessons_lib.convolution import EDGES
from lessons_lib.pooling import pooled_shape


@st.composite
def pooling_problems(draw, max_side=9):
    """An input (2-D or 4-D, float32 or float64), a window that fits it, a stride, a dout.

    Values are small integers half of the time, so that windows often hold ties.
    """
    ndim = draw(st.sampled_from([2, 4]))
    lead = draw(st.tuples(st.integers(1, 2), st.integers(1, 3))) if ndim == 4 else ()
    H, W = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    size = draw(st.integers(1, min(H, W)))
    stride = draw(st.integers(1, 4))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    values = draw(st.sampled_from([st.integers(-2, 2).map(float),
                                   st.floats(-100, 100, allow_nan=False, width=32)]))
    A = draw(arrays(dtype, (*lead, H, W), elements=values))
    out_shape = pooled_shape(A.shape, size, stride)
    dout = draw(arrays(dtype, out_shape, elements=st.floats(-10, 10, width=32)))
    return A, dout, size, stride


def tolerance(dtype):
    """assert_allclose tolerances for results computed in ``dtype``."""
    return dict(rtol=1e-5, atol=1e-4) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)


@st.composite
def conv_cases(draw):
    """Batch, channels, filters, kernel, stride, padding, height, width and a seed of a Conv2D."""
    N = draw(st.integers(1, 2))
    C = draw(st.integers(1, 3))
    F = draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    H = draw(st.integers(max(1, kh - 2 * padding[0]), 7))
    W = draw(st.integers(max(1, kw - 2 * padding[1]), 7))
    seed = draw(st.integers(0, 2**16))
    return N, C, F, (kh, kw), stride, padding, H, W, seed


# Batch, channels, multiplier, kernel, stride, padding, height and a seed of a depthwise layer.
depthwise_cases = st.fixed_dictionaries({
    "n": st.integers(1, 2), "c": st.integers(1, 3), "m": st.integers(1, 2),
    "k": st.integers(1, 3), "stride": st.integers(1, 2), "padding": st.integers(0, 1),
    "h": st.integers(3, 6), "seed": st.integers(0, 1000),
})


@st.composite
def correlation_problems(draw, ndims=(1, 2, 3), max_side=9):
    """An input, a filter that fits it, a stride and an edges mode."""
    ndim = draw(st.sampled_from(ndims))
    edges = draw(st.sampled_from(EDGES))
    shape = draw(st.tuples(*[st.integers(1, max_side)] * ndim))
    if edges == "none":
        kshape = tuple(draw(st.integers(1, n)) for n in shape)
    else:
        kshape = tuple(draw(st.sampled_from([1, 3, 5])) for _ in shape)
    values = st.floats(-10, 10, allow_nan=False, width=64)
    A = draw(arrays(np.float64, shape, elements=values))
    h = draw(arrays(np.float64, kshape, elements=values))
    stride = draw(st.one_of(st.integers(1, 3), st.tuples(*[st.integers(1, 3)] * ndim)))
    return A, h, stride, edges
