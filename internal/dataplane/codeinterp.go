package dataplane

// Code interpreter sessions (docs/DATAPLANE.md "Code interpreter
// sessions"): Start/Get/List/StopCodeInterpreterSession keep the sessions'
// records in the control plane's store (service/code_interpreter_sessions.go);
// InvokeCodeInterpreter runs the tools in the session's processes
// (codeinterp_exec.go, _files.go, _tasks.go) on this machine and answers
// with the model's event stream, one result event per call.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"github.com/google/uuid"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/dpapi"
	"agentcored/internal/service"
)

// CodeInterpreterSessions keeps code interpreter sessions' records
// (service.Service).
type CodeInterpreterSessions interface {
	ResolveCodeInterpreter(ctx context.Context, identifier string) (*service.CodeInterpreterTarget, error)
	CreateCodeInterpreterSession(ctx context.Context, rec service.CodeInterpreterSession) (*service.CodeInterpreterSession, error)
	GetCodeInterpreterSession(ctx context.Context, interpreterID, sessionID string) (*service.CodeInterpreterSession, error)
	TerminateCodeInterpreterSession(ctx context.Context, account, region, sessionID string, at time.Time) (*service.CodeInterpreterSession, bool, error)
	ListCodeInterpreterSessions(ctx context.Context, interpreterID, status, token string, limit int, now time.Time) ([]service.CodeInterpreterSession, string, error)
	ReadyCodeInterpreterSessions(ctx context.Context) ([]service.CodeInterpreterSession, error)
}

const (
	// defaultCISessionTimeout: 900 s when sessionTimeoutSeconds is absent
	// (the model's documentation; 1–28,800 is the model's range).
	defaultCISessionTimeout = 900
	defaultCIListPage       = 10
	ciStoreTimeout          = 10 * time.Second
)

// ciKey names a live session.
type ciKey struct{ account, region, session string }

// liveCIInstances: the code interpreter managers of this process, by
// instance id (several servers may share one process in tests, and one
// store).
var liveCIInstances sync.Map

// codeInterps is the data plane's live code interpreter sessions.
type codeInterps struct {
	store    CodeInterpreterSessions
	limits   CodeInterpreterLimits
	now      func() time.Time
	host     string
	instance string

	mu     sync.Mutex
	live   map[ciKey]*ciSession
	closed bool
}

func newCodeInterps(store CodeInterpreterSessions, limits CodeInterpreterLimits, now func() time.Time) *codeInterps {
	if now == nil {
		now = time.Now
	}
	host, _ := os.Hostname()
	c := &codeInterps{store: store, limits: limits.withDefaults(), now: now, host: host, instance: uuid.NewString(), live: map[ciKey]*ciSession{}}
	liveCIInstances.Store(c.instance, true)
	c.endStale()
	return c
}

// endStale ends the sessions an earlier agentcored on this host left READY
// (it crashed, or was killed): their processes are killed (found by their
// marker) and their records say TERMINATED. Sessions of a live agentcored
// (another host, process or instance) are left alone.
func (c *codeInterps) endStale() {
	ctx, cancel := context.WithTimeout(context.Background(), ciStoreTimeout)
	defer cancel()
	recs, err := c.store.ReadyCodeInterpreterSessions(ctx)
	if err != nil {
		slog.Warn("code interpreter sessions: reading stale sessions", "error", err)
		return
	}
	for _, rec := range recs {
		if rec.Host != c.host {
			continue
		}
		if rec.PID == os.Getpid() {
			if _, live := liveCIInstances.Load(rec.Instance); live {
				continue
			}
		} else if pidAlive(rec.PID) {
			continue
		}
		killMarked(ciMarkerVar + "=" + rec.SessionID)
		_ = os.RemoveAll(ciSessionBase(rec.Account, rec.SessionID))
		if _, _, err := c.store.TerminateCodeInterpreterSession(ctx, rec.Account, rec.Region, rec.SessionID, c.now()); err != nil {
			slog.Warn("code interpreter sessions: ending a stale session", "session", rec.SessionID, "error", err)
		}
	}
}

