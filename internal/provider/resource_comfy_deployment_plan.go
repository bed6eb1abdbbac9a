package provider

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/comfyume/terraform-provider-verda/internal/comfy"
	"github.com/comfyume/terraform-provider-verda/internal/verda"
)

// imageReferenceValidator rejects images without a tag or digest and the
// `latest` tag, as the Verda API does, so the mistake fails at plan time.
type imageReferenceValidator struct{}

func (imageReferenceValidator) Description(context.Context) string {
	return "must carry a tag other than latest, or a digest"
}

func (v imageReferenceValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (imageReferenceValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if problem := imageReferenceProblem(req.ConfigValue.ValueString()); problem != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid image", problem)
	}
}

// imageReferenceProblem explains what is wrong with an image reference, or
// returns "". A colon in the registry host (localhost:5000/comfyui) is not a tag.
func imageReferenceProblem(image string) string {
	if strings.TrimSpace(image) != image || image == "" || strings.ContainsAny(image, " \t\n") {
		return fmt.Sprintf("The image %q must not be empty or contain spaces.", image)
	}
	if strings.Contains(image, "@") {
		return ""
	}
	lastSegment := image[strings.LastIndex(image, "/")+1:]
	_, tag, hasTag := strings.Cut(lastSegment, ":")
	switch {
	case !hasTag || tag == "":
		return fmt.Sprintf("The image %q has no tag. Pin a version, such as %s:0.3.64, or a digest (@sha256:…), "+
			"so that every replica runs the same build and an update is a visible change.", image, image)
	case tag == "latest":
		return fmt.Sprintf("The image %q uses the latest tag, which the Verda API rejects and which hides which version runs. "+
			"Pin a version tag or a digest instead.", image)
	}
	return ""
}

// modelFolderValidator rejects the health_probe.required_models keys that
// ComfyUI's /models/<folder> endpoint returns 404 for: a path instead of a
// folder name, and the legacy names that ComfyUI 0.3 files under newer
// folders. Other names pass, because extra_model_paths.yaml and custom nodes
// add folders of any name.
type modelFolderValidator struct{}

// legacyModelFolders maps the legacy folder names to the folders ComfyUI
// lists their models under.
var legacyModelFolders = map[string]string{"clip": "text_encoders", "unet": "diffusion_models"}

func (modelFolderValidator) Description(context.Context) string {
	return "must be a ComfyUI model folder name, such as checkpoints"
}

func (v modelFolderValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (modelFolderValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if !known(req.ConfigValue) {
		return
	}
	folder := req.ConfigValue.ValueString()
	if folder == "" || strings.ContainsAny(folder, `/\ `) {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid model folder",
			fmt.Sprintf("health_probe.required_models has the key %q, which is not a ComfyUI model folder name. "+
				"Use the folder name only, such as checkpoints, loras or vae, not a path.", folder))
		return
	}
	if current, ok := legacyModelFolders[folder]; ok {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid model folder",
			fmt.Sprintf("health_probe.required_models has the key %q, a legacy folder name that ComfyUI lists under %s, "+
				"so /models/%s answers 404. Use %s as the key.", folder, current, folder, current))
	}
}

// ValidateConfig checks rules that involve several attributes and need no API.
func (r *comfyDeploymentResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg comfyDeploymentModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}

	validateExtraArgs(ctx, &cfg, &resp.Diagnostics)
	validateEnvNames(ctx, &cfg, &resp.Diagnostics)
	validateMountPaths(ctx, &cfg, &resp.Diagnostics)
	validateOutputDirectory(ctx, &cfg, &resp.Diagnostics)
	validateScaling(ctx, &cfg, &resp.Diagnostics)
	validateListenAndHealthcheck(ctx, &cfg, &resp.Diagnostics)
}

