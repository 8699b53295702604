package dataplane

// The browser-session operations: StartBrowserSession, GetBrowserSession,
// ListBrowserSessions, StopBrowserSession, UpdateBrowserStream and
// SaveBrowserSessionProfile (InvokeBrowser: browser_invoke.go).

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"time"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/dpapi"
	"agentcored/internal/reqctx"
	"agentcored/internal/service"
)

// cdpCallTimeout bounds what agentcored itself asks a session's Chromium.
const cdpCallTimeout = 20 * time.Second

// automationPath is the automation stream's path on agentcored's port, the
// path AWS serves it at on its own host.
func automationPath(browserID, sessionID string) string {
	return "/browser-streams/" + url.PathEscape(browserID) + "/sessions/" + url.PathEscape(sessionID) + "/automation"
}

// automationEndpoint is the ws:// (wss:// behind TLS) URL of the automation
// stream on the host the client reached agentcored at.
func automationEndpoint(ctx context.Context, browserID, sessionID string) string {
	base, _ := ctx.Value(baseURLKey{}).(string)
	if base == "" {
		base = "http://127.0.0.1"
	}
	switch {
	case strings.HasPrefix(base, "https://"):
		base = "wss://" + strings.TrimPrefix(base, "https://")
	case strings.HasPrefix(base, "http://"):
		base = "ws://" + strings.TrimPrefix(base, "http://")
	}
	return base + automationPath(browserID, sessionID)
}

func (s *Service) StartBrowserSession(ctx context.Context, in *dpapi.StartBrowserSessionRequest) (*dpapi.StartBrowserSessionResponse, error) {
	browserID, err := s.browserStore.ResolveSessionBrowser(ctx, in.BrowserIdentifier)
	if err != nil {
		return nil, err
	}
	rec, err := s.browsers.start(ctx, in, browserID)
	if err != nil {
		return nil, err
	}
	return &dpapi.StartBrowserSessionResponse{BrowserIdentifier: rec.BrowserIdentifier, SessionId: rec.SessionId,
		CreatedAt: rec.CreatedAt, Streams: rec.Streams}, nil
}

// loadSession reads a session of the caller's, with the browser resolved.
func (s *Service) loadSession(ctx context.Context, identifier, sessionID string) (*service.BrowserSessionRecord, error) {
	browserID, err := s.browserStore.ResolveSessionBrowser(ctx, identifier)
	if err != nil {
		return nil, err
	}
	return s.browserStore.LoadBrowserSession(ctx, browserID, sessionID)
}

func (s *Service) GetBrowserSession(ctx context.Context, in *dpapi.GetBrowserSessionRequest) (*dpapi.GetBrowserSessionResponse, error) {
	rec, err := s.loadSession(ctx, in.BrowserIdentifier, in.SessionId)
	if err != nil {
		return nil, err
	}
	return &rec.GetBrowserSessionResponse, nil
}

func (s *Service) ListBrowserSessions(ctx context.Context, in *dpapi.ListBrowserSessionsRequest) (*dpapi.ListBrowserSessionsResponse, error) {
	browserID, err := s.browserStore.ResolveSessionBrowser(ctx, in.BrowserIdentifier)
	if err != nil {
		return nil, err
	}
	limit := defaultBrowserSessionPage
	if in.MaxResults != nil {
		limit = int(*in.MaxResults)
	}
	recs, next, err := s.browserStore.ListBrowserSessionRecords(ctx, browserID, string(in.Status), in.NextToken, limit)
	if err != nil {
		return nil, err
	}
	out := &dpapi.ListBrowserSessionsResponse{Items: []dpapi.BrowserSessionSummary{}, NextToken: next}
	for _, r := range recs {
		out.Items = append(out.Items, dpapi.BrowserSessionSummary{BrowserIdentifier: r.BrowserIdentifier, SessionId: r.SessionId,
			Name: r.Name, Status: r.Status, CreatedAt: r.CreatedAt, LastUpdatedAt: r.LastUpdatedAt})
	}
	return out, nil
}

// StopBrowserSession ends the session at once: its Chromium is killed
// (process group), its directory removed. Stopping an ended session
// answers its end again.
func (s *Service) StopBrowserSession(ctx context.Context, in *dpapi.StopBrowserSessionRequest) (*dpapi.StopBrowserSessionResponse, error) {
	rec, err := s.loadSession(ctx, in.BrowserIdentifier, in.SessionId)
	if err != nil {
		return nil, err
	}
	if rec.Status == dpapi.BrowserSessionStatusReady {
		info := reqctx.From(ctx)
		if live := s.browsers.get(info.Account, info.Region, rec.BrowserIdentifier, rec.SessionId); live != nil {
			if ended := s.browsers.end(live, "stopped"); ended != nil {
				rec = ended
			}
		} else {
			// Run by another instance (or lost): the row says it ended; the
			// instance that runs it ends its Chromium when it sees the row.
			rec.Status = dpapi.BrowserSessionStatusTerminated
			rec.LastUpdatedAt = api.NewDateTime(s.browsers.now())
			rec.Streams = disabledStreams(rec.Streams)
			if err := s.browserStore.PutBrowserSession(ctx, rec); err != nil {
				return nil, err
			}
		}
	}
	return &dpapi.StopBrowserSessionResponse{BrowserIdentifier: rec.BrowserIdentifier, SessionId: rec.SessionId, LastUpdatedAt: rec.LastUpdatedAt}, nil
}

