package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	acc "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"
	"github.com/aws/smithy-go"

	"agentcored/bench/seed"
)

// The default account of agentcored (--account) and the documentation's
// example key pair, which agentcored always maps to it.
const (
	defaultAccount   = "123456789012"
	defaultAccessKey = "AKIAIOSFODNN7EXAMPLE"
	defaultSecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// Request fixtures, valid against the model's patterns.
const (
	image = seed.Image
	role  = seed.Role
)

// listPageSize is the maxResults of every listing.
const listPageSize = 100

type runtimeRef struct{ id, arn string }

type generator struct {
	cfg        config
	http       *http.Client
	client     *acc.Client   // the default account
	extra      []*acc.Client // -accounts K: where creates go
	pool       []runtimeRef  // existing runtimes of the default account
	issued     atomic.Int64  // operations started (for -count)
	creates    atomic.Int64
	acks       *ackLog // -ack-file: acknowledged creates
	runID      string  // keeps names unique across runs on one server
	deadline   time.Time
	hasTimeout bool
}

func newGenerator(cfg config) *generator {
	tr := &http.Transport{
		MaxIdleConns:        4 * cfg.concurrency,
		MaxIdleConnsPerHost: 4 * cfg.concurrency,
		IdleConnTimeout:     30 * time.Second,
		DisableCompression:  true,
	}
	g := &generator{cfg: cfg, http: &http.Client{Transport: tr, Timeout: 60 * time.Second}, runID: randomName(6)}
	g.client = g.newClient(defaultAccessKey, defaultSecretKey)
	for i := 1; i <= cfg.accounts; i++ {
		key, secret, _ := extraAccount(i)
		g.extra = append(g.extra, g.newClient(key, secret))
	}
	return g
}

// extraAccount is the i-th (1-based) account of -accounts / -print-credentials.
func extraAccount(i int) (accessKey, secret, account string) {
	return fmt.Sprintf("AKIALOADGEN%09d", i), "loadgen-secret", fmt.Sprintf("%012d", 200000000000+i)
}

// newClient builds an SDK client that does not retry: every answer is
// counted as the server gave it.
func (g *generator) newClient(key, secret string) *acc.Client {
	return acc.New(acc.Options{
		Region:       g.cfg.region,
		BaseEndpoint: aws.String(g.cfg.endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(key, secret, ""),
		Retryer:      aws.NopRetryer{},
		HTTPClient:   g.http,
	})
}

func randomName(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// worker is one client loop; its numbers are merged at the end.
type worker struct {
	g     *generator
	rng   *mrand.Rand
	lat   []time.Duration
	items int64
	errs  map[string]int64
	// listing cursor (list-runtimes, mixed)
	next *string
	// tag-cycle state
	tagStep int
	tagARN  string
}

func (g *generator) needsPool() bool {
	switch g.cfg.workload {
	case "get-runtime", "update-runtime", "tag-cycle", "mixed":
		return true
	}
	return false
}

func (g *generator) run(ctx context.Context) (*Result, error) {
	w0 := &worker{g: g}
	if _, err := w0.opFunc(); err != nil {
		return nil, err
	}
	if g.cfg.seed > 0 {
		if err := g.seedAPI(ctx, g.cfg.seed); err != nil {
			return nil, err
		}
	}
	if g.needsPool() {
		if err := g.loadPool(ctx); err != nil {
			return nil, err
		}
	}
	before, procErr := readProc(g.cfg.pid)
	clientBefore := selfCPU()

	start := time.Now()
	if g.cfg.duration > 0 {
		g.hasTimeout = true
		g.deadline = start.Add(g.cfg.duration)
	}
	workers := make([]*worker, g.cfg.concurrency)
	var wg sync.WaitGroup
	for i := range workers {
		w := &worker{g: g, rng: mrand.New(mrand.NewPCG(uint64(g.cfg.randSeed), uint64(i))), errs: map[string]int64{}}
		workers[i] = w
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.loop(ctx)
		}()
	}
	wg.Wait()
	wall := time.Since(start)
	after, _ := readProc(g.cfg.pid)
	clientCPU := selfCPU() - clientBefore

	res := &Result{Server: g.cfg.server, Workload: g.cfg.workload, Label: g.cfg.label, Concurrency: g.cfg.concurrency,
		Seconds: wall.Seconds(), Pool: len(g.pool), Errors: map[string]int64{}}
	var all []time.Duration
	for _, w := range workers {
		all = append(all, w.lat...)
		res.Items += w.items
		for k, v := range w.errs {
			res.Errors[k] += v
		}
	}
	res.Ops = int64(len(all))
	res.OpsPerSec = float64(res.Ops) / wall.Seconds()
	res.ItemsPerSec = float64(res.Items) / wall.Seconds()
	res.setLatencies(all)
	if res.Ops > 0 {
		res.ClientCPUMsPerOp = 1000 * clientCPU.Seconds() / float64(res.Ops)
	}
	if g.cfg.pid > 0 {
		if procErr != nil {
			return nil, procErr
		}
		res.CPUSeconds = after.cpuSeconds - before.cpuSeconds
		if res.Ops > 0 {
			res.CPUMsPerOp = 1000 * res.CPUSeconds / float64(res.Ops)
		}
		res.RSSMiB = after.rssMiB
		res.HWMMiB = after.hwmMiB
	}
	return res, nil
}

func (w *worker) loop(ctx context.Context) {
	g := w.g
	op, _ := w.opFunc()
	for {
		if g.hasTimeout && !time.Now().Before(g.deadline) {
			return
		}
		if g.cfg.count > 0 && g.issued.Add(1) > g.cfg.count {
			return
		}
		t0 := time.Now()
		n, err := op(ctx)
		w.lat = append(w.lat, time.Since(t0))
		w.items += int64(n)
		if err != nil {
			w.errs[errorCode(err)]++
		}
	}
}

// opFunc returns the operation of the workload; each call is one request.
func (w *worker) opFunc() (func(context.Context) (int, error), error) {
	switch w.g.cfg.workload {
	case "create-runtime":
		return w.create, nil
	case "get-runtime":
		return w.get, nil
	case "update-runtime":
		return w.update, nil
	case "list-runtimes":
		return w.listPage, nil
	case "tag-cycle":
		return w.tagStepOp, nil
	case "mixed":
		return w.mixed, nil
	}
	return nil, fmt.Errorf("unknown -workload %q", w.g.cfg.workload)
}

func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timeout"
	}
	return "transport"
}

