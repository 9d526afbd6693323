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

.PHONY: help serve test lint rust-test pytest compat docs bench wheel messages matrix clean serve-prod bench-e2e bench-peers system-deps

help:
	@echo "make serve   build ferrojwt and run the example (see README)"
	@echo "make test    lint, cargo test, the whole pytest suite and make compat"
	@echo "make compat  simplejwt's and PyJWT's own test suites (PyPI sdists) run on ferrojwt"
	@echo "make bench   release-build benchmarks against PyJWT and simplejwt, then the peers"
	@echo "make bench-peers  ferrojwt vs ryjwt, oxyjwt, webtoken, joserfc (CPython 3.12 via pyenv)"
	@echo "make leak    a million encode/decode/authenticate calls: RSS must stay flat"
	@echo "make docs    the documentation site into docs/_site, warnings as errors"
	@echo "make messages  compile the translation catalogues (python/ferrojwt/locale)"
	@echo "make serve-prod  the example on PostgreSQL + gunicorn + nginx (127.0.0.1:8080)"
	@echo "make bench-e2e   gunicorn + wrk benchmark, ferrojwt vs simplejwt (benches/e2e.png)"
	@echo "make profile whole requests through the WSGI handler, one process (PROFILE=endpoint)"
	@echo "make wheel   build an abi3 manylinux2014 wheel into dist/"
	@echo "make matrix  the unit and Django suites on each CPython 3.10-3.13 x Django pair"
	@echo "make fuzz    libFuzzer on the Rust core, FUZZ_SECONDS per target (about 20 minutes)"
	@echo "make race    50 concurrent refreshes of one token x 20 rounds, ferrojwt vs simplejwt"

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

test: lint rust-test pytest compat docs matrix

# --- pieces -----------------------------------------------------------------

# The extension is built first: mypy's Django plugin imports the test project's settings,
# whose INSTALLED_APPS import ferrojwt.
lint: $(STAMP)-develop
	cargo fmt --check
	cargo clippy --all-targets --all-features -q -- -D warnings
	$(PY) -m ruff check python tests examples benches
	$(PY) -m ruff format --check python tests examples benches
	$(PY) -m mypy python/ferrojwt

rust-test:
	cargo test -q

# The cargo-fuzz crate in fuzz/ (outside the main build): each libFuzzer target for
# FUZZ_SECONDS (4 x 270 s, about 20 minutes with the build), with AddressSanitizer and
# debug assertions, from the committed seeds in fuzz/corpus/<target> and the corpus it
# grows in fuzz/work/<target>; then one line per target from libFuzzer's final stats. A
# crash stops it, its input saved in fuzz/artifacts/<target>/ (make it a regression test).
# cargo-fuzz passes nightly flags; RUSTC_BOOTSTRAP=1 lets the stable toolchain take them.
FUZZ_SECONDS ?= 270
FUZZ_TARGETS := decode_token json_parse key_parse differential
.PHONY: fuzz
fuzz:
	@cargo fuzz --version >/dev/null 2>&1 || cargo install cargo-fuzz --locked
	cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz build
	@for target in $(FUZZ_TARGETS); do \
		mkdir -p fuzz/work/$$target; \
		echo "fuzz $$target: $(FUZZ_SECONDS) s"; \
		(cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run $$target work/$$target corpus/$$target -- \
			-max_total_time=$(FUZZ_SECONDS) -timeout=30 -print_final_stats=1) \
			> fuzz/work/$$target.log 2>&1 || { tail -n 60 fuzz/work/$$target.log; exit 1; }; \
	done; \
	for target in $(FUZZ_TARGETS); do \
		awk -v t=$$target '/^stat::number_of_executed_units/ {n = $$2} \
			/^stat::average_exec_per_sec/ {r = $$2} \
			END {printf "%-14s %12d execs %8d exec/s\n", t, n, r}' fuzz/work/$$target.log; \
	done

# Then the unit suite once more on CPython's debug allocator: buffer over- and underruns,
# writes after free and API misuse by the extension abort the run.
pytest: $(STAMP)-develop system-deps
	$(PY) -m mypy.stubtest ferrojwt._core --allowlist tests/stubtest-allowlist.txt
	$(PY) -m pytest -q
	PYTHONMALLOC=debug $(PY) -m pytest -q -p no:cacheprovider tests/jwt

# The documentation site (docs/mkdocs.yml, pages in docs/pages) into docs/_site; --strict
# makes every warning (a broken link or anchor included) an error (not with --quiet, which
# would hide the warnings from the count). Nothing is fetched.
$(STAMP)-docs: $(STAMP)-venv docs/requirements.txt
	$(PIP) install -r docs/requirements.txt
	@touch $@

docs: $(STAMP)-docs
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict -f docs/mkdocs.yml

# The reference projects' own test suites, from their PyPI sdists, run on ferrojwt: each
# runner also runs them on the original as a control and fails on any difference not listed
# in it (see tests/compat/). One line per suite.
compat: $(STAMP)-develop
	$(PY) tests/compat/simplejwt_sdist.py
	$(PY) tests/compat/pyjwt_suite.py

