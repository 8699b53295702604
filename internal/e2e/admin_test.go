package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ctl "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"

	"agentcored/internal/auth"
	"agentcored/internal/server"
	"agentcored/internal/testserver"
)

// Helpers of the admin API, metrics and client-example tests carry an "adm"
// prefix so they cannot clash with other helpers of this package.

// The access log writes one line per request at info level; end-to-end
// tests keep the default logger at warn so a failing test's output stays
// readable. AGENTCORED_TEST_LOG=debug (or info) shows everything.
func init() {
	level := slog.LevelWarn
	if v := os.Getenv("AGENTCORED_TEST_LOG"); v != "" {
		level.UnmarshalText([]byte(v))
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})))
}

func admRuntimeStatus(t *testing.T, c *ctl.Client, id string) *ctl.GetAgentRuntimeOutput {
	t.Helper()
	out, err := c.GetAgentRuntime(context.Background(), &ctl.GetAgentRuntimeInput{AgentRuntimeId: aws.String(id)})
	if err != nil {
		t.Fatalf("GetAgentRuntime %s: %v", id, err)
	}
	return out
}

func admBrowserStatus(t *testing.T, c *ctl.Client, id string) *ctl.GetBrowserOutput {
	t.Helper()
	out, err := c.GetBrowser(context.Background(), &ctl.GetBrowserInput{BrowserId: aws.String(id)})
	if err != nil {
		t.Fatalf("GetBrowser %s: %v", id, err)
	}
	return out
}

func admRuntimeNames(t *testing.T, c *ctl.Client) []string {
	t.Helper()
	out, err := c.ListAgentRuntimes(context.Background(), &ctl.ListAgentRuntimesInput{})
	if err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for _, r := range out.AgentRuntimes {
		names = append(names, aws.ToString(r.AgentRuntimeName))
	}
	return names
}

const (
	admAccountB = "210987654321"
	admKeyB     = "AKIAADMINTESTB000001"
	admSecretB  = "secret-of-admin-test-b"
)

// TestAdminResetAllAndOneAccount: resetting one account empties it and
// leaves the other; resetting without an account empties everything, and
// the moto reset does the same.
func TestAdminResetAllAndOneAccount(t *testing.T) {
	srv := testserver.Start(t, func(c *server.Config) {
		c.Credentials = []auth.Credential{{AccessKeyID: admKeyB, SecretAccessKey: admSecretB, AccountID: admAccountB}}
	})
	a := srv.Client(t)
	b := srv.ClientAs(t, admKeyB, admSecretB, "us-east-1")
	populate := func() {
		rtCreate(t, a, "reset_a")
		bxCreatePublicBrowser(t, a, "reset_a_browser")
		rtCreate(t, b, "reset_b")
		bxCreatePublicBrowser(t, b, "reset_b_browser")
	}
	customBrowsers := func(c *ctl.Client) int {
		out, err := c.ListBrowsers(context.Background(), &ctl.ListBrowsersInput{Type: types.ResourceTypeCustom})
		if err != nil {
			t.Fatal(err)
		}
		return len(out.BrowserSummaries)
	}
	populate()

	adminOK(t, "POST", srv.URL+"/_agentcored/reset", `{"account":"`+admAccountB+`"}`)
	if got := admRuntimeNames(t, b); len(got) != 0 || customBrowsers(b) != 0 {
		t.Fatalf("account B after its reset: runtimes %v, %d browsers", got, customBrowsers(b))
	}
	if got := admRuntimeNames(t, a); !reflect.DeepEqual(got, []string{"reset_a"}) || customBrowsers(a) != 1 {
		t.Fatalf("account A after B's reset: runtimes %v, %d browsers", got, customBrowsers(a))
	}
	// B can create the same names again: nothing of B is left behind.
	rtCreate(t, b, "reset_b")

	var answer map[string]string
	decodeJSON(t, adminOK(t, "POST", srv.URL+"/_agentcored/reset", ""), &answer)
	if answer["status"] != "ok" {
		t.Fatalf("reset answered %v", answer)
	}
	for name, c := range map[string]*ctl.Client{"A": a, "B": b} {
		if got := admRuntimeNames(t, c); len(got) != 0 || customBrowsers(c) != 0 {
			t.Fatalf("account %s after the full reset: runtimes %v, %d browsers", name, got, customBrowsers(c))
		}
	}

	populate()
	decodeJSON(t, adminOK(t, "POST", srv.URL+"/moto-api/reset", ""), &answer)
	if answer["status"] != "ok" || len(admRuntimeNames(t, a)) != 0 || len(admRuntimeNames(t, b)) != 0 {
		t.Fatalf("moto reset answered %v; runtimes left A %v B %v", answer, admRuntimeNames(t, a), admRuntimeNames(t, b))
	}
}

