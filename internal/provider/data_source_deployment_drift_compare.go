package provider

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/comfyume/terraform-provider-verda/internal/comfy"
	"github.com/comfyume/terraform-provider-verda/internal/verda"
)

// Kinds of drift findings.
const (
	driftKindChanged      = "changed"
	driftKindMissing      = "missing"
	driftKindUnexpected   = "unexpected"
	driftKindInconsistent = "inconsistent"
	driftKindUnhealthy    = "unhealthy"
)

// Attribute names of findings that do not name a baseline argument.
const (
	driftAttrDeployment = "deployment"
	driftAttrContainers = "containers"
	driftAttrStatus     = "status"
)

// Prefixes of attribute names that carry a flag, variable name or mount path.
const (
	driftArgsPrefix   = "args."
	driftEnvPrefix    = "env."
	driftMountsPrefix = "volume_mounts."
)

// driftFinding is one difference between a live deployment and what was
// expected of it.
type driftFinding struct {
	Deployment string
	Attribute  string
	Kind       string
	// Expected and Actual are nil when there is no value, or when the value
	// must not be shown (secret references and plain values of variables
	// that are secrets).
	Expected *string
	Actual   *string
	// Message describes the finding without the deployment name.
	Message string
}

// driftBaseline is the expected state of every selected deployment. Nil
// pointers and empty maps are not checked.
type driftBaseline struct {
	Image               *string
	HealthcheckPath     *string
	HealthcheckPort     *int64
	ExposedPort         *int64
	OutputDirectory     *string
	RequiredArgs        map[string]string
	ForbiddenArgs       []string
	QueueLoadThreshold  *float64
	MinReplicas         *int64
	MaxReplicas         *int64
	ConcurrentRequests  *int64
	SFSVolumeID         *string
	SFSMountPath        *string
	Env                 map[string]string
	SecretEnvNames      []string
	SecretEnv           map[string]string
	RegistryCredentials *string
}

// needsScaling reports whether the baseline checks a value that only the
// scaling endpoint returns.
func (b driftBaseline) needsScaling() bool {
	return b.QueueLoadThreshold != nil || b.MinReplicas != nil || b.MaxReplicas != nil || b.ConcurrentRequests != nil
}

// driftTarget is one selected deployment with what was read about it.
type driftTarget struct {
	Deployment verda.ContainerDeployment
	// Scaling is nil when it was not read.
	Scaling *verda.Scaling
	// Status is empty when it was not read.
	Status string
}

// mainContainer returns the container that runs ComfyUI: the first one, as
// verda_comfy_deployment creates it. Baseline checks look only at this
// container.
func (t driftTarget) mainContainer() (verda.Container, bool) {
	if len(t.Deployment.Containers) == 0 {
		return verda.Container{}, false
	}
	return t.Deployment.Containers[0], true
}

// driftContainerCommand returns the argv that the platform starts: the override's
// entrypoint followed by its cmd. It returns nil when no override is enabled,
// because the image's own command is not visible through the API.
func driftContainerCommand(c verda.Container) []string {
	o := c.EntrypointOverrides
	if o == nil || !o.Enabled {
		return nil
	}
	argv := make([]string, 0, len(o.Entrypoint)+len(o.Cmd))
	argv = append(argv, o.Entrypoint...)
	return append(argv, o.Cmd...)
}

// driftFindingList collects the findings of one deployment.
type driftFindingList struct {
	deployment string
	items      []driftFinding
}

func (l *driftFindingList) add(attr, kind string, expected, actual *string, format string, args ...any) {
	l.items = append(l.items, driftFinding{
		Deployment: l.deployment,
		Attribute:  attr,
		Kind:       kind,
		Expected:   expected,
		Actual:     actual,
		Message:    fmt.Sprintf(format, args...),
	})
}

func (l *driftFindingList) compareString(attr, expected, actual string) {
	if expected == actual {
		return
	}
	l.add(attr, driftKindChanged, &expected, &actual, "%s is %q, expected %q", attr, actual, expected)
}

func (l *driftFindingList) compareInt(attr string, expected int64, actual *int64) {
	want := strconv.FormatInt(expected, 10)
	if actual == nil {
		l.add(attr, driftKindMissing, &want, nil, "%s is not set, expected %s", attr, want)
		return
	}
	if *actual == expected {
		return
	}
	got := strconv.FormatInt(*actual, 10)
	l.add(attr, driftKindChanged, &want, &got, "%s is %s, expected %s", attr, got, want)
}

