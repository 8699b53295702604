package dataplane

// Running a code interpreter session's code: every process of a session
// starts through one wrapper that applies the session's limits and network
// mode, in a process group of its own, inside the session's working
// directory. Python runs in one persistent driver process per session
// (codeinterp_driver.py), so variables live from one executeCode to the
// next; javascript, typescript and shell commands run one process a call.

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

//go:embed codeinterp_driver.py
var pythonDriver []byte

// CodeInterpreterLimits bound what one call of a code interpreter session
// may use. Zero values take the defaults.
type CodeInterpreterLimits struct {
	// CPUSeconds per executeCode / executeCommand call (RLIMIT_CPU).
	CPUSeconds int
	// MemoryBytes of address space per process (RLIMIT_AS, ulimit -v).
	MemoryBytes int64
	// OutputBytes kept of each of stdout and stderr per call.
	OutputBytes int
	// CallTimeout is the wall-clock bound of one call (code that sleeps
	// uses no CPU); at it the call's processes are killed.
	CallTimeout time.Duration
}

// Defaults of CodeInterpreterLimits.
const (
	defaultCICPUSeconds  = 300
	defaultCIMemoryBytes = 4 << 30
	defaultCIOutputBytes = 1 << 20
	defaultCICallTimeout = 15 * time.Minute
)

func (l CodeInterpreterLimits) withDefaults() CodeInterpreterLimits {
	if l.CPUSeconds <= 0 {
		l.CPUSeconds = defaultCICPUSeconds
	}
	if l.MemoryBytes <= 0 {
		l.MemoryBytes = defaultCIMemoryBytes
	}
	if l.OutputBytes <= 0 {
		l.OutputBytes = defaultCIOutputBytes
	}
	if l.CallTimeout <= 0 {
		l.CallTimeout = defaultCICallTimeout
	}
	return l
}

// codeInterpRoot holds the sessions' directories
// (<root>/<account>/<session>/{work,tmp,ctl}). A variable so tests can move it.
var codeInterpRoot = filepath.Join(os.TempDir(), "agentcored-codeinterp")

// ciMarkerVar is set in every process of a session, so that processes that
// left the session's process group can still be found (killMarked).
const ciMarkerVar = "AGENTCORED_CI_SESSION"

// netnsProbe remembers whether `unshare -n` works here (it needs root or
// unprivileged user namespaces).
var netnsProbe struct {
	once sync.Once
	err  error
}

// sandboxNetwork reports whether processes can get a network namespace of
// their own; the first failure is logged once.
func sandboxNetwork() error {
	netnsProbe.once.Do(func() {
		out, err := exec.Command("unshare", "-n", "--", "true").CombinedOutput()
		if err != nil {
			netnsProbe.err = fmt.Errorf("unshare -n: %v %s", err, bytes.TrimSpace(out))
			slog.Warn("code interpreter SANDBOX sessions run WITH network: this host refuses network namespaces", "error", netnsProbe.err)
		}
	})
	return netnsProbe.err
}

// ciProcess is one running process of a session.
type ciProcess struct {
	cmd  *exec.Cmd
	done chan struct{} // closed once the process has been waited for
}

// kill ends the process's whole group.
func (p *ciProcess) kill() {
	if p.cmd.Process != nil {
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	}
}

// ciSession is a live session's processes and directories.
type ciSession struct {
	key      ciKey
	sandbox  bool // no network for the code
	limits   CodeInterpreterLimits
	base     string // <root>/<account>/<session>
	work     string // the code's working directory and HOME
	deadline time.Time
	timer    *time.Timer

	call sync.Mutex // one tool call at a time (the driver is sequential)

	mu       sync.Mutex
	ended    bool
	procs    map[*ciProcess]struct{}
	python   *pythonDriverProc
	tasks    map[string]*ciTask
	taskSeq  int
	scriptNo int
}

