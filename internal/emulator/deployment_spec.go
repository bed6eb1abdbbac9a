package emulator

import (
	"fmt"
	"path"
	"slices"
	"strings"
)

// This file converts deployment request bodies to state and checks them against the API's rules.

// ---- request conversion ----

// deploymentFromCreateRequest converts a create body to state, checking what only the wire form can show
// (absent fields). validateDeployment checks the rest.
func deploymentFromCreateRequest(req *wireDeploymentRequest) (*deployment, *apiError) {
	if req.Name == nil {
		return nil, nullOrUndefined("name")
	}
	if err := validateName("name", *req.Name); err != nil {
		return nil, err
	}
	if req.Compute == nil {
		return nil, nullOrUndefined("compute")
	}
	if req.Containers == nil {
		return nil, nullOrUndefined("containers")
	}
	d := &deployment{Name: *req.Name, Scaling: defaultScaling()}
	if err := applyDeploymentFields(d, req); err != nil {
		return nil, err
	}
	containers, err := containersFromWire(req.Containers, false)
	if err != nil {
		return nil, err
	}
	d.Containers = containers
	return d, nil
}

// applyDeploymentFields copies the optional top-level fields present in req onto d.
func applyDeploymentFields(d *deployment, req *wireDeploymentRequest) *apiError {
	if req.IsSpot != nil {
		d.IsSpot = *req.IsSpot
	}
	if req.Compute != nil {
		if req.Compute.Name == nil {
			return nullOrUndefined("compute.name")
		}
		if req.Compute.Size == nil {
			return nullOrUndefined("compute.size")
		}
		d.Compute = computeSpec{Name: *req.Compute.Name, Size: int(*req.Compute.Size)}
	}
	if req.ContainerRegistrySettings != nil {
		settings := registrySettings{}
		if req.ContainerRegistrySettings.IsPrivate != nil {
			settings.IsPrivate = *req.ContainerRegistrySettings.IsPrivate
		}
		if creds := req.ContainerRegistrySettings.Credentials; creds != nil {
			if creds.Name == nil {
				return nullOrUndefined("container_registry_settings.credentials.name")
			}
			settings.Credentials = &credentialsRef{Name: *creds.Name}
		}
		d.Registry = settings
	}
	if req.Scaling != nil {
		d.Scaling = mergeScaling(d.Scaling, req.Scaling)
	}
	return nil
}

