package emulator_test

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/comfyume/terraform-provider-verda/internal/emulator"
	"github.com/comfyume/terraform-provider-verda/internal/verda"
)

func TestContractVolumeCreateLifecycle(t *testing.T) {
	t.Parallel()
	env := newContractEnv(t, emulator.Options{})
	ctx := contractContext(t)

	id, err := env.client.CreateVolume(ctx, verda.CreateVolumeRequest{Type: "NVMe", Name: "scratch-disk", Size: 50, LocationCode: "FIN-01"})
	if err != nil {
		t.Fatalf("CreateVolume: %v", err)
	}
	if !uuidPattern.MatchString(id) {
		t.Errorf("volume id = %q, want a bare UUID from the plain-text body", id)
	}
	if got := env.statuses(http.MethodPost, "/v1/volumes"); !slices.Equal(got, []int{http.StatusCreated}) {
		t.Errorf("POST /v1/volumes statuses = %v, want one 201", got)
	}

	first, err := env.client.GetVolume(ctx, id)
	if err != nil {
		t.Fatalf("GetVolume right after create: %v", err)
	}
	if first.Status != verda.VolumeOrdered {
		t.Errorf("status of a new volume = %q, want ordered", first.Status)
	}
	v := env.pollVolume(ctx, id, verda.VolumeCreated)
	wantTime := contractStart.Format("2006-01-02T15:04:05.000Z")
	if v.ID != id || v.Name != "scratch-disk" || v.Type != "NVMe" || v.Size != 50 || v.Location != "FIN-01" || v.CreatedAt != wantTime {
		t.Errorf("volume = %+v, want id %s, name scratch-disk, NVMe, 50 GB, FIN-01, created at %s", v, id, wantTime)
	}
	if v.MonthlyPrice != 10 || v.Currency != "usd" || v.Contract != "PAY_AS_YOU_GO" {
		t.Errorf("price %v %s, contract %s: want 10 usd a month (0.2 per GB) on PAY_AS_YOU_GO", v.MonthlyPrice, v.Currency, v.Contract)
	}
	if v.PseudoPath != "" || v.MountCommand != "" || len(v.InstanceIDs()) != 0 {
		t.Errorf("block volume has NFS fields %q %q or instances %v, want none", v.PseudoPath, v.MountCommand, v.InstanceIDs())
	}

	sfsID := env.createVolume(ctx, verda.CreateVolumeRequest{Type: "NVMe_Shared", Name: "models", Size: 100})
	sfs, err := env.client.GetVolume(ctx, sfsID)
	if err != nil {
		t.Fatalf("GetVolume of the shared filesystem: %v", err)
	}
	if sfs.Location != "FIN-03" {
		t.Errorf("location without location_code = %q, want the default FIN-03", sfs.Location)
	}
	if !strings.HasPrefix(sfs.PseudoPath, "volume-") || !strings.Contains(sfs.MountCommand, "nfs.fin-03.datacrunch.io:"+sfs.PseudoPath) ||
		sfs.CreateDirectoryCommand == "" || sfs.FilesystemToFstabCommand == "" {
		t.Errorf("shared filesystem NFS fields = %q, %q, %q, %q; want all four set", sfs.PseudoPath, sfs.MountCommand,
			sfs.CreateDirectoryCommand, sfs.FilesystemToFstabCommand)
	}

	list, err := env.client.ListVolumes(ctx)
	if err != nil {
		t.Fatalf("ListVolumes: %v", err)
	}
	var ids []string
	for _, v := range list {
		ids = append(ids, v.ID)
	}
	if !slices.Equal(ids, []string{id, sfsID}) {
		t.Errorf("listed volume ids = %v, want [%s %s] in creation order", ids, id, sfsID)
	}
}

