package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// This file contains the JSON shapes of the Verda API and the conversions from state. Request structs use
// pointers so that an absent field and an explicit null (the Python SDK sends nulls) read the same, and
// differ from a zero value.

// timeLayout is the API's timestamp format: RFC 3339, UTC, milliseconds.
const timeLayout = "2006-01-02T15:04:05.000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// ---- requests ----

type wireDeploymentRequest struct {
	Name                      *string                      `json:"name"`
	IsSpot                    *bool                        `json:"is_spot"`
	Compute                   *wireComputeRequest          `json:"compute"`
	ContainerRegistrySettings *wireRegistrySettingsRequest `json:"container_registry_settings"`
	Scaling                   *wireScalingRequest          `json:"scaling"`
	Containers                []*wireContainerRequest      `json:"containers"`
}

type wireComputeRequest struct {
	Name *string  `json:"name"`
	Size *flexInt `json:"size"`
}

type wireRegistrySettingsRequest struct {
	IsPrivate   *bool                  `json:"is_private"`
	Credentials *wireCredentialsRefReq `json:"credentials"`
}

type wireCredentialsRefReq struct {
	Name *string `json:"name"`
}

type wireScalingRequest struct {
	MinReplicaCount              *int                        `json:"min_replica_count"`
	MaxReplicaCount              *int                        `json:"max_replica_count"`
	ScaleDownPolicy              *wireDelayPolicyRequest     `json:"scale_down_policy"`
	ScaleUpPolicy                *wireDelayPolicyRequest     `json:"scale_up_policy"`
	QueueMessageTTLSeconds       *int                        `json:"queue_message_ttl_seconds"`
	ConcurrentRequestsPerReplica *int                        `json:"concurrent_requests_per_replica"`
	ScalingTriggers              *wireScalingTriggersRequest `json:"scaling_triggers"`
}

type wireDelayPolicyRequest struct {
	DelaySeconds *int `json:"delay_seconds"`
}

type wireScalingTriggersRequest struct {
	QueueLoad      *wireQueueLoadRequest   `json:"queue_load"`
	CPUUtilization *wireUtilizationRequest `json:"cpu_utilization"`
	GPUUtilization *wireUtilizationRequest `json:"gpu_utilization"`
}

type wireQueueLoadRequest struct {
	Threshold *float64 `json:"threshold"`
}

type wireUtilizationRequest struct {
	Enabled   *bool    `json:"enabled"`
	Threshold *float64 `json:"threshold"`
}

type wireContainerRequest struct {
	Name                *string                   `json:"name"`
	Image               *wireImageInput           `json:"image"`
	ExposedPort         *int                      `json:"exposed_port"`
	Healthcheck         *wireHealthcheckRequest   `json:"healthcheck"`
	EntrypointOverrides *wireEntrypointRequest    `json:"entrypoint_overrides"`
	Env                 []*wireEnvVarRequest      `json:"env"`
	VolumeMounts        []*wireVolumeMountRequest `json:"volume_mounts"`
	Autoupdate          *wireAutoupdateRequest    `json:"autoupdate"`
}

// wireImageInput accepts the image as a string (what the API documents) or as the {image, last_updated_at}
// object that GET returns, because the Python SDK sends back what it read.
type wireImageInput struct {
	Value string
}

func (w *wireImageInput) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err == nil {
		w.Value = s
		return nil
	}
	var obj struct {
		Image *string `json:"image"`
	}
	if err := json.Unmarshal(data, &obj); err != nil || obj.Image == nil {
		return fmt.Errorf("image must be a string or an object with an image field")
	}
	w.Value = *obj.Image
	return nil
}

type wireHealthcheckRequest struct {
	Enabled *bool   `json:"enabled"`
	Port    *int    `json:"port"`
	Path    *string `json:"path"`
}

type wireEntrypointRequest struct {
	Enabled    *bool    `json:"enabled"`
	Entrypoint []string `json:"entrypoint"`
	Cmd        []string `json:"cmd"`
}

type wireEnvVarRequest struct {
	Type  *string `json:"type"`
	Name  *string `json:"name"`
	Value *string `json:"value_or_reference_to_secret"`
}

type wireVolumeMountRequest struct {
	Type       *string  `json:"type"`
	MountPath  *string  `json:"mount_path"`
	SecretName *string  `json:"secret_name"`
	SizeInMB   *int     `json:"size_in_mb"`
	VolumeID   *string  `json:"volume_id"`
	FileNames  []string `json:"file_names"`
}

