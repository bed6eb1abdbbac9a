package emulator

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// The state file and seed fixtures share one JSON format, a snapshot:
//
//	{
//	  "format_version": 1,
//	  "id_counter": 12,                 // optional: the counter behind generated ids and tokens
//	  "volumes": [{"id", "name", "type", "size", "location", "status", "created_at",
//	               "instance_ids": [...], "files": {"models/x.safetensors": {"size": 123}
//	                                               "notes.txt": {"text": "hello"}
//	                                               "a.png": {"content": "<base64>"}}}],
//	  "secrets": [{"name", "value", "secret_type", "created_at"}],
//	  "file_secrets": [{"name", "files": {"name": "<base64>"}, "created_at"}],
//	  "registry_credentials": [{"name", "type", "fields": {...}, "created_at"}],
//	  "deployments": [{"name", "is_spot", "compute": {"name", "size"},
//	                   "container_registry_settings": {"is_private", "credentials": {"name"}},
//	                   "scaling": <the API's scaling object>,
//	                   "containers": [<the API's container object, with "image" a string and
//	                                   optional "image_last_updated_at">],
//	                   "created_at", "status", ...runtime fields written by the emulator}],
//	  "compute_resources": [{"name", "size", "is_available"}],   // replaces the default list when present
//	  "image_behaviors": {"<image>": <ImageBehavior as JSON>},
//	  "delete_delay": 0,
//	  "tokens": [{"value", "kind", "expires_at"}]
//	}
//
// Fixtures may leave out what has a default: ids (generated), created_at (now), a volume's status
// ("created") and location ("FIN-03"), a deployment's status ("healthy"), scaling fields (the Verda CLI
// defaults) and container names ("<image basename>-<index>"). Every deployment is checked with the API's
// create rules, so its volumes, secrets and credentials must be in the same snapshot. Unknown fields are
// rejected to catch typos. The state file contains secret values in plain text and is written with mode 0600.

const snapshotFormatVersion = 1

//go:embed fixtures/production.json
var productionSeed []byte

// ProductionSeed returns the embedded fixture of the team's production account: one shared filesystem with
// models and its clone, four healthy ComfyUI deployments on H200 and B200, a secret and registry credentials.
func ProductionSeed() []byte { return slices.Clone(productionSeed) }

type snapshot struct {
	FormatVersion       int                      `json:"format_version"`
	IDCounter           uint64                   `json:"id_counter,omitempty"`
	Volumes             []*volume                `json:"volumes"`
	Secrets             []*secret                `json:"secrets"`
	FileSecrets         []*fileSecret            `json:"file_secrets,omitempty"`
	RegistryCredentials []*registryCredential    `json:"registry_credentials"`
	Deployments         []json.RawMessage        `json:"deployments"`
	ComputeResources    []computeResource        `json:"compute_resources,omitempty"`
	ImageBehaviors      map[string]ImageBehavior `json:"image_behaviors,omitempty"`
	DeleteDelay         int                      `json:"delete_delay,omitempty"`
	Tokens              []*token                 `json:"tokens,omitempty"`
}

// marshalSnapshot encodes the persisted part of the state.
func marshalSnapshot(st *state) ([]byte, error) {
	snap := snapshot{
		FormatVersion:    snapshotFormatVersion,
		IDCounter:        st.idCounter,
		Volumes:          st.orderedVolumes(),
		ComputeResources: st.compute,
		ImageBehaviors:   st.images,
		DeleteDelay:      st.deleteDelay,
	}
	for _, d := range st.orderedDeployments() {
		data, err := json.Marshal(d)
		if err != nil {
			return nil, fmt.Errorf("encoding deployment %q: %w", d.Name, err)
		}
		snap.Deployments = append(snap.Deployments, data)
	}
	for _, name := range sortedMapKeys(st.secrets) {
		snap.Secrets = append(snap.Secrets, st.secrets[name])
	}
	for _, name := range sortedMapKeys(st.fileSecrets) {
		snap.FileSecrets = append(snap.FileSecrets, st.fileSecrets[name])
	}
	for _, name := range sortedMapKeys(st.registryCredentials) {
		snap.RegistryCredentials = append(snap.RegistryCredentials, st.registryCredentials[name])
	}
	for _, value := range sortedMapKeys(st.tokens) {
		snap.Tokens = append(snap.Tokens, st.tokens[value])
	}
	return json.MarshalIndent(snap, "", "  ")
}

func sortedMapKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// LoadSeed replaces every API object with those of a snapshot (see the format above). Issued tokens,
// faults and the request log are kept. Nothing changes when the snapshot is invalid.
func (e *Emulator) LoadSeed(data []byte) error {
	return e.loadSnapshot(data)
}

// loadSnapshot builds a new state from data, checks it completely, and only then swaps it in. The id
// counter never goes back, so ids issued before the load are not issued again.
func (e *Emulator) loadSnapshot(data []byte) error {
	var snap snapshot
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&snap); err != nil {
		return fmt.Errorf("decoding the snapshot failed: %w", err)
	}
	if snap.FormatVersion > snapshotFormatVersion {
		return fmt.Errorf("snapshot format_version %d is newer than this emulator supports (%d); upgrade the emulator", snap.FormatVersion, snapshotFormatVersion)
	}

	return asError(e.do(func(st *state) *apiError {
		next := newState(st.clock, st.stagePolls, st.stageDuration)
		next.idCounter = max(snap.IDCounter, st.idCounter)
		next.tokens = st.tokens
		next.faults, next.requests, next.requestSeq = st.faults, st.requests, st.requestSeq
		if err := next.applySnapshot(&snap); err != nil {
			return err
		}
		*st = *next
		st.touch()
		return nil
	}))
}

// applySnapshot fills an empty state from a snapshot, defaulting and checking every object.
func (st *state) applySnapshot(snap *snapshot) *apiError {
	now := st.now()
	if snap.ComputeResources != nil {
		st.compute = slices.Clone(snap.ComputeResources)
	}
	for image, b := range snap.ImageBehaviors {
		st.images[image] = b
	}
	st.deleteDelay = max(snap.DeleteDelay, 0)
	for _, t := range snap.Tokens {
		if t == nil || t.Value == "" || (t.Kind != tokenKindAccess && t.Kind != tokenKindRefresh) {
			return badRequest("tokens: every token needs a value and a kind of access or refresh")
		}
		st.tokens[t.Value] = t
	}

	for i, v := range snap.Volumes {
		if err := st.addSnapshotVolume(i, v, now); err != nil {
			return err
		}
	}
	for i, s := range snap.Secrets {
		if s == nil || s.Name == "" {
			return badRequest("secrets.%d.name should not be empty", i)
		}
		if _, dup := st.secrets[s.Name]; dup {
			return badRequest("secrets.%d: secret %q appears twice", i, s.Name)
		}
		s.SecretType = cmpOr(s.SecretType, secretTypeGeneric)
		s.CreatedAt = defaultTime(s.CreatedAt, now)
		st.secrets[s.Name] = s
	}
	for i, s := range snap.FileSecrets {
		if s == nil || s.Name == "" {
			return badRequest("file_secrets.%d.name should not be empty", i)
		}
		s.CreatedAt = defaultTime(s.CreatedAt, now)
		st.fileSecrets[s.Name] = s
	}
	for i, c := range snap.RegistryCredentials {
		if c == nil || c.Name == "" {
			return badRequest("registry_credentials.%d.name should not be empty", i)
		}
		if _, ok := registryCredentialFields[c.Type]; !ok {
			return badRequest("registry_credentials.%d.type must be one of the following values: %s (got %q)", i, registryTypes(), c.Type)
		}
		c.CreatedAt = defaultTime(c.CreatedAt, now)
		st.registryCredentials[c.Name] = c
	}
	for i, raw := range snap.Deployments {
		if err := st.addSnapshotDeployment(i, raw, now); err != nil {
			return err
		}
	}
	return nil
}