func TestContractVolumeRenameAndResize(t *testing.T) {
	t.Parallel()
	env := newContractEnv(t, emulator.Options{})
	ctx := contractContext(t)
	id := env.createVolume(ctx, verda.CreateVolumeRequest{Type: "NVMe_Shared", Name: "models", Size: 100})

	if err := env.client.RenameVolume(ctx, id, "models-renamed"); err != nil {
		t.Fatalf("RenameVolume: %v", err)
	}
	if err := env.client.ResizeVolume(ctx, id, 200); err != nil {
		t.Fatalf("ResizeVolume to grow: %v", err)
	}
	v, err := env.client.GetVolume(ctx, id)
	if err != nil {
		t.Fatalf("GetVolume: %v", err)
	}
	if v.ID != id || v.Name != "models-renamed" || v.Size != 200 {
		t.Errorf("volume after rename and resize = %s %q %d GB, want %s models-renamed 200 GB", v.ID, v.Name, v.Size, id)
	}
	if got := env.statuses(http.MethodPut, "/v1/volumes"); !slices.Equal(got, []int{http.StatusAccepted, http.StatusAccepted}) {
		t.Errorf("PUT /v1/volumes statuses = %v, want two 202s", got)
	}

	for _, size := range []int64{150, 200} {
		err := env.client.ResizeVolume(ctx, id, size)
		apiErr := requireAPIError(t, err, http.StatusBadRequest, "invalid_request")
		if !strings.Contains(apiErr.Message, "must be greater than the current size 200 GB") || !strings.Contains(apiErr.Message, "volumes can only grow") {
			t.Errorf("resize to %d GB: APIError.Message = %q, want the grow-only rule", size, apiErr.Message)
		}
	}
	if v, _ := env.client.GetVolume(ctx, id); v == nil || v.Size != 200 {
		t.Errorf("volume after the rejected shrink = %+v, want 200 GB unchanged", v)
	}

	err = env.client.RenameVolume(ctx, id, "  ")
	apiErr := requireAPIError(t, err, http.StatusBadRequest, "invalid_request")
	if apiErr.Message != "name should not be empty" {
		t.Errorf("rename to blanks: APIError.Message = %q, want the API's message", apiErr.Message)
	}
	if err := env.client.RenameVolume(ctx, "00000000-0000-4000-8000-000000000000", "x"); !errors.Is(err, verda.ErrNotFound) {
		t.Errorf("RenameVolume of a missing volume: error = %v, want ErrNotFound", err)
	}
}

func TestContractVolumeClone(t *testing.T) {
	t.Parallel()
	env := newContractEnv(t, emulator.Options{})
	ctx := contractContext(t)
	sourceID := env.createVolume(ctx, verda.CreateVolumeRequest{Type: "NVMe_Shared", Name: "models", Size: 100, LocationCode: "FIN-01"})

	ids, err := env.client.CloneVolume(ctx, sourceID, verda.CloneVolumeRequest{Name: "models-copy"})
	if err != nil {
		t.Fatalf("CloneVolume: %v", err)
	}
	if len(ids) != 1 || !uuidPattern.MatchString(ids[0]) || ids[0] == sourceID {
		t.Fatalf("clone ids = %v, want one new UUID", ids)
	}
	first, err := env.client.GetVolume(ctx, ids[0])
	if err != nil {
		t.Fatalf("GetVolume of the clone: %v", err)
	}
	if first.Status != verda.VolumeCloning {
		t.Errorf("status of a new clone = %q, want cloning", first.Status)
	}
	clone := env.pollVolume(ctx, ids[0], verda.VolumeCreated)
	if clone.Name != "models-copy" || clone.Type != "NVMe_Shared" || clone.Size != 100 || clone.Location != "FIN-01" {
		t.Errorf("clone = %q %s %d GB %s, want models-copy NVMe_Shared 100 GB FIN-01", clone.Name, clone.Type, clone.Size, clone.Location)
	}

	ids, err = env.client.CloneVolume(ctx, sourceID, verda.CloneVolumeRequest{Name: "models-hdd", Type: "HDD_Shared", LocationCode: "ICE-01"})
	if err != nil {
		t.Fatalf("CloneVolume to another type and location: %v", err)
	}
	moved := env.pollVolume(ctx, ids[0], verda.VolumeCreated)
	if moved.Type != "HDD_Shared" || moved.Location != "ICE-01" {
		t.Errorf("clone type and location = %s %s, want HDD_Shared ICE-01", moved.Type, moved.Location)
	}

	_, err = env.client.CloneVolume(ctx, sourceID, verda.CloneVolumeRequest{Name: "bad", LocationCode: "MARS-01"})
	apiErr := requireAPIError(t, err, http.StatusBadRequest, "invalid_request")
	if !strings.HasPrefix(apiErr.Message, "location_code must be one of the following values") {
		t.Errorf("clone to an unknown location: APIError.Message = %q, want the list of locations", apiErr.Message)
	}
	if list, _ := env.client.ListVolumes(ctx); len(list) != 3 {
		t.Errorf("volumes after two clones and one rejected clone = %d, want 3", len(list))
	}
}

