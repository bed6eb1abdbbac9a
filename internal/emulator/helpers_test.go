package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// testStart is the fixed time of every test clock.
var testStart = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// apiClient sends plain JSON requests to an emulator, with a bearer token once it has one.
type apiClient struct {
	t            *testing.T
	root         string
	token        string
	clientID     string
	clientSecret string
}

type apiResult struct {
	Status int
	Header http.Header
	Body   []byte
}

// newTestEmulator starts an emulator with a manual clock and returns a signed-in client.
func newTestEmulator(t *testing.T, opts Options) (*TestServer, *apiClient, *ManualClock) {
	t.Helper()
	clock := NewManualClock(testStart)
	if opts.Clock == nil {
		opts.Clock = clock
	}
	ts := NewTestServer(t, opts)
	c := &apiClient{t: t, root: ts.URL, clientID: cmpOr(opts.ClientID, DefaultClientID), clientSecret: cmpOr(opts.ClientSecret, DefaultClientSecret)}
	c.token = c.fetchToken()
	return ts, c, clock
}

func (c *apiClient) fetchToken() string {
	c.t.Helper()
	var tok wireToken
	c.expectJSON(http.MethodPost, "/v1/oauth2/token", map[string]string{
		"grant_type": "client_credentials", "client_id": c.clientID, "client_secret": c.clientSecret,
	}, http.StatusOK, &tok)
	if tok.AccessToken == "" {
		c.t.Fatal("token response has no access_token")
	}
	return tok.AccessToken
}

// send performs a request. A []byte or string body is sent as is; anything else as JSON.
func (c *apiClient) send(method, path string, body any, headers ...string) apiResult {
	c.t.Helper()
	var reader io.Reader
	contentType := ""
	switch b := body.(type) {
	case nil:
	case []byte:
		reader = bytes.NewReader(b)
	case string:
		reader = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			c.t.Fatalf("encoding request body: %v", err)
		}
		reader = bytes.NewReader(data)
		contentType = "application/json"
	}

	req, err := http.NewRequest(method, c.root+path, reader)
	if err != nil {
		c.t.Fatalf("building request %s %s: %v", method, path, err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}

	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s failed: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("reading response of %s %s: %v", method, path, err)
	}
	return apiResult{Status: resp.StatusCode, Header: resp.Header, Body: data}
}

// expectJSON performs a request, checks the status and decodes the JSON body into out (when not nil).
func (c *apiClient) expectJSON(method, path string, body any, wantStatus int, out any) apiResult {
	c.t.Helper()
	res := c.send(method, path, body)
	if res.Status != wantStatus {
		c.t.Fatalf("%s %s: status %d, want %d; body: %s", method, path, res.Status, wantStatus, res.Body)
	}
	if out != nil {
		if err := json.Unmarshal(res.Body, out); err != nil {
			c.t.Fatalf("%s %s: decoding %q: %v", method, path, res.Body, err)
		}
	}
	return res
}

// expectError performs a request and checks the status, the JSON envelope's code and a message substring.
func (c *apiClient) expectError(method, path string, body any, wantStatus int, wantCode, wantMessage string) errorEnvelope {
	c.t.Helper()
	res := c.send(method, path, body)
	if res.Status != wantStatus {
		c.t.Fatalf("%s %s: status %d, want %d; body: %s", method, path, res.Status, wantStatus, res.Body)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		c.t.Fatalf("%s %s: error content type %q, want application/json", method, path, ct)
	}
	var env errorEnvelope
	if err := json.Unmarshal(res.Body, &env); err != nil {
		c.t.Fatalf("%s %s: error body %q is not the JSON envelope: %v", method, path, res.Body, err)
	}
	if env.Code != wantCode {
		c.t.Errorf("%s %s: code %q, want %q (message %q)", method, path, env.Code, wantCode, env.Message)
	}
	if !strings.Contains(env.Message, wantMessage) {
		c.t.Errorf("%s %s: message %q does not contain %q", method, path, env.Message, wantMessage)
	}
	return env
}

// deploymentBody returns a valid create body for a ComfyUI deployment that becomes healthy.
func deploymentBody(name string) map[string]any {
	return map[string]any{
		"name":    name,
		"is_spot": false,
		"compute": map[string]any{"name": "H100", "size": 1},
		"scaling": map[string]any{
			"min_replica_count": 1, "max_replica_count": 2,
			"scale_down_policy": map[string]any{"delay_seconds": 300}, "scale_up_policy": map[string]any{"delay_seconds": 0},
			"queue_message_ttl_seconds": 300, "concurrent_requests_per_replica": 1,
			"scaling_triggers": map[string]any{"queue_load": map[string]any{"threshold": 1}},
		},
		"containers": []any{comfyContainer()},
	}
}

func comfyContainer() map[string]any {
	return map[string]any{
		"image":        "ghcr.io/comfyume/comfyui:0.3.64-cu128",
		"exposed_port": 8188,
		"healthcheck":  map[string]any{"enabled": true, "port": 8188, "path": "/system_stats"},
		"entrypoint_overrides": map[string]any{
			"enabled":    true,
			"entrypoint": []string{"python3", "/app/ComfyUI/main.py"},
			"cmd":        []string{"--listen", "0.0.0.0", "--port", "8188"},
		},
		"env":           []any{map[string]any{"type": "plain", "name": "COMFYUI_LOG_LEVEL", "value_or_reference_to_secret": "INFO"}},
		"volume_mounts": []any{map[string]any{"type": "scratch", "mount_path": "/data"}},
	}
}

// createDeployment creates a deployment and fails the test unless the API accepts it.
func (c *apiClient) createDeployment(body map[string]any) wireDeployment {
	c.t.Helper()
	var out wireDeployment
	c.expectJSON(http.MethodPost, "/v1/container-deployments", body, http.StatusOK, &out)
	return out
}

// status reads /status once, which counts as one lifecycle read.
func (c *apiClient) status(name string) string {
	c.t.Helper()
	var out wireStatus
	c.expectJSON(http.MethodGet, "/v1/container-deployments/"+name+"/status", nil, http.StatusOK, &out)
	return out.Status
}

// statusSequence reads /status n times and returns what each read saw.
func (c *apiClient) statusSequence(name string, n int) []string {
	c.t.Helper()
	var out []string
	for range n {
		out = append(out, c.status(name))
	}
	return out
}

// createVolume creates a volume and returns its id from the text/plain response.
func (c *apiClient) createVolume(name, volumeType string, size int) string {
	c.t.Helper()
	res := c.send(http.MethodPost, "/v1/volumes", map[string]any{"type": volumeType, "name": name, "size": size, "location_code": "FIN-03"})
	if res.Status != http.StatusCreated {
		c.t.Fatalf("POST /v1/volumes: status %d, body %s", res.Status, res.Body)
	}
	return string(res.Body)
}

func (c *apiClient) getVolume(id string) wireVolume {
	c.t.Helper()
	var v wireVolume
	c.expectJSON(http.MethodGet, "/v1/volumes/"+id, nil, http.StatusOK, &v)
	return v
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
