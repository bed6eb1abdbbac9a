package emulator

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestFaultRateLimitWithRetryAfter(t *testing.T) {
	t.Parallel()
	for _, retryAfter := range []string{"2", "Sun, 01 Mar 2026 12:00:02 GMT"} {
		t.Run(retryAfter, func(t *testing.T) {
			t.Parallel()
			ts, c, _ := newTestEmulator(t, Options{})
			ts.Emulator.AddFault(Fault{Method: http.MethodGet, Path: "/v1/volumes", Status: http.StatusTooManyRequests, RetryAfter: retryAfter})

			res := c.send(http.MethodGet, "/v1/volumes", nil)
			if res.Status != http.StatusTooManyRequests {
				t.Fatalf("status %d, want 429", res.Status)
			}
			if got := res.Header.Get("Retry-After"); got != retryAfter {
				t.Errorf("Retry-After = %q, want %q", got, retryAfter)
			}
			if !strings.Contains(string(res.Body), `"code":"too_many_requests"`) {
				t.Errorf("body %s is not the JSON envelope", res.Body)
			}
			c.expectJSON(http.MethodGet, "/v1/volumes", nil, http.StatusOK, nil)
		})
	}
}

func TestFaultServerErrorCount(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestEmulator(t, Options{})
	ts.Emulator.AddFault(Fault{Path: "/v1/container-deployments/*", Count: 2, Status: http.StatusBadGateway})

	c.expectJSON(http.MethodGet, "/v1/container-deployments", nil, http.StatusOK, nil)
	c.expectError(http.MethodGet, "/v1/container-deployments/a", nil, http.StatusBadGateway, codeServerError, "emulated fault")
	c.expectError(http.MethodDelete, "/v1/container-deployments/b", nil, http.StatusBadGateway, codeServerError, "emulated fault")
	c.expectError(http.MethodGet, "/v1/container-deployments/a", nil, http.StatusNotFound, codeNotFound, "not found")
	if faults := ts.Emulator.Faults(); len(faults) != 0 {
		t.Errorf("used-up faults remain: %+v", faults)
	}
}

func TestFaultMethodFilter(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestEmulator(t, Options{})
	ts.Emulator.AddFault(Fault{Method: http.MethodPost, Path: "/v1/volumes", Status: http.StatusServiceUnavailable})

	c.expectJSON(http.MethodGet, "/v1/volumes", nil, http.StatusOK, nil)
	c.expectError(http.MethodPost, "/v1/volumes", map[string]any{"type": "NVMe", "name": "a", "size": 1},
		http.StatusServiceUnavailable, codeServiceUnavailable, "emulated fault")
}

func TestFaultDelay(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestEmulator(t, Options{})
	ts.Emulator.AddFault(Fault{Path: "/v1/locations", Delay: 150 * time.Millisecond})

	start := time.Now()
	c.expectJSON(http.MethodGet, "/v1/locations", nil, http.StatusOK, nil)
	if elapsed := time.Since(start); elapsed < 150*time.Millisecond {
		t.Errorf("delayed request took %v, want at least 150ms", elapsed)
	}
}

func TestFaultDelayEndsWithClientContext(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestEmulator(t, Options{})
	ts.Emulator.AddFault(Fault{Path: "/v1/locations", Delay: time.Minute, Status: http.StatusInternalServerError})

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ts.URL+"/v1/locations", nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	start := time.Now()
	_, err := http.DefaultClient.Do(req)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error = %v, want deadline exceeded", err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("cancelled request took %v", elapsed)
	}
}

func TestFaultDropClosesConnection(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestEmulator(t, Options{})
	ts.Emulator.AddFault(Fault{Path: "/v1/locations", Drop: true})

	// A fresh connection, because net/http silently retries an idempotent request that fails on a
	// reused one, which would hide the drop.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/v1/locations", nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := client.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("dropped request got a response with status %d", resp.StatusCode)
	}
	if !errors.Is(err, io.EOF) && !strings.Contains(err.Error(), "EOF") && !strings.Contains(err.Error(), "reset") {
		t.Errorf("error = %v, want a closed connection", err)
	}
	c.expectJSON(http.MethodGet, "/v1/locations", nil, http.StatusOK, nil)
}

