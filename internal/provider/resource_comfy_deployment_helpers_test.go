package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/comfyume/terraform-provider-verda/internal/verda"
)

// Objects of the production seed that the tests mount and reference.
const (
	comfyProductionSFS   = "5f0c6a1e-3b8d-4c2e-9a71-2d4e8b6f0c13"
	comfyProductionImage = "ghcr.io/comfyume/comfyui:0.3.64-cu128"
	comfyAddr            = "verda_comfy_deployment.test"
)

// comfyHCL returns a deployment of the given name and image on one H200
// with the production SFS mounted at /mnt/sfs; extra holds more arguments.
func comfyHCL(name, image, extra string) string {
	return fmt.Sprintf(`
resource "verda_comfy_deployment" "test" {
  name       = %q
  image      = %q
  gpu        = { type = "H200" }
  sfs_mounts = [{ volume_id = %q }]
%s
}
`, name, image, comfyProductionSFS, extra)
}

// comfyEnv starts an emulator with the production seed, which provides the
// SFS, the secret hf-token and the model files the tests use.
func comfyEnv(t *testing.T) *accEnv {
	t.Helper()
	return newAccEnv(t).withProductionSeed()
}

// comfyLiveDeployment reads a deployment through the API.
func comfyLiveDeployment(t *testing.T, env *accEnv, name string) *verda.ContainerDeployment {
	t.Helper()
	dep, err := env.apiClient(t).GetDeployment(apiContext(t), name)
	if err != nil {
		t.Fatalf("reading deployment %q from the emulator: %v", name, err)
	}
	if len(dep.Containers) == 0 {
		t.Fatalf("deployment %q has no container", name)
	}
	return dep
}

// comfyErrorPattern matches text in an OpenTofu diagnostic, which OpenTofu
// wraps at any space.
func comfyErrorPattern(text string) *regexp.Regexp {
	words := strings.Fields(text)
	for i, w := range words {
		words[i] = regexp.QuoteMeta(w)
	}
	return regexp.MustCompile(strings.Join(words, `\s+`))
}

// comfyCountDeployments counts the deployments of the given name that the
// API lists.
func comfyCountDeployments(t *testing.T, env *accEnv, name string) int {
	t.Helper()
	list, err := env.apiClient(t).ListDeployments(apiContext(t))
	if err != nil {
		t.Fatalf("listing deployments: %v", err)
	}
	n := 0
	for _, d := range list {
		if d.Name == name {
			n++
		}
	}
	return n
}

// comfyMutations returns "METHOD path" of every mutating API request logged
// so far.
func comfyMutations(env *accEnv) []string {
	var out []string
	for _, rec := range env.emu.MutatingRequests() {
		out = append(out, rec.Method+" "+rec.Path)
	}
	return out
}

// comfyPatchOutOfBand changes a deployment behind the provider's back.
func comfyPatchOutOfBand(t *testing.T, env *accEnv, name string, patch any) {
	t.Helper()
	body, err := json.Marshal(patch)
	if err != nil {
		t.Fatalf("encoding the patch: %v", err)
	}
	if err := env.emu.PatchDeploymentOutOfBand(name, body); err != nil {
		t.Fatalf("patching deployment %q out of band: %v", name, err)
	}
}

// comfyStringList is a knownvalue check of an exact list of strings.
func comfyStringList(values ...string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(values))
	for i, v := range values {
		checks[i] = knownvalue.StringExact(v)
	}
	return knownvalue.ListExact(checks)
}

// comfyExpect is statecheck.ExpectKnownValue on the test resource.
func comfyExpect(attrPath tfjsonpath.Path, check knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(comfyAddr, attrPath, check)
}

// comfyCheckFunc adapts a function to statecheck.StateCheck, for checks
// that ask the emulator rather than the state.
type comfyCheckFunc func() error

func (f comfyCheckFunc) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = f()
}
