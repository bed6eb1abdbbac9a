package verda

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// failFirst returns a handler that responds to the first n API requests with
// status and headers, and passes every later one to ok.
func failFirst(n int, status int, headers map[string]string, ok http.HandlerFunc) http.HandlerFunc {
	var count atomic.Int64
	return func(w http.ResponseWriter, r *http.Request) {
		if count.Add(1) <= int64(n) {
			for k, v := range headers {
				w.Header().Set(k, v)
			}
			writeAPIError(w, status, "", http.StatusText(status))
			return
		}
		ok(w, r)
	}
}

// gapBetween returns the time between the first and second API request.
func gapBetween(t *testing.T, f *fakeAPI) time.Duration {
	t.Helper()
	requests := f.apiRequests()
	if len(requests) < 2 {
		t.Fatalf("API requests = %d, want at least 2", len(requests))
	}
	return requests[1].At.Sub(requests[0].At)
}

func TestRetryAfterSecondsCappedAtRetryWaitMax(t *testing.T) {
	t.Parallel()
	const waitMax = 400 * time.Millisecond
	f := newFakeAPI(t, failFirst(1, http.StatusTooManyRequests, map[string]string{"Retry-After": "2"}, statusHandler))
	// RetryWaitMin of 1 ms makes the plain backoff far shorter than waitMax,
	// so only the header can explain a longer wait.
	c, _ := newTestClient(t, f, Config{RetryWaitMin: time.Millisecond, RetryWaitMax: waitMax})

	_, err := c.GetDeploymentStatus(testContext(t), "comfy")

	if err != nil {
		t.Fatalf("GetDeploymentStatus: %v", err)
	}
	if gap := gapBetween(t, f); gap < waitMax {
		t.Errorf("second attempt %s after the first, want at least min(Retry-After 2s, RetryWaitMax %s)", gap, waitMax)
	}
}

func TestRetryAfterSecondsHonoured(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, failFirst(1, http.StatusTooManyRequests, map[string]string{"Retry-After": "1"}, statusHandler))
	c, _ := newTestClient(t, f, Config{RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Second})

	_, err := c.GetDeploymentStatus(testContext(t), "comfy")

	if err != nil {
		t.Fatalf("GetDeploymentStatus: %v", err)
	}
	if gap := gapBetween(t, f); gap < time.Second {
		t.Errorf("second attempt %s after the first, want at least the 1s of Retry-After", gap)
	}
}

func TestRetryAfterHTTPDateHonoured(t *testing.T) {
	t.Parallel()
	// The client measures an HTTP date against its clock, so a fixed clock
	// makes the requested wait exactly one second.
	clock := newFakeClock(time.Now().UTC().Truncate(time.Second))
	retryAt := clock.Now().Add(time.Second).Format(http.TimeFormat)
	f := newFakeAPI(t, failFirst(1, http.StatusTooManyRequests, map[string]string{"Retry-After": retryAt}, statusHandler))
	c, _ := newTestClient(t, f, Config{Now: clock.Now, RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Second})

	_, err := c.GetDeploymentStatus(testContext(t), "comfy")

	if err != nil {
		t.Fatalf("GetDeploymentStatus: %v", err)
	}
	if gap := gapBetween(t, f); gap < time.Second {
		t.Errorf("second attempt %s after the first, want at least 1s (Retry-After %s)", gap, retryAt)
	}
}

func TestRetryAfterHTTPDateCappedAtRetryWaitMax(t *testing.T) {
	t.Parallel()
	const waitMax = 300 * time.Millisecond
	retryAt := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	f := newFakeAPI(t, failFirst(1, http.StatusTooManyRequests, map[string]string{"Retry-After": retryAt}, statusHandler))
	c, _ := newTestClient(t, f, Config{RetryWaitMin: time.Millisecond, RetryWaitMax: waitMax})

	_, err := c.GetDeploymentStatus(testContext(t), "comfy")

	if err != nil {
		t.Fatalf("GetDeploymentStatus: %v", err)
	}
	gap := gapBetween(t, f)
	if gap < waitMax {
		t.Errorf("second attempt %s after the first, want at least RetryWaitMax %s", gap, waitMax)
	}
	if gap > 10*time.Second {
		t.Errorf("second attempt %s after the first, want the wait capped near %s", gap, waitMax)
	}
}

