package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"net/http"
	"strings"
	"testing"
)

var inferenceAuth = []string{"Authorization", "Bearer " + DefaultInferenceKey}

// comfyGet sends a request to a deployment's fake ComfyUI with the inference key.
func (c *apiClient) comfy(method, deploymentName, path string, body any) apiResult {
	c.t.Helper()
	return c.send(method, "/inference/"+deploymentName+path, body, inferenceAuth...)
}

func (c *apiClient) comfyJSON(method, deploymentName, path string, body any, wantStatus int, out any) {
	c.t.Helper()
	res := c.comfy(method, deploymentName, path, body)
	if res.Status != wantStatus {
		c.t.Fatalf("%s %s%s: status %d, want %d; body %s", method, deploymentName, path, res.Status, wantStatus, res.Body)
	}
	if out != nil {
		if err := json.Unmarshal(res.Body, out); err != nil {
			c.t.Fatalf("decoding %s: %v", res.Body, err)
		}
	}
}

// healthyComfy creates a deployment with a shared mount at /mnt/sfs and the given cmd, and reads its status
// until healthy.
func healthyComfy(t *testing.T, c *apiClient, name, volumeID string, cmd []string) {
	t.Helper()
	body := deploymentBody(name)
	ctr := firstContainer(body)
	ctr["entrypoint_overrides"].(map[string]any)["cmd"] = cmd
	if volumeID != "" {
		ctr["volume_mounts"] = []any{
			map[string]any{"type": "shared", "mount_path": "/mnt/sfs", "volume_id": volumeID},
			map[string]any{"type": "scratch", "mount_path": "/data"},
		}
	}
	c.createDeployment(body)
	if got := c.statusSequence(name, 3); got[2] != statusHealthy {
		t.Fatalf("deployment %s statuses = %v, want healthy", name, got)
	}
}

