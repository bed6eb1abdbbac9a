package provider

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/comfyume/terraform-provider-verda/internal/verda"
)

const driftTestImage = "ghcr.io/comfyume/comfyui:0.3.64-cu128"

// driftTestDeployment builds a deployment shaped like the production ones:
// ComfyUI on port 8188, an SFS at /mnt/sfs, a plain and a secret variable.
func driftTestDeployment(name, gpu string, spot bool, extraCmd ...string) verda.ContainerDeployment {
	cmd := []string{"--listen", "0.0.0.0", "--port", "8188", "--extra-model-paths-config", "/mnt/sfs/extra_model_paths.yaml"}
	return verda.ContainerDeployment{
		Name:    name,
		Compute: verda.Compute{Name: gpu, Size: 1},
		IsSpot:  spot,
		ContainerRegistrySettings: &verda.RegistrySettings{
			IsPrivate:   true,
			Credentials: &verda.RegistryCredentialRef{Name: "ghcr-comfyume"},
		},
		Containers: []verda.Container{{
			Name:        "comfyui-0",
			Image:       verda.Image{Image: driftTestImage, LastUpdatedAt: "2026-01-01T00:00:00Z"},
			ExposedPort: 8188,
			Healthcheck: &verda.Healthcheck{Enabled: true, Port: 8188, Path: "/"},
			EntrypointOverrides: &verda.EntrypointOverrides{
				Enabled:    true,
				Entrypoint: []string{"python3", "/app/ComfyUI/main.py"},
				Cmd:        append(cmd, extraCmd...),
			},
			Env: []verda.EnvVar{
				{Type: verda.EnvPlain, Name: "COMFYUI_LOG_LEVEL", ValueOrReferenceToSecret: "INFO"},
				{Type: verda.EnvSecret, Name: "HF_TOKEN", ValueOrReferenceToSecret: "hf-token"},
			},
			VolumeMounts: []verda.VolumeMount{
				{Type: verda.MountShared, MountPath: "/mnt/sfs", VolumeID: "vol-sfs"},
				{Type: verda.MountScratch, MountPath: "/data"},
			},
		}},
	}
}

func driftTestScaling(threshold float64) *verda.Scaling {
	return &verda.Scaling{
		MinReplicaCount:              verda.Int64(0),
		MaxReplicaCount:              verda.Int64(2),
		ConcurrentRequestsPerReplica: verda.Int64(1),
		QueueMessageTTLSeconds:       verda.Int64(300),
		ScaleUpPolicy:                &verda.ScalingPolicy{DelaySeconds: verda.Int64(0)},
		ScaleDownPolicy:              &verda.ScalingPolicy{DelaySeconds: verda.Int64(300)},
		ScalingTriggers: &verda.ScalingTriggers{
			QueueLoad:      &verda.QueueLoadTrigger{Threshold: threshold},
			CPUUtilization: &verda.UtilizationTrigger{Enabled: false},
			GPUUtilization: &verda.UtilizationTrigger{Enabled: false},
		},
	}
}

// driftProductionTargets mirrors the production account as the audit found it.
func driftProductionTargets() []driftTarget {
	return []driftTarget{
		{Deployment: driftTestDeployment("comfy-b200", "B200", false), Scaling: driftTestScaling(2), Status: "healthy"},
		{Deployment: driftTestDeployment("comfy-b200-spot", "B200", true), Scaling: driftTestScaling(2), Status: "healthy"},
		{Deployment: driftTestDeployment("comfy-h200", "H200", false), Scaling: driftTestScaling(2), Status: "healthy"},
		{Deployment: driftTestDeployment("comfy-h200-spot", "H200", true, "--output-directory", "/mnt/sfs/outputs"), Scaling: driftTestScaling(2), Status: "healthy"},
	}
}

func driftStr(s string) *string     { return &s }
func driftInt(v int64) *int64       { return &v }
func driftFloat(v float64) *float64 { return &v }

