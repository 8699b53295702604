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
// same from one call to the next.

const (
	kindTokenVault    = "token-vault"
	defaultTokenVault = "default"
)

type tokenVaultRecord struct {
	KmsConfiguration api.KmsConfiguration `json:"kmsConfiguration"`
	LastModifiedDate api.EpochTime        `json:"lastModifiedDate"`
}

func tokenVaultName(id string) (string, error) {
	if id == "" {
		return defaultTokenVault, nil
	}
	if id != defaultTokenVault {
		return "", awserr.NotFound("Token vault '%s' was not found.", id)
	}
	return id, nil
}

// tokenVault reads the vault, writing its default row first when it has
// none. change, when not nil, modifies the record before it is written back.
func (s *Service) tokenVault(ctx context.Context, change func(rec *tokenVaultRecord) error) (*tokenVaultRecord, error) {
	sc := scopeOf(ctx)
	key := sc.key(kindTokenVault, defaultTokenVault)
	var rec tokenVaultRecord
	if change == nil {
		err := s.read(ctx, func(tx store.Tx) error {
			r, err := tx.Get(ctx, key)
			if err != nil {
				return err
			}
			return decodeDoc(r, &rec)
		})
		if err == nil {
			return &rec, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	for attempt := 0; ; attempt++ {
		err := s.store.Write(ctx, func(tx store.Tx) error {
			now := s.now().UTC()
			row, err := tx.Get(ctx, key)
			if errors.Is(err, store.ErrNotFound) {
				rec = tokenVaultRecord{KmsConfiguration: api.KmsConfiguration{KeyType: api.KeyTypeServiceManagedKey}, LastModifiedDate: api.NewEpochTime(now)}
				row = &store.Resource{Account: sc.account, Region: sc.region, Kind: kindTokenVault, ID: defaultTokenVault,
					Name: defaultTokenVault, ARN: sc.arn("token-vault/" + defaultTokenVault), CreatedAt: now, UpdatedAt: now}
			} else if err != nil {
				return err
			} else if err := decodeDoc(row, &rec); err != nil {
				return err
			}
			if change != nil {
				if err := change(&rec); err != nil {
					return err
				}
				rec.LastModifiedDate = api.NewEpochTime(now)
				row.UpdatedAt = now
			} else if row.Revision != 0 {
				return nil // someone else wrote it meanwhile
			}
			row.Doc = encodeDoc(rec)
			if row.Revision == 0 {
				return tx.Insert(ctx, row)
			}
			return tx.Update(ctx, row)
		})
		// Two first touches raced (or two changes crossed): go again.
		if (errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrRevision)) && attempt < 3 {
			continue
		}
		if errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrRevision) {
			return nil, awserr.Errorf("ConcurrentModificationException", "The token vault was modified concurrently. Try again.")
		}
		if err != nil {
			return nil, storeError(err)
		}
		return &rec, nil
	}
}

func (s *Service) GetTokenVault(ctx context.Context, in *api.GetTokenVaultRequest) (*api.GetTokenVaultResponse, error) {
	id, err := tokenVaultName(in.TokenVaultId)
	if err != nil {
		return nil, err
	}
	rec, err := s.tokenVault(ctx, nil)
	if err != nil {
		return nil, err
	}
	kms := rec.KmsConfiguration
	return &api.GetTokenVaultResponse{TokenVaultId: id, KmsConfiguration: &kms, LastModifiedDate: rec.LastModifiedDate}, nil
}

func (s *Service) SetTokenVaultCMK(ctx context.Context, in *api.SetTokenVaultCMKRequest) (*api.SetTokenVaultCMKResponse, error) {
	id, err := tokenVaultName(in.TokenVaultId)
	if err != nil {
		return nil, err
	}
	kms := *in.KmsConfiguration // required by the model, checked by the dispatcher
	switch kms.KeyType {
	case api.KeyTypeCustomerManagedKey:
		if kms.KmsKeyArn == "" {
			return nil, awserr.Validation("1 validation error detected: kmsConfiguration.kmsKeyArn is required when keyType is CustomerManagedKey")
		}
	case api.KeyTypeServiceManagedKey:
		if kms.KmsKeyArn != "" {
			return nil, awserr.Validation("1 validation error detected: kmsConfiguration.kmsKeyArn must not be set when keyType is ServiceManagedKey")
		}
	}
	rec, err := s.tokenVault(ctx, func(rec *tokenVaultRecord) error {
		rec.KmsConfiguration = kms
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := rec.KmsConfiguration
	return &api.SetTokenVaultCMKResponse{TokenVaultId: id, KmsConfiguration: &out, LastModifiedDate: rec.LastModifiedDate}, nil
}
