package e2e

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"

	"agentcored/internal/server"
	"agentcored/internal/testserver"
)

func bxCreateInterpreter(t *testing.T, c *bedrockagentcorecontrol.Client, name string, mode types.CodeInterpreterNetworkMode) *bedrockagentcorecontrol.CreateCodeInterpreterOutput {
	t.Helper()
	out, err := c.CreateCodeInterpreter(context.Background(), &bedrockagentcorecontrol.CreateCodeInterpreterInput{
		Name:                 aws.String(name),
		NetworkConfiguration: &types.CodeInterpreterNetworkConfiguration{NetworkMode: mode},
	})
	if err != nil {
		t.Fatalf("CreateCodeInterpreter %s: %v", name, err)
	}
	return out
}

func TestCodeInterpreterLifecycle(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	certs := []types.Certificate{{Location: &types.CertificateLocationMemberSecretsManager{Value: types.SecretsManagerLocation{
		SecretArn: aws.String("arn:aws:secretsmanager:us-east-1:123456789012:secret:ci-ca-AbCdEf"),
	}}}}

	for _, tc := range []struct {
		name    string
		network *types.CodeInterpreterNetworkConfiguration
	}{
		{"sandbox_ci", &types.CodeInterpreterNetworkConfiguration{NetworkMode: types.CodeInterpreterNetworkModeSandbox}},
		{"public_ci", &types.CodeInterpreterNetworkConfiguration{NetworkMode: types.CodeInterpreterNetworkModePublic}},
		{"vpc_ci", &types.CodeInterpreterNetworkConfiguration{NetworkMode: types.CodeInterpreterNetworkModeVpc, VpcConfig: bxVpc()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			created, err := c.CreateCodeInterpreter(ctx, &bedrockagentcorecontrol.CreateCodeInterpreterInput{
				Name:                 aws.String(tc.name),
				Description:          aws.String("interpreter " + tc.name),
				ExecutionRoleArn:     aws.String("arn:aws:iam::123456789012:role/CiRole"),
				NetworkConfiguration: tc.network,
				Certificates:         certs,
				Tags:                 map[string]string{"family": "ci"},
			})
			if err != nil {
				t.Fatal(err)
			}
			if code := httpStatus(t, created.ResultMetadata); code != http.StatusAccepted {
				t.Errorf("create status = %d, want 202", code)
			}
			if created.Status != types.CodeInterpreterStatusCreating {
				t.Errorf("create answer status = %s", created.Status)
			}
			id := aws.ToString(created.CodeInterpreterId)
			if !strings.HasPrefix(id, tc.name+"-") || len(id) != len(tc.name)+11 {
				t.Errorf("id %q is not <name>-<10>", id)
			}
			arn := "arn:aws:bedrock-agentcore:us-east-1:123456789012:code-interpreter-custom/" + id
			if aws.ToString(created.CodeInterpreterArn) != arn {
				t.Errorf("arn = %s, want %s", aws.ToString(created.CodeInterpreterArn), arn)
			}

			got, err := c.GetCodeInterpreter(ctx, &bedrockagentcorecontrol.GetCodeInterpreterInput{CodeInterpreterId: aws.String(id)})
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != types.CodeInterpreterStatusReady || aws.ToString(got.Name) != tc.name ||
				aws.ToString(got.Description) != "interpreter "+tc.name || aws.ToString(got.ExecutionRoleArn) != "arn:aws:iam::123456789012:role/CiRole" ||
				aws.ToString(got.CodeInterpreterArn) != arn || got.CreatedAt == nil || got.LastUpdatedAt == nil {
				t.Errorf("get = %+v", got)
			}
			if !reflect.DeepEqual(got.NetworkConfiguration, tc.network) {
				t.Errorf("networkConfiguration = %+v (vpc %+v), want %+v (vpc %+v)", got.NetworkConfiguration, got.NetworkConfiguration.VpcConfig, tc.network, tc.network.VpcConfig)
			}
			if !reflect.DeepEqual(got.Certificates, certs) {
				t.Errorf("certificates = %+v", got.Certificates)
			}
			tags, err := c.ListTagsForResource(ctx, &bedrockagentcorecontrol.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(tags.Tags, map[string]string{"family": "ci"}) {
				t.Errorf("tags = %v", tags.Tags)
			}
			list, err := c.ListCodeInterpreters(ctx, &bedrockagentcorecontrol.ListCodeInterpretersInput{})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, s := range list.CodeInterpreterSummaries {
				if aws.ToString(s.CodeInterpreterId) == id {
					found = aws.ToString(s.Name) == tc.name && s.Status == types.CodeInterpreterStatusReady && aws.ToString(s.CodeInterpreterArn) == arn
				}
			}
			if !found {
				t.Errorf("%s not listed correctly in %+v", id, list.CodeInterpreterSummaries)
			}

			del, err := c.DeleteCodeInterpreter(ctx, &bedrockagentcorecontrol.DeleteCodeInterpreterInput{CodeInterpreterId: aws.String(id)})
			if err != nil {
				t.Fatal(err)
			}
			if code := httpStatus(t, del.ResultMetadata); code != http.StatusAccepted {
				t.Errorf("delete status = %d, want 202", code)
			}
			if aws.ToString(del.CodeInterpreterId) != id || del.Status != types.CodeInterpreterStatusDeleting || del.LastUpdatedAt == nil {
				t.Errorf("delete answer = %+v", del)
			}
			if _, err := c.GetCodeInterpreter(ctx, &bedrockagentcorecontrol.GetCodeInterpreterInput{CodeInterpreterId: aws.String(id)}); errCode(err) != "ResourceNotFoundException" {
				t.Errorf("get after delete: %v, want ResourceNotFoundException", err)
			}
			if _, err := c.ListTagsForResource(ctx, &bedrockagentcorecontrol.ListTagsForResourceInput{ResourceArn: aws.String(arn)}); errCode(err) != "ResourceNotFoundException" {
				t.Errorf("tags after delete: %v, want ResourceNotFoundException", err)
			}
		})
	}
}

func TestCodeInterpreterRules(t *testing.T) {
	srv := testserver.Start(t, func(c *server.Config) { c.Quotas.InterpretersPerAccount = 3 })
	c := srv.Client(t)
	ctx := context.Background()

	in := func(mode types.CodeInterpreterNetworkMode) *bedrockagentcorecontrol.CreateCodeInterpreterInput {
		return &bedrockagentcorecontrol.CreateCodeInterpreterInput{
			Name:                 aws.String("retry_ci"),
			NetworkConfiguration: &types.CodeInterpreterNetworkConfiguration{NetworkMode: mode},
			ClientToken:          aws.String(clientToken("ci-token")),
		}
	}
	first, err := c.CreateCodeInterpreter(ctx, in(types.CodeInterpreterNetworkModeSandbox))
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.CreateCodeInterpreter(ctx, in(types.CodeInterpreterNetworkModeSandbox))
	if err != nil {
		t.Fatalf("retry: %v", err)
	}
	if aws.ToString(first.CodeInterpreterId) != aws.ToString(second.CodeInterpreterId) {
		t.Errorf("retry created %s besides %s", aws.ToString(second.CodeInterpreterId), aws.ToString(first.CodeInterpreterId))
	}
	_, err = c.CreateCodeInterpreter(ctx, in(types.CodeInterpreterNetworkModePublic))
	if reason, ok := validationReason(err); !ok || reason != types.ValidationExceptionReasonIdempotentParameterMismatchException {
		t.Errorf("same token, other params: %v", err)
	}

	_, err = c.CreateCodeInterpreter(ctx, &bedrockagentcorecontrol.CreateCodeInterpreterInput{
		Name:                 aws.String("retry_ci"),
		NetworkConfiguration: &types.CodeInterpreterNetworkConfiguration{NetworkMode: types.CodeInterpreterNetworkModePublic},
	})
	if errCode(err) != "ConflictException" {
		t.Errorf("duplicate name: %v, want ConflictException", err)
	}

	for _, tc := range []struct {
		name string
		net  *types.CodeInterpreterNetworkConfiguration
	}{
		{"vpc_without_config", &types.CodeInterpreterNetworkConfiguration{NetworkMode: types.CodeInterpreterNetworkModeVpc}},
		{"sandbox_with_config", &types.CodeInterpreterNetworkConfiguration{NetworkMode: types.CodeInterpreterNetworkModeSandbox, VpcConfig: bxVpc()}},
	} {
		_, err := c.CreateCodeInterpreter(ctx, &bedrockagentcorecontrol.CreateCodeInterpreterInput{Name: aws.String(tc.name), NetworkConfiguration: tc.net})
		if _, ok := validationReason(err); !ok {
			t.Errorf("%s: %v, want ValidationException", tc.name, err)
		}
	}

	want := map[string]bool{aws.ToString(first.CodeInterpreterId): true}
	for _, name := range []string{"ci_two", "ci_three"} {
		want[aws.ToString(bxCreateInterpreter(t, c, name, types.CodeInterpreterNetworkModeSandbox).CodeInterpreterId)] = true
	}
	_, err = c.CreateCodeInterpreter(ctx, &bedrockagentcorecontrol.CreateCodeInterpreterInput{
		Name:                 aws.String("ci_four"),
		NetworkConfiguration: &types.CodeInterpreterNetworkConfiguration{NetworkMode: types.CodeInterpreterNetworkModeSandbox},
	})
	if errCode(err) != "ServiceQuotaExceededException" {
		t.Errorf("over quota: %v, want ServiceQuotaExceededException", err)
	}

	seen := map[string]int{}
	var token *string
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("pagination does not end")
		}
		out, err := c.ListCodeInterpreters(ctx, &bedrockagentcorecontrol.ListCodeInterpretersInput{MaxResults: aws.Int32(1), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.CodeInterpreterSummaries) > 1 {
			t.Fatalf("page of %d with maxResults 1", len(out.CodeInterpreterSummaries))
		}
		for _, s := range out.CodeInterpreterSummaries {
			seen[aws.ToString(s.CodeInterpreterId)]++
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if len(seen) != len(want) {
		t.Errorf("paged through %v, want %v", seen, want)
	}
	for id, n := range seen {
		if !want[id] || n != 1 {
			t.Errorf("%s seen %d times", id, n)
		}
	}
}

func TestCodeInterpreterFaultsAndTimedLifecycle(t *testing.T) {
	srv := testserver.Start(t, func(c *server.Config) {
		c.Lifecycle = "timed"
		c.LifecycleDelay = 300 * time.Millisecond
	})
	c := srv.Client(t)
	ctx := context.Background()
	status := func(id *string) (types.CodeInterpreterStatus, string, error) {
		got, err := c.GetCodeInterpreter(ctx, &bedrockagentcorecontrol.GetCodeInterpreterInput{CodeInterpreterId: id})
		if err != nil {
			return "", "", err
		}
		return got.Status, aws.ToString(got.FailureReason), nil
	}

	failNext(t, srv.URL, "CreateCodeInterpreter", "boom")
	doomed := bxCreateInterpreter(t, c, "doomed_ci", types.CodeInterpreterNetworkModeSandbox)
	fine := bxCreateInterpreter(t, c, "fine_ci", types.CodeInterpreterNetworkModeSandbox)
	for _, want := range []struct {
		id     *string
		status types.CodeInterpreterStatus
		reason string
	}{
		{doomed.CodeInterpreterId, types.CodeInterpreterStatusCreateFailed, "boom"},
		{fine.CodeInterpreterId, types.CodeInterpreterStatusReady, ""},
	} {
		eventually(t, "code interpreter "+string(want.status), func() (bool, error) {
			st, reason, err := status(want.id)
			if err != nil || st == types.CodeInterpreterStatusCreating {
				return false, err
			}
			if st != want.status || reason != want.reason {
				return false, errors.New("ended in " + string(st) + " (" + reason + ")")
			}
			return true, nil
		})
	}

	failNext(t, srv.URL, "DeleteCodeInterpreter", "stuck")
	if _, err := c.DeleteCodeInterpreter(ctx, &bedrockagentcorecontrol.DeleteCodeInterpreterInput{CodeInterpreterId: fine.CodeInterpreterId}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "DELETE_FAILED", func() (bool, error) {
		st, reason, err := status(fine.CodeInterpreterId)
		if err != nil || st == types.CodeInterpreterStatusDeleting {
			return false, err
		}
		if st != types.CodeInterpreterStatusDeleteFailed || reason != "stuck" {
			return false, errors.New("ended in " + string(st) + " (" + reason + ")")
		}
		return true, nil
	})
	for _, id := range []*string{fine.CodeInterpreterId, doomed.CodeInterpreterId} {
		if _, err := c.DeleteCodeInterpreter(ctx, &bedrockagentcorecontrol.DeleteCodeInterpreterInput{CodeInterpreterId: id}); err != nil {
			t.Fatal(err)
		}
		eventuallyGone(t, "code interpreter gone", func() (types.CodeInterpreterStatus, error) {
			st, _, err := status(id)
			return st, err
		}, types.CodeInterpreterStatusDeleting)
	}
}

func TestCodeInterpreterBuiltin(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	const arn = "arn:aws:bedrock-agentcore:us-east-1:aws:code-interpreter/aws.codeinterpreter.v1"
	got, err := c.GetCodeInterpreter(ctx, &bedrockagentcorecontrol.GetCodeInterpreterInput{CodeInterpreterId: aws.String("aws.codeinterpreter.v1")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.CodeInterpreterArn) != arn || got.Status != types.CodeInterpreterStatusReady ||
		got.NetworkConfiguration == nil || got.NetworkConfiguration.NetworkMode != types.CodeInterpreterNetworkModeSandbox ||
		aws.ToString(got.Name) == "" || got.CreatedAt == nil || got.LastUpdatedAt == nil {
		t.Errorf("built-in = %+v", got)
	}
	_, err = c.DeleteCodeInterpreter(ctx, &bedrockagentcorecontrol.DeleteCodeInterpreterInput{CodeInterpreterId: aws.String("aws.codeinterpreter.v1")})
	if _, ok := validationReason(err); !ok {
		t.Errorf("delete built-in: %v, want ValidationException", err)
	}
	_, err = c.TagResource(ctx, &bedrockagentcorecontrol.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"k": "v"}})
	if _, isValidation := validationReason(err); !isValidation && errCode(err) != "ResourceNotFoundException" {
		t.Errorf("tag built-in: %v, want ValidationException or ResourceNotFoundException", err)
	}

	mine := aws.ToString(bxCreateInterpreter(t, c, "mine_ci", types.CodeInterpreterNetworkModePublic).CodeInterpreterId)
	for typ, want := range map[types.ResourceType][]string{
		types.ResourceTypeSystem: {"aws.codeinterpreter.v1"},
		types.ResourceTypeCustom: {mine},
		"":                       {mine},
	} {
		out, err := c.ListCodeInterpreters(ctx, &bedrockagentcorecontrol.ListCodeInterpretersInput{Type: typ})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, s := range out.CodeInterpreterSummaries {
			ids = append(ids, aws.ToString(s.CodeInterpreterId))
		}
		if !reflect.DeepEqual(ids, want) {
			t.Errorf("ListCodeInterpreters type %q = %v, want %v", typ, ids, want)
		}
	}
}
