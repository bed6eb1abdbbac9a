package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/comfyume/terraform-provider-verda/internal/verda"
)

// badInputStage is the first OpenTofu command that must reject a bad
// configuration.
type badInputStage int

const (
	// badInputAtValidate: `tofu validate` rejects it, so it never reaches a
	// configured provider and no API request is made.
	badInputAtValidate badInputStage = iota
	// badInputAtConfigure: the provider block passes `tofu validate`, and
	// configuring the provider for `tofu plan` rejects it before any API
	// request.
	badInputAtConfigure
	// badInputAtPlan: only the API's catalogs or objects show the mistake,
	// so `tofu plan` reads them and rejects the plan. Read-only requests are
	// allowed, mutating ones are not.
	badInputAtPlan
)

func (s badInputStage) String() string {
	switch s {
	case badInputAtValidate:
		return "validate"
	case badInputAtConfigure:
		return "configure"
	}
	return "plan"
}

// badInputCase is one invalid configuration.
type badInputCase struct {
	name  string
	stage badInputStage
	// provider returns a provider block that replaces the default one, for
	// the emulator's base URL.
	provider func(baseURL string) string
	// setup prepares objects in the emulator before OpenTofu runs and
	// returns values for the {{key}} placeholders of the configurations. Its
	// requests are cleared from the log before the bad configuration runs.
	setup func(t *testing.T, env *accEnv) map[string]string
	// existing is applied before config, for rules that compare the
	// configuration with the state. after is applied once config has been
	// rejected, so that the final destroy can succeed.
	existing, after string
	config          string
	// attribute and fix must both appear in the diagnostic's summary or
	// detail, not only in the quoted source line.
	attribute, fix string
	// attributeQuoted marks a diagnostic from a library whose text names
	// only the value, so the attribute is named by the quoted source line.
	attributeQuoted bool
}

// badInputDefaultDeployment contains the arguments of a valid deployment,
// which a case replaces in part.
var badInputDefaultDeployment = []string{
	`name       = "bad-input"`,
	`image      = "` + comfyProductionImage + `"`,
	`gpu        = { type = "H200" }`,
	`sfs_mounts = [{ volume_id = "` + comfyProductionSFS + `" }]`,
}

// badInputDeployment returns a verda_comfy_deployment block: the valid
// defaults, with each given line replacing the default of the same argument
// or adding a new one.
func badInputDeployment(lines ...string) string {
	return badInputBlock(`resource "verda_comfy_deployment" "test"`, badInputDefaultDeployment, lines)
}

// badInputSFS returns a verda_sfs resource block in the same way.
func badInputSFS(lines ...string) string {
	return badInputBlock(`resource "verda_sfs" "test"`, []string{`name = "bad-input"`, `size = 100`}, lines)
}

// badInputDrift returns a verda_deployment_drift data source block.
func badInputDrift(lines ...string) string {
	return badInputBlock(`data "verda_deployment_drift" "test"`, nil, lines)
}

// badInputProvider returns a provider block for the emulator at baseURL in
// the same way.
func badInputProvider(baseURL string, lines ...string) string {
	return badInputBlock(`provider "verda"`, []string{
		fmt.Sprintf("base_url          = %q", baseURL),
		`client_id         = "emulator-client-id"`,
		`client_secret     = "emulator-client-secret"`,
		`inference_api_key = "emulator-inference-key"`,
		`poll_interval     = "20ms"`,
		`max_retries       = 3`,
	}, lines)
}

func badInputProviderWith(lines ...string) func(string) string {
	return func(baseURL string) string { return badInputProvider(baseURL, lines...) }
}

// badInputBlock renders an HCL block from default argument lines and
// overriding lines. A line that starts with "-name" removes that argument.
func badInputBlock(header string, defaults, lines []string) string {
	key := func(line string) string {
		k, _, _ := strings.Cut(line, "=")
		return strings.Trim(strings.TrimSpace(k), `"`)
	}
	body := append([]string{}, defaults...)
	for _, line := range lines {
		if removed, ok := strings.CutPrefix(line, "-"); ok {
			for i, d := range body {
				if key(d) == removed {
					body = append(body[:i], body[i+1:]...)
					break
				}
			}
			continue
		}
		replaced := false
		for i, d := range body {
			if key(d) == key(line) {
				body[i], replaced = line, true
				break
			}
		}
		if !replaced {
			body = append(body, line)
		}
	}
	return "\n" + header + " {\n  " + strings.Join(body, "\n  ") + "\n}\n"
}

const badInputComputeResources = `
data "verda_compute_resources" "all" {}
`

// badInputUnknownVolume is a well-formed volume id that no volume has.
const badInputUnknownVolume = "00000000-0000-4000-8000-000000000000"

