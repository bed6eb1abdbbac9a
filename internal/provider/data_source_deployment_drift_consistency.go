package provider

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/comfyume/terraform-provider-verda/internal/comfy"
	"github.com/comfyume/terraform-provider-verda/internal/verda"
)

// driftConsistencyAttributes are the attributes that consistency mode
// compares, besides the families named by driftArgsPrefix (one per
// command-line flag), driftEnvPrefix (one per environment variable) and
// driftMountsPrefix (one per mount path).
var driftConsistencyAttributes = []string{
	"gpu_type", "gpu_count", "is_spot", "registry_credentials", "container_count",
	"image", "exposed_port", "healthcheck_enabled", "healthcheck_path", "healthcheck_port",
	"entrypoint", "autoupdate",
	"min_replicas", "max_replicas", "concurrent_requests_per_replica", "queue_load_threshold",
	"queue_message_ttl_seconds", "scale_up_delay_seconds", "scale_down_delay_seconds",
	"cpu_utilization", "gpu_utilization",
}

// driftDefaultAllowedDifferences are the attributes on which deployments of
// one fleet are expected to differ: the GPU they run on, and spot or on-demand.
var driftDefaultAllowedDifferences = []string{"gpu_type", "gpu_count", "is_spot"}

// driftProfileValue is one deployment's value of one compared attribute.
type driftProfileValue struct {
	present bool
	text    string
	// secret marks a secret env reference, which is compared but never shown.
	secret bool
}

func (v driftProfileValue) key() string {
	return fmt.Sprintf("%t|%t|%s", v.present, v.secret, v.text)
}

type driftProfile map[string]driftProfileValue

func (p driftProfile) set(attr, text string) { p[attr] = driftProfileValue{present: true, text: text} }

// driftProfileOf flattens what consistency mode compares of one deployment.
// Scaling attributes appear only when scaling was read.
func driftProfileOf(t driftTarget) driftProfile {
	p := driftProfile{}
	d := t.Deployment
	p.set("gpu_type", d.Compute.Name)
	p.set("gpu_count", strconv.FormatInt(d.Compute.Size, 10))
	p.set("is_spot", strconv.FormatBool(d.IsSpot))
	if name := driftRegistryCredentialsName(d); name != "" {
		p.set("registry_credentials", name)
	}
	p.set("container_count", strconv.Itoa(len(d.Containers)))

	if c, ok := t.mainContainer(); ok {
		driftProfileContainer(p, c)
	}
	if t.Scaling != nil {
		driftProfileScaling(p, *t.Scaling)
	}
	return p
}

func driftProfileContainer(p driftProfile, c verda.Container) {
	p.set("image", c.Image.Image)
	p.set("exposed_port", strconv.FormatInt(c.ExposedPort, 10))

	hc := c.Healthcheck
	p.set("healthcheck_enabled", strconv.FormatBool(hc != nil && hc.Enabled))
	if hc != nil && hc.Enabled {
		if hc.Path != "" {
			p.set("healthcheck_path", hc.Path)
		}
		if hc.Port != 0 {
			p.set("healthcheck_port", strconv.FormatInt(hc.Port, 10))
		}
	}

	if argv := driftContainerCommand(c); argv != nil {
		args := comfy.ParseArgs(argv)
		// Tokens after the first flag that no flag takes are not compared,
		// because ComfyUI's argparse rejects them and the container would not start.
		p.set("entrypoint", strings.Join(args.Positional, " "))
		for flag, values := range args.Values {
			p.set(driftArgsPrefix+flag, strings.Join(values, " "))
		}
	}

	for _, e := range c.Env {
		attr := driftEnvPrefix + e.Name
		if e.Type == verda.EnvSecret {
			p[attr] = driftProfileValue{present: true, secret: true, text: e.ValueOrReferenceToSecret}
			continue
		}
		p.set(attr, e.ValueOrReferenceToSecret)
	}

	for _, m := range c.VolumeMounts {
		p.set(driftMountsPrefix+m.MountPath, driftDescribeMount(m))
	}

	if a := c.Autoupdate; a != nil && a.Enabled {
		p.set("autoupdate", strings.TrimSpace(fmt.Sprintf("enabled mode=%s tag_filter=%s", a.Mode, a.TagFilter)))
	}
}

func driftDescribeMount(m verda.VolumeMount) string {
	switch m.Type {
	case verda.MountShared:
		return "shared volume " + m.VolumeID
	case verda.MountMemory:
		return fmt.Sprintf("memory %d MB", m.SizeInMB)
	case verda.MountSecret:
		return "secret " + m.SecretName
	}
	return m.Type
}

func driftProfileScaling(p driftProfile, s verda.Scaling) {
	setInt := func(attr string, v *int64) {
		if v != nil {
			p.set(attr, strconv.FormatInt(*v, 10))
		}
	}
	setInt("min_replicas", s.MinReplicaCount)
	setInt("max_replicas", s.MaxReplicaCount)
	setInt("concurrent_requests_per_replica", s.ConcurrentRequestsPerReplica)
	setInt("queue_message_ttl_seconds", s.QueueMessageTTLSeconds)
	if s.ScaleUpPolicy != nil {
		setInt("scale_up_delay_seconds", s.ScaleUpPolicy.DelaySeconds)
	}
	if s.ScaleDownPolicy != nil {
		setInt("scale_down_delay_seconds", s.ScaleDownPolicy.DelaySeconds)
	}

	tr := s.ScalingTriggers
	if tr == nil {
		return
	}
	if tr.QueueLoad != nil {
		p.set("queue_load_threshold", driftFormatFloat(tr.QueueLoad.Threshold))
	}
	p.set("cpu_utilization", driftDescribeUtilization(tr.CPUUtilization))
	p.set("gpu_utilization", driftDescribeUtilization(tr.GPUUtilization))
}

