package comfy

import (
	"slices"
	"strconv"
	"strings"
)

// ListenAllBare is the address list that a bare --listen selects in ComfyUI.
const ListenAllBare = "0.0.0.0,::"

// SplitArgs is the inverse of CommandSpec.Args: it takes the managed flags
// out of an argument list, wherever they stand, and keeps every other token
// in ExtraArgs in its original order. A flag given twice keeps its last
// value, as Python's argparse does. A bare --listen becomes ListenAllBare. A
// --port whose value is not a number stays in ExtraArgs, so that the caller
// still sees it.
//
// SplitArgs(spec.Args()) returns spec for every spec whose ExtraArgs repeat
// no managed flag. The reverse does not hold: a command with the flags in
// another order splits into the same spec, and spec.Args() then differs from
// the original list.
func SplitArgs(args []string) CommandSpec {
	var spec CommandSpec
	for i := 0; i < len(args); i++ {
		tok := args[i]
		flag := ManagedFlagIn(tok)
		if flag == "" || !strings.HasPrefix(tok, "--") {
			spec.ExtraArgs = append(spec.ExtraArgs, tok)
			continue
		}
		value, hasValue := "", false
		if _, v, ok := strings.Cut(tok, "="); ok {
			value, hasValue = v, true
		} else if i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") {
			value, hasValue = args[i+1], true
		}
		consumed := 0
		if hasValue && !strings.Contains(tok, "=") {
			consumed = 1
		}

		switch flag {
		case FlagListen:
			if !hasValue {
				value = ListenAllBare
			}
			spec.Listen = value
		case FlagPort:
			port, err := strconv.ParseInt(value, 10, 64)
			if !hasValue || err != nil || port <= 0 {
				spec.ExtraArgs = append(spec.ExtraArgs, args[i:i+1+consumed]...)
				i += consumed
				continue
			}
			spec.Port = port
		case FlagExtraModelPathsConfig:
			spec.ExtraModelPathsConfig = value
		case FlagOutputDirectory:
			spec.OutputDirectory = value
		}
		i += consumed
	}
	return spec
}

// Equal reports whether two specs build the same argument list.
func (s CommandSpec) Equal(other CommandSpec) bool {
	return slices.Equal(s.Args(), other.Args())
}