func newCISession(key ciKey, sandbox bool, limits CodeInterpreterLimits, deadline time.Time) (*ciSession, error) {
	base := ciSessionBase(key.account, key.session)
	cs := &ciSession{key: key, sandbox: sandbox, limits: limits, base: base, work: filepath.Join(base, "work"),
		deadline: deadline, procs: map[*ciProcess]struct{}{}, tasks: map[string]*ciTask{}}
	for _, d := range []string{cs.work, filepath.Join(base, "tmp"), filepath.Join(base, "ctl")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("creating the session's directories: %v", err)
		}
	}
	return cs, nil
}

func (cs *ciSession) marker() string { return ciMarkerVar + "=" + cs.key.session }

// env is a minimal environment: never agentcored's own (it may hold its
// secrets).
func (cs *ciSession) env() []string {
	path := os.Getenv("PATH")
	if path == "" {
		path = "/usr/local/bin:/usr/bin:/bin"
	}
	return []string{"PATH=" + path, "HOME=" + cs.work, "TMPDIR=" + filepath.Join(cs.base, "tmp"),
		"LANG=C.UTF-8", "PYTHONDONTWRITEBYTECODE=1", cs.marker()}
}

// wrapperScript applies the limits, then runs the program ("$@"). ulimit -t
// is left out for the python driver, which sets its CPU limit per call.
func (cs *ciSession) wrapperScript(cpuSeconds int) string {
	s := "ulimit -v " + strconv.FormatInt(cs.limits.MemoryBytes/1024, 10) + " || exit 126; "
	if cpuSeconds > 0 {
		// A soft limit below the hard one: SIGXCPU first (which the
		// program may catch), SIGKILL 2 s of CPU later.
		s += "ulimit -S -t " + strconv.Itoa(cpuSeconds) + " && ulimit -H -t " + strconv.Itoa(cpuSeconds+2) + " || exit 126; "
	}
	return s + `exec "$@"`
}

// command builds a process of the session running argv under the limits
// (cpuSeconds 0: no per-process CPU limit), in a network namespace of its
// own for a SANDBOX session when the host allows one.
func (cs *ciSession) command(cpuSeconds int, argv ...string) *exec.Cmd {
	full := append([]string{"sh", "-c", cs.wrapperScript(cpuSeconds), "sh"}, argv...)
	if cs.sandbox && sandboxNetwork() == nil {
		full = append([]string{"unshare", "-n", "--"}, full...)
	}
	cmd := exec.Command(full[0], full[1:]...)
	cmd.Dir = cs.work
	cmd.Env = cs.env()
	cmd.SysProcAttr = ciSysProcAttr()
	return cmd
}

// start starts cmd as one of the session's processes (killed when the
// session ends). The session may have ended meanwhile: then nothing starts.
func (cs *ciSession) start(cmd *exec.Cmd) (*ciProcess, error) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.ended {
		return nil, errSessionEnded
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &ciProcess{cmd: cmd, done: make(chan struct{})}
	cs.procs[p] = struct{}{}
	return p, nil
}

// wait waits for p and forgets it.
func (cs *ciSession) wait(p *ciProcess) error {
	err := p.cmd.Wait()
	close(p.done)
	cs.mu.Lock()
	delete(cs.procs, p)
	cs.mu.Unlock()
	return err
}

var errSessionEnded = errors.New("the session has ended")

// end kills every process of the session (its groups, then any process
// still carrying the session's marker) and removes its directories. It
// answers the pids it killed.
func (cs *ciSession) end() {
	cs.mu.Lock()
	if cs.ended {
		cs.mu.Unlock()
		return
	}
	cs.ended = true
	if cs.timer != nil {
		cs.timer.Stop()
	}
	procs := make([]*ciProcess, 0, len(cs.procs))
	for p := range cs.procs {
		procs = append(procs, p)
	}
	cs.mu.Unlock()
	for _, p := range procs {
		p.kill()
	}
	for _, p := range procs {
		select {
		case <-p.done:
		case <-time.After(5 * time.Second):
		}
	}
	killMarked(cs.marker())
	_ = os.RemoveAll(cs.base)
}

