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
