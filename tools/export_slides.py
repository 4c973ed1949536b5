"""Export the course notebooks to reveal.js slide decks that open offline.

    python tools/export_slides.py                          # every notebook into slides/
    python tools/export_slides.py notebooks/01_*.ipynb     # the notebooks given
    python tools/export_slides.py --out /tmp/deck NB.ipynb # another output folder

Each notebook becomes ``<out>/<name>.slides.html`` with its stored outputs. nbconvert's
decks load reveal.js, MathJax, require.js and jQuery from CDNs by default; a lecture
room often has no network, so the decks here load them from ``<out>/_static``, copied
from ``node_modules`` (``npm ci`` installs the versions that ``package-lock.json`` pins).
Copy the whole output folder to present.

A deck is laid out for a 1280 x 720 screen, the same slide as the live deck in
JupyterLab: the right arrow (or space) walks every slide and fragment in order, S opens
the speaker view with the notes cells, and ``?print-pdf`` prints one page per slide
(``tools/export_handouts.py``). An interactive view cannot run without a kernel, so the
deck shows it as it was stored (its figure, its text and the values of its controls)
with a caption that says it is live in JupyterLab.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import sys
from pathlib import Path

import nbformat
from build_notebooks import HIDDEN_INPUT, WIDGET_STATE, WIDGET_VIEW
from jinja2 import DictLoader
from nbconvert.exporters import SlidesExporter

from lessons_lib._files import write_files

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
NODE_MODULES = ROOT / "node_modules"
STATIC = "_static"
# The slide size in CSS pixels: a 720p projector, and the live deck's screen.
WIDTH, HEIGHT = 1280, 720

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
}

# Where the deck looks for each library, relative to the deck's own folder.
URLS = {
    "reveal_url_prefix": f"{STATIC}/reveal.js",
    "mathjax_url": f"{STATIC}/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
    "require_js_url": f"{STATIC}/requirejs/require.js",
    "jquery_url": f"{STATIC}/jquery/dist/jquery.min.js",
}

# reveal.js settings (https://revealjs.com/config/). "linear" makes the right arrow and
# space walk every slide in order, as the live deck does; a slide scrolls only if it
# could not be split (every course slide fits: make e2e checks it).
REVEAL_CONFIG = {
    "width": WIDTH, "height": HEIGHT, "margin": 0, "minScale": 0.2, "maxScale": 2.0,
    "center": False, "controls": True, "progress": True, "history": True,
    "slideNumber": "c/t", "navigationMode": "linear", "transition": "none",
    "pdfSeparateFragments": False, "hideInactiveCursor": False,
}

# The deck's type sizes match the live deck's (see tools/build_notebooks.py): a slide
# that fits in one fits in the other. Figures are PNGs at 96 dpi shown at their natural
# size, so their 14 pt text stays 14 pt.
DECK_CSS = """
:root {
  --jp-content-font-size1: 18px;
  --jp-code-font-size: 16px;
  --jp-ui-font-size1: 16px;
  --jp-cell-prompt-width: 0px;
}
.reveal { font-size: 18px; --r-block-margin: 8px; }
.reveal .slides { text-align: left; }
.reveal .slides section { box-sizing: border-box; padding: 10px 32px; }
.reveal .slides section.stack { padding: 0; }
html:not(.print-pdf) .reveal .slides section.present:not(.stack) {
  height: 720px; overflow-y: auto; }
.reveal .slides h1 { font-size: 40px; }
.reveal .slides h2 { font-size: 32px; }
.reveal .slides h3 { font-size: 24px; }
.reveal .slides h1, .reveal .slides h2, .reveal .slides h3 {
  margin: 0 0 12px; text-transform: none; font-family: inherit; }
.reveal .slides p, .reveal .slides li { line-height: 1.45; }
.reveal .slides p { margin: 0 0 8px; }
.reveal .slides section img { margin: 0; max-width: 100%; }
.reveal .jp-Cell { padding: 2px 0; }
.reveal .jp-OutputArea-output pre {
  white-space: pre-wrap; word-break: normal; overflow-wrap: break-word; }
