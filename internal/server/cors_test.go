package server_test

import (
	"net/http"
	"strings"
	"testing"

	"agentcored/internal/server"
	"agentcored/internal/testserver"
)

// Raw HTTP preflights and calls against a real server with an allow-list,
// as a browser running aws-sdk-js-v3 sends them.
func TestCORS(t *testing.T) {
	srv := testserver.Start(t, func(c *server.Config) { c.CORSOrigins = []string{"http://app.example:3000"} })
	off := testserver.Start(t)

	do := func(base, method, path string, h map[string]string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, nil)
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	preflight := map[string]string{
		"Origin":                         "http://app.example:3000",
		"Access-Control-Request-Method":  "POST",
		"Access-Control-Request-Headers": "authorization,content-type,x-amz-date,x-amz-user-agent,amz-sdk-invocation-id,amz-sdk-request,x-amz-security-token",
	}
	cases := []struct {
		name        string
		base        func() string
		method      string
		headers     map[string]string
		status      int
		allowOrigin string
		path        string
		check       func(t *testing.T, h http.Header)
	}{
		{name: "preflight of an allowed origin", base: func() string { return srv.URL }, method: http.MethodOptions, headers: preflight,
			status: http.StatusNoContent, allowOrigin: "http://app.example:3000", check: func(t *testing.T, h http.Header) {
				for _, m := range []string{"GET", "POST", "PUT", "DELETE", "PATCH"} {
					if !strings.Contains(h.Get("Access-Control-Allow-Methods"), m) {
						t.Errorf("Allow-Methods %q lacks %s", h.Get("Access-Control-Allow-Methods"), m)
					}
				}
				for _, want := range []string{"authorization", "content-type", "x-amz-date", "x-amz-security-token", "amz-sdk-invocation-id"} {
					if !strings.Contains(h.Get("Access-Control-Allow-Headers"), want) {
						t.Errorf("Allow-Headers %q lacks %s", h.Get("Access-Control-Allow-Headers"), want)
					}
				}
				if h.Get("Access-Control-Max-Age") == "" {
					t.Error("no Max-Age")
				}
			}},
		{name: "preflight naming no headers gets the SDK's", base: func() string { return srv.URL }, method: http.MethodOptions,
			headers: map[string]string{"Origin": "http://app.example:3000", "Access-Control-Request-Method": "GET"},
			status:  http.StatusNoContent, allowOrigin: "http://app.example:3000", check: func(t *testing.T, h http.Header) {
				if !strings.Contains(h.Get("Access-Control-Allow-Headers"), "authorization") || !strings.Contains(h.Get("Access-Control-Allow-Headers"), "x-amz-date") {
					t.Errorf("Allow-Headers %q", h.Get("Access-Control-Allow-Headers"))
				}
			}},
		{name: "preflight of another origin", base: func() string { return srv.URL }, method: http.MethodOptions,
			headers: map[string]string{"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"}, status: http.StatusForbidden},
		{name: "call of an allowed origin exposes the AWS headers", base: func() string { return srv.URL }, method: http.MethodPost,
			headers: map[string]string{"Origin": "http://app.example:3000"}, path: "/runtimes/",
			status: http.StatusOK, allowOrigin: "http://app.example:3000", check: func(t *testing.T, h http.Header) {
				exp := strings.ToLower(h.Get("Access-Control-Expose-Headers"))
				for _, want := range []string{"x-amzn-requestid", "x-amzn-errortype", "x-amz-request-id"} {
					if !strings.Contains(exp, want) {
						t.Errorf("Expose-Headers %q lacks %s", exp, want)
					}
				}
			}},
		{name: "error answers carry CORS headers too", base: func() string { return srv.URL }, method: http.MethodGet,
			headers: map[string]string{"Origin": "http://app.example:3000"}, path: "/runtimes/nope-1234567890/",
			status: http.StatusNotFound, allowOrigin: "http://app.example:3000"},
		{name: "call of another origin gets no CORS headers", base: func() string { return srv.URL }, method: http.MethodPost,
			headers: map[string]string{"Origin": "http://evil.example"}, path: "/runtimes/", status: http.StatusOK},
		{name: "off by default", base: func() string { return off.URL }, method: http.MethodOptions, headers: preflight,
			status: http.StatusNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.path
			if path == "" {
				path = "/runtimes/"
			}
			resp := do(tc.base(), tc.method, path, tc.headers)
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != tc.allowOrigin {
				t.Errorf("Allow-Origin %q, want %q", got, tc.allowOrigin)
			}
			if tc.check != nil {
				tc.check(t, resp.Header)
			}
		})
	}
}
