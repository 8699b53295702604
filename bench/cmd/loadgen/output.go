package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// logOut receives progress lines, so that stdout stays the result.
var logOut io.Writer = os.Stderr

func (r *Result) print(w io.Writer) {
	if r.Workload == "startup" {
		fmt.Fprintf(w, "%-10s startup %s: first request served %.1f ms after start, RSS %.1f MiB\n",
			r.Server, r.Label, r.StartupMs, r.RSSMiB)
		return
	}
	fmt.Fprintf(w, "%-10s %-14s c=%d %s: %d ops in %.2fs = %.0f ops/s", r.Server, r.Workload, r.Concurrency, r.Label, r.Ops, r.Seconds, r.OpsPerSec)
	if r.Workload == "list-runtimes" {
		fmt.Fprintf(w, " (%.0f runtimes listed/s)", r.ItemsPerSec)
	}
	fmt.Fprintf(w, "; latency ms p50 %.2f p90 %.2f p99 %.2f mean %.2f", r.P50Ms, r.P90Ms, r.P99Ms, r.MeanMs)
	if r.CPUSeconds > 0 || r.RSSMiB > 0 {
		fmt.Fprintf(w, "; server CPU %.3f ms/op, RSS %.1f MiB (peak %.1f)", r.CPUMsPerOp, r.RSSMiB, r.HWMMiB)
	}
	fmt.Fprintf(w, "; client CPU %.3f ms/op", r.ClientCPUMsPerOp)
	if len(r.Errors) > 0 {
		fmt.Fprintf(w, "; errors %s", formatErrors(r.Errors))
	}
	fmt.Fprintln(w)
}

func formatErrors(m map[string]int64) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + strconv.FormatInt(m[k], 10)
	}
	return strings.Join(parts, " ")
}

func appendJSON(path string, v any) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	return json.NewEncoder(f).Encode(v)
}

// procSample is what /proc says about the server process.
type procSample struct {
	cpuSeconds     float64
	rssMiB, hwmMiB float64
}

// selfCPU is the CPU time loadgen itself has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// clockTicks is USER_HZ, the unit of utime/stime in /proc/PID/stat; Linux
// reports 100 on every architecture Go supports.
const clockTicks = 100

// readProc reads utime+stime from /proc/PID/stat and VmRSS/VmHWM from
// /proc/PID/status. pid 0 reads nothing.
func readProc(pid int) (procSample, error) {
	var p procSample
	if pid <= 0 {
		return p, nil
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return p, fmt.Errorf("-pid: %w", err)
	}
	// The command name (field 2) may hold spaces: fields count from the
	// last ')'. utime and stime are fields 14 and 15.
	s := string(stat)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return p, fmt.Errorf("-pid: cannot parse /proc/%d/stat", pid)
	}
	utime, err1 := strconv.ParseFloat(fields[11], 64)
	stime, err2 := strconv.ParseFloat(fields[12], 64)
	if err1 != nil || err2 != nil {
		return p, fmt.Errorf("-pid: cannot parse /proc/%d/stat", pid)
	}
	p.cpuSeconds = (utime + stime) / clockTicks
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return p, fmt.Errorf("-pid: %w", err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 64)
		if err != nil {
			continue
		}
		switch name {
		case "VmRSS":
			p.rssMiB = kb / 1024
		case "VmHWM":
			p.hwmMiB = kb / 1024
		}
	}
	return p, nil
}