// badInputCases lists invalid configurations of the provider block and of
// every resource and data source.
func badInputCases() []badInputCase {
	return []badInputCase{
		// The provider block.
		{
			name: "provider/base_url_plain_http_remote", stage: badInputAtConfigure,
			// 0.0.0.0 is not a loopback address, and nothing is sent to it: the
			// URL is rejected before the client exists.
			provider:  badInputProviderWith(`base_url = "http://0.0.0.0:9/v1"`),
			config:    badInputComputeResources,
			attribute: "base_url", fix: "use https",
		},
		{
			name: "provider/base_url_scheme", stage: badInputAtConfigure,
			provider:  badInputProviderWith(`base_url = "ftp://127.0.0.1:9/v1"`),
			config:    badInputComputeResources,
			attribute: "base_url", fix: "the scheme must be https",
		},
		{
			name: "provider/base_url_without_scheme", stage: badInputAtConfigure,
			provider:  badInputProviderWith(`base_url = "127.0.0.1:9/v1"`),
			config:    badInputComputeResources,
			attribute: "base_url", fix: "such as " + verda.DefaultBaseURL,
		},
		{
			name: "provider/base_url_query", stage: badInputAtConfigure,
			provider:  badInputProviderWith(`base_url = "https://127.0.0.1:9/v1?debug=1"`),
			config:    badInputComputeResources,
			attribute: "base_url", fix: "must not have a query or fragment",
		},
		{
			name: "provider/max_retries_negative", stage: badInputAtValidate,
			provider:  badInputProviderWith(`max_retries = -1`),
			config:    badInputComputeResources,
			attribute: "max_retries", fix: "between 0 and 20",
		},
		{
			name: "provider/max_retries_too_many", stage: badInputAtValidate,
			provider:  badInputProviderWith(`max_retries = 50`),
			config:    badInputComputeResources,
			attribute: "max_retries", fix: "between 0 and 20",
		},
		{
			name: "provider/request_timeout_malformed", stage: badInputAtConfigure,
			provider:  badInputProviderWith(`request_timeout = "fast"`),
			config:    badInputComputeResources,
			attribute: "request_timeout", fix: `a Go duration of at least 1s, such as "30s"`,
		},
		{
			name: "provider/request_timeout_too_short", stage: badInputAtConfigure,
			provider:  badInputProviderWith(`request_timeout = "10ms"`),
			config:    badInputComputeResources,
			attribute: "request_timeout", fix: "at least 1s",
		},
		{
			name: "provider/poll_interval_negative", stage: badInputAtConfigure,
			provider:  badInputProviderWith(`poll_interval = "-5s"`),
			config:    badInputComputeResources,
			attribute: "poll_interval", fix: "at least 10ms",
		},
		{
			name: "provider/testing_instance_marker_missing", stage: badInputAtConfigure,
			provider: badInputProviderWith(`require_testing_instance = true`,
				`testing_instance_marker = "/nonexistent/verda-testing-instance"`),
			config:    badInputComputeResources,
			attribute: "require_testing_instance", fix: "Plan and apply only from a fresh testing server",
		},

		// verda_sfs.
		{
			name: "sfs/name_empty", stage: badInputAtValidate,
			config:    badInputSFS(`name = ""`),
			attribute: "name", fix: "must be at least 1",
		},
		{
			name: "sfs/name_blank", stage: badInputAtValidate,
			config:    badInputSFS(`name = "   "`),
			attribute: "name", fix: "must contain a character other than white space",
		},
		{
			name: "sfs/size_zero", stage: badInputAtValidate,
			config:    badInputSFS(`size = 0`),
			attribute: "size", fix: "must be at least 1",
		},
		{
			name: "sfs/size_negative", stage: badInputAtValidate,
			config:    badInputSFS(`size = -100`),
			attribute: "size", fix: "must be at least 1",
		},
		{
			name: "sfs/type_unknown", stage: badInputAtPlan,
			config:    badInputSFS(`type = "SSD_Shared"`),
			attribute: `type "SSD_Shared"`, fix: "Set type to one of its shared filesystem types",
		},
		{
			name: "sfs/type_block_volume", stage: badInputAtPlan,
			config:    badInputSFS(`type = "NVMe"`),
			attribute: `Type "NVMe"`, fix: "Set type to one of the shared filesystem types",
		},
		{
			name: "sfs/type_empty", stage: badInputAtValidate,
			config:    badInputSFS(`type = ""`),
			attribute: "type", fix: "must be at least 1",
		},
		{
			name: "sfs/location_unknown", stage: badInputAtPlan,
			config:    badInputSFS(`location = "XX-99"`),
			attribute: `location "XX-99"`, fix: "Set location to one of",
		},
		{
			name: "sfs/source_volume_missing", stage: badInputAtPlan,
			config:    badInputSFS(`source_volume_id = "` + badInputUnknownVolume + `"`),
			attribute: "source_volume_id", fix: "Set source_volume_id to the id of an existing volume",
		},
		{
			name: "sfs/clone_smaller_than_source", stage: badInputAtPlan,
			config:    badInputSFS(`source_volume_id = "` + comfyProductionSFS + `"`),
			attribute: "size is 100", fix: "set size to 2000 or more",
		},
		{
			name: "sfs/argument_misspelled", stage: badInputAtValidate,
			config: badInputSFS(`sizes = 100`),
			// OpenTofu names the argument but suggests no replacement.
			attribute: `"sizes"`, fix: "is not expected here",
		},
		{
			name: "sfs/shrink", stage: badInputAtPlan,
			existing:  badInputSFS(`deletion_protection = false`),
			config:    badInputSFS(`size = 50`, `deletion_protection = false`),
			attribute: "size is now 50", fix: "Set size to 100 or more",
		},
		{
			name: "sfs/replace_under_deletion_protection", stage: badInputAtPlan,
			existing:  badInputSFS(),
			config:    badInputSFS(`type = "HDD_Shared"`),
			after:     badInputSFS(`deletion_protection = false`),
			attribute: "deletion_protection = true", fix: "first set deletion_protection = false and apply that change on its own",
		},

		// The verda_sfs data source.
		{
			name: "sfs_data/id_and_name", stage: badInputAtValidate,
			config: `
data "verda_sfs" "test" {
  id   = "` + comfyProductionSFS + `"
  name = "production-sfs"
}
`,
			attribute: "[id,name]", fix: "Exactly one of these attributes must be configured",
		},
		{
			name: "sfs_data/neither_id_nor_name", stage: badInputAtValidate,
			config:    `data "verda_sfs" "test" {}`,
			attribute: "[id,name]", fix: "Exactly one of these attributes must be configured",
		},
		{
			name: "sfs_data/name_empty", stage: badInputAtValidate,
			config:    `data "verda_sfs" "test" { name = "" }`,
			attribute: "name", fix: "must be at least 1",
		},
		{
			name: "sfs_data/id_unknown", stage: badInputAtPlan,
			config:    `data "verda_sfs" "test" { id = "` + badInputUnknownVolume + `" }`,
			attribute: "id", fix: "Check the id, or look the SFS up by name",
		},
		{
			name: "sfs_data/name_unknown", stage: badInputAtPlan,
			config:    `data "verda_sfs" "test" { name = "no-such-sfs" }`,
			attribute: "Set name", fix: `Existing shared filesystems: "production-sfs", "production-sfs-clone". Set name to one of them`,
		},
		{
			name: "sfs_data/name_ambiguous", stage: badInputAtPlan,
			setup: func(t *testing.T, env *accEnv) map[string]string {
				for range 2 {
					if _, err := env.apiClient(t).CreateVolume(apiContext(t), verda.CreateVolumeRequest{
						Type: "NVMe_Shared", Name: "twin-sfs", Size: 50,
					}); err != nil {
						t.Fatalf("creating a volume named twin-sfs: %v", err)
					}
				}
				return nil
			},
			config:    `data "verda_sfs" "test" { name = "twin-sfs" }`,
			attribute: `named "twin-sfs"`, fix: "Look the one you mean up by id instead of name",
		},

		// verda_comfy_deployment.
		{
			name: "deployment/name_empty", stage: badInputAtValidate,
			config:    badInputDeployment(`name = ""`),
			attribute: "name", fix: "length must be between 1 and 63",
		},
		{
			name: "deployment/name_upper_case", stage: badInputAtValidate,
			config:    badInputDeployment(`name = "Comfy_H200"`),
			attribute: "name", fix: "must contain only lower-case letters, digits and hyphens",
		},
		{
			name: "deployment/name_too_long", stage: badInputAtValidate,
			config:    badInputDeployment(`name = "` + strings.Repeat("a", 64) + `"`),
			attribute: "name", fix: "length must be between 1 and 63",
		},
		{
			name: "deployment/name_trailing_hyphen", stage: badInputAtValidate,
			config:    badInputDeployment(`name = "comfy-"`),
			attribute: "name", fix: "start and end with a letter or digit",
		},
		{
			name: "deployment/image_latest", stage: badInputAtValidate,
			config:    badInputDeployment(`image = "ghcr.io/comfyume/comfyui:latest"`),
			attribute: "image", fix: "Pin a version tag or a digest instead",
		},
		{
			name: "deployment/image_untagged", stage: badInputAtValidate,
			config:    badInputDeployment(`image = "ghcr.io/comfyume/comfyui"`),
			attribute: "image", fix: "Pin a version, such as ghcr.io/comfyume/comfyui:0.3.64",
		},
		{
			name: "deployment/image_registry_port_untagged", stage: badInputAtValidate,
			config:    badInputDeployment(`image = "localhost:5000/comfyui"`),
			attribute: "image", fix: "Pin a version",
		},
		{
			name: "deployment/gpu_type_unknown", stage: badInputAtPlan,
			config:    badInputDeployment(`gpu = { type = "H100X" }`),
			attribute: "gpu.type", fix: "Set gpu.type to one of them",
		},
		{
			name: "deployment/gpu_type_empty", stage: badInputAtValidate,
			config:    badInputDeployment(`gpu = { type = "" }`),
			attribute: "gpu.type", fix: "must be at least 1",
		},
		{
			name: "deployment/gpu_count_zero", stage: badInputAtValidate,
			config:    badInputDeployment(`gpu = { type = "H200", count = 0 }`),
			attribute: "gpu.count", fix: "must be at least 1",
		},
		{
			name: "deployment/gpu_count_not_offered", stage: badInputAtPlan,
			config:    badInputDeployment(`gpu = { type = "H200", count = 3 }`),
			attribute: "gpu.count", fix: "Set gpu.count to one of these sizes",
		},
		{
			name: "deployment/port_zero", stage: badInputAtValidate,
			config:    badInputDeployment(`port = 0`),
			attribute: "port", fix: "must be between 1 and 65535",
		},
		{
			name: "deployment/port_too_high", stage: badInputAtValidate,
			config:    badInputDeployment(`port = 70000`),
			attribute: "port", fix: "must be between 1 and 65535",
		},
		{
			name: "deployment/listen_empty", stage: badInputAtValidate,
			config:    badInputDeployment(`listen = ""`),
			attribute: "listen", fix: "must be at least 1",
		},
		{
			name: "deployment/listen_with_space", stage: badInputAtValidate,
			config:    badInputDeployment(`listen = "0.0.0.0 ::"`),
			attribute: "listen", fix: "a comma-separated list without spaces, such as 0.0.0.0",
		},
		{
			name: "deployment/min_replicas_above_max", stage: badInputAtValidate,
			config:    badInputDeployment(`scaling = { min_replicas = 3, max_replicas = 1 }`),
			attribute: "scaling.min_replicas (3) is greater than scaling.max_replicas (1)", fix: "Raise max_replicas or lower min_replicas",
		},
		{
			name: "deployment/max_replicas_zero", stage: badInputAtValidate,
			config:    badInputDeployment(`scaling = { max_replicas = 0 }`),
			attribute: "scaling.max_replicas", fix: "must be at least 1",
		},
		{
			name: "deployment/min_replicas_negative", stage: badInputAtValidate,
			config:    badInputDeployment(`scaling = { min_replicas = -1 }`),
			attribute: "scaling.min_replicas", fix: "must be at least 0",
		},
		{
			name: "deployment/queue_load_below_one", stage: badInputAtValidate,
			config:    badInputDeployment(`scaling = { queue_load_threshold = 0.5 }`),
			attribute: "scaling.queue_load_threshold", fix: "must be at least 1",
		},
		{
			name: "deployment/concurrency_zero", stage: badInputAtValidate,
			config:    badInputDeployment(`scaling = { concurrent_requests_per_replica = 0 }`),
			attribute: "scaling.concurrent_requests_per_replica", fix: "must be at least 1",
		},
		{
			name: "deployment/queue_ttl_zero", stage: badInputAtValidate,
			config:    badInputDeployment(`scaling = { queue_message_ttl_seconds = 0 }`),
			attribute: "scaling.queue_message_ttl_seconds", fix: "must be at least 1",
		},
		{
			name: "deployment/scale_down_delay_negative", stage: badInputAtValidate,
			config:    badInputDeployment(`scaling = { scale_down_delay_seconds = -5 }`),
			attribute: "scaling.scale_down_delay_seconds", fix: "must be at least 0",
		},
		{
			name: "deployment/output_directory_outside_sfs", stage: badInputAtValidate,
			config:    badInputDeployment(`output_directory = "/tmp/outputs"`),
			attribute: "output_directory is /tmp/outputs", fix: "Move output_directory below one of them",
		},
		{
			name: "deployment/output_directory_without_sfs", stage: badInputAtValidate,
			config:    badInputDeployment(`-sfs_mounts`),
			attribute: "output_directory is /mnt/sfs/outputs", fix: "Add an SFS mount",
		},
		{
			name: "deployment/output_directory_relative", stage: badInputAtValidate,
			config:    badInputDeployment(`output_directory = "outputs"`),
			attribute: "output_directory", fix: "must be an absolute path",
		},
		{
			name: "deployment/extra_model_paths_relative", stage: badInputAtValidate,
			config:    badInputDeployment(`extra_model_paths_config = "extra_model_paths.yaml"`),
			attribute: "extra_model_paths_config", fix: "must be an absolute path",
		},
		{
			name: "deployment/extra_args_managed_port", stage: badInputAtValidate,
			config:    badInputDeployment(`extra_args = ["--port", "8189"]`),
			attribute: "extra_args[0]", fix: "set the port argument instead",
		},
		{
			name: "deployment/extra_args_managed_with_equals", stage: badInputAtValidate,
			config:    badInputDeployment(`extra_args = ["--preview-method", "auto", "--output-directory=/mnt/sfs/x"]`),
			attribute: "extra_args[2]", fix: "set the output_directory argument instead",
		},
		{
			name: "deployment/extra_args_start_with_value", stage: badInputAtValidate,
			config:    badInputDeployment(`extra_args = ["auto", "--preview-method"]`),
			attribute: "extra_args[0]", fix: `must start with a long option (starting with "--")`,
		},
		{
			name: "deployment/entrypoint_empty", stage: badInputAtValidate,
			config:    badInputDeployment(`entrypoint = []`),
			attribute: "entrypoint", fix: "must contain at least 1 elements",
		},
		{
			name: "deployment/entrypoint_blank_element", stage: badInputAtValidate,
			config:    badInputDeployment(`entrypoint = ["python3", ""]`),
			attribute: "entrypoint[1]", fix: "must be at least 1",
		},
		{
			name: "deployment/sfs_mount_path_relative", stage: badInputAtValidate,
			config:    badInputDeployment(`sfs_mounts = [{ volume_id = "` + comfyProductionSFS + `", mount_path = "mnt/sfs" }]`),
			attribute: "sfs_mounts[0].mount_path", fix: "must be an absolute path",
		},
		{
			name: "deployment/sfs_volume_missing", stage: badInputAtPlan,
			config:    badInputDeployment(`sfs_mounts = [{ volume_id = "` + badInputUnknownVolume + `" }]`),
			attribute: badInputUnknownVolume, fix: "Set it to the id of an existing shared filesystem",
		},
		{
			name: "deployment/sfs_volume_is_block_volume", stage: badInputAtPlan,
			setup: func(t *testing.T, env *accEnv) map[string]string {
				id, err := env.apiClient(t).CreateVolume(apiContext(t), verda.CreateVolumeRequest{
					Type: "NVMe", Name: "block-volume", Size: 50,
				})
				if err != nil {
					t.Fatalf("creating a block volume: %v", err)
				}
				return map[string]string{"block_volume_id": id}
			},
			config:    badInputDeployment(`sfs_mounts = [{ volume_id = "{{block_volume_id}}" }]`),
			attribute: `"block-volume"`, fix: "Use a volume of a shared type such as NVMe_Shared",
		},
		{
			name: "deployment/mount_path_twice", stage: badInputAtValidate,
			config:    badInputDeployment(`scratch_mounts = [{ mount_path = "/mnt/sfs" }]`),
			attribute: "/mnt/sfs is mounted twice", fix: "Give each mount its own path",
		},
		{
			name: "deployment/scratch_mount_relative", stage: badInputAtValidate,
			config:    badInputDeployment(`scratch_mounts = [{ mount_path = "data" }]`),
			attribute: "scratch_mounts[0].mount_path", fix: "must be an absolute path",
		},
		{
			name: "deployment/secret_mount_relative", stage: badInputAtValidate,
			config:    badInputDeployment(`secret_mounts = [{ secret_name = "certs", mount_path = "certs" }]`),
			attribute: "secret_mounts[0].mount_path", fix: "must be an absolute path",
		},
		{
			name: "deployment/secret_mount_missing", stage: badInputAtPlan,
			config:    badInputDeployment(`secret_mounts = [{ secret_name = "no-such-file-secret", mount_path = "/certs" }]`),
			attribute: "secret_mounts[0].secret_name", fix: "Create it first",
		},
		{
			name: "deployment/memory_mount_zero", stage: badInputAtValidate,
			config:    badInputDeployment(`memory_mount = { size_in_mb = 0 }`),
			attribute: "memory_mount.size_in_mb", fix: "must be at least 1",
		},
		{
			name: "deployment/env_name_with_hyphen", stage: badInputAtValidate,
			config:    badInputDeployment(`env = { "MY-VAR" = "1" }`),
			attribute: "env", fix: "must be a variable name: letters, digits and underscores",
		},
		{
			name: "deployment/env_not_a_map", stage: badInputAtValidate,
			config:    badInputDeployment(`env = ["A=1"]`),
			attribute: `"env"`, fix: "map of string required",
		},
		{
			name: "deployment/env_and_secret_env_same_name", stage: badInputAtValidate,
			config:    badInputDeployment(`env = { HF_TOKEN = "x" }`, `secret_env = { HF_TOKEN = "hf-token" }`),
			attribute: "HF_TOKEN is in both env and secret_env", fix: "Keep it in secret_env if its value is a secret",
		},
		{
			name: "deployment/secret_env_name_invalid", stage: badInputAtValidate,
			config:    badInputDeployment(`secret_env = { "1ST" = "hf-token" }`),
			attribute: "secret_env", fix: "must be a variable name",
		},
		{
			name: "deployment/secret_env_secret_empty", stage: badInputAtValidate,
			config:    badInputDeployment(`secret_env = { HF_TOKEN = "" }`),
			attribute: "secret_env", fix: "must be at least 1",
		},
		{
			name: "deployment/secret_env_secret_missing", stage: badInputAtPlan,
			config:    badInputDeployment(`secret_env = { HF_TOKEN = "no-such-secret" }`),
			attribute: "secret_env.HF_TOKEN", fix: "Create it first",
		},
		{
			name: "deployment/registry_credentials_empty", stage: badInputAtValidate,
			config:    badInputDeployment(`registry_credentials = ""`),
			attribute: "registry_credentials", fix: "must be at least 1",
		},
		{
			name: "deployment/registry_credentials_missing", stage: badInputAtPlan,
			config:    badInputDeployment(`registry_credentials = "no-such-credentials"`),
			attribute: "registry_credentials", fix: "Create them first, or fix the name",
		},
		{
			name: "deployment/healthcheck_path_relative", stage: badInputAtValidate,
			config:    badInputDeployment(`healthcheck = { path = "system_stats" }`),
			attribute: "healthcheck.path", fix: "must start with /",
		},
		{
			name: "deployment/healthcheck_port_zero", stage: badInputAtValidate,
			config:    badInputDeployment(`healthcheck = { port = 0 }`),
			attribute: "healthcheck.port", fix: "must be between 1 and 65535",
		},
		{
			name: "deployment/probe_path_relative", stage: badInputAtValidate,
			config:    badInputDeployment(`health_probe = { path = "system_stats" }`),
			attribute: "health_probe.path", fix: "must start with /",
		},
		{
			name: "deployment/probe_without_inference_key", stage: badInputAtPlan,
			provider:  badInputProviderWith(`-inference_api_key`),
			config:    badInputDeployment(`health_probe = { enabled = true }`),
			attribute: "health_probe.enabled is true", fix: "Set inference_api_key in the provider block",
		},
		{
			name: "deployment/probe_model_folder_legacy", stage: badInputAtValidate,
			config:    badInputDeployment(`health_probe = { required_models = { unet = ["flux1-dev.safetensors"] } }`),
			attribute: "health_probe.required_models", fix: "Use diffusion_models as the key",
		},
		{
			name: "deployment/probe_model_folder_is_path", stage: badInputAtValidate,
			config:    badInputDeployment(`health_probe = { required_models = { "models/checkpoints" = ["sd_xl_base_1.0.safetensors"] } }`),
			attribute: "health_probe.required_models", fix: "such as checkpoints",
		},
		{
			name: "deployment/smoke_test_without_output_directory", stage: badInputAtValidate,
			config:    badInputDeployment(`output_directory = ""`, `health_probe = { smoke_test = true }`),
			attribute: "output_directory is empty", fix: "Set output_directory to a path inside one of sfs_mounts",
		},
		{
			name: "deployment/on_failed_update_unknown", stage: badInputAtValidate,
			config:    badInputDeployment(`on_failed_update = "retry"`),
			attribute: "on_failed_update", fix: `must be one of: \["rollback" "keep"\]`,
		},
		{
			name: "deployment/timeout_malformed", stage: badInputAtValidate,
			config: badInputDeployment(`timeouts { create = "soon" }`),
			// terraform-plugin-framework-timeouts names only the value.
			attribute: `create = "soon"`, attributeQuoted: true, fix: `such as "300ms"`,
		},
		{
			name: "deployment/argument_misspelled", stage: badInputAtValidate,
			config:    badInputDeployment(`extra_arg = ["--preview-method", "auto"]`),
			attribute: `"extra_arg"`, fix: "is not expected here",
		},

		// verda_deployment_drift.
		{
			name: "drift/names_and_name_prefix", stage: badInputAtValidate,
			config:    badInputDrift(`names = ["comfy-h200-spot"]`, `name_prefix = "comfy-"`),
			attribute: "name_prefix", fix: "cannot be specified when",
		},
		{
			name: "drift/names_empty", stage: badInputAtValidate,
			config:    badInputDrift(`names = []`),
			attribute: "names", fix: "must contain at least 1 elements",
		},
		{
			name: "drift/names_duplicated", stage: badInputAtValidate,
			config:    badInputDrift(`names = ["comfy-h200-spot", "comfy-h200-spot"]`),
			attribute: `names lists "comfy-h200-spot" more than once`, fix: "List each deployment once",
		},
		{
			name: "drift/name_prefix_empty", stage: badInputAtValidate,
			config:    badInputDrift(`name_prefix = ""`),
			attribute: "name_prefix", fix: "must be at least 1",
		},
		{
			name: "drift/allowed_difference_unknown", stage: badInputAtValidate,
			config:    badInputDrift(`consistency = true`, `allowed_differences = ["gpu"]`),
			attribute: "allowed_differences", fix: "must be one of the consistency attribute names",
		},
		{
			name: "drift/baseline_image_latest", stage: badInputAtValidate,
			config:    badInputDrift(`baseline = { image = "ghcr.io/comfyume/comfyui:latest" }`),
			attribute: `image "ghcr.io/comfyume/comfyui:latest" uses the latest tag`, fix: "Pin a version tag or a digest instead",
		},
		{
			name: "drift/baseline_healthcheck_path_relative", stage: badInputAtValidate,
			config:    badInputDrift(`baseline = { healthcheck_path = "system_stats" }`),
			attribute: "baseline.healthcheck_path", fix: "must be an absolute path",
		},
		{
			name: "drift/baseline_port_zero", stage: badInputAtValidate,
			config:    badInputDrift(`baseline = { exposed_port = 0 }`),
			attribute: "baseline.exposed_port", fix: "must be between 1 and 65535",
		},
		{
			name: "drift/baseline_required_args_key", stage: badInputAtValidate,
			config:    badInputDrift(`baseline = { required_args = { listen = "0.0.0.0" } }`),
			attribute: "baseline.required_args", fix: "must be a long flag such as --output-directory",
		},
		{
			name: "drift/baseline_forbidden_args", stage: badInputAtValidate,
			config:    badInputDrift(`baseline = { forbidden_args = ["cpu"] }`),
			attribute: "baseline.forbidden_args", fix: "must be a long flag",
		},
		{
			name: "drift/baseline_queue_load_negative", stage: badInputAtValidate,
			config:    badInputDrift(`baseline = { queue_load_threshold = -1 }`),
			attribute: "baseline.queue_load_threshold", fix: "must be at least",
		},
		{
			name: "drift/baseline_min_replicas_above_max", stage: badInputAtValidate,
			config:    badInputDrift(`baseline = { min_replicas = 3, max_replicas = 1 }`),
			attribute: "baseline.min_replicas (3) is greater than baseline.max_replicas (1)", fix: "Raise max_replicas or lower min_replicas",
		},
		{
			name: "drift/baseline_env_name", stage: badInputAtValidate,
			config:    badInputDrift(`baseline = { env = { "bad-name" = "x" } }`),
			attribute: "baseline.env", fix: "must be an environment variable name",
		},
		{
			name: "drift/baseline_secret_env_names", stage: badInputAtValidate,
			config:    badInputDrift(`baseline = { secret_env_names = ["bad-name"] }`),
			attribute: "baseline.secret_env_names", fix: "must be an environment variable name",
		},
		{
			name: "drift/baseline_sfs_mount_path_relative", stage: badInputAtValidate,
			config:    badInputDrift(`baseline = { sfs_mount_path = "mnt/sfs" }`),
			attribute: "baseline.sfs_mount_path", fix: "must be an absolute path",
		},

		// verda_compute_resources.
		{
			name: "compute_resources/available_only_not_bool", stage: badInputAtValidate,
			config:    `data "verda_compute_resources" "test" { available_only = "maybe" }`,
			attribute: `"available_only"`, fix: "a bool is required",
		},
		{
			name: "compute_resources/argument_misspelled", stage: badInputAtValidate,
			config:    `data "verda_compute_resources" "test" { available = true }`,
			attribute: `"available"`, fix: "is not expected here",
		},
	}
}