func TestRetryAfterHourCappedAtRetryWaitMax(t *testing.T) {
	t.Parallel()
	const waitMax = 200 * time.Millisecond
	f := newFakeAPI(t, failFirst(1, http.StatusTooManyRequests, map[string]string{"Retry-After": "3600"}, statusHandler))
	c, _ := newTestClient(t, f, Config{RetryWaitMin: time.Millisecond, RetryWaitMax: waitMax})

	start := time.Now()
	_, err := c.GetDeploymentStatus(testContext(t), "comfy")
	elapsed := time.Since(start)

	if err != nil {
		t.Fatalf("GetDeploymentStatus: %v", err)
	}
	if gap := gapBetween(t, f); gap < waitMax {
		t.Errorf("second attempt %s after the first, want at least RetryWaitMax %s", gap, waitMax)
	}
	if elapsed > 10*time.Second {
		t.Errorf("call took %s, want the 3600 s wait capped at %s", elapsed, waitMax)
	}
}

func TestRetryAfterBeyondDeadlineFailsAtOnce(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "3600")
		writeAPIError(w, http.StatusTooManyRequests, "", "slow down")
	})
	// The cap leaves a 10 s wait, which does not fit in the 2 s deadline.
	c, _ := newTestClient(t, f, Config{RetryWaitMin: time.Millisecond, RetryWaitMax: 10 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()

	start := time.Now()
	_, err := c.GetDeploymentStatus(ctx, "comfy")
	elapsed := time.Since(start)

	if err == nil {
		t.Fatal("GetDeploymentStatus succeeded, want an error")
	}
	if elapsed > time.Second {
		t.Errorf("call returned after %s, want it to fail before the 2 s deadline", elapsed)
	}
	if !strings.Contains(err.Error(), "does not fit") {
		t.Errorf("error %q does not say that the wait does not fit", err)
	}
	if !strings.Contains(err.Error(), `read status of container deployment "comfy"`) {
		t.Errorf("error %q does not name the operation and object", err)
	}
	if got := len(f.apiRequests()); got != 1 {
		t.Errorf("API requests = %d, want 1", got)
	}
}

func TestRetryAfterDeadlineUsesWallClock(t *testing.T) {
	t.Parallel()
	// A test clock far in the future must not make a short wait look as if
	// it overran the real deadline of the context.
	clock := newFakeClock(time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC))
	f := newFakeAPI(t, failFirst(1, http.StatusTooManyRequests, map[string]string{"Retry-After": "1"}, statusHandler))
	c, _ := newTestClient(t, f, Config{Now: clock.Now, RetryWaitMin: time.Millisecond, RetryWaitMax: 50 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	_, err := c.GetDeploymentStatus(ctx, "comfy")

	if err != nil {
		t.Fatalf("GetDeploymentStatus: %v", err)
	}
	if got := len(f.apiRequests()); got != 2 {
		t.Errorf("API requests = %d, want 2", got)
	}
}

func TestGetRetriedAfterTwo503(t *testing.T) {
	f := newFakeAPI(t, failFirst(2, http.StatusServiceUnavailable, nil, statusHandler))
	c, _ := newTestClient(t, f, Config{})

	status, err := c.GetDeploymentStatus(testContext(t), "comfy")

	if err != nil {
		t.Fatalf("GetDeploymentStatus: %v", err)
	}
	if status != StatusHealthy {
		t.Errorf("status = %q, want %q", status, StatusHealthy)
	}
	if got := len(f.apiRequests()); got != 3 {
		t.Errorf("API requests = %d, want 3", got)
	}
}

func TestGetGivesUpAfterMaxRetries(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request) {
		writeAPIError(w, http.StatusServiceUnavailable, "service_unavailable", "maintenance")
	})
	c, _ := newTestClient(t, f, Config{MaxRetries: 2})

	_, err := c.GetDeploymentStatus(testContext(t), "comfy")

	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error %v (%T) is not an *APIError", err, err)
	}
	if apiErr.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("status = %d, want 503", apiErr.StatusCode)
	}
	if apiErr.Message != "maintenance" {
		t.Errorf("message = %q, want %q", apiErr.Message, "maintenance")
	}
	if got := len(f.apiRequests()); got != 3 {
		t.Errorf("API requests = %d, want 3 (one and two retries)", got)
	}
}

