"""lessons_lib.filters: shapes, sums, symmetry, and what each filter responds to."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lessons_lib.convolution import correlate
from lessons_lib.filters import (
    FILTERS,
    LINE_DIRECTIONS,
    box_blur,
    gaussian_blur,
    identity,
    line_detector,
    line_pixels,
    make_filter,
    sharpen,
    sobel,
)

odd_sizes = st.integers(0, 50).map(lambda k: 2 * k + 1)


@given(odd_sizes)
def test_blurs_keep_brightness_and_are_symmetric(size):
    for kernel in (box_blur(size), gaussian_blur(size)):
        assert kernel.shape == (size, size)
        assert kernel.sum() == pytest.approx(1.0)
        np.testing.assert_allclose(kernel, kernel.T)
        np.testing.assert_allclose(kernel, kernel[::-1, ::-1])


@given(odd_sizes.filter(lambda s: s >= 3), st.sampled_from(LINE_DIRECTIONS))
def test_line_detectors_ignore_flat_regions_and_prefer_their_direction(size, direction):
    kernel = line_detector(direction, size)
    assert kernel.sum() == 0
    canvas = np.zeros((size, size))
    middle = size // 2
    lines = {
        "horizontal": canvas.copy(), "vertical": canvas.copy(),
        "diagonal": np.eye(size), "antidiagonal": np.fliplr(np.eye(size)),
    }
    lines["horizontal"][middle, :] = 1
    lines["vertical"][:, middle] = 1
    responses = {d: correlate(image, kernel)[0, 0] for d, image in lines.items()}
    assert max(responses, key=responses.get) == direction
    assert responses[direction] == pytest.approx(size * (size - 1))


def test_identity_returns_the_input():
    A = np.random.default_rng(0).random((9, 9))
    np.testing.assert_array_equal(correlate(A, identity(5), edges="zero", method="direct"), A)
    np.testing.assert_allclose(correlate(A, identity(5), edges="zero", method="fft"), A, atol=1e-15)


def test_sobel_and_sharpen_match_their_textbook_values():
    np.testing.assert_array_equal(sobel("y"), [[-1, -2, -1], [0, 0, 0], [1, 2, 1]])
    ramp = np.tile(np.arange(6.0), (5, 1))
    np.testing.assert_allclose(correlate(ramp, sobel("x")), 8.0)
    assert sharpen().sum() == 1


def test_every_named_filter_builds():
    for name in FILTERS:
        kernel = make_filter(name, 5)
        assert kernel.ndim == 2 and kernel.shape[0] % 2 == 1


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: box_blur(4), ValueError, "size must be an odd integer"),
        (lambda: box_blur(0), ValueError, "size must be an integer >= 1"),
        (lambda: box_blur(2.5), TypeError, "size must be an integer"),
        (lambda: gaussian_blur(5, sigma=0), ValueError, "sigma must be a finite number > 0"),
        (lambda: line_detector("sideways"), ValueError, "direction must be one of"),
        (lambda: sobel("z"), ValueError, "direction must be one of"),
        (lambda: make_filter("emboss"), ValueError, "name must be one of"),
    ],
)
def test_bad_arguments_are_named(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_sizes_and_sigma_are_checked_by_name_before_any_work():
    from lessons_lib.filters import box_blur, gaussian_blur, make_filter

    with pytest.raises(ValueError, match="a size=10000001 filter would need about"):
        box_blur(10**7 + 1)
    with pytest.raises(ValueError, match="size must be an odd integer"):
        make_filter("sobel x", 4)
    with pytest.raises(TypeError, match="sigma must be a finite number > 0, got '1'"):
        gaussian_blur(3, sigma="1")
    with pytest.raises(ValueError, match="sigma must be a finite number > 0, got nan"):
        gaussian_blur(3, sigma=float("nan"))


def test_line_pixels_mark_the_centre_of_every_window_at_or_above_the_threshold():
    from lessons_lib.datasets import figure_matrix

    A = figure_matrix()
    h = line_detector("vertical")
    C = correlate(A, h, method="direct")
    for threshold in (-10, 0, 3, 5, 6):
        mask = line_pixels(A, h, threshold)
        assert mask.shape == A.shape and mask.dtype == bool
        np.testing.assert_array_equal(mask[1:-1, 1:-1], C >= threshold)
        # The border, where the filter does not fit, is never marked.
        assert not mask[[0, -1], :].any() and not mask[:, [0, -1]].any()
    # The figure's long stroke, column 2, from row 1 to row 6.
    assert np.argwhere(line_pixels(A, h, 3)).tolist() == [[r, 2] for r in range(1, 7)]


def test_line_pixels_of_a_rectangular_filter_sit_under_its_centre():
    A = np.zeros((9, 7))
    A[:, 3] = 1
    mask = line_pixels(A, np.array([[-1.0, 2, -1]] * 5), 10)
    assert np.argwhere(mask).tolist() == [[r, 3] for r in range(2, 7)]


@pytest.mark.parametrize("args, error, words", [
    ((np.ones(5), line_detector(), 1), ValueError, "A must be 2-D"),
    ((np.ones((5, 5)), np.ones((2, 2)), 1), ValueError, "odd sizes"),
    ((np.ones((5, 5)), np.ones((7, 7)), 1), ValueError, "larger than A"),
    ((np.ones((5, 5)), line_detector(), "3"), TypeError, "threshold"),
    ((np.ones((5, 5)), line_detector(), np.nan), ValueError, "threshold"),
])
def test_line_pixels_refuses_bad_input_by_name(args, error, words):
    with pytest.raises(error, match=words):
        line_pixels(*args)