// TestAccBadInput_rejectedAtPlan runs `tofu plan` on every invalid
// configuration. Each must fail with a diagnostic that names the attribute
// and the fix, and the emulator must see no mutating request. A case that
// passes `tofu validate` may read from the API; one that `tofu validate`
// rejects, or whose provider block is invalid, must make no request at all.
func TestAccBadInput_rejectedAtPlan(t *testing.T) {
	t.Parallel()
	cases := badInputCases()
	if len(cases) < 40 {
		t.Fatalf("only %d cases; the matrix needs at least 40", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			badInputRunPlan(t, c)
		})
	}
}

// badInputRunPlan applies c.existing if set, then plans c.config and checks
// the error and the request log.
func badInputRunPlan(t *testing.T, c badInputCase) {
	env := newAccEnv(t).withProductionSeed()
	var values map[string]string
	if c.setup != nil {
		values = c.setup(t, env)
	}
	providerBlock := env.providerBlock()
	if c.provider != nil {
		providerBlock = c.provider(env.server.BaseURL)
	}
	config := providerBlock + badInputFill(c.config, values)

	// The request log is captured when the bad configuration has been
	// planned, before the final destroy adds its own requests.
	var (
		mu         sync.Mutex
		planning   bool
		failures   []string
		requests   int
		mutations  []string
		unexpected error
	)
	steps := []resource.TestStep{}
	if c.existing != "" {
		steps = append(steps, resource.TestStep{Config: providerBlock + c.existing})
	}
	steps = append(steps, resource.TestStep{
		PreConfig: func() {
			mu.Lock()
			defer mu.Unlock()
			env.emu.ClearRequests()
			planning = true
		},
		Config:   config,
		PlanOnly: true,
	})
	if c.after != "" {
		steps = append(steps, resource.TestStep{
			PreConfig: func() {
				mu.Lock()
				defer mu.Unlock()
				planning = false
			},
			Config: providerBlock + c.after,
		})
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		ErrorCheck: func(err error) error {
			mu.Lock()
			defer mu.Unlock()
			if !planning {
				unexpected = err
				return err
			}
			planning = false
			failures = append(failures, err.Error())
			requests = len(env.emu.Requests())
			for _, rec := range env.emu.MutatingRequests() {
				mutations = append(mutations, rec.Method+" "+rec.Path)
			}
			return nil
		},
		Steps: steps,
	})

	mu.Lock()
	defer mu.Unlock()
	if unexpected != nil {
		return
	}
	if len(failures) != 1 {
		t.Fatalf("the plan of the bad configuration did not fail; configuration:\n%s", config)
	}
	output := failures[0]
	if strings.Contains(output, "plan was not empty") {
		t.Fatalf("the plan of the bad configuration succeeded instead of failing:\n%s", output)
	}
	message := badInputDiagnosticText(output)
	attributeText := message
	if c.attributeQuoted {
		attributeText = output
	}
	if !badInputPattern(c.attribute).MatchString(attributeText) {
		t.Errorf("the diagnostic does not name the attribute (%q):\n%s", c.attribute, message)
	}
	if !badInputPattern(c.fix).MatchString(message) {
		t.Errorf("the diagnostic does not name the fix (%q):\n%s", c.fix, message)
	}
	if len(mutations) != 0 {
		t.Errorf("the rejected plan made mutating API requests: %v", mutations)
	}
	if c.stage != badInputAtPlan && requests != 0 {
		t.Errorf("a configuration rejected at %s made %d API requests, want none", c.stage, requests)
	}
}

