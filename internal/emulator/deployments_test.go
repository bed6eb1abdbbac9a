package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestDeploymentCreateAndGet(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestEmulator(t, Options{})

	created := c.createDeployment(deploymentBody("comfy-test"))

	if created.Name != "comfy-test" {
		t.Errorf("name = %q", created.Name)
	}
	if want := ts.URL + "/inference/comfy-test"; created.EndpointBaseURL != want {
		t.Errorf("endpoint_base_url = %q, want %q", created.EndpointBaseURL, want)
	}
	if created.CreatedAt != "2026-03-01T12:00:00.000Z" {
		t.Errorf("created_at = %q, want RFC 3339 with milliseconds in UTC", created.CreatedAt)
	}
	if len(created.Containers) != 1 {
		t.Fatalf("containers = %d, want 1", len(created.Containers))
	}
	container := created.Containers[0]
	if container.Name != "comfyui-0" {
		t.Errorf("generated container name = %q, want comfyui-0", container.Name)
	}
	if container.Image.Image != "ghcr.io/comfyume/comfyui:0.3.64-cu128" || container.Image.LastUpdatedAt == "" {
		t.Errorf("image = %+v, want the object form with last_updated_at", container.Image)
	}

	var got map[string]any
	c.expectJSON(http.MethodGet, "/v1/container-deployments/comfy-test", nil, http.StatusOK, &got)
	if _, hasScaling := got["scaling"]; hasScaling {
		t.Error("deployment object contains scaling; clients must read /scaling")
	}
	if _, hasStatus := got["status"]; hasStatus {
		t.Error("deployment object contains status; clients must read /status")
	}

	var list []wireDeployment
	c.expectJSON(http.MethodGet, "/v1/container-deployments", nil, http.StatusOK, &list)
	if len(list) != 1 || list[0].Name != "comfy-test" {
		t.Errorf("list = %+v", list)
	}
}

func TestDeploymentCreateAcceptsNulls(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{})
	body := `{"name":"py-style","is_spot":null,"compute":{"name":"L40S","size":1},
	  "container_registry_settings":{"is_private":false,"credentials":null},"scaling":null,
	  "containers":[{"name":null,"image":"nginx:1.27","exposed_port":8188,"healthcheck":null,
	    "entrypoint_overrides":null,"env":null,"volume_mounts":[{"type":"scratch","mount_path":"/data","size_in_mb":null}],"autoupdate":null}]}`

	var out wireDeployment
	c.expectJSON(http.MethodPost, "/v1/container-deployments", body, http.StatusOK, &out)

	if out.Containers[0].Name != "nginx-0" {
		t.Errorf("container name = %q, want nginx-0", out.Containers[0].Name)
	}
	var scaling wireScaling
	c.expectJSON(http.MethodGet, "/v1/container-deployments/py-style/scaling", nil, http.StatusOK, &scaling)
	if scaling.MaxReplicaCount != 1 || scaling.QueueMessageTTLSeconds != 300 {
		t.Errorf("default scaling = %+v", scaling)
	}
}

