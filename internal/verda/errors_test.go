package verda

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

// errorWith returns a handler that responds to every API request with
// status, a JSON {code, message} body and a request id.
func errorWith(status int, code, message, requestID string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Request-Id", requestID)
		writeAPIError(w, status, code, message)
	}
}

func TestNotFoundIsErrNotFound(t *testing.T) {
	f := newFakeAPI(t, errorWith(http.StatusNotFound, "not_found", "deployment not found", "req-404"))
	c, _ := newTestClient(t, f, Config{})

	_, err := c.GetDeployment(testContext(t), "comfy")

	if !errors.Is(err, ErrNotFound) {
		t.Errorf("errors.Is(%v, ErrNotFound) = false, want true", err)
	}
	if !IsNotFound(err) {
		t.Errorf("IsNotFound(%v) = false, want true", err)
	}
	if errors.Is(err, ErrConflict) {
		t.Errorf("errors.Is(%v, ErrConflict) = true, want false", err)
	}
}

func TestConflictIsErrConflict(t *testing.T) {
	f := newFakeAPI(t, errorWith(http.StatusConflict, "conflict", "name already in use", "req-409"))
	c, _ := newTestClient(t, f, Config{})

	_, err := c.CreateDeployment(testContext(t), CreateDeploymentRequest{Name: "comfy"})

	if !errors.Is(err, ErrConflict) {
		t.Errorf("errors.Is(%v, ErrConflict) = false, want true", err)
	}
	if errors.Is(err, ErrNotFound) {
		t.Errorf("errors.Is(%v, ErrNotFound) = true, want false", err)
	}
}

func TestStatusSentinels(t *testing.T) {
	cases := []struct {
		status int
		want   error
	}{
		{http.StatusBadRequest, ErrBadRequest},
		{http.StatusUnauthorized, ErrUnauthorized},
		{http.StatusForbidden, ErrUnauthorized},
		{http.StatusTooManyRequests, ErrRateLimited},
	}
	for _, tc := range cases {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			err := &APIError{Operation: "read", StatusCode: tc.status}
			if !errors.Is(err, tc.want) {
				t.Errorf("errors.Is(HTTP %d, %v) = false, want true", tc.status, tc.want)
			}
			if errors.Is(err, ErrNotFound) {
				t.Errorf("errors.Is(HTTP %d, ErrNotFound) = true, want false", tc.status)
			}
		})
	}
}

func TestAPIErrorMessageNamesEverything(t *testing.T) {
	f := newFakeAPI(t, errorWith(http.StatusNotFound, "not_found", "deployment comfy-h200 not found", "req-7c1e"))
	c, _ := newTestClient(t, f, Config{})

	_, err := c.GetDeployment(testContext(t), "comfy-h200")

	if err == nil {
		t.Fatal("GetDeployment succeeded, want an error")
	}
	msg := err.Error()
	for _, want := range []string{
		`read container deployment "comfy-h200"`,
		"HTTP 404",
		"(not_found)",
		"deployment comfy-h200 not found",
		"request id req-7c1e",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not contain %q", msg, want)
		}
	}
}

func TestAPIErrorFields(t *testing.T) {
	f := newFakeAPI(t, errorWith(http.StatusBadRequest, "invalid_request", "volume_mounts.0.volume_id should not be null or undefined", "req-400"))
	c, _ := newTestClient(t, f, Config{})

	_, err := c.UpdateDeployment(testContext(t), "comfy", UpdateDeploymentRequest{})

	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error %v (%T) is not an *APIError", err, err)
	}
	if apiErr.Operation != "update" {
		t.Errorf("Operation = %q, want %q", apiErr.Operation, "update")
	}
	if apiErr.Object != `container deployment "comfy"` {
		t.Errorf("Object = %q, want %q", apiErr.Object, `container deployment "comfy"`)
	}
	if apiErr.StatusCode != http.StatusBadRequest {
		t.Errorf("StatusCode = %d, want 400", apiErr.StatusCode)
	}
	if apiErr.Code != "invalid_request" {
		t.Errorf("Code = %q, want invalid_request", apiErr.Code)
	}
	if apiErr.Message != "volume_mounts.0.volume_id should not be null or undefined" {
		t.Errorf("Message = %q", apiErr.Message)
	}
	if apiErr.RequestID != "req-400" {
		t.Errorf("RequestID = %q, want req-400", apiErr.RequestID)
	}
}

