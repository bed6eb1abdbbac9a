package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/comfyume/terraform-provider-verda/internal/verda"
)

var (
	_ resource.Resource                   = &comfyDeploymentResource{}
	_ resource.ResourceWithConfigure      = &comfyDeploymentResource{}
	_ resource.ResourceWithImportState    = &comfyDeploymentResource{}
	_ resource.ResourceWithModifyPlan     = &comfyDeploymentResource{}
	_ resource.ResourceWithValidateConfig = &comfyDeploymentResource{}
)

// Default operation timeouts; the timeouts block overrides them.
const (
	defaultCreateTimeout = 30 * time.Minute
	defaultUpdateTimeout = 30 * time.Minute
	defaultDeleteTimeout = 10 * time.Minute
)

// NewComfyDeploymentResource returns the verda_comfy_deployment resource.
func NewComfyDeploymentResource() resource.Resource {
	return &comfyDeploymentResource{}
}

type comfyDeploymentResource struct {
	data *providerData
}

func (r *comfyDeploymentResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_comfy_deployment"
}

func (r *comfyDeploymentResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *comfyDeploymentResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan comfyDeploymentModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(diags...)
	spec, diags := specFromModel(ctx, &plan)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	name := plan.Name.ValueString()

	dep, err := r.data.client.CreateDeployment(ctx, spec.createRequest(name))
	r.data.forgetDeployments()

	if err != nil {
		dep, err = r.findCreatedAfterError(ctx, name, spec, err)
	}
	if err != nil {
		resp.Diagnostics.AddError("Deployment not created", fmt.Sprintf("Creating deployment %q failed: %v", name, err))
		return
	}

	// The deployment exists from here on: saving it before the wait means a
	// failed wait leaves a tainted resource, never an orphan.
	applyComputed(&plan, dep)
	(*probeResult)(nil).applyTo(&plan)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !plan.WaitForHealthy.ValueBool() {
		return
	}

	result, err := r.waitAndProbe(ctx, &plan, spec, dep.EndpointBaseURL)
	if err != nil {
		addWaitError(ctx, &resp.Diagnostics, err)
		return
	}
	result.applyTo(&plan)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// findCreatedAfterError looks for the deployment after a create whose
// outcome is unknown (a 5xx or a lost connection after the request was
// sent). It adopts a deployment of that name only if it carries the image
// and GPU just requested, so that an older deployment is never taken over.
func (r *comfyDeploymentResource) findCreatedAfterError(ctx context.Context, name string, spec deploymentSpec, createErr error) (*verda.ContainerDeployment, error) {
	var apiErr *verda.APIError
	if errors.As(createErr, &apiErr) && apiErr.StatusCode < 500 {
		if apiErr.StatusCode == 409 {
			return nil, fmt.Errorf("%w. A deployment of that name already exists: import it with "+
				"`tofu import <address> %s` (or an import block with id = %q), or choose another name.", createErr, name, name)
		}
		return nil, createErr
	}
	// A Ctrl-C or an expired timeout must not stop the look-up, or a
	// deployment that was created would be left out of state.
	lookupCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), diagnosticsBudget)
	defer cancel()
	dep, err := r.data.client.GetDeployment(lookupCtx, name)

	switch {
	case verda.IsNotFound(err):
		return nil, fmt.Errorf("%w. No deployment named %q exists afterwards, so the API did not create it; apply again", createErr, name)
	case err != nil:
		return nil, fmt.Errorf("%w. Looking for the deployment afterwards failed too (%v). If a deployment named %q exists, "+
			"import it with `tofu import <address> %s` before applying again.", createErr, err, name, name)
	case len(dep.Containers) == 0 || dep.Containers[0].Image.Image != spec.Image ||
		dep.Compute.Name != spec.GPUType || dep.Compute.Size != spec.GPUCount:
		return nil, fmt.Errorf("%w. A deployment named %q exists, but not with the requested image and GPU, so it may be an "+
			"older one: import it with `tofu import <address> %s`, or choose another name.", createErr, name, name)
	}
	tflog.Warn(ctx, "the create request failed but the deployment exists, continuing with it",
		map[string]any{"deployment": name, "error": createErr.Error()})
	return dep, nil
}

// waitAndProbe waits for a healthy status, then runs the probe ladder when
// it is enabled. It returns nil results when no probe ran.
func (r *comfyDeploymentResource) waitAndProbe(ctx context.Context, m *comfyDeploymentModel, spec deploymentSpec, endpoint string) (*probeResult, error) {
	settings, diags := probeSettingsFromModel(ctx, m, r.data.client.HasInferenceKey(), spec.GPUType)
	if diags.HasError() {
		return nil, fmt.Errorf("reading health_probe: %v", diags)
	}
	name := m.Name.ValueString()
	if err := newDeploymentWaiter(r.data, name, endpoint, settings.Path).waitHealthy(ctx); err != nil {
		return nil, err
	}
	if !settings.Enabled {
		return nil, nil
	}
	return newComfyProber(r.data, name, endpoint, settings, spec).run(ctx)
}