// driftRun applies the baseline and status checks to every target, sorted,
// as Read does.
func driftRun(targets []driftTarget, b driftBaseline) []driftFinding {
	var findings []driftFinding
	for _, t := range targets {
		findings = append(findings, driftCompareWithBaseline(t, b)...)
		findings = append(findings, driftStatusFinding(t)...)
	}
	driftSortFindings(findings)
	return findings
}

// driftKeys renders findings as "deployment attribute kind" for compact comparisons.
func driftKeys(findings []driftFinding) []string {
	keys := make([]string, len(findings))
	for i, f := range findings {
		keys[i] = fmt.Sprintf("%s %s %s", f.Deployment, f.Attribute, f.Kind)
	}
	return keys
}

func assertDriftKeys(t *testing.T, findings []driftFinding, want ...string) {
	t.Helper()
	got := driftKeys(findings)
	if want == nil {
		want = []string{}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("findings:\n  got  %q\n  want %q\nsummary:\n%s", got, want, driftSummary(findings, 0))
	}
}

func driftDeref(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

func TestDriftBaseline_productionAudit(t *testing.T) {
	b := driftBaseline{
		OutputDirectory:    driftStr("/mnt/sfs/outputs"),
		HealthcheckPath:    driftStr("/system_stats"),
		QueueLoadThreshold: driftFloat(1),
	}
	findings := driftRun(driftProductionTargets(), b)

	assertDriftKeys(t, findings,
		"comfy-b200 healthcheck_path changed",
		"comfy-b200 output_directory missing",
		"comfy-b200 queue_load_threshold changed",
		"comfy-b200-spot healthcheck_path changed",
		"comfy-b200-spot output_directory missing",
		"comfy-b200-spot queue_load_threshold changed",
		"comfy-h200 healthcheck_path changed",
		"comfy-h200 output_directory missing",
		"comfy-h200 queue_load_threshold changed",
		"comfy-h200-spot healthcheck_path changed",
		"comfy-h200-spot queue_load_threshold changed",
	)

	first := findings[0]
	if driftDeref(first.Expected) != "/system_stats" || driftDeref(first.Actual) != "/" {
		t.Errorf("healthcheck finding: expected/actual = %q/%q, want /system_stats and /", driftDeref(first.Expected), driftDeref(first.Actual))
	}
	threshold := findings[2]
	if driftDeref(threshold.Expected) != "1" || driftDeref(threshold.Actual) != "2" {
		t.Errorf("threshold finding: expected/actual = %q/%q, want 1 and 2", driftDeref(threshold.Expected), driftDeref(threshold.Actual))
	}
	missing := findings[1]
	if driftDeref(missing.Expected) != "/mnt/sfs/outputs" || missing.Actual != nil {
		t.Errorf("output directory finding: expected/actual = %q/%q, want /mnt/sfs/outputs and nil", driftDeref(missing.Expected), driftDeref(missing.Actual))
	}
	if !strings.Contains(missing.Message, "--output-directory") {
		t.Errorf("output directory message %q does not name the flag", missing.Message)
	}
}

func TestDriftBaseline_matchingHasNoFindings(t *testing.T) {
	dep := driftTestDeployment("comfy", "H200", false, "--output-directory", "/mnt/sfs/outputs/")
	dep.Containers[0].Healthcheck.Path = "/system_stats"
	target := driftTarget{Deployment: dep, Scaling: driftTestScaling(1), Status: "healthy"}
	b := driftBaseline{
		Image:               driftStr(driftTestImage),
		HealthcheckPath:     driftStr("/system_stats"),
		HealthcheckPort:     driftInt(8188),
		ExposedPort:         driftInt(8188),
		OutputDirectory:     driftStr("/mnt/sfs/outputs"),
		RequiredArgs:        map[string]string{"--listen": "0.0.0.0", "--extra-model-paths-config": ""},
		ForbiddenArgs:       []string{"--cpu"},
		QueueLoadThreshold:  driftFloat(1),
		MinReplicas:         driftInt(0),
		MaxReplicas:         driftInt(2),
		ConcurrentRequests:  driftInt(1),
		SFSVolumeID:         driftStr("vol-sfs"),
		SFSMountPath:        driftStr("/mnt/sfs/"),
		Env:                 map[string]string{"COMFYUI_LOG_LEVEL": "INFO"},
		SecretEnvNames:      []string{"HF_TOKEN"},
		SecretEnv:           map[string]string{"HF_TOKEN": "hf-token"},
		RegistryCredentials: driftStr("ghcr-comfyume"),
	}

	assertDriftKeys(t, driftRun([]driftTarget{target}, b))
}

func TestDriftBaseline_outputDirectory(t *testing.T) {
	cases := []struct {
		name     string
		mutate   func(*verda.Container)
		wantKind string
		wantText string
	}{
		{"equals form", func(c *verda.Container) {
			c.EntrypointOverrides.Cmd = append(c.EntrypointOverrides.Cmd, "--output-directory=/mnt/sfs/outputs")
		}, "", ""},
		{"other path", func(c *verda.Container) {
			c.EntrypointOverrides.Cmd = append(c.EntrypointOverrides.Cmd, "--output-directory", "/data/outputs")
		}, driftKindChanged, `"/data/outputs"`},
		{"parent path", func(c *verda.Container) {
			c.EntrypointOverrides.Cmd = append(c.EntrypointOverrides.Cmd, "--output-directory", "/mnt/sfs")
		}, driftKindChanged, `"/mnt/sfs"`},
		{"override disabled", func(c *verda.Container) {
			c.EntrypointOverrides.Cmd = append(c.EntrypointOverrides.Cmd, "--output-directory", "/mnt/sfs/outputs")
			c.EntrypointOverrides.Enabled = false
		}, driftKindMissing, "no command override"},
		{"no override", func(c *verda.Container) { c.EntrypointOverrides = nil }, driftKindMissing, "no command override"},
		{"flag only in entrypoint", func(c *verda.Container) {
			c.EntrypointOverrides.Entrypoint = append(c.EntrypointOverrides.Entrypoint, "--output-directory", "/mnt/sfs/outputs")
		}, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dep := driftTestDeployment("comfy", "H200", false)
			tc.mutate(&dep.Containers[0])
			findings := driftRun([]driftTarget{{Deployment: dep}}, driftBaseline{OutputDirectory: driftStr("/mnt/sfs/outputs")})

			if tc.wantKind == "" {
				assertDriftKeys(t, findings)
				return
			}
			assertDriftKeys(t, findings, "comfy output_directory "+tc.wantKind)
			if len(findings) == 1 && !strings.Contains(findings[0].Message, tc.wantText) {
				t.Errorf("message %q does not contain %q", findings[0].Message, tc.wantText)
			}
		})
	}
}

