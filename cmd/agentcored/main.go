// Command agentcored serves the Amazon Bedrock AgentCore control plane API
// (bedrock-agentcore-control) for unmodified AWS clients.
//
//	agentcored serve [flags]   start the server
//	agentcored version         print the version and the model it implements
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"syscall"

	"agentcored/internal/dpmodel"
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
		if err := serve(os.Args[2:]); errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		} else if err != nil {
			fmt.Fprintln(os.Stderr, "agentcored:", err)
			os.Exit(1)
		}
	case "version", "--version", "-version":
		fmt.Printf("agentcored %s\nmodel bedrock-agentcore-control %s (botocore %s, %d operations, sha256 %s)\n",
			version, model.APIVersion, model.BotocoreVersion, len(model.Operations)-len(model.OverlayOperations), model.ModelSHA256)
		if n := len(model.OverlayOperations); n > 0 {
			fmt.Printf("overlay %d operations (models/overlay, sha256 %s); %d operations served\n", n, model.OverlaySHA256, len(model.Operations))
		}
		fmt.Printf("data plane bedrock-agentcore %s (botocore %s, %d operations, sha256 %s)\n",
			dpmodel.APIVersion, dpmodel.BotocoreVersion, len(dpmodel.Operations), dpmodel.ModelSHA256)
	default:
		usage()
		os.Exit(2)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: agentcored serve [flags] | agentcored version\nrun 'agentcored serve -h' for the flags")
}

func serve(args []string) error {
	o, err := loadOptions(args, os.LookupEnv)
	if err != nil {
		return err
	}
	cfg := o.server
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		return fmt.Errorf("log level: %w", err)
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
	if o.debugListen != "" {
		if _, err := serveDebug(o.debugListen); err != nil {
			return err
		}
	}
	slog.Info("agentcored serving", "address", ln.Addr().String(), "version", version, "lifecycle", cfg.Lifecycle,
		"auth", cfg.Auth, "config", o.configFile)
	return srv.Serve(ctx, ln)
}

// serveDebug serves Go's profiler on its own listener, apart from the API
// (no authentication there: operators bind it to loopback).
func serveDebug(addr string) (net.Addr, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("debug listener: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	slog.Info("profiler serving", "address", ln.Addr().String())
	go http.Serve(ln, mux)
	return ln.Addr(), nil
}
