#!/usr/bin/env bash
# The Python step of `make demo`: mints tokens with the installed wheel (the
# test virtualenv, built by `make demo`) from the emulator whose SETHEALTH_*
# variables scripts/demo.sh exports. Runs the unchanged legacy script, then
# the typed asyncio API.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
python=$root/build/python/venv/bin/python
if [[ ! -x $python ]]; then
  echo "python demo: $python is missing; run 'make demo' to build the wheel and its virtualenv" >&2
  exit 2
fi

echo "python legacy API (sethealth 1.8.0 script, unchanged):"
"$python" "$root/examples/python/legacy.py"
echo "python typed asyncio API:"
"$python" "$root/examples/python/modern.py"
