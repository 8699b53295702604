#!/usr/bin/env bash
# scripts/bench.sh: one side-by-side performance run (see docs/PERFORMANCE.md).
#
# Builds agentcored, the ceiling reference (bench/ceiling) and the load
# generator (bench/cmd/loadgen); starts agentcored, the ceiling and
# moto_server on loopback ports; runs every workload at concurrency 1 and 8
# against each; then measures agentcored alone at 1,000 and 100,000 stored
# runtimes (latency, start-up time, RSS). Prints Markdown tables and keeps
# the raw results; checks that acknowledged creates survive kill -9.
# Everything runs on 127.0.0.1 and stops by itself.
#
# Environment:
#   BENCH_DURATION   length of each run (default 3s)
#   BENCH_OUT        directory for results.jsonl and results.md (default: a new temp dir)
#   BENCH_SKIP_MOTO  1: do not start moto_server (its columns read n/a)
#   BENCH_MOTO_RUNTIMES  runtimes moto_server is seeded with, through its API
#                    (default 1000: it creates about 100 a second, so 10,000
#                    would take minutes)
#   BENCH_SKIP_SCALE 1: skip the 1,000 / 100,000 runtimes measurements
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DURATION=${BENCH_DURATION:-3s}
WORK=$(mktemp -d /tmp/agentcored-bench.XXXXXX)
OUT=${BENCH_OUT:-$WORK/out}
mkdir -p "$OUT"
RESULTS=$OUT/results.jsonl
: >"$RESULTS"

PIDS=()
cleanup() {
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	if [[ $OUT == "$WORK"/* ]]; then
		rm -rf "$WORK/bin" "$WORK"/data-* "$WORK/credentials.json" "$WORK/acks"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT

log() { printf '== %s\n' "$*" >&2; }

# stop PID: stop one server we started and forget it.
stop() {
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
	local keep=()
	for p in "${PIDS[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
	PIDS=("${keep[@]}")
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

log "building into $WORK/bin"
mkdir -p "$WORK/bin"
(cd "$ROOT" && go build -o "$WORK/bin/agentcored" ./cmd/agentcored &&
	go build -o "$WORK/bin/ceiling" ./bench/ceiling &&
	go build -o "$WORK/bin/loadgen" ./bench/cmd/loadgen)
BIN=$WORK/bin
LOADGEN=$BIN/loadgen
ACCOUNTS=64
"$LOADGEN" -print-credentials $ACCOUNTS >"$WORK/credentials.json"

# start_agentcored DATA_DIR PORT: starts agentcored; sets APID and ASTART
# (Unix ns just before the start, for the start-up time).
start_agentcored() {
	ASTART=$(date +%s%N)
	# Throttling off: it limits each operation to 1,000 requests/s per account,
	# which is policy, not cost. Everything else is the default: SQLite in WAL
	# mode, synchronous=NORMAL (an acknowledged write survives kill -9),
	# permissive SigV4, full validation, immediate lifecycle.
	"$BIN/agentcored" serve -listen "127.0.0.1:$2" -data-dir "$1" -credentials "$WORK/credentials.json" \
		-throttle-rate -1 -log-level warn 2>>"$OUT/agentcored.log" &
	APID=$!
	PIDS+=("$APID")
}

# run SERVER PORT PID WORKLOAD CONCURRENCY LABEL: one measured run.
run() {
	"$LOADGEN" -endpoint "http://127.0.0.1:$2" -server "$1" -pid "$3" -workload "$4" -concurrency "$5" \
		-duration "$DURATION" -label "$6" -accounts $ACCOUNTS -json "$RESULTS" ||
		log "$1 $4 c=$5 failed"
}

N=10000
log "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB"
log "seeding $N runtimes into agentcored's store (directly, server stopped)"
"$LOADGEN" -seed-sqlite "$WORK/data-10k" -seed $N

PA=$(free_port)
start_agentcored "$WORK/data-10k" "$PA"
"$LOADGEN" -endpoint "http://127.0.0.1:$PA" -workload wait-ready >/dev/null 2>&1

PC=$(free_port)
"$BIN/ceiling" -listen "127.0.0.1:$PC" -seed $N 2>>"$OUT/ceiling.log" &
CPID=$!
PIDS+=("$CPID")
"$LOADGEN" -endpoint "http://127.0.0.1:$PC" -workload wait-ready >/dev/null 2>&1

MPID=""
if [[ ${BENCH_SKIP_MOTO:-0} != 1 ]] && command -v moto_server >/dev/null; then
	PM=$(free_port)
	moto_server -H 127.0.0.1 -p "$PM" >>"$OUT/moto.log" 2>&1 &
	MPID=$!
	PIDS+=("$MPID")
	if "$LOADGEN" -endpoint "http://127.0.0.1:$PM" -workload wait-ready >/dev/null 2>&1; then
		MN=${BENCH_MOTO_RUNTIMES:-1000}
		log "seeding $MN runtimes into moto_server through the API"
		"$LOADGEN" -endpoint "http://127.0.0.1:$PM" -workload seed -seed "$MN" -concurrency 4 || MPID=""
	else
		MPID=""
	fi
fi

# Read-only workloads first, creates last: the listings then see exactly the
# seeded runtimes.
for workload in get-runtime list-runtimes update-runtime tag-cycle mixed create-runtime; do
	for c in 1 8; do
		log "$workload c=$c"
		run agentcored "$PA" "$APID" "$workload" "$c" compare
		run ceiling "$PC" "$CPID" "$workload" "$c" compare
		if [[ -n $MPID ]]; then
			run moto "$PM" "$MPID" "$workload" "$c" compare
		fi
	done
done
stop "$CPID"
[[ -n $MPID ]] && stop "$MPID"

# Durability of the measured configuration: creates at concurrency 8, every
# acknowledged id recorded; SIGKILL right after; restart; every one must be
# there.
log "durability: creates, kill -9, restart, check every acknowledged create"
"$LOADGEN" -endpoint "http://127.0.0.1:$PA" -server agentcored -pid "$APID" -workload create-runtime -concurrency 8 \
	-duration "$DURATION" -accounts $ACCOUNTS -ack-file "$WORK/acks" -label "durability run" -json "$RESULTS"
kill -9 "$APID"
stop "$APID"
start_agentcored "$WORK/data-10k" "$PA"
"$LOADGEN" -endpoint "http://127.0.0.1:$PA" -workload wait-ready >/dev/null 2>&1
"$LOADGEN" -endpoint "http://127.0.0.1:$PA" -server agentcored -workload verify-acks -ack-file "$WORK/acks" \
	-accounts $ACCOUNTS -concurrency 8 -label "10000 runtimes" -json "$RESULTS" || log "durability check FAILED"
stop "$APID"

if [[ ${BENCH_SKIP_SCALE:-0} != 1 ]]; then
	for n in 1000 100000; do
		log "agentcored with $n runtimes"
		"$LOADGEN" -seed-sqlite "$WORK/data-$n" -seed $n
		sync
		PA=$(free_port)
		start_agentcored "$WORK/data-$n" "$PA"
		"$LOADGEN" -endpoint "http://127.0.0.1:$PA" -workload wait-ready -since-ns "$ASTART" -pid "$APID" \
			-server agentcored -label "$n runtimes" -json "$RESULTS"
		for workload in get-runtime list-runtimes; do
			run agentcored "$PA" "$APID" "$workload" 1 "$n runtimes"
		done
		stop "$APID"
		rm -rf "$WORK/data-$n"
	done
fi

"$LOADGEN" -report "$RESULTS" | tee "$OUT/results.md"
log "results: $OUT/results.md and $RESULTS"
