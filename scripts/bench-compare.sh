#!/usr/bin/env bash
# scripts/bench-compare.sh: before/after in one run (docs/PERFORMANCE.md,
# "Round two").
#
# Builds agentcored from a git revision (BEFORE, default main) in a
# temporary worktree and from this tree (after), the ceiling and the load
# generator; seeds 10,000 runtimes into a data dir for each agentcored;
# starts the three on loopback ports; then, ROUNDS times, runs each workload
# against before, after and the ceiling one after the other (alternating,
# so that drift hits all three alike). Prints every run and, per workload,
# the lowest ratio to the ceiling of the rounds.
#
# Environment:
#   BEFORE          git revision of the "before" binary (default main)
#   BENCH_DURATION  length of each run (default 3s)
#   BENCH_ROUNDS    rounds (default 3)
#   BENCH_WORKLOADS "workload:concurrency ..." (default: get-runtime and
#                   list-runtimes at 1 and 8, create-runtime at 8)
#   BENCH_OUT       directory for results.jsonl (default: a new temp dir)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BEFORE=${BEFORE:-main}
DURATION=${BENCH_DURATION:-3s}
ROUNDS=${BENCH_ROUNDS:-3}
WORKLOADS=${BENCH_WORKLOADS:-"get-runtime:1 get-runtime:8 list-runtimes:1 list-runtimes:8 create-runtime:8"}
WORK=$(mktemp -d /tmp/agentcored-compare.XXXXXX)
OUT=${BENCH_OUT:-$WORK/out}
mkdir -p "$OUT"
RESULTS=$OUT/results.jsonl
: >"$RESULTS"

PIDS=()
cleanup() {
	for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
	git -C "$ROOT" worktree remove --force "$WORK/before-src" 2>/dev/null || true
	rm -rf "$WORK/bin" "$WORK"/data-* "$WORK/before-src"
}
trap cleanup EXIT

log() { printf '== %s\n' "$*" >&2; }
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

log "building after (this tree) and before ($BEFORE) into $WORK/bin"
mkdir -p "$WORK/bin"
BIN=$WORK/bin
(cd "$ROOT" && go build -o "$BIN/after" ./cmd/agentcored &&
	go build -o "$BIN/ceiling" ./bench/ceiling && go build -o "$BIN/loadgen" ./bench/cmd/loadgen)
git -C "$ROOT" worktree add --detach "$WORK/before-src" "$BEFORE" >/dev/null 2>&1
(cd "$WORK/before-src" && go build -o "$BIN/before" ./cmd/agentcored)
LOADGEN=$BIN/loadgen
ACCOUNTS=64
"$LOADGEN" -print-credentials $ACCOUNTS >"$WORK/credentials.json"

N=10000
declare -A PORT PID
for v in before after; do
	log "seeding $N runtimes for $v"
	"$LOADGEN" -seed-sqlite "$WORK/data-$v" -seed $N
	PORT[$v]=$(free_port)
	"$BIN/$v" serve -listen "127.0.0.1:${PORT[$v]}" -data-dir "$WORK/data-$v" -credentials "$WORK/credentials.json" \
		-throttle-rate -1 -log-level warn 2>>"$OUT/$v.log" &
	PID[$v]=$!
	PIDS+=("${PID[$v]}")
	"$LOADGEN" -endpoint "http://127.0.0.1:${PORT[$v]}" -workload wait-ready >/dev/null 2>&1
done
PORT[ceiling]=$(free_port)
"$BIN/ceiling" -listen "127.0.0.1:${PORT[ceiling]}" -seed $N 2>>"$OUT/ceiling.log" &
PID[ceiling]=$!
PIDS+=("${PID[ceiling]}")
"$LOADGEN" -endpoint "http://127.0.0.1:${PORT[ceiling]}" -workload wait-ready >/dev/null 2>&1

for round in $(seq "$ROUNDS"); do
	for wc in $WORKLOADS; do
		w=${wc%%:*}
		c=${wc##*:}
		for v in before after ceiling; do
			log "round $round: $w c=$c $v"
			"$LOADGEN" -endpoint "http://127.0.0.1:${PORT[$v]}" -server "$v" -pid "${PID[$v]}" -workload "$w" \
				-concurrency "$c" -duration "$DURATION" -label "round $round" -accounts $ACCOUNTS -json "$RESULTS" ||
				log "$v $w c=$c failed"
		done
	done
done

# Per workload and round: ratio = server / ceiling of that round; report
# the lowest of the rounds, and every run.
python3 - "$RESULTS" <<'EOF' | tee "$OUT/compare.md"
import json, sys, collections
runs = [json.loads(l) for l in open(sys.argv[1])]
by = collections.defaultdict(dict)
for r in runs:
    rate = r.get("itemsPerSec") or r["opsPerSec"]
    by[(r["workload"], r["concurrency"], r["label"])][r["server"]] = r | {"rate": rate}
print("| workload | c | round | before | after | ceiling | before/ceiling | after/ceiling | before CPU ms/op | after CPU ms/op | after p50/p99 ms | after RSS MiB | errors |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
low = collections.defaultdict(lambda: {"before": 9e9, "after": 9e9})
for (w, c, label), s in sorted(by.items()):
    if not all(k in s for k in ("before", "after", "ceiling")):
        continue
    ce = s["ceiling"]["rate"]
    rb, ra = s["before"]["rate"] / ce, s["after"]["rate"] / ce
    low[(w, c)]["before"] = min(low[(w, c)]["before"], rb)
    low[(w, c)]["after"] = min(low[(w, c)]["after"], ra)
    errs = {k: v for k in ("before", "after") for v in [s[k].get("errors")] if v}
    print(f"| {w} | {c} | {label} | {s['before']['rate']:.0f} | {s['after']['rate']:.0f} | {ce:.0f} | {rb:.2f} | {ra:.2f} | "
          f"{s['before'].get('cpuMsPerOp', 0):.3f} | {s['after'].get('cpuMsPerOp', 0):.3f} | "
          f"{s['after']['p50Ms']:.2f} / {s['after']['p99Ms']:.2f} | {s['after'].get('rssMiB', 0):.0f} | {errs or ''} |")
print()
print("| workload | c | lowest before / ceiling | lowest after / ceiling |")
print("|---|---|---|---|")
for (w, c), v in sorted(low.items()):
    print(f"| {w} | {c} | {v['before']:.2f} | {v['after']:.2f} |")
EOF
log "results: $OUT/compare.md and $RESULTS"
