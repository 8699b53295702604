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
	"time"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/store"
)

const (
	kindPaymentManager      = "payment-manager"
	kindPaymentConnector    = "payment-connector"
	familyPayments          = "payments"
	defaultPaymentListLimit = 10
)

// paymentManagerDoc is the document of a payment-manager row. Tags live in
// the tag table, not here.
type paymentManagerDoc struct {
	api.GetPaymentManagerResponse
	// PendingFailure, set by an injected fault, makes the pending transition
	// end in *_FAILED; FailureReason keeps its reason (no member reports it).
	PendingFailure string `json:"pendingFailure,omitempty"`
	FailureReason  string `json:"failureReason,omitempty"`
}

// paymentConnectorDoc is the document of a payment-connector row.
type paymentConnectorDoc struct {
	api.GetPaymentConnectorResponse
	PaymentManagerId string `json:"paymentManagerId"`
	PendingFailure   string `json:"pendingFailure,omitempty"`
	FailureReason    string `json:"failureReason,omitempty"`
}

func (s *Service) registerPayments() {
	s.lifecycle.Register(familyPayments, kindPaymentManager, s.reconcilePaymentManager)
	s.lifecycle.Register(familyPayments, kindPaymentConnector, s.reconcilePaymentConnector)
}

func paymentManagerNotFound(id string) error {
	return awserr.NotFound("Payment manager '%s' was not found.", id)
}

func paymentConnectorNotFound(id string) error {
	return awserr.NotFound("Payment connector '%s' was not found.", id)
}

func connectorRowID(managerID, connectorID string) string { return managerID + "/" + connectorID }

// connectorIDBase turns a connector name into the lower-case, hyphenated
// prefix of its id.
func connectorIDBase(name string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return r == '_' }) {
		if b.Len() > 0 {
			b.WriteByte('-')
		}
		b.WriteString(part)
	}
	return b.String()
}

func (s *Service) getPaymentManager(ctx context.Context, tx store.Tx, id string) (*store.Resource, *paymentManagerDoc, error) {
	return loadDoc[paymentManagerDoc](ctx, tx, scopeOf(ctx).key(kindPaymentManager, id), func() error { return paymentManagerNotFound(id) })
}

