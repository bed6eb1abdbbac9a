package emulator_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/comfyume/terraform-provider-verda/internal/emulator"
	"github.com/comfyume/terraform-provider-verda/internal/verda"
)

func TestContractDeploymentCreateGetList(t *testing.T) {
	t.Parallel()
	env := newContractEnv(t, emulator.Options{})
	ctx := contractContext(t)

	req := comfyDeployment("comfy-h100")
	second := req.Containers[0]
	second.ExposedPort = 9000
	second.Healthcheck = nil
	second.VolumeMounts = nil
	req.Containers = append(req.Containers, second)
	created := env.createDeployment(ctx, req)

	wantTime := contractStart.Format("2006-01-02T15:04:05.000Z")
	if names := []string{created.Containers[0].Name, created.Containers[1].Name}; !slices.Equal(names, []string{"comfyui-0", "comfyui-1"}) {
		t.Errorf("generated container names = %v, want [comfyui-0 comfyui-1]", names)
	}
	image := created.Containers[0].Image
	if image.Image != contractImage || image.LastUpdatedAt != wantTime {
		t.Errorf("container image = %+v, want the object {image %s, last_updated_at %s}", image, contractImage, wantTime)
	}
	if want := env.server.URL + "/inference/comfy-h100"; created.EndpointBaseURL != want {
		t.Errorf("endpoint_base_url = %q, want %q", created.EndpointBaseURL, want)
	}
	if created.CreatedAt != wantTime {
		t.Errorf("created_at = %q, want %q", created.CreatedAt, wantTime)
	}
	if created.Compute != (verda.Compute{Name: "H100", Size: 1}) || created.IsSpot {
		t.Errorf("compute %+v, is_spot %v: want H100 size 1, not spot", created.Compute, created.IsSpot)
	}
	c := created.Containers[0]
	if c.ExposedPort != 8188 || c.Healthcheck == nil || *c.Healthcheck != (verda.Healthcheck{Enabled: true, Port: 8188, Path: "/"}) {
		t.Errorf("container port %d, healthcheck %+v: want the requested values", c.ExposedPort, c.Healthcheck)
	}
	if !slices.Equal(c.Env, req.Containers[0].Env) || !reflect.DeepEqual(c.VolumeMounts, req.Containers[0].VolumeMounts) {
		t.Errorf("container env %+v, mounts %+v: want the requested values", c.Env, c.VolumeMounts)
	}

	// Requests send the image as a plain string and leave the container name out.
	var sent struct {
		Containers []map[string]json.RawMessage `json:"containers"`
	}
	body := env.requests(http.MethodPost, "/v1/container-deployments")[0].Body
	if err := json.Unmarshal([]byte(body), &sent); err != nil {
		t.Fatalf("decoding the logged create body %s: %v", body, err)
	}
	if got := string(sent.Containers[0]["image"]); got != `"`+contractImage+`"` {
		t.Errorf("image in the create body = %s, want a JSON string", got)
	}
	if _, hasName := sent.Containers[0]["name"]; hasName {
		t.Errorf("create body %s has a container name, want none so that the API generates it", body)
	}

	got, err := env.client.GetDeployment(ctx, "comfy-h100")
	if err != nil {
		t.Fatalf("GetDeployment: %v", err)
	}
	if !reflect.DeepEqual(got, created) {
		t.Errorf("GetDeployment = %+v, want what create returned: %+v", got, created)
	}

	env.createDeployment(ctx, comfyDeployment("comfy-second"))
	list, err := env.client.ListDeployments(ctx)
	if err != nil {
		t.Fatalf("ListDeployments: %v", err)
	}
	var names []string
	for _, d := range list {
		names = append(names, d.Name)
	}
	if !slices.Equal(names, []string{"comfy-h100", "comfy-second"}) {
		t.Errorf("listed deployments = %v, want [comfy-h100 comfy-second] in creation order", names)
	}
}

