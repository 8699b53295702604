package service

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"testing"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/store"
)

// credentialService is a service on a fresh store with the quotas q (the
// defaults when zero).
func credentialService(t *testing.T, q Quotas) (*Service, store.Store) {
	s, st := widgetService(t)
	if q != (Quotas{}) {
		s.quotas = q
	}
	return s, st
}

// A full kind answers its quota error even for a name already taken.
func TestCredentialProviderQuotaBeforeName(t *testing.T) {
	q := DefaultQuotas
	q.IdentitiesPerAccount = 1
	s, _ := credentialService(t, q)
	ctx := call("CreateApiKeyCredentialProvider", "")
	in := &api.CreateApiKeyCredentialProviderRequest{Name: "one", ApiKey: "k"}
	if _, err := s.CreateApiKeyCredentialProvider(ctx, in); err != nil {
		t.Fatal(err)
	}
	_, err := s.CreateApiKeyCredentialProvider(ctx, in)
	var ae *awserr.Error
	if !errors.As(err, &ae) || ae.Code != "ResourceLimitExceededException" ||
		ae.Message != "You have reached the maximum of 1 API key credential providers in this account and region." {
		t.Fatalf("second create = %v", err)
	}
}

// The rows keep the layout existing databases have: id and name the
// provider's name, no parent or status, and the document's members.
func TestCredentialProviderStoredLayout(t *testing.T) {
	s, st := credentialService(t, Quotas{})
	if _, err := s.CreateApiKeyCredentialProvider(call("CreateApiKeyCredentialProvider", ""),
		&api.CreateApiKeyCredentialProviderRequest{Name: "key", ApiKey: "k"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateOauth2CredentialProvider(call("CreateOauth2CredentialProvider", ""), &api.CreateOauth2CredentialProviderRequest{
		Name: "gh", CredentialProviderVendor: api.CredentialProviderVendorTypeGithubOauth2,
		Oauth2ProviderConfigInput: &api.Oauth2ProviderConfigInput{GithubOauth2ProviderConfig: &api.GithubOauth2ProviderConfigInput{ClientId: "id", ClientSecret: "s"}},
	}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		kind, name, arnType string
		members             []string
	}{
		{KindAPIKeyCredentialProvider, "key", "apikeycredentialprovider", []string{"arn", "createdTime", "lastUpdatedTime", "name", "secrets"}},
		{KindOAuth2CredentialProvider, "gh", "oauth2credentialprovider", []string{"arn", "callbackUrl", "config", "createdTime", "lastUpdatedTime", "name", "secrets", "vendor"}},
	} {
		var row *store.Resource
		err := st.Read(context.Background(), func(tx store.Tx) (err error) {
			row, err = tx.Get(context.Background(), store.Key{Account: "123456789012", Region: "us-east-1", Kind: c.kind, ID: c.name})
			return err
		})
		if err != nil {
			t.Fatalf("%s %s: %v", c.kind, c.name, err)
		}
		wantARN := "arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/" + c.arnType + "/" + c.name
		if row.Name != c.name || row.ParentID != "" || row.Status != "" || row.ARN != wantARN || row.Summary != nil {
			t.Errorf("%s row = name %q parent %q status %q arn %q summary %s", c.kind, row.Name, row.ParentID, row.Status, row.ARN, row.Summary)
		}
		var doc map[string]json.RawMessage
		if err := json.Unmarshal(row.Doc, &doc); err != nil {
			t.Fatal(err)
		}
		if got := slices.Sorted(maps.Keys(doc)); !slices.Equal(got, c.members) {
			t.Errorf("%s document members = %v, want %v", c.kind, got, c.members)
		}
	}
}
