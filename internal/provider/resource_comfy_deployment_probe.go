package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/comfyume/terraform-provider-verda/internal/comfy"
	"github.com/comfyume/terraform-provider-verda/internal/verda"
)

// smokeTestPrefix is the filename prefix of the smoke test's image; ComfyUI
// saves it as <prefix>_00001_.png under the output directory.
const smokeTestPrefix = "verda-smoke-test"

// probeError is a failed step of the probe ladder.
type probeError struct {
	Deployment string
	Step       string // "system stats", "GPU", "nodes", "models", "smoke test"
	Problem    string
	Remedy     string
	cause      error
}

func (e *probeError) Error() string {
	msg := fmt.Sprintf("ComfyUI on deployment %q failed the %s check: %s", e.Deployment, e.Step, e.Problem)
	if e.Remedy != "" {
		msg += " " + e.Remedy
	}
	return msg
}

func (e *probeError) Unwrap() error { return e.cause }

// comfyProber runs the probe ladder against a deployment's endpoint. It
// checks that /system_stats responds with the expected command line, that
// the GPU is the expected one, that the required nodes and models exist,
// and that the optional smoke test saves an image under the output
// directory. Each step maps to one class of failure, so the error names the
// fix.
type comfyProber struct {
	client   *verda.Client
	name     string
	endpoint string
	interval time.Duration
	settings probeSettings
	spec     deploymentSpec
	sleep    func(ctx context.Context, d time.Duration) error
}

func newComfyProber(data *providerData, name, endpoint string, settings probeSettings, spec deploymentSpec) *comfyProber {
	return &comfyProber{
		client: data.client, name: name, endpoint: endpoint, interval: data.pollInterval,
		settings: settings, spec: spec, sleep: sleepContext,
	}
}

func (p *comfyProber) run(ctx context.Context) (*probeResult, error) {
	stats, err := p.systemStats(ctx)
	if err != nil {
		return nil, err
	}
	result, err := p.checkGPU(stats)
	if err != nil {
		return nil, err
	}
	if err := p.checkNodes(ctx); err != nil {
		return nil, err
	}
	if err := p.checkModels(ctx); err != nil {
		return nil, err
	}
	if p.settings.SmokeTest {
		if err := p.smokeTest(ctx); err != nil {
			return nil, err
		}
	}
	tflog.Debug(ctx, "ComfyUI probe passed", map[string]any{"deployment": p.name, "comfyui_version": result.ComfyUIVersion, "gpu": result.GPUName})
	return result, nil
}

func (p *comfyProber) call(ctx context.Context, method, path string, body, out any) error {
	return p.client.CallInference(ctx, verda.InferenceRequest{
		Deployment: p.name, EndpointBaseURL: p.endpoint, Method: method, Path: path, Body: body, Out: out,
	})
}

// systemStats reads the stats until ComfyUI reports the expected command
// line. Right after a rollout the endpoint may still route to an old
// replica or to none, so gateway errors, connection failures and an old
// command line are retried until the operation's deadline.
func (p *comfyProber) systemStats(ctx context.Context) (*comfy.SystemStats, error) {
	var lastProblem string
	for {
		var stats comfy.SystemStats
		err := p.call(ctx, http.MethodGet, p.settings.Path, nil, &stats)

		switch {
		case err == nil:
			mismatch := p.commandMismatch(stats.System.Argv)
			if mismatch == "" {
				return &stats, nil
			}
			lastProblem = mismatch
		case errors.Is(err, verda.ErrNoInferenceKey):
			return nil, &probeError{Deployment: p.name, Step: "system stats", Problem: "no inference API key is configured.",
				Remedy: "Set inference_api_key in the provider block, or set health_probe.enabled = false.", cause: err}
		case errors.Is(err, verda.ErrUnauthorized):
			return nil, &probeError{Deployment: p.name, Step: "system stats", Problem: "the endpoint rejected the inference API key: " + err.Error(),
				Remedy: "Check the provider's inference_api_key.", cause: err}
		case retryableProbeError(err):
			lastProblem = err.Error()
		default:
			return nil, &probeError{Deployment: p.name, Step: "system stats", Problem: fmt.Sprintf("GET %s failed: %v", p.settings.Path, err),
				Remedy: "Check health_probe.path; ComfyUI answers /system_stats.", cause: err}
		}

		if ctx.Err() != nil || p.sleep(ctx, withJitter(p.interval)) != nil {
			return nil, &probeError{Deployment: p.name, Step: "system stats", Problem: "no valid response before the operation ended: " + lastProblem,
				Remedy: "Check the container logs in the Verda console.", cause: ctx.Err()}
		}
	}
}

