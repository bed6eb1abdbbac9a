package emulator

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

func TestVolumeCreateAnswersPlainTextID(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{})

	res := c.send(http.MethodPost, "/v1/volumes", map[string]any{"type": "NVMe", "name": "data", "size": 50, "location_code": "FIN-01"})

	if res.Status != http.StatusCreated {
		t.Fatalf("status %d, body %s", res.Status, res.Body)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("content type %q, want text/plain", ct)
	}
	id := string(res.Body)
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(id) {
		t.Errorf("body %q is not a bare UUID", id)
	}
	v := c.getVolume(id)
	if v.Name != "data" || v.Size != 50 || v.Type != "NVMe" || v.Location != "FIN-01" {
		t.Errorf("volume = %+v", v)
	}
	if v.MonthlyPrice != 10 || v.Currency != "usd" || v.Contract != "PAY_AS_YOU_GO" {
		t.Errorf("pricing = %v %s %s, want 10 usd PAY_AS_YOU_GO", v.MonthlyPrice, v.Currency, v.Contract)
	}
}

func TestVolumeCreateDefaultsAndValidation(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{})

	res := c.send(http.MethodPost, "/v1/volumes", map[string]any{"type": "HDD", "name": "x", "size": 1, "location_code": nil, "instance_id": nil})
	if res.Status != http.StatusCreated {
		t.Fatalf("create with nulls: %d %s", res.Status, res.Body)
	}
	if v := c.getVolume(string(res.Body)); v.Location != "FIN-03" {
		t.Errorf("default location = %q, want FIN-03", v.Location)
	}

	cases := []struct {
		body    map[string]any
		message string
	}{
		{map[string]any{"type": "NVMe", "size": 1}, "name should not be null or undefined"},
		{map[string]any{"type": "NVMe", "name": "", "size": 1}, "name should not be empty"},
		{map[string]any{"type": "NVMe", "name": "a", "size": 0}, "size must not be less than 1"},
		{map[string]any{"type": "Tape", "name": "a", "size": 1}, "type must be one of the following values"},
		{map[string]any{"name": "a", "size": 1}, "type should not be null or undefined"},
		{map[string]any{"type": "NVMe", "name": "a", "size": 1, "location_code": "MARS-01"}, "location_code must be one of"},
	}
	for _, tc := range cases {
		c.expectError(http.MethodPost, "/v1/volumes", tc.body, http.StatusBadRequest, codeInvalidRequest, tc.message)
	}
}

func TestVolumeLifecycleOrderedToCreated(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{StagePolls: 2})
	id := c.createVolume("slow", "NVMe", 10)

	var seen []string
	for range 3 {
		seen = append(seen, c.getVolume(id).Status)
	}
	if !equalStrings(seen, []string{volumeOrdered, volumeOrdered, volumeCreated}) {
		t.Errorf("statuses = %v, want [ordered ordered created]", seen)
	}

	var listed []wireVolume
	c.expectJSON(http.MethodGet, "/v1/volumes?status=created", nil, http.StatusOK, &listed)
	if len(listed) != 1 || listed[0].ID != id {
		t.Errorf("status filter = %+v", listed)
	}
	c.expectError(http.MethodGet, "/v1/volumes?status=flummoxed", nil, http.StatusBadRequest, codeInvalidRequest, "status must be one of")
}

