# Set-up and everyday commands. `make run` and `make test` create .venv themselves.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# Python 3.12: pyenv's build if present (the bare python3.12 shim needs PYENV_VERSION), else PATH.
PYTHON312 ?= $(shell for p in $$(pyenv root 2>/dev/null)/versions/3.12*/bin/python3.12 \
	$$(command -v python3.12 2>/dev/null); do \
	[ -x "$$p" ] && "$$p" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null \
	&& echo "$$p" && break; done)
SCENARIO ?= moscow-strike
SEED ?= 0
# The dashboard's front end (Solara's JavaScript and CSS, fetched with npm): `brink assets` puts it here.
ASSETS ?= $(or $(BRINK_ASSETS_DIR),$(VENV)/share/brinkmanship/solara-assets)
export BRINK_ASSETS_DIR := $(abspath $(ASSETS))

.PHONY: setup chromium run dashboard test lint docs theory calibrate clean

$(VENV)/.installed: pyproject.toml
	@test -n "$(PYTHON312)" || { echo "error: Python 3.12 not found; set PYTHON312=/path/to/python3.12" >&2; exit 2; }
	$(PYTHON312) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

# The stamp lives in the asset folder, so deleting the folder makes the next `make setup` fetch it again.
$(ASSETS)/.fetched: $(VENV)/.installed
	$(VENV)/bin/brink assets --dir "$(ASSETS)"
	touch "$@"

setup: $(VENV)/.installed $(ASSETS)/.fetched  ## create .venv with Python 3.12, install the project, fetch the dashboard's assets

# The browser tests drive the system's Chromium ($BRINK_TEST_CHROMIUM, default /usr/bin/chromium): install it
# with apt (as root or with sudo) when it is missing, or stop with one error line. Never a reason to skip them.
# The script's error line becomes make's own `*** ... Stop.` line (the script's stdout, its progress, goes to
# stderr), so a failure prints that one line. `make -n` only shows the command.
CHROMIUM_CHECK = $(shell bash .ci/chromium.sh 3>&1 1>&2 2>&3 && echo ok)
DRY_RUN = $(findstring n,$(firstword -$(MAKEFLAGS)))
chromium:  ## install Chromium for the browser tests when it is missing (apt-get, as root or with sudo)
	@$(if $(DRY_RUN),bash .ci/chromium.sh,$(eval CHROMIUM_RESULT := $$(CHROMIUM_CHECK))$(if \
	$(filter ok,$(lastword $(CHROMIUM_RESULT))),:,$(error $(or $(CHROMIUM_RESULT),error: .ci/chromium.sh failed))))

run: setup  ## run the default scenario and write its outputs to out/
	$(VENV)/bin/brink run $(SCENARIO) --seed $(SEED) --out out/$(SCENARIO)

dashboard: setup  ## serve the dashboard on http://127.0.0.1:8765/ (Ctrl-C stops it)
	$(VENV)/bin/brink dashboard --scenario $(SCENARIO)

test: setup chromium  ## install what the tests need (Chromium too), lint, then the whole test suite
	$(VENV)/bin/ruff check .
	OPENBLAS_NUM_THREADS=1 $(PY) -m pytest -q

docs: setup  ## regenerate docs/scenario.schema.json from the scenario models
	$(VENV)/bin/brink schema > docs/scenario.schema.json

theory: setup  ## regenerate docs/theory.md, its plots and data (full replication counts)
	$(VENV)/bin/brink theory --out docs --reps 1000 --seed 0 --workers 2

calibrate: setup  ## rerun the shipped calibration of the Moscow-Pyongyang alliance (docs/calibration.md)
	$(VENV)/bin/brink calibrate rus-prk-history --param params.cohesion.baseline=0:0.4 \
		--param alliances.RUS-PRK.institutionalisation=0:0.6 --param alliances.RUS-PRK.shared_threat=0:0.6 \
		--param params.cohesion.succession_shock=0:0.5 --targets-file scenarios/data/rus-prk-alliance-history.yaml \
		--trials 60 --reps 40 --seed 0 --chunk 20 --workers 2 --out out/calibration-rus-prk

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache .hypothesis
