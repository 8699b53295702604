package store_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"agentcored/internal/store"
	"agentcored/internal/store/storetest"
)

func TestSQLiteConformance(t *testing.T) {
	// One directory per test: a second open for the same test reopens it,
	// which is how the suite checks durability.
	var mu sync.Mutex
	dirs := map[*testing.T]string{}
	storetest.Run(t, func(t *testing.T) store.Store {
		mu.Lock()
		dir, ok := dirs[t]
		if !ok {
			dir = t.TempDir()
			dirs[t] = dir
		}
		mu.Unlock()
		s, err := store.OpenSQLite(context.Background(), dir)
		if err != nil {
			t.Fatalf("OpenSQLite: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestSQLiteOpenCreatesPrivateDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	s, err := store.OpenSQLite(context.Background(), dir)
	if err != nil {
		t.Fatalf("OpenSQLite: %v", err)
	}
	defer s.Close()
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o700 {
		t.Fatalf("dir mode %o, want 700", perm)
	}
	if _, err := os.Stat(filepath.Join(dir, store.SQLiteFile)); err != nil {
		t.Fatalf("database file: %v", err)
	}
}

func TestSQLiteMigrationsIdempotent(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	for range 3 {
		s, err := store.OpenSQLite(ctx, dir)
		if err != nil {
			t.Fatalf("OpenSQLite: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, store.SQLiteFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n, version int
	if err := db.QueryRow(`SELECT COUNT(*), MAX(version) FROM schema_migrations`).Scan(&n, &version); err != nil {
		t.Fatal(err)
	}
	if n != 5 || version != 5 {
		t.Fatalf("schema_migrations: %d rows, max version %d; want 5 and 5", n, version)
	}
	var mode string
	if err := db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Fatalf("journal_mode %q, want wal", mode)
	}

	// A database from a newer binary is refused rather than misread.
	if _, err := db.Exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)`); err != nil {
		t.Fatal(err)
	}
	if s, err := store.OpenSQLite(ctx, dir); err == nil {
		s.Close()
		t.Fatal("OpenSQLite accepted a newer schema version")
	}
}

// crashChildEnv tells the test binary it runs as the child of
// TestSQLiteCrashDurability, writing into the directory it names.
const crashChildEnv = "AGENTCORED_STORE_CRASH_CHILD_DIR"

// TestSQLiteCrashDurability kills a writer process with SIGKILL and checks
// that every insert it reported as committed survived.
// TestSQLiteUpgradeFromVersion1: a database written before the summary
// column existed opens, gains the column, keeps its rows, and lists each
// one's document in place of the summary it never had.
func TestSQLiteUpgradeFromVersion1(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := store.OpenSQLite(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	// Take the database back to schema version 1, holding one row.
	db, err := sql.Open("sqlite", filepath.Join(dir, store.SQLiteFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`ALTER TABLE resources DROP COLUMN summary`,
		`DROP TABLE text_fts`,
		`DROP TABLE text_entries`,
		`DROP TABLE text_scopes`,
		`DROP INDEX resources_status`, // migration 5 (IF NOT EXISTS: either way)
		`DELETE FROM schema_migrations WHERE version > 1`,
		`INSERT INTO resources (account, region, kind, id, parent_id, name, arn, status, revision, seq, created_at, updated_at, doc)
			VALUES ('a', 'r', 'runtime', 'old', '', 'old', 'arn:old', 'READY', 1, 1, 1, 1, CAST('{"doc":1}' AS BLOB))`,
	} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	db.Close()

	s, err = store.OpenSQLite(ctx, dir)
	if err != nil {
		t.Fatalf("open a version 1 database: %v", err)
	}
	defer s.Close()
	err = s.Read(ctx, func(tx store.Tx) error {
		rows, err := tx.List(ctx, store.ListQuery{Account: "a", Region: "r", Kind: "runtime", SummaryOnly: true})
		if err != nil {
			return err
		}
		if len(rows) != 1 || string(rows[0].Summary) != `{"doc":1}` {
			t.Fatalf("after upgrade: %+v", rows)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSQLiteCrashDurability(t *testing.T) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		crashChild(dir)
		return
	}

	const wantAcks = 300
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSQLiteCrashDurability$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Never leave the child behind, whatever happens below.
	timer := time.AfterFunc(30*time.Second, func() { cmd.Process.Kill() })
	defer timer.Stop()

	var acked []string
	killed := false
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		id, ok := strings.CutPrefix(sc.Text(), "ack ")
		if !ok {
			continue
		}
		acked = append(acked, id)
		if len(acked) == wantAcks && !killed {
			// SIGKILL: no deferred Close, no final checkpoint.
			if err := cmd.Process.Kill(); err != nil {
				t.Fatalf("kill child: %v", err)
			}
			killed = true
		}
		// Keep reading: lines already in the pipe were acknowledged too.
	}
	waitErr := cmd.Wait()
	if !killed {
		t.Fatalf("child ended after %d acks without being killed: %v\n%s", len(acked), waitErr, stderr.String())
	}

	s, err := store.OpenSQLite(context.Background(), dir)
	if err != nil {
		t.Fatalf("reopen after crash: %v", err)
	}
	defer s.Close()
	ctx := context.Background()
	err = s.Read(ctx, func(tx store.Tx) error {
		for _, id := range acked {
			r, err := tx.Get(ctx, crashKey(id))
			if err != nil {
				return fmt.Errorf("acknowledged %s lost: %w", id, err)
			}
			if string(r.Doc) != crashDoc(id) {
				return fmt.Errorf("acknowledged %s has doc %q", id, r.Doc)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d acknowledged inserts survived SIGKILL", len(acked))
}

func crashKey(id string) store.Key {
	return store.Key{Account: "111111111111", Region: "us-east-1", Kind: "runtime", ID: id}
}

func crashDoc(id string) string { return `{"id":"` + id + `"}` }

// crashChild inserts until it is killed, printing each ID once its Write
// has returned nil.
func crashChild(dir string) {
	ctx := context.Background()
	s, err := store.OpenSQLite(ctx, dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child open:", err)
		os.Exit(2)
	}
	// A bound in case the parent died without killing us.
	deadline := time.Now().Add(60 * time.Second)
	for i := 0; time.Now().Before(deadline); i++ {
		id := fmt.Sprintf("r-%06d", i)
		k := crashKey(id)
		err := s.Write(ctx, func(tx store.Tx) error {
			return tx.Insert(ctx, &store.Resource{
				Account: k.Account, Region: k.Region, Kind: k.Kind, ID: k.ID,
				Name: id, Doc: []byte(crashDoc(id)),
			})
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, "child write:", err)
			os.Exit(2)
		}
		fmt.Printf("ack %s\n", id)
	}
	os.Exit(3)
}

func openBench(b *testing.B) *store.SQLite {
	b.Helper()
	s, err := store.OpenSQLite(context.Background(), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// benchFill inserts n endpoints under one parent, 1000 per transaction.
func benchFill(b *testing.B, s store.Store, n int) []*store.Resource {
	b.Helper()
	ctx := context.Background()
	doc := bytes.Repeat([]byte("x"), 512)
	rs := make([]*store.Resource, 0, n)
	for start := 0; start < n; start += 1000 {
		err := s.Write(ctx, func(tx store.Tx) error {
			for i := start; i < min(start+1000, n); i++ {
				r := &store.Resource{
					Account: "111111111111", Region: "us-east-1", Kind: "endpoint",
					ID: fmt.Sprintf("e-%06d", i), ParentID: "p-1", Name: fmt.Sprintf("n-%06d", i),
					ARN: fmt.Sprintf("arn:aws:x:us-east-1:111111111111:endpoint/e-%06d", i), Doc: doc,
				}
				if err := tx.Insert(ctx, r); err != nil {
					return err
				}
				rs = append(rs, r)
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return rs
}

func BenchmarkSQLiteGet(b *testing.B) {
	s := openBench(b)
	rs := benchFill(b, s, 1000)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		k := rs[i%len(rs)].Key()
		i++
		err := s.Read(ctx, func(tx store.Tx) error {
			_, err := tx.Get(ctx, k)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSQLiteInsert(b *testing.B) {
	s := openBench(b)
	ctx := context.Background()
	doc := bytes.Repeat([]byte("x"), 512)
	i := 0
	for b.Loop() {
		id := fmt.Sprintf("r-%08d", i)
		i++
		err := s.Write(ctx, func(tx store.Tx) error {
			return tx.Insert(ctx, &store.Resource{
				Account: "111111111111", Region: "us-east-1", Kind: "runtime", ID: id,
				Name: id, ARN: "arn:aws:x:us-east-1:111111111111:runtime/" + id, Doc: doc,
			})
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSQLiteListPage(b *testing.B) {
	s := openBench(b)
	rs := benchFill(b, s, 10000)
	ctx := context.Background()
	q := store.ListQuery{
		Account: "111111111111", Region: "us-east-1", Kind: "endpoint", ParentID: "p-1",
		AfterSeq: rs[5000].Seq, Limit: 100,
	}
	for b.Loop() {
		err := s.Read(ctx, func(tx store.Tx) error {
			page, err := tx.List(ctx, q)
			if err == nil && len(page) != 100 {
				err = fmt.Errorf("page of %d", len(page))
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
