package dataplane

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"agentcored/internal/awserr"
	"agentcored/internal/service"
)

// AgentBinding says how an artifact runs here: the runtime versions whose
// artifact is Image (containerConfiguration.containerUri) or Code
// (codeConfiguration's S3 location as s3://bucket/prefix) reach the agent
// at URL (already running), or one that agentcored starts with Command in
// Dir for each session, or (Run "container") the image run by podman or
// docker.
type AgentBinding struct {
	Image string `yaml:"image,omitempty" json:"image,omitempty"`
	Code  string `yaml:"code,omitempty" json:"code,omitempty"`
	URL   string `yaml:"url,omitempty" json:"url,omitempty"`
	// Command is the agent's argv; it gets the port to listen on in the
	// environment variables PORT and AGENTCORED_AGENT_PORT.
	Command []string `yaml:"command,omitempty" json:"command,omitempty"`
	// Dir is the command's working directory; a relative one is resolved
	// against the config file's directory when loaded from a file.
	Dir string            `yaml:"dir,omitempty" json:"dir,omitempty"`
	Env map[string]string `yaml:"env,omitempty" json:"env,omitempty"`
	// StartTimeout bounds the wait for a started agent's GET /ping to
	// answer 200 (default DefaultStartTimeout).
	StartTimeout Duration `yaml:"startTimeout,omitempty" json:"startTimeout,omitempty"`
	// Run is "" (URL or Command) or "container" (run Image with podman or
	// docker).
	Run string `yaml:"run,omitempty" json:"run,omitempty"`
}

// RunContainer is AgentBinding.Run for an image run by podman or docker.
const RunContainer = "container"

// DefaultStartTimeout is how long a started agent has to answer /ping.
const DefaultStartTimeout = 30 * time.Second

// Duration is a time.Duration written as text ("30s") in YAML and JSON.
type Duration time.Duration

func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("startTimeout: %q is not a duration such as 30s", b)
	}
	*d = Duration(v)
	return nil
}

// IsZero lets omitempty / omitzero leave an unset timeout out.
func (d Duration) IsZero() bool { return d == 0 }

// startTimeout is the binding's timeout or the default.
func (b *AgentBinding) startTimeout() time.Duration {
	if b.StartTimeout > 0 {
		return time.Duration(b.StartTimeout)
	}
	return DefaultStartTimeout
}

// Validate checks one binding; the error names the field.
func (b *AgentBinding) Validate() error {
	if (b.Image == "") == (b.Code == "") {
		return fmt.Errorf("exactly one of image and code must be set")
	}
	if b.Code != "" {
		if _, err := parseS3URI(b.Code); err != nil {
			return fmt.Errorf("code: %w", err)
		}
	}
	switch b.Run {
	case "":
		if (b.URL == "") == (len(b.Command) == 0) {
			return fmt.Errorf("exactly one of url and command must be set (or run: container)")
		}
	case RunContainer:
		if b.Image == "" {
			return fmt.Errorf("run: container needs image, not code")
		}
		if b.URL != "" || len(b.Command) > 0 {
			return fmt.Errorf("run: container takes neither url nor command")
		}
	default:
		return fmt.Errorf("run: %q is not \"\" or %q", b.Run, RunContainer)
	}
	if b.URL != "" {
		if _, err := parseAgentURL(b.URL); err != nil {
			return fmt.Errorf("url: %w", err)
		}
	}
	if len(b.Command) > 0 && strings.TrimSpace(b.Command[0]) == "" {
		return fmt.Errorf("command: the program (first element) is empty")
	}
	if b.Dir != "" && b.Run == "" && len(b.Command) == 0 {
		return fmt.Errorf("dir is only for command")
	}
	if b.StartTimeout < 0 {
		return fmt.Errorf("startTimeout must not be negative")
	}
	for k := range b.Env {
		if k == "" || strings.Contains(k, "=") {
			return fmt.Errorf("env: invalid variable name %q", k)
		}
	}
	return nil
}

// ValidateAgents checks a whole list: each binding, and no artifact bound
// twice.
func ValidateAgents(list []AgentBinding) error {
	seen := map[string]int{}
	for i := range list {
		if err := list[i].Validate(); err != nil {
			return fmt.Errorf("agents[%d]: %w", i, err)
		}
		key := list[i].artifactKey()
		if j, ok := seen[key]; ok {
			return fmt.Errorf("agents[%d]: %s is already bound by agents[%d]", i, key, j)
		}
		seen[key] = i
	}
	return nil
}

// ResolveDirs makes every relative Dir absolute against base (the config
// file's directory).
func ResolveDirs(list []AgentBinding, base string) {
	for i := range list {
		if d := list[i].Dir; d != "" && !filepath.IsAbs(d) {
			list[i].Dir = filepath.Join(base, d)
		}
	}
}

