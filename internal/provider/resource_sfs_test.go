package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/comfyume/terraform-provider-verda/internal/emulator"
)

const sfsAddr = "verda_sfs.test"

// sfsConfig is a verda_sfs "test" resource with name, size and extra lines.
func sfsConfig(env *accEnv, name string, size int, extra string) string {
	return env.config(fmt.Sprintf(`
resource "verda_sfs" "test" {
  name = %q
  size = %d
%s
}
`, name, size, extra))
}

func TestAccSFS_basic(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	mark := &sfsMutationMark{t: t, env: env}
	sameID := statecheck.CompareValue(compare.ValuesSame())
	var id string

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: sfsConfig(env, "basic-sfs", 50, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(sfsAddr, plancheck.ResourceActionCreate),
						plancheck.ExpectKnownValue(sfsAddr, tfjsonpath.New("type"), knownvalue.StringExact("NVMe_Shared")),
						plancheck.ExpectUnknownValue(sfsAddr, tfjsonpath.New("location")),
						plancheck.ExpectKnownValue(sfsAddr, tfjsonpath.New("deletion_protection"), knownvalue.Bool(true)),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(sfsAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(sfsAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(sfsUUID)),
					statecheck.ExpectKnownValue(sfsAddr, tfjsonpath.New("name"), knownvalue.StringExact("basic-sfs")),
					statecheck.ExpectKnownValue(sfsAddr, tfjsonpath.New("size"), knownvalue.Int64Exact(50)),
					statecheck.ExpectKnownValue(sfsAddr, tfjsonpath.New("type"), knownvalue.StringExact("NVMe_Shared")),
					statecheck.ExpectKnownValue(sfsAddr, tfjsonpath.New("location"), knownvalue.StringExact("FIN-03")),
					statecheck.ExpectKnownValue(sfsAddr, tfjsonpath.New("deletion_protection"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(sfsAddr, tfjsonpath.New("permanent_delete"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(sfsAddr, tfjsonpath.New("source_volume_id"), knownvalue.Null()),
					statecheck.ExpectKnownValue(sfsAddr, tfjsonpath.New("status"), knownvalue.StringExact("created")),
					statecheck.ExpectKnownValue(sfsAddr, tfjsonpath.New("created_at"),
						knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$`))),
					statecheck.ExpectKnownValue(sfsAddr, tfjsonpath.New("pseudo_path"),
						knownvalue.StringRegexp(regexp.MustCompile(`^volume-[0-9a-f]{8}$`))),
					statecheck.ExpectKnownValue(sfsAddr, tfjsonpath.New("mount_command"),
						knownvalue.StringRegexp(regexp.MustCompile(`^mount -t nfs .*nfs\.fin-03\.datacrunch\.io:volume-[0-9a-f]{8} /mnt/volume$`))),
					statecheck.ExpectKnownValue(sfsAddr, tfjsonpath.New("create_directory_command"), knownvalue.StringExact("mkdir -p /mnt/volume")),
					statecheck.ExpectKnownValue(sfsAddr, tfjsonpath.New("filesystem_to_fstab_command"),
						knownvalue.StringRegexp(regexp.MustCompile(`volume-[0-9a-f]{8} /mnt/volume nfs defaults 0 0.*/etc/fstab`))),
					statecheck.ExpectKnownValue(sfsAddr, tfjsonpath.New("instance_ids"), knownvalue.ListExact([]knownvalue.Check{})),
					statecheck.ExpectKnownValue(sfsAddr, tfjsonpath.New("monthly_price"),
						knownvalue.Float64Exact(50*sfsVolumeTypePrice(t, env, "NVMe_Shared"))),
					statecheck.ExpectKnownValue(sfsAddr, tfjsonpath.New("currency"), knownvalue.StringExact("usd")),
				},
				Check: resource.ComposeTestCheckFunc(
					sfsCaptureID(sfsAddr, &id),
					func(*terraform.State) error {
						creates := 0
						for _, rec := range env.emu.MutatingRequests() {
							if rec.Method == "POST" && rec.Path == "/v1/volumes" {
								creates++
								if regexp.MustCompile(`location_code`).MatchString(rec.Body) {
									t.Errorf("create request names a location although none is configured: %s", rec.Body)
								}
							}
						}
						if creates != 1 {
							t.Errorf("expected 1 create request, got %d", creates)
						}
						return nil
					},
				),
			},
			{
				// Switching protection off is a state-only change.
				PreConfig: mark.set,
				Config:    sfsConfig(env, "basic-sfs", 50, "deletion_protection = false"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(sfsAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(sfsAddr, tfjsonpath.New("status"), knownvalue.StringExact("created")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(sfsAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(sfsAddr, tfjsonpath.New("deletion_protection"), knownvalue.Bool(false)),
				},
				Check: mark.checkNone,
			},
		},
		CheckDestroy: func(*terraform.State) error {
			sfsExpectGone(t, env, id)
			if trashed := sfsTrashed(t, env, id); trashed == nil || trashed.IsPermanentlyDeleted {
				t.Errorf("expected volume %s in the trash, recoverable, got %+v", id, trashed)
			}
			return nil
		},
	})
}

func TestAccSFS_rename(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	var id string

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: sfsConfig(env, "before-rename", 50, "deletion_protection = false"),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(sfsAddr, tfjsonpath.New("id")),
				},
				Check: sfsCaptureID(sfsAddr, &id),
			},
			{
				Config: sfsConfig(env, "after-rename", 50, "deletion_protection = false"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(sfsAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(sfsAddr, tfjsonpath.New("status")),
						plancheck.ExpectKnownValue(sfsAddr, tfjsonpath.New("monthly_price"), knownvalue.NotNull()),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(sfsAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(sfsAddr, tfjsonpath.New("name"), knownvalue.StringExact("after-rename")),
					statecheck.ExpectKnownValue(sfsAddr, tfjsonpath.New("status"), knownvalue.StringExact("created")),
				},
				Check: func(*terraform.State) error {
					actions := sfsVolumeActions(t, env, "")
					if len(actions) != 1 || actions[0].Action != "rename" || actions[0].Name != "after-rename" {
						t.Errorf("expected one rename action to after-rename, got %+v", actions)
					}
					if n := env.emu.CountRequests("POST", "/v1/volumes"); n != 1 {
						t.Errorf("expected the single create of step 1, got %d creates", n)
					}
					return nil
				},
			},
			{
				// A rename made outside OpenTofu shows as drift and is renamed back in place.
				PreConfig: func() {
					if err := env.emu.PatchVolumeOutOfBand(id, []byte(`{"name":"renamed-elsewhere"}`)); err != nil {
						t.Fatalf("renaming volume %s out of band: %v", id, err)
					}
				},
				Config: sfsConfig(env, "after-rename", 50, "deletion_protection = false"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(sfsAddr, plancheck.ResourceActionUpdate),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(sfsAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(sfsAddr, tfjsonpath.New("name"), knownvalue.StringExact("after-rename")),
				},
				Check: func(*terraform.State) error {
					if renames := sfsVolumeActions(t, env, "rename"); len(renames) != 2 {
						t.Errorf("expected a second rename to undo the drift, got %+v", renames)
					}
					return nil
				},
			},
		},
	})
}

func TestAccSFS_grow(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	price := sfsVolumeTypePrice(t, env, "NVMe_Shared")

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: sfsConfig(env, "growing", 50, "deletion_protection = false"),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(sfsAddr, tfjsonpath.New("id")),
				},
			},
			{
				Config: sfsConfig(env, "growing", 80, "deletion_protection = false"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(sfsAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(sfsAddr, tfjsonpath.New("monthly_price")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(sfsAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(sfsAddr, tfjsonpath.New("size"), knownvalue.Int64Exact(80)),
					statecheck.ExpectKnownValue(sfsAddr, tfjsonpath.New("monthly_price"), knownvalue.Float64Exact(80*price)),
				},
				Check: func(*terraform.State) error {
					actions := sfsVolumeActions(t, env, "")
					if len(actions) != 1 || actions[0].Action != "resize" || actions[0].Size != 80 {
						t.Errorf("expected one resize action to 80 GB, got %+v", actions)
					}
					return nil
				},
			},
		},
	})
}

func TestAccSFS_shrink(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	mark := &sfsMutationMark{t: t, env: env}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: sfsConfig(env, "shrinking", 80, "deletion_protection = false"),
			},
			{
				PreConfig:   mark.set,
				Config:      sfsConfig(env, "shrinking", 50, "deletion_protection = false"),
				ExpectError: sfsAtPlan("SFS cannot shrink"),
			},
			{
				PreConfig:   mark.expectNone,
				Config:      sfsConfig(env, "shrinking", 50, "deletion_protection = false"),
				PlanOnly:    true,
				ExpectError: sfsErrorPattern("has 80 GB and size is now 50. The Verda API can only grow a volume. Set size to 80 or more"),
			},
			{
				// A rename together with a shrink is rejected as a whole.
				Config:      sfsConfig(env, "renamed-and-shrunk", 10, "deletion_protection = false"),
				PlanOnly:    true,
				ExpectError: sfsErrorPattern("SFS cannot shrink"),
			},
			{
				PreConfig: mark.expectNone,
				Config:    sfsConfig(env, "shrinking", 80, "deletion_protection = false"),
				PlanOnly:  true,
			},
		},
	})
}

func TestAccSFS_deletionProtection(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	mark := &sfsMutationMark{t: t, env: env}
	var id string

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: sfsConfig(env, "protected", 50, ""),
				Check:  sfsCaptureID(sfsAddr, &id),
			},
			{
				PreConfig:   mark.set,
				Config:      sfsConfig(env, "protected", 50, ""),
				Destroy:     true,
				ExpectError: sfsAtPlan("Deletion protection enabled"),
			},
			{
				Config:  sfsConfig(env, "protected", 50, ""),
				Destroy: true,
				ExpectError: sfsAtPlan("has deletion_protection = true, so OpenTofu will not destroy it. To destroy it on purpose, " +
					"use two steps: first set deletion_protection = false and apply that change on its own, then destroy it."),
			},
			{
				// Changing the type forces a replacement, which would destroy the volume.
				Config: sfsConfig(env, "protected", 50, `type = "HDD_Shared"`),
				ExpectError: sfsAtPlan(`Changing type from "NVMe_Shared" to "HDD_Shared" needs a new volume, and replacing ` +
					`it destroys the current volume with its data.`),
			},
			{
				Config:      sfsConfig(env, "protected", 50, `location = "FIN-01"`),
				ExpectError: sfsAtPlan(`then apply the change that replaces it.`),
			},
			{
				// Turning protection off together with the replacement is still rejected:
				// the current state's protection counts.
				Config:      sfsConfig(env, "protected", 50, "type = \"HDD_Shared\"\ndeletion_protection = false"),
				ExpectError: sfsAtPlan("Deletion protection enabled"),
			},
			{
				PreConfig: mark.expectNone,
				Config:    sfsConfig(env, "protected", 50, "deletion_protection = false"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(sfsAddr, plancheck.ResourceActionUpdate),
					},
				},
				Check: mark.checkNone,
			},
			{
				// With protection off, the replacement goes ahead.
				Config: sfsConfig(env, "protected", 50, "type = \"HDD_Shared\"\ndeletion_protection = false"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(sfsAddr, plancheck.ResourceActionDestroyBeforeCreate),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(sfsAddr, tfjsonpath.New("type"), knownvalue.StringExact("HDD_Shared")),
				},
				Check: func(*terraform.State) error {
					if trashed := sfsTrashed(t, env, id); trashed == nil {
						t.Errorf("expected the replaced volume %s in the trash", id)
					}
					return nil
				},
			},
		},
		// The test's final destroy runs CheckDestroy only while the state holds a resource.
		CheckDestroy: func(*terraform.State) error {
			if live := sfsLiveVolumes(t, env); len(live) != 0 {
				t.Errorf("expected no volume after destroy, got %+v", live)
			}
			return nil
		},
	})
}

// A tainted SFS is replaced without a plan-time destroy check, so the delete
// itself enforces deletion protection.
func TestAccSFS_taintedStaysProtected(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	var id string

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: sfsConfig(env, "tainted", 50, ""),
				Check:  sfsCaptureID(sfsAddr, &id),
			},
			{
				Taint:  []string{sfsAddr},
				Config: sfsConfig(env, "tainted", 50, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(sfsAddr, plancheck.ResourceActionDestroyBeforeCreate),
					},
				},
				ExpectError: sfsAtApply("Deletion protection enabled"),
			},
			{
				// Forget the SFS so that the test's final destroy leaves it alone.
				Config: env.config(`
removed {
  from = verda_sfs.test
}
`),
				Check: func(*terraform.State) error {
					if deletes := sfsVolumeActions(t, env, "delete"); len(deletes) != 0 {
						t.Errorf("expected no delete action, got %+v", deletes)
					}
					if live := sfsLiveVolumes(t, env); len(live) != 1 || live[0].ID != id {
						t.Errorf("expected the protected volume %s to be the only one, got %+v", id, live)
					}
					return nil
				},
			},
		},
	})
}

func TestAccSFS_mountedRefusesDelete(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	var id string
	config := sfsConfig(env, "mounted", 50, "deletion_protection = false")

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check:  sfsCaptureID(sfsAddr, &id),
			},
			{
				PreConfig: func() {
					sfsCreateMountingDeployment(t, env, "comfy-mounting-b", id)
					sfsCreateMountingDeployment(t, env, "comfy-mounting-a", id)
				},
				Config:      config,
				Destroy:     true,
				ExpectError: sfsAtPlan(`SFS is mounted`),
			},
			{
				Config:  config,
				Destroy: true,
				ExpectError: sfsAtPlan(`is mounted by the container deployments "comfy-mounting-a", "comfy-mounting-b", ` +
					`so OpenTofu will not destroy it`),
			},
			{
				// Replacing it would delete it as well.
				Config:      sfsConfig(env, "mounted", 50, "deletion_protection = false\ntype = \"HDD_Shared\""),
				ExpectError: sfsAtPlan(`so OpenTofu will not replace it`),
			},
			{
				// When the plan cannot list deployments, the delete checks them.
				PreConfig: func() {
					// Four 500s outlast the client's three retries of a GET.
					env.emu.AddFault(emulator.Fault{Method: "GET", Path: "/v1/container-deployments", Status: 500, Count: 4})
				},
				Config:      config,
				Destroy:     true,
				ExpectError: sfsAtApply(`so OpenTofu will not delete it`),
			},
			{
				// With the deployments gone, the test's final destroy deletes the SFS.
				PreConfig: func() {
					if faults := env.emu.Faults(); len(faults) != 0 {
						t.Errorf("expected the plan to have used the fault, %d left", len(faults))
					}
					if deletes := sfsVolumeActions(t, env, "delete"); len(deletes) != 0 {
						t.Errorf("expected no delete action while mounted, got %+v", deletes)
					}
					for _, name := range []string{"comfy-mounting-a", "comfy-mounting-b"} {
						if err := env.apiClient(t).DeleteDeployment(apiContext(t), name, 0); err != nil {
							t.Fatalf("deleting deployment %s: %v", name, err)
						}
					}
				},
				Config:   config,
				PlanOnly: true,
			},
		},
		CheckDestroy: func(*terraform.State) error {
			sfsExpectGone(t, env, id)
			if deletes := sfsVolumeActions(t, env, "delete"); len(deletes) != 1 || deletes[0].ID != id {
				t.Errorf("expected one delete action of %s, got %+v", id, deletes)
			}
			return nil
		},
	})
}

func TestAccSFS_clone(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t).withProductionSeed()
	mark := &sfsMutationMark{t: t, env: env}
	sourceID := statecheck.CompareValue(compare.ValuesSame())

	config := func(biggerSize string) string {
		return env.config(fmt.Sprintf(`
data "verda_sfs" "production" {
  name = "production-sfs"
}

resource "verda_sfs" "test" {
  name                = "production-sfs-staging"
  size                = data.verda_sfs.production.size
  source_volume_id    = data.verda_sfs.production.id
  deletion_protection = false
}

resource "verda_sfs" "bigger" {
  name                = "production-sfs-bigger"
  size                = %s
  source_volume_id    = data.verda_sfs.production.id
  deletion_protection = false
}
`, biggerSize))
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: mark.set,
				Config:    config("data.verda_sfs.production.size - 1"),
				ExpectError: sfsAtPlan(`A clone starts at its source's size and the API cannot shrink a volume: ` +
					`set size to 2000 or more.`),
			},
			{
				PreConfig: mark.expectNone,
				Config:    config("data.verda_sfs.production.size + 100"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(sfsAddr, plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction("verda_sfs.bigger", plancheck.ResourceActionCreate),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sourceID.AddStateValue("data.verda_sfs.production", tfjsonpath.New("id")),
					sourceID.AddStateValue(sfsAddr, tfjsonpath.New("source_volume_id")),
					statecheck.CompareValuePairs(sfsAddr, tfjsonpath.New("id"), "data.verda_sfs.production", tfjsonpath.New("id"),
						compare.ValuesDiffer()),
					statecheck.ExpectKnownValue(sfsAddr, tfjsonpath.New("name"), knownvalue.StringExact("production-sfs-staging")),
					statecheck.ExpectKnownValue(sfsAddr, tfjsonpath.New("size"), knownvalue.Int64Exact(2000)),
					statecheck.ExpectKnownValue(sfsAddr, tfjsonpath.New("type"), knownvalue.StringExact("NVMe_Shared")),
					statecheck.ExpectKnownValue(sfsAddr, tfjsonpath.New("location"), knownvalue.StringExact("FIN-03")),
					statecheck.ExpectKnownValue(sfsAddr, tfjsonpath.New("status"), knownvalue.StringExact("created")),
					statecheck.ExpectKnownValue("verda_sfs.bigger", tfjsonpath.New("size"), knownvalue.Int64Exact(2100)),
					statecheck.ExpectKnownValue("verda_sfs.bigger", tfjsonpath.New("status"), knownvalue.StringExact("created")),
				},
				Check: func(s *terraform.State) error {
					cloneID := s.RootModule().Resources[sfsAddr].Primary.ID
					files, err := env.emu.Files(cloneID)
					if err != nil {
						return fmt.Errorf("reading the clone's files: %w", err)
					}
					if _, ok := files["models/checkpoints/sd_xl_base_1.0.safetensors"]; !ok {
						t.Errorf("expected the clone to hold the production checkpoint, got %v", files)
					}
					if n := env.emu.CountRequests("POST", "/v1/volumes"); n != 0 {
						t.Errorf("expected clones, not creates; got %d creates", n)
					}
					clones := sfsVolumeActions(t, env, "clone")
					if len(clones) != 2 {
						t.Errorf("expected 2 clone actions, got %+v", clones)
					}
					for _, c := range clones {
						if c.Type != "NVMe_Shared" {
							t.Errorf("expected clone type NVMe_Shared in %+v", c)
						}
					}
					resizes := sfsVolumeActions(t, env, "resize")
					if len(resizes) != 1 || resizes[0].Size != 2100 {
						t.Errorf("expected one resize of the bigger clone to 2100 GB, got %+v", resizes)
					}
					return nil
				},
			},
		},
	})
}

func TestAccSFS_disappears(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: sfsConfig(env, "disappearing", 50, ""),
				Check: func(s *terraform.State) error {
					return env.emu.DeleteVolumeOutOfBand(s.RootModule().Resources[sfsAddr].Primary.ID)
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(sfsAddr, plancheck.ResourceActionCreate),
					},
				},
				ExpectNonEmptyPlan: true,
			},
			{
				// The refresh removes the SFS from state with a warning, not an error.
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: func(s *terraform.State) error {
					if _, ok := s.RootModule().Resources[sfsAddr]; ok {
						t.Errorf("expected %s to be gone from state after the refresh", sfsAddr)
					}
					return nil
				},
			},
		},
	})
}