func TestVolumeErrorNamesVolume(t *testing.T) {
	f := newFakeAPI(t, errorWith(http.StatusNotFound, "not_found", "no such volume", "req-v"))
	c, _ := newTestClient(t, f, Config{})

	err := c.ResizeVolume(testContext(t), "vol-123", 100)

	if err == nil || !strings.Contains(err.Error(), `resize volume "vol-123"`) {
		t.Errorf("error %v does not name the operation and volume", err)
	}
}

func TestErrorBodyPlainText(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, "  <html><body>upstream connect error</body></html>\n")
	})
	c, _ := newTestClient(t, f, Config{})

	_, err := c.GetDeployment(testContext(t), "comfy")

	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error %v (%T) is not an *APIError", err, err)
	}
	if apiErr.StatusCode != http.StatusInternalServerError {
		t.Errorf("StatusCode = %d, want 500", apiErr.StatusCode)
	}
	if apiErr.Message != "<html><body>upstream connect error</body></html>" {
		t.Errorf("Message = %q, want the trimmed body", apiErr.Message)
	}
	if apiErr.Code != "" {
		t.Errorf("Code = %q, want empty", apiErr.Code)
	}
}

func TestErrorBodyLongTextTruncated(t *testing.T) {
	long := strings.Repeat("x", 2000)
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, long, http.StatusInternalServerError)
	})
	c, _ := newTestClient(t, f, Config{})

	_, err := c.GetDeployment(testContext(t), "comfy")

	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error %v (%T) is not an *APIError", err, err)
	}
	if len(apiErr.Message) > 600 {
		t.Errorf("Message has %d bytes, want it truncated near 512", len(apiErr.Message))
	}
	if !strings.HasSuffix(apiErr.Message, "…") {
		t.Errorf("truncated Message does not end with an ellipsis: %q", apiErr.Message[len(apiErr.Message)-10:])
	}
}

func TestErrorBodyMessageAndStatus(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Volume limit exceeded", "status": 400})
	})
	c, _ := newTestClient(t, f, Config{})

	_, err := c.CreateVolume(testContext(t), CreateVolumeRequest{Type: "NVMe", Name: "models", Size: 50})

	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error %v (%T) is not an *APIError", err, err)
	}
	if apiErr.Message != "Volume limit exceeded" {
		t.Errorf("Message = %q, want %q", apiErr.Message, "Volume limit exceeded")
	}
	if apiErr.Code != "" {
		t.Errorf("Code = %q, want empty", apiErr.Code)
	}
	if !errors.Is(err, ErrBadRequest) {
		t.Errorf("errors.Is(%v, ErrBadRequest) = false, want true", err)
	}
}

func TestErrorBodyErrorString(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusForbidden, map[string]any{"error": "forbidden_action"})
	})
	c, _ := newTestClient(t, f, Config{})

	_, err := c.ListVolumes(testContext(t))

	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error %v (%T) is not an *APIError", err, err)
	}
	if apiErr.Message != "forbidden_action" {
		t.Errorf("Message = %q, want forbidden_action", apiErr.Message)
	}
}

func TestErrorBodyEmpty(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNotFound)
	})
	c, _ := newTestClient(t, f, Config{})

	_, err := c.GetVolume(testContext(t), "vol-1")

	if !errors.Is(err, ErrNotFound) {
		t.Errorf("errors.Is(%v, ErrNotFound) = false, want true", err)
	}
	if err != nil && !strings.Contains(err.Error(), `read volume "vol-1": Verda API returned HTTP 404 Not Found`) {
		t.Errorf("error %q does not name the operation, volume and status", err)
	}
}

func TestRequestIDFromAnyHeaderSpelling(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Correlation-Id", "corr-55")
		writeAPIError(w, http.StatusNotFound, "not_found", "gone")
	})
	c, _ := newTestClient(t, f, Config{})

	_, err := c.GetVolume(testContext(t), "vol-1")

	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error %v (%T) is not an *APIError", err, err)
	}
	if apiErr.RequestID != "corr-55" {
		t.Errorf("RequestID = %q, want corr-55", apiErr.RequestID)
	}
}

func TestUndecodableSuccessBody(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, "{not json")
	})
	c, _ := newTestClient(t, f, Config{})

	_, err := c.GetDeployment(testContext(t), "comfy")

	var opErr *OperationError
	if !errors.As(err, &opErr) {
		t.Fatalf("error %v (%T) is not an *OperationError", err, err)
	}
	if !strings.Contains(err.Error(), `read container deployment "comfy": decoding response (HTTP 200)`) {
		t.Errorf("error %q does not name the operation, object and failed step", err)
	}
}
