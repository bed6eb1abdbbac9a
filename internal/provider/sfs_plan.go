package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/comfyume/terraform-provider-verda/internal/verda"
)

// ModifyPlan runs the checks that keep an SFS and its data from being lost by
// accident. Each runs before any mutating API call:
//   - create: the type must be a shared filesystem type of /volume-types, the
//     location a known one, and a clone source must exist and be no larger
//     than the requested size;
//   - update: a smaller size is rejected;
//   - destroy and replacement: rejected under deletion protection, and while
//     a container deployment mounts the SFS.
//
// Checks that need the API are skipped while the provider is unconfigured,
// as during `tofu validate`.
func (r *sfsResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() {
		r.checkCreatePlan(ctx, req, resp)
		return
	}

	var state sfsResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}

	if req.Plan.Raw.IsNull() {
		r.checkRemoval(ctx, state, "destroy", "", &resp.Diagnostics)
		return
	}

	var plan, config sfsResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}

	// OpenTofu plans the new object of a replacement in a second call with no
	// prior state, which runs the create checks.
	if reasons := sfsReplaceReasons(config, plan, state); len(reasons) > 0 {
		r.checkRemoval(ctx, state, "replace", strings.Join(reasons, " and ")+" needs a new volume", &resp.Diagnostics)
		return
	}

	if !plan.Size.IsUnknown() && plan.Size.ValueInt64() < state.Size.ValueInt64() {
		resp.Diagnostics.AddAttributeError(path.Root("size"), "SFS cannot shrink",
			sfsShrinkDetail(state.Name.ValueString(), state.ID.ValueString(), state.Size.ValueInt64(), plan.Size.ValueInt64()))
		return
	}

	// A rename or resize goes through the API, which then reports the status,
	// attachments and price anew.
	renamed := !plan.Name.Equal(state.Name)
	resized := !plan.Size.Equal(state.Size)
	if renamed || resized {
		plan.Status = types.StringUnknown()
		plan.InstanceIDs = types.ListUnknown(types.StringType)
	}
	if resized {
		plan.MonthlyPrice = types.Float64Unknown()
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// checkCreatePlan validates a new SFS against the API's catalogs.
func (r *sfsResource) checkCreatePlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.data == nil || req.Plan.Raw.IsNull() {
		return
	}
	var plan sfsResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}

	if sfsKnown(plan.Type) {
		r.checkType(ctx, plan.Type.ValueString(), &resp.Diagnostics)
	}
	if sfsKnown(plan.Location) {
		r.checkLocation(ctx, plan.Location.ValueString(), &resp.Diagnostics)
	}
	if sfsKnown(plan.SourceVolumeID) {
		r.checkCloneSource(ctx, plan, &resp.Diagnostics)
	}
}

func (r *sfsResource) checkType(ctx context.Context, typeName string, diags *diag.Diagnostics) {
	list, err := r.data.volumeTypes(ctx)
	if err != nil {
		diags.AddAttributeError(path.Root("type"), "Volume types not listed",
			fmt.Sprintf("Checking type %q against the Verda API's volume types failed: %s. Try again once the API answers.", typeName, err))
		return
	}
	if sfsTypeIsShared(list, typeName) {
		return
	}

	valid := strings.Join(sfsSharedTypeNames(list), ", ")
	if slices.ContainsFunc(list, func(t verda.VolumeType) bool { return t.Type == typeName }) {
		diags.AddAttributeError(path.Root("type"), "Invalid SFS type",
			fmt.Sprintf("Type %q is a block volume type, not a shared filesystem. Set type to one of the shared filesystem types "+
				"that the Verda API lists: %s.", typeName, valid))
		return
	}
	diags.AddAttributeError(path.Root("type"), "Invalid SFS type",
		fmt.Sprintf("The Verda API lists no volume type %q. Set type to one of its shared filesystem types: %s.", typeName, valid))
}

// checkLocation rejects a location code the API does not list. A failed
// listing only warns: the create call reports a bad location as well.
func (r *sfsResource) checkLocation(ctx context.Context, code string, diags *diag.Diagnostics) {
	locations, err := r.data.client.ListLocations(ctx)

	if err != nil {
		diags.AddAttributeWarning(path.Root("location"), "Location not checked",
			fmt.Sprintf("Listing the Verda locations failed, so location %q is checked only when the SFS is created: %s", code, err))
		return
	}

	codes := make([]string, 0, len(locations))
	for _, l := range locations {
		if l.Code == code {
			return
		}
		codes = append(codes, l.Code)
	}
	slices.Sort(codes)
	diags.AddAttributeError(path.Root("location"), "Invalid location",
		fmt.Sprintf("The Verda API lists no location %q. Set location to one of %s, or leave it unset for the API's default.",
			code, strings.Join(codes, ", ")))
}

