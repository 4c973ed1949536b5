"""The layers of lessons_lib import one way only: widgets → plots → compute, nn → compute.

Read from the source with ast (every import statement, those inside functions too), so
that a wrong import fails here even if no test happens to run the line.

- compute: the modules at the top of the package (convolution, pooling, losses, ...,
  shapes, _validate) and the fast layer beside them (lessons_lib.fast) use numpy and
  the standard library: never the network layer (nn, architectures), the plots, the
  widgets, matplotlib or ipywidgets;
- network: lessons_lib.nn, and lessons_lib.architectures which builds nn's layers;
  never the plots or the widgets, and nn never architectures;
- plots: never the widgets or ipywidgets;
- widgets: draw only through plots: never matplotlib, and no call that makes a figure,
  axes or artist (a widget wires controls to a plot object, which draws).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "lessons_lib"

NETWORK = ("lessons_lib.nn", "lessons_lib.architectures")
VIEWS = ("lessons_lib.plots", "lessons_lib.widgets", "matplotlib", "ipywidgets")
NOT_NUMPY_ONLY = ("scipy", "sklearn", "torch", "pandas")

# Module (or package) prefix → what no module under it may import.
FORBIDDEN = {
    "compute": (*NETWORK, *VIEWS, *NOT_NUMPY_ONLY),
    "lessons_lib.fast": (*NETWORK, *VIEWS, *NOT_NUMPY_ONLY),
    "lessons_lib.nn": ("lessons_lib.architectures", *VIEWS),
    "lessons_lib.architectures": VIEWS,
    "lessons_lib.plots": ("lessons_lib.widgets", "ipywidgets"),
    "lessons_lib.widgets": ("matplotlib", "lessons_lib.plots.new_figure"),
}
# Calls that make a figure, axes or artist: the plots' job, never a widget's.
DRAWING = {"new_figure", "Figure", "subplots", "add_subplot", "add_axes", "add_gridspec",
           "imshow", "matshow", "plot", "bar", "barh", "scatter", "text", "annotate",
           "suptitle", "set_title", "set_xlabel", "set_ylabel", "legend", "colorbar",
           "fill_between", "axhline", "axvline", "hist"}
# Folders of the package that are not compute modules.
NOT_COMPUTE = ("architectures", "exercises", "fast", "nn", "plots", "widgets")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    """Every module ``path`` imports, ``from lessons_lib import nn`` as lessons_lib.nn."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: use absolute imports"
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def layer_of(path: Path) -> str | None:
    relative = path.relative_to(PACKAGE)
    if len(relative.parts) == 1:
        return "compute" if relative.name != "__init__.py" else None
    if relative.parts[0] not in NOT_COMPUTE:
        raise AssertionError(f"{relative.parts[0]}/ is in no layer: add it to {__file__}")
    name = module_name(path)
    return next((prefix for prefix in FORBIDDEN if name.startswith(prefix)), None)


def violations(path: Path) -> list[str]:
    layer = layer_of(path)
    if layer is None:
        return []
    return sorted({f"{module_name(path)} imports {banned}" for name in imported(path)
                   for banned in FORBIDDEN[layer]
                   if name == banned or name.startswith(banned + ".")})


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=[module_name(p) for p in MODULES])
def test_imports_run_one_way(path):
    assert violations(path) == []


def drawing_calls(path: Path) -> list[str]:
    """Calls in ``path`` of a function or method named in :data:`DRAWING`, with lines."""
    calls = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in DRAWING:
                calls.append(f"{path.name}:{node.lineno} {name}()")
    return calls


WIDGETS = sorted((PACKAGE / "widgets").glob("*.py"))


@pytest.mark.parametrize("path", WIDGETS, ids=[module_name(p) for p in WIDGETS])
def test_widgets_draw_only_through_plots(path):
    assert drawing_calls(path) == []


def test_the_rules_catch_a_widget_that_draws(tmp_path):
    widget = tmp_path / "view.py"
    widget.write_text("def update(self):\n    self.ax.set_title('x')\n"
                      "    self.plot.show(1)\n    fig = new_figure(3, 2)\n")
    assert drawing_calls(widget) == ["view.py:2 set_title()", "view.py:4 new_figure()"]


def test_the_rules_catch_a_wrong_import(tmp_path, monkeypatch):
    package = tmp_path / "lessons_lib"
    (package / "plots").mkdir(parents=True)
    monkeypatch.setattr(f"{__name__}.PACKAGE", package)
    # A compute module that builds a network and draws (inside a function), a plot
    # that uses a widget.
    compute, plot = package / "pooling.py", package / "plots" / "pooling.py"
    compute.write_text("def f():\n    from lessons_lib import nn\n    import matplotlib.pyplot\n")
    plot.write_text("from lessons_lib.widgets import View\n")
    assert violations(compute) == ["lessons_lib.pooling imports lessons_lib.nn",
                                   "lessons_lib.pooling imports matplotlib"]
    assert violations(plot) == ["lessons_lib.plots.pooling imports lessons_lib.widgets"]
