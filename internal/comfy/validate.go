package comfy

import (
	"fmt"
	"strings"
)

// Validate reports the first problem that would make Args ambiguous or
// unsafe: a managed flag repeated in ExtraArgs, a value that ComfyUI's
// argparse would read as a flag, a relative path, or extra arguments that
// start with a bare value (it would be swallowed by a preceding
// --extra-model-paths-config, which takes one or more values).
func (s CommandSpec) Validate() error {
	if s.Listen != "" && (strings.HasPrefix(s.Listen, "-") || strings.ContainsAny(s.Listen, " \t\n")) {
		return fmt.Errorf("listen %q must be an address list such as 0.0.0.0", s.Listen)
	}
	if s.Port < 0 || s.Port > 65535 {
		return fmt.Errorf("port %d must be between 1 and 65535", s.Port)
	}
	for name, p := range map[string]string{
		"extra_model_paths_config": s.ExtraModelPathsConfig,
		"output_directory":         s.OutputDirectory,
	} {
		if p != "" && !strings.HasPrefix(p, "/") {
			return fmt.Errorf("%s %q must be an absolute path", name, p)
		}
	}
	for i, arg := range s.ExtraArgs {
		if f := ManagedFlagIn(arg); f != "" {
			return fmt.Errorf("extra_args[%d] repeats %s, which the resource sets from its own argument", i, f)
		}
	}
	for i, arg := range s.ExtraArgs {
		if arg == "-" || arg == "--" {
			return fmt.Errorf("extra_args[%d] %q is not a ComfyUI option; ComfyUI takes no positional arguments", i, arg)
		}
	}
	// ComfyUI defines only long options (and -h), so a flag starts with "--".
	if len(s.ExtraArgs) > 0 && !strings.HasPrefix(s.ExtraArgs[0], "--") {
		return fmt.Errorf("extra_args[0] %q must be a long option such as \"--lowvram\"; a bare value there would be read as a value of the preceding flag", s.ExtraArgs[0])
	}
	return nil
}