// driftCompareWithBaseline returns the findings of one deployment against b.
func driftCompareWithBaseline(t driftTarget, b driftBaseline) []driftFinding {
	l := &driftFindingList{deployment: t.Deployment.Name}

	if b.RegistryCredentials != nil {
		l.compareString("registry_credentials", *b.RegistryCredentials, driftRegistryCredentialsName(t.Deployment))
	}
	driftCompareScaling(l, t.Scaling, b)

	c, ok := t.mainContainer()
	if !ok {
		l.add(driftAttrContainers, driftKindMissing, nil, nil, "the deployment has no containers, so no container setting could be checked")
		return l.items
	}
	if b.Image != nil {
		l.compareString("image", *b.Image, c.Image.Image)
	}
	if b.ExposedPort != nil {
		port := c.ExposedPort
		l.compareInt("exposed_port", *b.ExposedPort, &port)
	}
	driftCompareHealthcheck(l, c, b)
	driftCompareCommand(l, c, b)
	driftCompareSFSMount(l, c, b)
	driftCompareEnv(l, c, b)
	return l.items
}

func driftRegistryCredentialsName(d verda.ContainerDeployment) string {
	s := d.ContainerRegistrySettings
	if s == nil || s.Credentials == nil {
		return ""
	}
	return s.Credentials.Name
}

func driftCompareScaling(l *driftFindingList, s *verda.Scaling, b driftBaseline) {
	if !b.needsScaling() || s == nil {
		return
	}
	if b.QueueLoadThreshold != nil {
		want := driftFormatFloat(*b.QueueLoadThreshold)
		switch {
		case s.ScalingTriggers == nil || s.ScalingTriggers.QueueLoad == nil:
			l.add("queue_load_threshold", driftKindMissing, &want, nil, "queue_load_threshold is not set, expected %s", want)
		case s.ScalingTriggers.QueueLoad.Threshold != *b.QueueLoadThreshold:
			got := driftFormatFloat(s.ScalingTriggers.QueueLoad.Threshold)
			l.add("queue_load_threshold", driftKindChanged, &want, &got, "queue_load_threshold is %s, expected %s", got, want)
		}
	}
	if b.MinReplicas != nil {
		l.compareInt("min_replicas", *b.MinReplicas, s.MinReplicaCount)
	}
	if b.MaxReplicas != nil {
		l.compareInt("max_replicas", *b.MaxReplicas, s.MaxReplicaCount)
	}
	if b.ConcurrentRequests != nil {
		l.compareInt("concurrent_requests_per_replica", *b.ConcurrentRequests, s.ConcurrentRequestsPerReplica)
	}
}

func driftFormatFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// driftCompareHealthcheck reports an absent or disabled healthcheck once for each
// healthcheck argument of the baseline.
func driftCompareHealthcheck(l *driftFindingList, c verda.Container, b driftBaseline) {
	hc := c.Healthcheck
	enabled := hc != nil && hc.Enabled
	if b.HealthcheckPath != nil {
		want := *b.HealthcheckPath
		switch {
		case !enabled:
			l.add("healthcheck_path", driftKindMissing, &want, nil, "healthcheck is disabled, expected it on path %q", want)
		case hc.Path == "":
			l.add("healthcheck_path", driftKindMissing, &want, nil, "healthcheck_path is not set, expected %q", want)
		default:
			l.compareString("healthcheck_path", want, hc.Path)
		}
	}
	if b.HealthcheckPort != nil {
		want := strconv.FormatInt(*b.HealthcheckPort, 10)
		switch {
		case !enabled:
			l.add("healthcheck_port", driftKindMissing, &want, nil, "healthcheck is disabled, expected it on port %s", want)
		case hc.Port == 0:
			// A port of 0 is left out of API bodies, so the probed port is not visible.
			l.add("healthcheck_port", driftKindMissing, &want, nil, "healthcheck_port is not set, expected %s", want)
		default:
			port := hc.Port
			l.compareInt("healthcheck_port", *b.HealthcheckPort, &port)
		}
	}
}

