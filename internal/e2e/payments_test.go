package e2e

import (
	"context"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	acc "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"

	"agentcored/internal/server"
	"agentcored/internal/testserver"
)

// Payment tests use the "pay" prefix and the rg helpers of registries_test.go.

const payRole = "arn:aws:iam::123456789012:role/PaymentsRole"

var payIDRe = regexp.MustCompile(`^([0-9a-z][-]?){1,100}-[0-9a-z]{10}$`)

// payProvider creates a payment credential provider of a vendor and returns
// its ARN.
func payProvider(t *testing.T, c *acc.Client, name string, vendor types.PaymentCredentialProviderVendorType) string {
	t.Helper()
	in := &acc.CreatePaymentCredentialProviderInput{Name: aws.String(name), CredentialProviderVendor: vendor}
	if vendor == types.PaymentCredentialProviderVendorTypeCoinbaseCDP {
		in.ProviderConfigurationInput = &types.PaymentProviderConfigurationInputMemberCoinbaseCdpConfiguration{
			Value: types.CoinbaseCdpConfigurationInput{ApiKeyId: aws.String("key-id"), ApiKeySecret: aws.String("c2VjcmV0"), WalletSecret: aws.String("d2FsbGV0")}}
	} else {
		in.ProviderConfigurationInput = &types.PaymentProviderConfigurationInputMemberStripePrivyConfiguration{
			Value: types.StripePrivyConfigurationInput{AppId: aws.String("app"), AppSecret: aws.String("c2VjcmV0"),
				AuthorizationPrivateKey: aws.String("a2V5"), AuthorizationId: aws.String("auth-id")}}
	}
	out, err := c.CreatePaymentCredentialProvider(context.Background(), in)
	if err != nil {
		t.Fatalf("CreatePaymentCredentialProvider %s: %v", name, err)
	}
	return aws.ToString(out.CredentialProviderArn)
}

func payCoinbase(arn string) []types.CredentialsProviderConfiguration {
	return []types.CredentialsProviderConfiguration{&types.CredentialsProviderConfigurationMemberCoinbaseCDP{
		Value: types.PaymentCredentialProviderConfiguration{CredentialProviderArn: aws.String(arn)}}}
}

func payStripe(arn string) []types.CredentialsProviderConfiguration {
	return []types.CredentialsProviderConfiguration{&types.CredentialsProviderConfigurationMemberStripePrivy{
		Value: types.PaymentCredentialProviderConfiguration{CredentialProviderArn: aws.String(arn)}}}
}

// payManager creates an IAM payment manager and returns its id.
func payManager(t *testing.T, c *acc.Client, name string) string {
	t.Helper()
	out, err := c.CreatePaymentManager(context.Background(), &acc.CreatePaymentManagerInput{
		Name: aws.String(name), AuthorizerType: types.PaymentsAuthorizerTypeAwsIam, RoleArn: aws.String(payRole),
	})
	if err != nil {
		t.Fatalf("CreatePaymentManager %s: %v", name, err)
	}
	return aws.ToString(out.PaymentManagerId)
}

// payConnector creates a Coinbase connector and returns its id.
func payConnector(t *testing.T, c *acc.Client, manager, name, provider string) string {
	t.Helper()
	out, err := c.CreatePaymentConnector(context.Background(), &acc.CreatePaymentConnectorInput{
		PaymentManagerId: aws.String(manager), Name: aws.String(name), Type: types.PaymentConnectorTypeCoinbaseCdp,
		CredentialProviderConfigurations: payCoinbase(provider),
	})
	if err != nil {
		t.Fatalf("CreatePaymentConnector %s: %v", name, err)
	}
	return aws.ToString(out.PaymentConnectorId)
}

