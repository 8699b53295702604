package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"agentcored/internal/testserver"
)

// The edge (issue 19): a malformed request target or body answers an
// AWS-shaped 4xx and changes nothing; no redirect ever leaves the port.

// edgeRefused checks a 400 ValidationException whose message mentions want.
func edgeRefused(t *testing.T, what string, r rawResponse, want string) {
	t.Helper()
	if r.status != http.StatusBadRequest {
		t.Fatalf("%s: status %d, want 400: %s", what, r.status, r.body)
	}
	code, body := r.apiError(t)
	if code != "ValidationException" {
		t.Errorf("%s: error type %q, want ValidationException: %s", what, code, r.body)
	}
	if !strings.Contains(body.Message, want) {
		t.Errorf("%s: message %q does not mention %q", what, body.Message, want)
	}
}

// runtimeStatus reads a runtime's status over the wire ("" when it is gone).
func runtimeStatus(t *testing.T, base, id string) string {
	t.Helper()
	r := rawRequest(t, "GET", base+"/runtimes/"+id+"/", "")
	if r.status == http.StatusNotFound {
		return ""
	}
	var out struct{ Status string }
	if r.status != 200 || json.Unmarshal(r.body, &out) != nil {
		t.Fatalf("GetAgentRuntime: %d %s", r.status, r.body)
	}
	return out.Status
}

func TestEdgeMalformedQueryChangesNothing(t *testing.T) {
	srv := testserver.Start(t)
	id, _ := wireCreateRuntime(t, srv.URL, "rt_edge_query")
	before := runtimeStatus(t, srv.URL, id)
	for _, tc := range []struct{ query, want string }{
		{"clientToken=%zz" + strings.Repeat("a", 40), "malformed percent-encoding"},
		{"clientToken=abc%", "malformed percent-encoding"},
		{"client%zzToken=" + strings.Repeat("a", 40), "malformed percent-encoding"},
		{"clientToken=%ff%fe" + strings.Repeat("a", 40), "malformed percent-encoding"}, // not UTF-8
		{"clientToken=" + strings.Repeat("a", 40) + ";x=1", "';'"},
		{"=x", "without a name"},
		{"clientToken=" + strings.Repeat("a", 40) + "&clientToken=" + strings.Repeat("b", 40), "'clientToken' must be sent once"},
	} {
		r := rawRequest(t, "DELETE", srv.URL+"/runtimes/"+id+"/?"+tc.query, "")
		edgeRefused(t, "DELETE ?"+tc.query, r, tc.want)
		if got := runtimeStatus(t, srv.URL, id); got != before {
			t.Fatalf("after DELETE ?%s the runtime is %q, was %q", tc.query, got, before)
		}
	}
	// The same parameter once, well-formed, deletes.
	wireCall(t, srv.URL, "DELETE", "/runtimes/"+id+"/?clientToken="+strings.Repeat("a", 40), "", 202)
}

func TestEdgeRepeatedListQueryMembers(t *testing.T) {
	srv := testserver.Start(t)
	_, arn := wireCreateRuntime(t, srv.URL, "rt_edge_tags")
	tagPath := "/tags/" + url.PathEscape(arn)
	wireCall(t, srv.URL, "POST", tagPath, `{"tags":{"a":"1","b":"2","c":"3"}}`, 204)
	// tagKeys is a list: it may repeat.
	wireCall(t, srv.URL, "DELETE", tagPath+"?tagKeys=a&tagKeys=b", "", 204)
	r := wireCall(t, srv.URL, "GET", tagPath, "", 200)
	if string(r.body) != `{"tags":{"c":"3"}}` {
		t.Errorf("tags after untagging a and b: %s", r.body)
	}
	// maxResults is a scalar: it may not.
	r = rawRequest(t, "POST", srv.URL+"/runtimes/?maxResults=1&maxResults=2", "")
	edgeRefused(t, "maxResults twice", r, "'maxResults' must be sent once")
	for _, q := range []string{"maxResults=0x10", "maxResults=NaN", "maxResults=1_0", "maxResults=1.5", "maxResults=99999999999"} {
		r = rawRequest(t, "POST", srv.URL+"/runtimes/?"+q, "")
		edgeRefused(t, q, r, "maxResults")
	}
}