func (r *comfyDeploymentResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state comfyDeploymentModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := state.Name.ValueString()
	if name == "" {
		name = state.ID.ValueString()
	}

	dep, err := r.findDeployment(ctx, name)
	var scaling *verda.Scaling
	if err == nil {
		scaling, err = r.data.client.GetScaling(ctx, name)
	}

	if verda.IsNotFound(err) {
		resp.Diagnostics.AddWarning("Deployment not found",
			fmt.Sprintf("Deployment %q no longer exists in Verda, so it was removed from the state; the next apply creates it again.", name))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Deployment not read", fmt.Sprintf("Reading deployment %q failed: %v", name, err))
		return
	}
	if len(dep.Containers) > 1 {
		resp.Diagnostics.AddWarning("Extra containers",
			fmt.Sprintf("Deployment %q has %d containers; this resource manages the first one and the next update removes the others.", name, len(dep.Containers)))
	}

	specFromAPI(dep, scaling, priorViewFromModel(ctx, &state)).applyTo(&state)
	applyComputed(&state, dep)
	keepProviderSettings(&state)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// findDeployment reads a deployment through the shared list. It falls back
// to a direct GET when the list fails or lacks the name, because the
// deployment may be newer than the list. A 404 then proves it is gone.
func (r *comfyDeploymentResource) findDeployment(ctx context.Context, name string) (*verda.ContainerDeployment, error) {
	dep, found, err := r.data.listedDeployment(ctx, name)
	if err != nil {
		tflog.Warn(ctx, "listing deployments failed, reading the deployment directly", map[string]any{"deployment": name, "error": err.Error()})
	}
	if found {
		return dep, nil
	}
	return r.data.client.GetDeployment(ctx, name)
}

// keepProviderSettings fills the arguments that exist only in the provider
// with their defaults after an import. Otherwise they keep their values.
func keepProviderSettings(m *comfyDeploymentModel) {
	if m.WaitForHealthy.IsNull() || m.WaitForHealthy.IsUnknown() {
		m.WaitForHealthy = types.BoolValue(true)
	}
	if m.OnFailedUpdate.IsNull() || m.OnFailedUpdate.IsUnknown() {
		m.OnFailedUpdate = types.StringValue(onFailedUpdateRollback)
	}
	if m.HealthProbe.IsUnknown() {
		m.HealthProbe = types.ObjectNull(healthProbeAttrTypes)
	}
	for _, v := range []*types.String{&m.ComfyUIVersion, &m.GPUName} {
		if v.IsUnknown() {
			*v = types.StringNull()
		}
	}
	for _, v := range []*types.Int64{&m.GPUCount, &m.VRAMTotalBytes} {
		if v.IsUnknown() {
			*v = types.Int64Null()
		}
	}
}

func (r *comfyDeploymentResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state comfyDeploymentModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, defaultUpdateTimeout)
	resp.Diagnostics.Append(diags...)
	next, diags := specFromModel(ctx, &plan)
	resp.Diagnostics.Append(diags...)
	prior, diags := specFromModel(ctx, &state)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	opCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	name := state.Name.ValueString()
	changes := diffSpecs(prior, next)
	copyComputed(&plan, &state)

	if !changes.any() {
		r.updateProviderSettings(opCtx, &plan, &state, next, resp)
		return
	}

	err := r.applySpec(opCtx, name, state.ContainerName.ValueString(), prior, next, changes)
	if err != nil {
		r.handleFailedUpdate(ctx, timeout, &plan, &state, prior, next, changes, err, resp)
		return
	}
	(*probeResult)(nil).applyTo(&plan)
	if !plan.WaitForHealthy.ValueBool() {
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		return
	}

	// NOTE: if the API still reports healthy for a moment after the PATCH,
	// the wait ends at once. The probe then catches a changed command line
	// (argv), but not an image change that keeps the command.
	result, err := r.waitAndProbe(opCtx, &plan, next, state.EndpointBaseURL.ValueString())
	if err != nil {
		r.handleFailedUpdate(ctx, timeout, &plan, &state, prior, next, changes, err, resp)
		return
	}
	result.applyTo(&plan)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// updateProviderSettings saves an update that changes only how the provider
// waits and probes. It calls no mutating endpoint. When the probe settings
// changed, it probes once, so new requirements are checked now.
func (r *comfyDeploymentResource) updateProviderSettings(ctx context.Context, plan, state *comfyDeploymentModel, spec deploymentSpec, resp *resource.UpdateResponse) {
	probeChanged := !plan.HealthProbe.Equal(state.HealthProbe) || !plan.WaitForHealthy.Equal(state.WaitForHealthy)
	if !probeChanged {
		resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
		return
	}
	(*probeResult)(nil).applyTo(plan)
	if plan.WaitForHealthy.ValueBool() {
		result, err := r.waitAndProbe(ctx, plan, spec, state.EndpointBaseURL.ValueString())
		if err != nil {
			addWaitError(ctx, &resp.Diagnostics, err)
			return
		}
		result.applyTo(plan)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

// handleFailedUpdate applies on_failed_update after the PATCH, the wait or
// the probe failed. An interrupted update keeps the new configuration
// without waiting, so that Ctrl-C returns at once. A rollback gets a fresh
// timeout of the same length, because the update may have failed by
// running out of its own.
func (r *comfyDeploymentResource) handleFailedUpdate(ctx context.Context, timeout time.Duration, plan, state *comfyDeploymentModel,
	prior, next deploymentSpec, changes specChanges, cause error, resp *resource.UpdateResponse) {
	name := state.Name.ValueString()
	var apiErr *verda.APIError
	if errors.As(cause, &apiErr) && apiErr.StatusCode < 500 {
		// The API rejected the change, so nothing needs undoing.
		resp.Diagnostics.AddError("Deployment not updated", fmt.Sprintf("Updating deployment %q failed: %v", name, cause))
		r.saveLive(ctx, state, resp)
		return
	}

	interrupted := isInterrupted(ctx, cause)
	if interrupted || plan.OnFailedUpdate.ValueString() == onFailedUpdateKeep {
		resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
		summary, action := "Deployment not healthy", "The new configuration was kept (on_failed_update = \"keep\")"
		if interrupted {
			summary, action = "Update interrupted", "The new configuration was sent and is kept in the state, but was not verified"
		}
		resp.Diagnostics.AddError(summary, fmt.Sprintf("%s. %s; apply again after fixing the cause.", cause, action))
		return
	}

	rbCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err := r.rollback(rbCtx, name, state.ContainerName.ValueString(), prior, next, changes, state.EndpointBaseURL.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Rollback failed", fmt.Sprintf("Updating deployment %q failed: %v Rolling back to the previous "+
			"configuration failed too: %v The state now shows the deployment as the API reports it; fix the cause and apply again.", name, cause, err))
		r.saveLive(ctx, state, resp)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
	resp.Diagnostics.AddError("Update rolled back", fmt.Sprintf("Updating deployment %q (%s) failed, so the previous configuration "+
		"was restored and is healthy again; the state keeps it. Cause: %v Fix the cause and apply again, or set on_failed_update = \"keep\" "+
		"to leave a failed configuration in place for debugging.", name, changes, cause))
}

// saveLive reads the deployment and saves what the API reports, for the
// cases where neither the old nor the new configuration is known to be live.
func (r *comfyDeploymentResource) saveLive(ctx context.Context, state *comfyDeploymentModel, resp *resource.UpdateResponse) {
	readCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), diagnosticsBudget)
	defer cancel()
	name := state.Name.ValueString()
	dep, err := r.data.client.GetDeployment(readCtx, name)
	var scaling *verda.Scaling
	if err == nil {
		scaling, err = r.data.client.GetScaling(readCtx, name)
	}

	if err != nil {
		resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
		return
	}
	live := *state
	specFromAPI(dep, scaling, priorViewFromModel(ctx, state)).applyTo(&live)
	applyComputed(&live, dep)
	(*probeResult)(nil).applyTo(&live)
	resp.Diagnostics.Append(resp.State.Set(ctx, &live)...)
}

