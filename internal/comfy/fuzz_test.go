package comfy

import (
	"strconv"
	"strings"
	"testing"
)

// FuzzCommandRoundTrip builds a command line from a valid spec and reads it
// back: every managed flag must come back with the value it was given.
func FuzzCommandRoundTrip(f *testing.F) {
	f.Add("0.0.0.0", int64(8188), "/mnt/sfs/extra_model_paths.yaml", "/mnt/sfs/outputs", "--lowvram\x00--preview-method\x00auto")
	f.Add("", int64(0), "", "", "")
	f.Add("::,0.0.0.0", int64(1), "/a b/c.yaml", "/out", "--verbose")
	f.Add("127.0.0.1", int64(65535), "", "/x=y", "--cuda-device=0")

	f.Fuzz(func(t *testing.T, listen string, port int64, modelPaths, outputDir, extra string) {
		spec := CommandSpec{Listen: listen, Port: port, ExtraModelPathsConfig: modelPaths, OutputDirectory: outputDir}
		if extra != "" {
			spec.ExtraArgs = strings.Split(extra, "\x00")
		}
		if spec.Validate() != nil {
			return
		}
		// Values starting with "--" are flags to argparse too; Validate
		// rejects them for listen and the paths.
		args := ParseArgs(append([]string{"python3", "main.py"}, spec.Args()...))

		check := func(flag, want string) {
			got, ok := args.Value(flag)
			if want == "" {
				return
			}
			if !ok || got != want {
				t.Fatalf("%s: got %q (present %v), want %q; argv %q", flag, got, ok, want, spec.Args())
			}
		}
		check(FlagListen, listen)
		if port != 0 {
			check(FlagPort, strconv.FormatInt(port, 10))
		}
		check(FlagExtraModelPathsConfig, modelPaths)
		check(FlagOutputDirectory, outputDir)
		if modelPaths != "" {
			if n := len(args.Values[FlagExtraModelPathsConfig]); n != 1 {
				t.Fatalf("%s has %d values, want 1; argv %q", FlagExtraModelPathsConfig, n, spec.Args())
			}
		}
		if got := strings.Join(args.Positional, " "); got != "python3 main.py" {
			t.Fatalf("positional arguments %q, want %q", got, "python3 main.py")
		}
	})
}