func TestFaultCommitThenFail(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestEmulator(t, Options{})
	ts.Emulator.AddFault(Fault{Method: http.MethodPost, Path: "/v1/container-deployments", CommitThenFail: true})

	c.expectError(http.MethodPost, "/v1/container-deployments", deploymentBody("ghost-commit"), http.StatusInternalServerError, codeServerError, "emulated fault")

	c.expectJSON(http.MethodGet, "/v1/container-deployments/ghost-commit", nil, http.StatusOK, nil)
	c.expectError(http.MethodPost, "/v1/container-deployments", deploymentBody("ghost-commit"), http.StatusConflict, codeConflict, "already exists")
}

func TestFaultCommitThenDrop(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestEmulator(t, Options{})
	ts.Emulator.AddFault(Fault{Method: http.MethodPost, Path: "/v1/volumes", CommitThenFail: true, Drop: true})

	res, err := http.Post(ts.URL+"/v1/volumes", "application/json", strings.NewReader(`{"type":"NVMe","name":"x","size":1}`))
	if err == nil {
		res.Body.Close()
	}
	// The fault fires before authentication, so this unauthenticated request is dropped without committing.
	if err == nil {
		t.Fatalf("dropped request got status %d", res.StatusCode)
	}

	ts.Emulator.AddFault(Fault{Method: http.MethodPost, Path: "/v1/volumes", CommitThenFail: true, Drop: true})
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/v1/volumes", strings.NewReader(`{"type":"NVMe","name":"committed","size":1}`))
	req.Header.Set("Authorization", "Bearer "+c.token)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("commit-then-drop got status %d", resp.StatusCode)
	}
	var list []wireVolume
	c.expectJSON(http.MethodGet, "/v1/volumes", nil, http.StatusOK, &list)
	if len(list) != 1 || list[0].Name != "committed" {
		t.Errorf("volumes after commit-then-drop = %+v, want the committed one", list)
	}
}

func TestFaultDropWithoutHijacker(t *testing.T) {
	t.Parallel()
	e, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	e.AddFault(Fault{Path: "/v1/locations", Drop: true})

	defer func() {
		if recovered := recover(); recovered != http.ErrAbortHandler {
			t.Errorf("recovered %v, want http.ErrAbortHandler", recovered)
		}
	}()
	e.Handler().ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/v1/locations", nil))
	t.Error("drop on a ResponseRecorder did not abort")
}

func TestFaultsSkipControlPlane(t *testing.T) {
	t.Parallel()
	ts, c, _ := newTestEmulator(t, Options{})
	ts.Emulator.AddFault(Fault{Path: "/**", Status: http.StatusInternalServerError, Count: 100})

	res := c.send(http.MethodGet, "/_emulator/faults", nil)
	if res.Status != http.StatusOK {
		t.Errorf("control plane answered %d under a catch-all fault", res.Status)
	}
	c.expectError(http.MethodGet, "/v1/locations", nil, http.StatusInternalServerError, codeServerError, "emulated fault")
}

func TestMatchPathPattern(t *testing.T) {
	t.Parallel()
	cases := []struct {
		pattern, path string
		want          bool
	}{
		{"/v1/volumes", "/v1/volumes", true},
		{"/v1/volumes", "/v1/volumes/x", false},
		{"/v1/volumes/*", "/v1/volumes/x", true},
		{"/v1/volumes/*", "/v1/volumes", false},
		{"/v1/volumes/*", "/v1/volumes/x/y", false},
		{"/v1/container-deployments/*/status", "/v1/container-deployments/a/status", true},
		{"/v1/container-deployments/*/status", "/v1/container-deployments/a/scaling", false},
		{"/v1/container-deployments/**", "/v1/container-deployments/a/status", true},
		{"/v1/container-deployments/**", "/v1/container-deployments", true},
		{"/v1/container-deployments/**", "/v1/volumes", false},
		{"/**", "/anything/at/all", true},
		{"v1/locations", "/v1/locations", true},
	}
	for _, tc := range cases {
		if got := matchPathPattern(tc.pattern, tc.path); got != tc.want {
			t.Errorf("matchPathPattern(%q, %q) = %v, want %v", tc.pattern, tc.path, got, tc.want)
		}
	}
}