func (s *Service) getPaymentConnector(ctx context.Context, tx store.Tx, managerID, id string) (*store.Resource, *paymentConnectorDoc, error) {
	if _, _, err := s.getPaymentManager(ctx, tx, managerID); err != nil {
		return nil, nil, err
	}
	return loadDoc[paymentConnectorDoc](ctx, tx, scopeOf(ctx).key(kindPaymentConnector, connectorRowID(managerID, id)), func() error { return paymentConnectorNotFound(id) })
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

// managerTakesConnectors refuses connectors for a manager that is being
// deleted or never came into being.
func managerTakesConnectors(doc *paymentManagerDoc) error {
	switch doc.Status {
	case api.PaymentManagerStatusDeleting, api.PaymentManagerStatusCreateFailed:
		return awserr.Conflict("Payment manager '%s' is %s and does not accept connectors.", doc.PaymentManagerId, doc.Status)
	}
	return nil
}

func (s *Service) CreatePaymentManager(ctx context.Context, in *api.CreatePaymentManagerRequest) (*api.CreatePaymentManagerResponse, error) {
	if err := checkPaymentAuthorizer(in.AuthorizerType, in.AuthorizerConfiguration); err != nil {
		return nil, err
	}
	if err := checkTagKeys("tags", mapKeys(in.Tags)); err != nil {
		return nil, err
	}
	sc := scopeOf(ctx)
	quota := quotaOrDefault(s.quotas.PaymentManagersPerAccount, DefaultQuotas.PaymentManagersPerAccount)
	return mutate(ctx, s, func(tx store.Tx) (*api.CreatePaymentManagerResponse, error) {
		if _, err := tx.GetByName(ctx, sc.account, sc.region, kindPaymentManager, "", in.Name); err == nil {
			return nil, nameTaken("payment manager", in.Name)
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		if n, err := tx.Count(ctx, sc.account, sc.region, kindPaymentManager, ""); err != nil {
			return nil, err
		} else if n >= quota {
			return nil, awserr.QuotaExceeded("You have reached the maximum of %d payment managers in this account and region.", quota)
		}
		now := s.now().UTC()
		id := strings.ToLower(in.Name) + "-" + randomString(lowerAlphabet, 10)
		arn := sc.arn("payment-manager/" + id)
		wi, err := s.createLinkedIdentity(ctx, tx, id, arn, now)
		if err != nil {
			return nil, err
		}
		doc := paymentManagerDoc{GetPaymentManagerResponse: api.GetPaymentManagerResponse{
			PaymentManagerArn: arn, PaymentManagerId: id, Name: in.Name, Description: in.Description,
			AuthorizerType: in.AuthorizerType, AuthorizerConfiguration: in.AuthorizerConfiguration, RoleArn: in.RoleArn,
			WorkloadIdentityDetails: &api.WorkloadIdentityDetails{WorkloadIdentityArn: wi},
			CreatedAt:               api.NewDateTime(now), LastUpdatedAt: api.NewDateTime(now), Status: api.PaymentManagerStatusCreating,
		}}
		doc.PendingFailure = s.injectedFailure(ctx, "CreatePaymentManager")
		row := &store.Resource{Account: sc.account, Region: sc.region, Kind: kindPaymentManager, ID: id, Name: in.Name,
			ARN: arn, Status: string(doc.Status), CreatedAt: now, UpdatedAt: now, Doc: encodeDoc(doc)}
		if err := s.insertNamed(ctx, tx, row, in.Tags, "payment manager"); err != nil {
			return nil, err
		}
		if err := s.lifecycle.Schedule(ctx, tx, row); err != nil {
			return nil, err
		}
		return &api.CreatePaymentManagerResponse{
			PaymentManagerArn: arn, PaymentManagerId: id, Name: in.Name, AuthorizerType: in.AuthorizerType,
			AuthorizerConfiguration: in.AuthorizerConfiguration, RoleArn: in.RoleArn, WorkloadIdentityDetails: doc.WorkloadIdentityDetails,
			CreatedAt: doc.CreatedAt, Status: doc.Status, Tags: in.Tags,
		}, nil
	})
}

func (s *Service) GetPaymentManager(ctx context.Context, in *api.GetPaymentManagerRequest) (*api.GetPaymentManagerResponse, error) {
	var out api.GetPaymentManagerResponse
	err := s.read(ctx, func(tx store.Tx) error {
		row, doc, err := s.getPaymentManager(ctx, tx, in.PaymentManagerId)
		if err != nil {
			return err
		}
		out = doc.GetPaymentManagerResponse
		tags, err := tx.Tags(ctx, row.ARN)
		if len(tags) > 0 {
			out.Tags = tags
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (s *Service) UpdatePaymentManager(ctx context.Context, in *api.UpdatePaymentManagerRequest) (*api.UpdatePaymentManagerResponse, error) {
	return mutate(ctx, s, func(tx store.Tx) (*api.UpdatePaymentManagerResponse, error) {
		row, doc, err := s.getPaymentManager(ctx, tx, in.PaymentManagerId)
		if err != nil {
			return nil, err
		}
		if transitional(row.Status) || row.Status == string(api.PaymentManagerStatusCreateFailed) {
			return nil, awserr.Conflict("Payment manager '%s' is %s and cannot be updated now.", doc.PaymentManagerId, row.Status)
		}
		if in.Description != "" {
			doc.Description = in.Description
		}
		if in.RoleArn != "" {
			doc.RoleArn = in.RoleArn
		}
		switch {
		case in.AuthorizerConfiguration != nil:
			doc.AuthorizerConfiguration = in.AuthorizerConfiguration
		case in.AuthorizerType != "" && in.AuthorizerType != api.PaymentsAuthorizerTypeCustomJwt:
			doc.AuthorizerConfiguration = nil
		}
		if in.AuthorizerType != "" {
			doc.AuthorizerType = in.AuthorizerType
		}
		if err := checkPaymentAuthorizer(doc.AuthorizerType, doc.AuthorizerConfiguration); err != nil {
			return nil, err
		}
		now := s.now().UTC()
		doc.Status = api.PaymentManagerStatusUpdating
		doc.FailureReason = ""
		doc.LastUpdatedAt = api.NewDateTime(now)
		doc.PendingFailure = s.injectedFailure(ctx, "UpdatePaymentManager")
		if err := s.transition(ctx, tx, row, string(doc.Status), doc, now); err != nil {
			return nil, err
		}
		return &api.UpdatePaymentManagerResponse{
			PaymentManagerArn: doc.PaymentManagerArn, PaymentManagerId: doc.PaymentManagerId, Name: doc.Name,
			AuthorizerType: doc.AuthorizerType, RoleArn: doc.RoleArn, WorkloadIdentityDetails: doc.WorkloadIdentityDetails,
			LastUpdatedAt: doc.LastUpdatedAt, Status: doc.Status,
		}, nil
	})
}

func (s *Service) DeletePaymentManager(ctx context.Context, in *api.DeletePaymentManagerRequest) (*api.DeletePaymentManagerResponse, error) {
	sc := scopeOf(ctx)
	return mutate(ctx, s, func(tx store.Tx) (*api.DeletePaymentManagerResponse, error) {
		row, doc, err := s.getPaymentManager(ctx, tx, in.PaymentManagerId)
		if err != nil {
			return nil, err
		}
		out := &api.DeletePaymentManagerResponse{Status: api.PaymentManagerStatusDeleting, PaymentManagerId: doc.PaymentManagerId}
		if row.Status == string(api.PaymentManagerStatusDeleting) {
			return out, nil
		}
		n, err := tx.Count(ctx, sc.account, sc.region, kindPaymentConnector, doc.PaymentManagerId)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			return nil, awserr.Conflict("Payment manager '%s' has %d payment connectors. All payment connectors must be deleted before the payment manager can be deleted.", doc.PaymentManagerId, n)
		}
		now := s.now().UTC()
		doc.Status = api.PaymentManagerStatusDeleting
		doc.FailureReason = ""
		doc.LastUpdatedAt = api.NewDateTime(now)
		doc.PendingFailure = s.injectedFailure(ctx, "DeletePaymentManager")
		return out, s.transition(ctx, tx, row, string(doc.Status), doc, now)
	})
}

func (s *Service) ListPaymentManagers(ctx context.Context, in *api.ListPaymentManagersRequest) (*api.ListPaymentManagersResponse, error) {
	out := &api.ListPaymentManagersResponse{PaymentManagers: []api.PaymentManagerSummary{}}
	sc := scopeOf(ctx)
	err := s.read(ctx, func(tx store.Tx) error {
		rows, next, err := s.page(ctx, tx, sc, kindPaymentManager, "", in.MaxResults, defaultPaymentListLimit, in.NextToken)
		if err != nil {
			return err
		}
		out.NextToken = next
		for _, r := range rows {
			var doc paymentManagerDoc
			if err := decodeDoc(r, &doc); err != nil {
				return err
			}
			out.PaymentManagers = append(out.PaymentManagers, api.PaymentManagerSummary{
				PaymentManagerArn: doc.PaymentManagerArn, PaymentManagerId: doc.PaymentManagerId, Name: doc.Name,
				Description: doc.Description, AuthorizerType: doc.AuthorizerType, RoleArn: doc.RoleArn, Status: doc.Status,
				CreatedAt: doc.CreatedAt, LastUpdatedAt: doc.LastUpdatedAt,
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// nextAsyncStatus is where a payment manager, payment connector or harness
// goes from status, given the failure an injected fault recorded when the
// change was asked (their enums share the strings). gone means the row is removed; next == status
// means nothing to do.
func nextAsyncStatus(status, pendingFailure string) (next string, gone bool) {
	failed := map[string]string{"CREATING": "CREATE_FAILED", "UPDATING": "UPDATE_FAILED", "DELETING": "DELETE_FAILED"}
	switch {
	case failed[status] == "":
		return status, false
	case pendingFailure != "":
		return failed[status], false
	case status == "DELETING":
		return "", true
	}
	return "READY", false
}

// reconcilePaymentManager completes a manager's pending transition.
func (s *Service) reconcilePaymentManager(ctx context.Context, tx store.Tx, row *store.Resource, now time.Time) error {
	var doc paymentManagerDoc
	if err := decodeDoc(row, &doc); err != nil {
		return err
	}
	next, gone := nextAsyncStatus(string(doc.Status), doc.PendingFailure)
	if gone {
		if err := s.deleteLinkedIdentity(ctx, tx, row); err != nil {
			return err
		}
		return s.removeResource(ctx, tx, row)
	}
	if next == string(doc.Status) {
		return nil
	}
	doc.Status = api.PaymentManagerStatus(next)
	doc.FailureReason = doc.PendingFailure
	doc.PendingFailure = ""
	doc.LastUpdatedAt = api.NewDateTime(now)
	return saveDoc(ctx, tx, row, next, doc, now)
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
	for _, c := range configs {
		var member string
		var p *api.PaymentCredentialProviderConfiguration
		switch {
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
	return "", invalidMember("credentialProviderConfigurations", "Member must have length greater than or equal to 1")
}

// checkPaymentProvider checks that a payment credential provider ARN names a
// provider of the caller, of the connector's vendor.
func checkPaymentProvider(ctx context.Context, tx store.Tx, typ api.PaymentConnectorType, arn string) error {
	sc := scopeOf(ctx)
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
	sc := scopeOf(ctx)
	quota := quotaOrDefault(s.quotas.ConnectorsPerPaymentManager, DefaultQuotas.ConnectorsPerPaymentManager)
	return mutate(ctx, s, func(tx store.Tx) (*api.CreatePaymentConnectorResponse, error) {
		_, mgr, err := s.getPaymentManager(ctx, tx, in.PaymentManagerId)
		if err != nil {
			return nil, err
		}
		if err := managerTakesConnectors(mgr); err != nil {
			return nil, err
		}
		if err := checkPaymentProvider(ctx, tx, in.Type, providerARN); err != nil {
			return nil, err
		}
		if _, err := tx.GetByName(ctx, sc.account, sc.region, kindPaymentConnector, mgr.PaymentManagerId, in.Name); err == nil {
			return nil, connectorNameTaken(in.Name)
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		if n, err := tx.Count(ctx, sc.account, sc.region, kindPaymentConnector, mgr.PaymentManagerId); err != nil {
			return nil, err
		} else if n >= quota {
			return nil, awserr.QuotaExceeded("Payment manager '%s' has reached the maximum of %d payment connectors.", mgr.PaymentManagerId, quota)
		}
		now := s.now().UTC()
		id := connectorIDBase(in.Name) + "-" + randomString(lowerAlphabet, 10)
		doc := paymentConnectorDoc{GetPaymentConnectorResponse: api.GetPaymentConnectorResponse{
			PaymentConnectorId: id, Name: in.Name, Description: in.Description, Type: in.Type,
			CredentialProviderConfigurations: in.CredentialProviderConfigurations,
			CreatedAt:                        api.NewDateTime(now), LastUpdatedAt: api.NewDateTime(now), Status: api.PaymentConnectorStatusCreating,
		}, PaymentManagerId: mgr.PaymentManagerId}
		doc.PendingFailure = s.injectedFailure(ctx, "CreatePaymentConnector")
		row := &store.Resource{Account: sc.account, Region: sc.region, Kind: kindPaymentConnector, ID: connectorRowID(mgr.PaymentManagerId, id),
			ParentID: mgr.PaymentManagerId, Name: in.Name, Status: string(doc.Status), CreatedAt: now, UpdatedAt: now, Doc: encodeDoc(doc)}
		if err := tx.Insert(ctx, row); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return nil, connectorNameTaken(in.Name)
			}
			return nil, err
		}
		if err := s.lifecycle.Schedule(ctx, tx, row); err != nil {
			return nil, err
		}
		return &api.CreatePaymentConnectorResponse{
			PaymentConnectorId: id, PaymentManagerId: mgr.PaymentManagerId, Name: in.Name, Type: in.Type,
			CredentialProviderConfigurations: in.CredentialProviderConfigurations, CreatedAt: doc.CreatedAt, Status: doc.Status,
		}, nil
	})
}

func connectorNameTaken(name string) error {
	return awserr.Conflict("A payment connector named '%s' already exists in this payment manager.", name)
}

func (s *Service) GetPaymentConnector(ctx context.Context, in *api.GetPaymentConnectorRequest) (*api.GetPaymentConnectorResponse, error) {
	var doc *paymentConnectorDoc
	err := s.read(ctx, func(tx store.Tx) error {
		var err error
		_, doc, err = s.getPaymentConnector(ctx, tx, in.PaymentManagerId, in.PaymentConnectorId)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &doc.GetPaymentConnectorResponse, nil
}

func (s *Service) UpdatePaymentConnector(ctx context.Context, in *api.UpdatePaymentConnectorRequest) (*api.UpdatePaymentConnectorResponse, error) {
	return mutate(ctx, s, func(tx store.Tx) (*api.UpdatePaymentConnectorResponse, error) {
		row, doc, err := s.getPaymentConnector(ctx, tx, in.PaymentManagerId, in.PaymentConnectorId)
		if err != nil {
			return nil, err
		}
		if transitional(row.Status) || row.Status == string(api.PaymentConnectorStatusCreateFailed) {
			return nil, awserr.Conflict("Payment connector '%s' is %s and cannot be updated now.", doc.PaymentConnectorId, row.Status)
		}
		if in.Description != "" {
			doc.Description = in.Description
		}
		if in.Type != "" {
			doc.Type = in.Type
		}
		if in.CredentialProviderConfigurations != nil {
			doc.CredentialProviderConfigurations = in.CredentialProviderConfigurations
		}
		providerARN, err := connectorProviderARN(doc.Type, doc.CredentialProviderConfigurations)
		if err != nil {
			return nil, err
		}
		if in.Type != "" || in.CredentialProviderConfigurations != nil {
			if err := checkPaymentProvider(ctx, tx, doc.Type, providerARN); err != nil {
				return nil, err
			}
		}
		now := s.now().UTC()
		doc.Status = api.PaymentConnectorStatusUpdating
		doc.FailureReason = ""
		doc.LastUpdatedAt = api.NewDateTime(now)
		doc.PendingFailure = s.injectedFailure(ctx, "UpdatePaymentConnector")
		if err := s.transition(ctx, tx, row, string(doc.Status), doc, now); err != nil {
			return nil, err
		}
		return &api.UpdatePaymentConnectorResponse{
			PaymentConnectorId: doc.PaymentConnectorId, PaymentManagerId: doc.PaymentManagerId, Name: doc.Name, Type: doc.Type,
			CredentialProviderConfigurations: doc.CredentialProviderConfigurations, LastUpdatedAt: doc.LastUpdatedAt, Status: doc.Status,
		}, nil
	})
}

func (s *Service) DeletePaymentConnector(ctx context.Context, in *api.DeletePaymentConnectorRequest) (*api.DeletePaymentConnectorResponse, error) {
	return mutate(ctx, s, func(tx store.Tx) (*api.DeletePaymentConnectorResponse, error) {
		row, doc, err := s.getPaymentConnector(ctx, tx, in.PaymentManagerId, in.PaymentConnectorId)
		if err != nil {
			return nil, err
		}
		out := &api.DeletePaymentConnectorResponse{Status: api.PaymentConnectorStatusDeleting, PaymentConnectorId: doc.PaymentConnectorId}
		if row.Status == string(api.PaymentConnectorStatusDeleting) {
			return out, nil
		}
		now := s.now().UTC()
		doc.Status = api.PaymentConnectorStatusDeleting
		doc.FailureReason = ""
		doc.LastUpdatedAt = api.NewDateTime(now)
		doc.PendingFailure = s.injectedFailure(ctx, "DeletePaymentConnector")
		return out, s.transition(ctx, tx, row, string(doc.Status), doc, now)
	})
}

func (s *Service) ListPaymentConnectors(ctx context.Context, in *api.ListPaymentConnectorsRequest) (*api.ListPaymentConnectorsResponse, error) {
	out := &api.ListPaymentConnectorsResponse{PaymentConnectors: []api.PaymentConnectorSummary{}}
	sc := scopeOf(ctx)
	err := s.read(ctx, func(tx store.Tx) error {
		rows, next, err := s.page(ctx, tx, sc, kindPaymentConnector, in.PaymentManagerId, in.MaxResults, defaultPaymentListLimit, in.NextToken)
		if err != nil {
			return err
		}
		out.NextToken = next
		for _, r := range rows {
			var doc paymentConnectorDoc
			if err := decodeDoc(r, &doc); err != nil {
				return err
			}
			out.PaymentConnectors = append(out.PaymentConnectors, api.PaymentConnectorSummary{
				PaymentConnectorId: doc.PaymentConnectorId, Name: doc.Name, Type: doc.Type, Status: doc.Status, LastUpdatedAt: doc.LastUpdatedAt,
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// reconcilePaymentConnector completes a connector's pending transition.
func (s *Service) reconcilePaymentConnector(ctx context.Context, tx store.Tx, row *store.Resource, now time.Time) error {
	var doc paymentConnectorDoc
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
	doc.Status = api.PaymentConnectorStatus(next)
	doc.FailureReason = doc.PendingFailure
	doc.PendingFailure = ""
	doc.LastUpdatedAt = api.NewDateTime(now)
	return saveDoc(ctx, tx, row, next, doc, now)
}
