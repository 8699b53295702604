//go:build !linux

package dataplane

import (
	"os"
	"os/exec"
)

// setProcessGroup: without Linux process groups the agent is stopped alone.
func setProcessGroup(cmd *exec.Cmd) {}

// signalGroup asks the process to stop (Interrupt where supported), or
// kills it.
func signalGroup(cmd *exec.Cmd, kill bool) {
	if kill || cmd.Process.Signal(os.Interrupt) != nil {
		_ = cmd.Process.Kill()
	}
}
