package provider

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

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

func TestAccReliability_deploymentDeletedOutOfBand(t *testing.T) {
	t.Parallel()
	env := comfyEnv(t)
	const name = "oob-deleted"
	config := reliabilityProvider(env, "") + reliabilityDeployment(name, "")
	deleteOutOfBand := func() {
		if err := env.emu.DeleteDeploymentOutOfBand(name); err != nil {
			t.Fatalf("deleting deployment %q out of band: %v", name, err)
		}
	}
	mutations := 0

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
			},
			{
				// The refresh drops the deployment with a warning, and the plan
				// creates it again.
				PreConfig: deleteOutOfBand,
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(reliabilityDeployAddr, plancheck.ResourceActionCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(reliabilityDeployAddr, tfjsonpath.New("comfyui_version"), knownvalue.StringExact("0.3.64")),
				},
				Check: reliabilityOneLiveDeployment(t, env, name),
			},
			{
				// A destroy of a deployment that is already gone succeeds and
				// sends no DELETE.
				PreConfig: func() {
					deleteOutOfBand()
					mutations = len(env.emu.MutatingRequests())
				},
				Config:  config,
				Destroy: true,
			},
		},
		CheckDestroy: func(*terraform.State) error {
			if got := reliabilityMutations(env, mutations); len(got) != 0 {
				return fmt.Errorf("the destroy of a deployment deleted out of band sent %q, want nothing", got)
			}
			if n := reliabilityDeploymentsNamed(t, env, name); n != 0 {
				return fmt.Errorf("%d deployments named %q after the destroy", n, name)
			}
			return nil
		},
	})
}