// checkCloneSource requires the clone source to exist and to fit in size,
// because a clone has its source's size and the API can only grow it.
func (r *sfsResource) checkCloneSource(ctx context.Context, plan sfsResourceModel, diags *diag.Diagnostics) {
	source := plan.SourceVolumeID.ValueString()

	v, err := r.data.client.GetVolume(ctx, source)

	if verda.IsNotFound(err) {
		diags.AddAttributeError(path.Root("source_volume_id"), "Source volume not found",
			fmt.Sprintf("No volume has the id %q, so it cannot be cloned. Set source_volume_id to the id of an existing volume, "+
				"for example from the verda_sfs data source.", source))
		return
	}
	if err != nil {
		diags.AddAttributeError(path.Root("source_volume_id"), "Source volume not read",
			fmt.Sprintf("Reading the clone source %q failed: %s. Try again once the API answers.", source, err))
		return
	}

	if sfsKnown(plan.Size) && plan.Size.ValueInt64() < v.Size {
		diags.AddAttributeError(path.Root("size"), "SFS smaller than its source",
			fmt.Sprintf("The clone source %q (id %s) has %d GB, but size is %d. A clone starts at its source's size and the API "+
				"cannot shrink a volume: set size to %d or more.", v.Name, source, v.Size, plan.Size.ValueInt64(), v.Size))
	}
}

// checkRemoval rejects a plan that destroys the SFS, outright or as part of
// a replacement, while deletion protection is on or a deployment mounts it.
func (r *sfsResource) checkRemoval(ctx context.Context, state sfsResourceModel, action, reason string, diags *diag.Diagnostics) {
	if sfsProtected(state) {
		detail := sfsProtectionDetail(state, action)
		if reason != "" {
			detail = fmt.Sprintf("Changing %s, and replacing it destroys the current volume with its data. %s", reason, detail)
		}
		diags.AddError("Deletion protection enabled", detail)
		return
	}
	sfsCheckMounts(ctx, r.data, state, action, false, diags)
}

// sfsReplaceReasons names the changed arguments that make OpenTofu replace the
// SFS. It follows the RequiresReplace plan modifiers of the schema.
func sfsReplaceReasons(config, plan, state sfsResourceModel) []string {
	var reasons []string
	if !plan.Type.Equal(state.Type) {
		reasons = append(reasons, fmt.Sprintf("type from %s to %s", state.Type, plan.Type))
	}
	if sfsLocationChanges(config.Location, plan.Location, state.Location) {
		reasons = append(reasons, fmt.Sprintf("location from %s to %s", state.Location, plan.Location))
	}
	if sfsSourceChanges(plan.SourceVolumeID, state.SourceVolumeID) {
		reasons = append(reasons, fmt.Sprintf("source_volume_id from %s to %s", state.SourceVolumeID, plan.SourceVolumeID))
	}
	return reasons
}

// sfsLocationChanges reports a location set in the configuration that
// differs from the current one. An unset location keeps the current one.
func sfsLocationChanges(config, plan, state types.String) bool {
	return !config.IsNull() && !plan.Equal(state)
}

// sfsSourceChanges reports a clone source replaced by another one. Adding or
// removing the argument later changes nothing in the API.
func sfsSourceChanges(plan, state types.String) bool {
	return !state.IsNull() && !plan.IsNull() && !plan.Equal(state)
}

func sfsLocationRequiresReplace(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
	resp.RequiresReplace = sfsLocationChanges(req.ConfigValue, req.PlanValue, req.StateValue)
}

func sfsSourceRequiresReplace(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
	resp.RequiresReplace = sfsSourceChanges(req.PlanValue, req.StateValue)
}

// sfsDefaultTypeOnCreate sets the type of a new SFS to NVMe_Shared when the
// configuration leaves it unset. Unlike a schema default, it never applies to
// an existing SFS, so removing `type` from the configuration of an imported
// HDD_Shared volume does not replace it.
type sfsDefaultTypeOnCreate struct{}

func (sfsDefaultTypeOnCreate) Description(context.Context) string {
	return "Defaults to " + sfsDefaultType + " when the SFS is created."
}

func (m sfsDefaultTypeOnCreate) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (sfsDefaultTypeOnCreate) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.State.Raw.IsNull() && req.ConfigValue.IsNull() {
		resp.PlanValue = types.StringValue(sfsDefaultType)
	}
}

// sfsProtected treats a missing value as protected, the safe reading.
func sfsProtected(state sfsResourceModel) bool {
	return state.DeletionProtection.IsNull() || state.DeletionProtection.ValueBool()
}

