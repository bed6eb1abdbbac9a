// Command verdabench runs the provider benchmarks and prints one table of
// figures with their targets. It exits 1 when a target is missed or a figure
// could not be measured, and 2 on invalid arguments. scripts/bench.sh builds
// the tools it needs and runs it; see docs/benchmarks.md for the method.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/comfyume/terraform-provider-verda/internal/bench"
)

func main() {
	os.Exit(run())
}

func run() int {
	var (
		cfg        bench.Config
		sizes      string
		intervals  string
		scenarios  string
		markdown   string
		timeout    time.Duration
		commandArg string
	)
	flag.StringVar(&cfg.TofuBin, "tofu", "", "path of the OpenTofu binary (required)")
	flag.StringVar(&cfg.CLIConfig, "cli-config", "", "OpenTofu CLI configuration that installs comfyume/verda from a local mirror (required)")
	flag.StringVar(&cfg.ProviderBin, "provider", "", "path of the provider binary inside that mirror (required)")
	flag.StringVar(&cfg.ProviderVersion, "provider-version", "0.1.0", "provider version, for the report")
	flag.StringVar(&cfg.InfrastructureDir, "infrastructure", "infrastructure", "directory of the infrastructure/ configuration")
	flag.StringVar(&cfg.WorkDir, "work", "", "directory for configurations, state and logs (default: a new temporary directory)")
	flag.StringVar(&sizes, "sizes", "4,50,200", "deployment counts N of the request, plan-time and memory figures")
	flag.IntVar(&cfg.PlanRepetitions, "reps", 3, "timed plans per configuration and N; the median counts")
	flag.StringVar(&intervals, "latency-intervals", "10s,2s", "provider poll intervals at which health detection is measured")
	flag.IntVar(&cfg.LatencyTrials, "latency-trials", 5, "applies per poll interval")
	flag.DurationVar(&cfg.PullErrorInterval, "pull-error-interval", 2*time.Second, "poll interval of the image-pull-error apply")
	flag.DurationVar(&cfg.RealisticStage, "stage", 90*time.Second, "length of one lifecycle stage of a real rollout")
	flag.DurationVar(&cfg.RealisticPoll, "poll", 10*time.Second, "poll interval of a real rollout")
	flag.IntVar(&cfg.Compression, "compression", 30, "factor by which the infrastructure apply divides -stage and -poll")
	flag.StringVar(&scenarios, "only", "", "comma-separated scenarios to run: "+strings.Join(bench.AllScenarios, ", ")+" (default all)")
	flag.StringVar(&cfg.ProfileDir, "profile", "", "write CPU and heap profiles of one more plan at the largest N into this directory")
	flag.StringVar(&markdown, "markdown", "", "write the report as Markdown to this file, such as docs/benchmarks.md")
	flag.DurationVar(&timeout, "timeout", 9*time.Minute+30*time.Second, "stop measuring after this long")
	flag.StringVar(&commandArg, "command", "", "command line recorded in the report (default: this program's arguments)")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "verdabench: unexpected argument %q; all settings are flags, see -help\n", flag.Arg(0))
		return 2
	}

	var err error
	if cfg.Sizes, err = parseInts(sizes); err != nil {
		fmt.Fprintf(os.Stderr, "verdabench: invalid -sizes: %v\n", err)
		return 2
	}
	if cfg.LatencyIntervals, err = parseDurations(intervals); err != nil {
		fmt.Fprintf(os.Stderr, "verdabench: invalid -latency-intervals: %v\n", err)
		return 2
	}
	cfg.Scenarios = splitList(scenarios)
	cfg.Command = commandArg
	if cfg.Command == "" {
		cfg.Command = strings.Join(append([]string{filepath.Base(os.Args[0])}, os.Args[1:]...), " ")
	}
	cfg.Progress = os.Stderr
	if cfg.WorkDir == "" {
		dir, err := os.MkdirTemp("", "verdabench-")
		if err != nil {
			fmt.Fprintf(os.Stderr, "verdabench: creating a work directory failed: %v\n", err)
			return 2
		}
		cfg.WorkDir = dir
	}
	if err := cfg.Validate(); err != nil {
		fmt.Fprintf(os.Stderr, "verdabench: %v\n", err)
		return 2
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	report, err := bench.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintf(os.Stderr, "verdabench: %v\n", err)
		return 2
	}
	fmt.Println()
	fmt.Print(report.Table())
	for _, e := range report.Errors {
		fmt.Printf("not measured: %s\n", e)
	}
	fmt.Printf("\n%s\nload average %s at the start, %s at the end; elapsed %s; logs and state in %s\n",
		report.Machine.Text(), report.LoadAtStart, report.LoadAtEnd, report.Elapsed.Round(time.Second), cfg.WorkDir)
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		fmt.Printf("the run hit its time limit of %s; raise -timeout or measure fewer sizes\n", timeout)
	}

	if markdown != "" {
		if err := os.WriteFile(markdown, []byte(report.Markdown()), 0o644); err != nil {
			fmt.Fprintf(os.Stderr, "verdabench: writing %s failed: %v\n", markdown, err)
			return 1
		}
		fmt.Printf("report written to %s\n", markdown)
	}
	if report.Missed() {
		fmt.Println("result: at least one target missed or one figure not measured")
		return 1
	}
	fmt.Println("result: every target met")
	return 0
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, part := range splitList(s) {
		n, err := strconv.Atoi(part)
		if err != nil {
			return nil, fmt.Errorf("%q is not a whole number", part)
		}
		out = append(out, n)
	}
	return out, nil
}

func parseDurations(s string) ([]time.Duration, error) {
	var out []time.Duration
	for _, part := range splitList(s) {
		d, err := time.ParseDuration(part)
		if err != nil {
			return nil, fmt.Errorf("%q is not a duration such as 10s or 500ms", part)
		}
		out = append(out, d)
	}
	return out, nil
}
