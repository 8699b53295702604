package service

// Harnesses: managed agent loops, configured rather than coded.
//
// A harness's id is "<name>-<10 alphanumerics>"; its ARN is
// ...:harness/<id>. Create answers 201 with the whole harness in CREATING;
// Update (PATCH) answers 200 in UPDATING; Delete answers 200 with the
// harness in DELETING. Statuses: CREATING -> READY (or CREATE_FAILED with
// failureReason), UPDATING -> READY (or UPDATE_FAILED), DELETING -> row
// removed (or DELETE_FAILED).
//
// Defaults, as the live service reports them for a harness created with
// only a name and a role (a published create-harness answer, and the
// devguide's "Observability and cost controls" page): model Bedrock
// "global.anthropic.claude-sonnet-4-6", allowedTools ["*"], truncation
// sliding_window with messagesCount 150, maxIterations 75, timeoutSeconds
// 3600, no maxTokens, environment an AgentCore Runtime with lifecycle
// 900/28800 and networkMode PUBLIC; systemPrompt, tools and skills empty.
//
// The backing runtime: AgentCore runs each harness on a runtime it
// provisions, named "harness_<harnessName>" (the harness name has at most
// 40 characters, so the runtime name fits the runtime's 48). Here the
// harness only reports that runtime in environment.agentCoreRuntimeEnvironment
// (agentRuntimeName, agentRuntimeId "harness_<name>-<10>", agentRuntimeArn
// ...:runtime/<that id>); no runtime row is created. A real row would show
// in ListAgentRuntimes as on AWS, but would also let the caller update or
// delete it through the runtime operations, which would need guards in
// runtimes.go, and it would need an artifact a harness does not have.
//
// Other decisions:
//   - UpdateHarness replaces each member it carries and keeps the others
//     (model docs). environment, when given, replaces the whole runtime
//     environment configuration: its absent parts take the defaults.
//     environmentArtifact, memory and authorizerConfiguration use their
//     Updated* wrappers: without optionalValue they are cleared.
//   - A tool's config member must match its type (remoteMcp for remote_mcp,
//     agentCoreGateway for agentcore_gateway, inlineFunction for
//     inline_function; browser and code interpreter configs are optional);
//     tool names must be unique; a truncation config must match its strategy
//     (none takes none). ValidationException otherwise.
//   - ARNs the harness refers to (gateway, memory, browser, code interpreter,
//     API keys) are not checked for existence.
//   - Names are unique per account and region (ConflictException). Updates
//     wait out CREATING, UPDATING and DELETING and are refused after a
//     failed creation (ConflictException).
//   - Quota: Quotas.HarnessesPerAccount (1000 here; on AWS harnesses live
//     within the runtime quotas).

import (
	"context"
	"errors"
	"strconv"
	"time"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/store"
)

const (
	kindHarness             = "harness"
	familyHarnesses         = "harnesses"
	defaultHarnessListLimit = 10
	defaultHarnessModelID   = "global.anthropic.claude-sonnet-4-6"
	defaultHarnessMessages  = 150
	defaultHarnessIter      = 75
	defaultHarnessTimeout   = 3600
)

// harnessDoc is the document of a harness row.
type harnessDoc struct {
	api.Harness
	// PendingFailure, set by an injected fault, makes the pending transition
	// end in *_FAILED with this failure reason.
	PendingFailure string `json:"pendingFailure,omitempty"`
}

func (s *Service) registerHarnesses() {
	s.lifecycle.Register(familyHarnesses, kindHarness, s.reconcileHarness)
}

func harnessNotFound(id string) error {
	return awserr.NotFound("Harness '%s' was not found.", id)
}

func (s *Service) getHarness(ctx context.Context, tx store.Tx, id string) (*store.Resource, *harnessDoc, error) {
	return loadDoc[harnessDoc](ctx, tx, scopeOf(ctx).key(kindHarness, id), func() error { return harnessNotFound(id) })
}