func TestDeploymentCreateValidation(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{})
	c.expectJSON(http.MethodPost, "/v1/secrets", map[string]string{"name": "hf-token", "value": "x"}, http.StatusCreated, nil)
	nvme := c.createVolume("block", "NVMe", 10)

	cases := []struct {
		name    string
		mutate  func(b map[string]any)
		message string
	}{
		{"missing name", func(b map[string]any) { delete(b, "name") }, "name should not be null or undefined"},
		{"uppercase name", func(b map[string]any) { b["name"] = "Comfy" }, "is invalid"},
		{"name too long", func(b map[string]any) { b["name"] = strings.Repeat("a", 64) }, "at most 63"},
		{"trailing hyphen", func(b map[string]any) { b["name"] = "comfy-" }, "is invalid"},
		{"unknown compute", func(b map[string]any) { b["compute"] = map[string]any{"name": "H900", "size": 1} }, "not a serverless compute resource"},
		{"unknown compute size", func(b map[string]any) { b["compute"] = map[string]any{"name": "H100", "size": 3} }, "with size 3"},
		{"no containers", func(b map[string]any) { b["containers"] = []any{} }, "containers should not be empty"},
		{"missing containers", func(b map[string]any) { delete(b, "containers") }, "containers should not be null or undefined"},
		{"empty image", func(b map[string]any) { firstContainer(b)["image"] = "" }, "containers.0.image should not be empty"},
		{"latest image", func(b map[string]any) { firstContainer(b)["image"] = "nginx:latest" }, "must be pinned"},
		{"untagged image", func(b map[string]any) { firstContainer(b)["image"] = "nginx" }, "must be pinned"},
		{"port zero", func(b map[string]any) { firstContainer(b)["exposed_port"] = 0 }, "containers.0.exposed_port must be between 1"},
		{"missing port", func(b map[string]any) { delete(firstContainer(b), "exposed_port") }, "containers.0.exposed_port should not be null or undefined"},
		{"queue load below 1", func(b map[string]any) {
			b["scaling"].(map[string]any)["scaling_triggers"] = map[string]any{"queue_load": map[string]any{"threshold": 0.5}}
		}, "queue_load.threshold must not be less than 1"},
		{"min above max", func(b map[string]any) { b["scaling"].(map[string]any)["min_replica_count"] = 3 }, "must not be greater than"},
		{"shared mount without volume", func(b map[string]any) {
			firstContainer(b)["volume_mounts"] = []any{map[string]any{"type": "shared", "mount_path": "/mnt/sfs"}}
		}, "volume_mounts.0.volume_id should not be null or undefined"},
		{"shared mount of unknown volume", func(b map[string]any) {
			firstContainer(b)["volume_mounts"] = []any{map[string]any{"type": "shared", "mount_path": "/mnt/sfs", "volume_id": "nope"}}
		}, `volume "nope" not found`},
		{"shared mount of block volume", func(b map[string]any) {
			firstContainer(b)["volume_mounts"] = []any{map[string]any{"type": "shared", "mount_path": "/mnt/sfs", "volume_id": nvme}}
		}, "not a shared filesystem"},
		{"unknown mount type", func(b map[string]any) {
			firstContainer(b)["volume_mounts"] = []any{map[string]any{"type": "nfs", "mount_path": "/x"}}
		}, "volume_mounts.0.type must be one of"},
		{"unknown secret", func(b map[string]any) {
			firstContainer(b)["env"] = []any{map[string]any{"type": "secret", "name": "HF_TOKEN", "value_or_reference_to_secret": "missing"}}
		}, `secret "missing" not found`},
		{"bad env type", func(b map[string]any) {
			firstContainer(b)["env"] = []any{map[string]any{"type": "file", "name": "X", "value_or_reference_to_secret": "y"}}
		}, "env.0.type must be one of"},
		{"unknown registry credentials", func(b map[string]any) {
			b["container_registry_settings"] = map[string]any{"is_private": true, "credentials": map[string]any{"name": "nope"}}
		}, `container registry credentials "nope" not found`},
		{"private without credentials", func(b map[string]any) {
			b["container_registry_settings"] = map[string]any{"is_private": true, "credentials": nil}
		}, "container_registry_settings.credentials should not be null or undefined"},
		{"wrong field type", func(b map[string]any) { firstContainer(b)["exposed_port"] = "8188" }, "exposed_port must be of type int"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := deploymentBody("valid-name")
			tc.mutate(body)
			c.t = t
			c.expectError(http.MethodPost, "/v1/container-deployments", body, http.StatusBadRequest, codeInvalidRequest, tc.message)
		})
	}
	c.t = t

	var list []wireDeployment
	c.expectJSON(http.MethodGet, "/v1/container-deployments", nil, http.StatusOK, &list)
	if len(list) != 0 {
		t.Errorf("rejected creates left %d deployments", len(list))
	}
}

func firstContainer(body map[string]any) map[string]any {
	return body["containers"].([]any)[0].(map[string]any)
}

