package store_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"agentcored/internal/store"
	"agentcored/internal/store/storetest"
)

// The PostgreSQL tests use AGENTCORED_POSTGRES_URL, or else the local test
// server. They skip when no server answers, unless
// AGENTCORED_REQUIRE_POSTGRES=1, when they fail instead.
var defaultPostgresURLs = []string{
	"postgres://postgres@127.0.0.1:5432/test?sslmode=disable",
	"postgres://root@127.0.0.1:5432/test?sslmode=disable",
}

var (
	pgOnce sync.Once
	pgURL  string
	pgErr  error
)

// postgresURL returns a URL that reaches a server, or skips (or fails) t.
func postgresURL(t *testing.T) string {
	t.Helper()
	pgOnce.Do(func() {
		urls := defaultPostgresURLs
		if u := os.Getenv("AGENTCORED_POSTGRES_URL"); u != "" {
			urls = []string{u}
		}
		for _, u := range urls {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			conn, err := pgx.Connect(ctx, u)
			cancel()
			if err == nil {
				conn.Close(context.Background())
				pgURL, pgErr = u, nil
				return
			}
			pgErr = errors.Join(pgErr, err)
		}
	})
	if pgURL == "" {
		if os.Getenv("AGENTCORED_REQUIRE_POSTGRES") == "1" {
			t.Fatalf("PostgreSQL required (AGENTCORED_REQUIRE_POSTGRES=1) but not reachable: %v", pgErr)
		}
		t.Skipf("PostgreSQL not reachable, skipping (set AGENTCORED_POSTGRES_URL, or AGENTCORED_REQUIRE_POSTGRES=1 to fail): %v", pgErr)
	}
	return pgURL
}

// tempSchema creates nothing yet (OpenPostgresWithOptions creates the
// schema) but drops the schema when t ends.
func tempSchema(t *testing.T, url string) string {
	t.Helper()
	b := make([]byte, 8)
	rand.Read(b)
	schema := "test_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return schema
}

func openPostgres(t *testing.T, url string, opts store.PostgresOptions) *store.Postgres {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	s, err := store.OpenPostgresWithOptions(ctx, url, opts)
	if err != nil {
		t.Fatalf("OpenPostgres: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestPostgresConformance(t *testing.T) {
	url := postgresURL(t)
	// One schema per test: a second open for the same test reuses it,
	// which is how the suite checks durability.
	var mu sync.Mutex
	schemas := map[*testing.T]string{}
	storetest.Run(t, func(t *testing.T) store.Store {
		mu.Lock()
		schema, ok := schemas[t]
		if !ok {
			schema = tempSchema(t, url)
			schemas[t] = schema
		}
		mu.Unlock()
		return openPostgres(t, url, store.PostgresOptions{Schema: schema, MaxConns: 8})
	})
}

// Servers starting at once must not trip over each other's migrations.
func TestPostgresConcurrentMigrations(t *testing.T) {
	url := postgresURL(t)
	schema := tempSchema(t, url)
	var wg sync.WaitGroup
	stores := make([]*store.Postgres, 4)
	errs := make([]error, len(stores))
	for i := range stores {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			stores[i], errs[i] = store.OpenPostgresWithOptions(ctx, url, store.PostgresOptions{Schema: schema, MaxConns: 2})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		defer stores[i].Close()
	}

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n, version int
	err = conn.QueryRow(ctx, `SELECT COUNT(*), MAX(version) FROM `+pgx.Identifier{schema, "schema_migrations"}.Sanitize()).Scan(&n, &version)
	if err != nil {
		t.Fatal(err)
	}
	if want := 6; n != want || version != want {
		t.Fatalf("schema_migrations: %d rows, max version %d; want %d and %d", n, version, want, want)
	}
}

func TestPostgresUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Port 1 on loopback: nothing listens, the connection is refused.
	s, err := store.OpenPostgres(ctx, "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=2")
	if err == nil {
		s.Close()
		t.Fatal("OpenPostgres succeeded against a closed port")
	}
	if !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("OpenPostgres error %v, want ErrUnavailable", err)
	}
}

// A statement that waits longer than the statement timeout (here: for a row
// lock held by another Write) fails with ErrUnavailable.
func TestPostgresStatementTimeout(t *testing.T) {
	url := postgresURL(t)
	s := openPostgres(t, url, store.PostgresOptions{
		Schema: tempSchema(t, url), StatementTimeout: 200 * time.Millisecond,
	})
	ctx := context.Background()
	k := store.Key{Account: "111111111111", Region: "us-east-1", Kind: "runtime", ID: "r-1"}
	err := s.Write(ctx, func(tx store.Tx) error {
		return tx.Insert(ctx, &store.Resource{Account: k.Account, Region: k.Region, Kind: k.Kind, ID: k.ID})
	})
	if err != nil {
		t.Fatal(err)
	}

	locked, release := make(chan struct{}), make(chan struct{})
	holder := make(chan error, 1)
	go func() {
		holder <- s.Write(ctx, func(tx store.Tx) error {
			r, err := tx.Get(ctx, k)
			if err != nil {
				return err
			}
			if err := tx.Update(ctx, r); err != nil {
				return err
			}
			close(locked)
			<-release
			return errors.New("roll back")
		})
	}()
	<-locked
	start := time.Now()
	err = s.Write(ctx, func(tx store.Tx) error {
		return tx.Delete(ctx, k)
	})
	close(release)
	<-holder
	if !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Write blocked on a lock: error %v, want ErrUnavailable", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("statement timeout took %v", d)
	}
}
