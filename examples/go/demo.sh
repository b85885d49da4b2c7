#!/usr/bin/env bash
# Demo step: runs the program written for the old Go client, then the one
# that uses this package's additions, against the environment that
# scripts/demo.sh exported. `make demo` builds the static library first;
# run `make go` before running this by hand.
set -euo pipefail

cd "$(dirname "$0")"
go run ./legacy
go run ./context
