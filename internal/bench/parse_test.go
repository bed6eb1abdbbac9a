package bench

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/comfyume/terraform-provider-verda/internal/emulator"
)

func TestParseReattachLine(t *testing.T) {
	tests := []struct {
		name, line, want string
		ok               bool
	}{
		{
			name: "tab indented",
			line: "\tTF_REATTACH_PROVIDERS='{\"registry.opentofu.org/comfyume/verda\":{\"Pid\":42}}'",
			want: `{"registry.opentofu.org/comfyume/verda":{"Pid":42}}`,
			ok:   true,
		},
		{
			name: "shell-escaped quote",
			line: `TF_REATTACH_PROVIDERS='{"a":"it'"'"'s"}'`,
			want: `{"a":"it's"}`,
			ok:   true,
		},
		{name: "banner line", line: "Provider started. To attach Terraform CLI, set the TF_REATTACH_PROVIDERS environment variable"},
		{name: "missing closing quote", line: `TF_REATTACH_PROVIDERS='{"a":1}`},
		{name: "not JSON", line: `TF_REATTACH_PROVIDERS='abc'`},
		{name: "empty", line: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseReattachLine(tt.line)
			if ok != tt.ok {
				t.Fatalf("parseReattachLine(%q) ok = %v, want %v", tt.line, ok, tt.ok)
			}
			if got != tt.want {
				t.Errorf("parseReattachLine(%q) = %q, want %q", tt.line, got, tt.want)
			}
		})
	}
}

func TestParseVmHWM(t *testing.T) {
	status := "Name:\tterraform-provi\nVmPeak:\t 1300000 kB\nVmHWM:\t   63320 kB\nVmRSS:\t   60000 kB\n"
	got, err := parseVmHWM(status)
	if err != nil {
		t.Fatalf("parseVmHWM returned %v", err)
	}
	if want := int64(63320 * 1024); got != want {
		t.Errorf("parseVmHWM = %d, want %d", got, want)
	}

	if _, err := parseVmHWM("Name:\tx\nVmRSS:\t 1 kB\n"); err == nil {
		t.Error("parseVmHWM without a VmHWM line returned no error")
	}
	if _, err := parseVmHWM("VmHWM:\t 12 MB\n"); err == nil {
		t.Error("parseVmHWM with an unexpected unit returned no error")
	}
}

func TestRequestKind(t *testing.T) {
	tests := []struct{ method, path, want string }{
		{"POST", "/v1/oauth2/token", tokenKind},
		{"GET", "/v1/container-deployments", "GET /v1/container-deployments"},
		{"GET", "/v1/container-deployments/bench-007", "GET /v1/container-deployments/{name}"},
		{"GET", "/v1/container-deployments/bench-007/scaling", "GET /v1/container-deployments/{name}/scaling"},
		{"GET", "/v1/volumes/5f0c6a1e-3b8d-4c2e-9a71-2d4e8b6f0c13", "GET /v1/volumes/{id}"},
		{"GET", "/v1/volumes/trash", "GET /v1/volumes/trash"},
		{"GET", "/v1/volumes", "GET /v1/volumes"},
		{"GET", "/inference/comfy-h200/history/01505965-3de4-4f1a-be12-30afc625b228", "GET /inference/{name}/history/{id}"},
		{"POST", "/inference/comfy-h200/prompt", "POST /inference/{name}/prompt"},
	}
	for _, tt := range tests {
		if got := requestKind(tt.method, tt.path); got != tt.want {
			t.Errorf("requestKind(%s, %s) = %q, want %q", tt.method, tt.path, got, tt.want)
		}
	}
}

func TestTallyRequestsCountsTokenApart(t *testing.T) {
	records := []emulator.RequestRecord{
		{Method: "POST", Path: "/v1/oauth2/token"},
		{Method: "GET", Path: "/v1/container-deployments"},
		{Method: "GET", Path: "/v1/container-deployments/a/scaling"},
		{Method: "GET", Path: "/v1/container-deployments/b/scaling"},
	}
	tally := tallyRequests(records)
	if tally.Token != 1 {
		t.Errorf("Token = %d, want 1", tally.Token)
	}
	if tally.API != 3 {
		t.Errorf("API = %d, want 3", tally.API)
	}
	want := "2× GET /v1/container-deployments/{name}/scaling, 1× GET /v1/container-deployments, 1× POST /v1/oauth2/token"
	if got := tally.String(); got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got := tallyRequests(nil).String(); got != "none" {
		t.Errorf("String() of no requests = %q, want none", got)
	}
}

