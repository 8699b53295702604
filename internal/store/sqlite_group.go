package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
)

// Group commit.
//
// SQLite has one writer, so Writes run one after another. Most of a small
// write's cost is its commit: BEGIN, COMMIT and writing every page it
// dirtied to the WAL. When several Writes queue up at once, they share one
// transaction instead: each runs its callback in turn inside the open
// transaction (under a savepoint, so that a failing callback undoes only its
// own work), and the last one in the queue commits for all of them. Each
// Write still returns only after the COMMIT that made its work durable, and
// an error means none of its work is stored. Alone, a Write runs exactly as
// before: BEGIN, the callback, COMMIT.
//
// The callback runs on the caller's goroutine, so a panic or
// runtime.Goexit in it unwinds there, after its savepoint is undone and the
// lock released.

// maxGroupMembers bounds how many Writes share one commit, and so how long
// the first of them waits for it.
const maxGroupMembers = 32

// writeGroup is one write transaction shared by several Writes.
type writeGroup struct {
	tx      *sql.Tx
	members int           // callbacks that completed in it
	done    chan struct{} // closed once committed or abandoned; err is then set
	err     error
}

// groupWriter serializes Writes and groups those that queue up.
type groupWriter struct {
	mu     sync.Mutex   // held while a callback runs and while a group commits
	queued atomic.Int32 // Writes waiting for mu
	open   *writeGroup  // guarded by mu

	commits, writes atomic.Int64 // for GroupStats
}

// GroupStats reports how many groups were committed and how many Writes
// they held: writes/commits is the mean group size.
func (s *SQLite) GroupStats() (commits, writes int64) {
	return s.writer.commits.Load(), s.writer.writes.Load()
}

// writeGrouped runs fn as one member of a write group and waits for the commit.
func (s *SQLite) writeGrouped(ctx context.Context, fn func(*sqliteTx) error) error {
	return s.afterWrite(s.writeGrouped0(ctx, fn))
}

func (s *SQLite) writeGrouped0(ctx context.Context, fn func(*sqliteTx) error) error {
	if err := ctx.Err(); err != nil {
		return contextError("begin", err)
	}
	gw := &s.writer
	gw.queued.Add(1)
	gw.mu.Lock()
	gw.queued.Add(-1)
	g, err := s.runMember(ctx, fn)
	if err != nil {
		return err
	}
	<-g.done
	return g.err
}

// runMember runs fn in the open group (beginning one if there is none) and
// commits the group when no other Write is queued or the group is full.
// It is called with gw.mu held and releases it however fn ends.
func (s *SQLite) runMember(ctx context.Context, fn func(*sqliteTx) error) (*writeGroup, error) {
	gw := &s.writer
	defer func() {
		if g := gw.open; g != nil && (gw.queued.Load() == 0 || g.members >= maxGroupMembers) {
			gw.open = nil
			err := g.tx.Commit()
			if err == nil {
				gw.commits.Add(1)
				gw.writes.Add(int64(g.members))
			} else {
				err = sqliteError(context.Background(), "commit", err)
			}
			g.finish(err)
		}
		gw.mu.Unlock()
	}()

	g := gw.open
	if g == nil {
		// Not the caller's context: one caller giving up must not roll
		// back the others' work.
		tx, err := s.write.BeginTx(context.Background(), nil)
		if err != nil {
			return nil, sqliteError(ctx, "begin", err)
		}
		g = &writeGroup{tx: tx, done: make(chan struct{})}
		gw.open = g
	}
	// The first member needs no savepoint: rolling the transaction back
	// undoes exactly its work.
	first := g.members == 0
	if !first {
		if _, err := g.tx.ExecContext(context.Background(), "SAVEPOINT member"); err != nil {
			s.abandon(g, err)
			return nil, sqliteError(ctx, "savepoint", err)
		}
	}
	completed := false
	defer func() {
		if completed {
			return
		}
		// fn returned an error, panicked or called runtime.Goexit.
		if first {
			gw.open = nil
			g.tx.Rollback()
			g.finish(nil) // nobody waits on an empty group
			return
		}
		if _, err := g.tx.ExecContext(context.Background(), "ROLLBACK TO member; RELEASE member"); err != nil {
			s.abandon(g, err)
		}
	}()

	// Statements run without the caller's cancellation: interrupting one
	// inside a transaction can roll back the whole transaction, which may
	// hold other callers' work. Cancellation is checked after the callback
	// instead.
	if err := fn(&sqliteTx{tx: g.tx, stmts: s.writeStmts, noCancel: true}); err != nil {
		return nil, err
	}
	// Canceled while the callback ran: as with a single transaction,
	// nothing of it commits.
	if err := ctx.Err(); err != nil {
		return nil, contextError("write", err)
	}
	if !first {
		if _, err := g.tx.ExecContext(context.Background(), "RELEASE member"); err != nil {
			completed = true // nothing left to undo: the group is gone
			s.abandon(g, err)
			return nil, sqliteError(ctx, "release savepoint", err)
		}
	}
	completed = true
	g.members++
	return g, nil
}

// abandon rolls back a group whose transaction can no longer be trusted;
// its members get an error (nothing of theirs was stored).
func (s *SQLite) abandon(g *writeGroup, cause error) {
	if s.writer.open == g {
		s.writer.open = nil
	}
	g.tx.Rollback()
	err := sqliteError(context.Background(), "write group", cause)
	g.finish(fmt.Errorf("%w (a transaction shared with this write failed)", err))
}

// finish records the group's outcome and wakes its members. err == nil
// means committed.
func (g *writeGroup) finish(err error) {
	g.err = err
	select {
	case <-g.done:
	default:
		close(g.done)
	}
}
