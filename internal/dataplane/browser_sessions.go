package dataplane

// Browser sessions (docs/DATAPLANE.md "Browser sessions"): each session is
// one headless Chromium (browser_process.go) that agentcored starts, whose
// DevTools WebSocket the automation stream proxies (browser_stream.go).
// Sessions are rows of the control plane's store (service/browser_sessions.go)
// so Get and List see every session, live or ended; the processes live in
// this map. A reaper ends sessions past sessionTimeoutSeconds, and sessions
// whose row another instance has TERMINATED (StopBrowserSession reaching an
// instance that does not run the Chromium). At start, READY rows left by an
// agentcored process of this host that is gone are ended and logged.

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/google/uuid"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/dpapi"
	"agentcored/internal/reqctx"
	"agentcored/internal/service"
)

// BrowserSessions keeps browser sessions and profiles in the control
// plane's store (service.Service).
type BrowserSessions interface {
	ResolveSessionBrowser(ctx context.Context, identifier string) (string, error)
	PutBrowserSession(ctx context.Context, rec *service.BrowserSessionRecord) error
	LoadBrowserSession(ctx context.Context, browserID, sessionID string) (*service.BrowserSessionRecord, error)
	ListBrowserSessionRecords(ctx context.Context, browserID, status, token string, limit int) ([]service.BrowserSessionRecord, string, error)
	ReadyBrowserSessions(ctx context.Context) ([]service.BrowserSessionRecord, error)
	SaveBrowserProfile(ctx context.Context, profileID, browserID, sessionID string, saved service.SavedBrowserSession) (time.Time, error)
	LoadBrowserProfile(ctx context.Context, profileID string) (*service.SavedBrowserSession, error)
}

const (
	defaultBrowserSessionTimeout = 3600 // seconds (the model's documented default)
	defaultViewPortWidth         = 1456
	defaultViewPortHeight        = 819
	defaultBrowserSessionPage    = 10
	browserReaperTick            = 250 * time.Millisecond
	// browserRowCheckEvery is how often the reaper rereads live sessions'
	// rows, to end those stopped through another instance.
	browserRowCheckEvery = 2 * time.Second
)

// liveInstances are the data-plane instances of this process (tests run
// several), so that the start-up sweep never ends a live one's sessions.
var liveInstances sync.Map

// browserSession is one running session of this instance.
type browserSession struct {
	rec     service.BrowserSessionRecord // guarded by browserManager.mu
	proc    *chromiumProcess
	expires time.Time
	streams map[int]context.CancelFunc // open automation connections
	nextID  int
}

type browserManager struct {
	store    BrowserSessions
	instance string
	host     string
	chromium func() (string, error)
	now      func() time.Time

	mu     sync.Mutex
	live   map[string]*browserSession // browserId|sessionId
	closed bool
	quit   chan struct{}
	done   chan struct{}
}

func newBrowserManager(store BrowserSessions, now func() time.Time) *browserManager {
	if now == nil {
		now = time.Now
	}
	host, _ := os.Hostname()
	m := &browserManager{store: store, instance: uuid.NewString(), host: host, chromium: findChromium, now: now,
		live: map[string]*browserSession{}, quit: make(chan struct{}), done: make(chan struct{})}
	liveInstances.Store(m.instance, true)
	return m
}

func liveKey(browserID, sessionID string) string { return browserID + "|" + sessionID }

// newBrowserSessionID is 26 characters of [0-9A-Z], like AWS's.
func newBrowserSessionID() string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	b := make([]byte, 26)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// scopedContext is a context for store calls made outside a request.
func scopedContext(account, region string) context.Context {
	return reqctx.With(context.Background(), &reqctx.Info{Account: account, Region: region})
}

// sweep ends the READY sessions an agentcored process of this host left
// behind when it is gone (crashed or killed): its Chromium is killed if it
// still runs, its directory removed, the row TERMINATED and the end logged.
// Rows of other hosts are left to their own instance.
func (m *browserManager) sweep(ctx context.Context) {
	recs, err := m.store.ReadyBrowserSessions(ctx)
	if err != nil {
		slog.Warn("browser sessions: could not read the sessions left by a previous run", "err", err)
		return
	}
	for _, rec := range recs {
		if rec.Host != m.host {
			continue
		}
		if _, live := liveInstances.Load(rec.Instance); live {
			continue
		}
		if rec.Pid != os.Getpid() && processAlive(rec.Pid) {
			continue // another agentcored of this host runs it
		}
		killed := killStaleChromium(rec.ChromiumPid, rec.Dir)
		if rec.Dir != "" {
			_ = os.RemoveAll(rec.Dir)
		}
		now := m.now()
		rec.Status = dpapi.BrowserSessionStatusTerminated
		rec.LastUpdatedAt = api.NewDateTime(now)
		rec.Streams = disabledStreams(rec.Streams)
		if err := m.store.PutBrowserSession(scopedContext(rec.Account, rec.Region), &rec); err != nil {
			slog.Warn("browser sessions: could not end a stale session", "session", rec.SessionId, "err", err)
			continue
		}
		slog.Warn("browser session ended at start: the agentcored that ran it is gone",
			"account", rec.Account, "region", rec.Region, "browser", rec.BrowserIdentifier, "session", rec.SessionId,
			"chromiumKilled", killed)
	}
}