// add registers a new live session and arms its timeout.
func (c *codeInterps) add(cs *ciSession) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return errSessionEnded
	}
	c.live[cs.key] = cs
	cs.timer = time.AfterFunc(time.Until(cs.deadline), func() { c.terminate(cs.key) })
	return nil
}

func (c *codeInterps) get(k ciKey) *ciSession {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.live[k]
}

// terminate ends a live session (timeout or stop): processes killed,
// directory removed, record TERMINATED. It answers the record.
func (c *codeInterps) terminate(k ciKey) (*service.CodeInterpreterSession, error) {
	c.mu.Lock()
	cs := c.live[k]
	delete(c.live, k)
	c.mu.Unlock()
	if cs != nil {
		cs.end()
	}
	ctx, cancel := context.WithTimeout(context.Background(), ciStoreTimeout)
	defer cancel()
	rec, _, err := c.store.TerminateCodeInterpreterSession(ctx, k.account, k.region, k.session, c.now())
	if err != nil && cs != nil {
		slog.Warn("code interpreter sessions: recording the end of a session", "session", k.session, "error", err)
	}
	return rec, err
}

// close ends every live session (server shutdown).
func (c *codeInterps) close() {
	c.mu.Lock()
	c.closed = true
	keys := make([]ciKey, 0, len(c.live))
	for k := range c.live {
		keys = append(keys, k)
	}
	c.mu.Unlock()
	var wg sync.WaitGroup
	for _, k := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = c.terminate(k)
		}()
	}
	wg.Wait()
	liveCIInstances.Delete(c.instance)
}

// CodeInterpreterPIDs lists the live processes agentcored runs for a code
// interpreter session (tests check they are gone after the session ends).
func (s *Service) CodeInterpreterPIDs(account, region, sessionID string) []int {
	if cs := s.interps.get(ciKey{account, region, sessionID}); cs != nil {
		return cs.pids()
	}
	return nil
}

func ciSessionBase(account, session string) string {
	return filepath.Join(codeInterpRoot, safeName(account), safeName(session))
}

// lookPath finds a program on agentcored's PATH (a variable for tests).
var lookPath = exec.LookPath

func (s *Service) StartCodeInterpreterSession(ctx context.Context, in *dpapi.StartCodeInterpreterSessionRequest) (*dpapi.StartCodeInterpreterSessionResponse, error) {
	target, err := s.interpStore.ResolveCodeInterpreter(ctx, in.CodeInterpreterIdentifier)
	if err != nil {
		return nil, err
	}
	if len(in.FilesystemConfigurations) > 0 {
		return nil, awserr.Validation("1 validation error detected: Value at 'filesystemConfigurations' failed to satisfy constraint: agentcored does not mount S3 or EFS file systems into code interpreter sessions")
	}
	timeout := int64(defaultCISessionTimeout)
	if in.SessionTimeoutSeconds != nil {
		timeout = *in.SessionTimeoutSeconds
	}
	c := s.interps
	rec, err := s.interpStore.CreateCodeInterpreterSession(ctx, service.CodeInterpreterSession{
		InterpreterID: target.ID, Name: in.Name, NetworkMode: target.NetworkMode, TimeoutSeconds: timeout,
		Host: c.host, PID: os.Getpid(), Instance: c.instance,
	})
	if err != nil {
		return nil, err
	}
	key := ciKey{rec.Account, rec.Region, rec.SessionID}
	cs, err := newCISession(key, target.NetworkMode == string(api.CodeInterpreterNetworkModeSandbox), c.limits, rec.ExpiresAt())
	if err == nil {
		err = c.add(cs)
	}
	if err != nil {
		_, _ = c.terminate(key)
		return nil, awserr.Errorf(awserr.CodeInternal, "Starting the session: %v", err)
	}
	return &dpapi.StartCodeInterpreterSessionResponse{CodeInterpreterIdentifier: target.ID, SessionId: rec.SessionID,
		CreatedAt: api.NewDateTime(rec.CreatedAt)}, nil
}