# The translation catalogues: each python/ferrojwt/locale/*/LC_MESSAGES/django.po is
# compiled into the django.mo beside it, committed (the wheel ships both), with polib:
# no GNU gettext needed. Run after editing a .po; tests/django/test_translations.py fails
# while a .mo is stale or a message of the source has no translation.
messages: $(STAMP)-deps
	for po in python/ferrojwt/locale/*/LC_MESSAGES/django.po; do \
		$(PY) -c 'import sys, polib; polib.pofile(sys.argv[1]).save_as_mofile(sys.argv[2])' \
			"$$po" "$${po%.po}.mo" || exit 1; \
	done

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
	@$(MAKE) --no-print-directory bench-peers
	@$(MAKE) --no-print-directory leak
	$(PY) benches/bench_limits.py

# A million calls into the core (encode, decode, authenticate, error paths included), RSS
# sampled: at most +4 MiB after the warm-up (benches/leak.py).
.PHONY: leak
leak: $(STAMP)-develop
	$(PY) benches/leak.py

# ferrojwt vs ryjwt, oxyjwt, webtoken, joserfc, PyJWT and pyjwt-rs (benches/bench_peers.py)
# on CPython 3.12, which ryjwt needs: the virtualenv .bench312 is made from pyenv's latest
# 3.12 (again when that changes), the peers pinned in benches/requirements-py312.txt go in
# when that file changes, and a release abi3 wheel of ferrojwt built from the release
# build `make develop` keeps in target/ each time. No pyenv 3.12: skipped, loudly.
BENCH312 := .bench312
bench-peers: $(STAMP)-develop
	@py312="$$(pyenv root 2>/dev/null)/versions/$$(pyenv latest 3.12 2>/dev/null)/bin/python3.12"; \
	if ! "$$py312" -c 'import venv' >/dev/null 2>&1; then \
		echo "*** make bench: SKIPPED benches/bench_peers.py (ryjwt, oxyjwt, webtoken," \
			"joserfc): no CPython 3.12 from pyenv here ($$py312) ***" >&2; \
		exit 0; \
	fi; \
	set -e; \
	if [ "$$(cat $(BENCH312)/.interpreter 2>/dev/null)" != "$$py312" ]; then \
		rm -rf $(BENCH312); "$$py312" -m venv $(BENCH312); \
		echo "$$py312" > $(BENCH312)/.interpreter; \
	fi; \
	pip="$(BENCH312)/bin/python -m pip --disable-pip-version-check -q"; \
	if ! cmp -s benches/requirements-py312.txt $(BENCH312)/.requirements; then \
		$$pip install -r benches/requirements-py312.txt; \
		cp benches/requirements-py312.txt $(BENCH312)/.requirements; \
	fi; \
	rm -f $(BENCH312)/dist/ferrojwt-*.whl; \
	$(PY) -m maturin build --release -q -o $(BENCH312)/dist; \
	$$pip install --force-reinstall --no-deps $(BENCH312)/dist/ferrojwt-*.whl; \
	$(BENCH312)/bin/python benches/bench_peers.py

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

# CPython 3.10-3.13 x Django 4.2/5.2/6.0: one abi3 wheel, a virtualenv per pair in
# .matrix/, the unit and Django suites in each (tests/matrix/run.py; MATRIX=name runs one).
# A plain release wheel for this machine: it links the build `make develop` already has
# in target/release, where the zig build of `make wheel` is a second full LTO build.
matrix: $(STAMP)-develop
	rm -f .matrix/dist/ferrojwt-*.whl
	$(PY) -m maturin build --release -q -o .matrix/dist
	$(PY) tests/matrix/run.py .matrix/dist/ferrojwt-*.whl $(MATRIX)

# --- the example in production shape and its end-to-end benchmark -----------------

# PostgreSQL + gunicorn + nginx on 127.0.0.1:8080, data in .run/ (Ctrl-C stops all).
serve-prod: $(STAMP)-develop system-deps
	$(PY) examples/demo/serve.py prod

# Whole requests through Django's WSGI handler in one process, ferrojwt vs simplejwt
# (benches/profile_request.py, about 20 s); PROFILE="GET, DB-user auth" (an endpoint's
# name, PACKAGE=simplejwt for the other) cProfiles that one instead.
.PHONY: profile
profile: $(STAMP)-develop $(STAMP)-bench
	$(PY) benches/profile_request.py $(if $(PROFILE),--profile "$(PROFILE)" --package $(or $(PACKAGE),ferrojwt))

# One pinned gunicorn worker under wrk, ferrojwt vs simplejwt (about 6 minutes).
bench-e2e: $(STAMP)-develop $(STAMP)-bench system-deps
	$(PY) benches/e2e.py

# The refresh race (tests/e2e/race_refresh.py): the demo on gunicorn (4 workers) and
# PostgreSQL, 50 concurrent refreshes of one token per round, 20 rounds, for ferrojwt and
# then simplejwt; one line each: in how many rounds exactly one refresh succeeded.
.PHONY: race
race: $(STAMP)-develop system-deps
	$(PY) tests/e2e/race_refresh.py

# The servers the e2e tests and bench-e2e start (redis-server: the user cache's tests;
# chromium and chromium-driver: the browser test, which names /usr/bin/chromedriver so that
# Selenium never downloads a driver), from Debian's packages; apt runs only when one is
# missing, so reruns are instant.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
system-deps:
	@missing=""; \
	{ command -v pg_ctl || ls /usr/lib/postgresql/*/bin/pg_ctl; } >/dev/null 2>&1 \
		|| missing="$$missing postgresql"; \
	{ command -v nginx || test -x /usr/sbin/nginx; } >/dev/null 2>&1 || missing="$$missing nginx"; \
	command -v wrk >/dev/null 2>&1 || missing="$$missing wrk"; \
	command -v curl >/dev/null 2>&1 || missing="$$missing curl"; \
	{ command -v redis-server || test -x /usr/bin/redis-server; } >/dev/null 2>&1 \
		|| missing="$$missing redis-server"; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	test -x /usr/bin/chromedriver || missing="$$missing chromium-driver"; \
	if [ -n "$$missing" ]; then \
		echo "apt-get install:$$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

clean:
	rm -rf $(VENV) target dist .matrix $(BENCH312)