func TestDeploymentCreateDuplicateConflicts(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{})
	c.createDeployment(deploymentBody("dup"))

	c.expectError(http.MethodPost, "/v1/container-deployments", deploymentBody("dup"), http.StatusConflict, codeConflict, `"dup" already exists`)
}

func TestDeploymentCreateRejectsDuplicateContainerNames(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{})
	body := deploymentBody("two")
	second := comfyContainer()
	second["name"] = "comfyui-0"
	body["containers"] = []any{comfyContainer(), second}

	c.expectError(http.MethodPost, "/v1/container-deployments", body, http.StatusBadRequest, codeInvalidRequest, "must be unique")
}

func TestDeploymentNotFound(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{})

	for _, path := range []string{"", "/status", "/scaling", "/replicas", "/environment-variables"} {
		c.expectError(http.MethodGet, "/v1/container-deployments/ghost"+path, nil, http.StatusNotFound, codeNotFound, `"ghost" not found`)
	}
	c.expectError(http.MethodDelete, "/v1/container-deployments/ghost", nil, http.StatusNotFound, codeNotFound, "not found")
	c.expectError(http.MethodPost, "/v1/container-deployments/ghost/restart", nil, http.StatusNotFound, codeNotFound, "not found")
}

func TestDeploymentPatchRequiresContainerNames(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{})
	c.createDeployment(deploymentBody("patchy"))

	withoutName := comfyContainer()
	c.expectError(http.MethodPatch, "/v1/container-deployments/patchy", map[string]any{"containers": []any{withoutName}},
		http.StatusBadRequest, codeInvalidRequest, "containers.0.name should not be null or undefined")

	unknown := comfyContainer()
	unknown["name"] = "other-0"
	c.expectError(http.MethodPatch, "/v1/container-deployments/patchy", map[string]any{"containers": []any{unknown}},
		http.StatusBadRequest, codeInvalidRequest, `container "other-0" does not exist`)

	sharedWithoutID := comfyContainer()
	sharedWithoutID["name"] = "comfyui-0"
	sharedWithoutID["volume_mounts"] = []any{map[string]any{"type": "shared", "mount_path": "/mnt/sfs"}}
	c.expectError(http.MethodPatch, "/v1/container-deployments/patchy", map[string]any{"containers": []any{sharedWithoutID}},
		http.StatusBadRequest, codeInvalidRequest, "volume_mounts.0.volume_id should not be null or undefined")

	c.expectError(http.MethodPatch, "/v1/container-deployments/patchy", map[string]any{"name": "renamed"},
		http.StatusBadRequest, codeInvalidRequest, "name cannot be changed")
}

func TestDeploymentPatchContainersStartsVersionUpdate(t *testing.T) {
	t.Parallel()
	_, c, clock := newTestEmulator(t, Options{})
	created := c.createDeployment(deploymentBody("rolling"))
	c.statusSequence("rolling", 2)
	if got := c.status("rolling"); got != statusHealthy {
		t.Fatalf("status before patch = %q, want healthy", got)
	}

	clock.Advance(10 * time.Minute)
	updated := comfyContainer()
	updated["name"] = "comfyui-0"
	updated["image"] = "ghcr.io/comfyume/comfyui:0.3.65-cu128"
	var out wireDeployment
	c.expectJSON(http.MethodPatch, "/v1/container-deployments/rolling", map[string]any{"containers": []any{updated}}, http.StatusOK, &out)

	if out.Containers[0].Image.Image != "ghcr.io/comfyume/comfyui:0.3.65-cu128" {
		t.Errorf("image after patch = %q", out.Containers[0].Image.Image)
	}
	if out.Containers[0].Image.LastUpdatedAt == created.Containers[0].Image.LastUpdatedAt {
		t.Error("last_updated_at did not change with the image")
	}
	if got := c.statusSequence("rolling", 2); !equalStrings(got, []string{statusVersionUpdating, statusHealthy}) {
		t.Errorf("statuses after patch = %v, want [version_updating healthy]", got)
	}
}

