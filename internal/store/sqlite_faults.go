package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"
)

// Faults of the SQLite store: a full disk, a damaged database file, a WAL
// that went missing. See health.go for how a condition is reported.

// SQLite primary result codes of the faults handled here.
const (
	codeIOErr   = 10
	codeCorrupt = 11
	codeFull    = 13
	codeNotADB  = 26
)

// lowSpaceBytes: an I/O error on a disk with less free space than this is
// taken for a full disk (SQLite reports ENOSPC as SQLITE_FULL from write(),
// but as SQLITE_IOERR from some other calls, e.g. growing the -shm file).
const lowSpaceBytes = 1 << 20

// probeInterval bounds how often writes that succeed while the disk is
// full start a probe (see afterWrite).
const probeInterval = time.Second

// classify maps a driver error to a condition, or "".
func (s *SQLite) classify(err error) string {
	switch sqlitePrimaryCode(err) {
	case codeFull:
		return ConditionDiskFull
	case codeIOErr:
		if free, ok := freeBytes(s.dir); ok && free < lowSpaceBytes {
			return ConditionDiskFull
		}
	case codeCorrupt, codeNotADB:
		return ConditionCorrupt
	}
	return ""
}

// fault records the condition err shows, if any, and returns err as the
// caller should see it: a DiskFullError or CorruptError for a condition,
// err itself otherwise.
func (s *SQLite) fault(err error) error {
	if err == nil {
		return nil
	}
	var df *DiskFullError
	var ce *CorruptError
	if errors.As(err, &df) || errors.As(err, &ce) {
		return err // already mapped (a nested call)
	}
	switch s.classify(err) {
	case ConditionDiskFull:
		e := &DiskFullError{Dir: s.dir, Err: err}
		s.health.set(ConditionDiskFull, e)
		return e
	case ConditionCorrupt:
		e := &CorruptError{File: s.file, Detail: err.Error()}
		s.health.set(ConditionCorrupt, e)
		return e
	}
	return err
}

// afterWrite is called with the result of every write transaction. A
// failure may begin a condition. A success does not by itself end the
// disk-full condition (a transaction that changed nothing commits without
// writing a byte, e.g. the lifecycle engine finding no due job), but it
// starts a probe that really writes.
func (s *SQLite) afterWrite(err error) error {
	if err != nil {
		return s.fault(err)
	}
	if _, full := s.health.Condition(ConditionDiskFull); full {
		last := s.lastProbe.Load()
		if now := time.Now().UnixNano(); now-last >= int64(probeInterval) && s.lastProbe.CompareAndSwap(last, now) {
			go s.probeWrite(context.Background())
		}
	}
	return nil
}

