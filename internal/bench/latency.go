package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/comfyume/terraform-provider-verda/internal/emulator"
)

// Targets of the latency figures.
const (
	// detectionSlack is what health detection may take beyond one poll interval.
	detectionSlack = time.Second
	// pullErrorPollTarget is how many status polls may see the unhealthy
	// status before apply reports the pull error.
	pullErrorPollTarget = 2
	// firstPollTimeout bounds the wait for the provider's first status poll,
	// which comes after OpenTofu's init, plan and the create request.
	firstPollTimeout = 2 * time.Minute
)

const latencyMethod = `
- **Health detection**: the emulator holds a deployment in initializing (an image that never becomes ready)
  while ` + "`tofu apply`" + ` waits for it to become healthy. Right after the provider's first status poll, the
  benchmark forces the status to healthy. That is the worst moment, because the provider has just polled
  and sleeps a whole interval before it looks again. The figure is the time from the forced change until
  the apply command exits, the largest over the trials. The poll wait is the part until the first status
  response that returned healthy; the tail is the rest (saving state, OpenTofu exiting). Target: one poll
  interval + 1 s. The provider's default poll interval is 10 s.
- **Image pull error**: the emulator ends the rollout of an image that cannot be pulled in status
  unhealthy, with replicas in image_pull_error. The figure is the number of status polls that returned
  unhealthy before the apply failed with the pull error. Target: at most two.
`

// latencyTrial is one apply whose deployment was forced healthy.
type latencyTrial struct {
	delay    time.Duration
	pollWait time.Duration
	tail     time.Duration
	polls    int
}

// latency measures health detection at each poll interval and the
// detection of an image pull error.
func (r *runner) latency(ctx context.Context) error {
	section := Section{Title: "Health detection", Method: latencyMethod}
	defer func() { r.report.Sections = append(r.report.Sections, section) }()

	srv, err := startEmulator(emulator.Options{})
	if err != nil {
		return err
	}
	defer srv.Close()
	srv.emu.SetImageBehavior(neverReadyImage, emulator.ImageBehavior{NeverReady: true})
	srv.emu.SetImageBehavior(pullErrorImage, emulator.ImageBehavior{PullError: true})

	dir := filepath.Join(r.cfg.WorkDir, "latency")
	if err := writeConfig(dir, latencyConfig(srv.baseURL)); err != nil {
		return err
	}
	if _, err := r.tofu.mustSucceed(ctx, dir, "init", nil, "init", "-input=false", "-no-color"); err != nil {
		return err
	}

	var failures []error
	for _, interval := range r.cfg.LatencyIntervals {
		trials, err := r.detectionTrials(ctx, srv, dir, interval)
		target := interval + detectionSlack
		name := fmt.Sprintf("health detection, poll interval %s", interval)
		if err != nil {
			failures = append(failures, err)
			r.addFigure(Figure{Name: name, Value: "not measured", Target: "≤ " + formatSeconds(target), Outcome: Fail})
			continue
		}
		delays := make([]time.Duration, len(trials))
		for i, t := range trials {
			delays[i] = t.delay
			section.Details = append(section.Details, fmt.Sprintf(
				"poll interval %s, trial %d: apply returned %s after the change (poll wait %s, tail %s; %d status polls in all).",
				interval, i+1, formatSeconds(t.delay), formatSeconds(t.pollWait), formatSeconds(t.tail), t.polls))
		}
		worst := slices.Max(delays)
		r.addFigure(Figure{
			Name:    name,
			Value:   fmt.Sprintf("max %s (median %s, %d trials)", formatSeconds(worst), formatSeconds(median(delays)), len(trials)),
			Target:  "≤ " + formatSeconds(target),
			Outcome: outcome(worst <= target),
		})
	}

	polls, detail, err := r.pullErrorTrial(ctx, srv, dir, r.cfg.PullErrorInterval)
	name := fmt.Sprintf("image pull error, polls after unhealthy (interval %s)", r.cfg.PullErrorInterval)
	if err != nil {
		failures = append(failures, err)
		r.addFigure(Figure{Name: name, Value: "not measured", Target: fmt.Sprintf("≤ %d", pullErrorPollTarget), Outcome: Fail})
	} else {
		section.Details = append(section.Details, detail)
		r.addFigure(Figure{Name: name, Value: fmt.Sprint(polls), Target: fmt.Sprintf("≤ %d", pullErrorPollTarget),
			Outcome: outcome(polls <= pullErrorPollTarget)})
	}
	return errors.Join(failures...)
}

func (r *runner) detectionTrials(ctx context.Context, srv *emulatorServer, dir string, interval time.Duration) ([]latencyTrial, error) {
	var trials []latencyTrial
	for i := range r.cfg.LatencyTrials {
		name := fmt.Sprintf("healthy-%s-%d", durationLabel(interval), i+1)
		r.logf("health detection at poll interval %s, trial %d of %d", interval, i+1, r.cfg.LatencyTrials)
		trial, err := r.detectionTrial(ctx, srv, dir, name, interval)
		if err != nil {
			return nil, fmt.Errorf("health detection at poll interval %s, trial %d: %w", interval, i+1, err)
		}
		trials = append(trials, trial)
	}
	return trials, nil
}