func validateExtraArgs(ctx context.Context, cfg *comfyDeploymentModel, diags *diag.Diagnostics) {
	if !known(cfg.ExtraArgs) {
		return
	}
	for i, elem := range cfg.ExtraArgs.Elements() {
		s, ok := elem.(types.String)
		if !ok || !known(s) {
			continue
		}
		// The managed flags come first, and --extra-model-paths-config takes
		// one or more values, so a leading bare value would become its value
		// or an unrecognized argument that stops ComfyUI from starting.
		if v := s.ValueString(); v == "-" || v == "--" {
			diags.AddAttributeError(path.Root("extra_args").AtListIndex(i), "Invalid extra_args",
				fmt.Sprintf("extra_args[%d] is %q, which ComfyUI does not accept: it takes no positional arguments. Remove it.", i, v))
			continue
		}
		// ComfyUI defines only long options (and -h).
		if i == 0 && !strings.HasPrefix(s.ValueString(), "--") {
			diags.AddAttributeError(path.Root("extra_args").AtListIndex(0), "Invalid extra_args",
				fmt.Sprintf("extra_args[0] is %q, but extra_args must start with a long option (starting with \"--\"), because a bare value "+
					"there would be read as a value of the preceding flag. Put each flag before its value, such as "+
					"[\"--preview-method\", \"auto\"].", s.ValueString()))
		}
		if flag := comfy.ManagedFlagIn(s.ValueString()); flag != "" {
			diags.AddAttributeError(path.Root("extra_args").AtListIndex(i), "Managed flag in extra_args",
				fmt.Sprintf("extra_args[%d] is %q, which sets %s. This resource builds that flag itself: set the %s argument instead.",
					i, s.ValueString(), flag, argumentForFlag(flag)))
		}
	}
}

func argumentForFlag(flag string) string {
	switch flag {
	case comfy.FlagListen:
		return "listen"
	case comfy.FlagPort:
		return "port"
	case comfy.FlagExtraModelPathsConfig:
		return "extra_model_paths_config"
	case comfy.FlagOutputDirectory:
		return "output_directory"
	}
	return flag
}

func validateEnvNames(ctx context.Context, cfg *comfyDeploymentModel, diags *diag.Diagnostics) {
	if !known(cfg.Env) || !known(cfg.SecretEnv) {
		return
	}
	plain := cfg.Env.Elements()
	for name := range cfg.SecretEnv.Elements() {
		if _, dup := plain[name]; dup {
			diags.AddAttributeError(path.Root("secret_env").AtMapKey(name), "Variable set twice",
				fmt.Sprintf("The variable %s is in both env and secret_env. Keep it in secret_env if its value is a secret, otherwise in env.", name))
		}
	}
}

// configuredMountPaths lists the mount paths of the configuration, with the
// attribute each comes from; ok is false while any of them is unknown.
func configuredMountPaths(ctx context.Context, cfg *comfyDeploymentModel) (paths []mountPathRef, ok bool) {
	ok = true
	collect := func(list types.List, attrName, fallback string, shared bool) {
		if list.IsUnknown() {
			ok = false
			return
		}
		for i, elem := range list.Elements() {
			obj, isObj := elem.(types.Object)
			if !isObj || obj.IsUnknown() {
				ok = false
				continue
			}
			at := path.Root(attrName).AtListIndex(i).AtName("mount_path")
			v, _ := obj.Attributes()["mount_path"].(types.String)
			switch {
			case v.IsUnknown():
				ok = false
			case v.IsNull():
				paths = append(paths, mountPathRef{path: fallback, attr: at, shared: shared})
			default:
				paths = append(paths, mountPathRef{path: v.ValueString(), attr: at, shared: shared})
			}
		}
	}
	collect(cfg.SFSMounts, "sfs_mounts", defaultSFSMountPath, true)
	collect(cfg.ScratchMounts, "scratch_mounts", "", false)
	collect(cfg.SecretMounts, "secret_mounts", "", false)
	if cfg.MemoryMount.IsUnknown() {
		ok = false
	} else if !cfg.MemoryMount.IsNull() {
		paths = append(paths, mountPathRef{path: memoryMountPath, attr: path.Root("memory_mount")})
	}
	return paths, ok
}

type mountPathRef struct {
	path   string
	attr   path.Path
	shared bool
}

func validateMountPaths(ctx context.Context, cfg *comfyDeploymentModel, diags *diag.Diagnostics) {
	paths, _ := configuredMountPaths(ctx, cfg)
	seen := map[string]path.Path{}
	for _, p := range paths {
		clean := strings.TrimRight(p.path, "/")
		if first, dup := seen[clean]; dup {
			diags.AddAttributeError(p.attr, "Mount path used twice",
				fmt.Sprintf("%s is mounted twice (also at %s). Give each mount its own path.", p.path, first))
			continue
		}
		seen[clean] = p.attr
	}
}

