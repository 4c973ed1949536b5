"""Build the course website into build/site/ with Sphinx and MyST-NB, offline.

    python tools/build_site.py                 # build/site/
    python tools/build_site.py --out /tmp/site

The pages are the notebooks of ``notebooks/`` as built and checked (their stored
outputs, never executed again), one page per lesson named like its notebook, the
notation page (``docs/notation.md``) and an index. Each lesson page starts with links to
its other editions: the slide deck and the handout (copied from ``slides/`` and
``handouts/`` when ``make slides`` / ``make handouts`` have made them), the notebook
to download, and the browser edition (``build/lite``, when ``make lite`` has made it,
to which the site's copy of each deck links from its title slide too).
An interactive view shows as stored (its figure, the values of its controls, a caption),
as in the decks. Every script, style sheet and font a page loads is in the site: MathJax
comes from ``node_modules`` (``npm ci``), the theme ships its own.

Serve ``build/`` to see the site beside the browser edition:
``python -m http.server -d build`` then http://localhost:8000/site/.
"""

from __future__ import annotations

import argparse
import html
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import export_slides  # noqa: E402
from build_notebooks import FIGURE, HIDDEN_INPUT, figure_alt  # noqa: E402
from export_slides import MissingAssets, copy_assets, freeze_widgets  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SITE_SOURCE = ROOT / "site"
BUILD = ROOT / "build"

# What the pages load at run time, relative to each npm package (see site/conf.py):
# MathJax, as the decks carry it.
ASSETS = {"mathjax": export_slides.ASSETS["mathjax"]}


def figure_with_description(output) -> None:
    """Show a figure output as an image that carries its description (the lesson's alt
    text, which MyST-NB would not pass on) for a screen reader."""
    data = output.get("data", {})
    if FIGURE not in data:
        return
    output["data"] = {"text/html": f'<img src="data:{FIGURE};base64,{data[FIGURE].strip()}"'
                                   f' alt="{html.escape(figure_alt(output))}"'
                                   ' class="course-figure">'}


def lesson_title(nb) -> str:
    """The first markdown heading of a notebook, without its hashes."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    raise ValueError("a lesson notebook must start with a markdown heading")


def lite_notebook(stem: str) -> str:
    """The browser edition's page for notebook ``stem``, from the folder that holds both
    the site and the browser edition (``build/``)."""
    return f"lite/lab/index.html?path={stem}.ipynb"


def has_lite(lite: Path) -> bool:
    """Whether ``make lite`` has built the browser edition in ``lite``."""
    return (lite / "lab" / "index.html").exists()


def editions(stem: str, out: Path, lite: Path) -> str:
    """HTML links to a lesson's deck, handout, notebook and browser edition."""
    links = []
    if (out / "slides" / f"{stem}.slides.html").exists():
        links.append((f"slides/{stem}.slides.html", "Slides (full screen, S for notes)"))
    if (out / "handouts" / f"{stem}.pdf").exists():
        links.append((f"handouts/{stem}.pdf", "Handout (PDF, one page per slide)"))
    links.append((f"notebooks/{stem}.ipynb", "Notebook (download, open in JupyterLab)"))
    if has_lite(lite):
        links.append(("../" + lite_notebook(stem), "Run it in your browser (nothing to install)"))
    items = "".join(f'<a href="{html.escape(href)}">{html.escape(text)}</a>'
                    for href, text in links)
    return f'<nav class="lesson-editions" aria-label="This lesson in other forms">{items}</nav>'


def stage_lesson(notebook: Path, source: Path, out: Path, lite: Path) -> str:
    """Write the lesson's page source (its notebook plus the editions links); return its title."""
    # A view cannot move without Python: it shows as stored (its figure, the values of its
    # controls and a caption), as in the decks, with no control that would do nothing.
    nb = freeze_widgets(nbformat.read(notebook, as_version=4))
    title = lesson_title(nb)
    links = nbformat.v4.new_markdown_cell(editions(notebook.stem, out, lite))
    first_heading = next(i for i, cell in enumerate(nb.cells)
                         if cell.cell_type == "markdown" and cell.source.lstrip().startswith("#"))
    nb.cells.insert(first_heading + 1, links)
    for index in reversed(range(len(nb.cells))):
        cell = nb.cells[index]
        # Cells that print a sentence from stored results show the sentence only.
        if HIDDEN_INPUT in cell.metadata.get("tags", []):
            cell.metadata["tags"] = [*cell.metadata["tags"], "remove-input"]
        # Speaker notes are for the one presenting, as in the decks' S view.
        if cell.metadata.get("slideshow", {}).get("slide_type") == "notes":
            del nb.cells[index]
            continue
        for output in cell.get("outputs", []):
            figure_with_description(output)
    nbformat.write(nb, source / notebook.name)
    return title


