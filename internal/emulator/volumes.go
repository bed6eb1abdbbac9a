package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
)

// volumeStatuses are the values GET /v1/volumes?status= accepts: the Go SDK's constants plus "creating"
// from the Python SDK.
var volumeStatuses = []string{
	"ordered", "creating", "created", "attached", "attaching", "detached", "detaching", "deleted", "deleting",
	"cloning", "restoring", "exported", "canceled", "canceling",
}

// handleListVolumes implements GET /v1/volumes[?status=]. Volumes in the trash are not listed.
func (e *Emulator) handleListVolumes(r *http.Request) (response, *apiError) {
	filter := r.URL.Query().Get("status")
	if filter != "" && !slices.Contains(volumeStatuses, filter) {
		return errorResponse(badRequest("status must be one of the following values: %s (got %q)", strings.Join(volumeStatuses, ", "), filter))
	}
	out := []wireVolume{}
	e.do(func(st *state) *apiError {
		for _, v := range st.orderedVolumes() {
			if v.inTrash() {
				continue
			}
			status := st.observeVolume(v, false)
			if filter != "" && status != filter {
				continue
			}
			vt, _ := findVolumeType(v.Type)
			out = append(out, volumeToWire(v, vt))
		}
		return nil
	})
	return jsonResponse(http.StatusOK, out)
}

// handleGetVolume implements GET /v1/volumes/{id}. Each call counts as one read for the volume lifecycle.
func (e *Emulator) handleGetVolume(r *http.Request) (response, *apiError) {
	id := r.PathValue("id")
	var out wireVolume
	err := e.do(func(st *state) *apiError {
		v, err := st.liveVolume(id)
		if err != nil {
			return err
		}
		vt, _ := findVolumeType(v.Type)
		out = volumeToWire(v, vt)
		out.Status = st.observeVolume(v, true)
		return nil
	})
	if err != nil {
		return errorResponse(err)
	}
	return jsonResponse(http.StatusOK, out)
}

// handleCreateVolume implements POST /v1/volumes. Like the real API it returns 201 with a text/plain body
// that contains only the new id.
func (e *Emulator) handleCreateVolume(r *http.Request) (response, *apiError) {
	var req wireVolumeCreateRequest
	if err := decodeJSON(r, &req); err != nil {
		return errorResponse(err)
	}
	if req.Type == nil {
		return errorResponse(nullOrUndefined("type"))
	}
	if _, ok := findVolumeType(*req.Type); !ok {
		return errorResponse(badRequest("type must be one of the following values: %s (got %q)", volumeTypeNames(), *req.Type))
	}
	if req.Name == nil {
		return errorResponse(nullOrUndefined("name"))
	}
	if strings.TrimSpace(*req.Name) == "" {
		return errorResponse(badRequest("name should not be empty"))
	}
	if req.Size == nil {
		return errorResponse(nullOrUndefined("size"))
	}
	if *req.Size < 1 {
		return errorResponse(badRequest("size must not be less than 1 (GB)"))
	}
	location := defaultLocation
	if req.LocationCode != nil && *req.LocationCode != "" {
		location = *req.LocationCode
	}
	if !isLocation(location) {
		return errorResponse(badRequest("location_code must be one of the following values: %s (got %q)", locationCodes(), location))
	}
	instances := slices.Clone(req.InstanceIDs)
	if req.InstanceID != nil && *req.InstanceID != "" && !slices.Contains(instances, *req.InstanceID) {
		instances = append([]string{*req.InstanceID}, instances...)
	}

	var id string
	e.do(func(st *state) *apiError {
		v := &volume{
			ID:          st.newID(),
			Name:        *req.Name,
			Type:        *req.Type,
			Size:        int(*req.Size),
			Location:    location,
			InstanceIDs: instances,
		}
		st.insertVolume(v, volumeOrdered)
		id = v.ID
		return nil
	})
	return rawResponse(http.StatusCreated, contentTypeTextPlain, []byte(id))
}

// handleListTrash implements GET /v1/volumes/trash.
func (e *Emulator) handleListTrash(*http.Request) (response, *apiError) {
	out := []wireVolumeInTrash{}
	e.read(func(st *state) {
		for _, v := range st.orderedVolumes() {
			if v.inTrash() {
				vt, _ := findVolumeType(v.Type)
				out = append(out, volumeInTrashToWire(v, vt))
			}
		}
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].DeletedAt < out[j].DeletedAt })
	return jsonResponse(http.StatusOK, out)
}

