package e2e

// The console invokes a runtime and shows the streamed answer as it comes;
// a memory's page lists its records. Driven in headless Chromium.

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	dp "github.com/aws/aws-sdk-go-v2/service/bedrockagentcore"
	dptypes "github.com/aws/aws-sdk-go-v2/service/bedrockagentcore/types"
	"github.com/chromedp/chromedp"

	"agentcored/internal/auth"
	"agentcored/internal/server"
	"agentcored/internal/testserver"
)

// countOf answers how many elements match sel.
func countOf(t *testing.T, ctx context.Context, sel string) int {
	t.Helper()
	return value(t, ctx, "count "+sel, chromedp.Evaluate[int](`document.querySelectorAll(`+jsString(sel)+`).length`))
}

// waitURL polls until the page's address contains part (a click navigated).
func waitURL(t *testing.T, ctx context.Context, part string) {
	t.Helper()
	eventually(t, "the address has "+part, func() (bool, error) {
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`))
		return strings.Contains(s, part) && err == nil, err
	})
}

func TestConsoleInvokeStreams(t *testing.T) {
	ctx := browser(t)
	agent := startAgent(t, "console_streamer")
	srv := testserver.Start(t)
	rt := invokeRuntime(t, srv.Client(t), "console_stream_agent", agent.URL, nil)
	console := srv.URL + "/_agentcored/console/"

	run(t, ctx, "open the runtime", chromedp.Navigate(console+"runtimes/"+*rt.AgentRuntimeId),
		chromedp.WaitVisible(chromedp.CSS(`#invoke-form`)))
	opts := value(t, ctx, "read the qualifiers", chromedp.Evaluate[[]string](
		`Array.prototype.map.call(document.querySelectorAll("#invoke-qualifier option"), function (o) { return o.value; })`))
	if strings.Join(opts, ",") != "DEFAULT" {
		t.Errorf("qualifier options %v, want the runtime's endpoints [DEFAULT]", opts)
	}
	const session = "console-session-0123456789abcdef0123456789"
	run(t, ctx, "invoke with a streamed answer",
		chromedp.SetValue(chromedp.CSS(`#invoke-payload`), `{"stream": true}`),
		chromedp.SetValue(chromedp.CSS(`#invoke-session`), session),
		chromedp.Click(chromedp.CSS(`#invoke-submit`)))
	// The first event is on the page while the agent still holds the second.
	waitText(t, ctx, `#invoke-events li:nth-child(1)`, `{"part":1}`)
	if n := countOf(t, ctx, `#invoke-events li`); n != 1 {
		t.Fatalf("%d events shown before the agent sent the second", n)
	}
	if got := textOf(t, ctx, `#invoke-session-id`); got != session {
		t.Errorf("session shown %q, want %s", got, session)
	}
	screenshot(t, ctx, "invoke-streaming")
	close(agent.release)
	waitText(t, ctx, `#invoke-events li:nth-child(2)`, `{"part":2}`)
	waitText(t, ctx, `#invoke-state`, "done (200)")
	agent.mu.Lock()
	waited := agent.waited
	agent.mu.Unlock()
	if waited {
		t.Error("the agent gave up waiting: the first event was not shown before the answer ended")
	}
	if h := agent.lastHeaders(t).Get("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"); h != session {
		t.Errorf("agent saw session %q", h)
	}

	// A JSON answer is shown as text, with a session id made for it.
	value(t, ctx, "clear the session id", chromedp.Evaluate[bool](`(document.getElementById("invoke-session").value = "") === ""`))
	run(t, ctx, "invoke with a JSON answer",
		chromedp.SetValue(chromedp.CSS(`#invoke-payload`), `{"prompt": "hi"}`),
		chromedp.Click(chromedp.CSS(`#invoke-submit`)))
	waitText(t, ctx, `#invoke-state`, "done (200)")
	if got := textOf(t, ctx, `#invoke-output`); !strings.Contains(got, `"echo":"hi"`) {
		t.Errorf("JSON answer shown as %q", got)
	}
	if got := textOf(t, ctx, `#invoke-session-id`); len(got) < 33 || got == session {
		t.Errorf("new session id %q", got)
	}

	// An invalid session id is the API's ValidationException.
	run(t, ctx, "invoke with a short session id",
		chromedp.SetValue(chromedp.CSS(`#invoke-session`), "short"),
		chromedp.Click(chromedp.CSS(`#invoke-submit`)))
	waitText(t, ctx, `#invoke-state`, "failed")
	if got := textOf(t, ctx, `#invoke-error`); !strings.HasPrefix(got, "400 ValidationException") || !strings.Contains(got, "runtimeSessionId") {
		t.Errorf("short session id shows %q", got)
	}
	// An agent's failure is the API's 424 RuntimeClientError.
	value(t, ctx, "clear the session id again", chromedp.Evaluate[bool](`(document.getElementById("invoke-session").value = "") === ""`))
	run(t, ctx, "invoke an agent that fails",
		chromedp.SetValue(chromedp.CSS(`#invoke-payload`), `{"fail": true}`),
		chromedp.Click(chromedp.CSS(`#invoke-submit`)))
	waitText(t, ctx, `#invoke-state`, "failed")
	if got := textOf(t, ctx, `#invoke-error`); !strings.HasPrefix(got, "424 RuntimeClientError") || !strings.Contains(got, "Received error (500)") {
		t.Errorf("failing agent shows %q", got)
	}
}

// TestConsoleInvokeStrict: in strict mode the invocation runs as the
// signed-in account: its own unbound runtime answers 424 RuntimeClientError,
// another account's runtime is not found.
func TestConsoleInvokeStrict(t *testing.T) {
	const keyA, secretA, accountA = "AKIACONSOLEINVOKEA001", "secret-of-invoke-a", "111122223333"
	srv := testserver.Start(t, func(c *server.Config) {
		c.Auth = auth.Strict
		c.Credentials = []auth.Credential{{AccessKeyID: keyA, SecretAccessKey: secretA, AccountID: accountA}, azCredB()}
	})
	mine := invokeRuntime(t, srv.ClientAs(t, keyA, secretA, "us-east-1"), "unbound_of_a", "", nil)
	theirs := invokeRuntime(t, srv.ClientAs(t, azKeyB, azSecretB, "us-east-1"), "runtime_of_b", "", nil)
	console := srv.URL + "/_agentcored/console/"

	ctx := browser(t)
	run(t, ctx, "sign in as A", chromedp.Navigate(console+"runtimes/"+*mine.AgentRuntimeId),
		chromedp.WaitVisible(chromedp.CSS(`#accessKeyId`)),
		chromedp.SetValue(chromedp.CSS(`#accessKeyId`), keyA), chromedp.SetValue(chromedp.CSS(`#secretAccessKey`), secretA),
		chromedp.Click(chromedp.CSS(`#signin`)), chromedp.WaitVisible(chromedp.CSS(`#invoke-form`)))
	run(t, ctx, "invoke the unbound runtime", chromedp.Click(chromedp.CSS(`#invoke-submit`)))
	waitText(t, ctx, `#invoke-state`, "failed")
	if got := textOf(t, ctx, `#invoke-error`); !strings.HasPrefix(got, "424 RuntimeClientError") || !strings.Contains(got, "not bound") {
		t.Errorf("unbound runtime shows %q", got)
	}
	screenshot(t, ctx, "invoke-unbound")
	// A POST for B's runtime from A's session: not found for A.
	js := fmt.Sprintf(`fetch(%s, {method: "POST", credentials: "same-origin", body: new URLSearchParams({payload: "{}"})})
		.then(function (r) { return r.status + " " + r.headers.get("X-Amzn-ErrorType"); })`,
		jsString(console+"runtimes/"+*theirs.AgentRuntimeId+"/invoke"))
	got := value(t, ctx, "invoke B's runtime", chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if got != "404 ResourceNotFoundException" {
		t.Errorf("A invoking B's runtime: %s", got)
	}
}

func TestConsoleMemoryRecords(t *testing.T) {
	ctx := browser(t)
	srv := testserver.Start(t)
	c := srv.DataClient(t)
	mem, _ := mrecMemory(t, srv, srv.Client(t), "console_records", false)
	now := time.Now()
	var recs []dptypes.MemoryRecordCreateInput
	for i := 0; i < 51; i++ {
		recs = append(recs, dptypes.MemoryRecordCreateInput{RequestIdentifier: aws.String(fmt.Sprintf("r%02d", i)),
			Namespaces: []string{"/facts/u1"}, Content: &dptypes.MemoryContentMemberText{Value: fmt.Sprintf("fact %02d", i)},
			Timestamp: aws.Time(now)})
	}
	recs = append(recs, dptypes.MemoryRecordCreateInput{RequestIdentifier: aws.String("other"),
		Namespaces: []string{"/prefs/u1"}, Content: &dptypes.MemoryContentMemberText{Value: "likes tea"}, Timestamp: aws.Time(now)})
	out, err := c.BatchCreateMemoryRecords(context.Background(), &dp.BatchCreateMemoryRecordsInput{MemoryId: aws.String(mem), Records: recs})
	if err != nil || len(out.SuccessfulRecords) != len(recs) {
		t.Fatalf("BatchCreateMemoryRecords: %v %+v", err, out)
	}
	console := srv.URL + "/_agentcored/console/"

	run(t, ctx, "open the memory", chromedp.Navigate(console+"memories/"+mem), chromedp.WaitVisible(chromedp.CSS(`#browse-records`)))
	run(t, ctx, "browse its records", chromedp.Click(chromedp.CSS(`#browse-records`)), chromedp.WaitVisible(chromedp.CSS(`#records`)))
	if n := countOf(t, ctx, `#records tbody tr`); n != 50 {
		t.Errorf("first page shows %d records, want 50", n)
	}
	run(t, ctx, "filter by namespace", chromedp.SetValue(chromedp.CSS(`#namespace`), "/prefs/"),
		chromedp.Click(chromedp.CSS(`#filter`)))
	waitURL(t, ctx, "namespace=%2Fprefs%2F")
	run(t, ctx, "wait for the records", chromedp.WaitVisible(chromedp.CSS(`#records`)))
	if n := countOf(t, ctx, `#records tbody tr`); n != 1 || !strings.Contains(textOf(t, ctx, `#records td.content`), "likes tea") {
		t.Errorf("namespace /prefs/ shows %d records", n)
	}
	screenshot(t, ctx, "memory-records")
	run(t, ctx, "filter /facts/", chromedp.SetValue(chromedp.CSS(`#namespace`), "/facts/"),
		chromedp.Click(chromedp.CSS(`#filter`)))
	waitURL(t, ctx, "namespace=%2Ffacts%2F")
	run(t, ctx, "wait for the pager", chromedp.WaitVisible(chromedp.CSS(`a[rel="next"]`)))
	if n := countOf(t, ctx, `#records tbody tr`); n != 50 {
		t.Errorf("/facts/ first page shows %d records", n)
	}
	run(t, ctx, "next page", chromedp.Click(chromedp.CSS(`a[rel="next"]`)))
	waitURL(t, ctx, "next=")
	run(t, ctx, "wait for the records", chromedp.WaitVisible(chromedp.CSS(`#records`)))
	if n := countOf(t, ctx, `#records tbody tr`); n != 1 {
		t.Errorf("/facts/ second page shows %d records, want 1", n)
	}
	if countOf(t, ctx, `a[rel="next"]`) != 0 {
		t.Error("the last page has a next link")
	}
	run(t, ctx, "filter a namespace with nothing", chromedp.SetValue(chromedp.CSS(`#namespace`), "/none/"),
		chromedp.Click(chromedp.CSS(`#filter`)), chromedp.WaitVisible(chromedp.CSS(`#no-records`)))
}