func TestContractDeploymentPatchWithContainerNames(t *testing.T) {
	t.Parallel()
	env := newContractEnv(t, emulator.Options{})
	ctx := contractContext(t)
	env.createDeployment(ctx, comfyDeployment("comfy-patch"))
	env.pollStatus(ctx, "comfy-patch", verda.StatusHealthy)

	current, err := env.client.GetDeployment(ctx, "comfy-patch")
	if err != nil {
		t.Fatalf("GetDeployment: %v", err)
	}
	env.clock.Advance(time.Minute)
	const newImage = "ghcr.io/comfyume/comfyui:0.3.65-cu128"
	containers := slices.Clone(current.Containers)
	containers[0].Image = verda.Image{Image: newImage}
	containers[0].Env = append(containers[0].Env, verda.EnvVar{Type: verda.EnvPlain, Name: "EXTRA", ValueOrReferenceToSecret: "1"})

	updated, err := env.client.UpdateDeployment(ctx, "comfy-patch", verda.UpdateDeploymentRequest{Containers: containers})
	if err != nil {
		t.Fatalf("UpdateDeployment with the existing container names: %v", err)
	}
	c := updated.Containers[0]
	if c.Name != "comfyui-0" || c.Image.Image != newImage {
		t.Errorf("patched container = %s %s, want comfyui-0 %s", c.Name, c.Image.Image, newImage)
	}
	if want := contractStart.Add(time.Minute).Format("2006-01-02T15:04:05.000Z"); c.Image.LastUpdatedAt != want {
		t.Errorf("image.last_updated_at = %q, want %q after the image changed", c.Image.LastUpdatedAt, want)
	}
	if len(c.Env) != 2 || c.Env[1].Name != "EXTRA" {
		t.Errorf("patched env = %+v, want COMFYUI_LOG_LEVEL and EXTRA", c.Env)
	}
	if got := env.pollStatus(ctx, "comfy-patch", verda.StatusHealthy); got[0] != verda.StatusVersionUpdating {
		t.Errorf("statuses after the image change = %v, want a rollout starting with version_updating", got)
	}

	// A PATCH without containers changes only what it names.
	updated, err = env.client.UpdateDeployment(ctx, "comfy-patch", verda.UpdateDeploymentRequest{
		Compute: &verda.Compute{Name: "H200", Size: 2}, IsSpot: verda.Bool(true),
	})
	if err != nil {
		t.Fatalf("UpdateDeployment of compute and is_spot: %v", err)
	}
	if updated.Compute != (verda.Compute{Name: "H200", Size: 2}) || !updated.IsSpot || updated.Containers[0].Image.Image != newImage {
		t.Errorf("after the compute PATCH: compute %+v, is_spot %v, image %s; want H200/2, spot, image unchanged",
			updated.Compute, updated.IsSpot, updated.Containers[0].Image.Image)
	}

	_, err = env.client.UpdateDeployment(ctx, "missing", verda.UpdateDeploymentRequest{IsSpot: verda.Bool(false)})
	if !errors.Is(err, verda.ErrNotFound) {
		t.Errorf("UpdateDeployment of a missing deployment: error = %v, want ErrNotFound", err)
	}
}

func TestContractDeploymentPatchWithoutNamesRejected(t *testing.T) {
	t.Parallel()
	env := newContractEnv(t, emulator.Options{})
	ctx := contractContext(t)
	created := env.createDeployment(ctx, comfyDeployment("comfy-noname"))

	containers := slices.Clone(created.Containers)
	containers[0].Name = ""
	containers[0].Image = verda.Image{Image: "ghcr.io/comfyume/comfyui:0.3.65-cu128"}
	_, err := env.client.UpdateDeployment(ctx, "comfy-noname", verda.UpdateDeploymentRequest{Containers: containers})

	apiErr := requireAPIError(t, err, http.StatusBadRequest, "invalid_request")
	if apiErr.Message != "containers.0.name should not be null or undefined" {
		t.Errorf("APIError.Message = %q, want the API's message for a container without name", apiErr.Message)
	}
	if !errors.Is(err, verda.ErrBadRequest) {
		t.Errorf("errors.Is(%v, ErrBadRequest) = false, want true", err)
	}
	if apiErr.Operation != "update" || apiErr.Object != `container deployment "comfy-noname"` {
		t.Errorf("APIError operation and object = %q %q, want update container deployment \"comfy-noname\"", apiErr.Operation, apiErr.Object)
	}

	containers[0].Name = "other-0"
	_, err = env.client.UpdateDeployment(ctx, "comfy-noname", verda.UpdateDeploymentRequest{Containers: containers})
	apiErr = requireAPIError(t, err, http.StatusBadRequest, "invalid_request")
	if !strings.Contains(apiErr.Message, `container "other-0" does not exist in deployment "comfy-noname"`) {
		t.Errorf("APIError.Message = %q, want the unknown container named", apiErr.Message)
	}

	got, err := env.client.GetDeployment(ctx, "comfy-noname")
	if err != nil {
		t.Fatalf("GetDeployment: %v", err)
	}
	if got.Containers[0].Image.Image != contractImage {
		t.Errorf("image after the rejected PATCHes = %s, want %s unchanged", got.Containers[0].Image.Image, contractImage)
	}
}