func (w *worker) pick() runtimeRef { return w.g.pool[w.rng.IntN(len(w.g.pool))] }

func artifact() types.AgentRuntimeArtifact {
	return &types.AgentRuntimeArtifactMemberContainerConfiguration{Value: types.ContainerConfiguration{ContainerUri: aws.String(image)}}
}

func public() *types.NetworkConfiguration {
	return &types.NetworkConfiguration{NetworkMode: types.NetworkModePublic}
}

// create makes a runtime; with -accounts K the creates go round-robin to the
// extra accounts, so that none reaches the runtime quota (1,000 per account)
// before K x 1,000 creates, over all runs against one server.
func (w *worker) create(ctx context.Context) (int, error) {
	g := w.g
	n := g.creates.Add(1)
	c, account := g.client, 0
	if len(g.extra) > 0 {
		account = 1 + int(n-1)%len(g.extra)
		c = g.extra[account-1]
	}
	out, err := c.CreateAgentRuntime(ctx, &acc.CreateAgentRuntimeInput{
		AgentRuntimeName:     aws.String(fmt.Sprintf("lg%s_%d", g.runID, n)),
		AgentRuntimeArtifact: artifact(), RoleArn: aws.String(role), NetworkConfiguration: public(),
		Description: aws.String("created by loadgen"),
	})
	if err == nil && g.acks != nil {
		g.acks.add(account, aws.ToString(out.AgentRuntimeId))
	}
	return 1, err
}

