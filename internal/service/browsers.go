package service

// Browsers, code interpreters (code_interpreters.go) and browser profiles
// (browser_profiles.go): the built-in tools family.
//
// Browsers and code interpreters are asynchronous: Create answers 202 with
// CREATING and the row moves to READY (or CREATE_FAILED); Delete answers 202
// with DELETING and the row disappears (or parks in DELETE_FAILED). Browser
// profiles are synchronous (200, READY at once; Delete removes the row).
//
// Decisions about the AWS-managed built-ins aws.browser.v1 and
// aws.codeinterpreter.v1:
//   - They are not stored: GetBrowser/GetCodeInterpreter synthesize them in
//     every region, READY, with the ARN in account "aws"
//     (arn:aws:bedrock-agentcore:REGION:aws:browser/aws.browser.v1). Name,
//     description and "most restrictive configuration" follow the devguide's
//     resource-management pages: the browser is PUBLIC (its only non-VPC
//     mode), the code interpreter SANDBOX.
//   - Deleting one answers ValidationException, not ConflictException: the
//     request can never succeed whatever the resource's state, and retrying
//     does not help, whereas ConflictException in this API means a state or
//     name clash that can clear. It is also what the service answers for the
//     other resource a caller cannot delete (a service-linked workload
//     identity).
//   - List: type=SYSTEM lists only the built-in; type=CUSTOM lists the
//     caller's own; no type lists the caller's own too. The model's member
//     doc says "if not specified, all types are returned" but the operation
//     doc says "Lists all custom browsers", and the live service was reported
//     to return only custom ones without a type (tools ask SYSTEM and CUSTOM
//     separately for that reason). Keeping the built-in out of the default
//     listing also keeps pagination a plain keyset over stored rows.
//   - Their ARNs cannot be tagged: the model's taggable-ARN pattern requires
//     a 12-digit account, so the request fails validation (and no row would
//     be found anyway).
//
// browserSigning.enabled: botocore 1.43.67 requires it; aws-sdk-go-v2
// v1.81.0 gives it a default (a plain bool its validators never check, which
// it always sends) and the Python SDK documents "enabled: bool = False", so
// the overlay makes it optional (models/overlay/README.md). A browserSigning
// without enabled is signing off: Get answers enabled false. Without
// browserSigning at all, Get answers no browserSigning, as before.

import (
	"context"
	"time"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/members"
	"agentcored/internal/store"
)

const (
	kindBrowser             = "browser"
	kindCodeInterpreter     = "code-interpreter"
	familyBrowsers          = "browsers"
	familyCodeInterpreters  = "codeinterpreters"
	builtinBrowserID        = "aws.browser.v1"
	builtinInterpreterID    = "aws.codeinterpreter.v1"
	defaultSandboxListLimit = 10
)

// builtinCreatedAt is when the built-ins are reported created (AgentCore's
// public preview).
var builtinCreatedAt = time.Date(2025, 7, 16, 0, 0, 0, 0, time.UTC)

// browserRecord is the document of a browser row.
type browserRecord struct {
	api.GetBrowserResponse
	failable
}

var browsers = &family[browserRecord]{
	kind: kindBrowser, group: familyBrowsers, noun: "browser", arnPath: "browser-custom/",
	fields: fields{ID: "BrowserId", ARN: "BrowserArn", Status: "Status", Reason: "FailureReason", Created: "CreatedAt", Updated: "LastUpdatedAt"},
	states: asyncStates, quota: func(q Quotas) int { return q.BrowsersPerAccount }, listLimit: defaultSandboxListLimit,
}

// builtinARN is the ARN of an AWS-owned resource: account segment "aws".
func builtinARN(sc scope, resource string) string {
	return "arn:aws:bedrock-agentcore:" + sc.region + ":aws:" + resource
}

// builtinUndeletable refuses to delete an AWS-managed built-in.
func builtinUndeletable(noun, id string) error {
	return awserr.Validation("%s '%s' is managed by AWS and cannot be deleted.", noun, id)
}

func nameTaken(noun, name string) error {
	return awserr.Conflict("A %s named '%s' already exists in this account and region.", noun, name)
}

// listSandboxes lists one page of browsers or code interpreters by type:
// SYSTEM is the built-in alone, CUSTOM or no type the caller's own.
func listSandboxes[S, T any](ctx context.Context, s *Service, f *family[T], typ api.ResourceType, maxResults *int64, nextToken string, builtin func(scope) any) ([]S, string, error) {
	if typ != api.ResourceTypeSystem {
		return list[S](ctx, s, f, listing[T]{maxResults: maxResults, nextToken: nextToken})
	}
	sc := scopeOf(ctx)
	if nextToken == "" {
		return []S{*members.Project[S](builtin(sc))}, "", nil
	}
	// The built-in fits on the first page; a later page is empty, but the
	// token must still be one of ours.
	_, err := s.decodePageToken(sc, nextToken, f.kind, "")
	return []S{}, "", err
}

func builtinBrowser(sc scope) any {
	return &api.GetBrowserResponse{
		BrowserId: builtinBrowserID, BrowserArn: builtinARN(sc, "browser/"+builtinBrowserID),
		Name: "Amazon Bedrock AgentCore Browser Tool", Description: "AWS built-in browser for secure web browsing",
		NetworkConfiguration: &api.BrowserNetworkConfiguration{NetworkMode: api.BrowserNetworkModePublic},
		Status:               api.BrowserStatusReady,
		CreatedAt:            api.NewDateTime(builtinCreatedAt), LastUpdatedAt: api.NewDateTime(builtinCreatedAt),
	}
}

func (s *Service) CreateBrowser(ctx context.Context, in *api.CreateBrowserRequest) (*api.CreateBrowserResponse, error) {
	n := in.NetworkConfiguration
	if err := checkNetwork("networkConfiguration", string(n.NetworkMode), n.VpcConfig != nil, "vpcConfig"); err != nil {
		return nil, err
	}
	return create[api.CreateBrowserResponse](ctx, s, browsers, creation{name: in.Name, tags: in.Tags, from: in},
		func(_ store.Tx, _ scope, rec *browserRecord) error {
			if in.BrowserSigning != nil {
				enabled := in.BrowserSigning.Enabled != nil && *in.BrowserSigning.Enabled
				rec.BrowserSigning = &api.BrowserSigningConfigOutput{Enabled: &enabled}
			}
			return nil
		})
}

func (s *Service) GetBrowser(ctx context.Context, in *api.GetBrowserRequest) (*api.GetBrowserResponse, error) {
	if in.BrowserId == builtinBrowserID {
		return builtinBrowser(scopeOf(ctx)).(*api.GetBrowserResponse), nil
	}
	return get[api.GetBrowserResponse](ctx, s, browsers, "", in.BrowserId)
}

func (s *Service) DeleteBrowser(ctx context.Context, in *api.DeleteBrowserRequest) (*api.DeleteBrowserResponse, error) {
	if in.BrowserId == builtinBrowserID {
		return nil, builtinUndeletable("Browser", in.BrowserId)
	}
	return remove[api.DeleteBrowserResponse](ctx, s, browsers, "", in.BrowserId)
}

func (s *Service) ListBrowsers(ctx context.Context, in *api.ListBrowsersRequest) (*api.ListBrowsersResponse, error) {
	return answerPage[api.ListBrowsersResponse](listSandboxes[api.BrowserSummary](ctx, s, browsers,
		in.Type, in.MaxResults, in.NextToken, builtinBrowser))
}
