package store_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"agentcored/internal/store"
)

// TestSQLiteGroupCommit: concurrent Writes share commits, and each one's
// outcome is its own: a callback that fails, panics, calls runtime.Goexit
// or is canceled leaves nothing behind, while the others of its group
// commit.
func TestSQLiteGroupCommit(t *testing.T) {
	ctx := context.Background()
	s, err := store.OpenSQLite(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	const workers, perWorker = 8, 40
	errBoom := errors.New("boom")
	type outcome struct {
		id        string
		committed bool
	}
	results := make(chan outcome, workers*perWorker)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				id := fmt.Sprintf("w%d-%d", w, i)
				n := w*perWorker + i
				wctx, cancel := context.WithCancel(ctx)
				var err error
				returned := false
				done := make(chan struct{})
				// Each Write on its own goroutine so that Goexit ends only it.
				go func() {
					defer close(done)
					defer func() {
						if p := recover(); p != nil && p != "panic in callback" {
							t.Errorf("%s: unexpected panic %v", id, p)
						}
					}()
					err = s.Write(wctx, func(tx store.Tx) error {
						if err := tx.Insert(wctx, &store.Resource{Account: "a", Region: "r", Kind: "k", ID: id, Name: id, ARN: "arn:" + id, Status: "READY", Doc: []byte(`{}`)}); err != nil {
							return err
						}
						// Hold the writer a little so that the others queue up.
						time.Sleep(200 * time.Microsecond)
						switch {
						case n%5 == 1:
							return errBoom
						case n%7 == 2:
							panic("panic in callback")
						case n%11 == 3:
							runtime.Goexit()
						case n%13 == 4:
							cancel()
						}
						return nil
					})
					returned = true
				}()
				<-done
				cancel()
				results <- outcome{id: id, committed: returned && err == nil}
				if returned && err != nil && !errors.Is(err, errBoom) && !errors.Is(err, context.Canceled) {
					t.Errorf("%s: unexpected error %v", id, err)
				}
			}
		})
	}
	wg.Wait()
	close(results)

	committed := 0
	for o := range results {
		err := s.Read(ctx, func(tx store.Tx) error {
			_, err := tx.Get(ctx, store.Key{Account: "a", Region: "r", Kind: "k", ID: o.id})
			return err
		})
		switch {
		case o.committed && err != nil:
			t.Errorf("%s: acknowledged but not stored: %v", o.id, err)
		case !o.committed && !errors.Is(err, store.ErrNotFound):
			t.Errorf("%s: failed but stored (err %v)", o.id, err)
		}
		if o.committed {
			committed++
		}
	}
	commits, writes := s.GroupStats()
	t.Logf("%d of %d writes committed, in %d commits", committed, workers*perWorker, commits)
	if writes != int64(committed) {
		t.Errorf("GroupStats counts %d committed writes, want %d", writes, committed)
	}
	if committed < workers*perWorker/2 {
		t.Errorf("only %d writes committed", committed)
	}
	if commits >= writes {
		t.Errorf("no write shared a commit: %d commits for %d writes", commits, writes)
	}
}