func TestAccSFS_import(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	// Import steps use their configuration as it is, so it names the provider's source itself.
	config := sfsImportConfig(env, "")
	idOf := func(s *terraform.State) (string, error) {
		return s.RootModule().Resources[sfsAddr].Primary.ID, nil
	}
	var blockVolumeID string

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
			},
			{
				// An import block plans no change: the provider-only arguments come back at their defaults.
				Config:            config,
				ResourceName:      sfsAddr,
				ImportState:       true,
				ImportStateKind:   resource.ImportBlockWithID,
				ImportStateIdFunc: idOf,
			},
			{
				Config:          config,
				ResourceName:    sfsAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "name:imported",
			},
			{
				Config:            config,
				ResourceName:      sfsAddr,
				ImportState:       true,
				ImportStateIdFunc: idOf,
				ImportStateVerify: true,
			},
			{
				Config:            config,
				ResourceName:      sfsAddr,
				ImportState:       true,
				ImportStateId:     "name:imported",
				ImportStateVerify: true,
			},
			{
				Config:        config,
				ResourceName:  sfsAddr,
				ImportState:   true,
				ImportStateId: "name:missing",
				ExpectError:   sfsErrorPattern(`No shared filesystem is named "missing". Existing shared filesystems: "imported".`),
			},
			{
				PreConfig: func() {
					blockVolumeID = sfsCreateVolume(t, env, "block", "NVMe", 10)
				},
				Config:       config,
				ResourceName: sfsAddr,
				ImportState:  true,
				ImportStateIdFunc: func(*terraform.State) (string, error) {
					return blockVolumeID, nil
				},
				ExpectError: sfsErrorPattern(`has type "NVMe", which is not a shared filesystem type (HDD_Shared, NVMe_Shared).`),
			},
			{
				PreConfig: func() {
					sfsCreateVolume(t, env, "imported", "HDD_Shared", 10)
				},
				Config:        config,
				ResourceName:  sfsAddr,
				ImportState:   true,
				ImportStateId: "name:imported",
				ExpectError:   sfsErrorPattern(`2 shared filesystems are named "imported"`),
			},
			{
				Config: sfsImportConfig(env, "deletion_protection = false"),
			},
		},
	})
}