func TestDriftBaseline_requiredAndForbiddenArgs(t *testing.T) {
	dep := driftTestDeployment("comfy", "H200", false, "--highvram", "--preview-method", "auto")
	b := driftBaseline{
		RequiredArgs: map[string]string{
			"--listen":                      "127.0.0.1",
			"--port":                        "8188",
			"--preview-method":              "",
			"--use-pytorch-cross-attention": "",
			"--disable-smart-memory":        "yes",
		},
		ForbiddenArgs: []string{"--highvram", "--cpu", "--highvram"},
	}
	findings := driftRun([]driftTarget{{Deployment: dep}}, b)

	assertDriftKeys(t, findings,
		"comfy args.--disable-smart-memory missing",
		"comfy args.--highvram unexpected",
		"comfy args.--listen changed",
		"comfy args.--use-pytorch-cross-attention missing",
	)
	listen := findings[2]
	if driftDeref(listen.Expected) != "127.0.0.1" || driftDeref(listen.Actual) != "0.0.0.0" {
		t.Errorf("--listen finding: expected/actual = %q/%q", driftDeref(listen.Expected), driftDeref(listen.Actual))
	}
	highvram := findings[1]
	if driftDeref(highvram.Actual) != "" || !strings.Contains(highvram.Message, "present with no value") {
		t.Errorf("--highvram finding: actual %q, message %q", driftDeref(highvram.Actual), highvram.Message)
	}
	presence := findings[3]
	if presence.Expected != nil {
		t.Errorf("a presence-only flag must have no expected value, got %q", *presence.Expected)
	}
}