INDEX = """\
# Convolutional neural networks, really understood

An interactive course, from one discrete convolution to a trained CNN and a vision
transformer's attention. Every lesson below is a notebook shown here with its executed
outputs; each page links to its slide deck, its handout, the notebook itself, and the
browser edition, which runs the notebook without installing anything.

| # | lesson |
|---|---|
{rows}

The [notation](notation.md) page gives every symbol its one meaning and shape.

```{{toctree}}
:hidden:
:maxdepth: 1

{toc}
notation
```
"""


def stage(source: Path, out: Path, notebooks: list[Path], lite: Path) -> None:
    """Write the Sphinx source folder: configuration, pages and an index."""
    if source.exists():
        shutil.rmtree(source)
    shutil.copytree(SITE_SOURCE, source)
    titles = {nb.stem: stage_lesson(nb, source, out, lite) for nb in notebooks}
    shutil.copy2(ROOT / "docs" / "notation.md", source / "notation.md")
    rows = "\n".join(f"| {stem[:2]} | [{title}]({stem}.ipynb) |" for stem, title in titles.items())
    (source / "index.md").write_text(INDEX.format(rows=rows, toc="\n".join(titles)))


def copy_editions(out: Path, notebooks: list[Path], lite: Path) -> None:
    """Copy the decks, the handouts and the notebooks beside the pages; the decks link to
    the browser edition when there is one (:func:`link_decks_to_lite`)."""
    for folder in ("slides", "handouts"):
        if (ROOT / folder).is_dir() and any((ROOT / folder).iterdir()):
            shutil.copytree(ROOT / folder, out / folder, dirs_exist_ok=True)
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    for notebook in notebooks:
        shutil.copy2(notebook, out / "notebooks" / notebook.name)
    if has_lite(lite):
        link_decks_to_lite(out / "slides", [notebook.stem for notebook in notebooks])


LIVE_LINK = ('<p class="try-live"><a href="{href}">Try it live: this lesson in your browser'
             '</a> (nothing to install)</p>')
"""What the title slide of a deck on the site gets, under the lesson's title."""


def link_decks_to_lite(slides: Path, stems: list[str]) -> None:
    """Add a link to the same notebook in the browser edition to each deck's title slide.

    Only the site's copies get it: the site is served beside the browser edition
    (``build/site/slides/`` next to ``build/lite/``), while the decks of ``slides/`` are
    for a presenting machine that may have neither.
    """
    for stem in stems:
        deck = slides / f"{stem}.slides.html"
        if not deck.exists():
            continue
        head, title_end, rest = deck.read_text().partition("</h1>")
        if not title_end:
            raise ValueError(f"{deck.name} has no title (h1) to put the browser edition's "
                             "link under")
        href = html.escape("../../" + lite_notebook(stem))
        deck.write_text(head + title_end + LIVE_LINK.format(href=href) + rest)


def build(out: Path, notebooks: list[Path], lite: Path = BUILD / "lite") -> Path:
    """Build the site into ``out``; return the index page's path."""
    source = out.parent / f"{out.name}-source"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    copy_editions(out, notebooks, lite)
    stage(source, out, notebooks, lite)
    copy_assets(source, assets=ASSETS)
    # -W: a broken reference or an unreadable output fails the build, not the reader.
    subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W", "--keep-going",
                    "-d", str(source / ".doctrees"), str(source), str(out)], check=True)
    return out / "index.html"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=BUILD / "site",
                        help="output folder (default: build/site/)")
    args = parser.parse_args(argv)
    try:
        index = build(args.out, sorted(NOTEBOOKS.glob("*.ipynb")))
    except MissingAssets as error:
        print(error, file=sys.stderr)
        return 1
    except subprocess.CalledProcessError:
        print("sphinx-build failed: see its messages above", file=sys.stderr)
        return 1
    print(index)
    return 0


if __name__ == "__main__":
    sys.exit(main())
