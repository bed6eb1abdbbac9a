package bench

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/comfyume/terraform-provider-verda/internal/emulator"
)

// Targets of the scale figures.
const (
	planTimeRatioTarget = 1.2
	// planTimeTargetSize is the deployment count at which the plan-time
	// ratio and the peak memory have a target; other counts are context.
	planTimeTargetSize = 200
	peakRSSTarget      = 60_000_000
)

const scaleMethod = `
Each deployment count N gets its own emulator, whose lifecycle moves a deployment from initializing to
healthy in two status reads. The benchmark applies N ` + "`verda_comfy_deployment`" + ` resources that mount
two ` + "`verda_sfs`" + ` resources (health probes off, poll interval 50 ms), and, in another directory, N
` + "`terraform_data`" + ` resources. It then runs ` + "`tofu plan -detailed-exitcode`" + ` on both unchanged
configurations; every plan must report no changes.

- **API requests per refresh**: the benchmark starts the provider itself with ` + "`-debug`" + ` and hands it to
  OpenTofu through TF_REATTACH_PROVIDERS, clears the emulator's request log and runs one plan. Every request
  counts except ` + "`POST /v1/oauth2/token`" + `, which is shown separately. Target: at most N + 2.
- **Plan time**: each plan is timed as a whole command, with OpenTofu starting the provider from the local
  mirror as in normal use. The two configurations alternate, and the median of the repetitions counts. The
  ratio divides the provider's median by the ` + "`terraform_data`" + ` median, so it shows what the provider
  adds to OpenTofu's own cost. Target: at most 1.2 at N = 200. Requests go to a loopback emulator that
  answers in well under a millisecond, so a real API's latency is not part of the figure.
- **Peak memory**: VmHWM from /proc/<pid>/status of the provider process started with -debug, read after the
  plan, in MB of 10^6 bytes. Target: below 60 MB at N = 200.

To see where the time and memory go, ` + "`scripts/bench.sh -only scale -profile DIR`" + ` runs one more plan at the
largest N against the provider served inside the benchmark process, and writes CPU, heap, allocation and
goroutine profiles to DIR for ` + "`go tool pprof`" + `. The emulator's functions appear in them too.
`

// scaleResult is the measurements at one deployment count.
type scaleResult struct {
	n            int
	tally        requestTally
	peakRSS      int64
	providerCPU  time.Duration
	tofuCPU      time.Duration
	emulatorCPU  time.Duration
	attachedWall time.Duration
	providerWall []time.Duration
	baselineWall []time.Duration
	setupApply   time.Duration
	// problems are reasons the figures of this count cannot pass, such as a
	// plan that was not empty.
	problems []string
}

// scale measures the request count, the plan-time ratio and the peak memory
// for each configured deployment count.
func (r *runner) scale(ctx context.Context) error {
	section := Section{Title: "API requests, plan time and memory", Method: scaleMethod}
	defer func() { r.report.Sections = append(r.report.Sections, section) }()

	var failures []string
	for _, n := range r.cfg.Sizes {
		res, err := r.measureScale(ctx, n)
		if err != nil {
			failures = append(failures, fmt.Sprintf("N=%d: %v", n, err))
			r.addFigure(Figure{Name: fmt.Sprintf("API requests per refresh, N=%d", n), Value: "not measured",
				Target: fmt.Sprintf("≤ %d", n+2), Outcome: Fail})
			continue
		}
		r.addScaleFigures(res)
		section.Details = append(section.Details, scaleDetails(res)...)
	}
	if len(failures) > 0 {
		return fmt.Errorf("%s", strings.Join(failures, "; "))
	}
	return nil
}

func (r *runner) addScaleFigures(res scaleResult) {
	n := res.n
	empty := len(res.problems) == 0
	r.addFigure(Figure{
		Name:    fmt.Sprintf("API requests per refresh, N=%d", n),
		Value:   fmt.Sprintf("%d (+%d token)", res.tally.API, res.tally.Token),
		Target:  fmt.Sprintf("≤ %d", n+2),
		Outcome: outcome(res.tally.API <= n+2 && empty),
	})

	provider, baseline := median(res.providerWall), median(res.baselineWall)
	ratio := provider.Seconds() / baseline.Seconds()
	f := Figure{
		Name:    fmt.Sprintf("plan time vs terraform_data, N=%d", n),
		Value:   fmt.Sprintf("%.2f× (%s vs %s)", ratio, formatSeconds(provider), formatSeconds(baseline)),
		Target:  "—",
		Outcome: Info,
	}
	if n == planTimeTargetSize {
		f.Target = fmt.Sprintf("≤ %.1f×", planTimeRatioTarget)
		f.Outcome = outcome(ratio <= planTimeRatioTarget && empty)
	}
	r.addFigure(f)

	if n == planTimeTargetSize {
		r.addFigure(Figure{
			Name:    fmt.Sprintf("provider peak RSS, N=%d", n),
			Value:   formatBytes(res.peakRSS),
			Target:  "< " + formatBytes(peakRSSTarget),
			Outcome: outcome(res.peakRSS < peakRSSTarget),
		})
	}
}

