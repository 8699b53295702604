package dataplane

// The automation stream: a WebSocket on agentcored's own port
// (/browser-streams/<browserId>/sessions/<sessionId>/automation, the path
// AWS serves it at) proxied to the session's Chromium DevTools WebSocket.
// The proxy forwards bytes, it does not read CDP: any CDP client
// (Playwright connect_over_cdp, Puppeteer, chromedp) works as against a
// local Chromium.

import (
	"context"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"time"

	"agentcored/internal/awserr"
	"agentcored/internal/dpapi"
)

// AutomationStream is the handler that proxies one connection to the
// automation stream of a live session of this instance. An empty account
// matches a session of any account (permissive mode without a signature:
// the session id, 26 random characters, is the secret).
func (s *Service) AutomationStream(account, region, browserID, sessionID string) (http.Handler, error) {
	m := s.browsers
	live := m.get(account, region, browserID, sessionID)
	if live == nil {
		return nil, awserr.NotFound("Browser session %s of browser %s is not running.", sessionID, browserID)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if live.rec.Streams == nil || live.rec.Streams.AutomationStream == nil ||
		live.rec.Streams.AutomationStream.StreamStatus != dpapi.AutomationStreamStatusEnabled {
		return nil, awserr.Errorf(awserr.CodeAccessDenied, "The automation stream of browser session %s is disabled.", sessionID)
	}
	target, err := url.Parse(live.proc.devtool)
	if err != nil {
		return nil, awserr.Errorf(awserr.CodeInternal, "bad DevTools URL: %v", err)
	}
	host := net.JoinHostPort("127.0.0.1", strconv.Itoa(live.proc.port))
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out.URL = &url.URL{Scheme: "http", Host: host, Path: target.Path}
			// Chromium's DevTools server accepts a loopback Host only, and
			// refuses WebSocket connections that carry an Origin it was
			// not told to allow; the AWS signature is not its business.
			pr.Out.Host = host
			pr.Out.Header.Del("Origin")
			pr.Out.Header.Del("Authorization")
			for name := range pr.Out.Header {
				if strings.HasPrefix(strings.ToLower(name), "x-amz-") {
					pr.Out.Header.Del(name)
				}
			}
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			http.Error(w, "the session's browser did not answer: "+err.Error(), http.StatusBadGateway)
		},
	}
	ctx, cancel := context.WithCancel(context.Background())
	id := live.nextID
	live.nextID++
	live.streams[id] = cancel
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			cancel()
			m.mu.Lock()
			delete(live.streams, id)
			m.mu.Unlock()
		}()
		// A WebSocket outlives the server's read and write timeouts.
		rc := http.NewResponseController(w)
		_ = rc.SetReadDeadline(time.Time{})
		_ = rc.SetWriteDeadline(time.Time{})
		// The connection ends with the request's context: when the client
		// goes, or the session stops or disables the stream (cancel).
		rctx, stop := context.WithCancel(r.Context())
		defer stop()
		go func() {
			select {
			case <-ctx.Done():
				stop()
			case <-rctx.Done():
			}
		}()
		proxy.ServeHTTP(w, r.WithContext(rctx))
	}), nil
}
