package dataplane

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"agentcored/internal/awserr"
	"agentcored/internal/dpapi"
	"agentcored/internal/reqctx"
	"agentcored/internal/service"
)

// InvokeAgentRuntimeCommand bounds (the SDK's documentation of
// InvokeAgentRuntimeCommandRequestBody.timeout: seconds, default 300,
// 1 to 3600).
const (
	defaultCommandTimeout = 300
	maxCommandTimeout     = 3600
	// commandWaitDelay: how long a finished command's output pipes may stay
	// open (a background child holding them) before the stream ends anyway.
	commandWaitDelay = 2 * time.Second
	// timedOutExitCode: the exit code reported for a command agentcored
	// killed at its timeout (-1, "a platform error", in the SDK's words).
	timedOutExitCode = -1
)

// commandRoot holds the per-session working directories of commands
// (<root>/<account>/<runtime id>/<session>). A variable so tests can move it.
var commandRoot = filepath.Join(os.TempDir(), "agentcored-commands")

// InvokeAgentRuntimeCommand runs a shell command "inside the session" and
// streams its output as an event stream: chunk{contentStart}, then
// chunk{contentDelta{stdout|stderr}} as the command writes, then
// chunk{contentStop{exitCode, status}}. AWS runs it in the session's
// microVM; here it runs on this machine (runCommand).
func (s *Service) InvokeAgentRuntimeCommand(ctx context.Context, in *dpapi.InvokeAgentRuntimeCommandRequest) (*dpapi.InvokeAgentRuntimeCommandResponse, error) {
	info := reqctx.From(ctx)
	if in.AccountId != "" && in.AccountId != info.Account {
		return nil, awserr.NotFound("Agent runtime '%s' was not found in account %s.", in.AgentRuntimeArn, in.AccountId)
	}
	if in.Body == nil || in.Body.Command == "" {
		return nil, awserr.Errorf(awserr.CodeValidation, "1 validation error detected: Value at 'body.command' failed to satisfy constraint: Member must not be null")
	}
	timeout := int64(defaultCommandTimeout)
	if in.Body.Timeout != nil {
		timeout = *in.Body.Timeout
	}
	if timeout < 1 || timeout > maxCommandTimeout {
		bound := "greater than or equal to 1"
		if timeout > maxCommandTimeout {
			bound = fmt.Sprintf("less than or equal to %d", maxCommandTimeout)
		}
		return nil, awserr.Errorf(awserr.CodeValidation,
			"1 validation error detected: Value '%d' at 'body.timeout' failed to satisfy constraint: Member must have value %s", timeout, bound)
	}
	t, err := s.resolveAuthorized(ctx, in.AgentRuntimeArn, in.Qualifier)
	if err != nil {
		return nil, err
	}
	session := in.RuntimeSessionId
	if session == "" {
		session = uuid.NewString()
	}
	command := in.Body.Command
	status := int64(200)
	return &dpapi.InvokeAgentRuntimeCommandResponse{
		RuntimeSessionId: session, ContentType: "application/vnd.amazon.eventstream", StatusCode: &status,
		TraceId: in.TraceId, TraceParent: in.TraceParent, TraceState: in.TraceState, Baggage: in.Baggage,
		// Runs while the answer is written (the request's context is live).
		Stream: func(yield func(*dpapi.InvokeAgentRuntimeCommandStreamOutput) bool) {
			emit := func(c *dpapi.ResponseChunk) bool {
				return yield(&dpapi.InvokeAgentRuntimeCommandStreamOutput{Chunk: c})
			}
			if err := runCommand(ctx, t, session, command, time.Duration(timeout)*time.Second, emit); err != nil {
				yield(&dpapi.InvokeAgentRuntimeCommandStreamOutput{RuntimeClientError: &dpapi.RuntimeClientError{Message: err.Error()}})
			}
		},
	}, nil
}