func TestContractDeploymentDeleteWithTimeout(t *testing.T) {
	t.Parallel()
	env := newContractEnv(t, emulator.Options{})
	ctx := contractContext(t)
	env.createDeployment(ctx, comfyDeployment("comfy-delete"))

	if err := env.client.DeleteDeployment(ctx, "comfy-delete", 30*time.Second); err != nil {
		t.Fatalf("DeleteDeployment: %v", err)
	}
	deletes := env.requests(http.MethodDelete, "/v1/container-deployments/comfy-delete")
	if len(deletes) != 1 || deletes[0].Query != "timeout=30000" || deletes[0].Status != http.StatusNoContent {
		t.Errorf("DELETE requests = %+v, want one with timeout=30000 answered 204", deletes)
	}
	if _, err := env.client.GetDeployment(ctx, "comfy-delete"); !errors.Is(err, verda.ErrNotFound) {
		t.Errorf("GetDeployment after the delete: error = %v, want ErrNotFound", err)
	}
	if err := env.client.DeleteDeployment(ctx, "comfy-delete", 0); !errors.Is(err, verda.ErrNotFound) {
		t.Errorf("second DeleteDeployment: error = %v, want ErrNotFound", err)
	}

	// During a slow teardown the server returns 504 at once and keeps the deployment readable for two GETs.
	env.createDeployment(ctx, comfyDeployment("comfy-slow"))
	env.emu.SetDeleteDelay(2)
	err := env.client.DeleteDeployment(ctx, "comfy-slow", time.Hour)
	apiErr := requireAPIError(t, err, http.StatusGatewayTimeout, "server_error")
	if !strings.Contains(apiErr.Message, "did not finish within 300000 ms") {
		t.Errorf("APIError.Message = %q, want the timeout clamped to 300000 ms", apiErr.Message)
	}
	for _, rec := range env.requests(http.MethodDelete, "/v1/container-deployments/comfy-slow") {
		if rec.Query != "timeout=300000" {
			t.Errorf("DELETE query = %q, want timeout=300000 (the maximum)", rec.Query)
		}
	}
	_, err = env.client.UpdateDeployment(ctx, "comfy-slow", verda.UpdateDeploymentRequest{IsSpot: verda.Bool(true)})
	if !errors.Is(err, verda.ErrConflict) {
		t.Errorf("UpdateDeployment while deleting: error = %v, want ErrConflict", err)
	}
	if err := env.client.DeleteDeployment(ctx, "comfy-slow", 0); err != nil {
		t.Errorf("DeleteDeployment with timeout 0 while deleting: %v, want success without waiting", err)
	}
	for i := range 2 {
		if _, err := env.client.GetDeployment(ctx, "comfy-slow"); err != nil {
			t.Fatalf("GetDeployment %d while the delete is pending: %v", i+1, err)
		}
	}
	if _, err := env.client.GetDeployment(ctx, "comfy-slow"); !errors.Is(err, verda.ErrNotFound) {
		t.Errorf("GetDeployment after the pending delete finished: error = %v, want ErrNotFound", err)
	}
}