func validateOutputDirectory(ctx context.Context, cfg *comfyDeploymentModel, diags *diag.Diagnostics) {
	if cfg.OutputDirectory.IsUnknown() {
		return
	}
	outputDir := defaultComfyOutputDirectory
	if !cfg.OutputDirectory.IsNull() {
		outputDir = cfg.OutputDirectory.ValueString()
	}

	if smokeTestRequested(ctx, cfg) && outputDir == "" {
		diags.AddAttributeError(path.Root("health_probe").AtName("smoke_test"), "Smoke test needs an output directory",
			"health_probe.smoke_test checks that ComfyUI saves its output under output_directory, but output_directory is empty. "+
				"Set output_directory to a path inside one of sfs_mounts, or turn the smoke test off.")
	}
	if outputDir == "" {
		return
	}

	paths, ok := configuredMountPaths(ctx, cfg)
	if !ok {
		return
	}
	var sfsPaths []string
	for _, p := range paths {
		if p.shared && comfy.PathInside(outputDir, p.path) {
			return
		}
		if p.shared {
			sfsPaths = append(sfsPaths, p.path)
		}
	}
	detail := fmt.Sprintf("output_directory is %s, which is not inside any SFS mount, so outputs would be lost with the replica. ", outputDir)
	if len(sfsPaths) == 0 {
		detail += "Add an SFS mount, such as sfs_mounts = [{ volume_id = verda_sfs.models.id }] (mounted at " + defaultSFSMountPath + "), "
	} else {
		detail += fmt.Sprintf("The SFS mounts are at %s. Move output_directory below one of them, ", strings.Join(sfsPaths, ", "))
	}
	detail += "or set output_directory = \"\" to leave --output-directory out deliberately."
	diags.AddAttributeError(path.Root("output_directory"), "Output directory not on a shared filesystem", detail)
}

func smokeTestRequested(ctx context.Context, cfg *comfyDeploymentModel) bool {
	if !known(cfg.HealthProbe) {
		return false
	}
	v, _ := cfg.HealthProbe.Attributes()["smoke_test"].(types.Bool)
	return v.ValueBool()
}

func validateScaling(ctx context.Context, cfg *comfyDeploymentModel, diags *diag.Diagnostics) {
	if !known(cfg.Scaling) {
		return
	}
	attrs := cfg.Scaling.Attributes()
	minV, _ := attrs["min_replicas"].(types.Int64)
	maxV, _ := attrs["max_replicas"].(types.Int64)
	minReplicas, maxReplicas := int64(defaultMinReplicas), int64(defaultMaxReplicas)
	if minV.IsUnknown() || maxV.IsUnknown() {
		return
	}
	if !minV.IsNull() {
		minReplicas = minV.ValueInt64()
	}
	if !maxV.IsNull() {
		maxReplicas = maxV.ValueInt64()
	}
	if minReplicas > maxReplicas {
		diags.AddAttributeError(path.Root("scaling").AtName("max_replicas"), "Invalid replica range",
			fmt.Sprintf("scaling.min_replicas (%d) is greater than scaling.max_replicas (%d). Raise max_replicas or lower min_replicas.", minReplicas, maxReplicas))
	}
}

func validateListenAndHealthcheck(ctx context.Context, cfg *comfyDeploymentModel, diags *diag.Diagnostics) {
	if known(cfg.Listen) {
		args := comfy.ParseArgs([]string{comfy.FlagListen, cfg.Listen.ValueString()})
		if !args.ListensOnAllInterfaces() {
			diags.AddAttributeWarning(path.Root("listen"), "ComfyUI not reachable",
				fmt.Sprintf("listen is %q, so ComfyUI accepts connections only on those addresses. The platform health check "+
					"and the endpoint connect from outside the container; use %q unless the image adds a proxy.", cfg.Listen.ValueString(), defaultComfyListen))
		}
	}
	if !known(cfg.Healthcheck) || cfg.Port.IsUnknown() {
		return
	}
	hcPort, _ := cfg.Healthcheck.Attributes()["port"].(types.Int64)
	port := int64(comfy.DefaultPort)
	if !cfg.Port.IsNull() {
		port = cfg.Port.ValueInt64()
	}
	if known(hcPort) && hcPort.ValueInt64() != port {
		diags.AddAttributeWarning(path.Root("healthcheck").AtName("port"), "Health check on another port",
			fmt.Sprintf("healthcheck.port is %d but ComfyUI listens on port %d, so the platform health check fails unless "+
				"the image serves that port too. Leave healthcheck.port unset to check port.", hcPort.ValueInt64(), port))
	}
}

