package dataplane

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"agentcored/internal/awserr"
	"agentcored/internal/service"
)

// killGrace is how long a stopped agent has between SIGTERM and SIGKILL.
const killGrace = 3 * time.Second

// agentProcess is one agent agentcored started (a command, or podman /
// docker running an image), in a process group of its own so that stopping
// it also stops what it started.
type agentProcess struct {
	cmd    *exec.Cmd
	url    *url.URL
	output *tailBuffer
	exited chan struct{} // closed when the process has exited
	err    error         // Wait's result, once exited is closed
	stop   sync.Once
}

// processSpec is what to start.
type processSpec struct {
	argv []string
	dir  string
	env  []string // added to agentcored's own environment
	port int
}

// startProcess starts the agent and waits until its GET /ping answers 200,
// it exits, or timeout passes. On failure the process is stopped and the
// error says why, with the tail of its output.
func startProcess(ctx context.Context, spec processSpec, timeout time.Duration, client *http.Client) (*agentProcess, error) {
	cmd := exec.Command(spec.argv[0], spec.argv[1:]...)
	cmd.Dir = spec.dir
	cmd.Env = append(os.Environ(), spec.env...)
	out := &tailBuffer{max: 4096}
	cmd.Stdout, cmd.Stderr = out, out
	setProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("could not start %q: %v", strings.Join(spec.argv, " "), unwrapExecError(err))
	}
	p := &agentProcess{cmd: cmd, output: out, exited: make(chan struct{}),
		url: &url.URL{Scheme: "http", Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(spec.port))}}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if ping(ctx, client, p.url) != "" {
			return p, nil
		}
		select {
		case <-p.exited:
			return nil, fmt.Errorf("the agent %q exited (%v) before answering GET /ping; its last output: %s",
				strings.Join(spec.argv, " "), p.err, p.tail())
		case <-deadline.C:
			p.kill()
			return nil, fmt.Errorf("the agent %q did not answer GET /ping with 200 within %s; its last output: %s",
				strings.Join(spec.argv, " "), timeout, p.tail())
		case <-ctx.Done():
			p.kill()
			return nil, ctx.Err()
		case <-tick.C:
		}
	}
}

// ping asks the agent's GET /ping and returns its status ("Healthy",
// "HealthyBusy", "Healthy" for a 200 without a status), "" when it did not
// answer 200.
func ping(ctx context.Context, client *http.Client, base *url.URL) string {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base.JoinPath("ping").String(), nil)
	if err != nil {
		return ""
	}
	resp, err := client.Do(req)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return ""
	}
	var body struct {
		Status string `json:"status"`
	}
	if decodeSmallJSON(resp.Body, &body) == nil && body.Status == "HealthyBusy" {
		return "HealthyBusy"
	}
	return "Healthy"
}

// running reports whether the process has not exited.
func (p *agentProcess) running() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

func (p *agentProcess) pid() int { return p.cmd.Process.Pid }

func (p *agentProcess) tail() string {
	s := strings.TrimSpace(p.output.String())
	if s == "" {
		return "(none)"
	}
	return s
}

// kill stops the process group: SIGTERM, then SIGKILL after killGrace. It
// returns once the process has exited.
func (p *agentProcess) kill() {
	p.stop.Do(func() {
		if !p.running() {
			return
		}
		signalGroup(p.cmd, false)
		select {
		case <-p.exited:
			// The leader is gone; make sure nothing it started lingers.
			signalGroup(p.cmd, true)
		case <-time.After(killGrace):
			signalGroup(p.cmd, true)
			<-p.exited
		}
	})
	<-p.exited
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if len(b.buf) > b.max {
		b.buf = append([]byte(nil), b.buf[len(b.buf)-b.max:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}

func unwrapExecError(err error) error {
	if e, ok := err.(*exec.Error); ok {
		return e.Err
	}
	if e, ok := err.(*os.PathError); ok {
		return fmt.Errorf("%s: %v", e.Path, e.Err)
	}
	return err
}

// launch starts the agent of a command or container binding for one
// session: on a free loopback port (PORT and AGENTCORED_AGENT_PORT), with
// the version's environmentVariables and the binding's env. Failures are
// RuntimeClientError.
func (s *Service) launch(ctx context.Context, b *AgentBinding, t *service.RuntimeTarget) (*agentProcess, error) {
	fail := func(err error) error {
		return awserr.Errorf(codeRuntimeClient, "Agent runtime '%s' (version %s, %s): %v", t.RuntimeID, t.Version, b.artifactKey(), err)
	}
	port, err := freePort()
	if err != nil {
		return nil, fail(fmt.Errorf("no free port for the agent: %v", err))
	}
	env := map[string]string{}
	maps.Copy(env, t.Config.EnvironmentVariables)
	maps.Copy(env, b.Env)
	if b.Run == RunContainer {
		// Inside the container the agent listens on the contract's port.
		env["PORT"], env["AGENTCORED_AGENT_PORT"] = strconv.Itoa(containerPort), strconv.Itoa(containerPort)
		spec, tool, err := containerSpec(b.Image, env, port)
		if err != nil {
			return nil, fail(err)
		}
		p, err := startProcess(ctx, spec, b.startTimeout(), s.agents.http)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fail(explainContainerFailure(filepath.Base(tool), b.Image, err))
		}
		return p, nil
	}
	env["PORT"], env["AGENTCORED_AGENT_PORT"] = strconv.Itoa(port), strconv.Itoa(port)
	spec := processSpec{argv: b.Command, dir: b.Dir, port: port}
	for _, k := range slices.Sorted(maps.Keys(env)) {
		spec.env = append(spec.env, k+"="+env[k])
	}
	p, err := startProcess(ctx, spec, b.startTimeout(), s.agents.http)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fail(err)
	}
	return p, nil
}

func decodeSmallJSON(r io.Reader, v any) error {
	return json.NewDecoder(io.LimitReader(r, 64<<10)).Decode(v)
}
