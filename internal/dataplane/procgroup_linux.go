//go:build linux

package dataplane

import (
	"os/exec"
	"syscall"
)

// setProcessGroup puts the agent in a process group of its own, so that
// stopping it reaches its children too (a shell, podman's conmon ...).
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// signalGroup sends SIGTERM (or SIGKILL when kill) to the agent's group.
func signalGroup(cmd *exec.Cmd, kill bool) {
	sig := syscall.SIGTERM
	if kill {
		sig = syscall.SIGKILL
	}
	_ = syscall.Kill(-cmd.Process.Pid, sig)
}
