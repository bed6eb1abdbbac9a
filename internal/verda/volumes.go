package verda

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// Volume statuses.
const (
	VolumeOrdered   = "ordered"
	VolumeCreating  = "creating"
	VolumeCreated   = "created"
	VolumeAttached  = "attached"
	VolumeAttaching = "attaching"
	VolumeDetached  = "detached"
	VolumeDetaching = "detaching"
	VolumeCloning   = "cloning"
	VolumeDeleting  = "deleting"
	VolumeDeleted   = "deleted"
	VolumeRestoring = "restoring"
)

// Volume is a block volume or shared filesystem (SFS).
type Volume struct {
	ID         string           `json:"id"`
	Name       string           `json:"name"`
	Size       int64            `json:"size"` // GB
	Type       string           `json:"type"`
	Status     string           `json:"status"`
	CreatedAt  string           `json:"created_at"`
	InstanceID string           `json:"instance_id"`
	Instances  []VolumeInstance `json:"instances"`
	Location   string           `json:"location"`
	Contract   string           `json:"contract"`
	IsOSVolume bool             `json:"is_os_volume"`
	Target     string           `json:"target"`
	SSHKeyIDs  []string         `json:"ssh_key_ids"`

	// NFS helpers, set only for shared filesystem types.
	PseudoPath               string `json:"pseudo_path"`
	MountCommand             string `json:"mount_command"`
	CreateDirectoryCommand   string `json:"create_directory_command"`
	FilesystemToFstabCommand string `json:"filesystem_to_fstab_command"`

	BaseHourlyCost FlexFloat       `json:"base_hourly_cost"`
	MonthlyPrice   FlexFloat       `json:"monthly_price"`
	Currency       string          `json:"currency"`
	LongTerm       json.RawMessage `json:"long_term,omitempty"`
	Tags           []VolumeTag     `json:"tags,omitempty"`
}

// VolumeInstance is an instance a volume is attached to.
type VolumeInstance struct {
	ID           string `json:"id"`
	IP           string `json:"ip"`
	InstanceType string `json:"instance_type"`
	Status       string `json:"status"`
	Hostname     string `json:"hostname"`
}

// VolumeTag is a key/value tag of a volume.
type VolumeTag struct {
	ID    string `json:"id"`
	Key   string `json:"key"`
	Value string `json:"value"`
}

// InstanceIDs returns the ids of attached instances from either field.
func (v *Volume) InstanceIDs() []string {
	seen := map[string]bool{}
	var ids []string
	if v.InstanceID != "" {
		seen[v.InstanceID] = true
		ids = append(ids, v.InstanceID)
	}
	for _, in := range v.Instances {
		if in.ID != "" && !seen[in.ID] {
			seen[in.ID] = true
			ids = append(ids, in.ID)
		}
	}
	return ids
}

// TrashedVolume is a volume in the trash.
type TrashedVolume struct {
	Volume
	DeletedAt            string `json:"deleted_at"`
	IsPermanentlyDeleted bool   `json:"is_permanently_deleted"`
}

// CreateVolumeRequest is the body of POST /volumes.
type CreateVolumeRequest struct {
	Type         string   `json:"type"`
	Name         string   `json:"name"`
	Size         int64    `json:"size"`
	LocationCode string   `json:"location_code,omitempty"`
	InstanceID   string   `json:"instance_id,omitempty"`
	InstanceIDs  []string `json:"instance_ids,omitempty"`
}

// volumeAction is the body of PUT /volumes.
type volumeAction struct {
	ID           string   `json:"id"`
	Action       string   `json:"action"`
	Name         string   `json:"name,omitempty"`
	Type         string   `json:"type,omitempty"`
	Size         int64    `json:"size,omitempty"`
	InstanceID   string   `json:"instance_id,omitempty"`
	InstanceIDs  []string `json:"instance_ids,omitempty"`
	IsPermanent  *bool    `json:"is_permanent,omitempty"`
	LocationCode string   `json:"location_code,omitempty"`
}

func volumeObject(id string) string { return fmt.Sprintf("volume %q", id) }

