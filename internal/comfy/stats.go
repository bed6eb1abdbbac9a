package comfy

// SystemStats is the response of GET /system_stats. Fields added by later
// ComfyUI versions are optional.
type SystemStats struct {
	System  SystemInfo `json:"system"`
	Devices []Device   `json:"devices"`
}

// SystemInfo is the "system" object of /system_stats.
type SystemInfo struct {
	OS             string   `json:"os"`
	RAMTotal       int64    `json:"ram_total"`
	RAMFree        int64    `json:"ram_free"`
	ComfyUIVersion string   `json:"comfyui_version"`
	PythonVersion  string   `json:"python_version"`
	PytorchVersion string   `json:"pytorch_version"`
	EmbeddedPython bool     `json:"embedded_python"`
	Argv           []string `json:"argv"`
	// DeployEnvironment and ComfyPackageVersions appear only in 2026
	// builds, the same builds that list every visible GPU in devices.
	DeployEnvironment    string           `json:"deploy_environment,omitempty"`
	ComfyPackageVersions []PackageVersion `json:"comfy_package_versions,omitempty"`
}

// PackageVersion is one comfy* Python package in /system_stats.
type PackageVersion struct {
	Name      string `json:"name"`
	Installed string `json:"installed"`
	Required  string `json:"required"`
}

// ListsEveryDevice reports whether the stats come from a ComfyUI build
// that lists every visible GPU in devices, not only the one it uses. Older
// builds list one device whatever the GPU count.
func (s SystemStats) ListsEveryDevice() bool {
	return s.System.DeployEnvironment != "" || len(s.System.ComfyPackageVersions) > 0
}

// Device is one torch device. Before 2026 only the current device is listed;
// later versions list every visible GPU, primary first.
type Device struct {
	Name           string `json:"name"`
	Type           string `json:"type"`
	Index          *int64 `json:"index"`
	VRAMTotal      int64  `json:"vram_total"`
	VRAMFree       int64  `json:"vram_free"`
	TorchVRAMTotal int64  `json:"torch_vram_total"`
	TorchVRAMFree  int64  `json:"torch_vram_free"`
}

// PromptResponse is the success answer of POST /prompt.
type PromptResponse struct {
	PromptID   string         `json:"prompt_id"`
	Number     float64        `json:"number"`
	NodeErrors map[string]any `json:"node_errors"`
}

// HistoryEntry is one prompt in GET /history/{id}.
type HistoryEntry struct {
	Outputs map[string]struct {
		Images []OutputFile `json:"images"`
	} `json:"outputs"`
	Status struct {
		StatusStr string  `json:"status_str"`
		Completed bool    `json:"completed"`
		Messages  [][]any `json:"messages"`
	} `json:"status"`
}

// OutputFile names a file a prompt wrote.
type OutputFile struct {
	Filename  string `json:"filename"`
	Subfolder string `json:"subfolder"`
	Type      string `json:"type"`
}

// SmokePrompt is a prompt that needs no model: a 64×64 empty image saved
// with the given filename prefix. It proves that the queue, the executor and
// the output directory work, not that the GPU computes.
func SmokePrompt(prefix string) map[string]any {
	return map[string]any{
		"1": map[string]any{
			"class_type": "EmptyImage",
			"inputs":     map[string]any{"width": 64, "height": 64, "batch_size": 1, "color": 0},
		},
		"2": map[string]any{
			"class_type": "SaveImage",
			"inputs":     map[string]any{"images": []any{"1", 0}, "filename_prefix": prefix},
		},
	}
}
