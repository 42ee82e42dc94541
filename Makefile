# Hộ Nghèo — the two commands a newcomer needs:
#   make demo   set everything up and serve the demo on http://127.0.0.1:8000
#   make test   set everything up and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install lint check bench clean messages

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Cần Python 3.11 trở lên / Python 3.11+ is required")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP) messages

messages: $(STAMP)
	@$(BIN)/python -m hongheo.core.i18n

demo: install
	DJANGO_SETTINGS_MODULE=config.settings.local $(BIN)/python manage.py demo

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy hongheo config
	$(BIN)/lint-imports
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run

check: test lint

bench: install
	$(BIN)/python -m bench.synth
	$(BIN)/python -m bench.classify
	$(BIN)/python -m bench.derive
	$(BIN)/python -m bench.pages

clean:
	rm -rf var
