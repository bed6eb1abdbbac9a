package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/comfyume/terraform-provider-verda/internal/emulator"
	"github.com/comfyume/terraform-provider-verda/internal/verda"
)

// The production fixture's deployments, in the order findings are sorted.
var driftProductionNames = []string{"comfy-b200", "comfy-b200-spot", "comfy-h200", "comfy-h200-spot"}

// driftAuditSummary is the report of the production fixture against the
// documented settings: --output-directory missing on three deployments, the
// healthcheck on "/" and a queue-load threshold of 2 on all four.
var driftAuditSummary = strings.Join([]string{
	`comfy-b200: healthcheck_path is "/", expected "/system_stats" [changed]`,
	`comfy-b200: --output-directory is not in the container command, expected "/mnt/sfs/outputs" [missing]`,
	`comfy-b200: queue_load_threshold is 2, expected 1 [changed]`,
	`comfy-b200-spot: healthcheck_path is "/", expected "/system_stats" [changed]`,
	`comfy-b200-spot: --output-directory is not in the container command, expected "/mnt/sfs/outputs" [missing]`,
	`comfy-b200-spot: queue_load_threshold is 2, expected 1 [changed]`,
	`comfy-h200: healthcheck_path is "/", expected "/system_stats" [changed]`,
	`comfy-h200: --output-directory is not in the container command, expected "/mnt/sfs/outputs" [missing]`,
	`comfy-h200: queue_load_threshold is 2, expected 1 [changed]`,
	`comfy-h200-spot: healthcheck_path is "/", expected "/system_stats" [changed]`,
	`comfy-h200-spot: queue_load_threshold is 2, expected 1 [changed]`,
}, "\n")

const driftAuditBaseline = `
  baseline = {
    output_directory     = "/mnt/sfs/outputs"
    healthcheck_path     = "/system_stats"
    queue_load_threshold = 1
  }
`

func TestAccDeploymentDrift_productionAudit(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t).withProductionSeed()
	config := env.config(`
data "verda_deployment_drift" "audit" {` + driftAuditBaseline + `}

output "summary" {
  value = data.verda_deployment_drift.audit.summary
}
`)

	var findings []knownvalue.Check
	for _, name := range driftProductionNames {
		findings = append(findings, driftFindingCheck(name, "healthcheck_path", "changed", "/system_stats", "/"))
		if name != "comfy-h200-spot" {
			findings = append(findings, driftFindingCheck(name, "output_directory", "missing", "/mnt/sfs/outputs", nil))
		}
		findings = append(findings, driftFindingCheck(name, "queue_load_threshold", "changed", "1", "2"))
	}
	deployments := map[string]knownvalue.Check{}
	for _, name := range driftProductionNames {
		count := int64(3)
		if name == "comfy-h200-spot" {
			count = 2
		}
		deployments[name] = knownvalue.ObjectExact(map[string]knownvalue.Check{
			"drifted":       knownvalue.Bool(true),
			"finding_count": knownvalue.Int64Exact(count),
			"status":        knownvalue.StringExact("healthy"),
			"image":         knownvalue.StringExact("ghcr.io/comfyume/comfyui:0.3.64-cu128"),
			"command":       knownvalue.NotNull(),
		})
	}
	addr := "data.verda_deployment_drift.audit"

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("drifted"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("drift_count"), knownvalue.Int64Exact(11)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("findings"), knownvalue.ListExact(findings)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("deployments"), knownvalue.MapExact(deployments)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("summary"), knownvalue.StringExact(driftAuditSummary)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("check_status"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("consistency"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("deployments").AtMapKey("comfy-h200-spot").AtMapKey("command"),
						knownvalue.ListExact(driftStringChecks("python3", "/app/ComfyUI/main.py", "--listen", "0.0.0.0", "--port", "8188",
							"--extra-model-paths-config", "/mnt/sfs/extra_model_paths.yaml", "--output-directory", "/mnt/sfs/outputs"))),
				},
			},
			{
				// A second read of the unchanged account gives the same report, so the output does not change.
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})

	driftAssertReadCost(t, env, len(driftProductionNames), len(driftProductionNames))
}

