package provider

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/comfyume/terraform-provider-verda/internal/emulator"
)

// reliabilityInterruptLimit is how soon OpenTofu must exit after Ctrl-C.
const reliabilityInterruptLimit = 5 * time.Second

// reliabilityBinary is the provider binary that the Ctrl-C tests build once
// per test binary and share. The directory is removed when the last test
// that uses it ends, and built again if a later test needs it.
var reliabilityBinary struct {
	mu    sync.Mutex
	dir   string
	users int
	err   error
}

// reliabilityProviderDir builds the provider into a temporary directory on
// first use and returns that directory.
func reliabilityProviderDir(t *testing.T) string {
	t.Helper()
	b := &reliabilityBinary
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.dir == "" {
		b.dir, b.err = reliabilityBuildProvider()
	}
	if b.err != nil {
		t.Fatalf("building the provider binary: %v", b.err)
	}
	b.users++
	t.Cleanup(func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.users--
		if b.users == 0 {
			_ = os.RemoveAll(b.dir)
			b.dir = ""
		}
	})
	return b.dir
}

func reliabilityBuildProvider() (string, error) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		return "", fmt.Errorf("the repository root %s has no go.mod: %w", root, err)
	}
	dir, err := os.MkdirTemp("", "verda-provider-bin-")
	if err != nil {
		return "", err
	}
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "terraform-provider-verda"), ".")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		_ = os.RemoveAll(dir)
		return "", fmt.Errorf("go build: %w\n%s", err, out)
	}
	return dir, nil
}

// reliabilityWorkspace is a directory with a configuration that the test
// runs tofu in, against the built provider through dev_overrides.
type reliabilityWorkspace struct {
	t   *testing.T
	dir string
	env []string
}

func newReliabilityWorkspace(t *testing.T, config string) *reliabilityWorkspace {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
	providerDir := reliabilityProviderDir(t)
	dir := t.TempDir()
	cliConfig := filepath.Join(dir, "tofurc")
	overrides := fmt.Sprintf(`
provider_installation {
  dev_overrides {
    "registry.opentofu.org/comfyume/verda" = %q
  }
}
`, providerDir)
	if err := os.WriteFile(cliConfig, []byte(overrides), 0o600); err != nil {
		t.Fatal(err)
	}
	main := `
terraform {
  required_providers {
    verda = { source = "registry.opentofu.org/comfyume/verda" }
  }
}
` + config
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(main), 0o600); err != nil {
		t.Fatal(err)
	}
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "TF_LOG") || strings.HasPrefix(kv, "TF_REATTACH_PROVIDERS=") || strings.HasPrefix(kv, "TF_CLI_CONFIG_FILE=")
	})
	env = append(env, "TF_CLI_CONFIG_FILE="+cliConfig, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	return &reliabilityWorkspace{t: t, dir: dir, env: env}
}

func (w *reliabilityWorkspace) command(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Getenv("TF_ACC_TERRAFORM_PATH"), args...)
	cmd.Dir = w.dir
	cmd.Env = w.env
	// A process group of its own, so that the interrupt reaches tofu and the
	// provider together, as Ctrl-C in a terminal does.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return cmd
}

