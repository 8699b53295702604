package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Helpers every family's tests share. Fixtures of one family (creating a
// minimal gateway, a runtime, ...) stay in that family's file, with its
// prefix.

// errCode is the error code of an SDK error: "" for nil, and a text no
// code equals for an error that is not an API error.
func errCode(err error) string {
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return "not an API error: " + err.Error()
}

// errStatus is the HTTP status of the answer behind an SDK error, 0 when
// no answer came.
func errStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// wantCode reports, and lets the test go on, unless err has the given code.
func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := errCode(err); got != code {
		t.Errorf("%s: got %q (%v), want %s", what, got, err, code)
	}
}

// requireCode stops the test unless err has the given code.
func requireCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := errCode(err); got != code {
		t.Fatalf("got error %q (%v), want %s", got, err, code)
	}
}

// validationReason is the reason of a ValidationException; ok is false for
// any other error.
func validationReason(err error) (reason types.ValidationExceptionReason, ok bool) {
	var e *types.ValidationException
	if !errors.As(err, &e) {
		return "", false
	}
	return e.Reason, true
}

// httpStatus is the HTTP status the server answered an operation with.
func httpStatus(t *testing.T, md middleware.Metadata) int {
	t.Helper()
	raw, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response)
	if !ok {
		t.Fatal("no raw response in the result metadata")
	}
	return raw.StatusCode
}

// clientToken is an idempotency token made from seed, padded to 40
// characters (the model wants at least 33).
func clientToken(seed string) string {
	return seed + strings.Repeat("0", max(0, 40-len(seed)))
}

// eventually polls fn until it reports done; an error from fn fails the
// test. The deadline is generous and only ends a broken run: nothing is
// asserted about how long it took.
func eventually(t *testing.T, what string, fn func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		done, err := fn()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached before the deadline", what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// eventuallyStatus polls status until it answers want; meanwhile it may
// only answer one of the passing statuses.
func eventuallyStatus[S ~string](t *testing.T, what string, status func() (S, error), want S, passing ...S) {
	t.Helper()
	eventually(t, what, func() (bool, error) {
		st, err := status()
		switch {
		case err != nil:
			return false, err
		case st == want:
			return true, nil
		case slices.Contains(passing, st):
			return false, nil
		}
		return false, errors.New("unexpected status " + string(st))
	})
}

// eventuallyGone polls status until it answers ResourceNotFoundException;
// meanwhile the resource must be in the deleting status.
func eventuallyGone[S ~string](t *testing.T, what string, status func() (S, error), deleting S) {
	t.Helper()
	eventually(t, what, func() (bool, error) {
		st, err := status()
		switch {
		case errCode(err) == "ResourceNotFoundException":
			return true, nil
		case err != nil:
			return false, err
		case st != deleting:
			return false, errors.New("unexpected status " + string(st))
		}
		return false, nil
	})
}

// decodeJSON decodes text into out or stops the test.
func decodeJSON(t *testing.T, text string, out any) {
	t.Helper()
	if err := json.Unmarshal([]byte(text), out); err != nil {
		t.Fatalf("%q is not the JSON wanted: %v", text, err)
	}
}

// rawResponse is one answer read off the wire.
type rawResponse struct {
	status int
	header http.Header
	body   []byte
}

// errorBody is the JSON body of an AWS error answer.
type errorBody struct {
	Message   string `json:"message"`
	Reason    string `json:"reason"`
	FieldList []struct {
		Name    string `json:"name"`
		Message string `json:"message"`
	} `json:"fieldList"`
}

// apiError is the error type header and the decoded body of an error answer.
func (r rawResponse) apiError(t *testing.T) (code string, body errorBody) {
	t.Helper()
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatalf("error body is not JSON: %v: %s", err, r.body)
	}
	return r.header.Get("X-Amzn-ErrorType"), body
}