func TestAccDeploymentDrift_checkBlockWarns(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t).withProductionSeed()

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.config(`
check "fleet" {
  data "verda_deployment_drift" "fleet" {` + driftAuditBaseline + `}

  assert {
    condition     = !data.verda_deployment_drift.fleet.drifted
    error_message = data.verda_deployment_drift.fleet.summary
  }
}

check "outputs_on_sfs" {
  data "verda_deployment_drift" "spot" {
    names = ["comfy-h200-spot"]
    baseline = {
      output_directory = "/mnt/sfs/outputs"
    }
  }

  assert {
    condition     = !data.verda_deployment_drift.spot.drifted
    error_message = data.verda_deployment_drift.spot.summary
  }
}
`),
				// A failed check block is a warning: the plan and apply succeed,
				// and the plan records the failure with the summary as its message.
				// Data sources in check blocks are read again on every plan, so
				// the plan after apply is never empty.
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						driftExpectCheckBlock{name: "fleet", status: tfjson.CheckStatusFail, message: driftAuditSummary},
						driftExpectCheckBlock{name: "outputs_on_sfs", status: tfjson.CheckStatusPass},
					},
				},
			},
		},
	})
}

func TestAccDeploymentDrift_postconditionFailsPlan(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t).withProductionSeed()
	postcondition := `
  lifecycle {
    postcondition {
      condition     = !self.drifted
      error_message = self.summary
    }
  }
`

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.config(`
data "verda_deployment_drift" "outputs" {
  names = ["comfy-h200-spot"]
  baseline = {
    output_directory = "/mnt/sfs/outputs"
  }
` + postcondition + `}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.verda_deployment_drift.outputs", tfjsonpath.New("drifted"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue("data.verda_deployment_drift.outputs", tfjsonpath.New("summary"),
						knownvalue.StringExact("No drift in 1 deployment(s).")),
				},
			},
			{
				Config: env.config(`
data "verda_deployment_drift" "outputs" {
  names = ["comfy-h200-spot", "comfy-h200"]
  baseline = {
    output_directory = "/mnt/sfs/outputs"
  }
` + postcondition + `}
`),
				ExpectError: driftErrorPattern(`comfy-h200: --output-directory is not in the container command, expected "/mnt/sfs/outputs" [missing]`),
			},
		},
	})

	if got := env.emu.MutatingRequests(); len(got) != 0 {
		t.Errorf("the drift check sent %d mutating requests, want none: %+v", len(got), got)
	}
}

func TestAccDeploymentDrift_consistencyImageOutlier(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t).withProductionSeed()
	driftPatchContainer(t, env, "comfy-b200", func(c *verda.Container) {
		c.Image.Image = "ghcr.io/comfyume/comfyui:0.3.60-cu128"
	})

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.config(`
data "verda_deployment_drift" "fleet" {
  consistency  = true
  check_status = false
}

data "verda_deployment_drift" "strict" {
  consistency         = true
  check_status        = false
  allowed_differences = []
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.verda_deployment_drift.fleet", tfjsonpath.New("allowed_differences"),
						knownvalue.SetExact(driftStringChecks("gpu_count", "gpu_type", "is_spot"))),
					// GPU type and spot differ two against two, and the default allows it.
					statecheck.ExpectKnownValue("data.verda_deployment_drift.fleet", tfjsonpath.New("findings"), knownvalue.ListExact([]knownvalue.Check{
						driftFindingCheck("comfy-b200", "image", "inconsistent",
							"ghcr.io/comfyume/comfyui:0.3.64-cu128", "ghcr.io/comfyume/comfyui:0.3.60-cu128"),
						driftFindingCheck("comfy-h200-spot", "args.--output-directory", "inconsistent", nil, "/mnt/sfs/outputs"),
					})),
					// Without allowed differences, the reference of a two-two tie is comfy-b200's value (B200, on-demand).
					statecheck.ExpectKnownValue("data.verda_deployment_drift.strict", tfjsonpath.New("findings"), knownvalue.ListExact([]knownvalue.Check{
						driftFindingCheck("comfy-b200", "image", "inconsistent",
							"ghcr.io/comfyume/comfyui:0.3.64-cu128", "ghcr.io/comfyume/comfyui:0.3.60-cu128"),
						driftFindingCheck("comfy-b200-spot", "is_spot", "inconsistent", "false", "true"),
						driftFindingCheck("comfy-h200", "gpu_type", "inconsistent", "B200", "H200"),
						driftFindingCheck("comfy-h200-spot", "args.--output-directory", "inconsistent", nil, "/mnt/sfs/outputs"),
						driftFindingCheck("comfy-h200-spot", "gpu_type", "inconsistent", "B200", "H200"),
						driftFindingCheck("comfy-h200-spot", "is_spot", "inconsistent", "false", "true"),
					})),
				},
			},
		},
	})

	// Consistency compares scaling, so every deployment's scaling is read. Status checks are off.
	driftAssertReadCost(t, env, len(driftProductionNames), 0)
}

