# The browser edition: `make lite` builds build/lite/, a static JupyterLite site whose
# kernel is Pyodide (Python in WebAssembly) with every wheel served from the site; serve
# it with `python -m http.server -d build/lite`. Downloads (pinned and hashed in
# lite/pins.sha256) need the network once; they are kept in build/lite-cache/.
# `make e2e-lite` runs all eight notebooks in it offline (`make e2e` runs lessons 00, 01).
#
# The build tools live in a venv of their own: jupyterlite-pyodide-kernel installs a
# JupyterLab extension that only JupyterLite's JupyterLab can load, and in .venv it would
# break the lab of `make lab`.
LITE_VENV := build/lite-venv
LITE_STAMP := $(LITE_VENV)/.installed

.PHONY: lite e2e-lite

$(LITE_STAMP): pyproject.toml $(CONSTRAINTS)
	@test -x $(LITE_VENV)/bin/python || $(PYTHON) -m venv $(LITE_VENV)
	$(LITE_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LITE_VENV)/bin/python -m pip install --quiet -c $(CONSTRAINTS) -e ".[lite]"
	@touch $@

lite: $(LITE_STAMP)
	@command -v $(NPM) >/dev/null || { echo "npm not found: install Node.js (it provides npm), e.g. apt-get install npm"; exit 1; }
	$(LITE_VENV)/bin/python tools/build_lite.py

# The browser tests of `make e2e` include the browser edition: build it first.
e2e: lite

e2e-lite: env $(E2E_STAMP) lite
	@test -n "$(CHROMIUM)" || { echo "Chromium not found. Install it (Debian/Ubuntu: sudo apt-get install chromium) or run: make e2e-lite CHROMIUM=/path/to/chromium"; exit 1; }
	COURSE_E2E=1 COURSE_LITE_ALL=1 CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest -q tests/e2e/test_lite.py $(E2E_ARGS)
