package provider

import (
	"fmt"
	"regexp"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/comfyume/terraform-provider-verda/internal/emulator"
	"github.com/comfyume/terraform-provider-verda/internal/verda"
)

func TestAccComfyDeployment_basic(t *testing.T) {
	t.Parallel()
	env := comfyEnv(t)
	const name = "comfy-basic"
	config := env.config(comfyHCL(name, comfyProductionImage, `
  scratch_mounts           = [{ mount_path = "/data" }]
  extra_model_paths_config = "/mnt/sfs/extra_model_paths.yaml"
  env                      = { COMFYUI_LOG_LEVEL = "INFO" }
  secret_env               = { HF_TOKEN = "hf-token" }
`))

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					comfyExpect(tfjsonpath.New("id"), knownvalue.StringExact(name)),
					comfyExpect(tfjsonpath.New("command"), comfyStringList(
						"python3", "/app/ComfyUI/main.py", "--listen", "0.0.0.0", "--port", "8188",
						"--extra-model-paths-config", "/mnt/sfs/extra_model_paths.yaml",
						"--output-directory", "/mnt/sfs/outputs")),
					comfyExpect(tfjsonpath.New("endpoint_base_url"), knownvalue.StringRegexp(regexp.MustCompile(`^http://127\.0\.0\.1:\d+/inference/`+name+`$`))),
					comfyExpect(tfjsonpath.New("created_at"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$`))),
					comfyExpect(tfjsonpath.New("container_name"), knownvalue.StringExact("comfyui-0")),
					comfyExpect(tfjsonpath.New("comfyui_version"), knownvalue.StringExact("0.3.64")),
					comfyExpect(tfjsonpath.New("gpu_name"), knownvalue.StringExact("cuda:0 NVIDIA H200 : cudaMallocAsync")),
					comfyExpect(tfjsonpath.New("gpu_count"), knownvalue.Int64Exact(1)),
					comfyExpect(tfjsonpath.New("vram_total_bytes"), knownvalue.Int64Func(func(v int64) error {
						if v < 100<<30 {
							return fmt.Errorf("vram_total_bytes is %d, want the H200's more than 100 GiB", v)
						}
						return nil
					})),
					comfyExpect(tfjsonpath.New("healthcheck"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"enabled": knownvalue.Bool(true),
						"path":    knownvalue.StringExact("/system_stats"),
						"port":    knownvalue.Int64Exact(8188),
					})),
					comfyExpect(tfjsonpath.New("scaling").AtMapKey("queue_load_threshold"), knownvalue.Float64Exact(1)),
					comfyCheckFunc(func() error {
						dep := comfyLiveDeployment(t, env, name)
						c := dep.Containers[0]
						if c.Image.Image != comfyProductionImage || dep.Compute != (verda.Compute{Name: "H200", Size: 1}) {
							return fmt.Errorf("live deployment runs %q on %+v", c.Image.Image, dep.Compute)
						}
						if c.Healthcheck == nil || c.Healthcheck.Path != "/system_stats" || c.Healthcheck.Port != 8188 || !c.Healthcheck.Enabled {
							return fmt.Errorf("live healthcheck is %+v, want enabled on /system_stats at 8188", c.Healthcheck)
						}
						wantEnv := []verda.EnvVar{
							{Type: "plain", Name: "COMFYUI_LOG_LEVEL", ValueOrReferenceToSecret: "INFO"},
							{Type: "secret", Name: "HF_TOKEN", ValueOrReferenceToSecret: "hf-token"},
						}
						if !slices.Equal(c.Env, wantEnv) {
							return fmt.Errorf("live env is %+v, want %+v", c.Env, wantEnv)
						}
						return nil
					}),
				},
			},
			{
				ResourceName:                         comfyAddr,
				ImportState:                          true,
				ImportStateId:                        name,
				ImportStateVerify:                    true,
				ImportStateVerifyIdentifierAttribute: "name",
				// The probe results come from the last probe, which an import does not run.
				ImportStateVerifyIgnore: []string{"comfyui_version", "gpu_name", "gpu_count", "vram_total_bytes"},
			},
			{
				Config:   config,
				PlanOnly: true,
			},
		},
	})
}

func TestAccComfyDeployment_updateImageInPlace(t *testing.T) {
	t.Parallel()
	env := comfyEnv(t)
	const name = "comfy-update-image"
	const newImage = "ghcr.io/comfyume/comfyui:0.3.65-cu128"
	env.emu.SetImageBehavior(newImage, emulator.ImageBehavior{ComfyUIVersion: "0.3.65"})
	createdAt := statecheck.CompareValue(compare.ValuesSame())

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.config(comfyHCL(name, comfyProductionImage, "")),
				ConfigStateChecks: []statecheck.StateCheck{
					comfyExpect(tfjsonpath.New("comfyui_version"), knownvalue.StringExact("0.3.64")),
					createdAt.AddStateValue(comfyAddr, tfjsonpath.New("created_at")),
				},
			},
			{
				Config: env.config(comfyHCL(name, newImage, "")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(comfyAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(comfyAddr, tfjsonpath.New("comfyui_version")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					comfyExpect(tfjsonpath.New("image"), knownvalue.StringExact(newImage)),
					comfyExpect(tfjsonpath.New("comfyui_version"), knownvalue.StringExact("0.3.65")),
					createdAt.AddStateValue(comfyAddr, tfjsonpath.New("created_at")),
					comfyCheckFunc(func() error {
						if got := comfyLiveDeployment(t, env, name).Containers[0].Image.Image; got != newImage {
							return fmt.Errorf("live image is %q, want %q", got, newImage)
						}
						want := []string{"POST /v1/container-deployments", "PATCH /v1/container-deployments/" + name}
						if got := comfyMutations(env); !slices.Equal(got, want) {
							return fmt.Errorf("mutating requests are %q, want %q (one create, one in-place PATCH)", got, want)
						}
						return nil
					}),
				},
			},
		},
	})
}

func TestAccComfyDeployment_updateScalingOnly(t *testing.T) {
	t.Parallel()
	env := comfyEnv(t)
	const name = "comfy-scaling-only"

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.config(comfyHCL(name, comfyProductionImage, "")),
			},
			{
				Config: env.config(comfyHCL(name, comfyProductionImage, `
  scaling = {
    max_replicas         = 3
    queue_load_threshold = 2
  }
`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(comfyAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					comfyExpect(tfjsonpath.New("scaling").AtMapKey("max_replicas"), knownvalue.Int64Exact(3)),
					comfyExpect(tfjsonpath.New("scaling").AtMapKey("queue_load_threshold"), knownvalue.Float64Exact(2)),
					comfyCheckFunc(func() error {
						want := []string{"POST /v1/container-deployments", "PATCH /v1/container-deployments/" + name + "/scaling"}
						if got := comfyMutations(env); !slices.Equal(got, want) {
							return fmt.Errorf("mutating requests are %q, want %q: a scaling change must use only the scaling endpoint", got, want)
						}
						sc, err := env.apiClient(t).GetScaling(apiContext(t), name)
						if err != nil {
							return err
						}
						if *sc.MaxReplicaCount != 3 || sc.ScalingTriggers.QueueLoad.Threshold != 2 || *sc.ScaleDownPolicy.DelaySeconds != 300 {
							return fmt.Errorf("live scaling is max %d, threshold %g, scale-down delay %d; want 3, 2, 300",
								*sc.MaxReplicaCount, sc.ScalingTriggers.QueueLoad.Threshold, *sc.ScaleDownPolicy.DelaySeconds)
						}
						return nil
					}),
				},
			},
		},
	})
}

func TestAccComfyDeployment_addOutputDirectory(t *testing.T) {
	t.Parallel()
	env := comfyEnv(t)
	const name = "comfy-output-dir"
	withoutFlag := comfyStringList("python3", "/app/ComfyUI/main.py", "--listen", "0.0.0.0", "--port", "8188")
	withFlag := comfyStringList("python3", "/app/ComfyUI/main.py", "--listen", "0.0.0.0", "--port", "8188",
		"--output-directory", "/mnt/sfs/outputs")

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            env.config(comfyHCL(name, comfyProductionImage, `  output_directory = ""`)),
				ConfigStateChecks: []statecheck.StateCheck{comfyExpect(tfjsonpath.New("command"), withoutFlag)},
			},
			{
				// Without the argument, output_directory takes its default on the SFS.
				Config: env.config(comfyHCL(name, comfyProductionImage, "")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(comfyAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(comfyAddr, tfjsonpath.New("command"), withFlag),
						plancheck.ExpectKnownValue(comfyAddr, tfjsonpath.New("output_directory"), knownvalue.StringExact("/mnt/sfs/outputs")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					comfyExpect(tfjsonpath.New("command"), withFlag),
					comfyCheckFunc(func() error {
						eo := comfyLiveDeployment(t, env, name).Containers[0].EntrypointOverrides
						if eo == nil || !slices.Contains(eo.Cmd, "--output-directory") {
							return fmt.Errorf("live command %+v lacks --output-directory", eo)
						}
						if n := env.emu.CountRequests("POST", "/v1/container-deployments"); n != 1 {
							return fmt.Errorf("%d creates, want 1: the flag must be added in place", n)
						}
						return nil
					}),
				},
			},
		},
	})
}

func TestAccComfyDeployment_healthcheckPath(t *testing.T) {
	t.Parallel()
	env := comfyEnv(t)
	const name = "comfy-healthcheck"
	livePath := func(want string) comfyCheckFunc {
		return func() error {
			hc := comfyLiveDeployment(t, env, name).Containers[0].Healthcheck
			if hc == nil || hc.Path != want || hc.Port != 8188 {
				return fmt.Errorf("live healthcheck is %+v, want path %s on port 8188", hc, want)
			}
			return nil
		}
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            env.config(comfyHCL(name, comfyProductionImage, "")),
				ConfigStateChecks: []statecheck.StateCheck{livePath("/system_stats")},
			},
			{
				Config: env.config(comfyHCL(name, comfyProductionImage, `  healthcheck = { path = "/" }`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(comfyAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					comfyExpect(tfjsonpath.New("healthcheck"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"enabled": knownvalue.Bool(true),
						"path":    knownvalue.StringExact("/"),
						"port":    knownvalue.Int64Exact(8188),
					})),
					livePath("/"),
				},
			},
			{
				// ComfyUI serves nothing at this path, so the platform reports the
				// deployment unhealthy and the update is rolled back.
				Config:      env.config(comfyHCL(name, comfyProductionImage, `  healthcheck = { path = "/no-such-route" }`)),
				ExpectError: comfyErrorPattern("Update rolled back"),
			},
			{
				Config:            env.config(comfyHCL(name, comfyProductionImage, `  healthcheck = { path = "/" }`)),
				PlanOnly:          true,
				ConfigStateChecks: []statecheck.StateCheck{livePath("/")},
			},
		},
	})
}

func TestAccComfyDeployment_envOrderNoDiff(t *testing.T) {
	t.Parallel()
	env := comfyEnv(t)
	const name = "comfy-env-order"
	config := env.config(comfyHCL(name, comfyProductionImage, `
  env        = { ZETA = "3", ALPHA = "1", MIDDLE = "2" }
  secret_env = { HF_TOKEN = "hf-token" }
`))

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
			},
			{
				// The API may return variables in any order and add its own.
				PreConfig: func() {
					dep := comfyLiveDeployment(t, env, name)
					c := dep.Containers[0]
					reversed := slices.Clone(c.Env)
					slices.Reverse(reversed)
					reversed = append(reversed, verda.EnvVar{Type: "plain", Name: "VERDA_REPLICA_ZONE", ValueOrReferenceToSecret: "fin-03"})
					c.Env = reversed
					comfyPatchOutOfBand(t, env, name, map[string]any{"containers": []verda.Container{c}})
					if got := comfyLiveDeployment(t, env, name).Containers[0].Env; got[0].Name != "HF_TOKEN" || len(got) != 5 {
						t.Fatalf("the out-of-band patch did not reorder the variables: %+v", got)
					}
				},
				Config:   config,
				PlanOnly: true,
			},
			{
				// A managed variable changed out of band is drift.
				PreConfig: func() {
					c := comfyLiveDeployment(t, env, name).Containers[0]
					for i := range c.Env {
						if c.Env[i].Name == "ALPHA" {
							c.Env[i].ValueOrReferenceToSecret = "changed"
						}
					}
					comfyPatchOutOfBand(t, env, name, map[string]any{"containers": []verda.Container{c}})
				},
				Config:             config,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

func TestAccComfyDeployment_scaleToZeroHealthy(t *testing.T) {
	t.Parallel()
	env := comfyEnv(t)
	const name = "comfy-scale-zero"

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.config(comfyHCL(name, comfyProductionImage, `
  scaling = {
    min_replicas = 0
    max_replicas = 2
  }
`)),
				ConfigStateChecks: []statecheck.StateCheck{
					comfyExpect(tfjsonpath.New("scaling").AtMapKey("min_replicas"), knownvalue.Int64Exact(0)),
					comfyCheckFunc(func() error {
						client := env.apiClient(t)
						replicas, err := client.GetReplicas(apiContext(t), name)
						if err != nil {
							return err
						}
						if len(replicas) != 0 {
							return fmt.Errorf("replicas %+v, want none for a deployment scaled to zero", replicas)
						}
						status, err := env.emu.DeploymentStatus(name)
						if err != nil || status != verda.StatusHealthy {
							return fmt.Errorf("status %q (%v), want healthy", status, err)
						}
						return nil
					}),
				},
			},
		},
	})
}

func TestAccComfyDeployment_imagePullFailsFast(t *testing.T) {
	t.Parallel()
	env := comfyEnv(t)
	const name = "comfy-pull-error"
	const badImage = "ghcr.io/comfyume/comfyui:0.3.64-missing"
	env.emu.SetImageBehavior(badImage, emulator.ImageBehavior{PullError: true})

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.config(comfyHCL(name, badImage, "")),
				// The long create timeout shows that the failure does not wait for it.
				ExpectError: comfyErrorPattern(`cannot pull its image (replica status image_pull_error)`),
			},
			{
				PreConfig: func() {
					// Two polls return initializing and image_pulling. The
					// failure must end the wait at the first poll that returns
					// unhealthy, and no later than the second.
					if n := env.emu.CountRequests("GET", "/v1/container-deployments/"+name+"/status"); n > 4 {
						t.Errorf("%d status polls, want at most 4 (two pending stages, then at most two polls of unhealthy)", n)
					}
					env.emu.SetImageBehavior(badImage, emulator.ImageBehavior{})
				},
				Config: env.config(comfyHCL(name, badImage, "")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					// The failed create left the deployment tainted.
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(comfyAddr, plancheck.ResourceActionReplace)},
				},
			},
		},
	})
}

func TestAccComfyDeployment_quotaReached(t *testing.T) {
	t.Parallel()
	env := comfyEnv(t)
	const name = "comfy-quota"
	env.emu.SetComputeAvailable("H200", 1, false)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      env.config(comfyHCL(name, comfyProductionImage, "")),
				ExpectError: comfyErrorPattern(`reached a quota: no capacity of its GPU type is available`),
			},
			{
				PreConfig: func() {
					if n := env.emu.CountRequests("GET", "/v1/container-deployments/"+name+"/status"); n > 3 {
						t.Errorf("%d status polls, want at most 3: quota_reached must fail at once", n)
					}
					if n := comfyCountDeployments(t, env, name); n != 1 {
						t.Errorf("%d deployments named %s, want 1", n, name)
					}
				},
				Config:             env.config(comfyHCL(name, comfyProductionImage, "")),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

func TestAccComfyDeployment_neverHealthyTimesOut(t *testing.T) {
	t.Parallel()
	env := comfyEnv(t)
	const name = "comfy-never-ready"
	const slowImage = "ghcr.io/comfyume/comfyui:0.3.64-hangs"
	env.emu.SetImageBehavior(slowImage, emulator.ImageBehavior{NeverReady: true})
	config := env.config(comfyHCL(name, slowImage, `
  timeouts {
    create = "1s"
  }
`))

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      config,
				ExpectError: comfyErrorPattern(`did not become healthy before the timeout (last status "initializing")`),
			},
			{
				PreConfig: func() {
					if n := comfyCountDeployments(t, env, name); n != 1 {
						t.Errorf("%d deployments named %s after the failed create, want exactly 1", n, name)
					}
					env.emu.SetImageBehavior(slowImage, emulator.ImageBehavior{})
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(comfyAddr, plancheck.ResourceActionReplace)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					comfyCheckFunc(func() error {
						if n := comfyCountDeployments(t, env, name); n != 1 {
							return fmt.Errorf("%d deployments named %s after the replacement, want 1", n, name)
						}
						return nil
					}),
				},
			},
		},
	})
}

func TestAccComfyDeployment_rollbackOnFailedUpdate(t *testing.T) {
	t.Parallel()
	env := comfyEnv(t)
	const name = "comfy-rollback"
	const badImage = "ghcr.io/comfyume/comfyui:0.3.66-broken"
	env.emu.SetImageBehavior(badImage, emulator.ImageBehavior{PullError: true})
	good := env.config(comfyHCL(name, comfyProductionImage, ""))
	servesImage := func(image string) comfyCheckFunc {
		return func() error {
			dep := comfyLiveDeployment(t, env, name)
			if got := dep.Containers[0].Image.Image; got != image {
				return fmt.Errorf("live image is %q, want %q", got, image)
			}
			status, err := env.emu.DeploymentStatus(name)
			if err != nil || status != verda.StatusHealthy {
				return fmt.Errorf("status %q (%v), want healthy", status, err)
			}
			return nil
		}
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: good,
			},
			{
				Config:      env.config(comfyHCL(name, badImage, "")),
				ExpectError: comfyErrorPattern("Update rolled back"),
			},
			{
				// The state still holds the previous configuration, which the
				// deployment serves again.
				PreConfig: func() {
					if err := servesImage(comfyProductionImage)(); err != nil {
						t.Fatal(err)
					}
					var stats map[string]any
					err := env.apiClient(t).CallInference(apiContext(t), verda.InferenceRequest{
						Deployment: name, EndpointBaseURL: comfyLiveDeployment(t, env, name).EndpointBaseURL,
						Path: "/system_stats", Out: &stats,
					})
					if err != nil {
						t.Fatalf("the rolled-back deployment does not serve ComfyUI: %v", err)
					}
				},
				Config:   good,
				PlanOnly: true,
			},
			{
				// With keep, the failed configuration stays, and so does the state.
				Config:      env.config(comfyHCL(name, badImage, `  on_failed_update = "keep"`)),
				ExpectError: comfyErrorPattern(`The new configuration was kept (on_failed_update = "keep")`),
			},
			{
				PreConfig: func() {
					if got := comfyLiveDeployment(t, env, name).Containers[0].Image.Image; got != badImage {
						t.Errorf("live image is %q after a failed update with keep, want %q", got, badImage)
					}
				},
				Config:   env.config(comfyHCL(name, badImage, `  on_failed_update = "keep"`)),
				PlanOnly: true,
			},
		},
	})
}

func TestAccComfyDeployment_probeWrongGPU(t *testing.T) {
	t.Parallel()
	env := comfyEnv(t)
	const name = "comfy-wrong-gpu"

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      env.config(comfyHCL(name, comfyProductionImage, `  health_probe = { expect_gpu = "B200" }`)),
				ExpectError: comfyErrorPattern(`failed the GPU check: the device is "cuda:0 NVIDIA H200 : cudaMallocAsync", which does not contain "B200".`),
			},
			{
				Config: env.config(comfyHCL(name, comfyProductionImage, `  health_probe = { expect_gpu = "H200" }`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(comfyAddr, plancheck.ResourceActionReplace)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					comfyExpect(tfjsonpath.New("gpu_name"), knownvalue.StringExact("cuda:0 NVIDIA H200 : cudaMallocAsync")),
				},
			},
		},
	})
}

func TestAccComfyDeployment_probeMissingNode(t *testing.T) {
	t.Parallel()
	env := comfyEnv(t)
	const name = "comfy-missing-node"
	const nodesImage = "ghcr.io/comfyume/comfyui:0.3.64-ipadapter"
	env.emu.SetImageBehavior(nodesImage, emulator.ImageBehavior{ExtraNodes: []string{"IPAdapterAdvanced"}})
	probe := `  health_probe = { required_nodes = ["KSampler", "IPAdapterAdvanced"] }`

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      env.config(comfyHCL(name, comfyProductionImage, probe)),
				ExpectError: comfyErrorPattern(`failed the nodes check: the node classes IPAdapterAdvanced are not installed.`),
			},
			{
				Config: env.config(comfyHCL(name, nodesImage, probe)),
				ConfigStateChecks: []statecheck.StateCheck{
					comfyExpect(tfjsonpath.New("image"), knownvalue.StringExact(nodesImage)),
				},
			},
		},
	})
}

func TestAccComfyDeployment_probeMissingModel(t *testing.T) {
	t.Parallel()
	env := comfyEnv(t)
	const name = "comfy-missing-model"
	config := func(models string) string {
		return env.config(comfyHCL(name, comfyProductionImage, fmt.Sprintf(`
  extra_model_paths_config = "/mnt/sfs/extra_model_paths.yaml"
  health_probe = {
    required_models = { %s }
  }
`, models)))
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      config(`checkpoints = ["sd_xl_base_1.0.safetensors", "flux1-dev.safetensors"], vae = ["sdxl_vae.safetensors"]`),
				ExpectError: comfyErrorPattern(`failed the models check: the models checkpoints/flux1-dev.safetensors are not listed.`),
			},
			{
				Config:      config(`no_such_folder = ["x.safetensors"]`),
				ExpectError: comfyErrorPattern(`ComfyUI has no model folder "no_such_folder".`),
			},
			{
				Config: config(`checkpoints = ["sd_xl_base_1.0.safetensors"], vae = ["sdxl_vae.safetensors"]`),
			},
		},
	})
}

func TestAccComfyDeployment_smokeTestOutputOnSFS(t *testing.T) {
	t.Parallel()
	env := comfyEnv(t)
	const name = "comfy-smoke"
	const failingImage = "ghcr.io/comfyume/comfyui:0.3.64-nokernel"
	env.emu.SetImageBehavior(failingImage, emulator.ImageBehavior{SmokeTestError: "CUDA error: no kernel image is available for execution on the device"})
	probe := `  health_probe = { smoke_test = true }`

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// A smoke test needs somewhere on the SFS to save its image.
				Config:      env.config(comfyHCL(name, comfyProductionImage, probe+"\n  output_directory = \"\"")),
				ExpectError: comfyErrorPattern(`Smoke test needs an output directory`),
			},
			{
				Config: env.config(comfyHCL(name, comfyProductionImage, probe)),
				ConfigStateChecks: []statecheck.StateCheck{
					comfyCheckFunc(func() error {
						files, err := env.emu.Files(comfyProductionSFS)
						if err != nil {
							return err
						}
						if _, ok := files["outputs/"+smokeTestPrefix+"_00001_.png"]; !ok {
							return fmt.Errorf("the smoke test image is not under outputs/ on the SFS; files: %v", files)
						}
						return nil
					}),
				},
			},
			{
				Config:      env.config(comfyHCL(name, failingImage, probe)),
				ExpectError: comfyErrorPattern(`failed the smoke test check: the test prompt ended with status "error"`),
			},
		},
	})
}

func TestAccComfyDeployment_disappears(t *testing.T) {
	t.Parallel()
	env := comfyEnv(t)
	const name = "comfy-disappears"
	config := env.config(comfyHCL(name, comfyProductionImage, ""))

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
			},
			{
				PreConfig: func() {
					if err := env.emu.DeleteDeploymentOutOfBand(name); err != nil {
						t.Fatalf("deleting the deployment out of band: %v", err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(comfyAddr, plancheck.ResourceActionCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					comfyCheckFunc(func() error {
						if n := comfyCountDeployments(t, env, name); n != 1 {
							return fmt.Errorf("%d deployments named %s, want 1 after recreation", n, name)
						}
						return nil
					}),
				},
			},
		},
	})
}

// comfyRequiredProviders names the provider's source. Import steps that
// come first need it, because the test framework adds it only to configs of
// apply steps.
const comfyRequiredProviders = `
terraform {
  required_providers {
    verda = { source = "registry.opentofu.org/comfyume/verda" }
  }
}
`

// comfyProductionHCL is the configuration that matches a deployment of the
// production seed, written the way a user would after reading the audit.
func comfyProductionHCL(label, name, gpuType string, spot bool, outputDirectory string) string {
	return fmt.Sprintf(`
resource "verda_comfy_deployment" %q {
  name                     = %q
  image                    = %q
  gpu                      = { type = %q }
  spot                     = %t
  extra_model_paths_config = "/mnt/sfs/extra_model_paths.yaml"
  output_directory         = %q
  healthcheck              = { path = "/" }
  env                      = { COMFYUI_LOG_LEVEL = "INFO" }
  secret_env               = { HF_TOKEN = "hf-token" }
  sfs_mounts               = [{ volume_id = %q }]
  scratch_mounts           = [{ mount_path = "/data" }]
  scaling = {
    max_replicas         = 2
    queue_load_threshold = 2
  }
}
`, label, name, comfyProductionImage, gpuType, spot, outputDirectory, comfyProductionSFS)
}

func TestAccComfyDeployment_importByName(t *testing.T) {
	t.Parallel()
	env := comfyEnv(t)
	onDemand := comfyRequiredProviders + env.config(comfyProductionHCL("h200", "comfy-h200", "H200", false, ""))
	spot := comfyRequiredProviders + env.config(comfyProductionHCL("h200_spot", "comfy-h200-spot", "H200", true, "/mnt/sfs/outputs"))
	noMutation := comfyCheckFunc(func() error {
		if got := comfyMutations(env); len(got) != 0 {
			return fmt.Errorf("an import made mutating requests: %q", got)
		}
		return nil
	})

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// An import block with a matching configuration plans no change.
				Config:          onDemand,
				ResourceName:    "verda_comfy_deployment.h200",
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "comfy-h200",
			},
			{
				// tofu import, then a plan of the same configuration.
				Config:             spot,
				ResourceName:       "verda_comfy_deployment.h200_spot",
				ImportState:        true,
				ImportStateId:      "comfy-h200-spot",
				ImportStatePersist: true,
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 {
						return fmt.Errorf("imported %d instances, want 1", len(states))
					}
					attrs := states[0].Attributes
					want := map[string]string{
						"name":                         "comfy-h200-spot",
						"spot":                         "true",
						"gpu.type":                     "H200",
						"output_directory":             "/mnt/sfs/outputs",
						"healthcheck.path":             "/",
						"scaling.queue_load_threshold": "2",
						"secret_env.HF_TOKEN":          "hf-token",
						"env.COMFYUI_LOG_LEVEL":        "INFO",
						"sfs_mounts.0.volume_id":       comfyProductionSFS,
						"scratch_mounts.0.mount_path":  "/data",
						"wait_for_healthy":             "true",
						"on_failed_update":             "rollback",
						"container_name":               "comfyui-0",
						"command.#":                    "10",
						"extra_model_paths_config":     "/mnt/sfs/extra_model_paths.yaml",
					}
					for k, v := range want {
						if attrs[k] != v {
							return fmt.Errorf("imported %s = %q, want %q", k, attrs[k], v)
						}
					}
					return nil
				},
			},
			{
				Config:            spot,
				PlanOnly:          true,
				ConfigStateChecks: []statecheck.StateCheck{noMutation},
			},
		},
	})
}

func TestAccComfyDeployment_importGenerateConfig(t *testing.T) {
	t.Parallel()
	env := comfyEnv(t)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// `tofu plan -generate-config-out` writes a block that plans no change.
				Config:          comfyRequiredProviders + env.config(""),
				ResourceName:    "verda_comfy_deployment.b200",
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "comfy-b200",
				GenerateConfig:  true,
			},
		},
	})
}

func TestAccComfyDeployment_refreshSharesList(t *testing.T) {
	t.Parallel()
	env := comfyEnv(t)
	config := env.config(fmt.Sprintf(`
resource "verda_comfy_deployment" "fleet" {
  count      = 3
  name       = "comfy-fleet-${count.index}"
  image      = %q
  gpu        = { type = "H200" }
  sfs_mounts = [{ volume_id = %q }]
}
`, comfyProductionImage, comfyProductionSFS))

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
			},
			{
				PreConfig: env.emu.ClearRequests,
				Config:    config,
				PlanOnly:  true,
			},
			{
				// Each refresh of the three deployments lists the deployments
				// once and reads each one's scaling: N + 1 requests.
				PreConfig: func() {
					lists := env.emu.CountRequests("GET", "/v1/container-deployments")
					gets := env.emu.CountRequests("GET", "/v1/container-deployments/*")
					scalings := env.emu.CountRequests("GET", "/v1/container-deployments/*/scaling")
					if lists == 0 || gets != 0 || scalings != 3*lists {
						t.Errorf("the plans made %d list, %d single and %d scaling requests; want one list and three scaling reads per refresh, and no single reads",
							lists, gets, scalings)
					}
				},
				Config:   config,
				PlanOnly: true,
			},
		},
	})
}

func TestAccComfyDeployment_renameReplaces(t *testing.T) {
	t.Parallel()
	env := comfyEnv(t)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.config(comfyHCL("comfy-old-name", comfyProductionImage, "")),
			},
			{
				Config: env.config(comfyHCL("comfy-new-name", comfyProductionImage, "")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(comfyAddr, plancheck.ResourceActionDestroyBeforeCreate),
						plancheck.ExpectKnownValue(comfyAddr, tfjsonpath.New("id"), knownvalue.StringExact("comfy-new-name")),
						plancheck.ExpectUnknownValue(comfyAddr, tfjsonpath.New("endpoint_base_url")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					comfyExpect(tfjsonpath.New("endpoint_base_url"), knownvalue.StringRegexp(regexp.MustCompile(`/inference/comfy-new-name$`))),
					comfyCheckFunc(func() error {
						if n := comfyCountDeployments(t, env, "comfy-old-name"); n != 0 {
							return fmt.Errorf("the deployment under the old name still exists")
						}
						return nil
					}),
				},
			},
		},
	})
}

func TestAccComfyDeployment_driftCorrected(t *testing.T) {
	t.Parallel()
	env := comfyEnv(t)
	const name = "comfy-drift"
	config := env.config(comfyHCL(name, comfyProductionImage, `  scratch_mounts = [{ mount_path = "/data" }]`))

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
			},
			{
				// Someone drops --output-directory, a mount and a replica by hand.
				PreConfig: func() {
					c := comfyLiveDeployment(t, env, name).Containers[0]
					c.EntrypointOverrides.Cmd = []string{"--listen", "0.0.0.0", "--port", "8188"}
					c.VolumeMounts = c.VolumeMounts[:1]
					comfyPatchOutOfBand(t, env, name, map[string]any{
						"containers": []verda.Container{c},
						"scaling":    map[string]any{"max_replica_count": 4},
					})
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(comfyAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(comfyAddr, tfjsonpath.New("command"), comfyStringList(
							"python3", "/app/ComfyUI/main.py", "--listen", "0.0.0.0", "--port", "8188",
							"--output-directory", "/mnt/sfs/outputs")),
						plancheck.ExpectKnownValue(comfyAddr, tfjsonpath.New("scaling").AtMapKey("max_replicas"), knownvalue.Int64Exact(1)),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					comfyCheckFunc(func() error {
						c := comfyLiveDeployment(t, env, name).Containers[0]
						if len(c.VolumeMounts) != 2 || !slices.Contains(c.EntrypointOverrides.Cmd, "--output-directory") {
							return fmt.Errorf("the live container was not restored: mounts %+v, command %q", c.VolumeMounts, c.EntrypointOverrides.Cmd)
						}
						sc, err := env.apiClient(t).GetScaling(apiContext(t), name)
						if err != nil {
							return err
						}
						if *sc.MaxReplicaCount != 1 {
							return fmt.Errorf("live max_replica_count is %d, want 1 restored", *sc.MaxReplicaCount)
						}
						return nil
					}),
				},
			},
		},
	})
}
