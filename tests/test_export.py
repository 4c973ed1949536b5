"""A sentence printed by code (cell tag hide-input) reads as text, live and exported."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import build_notebooks  # noqa: E402
import export_slides  # noqa: E402

LESSON = '''# %% [markdown] slideshow={"slide_type": "slide"}
# # 99 · A title

# %% tags=["hide-input"]
from IPython.display import Markdown
Markdown(f"The network got {40 + 2} events right.")

# %%
print("shown code " + "stays")
'''


def test_build_collapses_the_code_of_a_hide_input_cell(tmp_path):
    lesson = tmp_path / "99_title.py"
    lesson.write_text(LESSON)
    hidden, shown = build_notebooks.build_inputs(lesson).cells[1:]
    assert hidden.metadata["jupyter"] == {"source_hidden": True}
    assert "jupyter" not in shown.metadata


def test_exported_deck_shows_the_text_without_its_code(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# 99 · A title"),
        nbformat.v4.new_code_cell('Markdown(f"The network got {40 + 2} events right.")',
                                  metadata={"tags": ["hide-input"]}, outputs=[
                                      nbformat.v4.new_output(
                                          "execute_result", execution_count=1,
                                          data={"text/markdown":
                                                "The network got 42 events right."})]),
        nbformat.v4.new_code_cell('print("shown code " + "stays")'),
    ])
    for cell in nb.cells:
        cell.metadata["slideshow"] = {"slide_type": "slide"}
    path = tmp_path / "99_title.ipynb"
    nbformat.write(nb, path)
    deck = export_slides.export(path, tmp_path).read_text()
    assert "The network got 42 events right." in deck
    assert "Markdown(f" not in deck and "40 + 2" not in deck
    assert "shown code" in deck
