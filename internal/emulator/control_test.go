package emulator

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestControlPlaneOverHTTP(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestEmulator(t, Options{})
	ctl := &apiClient{t: t, root: ts.URL}

	ctl.expectJSON(http.MethodPost, "/_emulator/seed?fixture=production", nil, http.StatusNoContent, nil)
	var list []wireDeployment
	c.expectJSON(http.MethodGet, "/v1/container-deployments", nil, http.StatusOK, &list)
	if len(list) != 4 {
		t.Fatalf("deployments after HTTP seed = %d", len(list))
	}
	ctl.expectError(http.MethodPost, "/_emulator/seed?fixture=staging", nil, http.StatusNotFound, codeNotFound, "only embedded fixture is production")
	ctl.expectError(http.MethodPost, "/_emulator/seed", `{"volumes":[{"type":"NVMe"}]}`, http.StatusBadRequest, codeInvalidRequest, "needs a name")

	var state map[string]any
	ctl.expectJSON(http.MethodGet, "/_emulator/state", nil, http.StatusOK, &state)
	if state["format_version"] != float64(1) || len(state["deployments"].([]any)) != 4 {
		t.Errorf("state = %v", state["format_version"])
	}

	var status wireStatus
	ctl.expectJSON(http.MethodGet, "/_emulator/deployments/comfy-b200/status", nil, http.StatusOK, &status)
	if status.Status != statusHealthy {
		t.Errorf("control status = %q", status.Status)
	}
	ctl.expectJSON(http.MethodPost, "/_emulator/deployments/comfy-b200/force-status", map[string]string{"status": "unhealthy"}, http.StatusNoContent, nil)
	if got := c.status("comfy-b200"); got != statusUnhealthy {
		t.Errorf("forced status over HTTP = %q", got)
	}
	ctl.expectError(http.MethodPost, "/_emulator/deployments/ghost/force-status", map[string]string{"status": "healthy"}, http.StatusNotFound, codeNotFound, "not found")

	ctl.expectJSON(http.MethodPatch, "/_emulator/deployments/comfy-b200", map[string]any{
		"scaling":    map[string]any{"max_replica_count": 9},
		"containers": []any{map[string]any{"name": "renamed-0", "image": "ghcr.io/comfyume/comfyui:0.3.65-cu128", "exposed_port": 8188}},
	}, http.StatusNoContent, nil)
	var d wireDeployment
	c.expectJSON(http.MethodGet, "/v1/container-deployments/comfy-b200", nil, http.StatusOK, &d)
	if d.Containers[0].Name != "renamed-0" || d.Containers[0].Image.Image != "ghcr.io/comfyume/comfyui:0.3.65-cu128" {
		t.Errorf("out-of-band patch = %+v", d.Containers[0])
	}
	if got := c.status("comfy-b200"); got != statusUnhealthy {
		t.Errorf("out-of-band patch changed the status to %q", got)
	}
	ctl.expectJSON(http.MethodDelete, "/_emulator/deployments/comfy-b200", nil, http.StatusNoContent, nil)
	c.expectError(http.MethodGet, "/v1/container-deployments/comfy-b200", nil, http.StatusNotFound, codeNotFound, "not found")

	ctl.expectJSON(http.MethodPut, "/_emulator/volumes/"+productionSFS+"/files/models/loras/new.safetensors", "lora-bytes", http.StatusNoContent, nil)
	var files map[string]int
	ctl.expectJSON(http.MethodGet, "/_emulator/volumes/"+productionSFS+"/files", nil, http.StatusOK, &files)
	if files["models/loras/new.safetensors"] != len("lora-bytes") {
		t.Errorf("files = %v", files)
	}
	res := ctl.send(http.MethodGet, "/_emulator/volumes/"+productionSFS+"/files/models/loras/new.safetensors", nil)
	if res.Status != http.StatusOK || string(res.Body) != "lora-bytes" {
		t.Errorf("file download: %d %q", res.Status, res.Body)
	}
	ctl.expectError(http.MethodGet, "/_emulator/volumes/"+productionSFS+"/files/missing.bin", nil, http.StatusNotFound, codeNotFound, "not found")
	ctl.expectError(http.MethodPut, "/_emulator/volumes/nope/files/a.txt", "x", http.StatusNotFound, codeNotFound, `volume "nope" not found`)

	ctl.expectJSON(http.MethodPatch, "/_emulator/volumes/"+productionSFS, map[string]any{"name": "renamed-sfs"}, http.StatusNoContent, nil)
	if v := c.getVolume(productionSFS); v.Name != "renamed-sfs" {
		t.Errorf("volume name after control patch = %q", v.Name)
	}
	ctl.expectError(http.MethodPatch, "/_emulator/volumes/"+productionSFS, map[string]any{"type": "HDD"}, http.StatusBadRequest, codeInvalidRequest, "name, size or status")
	ctl.expectJSON(http.MethodDelete, "/_emulator/volumes/8a2d9e47-61c5-4f3b-b0d8-7e19c4a5f260", nil, http.StatusNoContent, nil)

	ctl.expectJSON(http.MethodPost, "/_emulator/reset", nil, http.StatusNoContent, nil)
	c.expectJSON(http.MethodGet, "/v1/container-deployments", nil, http.StatusOK, &list)
	if len(list) != 0 {
		t.Errorf("deployments after HTTP reset = %d", len(list))
	}
}