// sfsCheckMounts adds an error when container deployments mount the SFS. At
// plan time a failed listing only warns, because apply checks again; at apply
// time it is an error, because nothing checks after it.
func sfsCheckMounts(ctx context.Context, pd *providerData, state sfsResourceModel, action string, atApply bool, diags *diag.Diagnostics) {
	if pd == nil {
		return
	}
	name, id := state.Name.ValueString(), state.ID.ValueString()

	names, err := sfsMountingDeployments(ctx, pd.client, id)

	if err != nil && atApply {
		diags.AddError("Mounts not checked",
			fmt.Sprintf("Listing the container deployments failed, so SFS %q (id %s) was not deleted: a deployment might still mount it. "+
				"Apply again once the API answers: %s", name, id, err))
		return
	}
	if err != nil {
		diags.AddWarning("Mounts not checked",
			fmt.Sprintf("Listing the container deployments failed, so this plan does not show whether one mounts SFS %q (id %s). "+
				"Apply checks again before deleting it: %s", name, id, err))
		return
	}
	if len(names) == 0 {
		return
	}
	noun, owner, object := "container deployments", "their", "them"
	if len(names) == 1 {
		noun, owner, object = "container deployment", "its", "it"
	}
	detail := fmt.Sprintf("SFS %q (id %s) is mounted by the %s %s, so OpenTofu will not %s it: %s shared files "+
		"would be lost. Remove this SFS from %s mounts, or destroy %s, and apply that first; then %s the SFS.",
		name, id, noun, sfsQuoteList(names, sfsMaxDeploymentsInDetail), action, owner, owner, object, action)
	if !atApply {
		// The provider cannot see whether the same plan destroys those deployments.
		detail += " If this configuration manages those deployments and you are destroying it all, destroy them first " +
			"with `tofu destroy -target=<deployment address>`, then run the destroy again."
	}
	diags.AddError("SFS is mounted", detail)
}

func sfsProtectionDetail(state sfsResourceModel, action string) string {
	next := action + " it"
	switch action {
	case "replace":
		next = "apply the change that replaces it"
	case "delete":
		// A tainted resource can only be replaced, so protection cannot be
		// switched off in place until it is untainted.
		next = "apply again (if OpenTofu marked the SFS tainted, run `tofu untaint` on it first)"
	}
	return fmt.Sprintf("SFS %q (id %s) has deletion_protection = true, so OpenTofu will not %s it. To %s it on purpose, "+
		"use two steps: first set deletion_protection = false and apply that change on its own, then %s.",
		state.Name.ValueString(), state.ID.ValueString(), action, action, next)
}

func sfsShrinkDetail(name, id string, current, requested int64) string {
	return fmt.Sprintf("SFS %q (id %s) has %d GB and size is now %d. The Verda API can only grow a volume. Set size to %d or more; "+
		"to get a smaller SFS, create a new verda_sfs, copy the data you need into it, then remove this one.",
		name, id, current, requested, current)
}

// sfsCreateFailureDetail explains a failed create call. Unless the API
// rejected the request, it may have created the volume anyway, because a
// create is not retried once it may have reached the API.
func sfsCreateFailureDetail(plan sfsResourceModel, err error) string {
	name := plan.Name.ValueString()
	detail := fmt.Sprintf("Creating SFS %q failed: %s", name, err)
	var apiErr *verda.APIError
	if errors.As(err, &apiErr) && apiErr.StatusCode >= 400 && apiErr.StatusCode < 500 {
		return detail
	}
	return detail + fmt.Sprintf("\n\nThe API may have created the volume before the failure. Before applying again, look for an "+
		"SFS named %q (for example with the verda_sfs data source); if it exists, import it with "+
		"`tofu import <address> name:%s` so that no second volume is created.", name, name)
}

func sfsWaitFailureDetail(name, id, goal string, timeout time.Duration, err error) string {
	if errors.Is(err, errSFSWaitTimeout) {
		return fmt.Sprintf("SFS %q (id %s) did not %s within %s: %s. Raise the timeouts block's value if the API is slow.",
			name, id, goal, timeout, err)
	}
	return fmt.Sprintf("Waiting for SFS %q (id %s) to %s failed: %s.", name, id, goal, err)
}

func sfsNamesOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return sfsQuoteList(names, sfsMaxNamesInDiagnostic)
}

// sfsKnown reports a value that is set and known at plan time.
func sfsKnown(v interface {
	IsNull() bool
	IsUnknown() bool
}) bool {
	return !v.IsNull() && !v.IsUnknown()
}