// badInputFill replaces the {{key}} placeholders of config. A placeholder
// without a value becomes a well-formed id that no object has.
func badInputFill(config string, values map[string]string) string {
	for key, value := range values {
		config = strings.ReplaceAll(config, "{{"+key+"}}", value)
	}
	return regexp.MustCompile(`\{\{\w+\}\}`).ReplaceAllString(config, badInputUnknownVolume)
}

// badInputDiagnosticText removes the lines of an OpenTofu error that quote
// the configuration (`with …`, `on … line N`, `N: …`), so that an attribute
// counts as named only when the diagnostic's own text names it.
func badInputDiagnosticText(output string) string {
	quoted := regexp.MustCompile(`^\s*(with \S+,|on \S+ line \d+.*|\d+:.*|\(source code not available\))$`)
	var diagnosticLines []string
	for _, line := range strings.Split(output, "\n") {
		if quoted.MatchString(line) {
			continue
		}
		diagnosticLines = append(diagnosticLines, line)
	}
	return strings.Join(diagnosticLines, "\n")
}

// badInputPattern matches text in an OpenTofu diagnostic, which OpenTofu
// wraps at any space. A text that contains `\[` is a regular expression
// already and only gets the wrapping.
func badInputPattern(text string) *regexp.Regexp {
	if strings.Contains(text, `\[`) {
		return regexp.MustCompile(strings.Join(strings.Fields(text), `\s+`))
	}
	words := strings.Fields(text)
	for i, w := range words {
		words[i] = regexp.QuoteMeta(w)
	}
	return regexp.MustCompile(strings.Join(words, `\s+`))
}

