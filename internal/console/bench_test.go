package console

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"agentcored/bench/seed"
	"agentcored/internal/service"
	"agentcored/internal/store"
)

// BenchmarkRuntimesListPage renders the first page of the runtimes list
// with 100,000 runtimes stored (docs/CONSOLE.md reports the number): the
// page reads one keyset page of listing entries, never the whole family.
func BenchmarkRuntimesListPage(b *testing.B) {
	const n = 100_000
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if err := seed.Runtimes(ctx, st, n, "123456789012", "us-east-1"); err != nil {
		b.Fatal(err)
	}
	svc, err := service.New(ctx, st, service.Options{})
	if err != nil {
		b.Fatal(err)
	}
	h := New(Options{Service: svc, Account: "123456789012", Region: "us-east-1"})
	for _, path := range []string{"runtimes/", "runtimes/?status=READY&q=seed", ""} {
		rows := pageSize
		if path == "" {
			rows = 0 // the overview: counts of every family
		}
		b.Run("page="+path, func(b *testing.B) {
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, Prefix+path, nil))
				if rec.Code != http.StatusOK || strings.Count(rec.Body.String(), "<tr data-id=") != rows {
					b.Fatalf("status %d, %d rows", rec.Code, strings.Count(rec.Body.String(), "<tr data-id="))
				}
			}
		})
	}
}
