"""tools/build_site.py's copies of the decks link to the browser edition beside the site."""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import build_site  # noqa: E402


def _served(tmp_path, with_lite: bool) -> Path:
    """A folder laid out as `make site` serves it: site/ beside lite/."""
    if with_lite:
        (tmp_path / "lite" / "lab").mkdir(parents=True)
        (tmp_path / "lite" / "lab" / "index.html").write_text("<html></html>")
    return tmp_path


def test_each_deck_on_the_site_links_its_notebook_in_the_browser_edition(tmp_path):
    root = _served(tmp_path, with_lite=True)
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    build_site.copy_editions(root / "site", notebooks, root / "lite")
    decks = sorted((root / "site" / "slides").glob("*.slides.html"))
    if not decks:
        pytest.skip("no decks: `make slides` makes them")
    for deck in decks:
        text = deck.read_text()
        stem = deck.name.removesuffix(".slides.html")
        href = f"../../lite/lab/index.html?path={stem}.ipynb"
        assert text.count('class="try-live"') == 1, deck.name
        # on the title slide, right under the lesson's title
        assert text.index("</h1>") < text.index(href) < text.index("</section>")
        target = (deck.parent / urlsplit(href).path).resolve()
        assert target == (root / "lite" / "lab" / "index.html").resolve()
        assert (root / "site" / "notebooks" / f"{stem}.ipynb").exists()
    # The decks in slides/ stay as they are, for a machine without the browser edition.
    assert 'class="try-live"' not in (ROOT / "slides" / decks[0].name).read_text()


def test_without_the_browser_edition_the_decks_get_no_link(tmp_path):
    root = _served(tmp_path, with_lite=False)
    build_site.copy_editions(root / "site", [], root / "lite")
    for deck in (root / "site" / "slides").glob("*.slides.html"):
        assert 'class="try-live"' not in deck.read_text()


def test_a_deck_without_a_title_is_named(tmp_path):
    (tmp_path / "00_x.slides.html").write_text("<section><p>no title</p></section>")
    with pytest.raises(ValueError, match=r"00_x\.slides\.html has no title"):
        build_site.link_decks_to_lite(tmp_path, ["00_x"])