// pids lists the session's live direct processes (tests check they go).
func (cs *ciSession) pids() []int {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	var out []int
	for p := range cs.procs {
		out = append(out, p.cmd.Process.Pid)
	}
	return out
}

// execResult is what one run of code or a command produced.
type execResult struct {
	stdout, stderr string
	exitCode       int64
	truncated      bool
	limit          string // "cpu", "timeout" or "" (within its limits)
	elapsed        time.Duration
}

// cappedBuffer keeps the first max bytes written to it.
type cappedBuffer struct {
	mu        sync.Mutex
	buf       bytes.Buffer
	max       int
	truncated bool
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	room := b.max - b.buf.Len()
	if len(p) > room {
		b.truncated = true
		if room > 0 {
			b.buf.Write(p[:room])
		}
		return len(p), nil
	}
	b.buf.Write(p)
	return len(p), nil
}

func (b *cappedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(bytes.ToValidUTF8(b.buf.Bytes(), []byte("\uFFFD")))
}

// runOnce runs argv to its end under the CPU limit and the call timeout (or
// until ctx ends) and answers its output and exit code.
func (cs *ciSession) runOnce(ctx context.Context, argv ...string) (*execResult, error) {
	cmd := cs.command(cs.limits.CPUSeconds, argv...)
	stdout := &cappedBuffer{max: cs.limits.OutputBytes}
	stderr := &cappedBuffer{max: cs.limits.OutputBytes}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.WaitDelay = commandWaitDelay
	began := time.Now()
	p, err := cs.start(cmd)
	if err != nil {
		return nil, err
	}
	waited := make(chan error, 1)
	go func() { waited <- cs.wait(p) }()
	timer := time.NewTimer(cs.limits.CallTimeout)
	defer timer.Stop()
	limit := ""
	select {
	case <-waited:
	case <-timer.C:
		limit = "timeout"
		p.kill()
		<-waited
	case <-ctx.Done():
		p.kill()
		<-waited
		return nil, ctx.Err()
	}
	r := &execResult{stdout: stdout.String(), stderr: stderr.String(), truncated: stdout.truncated || stderr.truncated,
		limit: limit, elapsed: time.Since(began), exitCode: exitCodeOf(cmd.ProcessState)}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() && limit == "" &&
		(ws.Signal() == syscall.SIGXCPU || cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime() >= time.Duration(cs.limits.CPUSeconds)*time.Second) {
		r.limit = "cpu"
	}
	switch r.limit {
	case "cpu":
		r.stderr += fmt.Sprintf("CPU time limit exceeded (%d s)\n", cs.limits.CPUSeconds)
	case "timeout":
		r.exitCode = timedOutExitCode
		r.stderr += fmt.Sprintf("Execution timed out after %s\n", cs.limits.CallTimeout)
	}
	if cs.isEnded() {
		return nil, errSessionEnded
	}
	return r, nil
}

func (cs *ciSession) isEnded() bool {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.ended
}

// exitCodeOf: the exit status, or 128 + the signal that ended the process.
func exitCodeOf(ps *os.ProcessState) int64 {
	if ps == nil {
		return -1
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int64(ws.Signal())
	}
	return int64(ps.ExitCode())
}

// writeScript puts code in a fresh file of the session's control directory
// (outside the working directory, so listFiles does not show it).
func (cs *ciSession) writeScript(ext, code string) (string, error) {
	cs.mu.Lock()
	cs.scriptNo++
	name := filepath.Join(cs.base, "ctl", fmt.Sprintf("code-%d%s", cs.scriptNo, ext))
	cs.mu.Unlock()
	return name, os.WriteFile(name, []byte(code), 0o600)
}

// pythonDriverProc is the session's running python driver.
type pythonDriverProc struct {
	proc     *ciProcess
	requests io.WriteCloser
	answers  *bufio.Reader
	exited   chan struct{}
}

// pythonAnswer is the driver's answer to one request.
type pythonAnswer struct {
	Stdout    string `json:"stdout"`
	Stderr    string `json:"stderr"`
	ExitCode  int64  `json:"exitCode"`
	Truncated bool   `json:"truncated"`
	Limit     string `json:"limit"`
}