func TestAccReliability_deploymentModifiedOutOfBand(t *testing.T) {
	t.Parallel()
	env := comfyEnv(t)
	const name = "oob-modified"
	const otherImage = "ghcr.io/comfyume/comfyui:0.3.65-cu128"
	env.emu.SetImageBehavior(otherImage, emulator.ImageBehavior{ComfyUIVersion: "0.3.65"})
	config := reliabilityProvider(env, "") + reliabilityDeployment(name, `
  env = { COMFYUI_LOG_LEVEL = "INFO" }
`)
	sameCreatedAt := statecheck.CompareValue(compare.ValuesSame())
	var original *verda.ContainerDeployment
	mutations := 0

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					sameCreatedAt.AddStateValue(reliabilityDeployAddr, tfjsonpath.New("created_at")),
				},
			},
			{
				// Someone changes the image, the variables, the GPU count, spot,
				// the health check and the scaling in the console.
				PreConfig: func() {
					original = comfyLiveDeployment(t, env, name)
					mutations = len(env.emu.MutatingRequests())
					c := original.Containers[0]
					c.Image.Image = otherImage
					c.Env = []verda.EnvVar{{Type: "plain", Name: "COMFYUI_LOG_LEVEL", ValueOrReferenceToSecret: "DEBUG"}}
					c.Healthcheck = &verda.Healthcheck{Enabled: true, Port: 8188, Path: "/"}
					comfyPatchOutOfBand(t, env, name, map[string]any{
						"containers": []verda.Container{c},
						"compute":    verda.Compute{Name: "H200", Size: 2},
						"is_spot":    true,
						"scaling":    map[string]any{"max_replica_count": 3},
					})
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(reliabilityDeployAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(reliabilityDeployAddr, tfjsonpath.New("image"), knownvalue.StringExact(comfyProductionImage)),
						plancheck.ExpectKnownValue(reliabilityDeployAddr, tfjsonpath.New("gpu").AtMapKey("count"), knownvalue.Int64Exact(1)),
						plancheck.ExpectKnownValue(reliabilityDeployAddr, tfjsonpath.New("spot"), knownvalue.Bool(false)),
						plancheck.ExpectKnownValue(reliabilityDeployAddr, tfjsonpath.New("env").AtMapKey("COMFYUI_LOG_LEVEL"), knownvalue.StringExact("INFO")),
						plancheck.ExpectKnownValue(reliabilityDeployAddr, tfjsonpath.New("healthcheck").AtMapKey("path"), knownvalue.StringExact("/system_stats")),
						plancheck.ExpectKnownValue(reliabilityDeployAddr, tfjsonpath.New("scaling").AtMapKey("max_replicas"), knownvalue.Int64Exact(1)),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameCreatedAt.AddStateValue(reliabilityDeployAddr, tfjsonpath.New("created_at")),
					statecheck.ExpectKnownValue(reliabilityDeployAddr, tfjsonpath.New("comfyui_version"), knownvalue.StringExact("0.3.64")),
					reliabilityCheck(func() error {
						var errs []error
						live := comfyLiveDeployment(t, env, name)
						c, want := live.Containers[0], original.Containers[0]
						if c.Image.Image != want.Image.Image || !slices.Equal(c.Env, want.Env) || *c.Healthcheck != *want.Healthcheck {
							errs = append(errs, fmt.Errorf("the live container was not restored: image %q, env %+v, health check %+v",
								c.Image.Image, c.Env, *c.Healthcheck))
						}
						if live.Compute != original.Compute || live.IsSpot != original.IsSpot {
							errs = append(errs, fmt.Errorf("live compute %+v and spot %t, want %+v and %t", live.Compute, live.IsSpot, original.Compute, original.IsSpot))
						}
						scaling, err := env.apiClient(t).GetScaling(apiContext(t), name)
						if err != nil {
							errs = append(errs, err)
						} else if *scaling.MaxReplicaCount != 1 {
							errs = append(errs, fmt.Errorf("live max_replica_count %d, want 1 restored", *scaling.MaxReplicaCount))
						}
						for _, m := range reliabilityMutations(env, mutations) {
							if m != "PATCH /v1/container-deployments/"+name && m != "PATCH /v1/container-deployments/"+name+"/scaling" {
								errs = append(errs, fmt.Errorf("restoring the deployment sent %s; want only in-place PATCH requests", m))
							}
						}
						return errors.Join(errs...)
					}),
				},
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

func TestAccReliability_deploymentDeletedDuringWait(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, func(o *emulator.Options) { o.StagePolls = 20 }).withProductionSeed()
	const name = "oob-during-wait"
	statusPath := "/v1/container-deployments/" + name + "/status"
	config := reliabilityProvider(env, "") + reliabilityDeployment(name, "")
	var deleter sync.WaitGroup
	var deleteErr error

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// Someone deletes the deployment while the apply waits for it.
				PreConfig: func() {
					deleter.Add(1)
					go func() {
						defer deleter.Done()
						if !reliabilityWaitFor(2*time.Minute, func() bool { return env.emu.CountRequests("GET", statusPath) >= 2 }) {
							deleteErr = errors.New("the apply never polled the deployment's status")
							return
						}
						deleteErr = env.emu.DeleteDeploymentOutOfBand(name)
					}()
				},
				Config:      config,
				ExpectError: comfyErrorPattern(`Deployment "oob-during-wait" no longer exists`),
			},
			{
				PreConfig: func() {
					deleter.Wait()
					if deleteErr != nil {
						t.Fatalf("deleting the deployment during the wait: %v", deleteErr)
					}
				},
				// The tainted deployment is gone, so the refresh drops it and
				// the plan creates it again instead of replacing it.
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(reliabilityDeployAddr, plancheck.ResourceActionCreate)},
				},
				Check: reliabilityOneLiveDeployment(t, env, name),
			},
		},
	})
}

