package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	ctl "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"
	"github.com/aws/smithy-go"

	"agentcored/internal/auth"
	"agentcored/internal/server"
	"agentcored/internal/testserver"
)

// Helpers of the auth, isolation, policy, throttle and limits tests carry
// an "az" prefix so they cannot clash with other helpers of this package.

// Account A is the default account of the default development key; account
// B has a key of its own from the credentials list.
const (
	azAccountA = "123456789012"
	azAccountB = "210987654321"
	azKeyB     = "AKIAACCOUNTB00000001"
	azSecretB  = "secret-of-account-b"

	azMsgBadSignature = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."
	azMsgBadToken     = "The security token included in the request is invalid."
)

func azCredB() auth.Credential {
	return auth.Credential{AccessKeyID: azKeyB, SecretAccessKey: azSecretB, AccountID: azAccountB}
}

// azStrict starts a strict-mode server knowing the given keys besides the
// default development key.
func azStrict(t *testing.T, creds ...auth.Credential) *testserver.Server {
	t.Helper()
	return testserver.Start(t, func(c *server.Config) {
		c.Auth = auth.Strict
		c.Credentials = creds
	})
}

// azClientWithToken is an SDK client whose credentials carry a session token.
func azClientWithToken(srv *testserver.Server, key, secret, token string) *ctl.Client {
	return ctl.New(ctl.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider(key, secret, token),
		Retryer:      aws.NopRetryer{},
		HTTPClient:   &http.Client{Timeout: 30 * time.Second},
	})
}

// azErr is the code, HTTP status and message of an SDK error.
func azErr(err error) (code string, status int, msg string) {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return "", 0, ""
	}
	return ae.ErrorCode(), errStatus(err), ae.ErrorMessage()
}

// azWant checks an SDK error's code and status, and its message when given.
func azWant(t *testing.T, what string, err error, code string, status int, msg string) {
	t.Helper()
	gotCode, gotStatus, gotMsg := azErr(err)
	if gotCode != code || gotStatus != status || msg != "" && gotMsg != msg {
		t.Fatalf("%s: got %s %d %q (%v)\nwant %s %d %q", what, gotCode, gotStatus, gotMsg, err, code, status, msg)
	}
}

func azNoErr(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// azCreateRuntime creates a minimal PUBLIC runtime (rtCreateTagged); it
// answers id and ARN.
func azCreateRuntime(t *testing.T, c *ctl.Client, name string, tags map[string]string) (string, string) {
	t.Helper()
	out := rtCreateTagged(t, c, name, tags)
	return aws.ToString(out.AgentRuntimeId), aws.ToString(out.AgentRuntimeArn)
}

// azSignedRaw sends a raw request signed by the SDK's SigV4 signer at the
// given time with the given key; tamper runs after signing.
func azSignedRaw(t *testing.T, srv *testserver.Server, method, path, body string, at time.Time, key, secret string, tamper func(*http.Request)) rawResponse {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), auth.SigningName, "us-east-1", at); err != nil {
		t.Fatal(err)
	}
	if tamper != nil {
		tamper(req)
	}
	return rawDo(t, req)
}

