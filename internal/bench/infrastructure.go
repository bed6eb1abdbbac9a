package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/comfyume/terraform-provider-verda/internal/emulator"
)

const infrastructureMethod = `
The emulator starts from the production fixture (four live deployments that drift from the team's
baseline, the production SFS and its clone). A copy of ` + "`infrastructure/`" + ` runs with a local backend
in place of PostgreSQL and a testing-instance marker file, as ` + "`scripts/demo.sh`" + ` does. The steps are
` + "`tofu init`" + `, ` + "`tofu plan -out`" + ` (four imports and in-place fixes), ` + "`tofu apply`" + ` of that plan
(PATCH, wait for healthy, ComfyUI probes with a smoke test), ` + "`tofu apply -refresh-only`" + ` and ` + "`tofu output`" + `.
Real rollouts take minutes, so each lifecycle stage and the provider's poll interval are divided by the
compression factor: the wall time is that of a rollout played at 1/factor speed, plus OpenTofu's own time,
which is not compressed. The figure passes when every step succeeds, all four deployments are healthy and
the drift check reports no findings.
`

// infrastructure applies infrastructure/ against the production fixture with
// a compressed lifecycle.
func (r *runner) infrastructure(ctx context.Context) error {
	section := Section{Title: "End-to-end apply of infrastructure/", Method: infrastructureMethod}
	defer func() { r.report.Sections = append(r.report.Sections, section) }()

	factor := time.Duration(r.cfg.Compression)
	stage := r.cfg.RealisticStage / factor
	poll := (r.cfg.RealisticPoll / factor).Round(time.Millisecond)
	name := fmt.Sprintf("infrastructure/ apply, production fixture (1/%d speed)", r.cfg.Compression)
	target := "succeeds, 4 of 4 healthy, 0 drift findings"

	details, wall, err := r.runInfrastructure(ctx, stage, poll)
	section.Details = append(section.Details, fmt.Sprintf(
		"compression %d: stages of %s play in %s, the poll interval of %s is %s.",
		r.cfg.Compression, r.cfg.RealisticStage, stage, r.cfg.RealisticPoll, poll))
	section.Details = append(section.Details, details...)
	if err != nil {
		r.addFigure(Figure{Name: name, Value: "failed", Target: target, Outcome: Fail})
		return err
	}
	r.addFigure(Figure{
		Name:    name,
		Value:   fmt.Sprintf("%s (%.1f stages)", formatSeconds(wall), wall.Seconds()/stage.Seconds()),
		Target:  target,
		Outcome: Pass,
	})
	return nil
}

