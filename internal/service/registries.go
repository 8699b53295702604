package service

// Registries (AWS Agent Registry inside AgentCore), with their records
// (registry_records.go).
//
// A registry's id is 12 random alphanumerics (the model allows 12 to 16; no
// name prefix); its ARN is ...:registry/<id>. Create also makes a workload
// identity named exactly the registry id, linked to it (undeletable by the
// caller, removed with the registry); the model's registry outputs have no
// member for it, so it is only visible through the identity operations.
//
// Statuses: CREATING -> READY (or CREATE_FAILED with statusReason),
// UPDATING -> READY (or UPDATE_FAILED), DELETING -> row removed (or
// DELETE_FAILED). A registry that still holds records, whatever their
// status, cannot be deleted (ConflictException; the model doc says it "must
// contain zero records").
//
// Decisions:
//   - registryId accepts the id or the full ARN, as the model's pattern
//     does; an ARN of another account, region or partition names nothing
//     here (ResourceNotFoundException).
//   - authorizerType defaults to AWS_IAM (the devguide's IAM example sends
//     none). CUSTOM_JWT needs an authorizerConfiguration with at least one of
//     allowedAudience, allowedClients, allowedScopes or customClaims (devguide,
//     "Create and manage registries"); AWS_IAM takes no configuration.
//   - approvalConfiguration defaults to {autoApproval: false}, the documented
//     default, and is always reported.
//   - UpdateRegistry is PATCH: absent members keep their value; the
//     Updated* wrappers with no optionalValue clear the member (description,
//     authorizerConfiguration) or reset it to the default (approval).
//   - A registry being deleted, or whose creation failed, takes no new
//     records (ConflictException). Updates wait out CREATING, UPDATING and
//     DELETING (ConflictException).
//   - Registries are taggable through TagResource (the model's taggable-ARN
//     pattern accepts registry/<id>), though CreateRegistry takes no tags.
//   - Quota: Quotas.RegistriesPerAccount (no documented value; 100 here).

import (
	"context"
	"errors"
	"strings"
	"time"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/store"
)

const (
	kindRegistry             = "registry"
	familyRegistries         = "registries"
	registryIDLength         = 12
	defaultRegistryListLimit = 10
)

// registryDoc is the document of a registry row.
type registryDoc struct {
	api.GetRegistryResponse
	// PendingFailure, set by an injected fault, makes the pending transition
	// end in *_FAILED with this status reason.
	PendingFailure string `json:"pendingFailure,omitempty"`
}

func (s *Service) registerRegistries() {
	s.lifecycle.Register(familyRegistries, kindRegistry, s.reconcileRegistry)
	s.lifecycle.Register(familyRegistries, kindRegistryRecord, s.reconcileRegistryRecord)
}

// quotaOrDefault guards against a Quotas value built without a field (0).
func quotaOrDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

func registryNotFound(ident string) error {
	return awserr.NotFound("Registry '%s' was not found.", ident)
}

// registryIDFrom turns a registry identifier (id or ARN) into the id; ok is
// false for an ARN that does not name a registry of the caller.
func registryIDFrom(sc scope, ident string) (id string, ok bool) {
	if !strings.HasPrefix(ident, "arn:") {
		return ident, true
	}
	id = ident[strings.LastIndex(ident, "/")+1:]
	return id, ident == sc.arn("registry/"+id)
}

func (s *Service) getRegistry(ctx context.Context, tx store.Tx, ident string) (*store.Resource, *registryDoc, error) {
	sc := scopeOf(ctx)
	id, ok := registryIDFrom(sc, ident)
	if !ok {
		return nil, nil, registryNotFound(ident)
	}
	return loadDoc[registryDoc](ctx, tx, sc.key(kindRegistry, id), func() error { return registryNotFound(ident) })
}

