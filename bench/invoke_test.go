package bench

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	acc "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"

	"agentcored/internal/testserver"
)

// BenchmarkInvokeAgentRuntime compares calling a local agent directly with
// calling it through agentcored's InvokeAgentRuntime (same client, same
// payload, real loopback HTTP): "direct" POSTs to the agent's /invocations,
// "agentcored" to /runtimes/{arn}/invocations, which resolves the runtime
// and session and forwards. The ratio of the two is issue 20's target
// (≥ 0.7). The *FirstByte pair measures the time to the first byte of a
// streamed answer (ttfb-ns/op), whose difference must stay ≤ 1 ms.
func BenchmarkInvokeAgentRuntime(b *testing.B) {
	agent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.URL.Query().Get("stream") != "" || strings.Contains(string(body), `"stream":true`) {
			w.Header().Set("Content-Type", "text/event-stream")
			w.Write([]byte("data: {\"part\":1}\n\n"))
			w.(http.Flusher).Flush()
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	defer agent.Close()

	srv := testserver.Start(b, quiet)
	out, err := srv.Client(b).CreateAgentRuntime(context.Background(), &acc.CreateAgentRuntimeInput{
		AgentRuntimeName: aws.String("bench_invoke"),
		AgentRuntimeArtifact: &types.AgentRuntimeArtifactMemberContainerConfiguration{Value: types.ContainerConfiguration{
			ContainerUri: aws.String("123456789012.dkr.ecr.us-east-1.amazonaws.com/bench:latest")}},
		RoleArn:              aws.String("arn:aws:iam::123456789012:role/Bench"),
		NetworkConfiguration: &types.NetworkConfiguration{NetworkMode: types.NetworkModePublic},
		EnvironmentVariables: map[string]string{"AGENTCORED_AGENT_URL": agent.URL},
	})
	if err != nil {
		b.Fatal(err)
	}
	through := srv.URL + "/runtimes/" + url.PathEscape(aws.ToString(out.AgentRuntimeArn)) + "/invocations"
	direct := agent.URL + "/invocations"
	payload := `{"prompt":"` + strings.Repeat("x", 1000) + `"}`
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	const session = "bench-session-0123456789abcdefghijklmnop"

	post := func(b *testing.B, target, body string) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, target, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id", session)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK {
			msg, _ := io.ReadAll(resp.Body)
			b.Fatalf("%s: %d %s", target, resp.StatusCode, msg)
		}
		return resp
	}
	for _, tc := range []struct{ name, target string }{{"direct", direct}, {"agentcored", through}} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				resp := post(b, tc.target, payload)
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
	for _, tc := range []struct{ name, target string }{{"directFirstByte", direct}, {"agentcoredFirstByte", through}} {
		b.Run(tc.name, func(b *testing.B) {
			var first time.Duration
			for b.Loop() {
				start := time.Now()
				resp := post(b, tc.target, `{"stream":true}`)
				if _, err := bufio.NewReader(resp.Body).ReadByte(); err != nil {
					b.Fatal(err)
				}
				first += time.Since(start)
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			b.ReportMetric(float64(first.Nanoseconds())/float64(b.N), "ttfb-ns/op")
		})
	}
}
