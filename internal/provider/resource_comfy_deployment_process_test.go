package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/comfyume/terraform-provider-verda/internal/emulator"
)

// comfyLogChildEnv marks the child process of the redaction test, which
// runs an apply with trace logging into the file the variable names.
const comfyLogChildEnv = "VERDA_TEST_TRACE_LOG_FILE"

// comfyPlainEnvValue is a plain variable's value that must not reach the
// log either: a user may put a token in env by mistake.
const comfyPlainEnvValue = "plain-value-0c7e51b9"

// comfySeedSecretValue is the value of the seed's secret hf-token.
const comfySeedSecretValue = "hf_emulator_placeholder_token"

func TestAccComfyDeployment_secretEnvRedacted(t *testing.T) {
	if os.Getenv(comfyLogChildEnv) != "" {
		comfyRedactionChild(t)
		return
	}
	t.Parallel()

	// Trace logging is configured through process-wide environment
	// variables, so the apply runs in a child process of this test binary,
	// and other tests keep running in parallel without it.
	logFile := filepath.Join(t.TempDir(), "trace.log")
	cmd := exec.Command(os.Args[0], "-test.run=^TestAccComfyDeployment_secretEnvRedacted$", "-test.count=1", "-test.timeout=5m")
	cmd.Env = append(os.Environ(),
		comfyLogChildEnv+"="+logFile,
		"TF_ACC=1",
		"TF_LOG=TRACE",
		"TF_ACC_LOG=TRACE",
		"TF_ACC_LOG_PATH="+logFile,
	)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the apply with trace logging failed: %v\n%s", err, out)
	}

	data, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatalf("reading the trace log: %v", err)
	}
	log := string(data)
	// The log must hold the provider's own lines and the request that sent
	// the variables, or an empty log would pass.
	for _, want := range []string{"Verda API response", "operation=create", "WEBHOOK_TOKEN", "HF_TOKEN"} {
		if !strings.Contains(log, want) {
			t.Fatalf("the trace log (%d bytes) lacks %q; the log was not captured. Log:\n%s", len(log), want, log[max(0, len(log)-3000):])
		}
	}
	for what, secret := range map[string]string{
		"the value of the secret hf-token": comfySeedSecretValue,
		"the plain variable's value":       comfyPlainEnvValue,
		"the client secret":                emulator.DefaultClientSecret,
		"the inference API key":            emulator.DefaultInferenceKey,
	} {
		if i := strings.Index(log, secret); i >= 0 {
			t.Errorf("the trace log contains %s: …%s…", what, log[max(0, i-300):min(len(log), i+len(secret)+50)])
		}
	}
}

// comfyRedactionChild applies a deployment with a secret variable and a
// plain one whose value comes from a sensitive input variable. Its parent
// reads the trace log. Credentials come from the environment, as in CI,
// because the test framework logs the configuration text.
func comfyRedactionChild(t *testing.T) {
	env := comfyEnv(t)
	t.Setenv(envClientID, emulator.DefaultClientID)
	t.Setenv(envClientSecret, emulator.DefaultClientSecret)
	t.Setenv(envInferenceAPIKey, emulator.DefaultInferenceKey)
	t.Setenv("TF_VAR_webhook_token", comfyPlainEnvValue)
	config := fmt.Sprintf(`
provider "verda" {
  base_url      = %q
  poll_interval = "20ms"
}

variable "webhook_token" {
  type      = string
  sensitive = true
}
`, env.server.BaseURL) + comfyHCL("comfy-redacted", comfyProductionImage, `
  env        = { WEBHOOK_TOKEN = var.webhook_token }
  secret_env = { HF_TOKEN = "hf-token" }
`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps:                    []resource.TestStep{{Config: config}},
	})
}