type wireAutoupdateRequest struct {
	Enabled   *bool   `json:"enabled"`
	Mode      *string `json:"mode"`
	TagFilter *string `json:"tag_filter"`
}

type wireEnvGroupRequest struct {
	ContainerName *string              `json:"container_name"`
	Env           []*wireEnvVarRequest `json:"env"`
}

type wireEnvDeleteRequest struct {
	ContainerName *string  `json:"container_name"`
	Env           []string `json:"env"`
}

type wireVolumeCreateRequest struct {
	Type         *string  `json:"type"`
	Name         *string  `json:"name"`
	Size         *flexInt `json:"size"`
	LocationCode *string  `json:"location_code"`
	InstanceID   *string  `json:"instance_id"`
	InstanceIDs  []string `json:"instance_ids"`
}

type wireVolumeActionRequest struct {
	ID           json.RawMessage `json:"id"`
	Action       *string         `json:"action"`
	Name         *string         `json:"name"`
	Type         *string         `json:"type"`
	Size         *flexInt        `json:"size"`
	InstanceID   *string         `json:"instance_id"`
	InstanceIDs  []string        `json:"instance_ids"`
	IsPermanent  *bool           `json:"is_permanent"`
	LocationCode *string         `json:"location_code"`
}

type wireVolumeDeleteRequest struct {
	IsPermanent *bool `json:"is_permanent"`
}

type wireSecretRequest struct {
	Name  *string `json:"name"`
	Value *string `json:"value"`
}

type wireFileSecretRequest struct {
	Name  *string `json:"name"`
	Files []*struct {
		FileName      *string `json:"file_name"`
		Base64Content *string `json:"base64_content"`
	} `json:"files"`
}

// flexInt is an integer that also decodes from an integral float (1.0) or a numeric string ("1"), since
// some SDK versions sent sizes that way.
type flexInt int

func (f *flexInt) UnmarshalJSON(data []byte) error {
	var n json.Number
	text := strings.Trim(string(data), `"`)
	n = json.Number(text)
	v, err := n.Float64()
	if err != nil || v != math.Trunc(v) || math.Abs(v) > math.MaxInt32 {
		return fmt.Errorf("must be an integer number, got %s", string(data))
	}
	*f = flexInt(v)
	return nil
}

// decodeJSON decodes a request body into v and turns every failure into a 400 that names the field.
func decodeJSON(r *http.Request, v any) *apiError {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBodyBytes+1))
	if err != nil {
		return badRequest("reading the request body failed: %v", err)
	}
	if len(data) > maxRequestBodyBytes {
		return newAPIError(http.StatusRequestEntityTooLarge, codeInvalidRequest, "request body is larger than %d bytes", maxRequestBodyBytes)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return badRequest("request body is empty; send a JSON object")
	}
	return decodeJSONBytes(data, v)
}

func decodeJSONBytes(data []byte, v any) *apiError {
	if err := json.Unmarshal(data, v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return badRequest("%s must be of type %s, got %s", typeErr.Field, typeErr.Type, typeErr.Value)
		}
		var syntaxErr *json.SyntaxError
		if errors.As(err, &syntaxErr) {
			return badRequest("request body is not valid JSON: %v (at byte %d)", err, syntaxErr.Offset)
		}
		return badRequest("request body is not valid JSON: %v", err)
	}
	return nil
}

// ---- responses ----

type wireDeployment struct {
	Name                      string               `json:"name"`
	Containers                []wireContainer      `json:"containers"`
	EndpointBaseURL           string               `json:"endpoint_base_url"`
	CreatedAt                 string               `json:"created_at"`
	Compute                   wireCompute          `json:"compute"`
	ContainerRegistrySettings wireRegistrySettings `json:"container_registry_settings"`
	IsSpot                    bool                 `json:"is_spot"`
}

type wireCompute struct {
	Name string `json:"name"`
	Size int    `json:"size"`
}

type wireRegistrySettings struct {
	IsPrivate   bool                `json:"is_private"`
	Credentials *wireCredentialsRef `json:"credentials"`
}

type wireCredentialsRef struct {
	Name string `json:"name"`
}