// copyComputed carries the API-assigned attributes from the state into the
// plan, which holds them as planned by ModifyPlan.
func copyComputed(plan, state *comfyDeploymentModel) {
	plan.ID = state.ID
	plan.ContainerName = state.ContainerName
	plan.EndpointBaseURL = state.EndpointBaseURL
	plan.CreatedAt = state.CreatedAt
}

func (r *comfyDeploymentResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state comfyDeploymentModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	name := state.Name.ValueString()

	// No server-side wait: the provider polls for the 404 itself, within
	// timeouts.delete and cancellable, instead of holding one request open.
	err := r.data.client.DeleteDeployment(ctx, name, 0)
	r.data.forgetDeployments()

	if verda.IsNotFound(err) {
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Deployment not deleted", fmt.Sprintf("Deleting deployment %q failed: %v", name, err))
		return
	}
	if err := waitDeleted(ctx, r.data, name); err != nil {
		resp.Diagnostics.AddError("Deployment not deleted", err.Error())
		return
	}
}

func (r *comfyDeploymentResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !deploymentNameRE.MatchString(req.ID) {
		resp.Diagnostics.AddError("Invalid import ID",
			fmt.Sprintf("The import ID must be the deployment name, such as comfy-h200; got %q.", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
}

// addWaitError reports a failed wait or probe under a stable summary.
func addWaitError(ctx context.Context, diags interface{ AddError(string, string) }, err error) {
	var pe *probeError
	switch {
	case isInterrupted(ctx, err):
		diags.AddError("Wait interrupted", err.Error())
	case errors.As(err, &pe):
		diags.AddError("ComfyUI probe failed", err.Error())
	default:
		diags.AddError("Deployment not healthy", err.Error())
	}
}
