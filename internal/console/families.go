package console

import (
	"context"
	"encoding/json"
	"fmt"

	"agentcored/internal/reqctx"
	"agentcored/internal/service"
)

// call runs one service operation on a JSON-shaped input and answers its
// output as JSON values: the console reads and changes resources through
// the very operations the API serves (no second data path).
type call func(ctx context.Context, svc *service.Service, in map[string]any) (map[string]any, error)

// op adapts a service operation (a method expression such as
// (*service.Service).ListAgentRuntimes) into a call. name is the
// operation's name, put in the request context as the API's dispatcher
// does (fault rules match it).
func op[In, Out any](name string, m func(*service.Service, context.Context, *In) (*Out, error)) call {
	return func(ctx context.Context, svc *service.Service, args map[string]any) (map[string]any, error) {
		in := new(In)
		b, err := json.Marshal(args)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(b, in); err != nil {
			return nil, fmt.Errorf("%s input: %w", name, err)
		}
		info := *reqctx.From(ctx)
		info.Operation = name
		out, err := m(svc, reqctx.With(ctx, &info), in)
		if err != nil {
			return nil, err
		}
		b, err = json.Marshal(out)
		if err != nil {
			return nil, err
		}
		var v map[string]any
		if err := json.Unmarshal(b, &v); err != nil {
			return nil, err
		}
		return v, nil
	}
}

// child is a listing shown on a resource's detail page (versions and
// endpoints of a runtime, targets of a gateway).
type child struct {
	Title   string
	list    call
	parent  string   // the list input's member naming the parent id
	items   string   // the output's member holding the entries
	Columns []string // entry members shown as columns
}

// family is one resource family the console shows.
type family struct {
	Slug, Title string
	// Kind is the store kind (status counts, advance, recent changes);
	// Group the lifecycle family whose policy the admin controls set.
	Kind, Group string
	list        call
	get         call
	del         call
	items       string // the list output's member holding the entries
	idKey       string // the get/delete input's member naming the resource
	// entry members: the id (for links), name, status, ARN (for tags);
	// "" when the entry has none.
	ID, Name, Status, ARN string
	// Columns are further entry members shown in the list.
	Columns  []string
	children []child
	// memoryEvents: the detail page links to the memory's events.
	MemoryEvents bool
}

