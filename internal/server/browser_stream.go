package server

import (
	"net/http"
	"time"

	"agentcored/internal/auth"
	"agentcored/internal/dataplane"
	"agentcored/internal/protocol"
	"agentcored/internal/reqctx"
)

// browserStreamRoute is a browser session's automation stream: a WebSocket
// outside the model (StartBrowserSession answers its URL), beside the API
// planes; no API route starts with /browser-streams/.
const browserStreamRoute = "GET /browser-streams/{browser}/sessions/{session}/automation"

// browserStream authenticates the WebSocket handshake like an API request
// (SigV4 headers verified in strict mode; AWS clients sign the handshake)
// and hands the connection to the data plane's proxy.
func (s *Server) browserStream(dp *dataplane.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := reqctx.From(r.Context())
		info.Operation = "BrowserAutomationStream"
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusSwitchingProtocols}
		defer func() { accessLog(s.log, r, info, rec, time.Since(start)) }()
		id, err := s.auth.Authenticate(r, nil)
		if err != nil {
			protocol.WriteError(rec, nil, err)
			return
		}
		info.AccessKey, info.Account, info.Region = id.AccessKeyID, id.Account, id.Region
		if info.Region == "" {
			info.Region = s.cfg.Region
		}
		account, region := info.Account, info.Region
		if s.cfg.Auth != auth.Strict && r.Header.Get("Authorization") == "" {
			account, region = "", "" // unsigned in permissive mode: any account's session
		}
		h, err := dp.AutomationStream(account, region, r.PathValue("browser"), r.PathValue("session"))
		if err != nil {
			protocol.WriteError(rec, nil, err)
			return
		}
		h.ServeHTTP(rec, r)
	})
}
