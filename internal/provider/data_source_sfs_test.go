package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

const sfsDataAddr = "data.verda_sfs.test"

// sfsProductionChecks are the values of the production SFS in the seed fixture.
func sfsProductionChecks() []statecheck.StateCheck {
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(sfsDataAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(sfsUUID)),
		statecheck.ExpectKnownValue(sfsDataAddr, tfjsonpath.New("name"), knownvalue.StringExact("production-sfs")),
		statecheck.ExpectKnownValue(sfsDataAddr, tfjsonpath.New("size"), knownvalue.Int64Exact(2000)),
		statecheck.ExpectKnownValue(sfsDataAddr, tfjsonpath.New("type"), knownvalue.StringExact("NVMe_Shared")),
		statecheck.ExpectKnownValue(sfsDataAddr, tfjsonpath.New("location"), knownvalue.StringExact("FIN-03")),
		statecheck.ExpectKnownValue(sfsDataAddr, tfjsonpath.New("status"), knownvalue.StringExact("created")),
		statecheck.ExpectKnownValue(sfsDataAddr, tfjsonpath.New("created_at"), knownvalue.NotNull()),
		statecheck.ExpectKnownValue(sfsDataAddr, tfjsonpath.New("pseudo_path"),
			knownvalue.StringRegexp(regexp.MustCompile(`^volume-[0-9a-f]{8}$`))),
		statecheck.ExpectKnownValue(sfsDataAddr, tfjsonpath.New("mount_command"),
			knownvalue.StringRegexp(regexp.MustCompile(`^mount -t nfs .*nfs\.fin-03\.datacrunch\.io:volume-[0-9a-f]{8} /mnt/volume$`))),
		statecheck.ExpectKnownValue(sfsDataAddr, tfjsonpath.New("create_directory_command"), knownvalue.StringExact("mkdir -p /mnt/volume")),
		statecheck.ExpectKnownValue(sfsDataAddr, tfjsonpath.New("filesystem_to_fstab_command"),
			knownvalue.StringRegexp(regexp.MustCompile(`/etc/fstab`))),
		statecheck.ExpectKnownValue(sfsDataAddr, tfjsonpath.New("instance_ids"), knownvalue.ListExact([]knownvalue.Check{})),
		statecheck.ExpectKnownValue(sfsDataAddr, tfjsonpath.New("monthly_price"), knownvalue.NotNull()),
		statecheck.ExpectKnownValue(sfsDataAddr, tfjsonpath.New("currency"), knownvalue.StringExact("usd")),
	}
}

func TestAccSFSDataSource_byName(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t).withProductionSeed()

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.config(`
data "verda_sfs" "test" {
  name = "production-sfs"
}
`),
				ConfigStateChecks: sfsProductionChecks(),
			},
		},
	})
}

func TestAccSFSDataSource_byID(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t).withProductionSeed()
	var id string
	for _, v := range sfsLiveVolumes(t, env) {
		if v.Name == "production-sfs" {
			id = v.ID
		}
	}
	if id == "" {
		t.Fatal("the production seed has no volume named production-sfs")
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.config(fmt.Sprintf(`
data "verda_sfs" "test" {
  id = %q
}
`, id)),
				ConfigStateChecks: append(sfsProductionChecks(),
					statecheck.ExpectKnownValue(sfsDataAddr, tfjsonpath.New("id"), knownvalue.StringExact(id))),
			},
		},
	})
}

func TestAccSFSDataSource_notFound(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t).withProductionSeed()
	blockID := sfsCreateVolume(t, env, "block", "NVMe", 10)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.config(`
data "verda_sfs" "test" {
  name = "no-such-sfs"
}
`),
				ExpectError: sfsErrorPattern(`No shared filesystem is named "no-such-sfs". Existing shared filesystems: ` +
					`"production-sfs", "production-sfs-clone".`),
			},
			{
				Config: env.config(`
data "verda_sfs" "test" {
  id = "00000000-0000-4000-8000-000000000000"
}
`),
				ExpectError: sfsErrorPattern(`SFS not found`),
			},
			{
				// A block volume is not a shared filesystem, by name or by id.
				Config: env.config(`
data "verda_sfs" "test" {
  name = "block"
}
`),
				ExpectError: sfsErrorPattern(`No shared filesystem is named "block".`),
			},
			{
				Config: env.config(fmt.Sprintf(`
data "verda_sfs" "test" {
  id = %q
}
`, blockID)),
				ExpectError: sfsErrorPattern(`has type "NVMe", which is not a shared filesystem type (HDD_Shared, NVMe_Shared).`),
			},
		},
	})
}

func TestAccSFSDataSource_ambiguousName(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	first := sfsCreateVolume(t, env, "twin", "NVMe_Shared", 10)
	second := sfsCreateVolume(t, env, "twin", "HDD_Shared", 20)
	sfsCreateVolume(t, env, "other", "NVMe_Shared", 10)
	ids := []string{first, second}
	if ids[0] > ids[1] {
		ids[0], ids[1] = ids[1], ids[0]
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.config(`
data "verda_sfs" "test" {
  name = "twin"
}
`),
				ExpectError: sfsErrorPattern(fmt.Sprintf(`2 shared filesystems are named "twin" (ids %s, %s). `+
					`Look the one you mean up by id instead of name.`, ids[0], ids[1])),
			},
			{
				Config: env.config(fmt.Sprintf(`
data "verda_sfs" "test" {
  id = %q
}
`, first)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(sfsDataAddr, tfjsonpath.New("name"), knownvalue.StringExact("twin")),
					statecheck.ExpectKnownValue(sfsDataAddr, tfjsonpath.New("size"), knownvalue.Int64Exact(10)),
				},
			},
		},
	})
}

func TestAccSFSDataSource_idAndName(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.config(`
data "verda_sfs" "test" {
  id   = "00000000-0000-4000-8000-000000000000"
  name = "production-sfs"
}
`),
				ExpectError: regexp.MustCompile(`Invalid Attribute Combination`),
			},
			{
				Config: env.config(`
data "verda_sfs" "test" {}
`),
				ExpectError: regexp.MustCompile(`Missing Attribute Configuration`),
			},
		},
	})
}
