package emulator

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

const productionSFS = "5f0c6a1e-3b8d-4c2e-9a71-2d4e8b6f0c13"

func seededEmulator(t *testing.T) (*TestServer, *apiClient) {
	t.Helper()
	ts, c, _ := newTestEmulator(t, Options{})
	if err := ts.Emulator.LoadSeed(ProductionSeed()); err != nil {
		t.Fatalf("loading the production seed failed: %v", err)
	}
	return ts, c
}

func TestProductionSeedVolumes(t *testing.T) {
	t.Parallel()
	ts, c := seededEmulator(t)

	var volumes []wireVolume
	c.expectJSON(http.MethodGet, "/v1/volumes", nil, http.StatusOK, &volumes)
	if len(volumes) != 2 {
		t.Fatalf("volumes = %d, want 2", len(volumes))
	}
	wantFiles := []string{
		"models/checkpoints/sd_xl_base_1.0.safetensors", "models/vae/sdxl_vae.safetensors",
		"models/loras/detail.safetensors", "outputs/.keep", "extra_model_paths.yaml",
	}
	for i, name := range []string{"production-sfs", "production-sfs-clone"} {
		v := volumes[i]
		if v.Name != name || v.Type != "NVMe_Shared" || v.Size != 2000 || v.Location != "FIN-03" || v.Status != volumeCreated {
			t.Errorf("volume %d = %+v", i, v)
		}
		if v.PseudoPath == nil {
			t.Errorf("%s lacks SFS fields", name)
		}
		files, err := ts.Emulator.Files(v.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range wantFiles {
			if _, ok := files[f]; !ok {
				t.Errorf("%s lacks %s: %v", name, f, files)
			}
		}
		if len(files) != len(wantFiles) {
			t.Errorf("%s has %d files, want %d", name, len(files), len(wantFiles))
		}
	}
	if volumes[0].ID != productionSFS {
		t.Errorf("production-sfs id = %s", volumes[0].ID)
	}
}

func TestProductionSeedDeployments(t *testing.T) {
	t.Parallel()
	_, c := seededEmulator(t)

	var list []wireDeployment
	c.expectJSON(http.MethodGet, "/v1/container-deployments", nil, http.StatusOK, &list)
	want := []struct {
		name, gpu string
		spot      bool
	}{
		{"comfy-h200-spot", "H200", true}, {"comfy-h200", "H200", false},
		{"comfy-b200-spot", "B200", true}, {"comfy-b200", "B200", false},
	}
	if len(list) != len(want) {
		t.Fatalf("deployments = %d, want 4", len(list))
	}
	for i, w := range want {
		d := list[i]
		if d.Name != w.name || d.Compute != (wireCompute{Name: w.gpu, Size: 1}) || d.IsSpot != w.spot {
			t.Errorf("deployment %d = %s %+v spot %v, want %+v", i, d.Name, d.Compute, d.IsSpot, w)
		}
		if got := c.status(d.Name); got != statusHealthy {
			t.Errorf("%s status = %q, want healthy", d.Name, got)
		}
		if len(d.Containers) != 1 {
			t.Fatalf("%s containers = %d", d.Name, len(d.Containers))
		}
		ctr := d.Containers[0]
		if ctr.Image.Image != "ghcr.io/comfyume/comfyui:0.3.64-cu128" || ctr.ExposedPort != 8188 {
			t.Errorf("%s container = %+v", d.Name, ctr)
		}
		if ctr.Healthcheck == nil || *ctr.Healthcheck != (wireHealthcheck{Enabled: true, Port: 8188, Path: "/"}) {
			t.Errorf("%s healthcheck = %+v", d.Name, ctr.Healthcheck)
		}
		cmd := strings.Join(ctr.EntrypointOverrides.Cmd, " ")
		hasOutput := strings.Contains(cmd, "--output-directory /mnt/sfs/outputs")
		if hasOutput != (d.Name == "comfy-h200-spot") {
			t.Errorf("%s cmd = %q: --output-directory must be on comfy-h200-spot only", d.Name, cmd)
		}
		if !strings.HasPrefix(cmd, "--listen 0.0.0.0 --port 8188 --extra-model-paths-config /mnt/sfs/extra_model_paths.yaml") {
			t.Errorf("%s cmd = %q", d.Name, cmd)
		}
		if strings.Join(ctr.EntrypointOverrides.Entrypoint, " ") != "python3 /app/ComfyUI/main.py" {
			t.Errorf("%s entrypoint = %v", d.Name, ctr.EntrypointOverrides.Entrypoint)
		}
		mounts, _ := json.Marshal(ctr.VolumeMounts)
		if want := `[{"type":"shared","mount_path":"/mnt/sfs","volume_id":"` + productionSFS + `"},{"type":"scratch","mount_path":"/data"}]`; string(mounts) != want {
			t.Errorf("%s mounts = %s", d.Name, mounts)
		}
		env, _ := json.Marshal(ctr.Env)
		if want := `[{"type":"plain","name":"COMFYUI_LOG_LEVEL","value_or_reference_to_secret":"INFO"},{"type":"secret","name":"HF_TOKEN","value_or_reference_to_secret":"hf-token"}]`; string(env) != want {
			t.Errorf("%s env = %s", d.Name, env)
		}

		var scaling wireScaling
		c.expectJSON(http.MethodGet, "/v1/container-deployments/"+d.Name+"/scaling", nil, http.StatusOK, &scaling)
		if scaling.MinReplicaCount != 0 || scaling.MaxReplicaCount != 2 || scaling.ScalingTriggers.QueueLoad.Threshold != 2 ||
			scaling.ConcurrentRequestsPerReplica != 1 || scaling.QueueMessageTTLSeconds != 300 ||
			scaling.ScaleUpPolicy.DelaySeconds != 0 || scaling.ScaleDownPolicy.DelaySeconds != 300 {
			t.Errorf("%s scaling = %+v", d.Name, scaling)
		}
	}
}

func TestProductionSeedSecretsAndCredentials(t *testing.T) {
	t.Parallel()
	_, c := seededEmulator(t)

	res := c.expectJSON(http.MethodGet, "/v1/secrets", nil, http.StatusOK, nil)
	if !strings.Contains(string(res.Body), `"name":"hf-token"`) {
		t.Errorf("secrets = %s", res.Body)
	}
	if strings.Contains(string(res.Body), "placeholder") || strings.Contains(string(res.Body), `"value"`) {
		t.Errorf("secret list leaks a value: %s", res.Body)
	}
	res = c.expectJSON(http.MethodGet, "/v1/container-registry-credentials", nil, http.StatusOK, nil)
	if !strings.Contains(string(res.Body), `"name":"ghcr-comfyume"`) || strings.Contains(string(res.Body), "ghp_") {
		t.Errorf("registry credentials = %s", res.Body)
	}
	c.expectError(http.MethodDelete, "/v1/volumes/"+productionSFS, nil, http.StatusBadRequest, codeForbiddenAction,
		`"comfy-h200-spot", "comfy-h200", "comfy-b200-spot", "comfy-b200"`)
}

func TestProductionSeedComfyUI(t *testing.T) {
	t.Parallel()
	ts, c := seededEmulator(t)

	var files []string
	c.comfyJSON(http.MethodGet, "comfy-b200", "/models/checkpoints", nil, http.StatusOK, &files)
	if !equalStrings(files, []string{"sd_xl_base_1.0.safetensors"}) {
		t.Errorf("comfy-b200 checkpoints = %v", files)
	}
	var stats comfySystemStats
	c.comfyJSON(http.MethodGet, "comfy-b200-spot", "/system_stats", nil, http.StatusOK, &stats)
	if stats.Devices[0].Name != "cuda:0 NVIDIA B200 : cudaMallocAsync" {
		t.Errorf("comfy-b200-spot device = %q", stats.Devices[0].Name)
	}

	c.comfyJSON(http.MethodPost, "comfy-h200", "/prompt", smokePrompt("audit", 16), http.StatusOK, nil)
	c.comfyJSON(http.MethodPost, "comfy-h200-spot", "/prompt", smokePrompt("audit", 16), http.StatusOK, nil)
	sfsFiles, err := ts.Emulator.Files(productionSFS)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := sfsFiles["outputs/audit_00001_.png"]; !ok {
		t.Errorf("comfy-h200-spot output missing from production-sfs: %v", sfsFiles)
	}
	if _, ok := sfsFiles["outputs/audit_00002_.png"]; ok {
		t.Error("comfy-h200 (no --output-directory) wrote into production-sfs")
	}
}

func TestLoadSeedReplacesAndValidates(t *testing.T) {
	t.Parallel()
	ts, c := seededEmulator(t)
	token := c.token

	bad := `{"format_version":1,"deployments":[{"name":"x","compute":{"name":"H100","size":1},
	  "containers":[{"image":"nginx:latest","exposed_port":80}]}]}`
	err := ts.Emulator.LoadSeed([]byte(bad))
	if err == nil || !strings.Contains(err.Error(), "must be pinned") {
		t.Fatalf("invalid seed error = %v", err)
	}
	var list []wireDeployment
	c.expectJSON(http.MethodGet, "/v1/container-deployments", nil, http.StatusOK, &list)
	if len(list) != 4 {
		t.Errorf("a rejected seed changed the state: %d deployments", len(list))
	}

	for _, invalid := range []string{`{"volumes":[{"name":"x","type":"Tape","size":1}]}`, `{"unknown_key":1}`, `{"format_version":99}`, `not json`} {
		if err := ts.Emulator.LoadSeed([]byte(invalid)); err == nil {
			t.Errorf("seed %s was accepted", invalid)
		}
	}

	small := `{"volumes":[{"name":"only","type":"HDD","size":5}],
	  "deployments":[{"name":"mini","compute":{"name":"L40S","size":1},
	    "containers":[{"image":"ghcr.io/comfyume/comfyui:0.3.64-cu128","exposed_port":8188}]}]}`
	if err := ts.Emulator.LoadSeed([]byte(small)); err != nil {
		t.Fatal(err)
	}
	c.token = token
	c.expectJSON(http.MethodGet, "/v1/container-deployments", nil, http.StatusOK, &list)
	if len(list) != 1 || list[0].Name != "mini" || list[0].Containers[0].Name != "comfyui-0" {
		t.Errorf("after small seed: %+v", list)
	}
	var volumes []wireVolume
	c.expectJSON(http.MethodGet, "/v1/volumes", nil, http.StatusOK, &volumes)
	if len(volumes) != 1 || volumes[0].Location != "FIN-03" || volumes[0].Status != volumeCreated {
		t.Errorf("after small seed volumes = %+v", volumes)
	}
	if got := c.status("mini"); got != statusHealthy {
		t.Errorf("seeded deployment status = %q, want healthy by default", got)
	}
}

func TestResetKeepsTokens(t *testing.T) {
	t.Parallel()
	ts, c := seededEmulator(t)

	ts.Emulator.Reset()

	var list []wireDeployment
	c.expectJSON(http.MethodGet, "/v1/container-deployments", nil, http.StatusOK, &list)
	if len(list) != 0 {
		t.Errorf("deployments after reset = %d", len(list))
	}
	var compute []computeResource
	c.expectJSON(http.MethodGet, "/v1/serverless-compute-resources", nil, http.StatusOK, &compute)
	if len(compute) != 28 {
		t.Errorf("compute resources after reset = %d, want 28", len(compute))
	}
}
