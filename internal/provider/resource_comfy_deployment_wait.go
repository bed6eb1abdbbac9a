package provider

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/comfyume/terraform-provider-verda/internal/comfy"
	"github.com/comfyume/terraform-provider-verda/internal/verda"
)

// unhealthyGracePolls is how many poll intervals an unhealthy or degraded
// status may last before a wait fails: a replica that restarts once, or a
// health check that fails while ComfyUI loads custom nodes, recovers within
// it. At the default poll interval of 10 s that is one minute.
const unhealthyGracePolls = 6

// diagnosticsBudget bounds the extra requests made to explain a failed wait
// after its own deadline has passed.
const diagnosticsBudget = 5 * time.Second

// pendingStatuses are the statuses during which a wait keeps polling.
var pendingStatuses = map[string]bool{
	verda.StatusInitializing:    true,
	verda.StatusImagePulling:    true,
	verda.StatusVersionUpdating: true,
}

// deploymentWaiter polls a deployment's status until it is healthy. The
// clock and sleep are fields so that unit tests control time.
type deploymentWaiter struct {
	client   *verda.Client
	name     string
	interval time.Duration
	grace    time.Duration
	// endpoint and probePath serve the last probe quoted in a failure.
	endpoint  string
	probePath string
	now       func() time.Time
	sleep     func(ctx context.Context, d time.Duration) error
}

func newDeploymentWaiter(data *providerData, name, endpoint, probePath string) *deploymentWaiter {
	return &deploymentWaiter{
		client:    data.client,
		name:      name,
		interval:  data.pollInterval,
		grace:     unhealthyGracePolls * data.pollInterval,
		endpoint:  endpoint,
		probePath: probePath,
		now:       time.Now,
		sleep:     sleepContext,
	}
}

