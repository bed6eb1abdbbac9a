package emulator

import (
	"net/http"
	"testing"
	"time"
)

func replicaStatuses(c *apiClient, name string) []string {
	c.t.Helper()
	var list wireReplicaList
	c.expectJSON(http.MethodGet, "/v1/container-deployments/"+name+"/replicas", nil, http.StatusOK, &list)
	out := []string{}
	for _, r := range list.List {
		out = append(out, r.Status)
	}
	return out
}

func TestLifecycleHealthyPath(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{})
	c.createDeployment(deploymentBody("happy"))

	if got := replicaStatuses(c, "happy"); len(got) != 0 {
		t.Errorf("replicas while initializing = %v, want none", got)
	}
	got := c.statusSequence("happy", 4)
	want := []string{statusInitializing, statusImagePulling, statusHealthy, statusHealthy}
	if !equalStrings(got, want) {
		t.Fatalf("statuses = %v, want %v", got, want)
	}
	if got := replicaStatuses(c, "happy"); !equalStrings(got, []string{replicaRunning}) {
		t.Errorf("replicas when healthy = %v, want one running (min_replica_count 1)", got)
	}
}

func TestLifecycleStagePolls(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{StagePolls: 3})
	c.createDeployment(deploymentBody("patient"))

	got := c.statusSequence("patient", 7)
	want := []string{
		statusInitializing, statusInitializing, statusInitializing,
		statusImagePulling, statusImagePulling, statusImagePulling,
		statusHealthy,
	}
	if !equalStrings(got, want) {
		t.Errorf("statuses = %v, want %v", got, want)
	}
}

func TestLifecycleStageDuration(t *testing.T) {
	t.Parallel()
	_, c, clock := newTestEmulator(t, Options{StageDuration: 30 * time.Second})
	c.createDeployment(deploymentBody("timed"))

	if got := c.statusSequence("timed", 5); !equalStrings(got, []string{statusInitializing, statusInitializing, statusInitializing, statusInitializing, statusInitializing}) {
		t.Errorf("statuses without time passing = %v", got)
	}
	clock.Advance(30 * time.Second)
	if got := c.status("timed"); got != statusImagePulling {
		t.Errorf("after 30s: %q, want image_pulling", got)
	}
	clock.Advance(29 * time.Second)
	if got := c.status("timed"); got != statusImagePulling {
		t.Errorf("after 59s: %q, want image_pulling", got)
	}
	clock.Advance(time.Second)
	if got := c.status("timed"); got != statusHealthy {
		t.Errorf("after 60s: %q, want healthy", got)
	}
}

func TestLifecycleStageDurationCatchesUp(t *testing.T) {
	t.Parallel()
	_, c, clock := newTestEmulator(t, Options{StageDuration: 10 * time.Second})
	c.createDeployment(deploymentBody("late-reader"))

	clock.Advance(5 * time.Minute)

	if got := c.status("late-reader"); got != statusHealthy {
		t.Errorf("status read long after create = %q, want healthy", got)
	}
}

func TestLifecyclePullError(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestEmulator(t, Options{})
	body := deploymentBody("bad-pull")
	firstContainer(body)["image"] = "ghcr.io/comfyume/comfyui:missing-tag"
	ts.Emulator.SetImageBehavior("ghcr.io/comfyume/comfyui:missing-tag", ImageBehavior{PullError: true})
	c.createDeployment(body)

	got := c.statusSequence("bad-pull", 4)
	want := []string{statusInitializing, statusImagePulling, statusUnhealthy, statusUnhealthy}
	if !equalStrings(got, want) {
		t.Fatalf("statuses = %v, want %v", got, want)
	}
	if got := replicaStatuses(c, "bad-pull"); !equalStrings(got, []string{replicaImagePullError}) {
		t.Errorf("replicas = %v, want one image_pull_error", got)
	}
}

func TestLifecycleQuotaReached(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestEmulator(t, Options{})
	body := deploymentBody("blackwell")
	body["compute"] = map[string]any{"name": "B300", "size": 1}
	c.createDeployment(body)

	got := c.statusSequence("blackwell", 3)
	if !equalStrings(got, []string{statusInitializing, statusQuotaReached, statusQuotaReached}) {
		t.Fatalf("statuses on unavailable B300 = %v", got)
	}
	if got := replicaStatuses(c, "blackwell"); len(got) != 0 {
		t.Errorf("replicas at quota_reached = %v, want none", got)
	}

	ts.Emulator.SetComputeAvailable("B300", 1, true)
	got = c.statusSequence("blackwell", 3)
	if !equalStrings(got, []string{statusQuotaReached, statusImagePulling, statusHealthy}) {
		t.Errorf("statuses once available = %v", got)
	}
}

