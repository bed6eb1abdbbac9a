package provider

import (
	"context"
	"maps"
	"slices"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/comfyume/terraform-provider-verda/internal/comfy"
	"github.com/comfyume/terraform-provider-verda/internal/verda"
)

// deploymentSpec is the configurable part of a deployment in plain Go
// values. The resource converts a plan or an API response into a spec,
// compares specs to decide what to PATCH, and writes a spec back into the
// model.
type deploymentSpec struct {
	Image      string
	GPUType    string
	GPUCount   int64
	Spot       bool
	Entrypoint []string
	// Command holds the ComfyUI arguments by meaning. CommandLine is the
	// exact container command: built from Entrypoint and Command for a plan,
	// as the API returns it for a read. Comparing CommandLine catches a live
	// command whose flags are equal in meaning but spelled or ordered
	// differently.
	Command             comfy.CommandSpec
	CommandLine         []string
	Port                int64
	SFSMounts           []sfsMountSpec
	ScratchMounts       []string
	SecretMounts        []secretMountSpec
	MemoryMountMB       int64 // 0: no memory mount
	Env                 map[string]string
	SecretEnv           map[string]string
	RegistryCredentials string // "": public image
	Healthcheck         healthcheckSpec
	Scaling             scalingSpec
}

type sfsMountSpec struct {
	VolumeID  string
	MountPath string
}

type secretMountSpec struct {
	SecretName string
	MountPath  string
}

type healthcheckSpec struct {
	Enabled bool
	Path    string
	Port    int64
}

type scalingSpec struct {
	MinReplicas        int64
	MaxReplicas        int64
	QueueLoadThreshold float64
	Concurrency        int64
	QueueMessageTTL    int64
	ScaleUpDelay       int64
	ScaleDownDelay     int64
}

func (s scalingSpec) object() types.Object {
	return types.ObjectValueMust(scalingAttrTypes, map[string]attr.Value{
		"min_replicas":                    types.Int64Value(s.MinReplicas),
		"max_replicas":                    types.Int64Value(s.MaxReplicas),
		"queue_load_threshold":            types.Float64Value(s.QueueLoadThreshold),
		"concurrent_requests_per_replica": types.Int64Value(s.Concurrency),
		"queue_message_ttl_seconds":       types.Int64Value(s.QueueMessageTTL),
		"scale_up_delay_seconds":          types.Int64Value(s.ScaleUpDelay),
		"scale_down_delay_seconds":        types.Int64Value(s.ScaleDownDelay),
	})
}

func (h healthcheckSpec) object() types.Object {
	return types.ObjectValueMust(healthcheckAttrTypes, map[string]attr.Value{
		"enabled": types.BoolValue(h.Enabled),
		"path":    types.StringValue(h.Path),
		"port":    types.Int64Value(h.Port),
	})
}

