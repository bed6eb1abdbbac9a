// Package comfy contains the provider's model of ComfyUI: how its command
// line is built and read, which GPU a compute type reports, and the shapes of
// the HTTP responses that health probes read.
package comfy

import (
	"fmt"
	"strings"
)

// Flags the provider manages; extra arguments must not repeat them.
const (
	FlagListen                = "--listen"
	FlagPort                  = "--port"
	FlagExtraModelPathsConfig = "--extra-model-paths-config"
	FlagOutputDirectory       = "--output-directory"
)

// ManagedFlags lists the flags that Command sets from resource arguments.
var ManagedFlags = []string{FlagListen, FlagPort, FlagExtraModelPathsConfig, FlagOutputDirectory}

// DefaultPort is ComfyUI's default --port.
const DefaultPort = 8188

// CommandSpec is the part of a ComfyUI command line that the provider builds.
type CommandSpec struct {
	Listen                string // empty: flag left out (ComfyUI then listens on 127.0.0.1 only)
	Port                  int64  // 0: flag left out
	ExtraModelPathsConfig string
	OutputDirectory       string
	ExtraArgs             []string
}

// Args builds the argument list in a fixed order, so that a plan shows
// exactly which flag changes: --listen, --port, --extra-model-paths-config,
// --output-directory, then the extra arguments as given.
func (s CommandSpec) Args() []string {
	var args []string
	if s.Listen != "" {
		args = append(args, FlagListen, s.Listen)
	}
	if s.Port != 0 {
		args = append(args, FlagPort, fmt.Sprint(s.Port))
	}
	if s.ExtraModelPathsConfig != "" {
		args = append(args, FlagExtraModelPathsConfig, s.ExtraModelPathsConfig)
	}
	if s.OutputDirectory != "" {
		args = append(args, FlagOutputDirectory, s.OutputDirectory)
	}
	return append(args, s.ExtraArgs...)
}

// ManagedFlagIn returns the managed flag that arg sets, in the "--flag" or
// "--flag=value" spelling or as an abbreviation ("--output-dir"), or "".
// ComfyUI's argparse accepts any unambiguous prefix of a long option, so an
// abbreviation sets the managed flag just as the full name does.
func ManagedFlagIn(arg string) string {
	name, _, _ := strings.Cut(arg, "=")
	if !strings.HasPrefix(name, "--") || len(name) < 3 {
		return ""
	}
	for _, f := range ManagedFlags {
		if strings.HasPrefix(f, name) {
			return f
		}
	}
	return ""
}

// flagsWithOptionalValue may stand alone: a bare --listen means all
// interfaces. Every other flag read by ParseArgs takes a value when the
// next token does not start with "--".
var flagsWithOptionalValue = map[string]bool{FlagListen: true}

// Args is a parsed command line: each flag with the values that followed it.
// A flag given twice keeps its last occurrence, as Python's argparse does.
type Args struct {
	Values map[string][]string
	// Order lists flags in order of first appearance.
	Order []string
	// Positional holds tokens before the first flag (such as "python3 main.py").
	Positional []string
}

// ParseArgs reads an argv in the GNU long-option style that ComfyUI's
// argparse accepts: "--flag value", "--flag=value", "--flag v1 v2" and bare
// "--flag".
func ParseArgs(argv []string) Args {
	a := Args{Values: map[string][]string{}}
	current := ""
	for _, tok := range argv {
		if strings.HasPrefix(tok, "--") && len(tok) > 2 {
			name, value, hasValue := strings.Cut(tok, "=")
			if _, seen := a.Values[name]; !seen {
				a.Order = append(a.Order, name)
			}
			a.Values[name] = []string{}
			if hasValue {
				a.Values[name] = []string{value}
				current = ""
				continue
			}
			current = name
			continue
		}
		if current == "" {
			if len(a.Order) == 0 {
				a.Positional = append(a.Positional, tok)
			}
			continue
		}
		a.Values[current] = append(a.Values[current], tok)
		if current != FlagExtraModelPathsConfig {
			// Only --extra-model-paths-config takes several values.
			current = ""
		}
	}
	return a
}

// Has reports whether the flag appears.
func (a Args) Has(flag string) bool {
	_, ok := a.Values[flag]
	return ok
}

// Value returns the flag's first value and whether the flag appears.
func (a Args) Value(flag string) (string, bool) {
	v, ok := a.Values[flag]
	if !ok || len(v) == 0 {
		return "", ok
	}
	return v[0], true
}

// ListensOnAllInterfaces reports whether the command makes ComfyUI reachable
// from outside its container: --listen bare, or with 0.0.0.0 or :: in its list.
func (a Args) ListensOnAllInterfaces() bool {
	v, ok := a.Values[FlagListen]
	if !ok {
		return false
	}
	if len(v) == 0 {
		return true
	}
	for _, addr := range strings.Split(v[0], ",") {
		switch strings.TrimSpace(addr) {
		case "0.0.0.0", "::", "[::]":
			return true
		}
	}
	return false
}

// PathInside reports whether p lies in dir or below it; both must be absolute.
func PathInside(p, dir string) bool {
	p = strings.TrimRight(p, "/")
	dir = strings.TrimRight(dir, "/")
	if dir == "" {
		return strings.HasPrefix(p, "/")
	}
	return p == dir || strings.HasPrefix(p, dir+"/")
}