func modelVolume(t *testing.T, ts *TestServer, c *apiClient) string {
	t.Helper()
	id := c.createVolume("models", "NVMe_Shared", 500)
	for path, content := range map[string]string{
		"extra_model_paths.yaml":                        "comfyui:\n  base_path: /mnt/sfs/\n",
		"models/checkpoints/sd_xl_base_1.0.safetensors": "ckpt",
		"models/checkpoints/notes.txt":                  "not a model",
		"models/vae/sdxl_vae.safetensors":               "vae",
		"models/loras/style/detail.safetensors":         "lora",
		"models/embeddings/easynegative.safetensors":    "emb",
		"models/ipadapter/ip.bin":                       "custom folder",
		"outputs/.keep":                                 "",
	} {
		if err := ts.Emulator.PutFile(id, path, []byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

var (
	modelCmd  = []string{"--listen", "0.0.0.0", "--port", "8188", "--extra-model-paths-config", "/mnt/sfs/extra_model_paths.yaml"}
	outputCmd = append(append([]string{}, modelCmd...), "--output-directory", "/mnt/sfs/outputs")
)

func TestComfySystemStatsGPUName(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"H100":         "cuda:0 NVIDIA H100 80GB HBM3 : cudaMallocAsync",
		"H200":         "cuda:0 NVIDIA H200 : cudaMallocAsync",
		"B200":         "cuda:0 NVIDIA B200 : cudaMallocAsync",
		"B300":         "cuda:0 NVIDIA B300 SXM6 AC : cudaMallocAsync",
		"A100":         "cuda:0 NVIDIA A100-SXM4-80GB : cudaMallocAsync",
		"L40S":         "cuda:0 NVIDIA L40S : cudaMallocAsync",
		"RTX 4500 Ada": "cuda:0 NVIDIA RTX 4500 Ada Generation : cudaMallocAsync",
	}
	for compute, wantName := range cases {
		t.Run(compute, func(t *testing.T) {
			t.Parallel()
			ts, c, _ := newTestEmulator(t, Options{})
			ts.Emulator.SetComputeAvailable(compute, 2, true)
			body := deploymentBody("gpu")
			body["compute"] = map[string]any{"name": compute, "size": 2}
			c.createDeployment(body)
			c.statusSequence("gpu", 3)

			var stats comfySystemStats
			c.comfyJSON(http.MethodGet, "gpu", "/system_stats", nil, http.StatusOK, &stats)
			if len(stats.Devices) != 1 {
				t.Fatalf("0.3.64 devices = %d, want exactly 1 even on 2 GPUs", len(stats.Devices))
			}
			d := stats.Devices[0]
			if d.Name != wantName || d.Type != "cuda" || d.Index == nil || *d.Index != 0 {
				t.Errorf("device = %+v, want name %q", d, wantName)
			}
			if d.VRAMTotal < 20e9 || d.VRAMFree >= d.VRAMTotal || d.TorchVRAMTotal != 0 {
				t.Errorf("implausible memory figures: %+v", d)
			}
		})
	}
}

func TestComfySystemStatsShape(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestEmulator(t, Options{})
	healthyComfy(t, c, "classic", "", []string{"--listen", "0.0.0.0", "--port", "8188", "--disable-auto-launch"})

	var raw struct {
		System map[string]any `json:"system"`
	}
	res := c.comfy(http.MethodGet, "classic", "/system_stats", nil)
	if err := json.Unmarshal(res.Body, &raw); err != nil {
		t.Fatal(err)
	}
	system := raw.System
	if system["os"] != "posix" || system["comfyui_version"] != "0.3.64" || system["embedded_python"] != false {
		t.Errorf("system = %v", system)
	}
	for _, key := range []string{"ram_total", "ram_free", "required_frontend_version", "installed_templates_version", "required_templates_version", "python_version", "pytorch_version"} {
		if _, ok := system[key]; !ok {
			t.Errorf("system lacks %s", key)
		}
	}
	for _, key := range []string{"comfy_package_versions", "deploy_environment"} {
		if _, ok := system[key]; ok {
			t.Errorf("0.3.64 system has the 2026 field %s", key)
		}
	}
	argv, _ := json.Marshal(system["argv"])
	if want := `["python3","/app/ComfyUI/main.py","--listen","0.0.0.0","--port","8188","--disable-auto-launch"]`; string(argv) != want {
		t.Errorf("argv = %s, want %s", argv, want)
	}

	image := "ghcr.io/comfyume/comfyui:0.40.0-cu130"
	ts.Emulator.SetImageBehavior(image, ImageBehavior{ComfyUIVersion: "0.40.0"})
	body := deploymentBody("modern")
	body["compute"] = map[string]any{"name": "B200", "size": 4}
	firstContainer(body)["image"] = image
	c.createDeployment(body)
	c.statusSequence("modern", 3)
	var stats comfySystemStats
	c.comfyJSON(http.MethodGet, "modern", "/api/system_stats", nil, http.StatusOK, &stats)
	if stats.System.OS != "linux" || stats.System.DeployEnvironment != "local-git" || len(stats.System.ComfyPackageVersions) == 0 {
		t.Errorf("2026 system = %+v", stats.System)
	}
	if len(stats.Devices) != 4 {
		t.Fatalf("2026 devices = %d, want one per GPU (4)", len(stats.Devices))
	}
	if stats.Devices[3].Name != "cuda:3 NVIDIA B200 : cudaMallocAsync" || *stats.Devices[3].Index != 3 {
		t.Errorf("fourth device = %+v", stats.Devices[3])
	}
}

func TestComfySystemStatsCPUMode(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{})
	healthyComfy(t, c, "cpu-only", "", []string{"--listen", "0.0.0.0", "--cpu"})

	var stats comfySystemStats
	c.comfyJSON(http.MethodGet, "cpu-only", "/system_stats", nil, http.StatusOK, &stats)
	if len(stats.Devices) != 1 || stats.Devices[0].Type != "cpu" || stats.Devices[0].Name != "cpu" || stats.Devices[0].Index != nil {
		t.Errorf("cpu devices = %+v", stats.Devices)
	}
}

func TestComfyAuthAndAvailability(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{InferenceKey: "key-123"})
	body := deploymentBody("gate")
	firstContainer(body)["exposed_port"] = 8080
	firstContainer(body)["healthcheck"] = map[string]any{"enabled": true, "port": 8188, "path": "/"}
	c.createDeployment(body)

	res := c.send(http.MethodGet, "/inference/gate/system_stats", nil)
	if res.Status != http.StatusUnauthorized || !strings.Contains(string(res.Body), codeUnauthorized) {
		t.Errorf("with the API token instead of the inference key: %d %s", res.Status, res.Body)
	}
	res = c.send(http.MethodGet, "/inference/gate/system_stats", nil, "Authorization", "Bearer wrong")
	if res.Status != http.StatusUnauthorized {
		t.Errorf("wrong key: status %d", res.Status)
	}

	auth := []string{"Authorization", "Bearer key-123"}
	res = c.send(http.MethodGet, "/inference/nobody/system_stats", nil, auth...)
	if res.Status != http.StatusNotFound {
		t.Errorf("unknown deployment: status %d", res.Status)
	}
	res = c.send(http.MethodGet, "/inference/gate/system_stats", nil, auth...)
	if res.Status != http.StatusServiceUnavailable || !strings.Contains(string(res.Body), "initializing") {
		t.Errorf("while initializing: %d %s", res.Status, res.Body)
	}

	c.statusSequence("gate", 3)
	res = c.send(http.MethodGet, "/inference/gate/system_stats", nil, auth...)
	if res.Status != http.StatusBadGateway || !strings.Contains(string(res.Body), "exposed_port 8080") {
		t.Errorf("exposed port differs from ComfyUI port: %d %s", res.Status, res.Body)
	}
}

