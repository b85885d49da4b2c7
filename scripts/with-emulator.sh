#!/usr/bin/env bash
# Runs a command against a fresh emulator over HTTPS, then stops the emulator.
#
#   scripts/with-emulator.sh COMMAND [ARG...]
#
# The command runs with SETHEALTH_API_URL, SETHEALTH_CA_FILE, SETHEALTH_KEY and
# SETHEALTH_SECRET set for a demo service account, and SETHEALTH_EMULATOR_URL.
# SETHEALTH_EMULATOR_BIN overrides the emulator binary (default: the debug build).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
emulator=${SETHEALTH_EMULATOR_BIN:-$root/target/debug/sethealth-emulator}
if [[ ! -x $emulator ]]; then
  echo "with-emulator: $emulator is missing; run 'make build' first" >&2
  exit 2
fi

workdir=$(mktemp -d)
key=sa_demo_0001
# A fresh random secret per run, never printed.
secret=$(head -c 24 /dev/urandom | base64)

"$emulator" --account "$key:$secret" --ca-out "$workdir/ca.pem" \
  --ready-file "$workdir/ready.json" >"$workdir/emulator.out" 2>"$workdir/emulator.log" &
emulator_pid=$!

cleanup() {
  kill "$emulator_pid" 2>/dev/null || true
  wait "$emulator_pid" 2>/dev/null || true
  rm -rf "$workdir"
}
trap cleanup EXIT

for _ in $(seq 1 100); do
  [[ -s $workdir/ready.json ]] && break
  if ! kill -0 "$emulator_pid" 2>/dev/null; then
    echo "with-emulator: the emulator exited early:" >&2
    cat "$workdir/emulator.log" >&2
    exit 1
  fi
  sleep 0.1
done
if [[ ! -s $workdir/ready.json ]]; then
  echo "with-emulator: the emulator did not become ready within 10 s" >&2
  exit 1
fi

url=$(sed -n 's/.*"url": *"\([^"]*\)".*/\1/p' "$workdir/ready.json")
export SETHEALTH_API_URL=$url
export SETHEALTH_EMULATOR_URL=$url
export SETHEALTH_CA_FILE=$workdir/ca.pem
export SETHEALTH_KEY=$key
export SETHEALTH_SECRET=$secret

"$@"