func containersFromWire(items []*wireContainerRequest, requireName bool) ([]*container, *apiError) {
	out := make([]*container, 0, len(items))
	for i, item := range items {
		c, err := containerFromWire(i, item, requireName)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func containerFromWire(i int, item *wireContainerRequest, requireName bool) (*container, *apiError) {
	prefix := fmt.Sprintf("containers.%d", i)
	if item == nil {
		return nil, nullOrUndefined(prefix)
	}
	if item.Image == nil {
		return nil, nullOrUndefined(prefix + ".image")
	}
	if item.ExposedPort == nil {
		return nil, nullOrUndefined(prefix + ".exposed_port")
	}
	c := &container{Image: item.Image.Value, ExposedPort: *item.ExposedPort}
	switch {
	case item.Name != nil && *item.Name != "":
		c.Name = *item.Name
	case requireName:
		return nil, nullOrUndefined(prefix + ".name")
	default:
		c.Name = generatedContainerName(c.Image, i)
	}

	if hc := item.Healthcheck; hc != nil {
		c.Healthcheck = &healthcheck{Enabled: hc.Enabled != nil && *hc.Enabled}
		if hc.Port != nil {
			c.Healthcheck.Port = *hc.Port
		}
		if hc.Path != nil {
			c.Healthcheck.Path = *hc.Path
		}
	}
	if ep := item.EntrypointOverrides; ep != nil {
		c.Entrypoint = &entrypointOverrides{
			Enabled:    ep.Enabled != nil && *ep.Enabled,
			Entrypoint: slices.Clone(ep.Entrypoint),
			Cmd:        slices.Clone(ep.Cmd),
		}
	}
	env, err := envFromWire(prefix+".env", item.Env)
	if err != nil {
		return nil, err
	}
	c.Env = env
	for j, m := range item.VolumeMounts {
		mount, err := mountFromWire(j, m)
		if err != nil {
			return nil, err
		}
		c.VolumeMounts = append(c.VolumeMounts, mount)
	}
	if au := item.Autoupdate; au != nil {
		c.Autoupdate = &autoupdate{Enabled: au.Enabled != nil && *au.Enabled}
		if au.Mode != nil {
			c.Autoupdate.Mode = *au.Mode
		}
		if au.TagFilter != nil {
			c.Autoupdate.TagFilter = *au.TagFilter
		}
	}
	return c, nil
}

func envFromWire(prefix string, items []*wireEnvVarRequest) ([]envVar, *apiError) {
	var out []envVar
	for k, v := range items {
		field := fmt.Sprintf("%s.%d", prefix, k)
		if v == nil {
			return nil, nullOrUndefined(field)
		}
		if v.Type == nil {
			return nil, nullOrUndefined(field + ".type")
		}
		if v.Name == nil {
			return nil, nullOrUndefined(field + ".name")
		}
		if v.Value == nil {
			return nil, nullOrUndefined(field + ".value_or_reference_to_secret")
		}
		out = append(out, envVar{Type: *v.Type, Name: *v.Name, Value: *v.Value})
	}
	return out, nil
}

// mountFromWire converts one volume mount. Mount messages carry no container prefix, matching the
// message the API returns for a shared mount without volume_id.
func mountFromWire(j int, m *wireVolumeMountRequest) (volumeMount, *apiError) {
	field := fmt.Sprintf("volume_mounts.%d", j)
	if m == nil {
		return volumeMount{}, nullOrUndefined(field)
	}
	if m.Type == nil {
		return volumeMount{}, nullOrUndefined(field + ".type")
	}
	if m.MountPath == nil {
		return volumeMount{}, nullOrUndefined(field + ".mount_path")
	}
	out := volumeMount{Type: *m.Type, MountPath: *m.MountPath, FileNames: slices.Clone(m.FileNames)}
	if m.SecretName != nil {
		out.SecretName = *m.SecretName
	}
	if m.SizeInMB != nil {
		out.SizeInMB = *m.SizeInMB
	}
	if m.VolumeID != nil {
		out.VolumeID = *m.VolumeID
	}
	return out, nil
}

// generatedContainerName names a container the way the API does when the request has no name:
// "<image basename without tag or digest>-<index>", for example "comfyui-0".
func generatedContainerName(image string, index int) string {
	base := image
	if at := strings.Index(base, "@"); at >= 0 {
		base = base[:at]
	}
	base = path.Base(base)
	if colon := strings.Index(base, ":"); colon >= 0 {
		base = base[:colon]
	}
	base = strings.ToLower(base)
	base = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '-'
	}, base)
	base = strings.Trim(base, "-")
	if base == "" || base == "." {
		base = "container"
	}
	return fmt.Sprintf("%s-%d", base, index)
}

// mergeScaling returns base with the fields present in p applied.
func mergeScaling(base scaling, p *wireScalingRequest) scaling {
	out := base
	out.ScalingTriggers.CPUUtilization = cloneUtilization(base.ScalingTriggers.CPUUtilization)
	out.ScalingTriggers.GPUUtilization = cloneUtilization(base.ScalingTriggers.GPUUtilization)
	if p == nil {
		return out
	}
	setInt := func(dst *int, src *int) {
		if src != nil {
			*dst = *src
		}
	}
	setInt(&out.MinReplicaCount, p.MinReplicaCount)
	setInt(&out.MaxReplicaCount, p.MaxReplicaCount)
	setInt(&out.QueueMessageTTLSeconds, p.QueueMessageTTLSeconds)
	setInt(&out.ConcurrentRequestsPerReplica, p.ConcurrentRequestsPerReplica)
	if p.ScaleDownPolicy != nil {
		setInt(&out.ScaleDownPolicy.DelaySeconds, p.ScaleDownPolicy.DelaySeconds)
	}
	if p.ScaleUpPolicy != nil {
		setInt(&out.ScaleUpPolicy.DelaySeconds, p.ScaleUpPolicy.DelaySeconds)
	}
	if t := p.ScalingTriggers; t != nil {
		if t.QueueLoad != nil && t.QueueLoad.Threshold != nil {
			out.ScalingTriggers.QueueLoad.Threshold = *t.QueueLoad.Threshold
		}
		mergeUtilization(&out.ScalingTriggers.CPUUtilization, t.CPUUtilization)
		mergeUtilization(&out.ScalingTriggers.GPUUtilization, t.GPUUtilization)
	}
	return out
}