// startPython starts the session's driver (python3 on PATH), talking over
// two pipes given as fds 3 and 4.
func (cs *ciSession) startPython() (*pythonDriverProc, error) {
	script := filepath.Join(cs.base, "ctl", "driver.py")
	if err := os.WriteFile(script, pythonDriver, 0o600); err != nil {
		return nil, err
	}
	python, err := exec.LookPath("python3")
	if err != nil {
		return nil, fmt.Errorf("python3 is not installed on this host")
	}
	reqR, reqW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	ansR, ansW, err := os.Pipe()
	if err != nil {
		reqR.Close()
		reqW.Close()
		return nil, err
	}
	cmd := cs.command(0, python, "-u", script)
	cmd.ExtraFiles = []*os.File{reqR, ansW}
	p, err := cs.start(cmd)
	reqR.Close()
	ansW.Close()
	if err != nil {
		reqW.Close()
		ansR.Close()
		return nil, err
	}
	d := &pythonDriverProc{proc: p, requests: reqW, answers: bufio.NewReaderSize(ansR, 64<<10), exited: make(chan struct{})}
	go func() {
		_ = cs.wait(p)
		reqW.Close()
		ansR.Close()
		close(d.exited)
	}()
	return d, nil
}

// runPython runs code in the session's driver (started on first use, and
// again after it died). At the call timeout the driver is killed: the
// session's variables are lost, its files stay.
func (cs *ciSession) runPython(ctx context.Context, code string, clear bool) (*execResult, error) {
	cs.mu.Lock()
	d := cs.python
	cs.mu.Unlock()
	if d != nil {
		select {
		case <-d.exited:
			d = nil
		default:
		}
	}
	if d == nil {
		var err error
		if d, err = cs.startPython(); err != nil {
			return nil, err
		}
		cs.mu.Lock()
		cs.python = d
		cs.mu.Unlock()
	}
	req, _ := json.Marshal(map[string]any{"code": code, "cpu": cs.limits.CPUSeconds, "clear": clear, "maxOutput": cs.limits.OutputBytes})
	began := time.Now()
	if _, err := d.requests.Write(append(req, '\n')); err != nil {
		return nil, fmt.Errorf("the python interpreter has gone: %v", err)
	}
	type reply struct {
		a   pythonAnswer
		err error
	}
	got := make(chan reply, 1)
	go func() {
		line, err := d.answers.ReadBytes('\n')
		if err != nil {
			got <- reply{err: err}
			return
		}
		var a pythonAnswer
		got <- reply{a: a, err: json.Unmarshal(line, &a)}
	}()
	timer := time.NewTimer(cs.limits.CallTimeout)
	defer timer.Stop()
	select {
	case r := <-got:
		if r.err != nil {
			<-d.exited
			if cs.isEnded() {
				return nil, errSessionEnded
			}
			// The driver died (memory, a signal, os._exit): report it.
			return &execResult{exitCode: exitCodeOf(d.proc.cmd.ProcessState), elapsed: time.Since(began),
				stderr: fmt.Sprintf("The python interpreter exited (%s); variables are lost, files remain.\n", d.proc.cmd.ProcessState)}, nil
		}
		return &execResult{stdout: r.a.Stdout, stderr: r.a.Stderr, exitCode: r.a.ExitCode, truncated: r.a.Truncated,
			limit: r.a.Limit, elapsed: time.Since(began)}, nil
	case <-timer.C:
		d.proc.kill()
		<-d.exited
		return &execResult{exitCode: timedOutExitCode, limit: "timeout", elapsed: time.Since(began),
			stderr: fmt.Sprintf("Execution timed out after %s; the python interpreter was restarted (variables are lost, files remain).\n", cs.limits.CallTimeout)}, nil
	case <-ctx.Done():
		d.proc.kill()
		<-d.exited
		return nil, ctx.Err()
	}
}
