package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	acc "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"

	"agentcored/internal/testserver"
)

// The overlay operations (models/overlay, aws-sdk-go-v2 v1.81.0) through
// the real Go SDK: happy path, a validation error naming the field,
// not-found, and clientToken replays where the operation has a token.

func TestOverlayConsentPortals(t *testing.T) {
	ctx := context.Background()
	c := testserver.Start(t).Client(t)
	prov, err := c.CreateOauth2CredentialProvider(ctx, &acc.CreateOauth2CredentialProviderInput{Name: aws.String("idp"),
		CredentialProviderVendor: types.CredentialProviderVendorTypeGoogleOauth2,
		Oauth2ProviderConfigInput: &types.Oauth2ProviderConfigInputMemberGoogleOauth2ProviderConfig{
			Value: types.GoogleOauth2ProviderConfigInput{ClientId: aws.String("client"), ClientSecret: aws.String("secret")}}})
	if err != nil {
		t.Fatal(err)
	}
	gw, err := c.CreateGateway(ctx, &acc.CreateGatewayInput{Name: aws.String("gw-portal"), RoleArn: aws.String(opsRoleARN),
		ProtocolType: types.GatewayProtocolTypeMcp, AuthorizerType: types.AuthorizerTypeAwsIam})
	if err != nil {
		t.Fatal(err)
	}
	in := func(name string) *acc.CreateConsentPortalInput {
		return &acc.CreateConsentPortalInput{Name: aws.String(name), ExecutionRoleArn: aws.String(opsRoleARN),
			IdpConfig: &types.ConsentPortalIdpConfig{CredentialProviderArn: prov.CredentialProviderArn, Scopes: []string{"openid"}},
			Sources:   []types.ConsentPortalSource{{Type: types.ConsentPortalSourceTypeAgentcoreGateway, Identifier: gw.GatewayArn}}}
	}
	created, err := c.CreateConsentPortal(ctx, in("portal_one"))
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(created.ConsentPortalId)
	if created.Status != types.ConsentPortalStatusCreating || !strings.HasSuffix(aws.ToString(created.ConsentPortalArn), ":consent-portal/"+id) {
		t.Errorf("created %s %s %s", id, created.Status, aws.ToString(created.ConsentPortalArn))
	}
	status := func() (types.ConsentPortalStatus, error) {
		out, err := c.GetConsentPortal(ctx, &acc.GetConsentPortalInput{ConsentPortalIdentifier: aws.String(id)})
		if err != nil {
			return "", err
		}
		return out.Status, nil
	}
	eventuallyStatus(t, "portal ACTIVE", status, types.ConsentPortalStatusActive, types.ConsentPortalStatusCreating)
	got, err := c.GetConsentPortal(ctx, &acc.GetConsentPortalInput{ConsentPortalIdentifier: aws.String(id)})
	if err != nil || aws.ToString(got.PortalUrl) == "" || aws.ToString(got.Name) != "portal_one" {
		t.Fatalf("get: %+v %v", got, err)
	}

	_, err = c.CreateConsentPortal(ctx, in("portal_one"))
	wantCode(t, "same name", err, "ConflictException")

	up, err := c.UpdateConsentPortal(ctx, &acc.UpdateConsentPortalInput{ConsentPortalIdentifier: aws.String(id), Description: aws.String("now described")})
	if err != nil || up.Status != types.ConsentPortalStatusUpdating || aws.ToString(up.Description) != "now described" {
		t.Fatalf("update: %+v %v", up, err)
	}
	eventuallyStatus(t, "portal ACTIVE again", status, types.ConsentPortalStatusActive, types.ConsentPortalStatusUpdating)

	list, err := c.ListConsentPortals(ctx, &acc.ListConsentPortalsInput{})
	if err != nil || len(list.ConsentPortals) != 1 || aws.ToString(list.ConsentPortals[0].ConsentPortalId) != id {
		t.Fatalf("list: %+v %v", list, err)
	}

	for _, tc := range []struct {
		name, code, field string
		call              func() error
	}{
		{"name pattern", "ValidationException", "name", func() error { _, err := c.CreateConsentPortal(ctx, in("bad name!")); return err }},
		{"two sources", "ValidationException", "sources", func() error {
			i := in("portal_two")
			i.Sources = append(i.Sources, i.Sources[0])
			_, err := c.CreateConsentPortal(ctx, i)
			return err
		}},
		{"provider of another kind", "ValidationException", "idpConfig.credentialProviderArn", func() error {
			i := in("portal_three")
			i.IdpConfig.CredentialProviderArn = aws.String("arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/apikeycredentialprovider/x")
			_, err := c.CreateConsentPortal(ctx, i)
			return err
		}},
		{"missing gateway", "ResourceNotFoundException", "", func() error {
			i := in("portal_four")
			i.Sources[0].Identifier = aws.String(opsGatewayID)
			_, err := c.CreateConsentPortal(ctx, i)
			return err
		}},
		{"get missing", "ResourceNotFoundException", "", func() error {
			_, err := c.GetConsentPortal(ctx, &acc.GetConsentPortalInput{ConsentPortalIdentifier: aws.String("nope-abcdefghij")})
			return err
		}},
		{"update missing", "ResourceNotFoundException", "", func() error {
			_, err := c.UpdateConsentPortal(ctx, &acc.UpdateConsentPortalInput{ConsentPortalIdentifier: aws.String("nope-abcdefghij")})
			return err
		}},
		{"delete missing", "ResourceNotFoundException", "", func() error {
			_, err := c.DeleteConsentPortal(ctx, &acc.DeleteConsentPortalInput{ConsentPortalIdentifier: aws.String("nope-abcdefghij")})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			wantCode(t, tc.name, err, tc.code)
			if tc.field != "" && (err == nil || !strings.Contains(err.Error(), tc.field)) {
				t.Errorf("error does not name %s: %v", tc.field, err)
			}
		})
	}

	if _, err := c.DeleteConsentPortal(ctx, &acc.DeleteConsentPortalInput{ConsentPortalIdentifier: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	eventuallyGone(t, "portal deleted", status, types.ConsentPortalStatusDeleting)
}

func TestOverlayAgentInsightStore(t *testing.T) {
	ctx := context.Background()
	c := testserver.Start(t).Client(t)
	list, err := c.ListAgentInsightStores(ctx, &acc.ListAgentInsightStoresInput{})
	if err != nil || len(list.AgentInsightStores) != 1 {
		t.Fatalf("list: %+v %v", list, err)
	}
	first := list.AgentInsightStores[0]
	if aws.ToString(first.AgentInsightStoreId) != "default" || first.EnablementStatus != types.AgentInsightStoreEnablementStatusDisabled ||
		first.Status != types.AgentInsightStoreStatusInactive || first.EncryptionConfiguration.Mode != types.AgentInsightStoreEncryptionModeAwsOwnedKmsKey {
		t.Errorf("default store %+v", first)
	}
	got, err := c.GetAgentInsightStore(ctx, &acc.GetAgentInsightStoreInput{AgentInsightStoreId: aws.String("default")})
	if err != nil || !got.CreatedAt.Equal(*first.CreatedAt) {
		t.Fatalf("get: %+v %v", got, err)
	}

	token := clientToken("insight-enable")
	enable := &acc.UpdateAgentInsightStoreInput{AgentInsightStoreId: aws.String("default"), ClientToken: aws.String(token),
		EnablementStatus: types.AgentInsightStoreEnablementStatusEnabled}
	up, err := c.UpdateAgentInsightStore(ctx, enable)
	if err != nil || up.Status != types.AgentInsightStoreStatusActive || up.EnablementStatus != types.AgentInsightStoreEnablementStatusEnabled {
		t.Fatalf("enable: %+v %v", up, err)
	}
	again, err := c.UpdateAgentInsightStore(ctx, enable)
	if err != nil || !again.UpdatedAt.Equal(*up.UpdatedAt) {
		t.Errorf("replay: %+v %v", again, err)
	}
	enable.EnablementStatus = types.AgentInsightStoreEnablementStatusDisabled
	_, err = c.UpdateAgentInsightStore(ctx, enable)
	wantCode(t, "token reused with other parameters", err, "ValidationException")

	_, err = c.UpdateAgentInsightStore(ctx, &acc.UpdateAgentInsightStoreInput{AgentInsightStoreId: aws.String("default"),
		EncryptionConfiguration: &types.AgentInsightStoreEncryptionConfiguration{Mode: types.AgentInsightStoreEncryptionModeCustomerManagedKms}})
	wantCode(t, "cmk without key", err, "ValidationException")
	if err == nil || !strings.Contains(err.Error(), "encryptionConfiguration.kmsKeyArn") {
		t.Errorf("error does not name the field: %v", err)
	}
	_, err = c.UpdateAgentInsightStore(ctx, &acc.UpdateAgentInsightStoreInput{AgentInsightStoreId: aws.String("Not_Valid")})
	wantCode(t, "id pattern", err, "ValidationException")
	_, err = c.GetAgentInsightStore(ctx, &acc.GetAgentInsightStoreInput{AgentInsightStoreId: aws.String("other")})
	wantCode(t, "other store", err, "ResourceNotFoundException")
	_, err = c.UpdateAgentInsightStore(ctx, &acc.UpdateAgentInsightStoreInput{AgentInsightStoreId: aws.String("other"), EnablementStatus: types.AgentInsightStoreEnablementStatusEnabled})
	wantCode(t, "update other store", err, "ResourceNotFoundException")
}

func TestOverlayResetTokenVaultKeyMaterial(t *testing.T) {
	ctx := context.Background()
	c := testserver.Start(t).Client(t)
	_, err := c.ResetTokenVaultKeyMaterial(ctx, &acc.ResetTokenVaultKeyMaterialInput{TokenVaultId: aws.String("default")})
	wantCode(t, "service-managed key", err, "ValidationException")
	_, err = c.ResetTokenVaultKeyMaterial(ctx, &acc.ResetTokenVaultKeyMaterialInput{TokenVaultId: aws.String("bad id!")})
	wantCode(t, "id pattern", err, "ValidationException")
	if err == nil || !strings.Contains(err.Error(), "tokenVaultId") {
		t.Errorf("error does not name tokenVaultId: %v", err)
	}
	_, err = c.ResetTokenVaultKeyMaterial(ctx, &acc.ResetTokenVaultKeyMaterialInput{TokenVaultId: aws.String("other")})
	wantCode(t, "other vault", err, "ResourceNotFoundException")

	key := "arn:aws:kms:us-east-1:123456789012:key/01234567-0123-0123-0123-0123456789ab"
	if _, err := c.SetTokenVaultCMK(ctx, &acc.SetTokenVaultCMKInput{KmsConfiguration: &types.KmsConfiguration{
		KeyType: types.KeyTypeCustomerManagedKey, KmsKeyArn: aws.String(key)}}); err != nil {
		t.Fatal(err)
	}
	out, err := c.ResetTokenVaultKeyMaterial(ctx, &acc.ResetTokenVaultKeyMaterialInput{TokenVaultId: aws.String("default")})
	if err != nil || out.KmsConfiguration.KeyType != types.KeyTypeServiceManagedKey || out.KmsConfiguration.KmsKeyArn != nil {
		t.Fatalf("reset: %+v %v", out, err)
	}
	vault, err := c.GetTokenVault(ctx, &acc.GetTokenVaultInput{})
	if err != nil || vault.KmsConfiguration.KeyType != types.KeyTypeServiceManagedKey {
		t.Errorf("vault after reset: %+v %v", vault, err)
	}
}

func TestOverlayRotatePaymentConnectorCredentials(t *testing.T) {
	ctx := context.Background()
	c := testserver.Start(t).Client(t)
	provider := payProvider(t, c, "cdp", types.PaymentCredentialProviderVendorTypeCoinbaseCDP)
	manager := payManager(t, c, "rotmgr")
	connector := payConnector(t, c, manager, "wallet", provider)
	status := func() (types.PaymentConnectorStatus, error) {
		out, err := c.GetPaymentConnector(ctx, &acc.GetPaymentConnectorInput{PaymentManagerId: aws.String(manager), PaymentConnectorId: aws.String(connector)})
		if err != nil {
			return "", err
		}
		return out.Status, nil
	}
	rot := func(token string, secrets ...types.CoinbaseCdpSecret) *acc.RotatePaymentConnectorCredentialsInput {
		return &acc.RotatePaymentConnectorCredentialsInput{PaymentManagerId: aws.String(manager), PaymentConnectorId: aws.String(connector),
			ClientToken:         aws.String(token),
			CredentialsToRotate: &types.CredentialRotationConfigMemberCoinbaseCDP{Value: types.CoinbaseCdpRotationTargets{Secrets: secrets}}}
	}
	eventuallyStatus(t, "connector READY", status, types.PaymentConnectorStatusReady, types.PaymentConnectorStatusCreating)

	token := clientToken("rot-1")
	out, err := c.RotatePaymentConnectorCredentials(ctx, rot(token, types.CoinbaseCdpSecretApiKey, types.CoinbaseCdpSecretWalletSecret))
	if err != nil {
		t.Fatal(err)
	}
	if err != nil || out.Status != types.PaymentConnectorStatusReady || aws.ToString(out.PaymentConnectorId) != connector {
		t.Fatalf("rotate: %+v %v", out, err)
	}
	again, err := c.RotatePaymentConnectorCredentials(ctx, rot(token, types.CoinbaseCdpSecretApiKey, types.CoinbaseCdpSecretWalletSecret))
	if err != nil || !again.LastUpdatedAt.Equal(*out.LastUpdatedAt) {
		t.Errorf("replay: %+v %v", again, err)
	}
	_, err = c.RotatePaymentConnectorCredentials(ctx, rot(token, types.CoinbaseCdpSecretApiKey))
	wantCode(t, "token reused with other parameters", err, "ValidationException")

	_, err = c.RotatePaymentConnectorCredentials(ctx, rot(clientToken("rot-2"), "NOT_A_SECRET"))
	wantCode(t, "secret enum", err, "ValidationException")
	if err == nil || !strings.Contains(err.Error(), "credentialsToRotate") {
		t.Errorf("error does not name credentialsToRotate: %v", err)
	}
	missing := rot(clientToken("rot-3"), types.CoinbaseCdpSecretApiKey)
	missing.PaymentConnectorId = aws.String(opsConnectorID)
	_, err = c.RotatePaymentConnectorCredentials(ctx, missing)
	wantCode(t, "missing connector", err, "ResourceNotFoundException")
}