func TestAccDeploymentDrift_secretReferenceChanged(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	driftLoadSeedWithSecret(t, env, "hf-token-rotated")
	driftPatchContainer(t, env, "comfy-b200", func(c *verda.Container) {
		driftSetEnv(t, c, verda.EnvVar{Type: verda.EnvSecret, Name: "HF_TOKEN", ValueOrReferenceToSecret: "hf-token-rotated"})
	})
	driftPatchContainer(t, env, "comfy-h200", func(c *verda.Container) {
		driftSetEnv(t, c, verda.EnvVar{Type: verda.EnvPlain, Name: "HF_TOKEN", ValueOrReferenceToSecret: "hf_emulator_placeholder_token"})
	})
	// The second string is the value of secret hf-token in the production fixture, pasted as a plain value.
	leaks := []string{"hf-token-rotated", "hf_emulator_placeholder_token"}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.config(`
data "verda_deployment_drift" "baseline" {
  check_status = false
  baseline = {
    secret_env = {
      HF_TOKEN = "hf-token"
    }
  }
}

data "verda_deployment_drift" "fleet" {
  consistency         = true
  check_status        = false
  allowed_differences = ["gpu_type", "gpu_count", "is_spot", "args.*"]
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.verda_deployment_drift.baseline", tfjsonpath.New("findings"), knownvalue.ListExact([]knownvalue.Check{
						driftFindingCheck("comfy-b200", "env.HF_TOKEN", "changed", nil, nil),
						driftFindingCheck("comfy-h200", "env.HF_TOKEN", "changed", nil, nil),
					})),
					statecheck.ExpectKnownValue("data.verda_deployment_drift.baseline", tfjsonpath.New("summary"), knownvalue.StringExact(strings.Join([]string{
						"comfy-b200: HF_TOKEN references a different secret than the baseline (secret names are not shown) [changed]",
						"comfy-h200: HF_TOKEN is a plain value, expected a secret reference (values are not shown) [changed]",
					}, "\n"))),
					statecheck.ExpectKnownValue("data.verda_deployment_drift.fleet", tfjsonpath.New("findings"), knownvalue.ListExact([]knownvalue.Check{
						driftFindingCheck("comfy-b200", "env.HF_TOKEN", "inconsistent", nil, nil),
						driftFindingCheck("comfy-h200", "env.HF_TOKEN", "inconsistent", nil, nil),
					})),
					driftExpectNoSubstrings{address: "data.verda_deployment_drift.baseline", forbidden: leaks},
					driftExpectNoSubstrings{address: "data.verda_deployment_drift.fleet", forbidden: leaks},
				},
			},
		},
	})
}

func TestAccDeploymentDrift_selectionAndStatus(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t).withProductionSeed()
	if err := env.emu.ForceStatus("comfy-b200-spot", verda.StatusDegraded); err != nil {
		t.Fatalf("forcing the status of comfy-b200-spot: %v", err)
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.config(`
data "verda_deployment_drift" "named" {
  names        = ["comfy-h200", "comfy-a100"]
  check_status = false
}

data "verda_deployment_drift" "prefix" {
  name_prefix = "comfy-b200"
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.verda_deployment_drift.named", tfjsonpath.New("findings"), knownvalue.ListExact([]knownvalue.Check{
						driftFindingCheck("comfy-a100", "deployment", "missing", "comfy-a100", nil),
					})),
					statecheck.ExpectKnownValue("data.verda_deployment_drift.named", tfjsonpath.New("deployments"), knownvalue.MapExact(map[string]knownvalue.Check{
						"comfy-a100": knownvalue.ObjectExact(map[string]knownvalue.Check{
							"drifted": knownvalue.Bool(true), "finding_count": knownvalue.Int64Exact(1),
							"status": knownvalue.Null(), "image": knownvalue.Null(), "command": knownvalue.Null(),
						}),
						"comfy-h200": knownvalue.ObjectExact(map[string]knownvalue.Check{
							"drifted": knownvalue.Bool(false), "finding_count": knownvalue.Int64Exact(0),
							"status": knownvalue.Null(), "image": knownvalue.StringExact("ghcr.io/comfyume/comfyui:0.3.64-cu128"),
							"command": knownvalue.ListSizeExact(8),
						}),
					})),
					statecheck.ExpectKnownValue("data.verda_deployment_drift.prefix", tfjsonpath.New("findings"), knownvalue.ListExact([]knownvalue.Check{
						driftFindingCheck("comfy-b200-spot", "status", "unhealthy", "healthy", "degraded"),
					})),
					statecheck.ExpectKnownValue("data.verda_deployment_drift.prefix", tfjsonpath.New("deployments").AtMapKey("comfy-b200").AtMapKey("status"),
						knownvalue.StringExact("healthy")),
					statecheck.ExpectKnownValue("data.verda_deployment_drift.prefix", tfjsonpath.New("deployments"), knownvalue.MapSizeExact(2)),
				},
			},
		},
	})

	// Both data sources are read the same number of times. "named" reads
	// neither scaling nor status; "prefix" reads the status of its two
	// deployments, so there are as many status calls as list calls.
	lists := env.emu.CountRequests("GET", "/v1/container-deployments")
	if got := env.emu.CountRequests("GET", "/v1/container-deployments/*/status"); got != lists {
		t.Errorf("status calls = %d, want %d (one per list call)", got, lists)
	}
	if got := env.emu.CountRequests("GET", "/v1/container-deployments/*/scaling"); got != 0 {
		t.Errorf("scaling calls = %d, want 0 when neither the baseline nor consistency needs scaling", got)
	}
}

