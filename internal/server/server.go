// Package server assembles the binary's HTTP surface: the middleware chain
// (request id, panic recovery, access log, body limit, authentication), the
// AWS API dispatchers (the control plane and the data plane, routed by method
// and path), health checks and the admin API, on one listener.
package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"agentcored/internal/auth"
	"agentcored/internal/awserr"
	"agentcored/internal/console"
	"agentcored/internal/dataplane"
	"agentcored/internal/lifecycle"
	"agentcored/internal/model"
	"agentcored/internal/protocol"
	"agentcored/internal/reqctx"
	"agentcored/internal/secrets"
	"agentcored/internal/service"
	"agentcored/internal/store"
	"agentcored/internal/throttle"
)

// Config is everything the server can be told.
type Config struct {
	Listen         string
	DataDir        string
	DatabaseURL    string
	Region         string
	Account        string
	Lifecycle      string
	LifecycleDelay time.Duration
	Auth           string
	Credentials    []auth.Credential
	MaxBodyBytes   int64
	Quotas         service.Quotas
	// SecretsKeyFile holds the key that encrypts credential-provider secrets;
	// "" means <DataDir>/secrets.key (see internal/secrets for the order).
	SecretsKeyFile string
	// ThrottleRate is requests per second per operation per account; 0
	// means throttle.DefaultRate, < 0 disables throttling. ThrottleBurst 0
	// means the default burst for the rate.
	ThrottleRate  float64
	ThrottleBurst int
	// Agents bind runtime artifacts to agents (the config file's agents:
	// section; PUT /_agentcored/agents replaces them at run time).
	Agents []dataplane.AgentBinding
	// AgentSessionTimeScale multiplies runtime sessions' idle timeout and
	// maximum lifetime; 0 means 1 (tests use 0.01: "60 s" in 0.6 s).
	AgentSessionTimeScale float64
	// CodeInterpreterLimits bound code interpreter calls (CPU, memory,
	// output, wall clock); zero values take the defaults.
	CodeInterpreterLimits dataplane.CodeInterpreterLimits
	// CORSOrigins are the origins whose browser pages may call the API
	// (cors.go); none (the default) sends no CORS headers. "*" allows any.
	CORSOrigins []string
	// Logger receives the access log (one line per API request); nil means
	// slog.Default().
	Logger *slog.Logger
}

// Defaults for a Config.
func DefaultConfig() Config {
	return Config{
		Listen:         "127.0.0.1:4566",
		DataDir:        "./agentcored-data",
		Region:         "us-east-1",
		Account:        "123456789012",
		Lifecycle:      string(lifecycle.PolicyImmediate),
		LifecycleDelay: 2 * time.Second,
		Auth:           auth.Permissive,
		MaxBodyBytes:   protocol.DefaultMaxBody,
		Quotas:         service.DefaultQuotas,
	}
}

// Server is one running instance.
type Server struct {
	cfg     Config
	store   store.Store
	svc     *service.Service
	data    *dataplane.Service
	auth    *auth.Authenticator
	handler http.Handler
	metrics *metrics
	log     *slog.Logger
	cancel  context.CancelFunc
	done    chan struct{}
}

// OpenStore opens the store the config names.
func OpenStore(ctx context.Context, cfg Config) (store.Store, error) {
	if cfg.DatabaseURL != "" {
		return store.OpenPostgres(ctx, cfg.DatabaseURL)
	}
	return store.OpenSQLite(ctx, filepath.Clean(cfg.DataDir))
}

