//go:build linux

package dataplane

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// ciSysProcAttr: a process group of its own (so a kill reaches what the
// code started), and SIGKILL when agentcored dies, so a crash of agentcored
// leaves no interpreter behind.
func ciSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// killMarked kills every process whose environment holds marker
// (AGENTCORED_CI_SESSION=<id>): what a session's code started in another
// process group or session (setsid, double fork), or what an earlier
// agentcored left. It answers the pids it signalled.
func killMarked(marker string) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	self := os.Getpid()
	want := []byte(marker)
	var killed []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err != nil {
			continue
		}
		for _, kv := range bytes.Split(env, []byte{0}) {
			if bytes.Equal(kv, want) {
				_ = syscall.Kill(pid, syscall.SIGKILL)
				killed = append(killed, pid)
				break
			}
		}
	}
	return killed
}

// pidAlive reports whether a process with this id exists.
func pidAlive(pid int) bool {
	return pid > 0 && syscall.Kill(pid, 0) != syscall.ESRCH
}
