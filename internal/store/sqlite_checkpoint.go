package store

import (
	"context"
	"errors"
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
// A PASSIVE checkpoint never makes the file smaller: the next writer
// starts again at the front of the WAL, but the file keeps its largest
// size. Two things bound it. journal_size_limit (sqliteDSNs) makes SQLite
// cut the file back to walSizeLimit whenever it restarts the WAL. And once
// no write has committed for a whole interval, the goroutine runs one
// TRUNCATE checkpoint, which empties the file to zero bytes; it waits for
// readers, so it is kept for idle moments.
//
// Under a steady stream of writes a PASSIVE checkpoint never catches up:
// frames are appended while it copies, so the WAL never restarts and
// grows without end (82 MB after some 800 creates, issue 19). The write
// connection's automatic checkpoint is the bound: once the WAL passes
// walBackstopPages, the committing connection checkpoints in-line; no
// write can append meanwhile (it is the only writer), so the checkpoint
// completes unless a reader holds an old snapshot, and the next commit
// restarts the WAL, cut to walSizeLimit. Most frames have been copied by
// this goroutine by then, so the in-line checkpoint is short.

const (
	checkpointInterval = 500 * time.Millisecond
	walBackstopPages   = 4000    // 16 MB of 4 KiB pages
	walSizeLimit       = 4 << 20 // journal_size_limit, bytes
)

func (s *SQLite) startCheckpointer() {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(checkpointInterval)
		defer t.Stop()
		var lastCommits int64
		truncated := false // the WAL was emptied and nothing committed since
		lastErr := ""
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			mode := "PASSIVE"
			commits, _ := s.GroupStats()
			if commits != lastCommits {
				truncated = false
			} else if !truncated && s.writer.queued.Load() == 0 {
				mode = "TRUNCATE" // idle for an interval
			}
			lastCommits = commits
			_, err := s.checkpoint.ExecContext(ctx, "PRAGMA wal_checkpoint("+mode+")")
			if ctx.Err() != nil {
				return
			}
			if err == nil {
				truncated = truncated || mode == "TRUNCATE"
				lastErr = ""
				continue
			}
			// A full disk or a damaged file is reported once, as a
			// condition; any other error once per change of message.
			err = s.fault(err)
			if !errors.Is(err, ErrDiskFull) && !errors.Is(err, ErrCorrupt) && err.Error() != lastErr {
				slog.Warn("sqlite checkpoint failed", "mode", mode, "error", err)
			}
			lastErr = err.Error()
		}
	})
	s.stopCheckpointer = func() {
		cancel()
		wg.Wait()
	}
}
