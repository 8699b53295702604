package auth

import (
	"context"
	"strings"

	"agentcored/internal/awserr"
	"agentcored/internal/reqctx"
)

// ResourcePolicyFunc returns the resource policy document stored for arn in
// the owner's account and region, or nil when there is none.
type ResourcePolicyFunc func(ctx context.Context, account, region, arn string) ([]byte, error)

// Authorize decides, after routing, whether the caller in ctx may perform
// operation on the resource the URI labels name. It runs in the
// dispatcher's Gate.
//
//   - The caller's identity policy, when its key has one: an explicit Deny
//     wins, no matching Allow denies (403 AccessDeniedException). A key
//     without a policy may do everything in its own account.
//   - A request on another account's runtime or gateway ARN proceeds in the
//     owner's account when the owner's resource policy grants it to the
//     caller; otherwise it stays in the caller's account, where the
//     resource does not exist (404), which is what isolation means here.
func (a *Authenticator) Authorize(ctx context.Context, operation string, labels map[string]string) error {
	info := reqctx.From(ctx)
	action := ActionPrefix + operation
	resource := ResourceARN(info.Region, info.Account, labels)
	if cred, ok := a.keys[info.AccessKey]; ok && cred.Policy != nil && !cred.Policy.Allows(action, resource) {
		return awserr.Errorf(awserr.CodeAccessDenied, "User: %s is not authorized to perform: %s on resource: %s",
			UserARN(info.Account, info.AccessKey), action, resource)
	}
	if a.ResourcePolicy == nil {
		return nil
	}
	region, owner, ok := crossAccountTarget(resource, info.Account)
	if !ok {
		return nil
	}
	doc, err := a.ResourcePolicy(ctx, owner, region, resource)
	if err != nil {
		return err
	}
	if doc != nil && ResourcePolicyAllows(doc, info.Account, info.AccessKey, action, resource) {
		info.Account, info.Region = owner, region
	}
	return nil
}

// crossAccountTarget returns the region and account of a runtime or gateway
// ARN owned by an account other than caller.
func crossAccountTarget(arn, caller string) (region, account string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "bedrock-agentcore" || parts[4] == "" || parts[4] == caller {
		return "", "", false
	}
	if !strings.HasPrefix(parts[5], "runtime/") && !strings.HasPrefix(parts[5], "gateway/") {
		return "", "", false
	}
	return parts[3], parts[4], true
}

// ResourceARN is the resource a request targets, for policy evaluation:
// the ARN built from the id labels of its URI in the caller's account, an
// ARN label as given, or "*" when the URI names no resource (list and
// create operations, and those that take the name in the body).
func ResourceARN(region, account string, labels map[string]string) string {
	if arn := labels["resourceArn"]; arn != "" {
		return arn
	}
	if id := labels["gatewayIdentifier"]; strings.HasPrefix(id, "arn:") {
		return id
	}
	arn := func(resource string) string {
		return "arn:aws:bedrock-agentcore:" + region + ":" + account + ":" + resource
	}
	// child appends "/<kind>/<label value>" when the label is present.
	child := func(base, kind, label string) string {
		if v := labels[label]; v != "" {
			return base + "/" + kind + "/" + v
		}
		return base
	}
	for _, f := range resourceFamilies {
		if id := labels[f.label]; id != "" {
			r := f.kind + "/" + id
			for _, c := range f.children {
				r = child(r, c.kind, c.label)
			}
			return arn(r)
		}
	}
	return "*"
}

type family struct {
	label, kind string
	children    []family
}

// resourceFamilies maps the id label of each family's URIs to its ARN
// resource type. Rules and targets of a gateway are authorized on the
// gateway, as in IAM.
var resourceFamilies = []family{
	{label: "agentRuntimeId", kind: "runtime", children: []family{{label: "endpointName", kind: "runtime-endpoint"}}},
	{label: "gatewayIdentifier", kind: "gateway"},
	{label: "memoryId", kind: "memory"},
	{label: "browserId", kind: "browser"},
	{label: "codeInterpreterId", kind: "code-interpreter"},
	{label: "profileId", kind: "browser-profile"},
	{label: "evaluatorId", kind: "evaluator"},
	{label: "onlineEvaluationConfigId", kind: "online-evaluation-config"},
	{label: "policyEngineId", kind: "policy-engine", children: []family{{label: "policyId", kind: "policy"}, {label: "policyGenerationId", kind: "policy-generation"}}},
	{label: "registryId", kind: "registry", children: []family{{label: "recordId", kind: "record"}}},
	{label: "bundleId", kind: "configuration-bundle"},
	{label: "harnessId", kind: "harness"},
	{label: "paymentManagerId", kind: "payment-manager", children: []family{{label: "paymentConnectorId", kind: "payment-connector"}}},
}