func TestDeploymentPatchScalingOnlyKeepsStatus(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{})
	c.createDeployment(deploymentBody("scaler"))
	c.statusSequence("scaler", 2)

	var out wireDeployment
	c.expectJSON(http.MethodPatch, "/v1/container-deployments/scaler", map[string]any{
		"scaling": map[string]any{"max_replica_count": 5},
	}, http.StatusOK, &out)

	if got := c.status("scaler"); got != statusHealthy {
		t.Errorf("status after scaling patch = %q, want healthy", got)
	}
	var scaling wireScaling
	c.expectJSON(http.MethodGet, "/v1/container-deployments/scaler/scaling", nil, http.StatusOK, &scaling)
	if scaling.MaxReplicaCount != 5 || scaling.MinReplicaCount != 1 {
		t.Errorf("scaling = %+v, want max 5 and min kept at 1", scaling)
	}
}

func TestDeploymentPatchComputeAndSpot(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{})
	c.createDeployment(deploymentBody("mover"))
	c.statusSequence("mover", 2)

	var out wireDeployment
	c.expectJSON(http.MethodPatch, "/v1/container-deployments/mover", map[string]any{
		"compute": map[string]any{"name": "H200", "size": 2}, "is_spot": true,
	}, http.StatusOK, &out)

	if out.Compute != (wireCompute{Name: "H200", Size: 2}) || !out.IsSpot {
		t.Errorf("after patch compute = %+v spot = %v", out.Compute, out.IsSpot)
	}
	if got := c.status("mover"); got != statusVersionUpdating {
		t.Errorf("status after compute change = %q, want version_updating", got)
	}
	c.expectError(http.MethodPatch, "/v1/container-deployments/mover", map[string]any{"compute": map[string]any{"name": "H999", "size": 1}},
		http.StatusBadRequest, codeInvalidRequest, "not a serverless compute resource")
}

func TestScalingPatchMergesFields(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{})
	c.createDeployment(deploymentBody("merge"))

	var out wireScaling
	c.expectJSON(http.MethodPatch, "/v1/container-deployments/merge/scaling", map[string]any{
		"min_replica_count": 0, "queue_message_ttl_seconds": 600,
		"scaling_triggers": map[string]any{"gpu_utilization": map[string]any{"enabled": true, "threshold": 80}},
	}, http.StatusOK, &out)

	if out.MinReplicaCount != 0 || out.MaxReplicaCount != 2 || out.QueueMessageTTLSeconds != 600 {
		t.Errorf("merged scaling = %+v", out)
	}
	if out.ScaleDownPolicy.DelaySeconds != 300 || out.ScalingTriggers.QueueLoad.Threshold != 1 {
		t.Errorf("untouched fields changed: %+v", out)
	}
	if !out.ScalingTriggers.GPUUtilization.Enabled || out.ScalingTriggers.GPUUtilization.Threshold == nil || *out.ScalingTriggers.GPUUtilization.Threshold != 80 {
		t.Errorf("gpu_utilization = %+v", out.ScalingTriggers.GPUUtilization)
	}

	c.expectError(http.MethodPatch, "/v1/container-deployments/merge/scaling", map[string]any{"min_replica_count": 7},
		http.StatusBadRequest, codeInvalidRequest, "min_replica_count (7) must not be greater than max_replica_count (2)")
}

func TestDeploymentDeleteImmediate(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{})
	c.createDeployment(deploymentBody("gone"))

	res := c.send(http.MethodDelete, "/v1/container-deployments/gone?timeout=60000", nil)
	if res.Status != http.StatusNoContent {
		t.Fatalf("DELETE: status %d, body %s", res.Status, res.Body)
	}
	c.expectError(http.MethodGet, "/v1/container-deployments/gone", nil, http.StatusNotFound, codeNotFound, "not found")
	c.expectError(http.MethodDelete, "/v1/container-deployments/gone?timeout=-1", nil, http.StatusBadRequest, codeInvalidRequest, "timeout must be a non-negative integer")
}