func TestControlFaultsAndRequests(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestEmulator(t, Options{})
	ctl := &apiClient{t: t, root: ts.URL}

	ctl.expectJSON(http.MethodPost, "/_emulator/faults", map[string]any{
		"method": "get", "path": "/v1/locations", "count": 2, "status": 503, "retry_after": "1", "delay": "5ms",
	}, http.StatusNoContent, nil)
	ctl.expectJSON(http.MethodPost, "/_emulator/faults", map[string]any{"path": "/v1/volumes", "delay": 5}, http.StatusNoContent, nil)
	ctl.expectError(http.MethodPost, "/_emulator/faults", map[string]any{"path": "/v1/volumes"}, http.StatusBadRequest, codeInvalidRequest, "does nothing")
	ctl.expectError(http.MethodPost, "/_emulator/faults", map[string]any{"status": 42}, http.StatusBadRequest, codeInvalidRequest, "between 100 and 599")
	ctl.expectError(http.MethodPost, "/_emulator/faults", map[string]any{"delay": "soon"}, http.StatusBadRequest, codeInvalidRequest, "delay is invalid")

	var faults []map[string]any
	ctl.expectJSON(http.MethodGet, "/_emulator/faults", nil, http.StatusOK, &faults)
	if len(faults) != 2 || faults[0]["method"] != "GET" || faults[0]["delay"] != "5ms" || faults[1]["delay"] != "5ms" {
		t.Errorf("faults = %v", faults)
	}
	res := c.send(http.MethodGet, "/v1/locations", nil)
	if res.Status != http.StatusServiceUnavailable || res.Header.Get("Retry-After") != "1" {
		t.Errorf("faulted request: %d Retry-After %q", res.Status, res.Header.Get("Retry-After"))
	}
	ctl.expectJSON(http.MethodDelete, "/_emulator/faults", nil, http.StatusNoContent, nil)
	c.expectJSON(http.MethodGet, "/v1/locations", nil, http.StatusOK, nil)

	c.createVolume("counted", "NVMe", 1)
	var count map[string]int
	ctl.expectJSON(http.MethodGet, "/_emulator/requests/count?method=GET&path=/v1/locations", nil, http.StatusOK, &count)
	if count["count"] != 2 {
		t.Errorf("count = %v, want 2", count)
	}
	ctl.expectError(http.MethodGet, "/_emulator/requests/count", nil, http.StatusBadRequest, codeInvalidRequest, "path is required")
	var records []wireRequestRecord
	ctl.expectJSON(http.MethodGet, "/_emulator/requests?mutating=true", nil, http.StatusOK, &records)
	if len(records) != 1 || records[0].Path != "/v1/volumes" || !strings.Contains(records[0].Body, "counted") {
		t.Errorf("mutating records = %+v", records)
	}
	ctl.expectJSON(http.MethodDelete, "/_emulator/requests", nil, http.StatusNoContent, nil)
	ctl.expectJSON(http.MethodGet, "/_emulator/requests", nil, http.StatusOK, &records)
	if len(records) != 0 {
		t.Errorf("records after clear = %d", len(records))
	}
}

func TestControlImagesComputeAndDeleteDelay(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestEmulator(t, Options{})
	ctl := &apiClient{t: t, root: ts.URL}

	ctl.expectJSON(http.MethodPut, "/_emulator/images", map[string]any{
		"image": "ghcr.io/comfyume/comfyui:bad", "behavior": map[string]any{"pull_error": true},
	}, http.StatusNoContent, nil)
	ctl.expectError(http.MethodPut, "/_emulator/images", map[string]any{"behavior": map[string]any{}}, http.StatusBadRequest, codeInvalidRequest, "image should not be null")
	body := deploymentBody("pull-fails")
	firstContainer(body)["image"] = "ghcr.io/comfyume/comfyui:bad"
	c.createDeployment(body)
	if got := c.statusSequence("pull-fails", 3); got[2] != statusUnhealthy {
		t.Errorf("image behavior over HTTP: statuses %v", got)
	}

	ctl.expectJSON(http.MethodPut, "/_emulator/compute", map[string]any{"name": "GH200", "size": 1, "is_available": true}, http.StatusNoContent, nil)
	ctl.expectError(http.MethodPut, "/_emulator/compute", map[string]any{"name": "GH200", "size": 1}, http.StatusBadRequest, codeInvalidRequest, "is_available")
	var compute []computeResource
	c.expectJSON(http.MethodGet, "/v1/serverless-compute-resources", nil, http.StatusOK, &compute)
	if last := compute[len(compute)-1]; last != (computeResource{Name: "GH200", Size: 1, IsAvailable: true}) {
		t.Errorf("added compute resource = %+v", last)
	}

	ctl.expectJSON(http.MethodPut, "/_emulator/delete-delay", map[string]int{"polls": 1}, http.StatusNoContent, nil)
	ctl.expectError(http.MethodPut, "/_emulator/delete-delay", map[string]int{"polls": -1}, http.StatusBadRequest, codeInvalidRequest, "at least 0")
	c.expectError(http.MethodDelete, "/v1/container-deployments/pull-fails", nil, http.StatusGatewayTimeout, codeServerError, "did not finish")
}

func TestControlPlaneNeedsNoAuthButAPIDoes(t *testing.T) {
	t.Parallel()
	ts, _, _ := newTestEmulator(t, Options{})
	anonymous := &apiClient{t: t, root: ts.URL}

	anonymous.expectJSON(http.MethodGet, "/_emulator/faults", nil, http.StatusOK, nil)
	anonymous.expectError(http.MethodGet, "/v1/volumes", nil, http.StatusUnauthorized, codeUnauthorized, "missing Authorization")
	res := anonymous.send(http.MethodGet, "/_emulator/state", nil)
	if !json.Valid(res.Body) {
		t.Errorf("state is not JSON: %s", res.Body)
	}
}