// TestAuthStrictSDK drives strict mode with the real SDK client: the
// development key pair and an extra account's key verify (also on the
// escaped ARN paths of the tagging operations), every kind of bad
// credential gets its own 403.
func TestAuthStrictSDK(t *testing.T) {
	ctx := context.Background()
	srv := azStrict(t, azCredB())
	a := srv.Client(t)
	b := srv.ClientAs(t, azKeyB, azSecretB, "us-east-1")

	// Signed GET, PUT with body, and the ARN-in-path tagging operations
	// (the SDK escapes ':' and '/' in the label, then signs that escaped
	// path escaped once more).
	_, arn := azCreateRuntime(t, a, "az_strict", map[string]string{"team": "a"})
	_, err := a.ListAgentRuntimes(ctx, &ctl.ListAgentRuntimesInput{})
	azNoErr(t, "ListAgentRuntimes with the development key", err)
	_, err = a.TagResource(ctx, &ctl.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"k": "v w/x:y"}})
	azNoErr(t, "TagResource on the escaped ARN path", err)
	tags, err := a.ListTagsForResource(ctx, &ctl.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	azNoErr(t, "ListTagsForResource", err)
	if tags.Tags["team"] != "a" || tags.Tags["k"] != "v w/x:y" {
		t.Fatalf("tags = %v", tags.Tags)
	}
	_, err = a.UntagResource(ctx, &ctl.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"k", "no such/key"}})
	azNoErr(t, "UntagResource with a query list", err)
	_, err = b.ListAgentRuntimes(ctx, &ctl.ListAgentRuntimesInput{MaxResults: aws.Int32(5)})
	azNoErr(t, "ListAgentRuntimes with account B's key", err)

	tests := []struct {
		name   string
		client *ctl.Client
		code   string
		msg    string
	}{
		{"wrong secret", srv.ClientAs(t, auth.DefaultAccessKeyID, "not-the-secret", "us-east-1"), "InvalidSignatureException", azMsgBadSignature},
		{"another key's secret", srv.ClientAs(t, azKeyB, auth.DefaultSecretAccessKey, "us-east-1"), "InvalidSignatureException", azMsgBadSignature},
		{"unknown access key", srv.ClientAs(t, "AKIANOSUCHKEY0000000", "whatever", "us-east-1"), "UnrecognizedClientException", azMsgBadToken},
		{"no credentials", ctl.New(ctl.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
			Credentials: aws.AnonymousCredentials{}, Retryer: aws.NopRetryer{}}), "MissingAuthenticationTokenException", "Missing Authentication Token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.client.ListAgentRuntimes(ctx, &ctl.ListAgentRuntimesInput{})
			azWant(t, "ListAgentRuntimes", err, tt.code, 403, tt.msg)
			_, err = tt.client.ListTagsForResource(ctx, &ctl.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
			azWant(t, "ListTagsForResource", err, tt.code, 403, tt.msg)
		})
	}

	// Permissive mode (the default) does not verify: the wrong secret works.
	perm := testserver.Start(t)
	_, err = perm.ClientAs(t, auth.DefaultAccessKeyID, "not-the-secret", "us-east-1").ListAgentRuntimes(ctx, &ctl.ListAgentRuntimesInput{})
	azNoErr(t, "permissive mode with a wrong secret", err)
}

// TestAuthStrictSessionToken: a key with a session token accepts requests
// carrying exactly that token.
func TestAuthStrictSessionToken(t *testing.T) {
	ctx := context.Background()
	temp := auth.Credential{AccessKeyID: "ASIATEMPORARYKEY0001", SecretAccessKey: "temp-secret", AccountID: azAccountB, SessionToken: "FwoGZXIvYXdzEXAMPLETOKEN"}
	srv := azStrict(t, temp)

	_, err := azClientWithToken(srv, temp.AccessKeyID, temp.SecretAccessKey, temp.SessionToken).ListAgentRuntimes(ctx, &ctl.ListAgentRuntimesInput{})
	azNoErr(t, "right session token", err)

	for name, c := range map[string]*ctl.Client{
		"token missing":               azClientWithToken(srv, temp.AccessKeyID, temp.SecretAccessKey, ""),
		"token wrong":                 azClientWithToken(srv, temp.AccessKeyID, temp.SecretAccessKey, "FwoGZXIvYXdzOTHERTOKEN"),
		"token sent with a plain key": azClientWithToken(srv, auth.DefaultAccessKeyID, auth.DefaultSecretAccessKey, temp.SessionToken),
	} {
		_, err := c.ListAgentRuntimes(ctx, &ctl.ListAgentRuntimesInput{})
		azWant(t, name, err, "UnrecognizedClientException", 403, azMsgBadToken)
	}
}

