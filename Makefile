# sethealth-core: build, demo, test and benchmark every front end of the core.
#
#   make demo    start the emulator, mint tokens from every front end, stop it
#   make test    lints and every test suite (Rust, C, Go, Python)
#   make bench   benchmarks, written to docs/benchmarks.md
#
# Each language's rules live in mk/<language>.mk.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

CARGO ?= cargo
PYTHON ?= python3
GO ?= go

TARGET_DIR := $(CURDIR)/target
DEBUG_DIR := $(TARGET_DIR)/debug
EMULATOR_BIN := $(DEBUG_DIR)/sethealth-emulator
CLI_BIN := $(DEBUG_DIR)/sethealth

export CARGO_TERM_COLOR ?= never

.PHONY: help build demo test lint bench clean

help:
	@echo "make demo   - mint tokens against the local emulator from every front end"
	@echo "make test   - run every lint and test suite"
	@echo "make bench  - run the benchmarks and write docs/benchmarks.md"

## build: the core, the emulator and the CLI (debug profile).
build:
	$(CARGO) build --locked -p sethealth -p sethealth-emulator -p sethealth-cli --bins --example mint

include mk/rust.mk
include $(wildcard mk/c.mk mk/go.mk mk/python.mk)

## demo: every front end mints a token from one emulator over HTTPS.
demo: build $(DEMO_DEPS)
	scripts/demo.sh examples/rust/demo.sh $(DEMO_STEPS)

## test: lints first (they are fast), then the suites.
test: lint test-rust $(TEST_TARGETS)
	@echo "all test suites passed"

lint: lint-rust $(LINT_TARGETS)

bench: bench-rust $(BENCH_TARGETS)
	$(PYTHON) scripts/bench-report.py

clean:
	$(CARGO) clean
	rm -rf dist build .venv* bindings/go/lib
