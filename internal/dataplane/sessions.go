package dataplane

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"agentcored/internal/service"
)

// Session lifetimes when the runtime's lifecycleConfiguration leaves them
// out (AgentCore's defaults, in seconds).
const (
	defaultIdleSeconds = 900
	defaultMaxSeconds  = 28800
)

// sessionKey: a session belongs to one runtime version. ARN is the
// runtime's canonical ARN, so a call by ID + accountId finds it too.
type sessionKey struct {
	ARN, Version, Session string
}

// agentSession is one runtime session: the agent it sticks to (a process
// of its own for command and container bindings, a shared URL otherwise),
// its calls in flight (cancelled when the session ends, which cuts their
// streamed answers) and the times the reaper judges it by.
type agentSession struct {
	key      sessionKey
	url      *url.URL
	proc     *agentProcess // nil for a URL agent
	source   string
	idle     time.Duration // scaled
	maxLife  time.Duration // scaled
	started  time.Time
	lastUsed time.Time
	calls    map[uint64]context.CancelFunc
	ready    chan struct{} // closed when the agent is up or failed to start
	startErr error
	stopped  bool
}

// SessionInfo is a live session, as the admin API lists it.
type SessionInfo struct {
	RuntimeARN string    `json:"runtimeArn"`
	Version    string    `json:"version"`
	Session    string    `json:"session"`
	PID        int       `json:"pid,omitempty"`
	URL        string    `json:"url"`
	Binding    string    `json:"binding"`
	Started    time.Time `json:"started"`
	LastUsed   time.Time `json:"lastUsed"`
	InFlight   int       `json:"inFlight"`
}

// sessions tracks every live session and reaps those past their idle
// timeout or maximum lifetime.
type sessions struct {
	mu     sync.Mutex
	m      map[sessionKey]*agentSession
	nextID uint64
	closed bool

	now    func() time.Time
	scale  float64 // multiplies every lifecycle duration (tests run "60 s" in 0.6 s)
	client *http.Client
	// start brings up the agent of a command or container binding.
	start func(ctx context.Context, b *AgentBinding, t *service.RuntimeTarget) (*agentProcess, error)

	stopReaper chan struct{}
	reaperDone chan struct{}
}

func newSessions(now func() time.Time, scale float64, client *http.Client) *sessions {
	if now == nil {
		now = time.Now
	}
	if scale <= 0 {
		scale = 1
	}
	return &sessions{m: map[sessionKey]*agentSession{}, now: now, scale: scale, client: client,
		stopReaper: make(chan struct{}), reaperDone: make(chan struct{})}
}

// lifetimes are the version's idle timeout and maximum lifetime, scaled.
func (ss *sessions) lifetimes(t *service.RuntimeTarget) (idle, maxLife time.Duration) {
	idleS, maxS := int64(defaultIdleSeconds), int64(defaultMaxSeconds)
	if lc := t.Config.LifecycleConfiguration; lc != nil {
		if lc.IdleRuntimeSessionTimeout != nil && *lc.IdleRuntimeSessionTimeout > 0 {
			idleS = *lc.IdleRuntimeSessionTimeout
		}
		if lc.MaxLifetime != nil && *lc.MaxLifetime > 0 {
			maxS = *lc.MaxLifetime
		}
	}
	scaled := func(s int64) time.Duration { return time.Duration(float64(s) * float64(time.Second) * ss.scale) }
	return scaled(idleS), scaled(maxS)
}

// acquire finds or starts the session's agent and registers a call on it.
// The call's context ends when release is called or the session stops.
// An agent that has exited since the last call is replaced by a new one.
func (ss *sessions) acquire(ctx context.Context, key sessionKey, at *agentTarget, t *service.RuntimeTarget) (*agentSession, uint64, context.Context, error) {
	for {
		ss.mu.Lock()
		if ss.closed {
			ss.mu.Unlock()
			return nil, 0, nil, context.Canceled
		}
		s, ok := ss.m[key]
		if ok {
			ss.mu.Unlock()
		} else {
			s = ss.create(key, at, t)
			ss.mu.Unlock()
			// Other calls of the session may wait for this start: the
			// caller hanging up does not abort it (startTimeout bounds it).
			ss.bringUp(context.WithoutCancel(ctx), s, at, t)
		}
		select {
		case <-s.ready:
		case <-ctx.Done():
			return nil, 0, nil, ctx.Err()
		}
		if s.startErr != nil {
			ss.remove(s)
			return nil, 0, nil, s.startErr
		}
		if s.proc != nil && !s.proc.running() {
			// It crashed after an earlier call: start afresh.
			ss.stop(s)
			continue
		}
		ss.mu.Lock()
		if s.stopped {
			ss.mu.Unlock()
			continue
		}
		ss.nextID++
		id := ss.nextID
		callCtx, cancel := context.WithCancel(ctx)
		s.calls[id] = cancel
		s.lastUsed = ss.now()
		ss.mu.Unlock()
		return s, id, callCtx, nil
	}
}

// create adds a session that is not up yet (under ss.mu).
func (ss *sessions) create(key sessionKey, at *agentTarget, t *service.RuntimeTarget) *agentSession {
	idle, maxLife := ss.lifetimes(t)
	now := ss.now()
	s := &agentSession{key: key, url: at.url, source: at.source, idle: idle, maxLife: maxLife,
		started: now, lastUsed: now, calls: map[uint64]context.CancelFunc{}, ready: make(chan struct{})}
	ss.m[key] = s
	return s
}

