package store

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Checkpoints.
//
// In WAL mode a commit appends pages to the -wal file; a checkpoint copies
// them back into the database file. SQLite's default runs a checkpoint
// inside the commit that takes the WAL past 1,000 pages, so every few
// hundred writes one Write (and every Write queued behind it) waits while
// pages are copied and synced. Here a goroutine checkpoints on its own
// connection instead, every checkpointInterval, without blocking readers
// or the writer (PASSIVE). Pages written many times in between (index
// tails, counters) are copied once.
//
// The write connection keeps an automatic checkpoint as a backstop at
// walBackstopPages, should this goroutine fall behind.

const (
	checkpointInterval = 500 * time.Millisecond
	walBackstopPages   = 20000 // 80 MB of 4 KiB pages
)

func (s *SQLite) startCheckpointer() {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(checkpointInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if _, err := s.checkpoint.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)"); err != nil && ctx.Err() == nil {
				slog.Warn("sqlite checkpoint failed", "error", err)
			}
		}
	})
	s.stopCheckpointer = func() {
		cancel()
		wg.Wait()
	}
}
