# `make run` and `make test` set up everything they need on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app app
STAMP  := $(VENV)/.installed

.PHONY: run test setup db lint audit bench clean smoke-prod bench-prod readability

$(STAMP): requirements.txt requirements-dev.txt requirements-tools.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP)

db: setup
	$(FLASK) course db upgrade
	$(FLASK) quizzes db upgrade
	$(FLASK) course progress rebuild
	$(FLASK) course seed-demo

run: db
	$(FLASK) run --host 127.0.0.1 --port 5000

test: setup
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -r course quizzes app.py config.py -ll

# Known vulnerabilities in the pinned runtime dependencies; --strict fails when a
# package could not be checked (for example without a vulnerability database).
audit: setup
	$(BIN)/pip-audit --strict --progress-spinner off -r requirements.txt

# Figures, not tests: seed a large site in a temp folder, serve it with gunicorn, print
# requests/s, latency, SQL per page and upload memory (bench/run.py; about 2-3 minutes).
bench: setup
	$(BIN)/python -m bench.run

# The reading level of every handout (Flesch-Kincaid; Fernandez-Huerta in Spanish).
readability: setup
	$(BIN)/python -m bench.readability

# The production deployment started here (moto S3, PostgreSQL, Redis, RQ worker, two
# gunicorn instances) and walked through once across both; needs PostgreSQL and Redis.
smoke-prod: setup
	$(BIN)/python deploy/smoke.py

# Figures for that production setup: 1 vs 2 instances, upload memory, time to playable.
bench-prod: setup
	$(BIN)/python -m bench.production

clean:
	rm -rf $(VENV) instance .pytest_cache
