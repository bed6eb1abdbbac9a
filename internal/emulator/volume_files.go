package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"
)

// ---- files ----

// cleanVolumePath normalizes a path relative to a volume root and rejects paths that leave it.
func cleanVolumePath(p string) (string, error) {
	cleaned := path.Clean("/" + strings.TrimPrefix(p, "/"))
	if cleaned == "/" || strings.Contains(p, "\x00") {
		return "", fmt.Errorf("file path %q is empty or invalid; give a path relative to the volume root such as models/checkpoints/x.safetensors", p)
	}
	for _, segment := range strings.Split(strings.TrimPrefix(p, "/"), "/") {
		if segment == ".." {
			return "", fmt.Errorf("file path %q must not contain ..", p)
		}
	}
	return strings.TrimPrefix(cleaned, "/"), nil
}

// PutFile stores a file in a volume's file tree (a shared filesystem's content as containers see it).
// The path is relative to the volume root, for example "models/checkpoints/sd15.safetensors".
func (e *Emulator) PutFile(volumeID, filePath string, content []byte) error {
	cleaned, err := cleanVolumePath(filePath)
	if err != nil {
		return err
	}
	return asError(e.do(func(st *state) *apiError {
		v, apiErr := st.liveVolume(volumeID)
		if apiErr != nil {
			return apiErr
		}
		if v.Files == nil {
			v.Files = map[string]*storedFile{}
		}
		v.Files[cleaned] = &storedFile{Size: int64(len(content)), Content: slices.Clone(content)}
		st.touch()
		return nil
	}))
}

// Files returns the file tree of a volume as path -> size in bytes.
func (e *Emulator) Files(volumeID string) (map[string]int, error) {
	out := map[string]int{}
	err := e.do(func(st *state) *apiError {
		v, apiErr := st.liveVolume(volumeID)
		if apiErr != nil {
			return apiErr
		}
		for p, f := range v.Files {
			out[p] = int(f.Size)
		}
		return nil
	})
	if err != nil {
		return nil, asError(err)
	}
	return out, nil
}

// fileContent returns the content of one file of a volume.
func (e *Emulator) fileContent(volumeID, filePath string) ([]byte, error) {
	cleaned, err := cleanVolumePath(filePath)
	if err != nil {
		return nil, err
	}
	var content []byte
	apiErr := e.do(func(st *state) *apiError {
		v, apiErr := st.liveVolume(volumeID)
		if apiErr != nil {
			return apiErr
		}
		f, ok := v.Files[cleaned]
		if !ok {
			return notFound("file %q not found in volume %q", cleaned, volumeID)
		}
		content = slices.Clone(f.Content)
		return nil
	})
	return content, asError(apiErr)
}

// ---- out-of-band changes ----

// DeleteVolumeOutOfBand removes a volume as if someone deleted it outside the API client under test: it
// is gone from every list, the trash included, and no mount check applies.
func (e *Emulator) DeleteVolumeOutOfBand(id string) error {
	return asError(e.do(func(st *state) *apiError {
		if _, ok := st.volumes[id]; !ok {
			return notFound("volume %q not found", id)
		}
		st.removeVolume(id)
		return nil
	}))
}

// PatchVolumeOutOfBand merges a JSON object with any of "name", "size" and "status" into a volume,
// without the API's rules (a size may shrink, any status string is kept).
func (e *Emulator) PatchVolumeOutOfBand(id string, patch []byte) error {
	var req struct {
		Name   *string `json:"name"`
		Size   *int    `json:"size"`
		Status *string `json:"status"`
	}
	dec := json.NewDecoder(bytes.NewReader(patch))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return fmt.Errorf("volume patch must be a JSON object with name, size or status: %w", err)
	}
	return asError(e.do(func(st *state) *apiError {
		v, apiErr := st.liveVolume(id)
		if apiErr != nil {
			return apiErr
		}
		if req.Name != nil {
			v.Name = *req.Name
		}
		if req.Size != nil {
			v.Size = *req.Size
		}
		if req.Status != nil {
			v.Status = *req.Status
			v.StageReads = 0
			v.StageStartedAt = st.now()
		}
		st.touch()
		return nil
	}))
}