func TestVolumeSharedFilesystemFields(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{})
	sfs := c.getVolume(c.createVolume("sfs", "NVMe_Shared", 100))
	block := c.getVolume(c.createVolume("block", "NVMe", 100))

	if sfs.PseudoPath == nil || !regexp.MustCompile(`^volume-[0-9a-f]{8}$`).MatchString(*sfs.PseudoPath) {
		t.Fatalf("pseudo_path = %v", sfs.PseudoPath)
	}
	target := "nfs.fin-03.datacrunch.io:" + *sfs.PseudoPath
	if want := "mount -t nfs -o nconnect=16 " + target + " /mnt/volume"; sfs.MountCommand == nil || *sfs.MountCommand != want {
		t.Errorf("mount_command = %v, want %q", sfs.MountCommand, want)
	}
	if sfs.CreateDirectoryCommand == nil || *sfs.CreateDirectoryCommand != "mkdir -p /mnt/volume" {
		t.Errorf("create_directory_command = %v", sfs.CreateDirectoryCommand)
	}
	line := target + " /mnt/volume nfs defaults 0 0"
	if want := "grep -qxF '" + line + "' /etc/fstab || echo '" + line + "' | sudo tee -a /etc/fstab"; sfs.FilesystemToFstabCommand == nil || *sfs.FilesystemToFstabCommand != want {
		t.Errorf("filesystem_to_fstab_command = %v", sfs.FilesystemToFstabCommand)
	}

	if block.PseudoPath != nil || block.MountCommand != nil || block.CreateDirectoryCommand != nil || block.FilesystemToFstabCommand != nil {
		t.Errorf("block volume has SFS fields: %+v", block)
	}
	var raw map[string]any
	c.expectJSON(http.MethodGet, "/v1/volumes/"+block.ID, nil, http.StatusOK, &raw)
	for _, key := range []string{"pseudo_path", "mount_command", "create_directory_command", "filesystem_to_fstab_command", "instance_id", "target", "long_term"} {
		if v, ok := raw[key]; !ok || v != nil {
			t.Errorf("%s = %v (present %v), want null", key, v, ok)
		}
	}
	for _, key := range []string{"id", "name", "size", "type", "status", "created_at", "instances", "location", "contract", "is_os_volume",
		"ssh_key_ids", "base_hourly_cost", "monthly_price", "currency"} {
		if _, ok := raw[key]; !ok {
			t.Errorf("volume lacks %s", key)
		}
	}
}

func TestVolumeActions(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{})
	id := c.createVolume("data", "NVMe", 50)
	other := c.createVolume("data-2", "NVMe", 50)

	c.expectJSON(http.MethodPut, "/v1/volumes", map[string]any{"id": id, "action": "rename", "name": "renamed"}, http.StatusAccepted, nil)
	if v := c.getVolume(id); v.Name != "renamed" {
		t.Errorf("name after rename = %q", v.Name)
	}

	c.expectJSON(http.MethodPut, "/v1/volumes", map[string]any{"id": []string{id, other}, "action": "resize", "size": 100}, http.StatusAccepted, nil)
	if v := c.getVolume(other); v.Size != 100 || v.MonthlyPrice != 20 {
		t.Errorf("after resize of a list: size %d price %v", v.Size, v.MonthlyPrice)
	}
	c.expectError(http.MethodPut, "/v1/volumes", map[string]any{"id": id, "action": "resize", "size": 100},
		http.StatusBadRequest, codeInvalidRequest, "volumes can only grow")
	c.expectError(http.MethodPut, "/v1/volumes", map[string]any{"id": id, "action": "resize", "size": 80},
		http.StatusBadRequest, codeInvalidRequest, "must be greater than the current size 100")

	c.expectJSON(http.MethodPut, "/v1/volumes", map[string]any{"id": id, "action": "attach", "instance_id": "inst-1"}, http.StatusAccepted, nil)
	v := c.getVolume(id)
	if v.Status != volumeAttached || v.InstanceID == nil || *v.InstanceID != "inst-1" || len(v.Instances) != 1 {
		t.Errorf("after attach: %+v", v)
	}
	c.expectError(http.MethodPut, "/v1/volumes", map[string]any{"id": id, "action": "attach", "instance_id": "inst-2"},
		http.StatusBadRequest, codeForbiddenAction, "one instance only")
	c.expectJSON(http.MethodPut, "/v1/volumes", map[string]any{"id": id, "action": "detach"}, http.StatusAccepted, nil)
	if v := c.getVolume(id); v.Status != volumeDetached || v.InstanceID != nil {
		t.Errorf("after detach: %+v", v)
	}

	c.expectError(http.MethodPut, "/v1/volumes", map[string]any{"id": "missing", "action": "rename", "name": "x"},
		http.StatusNotFound, codeNotFound, `volume "missing" not found`)
	c.expectError(http.MethodPut, "/v1/volumes", map[string]any{"id": id, "action": "explode"},
		http.StatusBadRequest, codeInvalidRequest, "action must be one of")
	c.expectError(http.MethodPut, "/v1/volumes", map[string]any{"action": "rename", "name": "x"},
		http.StatusBadRequest, codeInvalidRequest, "id should not be null or undefined")
	c.expectError(http.MethodPut, "/v1/volumes", map[string]any{"id": 5, "action": "rename", "name": "x"},
		http.StatusBadRequest, codeInvalidRequest, "id must be a volume id or an array")
}