func sfsImportConfig(env *accEnv, extra string) string {
	return `
terraform {
  required_providers {
    verda = {
      source = "comfyume/verda"
    }
  }
}
` + sfsConfig(env, "imported", 50, extra)
}

func TestAccSFS_trashVsPermanent(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	mark := &sfsMutationMark{t: t, env: env}
	var trashID, goneID string

	config := func(permanent bool) string {
		return env.config(fmt.Sprintf(`
resource "verda_sfs" "trash" {
  name                = "to-trash"
  size                = 50
  deletion_protection = false
}

resource "verda_sfs" "gone" {
  name                = "to-delete"
  size                = 50
  deletion_protection = false
  permanent_delete    = %t
}
`, permanent))
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config(false),
				Check: resource.ComposeTestCheckFunc(
					sfsCaptureID("verda_sfs.trash", &trashID),
					sfsCaptureID("verda_sfs.gone", &goneID),
				),
			},
			{
				PreConfig: mark.set,
				Config:    config(true),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("verda_sfs.gone", plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction("verda_sfs.trash", plancheck.ResourceActionNoop),
					},
				},
				Check: mark.checkNone,
			},
		},
		CheckDestroy: func(*terraform.State) error {
			sfsExpectGone(t, env, trashID)
			sfsExpectGone(t, env, goneID)

			if trashed := sfsTrashed(t, env, trashID); trashed == nil || trashed.IsPermanentlyDeleted {
				t.Errorf("expected %s in the trash, recoverable, got %+v", trashID, trashed)
			}
			if trashed := sfsTrashed(t, env, goneID); trashed != nil && !trashed.IsPermanentlyDeleted {
				t.Errorf("expected %s deleted for good, got %+v", goneID, trashed)
			}

			for _, d := range sfsVolumeActions(t, env, "delete") {
				want := d.ID == goneID
				if d.IsPermanent == nil || *d.IsPermanent != want {
					t.Errorf("delete of %s: expected is_permanent %t, got %v", d.ID, want, d.IsPermanent)
				}
			}
			if n := len(sfsVolumeActions(t, env, "delete")); n != 2 {
				t.Errorf("expected 2 delete actions, got %d", n)
			}
			return nil
		},
	})
}