func TestGetNotRetriedWhenRetriesDisabled(t *testing.T) {
	f := newFakeAPI(t, failFirst(1, http.StatusServiceUnavailable, nil, statusHandler))
	c, _ := newTestClient(t, f, Config{MaxRetries: -1})

	_, err := c.GetDeploymentStatus(testContext(t), "comfy")

	if err == nil {
		t.Fatal("GetDeploymentStatus succeeded, want the 503")
	}
	if got := len(f.apiRequests()); got != 1 {
		t.Errorf("API requests = %d, want 1", got)
	}
}

// createCalls are the POST calls that create an object.
var createCalls = map[string]func(ctx context.Context, c *Client) error{
	"CreateDeployment": func(ctx context.Context, c *Client) error {
		_, err := c.CreateDeployment(ctx, CreateDeploymentRequest{
			Name:       "comfy",
			Compute:    Compute{Name: "H100", Size: 1},
			Containers: []Container{{Image: Image{Image: "ghcr.io/org/comfy:v1"}, ExposedPort: 8188}},
		})
		return err
	},
	"CreateVolume": func(ctx context.Context, c *Client) error {
		_, err := c.CreateVolume(ctx, CreateVolumeRequest{Type: "NVMe_Shared", Name: "models", Size: 50})
		return err
	},
}

// createOK responds to a create as the API does: with a deployment object,
// or with a volume id as plain text.
func createOK(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/volumes") {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, "7d3f0e52-9a41-4d2c-8f0a-5b6c1e2d3f40")
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"name": "comfy"})
}

func TestCreateNotRetriedAfterServerError(t *testing.T) {
	for _, status := range []int{http.StatusInternalServerError, http.StatusServiceUnavailable, http.StatusBadGateway} {
		for name, create := range createCalls {
			t.Run(name+"/"+http.StatusText(status), func(t *testing.T) {
				f := newFakeAPI(t, failFirst(1, status, nil, createOK))
				c, _ := newTestClient(t, f, Config{})

				err := create(testContext(t), c)

				if got := len(f.apiRequests()); got != 1 {
					t.Errorf("API requests = %d, want 1: the first create may have been committed", got)
				}
				var apiErr *APIError
				if !errors.As(err, &apiErr) {
					t.Fatalf("error %v (%T) is not an *APIError", err, err)
				}
				if apiErr.StatusCode != status {
					t.Errorf("status = %d, want %d", apiErr.StatusCode, status)
				}
			})
		}
	}
}

func TestCreateRetriedAfter429(t *testing.T) {
	for name, create := range createCalls {
		t.Run(name, func(t *testing.T) {
			f := newFakeAPI(t, failFirst(1, http.StatusTooManyRequests, nil, createOK))
			c, _ := newTestClient(t, f, Config{})

			err := create(testContext(t), c)

			if err != nil {
				t.Fatalf("create: %v", err)
			}
			if got := len(f.apiRequests()); got != 2 {
				t.Errorf("API requests = %d, want 2", got)
			}
		})
	}
}

// restartingTransport sends requests to a server that is down for the first
// create: the dial fails, and the server is started on the same address
// before the transport returns, so that a retry reaches it.
type restartingTransport struct {
	inner   *http.Transport
	restart func()

	mu       sync.Mutex
	creates  int // POSTs other than token requests
	dialErrs int
}

