// Package bench measures what the Verda provider costs and how fast it
// reacts: API requests per refresh, plan time against OpenTofu's own cost,
// the provider's peak memory, health-detection latency, and an end-to-end
// apply of infrastructure/. It runs OpenTofu against in-process emulators and
// reports each figure with its target. The verdabench command runs it.
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"time"
)

// Scenario names, for Config.Scenarios.
const (
	ScenarioScale          = "scale"
	ScenarioLatency        = "latency"
	ScenarioInfrastructure = "infrastructure"
)

// AllScenarios lists every scenario in the order they run.
var AllScenarios = []string{ScenarioScale, ScenarioLatency, ScenarioInfrastructure}

// Config is the settings of one benchmark run: the tools and what to measure.
type Config struct {
	// TofuBin is the OpenTofu binary.
	TofuBin string
	// CLIConfig is an OpenTofu CLI configuration that installs comfyume/verda
	// from a filesystem mirror containing ProviderBin.
	CLIConfig string
	// ProviderBin is the provider binary in that mirror. The driver starts it
	// itself with -debug for the figures that read the process.
	ProviderBin     string
	ProviderVersion string
	// InfrastructureDir is the repository's infrastructure/ configuration.
	InfrastructureDir string
	// WorkDir receives every configuration, state and log of the run.
	WorkDir string

	// Sizes are the deployment counts N of the request, plan-time and memory figures.
	Sizes []int
	// PlanRepetitions is how often each plan is timed; the median counts.
	PlanRepetitions int

	// LatencyIntervals are the provider poll intervals at which health detection is measured.
	LatencyIntervals []time.Duration
	// LatencyTrials is the number of applies per interval.
	LatencyTrials int
	// PullErrorInterval is the poll interval of the image-pull-error apply.
	PullErrorInterval time.Duration

	// RealisticStage and RealisticPoll are the lifecycle stage length and the
	// poll interval of a real rollout. The infrastructure apply divides both by
	// Compression.
	RealisticStage time.Duration
	RealisticPoll  time.Duration
	Compression    int

	// ProfileDir, when set, receives CPU and heap profiles of one more plan at
	// the largest deployment count, with the provider served inside the driver.
	ProfileDir string

	// Scenarios selects what runs; nil or empty runs all of them.
	Scenarios []string
	// Command is the command line recorded in the report.
	Command string
	// Progress receives one line per step.
	Progress io.Writer
}

func (c *Config) runs(scenario string) bool {
	return len(c.Scenarios) == 0 || slices.Contains(c.Scenarios, scenario)
}

// Validate checks the configuration before anything starts.
func (c *Config) Validate() error {
	var errs []error
	for _, f := range []struct{ name, path string }{
		{"the OpenTofu binary", c.TofuBin},
		{"the OpenTofu CLI configuration", c.CLIConfig},
		{"the provider binary", c.ProviderBin},
	} {
		if f.path == "" {
			errs = append(errs, fmt.Errorf("the path of %s is missing", f.name))
			continue
		}
		if _, err := os.Stat(f.path); err != nil {
			errs = append(errs, fmt.Errorf("%s %s is not readable: %w", f.name, f.path, err))
		}
	}
	if c.runs(ScenarioInfrastructure) {
		if _, err := os.Stat(filepath.Join(c.InfrastructureDir, "main.tf")); err != nil {
			errs = append(errs, fmt.Errorf("the infrastructure directory %q has no main.tf: %w", c.InfrastructureDir, err))
		}
	}
	if c.WorkDir == "" {
		errs = append(errs, errors.New("the work directory is missing"))
	}
	if c.runs(ScenarioScale) {
		if len(c.Sizes) == 0 {
			errs = append(errs, errors.New("no deployment counts are given; use, for example, 4,50,200"))
		}
		for _, n := range c.Sizes {
			if n < 1 || n > 1000 {
				errs = append(errs, fmt.Errorf("deployment count %d is out of range; use 1 to 1000", n))
			}
		}
		if c.PlanRepetitions < 1 {
			errs = append(errs, fmt.Errorf("plan repetitions must be at least 1, got %d", c.PlanRepetitions))
		}
	}
	if c.runs(ScenarioLatency) {
		if len(c.LatencyIntervals) == 0 || c.LatencyTrials < 1 {
			errs = append(errs, errors.New("latency needs at least one poll interval and one trial"))
		}
		for _, d := range append(slices.Clone(c.LatencyIntervals), c.PullErrorInterval) {
			if d < 10*time.Millisecond {
				errs = append(errs, fmt.Errorf("poll interval %s is below the provider's minimum of 10ms", d))
			}
		}
	}
	if c.runs(ScenarioInfrastructure) {
		if c.Compression < 1 {
			errs = append(errs, fmt.Errorf("compression must be at least 1, got %d", c.Compression))
		} else if c.RealisticPoll/time.Duration(c.Compression) < 10*time.Millisecond {
			errs = append(errs, fmt.Errorf("the compressed poll interval %s is below the provider's minimum of 10ms; lower the compression",
				c.RealisticPoll/time.Duration(c.Compression)))
		}
		if c.RealisticStage <= 0 {
			errs = append(errs, fmt.Errorf("the realistic stage length must be positive, got %s", c.RealisticStage))
		}
	}
	for _, s := range c.Scenarios {
		if !slices.Contains(AllScenarios, s) {
			errs = append(errs, fmt.Errorf("unknown scenario %q; choose from %v", s, AllScenarios))
		}
	}
	return errors.Join(errs...)
}