func (s *Service) GetCodeInterpreterSession(ctx context.Context, in *dpapi.GetCodeInterpreterSessionRequest) (*dpapi.GetCodeInterpreterSessionResponse, error) {
	target, err := s.interpStore.ResolveCodeInterpreter(ctx, in.CodeInterpreterIdentifier)
	if err != nil {
		return nil, err
	}
	rec, err := s.interpStore.GetCodeInterpreterSession(ctx, target.ID, in.SessionId)
	if err != nil {
		return nil, err
	}
	timeout := rec.TimeoutSeconds
	return &dpapi.GetCodeInterpreterSessionResponse{CodeInterpreterIdentifier: target.ID, SessionId: rec.SessionID, Name: rec.Name,
		CreatedAt: api.NewDateTime(rec.CreatedAt), SessionTimeoutSeconds: &timeout,
		Status: dpapi.CodeInterpreterSessionStatus(rec.StatusAt(s.interps.now()))}, nil
}

func (s *Service) ListCodeInterpreterSessions(ctx context.Context, in *dpapi.ListCodeInterpreterSessionsRequest) (*dpapi.ListCodeInterpreterSessionsResponse, error) {
	target, err := s.interpStore.ResolveCodeInterpreter(ctx, in.CodeInterpreterIdentifier)
	if err != nil {
		return nil, err
	}
	limit := defaultCIListPage
	if in.MaxResults != nil {
		limit = int(*in.MaxResults)
	}
	now := s.interps.now()
	recs, next, err := s.interpStore.ListCodeInterpreterSessions(ctx, target.ID, string(in.Status), in.NextToken, limit, now)
	if err != nil {
		return nil, err
	}
	out := &dpapi.ListCodeInterpreterSessionsResponse{Items: []dpapi.CodeInterpreterSessionSummary{}, NextToken: next}
	for _, rec := range recs {
		status := rec.StatusAt(now)
		updated := rec.LastUpdatedAt
		if status != rec.Status {
			updated = rec.ExpiresAt()
		}
		out.Items = append(out.Items, dpapi.CodeInterpreterSessionSummary{CodeInterpreterIdentifier: target.ID, SessionId: rec.SessionID,
			Name: rec.Name, Status: dpapi.CodeInterpreterSessionStatus(status), CreatedAt: api.NewDateTime(rec.CreatedAt),
			LastUpdatedAt: api.NewDateTime(updated)})
	}
	return out, nil
}

// StopCodeInterpreterSession ends a session at once; stopping one that has
// already ended answers when it ended.
func (s *Service) StopCodeInterpreterSession(ctx context.Context, in *dpapi.StopCodeInterpreterSessionRequest) (*dpapi.StopCodeInterpreterSessionResponse, error) {
	target, err := s.interpStore.ResolveCodeInterpreter(ctx, in.CodeInterpreterIdentifier)
	if err != nil {
		return nil, err
	}
	rec, err := s.interpStore.GetCodeInterpreterSession(ctx, target.ID, in.SessionId)
	if err != nil {
		return nil, err
	}
	if rec, err = s.interps.terminate(ciKey{rec.Account, rec.Region, rec.SessionID}); err != nil {
		return nil, err
	}
	return &dpapi.StopCodeInterpreterSessionResponse{CodeInterpreterIdentifier: target.ID, SessionId: rec.SessionID,
		LastUpdatedAt: api.NewDateTime(rec.LastUpdatedAt)}, nil
}

