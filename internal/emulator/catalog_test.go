package emulator

import (
	"net/http"
	"strings"
	"testing"
)

func TestComputeResourcesDefaults(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{})
	var compute []computeResource
	c.expectJSON(http.MethodGet, "/v1/serverless-compute-resources", nil, http.StatusOK, &compute)

	seen := map[string]bool{}
	for _, r := range compute {
		seen[r.Name] = true
		if r.IsAvailable != (r.Name != "B300") {
			t.Errorf("%s x%d available = %v", r.Name, r.Size, r.IsAvailable)
		}
	}
	for _, name := range []string{"H100", "H200", "B200", "B300", "A100", "L40S", "RTX 4500 Ada"} {
		if !seen[name] {
			t.Errorf("compute list lacks %s", name)
		}
	}
	if len(compute) != 7*4 {
		t.Errorf("compute entries = %d, want 7 models at sizes 1, 2, 4 and 8", len(compute))
	}
}

func TestContainerTypesAndLocations(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{})

	var usd, eur []wireContainerType
	c.expectJSON(http.MethodGet, "/v1/container-types", nil, http.StatusOK, &usd)
	c.expectJSON(http.MethodGet, "/v1/container-types?currency=eur", nil, http.StatusOK, &eur)
	if len(usd) != 28 || len(eur) != 28 {
		t.Fatalf("container types = %d / %d", len(usd), len(eur))
	}
	if usd[0].Currency != "usd" || eur[0].Currency != "eur" || eur[0].ServerlessPrice >= usd[0].ServerlessPrice {
		t.Errorf("currency conversion: usd %+v eur %+v", usd[0], eur[0])
	}
	if usd[0].ID != eur[0].ID || usd[0].GPU.NumberOfGPUs != 1 || usd[3].GPU.NumberOfGPUs != 8 {
		t.Errorf("container type ids or sizes differ: %+v", usd[:4])
	}
	c.expectError(http.MethodGet, "/v1/container-types?currency=gbp", nil, http.StatusBadRequest, codeInvalidRequest, "currency must be one of")

	var locs []location
	c.expectJSON(http.MethodGet, "/v1/locations", nil, http.StatusOK, &locs)
	var codes []string
	for _, l := range locs {
		codes = append(codes, l.Code)
	}
	if !equalStrings(codes, []string{"FIN-01", "FIN-02", "FIN-03", "ICE-01"}) {
		t.Errorf("locations = %v", codes)
	}
}

func TestSecretsCRUD(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{})

	c.expectJSON(http.MethodPost, "/v1/secrets", map[string]string{"name": "b-secret", "value": "1"}, http.StatusCreated, nil)
	c.expectJSON(http.MethodPost, "/v1/secrets", map[string]string{"name": "a-secret", "value": "2"}, http.StatusCreated, nil)
	c.expectError(http.MethodPost, "/v1/secrets", map[string]string{"name": "a-secret", "value": "3"}, http.StatusConflict, codeConflict, "already exists")
	c.expectError(http.MethodPost, "/v1/secrets", map[string]string{"name": "x"}, http.StatusBadRequest, codeInvalidRequest, "value should not be null")
	c.expectError(http.MethodPost, "/v1/secrets", map[string]string{"name": "a/b", "value": "x"}, http.StatusBadRequest, codeInvalidRequest, "must not contain slashes")

	var secrets []wireSecret
	c.expectJSON(http.MethodGet, "/v1/secrets", nil, http.StatusOK, &secrets)
	if len(secrets) != 2 || secrets[0].Name != "a-secret" || secrets[0].SecretType != "generic" || secrets[0].CreatedAt == "" {
		t.Errorf("secrets = %+v", secrets)
	}
	c.expectJSON(http.MethodDelete, "/v1/secrets/a-secret", nil, http.StatusNoContent, nil)
	c.expectError(http.MethodDelete, "/v1/secrets/a-secret", nil, http.StatusNotFound, codeNotFound, "not found")
}

