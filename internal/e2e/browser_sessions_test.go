package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	dp "github.com/aws/aws-sdk-go-v2/service/bedrockagentcore"
	dptypes "github.com/aws/aws-sdk-go-v2/service/bedrockagentcore/types"
	acc "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/smithy-go"
	"github.com/coder/websocket"

	"agentcored/internal/api"
	"agentcored/internal/dpapi"
	"agentcored/internal/server"
	"agentcored/internal/service"
	"agentcored/internal/testserver"
)

// Helpers of the browser session tests carry a "bs" prefix.

const bsBuiltin = "aws.browser.v1"

// bsNeedChromium skips when no Chromium is installed (CI installs one).
func bsNeedChromium(t *testing.T) {
	t.Helper()
	if p := os.Getenv("AGENTCORED_CHROMIUM"); p != "" {
		return
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if _, err := exec.LookPath(name); err == nil {
			return
		}
	}
	t.Skip("no Chromium on PATH (apt-get install chromium): browser sessions cannot run here")
}

// bsSite serves a page with a title, a page that sets a persistent cookie
// and a page that shows the cookies it receives.
func bsSite(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<html><head><title>Hello agentcored</title></head><body>hi</body></html>")
	})
	mux.HandleFunc("/set", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "flavor", Value: "chocolate", Path: "/", MaxAge: 3600})
		fmt.Fprint(w, "<html><head><title>set</title></head><body>set</body></html>")
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "<html><head><title>echo</title></head><body>cookies=[%s]</body></html>", r.Header.Get("Cookie"))
	})
	site := httptest.NewServer(mux)
	t.Cleanup(site.Close)
	return site
}

// bsCDP is a minimal CDP client for the tests: one command at a time.
type bsCDP struct {
	ws   *websocket.Conn
	next int
}

func bsDial(ctx context.Context, url string) (*bsCDP, error) {
	ws, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		return nil, err
	}
	ws.SetReadLimit(64 << 20)
	return &bsCDP{ws: ws}, nil
}

func (c *bsCDP) close() { c.ws.Close(websocket.StatusNormalClosure, "") }