func TestAccDeploymentDrift_invalidArguments(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t).withProductionSeed()
	cases := []struct {
		body string
		want string
	}{
		{`names = ["comfy-h200"]
  name_prefix = "comfy-"`, `Invalid Attribute Combination`},
		{`allowed_differences = ["gpu"]`, `must be one of the consistency attribute names listed in the description`},
		{`baseline = { output_directory = "outputs" }`, `must be an absolute path`},
		{`baseline = { required_args = { listen = "0.0.0.0" } }`, `must be a long flag`},
		{`baseline = { secret_env_names = ["HF-TOKEN"] }`, `must be an environment variable name`},
		{`names = []`, `Invalid Attribute Value`},
	}
	var steps []resource.TestStep
	for _, tc := range cases {
		steps = append(steps, resource.TestStep{
			Config:      env.config("data \"verda_deployment_drift\" \"bad\" {\n  " + tc.body + "\n}\n"),
			PlanOnly:    true,
			ExpectError: driftErrorPattern(tc.want),
		})
	}

	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: protoV6ProviderFactories, Steps: steps})

	if got := env.emu.CountRequests("GET", "/v1/container-deployments"); got != 0 {
		t.Errorf("invalid arguments still listed deployments %d times, want 0", got)
	}
}

// driftFindingCheck matches one finding. Expected and actual are a string,
// or nil for null.
func driftFindingCheck(deployment, attribute, kind string, expected, actual any) knownvalue.Check {
	value := func(v any) knownvalue.Check {
		if v == nil {
			return knownvalue.Null()
		}
		return knownvalue.StringExact(v.(string))
	}
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"deployment": knownvalue.StringExact(deployment),
		"attribute":  knownvalue.StringExact(attribute),
		"kind":       knownvalue.StringExact(kind),
		"expected":   value(expected),
		"actual":     value(actual),
		"message":    knownvalue.NotNull(),
	})
}

