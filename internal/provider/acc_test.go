package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/comfyume/terraform-provider-verda/internal/emulator"
	"github.com/comfyume/terraform-provider-verda/internal/verda"
)

// deadBaseURL is a loopback address where nothing listens. TestMain points
// VERDA_BASE_URL at it, so a test whose configuration lacks base_url fails
// at once instead of reaching the real API.
const deadBaseURL = "http://127.0.0.1:9/v1"

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	os.Setenv(envBaseURL, deadBaseURL)
	os.Setenv(envClientID, "unused-client-id")
	os.Setenv(envClientSecret, "unused-client-secret")
	for _, name := range []string{envInferenceAPIKey, envRequireTestingInstance, envTestingInstanceMarker, envPollInterval} {
		os.Unsetenv(name)
	}

	// The machine's TF_CLI_CONFIG_FILE may name a missing file; tests use an
	// empty one of their own.
	dir, err := os.MkdirTemp("", "verda-provider-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "creating a temporary directory:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	cliConfig := filepath.Join(dir, "tofurc")
	if err := os.WriteFile(cliConfig, nil, 0o600); err != nil {
		fmt.Fprintln(os.Stderr, "writing the CLI configuration:", err)
		return 1
	}
	os.Setenv("TF_CLI_CONFIG_FILE", cliConfig)
	os.Setenv("CHECKPOINT_DISABLE", "1")
	os.Setenv("TF_IN_AUTOMATION", "1")

	if os.Getenv("TF_ACC") != "" {
		tofu := os.Getenv("TF_ACC_TERRAFORM_PATH")
		if tofu == "" {
			tofu = defaultTofuPath()
		}
		if info, err := os.Stat(tofu); err != nil || info.IsDir() {
			fmt.Fprintf(os.Stderr, "acceptance tests need OpenTofu at %s: run scripts/install-tofu.sh or set TF_ACC_TERRAFORM_PATH\n", tofu)
			return 1
		}
		os.Setenv("TF_ACC_TERRAFORM_PATH", tofu)
		os.Setenv("TF_ACC_PROVIDER_HOST", "registry.opentofu.org")
		os.Setenv("TF_ACC_PROVIDER_NAMESPACE", "comfyume")
	}
	return m.Run()
}

// defaultTofuPath is where scripts/install-tofu.sh caches its build.
func defaultTofuPath() string {
	cache := os.Getenv("VERDA_TOOLS_CACHE")
	if cache == "" {
		base := os.Getenv("XDG_CACHE_HOME")
		if base == "" {
			home, _ := os.UserHomeDir()
			base = filepath.Join(home, ".cache")
		}
		cache = filepath.Join(base, "terraform-provider-verda")
	}
	return filepath.Join(cache, "tofu-1.11.5", "tofu")
}

// protoV6ProviderFactories serves the provider in-process for acceptance tests.
var protoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"verda": providerserver.NewProtocol6WithError(New("test")()),
}

// accEnv is one emulator for one acceptance test.
type accEnv struct {
	t      *testing.T
	server *emulator.TestServer
	emu    *emulator.Emulator
}

// newAccEnv starts an emulator for t. Tests steer it only through its Go API.
func newAccEnv(t *testing.T, opts ...func(*emulator.Options)) *accEnv {
	t.Helper()
	var o emulator.Options
	for _, f := range opts {
		f(&o)
	}
	srv := emulator.NewTestServer(t, o)
	return &accEnv{t: t, server: srv, emu: srv.Emulator}
}

// withProductionSeed loads the production fixture into the emulator.
func (a *accEnv) withProductionSeed() *accEnv {
	a.t.Helper()
	if err := a.emu.LoadSeed(emulator.ProductionSeed()); err != nil {
		a.t.Fatalf("loading the production seed: %v", err)
	}
	return a
}

// providerBlock configures the provider against this test's emulator with a
// short poll interval.
func (a *accEnv) providerBlock() string {
	return fmt.Sprintf(`
provider "verda" {
  base_url          = %q
  client_id         = "emulator-client-id"
  client_secret     = "emulator-client-secret"
  inference_api_key = "emulator-inference-key"
  poll_interval     = "20ms"
  max_retries       = 3
}
`, a.server.BaseURL)
}

// config prepends the provider block to an HCL body.
func (a *accEnv) config(body string) string {
	return a.providerBlock() + body
}

// apiClient returns a client of this test's emulator that never retries,
// for checks that ask the API directly.
func (a *accEnv) apiClient(t *testing.T) *verda.Client {
	t.Helper()
	client, err := verda.New(verda.Config{
		BaseURL:         a.server.BaseURL,
		ClientID:        emulator.DefaultClientID,
		ClientSecret:    emulator.DefaultClientSecret,
		InferenceAPIKey: emulator.DefaultInferenceKey,
		MaxRetries:      -1,
	})
	if err != nil {
		t.Fatalf("creating an API client of the emulator: %v", err)
	}
	return client
}

// apiContext bounds a direct API check to 30 seconds.
func apiContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
