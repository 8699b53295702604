//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package store

import "errors"

// LockFile is the single-writer lock file of a SQLite data dir (see
// lock_unix.go); on this platform no lock is taken.
const LockFile = "agentcored.lock"

// ErrDataDirInUse is what opening a data dir another process holds answers.
var ErrDataDirInUse = errors.New("data dir in use")

type dirLock struct{}

// lockDataDir takes no lock here: flock is not available. One process per
// data dir is then the operator's to ensure.
func lockDataDir(string) (*dirLock, error) { return &dirLock{}, nil }

func (l *dirLock) release() error { return nil }