// TestAdminLifecyclePoliciesAtRunTime sets each policy through the admin
// API on a running server: manual (advance one, advance all), per family,
// timed with a delay, and back to immediate.
func TestAdminLifecyclePoliciesAtRunTime(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	lifecycle := srv.URL + "/_agentcored/lifecycle"
	advance := lifecycle + "/advance"

	// Manual for everything.
	adminOK(t, "PUT", lifecycle, `{"policy":"manual"}`)
	var got struct {
		Families []struct{ Family, Policy string } `json:"families"`
	}
	decodeJSON(t, adminOK(t, "GET", lifecycle, ""), &got)
	if len(got.Families) == 0 {
		t.Fatal("GET lifecycle lists no family")
	}
	for _, f := range got.Families {
		if f.Policy != "manual" {
			t.Fatalf("family %s is %s after setting manual", f.Family, f.Policy)
		}
	}
	rt := aws.ToString(rtCreate(t, c, "manual_one").AgentRuntimeId)
	rt2 := aws.ToString(rtCreate(t, c, "manual_two").AgentRuntimeId)
	br := aws.ToString(bxCreatePublicBrowser(t, c, "manual_browser").BrowserId)
	if s := admRuntimeStatus(t, c, rt).Status; s != types.AgentRuntimeStatusCreating {
		t.Fatalf("manual runtime is %s before any advance", s)
	}

	// Advance one: that runtime only.
	var one map[string]bool
	decodeJSON(t, adminOK(t, "POST", advance, `{"kind":"runtime","id":"`+rt+`"}`), &one)
	if !one["advanced"] {
		t.Fatalf("advance one answered %v", one)
	}
	if s := admRuntimeStatus(t, c, rt).Status; s != types.AgentRuntimeStatusReady {
		t.Fatalf("advanced runtime is %s", s)
	}
	if s := admRuntimeStatus(t, c, rt2).Status; s != types.AgentRuntimeStatusCreating {
		t.Fatalf("a runtime not advanced is %s", s)
	}
	decodeJSON(t, adminOK(t, "POST", advance, `{"kind":"runtime","id":"`+rt+`"}`), &one)
	if one["advanced"] {
		t.Fatal("advancing a resource with no pending transition reported one")
	}

	// Advance all: the second runtime, both DEFAULT endpoints, the browser.
	var all map[string]int
	decodeJSON(t, adminOK(t, "POST", advance, `{"all":true}`), &all)
	if all["count"] != 4 {
		t.Fatalf("advance all ran %v, want 4 jobs (runtime, 2 DEFAULT endpoints, browser)", all)
	}
	if s := admRuntimeStatus(t, c, rt2).Status; s != types.AgentRuntimeStatusReady {
		t.Fatalf("runtime after advance all is %s", s)
	}
	if s := admBrowserStatus(t, c, br).Status; s != types.BrowserStatusReady {
		t.Fatalf("browser after advance all is %s", s)
	}
	ep, err := c.GetAgentRuntimeEndpoint(context.Background(), &ctl.GetAgentRuntimeEndpointInput{AgentRuntimeId: aws.String(rt), EndpointName: aws.String("DEFAULT")})
	if err != nil || ep.Status != types.AgentRuntimeEndpointStatusReady {
		t.Fatalf("DEFAULT endpoint after advance all: %v %v", ep, err)
	}
	// An empty body also means all; nothing is left.
	decodeJSON(t, adminOK(t, "POST", advance, ""), &all)
	if all["count"] != 0 {
		t.Fatalf("second advance all ran %v", all)
	}
	if r := rawRequest(t, "POST", advance, `{"kind":"runtime"}`); r.status != http.StatusBadRequest {
		t.Fatalf("advance with a kind and no id: %d %s", r.status, r.body)
	}

	// One family: browsers manual, runtimes immediate.
	adminOK(t, "PUT", lifecycle, `{"policy":"immediate"}`)
	adminOK(t, "PUT", lifecycle, `{"family":"browsers","policy":"manual"}`)
	rt3 := aws.ToString(rtCreate(t, c, "family_runtime").AgentRuntimeId)
	br2 := aws.ToString(bxCreatePublicBrowser(t, c, "family_browser").BrowserId)
	if s := admRuntimeStatus(t, c, rt3).Status; s != types.AgentRuntimeStatusReady {
		t.Fatalf("runtime under immediate is %s", s)
	}
	if s := admBrowserStatus(t, c, br2).Status; s != types.BrowserStatusCreating {
		t.Fatalf("browser under its family's manual policy is %s", s)
	}
	if r := rawRequest(t, "PUT", lifecycle, `{"family":"nosuchfamily","policy":"manual"}`); r.status != http.StatusBadRequest {
		t.Fatalf("unknown family: %d %s", r.status, r.body)
	}
	if r := rawRequest(t, "PUT", lifecycle, `{"policy":"eventually"}`); r.status != http.StatusBadRequest {
		t.Fatalf("unknown policy: %d %s", r.status, r.body)
	}

	// Timed: with a long delay the transition waits (deterministically);
	// with a short one it completes by itself.
	adminOK(t, "PUT", lifecycle, `{"policy":"timed","delayMillis":3600000}`)
	slow := aws.ToString(rtCreate(t, c, "timed_slow").AgentRuntimeId)
	if s := admRuntimeStatus(t, c, slow).Status; s != types.AgentRuntimeStatusCreating {
		t.Fatalf("runtime under a one-hour delay is %s", s)
	}
	adminOK(t, "PUT", lifecycle, `{"policy":"timed","delayMillis":50}`)
	fast := aws.ToString(rtCreate(t, c, "timed_fast").AgentRuntimeId)
	eventually(t, "timed runtime READY", func() (bool, error) {
		return admRuntimeStatus(t, c, fast).Status == types.AgentRuntimeStatusReady, nil
	})
	if s := admRuntimeStatus(t, c, slow).Status; s != types.AgentRuntimeStatusCreating {
		t.Fatalf("the one-hour runtime moved to %s", s)
	}
	// Advance all also runs timed jobs that are not due yet.
	decodeJSON(t, adminOK(t, "POST", advance, `{}`), &all)
	if s := admRuntimeStatus(t, c, slow).Status; s != types.AgentRuntimeStatusReady || all["count"] < 2 {
		t.Fatalf("after advance all: %s, count %v", s, all)
	}

	// Back to immediate: the next read sees the end state.
	adminOK(t, "PUT", lifecycle, `{"policy":"immediate"}`)
	now := aws.ToString(rtCreate(t, c, "immediate_again").AgentRuntimeId)
	if s := admRuntimeStatus(t, c, now).Status; s != types.AgentRuntimeStatusReady {
		t.Fatalf("runtime under immediate is %s", s)
	}
}