func TestDriftBaseline_healthcheck(t *testing.T) {
	cases := []struct {
		name string
		hc   *verda.Healthcheck
		want []string
	}{
		{"absent", nil, []string{"comfy healthcheck_path missing", "comfy healthcheck_port missing"}},
		{"disabled", &verda.Healthcheck{Enabled: false, Port: 8188, Path: "/system_stats"},
			[]string{"comfy healthcheck_path missing", "comfy healthcheck_port missing"}},
		{"no port or path", &verda.Healthcheck{Enabled: true},
			[]string{"comfy healthcheck_path missing", "comfy healthcheck_port missing"}},
		{"other port", &verda.Healthcheck{Enabled: true, Port: 8080, Path: "/system_stats"},
			[]string{"comfy healthcheck_port changed"}},
		{"matching", &verda.Healthcheck{Enabled: true, Port: 8188, Path: "/system_stats"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dep := driftTestDeployment("comfy", "H200", false)
			dep.Containers[0].Healthcheck = tc.hc
			b := driftBaseline{HealthcheckPath: driftStr("/system_stats"), HealthcheckPort: driftInt(8188)}

			assertDriftKeys(t, driftRun([]driftTarget{{Deployment: dep}}, b), tc.want...)
		})
	}
}

func TestDriftBaseline_scaling(t *testing.T) {
	b := driftBaseline{QueueLoadThreshold: driftFloat(1.5), MinReplicas: driftInt(1), MaxReplicas: driftInt(2), ConcurrentRequests: driftInt(2)}

	noTriggers := driftTestScaling(1.5)
	noTriggers.ScalingTriggers = nil
	noTriggers.ConcurrentRequestsPerReplica = nil
	findings := driftRun([]driftTarget{{Deployment: driftTestDeployment("comfy", "H200", false), Scaling: noTriggers}}, b)
	assertDriftKeys(t, findings,
		"comfy concurrent_requests_per_replica missing",
		"comfy min_replicas changed",
		"comfy queue_load_threshold missing",
	)
	if driftDeref(findings[1].Expected) != "1" || driftDeref(findings[1].Actual) != "0" {
		t.Errorf("min_replicas finding: expected/actual = %q/%q", driftDeref(findings[1].Expected), driftDeref(findings[1].Actual))
	}

	fractional := driftRun([]driftTarget{{Deployment: driftTestDeployment("comfy", "H200", false), Scaling: driftTestScaling(2.25)}},
		driftBaseline{QueueLoadThreshold: driftFloat(1.5)})
	assertDriftKeys(t, fractional, "comfy queue_load_threshold changed")
	if len(fractional) == 1 && (driftDeref(fractional[0].Expected) != "1.5" || driftDeref(fractional[0].Actual) != "2.25") {
		t.Errorf("threshold finding: expected/actual = %q/%q, want 1.5 and 2.25", driftDeref(fractional[0].Expected), driftDeref(fractional[0].Actual))
	}
}

