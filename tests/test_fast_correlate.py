"""The fast methods of lessons_lib.fast.convolution compute what correlate_loops computes.

Each method (tap by tap, banded matrix products, FFT with edges on a fast grid) meets
random problems of every edges mode, stride and odd size, in 1-D, 2-D and 3-D, and must
agree with the readable loops (2-D) and with scipy; the numbers must not depend on the
number of threads; the method chosen by size must be the cheap one at the extremes.
"""

import numpy as np
import pytest
import scipy.ndimage as ndi
import scipy.signal as signal
from cases import correlation_problems
from hypothesis import given, settings
from hypothesis import strategies as st

from lessons_lib.convolution import correlate, correlate_loops, pad
from lessons_lib.fast import convolution as fast
from lessons_lib.fast import parallel

METHODS = ("taps", "banded", "fft")
NDIMAGE_MODE = {"zero": "constant", "reflect": "mirror", "replicate": "nearest",
                "wrap": "grid-wrap"}


def _strides(stride, ndim):
    return (stride,) * ndim if isinstance(stride, int) else tuple(stride)


def _scipy(A, h, strides, edges):
    if edges == "none":
        full = signal.correlate(A, h, mode="valid", method="direct")
    else:
        full = ndi.correlate(A, h, mode=NDIMAGE_MODE[edges], cval=0.0)
    return full[tuple(slice(None, None, s) for s in strides)]


def _tolerance(A, h):
    return 1e-10 * max(1.0, np.abs(A).max() * np.abs(h).sum())


@given(correlation_problems(ndims=(2,)))
def test_every_method_equals_the_loops(problem):
    A, h, stride, edges = problem
    strides = _strides(stride, 2)
    expected = correlate_loops(A, h, stride=strides, edges=edges)
    for method in METHODS:
        C = fast.correlate(A, h, strides, edges, method)
        np.testing.assert_allclose(C, expected, rtol=0, atol=_tolerance(A, h), err_msg=method)


@given(correlation_problems(ndims=(1, 2, 3)))
def test_every_method_equals_scipy_in_every_dimension(problem):
    A, h, stride, edges = problem
    strides = _strides(stride, A.ndim)
    expected = _scipy(A, h, strides, edges)
    for method in METHODS:
        C = fast.correlate(A, h, strides, edges, method)
        assert C.shape == expected.shape, method
        np.testing.assert_allclose(C, expected, rtol=0, atol=_tolerance(A, h), err_msg=method)


@st.composite
def wider_problems(draw):
    """Sizes that reach past a strip of the banded method, odd and fast FFT lengths."""
    rows, cols = draw(st.integers(1, 40)), draw(st.integers(1, 70))
    edges = draw(st.sampled_from(["none", "zero", "reflect", "replicate", "wrap"]))
    if edges == "none":
        k = (draw(st.integers(1, rows)), draw(st.integers(1, cols)))
    else:
        k = (draw(st.sampled_from([1, 3, 5, 7])), draw(st.sampled_from([1, 3, 5, 9, 11])))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 4)))
    return rng.normal(size=(rows, cols)), rng.normal(size=k), stride, edges


