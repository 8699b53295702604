#!/usr/bin/env bash
# The soak: mixed load at concurrency 16 against the real binary for
# SOAK_DURATION (default 10m), with injected faults and a kill -9 and
# restart every SOAK_RESTART_EVERY (default 1m). Fails unless file
# descriptors and RSS stay within 1.5x, no 5xx but the injected ones, and
# every acknowledged create is present at the end. See bench/cmd/soak.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${SOAK_DURATION:-10m}
restart=${SOAK_RESTART_EVERY:-1m}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/agentcored" ./cmd/agentcored
go build -o "$work/soak" ./bench/cmd/soak
"$work/soak" -bin "$work/agentcored" -data-dir "$work/data" -log "$work/agentcored.log" \
  -duration "$duration" -restart-every "$restart" -concurrency "${SOAK_CONCURRENCY:-16}" "$@" || {
  echo "== agentcored log (not the access log), last 50 lines:"; tail -50 "$work/agentcored.log"; exit 1; }