// runInfrastructure runs the steps and returns the details, the apply's
// wall time and the first failure.
func (r *runner) runInfrastructure(ctx context.Context, stage, poll time.Duration) ([]string, time.Duration, error) {
	srv, err := startEmulator(emulator.Options{StageDuration: stage})
	if err != nil {
		return nil, 0, err
	}
	defer srv.Close()
	if err := srv.emu.LoadSeed(emulator.ProductionSeed()); err != nil {
		return nil, 0, fmt.Errorf("loading the production fixture into the emulator failed: %w", err)
	}

	root := filepath.Join(r.cfg.WorkDir, "infrastructure")
	dir := filepath.Join(root, "infrastructure")
	if err := copyConfiguration(r.cfg.InfrastructureDir, dir); err != nil {
		return nil, 0, err
	}
	override := "terraform {\n  backend \"local\" {\n    path = \"terraform.tfstate\"\n  }\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "backend_override.tf"), []byte(override), 0o644); err != nil {
		return nil, 0, fmt.Errorf("writing the local backend override failed: %w", err)
	}
	marker := filepath.Join(root, "testing-instance")
	if err := os.WriteFile(marker, []byte("verda testing instance for the benchmark\n"), 0o644); err != nil {
		return nil, 0, fmt.Errorf("writing the testing-instance marker failed: %w", err)
	}
	env := []string{
		"VERDA_BASE_URL=" + srv.baseURL,
		"VERDA_CLIENT_ID=" + emulator.DefaultClientID,
		"VERDA_CLIENT_SECRET=" + emulator.DefaultClientSecret,
		"VERDA_INFERENCE_API_KEY=" + emulator.DefaultInferenceKey,
		"VERDA_POLL_INTERVAL=" + poll.String(),
		"VERDA_TESTING_INSTANCE_MARKER=" + marker,
	}

	r.logf("infrastructure/: init, plan and apply against the production fixture (stage %s, poll %s)", stage, poll)
	var details []string
	if _, err := r.tofu.mustSucceed(ctx, dir, "init", env, "init", "-input=false", "-no-color"); err != nil {
		return details, 0, err
	}
	plan, err := r.tofu.mustSucceed(ctx, dir, "plan", env, "plan", "-input=false", "-no-color", "-out=bench.tfplan")
	if err != nil {
		return details, 0, err
	}
	details = append(details, fmt.Sprintf("plan: %s; %s.", formatSeconds(plan.Wall), planSummary(plan.Output)))

	srv.emu.ClearRequests()
	apply, err := r.tofu.mustSucceed(ctx, dir, "apply", env, "apply", "-input=false", "-no-color", "bench.tfplan")
	if err != nil {
		return details, 0, err
	}
	details = append(details, fmt.Sprintf("apply: %s, %.1f stages; requests: %s.",
		formatSeconds(apply.Wall), apply.Wall.Seconds()/stage.Seconds(), tallyRequests(srv.emu.Requests())))

	refresh, err := r.tofu.mustSucceed(ctx, dir, "refresh", env, "apply", "-refresh-only", "-auto-approve", "-input=false", "-no-color")
	if err != nil {
		return details, apply.Wall, err
	}
	details = append(details, fmt.Sprintf("refresh after the apply: %s.", formatSeconds(refresh.Wall)))

	output, err := r.tofu.mustSucceed(ctx, dir, "output", env, "output", "-json")
	if err != nil {
		return details, apply.Wall, err
	}
	summary, err := checkInfrastructureOutputs(output.Output)
	details = append(details, summary)
	return details, apply.Wall, err
}

// planSummary returns OpenTofu's "Plan: …" line.
func planSummary(output string) string {
	for _, line := range strings.Split(output, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "Plan:") {
			return strings.TrimSuffix(strings.TrimSpace(line), ".")
		}
	}
	return "no Plan: line in the output"
}

// infrastructureOutputs is the part of `tofu output -json` the check reads.
type infrastructureOutputs struct {
	Deployments struct {
		Value map[string]struct {
			Status         string `json:"status"`
			GPUName        string `json:"gpu_name"`
			ComfyUIVersion string `json:"comfyui_version"`
		} `json:"value"`
	} `json:"deployments"`
	Drift struct {
		Value struct {
			DriftCount int    `json:"drift_count"`
			Summary    string `json:"summary"`
		} `json:"value"`
	} `json:"drift"`
}

// checkInfrastructureOutputs checks for four healthy deployments and no
// drift findings, and summarizes what it found.
func checkInfrastructureOutputs(raw string) (string, error) {
	var out infrastructureOutputs
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		return "", fmt.Errorf("reading `tofu output -json` failed: %w", err)
	}
	names := make([]string, 0, len(out.Deployments.Value))
	healthy := 0
	for name, d := range out.Deployments.Value {
		names = append(names, fmt.Sprintf("%s %s (ComfyUI %s on %s)", name, d.Status, d.ComfyUIVersion, d.GPUName))
		if d.Status == "healthy" {
			healthy++
		}
	}
	sort.Strings(names)
	summary := fmt.Sprintf("after the apply: %s; drift findings: %d.", strings.Join(names, ", "), out.Drift.Value.DriftCount)

	var problems []string
	if len(out.Deployments.Value) != 4 || healthy != 4 {
		problems = append(problems, fmt.Sprintf("%d of %d deployments are healthy, expected 4 of 4", healthy, len(out.Deployments.Value)))
	}
	if out.Drift.Value.DriftCount != 0 {
		problems = append(problems, fmt.Sprintf("%d drift findings remain: %s", out.Drift.Value.DriftCount, strings.TrimSpace(out.Drift.Value.Summary)))
	}
	if len(problems) > 0 {
		return summary, fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return summary, nil
}

// copyConfiguration copies the configuration files of src into dst, without
// OpenTofu's working files (.terraform, lock file, state).
func copyConfiguration(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		base := d.Name()
		if d.IsDir() {
			if base == ".terraform" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if base == ".terraform.lock.hcl" || strings.Contains(base, ".tfstate") || !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
}
