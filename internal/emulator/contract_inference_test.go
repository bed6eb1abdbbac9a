package emulator_test

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/comfyume/terraform-provider-verda/internal/emulator"
	"github.com/comfyume/terraform-provider-verda/internal/verda"
)

// comfySystemStats is the part of ComfyUI's /system_stats that the provider reads.
type comfySystemStats struct {
	System struct {
		ComfyUIVersion string   `json:"comfyui_version"`
		Argv           []string `json:"argv"`
	} `json:"system"`
	Devices []struct {
		Name      string `json:"name"`
		Type      string `json:"type"`
		VRAMTotal int64  `json:"vram_total"`
	} `json:"devices"`
}

// newHealthyComfyDeployment creates an H200 deployment whose ComfyUI reads models from a shared filesystem
// that contains one checkpoint, and waits until it is healthy.
func (env *contractEnv) newHealthyComfyDeployment(name string) *verda.ContainerDeployment {
	env.t.Helper()
	ctx := contractContext(env.t)
	sfsID := env.createVolume(ctx, verda.CreateVolumeRequest{Type: "NVMe_Shared", Name: name + "-models", Size: 100})
	if err := env.emu.PutFile(sfsID, "models/checkpoints/contract.safetensors", []byte("weights")); err != nil {
		env.t.Fatalf("PutFile: %v", err)
	}

	req := comfyDeployment(name)
	req.Compute = verda.Compute{Name: "H200", Size: 1}
	c := &req.Containers[0]
	c.VolumeMounts = append(c.VolumeMounts, verda.VolumeMount{Type: verda.MountShared, MountPath: "/mnt/sfs", VolumeID: sfsID})
	c.EntrypointOverrides = &verda.EntrypointOverrides{
		Enabled:    true,
		Entrypoint: []string{"python3", "/app/ComfyUI/main.py"},
		Cmd:        []string{"--listen", "0.0.0.0", "--port", "8188", "--extra-model-paths-config", "/mnt/sfs/extra_model_paths.yaml"},
	}
	created := env.createDeployment(ctx, req)
	env.pollStatus(ctx, name, verda.StatusHealthy)
	return created
}

func TestContractInferenceComfyUI(t *testing.T) {
	t.Parallel()
	env := newContractEnv(t, emulator.Options{})
	ctx := contractContext(t)
	d := env.newHealthyComfyDeployment("comfy-infer")
	tokensBefore := len(env.tokenGrants())
	call := func(path string, out any) {
		t.Helper()
		err := env.client.CallInference(ctx, verda.InferenceRequest{Deployment: d.Name, EndpointBaseURL: d.EndpointBaseURL, Path: path, Out: out})
		if err != nil {
			t.Fatalf("CallInference %s: %v", path, err)
		}
	}

	var stats comfySystemStats
	call("/system_stats", &stats)
	if len(stats.Devices) != 1 || !strings.Contains(stats.Devices[0].Name, "NVIDIA H200") || stats.Devices[0].Type != "cuda" {
		t.Errorf("system_stats devices = %+v, want one cuda device named after the H200", stats.Devices)
	}
	if stats.System.ComfyUIVersion != "0.3.64" || !slices.Contains(stats.System.Argv, "--extra-model-paths-config") {
		t.Errorf("system_stats system = %+v, want ComfyUI 0.3.64 started with the container command", stats.System)
	}

	var objectInfo map[string]struct {
		Input struct {
			Required map[string][]any `json:"required"`
		} `json:"input"`
	}
	call("/object_info", &objectInfo)
	for _, class := range []string{"KSampler", "CheckpointLoaderSimple", "CLIPTextEncode", "VAEDecode"} {
		if _, ok := objectInfo[class]; !ok {
			t.Errorf("object_info has no node class %s", class)
		}
	}
	ckptSpec := objectInfo["CheckpointLoaderSimple"].Input.Required["ckpt_name"]
	var ckptChoices []any
	if len(ckptSpec) > 0 {
		ckptChoices, _ = ckptSpec[0].([]any)
	}
	if !slices.Contains(ckptChoices, any("contract.safetensors")) {
		t.Errorf("CheckpointLoaderSimple ckpt_name = %v, want the checkpoint on the shared filesystem", ckptSpec)
	}

	var folders []string
	call("/models", &folders)
	if !slices.Contains(folders, "checkpoints") || !slices.Contains(folders, "loras") {
		t.Errorf("models folders = %v, want the standard folders", folders)
	}
	var checkpoints []string
	call("/api/models/checkpoints", &checkpoints)
	if !slices.Equal(checkpoints, []string{"contract.safetensors"}) {
		t.Errorf("models/checkpoints = %v, want [contract.safetensors]", checkpoints)
	}

	// Inference calls carry the inference key, so they never ask for an OAuth token.
	if got := len(env.tokenGrants()); got != tokensBefore {
		t.Errorf("token requests grew from %d to %d during inference calls", tokensBefore, got)
	}
	if got := env.statuses(http.MethodGet, "/inference/comfy-infer/system_stats"); !slices.Equal(got, []int{http.StatusOK}) {
		t.Errorf("GET system_stats statuses = %v, want one 200", got)
	}
}