func TestComfyPromptWritesOutputIntoSharedVolume(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestEmulator(t, Options{})
	vol := modelVolume(t, ts, c)
	healthyComfy(t, c, "with-flag", vol, outputCmd)

	var accepted map[string]any
	c.comfyJSON(http.MethodPost, "with-flag", "/prompt", smokePrompt("healthcheck", 64), http.StatusOK, &accepted)
	promptID, _ := accepted["prompt_id"].(string)
	if promptID == "" || accepted["number"] != float64(0) {
		t.Fatalf("prompt answer = %v", accepted)
	}
	if nodeErrors, _ := accepted["node_errors"].(map[string]any); len(nodeErrors) != 0 {
		t.Errorf("node_errors = %v", nodeErrors)
	}

	files, err := ts.Emulator.Files(vol)
	if err != nil {
		t.Fatal(err)
	}
	if files["outputs/healthcheck_00001_.png"] == 0 {
		t.Fatalf("SFS files = %v, want outputs/healthcheck_00001_.png", files)
	}

	var history map[string]struct {
		Outputs map[string]struct {
			Images []historyImage `json:"images"`
		} `json:"outputs"`
		Status struct {
			StatusStr string `json:"status_str"`
			Completed bool   `json:"completed"`
		} `json:"status"`
	}
	c.comfyJSON(http.MethodGet, "with-flag", "/history/"+promptID, nil, http.StatusOK, &history)
	entry := history[promptID]
	if entry.Status.StatusStr != "success" || !entry.Status.Completed {
		t.Errorf("history status = %+v", entry.Status)
	}
	if images := entry.Outputs["2"].Images; len(images) != 1 || images[0] != (historyImage{Filename: "healthcheck_00001_.png", Subfolder: "", Type: "output"}) {
		t.Errorf("history outputs = %+v", entry.Outputs)
	}

	res := c.comfy(http.MethodGet, "with-flag", "/view?filename=healthcheck_00001_.png&subfolder=&type=output", nil)
	if res.Status != http.StatusOK || res.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("view: %d %s", res.Status, res.Header.Get("Content-Type"))
	}
	img, err := png.Decode(bytes.NewReader(res.Body))
	if err != nil {
		t.Fatalf("output is not a PNG: %v", err)
	}
	if img.Bounds().Dx() != 64 {
		t.Errorf("image width = %d, want 64 from EmptyImage", img.Bounds().Dx())
	}

	c.comfyJSON(http.MethodPost, "with-flag", "/prompt", smokePrompt("healthcheck", 64), http.StatusOK, nil)
	files, _ = ts.Emulator.Files(vol)
	if files["outputs/healthcheck_00002_.png"] == 0 {
		t.Errorf("second prompt did not increment the counter: %v", files)
	}
}

