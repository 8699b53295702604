// Package bench holds the benchmarks of the hot paths, the ceiling reference
// server (bench/ceiling), the load generator (bench/cmd/loadgen) and the
// seeding helper they share (bench/seed). See docs/PERFORMANCE.md.
//
//	go test -run '^$' -bench . -benchmem ./bench/
//	go test -run '^$' -bench ServerGet -benchmem -cpuprofile cpu.out ./bench/
package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"agentcored/bench/seed"
	"agentcored/internal/api"
	"agentcored/internal/auth"
	"agentcored/internal/protocol"
	"agentcored/internal/reqctx"
	"agentcored/internal/server"
	"agentcored/internal/service"
	"agentcored/internal/store"
	"agentcored/internal/testserver"
)

const (
	account = "123456789012"
	region  = "us-east-1"
)

// createBody is what aws-sdk-go-v2 sends for the loadgen's create.
const createBody = `{"agentRuntimeArtifact":{"containerConfiguration":{"containerUri":"` + seed.Image + `"}},` +
	`"agentRuntimeName":"bench_agent","clientToken":"0b5a6f4e-8d1c-4b7e-9a43-2f0c5d8e7a61",` +
	`"description":"created by loadgen","networkConfiguration":{"networkMode":"PUBLIC"},"roleArn":"` + seed.Role + `"}`

// authorization is a SigV4 header as the SDK sends it (permissive mode
// parses it for the account and region, and does not verify it).
const authorization = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/bedrock-agentcore/aws4_request, " +
	"SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-date, " +
	"Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"

// stub answers CreateAgentRuntime and GetAgentRuntime without a store, so
// that the dispatcher benchmarks measure the protocol layer alone.
type stub struct{ api.UnimplementedHandlers }

func (stub) CreateAgentRuntime(ctx context.Context, in *api.CreateAgentRuntimeRequest) (*api.CreateAgentRuntimeResponse, error) {
	return &api.CreateAgentRuntimeResponse{AgentRuntimeArn: "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/" + in.AgentRuntimeName + "-abcdefghij",
		AgentRuntimeId: in.AgentRuntimeName + "-abcdefghij", AgentRuntimeVersion: "1", Status: api.AgentRuntimeStatusCreating}, nil
}

func (stub) GetAgentRuntime(ctx context.Context, in *api.GetAgentRuntimeRequest) (*api.GetAgentRuntimeResponse, error) {
	return &api.GetAgentRuntimeResponse{AgentRuntimeId: in.AgentRuntimeId, AgentRuntimeName: "bench_agent", AgentRuntimeVersion: "1",
		RoleArn: seed.Role, Status: api.AgentRuntimeStatusReady,
		NetworkConfiguration: &api.NetworkConfiguration{NetworkMode: api.NetworkModePublic},
		AgentRuntimeArtifact: &api.AgentRuntimeArtifact{ContainerConfiguration: &api.ContainerConfiguration{ContainerUri: seed.Image}}}, nil
}

