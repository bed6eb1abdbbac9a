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

func TestAccComputeResourcesDataSource_basic(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	env.emu.SetComputeAvailable("H200", 1, true)
	env.emu.SetComputeAvailable("B300", 1, false)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.config(`
data "verda_compute_resources" "all" {}

data "verda_compute_resources" "available" {
  available_only = true
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.verda_compute_resources.all",
						tfjsonpath.New("names"), knownvalue.SetPartial([]knownvalue.Check{
							knownvalue.StringExact("H200"),
							knownvalue.StringExact("B300"),
						})),
					statecheck.ExpectKnownValue("data.verda_compute_resources.all",
						tfjsonpath.New("resources"), knownvalue.SetPartial([]knownvalue.Check{
							knownvalue.ObjectExact(map[string]knownvalue.Check{
								"name":         knownvalue.StringExact("H200"),
								"size":         knownvalue.Int64Exact(1),
								"is_available": knownvalue.Bool(true),
							}),
							knownvalue.ObjectExact(map[string]knownvalue.Check{
								"name":         knownvalue.StringExact("B300"),
								"size":         knownvalue.Int64Exact(1),
								"is_available": knownvalue.Bool(false),
							}),
						})),
					statecheck.ExpectKnownValue("data.verda_compute_resources.available",
						tfjsonpath.New("resources"), knownvalue.SetPartial([]knownvalue.Check{
							knownvalue.ObjectExact(map[string]knownvalue.Check{
								"name":         knownvalue.StringExact("H200"),
								"size":         knownvalue.Int64Exact(1),
								"is_available": knownvalue.Bool(true),
							}),
						})),
				},
			},
		},
	})
}

func TestAccComputeResourcesDataSource_badCredentials(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: fmt.Sprintf(`
provider "verda" {
  base_url      = %q
  client_id     = "emulator-client-id"
  client_secret = "wrong-secret"
  max_retries   = 0
}

data "verda_compute_resources" "all" {}
`, env.server.BaseURL),
				ExpectError: regexp.MustCompile(`authentication failed`),
			},
		},
	})
}
