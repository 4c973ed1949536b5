"""Walk a deck as a presenter does, with the right arrow alone, and measure every slide.

Two decks come from each notebook: the live one in JupyterLab (jupyterlab-slideshow,
stepped with its ``deck:forward`` command, which the right arrow runs) and the exported
reveal.js one (stepped with the ArrowRight key). Both are walked on a 1280 x 720 screen;
a slide overflows when its content is taller than the screen (the presenter would have
to scroll, and the bottom is cut off on a projector and in a handout).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import nbformat

SCREEN = {"width": 1280, "height": 720}

# Cells that the current slide shows, by index, in the live deck.
_ONSCREEN = """(selector) => Array.from(document.querySelectorAll(selector + ' .jp-Cell'))
    .map((cell, index) => (cell.classList.contains('jp-deck-mod-onscreen') ? index : -1))
    .filter((index) => index >= 0)"""

# Height of the current live slide: everything the presenting notebook would have to
# scroll through to show it (its cells and the notebook's own padding). It fits when
# this is at most the screen's height.
_LIVE_HEIGHT = """(selector) =>
  document.querySelector(selector + ' .jp-WindowedPanel-outer').scrollHeight"""

# Every image and formula on the current live slide is loaded and laid out.
_LIVE_SETTLED = """(selector) => {
  const cells = Array.from(document.querySelectorAll(selector + ' .jp-Cell.jp-deck-mod-onscreen'));
  const images = cells.flatMap((cell) => Array.from(cell.querySelectorAll('img')));
  const loading = cells.some((cell) => cell.innerText.includes('Loading widget'));
  return !loading && images.every((img) => img.complete && img.naturalHeight > 0
                                           && img.getBoundingClientRect().height > 0);
}"""

_ACTIVE = """(path) => { for (const w of window.jupyterapp.shell.widgets('main'))
  if (w.context && w.context.path === path) return w.content.activeCellIndex; }"""

# The current reveal.js slide: where it is, and how tall its content is.
_STATIC_SLIDE = """() => {
  const slide = Reveal.getCurrentSlide();
  const indices = Reveal.getIndices();
  return {key: `${indices.h}.${indices.v || 0}`, fragment: indices.f ?? -1,
          height: slide.scrollHeight};
}"""

MATHJAX_IDLE = ("() => !window.MathJax || !MathJax.Hub || "
                "(MathJax.Hub.queue.pending === 0 && !MathJax.Hub.queue.running)")

# On the current reveal.js slide: [formulas in the source, formulas typeset and visible].
# Formulas in the speaker notes are not on the slide.
MATH_ON_SLIDE = """() => {
  const slide = Reveal.getCurrentSlide();
  const onSlide = (node) => !node.closest('aside.notes');
  const visible = Array.from(slide.querySelectorAll('.MathJax_CHTML'))
    .filter((m) => onSlide(m) && m.getBoundingClientRect().width > 0);
  const source = Array.from(slide.querySelectorAll('script[type^="math/tex"]')).filter(onSlide);
  return [source.length, visible.length];
}"""
_MATH_SHOWN = f"() => {{ const [source, shown] = ({MATH_ON_SLIDE})(); return shown >= source; }}"

# Every slide of the reveal.js deck, in the same "h.v" form.
_STATIC_SLIDES = """() => Reveal.getSlides().map((slide) => {
  const indices = Reveal.getIndices(slide);
  return `${indices.h}.${indices.v || 0}`;
})"""


@dataclass
class DeckReport:
    """What a walk through one deck saw."""

    name: str
    starts: list
    reached: set = field(default_factory=set)
    heights: dict = field(default_factory=dict)
    steps: int = 0

    @property
    def missed(self) -> list:
        """Slides that the walk never showed."""
        return [slide for slide in self.starts if slide not in self.reached]

    @property
    def overflowing(self) -> dict:
        """Slides taller than the screen, with their height in pixels."""
        return {slide: height for slide, height in self.heights.items()
                if height > SCREEN["height"]}

    def line(self) -> str:
        return (f"{self.name:<40} slides {len(self.starts):>3}  reached "
                f"{len(self.reached):>3}  overflowing {len(self.overflowing):>2}")


def slide_starts(path: Path) -> list[int]:
    """Indices of the cells that start a slide (the first shown cell always does)."""
    types = [cell.metadata.get("slideshow", {}).get("slide_type")
             for cell in nbformat.read(path, as_version=4).cells]
    shown = [index for index, kind in enumerate(types) if kind not in ("skip", "notes")]
    return sorted({shown[0]} | {index for index, kind in enumerate(types)
                                if kind in ("slide", "subslide")})


def walk_live_deck(notebook, path: Path, shots: Path | None = None,
                   max_steps: int = 600) -> DeckReport:
    """Present ``notebook`` from its first cell and press deck:forward until it stops.

    A screenshot of each slide goes to ``shots`` (a folder), when given.
    """
    page = notebook.page
    starts = slide_starts(path)
    report = DeckReport(f"{path.stem} (live)", starts)
    page.evaluate("(path) => { for (const w of window.jupyterapp.shell.widgets('main')) "
                  "if (w.context && w.context.path === path) w.content.activeCellIndex = 0; }",
                  notebook.path)
    notebook.command("deck:start")
    page.wait_for_selector(f"{notebook.selector} .jp-Cell.jp-deck-mod-onscreen")
    try:
        previous = None
        for report.steps in range(1, max_steps + 1):
            shown = page.evaluate(_ONSCREEN, notebook.selector)
            if shown != previous:
                # Measure the slide as finally drawn: images loaded, then one more pause
                # for MathJax and layout.
                page.wait_for_function(_LIVE_SETTLED, arg=notebook.selector, timeout=30_000)
                page.wait_for_timeout(400)
                slide = next(s for s in reversed(starts) if s <= shown[0])
                report.reached.add(slide)
                height = page.evaluate(_LIVE_HEIGHT, notebook.selector)
                report.heights[slide] = max(height, report.heights.get(slide, 0))
                if shots:
                    shots.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=shots / f"slide_{starts.index(slide) + 1:03d}.png")
                previous = shown
            active = page.evaluate(_ACTIVE, notebook.path)
            notebook.command("deck:forward")
            page.wait_for_timeout(150)
            if page.evaluate(_ACTIVE, notebook.path) == active:
                break
    finally:
        notebook.command("deck:stop")
    return report


def walk_static_deck(page, name: str, shots: Path | None = None,
                     max_steps: int = 600) -> DeckReport:
    """Press ArrowRight from the first slide of the open reveal.js deck until it stops.

    A screenshot of each slide goes to ``shots`` (a folder), when given.
    """
    report = DeckReport(f"{name} (static)", page.evaluate(_STATIC_SLIDES))
    previous = None
    for report.steps in range(1, max_steps + 1):
        # A slide change re-typesets its formulas: measure the slide as finally drawn.
        page.wait_for_function(MATHJAX_IDLE)
        page.wait_for_function(_MATH_SHOWN, timeout=20_000)
        now = page.evaluate(_STATIC_SLIDE)
        if now["key"] not in report.heights and shots:
            shots.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=shots / f"slide_{len(report.heights) + 1:03d}.png")
        report.reached.add(now["key"])
        report.heights[now["key"]] = max(now["height"], report.heights.get(now["key"], 0))
        if (now["key"], now["fragment"]) == previous:
            break
        previous = (now["key"], now["fragment"])
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(120)
    return report
