package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fillSQLite opens a store in dir and inserts n runtimes with ~2 KiB
// documents, then closes it (which checkpoints the WAL into the file).
func fillSQLite(t *testing.T, dir string, n int) []Key {
	t.Helper()
	ctx := context.Background()
	s, err := OpenSQLite(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	var keys []Key
	doc := []byte(`{"pad":"` + strings.Repeat("x", 2000) + `"}`)
	for i := range n {
		r := &Resource{Account: "123456789012", Region: "us-east-1", Kind: "runtime",
			ID: fmt.Sprintf("rt-%05d", i), Name: fmt.Sprintf("rt_%05d", i), Status: "READY", Doc: doc}
		if err := s.Write(ctx, func(tx Tx) error { return tx.Insert(ctx, r) }); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, r.Key())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return keys
}

// corruptPage overwrites page number page (1-based) of file with garbage.
func corruptPage(t *testing.T, file string, page int64) {
	t.Helper()
	f, err := os.OpenFile(file, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var hdr [18]byte
	if _, err := f.ReadAt(hdr[:], 0); err != nil {
		t.Fatal(err)
	}
	pageSize := int64(hdr[16])<<8 | int64(hdr[17])
	garbage := []byte(strings.Repeat("\xde\xad\xbe\xef", int(pageSize/4)))
	if _, err := f.WriteAt(garbage, (page-1)*pageSize); err != nil {
		t.Fatal(err)
	}
}

func pageCount(t *testing.T, file string) int64 {
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size() / 4096
}

// A damaged file is refused at open, naming it; and damage found at run
// time sets the corrupt condition and answers CorruptError.
func TestSQLiteCorruptFile(t *testing.T) {
	dir := t.TempDir()
	keys := fillSQLite(t, dir, 300)
	file := filepath.Join(dir, SQLiteFile)
	corruptPage(t, file, pageCount(t, file)/2)

	_, err := OpenSQLite(context.Background(), dir)
	var ce *CorruptError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), file) {
		t.Fatalf("open of a corrupted file: %v, want a CorruptError naming %s", err, file)
	}
	t.Logf("open refused: %v", err)

	// Corruption that appears after the start (here: not checked at open).
	quickCheckAtOpen = false
	s, err := OpenSQLite(context.Background(), dir)
	quickCheckAtOpen = true
	if err != nil {
		t.Fatalf("open without the check: %v", err)
	}
	defer s.Close()
	if err := s.Ping(context.Background()); err != nil {
		t.Fatalf("ping before any read found the damage: %v", err)
	}
	ctx := context.Background()
	var found error
	for _, k := range keys {
		err := s.Read(ctx, func(tx Tx) error { _, err := tx.Get(ctx, k); return err })
		if err != nil {
			found = err
			break
		}
	}
	if found == nil {
		found = s.Read(ctx, func(tx Tx) error { _, err := tx.ListAll(ctx); return err })
	}
	if !errors.Is(found, ErrCorrupt) || !strings.Contains(found.Error(), file) {
		t.Fatalf("reads of the damaged file: %v, want ErrCorrupt naming the file", found)
	}
	if _, ok := s.Condition(ConditionCorrupt); !ok {
		t.Fatal("corrupt condition not set")
	}
	if err := s.Ping(ctx); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("ping after the damage was found: %v, want ErrCorrupt", err)
	}
}

