# Rules for the C ABI: libsethealth (bindings/c), its generated header, the
# C example and the C test suite, run under valgrind.
#
#   make lib-c     build target/debug/libsethealth.a and .so
#   make header    regenerate include/sethealth.h with cbindgen
#   make test-c    Rust unit tests, header check, C tests under valgrind
#   make lint-c    compile the header as C11 and as C++17

.PHONY: lib-c header test-c test-c-rust test-c-valgrind lint-c

C_BUILD_DIR := build/c
C_ARCHIVE := $(DEBUG_DIR)/libsethealth.a
# The output of `cargo rustc -p sethealth-c -- --print native-static-libs`
# on Linux: what a program linking the static archive needs besides it.
C_NATIVE_LIBS := -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
C_FLAGS := -std=c11 -Wall -Wextra -Werror -g -Iinclude
C_TEST_SOURCES := tests/c/test_sethealth.c tests/c/emulator.c
# Only definite leaks (memory that nothing points to) fail the run, such as
# a token, error or client that is never freed. The library's process-wide
# runtime is leaked on purpose: it cannot be dropped from inside another
# runtime, and a forked child must never drop its parent's. Its threads and
# tasks (idle connections, blocking-pool threads) are still alive at exit,
# and valgrind counts what they hold as "possibly lost", because only
# interior pointers to it remain; which blocks varies from run to run. The
# leak summary still prints those bytes, and test-c-valgrind proves that a
# leaked token fails the run.
VALGRIND := valgrind --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite \
	--error-exitcode=1

lib-c:
	$(CARGO) build --locked -p sethealth-c

header:
	SETHEALTH_UPDATE_HEADER=1 $(CARGO) test --locked -p sethealth-c --lib header_is_up_to_date

# The archive is rebuilt by cargo, which make cannot see into, so every link
# depends on the phony lib-c and cargo decides whether anything changed.
$(C_BUILD_DIR)/mint: examples/c/mint.c include/sethealth.h lib-c
	@mkdir -p $(C_BUILD_DIR)
	$(CC) $(C_FLAGS) -o $@ examples/c/mint.c $(C_ARCHIVE) $(C_NATIVE_LIBS)

$(C_BUILD_DIR)/test_sethealth: $(C_TEST_SOURCES) tests/c/emulator.h tests/c/harness.h include/sethealth.h lib-c
	@mkdir -p $(C_BUILD_DIR)
	$(CC) $(C_FLAGS) -pthread -o $@ $(C_TEST_SOURCES) $(C_ARCHIVE) $(C_NATIVE_LIBS)

test-c: test-c-rust lint-c test-c-valgrind

# The crate's unit tests, including header_is_up_to_date.
test-c-rust:
	$(CARGO) test --locked -p sethealth-c

test-c-valgrind: $(C_BUILD_DIR)/test_sethealth $(C_BUILD_DIR)/mint
	$(CARGO) build --locked -p sethealth-emulator
	$(VALGRIND) $(C_BUILD_DIR)/test_sethealth $(EMULATOR_BIN)
	scripts/with-emulator.sh $(VALGRIND) $(C_BUILD_DIR)/mint valgrind-user
	@echo "== a token that is never freed must fail the valgrind run (log: $(C_BUILD_DIR)/leak-check.log)"
	@status=0; $(VALGRIND) $(C_BUILD_DIR)/test_sethealth --leak-one-token $(EMULATOR_BIN) \
		>$(C_BUILD_DIR)/leak-check.log 2>&1 || status=$$?; \
	if [ $$status -ne 1 ] || ! grep -q "definitely lost: [1-9]" $(C_BUILD_DIR)/leak-check.log; then \
		cat $(C_BUILD_DIR)/leak-check.log >&2; \
		echo "test-c: valgrind exited with $$status on a leaked token, expected 1: the leak check is not working" >&2; \
		exit 1; \
	fi; \
	grep "definitely lost:" $(C_BUILD_DIR)/leak-check.log; \
	echo "valgrind reported the leaked token, as it should"

lint-c:
	$(CC) -std=c11 -Wall -Wextra -Wpedantic -Werror -fsyntax-only -x c include/sethealth.h
	$(CXX) -std=c++17 -Wall -Wextra -Werror -fsyntax-only -x c++ include/sethealth.h
	$(CXX) -std=c++17 -Wall -Wextra -Werror -Iinclude -fsyntax-only tests/c/cxx_usage.cpp

TEST_TARGETS += test-c
LINT_TARGETS += lint-c
DEMO_DEPS += $(C_BUILD_DIR)/mint
DEMO_STEPS += examples/c/demo.sh
