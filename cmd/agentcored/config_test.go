package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"agentcored/internal/server"
	"agentcored/internal/service"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := vars[k]
		return v, ok
	}
}

// TestConfigPrecedence: for each setting, a flag beats the environment,
// which beats the config file, which beats the default.
func TestConfigPrecedence(t *testing.T) {
	file := writeFile(t, "agentcored.yaml", `
listen: file:1
region: eu-file-1
account: "111111111111"
lifecycle: timed
lifecycleDelay: 5s
logLevel: warn
throttle:
  rate: 10
  burst: 20
`)
	cases := []struct {
		name  string
		args  []string
		env   map[string]string
		check func(t *testing.T, o *options)
	}{
		{"defaults", nil, nil, func(t *testing.T, o *options) {
			def := server.DefaultConfig()
			if o.server.Listen != def.Listen || o.server.Region != def.Region || o.server.Lifecycle != def.Lifecycle ||
				o.server.LifecycleDelay != def.LifecycleDelay || o.logLevel != "info" || o.server.ThrottleRate != 0 {
				t.Fatalf("defaults not kept: %+v", o.server)
			}
		}},
		{"file over defaults", []string{"--config", file}, nil, func(t *testing.T, o *options) {
			if o.server.Listen != "file:1" || o.server.Region != "eu-file-1" || o.server.Account != "111111111111" ||
				o.server.Lifecycle != "timed" || o.server.LifecycleDelay != 5*time.Second || o.logLevel != "warn" ||
				o.server.ThrottleRate != 10 || o.server.ThrottleBurst != 20 {
				t.Fatalf("file not applied: %+v level %s", o.server, o.logLevel)
			}
			if o.server.DataDir != server.DefaultConfig().DataDir {
				t.Fatalf("a key absent from the file changed: dataDir %q", o.server.DataDir)
			}
		}},
		{"file named by the environment", nil, map[string]string{"AGENTCORED_CONFIG": file}, func(t *testing.T, o *options) {
			if o.server.Region != "eu-file-1" {
				t.Fatalf("AGENTCORED_CONFIG not read: region %q", o.server.Region)
			}
		}},
		{"env over file", []string{"--config", file}, map[string]string{
			"AGENTCORED_REGION": "eu-env-1", "AGENTCORED_LIFECYCLE_DELAY": "7s", "AGENTCORED_THROTTLE_RATE": "30",
		}, func(t *testing.T, o *options) {
			if o.server.Region != "eu-env-1" || o.server.LifecycleDelay != 7*time.Second || o.server.ThrottleRate != 30 {
				t.Fatalf("env did not win over the file: %+v", o.server)
			}
			if o.server.Listen != "file:1" || o.server.ThrottleBurst != 20 {
				t.Fatalf("file values without env lost: %+v", o.server)
			}
		}},
		{"flag over env and file", []string{"--config", file, "--region", "eu-flag-1", "--lifecycle-delay=9s", "--log-level", "debug"},
			map[string]string{"AGENTCORED_REGION": "eu-env-1", "AGENTCORED_LIFECYCLE_DELAY": "7s", "AGENTCORED_LOG_LEVEL": "error"},
			func(t *testing.T, o *options) {
				if o.server.Region != "eu-flag-1" || o.server.LifecycleDelay != 9*time.Second || o.logLevel != "debug" {
					t.Fatalf("flags did not win: %+v level %s", o.server, o.logLevel)
				}
				if o.server.Lifecycle != "timed" {
					t.Fatalf("file value lost: lifecycle %q", o.server.Lifecycle)
				}
			}},
		{"flag set to its default still wins", []string{"--config", file, "--region", "us-east-1"}, nil,
			func(t *testing.T, o *options) {
				if o.server.Region != "us-east-1" {
					t.Fatalf("explicit flag equal to the default lost to the file: %q", o.server.Region)
				}
			}},
		{"config flag over config env", []string{"--config", file}, map[string]string{"AGENTCORED_CONFIG": "/nonexistent.yaml"},
			func(t *testing.T, o *options) {
				if o.configFile != file {
					t.Fatalf("config file %q, want %q", o.configFile, file)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o, err := loadOptions(tc.args, env(tc.env))
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, o)
		})
	}
}

