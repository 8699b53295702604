package service

// Payment managers and their payment connectors.
//
// A payment manager's id is its lower-cased name, "-" and 10 random
// lower-case alphanumerics (the name has only letters and digits); its ARN
// is ...:payment-manager/<id>. Create also makes a workload identity named
// exactly the manager id, linked to it (undeletable by the caller, removed
// with the manager), returned in workloadIdentityDetails. Get reports the
// manager's tags (the model's output has them).
//
// A connector's id is its name lower-cased with each run of "_" turned into
// one "-" (the id pattern has no underscore), "-" and 10 random lower-case
// alphanumerics. Its row id is "<managerId>/<connectorId>" under the
// manager. A connector has no ARN: no member of the model carries one, the
// IAM service reference lists no connector resource type and the model
// gives it no tags, so it is not taggable (like a gateway target).
//
// Statuses, for both: CREATING -> READY (or CREATE_FAILED), UPDATING ->
// READY (or UPDATE_FAILED), DELETING -> row removed (or DELETE_FAILED). The
// model has no failure-reason member for either; an injected failure's
// reason is kept but not reported.
//
// Decisions:
//   - authorizerType CUSTOM_JWT needs an authorizerConfiguration (model doc);
//     AWS_IAM takes none (ValidationException). UpdatePaymentManager is
//     PATCH: switching to AWS_IAM without a configuration drops the old one.
//   - A connector's credentialProviderConfigurations member must match its
//     type (coinbaseCDP for CoinbaseCDP, stripePrivy for StripePrivy), and
//     the payment credential provider it names must exist in the caller's
//     account and region with the same vendor (ValidationException
//     otherwise; the stale "acps" service name in the ARN is accepted).
//     Deleting a provider still used by a connector is not prevented here
//     (credential_providers.go owns that operation).
//   - A manager being deleted, or whose creation failed, takes no new
//     connectors (ConflictException); deleting a manager needs all its
//     connectors gone, whatever their status (ConflictException; model doc).
//   - Connector names are unique within their manager, manager names within
//     the account and region (ConflictException).
//   - ListPaymentConnectors of a manager that does not exist answers an
//     empty list: the operation models no ResourceNotFoundException.
//   - Quotas: Quotas.PaymentManagersPerAccount (100) and
//     Quotas.ConnectorsPerPaymentManager (10); no documented values.

import (
	"context"
	"errors"
	"strings"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/members"
	"agentcored/internal/store"
)

const (
	kindPaymentManager      = "payment-manager"
	kindPaymentConnector    = "payment-connector"
	familyPayments          = "payments"
	defaultPaymentListLimit = 10
)

// paymentManagerDoc is the document of a payment-manager row.
type paymentManagerDoc struct {
	api.GetPaymentManagerResponse
	// Tags live in the tag table, not in the document ("-"); this member
	// only carries a create's tags into its answer and the table's into Get.
	Tags map[string]string `json:"-"`
	failable
	// FailureReason keeps a failed transition's reason (no member reports it).
	FailureReason string `json:"failureReason,omitempty"`
}

// paymentConnectorDoc is the document of a payment-connector row.
type paymentConnectorDoc struct {
	api.GetPaymentConnectorResponse
	PaymentManagerId string `json:"paymentManagerId"`
	failable
	FailureReason string `json:"failureReason,omitempty"`
}

var paymentManagers = &family[paymentManagerDoc]{
	kind: kindPaymentManager, group: familyPayments, noun: "payment manager", arnPath: "payment-manager/",
	newID:  func(name string) string { return strings.ToLower(name) + "-" + randomString(lowerAlphabet, 10) },
	fields: fields{ID: "PaymentManagerId", ARN: "PaymentManagerArn", Status: "Status", Reason: "FailureReason", Created: "CreatedAt", Updated: "LastUpdatedAt"},
	states: asyncStates, listLimit: defaultPaymentListLimit,
	quota: func(q Quotas) int {
		return quotaOrDefault(q.PaymentManagersPerAccount, DefaultQuotas.PaymentManagersPerAccount)
	},
	beforeDelete: refuseWithChildren[paymentManagerDoc](kindPaymentConnector, func(id string, n int) error {
		return awserr.Conflict("Payment manager '%s' has %d payment connectors. All payment connectors must be deleted before the payment manager can be deleted.", id, n)
	}),
	settled: dropLinkedIdentity(func(m *paymentManagerDoc) string { return string(m.Status) }),
}

