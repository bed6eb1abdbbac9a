package emulator

import (
	"net/http"
	"slices"
)

// ---- environment variables ----

// handleListEnv implements GET /v1/container-deployments/{name}/environment-variables.
func (e *Emulator) handleListEnv(r *http.Request) (response, *apiError) {
	var out []wireEnvGroup
	err := e.readDeployment(r, func(st *state, d *deployment) {
		out = envGroupsToWire(d)
	})
	if err != nil {
		return errorResponse(err)
	}
	return jsonResponse(http.StatusOK, out)
}

// handleAddEnv implements POST /v1/container-deployments/{name}/environment-variables.
func (e *Emulator) handleAddEnv(r *http.Request) (response, *apiError) {
	return e.changeEnv(r, false)
}

// handleUpdateEnv implements PATCH /v1/container-deployments/{name}/environment-variables.
func (e *Emulator) handleUpdateEnv(r *http.Request) (response, *apiError) {
	return e.changeEnv(r, true)
}

// changeEnv adds (POST) or updates (PATCH) variables of one container. Both restart the containers.
// POST returns every container's variables, PATCH only the changed container's.
func (e *Emulator) changeEnv(r *http.Request, update bool) (response, *apiError) {
	var req wireEnvGroupRequest
	if err := decodeJSON(r, &req); err != nil {
		return errorResponse(err)
	}
	if req.ContainerName == nil || *req.ContainerName == "" {
		return errorResponse(nullOrUndefined("container_name"))
	}
	if len(req.Env) == 0 {
		return errorResponse(badRequest("env should not be empty"))
	}
	vars, apiErr := envFromWire("env", req.Env)
	if apiErr != nil {
		return errorResponse(apiErr)
	}

	var out any
	apiErr = e.do(func(st *state) *apiError {
		d, err := st.deploymentForWrite(r.PathValue("name"))
		if err != nil {
			return err
		}
		c, err := findContainer(d, *req.ContainerName)
		if err != nil {
			return err
		}
		env := slices.Clone(c.Env)
		for _, v := range vars {
			index := slices.IndexFunc(env, func(old envVar) bool { return old.Name == v.Name })
			switch {
			case update && index < 0:
				return badRequest("environment variable %q not found in container %q; add it with POST", v.Name, c.Name)
			case !update && index >= 0:
				return badRequest("environment variable %q already exists in container %q; change it with PATCH", v.Name, c.Name)
			case update:
				env[index] = v
			default:
				env = append(env, v)
			}
		}
		if err := st.validateEnv("env", env); err != nil {
			return err
		}
		c.Env = env
		st.restartDeployment(d, statusVersionUpdating)
		if update {
			out = wireEnvGroup{ContainerName: c.Name, Env: envToWire(c.Env)}
		} else {
			out = envGroupsToWire(d)
		}
		return nil
	})
	if apiErr != nil {
		return errorResponse(apiErr)
	}
	return jsonResponse(http.StatusOK, out)
}

// handleDeleteEnv implements DELETE /v1/container-deployments/{name}/environment-variables with the body
// {"container_name": ..., "env": ["NAME", ...]}. Names that do not exist are ignored, so a retry succeeds.
func (e *Emulator) handleDeleteEnv(r *http.Request) (response, *apiError) {
	var req wireEnvDeleteRequest
	if err := decodeJSON(r, &req); err != nil {
		return errorResponse(err)
	}
	if req.ContainerName == nil || *req.ContainerName == "" {
		return errorResponse(nullOrUndefined("container_name"))
	}
	if len(req.Env) == 0 {
		return errorResponse(badRequest("env should not be empty; list the variable names to delete"))
	}

	var out []wireEnvGroup
	apiErr := e.do(func(st *state) *apiError {
		d, err := st.deploymentForWrite(r.PathValue("name"))
		if err != nil {
			return err
		}
		c, err := findContainer(d, *req.ContainerName)
		if err != nil {
			return err
		}
		before := len(c.Env)
		c.Env = slices.DeleteFunc(slices.Clone(c.Env), func(v envVar) bool { return slices.Contains(req.Env, v.Name) })
		if len(c.Env) != before {
			st.restartDeployment(d, statusVersionUpdating)
		}
		out = envGroupsToWire(d)
		return nil
	})
	if apiErr != nil {
		return errorResponse(apiErr)
	}
	return jsonResponse(http.StatusOK, out)
}

func findContainer(d *deployment, name string) (*container, *apiError) {
	for _, c := range d.Containers {
		if c.Name == name {
			return c, nil
		}
	}
	return nil, badRequest("container %q not found in deployment %q; existing containers: %s", name, d.Name, quoteList(containerNames(d)))
}
