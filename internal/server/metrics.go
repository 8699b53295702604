package server

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"agentcored/internal/lifecycle"
	"agentcored/internal/store"
)

// metrics are the Prometheus series served on GET /metrics. Each Server has
// its own registry, so several servers in one process (tests) never clash.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	storeOps *prometheus.HistogramVec
	storeErr *prometheus.CounterVec
}

// unknownOperation labels requests that never reached an operation (no
// route matched, authentication failed, body too large).
const unknownOperation = "unknown"

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agentcored_requests_total",
			Help: "AWS API requests answered, by operation and HTTP status code.",
		}, []string{"operation", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "agentcored_request_duration_seconds",
			Help:    "Time to answer an AWS API request, by operation.",
			Buckets: prometheus.DefBuckets,
		}, []string{"operation"}),
		storeOps: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "agentcored_store_duration_seconds",
			Help:    "Time of store calls (a whole transaction for read and write), by method.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"method"}),
		storeErr: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agentcored_store_unavailable_total",
			Help: "Store calls that failed because the database was unavailable, by method.",
		}, []string{"method"}),
	}
	m.registry.MustRegister(m.requests, m.latency, m.storeOps, m.storeErr,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// observeRequest counts one answered API request.
func (m *metrics) observeRequest(operation string, status int, d time.Duration) {
	if operation == "" {
		operation = unknownOperation
	}
	m.requests.WithLabelValues(operation, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(operation).Observe(d.Seconds())
}

// registerLifecycle exports the lifecycle engine's counters and the number
// of pending jobs, read from the store at scrape time (so it is right for
// every instance sharing a PostgreSQL store).
func (m *metrics) registerLifecycle(lc *lifecycle.Engine) {
	m.registry.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "agentcored_lifecycle_jobs_run_total",
			Help: "Lifecycle jobs (timed or manual transitions) this process completed.",
		}, func() float64 { run, _ := lc.Stats(); return float64(run) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "agentcored_lifecycle_jobs_failed_total",
			Help: "Lifecycle jobs whose reconciliation failed in this process (they are retried).",
		}, func() float64 { _, failed := lc.Stats(); return float64(failed) }),
		&pendingJobs{lc: lc, desc: prometheus.NewDesc("agentcored_lifecycle_jobs_pending",
			"Lifecycle jobs waiting in the store (timed and manual).", nil, nil)},
	)
}

// pendingJobs is a gauge computed at scrape time.
type pendingJobs struct {
	lc   *lifecycle.Engine
	desc *prometheus.Desc
}

func (p *pendingJobs) Describe(ch chan<- *prometheus.Desc) { ch <- p.desc }

func (p *pendingJobs) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	jobs, err := p.lc.PendingJobs(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(p.desc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(p.desc, prometheus.GaugeValue, float64(len(jobs)))
}

// handler serves the registry in the Prometheus text format. A series that
// cannot be collected (the store is down) is left out; the rest is served.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// instrumentedStore times every call of the Store it wraps. Methods it does
// not override (Close, and any added later) pass through untimed.
type instrumentedStore struct {
	store.Store
	m *metrics
}

func (s instrumentedStore) observe(method string, start time.Time, err error) {
	s.m.storeOps.WithLabelValues(method).Observe(time.Since(start).Seconds())
	// Errors of the callbacks (not found, conflicts) are answers, not store
	// trouble: only unavailability counts.
	if errors.Is(err, store.ErrUnavailable) {
		s.m.storeErr.WithLabelValues(method).Inc()
	}
}

func (s instrumentedStore) Read(ctx context.Context, fn func(store.Tx) error) error {
	start := time.Now()
	err := s.Store.Read(ctx, fn)
	s.observe("read", start, err)
	return err
}

func (s instrumentedStore) Write(ctx context.Context, fn func(store.Tx) error) error {
	start := time.Now()
	err := s.Store.Write(ctx, fn)
	s.observe("write", start, err)
	return err
}

func (s instrumentedStore) DueJobs(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]store.Job, error) {
	start := time.Now()
	jobs, err := s.Store.DueJobs(ctx, now, limit, lease)
	s.observe("due_jobs", start, err)
	return jobs, err
}

func (s instrumentedStore) NextDue(ctx context.Context) (time.Time, error) {
	start := time.Now()
	t, err := s.Store.NextDue(ctx)
	s.observe("next_due", start, err)
	return t, err
}

func (s instrumentedStore) GetMeta(ctx context.Context, key string) ([]byte, error) {
	start := time.Now()
	v, err := s.Store.GetMeta(ctx, key)
	s.observe("get_meta", start, err)
	return v, err
}

func (s instrumentedStore) PutMetaIfAbsent(ctx context.Context, key string, value []byte) ([]byte, error) {
	start := time.Now()
	v, err := s.Store.PutMetaIfAbsent(ctx, key, value)
	s.observe("put_meta", start, err)
	return v, err
}

func (s instrumentedStore) Reset(ctx context.Context, account string) error {
	start := time.Now()
	err := s.Store.Reset(ctx, account)
	s.observe("reset", start, err)
	return err
}

func (s instrumentedStore) Ping(ctx context.Context) error {
	start := time.Now()
	err := s.Store.Ping(ctx)
	s.observe("ping", start, err)
	return err
}
