# The course website: build/site/, made by Sphinx and MyST-NB from the executed notebooks
# (never re-executed), with MathJax and the widget manager served from the site itself.
# Decks and handouts are linked from each lesson when `make slides` / `make handouts`
# made them; `make site` makes the decks first.
SITE_STAMP := $(VENV)/.installed-site

.PHONY: site

$(SITE_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e ".[site]"
	@touch $@

site: env $(SITE_STAMP) slides
	$(BIN)/python tools/build_site.py --out build/site
	@echo "Serve it: python -m http.server -d build, then open http://localhost:8000/site/"
