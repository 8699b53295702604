package e2e

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ctl "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"

	"agentcored/internal/testserver"
)

const azTenMiB = 10 << 20

// azOversized sends a 10 MiB body to CreateAgentRuntime and checks the
// clean 413 in the AWS error shape. chunked hides the length, so that the
// server has to find out by reading.
func azOversized(t *testing.T, srv *testserver.Server, body []byte, chunked bool) {
	t.Helper()
	var r io.Reader = bytes.NewReader(body)
	if chunked {
		r = io.MultiReader(r) // no Len method: sent without Content-Length
	}
	req, err := http.NewRequest("PUT", srv.URL+"/runtimes/", r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp := rawDo(t, req)
	code, e := resp.apiError(t)
	if resp.status != 413 || code != "RequestEntityTooLargeException" || !strings.HasPrefix(e.Message, "Request body exceeds ") {
		t.Fatalf("chunked=%v: got %d %s %q, want 413 RequestEntityTooLargeException", chunked, resp.status, code, e.Message)
	}
	if resp.header.Get("x-amzn-RequestId") == "" || resp.header.Get("Content-Type") != "application/json" {
		t.Errorf("chunked=%v: headers %v", chunked, resp.header)
	}
}

// TestLimitBodySize: a 10 MiB body gets a clean 413, announced or not, and
// the server does not keep (or, when the length is announced, even read)
// such bodies: the heap does not grow by the body's size per request.
func TestLimitBodySize(t *testing.T) {
	srv := testserver.Start(t)
	body := bytes.Repeat([]byte("x"), azTenMiB)
	azOversized(t, srv, body, false)
	azOversized(t, srv, body, true)

	// The SDK decodes the answer as an API error with its code and status.
	_, err := srv.Client(t).CreateAgentRuntime(context.Background(), &ctl.CreateAgentRuntimeInput{
		AgentRuntimeName: aws.String("az_big"), Description: aws.String(string(body[:7<<20])),
		AgentRuntimeArtifact: rtContainer(rtImage), RoleArn: aws.String(rtRole), NetworkConfiguration: rtPublic(),
	})
	azWant(t, "SDK CreateAgentRuntime with a 7 MiB description", err, "RequestEntityTooLargeException", 413, "")

	// Heap after a few announced 10 MiB requests. The client sends from the
	// one shared buffer, so what is left is what the server kept.
	const n = 5
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range n {
		azOversized(t, srv, body, false)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	grown := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	allocated := int64(after.TotalAlloc - before.TotalAlloc)
	t.Logf("%d requests of 10 MiB: heap grew %d KiB, %d KiB allocated in all", n, grown>>10, allocated>>10)
	if grown > azTenMiB {
		t.Errorf("heap grew by %d bytes over %d requests of 10 MiB: the server keeps request bodies", grown, n)
	}
	// Loose: bounds what the in-process client and server allocate per
	// request, far below the 6 MiB the server would buffer had it read
	// the body up to the limit.
	if allocated/n > 2<<20 {
		t.Errorf("%d bytes allocated per refused request: the server reads announced oversized bodies", allocated/n)
	}
}