func TestAccSFS_createWaitFails(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	config := sfsConfig(env, "flaky", 50, "deletion_protection = false")
	var firstID string

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// The first read after the create fails with four 500s, which
				// outlast the client's three retries, so the wait fails.
				PreConfig: func() {
					env.emu.AddFault(emulator.Fault{Method: "GET", Path: "/v1/volumes/*", Status: 500, Count: 4})
				},
				Config:      config,
				ExpectError: sfsAtApply("SFS not ready"),
			},
			{
				PreConfig: func() {
					live := sfsLiveVolumes(t, env)
					if len(live) != 1 {
						t.Fatalf("expected exactly one volume after the failed wait, got %+v", live)
					}
					firstID = live[0].ID
				},
				// The volume is in state, tainted, so this apply replaces it.
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(sfsAddr, plancheck.ResourceActionDestroyBeforeCreate),
					},
				},
				Check: func(s *terraform.State) error {
					live := sfsLiveVolumes(t, env)
					newID := s.RootModule().Resources[sfsAddr].Primary.ID
					if len(live) != 1 || live[0].ID != newID || newID == firstID {
						t.Errorf("expected only the replacement %s to exist, got %+v (first %s)", newID, live, firstID)
					}
					if sfsTrashed(t, env, firstID) == nil {
						t.Errorf("expected the tainted volume %s in the trash", firstID)
					}
					if n := env.emu.CountRequests("POST", "/v1/volumes"); n != 2 {
						t.Errorf("expected 2 creates, got %d", n)
					}
					return nil
				},
			},
		},
	})
}

