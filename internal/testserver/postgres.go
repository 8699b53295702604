package testserver

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"agentcored/internal/store"
)

// Environment variables that choose the database of end-to-end tests.
const (
	// EnvStore = "postgres" runs every test server whose config names no
	// DatabaseURL on PostgreSQL instead of SQLite.
	EnvStore = "AGENTCORED_TEST_STORE"
	// EnvPostgresURL is the server to use; unset means the local test server.
	EnvPostgresURL = "AGENTCORED_POSTGRES_URL"
	// EnvRequirePostgres = "1" turns "PostgreSQL unreachable" from a skip
	// into a failure (CI sets it).
	EnvRequirePostgres = "AGENTCORED_REQUIRE_POSTGRES"
)

var defaultPostgresURLs = []string{
	"postgres://postgres@127.0.0.1:5432/test?sslmode=disable",
	"postgres://root@127.0.0.1:5432/test?sslmode=disable",
}

var (
	pgOnce sync.Once
	pgURL  string
	pgErr  error
)

// reachablePostgres finds a server that answers, once per test binary.
func reachablePostgres() (string, error) {
	pgOnce.Do(func() {
		urls := defaultPostgresURLs
		if u := os.Getenv(EnvPostgresURL); u != "" {
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
	return pgURL, pgErr
}

// PostgresURL returns the URL of a reachable PostgreSQL server. It skips t
// when there is none, or fails it when AGENTCORED_REQUIRE_POSTGRES=1.
func PostgresURL(t testing.TB) string {
	t.Helper()
	u, err := reachablePostgres()
	if u == "" {
		if os.Getenv(EnvRequirePostgres) == "1" {
			t.Fatalf("PostgreSQL required (%s=1) but not reachable: %v", EnvRequirePostgres, err)
		}
		t.Skipf("PostgreSQL not reachable, skipping (set %s, or %s=1 to fail): %v", EnvPostgresURL, EnvRequirePostgres, err)
	}
	return u
}

// NewSchema creates an empty schema with a fresh name and drops it, with
// everything in it, when t ends.
func NewSchema(t testing.TB, pgURL string) string {
	t.Helper()
	b := make([]byte, 8)
	rand.Read(b)
	schema := "e2e_" + hex.EncodeToString(b)
	createSchema(t, pgURL, schema)
	return schema
}

// SchemaURL returns pgURL with search_path set to schema: a server given
// that URL as its DatabaseURL keeps all its tables in the schema.
func SchemaURL(t testing.TB, pgURL, schema string) string {
	t.Helper()
	u, err := url.Parse(pgURL)
	if err != nil {
		t.Fatalf("parse %s: %v", pgURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// PostgresDatabaseURL is a DatabaseURL for a fresh schema of its own that
// several servers (or processes) of one test can share. It skips or fails
// t as PostgresURL does.
func PostgresDatabaseURL(t testing.TB) string {
	t.Helper()
	base := PostgresURL(t)
	return SchemaURL(t, base, NewSchema(t, base))
}

func createSchema(t testing.TB, pgURL, schema string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, pgURL)
	if err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{schema}.Sanitize()); err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	t.Cleanup(func() { dropSchema(t, pgURL, schema) })
}

func dropSchema(t testing.TB, pgURL, schema string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, pgURL)
	if err != nil {
		t.Errorf("drop schema %s: %v", schema, err)
		return
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`); err != nil {
		t.Errorf("drop schema %s: %v", schema, err)
	}
}

// useTestPostgres reports whether a server on dataDir runs on PostgreSQL
// because of AGENTCORED_TEST_STORE. A data dir that already holds a SQLite
// database (a test that opened one itself and now restarts on it) stays on
// SQLite.
func useTestPostgres(dataDir string) bool {
	if os.Getenv(EnvStore) != "postgres" {
		return false
	}
	_, err := os.Stat(filepath.Join(dataDir, store.SQLiteFile))
	return err != nil
}

// schemasCreated remembers the schemas made for data dirs, so that the drop
// is registered once, by the first server: it then runs after every later
// server on the same data dir has stopped.
var schemasCreated sync.Map

// openTestPostgres opens the PostgreSQL store that stands in for the SQLite
// store of dataDir: its schema is named after the data dir, so a server
// restarted on the same data dir finds the same data.
func openTestPostgres(t testing.TB, dataDir string) (store.Store, error) {
	t.Helper()
	base := PostgresURL(t)
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(abs))
	schema := "e2e_dir_" + hex.EncodeToString(sum[:12])
	if _, loaded := schemasCreated.LoadOrStore(schema, true); !loaded {
		createSchema(t, base, schema)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return store.OpenPostgresWithOptions(ctx, base, store.PostgresOptions{Schema: schema})
}
