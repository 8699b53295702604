package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

func TestParsePgDuration(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"0", 0, true},
		{"1500", 1500 * time.Millisecond, true},
		{"250ms", 250 * time.Millisecond, true},
		{"5s", 5 * time.Second, true},
		{" 2 min", 2 * time.Minute, true},
		{"1h", time.Hour, true},
		{"1d", 24 * time.Hour, true},
		{"", 0, false},
		{"-1", 0, false},
		{"1.5s", 0, false},
		{"soon", 0, false},
	} {
		got, err := parsePgDuration(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parsePgDuration(%q) = %v, %v; want %v, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

// The pool and timeout settings reach the pool and the server, from the URL
// or from the options, which win.
func TestPostgresSettings(t *testing.T) {
	base := os.Getenv("AGENTCORED_POSTGRES_URL")
	if base == "" {
		base = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	fromURL := base + sep + "pool_max_conns=3&statement_timeout=1500&connect_timeout=2"
	// A schema of its own, dropped at the end, keeps the tables out of public.
	schema := fmt.Sprintf("settings_%d", time.Now().UnixNano())
	p, err := OpenPostgresWithOptions(ctx, fromURL, PostgresOptions{Schema: schema})
	if err != nil {
		if errors.Is(err, ErrUnavailable) && os.Getenv("AGENTCORED_REQUIRE_POSTGRES") != "1" {
			t.Skipf("PostgreSQL not reachable: %v", err)
		}
		t.Fatal(err)
	}
	defer p.Close()
	defer func() {
		if _, err := p.pool.Exec(context.Background(), `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema: %v", err)
		}
	}()
	check := func(p *Postgres, conns int32, stmt string, attempt time.Duration) {
		t.Helper()
		if got := p.pool.Config().MaxConns; got != conns {
			t.Errorf("MaxConns = %d, want %d", got, conns)
		}
		var got string
		if err := p.pool.QueryRow(ctx, `SHOW statement_timeout`).Scan(&got); err != nil || got != stmt {
			t.Errorf("statement_timeout = %q, %v; want %q", got, err, stmt)
		}
		if p.attemptTimeout != attempt {
			t.Errorf("attempt timeout = %v, want %v", p.attemptTimeout, attempt)
		}
	}
	check(p, 3, "1500ms", 3500*time.Millisecond)

	q, err := OpenPostgresWithOptions(ctx, fromURL, PostgresOptions{Schema: schema, MaxConns: 5, StatementTimeout: 4 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	check(q, 5, "4s", 6*time.Second)

	off, err := OpenPostgresWithOptions(ctx, base+sep+"statement_timeout=0", PostgresOptions{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	defer off.Close()
	check(off, off.pool.Config().MaxConns, "0", 0)
}