// specFromModel reads a plan whose configurable attributes are all known.
func specFromModel(ctx context.Context, m *comfyDeploymentModel) (deploymentSpec, diag.Diagnostics) {
	var diags diag.Diagnostics
	s := deploymentSpec{
		Image:               m.Image.ValueString(),
		Spot:                m.Spot.ValueBool(),
		Port:                m.Port.ValueInt64(),
		RegistryCredentials: m.RegistryCredentials.ValueString(),
	}

	var gpu gpuModel
	diags.Append(m.GPU.As(ctx, &gpu, basetypes.ObjectAsOptions{})...)
	s.GPUType, s.GPUCount = gpu.Type.ValueString(), gpu.Count.ValueInt64()

	diags.Append(m.Entrypoint.ElementsAs(ctx, &s.Entrypoint, false)...)
	var extraArgs []string
	diags.Append(m.ExtraArgs.ElementsAs(ctx, &extraArgs, false)...)
	s.Command = comfy.CommandSpec{
		Listen:                m.Listen.ValueString(),
		Port:                  s.Port,
		ExtraModelPathsConfig: m.ExtraModelPathsConfig.ValueString(),
		OutputDirectory:       m.OutputDirectory.ValueString(),
		ExtraArgs:             extraArgs,
	}
	// A state read from the API contains the live command, which may differ
	// from the one the arguments build. A plan contains the built one.
	s.CommandLine = commandLine(s.Entrypoint, s.Command)
	if known(m.Command) {
		diags.Append(m.Command.ElementsAs(ctx, &s.CommandLine, false)...)
	}

	var sfs []sfsMountModel
	diags.Append(m.SFSMounts.ElementsAs(ctx, &sfs, false)...)
	for _, mount := range sfs {
		s.SFSMounts = append(s.SFSMounts, sfsMountSpec{VolumeID: mount.VolumeID.ValueString(), MountPath: mount.MountPath.ValueString()})
	}
	var scratch []scratchMountModel
	diags.Append(m.ScratchMounts.ElementsAs(ctx, &scratch, false)...)
	for _, mount := range scratch {
		s.ScratchMounts = append(s.ScratchMounts, mount.MountPath.ValueString())
	}
	var secrets []secretMountModel
	diags.Append(m.SecretMounts.ElementsAs(ctx, &secrets, false)...)
	for _, mount := range secrets {
		s.SecretMounts = append(s.SecretMounts, secretMountSpec{SecretName: mount.SecretName.ValueString(), MountPath: mount.MountPath.ValueString()})
	}
	if !m.MemoryMount.IsNull() && !m.MemoryMount.IsUnknown() {
		var mem memoryMountModel
		diags.Append(m.MemoryMount.As(ctx, &mem, basetypes.ObjectAsOptions{})...)
		s.MemoryMountMB = mem.SizeInMB.ValueInt64()
	}

	s.Env = map[string]string{}
	diags.Append(m.Env.ElementsAs(ctx, &s.Env, false)...)
	s.SecretEnv = map[string]string{}
	diags.Append(m.SecretEnv.ElementsAs(ctx, &s.SecretEnv, false)...)

	var hc healthcheckModel
	diags.Append(m.Healthcheck.As(ctx, &hc, basetypes.ObjectAsOptions{})...)
	s.Healthcheck = healthcheckSpec{Enabled: hc.Enabled.ValueBool(), Path: hc.Path.ValueString(), Port: hc.Port.ValueInt64()}

	var sc scalingModel
	diags.Append(m.Scaling.As(ctx, &sc, basetypes.ObjectAsOptions{})...)
	s.Scaling = scalingSpec{
		MinReplicas:        sc.MinReplicas.ValueInt64(),
		MaxReplicas:        sc.MaxReplicas.ValueInt64(),
		QueueLoadThreshold: sc.QueueLoadThreshold.ValueFloat64(),
		Concurrency:        sc.Concurrency.ValueInt64(),
		QueueMessageTTL:    sc.QueueMessageTTL.ValueInt64(),
		ScaleUpDelay:       sc.ScaleUpDelay.ValueInt64(),
		ScaleDownDelay:     sc.ScaleDownDelay.ValueInt64(),
	}
	return s, diags
}

func commandLine(entrypoint []string, spec comfy.CommandSpec) []string {
	return append(slices.Clone(entrypoint), spec.Args()...)
}