func TestAccComfyDeployment_cancel(t *testing.T) {
	t.Parallel()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
	env := comfyEnv(t)
	const name = "comfy-cancel"
	const slowImage = "ghcr.io/comfyume/comfyui:0.3.64-hangs"
	env.emu.SetImageBehavior(slowImage, emulator.ImageBehavior{NeverReady: true})

	reattach := comfyServeProvider(t)
	dir := t.TempDir()
	config := comfyRequiredProviders + env.config(comfyHCL(name, slowImage, ""))
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	tofu := func(args ...string) *exec.Cmd {
		cmd := exec.Command(os.Getenv("TF_ACC_TERRAFORM_PATH"), args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "TF_REATTACH_PROVIDERS="+reattach, "TF_LOG=")
		return cmd
	}
	if out, err := tofu("init", "-input=false", "-no-color").CombinedOutput(); err != nil {
		t.Fatalf("tofu init: %v\n%s", err, out)
	}

	apply := tofu("apply", "-auto-approve", "-input=false", "-no-color")
	var output strings.Builder
	apply.Stdout, apply.Stderr = &output, &output
	if err := apply.Start(); err != nil {
		t.Fatalf("starting tofu apply: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- apply.Wait() }()

	// Interrupt once the provider is polling the new deployment.
	deadline := time.Now().Add(time.Minute)
	for env.emu.CountRequests("GET", "/v1/container-deployments/"+name+"/status") < 3 {
		if time.Now().After(deadline) {
			_ = apply.Process.Kill()
			t.Fatalf("the apply never started waiting; output:\n%s", output.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	interrupted := time.Now()
	if err := apply.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatalf("interrupting tofu: %v", err)
	}

	select {
	case err := <-done:
		elapsed := time.Since(interrupted)
		if elapsed > 5*time.Second {
			t.Errorf("tofu took %s to stop after the interrupt, want a few seconds at most", elapsed)
		}
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			t.Errorf("tofu apply ended with %v after the interrupt, want a failure exit status", err)
		}
	case <-time.After(30 * time.Second):
		_ = apply.Process.Kill()
		t.Fatalf("tofu did not stop within 30 s of the interrupt; output:\n%s", output.String())
	}
	if !strings.Contains(output.String(), "Wait interrupted") {
		t.Errorf("the output lacks the diagnostic \"Wait interrupted\":\n%s", output.String())
	}

	// The deployment was created before the wait, so the state holds it,
	// tainted, and nothing is orphaned.
	state, err := os.ReadFile(filepath.Join(dir, "terraform.tfstate"))
	if err != nil {
		t.Fatalf("reading the state after the interrupt: %v\noutput:\n%s", err, output.String())
	}
	var parsed struct {
		Resources []struct {
			Type      string `json:"type"`
			Instances []struct {
				Status     string `json:"status"`
				Attributes struct {
					Name string `json:"name"`
				} `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(state, &parsed); err != nil {
		t.Fatalf("decoding the state: %v", err)
	}
	if len(parsed.Resources) != 1 || len(parsed.Resources[0].Instances) != 1 {
		t.Fatalf("the state holds %+v, want the one deployment", parsed.Resources)
	}
	inst := parsed.Resources[0].Instances[0]
	if inst.Attributes.Name != name || inst.Status != "tainted" {
		t.Errorf("the state holds %q with status %q, want %q tainted", inst.Attributes.Name, inst.Status, name)
	}
	if n := comfyCountDeployments(t, env, name); n != 1 {
		t.Errorf("%d deployments named %s, want 1", n, name)
	}
}

// comfyServeProvider serves the provider in this process for an OpenTofu
// run started by the test itself, and returns the TF_REATTACH_PROVIDERS
// value that points OpenTofu at it.
func comfyServeProvider(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	reattachCh := make(chan *plugin.ReattachConfig)
	closeCh := make(chan struct{})
	serveErr := make(chan error, 1)
	go func() {
		serveErr <- tf6server.Serve("registry.opentofu.org/comfyume/verda",
			providerserver.NewProtocol6(New("test")()),
			tf6server.WithDebug(ctx, reattachCh, closeCh),
			tf6server.WithGoPluginLogger(hclog.New(&hclog.LoggerOptions{Output: io.Discard})),
			tf6server.WithoutLogStderrOverride(),
			tf6server.WithLoggingSink(t),
		)
	}()
	var rc *plugin.ReattachConfig
	select {
	case rc = <-reattachCh:
	case err := <-serveErr:
		cancel()
		t.Fatalf("serving the provider failed: %v", err)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("the provider server did not start within 30 s")
	}
	t.Cleanup(func() {
		cancel()
		<-closeCh
	})

	type reattachAddr struct {
		Network string `json:"Network"`
		String  string `json:"String"`
	}
	type reattachConfig struct {
		Protocol        string       `json:"Protocol"`
		ProtocolVersion int          `json:"ProtocolVersion"`
		Pid             int          `json:"Pid"`
		Test            bool         `json:"Test"`
		Addr            reattachAddr `json:"Addr"`
	}
	data, err := json.Marshal(map[string]reattachConfig{
		"registry.opentofu.org/comfyume/verda": {
			Protocol:        string(rc.Protocol),
			ProtocolVersion: rc.ProtocolVersion,
			Pid:             rc.Pid,
			Test:            rc.Test,
			Addr:            reattachAddr{Network: rc.Addr.Network(), String: rc.Addr.String()},
		},
	})
	if err != nil {
		t.Fatalf("encoding the reattach configuration: %v", err)
	}
	return string(data)
}
