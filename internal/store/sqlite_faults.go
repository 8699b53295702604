package store

import (
	"context"
	"database/sql"
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
// and describes what a previous process may have lost, or returns "".
//
//   - -shm without -wal: the previous process did not shut down cleanly
//     (a clean close removes both) and its WAL was deleted since. Every
//     commit since its last checkpoint, acknowledged or not, is gone;
//     SQLite opens the database as of that checkpoint without a word.
//   - a -wal whose size is not a whole number of frames: it was cut short;
//     the commits in the cut tail are gone (SQLite stops at the first
//     incomplete frame). A cut that falls on a frame boundary cannot be
//     seen.
func walWarning(file string) string {
	wal, walErr := os.Stat(file + "-wal")
	_, shmErr := os.Stat(file + "-shm")
	if errors.Is(walErr, os.ErrNotExist) && shmErr == nil {
		return "the WAL file " + file + "-wal is missing while its index " + file + "-shm is present: " +
			"the previous process stopped without a clean shutdown and its WAL was deleted; " +
			"writes it committed after its last checkpoint are lost"
	}
	if walErr != nil || wal.Size() <= walHeaderSize {
		return ""
	}
	pageSize, ok := walPageSize(file + "-wal")
	if !ok {
		return ""
	}
	frame := int64(walFrameHeaderSize + pageSize)
	if (wal.Size()-walHeaderSize)%frame != 0 {
		return fmt.Sprintf("the WAL file %s-wal is %d bytes, not a whole number of %d-byte frames: "+
			"it was truncated; writes committed in its lost tail are gone", file, wal.Size(), frame)
	}
	return ""
}

// The WAL file format (https://www.sqlite.org/fileformat.html#walformat).
const (
	walHeaderSize      = 32
	walFrameHeaderSize = 24
)

// walPageSize reads the page size from a WAL header (big-endian at 8).
func walPageSize(walFile string) (int, bool) {
	f, err := os.Open(walFile)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	var h [walHeaderSize]byte
	if _, err := f.ReadAt(h[:], 0); err != nil {
		return 0, false
	}
	magic := uint32(h[0])<<24 | uint32(h[1])<<16 | uint32(h[2])<<8 | uint32(h[3])
	if magic != 0x377f0682 && magic != 0x377f0683 {
		return 0, false
	}
	ps := int(h[8])<<24 | int(h[9])<<16 | int(h[10])<<8 | int(h[11])
	if ps < 512 || ps > 65536 || ps&(ps-1) != 0 {
		return 0, false
	}
	return ps, true
}

// logWALWarning logs walWarning's finding, once, at open.
func logWALWarning(file string) {
	if w := walWarning(file); w != "" {
		slog.Error("sqlite: possible data loss before this start: " + w)
	}
}
