package server

import (
	"net/http"
	"slices"
	"strings"
)

// CORS lets a browser page on an allowed origin call the API with
// aws-sdk-js-v3: preflights are answered here (before authentication, as a
// preflight carries no signature), and answers to allowed origins expose
// the AWS headers the SDK reads. Off unless Config.CORSOrigins names
// origins ("*" allows any).

// corsExposed are the response headers an SDK in a browser must be able to read.
var corsExposed = strings.Join([]string{
	"x-amzn-requestid", "x-amzn-errortype", "x-amzn-errormessage", "x-amz-request-id", "x-amz-id-2",
	"x-amz-apigw-id", "x-amzn-trace-id", "x-amzn-bedrock-agentcore-runtime-session-id",
	"x-amzn-bedrock-agentcore-runtime-status-code", "content-type", "content-length", "date", "etag",
}, ", ")

// corsMethods are the methods the API's routes use.
const corsMethods = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"

// corsDefaultHeaders are allowed when a preflight names none.
const corsDefaultHeaders = "authorization, content-type, x-amz-date, x-amz-security-token, x-amz-content-sha256, x-amz-user-agent, amz-sdk-invocation-id, amz-sdk-request, x-amzn-bedrock-agentcore-runtime-session-id"

// corsMaxAge is how long (seconds) a browser may cache a preflight answer.
const corsMaxAge = "600"

func corsAllowed(origins []string, origin string) bool {
	return origin != "" && (slices.Contains(origins, "*") || slices.Contains(origins, origin))
}

// withCORS wraps next with the allow-list; no origins leaves next as is.
func withCORS(origins []string, next http.Handler) http.Handler {
	if len(origins) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Add("Vary", "Origin")
		allowed := corsAllowed(origins, origin)
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
			if !allowed {
				http.Error(w, "origin not allowed", http.StatusForbidden)
				return
			}
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Methods", corsMethods)
			// Any header the request asks for: the SDK sends x-amz-* and
			// amz-sdk-* headers whose set grows with its versions, and a
			// signed request fails anyway if a header is not what it says.
			if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
				h.Set("Access-Control-Allow-Headers", req)
			} else {
				h.Set("Access-Control-Allow-Headers", corsDefaultHeaders)
			}
			h.Set("Access-Control-Max-Age", corsMaxAge)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if allowed {
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Expose-Headers", corsExposed)
		}
		next.ServeHTTP(w, r)
	})
}

// ParseOrigins reads a comma-separated allow-list ("" is none).
func ParseOrigins(s string) []string {
	var out []string
	for o := range strings.SplitSeq(s, ",") {
		if o = strings.TrimRight(strings.TrimSpace(o), "/"); o != "" {
			out = append(out, o)
		}
	}
	return out
}