func TestDriftBaseline_sfsMount(t *testing.T) {
	cases := []struct {
		name   string
		volume *string
		path   *string
		mounts []verda.VolumeMount
		want   []string
	}{
		{"volume and path match", driftStr("vol-sfs"), driftStr("/mnt/sfs"), nil, nil},
		{"volume at another path", driftStr("vol-sfs"), driftStr("/mnt/shared"), nil, []string{"comfy sfs_mount_path changed"}},
		{"other volume", driftStr("vol-other"), driftStr("/mnt/sfs"), nil, []string{"comfy sfs_volume_id missing"}},
		{"volume only", driftStr("vol-sfs"), nil, nil, nil},
		{"path only, absent", nil, driftStr("/mnt/models"), nil, []string{"comfy sfs_mount_path missing"}},
		{"scratch at the path is not shared", nil, driftStr("/data"), nil, []string{"comfy sfs_mount_path missing"}},
		{"no mounts at all", driftStr("vol-sfs"), nil, []verda.VolumeMount{}, []string{"comfy sfs_volume_id missing"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dep := driftTestDeployment("comfy", "H200", false)
			if tc.mounts != nil {
				dep.Containers[0].VolumeMounts = tc.mounts
			}
			b := driftBaseline{SFSVolumeID: tc.volume, SFSMountPath: tc.path}

			assertDriftKeys(t, driftRun([]driftTarget{{Deployment: dep}}, b), tc.want...)
		})
	}
}

func TestDriftBaseline_plainEnv(t *testing.T) {
	dep := driftTestDeployment("comfy", "H200", false)
	b := driftBaseline{Env: map[string]string{"COMFYUI_LOG_LEVEL": "DEBUG", "HF_TOKEN": "x", "HF_HOME": "/mnt/sfs/hf"}}
	findings := driftRun([]driftTarget{{Deployment: dep}}, b)

	assertDriftKeys(t, findings,
		"comfy env.COMFYUI_LOG_LEVEL changed",
		"comfy env.HF_HOME missing",
		"comfy env.HF_TOKEN changed",
	)
	if driftDeref(findings[0].Actual) != "INFO" {
		t.Errorf("plain value finding: actual = %q, want INFO", driftDeref(findings[0].Actual))
	}
	if findings[2].Actual != nil || strings.Contains(findings[2].Message, "hf-token") {
		t.Errorf("a secret reference leaked into a finding: %+v", findings[2])
	}
}

// TestDriftBaseline_secretEnvHidesValues covers a secret reference changed out
// of band and a secret pasted as a plain value: the variable is named, no
// value or reference is.
func TestDriftBaseline_secretEnvHidesValues(t *testing.T) {
	rotated := driftTestDeployment("comfy-rotated", "H200", false)
	rotated.Containers[0].Env[1].ValueOrReferenceToSecret = "hf-token-rotated"
	pasted := driftTestDeployment("comfy-pasted", "H200", false)
	pasted.Containers[0].Env[1] = verda.EnvVar{Type: verda.EnvPlain, Name: "HF_TOKEN", ValueOrReferenceToSecret: "hf_pastedSecretValue"}
	absent := driftTestDeployment("comfy-absent", "H200", false)
	absent.Containers[0].Env = absent.Containers[0].Env[:1]
	targets := []driftTarget{{Deployment: rotated}, {Deployment: pasted}, {Deployment: absent}}
	b := driftBaseline{SecretEnv: map[string]string{"HF_TOKEN": "hf-token"}, SecretEnvNames: []string{"HF_TOKEN"}}

	findings := driftRun(targets, b)

	assertDriftKeys(t, findings,
		"comfy-absent env.HF_TOKEN missing",
		"comfy-pasted env.HF_TOKEN changed",
		"comfy-rotated env.HF_TOKEN changed",
	)
	for _, f := range findings {
		if f.Expected != nil || f.Actual != nil {
			t.Errorf("%s: secret finding shows a value: expected %q, actual %q", f.Deployment, driftDeref(f.Expected), driftDeref(f.Actual))
		}
		if !strings.Contains(f.Message, "HF_TOKEN") {
			t.Errorf("%s: message %q does not name the variable", f.Deployment, f.Message)
		}
	}
	summary := driftSummary(findings, len(targets))
	for _, leaked := range []string{"hf-token", "hf_pastedSecretValue"} {
		if strings.Contains(summary, leaked) {
			t.Errorf("summary contains %q:\n%s", leaked, summary)
		}
	}

	namesOnly := driftRun([]driftTarget{{Deployment: rotated}}, driftBaseline{SecretEnvNames: []string{"HF_TOKEN"}})
	assertDriftKeys(t, namesOnly)
}

