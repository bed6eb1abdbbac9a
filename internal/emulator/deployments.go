package emulator

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
)

const (
	envTypePlain  = "plain"
	envTypeSecret = "secret"

	mountTypeScratch = "scratch"
	mountTypeMemory  = "memory"
	mountTypeSecret  = "secret"
	mountTypeShared  = "shared"

	maxDeploymentNameLen = 63
	maxPort              = 65535
)

// deploymentNameRE is the name rule the Verda CLI enforces and documents as the API's rule. Container names
// follow the same rule.
var deploymentNameRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

func validateName(field, name string) *apiError {
	if name == "" {
		return badRequest("%s should not be empty", field)
	}
	if len(name) > maxDeploymentNameLen || !deploymentNameRE.MatchString(name) {
		return badRequest("%s %q is invalid: use at most %d lowercase letters, digits and hyphens, starting and ending with a letter or digit",
			field, name, maxDeploymentNameLen)
	}
	return nil
}

// ---- handlers ----

// handleListDeployments implements GET /v1/container-deployments. The objects carry no status.
func (e *Emulator) handleListDeployments(r *http.Request) (response, *apiError) {
	baseURL := requestBaseURL(r)
	out := []wireDeployment{}
	e.read(func(st *state) {
		for _, d := range st.orderedDeployments() {
			out = append(out, deploymentToWire(d, baseURL))
		}
	})
	return jsonResponse(http.StatusOK, out)
}

// handleCreateDeployment implements POST /v1/container-deployments.
func (e *Emulator) handleCreateDeployment(r *http.Request) (response, *apiError) {
	var req wireDeploymentRequest
	if err := decodeJSON(r, &req); err != nil {
		return errorResponse(err)
	}
	d, err := deploymentFromCreateRequest(&req)
	if err != nil {
		return errorResponse(err)
	}

	var out wireDeployment
	err = e.do(func(st *state) *apiError {
		if err := st.validateDeployment(d); err != nil {
			return err
		}
		if _, exists := st.deployments[d.Name]; exists {
			return conflict("container deployment %q already exists; choose another name or delete the existing deployment", d.Name)
		}
		st.insertDeployment(d)
		out = deploymentToWire(d, requestBaseURL(r))
		return nil
	})
	if err != nil {
		return errorResponse(err)
	}
	return jsonResponse(http.StatusOK, out)
}

// handleGetDeployment implements GET /v1/container-deployments/{name}.
func (e *Emulator) handleGetDeployment(r *http.Request) (response, *apiError) {
	var out wireDeployment
	err := e.readDeployment(r, func(st *state, d *deployment) {
		out = deploymentToWire(d, requestBaseURL(r))
	})
	if err != nil {
		return errorResponse(err)
	}
	return jsonResponse(http.StatusOK, out)
}

// handlePatchDeployment implements PATCH /v1/container-deployments/{name}.
func (e *Emulator) handlePatchDeployment(r *http.Request) (response, *apiError) {
	var req wireDeploymentRequest
	if err := decodeJSON(r, &req); err != nil {
		return errorResponse(err)
	}
	name := r.PathValue("name")
	if req.Name != nil && *req.Name != name {
		return errorResponse(badRequest("name cannot be changed (deployment %q, request body %q); create a new deployment instead", name, *req.Name))
	}

	var out wireDeployment
	err := e.do(func(st *state) *apiError {
		d, err := st.deploymentForWrite(name)
		if err != nil {
			return err
		}
		if err := st.patchDeployment(d, &req, true); err != nil {
			return err
		}
		out = deploymentToWire(d, requestBaseURL(r))
		return nil
	})
	if err != nil {
		return errorResponse(err)
	}
	return jsonResponse(http.StatusOK, out)
}

// handleDeleteDeployment implements DELETE /v1/container-deployments/{name}?timeout=<ms>. With a delete
// delay configured, the deployment stays readable for a number of GETs and a positive timeout returns 504.
func (e *Emulator) handleDeleteDeployment(r *http.Request) (response, *apiError) {
	timeout, given, err := parseIntQuery(r, "timeout")
	if err != nil {
		return errorResponse(err)
	}
	if !given {
		timeout = defaultDeleteTimeout
	}
	timeout = min(timeout, maxDeleteTimeout)

	name := r.PathValue("name")
	err = e.do(func(st *state) *apiError {
		d, ok := st.deployments[name]
		if !ok {
			return notFound("container deployment %q not found", name)
		}
		if st.deleteDelay == 0 {
			st.removeDeployment(name)
			return nil
		}
		if !d.Deleting {
			d.Deleting = true
			d.DeleteReadsLeft = st.deleteDelay
			st.touch()
		}
		// NOTE: the 504 comes at once instead of after timeout milliseconds, so that tests never wait.
		if timeout > 0 {
			return newAPIError(http.StatusGatewayTimeout, codeServerError,
				"deleting container deployment %q did not finish within %d ms; it continues in the background, so poll GET /v1/container-deployments/%s until it returns 404",
				name, timeout, name)
		}
		return nil
	})
	if err != nil {
		return errorResponse(err)
	}
	return emptyResponse(http.StatusNoContent)
}

