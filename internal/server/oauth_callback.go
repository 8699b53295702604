package server

import (
	"net/http"
	"time"

	"agentcored/internal/dataplane"
	"agentcored/internal/reqctx"
)

// oauth2CallbackRoute is where authorization servers send the user's
// browser back in the OAuth2 user-federation flow: the path of every
// OAuth2 credential provider's callbackUrl. A browser brings no AWS
// credentials, so the route sits beside the API planes, before them; no
// API route has a GET under /identities/oauth2/.
const oauth2CallbackRoute = "GET /identities/oauth2/callback/{id}"

// oauth2Callback hands the callback to the data plane, counted and logged
// like an API request.
func (s *Server) oauth2Callback(dp *dataplane.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := reqctx.From(r.Context())
		info.Operation = "OAuth2Callback"
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		dp.OAuth2Callback(rec, r)
		elapsed := time.Since(start)
		s.metrics.observeRequest(info.Operation, rec.status, elapsed)
		accessLog(s.log, r, info, rec, elapsed)
	})
}

// withBaseURL tells the data plane the scheme and host the client reached
// agentcored at, where user federation sends browsers back to.
func withBaseURL(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		next.ServeHTTP(w, r.WithContext(dataplane.WithBaseURL(r.Context(), scheme+"://"+r.Host)))
	})
}
