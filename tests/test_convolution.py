"""lessons_lib.convolution against scipy, against its own loop version, and on bad input."""

import numpy as np
import pytest
import scipy.ndimage as ndi
import scipy.signal as signal
from cases import correlation_problems
from hypothesis import given
from hypothesis import strategies as st

from lessons_lib.convolution import (
    EDGES,
    convolve,
    correlate,
    correlate_loops,
    output_shape,
    pad,
)
from lessons_lib.datasets import figure_matrix
from lessons_lib.filters import box_blur

# scipy.ndimage's name for each of the course's padded edge modes.
NDIMAGE_MODE = {"zero": "constant", "reflect": "mirror", "replicate": "nearest", "wrap": "grid-wrap"}
TOLERANCE = 1e-10


def reference(A, h, stride, edges):
    """scipy's answer: ndimage for padded edges, signal.correlate for valid positions."""
    if edges == "none":
        full = signal.correlate(A, h, mode="valid", method="direct")
    else:
        full = ndi.correlate(A, h, mode=NDIMAGE_MODE[edges], cval=0.0)
    strides = (stride,) * A.ndim if isinstance(stride, int) else stride
    return full[tuple(slice(None, None, s) for s in strides)]


@given(correlation_problems())
def test_correlate_agrees_with_scipy_for_every_method(problem):
    A, h, stride, edges = problem
    expected = reference(A, h, stride, edges)
    for method in ("direct", "fft", "auto"):
        C = correlate(A, h, stride=stride, edges=edges, method=method)
        assert C.shape == expected.shape == output_shape(A.shape, h.shape, stride=stride,
                                                         edges=edges)
        np.testing.assert_allclose(C, expected, rtol=0, atol=TOLERANCE * max(1, np.abs(A).max()
                                                                            * np.abs(h).sum()))


@given(correlation_problems(ndims=(2,)))
def test_correlate_loops_agrees_with_correlate_by_every_method(problem):
    A, h, stride, edges = problem
    expected = correlate_loops(A, h, stride=stride, edges=edges)
    for method in ("direct", "fft", "auto"):
        np.testing.assert_allclose(correlate(A, h, stride=stride, edges=edges, method=method),
                                   expected, atol=1e-9, err_msg=method)


def test_photograph_sized_inputs_match_scipy_in_every_edges_mode():
    # Sizes where "auto" picks the banded products (3x3) and the FFT (31x31).
    rng = np.random.default_rng(4)
    A = rng.random((150, 203))
    for size in (3, 31):
        h = rng.standard_normal((size, size))
        for edges in EDGES:
            for method in ("direct", "fft", "auto"):
                np.testing.assert_allclose(correlate(A, h, edges=edges, method=method),
                                           reference(A, h, 1, edges),
                                           atol=1e-10 * np.abs(h).sum(), err_msg=(edges, method))


def test_a_nan_or_inf_anywhere_in_A_is_refused():
    for bad in (np.nan, np.inf, -np.inf):
        A = np.ones((5, 6))
        A[3, 4] = bad
        with pytest.raises(ValueError, match=r"A must contain only finite numbers"):
            correlate(A, np.ones((3, 3)))


@given(correlation_problems())
def test_convolve_is_correlate_with_flipped_filter_as_scipy_defines_it(problem):
    A, h, _, _ = problem
    if any(k > n for k, n in zip(h.shape, A.shape, strict=True)):
        return
    np.testing.assert_allclose(convolve(A, h), signal.convolve(A, h, mode="valid"),
                               atol=1e-9 * max(1, np.abs(A).max() * np.abs(h).sum()))


def test_large_filters_on_a_photograph_sized_input_match_scipy():
    rng = np.random.default_rng(1)
    A = rng.random((160, 170))
    for size in (11, 31, 101):
        h = rng.standard_normal((size, size))
        np.testing.assert_allclose(correlate(A, h), signal.correlate(A, h, mode="valid"),
                                   atol=1e-10 * np.abs(h).sum())


def test_figure_matrix_blurred_by_the_slides_3x3_filter():
    C = correlate(figure_matrix(), box_blur(3) * 9)
    assert C.shape == (6, 7)
    # Top-left window: rows 0-2, columns 0-2 of the figure hold five ones.
    assert C[0, 0] == 5
    # The horizontal bar (row 5) fills the windows centred on row 5 with at least three ones.
    assert np.all(C[4] >= 3)
    np.testing.assert_array_equal(C, correlate_loops(figure_matrix(), np.ones((3, 3))))


