package e2e

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ctl "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"
)

// TestIsolationBetweenAccounts: with strict auth and two accounts, account
// B sees nothing of account A's runtime by id or by ARN, cannot change it,
// and cannot use A's pagination token; A's runtime is untouched after.
func TestIsolationBetweenAccounts(t *testing.T) {
	ctx := context.Background()
	srv := azStrict(t, azCredB())
	a := srv.Client(t)
	b := srv.ClientAs(t, azKeyB, azSecretB, "us-east-1")

	idA, arnA := azCreateRuntime(t, a, "az_iso", map[string]string{"owner": "a"})
	azCreateRuntime(t, a, "az_iso_2", nil)
	azCreateRuntime(t, a, "az_iso_3", nil)
	if want := "arn:aws:bedrock-agentcore:us-east-1:" + azAccountA + ":runtime/" + idA; arnA != want {
		t.Fatalf("A's runtime ARN %s, want %s", arnA, want)
	}

	const notFound = "ResourceNotFoundException"
	calls := map[string]func() error{
		"GetAgentRuntime": func() error {
			_, err := b.GetAgentRuntime(ctx, &ctl.GetAgentRuntimeInput{AgentRuntimeId: aws.String(idA)})
			return err
		},
		"UpdateAgentRuntime": func() error {
			_, err := b.UpdateAgentRuntime(ctx, &ctl.UpdateAgentRuntimeInput{AgentRuntimeId: aws.String(idA),
				AgentRuntimeArtifact: rtContainer(rtImage), RoleArn: aws.String(rtRole), NetworkConfiguration: rtPublic()})
			return err
		},
		"DeleteAgentRuntime": func() error {
			_, err := b.DeleteAgentRuntime(ctx, &ctl.DeleteAgentRuntimeInput{AgentRuntimeId: aws.String(idA)})
			return err
		},
		"GetAgentRuntimeEndpoint": func() error {
			_, err := b.GetAgentRuntimeEndpoint(ctx, &ctl.GetAgentRuntimeEndpointInput{AgentRuntimeId: aws.String(idA), EndpointName: aws.String("DEFAULT")})
			return err
		},
		"TagResource": func() error {
			_, err := b.TagResource(ctx, &ctl.TagResourceInput{ResourceArn: aws.String(arnA), Tags: map[string]string{"owner": "b"}})
			return err
		},
		"UntagResource": func() error {
			_, err := b.UntagResource(ctx, &ctl.UntagResourceInput{ResourceArn: aws.String(arnA), TagKeys: []string{"owner"}})
			return err
		},
		"ListTagsForResource": func() error {
			_, err := b.ListTagsForResource(ctx, &ctl.ListTagsForResourceInput{ResourceArn: aws.String(arnA)})
			return err
		},
		"PutResourcePolicy": func() error {
			_, err := b.PutResourcePolicy(ctx, &ctl.PutResourcePolicyInput{ResourceArn: aws.String(arnA), Policy: aws.String(`{"Statement":[]}`)})
			return err
		},
		"GetResourcePolicy": func() error {
			_, err := b.GetResourcePolicy(ctx, &ctl.GetResourcePolicyInput{ResourceArn: aws.String(arnA)})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			azWant(t, name+" by account B", call(), notFound, 404, "")
		})
	}

	// Listing shows B only its own runtimes; B may reuse A's names.
	list, err := b.ListAgentRuntimes(ctx, &ctl.ListAgentRuntimesInput{})
	azNoErr(t, "B ListAgentRuntimes", err)
	if len(list.AgentRuntimes) != 0 {
		t.Fatalf("B lists %d runtimes of A", len(list.AgentRuntimes))
	}
	idB, arnB := azCreateRuntime(t, b, "az_iso", nil)
	if want := "arn:aws:bedrock-agentcore:us-east-1:" + azAccountB + ":runtime/" + idB; arnB != want {
		t.Fatalf("B's runtime ARN %s, want %s", arnB, want)
	}
	list, err = b.ListAgentRuntimes(ctx, &ctl.ListAgentRuntimesInput{})
	azNoErr(t, "B ListAgentRuntimes", err)
	if len(list.AgentRuntimes) != 1 || aws.ToString(list.AgentRuntimes[0].AgentRuntimeId) != idB {
		t.Fatalf("B lists %+v, want only its own runtime", list.AgentRuntimes)
	}

	// A's pagination token is worthless to B, and still good for A.
	page, err := a.ListAgentRuntimes(ctx, &ctl.ListAgentRuntimesInput{MaxResults: aws.Int32(1)})
	azNoErr(t, "A ListAgentRuntimes page 1", err)
	if page.NextToken == nil {
		t.Fatal("A's first page of 3 runtimes has no next token")
	}
	_, err = b.ListAgentRuntimes(ctx, &ctl.ListAgentRuntimesInput{MaxResults: aws.Int32(1), NextToken: page.NextToken})
	azWant(t, "B replaying A's token", err, "ValidationException", 400, "")
	_, err = a.ListAgentRuntimes(ctx, &ctl.ListAgentRuntimesInput{MaxResults: aws.Int32(1), NextToken: page.NextToken})
	azNoErr(t, "A using its own token", err)

	// Nothing B tried changed A's runtime or its tags.
	got, err := a.GetAgentRuntime(ctx, &ctl.GetAgentRuntimeInput{AgentRuntimeId: aws.String(idA)})
	azNoErr(t, "A GetAgentRuntime", err)
	if got.Status == types.AgentRuntimeStatusDeleting || aws.ToString(got.AgentRuntimeVersion) != "1" {
		t.Fatalf("A's runtime changed: status %s version %s", got.Status, aws.ToString(got.AgentRuntimeVersion))
	}
	tags, err := a.ListTagsForResource(ctx, &ctl.ListTagsForResourceInput{ResourceArn: aws.String(arnA)})
	azNoErr(t, "A ListTagsForResource", err)
	if len(tags.Tags) != 1 || tags.Tags["owner"] != "a" {
		t.Fatalf("A's tags changed: %v", tags.Tags)
	}
	_, err = a.GetResourcePolicy(ctx, &ctl.GetResourcePolicyInput{ResourceArn: aws.String(arnA)})
	azWant(t, "A GetResourcePolicy after B's attempt", err, notFound, 404, "")
}