// TestAuthStrictRawSignatures signs raw requests with the SDK signer to
// reach what the SDK client never sends: a skewed clock and a body changed
// after signing. Every answer has the AWS error shape.
func TestAuthStrictRawSignatures(t *testing.T) {
	srv := azStrict(t)
	now := time.Now()
	key, secret := auth.DefaultAccessKeyID, auth.DefaultSecretAccessKey
	const listBody = `{"maxResults":5}`

	ok := azSignedRaw(t, srv, "POST", "/runtimes/", listBody, now, key, secret, nil)
	if ok.status != 200 {
		t.Fatalf("correctly signed raw request: %d %s", ok.status, ok.body)
	}

	tests := []struct {
		name    string
		at      time.Time
		tamper  func(*http.Request)
		code    string
		msgPart string
	}{
		{name: "clock 20 minutes behind", at: now.Add(-20 * time.Minute), code: "InvalidSignatureException", msgPart: "Signature expired: "},
		{name: "clock 20 minutes ahead", at: now.Add(20 * time.Minute), code: "InvalidSignatureException", msgPart: "Signature not yet current: "},
		{name: "body changed after signing", at: now, code: "InvalidSignatureException", msgPart: azMsgBadSignature,
			tamper: func(r *http.Request) { r.Body = io.NopCloser(strings.NewReader(`{"maxResults":9}`)) }},
		{name: "signed header changed", at: now, code: "InvalidSignatureException", msgPart: azMsgBadSignature,
			tamper: func(r *http.Request) { r.Header.Set("Content-Type", "application/x-amz-json-1.1") }},
		{name: "Authorization removed", at: now, code: "MissingAuthenticationTokenException", msgPart: "Missing Authentication Token",
			tamper: func(r *http.Request) { r.Header.Del("Authorization") }},
		{name: "Authorization garbled", at: now, code: "IncompleteSignatureException", msgPart: "",
			tamper: func(r *http.Request) { r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := azSignedRaw(t, srv, "POST", "/runtimes/", listBody, tt.at, key, secret, tt.tamper)
			code, e := r.apiError(t)
			if r.status != 403 || code != tt.code || !strings.Contains(e.Message, tt.msgPart) {
				t.Fatalf("got %d %s %q, want 403 %s containing %q", r.status, code, e.Message, tt.code, tt.msgPart)
			}
			if r.header.Get("x-amzn-RequestId") == "" {
				t.Error("no x-amzn-RequestId")
			}
		})
	}

	// The expiry message names the times as AWS does.
	r := azSignedRaw(t, srv, "POST", "/runtimes/", listBody, now.Add(-20*time.Minute), key, secret, nil)
	_, e := r.apiError(t)
	msg := e.Message
	signed := now.Add(-20 * time.Minute).UTC().Format("20060102T150405Z")
	if !strings.HasPrefix(msg, "Signature expired: "+signed+" is now earlier than ") || !strings.HasSuffix(msg, " - 15 min.)") {
		t.Errorf("expiry message %q", msg)
	}

	// A declared x-amz-content-sha256 must be the body's hash.
	req, _ := http.NewRequest("POST", srv.URL+"/runtimes/", bytes.NewReader([]byte(listBody)))
	req.Header.Set("X-Amz-Content-Sha256", strings.Repeat("ab", 32))
	sum := sha256.Sum256([]byte(listBody))
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}, req,
		hex.EncodeToString(sum[:]), auth.SigningName, "us-east-1", now); err != nil {
		t.Fatal(err)
	}
	r = rawDo(t, req)
	if code, _ := r.apiError(t); r.status != 403 || code != "InvalidSignatureException" {
		t.Errorf("content hash mismatch: %d %s", r.status, code)
	}
}

