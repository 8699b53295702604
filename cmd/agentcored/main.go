// Command agentcored serves the Amazon Bedrock AgentCore control plane API
// (bedrock-agentcore-control) for unmodified AWS clients.
//
//	agentcored serve [flags]   start the server
//	agentcored version         print the version and the model it implements
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"agentcored/internal/auth"
	"agentcored/internal/model"
	"agentcored/internal/server"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	switch os.Args[1] {
	case "serve":
		if err := serve(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "agentcored:", err)
			os.Exit(1)
		}
	case "version", "--version", "-version":
		fmt.Printf("agentcored %s\nmodel bedrock-agentcore-control %s (botocore %s, %d operations, sha256 %s)\n",
			version, model.APIVersion, model.BotocoreVersion, len(model.Operations), model.ModelSHA256)
	default:
		usage()
		os.Exit(2)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: agentcored serve [flags] | agentcored version\nrun 'agentcored serve -h' for the flags")
}

// envDefault returns AGENTCORED_<NAME> when set, else def.
func envDefault(name, def string) string {
	if v, ok := os.LookupEnv("AGENTCORED_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))); ok {
		return v
	}
	return def
}

func serve(args []string) error {
	cfg := server.DefaultConfig()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	str := func(p *string, name, usage string) {
		fs.StringVar(p, name, envDefault(name, *p), usage+" (env AGENTCORED_"+strings.ToUpper(strings.ReplaceAll(name, "-", "_"))+")")
	}
	str(&cfg.Listen, "listen", "address to listen on")
	str(&cfg.DataDir, "data-dir", "directory of the embedded SQLite store")
	str(&cfg.DatabaseURL, "database-url", "postgres://... to use PostgreSQL instead of SQLite")
	str(&cfg.Region, "region", "region for unsigned requests")
	str(&cfg.Account, "account", "account of the default credentials")
	str(&cfg.Lifecycle, "lifecycle", "lifecycle policy: immediate, timed or manual")
	str(&cfg.Auth, "auth", "authentication: permissive or strict")
	str(&cfg.SecretsKeyFile, "secrets-key-file", "file holding the base64 key that encrypts stored secrets, created if absent (default <data-dir>/secrets.key; env AGENTCORED_SECRETS_KEY gives the key itself)")
	delay := envDefault("lifecycle-delay", cfg.LifecycleDelay.String())
	fs.StringVar(&delay, "lifecycle-delay", delay, "delay of each transition under the timed policy (env AGENTCORED_LIFECYCLE_DELAY)")
	credentialsFile := envDefault("credentials", "")
	fs.StringVar(&credentialsFile, "credentials", credentialsFile, "YAML or JSON file of access keys: credentials: [{accessKeyId, secretAccessKey, accountId, sessionToken, policy}] (env AGENTCORED_CREDENTIALS)")
	throttleRate := envDefault("throttle-rate", "0")
	fs.StringVar(&throttleRate, "throttle-rate", throttleRate, "requests per second per operation per account; 0 = built-in 1000/s, negative = off (env AGENTCORED_THROTTLE_RATE)")
	throttleBurst := envDefault("throttle-burst", "0")
	fs.StringVar(&throttleBurst, "throttle-burst", throttleBurst, "token bucket burst; 0 = default for the rate (env AGENTCORED_THROTTLE_BURST)")
	logLevel := envDefault("log-level", "info")
	fs.StringVar(&logLevel, "log-level", logLevel, "log level: debug, info, warn, error (env AGENTCORED_LOG_LEVEL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	d, err := time.ParseDuration(delay)
	if err != nil {
		return fmt.Errorf("--lifecycle-delay: %w", err)
	}
	cfg.LifecycleDelay = d
	if credentialsFile != "" {
		if cfg.Credentials, err = auth.LoadCredentials(credentialsFile); err != nil {
			return fmt.Errorf("--credentials: %w", err)
		}
	}
	if cfg.ThrottleRate, err = strconv.ParseFloat(throttleRate, 64); err != nil {
		return fmt.Errorf("--throttle-rate: %w", err)
	}
	if cfg.ThrottleBurst, err = strconv.Atoi(throttleBurst); err != nil {
		return fmt.Errorf("--throttle-burst: %w", err)
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level})))

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	st, err := server.OpenStore(ctx, cfg)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer st.Close()
	srv, err := server.New(ctx, cfg, st)
	if err != nil {
		return err
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	slog.Info("agentcored serving", "address", ln.Addr().String(), "version", version, "lifecycle", cfg.Lifecycle, "auth", cfg.Auth)
	return srv.Serve(ctx, ln)
}