// harnessEnvironment builds the reported environment from a request's, for
// the backing runtime named in rt, filling the defaults.
func harnessEnvironment(req *api.HarnessEnvironmentProviderRequest, rt *api.HarnessAgentCoreRuntimeEnvironment) (*api.HarnessEnvironmentProvider, error) {
	env := api.HarnessAgentCoreRuntimeEnvironment{
		AgentRuntimeArn: rt.AgentRuntimeArn, AgentRuntimeName: rt.AgentRuntimeName, AgentRuntimeId: rt.AgentRuntimeId,
	}
	var in api.HarnessAgentCoreRuntimeEnvironmentRequest
	if req != nil && req.AgentCoreRuntimeEnvironment != nil {
		in = *req.AgentCoreRuntimeEnvironment
	}
	lc := api.LifecycleConfiguration{}
	if in.LifecycleConfiguration != nil {
		lc = *in.LifecycleConfiguration
	}
	// As for runtimes, the two bounds are compared when both are given.
	if lc.IdleRuntimeSessionTimeout != nil && lc.MaxLifetime != nil && *lc.IdleRuntimeSessionTimeout > *lc.MaxLifetime {
		return nil, invalidMember("environment.agentCoreRuntimeEnvironment.lifecycleConfiguration", "idleRuntimeSessionTimeout must be less than or equal to maxLifetime")
	}
	if lc.IdleRuntimeSessionTimeout == nil {
		lc.IdleRuntimeSessionTimeout = ptr(int64(defaultIdleTimeout))
	}
	if lc.MaxLifetime == nil {
		lc.MaxLifetime = ptr(int64(defaultMaxLifetime))
	}
	env.LifecycleConfiguration = &lc
	env.NetworkConfiguration = in.NetworkConfiguration
	if env.NetworkConfiguration == nil {
		env.NetworkConfiguration = &api.NetworkConfiguration{NetworkMode: api.NetworkModePublic}
	}
	n := env.NetworkConfiguration
	if err := checkNetwork("environment.agentCoreRuntimeEnvironment.networkConfiguration", string(n.NetworkMode), n.NetworkModeConfig != nil, "networkModeConfig"); err != nil {
		return nil, err
	}
	env.FilesystemConfigurations = in.FilesystemConfigurations
	return &api.HarnessEnvironmentProvider{AgentCoreRuntimeEnvironment: &env}, nil
}

// harnessToolConfigs names, by tool type, the config member it takes and
// whether it must be there.
var harnessToolConfigs = map[api.HarnessToolType]struct {
	member   string
	required bool
}{
	api.HarnessToolTypeRemoteMcp:                {"remoteMcp", true},
	api.HarnessToolTypeAgentcoreGateway:         {"agentCoreGateway", true},
	api.HarnessToolTypeInlineFunction:           {"inlineFunction", true},
	api.HarnessToolTypeAgentcoreBrowser:         {"agentCoreBrowser", false},
	api.HarnessToolTypeAgentcoreCodeInterpreter: {"agentCoreCodeInterpreter", false},
}

func toolConfigMember(c *api.HarnessToolConfiguration) string {
	switch {
	case c == nil:
		return ""
	case c.RemoteMcp != nil:
		return "remoteMcp"
	case c.AgentCoreGateway != nil:
		return "agentCoreGateway"
	case c.InlineFunction != nil:
		return "inlineFunction"
	case c.AgentCoreBrowser != nil:
		return "agentCoreBrowser"
	case c.AgentCoreCodeInterpreter != nil:
		return "agentCoreCodeInterpreter"
	}
	return ""
}

