# Two commands do everything on a fresh machine:
#   make demo   create .venv, install frictionkit, run the main job on the bundled example
#   make test   create .venv, install the dev and docs extras, run every check
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
PIP    := $(PY) -m pip --disable-pip-version-check -q
export HYPOTHESIS_PROFILE ?= ci

.PHONY: demo test lint format typecheck pytest docs docs-serve bench fuzz clean
FUZZ_SECONDS ?= 300

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

# One stamp per install flavour, rebuilt when pyproject.toml changes.
$(VENV)/.stamp-run: pyproject.toml | $(BIN)/activate
	$(PIP) install -e '.[plot,report]'
	touch $@

$(VENV)/.stamp-dev: pyproject.toml | $(BIN)/activate
	$(PIP) install -e '.[dev,docs]'
	touch $@ $(VENV)/.stamp-run

demo: $(VENV)/.stamp-run
	$(BIN)/frictionkit demo

test: $(VENV)/.stamp-dev
	$(MAKE) --no-print-directory lint typecheck pytest docs

lint: $(VENV)/.stamp-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.stamp-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(VENV)/.stamp-dev
	$(BIN)/mypy

pytest: $(VENV)/.stamp-dev
	$(BIN)/pytest -n 2 -q

docs: $(VENV)/.stamp-dev
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir $(VENV)/site

docs-serve: $(VENV)/.stamp-dev
	$(BIN)/mkdocs serve

bench: $(VENV)/.stamp-dev
	@for f in benchmarks/*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

# Longer fuzzing of the journey-file and XES readers (bounded fuzz tests run in make test).
fuzz: $(VENV)/.stamp-dev
	$(PY) fuzz/journey_files.py --seconds $(FUZZ_SECONDS)
	$(PY) fuzz/xes.py --seconds $(FUZZ_SECONDS)
	$(PY) fuzz/workbooks.py --seconds $(FUZZ_SECONDS)
	$(PY) fuzz/dates.py --seconds $(FUZZ_SECONDS)
	$(PY) fuzz/key_cells.py --seconds $(FUZZ_SECONDS)

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache .hypothesis site