// checkRegistryAuthorizer enforces what the model cannot say about a
// registry's inbound authorization.
func checkRegistryAuthorizer(typ api.RegistryAuthorizerType, cfg *api.AuthorizerConfiguration) error {
	switch typ {
	case api.RegistryAuthorizerTypeCustomJwt:
		if cfg == nil || cfg.CustomJWTAuthorizer == nil {
			return awserr.Validation("1 validation error detected: Value null at 'authorizerConfiguration' failed to satisfy constraint: Member must not be null when authorizerType is CUSTOM_JWT")
		}
		j := cfg.CustomJWTAuthorizer
		if len(j.AllowedAudience) == 0 && len(j.AllowedClients) == 0 && len(j.AllowedScopes) == 0 && len(j.CustomClaims) == 0 {
			return awserr.Validation("1 validation error detected: Value at 'authorizerConfiguration.customJWTAuthorizer' failed to satisfy constraint: At least one of allowedAudience, allowedClients, allowedScopes or customClaims is required")
		}
	default:
		if cfg != nil {
			return awserr.Validation("1 validation error detected: Value at 'authorizerConfiguration' failed to satisfy constraint: Member is only allowed when authorizerType is CUSTOM_JWT")
		}
	}
	return nil
}

func defaultApproval() *api.ApprovalConfiguration {
	return &api.ApprovalConfiguration{AutoApproval: ptr(false)}
}

func (s *Service) CreateRegistry(ctx context.Context, in *api.CreateRegistryRequest) (*api.CreateRegistryResponse, error) {
	authType := in.AuthorizerType
	if authType == "" {
		authType = api.RegistryAuthorizerTypeAwsIam
	}
	if err := checkRegistryAuthorizer(authType, in.AuthorizerConfiguration); err != nil {
		return nil, err
	}
	approval := in.ApprovalConfiguration
	if approval == nil || approval.AutoApproval == nil {
		approval = defaultApproval()
	}
	sc := scopeOf(ctx)
	quota := quotaOrDefault(s.quotas.RegistriesPerAccount, DefaultQuotas.RegistriesPerAccount)
	return mutate(ctx, s, func(tx store.Tx) (*api.CreateRegistryResponse, error) {
		if _, err := tx.GetByName(ctx, sc.account, sc.region, kindRegistry, "", in.Name); err == nil {
			return nil, nameTaken("registry", in.Name)
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		if n, err := tx.Count(ctx, sc.account, sc.region, kindRegistry, ""); err != nil {
			return nil, err
		} else if n >= quota {
			return nil, awserr.QuotaExceeded("You have reached the maximum of %d registries in this account and region.", quota)
		}
		now := s.now().UTC()
		id := randomString(idAlphabet, registryIDLength)
		arn := sc.arn("registry/" + id)
		if _, err := s.createLinkedIdentity(ctx, tx, id, arn, now); err != nil {
			return nil, err
		}
		doc := registryDoc{GetRegistryResponse: api.GetRegistryResponse{
			Name: in.Name, Description: in.Description, RegistryId: id, RegistryArn: arn,
			AuthorizerType: authType, AuthorizerConfiguration: in.AuthorizerConfiguration, ApprovalConfiguration: approval,
			Status: api.RegistryStatusCreating, CreatedAt: api.NewDateTime(now), UpdatedAt: api.NewDateTime(now),
		}}
		doc.PendingFailure = s.injectedFailure(ctx, "CreateRegistry")
		row := &store.Resource{Account: sc.account, Region: sc.region, Kind: kindRegistry, ID: id, Name: in.Name,
			ARN: arn, Status: string(doc.Status), CreatedAt: now, UpdatedAt: now, Doc: encodeDoc(doc)}
		if err := tx.Insert(ctx, row); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return nil, nameTaken("registry", in.Name)
			}
			return nil, err
		}
		if err := s.lifecycle.Schedule(ctx, tx, row); err != nil {
			return nil, err
		}
		return &api.CreateRegistryResponse{RegistryArn: arn}, nil
	})
}

