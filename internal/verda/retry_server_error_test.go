package verda

import (
	"net/http"
	"testing"
)

func TestGetRetriedAfter500(t *testing.T) {
	f := newFakeAPI(t, failFirst(2, http.StatusInternalServerError, nil, statusHandler))
	c, _ := newTestClient(t, f, Config{})

	status, err := c.GetDeploymentStatus(testContext(t), "comfy")

	if err != nil {
		t.Fatalf("GetDeploymentStatus: %v", err)
	}
	if status != StatusHealthy {
		t.Errorf("status = %q, want %q", status, StatusHealthy)
	}
	if got := len(f.apiRequests()); got != 3 {
		t.Errorf("API requests = %d, want 3 (two 500s, then the answer)", got)
	}
}

func TestUpdateRetriedAfter500(t *testing.T) {
	f := newFakeAPI(t, failFirst(1, http.StatusInternalServerError, nil, func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"name": "comfy"})
	}))
	c, _ := newTestClient(t, f, Config{})

	_, err := c.UpdateDeployment(testContext(t), "comfy", UpdateDeploymentRequest{})

	if err != nil {
		t.Fatalf("UpdateDeployment: %v", err)
	}
	if got := len(f.apiRequests()); got != 2 {
		t.Errorf("API requests = %d, want 2: a PATCH sets absolute values, so it is repeated after a 500", got)
	}
}

func TestNotImplementedNotRetried(t *testing.T) {
	f := newFakeAPI(t, failFirst(1, http.StatusNotImplemented, nil, statusHandler))
	c, _ := newTestClient(t, f, Config{})

	_, err := c.GetDeploymentStatus(testContext(t), "comfy")

	if err == nil {
		t.Fatal("GetDeploymentStatus succeeded, want the 501")
	}
	if got := len(f.apiRequests()); got != 1 {
		t.Errorf("API requests = %d, want 1: a 501 does not heal by waiting", got)
	}
}