func driftStringChecks(values ...string) []knownvalue.Check {
	checks := make([]knownvalue.Check, len(values))
	for i, v := range values {
		checks[i] = knownvalue.StringExact(v)
	}
	return checks
}

// driftErrorPattern matches text in an OpenTofu diagnostic, which may wrap
// long lines at any space.
func driftErrorPattern(text string) *regexp.Regexp {
	words := strings.Fields(text)
	for i, w := range words {
		words[i] = regexp.QuoteMeta(w)
	}
	return regexp.MustCompile(strings.Join(words, `\s+`))
}

// driftAssertReadCost checks the calls of every read in the test: one list
// call each, scalingPerList scaling calls and statusPerList status calls per
// list call, and nothing else: no single-deployment GET, no inference call
// and no mutating request.
func driftAssertReadCost(t *testing.T, env *accEnv, scalingPerList, statusPerList int) {
	t.Helper()
	lists := env.emu.CountRequests("GET", "/v1/container-deployments")
	if lists == 0 {
		t.Fatal("the data source never listed the deployments")
	}
	if got := env.emu.CountRequests("GET", "/v1/container-deployments/*/scaling"); got != scalingPerList*lists {
		t.Errorf("scaling calls = %d for %d list calls, want %d", got, lists, scalingPerList*lists)
	}
	if got := env.emu.CountRequests("GET", "/v1/container-deployments/*/status"); got != statusPerList*lists {
		t.Errorf("status calls = %d for %d list calls, want %d", got, lists, statusPerList*lists)
	}
	if got := env.emu.CountRequests("GET", "/v1/container-deployments/*"); got != 0 {
		t.Errorf("single-deployment reads = %d, want 0", got)
	}
	if got := env.emu.CountRequests("", "/inference/**"); got != 0 {
		t.Errorf("inference calls = %d, want 0", got)
	}
	if got := env.emu.MutatingRequests(); len(got) != 0 {
		t.Errorf("the drift check sent %d mutating requests, want none: %+v", len(got), got)
	}
}

// driftPatchContainer changes the first container of a deployment behind the
// provider's back, then clears the request log so that cost checks count only
// the provider's calls.
func driftPatchContainer(t *testing.T, env *accEnv, name string, mutate func(*verda.Container)) {
	t.Helper()
	client, err := verda.New(verda.Config{
		BaseURL:      env.server.BaseURL,
		ClientID:     "emulator-client-id",
		ClientSecret: "emulator-client-secret",
	})
	if err != nil {
		t.Fatalf("creating a client of the emulator: %v", err)
	}
	dep, err := client.GetDeployment(context.Background(), name)
	if err != nil {
		t.Fatalf("reading deployment %s: %v", name, err)
	}
	if len(dep.Containers) == 0 {
		t.Fatalf("deployment %s has no containers", name)
	}
	mutate(&dep.Containers[0])
	patch, err := json.Marshal(verda.UpdateDeploymentRequest{Containers: dep.Containers})
	if err != nil {
		t.Fatalf("encoding the patch of %s: %v", name, err)
	}
	if err := env.emu.PatchDeploymentOutOfBand(name, patch); err != nil {
		t.Fatalf("patching deployment %s out of band: %v", name, err)
	}
	env.emu.ClearRequests()
}

