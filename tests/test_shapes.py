"""lessons_lib.shapes: the one output-size formula and the receptive field, on bad input."""

import pytest

from lessons_lib.shapes import output_size, receptive_field


def test_output_size_follows_the_formula():
    assert output_size(8, 3) == 6
    assert output_size(64, 5, 1, 2) == 64
    assert output_size(299, 3, 2, "same") == 150
    assert output_size(16, 3, 2, ceil_mode=True) == 8


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"length": -8, "k": 3}, ValueError, "length must be an integer >= 1, got -8"),
        ({"length": 8, "k": 0}, ValueError, "k must be an integer >= 1, got 0"),
        ({"length": 8.0, "k": 3}, TypeError, "length must be an integer"),
        ({"length": 8, "k": 3, "stride": True}, TypeError, "stride must be an integer"),
        ({"length": 8, "k": 3, "padding": -1}, ValueError, "padding must be an integer >= 0"),
        ({"length": 8, "k": 3, "padding": "valid"}, ValueError,
         "padding must be an integer >= 0 or 'same', got 'valid'"),
        ({"length": 8, "k": 3, "padding": [1]}, TypeError, "padding must be an integer"),
        ({"length": 8, "k": 3, "ceil_mode": "yes"}, TypeError, "ceil_mode must be True or False"),
        ({"length": 3, "k": 4, "what": "filter"}, ValueError,
         r"the filter \(4\) is larger than its input \(3\)"),
    ],
)
def test_output_size_names_what_is_wrong(kwargs, error, words):
    with pytest.raises(error, match=words):
        output_size(**kwargs)


@pytest.mark.parametrize(
    ("layers", "error", "words"),
    [
        (None, TypeError, "layers must be a list of"),
        ([3, 1], TypeError, "layers must be a list of"),
        ([(3, 1, 1)], TypeError, "layers must be a list of"),
        ([(3, 1), ("a", 1)], TypeError, r"the size of layers\[1\] must be an integer"),
        ([(3, -1)], ValueError, r"the stride of layers\[0\] must be an integer >= 1"),
    ],
)
def test_receptive_field_names_the_layer_that_is_wrong(layers, error, words):
    with pytest.raises(error, match=words):
        receptive_field(layers)


def test_receptive_field_of_an_empty_stack_is_empty():
    assert receptive_field([]) == []
