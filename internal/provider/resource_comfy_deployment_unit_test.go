package provider

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/comfyume/terraform-provider-verda/internal/comfy"
	"github.com/comfyume/terraform-provider-verda/internal/emulator"
	"github.com/comfyume/terraform-provider-verda/internal/verda"
)

// comfyUnitData returns provider data whose client talks to a fresh
// emulator loaded with the production seed.
func comfyUnitData(t *testing.T) (*providerData, *emulator.Emulator) {
	t.Helper()
	srv := emulator.NewTestServer(t, emulator.Options{})
	if err := srv.Emulator.LoadSeed(emulator.ProductionSeed()); err != nil {
		t.Fatalf("loading the production seed: %v", err)
	}
	client, err := verda.New(verda.Config{
		BaseURL:         srv.BaseURL,
		ClientID:        emulator.DefaultClientID,
		ClientSecret:    emulator.DefaultClientSecret,
		InferenceAPIKey: emulator.DefaultInferenceKey,
		MaxRetries:      -1,
	})
	if err != nil {
		t.Fatalf("creating the client: %v", err)
	}
	return newProviderData(client, 10*time.Millisecond), srv.Emulator
}

func TestComfyDeploymentListCacheSharesOneList(t *testing.T) {
	t.Parallel()
	data, emu := comfyUnitData(t)
	names := []string{"comfy-h200-spot", "comfy-h200", "comfy-b200-spot", "comfy-b200"}

	var wg sync.WaitGroup
	errs := make(chan error, 4*len(names))
	for range 4 {
		for _, name := range names {
			wg.Add(1)
			go func() {
				defer wg.Done()
				dep, found, err := data.listedDeployment(context.Background(), name)
				switch {
				case err != nil:
					errs <- err
				case !found || dep.Name != name:
					errs <- errors.New("deployment " + name + " not found in the list")
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := emu.CountRequests("GET", "/v1/container-deployments"); n != 1 {
		t.Errorf("%d list requests for %d concurrent reads, want 1", n, 4*len(names))
	}

	data.forgetDeployments()
	if _, _, err := data.listedDeployment(context.Background(), names[0]); err != nil {
		t.Fatal(err)
	}
	if n := emu.CountRequests("GET", "/v1/container-deployments"); n != 2 {
		t.Errorf("%d list requests after forgetDeployments, want 2", n)
	}
}

func TestComfyDeploymentListCacheMissingName(t *testing.T) {
	t.Parallel()
	data, _ := comfyUnitData(t)
	dep, found, err := data.listedDeployment(context.Background(), "no-such-deployment")
	if err != nil || found || dep != nil {
		t.Errorf("listedDeployment = %v, %v, %v; want nil, false, nil", dep, found, err)
	}
}

func TestComfyDeploymentListCacheErrorNotKept(t *testing.T) {
	t.Parallel()
	data, emu := comfyUnitData(t)
	emu.AddFault(emulator.Fault{Method: "GET", Path: "/v1/container-deployments", Status: http.StatusForbidden})

	if _, _, err := data.listedDeployment(context.Background(), "comfy-h200"); err == nil {
		t.Fatal("listedDeployment succeeded although the list failed")
	}
	dep, found, err := data.listedDeployment(context.Background(), "comfy-h200")
	if err != nil || !found || dep.Name != "comfy-h200" {
		t.Errorf("after a failed list, listedDeployment = %v, %v, %v; want the deployment from a new list", dep, found, err)
	}
}

// comfyProductionSpec is the spec of the seed's comfy-h200-spot as a
// configuration would state it.
func comfyProductionSpec() deploymentSpec {
	cmd := comfy.CommandSpec{
		Listen: "0.0.0.0", Port: 8188,
		ExtraModelPathsConfig: "/mnt/sfs/extra_model_paths.yaml",
		OutputDirectory:       "/mnt/sfs/outputs",
		ExtraArgs:             []string{},
	}
	return deploymentSpec{
		Image: comfyProductionImage, GPUType: "H200", GPUCount: 1, Spot: true,
		Entrypoint: []string{"python3", "/app/ComfyUI/main.py"}, Command: cmd,
		CommandLine:   commandLine([]string{"python3", "/app/ComfyUI/main.py"}, cmd),
		Port:          8188,
		SFSMounts:     []sfsMountSpec{{VolumeID: comfyProductionSFS, MountPath: "/mnt/sfs"}},
		ScratchMounts: []string{"/data"},
		SecretMounts:  []secretMountSpec{},
		Env:           map[string]string{"COMFYUI_LOG_LEVEL": "INFO"},
		SecretEnv:     map[string]string{"HF_TOKEN": "hf-token"},
		Healthcheck:   healthcheckSpec{Enabled: true, Path: "/", Port: 8188},
		Scaling: scalingSpec{MinReplicas: 0, MaxReplicas: 2, QueueLoadThreshold: 2, Concurrency: 1,
			QueueMessageTTL: 300, ScaleUpDelay: 0, ScaleDownDelay: 300},
	}
}

func TestComfyDeploymentSpecFromAPIMatchesConfig(t *testing.T) {
	t.Parallel()
	data, _ := comfyUnitData(t)
	ctx := context.Background()
	dep, err := data.client.GetDeployment(ctx, "comfy-h200-spot")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := data.client.GetScaling(ctx, "comfy-h200-spot")
	if err != nil {
		t.Fatal(err)
	}

	got := specFromAPI(dep, sc, priorView{})
	want := comfyProductionSpec()
	if changes := diffSpecs(want, got); changes.any() {
		t.Errorf("the seed deployment differs from its configuration in %s:\ngot  %+v\nwant %+v", changes, got, want)
	}
}

func TestComfyDeploymentSpecRoundTripThroughRequest(t *testing.T) {
	t.Parallel()
	want := comfyProductionSpec()
	want.SecretMounts = []secretMountSpec{{SecretName: "ssh-keys", MountPath: "/etc/keys"}}
	want.MemoryMountMB = 2048
	want.RegistryCredentials = "ghcr-comfyume"
	req := want.createRequest("x")
	dep := &verda.ContainerDeployment{
		Name: "x", Compute: req.Compute, IsSpot: req.IsSpot, ContainerRegistrySettings: req.ContainerRegistrySettings,
		Containers: req.Containers,
	}
	got := specFromAPI(dep, req.Scaling, priorView{})
	if changes := diffSpecs(want, got); changes.any() {
		t.Errorf("a spec sent and read back differs in %s:\ngot  %+v\nwant %+v", changes, got, want)
	}
}

func TestComfyDeploymentSpecFromAPINormalizations(t *testing.T) {
	t.Parallel()
	base := comfyProductionSpec()
	c := base.container("comfyui-0")
	// The API returns mounts and variables in its own order and adds a variable.
	slices.Reverse(c.VolumeMounts)
	slices.Reverse(c.Env)
	c.Env = append(c.Env, verda.EnvVar{Type: verda.EnvPlain, Name: "VERDA_REPLICA_ZONE", ValueOrReferenceToSecret: "fin-03"})
	c.VolumeMounts = append(c.VolumeMounts, verda.VolumeMount{Type: verda.MountScratch, MountPath: "/cache"})
	dep := &verda.ContainerDeployment{Compute: verda.Compute{Name: "H200", Size: 1}, IsSpot: true, Containers: []verda.Container{c}}

	prior := priorView{
		sfsOrder:     []string{"/mnt/sfs"},
		scratchOrder: []string{"/data"},
		managedEnv:   map[string]bool{"COMFYUI_LOG_LEVEL": true, "HF_TOKEN": true},
	}
	got := specFromAPI(dep, base.Scaling.request(), prior)
	if !maps.Equal(got.Env, base.Env) || !maps.Equal(got.SecretEnv, base.SecretEnv) {
		t.Errorf("env %v / secret_env %v, want %v / %v: a variable the API added must be ignored", got.Env, got.SecretEnv, base.Env, base.SecretEnv)
	}
	if !slices.Equal(got.ScratchMounts, []string{"/data", "/cache"}) {
		t.Errorf("scratch mounts %q, want the known one first and the new one after it", got.ScratchMounts)
	}

	// After an import nothing is known, so every variable is taken.
	imported := specFromAPI(dep, base.Scaling.request(), priorView{})
	if imported.Env["VERDA_REPLICA_ZONE"] != "fin-03" {
		t.Errorf("an import ignored the variable VERDA_REPLICA_ZONE: %v", imported.Env)
	}
}

func TestComfyDeploymentSpecFromAPIEffectiveDefaults(t *testing.T) {
	t.Parallel()
	dep := &verda.ContainerDeployment{
		Compute: verda.Compute{Name: "H200", Size: 1},
		Containers: []verda.Container{{
			Name: "comfyui-0", Image: verda.Image{Image: comfyProductionImage}, ExposedPort: 8188,
			EntrypointOverrides: &verda.EntrypointOverrides{Enabled: true, Entrypoint: []string{"python3", "main.py"}, Cmd: []string{"--lowvram"}},
		}},
	}
	got := specFromAPI(dep, nil, priorView{})
	if got.Command.Listen != "127.0.0.1" {
		t.Errorf("listen %q for a command without --listen, want ComfyUI's default 127.0.0.1", got.Command.Listen)
	}
	if got.Healthcheck.Enabled {
		t.Error("a missing healthcheck reads as enabled")
	}
	if !slices.Equal(got.CommandLine, []string{"python3", "main.py", "--lowvram"}) {
		t.Errorf("command %q, want the live command unchanged", got.CommandLine)
	}
	if got.Scaling != scalingFromAPI(nil) || got.Scaling.MaxReplicas != defaultMaxReplicas {
		t.Errorf("scaling %+v without an API answer, want the defaults", got.Scaling)
	}
	// The command differs from the one the same arguments build, so an
	// apply would rewrite it.
	if slices.Equal(got.CommandLine, commandLine(got.Entrypoint, got.Command)) {
		t.Error("the live command equals the built one, so its missing flags would never be fixed")
	}
}

func TestComfyDeploymentDiffScalingOnly(t *testing.T) {
	t.Parallel()
	prior := comfyProductionSpec()
	next := comfyProductionSpec()
	next.Scaling.MaxReplicas = 5
	changes := diffSpecs(prior, next)
	if !changes.Scaling || changes.deployment() {
		t.Errorf("diff of a scaling change = %+v, want scaling only", changes)
	}
	next.Env = map[string]string{"COMFYUI_LOG_LEVEL": "DEBUG"}
	if changes := diffSpecs(prior, next); !changes.Container || changes.Compute || changes.Spot {
		t.Errorf("diff of an env change = %+v, want container and scaling", changes)
	}
}

func TestComfyDeploymentImageReference(t *testing.T) {
	t.Parallel()
	cases := map[string]bool{
		"ghcr.io/comfyume/comfyui:0.3.64-cu128": true,
		"comfyui@sha256:0123456789abcdef":       true,
		"localhost:5000/comfyui:1.0":            true,
		"ghcr.io/comfyume/comfyui":              false,
		"ghcr.io/comfyume/comfyui:latest":       false,
		"localhost:5000/comfyui":                false,
		"ghcr.io/comfyume/comfyui:":             false,
		"ghcr.io/comfyume/comfyui:0.3.64 ":      false,
		"":                                      false,
	}
	for image, valid := range cases {
		problem := imageReferenceProblem(image)
		if (problem == "") != valid {
			t.Errorf("imageReferenceProblem(%q) = %q, want valid=%v", image, problem, valid)
		}
	}
}

func TestComfyDeploymentCommandMismatch(t *testing.T) {
	t.Parallel()
	p := &comfyProber{spec: comfyProductionSpec()}
	argv := append([]string{"/app/ComfyUI/main.py"}, p.spec.Command.Args()...)
	if m := p.commandMismatch(argv); m != "" {
		t.Errorf("the expected command reports a mismatch: %s", m)
	}
	// A wrapper script may add flags of its own.
	if m := p.commandMismatch(append(slices.Clone(argv), "--disable-auto-launch")); m != "" {
		t.Errorf("an extra unmanaged flag reports a mismatch: %s", m)
	}
	old := []string{"/app/ComfyUI/main.py", "--listen", "0.0.0.0", "--port", "8188", "--extra-model-paths-config", "/mnt/sfs/extra_model_paths.yaml"}
	if m := p.commandMismatch(old); !strings.Contains(m, "--output-directory") {
		t.Errorf("a process without --output-directory reports %q, want a mismatch naming the flag", m)
	}
	p.spec.Command.OutputDirectory = ""
	if m := p.commandMismatch(argv); !strings.Contains(m, "leaves out") {
		t.Errorf("a process with an unexpected --output-directory reports %q", m)
	}
	if m := p.commandMismatch(nil); m != "" {
		t.Errorf("an answer without argv reports %q, want no check", m)
	}
}

// comfyFakeClock advances only when the waiter sleeps.
type comfyFakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *comfyFakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *comfyFakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return nil
}

func comfyUnitWaiter(data *providerData, name string, clock *comfyFakeClock) *deploymentWaiter {
	w := newDeploymentWaiter(data, name, "", defaultProbePath)
	w.now, w.sleep = clock.Now, clock.Sleep
	return w
}

func TestComfyDeploymentWaitUnhealthyGrace(t *testing.T) {
	t.Parallel()
	data, emu := comfyUnitData(t)
	if err := emu.ForceStatus("comfy-h200", verda.StatusUnhealthy); err != nil {
		t.Fatal(err)
	}
	clock := &comfyFakeClock{now: time.Unix(0, 0)}

	err := comfyUnitWaiter(data, "comfy-h200", clock).waitHealthy(context.Background())
	var we *waitError
	if !errors.As(err, &we) || !strings.Contains(we.Reason, "stayed unhealthy") {
		t.Fatalf("waitHealthy = %v, want a failure after the grace period", err)
	}
	elapsed := clock.Now().Sub(time.Unix(0, 0))
	grace := unhealthyGracePolls * data.pollInterval
	if elapsed < grace || elapsed > 2*grace {
		t.Errorf("the wait failed after %s of unhealthy, want between the grace period %s and twice it", elapsed, grace)
	}
}

func TestComfyDeploymentWaitRecoversWithinGrace(t *testing.T) {
	t.Parallel()
	data, emu := comfyUnitData(t)
	if err := emu.ForceStatus("comfy-h200", verda.StatusUnhealthy); err != nil {
		t.Fatal(err)
	}
	clock := &comfyFakeClock{now: time.Unix(0, 0)}
	w := comfyUnitWaiter(data, "comfy-h200", clock)
	polls := 0
	w.sleep = func(ctx context.Context, d time.Duration) error {
		polls++
		if polls == 2 {
			// The replica restarts and turns healthy again.
			if err := emu.ForceStatus("comfy-h200", ""); err != nil {
				t.Error(err)
			}
		}
		return clock.Sleep(ctx, d)
	}
	if err := w.waitHealthy(context.Background()); err != nil {
		t.Errorf("waitHealthy = %v, want success once the deployment recovers within the grace period", err)
	}
}

func TestComfyDeploymentWaitFailsFast(t *testing.T) {
	t.Parallel()
	for status, reason := range map[string]string{
		verda.StatusQuotaReached: "reached a quota",
		verda.StatusPaused:       "is paused",
	} {
		data, emu := comfyUnitData(t)
		if err := emu.ForceStatus("comfy-b200", status); err != nil {
			t.Fatal(err)
		}
		clock := &comfyFakeClock{now: time.Unix(0, 0)}
		err := comfyUnitWaiter(data, "comfy-b200", clock).waitHealthy(context.Background())
		if err == nil || !strings.Contains(err.Error(), reason) {
			t.Errorf("status %s: waitHealthy = %v, want an error containing %q", status, err, reason)
		}
		if n := emu.CountRequests("GET", "/v1/container-deployments/comfy-b200/status"); n != 1 {
			t.Errorf("status %s: %d polls, want to fail at the first", status, n)
		}
	}
}

func TestComfyDeploymentWaitCancelled(t *testing.T) {
	t.Parallel()
	data, emu := comfyUnitData(t)
	if err := emu.ForceStatus("comfy-h200", verda.StatusInitializing); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := newDeploymentWaiter(data, "comfy-h200", "", defaultProbePath)
	w.interval = time.Hour
	go func() {
		time.Sleep(50 * time.Millisecond)
		cancel()
	}()
	start := time.Now()
	err := w.waitHealthy(ctx)
	if !isInterrupted(context.Background(), err) {
		t.Errorf("waitHealthy = %v, want an interrupted wait", err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("the cancelled wait returned after %s, want at once", elapsed)
	}
}

func TestComfyDeploymentProbeWrongPathFailsAtOnce(t *testing.T) {
	t.Parallel()
	data, emu := comfyUnitData(t)
	dep, err := data.client.GetDeployment(context.Background(), "comfy-h200")
	if err != nil {
		t.Fatal(err)
	}
	spec := comfyProductionSpec()
	spec.Command.OutputDirectory = ""
	settings := probeSettings{Enabled: true, Path: "/", ExpectGPU: "H200"}
	p := newComfyProber(data, "comfy-h200", dep.EndpointBaseURL, settings, spec)
	p.sleep = func(context.Context, time.Duration) error { return errors.New("the probe retried") }

	_, err = p.run(context.Background())
	var pe *probeError
	if !errors.As(err, &pe) || pe.Step != "system stats" || strings.Contains(err.Error(), "retried") {
		t.Errorf("probing the index page = %v, want an immediate system stats failure", err)
	}
	if n := emu.CountRequests("GET", "/inference/comfy-h200/"); n != 1 {
		t.Errorf("%d requests of the index page, want 1", n)
	}
}

func TestComfyDeploymentProbeProductionPasses(t *testing.T) {
	t.Parallel()
	data, _ := comfyUnitData(t)
	dep, err := data.client.GetDeployment(context.Background(), "comfy-h200-spot")
	if err != nil {
		t.Fatal(err)
	}
	settings := probeSettings{
		Enabled: true, Path: defaultProbePath, ExpectGPU: "H200",
		RequiredNodes:  []string{"KSampler", "SaveImage"},
		RequiredModels: map[string][]string{"checkpoints": {"sd_xl_base_1.0.safetensors"}, "loras": {"detail.safetensors"}},
		SmokeTest:      true,
	}
	result, err := newComfyProber(data, "comfy-h200-spot", dep.EndpointBaseURL, settings, comfyProductionSpec()).run(context.Background())
	if err != nil {
		t.Fatalf("probing the production deployment failed: %v", err)
	}
	if result.ComfyUIVersion != "0.3.64" || !strings.Contains(result.GPUName, "H200") || result.GPUCount != 1 {
		t.Errorf("probe result %+v, want ComfyUI 0.3.64 on one H200", result)
	}
}