type wireContainer struct {
	Name                string                   `json:"name"`
	Image               wireImage                `json:"image"`
	ExposedPort         int                      `json:"exposed_port"`
	Healthcheck         *wireHealthcheck         `json:"healthcheck"`
	EntrypointOverrides *wireEntrypointOverrides `json:"entrypoint_overrides"`
	Env                 []wireEnvVar             `json:"env"`
	VolumeMounts        []wireVolumeMount        `json:"volume_mounts"`
	Autoupdate          *wireAutoupdate          `json:"autoupdate"`
}

type wireImage struct {
	Image         string `json:"image"`
	LastUpdatedAt string `json:"last_updated_at"`
}

type wireHealthcheck struct {
	Enabled bool   `json:"enabled"`
	Port    int    `json:"port,omitempty"`
	Path    string `json:"path,omitempty"`
}

type wireEntrypointOverrides struct {
	Enabled    bool     `json:"enabled"`
	Entrypoint []string `json:"entrypoint,omitempty"`
	Cmd        []string `json:"cmd,omitempty"`
}

type wireEnvVar struct {
	Type                     string `json:"type"`
	Name                     string `json:"name"`
	ValueOrReferenceToSecret string `json:"value_or_reference_to_secret"`
}

type wireVolumeMount struct {
	Type       string   `json:"type"`
	MountPath  string   `json:"mount_path"`
	SecretName string   `json:"secret_name,omitempty"`
	SizeInMB   int      `json:"size_in_mb,omitempty"`
	VolumeID   string   `json:"volume_id,omitempty"`
	FileNames  []string `json:"file_names,omitempty"`
}

type wireAutoupdate struct {
	Enabled   bool   `json:"enabled"`
	Mode      string `json:"mode,omitempty"`
	TagFilter string `json:"tag_filter,omitempty"`
}

type wireScaling struct {
	MinReplicaCount              int                 `json:"min_replica_count"`
	MaxReplicaCount              int                 `json:"max_replica_count"`
	ScaleDownPolicy              wireDelayPolicy     `json:"scale_down_policy"`
	ScaleUpPolicy                wireDelayPolicy     `json:"scale_up_policy"`
	QueueMessageTTLSeconds       int                 `json:"queue_message_ttl_seconds"`
	ConcurrentRequestsPerReplica int                 `json:"concurrent_requests_per_replica"`
	ScalingTriggers              wireScalingTriggers `json:"scaling_triggers"`
}

type wireDelayPolicy struct {
	DelaySeconds int `json:"delay_seconds"`
}

type wireScalingTriggers struct {
	QueueLoad      wireQueueLoad   `json:"queue_load"`
	CPUUtilization wireUtilization `json:"cpu_utilization"`
	GPUUtilization wireUtilization `json:"gpu_utilization"`
}

type wireQueueLoad struct {
	Threshold float64 `json:"threshold"`
}

type wireUtilization struct {
	Enabled   bool     `json:"enabled"`
	Threshold *float64 `json:"threshold,omitempty"`
}

type wireStatus struct {
	Status string `json:"status"`
}

type wireReplicaList struct {
	List []wireReplica `json:"list"`
}

type wireReplica struct {
	ID        string `json:"id"`
	Status    string `json:"status"`
	StartedAt string `json:"started_at"`
}

type wireEnvGroup struct {
	ContainerName string       `json:"container_name"`
	Env           []wireEnvVar `json:"env"`
}

type wireVolume struct {
	ID                       string          `json:"id"`
	Name                     string          `json:"name"`
	Size                     int             `json:"size"`
	Type                     string          `json:"type"`
	Status                   string          `json:"status"`
	CreatedAt                string          `json:"created_at"`
	InstanceID               *string         `json:"instance_id"`
	Instances                []wireInstance  `json:"instances"`
	Location                 string          `json:"location"`
	Contract                 string          `json:"contract"`
	IsOSVolume               bool            `json:"is_os_volume"`
	Target                   *string         `json:"target"`
	SSHKeyIDs                []string        `json:"ssh_key_ids"`
	PseudoPath               *string         `json:"pseudo_path"`
	MountCommand             *string         `json:"mount_command"`
	CreateDirectoryCommand   *string         `json:"create_directory_command"`
	FilesystemToFstabCommand *string         `json:"filesystem_to_fstab_command"`
	BaseHourlyCost           float64         `json:"base_hourly_cost"`
	MonthlyPrice             float64         `json:"monthly_price"`
	Currency                 string          `json:"currency"`
	LongTerm                 *struct{}       `json:"long_term"`
	Tags                     []wireVolumeTag `json:"tags"`
}