func TestDriftBaseline_registryCredentials(t *testing.T) {
	public := driftTestDeployment("comfy-public", "H200", false)
	public.ContainerRegistrySettings = nil
	private := driftTestDeployment("comfy-private", "H200", false)
	targets := []driftTarget{{Deployment: public}, {Deployment: private}}

	assertDriftKeys(t, driftRun(targets, driftBaseline{RegistryCredentials: driftStr("ghcr-comfyume")}),
		"comfy-public registry_credentials changed")
	assertDriftKeys(t, driftRun(targets, driftBaseline{RegistryCredentials: driftStr("")}),
		"comfy-private registry_credentials changed")
}

func TestDriftBaseline_deploymentWithoutContainers(t *testing.T) {
	dep := driftTestDeployment("comfy", "H200", false)
	dep.Containers = nil
	b := driftBaseline{Image: driftStr(driftTestImage), QueueLoadThreshold: driftFloat(1)}

	assertDriftKeys(t, driftRun([]driftTarget{{Deployment: dep, Scaling: driftTestScaling(1)}}, b), "comfy containers missing")
}

func TestDriftBaseline_scalingNotRead(t *testing.T) {
	dep := driftTestDeployment("comfy", "H200", false)

	assertDriftKeys(t, driftRun([]driftTarget{{Deployment: dep}}, driftBaseline{QueueLoadThreshold: driftFloat(1)}))
}

func TestDriftStatus_unhealthy(t *testing.T) {
	targets := []driftTarget{
		{Deployment: driftTestDeployment("a", "H200", false), Status: "healthy"},
		{Deployment: driftTestDeployment("b", "H200", false), Status: "image_pulling"},
		{Deployment: driftTestDeployment("c", "H200", false)},
	}
	findings := driftRun(targets, driftBaseline{})

	assertDriftKeys(t, findings, "b status unhealthy")
	if driftDeref(findings[0].Actual) != "image_pulling" || driftDeref(findings[0].Expected) != "healthy" {
		t.Errorf("status finding: expected/actual = %q/%q", driftDeref(findings[0].Expected), driftDeref(findings[0].Actual))
	}
}

func TestDriftSelect_namesAndPrefix(t *testing.T) {
	list := []verda.ContainerDeployment{
		driftTestDeployment("comfy-h200", "H200", false),
		driftTestDeployment("other", "H200", false),
		driftTestDeployment("comfy-b200", "B200", false),
	}

	targets, findings := driftSelect(list, driftOptions{names: []string{"comfy-h200", "gone", "comfy-b200"}})
	if got := driftTargetNames(targets); !reflect.DeepEqual(got, []string{"comfy-b200", "comfy-h200"}) {
		t.Errorf("names selection: got %q", got)
	}
	assertDriftKeys(t, findings, "gone deployment missing")

	targets, findings = driftSelect(list, driftOptions{namePrefix: "comfy-"})
	if got := driftTargetNames(targets); !reflect.DeepEqual(got, []string{"comfy-b200", "comfy-h200"}) {
		t.Errorf("prefix selection: got %q", got)
	}
	assertDriftKeys(t, findings)

	targets, _ = driftSelect(list, driftOptions{})
	if got := driftTargetNames(targets); !reflect.DeepEqual(got, []string{"comfy-b200", "comfy-h200", "other"}) {
		t.Errorf("selection of all: got %q", got)
	}
}

func driftTargetNames(targets []driftTarget) []string {
	names := []string{}
	for _, t := range targets {
		names = append(names, t.Deployment.Name)
	}
	return names
}

