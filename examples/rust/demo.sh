#!/usr/bin/env bash
# Demo step: the Rust example, built by `make build`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
"$root/target/debug/examples/mint"
