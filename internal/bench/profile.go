package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/comfyume/terraform-provider-verda/internal/provider"
)

// providerAddress is the provider's address in TF_REATTACH_PROVIDERS, as
// main.go serves it.
const providerAddress = "registry.opentofu.org/comfyume/verda"

// inProcessProvider is the provider served by the driver itself, so that the
// Go profiler records its CPU time and heap. The emulator runs in the same
// process; its functions are in the profiles too, under internal/emulator.
type inProcessProvider struct {
	reattach string
	cancel   context.CancelFunc
	closed   chan struct{}
	served   chan error
}

func startInProcessProvider(ctx context.Context, version string) (*inProcessProvider, error) {
	serveCtx, cancel := context.WithCancel(ctx)
	p := &inProcessProvider{cancel: cancel, closed: make(chan struct{}), served: make(chan error, 1)}
	configs := make(chan *plugin.ReattachConfig, 1)
	go func() {
		// WithoutLogStderrOverride makes the SDK write its logs to os.Stderr as
		// it is when each request starts, which profileProvider points at a file.
		p.served <- tf6server.Serve(providerAddress, providerserver.NewProtocol6(provider.New(version)()),
			tf6server.WithDebug(serveCtx, configs, p.closed), tf6server.WithoutLogStderrOverride())
	}()

	select {
	case cfg := <-configs:
		value, err := reattachValue(cfg)
		if err != nil {
			cancel()
			return nil, err
		}
		p.reattach = value
		return p, nil
	case err := <-p.served:
		cancel()
		return nil, fmt.Errorf("serving the provider in the driver failed: %v", err)
	case <-time.After(reattachTimeout):
		cancel()
		return nil, fmt.Errorf("the in-process provider sent no reattach configuration within %s", reattachTimeout)
	}
}

// reattachValue renders the TF_REATTACH_PROVIDERS JSON, in the shape that
// tf6server prints for a provider started with -debug.
func reattachValue(cfg *plugin.ReattachConfig) (string, error) {
	type addr struct {
		Network string
		String  string
	}
	type entry struct {
		Protocol        string
		ProtocolVersion int
		Pid             int
		Test            bool
		Addr            addr
	}
	data, err := json.Marshal(map[string]entry{providerAddress: {
		Protocol:        string(cfg.Protocol),
		ProtocolVersion: cfg.ProtocolVersion,
		Pid:             cfg.Pid,
		Test:            true,
		Addr:            addr{Network: cfg.Addr.Network(), String: cfg.Addr.String()},
	}})
	if err != nil {
		return "", fmt.Errorf("encoding the reattach configuration failed: %w", err)
	}
	return string(data), nil
}

func (p *inProcessProvider) stop() {
	p.cancel()
	select {
	case <-p.closed:
	case <-time.After(stopGrace):
	}
}

// profileProvider runs one plan in dir against the provider served in the
// driver and writes cpu.pprof, heap.pprof (in use after the plan, with the
// provider still running), allocs.pprof and goroutine.pprof into outDir.
func (r *runner) profileProvider(ctx context.Context, dir, outDir string) error {
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return fmt.Errorf("creating the profile directory %s failed: %w", outDir, err)
	}
	sdkLog, err := os.Create(filepath.Join(dir, "provider-in-process.log"))
	if err != nil {
		return fmt.Errorf("creating the in-process provider log failed: %w", err)
	}
	defer sdkLog.Close()
	stderr := os.Stderr
	os.Stderr = sdkLog
	defer func() { os.Stderr = stderr }()

	p, err := startInProcessProvider(ctx, r.cfg.ProviderVersion)
	if err != nil {
		return err
	}
	defer p.stop()

	cpuFile, err := os.Create(filepath.Join(outDir, "cpu.pprof"))
	if err != nil {
		return fmt.Errorf("creating the CPU profile failed: %w", err)
	}
	defer cpuFile.Close()
	if err := pprof.StartCPUProfile(cpuFile); err != nil {
		return fmt.Errorf("starting the CPU profile failed: %w", err)
	}
	plan, err := r.tofu.run(ctx, dir, "plan-profiled", []string{"TF_REATTACH_PROVIDERS=" + p.reattach}, planArgs...)
	pprof.StopCPUProfile()
	if err != nil {
		return err
	}
	if plan.ExitCode != 0 {
		return fmt.Errorf("%s", planProblem(dir, plan))
	}

	runtime.GC()
	for _, name := range []string{"heap", "allocs", "goroutine"} {
		if err := writeProfile(name, filepath.Join(outDir, name+".pprof")); err != nil {
			return err
		}
	}
	return nil
}

func writeProfile(name, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("creating the %s profile failed: %w", name, err)
	}
	defer f.Close()
	if err := pprof.Lookup(name).WriteTo(f, 0); err != nil {
		return fmt.Errorf("writing the %s profile failed: %w", name, err)
	}
	return nil
}