func TestContractVolumeDeleteTrashAndPermanent(t *testing.T) {
	t.Parallel()
	env := newContractEnv(t, emulator.Options{})
	ctx := contractContext(t)
	trashedID := env.createVolume(ctx, verda.CreateVolumeRequest{Type: "NVMe", Name: "to-trash", Size: 10})
	goneID := env.createVolume(ctx, verda.CreateVolumeRequest{Type: "NVMe", Name: "to-delete", Size: 10})
	keptID := env.createVolume(ctx, verda.CreateVolumeRequest{Type: "NVMe", Name: "kept", Size: 10})

	env.clock.Advance(time.Hour)
	if err := env.client.DeleteVolume(ctx, trashedID, false); err != nil {
		t.Fatalf("DeleteVolume to the trash: %v", err)
	}
	if err := env.client.DeleteVolume(ctx, goneID, true); err != nil {
		t.Fatalf("DeleteVolume permanently: %v", err)
	}
	bodies := env.requests(http.MethodPut, "/v1/volumes")
	if len(bodies) != 2 || !strings.Contains(bodies[0].Body, `"is_permanent":false`) || !strings.Contains(bodies[1].Body, `"is_permanent":true`) {
		t.Errorf("delete bodies = %+v, want is_permanent sent explicitly as false, then true", bodies)
	}

	for _, id := range []string{trashedID, goneID} {
		if _, err := env.client.GetVolume(ctx, id); !errors.Is(err, verda.ErrNotFound) {
			t.Errorf("GetVolume of deleted volume %s: error = %v, want ErrNotFound", id, err)
		}
	}
	list, err := env.client.ListVolumes(ctx)
	if err != nil {
		t.Fatalf("ListVolumes: %v", err)
	}
	if len(list) != 1 || list[0].ID != keptID {
		t.Errorf("listed volumes = %+v, want only %s", list, keptID)
	}

	trash, err := env.client.ListTrashedVolumes(ctx)
	if err != nil {
		t.Fatalf("ListTrashedVolumes: %v", err)
	}
	wantDeletedAt := contractStart.Add(time.Hour).Format("2006-01-02T15:04:05.000Z")
	byID := map[string]verda.TrashedVolume{}
	for _, v := range trash {
		byID[v.ID] = v
	}
	if len(trash) != 2 {
		t.Fatalf("trash = %+v, want the two deleted volumes", trash)
	}
	if v := byID[trashedID]; v.Name != "to-trash" || v.IsPermanentlyDeleted || v.DeletedAt != wantDeletedAt {
		t.Errorf("trashed volume = %+v, want to-trash, not permanent, deleted at %s", v, wantDeletedAt)
	}
	if v := byID[goneID]; v.Name != "to-delete" || !v.IsPermanentlyDeleted || v.Status != verda.VolumeDeleted {
		t.Errorf("permanently deleted volume = %+v, want to-delete, permanent, status deleted", v)
	}

	// PUT /volumes acts only on volumes outside the trash, so a second delete reads as not found.
	if err := env.client.DeleteVolume(ctx, trashedID, true); !errors.Is(err, verda.ErrNotFound) {
		t.Errorf("DeleteVolume of a volume in the trash: error = %v, want ErrNotFound", err)
	}
}