func TestDeploymentDeleteDelay(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestEmulator(t, Options{})
	c.createDeployment(deploymentBody("slow"))
	c.createDeployment(deploymentBody("slow-too"))
	ts.Emulator.SetDeleteDelay(2)

	c.expectError(http.MethodDelete, "/v1/container-deployments/slow", nil, http.StatusGatewayTimeout, codeServerError, "did not finish within 60000 ms")
	c.expectJSON(http.MethodGet, "/v1/container-deployments/slow", nil, http.StatusOK, nil)
	c.expectJSON(http.MethodGet, "/v1/container-deployments/slow/status", nil, http.StatusOK, nil)
	c.expectError(http.MethodGet, "/v1/container-deployments/slow", nil, http.StatusNotFound, codeNotFound, "not found")

	res := c.send(http.MethodDelete, "/v1/container-deployments/slow-too?timeout=0", nil)
	if res.Status != http.StatusNoContent {
		t.Errorf("DELETE with timeout=0: status %d, want 204", res.Status)
	}
	c.expectError(http.MethodPatch, "/v1/container-deployments/slow-too", map[string]any{"is_spot": true},
		http.StatusConflict, codeConflict, "being deleted")
	c.expectError(http.MethodPost, "/v1/container-deployments", deploymentBody("slow-too"), http.StatusConflict, codeConflict, "already exists")
}

func TestDeploymentDeleteTimeoutIsClamped(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestEmulator(t, Options{})
	c.createDeployment(deploymentBody("clamp"))
	ts.Emulator.SetDeleteDelay(1)

	c.expectError(http.MethodDelete, "/v1/container-deployments/clamp?timeout=900000", nil, http.StatusGatewayTimeout, codeServerError, "within 300000 ms")
}

func TestEnvironmentVariables(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{})
	c.expectJSON(http.MethodPost, "/v1/secrets", map[string]string{"name": "api-key", "value": "s3cret"}, http.StatusCreated, nil)
	c.createDeployment(deploymentBody("envy"))
	c.statusSequence("envy", 2)

	var groups []wireEnvGroup
	c.expectJSON(http.MethodGet, "/v1/container-deployments/envy/environment-variables", nil, http.StatusOK, &groups)
	if len(groups) != 1 || groups[0].ContainerName != "comfyui-0" || len(groups[0].Env) != 1 {
		t.Fatalf("env groups = %+v", groups)
	}

	c.expectJSON(http.MethodPost, "/v1/container-deployments/envy/environment-variables", map[string]any{
		"container_name": "comfyui-0",
		"env":            []any{map[string]any{"type": "secret", "name": "API_KEY", "value_or_reference_to_secret": "api-key"}},
	}, http.StatusOK, &groups)
	if len(groups[0].Env) != 2 {
		t.Errorf("after add: %+v", groups)
	}
	if got := c.status("envy"); got != statusVersionUpdating {
		t.Errorf("status after env change = %q, want version_updating", got)
	}

	var updatedGroup wireEnvGroup
	c.expectJSON(http.MethodPatch, "/v1/container-deployments/envy/environment-variables", map[string]any{
		"container_name": "comfyui-0",
		"env":            []any{map[string]any{"type": "plain", "name": "COMFYUI_LOG_LEVEL", "value_or_reference_to_secret": "DEBUG"}},
	}, http.StatusOK, &updatedGroup)
	if updatedGroup.Env[0].ValueOrReferenceToSecret != "DEBUG" {
		t.Errorf("after update: %+v", updatedGroup)
	}

	c.expectError(http.MethodPost, "/v1/container-deployments/envy/environment-variables", map[string]any{
		"container_name": "comfyui-0",
		"env":            []any{map[string]any{"type": "plain", "name": "API_KEY", "value_or_reference_to_secret": "x"}},
	}, http.StatusBadRequest, codeInvalidRequest, "already exists")
	c.expectError(http.MethodPatch, "/v1/container-deployments/envy/environment-variables", map[string]any{
		"container_name": "comfyui-0",
		"env":            []any{map[string]any{"type": "plain", "name": "NOPE", "value_or_reference_to_secret": "x"}},
	}, http.StatusBadRequest, codeInvalidRequest, "not found")
	c.expectError(http.MethodPost, "/v1/container-deployments/envy/environment-variables", map[string]any{
		"container_name": "other",
		"env":            []any{map[string]any{"type": "plain", "name": "A", "value_or_reference_to_secret": "x"}},
	}, http.StatusBadRequest, codeInvalidRequest, `container "other" not found`)

	c.expectJSON(http.MethodDelete, "/v1/container-deployments/envy/environment-variables", map[string]any{
		"container_name": "comfyui-0", "env": []string{"API_KEY", "NEVER_SET"},
	}, http.StatusOK, &groups)
	if len(groups[0].Env) != 1 || groups[0].Env[0].Name != "COMFYUI_LOG_LEVEL" {
		t.Errorf("after delete: %+v", groups)
	}
}