func (rt *restartingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := rt.inner.RoundTrip(req)
	if req.Method != http.MethodPost || strings.HasSuffix(req.URL.Path, "/oauth2/token") {
		return resp, err
	}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.creates++
	var opErr *net.OpError
	if err != nil && errors.As(err, &opErr) && opErr.Op == "dial" {
		rt.dialErrs++
		if rt.dialErrs == 1 {
			rt.restart()
		}
	}
	return resp, err
}

func TestCreateRetriedAfterDialFailure(t *testing.T) {
	for name, create := range createCalls {
		t.Run(name, func(t *testing.T) {
			var posts atomic.Int64
			handler := func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodGet {
					writeJSON(w, http.StatusOK, []Location{})
					return
				}
				posts.Add(1)
				createOK(w, r)
			}
			f := newFakeAPI(t, handler)

			// A second server on a fixed address that the test can stop
			// and start again.
			listener, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			addr := listener.Addr().String()
			start := func(l net.Listener) *httptest.Server {
				s := httptest.NewUnstartedServer(http.HandlerFunc(f.serve))
				_ = s.Listener.Close()
				s.Listener = l
				s.Start()
				return s
			}
			var mu sync.Mutex
			server := start(listener)
			t.Cleanup(func() {
				mu.Lock()
				defer mu.Unlock()
				server.Close()
			})

			rt := &restartingTransport{inner: http.DefaultTransport.(*http.Transport).Clone()}
			rt.restart = func() {
				l, err := net.Listen("tcp", addr)
				if err != nil {
					t.Errorf("restart on %s: %v", addr, err)
					return
				}
				mu.Lock()
				server = start(l)
				mu.Unlock()
			}
			c, _ := newTestClient(t, f, Config{BaseURL: "http://" + addr + "/v1", Transport: rt})
			ctx := testContext(t)

			// Fetch the token while the server is up, then take it down.
			if _, err := c.ListLocations(ctx); err != nil {
				t.Fatalf("ListLocations: %v", err)
			}
			mu.Lock()
			server.Close()
			mu.Unlock()
			rt.inner.CloseIdleConnections()

			err = create(ctx, c)

			if err != nil {
				t.Fatalf("create: %v", err)
			}
			rt.mu.Lock()
			defer rt.mu.Unlock()
			if rt.dialErrs != 1 {
				t.Errorf("failed dials = %d, want 1", rt.dialErrs)
			}
			if rt.creates != 2 {
				t.Errorf("create attempts = %d, want 2", rt.creates)
			}
			if got := posts.Load(); got != 1 {
				t.Errorf("POSTs received = %d, want 1", got)
			}
		})
	}
}