func retryableProbeError(err error) bool {
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &syntaxErr) || errors.As(err, &typeErr) {
		// The path returns something other than the expected JSON, which
		// waiting does not change.
		return false
	}
	var apiErr *verda.APIError
	if errors.As(err, &apiErr) {
		switch apiErr.StatusCode {
		case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout, http.StatusTooManyRequests:
			return true
		}
		return false
	}
	// Transport failures: the replica may not accept connections yet.
	var opErr *verda.OperationError
	return errors.As(err, &opErr)
}

// commandMismatch compares the managed flags of the running process with
// the spec and describes the first difference. Only managed flags are
// compared, because a wrapper script in the image may add flags of its own.
// A response without argv (ComfyUI before 0.2) is not checked.
func (p *comfyProber) commandMismatch(argv []string) string {
	if len(argv) == 0 {
		return ""
	}
	running := comfy.ParseArgs(argv)
	expected := map[string]string{
		comfy.FlagListen:                p.spec.Command.Listen,
		comfy.FlagPort:                  fmt.Sprint(p.spec.Command.Port),
		comfy.FlagExtraModelPathsConfig: p.spec.Command.ExtraModelPathsConfig,
		comfy.FlagOutputDirectory:       p.spec.Command.OutputDirectory,
	}
	if p.spec.Command.Port == 0 {
		expected[comfy.FlagPort] = ""
	}
	for _, flag := range comfy.ManagedFlags {
		want := expected[flag]
		got, present := running.Value(flag)
		if flag == comfy.FlagListen && present && got == "" {
			got = comfy.ListenAllBare
		}
		switch {
		case want == "" && present:
			return fmt.Sprintf("the running ComfyUI has %s %s, which the configuration leaves out (argv %q)", flag, got, argv)
		case want != "" && got != want:
			return fmt.Sprintf("the running ComfyUI has %s %q instead of %q (argv %q)", flag, got, want, argv)
		}
	}
	return ""
}

func (p *comfyProber) checkGPU(stats *comfy.SystemStats) (*probeResult, error) {
	if len(stats.Devices) == 0 {
		return nil, &probeError{Deployment: p.name, Step: "GPU", Problem: "/system_stats lists no device.",
			Remedy: "Check that the image's PyTorch build supports the GPU."}
	}
	dev := stats.Devices[0]
	if dev.Type != "cuda" {
		return nil, &probeError{Deployment: p.name, Step: "GPU",
			Problem: fmt.Sprintf("the device is %q of type %q, not a CUDA GPU.", dev.Name, dev.Type),
			Remedy:  "Remove --cpu from extra_args, and check that the image ships a CUDA build of PyTorch."}
	}
	if want := p.settings.ExpectGPU; want != "" && !strings.Contains(strings.ToLower(dev.Name), strings.ToLower(want)) {
		return nil, &probeError{Deployment: p.name, Step: "GPU",
			Problem: fmt.Sprintf("the device is %q, which does not contain %q.", dev.Name, want),
			Remedy:  "Check gpu.type, or set health_probe.expect_gpu to a part of the device name."}
	}
	cudaDevices := int64(0)
	for _, d := range stats.Devices {
		if d.Type == "cuda" {
			cudaDevices++
		}
	}
	if stats.ListsEveryDevice() && cudaDevices < p.spec.GPUCount {
		return nil, &probeError{Deployment: p.name, Step: "GPU",
			Problem: fmt.Sprintf("ComfyUI sees %d GPUs, but gpu.count is %d.", cudaDevices, p.spec.GPUCount),
			Remedy:  "Check CUDA_VISIBLE_DEVICES in env and --cuda-device in extra_args."}
	}
	return &probeResult{
		ComfyUIVersion: stats.System.ComfyUIVersion,
		GPUName:        dev.Name,
		GPUCount:       int64(len(stats.Devices)),
		VRAMTotal:      dev.VRAMTotal,
	}, nil
}

// checkNodes reads /object_info/<class> for each required node class.
// ComfyUI returns {} for a class it does not know.
func (p *comfyProber) checkNodes(ctx context.Context) error {
	var missing []string
	for _, class := range p.settings.RequiredNodes {
		var info map[string]json.RawMessage
		err := p.call(ctx, http.MethodGet, "/object_info/"+url.PathEscape(class), nil, &info)

		if err != nil {
			return &probeError{Deployment: p.name, Step: "nodes", Problem: fmt.Sprintf("reading node class %s failed: %v", class, err), cause: err}
		}
		if _, ok := info[class]; !ok {
			missing = append(missing, class)
		}
	}
	if len(missing) > 0 {
		return &probeError{Deployment: p.name, Step: "nodes",
			Problem: fmt.Sprintf("the node classes %s are not installed.", strings.Join(missing, ", ")),
			Remedy:  "Add the custom nodes to the image, or check the container log for IMPORT FAILED lines."}
	}
	return nil
}

