package service

import (
	"context"
	"time"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/members"
)

// The token vault: one per account and region, named "default", holding the
// credential providers. It exists without being created; its row is written
// the first time it is read or configured, so that lastModifiedDate stays the
// same from one call to the next (singletons.go).

const (
	kindTokenVault    = "token-vault"
	defaultTokenVault = "default"
)

type tokenVaultRecord struct {
	KmsConfiguration api.KmsConfiguration `json:"kmsConfiguration"`
	LastModifiedDate api.EpochTime        `json:"lastModifiedDate"`
}

// checkTokenVaultID accepts the default vault's name, or none.
func checkTokenVaultID(id string) error {
	if id != "" && id != defaultTokenVault {
		return awserr.NotFound("Token vault '%s' was not found.", id)
	}
	return nil
}

var tokenVaults = &singleton[tokenVaultRecord]{
	kind: kindTokenVault, id: defaultTokenVault, arnPath: "token-vault/",
	initial: func(_ string, now time.Time) *tokenVaultRecord {
		return &tokenVaultRecord{KmsConfiguration: api.KmsConfiguration{KeyType: api.KeyTypeServiceManagedKey}, LastModifiedDate: api.NewEpochTime(now)}
	},
	crossed: awserr.Errorf("ConcurrentModificationException", "The token vault was modified concurrently. Try again."),
}

func tokenVaultAnswer(rec *tokenVaultRecord) *api.GetTokenVaultResponse {
	out := members.Project[api.GetTokenVaultResponse](rec)
	out.TokenVaultId = defaultTokenVault
	return out
}

// tokenVault answers the vault; kms, when not nil, replaces its key
// configuration.
func (s *Service) tokenVault(ctx context.Context, kms *api.KmsConfiguration) (*api.GetTokenVaultResponse, error) {
	if kms == nil {
		rec, err := tokenVaults.get(ctx, s)
		if err != nil {
			return nil, err
		}
		return tokenVaultAnswer(rec), nil
	}
	return changeSingleton(ctx, s, tokenVaults, func(rec *tokenVaultRecord, now time.Time) error {
		rec.KmsConfiguration, rec.LastModifiedDate = *kms, api.NewEpochTime(now)
		return nil
	}, tokenVaultAnswer)
}

func (s *Service) GetTokenVault(ctx context.Context, in *api.GetTokenVaultRequest) (*api.GetTokenVaultResponse, error) {
	if err := checkTokenVaultID(in.TokenVaultId); err != nil {
		return nil, err
	}
	return s.tokenVault(ctx, nil)
}

func (s *Service) SetTokenVaultCMK(ctx context.Context, in *api.SetTokenVaultCMKRequest) (*api.SetTokenVaultCMKResponse, error) {
	kms := in.KmsConfiguration // required by the model, checked by the dispatcher
	switch err := checkTokenVaultID(in.TokenVaultId); {
	case err != nil:
		return nil, err
	case kms.KeyType == api.KeyTypeCustomerManagedKey && kms.KmsKeyArn == "":
		return nil, awserr.Validation("1 validation error detected: kmsConfiguration.kmsKeyArn is required when keyType is CustomerManagedKey")
	case kms.KeyType == api.KeyTypeServiceManagedKey && kms.KmsKeyArn != "":
		return nil, awserr.Validation("1 validation error detected: kmsConfiguration.kmsKeyArn must not be set when keyType is ServiceManagedKey")
	}
	vault, err := s.tokenVault(ctx, kms)
	if err != nil {
		return nil, err
	}
	return ptr(api.SetTokenVaultCMKResponse(*vault)), nil
}

// ResetTokenVaultKeyMaterial moves a vault whose customer managed key was
// deleted back to a service-managed key (overlay operation, SDK v1.81.0).
// AWS: a vault without a customer managed key, or whose key still exists,
// answers ValidationException; this server has no KMS to ask, so a
// customer managed key counts as deleted. AWS deletes the OAuth2 access and
// refresh tokens the vault holds and keeps the credential providers and
// their configuration; this server stores no such tokens (they belong to the
// data plane), and the providers' client secrets and API keys are
// configuration sealed with the server's own key (internal/secrets), not
// the vault's, so they stay readable: nothing is destroyed.
func (s *Service) ResetTokenVaultKeyMaterial(ctx context.Context, in *api.ResetTokenVaultKeyMaterialRequest) (*api.ResetTokenVaultKeyMaterialResponse, error) {
	if err := checkTokenVaultID(in.TokenVaultId); err != nil {
		return nil, err
	}
	vault, err := s.tokenVault(ctx, nil)
	if err != nil {
		return nil, err
	}
	if vault.KmsConfiguration == nil || vault.KmsConfiguration.KeyType != api.KeyTypeCustomerManagedKey {
		// A state, not a malformed field: reason ResourceConflict.
		return nil, &awserr.Error{Code: awserr.CodeValidation, Reason: awserr.ReasonResourceConflictText,
			Message: "The token vault '" + defaultTokenVault + "' does not use a customer managed key; there is no key material to reset."}
	}
	if vault, err = s.tokenVault(ctx, &api.KmsConfiguration{KeyType: api.KeyTypeServiceManagedKey}); err != nil {
		return nil, err
	}
	return members.Project[api.ResetTokenVaultKeyMaterialResponse](vault), nil
}
