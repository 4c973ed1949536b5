# The course's JupyterLab extension (a11y/, "cnn-course-a11y"): figure descriptions as the
# images' alt text, names for slider handles and Play buttons, arrow keys for a focused
# dropdown. Its build (a11y/labextension/, a few kB of JavaScript) is committed, so that
# `make env` (and so `make lab`) copies it into .venv without Node.js or the network, and
# `make lite` puts the same folder into the browser edition (tools/build_lite.py). After
# editing a11y/src/, run `make a11y` (needs npm) and commit a11y/labextension/ and
# a11y/source.sha256 with the change: tests/test_a11y_extension.py fails while the
# recorded sources differ from a11y/src/.
A11Y_BUILT := a11y/labextension
A11Y_INSTALLED := $(VENV)/share/jupyter/labextensions/cnn-course-a11y

.PHONY: a11y

$(A11Y_INSTALLED)/package.json: $(STAMP) $(A11Y_BUILT)/package.json $(wildcard $(A11Y_BUILT)/static/*)
	rm -rf $(A11Y_INSTALLED)
	mkdir -p $(A11Y_INSTALLED)
	cp -R $(A11Y_BUILT)/. $(A11Y_INSTALLED)/
	@touch $@

env: $(A11Y_INSTALLED)/package.json

a11y: $(STAMP)
	$(BIN)/python a11y/build.py
	rm -rf $(A11Y_INSTALLED)
	$(MAKE) --no-print-directory $(A11Y_INSTALLED)/package.json
