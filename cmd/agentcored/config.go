package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"agentcored/internal/auth"
	"agentcored/internal/dataplane"
	"agentcored/internal/server"
	"agentcored/internal/service"
)

// options is everything `serve` is told: the server's config and what only
// the binary itself uses.
type options struct {
	server          server.Config
	credentialsFile string
	logLevel        string
	configFile      string
	debugListen     string
}

func defaultOptions() *options {
	return &options{server: server.DefaultConfig(), logLevel: "info"}
}

// setting is one value that a flag, an environment variable
// (AGENTCORED_<FLAG>) and the config file can give. set parses the textual
// form; the file's values go through it too, so all three sources accept
// the same things.
type setting struct {
	flag, key, usage string
	get              func(o *options) string
	set              func(o *options, v string) error
}

// strSetting is a setting taken as is.
func strSetting(flag, key, usage string, p func(o *options) *string) setting {
	return setting{flag: flag, key: key, usage: usage,
		get: func(o *options) string { return *p(o) },
		set: func(o *options, v string) error { *p(o) = v; return nil }}
}

var settings = []setting{
	strSetting("listen", "listen", "address to listen on", func(o *options) *string { return &o.server.Listen }),
	strSetting("data-dir", "dataDir", "directory of the embedded SQLite store", func(o *options) *string { return &o.server.DataDir }),
	strSetting("database-url", "databaseUrl", "postgres://... to use PostgreSQL instead of SQLite", func(o *options) *string { return &o.server.DatabaseURL }),
	strSetting("region", "region", "region for unsigned requests", func(o *options) *string { return &o.server.Region }),
	strSetting("account", "account", "account of the default credentials", func(o *options) *string { return &o.server.Account }),
	strSetting("lifecycle", "lifecycle", "lifecycle policy: immediate, timed or manual", func(o *options) *string { return &o.server.Lifecycle }),
	{flag: "lifecycle-delay", key: "lifecycleDelay", usage: "delay of each transition under the timed policy",
		get: func(o *options) string { return o.server.LifecycleDelay.String() },
		set: func(o *options, v string) error {
			d, err := time.ParseDuration(v)
			if err == nil && d < 0 {
				err = errors.New("must not be negative")
			}
			o.server.LifecycleDelay = d
			return err
		}},
	strSetting("auth", "auth", "authentication: permissive or strict", func(o *options) *string { return &o.server.Auth }),
	strSetting("credentials", "credentials", "YAML or JSON file of access keys: credentials: [{accessKeyId, secretAccessKey, accountId, sessionToken, policy}]",
		func(o *options) *string { return &o.credentialsFile }),
	strSetting("secrets-key-file", "secretsKeyFile", "file holding the base64 key that encrypts stored secrets, created if absent (default <data-dir>/secrets.key; env AGENTCORED_SECRETS_KEY gives the key itself)",
		func(o *options) *string { return &o.server.SecretsKeyFile }),
	{flag: "throttle-rate", key: "throttle.rate", usage: "requests per second per operation per account; 0 = built-in 1000/s, negative = off",
		get: func(o *options) string { return strconv.FormatFloat(o.server.ThrottleRate, 'g', -1, 64) },
		set: func(o *options, v string) (err error) {
			o.server.ThrottleRate, err = strconv.ParseFloat(v, 64)
			return err
		}},
	{flag: "throttle-burst", key: "throttle.burst", usage: "token bucket burst; 0 = default for the rate",
		get: func(o *options) string { return strconv.Itoa(o.server.ThrottleBurst) },
		set: func(o *options, v string) (err error) { o.server.ThrottleBurst, err = strconv.Atoi(v); return err }},
	{flag: "max-body-bytes", key: "maxBodyBytes", usage: "largest request body accepted",
		get: func(o *options) string { return strconv.FormatInt(o.server.MaxBodyBytes, 10) },
		set: func(o *options, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err == nil && n <= 0 {
				err = errors.New("must be positive")
			}
			o.server.MaxBodyBytes = n
			return err
		}},
	{flag: "agent-session-time-scale", key: "agentSessionTimeScale", usage: "multiplies runtime sessions' idle timeout and maximum lifetime (1 = as configured; 0.01 runs 60 s in 0.6 s)",
		get: func(o *options) string { return strconv.FormatFloat(o.server.AgentSessionTimeScale, 'g', -1, 64) },
		set: func(o *options, v string) error {
			f, err := strconv.ParseFloat(v, 64)
			if err == nil && f < 0 {
				err = errors.New("must not be negative")
			}
			o.server.AgentSessionTimeScale = f
			return err
		}},
	{flag: "cors-origins", key: "corsOrigins", usage: "comma-separated origins whose browser pages may call the API (CORS; \"*\" = any; off when empty)",
		get: func(o *options) string { return strings.Join(o.server.CORSOrigins, ",") },
		set: func(o *options, v string) error { o.server.CORSOrigins = server.ParseOrigins(v); return nil }},
	strSetting("debug-listen", "debugListen", "address of a separate listener for Go's profiler, /debug/pprof/ (off when empty; keep it on loopback)",
		func(o *options) *string { return &o.debugListen }),
	{flag: "log-level", key: "logLevel", usage: "log level: debug, info, warn, error",
		get: func(o *options) string { return o.logLevel },
		set: func(o *options, v string) error {
			var l slog.Level
			if err := l.UnmarshalText([]byte(v)); err != nil {
				return err
			}
			o.logLevel = v
			return nil
		}},
}