func cloneUtilization(u utilizationTrigger) utilizationTrigger {
	if u.Threshold != nil {
		threshold := *u.Threshold
		u.Threshold = &threshold
	}
	return u
}

func mergeUtilization(dst *utilizationTrigger, src *wireUtilizationRequest) {
	if src == nil {
		return
	}
	if src.Enabled != nil {
		dst.Enabled = *src.Enabled
	}
	if src.Threshold != nil {
		threshold := *src.Threshold
		dst.Threshold = &threshold
	}
}

// ---- validation ----

// validateDeployment checks a deployment against the API's rules and the account's objects.
func (st *state) validateDeployment(d *deployment) *apiError {
	if err := validateName("name", d.Name); err != nil {
		return err
	}
	if err := st.validateCompute(d.Compute); err != nil {
		return err
	}
	if err := st.validateRegistry(d.Registry); err != nil {
		return err
	}
	if err := validateScaling("scaling.", d.Scaling); err != nil {
		return err
	}
	return st.validateContainers(d.Containers)
}

func (st *state) validateCompute(c computeSpec) *apiError {
	if c.Name == "" {
		return badRequest("compute.name should not be empty")
	}
	if c.Size < 1 {
		return badRequest("compute.size must not be less than 1")
	}
	if _, ok := st.findCompute(c.Name, c.Size); !ok {
		return badRequest("compute %q with size %d is not a serverless compute resource; GET /v1/serverless-compute-resources lists the valid name and size pairs",
			c.Name, c.Size)
	}
	return nil
}

func (st *state) validateRegistry(r registrySettings) *apiError {
	if r.IsPrivate && r.Credentials == nil {
		return nullOrUndefined("container_registry_settings.credentials")
	}
	if r.Credentials == nil {
		return nil
	}
	if r.Credentials.Name == "" {
		return badRequest("container_registry_settings.credentials.name should not be empty")
	}
	if _, ok := st.registryCredentials[r.Credentials.Name]; !ok {
		return badRequest("container registry credentials %q not found; create them with POST /v1/container-registry-credentials", r.Credentials.Name)
	}
	return nil
}

// validateScaling checks the scaling rules. prefix is "scaling." inside a deployment body and "" for the
// scaling endpoint.
func validateScaling(prefix string, s scaling) *apiError {
	nonNegative := []struct {
		field string
		value int
	}{
		{"min_replica_count", s.MinReplicaCount},
		{"max_replica_count", s.MaxReplicaCount},
		{"scale_down_policy.delay_seconds", s.ScaleDownPolicy.DelaySeconds},
		{"scale_up_policy.delay_seconds", s.ScaleUpPolicy.DelaySeconds},
		{"queue_message_ttl_seconds", s.QueueMessageTTLSeconds},
		{"concurrent_requests_per_replica", s.ConcurrentRequestsPerReplica},
	}
	for _, f := range nonNegative {
		if f.value < 0 {
			return badRequest("%s%s must not be less than 0", prefix, f.field)
		}
	}
	if s.MinReplicaCount > s.MaxReplicaCount {
		return badRequest("%smin_replica_count (%d) must not be greater than %smax_replica_count (%d)",
			prefix, s.MinReplicaCount, prefix, s.MaxReplicaCount)
	}
	// The Go SDK sends zero values for an unset scaling block, so a zero threshold means "not set".
	if threshold := s.ScalingTriggers.QueueLoad.Threshold; threshold != 0 && threshold < 1 {
		return badRequest("%sscaling_triggers.queue_load.threshold must not be less than 1 (got %g)", prefix, threshold)
	}
	for name, u := range map[string]utilizationTrigger{"cpu_utilization": s.ScalingTriggers.CPUUtilization, "gpu_utilization": s.ScalingTriggers.GPUUtilization} {
		if u.Threshold != nil && (*u.Threshold <= 0 || *u.Threshold > 100) {
			return badRequest("%sscaling_triggers.%s.threshold must be greater than 0 and at most 100 (got %g)", prefix, name, *u.Threshold)
		}
	}
	return nil
}

