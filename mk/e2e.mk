# Browser tests: JupyterLab and exported decks in Chromium, driven by Playwright.
# Chromium comes from the system (Debian/Ubuntu: apt-get install chromium); Playwright's
# own browser download is not used. Screenshots land in artifacts/e2e/<UTC time>/.
E2E_STAMP := $(VENV)/.installed-e2e
CHROMIUM ?= $(shell command -v chromium || command -v chromium-browser)

.PHONY: e2e

$(E2E_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e ".[test,e2e,site]"
	@touch $@

e2e: env $(E2E_STAMP) slides-assets
	@test -n "$(CHROMIUM)" || { echo "Chromium not found. Install it (Debian/Ubuntu: sudo apt-get install chromium) or run: make e2e CHROMIUM=/path/to/chromium"; exit 1; }
	COURSE_E2E=1 CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest -q tests/e2e $(E2E_ARGS)