func TestComfyPromptWithoutOutputFlagStaysLocal(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestEmulator(t, Options{})
	vol := modelVolume(t, ts, c)
	healthyComfy(t, c, "no-flag", vol, modelCmd)
	before, _ := ts.Emulator.Files(vol)

	c.comfyJSON(http.MethodPost, "no-flag", "/prompt", smokePrompt("local/run", 32), http.StatusOK, nil)

	after, _ := ts.Emulator.Files(vol)
	if len(after) != len(before) {
		t.Errorf("output landed in the SFS without --output-directory: %v", after)
	}
	res := c.comfy(http.MethodGet, "no-flag", "/view?filename=run_00001_.png&subfolder=local&type=output", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("container-local output not served: %d %s", res.Status, res.Body)
	}

	c.expectJSON(http.MethodPost, "/v1/container-deployments/no-flag/restart", nil, http.StatusNoContent, nil)
	c.statusSequence("no-flag", 3)
	res = c.comfy(http.MethodGet, "no-flag", "/view?filename=run_00001_.png&subfolder=local&type=output", nil)
	if res.Status != http.StatusNotFound {
		t.Errorf("container-local output survived a restart: %d", res.Status)
	}
	var history map[string]any
	c.comfyJSON(http.MethodGet, "no-flag", "/history", nil, http.StatusOK, &history)
	if len(history) != 0 {
		t.Errorf("history survived a restart: %v", history)
	}
}

func smokePrompt(prefix string, size int) map[string]any {
	return map[string]any{
		"client_id": "probe",
		"prompt": map[string]any{
			"1": map[string]any{"class_type": "EmptyImage", "inputs": map[string]any{"width": size, "height": size, "batch_size": 1, "color": 0}},
			"2": map[string]any{"class_type": "SaveImage", "inputs": map[string]any{"images": []any{"1", 0}, "filename_prefix": prefix}},
		},
	}
}

func txt2imgPrompt(ckpt string) map[string]any {
	return map[string]any{"prompt": map[string]any{
		"4": map[string]any{"class_type": "CheckpointLoaderSimple", "inputs": map[string]any{"ckpt_name": ckpt}},
		"5": map[string]any{"class_type": "EmptyLatentImage", "inputs": map[string]any{"width": 1024, "height": 1024, "batch_size": 2}},
		"6": map[string]any{"class_type": "CLIPTextEncode", "inputs": map[string]any{"text": "a cat", "clip": []any{"4", 1}}},
		"7": map[string]any{"class_type": "CLIPTextEncode", "inputs": map[string]any{"text": "", "clip": []any{"4", 1}}},
		"3": map[string]any{"class_type": "KSampler", "inputs": map[string]any{
			"model": []any{"4", 0}, "seed": 1, "steps": 20, "cfg": 7, "sampler_name": "euler", "scheduler": "normal",
			"positive": []any{"6", 0}, "negative": []any{"7", 0}, "latent_image": []any{"5", 0}, "denoise": 1,
		}},
		"8": map[string]any{"class_type": "VAEDecode", "inputs": map[string]any{"samples": []any{"3", 0}, "vae": []any{"4", 2}}},
		"9": map[string]any{"class_type": "SaveImage", "inputs": map[string]any{"images": []any{"8", 0}, "filename_prefix": "ComfyUI"}},
	}}
}