func TestContractVolumeAttachDetach(t *testing.T) {
	t.Parallel()
	env := newContractEnv(t, emulator.Options{})
	ctx := contractContext(t)
	blockID := env.createVolume(ctx, verda.CreateVolumeRequest{Type: "NVMe", Name: "block", Size: 10})
	sfsID := env.createVolume(ctx, verda.CreateVolumeRequest{Type: "NVMe_Shared", Name: "shared", Size: 10})

	if err := env.client.AttachVolume(ctx, blockID, "instance-1"); err != nil {
		t.Fatalf("AttachVolume: %v", err)
	}
	v, err := env.client.GetVolume(ctx, blockID)
	if err != nil {
		t.Fatalf("GetVolume: %v", err)
	}
	if v.Status != verda.VolumeAttached || v.InstanceID != "instance-1" || !slices.Equal(v.InstanceIDs(), []string{"instance-1"}) {
		t.Errorf("attached volume: status %q, instance_id %q, instances %v; want attached to instance-1", v.Status, v.InstanceID, v.InstanceIDs())
	}

	err = env.client.AttachVolume(ctx, blockID, "instance-2")
	apiErr := requireAPIError(t, err, http.StatusBadRequest, "forbidden_action")
	if !strings.Contains(apiErr.Message, "can be attached to one instance only") {
		t.Errorf("second attach of a block volume: APIError.Message = %q, want the one-instance rule", apiErr.Message)
	}

	if err := env.client.DetachVolume(ctx, blockID, "instance-1"); err != nil {
		t.Fatalf("DetachVolume: %v", err)
	}
	v, err = env.client.GetVolume(ctx, blockID)
	if err != nil {
		t.Fatalf("GetVolume: %v", err)
	}
	if v.Status != verda.VolumeDetached || len(v.InstanceIDs()) != 0 {
		t.Errorf("detached volume: status %q, instances %v; want detached with none", v.Status, v.InstanceIDs())
	}

	for _, instance := range []string{"instance-1", "instance-2"} {
		if err := env.client.AttachVolume(ctx, sfsID, instance); err != nil {
			t.Fatalf("AttachVolume of the shared filesystem to %s: %v", instance, err)
		}
	}
	v, err = env.client.GetVolume(ctx, sfsID)
	if err != nil {
		t.Fatalf("GetVolume: %v", err)
	}
	if !slices.Equal(v.InstanceIDs(), []string{"instance-1", "instance-2"}) {
		t.Errorf("shared filesystem instances = %v, want both", v.InstanceIDs())
	}
}

func TestContractVolumeMountedRefusesDeletion(t *testing.T) {
	t.Parallel()
	env := newContractEnv(t, emulator.Options{})
	ctx := contractContext(t)
	sfsID := env.createVolume(ctx, verda.CreateVolumeRequest{Type: "NVMe_Shared", Name: "models", Size: 100})
	blockID := env.createVolume(ctx, verda.CreateVolumeRequest{Type: "NVMe", Name: "block", Size: 10})

	req := comfyDeployment("comfy-sfs")
	req.Containers[0].VolumeMounts = append(req.Containers[0].VolumeMounts, verda.VolumeMount{Type: verda.MountShared, MountPath: "/mnt/sfs", VolumeID: sfsID})
	env.createDeployment(ctx, req)

	for _, permanent := range []bool{false, true} {
		err := env.client.DeleteVolume(ctx, sfsID, permanent)
		apiErr := requireAPIError(t, err, http.StatusBadRequest, "forbidden_action")
		if !strings.Contains(apiErr.Message, `is mounted by container deployments "comfy-sfs"`) {
			t.Errorf("delete (permanent %v) of a mounted volume: APIError.Message = %q, want the mounting deployment named", permanent, apiErr.Message)
		}
		if !errors.Is(err, verda.ErrBadRequest) || errors.Is(err, verda.ErrNotFound) {
			t.Errorf("delete (permanent %v) of a mounted volume: error %v should match ErrBadRequest only", permanent, err)
		}
	}
	if _, err := env.client.GetVolume(ctx, sfsID); err != nil {
		t.Errorf("GetVolume of the mounted volume after the rejected deletes: %v", err)
	}

	// Only shared filesystems can be mounted.
	blockMount := comfyDeployment("comfy-block")
	blockMount.Containers[0].VolumeMounts = []verda.VolumeMount{{Type: verda.MountShared, MountPath: "/mnt/block", VolumeID: blockID}}
	_, err := env.client.CreateDeployment(ctx, blockMount)
	apiErr := requireAPIError(t, err, http.StatusBadRequest, "invalid_request")
	if !strings.Contains(apiErr.Message, "which is not a shared filesystem") {
		t.Errorf("shared mount of a block volume: APIError.Message = %q, want the shared-filesystem rule", apiErr.Message)
	}

	if err := env.client.DeleteDeployment(ctx, "comfy-sfs", 0); err != nil {
		t.Fatalf("DeleteDeployment: %v", err)
	}
	if err := env.client.DeleteVolume(ctx, sfsID, false); err != nil {
		t.Errorf("DeleteVolume once no deployment mounts it: %v", err)
	}
}