// bringUp starts the session's agent process when its binding has one.
func (ss *sessions) bringUp(ctx context.Context, s *agentSession, at *agentTarget, t *service.RuntimeTarget) {
	defer close(s.ready)
	if at.binding == nil {
		return
	}
	p, err := ss.start(ctx, at.binding, t)
	if err != nil {
		s.startErr = err
		return
	}
	ss.mu.Lock()
	s.proc, s.url = p, p.url
	stopped := s.stopped
	ss.mu.Unlock()
	if stopped { // stopped (server closing) while starting
		p.kill()
	}
}

// release ends a call: the session was last used now.
func (ss *sessions) release(s *agentSession, id uint64) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if cancel, ok := s.calls[id]; ok {
		cancel()
		delete(s.calls, id)
		s.lastUsed = ss.now()
	}
}

// remove forgets a session whose agent never came up.
func (ss *sessions) remove(s *agentSession) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.m[s.key] == s {
		delete(ss.m, s.key)
	}
	s.stopped = true
}

// stop ends a session at once: its calls are cancelled (streamed answers
// cut) and its process group killed.
func (ss *sessions) stop(s *agentSession) {
	ss.mu.Lock()
	if ss.m[s.key] == s {
		delete(ss.m, s.key)
	}
	s.stopped = true
	for id, cancel := range s.calls {
		cancel()
		delete(s.calls, id)
	}
	p := s.proc
	ss.mu.Unlock()
	if p != nil {
		p.kill()
	}
}

// stopKey stops the session of key; false when there is none.
func (ss *sessions) stopKey(key sessionKey) bool {
	ss.mu.Lock()
	s, ok := ss.m[key]
	ss.mu.Unlock()
	if !ok {
		return false
	}
	<-s.ready
	ss.stop(s)
	return true
}

// reap ends, at ss.now(), the sessions past their maximum lifetime and
// the idle ones past their idle timeout. An idle session whose agent's
// /ping answers HealthyBusy is working in the background: it counts as
// used now.
func (ss *sessions) reap(ctx context.Context) {
	now := ss.now()
	var expired, idle []*agentSession
	ss.mu.Lock()
	for _, s := range ss.m {
		select {
		case <-s.ready:
		default:
			continue // still starting
		}
		switch {
		case now.Sub(s.started) >= s.maxLife:
			expired = append(expired, s)
		case len(s.calls) == 0 && now.Sub(s.lastUsed) >= s.idle:
			idle = append(idle, s)
		}
	}
	ss.mu.Unlock()
	for _, s := range expired {
		ss.stop(s)
	}
	for _, s := range idle {
		if s.url != nil && ping(ctx, ss.client, s.url) == "HealthyBusy" {
			ss.mu.Lock()
			s.lastUsed = ss.now()
			ss.mu.Unlock()
			continue
		}
		ss.mu.Lock()
		stillIdle := len(s.calls) == 0 && ss.now().Sub(s.lastUsed) >= s.idle
		ss.mu.Unlock()
		if stillIdle {
			ss.stop(s)
		}
	}
}

// run reaps until close; the tick follows the time scale so that scaled
// timeouts are honoured closely.
func (ss *sessions) run() {
	defer close(ss.reaperDone)
	every := time.Duration(float64(time.Second) * ss.scale)
	every = min(max(every, 10*time.Millisecond), time.Second)
	tick := time.NewTicker(every)
	defer tick.Stop()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for {
		select {
		case <-ss.stopReaper:
			return
		case <-tick.C:
			ss.reap(ctx)
		}
	}
}

// close stops the reaper and every session (and so every agent process).
func (ss *sessions) close() {
	ss.mu.Lock()
	if ss.closed {
		ss.mu.Unlock()
		return
	}
	ss.closed = true
	all := make([]*agentSession, 0, len(ss.m))
	for _, s := range ss.m {
		all = append(all, s)
	}
	ss.mu.Unlock()
	close(ss.stopReaper)
	<-ss.reaperDone
	var wg sync.WaitGroup
	for _, s := range all {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-s.ready
			ss.stop(s)
		}()
	}
	wg.Wait()
}

// list is the live sessions, oldest first.
func (ss *sessions) list() []SessionInfo {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	out := []SessionInfo{}
	for _, s := range ss.m {
		info := SessionInfo{RuntimeARN: s.key.ARN, Version: s.key.Version, Session: s.key.Session, Binding: s.source,
			Started: s.started, LastUsed: s.lastUsed, InFlight: len(s.calls)}
		if s.url != nil {
			info.URL = s.url.String()
		}
		if s.proc != nil {
			info.PID = s.proc.pid()
		}
		out = append(out, info)
	}
	slices.SortFunc(out, func(a, b SessionInfo) int {
		if c := a.Started.Compare(b.Started); c != 0 {
			return c
		}
		return strings.Compare(a.Session, b.Session)
	})
	return out
}

// joinSession finds (or starts) the agent of the runtime session named
// session — a new UUID when "" (the session id is the operations'
// idempotency token: SDKs fill it in, a raw caller may not) — and returns
// the id used. The call is in flight until s.sessions.release(sess,
// callID); callCtx ends when the session does, which cuts the call.
func (s *Service) joinSession(ctx context.Context, t *service.RuntimeTarget, at *agentTarget, session string) (sess *agentSession, callID uint64, callCtx context.Context, id string, err error) {
	if session == "" {
		session = uuid.NewString()
	}
	sess, callID, callCtx, err = s.sessions.acquire(ctx, sessionKey{ARN: t.RuntimeARN, Version: t.Version, Session: session}, at, t)
	if err != nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	return sess, callID, callCtx, session, err
}