func TestAccSFS_createTimeout(t *testing.T) {
	t.Parallel()
	// Volumes stay "ordered" for as many reads as any test makes.
	env := newAccEnv(t, func(o *emulator.Options) { o.StagePolls = 1 << 30 })

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: sfsConfig(env, "slow", 50, `
deletion_protection = false
timeouts {
  create = "1s"
}`),
				ExpectError: sfsAtApply(`did not become ready within 1s: timed out waiting for the SFS to become ready, ` +
					`and its last status was "ordered".`),
			},
			{
				PreConfig: func() {
					if live := sfsLiveVolumes(t, env); len(live) != 1 {
						t.Errorf("expected exactly one volume after the timeout, got %+v", live)
					}
				},
				Config: sfsConfig(env, "slow", 50, `
deletion_protection = false
timeouts {
  create = "1s"
}`),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

func TestAccSFS_planChecks(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	mark := &sfsMutationMark{t: t, env: env}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig:   mark.set,
				Config:      sfsConfig(env, "bad-type", 50, `type = "NVMe"`),
				ExpectError: sfsAtPlan(`Type "NVMe" is a block volume type, not a shared filesystem. Set type to one of the shared filesystem types that the Verda API lists: HDD_Shared, NVMe_Shared.`),
			},
			{
				Config:      sfsConfig(env, "bad-type", 50, `type = "Tape"`),
				ExpectError: sfsAtPlan(`The Verda API lists no volume type "Tape". Set type to one of its shared filesystem types: HDD_Shared, NVMe_Shared.`),
			},
			{
				Config:      sfsConfig(env, "bad-location", 50, `location = "MARS-01"`),
				ExpectError: sfsAtPlan(`The Verda API lists no location "MARS-01". Set location to one of FIN-01, FIN-02, FIN-03, ICE-01`),
			},
			{
				Config:      sfsConfig(env, "bad-source", 50, `source_volume_id = "00000000-0000-4000-8000-000000000000"`),
				ExpectError: sfsAtPlan(`No volume has the id "00000000-0000-4000-8000-000000000000", so it cannot be cloned.`),
			},
			{
				Config:      sfsConfig(env, "", 50, ""),
				ExpectError: regexp.MustCompile(`(?s)Error running pre-apply plan.*Invalid Attribute Value Length.*name`),
			},
			{
				Config:      sfsConfig(env, "zero", 0, ""),
				ExpectError: regexp.MustCompile(`(?s)Error running pre-apply plan.*Invalid Attribute Value.*size`),
			},
			{
				PreConfig:          mark.expectNone,
				Config:             sfsConfig(env, "good", 50, `location = "FIN-01"`),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
}