func (s *Service) GetRegistry(ctx context.Context, in *api.GetRegistryRequest) (*api.GetRegistryResponse, error) {
	var doc *registryDoc
	err := s.read(ctx, func(tx store.Tx) error {
		var err error
		_, doc, err = s.getRegistry(ctx, tx, in.RegistryId)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &doc.GetRegistryResponse, nil
}

func (s *Service) UpdateRegistry(ctx context.Context, in *api.UpdateRegistryRequest) (*api.UpdateRegistryResponse, error) {
	sc := scopeOf(ctx)
	return mutate(ctx, s, func(tx store.Tx) (*api.UpdateRegistryResponse, error) {
		row, doc, err := s.getRegistry(ctx, tx, in.RegistryId)
		if err != nil {
			return nil, err
		}
		if transitional(row.Status) || row.Status == string(api.RegistryStatusCreateFailed) {
			return nil, awserr.Conflict("Registry '%s' is %s and cannot be updated now.", doc.RegistryId, row.Status)
		}
		if in.Name != "" && in.Name != doc.Name {
			if _, err := tx.GetByName(ctx, sc.account, sc.region, kindRegistry, "", in.Name); err == nil {
				return nil, nameTaken("registry", in.Name)
			} else if !errors.Is(err, store.ErrNotFound) {
				return nil, err
			}
			doc.Name = in.Name
			row.Name = in.Name
		}
		if in.Description != nil {
			doc.Description = in.Description.OptionalValue
		}
		if in.AuthorizerConfiguration != nil {
			if err := checkRegistryAuthorizer(doc.AuthorizerType, in.AuthorizerConfiguration.OptionalValue); err != nil {
				return nil, err
			}
			doc.AuthorizerConfiguration = in.AuthorizerConfiguration.OptionalValue
		}
		if in.ApprovalConfiguration != nil {
			doc.ApprovalConfiguration = in.ApprovalConfiguration.OptionalValue
			if doc.ApprovalConfiguration == nil || doc.ApprovalConfiguration.AutoApproval == nil {
				doc.ApprovalConfiguration = defaultApproval()
			}
		}
		now := s.now().UTC()
		doc.Status = api.RegistryStatusUpdating
		doc.StatusReason = ""
		doc.UpdatedAt = api.NewDateTime(now)
		doc.PendingFailure = s.injectedFailure(ctx, "UpdateRegistry")
		if err := saveDoc(ctx, tx, row, string(doc.Status), doc, now); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return nil, nameTaken("registry", in.Name)
			}
			return nil, err
		}
		if err := s.lifecycle.Schedule(ctx, tx, row); err != nil {
			return nil, err
		}
		out := api.UpdateRegistryResponse(doc.GetRegistryResponse)
		return &out, nil
	})
}

func (s *Service) DeleteRegistry(ctx context.Context, in *api.DeleteRegistryRequest) (*api.DeleteRegistryResponse, error) {
	sc := scopeOf(ctx)
	return mutate(ctx, s, func(tx store.Tx) (*api.DeleteRegistryResponse, error) {
		row, doc, err := s.getRegistry(ctx, tx, in.RegistryId)
		if err != nil {
			return nil, err
		}
		out := &api.DeleteRegistryResponse{Status: api.RegistryStatusDeleting}
		if row.Status == string(api.RegistryStatusDeleting) {
			return out, nil
		}
		// Records being deleted still count: they are not gone yet.
		n, err := tx.Count(ctx, sc.account, sc.region, kindRegistryRecord, doc.RegistryId)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			return nil, awserr.Conflict("Registry '%s' has %d records. Delete all records before deleting the registry.", doc.RegistryId, n)
		}
		now := s.now().UTC()
		doc.Status = api.RegistryStatusDeleting
		doc.StatusReason = ""
		doc.UpdatedAt = api.NewDateTime(now)
		doc.PendingFailure = s.injectedFailure(ctx, "DeleteRegistry")
		return out, s.transition(ctx, tx, row, string(doc.Status), doc, now)
	})
}

