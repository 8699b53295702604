package server

import (
	"net/http"

	"agentcored/internal/awserr"
	"agentcored/internal/protocol"
)

// edge refuses, before any routing, a request target that is not in the one
// canonical form SDKs send (protocol.CheckPath, protocol.ParseQuery), on
// every route of the port: both API planes, the admin API, health and
// metrics. It runs before the ServeMux, which would otherwise answer a
// non-canonical path ("//runtimes/", "/a/./b", "/a/../b") with a redirect:
// no redirect ever leaves this port. The refusal is a 400 AWS-shaped
// ValidationException, and nothing behind it runs.
func edge(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if aerr := protocol.CheckPath(r.URL.EscapedPath()); aerr != nil {
			protocol.WriteError(w, nil, aerr)
			return
		}
		if _, aerr := protocol.ParseQuery(r.URL.RawQuery); aerr != nil {
			protocol.WriteError(w, nil, aerr)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// noRedirects registers, on the top-level mux, the exact paths for which
// the mux would redirect to a subtree ("/_agentcored" → "/_agentcored/"):
// they answer 404 UnknownOperationException like any unknown path.
func noRedirects(mux *http.ServeMux, subtrees ...string) {
	for _, p := range subtrees {
		mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
			protocol.WriteError(w, nil, awserr.Errorf(awserr.CodeUnknownOperation, "No operation matches %s %s.", r.Method, r.URL.EscapedPath()))
		})
	}
}