func TestContractDeploymentStatusLifecycle(t *testing.T) {
	t.Parallel()
	env := newContractEnv(t, emulator.Options{})
	ctx := contractContext(t)
	env.createDeployment(ctx, comfyDeployment("comfy-life"))

	want := []string{verda.StatusInitializing, verda.StatusImagePulling, verda.StatusHealthy}
	if got := env.pollStatus(ctx, "comfy-life", verda.StatusHealthy); !slices.Equal(got, want) {
		t.Errorf("statuses after create = %v, want %v", got, want)
	}
	replicas, err := env.client.GetReplicas(ctx, "comfy-life")
	if err != nil {
		t.Fatalf("GetReplicas: %v", err)
	}
	if len(replicas) != 1 || replicas[0].Status != "running" || !uuidPattern.MatchString(replicas[0].ID) || replicas[0].StartedAt == "" {
		t.Errorf("replicas of a healthy deployment with min_replica_count 1 = %+v, want one running replica", replicas)
	}

	if err := env.client.PauseDeployment(ctx, "comfy-life"); err != nil {
		t.Fatalf("PauseDeployment: %v", err)
	}
	if got := env.pollStatus(ctx, "comfy-life", verda.StatusPaused); len(got) != 1 {
		t.Errorf("statuses after pause = %v, want paused at once", got)
	}
	if replicas, _ := env.client.GetReplicas(ctx, "comfy-life"); len(replicas) != 0 {
		t.Errorf("replicas of a paused deployment = %+v, want none", replicas)
	}
	err = env.client.RestartDeployment(ctx, "comfy-life")
	apiErr := requireAPIError(t, err, http.StatusBadRequest, "forbidden_action")
	if !strings.Contains(apiErr.Message, "is paused; resume it") {
		t.Errorf("APIError.Message = %q, want the advice to resume", apiErr.Message)
	}

	if err := env.client.ResumeDeployment(ctx, "comfy-life"); err != nil {
		t.Fatalf("ResumeDeployment: %v", err)
	}
	if got := env.pollStatus(ctx, "comfy-life", verda.StatusHealthy); !slices.Equal(got, want) {
		t.Errorf("statuses after resume = %v, want %v", got, want)
	}
	if err := env.client.RestartDeployment(ctx, "comfy-life"); err != nil {
		t.Fatalf("RestartDeployment: %v", err)
	}
	if got := env.pollStatus(ctx, "comfy-life", verda.StatusHealthy); !slices.Equal(got, want) {
		t.Errorf("statuses after restart = %v, want %v", got, want)
	}
	if err := env.client.PurgeQueue(ctx, "comfy-life"); err != nil {
		t.Errorf("PurgeQueue: %v", err)
	}
	for path, status := range map[string]int{"restart": 204, "pause": 204, "resume": 204, "purge-queue": 204} {
		got := env.statuses(http.MethodPost, "/v1/container-deployments/comfy-life/"+path)
		if len(got) == 0 || got[len(got)-1] != status {
			t.Errorf("POST %s statuses = %v, want the last one %d", path, got, status)
		}
	}

	for name, action := range map[string]func() error{
		"restart":     func() error { return env.client.RestartDeployment(ctx, "missing") },
		"pause":       func() error { return env.client.PauseDeployment(ctx, "missing") },
		"resume":      func() error { return env.client.ResumeDeployment(ctx, "missing") },
		"purge-queue": func() error { return env.client.PurgeQueue(ctx, "missing") },
		"status":      func() error { _, err := env.client.GetDeploymentStatus(ctx, "missing"); return err },
		"replicas":    func() error { _, err := env.client.GetReplicas(ctx, "missing"); return err },
		"scaling":     func() error { _, err := env.client.GetScaling(ctx, "missing"); return err },
	} {
		if err := action(); !errors.Is(err, verda.ErrNotFound) {
			t.Errorf("%s of a missing deployment: error = %v, want ErrNotFound", name, err)
		}
	}
}

func TestContractDeploymentQuotaAndPullError(t *testing.T) {
	t.Parallel()
	env := newContractEnv(t, emulator.Options{})
	ctx := contractContext(t)

	env.emu.SetComputeAvailable("H100", 1, false)
	env.createDeployment(ctx, comfyDeployment("comfy-quota"))
	got := env.pollStatus(ctx, "comfy-quota", verda.StatusQuotaReached)
	for range 3 {
		status, err := env.client.GetDeploymentStatus(ctx, "comfy-quota")
		if err != nil {
			t.Fatalf("GetDeploymentStatus: %v", err)
		}
		got = append(got, status)
	}
	if want := []string{"initializing", "quota_reached", "quota_reached", "quota_reached", "quota_reached"}; !slices.Equal(got, want) {
		t.Errorf("statuses without capacity = %v, want %v", got, want)
	}
	env.emu.SetComputeAvailable("H100", 1, true)
	if got := env.pollStatus(ctx, "comfy-quota", verda.StatusHealthy); !slices.Equal(got, []string{"quota_reached", "image_pulling", "healthy"}) {
		t.Errorf("statuses once capacity returns = %v, want quota_reached, image_pulling, healthy", got)
	}

	const badImage = "ghcr.io/comfyume/comfyui:0.0.0-missing"
	env.emu.SetImageBehavior(badImage, emulator.ImageBehavior{PullError: true})
	req := comfyDeployment("comfy-pull")
	req.Containers[0].Image = verda.Image{Image: badImage}
	env.createDeployment(ctx, req)
	env.pollStatus(ctx, "comfy-pull", verda.StatusUnhealthy)
	replicas, err := env.client.GetReplicas(ctx, "comfy-pull")
	if err != nil {
		t.Fatalf("GetReplicas: %v", err)
	}
	if len(replicas) != 1 || replicas[0].Status != "image_pull_error" {
		t.Errorf("replicas after a failed image pull = %+v, want one with status image_pull_error", replicas)
	}
}