// TestAdminFaults installs each kind of fault rule through the admin API
// and checks what the SDK sees; then lists and removes rules.
func TestAdminFaults(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	faults := srv.URL + "/_agentcored/faults"

	t.Run("fail", func(t *testing.T) {
		adminOK(t, "POST", faults, `{"operation":"CreateAgentRuntime","action":"fail","failureReason":"image pull failed","count":1}`)
		failed := aws.ToString(rtCreate(t, c, "fault_fail").AgentRuntimeId)
		got := admRuntimeStatus(t, c, failed)
		if got.Status != types.AgentRuntimeStatusCreateFailed || aws.ToString(got.FailureReason) != "image pull failed" {
			t.Fatalf("runtime after a fail fault: %s %q", got.Status, aws.ToString(got.FailureReason))
		}
		// count 1: the next create is fine.
		if s := admRuntimeStatus(t, c, aws.ToString(rtCreate(t, c, "fault_fine").AgentRuntimeId)).Status; s != types.AgentRuntimeStatusReady {
			t.Fatalf("runtime after the fault was used up: %s", s)
		}
		adminOK(t, "POST", faults, `{"operation":"CreateBrowser","action":"fail","count":1}`)
		br := admBrowserStatus(t, c, aws.ToString(bxCreatePublicBrowser(t, c, "fault_browser").BrowserId))
		if br.Status != types.BrowserStatusCreateFailed || aws.ToString(br.FailureReason) == "" {
			t.Fatalf("browser after a fail fault: %s %q", br.Status, aws.ToString(br.FailureReason))
		}
	})

	t.Run("error", func(t *testing.T) {
		adminOK(t, "POST", faults, `{"operation":"ListAgentRuntimes","action":"error","errorCode":"ThrottlingException","message":"Rate exceeded","count":1}`)
		_, err := c.ListAgentRuntimes(ctx, &ctl.ListAgentRuntimesInput{})
		var throttled *types.ThrottlingException
		if !errors.As(err, &throttled) || aws.ToString(throttled.Message) != "Rate exceeded" {
			t.Fatalf("ListAgentRuntimes under an error fault: %v", err)
		}
		adminOK(t, "POST", faults, `{"operation":"CreateBrowser","action":"error","errorCode":"ServiceQuotaExceededException","count":1}`)
		_, err = c.CreateBrowser(ctx, &ctl.CreateBrowserInput{Name: aws.String("fault_quota"),
			NetworkConfiguration: &types.BrowserNetworkConfiguration{NetworkMode: types.BrowserNetworkModePublic}})
		var quota *types.ServiceQuotaExceededException
		if !errors.As(err, &quota) {
			t.Fatalf("CreateBrowser under an error fault: %v", err)
		}
		adminOK(t, "POST", faults, `{"operation":"GetAgentRuntime","action":"error","errorCode":"InternalServerException","count":1}`)
		_, err = c.GetAgentRuntime(ctx, &ctl.GetAgentRuntimeInput{AgentRuntimeId: aws.String("whatever-0123456789")})
		var internal *types.InternalServerException
		if !errors.As(err, &internal) {
			t.Fatalf("GetAgentRuntime under an error fault: %v", err)
		}
		if _, err := c.ListAgentRuntimes(ctx, &ctl.ListAgentRuntimesInput{}); err != nil {
			t.Fatalf("after the error faults were used up: %v", err)
		}
	})

	t.Run("latency", func(t *testing.T) {
		const latency = 300 * time.Millisecond
		adminOK(t, "POST", faults, `{"operation":"ListBrowsers","action":"latency","latencyMillis":300,"count":1}`)
		start := time.Now()
		if _, err := c.ListBrowsers(ctx, &ctl.ListBrowsersInput{}); err != nil {
			t.Fatal(err)
		}
		// A lower bound only: a loaded machine may take any longer.
		if took := time.Since(start); took < latency {
			t.Fatalf("ListBrowsers under a %v latency fault took %v", latency, took)
		}
	})

	t.Run("list and remove", func(t *testing.T) {
		var added struct{ ID string }
		decodeJSON(t, adminOK(t, "POST", faults, `{"operation":"GetBrowser","action":"latency","latencyMillis":1}`), &added)
		adminOK(t, "POST", faults, `{"operation":"GetGateway","action":"error","errorCode":"AccessDeniedException"}`)
		var list struct {
			Faults []struct{ ID, Operation string } `json:"faults"`
		}
		decodeJSON(t, adminOK(t, "GET", faults, ""), &list)
		if len(list.Faults) != 2 || list.Faults[0].ID != added.ID || list.Faults[0].Operation != "GetBrowser" {
			t.Fatalf("faults listed: %+v", list.Faults)
		}
		if r := rawRequest(t, "DELETE", faults+"/"+added.ID, ""); r.status != http.StatusNoContent {
			t.Fatalf("delete fault %s: %d", added.ID, r.status)
		}
		if r := rawRequest(t, "DELETE", faults+"/"+added.ID, ""); r.status != http.StatusNotFound {
			t.Fatalf("delete a deleted fault: %d", r.status)
		}
		decodeJSON(t, adminOK(t, "GET", faults, ""), &list)
		if len(list.Faults) != 1 {
			t.Fatalf("faults after one delete: %+v", list.Faults)
		}
		if r := rawRequest(t, "DELETE", faults, ""); r.status != http.StatusNoContent {
			t.Fatalf("delete all faults: %d", r.status)
		}
		decodeJSON(t, adminOK(t, "GET", faults, ""), &list)
		if len(list.Faults) != 0 {
			t.Fatalf("faults after delete all: %+v", list.Faults)
		}
		for _, bad := range []string{
			`{"operation":"NoSuchOperation","action":"fail"}`,
			`{"operation":"GetBrowser","action":"explode"}`,
			`{"operation":"GetBrowser","action":"error"}`,
			`{"operation":"GetBrowser","action":"latency"}`,
			`{"operation":"GetBrowser","action":"fail","unknownField":1}`,
		} {
			if r := rawRequest(t, "POST", faults, bad); r.status != http.StatusBadRequest {
				t.Errorf("fault %s: %d %s, want 400", bad, r.status, r.body)
			}
		}
	})
}