func TestCancelDuringBackoffReturnsPromptly(t *testing.T) {
	t.Parallel()
	served := make(chan struct{}, 1)
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "30")
		writeAPIError(w, http.StatusTooManyRequests, "", "slow down")
		select {
		case served <- struct{}{}:
		default:
		}
	})
	c, logger := newTestClient(t, f, Config{RetryWaitMin: time.Millisecond, RetryWaitMax: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	done := make(chan error, 1)
	go func() {
		_, err := c.GetDeploymentStatus(ctx, "comfy")
		done <- err
	}()

	<-served
	// The response hook runs right before the backoff starts.
	waitFor(t, func() bool { return strings.Contains(logger.text(), "status=429") })
	time.Sleep(50 * time.Millisecond)
	cancelled := time.Now()
	cancel()

	select {
	case err := <-done:
		if elapsed := time.Since(cancelled); elapsed > time.Second {
			t.Errorf("call returned %s after cancellation, want within 1s", elapsed)
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error = %v, want context.Canceled", err)
		}
		if err != nil && !strings.Contains(err.Error(), `read status of container deployment "comfy"`) {
			t.Errorf("error %q does not name the operation and object", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("call still running 5s after cancellation")
	}
	if got := len(f.apiRequests()); got != 1 {
		t.Errorf("API requests = %d, want 1", got)
	}
}

func TestContextDeadlineIsDeadlineExceeded(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request) {
		writeAPIError(w, http.StatusServiceUnavailable, "", "busy")
	})
	c, _ := newTestClient(t, f, Config{RetryWaitMin: 2 * time.Second, RetryWaitMax: 2 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()

	_, err := c.GetDeploymentStatus(ctx, "comfy")

	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error = %v, want context.DeadlineExceeded", err)
	}
}

// closeRecordingTransport records whether every response body it returned
// was closed.
type closeRecordingTransport struct {
	inner http.RoundTripper

	mu     sync.Mutex
	bodies []*closeRecorder
}

type closeRecorder struct {
	io.ReadCloser
	closed atomic.Bool
}

func (r *closeRecorder) Close() error {
	r.closed.Store(true)
	return r.ReadCloser.Close()
}

func (rt *closeRecordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := rt.inner.RoundTrip(req)
	if resp != nil {
		body := &closeRecorder{ReadCloser: resp.Body}
		resp.Body = body
		rt.mu.Lock()
		rt.bodies = append(rt.bodies, body)
		rt.mu.Unlock()
	}
	return resp, err
}

func (rt *closeRecordingTransport) unclosed() int {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	n := 0
	for _, b := range rt.bodies {
		if !b.closed.Load() {
			n++
		}
	}
	return n
}

func TestRejectedRetryClosesResponseBody(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "3600")
		writeAPIError(w, http.StatusTooManyRequests, "", "slow down")
	})
	rt := &closeRecordingTransport{inner: http.DefaultTransport.(*http.Transport).Clone()}
	c, _ := newTestClient(t, f, Config{Transport: rt, RetryWaitMax: 10 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()

	_, err := c.GetDeploymentStatus(ctx, "comfy")

	if err == nil {
		t.Fatal("GetDeploymentStatus succeeded, want an error")
	}
	if got := rt.unclosed(); got != 0 {
		t.Errorf("unclosed response bodies = %d, want 0", got)
	}
}

func TestRetryLogged(t *testing.T) {
	f := newFakeAPI(t, failFirst(1, http.StatusServiceUnavailable, nil, statusHandler))
	c, logger := newTestClient(t, f, Config{})

	if _, err := c.GetDeploymentStatus(testContext(t), "comfy"); err != nil {
		t.Fatalf("GetDeploymentStatus: %v", err)
	}

	logs := logger.text()
	if !strings.Contains(logs, "WARN retrying Verda API request attempt=2") {
		t.Errorf("log has no retry warning for attempt 2:\n%s", logs)
	}
	if !strings.Contains(logs, "status=503") {
		t.Errorf("log has no line for the 503 answer:\n%s", logs)
	}
	if !strings.Contains(logs, "status=200") {
		t.Errorf("log has no line for the 200 answer:\n%s", logs)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestCreateNotRetriedAfterDroppedConnection(t *testing.T) {
	for name, create := range createCalls {
		t.Run(name, func(t *testing.T) {
			var posts atomic.Int64
			f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request) {
				posts.Add(1)
				// The request arrived in full, but the response is lost.
				conn, _, err := w.(http.Hijacker).Hijack()
				if err != nil {
					t.Errorf("hijack: %v", err)
					return
				}
				_ = conn.Close()
			})
			c, _ := newTestClient(t, f, Config{})

			err := create(testContext(t), c)

			if err == nil {
				t.Fatal("create succeeded, want an error")
			}
			if got := posts.Load(); got != 1 {
				t.Errorf("POSTs received = %d, want 1: the first create may have been committed", got)
			}
		})
	}
}

func TestGetRetriedAfterDroppedConnection(t *testing.T) {
	var count atomic.Int64
	f := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		if count.Add(1) == 1 {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Errorf("hijack: %v", err)
				return
			}
			_ = conn.Close()
			return
		}
		statusHandler(w, r)
	})
	c, _ := newTestClient(t, f, Config{})

	_, err := c.GetDeploymentStatus(testContext(t), "comfy")

	if err != nil {
		t.Fatalf("GetDeploymentStatus: %v", err)
	}
	if got := count.Load(); got != 2 {
		t.Errorf("GETs received = %d, want 2", got)
	}
}
