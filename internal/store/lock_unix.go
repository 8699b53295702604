//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// LockFile is the file in a SQLite data dir that one process holds an
// exclusive flock on for as long as it has the store open.
const LockFile = "agentcored.lock"

// ErrDataDirInUse is what opening a data dir another process holds answers.
var ErrDataDirInUse = errors.New("data dir in use")

// dirLock is the held lock: closing the file releases it, and the kernel
// releases it when the process dies however it dies (kill -9 included), so
// a stale lock file never blocks a restart.
type dirLock struct{ f *os.File }

// lockDataDir takes the single-writer lock of dir without waiting. The SQLite
// store assumes one writer process (group commit, batched sequence numbers,
// the lifecycle scheduler); a second process on the same dir is refused,
// naming the holder's pid, which the holder writes into the file.
func lockDataDir(dir string) (*dirLock, error) {
	path := filepath.Join(dir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: open lock file %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder := "another process"
		if b, rerr := os.ReadFile(path); rerr == nil {
			if pid, perr := strconv.Atoi(strings.TrimSpace(string(b))); perr == nil && pid > 0 {
				holder = "another process (pid " + strconv.Itoa(pid) + ")"
			}
		}
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("store: %w: %s is held by %s; one agentcored serves a SQLite data dir at a time: stop it, or give this one another --data-dir (lock file %s)",
				ErrDataDirInUse, dir, holder, path)
		}
		return nil, fmt.Errorf("store: lock %s: %w", path, err)
	}
	// The pid is for the message above only; the flock is the lock.
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &dirLock{f: f}, nil
}

func (l *dirLock) release() error {
	if l == nil {
		return nil
	}
	return l.f.Close()
}