// admSnapshot reads, through the SDK, everything a client can see of the
// test's resources: Get, List and ListTags of each family, as JSON (the
// result metadata, which holds the request id, has no exported fields).
func admSnapshot(t *testing.T, c *ctl.Client) map[string]string {
	t.Helper()
	ctx := context.Background()
	snap := map[string]string{}
	put := func(key string, v any, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		snap[key] = string(b)
	}
	tags := func(arn *string) {
		t.Helper()
		out, err := c.ListTagsForResource(ctx, &ctl.ListTagsForResourceInput{ResourceArn: arn})
		put("tags "+aws.ToString(arn), out.Tags, err)
	}
	runtimes, err := c.ListAgentRuntimes(ctx, &ctl.ListAgentRuntimesInput{})
	put("runtimes", runtimes.AgentRuntimes, err)
	for _, r := range runtimes.AgentRuntimes {
		got, err := c.GetAgentRuntime(ctx, &ctl.GetAgentRuntimeInput{AgentRuntimeId: r.AgentRuntimeId})
		put("runtime "+aws.ToString(r.AgentRuntimeId), got, err)
		tags(r.AgentRuntimeArn)
		versions, err := c.ListAgentRuntimeVersions(ctx, &ctl.ListAgentRuntimeVersionsInput{AgentRuntimeId: r.AgentRuntimeId})
		put("versions "+aws.ToString(r.AgentRuntimeId), versions.AgentRuntimes, err)
		eps, err := c.ListAgentRuntimeEndpoints(ctx, &ctl.ListAgentRuntimeEndpointsInput{AgentRuntimeId: r.AgentRuntimeId})
		put("endpoints "+aws.ToString(r.AgentRuntimeId), eps.RuntimeEndpoints, err)
		for _, ep := range eps.RuntimeEndpoints {
			got, err := c.GetAgentRuntimeEndpoint(ctx, &ctl.GetAgentRuntimeEndpointInput{AgentRuntimeId: r.AgentRuntimeId, EndpointName: ep.Name})
			put("endpoint "+aws.ToString(ep.AgentRuntimeEndpointArn), got, err)
			tags(ep.AgentRuntimeEndpointArn)
		}
	}
	browsers, err := c.ListBrowsers(ctx, &ctl.ListBrowsersInput{})
	put("browsers", browsers.BrowserSummaries, err)
	for _, b := range browsers.BrowserSummaries {
		got, err := c.GetBrowser(ctx, &ctl.GetBrowserInput{BrowserId: b.BrowserId})
		put("browser "+aws.ToString(b.BrowserId), got, err)
		tags(b.BrowserArn)
	}
	interpreters, err := c.ListCodeInterpreters(ctx, &ctl.ListCodeInterpretersInput{})
	put("interpreters", interpreters.CodeInterpreterSummaries, err)
	for _, ci := range interpreters.CodeInterpreterSummaries {
		got, err := c.GetCodeInterpreter(ctx, &ctl.GetCodeInterpreterInput{CodeInterpreterId: ci.CodeInterpreterId})
		put("interpreter "+aws.ToString(ci.CodeInterpreterId), got, err)
		tags(ci.CodeInterpreterArn)
	}
	identities, err := c.ListWorkloadIdentities(ctx, &ctl.ListWorkloadIdentitiesInput{})
	put("identities", identities.WorkloadIdentities, err)
	for _, wi := range identities.WorkloadIdentities {
		got, err := c.GetWorkloadIdentity(ctx, &ctl.GetWorkloadIdentityInput{Name: wi.Name})
		put("identity "+aws.ToString(wi.Name), got, err)
		tags(wi.WorkloadIdentityArn)
	}
	gateways, err := c.ListGateways(ctx, &ctl.ListGatewaysInput{})
	put("gateways", gateways.Items, err)
	for _, g := range gateways.Items {
		got, err := c.GetGateway(ctx, &ctl.GetGatewayInput{GatewayIdentifier: g.GatewayId})
		put("gateway "+aws.ToString(g.GatewayId), got, err)
		tags(got.GatewayArn)
		targets, err := c.ListGatewayTargets(ctx, &ctl.ListGatewayTargetsInput{GatewayIdentifier: g.GatewayId})
		put("targets "+aws.ToString(g.GatewayId), targets.Items, err)
		for _, tg := range targets.Items {
			got, err := c.GetGatewayTarget(ctx, &ctl.GetGatewayTargetInput{GatewayIdentifier: g.GatewayId, TargetId: tg.TargetId})
			put("target "+aws.ToString(tg.TargetId), got, err)
		}
	}
	memories, err := c.ListMemories(ctx, &ctl.ListMemoriesInput{})
	put("memories", memories.Memories, err)
	for _, m := range memories.Memories {
		got, err := c.GetMemory(ctx, &ctl.GetMemoryInput{MemoryId: m.Id})
		put("memory "+aws.ToString(m.Id), got, err)
		tags(m.Arn)
	}
	keys, err := c.ListApiKeyCredentialProviders(ctx, &ctl.ListApiKeyCredentialProvidersInput{})
	put("apikeys", keys.CredentialProviders, err)
	for _, k := range keys.CredentialProviders {
		got, err := c.GetApiKeyCredentialProvider(ctx, &ctl.GetApiKeyCredentialProviderInput{Name: k.Name})
		put("apikey "+aws.ToString(k.Name), got, err)
		tags(k.CredentialProviderArn)
	}
	return snap
}

