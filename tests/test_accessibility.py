"""What a reader who cannot see the figures, or uses only a keyboard, gets from the course:
a description of every figure and view (the lesson's alt text) and named controls."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pytest

import lessons_lib.widgets as widget_package
from lessons_lib.widgets import View


def view_classes():
    import importlib
    import pkgutil

    found = []
    for module in pkgutil.iter_modules(widget_package.__path__):
        loaded = importlib.import_module(f"lessons_lib.widgets.{module.name}")
        found += [obj for obj in vars(loaded).values() if inspect.isclass(obj)
                  and issubclass(obj, View) and obj.__module__ == loaded.__name__]
    return found


@pytest.mark.parametrize("view", view_classes(), ids=lambda cls: cls.__name__)
def test_every_view_describes_its_figure(view):
    words = view.ALT.split()
    assert 8 <= len(words) <= 60, f"{view.__name__}.ALT should be one sentence of 8-60 words"
    assert view.ALT.endswith("."), "ALT is a sentence"


def test_a_views_description_follows_its_controls():
    from lessons_lib.widgets.pooling import PoolingStepper

    view = PoolingStepper()
    assert view.image.tooltip.startswith(PoolingStepper.ALT)
    assert "size 2" in view.image.tooltip
    view.size.value = 3
    assert "size 3" in view.image.tooltip and "size 2" not in view.image.tooltip
    view.mode.value = "average"
    assert "pooling average" in view.image.tooltip


def _widgets(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _widgets(child)


def _views():
    import numpy as np

    from lessons_lib.widgets.architectures import ArchitectureBrowser
    from lessons_lib.widgets.convolution import ConvolutionStepper
    from lessons_lib.widgets.metrics import ImbalanceExplorer, ThresholdExplorer
    from lessons_lib.widgets.pooling import PoolingStepper
    from lessons_lib.widgets.start import SmoothingDemo

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    return [SmoothingDemo(), ConvolutionStepper(), PoolingStepper(), ArchitectureBrowser(),
            ThresholdExplorer(y, rng.random(200)), ImbalanceExplorer(0.98, 0.01)]


@pytest.mark.parametrize("view", _views(), ids=lambda v: type(v).__name__)
def test_every_control_of_a_view_has_a_name(view):
    """A screen reader announces a control by its description (or its tooltip)."""
    import ipywidgets as widgets

    controls = [w for w in _widgets(view.ui)
                if isinstance(w, (widgets.ValueWidget, widgets.Button))
                and not isinstance(w, (widgets.Image, widgets.HTML, widgets.Label))]
    unnamed = [type(w).__name__ for w in controls if not (w.description or w.tooltip)]
    assert controls and unnamed == []


NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_figure_in_a_notebook_carries_its_description(path):
    """The build copies each cell's alt metadata onto its figures (tools/build_notebooks.py)."""
    nb = json.loads(path.read_text())
    missing = []
    for index, cell in enumerate(nb["cells"]):
        for output in cell.get("outputs", []):
            if "image/png" in output.get("data", {}):
                alt = output.get("metadata", {}).get("image/png", {}).get("alt", "")
                if len(alt.split()) < 6:
                    missing.append(index)
    assert missing == [], f"cells whose figures have no description: {missing}"