@settings(max_examples=60)
@given(wider_problems(), st.sampled_from([1, 2, 5, 16]))
def test_banded_strips_of_any_width_and_the_fft_grid_equal_the_loops(problem, width):
    A, h, strides, edges = problem
    expected = correlate_loops(A, h, stride=strides, edges=edges)
    widths = tuple(0 if edges == "none" else (k - 1) // 2 for k in h.shape)
    A_p = pad(A, widths, edges)
    out_shape = expected.shape
    C = fast.correlate_banded(A_p, h, strides, out_shape, width=min(width, out_shape[-1]))
    np.testing.assert_allclose(C, expected, rtol=0, atol=_tolerance(A, h))
    C = fast.correlate_spectral(A, h, strides, edges)
    np.testing.assert_allclose(C, expected, rtol=0, atol=_tolerance(A, h))


@settings(max_examples=25)
@given(wider_problems())
def test_numbers_do_not_depend_on_the_thread_count(problem):
    A, h, strides, edges = problem
    # Large enough for several chunks of rows.
    A = np.tile(A, (4, 2))
    for method in METHODS:
        alone = fast.correlate(A, h, strides, edges, method)
        with parallel.threads(2):
            shared = fast.correlate(A, h, strides, edges, method)
        np.testing.assert_array_equal(alone, shared, err_msg=method)


@pytest.mark.parametrize("edges", ["zero", "reflect", "replicate", "wrap"])
def test_padding_into_a_work_array_is_numpy_pad(edges):
    A = np.random.default_rng(2).normal(size=(4, 5, 6))
    for widths in [(1, 2, 0), (3, 4, 5), (0, 0, 2)]:
        np.testing.assert_array_equal(fast._padded(A, widths, edges),
                                      np.pad(A, [(w, w) for w in widths],
                                             mode=fast._NUMPY_PAD_MODE[edges]))


def test_work_arrays_never_leak_into_results():
    rng = np.random.default_rng(3)
    A, h = rng.normal(size=(64, 64)), rng.normal(size=(5, 5))
    first = [fast.correlate(A, h, (1, 1), edges, method)
             for edges in ("zero", "reflect") for method in METHODS]
    kept = [C.copy() for C in first]
    # A second round reuses the work arrays: the first results must not change.
    for edges in ("zero", "reflect"):
        for method in METHODS:
            fast.correlate(2 * A, h, (1, 1), edges, method)
    for C, copy in zip(first, kept, strict=True):
        np.testing.assert_array_equal(C, copy)


def test_the_fft_grids_pad_nothing_where_they_can():
    # "wrap" on a size of 2, 3, 5 and 7 is the circular correlation on that grid.
    assert fast._spectral_plan((512, 210), (11, 3), "wrap") == (
        (0, 0), (512, 210), (5, 1), False)
    # The other modes too, with the thin frame where the filter reaches past an edge
    # summed directly...
    for edges in ("zero", "reflect", "replicate"):
        assert fast._spectral_plan((512, 512), (11, 11), edges) == (
            (0, 0), (512, 512), (5, 5), True)
    # ...unless the frame is thick: "zero" then reaches ω past each edge, so a grid of
    # n + ω is enough and the transform pads for free.
    widths, grid, centre, frame = fast._spectral_plan((512, 512), (101, 101), "zero")
    assert widths == (0, 0) and centre == (50, 50) and all(n >= 562 for n in grid)
    assert not frame
    # A size with a large prime factor is padded, then correlated at valid positions.
    widths, grid, centre, frame = fast._spectral_plan((101, 64), (3, 3), "wrap")
    assert widths == (1, 1) and centre == (0, 0) and not frame


@settings(max_examples=40)
@given(st.sampled_from(["zero", "reflect", "replicate"]), st.sampled_from([8, 12, 30, 35]),
       st.sampled_from([1, 3, 5]), st.tuples(st.integers(1, 3), st.integers(1, 3)))
def test_a_circular_correlation_with_its_frame_redone_equals_the_loops(edges, n, k, strides):
    A = np.random.default_rng(n * k).normal(size=(n, n + 2 if n % 2 else n))
    h = np.random.default_rng(k).normal(size=(k, k))
    plan = fast._spectral_plan(A.shape, h.shape, edges)
    C = fast.correlate_spectral(A, h, strides, edges)
    np.testing.assert_allclose(C, correlate_loops(A, h, stride=strides, edges=edges),
                               rtol=0, atol=_tolerance(A, h), err_msg=str(plan))


def test_fast_lengths():
    assert [fast._next_fast_length(n) for n in (1, 7, 11, 517, 1025)] == [1, 8, 12, 540, 1080]
    assert fast._is_fast_length(2 * 3 * 5 * 7) and not fast._is_fast_length(2 * 11)


def test_the_choice_by_size():
    # Tiny problems are added tap by tap, in the loops' order; large filters go to the FFT.
    assert fast.choose_method((8, 9), (3, 3), (1, 1)) == "taps"
    assert fast.choose_method((12,), (5,), (1,)) == "taps"
    assert fast.choose_method((512, 512), (101, 101), (1, 1), "zero") == "fft"
    assert fast.choose_method((2048, 2048), (3, 3), (1, 1)) == "banded"
    assert fast.choose_method((512, 512), (101, 101), (1, 1), "zero", "direct") != "fft"


def test_the_lessons_small_examples_keep_every_digit():
    # Lesson 01 prints the largest difference from the loops: exactly 0.0.
    from lessons_lib.datasets import figure_matrix
    from lessons_lib.filters import box_blur
    A = figure_matrix()
    assert np.abs(correlate(A, box_blur(3)) - correlate_loops(A, box_blur(3))).max() == 0.0


def test_measured_costs_are_positive_and_keyed_like_the_table():
    costs = fast.measure_costs(repeat=1)
    assert costs.keys() == fast.COSTS.keys()
    assert all(value > 0 for value in costs.values())