func TestWALWarning(t *testing.T) {
	const frame = walFrameHeaderSize + 4096
	for _, tc := range []struct {
		name     string
		shm      []byte // nil: file absent
		walBytes int64  // -1: file absent
		want     string // substring of the warning; "" for none
	}{
		{name: "clean shutdown", walBytes: -1, want: ""},
		{name: "all committed frames present", shm: shmBytes(4096, 10, 2), walBytes: walHeaderSize + 10*frame, want: ""},
		{name: "stale frames beyond the commit", shm: shmBytes(4096, 10, 2), walBytes: 4 << 20, want: ""},
		{name: "wal deleted, frames uncopied", shm: shmBytes(4096, 10, 2), walBytes: -1, want: "8 committed frames"},
		{name: "wal deleted, all copied", shm: shmBytes(4096, 10, 10), walBytes: -1, want: ""},
		{name: "wal cut", shm: shmBytes(4096, 10, 2), walBytes: walHeaderSize + 7*frame + 100, want: "last 3 frames"},
		{name: "index not initialised", shm: make([]byte, 200), walBytes: -1, want: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), SQLiteFile)
			if tc.walBytes >= 0 {
				os.WriteFile(file+"-wal", make([]byte, tc.walBytes), 0o600)
			}
			if tc.shm != nil {
				os.WriteFile(file+"-shm", tc.shm, 0o600)
			}
			got := walWarning(file)
			if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
				t.Fatalf("walWarning = %q, want %q", got, tc.want)
			}
		})
	}
}

// shmBytes is a WAL index header in this machine's byte order.
func shmBytes(pageSize int, mxFrame, nBackfill uint32) []byte {
	b := make([]byte, 32768)
	ne := binary.NativeEndian
	ne.PutUint32(b[0:], 3007000)
	b[12] = 1
	ne.PutUint16(b[14:], uint16(pageSize))
	ne.PutUint32(b[16:], mxFrame)
	ne.PutUint32(b[96:], nBackfill)
	return b
}

// The WAL stays bounded under a run of creates, and is emptied once idle.
func TestSQLiteWALBounded(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := OpenSQLite(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	wal := filepath.Join(dir, SQLiteFile) + "-wal"
	size := func() int64 {
		fi, err := os.Stat(wal)
		if err != nil {
			return 0
		}
		return fi.Size()
	}
	doc := []byte(`{"pad":"` + strings.Repeat("y", 8000) + `"}`)
	var peak int64
	const creates = 1000
	for i := range creates {
		err := s.Write(ctx, func(tx Tx) error {
			// A create writes a runtime, its version and endpoint.
			for _, kind := range []string{"runtime", "runtime-version", "runtime-endpoint"} {
				r := &Resource{Account: "123456789012", Region: "us-east-1", Kind: kind,
					ID: fmt.Sprintf("%s-%05d", kind, i), Status: "READY", Doc: doc}
				if err := tx.Insert(ctx, r); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		peak = max(peak, size())
	}
	afterLoad := size()
	deadline := time.Now().Add(30 * time.Second)
	for size() != 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	idle := size()
	t.Logf("WAL after %d creates: peak %d bytes, at the end %d bytes, after idle %d bytes", creates, peak, afterLoad, idle)
	// Between two checkpoints the WAL holds at most one interval's writes
	// beyond journal_size_limit; 32 MiB is far below the 80 MB it reached
	// without the limit.
	if peak > 32<<20 {
		t.Errorf("WAL peaked at %d bytes, want <= 32 MiB", peak)
	}
	if idle != 0 {
		t.Errorf("WAL is %d bytes after idling, want 0 (TRUNCATE checkpoint)", idle)
	}
}

// TestSQLiteLargeFileCheckedInBackground: a file above the open-time limit
// opens at once and is checked after; damage found then is the corrupt
// condition.
func TestSQLiteLargeFileCheckedInBackground(t *testing.T) {
	dir := t.TempDir()
	fillSQLite(t, dir, 300)
	file := filepath.Join(dir, SQLiteFile)
	corruptPage(t, file, pageCount(t, file)/2)

	old := quickCheckAtOpenMaxBytes
	quickCheckAtOpenMaxBytes = 1 << 10
	defer func() { quickCheckAtOpenMaxBytes = old }()
	s, err := OpenSQLite(context.Background(), dir)
	if err != nil {
		t.Fatalf("open of a large file: %v, want it checked in the background", err)
	}
	defer s.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if cause, ok := s.Condition(ConditionCorrupt); ok {
			if !strings.Contains(cause.Error(), file) {
				t.Errorf("condition %v does not name %s", cause, file)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the background check did not report the damaged file")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
