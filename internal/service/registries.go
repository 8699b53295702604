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
	failable
}

var registries = &family[registryDoc]{
	kind: kindRegistry, group: familyRegistries, noun: "registry", plural: "registries", arnPath: "registry/",
	newID:  func(string) string { return randomString(idAlphabet, registryIDLength) },
	fields: fields{ID: "RegistryId", ARN: "RegistryArn", Status: "Status", Reason: "StatusReason", Created: "CreatedAt", Updated: "UpdatedAt"},
	states: asyncStates, listLimit: defaultRegistryListLimit,
	quota: func(q Quotas) int { return quotaOrDefault(q.RegistriesPerAccount, DefaultQuotas.RegistriesPerAccount) },
	// Records being deleted still count: they are not gone yet.
	beforeDelete: refuseWithChildren[registryDoc](kindRegistryRecord, func(id string, n int) error {
		return awserr.Conflict("Registry '%s' has %d records. Delete all records before deleting the registry.", id, n)
	}),
	settled: dropLinkedIdentity(func(r *registryDoc) string { return string(r.Status) }),
}

// quotaOrDefault guards against a Quotas value built without a field (0).
func quotaOrDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

// refuseWithChildren is the beforeDelete hook of a parent family: a parent
// with rows of kind under it, whatever their status, stays.
func refuseWithChildren[T any](kind string, refusal func(id string, n int) error) func(context.Context, store.Tx, scope, *store.Resource, *T) error {
	return func(ctx context.Context, tx store.Tx, sc scope, row *store.Resource, _ *T) error {
		n, err := tx.Count(ctx, sc.account, sc.region, kind, row.ID)
		if err == nil && n > 0 {
			err = refusal(row.ID, n)
		}
		return err
	}
}

// dropLinkedIdentity is the settled hook of a family whose resources own a
// linked workload identity: it goes when a delete ends, and stays when the
// delete fails (the record then leaves DELETING).
func dropLinkedIdentity[T any](status func(*T) string) func(context.Context, *Service, store.Tx, *store.Resource, *T, string) error {
	return func(ctx context.Context, s *Service, tx store.Tx, row *store.Resource, rec *T, from string) error {
		if from == "DELETING" && status(rec) == from {
			return s.deleteLinkedIdentity(ctx, tx, row)
		}
		return nil
	}
}

// idFrom turns an identifier that may be an ARN into the id: the ARN's last
// part, when arnOf gives the ARN back for it; ok is false for an ARN that
// names nothing of the caller's.
func idFrom(ident string, arnOf func(id string) string) (id string, ok bool) {
	if !strings.HasPrefix(ident, "arn:") {
		return ident, true
	}
	id = ident[strings.LastIndex(ident, "/")+1:]
	return id, ident == arnOf(id)
}

// registryIDFrom turns a registry identifier (id or ARN) into the id; ok is
// false for an ARN that does not name a registry of the caller.
func registryIDFrom(sc scope, ident string) (id string, ok bool) {
	return idFrom(ident, func(id string) string { return registries.arn(sc, "", id) })
}

// registryID is the id the engine is given for a registry identifier. An ARN
// that names no registry of the caller is passed on as it is: no row has
// that id, so the answer is the not-found error under the identifier given.
func registryID(sc scope, ident string) string {
	if id, ok := registryIDFrom(sc, ident); ok {
		return id
	}
	return ident
}

// loadRegistry reads the registry a request names by id or ARN.
func loadRegistry(ctx context.Context, tx store.Tx, sc scope, ident string) (*registryDoc, error) {
	_, r, err := registries.load(ctx, tx, sc, "", registryID(sc, ident))
	return r, err
}

// rename gives a row the name an update patched into its record, when that
// name is new and free under the row's parent.
func rename[T any](ctx context.Context, tx store.Tx, sc scope, f *family[T], row *store.Resource, name string) error {
	if name == row.Name {
		return nil
	}
	if _, err := tx.GetByName(ctx, sc.account, sc.region, f.kind, row.ParentID, name); err == nil {
		return f.nameTaken(row.ParentID, name)
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	row.Name = name
	return nil
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

// defaultApproval fills an approval configuration left out (or without
// autoApproval) with the documented default.
func defaultApproval(a *api.ApprovalConfiguration) *api.ApprovalConfiguration {
	if a == nil || a.AutoApproval == nil {
		return &api.ApprovalConfiguration{AutoApproval: ptr(false)}
	}
	return a
}

func (s *Service) CreateRegistry(ctx context.Context, in *api.CreateRegistryRequest) (*api.CreateRegistryResponse, error) {
	authType := in.AuthorizerType
	if authType == "" {
		authType = api.RegistryAuthorizerTypeAwsIam
	}
	if err := checkRegistryAuthorizer(authType, in.AuthorizerConfiguration); err != nil {
		return nil, err
	}
	return create[api.CreateRegistryResponse](ctx, s, registries, creation{name: in.Name, from: in},
		func(tx store.Tx, _ scope, r *registryDoc) error {
			r.AuthorizerType = authType
			r.ApprovalConfiguration = defaultApproval(in.ApprovalConfiguration)
			_, err := s.createLinkedIdentity(ctx, tx, r.RegistryId, r.RegistryArn, r.CreatedAt.Time)
			return err
		})
}

func (s *Service) GetRegistry(ctx context.Context, in *api.GetRegistryRequest) (*api.GetRegistryResponse, error) {
	return get[api.GetRegistryResponse](ctx, s, registries, "", registryID(scopeOf(ctx), in.RegistryId))
}

func (s *Service) UpdateRegistry(ctx context.Context, in *api.UpdateRegistryRequest) (*api.UpdateRegistryResponse, error) {
	id := registryID(scopeOf(ctx), in.RegistryId)
	from := *in
	from.RegistryId = id // an ARN must not replace the record's id
	return update[api.UpdateRegistryResponse](ctx, s, registries, "", id, &from,
		func(tx store.Tx, sc scope, row *store.Resource, r *registryDoc) error {
			if err := rename(ctx, tx, sc, registries, row, r.Name); err != nil {
				return err
			}
			if in.AuthorizerConfiguration != nil {
				if err := checkRegistryAuthorizer(r.AuthorizerType, r.AuthorizerConfiguration); err != nil {
					return err
				}
			}
			r.ApprovalConfiguration = defaultApproval(r.ApprovalConfiguration)
			return nil
		})
}

func (s *Service) DeleteRegistry(ctx context.Context, in *api.DeleteRegistryRequest) (*api.DeleteRegistryResponse, error) {
	return remove[api.DeleteRegistryResponse](ctx, s, registries, "", registryID(scopeOf(ctx), in.RegistryId))
}

func (s *Service) ListRegistries(ctx context.Context, in *api.ListRegistriesRequest) (*api.ListRegistriesResponse, error) {
	return answerPage[api.ListRegistriesResponse](list[api.RegistrySummary](ctx, s, registries,
		listing[registryDoc]{maxResults: in.MaxResults, nextToken: in.NextToken,
			keep: func(r *registryDoc) bool {
				return (in.Status == "" || r.Status == in.Status) && (in.AuthorizerType == "" || r.AuthorizerType == in.AuthorizerType)
			}}))
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
	after, err := s.decodePageToken(sc, nextToken, kind, parent)
	if err != nil {
		return nil, "", err
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