// run runs a tofu command to its end, failing the test when it fails.
func (w *reliabilityWorkspace) run(args ...string) string {
	w.t.Helper()
	out, err := w.command(args...).CombinedOutput()
	if err != nil {
		w.t.Fatalf("tofu %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// interrupt starts a tofu command, waits until ready holds, sends SIGINT to
// its process group and waits for the exit. It returns the output and how
// long tofu took to exit after the interrupt.
func (w *reliabilityWorkspace) interrupt(ready func() bool, args ...string) (string, time.Duration) {
	w.t.Helper()
	cmd := w.command(args...)
	var output bytes.Buffer
	var mu sync.Mutex
	writer := reliabilityLockedWriter{mu: &mu, w: &output}
	cmd.Stdout, cmd.Stderr = writer, writer
	text := func() string {
		mu.Lock()
		defer mu.Unlock()
		return output.String()
	}
	if err := cmd.Start(); err != nil {
		w.t.Fatalf("starting tofu %s: %v", strings.Join(args, " "), err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	kill := func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }

	if !reliabilityWaitFor(2*time.Minute, ready) {
		kill()
		<-done
		w.t.Fatalf("tofu %s never reached the point to interrupt; output:\n%s", strings.Join(args, " "), text())
	}
	interrupted := time.Now()
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGINT); err != nil {
		kill()
		w.t.Fatalf("interrupting tofu: %v", err)
	}

	select {
	case err := <-done:
		elapsed := time.Since(interrupted)
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			w.t.Errorf("tofu %s ended with %v after the interrupt, want a failure exit status", strings.Join(args, " "), err)
		}
		return text(), elapsed
	case <-time.After(30 * time.Second):
		kill()
		<-done
		w.t.Fatalf("tofu did not exit within 30 s of the interrupt; output:\n%s", text())
	}
	return "", 0
}

type reliabilityLockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l reliabilityLockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// reliabilityShownResource is a resource of `tofu show -json`.
type reliabilityShownResource struct {
	Address string         `json:"address"`
	Tainted bool           `json:"tainted"`
	Values  map[string]any `json:"values"`
}

// stateList returns the addresses `tofu state list` prints.
func (w *reliabilityWorkspace) stateList() []string {
	w.t.Helper()
	return strings.Fields(w.run("state", "list"))
}

// shownResources returns the resources of `tofu show -json`.
func (w *reliabilityWorkspace) shownResources() []reliabilityShownResource {
	w.t.Helper()
	var output struct {
		Values struct {
			RootModule struct {
				Resources []reliabilityShownResource `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	out := w.run("show", "-json", "-no-color")
	if err := json.Unmarshal([]byte(out), &output); err != nil {
		w.t.Fatalf("decoding tofu show -json: %v\n%s", err, out)
	}
	return output.Values.RootModule.Resources
}

// reliabilityExpectQuickExit fails when tofu took longer than the limit.
func reliabilityExpectQuickExit(t *testing.T, elapsed time.Duration, output string) {
	t.Helper()
	t.Logf("tofu exited %s after the interrupt", elapsed.Round(time.Millisecond))
	if elapsed > reliabilityInterruptLimit {
		t.Errorf("tofu took %s to exit after the interrupt, want at most %s; output:\n%s", elapsed, reliabilityInterruptLimit, output)
	}
}

func TestAccReliability_interruptHealthWait(t *testing.T) {
	t.Parallel()
	env := comfyEnv(t)
	const name = "int-health"
	const hangingImage = "ghcr.io/comfyume/comfyui:0.3.64-never-ready"
	env.emu.SetImageBehavior(hangingImage, emulator.ImageBehavior{NeverReady: true})
	ws := newReliabilityWorkspace(t, reliabilityProvider(env, "")+comfyHCL(name, hangingImage, ""))
	statusPath := "/v1/container-deployments/" + name + "/status"

	output, elapsed := ws.interrupt(func() bool { return env.emu.CountRequests("GET", statusPath) >= 3 },
		"apply", "-auto-approve", "-input=false", "-no-color")

	reliabilityExpectQuickExit(t, elapsed, output)
	if !strings.Contains(output, "Wait interrupted") {
		t.Errorf("the output lacks the diagnostic \"Wait interrupted\":\n%s", output)
	}
	// The deployment exists, so the state must hold it, tainted because its
	// wait did not finish.
	if n := reliabilityDeploymentsNamed(t, env, name); n != 1 {
		t.Errorf("%d deployments named %q after the interrupt, want 1", n, name)
	}
	if got := ws.stateList(); !slices.Equal(got, []string{reliabilityDeployAddr}) {
		t.Errorf("tofu state list prints %q, want only %s", got, reliabilityDeployAddr)
	}
	resources := ws.shownResources()
	if len(resources) != 1 || resources[0].Values["id"] != name || !resources[0].Tainted {
		t.Errorf("tofu show -json lists %+v, want %s with id %q, tainted", resources, reliabilityDeployAddr, name)
	}
}

func TestAccReliability_interruptDeleteWait(t *testing.T) {
	t.Parallel()
	env := comfyEnv(t)
	const name = "int-delete"
	ws := newReliabilityWorkspace(t, reliabilityProvider(env, "")+reliabilityDeployment(name, ""))
	deletePath := "/v1/container-deployments/" + name
	ws.run("apply", "-auto-approve", "-input=false", "-no-color")

	// A deleted deployment stays readable for far longer than the test runs.
	env.emu.SetDeleteDelay(1 << 30)
	output, elapsed := ws.interrupt(func() bool {
		records := env.emu.Requests()
		deleted := slices.IndexFunc(records, func(r emulator.RequestRecord) bool { return r.Method == "DELETE" && r.Path == deletePath })
		if deleted < 0 {
			return false
		}
		polls := 0
		for _, r := range records[deleted+1:] {
			if r.Method == "GET" && r.Path == deletePath {
				polls++
			}
		}
		return polls >= 3
	}, "destroy", "-auto-approve", "-input=false", "-no-color")

	reliabilityExpectQuickExit(t, elapsed, output)
	if !strings.Contains(output, "still being deleted") {
		t.Errorf("the output does not say that the deployment is still being deleted:\n%s", output)
	}
	// The API still shows the deployment, so the state keeps it.
	if _, err := env.apiClient(t).GetDeployment(apiContext(t), name); err != nil {
		t.Errorf("reading the deployment after the interrupted destroy: %v; want it still readable", err)
	}
	if got := ws.stateList(); !slices.Equal(got, []string{reliabilityDeployAddr}) {
		t.Errorf("tofu state list prints %q, want %s, which the API still shows", got, reliabilityDeployAddr)
	}

	// Once the API finishes deletions again, a second destroy completes.
	env.emu.SetDeleteDelay(0)
	ws.run("destroy", "-auto-approve", "-input=false", "-no-color")
	if n := reliabilityDeploymentsNamed(t, env, name); n != 0 {
		t.Errorf("%d deployments named %q after the second destroy, want 0", n, name)
	}
	if got := ws.stateList(); len(got) != 0 {
		t.Errorf("tofu state list prints %q after the second destroy, want nothing", got)
	}
}

func TestAccReliability_interruptBackoff(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		// fault is the 429 whose Retry-After the interrupt cuts short.
		fault emulator.Fault
		// config is the body of main.tf after the provider block.
		config string
		// inState is the address the state must hold afterwards, if any.
		inState string
	}{
		{
			name:   "create",
			fault:  emulator.Fault{Method: "POST", Path: "/v1/volumes"},
			config: reliabilitySFS("int-backoff-sfs", 50, ""),
		},
		{
			name:    "statusRead",
			fault:   emulator.Fault{Method: "GET", Path: "/v1/container-deployments/int-backoff-deploy/status"},
			config:  reliabilityDeployment("int-backoff-deploy", ""),
			inState: reliabilityDeployAddr,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := comfyEnv(t)
			ws := newReliabilityWorkspace(t, reliabilityProvider(env, "")+tc.config)
			fault := tc.fault
			fault.Status, fault.RetryAfter = 429, "25"
			env.emu.AddFault(fault)

			output, elapsed := ws.interrupt(func() bool {
				// The client starts its 25 s sleep right after the 429.
				for _, r := range reliabilityRecords(env, fault.Method, fault.Path) {
					if r.Status == 429 {
						return time.Since(r.Time) > 200*time.Millisecond
					}
				}
				return false
			}, "apply", "-auto-approve", "-input=false", "-no-color")

			reliabilityExpectQuickExit(t, elapsed, output)
			if got := reliabilityStatuses(env, fault.Method, fault.Path); !slices.Equal(got, []int{429}) {
				t.Errorf("%s %s: statuses %v, want only the 429: the interrupt must end the wait before the retry", fault.Method, fault.Path, got)
			}
			var want []string
			if tc.inState != "" {
				want = []string{tc.inState}
			}
			if got := ws.stateList(); !slices.Equal(got, want) {
				t.Errorf("tofu state list prints %q, want %q", got, want)
			}
			volumes := len(reliabilityVolumesNamed(t, env, "int-backoff-sfs"))
			deployments := reliabilityDeploymentsNamed(t, env, "int-backoff-deploy")
			if tc.inState == "" && volumes+deployments != 0 {
				t.Errorf("%d volumes and %d deployments exist after the interrupted create, want none", volumes, deployments)
			}
			if tc.inState != "" && deployments != 1 {
				t.Errorf("%d deployments exist after the interrupted wait, want the 1 in state", deployments)
			}
		})
	}
}
