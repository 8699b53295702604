package e2e

// The web console in a real browser: headless Chromium driven with
// chromedp. Resources are made through the Go SDK; the tests assert what a
// person sees. Screenshots go to $AGENTCORED_SCREENSHOTS when set (the
// ones in docs/console/ were made so), else to a temporary directory.

import (
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	acc "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"
	"github.com/chromedp/chromedp"

	"agentcored/internal/auth"
	"agentcored/internal/server"
	"agentcored/internal/testserver"
)

// browser starts headless Chromium for one test, or skips when there is
// none (CI installs the Debian package chromium).
func browser(t *testing.T) context.Context {
	t.Helper()
	var path string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		t.Skip("chromium is not installed")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.WindowSize(1280, 900), chromedp.Flag("disable-dev-shm-usage", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	// The first run starts the browser; its context must have no timeout.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	// A generous bound for the steps, that only ends a broken run.
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancelTimeout)
	return ctx
}

func run(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// screenshot saves the whole page as name.png (quality 100 is PNG).
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("AGENTCORED_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	png := value(t, ctx, "screenshot "+name, chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// textOf reads the text of the first element matching sel.
func textOf(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return strings.TrimSpace(value(t, ctx, "read "+sel, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible)))
}

// value runs one action and answers its value.
func value[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// waitText polls until the element sel shows want (the page updates itself).
func waitText(t *testing.T, ctx context.Context, sel, want string) {
	t.Helper()
	eventually(t, sel+" shows "+want, func() (bool, error) {
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(function(){var e=document.querySelector(`+jsString(sel)+`);return e?e.textContent:"";})()`))
		return strings.TrimSpace(s) == want, err
	})
}

func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

func TestConsoleBrowser(t *testing.T) {
	ctx := browser(t)
	srv := testserver.Start(t)
	c := srv.Client(t)
	bg := context.Background()
	console := srv.URL + "/_agentcored/console/"

	keep := rtCreateTagged(t, c, "console_keep", map[string]string{"team": "blue"})
	doomed := rtCreate(t, c, "console_doomed")
	if _, err := c.CreateMemory(bg, &acc.CreateMemoryInput{Name: aws.String("console_memory"), EventExpiryDuration: aws.Int32(30),
		MemoryStrategies: []types.MemoryStrategyInput{memSemantic("facts")}}); err != nil {
		t.Fatal(err)
	}

	// The overview counts what exists.
	run(t, ctx, "open the overview", chromedp.Navigate(console), chromedp.WaitVisible(chromedp.CSS(`#counts`)))
	if got := textOf(t, ctx, `tr[data-family="runtimes"] td.num`); got != "2" {
		t.Errorf("overview counts %s runtimes, want 2", got)
	}
	if got := textOf(t, ctx, `tr[data-family="memories"] td.num`); got != "1" {
		t.Errorf("overview counts %s memories, want 1", got)
	}
	waitText(t, ctx, `#live`, "live")
	screenshot(t, ctx, "overview")

	// The list shows names and statuses; a runtime created while it is
	// open appears without a reload.
	run(t, ctx, "open the runtimes list", chromedp.Navigate(console+"runtimes/"), chromedp.WaitVisible(chromedp.CSS(`#resources`)))
	row := `tr[data-id="` + *keep.AgentRuntimeId + `"]`
	if got := textOf(t, ctx, row+` th`); got != "console_keep" {
		t.Errorf("list shows name %q", got)
	}
	if got := textOf(t, ctx, row+` .status`); got != "READY" {
		t.Errorf("list shows status %q", got)
	}
	waitText(t, ctx, `#live`, "live")
	value(t, ctx, "mark the page", chromedp.Evaluate[bool](`window.__noReload = true`))
	start := time.Now()
	late := rtCreate(t, c, "console_late")
	waitText(t, ctx, `tr[data-id="`+*late.AgentRuntimeId+`"] th`, "console_late")
	t.Logf("a runtime created through the SDK appeared in the open list after %v", time.Since(start))
	// ... and one created through boto3, as a Python test suite would.
	if py, err := exec.LookPath("python3"); err == nil && exec.Command(py, "-c", "import boto3").Run() == nil {
		script := `import boto3
c = boto3.client("bedrock-agentcore-control", region_name="us-east-1", aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
    aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
r = c.create_agent_runtime(agentRuntimeName="console_boto3", roleArn="` + rtRole + `",
    agentRuntimeArtifact={"containerConfiguration": {"containerUri": "` + rtImage + `"}},
    networkConfiguration={"networkMode": "PUBLIC"})
print(r["agentRuntimeId"])
`
		cmd := exec.Command(py, "-c", script)
		cmd.Env = append(cleanAWSEnv(), "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL="+srv.URL)
		start := time.Now()
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("boto3 create_agent_runtime: %v %s", err, out)
		}
		id := strings.TrimSpace(string(out))
		waitText(t, ctx, `tr[data-id="`+id+`"] th`, "console_boto3")
		t.Logf("a runtime created through boto3 appeared in the open list %v after boto3 started", time.Since(start))
	}
	screenshot(t, ctx, "runtimes")

	// A status change arrives live on the detail page: manual lifecycle,
	// an update (UPDATING), then an advance through the admin API (READY).
	setLifecycle(t, srv.URL, "runtimes", "manual")
	run(t, ctx, "open the detail page", chromedp.Navigate(console+"runtimes/"+*keep.AgentRuntimeId), chromedp.WaitVisible(chromedp.CSS(`#resource-status`)))
	if got := textOf(t, ctx, `#tags`); !strings.Contains(got, "team") || !strings.Contains(got, "blue") {
		t.Errorf("tags table shows %q", got)
	}
	waitText(t, ctx, `#live`, "live")
	value(t, ctx, "mark the page", chromedp.Evaluate[bool](`window.__noReload = true`))
	if _, err := c.UpdateAgentRuntime(bg, &acc.UpdateAgentRuntimeInput{AgentRuntimeId: keep.AgentRuntimeId,
		AgentRuntimeArtifact: rtContainer(rtImage2), RoleArn: aws.String(rtRole), NetworkConfiguration: rtPublic()}); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `#resource-status`, "UPDATING")
	screenshot(t, ctx, "runtime-updating")
	advanceOne(t, srv.URL, "runtime", *keep.AgentRuntimeId)
	waitText(t, ctx, `#resource-status`, "READY")
	if !value(t, ctx, "check the page was not reloaded", chromedp.Evaluate[bool](`window.__noReload === true`)) {
		t.Error("the page was reloaded instead of updated in place")
	}
	waitText(t, ctx, `table[data-child="versions"] tbody tr:last-child td`, "2")
	setLifecycle(t, srv.URL, "runtimes", "immediate")

	// Tags edited in the page reach the API.
	run(t, ctx, "edit tags", chromedp.SetValue(chromedp.CSS(`#tags-input`), "team=green\nowner=console"),
		chromedp.Click(chromedp.CSS(`#tags-input + button`)), chromedp.WaitVisible(chromedp.CSS(`.notice`)))
	tags, err := c.ListTagsForResource(bg, &acc.ListTagsForResourceInput{ResourceArn: keep.AgentRuntimeArn})
	if err != nil {
		t.Fatal(err)
	}
	if len(tags.Tags) != 2 || tags.Tags["team"] != "green" || tags.Tags["owner"] != "console" {
		t.Errorf("tags after the edit: %v", tags.Tags)
	}
	screenshot(t, ctx, "runtime-detail")

	// A delete from the UI, after its confirmation page, reaches the API.
	run(t, ctx, "delete through the UI", chromedp.Navigate(console+"runtimes/"+*doomed.AgentRuntimeId),
		chromedp.Click(chromedp.CSS(`a.button.danger`)), chromedp.WaitVisible(chromedp.CSS(`#confirm-delete`)))
	screenshot(t, ctx, "delete-confirm")
	run(t, ctx, "confirm", chromedp.Click(chromedp.CSS(`#confirm-delete`)), chromedp.WaitVisible(chromedp.CSS(`.notice`)))
	eventually(t, "the runtime deleted from the console is gone from the API", func() (bool, error) {
		_, err := c.GetAgentRuntime(bg, &acc.GetAgentRuntimeInput{AgentRuntimeId: doomed.AgentRuntimeId})
		var nf *types.ResourceNotFoundException
		if errors.As(err, &nf) {
			return true, nil
		}
		return false, nil
	})
	if n := value(t, ctx, "count rows", chromedp.Evaluate[int](`document.querySelectorAll('tr[data-id="`+*doomed.AgentRuntimeId+`"]').length`)); n != 0 {
		t.Error("the deleted runtime is still listed")
	}

	// The admin page and the memory detail (strategies) render.
	run(t, ctx, "open admin", chromedp.Navigate(console+"admin"), chromedp.WaitVisible(chromedp.CSS(`#policies`)))
	screenshot(t, ctx, "admin")
	run(t, ctx, "open memories", chromedp.Navigate(console+"memories/"), chromedp.WaitVisible(chromedp.CSS(`#resources a`)),
		chromedp.Click(chromedp.CSS(`#resources th a`)), chromedp.WaitVisible(chromedp.CSS(`#strategies-h`)))
	screenshot(t, ctx, "memory-detail")
}

// In strict mode the console shows the signed-in key's account only.
func TestConsoleStrictIsolation(t *testing.T) {
	const keyA, secretA, accountA = "AKIACONSOLEA00000001", "secret-of-console-a", "111122223333"
	srv := testserver.Start(t, func(c *server.Config) {
		c.Auth = auth.Strict
		c.Credentials = []auth.Credential{{AccessKeyID: keyA, SecretAccessKey: secretA, AccountID: accountA}, azCredB()}
	})
	a := srv.ClientAs(t, keyA, secretA, "us-east-1")
	b := srv.ClientAs(t, azKeyB, azSecretB, "us-east-1")
	mine := rtCreate(t, a, "visible_to_a")
	theirs := rtCreate(t, b, "secret_of_b")
	console := srv.URL + "/_agentcored/console/"

	// Without signing in there is nothing to see.
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, path := range []string{"", "runtimes/", "runtimes/" + *theirs.AgentRuntimeId, "admin", "events"} {
		resp, err := noRedirect.Get(console + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET %s without a session: %d", path, resp.StatusCode)
		}
	}

	ctx := browser(t)
	run(t, ctx, "open the console", chromedp.Navigate(console+"runtimes/"), chromedp.WaitVisible(chromedp.CSS(`#accessKeyId`)))
	run(t, ctx, "sign in with a wrong secret", chromedp.SetValue(chromedp.CSS(`#accessKeyId`), keyA),
		chromedp.SetValue(chromedp.CSS(`#secretAccessKey`), "wrong"), chromedp.Click(chromedp.CSS(`#signin`)),
		chromedp.WaitVisible(chromedp.CSS(`p.error`)))
	screenshot(t, ctx, "signin")
	run(t, ctx, "sign in as A", chromedp.SetValue(chromedp.CSS(`#accessKeyId`), keyA),
		chromedp.SetValue(chromedp.CSS(`#secretAccessKey`), secretA), chromedp.Click(chromedp.CSS(`#signin`)),
		chromedp.WaitVisible(chromedp.CSS(`#resources`)))
	if got := textOf(t, ctx, `#account`); got != accountA {
		t.Errorf("signed in as account %q, want %s", got, accountA)
	}
	html := value(t, ctx, "read the list", chromedp.OuterHTML(chromedp.CSS(`html`)))
	if !strings.Contains(html, *mine.AgentRuntimeId) {
		t.Error("A's runtime is not listed")
	}
	if strings.Contains(html, *theirs.AgentRuntimeId) || strings.Contains(html, "secret_of_b") {
		t.Error("B's runtime is shown to A")
	}
	// B's runtime by its URL is not found for A; the overview counts A's only.
	run(t, ctx, "open B's runtime", chromedp.Navigate(console+"runtimes/"+*theirs.AgentRuntimeId), chromedp.WaitVisible(chromedp.CSS(`#error-message`)))
	html = value(t, ctx, "read the page", chromedp.OuterHTML(chromedp.CSS(`main`)))
	// (The not-found message echoes the id A asked for, as the API's does.)
	if strings.Contains(html, *theirs.AgentRuntimeArn) || strings.Contains(html, "READY") || !strings.Contains(html, "ResourceNotFoundException") {
		t.Errorf("B's runtime page for A: %s", html)
	}
	run(t, ctx, "open the overview", chromedp.Navigate(console), chromedp.WaitVisible(chromedp.CSS(`#counts`)))
	if got := textOf(t, ctx, `tr[data-family="runtimes"] td.num`); got != "1" {
		t.Errorf("A's overview counts %s runtimes, want 1", got)
	}
	html = value(t, ctx, "read the overview", chromedp.OuterHTML(chromedp.CSS(`main`)))
	if strings.Contains(html, *theirs.AgentRuntimeId) {
		t.Error("B's runtime appears in A's recent changes")
	}
	// Deleting B's runtime through A's console fails and leaves it alone.
	run(t, ctx, "try to delete B's runtime", chromedp.Navigate(console+"runtimes/"+*theirs.AgentRuntimeId+"/delete"),
		chromedp.WaitVisible(chromedp.CSS(`#error-message`)))
	if _, err := b.GetAgentRuntime(context.Background(), &acc.GetAgentRuntimeInput{AgentRuntimeId: theirs.AgentRuntimeId}); err != nil {
		t.Errorf("B's runtime after A's attempt: %v", err)
	}
}