// TestAdminExportImportRoundTrip: export, reset, import gives back exactly
// what every Get, List and ListTags answered before, including a pending
// manual transition, which can still be advanced after the import.
func TestAdminExportImportRoundTrip(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()

	tagged, err := c.CreateAgentRuntime(ctx, &ctl.CreateAgentRuntimeInput{
		AgentRuntimeName: aws.String("export_tagged"), AgentRuntimeArtifact: rtContainer(rtImage),
		RoleArn: aws.String(rtRole), NetworkConfiguration: rtVPC(), Description: aws.String("<html> & \"quotes\" ✓"),
		EnvironmentVariables: map[string]string{"MODE": "export"}, Tags: map[string]string{"team": "ops", "env": "test"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateAgentRuntime(ctx, &ctl.UpdateAgentRuntimeInput{AgentRuntimeId: tagged.AgentRuntimeId,
		AgentRuntimeArtifact: rtContainer(rtImage2), RoleArn: aws.String(rtRole), NetworkConfiguration: rtPublic()}); err != nil {
		t.Fatal(err)
	}
	ep, err := c.CreateAgentRuntimeEndpoint(ctx, &ctl.CreateAgentRuntimeEndpointInput{AgentRuntimeId: tagged.AgentRuntimeId,
		Name: aws.String("prod"), AgentRuntimeVersion: aws.String("1"), Tags: map[string]string{"stage": "prod"}})
	if err != nil {
		t.Fatal(err)
	}
	rtCreate(t, c, "export_plain")
	br := bxCreatePublicBrowser(t, c, "export_browser")
	if _, err := c.TagResource(ctx, &ctl.TagResourceInput{ResourceArn: br.BrowserArn, Tags: map[string]string{"k": "v"}}); err != nil {
		t.Fatal(err)
	}
	bxCreateInterpreter(t, c, "export_interpreter", types.CodeInterpreterNetworkModeSandbox)
	if _, err := c.CreateWorkloadIdentity(ctx, &ctl.CreateWorkloadIdentityInput{Name: aws.String("export-identity"),
		Tags: map[string]string{"owner": "me"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateApiKeyCredentialProvider(ctx, &ctl.CreateApiKeyCredentialProviderInput{
		Name: aws.String("export_key"), ApiKey: aws.String("sk-export-secret")}); err != nil {
		t.Fatal(err)
	}
	gw := gwCreate(t, c, "export-gateway")
	gwCreateTarget(t, c, gw.GatewayId, "export-target")
	if _, err := c.TagResource(ctx, &ctl.TagResourceInput{ResourceArn: gw.GatewayArn, Tags: map[string]string{"gw": "1"}}); err != nil {
		t.Fatal(err)
	}
	memCreate(t, c, "export_memory", memSemantic("facts"))
	// A transition left pending under the manual policy.
	setLifecycle(t, srv.URL, "browsers", "manual")
	pending := aws.ToString(bxCreatePublicBrowser(t, c, "export_pending").BrowserId)
	if _, err := c.TagResource(ctx, &ctl.TagResourceInput{ResourceArn: ep.AgentRuntimeEndpointArn, Tags: map[string]string{"late": "tag"}}); err != nil {
		t.Fatal(err)
	}

	before := admSnapshot(t, c)
	exported := adminOK(t, "GET", srv.URL+"/_agentcored/export", "")
	var doc struct {
		Format    string `json:"format"`
		Resources []struct {
			Kind string            `json:"kind"`
			Tags map[string]string `json:"tags"`
		} `json:"resources"`
		Jobs []struct {
			Kind       string     `json:"kind"`
			ResourceID string     `json:"resourceId"`
			DueAt      *time.Time `json:"dueAt"`
		} `json:"jobs"`
	}
	if err := json.Unmarshal([]byte(exported), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Format != "agentcored-export" || len(doc.Resources) < 10 {
		t.Fatalf("export: format %q, %d resources", doc.Format, len(doc.Resources))
	}
	if len(doc.Jobs) != 1 || doc.Jobs[0].Kind != "browser" || doc.Jobs[0].ResourceID != pending || doc.Jobs[0].DueAt != nil {
		t.Fatalf("export jobs: %+v, want the manual job of browser %s", doc.Jobs, pending)
	}

	adminOK(t, "POST", srv.URL+"/_agentcored/reset", "")
	if empty := admSnapshot(t, c); reflect.DeepEqual(empty, before) || len(admRuntimeNames(t, c)) != 0 {
		t.Fatal("reset left the state as it was")
	}

	var counts map[string]int
	decodeJSON(t, adminOK(t, "POST", srv.URL+"/_agentcored/import", exported), &counts)
	if counts["resources"] != len(doc.Resources) || counts["jobs"] != 1 {
		t.Fatalf("import answered %v", counts)
	}
	after := admSnapshot(t, c)
	admDiff(t, before, after)

	// A second export is the same document (but for its time).
	again := adminOK(t, "GET", srv.URL+"/_agentcored/export", "")
	if admWithoutTime(t, again) != admWithoutTime(t, exported) {
		t.Fatal("the export after the import differs from the first")
	}
	// Importing replaces: importing again over the same state keeps it.
	adminOK(t, "POST", srv.URL+"/_agentcored/import", exported)
	admDiff(t, before, admSnapshot(t, c))

	// The pending job came back and still runs.
	var all map[string]int
	decodeJSON(t, adminOK(t, "POST", srv.URL+"/_agentcored/lifecycle/advance", `{"all":true}`), &all)
	if s := admBrowserStatus(t, c, pending).Status; all["count"] != 1 || s != types.BrowserStatusReady {
		t.Fatalf("after import and advance all: %v, browser %s", all, s)
	}
	// The imported rows are live: the tagged runtime can be deleted.
	if _, err := c.DeleteAgentRuntimeEndpoint(ctx, &ctl.DeleteAgentRuntimeEndpointInput{AgentRuntimeId: tagged.AgentRuntimeId, EndpointName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}

	for name, body := range map[string]string{
		"not an export":   `{"format":"other","version":1}`,
		"unknown field":   `{"format":"agentcored-export","version":1,"extra":true}`,
		"missing kind":    `{"format":"agentcored-export","version":1,"resources":[{"account":"123456789012","region":"us-east-1","id":"x","createdAt":"2025-01-01T00:00:00Z","updatedAt":"2025-01-01T00:00:00Z"}]}`,
		"duplicate names": admDuplicate(t, exported),
	} {
		r := rawRequest(t, "POST", srv.URL+"/_agentcored/import", body)
		if r.status != http.StatusBadRequest {
			t.Errorf("import %s: %d %s, want 400", name, r.status, r.body)
		}
	}
	// A refused import changes nothing.
	if got := admRuntimeNames(t, c); len(got) != 2 {
		t.Fatalf("runtimes after refused imports: %v", got)
	}
}

func admDiff(t *testing.T, before, after map[string]string) {
	t.Helper()
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s differs after the round trip:\nbefore %s\nafter  %s", k, v, after[k])
		}
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			t.Errorf("%s appeared after the round trip: %s", k, after[k])
		}
	}
}

func admWithoutTime(t *testing.T, export string) string {
	t.Helper()
	var doc map[string]any
	decodeJSON(t, export, &doc)
	delete(doc, "exportedAt")
	b, _ := json.Marshal(doc)
	return string(b)
}

// admDuplicate is an export whose first resource appears twice.
func admDuplicate(t *testing.T, export string) string {
	t.Helper()
	var doc map[string]any
	decodeJSON(t, export, &doc)
	rs := doc["resources"].([]any)
	doc["resources"] = append(rs, rs[0])
	b, _ := json.Marshal(doc)
	return string(b)
}

// TestAdminStrictAuth: in strict mode the admin API and the moto reset need
// a signature by a known key; a key whose policy does not allow
// agentcored:Admin is refused; permissive mode stays open (the other tests).
func TestAdminStrictAuth(t *testing.T) {
	readOnly := auth.Credential{AccessKeyID: "AKIAREADONLY00000001", SecretAccessKey: "read-only-secret", AccountID: admAccountB,
		Policy: &auth.Policy{Statement: []auth.Statement{{Effect: auth.Allow, Action: auth.Strings{"bedrock-agentcore:Get*"}, Resource: auth.Strings{"*"}}}}}
	operator := auth.Credential{AccessKeyID: "AKIAOPERATOR00000001", SecretAccessKey: "operator-secret", AccountID: admAccountB,
		Policy: &auth.Policy{Statement: []auth.Statement{{Effect: auth.Allow, Action: auth.Strings{"agentcored:*"}, Resource: auth.Strings{"*"}}}}}
	srv := testserver.Start(t, func(c *server.Config) {
		c.Auth = auth.Strict
		c.Credentials = []auth.Credential{readOnly, operator}
	})
	now := time.Now()
	cases := []struct {
		name, method, path, body, key, secret string
		status                                int
		code                                  string
	}{
		{"unsigned", "GET", "/_agentcored/faults", "", "", "", http.StatusForbidden, "MissingAuthenticationTokenException"},
		{"unsigned moto reset", "POST", "/moto-api/reset", "", "", "", http.StatusForbidden, "MissingAuthenticationTokenException"},
		{"unknown key", "GET", "/_agentcored/lifecycle", "", "AKIANOBODY0000000001", "x", http.StatusForbidden, "UnrecognizedClientException"},
		{"wrong secret", "GET", "/_agentcored/lifecycle", "", auth.DefaultAccessKeyID, "wrong", http.StatusForbidden, "InvalidSignatureException"},
		{"policy without admin", "POST", "/_agentcored/reset", "", readOnly.AccessKeyID, readOnly.SecretAccessKey, http.StatusForbidden, "AccessDeniedException"},
		{"key without policy", "POST", "/_agentcored/faults", `{"operation":"GetBrowser","action":"latency","latencyMillis":1}`,
			auth.DefaultAccessKeyID, auth.DefaultSecretAccessKey, http.StatusCreated, ""},
		{"policy allowing admin", "GET", "/_agentcored/faults", "", operator.AccessKeyID, operator.SecretAccessKey, http.StatusOK, ""},
		{"signed moto reset", "POST", "/moto-api/reset", "", operator.AccessKeyID, operator.SecretAccessKey, http.StatusOK, ""},
		{"signed export", "GET", "/_agentcored/export", "", auth.DefaultAccessKeyID, auth.DefaultSecretAccessKey, http.StatusOK, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var r rawResponse
			if tc.key == "" {
				req, err := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(tc.body))
				if err != nil {
					t.Fatal(err)
				}
				r = rawDo(t, req)
			} else {
				r = azSignedRaw(t, srv, tc.method, tc.path, tc.body, now, tc.key, tc.secret, nil)
			}
			if r.status != tc.status || r.header.Get("X-Amzn-ErrorType") != tc.code {
				t.Fatalf("%d %s %s, want %d %s", r.status, r.header.Get("X-Amzn-ErrorType"), r.body, tc.status, tc.code)
			}
		})
	}
}