// ListVolumes returns the account's volumes that are not in the trash.
func (c *Client) ListVolumes(ctx context.Context) ([]Volume, error) {
	var out []Volume
	err := c.do(ctx, call{operation: "list volumes", method: "GET", path: "/volumes", out: &out})
	return out, err
}

// GetVolume returns one volume; a missing or trashed one is ErrNotFound.
func (c *Client) GetVolume(ctx context.Context, id string) (*Volume, error) {
	var out Volume
	err := c.do(ctx, call{operation: "read", object: volumeObject(id), method: "GET", path: "/volumes/" + escape(id), out: &out})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateVolume creates a volume and returns its id, which the API sends as a
// plain-text body. It is not retried once the request may have reached the API.
func (c *Client) CreateVolume(ctx context.Context, req CreateVolumeRequest) (string, error) {
	var text string
	err := c.do(ctx, call{
		operation: "create", object: fmt.Sprintf("volume %q", req.Name),
		method: "POST", path: "/volumes", body: req, out: &text, retry: retryUnsafe,
	})
	if err != nil {
		return "", err
	}
	id := strings.Trim(strings.TrimSpace(text), `"`)
	if id == "" {
		return "", &OperationError{Operation: "create", Object: fmt.Sprintf("volume %q", req.Name), Err: fmt.Errorf("the create response has no volume id")}
	}
	return id, nil
}

// ListTrashedVolumes returns the volumes in the trash.
func (c *Client) ListTrashedVolumes(ctx context.Context) ([]TrashedVolume, error) {
	var out []TrashedVolume
	err := c.do(ctx, call{operation: "list trashed volumes", method: "GET", path: "/volumes/trash", out: &out})
	return out, err
}

// RenameVolume renames a volume in place.
func (c *Client) RenameVolume(ctx context.Context, id, name string) error {
	return c.volumeAction(ctx, "rename", volumeAction{ID: id, Action: "rename", Name: name}, retryIdempotent)
}

// ResizeVolume grows a volume to size GB; the API cannot shrink volumes.
func (c *Client) ResizeVolume(ctx context.Context, id string, size int64) error {
	return c.volumeAction(ctx, "resize", volumeAction{ID: id, Action: "resize", Size: size}, retryIdempotent)
}

// CloneVolumeRequest names the clone and optionally changes its type or location.
type CloneVolumeRequest struct {
	Name         string
	Type         string
	LocationCode string
}

// CloneVolume copies a volume and returns the new volume ids.
func (c *Client) CloneVolume(ctx context.Context, id string, req CloneVolumeRequest) ([]string, error) {
	var ids []string
	err := c.do(ctx, call{
		operation: "clone", object: volumeObject(id), method: "PUT", path: "/volumes",
		body: volumeAction{ID: id, Action: "clone", Name: req.Name, Type: req.Type, LocationCode: req.LocationCode},
		out:  &ids, retry: retryUnsafe,
	})
	return ids, err
}

// DeleteVolume moves a volume to the trash, where it can be restored for the
// API's retention period, or deletes it for good when permanent is true.
func (c *Client) DeleteVolume(ctx context.Context, id string, permanent bool) error {
	return c.volumeAction(ctx, "delete", volumeAction{ID: id, Action: "delete", IsPermanent: Bool(permanent)}, retryIdempotent)
}

// AttachVolume attaches a volume to an instance.
func (c *Client) AttachVolume(ctx context.Context, id, instanceID string) error {
	return c.volumeAction(ctx, "attach", volumeAction{ID: id, Action: "attach", InstanceID: instanceID}, retryIdempotent)
}

// DetachVolume detaches a volume from an instance.
func (c *Client) DetachVolume(ctx context.Context, id, instanceID string) error {
	return c.volumeAction(ctx, "detach", volumeAction{ID: id, Action: "detach", InstanceID: instanceID}, retryIdempotent)
}

func (c *Client) volumeAction(ctx context.Context, operation string, body volumeAction, retry retryClass) error {
	return c.do(ctx, call{operation: operation, object: volumeObject(body.ID), method: "PUT", path: "/volumes", body: body, retry: retry})
}
