#!/usr/bin/env bash
# Demo step: builds the C example against libsethealth.a if needed and mints
# a token from the environment that scripts/demo.sh exported.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
# Quiet when nothing fails; on a failure, run again to show the output.
make -s -C "$root" --no-print-directory build/c/mint >/dev/null 2>&1 || make -C "$root" build/c/mint
"$root/build/c/mint" demo-user-c
