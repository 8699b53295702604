//go:build !linux

package dataplane

import "syscall"

// ciSysProcAttr: a process group of its own (no parent-death signal off
// Linux).
func ciSysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// killMarked finds processes by their environment only on Linux (/proc).
func killMarked(marker string) []int { return nil }

// pidAlive reports whether a process with this id exists.
func pidAlive(pid int) bool { return pid > 0 && syscall.Kill(pid, 0) != syscall.ESRCH }
