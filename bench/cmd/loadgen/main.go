// Command loadgen drives a running bedrock-agentcore-control server (agentcored,
// the ceiling reference in bench/ceiling, or moto_server) through the real
// aws-sdk-go-v2 client and reports throughput, latency percentiles, errors by
// code and, given the server's PID, its CPU seconds per operation and RSS.
//
//	loadgen -endpoint http://127.0.0.1:4566 -workload get-runtime -concurrency 8 -duration 3s -pid 1234
//
// Workloads: create-runtime, get-runtime, update-runtime, list-runtimes
// (full listings, maxResults 100), tag-cycle (tag, list tags, untag), mixed
// (60% get, 10% list page, 10% update, 10% tag step, 10% create); and, not
// timed, seed (-seed N creates through the API), wait-ready (poll until the
// first request is served: start-up time with -since-ns) and verify-acks
// (after a create-runtime run with -ack-file, the server killed with SIGKILL
// and restarted: check that every acknowledged create survived).
//
// Only loopback endpoints are accepted: this is a benchmark tool, not a way
// to send traffic anywhere else.
//
// Other modes (no traffic):
//
//	loadgen -seed-sqlite DIR -seed N     write N runtimes straight into a stopped
//	                                     agentcored's SQLite directory
//	loadgen -print-credentials K         credentials file with K extra accounts
//	loadgen -report results.jsonl        render collected results as tables
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"runtime/pprof"
	"strings"
	"time"
)

type config struct {
	endpoint    string
	workload    string
	concurrency int
	duration    time.Duration
	count       int64
	seed        int
	pid         int
	label       string
	server      string
	jsonOut     string
	accounts    int
	region      string
	sinceNanos  int64
	randSeed    int64
	ackFile     string
}

func main() {
	var cfg config
	var seedSQLite, report string
	var printCreds int
	flag.StringVar(&cfg.endpoint, "endpoint", "http://127.0.0.1:4566", "server URL (loopback only)")
	flag.StringVar(&cfg.workload, "workload", "get-runtime", "create-runtime, get-runtime, update-runtime, list-runtimes, tag-cycle, mixed; seed, wait-ready or verify-acks")
	flag.IntVar(&cfg.concurrency, "concurrency", 1, "concurrent workers (each one request at a time)")
	flag.DurationVar(&cfg.duration, "duration", 5*time.Second, "stop after this long (0: no time bound)")
	flag.Int64Var(&cfg.count, "count", 0, "stop after this many operations (0: no count bound)")
	flag.IntVar(&cfg.seed, "seed", 0, "pre-create N runtimes through the API before the run (with -seed-sqlite: directly in the store)")
	flag.IntVar(&cfg.pid, "pid", 0, "server process id: report its CPU seconds per operation and RSS from /proc")
	flag.StringVar(&cfg.label, "label", "", "free text recorded with the result (e.g. the data size)")
	flag.StringVar(&cfg.server, "server", "", "server name recorded with the result (agentcored, ceiling, moto)")
	flag.StringVar(&cfg.jsonOut, "json", "", "append the result as one JSON line to this file")
	flag.IntVar(&cfg.accounts, "accounts", 0, "spread creates round-robin over K extra accounts (see -print-credentials) to stay under the per-account runtime quota")
	flag.StringVar(&cfg.region, "region", "us-east-1", "region of the clients")
	flag.Int64Var(&cfg.sinceNanos, "since-ns", 0, "wait-ready: Unix nanoseconds at which the server was started")
	flag.Int64Var(&cfg.randSeed, "rand-seed", 1, "seed of the random choices (ids, mix)")
	flag.StringVar(&cfg.ackFile, "ack-file", "", "create-runtime: record every acknowledged create in this file; verify-acks: check them")
	flag.StringVar(&seedSQLite, "seed-sqlite", "", "write -seed N runtimes directly into this agentcored SQLite data directory (the server must be stopped), then exit")
	flag.IntVar(&printCreds, "print-credentials", 0, "print an agentcored credentials file with K extra accounts for -accounts K, then exit")
	flag.StringVar(&report, "report", "", "render the JSON lines of this file as Markdown tables, then exit")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of loadgen itself to this file")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}

	ctx := context.Background()
	var err error
	switch {
	case printCreds > 0:
		err = printCredentials(os.Stdout, printCreds)
	case report != "":
		err = renderReport(os.Stdout, report)
	case seedSQLite != "":
		err = seedSQLiteDir(ctx, seedSQLite, cfg.seed, defaultAccount, cfg.region)
	default:
		err = run(ctx, cfg)
	}
	if err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cfg config) error {
	if err := checkLoopback(cfg.endpoint); err != nil {
		return err
	}
	if cfg.concurrency < 1 {
		return errors.New("-concurrency must be at least 1")
	}
	if cfg.duration <= 0 && cfg.count <= 0 && cfg.workload != "wait-ready" && cfg.workload != "seed" && cfg.workload != "verify-acks" {
		return errors.New("give -duration or -count: every run must be bounded")
	}
	g := newGenerator(cfg)
	switch cfg.workload {
	case "wait-ready":
		return g.waitReady(ctx)
	case "seed":
		return g.seedAPI(ctx, cfg.seed)
	case "verify-acks":
		if cfg.ackFile == "" {
			return errors.New("verify-acks needs -ack-file")
		}
		return g.verifyAcks(ctx, cfg.ackFile)
	}
	if cfg.ackFile != "" {
		if cfg.workload != "create-runtime" {
			return errors.New("-ack-file goes with create-runtime or verify-acks")
		}
		acks, err := openAckLog(cfg.ackFile)
		if err != nil {
			return err
		}
		g.acks = acks
		defer acks.close()
	}
	res, err := g.run(ctx)
	if err != nil {
		return err
	}
	res.print(os.Stdout)
	if cfg.jsonOut != "" {
		return appendJSON(cfg.jsonOut, res)
	}
	return nil
}

// checkLoopback refuses any endpoint that is not a loopback address.
// "localhost" counts only if every address it resolves to is loopback.
func checkLoopback(endpoint string) error {
	u, err := url.Parse(endpoint)
	if err != nil {
		return fmt.Errorf("-endpoint: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("-endpoint %q: want http:// or https://", endpoint)
	}
	host := u.Hostname()
	if host == "" {
		return fmt.Errorf("-endpoint %q has no host", endpoint)
	}
	if ip := net.ParseIP(host); ip != nil {
		if !ip.IsLoopback() {
			return fmt.Errorf("-endpoint %q is not a loopback address: refusing", endpoint)
		}
		return nil
	}
	if !strings.EqualFold(host, "localhost") {
		return fmt.Errorf("-endpoint %q: only loopback IP addresses or localhost are accepted", endpoint)
	}
	addrs, err := net.LookupIP(host)
	if err != nil || len(addrs) == 0 {
		return fmt.Errorf("-endpoint %q: cannot resolve localhost", endpoint)
	}
	for _, ip := range addrs {
		if !ip.IsLoopback() {
			return fmt.Errorf("-endpoint %q: localhost resolves to %s, which is not loopback: refusing", endpoint, ip)
		}
	}
	return nil
}