func TestComfyPromptMissingModel(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestEmulator(t, Options{})
	vol := modelVolume(t, ts, c)
	healthyComfy(t, c, "models", vol, outputCmd)

	var rejected struct {
		Error      promptError                `json:"error"`
		NodeErrors map[string]*nodeErrorEntry `json:"node_errors"`
	}
	c.comfyJSON(http.MethodPost, "models", "/prompt", txt2imgPrompt("sd15.safetensors"), http.StatusBadRequest, &rejected)
	if rejected.Error.Type != "prompt_outputs_failed_validation" {
		t.Errorf("error type = %q", rejected.Error.Type)
	}
	entry := rejected.NodeErrors["4"]
	if entry == nil || len(entry.Errors) != 1 || entry.Errors[0].Type != "value_not_in_list" || entry.ClassType != "CheckpointLoaderSimple" {
		t.Fatalf("node_errors = %+v", rejected.NodeErrors)
	}
	if want := "ckpt_name: 'sd15.safetensors' not in ['sd_xl_base_1.0.safetensors']"; entry.Errors[0].Details != want {
		t.Errorf("details = %q, want %q", entry.Errors[0].Details, want)
	}
	if !equalStrings(entry.DependentOutputs, []string{"9"}) {
		t.Errorf("dependent_outputs = %v", entry.DependentOutputs)
	}

	c.comfyJSON(http.MethodPost, "models", "/prompt", txt2imgPrompt("sd_xl_base_1.0.safetensors"), http.StatusOK, nil)
	files, _ := ts.Emulator.Files(vol)
	if files["outputs/ComfyUI_00001_.png"] == 0 || files["outputs/ComfyUI_00002_.png"] == 0 {
		t.Errorf("batch of 2 did not write two files: %v", files)
	}
}

func TestComfyPromptMissingNode(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestEmulator(t, Options{})
	image := "ghcr.io/comfyume/comfyui:broken"
	ts.Emulator.SetImageBehavior(image, ImageBehavior{MissingNodes: []string{"SaveImage"}, ExtraNodes: []string{"IPAdapterAdvanced"}})
	body := deploymentBody("broken")
	firstContainer(body)["image"] = image
	c.createDeployment(body)
	c.statusSequence("broken", 3)

	var rejected map[string]any
	c.comfyJSON(http.MethodPost, "broken", "/prompt", smokePrompt("x", 8), http.StatusBadRequest, &rejected)
	errObj := rejected["error"].(map[string]any)
	if errObj["type"] != "invalid_prompt" || errObj["message"] != "Cannot execute because node SaveImage does not exist." || errObj["details"] != "Node ID '#2'" {
		t.Errorf("error = %v", errObj)
	}
	if nodeErrors, ok := rejected["node_errors"].(map[string]any); !ok || len(nodeErrors) != 0 {
		t.Errorf("node_errors = %v, want {}", rejected["node_errors"])
	}

	var info map[string]any
	c.comfyJSON(http.MethodGet, "broken", "/object_info/SaveImage", nil, http.StatusOK, &info)
	if len(info) != 0 {
		t.Errorf("object_info of a missing class = %v, want {}", info)
	}
	c.comfyJSON(http.MethodGet, "broken", "/api/object_info/IPAdapterAdvanced", nil, http.StatusOK, &info)
	if _, ok := info["IPAdapterAdvanced"]; !ok {
		t.Errorf("object_info of an extra class = %v", info)
	}
}

