"""Export the course notebooks to reveal.js slide decks that open offline.

    python tools/export_slides.py                          # every notebook into slides/
    python tools/export_slides.py notebooks/01_*.ipynb     # the notebooks given
    python tools/export_slides.py --out /tmp/deck NB.ipynb # another output folder

Each notebook becomes ``<out>/<name>.slides.html`` with its stored outputs and widget
state. nbconvert's decks load reveal.js, MathJax, require.js, jQuery and the widget
manager from CDNs by default; a lecture room often has no network, so the decks here
load them from ``<out>/_static``, copied from ``node_modules`` (``npm ci`` installs the
versions that ``package-lock.json`` pins). Copy the whole output folder to present.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

import nbformat
from jinja2 import DictLoader
from nbconvert.exporters import SlidesExporter

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
NODE_MODULES = ROOT / "node_modules"
STATIC = "_static"

# What each library needs at run time, relative to its npm package folder. MathJax 2
# ships every output format, font format and unpacked sources (70 MB); a deck needs the
# TeX input, the CommonHTML output and its web fonts.
ASSETS = {
    "reveal.js": ["dist/reveal.js", "dist/reveal.css", "dist/theme/white.css",
                  "dist/theme/fonts/source-sans-pro", "plugin/notes/notes.js"],
    "mathjax": ["MathJax.js", "config/TeX-AMS_CHTML-full.js", "config/Safe.js",
                "extensions", "jax/input/TeX", "jax/output/CommonHTML", "jax/element",
                "fonts/HTML-CSS/TeX/woff", "fonts/HTML-CSS/TeX/otf"],
    "requirejs": ["require.js"],
    "jquery": ["dist/jquery.min.js"],
    "@jupyter-widgets/html-manager": ["dist/embed-amd.js", "dist/*.woff", "dist/*.woff2",
                                      "dist/*.ttf", "dist/*.eot", "dist/*.svg"],
}

# Where the deck looks for each library, relative to the deck's own folder.
URLS = {
    "reveal_url_prefix": f"{STATIC}/reveal.js",
    "mathjax_url": f"{STATIC}/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
    "require_js_url": f"{STATIC}/requirejs/require.js",
    "jquery_url": f"{STATIC}/jquery/dist/jquery.min.js",
    "widget_renderer_url": f"{STATIC}/@jupyter-widgets/html-manager/dist/embed-amd.js",
}

# nbconvert's reveal template imports mermaid as an ES module from a CDN in every deck.
# Browsers refuse ES modules from file:// pages and the course draws no mermaid
# diagrams, so the offline deck leaves that import out.
# The widget manager's bundle finds its icon fonts next to the URL of each AMD module it
# defines (by default the page's folder); the require.js path and the bundle's assets path
# point those lookups at the copied bundle.
OFFLINE_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_js_requirejs -%}
{{ super() }}
<script>
window.__jupyter_widgets_assets_path__ = new URL("WIDGETS_DIST/", document.baseURI).href;
require.config({paths: {"@jupyter-widgets": "WIDGETS_DIST"}});
</script>
{%- endblock html_head_js_requirejs -%}
""".replace("WIDGETS_DIST", f"{STATIC}/@jupyter-widgets/html-manager/dist")


class MissingAssets(RuntimeError):
    """The npm packages that the decks carry are not installed."""


def copy_assets(out: Path, node_modules: Path = NODE_MODULES) -> Path:
    """Copy the files that :data:`ASSETS` lists into ``out/_static``; return that folder."""
    missing = [name for name in ASSETS if not (node_modules / name / "package.json").exists()]
    if missing:
        raise MissingAssets(
            f"npm packages {', '.join(missing)} are missing from {node_modules}: "
            "run `npm ci` in the repository (or `make slides`, which does)")
    static = out / STATIC
    for name, patterns in ASSETS.items():
        package = node_modules / name
        for pattern in patterns:
            sources = sorted(package.glob(pattern))
            if not sources:
                raise MissingAssets(f"{name} has no {pattern}: is node_modules up to date?")
            for source in sources:
                target = static / name / source.relative_to(package)
                if source.is_dir():
                    shutil.copytree(source, target, dirs_exist_ok=True)
                else:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(source, target)
    return static


def exporter() -> SlidesExporter:
    """A slides exporter whose decks load every library from ``_static``."""
    slides = SlidesExporter(extra_loaders=[DictLoader({"offline.html.j2": OFFLINE_TEMPLATE})],
                            template_file="offline.html.j2")
    for name, url in URLS.items():
        setattr(slides, name, url)
    slides.reveal_theme = "white"
    slides.reveal_transition = "none"
    # A tall figure or a widget must not push the rest of a slide off the screen.
    slides.reveal_scroll = True
    return slides


def export(notebook: Path, out: Path, slides: SlidesExporter | None = None) -> Path:
    """Write ``out/<name>.slides.html`` for ``notebook``; return its path."""
    slides = slides or exporter()
    body, _ = slides.from_notebook_node(nbformat.read(notebook, as_version=4),
                                        resources={"metadata": {"name": notebook.stem}})
    # Links between lessons ("Next: 01 ...") lead to the next deck, not to a notebook.
    body = re.sub(r'href="([\w-]+)\.ipynb"', r'href="\1.slides.html"', body)
    deck = out / f"{notebook.stem}.slides.html"
    deck.write_text(body, encoding="utf-8")
    return deck


def export_all(notebooks: list[Path], out: Path) -> list[Path]:
    """Copy the assets once, then export each notebook; return the decks' paths."""
    out.mkdir(parents=True, exist_ok=True)
    copy_assets(out)
    slides = exporter()
    return [export(notebook, out, slides) for notebook in notebooks]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to export (default: every notebook in notebooks/)")
    parser.add_argument("--out", type=Path, default=ROOT / "slides",
                        help="output folder (default: slides/)")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted(NOTEBOOKS.glob("*.ipynb"))
    try:
        decks = export_all(notebooks, args.out)
    except MissingAssets as error:
        print(error, file=sys.stderr)
        return 1
    for deck in decks:
        print(deck)
    return 0


if __name__ == "__main__":
    sys.exit(main())