func TestFileSecretsCRUD(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{})

	c.expectJSON(http.MethodPost, "/v1/file-secrets", map[string]any{"name": "tls", "files": []any{
		map[string]string{"file_name": "cert.pem", "base64_content": "Y2VydA=="},
		map[string]string{"file_name": "key.pem", "base64_content": "a2V5"},
	}}, http.StatusCreated, nil)
	c.expectError(http.MethodPost, "/v1/file-secrets", map[string]any{"name": "empty", "files": []any{}}, http.StatusBadRequest, codeInvalidRequest, "files should not be empty")
	c.expectError(http.MethodPost, "/v1/file-secrets", map[string]any{"name": "bad", "files": []any{map[string]string{"file_name": "a", "base64_content": "%%%"}}},
		http.StatusBadRequest, codeInvalidRequest, "not valid base64")

	var list []wireFileSecret
	c.expectJSON(http.MethodGet, "/v1/file-secrets", nil, http.StatusOK, &list)
	if len(list) != 1 || !equalStrings(list[0].FileNames, []string{"cert.pem", "key.pem"}) || list[0].SecretType != "file-secret" {
		t.Errorf("file secrets = %+v", list)
	}

	body := deploymentBody("tls-user")
	firstContainer(body)["volume_mounts"] = []any{map[string]any{"type": "secret", "mount_path": "/etc/tls", "secret_name": "tls"}}
	c.createDeployment(body)
	c.expectError(http.MethodDelete, "/v1/file-secrets/tls", nil, http.StatusBadRequest, codeForbiddenAction, `"tls-user"`)

	missing := deploymentBody("no-tls")
	firstContainer(missing)["volume_mounts"] = []any{map[string]any{"type": "secret", "mount_path": "/etc/tls", "secret_name": "nope"}}
	c.expectError(http.MethodPost, "/v1/container-deployments", missing, http.StatusBadRequest, codeInvalidRequest, `file secret "nope" not found`)
}

func TestRegistryCredentials(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{})

	c.expectJSON(http.MethodPost, "/v1/container-registry-credentials", map[string]string{
		"name": "ghcr", "type": "ghcr", "username": "bot", "access_token": "ghp_x",
	}, http.StatusCreated, nil)
	c.expectError(http.MethodPost, "/v1/container-registry-credentials", map[string]string{"name": "ghcr", "type": "ghcr", "username": "b", "access_token": "t"},
		http.StatusConflict, codeConflict, "already exist")
	c.expectError(http.MethodPost, "/v1/container-registry-credentials", map[string]string{"name": "hub", "type": "dockerhub", "username": "b"},
		http.StatusBadRequest, codeInvalidRequest, "access_token should not be null or undefined")
	c.expectError(http.MethodPost, "/v1/container-registry-credentials", map[string]string{"name": "q", "type": "quay"},
		http.StatusBadRequest, codeInvalidRequest, "type must be one of")
	c.expectJSON(http.MethodPost, "/v1/container-registry-credentials", map[string]string{
		"name": "ecr", "type": "aws-ecr", "access_key_id": "a", "secret_access_key": "s", "region": "eu-west-1", "ecr_repo": "r",
	}, http.StatusCreated, nil)

	res := c.expectJSON(http.MethodGet, "/v1/container-registry-credentials", nil, http.StatusOK, nil)
	for _, leaked := range []string{"ghp_x", "bot", "secret_access_key", "username"} {
		if strings.Contains(string(res.Body), leaked) {
			t.Errorf("credential list leaks %q: %s", leaked, res.Body)
		}
	}

	body := deploymentBody("private")
	body["container_registry_settings"] = map[string]any{"is_private": true, "credentials": map[string]any{"name": "ghcr"}}
	created := c.createDeployment(body)
	if created.ContainerRegistrySettings.Credentials == nil || created.ContainerRegistrySettings.Credentials.Name != "ghcr" {
		t.Errorf("registry settings = %+v", created.ContainerRegistrySettings)
	}
	c.expectError(http.MethodDelete, "/v1/container-registry-credentials/ghcr", nil, http.StatusBadRequest, codeForbiddenAction, `"private"`)
	c.expectJSON(http.MethodDelete, "/v1/container-registry-credentials/ecr", nil, http.StatusNoContent, nil)
}