func (w *worker) get(ctx context.Context) (int, error) {
	_, err := w.g.client.GetAgentRuntime(ctx, &acc.GetAgentRuntimeInput{AgentRuntimeId: aws.String(w.pick().id)})
	return 1, err
}

func (w *worker) update(ctx context.Context) (int, error) {
	_, err := w.g.client.UpdateAgentRuntime(ctx, &acc.UpdateAgentRuntimeInput{
		AgentRuntimeId: aws.String(w.pick().id), AgentRuntimeArtifact: artifact(), RoleArn: aws.String(role),
		NetworkConfiguration: public(), Description: aws.String(fmt.Sprintf("updated by loadgen %d", w.rng.IntN(1000))),
	})
	return 1, err
}

// listPage fetches the next page of this worker's listing; the listing
// starts over after its last page. It returns the number of runtimes.
func (w *worker) listPage(ctx context.Context) (int, error) {
	out, err := w.g.client.ListAgentRuntimes(ctx, &acc.ListAgentRuntimesInput{MaxResults: aws.Int32(listPageSize), NextToken: w.next})
	if err != nil {
		w.next = nil
		return 0, err
	}
	w.next = out.NextToken
	return len(out.AgentRuntimes), nil
}

// tagStepOp is one step of tag, list tags, untag on a random runtime.
func (w *worker) tagStepOp(ctx context.Context) (int, error) {
	c := w.g.client
	var err error
	switch w.tagStep {
	case 0:
		w.tagARN = w.pick().arn
		_, err = c.TagResource(ctx, &acc.TagResourceInput{ResourceArn: aws.String(w.tagARN), Tags: map[string]string{"loadgen": "v1", "team": "bench"}})
	case 1:
		_, err = c.ListTagsForResource(ctx, &acc.ListTagsForResourceInput{ResourceArn: aws.String(w.tagARN)})
	case 2:
		_, err = c.UntagResource(ctx, &acc.UntagResourceInput{ResourceArn: aws.String(w.tagARN), TagKeys: []string{"loadgen", "team"}})
	}
	w.tagStep = (w.tagStep + 1) % 3
	return 1, err
}

// mixed: 60% get, 10% list page, 10% update, 10% tag step, 10% create.
func (w *worker) mixed(ctx context.Context) (int, error) {
	switch r := w.rng.IntN(100); {
	case r < 60:
		return w.get(ctx)
	case r < 70:
		_, err := w.listPage(ctx)
		return 1, err
	case r < 80:
		return w.update(ctx)
	case r < 90:
		return w.tagStepOp(ctx)
	default:
		return w.create(ctx)
	}
}

// seedAPI creates n runtimes in the default account through the API.
func (g *generator) seedAPI(ctx context.Context, n int) error {
	start := time.Now()
	var next atomic.Int64
	var firstErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range g.cfg.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(n) {
					return
				}
				_, err := g.client.CreateAgentRuntime(ctx, &acc.CreateAgentRuntimeInput{
					AgentRuntimeName:     aws.String(fmt.Sprintf("seed%s_%d", g.runID, i)),
					AgentRuntimeArtifact: artifact(), RoleArn: aws.String(role), NetworkConfiguration: public(),
					Description: aws.String("seeded by loadgen"),
				})
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("seed runtime %d: %w", i, err)
					}
					mu.Unlock()
					next.Store(int64(n)) // stop everyone
					return
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	fmt.Fprintf(logOut, "seeded %d runtimes through the API in %.1fs\n", n, time.Since(start).Seconds())
	return nil
}

