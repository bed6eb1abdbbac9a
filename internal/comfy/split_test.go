package comfy

import (
	"slices"
	"testing"
)

func TestSplitArgsRoundTrip(t *testing.T) {
	specs := []CommandSpec{
		{},
		{Listen: "0.0.0.0", Port: 8188},
		{Listen: "0.0.0.0", Port: 8188, ExtraModelPathsConfig: "/mnt/sfs/extra_model_paths.yaml"},
		{Listen: "0.0.0.0", Port: 8188, ExtraModelPathsConfig: "/mnt/sfs/x.yaml", OutputDirectory: "/mnt/sfs/outputs",
			ExtraArgs: []string{"--preview-method", "auto", "--lowvram"}},
		{Port: 9000, ExtraArgs: []string{"--cuda-device", "0"}},
	}
	for _, spec := range specs {
		got := SplitArgs(spec.Args())
		if !got.Equal(spec) {
			t.Errorf("SplitArgs(%q) = %+v, want %+v", spec.Args(), got, spec)
		}
	}
}

func TestSplitArgsReorderedFlags(t *testing.T) {
	got := SplitArgs([]string{"--lowvram", "--port=9000", "--listen", "--output-directory", "/out"})
	if got.Listen != ListenAllBare {
		t.Errorf("Listen = %q, want %q for a bare --listen", got.Listen, ListenAllBare)
	}
	if got.Port != 9000 {
		t.Errorf("Port = %d, want 9000", got.Port)
	}
	if got.OutputDirectory != "/out" {
		t.Errorf("OutputDirectory = %q, want /out", got.OutputDirectory)
	}
	if !slices.Equal(got.ExtraArgs, []string{"--lowvram"}) {
		t.Errorf("ExtraArgs = %q, want [--lowvram]", got.ExtraArgs)
	}
}

func TestSplitArgsLastValueWins(t *testing.T) {
	got := SplitArgs([]string{"--port", "8188", "--port", "9000"})
	if got.Port != 9000 {
		t.Errorf("Port = %d, want the last value 9000", got.Port)
	}
	if len(got.ExtraArgs) != 0 {
		t.Errorf("ExtraArgs = %q, want none", got.ExtraArgs)
	}
}

func TestSplitArgsInvalidPortStaysExtra(t *testing.T) {
	got := SplitArgs([]string{"--port", "http", "--listen", "0.0.0.0"})
	if got.Port != 0 {
		t.Errorf("Port = %d, want 0 for a non-numeric value", got.Port)
	}
	if !slices.Equal(got.ExtraArgs, []string{"--port", "http"}) {
		t.Errorf("ExtraArgs = %q, want the unparsed --port kept", got.ExtraArgs)
	}
	if got.Listen != "0.0.0.0" {
		t.Errorf("Listen = %q, want 0.0.0.0", got.Listen)
	}
}

func TestSplitArgsBarePortAtEnd(t *testing.T) {
	got := SplitArgs([]string{"--listen", "0.0.0.0", "--port"})
	if !slices.Equal(got.ExtraArgs, []string{"--port"}) {
		t.Errorf("ExtraArgs = %q, want [--port]", got.ExtraArgs)
	}
}
