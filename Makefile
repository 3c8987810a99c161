# The researcher's entry points. Every target runs inside .venv, built by `install`
# from pyproject.toml pinned by constraints.txt; `install` is a no-op when neither changed.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
DISCOURSE := $(VENV)/bin/discourse
STAMP := $(VENV)/.installed
PIP_VERSION := 26.3
DEMO_DB ?= corpus/demo.sqlite
CHARTS_DIR ?= outputs/charts
REPORT_DIR ?= outputs/report
QUICK ?=

.PHONY: install demo sample corpus analyse charts report notebooks test bench lint clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@# the system pip (23.2) cannot resolve lxml[html-clean]; upgrade it first
	$(PY) -m pip install --quiet --disable-pip-version-check "pip==$(PIP_VERSION)"
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[notebooks,bench,dev]"
	@touch $(STAMP)

# The demo store is rebuilt from the synthetic sample each time, offline: the sample WARC is
# replayed through the same adapters and extraction as a live crawl.
demo: install
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(DISCOURSE) --db $(DEMO_DB) corpus --config corpus/sample/sources.toml --replay corpus/sample/sample.warc.gz
	$(DISCOURSE) --db $(DEMO_DB) status
	$(DISCOURSE) --db $(DEMO_DB) analyse
	$(DISCOURSE) stance predict --in corpus/sample/stance-sentences.jsonl --out -
	$(DISCOURSE) --db $(DEMO_DB) charts --out $(CHARTS_DIR)
	@echo "report: $$($(DISCOURSE) --db $(DEMO_DB) --quiet report --out $(REPORT_DIR))"

# Re-records corpus/sample/sample.warc.gz (and its local inputs) from the fixture sites.
sample: install
	$(PY) corpus/sample/record.py

corpus: install
	$(DISCOURSE) corpus

analyse: install
	$(DISCOURSE) analyse --config analyse.toml

charts: install
	$(DISCOURSE) charts --out $(CHARTS_DIR)

report: install
	$(DISCOURSE) report --out $(REPORT_DIR)

# Paired .py notebooks → executed .ipynb beside them (git-ignored), against the demo store
# (built first if missing) or NOTEBOOK_DB.
NOTEBOOK_DB ?= $(DEMO_DB)
notebooks: install
	@test -f $(NOTEBOOK_DB) || $(MAKE) demo
	$(PY) -m discourse.outputs.notebooks --db $(NOTEBOOK_DB) notebooks/0*.py

test: install
	$(PY) -m pytest -n 2

bench: install
	$(PY) -m bench $(if $(QUICK),--quick)

lint: install
	$(VENV)/bin/ruff check discourse tests bench corpus/sample
	$(VENV)/bin/ruff format --check discourse tests bench corpus/sample

# Removes what the tools generate; never the corpus store or the WARC archive (collected data).
clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .hypothesis outputs
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
