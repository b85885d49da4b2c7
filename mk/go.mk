# Rules for the Go package over cgo (bindings/go) and its examples.
#
#   make go        build libsethealth.a and copy it to bindings/go/lib/
#   make test-go   go test -race against the emulator, a cgocheck2 run, the legacy example
#   make lint-go   go vet and gofmt
#   make bench-go  benchmarks against the release build; writes build/bench/go.json

.PHONY: go test-go lint-go bench-go

# The Cargo profile of the copied library: debug for tests, release for
# production binaries (make go GO_LIB_PROFILE=release).
GO_LIB_PROFILE ?= debug
GO_DIR := bindings/go
GO_EXAMPLES_DIR := examples/go
GO_LIB := $(GO_DIR)/lib/libsethealth.a
GO_STAMP := $(GO_DIR)/library_stamp.h
GO_TEST_ENV := SETHEALTH_EMULATOR_BIN=$(EMULATOR_BIN)

# Copies the archive only when it changed, and records its checksum in a
# header of the package: the go command does not notice a changed archive,
# but rebuilds a package whose headers changed.
go:
ifeq ($(GO_LIB_PROFILE),release)
	$(CARGO) build --locked --release -p sethealth-c
else
	$(CARGO) build --locked -p sethealth-c
endif
	@mkdir -p $(GO_DIR)/lib
	@archive=$(TARGET_DIR)/$(GO_LIB_PROFILE)/libsethealth.a; \
	if ! cmp -s $$archive $(GO_LIB); then \
		cp $$archive $(GO_LIB).tmp && mv $(GO_LIB).tmp $(GO_LIB); \
		echo "copied $$archive to $(GO_LIB)"; \
	fi
	@sum=$$(sha256sum $(GO_LIB) | cut -d' ' -f1); \
	line="/* libsethealth.a sha256 $$sum; written by make go. */"; \
	if [ "$$(cat $(GO_STAMP) 2>/dev/null)" != "$$line" ]; then echo "$$line" > $(GO_STAMP); fi

test-go: go
	$(CARGO) build --locked -p sethealth-emulator
	cd $(GO_DIR) && $(GO_TEST_ENV) GODEBUG=cgocheck=1 $(GO) test -race -count=1 ./...
	@echo "== full cgo pointer checks (cgocheck2 rebuilds the runtime once), with forced GCs between calls"
	cd $(GO_DIR) && $(GO_TEST_ENV) GOEXPERIMENT=cgocheck2 $(GO) test -count=1 \
		-run 'GarbageCollect|Concurrent|SingleFlight|Legacy|Context' ./...
	@echo "== the program written for the old client, against a fresh emulator"
	cd $(GO_EXAMPLES_DIR) && $(GO) build -o /dev/null ./...
	scripts/with-emulator.sh $(GO) -C $(GO_EXAMPLES_DIR) run ./legacy

lint-go: go
	cd $(GO_DIR) && $(GO) vet ./...
	cd $(GO_EXAMPLES_DIR) && $(GO) vet ./...
	@unformatted=$$(gofmt -l $(GO_DIR) $(GO_EXAMPLES_DIR)); \
	if [ -n "$$unformatted" ]; then echo "gofmt -l lists files to format:" >&2; echo "$$unformatted" >&2; exit 1; fi

# The benchmarks use the release library and the release emulator, as the
# Rust benchmarks do, so that the rows of docs/benchmarks.md compare. With
# its dependencies already compiled, as after `make bench-rust`, the release
# library took 49 s to build on a 2-core machine; a clean build compiles
# every dependency first. GO_BENCH_PROFILE=debug skips it, at the price of
# numbers that do not compare with the Rust rows.
GO_BENCH_PROFILE ?= release
GO_BENCH_DIR := build/bench

bench-go:
	$(MAKE) --no-print-directory go GO_LIB_PROFILE=$(GO_BENCH_PROFILE)
	$(CARGO) build --locked $(if $(filter release,$(GO_BENCH_PROFILE)),--release) -p sethealth-emulator
	@mkdir -p $(GO_BENCH_DIR)
	cd $(GO_DIR) && SETHEALTH_EMULATOR_BIN=$(TARGET_DIR)/$(GO_BENCH_PROFILE)/sethealth-emulator \
		$(GO) test -run '^$$' -bench . -benchtime 2s -count 1 . | tee $(CURDIR)/$(GO_BENCH_DIR)/go.txt
	$(GO) -C $(GO_DIR) run ./internal/benchjson <$(GO_BENCH_DIR)/go.txt >$(GO_BENCH_DIR)/go.json.tmp
	mv $(GO_BENCH_DIR)/go.json.tmp $(GO_BENCH_DIR)/go.json
	@echo "bench-go: wrote $(GO_BENCH_DIR)/go.json ($(GO_BENCH_PROFILE) library and emulator)"

TEST_TARGETS += test-go
LINT_TARGETS += lint-go
BENCH_TARGETS += bench-go
DEMO_DEPS += go
DEMO_STEPS += examples/go/demo.sh
