package provider

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/comfyume/terraform-provider-verda/internal/verda"
)

// sfsUUID matches the volume ids the API assigns.
var sfsUUID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// sfsErrorPattern matches text in an OpenTofu diagnostic, which OpenTofu
// wraps at any space.
func sfsErrorPattern(text string) *regexp.Regexp {
	words := strings.Fields(text)
	for i, w := range words {
		words[i] = regexp.QuoteMeta(w)
	}
	return regexp.MustCompile(strings.Join(words, `\s+`))
}

// sfsAtPlan matches text in a diagnostic of the plan that precedes an apply,
// so a check that only the apply makes does not satisfy it.
func sfsAtPlan(text string) *regexp.Regexp {
	return regexp.MustCompile(`(?s)Error running pre-apply plan.*` + sfsErrorPattern(text).String())
}

// sfsAtApply matches text in a diagnostic of an apply or destroy, after its
// plan succeeded.
func sfsAtApply(text string) *regexp.Regexp {
	return regexp.MustCompile(`(?s)Error running (apply|destroy):.*` + sfsErrorPattern(text).String())
}

// sfsVolumeAction is a PUT /v1/volumes request from the emulator's log.
type sfsVolumeAction struct {
	ID          string `json:"id"`
	Action      string `json:"action"`
	Name        string `json:"name"`
	Size        int64  `json:"size"`
	Type        string `json:"type"`
	IsPermanent *bool  `json:"is_permanent"`
}

// sfsVolumeActions returns the logged volume actions with the given action
// name, or all of them when action is "".
func sfsVolumeActions(t *testing.T, env *accEnv, action string) []sfsVolumeAction {
	t.Helper()
	var out []sfsVolumeAction
	for _, rec := range env.emu.Requests() {
		if rec.Method != "PUT" || rec.Path != "/v1/volumes" {
			continue
		}
		var a sfsVolumeAction
		if err := json.Unmarshal([]byte(rec.Body), &a); err != nil {
			t.Fatalf("decoding the logged volume action %q: %v", rec.Body, err)
		}
		if action == "" || a.Action == action {
			out = append(out, a)
		}
	}
	return out
}

// sfsMutationMark remembers how many mutating API requests the emulator has
// logged, so that a later step can prove it made none.
type sfsMutationMark struct {
	t     *testing.T
	env   *accEnv
	count int
}

func (m *sfsMutationMark) set() { m.count = len(m.env.emu.MutatingRequests()) }

// expectNone fails the test when a mutating request was logged since set.
func (m *sfsMutationMark) expectNone() {
	m.t.Helper()
	all := m.env.emu.MutatingRequests()
	if len(all) == m.count {
		return
	}
	var lines []string
	for _, rec := range all[m.count:] {
		lines = append(lines, fmt.Sprintf("%s %s %s", rec.Method, rec.Path, rec.Body))
	}
	m.t.Errorf("expected no mutating API request, got %d:\n%s", len(lines), strings.Join(lines, "\n"))
}

// checkNone is expectNone as a TestCheckFunc.
func (m *sfsMutationMark) checkNone(*terraform.State) error {
	m.expectNone()
	return nil
}

// sfsCaptureID stores the id of a resource in state into *id.
func sfsCaptureID(address string, id *string) func(*terraform.State) error {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[address]
		if !ok {
			return fmt.Errorf("%s is not in state", address)
		}
		*id = rs.Primary.ID
		return nil
	}
}

// sfsLiveVolumes returns the volumes the API lists (the trash excluded).
func sfsLiveVolumes(t *testing.T, env *accEnv) []verda.Volume {
	t.Helper()
	list, err := env.apiClient(t).ListVolumes(apiContext(t))
	if err != nil {
		t.Fatalf("listing volumes: %v", err)
	}
	return list
}

// sfsTrashed returns the trash entry of id, or nil.
func sfsTrashed(t *testing.T, env *accEnv, id string) *verda.TrashedVolume {
	t.Helper()
	list, err := env.apiClient(t).ListTrashedVolumes(apiContext(t))
	if err != nil {
		t.Fatalf("listing the trash: %v", err)
	}
	for i := range list {
		if list[i].ID == id {
			return &list[i]
		}
	}
	return nil
}

// sfsCreateVolume creates a volume out of band and returns its id.
func sfsCreateVolume(t *testing.T, env *accEnv, name, volumeType string, size int64) string {
	t.Helper()
	id, err := env.apiClient(t).CreateVolume(apiContext(t), verda.CreateVolumeRequest{Name: name, Type: volumeType, Size: size})
	if err != nil {
		t.Fatalf("creating volume %q: %v", name, err)
	}
	return id
}

// sfsCreateMountingDeployment creates a container deployment that mounts the
// volume as a shared filesystem.
func sfsCreateMountingDeployment(t *testing.T, env *accEnv, name, volumeID string) {
	t.Helper()
	_, err := env.apiClient(t).CreateDeployment(apiContext(t), verda.CreateDeploymentRequest{
		Name:    name,
		Compute: verda.Compute{Name: "H100", Size: 1},
		Containers: []verda.Container{{
			Image:       verda.Image{Image: "ghcr.io/comfyume/comfyui:0.3.64-cu128"},
			ExposedPort: 8188,
			VolumeMounts: []verda.VolumeMount{
				{Type: verda.MountShared, MountPath: "/mnt/sfs", VolumeID: volumeID},
			},
		}},
	})
	if err != nil {
		t.Fatalf("creating deployment %q that mounts volume %s: %v", name, volumeID, err)
	}
}

// sfsExpectGone fails unless GET of the volume returns 404.
func sfsExpectGone(t *testing.T, env *accEnv, id string) {
	t.Helper()
	_, err := env.apiClient(t).GetVolume(apiContext(t), id)
	if !verda.IsNotFound(err) {
		t.Errorf("expected volume %s to be gone (404), got error %v", id, err)
	}
}

// sfsVolumeTypePrice returns the monthly price per GB of a volume type.
func sfsVolumeTypePrice(t *testing.T, env *accEnv, typeName string) float64 {
	t.Helper()
	list, err := env.apiClient(t).ListVolumeTypes(apiContext(t))
	if err != nil {
		t.Fatalf("listing volume types: %v", err)
	}
	i := slices.IndexFunc(list, func(vt verda.VolumeType) bool { return vt.Type == typeName })
	if i < 0 {
		t.Fatalf("the emulator lists no volume type %q", typeName)
	}
	return list[i].Price.PerGBMonth()
}