// ModifyPlan fills the values that depend on other attributes: command and
// the healthcheck defaults. It keeps the computed values that an update does
// not change. When the API is reachable, it also checks the GPU type and the
// referenced secrets, registry credentials and volumes before anything is
// created.
func (r *comfyDeploymentResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan, cfg comfyDeploymentModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var state *comfyDeploymentModel
	if !req.State.Raw.IsNull() {
		state = &comfyDeploymentModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}

	planHealthcheck(ctx, &plan, &cfg, &resp.Diagnostics)
	plan.Command = plannedCommand(ctx, &plan)
	r.planComputed(ctx, &plan, state)
	if r.data != nil {
		r.checkReferences(ctx, &plan, state, &resp.Diagnostics)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// planHealthcheck applies the healthcheck defaults that depend on port: an
// unset block or port follows port. An unset value is planned from the
// configuration every time, so a live value that drifted is corrected.
func planHealthcheck(ctx context.Context, plan, cfg *comfyDeploymentModel, diags *diag.Diagnostics) {
	port := types.Int64Unknown()
	if !plan.Port.IsUnknown() {
		port = plan.Port
	}
	if cfg.Healthcheck.IsNull() {
		plan.Healthcheck = types.ObjectValueMust(healthcheckAttrTypes, map[string]attr.Value{
			"enabled": types.BoolValue(true),
			"path":    types.StringValue(defaultHealthcheckPath),
			"port":    port,
		})
		return
	}
	if plan.Healthcheck.IsUnknown() || cfg.Healthcheck.IsUnknown() {
		return
	}
	var planned, configured healthcheckModel
	diags.Append(plan.Healthcheck.As(ctx, &planned, basetypes.ObjectAsOptions{UnhandledUnknownAsEmpty: true})...)
	diags.Append(cfg.Healthcheck.As(ctx, &configured, basetypes.ObjectAsOptions{UnhandledUnknownAsEmpty: true})...)
	if configured.Port.IsNull() {
		planned.Port = port
	}
	obj, d := types.ObjectValueFrom(ctx, healthcheckAttrTypes, planned)
	diags.Append(d...)
	plan.Healthcheck = obj
}

// plannedCommand builds the command from the planned arguments, or returns
// unknown while any of them is unknown.
func plannedCommand(ctx context.Context, plan *comfyDeploymentModel) types.List {
	unknown := types.ListUnknown(types.StringType)
	for _, v := range []attr.Value{plan.Entrypoint, plan.ExtraArgs, plan.Listen, plan.Port, plan.OutputDirectory} {
		if !known(v) {
			return unknown
		}
	}
	if plan.ExtraModelPathsConfig.IsUnknown() {
		return unknown
	}
	for _, elem := range append(plan.Entrypoint.Elements(), plan.ExtraArgs.Elements()...) {
		if elem.IsUnknown() {
			return unknown
		}
	}
	var entrypoint, extra []string
	plan.Entrypoint.ElementsAs(ctx, &entrypoint, false)
	plan.ExtraArgs.ElementsAs(ctx, &extra, false)
	spec := comfy.CommandSpec{
		Listen:                plan.Listen.ValueString(),
		Port:                  plan.Port.ValueInt64(),
		ExtraModelPathsConfig: plan.ExtraModelPathsConfig.ValueString(),
		OutputDirectory:       plan.OutputDirectory.ValueString(),
		ExtraArgs:             extra,
	}
	return stringListValue(commandLine(entrypoint, spec))
}

// specAttributes returns the attributes that describe the deployment itself,
// as opposed to how the provider waits and probes.
func specAttributes(m *comfyDeploymentModel) []attr.Value {
	return []attr.Value{
		m.Image, m.GPU, m.Spot, m.Entrypoint, m.Port, m.Listen, m.OutputDirectory, m.ExtraModelPathsConfig,
		m.ExtraArgs, m.Command, m.SFSMounts, m.ScratchMounts, m.SecretMounts, m.MemoryMount, m.Env, m.SecretEnv,
		m.RegistryCredentials, m.Healthcheck, m.Scaling,
	}
}

func specChangedInPlan(plan, state *comfyDeploymentModel) bool {
	planned, prior := specAttributes(plan), specAttributes(state)
	for i := range planned {
		if planned[i].IsUnknown() || !planned[i].Equal(prior[i]) {
			return true
		}
	}
	return false
}

// planComputed plans the computed attributes: the API-assigned ones keep
// their state values on update, and the probe results are unknown when a
// probe will run, null when none will, and kept when nothing changes.
func (r *comfyDeploymentResource) planComputed(ctx context.Context, plan, state *comfyDeploymentModel) {
	if state == nil {
		plan.ID = plan.Name
	} else {
		plan.ID = state.ID
		plan.ContainerName = state.ContainerName
		plan.EndpointBaseURL = state.EndpointBaseURL
		plan.CreatedAt = state.CreatedAt
	}

	willProbe, decided := r.probeWillRun(ctx, plan)
	switch {
	case state != nil && !specChangedInPlan(plan, state) &&
		plan.HealthProbe.Equal(state.HealthProbe) && plan.WaitForHealthy.Equal(state.WaitForHealthy):
		plan.ComfyUIVersion, plan.GPUName = state.ComfyUIVersion, state.GPUName
		plan.GPUCount, plan.VRAMTotalBytes = state.GPUCount, state.VRAMTotalBytes
	case willProbe || !decided:
		plan.ComfyUIVersion, plan.GPUName = types.StringUnknown(), types.StringUnknown()
		plan.GPUCount, plan.VRAMTotalBytes = types.Int64Unknown(), types.Int64Unknown()
	default:
		(*probeResult)(nil).applyTo(plan)
	}
}

// probeWillRun reports whether create or update will probe ComfyUI; decided
// is false when the plan cannot tell yet.
func (r *comfyDeploymentResource) probeWillRun(ctx context.Context, plan *comfyDeploymentModel) (willProbe, decided bool) {
	if plan.WaitForHealthy.IsUnknown() || plan.HealthProbe.IsUnknown() {
		return false, false
	}
	if !plan.WaitForHealthy.ValueBool() {
		return false, true
	}
	if known(plan.HealthProbe) {
		if enabled, _ := plan.HealthProbe.Attributes()["enabled"].(types.Bool); !enabled.IsNull() {
			return enabled.ValueBool(), !enabled.IsUnknown()
		}
	}
	if r.data == nil {
		return false, false
	}
	return r.data.client.HasInferenceKey(), true
}

// checkReferences checks with the API that the objects the plan refers to
// exist. It runs only for values that are new in this plan, so a plan
// without changes makes no extra request. An unreachable API turns a check
// into a warning, and the create or update itself reports the problem.
func (r *comfyDeploymentResource) checkReferences(ctx context.Context, plan, state *comfyDeploymentModel, diags *diag.Diagnostics) {
	isNew := func(get func(*comfyDeploymentModel) attr.Value) bool {
		return state == nil || !get(plan).Equal(get(state))
	}

	if known(plan.HealthProbe) {
		if enabled, _ := plan.HealthProbe.Attributes()["enabled"].(types.Bool); enabled.ValueBool() && !r.data.client.HasInferenceKey() {
			diags.AddAttributeError(path.Root("health_probe").AtName("enabled"), "No inference API key",
				"health_probe.enabled is true, but the provider has no inference API key to call the endpoint with. "+
					"Set inference_api_key in the provider block or VERDA_INFERENCE_API_KEY, or set health_probe.enabled = false.")
		}
	}
	if isNew(func(m *comfyDeploymentModel) attr.Value { return m.GPU }) {
		r.checkGPU(ctx, plan, diags)
	}
	if isNew(func(m *comfyDeploymentModel) attr.Value { return m.SecretEnv }) {
		r.checkSecrets(ctx, plan, diags)
	}
	if isNew(func(m *comfyDeploymentModel) attr.Value { return m.RegistryCredentials }) {
		r.checkRegistryCredentials(ctx, plan, diags)
	}
	if isNew(func(m *comfyDeploymentModel) attr.Value { return m.SecretMounts }) {
		r.checkFileSecrets(ctx, plan, diags)
	}
	if isNew(func(m *comfyDeploymentModel) attr.Value { return m.SFSMounts }) {
		r.checkVolumes(ctx, plan, state, diags)
	}
}

func (r *comfyDeploymentResource) checkGPU(ctx context.Context, plan *comfyDeploymentModel, diags *diag.Diagnostics) {
	if !known(plan.GPU) {
		return
	}
	gpuType, _ := plan.GPU.Attributes()["type"].(types.String)
	gpuCount, _ := plan.GPU.Attributes()["count"].(types.Int64)
	if !known(gpuType) || !known(gpuCount) {
		return
	}
	resources, err := r.data.computeResources(ctx)

	if err != nil {
		diags.AddWarning("GPU type not checked", "Listing the serverless compute resources to check gpu.type failed: "+err.Error())
		return
	}
	var names []string
	var sizes []int64
	available := false
	for _, res := range resources {
		if !slices.Contains(names, res.Name) {
			names = append(names, res.Name)
		}
		if res.Name == gpuType.ValueString() {
			sizes = append(sizes, res.Size)
			if res.Size == gpuCount.ValueInt64() {
				available = res.IsAvailable
			}
		}
	}
	sort.Strings(names)
	slices.Sort(sizes)
	switch {
	case len(sizes) == 0:
		diags.AddAttributeError(path.Root("gpu").AtName("type"), "Unknown GPU type",
			fmt.Sprintf("gpu.type %q is not a Verda serverless compute resource. The API offers: %s. Set gpu.type to one of them; "+
				"the verda_compute_resources data source lists them with their sizes.", gpuType.ValueString(), strings.Join(names, ", ")))
	case !slices.Contains(sizes, gpuCount.ValueInt64()):
		diags.AddAttributeError(path.Root("gpu").AtName("count"), "GPU count not offered",
			fmt.Sprintf("gpu.count %d is not offered for %s; the API offers %s GPUs per replica. Set gpu.count to one of these sizes.",
				gpuCount.ValueInt64(), gpuType.ValueString(), joinInts(sizes)))
	case !available:
		diags.AddAttributeWarning(path.Root("gpu").AtName("type"), "GPU type not available now",
			fmt.Sprintf("%d × %s is not available at the moment, so the deployment may end in status quota_reached. "+
				"Consider another gpu.type, or retry later.", gpuCount.ValueInt64(), gpuType.ValueString()))
	}
}

func joinInts(values []int64) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, ", ")
}