// handleDeploymentStatus implements GET /v1/container-deployments/{name}/status. Each call counts as one
// read for the lifecycle.
func (e *Emulator) handleDeploymentStatus(r *http.Request) (response, *apiError) {
	var out wireStatus
	err := e.readDeployment(r, func(st *state, d *deployment) {
		out = wireStatus{Status: st.observeDeployment(d, true)}
	})
	if err != nil {
		return errorResponse(err)
	}
	return jsonResponse(http.StatusOK, out)
}

// handleGetScaling implements GET /v1/container-deployments/{name}/scaling.
func (e *Emulator) handleGetScaling(r *http.Request) (response, *apiError) {
	var out wireScaling
	err := e.readDeployment(r, func(st *state, d *deployment) {
		out = scalingToWire(d.Scaling)
	})
	if err != nil {
		return errorResponse(err)
	}
	return jsonResponse(http.StatusOK, out)
}

// handlePatchScaling implements PATCH /v1/container-deployments/{name}/scaling. Only the given fields change.
func (e *Emulator) handlePatchScaling(r *http.Request) (response, *apiError) {
	var req wireScalingRequest
	if err := decodeJSON(r, &req); err != nil {
		return errorResponse(err)
	}
	var out wireScaling
	err := e.do(func(st *state) *apiError {
		d, err := st.deploymentForWrite(r.PathValue("name"))
		if err != nil {
			return err
		}
		merged := mergeScaling(d.Scaling, &req)
		if err := validateScaling("", merged); err != nil {
			return err
		}
		d.Scaling = merged
		st.syncReplicas(d)
		st.touch()
		out = scalingToWire(d.Scaling)
		return nil
	})
	if err != nil {
		return errorResponse(err)
	}
	return jsonResponse(http.StatusOK, out)
}

// handleReplicas implements GET /v1/container-deployments/{name}/replicas.
func (e *Emulator) handleReplicas(r *http.Request) (response, *apiError) {
	var out wireReplicaList
	err := e.readDeployment(r, func(st *state, d *deployment) {
		st.observeDeployment(d, false)
		out = replicasToWire(d.Replicas)
	})
	if err != nil {
		return errorResponse(err)
	}
	return jsonResponse(http.StatusOK, out)
}

// handleRestart implements POST /v1/container-deployments/{name}/restart.
func (e *Emulator) handleRestart(r *http.Request) (response, *apiError) {
	return e.deploymentAction(r, func(st *state, d *deployment) *apiError {
		if d.Status == statusPaused {
			return forbiddenAction("container deployment %q is paused; resume it instead of restarting it", d.Name)
		}
		st.restartDeployment(d, statusInitializing)
		return nil
	})
}

// handlePause implements POST /v1/container-deployments/{name}/pause.
func (e *Emulator) handlePause(r *http.Request) (response, *apiError) {
	return e.deploymentAction(r, func(st *state, d *deployment) *apiError {
		if d.Status != statusPaused {
			st.restartDeployment(d, statusPaused)
		}
		return nil
	})
}

// handleResume implements POST /v1/container-deployments/{name}/resume. Resuming a deployment that is not
// paused changes nothing.
func (e *Emulator) handleResume(r *http.Request) (response, *apiError) {
	return e.deploymentAction(r, func(st *state, d *deployment) *apiError {
		if d.Status == statusPaused {
			st.restartDeployment(d, statusInitializing)
		}
		return nil
	})
}

// handlePurgeQueue implements POST /v1/container-deployments/{name}/purge-queue. The fake ComfyUI runs each
// prompt at once, so there is never a queue to purge.
func (e *Emulator) handlePurgeQueue(r *http.Request) (response, *apiError) {
	return e.deploymentAction(r, func(*state, *deployment) *apiError { return nil })
}

func (e *Emulator) deploymentAction(r *http.Request, action func(st *state, d *deployment) *apiError) (response, *apiError) {
	err := e.do(func(st *state) *apiError {
		d, err := st.deploymentForWrite(r.PathValue("name"))
		if err != nil {
			return err
		}
		return action(st, d)
	})
	if err != nil {
		return errorResponse(err)
	}
	return emptyResponse(http.StatusNoContent)
}

// readDeployment runs fn on the deployment named in the path and counts the read against a pending delete.
func (e *Emulator) readDeployment(r *http.Request, fn func(st *state, d *deployment)) *apiError {
	name := r.PathValue("name")
	return e.do(func(st *state) *apiError {
		d, ok := st.deployments[name]
		if !ok {
			return notFound("container deployment %q not found", name)
		}
		fn(st, d)
		st.countDeletingRead(d)
		return nil
	})
}

