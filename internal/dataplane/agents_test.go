package dataplane

import (
	"strings"
	"testing"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/service"
)

const testImage = "123456789012.dkr.ecr.us-east-1.amazonaws.com/my-agent:latest"

func TestAgentBindingValidate(t *testing.T) {
	for _, c := range []struct {
		name    string
		b       AgentBinding
		wantErr string // "" for valid
	}{
		{"image+url", AgentBinding{Image: testImage, URL: "http://127.0.0.1:8080"}, ""},
		{"image+command", AgentBinding{Image: testImage, Command: []string{"python3", "agent.py"}, Dir: "./x"}, ""},
		{"code+command", AgentBinding{Code: "s3://bucket/prefix/agent.zip", Command: []string{"python3", "main.py"}}, ""},
		{"container", AgentBinding{Image: testImage, Run: RunContainer}, ""},
		{"neither image nor code", AgentBinding{URL: "http://127.0.0.1:1"}, "exactly one of image and code"},
		{"both image and code", AgentBinding{Image: testImage, Code: "s3://b/p", URL: "http://127.0.0.1:1"}, "exactly one of image and code"},
		{"neither url nor command", AgentBinding{Image: testImage}, "exactly one of url and command"},
		{"both url and command", AgentBinding{Image: testImage, URL: "http://127.0.0.1:1", Command: []string{"x"}}, "exactly one of url and command"},
		{"bad url", AgentBinding{Image: testImage, URL: "127.0.0.1:8080"}, "url:"},
		{"bad code", AgentBinding{Code: "bucket/prefix", Command: []string{"x"}}, "code:"},
		{"empty program", AgentBinding{Image: testImage, Command: []string{""}}, "command:"},
		{"container with command", AgentBinding{Image: testImage, Run: RunContainer, Command: []string{"x"}}, "neither url nor command"},
		{"container of code", AgentBinding{Code: "s3://b/p", Run: RunContainer}, "needs image"},
		{"unknown run", AgentBinding{Image: testImage, Run: "vm"}, "run:"},
		{"dir without command", AgentBinding{Image: testImage, URL: "http://127.0.0.1:1", Dir: "x"}, "dir is only for command"},
		{"negative timeout", AgentBinding{Image: testImage, URL: "http://127.0.0.1:1", StartTimeout: -1}, "startTimeout"},
		{"bad env", AgentBinding{Image: testImage, URL: "http://127.0.0.1:1", Env: map[string]string{"A=B": "x"}}, "env:"},
	} {
		err := c.b.Validate()
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("%s: %v, want valid", c.name, err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%s: %v, want an error with %q", c.name, err, c.wantErr)
		}
	}
	dup := []AgentBinding{{Image: testImage, URL: "http://127.0.0.1:1"}, {Image: testImage, Command: []string{"x"}}}
	if err := ValidateAgents(dup); err == nil || !strings.Contains(err.Error(), "agents[1]") {
		t.Errorf("an image bound twice: %v", err)
	}
}

func TestResolveDirs(t *testing.T) {
	list := []AgentBinding{{Dir: "rel/x"}, {Dir: "/abs"}, {}}
	ResolveDirs(list, "/etc/agentcored")
	if list[0].Dir != "/etc/agentcored/rel/x" || list[1].Dir != "/abs" || list[2].Dir != "" {
		t.Errorf("dirs: %+v", list)
	}
}

func containerTarget(image string, env map[string]string) *service.RuntimeTarget {
	return &service.RuntimeTarget{RuntimeID: "r-1", Version: "1", Endpoint: "DEFAULT", Config: api.GetAgentRuntimeResponse{
		EnvironmentVariables: env,
		AgentRuntimeArtifact: &api.AgentRuntimeArtifact{ContainerConfiguration: &api.ContainerConfiguration{ContainerUri: image}}}}
}

func codeTarget(bucket, prefix, version string) *service.RuntimeTarget {
	return &service.RuntimeTarget{RuntimeID: "r-2", Version: "3", Endpoint: "DEFAULT", Config: api.GetAgentRuntimeResponse{
		AgentRuntimeArtifact: &api.AgentRuntimeArtifact{CodeConfiguration: &api.CodeConfiguration{
			Code: &api.Code{S3: &api.S3Location{Bucket: bucket, Prefix: prefix, VersionId: version}}}}}}
}

func TestAgentFor(t *testing.T) {
	s := &Service{registry: &agentRegistry{}}
	if err := s.SetAgents([]AgentBinding{
		{Image: testImage, URL: "http://127.0.0.1:9001"},
		{Code: "s3://bucket/agents/a.zip", Command: []string{"python3", "main.py"}},
		{Code: "s3://bucket/agents/b.zip/v7", URL: "http://127.0.0.1:9007"},
		{Code: "s3://bucket/agents/b.zip", URL: "http://127.0.0.1:9000"},
	}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		target  *service.RuntimeTarget
		wantURL string // "" with wantCmd: a command binding
		wantCmd bool
		wantErr string
	}{
		{"env var wins over the binding", containerTarget(testImage, map[string]string{EnvAgentURL: "http://127.0.0.1:7000"}), "http://127.0.0.1:7000", false, ""},
		{"image binding", containerTarget(testImage, nil), "http://127.0.0.1:9001", false, ""},
		{"code binding with command", codeTarget("bucket", "agents/a.zip", ""), "", true, ""},
		{"code version binding is more precise", codeTarget("bucket", "agents/b.zip", "v7"), "http://127.0.0.1:9007", false, ""},
		{"other code version falls back", codeTarget("bucket", "agents/b.zip", "v8"), "http://127.0.0.1:9000", false, ""},
		{"bad env var", containerTarget(testImage, map[string]string{EnvAgentURL: "ftp://x"}), "", false, EnvAgentURL},
		{"unbound image", containerTarget("other:latest", nil), "", false, "agents: entry"},
		{"unbound code", codeTarget("bucket", "nope", ""), "", false, "AGENTCORED_AGENT_URL=http://host:port"},
	} {
		at, err := s.agentFor(c.target)
		if c.wantErr != "" {
			e, ok := err.(*awserr.Error)
			if !ok || e.Code != codeRuntimeClient || !strings.Contains(e.Message, c.wantErr) {
				t.Errorf("%s: %v, want RuntimeClientError with %q", c.name, err, c.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if c.wantCmd {
			if at.binding == nil || at.url != nil || at.binding.Command[0] != "python3" {
				t.Errorf("%s: %+v, want the command binding", c.name, at)
			}
			continue
		}
		if at.url == nil || at.url.String() != c.wantURL || at.binding != nil {
			t.Errorf("%s: %+v, want url %s", c.name, at, c.wantURL)
		}
	}
	// A bad list changes nothing.
	if err := s.SetAgents([]AgentBinding{{Image: "x"}}); err == nil || len(s.Agents()) != 4 {
		t.Errorf("bad list: %v, %d bindings", err, len(s.Agents()))
	}
}