func (r *comfyDeploymentResource) checkSecrets(ctx context.Context, plan *comfyDeploymentModel, diags *diag.Diagnostics) {
	if !known(plan.SecretEnv) || len(plan.SecretEnv.Elements()) == 0 {
		return
	}
	names, err := r.data.secretNames(ctx)

	if err != nil {
		diags.AddWarning("Secrets not checked", "Listing the Verda secrets to check secret_env failed: "+err.Error())
		return
	}
	for variable, elem := range plan.SecretEnv.Elements() {
		secret, _ := elem.(types.String)
		if known(secret) && !names[secret.ValueString()] {
			diags.AddAttributeError(path.Root("secret_env").AtMapKey(variable), "Secret not found",
				fmt.Sprintf("secret_env.%s refers to the secret %q, which does not exist in this Verda account. "+
					"Create it first (Verda console or API), or fix the name.", variable, secret.ValueString()))
		}
	}
}

func (r *comfyDeploymentResource) checkRegistryCredentials(ctx context.Context, plan *comfyDeploymentModel, diags *diag.Diagnostics) {
	if !known(plan.RegistryCredentials) {
		return
	}
	names, err := r.data.registryCredentialNames(ctx)

	if err != nil {
		diags.AddWarning("Registry credentials not checked", "Listing the container registry credentials failed: "+err.Error())
		return
	}
	if !names[plan.RegistryCredentials.ValueString()] {
		diags.AddAttributeError(path.Root("registry_credentials"), "Registry credentials not found",
			fmt.Sprintf("registry_credentials is %q, but no container registry credentials of that name exist in this Verda account. "+
				"Create them first, or fix the name.", plan.RegistryCredentials.ValueString()))
	}
}