// TestConfigFileEveryKey: every key of the file reaches the config, JSON
// works as well as YAML, and quotas override the defaults one by one.
func TestConfigFileEveryKey(t *testing.T) {
	creds := writeFile(t, "creds.yaml", "credentials:\n  - accessKeyId: AKIACONFIGTEST\n    secretAccessKey: s3cret\n    accountId: \"222222222222\"\n")
	yamlDoc := `listen: 0.0.0.0:4566
dataDir: /data
databaseUrl: postgres://db/agentcored
region: eu-west-1
account: "333333333333"
lifecycle: manual
lifecycleDelay: 250ms
auth: strict
credentials: ` + creds + `
secretsKeyFile: /keys/secrets.key
maxBodyBytes: 1048576
logLevel: error
throttle: {rate: 2.5, burst: 4}
quotas:
  runtimesPerAccount: 3
  tagsPerResource: 7
`
	jsonDoc := `{"listen": "0.0.0.0:4566", "dataDir": "/data", "databaseUrl": "postgres://db/agentcored",
  "region": "eu-west-1", "account": "333333333333", "lifecycle": "manual", "lifecycleDelay": "250ms",
  "auth": "strict", "credentials": "` + creds + `", "secretsKeyFile": "/keys/secrets.key",
  "maxBodyBytes": 1048576, "logLevel": "error", "throttle": {"rate": 2.5, "burst": 4},
  "quotas": {"runtimesPerAccount": 3, "tagsPerResource": 7}}`
	for name, doc := range map[string]string{"yaml": yamlDoc, "json": jsonDoc} {
		t.Run(name, func(t *testing.T) {
			o, err := loadOptions([]string{"--config", writeFile(t, "c."+name, doc)}, env(nil))
			if err != nil {
				t.Fatal(err)
			}
			c := o.server
			if c.Listen != "0.0.0.0:4566" || c.DataDir != "/data" || c.DatabaseURL != "postgres://db/agentcored" ||
				c.Region != "eu-west-1" || c.Account != "333333333333" || c.Lifecycle != "manual" ||
				c.LifecycleDelay != 250*time.Millisecond || c.Auth != "strict" || c.SecretsKeyFile != "/keys/secrets.key" ||
				c.MaxBodyBytes != 1<<20 || o.logLevel != "error" || c.ThrottleRate != 2.5 || c.ThrottleBurst != 4 {
				t.Fatalf("config: %+v level %s", c, o.logLevel)
			}
			if len(c.Credentials) != 1 || c.Credentials[0].AccessKeyID != "AKIACONFIGTEST" || c.Credentials[0].AccountID != "222222222222" {
				t.Fatalf("credentials file not loaded: %+v", c.Credentials)
			}
			want := service.DefaultQuotas
			want.RuntimesPerAccount, want.TagsPerResource = 3, 7
			if c.Quotas != want {
				t.Fatalf("quotas %+v, want %+v", c.Quotas, want)
			}
		})
	}
}