// runCommand runs `sh -c command` in the session's working directory with
// the runtime version's environmentVariables, emitting contentStart, the
// output as it is written and contentStop. At the timeout the whole process
// group is killed and contentStop says TIMED_OUT. emit returning false (the
// caller went away) kills the command too. An error means the command
// could not be started; nothing has been emitted then.
func runCommand(ctx context.Context, t *service.RuntimeTarget, session, command string, timeout time.Duration, emit func(*dpapi.ResponseChunk) bool) error {
	dir := filepath.Join(commandRoot, safeName(reqctx.From(ctx).Account), safeName(t.RuntimeID), safeName(session))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating the session's working directory: %v", err)
	}
	runCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(runCtx, "sh", "-c", command)
	cmd.Dir = dir
	cmd.Env = commandEnv(t, dir)
	// Its own process group, so the timeout kills what it started too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = commandWaitDelay
	out := make(chan outputPiece)
	cmd.Stdout = &pieceWriter{ctx: runCtx, stderr: false, out: out}
	cmd.Stderr = &pieceWriter{ctx: runCtx, stderr: true, out: out}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting sh: %v", err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()

	live := emit(&dpapi.ResponseChunk{ContentStart: &dpapi.ContentStartEvent{}})
	if !live {
		cancel()
	}
	// Output is split on UTF-8 boundaries (events carry strings); the tail
	// of an incomplete character waits for the next piece.
	var pending [2][]byte
	var waitErr error
loop:
	for {
		select {
		case p := <-out:
			i := 0
			if p.stderr {
				i = 1
			}
			text, rest := splitUTF8(append(pending[i], p.data...))
			pending[i] = rest
			if live && len(text) > 0 {
				if live = emit(deltaChunk(p.stderr, string(text))); !live {
					cancel()
				}
			}
		case waitErr = <-waited:
			break loop
		}
	}
	// A background child that kept the output open past commandWaitDelay
	// may leave a writer waiting on out: release it.
	cancel()
	for i, rest := range pending {
		if live && len(rest) > 0 {
			live = emit(deltaChunk(i == 1, string(rest)))
		}
	}
	if !live {
		return nil
	}
	status := dpapi.CommandExecutionStatusCompleted
	exit := int64(-1)
	if cmd.ProcessState != nil {
		exit = int64(cmd.ProcessState.ExitCode())
	}
	switch {
	case errors.Is(runCtx.Err(), context.DeadlineExceeded) && ctx.Err() == nil:
		status, exit = dpapi.CommandExecutionStatusTimedOut, timedOutExitCode
	case exit == -1 && cmd.ProcessState != nil:
		// Ended by a signal: the shell's convention, 128 + signal.
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			exit = 128 + int64(ws.Signal())
		}
	}
	_ = waitErr // the exit status is in ProcessState; ErrWaitDelay only says a background child kept the output open
	emit(&dpapi.ResponseChunk{ContentStop: &dpapi.ContentStopEvent{ExitCode: &exit, Status: status}})
	return nil
}

func deltaChunk(stderr bool, text string) *dpapi.ResponseChunk {
	if stderr {
		return &dpapi.ResponseChunk{ContentDelta: &dpapi.ContentDeltaEvent{Stderr: text}}
	}
	return &dpapi.ResponseChunk{ContentDelta: &dpapi.ContentDeltaEvent{Stdout: text}}
}

// commandEnv: the runtime version's environmentVariables over a minimal
// base (PATH to find programs, HOME the session directory). Never the rest
// of agentcored's own environment, which may hold its secrets.
func commandEnv(t *service.RuntimeTarget, dir string) []string {
	vars := map[string]string{"PATH": os.Getenv("PATH"), "HOME": dir}
	if vars["PATH"] == "" {
		vars["PATH"] = "/usr/local/bin:/usr/bin:/bin"
	}
	for k, v := range t.Config.EnvironmentVariables {
		vars[k] = v
	}
	env := make([]string, 0, len(vars))
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	return env
}

// outputPiece is one write of the command to stdout or stderr.
type outputPiece struct {
	stderr bool
	data   []byte
}

// pieceWriter hands each write to runCommand's loop as it happens (so the
// output streams instead of being buffered to the end). It gives up when
// the command's context ends, so a gone caller never blocks the command.
type pieceWriter struct {
	ctx    context.Context
	stderr bool
	out    chan<- outputPiece
}

func (w *pieceWriter) Write(p []byte) (int, error) {
	select {
	case w.out <- outputPiece{stderr: w.stderr, data: append([]byte(nil), p...)}:
		return len(p), nil
	case <-w.ctx.Done():
		return 0, w.ctx.Err()
	}
}

// splitUTF8 splits b before a trailing incomplete UTF-8 character.
func splitUTF8(b []byte) (complete, rest []byte) {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return b[:i], b[i:]
			}
			break
		}
	}
	return b, nil
}

var safeNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$`)

// safeName is name as one directory name: itself when it is plain, else a
// hash of it (session ids are free text).
func safeName(name string) string {
	if safeNamePattern.MatchString(name) && name != "." && name != ".." {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	return "h-" + hex.EncodeToString(sum[:16])
}