func (s *Service) ListRegistries(ctx context.Context, in *api.ListRegistriesRequest) (*api.ListRegistriesResponse, error) {
	out := &api.ListRegistriesResponse{Registries: []api.RegistrySummary{}}
	sc := scopeOf(ctx)
	err := s.read(ctx, func(tx store.Tx) error {
		var docs []*registryDoc
		keep := func(r *store.Resource) (bool, error) {
			if in.Status != "" && r.Status != string(in.Status) {
				return false, nil
			}
			var doc registryDoc
			if err := decodeDoc(r, &doc); err != nil {
				return false, err
			}
			if in.AuthorizerType != "" && doc.AuthorizerType != in.AuthorizerType {
				return false, nil
			}
			docs = append(docs, &doc)
			return true, nil
		}
		rows, next, err := s.pageKeeping(ctx, tx, sc, kindRegistry, "", in.MaxResults, defaultRegistryListLimit, in.NextToken, keep)
		if err != nil {
			return err
		}
		out.NextToken = next
		for _, doc := range docs[:len(rows)] {
			out.Registries = append(out.Registries, api.RegistrySummary{
				Name: doc.Name, Description: doc.Description, RegistryId: doc.RegistryId, RegistryArn: doc.RegistryArn,
				AuthorizerType: doc.AuthorizerType, Status: doc.Status, StatusReason: doc.StatusReason,
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

// pageKeeping lists one page of the rows of a kind under a parent that keep
// accepts, in creation order. Rows keep refuses do not count towards the
// page, so a filtered page is still full when enough rows match. keep is
// called in order on each row looked at, and the rows returned are the
// first len(rows) it accepted (it may accept one more, which starts the
// next page).
func (s *Service) pageKeeping(ctx context.Context, tx store.Tx, sc scope, kind, parent string, maxResults *int64, defaultMax int,
	nextToken string, keep func(*store.Resource) (bool, error)) ([]*store.Resource, string, error) {
	limit := intValue(maxResults, defaultMax)
	var after int64
	if nextToken != "" {
		var err error
		if after, err = s.decodePageToken(sc, nextToken, kind, parent); err != nil {
			return nil, "", err
		}
	}
	const batch = 100
	var out []*store.Resource
	for {
		rows, err := tx.List(ctx, store.ListQuery{Account: sc.account, Region: sc.region, Kind: kind, ParentID: parent, AfterSeq: after, Limit: batch})
		if err != nil {
			return nil, "", err
		}
		for _, r := range rows {
			after = r.Seq
			ok, err := keep(r)
			if err != nil {
				return nil, "", err
			}
			if !ok {
				continue
			}
			if len(out) == limit {
				// A match past a full page: the page ends at its last row.
				return out, s.encodePageToken(sc, pageToken{Kind: kind, Parent: parent, Seq: out[len(out)-1].Seq}), nil
			}
			out = append(out, r)
		}
		if len(rows) < batch {
			return out, "", nil
		}
	}
}

// reconcileRegistry completes a registry's pending transition.
func (s *Service) reconcileRegistry(ctx context.Context, tx store.Tx, row *store.Resource, now time.Time) error {
	var doc registryDoc
	if err := decodeDoc(row, &doc); err != nil {
		return err
	}
	switch doc.Status {
	case api.RegistryStatusCreating, api.RegistryStatusUpdating:
		doc.Status = api.RegistryStatusReady
		if doc.PendingFailure != "" {
			doc.StatusReason = doc.PendingFailure
			doc.Status = api.RegistryStatusCreateFailed
			if row.Status == string(api.RegistryStatusUpdating) {
				doc.Status = api.RegistryStatusUpdateFailed
			}
		}
	case api.RegistryStatusDeleting:
		if doc.PendingFailure == "" {
			if err := s.deleteLinkedIdentity(ctx, tx, row); err != nil {
				return err
			}
			return s.removeResource(ctx, tx, row)
		}
		doc.StatusReason = doc.PendingFailure
		doc.Status = api.RegistryStatusDeleteFailed
	default:
		return nil
	}
	doc.PendingFailure = ""
	doc.UpdatedAt = api.NewDateTime(now)
	return saveDoc(ctx, tx, row, string(doc.Status), doc, now)
}