func TestComfyPromptValidationErrors(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{})
	healthyComfy(t, c, "strict", "", []string{"--listen", "0.0.0.0"})

	cases := []struct {
		name, wantType string
		body           any
	}{
		{"no prompt", "no_prompt", map[string]any{"client_id": "x"}},
		{"missing class_type", "invalid_prompt", map[string]any{"prompt": map[string]any{"1": map[string]any{"inputs": map[string]any{}}}}},
		{"no outputs", "prompt_no_outputs", map[string]any{"prompt": map[string]any{
			"1": map[string]any{"class_type": "EmptyImage", "inputs": map[string]any{"width": 8, "height": 8, "batch_size": 1, "color": 0}}}}},
		{"required input missing", "prompt_outputs_failed_validation", map[string]any{"prompt": map[string]any{
			"1": map[string]any{"class_type": "SaveImage", "inputs": map[string]any{"filename_prefix": "x"}}}}},
		{"value below min", "prompt_outputs_failed_validation", map[string]any{"prompt": map[string]any{
			"1": map[string]any{"class_type": "EmptyImage", "inputs": map[string]any{"width": 0, "height": 8, "batch_size": 1, "color": 0}},
			"2": map[string]any{"class_type": "SaveImage", "inputs": map[string]any{"images": []any{"1", 0}, "filename_prefix": "x"}}}}},
		{"type mismatch", "prompt_outputs_failed_validation", map[string]any{"prompt": map[string]any{
			"1": map[string]any{"class_type": "EmptyLatentImage", "inputs": map[string]any{"width": 64, "height": 64, "batch_size": 1}},
			"2": map[string]any{"class_type": "SaveImage", "inputs": map[string]any{"images": []any{"1", 0}, "filename_prefix": "x"}}}}},
		{"link to missing node", "prompt_outputs_failed_validation", map[string]any{"prompt": map[string]any{
			"2": map[string]any{"class_type": "SaveImage", "inputs": map[string]any{"images": []any{"9", 0}, "filename_prefix": "x"}}}}},
		{"invalid json", "invalid_prompt", "{"},
	}
	for _, tc := range cases {
		res := c.comfy(http.MethodPost, "strict", "/prompt", tc.body)
		if res.Status != http.StatusBadRequest {
			t.Errorf("%s: status %d, body %s", tc.name, res.Status, res.Body)
			continue
		}
		var out struct {
			Error promptError `json:"error"`
		}
		if err := json.Unmarshal(res.Body, &out); err != nil || out.Error.Type != tc.wantType {
			t.Errorf("%s: error type %q, want %q (body %s)", tc.name, out.Error.Type, tc.wantType, res.Body)
		}
	}
}

func TestComfySmokeTestError(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestEmulator(t, Options{})
	image := "ghcr.io/comfyume/comfyui:old-torch"
	ts.Emulator.SetImageBehavior(image, ImageBehavior{SmokeTestError: "CUDA error: no kernel image is available for execution on the device"})
	body := deploymentBody("blackwell-bug")
	firstContainer(body)["image"] = image
	c.createDeployment(body)
	c.statusSequence("blackwell-bug", 3)

	var accepted map[string]any
	c.comfyJSON(http.MethodPost, "blackwell-bug", "/prompt", smokePrompt("smoke", 8), http.StatusOK, &accepted)
	id := accepted["prompt_id"].(string)

	var history map[string]map[string]any
	c.comfyJSON(http.MethodGet, "blackwell-bug", "/history/"+id, nil, http.StatusOK, &history)
	status := history[id]["status"].(map[string]any)
	if status["status_str"] != "error" || status["completed"] != false {
		t.Errorf("status = %v", status)
	}
	messages, _ := json.Marshal(status["messages"])
	if !strings.Contains(string(messages), `"execution_error"`) || !strings.Contains(string(messages), "no kernel image is available") {
		t.Errorf("messages = %s", messages)
	}
}

