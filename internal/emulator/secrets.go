package emulator

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
)

// ---- secrets ----

const (
	secretTypeGeneric = "generic"
	secretTypeFile    = "file-secret"
	maxSecretNameLen  = 255
)

func validateSecretName(field, name string) *apiError {
	switch {
	case name == "":
		return badRequest("%s should not be empty", field)
	case len(name) > maxSecretNameLen:
		return badRequest("%s must be at most %d characters long", field, maxSecretNameLen)
	case strings.ContainsAny(name, "/?#% \t\n"):
		return badRequest("%s %q must not contain slashes, spaces or URL delimiters", field, name)
	}
	return nil
}

// handleListSecrets implements GET /v1/secrets. Secret values are never returned.
func (e *Emulator) handleListSecrets(*http.Request) (response, *apiError) {
	out := []wireSecret{}
	e.read(func(st *state) {
		for _, s := range st.secrets {
			out = append(out, wireSecret{Name: s.Name, CreatedAt: formatTime(s.CreatedAt), SecretType: s.SecretType})
		}
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return jsonResponse(http.StatusOK, out)
}

// handleCreateSecret implements POST /v1/secrets.
func (e *Emulator) handleCreateSecret(r *http.Request) (response, *apiError) {
	var req wireSecretRequest
	if err := decodeJSON(r, &req); err != nil {
		return errorResponse(err)
	}
	if req.Name == nil {
		return errorResponse(nullOrUndefined("name"))
	}
	if err := validateSecretName("name", *req.Name); err != nil {
		return errorResponse(err)
	}
	if req.Value == nil {
		return errorResponse(nullOrUndefined("value"))
	}
	err := e.do(func(st *state) *apiError {
		if _, exists := st.secrets[*req.Name]; exists {
			return conflict("secret %q already exists; delete it first or choose another name", *req.Name)
		}
		st.secrets[*req.Name] = &secret{Name: *req.Name, Value: *req.Value, SecretType: secretTypeGeneric, CreatedAt: st.now()}
		st.touch()
		return nil
	})
	if err != nil {
		return errorResponse(err)
	}
	return emptyResponse(http.StatusCreated)
}

// handleDeleteSecret implements DELETE /v1/secrets/{name}[?force=true].
func (e *Emulator) handleDeleteSecret(r *http.Request) (response, *apiError) {
	name := r.PathValue("name")
	force := r.URL.Query().Get("force") == "true"
	err := e.do(func(st *state) *apiError {
		if _, ok := st.secrets[name]; !ok {
			return notFound("secret %q not found", name)
		}
		if users := st.deploymentsUsing(func(c *container) bool {
			return slices.ContainsFunc(c.Env, func(v envVar) bool { return v.Type == envTypeSecret && v.Value == name })
		}); len(users) > 0 && !force {
			return forbiddenAction("secret %q is used by container deployments %s; remove the references or delete with force=true", name, quoteList(users))
		}
		delete(st.secrets, name)
		st.touch()
		return nil
	})
	if err != nil {
		return errorResponse(err)
	}
	return emptyResponse(http.StatusNoContent)
}

// handleListFileSecrets implements GET /v1/file-secrets.
func (e *Emulator) handleListFileSecrets(*http.Request) (response, *apiError) {
	out := []wireFileSecret{}
	e.read(func(st *state) {
		for _, s := range st.fileSecrets {
			names := make([]string, 0, len(s.Files))
			for name := range s.Files {
				names = append(names, name)
			}
			sort.Strings(names)
			out = append(out, wireFileSecret{Name: s.Name, CreatedAt: formatTime(s.CreatedAt), SecretType: secretTypeFile, FileNames: names})
		}
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return jsonResponse(http.StatusOK, out)
}

// handleCreateFileSecret implements POST /v1/file-secrets.
func (e *Emulator) handleCreateFileSecret(r *http.Request) (response, *apiError) {
	var req wireFileSecretRequest
	if err := decodeJSON(r, &req); err != nil {
		return errorResponse(err)
	}
	if req.Name == nil {
		return errorResponse(nullOrUndefined("name"))
	}
	if err := validateSecretName("name", *req.Name); err != nil {
		return errorResponse(err)
	}
	if len(req.Files) == 0 {
		return errorResponse(badRequest("files should not be empty; send at least one {file_name, base64_content}"))
	}
	files := map[string][]byte{}
	for i, f := range req.Files {
		if f == nil || f.FileName == nil {
			return errorResponse(nullOrUndefined(fmt.Sprintf("files.%d.file_name", i)))
		}
		if f.Base64Content == nil {
			return errorResponse(nullOrUndefined(fmt.Sprintf("files.%d.base64_content", i)))
		}
		content, err := base64.StdEncoding.DecodeString(*f.Base64Content)
		if err != nil {
			return errorResponse(badRequest("files.%d.base64_content is not valid base64: %v", i, err))
		}
		files[*f.FileName] = content
	}
	err := e.do(func(st *state) *apiError {
		if _, exists := st.fileSecrets[*req.Name]; exists {
			return conflict("file secret %q already exists; delete it first or choose another name", *req.Name)
		}
		st.fileSecrets[*req.Name] = &fileSecret{Name: *req.Name, Files: files, CreatedAt: st.now()}
		st.touch()
		return nil
	})
	if err != nil {
		return errorResponse(err)
	}
	return emptyResponse(http.StatusCreated)
}

// handleDeleteFileSecret implements DELETE /v1/file-secrets/{name}[?force=true].
func (e *Emulator) handleDeleteFileSecret(r *http.Request) (response, *apiError) {
	name := r.PathValue("name")
	force := r.URL.Query().Get("force") == "true"
	err := e.do(func(st *state) *apiError {
		if _, ok := st.fileSecrets[name]; !ok {
			return notFound("file secret %q not found", name)
		}
		if users := st.deploymentsUsing(func(c *container) bool {
			return slices.ContainsFunc(c.VolumeMounts, func(m volumeMount) bool { return m.Type == mountTypeSecret && m.SecretName == name })
		}); len(users) > 0 && !force {
			return forbiddenAction("file secret %q is mounted by container deployments %s; remove the mounts or delete with force=true", name, quoteList(users))
		}
		delete(st.fileSecrets, name)
		st.touch()
		return nil
	})
	if err != nil {
		return errorResponse(err)
	}
	return emptyResponse(http.StatusNoContent)
}

// ---- container registry credentials ----

// registryCredentialFields lists, per credential type, the fields the API requires. All of them are secret.
var registryCredentialFields = map[string][]string{
	"verda":     {},
	"dockerhub": {"username", "access_token"},
	"ghcr":      {"username", "access_token"},
	"gcr":       {"service_account_key"},
	"aws-ecr":   {"access_key_id", "secret_access_key", "region", "ecr_repo"},
	"scaleway":  {"scaleway_domain", "scaleway_uuid"},
	"custom":    {"docker_config_json"},
}

func registryTypes() string {
	names := make([]string, 0, len(registryCredentialFields))
	for name := range registryCredentialFields {
		names = append(names, name)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// handleListRegistryCredentials implements GET /v1/container-registry-credentials. Credential fields are
// never returned.
func (e *Emulator) handleListRegistryCredentials(*http.Request) (response, *apiError) {
	out := []wireRegistryCredential{}
	e.read(func(st *state) {
		for _, c := range st.registryCredentials {
			out = append(out, wireRegistryCredential{Name: c.Name, CreatedAt: formatTime(c.CreatedAt)})
		}
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return jsonResponse(http.StatusOK, out)
}

// handleCreateRegistryCredential implements POST /v1/container-registry-credentials.
func (e *Emulator) handleCreateRegistryCredential(r *http.Request) (response, *apiError) {
	var body map[string]any
	if err := decodeJSON(r, &body); err != nil {
		return errorResponse(err)
	}
	name, _ := body["name"].(string)
	if body["name"] == nil {
		return errorResponse(nullOrUndefined("name"))
	}
	if err := validateSecretName("name", name); err != nil {
		return errorResponse(err)
	}

	credType, _ := body["type"].(string)
	if body["type"] == nil {
		return errorResponse(nullOrUndefined("type"))
	}
	required, known := registryCredentialFields[credType]
	if !known {
		return errorResponse(badRequest("type must be one of the following values: %s (got %q)", registryTypes(), credType))
	}
	fields := map[string]string{}
	for _, field := range required {
		value, ok := body[field].(string)
		if !ok || value == "" {
			return errorResponse(nullOrUndefined(field))
		}
		fields[field] = value
	}

	err := e.do(func(st *state) *apiError {
		if _, exists := st.registryCredentials[name]; exists {
			return conflict("container registry credentials %q already exist; delete them first or choose another name", name)
		}
		st.registryCredentials[name] = &registryCredential{Name: name, Type: credType, Fields: fields, CreatedAt: st.now()}
		st.touch()
		return nil
	})
	if err != nil {
		return errorResponse(err)
	}
	return emptyResponse(http.StatusCreated)
}

// handleDeleteRegistryCredential implements DELETE /v1/container-registry-credentials/{name}[?force=true].
func (e *Emulator) handleDeleteRegistryCredential(r *http.Request) (response, *apiError) {
	name := r.PathValue("name")
	force := r.URL.Query().Get("force") == "true"
	err := e.do(func(st *state) *apiError {
		if _, ok := st.registryCredentials[name]; !ok {
			return notFound("container registry credentials %q not found", name)
		}
		var users []string
		for _, d := range st.orderedDeployments() {
			if d.Registry.Credentials != nil && d.Registry.Credentials.Name == name {
				users = append(users, d.Name)
			}
		}
		if len(users) > 0 && !force {
			return forbiddenAction("container registry credentials %q are used by container deployments %s; change their registry settings or delete with force=true", name, quoteList(users))
		}
		delete(st.registryCredentials, name)
		st.touch()
		return nil
	})
	if err != nil {
		return errorResponse(err)
	}
	return emptyResponse(http.StatusNoContent)
}
