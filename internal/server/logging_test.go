package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	ctl "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"

	"agentcored/internal/auth"
	"agentcored/internal/server"
	"agentcored/internal/testserver"
)

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestAccessLog: one JSON line at info level per API request, with the
// request id the client saw, account, operation, status and duration, and
// never the request body, a secret or a signature.
func TestAccessLog(t *testing.T) {
	var sink syncBuffer
	srv := testserver.Start(t, func(c *server.Config) {
		c.Logger = slog.New(slog.NewJSONHandler(&sink, &slog.HandlerOptions{Level: slog.LevelInfo}))
	})
	c := srv.Client(t)
	ctx := context.Background()
	const secret = "sk-LOGTEST-must-never-be-logged"
	created, err := c.CreateApiKeyCredentialProvider(ctx, &ctl.CreateApiKeyCredentialProviderInput{
		Name: aws.String("logged_provider"), ApiKey: aws.String(secret)})
	if err != nil {
		t.Fatal(err)
	}
	createID, _ := awsmiddleware.GetRequestIDMetadata(created.ResultMetadata)
	if _, err := c.GetAgentRuntime(ctx, &ctl.GetAgentRuntimeInput{AgentRuntimeId: aws.String("missing-0123456789")}); err == nil {
		t.Fatal("GetAgentRuntime of a missing runtime succeeded")
	}

	type line struct {
		Level      string   `json:"level"`
		Msg        string   `json:"msg"`
		RequestID  string   `json:"requestId"`
		Account    string   `json:"account"`
		Region     string   `json:"region"`
		Operation  string   `json:"operation"`
		Status     int      `json:"status"`
		DurationMs *float64 `json:"durationMs"`
		ErrorCode  string   `json:"errorCode"`
	}
	var lines []line
	for _, raw := range strings.Split(strings.TrimSpace(sink.String()), "\n") {
		var l line
		if err := json.Unmarshal([]byte(raw), &l); err != nil {
			t.Fatalf("log line %q is not JSON: %v", raw, err)
		}
		if l.Msg == "request" {
			lines = append(lines, l)
		}
	}
	if len(lines) != 2 {
		t.Fatalf("%d access log lines, want 2:\n%s", len(lines), sink.String())
	}
	create, get := lines[0], lines[1]
	if create.Level != "INFO" || create.RequestID == "" || create.RequestID != createID || create.Account != "123456789012" ||
		create.Region != "us-east-1" || create.Operation != "CreateApiKeyCredentialProvider" || create.Status != 201 ||
		create.DurationMs == nil || *create.DurationMs < 0 || create.ErrorCode != "" {
		t.Errorf("create line %+v (client saw request id %q)", create, createID)
	}
	if get.Operation != "GetAgentRuntime" || get.Status != 404 || get.ErrorCode != "ResourceNotFoundException" {
		t.Errorf("get line %+v", get)
	}
	for _, never := range []string{secret, auth.DefaultSecretAccessKey, "Signature=", "apiKey"} {
		if strings.Contains(sink.String(), never) {
			t.Errorf("the log contains %q:\n%s", never, sink.String())
		}
	}
}

// TestAccessLogLevel: at warn level the access log is silent.
func TestAccessLogLevel(t *testing.T) {
	var sink syncBuffer
	srv := testserver.Start(t, func(c *server.Config) {
		c.Logger = slog.New(slog.NewJSONHandler(&sink, &slog.HandlerOptions{Level: slog.LevelWarn}))
	})
	if _, err := srv.Client(t).ListAgentRuntimes(context.Background(), &ctl.ListAgentRuntimesInput{}); err != nil {
		t.Fatal(err)
	}
	if s := sink.String(); s != "" {
		t.Fatalf("warn-level log got %q", s)
	}
}