func TestAccReliability_sfsDeletedOutOfBand(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	const name = "oob-sfs-deleted"
	config := reliabilityProvider(env, "") + reliabilitySFS(name, 50, "")
	var ids []string
	captureID := func(s *terraform.State) error {
		id, err := reliabilityStateID(s, reliabilitySFSAddr)
		if err != nil {
			return err
		}
		if slices.Contains(ids, id) {
			return fmt.Errorf("the state still holds the id %s of a volume that was deleted", id)
		}
		ids = append(ids, id)
		return nil
	}
	lastID := func() string { return ids[len(ids)-1] }
	recreated := resource.ConfigPlanChecks{
		PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(reliabilitySFSAddr, plancheck.ResourceActionCreate)},
	}
	mutations := 0

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check:  captureID,
			},
			{
				// Someone moves the SFS to the trash with another API client.
				PreConfig: func() {
					if err := env.apiClient(t).DeleteVolume(apiContext(t), lastID(), false); err != nil {
						t.Fatalf("moving volume %s to the trash: %v", lastID(), err)
					}
				},
				Config:           config,
				ConfigPlanChecks: recreated,
				Check:            resource.ComposeTestCheckFunc(captureID, reliabilityOneLiveSFS(t, env, name)),
			},
			{
				// Someone deletes it for good.
				PreConfig: func() {
					if err := env.emu.DeleteVolumeOutOfBand(lastID()); err != nil {
						t.Fatalf("deleting volume %s out of band: %v", lastID(), err)
					}
				},
				Config:           config,
				ConfigPlanChecks: recreated,
				Check:            resource.ComposeTestCheckFunc(captureID, reliabilityOneLiveSFS(t, env, name)),
			},
			{
				// A destroy of an SFS that is already gone succeeds and sends
				// no delete action.
				PreConfig: func() {
					if err := env.emu.DeleteVolumeOutOfBand(lastID()); err != nil {
						t.Fatalf("deleting volume %s out of band: %v", lastID(), err)
					}
					mutations = len(env.emu.MutatingRequests())
				},
				Config:  config,
				Destroy: true,
			},
		},
		CheckDestroy: func(*terraform.State) error {
			if got := reliabilityMutations(env, mutations); len(got) != 0 {
				return fmt.Errorf("the destroy of an SFS deleted out of band sent %q, want nothing", got)
			}
			if live := reliabilityVolumesNamed(t, env, name); len(live) != 0 {
				return fmt.Errorf("volumes named %q after the destroy: %+v", name, live)
			}
			return nil
		},
	})
}

func TestAccReliability_sfsModifiedOutOfBand(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	const name = "oob-sfs-modified"
	config := func(size int) string { return reliabilityProvider(env, "") + reliabilitySFS(name, size, "") }
	sameID := statecheck.CompareValue(compare.ValuesSame())
	var id string
	patch := func(body string) func() {
		return func() {
			if err := env.emu.PatchVolumeOutOfBand(id, []byte(body)); err != nil {
				t.Fatalf("patching volume %s out of band with %s: %v", id, body, err)
			}
		}
	}
	mark := &sfsMutationMark{t: t, env: env}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config(50),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(reliabilitySFSAddr, tfjsonpath.New("id")),
				},
				Check: sfsCaptureID(reliabilitySFSAddr, &id),
			},
			{
				// A rename elsewhere is renamed back in place.
				PreConfig: patch(`{"name": "renamed-in-console"}`),
				Config:    config(50),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(reliabilitySFSAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(reliabilitySFSAddr, tfjsonpath.New("name"), knownvalue.StringExact(name)),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(reliabilitySFSAddr, tfjsonpath.New("id")),
				},
				Check: reliabilityOneLiveSFS(t, env, name),
			},
			{
				// A smaller size (which the real API cannot set) is grown back.
				PreConfig: patch(`{"size": 40}`),
				Config:    config(50),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(reliabilitySFSAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(reliabilitySFSAddr, tfjsonpath.New("size"), knownvalue.Int64Exact(50)),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(reliabilitySFSAddr, tfjsonpath.New("id")),
					reliabilityCheck(func() error {
						if live := reliabilityVolumesNamed(t, env, name); len(live) != 1 || live[0].Size != 50 {
							return fmt.Errorf("live volumes named %q: %+v, want one of 50 GB", name, live)
						}
						return nil
					}),
				},
			},
			{
				// A status change that the provider does not manage is only
				// read into state.
				PreConfig: patch(`{"status": "detached"}`),
				Config:    config(50),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(reliabilitySFSAddr, tfjsonpath.New("status"), knownvalue.StringExact("detached")),
				},
			},
			{
				// A volume grown elsewhere cannot be shrunk back and replacing
				// it would lose its data, so the plan stops with the fix and
				// changes nothing.
				PreConfig: func() {
					patch(`{"size": 80}`)()
					mark.set()
				},
				Config:      config(50),
				ExpectError: sfsAtPlan(`has 80 GB and size is now 50. The Verda API can only grow a volume. Set size to 80 or more`),
			},
			{
				PreConfig: mark.expectNone,
				Config:    config(80),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(reliabilitySFSAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(reliabilitySFSAddr, tfjsonpath.New("size"), knownvalue.Int64Exact(80)),
				},
			},
		},
	})
}