func TestLifecycleNeverReady(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestEmulator(t, Options{})
	body := deploymentBody("stuck")
	firstContainer(body)["image"] = "example.com/stuck:1"
	ts.Emulator.SetImageBehavior("example.com/stuck:1", ImageBehavior{NeverReady: true})
	c.createDeployment(body)

	for i, got := range c.statusSequence("stuck", 10) {
		if got != statusInitializing {
			t.Fatalf("read %d = %q, want initializing forever", i, got)
		}
	}
}

func TestLifecycleHealthcheckDecidesHealth(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		cmd         []string
		healthcheck map[string]any
		noOverrides bool
		want        string
		replica     string
	}{
		{name: "default listen is loopback", cmd: []string{"--port", "8188"},
			healthcheck: map[string]any{"enabled": true, "port": 8188, "path": "/"}, want: statusUnhealthy, replica: replicaFailed},
		{name: "bare listen", cmd: []string{"--listen", "--port", "8188"},
			healthcheck: map[string]any{"enabled": true, "port": 8188, "path": "/"}, want: statusHealthy, replica: replicaRunning},
		{name: "listen list with ipv6 any", cmd: []string{"--listen=127.0.0.1,::", "--port=8188"},
			healthcheck: map[string]any{"enabled": true, "port": 8188, "path": "/queue"}, want: statusHealthy, replica: replicaRunning},
		{name: "path comfy does not serve", cmd: []string{"--listen", "0.0.0.0"},
			healthcheck: map[string]any{"enabled": true, "port": 8188, "path": "/health"}, want: statusUnhealthy, replica: replicaFailed},
		{name: "api twin path", cmd: []string{"--listen", "0.0.0.0"},
			healthcheck: map[string]any{"enabled": true, "port": 8188, "path": "/api/system_stats"}, want: statusHealthy, replica: replicaRunning},
		{name: "wrong healthcheck port", cmd: []string{"--listen", "0.0.0.0", "--port", "8188"},
			healthcheck: map[string]any{"enabled": true, "port": 8080, "path": "/"}, want: statusUnhealthy, replica: replicaFailed},
		{name: "comfy on another port", cmd: []string{"--listen", "0.0.0.0", "--port", "9000"},
			healthcheck: map[string]any{"enabled": true, "port": 8188, "path": "/"}, want: statusUnhealthy, replica: replicaFailed},
		{name: "disabled healthcheck follows process start", cmd: []string{"--port", "8188"},
			healthcheck: map[string]any{"enabled": false}, want: statusHealthy, replica: replicaRunning},
		{name: "invalid port fails start", cmd: []string{"--listen", "0.0.0.0", "--port", "http"},
			healthcheck: map[string]any{"enabled": false}, want: statusUnhealthy, replica: replicaFailed},
		{name: "image default command", noOverrides: true,
			healthcheck: map[string]any{"enabled": true, "port": 8188, "path": "/system_stats"}, want: statusHealthy, replica: replicaRunning},
		{name: "healthcheck port defaults to exposed port", cmd: []string{"--listen", "0.0.0.0"},
			healthcheck: map[string]any{"enabled": true, "path": "/prompt"}, want: statusHealthy, replica: replicaRunning},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, c, _ := newTestEmulator(t, Options{})
			body := deploymentBody("probe")
			ctr := firstContainer(body)
			ctr["healthcheck"] = tc.healthcheck
			if tc.noOverrides {
				delete(ctr, "entrypoint_overrides")
			} else {
				ctr["entrypoint_overrides"].(map[string]any)["cmd"] = tc.cmd
			}
			c.createDeployment(body)

			got := c.statusSequence("probe", 3)
			if got[2] != tc.want {
				t.Errorf("statuses = %v, want final %s", got, tc.want)
			}
			if replicas := replicaStatuses(c, "probe"); !equalStrings(replicas, []string{tc.replica}) {
				t.Errorf("replicas = %v, want [%s]", replicas, tc.replica)
			}
		})
	}
}