// InvokeCodeInterpreter runs one tool in a READY session of this agentcored
// and streams its result (one result event).
func (s *Service) InvokeCodeInterpreter(ctx context.Context, in *dpapi.InvokeCodeInterpreterRequest) (*dpapi.InvokeCodeInterpreterResponse, error) {
	target, err := s.interpStore.ResolveCodeInterpreter(ctx, in.CodeInterpreterIdentifier)
	if err != nil {
		return nil, err
	}
	if in.SessionId == "" {
		return nil, awserr.Validation("1 validation error detected: Value at 'sessionId' failed to satisfy constraint: Member must not be null (start a session with StartCodeInterpreterSession and send its id in x-amzn-code-interpreter-session-id)")
	}
	rec, err := s.interpStore.GetCodeInterpreterSession(ctx, target.ID, in.SessionId)
	if err != nil {
		return nil, err
	}
	if rec.StatusAt(s.interps.now()) != string(dpapi.CodeInterpreterSessionStatusReady) {
		return nil, awserr.NotFound("Session %s of code interpreter %s is TERMINATED.", rec.SessionID, target.ID)
	}
	cs := s.interps.get(ciKey{rec.Account, rec.Region, rec.SessionID})
	if cs == nil {
		return nil, awserr.Conflict("Session %s runs on another agentcored instance (host %s, pid %d); send its calls there.", rec.SessionID, rec.Host, rec.PID)
	}
	args := in.Arguments
	if args == nil {
		args = &dpapi.ToolArguments{}
	}
	if err := checkToolArguments(in.Name, args); err != nil {
		return nil, err
	}
	// The tool runs before the answer starts, so that headers and the
	// result event leave together: the Go SDK (v1.59.0) reads this
	// operation's stream after the call has returned and its request
	// context may be gone by then, which loses an event still on its way.
	result := runTool(ctx, cs, in.Name, args)
	return &dpapi.InvokeCodeInterpreterResponse{SessionId: rec.SessionID,
		Stream: func(yield func(*dpapi.CodeInterpreterStreamOutput) bool) {
			yield(&dpapi.CodeInterpreterStreamOutput{Result: result})
		}}, nil
}

// checkToolArguments: the arguments each tool needs (400 naming the field).
func checkToolArguments(name dpapi.ToolName, a *dpapi.ToolArguments) error {
	missing := func(field string) error {
		return awserr.Validation("1 validation error detected: Value at 'arguments.%s' failed to satisfy constraint: Member must not be null for the %s tool", field, name)
	}
	switch name {
	case dpapi.ToolNameExecuteCode:
		if a.Code == "" {
			return missing("code")
		}
	case dpapi.ToolNameExecuteCommand, dpapi.ToolNameStartCommandExecution:
		if a.Command == "" {
			return missing("command")
		}
	case dpapi.ToolNameReadFiles, dpapi.ToolNameRemoveFiles:
		if len(a.Paths) == 0 {
			return missing("paths")
		}
	case dpapi.ToolNameWriteFiles:
		if len(a.Content) == 0 {
			return missing("content")
		}
		for i, b := range a.Content {
			if b.Path == "" {
				return missing(fmt.Sprintf("content.%d.path", i+1))
			}
		}
	case dpapi.ToolNameGetTask, dpapi.ToolNameStopTask:
		if a.TaskId == "" {
			return missing("taskId")
		}
	case dpapi.ToolNameListFiles:
	default:
		return awserr.Validation("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy enum value set", name)
	}
	return nil
}

// runTool runs one tool call; a failure of the tool (not of the request)
// is a result with isError.
func runTool(ctx context.Context, cs *ciSession, name dpapi.ToolName, a *dpapi.ToolArguments) *dpapi.CodeInterpreterResult {
	cs.call.Lock()
	defer cs.call.Unlock()
	var res *dpapi.CodeInterpreterResult
	var err error
	switch name {
	case dpapi.ToolNameExecuteCode:
		res, err = executeCode(ctx, cs, a)
	case dpapi.ToolNameExecuteCommand:
		var r *execResult
		if r, err = cs.runOnce(ctx, "sh", "-c", a.Command); err == nil {
			res = execToResult(r, cs.limits)
		}
	case dpapi.ToolNameWriteFiles:
		res, err = cs.writeFiles(a.Content)
	case dpapi.ToolNameReadFiles:
		res, err = cs.readFiles(a.Paths)
	case dpapi.ToolNameListFiles:
		dir := a.DirectoryPath
		if dir == "" {
			dir = a.Path
		}
		res, err = cs.listFiles(dir)
	case dpapi.ToolNameRemoveFiles:
		res, err = cs.removeFiles(a.Paths)
	case dpapi.ToolNameStartCommandExecution:
		var t *ciTask
		if t, err = cs.startTask(a.Command); err == nil {
			res = taskResult(t)
		}
	case dpapi.ToolNameGetTask, dpapi.ToolNameStopTask:
		t := cs.task(a.TaskId)
		if t == nil {
			err = fmt.Errorf("task %s not found in this session", a.TaskId)
			break
		}
		if name == dpapi.ToolNameStopTask {
			t.stop()
		}
		res = taskResult(t)
	}
	if err != nil {
		if errors.Is(err, errSessionEnded) {
			return textResult("The session ended during the call.", true)
		}
		return textResult(err.Error(), true)
	}
	return res
}