// checkModels reads /models/<folder> for each folder of required models.
func (p *comfyProber) checkModels(ctx context.Context) error {
	var missing []string
	for _, folder := range slices.Sorted(maps.Keys(p.settings.RequiredModels)) {
		var files []string
		err := p.call(ctx, http.MethodGet, "/models/"+url.PathEscape(folder), nil, &files)

		if verda.IsNotFound(err) {
			return &probeError{Deployment: p.name, Step: "models",
				Problem: fmt.Sprintf("ComfyUI has no model folder %q.", folder),
				Remedy:  "Use a folder name ComfyUI knows, such as checkpoints, loras, vae, text_encoders or diffusion_models.", cause: err}
		}
		if err != nil {
			return &probeError{Deployment: p.name, Step: "models", Problem: fmt.Sprintf("listing models in %s failed: %v", folder, err), cause: err}
		}
		for _, want := range p.settings.RequiredModels[folder] {
			if !slices.Contains(files, want) {
				missing = append(missing, folder+"/"+want)
			}
		}
	}
	if len(missing) > 0 {
		return &probeError{Deployment: p.name, Step: "models",
			Problem: fmt.Sprintf("the models %s are not listed.", strings.Join(missing, ", ")),
			Remedy:  "Check that the files are on the SFS and that extra_model_paths_config points at a YAML file that maps their folders."}
	}
	return nil
}

// smokeTest queues a prompt that needs no model, waits for its history
// entry, and checks that the image was saved as an output and can be read
// back. The running command's --output-directory was already compared with
// output_directory, which plan checks keep inside an SFS mount.
func (p *comfyProber) smokeTest(ctx context.Context) error {
	fail := func(problem, remedy string, cause error) error {
		return &probeError{Deployment: p.name, Step: "smoke test", Problem: problem, Remedy: remedy, cause: cause}
	}
	var queued comfy.PromptResponse
	err := p.call(ctx, http.MethodPost, "/prompt", map[string]any{
		"prompt":    comfy.SmokePrompt(smokeTestPrefix),
		"client_id": "terraform-provider-verda",
	}, &queued)

	if err != nil {
		return fail(fmt.Sprintf("queueing the test prompt failed: %v", err), "Check that the core nodes EmptyImage and SaveImage load.", err)
	}
	if queued.PromptID == "" {
		return fail("ComfyUI accepted the test prompt but returned no prompt_id.", "", nil)
	}

	entry, err := p.waitForHistory(ctx, queued.PromptID)
	if err != nil {
		return fail(err.Error(), "", err)
	}
	if entry.Status.StatusStr != "success" {
		return fail(fmt.Sprintf("the test prompt ended with status %q: %s.", entry.Status.StatusStr, strings.TrimRight(executionError(entry), ".")),
			"Check the container logs; a GPU or driver problem often shows here first.", nil)
	}

	var saved *comfy.OutputFile
	for _, out := range entry.Outputs {
		for _, img := range out.Images {
			if img.Type == "output" && strings.HasPrefix(img.Filename, smokeTestPrefix) {
				saved = &img
			}
		}
	}
	if saved == nil {
		return fail("the test prompt succeeded but saved no output image.", "Check that output_directory is writable.", nil)
	}
	query := url.Values{"filename": {saved.Filename}, "subfolder": {saved.Subfolder}, "type": {"output"}}
	var content string
	err = p.call(ctx, http.MethodGet, "/view?"+query.Encode(), nil, &content)

	if err != nil {
		return fail(fmt.Sprintf("the saved image %s cannot be read back: %v", saved.Filename, err),
			"Check that output_directory is on the SFS and writable.", err)
	}
	return nil
}

// waitForHistory polls /history/<id> until ComfyUI reports the prompt done.
func (p *comfyProber) waitForHistory(ctx context.Context, promptID string) (*comfy.HistoryEntry, error) {
	for {
		var history map[string]comfy.HistoryEntry
		err := p.call(ctx, http.MethodGet, "/history/"+url.PathEscape(promptID), nil, &history)

		if err != nil && !retryableProbeError(err) {
			return nil, fmt.Errorf("reading the history of the test prompt failed: %w", err)
		}
		if entry, ok := history[promptID]; ok && (entry.Status.Completed || entry.Status.StatusStr != "") {
			return &entry, nil
		}
		if p.sleep(ctx, withJitter(p.interval)) != nil {
			return nil, fmt.Errorf("the test prompt %s did not finish before the operation ended", promptID)
		}
	}
}

// executionError extracts the exception message of an execution_error
// event from a history entry.
func executionError(entry *comfy.HistoryEntry) string {
	for _, msg := range entry.Status.Messages {
		if len(msg) < 2 || msg[0] != "execution_error" {
			continue
		}
		if data, ok := msg[1].(map[string]any); ok {
			text := fmt.Sprint(data["exception_message"])
			if nodeType, ok := data["node_type"].(string); ok && nodeType != "" {
				text = nodeType + ": " + text
			}
			return text
		}
	}
	return "no error message in the history"
}