// applyTo writes the spec into the configurable attributes of m and into
// command.
func (s deploymentSpec) applyTo(m *comfyDeploymentModel) {
	m.Image = types.StringValue(s.Image)
	m.GPU = types.ObjectValueMust(gpuAttrTypes, map[string]attr.Value{
		"type":  types.StringValue(s.GPUType),
		"count": types.Int64Value(s.GPUCount),
	})
	m.Spot = types.BoolValue(s.Spot)
	m.Entrypoint = stringListValue(s.Entrypoint)
	m.Port = types.Int64Value(s.Port)
	m.Listen = types.StringValue(s.Command.Listen)
	m.OutputDirectory = types.StringValue(s.Command.OutputDirectory)
	m.ExtraModelPathsConfig = types.StringNull()
	if s.Command.ExtraModelPathsConfig != "" {
		m.ExtraModelPathsConfig = types.StringValue(s.Command.ExtraModelPathsConfig)
	}
	m.ExtraArgs = stringListValue(s.Command.ExtraArgs)
	m.Command = stringListValue(s.CommandLine)

	sfs := make([]attr.Value, 0, len(s.SFSMounts))
	for _, mount := range s.SFSMounts {
		sfs = append(sfs, types.ObjectValueMust(sfsMountAttrTypes, map[string]attr.Value{
			"volume_id":  types.StringValue(mount.VolumeID),
			"mount_path": types.StringValue(mount.MountPath),
		}))
	}
	m.SFSMounts = types.ListValueMust(types.ObjectType{AttrTypes: sfsMountAttrTypes}, sfs)
	scratch := make([]attr.Value, 0, len(s.ScratchMounts))
	for _, path := range s.ScratchMounts {
		scratch = append(scratch, types.ObjectValueMust(scratchMountAttrTypes, map[string]attr.Value{
			"mount_path": types.StringValue(path),
		}))
	}
	m.ScratchMounts = types.ListValueMust(types.ObjectType{AttrTypes: scratchMountAttrTypes}, scratch)
	secrets := make([]attr.Value, 0, len(s.SecretMounts))
	for _, mount := range s.SecretMounts {
		secrets = append(secrets, types.ObjectValueMust(secretMountAttrTypes, map[string]attr.Value{
			"secret_name": types.StringValue(mount.SecretName),
			"mount_path":  types.StringValue(mount.MountPath),
		}))
	}
	m.SecretMounts = types.ListValueMust(types.ObjectType{AttrTypes: secretMountAttrTypes}, secrets)
	m.MemoryMount = types.ObjectNull(memoryMountAttrTypes)
	if s.MemoryMountMB > 0 {
		m.MemoryMount = types.ObjectValueMust(memoryMountAttrTypes, map[string]attr.Value{
			"size_in_mb": types.Int64Value(s.MemoryMountMB),
		})
	}

	m.Env = stringMapValue(s.Env)
	m.SecretEnv = stringMapValue(s.SecretEnv)
	m.RegistryCredentials = types.StringNull()
	if s.RegistryCredentials != "" {
		m.RegistryCredentials = types.StringValue(s.RegistryCredentials)
	}
	m.Healthcheck = s.Healthcheck.object()
	m.Scaling = s.Scaling.object()
}