// executeCode runs code in the language asked (python by default).
func executeCode(ctx context.Context, cs *ciSession, a *dpapi.ToolArguments) (*dpapi.CodeInterpreterResult, error) {
	clear := a.ClearContext != nil && *a.ClearContext
	var r *execResult
	var err error
	switch a.Language {
	case "", dpapi.ProgrammingLanguagePython:
		r, err = cs.runPython(ctx, a.Code, clear)
	case dpapi.ProgrammingLanguageJavascript:
		var script string
		if script, err = cs.writeScript(".js", a.Code); err == nil {
			r, err = cs.runOnce(ctx, "node", script)
		}
	case dpapi.ProgrammingLanguageTypescript:
		argv := typescriptRunner(a.Runtime)
		if argv == nil {
			return nil, fmt.Errorf("typescript: no TypeScript runtime on this host (looked for deno, tsx, ts-node and bun on PATH); install one or run the code as javascript")
		}
		var script string
		if script, err = cs.writeScript(".ts", a.Code); err == nil {
			r, err = cs.runOnce(ctx, append(argv, script)...)
		}
	default:
		return nil, fmt.Errorf("language %q is not one of python, javascript, typescript", a.Language)
	}
	if err != nil {
		return nil, err
	}
	return execToResult(r, cs.limits), nil
}

// typescriptRunner is the command that runs a .ts file, or nil.
func typescriptRunner(runtime dpapi.LanguageRuntime) []string {
	candidates := [][]string{{"deno", "run", "--allow-all"}, {"tsx"}, {"ts-node"}, {"bun", "run"}}
	if runtime == dpapi.LanguageRuntimeDeno {
		candidates = candidates[:1]
	}
	for _, c := range candidates {
		if path, err := lookPath(c[0]); err == nil {
			return append([]string{path}, c[1:]...)
		}
	}
	return nil
}

// execToResult: stdout (and stderr, when there is some) as text blocks,
// the details as structuredContent, isError when the exit code is not 0.
func execToResult(r *execResult, l CodeInterpreterLimits) *dpapi.CodeInterpreterResult {
	stderr := r.stderr
	if r.truncated {
		stderr += fmt.Sprintf("[output truncated to %d bytes per stream]\n", l.OutputBytes)
	}
	secs := r.elapsed.Seconds()
	exit := r.exitCode
	res := &dpapi.CodeInterpreterResult{
		Content:           []dpapi.ContentBlock{{Type: dpapi.ContentBlockTypeText, Text: r.stdout}},
		StructuredContent: &dpapi.ToolResultStructuredContent{Stdout: r.stdout, Stderr: stderr, ExitCode: &exit, ExecutionTime: &secs},
		IsError:           boolPtr(exit != 0),
	}
	if stderr != "" {
		res.Content = append(res.Content, dpapi.ContentBlock{Type: dpapi.ContentBlockTypeText, Text: stderr})
	}
	return res
}

func taskResult(t *ciTask) *dpapi.CodeInterpreterResult {
	sc := t.structured()
	text := fmt.Sprintf("Task %s: %s", sc.TaskId, sc.TaskStatus)
	return &dpapi.CodeInterpreterResult{Content: []dpapi.ContentBlock{{Type: dpapi.ContentBlockTypeText, Text: text}},
		StructuredContent: sc, IsError: boolPtr(sc.TaskStatus == dpapi.TaskStatusFailed)}
}
