#!/usr/bin/env bash
# The main job: mint access tokens from every front end against one local
# emulator over HTTPS. Each argument is an extra step, a script run with the
# emulator's environment set (see scripts/with-emulator.sh).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)

if [[ ${1:-} != --inside ]]; then
  exec "$root/scripts/with-emulator.sh" "$0" --inside "$@"
fi
shift

echo "== emulator at $SETHEALTH_API_URL (CA $SETHEALTH_CA_FILE), service account $SETHEALTH_KEY"

echo "== CLI: sethealth token --user-id demo-user --expires-in 30m --json"
"$root/target/debug/sethealth" token --user-id demo-user --expires-in 30m --json

for step in "$@"; do
  echo "== $step"
  "$root/$step"
done
echo "== demo finished: every front end minted a token"
