# Slide decks that open from a file, without Jupyter and without network.
# `make slides` exports every notebook to slides/<name>.slides.html with reveal.js, MathJax,
# require.js, jQuery and the widget manager copied into slides/_static from node_modules
# (npm installs the versions pinned in package-lock.json). Copy the whole slides/ folder
# to the presenting machine.
NPM ?= npm
NODE_ASSETS := node_modules/.package-lock.json

.PHONY: slides slides-assets

$(NODE_ASSETS): package.json package-lock.json
	@command -v $(NPM) >/dev/null || { echo "npm not found: install Node.js (it provides npm), e.g. apt-get install npm"; exit 1; }
	$(NPM) ci --no-audit --no-fund --ignore-scripts
	@touch $@

slides-assets: $(NODE_ASSETS)

slides: env slides-assets
	$(BIN)/python tools/export_slides.py --out slides $(NOTEBOOKS)