func stringMapValue(values map[string]string) types.Map {
	elems := make(map[string]attr.Value, len(values))
	for k, v := range values {
		elems[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, elems)
}

// priorView is the part of the previous state that a read keeps. The order
// of mounts keeps a reordering by the API from showing a diff. The names of
// the variables this resource set let a read ignore variables the API adds.
// Both are empty after an import, and then everything is taken as read.
type priorView struct {
	sfsOrder     []string // mount paths
	scratchOrder []string
	secretOrder  []string
	// managedEnv is nil when the prior state holds no variables yet.
	managedEnv map[string]bool
}

func priorViewFromModel(ctx context.Context, m *comfyDeploymentModel) priorView {
	var p priorView
	if s, diags := specFromModelPartial(ctx, m); !diags.HasError() {
		for _, mount := range s.SFSMounts {
			p.sfsOrder = append(p.sfsOrder, mount.MountPath)
		}
		p.scratchOrder = s.ScratchMounts
		for _, mount := range s.SecretMounts {
			p.secretOrder = append(p.secretOrder, mount.MountPath)
		}
		if s.Env != nil || s.SecretEnv != nil {
			p.managedEnv = map[string]bool{}
			for name := range s.Env {
				p.managedEnv[name] = true
			}
			for name := range s.SecretEnv {
				p.managedEnv[name] = true
			}
		}
	}
	return p
}

// specFromModelPartial reads only the mounts and variables of a state that
// may hold nulls (after an import).
func specFromModelPartial(ctx context.Context, m *comfyDeploymentModel) (deploymentSpec, diag.Diagnostics) {
	var diags diag.Diagnostics
	var s deploymentSpec
	if known(m.SFSMounts) {
		var sfs []sfsMountModel
		diags.Append(m.SFSMounts.ElementsAs(ctx, &sfs, false)...)
		for _, mount := range sfs {
			s.SFSMounts = append(s.SFSMounts, sfsMountSpec{VolumeID: mount.VolumeID.ValueString(), MountPath: mount.MountPath.ValueString()})
		}
	}
	if known(m.ScratchMounts) {
		var scratch []scratchMountModel
		diags.Append(m.ScratchMounts.ElementsAs(ctx, &scratch, false)...)
		for _, mount := range scratch {
			s.ScratchMounts = append(s.ScratchMounts, mount.MountPath.ValueString())
		}
	}
	if known(m.SecretMounts) {
		var secrets []secretMountModel
		diags.Append(m.SecretMounts.ElementsAs(ctx, &secrets, false)...)
		for _, mount := range secrets {
			s.SecretMounts = append(s.SecretMounts, secretMountSpec{SecretName: mount.SecretName.ValueString(), MountPath: mount.MountPath.ValueString()})
		}
	}
	if known(m.Env) {
		s.Env = map[string]string{}
		diags.Append(m.Env.ElementsAs(ctx, &s.Env, false)...)
	}
	if known(m.SecretEnv) {
		s.SecretEnv = map[string]string{}
		diags.Append(m.SecretEnv.ElementsAs(ctx, &s.SecretEnv, false)...)
	}
	return s, diags
}

func known(v attr.Value) bool { return !v.IsNull() && !v.IsUnknown() }

// specFromAPI converts a deployment and its scaling as the API returns them.
// Values the API leaves out read as what the platform does without them:
// no --port means ComfyUI's 8188, no --listen means 127.0.0.1, and a missing
// healthcheck means a disabled one.
func specFromAPI(dep *verda.ContainerDeployment, sc *verda.Scaling, prior priorView) deploymentSpec {
	s := deploymentSpec{
		GPUType:   dep.Compute.Name,
		GPUCount:  dep.Compute.Size,
		Spot:      dep.IsSpot,
		Env:       map[string]string{},
		SecretEnv: map[string]string{},
	}
	if rs := dep.ContainerRegistrySettings; rs != nil && rs.IsPrivate && rs.Credentials != nil {
		s.RegistryCredentials = rs.Credentials.Name
	}
	s.Scaling = scalingFromAPI(sc)

	if len(dep.Containers) == 0 {
		s.Entrypoint = []string{}
		s.Command.Listen = "127.0.0.1"
		s.Port = comfy.DefaultPort
		s.CommandLine = []string{}
		s.Healthcheck = healthcheckSpec{Path: defaultHealthcheckPath, Port: s.Port}
		return s
	}
	c := dep.Containers[0]
	s.Image = c.Image.Image

	var cmd []string
	s.Entrypoint = []string{}
	if eo := c.EntrypointOverrides; eo != nil && eo.Enabled {
		s.Entrypoint = slices.Clone(eo.Entrypoint)
		cmd = eo.Cmd
	}
	s.CommandLine = append(slices.Clone(s.Entrypoint), cmd...)
	s.Command = comfy.SplitArgs(cmd)
	if s.Command.Listen == "" {
		s.Command.Listen = "127.0.0.1"
	}
	if s.Command.ExtraArgs == nil {
		s.Command.ExtraArgs = []string{}
	}
	// The platform routes requests to the exposed port. A --port that
	// differs from it shows up as a difference in command.
	switch {
	case c.ExposedPort > 0:
		s.Port = c.ExposedPort
	case s.Command.Port > 0:
		s.Port = s.Command.Port
	default:
		s.Port = comfy.DefaultPort
	}
	s.Command.Port = s.Port

	s.Healthcheck = healthcheckSpec{Path: defaultHealthcheckPath, Port: s.Port}
	if hc := c.Healthcheck; hc != nil {
		s.Healthcheck.Enabled = hc.Enabled
		if hc.Path != "" {
			s.Healthcheck.Path = hc.Path
		}
		if hc.Port > 0 {
			s.Healthcheck.Port = hc.Port
		}
	}

	for _, e := range c.Env {
		if prior.managedEnv != nil && !prior.managedEnv[e.Name] {
			continue
		}
		if e.Type == verda.EnvSecret {
			s.SecretEnv[e.Name] = e.ValueOrReferenceToSecret
		} else {
			s.Env[e.Name] = e.ValueOrReferenceToSecret
		}
	}

	for _, vm := range c.VolumeMounts {
		switch vm.Type {
		case verda.MountShared:
			s.SFSMounts = append(s.SFSMounts, sfsMountSpec{VolumeID: vm.VolumeID, MountPath: vm.MountPath})
		case verda.MountScratch:
			s.ScratchMounts = append(s.ScratchMounts, vm.MountPath)
		case verda.MountSecret:
			s.SecretMounts = append(s.SecretMounts, secretMountSpec{SecretName: vm.SecretName, MountPath: vm.MountPath})
		case verda.MountMemory:
			s.MemoryMountMB = max(vm.SizeInMB, 1)
		}
	}
	s.SFSMounts = alignByKey(s.SFSMounts, prior.sfsOrder, func(m sfsMountSpec) string { return m.MountPath })
	s.ScratchMounts = alignByKey(s.ScratchMounts, prior.scratchOrder, func(p string) string { return p })
	s.SecretMounts = alignByKey(s.SecretMounts, prior.secretOrder, func(m secretMountSpec) string { return m.MountPath })
	return s
}

// alignByKey sorts items in the order of their keys in order. Items whose
// key is missing from order follow in their original order.
func alignByKey[T any](items []T, order []string, key func(T) string) []T {
	rank := make(map[string]int, len(order))
	for i, k := range order {
		if _, dup := rank[k]; !dup {
			rank[k] = i
		}
	}
	out := slices.Clone(items)
	sort.SliceStable(out, func(i, j int) bool {
		ri, iKnown := rank[key(out[i])]
		rj, jKnown := rank[key(out[j])]
		switch {
		case iKnown && jKnown:
			return ri < rj
		case iKnown != jKnown:
			return iKnown
		}
		return false
	})
	if out == nil {
		out = []T{}
	}
	return out
}

func scalingFromAPI(sc *verda.Scaling) scalingSpec {
	s := scalingSpec{
		MinReplicas:        defaultMinReplicas,
		MaxReplicas:        defaultMaxReplicas,
		QueueLoadThreshold: defaultQueueLoadThreshold,
		Concurrency:        defaultConcurrency,
		QueueMessageTTL:    defaultQueueMessageTTL,
		ScaleUpDelay:       defaultScaleUpDelay,
		ScaleDownDelay:     defaultScaleDownDelay,
	}
	if sc == nil {
		return s
	}
	setInt := func(dst *int64, src *int64) {
		if src != nil {
			*dst = *src
		}
	}
	setInt(&s.MinReplicas, sc.MinReplicaCount)
	setInt(&s.MaxReplicas, sc.MaxReplicaCount)
	setInt(&s.Concurrency, sc.ConcurrentRequestsPerReplica)
	setInt(&s.QueueMessageTTL, sc.QueueMessageTTLSeconds)
	if sc.ScaleUpPolicy != nil {
		setInt(&s.ScaleUpDelay, sc.ScaleUpPolicy.DelaySeconds)
	}
	if sc.ScaleDownPolicy != nil {
		setInt(&s.ScaleDownDelay, sc.ScaleDownPolicy.DelaySeconds)
	}
	if sc.ScalingTriggers != nil && sc.ScalingTriggers.QueueLoad != nil {
		s.QueueLoadThreshold = sc.ScalingTriggers.QueueLoad.Threshold
	}
	return s
}

// container builds the API container. name is empty on create, when the
// API generates it, and the existing name on update.
func (s deploymentSpec) container(name string) verda.Container {
	c := verda.Container{
		Name:        name,
		Image:       verda.Image{Image: s.Image},
		ExposedPort: s.Port,
		Healthcheck: &verda.Healthcheck{Enabled: s.Healthcheck.Enabled, Port: s.Healthcheck.Port, Path: s.Healthcheck.Path},
		EntrypointOverrides: &verda.EntrypointOverrides{
			Enabled:    true,
			Entrypoint: slices.Clone(s.Entrypoint),
			Cmd:        s.Command.Args(),
		},
		Env:          s.envVars(),
		VolumeMounts: s.volumeMounts(),
	}
	return c
}

// envVars lists the variables sorted by name, so that a map's iteration
// order never changes the request.
func (s deploymentSpec) envVars() []verda.EnvVar {
	vars := make([]verda.EnvVar, 0, len(s.Env)+len(s.SecretEnv))
	for _, name := range slices.Sorted(maps.Keys(s.Env)) {
		vars = append(vars, verda.EnvVar{Type: verda.EnvPlain, Name: name, ValueOrReferenceToSecret: s.Env[name]})
	}
	for _, name := range slices.Sorted(maps.Keys(s.SecretEnv)) {
		vars = append(vars, verda.EnvVar{Type: verda.EnvSecret, Name: name, ValueOrReferenceToSecret: s.SecretEnv[name]})
	}
	return vars
}

// volumeMounts lists every mount. An update must send them all, because
// the API replaces the container's mounts as a whole.
func (s deploymentSpec) volumeMounts() []verda.VolumeMount {
	var mounts []verda.VolumeMount
	for _, m := range s.SFSMounts {
		mounts = append(mounts, verda.VolumeMount{Type: verda.MountShared, MountPath: m.MountPath, VolumeID: m.VolumeID})
	}
	for _, p := range s.ScratchMounts {
		mounts = append(mounts, verda.VolumeMount{Type: verda.MountScratch, MountPath: p})
	}
	if s.MemoryMountMB > 0 {
		mounts = append(mounts, verda.VolumeMount{Type: verda.MountMemory, MountPath: memoryMountPath, SizeInMB: s.MemoryMountMB})
	}
	for _, m := range s.SecretMounts {
		mounts = append(mounts, verda.VolumeMount{Type: verda.MountSecret, MountPath: m.MountPath, SecretName: m.SecretName})
	}
	return mounts
}

func (s deploymentSpec) registrySettings() *verda.RegistrySettings {
	if s.RegistryCredentials == "" {
		return &verda.RegistrySettings{IsPrivate: false}
	}
	return &verda.RegistrySettings{IsPrivate: true, Credentials: &verda.RegistryCredentialRef{Name: s.RegistryCredentials}}
}

func (s scalingSpec) request() *verda.Scaling {
	return &verda.Scaling{
		MinReplicaCount:              verda.Int64(s.MinReplicas),
		MaxReplicaCount:              verda.Int64(s.MaxReplicas),
		ScaleDownPolicy:              &verda.ScalingPolicy{DelaySeconds: verda.Int64(s.ScaleDownDelay)},
		ScaleUpPolicy:                &verda.ScalingPolicy{DelaySeconds: verda.Int64(s.ScaleUpDelay)},
		QueueMessageTTLSeconds:       verda.Int64(s.QueueMessageTTL),
		ConcurrentRequestsPerReplica: verda.Int64(s.Concurrency),
		ScalingTriggers:              &verda.ScalingTriggers{QueueLoad: &verda.QueueLoadTrigger{Threshold: s.QueueLoadThreshold}},
	}
}

func (s deploymentSpec) createRequest(name string) verda.CreateDeploymentRequest {
	return verda.CreateDeploymentRequest{
		Name:                      name,
		IsSpot:                    s.Spot,
		Compute:                   verda.Compute{Name: s.GPUType, Size: s.GPUCount},
		ContainerRegistrySettings: s.registrySettings(),
		Scaling:                   s.Scaling.request(),
		Containers:                []verda.Container{s.container("")},
	}
}

// probeSettings is the health_probe block with its defaults resolved.
type probeSettings struct {
	Enabled        bool
	Path           string
	ExpectGPU      string
	RequiredNodes  []string
	RequiredModels map[string][]string
	SmokeTest      bool
}

// probeSettingsFromModel resolves health_probe. enabled defaults to whether
// an inference key is configured, and expect_gpu to the GPU type's device name.
func probeSettingsFromModel(ctx context.Context, m *comfyDeploymentModel, hasInferenceKey bool, gpuType string) (probeSettings, diag.Diagnostics) {
	var diags diag.Diagnostics
	p := probeSettings{Enabled: hasInferenceKey, Path: defaultProbePath, ExpectGPU: comfy.ExpectedGPUName(gpuType)}
	if m.HealthProbe.IsNull() || m.HealthProbe.IsUnknown() {
		return p, diags
	}
	var hp healthProbeModel
	diags.Append(m.HealthProbe.As(ctx, &hp, basetypes.ObjectAsOptions{})...)
	if known(hp.Enabled) {
		p.Enabled = hp.Enabled.ValueBool()
	}
	if known(hp.Path) {
		p.Path = hp.Path.ValueString()
	}
	if known(hp.ExpectGPU) {
		p.ExpectGPU = hp.ExpectGPU.ValueString()
	}
	if known(hp.RequiredNodes) {
		diags.Append(hp.RequiredNodes.ElementsAs(ctx, &p.RequiredNodes, false)...)
	}
	if known(hp.RequiredModels) {
		diags.Append(hp.RequiredModels.ElementsAs(ctx, &p.RequiredModels, false)...)
	}
	p.SmokeTest = hp.SmokeTest.ValueBool()
	return p, diags
}

// probeResult is the outcome of a successful probe.
type probeResult struct {
	ComfyUIVersion string
	GPUName        string
	GPUCount       int64
	VRAMTotal      int64
}

func (p *probeResult) applyTo(m *comfyDeploymentModel) {
	if p == nil {
		m.ComfyUIVersion = types.StringNull()
		m.GPUName = types.StringNull()
		m.GPUCount = types.Int64Null()
		m.VRAMTotalBytes = types.Int64Null()
		return
	}
	m.ComfyUIVersion = types.StringValue(p.ComfyUIVersion)
	m.GPUName = types.StringValue(p.GPUName)
	m.GPUCount = types.Int64Value(p.GPUCount)
	m.VRAMTotalBytes = types.Int64Value(p.VRAMTotal)
}

// applyComputed writes the attributes that only the API sets.
func applyComputed(m *comfyDeploymentModel, dep *verda.ContainerDeployment) {
	m.ID = types.StringValue(dep.Name)
	m.Name = types.StringValue(dep.Name)
	m.EndpointBaseURL = types.StringValue(dep.EndpointBaseURL)
	m.CreatedAt = types.StringValue(dep.CreatedAt)
	m.ContainerName = types.StringValue("")
	if len(dep.Containers) > 0 {
		m.ContainerName = types.StringValue(dep.Containers[0].Name)
	}
}

type comfyDeploymentModel struct {
	ID                    types.String   `tfsdk:"id"`
	Name                  types.String   `tfsdk:"name"`
	Image                 types.String   `tfsdk:"image"`
	GPU                   types.Object   `tfsdk:"gpu"`
	Spot                  types.Bool     `tfsdk:"spot"`
	Entrypoint            types.List     `tfsdk:"entrypoint"`
	Port                  types.Int64    `tfsdk:"port"`
	Listen                types.String   `tfsdk:"listen"`
	OutputDirectory       types.String   `tfsdk:"output_directory"`
	ExtraModelPathsConfig types.String   `tfsdk:"extra_model_paths_config"`
	ExtraArgs             types.List     `tfsdk:"extra_args"`
	Command               types.List     `tfsdk:"command"`
	SFSMounts             types.List     `tfsdk:"sfs_mounts"`
	ScratchMounts         types.List     `tfsdk:"scratch_mounts"`
	SecretMounts          types.List     `tfsdk:"secret_mounts"`
	MemoryMount           types.Object   `tfsdk:"memory_mount"`
	Env                   types.Map      `tfsdk:"env"`
	SecretEnv             types.Map      `tfsdk:"secret_env"`
	RegistryCredentials   types.String   `tfsdk:"registry_credentials"`
	Healthcheck           types.Object   `tfsdk:"healthcheck"`
	Scaling               types.Object   `tfsdk:"scaling"`
	WaitForHealthy        types.Bool     `tfsdk:"wait_for_healthy"`
	HealthProbe           types.Object   `tfsdk:"health_probe"`
	OnFailedUpdate        types.String   `tfsdk:"on_failed_update"`
	EndpointBaseURL       types.String   `tfsdk:"endpoint_base_url"`
	CreatedAt             types.String   `tfsdk:"created_at"`
	ContainerName         types.String   `tfsdk:"container_name"`
	ComfyUIVersion        types.String   `tfsdk:"comfyui_version"`
	GPUName               types.String   `tfsdk:"gpu_name"`
	GPUCount              types.Int64    `tfsdk:"gpu_count"`
	VRAMTotalBytes        types.Int64    `tfsdk:"vram_total_bytes"`
	Timeouts              timeouts.Value `tfsdk:"timeouts"`
}

type gpuModel struct {
	Type  types.String `tfsdk:"type"`
	Count types.Int64  `tfsdk:"count"`
}

type sfsMountModel struct {
	VolumeID  types.String `tfsdk:"volume_id"`
	MountPath types.String `tfsdk:"mount_path"`
}

type scratchMountModel struct {
	MountPath types.String `tfsdk:"mount_path"`
}

type secretMountModel struct {
	SecretName types.String `tfsdk:"secret_name"`
	MountPath  types.String `tfsdk:"mount_path"`
}

type memoryMountModel struct {
	SizeInMB types.Int64 `tfsdk:"size_in_mb"`
}

type healthcheckModel struct {
	Enabled types.Bool   `tfsdk:"enabled"`
	Path    types.String `tfsdk:"path"`
	Port    types.Int64  `tfsdk:"port"`
}

type scalingModel struct {
	MinReplicas        types.Int64   `tfsdk:"min_replicas"`
	MaxReplicas        types.Int64   `tfsdk:"max_replicas"`
	QueueLoadThreshold types.Float64 `tfsdk:"queue_load_threshold"`
	Concurrency        types.Int64   `tfsdk:"concurrent_requests_per_replica"`
	QueueMessageTTL    types.Int64   `tfsdk:"queue_message_ttl_seconds"`
	ScaleUpDelay       types.Int64   `tfsdk:"scale_up_delay_seconds"`
	ScaleDownDelay     types.Int64   `tfsdk:"scale_down_delay_seconds"`
}

type healthProbeModel struct {
	Enabled        types.Bool   `tfsdk:"enabled"`
	Path           types.String `tfsdk:"path"`
	ExpectGPU      types.String `tfsdk:"expect_gpu"`
	RequiredNodes  types.List   `tfsdk:"required_nodes"`
	RequiredModels types.Map    `tfsdk:"required_models"`
	SmokeTest      types.Bool   `tfsdk:"smoke_test"`
}