func TestLifecyclePauseResumeRestart(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{})
	c.createDeployment(deploymentBody("napper"))
	c.statusSequence("napper", 3)

	c.expectJSON(http.MethodPost, "/v1/container-deployments/napper/pause", nil, http.StatusNoContent, nil)
	if got := c.statusSequence("napper", 2); !equalStrings(got, []string{statusPaused, statusPaused}) {
		t.Errorf("after pause = %v", got)
	}
	if got := replicaStatuses(c, "napper"); len(got) != 0 {
		t.Errorf("replicas while paused = %v", got)
	}
	c.expectError(http.MethodPost, "/v1/container-deployments/napper/restart", nil, http.StatusBadRequest, codeForbiddenAction, "is paused")

	c.expectJSON(http.MethodPost, "/v1/container-deployments/napper/resume", nil, http.StatusNoContent, nil)
	if got := c.statusSequence("napper", 3); !equalStrings(got, []string{statusInitializing, statusImagePulling, statusHealthy}) {
		t.Errorf("after resume = %v", got)
	}

	c.expectJSON(http.MethodPost, "/v1/container-deployments/napper/restart", nil, http.StatusNoContent, nil)
	if got := c.status("napper"); got != statusInitializing {
		t.Errorf("after restart = %q, want initializing", got)
	}
	c.expectJSON(http.MethodPost, "/v1/container-deployments/napper/purge-queue", nil, http.StatusNoContent, nil)
}

func TestLifecycleScaleToZero(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{})
	body := deploymentBody("zero")
	body["scaling"].(map[string]any)["min_replica_count"] = 0
	c.createDeployment(body)

	got := c.statusSequence("zero", 3)
	if got[2] != statusHealthy {
		t.Fatalf("statuses = %v, want healthy with zero replicas", got)
	}
	if replicas := replicaStatuses(c, "zero"); len(replicas) != 0 {
		t.Errorf("replicas at min 0 = %v, want none", replicas)
	}

	c.expectJSON(http.MethodPatch, "/v1/container-deployments/zero/scaling", map[string]any{"min_replica_count": 2}, http.StatusOK, nil)
	if replicas := replicaStatuses(c, "zero"); !equalStrings(replicas, []string{replicaRunning, replicaRunning}) {
		t.Errorf("replicas at min 2 = %v", replicas)
	}
	if got := c.status("zero"); got != statusHealthy {
		t.Errorf("status after scaling = %q", got)
	}
}

func TestForceStatusIsSticky(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestEmulator(t, Options{})
	c.createDeployment(deploymentBody("forced"))

	if err := ts.Emulator.ForceStatus("forced", statusDegraded); err != nil {
		t.Fatal(err)
	}
	if got := c.statusSequence("forced", 4); !equalStrings(got, []string{statusDegraded, statusDegraded, statusDegraded, statusDegraded}) {
		t.Errorf("forced statuses = %v", got)
	}
	if err := ts.Emulator.ForceStatus("forced", ""); err != nil {
		t.Fatal(err)
	}
	if got := c.status("forced"); got != statusHealthy {
		t.Errorf("after clearing = %q, want healthy (the lifecycle ran underneath)", got)
	}
	if err := ts.Emulator.ForceStatus("ghost", statusHealthy); err == nil {
		t.Error("ForceStatus on an unknown deployment returned no error")
	}
}

func TestDeploymentStatusDoesNotAdvance(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestEmulator(t, Options{})
	c.createDeployment(deploymentBody("observer"))

	for range 5 {
		status, err := ts.Emulator.DeploymentStatus("observer")
		if err != nil {
			t.Fatal(err)
		}
		if status != statusInitializing {
			t.Fatalf("DeploymentStatus = %q, want initializing", status)
		}
	}
	if got := c.status("observer"); got != statusInitializing {
		t.Errorf("first API read = %q, want initializing", got)
	}
	if _, err := ts.Emulator.DeploymentStatus("ghost"); err == nil {
		t.Error("DeploymentStatus of unknown deployment returned no error")
	}
}

func TestReplicaIDsAreStable(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{})
	c.createDeployment(deploymentBody("stable"))
	c.statusSequence("stable", 3)

	var first, second wireReplicaList
	c.expectJSON(http.MethodGet, "/v1/container-deployments/stable/replicas", nil, http.StatusOK, &first)
	c.expectJSON(http.MethodGet, "/v1/container-deployments/stable/replicas", nil, http.StatusOK, &second)

	if len(first.List) != 1 || first.List[0].ID != second.List[0].ID || first.List[0].StartedAt == "" {
		t.Errorf("replicas changed between reads: %+v then %+v", first, second)
	}
}