func TestVolumeCloneCopiesFilesAndAnswersArray(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestEmulator(t, Options{})
	id := c.createVolume("models", "NVMe_Shared", 200)
	if err := ts.Emulator.PutFile(id, "models/checkpoints/sd15.safetensors", []byte("weights")); err != nil {
		t.Fatal(err)
	}

	var ids []string
	c.expectJSON(http.MethodPut, "/v1/volumes", map[string]any{"id": id, "action": "clone", "name": "models-copy", "type": "NVMe_Shared", "location_code": "FIN-03"},
		http.StatusAccepted, &ids)
	if len(ids) != 1 || ids[0] == id {
		t.Fatalf("clone ids = %v", ids)
	}
	clone := c.getVolume(ids[0])
	if clone.Name != "models-copy" || clone.Status != volumeCloning || clone.Size != 200 {
		t.Errorf("clone = %+v, want name models-copy, status cloning, size 200", clone)
	}
	if got := c.getVolume(ids[0]).Status; got != volumeCreated {
		t.Errorf("clone status on second read = %q, want created", got)
	}
	files, err := ts.Emulator.Files(ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if files["models/checkpoints/sd15.safetensors"] != len("weights") {
		t.Errorf("clone files = %v", files)
	}

	// The Go SDK puts the location code into "type".
	var goStyle []string
	c.expectJSON(http.MethodPut, "/v1/volumes", map[string]any{"id": id, "action": "clone", "name": "moved", "type": "ICE-01"}, http.StatusAccepted, &goStyle)
	moved := c.getVolume(goStyle[0])
	if moved.Location != "ICE-01" || moved.Type != "NVMe_Shared" {
		t.Errorf("go-style clone: location %q type %q", moved.Location, moved.Type)
	}

	var toHDD []string
	c.expectJSON(http.MethodPut, "/v1/volumes", map[string]any{"id": id, "action": "clone", "type": "HDD_Shared"}, http.StatusAccepted, &toHDD)
	if v := c.getVolume(toHDD[0]); v.Type != "HDD_Shared" || v.Name != "models-clone" {
		t.Errorf("python-style clone: type %q name %q", v.Type, v.Name)
	}
}

func TestVolumeTrashVersusPermanent(t *testing.T) {
	t.Parallel()
	_, c, clock := newTestEmulator(t, Options{})
	trashed := c.createVolume("to-trash", "NVMe", 10)
	viaBody := c.createVolume("via-body", "NVMe", 10)
	viaQuery := c.createVolume("via-query", "NVMe", 10)
	viaAction := c.createVolume("via-action", "NVMe", 10)

	clock.Advance(5)
	c.expectJSON(http.MethodDelete, "/v1/volumes/"+trashed, nil, http.StatusAccepted, nil)
	c.expectJSON(http.MethodDelete, "/v1/volumes/"+viaBody, map[string]bool{"is_permanent": true}, http.StatusAccepted, nil)
	c.expectJSON(http.MethodDelete, "/v1/volumes/"+viaQuery+"?force=true", nil, http.StatusAccepted, nil)
	c.expectJSON(http.MethodPut, "/v1/volumes", map[string]any{"id": viaAction, "action": "delete", "is_permanent": false}, http.StatusAccepted, nil)

	for _, id := range []string{trashed, viaBody, viaQuery, viaAction} {
		c.expectError(http.MethodGet, "/v1/volumes/"+id, nil, http.StatusNotFound, codeNotFound, "not found")
	}
	var live []wireVolume
	c.expectJSON(http.MethodGet, "/v1/volumes", nil, http.StatusOK, &live)
	if len(live) != 0 {
		t.Errorf("deleted volumes still listed: %+v", live)
	}

	var trash []wireVolumeInTrash
	c.expectJSON(http.MethodGet, "/v1/volumes/trash", nil, http.StatusOK, &trash)
	permanent := map[string]bool{}
	for _, v := range trash {
		if v.DeletedAt == "" {
			t.Errorf("trash entry %s lacks deleted_at", v.ID)
		}
		permanent[v.ID] = v.IsPermanentlyDeleted
	}
	want := map[string]bool{trashed: false, viaBody: true, viaQuery: true, viaAction: false}
	for id, wantPermanent := range want {
		got, ok := permanent[id]
		if !ok || got != wantPermanent {
			t.Errorf("trash entry %s: present %v, is_permanently_deleted %v, want %v", id, ok, got, wantPermanent)
		}
	}

	c.expectError(http.MethodDelete, "/v1/volumes/"+trashed, nil, http.StatusNotFound, codeNotFound, "already in the trash")
	c.expectJSON(http.MethodDelete, "/v1/volumes/"+trashed+"?force=true", nil, http.StatusAccepted, nil)
	c.expectError(http.MethodDelete, "/v1/volumes/"+trashed+"?force=true", nil, http.StatusNotFound, codeNotFound, "not found")
}

func TestVolumeMountedRefusesDeletion(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{})
	sfs := c.createVolume("shared", "NVMe_Shared", 100)
	body := deploymentBody("mounter")
	firstContainer(body)["volume_mounts"] = []any{map[string]any{"type": "shared", "mount_path": "/mnt/sfs", "volume_id": sfs}}
	c.createDeployment(body)

	c.expectError(http.MethodDelete, "/v1/volumes/"+sfs, nil, http.StatusBadRequest, codeForbiddenAction, `container deployments "mounter"`)
	c.expectError(http.MethodDelete, "/v1/volumes/"+sfs+"?force=true", nil, http.StatusBadRequest, codeForbiddenAction, `"mounter"`)
	c.expectError(http.MethodPut, "/v1/volumes", map[string]any{"id": sfs, "action": "delete", "is_permanent": true},
		http.StatusBadRequest, codeForbiddenAction, `"mounter"`)
	c.getVolume(sfs)

	c.expectJSON(http.MethodDelete, "/v1/container-deployments/mounter", nil, http.StatusNoContent, nil)
	c.expectJSON(http.MethodDelete, "/v1/volumes/"+sfs, nil, http.StatusAccepted, nil)
}

