package service

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/store"
)

// Resource policies. One "resource-policy" row per policy, in the owner's
// account and region, keyed by the ARN of the resource it is attached to
// (ID = that ARN; no ARN column, which belongs to the resource itself).
// Families delete resources through removeResource, which deletes the
// policy with the resource; reads still check that the resource exists.
const kindResourcePolicy = "resource-policy"

// resourcePolicyRecord is the document of a resource-policy row.
type resourcePolicyRecord struct {
	Policy string `json:"policy"`
}

func resourcePolicyNotFound(arn string) error {
	return awserr.NotFound("No resource policy exists for resource %s.", arn)
}

// checkPolicyDocument accepts a JSON object, as the service does; the model
// only bounds the length.
func checkPolicyDocument(doc string) error {
	dec := json.NewDecoder(bytes.NewReader([]byte(doc)))
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return awserr.Validation("1 validation error detected: Value at 'policy' failed to satisfy constraint: Policy must be a valid JSON document")
	}
	if _, ok := v.(map[string]any); !ok {
		return awserr.Validation("1 validation error detected: Value at 'policy' failed to satisfy constraint: Policy must be a JSON object")
	}
	return nil
}

func (s *Service) PutResourcePolicy(ctx context.Context, in *api.PutResourcePolicyRequest) (*api.PutResourcePolicyResponse, error) {
	if err := checkPolicyDocument(in.Policy); err != nil {
		return nil, err
	}
	sc := scopeOf(ctx)
	return mutate(ctx, s, func(tx store.Tx) (*api.PutResourcePolicyResponse, error) {
		if _, err := s.taggedResource(ctx, tx, in.ResourceArn); err != nil {
			return nil, err
		}
		now := s.now().UTC()
		doc := encodeDoc(resourcePolicyRecord{Policy: in.Policy})
		row, err := tx.Get(ctx, sc.key(kindResourcePolicy, in.ResourceArn))
		switch {
		case errors.Is(err, store.ErrNotFound):
			err = tx.Insert(ctx, &store.Resource{Account: sc.account, Region: sc.region, Kind: kindResourcePolicy,
				ID: in.ResourceArn, CreatedAt: now, UpdatedAt: now, Doc: doc})
		case err == nil:
			row.Doc, row.UpdatedAt = doc, now
			err = tx.Update(ctx, row)
		}
		if err != nil {
			return nil, err
		}
		return &api.PutResourcePolicyResponse{Policy: in.Policy}, nil
	})
}

func (s *Service) GetResourcePolicy(ctx context.Context, in *api.GetResourcePolicyRequest) (*api.GetResourcePolicyResponse, error) {
	var out api.GetResourcePolicyResponse
	err := s.read(ctx, func(tx store.Tx) error {
		rec, err := s.resourcePolicy(ctx, tx, in.ResourceArn)
		if err != nil {
			return err
		}
		out.Policy = rec.Policy
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (s *Service) DeleteResourcePolicy(ctx context.Context, in *api.DeleteResourcePolicyRequest) (*api.DeleteResourcePolicyResponse, error) {
	return mutate(ctx, s, func(tx store.Tx) (*api.DeleteResourcePolicyResponse, error) {
		if _, err := s.resourcePolicy(ctx, tx, in.ResourceArn); err != nil {
			return nil, err
		}
		return &api.DeleteResourcePolicyResponse{}, tx.Delete(ctx, scopeOf(ctx).key(kindResourcePolicy, in.ResourceArn))
	})
}

// resourcePolicy reads the policy attached to a resource of the caller's
// account; 404 when the resource or its policy does not exist.
func (s *Service) resourcePolicy(ctx context.Context, tx store.Tx, arn string) (*resourcePolicyRecord, error) {
	if _, err := s.taggedResource(ctx, tx, arn); err != nil {
		return nil, err
	}
	row, err := tx.Get(ctx, scopeOf(ctx).key(kindResourcePolicy, arn))
	if errors.Is(err, store.ErrNotFound) {
		return nil, resourcePolicyNotFound(arn)
	}
	if err != nil {
		return nil, err
	}
	var rec resourcePolicyRecord
	return &rec, decodeDoc(row, &rec)
}

// ResourcePolicyDocument returns the policy attached to arn in the given
// owner account and region, or nil when there is none (or the resource is
// gone). The authorizer calls it to evaluate cross-account requests.
func (s *Service) ResourcePolicyDocument(ctx context.Context, account, region, arn string) ([]byte, error) {
	var doc []byte
	err := s.read(ctx, func(tx store.Tx) error {
		r, err := tx.GetByARN(ctx, arn)
		if errors.Is(err, store.ErrNotFound) || err == nil && (r.Account != account || r.Region != region) {
			return nil
		}
		if err != nil {
			return err
		}
		row, err := tx.Get(ctx, store.Key{Account: account, Region: region, Kind: kindResourcePolicy, ID: arn})
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		var rec resourcePolicyRecord
		if err := decodeDoc(row, &rec); err != nil {
			return err
		}
		doc = []byte(rec.Policy)
		return nil
	})
	return doc, err
}

// removeResource deletes a resource row with everything hanging off its
// ARN: tags and the lifecycle job (the store cascades those) and its
// resource policy. Every family deletes through here.
func (s *Service) removeResource(ctx context.Context, tx store.Tx, row *store.Resource) error {
	if err := tx.Delete(ctx, row.Key()); err != nil {
		return err
	}
	if row.ARN == "" {
		return nil
	}
	err := tx.Delete(ctx, store.Key{Account: row.Account, Region: row.Region, Kind: kindResourcePolicy, ID: row.ARN})
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

// removeChildren removes every row of the given kinds under a parent row,
// each through removeResource.
func (s *Service) removeChildren(ctx context.Context, tx store.Tx, row *store.Resource, kinds ...string) error {
	for _, kind := range kinds {
		children, err := tx.List(ctx, store.ListQuery{Account: row.Account, Region: row.Region, Kind: kind, ParentID: row.ID})
		if err != nil {
			return err
		}
		for _, c := range children {
			if err := s.removeResource(ctx, tx, c); err != nil {
				return err
			}
		}
	}
	return nil
}