type wireVolumeInTrash struct {
	wireVolume
	DeletedAt            string `json:"deleted_at"`
	IsPermanentlyDeleted bool   `json:"is_permanently_deleted"`
}

// wireInstance is an attached instance. The emulator has no instances, so only the id is real.
type wireInstance struct {
	ID                  string  `json:"id"`
	AutoRentalExtension *bool   `json:"auto_rental_extension"`
	IP                  *string `json:"ip"`
	InstanceType        *string `json:"instance_type"`
	Status              string  `json:"status"`
	OSVolumeID          *string `json:"os_volume_id"`
	Hostname            *string `json:"hostname"`
}

type wireVolumeTag struct {
	ID    string `json:"id"`
	Key   string `json:"key"`
	Value string `json:"value"`
}

type wireSecret struct {
	Name       string `json:"name"`
	CreatedAt  string `json:"created_at"`
	SecretType string `json:"secret_type"`
}

type wireFileSecret struct {
	Name       string   `json:"name"`
	CreatedAt  string   `json:"created_at"`
	SecretType string   `json:"secret_type"`
	FileNames  []string `json:"file_names"`
}

type wireRegistryCredential struct {
	Name      string `json:"name"`
	CreatedAt string `json:"created_at"`
}

// ---- conversions from state ----

func deploymentToWire(d *deployment, baseURL string) wireDeployment {
	out := wireDeployment{
		Name:            d.Name,
		Containers:      make([]wireContainer, 0, len(d.Containers)),
		EndpointBaseURL: baseURL + "/inference/" + d.Name,
		CreatedAt:       formatTime(d.CreatedAt),
		Compute:         wireCompute{Name: d.Compute.Name, Size: d.Compute.Size},
		ContainerRegistrySettings: wireRegistrySettings{
			IsPrivate: d.Registry.IsPrivate,
		},
		IsSpot: d.IsSpot,
	}
	if d.Registry.Credentials != nil {
		out.ContainerRegistrySettings.Credentials = &wireCredentialsRef{Name: d.Registry.Credentials.Name}
	}
	for _, c := range d.Containers {
		out.Containers = append(out.Containers, containerToWire(c))
	}
	return out
}

func containerToWire(c *container) wireContainer {
	out := wireContainer{
		Name:         c.Name,
		Image:        wireImage{Image: c.Image, LastUpdatedAt: formatTime(c.ImageUpdatedAt)},
		ExposedPort:  c.ExposedPort,
		Env:          envToWire(c.Env),
		VolumeMounts: make([]wireVolumeMount, 0, len(c.VolumeMounts)),
	}
	if c.Healthcheck != nil {
		out.Healthcheck = &wireHealthcheck{Enabled: c.Healthcheck.Enabled, Port: c.Healthcheck.Port, Path: c.Healthcheck.Path}
	}
	if c.Entrypoint != nil {
		out.EntrypointOverrides = &wireEntrypointOverrides{
			Enabled:    c.Entrypoint.Enabled,
			Entrypoint: append([]string(nil), c.Entrypoint.Entrypoint...),
			Cmd:        append([]string(nil), c.Entrypoint.Cmd...),
		}
	}
	for _, m := range c.VolumeMounts {
		out.VolumeMounts = append(out.VolumeMounts, wireVolumeMount{
			Type:       m.Type,
			MountPath:  m.MountPath,
			SecretName: m.SecretName,
			SizeInMB:   m.SizeInMB,
			VolumeID:   m.VolumeID,
			FileNames:  append([]string(nil), m.FileNames...),
		})
	}
	if c.Autoupdate != nil {
		out.Autoupdate = &wireAutoupdate{Enabled: c.Autoupdate.Enabled, Mode: c.Autoupdate.Mode, TagFilter: c.Autoupdate.TagFilter}
	}
	return out
}

func envToWire(env []envVar) []wireEnvVar {
	out := make([]wireEnvVar, 0, len(env))
	for _, v := range env {
		out = append(out, wireEnvVar{Type: v.Type, Name: v.Name, ValueOrReferenceToSecret: v.Value})
	}
	return out
}

func envGroupsToWire(d *deployment) []wireEnvGroup {
	out := make([]wireEnvGroup, 0, len(d.Containers))
	for _, c := range d.Containers {
		out = append(out, wireEnvGroup{ContainerName: c.Name, Env: envToWire(c.Env)})
	}
	return out
}

