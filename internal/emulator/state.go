package emulator

import (
	"encoding/json"
	"time"
)

// The types in this file are the emulator's state. Their JSON form is the state file and seed fixture
// format (see persist.go). Field names follow the API's names where a field has an API twin, so a fixture
// reads like API bodies, but these types are never written to an API response: wire.go converts them.

// volume is a block or shared-filesystem volume.
type volume struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Type        string    `json:"type"`
	Size        int       `json:"size"`
	Location    string    `json:"location"`
	Status      string    `json:"status"`
	CreatedAt   time.Time `json:"created_at"`
	InstanceIDs []string  `json:"instance_ids,omitempty"`
	// Files is the file tree of a shared filesystem, keyed by slash-separated path relative to the volume root.
	Files map[string]*storedFile `json:"files,omitempty"`

	StageReads     int       `json:"stage_reads,omitempty"`
	StageStartedAt time.Time `json:"stage_started_at,omitzero"`

	// DeletedAt is set once the volume is in the trash.
	DeletedAt          time.Time `json:"deleted_at,omitzero"`
	PermanentlyDeleted bool      `json:"is_permanently_deleted,omitempty"`
}

func (v *volume) inTrash() bool { return !v.DeletedAt.IsZero() }

// storedFile is a file in a volume or in a container's local disk. Content may be absent for fixture files
// that only declare a size (multi-gigabyte model files).
type storedFile struct {
	Size    int64  `json:"size"`
	Content []byte `json:"content,omitempty"`
	// Text is accepted in fixtures as a readable alternative to base64 Content. It is folded into Content on load.
	Text string `json:"text,omitempty"`
}

// deployment is a container deployment and its runtime (lifecycle, replicas, fake ComfyUI state).
type deployment struct {
	Name       string           `json:"name"`
	IsSpot     bool             `json:"is_spot"`
	Compute    computeSpec      `json:"compute"`
	Registry   registrySettings `json:"container_registry_settings"`
	Scaling    scaling          `json:"scaling"`
	Containers []*container     `json:"containers"`
	CreatedAt  time.Time        `json:"created_at"`

	// Status is the lifecycle status. ForcedStatus, when set, is what clients see instead.
	Status       string `json:"status"`
	ForcedStatus string `json:"forced_status,omitempty"`
	// Failure is the reason an unhealthy deployment failed: failureImagePull, failureStart or failureHealthcheck.
	Failure        string    `json:"failure,omitempty"`
	StageReads     int       `json:"stage_reads,omitempty"`
	StageStartedAt time.Time `json:"stage_started_at,omitzero"`
	Replicas       []replica `json:"replicas,omitempty"`

	// Deleting marks a deployment whose delete was accepted but stays readable for DeleteReadsLeft GETs.
	Deleting        bool `json:"deleting,omitempty"`
	DeleteReadsLeft int  `json:"delete_reads_left,omitempty"`

	Comfy comfyState `json:"comfyui"`
}

func (d *deployment) effectiveStatus() string {
	if d.ForcedStatus != "" {
		return d.ForcedStatus
	}
	return d.Status
}

type computeSpec struct {
	Name string `json:"name"`
	Size int    `json:"size"`
}

type registrySettings struct {
	IsPrivate   bool            `json:"is_private"`
	Credentials *credentialsRef `json:"credentials,omitempty"`
}

type credentialsRef struct {
	Name string `json:"name"`
}

type scaling struct {
	MinReplicaCount              int             `json:"min_replica_count"`
	MaxReplicaCount              int             `json:"max_replica_count"`
	ScaleDownPolicy              delayPolicy     `json:"scale_down_policy"`
	ScaleUpPolicy                delayPolicy     `json:"scale_up_policy"`
	QueueMessageTTLSeconds       int             `json:"queue_message_ttl_seconds"`
	ConcurrentRequestsPerReplica int             `json:"concurrent_requests_per_replica"`
	ScalingTriggers              scalingTriggers `json:"scaling_triggers"`
}

type delayPolicy struct {
	DelaySeconds int `json:"delay_seconds"`
}

type scalingTriggers struct {
	QueueLoad      queueLoadTrigger   `json:"queue_load"`
	CPUUtilization utilizationTrigger `json:"cpu_utilization"`
	GPUUtilization utilizationTrigger `json:"gpu_utilization"`
}

type queueLoadTrigger struct {
	Threshold float64 `json:"threshold"`
}

