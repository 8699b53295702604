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

import (
	"context"
	"errors"
	"time"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
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
	// PendingFailure, set by an injected fault, makes the pending transition
	// end in *_FAILED with this reason.
	PendingFailure string `json:"pendingFailure,omitempty"`
}

func (s *Service) registerBrowsers() {
	s.lifecycle.Register(familyBrowsers, kindBrowser, s.reconcileBrowser)
	s.lifecycle.Register(familyCodeInterpreters, kindCodeInterpreter, s.reconcileCodeInterpreter)
}

// builtinARN is the ARN of an AWS-owned resource: account segment "aws".
func builtinARN(sc scope, resource string) string {
	return "arn:aws:bedrock-agentcore:" + sc.region + ":aws:" + resource
}

func browserNotFound(id string) error {
	return awserr.NotFound("Browser '%s' was not found.", id)
}

// nextSandboxStatus is where a browser or code interpreter goes from status,
// given the failure an injected fault recorded when the change was asked.
// gone means the row is removed; next == status means nothing to do. Both
// families share the status strings.
func nextSandboxStatus(status, pendingFailure string) (next, failureReason string, gone bool) {
	switch status {
	case "CREATING":
		if pendingFailure != "" {
			return "CREATE_FAILED", pendingFailure, false
		}
		return "READY", "", false
	case "DELETING":
		if pendingFailure != "" {
			return "DELETE_FAILED", pendingFailure, false
		}
		return "", "", true
	}
	return status, "", false
}

// checkNamed enforces, before a create, that the name is free in the
// account and region and that the kind's quota has room.
func checkNamed(ctx context.Context, tx store.Tx, sc scope, kind, name string, quota int, noun string) error {
	if _, err := tx.GetByName(ctx, sc.account, sc.region, kind, "", name); err == nil {
		return nameTaken(noun, name)
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	n, err := tx.Count(ctx, sc.account, sc.region, kind, "")
	if err != nil {
		return err
	}
	if n >= quota {
		return awserr.QuotaExceeded("You have reached the maximum of %d %ss in this account and region.", quota, noun)
	}
	return nil
}

func nameTaken(noun, name string) error {
	return awserr.Conflict("A %s named '%s' already exists in this account and region.", noun, name)
}

// insertNamed inserts a row checked by checkNamed, with its create-time tags.
func (s *Service) insertNamed(ctx context.Context, tx store.Tx, row *store.Resource, tags map[string]string, noun string) error {
	if err := tx.Insert(ctx, row); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nameTaken(noun, row.Name)
		}
		return err
	}
	return s.createTags(ctx, tx, row.ARN, tags)
}

// pageSandboxes lists one page of browsers or code interpreters by type:
// SYSTEM is the built-in alone (system true, no rows), CUSTOM or no type the
// caller's own rows.
func (s *Service) pageSandboxes(ctx context.Context, tx store.Tx, kind string, typ api.ResourceType, maxResults *int64, nextToken string) (rows []*store.Resource, system bool, next string, err error) {
	sc := scopeOf(ctx)
	if typ == api.ResourceTypeSystem {
		if nextToken == "" {
			return nil, true, "", nil
		}
		// The built-in fits on the first page; a later page is empty, but
		// the token must still be one of ours.
		_, err := s.decodePageToken(sc, nextToken, kind, "")
		return nil, false, "", err
	}
	rows, next, err = s.page(ctx, tx, sc, kind, "", maxResults, defaultSandboxListLimit, nextToken)
	return rows, false, next, err
}

func builtinBrowser(sc scope) *api.GetBrowserResponse {
	return &api.GetBrowserResponse{
		BrowserId: builtinBrowserID, BrowserArn: builtinARN(sc, "browser/"+builtinBrowserID),
		Name: "Amazon Bedrock AgentCore Browser Tool", Description: "AWS built-in browser for secure web browsing",
		NetworkConfiguration: &api.BrowserNetworkConfiguration{NetworkMode: api.BrowserNetworkModePublic},
		Status:               api.BrowserStatusReady,
		CreatedAt:            api.NewDateTime(builtinCreatedAt), LastUpdatedAt: api.NewDateTime(builtinCreatedAt),
	}
}

func (s *Service) getBrowser(ctx context.Context, tx store.Tx, id string) (*store.Resource, *browserRecord, error) {
	return loadDoc[browserRecord](ctx, tx, scopeOf(ctx).key(kindBrowser, id), func() error { return browserNotFound(id) })
}