// rawClient never follows redirects, so that a redirect shows up as its own
// status.
var rawClient = &http.Client{
	Timeout:       60 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// rawDo sends req as it is and reads the whole answer.
func rawDo(t *testing.T, req *http.Request) rawResponse {
	t.Helper()
	resp, err := rawClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return rawResponse{status: resp.StatusCode, header: resp.Header, body: b}
}

// rawRequest sends an unsigned request (fine for a permissive server and
// its admin API), with a JSON body unless body is empty.
func rawRequest(t *testing.T, method, url, body string) rawResponse {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return rawDo(t, req)
}

// adminOK sends an admin API request that must succeed and returns the
// answer body.
func adminOK(t *testing.T, method, url, body string) string {
	t.Helper()
	r := rawRequest(t, method, url, body)
	if r.status >= 300 {
		t.Fatalf("%s %s: %d %s", method, url, r.status, r.body)
	}
	return string(r.body)
}

// adminStatus sends an admin API request that must answer exactly status.
func adminStatus(t *testing.T, method, url, body string, status int) string {
	t.Helper()
	r := rawRequest(t, method, url, body)
	if r.status != status {
		t.Fatalf("%s %s: %d %s, want %d", method, url, r.status, r.body, status)
	}
	return string(r.body)
}

// addFault installs a fault rule on the server at base.
func addFault(t *testing.T, base string, rule map[string]any) {
	t.Helper()
	b, err := json.Marshal(rule)
	if err != nil {
		t.Fatal(err)
	}
	adminStatus(t, http.MethodPost, base+"/_agentcored/faults", string(b), http.StatusCreated)
}

// failNext makes the next call of operation fail with reason: the resource
// it touches ends in its failed status.
func failNext(t *testing.T, base, operation, reason string) {
	t.Helper()
	addFault(t, base, map[string]any{"operation": operation, "action": "fail", "failureReason": reason, "count": 1})
}

// setLifecycle sets the lifecycle policy of one family.
func setLifecycle(t *testing.T, base, family, policy string) {
	t.Helper()
	adminStatus(t, http.MethodPut, base+"/_agentcored/lifecycle", fmt.Sprintf(`{"family":%q,"policy":%q}`, family, policy), http.StatusOK)
}

// advanceOne completes the pending transition of one resource (manual
// lifecycle); there must be one.
func advanceOne(t *testing.T, base, kind, id string) {
	t.Helper()
	body := adminOK(t, http.MethodPost, base+"/_agentcored/lifecycle/advance", fmt.Sprintf(`{"kind":%q,"id":%q}`, kind, id))
	if !strings.Contains(body, `"advanced":true`) {
		t.Fatalf("nothing to advance for %s %s: %s", kind, id, body)
	}
}

// advanceAll completes every pending transition.
func advanceAll(t *testing.T, base string) {
	t.Helper()
	adminStatus(t, http.MethodPost, base+"/_agentcored/lifecycle/advance", `{}`, http.StatusOK)
}

// cleanAWSEnv is the environment without AWS_* variables (a developer's
// profile or endpoint must not leak into client tests), plus AWS_DATA_PATH
// naming the repository's models/ so that boto3 and the AWS CLI know the
// same operations and shapes as the server, whatever botocore is installed.
func cleanAWSEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	return append(env, "AWS_DATA_PATH="+repoModels)
}

// repoModels is the absolute path of the repository's models/ directory
// (the tests run in internal/e2e).
var repoModels = func() string {
	dir, err := filepath.Abs(filepath.Join("..", "..", "models"))
	if err != nil {
		panic(err)
	}
	return dir
}()

// awsCLI runs the AWS CLI against a test server with fixed development
// credentials, no retries and no user configuration.
type awsCLI struct {
	t   *testing.T
	url string
	env []string
}

// newAWSCLI skips the test when the aws command is not installed.
func newAWSCLI(t *testing.T, url string) *awsCLI {
	t.Helper()
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("aws CLI not on PATH")
	}
	dir := t.TempDir()
	env := append(cleanAWSEnv(),
		"AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
		"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=",
		"AWS_MAX_ATTEMPTS=1",
		"AWS_CONFIG_FILE="+filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "credentials"),
	)
	return &awsCLI{t: t, url: url, env: env}
}

// run executes one bedrock-agentcore-control command and returns its stdout
// and stderr, and whether it succeeded.
func (c *awsCLI) run(args ...string) (stdout, stderr string, ok bool) {
	c.t.Helper()
	full := append([]string{"bedrock-agentcore-control", "--endpoint-url", c.url, "--output", "json"}, args...)
	cmd := exec.Command("aws", full...)
	cmd.Env = c.env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil {
		if _, isExit := err.(*exec.ExitError); !isExit {
			c.t.Fatalf("aws %s: %v", strings.Join(args, " "), err)
		}
	}
	return out.String(), errb.String(), err == nil
}

// json runs a command that must succeed and decodes its JSON output (an
// empty map when it prints nothing).
func (c *awsCLI) json(args ...string) map[string]any {
	c.t.Helper()
	stdout, stderr, ok := c.run(args...)
	if !ok {
		c.t.Fatalf("aws %s failed: %s", strings.Join(args, " "), stderr)
	}
	out := map[string]any{}
	if strings.TrimSpace(stdout) == "" {
		return out
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		c.t.Fatalf("aws %s: output is not JSON: %v\n%s", strings.Join(args, " "), err, stdout)
	}
	return out
}

// fails runs a command that must fail with the given error code.
func (c *awsCLI) fails(code string, args ...string) {
	c.t.Helper()
	if _, stderr, ok := c.run(args...); ok || !strings.Contains(stderr, "("+code+")") {
		c.t.Fatalf("aws %s: want %s, got ok=%v stderr=%s", strings.Join(args, " "), code, ok, stderr)
	}
}
