package emulator

// ImageBehavior steers how the emulated platform and the fake ComfyUI treat one container image.
type ImageBehavior struct {
	// PullError makes the deployment end unhealthy after image_pulling; its replicas report the pull error.
	PullError bool `json:"pull_error,omitempty"`
	// NeverReady keeps the deployment in initializing (or version_updating) forever.
	NeverReady bool `json:"never_ready,omitempty"`
	// ComfyUIVersion is the reported ComfyUI version, "0.3.64" by default. A version of 0.10 or later
	// selects the 2026 /system_stats shape (os "linux", package versions, one device per GPU).
	ComfyUIVersion string `json:"comfyui_version,omitempty"`
	// ExtraNodes are custom node classes the image provides beside the core ones.
	ExtraNodes []string `json:"extra_nodes,omitempty"`
	// MissingNodes are core node classes that fail to import in this image.
	MissingNodes []string `json:"missing_nodes,omitempty"`
	// SmokeTestError, if set, makes every prompt end with status_str "error" and this exception message.
	SmokeTestError string `json:"smoke_test_error,omitempty"`
	// DefaultEntrypoint and DefaultCmd are the image's command when a container does not override it. They
	// default to python3 /app/ComfyUI/main.py with --listen 0.0.0.0 --port 8188.
	DefaultEntrypoint []string `json:"default_entrypoint,omitempty"`
	DefaultCmd        []string `json:"default_cmd,omitempty"`
}

// SetImageBehavior sets the behavior of the image with exactly this name, tag included. It applies to
// deployments whose rollout settles after the call; use the restart endpoint to re-evaluate a settled one.
func (e *Emulator) SetImageBehavior(image string, b ImageBehavior) {
	e.do(func(st *state) *apiError {
		st.images[image] = b
		st.touch()
		return nil
	})
}
