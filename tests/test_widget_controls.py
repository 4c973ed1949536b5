"""Every control of every view refuses a value its view cannot show, and then nothing moves.

Set from code (a student's cell, a test) or from the browser, a refused value raises
traitlets.TraitError; the control keeps its value and the figure its picture, so the two
never disagree.
"""

from __future__ import annotations

import math

import ipywidgets as widgets
import numpy as np
import pytest
import traitlets

from lessons_lib import widgets as course_widgets
from lessons_lib.nn.models import detector_cnn
from lessons_lib.nn.transformer import tiny_vit
from lessons_lib.plots import MAX_VIEW_PX, check_projector_ready


def views():
    """One instance of each of the course's views, on small inputs."""
    from lessons_lib.widgets.architectures import ArchitectureBrowser, ArchitectureBuilder
    from lessons_lib.widgets.attention import AttentionExplorer, PatchSizeExplorer
    from lessons_lib.widgets.backprop import FilterLearner, TapExplorer
    from lessons_lib.widgets.cnn import FeatureMapExplorer
    from lessons_lib.widgets.convolution import ConvolutionStepper, FilterExplorer
    from lessons_lib.widgets.metrics import ImbalanceExplorer, ThresholdExplorer
    from lessons_lib.widgets.pooling import PhotoPooling, PoolingStepper
    from lessons_lib.widgets.start import SmoothingDemo

    rng = np.random.default_rng(0)
    events = rng.random((3, 1, 64, 64)).astype(np.float32)
    small = rng.random((3, 1, 16, 16)).astype(np.float32)
    vit = tiny_vit((1, 16, 16), 3, patch_size=4, embed_dim=8, depth=2, num_heads=2, rng=2)
    return {
        "SmoothingDemo": lambda: SmoothingDemo(),
        "ConvolutionStepper": lambda: ConvolutionStepper(),
        "FilterExplorer": lambda: FilterExplorer("coins", size=5),
        "TapExplorer": lambda: TapExplorer(),
        "FilterLearner": lambda: FilterLearner(steps=20),
        "PoolingStepper": lambda: PoolingStepper(),
        "PhotoPooling": lambda: PhotoPooling("coins"),
        "FeatureMapExplorer": lambda: FeatureMapExplorer(detector_cnn(), events, [0, 1, 2],
                                                         ("a", "b", "c")),
        "ThresholdExplorer": lambda: ThresholdExplorer([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.3]),
        "ImbalanceExplorer": lambda: ImbalanceExplorer(0.9, 0.05),
        "PatchSizeExplorer": lambda: PatchSizeExplorer(),
        "AttentionExplorer": lambda: AttentionExplorer(vit, small, [0, 1, 2], ("a", "b", "c")),
        "ArchitectureBrowser": lambda: ArchitectureBrowser("alexnet"),
        "ArchitectureBuilder": lambda: ArchitectureBuilder(input_size=32),
    }


VIEWS = views()


def controls(view) -> dict:
    """The view's controls that hold a value, by attribute name."""
    return {name: value for name, value in vars(view).items()
            if isinstance(value, widgets.ValueWidget)
            and not isinstance(value, (widgets.Play, widgets.HTML, widgets.Label,
                                       widgets.Image, widgets.Checkbox))}


def invalid_values(control) -> list:
    """Values ``control`` must refuse."""
    if isinstance(control, (widgets.Dropdown, widgets.ToggleButtons, widgets.Select)):
        return [None, "not an option", ("label", "value"), 10**9] if control.options else []
    # Numbers of another type are cast, and numbers out of range clamped, as ipywidgets
    # does: the view then shows the cast value, so control and figure still agree.
    if isinstance(control, (widgets.FloatSlider, widgets.FloatLogSlider)):
        return [math.nan, math.inf, -math.inf, "half", None]
    if isinstance(control, widgets.IntSlider):
        off_step = [control.min + 1] if control.step > 1 and control.max > control.min else []
        return [*off_step, "three", None]
    return []


@pytest.mark.parametrize("name", list(VIEWS))
def test_controls_are_the_course_validated_kinds(name):
    view = VIEWS[name]()
    kinds = {widgets.Dropdown: course_widgets.Dropdown,
             widgets.ToggleButtons: course_widgets.ToggleButtons,
             widgets.Select: course_widgets.Select, widgets.IntSlider: course_widgets.IntSlider,
             widgets.FloatSlider: course_widgets.FloatSlider,
             widgets.FloatLogSlider: course_widgets.FloatLogSlider}
    for attribute, control in controls(view).items():
        for base, validated in kinds.items():
            if type(control) is base:
                pytest.fail(f"{name}.{attribute} is a plain {base.__name__}: use "
                            f"lessons_lib.widgets.{validated.__name__}")


@pytest.mark.parametrize("name", list(VIEWS))
def test_a_refused_value_moves_neither_control_nor_figure(name):
    view = VIEWS[name]()
    tried = 0
    for attribute, control in controls(view).items():
        for value in invalid_values(control):
            before, picture = control.value, view.image.value
            with pytest.raises(traitlets.TraitError):
                control.value = value
            assert control.value == before or (before != before and control.value != control.value), (
                f"{name}.{attribute} changed to {control.value!r} on a refused {value!r}")
            assert view.image.value == picture, f"{name} redrew for a refused {attribute}"
            tried += 1
    assert tried > 0 or not controls(view)


def test_a_slider_of_odd_sizes_refuses_an_even_one():
    slider = course_widgets.IntSlider(value=3, min=3, max=101, step=2, description="size")
    with pytest.raises(traitlets.TraitError, match=r"size must be one of 3, 5, \.\.\., 101, got 4"):
        slider.value = 4
    slider.value = 1000  # beyond the end: clamped, as ipywidgets does
    assert slider.value == 101


def test_a_list_with_no_options_may_be_empty_and_one_with_options_may_not():
    layers = course_widgets.Select(options=[], description="layers")
    assert layers.value is None
    layers.options = ["conv", "relu"]
    layers.value = "relu"
    with pytest.raises(traitlets.TraitError, match="layers must be one of"):
        layers.value = None
    assert layers.value == "relu"


def control_ends(control) -> list:
    """The values at a control's ends: a slider's min and max, a list's first and last."""
    if isinstance(control, (widgets.Dropdown, widgets.ToggleButtons, widgets.Select)):
        values = [option[1] if isinstance(option, tuple) else option
                  for option in control.options]
        return [values[-1], values[0]] if values else []
    if isinstance(control, (widgets.IntSlider, widgets.FloatSlider, widgets.FloatLogSlider)):
        return [control.max, control.min]
    return []


@pytest.mark.parametrize("name", list(VIEWS))
def test_every_picture_at_a_controls_ends_reads_on_a_projector(name):
    """A view's later pictures keep the layout of its first, which to_png checked once:
    text that grows with a control must still fit, and read, at the control's ends."""
    view = VIEWS[name]()
    checked = 0
    for attribute, control in controls(view).items():
        for value in control_ends(control):
            control.value = value
            try:
                check_projector_ready(view.fig, MAX_VIEW_PX)
            except ValueError as error:
                pytest.fail(f"{name} with {attribute}={value!r}: {error}")
            checked += 1
    assert checked > 0 or not controls(view)
