# Jalon — two commands do everything on a fresh machine with Python 3.11:
#   make demo   virtual environment, install, migrate SQLite, demo data, then serve the platform
#   make test   lint, types and the whole test suite (SQLite, or PostgreSQL with DATABASE_URL)

PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
JALON  := $(BIN)/jalon
HOST   ?= 127.0.0.1:8000

.PHONY: demo test lint pytest install bench bench-platform clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 est requis ($(PYTHON) introuvable ; essayez PYTHON=python3 make …)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The editable install's reminder that a folder named like the package takes precedence is
# expected here (the project is that folder): not printed.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

# The address the platform is served at, which e-mails link to: follows HOST unless set.
demo: export JALON_SITE_URL ?= http://$(HOST)
demo: install
	$(JALON) migrate --noinput
	$(JALON) demo
	$(JALON) calendar deadline --hours "mon-fri 08:00-18:00" --holidays FR --start 2026-05-13T16:00+02:00 --minutes 600
	$(JALON) calendar elapsed --hours "mon-fri 08:00-12:00,14:00-18:00" --holidays FR-57 --start 2026-04-02T09:00+02:00 --end 2026-04-07T11:00+02:00
	@echo "Plateforme : http://$(HOST)/  (Ctrl-C pour arrêter)"
	$(JALON) runserver --insecure $(HOST)

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

pytest: install
	$(BIN)/pytest

test: lint pytest

bench: install
	$(BIN)/python benchmarks/businesstime_bench.py
	$(BIN)/python benchmarks/scorecard_bench.py

# 1,000,000 tickets in the PostgreSQL database jalon_bench (loaded once; FRESH=1 reloads), then
# the list, dashboard and creation under 20 concurrent clients against gunicorn on loopback.
bench-platform: install
	$(BIN)/python benchmarks/platform_data.py $(if $(FRESH),--fresh)
	$(BIN)/python benchmarks/platform_bench.py

clean:
	rm -rf $(VENV) var build *.egg-info .mypy_cache .ruff_cache .pytest_cache