func TestComfyModelRoutes(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestEmulator(t, Options{})
	vol := modelVolume(t, ts, c)
	healthyComfy(t, c, "lister", vol, modelCmd)
	healthyComfy(t, c, "no-config", vol, []string{"--listen", "0.0.0.0"})

	var files []string
	c.comfyJSON(http.MethodGet, "lister", "/models/checkpoints", nil, http.StatusOK, &files)
	if !equalStrings(files, []string{"sd_xl_base_1.0.safetensors"}) {
		t.Errorf("checkpoints = %v (non-model files must be filtered)", files)
	}
	c.comfyJSON(http.MethodGet, "lister", "/api/models/loras", nil, http.StatusOK, &files)
	if !equalStrings(files, []string{"style/detail.safetensors"}) {
		t.Errorf("loras = %v, want nested path", files)
	}
	c.comfyJSON(http.MethodGet, "lister", "/models/ipadapter", nil, http.StatusOK, &files)
	if !equalStrings(files, []string{"ip.bin"}) {
		t.Errorf("custom folder = %v", files)
	}
	var folders []string
	c.comfyJSON(http.MethodGet, "lister", "/models", nil, http.StatusOK, &folders)
	if len(folders) == 0 || folders[0] != "checkpoints" || folders[len(folders)-1] != "ipadapter" {
		t.Errorf("folders = %v", folders)
	}
	c.comfyJSON(http.MethodGet, "lister", "/embeddings", nil, http.StatusOK, &files)
	if !equalStrings(files, []string{"easynegative"}) {
		t.Errorf("embeddings = %v", files)
	}
	if res := c.comfy(http.MethodGet, "lister", "/models/clip", nil); res.Status != http.StatusNotFound {
		t.Errorf("legacy folder name: status %d, want 404", res.Status)
	}

	c.comfyJSON(http.MethodGet, "no-config", "/models/checkpoints", nil, http.StatusOK, &files)
	if len(files) != 0 {
		t.Errorf("without --extra-model-paths-config the SFS models are visible: %v", files)
	}

	var info map[string]map[string]any
	c.comfyJSON(http.MethodGet, "lister", "/object_info/CheckpointLoaderSimple", nil, http.StatusOK, &info)
	required := info["CheckpointLoaderSimple"]["input"].(map[string]any)["required"].(map[string]any)
	ckpt, _ := json.Marshal(required["ckpt_name"])
	if string(ckpt) != `[["sd_xl_base_1.0.safetensors"],{}]` {
		t.Errorf("ckpt_name input = %s", ckpt)
	}
}

func TestComfyInformationalRoutes(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{})
	healthyComfy(t, c, "routes", "", []string{"--listen", "0.0.0.0"})

	for _, path := range []string{"/prompt", "/api/prompt"} {
		var out map[string]map[string]int
		c.comfyJSON(http.MethodGet, "routes", path, nil, http.StatusOK, &out)
		if out["exec_info"]["queue_remaining"] != 0 {
			t.Errorf("%s = %v", path, out)
		}
	}
	var queue map[string][]any
	c.comfyJSON(http.MethodGet, "routes", "/queue", nil, http.StatusOK, &queue)
	if _, ok := queue["queue_running"]; !ok {
		t.Errorf("queue = %v", queue)
	}
	var features map[string]any
	c.comfyJSON(http.MethodGet, "routes", "/features", nil, http.StatusOK, &features)
	if features["supports_preview_metadata"] != true || features["max_upload_size"] != float64(100<<20) {
		t.Errorf("features = %v", features)
	}
	res := c.comfy(http.MethodGet, "routes", "/", nil)
	if res.Status != http.StatusOK || !strings.Contains(string(res.Body), "<title>ComfyUI</title>") {
		t.Errorf("index: %d", res.Status)
	}
	var unknown map[string]any
	c.comfyJSON(http.MethodGet, "routes", "/history/not-a-prompt", nil, http.StatusOK, &unknown)
	if len(unknown) != 0 {
		t.Errorf("unknown history id = %v, want {}", unknown)
	}
	if res := c.comfy(http.MethodGet, "routes", "/view?filename=none.png", nil); res.Status != http.StatusNotFound {
		t.Errorf("view of a missing file: %d", res.Status)
	}
	if res := c.comfy(http.MethodGet, "routes", "/ws", nil); res.Status != http.StatusNotFound {
		t.Errorf("unemulated route: %d", res.Status)
	}
	if res := c.comfy(http.MethodDelete, "routes", "/prompt", nil); res.Status != http.StatusMethodNotAllowed {
		t.Errorf("DELETE /prompt: %d", res.Status)
	}

	for i := range 3 {
		c.comfyJSON(http.MethodPost, "routes", "/prompt", smokePrompt(fmt.Sprintf("h%d", i), 8), http.StatusOK, nil)
	}
	var history map[string]any
	c.comfyJSON(http.MethodGet, "routes", "/history?max_items=2", nil, http.StatusOK, &history)
	if len(history) != 2 {
		t.Errorf("history?max_items=2 returned %d entries", len(history))
	}
	c.comfyJSON(http.MethodPost, "routes", "/history", map[string]bool{"clear": true}, http.StatusOK, nil)
	history = nil
	c.comfyJSON(http.MethodGet, "routes", "/history", nil, http.StatusOK, &history)
	if len(history) != 0 {
		t.Errorf("history after clear = %d entries", len(history))
	}
}