// utilizationTrigger keeps Threshold as a float because the Python SDK sends fractions (0.8) while the Go
// SDK sends integer percentages (80).
type utilizationTrigger struct {
	Enabled   bool     `json:"enabled"`
	Threshold *float64 `json:"threshold,omitempty"`
}

// defaultScaling is the scaling of a deployment created without one, using the Verda CLI defaults.
func defaultScaling() scaling {
	return scaling{
		MinReplicaCount:              0,
		MaxReplicaCount:              1,
		ScaleDownPolicy:              delayPolicy{DelaySeconds: 300},
		ScaleUpPolicy:                delayPolicy{DelaySeconds: 0},
		QueueMessageTTLSeconds:       300,
		ConcurrentRequestsPerReplica: 1,
		ScalingTriggers:              scalingTriggers{QueueLoad: queueLoadTrigger{Threshold: 1}},
	}
}

type container struct {
	Name           string               `json:"name"`
	Image          string               `json:"image"`
	ImageUpdatedAt time.Time            `json:"image_last_updated_at,omitzero"`
	ExposedPort    int                  `json:"exposed_port"`
	Healthcheck    *healthcheck         `json:"healthcheck,omitempty"`
	Entrypoint     *entrypointOverrides `json:"entrypoint_overrides,omitempty"`
	Env            []envVar             `json:"env,omitempty"`
	VolumeMounts   []volumeMount        `json:"volume_mounts,omitempty"`
	Autoupdate     *autoupdate          `json:"autoupdate,omitempty"`
}

type healthcheck struct {
	Enabled bool   `json:"enabled"`
	Port    int    `json:"port,omitempty"`
	Path    string `json:"path,omitempty"`
}

type entrypointOverrides struct {
	Enabled    bool     `json:"enabled"`
	Entrypoint []string `json:"entrypoint,omitempty"`
	Cmd        []string `json:"cmd,omitempty"`
}

type envVar struct {
	Type  string `json:"type"`
	Name  string `json:"name"`
	Value string `json:"value_or_reference_to_secret"`
}

type volumeMount struct {
	Type       string   `json:"type"`
	MountPath  string   `json:"mount_path"`
	SecretName string   `json:"secret_name,omitempty"`
	SizeInMB   int      `json:"size_in_mb,omitempty"`
	VolumeID   string   `json:"volume_id,omitempty"`
	FileNames  []string `json:"file_names,omitempty"`
}

type autoupdate struct {
	Enabled   bool   `json:"enabled"`
	Mode      string `json:"mode,omitempty"`
	TagFilter string `json:"tag_filter,omitempty"`
}

type replica struct {
	ID        string    `json:"id"`
	Status    string    `json:"status"`
	StartedAt time.Time `json:"started_at"`
}

// comfyState is what the fake ComfyUI of one deployment keeps in memory. Restarts, pauses and version
// updates clear it, as they would clear a real container.
type comfyState struct {
	PromptNumber int `json:"prompt_number,omitempty"`
	// History contains rendered /history entries by prompt id, and HistoryOrder their submission order.
	History      map[string]json.RawMessage `json:"history,omitempty"`
	HistoryOrder []string                   `json:"history_order,omitempty"`
	// LocalFiles is the container's own disk, keyed by absolute path.
	LocalFiles map[string]*storedFile `json:"local_files,omitempty"`
}

// secret is an environment-variable secret. Value is kept for the state file only and never returned.
type secret struct {
	Name       string    `json:"name"`
	Value      string    `json:"value"`
	SecretType string    `json:"secret_type"`
	CreatedAt  time.Time `json:"created_at"`
}

// fileSecret is a secret mounted as files into a container.
type fileSecret struct {
	Name      string            `json:"name"`
	Files     map[string][]byte `json:"files"`
	CreatedAt time.Time         `json:"created_at"`
}

// registryCredential stores the credential fields (usernames, tokens, keys) only for the state file;
// the API never returns them.
type registryCredential struct {
	Name      string            `json:"name"`
	Type      string            `json:"type"`
	Fields    map[string]string `json:"fields,omitempty"`
	CreatedAt time.Time         `json:"created_at"`
}

type computeResource struct {
	Name        string `json:"name"`
	Size        int    `json:"size"`
	IsAvailable bool   `json:"is_available"`
}

// token is an OAuth access or refresh token.
type token struct {
	Value     string    `json:"value"`
	Kind      string    `json:"kind"`
	ExpiresAt time.Time `json:"expires_at"`
}

const (
	tokenKindAccess  = "access"
	tokenKindRefresh = "refresh"
)
