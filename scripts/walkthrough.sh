#!/usr/bin/env bash
# Runs the README walkthrough exactly as written (the lines between the walkthrough markers)
# against a local chain that this script starts with `npm start` and stops afterwards.
# Every command must exit 0 and print JSON without an "error" field; the last group:add by the
# new admin proves the transfer. Uses CHAIN_PORT (default 18545 here, to leave 8545 free).
set -euo pipefail
cd "$(dirname "$0")/.."
export CHAIN_PORT=${CHAIN_PORT:-18545}
export PORT=${RELAYER_PORT:-18080}        # the relayer npm start runs beside the chain
export DATA_DIR=${DATA_DIR:-$(mktemp -d)} # its root secret and database
export HARDHAT_DISABLE_TELEMETRY_PROMPT=true
log=$(mktemp -d)/walkthrough
mkdir -p "$log"

mapfile -t commands < <(awk '/<!-- walkthrough:start -->/{on=1; next} /<!-- walkthrough:end -->/{on=0} on && /^npx hardhat /' README.md)
[ "${#commands[@]}" -gt 0 ] || { echo "no walkthrough commands found in README.md"; exit 1; }

HARDHAT_NETWORK=localhost node --require ts-node/register/transpile-only scripts/start.ts >"$log/start.log" 2>&1 &
start_pid=$!
cleanup() {
  kill -INT "$start_pid" 2>/dev/null || true
  wait "$start_pid" 2>/dev/null || true
}
trap cleanup EXIT

for _ in $(seq 1 240); do
  grep -q "Press Ctrl-C to stop" "$log/start.log" && break
  kill -0 "$start_pid" 2>/dev/null || { cat "$log/start.log"; echo "npm start exited early"; exit 1; }
  sleep 0.5
done
grep -q "Press Ctrl-C to stop" "$log/start.log" || { cat "$log/start.log"; echo "chain did not start"; exit 1; }

i=0
for cmd in "${commands[@]}"; do
  i=$((i + 1))
  echo "[$i/${#commands[@]}] $cmd"
  if ! out=$(bash -c "$cmd" 2>"$log/cmd$i.err"); then
    echo "$out"; cat "$log/cmd$i.err"; echo "command $i failed"; exit 1
  fi
  echo "$out"
  if ! node -e 'const v = JSON.parse(process.argv[1]); if (v && typeof v === "object" && "error" in v) process.exit(1); if (v === false) process.exit(2)' "$out"; then
    echo "command $i printed an error (or false)"; exit 1
  fi
done

cleanup
trap - EXIT
if (echo > "/dev/tcp/127.0.0.1/$CHAIN_PORT") 2>/dev/null; then echo "port $CHAIN_PORT still open after stop"; exit 1; fi
echo "walkthrough ok: ${#commands[@]} commands"