func scaleDetails(res scaleResult) []string {
	n := res.n
	lines := []string{
		fmt.Sprintf("N=%d: requests of one refresh: %s.", n, res.tally),
		fmt.Sprintf("N=%d: plan wall times, provider: %s; terraform_data: %s.", n, joinSeconds(res.providerWall), joinSeconds(res.baselineWall)),
		fmt.Sprintf("N=%d: the plan with the attached provider took %s; CPU time: OpenTofu %s, provider %s, emulator %s; "+
			"provider peak RSS %s.", n, formatSeconds(res.attachedWall), formatSeconds(res.tofuCPU), formatSeconds(res.providerCPU),
			formatSeconds(res.emulatorCPU), formatBytes(res.peakRSS)),
		fmt.Sprintf("N=%d: creating the resources took %s (not a figure).", n, formatSeconds(res.setupApply)),
	}
	for _, p := range res.problems {
		lines = append(lines, fmt.Sprintf("N=%d: problem: %s", n, p))
	}
	return lines
}

func joinSeconds(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = formatSeconds(d)
	}
	return strings.Join(parts, ", ")
}

// planArgs is an unchanged-configuration plan; exit code 0 means no changes.
var planArgs = []string{"plan", "-input=false", "-no-color", "-lock=false", "-detailed-exitcode"}

func (r *runner) measureScale(ctx context.Context, n int) (scaleResult, error) {
	res := scaleResult{n: n}
	srv, err := startEmulator(emulator.Options{})
	if err != nil {
		return res, err
	}
	defer srv.Close()

	root := filepath.Join(r.cfg.WorkDir, fmt.Sprintf("scale-%d", n))
	deployDir := filepath.Join(root, "deployments")
	baseDir := filepath.Join(root, "baseline")
	if err := writeConfig(deployDir, deploymentsConfig(srv.baseURL, n)); err != nil {
		return res, err
	}
	if err := writeConfig(baseDir, baselineConfig(n)); err != nil {
		return res, err
	}

	r.logf("N=%d: init and apply %d deployments, 2 SFS and %d terraform_data", n, n, n)
	for _, dir := range []string{deployDir, baseDir} {
		if _, err := r.tofu.mustSucceed(ctx, dir, "init", nil, "init", "-input=false", "-no-color"); err != nil {
			return res, err
		}
	}
	apply, err := r.tofu.mustSucceed(ctx, deployDir, "apply", nil, "apply", "-input=false", "-no-color", "-auto-approve")
	if err != nil {
		return res, err
	}
	res.setupApply = apply.Wall
	if _, err := r.tofu.mustSucceed(ctx, baseDir, "apply", nil, "apply", "-input=false", "-no-color", "-auto-approve"); err != nil {
		return res, err
	}

	r.logf("N=%d: plan with the provider attached, counting requests", n)
	if err := r.attachedPlan(ctx, srv, deployDir, &res); err != nil {
		return res, err
	}

	if r.cfg.ProfileDir != "" && n == slices.Max(r.cfg.Sizes) {
		r.logf("N=%d: profiling one plan with the provider served in the driver", n)
		if err := r.profileProvider(ctx, deployDir, r.cfg.ProfileDir); err != nil {
			return res, fmt.Errorf("profiling the provider failed: %w", err)
		}
	}

	r.logf("N=%d: timing %d plans of each configuration", n, r.cfg.PlanRepetitions)
	for i := range r.cfg.PlanRepetitions {
		order := []string{baseDir, deployDir}
		if i%2 == 1 {
			slices.Reverse(order)
		}
		for _, dir := range order {
			plan, err := r.tofu.run(ctx, dir, fmt.Sprintf("plan-%d", i+1), nil, planArgs...)
			if err != nil {
				return res, err
			}
			if plan.ExitCode != 0 {
				res.problems = append(res.problems, planProblem(dir, plan))
			}
			if dir == deployDir {
				res.providerWall = append(res.providerWall, plan.Wall)
			} else {
				res.baselineWall = append(res.baselineWall, plan.Wall)
			}
		}
	}
	return res, nil
}

// attachedPlan runs one plan against a provider process the driver started,
// and records the requests, the memory and the CPU time.
func (r *runner) attachedPlan(ctx context.Context, srv *emulatorServer, dir string, res *scaleResult) error {
	provider, err := startDebugProvider(ctx, r.cfg.ProviderBin, r.tofu.baseEnv(), filepath.Join(dir, "provider-debug.log"))
	if err != nil {
		return err
	}
	stopped := false
	defer func() {
		if !stopped {
			provider.stop()
		}
	}()

	srv.emu.ClearRequests()
	cpuBefore := selfCPU()
	plan, err := r.tofu.run(ctx, dir, "plan-attached", []string{provider.env()}, planArgs...)
	emulatorCPU := selfCPU() - cpuBefore
	if err != nil {
		return err
	}
	res.tally = tallyRequests(srv.emu.Requests())
	res.attachedWall = plan.Wall
	res.tofuCPU = plan.CPU
	res.emulatorCPU = emulatorCPU
	if plan.ExitCode != 0 {
		res.problems = append(res.problems, planProblem(dir, plan))
	}

	rss, err := provider.peakRSS()
	if err != nil {
		return err
	}
	res.peakRSS = rss
	res.providerCPU = provider.stop()
	stopped = true
	return nil
}

// planProblem explains a plan of an unchanged configuration that did not
// exit 0: exit code 2 means it planned changes, which is a provider bug.
func planProblem(dir string, plan commandResult) string {
	if plan.ExitCode == 2 {
		return fmt.Sprintf("the plan of the unchanged configuration in %s is not empty (exit code 2); see %s", dir, plan.LogPath)
	}
	return fmt.Sprintf("the plan in %s failed with exit code %d: %s (log: %s)", dir, plan.ExitCode, lastLines(plan.Output, 10), plan.LogPath)
}

// selfCPU returns the driver's own user and system time. While a plan runs,
// the driver does nothing but serve the emulator.
func selfCPU() time.Duration {
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		return 0
	}
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano())
}
