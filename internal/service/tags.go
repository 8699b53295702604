package service

import (
	"context"
	"errors"
	"strings"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/store"
)

// Tags hang off a resource's real ARN in the store. Every family that takes
// tags at create time calls createTags in its create transaction; the
// three tagging operations find the resource by ARN. Deleting a resource
// deletes its tags (store.Tx.Delete).

// checkTagKeys rejects the reserved "aws:" prefix (AWS-wide rule; the model's
// pattern allows it).
func checkTagKeys(member string, keys []string) error {
	for _, k := range keys {
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			constraint := "Tag keys starting with 'aws:' are reserved for AWS use"
			e := awserr.Validation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", k, member, constraint)
			e.Fields = []awserr.FieldError{{Name: member, Message: constraint}}
			return e
		}
	}
	return nil
}

func mapKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

// createTags stores the tags given to a Create* call.
func (s *Service) createTags(ctx context.Context, tx store.Tx, arn string, tags map[string]string) error {
	if len(tags) == 0 {
		return nil
	}
	if err := checkTagKeys("tags", mapKeys(tags)); err != nil {
		return err
	}
	if len(tags) > s.quotas.TagsPerResource {
		return awserr.QuotaExceeded("A resource can have at most %d tags.", s.quotas.TagsPerResource)
	}
	return tx.SetTags(ctx, arn, tags)
}

// taggedResource finds the resource an ARN names, within the caller's
// account and region only: another account's ARN is simply not found.
func (s *Service) taggedResource(ctx context.Context, tx store.Tx, arn string) (*store.Resource, error) {
	sc := scopeOf(ctx)
	r, err := tx.GetByARN(ctx, arn)
	if errors.Is(err, store.ErrNotFound) || err == nil && (r.Account != sc.account || r.Region != sc.region) {
		return nil, awserr.NotFound("Resource %s was not found.", arn)
	}
	return r, err
}

func (s *Service) TagResource(ctx context.Context, in *api.TagResourceRequest) (*api.TagResourceResponse, error) {
	if err := checkTagKeys("tags", mapKeys(in.Tags)); err != nil {
		return nil, err
	}
	return mutate(ctx, s, func(tx store.Tx) (*api.TagResourceResponse, error) {
		if _, err := s.taggedResource(ctx, tx, in.ResourceArn); err != nil {
			return nil, err
		}
		current, err := tx.Tags(ctx, in.ResourceArn)
		if err != nil {
			return nil, err
		}
		n := len(current)
		for k := range in.Tags {
			if _, ok := current[k]; !ok {
				n++
			}
		}
		if n > s.quotas.TagsPerResource {
			return nil, awserr.QuotaExceeded("A resource can have at most %d tags; this request would make it %d.", s.quotas.TagsPerResource, n)
		}
		return &api.TagResourceResponse{}, tx.SetTags(ctx, in.ResourceArn, in.Tags)
	})
}

func (s *Service) UntagResource(ctx context.Context, in *api.UntagResourceRequest) (*api.UntagResourceResponse, error) {
	if err := checkTagKeys("tagKeys", in.TagKeys); err != nil {
		return nil, err
	}
	return mutate(ctx, s, func(tx store.Tx) (*api.UntagResourceResponse, error) {
		if _, err := s.taggedResource(ctx, tx, in.ResourceArn); err != nil {
			return nil, err
		}
		return &api.UntagResourceResponse{}, tx.RemoveTags(ctx, in.ResourceArn, in.TagKeys)
	})
}

func (s *Service) ListTagsForResource(ctx context.Context, in *api.ListTagsForResourceRequest) (*api.ListTagsForResourceResponse, error) {
	var out api.ListTagsForResourceResponse
	err := s.read(ctx, func(tx store.Tx) error {
		if _, err := s.taggedResource(ctx, tx, in.ResourceArn); err != nil {
			return err
		}
		tags, err := tx.Tags(ctx, in.ResourceArn)
		out.Tags = tags
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