// TestPolicyResourceCrossAccount: resource policies are stored per resource
// of the caller's account; a policy that names account B lets B perform
// exactly the granted actions on that resource, and nothing else.
func TestPolicyResourceCrossAccount(t *testing.T) {
	ctx := context.Background()
	srv := azStrict(t, azCredB())
	a := srv.Client(t)
	b := srv.ClientAs(t, azKeyB, azSecretB, "us-east-1")
	idA, arnA := azCreateRuntime(t, a, "az_shared", map[string]string{"owner": "a"})

	// Validation and not-found rules of the three operations.
	for name, doc := range map[string]string{"not JSON": `{"Statement":`, "a JSON array": `[]`, "trailing data": `{} {}`} {
		_, err := a.PutResourcePolicy(ctx, &ctl.PutResourcePolicyInput{ResourceArn: aws.String(arnA), Policy: aws.String(doc)})
		azWant(t, "PutResourcePolicy with "+name, err, "ValidationException", 400, "")
	}
	_, err := a.GetResourcePolicy(ctx, &ctl.GetResourcePolicyInput{ResourceArn: aws.String(arnA)})
	azWant(t, "GetResourcePolicy before any", err, "ResourceNotFoundException", 404, "")
	_, err = a.DeleteResourcePolicy(ctx, &ctl.DeleteResourcePolicyInput{ResourceArn: aws.String(arnA)})
	azWant(t, "DeleteResourcePolicy before any", err, "ResourceNotFoundException", 404, "")
	_, err = a.PutResourcePolicy(ctx, &ctl.PutResourcePolicyInput{ResourceArn: aws.String(arnA + "x"), Policy: aws.String(`{}`)})
	azWant(t, "PutResourcePolicy on a missing runtime", err, "ResourceNotFoundException", 404, "")

	grant := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + azAccountB +
		`:root"},"Action":["bedrock-agentcore:ListTagsForResource","bedrock-agentcore:GetResourcePolicy"],"Resource":"` + arnA + `"}]}`
	put, err := a.PutResourcePolicy(ctx, &ctl.PutResourcePolicyInput{ResourceArn: aws.String(arnA), Policy: aws.String(`{"Statement":[]}`)})
	azNoErr(t, "PutResourcePolicy", err)
	if aws.ToString(put.Policy) != `{"Statement":[]}` {
		t.Fatalf("PutResourcePolicy answered %q", aws.ToString(put.Policy))
	}
	_, err = b.ListTagsForResource(ctx, &ctl.ListTagsForResourceInput{ResourceArn: aws.String(arnA)})
	azWant(t, "B before the grant", err, "ResourceNotFoundException", 404, "")

	_, err = a.PutResourcePolicy(ctx, &ctl.PutResourcePolicyInput{ResourceArn: aws.String(arnA), Policy: aws.String(grant)})
	azNoErr(t, "PutResourcePolicy replacing", err)
	got, err := a.GetResourcePolicy(ctx, &ctl.GetResourcePolicyInput{ResourceArn: aws.String(arnA)})
	azNoErr(t, "GetResourcePolicy", err)
	if aws.ToString(got.Policy) != grant {
		t.Fatalf("GetResourcePolicy = %q, want the replaced document", aws.ToString(got.Policy))
	}

	// B may now do exactly what the policy grants on that ARN.
	tags, err := b.ListTagsForResource(ctx, &ctl.ListTagsForResourceInput{ResourceArn: aws.String(arnA)})
	azNoErr(t, "B ListTagsForResource with the grant", err)
	if tags.Tags["owner"] != "a" {
		t.Fatalf("B sees tags %v, want A's", tags.Tags)
	}
	got, err = b.GetResourcePolicy(ctx, &ctl.GetResourcePolicyInput{ResourceArn: aws.String(arnA)})
	azNoErr(t, "B GetResourcePolicy with the grant", err)
	if aws.ToString(got.Policy) != grant {
		t.Fatalf("B reads policy %q", aws.ToString(got.Policy))
	}
	_, err = b.TagResource(ctx, &ctl.TagResourceInput{ResourceArn: aws.String(arnA), Tags: map[string]string{"owner": "b"}})
	azWant(t, "B TagResource (not granted)", err, "ResourceNotFoundException", 404, "")
	_, err = b.DeleteResourcePolicy(ctx, &ctl.DeleteResourcePolicyInput{ResourceArn: aws.String(arnA)})
	azWant(t, "B DeleteResourcePolicy (not granted)", err, "ResourceNotFoundException", 404, "")
	_, err = b.GetAgentRuntime(ctx, &ctl.GetAgentRuntimeInput{AgentRuntimeId: aws.String(idA)})
	azWant(t, "B GetAgentRuntime by id", err, "ResourceNotFoundException", 404, "")

	// Deleting the policy withdraws the grant.
	_, err = a.DeleteResourcePolicy(ctx, &ctl.DeleteResourcePolicyInput{ResourceArn: aws.String(arnA)})
	azNoErr(t, "DeleteResourcePolicy", err)
	_, err = a.GetResourcePolicy(ctx, &ctl.GetResourcePolicyInput{ResourceArn: aws.String(arnA)})
	azWant(t, "GetResourcePolicy after delete", err, "ResourceNotFoundException", 404, "")
	_, err = b.ListTagsForResource(ctx, &ctl.ListTagsForResourceInput{ResourceArn: aws.String(arnA)})
	azWant(t, "B after the policy is deleted", err, "ResourceNotFoundException", 404, "")
}