func TestVolumeOutOfBandChanges(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestEmulator(t, Options{})
	id := c.createVolume("drift", "NVMe", 10)

	if err := ts.Emulator.PatchVolumeOutOfBand(id, []byte(`{"name":"drifted","size":5,"status":"detached"}`)); err != nil {
		t.Fatal(err)
	}
	v := c.getVolume(id)
	if v.Name != "drifted" || v.Size != 5 || v.Status != "detached" {
		t.Errorf("after out-of-band patch: %+v", v)
	}
	if err := ts.Emulator.PatchVolumeOutOfBand(id, []byte(`{"colour":"red"}`)); err == nil {
		t.Error("unknown patch field was accepted")
	}

	if err := ts.Emulator.DeleteVolumeOutOfBand(id); err != nil {
		t.Fatal(err)
	}
	c.expectError(http.MethodGet, "/v1/volumes/"+id, nil, http.StatusNotFound, codeNotFound, "not found")
	if err := ts.Emulator.DeleteVolumeOutOfBand(id); err == nil {
		t.Error("second out-of-band delete returned no error")
	}
}

func TestPutFileRejectsEscapingPaths(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestEmulator(t, Options{})
	id := c.createVolume("files", "NVMe_Shared", 10)

	for _, bad := range []string{"", "/", "../etc/passwd", "models/../../x"} {
		if err := ts.Emulator.PutFile(id, bad, []byte("x")); err == nil {
			t.Errorf("PutFile(%q) was accepted", bad)
		}
	}
	if err := ts.Emulator.PutFile(id, "/models//vae/a.safetensors", []byte("abc")); err != nil {
		t.Fatal(err)
	}
	files, err := ts.Emulator.Files(id)
	if err != nil {
		t.Fatal(err)
	}
	if files["models/vae/a.safetensors"] != 3 {
		t.Errorf("files = %v, want the cleaned path", files)
	}
	if _, err := ts.Emulator.Files("missing"); err == nil {
		t.Error("Files of unknown volume returned no error")
	}
}

func TestVolumeTypesMarkSharedFilesystems(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{})
	var types []map[string]any
	c.expectJSON(http.MethodGet, "/v1/volume-types", nil, http.StatusOK, &types)

	shared := map[string]bool{}
	for _, vt := range types {
		shared[vt["type"].(string)] = vt["is_shared_fs"].(bool)
		price := vt["price"].(map[string]any)
		if _, ok := price["price_per_month_per_gb"]; !ok {
			t.Errorf("%v lacks price.price_per_month_per_gb", vt["type"])
		}
		if _, ok := vt["iops"].(string); !ok {
			t.Errorf("%v iops is not a string", vt["type"])
		}
	}
	want := map[string]bool{"NVMe": false, "HDD": false, "NVMe_Shared": true, "HDD_Shared": true}
	data, _ := json.Marshal(shared)
	for name, isShared := range want {
		if got, ok := shared[name]; !ok || got != isShared {
			t.Errorf("volume types = %s, want %s is_shared_fs %v", data, name, isShared)
		}
	}
}
