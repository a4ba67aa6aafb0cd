# Two commands: `make run` opens the app, `make test` runs every check. Both create the venv on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
ARGS ?=

.PHONY: run test lint pytest bench screenshots clean

$(STAMP): pyproject.toml
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  echo "Cài python3-venv…"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq python3-venv >/dev/null; fi; \
	  rm -rf $(VENV); $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	@sh scripts/ensure-system-libs.sh run
	$(VENV)/bin/danvan-desktop $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check danvan_desktop tests scripts
	$(VENV)/bin/mypy

pytest: $(STAMP)
	@sh scripts/ensure-system-libs.sh test
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q $(ARGS)

test: lint pytest

screenshots: $(STAMP)
	@sh scripts/ensure-system-libs.sh screenshot
	sh scripts/screenshots.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

bench: $(STAMP)
	$(PY) scripts/bench.py $(ARGS)