// rawTarget sends a request line as given (http.NewRequest would refuse or
// clean some of these targets) and reads the answer.
func rawTarget(t *testing.T, base, method, target string) rawResponse {
	t.Helper()
	addr := strings.TrimPrefix(base, "http://")
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(60 * time.Second))
	if _, err := conn.Write([]byte(method + " " + target + " HTTP/1.1\r\nHost: " + addr + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	bufio.NewReader(resp.Body).WriteTo(&b)
	return rawResponse{status: resp.StatusCode, header: resp.Header, body: []byte(b.String())}
}

func TestEdgeNonCanonicalPathsNeverRedirect(t *testing.T) {
	srv := testserver.Start(t)
	id, arn := wireCreateRuntime(t, srv.URL, "rt_edge_paths")
	before := runtimeStatus(t, srv.URL, id)
	for _, tc := range []struct{ method, target string }{
		{"POST", "//runtimes/"},
		{"POST", "/runtimes//"},
		{"GET", "/runtimes/./" + id + "/"},
		{"GET", "/runtimes/../runtimes/" + id + "/"},
		{"POST", "/runtimes/../runtimes/"},
		{"DELETE", "/runtimes/" + id + "/."},
		{"DELETE", "/runtimes/" + id + "/.."},
		{"DELETE", "/runtimes/%2E/" + id + "/"},
		{"DELETE", "/runtimes/%2e%2e/runtimes/" + id + "/"},
		{"DELETE", "/run%74imes/" + id + "/"},   // an escaped unreserved character
		{"DELETE", "/runtimes/" + id + "%zz/"},  // malformed: Go's server refuses it itself
		{"DELETE", "/runtimes/%2Fruntimes%2F/"}, // encoded slashes in a non-greedy label: not an id
		{"GET", "/tags/" + url.PathEscape(arn) + "//"},
		{"GET", "//healthz"},
		{"GET", "/healthz/."},
		{"GET", "/./readyz"},
		{"GET", "/metrics/../metrics"},
		{"GET", "/_agentcored"},
		{"GET", "/_agentcored//faults"},
		{"GET", "/_agentcored/./faults"},
		{"POST", "/_agentcored/../_agentcored/reset"},
		{"GET", "/identities/oauth2/callback/../callback/x"},
		{"GET", "runtimes/"},
	} {
		r := rawTarget(t, srv.URL, tc.method, tc.target)
		if r.status < 400 || r.status >= 500 {
			t.Errorf("%s %s: status %d, want 4xx (Location %q): %s", tc.method, tc.target, r.status, r.header.Get("Location"), r.body)
			continue
		}
		if strings.Contains(tc.target, "%zz") || !strings.HasPrefix(tc.target, "/") {
			continue // net/http's own plain-text 400, before any handler
		}
		if code := r.header.Get("X-Amzn-ErrorType"); code == "" {
			t.Errorf("%s %s: %d without an AWS error type: %s", tc.method, tc.target, r.status, r.body)
		}
		var body map[string]any
		if err := json.Unmarshal(r.body, &body); err != nil || body["message"] == nil {
			t.Errorf("%s %s: error body is not AWS-shaped JSON: %s", tc.method, tc.target, r.body)
		}
	}
	if got := runtimeStatus(t, srv.URL, id); got != before {
		t.Fatalf("the runtime is %q after the refused requests, was %q", got, before)
	}
	// The canonical forms still work, with and without the trailing slash.
	for _, target := range []string{"/runtimes/" + id + "/", "/runtimes/" + id, "/healthz", "/readyz", "/_agentcored/faults", "/tags/" + url.PathEscape(arn)} {
		if r := rawTarget(t, srv.URL, "GET", target); r.status != 200 {
			t.Errorf("GET %s: %d: %s", target, r.status, r.body)
		}
	}
}

func TestEdgeStrictJSONBodies(t *testing.T) {
	srv := testserver.Start(t)
	good := valRuntimeBody(`"rt_edge_body"`, valContainer, valNetwork, "")
	send := func(body, contentType string) rawResponse {
		req, err := http.NewRequest("PUT", srv.URL+"/runtimes/", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		return rawDo(t, req)
	}
	for _, tc := range []struct{ what, body, contentType, want string }{
		{"invalid UTF-8", strings.Replace(good, "rt_edge_body", "rt_edge_\xff", 1), "application/json", "not valid UTF-8"},
		{"trailing brace", good + "}", "application/json", "trailing data"},
		{"trailing value", good + ` {}`, "application/json", "trailing data"},
		{"duplicate key", strings.TrimSuffix(good, "}") + `,"agentRuntimeName":"rt_other"}`, "application/json", "'agentRuntimeName' appears twice"},
		{"nested duplicate key", valRuntimeBody(`"rt_edge_body"`, valContainer, `{"networkMode":"PUBLIC","networkMode":"VPC"}`, ""), "application/json", "at 'networkConfiguration'"},
		{"integer overflow", valRuntimeBody(`"rt_edge_body"`, valContainer, valNetwork, `"lifecycleConfiguration":{"idleRuntimeSessionTimeout":99999999999}`), "application/json", "lifecycleConfiguration.idleRuntimeSessionTimeout"},
		{"float for an integer", valRuntimeBody(`"rt_edge_body"`, valContainer, valNetwork, `"lifecycleConfiguration":{"idleRuntimeSessionTimeout":900.5}`), "application/json", "expected an integer"},
		{"text/plain", good, "text/plain", "Content-Type 'text/plain'"},
		{"form", good, "application/x-www-form-urlencoded", "is not supported"},
		{"latin-1", good, "application/json; charset=iso-8859-1", "charset"},
		{"unparsable content type", good, "application/json; =", "could not be parsed"},
	} {
		r := send(tc.body, tc.contentType)
		edgeRefused(t, tc.what, r, tc.want)
	}
	r := rawRequest(t, "POST", srv.URL+"/runtimes/", "")
	if r.status != 200 || strings.Contains(string(r.body), "rt_edge") {
		t.Fatalf("refused bodies created something: %d %s", r.status, r.body)
	}
	// The body itself was fine, with any JSON content type or none.
	for i, ct := range []string{"application/json", "", "application/x-amz-json-1.1", "application/json; charset=UTF-8"} {
		body := strings.Replace(good, "rt_edge_body", "rt_edge_body"+string(rune('a'+i)), 1)
		if r := send(body, ct); r.status != 202 {
			t.Errorf("Content-Type %q: %d %s", ct, r.status, r.body)
		}
	}
}

// TestSingleWriterDataDir: a second `agentcored serve` on the same SQLite
// data dir refuses to start, naming the first one's pid; after kill -9 of
// the first (the kernel drops its lock) a new one starts on the same data.
func TestSingleWriterDataDir(t *testing.T) {
	bin := buildAgentcored(t)
	dir := t.TempDir()
	first := startAgentProc(t, bin, "--data-dir", dir)
	id, _ := wireCreateRuntime(t, first.URL, "rt_single_writer")

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	second := exec.CommandContext(ctx, bin, "serve", "--listen", "127.0.0.1:0", "--data-dir", dir)
	second.Env = cleanAgentcoredEnv()
	out, err := second.CombinedOutput()
	if err == nil {
		t.Fatalf("a second agentcored on the same data dir ran and exited 0:\n%s", out)
	}
	if ctx.Err() != nil {
		t.Fatalf("the second agentcored did not refuse, it kept running:\n%s", out)
	}
	pid := strconv.Itoa(first.cmd.Process.Pid)
	for _, want := range []string{"data dir in use", dir, "pid " + pid} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the refusal does not say %q:\n%s", want, out)
		}
	}
	// The first is unharmed.
	if got := runtimeStatus(t, first.URL, id); got == "" {
		t.Fatalf("the runtime is gone from the first server")
	}

	first.kill()
	third := startAgentProc(t, bin, "--data-dir", dir)
	if got := runtimeStatus(t, third.URL, id); got == "" {
		t.Fatalf("the runtime is missing after the restart")
	}
}

// cleanAgentcoredEnv is the environment without AGENTCORED_* variables.
func cleanAgentcoredEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AGENTCORED_") {
			env = append(env, kv)
		}
	}
	return env
}
