package emulator

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// snapshotResponses returns the response bodies a client would compare before and after a restart.
func snapshotResponses(t *testing.T, e *Emulator, token string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, path := range []string{
		"/v1/container-deployments", "/v1/container-deployments/persisted/scaling", "/v1/container-deployments/persisted/replicas",
		"/v1/container-deployments/persisted/environment-variables", "/v1/volumes", "/v1/volumes/trash", "/v1/secrets",
		"/v1/file-secrets", "/v1/container-registry-credentials", "/v1/serverless-compute-resources",
	} {
		req := httptest.NewRequest(http.MethodGet, "http://emulator.test"+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		e.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
		}
		out[path] = rec.Body.String()
	}
	return out
}

func TestStateFileRoundTrip(t *testing.T) {
	t.Parallel()
	stateFile := filepath.Join(t.TempDir(), "state.json")
	clock := NewManualClock(testStart)
	opts := Options{StateFile: stateFile, Clock: clock}
	ts, c, _ := newTestEmulator(t, opts)

	sfs := c.createVolume("persist-sfs", "NVMe_Shared", 100)
	trashed := c.createVolume("persist-trash", "HDD", 10)
	c.expectJSON(http.MethodDelete, "/v1/volumes/"+trashed, nil, http.StatusAccepted, nil)
	if err := ts.Emulator.PutFile(sfs, "extra_model_paths.yaml", []byte("comfyui: {}\n")); err != nil {
		t.Fatal(err)
	}
	c.expectJSON(http.MethodPost, "/v1/secrets", map[string]string{"name": "persisted-secret", "value": "v"}, http.StatusCreated, nil)
	c.expectJSON(http.MethodPost, "/v1/file-secrets", map[string]any{"name": "certs", "files": []any{map[string]string{"file_name": "ca.pem", "base64_content": "Y2E="}}}, http.StatusCreated, nil)
	c.expectJSON(http.MethodPost, "/v1/container-registry-credentials", map[string]string{"name": "hub", "type": "dockerhub", "username": "u", "access_token": "t"}, http.StatusCreated, nil)
	body := deploymentBody("persisted")
	firstContainer(body)["volume_mounts"] = []any{map[string]any{"type": "shared", "mount_path": "/mnt/sfs", "volume_id": sfs}}
	firstContainer(body)["entrypoint_overrides"].(map[string]any)["cmd"] = outputCmd
	c.createDeployment(body)
	c.statusSequence("persisted", 1)
	ts.Emulator.SetComputeAvailable("H100", 8, false)
	ts.Emulator.SetImageBehavior("x:1", ImageBehavior{NeverReady: true})

	before := snapshotResponses(t, ts.Emulator, c.token)
	statusBefore, _ := ts.Emulator.DeploymentStatus("persisted")

	info, err := os.Stat(stateFile)
	if err != nil {
		t.Fatalf("state file not written: %v", err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("state file mode = %v, want 0600 because it holds secret values", info.Mode().Perm())
	}

	restarted, err := New(opts)
	if err != nil {
		t.Fatalf("restart failed: %v", err)
	}
	after := snapshotResponses(t, restarted, c.token)
	for path, want := range before {
		if after[path] != want {
			t.Errorf("GET %s changed across a restart:\nbefore %s\nafter  %s", path, want, after[path])
		}
	}
	if status, _ := restarted.DeploymentStatus("persisted"); status != statusBefore {
		t.Errorf("status after restart = %q, want %q", status, statusBefore)
	}
	files, err := restarted.Files(sfs)
	if err != nil || files["extra_model_paths.yaml"] != len("comfyui: {}\n") {
		t.Errorf("files after restart = %v, %v", files, err)
	}

	// New objects after the restart must not reuse ids.
	restartedServer := httptest.NewServer(restarted.Handler())
	defer restartedServer.Close()
	c2 := &apiClient{t: t, root: restartedServer.URL, token: c.token}
	newID := c2.createVolume("after-restart", "NVMe", 1)
	if newID == sfs || newID == trashed {
		t.Errorf("id %s reused after restart", newID)
	}
	if got := c2.statusSequence("persisted", 2); got[1] != statusHealthy {
		t.Errorf("lifecycle after restart = %v, want it to continue to healthy", got)
	}
}

func TestStateFileCorruptFailsStartup(t *testing.T) {
	t.Parallel()
	stateFile := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(stateFile, []byte("{broken"), 0o600); err != nil {
		t.Fatal(err)
	}

	_, err := New(Options{StateFile: stateFile})

	if err == nil {
		t.Fatal("New accepted a corrupt state file")
	}
}

func TestStateFileNotWrittenWithoutChanges(t *testing.T) {
	t.Parallel()
	stateFile := filepath.Join(t.TempDir(), "state.json")
	e, err := New(Options{StateFile: stateFile, Clock: NewManualClock(testStart)})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/v1/locations", nil)
	e.Handler().ServeHTTP(httptest.NewRecorder(), req)

	if _, err := os.Stat(stateFile); !os.IsNotExist(err) {
		t.Errorf("a read-only request wrote the state file (stat error %v)", err)
	}
	e.SetDeleteDelay(1)
	if _, err := os.Stat(stateFile); err != nil {
		t.Errorf("a change did not write the state file: %v", err)
	}
}
