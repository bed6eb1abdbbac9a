package verda

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestSlowAPIErrorNamesRequestTimeout(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	f := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	c, _ := newTestClient(t, f, Config{RequestTimeout: 50 * time.Millisecond, MaxRetries: 1})

	_, err := c.GetDeploymentStatus(testContext(t), "comfy")

	if err == nil {
		t.Fatal("GetDeploymentStatus succeeded, want a timeout")
	}
	if !strings.Contains(err.Error(), "did not respond within the request timeout of 50ms") {
		t.Errorf("error %q does not name the request timeout", err)
	}
	if got := len(f.apiRequests()); got != 2 {
		t.Errorf("API requests = %d, want 2: a timed-out GET is retried", got)
	}
}

func TestUnreachableAPIErrorSaysSo(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := listener.Addr().String()
	_ = listener.Close()
	c, err := New(Config{
		BaseURL: "http://" + addr + "/v1", ClientID: testClientID, ClientSecret: testClientSecret,
		MaxRetries: 1, RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}

	_, err = c.ListVolumes(testContext(t))

	if err == nil {
		t.Fatal("ListVolumes succeeded, want a connection error")
	}
	if !strings.Contains(err.Error(), "the Verda API at "+addr+" could not be reached") {
		t.Errorf("error %q does not say that the API could not be reached", err)
	}
	if strings.Contains(err.Error(), testClientSecret) {
		t.Errorf("error %q contains the client secret", err)
	}
}

func TestCancelledCallNotExplainedAsTimeout(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	c, _ := newTestClient(t, f, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()

	_, err := c.GetDeploymentStatus(ctx, "comfy")

	if err == nil {
		t.Fatal("GetDeploymentStatus succeeded, want the deadline")
	}
	if strings.Contains(err.Error(), "request timeout") {
		t.Errorf("error %q blames the request timeout for the caller's own deadline", err)
	}
}
