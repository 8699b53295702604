package service

import (
	"context"
	"errors"
	"strings"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/members"
	"agentcored/internal/store"
)

// Consent portals (overlay operations, aws-sdk-go-v2 v1.81.0; see
// models/overlay/README.md): the page where end users authorize an agent's
// access through a gateway. Asynchronous, like the AgentCore developer guide
// says ("poll its status until it becomes ACTIVE to retrieve the portalUrl"):
// CREATING -> ACTIVE (or FAILED), UPDATING -> ACTIVE (or UPDATE_FAILED),
// DELETING -> row removed (or FAILED). The model has no DELETE_FAILED or
// CREATE_FAILED, so FAILED stands for both.
//
// Decisions:
//   - The id is "<name>-<10 alphanumerics>" (the id pattern), the ARN
//     ...:consent-portal/<id>. Names are unique in the account and region
//     ("must be unique within your account").
//   - portalUrl is set when the portal first becomes ACTIVE:
//     https://<id>.consent-portal.bedrock-agentcore.<region>.amazonaws.com,
//     shaped like a gateway's URL (AWS documents no format).
//   - idpConfig.credentialProviderArn must name an OAuth2 credential
//     provider of the caller's token vault (developer guide: "created before
//     you call create-consent-portal"): an ARN of another form is
//     ValidationException, a provider that does not exist
//     ResourceNotFoundException.
//   - A source of type agentcore-gateway names a gateway of the caller by id
//     or ARN; a missing gateway is ResourceNotFoundException. Sources are
//     fixed at creation (UpdateConsentPortal has no sources member).
//   - Update replaces the members it sets (executionRoleArn, idpConfig,
//     description); a portal in a transitional status or FAILED is not
//     updated (ConflictException). The SDK gives these operations no
//     clientToken, so there is no idempotent replay.

const kindConsentPortal = "consent-portal"

// consentPortalDoc is the document of a consent-portal row.
type consentPortalDoc struct {
	api.GetConsentPortalResponse
	failable
}

var consentPortals = &family[consentPortalDoc]{
	kind: kindConsentPortal, group: "consentPortals", noun: "consent portal", arnPath: "consent-portal/",
	fields: fields{ID: "ConsentPortalId", ARN: "ConsentPortalArn", Status: "Status", Reason: "StatusReason", Created: "CreatedAt", Updated: "UpdatedAt"},
	states: states{
		create: "CREATING", update: "UPDATING", delete: "DELETING",
		settle: map[string]outcome{
			"CREATING": {"ACTIVE", "FAILED"},
			"UPDATING": {"ACTIVE", "UPDATE_FAILED"},
			"DELETING": {"", "FAILED"},
		},
		frozen: []string{"FAILED"},
	},
	quota: func(q Quotas) int { return q.IdentitiesPerAccount }, listLimit: 10,
	settled: func(_ context.Context, _ *Service, _ store.Tx, row *store.Resource, p *consentPortalDoc, _ string) error {
		if p.Status == api.ConsentPortalStatusActive && p.PortalUrl == "" {
			p.PortalUrl = "https://" + p.ConsentPortalId + ".consent-portal.bedrock-agentcore." + row.Region + ".amazonaws.com"
		}
		return nil
	},
	summary: func(p *consentPortalDoc) any { return members.Project[api.ConsentPortalSummary](p) },
}

// checkPortalProvider: the idp's credential provider is an OAuth2 provider
// of the caller's token vault.
func checkPortalProvider(ctx context.Context, tx store.Tx, sc scope, idp *api.ConsentPortalIdpConfig) error {
	const member = "idpConfig.credentialProviderArn"
	prefix := sc.arn("token-vault/default/oauth2credentialprovider/")
	name, ok := strings.CutPrefix(idp.CredentialProviderArn, prefix)
	if !ok || name == "" {
		return invalidMember(member, "Member must be the ARN of an OAuth2 credential provider in this account and region")
	}
	if _, err := tx.Get(ctx, sc.key(KindOAuth2CredentialProvider, name)); errors.Is(err, store.ErrNotFound) {
		return awserr.NotFound("The OAuth2 credential provider '%s' was not found.", name)
	} else if err != nil {
		return err
	}
	return nil
}

// checkPortalSources: each gateway source names a gateway of the caller.
func checkPortalSources(ctx context.Context, tx store.Tx, sc scope, sources []api.ConsentPortalSource) error {
	for _, src := range sources {
		if src.Type != api.ConsentPortalSourceTypeAgentcoreGateway {
			continue // the enum has no other value; the dispatcher checked it
		}
		id := src.Identifier
		if i := strings.LastIndex(id, ":gateway/"); i >= 0 {
			id = id[i+len(":gateway/"):]
		}
		if _, err := tx.Get(ctx, sc.key(kindGateway, id)); errors.Is(err, store.ErrNotFound) {
			return awserr.NotFound("Gateway '%s' was not found.", src.Identifier)
		} else if err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) CreateConsentPortal(ctx context.Context, in *api.CreateConsentPortalRequest) (*api.CreateConsentPortalResponse, error) {
	check := func(tx store.Tx, sc scope) error {
		if err := checkPortalProvider(ctx, tx, sc, in.IdpConfig); err != nil { // idpConfig is required
			return err
		}
		return checkPortalSources(ctx, tx, sc, in.Sources)
	}
	return create[api.CreateConsentPortalResponse](ctx, s, consentPortals, creation{name: in.Name, tags: in.Tags, from: in, check: check}, nil)
}

func (s *Service) GetConsentPortal(ctx context.Context, in *api.GetConsentPortalRequest) (*api.GetConsentPortalResponse, error) {
	return get[api.GetConsentPortalResponse](ctx, s, consentPortals, "", in.ConsentPortalIdentifier)
}

func (s *Service) UpdateConsentPortal(ctx context.Context, in *api.UpdateConsentPortalRequest) (*api.UpdateConsentPortalResponse, error) {
	return update[api.UpdateConsentPortalResponse](ctx, s, consentPortals, "", in.ConsentPortalIdentifier, in,
		func(tx store.Tx, sc scope, _ *store.Resource, p *consentPortalDoc) error {
			if in.IdpConfig == nil {
				return nil
			}
			return checkPortalProvider(ctx, tx, sc, in.IdpConfig)
		})
}

func (s *Service) DeleteConsentPortal(ctx context.Context, in *api.DeleteConsentPortalRequest) (*api.DeleteConsentPortalResponse, error) {
	return remove[api.DeleteConsentPortalResponse](ctx, s, consentPortals, "", in.ConsentPortalIdentifier)
}

func (s *Service) ListConsentPortals(ctx context.Context, in *api.ListConsentPortalsRequest) (*api.ListConsentPortalsResponse, error) {
	return answerPage[api.ListConsentPortalsResponse](list[api.ConsentPortalSummary](ctx, s, consentPortals,
		listing[consentPortalDoc]{maxResults: in.MaxResults, nextToken: in.NextToken}))
}