// liveSession is a READY session this instance runs, or the error saying
// why there is none.
func (s *Service) liveSession(ctx context.Context, identifier, sessionID string) (*browserSession, error) {
	rec, err := s.loadSession(ctx, identifier, sessionID)
	if err != nil {
		return nil, err
	}
	if rec.Status != dpapi.BrowserSessionStatusReady {
		return nil, awserr.NotFound("Browser session %s is %s.", sessionID, rec.Status)
	}
	info := reqctx.From(ctx)
	live := s.browsers.get(info.Account, info.Region, rec.BrowserIdentifier, rec.SessionId)
	if live == nil {
		return nil, awserr.NotFound("Browser session %s runs on another agentcored instance (%s).", sessionID, rec.Host)
	}
	return live, nil
}

func (s *Service) UpdateBrowserStream(ctx context.Context, in *dpapi.UpdateBrowserStreamRequest) (*dpapi.UpdateBrowserStreamResponse, error) {
	if in.StreamUpdate == nil || in.StreamUpdate.AutomationStreamUpdate == nil || in.StreamUpdate.AutomationStreamUpdate.StreamStatus == "" {
		return nil, awserr.Validation("1 validation error detected: Value at 'streamUpdate.automationStreamUpdate.streamStatus' failed to satisfy constraint: Member must not be null")
	}
	live, err := s.liveSession(ctx, in.BrowserIdentifier, in.SessionId)
	if err != nil {
		return nil, err
	}
	rec, err := s.browsers.setAutomation(ctx, live, in.StreamUpdate.AutomationStreamUpdate.StreamStatus)
	if err != nil {
		return nil, err
	}
	return &dpapi.UpdateBrowserStreamResponse{BrowserIdentifier: rec.BrowserIdentifier, SessionId: rec.SessionId,
		Streams: rec.Streams, UpdatedAt: rec.LastUpdatedAt}, nil
}

// SaveBrowserSessionProfile saves the session's cookies into the profile
// (read through CDP Storage.getCookies, all of them, session cookies
// included); StartBrowserSession with profileConfiguration sets them again.
func (s *Service) SaveBrowserSessionProfile(ctx context.Context, in *dpapi.SaveBrowserSessionProfileRequest) (*dpapi.SaveBrowserSessionProfileResponse, error) {
	live, err := s.liveSession(ctx, in.BrowserIdentifier, in.SessionId)
	if err != nil {
		return nil, err
	}
	cookies, err := readCookies(ctx, live.proc.devtool)
	if err != nil {
		return nil, awserr.Errorf(awserr.CodeInternal, "could not read the session's browser state: %v", err)
	}
	at, err := s.browserStore.SaveBrowserProfile(ctx, in.ProfileIdentifier, live.rec.BrowserIdentifier, live.rec.SessionId,
		service.SavedBrowserSession{Cookies: cookies})
	if err != nil {
		return nil, err
	}
	return &dpapi.SaveBrowserSessionProfileResponse{ProfileIdentifier: in.ProfileIdentifier, BrowserIdentifier: live.rec.BrowserIdentifier,
		SessionId: live.rec.SessionId, LastUpdatedAt: api.NewDateTime(at)}, nil
}

// readCookies asks the browser for every cookie it holds.
func readCookies(ctx context.Context, devtool string) (json.RawMessage, error) {
	ctx, cancel := context.WithTimeout(ctx, cdpCallTimeout)
	defer cancel()
	c, err := dialCDP(ctx, devtool)
	if err != nil {
		return nil, err
	}
	defer c.close()
	var out struct {
		Cookies json.RawMessage `json:"cookies"`
	}
	if err := c.call(ctx, "", "Storage.getCookies", nil, &out); err != nil {
		return nil, err
	}
	if len(out.Cookies) == 0 {
		out.Cookies = json.RawMessage("[]")
	}
	return out.Cookies, nil
}

// restoreProfile sets a saved profile's cookies in a new session's browser.
// CDP's Cookie objects carry members CookieParam does not take (size,
// session ...), which are left out; a session cookie (expires -1) is sent
// without expires so that it stays a session cookie.
func restoreProfile(ctx context.Context, devtool string, saved *service.SavedBrowserSession) error {
	var cookies []map[string]any
	if len(saved.Cookies) > 0 {
		if err := json.Unmarshal(saved.Cookies, &cookies); err != nil {
			return err
		}
	}
	if len(cookies) == 0 {
		return nil
	}
	params := make([]map[string]any, 0, len(cookies))
	for _, ck := range cookies {
		if e, ok := ck["expires"].(float64); ok && e < 0 {
			delete(ck, "expires")
		}
		p := map[string]any{}
		for _, k := range cookieParamMembers {
			if v, ok := ck[k]; ok {
				p[k] = v
			}
		}
		params = append(params, p)
	}
	ctx, cancel := context.WithTimeout(ctx, cdpCallTimeout)
	defer cancel()
	c, err := dialCDP(ctx, devtool)
	if err != nil {
		return err
	}
	defer c.close()
	return c.call(ctx, "", "Storage.setCookies", map[string]any{"cookies": params}, nil)
}

// cookieParamMembers are the members of a CDP Network.Cookie that
// Network.CookieParam takes too.
var cookieParamMembers = []string{"name", "value", "domain", "path", "secure", "httpOnly", "sameSite", "expires",
	"priority", "sourceScheme", "sourcePort", "partitionKey"}
