//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"agentcored/internal/store"
)

// One open store per data dir: a second open is refused while the first is
// open (flock is per open file, so this holds inside one process too) and
// works again once it is closed.
func TestSQLiteSingleWriterLock(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := store.OpenSQLite(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, store.LockFile))
	if err != nil || strings.TrimSpace(string(b)) != strconv.Itoa(os.Getpid()) {
		t.Fatalf("lock file holds %q (%v), want this pid", b, err)
	}
	second, err := store.OpenSQLite(ctx, dir)
	if err == nil {
		second.Close()
		t.Fatal("a second OpenSQLite on the same dir succeeded")
	}
	if !errors.Is(err, store.ErrDataDirInUse) || !strings.Contains(err.Error(), "pid "+strconv.Itoa(os.Getpid())) {
		t.Fatalf("second open: %v, want ErrDataDirInUse naming this pid", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = store.OpenSQLite(ctx, dir)
	if err != nil {
		t.Fatalf("open after close: %v", err)
	}
	s.Close()
}