func (st *state) validateContainers(containers []*container) *apiError {
	if len(containers) == 0 {
		return badRequest("containers should not be empty; a deployment needs at least one container")
	}
	names := map[string]bool{}
	for i, c := range containers {
		prefix := fmt.Sprintf("containers.%d", i)
		if err := validateName(prefix+".name", c.Name); err != nil {
			return err
		}
		if names[c.Name] {
			return badRequest("%s.name %q is used by more than one container; container names must be unique", prefix, c.Name)
		}
		names[c.Name] = true
		if err := validateImage(prefix+".image", c.Image); err != nil {
			return err
		}
		if c.ExposedPort < 1 || c.ExposedPort > maxPort {
			return badRequest("%s.exposed_port must be between 1 and %d (got %d)", prefix, maxPort, c.ExposedPort)
		}
		if hc := c.Healthcheck; hc != nil {
			if hc.Port != 0 && (hc.Port < 1 || hc.Port > maxPort) {
				return badRequest("%s.healthcheck.port must be between 1 and %d (got %d)", prefix, maxPort, hc.Port)
			}
			if hc.Path != "" && !strings.HasPrefix(hc.Path, "/") {
				return badRequest("%s.healthcheck.path must start with / (got %q)", prefix, hc.Path)
			}
		}
		if err := st.validateEnv(prefix+".env", c.Env); err != nil {
			return err
		}
		if err := st.validateMounts(c.VolumeMounts); err != nil {
			return err
		}
	}
	return nil
}

// validateImage rejects images that are not pinned: a ":latest" tag, or neither a tag nor a digest.
func validateImage(field, image string) *apiError {
	if strings.TrimSpace(image) == "" {
		return badRequest("%s should not be empty", field)
	}
	if strings.HasSuffix(image, ":latest") || !strings.ContainsAny(image, ":@") {
		return badRequest("%s %q must be pinned to a tag other than latest or to a digest, for example %s:1.2.3",
			field, image, strings.TrimSuffix(image, ":latest"))
	}
	return nil
}

func (st *state) validateEnv(prefix string, env []envVar) *apiError {
	seen := map[string]bool{}
	for k, v := range env {
		field := fmt.Sprintf("%s.%d", prefix, k)
		if v.Type != envTypePlain && v.Type != envTypeSecret {
			return badRequest("%s.type must be one of the following values: plain, secret (got %q)", field, v.Type)
		}
		if v.Name == "" {
			return badRequest("%s.name should not be empty", field)
		}
		if seen[v.Name] {
			return badRequest("%s.name %q is defined more than once in the same container", field, v.Name)
		}
		seen[v.Name] = true
		if v.Type == envTypeSecret {
			if _, ok := st.secrets[v.Value]; !ok {
				return badRequest("%s.value_or_reference_to_secret: secret %q not found; create it with POST /v1/secrets", field, v.Value)
			}
		}
	}
	return nil
}

func (st *state) validateMounts(mounts []volumeMount) *apiError {
	paths := map[string]bool{}
	for j, m := range mounts {
		field := fmt.Sprintf("volume_mounts.%d", j)
		if !strings.HasPrefix(m.MountPath, "/") {
			return badRequest("%s.mount_path must be an absolute path (got %q)", field, m.MountPath)
		}
		if paths[m.MountPath] {
			return badRequest("%s.mount_path %q is used by more than one mount", field, m.MountPath)
		}
		paths[m.MountPath] = true
		if m.SizeInMB < 0 {
			return badRequest("%s.size_in_mb must not be less than 0", field)
		}
		switch m.Type {
		case mountTypeScratch, mountTypeMemory:
		case mountTypeSecret:
			if m.SecretName == "" {
				return nullOrUndefined(field + ".secret_name")
			}
			if _, ok := st.fileSecrets[m.SecretName]; !ok {
				return badRequest("%s.secret_name: file secret %q not found; create it with POST /v1/file-secrets", field, m.SecretName)
			}
		case mountTypeShared:
			if m.VolumeID == "" {
				return nullOrUndefined(field + ".volume_id")
			}
			v, ok := st.volumes[m.VolumeID]
			if !ok || v.inTrash() {
				return badRequest("%s.volume_id: volume %q not found", field, m.VolumeID)
			}
			if vt, _ := findVolumeType(v.Type); !vt.IsSharedFS {
				return badRequest("%s.volume_id: volume %q has type %s, which is not a shared filesystem; use a volume of type NVMe_Shared or HDD_Shared",
					field, m.VolumeID, v.Type)
			}
		default:
			return badRequest("%s.type must be one of the following values: scratch, memory, secret, shared (got %q)", field, m.Type)
		}
	}
	return nil
}
