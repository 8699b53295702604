package e2e

import (
	"os/exec"
	"strings"
	"testing"

	"agentcored/internal/testserver"
)

// The built-in tools through boto3, as an agent written in Python calls
// them: a code interpreter session keeps files and variables between calls
// and its event stream parses natively; a browser session answers its
// automation stream and ends when stopped.

func TestCodeInterpreterBoto3(t *testing.T) {
	py := admPython(t, "boto3")
	srv := testserver.Start(t)
	script := `import boto3, botocore.config
c = boto3.client("bedrock-agentcore", region_name="us-east-1", aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
    aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    config=botocore.config.Config(retries={"max_attempts": 1}))
s = c.start_code_interpreter_session(codeInterpreterIdentifier="aws.codeinterpreter.v1", name="boto3", sessionTimeoutSeconds=300)
sid = s["sessionId"]
def run(name, args):
    r = c.invoke_code_interpreter(codeInterpreterIdentifier="aws.codeinterpreter.v1", sessionId=sid, name=name, arguments=args)
    for ev in r["stream"]:
        if "result" in ev:
            return ev["result"]
print(run("executeCode", {"language": "python", "code": "n = 6 * 7\nopen('kept.txt', 'w').write('kept')\nprint(n)"})["structuredContent"]["stdout"].strip())
print(run("executeCode", {"language": "python", "code": "print(n + 1, open('kept.txt').read())"})["structuredContent"]["stdout"].strip())
files = run("readFiles", {"paths": ["kept.txt"]})
print(files["content"][0]["resource"]["text"])
c.stop_code_interpreter_session(codeInterpreterIdentifier="aws.codeinterpreter.v1", sessionId=sid)
print(c.get_code_interpreter_session(codeInterpreterIdentifier="aws.codeinterpreter.v1", sessionId=sid)["status"])
`
	cmd := exec.Command(py, "-c", script)
	cmd.Env = append(cleanAWSEnv(), "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE="+srv.URL)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("boto3: %v\n%s", err, out)
	}
	if got, want := strings.TrimSpace(string(out)), "42\n43 kept\nkept\nTERMINATED"; got != want {
		t.Errorf("boto3 printed:\n%s\nwant:\n%s", got, want)
	}
}

func TestBrowserSessionBoto3(t *testing.T) {
	py := admPython(t, "boto3")
	if _, err := exec.LookPath("chromium"); err != nil {
		t.Skip("chromium not installed (CI installs it)")
	}
	srv := testserver.Start(t)
	script := `import boto3, botocore.config
c = boto3.client("bedrock-agentcore", region_name="us-east-1", aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
    aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    config=botocore.config.Config(retries={"max_attempts": 1}))
s = c.start_browser_session(browserIdentifier="aws.browser.v1", name="boto3", sessionTimeoutSeconds=300)
sid = s["sessionId"]
print(s["streams"]["automationStream"]["streamEndpoint"].startswith("ws://"))
print(c.get_browser_session(browserIdentifier="aws.browser.v1", sessionId=sid)["status"])
c.stop_browser_session(browserIdentifier="aws.browser.v1", sessionId=sid)
print(c.get_browser_session(browserIdentifier="aws.browser.v1", sessionId=sid)["status"])
`
	cmd := exec.Command(py, "-c", script)
	cmd.Env = append(cleanAWSEnv(), "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE="+srv.URL)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("boto3: %v\n%s", err, out)
	}
	if got, want := strings.TrimSpace(string(out)), "True\nREADY\nTERMINATED"; got != want {
		t.Errorf("boto3 printed:\n%s\nwant:\n%s", got, want)
	}
}
