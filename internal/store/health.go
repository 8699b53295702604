package store

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Store health.
//
// Some store failures are not one request's bad luck but a state of the
// machine: the disk holding the database is full (every write fails until
// space returns), or the database file is damaged (every read of a damaged
// page fails until an operator restores it). Such a failure is answered
// with an error that says what is wrong (DiskFullError, CorruptError), and
// recorded here, so that /readyz and the metrics tell the truth and the log
// gets one line when the state begins and one when it ends, not one per
// request.

var (
	// ErrDiskFull: a write failed because the disk holding the database is
	// full. Reads go on; writes succeed again once space returns.
	ErrDiskFull = errors.New("store: disk full")
	// ErrCorrupt: the database file is damaged. It does not heal by itself.
	ErrCorrupt = errors.New("store: database corrupt")
)

// DiskFullError is a write refused because the disk holding Dir is full.
type DiskFullError struct {
	Dir string
	Err error // the driver's error
}

func (e *DiskFullError) Error() string {
	return fmt.Sprintf("store: the disk holding %s is full: %v", e.Dir, e.Err)
}

func (e *DiskFullError) Unwrap() []error { return []error{ErrDiskFull, e.Err} }

// CorruptError is a database file found damaged.
type CorruptError struct {
	File   string
	Detail string // what SQLite said
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("store: database file %s is corrupt (%s); restore it from a backup", e.File, e.Detail)
}

func (e *CorruptError) Unwrap() error { return ErrCorrupt }

// Health conditions, the values of the metric's reason label.
const (
	ConditionDiskFull = "disk_full"
	ConditionCorrupt  = "corrupt"
)

// Conditions lists every condition a HealthReporter may report, so that a
// metric can export each as 0 or 1.
var Conditions = []string{ConditionDiskFull, ConditionCorrupt}

// HealthReporter is implemented by stores that track conditions.
type HealthReporter interface {
	// Condition returns the error that set the condition and true while it
	// holds; nil and false otherwise.
	Condition(name string) (error, bool)
}

// health records the conditions of one store. The zero value is healthy.
type health struct {
	mu    sync.Mutex
	since map[string]time.Time
	cause map[string]error
}

// set records that condition holds because of err, logging once when it
// begins.
func (h *health) set(condition string, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.since == nil {
		h.since, h.cause = map[string]time.Time{}, map[string]error{}
	}
	h.cause[condition] = err
	if _, ok := h.since[condition]; ok {
		return
	}
	h.since[condition] = time.Now()
	slog.Error("store condition began: "+condition, "condition", condition, "error", err.Error())
}

// clear records that condition no longer holds, logging once when it ends.
func (h *health) clear(condition string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	began, ok := h.since[condition]
	if !ok {
		return
	}
	delete(h.since, condition)
	delete(h.cause, condition)
	slog.Info("store condition ended: "+condition, "condition", condition,
		"lasted", time.Since(began).Round(time.Millisecond).String())
}

// Condition implements HealthReporter.
func (h *health) Condition(name string) (error, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	err, ok := h.cause[name]
	return err, ok
}

// holding returns the first condition that holds and its cause.
func (h *health) holding() (string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, c := range Conditions {
		if err, ok := h.cause[c]; ok {
			return c, err
		}
	}
	return "", nil
}