var paymentConnectors = &family[paymentConnectorDoc]{
	kind: kindPaymentConnector, group: familyPayments, noun: "payment connector",
	newID:  func(name string) string { return connectorIDBase(name) + "-" + randomString(lowerAlphabet, 10) },
	fields: fields{ID: "PaymentConnectorId", Status: "Status", Reason: "FailureReason", Created: "CreatedAt", Updated: "LastUpdatedAt"},
	states: asyncStates, listLimit: defaultPaymentListLimit,
	quota: func(q Quotas) int {
		return quotaOrDefault(q.ConnectorsPerPaymentManager, DefaultQuotas.ConnectorsPerPaymentManager)
	},
	taken: func(_, name string) error {
		return awserr.Conflict("A payment connector named '%s' already exists in this payment manager.", name)
	},
	full: func(manager string, quota int) error {
		return awserr.QuotaExceeded("Payment manager '%s' has reached the maximum of %d payment connectors.", manager, quota)
	},
}

// connectorIDBase turns a connector name into the lower-case, hyphenated
// prefix of its id.
func connectorIDBase(name string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return r == '_' }), "-")
}

// checkPaymentAuthorizer enforces what the model says only in prose.
func checkPaymentAuthorizer(typ api.PaymentsAuthorizerType, cfg *api.AuthorizerConfiguration) error {
	switch {
	case typ == api.PaymentsAuthorizerTypeCustomJwt && cfg == nil:
		return awserr.Validation("1 validation error detected: Value null at 'authorizerConfiguration' failed to satisfy constraint: Member must not be null when authorizerType is CUSTOM_JWT")
	case typ != api.PaymentsAuthorizerTypeCustomJwt && cfg != nil:
		return awserr.Validation("1 validation error detected: Value at 'authorizerConfiguration' failed to satisfy constraint: Member is only allowed when authorizerType is CUSTOM_JWT")
	}
	return nil
}

func (s *Service) CreatePaymentManager(ctx context.Context, in *api.CreatePaymentManagerRequest) (*api.CreatePaymentManagerResponse, error) {
	if err := checkPaymentAuthorizer(in.AuthorizerType, in.AuthorizerConfiguration); err != nil {
		return nil, err
	}
	return create[api.CreatePaymentManagerResponse](ctx, s, paymentManagers, creation{name: in.Name, tags: in.Tags, from: in},
		func(tx store.Tx, _ scope, m *paymentManagerDoc) error {
			wi, err := s.createLinkedIdentity(ctx, tx, m.PaymentManagerId, m.PaymentManagerArn, m.CreatedAt.Time)
			m.WorkloadIdentityDetails = &api.WorkloadIdentityDetails{WorkloadIdentityArn: wi}
			return err
		})
}