// New builds a server on an open store and starts its lifecycle engine.
func New(ctx context.Context, cfg Config, st store.Store) (*Server, error) {
	policy, err := lifecycle.ParsePolicy(cfg.Lifecycle)
	if err != nil {
		return nil, err
	}
	if cfg.Auth != auth.Permissive && cfg.Auth != auth.Strict {
		return nil, fmt.Errorf("unknown auth mode %q (want permissive or strict)", cfg.Auth)
	}
	// Everything above the store goes through the timing decorator.
	m := newMetrics()
	if hr, ok := st.(store.HealthReporter); ok {
		m.registerHealth(hr)
	}
	st = instrumentedStore{Store: st, m: m}
	// The console's watcher sees every committed write (live updates).
	watcher := console.NewWatcher()
	st = console.Watch(st, watcher)
	lc := lifecycle.New(st, policy, cfg.LifecycleDelay)
	secretsSrc := secrets.Source{KeyFile: cfg.SecretsKeyFile, Meta: st}
	if cfg.DatabaseURL == "" {
		secretsSrc.DataDir = filepath.Clean(cfg.DataDir)
	}
	box, keyOrigin, err := secrets.Load(ctx, secretsSrc)
	if err != nil {
		return nil, err
	}
	slog.Debug("secrets key loaded", "from", keyOrigin)
	svcOpts := service.Options{Quotas: cfg.Quotas, Lifecycle: lc, Secrets: box}
	if cfg.DatabaseURL == "" {
		// The S3 stand-in of self-managed memory strategies.
		svcOpts.DeliveryDir = filepath.Join(filepath.Clean(cfg.DataDir), "memory-deliveries")
	}
	svc, err := service.New(ctx, st, svcOpts)
	if err != nil {
		return nil, err
	}
	data, err := dataplane.New(svc, dataplane.Options{Agents: cfg.Agents, SessionTimeScale: cfg.AgentSessionTimeScale,
		CodeInterpreterLimits: cfg.CodeInterpreterLimits})
	if err != nil {
		return nil, fmt.Errorf("agents: %w", err)
	}
	s := &Server{cfg: cfg, store: st, svc: svc, data: data, auth: auth.New(cfg.Auth, cfg.Account, cfg.Region, cfg.Credentials),
		metrics: m, log: cfg.Logger, done: make(chan struct{})}
	if s.log == nil {
		s.log = slog.Default()
	}
	m.registerLifecycle(lc)
	// Both planes on one port, told apart by method and path only (same
	// signing name, same Host). The data plane reads runtimes through the
	// control plane; its operations not built yet answer
	// NotImplementedException.
	planes := protocol.Planes{
		protocol.New(protocol.ControlPlane(svc)),
		protocol.New(protocol.DataPlane(data)),
	}
	s.auth.ResourcePolicy = svc.ResourcePolicyDocument
	limiter := throttle.New(cfg.ThrottleRate, cfg.ThrottleBurst)
	gate := func(ctx context.Context, op *model.Operation, labels map[string]string) error {
		if err := limiter.Check(reqctx.From(ctx).Account, op.Name); err != nil {
			return err
		}
		if err := s.auth.Authorize(ctx, op.Name, labels); err != nil {
			return err
		}
		return svc.Faults().Gate(ctx, op)
	}
	for _, d := range planes {
		if cfg.MaxBodyBytes > 0 {
			d.MaxBody = cfg.MaxBodyBytes
		}
		d.Gate = gate
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", m.handler())
	mux.Handle("/_agentcored/", s.adminOnly(s.adminHandler()))
	// The console applies the admin access rule itself: a browser signs in
	// with a key once instead of signing each request (console/access.go).
	con := console.New(console.Options{Service: svc, Data: data, Watcher: watcher, Strict: cfg.Auth == auth.Strict,
		Account: cfg.Account, Region: cfg.Region, Lookup: s.auth.Lookup, Reset: st.Reset, Admin: s.adminHandler()})
	mux.Handle(console.Prefix, con)
	mux.Handle("/_agentcored/console", con)
	mux.Handle("POST /moto-api/reset", s.adminOnly(http.HandlerFunc(s.motoReset)))
	mux.Handle(oauth2CallbackRoute, s.oauth2Callback(data))
	mux.Handle(browserStreamRoute, s.browserStream(data))
	mux.Handle(runtimeWSRoute, s.runtimeWebSocket(data))
	mux.Handle("/", withBaseURL(s.api(planes)))
	noRedirects(mux, "/_agentcored")
	// CORS outside the edge, so that its refusals reach a browser page too.
	s.handler = requestID(recoverPanics(withCORS(cfg.CORSOrigins, edge(mux))))

	runCtx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go func() {
		defer close(s.done)
		lc.Run(runCtx)
	}()
	return s, nil
}

// Handler is the server's whole HTTP surface.
func (s *Server) Handler() http.Handler { return s.handler }

// Service is the business layer (tests and the admin API use it).
func (s *Server) Service() *service.Service { return s.svc }

// Close stops the lifecycle engine and every agent process the data
// plane started. The store is the caller's to close.
func (s *Server) Close() {
	s.cancel()
	<-s.done
	s.data.Close()
}

// Serve answers on ln until ctx ends, then shuts down gracefully: in-flight
// requests finish (up to 10 s).
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := hs.Shutdown(shutdownCtx)
	if e := <-errc; !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	return err
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		// A full disk leaves reads working: degraded, not down.
		state := "store unavailable: "
		switch {
		case errors.Is(err, store.ErrDiskFull):
			state = "degraded: writes failing: "
		case errors.Is(err, store.ErrCorrupt):
			state = "not ready: database corrupt: "
		}
		http.Error(w, state+err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.Write([]byte("ready\n"))
}

// api authenticates a request and hands it to the planes' dispatchers, then
// counts and logs it. The dispatcher has put the operation name in the
// request info by then (empty when no route matched).
func (s *Server) api(d protocol.Planes) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := reqctx.From(r.Context())
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		s.serveAPI(d, rec, r, info)
		elapsed := time.Since(start)
		s.metrics.observeRequest(info.Operation, rec.status, elapsed)
		accessLog(s.log, r, info, rec, elapsed)
	})
}

