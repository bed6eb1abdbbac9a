package provider

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/comfyume/terraform-provider-verda/internal/verda"
)

// specChanges records which parts of a deployment an update touches. The
// deployment endpoint takes containers, compute, spot and registry
// settings. The scaling endpoint takes scaling alone and restarts nothing.
type specChanges struct {
	Container bool
	Compute   bool
	Spot      bool
	Registry  bool
	Scaling   bool
}

func diffSpecs(prior, next deploymentSpec) specChanges {
	return specChanges{
		Container: !containerSpecEqual(prior, next),
		Compute:   prior.GPUType != next.GPUType || prior.GPUCount != next.GPUCount,
		Spot:      prior.Spot != next.Spot,
		Registry:  prior.RegistryCredentials != next.RegistryCredentials,
		Scaling:   prior.Scaling != next.Scaling,
	}
}

func (c specChanges) deployment() bool { return c.Container || c.Compute || c.Spot || c.Registry }

func (c specChanges) any() bool { return c.deployment() || c.Scaling }

func (c specChanges) String() string {
	var parts []string
	for _, p := range []struct {
		set  bool
		name string
	}{{c.Container, "container"}, {c.Compute, "gpu"}, {c.Spot, "spot"}, {c.Registry, "registry credentials"}, {c.Scaling, "scaling"}} {
		if p.set {
			parts = append(parts, p.name)
		}
	}
	return strings.Join(parts, ", ")
}

func containerSpecEqual(a, b deploymentSpec) bool {
	return a.Image == b.Image &&
		a.Port == b.Port &&
		slices.Equal(a.Entrypoint, b.Entrypoint) &&
		slices.Equal(a.CommandLine, b.CommandLine) &&
		slices.Equal(a.SFSMounts, b.SFSMounts) &&
		slices.Equal(a.ScratchMounts, b.ScratchMounts) &&
		slices.Equal(a.SecretMounts, b.SecretMounts) &&
		a.MemoryMountMB == b.MemoryMountMB &&
		maps.Equal(a.Env, b.Env) &&
		maps.Equal(a.SecretEnv, b.SecretEnv) &&
		a.Healthcheck == b.Healthcheck
}

// applySpec sends the changes from prior to next: one PATCH of the
// deployment with only the parts that changed, and one PATCH of scaling
// with only the fields that changed. Both calls set absolute values, so
// applySpec(next, prior) undoes applySpec(prior, next).
func (r *comfyDeploymentResource) applySpec(ctx context.Context, name, containerName string, prior, next deploymentSpec, changes specChanges) error {
	defer r.data.forgetDeployments()

	if changes.deployment() {
		var req verda.UpdateDeploymentRequest
		if changes.Container {
			if containerName == "" {
				return fmt.Errorf("the container name of deployment %q is unknown; run `tofu refresh` and apply again", name)
			}
			req.Containers = []verda.Container{next.container(containerName)}
		}
		if changes.Compute {
			req.Compute = &verda.Compute{Name: next.GPUType, Size: next.GPUCount}
		}
		if changes.Spot {
			req.IsSpot = verda.Bool(next.Spot)
		}
		if changes.Registry {
			req.ContainerRegistrySettings = next.registrySettings()
		}
		tflog.Debug(ctx, "patching deployment", map[string]any{"deployment": name, "parts": changes.String()})
		_, err := r.data.client.UpdateDeployment(ctx, name, req)

		if err != nil {
			return err
		}
	}

	if changes.Scaling {
		patch, err := r.scalingPatch(ctx, name, prior.Scaling, next.Scaling)
		if err != nil {
			return err
		}
		tflog.Debug(ctx, "patching deployment scaling", map[string]any{"deployment": name})
		_, err = r.data.client.UpdateScaling(ctx, name, patch)

		if err != nil {
			return err
		}
	}
	return nil
}

// scalingPatch holds only the fields that differ. A new queue-load
// threshold is sent inside scaling_triggers together with the live CPU and
// GPU utilization triggers, which this resource does not manage, so that a
// server that replaces the triggers object as a whole keeps them.
func (r *comfyDeploymentResource) scalingPatch(ctx context.Context, name string, prior, next scalingSpec) (verda.Scaling, error) {
	var patch verda.Scaling
	setIfChanged := func(dst **int64, before, after int64) {
		if before != after {
			*dst = verda.Int64(after)
		}
	}
	setIfChanged(&patch.MinReplicaCount, prior.MinReplicas, next.MinReplicas)
	setIfChanged(&patch.MaxReplicaCount, prior.MaxReplicas, next.MaxReplicas)
	setIfChanged(&patch.ConcurrentRequestsPerReplica, prior.Concurrency, next.Concurrency)
	setIfChanged(&patch.QueueMessageTTLSeconds, prior.QueueMessageTTL, next.QueueMessageTTL)
	if prior.ScaleUpDelay != next.ScaleUpDelay {
		patch.ScaleUpPolicy = &verda.ScalingPolicy{DelaySeconds: verda.Int64(next.ScaleUpDelay)}
	}
	if prior.ScaleDownDelay != next.ScaleDownDelay {
		patch.ScaleDownPolicy = &verda.ScalingPolicy{DelaySeconds: verda.Int64(next.ScaleDownDelay)}
	}
	if prior.QueueLoadThreshold != next.QueueLoadThreshold {
		live, err := r.data.client.GetScaling(ctx, name)

		if err != nil {
			return patch, err
		}
		triggers := verda.ScalingTriggers{QueueLoad: &verda.QueueLoadTrigger{Threshold: next.QueueLoadThreshold}}
		if live.ScalingTriggers != nil {
			triggers.CPUUtilization = live.ScalingTriggers.CPUUtilization
			triggers.GPUUtilization = live.ScalingTriggers.GPUUtilization
		}
		patch.ScalingTriggers = &triggers
	}
	return patch, nil
}

// rollback restores prior after a failed update and waits until the
// deployment is healthy again. It does not probe: the previous
// configuration passed its probe when it was applied.
func (r *comfyDeploymentResource) rollback(ctx context.Context, name, containerName string, prior, failed deploymentSpec, changes specChanges, endpoint string) error {
	tflog.Warn(ctx, "rolling back a failed deployment update", map[string]any{"deployment": name, "parts": changes.String()})
	if err := r.applySpec(ctx, name, containerName, failed, prior, changes); err != nil {
		return fmt.Errorf("restoring the previous configuration failed: %w", err)
	}
	waiter := newDeploymentWaiter(r.data, name, endpoint, defaultProbePath)
	if err := waiter.waitHealthy(ctx); err != nil {
		return fmt.Errorf("the previous configuration was restored but did not become healthy: %w", err)
	}
	return nil
}

// isInterrupted reports whether err comes from a cancelled operation
// (Ctrl-C), as opposed to a failure or a timeout. It also checks ctx,
// because the API client reports a cancelled request as a plain error.
func isInterrupted(ctx context.Context, err error) bool {
	var we *waitError
	if errors.As(err, &we) && we.Interrupted {
		return true
	}
	return errors.Is(err, context.Canceled) || errors.Is(ctx.Err(), context.Canceled)
}
