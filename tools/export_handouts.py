"""Print the exported slide decks to PDF handouts: one page per slide, nothing cut.

    python tools/export_handouts.py                       # every deck in slides/
    python tools/export_handouts.py slides/03_*.slides.html --out /tmp/handouts

Each ``<name>.slides.html`` becomes ``<out>/<name>.pdf``: Chromium (headless, through
Playwright) opens the deck with ``?print-pdf``, reveal.js's print layout, waits until
MathJax has typeset every formula, and prints 1280 x 720 pages. Fragments show all at
once and speaker notes stay out. A slide taller than a page would spill onto a second
page; the course's slides all fit, and ``make e2e`` checks the page count.

Chromium comes from the system (``CHROMIUM``, or ``chromium`` on the PATH); Playwright's
own browser download is not used.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SLIDES = ROOT / "slides"
WIDTH, HEIGHT = 1280, 720
# No GPU, no sandbox (containers, CI runners as root), no background traffic.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
_TYPESET = ("() => window.Reveal && Reveal.isReady() && window.MathJax && MathJax.Hub "
            "&& MathJax.Hub.queue.pending === 0 && !MathJax.Hub.queue.running")


def chromium() -> str:
    found = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which(
        "chromium-browser")
    if not found:
        raise SystemExit("Chromium not found: install it (Debian/Ubuntu: apt-get install "
                         "chromium) or set CHROMIUM to its executable")
    return found


def print_deck(browser, deck: Path, out: Path) -> Path:
    """Print ``deck`` to ``out/<deck name>.pdf``; return the PDF's path."""
    page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
    try:
        page.goto(deck.resolve().as_uri() + "?print-pdf")
        page.wait_for_function(_TYPESET, timeout=120_000, polling=250)
        page.wait_for_function(
            "() => Array.from(document.images).every((img) => img.complete)")
        # reveal.js hides every slide but the current one from assistive technology; on
        # paper every slide is current.
        page.evaluate("document.querySelectorAll('.reveal .slides [aria-hidden]')"
                      ".forEach((e) => e.removeAttribute('aria-hidden'))")
        target = out / (deck.name.removesuffix(".slides.html") + ".pdf")
        # A tagged PDF keeps each figure's description (its alt text) for screen readers.
        page.pdf(path=target, width=f"{WIDTH}px", height=f"{HEIGHT}px",
                 print_background=True, tagged=True,
                 margin={"top": "0", "right": "0", "bottom": "0", "left": "0"})
        return target
    finally:
        page.close()


def print_all(decks: list[Path], out: Path) -> list[Path]:
    """Print every deck; return the PDFs' paths."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        try:
            return [print_deck(browser, deck, out) for deck in decks]
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("decks", nargs="*", type=Path,
                        help="decks to print (default: every deck in slides/)")
    parser.add_argument("--out", type=Path, default=ROOT / "handouts",
                        help="output folder (default: handouts/)")
    args = parser.parse_args(argv)
    decks = args.decks or sorted(SLIDES.glob("*.slides.html"))
    if not decks:
        print("no decks to print: run `make slides` first", file=sys.stderr)
        return 1
    for pdf in print_all(decks, args.out):
        print(pdf)
    return 0


if __name__ == "__main__":
    sys.exit(main())
