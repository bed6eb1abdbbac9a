package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/float64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/comfyume/terraform-provider-verda/internal/verda"
)

var (
	_ resource.Resource                = &sfsResource{}
	_ resource.ResourceWithConfigure   = &sfsResource{}
	_ resource.ResourceWithModifyPlan  = &sfsResource{}
	_ resource.ResourceWithImportState = &sfsResource{}
)

// Default timeouts. Cloning a large SFS copies all its data, so create gets
// the most time.
const (
	sfsCreateTimeout = 60 * time.Minute
	sfsUpdateTimeout = 20 * time.Minute
	sfsDeleteTimeout = 20 * time.Minute
)

// sfsNonBlankRE matches a name that is more than white space.
var sfsNonBlankRE = regexp.MustCompile(`\S`)

// NewSFSResource returns the verda_sfs resource.
func NewSFSResource() resource.Resource {
	return &sfsResource{}
}

type sfsResource struct {
	data *providerData
}

func (r *sfsResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_sfs"
}

func (r *sfsResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Manages a Verda shared filesystem (SFS), an NFS volume that container deployments mount. " +
			"Renaming and growing happen in place, so the volume and its data stay. Several guards keep an SFS from being " +
			"destroyed by accident. Deletion protection is on by default and is checked at plan time for destroy and for " +
			"replacement. A destroy is rejected while a container deployment mounts the SFS. A smaller size is a plan-time " +
			"error. A destroy moves the volume to the trash unless `permanent_delete` is true.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Description:   sfsDescID + " It never changes on rename or resize.",
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Description: sfsDescName + " A new name is applied in place through the API's rename action.",
				Required:    true,
				Validators: []validator.String{
					stringvalidator.LengthAtLeast(1),
					// The API rejects a name of only spaces with "name should not be empty".
					stringvalidator.RegexMatches(sfsNonBlankRE, "must contain a character other than white space"),
				},
			},
			"size": schema.Int64Attribute{
				Description: sfsDescSize + " A larger value grows the SFS in place through the API's resize action. " +
					"The API cannot shrink a volume, so a smaller value than the current size is a plan-time error. " +
					"With `source_volume_id`, the size must be at least the source's size.",
				Required:   true,
				Validators: []validator.Int64{int64validator.AtLeast(1)},
			},
			"type": schema.StringAttribute{
				Description: sfsDescType + " Checked at plan time against the API's list. Defaults to `" + sfsDefaultType +
					"` when the SFS is created; leaving it unset later keeps the current type. Changing it replaces the SFS.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.UseStateForUnknown(),
					sfsDefaultTypeOnCreate{},
					stringplanmodifier.RequiresReplace(),
				},
			},
			"location": schema.StringAttribute{
				Description: sfsDescLocation + " Defaults to the API's default location, which is read back into state. " +
					"Setting a different location replaces the SFS; removing the argument keeps the current location.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.UseStateForUnknown(),
					stringplanmodifier.RequiresReplaceIf(sfsLocationRequiresReplace,
						"Setting a different location replaces the SFS.", "Setting a different location replaces the SFS."),
				},
			},
			"deletion_protection": schema.BoolAttribute{
				Description: "When true (the default), a plan that destroys or replaces the SFS fails, and so does a delete at " +
					"apply time. To remove the SFS on purpose, first apply `deletion_protection = false` on its own, then " +
					"destroy it or apply the change that replaces it. Changing this argument makes no API call.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
			},
			"source_volume_id": schema.StringAttribute{
				Description: "ID of an existing volume to clone: the SFS is created as a copy of it, with this resource's " +
					"name, type and location. Changing it to another volume ID replaces the SFS; adding or removing it " +
					"after creation only updates state, because the API does not report a volume's source.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.RequiresReplaceIf(sfsSourceRequiresReplace,
						"Changing the source volume replaces the SFS.", "Changing the source volume replaces the SFS."),
				},
			},
			"permanent_delete": schema.BoolAttribute{
				Description: "When false (the default), destroying the SFS moves it to the trash, where it can be restored " +
					"for the API's retention period (96 hours at the time of writing). When true, a destroy deletes it for good. " +
					"Changing this argument makes no API call.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
			"status": schema.StringAttribute{
				Description:   sfsDescStatus,
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"created_at": schema.StringAttribute{
				Description:   sfsDescCreatedAt,
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"pseudo_path": schema.StringAttribute{
				Description:   sfsDescPseudoPath,
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"mount_command": schema.StringAttribute{
				Description:   sfsDescMountCommand,
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"create_directory_command": schema.StringAttribute{
				Description:   sfsDescCreateDirCommand,
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"filesystem_to_fstab_command": schema.StringAttribute{
				Description:   sfsDescFstabCommand,
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"instance_ids": schema.ListAttribute{
				Description:   sfsDescInstanceIDs,
				ElementType:   types.StringType,
				Computed:      true,
				PlanModifiers: []planmodifier.List{listplanmodifier.UseStateForUnknown()},
			},
			"monthly_price": schema.Float64Attribute{
				Description:   sfsDescMonthlyPrice,
				Computed:      true,
				PlanModifiers: []planmodifier.Float64{float64planmodifier.UseStateForUnknown()},
			},
			"currency": schema.StringAttribute{
				Description:   sfsDescCurrency,
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{
				Create:            true,
				Update:            true,
				Delete:            true,
				CreateDescription: fmt.Sprintf("How long to wait for a new or cloned SFS to become ready, as a Go duration. Default %q.", sfsCreateTimeout.String()),
				UpdateDescription: fmt.Sprintf("How long to wait for a rename or resize to show in the API, as a Go duration. Default %q.", sfsUpdateTimeout.String()),
				DeleteDescription: fmt.Sprintf("How long to wait for the SFS to be gone after a delete, as a Go duration. Default %q.", sfsDeleteTimeout.String()),
			}),
		},
	}
}

func (r *sfsResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *sfsResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	// Later reads in this process must not see the volume as it was before.
	defer r.data.forgetVolumes()

	var plan sfsResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, sfsCreateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	before := sfsIDsNamed(ctx, r.data, plan.Name.ValueString())
	id, err := r.createVolume(ctx, plan)

	if err != nil {
		var detail string
		id, detail = r.recoverCreate(ctx, plan, before, err)
		if id == "" {
			resp.Diagnostics.AddError("SFS not created", detail)
			return
		}
	}

	// The id goes into state before the wait, so that a failed wait leaves a
	// tainted resource instead of a volume that OpenTofu does not know about.
	plan.ID = types.StringValue(id)
	plan.nullUnknowns()
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tflog.Info(ctx, "created SFS, waiting until it is ready", map[string]any{"id": id, "name": plan.Name.ValueString()})

	v, err := waitSFSReady(ctx, r.data, id)

	if err != nil {
		resp.Diagnostics.AddError("SFS not ready", sfsWaitFailureDetail(plan.Name.ValueString(), id, "become ready", timeout, err)+
			" OpenTofu keeps it in state as tainted, so the next apply replaces it. With deletion_protection = true that "+
			"replacement is rejected: run `tofu untaint` on the SFS to keep it, or untaint it, apply deletion_protection = false "+
			"and then replace it.")
		return
	}

	// A clone starts at its source's size; a larger size is reached by a resize.
	if want := plan.Size.ValueInt64(); v.Size < want {
		v, err = r.resize(ctx, id, plan.Name.ValueString(), want)
		if err != nil {
			resp.Diagnostics.AddError("SFS not resized", sfsWaitFailureDetail(plan.Name.ValueString(), id, "grow", timeout, err))
			return
		}
	}

	resp.Diagnostics.Append(plan.setFromVolume(ctx, v)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// createVolume creates the volume, or clones source_volume_id, and returns the new id.
func (r *sfsResource) createVolume(ctx context.Context, plan sfsResourceModel) (string, error) {
	location := ""
	if !plan.Location.IsUnknown() && !plan.Location.IsNull() {
		location = plan.Location.ValueString()
	}

	if plan.SourceVolumeID.IsNull() {
		return r.data.client.CreateVolume(ctx, verda.CreateVolumeRequest{
			Type:         plan.Type.ValueString(),
			Name:         plan.Name.ValueString(),
			Size:         plan.Size.ValueInt64(),
			LocationCode: location,
		})
	}

	source := plan.SourceVolumeID.ValueString()
	ids, err := r.data.client.CloneVolume(ctx, source, verda.CloneVolumeRequest{
		Name:         plan.Name.ValueString(),
		Type:         plan.Type.ValueString(),
		LocationCode: location,
	})

	if err != nil {
		return "", err
	}
	if len(ids) != 1 {
		return "", fmt.Errorf("cloning volume %q: the API returned %d new volume ids (%s) instead of one; "+
			"check them in the Verda console and import the right one by id", source, len(ids), strings.Join(ids, ", "))
	}
	return ids[0], nil
}

func (r *sfsResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state sfsResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()

	// One list call serves every SFS of a refresh. A volume missing from the
	// list may be newer than it, or gone, and a direct read shows which.
	v, found, err := r.data.listedVolume(ctx, id)
	if err == nil && !found {
		v, err = r.data.client.GetVolume(ctx, id)
	}

	if verda.IsNotFound(err) {
		resp.Diagnostics.AddWarning("SFS not found",
			fmt.Sprintf("The SFS %q (id %s) no longer exists in the Verda API, so it was removed from state and the next apply creates it again.%s",
				state.Name.ValueString(), id, r.trashNote(ctx, id)))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("SFS not read", fmt.Sprintf("Reading SFS %q (id %s) failed: %s", state.Name.ValueString(), id, err))
		return
	}

	resp.Diagnostics.Append(state.setFromVolume(ctx, v)...)
	// After an import these are null; their defaults keep the next plan empty.
	if state.DeletionProtection.IsNull() {
		state.DeletionProtection = types.BoolValue(true)
	}
	if state.PermanentDelete.IsNull() {
		state.PermanentDelete = types.BoolValue(false)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// trashNote explains where a volume that GET no longer finds has gone, when
// the trash lists it. It is best effort: a failed listing adds nothing.
func (r *sfsResource) trashNote(ctx context.Context, id string) string {
	trashed, err := r.data.client.ListTrashedVolumes(ctx)
	if err != nil {
		tflog.Debug(ctx, "listing the trash failed", map[string]any{"error": err.Error()})
		return ""
	}
	for _, t := range trashed {
		if t.ID == id && !t.IsPermanentlyDeleted {
			return fmt.Sprintf(" It is in the trash since %s: to keep its data, restore it from the trash in the Verda console "+
				"within the retention period and import it again by id before the next apply.", t.DeletedAt)
		}
	}
	return ""
}

func (r *sfsResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	// Later reads in this process must not see the volume as it was before.
	defer r.data.forgetVolumes()

	var plan, state sfsResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, sfsUpdateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	id := state.ID.ValueString()
	name, size := plan.Name.ValueString(), plan.Size.ValueInt64()
	// done is what the API has accepted so far; it is saved when a later step fails.
	done := state
	changed := false

	if name != state.Name.ValueString() {
		err := r.data.client.RenameVolume(ctx, id, name)

		if err != nil {
			resp.Diagnostics.AddError("SFS not renamed", fmt.Sprintf("Renaming SFS %q (id %s) to %q failed: %s", state.Name.ValueString(), id, name, err))
			resp.Diagnostics.Append(resp.State.Set(ctx, &done)...)
			return
		}
		done.Name = plan.Name
		changed = true
	}

	if size != state.Size.ValueInt64() {
		if size < state.Size.ValueInt64() {
			resp.Diagnostics.AddError("SFS cannot shrink", sfsShrinkDetail(state.Name.ValueString(), id, state.Size.ValueInt64(), size))
			resp.Diagnostics.Append(resp.State.Set(ctx, &done)...)
			return
		}

		err := r.data.client.ResizeVolume(ctx, id, size)

		if err != nil {
			resp.Diagnostics.AddError("SFS not resized", fmt.Sprintf("Growing SFS %q (id %s) from %d GB to %d GB failed: %s",
				name, id, state.Size.ValueInt64(), size, err))
			resp.Diagnostics.Append(resp.State.Set(ctx, &done)...)
			return
		}
		done.Size = plan.Size
		changed = true
	}

	if changed {
		v, err := waitSFSReflects(ctx, r.data, id, name, size)

		if err != nil {
			resp.Diagnostics.AddError("SFS update not confirmed", sfsWaitFailureDetail(name, id,
				fmt.Sprintf("show the name %q and %d GB", name, size), timeout, err)+
				" The API accepted the change; the next refresh shows how far it got.")
			resp.Diagnostics.Append(resp.State.Set(ctx, &done)...)
			return
		}
		resp.Diagnostics.Append(plan.setFromVolume(ctx, v)...)
	}

	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// resize grows the SFS to size GB and waits until the API reports it.
func (r *sfsResource) resize(ctx context.Context, id, name string, size int64) (*verda.Volume, error) {
	err := r.data.client.ResizeVolume(ctx, id, size)

	if err != nil {
		return nil, err
	}
	return waitSFSReflects(ctx, r.data, id, name, size)
}

func (r *sfsResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	// Later reads in this process must not see the volume as it was before.
	defer r.data.forgetVolumes()

	var state sfsResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, sfsDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	// The plan-time checks do not cover a tainted SFS being replaced, nor a
	// deployment that started mounting the SFS after the plan, so they run again.
	if sfsProtected(state) {
		resp.Diagnostics.AddError("Deletion protection enabled", sfsProtectionDetail(state, "delete"))
		return
	}
	sfsCheckMounts(ctx, r.data, state, "delete", true, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	id, permanent := state.ID.ValueString(), state.PermanentDelete.ValueBool()
	err := r.data.client.DeleteVolume(ctx, id, permanent)

	if verda.IsNotFound(err) {
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("SFS not deleted", fmt.Sprintf("Deleting SFS %q (id %s, permanent %t) failed: %s",
			state.Name.ValueString(), id, permanent, err))
		return
	}
	tflog.Info(ctx, "deleted SFS, waiting until it is gone", map[string]any{"id": id, "permanent": permanent})

	if err := waitSFSDeleted(ctx, r.data, id); err != nil {
		resp.Diagnostics.AddError("SFS deletion not confirmed", sfsWaitFailureDetail(state.Name.ValueString(), id, "be deleted", timeout, err))
		return
	}
}

// ImportState accepts a volume id or `name:<name>`. The provider-only
// arguments get their defaults, so that a configuration that leaves them
// unset plans no change after the import.
func (r *sfsResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id, problem := r.importID(ctx, strings.TrimSpace(req.ID))
	if problem != "" {
		resp.Diagnostics.AddError("SFS not imported", problem)
		return
	}

	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("deletion_protection"), true)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("permanent_delete"), false)...)
}

// importID resolves an import ID to a volume id. A non-empty problem
// explains why it cannot.
func (r *sfsResource) importID(ctx context.Context, raw string) (id, problem string) {
	const format = "Use a volume id, such as `tofu import verda_sfs.shared <id>`, or `name:<name>`, such as " +
		"`tofu import verda_sfs.shared name:production-sfs`."
	if raw == "" {
		return "", "The import ID is empty. " + format
	}

	if name, ok := strings.CutPrefix(raw, sfsNamePrefix); ok {
		if name == "" {
			return "", "The import ID \"name:\" has no name after the prefix. " + format
		}
		matches, all, err := sfsFindByName(ctx, r.data, name)
		if err != nil {
			return "", fmt.Sprintf("Looking up the SFS named %q failed: %s", name, err)
		}
		switch len(matches) {
		case 0:
			return "", fmt.Sprintf("No shared filesystem is named %q. Existing shared filesystems: %s.", name, sfsNamesOrNone(all))
		case 1:
			return matches[0].ID, ""
		}
		return "", fmt.Sprintf("%d shared filesystems are named %q (ids %s). Import the one you mean by its id.",
			len(matches), name, strings.Join(sfsVolumeIDs(matches), ", "))
	}

	v, err := r.data.client.GetVolume(ctx, raw)

	if verda.IsNotFound(err) {
		return "", fmt.Sprintf("No volume has the id %q. %s", raw, format)
	}
	if err != nil {
		return "", fmt.Sprintf("Reading volume %q failed: %s", raw, err)
	}
	typeList, err := r.data.volumeTypes(ctx)
	if err != nil {
		return "", fmt.Sprintf("Listing the volume types failed: %s", err)
	}
	if !sfsTypeIsShared(typeList, v.Type) {
		return "", fmt.Sprintf("Volume %q (id %s) has type %q, which is not a shared filesystem type (%s). "+
			"verda_sfs manages only shared filesystems.", v.Name, raw, v.Type, strings.Join(sfsSharedTypeNames(typeList), ", "))
	}
	return raw, ""
}

// sfsResourceModel is the state of a verda_sfs resource.
type sfsResourceModel struct {
	sfsVolumeModel

	DeletionProtection types.Bool     `tfsdk:"deletion_protection"`
	SourceVolumeID     types.String   `tfsdk:"source_volume_id"`
	PermanentDelete    types.Bool     `tfsdk:"permanent_delete"`
	Timeouts           timeouts.Value `tfsdk:"timeouts"`
}