// checkFileSecrets checks that the file secrets of secret_mounts exist,
// because the API rejects a create or update that mounts a missing one.
func (r *comfyDeploymentResource) checkFileSecrets(ctx context.Context, plan *comfyDeploymentModel, diags *diag.Diagnostics) {
	if !known(plan.SecretMounts) || len(plan.SecretMounts.Elements()) == 0 {
		return
	}
	secrets, err := r.data.client.ListFileSecrets(ctx)

	if err != nil {
		diags.AddWarning("File secrets not checked", "Listing the Verda file secrets to check secret_mounts failed: "+err.Error())
		return
	}
	names := make(map[string]bool, len(secrets))
	for _, s := range secrets {
		names[s.Name] = true
	}
	for i, elem := range plan.SecretMounts.Elements() {
		obj, ok := elem.(types.Object)
		if !ok || !known(obj) {
			continue
		}
		name, _ := obj.Attributes()["secret_name"].(types.String)
		if known(name) && !names[name.ValueString()] {
			diags.AddAttributeError(path.Root("secret_mounts").AtListIndex(i).AtName("secret_name"), "File secret not found",
				fmt.Sprintf("secret_mounts[%d].secret_name refers to the file secret %q, which does not exist in this Verda account. "+
					"Create it first (Verda console or API), or fix the name.", i, name.ValueString()))
		}
	}
}

