package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestGuardCheck(t *testing.T) {
	dir := t.TempDir()
	marker := filepath.Join(dir, "testing-instance")
	if err := os.WriteFile(marker, []byte("test\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	host := func() (string, error) { return "ci-runner-7", nil }

	cases := []struct {
		name    string
		guard   testingGuard
		wantErr string
	}{
		{"not required", testingGuard{marker: filepath.Join(dir, "missing"), hostname: host}, ""},
		{"marker present", testingGuard{required: true, marker: marker, hostname: host}, ""},
		{"marker missing", testingGuard{required: true, marker: filepath.Join(dir, "missing"), hostname: host},
			`marker .*missing does not exist on host "ci-runner-7"`},
		{"marker is a directory", testingGuard{required: true, marker: dir, hostname: host}, "is a directory"},
		{"forbidden host", testingGuard{required: true, marker: marker, forbidden: []string{"laptop", "CI-RUNNER-7"}, hostname: host},
			`this host, "ci-runner-7", is listed in forbidden_hostnames`},
		{"other host forbidden", testingGuard{required: true, marker: marker, forbidden: []string{"prod-1"}, hostname: host}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.guard.check()
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("check() = %v, want no error", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("check() = nil, want an error matching %q", tc.wantErr)
			}
			if !regexp.MustCompile(tc.wantErr).MatchString(err.Error()) {
				t.Fatalf("check() = %q, want a match for %q", err, tc.wantErr)
			}
		})
	}
}

func guardConfig(env *accEnv, guard string) string {
	return fmt.Sprintf(`
provider "verda" {
  base_url      = %q
  client_id     = "emulator-client-id"
  client_secret = "emulator-client-secret"
  %s
}

data "verda_compute_resources" "all" {}
`, env.server.BaseURL, guard)
}

func TestAccProviderGuard_refusedWithoutMarker(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	missing := filepath.Join(t.TempDir(), "testing-instance")

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      guardConfig(env, fmt.Sprintf("require_testing_instance = true\n  testing_instance_marker = %q", missing)),
			ExpectError: regexp.MustCompile(`Not a testing instance`),
		}},
	})
	if n := len(env.emu.Requests()); n != 0 {
		t.Errorf("the refused provider made %d API requests, want 0", n)
	}
}

func TestAccProviderGuard_refusedOnForbiddenHost(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	marker := filepath.Join(t.TempDir(), "testing-instance")
	if err := os.WriteFile(marker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: guardConfig(env, fmt.Sprintf("require_testing_instance = true\n  testing_instance_marker = %q\n  forbidden_hostnames = [%q]",
				marker, host)),
			ExpectError: regexp.MustCompile(`listed in\s+forbidden_hostnames`),
		}},
	})
	if n := len(env.emu.Requests()); n != 0 {
		t.Errorf("the refused provider made %d API requests, want 0", n)
	}
}

func TestAccProviderGuard_allowedWithMarker(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	marker := filepath.Join(t.TempDir(), "testing-instance")
	if err := os.WriteFile(marker, nil, 0o600); err != nil {
		t.Fatal(err)
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: guardConfig(env, fmt.Sprintf("require_testing_instance = true\n  testing_instance_marker = %q\n  forbidden_hostnames = [\"some-laptop\"]", marker)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.verda_compute_resources.all", tfjsonpath.New("names"),
					knownvalue.SetPartial([]knownvalue.Check{knownvalue.StringExact("H200")})),
			},
		}},
	})
}

func TestAccProvider_httpBaseURLRejected(t *testing.T) {
	t.Parallel()

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
provider "verda" {
  base_url      = "http://api.example.com/v1"
  client_id     = "id"
  client_secret = "secret"
}

data "verda_compute_resources" "all" {}
`,
			ExpectError: regexp.MustCompile(`plain http is allowed only for\s+a loopback host`),
		}},
	})
}

func TestAccProvider_missingCredentials(t *testing.T) {
	t.Setenv(envClientID, "")
	t.Setenv(envClientSecret, "")

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
provider "verda" {
  base_url = "http://127.0.0.1:9/v1"
}

data "verda_compute_resources" "all" {}
`,
			ExpectError: regexp.MustCompile(`(?s)client_id and\s+client_secret.*VERDA_CLIENT_ID and\s+VERDA_CLIENT_SECRET`),
		}},
	})
}
