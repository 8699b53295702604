package service

import (
	"context"
	"errors"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/store"
)

// The token vault: one per account and region, named "default", holding the
// credential providers. It exists without being created; its row is written
// the first time it is read or configured, so that lastModifiedDate stays the
// same from one call to the next. Being a singleton with no create, delete
// or list, it is not a family of the engine.

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

// tokenVault answers the vault, writing its default row first when it has
// none; kms, when not nil, replaces its key configuration.
func (s *Service) tokenVault(ctx context.Context, kms *api.KmsConfiguration) (*api.GetTokenVaultResponse, error) {
	sc := scopeOf(ctx)
	key := sc.key(kindTokenVault, defaultTokenVault)
	var rec tokenVaultRecord
	load := func(tx store.Tx) (*store.Resource, error) {
		rec = tokenVaultRecord{}
		row, err := tx.Get(ctx, key)
		if err == nil {
			err = decodeDoc(row, &rec)
		}
		return row, err
	}
	answer := func(err error) (*api.GetTokenVaultResponse, error) {
		if err != nil {
			return nil, err
		}
		out := project[api.GetTokenVaultResponse](&rec)
		out.TokenVaultId = defaultTokenVault
		return out, nil
	}
	if kms == nil {
		err := s.read(ctx, func(tx store.Tx) error { _, err := load(tx); return err })
		if !errors.Is(err, store.ErrNotFound) {
			return answer(err)
		}
	}
	for attempt := 0; ; attempt++ {
		err := s.store.Write(ctx, func(tx store.Tx) error {
			now := s.now().UTC()
			row, err := load(tx)
			switch {
			case errors.Is(err, store.ErrNotFound):
				rec = tokenVaultRecord{KmsConfiguration: api.KmsConfiguration{KeyType: api.KeyTypeServiceManagedKey}, LastModifiedDate: api.NewEpochTime(now)}
				row = &store.Resource{Account: sc.account, Region: sc.region, Kind: kindTokenVault, ID: defaultTokenVault,
					Name: defaultTokenVault, ARN: sc.arn("token-vault/" + defaultTokenVault), CreatedAt: now, UpdatedAt: now}
			case err != nil:
				return err
			case kms == nil:
				return nil // someone else wrote it meanwhile
			}
			if kms != nil {
				rec.KmsConfiguration, rec.LastModifiedDate, row.UpdatedAt = *kms, api.NewEpochTime(now), now
			}
			row.Doc = encodeDoc(rec)
			if row.Revision == 0 {
				return tx.Insert(ctx, row)
			}
			return tx.Update(ctx, row)
		})
		raced := errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrRevision)
		switch {
		case raced && attempt < 3:
			continue // two first touches raced, or two changes crossed: go again
		case raced:
			err = awserr.Errorf("ConcurrentModificationException", "The token vault was modified concurrently. Try again.")
		}
		return answer(storeError(err))
	}
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
	return project[api.ResetTokenVaultKeyMaterialResponse](vault), nil
}
