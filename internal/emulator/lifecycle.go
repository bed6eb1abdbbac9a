package emulator

// Deployment statuses, as the Python SDK's ContainerDeploymentStatus enum lists them.
const (
	statusInitializing    = "initializing"
	statusImagePulling    = "image_pulling"
	statusHealthy         = "healthy"
	statusDegraded        = "degraded"
	statusUnhealthy       = "unhealthy"
	statusPaused          = "paused"
	statusQuotaReached    = "quota_reached"
	statusVersionUpdating = "version_updating"
)

// Reasons for an unhealthy deployment, which decide the status of its replicas.
const (
	failureImagePull   = "image_pull"
	failureStart       = "start"
	failureHealthcheck = "healthcheck"
)

// Replica statuses. The API documents only "running"; the others are the emulator's own words.
const (
	replicaRunning        = "running"
	replicaStarting       = "starting"
	replicaFailed         = "failed"
	replicaImagePullError = "image_pull_error"
)

// Volume statuses used by the lifecycle.
const (
	volumeOrdered  = "ordered"
	volumeCloning  = "cloning"
	volumeCreated  = "created"
	volumeAttached = "attached"
	volumeDetached = "detached"
)

// The deployment lifecycle:
//
//	initializing -> image_pulling -> healthy | unhealthy
//	initializing -> quota_reached -> image_pulling (once the compute resource is available again)
//	version_updating -> healthy | unhealthy | quota_reached
//	paused -> initializing (resume)
//
// A transitional stage stays visible for StagePolls reads of /status, or for StageDuration of clock time
// when that is set. Images with NeverReady never leave initializing or version_updating.

func isTransitionalDeploymentStatus(status string) bool {
	switch status {
	case statusInitializing, statusImagePulling, statusVersionUpdating, statusQuotaReached:
		return true
	}
	return false
}

// startStage moves d into status and restarts the stage's read count and timer.
func (st *state) startStage(d *deployment, status, failure string) {
	d.Status = status
	d.Failure = failure
	d.StageReads = 0
	d.StageStartedAt = st.now()
	st.syncReplicas(d)
	st.touch()
}

// restartDeployment starts new containers in status: the old replicas and the fake ComfyUI's in-memory
// state (history, container-local files) are gone, as after a real container restart.
func (st *state) restartDeployment(d *deployment, status string) {
	d.Comfy = comfyState{}
	d.Replicas = nil
	st.startStage(d, status, "")
}

// observeDeployment returns the status a client sees now. countRead counts the call as one read of the
// current stage, which advances the lifecycle after StagePolls reads.
func (st *state) observeDeployment(d *deployment, countRead bool) string {
	if st.stageDuration > 0 {
		st.advanceDeploymentByTime(d)
		return d.effectiveStatus()
	}
	visible := d.effectiveStatus()
	if countRead && isTransitionalDeploymentStatus(d.Status) {
		d.StageReads++
		st.touch()
		if d.StageReads >= st.stagePolls {
			st.advanceDeployment(d)
		}
	}
	return visible
}

func (st *state) advanceDeploymentByTime(d *deployment) {
	now := st.now()
	for isTransitionalDeploymentStatus(d.Status) && now.Sub(d.StageStartedAt) >= st.stageDuration {
		next := d.StageStartedAt.Add(st.stageDuration)
		if !st.advanceDeployment(d) {
			// A stage that cannot move (never ready, no capacity) waits a full stage after the blocker clears.
			d.StageStartedAt = now
			return
		}
		d.StageStartedAt = next
	}
}

// advanceDeployment moves d out of its transitional stage and reports whether it moved.
func (st *state) advanceDeployment(d *deployment) bool {
	behavior := st.deploymentBehavior(d)
	switch d.Status {
	case statusInitializing, statusVersionUpdating:
		if behavior.NeverReady {
			d.StageReads = 0
			return false
		}
		if !st.computeAvailable(d) {
			st.startStage(d, statusQuotaReached, "")
			return true
		}
		if d.Status == statusInitializing {
			st.startStage(d, statusImagePulling, "")
			return true
		}
		st.settleDeployment(d)
		return true
	case statusImagePulling:
		st.settleDeployment(d)
		return true
	case statusQuotaReached:
		if st.computeAvailable(d) {
			st.startStage(d, statusImagePulling, "")
			return true
		}
		d.StageReads = 0
		return false
	}
	return false
}

// settleDeployment ends a rollout in healthy or unhealthy, after the image pull.
func (st *state) settleDeployment(d *deployment) {
	if st.deploymentBehavior(d).PullError {
		st.startStage(d, statusUnhealthy, failureImagePull)
		return
	}
	if healthy, failure := st.evaluateHealth(d); !healthy {
		st.startStage(d, statusUnhealthy, failure)
		return
	}
	st.startStage(d, statusHealthy, "")
}

