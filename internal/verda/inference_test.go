package verda

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// endpointServer is a deployment endpoint that records the Authorization
// header and path of each request.
type endpointServer struct {
	server *httptest.Server

	handler http.HandlerFunc

	mu    sync.Mutex
	auth  []string
	paths []string
}

func newEndpointServer(t *testing.T, handler http.HandlerFunc) *endpointServer {
	t.Helper()
	e := &endpointServer{handler: handler}
	e.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		e.auth = append(e.auth, r.Header.Get("Authorization"))
		e.paths = append(e.paths, r.URL.Path)
		e.mu.Unlock()
		e.handler(w, r)
	}))
	t.Cleanup(e.server.Close)
	return e
}

func (e *endpointServer) seen() (auth, paths []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.auth...), append([]string(nil), e.paths...)
}

func TestInferenceUsesInferenceKey(t *testing.T) {
	f := newFakeAPI(t, statusHandler)
	endpoint := newEndpointServer(t, func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"system": map[string]string{"os": "posix"}})
	})
	c, _ := newTestClient(t, f, Config{InferenceAPIKey: testInferenceKey})
	var out struct {
		System struct {
			OS string `json:"os"`
		} `json:"system"`
	}

	err := c.CallInference(testContext(t), InferenceRequest{
		Deployment:      "comfy",
		EndpointBaseURL: endpoint.server.URL + "/comfy",
		Path:            "system_stats",
		Out:             &out,
	})

	if err != nil {
		t.Fatalf("CallInference: %v", err)
	}
	auth, paths := endpoint.seen()
	if len(auth) != 1 {
		t.Fatalf("endpoint requests = %d, want 1", len(auth))
	}
	if auth[0] != "Bearer "+testInferenceKey {
		t.Errorf("Authorization = %q, want the inference key", auth[0])
	}
	if paths[0] != "/comfy/system_stats" {
		t.Errorf("path = %q, want /comfy/system_stats", paths[0])
	}
	if got := len(f.tokens()); got != 0 {
		t.Errorf("token requests = %d, want 0: an inference call needs no OAuth token", got)
	}
	if out.System.OS != "posix" {
		t.Errorf("decoded os = %q, want posix", out.System.OS)
	}
}

func TestInferenceDoesNotSendOAuthToken(t *testing.T) {
	f := newFakeAPI(t, statusHandler)
	endpoint := newEndpointServer(t, func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{})
	})
	c, _ := newTestClient(t, f, Config{InferenceAPIKey: testInferenceKey})
	ctx := testContext(t)

	// A cached OAuth token must not leak to the deployment endpoint.
	if _, err := c.GetDeploymentStatus(ctx, "comfy"); err != nil {
		t.Fatalf("GetDeploymentStatus: %v", err)
	}
	err := c.CallInference(ctx, InferenceRequest{Deployment: "comfy", EndpointBaseURL: endpoint.server.URL, Path: "/health"})

	if err != nil {
		t.Fatalf("CallInference: %v", err)
	}
	auth, _ := endpoint.seen()
	if strings.Contains(auth[0], accessTokenN(1)) {
		t.Errorf("Authorization = %q, carries the OAuth token", auth[0])
	}
}

func TestInferenceWithoutKey(t *testing.T) {
	f := newFakeAPI(t, statusHandler)
	endpoint := newEndpointServer(t, func(w http.ResponseWriter, _ *http.Request) {})
	c, _ := newTestClient(t, f, Config{})

	err := c.CallInference(testContext(t), InferenceRequest{Deployment: "comfy", EndpointBaseURL: endpoint.server.URL, Path: "/health"})

	if !errors.Is(err, ErrNoInferenceKey) {
		t.Errorf("error = %v, want ErrNoInferenceKey", err)
	}
	if c.HasInferenceKey() {
		t.Error("HasInferenceKey = true, want false")
	}
	if auth, _ := endpoint.seen(); len(auth) != 0 {
		t.Errorf("endpoint requests = %d, want 0", len(auth))
	}
}