func TestConfigRejects(t *testing.T) {
	cases := map[string]struct {
		file, want string
		args       []string
		env        map[string]string
	}{
		"unknown key":          {file: "listen: x\nlistn: y\n", want: "listn"},
		"unknown nested key":   {file: "throttle:\n  rat: 3\n", want: "rat"},
		"unknown quota":        {file: "quotas:\n  noSuchQuota: 3\n", want: "noSuchQuota"},
		"bad duration":         {file: "lifecycleDelay: soon\n", want: "lifecycleDelay"},
		"negative duration":    {file: "lifecycleDelay: -1s\n", want: "negative"},
		"bad log level":        {file: "logLevel: loud\n", want: "logLevel"},
		"list for a scalar":    {file: "region: [a, b]\n", want: "single value"},
		"null value":           {file: "region:\n", want: "single value"},
		"zero quota":           {file: "quotas:\n  runtimesPerAccount: 0\n", want: "positive"},
		"bad env value":        {env: map[string]string{"AGENTCORED_THROTTLE_RATE": "fast"}, want: "AGENTCORED_THROTTLE_RATE"},
		"bad flag value":       {args: []string{"--throttle-burst", "many"}, want: "--throttle-burst"},
		"missing config file":  {args: []string{"--config", "/nonexistent/agentcored.yaml"}, want: "--config"},
		"missing credentials":  {file: "credentials: /nonexistent/creds.yaml\n", want: "credentials"},
		"positional arguments": {args: []string{"extra"}, want: "unexpected arguments"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			args := tc.args
			if tc.file != "" {
				args = append([]string{"--config", writeFile(t, "c.yaml", tc.file)}, args...)
			}
			_, err := loadOptions(args, env(tc.env))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
}

// TestConfigAgents: the agents: section is read with its exact keys,
// validated, and a relative dir resolves against the config file's
// directory.
func TestConfigAgents(t *testing.T) {
	doc := `agentSessionTimeScale: 0.5
agents:
  - image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/my-agent:latest
    url: http://127.0.0.1:8080
  - image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/other:latest
    command: ["python3", "agent.py"]
    dir: ./other
    env: {MODE: test}
    startTimeout: 5s
  - code: s3://bucket/prefix/agent.zip
    command: ["python3", "main.py"]
    dir: /abs/dir
`
	p := writeFile(t, "agentcored.yaml", doc)
	o, err := loadOptions([]string{"--config", p}, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	a := o.server.Agents
	if len(a) != 3 || a[0].URL != "http://127.0.0.1:8080" || a[1].Command[1] != "agent.py" ||
		a[1].Dir != filepath.Join(filepath.Dir(p), "other") || a[1].Env["MODE"] != "test" ||
		time.Duration(a[1].StartTimeout) != 5*time.Second || a[2].Code != "s3://bucket/prefix/agent.zip" || a[2].Dir != "/abs/dir" {
		t.Fatalf("agents: %+v", a)
	}
	if o.server.AgentSessionTimeScale != 0.5 {
		t.Errorf("time scale %v", o.server.AgentSessionTimeScale)
	}
	for file, want := range map[string]string{
		"agents:\n  - image: x\n":                                              "exactly one of url and command",
		"agents:\n  - image: x\n    url: http://h:1\n    urll: y\n":            "urll",
		"agents:\n  - code: bucket/x\n    command: [a]\n":                      "code:",
		"agents:\n  - image: x\n    url: http://h:1\n    startTimeout: soon\n": "startTimeout",
	} {
		if _, err := loadOptions([]string{"--config", writeFile(t, "c.yaml", file)}, env(nil)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want an error with %q", file, err, want)
		}
	}
}

func TestCORSOriginsSetting(t *testing.T) {
	file := writeFile(t, "cors.yaml", "corsOrigins: \"http://a.example:3000, http://b.example/\"\n")
	for name, args := range map[string][]string{
		"flag": {"--cors-origins", "http://a.example:3000,http://b.example"},
		"file": {"--config", file},
	} {
		o, err := loadOptions(args, env(nil))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := o.server.CORSOrigins; len(got) != 2 || got[0] != "http://a.example:3000" || got[1] != "http://b.example" {
			t.Errorf("%s: CORSOrigins = %q", name, got)
		}
	}
	o, err := loadOptions(nil, env(nil))
	if err != nil || o.server.CORSOrigins != nil {
		t.Errorf("default CORSOrigins = %q, %v (want none)", o.server.CORSOrigins, err)
	}
}
