"""The slides' matrices, verbatim, and the bundled photographs."""

import numpy as np
import pytest

from lessons_lib.datasets import PHOTOGRAPHS, figure_matrix, photograph, pooling_example

SLIDES_FIGURE = """
1 0 1 0 0 0 0 0 0
0 1 1 0 0 0 0 0 0
0 0 1 0 0 0 0 0 0
0 0 1 1 0 0 0 0 0
0 0 1 0 1 0 0 0 0
1 1 1 1 1 1 1 1 1
0 0 1 0 0 0 1 0 0
0 0 1 0 0 0 0 1 0
"""


def test_figure_matrix_is_the_slides_matrix():
    expected = np.array([row.split() for row in SLIDES_FIGURE.strip().splitlines()], dtype=float)
    np.testing.assert_array_equal(figure_matrix(), expected)
    assert figure_matrix().dtype == np.float64


def test_pooling_example_is_the_slides_matrix():
    np.testing.assert_array_equal(pooling_example(),
                                  [[1, 1, 2, 4], [5, 6, 9, 3], [3, 2, 4, 4], [1, 2, 0, 7]])


def test_examples_are_fresh_copies():
    figure_matrix()[0, 0] = 7
    assert figure_matrix()[0, 0] == 1


@pytest.mark.parametrize("name", PHOTOGRAPHS)
def test_photographs_are_grey_in_unit_range_and_larger_than_the_largest_filter(name):
    image = photograph(name)
    assert image.ndim == 2 and image.dtype == np.float64
    assert 0 <= image.min() and image.max() <= 1
    assert min(image.shape) > 101


def test_unknown_photograph_is_named():
    with pytest.raises(ValueError, match="name must be one of 'camera'"):
        photograph("lena")


def test_stored_photographs_are_scikit_images_in_grey():
    # The package data replaces scikit-image at run time; scikit-image (test extra) is the
    # reference: grey images bit for bit, colour ones as their rounded ITU-R 601 luma.
    skimage_data = pytest.importorskip("skimage.data")
    for name in PHOTOGRAPHS:
        original = np.asarray(getattr(skimage_data, name)(), dtype=np.float64)
        if original.ndim == 3:
            original = original[..., :3] @ np.array([0.299, 0.587, 0.114])
            tolerance = 0.5 / 255
        else:
            tolerance = 0
        stored = photograph(name)
        assert stored.shape == original.shape[:2], name
        assert np.max(np.abs(stored - original / 255)) <= tolerance + 1e-12, name


def test_camera_is_the_cameraman():
    # Without scikit-image: the size and the mean grey level of the 512 x 512 cameraman.
    camera = photograph("camera")
    assert camera.shape == (512, 512)
    assert round(float(camera.mean()) * 255, 2) == 129.06