func TestInference401NotReauthenticated(t *testing.T) {
	f := newFakeAPI(t, statusHandler)
	endpoint := newEndpointServer(t, func(w http.ResponseWriter, _ *http.Request) {
		writeAPIError(w, http.StatusUnauthorized, "unauthorized_request", "bad key")
	})
	c, _ := newTestClient(t, f, Config{InferenceAPIKey: testInferenceKey})

	err := c.CallInference(testContext(t), InferenceRequest{Deployment: "comfy", EndpointBaseURL: endpoint.server.URL, Path: "/health"})

	if !errors.Is(err, ErrUnauthorized) {
		t.Errorf("error = %v, want ErrUnauthorized", err)
	}
	if auth, _ := endpoint.seen(); len(auth) != 1 {
		t.Errorf("endpoint requests = %d, want 1", len(auth))
	}
	if got := len(f.tokens()); got != 0 {
		t.Errorf("token requests = %d, want 0", got)
	}
}

func TestInferenceErrorNamesCall(t *testing.T) {
	f := newFakeAPI(t, statusHandler)
	endpoint := newEndpointServer(t, func(w http.ResponseWriter, _ *http.Request) {
		writeAPIError(w, http.StatusBadRequest, "", "prompt has no outputs")
	})
	c, _ := newTestClient(t, f, Config{InferenceAPIKey: testInferenceKey})

	err := c.CallInference(testContext(t), InferenceRequest{
		Deployment: "comfy", EndpointBaseURL: endpoint.server.URL, Method: http.MethodPost, Path: "/prompt",
		Body: map[string]any{"prompt": map[string]any{}},
	})

	if err == nil {
		t.Fatal("CallInference succeeded, want an error")
	}
	want := `call POST /prompt on container deployment "comfy": Verda API returned HTTP 400 Bad Request: prompt has no outputs`
	if err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
}

func TestInferenceSendsJSONBody(t *testing.T) {
	f := newFakeAPI(t, statusHandler)
	var body map[string]any
	var mu sync.Mutex
	endpoint := newEndpointServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "want JSON", http.StatusUnsupportedMediaType)
			return
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		writeJSON(w, http.StatusOK, map[string]string{"prompt_id": "p-1"})
	})
	c, _ := newTestClient(t, f, Config{InferenceAPIKey: testInferenceKey})
	var out map[string]string

	err := c.CallInference(testContext(t), InferenceRequest{
		Deployment: "comfy", EndpointBaseURL: endpoint.server.URL, Method: http.MethodPost, Path: "/prompt",
		Body: map[string]any{"client_id": "tf"}, Out: &out,
	})

	if err != nil {
		t.Fatalf("CallInference: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if body["client_id"] != "tf" {
		t.Errorf("body received = %v, want client_id tf", body)
	}
	if out["prompt_id"] != "p-1" {
		t.Errorf("prompt_id = %q, want p-1", out["prompt_id"])
	}
}

func TestInferenceRejectsPlainHTTPRemoteEndpoint(t *testing.T) {
	f := newFakeAPI(t, statusHandler)
	c, _ := newTestClient(t, f, Config{InferenceAPIKey: testInferenceKey})

	err := c.CallInference(testContext(t), InferenceRequest{Deployment: "comfy", EndpointBaseURL: "http://containers.example.com/comfy", Path: "/health"})

	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("error = %v, want a rejection of plain http", err)
	}
}

func TestInferenceWithoutEndpointURL(t *testing.T) {
	f := newFakeAPI(t, statusHandler)
	c, _ := newTestClient(t, f, Config{InferenceAPIKey: testInferenceKey})

	err := c.CallInference(testContext(t), InferenceRequest{Deployment: "comfy", Path: "/health"})

	want := `call /health on container deployment "comfy": the deployment has no endpoint URL yet`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}
