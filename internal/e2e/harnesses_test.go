package e2e

import (
	"context"
	"net/http"
	"reflect"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	acc "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"

	"agentcored/internal/server"
	"agentcored/internal/testserver"
)

// Harness tests use the "hn" prefix and the rg helpers of registries_test.go.

const hnRole = "arn:aws:iam::123456789012:role/HarnessRole"

var hnIDRe = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_]{0,39}-[a-zA-Z0-9]{10}$`)

func hnCreate(t *testing.T, c *acc.Client, name string) *types.Harness {
	t.Helper()
	out, err := c.CreateHarness(context.Background(), &acc.CreateHarnessInput{HarnessName: aws.String(name), ExecutionRoleArn: aws.String(hnRole)})
	if err != nil {
		t.Fatalf("CreateHarness %s: %v", name, err)
	}
	return out.Harness
}

func hnGet(t *testing.T, c *acc.Client, id *string) *types.Harness {
	t.Helper()
	out, err := c.GetHarness(context.Background(), &acc.GetHarnessInput{HarnessId: id})
	if err != nil {
		t.Fatalf("GetHarness %s: %v", aws.ToString(id), err)
	}
	return out.Harness
}

// hnRuntimeEnv returns the runtime environment a harness reports.
func hnRuntimeEnv(t *testing.T, h *types.Harness) types.HarnessAgentCoreRuntimeEnvironment {
	t.Helper()
	env, ok := h.Environment.(*types.HarnessEnvironmentProviderMemberAgentCoreRuntimeEnvironment)
	if !ok {
		t.Fatalf("environment = %#v, want agentCoreRuntimeEnvironment", h.Environment)
	}
	return env.Value
}

func TestHarnessDefaults(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	out, err := c.CreateHarness(ctx, &acc.CreateHarnessInput{HarnessName: aws.String("minimal"), ExecutionRoleArn: aws.String(hnRole)})
	if err != nil {
		t.Fatal(err)
	}
	if code := httpStatus(t, out.ResultMetadata); code != http.StatusCreated {
		t.Errorf("CreateHarness status = %d, want 201", code)
	}
	h := out.Harness
	id := aws.ToString(h.HarnessId)
	if !hnIDRe.MatchString(id) || aws.ToString(h.Arn) != rgArnPrefix+"harness/"+id || h.Status != types.HarnessStatusCreating {
		t.Errorf("id %q arn %q status %s", id, aws.ToString(h.Arn), h.Status)
	}
	got := hnGet(t, c, h.HarnessId)
	if got.Status != types.HarnessStatusReady || aws.ToString(got.HarnessName) != "minimal" || aws.ToString(got.ExecutionRoleArn) != hnRole ||
		got.CreatedAt == nil || got.UpdatedAt == nil {
		t.Errorf("GetHarness = %+v", got)
	}
	model, ok := got.Model.(*types.HarnessModelConfigurationMemberBedrockModelConfig)
	if !ok || aws.ToString(model.Value.ModelId) != "global.anthropic.claude-sonnet-4-6" {
		t.Errorf("default model = %#v", got.Model)
	}
	if !reflect.DeepEqual(got.AllowedTools, []string{"*"}) || len(got.Tools) != 0 || len(got.Skills) != 0 || len(got.SystemPrompt) != 0 {
		t.Errorf("default tools/skills/prompt = %v %v %v %v", got.AllowedTools, got.Tools, got.Skills, got.SystemPrompt)
	}
	window, ok := got.Truncation.Config.(*types.HarnessTruncationStrategyConfigurationMemberSlidingWindow)
	if got.Truncation.Strategy != types.HarnessTruncationStrategySlidingWindow || !ok || aws.ToInt32(window.Value.MessagesCount) != 150 {
		t.Errorf("default truncation = %+v", got.Truncation)
	}
	if aws.ToInt32(got.MaxIterations) != 75 || aws.ToInt32(got.TimeoutSeconds) != 3600 || got.MaxTokens != nil {
		t.Errorf("default limits: iterations %v timeout %v tokens %v", got.MaxIterations, got.TimeoutSeconds, got.MaxTokens)
	}
	env := hnRuntimeEnv(t, got)
	rtID := aws.ToString(env.AgentRuntimeId)
	if aws.ToString(env.AgentRuntimeName) != "harness_minimal" || !regexp.MustCompile(`^harness_minimal-[a-zA-Z0-9]{10}$`).MatchString(rtID) ||
		aws.ToString(env.AgentRuntimeArn) != rgArnPrefix+"runtime/"+rtID {
		t.Errorf("backing runtime = %s %s %s", aws.ToString(env.AgentRuntimeName), rtID, aws.ToString(env.AgentRuntimeArn))
	}
	if !reflect.DeepEqual(env.LifecycleConfiguration, &types.LifecycleConfiguration{IdleRuntimeSessionTimeout: aws.Int32(900), MaxLifetime: aws.Int32(28800)}) ||
		!reflect.DeepEqual(env.NetworkConfiguration, &types.NetworkConfiguration{NetworkMode: types.NetworkModePublic}) {
		t.Errorf("default environment = %+v %+v", env.LifecycleConfiguration, env.NetworkConfiguration)
	}
}

func TestHarnessLifecycleFullConfiguration(t *testing.T) {
	srv := rgManualServer(t)
	c := srv.Client(t)
	ctx := context.Background()

	envReq := &types.HarnessEnvironmentProviderRequestMemberAgentCoreRuntimeEnvironment{Value: types.HarnessAgentCoreRuntimeEnvironmentRequest{
		LifecycleConfiguration: &types.LifecycleConfiguration{IdleRuntimeSessionTimeout: aws.Int32(600), MaxLifetime: aws.Int32(7200)},
		NetworkConfiguration:   rtVPC(),
		FilesystemConfigurations: []types.FilesystemConfiguration{
			&types.FilesystemConfigurationMemberSessionStorage{Value: types.SessionStorageConfiguration{MountPath: aws.String("/mnt/data")}},
		},
	}}
	artifact := &types.HarnessEnvironmentArtifactMemberContainerConfiguration{Value: types.ContainerConfiguration{ContainerUri: aws.String(rtImage)}}
	model := &types.HarnessModelConfigurationMemberBedrockModelConfig{Value: types.HarnessBedrockModelConfig{
		ModelId: aws.String("us.anthropic.claude-opus-4-5"), MaxTokens: aws.Int32(4096), Temperature: aws.Float32(0.5), TopP: aws.Float32(0.25)}}
	prompt := []types.HarnessSystemContentBlock{&types.HarnessSystemContentBlockMemberText{Value: "You are a research assistant."}}
	tools := []types.HarnessTool{
		{Type: types.HarnessToolTypeRemoteMcp, Name: aws.String("docs"), Config: &types.HarnessToolConfigurationMemberRemoteMcp{
			Value: types.HarnessRemoteMcpConfig{Url: aws.String("https://mcp.example.com/mcp"), Headers: map[string]string{"x-team": "ai"}}}},
		{Type: types.HarnessToolTypeAgentcoreGateway, Name: aws.String("gw"), Config: &types.HarnessToolConfigurationMemberAgentCoreGateway{
			Value: types.HarnessAgentCoreGatewayConfig{GatewayArn: aws.String(rgArnPrefix + "gateway/tools-abcdefghij"),
				OutboundAuth: &types.HarnessGatewayOutboundAuthMemberAwsIam{Value: types.Unit{}}}}},
		{Type: types.HarnessToolTypeAgentcoreBrowser, Name: aws.String("browser")},
	}
	skills := []types.HarnessSkill{&types.HarnessSkillMemberPath{Value: "/skills/research"}}
	memory := &types.HarnessMemoryConfigurationMemberAgentCoreMemoryConfiguration{Value: types.HarnessAgentCoreMemoryConfiguration{
		Arn: aws.String(rgArnPrefix + "memory/mem_x-abcdefghij"), ActorId: aws.String("user-1"), MessagesCount: aws.Int32(20),
		RetrievalConfig: map[string]types.HarnessAgentCoreMemoryRetrievalConfig{"/facts/{actorId}": {TopK: aws.Int32(5), StrategyId: aws.String("facts-abcdefghij")}},
	}}
	truncation := &types.HarnessTruncationConfiguration{Strategy: types.HarnessTruncationStrategySummarization,
		Config: &types.HarnessTruncationStrategyConfigurationMemberSummarization{Value: types.HarnessSummarizationConfiguration{
			SummaryRatio: aws.Float32(0.5), PreserveRecentMessages: aws.Int32(10), SummarizationSystemPrompt: aws.String("Summarize.")}}}

	out, err := c.CreateHarness(ctx, &acc.CreateHarnessInput{
		HarnessName: aws.String("researcher"), ExecutionRoleArn: aws.String(hnRole), Environment: envReq, EnvironmentArtifact: artifact,
		EnvironmentVariables: map[string]string{"LOG_LEVEL": "debug"}, AuthorizerConfiguration: rgJWT(), Model: model,
		SystemPrompt: prompt, Tools: tools, Skills: skills, AllowedTools: []string{"@builtin", "@docs/search"}, Memory: memory,
		Truncation: truncation, MaxIterations: aws.Int32(30), MaxTokens: aws.Int32(8192), TimeoutSeconds: aws.Int32(300),
		Tags: map[string]string{"team": "research"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if code := httpStatus(t, out.ResultMetadata); code != http.StatusCreated || out.Harness.Status != types.HarnessStatusCreating {
		t.Errorf("CreateHarness = %d %s", code, out.Harness.Status)
	}
	id := out.Harness.HarnessId
	arn := aws.ToString(out.Harness.Arn)
	if got := hnGet(t, c, id); got.Status != types.HarnessStatusCreating {
		t.Errorf("status before the transition = %s", got.Status)
	}
	advanceOne(t, srv.URL, "harness", aws.ToString(id))

	got := hnGet(t, c, id)
	if got.Status != types.HarnessStatusReady || aws.ToInt32(got.MaxIterations) != 30 || aws.ToInt32(got.MaxTokens) != 8192 ||
		aws.ToInt32(got.TimeoutSeconds) != 300 || got.FailureReason != nil {
		t.Errorf("GetHarness = %+v", got)
	}
	for what, pair := range map[string][2]any{
		"artifact":     {got.EnvironmentArtifact, types.HarnessEnvironmentArtifact(artifact)},
		"variables":    {got.EnvironmentVariables, map[string]string{"LOG_LEVEL": "debug"}},
		"authorizer":   {got.AuthorizerConfiguration, types.AuthorizerConfiguration(rgJWT())},
		"model":        {got.Model, types.HarnessModelConfiguration(model)},
		"systemPrompt": {got.SystemPrompt, prompt},
		"tools":        {got.Tools, tools},
		"skills":       {got.Skills, skills},
		"allowedTools": {got.AllowedTools, []string{"@builtin", "@docs/search"}},
		"memory":       {got.Memory, types.HarnessMemoryConfiguration(memory)},
		"truncation":   {got.Truncation, truncation},
	} {
		if !reflect.DeepEqual(pair[0], pair[1]) {
			t.Errorf("%s = %#v, want %#v", what, pair[0], pair[1])
		}
	}
	env := hnRuntimeEnv(t, got)
	if !reflect.DeepEqual(env.LifecycleConfiguration, envReq.Value.LifecycleConfiguration) || !reflect.DeepEqual(env.NetworkConfiguration, rtVPC()) ||
		!reflect.DeepEqual(env.FilesystemConfigurations, envReq.Value.FilesystemConfigurations) || aws.ToString(env.AgentRuntimeName) != "harness_researcher" {
		t.Errorf("environment = %+v", env)
	}
	tags, err := c.ListTagsForResource(ctx, &acc.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil || !reflect.DeepEqual(tags.Tags, map[string]string{"team": "research"}) {
		t.Errorf("tags = %v %v", tags, err)
	}
	list, err := c.ListHarnesses(ctx, &acc.ListHarnessesInput{})
	if err != nil || len(list.Harnesses) != 1 || aws.ToString(list.Harnesses[0].HarnessId) != aws.ToString(id) ||
		aws.ToString(list.Harnesses[0].Arn) != arn || list.Harnesses[0].Status != types.HarnessStatusReady || list.Harnesses[0].UpdatedAt == nil {
		t.Errorf("ListHarnesses = %+v %v", list, err)
	}

	// PATCH: a new prompt, memory cleared through its empty wrapper, the
	// environment replaced (absent parts back to their defaults); the rest
	// stays.
	newPrompt := []types.HarnessSystemContentBlock{&types.HarnessSystemContentBlockMemberText{Value: "Be brief."}}
	upd, err := c.UpdateHarness(ctx, &acc.UpdateHarnessInput{HarnessId: id, SystemPrompt: newPrompt,
		Memory: &types.UpdatedHarnessMemoryConfiguration{}, MaxIterations: aws.Int32(10),
		Environment: &types.HarnessEnvironmentProviderRequestMemberAgentCoreRuntimeEnvironment{Value: types.HarnessAgentCoreRuntimeEnvironmentRequest{
			LifecycleConfiguration: &types.LifecycleConfiguration{IdleRuntimeSessionTimeout: aws.Int32(120)}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if code := httpStatus(t, upd.ResultMetadata); code != http.StatusOK || upd.Harness.Status != types.HarnessStatusUpdating {
		t.Errorf("UpdateHarness = %d %s", code, upd.Harness.Status)
	}
	_, err = c.UpdateHarness(ctx, &acc.UpdateHarnessInput{HarnessId: id, MaxTokens: aws.Int32(1)})
	wantCode(t, "update while UPDATING", err, "ConflictException")
	advanceOne(t, srv.URL, "harness", aws.ToString(id))
	got = hnGet(t, c, id)
	env = hnRuntimeEnv(t, got)
	if got.Status != types.HarnessStatusReady || !reflect.DeepEqual(got.SystemPrompt, newPrompt) || got.Memory != nil ||
		aws.ToInt32(got.MaxIterations) != 10 || !reflect.DeepEqual(got.Tools, tools) || !reflect.DeepEqual(got.Model, types.HarnessModelConfiguration(model)) ||
		aws.ToInt32(env.LifecycleConfiguration.IdleRuntimeSessionTimeout) != 120 || aws.ToInt32(env.LifecycleConfiguration.MaxLifetime) != 28800 ||
		env.NetworkConfiguration.NetworkMode != types.NetworkModePublic || aws.ToString(env.AgentRuntimeName) != "harness_researcher" {
		t.Errorf("after update = %+v / env %+v", got, env)
	}

	del, err := c.DeleteHarness(ctx, &acc.DeleteHarnessInput{HarnessId: id})
	if err != nil {
		t.Fatal(err)
	}
	if code := httpStatus(t, del.ResultMetadata); code != http.StatusOK || del.Harness == nil || del.Harness.Status != types.HarnessStatusDeleting ||
		aws.ToString(del.Harness.HarnessId) != aws.ToString(id) {
		t.Errorf("DeleteHarness = %d %+v", code, del.Harness)
	}
	advanceOne(t, srv.URL, "harness", aws.ToString(id))
	_, err = c.GetHarness(ctx, &acc.GetHarnessInput{HarnessId: id})
	wantCode(t, "Get after delete", err, "ResourceNotFoundException")
	_, err = c.ListTagsForResource(ctx, &acc.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	wantCode(t, "tags after delete", err, "ResourceNotFoundException")
	_, err = c.DeleteHarness(ctx, &acc.DeleteHarnessInput{HarnessId: id})
	wantCode(t, "delete after delete", err, "ResourceNotFoundException")
}

func TestHarnessIdempotency(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	in := func(timeout int32) *acc.CreateHarnessInput {
		return &acc.CreateHarnessInput{HarnessName: aws.String("retry"), ExecutionRoleArn: aws.String(hnRole), TimeoutSeconds: aws.Int32(timeout),
			ClientToken: aws.String(clientToken("harness-token"))}
	}
	first, err := c.CreateHarness(ctx, in(60))
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.CreateHarness(ctx, in(60))
	if err != nil || aws.ToString(again.Harness.HarnessId) != aws.ToString(first.Harness.HarnessId) || httpStatus(t, again.ResultMetadata) != http.StatusCreated {
		t.Errorf("replay: %+v %v", again, err)
	}
	env := hnRuntimeEnv(t, again.Harness)
	if aws.ToString(env.AgentRuntimeId) != aws.ToString(hnRuntimeEnv(t, first.Harness).AgentRuntimeId) {
		t.Error("replay reports another backing runtime")
	}
	_, err = c.CreateHarness(ctx, in(90))
	if reason, _ := validationReason(err); reason != types.ValidationExceptionReasonIdempotentParameterMismatchException {
		t.Errorf("token reuse: %v", err)
	}
	updIn := &acc.UpdateHarnessInput{HarnessId: first.Harness.HarnessId, MaxTokens: aws.Int32(100), ClientToken: aws.String(clientToken("harness-update"))}
	u1, err := c.UpdateHarness(ctx, updIn)
	if err != nil {
		t.Fatal(err)
	}
	u2, err := c.UpdateHarness(ctx, updIn)
	if err != nil || !u1.Harness.UpdatedAt.Equal(aws.ToTime(u2.Harness.UpdatedAt)) {
		t.Errorf("update replay: %+v %v", u2, err)
	}
	delIn := &acc.DeleteHarnessInput{HarnessId: first.Harness.HarnessId, ClientToken: aws.String(clientToken("harness-delete"))}
	if _, err := c.DeleteHarness(ctx, delIn); err != nil {
		t.Fatal(err)
	}
	if out, err := c.DeleteHarness(ctx, delIn); err != nil || out.Harness.Status != types.HarnessStatusDeleting {
		t.Errorf("delete replay after the harness is gone: %+v %v", out, err)
	}
}

func TestHarnessConflictValidationQuota(t *testing.T) {
	srv := testserver.Start(t, func(c *server.Config) { c.Quotas.HarnessesPerAccount = 2 })
	c := srv.Client(t)
	ctx := context.Background()
	h := hnCreate(t, c, "dup")
	_, err := c.CreateHarness(ctx, &acc.CreateHarnessInput{HarnessName: aws.String("dup"), ExecutionRoleArn: aws.String(hnRole)})
	wantCode(t, "duplicate name", err, "ConflictException")

	for name, in := range map[string]*acc.CreateHarnessInput{
		"remote MCP without config": {Tools: []types.HarnessTool{{Type: types.HarnessToolTypeRemoteMcp}}},
		"config of another type": {Tools: []types.HarnessTool{{Type: types.HarnessToolTypeAgentcoreBrowser,
			Config: &types.HarnessToolConfigurationMemberRemoteMcp{Value: types.HarnessRemoteMcpConfig{Url: aws.String("https://x.example.com")}}}}},
		"duplicate tool names": {Tools: []types.HarnessTool{{Type: types.HarnessToolTypeAgentcoreBrowser, Name: aws.String("t")},
			{Type: types.HarnessToolTypeAgentcoreCodeInterpreter, Name: aws.String("t")}}},
		"truncation config of another strategy": {Truncation: &types.HarnessTruncationConfiguration{Strategy: types.HarnessTruncationStrategyNone,
			Config: &types.HarnessTruncationStrategyConfigurationMemberSlidingWindow{Value: types.HarnessSlidingWindowConfiguration{MessagesCount: aws.Int32(5)}}}},
		"VPC without subnets": {Environment: &types.HarnessEnvironmentProviderRequestMemberAgentCoreRuntimeEnvironment{Value: types.HarnessAgentCoreRuntimeEnvironmentRequest{
			NetworkConfiguration: &types.NetworkConfiguration{NetworkMode: types.NetworkModeVpc}}}},
		"idle longer than lifetime": {Environment: &types.HarnessEnvironmentProviderRequestMemberAgentCoreRuntimeEnvironment{Value: types.HarnessAgentCoreRuntimeEnvironmentRequest{
			LifecycleConfiguration: &types.LifecycleConfiguration{IdleRuntimeSessionTimeout: aws.Int32(600), MaxLifetime: aws.Int32(300)}}}},
		"hyphen in the name": {HarnessName: aws.String("no-hyphens")},
		"aws: tag key":       {Tags: map[string]string{"aws:x": "y"}},
	} {
		if in.HarnessName == nil {
			in.HarnessName = aws.String("bad")
		}
		in.ExecutionRoleArn = aws.String(hnRole)
		_, err := c.CreateHarness(ctx, in)
		wantCode(t, name, err, "ValidationException")
	}
	_, err = c.UpdateHarness(ctx, &acc.UpdateHarnessInput{HarnessId: h.HarnessId, Tools: []types.HarnessTool{{Type: types.HarnessToolTypeInlineFunction}}})
	wantCode(t, "update with an inline function without config", err, "ValidationException")
	_, err = c.UpdateHarness(ctx, &acc.UpdateHarnessInput{HarnessId: aws.String("nothing-abcdefghij")})
	wantCode(t, "update a missing harness", err, "ResourceNotFoundException")

	hnCreate(t, c, "second")
	_, err = c.CreateHarness(ctx, &acc.CreateHarnessInput{HarnessName: aws.String("third"), ExecutionRoleArn: aws.String(hnRole)})
	wantCode(t, "over quota", err, "ServiceQuotaExceededException")
}

func TestHarnessPagination(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	want := map[string]bool{}
	for _, name := range []string{"h1", "h2", "h3"} {
		want[aws.ToString(hnCreate(t, c, name).HarnessId)] = true
	}
	seen := map[string]int{}
	var token *string
	for pages := 0; ; pages++ {
		out, err := c.ListHarnesses(ctx, &acc.ListHarnessesInput{MaxResults: aws.Int32(1), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Harnesses) != 1 {
			t.Fatalf("page %d holds %d harnesses", pages, len(out.Harnesses))
		}
		seen[aws.ToString(out.Harnesses[0].HarnessId)]++
		if out.NextToken == nil {
			break
		}
		token = out.NextToken
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
	}
	if len(seen) != len(want) {
		t.Errorf("seen %v, want %v", seen, want)
	}
	for id, n := range seen {
		if !want[id] || n != 1 {
			t.Errorf("%s seen %d times", id, n)
		}
	}
}

func TestHarnessFaultInjectedFailures(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()

	failNext(t, srv.URL, "CreateHarness", "boom")
	doomed := hnCreate(t, c, "doomed")
	if got := hnGet(t, c, doomed.HarnessId); got.Status != types.HarnessStatusCreateFailed || aws.ToString(got.FailureReason) != "boom" {
		t.Errorf("after a failed create: %s %q", got.Status, aws.ToString(got.FailureReason))
	}
	_, err := c.UpdateHarness(ctx, &acc.UpdateHarnessInput{HarnessId: doomed.HarnessId, MaxTokens: aws.Int32(1)})
	wantCode(t, "update a CREATE_FAILED harness", err, "ConflictException")

	h := hnCreate(t, c, "fine")
	failNext(t, srv.URL, "UpdateHarness", "no update")
	if _, err := c.UpdateHarness(ctx, &acc.UpdateHarnessInput{HarnessId: h.HarnessId, MaxTokens: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	if got := hnGet(t, c, h.HarnessId); got.Status != types.HarnessStatusUpdateFailed || aws.ToString(got.FailureReason) != "no update" {
		t.Errorf("after a failed update: %s %q", got.Status, aws.ToString(got.FailureReason))
	}
	failNext(t, srv.URL, "DeleteHarness", "stuck")
	if _, err := c.DeleteHarness(ctx, &acc.DeleteHarnessInput{HarnessId: h.HarnessId}); err != nil {
		t.Fatal(err)
	}
	if got := hnGet(t, c, h.HarnessId); got.Status != types.HarnessStatusDeleteFailed || aws.ToString(got.FailureReason) != "stuck" {
		t.Errorf("after a failed delete: %s %q", got.Status, aws.ToString(got.FailureReason))
	}
	for _, id := range []*string{h.HarnessId, doomed.HarnessId} {
		if _, err := c.DeleteHarness(ctx, &acc.DeleteHarnessInput{HarnessId: id}); err != nil {
			t.Fatal(err)
		}
		_, err := c.GetHarness(ctx, &acc.GetHarnessInput{HarnessId: id})
		wantCode(t, "Get after the second delete", err, "ResourceNotFoundException")
	}
}

func TestHarnessTimedLifecycle(t *testing.T) {
	srv := rgTimedServer(t)
	c := srv.Client(t)
	ctx := context.Background()
	h := hnCreate(t, c, "slow")
	eventuallyStatus(t, "harness READY", func() (types.HarnessStatus, error) {
		return hnGet(t, c, h.HarnessId).Status, nil
	}, types.HarnessStatusReady, types.HarnessStatusCreating)
	if _, err := c.DeleteHarness(ctx, &acc.DeleteHarnessInput{HarnessId: h.HarnessId}); err != nil {
		t.Fatal(err)
	}
	eventuallyGone(t, "harness gone", func() (types.HarnessStatus, error) {
		out, err := c.GetHarness(ctx, &acc.GetHarnessInput{HarnessId: h.HarnessId})
		if err != nil {
			return "", err
		}
		return out.Harness.Status, nil
	}, types.HarnessStatusDeleting)
}
