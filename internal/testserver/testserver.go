// Package testserver starts a real agentcored server on a loopback port for
// end-to-end tests, and builds real aws-sdk-go-v2 clients pointed at it.
package testserver

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcore"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"

	"agentcored/internal/auth"
	"agentcored/internal/server"
	"agentcored/internal/store"
)

// Server is a running test server.
type Server struct {
	URL    string
	Config server.Config
	Store  store.Store
	*server.Server
	cancel context.CancelFunc
	done   chan struct{}
}

// Options adjust the config before start; nil keeps the defaults (SQLite in
// a temp dir, immediate lifecycle, permissive auth).
type Options func(*server.Config)

// Start starts a server on 127.0.0.1:0 and stops it when the test ends.
func Start(t testing.TB, opts ...Options) *Server {
	t.Helper()
	cfg := server.DefaultConfig()
	cfg.DataDir = t.TempDir()
	for _, o := range opts {
		o(&cfg)
	}
	return StartWith(t, cfg, nil)
}

// StartWith starts a server with exactly cfg, on st when given (the caller
// then owns st), else on the store cfg names. With AGENTCORED_TEST_STORE=postgres
// a config without DatabaseURL runs on PostgreSQL, in a schema named after
// cfg.DataDir (see openTestPostgres).
func StartWith(t testing.TB, cfg server.Config, st store.Store) *Server {
	t.Helper()
	ctx := context.Background()
	ownStore := st == nil
	if ownStore {
		var err error
		if cfg.DatabaseURL == "" && useTestPostgres(cfg.DataDir) {
			// AGENTCORED_TEST_STORE=postgres: the same tests on PostgreSQL.
			st, err = openTestPostgres(t, cfg.DataDir)
		} else {
			st, err = server.OpenStore(ctx, cfg)
		}
		if err != nil {
			t.Fatalf("open store: %v", err)
		}
	}
	srv, err := server.New(ctx, cfg, st)
	if err != nil {
		t.Fatalf("new server: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	s := &Server{URL: "http://" + ln.Addr().String(), Config: cfg, Store: st, Server: srv, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		srv.Serve(runCtx, ln)
	}()
	t.Cleanup(func() {
		s.Stop()
		if ownStore {
			st.Close()
		}
	})
	return s
}

// Stop shuts the server down (idempotent); the store stays open.
func (s *Server) Stop() {
	select {
	case <-s.done:
		return
	default:
	}
	s.cancel()
	<-s.done
	s.Server.Close()
}

// Client returns an SDK client signed with the default development key.
func (s *Server) Client(t testing.TB) *bedrockagentcorecontrol.Client {
	return s.ClientAs(t, auth.DefaultAccessKeyID, auth.DefaultSecretAccessKey, "us-east-1")
}

// ClientAs returns an SDK client with the given credentials and region. It
// does not retry, so tests see each answer as the server gave it.
func (s *Server) ClientAs(t testing.TB, accessKey, secret, region string) *bedrockagentcorecontrol.Client {
	return bedrockagentcorecontrol.New(bedrockagentcorecontrol.Options{
		Region:       region,
		BaseEndpoint: aws.String(s.URL),
		Credentials:  credentials.NewStaticCredentialsProvider(accessKey, secret, ""),
		Retryer:      aws.NopRetryer{},
		HTTPClient:   &http.Client{Timeout: 30 * time.Second},
	})
}

// DataClient returns a data-plane (bedrock-agentcore) SDK client signed with
// the default development key, pointed at the same port. It does not retry.
// Its http.Client has no overall Timeout: answers stream (invocations, event
// streams) for as long as the agent or tool talks, and with a Timeout the
// SDK's event-stream reader can lose events to a closed connection; the
// test binary's -timeout bounds a hung call.
func (s *Server) DataClient(t testing.TB) *bedrockagentcore.Client {
	return bedrockagentcore.New(bedrockagentcore.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(s.URL),
		Credentials:  credentials.NewStaticCredentialsProvider(auth.DefaultAccessKeyID, auth.DefaultSecretAccessKey, ""),
		Retryer:      aws.NopRetryer{},
		HTTPClient:   &http.Client{},
	})
}

// RetryingClient returns a client with the SDK's standard retryer.
func (s *Server) RetryingClient(t testing.TB) *bedrockagentcorecontrol.Client {
	return bedrockagentcorecontrol.New(bedrockagentcorecontrol.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(s.URL),
		Credentials:  credentials.NewStaticCredentialsProvider(auth.DefaultAccessKeyID, auth.DefaultSecretAccessKey, ""),
		Retryer:      retry.NewStandard(),
	})
}