// probeWrite writes one row of meta and, if that commits, ends the
// disk-full condition. The value changes every time, so the commit always
// writes a page.
func (s *SQLite) probeWrite(ctx context.Context) error {
	s.lastProbe.Store(time.Now().UnixNano())
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	v := []byte(time.Now().UTC().Format(time.RFC3339Nano))
	err := s.writeGrouped(ctx, func(t *sqliteTx) error {
		_, err := t.exec(ctx, `INSERT INTO meta (key, value) VALUES ('health_probe', ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, v)
		if err != nil {
			return sqliteError(ctx, "probe write", err)
		}
		return nil
	})
	if err == nil {
		s.health.clear(ConditionDiskFull)
	}
	return err
}

// Condition implements HealthReporter.
func (s *SQLite) Condition(name string) (error, bool) { return s.health.Condition(name) }

// checkHealth is Ping's view of the conditions: while the disk is full it
// probes (so that /readyz sees space return even with no client writing);
// a corrupt file stays reported until the process restarts on a repaired
// file.
func (s *SQLite) checkHealth(ctx context.Context) error {
	if _, full := s.health.Condition(ConditionDiskFull); full {
		s.probeWrite(ctx)
	}
	if _, err := s.health.holding(); err != nil {
		return err
	}
	return nil
}

// quickCheckAtOpen is turned off by tests that need a damaged file open,
// to see corruption found at run time.
var quickCheckAtOpen = true

// quickCheckAtOpenMaxBytes: a database file up to this size is checked
// before the store opens. quick_check reads every page (about 0.4 s for the
// 540 MB of 100,000 runtimes here), which would break the start-up budget,
// so a larger file is checked in the background once the store serves: if
// it is damaged the store reports ConditionCorrupt (/readyz not ready, the
// metric, one log line) as corruption met at run time does.
var quickCheckAtOpenMaxBytes int64 = 64 << 20 // a var for tests

// checkInBackground tells whether file is too large to check at open.
func checkInBackground(file string) bool {
	fi, err := os.Stat(file)
	return quickCheckAtOpen && err == nil && fi.Size() > quickCheckAtOpenMaxBytes
}

// backgroundQuickCheck checks a large database after it opened.
func (s *SQLite) backgroundQuickCheck() {
	err := quickCheck(context.Background(), s.read, s.file)
	var ce *CorruptError
	if errors.As(err, &ce) {
		s.health.set(ConditionCorrupt, ce) // logs once
	}
}

// quickCheck runs PRAGMA quick_check on a new connection pool, so that a
// damaged file is refused at start, naming it, instead of serving errors
// (or, for an unreadable header, what looks like an empty store).
func quickCheck(ctx context.Context, db *sql.DB, file string) error {
	if !quickCheckAtOpen {
		return nil
	}
	rows, err := db.QueryContext(ctx, "PRAGMA quick_check")
	if err != nil {
		return quickCheckError(file, err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return quickCheckError(file, err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return quickCheckError(file, err)
	}
	if len(problems) > 0 {
		if len(problems) > 5 {
			problems = append(problems[:5], fmt.Sprintf("and %d more", len(problems)-5))
		}
		return &CorruptError{File: file, Detail: "PRAGMA quick_check: " + strings.Join(problems, "; ")}
	}
	return nil
}

func quickCheckError(file string, err error) error {
	switch sqlitePrimaryCode(err) {
	case codeCorrupt, codeNotADB:
		return &CorruptError{File: file, Detail: err.Error()}
	}
	return fmt.Errorf("store: check %s: %w", file, err)
}

// walWarning inspects the files beside the database before it is opened
// and describes what a previous process lost, or returns "".
//
// After a clean shutdown there is no -wal and no -shm. After kill -9 both
// remain, and the -shm (the WAL index, kept in shared memory and in that
// file) still says how many frames of the WAL were committed (mxFrame) and
// how many of them were already copied into the database (nBackfill).
// Frames nBackfill+1..mxFrame exist only in the WAL. So:
//   - -wal missing but the index has uncopied frames: the commits in them,
//     acknowledged ones included, are gone; SQLite itself opens the
//     database as of the last checkpoint without a word.
//   - -wal shorter than mxFrame frames: it was cut; the commits in the cut
//     part are gone (SQLite stops at the first incomplete frame).
//
// A WAL deleted or cut when nothing in it was uncopied loses nothing and
// is not reported.
func walWarning(file string) string {
	shm, err := os.ReadFile(file + "-shm")
	if err != nil {
		return ""
	}
	idx, ok := parseWALIndex(shm)
	if !ok || idx.mxFrame <= idx.nBackfill {
		return ""
	}
	frame := int64(walFrameHeaderSize + idx.pageSize)
	uncopied := idx.mxFrame - idx.nBackfill
	wal, err := os.Stat(file + "-wal")
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Sprintf("the WAL file %s-wal is missing, but its index %s-shm says the previous process, "+
			"which did not shut down cleanly, had %d committed frames in it not yet copied into the database: "+
			"the writes in them are lost, acknowledged ones included", file, file, uncopied)
	}
	if err != nil {
		return ""
	}
	if need := walHeaderSize + int64(idx.mxFrame)*frame; wal.Size() < need {
		have := max(0, (wal.Size()-walHeaderSize)/frame)
		return fmt.Sprintf("the WAL file %s-wal is %d bytes, but its index says %d bytes were committed: "+
			"it was truncated, and the writes in its last %d frames are lost, acknowledged ones included",
			file, wal.Size(), need, int64(idx.mxFrame)-have)
	}
	return ""
}

// The WAL file format (https://www.sqlite.org/fileformat.html#walformat).
const (
	walHeaderSize      = 32
	walFrameHeaderSize = 24
)

// walIndex is what walWarning reads of the WAL index (the -shm file):
// the first copy of the index header, then the checkpoint info. Fields
// are in the byte order of the machine that wrote them.
type walIndex struct {
	pageSize           int
	mxFrame, nBackfill uint32
}

func parseWALIndex(b []byte) (walIndex, bool) {
	const (
		version       = 3007000
		offIsInit     = 12
		offPageSize   = 14
		offMxFrame    = 16
		offNBackfill  = 96
		indexHdrBytes = 136
	)
	if len(b) < indexHdrBytes {
		return walIndex{}, false
	}
	ne := binary.NativeEndian
	if ne.Uint32(b[0:]) != version || b[offIsInit] != 1 {
		return walIndex{}, false
	}
	ps := int(ne.Uint16(b[offPageSize:]))
	if ps == 1 {
		ps = 65536 // does not fit in 16 bits
	}
	if ps < 512 || ps > 65536 || ps&(ps-1) != 0 {
		return walIndex{}, false
	}
	return walIndex{pageSize: ps, mxFrame: ne.Uint32(b[offMxFrame:]), nBackfill: ne.Uint32(b[offNBackfill:])}, true
}

// logWALWarning logs walWarning's finding, once, at open.
func logWALWarning(file string) {
	if w := walWarning(file); w != "" {
		slog.Error("sqlite: possible data loss before this start: " + w)
	}
}
