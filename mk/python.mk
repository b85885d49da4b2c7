# Rules for the Python package `sethealth` (python/): one abi3 wheel built by
# maturin, tested from a fresh virtualenv outside the source tree so that
# `import sethealth` can only come from the installed wheel.
#
#   make wheel         release wheel into dist/
#   make test-python   dev-profile wheel, fresh venv under build/python, pytest
#   make lint-python   ruff, mypy --strict, and stubtest against the installed wheel
#   make bench-python  python/benches/bench_token.py on a release wheel, into build/bench/python.json

.PHONY: wheel test-python lint-python bench-python python-tools python-venv

PY_MATURIN_VERSION := 1.16.0
PY_RUFF_VERSION := 0.17.6
PY_MYPY_VERSION := 2.4.1
PY_PYTEST_VERSION := 9.2.0
PY_PYTEST_ASYNCIO_VERSION := 1.5.0
PY_PYTEST_TIMEOUT_VERSION := 2.4.0
PY_TEST_PACKAGES := pytest==$(PY_PYTEST_VERSION) pytest-asyncio==$(PY_PYTEST_ASYNCIO_VERSION) \
	pytest-timeout==$(PY_PYTEST_TIMEOUT_VERSION)

PY_BUILD_DIR := $(CURDIR)/build/python
PY_DEV_WHEEL_DIR := $(PY_BUILD_DIR)/wheels
PY_TEST_VENV := $(PY_BUILD_DIR)/venv
PY_TOOLS_VENV := $(CURDIR)/.venv-tools
PY_TOOLS := $(PY_TOOLS_VENV)/bin

# The stamp names carry the pinned versions, so changing a pin reinstalls.
PY_TOOLS_STAMP := $(PY_TOOLS_VENV)/.installed-maturin$(PY_MATURIN_VERSION)-ruff$(PY_RUFF_VERSION)-mypy$(PY_MYPY_VERSION)-pytest$(PY_PYTEST_VERSION)
PY_DEV_WHEEL_STAMP := $(PY_DEV_WHEEL_DIR)/.built
PY_TEST_VENV_STAMP := $(PY_TEST_VENV)/.installed

# The benchmark measures optimised code, as `cargo bench` does for the core:
# a release wheel in its own virtualenv, against a release emulator. The test
# wheel is a dev build, several times slower per call.
PY_BENCH_DIR := $(PY_BUILD_DIR)/bench
PY_BENCH_WHEEL_DIR := $(PY_BENCH_DIR)/wheels
PY_BENCH_VENV := $(PY_BENCH_DIR)/venv
PY_BENCH_VENV_STAMP := $(PY_BENCH_VENV)/.installed
PY_BENCH_OUTPUT := $(CURDIR)/build/bench/python.json
PY_BENCH_EMULATOR_BIN := $(TARGET_DIR)/release/sethealth-emulator

# Everything that goes into the wheel: the glue crate, the package, and the core.
PY_WHEEL_INPUTS := $(shell find python/src python/sethealth -type f -not -name '*.pyc') \
	python/Cargo.toml python/pyproject.toml python/README.md $(wildcard src/*.rs) Cargo.toml Cargo.lock

python-tools: $(PY_TOOLS_STAMP)

$(PY_TOOLS_STAMP):
	$(PYTHON) -m venv $(PY_TOOLS_VENV)
	$(PY_TOOLS)/pip install --quiet maturin==$(PY_MATURIN_VERSION) ruff==$(PY_RUFF_VERSION) \
		mypy==$(PY_MYPY_VERSION) $(PY_TEST_PACKAGES)
	rm -f $(PY_TOOLS_VENV)/.installed-*
	touch $@

## The dev-profile wheel the tests install; rebuilt only when an input changes.
$(PY_DEV_WHEEL_STAMP): $(PY_TOOLS_STAMP) $(PY_WHEEL_INPUTS)
	rm -rf $(PY_DEV_WHEEL_DIR)
	cd python && $(PY_TOOLS)/maturin build --profile dev --strip --interpreter $(PYTHON) \
		--out $(PY_DEV_WHEEL_DIR)
	touch $@

## A fresh virtualenv per wheel, with the wheel, pytest and mypy (for stubtest).
python-venv: $(PY_TEST_VENV_STAMP)

$(PY_TEST_VENV_STAMP): $(PY_DEV_WHEEL_STAMP)
	rm -rf $(PY_TEST_VENV)
	$(PYTHON) -m venv $(PY_TEST_VENV)
	$(PY_TEST_VENV)/bin/pip install --quiet $(PY_DEV_WHEEL_DIR)/sethealth-*.whl \
		$(PY_TEST_PACKAGES) mypy==$(PY_MYPY_VERSION)
	touch $@

## The benchmark's release wheel and virtualenv; rebuilt only when an input changes.
$(PY_BENCH_VENV_STAMP): $(PY_TOOLS_STAMP) $(PY_WHEEL_INPUTS)
	rm -rf $(PY_BENCH_WHEEL_DIR) $(PY_BENCH_VENV)
	cd python && $(PY_TOOLS)/maturin build --release --strip --interpreter $(PYTHON) \
		--out $(PY_BENCH_WHEEL_DIR)
	$(PYTHON) -m venv $(PY_BENCH_VENV)
	$(PY_BENCH_VENV)/bin/pip install --quiet $(PY_BENCH_WHEEL_DIR)/sethealth-*.whl
	touch $@

wheel: $(PY_TOOLS_STAMP)
	cd python && $(PY_TOOLS)/maturin build --release --strip --interpreter $(PYTHON) --out $(CURDIR)/dist

## pytest runs from build/python, outside python/, against the installed wheel.
test-python: $(PY_TEST_VENV_STAMP)
	$(CARGO) build --locked -p sethealth-emulator
	$(CARGO) test --locked -p sethealth-python
	cd $(PY_BUILD_DIR) && SETHEALTH_REPO=$(CURDIR) SETHEALTH_EMULATOR_BIN=$(EMULATOR_BIN) \
		$(PY_TEST_VENV)/bin/python -m pytest $(CURDIR)/python/tests

## The linters keep their caches under build/python, out of the source tree.
lint-python: $(PY_TEST_VENV_STAMP)
	$(PY_TOOLS)/ruff check --cache-dir $(PY_BUILD_DIR)/ruff-cache python examples/python
	$(PY_TOOLS)/ruff format --check --cache-dir $(PY_BUILD_DIR)/ruff-cache python examples/python
	cd python && $(PY_TOOLS)/mypy --strict --cache-dir $(PY_BUILD_DIR)/mypy-cache sethealth tests benches \
		../examples/python
	cd $(PY_BUILD_DIR) && $(PY_TEST_VENV)/bin/python -m mypy.stubtest sethealth

## About 20 s: three benchmarks of a warm-up and five 1 s rounds each.
bench-python: $(PY_BENCH_VENV_STAMP)
	$(CARGO) build --locked --release -p sethealth-emulator
	$(PY_BENCH_VENV)/bin/python python/benches/bench_token.py --emulator $(PY_BENCH_EMULATOR_BIN) \
		--output $(PY_BENCH_OUTPUT)

TEST_TARGETS += test-python
LINT_TARGETS += lint-python
BENCH_TARGETS += bench-python
DEMO_DEPS += $(PY_TEST_VENV_STAMP)
DEMO_STEPS += examples/python/demo.sh