func TestContractInferenceErrors(t *testing.T) {
	t.Parallel()
	env := newContractEnv(t, emulator.Options{})
	ctx := contractContext(t)
	d := env.newHealthyComfyDeployment("comfy-errors")
	request := verda.InferenceRequest{Deployment: d.Name, EndpointBaseURL: d.EndpointBaseURL, Path: "/system_stats"}

	wrongKey := env.newClient(func(cfg *verda.Config) { cfg.InferenceAPIKey = "not-the-inference-key" })
	err := wrongKey.CallInference(ctx, request)
	apiErr := requireAPIError(t, err, http.StatusUnauthorized, "unauthorized_request")
	if !strings.Contains(apiErr.Message, "inference API key") {
		t.Errorf("wrong inference key: APIError.Message = %q, want it to name the inference key", apiErr.Message)
	}
	if strings.Contains(err.Error(), "not-the-inference-key") {
		t.Errorf("error = %q, want the inference key masked", err)
	}

	noKey := env.newClient(func(cfg *verda.Config) { cfg.InferenceAPIKey = "" })
	if err := noKey.CallInference(ctx, request); !errors.Is(err, verda.ErrNoInferenceKey) {
		t.Errorf("CallInference without a key: error = %v, want ErrNoInferenceKey", err)
	}

	var missingModels []string
	err = env.client.CallInference(ctx, verda.InferenceRequest{Deployment: d.Name, EndpointBaseURL: d.EndpointBaseURL, Path: "/models/nonsense", Out: &missingModels})
	apiErr = requireAPIError(t, err, http.StatusNotFound, "not_found")
	if apiErr.Message != `ComfyUI has no model folder "nonsense"` {
		t.Errorf("unknown model folder: APIError.Message = %q, want the fake ComfyUI's message", apiErr.Message)
	}

	missing := verda.InferenceRequest{Deployment: "missing", EndpointBaseURL: env.server.URL + "/inference/missing", Path: "/system_stats"}
	if err := env.client.CallInference(ctx, missing); !errors.Is(err, verda.ErrNotFound) {
		t.Errorf("CallInference of a missing deployment: error = %v, want ErrNotFound", err)
	}

	// A deployment that is not healthy returns 503, which a GET retries until MaxRetries is used up.
	if err := env.client.PauseDeployment(ctx, d.Name); err != nil {
		t.Fatalf("PauseDeployment: %v", err)
	}
	env.emu.ClearRequests()
	err = env.client.CallInference(ctx, request)
	apiErr = requireAPIError(t, err, http.StatusServiceUnavailable, "service_unavailable")
	if !strings.Contains(apiErr.Message, "its status is paused") {
		t.Errorf("paused deployment: APIError.Message = %q, want the status named", apiErr.Message)
	}
	if got := len(env.requests(http.MethodGet, "/inference/comfy-errors/system_stats")); got != 4 {
		t.Errorf("GET system_stats on a paused deployment was sent %d times, want 4 (1 + MaxRetries 3)", got)
	}
}