// driftLoadSeedWithSecret loads the production fixture with one more secret,
// so that a deployment can be pointed at it.
func driftLoadSeedWithSecret(t *testing.T, env *accEnv, name string) {
	t.Helper()
	var seed map[string]any
	if err := json.Unmarshal(emulator.ProductionSeed(), &seed); err != nil {
		t.Fatalf("decoding the production seed: %v", err)
	}
	secrets, _ := seed["secrets"].([]any)
	seed["secrets"] = append(secrets, map[string]any{
		"name": name, "value": "rotated-value", "secret_type": "generic", "created_at": "2026-02-01T09:00:00.000Z",
	})
	data, err := json.Marshal(seed)
	if err != nil {
		t.Fatalf("encoding the seed: %v", err)
	}
	if err := env.emu.LoadSeed(data); err != nil {
		t.Fatalf("loading the seed with secret %s: %v", name, err)
	}
}

// driftSetEnv replaces the variable of the same name, which must exist.
func driftSetEnv(t *testing.T, c *verda.Container, v verda.EnvVar) {
	t.Helper()
	for i := range c.Env {
		if c.Env[i].Name == v.Name {
			c.Env[i] = v
			return
		}
	}
	t.Fatalf("container %s has no variable %s", c.Name, v.Name)
}

// driftExpectCheckBlock asserts the result of a check block in the plan.
// OpenTofu prints a failed check as a warning; the plan's JSON form records
// its status and the assertion's error_message.
type driftExpectCheckBlock struct {
	name    string
	status  tfjson.CheckStatus
	message string
}

func (c driftExpectCheckBlock) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, result := range req.Plan.Checks {
		if result.Address.Kind != tfjson.CheckKindCheckBlock || result.Address.Name != c.name {
			continue
		}
		if result.Status != c.status {
			resp.Error = fmt.Errorf("check block %q has status %q, want %q", c.name, result.Status, c.status)
			return
		}
		if c.message == "" {
			return
		}
		var messages []string
		for _, instance := range result.Instances {
			for _, problem := range instance.Problems {
				if problem.Message == c.message {
					return
				}
				messages = append(messages, problem.Message)
			}
		}
		resp.Error = fmt.Errorf("check block %q failed without the expected message\nwant:\n%s\ngot:\n%s", c.name, c.message, strings.Join(messages, "\n---\n"))
		return
	}
	resp.Error = fmt.Errorf("the plan has no result for check block %q", c.name)
}

// driftExpectNoSubstrings asserts that no attribute value of a data source
// contains any of the forbidden strings.
type driftExpectNoSubstrings struct {
	address   string
	forbidden []string
}

func (c driftExpectNoSubstrings) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	if req.State == nil || req.State.Values == nil || req.State.Values.RootModule == nil {
		resp.Error = fmt.Errorf("the state has no root module")
		return
	}
	for _, r := range req.State.Values.RootModule.Resources {
		if r.Address != c.address {
			continue
		}
		raw, err := json.Marshal(r.AttributeValues)
		if err != nil {
			resp.Error = fmt.Errorf("encoding the values of %s: %w", c.address, err)
			return
		}
		for _, s := range c.forbidden {
			if strings.Contains(string(raw), s) {
				resp.Error = fmt.Errorf("%s contains %q in its state: %s", c.address, s, raw)
				return
			}
		}
		return
	}
	resp.Error = fmt.Errorf("%s is not in the state", c.address)
}