// printCredentials writes an agentcored credentials file (JSON is YAML) with
// the default key and K extra accounts for -accounts K.
func printCredentials(w io.Writer, k int) error {
	type cred struct {
		AccessKeyID     string `json:"accessKeyId"`
		SecretAccessKey string `json:"secretAccessKey"`
		AccountID       string `json:"accountId"`
	}
	creds := []cred{{defaultAccessKey, defaultSecretKey, defaultAccount}}
	for i := 1; i <= k; i++ {
		key, secret, account := extraAccount(i)
		creds = append(creds, cred{key, secret, account})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(map[string]any{"credentials": creds})
}

// renderReport prints the results collected in a JSON-lines file: the
// side-by-side comparison, then the scale and start-up measurements.
func renderReport(w io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var results []Result
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var r Result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		results = append(results, r)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	comparison(w, results)
	scale(w, results)
	return nil
}

// comparison: one row per workload and concurrency, label "compare".
func comparison(w io.Writer, results []Result) {
	type rowKey struct {
		workload    string
		concurrency int
	}
	by := map[rowKey]map[string]*Result{}
	var order []rowKey
	for i := range results {
		r := &results[i]
		if r.Label != "compare" {
			continue
		}
		k := rowKey{r.Workload, r.Concurrency}
		if by[k] == nil {
			by[k] = map[string]*Result{}
			order = append(order, k)
		}
		by[k][r.Server] = r
	}
	if len(order) == 0 {
		return
	}
	fmt.Fprintln(w, "| workload | c | agentcored | ceiling | moto_server | agentcored / ceiling | agentcored / moto | agentcored p50 / p99 ms | ceiling p50 / p99 ms | agentcored CPU ms/op | ceiling CPU ms/op | client CPU ms/op (vs agentcored / ceiling) | errors |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|---|---|")
	for _, k := range order {
		row := by[k]
		a, c, m := row["agentcored"], row["ceiling"], row["moto"]
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s / %s | %s |\n", k.workload, k.concurrency,
			tput(a), tput(c), tput(m), ratio(a, c), ratio(a, m), lat(a), lat(c), cpu(a), cpu(c), clientCPU(a), clientCPU(c), errs(row))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Throughput is operations/s, except list-runtimes: runtimes listed/s (moto_server answers a listing in one page).")
	pools := map[string]int{}
	for _, r := range results {
		if r.Label == "compare" && r.Workload == "get-runtime" {
			pools[r.Server] = max(pools[r.Server], r.Pool)
		}
	}
	var parts []string
	for _, s := range []string{"agentcored", "ceiling", "moto"} {
		if n, ok := pools[s]; ok {
			parts = append(parts, fmt.Sprintf("%s %d", s, n))
		}
	}
	if len(parts) > 0 {
		fmt.Fprintf(w, "Runtimes stored at the start: %s.\n", strings.Join(parts, ", "))
	}
	fmt.Fprintln(w)
}

func ok(r *Result) bool { return r != nil && r.Ops > 0 && len(r.Errors) == 0 }

func tput(r *Result) string {
	if !ok(r) {
		return "n/a"
	}
	return fmt.Sprintf("%.0f", r.Throughput())
}

func ratio(a, b *Result) string {
	if !ok(a) || !ok(b) {
		return "n/a"
	}
	return fmt.Sprintf("%.2f", a.Throughput()/b.Throughput())
}

func lat(r *Result) string {
	if !ok(r) {
		return "n/a"
	}
	return fmt.Sprintf("%.2f / %.2f", r.P50Ms, r.P99Ms)
}

func cpu(r *Result) string {
	if !ok(r) || r.CPUSeconds == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.3f", r.CPUMsPerOp)
}

func clientCPU(r *Result) string {
	if !ok(r) {
		return "n/a"
	}
	return fmt.Sprintf("%.3f", r.ClientCPUMsPerOp)
}

func errs(row map[string]*Result) string {
	var parts []string
	for _, s := range []string{"agentcored", "ceiling", "moto"} {
		if r := row[s]; r != nil && len(r.Errors) > 0 {
			parts = append(parts, s+": "+formatErrors(r.Errors))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, "; ")
}

// scale: every result not labelled "compare" (data-size runs, start-up).
func scale(w io.Writer, results []Result) {
	var rows []Result
	for _, r := range results {
		if r.Label != "compare" {
			rows = append(rows, r)
		}
	}
	if len(rows) == 0 {
		return
	}
	fmt.Fprintln(w, "| server | measurement | data | c | ops/s | p50 ms | p90 ms | p99 ms | CPU ms/op | RSS MiB (peak) | errors |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|")
	for _, r := range rows {
		if r.Workload == "durability" {
			verdict := "all present"
			if n := r.Errors["missing"]; n > 0 {
				verdict = fmt.Sprintf("%d MISSING", n)
			}
			fmt.Fprintf(w, "| %s | acknowledged creates after kill -9 and restart: %d checked, %s | %s | | | | | | | | |\n",
				r.Server, r.Ops, verdict, r.Label)
			continue
		}
		if r.Workload == "startup" {
			fmt.Fprintf(w, "| %s | start-up to first served request: %.0f ms | %s | | | | | | | %.1f (%.1f) | |\n",
				r.Server, r.StartupMs, r.Label, r.RSSMiB, r.HWMMiB)
			continue
		}
		fmt.Fprintf(w, "| %s | %s | %s | %d | %.0f | %.2f | %.2f | %.2f | %.3f | %.1f (%.1f) | %s |\n",
			r.Server, r.Workload, r.Label, r.Concurrency, r.OpsPerSec, r.P50Ms, r.P90Ms, r.P99Ms, r.CPUMsPerOp, r.RSSMiB, r.HWMMiB, formatErrors(r.Errors))
	}
	fmt.Fprintln(w)
}
