package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/comfyume/terraform-provider-verda/internal/verda"
)

// The create and clone calls are not retried once they may have reached the
// API, because SFS names need not be unique and a second call could create a
// second volume. After such a failure the provider looks for the volume
// itself. It lists the shared filesystems of the planned name before the
// create, so that afterwards a new one is distinguished from older ones.

// sfsIDsNamed returns the ids of the shared filesystems named name, or nil
// when they cannot be listed. nil turns off adoption after a failed create.
func sfsIDsNamed(ctx context.Context, pd *providerData, name string) map[string]bool {
	matches, _, err := sfsFindByName(ctx, pd, name)
	if err != nil {
		tflog.Warn(ctx, "listing shared filesystems before the create failed, so a lost create response cannot be recovered",
			map[string]any{"name": name, "error": err.Error()})
		return nil
	}
	ids := make(map[string]bool, len(matches))
	for _, v := range matches {
		ids[v.ID] = true
	}
	return ids
}

// sfsCreateOutcomeUnknown reports whether a failed create may still have
// created the volume: anything but an API error below 500, which proves the
// API rejected the request.
func sfsCreateOutcomeUnknown(err error) bool {
	var apiErr *verda.APIError
	return !errors.As(err, &apiErr) || apiErr.StatusCode >= 500
}

// recoverCreate looks for the volume after a create or clone call whose
// outcome is unknown. It returns the id of the one new SFS that matches the
// plan, to continue with. Otherwise it returns "" and the detail of the
// error to report. before holds the ids of the same-named shared filesystems
// that existed before the call; nil means they are unknown.
func (r *sfsResource) recoverCreate(ctx context.Context, plan sfsResourceModel, before map[string]bool, createErr error) (string, string) {
	name := plan.Name.ValueString()
	if !sfsCreateOutcomeUnknown(createErr) || before == nil {
		return "", sfsCreateFailureDetail(plan, createErr)
	}

	// A Ctrl-C or an expired timeout must not stop the look-up, or a volume
	// that was created would be left out of state.
	lookupCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), diagnosticsBudget)
	defer cancel()
	matches, _, err := sfsFindByName(lookupCtx, r.data, name)

	if err != nil {
		return "", sfsCreateFailureDetail(plan, createErr) + fmt.Sprintf("\n\nLooking for it afterwards failed too: %s", err)
	}

	var created []string
	for _, v := range matches {
		if !before[v.ID] && sfsMatchesPlan(&v, plan) {
			created = append(created, v.ID)
		}
	}
	switch len(created) {
	case 0:
		return "", fmt.Sprintf("Creating SFS %q failed: %s\n\nNo new SFS named %q appeared in the API afterwards, so the API did "+
			"not create one; apply again.", name, createErr, name)
	case 1:
		tflog.Warn(ctx, "the create request failed but the SFS exists, continuing with it",
			map[string]any{"id": created[0], "name": name, "error": createErr.Error()})
		return created[0], ""
	}
	imports := make([]string, len(created))
	for i, id := range created {
		imports[i] = fmt.Sprintf("`tofu import <address> %s`", id)
	}
	return "", fmt.Sprintf("Creating SFS %q failed: %s\n\nAfterwards the API lists %d new shared filesystems named %q (ids %s), "+
		"so the provider cannot tell which one this request created. Import the one to keep with one of %s, and delete the others.",
		name, createErr, len(created), name, strings.Join(created, ", "), strings.Join(imports, ", "))
}

// sfsMatchesPlan reports whether v has the type and location of the plan and
// the planned size, or, for a clone, at most the planned size, because a
// clone starts at its source's size.
func sfsMatchesPlan(v *verda.Volume, plan sfsResourceModel) bool {
	if sfsKnown(plan.Type) && v.Type != plan.Type.ValueString() {
		return false
	}
	if sfsKnown(plan.Location) && v.Location != plan.Location.ValueString() {
		return false
	}
	if plan.SourceVolumeID.IsNull() {
		return v.Size == plan.Size.ValueInt64()
	}
	return v.Size <= plan.Size.ValueInt64()
}