func scalingToWire(s scaling) wireScaling {
	return wireScaling{
		MinReplicaCount:              s.MinReplicaCount,
		MaxReplicaCount:              s.MaxReplicaCount,
		ScaleDownPolicy:              wireDelayPolicy{DelaySeconds: s.ScaleDownPolicy.DelaySeconds},
		ScaleUpPolicy:                wireDelayPolicy{DelaySeconds: s.ScaleUpPolicy.DelaySeconds},
		QueueMessageTTLSeconds:       s.QueueMessageTTLSeconds,
		ConcurrentRequestsPerReplica: s.ConcurrentRequestsPerReplica,
		ScalingTriggers: wireScalingTriggers{
			QueueLoad:      wireQueueLoad{Threshold: s.ScalingTriggers.QueueLoad.Threshold},
			CPUUtilization: utilizationToWire(s.ScalingTriggers.CPUUtilization),
			GPUUtilization: utilizationToWire(s.ScalingTriggers.GPUUtilization),
		},
	}
}

func utilizationToWire(u utilizationTrigger) wireUtilization {
	out := wireUtilization{Enabled: u.Enabled}
	if u.Threshold != nil {
		threshold := *u.Threshold
		out.Threshold = &threshold
	}
	return out
}

func replicasToWire(replicas []replica) wireReplicaList {
	out := wireReplicaList{List: make([]wireReplica, 0, len(replicas))}
	for _, r := range replicas {
		out.List = append(out.List, wireReplica{ID: r.ID, Status: r.Status, StartedAt: formatTime(r.StartedAt)})
	}
	return out
}

// volumeToWire fills the NFS helper fields only for shared-filesystem types, as the real API does.
func volumeToWire(v *volume, vt volumeType) wireVolume {
	out := wireVolume{
		ID:           v.ID,
		Name:         v.Name,
		Size:         v.Size,
		Type:         v.Type,
		Status:       v.Status,
		CreatedAt:    formatTime(v.CreatedAt),
		Instances:    make([]wireInstance, 0, len(v.InstanceIDs)),
		Location:     v.Location,
		Contract:     "PAY_AS_YOU_GO",
		SSHKeyIDs:    []string{},
		MonthlyPrice: roundPrice(vt.PricePerMonthPerGB * float64(v.Size)),
		Currency:     "usd",
		Tags:         []wireVolumeTag{},
	}
	out.BaseHourlyCost = roundPrice(out.MonthlyPrice / hoursPerMonth)
	if len(v.InstanceIDs) > 0 {
		first := v.InstanceIDs[0]
		out.InstanceID = &first
	}
	for _, id := range v.InstanceIDs {
		out.Instances = append(out.Instances, wireInstance{ID: id, Status: "running"})
	}
	if vt.IsSharedFS {
		pseudoPath := volumePseudoPath(v.ID)
		target := fmt.Sprintf("nfs.%s.datacrunch.io:%s", strings.ToLower(v.Location), pseudoPath)
		fstabLine := target + " /mnt/volume nfs defaults 0 0"
		mount := "mount -t nfs -o nconnect=16 " + target + " /mnt/volume"
		mkdir := "mkdir -p /mnt/volume"
		fstab := fmt.Sprintf("grep -qxF '%s' /etc/fstab || echo '%s' | sudo tee -a /etc/fstab", fstabLine, fstabLine)
		out.PseudoPath = &pseudoPath
		out.MountCommand = &mount
		out.CreateDirectoryCommand = &mkdir
		out.FilesystemToFstabCommand = &fstab
	}
	return out
}

// hoursPerMonth converts monthly to hourly prices, as the Verda CLI does.
const hoursPerMonth = 730

func roundPrice(v float64) float64 { return math.Round(v*1e6) / 1e6 }

func volumePseudoPath(id string) string {
	return "volume-" + strings.ReplaceAll(id, "-", "")[:8]
}

func volumeInTrashToWire(v *volume, vt volumeType) wireVolumeInTrash {
	return wireVolumeInTrash{
		wireVolume:           volumeToWire(v, vt),
		DeletedAt:            formatTime(v.DeletedAt),
		IsPermanentlyDeleted: v.PermanentlyDeleted,
	}
}

// parseIntQuery reads an optional non-negative integer query parameter.
func parseIntQuery(r *http.Request, key string) (int, bool, *apiError) {
	raw := r.URL.Query().Get(key)
	if raw == "" {
		return 0, false, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 {
		return 0, false, badRequest("query parameter %s must be a non-negative integer, got %q", key, raw)
	}
	return n, true, nil
}