// detectionTrial applies one never-ready deployment, forces it healthy right
// after the provider's first status poll and times the rest of the apply.
func (r *runner) detectionTrial(ctx context.Context, srv *emulatorServer, dir, name string, interval time.Duration) (latencyTrial, error) {
	if err := removeState(dir); err != nil {
		return latencyTrial{}, err
	}
	apply, err := r.tofu.start(ctx, dir, "apply-"+name, nil, "apply", "-input=false", "-no-color", "-auto-approve",
		"-var", "name="+name, "-var", "image="+neverReadyImage, "-var", "poll_interval="+interval.String())
	if err != nil {
		return latencyTrial{}, err
	}

	waitCtx, cancel := context.WithTimeout(ctx, firstPollTimeout)
	first, waitErr := srv.statuses.waitFor(waitCtx, name, 1)
	cancel()
	var changedAt time.Time
	if waitErr == nil {
		changedAt = time.Now()
		waitErr = srv.emu.ForceStatus(name, "healthy")
	}
	res, err := apply.wait()
	if waitErr != nil {
		return latencyTrial{}, fmt.Errorf("%w (apply log: %s)", waitErr, apply.logPath)
	}
	if err != nil {
		return latencyTrial{}, err
	}
	if res.ExitCode != 0 {
		return latencyTrial{}, fmt.Errorf("apply exited with %d: %s (log: %s)", res.ExitCode, lastLines(res.Output, 10), res.LogPath)
	}
	if first.Status != "initializing" {
		return latencyTrial{}, fmt.Errorf("the first status poll returned %q, expected initializing from the never-ready image", first.Status)
	}

	exitedAt := apply.started.Add(res.Wall)
	observations := srv.statuses.of(name)
	trial := latencyTrial{delay: exitedAt.Sub(changedAt), polls: len(observations)}
	for _, o := range observations {
		if o.Status == "healthy" && o.Time.After(changedAt) {
			trial.pollWait = o.Time.Sub(changedAt)
			trial.tail = exitedAt.Sub(o.Time)
			return trial, nil
		}
	}
	return latencyTrial{}, fmt.Errorf("apply succeeded, but no status poll returned healthy after the change; statuses seen: %s",
		describeObservations(observations))
}

// pullErrorTrial applies a deployment whose image cannot be pulled and
// counts the status polls that returned unhealthy before apply failed.
func (r *runner) pullErrorTrial(ctx context.Context, srv *emulatorServer, dir string, interval time.Duration) (int, string, error) {
	name := "pull-error-" + durationLabel(interval)
	r.logf("image pull error at poll interval %s", interval)
	if err := removeState(dir); err != nil {
		return 0, "", err
	}
	res, err := r.tofu.run(ctx, dir, "apply-"+name, nil, "apply", "-input=false", "-no-color", "-auto-approve",
		"-var", "name="+name, "-var", "image="+pullErrorImage, "-var", "poll_interval="+interval.String())
	if err != nil {
		return 0, "", err
	}
	if res.ExitCode == 0 {
		return 0, "", fmt.Errorf("apply of the image that cannot be pulled succeeded, expected it to fail (log: %s)", res.LogPath)
	}
	if !strings.Contains(res.Output, "cannot pull its image") {
		return 0, "", fmt.Errorf("apply failed, but not with the image pull error: %s (log: %s)", lastLines(res.Output, 10), res.LogPath)
	}

	observations := srv.statuses.of(name)
	firstUnhealthy := slices.IndexFunc(observations, func(o statusObservation) bool { return o.Status == "unhealthy" })
	if firstUnhealthy < 0 {
		return 0, "", fmt.Errorf("no status poll returned unhealthy; statuses seen: %s", describeObservations(observations))
	}
	polls := len(observations) - firstUnhealthy
	exitedAt := time.Now()
	detail := fmt.Sprintf("image pull error at poll interval %s: statuses polled: %s; apply failed %s after the first unhealthy poll.",
		interval, describeObservations(observations), formatSeconds(exitedAt.Sub(observations[firstUnhealthy].Time)))
	return polls, detail, nil
}

func describeObservations(observations []statusObservation) string {
	if len(observations) == 0 {
		return "none"
	}
	parts := make([]string, len(observations))
	for i, o := range observations {
		parts[i] = o.Status
	}
	return strings.Join(parts, ", ")
}

// durationLabel turns a duration into a deployment-name fragment: 1.5s becomes "1500ms".
func durationLabel(d time.Duration) string {
	if d%time.Second == 0 {
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return fmt.Sprintf("%dms", d/time.Millisecond)
}

// removeState deletes the local state of dir, so that the next apply
// creates its deployment anew.
func removeState(dir string) error {
	for _, name := range []string{"terraform.tfstate", "terraform.tfstate.backup"} {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("removing the state of %s failed: %w", dir, err)
		}
	}
	return nil
}