// sleepContext sleeps for d or until ctx ends, whichever comes first.
func sleepContext(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// withJitter takes up to a tenth off d, so that many deployments waiting in
// one apply do not poll in lockstep, while a change is still seen within one
// poll interval.
func withJitter(d time.Duration) time.Duration {
	if d <= 0 {
		return d
	}
	return d - rand.N(d/10+1)
}

// waitError is a wait that ended without a healthy deployment. It carries
// what the user needs to act: the status, the replicas and the endpoint's
// last response.
type waitError struct {
	Deployment string
	Status     string
	Reason     string
	Remedy     string
	Replicas   []verda.Replica
	// LastProbe is the endpoint's response to one probe request, or why
	// there was none.
	LastProbe string
	// Interrupted is set when the operation was cancelled (Ctrl-C).
	Interrupted bool
	cause       error
}

func (e *waitError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Deployment %q %s (last status %q).", e.Deployment, e.Reason, e.Status)
	if len(e.Replicas) == 0 {
		b.WriteString(" Replicas: none.")
	} else {
		parts := make([]string, len(e.Replicas))
		for i, r := range e.Replicas {
			parts[i] = fmt.Sprintf("%s %s", r.ID, r.Status)
			if r.StartedAt != "" {
				parts[i] += " since " + r.StartedAt
			}
		}
		fmt.Fprintf(&b, " Replicas: %s.", strings.Join(parts, "; "))
	}
	if e.LastProbe != "" {
		fmt.Fprintf(&b, " Last probe: %s.", e.LastProbe)
	}
	if e.Remedy != "" {
		b.WriteString(" ")
		b.WriteString(e.Remedy)
	}
	return b.String()
}

func (e *waitError) Unwrap() error { return e.cause }

// waitHealthy polls /status until the deployment is healthy. A deployment
// scaled to zero with no replicas is healthy too. It fails at once on
// quota_reached, paused and replicas that cannot pull the image, and on
// unhealthy or degraded once that has lasted longer than the grace period.
func (w *deploymentWaiter) waitHealthy(ctx context.Context) error {
	var unhealthySince time.Time
	last := ""
	for {
		status, err := w.client.GetDeploymentStatus(ctx, w.name)

		if err != nil {
			if ctx.Err() != nil {
				return w.stopped(ctx, last)
			}
			if verda.IsNotFound(err) {
				return &waitError{Deployment: w.name, Status: last, Reason: "no longer exists",
					Remedy: "It was deleted while the provider waited; apply again to recreate it.", cause: err}
			}
			return fmt.Errorf("waiting for deployment %q to become healthy: %w", w.name, err)
		}
		if status != last {
			tflog.Debug(ctx, "deployment status", map[string]any{"deployment": w.name, "status": status})
		}
		last = status

		switch {
		case status == verda.StatusHealthy:
			return nil
		case pendingStatuses[status]:
			unhealthySince = time.Time{}
		case status == verda.StatusQuotaReached:
			return w.fail(ctx, status, "reached a quota: no capacity of its GPU type is available to this account now",
				"Choose another gpu.type or count, set spot = false, retry later, or ask Verda support to raise the quota.", nil)
		case status == verda.StatusPaused:
			return w.fail(ctx, status, "is paused",
				"Resume it in the Verda console or API, then apply again.", nil)
		case status == verda.StatusUnhealthy || status == verda.StatusDegraded:
			replicas, _ := w.client.GetReplicas(ctx, w.name)
			if reason := imagePullFailure(replicas); reason != "" {
				return w.fail(ctx, status, "cannot pull its image (replica status "+reason+")",
					"Check that the image and tag exist and that registry_credentials grant access to it.", replicas)
			}
			if unhealthySince.IsZero() {
				unhealthySince = w.now()
			} else if w.now().Sub(unhealthySince) >= w.grace {
				return w.fail(ctx, status, fmt.Sprintf("stayed %s for %s", status, w.now().Sub(unhealthySince).Round(time.Millisecond)),
					"The platform health check fails: check the container logs in the Verda console, and that healthcheck.path "+
						"answers 200 on healthcheck.port once ComfyUI has started.", replicas)
			}
		default:
			tflog.Warn(ctx, "unknown deployment status, still waiting", map[string]any{"deployment": w.name, "status": status})
		}

		if err := w.sleep(ctx, withJitter(w.interval)); err != nil {
			return w.stopped(ctx, last)
		}
	}
}

// imagePullFailure returns the status of the first replica that reports an
// image pull failure, such as "image_pull_error" or "ErrImagePull".
func imagePullFailure(replicas []verda.Replica) string {
	for _, r := range replicas {
		s := strings.ToLower(r.Status)
		if strings.Contains(s, "pull") || strings.Contains(s, "errimage") || strings.Contains(s, "invalidimage") {
			return r.Status
		}
	}
	return ""
}

// fail builds the waitError of a terminal status, with the replicas and
// one probe of the endpoint.
func (w *deploymentWaiter) fail(ctx context.Context, status, reason, remedy string, replicas []verda.Replica) error {
	if replicas == nil {
		replicas, _ = w.client.GetReplicas(ctx, w.name)
	}
	return &waitError{Deployment: w.name, Status: status, Reason: reason, Remedy: remedy,
		Replicas: replicas, LastProbe: w.probeOnce(ctx)}
}

// stopped explains a wait whose context ended: a cancellation returns at
// once, a deadline spends up to diagnosticsBudget on the replicas and one
// probe.
func (w *deploymentWaiter) stopped(ctx context.Context, last string) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return &waitError{Deployment: w.name, Status: last, Reason: "was not yet healthy when the operation was interrupted",
			Remedy: "The deployment keeps starting on its own; apply again to wait for it.", Interrupted: true, cause: ctx.Err()}
	}
	diagCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), diagnosticsBudget)
	defer cancel()
	replicas, _ := w.client.GetReplicas(diagCtx, w.name)
	return &waitError{Deployment: w.name, Status: last, Reason: "did not become healthy before the timeout",
		Remedy:   "Check the image and the container logs in the Verda console, or raise the create or update timeout in the timeouts block.",
		Replicas: replicas, LastProbe: w.probeOnce(diagCtx), cause: ctx.Err()}
}

// probeOnce requests the probe path once and summarizes the response for
// an error message.
func (w *deploymentWaiter) probeOnce(ctx context.Context) string {
	if w.endpoint == "" || !w.client.HasInferenceKey() {
		return ""
	}
	probeCtx, cancel := context.WithTimeout(ctx, diagnosticsBudget)
	defer cancel()
	var stats comfy.SystemStats
	err := w.client.CallInference(probeCtx, verda.InferenceRequest{
		Deployment: w.name, EndpointBaseURL: w.endpoint, Path: w.probePath, Out: &stats,
	})

	if err != nil {
		return fmt.Sprintf("GET %s failed: %v", w.probePath, err)
	}
	return fmt.Sprintf("GET %s answered ComfyUI %s", w.probePath, stats.System.ComfyUIVersion)
}

// waitDeleted polls the deployment until the API returns 404.
func waitDeleted(ctx context.Context, data *providerData, name string) error {
	for {
		_, err := data.client.GetDeployment(ctx, name)

		if verda.IsNotFound(err) {
			return nil
		}
		if err != nil && ctx.Err() == nil {
			return fmt.Errorf("waiting for deployment %q to be deleted: %w", name, err)
		}
		if err := sleepContext(ctx, withJitter(data.pollInterval)); err != nil {
			if errors.Is(err, context.Canceled) {
				return fmt.Errorf("interrupted while waiting for deployment %q to be deleted; it is still being deleted", name)
			}
			return fmt.Errorf("deployment %q still exists when the delete timeout expired; raise the delete timeout in the timeouts block", name)
		}
	}
}