func TestComfyProcessParsing(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		overrides *entrypointOverrides
		check     func(p comfyProcess) string
	}{
		{"defaults without overrides", nil, func(p comfyProcess) string {
			if p.Port != 8188 || !p.listensOutside() || p.OutputDir != "/app/ComfyUI/output" {
				return fmt.Sprintf("%+v", p)
			}
			return ""
		}},
		{"new entrypoint drops default cmd", &entrypointOverrides{Enabled: true, Entrypoint: []string{"python", "/srv/main.py"}}, func(p comfyProcess) string {
			if p.listensOutside() || p.BaseDir != "/srv" || p.OutputDir != "/srv/output" {
				return fmt.Sprintf("%+v", p)
			}
			return ""
		}},
		{"disabled overrides are ignored", &entrypointOverrides{Enabled: false, Cmd: []string{"--port", "1"}}, func(p comfyProcess) string {
			if p.Port != 8188 {
				return fmt.Sprintf("port %d", p.Port)
			}
			return ""
		}},
		{"several model configs", &entrypointOverrides{Enabled: true, Cmd: []string{"--extra-model-paths-config", "/a.yaml", "/b.yaml", "--listen"}}, func(p comfyProcess) string {
			if !equalStrings(p.ExtraModelPathsConfigs, []string{"/a.yaml", "/b.yaml"}) || !p.listensOutside() {
				return fmt.Sprintf("%+v", p)
			}
			return ""
		}},
		{"temp directory gets a temp folder", &entrypointOverrides{Enabled: true, Cmd: []string{"--temp-directory", "/scratch"}}, func(p comfyProcess) string {
			if p.TempDir != "/scratch/temp" {
				return p.TempDir
			}
			return ""
		}},
		{"missing port value", &entrypointOverrides{Enabled: true, Cmd: []string{"--port"}}, func(p comfyProcess) string {
			if !strings.Contains(p.StartError, "expected one argument") {
				return p.StartError
			}
			return ""
		}},
	}
	for _, tc := range cases {
		p := newComfyProcess(&container{Image: "x:1", ExposedPort: 8188, Entrypoint: tc.overrides}, ImageBehavior{})
		if problem := tc.check(p); problem != "" {
			t.Errorf("%s: %s", tc.name, problem)
		}
	}
}

func TestComfyVersionComparison(t *testing.T) {
	t.Parallel()
	cases := []struct {
		version, minimum string
		want             bool
	}{
		{"0.3.64", "0.10", false},
		{"0.10.0", "0.10", true},
		{"0.38.1", "0.10", true},
		{"1.0", "0.10", true},
		{"0.3.46", "0.3.46", true},
		{"0.3.45", "0.3.46", false},
		{"unknown", "0.3.46", false},
	}
	for _, tc := range cases {
		if got := isComfyUIVersionAtLeast(tc.version, tc.minimum); got != tc.want {
			t.Errorf("isComfyUIVersionAtLeast(%q, %q) = %v, want %v", tc.version, tc.minimum, got, tc.want)
		}
	}
}
