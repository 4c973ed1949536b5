"""One colour-blind-safe palette for every plot: Okabe-Ito for categories, uniform or
diverging maps for values, checked by simulating the three colour-vision deficiencies."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import colorspacious
import numpy as np
import pytest
from matplotlib import rcParams
from matplotlib.colors import to_hex, to_rgb
from skimage import color as skimage_color

from lessons_lib import plots

ROOT = Path(__file__).resolve().parents[1]
DRAWING_CODE = sorted([*(ROOT / "lessons_lib" / "plots").glob("*.py"),
                       *(ROOT / "lessons_lib" / "widgets").glob("*.py"),
                       *(ROOT / "lessons").glob("*.py")])
# Greys are not categories: they carry no meaning a colour-blind reader could miss.
NEUTRAL = {"white", "black", "none", "gray", "grey", "k", "w"}


def simulated_lab(colour: str, deficiency: str) -> np.ndarray:
    """CIELAB of ``colour`` as a viewer with full ``deficiency`` sees it."""
    space = {"name": "sRGB1+CVD", "cvd_type": deficiency, "severity": 100}
    seen = np.clip(colorspacious.cspace_convert(to_rgb(colour), space, "sRGB1"), 0, 1)
    return skimage_color.rgb2lab(seen[None, None, :])[0, 0]


@pytest.mark.parametrize("deficiency", ["protanomaly", "deuteranomaly", "tritanomaly"])
def test_every_pair_of_category_colours_stays_distinct(deficiency):
    """Protanopia, deuteranopia and tritanopia: CIEDE2000 of at least 10 between any two."""
    labs = {colour: simulated_lab(colour, deficiency) for colour in plots.OKABE_ITO}
    distances = {(a, b): float(skimage_color.deltaE_ciede2000(labs[a], labs[b]))
                 for a, b in itertools.combinations(plots.OKABE_ITO, 2)}
    worst = min(distances, key=distances.get)
    assert distances[worst] >= 10, f"{worst} are {distances[worst]:.1f} apart"


def test_the_check_catches_matplotlibs_default_colours():
    """The same measure fails tab10's blue and purple (the palette the course left)."""
    lab = [simulated_lab(c, "protanomaly") for c in ("tab:blue", "tab:purple")]
    assert float(skimage_color.deltaE_ciede2000(*lab)) < 10


def test_lines_without_a_colour_take_the_palette():
    cycle = [to_hex(c["color"]).upper() for c in rcParams["axes.prop_cycle"]]
    assert cycle == list(plots.LINE_CYCLE)
    assert set(cycle) <= set(plots.OKABE_ITO)


COLOUR_ARGUMENT = re.compile(
    r"""\b(?:color|colors|colour|edgecolor|facecolor|ecolor|c)\s*=\s*["']([^"']+)["']""")


def _colour_literals(text: str) -> list[str]:
    literals = COLOUR_ARGUMENT.findall(text)
    literals += re.findall(r"""["'](tab:[a-z]+|C\d|#[0-9A-Fa-f]{6})["']""", text)
    return literals


@pytest.mark.parametrize("path", DRAWING_CODE, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_drawing_code_names_colours_only_from_the_palette(path):
    """No tab10 name, cycle index or stray hex: a category colour comes from lessons_lib.plots."""
    text = path.read_text()
    if path.name == "__init__.py" and path.parent.name == "plots":
        text = text.split("OKABE_ITO = ", 1)[0]
    stray = []
    for literal in _colour_literals(text):
        try:
            grey = float(literal)  # "0.55": a grey level
        except ValueError:
            grey = None
        if grey is not None and 0 <= grey <= 1:
            continue
        if literal.lower() in NEUTRAL or literal.upper() in plots.OKABE_ITO:
            continue
        stray.append(literal)
    assert stray == [], f"colours outside the palette: {stray}"


@pytest.mark.parametrize("path", DRAWING_CODE, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_colour_maps_are_uniform_or_diverging(path):
    maps = set(re.findall(r"""cmap\s*=\s*["']([^"']+)["']""", path.read_text()))
    assert maps <= {*plots.IMAGE_CMAPS, plots.SIGNED_CMAP}, maps