// handleDeleteVolume implements DELETE /v1/volumes/{id}. The Go SDK requests a permanent delete with
// ?force=true, the Python SDK with the body {"is_permanent": true}. Both are accepted. Without either the
// volume moves to the trash.
func (e *Emulator) handleDeleteVolume(r *http.Request) (response, *apiError) {
	permanent := r.URL.Query().Get("force") == "true"
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return errorResponse(badRequest("reading the request body failed: %v", err))
	}
	if len(bytes.TrimSpace(body)) > 0 {
		var req wireVolumeDeleteRequest
		if apiErr := decodeJSONBytes(body, &req); apiErr != nil {
			return errorResponse(apiErr)
		}
		if req.IsPermanent != nil && *req.IsPermanent {
			permanent = true
		}
	}

	id := r.PathValue("id")
	apiErr := e.do(func(st *state) *apiError {
		v, ok := st.volumes[id]
		if !ok || v.PermanentlyDeleted {
			return notFound("volume %q not found", id)
		}
		if v.inTrash() && !permanent {
			return notFound("volume %q is already in the trash; delete it with force=true or is_permanent to remove it for good", id)
		}
		return st.deleteVolumes([]*volume{v}, permanent)
	})
	if apiErr != nil {
		return errorResponse(apiErr)
	}
	return emptyResponse(http.StatusAccepted)
}

// handleVolumeAction implements PUT /v1/volumes, which dispatches on "action". "id" is one id or a list,
// and the action applies to all of them or, if any fails validation, to none.
func (e *Emulator) handleVolumeAction(r *http.Request) (response, *apiError) {
	var req wireVolumeActionRequest
	if err := decodeJSON(r, &req); err != nil {
		return errorResponse(err)
	}
	ids, apiErr := parseVolumeIDs(req.ID)
	if apiErr != nil {
		return errorResponse(apiErr)
	}
	if req.Action == nil {
		return errorResponse(nullOrUndefined("action"))
	}

	var cloneIDs []string
	apiErr = e.do(func(st *state) *apiError {
		vols := make([]*volume, 0, len(ids))
		for _, id := range ids {
			v, err := st.liveVolume(id)
			if err != nil {
				return err
			}
			vols = append(vols, v)
		}
		switch *req.Action {
		case "rename":
			return st.renameVolumes(vols, req.Name)
		case "resize":
			return st.resizeVolumes(vols, req.Size)
		case "clone":
			var err *apiError
			cloneIDs, err = st.cloneVolumes(vols, &req)
			return err
		case "delete":
			return st.deleteVolumes(vols, req.IsPermanent != nil && *req.IsPermanent)
		case "attach":
			return st.attachVolumes(vols, instanceIDs(&req))
		case "detach":
			st.detachVolumes(vols, instanceIDs(&req))
			return nil
		default:
			return badRequest("action must be one of the following values: attach, detach, rename, resize, clone, delete (got %q)", *req.Action)
		}
	})
	if apiErr != nil {
		return errorResponse(apiErr)
	}
	if *req.Action == "clone" {
		return jsonResponse(http.StatusAccepted, cloneIDs)
	}
	return emptyResponse(http.StatusAccepted)
}