// TestPolicyIdentity: keys with an identity policy may do what it allows
// and nothing else; an explicit Deny wins over any Allow; wildcard actions
// and resource patterns match as in IAM.
func TestPolicyIdentity(t *testing.T) {
	ctx := context.Background()
	readOnly := auth.Credential{AccessKeyID: "AKIAREADONLY00000001", SecretAccessKey: "ro-secret", AccountID: azAccountA,
		Policy: &auth.Policy{Statement: []auth.Statement{
			{Effect: auth.Allow, Action: auth.Strings{"bedrock-agentcore:Get*", "bedrock-agentcore:List*"}, Resource: auth.Strings{"*"}},
			{Effect: auth.Deny, Action: auth.Strings{"bedrock-agentcore:*"}, Resource: auth.Strings{"arn:aws:bedrock-agentcore:*:*:runtime/az_secret-*"}},
		}}}
	noDelete := auth.Credential{AccessKeyID: "AKIANODELETE00000001", SecretAccessKey: "nd-secret", AccountID: azAccountA,
		Policy: &auth.Policy{Statement: []auth.Statement{
			{Effect: auth.Allow, Action: auth.Strings{"*"}, Resource: auth.Strings{"*"}},
			{Effect: auth.Deny, Action: auth.Strings{"bedrock-agentcore:Delete*"}, Resource: auth.Strings{"*"}},
		}}}
	srv := azStrict(t, readOnly, noDelete)
	admin := srv.Client(t) // the development key has no policy: everything allowed
	ro := srv.ClientAs(t, readOnly.AccessKeyID, readOnly.SecretAccessKey, "us-east-1")
	nd := srv.ClientAs(t, noDelete.AccessKeyID, noDelete.SecretAccessKey, "us-east-1")

	pubID, pubArn := azCreateRuntime(t, admin, "az_public", map[string]string{"k": "v"})
	secretID, _ := azCreateRuntime(t, admin, "az_secret", nil)

	_, err := ro.GetAgentRuntime(ctx, &ctl.GetAgentRuntimeInput{AgentRuntimeId: aws.String(pubID)})
	azNoErr(t, "read-only Get (Allow Get*)", err)
	_, err = ro.ListAgentRuntimes(ctx, &ctl.ListAgentRuntimesInput{})
	azNoErr(t, "read-only List (Allow List* on *)", err)
	_, err = ro.ListTagsForResource(ctx, &ctl.ListTagsForResourceInput{ResourceArn: aws.String(pubArn)})
	azNoErr(t, "read-only ListTagsForResource", err)

	denied := func(op, resource string) string {
		return "User: arn:aws:iam::" + azAccountA + ":user/" + readOnly.AccessKeyID +
			" is not authorized to perform: bedrock-agentcore:" + op + " on resource: " + resource
	}
	runtimeArn := func(id string) string { return "arn:aws:bedrock-agentcore:us-east-1:" + azAccountA + ":runtime/" + id }

	_, err = ro.GetAgentRuntime(ctx, &ctl.GetAgentRuntimeInput{AgentRuntimeId: aws.String(secretID)})
	azWant(t, "explicit Deny over Allow Get*", err, "AccessDeniedException", 403, denied("GetAgentRuntime", runtimeArn(secretID)))
	_, err = ro.GetAgentRuntimeEndpoint(ctx, &ctl.GetAgentRuntimeEndpointInput{AgentRuntimeId: aws.String(secretID), EndpointName: aws.String("DEFAULT")})
	azWant(t, "Deny pattern on a child resource", err, "AccessDeniedException", 403,
		denied("GetAgentRuntimeEndpoint", runtimeArn(secretID)+"/runtime-endpoint/DEFAULT"))
	_, err = ro.CreateAgentRuntime(ctx, &ctl.CreateAgentRuntimeInput{AgentRuntimeName: aws.String("az_nope"),
		AgentRuntimeArtifact: rtContainer(rtImage), RoleArn: aws.String(rtRole), NetworkConfiguration: rtPublic()})
	azWant(t, "no Allow for Create", err, "AccessDeniedException", 403, denied("CreateAgentRuntime", "*"))
	_, err = ro.TagResource(ctx, &ctl.TagResourceInput{ResourceArn: aws.String(pubArn), Tags: map[string]string{"x": "y"}})
	azWant(t, "no Allow for Tag", err, "AccessDeniedException", 403, denied("TagResource", pubArn))
	var typed *types.AccessDeniedException
	if !errors.As(err, &typed) {
		t.Errorf("the SDK did not decode %T as types.AccessDeniedException", err)
	}

	// Allow * with Deny Delete*.
	id, _ := azCreateRuntime(t, nd, "az_nd", nil)
	_, err = nd.UpdateAgentRuntimeEndpoint(ctx, &ctl.UpdateAgentRuntimeEndpointInput{AgentRuntimeId: aws.String(id), EndpointName: aws.String("DEFAULT")})
	if code, _, _ := azErr(err); code == "AccessDeniedException" {
		t.Fatalf("Allow * denied UpdateAgentRuntimeEndpoint: %v", err)
	}
	_, err = nd.DeleteAgentRuntime(ctx, &ctl.DeleteAgentRuntimeInput{AgentRuntimeId: aws.String(id)})
	azWant(t, "Deny Delete* over Allow *", err, "AccessDeniedException", 403, "")
	_, err = admin.DeleteAgentRuntime(ctx, &ctl.DeleteAgentRuntimeInput{AgentRuntimeId: aws.String(id)})
	azNoErr(t, "the key without a policy deletes", err)
}