// disabledStreams is a stream description with the automation stream off.
func disabledStreams(s *dpapi.BrowserSessionStream) *dpapi.BrowserSessionStream {
	if s == nil || s.AutomationStream == nil {
		return s
	}
	out := *s
	a := *s.AutomationStream
	a.StreamStatus = dpapi.AutomationStreamStatusDisabled
	out.AutomationStream = &a
	return &out
}

// run is the reaper: it ends sessions past their timeout and sessions whose
// row says TERMINATED, until close.
func (m *browserManager) run() {
	defer close(m.done)
	tick := time.NewTicker(browserReaperTick)
	defer tick.Stop()
	lastCheck := m.now()
	for {
		select {
		case <-m.quit:
			return
		case <-tick.C:
		}
		now := m.now()
		checkRows := now.Sub(lastCheck) >= browserRowCheckEvery
		if checkRows {
			lastCheck = now
		}
		m.mu.Lock()
		var expired, check []*browserSession
		for _, s := range m.live {
			if !now.Before(s.expires) {
				expired = append(expired, s)
			} else if checkRows {
				check = append(check, s)
			}
		}
		m.mu.Unlock()
		for _, s := range expired {
			m.end(s, "timeout")
		}
		for _, s := range check {
			rec, err := m.store.LoadBrowserSession(scopedContext(s.rec.Account, s.rec.Region), s.rec.BrowserIdentifier, s.rec.SessionId)
			if err == nil && rec.Status == dpapi.BrowserSessionStatusTerminated {
				m.end(s, "stopped elsewhere")
			}
		}
	}
}

// end stops a live session's Chromium and records it TERMINATED. It
// returns the record as saved (nil when the session had already ended).
func (m *browserManager) end(s *browserSession, why string) *service.BrowserSessionRecord {
	m.mu.Lock()
	key := liveKey(s.rec.BrowserIdentifier, s.rec.SessionId)
	if m.live[key] != s {
		m.mu.Unlock()
		return nil
	}
	delete(m.live, key)
	for _, cancel := range s.streams {
		cancel()
	}
	rec := s.rec
	m.mu.Unlock()
	s.proc.kill()
	_ = os.RemoveAll(s.proc.dir)
	rec.Status = dpapi.BrowserSessionStatusTerminated
	rec.LastUpdatedAt = api.NewDateTime(m.now())
	rec.Streams = disabledStreams(rec.Streams)
	if err := m.store.PutBrowserSession(scopedContext(rec.Account, rec.Region), &rec); err != nil {
		slog.Warn("browser sessions: could not record the end of a session", "session", rec.SessionId, "err", err)
	}
	slog.Debug("browser session ended", "session", rec.SessionId, "why", why)
	return &rec
}

// close ends every session and stops the reaper.
func (m *browserManager) close() {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return
	}
	m.closed = true
	all := make([]*browserSession, 0, len(m.live))
	for _, s := range m.live {
		all = append(all, s)
	}
	m.mu.Unlock()
	close(m.quit)
	<-m.done
	var wg sync.WaitGroup
	for _, s := range all {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m.end(s, "server closed")
		}()
	}
	wg.Wait()
	liveInstances.Delete(m.instance)
}

// get is a live session of the caller's account and region (nil if none).
func (m *browserManager) get(account, region, browserID, sessionID string) *browserSession {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.live[liveKey(browserID, sessionID)]
	if s == nil || (account != "" && (s.rec.Account != account || s.rec.Region != region)) {
		return nil
	}
	return s
}

// chromiumUnavailable is the error of a StartBrowserSession this host
// cannot serve.
func chromiumUnavailable(err error) error {
	return awserr.Errorf(awserr.CodeNotImplemented, "Browser sessions need a local Chromium: %v", err)
}