func checkHarnessTools(tools []api.HarnessTool) error {
	names := map[string]bool{}
	for i, t := range tools {
		want := harnessToolConfigs[t.Type]
		got := toolConfigMember(t.Config)
		member := "tools." + strconv.Itoa(i+1) + ".config"
		switch {
		case got == "" && want.required:
			return invalidMember(member, "Member must not be null for a tool of type "+string(t.Type))
		case got != "" && got != want.member:
			return invalidMember(member, "Member must be "+want.member+" for a tool of type "+string(t.Type))
		}
		if t.Name != "" {
			if names[t.Name] {
				return invalidMember("tools."+strconv.Itoa(i+1)+".name", "Tool names must be unique; '"+t.Name+"' is used twice")
			}
			names[t.Name] = true
		}
	}
	return nil
}

func checkHarnessTruncation(t *api.HarnessTruncationConfiguration) error {
	if t == nil || t.Config == nil {
		return nil
	}
	var got api.HarnessTruncationStrategy
	switch {
	case t.Config.SlidingWindow != nil:
		got = api.HarnessTruncationStrategySlidingWindow
	case t.Config.Summarization != nil:
		got = api.HarnessTruncationStrategySummarization
	}
	if got != t.Strategy {
		return invalidMember("truncation.config", "Member does not match strategy "+string(t.Strategy))
	}
	return nil
}