func (st *state) addSnapshotVolume(i int, v *volume, now time.Time) *apiError {
	if v == nil {
		return badRequest("volumes.%d should not be null", i)
	}
	if v.ID == "" {
		v.ID = st.newID()
	}
	if _, dup := st.volumes[v.ID]; dup {
		return badRequest("volumes.%d: id %q appears twice", i, v.ID)
	}
	if _, ok := findVolumeType(v.Type); !ok {
		return badRequest("volumes.%d.type must be one of the following values: %s (got %q)", i, volumeTypeNames(), v.Type)
	}
	if v.Name == "" || v.Size < 1 {
		return badRequest("volumes.%d (%s) needs a name and a size of at least 1 GB", i, v.ID)
	}
	v.Location = cmpOr(v.Location, defaultLocation)
	if !isLocation(v.Location) {
		return badRequest("volumes.%d.location must be one of the following values: %s (got %q)", i, locationCodes(), v.Location)
	}

	files := map[string]*storedFile{}
	for p, f := range v.Files {
		cleaned, err := cleanVolumePath(p)
		if err != nil || f == nil {
			return badRequest("volumes.%d.files: %v", i, err)
		}
		if f.Text != "" {
			f.Content, f.Text = []byte(f.Text), ""
		}
		if f.Content != nil {
			f.Size = int64(len(f.Content))
		}
		files[cleaned] = f
	}
	v.Files = files

	v.CreatedAt = defaultTime(v.CreatedAt, now)
	v.StageStartedAt = defaultTime(v.StageStartedAt, now)
	v.Status = cmpOr(v.Status, volumeCreated)
	st.volumes[v.ID] = v
	st.volumeOrder = append(st.volumeOrder, v.ID)
	return nil
}

func (st *state) addSnapshotDeployment(i int, raw json.RawMessage, now time.Time) *apiError {
	d := &deployment{Scaling: defaultScaling(), Status: statusHealthy}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(d); err != nil {
		return badRequest("deployments.%d: %v", i, err)
	}

	for j, c := range d.Containers {
		if c == nil {
			return badRequest("deployments.%d.containers.%d should not be null", i, j)
		}
		if c.Name == "" {
			c.Name = generatedContainerName(c.Image, j)
		}
	}
	if err := st.validateDeployment(d); err != nil {
		return badRequest("deployments.%d (%s): %s", i, d.Name, err.Message)
	}
	if _, dup := st.deployments[d.Name]; dup {
		return badRequest("deployments.%d: name %q appears twice", i, d.Name)
	}

	d.CreatedAt = defaultTime(d.CreatedAt, now)
	d.StageStartedAt = defaultTime(d.StageStartedAt, now)
	for _, c := range d.Containers {
		c.ImageUpdatedAt = defaultTime(c.ImageUpdatedAt, d.CreatedAt)
	}
	st.deployments[d.Name] = d
	st.deploymentOrder = append(st.deploymentOrder, d.Name)
	if d.Replicas == nil {
		st.syncReplicas(d)
	}
	return nil
}

func defaultTime(t, fallback time.Time) time.Time {
	if t.IsZero() {
		return fallback
	}
	return t.UTC()
}

// writeStateFile writes the state atomically (temporary file, then rename). A slower writer never
// overwrites a newer version.
func (e *Emulator) writeStateFile(version uint64, data []byte) {
	e.saveMu.Lock()
	defer e.saveMu.Unlock()
	if version <= e.savedVersion {
		return
	}
	if err := writeFileAtomic(e.opts.StateFile, data); err != nil {
		e.logger.Error("saving the emulator state failed; later changes are retried", "file", e.opts.StateFile, "error", err)
		return
	}
	e.savedVersion = version
}

func writeFileAtomic(name string, data []byte) error {
	dir := filepath.Dir(name)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(name)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}