// ---- store operations ----

func (st *state) orderedDeployments() []*deployment {
	out := make([]*deployment, 0, len(st.deploymentOrder))
	for _, name := range st.deploymentOrder {
		if d, ok := st.deployments[name]; ok {
			out = append(out, d)
		}
	}
	return out
}

// insertDeployment stores a validated new deployment and starts its lifecycle.
func (st *state) insertDeployment(d *deployment) {
	now := st.now()
	if d.CreatedAt.IsZero() {
		d.CreatedAt = now
	}
	for _, c := range d.Containers {
		if c.ImageUpdatedAt.IsZero() {
			c.ImageUpdatedAt = now
		}
	}
	st.deployments[d.Name] = d
	st.deploymentOrder = append(st.deploymentOrder, d.Name)
	if d.Status == "" {
		st.startStage(d, statusInitializing, "")
	}
	st.touch()
}

func (st *state) removeDeployment(name string) {
	delete(st.deployments, name)
	st.deploymentOrder = slices.DeleteFunc(st.deploymentOrder, func(n string) bool { return n == name })
	st.touch()
}

// deploymentForWrite finds a deployment that may be changed: it exists and is not being deleted.
func (st *state) deploymentForWrite(name string) (*deployment, *apiError) {
	d, ok := st.deployments[name]
	if !ok {
		return nil, notFound("container deployment %q not found", name)
	}
	if d.Deleting {
		return nil, conflict("container deployment %q is being deleted", name)
	}
	return d, nil
}

// countDeletingRead counts one GET of a deployment whose delete is pending and removes it after the last.
func (st *state) countDeletingRead(d *deployment) {
	if !d.Deleting {
		return
	}
	d.DeleteReadsLeft--
	st.touch()
	if d.DeleteReadsLeft <= 0 {
		st.removeDeployment(d.Name)
	}
}

// patchDeployment applies a PATCH body. With checkNames the containers must keep their existing names, as
// the API requires. The control plane's out-of-band patch skips that rule.
func (st *state) patchDeployment(d *deployment, req *wireDeploymentRequest, checkNames bool) *apiError {
	updated := *d
	updated.Scaling = mergeScaling(d.Scaling, nil)
	if err := applyDeploymentFields(&updated, req); err != nil {
		return err
	}
	if req.Containers != nil {
		containers, err := containersFromWire(req.Containers, checkNames)
		if err != nil {
			return err
		}
		if checkNames {
			for i, c := range containers {
				if !slices.ContainsFunc(d.Containers, func(old *container) bool { return old.Name == c.Name }) {
					return badRequest("containers.%d.name: container %q does not exist in deployment %q; existing containers: %s",
						i, c.Name, d.Name, quoteList(containerNames(d)))
				}
			}
		}
		st.carryImageTimestamps(d.Containers, containers)
		updated.Containers = containers
	}
	if err := st.validateDeployment(&updated); err != nil {
		return err
	}

	versionChanged := updated.IsSpot != d.IsSpot || updated.Compute != d.Compute || !sameContainers(d.Containers, updated.Containers)
	scalingChanged := !sameJSON(d.Scaling, updated.Scaling)
	d.IsSpot = updated.IsSpot
	d.Compute = updated.Compute
	d.Registry = updated.Registry
	d.Scaling = updated.Scaling
	d.Containers = updated.Containers
	st.touch()

	switch {
	case versionChanged && checkNames:
		st.restartDeployment(d, statusVersionUpdating)
	case scalingChanged:
		st.syncReplicas(d)
	}
	return nil
}

// carryImageTimestamps keeps last_updated_at for containers whose image did not change.
func (st *state) carryImageTimestamps(old, updated []*container) {
	now := st.now()
	for _, c := range updated {
		c.ImageUpdatedAt = now
		for _, o := range old {
			if o.Name == c.Name && o.Image == c.Image {
				c.ImageUpdatedAt = o.ImageUpdatedAt
			}
		}
	}
}

func containerNames(d *deployment) []string {
	names := make([]string, 0, len(d.Containers))
	for _, c := range d.Containers {
		names = append(names, c.Name)
	}
	return names
}

func sameContainers(a, b []*container) bool { return sameJSON(a, b) }

func sameJSON(a, b any) bool {
	left, errLeft := json.Marshal(a)
	right, errRight := json.Marshal(b)
	return errLeft == nil && errRight == nil && string(left) == string(right)
}

// deploymentsUsing lists the deployments with at least one container matching uses.
func (st *state) deploymentsUsing(uses func(c *container) bool) []string {
	var names []string
	for _, d := range st.orderedDeployments() {
		if slices.ContainsFunc(d.Containers, uses) {
			names = append(names, d.Name)
		}
	}
	return names
}