// TestAccBadInput_validateStage runs `tofu validate` on every case: those
// marked for validation must fail there with the same diagnostic, and the
// others must pass it, which shows that only a configured provider can see
// the mistake. Validation never configures the provider, so it makes no API
// request.
func TestAccBadInput_validateStage(t *testing.T) {
	t.Parallel()
	tofu := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if os.Getenv("TF_ACC") == "" || tofu == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
	for _, c := range badInputCases() {
		if c.existing != "" {
			// A rule that compares with the state cannot be validated alone.
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			providerBlock := badInputProvider(deadBaseURL)
			if c.provider != nil {
				providerBlock = c.provider(deadBaseURL)
			}
			result := badInputValidate(t, tofu, providerBlock+badInputFill(c.config, nil))

			if c.stage != badInputAtValidate {
				if !result.Valid {
					t.Fatalf("tofu validate rejected a configuration that only %s can check:\n%s", c.stage, result.text())
				}
				return
			}
			if result.Valid {
				t.Fatalf("tofu validate accepted the bad configuration")
			}
			attributeText := result.text()
			if c.attributeQuoted {
				attributeText = result.textWithSource()
			}
			if !badInputPattern(c.attribute).MatchString(attributeText) {
				t.Errorf("the diagnostic does not name the attribute (%q):\n%s", c.attribute, attributeText)
			}
			if !badInputPattern(c.fix).MatchString(result.text()) {
				t.Errorf("the diagnostic does not name the fix (%q):\n%s", c.fix, result.text())
			}
		})
	}
}

