# exposure-audit — every target sets itself up; `make demo` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEMO_OUT ?= demo-output

.PHONY: help install demo demo-live test lint types pytest bench eval-extract eval-worlds browser-test clean

help:
	@echo "make demo   - set up, then audit the sample profile against the offline demo world"
	@echo "make demo-live - the same audit on the live network path: real TLS and a proxy on loopback"
	@echo "make browser-test - install chromium if needed, then test report.html in it"
	@echo "make test   - set up, then run ruff, mypy --strict and pytest"
	@echo "make bench  - run the benchmark scripts (speed and memory targets)"
	@echo "make eval-extract - score the extractors on ../shared/pii-dev (precision, recall per kind)"
	@echo "make eval-worlds - score the scan on ../shared/worlds/dev-1 and every bench/worlds/ world (skips if absent)"
	@echo "make clean  - remove the virtual environment and build output"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "exposure-audit needs Python 3.11 or newer (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/exposure-audit scan sample_profiles/jordan_testwell.toml --replay demo_world --out $(DEMO_OUT)

# The demo through a real proxy and TLS on 127.0.0.1 (scripts/demo_live.py); DEMO_LIVE_ARGS
# may be --socks or --tor.
demo-live: $(STAMP)
	$(BIN)/python scripts/demo_live.py --out $(DEMO_OUT)-live $(DEMO_LIVE_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(STAMP)
	$(BIN)/mypy

# pytest exits 5 when it collected no test: that is a failure here, said plainly.
pytest: $(STAMP)
	@$(BIN)/python -m pytest -q; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: failing on purpose"; exit 1; fi; \
	exit $$status

test: lint types pytest

bench: $(STAMP)
	$(BIN)/python bench/run.py; a=$$?; $(BIN)/python bench/usernames_bench.py; b=$$?; exit $$((a || b))

eval-extract: $(STAMP)
	$(BIN)/python bench/pii_eval.py

eval-worlds: $(STAMP)
	EXPOSURE_AUDIT=$(CURDIR)/$(BIN)/exposure-audit scripts/eval_worlds.sh

browser-test: $(STAMP)
	@if [ -z "$$CHROMIUM" ] && ! command -v chromium >/dev/null 2>&1; then \
	  echo "installing Debian's chromium for the browser test"; \
	  if [ "$$(id -u)" -eq 0 ]; then apt-get update && apt-get install -y chromium; \
	  else sudo apt-get update && sudo apt-get install -y chromium; fi; \
	fi
	@command -v $${CHROMIUM:-chromium} >/dev/null 2>&1 || { echo "chromium is still missing"; exit 1; }
	$(BIN)/python -m pytest -q -rs tests/browser tests/test_pdf.py

clean:
	rm -rf $(VENV) build dist *.egg-info $(DEMO_OUT) $(DEMO_OUT)-live