func envName(flag string) string {
	return "AGENTCORED_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// loadOptions resolves every setting from, highest precedence first, the
// flags in args, the environment (lookup is os.LookupEnv outside tests), the
// config file (--config or AGENTCORED_CONFIG) and the defaults; then loads
// the credentials file it names.
func loadOptions(args []string, lookup func(string) (string, bool)) (*options, error) {
	o := defaultOptions()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	byFlag := map[string]setting{}
	for _, st := range settings {
		byFlag[st.flag] = st
		fs.String(st.flag, st.get(o), fmt.Sprintf("%s (env %s, config key %s)", st.usage, envName(st.flag), st.key))
	}
	fs.StringVar(&o.configFile, "config", "", "YAML or JSON config file; flags and AGENTCORED_* variables override it (env AGENTCORED_CONFIG)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	configSet := false
	fs.Visit(func(f *flag.Flag) { configSet = configSet || f.Name == "config" })
	if v, ok := lookup(envName("config")); ok && !configSet {
		o.configFile = v
	}
	if o.configFile != "" {
		data, err := os.ReadFile(o.configFile)
		if err != nil {
			return nil, fmt.Errorf("--config: %w", err)
		}
		if err := applyConfigFile(o, data); err != nil {
			return nil, fmt.Errorf("--config %s: %w", o.configFile, err)
		}
		// An agent's relative dir is relative to the config file.
		abs, err := filepath.Abs(o.configFile)
		if err != nil {
			return nil, fmt.Errorf("--config: %w", err)
		}
		dataplane.ResolveDirs(o.server.Agents, filepath.Dir(abs))
	}
	for _, st := range settings {
		if v, ok := lookup(envName(st.flag)); ok {
			if err := st.set(o, v); err != nil {
				return nil, fmt.Errorf("%s=%q: %w", envName(st.flag), v, err)
			}
		}
	}
	var flagErr error
	fs.Visit(func(f *flag.Flag) {
		if st, ok := byFlag[f.Name]; ok && flagErr == nil {
			if err := st.set(o, f.Value.String()); err != nil {
				flagErr = fmt.Errorf("--%s=%q: %w", f.Name, f.Value.String(), err)
			}
		}
	})
	if flagErr != nil {
		return nil, flagErr
	}
	if o.credentialsFile != "" {
		creds, err := auth.LoadCredentials(o.credentialsFile)
		if err != nil {
			return nil, fmt.Errorf("credentials: %w", err)
		}
		o.server.Credentials = creds
	}
	return o, nil
}

// configFile is the --config document. Every key is optional; an unknown
// key is an error, so a misspelt setting is never silently ignored. Values
// may be written as YAML scalars of any type (lifecycleDelay: 2s,
// throttle.rate: 50); they are read as the flag of the same setting would.
type configFile struct {
	Listen         yaml.Node `yaml:"listen"`
	DataDir        yaml.Node `yaml:"dataDir"`
	DatabaseURL    yaml.Node `yaml:"databaseUrl"`
	Region         yaml.Node `yaml:"region"`
	Account        yaml.Node `yaml:"account"`
	Lifecycle      yaml.Node `yaml:"lifecycle"`
	LifecycleDelay yaml.Node `yaml:"lifecycleDelay"`
	Auth           yaml.Node `yaml:"auth"`
	Credentials    yaml.Node `yaml:"credentials"`
	SecretsKeyFile yaml.Node `yaml:"secretsKeyFile"`
	MaxBodyBytes   yaml.Node `yaml:"maxBodyBytes"`
	LogLevel       yaml.Node `yaml:"logLevel"`
	DebugListen    yaml.Node `yaml:"debugListen"`
	AgentTimeScale yaml.Node `yaml:"agentSessionTimeScale"`
	CORSOrigins    yaml.Node `yaml:"corsOrigins"`
	// Agents bind runtime artifacts to agents (internal/dataplane
	// AgentBinding: image|code, url|command, dir, env, startTimeout, run).
	Agents   []dataplane.AgentBinding `yaml:"agents"`
	Throttle struct {
		Rate  yaml.Node `yaml:"rate"`
		Burst yaml.Node `yaml:"burst"`
	} `yaml:"throttle"`
	// Quotas override the default quotas one by one; the keys are the
	// service.Quotas field names in lower camel case (runtimesPerAccount).
	Quotas map[string]int `yaml:"quotas"`
}

// quotaFields maps each config key of quotas to its service.Quotas field.
func quotaFields(q *service.Quotas) map[string]*int {
	v := reflect.ValueOf(q).Elem()
	fields := map[string]*int{}
	for i := range v.NumField() {
		name := v.Type().Field(i).Name
		fields[strings.ToLower(name[:1])+name[1:]] = v.Field(i).Addr().Interface().(*int)
	}
	return fields
}

func applyConfigFile(o *options, data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f configFile
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	values := map[string]*yaml.Node{
		"listen": &f.Listen, "dataDir": &f.DataDir, "databaseUrl": &f.DatabaseURL, "region": &f.Region,
		"account": &f.Account, "lifecycle": &f.Lifecycle, "lifecycleDelay": &f.LifecycleDelay, "auth": &f.Auth,
		"credentials": &f.Credentials, "secretsKeyFile": &f.SecretsKeyFile, "maxBodyBytes": &f.MaxBodyBytes,
		"logLevel": &f.LogLevel, "debugListen": &f.DebugListen, "throttle.rate": &f.Throttle.Rate, "throttle.burst": &f.Throttle.Burst,
		"agentSessionTimeScale": &f.AgentTimeScale, "corsOrigins": &f.CORSOrigins,
	}
	for _, st := range settings {
		n := values[st.key]
		if n.Kind == 0 {
			continue // absent
		}
		if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
			return fmt.Errorf("line %d: %s must be a single value", n.Line, st.key)
		}
		if err := st.set(o, n.Value); err != nil {
			return fmt.Errorf("line %d: %s: %w", n.Line, st.key, err)
		}
	}
	fields := quotaFields(&o.server.Quotas)
	for _, name := range slices.Sorted(maps.Keys(f.Quotas)) {
		p, ok := fields[name]
		switch {
		case !ok:
			return fmt.Errorf("unknown quota %q (known: %s)", name, strings.Join(slices.Sorted(maps.Keys(fields)), ", "))
		case f.Quotas[name] <= 0:
			return fmt.Errorf("quotas.%s must be positive", name)
		}
		*p = f.Quotas[name]
	}
	if f.Agents != nil {
		if err := dataplane.ValidateAgents(f.Agents); err != nil {
			return err
		}
		o.server.Agents = f.Agents
	}
	return nil
}
