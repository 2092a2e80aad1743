# make run   - set up everything and open the trainer
# make test  - set up everything and run the whole test suite (what CI runs)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
APT_PACKAGES := ksh93u+m nvi vim bubblewrap ncal sysvbanner tmux openssl socat
ENGINES      := ksh93 nvi vim bwrap cal banner tmux openssl socat

.PHONY: run test lint typecheck pytest system venv clean

run: venv system
	$(BIN)/trainer

test: venv system lint typecheck pytest

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# Install the real programs the drills run, where apt is usable as root; elsewhere say what is missing.
system:
	@missing=""; for e in $(ENGINES); do command -v $$e >/dev/null 2>&1 || missing="$$missing $$e"; done; \
	if [ -z "$$missing" ]; then echo "engines: all present ($(ENGINES))"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "engines: installing$$missing with apt"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	elif [ -n "$${CI:-}" ]; then \
	  echo "engines: missing$$missing; CI needs them all: install the packages $(APT_PACKAGES) (as root, make does)" >&2; \
	  exit 1; \
	else \
	  echo "engines: missing$$missing; install the packages $(APT_PACKAGES) (the trainer falls back to bash, vim and no isolation)"; \
	fi

lint: venv
	$(BIN)/ruff check trainer sandbox practice_cluster tests bench tools
	$(BIN)/trainer lint

typecheck: venv
	$(BIN)/mypy

pytest: venv
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
