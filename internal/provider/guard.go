package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
)

// testingGuard keeps plan and apply of a guarded configuration off every
// machine but a marked testing server.
type testingGuard struct {
	required  bool
	marker    string
	forbidden []string
	// hostname returns the machine's host name (tests replace it).
	hostname func() (string, error)
}

func resolveGuard(ctx context.Context, cfg providerModel) (testingGuard, diag.Diagnostics) {
	var diags diag.Diagnostics
	g := testingGuard{
		marker:   stringOrEnv(cfg.TestingInstanceMarker, envTestingInstanceMarker, defaultTestingInstanceMarker),
		hostname: os.Hostname,
	}
	required, err := boolOrEnv(cfg.RequireTestingInstance, envRequireTestingInstance)
	if err != nil {
		diags.AddAttributeError(path.Root("require_testing_instance"), "Invalid require_testing_instance", err.Error())
	}
	g.required = required
	if !cfg.ForbiddenHostnames.IsNull() && !cfg.ForbiddenHostnames.IsUnknown() {
		diags.Append(cfg.ForbiddenHostnames.ElementsAs(ctx, &g.forbidden, false)...)
	}
	return g, diags
}

// check returns an error that explains why this machine may not plan or apply.
func (g testingGuard) check() error {
	if !g.required {
		return nil
	}
	host, err := g.hostname()
	if err != nil {
		return fmt.Errorf("require_testing_instance is true, but the host name could not be read: %v", err)
	}
	if slices.ContainsFunc(g.forbidden, func(f string) bool { return strings.EqualFold(strings.TrimSpace(f), host) }) {
		return fmt.Errorf("require_testing_instance is true and this host, %q, is listed in forbidden_hostnames. "+
			"Plan and apply this configuration from a fresh testing server instead", host)
	}
	info, err := os.Stat(g.marker)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("require_testing_instance is true, but the testing-instance marker %s does not exist on host %q. "+
			"Plan and apply only from a fresh testing server: its provisioning writes the marker "+
			"(for example `sudo install -D /dev/null %s`). Set testing_instance_marker or "+
			"VERDA_TESTING_INSTANCE_MARKER if the marker lives elsewhere", g.marker, host, g.marker)
	case err != nil:
		return fmt.Errorf("require_testing_instance is true, but the testing-instance marker %s could not be read: %v", g.marker, err)
	case info.IsDir():
		return fmt.Errorf("require_testing_instance is true, but the testing-instance marker %s is a directory; it must be a file", g.marker)
	}
	return nil
}
