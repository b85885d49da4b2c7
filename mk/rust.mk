# Rules for the Rust workspace: the core, the emulator and the CLI.

.PHONY: lint-rust test-rust bench-rust

lint-rust:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --locked --workspace --all-targets -- -D warnings
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --locked --no-deps -p sethealth -p sethealth-emulator

test-rust:
	$(CARGO) test --locked -p sethealth -p sethealth-emulator -p sethealth-cli

bench-rust:
	$(CARGO) bench --locked -p sethealth --bench token -- --warm-up-time 2 --measurement-time 5
