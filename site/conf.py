"""Sphinx configuration of the course website (``make site``, ``tools/build_site.py``).

The pages are the built notebooks with their stored outputs (MyST-NB never executes
them), the notation page and an index that ``tools/build_site.py`` writes. Everything a
page loads is served from the site itself: MathJax is copied from ``node_modules`` into
``_static``, the theme's fonts come with it, and search is Sphinx's own index. A reader
offline, or behind a school's proxy, sees every page whole.
"""

project = "Convolutional neural networks, really understood"
author = "The course's contributors"
copyright = "the course's contributors (MIT licence)"

extensions = ["myst_nb"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]

# The notebooks' outputs are the executed, checked ones of notebooks/ (make nbval).
nb_execution_mode = "off"
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "html_image"]
myst_heading_anchors = 3
suppress_warnings = ["mystnb.unknown_mime_type"]

mathjax_path = "mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
# Sphinx writes \( \) and \[ \], which MathJax 2's TeX input reads by default.
# MyST-NB marks a page "ignore" and its formulas "math" (MathJax 3's names); MathJax 2
# reads the same classes from tex2jax's settings.
mathjax2_config = {"tex2jax": {"inlineMath": [["\\(", "\\)"]],
                               "displayMath": [["\\[", "\\]"]], "processEscapes": True,
                               "ignoreClass": "tex2jax_ignore|mathjax_ignore",
                               "processClass": "tex2jax_process|mathjax_process|math|output_area"}}

html_theme = "pydata_sphinx_theme"
html_title = "CNNs, really understood"
html_static_path = ["_static"]
templates_path = ["_templates"]
html_css_files = ["course.css"]
html_last_updated_fmt = None
html_copy_source = False
html_show_sourcelink = False
html_theme_options = {
    "navigation_with_keys": True,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    # The lessons are listed in the left column; the top bar keeps the title and search.
    "navbar_center": [],
    "footer_start": ["copyright"],
    "footer_end": [],
    # No request to an outside analytics, icon or font server.
    "icon_links": [],
}
html_sidebars = {"**": ["lessons-nav.html"]}
html_context = {"default_mode": "light"}