func (c *bsCDP) call(ctx context.Context, session, method string, params any) (json.RawMessage, error) {
	c.next++
	msg := map[string]any{"id": c.next, "method": method, "params": params}
	if params == nil {
		msg["params"] = map[string]any{}
	}
	if session != "" {
		msg["sessionId"] = session
	}
	b, _ := json.Marshal(msg)
	if err := c.ws.Write(ctx, websocket.MessageText, b); err != nil {
		return nil, err
	}
	for {
		_, data, err := c.ws.Read(ctx)
		if err != nil {
			return nil, err
		}
		var reply struct {
			ID     int             `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  *struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		if json.Unmarshal(data, &reply) != nil || reply.ID != c.next {
			continue
		}
		if reply.Error != nil {
			return nil, fmt.Errorf("%s: %s", method, reply.Error.Message)
		}
		return reply.Result, nil
	}
}

// bsOpenPage opens url in a new tab and returns the page's CDP session.
func bsOpenPage(t *testing.T, ctx context.Context, c *bsCDP, url string) string {
	t.Helper()
	res, err := c.call(ctx, "", "Target.createTarget", map[string]any{"url": url})
	if err != nil {
		t.Fatal(err)
	}
	var target struct{ TargetID string }
	json.Unmarshal(res, &target)
	res, err = c.call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true})
	if err != nil {
		t.Fatal(err)
	}
	var att struct{ SessionID string }
	json.Unmarshal(res, &att)
	return att.SessionID
}

// bsEval evaluates expr in the page until it gives want (pages load
// asynchronously); it returns the last value.
func bsEval(t *testing.T, ctx context.Context, c *bsCDP, page, expr, want string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	last := ""
	for time.Now().Before(deadline) {
		res, err := c.call(ctx, page, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true})
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			Result struct {
				Value any `json:"value"`
			} `json:"result"`
		}
		json.Unmarshal(res, &out)
		last = fmt.Sprint(out.Result.Value)
		if strings.Contains(last, want) {
			return last
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: got %q, want %q", expr, last, want)
	return last
}

// bsProcesses counts processes whose command line names the session's
// user-data directory.
func bsProcesses(sessionID string) int {
	n := 0
	dirs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, f := range dirs {
		b, err := os.ReadFile(f)
		if err == nil && bytes.Contains(b, []byte("agentcored-browser-"+sessionID)) {
			n++
		}
	}
	return n
}

// bsNoProcesses waits until the session's processes are gone.
func bsNoProcesses(t *testing.T, sessionID string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for bsProcesses(sessionID) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("session %s: %d Chromium processes left", sessionID, bsProcesses(sessionID))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func bsStart(t *testing.T, c *dp.Client, in *dp.StartBrowserSessionInput) *dp.StartBrowserSessionOutput {
	t.Helper()
	if in.BrowserIdentifier == nil {
		in.BrowserIdentifier = aws.String(bsBuiltin)
	}
	out, err := c.StartBrowserSession(context.Background(), in)
	if err != nil {
		t.Fatalf("StartBrowserSession: %v", err)
	}
	return out
}

func bsStatus(t *testing.T, c *dp.Client, sessionID string) dptypes.BrowserSessionStatus {
	t.Helper()
	out, err := c.GetBrowserSession(context.Background(), &dp.GetBrowserSessionInput{BrowserIdentifier: aws.String(bsBuiltin), SessionId: aws.String(sessionID)})
	if err != nil {
		t.Fatalf("GetBrowserSession: %v", err)
	}
	return out.Status
}

func TestBrowserSessionDrivesLocalPage(t *testing.T) {
	bsNeedChromium(t)
	srv := testserver.Start(t)
	c := srv.DataClient(t)
	site := bsSite(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	out := bsStart(t, c, &dp.StartBrowserSessionInput{Name: aws.String("drive"), SessionTimeoutSeconds: aws.Int32(600),
		ViewPort: &dptypes.ViewPort{Width: aws.Int32(800), Height: aws.Int32(600)}})
	sid := aws.ToString(out.SessionId)
	want := "ws://" + strings.TrimPrefix(srv.URL, "http://") + "/browser-streams/" + bsBuiltin + "/sessions/" + sid + "/automation"
	if got := aws.ToString(out.Streams.AutomationStream.StreamEndpoint); got != want || out.Streams.AutomationStream.StreamStatus != dptypes.AutomationStreamStatusEnabled {
		t.Fatalf("automation stream %s %s, want %s ENABLED", got, out.Streams.AutomationStream.StreamStatus, want)
	}
	if bsProcesses(sid) == 0 {
		t.Fatal("no Chromium process runs for the session")
	}
	got, err := c.GetBrowserSession(ctx, &dp.GetBrowserSessionInput{BrowserIdentifier: aws.String(bsBuiltin), SessionId: out.SessionId})
	if err != nil || got.Status != dptypes.BrowserSessionStatusReady || aws.ToString(got.Name) != "drive" ||
		aws.ToInt32(got.SessionTimeoutSeconds) != 600 || aws.ToInt32(got.ViewPort.Width) != 800 {
		t.Fatalf("GetBrowserSession: %+v %v", got, err)
	}

	// Drive the browser through the automation stream.
	cdp, err := bsDial(ctx, want)
	if err != nil {
		t.Fatalf("dial the automation stream: %v", err)
	}
	page := bsOpenPage(t, ctx, cdp, site.URL+"/")
	bsEval(t, ctx, cdp, page, "document.title", "Hello agentcored")
	cdp.close()

	// InvokeBrowser: a screenshot of that page.
	inv, err := c.InvokeBrowser(ctx, &dp.InvokeBrowserInput{BrowserIdentifier: aws.String(bsBuiltin), SessionId: out.SessionId,
		Action: &dptypes.BrowserActionMemberScreenshot{Value: dptypes.ScreenshotArguments{Format: dptypes.ScreenshotFormatPng}}})
	if err != nil {
		t.Fatalf("InvokeBrowser: %v", err)
	}
	shot, ok := inv.Result.(*dptypes.BrowserActionResultMemberScreenshot)
	if !ok || shot.Value.Status != dptypes.BrowserActionStatusSuccess || !bytes.HasPrefix(shot.Value.Data, []byte("\x89PNG")) {
		t.Fatalf("screenshot: %#v", inv.Result)
	}

	// List sees it READY.
	list, err := c.ListBrowserSessions(ctx, &dp.ListBrowserSessionsInput{BrowserIdentifier: aws.String(bsBuiltin), Status: dptypes.BrowserSessionStatusReady})
	if err != nil || len(list.Items) != 1 || aws.ToString(list.Items[0].SessionId) != sid {
		t.Fatalf("ListBrowserSessions: %+v %v", list, err)
	}

	// Disabling the automation stream refuses connections; enabling it again
	// lets them in.
	up, err := c.UpdateBrowserStream(ctx, &dp.UpdateBrowserStreamInput{BrowserIdentifier: aws.String(bsBuiltin), SessionId: out.SessionId,
		StreamUpdate: &dptypes.StreamUpdateMemberAutomationStreamUpdate{Value: dptypes.AutomationStreamUpdate{StreamStatus: dptypes.AutomationStreamStatusDisabled}}})
	if err != nil || up.Streams.AutomationStream.StreamStatus != dptypes.AutomationStreamStatusDisabled {
		t.Fatalf("UpdateBrowserStream DISABLED: %+v %v", up, err)
	}
	if c2, err := bsDial(ctx, want); err == nil {
		c2.close()
		t.Fatal("the disabled automation stream accepted a connection")
	}
	if _, err := c.UpdateBrowserStream(ctx, &dp.UpdateBrowserStreamInput{BrowserIdentifier: aws.String(bsBuiltin), SessionId: out.SessionId,
		StreamUpdate: &dptypes.StreamUpdateMemberAutomationStreamUpdate{Value: dptypes.AutomationStreamUpdate{StreamStatus: dptypes.AutomationStreamStatusEnabled}}}); err != nil {
		t.Fatal(err)
	}
	cdp, err = bsDial(ctx, want)
	if err != nil {
		t.Fatalf("dial after enabling: %v", err)
	}
	defer cdp.close()

	// Stop: TERMINATED, no process left, the stream gone.
	stop, err := c.StopBrowserSession(ctx, &dp.StopBrowserSessionInput{BrowserIdentifier: aws.String(bsBuiltin), SessionId: out.SessionId})
	if err != nil || stop.LastUpdatedAt == nil {
		t.Fatalf("StopBrowserSession: %+v %v", stop, err)
	}
	bsNoProcesses(t, sid)
	if st := bsStatus(t, c, sid); st != dptypes.BrowserSessionStatusTerminated {
		t.Fatalf("status after stop: %s", st)
	}
	if _, err := cdp.call(ctx, "", "Target.getTargets", nil); err == nil {
		t.Fatal("the automation connection still works after stop")
	}
	list, err = c.ListBrowserSessions(ctx, &dp.ListBrowserSessionsInput{BrowserIdentifier: aws.String(bsBuiltin), Status: dptypes.BrowserSessionStatusReady})
	if err != nil || len(list.Items) != 0 {
		t.Fatalf("READY sessions after stop: %+v %v", list, err)
	}
	_, err = c.InvokeBrowser(ctx, &dp.InvokeBrowserInput{BrowserIdentifier: aws.String(bsBuiltin), SessionId: out.SessionId,
		Action: &dptypes.BrowserActionMemberScreenshot{Value: dptypes.ScreenshotArguments{}}})
	bsWantCode(t, err, "ResourceNotFoundException")
}

func bsWantCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code {
		t.Fatalf("got %v, want %s", err, code)
	}
}

func TestBrowserSessionTimeout(t *testing.T) {
	bsNeedChromium(t)
	srv := testserver.Start(t)
	c := srv.DataClient(t)
	out := bsStart(t, c, &dp.StartBrowserSessionInput{SessionTimeoutSeconds: aws.Int32(1)})
	sid := aws.ToString(out.SessionId)
	deadline := time.Now().Add(30 * time.Second)
	for bsStatus(t, c, sid) != dptypes.BrowserSessionStatusTerminated {
		if time.Now().After(deadline) {
			t.Fatal("the session outlived its timeout")
		}
		time.Sleep(100 * time.Millisecond)
	}
	bsNoProcesses(t, sid)
}

func TestBrowserSessionProfileSaveRestore(t *testing.T) {
	bsNeedChromium(t)
	srv := testserver.Start(t)
	c, ctl := srv.DataClient(t), srv.Client(t)
	site := bsSite(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	prof, err := ctl.CreateBrowserProfile(ctx, &acc.CreateBrowserProfileInput{Name: aws.String("keeps_cookies")})
	if err != nil {
		t.Fatal(err)
	}

	first := bsStart(t, c, &dp.StartBrowserSessionInput{})
	cdp, err := bsDial(ctx, aws.ToString(first.Streams.AutomationStream.StreamEndpoint))
	if err != nil {
		t.Fatal(err)
	}
	page := bsOpenPage(t, ctx, cdp, site.URL+"/set")
	bsEval(t, ctx, cdp, page, "document.cookie", "flavor=chocolate")
	cdp.close()
	saved, err := c.SaveBrowserSessionProfile(ctx, &dp.SaveBrowserSessionProfileInput{ProfileIdentifier: prof.ProfileId,
		BrowserIdentifier: aws.String(bsBuiltin), SessionId: first.SessionId})
	if err != nil || saved.LastUpdatedAt == nil {
		t.Fatalf("SaveBrowserSessionProfile: %+v %v", saved, err)
	}
	if _, err := c.StopBrowserSession(ctx, &dp.StopBrowserSessionInput{BrowserIdentifier: aws.String(bsBuiltin), SessionId: first.SessionId}); err != nil {
		t.Fatal(err)
	}
	got, err := ctl.GetBrowserProfile(ctx, &acc.GetBrowserProfileInput{ProfileId: prof.ProfileId})
	if err != nil || aws.ToString(got.LastSavedBrowserSessionId) != aws.ToString(first.SessionId) || got.LastSavedAt == nil {
		t.Fatalf("GetBrowserProfile after save: %+v %v", got, err)
	}

	// A new session restored from the profile sends the cookie.
	second := bsStart(t, c, &dp.StartBrowserSessionInput{ProfileConfiguration: &dptypes.BrowserProfileConfiguration{ProfileIdentifier: prof.ProfileId}})
	cdp, err = bsDial(ctx, aws.ToString(second.Streams.AutomationStream.StreamEndpoint))
	if err != nil {
		t.Fatal(err)
	}
	defer cdp.close()
	page = bsOpenPage(t, ctx, cdp, site.URL+"/echo")
	bsEval(t, ctx, cdp, page, "document.body ? document.body.innerText : ''", "flavor=chocolate")

	// A fresh session without the profile has no cookie.
	third := bsStart(t, c, &dp.StartBrowserSessionInput{})
	cdp3, err := bsDial(ctx, aws.ToString(third.Streams.AutomationStream.StreamEndpoint))
	if err != nil {
		t.Fatal(err)
	}
	defer cdp3.close()
	page = bsOpenPage(t, ctx, cdp3, site.URL+"/echo")
	if v := bsEval(t, ctx, cdp3, page, "document.body ? document.body.innerText : ''", "cookies=["); strings.Contains(v, "flavor") {
		t.Fatalf("a session without the profile has the cookie: %s", v)
	}

	// An unknown profile is a 404.
	_, err = c.StartBrowserSession(ctx, &dp.StartBrowserSessionInput{BrowserIdentifier: aws.String(bsBuiltin),
		ProfileConfiguration: &dptypes.BrowserProfileConfiguration{ProfileIdentifier: aws.String("nope-0123456789")}})
	bsWantCode(t, err, "ResourceNotFoundException")
}

// TestBrowserSessionsEndWithTheServer: Close kills every session's Chromium,
// and a server started on the store of one that died ends the sessions it
// left behind (and kills their process group).
func TestBrowserSessionsEndWithTheServer(t *testing.T) {
	bsNeedChromium(t)
	dir := t.TempDir()
	srv := testserver.Start(t, func(cfg *server.Config) { cfg.DataDir = dir })
	c := srv.DataClient(t)
	out := bsStart(t, c, &dp.StartBrowserSessionInput{})
	sid := aws.ToString(out.SessionId)
	if bsProcesses(sid) == 0 {
		t.Fatal("no Chromium process")
	}

	// A session of an agentcored that is gone: a row naming a dead
	// process, and a process that stands for its Chromium.
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	staleDir := filepath.Join(t.TempDir(), "agentcored-browser-STALE0000000000000000000000")
	os.MkdirAll(staleDir, 0o755)
	orphan := exec.Command("sh", "-c", "sleep 300", "sh", "--user-data-dir="+staleDir)
	orphan.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := orphan.Start(); err != nil {
		t.Fatal(err)
	}
	orphanDone := make(chan struct{})
	go func() { orphan.Wait(); close(orphanDone) }()
	t.Cleanup(func() { syscall.Kill(-orphan.Process.Pid, syscall.SIGKILL) })
	host, _ := os.Hostname()
	now := time.Now()
	err := srv.Service().PutBrowserSession(context.Background(), &service.BrowserSessionRecord{
		GetBrowserSessionResponse: dpapi.GetBrowserSessionResponse{BrowserIdentifier: bsBuiltin, SessionId: "STALE0000000000000000000000",
			Status: dpapi.BrowserSessionStatusReady, CreatedAt: api.NewDateTime(now), LastUpdatedAt: api.NewDateTime(now)},
		Account: srv.Config.Account, Region: "us-east-1", Host: host, Pid: dead.Process.Pid, Instance: "gone",
		ChromiumPid: orphan.Process.Pid, Dir: staleDir,
	})
	if err != nil {
		t.Fatal(err)
	}

	srv.Stop()
	srv.Store.Close() // the data dir's lock goes with the store (one writer per data dir)
	bsNoProcesses(t, sid)

	next := testserver.Start(t, func(cfg *server.Config) { cfg.DataDir = dir })
	c = next.DataClient(t)
	if st := bsStatus(t, c, sid); st != dptypes.BrowserSessionStatusTerminated {
		t.Fatalf("the closed server's session is %s", st)
	}
	if st := bsStatus(t, c, "STALE0000000000000000000000"); st != dptypes.BrowserSessionStatusTerminated {
		t.Fatalf("the stale session is %s", st)
	}
	select {
	case <-orphanDone:
	case <-time.After(30 * time.Second):
		t.Fatal("the stale session's process still runs")
	}
	if _, err := os.Stat(staleDir); !os.IsNotExist(err) {
		t.Fatalf("the stale session's directory is still there: %v", err)
	}
}

func TestBrowserSessionErrors(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.DataClient(t)
	ctx := context.Background()
	_, err := c.StartBrowserSession(ctx, &dp.StartBrowserSessionInput{BrowserIdentifier: aws.String("nosuch-0123456789")})
	bsWantCode(t, err, "ResourceNotFoundException")
	_, err = c.GetBrowserSession(ctx, &dp.GetBrowserSessionInput{BrowserIdentifier: aws.String(bsBuiltin), SessionId: aws.String("ABC")})
	bsWantCode(t, err, "ResourceNotFoundException")

	// Without Chromium: a clear error, no session.
	t.Setenv("AGENTCORED_CHROMIUM", "/nonexistent/chromium")
	_, err = c.StartBrowserSession(ctx, &dp.StartBrowserSessionInput{BrowserIdentifier: aws.String(bsBuiltin)})
	bsWantCode(t, err, "NotImplementedException")
	if !strings.Contains(err.Error(), "Chromium") {
		t.Fatalf("the error does not say Chromium is missing: %v", err)
	}
	list, err := c.ListBrowserSessions(ctx, &dp.ListBrowserSessionsInput{BrowserIdentifier: aws.String(bsBuiltin)})
	if err != nil || len(list.Items) != 0 {
		t.Fatalf("ListBrowserSessions: %+v %v", list, err)
	}
}