func TestDriftConsistency_imageOutlierOnly(t *testing.T) {
	targets := driftProductionTargets()
	targets[3].Deployment = driftTestDeployment("comfy-h200-spot", "H200", true)
	targets[1].Deployment.Containers[0].Image.Image = "ghcr.io/comfyume/comfyui:0.3.60-cu128"
	targets[1].Deployment.Containers[0].Image.LastUpdatedAt = "2026-02-02T00:00:00Z"

	findings := driftCompareConsistency(targets, driftDefaultAllowedDifferences)
	driftSortFindings(findings)

	assertDriftKeys(t, findings, "comfy-b200-spot image inconsistent")
	f := findings[0]
	if driftDeref(f.Expected) != driftTestImage || driftDeref(f.Actual) != "ghcr.io/comfyume/comfyui:0.3.60-cu128" {
		t.Errorf("image finding: expected/actual = %q/%q", driftDeref(f.Expected), driftDeref(f.Actual))
	}
	if !strings.Contains(f.Message, "comfy-b200, comfy-h200, comfy-h200-spot") {
		t.Errorf("message %q does not name the deployments holding the reference value", f.Message)
	}
}

func TestDriftConsistency_productionOutputDirectory(t *testing.T) {
	findings := driftCompareConsistency(driftProductionTargets(), driftDefaultAllowedDifferences)
	driftSortFindings(findings)

	assertDriftKeys(t, findings, "comfy-h200-spot args.--output-directory inconsistent")
	if findings[0].Expected != nil || driftDeref(findings[0].Actual) != "/mnt/sfs/outputs" {
		t.Errorf("output directory finding: expected/actual = %q/%q", driftDeref(findings[0].Expected), driftDeref(findings[0].Actual))
	}
}

func TestDriftConsistency_strictReportsGPUAndSpot(t *testing.T) {
	targets := driftProductionTargets()
	targets[3].Deployment = driftTestDeployment("comfy-h200-spot", "H200", true)

	findings := driftCompareConsistency(targets, []string{})
	driftSortFindings(findings)

	// Two against two: the reference is the group of the alphabetically first
	// deployment, comfy-b200 (B200, on-demand).
	assertDriftKeys(t, findings,
		"comfy-b200-spot is_spot inconsistent",
		"comfy-h200 gpu_type inconsistent",
		"comfy-h200-spot gpu_type inconsistent",
		"comfy-h200-spot is_spot inconsistent",
	)
}

func TestDriftConsistency_secretReferenceHidden(t *testing.T) {
	targets := driftProductionTargets()
	targets[3].Deployment = driftTestDeployment("comfy-h200-spot", "H200", true)
	targets[0].Deployment.Containers[0].Env[1].ValueOrReferenceToSecret = "hf-token-rotated"
	targets[2].Deployment.Containers[0].Env[1] = verda.EnvVar{Type: verda.EnvPlain, Name: "HF_TOKEN", ValueOrReferenceToSecret: "hf_pastedSecretValue"}

	findings := driftCompareConsistency(targets, driftDefaultAllowedDifferences)
	driftSortFindings(findings)

	assertDriftKeys(t, findings,
		"comfy-b200 env.HF_TOKEN inconsistent",
		"comfy-h200 env.HF_TOKEN inconsistent",
	)
	summary := driftSummary(findings, len(targets))
	for _, f := range findings {
		if f.Expected != nil || f.Actual != nil {
			t.Errorf("%s: finding shows a value: expected %q, actual %q", f.Deployment, driftDeref(f.Expected), driftDeref(f.Actual))
		}
	}
	for _, leaked := range []string{"hf-token", "hf_pastedSecretValue"} {
		if strings.Contains(summary, leaked) {
			t.Errorf("summary contains %q:\n%s", leaked, summary)
		}
	}
	if !strings.Contains(summary, "references a different secret") || !strings.Contains(summary, "plain value here but a secret reference") {
		t.Errorf("summary does not say how the variables differ:\n%s", summary)
	}
}