func (s *Service) CreateHarness(ctx context.Context, in *api.CreateHarnessRequest) (*api.CreateHarnessResponse, error) {
	if err := checkHarnessTools(in.Tools); err != nil {
		return nil, err
	}
	if err := checkHarnessTruncation(in.Truncation); err != nil {
		return nil, err
	}
	if err := checkTagKeys("tags", mapKeys(in.Tags)); err != nil {
		return nil, err
	}
	sc := scopeOf(ctx)
	runtimeName := "harness_" + in.HarnessName
	runtimeID := newID(runtimeName)
	env, err := harnessEnvironment(in.Environment, &api.HarnessAgentCoreRuntimeEnvironment{
		AgentRuntimeArn: sc.arn("runtime/" + runtimeID), AgentRuntimeName: runtimeName, AgentRuntimeId: runtimeID,
	})
	if err != nil {
		return nil, err
	}
	quota := quotaOrDefault(s.quotas.HarnessesPerAccount, DefaultQuotas.HarnessesPerAccount)
	return mutate(ctx, s, func(tx store.Tx) (*api.CreateHarnessResponse, error) {
		if _, err := tx.GetByName(ctx, sc.account, sc.region, kindHarness, "", in.HarnessName); err == nil {
			return nil, nameTaken("harness", in.HarnessName)
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		if n, err := tx.Count(ctx, sc.account, sc.region, kindHarness, ""); err != nil {
			return nil, err
		} else if n >= quota {
			return nil, awserr.QuotaExceeded("You have reached the maximum of %d harnesses in this account and region.", quota)
		}
		now := s.now().UTC()
		id := newID(in.HarnessName)
		h := api.Harness{
			HarnessId: id, HarnessName: in.HarnessName, Arn: sc.arn("harness/" + id), Status: api.HarnessStatusCreating,
			ExecutionRoleArn: in.ExecutionRoleArn, CreatedAt: api.NewDateTime(now), UpdatedAt: api.NewDateTime(now),
			Model: in.Model, SystemPrompt: in.SystemPrompt, Tools: in.Tools, Skills: in.Skills, AllowedTools: in.AllowedTools,
			Truncation: in.Truncation, Environment: env, EnvironmentArtifact: in.EnvironmentArtifact,
			EnvironmentVariables: in.EnvironmentVariables, AuthorizerConfiguration: in.AuthorizerConfiguration, Memory: in.Memory,
			MaxIterations: in.MaxIterations, MaxTokens: in.MaxTokens, TimeoutSeconds: in.TimeoutSeconds,
		}
		fillHarnessDefaults(&h)
		doc := harnessDoc{Harness: h, PendingFailure: s.injectedFailure(ctx, "CreateHarness")}
		row := &store.Resource{Account: sc.account, Region: sc.region, Kind: kindHarness, ID: id, Name: in.HarnessName,
			ARN: h.Arn, Status: string(h.Status), CreatedAt: now, UpdatedAt: now, Doc: encodeDoc(doc)}
		if err := s.insertNamed(ctx, tx, row, in.Tags, "harness"); err != nil {
			return nil, err
		}
		if err := s.lifecycle.Schedule(ctx, tx, row); err != nil {
			return nil, err
		}
		return &api.CreateHarnessResponse{Harness: &h}, nil
	})
}

// fillHarnessDefaults sets what the service reports for members the caller
// left out (the model makes several of them required in the output).
func fillHarnessDefaults(h *api.Harness) {
	if h.Model == nil {
		h.Model = &api.HarnessModelConfiguration{BedrockModelConfig: &api.HarnessBedrockModelConfig{ModelId: defaultHarnessModelID}}
	}
	if h.SystemPrompt == nil {
		h.SystemPrompt = []api.HarnessSystemContentBlock{}
	}
	if h.Tools == nil {
		h.Tools = []api.HarnessTool{}
	}
	if h.Skills == nil {
		h.Skills = []api.HarnessSkill{}
	}
	if h.AllowedTools == nil {
		h.AllowedTools = []string{"*"}
	}
	if h.Truncation == nil {
		h.Truncation = &api.HarnessTruncationConfiguration{
			Strategy: api.HarnessTruncationStrategySlidingWindow,
			Config: &api.HarnessTruncationStrategyConfiguration{
				SlidingWindow: &api.HarnessSlidingWindowConfiguration{MessagesCount: ptr(int64(defaultHarnessMessages))},
			},
		}
	}
	if h.MaxIterations == nil {
		h.MaxIterations = ptr(int64(defaultHarnessIter))
	}
	if h.TimeoutSeconds == nil {
		h.TimeoutSeconds = ptr(int64(defaultHarnessTimeout))
	}
}

func (s *Service) GetHarness(ctx context.Context, in *api.GetHarnessRequest) (*api.GetHarnessResponse, error) {
	var doc *harnessDoc
	err := s.read(ctx, func(tx store.Tx) error {
		var err error
		_, doc, err = s.getHarness(ctx, tx, in.HarnessId)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &api.GetHarnessResponse{Harness: &doc.Harness}, nil
}

func (s *Service) UpdateHarness(ctx context.Context, in *api.UpdateHarnessRequest) (*api.UpdateHarnessResponse, error) {
	if in.Tools != nil {
		if err := checkHarnessTools(in.Tools); err != nil {
			return nil, err
		}
	}
	if err := checkHarnessTruncation(in.Truncation); err != nil {
		return nil, err
	}
	return mutate(ctx, s, func(tx store.Tx) (*api.UpdateHarnessResponse, error) {
		row, doc, err := s.getHarness(ctx, tx, in.HarnessId)
		if err != nil {
			return nil, err
		}
		if transitional(row.Status) || row.Status == string(api.HarnessStatusCreateFailed) {
			return nil, awserr.Conflict("Harness '%s' is %s and cannot be updated now.", doc.HarnessId, row.Status)
		}
		h := &doc.Harness
		if in.ExecutionRoleArn != "" {
			h.ExecutionRoleArn = in.ExecutionRoleArn
		}
		if in.Environment != nil {
			env, err := harnessEnvironment(in.Environment, h.Environment.AgentCoreRuntimeEnvironment)
			if err != nil {
				return nil, err
			}
			h.Environment = env
		}
		if in.EnvironmentArtifact != nil {
			h.EnvironmentArtifact = in.EnvironmentArtifact.OptionalValue
		}
		if in.EnvironmentVariables != nil {
			h.EnvironmentVariables = in.EnvironmentVariables
		}
		if in.AuthorizerConfiguration != nil {
			h.AuthorizerConfiguration = in.AuthorizerConfiguration.OptionalValue
		}
		if in.Model != nil {
			h.Model = in.Model
		}
		if in.SystemPrompt != nil {
			h.SystemPrompt = in.SystemPrompt
		}
		if in.Tools != nil {
			h.Tools = in.Tools
		}
		if in.Skills != nil {
			h.Skills = in.Skills
		}
		if in.AllowedTools != nil {
			h.AllowedTools = in.AllowedTools
		}
		if in.Memory != nil {
			h.Memory = in.Memory.OptionalValue
		}
		if in.Truncation != nil {
			h.Truncation = in.Truncation
		}
		if in.MaxIterations != nil {
			h.MaxIterations = in.MaxIterations
		}
		if in.MaxTokens != nil {
			h.MaxTokens = in.MaxTokens
		}
		if in.TimeoutSeconds != nil {
			h.TimeoutSeconds = in.TimeoutSeconds
		}
		now := s.now().UTC()
		h.Status = api.HarnessStatusUpdating
		h.FailureReason = ""
		h.UpdatedAt = api.NewDateTime(now)
		doc.PendingFailure = s.injectedFailure(ctx, "UpdateHarness")
		if err := s.transition(ctx, tx, row, string(h.Status), doc, now); err != nil {
			return nil, err
		}
		return &api.UpdateHarnessResponse{Harness: h}, nil
	})
}

func (s *Service) DeleteHarness(ctx context.Context, in *api.DeleteHarnessRequest) (*api.DeleteHarnessResponse, error) {
	return mutate(ctx, s, func(tx store.Tx) (*api.DeleteHarnessResponse, error) {
		row, doc, err := s.getHarness(ctx, tx, in.HarnessId)
		if err != nil {
			return nil, err
		}
		if row.Status == string(api.HarnessStatusDeleting) {
			return &api.DeleteHarnessResponse{Harness: &doc.Harness}, nil
		}
		now := s.now().UTC()
		doc.Status = api.HarnessStatusDeleting
		doc.FailureReason = ""
		doc.UpdatedAt = api.NewDateTime(now)
		doc.PendingFailure = s.injectedFailure(ctx, "DeleteHarness")
		if err := s.transition(ctx, tx, row, string(doc.Status), doc, now); err != nil {
			return nil, err
		}
		return &api.DeleteHarnessResponse{Harness: &doc.Harness}, nil
	})
}

func (s *Service) ListHarnesses(ctx context.Context, in *api.ListHarnessesRequest) (*api.ListHarnessesResponse, error) {
	out := &api.ListHarnessesResponse{Harnesses: []api.HarnessSummary{}}
	sc := scopeOf(ctx)
	err := s.read(ctx, func(tx store.Tx) error {
		rows, next, err := s.page(ctx, tx, sc, kindHarness, "", in.MaxResults, defaultHarnessListLimit, in.NextToken)
		if err != nil {
			return err
		}
		out.NextToken = next
		for _, r := range rows {
			var doc harnessDoc
			if err := decodeDoc(r, &doc); err != nil {
				return err
			}
			out.Harnesses = append(out.Harnesses, api.HarnessSummary{
				HarnessId: doc.HarnessId, HarnessName: doc.HarnessName, Arn: doc.Arn, Status: doc.Status,
				CreatedAt: doc.CreatedAt, UpdatedAt: doc.UpdatedAt,
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// reconcileHarness completes a harness's pending transition.
func (s *Service) reconcileHarness(ctx context.Context, tx store.Tx, row *store.Resource, now time.Time) error {
	var doc harnessDoc
	if err := decodeDoc(row, &doc); err != nil {
		return err
	}
	next, gone := nextAsyncStatus(string(doc.Status), doc.PendingFailure)
	if gone {
		return s.removeResource(ctx, tx, row)
	}
	if next == string(doc.Status) {
		return nil
	}
	doc.Status = api.HarnessStatus(next)
	doc.FailureReason = doc.PendingFailure
	doc.PendingFailure = ""
	doc.UpdatedAt = api.NewDateTime(now)
	return saveDoc(ctx, tx, row, next, doc, now)
}
