package service

import (
	"context"
	"time"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/members"
)

// Agent insight stores (overlay operations, aws-sdk-go-v2 v1.81.0; see
// models/overlay/README.md). The SDK: "The logical default exists for every
// enrolled account; its backing state may be initialized on first access."
// The developer guide (Manage the Agent Insight Store): one default store
// per account and Region, starting with enablementStatus DISABLED. So,
// like the token vault, the store is a singleton with no create or delete:
// its row, id "default" (the id pattern [a-z0-9-]+), ARN
// ...:agent-insight-store/default, is written on first access, so that
// createdAt stays put.
//
// Decisions:
//   - It starts DISABLED / INACTIVE, encrypted with an AWS owned key
//     (AWS_OWNED_KMS_KEY, the guide's default).
//   - Updates apply at once: ENABLED -> ACTIVE, DISABLED -> INACTIVE. AWS
//     passes through UPDATING; this server has no insights to move, so the
//     answer already reports where the change ends.
//   - An update must set enablementStatus or encryptionConfiguration; an
//     encryption change needs the store ENABLED after the request (guide:
//     "only with enablementStatus set to ENABLED"); CUSTOMER_MANAGED_KMS
//     needs kmsKeyArn, AWS_OWNED_KMS_KEY takes none (ValidationException).
//   - Any other store id is ResourceNotFoundException; the listing is one
//     page, so any nextToken is an invalid token. clientToken replays go
//     through mutate like every other token operation.

const (
	kindAgentInsightStore    = "agent-insight-store"
	defaultAgentInsightStore = "default"
)

func checkInsightStoreID(id string) error {
	if id != defaultAgentInsightStore {
		return awserr.NotFound("Agent Insight Store '%s' was not found.", id)
	}
	return nil
}

var insightStores = &singleton[api.GetAgentInsightStoreResponse]{
	kind: kindAgentInsightStore, id: defaultAgentInsightStore, arnPath: "agent-insight-store/",
	initial: func(arn string, now time.Time) *api.GetAgentInsightStoreResponse {
		return &api.GetAgentInsightStoreResponse{
			AgentInsightStoreArn: arn, AgentInsightStoreId: defaultAgentInsightStore,
			Status: api.AgentInsightStoreStatusInactive, EnablementStatus: api.AgentInsightStoreEnablementStatusDisabled,
			EncryptionConfiguration: &api.AgentInsightStoreEncryptionConfiguration{Mode: api.AgentInsightStoreEncryptionModeAwsOwnedKmsKey},
			CreatedAt:               api.NewEpochTime(now), UpdatedAt: api.NewEpochTime(now),
		}
	},
	status: func(rec *api.GetAgentInsightStoreResponse) string { return string(rec.Status) },
}

func (s *Service) GetAgentInsightStore(ctx context.Context, in *api.GetAgentInsightStoreRequest) (*api.GetAgentInsightStoreResponse, error) {
	if err := checkInsightStoreID(in.AgentInsightStoreId); err != nil {
		return nil, err
	}
	return insightStores.get(ctx, s)
}

func (s *Service) ListAgentInsightStores(ctx context.Context, in *api.ListAgentInsightStoresRequest) (*api.ListAgentInsightStoresResponse, error) {
	if in.NextToken != "" {
		return nil, invalidToken() // one page: no token was handed out
	}
	if in.MaxResults != nil && *in.MaxResults < 1 {
		return nil, invalidMember("maxResults", "Member must have value greater than or equal to 1")
	}
	rec, err := insightStores.get(ctx, s)
	if err != nil {
		return nil, err
	}
	return &api.ListAgentInsightStoresResponse{AgentInsightStores: []api.AgentInsightStoreSummary{*members.Project[api.AgentInsightStoreSummary](rec)}}, nil
}

func (s *Service) UpdateAgentInsightStore(ctx context.Context, in *api.UpdateAgentInsightStoreRequest) (*api.UpdateAgentInsightStoreResponse, error) {
	if err := checkInsightStoreID(in.AgentInsightStoreId); err != nil {
		return nil, err
	}
	enc := in.EncryptionConfiguration
	switch {
	case in.EnablementStatus == "" && enc == nil:
		return nil, awserr.Validation("1 validation error detected: the request must set enablementStatus, encryptionConfiguration or both")
	case enc != nil && enc.Mode == api.AgentInsightStoreEncryptionModeCustomerManagedKms && enc.KmsKeyArn == "":
		return nil, invalidMember("encryptionConfiguration.kmsKeyArn", "Member is required when mode is CUSTOMER_MANAGED_KMS")
	case enc != nil && enc.Mode == api.AgentInsightStoreEncryptionModeAwsOwnedKmsKey && enc.KmsKeyArn != "":
		return nil, invalidMember("encryptionConfiguration.kmsKeyArn", "Member must not be set when mode is AWS_OWNED_KMS_KEY")
	}
	return changeSingleton(ctx, s, insightStores, func(rec *api.GetAgentInsightStoreResponse, now time.Time) error {
		if in.EnablementStatus != "" {
			rec.EnablementStatus = in.EnablementStatus
		}
		if enc != nil {
			if rec.EnablementStatus != api.AgentInsightStoreEnablementStatusEnabled {
				return invalidMember("encryptionConfiguration", "An encryption change needs enablementStatus ENABLED")
			}
			rec.EncryptionConfiguration = enc
		}
		rec.Status = api.AgentInsightStoreStatusInactive
		if rec.EnablementStatus == api.AgentInsightStoreEnablementStatusEnabled {
			rec.Status = api.AgentInsightStoreStatusActive
		}
		rec.UpdatedAt = api.NewEpochTime(now)
		return nil
	}, func(rec *api.GetAgentInsightStoreResponse) *api.UpdateAgentInsightStoreResponse {
		return members.Project[api.UpdateAgentInsightStoreResponse](rec)
	})
}