// badInputValidation is the output of `tofu validate -json`.
type badInputValidation struct {
	Valid       bool `json:"valid"`
	Diagnostics []struct {
		Severity string `json:"severity"`
		Summary  string `json:"summary"`
		Detail   string `json:"detail"`
		Snippet  struct {
			Code string `json:"code"`
		} `json:"snippet"`
	} `json:"diagnostics"`
}

// text returns the summary and detail of every error, without the quoted
// source.
func (v badInputValidation) text() string {
	var b strings.Builder
	for _, d := range v.Diagnostics {
		if d.Severity == "error" {
			fmt.Fprintf(&b, "Error: %s\n%s\n\n", d.Summary, d.Detail)
		}
	}
	return b.String()
}

// textWithSource is text with the quoted source line of each error.
func (v badInputValidation) textWithSource() string {
	var b strings.Builder
	for _, d := range v.Diagnostics {
		if d.Severity == "error" {
			fmt.Fprintf(&b, "Error: %s\n%s\n%s\n\n", d.Summary, d.Snippet.Code, d.Detail)
		}
	}
	return b.String()
}

// badInputValidate writes config into a new directory and runs `tofu init`
// and `tofu validate -json` against the provider served from this process.
func badInputValidate(t *testing.T, tofu, config string) badInputValidation {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(badInputRequiredProviders+config), 0o600); err != nil {
		t.Fatalf("writing the configuration: %v", err)
	}
	if out, err := badInputTofu(t, tofu, dir, "init", "-input=false", "-no-color", "-backend=false"); err != nil {
		t.Fatalf("tofu init failed: %v\n%s", err, out)
	}
	out, _ := badInputTofu(t, tofu, dir, "validate", "-json", "-no-color")
	var result badInputValidation
	if err := json.Unmarshal([]byte(out), &result); err != nil {
		t.Fatalf("decoding the output of tofu validate -json: %v\n%s", err, out)
	}
	return result
}