// families are the top-level families, in the order the console shows them.
var families = []*family{
	{Slug: "runtimes", Title: "Agent runtimes", Kind: "runtime", Group: "runtimes",
		list:  op("ListAgentRuntimes", (*service.Service).ListAgentRuntimes),
		get:   op("GetAgentRuntime", (*service.Service).GetAgentRuntime),
		del:   op("DeleteAgentRuntime", (*service.Service).DeleteAgentRuntime),
		items: "agentRuntimes", idKey: "agentRuntimeId",
		ID: "agentRuntimeId", Name: "agentRuntimeName", Status: "status", ARN: "agentRuntimeArn",
		Columns: []string{"agentRuntimeVersion", "lastUpdatedAt"},
		children: []child{
			{Title: "Versions", list: op("ListAgentRuntimeVersions", (*service.Service).ListAgentRuntimeVersions),
				parent: "agentRuntimeId", items: "agentRuntimes", Columns: []string{"agentRuntimeVersion", "status", "lastUpdatedAt"}},
			{Title: "Endpoints", list: op("ListAgentRuntimeEndpoints", (*service.Service).ListAgentRuntimeEndpoints),
				parent: "agentRuntimeId", items: "runtimeEndpoints", Columns: []string{"name", "status", "liveVersion", "targetVersion", "lastUpdatedAt"}},
		}},
	{Slug: "gateways", Title: "Gateways", Kind: "gateway", Group: "gateways",
		list:  op("ListGateways", (*service.Service).ListGateways),
		get:   op("GetGateway", (*service.Service).GetGateway),
		del:   op("DeleteGateway", (*service.Service).DeleteGateway),
		items: "items", idKey: "gatewayIdentifier",
		ID: "gatewayId", Name: "name", Status: "status",
		Columns: []string{"protocolType", "authorizerType", "updatedAt"},
		children: []child{
			{Title: "Targets", list: op("ListGatewayTargets", (*service.Service).ListGatewayTargets),
				parent: "gatewayIdentifier", items: "items", Columns: []string{"targetId", "name", "status", "targetType", "updatedAt"}},
		}},
	{Slug: "memories", Title: "Memories", Kind: "memory", Group: "memories",
		list:  op("ListMemories", (*service.Service).ListMemories),
		get:   op("GetMemory", (*service.Service).GetMemory),
		del:   op("DeleteMemory", (*service.Service).DeleteMemory),
		items: "memories", idKey: "memoryId",
		ID: "id", Status: "status", ARN: "arn",
		Columns:      []string{"createdAt", "updatedAt"},
		MemoryEvents: true},
	{Slug: "browsers", Title: "Browsers", Kind: "browser", Group: "browsers",
		list:  op("ListBrowsers", (*service.Service).ListBrowsers),
		get:   op("GetBrowser", (*service.Service).GetBrowser),
		del:   op("DeleteBrowser", (*service.Service).DeleteBrowser),
		items: "browserSummaries", idKey: "browserId",
		ID: "browserId", Name: "name", Status: "status", ARN: "browserArn",
		Columns: []string{"description", "lastUpdatedAt"}},
	{Slug: "code-interpreters", Title: "Code interpreters", Kind: "code-interpreter", Group: "codeinterpreters",
		list:  op("ListCodeInterpreters", (*service.Service).ListCodeInterpreters),
		get:   op("GetCodeInterpreter", (*service.Service).GetCodeInterpreter),
		del:   op("DeleteCodeInterpreter", (*service.Service).DeleteCodeInterpreter),
		items: "codeInterpreterSummaries", idKey: "codeInterpreterId",
		ID: "codeInterpreterId", Name: "name", Status: "status", ARN: "codeInterpreterArn",
		Columns: []string{"description", "lastUpdatedAt"}},
	{Slug: "workload-identities", Title: "Workload identities", Kind: "workload-identity",
		list:  op("ListWorkloadIdentities", (*service.Service).ListWorkloadIdentities),
		get:   op("GetWorkloadIdentity", (*service.Service).GetWorkloadIdentity),
		del:   op("DeleteWorkloadIdentity", (*service.Service).DeleteWorkloadIdentity),
		items: "workloadIdentities", idKey: "name",
		ID: "name", Name: "name", ARN: "workloadIdentityArn"},
	{Slug: "api-key-providers", Title: "API key credential providers", Kind: "apikey-credential-provider",
		list:  op("ListApiKeyCredentialProviders", (*service.Service).ListApiKeyCredentialProviders),
		get:   op("GetApiKeyCredentialProvider", (*service.Service).GetApiKeyCredentialProvider),
		del:   op("DeleteApiKeyCredentialProvider", (*service.Service).DeleteApiKeyCredentialProvider),
		items: "credentialProviders", idKey: "name",
		ID: "name", Name: "name", ARN: "credentialProviderArn",
		Columns: []string{"lastUpdatedTime"}},
	{Slug: "oauth2-providers", Title: "OAuth2 credential providers", Kind: "oauth2-credential-provider",
		list:  op("ListOauth2CredentialProviders", (*service.Service).ListOauth2CredentialProviders),
		get:   op("GetOauth2CredentialProvider", (*service.Service).GetOauth2CredentialProvider),
		del:   op("DeleteOauth2CredentialProvider", (*service.Service).DeleteOauth2CredentialProvider),
		items: "credentialProviders", idKey: "name",
		ID: "name", Name: "name", ARN: "credentialProviderArn",
		Columns: []string{"credentialProviderVendor", "lastUpdatedTime"}},
	{Slug: "policy-engines", Title: "Policy engines", Kind: "policy-engine", Group: "policies",
		list:  op("ListPolicyEngines", (*service.Service).ListPolicyEngines),
		get:   op("GetPolicyEngine", (*service.Service).GetPolicyEngine),
		del:   op("DeletePolicyEngine", (*service.Service).DeletePolicyEngine),
		items: "policyEngines", idKey: "policyEngineId",
		ID: "policyEngineId", Name: "name", Status: "status", ARN: "policyEngineArn",
		Columns: []string{"updatedAt"}},
	{Slug: "evaluators", Title: "Evaluators", Kind: "evaluator", Group: "evaluators",
		list:  op("ListEvaluators", (*service.Service).ListEvaluators),
		get:   op("GetEvaluator", (*service.Service).GetEvaluator),
		del:   op("DeleteEvaluator", (*service.Service).DeleteEvaluator),
		items: "evaluators", idKey: "evaluatorId",
		ID: "evaluatorId", Name: "evaluatorName", Status: "status", ARN: "evaluatorArn",
		Columns: []string{"evaluatorType", "level", "updatedAt"}},
	{Slug: "registries", Title: "Registries", Kind: "registry", Group: "registries",
		list:  op("ListRegistries", (*service.Service).ListRegistries),
		get:   op("GetRegistry", (*service.Service).GetRegistry),
		del:   op("DeleteRegistry", (*service.Service).DeleteRegistry),
		items: "registries", idKey: "registryId",
		ID: "registryId", Name: "name", Status: "status", ARN: "registryArn",
		Columns: []string{"authorizerType", "updatedAt"}},
	{Slug: "harnesses", Title: "Harnesses", Kind: "harness", Group: "harnesses",
		list:  op("ListHarnesses", (*service.Service).ListHarnesses),
		get:   op("GetHarness", (*service.Service).GetHarness),
		del:   op("DeleteHarness", (*service.Service).DeleteHarness),
		items: "harnesses", idKey: "harnessId",
		ID: "harnessId", Name: "harnessName", Status: "status", ARN: "arn",
		Columns: []string{"harnessVersion", "updatedAt"}},
	{Slug: "datasets", Title: "Datasets", Kind: "dataset", Group: "datasets",
		list:  op("ListDatasets", (*service.Service).ListDatasets),
		get:   op("GetDataset", (*service.Service).GetDataset),
		del:   op("DeleteDataset", (*service.Service).DeleteDataset),
		items: "datasets", idKey: "datasetId",
		ID: "datasetId", Name: "datasetName", Status: "status", ARN: "datasetArn",
		Columns: []string{"schemaType", "exampleCount", "updatedAt"}},
	{Slug: "capacity-providers", Title: "Capacity providers", Kind: "capacity-provider", Group: "capacityproviders",
		list:  op("ListCapacityProviders", (*service.Service).ListCapacityProviders),
		get:   op("GetCapacityProvider", (*service.Service).GetCapacityProvider),
		del:   op("DeleteCapacityProvider", (*service.Service).DeleteCapacityProvider),
		items: "capacityProviders", idKey: "capacityProviderId",
		ID: "capacityProviderId", Name: "name", Status: "status", ARN: "capacityProviderArn",
		Columns: []string{"lastUpdatedAt"}},
}

// familyBySlug finds a family by its URL segment.
func familyBySlug(slug string) *family {
	for _, f := range families {
		if f.Slug == slug {
			return f
		}
	}
	return nil
}

// shownKind reports whether a store kind is one the console shows (its
// changes appear in the overview's recent changes).
func shownKind(kind string) bool {
	for _, f := range families {
		if f.Kind == kind {
			return true
		}
	}
	return kind == "runtime-endpoint" || kind == "runtime-version" || kind == "gateway-target"
}

// The tagging operations, shared by every family with an ARN.
var (
	listTags    = op("ListTagsForResource", (*service.Service).ListTagsForResource)
	tagResource = op("TagResource", (*service.Service).TagResource)
	untag       = op("UntagResource", (*service.Service).UntagResource)
)
