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
//
// Versions and endpoints (harness_versions.go, harness_endpoints.go): Create
// makes version 1 and the DEFAULT endpoint on it; each Update makes the next
// version and moves DEFAULT onto it; when the harness's change ends, so do
// the version's and DEFAULT's. GetHarness with harnessVersion answers that
// version. The deletion of a harness, once it completes, removes its
// versions and endpoints with it (they do not block it).
//
// Managed memory: with memory.managedMemoryConfiguration, "Harness creates
// and manages a memory resource in the customer's account"
// (HarnessMemoryConfiguration, API reference); its arn is "Read-only on Get,
// ignored on Create/Update input" (HarnessManagedMemoryConfiguration), and
// DeleteHarness's deleteManagedMemory (default true) deletes that memory, or,
// when false, leaves it as "a regular customer-owned resource"
// (DeleteHarness). As with the backing runtime, no memory is provisioned
// here: a memory created inside CreateHarness's transaction would need the
// memory family's create as a step of another transaction, which the engine
// does not offer, and a reported ARN with no memory behind it would answer
// ResourceNotFoundException to GetMemory. So the arn a caller sends is
// dropped (ignored on input, as documented) and none is reported, and
// deleteManagedMemory has nothing to delete: it is accepted and has no
// effect.

import (
	"context"
	"strconv"

	"agentcored/internal/api"
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
	failable
}

var harnesses = &family[harnessDoc]{
	kind: kindHarness, group: familyHarnesses, noun: "harness", plural: "harnesses", arnPath: "harness/",
	fields: fields{ID: "HarnessId", ARN: "Arn", Status: "Status", Reason: "FailureReason", Created: "CreatedAt", Updated: "UpdatedAt"},
	states: asyncStates, listLimit: defaultHarnessListLimit,
	quota:   func(q Quotas) int { return quotaOrDefault(q.HarnessesPerAccount, DefaultQuotas.HarnessesPerAccount) },
	settled: settleHarnessChildren,
}

// settleHarnessChildren ends, with the harness's change, that of its latest
// version and of its DEFAULT endpoint; a completed deletion takes the
// versions and endpoints with it.
func settleHarnessChildren(ctx context.Context, s *Service, tx store.Tx, row *store.Resource, h *harnessDoc, from string) error {
	sc := scope{account: row.Account, region: row.Region}
	switch {
	case h.Status == api.HarnessStatusDeleting: // the row is being removed
		return s.removeChildren(ctx, tx, row, kindHarnessVersion, kindHarnessEndpoint)
	case from == string(api.HarnessStatusCreating) || from == string(api.HarnessStatusUpdating):
		now := s.now().UTC()
		if err := settleHarnessVersion(ctx, tx, sc, &h.Harness, now); err != nil {
			return err
		}
		return followHarness(ctx, tx, sc, &h.Harness, now)
	}
	return nil
}

// dropManagedMemoryArn ignores the read-only managed memory arn of a request
// (see the header: no memory is provisioned).
func dropManagedMemoryArn(m *api.HarnessMemoryConfiguration) {
	if m != nil && m.ManagedMemoryConfiguration != nil {
		m.ManagedMemoryConfiguration.Arn = ""
	}
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
	return create[api.CreateHarnessResponse](ctx, s, harnesses, creation{name: in.HarnessName, tags: in.Tags, from: in},
		func(tx store.Tx, sc scope, h *harnessDoc) error {
			runtimeName := "harness_" + in.HarnessName
			runtimeID := newID(runtimeName)
			env, err := harnessEnvironment(in.Environment, &api.HarnessAgentCoreRuntimeEnvironment{
				AgentRuntimeArn: sc.arn("runtime/" + runtimeID), AgentRuntimeName: runtimeName, AgentRuntimeId: runtimeID,
			})
			if err != nil {
				return err
			}
			h.Environment = env
			fillHarnessDefaults(&h.Harness)
			dropManagedMemoryArn(h.Memory)
			h.HarnessVersion = "1"
			now := h.CreatedAt.Time
			if err := addHarnessVersion(ctx, tx, sc, &h.Harness, now); err != nil {
				return err
			}
			return addDefaultHarnessEndpoint(ctx, tx, sc, &h.Harness, now)
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
	if in.HarnessVersion != "" {
		return s.getHarnessVersion(ctx, in.HarnessId, in.HarnessVersion)
	}
	return get[api.GetHarnessResponse](ctx, s, harnesses, "", in.HarnessId)
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
	return update[api.UpdateHarnessResponse](ctx, s, harnesses, "", in.HarnessId, in,
		func(tx store.Tx, sc scope, _ *store.Resource, h *harnessDoc) error {
			if in.Environment != nil {
				env, err := harnessEnvironment(in.Environment, h.Environment.AgentCoreRuntimeEnvironment)
				if err != nil {
					return err
				}
				h.Environment = env
			}
			dropManagedMemoryArn(h.Memory)
			// Every update is a new version, and DEFAULT moves onto it. The
			// snapshot is taken in the status the update enters.
			version, err := s.nextHarnessVersion(&h.Harness)
			if err != nil {
				return err
			}
			now := s.now().UTC()
			h.HarnessVersion = version
			harnesses.setStatus(h, string(api.HarnessStatusUpdating), "", now)
			if err := addHarnessVersion(ctx, tx, sc, &h.Harness, now); err != nil {
				return err
			}
			return followHarness(ctx, tx, sc, &h.Harness, now)
		})
}

// DeleteHarness: deleteManagedMemory has no effect (see the header).
func (s *Service) DeleteHarness(ctx context.Context, in *api.DeleteHarnessRequest) (*api.DeleteHarnessResponse, error) {
	return remove[api.DeleteHarnessResponse](ctx, s, harnesses, "", in.HarnessId)
}

func (s *Service) ListHarnesses(ctx context.Context, in *api.ListHarnessesRequest) (*api.ListHarnessesResponse, error) {
	return answerPage[api.ListHarnessesResponse](list[api.HarnessSummary](ctx, s, harnesses,
		listing[harnessDoc]{maxResults: in.MaxResults, nextToken: in.NextToken}))
}
