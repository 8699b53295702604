package dataplane

// One headless Chromium per browser session: started in a process group of
// its own (the Debian /usr/bin/chromium is a shell script that starts the
// real binary, which starts renderers and helpers), with a user-data
// directory of its own, and the DevTools endpoint on a free loopback port
// that Chromium picks and writes to <dir>/DevToolsActivePort.

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

const (
	// chromiumStartTimeout bounds the wait for DevToolsActivePort.
	chromiumStartTimeout = 30 * time.Second
	// chromiumKillGrace is how long Chromium has between SIGTERM and SIGKILL.
	chromiumKillGrace = 2 * time.Second
)

// chromiumCandidates are looked up on PATH when AGENTCORED_CHROMIUM is unset.
var chromiumCandidates = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// findChromium returns the Chromium executable: $AGENTCORED_CHROMIUM, else
// the first candidate on PATH.
func findChromium() (string, error) {
	if p := os.Getenv("AGENTCORED_CHROMIUM"); p != "" {
		if _, err := exec.LookPath(p); err != nil {
			return "", fmt.Errorf("AGENTCORED_CHROMIUM=%s is not an executable: %v", p, err)
		}
		return p, nil
	}
	for _, name := range chromiumCandidates {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no Chromium found (set AGENTCORED_CHROMIUM, or put one of %s on PATH; on Debian: apt-get install chromium)",
		strings.Join(chromiumCandidates, ", "))
}

// chromiumProcess is one running Chromium.
type chromiumProcess struct {
	cmd     *exec.Cmd
	dir     string // user-data directory (removed on stop)
	devtool string // ws://127.0.0.1:<port>/devtools/browser/<id>
	port    int
	output  *tailBuffer
	exited  chan struct{}
	stop    sync.Once
}

// chromiumArgs are the flags of a session's Chromium. --no-sandbox because
// agentcored usually runs as root in a container, where Chromium's sandbox
// refuses to start.
func chromiumArgs(dir string, width, height int64) []string {
	return []string{
		"--headless=new",
		"--remote-debugging-port=0",
		"--remote-debugging-address=127.0.0.1",
		"--user-data-dir=" + dir,
		"--no-sandbox",
		"--no-first-run",
		"--no-default-browser-check",
		"--disable-gpu",
		"--disable-dev-shm-usage",
		"--disable-background-networking",
		"--password-store=basic",
		"--use-mock-keychain",
		fmt.Sprintf("--window-size=%d,%d", width, height),
		"about:blank",
	}
}

// startChromium starts Chromium with a user-data directory dir and waits
// for its DevTools endpoint.
func startChromium(ctx context.Context, exe, dir string, width, height int64) (*chromiumProcess, error) {
	cmd := exec.Command(exe, chromiumArgs(dir, width, height)...)
	out := &tailBuffer{max: 4096}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Dir = dir
	setProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("could not start %s: %v", exe, unwrapExecError(err))
	}
	p := &chromiumProcess{cmd: cmd, dir: dir, output: out, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(p.exited)
	}()
	deadline := time.NewTimer(chromiumStartTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if port, path, ok := readDevToolsActivePort(dir); ok {
			p.port = port
			p.devtool = "ws://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) + path
			return p, nil
		}
		select {
		case <-p.exited:
			return nil, fmt.Errorf("chromium exited before opening its DevTools port; its last output: %s", lastLines(out.String(), 5))
		case <-deadline.C:
			p.kill()
			return nil, fmt.Errorf("chromium did not open its DevTools port within %s; its last output: %s", chromiumStartTimeout, lastLines(out.String(), 5))
		case <-ctx.Done():
			p.kill()
			return nil, ctx.Err()
		case <-tick.C:
		}
	}
}

// readDevToolsActivePort reads "<port>\n<path>" from the file Chromium
// writes once its DevTools server listens.
func readDevToolsActivePort(dir string) (int, string, bool) {
	b, err := os.ReadFile(filepath.Join(dir, "DevToolsActivePort"))
	if err != nil {
		return 0, "", false
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) < 2 {
		return 0, "", false
	}
	port, err := strconv.Atoi(strings.TrimSpace(lines[0]))
	if err != nil || port <= 0 {
		return 0, "", false
	}
	return port, strings.TrimSpace(lines[1]), true
}

// lastLines keeps the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// kill stops the whole process group: SIGTERM, SIGKILL after the grace
// period, and waits for the leader. The group is SIGKILLed once more after
// the leader has gone, for helpers that outlived it.
func (p *chromiumProcess) kill() {
	p.stop.Do(func() {
		signalGroup(p.cmd, false)
		select {
		case <-p.exited:
		case <-time.After(chromiumKillGrace):
			signalGroup(p.cmd, true)
			<-p.exited
		}
		signalGroup(p.cmd, true)
		waitGroupGone(p.cmd.Process.Pid, chromiumKillGrace)
	})
}

// waitGroupGone waits (up to d) until no process of group pgid is left.
func waitGroupGone(pgid int, d time.Duration) {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		if err := syscall.Kill(-pgid, 0); err != nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// processAlive reports whether a process pid exists.
func processAlive(pid int) bool {
	return pid > 0 && syscall.Kill(pid, 0) == nil
}

// killStaleChromium ends the process group of a Chromium that a previous
// agentcored left behind, only when the process still is that Chromium
// (its command line names the session's user-data directory): a pid may
// have been reused since.
func killStaleChromium(pid int, dir string) bool {
	if pid <= 0 || dir == "" {
		return false
	}
	cmdline, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
	if err != nil || !bytes.Contains(cmdline, []byte("--user-data-dir="+dir)) {
		return false
	}
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	waitGroupGone(pid, chromiumKillGrace)
	return true
}