func TestPaymentManagerAndConnectorLifecycle(t *testing.T) {
	srv := rgManualServer(t)
	c := srv.Client(t)
	ctx := context.Background()
	coinbase := payProvider(t, c, "cdp", types.PaymentCredentialProviderVendorTypeCoinbaseCDP)
	stripe := payProvider(t, c, "privy", types.PaymentCredentialProviderVendorTypeStripePrivy)

	created, err := c.CreatePaymentManager(ctx, &acc.CreatePaymentManagerInput{
		Name: aws.String("Checkout"), Description: aws.String("Checkout payments"),
		AuthorizerType: types.PaymentsAuthorizerTypeCustomJwt, AuthorizerConfiguration: rgJWT(), RoleArn: aws.String(payRole),
		Tags: map[string]string{"team": "pay"},
	})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(created.PaymentManagerId)
	arn := rgArnPrefix + "payment-manager/" + id
	if code := httpStatus(t, created.ResultMetadata); code != http.StatusAccepted || created.Status != types.PaymentManagerStatusCreating {
		t.Errorf("CreatePaymentManager = %d %s", code, created.Status)
	}
	if !payIDRe.MatchString(id) || !strings.HasPrefix(id, "checkout-") || aws.ToString(created.PaymentManagerArn) != arn {
		t.Errorf("id %q / ARN %q", id, aws.ToString(created.PaymentManagerArn))
	}
	wiARN := rgArnPrefix + "workload-identity-directory/default/workload-identity/" + id
	if created.WorkloadIdentityDetails == nil || aws.ToString(created.WorkloadIdentityDetails.WorkloadIdentityArn) != wiARN ||
		!reflect.DeepEqual(created.Tags, map[string]string{"team": "pay"}) || aws.ToString(created.Name) != "Checkout" ||
		aws.ToString(created.RoleArn) != payRole || created.AuthorizerType != types.PaymentsAuthorizerTypeCustomJwt || created.CreatedAt == nil ||
		!reflect.DeepEqual(created.AuthorizerConfiguration, types.AuthorizerConfiguration(rgJWT())) {
		t.Errorf("create answer = %+v", created)
	}
	advanceOne(t, srv.URL, "payment-manager", id)

	got, err := c.GetPaymentManager(ctx, &acc.GetPaymentManagerInput{PaymentManagerId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != types.PaymentManagerStatusReady || aws.ToString(got.Description) != "Checkout payments" ||
		aws.ToString(got.PaymentManagerArn) != arn || !reflect.DeepEqual(got.Tags, map[string]string{"team": "pay"}) ||
		!reflect.DeepEqual(got.AuthorizerConfiguration, types.AuthorizerConfiguration(rgJWT())) || got.LastUpdatedAt == nil ||
		got.WorkloadIdentityDetails == nil || aws.ToString(got.WorkloadIdentityDetails.WorkloadIdentityArn) != wiARN {
		t.Errorf("GetPaymentManager = %+v", got)
	}
	if _, err := c.GetWorkloadIdentity(ctx, &acc.GetWorkloadIdentityInput{Name: aws.String(id)}); err != nil {
		t.Errorf("linked identity: %v", err)
	}
	if _, err := c.TagResource(ctx, &acc.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"env": "test"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListTagsForResource(ctx, &acc.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil || !reflect.DeepEqual(tags.Tags, map[string]string{"team": "pay", "env": "test"}) {
		t.Errorf("tags = %v %v", tags, err)
	}
	list, err := c.ListPaymentManagers(ctx, &acc.ListPaymentManagersInput{})
	if err != nil || len(list.PaymentManagers) != 1 || aws.ToString(list.PaymentManagers[0].PaymentManagerId) != id ||
		list.PaymentManagers[0].Status != types.PaymentManagerStatusReady || aws.ToString(list.PaymentManagers[0].Description) != "Checkout payments" {
		t.Errorf("ListPaymentManagers = %+v %v", list, err)
	}

	// PATCH: switching to AWS_IAM drops the JWT configuration.
	upd, err := c.UpdatePaymentManager(ctx, &acc.UpdatePaymentManagerInput{PaymentManagerId: aws.String(id),
		AuthorizerType: types.PaymentsAuthorizerTypeAwsIam, Description: aws.String("Renamed")})
	if err != nil {
		t.Fatal(err)
	}
	if code := httpStatus(t, upd.ResultMetadata); code != http.StatusAccepted || upd.Status != types.PaymentManagerStatusUpdating ||
		upd.AuthorizerType != types.PaymentsAuthorizerTypeAwsIam || aws.ToString(upd.RoleArn) != payRole {
		t.Errorf("UpdatePaymentManager = %d %+v", code, upd)
	}
	_, err = c.UpdatePaymentManager(ctx, &acc.UpdatePaymentManagerInput{PaymentManagerId: aws.String(id), Description: aws.String("again")})
	wantCode(t, "update while UPDATING", err, "ConflictException")
	advanceOne(t, srv.URL, "payment-manager", id)
	got, err = c.GetPaymentManager(ctx, &acc.GetPaymentManagerInput{PaymentManagerId: aws.String(id)})
	if err != nil || got.Status != types.PaymentManagerStatusReady || got.AuthorizerConfiguration != nil || aws.ToString(got.Description) != "Renamed" {
		t.Errorf("after update = %+v %v", got, err)
	}

	// A connector.
	conn, err := c.CreatePaymentConnector(ctx, &acc.CreatePaymentConnectorInput{
		PaymentManagerId: aws.String(id), Name: aws.String("Main_wallet"), Description: aws.String("main wallet"),
		Type: types.PaymentConnectorTypeCoinbaseCdp, CredentialProviderConfigurations: payCoinbase(coinbase),
	})
	if err != nil {
		t.Fatal(err)
	}
	cid := aws.ToString(conn.PaymentConnectorId)
	if code := httpStatus(t, conn.ResultMetadata); code != http.StatusAccepted || conn.Status != types.PaymentConnectorStatusCreating ||
		!payIDRe.MatchString(cid) || !strings.HasPrefix(cid, "main-wallet-") || aws.ToString(conn.PaymentManagerId) != id ||
		aws.ToString(conn.Name) != "Main_wallet" || conn.CreatedAt == nil || !reflect.DeepEqual(conn.CredentialProviderConfigurations, payCoinbase(coinbase)) {
		t.Errorf("CreatePaymentConnector = %d %+v", code, conn)
	}
	advanceOne(t, srv.URL, "payment-connector", id+"/"+cid)
	gc, err := c.GetPaymentConnector(ctx, &acc.GetPaymentConnectorInput{PaymentManagerId: aws.String(id), PaymentConnectorId: aws.String(cid)})
	if err != nil || gc.Status != types.PaymentConnectorStatusReady || aws.ToString(gc.Description) != "main wallet" ||
		gc.Type != types.PaymentConnectorTypeCoinbaseCdp || gc.CreatedAt == nil || gc.LastUpdatedAt == nil ||
		!reflect.DeepEqual(gc.CredentialProviderConfigurations, payCoinbase(coinbase)) {
		t.Errorf("GetPaymentConnector = %+v %v", gc, err)
	}
	lc, err := c.ListPaymentConnectors(ctx, &acc.ListPaymentConnectorsInput{PaymentManagerId: aws.String(id)})
	if err != nil || len(lc.PaymentConnectors) != 1 || aws.ToString(lc.PaymentConnectors[0].PaymentConnectorId) != cid ||
		lc.PaymentConnectors[0].Status != types.PaymentConnectorStatusReady || lc.PaymentConnectors[0].LastUpdatedAt == nil {
		t.Errorf("ListPaymentConnectors = %+v %v", lc, err)
	}

	// Switch the connector to Stripe: type and configuration together.
	_, err = c.UpdatePaymentConnector(ctx, &acc.UpdatePaymentConnectorInput{PaymentManagerId: aws.String(id), PaymentConnectorId: aws.String(cid),
		Type: types.PaymentConnectorTypeStripePrivy})
	wantCode(t, "type without matching configuration", err, "ValidationException")
	uc, err := c.UpdatePaymentConnector(ctx, &acc.UpdatePaymentConnectorInput{PaymentManagerId: aws.String(id), PaymentConnectorId: aws.String(cid),
		Type: types.PaymentConnectorTypeStripePrivy, CredentialProviderConfigurations: payStripe(stripe)})
	if err != nil {
		t.Fatal(err)
	}
	if code := httpStatus(t, uc.ResultMetadata); code != http.StatusAccepted || uc.Status != types.PaymentConnectorStatusUpdating ||
		uc.Type != types.PaymentConnectorTypeStripePrivy || aws.ToString(uc.PaymentManagerId) != id {
		t.Errorf("UpdatePaymentConnector = %d %+v", code, uc)
	}
	advanceOne(t, srv.URL, "payment-connector", id+"/"+cid)

	// The manager cannot go before its connectors.
	_, err = c.DeletePaymentManager(ctx, &acc.DeletePaymentManagerInput{PaymentManagerId: aws.String(id)})
	wantCode(t, "delete a manager with a connector", err, "ConflictException")
	dc, err := c.DeletePaymentConnector(ctx, &acc.DeletePaymentConnectorInput{PaymentManagerId: aws.String(id), PaymentConnectorId: aws.String(cid)})
	if err != nil {
		t.Fatal(err)
	}
	if code := httpStatus(t, dc.ResultMetadata); code != http.StatusAccepted || dc.Status != types.PaymentConnectorStatusDeleting || aws.ToString(dc.PaymentConnectorId) != cid {
		t.Errorf("DeletePaymentConnector = %d %+v", code, dc)
	}
	_, err = c.DeletePaymentManager(ctx, &acc.DeletePaymentManagerInput{PaymentManagerId: aws.String(id)})
	wantCode(t, "delete a manager whose connector is DELETING", err, "ConflictException")
	advanceOne(t, srv.URL, "payment-connector", id+"/"+cid)
	_, err = c.GetPaymentConnector(ctx, &acc.GetPaymentConnectorInput{PaymentManagerId: aws.String(id), PaymentConnectorId: aws.String(cid)})
	wantCode(t, "connector after delete", err, "ResourceNotFoundException")

	dm, err := c.DeletePaymentManager(ctx, &acc.DeletePaymentManagerInput{PaymentManagerId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if code := httpStatus(t, dm.ResultMetadata); code != http.StatusAccepted || dm.Status != types.PaymentManagerStatusDeleting || aws.ToString(dm.PaymentManagerId) != id {
		t.Errorf("DeletePaymentManager = %d %+v", code, dm)
	}
	_, err = c.CreatePaymentConnector(ctx, &acc.CreatePaymentConnectorInput{PaymentManagerId: aws.String(id), Name: aws.String("late"),
		Type: types.PaymentConnectorTypeCoinbaseCdp, CredentialProviderConfigurations: payCoinbase(coinbase)})
	wantCode(t, "connector for a DELETING manager", err, "ConflictException")
	advanceOne(t, srv.URL, "payment-manager", id)
	_, err = c.GetPaymentManager(ctx, &acc.GetPaymentManagerInput{PaymentManagerId: aws.String(id)})
	wantCode(t, "manager after delete", err, "ResourceNotFoundException")
	_, err = c.GetWorkloadIdentity(ctx, &acc.GetWorkloadIdentityInput{Name: aws.String(id)})
	wantCode(t, "identity after delete", err, "ResourceNotFoundException")
	_, err = c.ListTagsForResource(ctx, &acc.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	wantCode(t, "tags after delete", err, "ResourceNotFoundException")
	lc, err = c.ListPaymentConnectors(ctx, &acc.ListPaymentConnectorsInput{PaymentManagerId: aws.String(id)})
	if err != nil || len(lc.PaymentConnectors) != 0 {
		t.Errorf("connectors of a deleted manager: %+v %v", lc, err)
	}
}

func TestPaymentIdempotency(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	provider := payProvider(t, c, "cdp", types.PaymentCredentialProviderVendorTypeCoinbaseCDP)
	mgrIn := func(desc string) *acc.CreatePaymentManagerInput {
		return &acc.CreatePaymentManagerInput{Name: aws.String("Retry"), Description: aws.String(desc), AuthorizerType: types.PaymentsAuthorizerTypeAwsIam,
			RoleArn: aws.String(payRole), ClientToken: aws.String(clientToken("manager-token"))}
	}
	first, err := c.CreatePaymentManager(ctx, mgrIn("one"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.CreatePaymentManager(ctx, mgrIn("one"))
	if err != nil || aws.ToString(again.PaymentManagerId) != aws.ToString(first.PaymentManagerId) || httpStatus(t, again.ResultMetadata) != http.StatusAccepted {
		t.Errorf("manager replay: %+v %v", again, err)
	}
	_, err = c.CreatePaymentManager(ctx, mgrIn("two"))
	if reason, _ := validationReason(err); reason != types.ValidationExceptionReasonIdempotentParameterMismatchException {
		t.Errorf("manager token reuse: %v", err)
	}

	connIn := func(name string) *acc.CreatePaymentConnectorInput {
		return &acc.CreatePaymentConnectorInput{PaymentManagerId: first.PaymentManagerId, Name: aws.String(name),
			Type: types.PaymentConnectorTypeCoinbaseCdp, CredentialProviderConfigurations: payCoinbase(provider),
			ClientToken: aws.String(clientToken("connector-token"))}
	}
	c1, err := c.CreatePaymentConnector(ctx, connIn("wallet"))
	if err != nil {
		t.Fatal(err)
	}
	c2, err := c.CreatePaymentConnector(ctx, connIn("wallet"))
	if err != nil || aws.ToString(c2.PaymentConnectorId) != aws.ToString(c1.PaymentConnectorId) {
		t.Errorf("connector replay: %+v %v", c2, err)
	}
	lc, err := c.ListPaymentConnectors(ctx, &acc.ListPaymentConnectorsInput{PaymentManagerId: first.PaymentManagerId})
	if err != nil || len(lc.PaymentConnectors) != 1 {
		t.Errorf("connectors after a replay: %+v %v", lc, err)
	}
	// Delete with a token replays after the connector is gone.
	delIn := &acc.DeletePaymentConnectorInput{PaymentManagerId: first.PaymentManagerId, PaymentConnectorId: c1.PaymentConnectorId,
		ClientToken: aws.String(clientToken("connector-delete"))}
	if _, err := c.DeletePaymentConnector(ctx, delIn); err != nil {
		t.Fatal(err)
	}
	if out, err := c.DeletePaymentConnector(ctx, delIn); err != nil || out.Status != types.PaymentConnectorStatusDeleting {
		t.Errorf("replayed delete: %+v %v", out, err)
	}
}

func TestPaymentConflictValidationQuota(t *testing.T) {
	srv := testserver.Start(t, func(c *server.Config) {
		c.Quotas.PaymentManagersPerAccount = 2
		c.Quotas.ConnectorsPerPaymentManager = 1
	})
	c := srv.Client(t)
	ctx := context.Background()
	coinbase := payProvider(t, c, "cdp", types.PaymentCredentialProviderVendorTypeCoinbaseCDP)
	stripe := payProvider(t, c, "privy", types.PaymentCredentialProviderVendorTypeStripePrivy)
	mgr := payManager(t, c, "Dup")
	_, err := c.CreatePaymentManager(ctx, &acc.CreatePaymentManagerInput{Name: aws.String("Dup"), AuthorizerType: types.PaymentsAuthorizerTypeAwsIam, RoleArn: aws.String(payRole)})
	wantCode(t, "duplicate manager name", err, "ConflictException")
	_, err = c.CreatePaymentManager(ctx, &acc.CreatePaymentManagerInput{Name: aws.String("Jwt"), AuthorizerType: types.PaymentsAuthorizerTypeCustomJwt, RoleArn: aws.String(payRole)})
	wantCode(t, "CUSTOM_JWT without configuration", err, "ValidationException")
	_, err = c.CreatePaymentManager(ctx, &acc.CreatePaymentManagerInput{Name: aws.String("Iam"), AuthorizerType: types.PaymentsAuthorizerTypeAwsIam,
		AuthorizerConfiguration: rgJWT(), RoleArn: aws.String(payRole)})
	wantCode(t, "AWS_IAM with configuration", err, "ValidationException")
	_, err = c.CreatePaymentManager(ctx, &acc.CreatePaymentManagerInput{Name: aws.String("Tagged"), AuthorizerType: types.PaymentsAuthorizerTypeAwsIam,
		RoleArn: aws.String(payRole), Tags: map[string]string{"aws:reserved": "x"}})
	wantCode(t, "aws: tag key", err, "ValidationException")
	_, err = c.UpdatePaymentManager(ctx, &acc.UpdatePaymentManagerInput{PaymentManagerId: aws.String(mgr), AuthorizerType: types.PaymentsAuthorizerTypeCustomJwt})
	wantCode(t, "switch to CUSTOM_JWT without configuration", err, "ValidationException")

	for name, in := range map[string]*acc.CreatePaymentConnectorInput{
		"member of another type":     {Type: types.PaymentConnectorTypeStripePrivy, CredentialProviderConfigurations: payCoinbase(coinbase)},
		"provider of another vendor": {Type: types.PaymentConnectorTypeStripePrivy, CredentialProviderConfigurations: payStripe(coinbase)},
		"missing provider": {Type: types.PaymentConnectorTypeCoinbaseCdp, CredentialProviderConfigurations: payCoinbase(
			rgArnPrefix + "token-vault/default/paymentcredentialprovider/nothing-here")},
		"provider of another account": {Type: types.PaymentConnectorTypeCoinbaseCdp, CredentialProviderConfigurations: payCoinbase(
			strings.Replace(coinbase, "123456789012", "210987654321", 1))},
	} {
		in.PaymentManagerId, in.Name = aws.String(mgr), aws.String("bad")
		_, err := c.CreatePaymentConnector(ctx, in)
		wantCode(t, name, err, "ValidationException")
	}
	// The stale "acps" service name in a provider ARN names the same provider.
	_, err = c.CreatePaymentConnector(ctx, &acc.CreatePaymentConnectorInput{PaymentManagerId: aws.String(mgr), Name: aws.String("stripe"),
		Type: types.PaymentConnectorTypeStripePrivy, CredentialProviderConfigurations: payStripe(strings.Replace(stripe, ":bedrock-agentcore:", ":acps:", 1))})
	if err != nil {
		t.Fatalf("connector with an acps provider ARN: %v", err)
	}
	_, err = c.CreatePaymentConnector(ctx, &acc.CreatePaymentConnectorInput{PaymentManagerId: aws.String(mgr), Name: aws.String("stripe"),
		Type: types.PaymentConnectorTypeCoinbaseCdp, CredentialProviderConfigurations: payCoinbase(coinbase)})
	wantCode(t, "duplicate connector name", err, "ConflictException")
	_, err = c.CreatePaymentConnector(ctx, &acc.CreatePaymentConnectorInput{PaymentManagerId: aws.String(mgr), Name: aws.String("second"),
		Type: types.PaymentConnectorTypeCoinbaseCdp, CredentialProviderConfigurations: payCoinbase(coinbase)})
	wantCode(t, "connectors over quota", err, "ServiceQuotaExceededException")
	_, err = c.CreatePaymentConnector(ctx, &acc.CreatePaymentConnectorInput{PaymentManagerId: aws.String("nothing-0123456789"), Name: aws.String("x"),
		Type: types.PaymentConnectorTypeCoinbaseCdp, CredentialProviderConfigurations: payCoinbase(coinbase)})
	wantCode(t, "connector of a missing manager", err, "ResourceNotFoundException")
	_, err = c.GetPaymentConnector(ctx, &acc.GetPaymentConnectorInput{PaymentManagerId: aws.String(mgr), PaymentConnectorId: aws.String("nothing-0123456789")})
	wantCode(t, "missing connector", err, "ResourceNotFoundException")

	payManager(t, c, "Second")
	_, err = c.CreatePaymentManager(ctx, &acc.CreatePaymentManagerInput{Name: aws.String("Third"), AuthorizerType: types.PaymentsAuthorizerTypeAwsIam, RoleArn: aws.String(payRole)})
	wantCode(t, "managers over quota", err, "ServiceQuotaExceededException")
}

func TestPaymentPagination(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	provider := payProvider(t, c, "cdp", types.PaymentCredentialProviderVendorTypeCoinbaseCDP)
	managers := map[string]bool{}
	for _, name := range []string{"PageA", "PageB", "PageC"} {
		managers[payManager(t, c, name)] = true
	}
	var some string
	for id := range managers {
		some = id
	}
	connectors := map[string]bool{}
	for _, name := range []string{"c_one", "c_two", "c_three"} {
		connectors[payConnector(t, c, some, name, provider)] = true
	}
	pages := func(list func(token *string) ([]string, *string, error)) map[string]int {
		seen := map[string]int{}
		var token *string
		for n := 0; ; n++ {
			ids, next, err := list(token)
			if err != nil {
				t.Fatal(err)
			}
			if len(ids) != 1 {
				t.Fatalf("page %d holds %d items", n, len(ids))
			}
			seen[ids[0]]++
			if next == nil {
				return seen
			}
			token = next
			if n > 5 {
				t.Fatal("pagination does not end")
			}
		}
	}
	seen := pages(func(token *string) ([]string, *string, error) {
		out, err := c.ListPaymentManagers(ctx, &acc.ListPaymentManagersInput{MaxResults: aws.Int32(1), NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		var ids []string
		for _, m := range out.PaymentManagers {
			ids = append(ids, aws.ToString(m.PaymentManagerId))
		}
		return ids, out.NextToken, nil
	})
	if len(seen) != len(managers) {
		t.Errorf("managers seen %v, want %v", seen, managers)
	}
	seen = pages(func(token *string) ([]string, *string, error) {
		out, err := c.ListPaymentConnectors(ctx, &acc.ListPaymentConnectorsInput{PaymentManagerId: aws.String(some), MaxResults: aws.Int32(1), NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		var ids []string
		for _, m := range out.PaymentConnectors {
			ids = append(ids, aws.ToString(m.PaymentConnectorId))
		}
		return ids, out.NextToken, nil
	})
	if len(seen) != len(connectors) {
		t.Errorf("connectors seen %v, want %v", seen, connectors)
	}
	for id, n := range seen {
		if !connectors[id] || n != 1 {
			t.Errorf("connector %s seen %d times", id, n)
		}
	}
}

func TestPaymentFaultInjectedFailures(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	provider := payProvider(t, c, "cdp", types.PaymentCredentialProviderVendorTypeCoinbaseCDP)

	failNext(t, srv.URL, "CreatePaymentManager", "boom")
	doomed := payManager(t, c, "Doomed")
	got, err := c.GetPaymentManager(ctx, &acc.GetPaymentManagerInput{PaymentManagerId: aws.String(doomed)})
	if err != nil || got.Status != types.PaymentManagerStatusCreateFailed {
		t.Errorf("after a failed create: %+v %v", got, err)
	}
	_, err = c.CreatePaymentConnector(ctx, &acc.CreatePaymentConnectorInput{PaymentManagerId: aws.String(doomed), Name: aws.String("x"),
		Type: types.PaymentConnectorTypeCoinbaseCdp, CredentialProviderConfigurations: payCoinbase(provider)})
	wantCode(t, "connector of a CREATE_FAILED manager", err, "ConflictException")

	mgr := payManager(t, c, "Fine")
	failNext(t, srv.URL, "UpdatePaymentManager", "no update")
	if _, err := c.UpdatePaymentManager(ctx, &acc.UpdatePaymentManagerInput{PaymentManagerId: aws.String(mgr), Description: aws.String("x")}); err != nil {
		t.Fatal(err)
	}
	if got, err := c.GetPaymentManager(ctx, &acc.GetPaymentManagerInput{PaymentManagerId: aws.String(mgr)}); err != nil || got.Status != types.PaymentManagerStatusUpdateFailed {
		t.Errorf("after a failed update: %+v %v", got, err)
	}

	conn := payConnector(t, c, mgr, "wallet", provider)
	failNext(t, srv.URL, "DeletePaymentConnector", "stuck")
	if _, err := c.DeletePaymentConnector(ctx, &acc.DeletePaymentConnectorInput{PaymentManagerId: aws.String(mgr), PaymentConnectorId: aws.String(conn)}); err != nil {
		t.Fatal(err)
	}
	gc, err := c.GetPaymentConnector(ctx, &acc.GetPaymentConnectorInput{PaymentManagerId: aws.String(mgr), PaymentConnectorId: aws.String(conn)})
	if err != nil || gc.Status != types.PaymentConnectorStatusDeleteFailed {
		t.Errorf("after a failed connector delete: %+v %v", gc, err)
	}
	if _, err := c.DeletePaymentConnector(ctx, &acc.DeletePaymentConnectorInput{PaymentManagerId: aws.String(mgr), PaymentConnectorId: aws.String(conn)}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{mgr, doomed} {
		if _, err := c.DeletePaymentManager(ctx, &acc.DeletePaymentManagerInput{PaymentManagerId: aws.String(id)}); err != nil {
			t.Fatal(err)
		}
		_, err := c.GetPaymentManager(ctx, &acc.GetPaymentManagerInput{PaymentManagerId: aws.String(id)})
		wantCode(t, "manager after delete", err, "ResourceNotFoundException")
	}
}

func TestPaymentTimedLifecycle(t *testing.T) {
	srv := rgTimedServer(t)
	c := srv.Client(t)
	ctx := context.Background()
	provider := payProvider(t, c, "cdp", types.PaymentCredentialProviderVendorTypeCoinbaseCDP)
	mgr := payManager(t, c, "Slow")
	eventuallyStatus(t, "manager READY", func() (types.PaymentManagerStatus, error) {
		got, err := c.GetPaymentManager(ctx, &acc.GetPaymentManagerInput{PaymentManagerId: aws.String(mgr)})
		if err != nil {
			return "", err
		}
		return got.Status, nil
	}, types.PaymentManagerStatusReady, types.PaymentManagerStatusCreating)
	conn := payConnector(t, c, mgr, "slow_wallet", provider)
	eventually(t, "connector READY", func() (bool, error) {
		got, err := c.GetPaymentConnector(ctx, &acc.GetPaymentConnectorInput{PaymentManagerId: aws.String(mgr), PaymentConnectorId: aws.String(conn)})
		if err != nil {
			return false, err
		}
		return got.Status == types.PaymentConnectorStatusReady, nil
	})
	if _, err := c.DeletePaymentConnector(ctx, &acc.DeletePaymentConnectorInput{PaymentManagerId: aws.String(mgr), PaymentConnectorId: aws.String(conn)}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "manager deletable", func() (bool, error) {
		_, err := c.DeletePaymentManager(ctx, &acc.DeletePaymentManagerInput{PaymentManagerId: aws.String(mgr)})
		if errCode(err) == "ConflictException" {
			return false, nil
		}
		return true, err
	})
	eventually(t, "manager gone", func() (bool, error) {
		_, err := c.GetPaymentManager(ctx, &acc.GetPaymentManagerInput{PaymentManagerId: aws.String(mgr)})
		if errCode(err) == "ResourceNotFoundException" {
			return true, nil
		}
		return false, err
	})
}