func TestSecretInUseCannotBeDeleted(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{})
	c.expectJSON(http.MethodPost, "/v1/secrets", map[string]string{"name": "hf-token", "value": "v"}, http.StatusCreated, nil)
	body := deploymentBody("uses-secret")
	firstContainer(body)["env"] = []any{map[string]any{"type": "secret", "name": "HF_TOKEN", "value_or_reference_to_secret": "hf-token"}}
	c.createDeployment(body)

	c.expectError(http.MethodDelete, "/v1/secrets/hf-token", nil, http.StatusBadRequest, codeForbiddenAction, `"uses-secret"`)
	res := c.send(http.MethodDelete, "/v1/secrets/hf-token?force=true", nil)
	if res.Status != http.StatusNoContent {
		t.Errorf("forced delete: status %d", res.Status)
	}
}

func TestDeploymentPatchKeepsUnchangedTimestamp(t *testing.T) {
	t.Parallel()
	_, c, clock := newTestEmulator(t, Options{})
	created := c.createDeployment(deploymentBody("stamp"))
	clock.Advance(10 * time.Minute)

	same := comfyContainer()
	same["name"] = "comfyui-0"
	var out wireDeployment
	c.expectJSON(http.MethodPatch, "/v1/container-deployments/stamp", map[string]any{"containers": []any{same}}, http.StatusOK, &out)

	if out.Containers[0].Image.LastUpdatedAt != created.Containers[0].Image.LastUpdatedAt {
		t.Errorf("last_updated_at changed without an image change: %q -> %q", created.Containers[0].Image.LastUpdatedAt, out.Containers[0].Image.LastUpdatedAt)
	}
}

func TestDeploymentAcceptsImageObjectOnPatch(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{})
	created := c.createDeployment(deploymentBody("echo"))

	// The Python SDK sends back the deployment it read, with image as an object.
	data, err := json.Marshal(created)
	if err != nil {
		t.Fatal(err)
	}
	var out wireDeployment
	c.expectJSON(http.MethodPatch, "/v1/container-deployments/echo", data, http.StatusOK, &out)

	if out.Containers[0].Image.Image != created.Containers[0].Image.Image {
		t.Errorf("image after echo patch = %q", out.Containers[0].Image.Image)
	}
}

func TestUnknownRoutesAnswerJSON(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{})

	c.expectError(http.MethodGet, "/v1/nothing-here", nil, http.StatusNotFound, codeNotFound, "no route")
	env := c.expectError(http.MethodPut, "/v1/container-deployments", nil, http.StatusMethodNotAllowed, codeMethodNotAllowed, "allowed: GET, POST")
	if env.Code == "" {
		t.Error("405 has no code")
	}
}

func TestConcurrentCreatesConflict(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{})
	const workers = 16

	body, err := json.Marshal(deploymentBody("race"))
	if err != nil {
		t.Fatal(err)
	}
	statuses := make(chan int, workers)
	for range workers {
		go func() {
			req, _ := http.NewRequest(http.MethodPost, c.root+"/v1/container-deployments", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+c.token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				statuses <- 0
				return
			}
			resp.Body.Close()
			statuses <- resp.StatusCode
		}()
	}
	counts := map[int]int{}
	for range workers {
		counts[<-statuses]++
	}

	if counts[http.StatusOK] != 1 || counts[http.StatusConflict] != workers-1 {
		t.Errorf("statuses = %v, want one 200 and %d conflicts", counts, workers-1)
	}
}