def test_the_slides_1x5_filter_of_one_half():
    A = np.arange(10.0)
    C = correlate(A, np.full(5, 0.5))
    np.testing.assert_allclose(C, [0.5 * (m + m + 1 + m + 2 + m + 3 + m + 4) for m in range(6)])


def test_padded_edges_keep_the_input_shape_at_stride_1():
    A = np.random.default_rng(0).random((7, 8))
    for edges in EDGES[1:]:
        assert correlate(A, np.ones((5, 3)), edges=edges).shape == A.shape


def test_integer_and_boolean_inputs_are_accepted():
    np.testing.assert_array_equal(correlate(np.eye(3, dtype=bool), np.ones((2, 2), dtype=int)),
                                  [[2, 1], [1, 2]])


def test_pad_modes():
    row = np.array([1.0, 2.0, 3.0])
    assert pad(row, (1,), "zero").tolist() == [0, 1, 2, 3, 0]
    assert pad(row, (1,), "none").tolist() == [1, 2, 3]


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        (dict(A=np.ones((4, 4)), h=np.ones(3)), ValueError, "h must have as many dimensions"),
        (dict(A=np.ones((4, 4)), h=np.ones((5, 5))), ValueError, "larger than A"),
        (dict(A=np.ones((4, 4)), h=np.ones((2, 2)), edges="zero"), ValueError, "odd sizes"),
        (dict(A=np.ones((4, 4)), h=np.ones((3, 3)), stride=0), ValueError, "stride must be"),
        (dict(A=np.ones((4, 4)), h=np.ones((3, 3)), stride=1.5), TypeError, "stride must be"),
        (dict(A=np.ones((4, 4)), h=np.ones((3, 3)), stride=(1, 2, 3)), ValueError, "stride must"),
        (dict(A=np.ones((4, 4)), h=np.ones((3, 3)), edges="same"), ValueError, "edges must be one"),
        (dict(A=np.ones((4, 4)), h=np.ones((3, 3)), method="gpu"), ValueError, "method must be"),
        (dict(A=[["a", "b"]], h=[[1.0]]), TypeError, "A must be an array of real numbers"),
        (dict(A=np.ones((2, 2)), h=[[1j]]), TypeError, "h must be an array of real numbers"),
        (dict(A=np.array([[1.0, np.nan]]), h=[[1.0]]), ValueError, "A must contain only finite"),
        (dict(A=np.ones((2, 2)), h=[[np.inf]]), ValueError, "h must contain only finite"),
        (dict(A=np.ones((0, 3)), h=np.ones((1, 1))), ValueError, "A must not be empty"),
    ],
)
def test_bad_input_is_named_in_the_error(kwargs, error, words):
    A, h = kwargs.pop("A"), kwargs.pop("h")
    with pytest.raises(error, match=words):
        correlate(A, h, **kwargs)


def test_loops_reject_non_2d_input():
    with pytest.raises(ValueError, match="A must be 2-D"):
        correlate_loops(np.ones(5), np.ones(3))


# -- issue 14: shapes, sizes near the float limit, empty input --------------------------


@pytest.mark.parametrize(
    ("args", "error", "words"),
    [
        (((-8, 9), (3, 3)), ValueError, r"input_shape must hold integers >= 1.*\(-8, 9\)"),
        (((8, 9), (3, -3)), ValueError, r"filter_shape must hold integers >= 1"),
        (((8, 0), (3, 3)), ValueError, "input_shape must hold integers >= 1"),
        (((8.0, 9), (3, 3)), TypeError, "input_shape must hold integers"),
        (("8x9", (3, 3)), TypeError, "input_shape must be a tuple of integers"),
        (((8, 9), (3,)), ValueError, "filter_shape must have as many dimensions as input_shape"),
        (((8, 9), (9, 3)), ValueError, r"filter_shape \(9, 3\) is larger than input_shape"),
    ],
)
def test_output_shape_refuses_shapes_that_are_not_sizes(args, error, words):
    with pytest.raises(error, match=words):
        output_shape(*args)


