"""lessons_lib.convolution against scipy, against its own loop version, and on bad input."""

import numpy as np
import pytest
import scipy.ndimage as ndi
import scipy.signal as signal
from cases import correlation_problems
from hypothesis import given

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
def test_correlate_loops_agrees_with_correlate(problem):
    A, h, stride, edges = problem
    np.testing.assert_allclose(correlate_loops(A, h, stride=stride, edges=edges),
                               correlate(A, h, stride=stride, edges=edges), atol=1e-9)


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