func TestContractDeploymentScalingMerge(t *testing.T) {
	t.Parallel()
	env := newContractEnv(t, emulator.Options{})
	ctx := contractContext(t)
	env.createDeployment(ctx, comfyDeployment("comfy-scale"))

	initial, err := env.client.GetScaling(ctx, "comfy-scale")
	if err != nil {
		t.Fatalf("GetScaling: %v", err)
	}
	// The create request set only the replica counts, so the API fills in the rest with its defaults.
	want := verda.Scaling{
		MinReplicaCount:              verda.Int64(1),
		MaxReplicaCount:              verda.Int64(2),
		ScaleDownPolicy:              &verda.ScalingPolicy{DelaySeconds: verda.Int64(300)},
		ScaleUpPolicy:                &verda.ScalingPolicy{DelaySeconds: verda.Int64(0)},
		QueueMessageTTLSeconds:       verda.Int64(300),
		ConcurrentRequestsPerReplica: verda.Int64(1),
		ScalingTriggers: &verda.ScalingTriggers{
			QueueLoad:      &verda.QueueLoadTrigger{Threshold: 1},
			CPUUtilization: &verda.UtilizationTrigger{},
			GPUUtilization: &verda.UtilizationTrigger{},
		},
	}
	assertScaling(t, "initial scaling", initial, want)

	updated, err := env.client.UpdateScaling(ctx, "comfy-scale", verda.Scaling{MaxReplicaCount: verda.Int64(4)})
	if err != nil {
		t.Fatalf("UpdateScaling of max_replica_count: %v", err)
	}
	if body := env.requests(http.MethodPatch, "/v1/container-deployments/comfy-scale/scaling")[0].Body; body != `{"max_replica_count":4}` {
		t.Errorf("scaling PATCH body = %s, want only the changed field", body)
	}
	want.MaxReplicaCount = verda.Int64(4)
	assertScaling(t, "scaling after the max_replica_count PATCH", updated, want)

	updated, err = env.client.UpdateScaling(ctx, "comfy-scale", verda.Scaling{
		MinReplicaCount: verda.Int64(2),
		ScalingTriggers: &verda.ScalingTriggers{GPUUtilization: &verda.UtilizationTrigger{Enabled: true, Threshold: verda.Float64(80)}},
	})
	if err != nil {
		t.Fatalf("UpdateScaling of min_replica_count and the GPU trigger: %v", err)
	}
	want.MinReplicaCount = verda.Int64(2)
	want.ScalingTriggers.GPUUtilization = &verda.UtilizationTrigger{Enabled: true, Threshold: verda.Float64(80)}
	assertScaling(t, "scaling after the trigger PATCH", updated, want)
	read, err := env.client.GetScaling(ctx, "comfy-scale")
	if err != nil {
		t.Fatalf("GetScaling: %v", err)
	}
	assertScaling(t, "scaling read back", read, want)

	env.pollStatus(ctx, "comfy-scale", verda.StatusHealthy)
	replicas, err := env.client.GetReplicas(ctx, "comfy-scale")
	if err != nil {
		t.Fatalf("GetReplicas: %v", err)
	}
	if len(replicas) != 2 {
		t.Errorf("replicas with min_replica_count 2 = %+v, want 2", replicas)
	}

	_, err = env.client.UpdateScaling(ctx, "comfy-scale", verda.Scaling{MinReplicaCount: verda.Int64(5)})
	apiErr := requireAPIError(t, err, http.StatusBadRequest, "invalid_request")
	if apiErr.Message != "min_replica_count (5) must not be greater than max_replica_count (4)" {
		t.Errorf("APIError.Message = %q, want the API's replica-count rule", apiErr.Message)
	}
	read, err = env.client.GetScaling(ctx, "comfy-scale")
	if err != nil {
		t.Fatalf("GetScaling: %v", err)
	}
	assertScaling(t, "scaling after the rejected PATCH", read, want)
}

// assertScaling compares two scaling objects by their JSON form, which ignores pointer identity.
func assertScaling(t *testing.T, label string, got *verda.Scaling, want verda.Scaling) {
	t.Helper()
	gotJSON, err := json.Marshal(got)
	if err != nil {
		t.Fatalf("encoding %s: %v", label, err)
	}
	wantJSON, err := json.Marshal(want)
	if err != nil {
		t.Fatalf("encoding the expected %s: %v", label, err)
	}
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("%s = %s, want %s", label, gotJSON, wantJSON)
	}
}
