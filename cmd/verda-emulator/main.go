// Command verda-emulator serves an emulated Verda Cloud API, with a fake ComfyUI behind each container
// deployment, for local development and tests of tools that use the API.
//
// Point clients at the printed API base URL, http://127.0.0.1:8787/v1 by default, with client id
// "emulator-client-id" and secret "emulator-client-secret". The control plane under /_emulator/ steers
// the emulator (faults, forced statuses, files in shared volumes); see internal/emulator/routes.go.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/comfyume/terraform-provider-verda/internal/emulator"
)

const shutdownTimeout = 10 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// config holds the parsed command line.
type config struct {
	listen       string
	allowRemote  bool
	stateFile    string
	seed         string
	stagePolls   int
	tokenTTL     time.Duration
	stageLength  time.Duration
	clientID     string
	clientSecret string
	inferenceKey string
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("verda-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.listen, "listen", "127.0.0.1:8787", "`address` (host:port) to listen on; port 0 picks a free port")
	fs.BoolVar(&cfg.allowRemote, "allow-remote", false, "allow a -listen address that is not loopback (the emulator has fixed credentials and no TLS)")
	fs.StringVar(&cfg.clientID, "client-id", emulator.DefaultClientID, "accepted OAuth client id")
	fs.StringVar(&cfg.clientSecret, "client-secret", emulator.DefaultClientSecret, "accepted OAuth client secret")
	fs.StringVar(&cfg.inferenceKey, "inference-key", emulator.DefaultInferenceKey, "bearer key of the inference endpoints")
	fs.StringVar(&cfg.stateFile, "state", "", "state `file`: loaded at start if it exists and rewritten atomically after every change")
	fs.StringVar(&cfg.seed, "seed", "", "seed fixture: a JSON `file`, or \"production\" for the embedded one; applied only when the state file does not exist yet")
	fs.IntVar(&cfg.stagePolls, "stage-polls", 1, "status reads each lifecycle stage stays visible for")
	fs.DurationVar(&cfg.stageLength, "stage-duration", 0, "if > 0, lifecycle stages advance after this much time instead of by reads (e.g. 5s)")
	fs.DurationVar(&cfg.tokenTTL, "token-ttl", emulator.DefaultTokenTTL, "access-token lifetime (e.g. 1h)")

	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments %q; all settings are flags, see -help", fs.Args())
	}

	if cfg.stagePolls < 1 {
		return cfg, fmt.Errorf("-stage-polls must be at least 1, got %d", cfg.stagePolls)
	}
	if cfg.tokenTTL <= 0 {
		return cfg, fmt.Errorf("-token-ttl must be positive, got %v", cfg.tokenTTL)
	}
	if cfg.stageLength < 0 {
		return cfg, fmt.Errorf("-stage-duration must not be negative, got %v", cfg.stageLength)
	}

	if !cfg.allowRemote {
		if err := checkLoopback(cfg.listen); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}

// checkLoopback rejects listen addresses reachable from other machines, including an empty host, which
// means every interface.
func checkLoopback(listen string) error {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return fmt.Errorf("-listen %q is not host:port: %w", listen, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("listen address %q rejected because it is not a loopback address and the emulator accepts fixed credentials without TLS; use 127.0.0.1:PORT, or pass -allow-remote if you mean it", listen)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "verda-emulator:", err)
		return 2
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	if err := serve(ctx, cfg, logger, stdout); err != nil {
		logger.Error("verda-emulator stopped with an error", "error", err)
		return 1
	}
	return 0
}

func serve(ctx context.Context, cfg config, logger *slog.Logger, stdout io.Writer) error {
	seed, err := loadSeedFile(cfg.seed)
	if err != nil {
		return err
	}
	stateExists := false
	if cfg.stateFile != "" {
		if _, err := os.Stat(cfg.stateFile); err == nil {
			stateExists = true
		}
	}

	e, err := emulator.New(emulator.Options{
		ClientID: cfg.clientID, ClientSecret: cfg.clientSecret, InferenceKey: cfg.inferenceKey,
		TokenTTL: cfg.tokenTTL, StagePolls: cfg.stagePolls, StageDuration: cfg.stageLength,
		Logger: logger, StateFile: cfg.stateFile,
	})
	if err != nil {
		return err
	}
	switch {
	case seed != nil && stateExists:
		logger.Info("state file exists, so the seed is not applied", "state", cfg.stateFile, "seed", cfg.seed)
	case seed != nil:
		if err := e.LoadSeed(seed); err != nil {
			return fmt.Errorf("loading seed %s failed: %w", cfg.seed, err)
		}
		logger.Info("seed loaded", "seed", cfg.seed)
	}

	listener, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return fmt.Errorf("listening on %s failed: %w", cfg.listen, err)
	}
	addr := listener.Addr().String()
	fmt.Fprintf(stdout, "verda-emulator listening on http://%s (API base URL http://%s/v1)\n", addr, addr)
	logger.Info("verda-emulator started", "address", addr, "state", cfg.stateFile)

	server := &http.Server{Handler: e.Handler(), ReadHeaderTimeout: 10 * time.Second}
	serveErr := make(chan error, 1)
	go func() { serveErr <- server.Serve(listener) }()

	select {
	case err := <-serveErr:
		return fmt.Errorf("serving HTTP failed: %w", err)
	case <-ctx.Done():
	}
	logger.Info("verda-emulator stopping", "reason", context.Cause(ctx))
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := server.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutting down within %v failed: %w", shutdownTimeout, err)
	}
	logger.Info("verda-emulator stopped")
	return nil
}

// loadSeedFile returns the seed fixture named by -seed: nothing, the embedded production fixture, or a file.
func loadSeedFile(seed string) ([]byte, error) {
	switch seed {
	case "":
		return nil, nil
	case "production":
		return emulator.ProductionSeed(), nil
	}
	data, err := os.ReadFile(seed)
	if err != nil {
		return nil, fmt.Errorf("reading seed file failed: %w", err)
	}
	return data, nil
}