// runner is the state of one run.
type runner struct {
	cfg    Config
	tofu   *tofuRunner
	report *Report
}

func (r *runner) logf(format string, args ...any) {
	if r.cfg.Progress != nil {
		fmt.Fprintf(r.cfg.Progress, "==> "+format+"\n", args...)
	}
}

// Run measures every selected scenario and returns the report. A scenario
// that fails is recorded in Report.Errors and the others still run; the
// error is returned only when nothing could start.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("invalid benchmark configuration: %w", err)
	}
	if err := os.MkdirAll(cfg.WorkDir, 0o755); err != nil {
		return nil, fmt.Errorf("creating the work directory %s failed: %w", cfg.WorkDir, err)
	}
	r := &runner{
		cfg:  cfg,
		tofu: &tofuRunner{bin: cfg.TofuBin, cliConfig: cfg.CLIConfig},
		report: &Report{
			Started:     time.Now(),
			Command:     cfg.Command,
			LoadAtStart: loadAverage(),
		},
	}
	r.report.Machine = detectMachine(r.tofu.version(ctx), cfg.ProviderVersion)
	r.logf("%s", r.report.Machine.Text())

	scenarios := []struct {
		name string
		run  func(context.Context) error
	}{
		{ScenarioScale, r.scale},
		{ScenarioLatency, r.latency},
		{ScenarioInfrastructure, r.infrastructure},
	}
	for _, s := range scenarios {
		if !cfg.runs(s.name) {
			continue
		}
		if ctx.Err() != nil {
			r.report.Errors = append(r.report.Errors, fmt.Sprintf("%s: not run: %v", s.name, ctx.Err()))
			continue
		}
		if err := s.run(ctx); err != nil {
			r.logf("%s failed: %v", s.name, err)
			r.report.Errors = append(r.report.Errors, fmt.Sprintf("%s: %v", s.name, err))
		}
	}
	r.report.Elapsed = time.Since(r.report.Started)
	r.report.LoadAtEnd = loadAverage()
	return r.report, nil
}

func (r *runner) addFigure(f Figure) {
	r.report.Figures = append(r.report.Figures, f)
	r.logf("%s: %s (target %s) %s", f.Name, f.Value, f.Target, f.Outcome)
}

func outcome(ok bool) Outcome {
	if ok {
		return Pass
	}
	return Fail
}

// median returns the median of ds; the mean of the middle two for an even count.
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sorted := slices.Clone(ds)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	mid := len(sorted) / 2
	if len(sorted)%2 == 1 {
		return sorted[mid]
	}
	return (sorted[mid-1] + sorted[mid]) / 2
}