// checkVolumes checks that each newly mounted volume exists and is a shared
// filesystem; volumes already mounted in the state are not read again.
func (r *comfyDeploymentResource) checkVolumes(ctx context.Context, plan, state *comfyDeploymentModel, diags *diag.Diagnostics) {
	if !known(plan.SFSMounts) {
		return
	}
	mounted := map[string]bool{}
	if state != nil && known(state.SFSMounts) {
		for _, elem := range state.SFSMounts.Elements() {
			if obj, ok := elem.(types.Object); ok {
				if id, ok := obj.Attributes()["volume_id"].(types.String); ok {
					mounted[id.ValueString()] = true
				}
			}
		}
	}
	for i, elem := range plan.SFSMounts.Elements() {
		obj, ok := elem.(types.Object)
		if !ok || !known(obj) {
			continue
		}
		id, _ := obj.Attributes()["volume_id"].(types.String)
		if !known(id) || mounted[id.ValueString()] {
			continue
		}
		r.checkVolume(ctx, id.ValueString(), path.Root("sfs_mounts").AtListIndex(i).AtName("volume_id"), diags)
	}
}

func (r *comfyDeploymentResource) checkVolume(ctx context.Context, id string, at path.Path, diags *diag.Diagnostics) {
	vol, err := r.data.client.GetVolume(ctx, id)

	if verda.IsNotFound(err) {
		diags.AddAttributeError(at, "Volume not found",
			fmt.Sprintf("%s: the volume %q does not exist (or is in the trash). Set it to the id of an existing shared filesystem, such as verda_sfs.models.id.", at, id))
		return
	}
	if err != nil {
		diags.AddAttributeWarning(at, "Volume not checked", "Reading the volume to check the SFS mount failed: "+err.Error())
		return
	}
	volumeTypes, err := r.data.volumeTypes(ctx)

	if err != nil {
		diags.AddAttributeWarning(at, "Volume type not checked", "Listing the volume types failed: "+err.Error())
		return
	}
	for _, vt := range volumeTypes {
		if vt.Type == vol.Type && !vt.IsSharedFS {
			diags.AddAttributeError(at, "Volume is not a shared filesystem",
				fmt.Sprintf("The volume %q (%s) has type %s, which is not a shared filesystem, so a container cannot mount it. "+
					"Use a volume of a shared type such as NVMe_Shared.", vol.Name, id, vol.Type))
			return
		}
	}
}