func (s *Server) serveAPI(d protocol.Planes, w http.ResponseWriter, r *http.Request, info *reqctx.Info) {
	maxBody := d[0].MaxBody // the same for every plane
	// A declared oversized body is refused before reading any of it.
	if r.ContentLength > maxBody {
		protocol.WriteError(w, nil, awserr.Errorf(awserr.CodeTooLarge, "Request body exceeds %d bytes.", maxBody))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		protocol.WriteError(w, nil, awserr.Errorf(awserr.CodeTooLarge, "Request body exceeds %d bytes.", maxBody))
		return
	}
	if call, ok := auth.Bearer(r, s.cfg.Account, s.cfg.Region); ok {
		// An OAuth call to a runtime: its handler verifies the token
		// against the runtime's customJWTAuthorizer (dataplane jwt.go).
		info.Bearer, info.BearerToken, info.Account, info.Region = true, call.Token, call.Account, call.Region
		r.Body = io.NopCloser(bytes.NewReader(body))
		d.ServeHTTP(w, r)
		return
	}
	id, err := s.auth.Authenticate(r, body)
	if err != nil {
		protocol.WriteError(w, nil, err)
		return
	}
	info.AccessKey, info.Account, info.Region = id.AccessKeyID, id.Account, id.Region
	if info.Region == "" {
		info.Region = s.cfg.Region
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	d.ServeHTTP(w, r)
}

// requestID gives every request an id, echoed in x-amzn-RequestId.
func requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b [16]byte
		rand.Read(b[:])
		h := hex.EncodeToString(b[:])
		id := h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
		w.Header().Set("x-amzn-RequestId", id)
		next.ServeHTTP(w, r.WithContext(reqctx.With(r.Context(), &reqctx.Info{RequestID: id})))
	})
}

// recoverPanics turns a panic into a 500 InternalServerException.
func recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				slog.Error("panic", "path", r.URL.Path, "panic", v)
				protocol.WriteError(w, nil, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func (s *Server) motoReset(w http.ResponseWriter, r *http.Request) {
	if err := s.store.Reset(r.Context(), ""); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"status": "ok"}`))
}
