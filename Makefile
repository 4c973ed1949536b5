# The commands a person types. Everything runs inside .venv, created on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CONSTRAINTS := constraints.txt
# NO_BROWSER=1 make lab: start the server without opening a browser (for a remote machine).
NO_BROWSER ?=
# tests.nbval_test_once: after each notebook's last cell, at most one test-set evaluation.
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
	-p tests.nbval_test_once

.PHONY: env lab test lint unit sync nbval notebooks bench weights sweeps constraints clean

$(STAMP): pyproject.toml $(CONSTRAINTS)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e ".[lab,test]"
	@touch $(STAMP)

env: $(STAMP)

# Jupyter refuses to start as root (containers, some classroom machines) unless told to.
lab: env
	$(BIN)/jupyter lab notebooks/00_start_here.ipynb $(if $(NO_BROWSER),--no-browser) \
		$(if $(filter 0,$(shell id -u)),--allow-root)

test: lint unit sync nbval

lint: env
	$(BIN)/ruff check lessons_lib lessons notebooks tests tools bench

unit: env
	$(BIN)/python -m pytest -q

sync: env
	$(BIN)/python tools/build_notebooks.py --check

nbval: env
	$(BIN)/python -m pytest -q $(NBVAL) notebooks

notebooks: env
	$(BIN)/python tools/build_notebooks.py $(LESSONS)

# PyTorch is the benchmarks' reference: the CPU build (2.13.0), not the gigabytes of CUDA an
# unpinned torch pulls in.
BENCH_STAMP := $(VENV)/.installed-bench
$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e ".[test,bench]" "torch==2.13.0"
	@touch $@

# Speed against scipy and PyTorch, measured in the same run; writes build/bench.json.
bench: env $(BENCH_STAMP)
	$(BIN)/python bench/run.py $(TOPICS)

# Retrain the networks later lessons load (seeded): lesson 04's CNN, then lesson 06's ViT.
weights: env
	$(BIN)/python tools/train_detector_cnn.py
	$(BIN)/python tools/train_vit.py

# Lesson 07's cached architecture experiments; RERUN=1 runs every sweep again.
sweeps: env
	$(BIN)/python tools/run_sweeps.py $(if $(RERUN),--rerun)

# Pin today's resolved versions for reproducible CI runs (ranges stay in pyproject.toml).
constraints: env
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^cnn-course' > $(CONSTRAINTS)

clean:
	rm -rf $(VENV) build *.egg-info

# Targets that belong to one part of the course (browser tests, slide export, ...).
include $(wildcard mk/*.mk)
