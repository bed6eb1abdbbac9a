package emulator

import "testing"

func TestVersionFromImageTag(t *testing.T) {
	cases := map[string]string{
		"ghcr.io/comfyume/comfyui:0.3.64-cu128":         "0.3.64",
		"ghcr.io/comfyume/comfyui:v0.38.1":              "0.38.1",
		"registry:5000/comfyui:0.10":                    "0.10",
		"registry:5000/comfyui":                         "",
		"ghcr.io/comfyume/comfyui:cu128-0.3.64":         "",
		"ghcr.io/comfyume/comfyui@sha256:0123456789abc": "",
		"comfyui:latest":                                "",
	}
	for image, want := range cases {
		if got := versionFromImageTag(image); got != want {
			t.Errorf("versionFromImageTag(%q) = %q, want %q", image, got, want)
		}
	}
}
