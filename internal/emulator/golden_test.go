package emulator

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/golden/*.json from the current responses")

// goldenStep is one request of the golden scenario. A step with a name has its JSON response compared with
// testdata/golden/<name>.json.
type goldenStep struct {
	name       string
	method     string
	path       string
	body       string
	inference  bool
	wantStatus int
}

// TestGoldenResponses fixes the JSON of every response type. The scenario runs in-process against a fixed
// clock and host, so ids, tokens and timestamps are reproducible. Run with -update after an intended change.
func TestGoldenResponses(t *testing.T) {
	e, err := New(Options{Clock: NewManualClock(testStart)})
	if err != nil {
		t.Fatal(err)
	}
	e.SetImageBehavior("ghcr.io/comfyume/comfyui:0.40.0-cu130", ImageBehavior{ComfyUIVersion: "0.40.0"})
	token := ""

	deployment := `{"name":"golden","compute":{"name":"H200","size":2},"is_spot":true,
	  "scaling":{"min_replica_count":1,"max_replica_count":3,"scale_down_policy":{"delay_seconds":300},"scale_up_policy":{"delay_seconds":0},
	    "queue_message_ttl_seconds":300,"concurrent_requests_per_replica":1,"scaling_triggers":{"queue_load":{"threshold":2},"cpu_utilization":{"enabled":true,"threshold":80}}},
	  "containers":[{"image":"ghcr.io/comfyume/comfyui:0.3.64-cu128","exposed_port":8188,
	    "healthcheck":{"enabled":true,"port":8188,"path":"/"},
	    "entrypoint_overrides":{"enabled":true,"entrypoint":["python3","/app/ComfyUI/main.py"],
	      "cmd":["--listen","0.0.0.0","--port","8188","--extra-model-paths-config","/mnt/sfs/extra_model_paths.yaml","--output-directory","/mnt/sfs/outputs"]},
	    "env":[{"type":"plain","name":"COMFYUI_LOG_LEVEL","value_or_reference_to_secret":"INFO"},{"type":"secret","name":"HF_TOKEN","value_or_reference_to_secret":"hf-token"}],
	    "volume_mounts":[{"type":"shared","mount_path":"/mnt/sfs","volume_id":"MOUNT_ID"},{"type":"scratch","mount_path":"/data"}]}]}`
	modern := strings.NewReplacer("golden", "golden-2026", "0.3.64-cu128", "0.40.0-cu130", `"size":2`, `"size":4`).Replace(deployment)

	var volumeID, mountID string
	steps := []goldenStep{
		{name: "token", method: "POST", path: "/v1/oauth2/token", wantStatus: 200,
			body: `{"grant_type":"client_credentials","client_id":"emulator-client-id","client_secret":"emulator-client-secret"}`},
		{name: "error_not_found", method: "GET", path: "/v1/container-deployments/missing", wantStatus: 404},
		{name: "error_validation", method: "POST", path: "/v1/container-deployments", wantStatus: 400,
			body: `{"name":"x","compute":{"name":"H100","size":1},"containers":[{"image":"nginx:1.27","exposed_port":80,"volume_mounts":[{"type":"shared","mount_path":"/s"}]}]}`},
		{method: "POST", path: "/v1/secrets", body: `{"name":"hf-token","value":"hf_x"}`, wantStatus: 201},
		{method: "POST", path: "/v1/file-secrets", body: `{"name":"tls","files":[{"file_name":"ca.pem","base64_content":"Y2E="}]}`, wantStatus: 201},
		{method: "POST", path: "/v1/container-registry-credentials", body: `{"name":"ghcr","type":"ghcr","username":"u","access_token":"t"}`, wantStatus: 201},
		{method: "POST", path: "/v1/volumes", body: `{"type":"NVMe_Shared","name":"golden-sfs","size":100,"location_code":"FIN-03"}`, wantStatus: 201},
		{name: "volume_shared", method: "GET", path: "/v1/volumes/VOLUME_ID", wantStatus: 200},
		{method: "POST", path: "/v1/volumes", body: `{"type":"NVMe","name":"golden-block","size":50,"location_code":"FIN-01","instance_id":"inst-1"}`, wantStatus: 201},
		{name: "volume_list", method: "GET", path: "/v1/volumes", wantStatus: 200},
		{name: "volume_clone", method: "PUT", path: "/v1/volumes", body: `{"id":"VOLUME_ID","action":"clone","name":"golden-clone","type":"NVMe_Shared"}`, wantStatus: 202},
		{method: "DELETE", path: "/v1/volumes/VOLUME_ID", body: `{"is_permanent":false}`, wantStatus: 202},
		{name: "volume_trash", method: "GET", path: "/v1/volumes/trash", wantStatus: 200},
		{method: "POST", path: "/v1/volumes", body: `{"type":"NVMe_Shared","name":"golden-sfs-2","size":100}`, wantStatus: 201},
		{name: "deployment", method: "POST", path: "/v1/container-deployments", body: deployment, wantStatus: 200},
		{method: "POST", path: "/v1/container-deployments", body: modern, wantStatus: 200},
		{name: "deployment_list", method: "GET", path: "/v1/container-deployments", wantStatus: 200},
		{name: "deployment_status", method: "GET", path: "/v1/container-deployments/golden/status", wantStatus: 200},
		{method: "GET", path: "/v1/container-deployments/golden/status", wantStatus: 200},
		{method: "GET", path: "/v1/container-deployments/golden-2026/status", wantStatus: 200},
		{method: "GET", path: "/v1/container-deployments/golden-2026/status", wantStatus: 200},
		{name: "deployment_scaling", method: "GET", path: "/v1/container-deployments/golden/scaling", wantStatus: 200},
		{name: "deployment_replicas", method: "GET", path: "/v1/container-deployments/golden/replicas", wantStatus: 200},
		{name: "deployment_environment_variables", method: "GET", path: "/v1/container-deployments/golden/environment-variables", wantStatus: 200},
		{name: "volume_types", method: "GET", path: "/v1/volume-types", wantStatus: 200},
		{name: "compute_resources", method: "GET", path: "/v1/serverless-compute-resources", wantStatus: 200},
		{name: "container_types", method: "GET", path: "/v1/container-types", wantStatus: 200},
		{name: "locations", method: "GET", path: "/v1/locations", wantStatus: 200},
		{name: "secrets", method: "GET", path: "/v1/secrets", wantStatus: 200},
		{name: "file_secrets", method: "GET", path: "/v1/file-secrets", wantStatus: 200},
		{name: "registry_credentials", method: "GET", path: "/v1/container-registry-credentials", wantStatus: 200},
		{name: "comfy_system_stats_0_3", method: "GET", path: "/inference/golden/system_stats", inference: true, wantStatus: 200},
		{name: "comfy_system_stats_2026", method: "GET", path: "/inference/golden-2026/system_stats", inference: true, wantStatus: 200},
		{name: "comfy_models", method: "GET", path: "/inference/golden/models", inference: true, wantStatus: 200},
		{name: "comfy_features", method: "GET", path: "/inference/golden/features", inference: true, wantStatus: 200},
		{name: "comfy_object_info_class", method: "GET", path: "/inference/golden/object_info/KSampler", inference: true, wantStatus: 200},
		{name: "comfy_prompt_rejected", method: "POST", path: "/inference/golden/prompt", inference: true, wantStatus: 400,
			body: `{"prompt":{"1":{"class_type":"CheckpointLoaderSimple","inputs":{"ckpt_name":"missing.safetensors"}},
			  "2":{"class_type":"VAEDecode","inputs":{"samples":["3",0],"vae":["1",2]}},
			  "3":{"class_type":"EmptyLatentImage","inputs":{"width":64,"height":64,"batch_size":1}},
			  "4":{"class_type":"SaveImage","inputs":{"images":["2",0],"filename_prefix":"golden"}}}}`},
		{name: "comfy_prompt_accepted", method: "POST", path: "/inference/golden/prompt", inference: true, wantStatus: 200,
			body: `{"client_id":"golden","prompt":{"1":{"class_type":"EmptyImage","inputs":{"width":8,"height":8,"batch_size":1,"color":255}},
			  "2":{"class_type":"SaveImage","inputs":{"images":["1",0],"filename_prefix":"golden"}}}}`},
		{name: "comfy_history", method: "GET", path: "/inference/golden/history", inference: true, wantStatus: 200},
		{name: "comfy_queue", method: "GET", path: "/inference/golden/queue", inference: true, wantStatus: 200},
	}

	dir := filepath.Join("testdata", "golden")
	for _, step := range steps {
		ids := strings.NewReplacer("VOLUME_ID", volumeID, "MOUNT_ID", mountID)
		path := ids.Replace(step.path)
		body := ids.Replace(step.body)
		req := httptest.NewRequest(step.method, "http://emulator.test"+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		switch {
		case step.inference:
			req.Header.Set("Authorization", "Bearer "+DefaultInferenceKey)
		case token != "":
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		e.Handler().ServeHTTP(rec, req)
		if rec.Code != step.wantStatus {
			t.Fatalf("%s %s: status %d, want %d; body %s", step.method, path, rec.Code, step.wantStatus, rec.Body)
		}
		if step.name == "token" {
			var tok wireToken
			if err := json.Unmarshal(rec.Body.Bytes(), &tok); err != nil {
				t.Fatal(err)
			}
			token = tok.AccessToken
		}
		switch {
		case strings.Contains(body, `"name":"golden-sfs"`):
			volumeID = rec.Body.String()
		case strings.Contains(body, `"name":"golden-sfs-2"`):
			mountID = rec.Body.String()
		}
		if step.name != "" {
			compareGolden(t, filepath.Join(dir, step.name+".json"), rec.Body.Bytes())
		}
	}

	state, err := marshalSnapshot(e.st)
	if err != nil {
		t.Fatal(err)
	}
	compareGolden(t, filepath.Join(dir, "state.json"), state)
}

func compareGolden(t *testing.T, file string, got []byte) {
	t.Helper()
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, bytes.TrimSpace(got), "", "  "); err != nil {
		t.Errorf("%s: response is not JSON: %v\n%s", file, err, got)
		return
	}
	pretty.WriteByte('\n')
	if *updateGolden {
		if err := os.WriteFile(file, pretty.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("reading %s failed: %v; run go test -run TestGoldenResponses -update to create it", file, err)
	}
	if !bytes.Equal(want, pretty.Bytes()) {
		t.Errorf("%s differs from the response; run with -update if the change is intended.\nwant:\n%s\ngot:\n%s", file, want, pretty.Bytes())
	}
}

// TestGoldenFilesAreUsed fails when a golden file no longer belongs to any step, so stale files do not linger.
func TestGoldenFilesAreUsed(t *testing.T) {
	entries, err := os.ReadDir(filepath.Join("testdata", "golden"))
	if err != nil {
		t.Fatal(err)
	}
	source, err := os.ReadFile("golden_test.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, entry := range entries {
		name := strings.TrimSuffix(entry.Name(), ".json")
		if name != "state" && !strings.Contains(string(source), `name: "`+name+`"`) {
			t.Errorf("golden file %s has no step", entry.Name())
		}
	}
}