func parseVolumeIDs(raw json.RawMessage) ([]string, *apiError) {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || string(trimmed) == "null" {
		return nil, nullOrUndefined("id")
	}
	var one string
	if err := json.Unmarshal(trimmed, &one); err == nil {
		if one == "" {
			return nil, badRequest("id should not be empty")
		}
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(trimmed, &many); err != nil {
		return nil, badRequest("id must be a volume id or an array of volume ids")
	}
	if len(many) == 0 {
		return nil, badRequest("id should not be an empty array")
	}
	for i, id := range many {
		if id == "" {
			return nil, badRequest("id.%d should not be empty", i)
		}
	}
	return many, nil
}

func instanceIDs(req *wireVolumeActionRequest) []string {
	ids := slices.Clone(req.InstanceIDs)
	if req.InstanceID != nil && *req.InstanceID != "" && !slices.Contains(ids, *req.InstanceID) {
		ids = append(ids, *req.InstanceID)
	}
	return ids
}

// ---- store operations ----

func (st *state) orderedVolumes() []*volume {
	out := make([]*volume, 0, len(st.volumeOrder))
	for _, id := range st.volumeOrder {
		if v, ok := st.volumes[id]; ok {
			out = append(out, v)
		}
	}
	return out
}

func (st *state) insertVolume(v *volume, status string) {
	now := st.now()
	if v.CreatedAt.IsZero() {
		v.CreatedAt = now
	}
	if v.Files == nil {
		v.Files = map[string]*storedFile{}
	}
	v.Status = status
	v.StageStartedAt = now
	st.volumes[v.ID] = v
	st.volumeOrder = append(st.volumeOrder, v.ID)
	st.touch()
}

func (st *state) removeVolume(id string) {
	delete(st.volumes, id)
	st.volumeOrder = slices.DeleteFunc(st.volumeOrder, func(v string) bool { return v == id })
	st.touch()
}

// liveVolume finds a volume that is not in the trash.
func (st *state) liveVolume(id string) (*volume, *apiError) {
	v, ok := st.volumes[id]
	if !ok || v.inTrash() {
		return nil, notFound("volume %q not found", id)
	}
	return v, nil
}

func (st *state) deploymentsMounting(volumeID string) []string {
	return st.deploymentsUsing(func(c *container) bool {
		return slices.ContainsFunc(c.VolumeMounts, func(m volumeMount) bool { return m.Type == mountTypeShared && m.VolumeID == volumeID })
	})
}

func (st *state) renameVolumes(vols []*volume, name *string) *apiError {
	if name == nil {
		return nullOrUndefined("name")
	}
	if strings.TrimSpace(*name) == "" {
		return badRequest("name should not be empty")
	}
	for _, v := range vols {
		v.Name = *name
	}
	st.touch()
	return nil
}

func (st *state) resizeVolumes(vols []*volume, size *flexInt) *apiError {
	if size == nil {
		return nullOrUndefined("size")
	}
	for _, v := range vols {
		if int(*size) <= v.Size {
			return badRequest("size %d must be greater than the current size %d GB of volume %q; volumes can only grow", *size, v.Size, v.ID)
		}
	}
	for _, v := range vols {
		v.Size = int(*size)
	}
	st.touch()
	return nil
}

// cloneVolumes copies each volume, file tree included. The request's "type" is a storage type in the
// Python SDK and a location code in the Go SDK, so a location code there means "same type, that location".
func (st *state) cloneVolumes(vols []*volume, req *wireVolumeActionRequest) ([]string, *apiError) {
	targetType, targetLocation := "", ""
	if req.Type != nil && *req.Type != "" {
		switch {
		case isLocation(*req.Type):
			targetLocation = *req.Type
		default:
			if _, ok := findVolumeType(*req.Type); !ok {
				return nil, badRequest("type must be a volume type (%s) or a location code (%s), got %q", volumeTypeNames(), locationCodes(), *req.Type)
			}
			targetType = *req.Type
		}
	}
	if req.LocationCode != nil && *req.LocationCode != "" {
		if !isLocation(*req.LocationCode) {
			return nil, badRequest("location_code must be one of the following values: %s (got %q)", locationCodes(), *req.LocationCode)
		}
		targetLocation = *req.LocationCode
	}

	ids := make([]string, 0, len(vols))
	for i, src := range vols {
		name := src.Name + "-clone"
		if req.Name != nil && *req.Name != "" {
			name = *req.Name
			if len(vols) > 1 {
				name = fmt.Sprintf("%s-%d", name, i+1)
			}
		}
		clone := &volume{
			ID:       st.newID(),
			Name:     name,
			Type:     cmpOr(targetType, src.Type),
			Size:     src.Size,
			Location: cmpOr(targetLocation, src.Location),
			Files:    cloneFiles(src.Files),
		}
		st.insertVolume(clone, volumeCloning)
		ids = append(ids, clone.ID)
	}
	return ids, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func cloneFiles(files map[string]*storedFile) map[string]*storedFile {
	out := make(map[string]*storedFile, len(files))
	for p, f := range files {
		copied := *f
		copied.Content = slices.Clone(f.Content)
		out[p] = &copied
	}
	return out
}

// deleteVolumes moves volumes to the trash, or marks them permanently deleted. A volume that a container
// deployment mounts cannot be deleted either way.
func (st *state) deleteVolumes(vols []*volume, permanent bool) *apiError {
	for _, v := range vols {
		if users := st.deploymentsMounting(v.ID); len(users) > 0 {
			return forbiddenAction("volume %q (%s) is mounted by container deployments %s; remove the mounts or delete the deployments first",
				v.ID, v.Name, quoteList(users))
		}
	}
	now := st.now()
	for _, v := range vols {
		if !v.inTrash() {
			v.DeletedAt = now
		}
		v.PermanentlyDeleted = permanent
		v.InstanceIDs = nil
		if permanent {
			v.Status = "deleted"
			v.Files = nil
		}
	}
	st.touch()
	return nil
}

func (st *state) attachVolumes(vols []*volume, instances []string) *apiError {
	if len(instances) == 0 {
		return nullOrUndefined("instance_id")
	}
	for _, v := range vols {
		vt, _ := findVolumeType(v.Type)
		if vt.IsSharedFS {
			continue
		}
		attached := slices.Concat(v.InstanceIDs, instances)
		slices.Sort(attached)
		if len(slices.Compact(attached)) > 1 {
			return forbiddenAction("volume %q of type %s can be attached to one instance only; detach it first", v.ID, v.Type)
		}
	}
	for _, v := range vols {
		for _, id := range instances {
			if !slices.Contains(v.InstanceIDs, id) {
				v.InstanceIDs = append(v.InstanceIDs, id)
			}
		}
		if !isTransitionalVolumeStatus(v.Status) {
			v.Status = volumeAttached
		}
	}
	st.touch()
	return nil
}

// detachVolumes detaches the given instances, or all of them when none are given (the Python SDK sends none).
func (st *state) detachVolumes(vols []*volume, instances []string) {
	for _, v := range vols {
		if len(instances) == 0 {
			v.InstanceIDs = nil
		} else {
			v.InstanceIDs = slices.DeleteFunc(v.InstanceIDs, func(id string) bool { return slices.Contains(instances, id) })
		}
		if len(v.InstanceIDs) == 0 && v.Status == volumeAttached {
			v.Status = volumeDetached
		}
	}
	st.touch()
}