// TestAccDeploymentDrift_checkWarningText runs `tofu plan -json` directly,
// because the test framework does not expose warnings, and reads the warning
// that the failed check block produces.
func TestAccDeploymentDrift_checkWarningText(t *testing.T) {
	t.Parallel()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("runs OpenTofu; set TF_ACC=1")
	}
	env := newAccEnv(t).withProductionSeed()
	dir := t.TempDir()
	config := `
terraform {
  required_providers {
    verda = {
      source = "comfyume/verda"
    }
  }
}
` + env.config(`
check "fleet" {
  data "verda_deployment_drift" "fleet" {`+driftAuditBaseline+`}

  assert {
    condition     = !data.verda_deployment_drift.fleet.drifted
    error_message = data.verda_deployment_drift.fleet.summary
  }
}
`)
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o600); err != nil {
		t.Fatalf("writing the configuration: %v", err)
	}
	reattach := driftServeProvider(t)

	driftRunTofu(t, dir, reattach, "init", "-input=false", "-no-color")
	out := driftRunTofu(t, dir, reattach, "plan", "-json", "-input=false", "-no-color")

	var warnings []string
	for _, line := range strings.Split(out, "\n") {
		var msg struct {
			Type       string `json:"type"`
			Diagnostic struct {
				Severity string `json:"severity"`
				Summary  string `json:"summary"`
				Detail   string `json:"detail"`
			} `json:"diagnostic"`
		}
		if json.Unmarshal([]byte(line), &msg) != nil || msg.Type != "diagnostic" {
			continue
		}
		if msg.Diagnostic.Severity == "warning" && msg.Diagnostic.Summary == "Check block assertion failed" {
			warnings = append(warnings, msg.Diagnostic.Detail)
		}
	}
	if len(warnings) != 1 {
		t.Fatalf("got %d check warnings, want 1; plan output:\n%s", len(warnings), out)
	}
	if warnings[0] != driftAuditSummary {
		t.Errorf("warning detail:\n%s\nwant:\n%s", warnings[0], driftAuditSummary)
	}
}

// driftServeProvider serves the provider in this process until the test ends
// and returns the TF_REATTACH_PROVIDERS value that points OpenTofu at it.
func driftServeProvider(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	reattachCh := make(chan *plugin.ReattachConfig, 1)
	closeCh := make(chan struct{})
	serveErr := make(chan error, 1)
	go func() {
		serveErr <- tf6server.Serve("registry.opentofu.org/comfyume/verda",
			providerserver.NewProtocol6(New("test")()),
			tf6server.WithDebug(ctx, reattachCh, closeCh),
			tf6server.WithGoPluginLogger(hclog.NewNullLogger()),
			tf6server.WithLoggingSink(t),
			tf6server.WithoutLogStderrOverride())
	}()
	t.Cleanup(func() {
		cancel()
		<-closeCh
	})

	var cfg *plugin.ReattachConfig
	select {
	case cfg = <-reattachCh:
	case err := <-serveErr:
		t.Fatalf("serving the provider failed: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the provider server did not start within 30s")
	}
	info := map[string]any{
		"registry.opentofu.org/comfyume/verda": map[string]any{
			"Protocol":        string(cfg.Protocol),
			"ProtocolVersion": cfg.ProtocolVersion,
			"Pid":             cfg.Pid,
			"Test":            cfg.Test,
			"Addr":            map[string]string{"Network": cfg.Addr.Network(), "String": cfg.Addr.String()},
		},
	}
	raw, err := json.Marshal(info)
	if err != nil {
		t.Fatalf("encoding the reattach configuration: %v", err)
	}
	return string(raw)
}

// driftRunTofu runs the OpenTofu binary that TestMain found and returns its
// standard output.
func driftRunTofu(t *testing.T, dir, reattach string, args ...string) string {
	t.Helper()
	cmd := exec.Command(os.Getenv("TF_ACC_TERRAFORM_PATH"), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TF_REATTACH_PROVIDERS="+reattach)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("tofu %s failed: %v\nstdout:\n%s\nstderr:\n%s", args[0], err, stdout.String(), stderr.String())
	}
	return stdout.String()
}
