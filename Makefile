# Two commands do everything: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
PORT ?= 8000
# pytest-xdist workers for `make test` (auto: one a core, at most 4; 0: one process).
TEST_WORKERS ?= auto
TIMED := scripts/timed

.PHONY: ob2-validator run test install services services-stop services-status messages migrate demo lint typecheck check clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip==26.3

# Reinstall only when the requirements change.
$(VENV)/.installed: requirements.txt requirements-dev.txt | $(PY)
	@echo "── installing Python dependencies into $(VENV) ──"
	@start=$$(date +%s); $(PY) -m pip install --quiet --disable-pip-version-check \
	  -r requirements-dev.txt && echo "install took $$(( $$(date +%s) - start )) s"
	touch $@

install: $(VENV)/.installed

services: install
	$(PY) -m compagnonnage.local_services start

services-stop:
	@if [ -x $(PY) ]; then $(PY) -m compagnonnage.local_services stop; fi

services-status:
	$(PY) -m compagnonnage.local_services status

# Translations are compiled by Babel from the venv (GNU gettext may be missing).
messages: install
	$(BIN)/pybabel compile -d locale -D django --statistics 2>&1 | tail -n 2

migrate: services messages
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

# Services, migrations, demo data, then web + worker + beat; Ctrl-C stops them all.
run: install messages
	$(PY) -m compagnonnage.local_services run --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy .

bench: messages ; $(PY) -m bench.run $(BENCH_ARGS)
bench-matching: messages ; $(PY) -m bench.matching $(BENCH_ARGS)
load: messages ; $(PY) -m bench.load $(LOAD_ARGS)
# The Open Badges 2.0 validator's own virtualenv (tests/certification/test_ob2.py
# builds it on first use too).
ob2-validator: install ; $(PY) -m tests.certification.ob2.venv

test: install
	@rm -f .data/phases.log
	$(TIMED) "services" $(PY) -m compagnonnage.local_services start
	$(TIMED) "translations" $(BIN)/pybabel compile -d locale -D django
	$(TIMED) "ruff check" $(BIN)/ruff check .
	$(TIMED) "ruff format" $(BIN)/ruff format --check .
	$(TIMED) "django check" env DJANGO_SETTINGS_MODULE=compagnonnage.settings.test $(PY) manage.py check --fail-level WARNING
	$(TIMED) "migrations" env DJANGO_SETTINGS_MODULE=compagnonnage.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(TIMED) "mypy" $(BIN)/mypy .
	$(TIMED) "compose file" $(BIN)/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml
	$(TIMED) "production smoke" scripts/production-smoke
	$(TIMED) "pytest" $(BIN)/pytest -n $(TEST_WORKERS) --maxprocesses 4 --dist worksteal
	@$(TIMED) --summary

clean: services-stop
	rm -rf .data .venv staticfiles
