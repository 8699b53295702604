package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// proc is one run of the agentcored binary.
type proc struct {
	url    string
	cmd    *exec.Cmd
	exited chan struct{}
}

// startProc runs `agentcored serve` on dataDir and waits until it reports
// its address. Its log goes to logFile.
func startProc(bin, dataDir string, logFile io.Writer) (*proc, error) {
	cmd := exec.Command(bin, "serve", "--listen", "127.0.0.1:0", "--data-dir", dataDir, "--throttle-rate", "-1")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AGENTCORED_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &proc{cmd: cmd, exited: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			// The access log is one line per request: keep only the rest.
			if !strings.Contains(line, `"msg":"request"`) {
				fmt.Fprintln(logFile, line)
			}
			var e struct{ Msg, Address string }
			if json.Unmarshal([]byte(line), &e) == nil && e.Msg == "agentcored serving" {
				select {
				case addr <- e.Address:
				default:
				}
			}
		}
		io.Copy(io.Discard, stderr)
		cmd.Wait()
		close(p.exited)
	}()
	select {
	case a := <-addr:
		p.url = "http://" + a
		return p, nil
	case <-p.exited:
		return nil, fmt.Errorf("agentcored exited before serving (see the log)")
	case <-time.After(60 * time.Second):
		p.kill()
		return nil, fmt.Errorf("agentcored did not report its address in 60 s")
	}
}

// kill is kill -9, and waits for the process to be gone.
func (p *proc) kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// sample reads the process's open file descriptors and resident memory.
func (p *proc) sample() (fds int, rssKB int64, err error) {
	pid := p.cmd.Process.Pid
	entries, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return 0, 0, err
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			rssKB, _ = strconv.ParseInt(f[1], 10, 64)
		}
	}
	return len(entries), rssKB, nil
}