// evaluateHealth runs the platform health check of every container against its fake ComfyUI. A container
// whose ComfyUI cannot start fails. With the health check disabled, a started process counts as healthy.
func (st *state) evaluateHealth(d *deployment) (bool, string) {
	for _, c := range d.Containers {
		proc := newComfyProcess(c, st.images[c.Image])
		if proc.StartError != "" {
			return false, failureStart
		}
		hc := c.Healthcheck
		if hc == nil || !hc.Enabled {
			continue
		}
		port := hc.Port
		if port == 0 {
			port = c.ExposedPort
		}
		healthPath := hc.Path
		if healthPath == "" {
			healthPath = "/"
		}
		if !proc.reachableOn(port) || !proc.servesHealthPath(healthPath) {
			return false, failureHealthcheck
		}
	}
	return true, ""
}

// deploymentBehavior combines the behaviors of all images of d: one bad image spoils the deployment.
func (st *state) deploymentBehavior(d *deployment) ImageBehavior {
	var out ImageBehavior
	for _, c := range d.Containers {
		b := st.images[c.Image]
		out.PullError = out.PullError || b.PullError
		out.NeverReady = out.NeverReady || b.NeverReady
	}
	return out
}

func (st *state) computeAvailable(d *deployment) bool {
	c, ok := st.findCompute(d.Compute.Name, d.Compute.Size)
	return ok && c.IsAvailable
}

// syncReplicas makes the replica list match the visible status and the scaling: min_replica_count
// running replicas when healthy (none at zero), one starting or failed replica during a rollout or failure.
func (st *state) syncReplicas(d *deployment) {
	want, status := 0, ""
	atLeastOne := max(d.Scaling.MinReplicaCount, 1)
	switch d.effectiveStatus() {
	case statusHealthy, statusDegraded:
		want, status = d.Scaling.MinReplicaCount, replicaRunning
	case statusImagePulling, statusVersionUpdating:
		want, status = atLeastOne, replicaStarting
	case statusUnhealthy:
		want, status = atLeastOne, replicaFailed
		if d.Failure == failureImagePull {
			status = replicaImagePullError
		}
	}
	if len(d.Replicas) > want {
		d.Replicas = d.Replicas[:want]
	}
	for i := range d.Replicas {
		d.Replicas[i].Status = status
	}
	for len(d.Replicas) < want {
		d.Replicas = append(d.Replicas, replica{ID: st.newID(), Status: status, StartedAt: st.now()})
	}
	st.touch()
}

// ---- volumes ----

func isTransitionalVolumeStatus(status string) bool {
	return status == volumeOrdered || status == volumeCloning
}

// observeVolume returns the status a client sees now and advances a volume from ordered or cloning to
// created (or attached) after StagePolls counted reads or StageDuration of clock time.
func (st *state) observeVolume(v *volume, countRead bool) string {
	if !isTransitionalVolumeStatus(v.Status) {
		return v.Status
	}
	if st.stageDuration > 0 {
		if st.now().Sub(v.StageStartedAt) >= st.stageDuration {
			st.finishVolume(v)
		}
		return v.Status
	}
	visible := v.Status
	if countRead {
		v.StageReads++
		st.touch()
		if v.StageReads >= st.stagePolls {
			st.finishVolume(v)
		}
	}
	return visible
}

func (st *state) finishVolume(v *volume) {
	v.Status = volumeCreated
	if len(v.InstanceIDs) > 0 {
		v.Status = volumeAttached
	}
	v.StageReads = 0
	v.StageStartedAt = st.now()
	st.touch()
}

// ---- Go API ----

// ForceStatus makes the deployment report status on every read until it is cleared with "". The lifecycle
// keeps running underneath.
func (e *Emulator) ForceStatus(deploymentName, status string) error {
	return asError(e.do(func(st *state) *apiError {
		d, ok := st.deployments[deploymentName]
		if !ok {
			return notFound("container deployment %q not found", deploymentName)
		}
		d.ForcedStatus = status
		st.syncReplicas(d)
		st.touch()
		return nil
	}))
}

// DeploymentStatus returns the status a client would see, without counting a read. With StageDuration set,
// stages that are due by the clock still advance.
func (e *Emulator) DeploymentStatus(name string) (string, error) {
	var status string
	err := e.do(func(st *state) *apiError {
		d, ok := st.deployments[name]
		if !ok {
			return notFound("container deployment %q not found", name)
		}
		status = st.observeDeployment(d, false)
		return nil
	})
	return status, asError(err)
}

// SetDeleteDelay makes deleted deployments stay readable (GET 200) for polls GETs. A DELETE with a positive
// timeout then returns 504 because the deletion cannot finish in time.
func (e *Emulator) SetDeleteDelay(polls int) {
	e.do(func(st *state) *apiError {
		st.deleteDelay = max(polls, 0)
		st.touch()
		return nil
	})
}

// asError converts a possibly nil *apiError into an error without the typed-nil trap. The result keeps
// the *apiError, so the control plane can recover its status with errors.As.
func asError(err *apiError) error {
	if err == nil {
		return nil
	}
	return err
}
