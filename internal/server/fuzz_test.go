package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"agentcored/internal/dpmodel"
	"agentcored/internal/model"
	"agentcored/internal/server"
	"agentcored/internal/store"
)

// FuzzHandler drives the whole HTTP surface (server.Handler(): the edge,
// both API planes, admin, health) with arbitrary method, request target,
// one header and a body, on a real SQLite store. Invariants: never a 3xx,
// never a 5xx other than 501 NotImplementedException (fault rules the fuzzer adds through the admin API are
// cleared before every request, so nothing is injected), never a panic,
// and every error answer is JSON with a message (and an X-Amzn-ErrorType
// off the admin API). Bounded in CI by scripts/test.sh:
//
//	go test ./internal/server -run '^$' -fuzz '^FuzzHandler$' -fuzztime 20000x
//
// The seeds are every operation of both models: its route with sample
// labels, its query members and a body built from its input shape.
func FuzzHandler(f *testing.F) {
	for _, s := range modelSeeds() {
		f.Add(s.method, s.target, s.header, s.value, s.body)
	}
	for _, target := range []string{"//runtimes/", "/runtimes/./x/", "/runtimes/../runtimes/", "/_agentcored", "/_agentcored/nope",
		"/runtimes/x/?clientToken=%zz", "/runtimes/?maxResults=1&maxResults=2", "/healthz", "/readyz", "/metrics", "/run%74imes/"} {
		f.Add("GET", target, "Content-Type", "application/json", []byte(`{}`))
		f.Add("DELETE", target, "Content-Type", "text/plain", []byte(`{"a":1}}`))
	}

	ctx := context.Background()
	cfg := server.DefaultConfig()
	cfg.DataDir = f.TempDir()
	cfg.ThrottleRate = -1
	cfg.Logger = discardLogger()
	st, err := store.OpenSQLite(ctx, cfg.DataDir)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	srv, err := server.New(ctx, cfg, st)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(srv.Close)
	h := srv.Handler()

	f.Fuzz(func(t *testing.T, method, target, header, value string, body []byte) {
		// What net/http's server would refuse before any handler, the
		// handler never sees: parse the request as the server does.
		raw := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: agentcored\r\n%s: %s\r\nContent-Length: %d\r\n\r\n", method, target, header, value, len(body))
		req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw + string(body))))
		if err != nil || req.Header.Get(header) != value {
			return
		}
		srv.Service().Faults().Remove("") // nothing injected
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		status := rec.Code
		if status >= 300 && status < 400 {
			t.Fatalf("%s %s: redirect %d to %q", method, target, status, rec.Header().Get("Location"))
		}
		// 501 NotImplementedException is a deliberate answer (an operation
		// not built yet), not a failure.
		notBuilt := status == http.StatusNotImplemented && rec.Header().Get("X-Amzn-ErrorType") == "NotImplementedException"
		if status >= 500 && !notBuilt {
			t.Fatalf("%s %s (%s: %s) %q: status %d: %s", method, target, header, value, body, status, rec.Body)
		}
		if status < 400 {
			return
		}
		var e struct {
			Message *string `json:"message"`
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			t.Fatalf("%s %s: error %d with Content-Type %q: %s", method, target, status, ct, rec.Body)
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Message == nil {
			t.Fatalf("%s %s: error %d body is not JSON with a message: %s", method, target, status, rec.Body)
		}
		if !strings.HasPrefix(req.URL.Path, "/_agentcored/") && rec.Header().Get("X-Amzn-ErrorType") == "" {
			t.Fatalf("%s %s: error %d without X-Amzn-ErrorType: %s", method, target, status, rec.Body)
		}
	})
}

type seed struct {
	method, target, header, value string
	body                          []byte
}

// modelSeeds is one well-formed request per operation of both planes.
func modelSeeds() []seed {
	var out []seed
	for _, svc := range []*model.Service{model.Control, dpmodel.Service} {
		for i := range svc.Operations {
			op := &svc.Operations[i]
			in := &svc.Shapes[op.Input]
			path := op.URI
			q := url.Values{}
			header, value := "Content-Type", "application/json"
			for _, m := range in.Members {
				switch m.Location {
				case model.InURI:
					path = strings.Replace(path, "{"+m.LocationName+"}", url.PathEscape(sampleText(&svc.Shapes[m.Shape])), 1)
				case model.InQuery:
					q.Set(m.LocationName, sampleScalar(svc, m.Shape))
				case model.InHeader:
					header, value = m.LocationName, sampleScalar(svc, m.Shape)
				}
			}
			body, _ := json.Marshal(sampleBody(svc, in))
			if in.Payload != "" {
				body = []byte(`{"prompt":"hello"}`)
			}
			target := path
			if len(q) > 0 {
				target += "?" + q.Encode()
			}
			out = append(out, seed{op.Method, target, header, value, body})
		}
	}
	return out
}

// sampleBody is the body members of a structure, each with a sample value.
func sampleBody(svc *model.Service, s *model.Shape) map[string]any {
	doc := map[string]any{}
	for _, m := range s.Members {
		if m.Location == model.InBody {
			doc[m.Name] = sampleValue(svc, m.Shape, 0)
		}
	}
	return doc
}

func sampleValue(svc *model.Service, shape, depth int) any {
	s := &svc.Shapes[shape]
	if depth > 4 {
		return nil
	}
	switch s.Type {
	case model.String:
		return sampleText(s)
	case model.Integer, model.Float:
		if s.HasMin {
			return s.Min
		}
		return 1
	case model.Boolean:
		return true
	case model.Timestamp:
		return 1700000000
	case model.Blob:
		return "aGVsbG8="
	case model.List:
		return []any{sampleValue(svc, s.Member, depth+1)}
	case model.Map:
		return map[string]any{"k": sampleValue(svc, s.Value, depth+1)}
	case model.Structure:
		doc := map[string]any{}
		for _, m := range s.Members {
			doc[m.Name] = sampleValue(svc, m.Shape, depth+1)
			if s.Union {
				break
			}
		}
		return doc
	}
	return map[string]any{}
}

func sampleScalar(svc *model.Service, shape int) string {
	switch v := sampleValue(svc, shape, 0).(type) {
	case string:
		return v
	case []any:
		if s, ok := v[0].(string); ok {
			return s
		}
	case bool:
		return "true"
	case float64:
		return fmt.Sprint(v)
	case int:
		return fmt.Sprint(v)
	}
	return "1"
}

// sampleText is an enum's first value, else a short id-like text of the
// shape's minimum length.
func sampleText(s *model.Shape) string {
	if len(s.Enum) > 0 {
		return s.Enum[0]
	}
	t := "sample-id"
	for s.HasMin && float64(len(t)) < s.Min {
		t += "x"
	}
	return t
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
