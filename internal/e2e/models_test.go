package e2e

import (
	"context"
	"errors"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ctl "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"

	"agentcored/internal/model"
	"agentcored/internal/testserver"
)

// TestPythonClientsUseRepoModel: with the environment every boto3 and AWS
// CLI test gets (cleanAWSEnv), those clients load the repository's model,
// not the installed botocore's, so they know every operation the server
// routes except the overlay's (models/overlay: operations no botocore model
// has yet, which boto3 cannot know).
func TestPythonClientsUseRepoModel(t *testing.T) {
	py := admPython(t, "boto3")
	cmd := exec.Command(py, "-c", `import boto3
c = boto3.client("bedrock-agentcore-control", region_name="us-east-1")
print(len(c.meta.service_model.operation_names))`)
	cmd.Env = cleanAWSEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("boto3: %v\n%s", err, out)
	}
	if got, want := strings.TrimSpace(string(out)), len(model.Operations)-len(model.OverlayOperations); got != strconv.Itoa(want) {
		t.Errorf("boto3 knows %s operations with AWS_DATA_PATH=%s; the server routes %d of the botocore model", got, repoModels, want)
	}

	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("aws CLI not on PATH")
	}
	// CreateDataset is newer than botocore 1.43.11.
	cmd = exec.Command("aws", "bedrock-agentcore-control", "create-dataset", "help")
	cmd.Env = append(cleanAWSEnv(), "AWS_DEFAULT_REGION=us-east-1", "AWS_PAGER=", "PAGER=cat", "MANPAGER=cat")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("aws bedrock-agentcore-control create-dataset help: %v\n%.500s", err, out)
	}
}

// TestNowOptionalMembers: members botocore 1.43.67 made optional that the
// server still needs answer a ValidationException, never a panic.
func TestNowOptionalMembers(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	_, err := c.CreateApiKeyCredentialProvider(ctx, &ctl.CreateApiKeyCredentialProviderInput{Name: aws.String("no-key")})
	wantValidation(t, "CreateApiKeyCredentialProvider without apiKey", err, "'apiKey'")
	_, err = c.UpdateApiKeyCredentialProvider(ctx, &ctl.UpdateApiKeyCredentialProviderInput{Name: aws.String("no-key")})
	wantValidation(t, "UpdateApiKeyCredentialProvider without apiKey", err, "'apiKey'")
	// A gateway target without a name gets one (model_changes_test.go).
}

func wantValidation(t *testing.T, what string, err error, contains string) {
	t.Helper()
	var ve *types.ValidationException
	if !errors.As(err, &ve) || !strings.Contains(aws.ToString(ve.Message), contains) {
		t.Errorf("%s: %v, want a ValidationException naming %s", what, err, contains)
	}
}