.reveal .jp-RenderedImage img { max-width: 100%; height: auto; }
.frozen-view { margin: 4px 0; }
.frozen-view .frozen-controls, .frozen-view figcaption {
  font-size: 16px; color: #444; margin: 2px 0 4px; }
.frozen-view .frozen-controls span { margin-right: 1.2em; }
.frozen-view figcaption { font-style: italic; }
/* The slide number sits bottom left, clear of the arrows at the bottom right, white on a
   grey dark enough to read (7:1). */
.reveal .slide-number { font-size: 16px; right: auto; left: 8px; bottom: 8px;
  background-color: #595959; }
/* Links are underlined: colour alone does not tell them from the text around them. */
.reveal .slides a { text-decoration: underline; }
/* Code colours darkened where JupyterLab's light theme falls under WCAG AA's 4.5:1 on the
   code cells' grey. */
:root {
  --jp-mirror-editor-atom-color: #6464bc;
  --jp-mirror-editor-bracket-color: #6d6d55;
  --jp-mirror-editor-comment-color: #3a7575;
  --jp-mirror-editor-error-color: #db0000;
  --jp-mirror-editor-meta-color: #a020f0;
  --jp-mirror-editor-number-color: #008000;
  --jp-mirror-editor-operator-color: #a020f0;
  --jp-mirror-editor-quote-color: #007f00;
  --jp-mirror-editor-variable-3-color: #007c4e;
}
/* Printed, every slide ends its page; the last one must not start an empty page. */
html.print-pdf .reveal .slides .pdf-page:last-child { break-after: avoid; }
"""

OFFLINE_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{#- A figure carries its description (the lesson's alt text) for a screen reader. -#}
{%- block data_png scoped -%}
<div class="jp-RenderedImage jp-OutputArea-output {{ extra_class }}">
<img src="data:image/png;base64,{{ output.data['image/png'] | escape_html }}"
 alt="{{ ((output | get_metadata('alt', 'image/png')) or '') | escape_html }}">
</div>
{%- endblock data_png -%}
{%- block notebook_css -%}
{{ super() }}
<style type="text/css">DECK_CSS</style>
{%- endblock notebook_css -%}
{%- block footer_js -%}
<script>
require({waitSeconds: 60},
  ["{{ resources.reveal.url_prefix }}/dist/reveal.js",
   "{{ resources.reveal.url_prefix }}/plugin/notes/notes.js"],
  function (Reveal, RevealNotes) {
    window.Reveal = Reveal;
    Reveal.initialize(Object.assign(REVEAL_CONFIG, {plugins: [RevealNotes]}));
    var typeset = function () {
      var slide = Reveal.getCurrentSlide();
      if (slide && MathJax.Hub.getAllJax(slide)) { MathJax.Hub.Rerender(slide); }
    };
    Reveal.on("slidechanged", typeset);
  });
</script>
{%- endblock footer_js -%}
""".replace("DECK_CSS", DECK_CSS).replace("REVEAL_CONFIG", json.dumps(REVEAL_CONFIG))

LIVE_CAPTION = ("Interactive in JupyterLab: run the notebook to move the controls. "
                "Shown here as stored.")
# A view without controls (training curves) changes while its notebook runs.
UPDATING_CAPTION = ("Live in JupyterLab: it updates while the notebook runs. Shown here as "
                    "stored.")


class MissingAssets(RuntimeError):
    """The npm packages that the decks carry are not installed."""


def copy_assets(out: Path, node_modules: Path = NODE_MODULES, assets: dict = ASSETS) -> Path:
    """Copy the files that ``assets`` lists (npm package: patterns, default :data:`ASSETS`)
    into ``out/_static``; return that folder."""
    missing = [name for name in assets if not (node_modules / name / "package.json").exists()]
    if missing:
        raise MissingAssets(
            f"npm packages {', '.join(missing)} are missing from {node_modules}: "
            "run `npm ci` in the repository (or `make slides`, which does)")
    static = out / STATIC
    for name, patterns in assets.items():
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


def _control_value(state: dict) -> str | None:
    """How a control's stored value reads in a caption, or None for non-controls."""
    if "_options_labels" in state and state.get("index") is not None:
        return state["_options_labels"][state["index"]]
    value = state.get("value")
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, int):
        return str(value)
    return None


def frozen_view(model_id: str, state: dict, name: str) -> str:
    """HTML for a stored interactive view: its figures and text in order, the values of
    its controls, and a caption that it is live in JupyterLab."""
    parts, controls = [], []

    def visit(model_id: str) -> None:
        model = state.get(model_id)
        if model is None:
            return
        kind, values = model["model_name"], model["state"]
        if kind == "ImageModel":
            (buffer,) = [b for b in model.get("buffers", []) if b["path"] == ["value"]]
            # The view's description (View.alt_text) is the image's tooltip.
            alt = values.get("tooltip") or f"{name}, as stored"
            parts.append(f'<img src="data:image/{values.get("format", "png")};base64,'
                         f'{buffer["data"]}" alt="{html.escape(alt)}">')
        elif kind in ("HTMLModel", "HTMLMathModel"):
            parts.append(f"<div>{values.get('value', '')}</div>")
        elif kind == "LabelModel":
            parts.append(f"<div>{html.escape(values.get('value', ''))}</div>")
        elif kind in ("PlayModel", "ButtonModel"):
            return
        elif values.get("description") and _control_value(values) is not None:
            controls.append(f"<span>{html.escape(values['description'])}: "
                            f"<b>{html.escape(_control_value(values))}</b></span>")
        for child in values.get("children", []):
            visit(child.removeprefix("IPY_MODEL_"))

    visit(model_id)
    shown = f'<div class="frozen-controls">{"".join(controls)}</div>' if controls else ""
    return (f'<figure class="frozen-view">{shown}{"".join(parts)}'
            f"<figcaption>{LIVE_CAPTION if controls else UPDATING_CAPTION}</figcaption>"
            "</figure>")



def freeze_widgets(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` whose interactive views are replaced by :func:`frozen_view` HTML."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    state = nb.metadata.pop("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view:
                name = output["data"].get("text/plain", "an interactive view").split(":")[0]
                output["data"] = {"text/html": frozen_view(view["model_id"], state, name),
                                  "text/plain": output["data"].get("text/plain", "")}
    return nb


def exporter() -> SlidesExporter:
    """A slides exporter whose decks load every library from ``_static``."""
    slides = SlidesExporter(extra_loaders=[DictLoader({"offline.html.j2": OFFLINE_TEMPLATE})],
                            template_file="offline.html.j2")
    for name, url in URLS.items():
        setattr(slides, name, url)
    slides.reveal_theme = "white"
    slides.exclude_input_prompt = True
    slides.exclude_output_prompt = True
    return slides


def export(notebook: Path, out: Path, slides: SlidesExporter | None = None) -> Path:
    """Write ``out/<name>.slides.html`` for ``notebook``; return its path."""
    slides = slides or exporter()
    nb = freeze_widgets(nbformat.read(notebook, as_version=4))
    for cell in nb.cells:
        # A sentence printed by code (numbers from stored results) shows as text only.
        if HIDDEN_INPUT in cell.metadata.get("tags", []):
            cell.metadata["transient"] = {"remove_source": True}
    body, _ = slides.from_notebook_node(nb, resources={"metadata": {"name": notebook.stem}})
    # Links between lessons ("Next: 01 ...") lead to the next deck, not to a notebook.
    body = re.sub(r'href="([\w-]+)\.ipynb"', r'href="\1.slides.html"', body)
    deck = out / f"{notebook.stem}.slides.html"
    write_files({deck: body})
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