const badInputRequiredProviders = `
terraform {
  required_providers {
    verda = {
      source = "registry.opentofu.org/comfyume/verda"
    }
  }
}
`

// badInputTofu runs one OpenTofu command in dir against a provider server
// that this process starts for the command, as terraform-plugin-testing
// does, and returns its standard output.
func badInputTofu(t *testing.T, tofu, dir string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	reattach, stop := badInputServeProvider(t, ctx)
	defer stop()

	cmd := exec.CommandContext(ctx, tofu, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TF_REATTACH_PROVIDERS="+reattach)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil && stderr.Len() > 0 {
		err = fmt.Errorf("%w: %s", err, stderr.String())
	}
	return string(out), err
}

// badInputServeProvider serves the provider in this process and returns the
// TF_REATTACH_PROVIDERS value that points OpenTofu at it, and a function
// that stops the server.
func badInputServeProvider(t *testing.T, ctx context.Context) (string, func()) {
	t.Helper()
	serveCtx, cancel := context.WithCancel(ctx)
	reattachCh := make(chan *plugin.ReattachConfig)
	closeCh := make(chan struct{})
	const address = "registry.opentofu.org/comfyume/verda"

	go func() {
		err := tf6server.Serve(address, providerserver.NewProtocol6(New("test")()),
			tf6server.WithDebug(serveCtx, reattachCh, closeCh),
			tf6server.WithGoPluginLogger(hclog.NewNullLogger()),
			// The test sink keeps provider logs off stderr unless TF_LOG requests them.
			tf6server.WithLoggingSink(t))
		if err != nil {
			t.Errorf("serving the provider: %v", err)
		}
	}()

	var cfg *plugin.ReattachConfig
	select {
	case cfg = <-reattachCh:
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatal("the provider server did not start within 10s")
	}
	type addr struct{ Network, String string }
	type reattach struct {
		Protocol        string
		ProtocolVersion int
		Pid             int
		Test            bool
		Addr            addr
	}
	data, err := json.Marshal(map[string]reattach{address: {
		Protocol:        string(cfg.Protocol),
		ProtocolVersion: cfg.ProtocolVersion,
		Pid:             cfg.Pid,
		Test:            cfg.Test,
		Addr:            addr{Network: cfg.Addr.Network(), String: cfg.Addr.String()},
	}})
	if err != nil {
		cancel()
		t.Fatalf("encoding the reattach configuration: %v", err)
	}
	return string(data), func() {
		cancel()
		<-closeCh
	}
}

// badInputValidConfig combines the defaults that the cases start from.
func badInputValidConfig() string {
	return badInputSFS() + badInputDeployment() + badInputDrift(`names = ["comfy-h200-spot"]`) + badInputComputeResources + `
data "verda_sfs" "test" {
  name = "production-sfs"
}
`
}

// TestAccBadInput_defaultsAreValid plans the defaults that every case
// changes in one place, so that each rejection above comes from the case's
// change and not from the defaults.
func TestAccBadInput_defaultsAreValid(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t).withProductionSeed()

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:             env.providerBlock() + badInputValidConfig(),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
	if got := comfyMutations(env); len(got) != 0 {
		t.Errorf("planning the defaults made mutating API requests: %v", got)
	}

	tofu := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if result := badInputValidate(t, tofu, badInputProvider(deadBaseURL)+badInputValidConfig()); !result.Valid {
		t.Errorf("tofu validate rejected the defaults:\n%s", result.text())
	}
}
