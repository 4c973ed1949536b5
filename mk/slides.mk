# Slide decks that open from a file, without Jupyter and without network.
# `make slides` exports every notebook to slides/<name>.slides.html with reveal.js, MathJax,
# require.js and jQuery copied into slides/_static from node_modules
# (npm installs the versions pinned in package-lock.json). Copy the whole slides/ folder
# to the presenting machine.
NPM ?= npm
NODE_ASSETS := node_modules/.package-lock.json

.PHONY: slides slides-assets handouts

$(NODE_ASSETS): package.json package-lock.json
	@command -v $(NPM) >/dev/null || { echo "npm not found: install Node.js (it provides npm), e.g. apt-get install npm"; exit 1; }
	$(NPM) ci --no-audit --no-fund --ignore-scripts
	@touch $@

slides-assets: $(NODE_ASSETS)

slides: env slides-assets
	$(BIN)/python tools/export_slides.py --out slides $(NOTEBOOKS)

# One PDF per lesson in handouts/, printed from the decks by Chromium (see mk/e2e.mk for
# where Chromium comes from; Playwright drives it).
handouts: slides $(E2E_STAMP)
	@test -n "$(CHROMIUM)" || { echo "Chromium not found. Install it (Debian/Ubuntu: sudo apt-get install chromium) or run: make handouts CHROMIUM=/path/to/chromium"; exit 1; }
	CHROMIUM=$(CHROMIUM) $(BIN)/python tools/export_handouts.py --out handouts