func (s *Service) CreateBrowser(ctx context.Context, in *api.CreateBrowserRequest) (*api.CreateBrowserResponse, error) {
	n := in.NetworkConfiguration
	if err := checkNetwork("networkConfiguration", string(n.NetworkMode), n.VpcConfig != nil, "vpcConfig"); err != nil {
		return nil, err
	}
	if err := checkTagKeys("tags", mapKeys(in.Tags)); err != nil {
		return nil, err
	}
	sc := scopeOf(ctx)
	return mutate(ctx, s, func(tx store.Tx) (*api.CreateBrowserResponse, error) {
		if err := checkNamed(ctx, tx, sc, kindBrowser, in.Name, s.quotas.BrowsersPerAccount, "browser"); err != nil {
			return nil, err
		}
		now := s.now().UTC()
		id := newID(in.Name)
		rec := browserRecord{GetBrowserResponse: api.GetBrowserResponse{
			BrowserId: id, BrowserArn: sc.arn("browser-custom/" + id), Name: in.Name, Description: in.Description,
			ExecutionRoleArn: in.ExecutionRoleArn, NetworkConfiguration: in.NetworkConfiguration, Recording: in.Recording,
			EnterprisePolicies: in.EnterprisePolicies, Certificates: in.Certificates,
			Status: api.BrowserStatusCreating, CreatedAt: api.NewDateTime(now), LastUpdatedAt: api.NewDateTime(now),
		}}
		if in.BrowserSigning != nil {
			rec.BrowserSigning = &api.BrowserSigningConfigOutput{Enabled: in.BrowserSigning.Enabled}
		}
		rec.PendingFailure = s.injectedFailure(ctx, "CreateBrowser")
		row := &store.Resource{Account: sc.account, Region: sc.region, Kind: kindBrowser, ID: id, Name: in.Name,
			ARN: rec.BrowserArn, Status: string(rec.Status), CreatedAt: now, UpdatedAt: now, Doc: encodeDoc(rec)}
		if err := s.insertNamed(ctx, tx, row, in.Tags, "browser"); err != nil {
			return nil, err
		}
		if err := s.lifecycle.Schedule(ctx, tx, row); err != nil {
			return nil, err
		}
		return &api.CreateBrowserResponse{BrowserId: id, BrowserArn: rec.BrowserArn, CreatedAt: rec.CreatedAt, Status: api.BrowserStatusCreating}, nil
	})
}

func (s *Service) GetBrowser(ctx context.Context, in *api.GetBrowserRequest) (*api.GetBrowserResponse, error) {
	if in.BrowserId == builtinBrowserID {
		return builtinBrowser(scopeOf(ctx)), nil
	}
	var rec *browserRecord
	err := s.read(ctx, func(tx store.Tx) error {
		var err error
		_, rec, err = s.getBrowser(ctx, tx, in.BrowserId)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &rec.GetBrowserResponse, nil
}

func (s *Service) DeleteBrowser(ctx context.Context, in *api.DeleteBrowserRequest) (*api.DeleteBrowserResponse, error) {
	if in.BrowserId == builtinBrowserID {
		return nil, awserr.Validation("Browser '%s' is managed by AWS and cannot be deleted.", in.BrowserId)
	}
	return mutate(ctx, s, func(tx store.Tx) (*api.DeleteBrowserResponse, error) {
		row, rec, err := s.getBrowser(ctx, tx, in.BrowserId)
		if err != nil {
			return nil, err
		}
		if rec.Status == api.BrowserStatusDeleting {
			return &api.DeleteBrowserResponse{BrowserId: in.BrowserId, Status: rec.Status, LastUpdatedAt: rec.LastUpdatedAt}, nil
		}
		now := s.now().UTC()
		rec.Status = api.BrowserStatusDeleting
		rec.FailureReason = ""
		rec.PendingFailure = s.injectedFailure(ctx, "DeleteBrowser")
		rec.LastUpdatedAt = api.NewDateTime(now)
		if err := s.transition(ctx, tx, row, string(rec.Status), rec, now); err != nil {
			return nil, err
		}
		return &api.DeleteBrowserResponse{BrowserId: in.BrowserId, Status: api.BrowserStatusDeleting, LastUpdatedAt: rec.LastUpdatedAt}, nil
	})
}

func (s *Service) ListBrowsers(ctx context.Context, in *api.ListBrowsersRequest) (*api.ListBrowsersResponse, error) {
	out := &api.ListBrowsersResponse{BrowserSummaries: []api.BrowserSummary{}}
	err := s.read(ctx, func(tx store.Tx) error {
		rows, system, next, err := s.pageSandboxes(ctx, tx, kindBrowser, in.Type, in.MaxResults, in.NextToken)
		if err != nil {
			return err
		}
		if system {
			out.BrowserSummaries = append(out.BrowserSummaries, browserSummary(builtinBrowser(scopeOf(ctx))))
		}
		out.NextToken = next
		for _, r := range rows {
			var rec browserRecord
			if err := decodeDoc(r, &rec); err != nil {
				return err
			}
			out.BrowserSummaries = append(out.BrowserSummaries, browserSummary(&rec.GetBrowserResponse))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func browserSummary(b *api.GetBrowserResponse) api.BrowserSummary {
	return api.BrowserSummary{
		BrowserId: b.BrowserId, BrowserArn: b.BrowserArn, Name: b.Name, Description: b.Description,
		Status: b.Status, CreatedAt: b.CreatedAt, LastUpdatedAt: b.LastUpdatedAt,
	}
}

// reconcileBrowser completes a browser's pending creation or deletion.
func (s *Service) reconcileBrowser(ctx context.Context, tx store.Tx, row *store.Resource, now time.Time) error {
	var rec browserRecord
	if err := decodeDoc(row, &rec); err != nil {
		return err
	}
	next, reason, gone := nextSandboxStatus(string(rec.Status), rec.PendingFailure)
	if gone {
		return s.removeResource(ctx, tx, row)
	}
	if next == string(rec.Status) {
		return nil
	}
	rec.Status = api.BrowserStatus(next)
	rec.FailureReason = reason
	rec.PendingFailure = ""
	rec.LastUpdatedAt = api.NewDateTime(now)
	return saveDoc(ctx, tx, row, next, rec, now)
}