// driftCompareCommand checks the ComfyUI flags of the container command.
func driftCompareCommand(l *driftFindingList, c verda.Container, b driftBaseline) {
	if b.OutputDirectory == nil && len(b.RequiredArgs) == 0 && len(b.ForbiddenArgs) == 0 {
		return
	}
	argv := driftContainerCommand(c)
	args := comfy.ParseArgs(argv)
	noCommand := ""
	if argv == nil {
		noCommand = " (the container has no command override, so the image's own command runs)"
	}

	if b.OutputDirectory != nil {
		want := *b.OutputDirectory
		got, present := args.Value(comfy.FlagOutputDirectory)
		switch {
		case !present:
			l.add("output_directory", driftKindMissing, &want, nil,
				"%s is not in the container command, expected %q%s", comfy.FlagOutputDirectory, want, noCommand)
		case !driftSamePath(got, want):
			l.add("output_directory", driftKindChanged, &want, &got,
				"%s is %q, expected %q", comfy.FlagOutputDirectory, got, want)
		}
	}

	for _, flag := range driftSortedKeys(b.RequiredArgs) {
		want := b.RequiredArgs[flag]
		attr := driftArgsPrefix + flag
		values, present := args.Values[flag]
		got := strings.Join(values, " ")
		switch {
		case !present && want == "":
			l.add(attr, driftKindMissing, nil, nil, "%s is not in the container command, expected it to be present%s", flag, noCommand)
		case !present:
			l.add(attr, driftKindMissing, &want, nil, "%s is not in the container command, expected %q%s", flag, want, noCommand)
		case want != "" && got != want:
			l.add(attr, driftKindChanged, &want, &got, "%s is %s, expected %q", flag, driftDescribeArgValue(got), want)
		}
	}

	for _, flag := range driftSortedUnique(b.ForbiddenArgs) {
		values, present := args.Values[flag]
		if !present {
			continue
		}
		got := strings.Join(values, " ")
		l.add(driftArgsPrefix+flag, driftKindUnexpected, nil, &got, "%s is in the container command (%s) but is forbidden", flag, driftDescribeArgValue(got))
	}
}

// driftSamePath compares two absolute paths, ignoring trailing slashes.
func driftSamePath(a, b string) bool {
	return comfy.PathInside(a, b) && comfy.PathInside(b, a)
}

func driftDescribeArgValue(v string) string {
	if v == "" {
		return "present with no value"
	}
	return strconv.Quote(v)
}

// driftCompareSFSMount looks for a shared mount of the baseline volume at
// the baseline path. The baseline may set only one of the two.
func driftCompareSFSMount(l *driftFindingList, c verda.Container, b driftBaseline) {
	if b.SFSVolumeID == nil && b.SFSMountPath == nil {
		return
	}
	var shared []verda.VolumeMount
	for _, m := range c.VolumeMounts {
		if m.Type == verda.MountShared {
			shared = append(shared, m)
		}
	}

	if b.SFSVolumeID != nil {
		want := *b.SFSVolumeID
		var paths []string
		for _, m := range shared {
			if m.VolumeID == want {
				paths = append(paths, m.MountPath)
			}
		}
		if len(paths) == 0 {
			var ids []string
			for _, m := range shared {
				ids = append(ids, m.VolumeID)
			}
			l.add("sfs_volume_id", driftKindMissing, &want, driftJoinedOrNil(ids, ", "),
				"no shared mount of volume %q, shared volumes mounted: %s", want, driftListOrNone(ids))
			return
		}
		if b.SFSMountPath != nil && !driftContainsPath(paths, *b.SFSMountPath) {
			got := strings.Join(paths, ", ")
			l.add("sfs_mount_path", driftKindChanged, b.SFSMountPath, &got,
				"volume %q is mounted at %s, expected %q", want, got, *b.SFSMountPath)
		}
		return
	}

	want := *b.SFSMountPath
	var paths []string
	for _, m := range shared {
		paths = append(paths, m.MountPath)
	}
	if !driftContainsPath(paths, want) {
		l.add("sfs_mount_path", driftKindMissing, &want, driftJoinedOrNil(paths, ", "),
			"no shared mount at %q, shared mounts: %s", want, driftListOrNone(paths))
	}
}

func driftContainsPath(paths []string, want string) bool {
	for _, p := range paths {
		if driftSamePath(p, want) {
			return true
		}
	}
	return false
}