func (b *AgentBinding) artifactKey() string {
	if b.Image != "" {
		return "image " + b.Image
	}
	return "code " + strings.TrimSuffix(b.Code, "/")
}

func parseS3URI(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "s3" || u.Host == "" || strings.Trim(u.Path, "/") == "" {
		return "", fmt.Errorf("%q is not an s3://bucket/prefix URI", raw)
	}
	return "s3://" + u.Host + "/" + strings.Trim(u.Path, "/"), nil
}

func parseAgentURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an http(s) base URL such as http://127.0.0.1:8080", raw)
	}
	return u, nil
}

// agentRegistry holds the bindings; the admin API replaces them at run
// time.
type agentRegistry struct {
	mu   sync.RWMutex
	list []AgentBinding
}

func (r *agentRegistry) set(list []AgentBinding) error {
	if err := ValidateAgents(list); err != nil {
		return err
	}
	cp := append([]AgentBinding(nil), list...)
	r.mu.Lock()
	r.list = cp
	r.mu.Unlock()
	return nil
}

func (r *agentRegistry) get() []AgentBinding {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return append([]AgentBinding{}, r.list...)
}

// artifactKeys are the keys a version's artifact matches bindings by, most
// precise first: the image, or the code's s3://bucket/prefix/versionId then
// s3://bucket/prefix.
func artifactKeys(t *service.RuntimeTarget) []string {
	a := t.Config.AgentRuntimeArtifact
	switch {
	case a == nil:
		return nil
	case a.ContainerConfiguration != nil && a.ContainerConfiguration.ContainerUri != "":
		return []string{"image " + a.ContainerConfiguration.ContainerUri}
	case a.CodeConfiguration != nil && a.CodeConfiguration.Code != nil && a.CodeConfiguration.Code.S3 != nil:
		s3 := a.CodeConfiguration.Code.S3
		base := "code s3://" + s3.Bucket + "/" + strings.Trim(s3.Prefix, "/")
		if s3.VersionId != "" {
			return []string{base + "/" + s3.VersionId, base}
		}
		return []string{base}
	}
	return nil
}

// artifactText names the artifact in messages.
func artifactText(t *service.RuntimeTarget) string {
	keys := artifactKeys(t)
	if len(keys) == 0 {
		return "no artifact"
	}
	k := keys[len(keys)-1]
	kind, v, _ := strings.Cut(k, " ")
	return kind + " " + v
}

// agentTarget is where a version's calls go: a fixed URL, or a binding
// that starts an agent per session.
type agentTarget struct {
	url     *url.URL      // fixed agent (environment variable or url binding)
	binding *AgentBinding // command or container binding; nil for a fixed URL
	source  string        // how it was bound, for messages and the admin API
}

// agentFor resolves the version's agent: its AGENTCORED_AGENT_URL
// environment variable wins, then the binding its artifact matches, else a
// RuntimeClientError saying both ways to bind it.
func (s *Service) agentFor(t *service.RuntimeTarget) (*agentTarget, error) {
	if raw, ok := t.Config.EnvironmentVariables[EnvAgentURL]; ok && strings.TrimSpace(raw) != "" {
		u, err := parseAgentURL(raw)
		if err != nil {
			return nil, awserr.Errorf(codeRuntimeClient, "Agent runtime '%s' (version %s): environment variable %s: %v.",
				t.RuntimeID, t.Version, EnvAgentURL, err)
		}
		return &agentTarget{url: u, source: "env " + EnvAgentURL}, nil
	}
	list := s.registry.get()
	for _, key := range artifactKeys(t) {
		for i := range list {
			if list[i].artifactKey() != key {
				continue
			}
			b := list[i]
			if b.URL != "" {
				u, _ := parseAgentURL(b.URL) // validated when set
				return &agentTarget{url: u, source: key}, nil
			}
			return &agentTarget{binding: &b, source: key}, nil
		}
	}
	return nil, awserr.Errorf(codeRuntimeClient,
		"Agent runtime '%s' (version %s, endpoint %s, %s) is not bound to an agent. Bind it either with an agents: entry in "+
			"agentcored's config file (or PUT /_agentcored/agents) whose image or code is this artifact and whose url or command "+
			"says how it runs, or by setting the runtime's environment variable %s=http://host:port "+
			"(environmentVariables in CreateAgentRuntime or UpdateAgentRuntime) to the base URL of your running agent "+
			"(POST /invocations, GET /ping).",
		t.RuntimeID, t.Version, t.Endpoint, artifactText(t), EnvAgentURL)
}