func TestDriftConsistency_scalingAndFamilies(t *testing.T) {
	targets := driftProductionTargets()
	targets[3].Deployment = driftTestDeployment("comfy-h200-spot", "H200", true)
	targets[0].Scaling = driftTestScaling(1)
	targets[1].Deployment.Containers[0].Env = append(targets[1].Deployment.Containers[0].Env,
		verda.EnvVar{Type: verda.EnvPlain, Name: "EXTRA", ValueOrReferenceToSecret: "1"})

	findings := driftCompareConsistency(targets, driftDefaultAllowedDifferences)
	driftSortFindings(findings)
	assertDriftKeys(t, findings,
		"comfy-b200 queue_load_threshold inconsistent",
		"comfy-b200-spot env.EXTRA inconsistent",
	)

	allowed := append([]string{"env.*", "queue_load_threshold"}, driftDefaultAllowedDifferences...)
	assertDriftKeys(t, driftCompareConsistency(targets, allowed))
}

func TestDriftConsistency_singleDeployment(t *testing.T) {
	assertDriftKeys(t, driftCompareConsistency(driftProductionTargets()[:1], nil))
}

func TestDriftDifferenceAllowed(t *testing.T) {
	cases := []struct {
		attr    string
		allowed []string
		want    bool
	}{
		{"gpu_type", driftDefaultAllowedDifferences, true},
		{"image", driftDefaultAllowedDifferences, false},
		{"env.HF_TOKEN", []string{"env.*"}, true},
		{"env.HF_TOKEN", []string{"env.HF_TOKEN"}, true},
		{"env.HF_TOKEN", []string{"env.HF"}, false},
		{"args.--output-directory", []string{"env.*"}, false},
		{"volume_mounts./data", []string{"volume_mounts.*"}, true},
		{"image", []string{"*"}, false},
	}
	for _, tc := range cases {
		if got := driftDifferenceAllowed(tc.attr, tc.allowed); got != tc.want {
			t.Errorf("driftDifferenceAllowed(%q, %q) = %t, want %t", tc.attr, tc.allowed, got, tc.want)
		}
	}
}

func TestDriftAllowedDifferencesPattern(t *testing.T) {
	for _, ok := range []string{"gpu_type", "is_spot", "queue_load_threshold", "env.*", "env.HF_TOKEN", "args.--output-directory", "volume_mounts./mnt/sfs"} {
		if !driftAllowedDiffPattern.MatchString(ok) {
			t.Errorf("pattern rejects %q", ok)
		}
	}
	for _, bad := range []string{"gpu", "spot", "env.", "*", "image.*", "gpu_type_x", "xgpu_type"} {
		if driftAllowedDiffPattern.MatchString(bad) {
			t.Errorf("pattern accepts %q", bad)
		}
	}
}

func TestDriftSummary_stableLines(t *testing.T) {
	b := driftBaseline{OutputDirectory: driftStr("/mnt/sfs/outputs"), HealthcheckPath: driftStr("/system_stats"), QueueLoadThreshold: driftFloat(1)}
	targets := driftProductionTargets()
	first := driftSummary(driftRun(targets, b), len(targets))

	reversed := []driftTarget{targets[3], targets[2], targets[1], targets[0]}
	second := driftSummary(driftRun(reversed, b), len(reversed))

	if first != second {
		t.Errorf("summary depends on input order:\n%s\n---\n%s", first, second)
	}
	lines := strings.Split(first, "\n")
	if len(lines) != 11 {
		t.Errorf("summary has %d lines, want 11:\n%s", len(lines), first)
	}
	want := `comfy-b200: healthcheck_path is "/", expected "/system_stats" [changed]`
	if lines[0] != want {
		t.Errorf("first summary line:\n  got  %s\n  want %s", lines[0], want)
	}
	if got := driftSummary(nil, 4); got != "No drift in 4 deployment(s)." {
		t.Errorf("empty summary = %q", got)
	}
}