// loadPool lists every runtime of the default account (untimed setup).
func (g *generator) loadPool(ctx context.Context) error {
	p := acc.NewListAgentRuntimesPaginator(g.client, &acc.ListAgentRuntimesInput{MaxResults: aws.Int32(listPageSize)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list runtimes for the pool: %w", err)
		}
		for _, r := range out.AgentRuntimes {
			g.pool = append(g.pool, runtimeRef{id: aws.ToString(r.AgentRuntimeId), arn: aws.ToString(r.AgentRuntimeArn)})
		}
	}
	if len(g.pool) == 0 {
		return errors.New("the server has no runtimes to work on: use -seed N")
	}
	return nil
}

// waitReady polls until one request is served, and reports the time since
// -since-ns (the moment the server process was started).
func (g *generator) waitReady(ctx context.Context) error {
	since := time.Now()
	if g.cfg.sinceNanos > 0 {
		since = time.Unix(0, g.cfg.sinceNanos)
	}
	limit := time.Now().Add(30 * time.Second)
	for {
		cctx, cancel := context.WithTimeout(ctx, time.Second)
		_, err := g.client.ListAgentRuntimes(cctx, &acc.ListAgentRuntimesInput{MaxResults: aws.Int32(1)})
		cancel()
		if err == nil {
			break
		}
		if time.Now().After(limit) {
			return fmt.Errorf("server not ready after 30s: %w", err)
		}
		time.Sleep(2 * time.Millisecond)
	}
	res := &Result{Server: g.cfg.server, Workload: "startup", Label: g.cfg.label, Concurrency: 1, Ops: 1,
		StartupMs: float64(time.Since(since).Microseconds()) / 1000}
	if p, err := readProc(g.cfg.pid); err == nil && g.cfg.pid > 0 {
		res.RSSMiB, res.HWMMiB = p.rssMiB, p.hwmMiB
	}
	res.print(logOut)
	if g.cfg.jsonOut != "" {
		return appendJSON(g.cfg.jsonOut, res)
	}
	return nil
}

// Result is one run's numbers, also written as a JSON line.
type Result struct {
	Server      string           `json:"server"`
	Workload    string           `json:"workload"`
	Label       string           `json:"label,omitempty"`
	Concurrency int              `json:"concurrency"`
	Pool        int              `json:"pool,omitempty"`
	Ops         int64            `json:"ops"`
	Items       int64            `json:"items,omitempty"`
	Errors      map[string]int64 `json:"errors,omitempty"`
	Seconds     float64          `json:"seconds"`
	OpsPerSec   float64          `json:"opsPerSec"`
	ItemsPerSec float64          `json:"itemsPerSec,omitempty"`
	MeanMs      float64          `json:"meanMs"`
	P50Ms       float64          `json:"p50Ms"`
	P90Ms       float64          `json:"p90Ms"`
	P99Ms       float64          `json:"p99Ms"`
	CPUSeconds  float64          `json:"cpuSeconds,omitempty"`
	CPUMsPerOp  float64          `json:"cpuMsPerOp,omitempty"`
	// ClientCPUMsPerOp is loadgen's own CPU (the SDK's signing, encoding
	// and decoding), which shares the machine with the server.
	ClientCPUMsPerOp float64 `json:"clientCpuMsPerOp,omitempty"`
	RSSMiB           float64 `json:"rssMiB,omitempty"`
	HWMMiB           float64 `json:"hwmMiB,omitempty"`
	StartupMs        float64 `json:"startupMs,omitempty"`
}

func (r *Result) setLatencies(all []time.Duration) {
	if len(all) == 0 {
		return
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	var sum time.Duration
	for _, d := range all {
		sum += d
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	at := func(q float64) time.Duration { return all[min(len(all)-1, int(q*float64(len(all))))] }
	r.MeanMs = ms(sum / time.Duration(len(all)))
	r.P50Ms, r.P90Ms, r.P99Ms = ms(at(0.50)), ms(at(0.90)), ms(at(0.99))
}

// Throughput is what the tables compare: runtimes listed per second for
// list-runtimes (servers page differently), operations per second otherwise.
func (r *Result) Throughput() float64 {
	if r.Workload == "list-runtimes" {
		return r.ItemsPerSec
	}
	return r.OpsPerSec
}
