package comfy

import (
	"reflect"
	"testing"
)

func TestCommandSpecArgsOrder(t *testing.T) {
	spec := CommandSpec{
		Listen: "0.0.0.0", Port: 8188,
		ExtraModelPathsConfig: "/mnt/sfs/extra_model_paths.yaml",
		OutputDirectory:       "/mnt/sfs/outputs",
		ExtraArgs:             []string{"--lowvram"},
	}
	want := []string{"--listen", "0.0.0.0", "--port", "8188",
		"--extra-model-paths-config", "/mnt/sfs/extra_model_paths.yaml",
		"--output-directory", "/mnt/sfs/outputs", "--lowvram"}
	if got := spec.Args(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Args() = %q, want %q", got, want)
	}
}

func TestManagedFlagIn(t *testing.T) {
	cases := map[string]string{
		"--port":                "--port",
		"--port=9000":           "--port",
		"--output-dir":          "--output-directory",
		"--output-directory=/x": "--output-directory",
		"--extra-model":         "--extra-model-paths-config",
		"--lis":                 "--listen",
		"--lowvram":             "",
		"--preview-method":      "",
		"-p":                    "",
		"--":                    "",
		"/mnt/sfs/outputs":      "",
	}
	for arg, want := range cases {
		if got := ManagedFlagIn(arg); got != want {
			t.Errorf("ManagedFlagIn(%q) = %q, want %q", arg, got, want)
		}
	}
}

func TestParseArgsForms(t *testing.T) {
	args := ParseArgs([]string{"python3", "main.py", "--listen", "--port=9000",
		"--extra-model-paths-config", "/a.yaml", "/b.yaml", "--output-directory", "/out", "--port", "8188"})

	if got := args.Positional; !reflect.DeepEqual(got, []string{"python3", "main.py"}) {
		t.Errorf("Positional = %q", got)
	}
	if !args.ListensOnAllInterfaces() {
		t.Error("bare --listen should listen on all interfaces")
	}
	if v, _ := args.Value(FlagPort); v != "8188" {
		t.Errorf("--port = %q, want the last occurrence 8188", v)
	}
	if got := args.Values[FlagExtraModelPathsConfig]; !reflect.DeepEqual(got, []string{"/a.yaml", "/b.yaml"}) {
		t.Errorf("--extra-model-paths-config = %q", got)
	}
	if v, ok := args.Value(FlagOutputDirectory); !ok || v != "/out" {
		t.Errorf("--output-directory = %q, %v", v, ok)
	}
}

func TestListensOnAllInterfaces(t *testing.T) {
	cases := map[string]bool{"0.0.0.0": true, "::": true, "127.0.0.1,0.0.0.0": true, "127.0.0.1": false, "10.0.0.5": false}
	for value, want := range cases {
		if got := ParseArgs([]string{"--listen", value}).ListensOnAllInterfaces(); got != want {
			t.Errorf("--listen %s: got %v, want %v", value, got, want)
		}
	}
	if ParseArgs([]string{"--port", "8188"}).ListensOnAllInterfaces() {
		t.Error("without --listen ComfyUI listens on 127.0.0.1 only")
	}
}

func TestValidateRejects(t *testing.T) {
	cases := map[string]CommandSpec{
		"managed flag in extra args": {ExtraArgs: []string{"--output-directory", "/x"}},
		"abbreviated managed flag":   {ExtraArgs: []string{"--output-dir=/x"}},
		"bare value first":           {ExtraModelPathsConfig: "/a.yaml", ExtraArgs: []string{"/b.yaml"}},
		"relative output directory":  {OutputDirectory: "outputs"},
		"listen looks like a flag":   {Listen: "--cpu"},
		"port out of range":          {Port: 70000},
	}
	for name, spec := range cases {
		if err := spec.Validate(); err == nil {
			t.Errorf("%s: Validate() = nil, want an error", name)
		}
	}
	ok := CommandSpec{Listen: "0.0.0.0", Port: 8188, OutputDirectory: "/mnt/sfs/outputs", ExtraArgs: []string{"--lowvram", "--preview-method", "auto"}}
	if err := ok.Validate(); err != nil {
		t.Errorf("valid spec: Validate() = %v", err)
	}
}