def test_output_shape_refuses_what_correlate_refuses():
    with pytest.raises(ValueError, match="filter_shape must have odd sizes with edges='zero'"):
        output_shape((8, 9), (2, 2), edges="zero")
    with pytest.raises(ValueError, match="odd sizes"):
        correlate(np.ones((8, 9)), np.ones((2, 2)), edges="zero")


def test_pad_checks_its_widths_computes_in_float_and_returns_a_new_array():
    row = np.array([1, 2, 3])
    assert pad(row, 1).dtype == np.float64
    assert pad(np.ones(2, np.float32), (1,)).dtype == np.float32
    same = np.array([1.0, 2.0])
    unpadded = pad(same, (0,))
    unpadded[0] = 9.0
    assert same[0] == 1.0
    with pytest.raises(ValueError, match="widths must be an integer >= 0, got -1"):
        pad(row, (-1,))
    with pytest.raises(ValueError, match="widths must be an int or a tuple of 1 ints"):
        pad(row, (1, 1))
    with pytest.raises(TypeError, match="widths must be an integer"):
        pad(row, (1.5,))
    with pytest.raises(ValueError, match=r"pad of A \(3,\) by widths=\(10000000000000,\) "
                                         r"would need about .* GB of memory, more than the limit"):
        pad(row, (10**13,))


def test_an_empty_input_or_filter_is_refused_where_scipy_returns_an_empty_array():
    # The documented choice: a filter needs a tap and an input a sample to be placed on.
    assert ndi.correlate(np.ones((0, 3)), np.ones((1, 1))).shape == (0, 3)
    for method in ("direct", "fft", "auto"):
        with pytest.raises(ValueError, match=r"A must not be empty, got shape \(0, 3\)"):
            correlate(np.ones((0, 3)), np.ones((1, 1)), method=method)
        with pytest.raises(ValueError, match=r"h must not be empty, got shape \(0,\)"):
            correlate(np.ones(3), np.ones(0), method=method)
    with pytest.raises(ValueError, match="A must have at least one dimension"):
        correlate(5.0, 2.0)


@pytest.mark.parametrize("edges", ["none", "zero", "reflect"])
def test_values_near_the_float_limit_give_the_same_finite_answer_by_both_methods(edges):
    A = np.full((6, 7), 1e307)
    A[::2] *= -1
    h = np.full((3, 3), 1 / 9)
    direct = correlate(A, h, edges=edges, method="direct")
    fft = correlate(A, h, edges=edges, method="fft")
    assert np.all(np.isfinite(direct)) and np.all(np.isfinite(fft))
    np.testing.assert_allclose(fft, direct, rtol=0, atol=1e-12 * 1e307)


@pytest.mark.parametrize("method", ["direct", "fft", "auto", "loops"])
def test_sums_that_could_overflow_are_refused_the_same_way_by_every_method(method):
    A, h = np.full((4, 4), 1e308), np.ones((3, 3))
    with pytest.raises(ValueError) as info:
        if method == "loops":
            correlate_loops(A, h)
        else:
            correlate(A, h, method=method)
    assert str(info.value) == (
        "A and h are too large: a sum of products h · A can reach max|A| · Σ|h| ≈ 9.0e308, "
        "beyond the largest float64 (about 1.8e308) with rounding; scale them down")


@st.composite
def magnitudes(draw):
    """An input and a filter of values up to 10**±300, often near the limit of float64."""
    problem = draw(correlation_problems(ndims=(1, 2)))
    A, h, stride, edges = problem
    A_scale = 10.0 ** draw(st.integers(-300, 306))
    h_scale = 10.0 ** draw(st.integers(-300, 306))
    return A * A_scale, h * h_scale, stride, edges


@given(magnitudes())
def test_direct_and_fft_agree_or_refuse_alike_at_every_magnitude(problem):
    A, h, stride, edges = problem
    outcomes = []
    for method in ("direct", "fft"):
        try:
            outcomes.append(correlate(A, h, stride=stride, edges=edges, method=method))
        except ValueError as error:
            outcomes.append(str(error))
    direct, fft = outcomes
    assert type(direct) is type(fft)
    if isinstance(direct, str):
        assert direct == fft and "too large" in direct
    else:
        assert np.all(np.isfinite(direct)) and np.all(np.isfinite(fft))
        bound = np.abs(A).max() * np.abs(h).sum()
        np.testing.assert_allclose(fft, direct, rtol=1e-9, atol=1e-12 * bound)