func driftDescribeUtilization(u *verda.UtilizationTrigger) string {
	if u == nil || !u.Enabled {
		return "disabled"
	}
	if u.Threshold == nil {
		return "enabled"
	}
	return "enabled at " + driftFormatFloat(*u.Threshold)
}

// driftDifferenceAllowed reports whether attr is exempt from consistency
// checks. An entry ending in ".*", such as "env.*", exempts a whole family.
func driftDifferenceAllowed(attr string, allowed []string) bool {
	for _, a := range allowed {
		if a == attr {
			return true
		}
		if prefix, ok := strings.CutSuffix(a, "*"); ok && strings.HasSuffix(prefix, ".") && strings.HasPrefix(attr, prefix) {
			return true
		}
	}
	return false
}

// driftCompareConsistency compares the deployments with each other. For each
// attribute the value most deployments share is the reference, and every
// other deployment gets an inconsistent finding. On a tie the reference is
// the value of the alphabetically first deployment among the tied groups.
func driftCompareConsistency(targets []driftTarget, allowed []string) []driftFinding {
	if len(targets) < 2 {
		return nil
	}
	sorted := append([]driftTarget{}, targets...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Deployment.Name < sorted[j].Deployment.Name })

	profiles := make([]driftProfile, len(sorted))
	attrSet := map[string]bool{}
	for i, t := range sorted {
		profiles[i] = driftProfileOf(t)
		for attr := range profiles[i] {
			attrSet[attr] = true
		}
	}
	attrs := make([]string, 0, len(attrSet))
	for attr := range attrSet {
		attrs = append(attrs, attr)
	}
	sort.Strings(attrs)

	var findings []driftFinding
	for _, attr := range attrs {
		if driftDifferenceAllowed(attr, allowed) {
			continue
		}
		findings = append(findings, driftCompareAttributeAcross(attr, sorted, profiles)...)
	}
	return findings
}

func driftCompareAttributeAcross(attr string, targets []driftTarget, profiles []driftProfile) []driftFinding {
	type group struct {
		value driftProfileValue
		names []string
	}
	var groups []*group
	byKey := map[string]*group{}
	hideValues := false
	for i, t := range targets {
		v := profiles[i][attr]
		// A variable that is a secret on any deployment may hold that secret
		// as a plain value on another, so none of its values are shown.
		hideValues = hideValues || v.secret
		g, ok := byKey[v.key()]
		if !ok {
			g = &group{value: v}
			byKey[v.key()] = g
			groups = append(groups, g)
		}
		g.names = append(g.names, t.Deployment.Name)
	}
	if len(groups) < 2 {
		return nil
	}

	// groups are in order of their first deployment's name, so a strict
	// comparison keeps the earliest group on a tie.
	ref := groups[0]
	for _, g := range groups[1:] {
		if len(g.names) > len(ref.names) {
			ref = g
		}
	}

	var findings []driftFinding
	for _, g := range groups {
		if g == ref {
			continue
		}
		for _, name := range g.names {
			f := driftFinding{Deployment: name, Attribute: attr, Kind: driftKindInconsistent}
			if !hideValues {
				f.Expected = driftShownValue(ref.value)
				f.Actual = driftShownValue(g.value)
			}
			f.Message = driftInconsistencyMessage(attr, g.value, ref.value, ref.names, hideValues)
			findings = append(findings, f)
		}
	}
	return findings
}

func driftShownValue(v driftProfileValue) *string {
	if !v.present {
		return nil
	}
	s := v.text
	return &s
}

func driftInconsistencyMessage(attr string, own, ref driftProfileValue, refNames []string, hideValues bool) string {
	others := strings.Join(refNames, ", ")
	switch {
	case !own.present:
		return fmt.Sprintf("%s is not set here but is set on %s", attr, others)
	case !ref.present:
		if hideValues {
			return fmt.Sprintf("%s is set here but not on %s", attr, others)
		}
		return fmt.Sprintf("%s is %s here but not set on %s", attr, driftDescribeValue(own.text), others)
	case own.secret && ref.secret:
		return fmt.Sprintf("%s references a different secret than on %s (secret names are not shown)", attr, others)
	case hideValues:
		return fmt.Sprintf("%s is a %s here but a %s on %s (values are not shown)", attr, driftEnvForm(own), driftEnvForm(ref), others)
	}
	return fmt.Sprintf("%s is %s here but %s on %s", attr, driftDescribeValue(own.text), driftDescribeValue(ref.text), others)
}

func driftEnvForm(v driftProfileValue) string {
	if v.secret {
		return "secret reference"
	}
	return "plain value"
}

func driftDescribeValue(v string) string {
	if v == "" {
		return "empty"
	}
	return strconv.Quote(v)
}
