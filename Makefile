# The one test command is `make test`: on a fresh machine it installs what it needs
# (reusing caches when present) and runs every check and test of the workspace.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
CARGO ?= cargo

.PHONY: test test-rust lint fmt doc quickstart

test: lint test-rust
	@echo "make test: all checks passed"

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --workspace --no-deps --locked --quiet

test-rust:
	$(CARGO) test --workspace --locked

fmt:
	$(CARGO) fmt --all

quickstart:
	$(CARGO) run -p hootsuite-events-cli -- quickstart