// cpuPerOp reports the process's CPU time per iteration (user + system, all
// goroutines: GC and the server's background work included) as cpu-ns/op.
// On a shared 2-core machine it is steadier than ns/op, which counts
// waiting for the CPU too. Call it right before the loop; defer the result.
func cpuPerOp(b *testing.B) func() {
	start := cpuTime()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func withInfo(r *http.Request) *http.Request {
	return r.WithContext(reqctx.With(r.Context(), &reqctx.Info{Account: account, Region: region}))
}

// BenchmarkDispatchCreateAgentRuntime: route + decode + validate + typed
// decode + encode of a create, with a handler that does nothing.
func BenchmarkDispatchCreateAgentRuntime(b *testing.B) {
	d := protocol.NewDispatcher(stub{})
	defer cpuPerOp(b)()
	for b.Loop() {
		req := withInfo(httptest.NewRequest(http.MethodPut, "/runtimes/", strings.NewReader(createBody)))
		rec := httptest.NewRecorder()
		d.ServeHTTP(rec, req)
		if rec.Code != http.StatusAccepted {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}

// BenchmarkDispatchGetAgentRuntime: the same for a read with a URI label.
func BenchmarkDispatchGetAgentRuntime(b *testing.B) {
	d := protocol.NewDispatcher(stub{})
	defer cpuPerOp(b)()
	for b.Loop() {
		req := withInfo(httptest.NewRequest(http.MethodGet, "/runtimes/bench_agent-abcdefghij/", nil))
		rec := httptest.NewRecorder()
		d.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}

// seeded opens a SQLite store holding n runtimes of the default account and
// returns it with their rows.
func seeded(b *testing.B, n int) (store.Store, []*store.Resource) {
	b.Helper()
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	if err := seed.Runtimes(ctx, st, n, account, region); err != nil {
		b.Fatal(err)
	}
	var rows []*store.Resource
	err = st.Read(ctx, func(tx store.Tx) error {
		rows, err = tx.List(ctx, store.ListQuery{Account: account, Region: region, Kind: "runtime"})
		return err
	})
	if err != nil || len(rows) != n {
		b.Fatalf("seeded %d runtimes, want %d (%v)", len(rows), n, err)
	}
	return st, rows
}

var sizes = []int{1000, 10000}

// BenchmarkStoreGet reads one runtime row by key, at random.
func BenchmarkStoreGet(b *testing.B) {
	for _, n := range sizes {
		b.Run(fmt.Sprintf("runtimes=%d", n), func(b *testing.B) {
			st, rows := seeded(b, n)
			ctx := context.Background()
			rng := rand.New(rand.NewPCG(1, 2))
			defer cpuPerOp(b)()
			for b.Loop() {
				k := rows[rng.IntN(len(rows))].Key()
				err := st.Read(ctx, func(tx store.Tx) error {
					_, err := tx.Get(ctx, k)
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkStoreListPage reads a page of 100 runtimes from a random point
// of the listing (keyset on seq).
func BenchmarkStoreListPage(b *testing.B) {
	for _, n := range sizes {
		b.Run(fmt.Sprintf("runtimes=%d", n), func(b *testing.B) {
			st, rows := seeded(b, n)
			ctx := context.Background()
			rng := rand.New(rand.NewPCG(1, 2))
			defer cpuPerOp(b)()
			for b.Loop() {
				after := rows[rng.IntN(len(rows)-100)].Seq
				err := st.Read(ctx, func(tx store.Tx) error {
					page, err := tx.List(ctx, store.ListQuery{Account: account, Region: region, Kind: "runtime", AfterSeq: after, Limit: 100})
					if err == nil && len(page) != 100 {
						err = fmt.Errorf("page of %d", len(page))
					}
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkServiceCreateAgentRuntime: one durable create transaction on
// SQLite (runtime, version, DEFAULT endpoint, workload identity, settled to
// READY, and the idempotency record), as the SDK's client token makes every
// create.
func BenchmarkServiceCreateAgentRuntime(b *testing.B) {
	svc := serviceOnSQLite(b)
	i := 0
	defer cpuPerOp(b)()
	for b.Loop() {
		i++
		if err := serviceCreate(svc, i); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkServiceCreateAgentRuntimeParallel is the same with 8 creates in
// flight (GOMAXPROCS 2 × parallelism 4), as the load generator's c=8 run:
// concurrent writes share commits (group commit).
func BenchmarkServiceCreateAgentRuntimeParallel(b *testing.B) {
	svc := serviceOnSQLite(b)
	var n atomic.Int64
	b.SetParallelism(max(1, 8/runtime.GOMAXPROCS(0)))
	defer cpuPerOp(b)()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := serviceCreate(svc, int(n.Add(1))); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func serviceOnSQLite(b *testing.B) *service.Service {
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	svc, err := service.New(ctx, st, service.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return svc
}

// serviceCreate creates runtime number i with a client token. Accounts
// rotate every 900 creates, as the loadgen's do, to stay under the
// per-account quota.
func serviceCreate(svc *service.Service, i int) error {
	info := &reqctx.Info{Account: fmt.Sprintf("%012d", 300000000000+i/900), Region: region, Operation: "CreateAgentRuntime",
		ClientToken: fmt.Sprintf("token-%d", i), RequestHash: "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"}
	_, err := svc.CreateAgentRuntime(reqctx.With(context.Background(), info), &api.CreateAgentRuntimeRequest{
		AgentRuntimeName:     fmt.Sprintf("bench_%d", i),
		AgentRuntimeArtifact: &api.AgentRuntimeArtifact{ContainerConfiguration: &api.ContainerConfiguration{ContainerUri: seed.Image}},
		RoleArn:              seed.Role, NetworkConfiguration: &api.NetworkConfiguration{NetworkMode: api.NetworkModePublic},
		Description: "created by loadgen",
	})
	return err
}

// The server benchmarks run the whole HTTP handler (middleware, auth,
// dispatcher, service, SQLite) in-process, without a network or an SDK:
// the server's own cost per request. Profile them with -cpuprofile.

// quiet turns off the per-operation rate limit (1,000/s by default) and the
// access log, as scripts/bench.sh runs agentcored: the benchmarks measure
// the cost of answering, not the limiter or a log line per request.
func quiet(c *server.Config) {
	c.ThrottleRate = -1
	c.Logger = slog.New(slog.DiscardHandler)
}

func serverWith(b *testing.B, n int) (http.Handler, []*store.Resource) {
	b.Helper()
	srv := testserver.Start(b, quiet)
	ctx := context.Background()
	if err := seed.Runtimes(ctx, srv.Store, n, account, region); err != nil {
		b.Fatal(err)
	}
	var rows []*store.Resource
	err := srv.Store.Read(ctx, func(tx store.Tx) error {
		var err error
		rows, err = tx.List(ctx, store.ListQuery{Account: account, Region: region, Kind: "runtime"})
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return srv.Handler(), rows
}

func serve(b *testing.B, h http.Handler, method, target, body string, want int) *httptest.ResponseRecorder {
	var req *http.Request
	if body == "" {
		req = httptest.NewRequest(method, target, nil)
	} else {
		req = httptest.NewRequest(method, target, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", authorization)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != want {
		b.Fatalf("%s %s: status %d: %s", method, target, rec.Code, rec.Body)
	}
	return rec
}

func BenchmarkServerGetAgentRuntime(b *testing.B) {
	h, rows := serverWith(b, 10000)
	rng := rand.New(rand.NewPCG(1, 2))
	defer cpuPerOp(b)()
	for b.Loop() {
		serve(b, h, http.MethodGet, "/runtimes/"+rows[rng.IntN(len(rows))].ID+"/", "", http.StatusOK)
	}
}

// BenchmarkServerListAgentRuntimes pages through 10,000 runtimes, 100 at a
// time; one iteration is one page.
func BenchmarkServerListAgentRuntimes(b *testing.B) {
	h, _ := serverWith(b, 10000)
	next := ""
	defer cpuPerOp(b)()
	for b.Loop() {
		target := "/runtimes/?maxResults=100"
		if next != "" {
			target += "&nextToken=" + next
		}
		rec := serve(b, h, http.MethodPost, target, "", http.StatusOK)
		next = ""
		if i := strings.Index(rec.Body.String(), `"nextToken":"`); i >= 0 {
			rest := rec.Body.String()[i+len(`"nextToken":"`):]
			next = rest[:strings.IndexByte(rest, '"')]
		}
	}
}

// BenchmarkServerCreateAgentRuntime rotates over accounts (access keys)
// every 900 creates, to stay under the per-account quota.
func BenchmarkServerCreateAgentRuntime(b *testing.B) {
	var creds []auth.Credential
	for i := range 1000 {
		creds = append(creds, auth.Credential{AccessKeyID: fmt.Sprintf("AKIABENCH%011d", i), SecretAccessKey: "x", AccountID: fmt.Sprintf("%012d", 300000000000+i)})
	}
	srv := testserver.Start(b, quiet, func(c *server.Config) { c.Credentials = creds })
	h := srv.Handler()
	i := 0
	defer cpuPerOp(b)()
	for b.Loop() {
		i++
		body := strings.Replace(createBody, `"bench_agent"`, fmt.Sprintf(`"bench_%d"`, i), 1)
		body = strings.Replace(body, `"0b5a6f4e-8d1c-4b7e-9a43-2f0c5d8e7a61"`, fmt.Sprintf(`"0b5a6f4e-8d1c-4b7e-9a43-%012d"`, i), 1)
		req := httptest.NewRequest(http.MethodPut, "/runtimes/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", strings.Replace(authorization, "AKIAIOSFODNN7EXAMPLE", creds[(i/900)%len(creds)].AccessKeyID, 1))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusAccepted {
			b.Fatalf("create %d: status %d: %s", i, rec.Code, rec.Body)
		}
	}
}

// BenchmarkServerHTTPGetAgentRuntime is BenchmarkServerGetAgentRuntime
// through a real loopback listener and net/http client, 8 requests in
// flight: with -cpuprofile, focus on net/http.(*conn).serve to see the
// server's share, HTTP included.
func BenchmarkServerHTTPGetAgentRuntime(b *testing.B) {
	srv := testserver.Start(b, quiet)
	ctx := context.Background()
	if err := seed.Runtimes(ctx, srv.Store, 10000, account, region); err != nil {
		b.Fatal(err)
	}
	var rows []*store.Resource
	err := srv.Store.Read(ctx, func(tx store.Tx) error {
		var err error
		rows, err = tx.List(ctx, store.ListQuery{Account: account, Region: region, Kind: "runtime"})
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	b.SetParallelism(4) // 2 cores x 4 = 8 goroutines
	defer cpuPerOp(b)()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		rng := rand.New(rand.NewPCG(rand.Uint64(), 2))
		for pb.Next() {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/runtimes/"+rows[rng.IntN(len(rows))].ID+"/", nil)
			req.Header.Set("Authorization", authorization)
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
}
