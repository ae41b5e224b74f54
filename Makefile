# Puente: `make demo` to talk to it, `make test` to prove it works.
# Everything a fresh machine needs is installed from here (two virtual envs,
# the trained model, compiled catalogs); a second `make setup` does nothing.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON311 ?= python3
APP_VENV := .venv
BOT_VENV := .venv-bot
APP_BIN := $(APP_VENV)/bin
BOT_BIN := $(BOT_VENV)/bin
MODEL := bot/models/puente.tar.gz
LANGS := en es fr ht pt
MO_FILES := $(foreach l,$(LANGS),locales/$(l)/LC_MESSAGES/messages.mo)
BOT_SOURCES := $(shell find bot/config.yml bot/domain bot/data bot/components -type f \( -name '*.yml' -o -name '*.py' \) 2>/dev/null)

export RASA_PORT ?= 5005
export ACTION_PORT ?= 5055
export APP_PORT ?= 8000
export APP_URL ?= http://127.0.0.1:$(APP_PORT)
export RASA_URL ?= http://127.0.0.1:$(RASA_PORT)
export ACTION_SERVER_URL ?= http://127.0.0.1:$(ACTION_PORT)
export PYTHONPATH := $(CURDIR)
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

.PHONY: help setup test test-app test-bot test-e2e test-faults validate serve serve-prod demo bench \
        nlu-report answers-report \
        locales locales-check train clean

help:
	@echo "make demo        set up, load sample data and chat as an SMS/WhatsApp user"
	@echo "make test        set up and run every test"
	@echo "make setup       only the set-up (idempotent)"
	@echo "make serve       the whole stack in the foreground"
	@echo "make serve-prod  the production topology on this machine (HAProxy, PostgreSQL, Redis)"
	@echo "make bench       benchmarks, printing figures"
	@echo "make nlu-report  held-out NLU evaluation per language"
	@echo "make answers-report  realistic questions through the SMS webhook, judged"
	@echo "make locales     extract and update the gettext catalogs"

setup: $(APP_VENV)/.installed $(BOT_VENV)/.installed $(MO_FILES) $(MODEL)

$(APP_VENV)/.installed: requirements/app.txt pyproject.toml
	@$(PYTHON311) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "error: the app needs Python >= 3.11 as $(PYTHON311) (set PYTHON311=...)"; exit 1; }
	$(PYTHON311) -m venv $(APP_VENV)
	$(APP_BIN)/pip install -q --disable-pip-version-check -r requirements/app.txt
	$(APP_BIN)/pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

$(BOT_VENV)/.installed: requirements/bot.txt requirements/bot-test.txt
	py310=$$(scripts/find-python310.sh) && $$py310 -m venv $(BOT_VENV)
	$(BOT_BIN)/pip install -q --disable-pip-version-check -r requirements/bot.txt -r requirements/bot-test.txt
	touch $@

locales/%/LC_MESSAGES/messages.mo: locales/%/LC_MESSAGES/messages.po $(APP_VENV)/.installed
	$(APP_BIN)/pybabel compile --statistics -D messages -d locales -l $* -i $< -o $@

$(MODEL): $(BOT_SOURCES) $(BOT_VENV)/.installed
	$(BOT_BIN)/rasa train --config bot/config.yml --domain bot/domain --data bot/data \
	  --out bot/models --fixed-model-name puente
	touch $@

train: $(MODEL)

locales: $(APP_VENV)/.installed
	$(APP_BIN)/pybabel extract -F babel.cfg --no-location --sort-output \
	  --project=Puente -o locales/messages.pot .
	for l in $(LANGS); do \
	  if [ -f locales/$$l/LC_MESSAGES/messages.po ]; then \
	    $(APP_BIN)/pybabel update --no-fuzzy-matching -D messages -i locales/messages.pot -d locales -l $$l; \
	  else $(APP_BIN)/pybabel init -D messages -i locales/messages.pot -d locales -l $$l; fi; done
	$(APP_BIN)/python -m service_directory.catalogs fill-source

locales-check: $(APP_VENV)/.installed
	$(APP_BIN)/python -m service_directory.catalogs

test: setup test-app test-bot validate test-stories test-e2e test-faults

test-app:
	export PUENTE_REQUIRE_POSTGRES=1 PUENTE_TEST_DATABASE_URL="$$(scripts/services.sh postgres)" && \
	  $(APP_BIN)/pytest -q --durations=10 -m "not e2e" tests/service_directory

test-bot:
	$(BOT_BIN)/pytest -q --durations=10 -p no:cacheprovider tests/bot tests/connectors

validate:
	scripts/validate-bot.sh

test-stories:
	PYTHONPATH=. $(BOT_BIN)/python -m bot.test_stories --model $(MODEL) --stories bot/tests --endpoints bot/endpoints.yml \
	  --e2e --out results/core --fail-on-prediction-errors --no-plot

test-e2e:
	$(APP_BIN)/pytest -q --durations=10 tests/e2e

# Faults injected into the production topology under load (README "Production
# topology"): about 4 minutes on 2 cores; the timeout stops a hung run.
test-faults:
	timeout --kill-after=30 600 $(APP_BIN)/pytest -q -p no:cacheprovider tests/faults

serve: setup
	$(APP_BIN)/honcho -f Procfile start

serve-prod: setup
	scripts/prod.sh

demo: setup
	$(APP_BIN)/python -m service_directory.cli stats demo --days 30
	$(APP_BIN)/python -m service_directory.cli demo

bench: setup
	@for b in benchmarks/*.py; do echo "== $$b"; $(APP_BIN)/python $$b || exit 1; done

nlu-report: setup
	$(BOT_BIN)/python -m bot.nlu_report

answers-report: setup
	$(APP_BIN)/python -m tests.answers.report

clean:
	rm -rf $(APP_VENV) $(BOT_VENV) bot/models locales/*/LC_MESSAGES/*.mo
