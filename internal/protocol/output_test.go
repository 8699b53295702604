package protocol

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"agentcored/internal/dpapi"
)

// streamingHandlers answers InvokeAgentRuntime with a stream the test
// writes to, piece by piece.
type streamingHandlers struct {
	dpapi.UnimplementedHandlers
	body io.ReadCloser
}

func (h streamingHandlers) InvokeAgentRuntime(context.Context, *dpapi.InvokeAgentRuntimeRequest) (*dpapi.InvokeAgentRuntimeResponse, error) {
	status := int64(202)
	return &dpapi.InvokeAgentRuntimeResponse{RuntimeSessionId: "s-0123456789abcdef0123456789abcdef", ContentType: "text/event-stream",
		StatusCode: &status, Response: h.body}, nil
}

// TestStreamedPayloadOutput: header members become headers, statusCode the
// status, and the streamed payload reaches the client chunk by chunk (the
// second chunk is written only after the client read the first).
func TestStreamedPayloadOutput(t *testing.T) {
	pr, pw := io.Pipe()
	srv := httptest.NewServer(New(DataPlane(streamingHandlers{body: pr})))
	defer srv.Close()
	defer pw.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/runtimes/"+escapedARN+"/invocations", strings.NewReader(`{}`))
	req.Header.Set("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id", "0123456789abcdef0123456789abcdef-s")
	go pw.Write([]byte("data: 1\n\n"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 202 || resp.Header.Get("Content-Type") != "text/event-stream" ||
		resp.Header.Get("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id") != "s-0123456789abcdef0123456789abcdef" {
		t.Errorf("status %d, headers %v", resp.StatusCode, resp.Header)
	}
	r := bufio.NewReader(resp.Body)
	if line, err := r.ReadString('\n'); err != nil || line != "data: 1\n" {
		t.Fatalf("first chunk %q %v", line, err)
	}
	go func() { pw.Write([]byte("data: 2\n\n")); pw.Close() }()
	rest, err := io.ReadAll(r)
	if err != nil || string(rest) != "\ndata: 2\n\n" {
		t.Errorf("rest %q %v", rest, err)
	}
	if strings.Contains(string(rest), "runtimeSessionId") {
		t.Errorf("header members leaked into the body: %q", rest)
	}
}