// driftCompareEnv checks plain values and secret references. Values of secret
// entries, and plain values of variables expected to be secrets, never
// appear in a finding: a secret pasted as a plain value would otherwise leak
// into the state.
func driftCompareEnv(l *driftFindingList, c verda.Container, b driftBaseline) {
	env := map[string]verda.EnvVar{}
	for _, e := range c.Env {
		env[e.Name] = e
	}

	for _, name := range driftSortedKeys(b.Env) {
		want := b.Env[name]
		attr := driftEnvPrefix + name
		e, ok := env[name]
		switch {
		case !ok:
			l.add(attr, driftKindMissing, &want, nil, "%s is not set, expected %q", name, want)
		case e.Type == verda.EnvSecret:
			l.add(attr, driftKindChanged, &want, nil, "%s is a secret reference, expected the plain value %q", name, want)
		case e.ValueOrReferenceToSecret != want:
			got := e.ValueOrReferenceToSecret
			l.add(attr, driftKindChanged, &want, &got, "%s is %q, expected %q", name, got, want)
		}
	}

	// A variable in both secret_env and secret_env_names is checked once, by reference.
	secretNames := driftSortedUnique(append(append([]string{}, b.SecretEnvNames...), driftSortedKeys(b.SecretEnv)...))
	for _, name := range secretNames {
		attr := driftEnvPrefix + name
		e, ok := env[name]
		wantRef, checkRef := b.SecretEnv[name]
		switch {
		case !ok:
			l.add(attr, driftKindMissing, nil, nil, "%s is not set, expected a secret reference", name)
		case e.Type != verda.EnvSecret:
			l.add(attr, driftKindChanged, nil, nil, "%s is a plain value, expected a secret reference (values are not shown)", name)
		case checkRef && e.ValueOrReferenceToSecret != wantRef:
			l.add(attr, driftKindChanged, nil, nil, "%s references a different secret than the baseline (secret names are not shown)", name)
		}
	}
}

// driftStatusFinding returns an unhealthy finding when the status was read and is
// not healthy.
func driftStatusFinding(t driftTarget) []driftFinding {
	if t.Status == "" || t.Status == verda.StatusHealthy {
		return nil
	}
	want, got := verda.StatusHealthy, t.Status
	return []driftFinding{{
		Deployment: t.Deployment.Name,
		Attribute:  driftAttrStatus,
		Kind:       driftKindUnhealthy,
		Expected:   &want,
		Actual:     &got,
		Message:    fmt.Sprintf("status is %q, expected %q", got, want),
	}}
}

// driftMissingDeployment reports a requested deployment that does not exist.
func driftMissingDeployment(name, reason string) driftFinding {
	return driftFinding{
		Deployment: name,
		Attribute:  driftAttrDeployment,
		Kind:       driftKindMissing,
		Expected:   &name,
		Message:    reason,
	}
}

// driftSortFindings orders findings by deployment, then attribute, so that two
// reads of the same account compare equal.
func driftSortFindings(f []driftFinding) {
	sort.SliceStable(f, func(i, j int) bool {
		a, b := f[i], f[j]
		if a.Deployment != b.Deployment {
			return a.Deployment < b.Deployment
		}
		if a.Attribute != b.Attribute {
			return a.Attribute < b.Attribute
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Message < b.Message
	})
}

// driftSummary renders one line per finding, or one line saying that
// nothing drifted.
func driftSummary(findings []driftFinding, checked int) string {
	if len(findings) == 0 {
		return fmt.Sprintf("No drift in %d deployment(s).", checked)
	}
	lines := make([]string, len(findings))
	for i, f := range findings {
		lines[i] = fmt.Sprintf("%s: %s [%s]", f.Deployment, f.Message, f.Kind)
	}
	return strings.Join(lines, "\n")
}

func driftSortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func driftSortedUnique(in []string) []string {
	out := append([]string{}, in...)
	sort.Strings(out)
	n := 0
	for i, s := range out {
		if i > 0 && s == out[n-1] {
			continue
		}
		out[n] = s
		n++
	}
	return out[:n]
}

func driftJoinedOrNil(items []string, sep string) *string {
	if len(items) == 0 {
		return nil
	}
	s := strings.Join(items, sep)
	return &s
}

func driftListOrNone(items []string) string {
	if len(items) == 0 {
		return "none"
	}
	return strings.Join(items, ", ")
}