func (s *Service) GetPaymentManager(ctx context.Context, in *api.GetPaymentManagerRequest) (*api.GetPaymentManagerResponse, error) {
	sc := scopeOf(ctx)
	var m *paymentManagerDoc
	err := s.read(ctx, func(tx store.Tx) error {
		row, doc, err := paymentManagers.load(ctx, tx, sc, "", in.PaymentManagerId)
		if err == nil {
			m = doc
			m.Tags, err = tx.Tags(ctx, row.ARN)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(m.Tags) == 0 {
		m.Tags = nil // no member rather than an empty one
	}
	return members.Project[api.GetPaymentManagerResponse](m), nil
}

func (s *Service) UpdatePaymentManager(ctx context.Context, in *api.UpdatePaymentManagerRequest) (*api.UpdatePaymentManagerResponse, error) {
	return update[api.UpdatePaymentManagerResponse](ctx, s, paymentManagers, "", in.PaymentManagerId, in,
		func(_ store.Tx, _ scope, _ *store.Resource, m *paymentManagerDoc) error {
			// Switching away from CUSTOM_JWT without a configuration drops the old one.
			if in.AuthorizerConfiguration == nil && in.AuthorizerType != "" && in.AuthorizerType != api.PaymentsAuthorizerTypeCustomJwt {
				m.AuthorizerConfiguration = nil
			}
			return checkPaymentAuthorizer(m.AuthorizerType, m.AuthorizerConfiguration)
		})
}

func (s *Service) DeletePaymentManager(ctx context.Context, in *api.DeletePaymentManagerRequest) (*api.DeletePaymentManagerResponse, error) {
	return remove[api.DeletePaymentManagerResponse](ctx, s, paymentManagers, "", in.PaymentManagerId)
}

func (s *Service) ListPaymentManagers(ctx context.Context, in *api.ListPaymentManagersRequest) (*api.ListPaymentManagersResponse, error) {
	return answerPage[api.ListPaymentManagersResponse](list[api.PaymentManagerSummary](ctx, s, paymentManagers,
		listing[paymentManagerDoc]{maxResults: in.MaxResults, nextToken: in.NextToken}))
}

// ---- Payment connectors ----

// connectorCredentialMembers names, by connector type, the union member of
// CredentialsProviderConfiguration it must use.
var connectorCredentialMembers = map[api.PaymentConnectorType]string{
	api.PaymentConnectorTypeCoinbaseCDP: "coinbaseCDP",
	api.PaymentConnectorTypeStripePrivy: "stripePrivy",
}

// connectorProviderARN checks that the configuration matches the type and
// returns the credential provider ARN it names.
func connectorProviderARN(typ api.PaymentConnectorType, configs []api.CredentialsProviderConfiguration) (string, error) {
	want := connectorCredentialMembers[typ]
	if len(configs) == 0 {
		return "", invalidMember("credentialProviderConfigurations", "Member must have length greater than or equal to 1")
	}
	// The model allows one configuration (the first decides).
	var member string
	var p *api.PaymentCredentialProviderConfiguration
	switch c := configs[0]; {
	case c.CoinbaseCDP != nil:
		member, p = "coinbaseCDP", c.CoinbaseCDP
	case c.StripePrivy != nil:
		member, p = "stripePrivy", c.StripePrivy
	}
	if member != want {
		return "", invalidMember("credentialProviderConfigurations", "Member must be "+want+" for a connector of type "+string(typ))
	}
	return p.CredentialProviderArn, nil
}

// checkPaymentProvider checks that a payment credential provider ARN names a
// provider of the caller, of the connector's vendor.
func checkPaymentProvider(ctx context.Context, tx store.Tx, sc scope, typ api.PaymentConnectorType, arn string) error {
	canonical := strings.Replace(arn, ":acps:", ":bedrock-agentcore:", 1)
	r, err := tx.GetByARN(ctx, canonical)
	if errors.Is(err, store.ErrNotFound) || err == nil && (r.Kind != KindPaymentCredentialProvider || r.Account != sc.account || r.Region != sc.region) {
		return invalidMember("credentialProviderConfigurations", "Payment credential provider "+arn+" was not found")
	}
	if err != nil {
		return err
	}
	var rec credentialRecord
	if err := decodeDoc(r, &rec); err != nil {
		return err
	}
	if rec.Vendor != string(typ) {
		return invalidMember("credentialProviderConfigurations", "Payment credential provider "+arn+" is of vendor "+rec.Vendor+", not "+string(typ))
	}
	return nil
}

func (s *Service) CreatePaymentConnector(ctx context.Context, in *api.CreatePaymentConnectorRequest) (*api.CreatePaymentConnectorResponse, error) {
	providerARN, err := connectorProviderARN(in.Type, in.CredentialProviderConfigurations)
	if err != nil {
		return nil, err
	}
	// The manager must exist and take connectors; the provider must exist.
	check := func(tx store.Tx, sc scope) error {
		_, m, err := paymentManagers.load(ctx, tx, sc, "", in.PaymentManagerId)
		if err != nil {
			return err
		}
		switch m.Status {
		case api.PaymentManagerStatusDeleting, api.PaymentManagerStatusCreateFailed:
			return awserr.Conflict("Payment manager '%s' is %s and does not accept connectors.", m.PaymentManagerId, m.Status)
		}
		return checkPaymentProvider(ctx, tx, sc, in.Type, providerARN)
	}
	return create[api.CreatePaymentConnectorResponse](ctx, s, paymentConnectors,
		creation{parent: in.PaymentManagerId, name: in.Name, from: in, check: check}, nil)
}

func (s *Service) GetPaymentConnector(ctx context.Context, in *api.GetPaymentConnectorRequest) (*api.GetPaymentConnectorResponse, error) {
	return get[api.GetPaymentConnectorResponse](ctx, s, paymentConnectors, in.PaymentManagerId, in.PaymentConnectorId)
}

func (s *Service) UpdatePaymentConnector(ctx context.Context, in *api.UpdatePaymentConnectorRequest) (*api.UpdatePaymentConnectorResponse, error) {
	return update[api.UpdatePaymentConnectorResponse](ctx, s, paymentConnectors, in.PaymentManagerId, in.PaymentConnectorId, in,
		func(tx store.Tx, sc scope, _ *store.Resource, c *paymentConnectorDoc) error {
			providerARN, err := connectorProviderARN(c.Type, c.CredentialProviderConfigurations)
			if err != nil || in.Type == "" && in.CredentialProviderConfigurations == nil {
				return err
			}
			return checkPaymentProvider(ctx, tx, sc, c.Type, providerARN)
		})
}

func (s *Service) DeletePaymentConnector(ctx context.Context, in *api.DeletePaymentConnectorRequest) (*api.DeletePaymentConnectorResponse, error) {
	return remove[api.DeletePaymentConnectorResponse](ctx, s, paymentConnectors, in.PaymentManagerId, in.PaymentConnectorId)
}

func (s *Service) ListPaymentConnectors(ctx context.Context, in *api.ListPaymentConnectorsRequest) (*api.ListPaymentConnectorsResponse, error) {
	return answerPage[api.ListPaymentConnectorsResponse](list[api.PaymentConnectorSummary](ctx, s, paymentConnectors,
		listing[paymentConnectorDoc]{parent: in.PaymentManagerId, maxResults: in.MaxResults, nextToken: in.NextToken}))
}

// RotatePaymentConnectorCredentials (overlay operation, SDK v1.81.0)
// replaces a connector's service-managed credentials at once: no UPDATING,
// the connector stays READY and lastUpdatedAt moves (SDK doc). The member of
// credentialsToRotate must match the connector's type (only coinbaseCDP has
// rotation targets); a connector not READY is ConflictException. This
// server issues no real payment-provider credentials, so the rotation
// leaves the credential provider's stored secrets as they are. The model
// copy has no provisionMode, so every connector counts as QUICK_CREATE.
func (s *Service) RotatePaymentConnectorCredentials(ctx context.Context, in *api.RotatePaymentConnectorCredentialsRequest) (*api.RotatePaymentConnectorCredentialsResponse, error) {
	rot := in.CredentialsToRotate // required by the model, checked by the dispatcher
	if rot.CoinbaseCDP == nil || len(rot.CoinbaseCDP.Secrets) == 0 {
		return nil, invalidMember("credentialsToRotate.coinbaseCDP.secrets", "Member must name at least one secret to rotate")
	}
	sc := scopeOf(ctx)
	return mutate(ctx, s, func(tx store.Tx) (*api.RotatePaymentConnectorCredentialsResponse, error) {
		row, c, err := paymentConnectors.load(ctx, tx, sc, in.PaymentManagerId, in.PaymentConnectorId)
		if err != nil {
			return nil, err
		}
		if c.Type != api.PaymentConnectorTypeCoinbaseCDP {
			return nil, invalidMember("credentialsToRotate", "Member must match the connector's type "+string(c.Type))
		}
		if c.Status != api.PaymentConnectorStatusReady {
			return nil, awserr.Conflict("Payment connector '%s' is %s; credentials rotate only when it is READY.", in.PaymentConnectorId, c.Status)
		}
		now := s.now().UTC()
		c.LastUpdatedAt = api.NewDateTime(now)
		if err := paymentConnectors.save(ctx, s, tx, row, c, now); err != nil {
			return nil, err
		}
		return &api.RotatePaymentConnectorCredentialsResponse{PaymentConnectorId: c.PaymentConnectorId,
			PaymentManagerId: in.PaymentManagerId, LastUpdatedAt: c.LastUpdatedAt, Status: c.Status}, nil
	})
}