// start launches a session's Chromium and records the session READY.
func (m *browserManager) start(ctx context.Context, in *dpapi.StartBrowserSessionRequest, browserID string) (*service.BrowserSessionRecord, error) {
	exe, err := m.chromium()
	if err != nil {
		return nil, chromiumUnavailable(err)
	}
	var saved *service.SavedBrowserSession
	if in.ProfileConfiguration != nil {
		if saved, err = m.store.LoadBrowserProfile(ctx, in.ProfileConfiguration.ProfileIdentifier); err != nil {
			return nil, err
		}
	}
	timeout := int64(defaultBrowserSessionTimeout)
	if in.SessionTimeoutSeconds != nil {
		timeout = *in.SessionTimeoutSeconds
	}
	width, height := int64(defaultViewPortWidth), int64(defaultViewPortHeight)
	if vp := in.ViewPort; vp != nil && vp.Width != nil && vp.Height != nil {
		width, height = *vp.Width, *vp.Height
	}
	sessionID := newBrowserSessionID()
	dir, err := os.MkdirTemp("", "agentcored-browser-"+sessionID+"-")
	if err != nil {
		return nil, awserr.Errorf(awserr.CodeInternal, "could not create the session's directory: %v", err)
	}
	proc, err := startChromium(ctx, exe, dir, width, height)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, awserr.Errorf(awserr.CodeInternal, "could not start the session's browser: %v", err)
	}
	if saved != nil {
		if err := restoreProfile(ctx, proc.devtool, saved); err != nil {
			proc.kill()
			_ = os.RemoveAll(dir)
			return nil, awserr.Errorf(awserr.CodeInternal, "could not restore browser profile %s: %v", in.ProfileConfiguration.ProfileIdentifier, err)
		}
	}
	info := reqctx.From(ctx)
	now := m.now()
	rec := &service.BrowserSessionRecord{
		GetBrowserSessionResponse: dpapi.GetBrowserSessionResponse{
			BrowserIdentifier: browserID, SessionId: sessionID, Name: in.Name,
			CreatedAt: api.NewDateTime(now), LastUpdatedAt: api.NewDateTime(now),
			ViewPort:                 &dpapi.ViewPort{Width: &width, Height: &height},
			Extensions:               in.Extensions,
			EnterprisePolicies:       in.EnterprisePolicies,
			ProfileConfiguration:     in.ProfileConfiguration,
			SessionTimeoutSeconds:    &timeout,
			Status:                   dpapi.BrowserSessionStatusReady,
			ProxyConfiguration:       in.ProxyConfiguration,
			Certificates:             in.Certificates,
			FilesystemConfigurations: in.FilesystemConfigurations,
			Streams: &dpapi.BrowserSessionStream{AutomationStream: &dpapi.AutomationStream{
				StreamEndpoint: automationEndpoint(ctx, browserID, sessionID),
				StreamStatus:   dpapi.AutomationStreamStatusEnabled,
			}},
		},
		Account: info.Account, Region: info.Region,
		Host: m.host, Pid: os.Getpid(), Instance: m.instance,
		ChromiumPid: proc.cmd.Process.Pid, Dir: dir,
	}
	if rec.Name == "" {
		rec.Name = sessionID
	}
	s := &browserSession{rec: *rec, proc: proc, expires: now.Add(time.Duration(timeout) * time.Second), streams: map[int]context.CancelFunc{}}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		proc.kill()
		_ = os.RemoveAll(dir)
		return nil, awserr.Errorf(awserr.CodeServiceUnavailable, "The server is shutting down.")
	}
	m.live[liveKey(browserID, sessionID)] = s
	m.mu.Unlock()
	if err := m.store.PutBrowserSession(ctx, rec); err != nil {
		m.end(s, "store failed")
		return nil, err
	}
	return rec, nil
}

// setAutomation turns a live session's automation stream on or off;
// turning it off closes the open connections.
func (m *browserManager) setAutomation(ctx context.Context, s *browserSession, status dpapi.AutomationStreamStatus) (*service.BrowserSessionRecord, error) {
	m.mu.Lock()
	if s.rec.Streams == nil || s.rec.Streams.AutomationStream == nil {
		m.mu.Unlock()
		return nil, fmt.Errorf("session %s has no automation stream", s.rec.SessionId)
	}
	streams := *s.rec.Streams
	auto := *streams.AutomationStream
	auto.StreamStatus = status
	streams.AutomationStream = &auto
	s.rec.Streams = &streams
	s.rec.LastUpdatedAt = api.NewDateTime(m.now())
	if status == dpapi.AutomationStreamStatusDisabled {
		for id, cancel := range s.streams {
			cancel()
			delete(s.streams, id)
		}
	}
	rec := s.rec
	m.mu.Unlock()
	if err := m.store.PutBrowserSession(ctx, &rec); err != nil {
		return nil, err
	}
	return &rec, nil
}
