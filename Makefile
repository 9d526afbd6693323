# ferrojwt: every target installs what it needs, so a fresh machine needs only
# Python 3, Rust and this file. Reruns skip what is already there.

PYTHON  ?= python3
VENV    := .venv
PY      := $(abspath $(VENV))/bin/python
PIP     := $(PY) -m pip --disable-pip-version-check -q
STAMP   := $(VENV)/.stamp
RUST_SRC := $(shell find src -name '*.rs') Cargo.toml pyproject.toml

export VIRTUAL_ENV := $(abspath $(VENV))
export PYO3_PYTHON := $(PY)
export PATH := $(abspath $(VENV))/bin:$(PATH)

.PHONY: help serve test lint rust-test pytest compat bench wheel clean serve-prod bench-e2e system-deps

help:
	@echo "make serve   build ferrojwt and run the example (see README)"
	@echo "make test    lint, cargo test and the whole pytest suite"
	@echo "make compat  PyJWT's own test suite against ferrojwt.jwt (PyJWT as the control)"
	@echo "make bench   release-build benchmarks against PyJWT and simplejwt"
	@echo "make serve-prod  the example on PostgreSQL + gunicorn + nginx (127.0.0.1:8080)"
	@echo "make bench-e2e   gunicorn + wrk benchmark, ferrojwt vs simplejwt (benches/e2e.png)"
	@echo "make wheel   build an abi3 manylinux2014 wheel into dist/"

# --- environment ------------------------------------------------------------

$(STAMP)-venv:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	@touch $@

$(STAMP)-deps: $(STAMP)-venv tests/requirements.txt
	$(PIP) install -r tests/requirements.txt
	@touch $@

# The extension module, built in release mode (tests and benchmarks share it).
$(STAMP)-develop: $(STAMP)-deps $(RUST_SRC)
	$(PY) -m maturin develop --release -q
	@touch $@

develop: $(STAMP)-develop

# --- the two README commands ------------------------------------------------

# The example project (examples/demo): SQLite + gunicorn on 127.0.0.1:8000, foreground.
serve: $(STAMP)-develop
	$(PY) examples/demo/serve.py dev

test: lint rust-test pytest

# --- pieces -----------------------------------------------------------------

lint: $(STAMP)-deps
	cargo fmt --check
	cargo clippy --all-targets --all-features -q -- -D warnings
	$(PY) -m ruff check python tests examples benches
	$(PY) -m ruff format --check python tests examples benches
	$(PY) -m mypy --ignore-missing-imports python/ferrojwt
	$(PY) -m mypy --strict python/ferrojwt/jwt

rust-test:
	cargo test -q

pytest: $(STAMP)-develop system-deps
	$(PY) -m mypy.stubtest ferrojwt._core --allowlist tests/stubtest-allowlist.txt
	$(PY) -m pytest -q

# The reference suites, downloaded from PyPI at a pinned version and run against
# ferrojwt; each script prints its figure and fails on any undocumented difference.
compat: $(STAMP)-develop
	$(PY) tests/compat/pyjwt_suite.py

# --- benchmarks and the wheel -------------------------------------------------

$(STAMP)-bench: $(STAMP)-deps benches/requirements.txt
	$(PIP) install -r benches/requirements.txt
	@touch $@

# Release build only: rebuild if something left a debug build in .venv.
bench: $(STAMP)-develop $(STAMP)-bench
	@$(PY) -c 'import sys, ferrojwt._core as c; sys.exit(c.build_profile != "release")' \
		|| $(PY) -m maturin develop --release -q
	$(PY) benches/bench_jwt.py
	$(PY) benches/bench_django.py

$(STAMP)-zig: $(STAMP)-deps
	$(PIP) install ziglang
	@touch $@

# One abi3 wheel for CPython >= 3.10 on manylinux2014, linked with zig; then
# tests/test_wheel.py installs it into a fresh virtualenv and runs the whole suite
# there, e2e included (that outer pytest needs no Django: no `make develop` first).
wheel: $(STAMP)-zig system-deps
	rm -f dist/ferrojwt-*.whl
	$(PY) -m maturin build --release --zig --compatibility manylinux2014 -o dist
	FERROJWT_WHEEL="$$(ls dist/ferrojwt-*.whl)" $(PY) -m pytest tests/test_wheel.py -q -s \
		-p no:cacheprovider -p no:django -W ignore::pytest.PytestConfigWarning

# --- the example in production shape and its end-to-end benchmark -----------------

# PostgreSQL + gunicorn + nginx on 127.0.0.1:8080, data in .run/ (Ctrl-C stops all).
serve-prod: $(STAMP)-develop system-deps
	$(PY) examples/demo/serve.py prod

# One pinned gunicorn worker under wrk, ferrojwt vs simplejwt (about 6 minutes).
bench-e2e: $(STAMP)-develop $(STAMP)-bench system-deps
	$(PY) benches/e2e.py

# The servers the e2e tests and bench-e2e start, from Debian's packages; apt runs only
# when one is missing, so reruns are instant.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
system-deps:
	@missing=""; \
	{ command -v pg_ctl || ls /usr/lib/postgresql/*/bin/pg_ctl; } >/dev/null 2>&1 \
		|| missing="$$missing postgresql"; \
	{ command -v nginx || test -x /usr/sbin/nginx; } >/dev/null 2>&1 || missing="$$missing nginx"; \
	command -v wrk >/dev/null 2>&1 || missing="$$missing wrk"; \
	command -v curl >/dev/null 2>&1 || missing="$$missing curl"; \
	if [ -n "$$missing" ]; then \
		echo "apt-get install:$$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

clean:
	rm -rf $(VENV) target dist