func TestDeploymentOfStatusPath(t *testing.T) {
	tests := []struct{ method, path, want string }{
		{"GET", "/v1/container-deployments/comfy-h200/status", "comfy-h200"},
		{"POST", "/v1/container-deployments/comfy-h200/status", ""},
		{"GET", "/v1/container-deployments/comfy-h200/scaling", ""},
		{"GET", "/v1/container-deployments/comfy-h200", ""},
		{"GET", "/v1/container-deployments//status", ""},
		{"GET", "/v1/container-deployments/a/status/extra", ""},
	}
	for _, tt := range tests {
		if got := deploymentOfStatusPath(tt.method, tt.path); got != tt.want {
			t.Errorf("deploymentOfStatusPath(%s, %s) = %q, want %q", tt.method, tt.path, got, tt.want)
		}
	}
}

func TestMedian(t *testing.T) {
	if got := median([]time.Duration{3, 1, 2}); got != 2 {
		t.Errorf("median of 3 values = %d, want 2", got)
	}
	if got := median([]time.Duration{4, 1, 3, 2}); got != 2 {
		t.Errorf("median of 4 values = %d, want 2 (mean of 2 and 3, truncated)", got)
	}
	if got := median(nil); got != 0 {
		t.Errorf("median of none = %d, want 0", got)
	}
}

func TestDurationLabel(t *testing.T) {
	if got := durationLabel(10 * time.Second); got != "10s" {
		t.Errorf("durationLabel(10s) = %q", got)
	}
	if got := durationLabel(1500 * time.Millisecond); got != "1500ms" {
		t.Errorf("durationLabel(1.5s) = %q", got)
	}
}

func TestCheckInfrastructureOutputs(t *testing.T) {
	healthy := `{"status":"healthy","gpu_name":"cuda:0 NVIDIA H200","comfyui_version":"0.3.64"}`
	four := `{"a":` + healthy + `,"b":` + healthy + `,"c":` + healthy + `,"d":` + healthy + `}`
	ok := `{"deployments":{"value":` + four + `},"drift":{"value":{"drift_count":0,"summary":""}}}`
	if _, err := checkInfrastructureOutputs(ok); err != nil {
		t.Errorf("four healthy deployments without drift: %v", err)
	}

	drifted := `{"deployments":{"value":` + four + `},"drift":{"value":{"drift_count":2,"summary":"image differs"}}}`
	if _, err := checkInfrastructureOutputs(drifted); err == nil || !strings.Contains(err.Error(), "2 drift findings") {
		t.Errorf("drift findings: error = %v, want one naming 2 drift findings", err)
	}

	unhealthy := strings.Replace(ok, `"status":"healthy"`, `"status":"unhealthy"`, 1)
	if _, err := checkInfrastructureOutputs(unhealthy); err == nil || !strings.Contains(err.Error(), "3 of 4") {
		t.Errorf("one unhealthy deployment: error = %v, want one naming 3 of 4", err)
	}

	if _, err := checkInfrastructureOutputs("not json"); err == nil {
		t.Error("invalid JSON returned no error")
	}
}

func TestCopyConfigurationSkipsWorkingFiles(t *testing.T) {
	src, dst := t.TempDir(), filepath.Join(t.TempDir(), "copy")
	files := map[string]string{
		"main.tf":                       "# main",
		"modules/m/main.tf":             "# module",
		".terraform/providers/x":        "binary",
		".terraform.lock.hcl":           "lock",
		"terraform.tfstate":             "{}",
		"terraform.tfstate.backup":      "{}",
		"modules/m/terraform.tfvars.ok": "kept",
	}
	for name, content := range files {
		path := filepath.Join(src, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := copyConfiguration(src, dst); err != nil {
		t.Fatalf("copyConfiguration: %v", err)
	}
	for _, kept := range []string{"main.tf", "modules/m/main.tf", "modules/m/terraform.tfvars.ok"} {
		if _, err := os.Stat(filepath.Join(dst, kept)); err != nil {
			t.Errorf("%s was not copied: %v", kept, err)
		}
	}
	for _, skipped := range []string{".terraform", ".terraform.lock.hcl", "terraform.tfstate", "terraform.tfstate.backup"} {
		if _, err := os.Stat(filepath.Join(dst, skipped)); err == nil {
			t.Errorf("%s was copied, want it skipped", skipped)
		}
	}
}
