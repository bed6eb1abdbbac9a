package emulator_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/comfyume/terraform-provider-verda/internal/emulator"
	"github.com/comfyume/terraform-provider-verda/internal/verda"
)

// retryAfterCap is RetryWaitMax in the Retry-After tests: the client waits min(Retry-After, RetryWaitMax),
// while its own backoff from RetryWaitMin (1 ms) stays below 3 ms, so a retry that took at least
// retryAfterCap proves that the header was read.
const retryAfterCap = 150 * time.Millisecond

func withRetryAfterCap(cfg *verda.Config) { cfg.RetryWaitMax = retryAfterCap }

func TestContractFault429RetryAfterSeconds(t *testing.T) {
	t.Parallel()
	env := newContractEnv(t, emulator.Options{}, withRetryAfterCap)
	ctx := contractContext(t)
	env.emu.AddFault(emulator.Fault{Method: http.MethodGet, Path: "/v1/locations", Status: http.StatusTooManyRequests, RetryAfter: "1"})

	start := time.Now()
	if _, err := env.client.ListLocations(ctx); err != nil {
		t.Fatalf("ListLocations after one 429: %v", err)
	}
	if elapsed := time.Since(start); elapsed < retryAfterCap {
		t.Errorf("the retry came after %v, want at least %v: Retry-After: 1 capped at RetryWaitMax", elapsed, retryAfterCap)
	}
	if got := env.statuses(http.MethodGet, "/v1/locations"); !slices.Equal(got, []int{429, 200}) {
		t.Errorf("GET /v1/locations statuses = %v, want 429 then 200", got)
	}
}

func TestContractFault429RetryAfterHTTPDate(t *testing.T) {
	t.Parallel()
	env := newContractEnv(t, emulator.Options{}, withRetryAfterCap)
	ctx := contractContext(t)
	// The client measures an HTTP date against its own clock, which is the shared manual clock here.
	retryAt := env.clock.Now().Add(3 * time.Second).Format(http.TimeFormat)
	env.emu.AddFault(emulator.Fault{Method: http.MethodGet, Path: "/v1/volume-types", Status: http.StatusTooManyRequests, RetryAfter: retryAt})

	start := time.Now()
	if _, err := env.client.ListVolumeTypes(ctx); err != nil {
		t.Fatalf("ListVolumeTypes after one 429: %v", err)
	}
	if elapsed := time.Since(start); elapsed < retryAfterCap {
		t.Errorf("the retry came after %v, want at least %v: Retry-After %q capped at RetryWaitMax", elapsed, retryAfterCap, retryAt)
	}
	if got := env.statuses(http.MethodGet, "/v1/volume-types"); !slices.Equal(got, []int{429, 200}) {
		t.Errorf("GET /v1/volume-types statuses = %v, want 429 then 200", got)
	}
}

func TestContractFault429RetryAfterPastDeadline(t *testing.T) {
	t.Parallel()
	env := newContractEnv(t, emulator.Options{}, func(cfg *verda.Config) { cfg.RetryWaitMax = time.Minute })
	ctx, cancel := context.WithTimeout(contractContext(t), 2*time.Second)
	defer cancel()
	env.emu.AddFault(emulator.Fault{Method: http.MethodGet, Path: "/v1/locations", Status: http.StatusTooManyRequests, RetryAfter: "30"})

	start := time.Now()
	_, err := env.client.ListLocations(ctx)
	if err == nil {
		t.Fatal("ListLocations succeeded, want a failure: the requested wait does not fit before the deadline")
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("the call failed after %v, want at once instead of sleeping until the deadline", elapsed)
	}
	if !strings.Contains(err.Error(), `Retry-After "30"`) || !strings.Contains(err.Error(), "does not fit before the operation's deadline") {
		t.Errorf("error = %q, want it to name the Retry-After value and the deadline", err)
	}
	if got := env.statuses(http.MethodGet, "/v1/locations"); !slices.Equal(got, []int{429}) {
		t.Errorf("GET /v1/locations statuses = %v, want a single 429", got)
	}
}

func TestContractFault429OnCreateRetried(t *testing.T) {
	t.Parallel()
	env := newContractEnv(t, emulator.Options{})
	ctx := contractContext(t)
	// A 429 proves that the server did not act on the request, so even a create is sent again.
	env.emu.AddFault(emulator.Fault{Method: http.MethodPost, Path: "/v1/volumes", Status: http.StatusTooManyRequests, RetryAfter: "1"})

	id, err := env.client.CreateVolume(ctx, verda.CreateVolumeRequest{Type: "NVMe", Name: "after-429", Size: 10})
	if err != nil {
		t.Fatalf("CreateVolume after one 429: %v", err)
	}
	if got := env.statuses(http.MethodPost, "/v1/volumes"); !slices.Equal(got, []int{429, 201}) {
		t.Errorf("POST /v1/volumes statuses = %v, want 429 then 201", got)
	}
	list, err := env.client.ListVolumes(ctx)
	if err != nil {
		t.Fatalf("ListVolumes: %v", err)
	}
	if len(list) != 1 || list[0].ID != id {
		t.Errorf("volumes = %+v, want exactly the one created", list)
	}
}

func TestContractFault503BurstOnGetRetried(t *testing.T) {
	t.Parallel()
	env := newContractEnv(t, emulator.Options{})
	ctx := contractContext(t)

	env.emu.AddFault(emulator.Fault{Method: http.MethodGet, Path: "/v1/volumes", Status: http.StatusServiceUnavailable, Count: 3})
	if _, err := env.client.ListVolumes(ctx); err != nil {
		t.Fatalf("ListVolumes after three 503s with MaxRetries 3: %v", err)
	}
	if got := env.statuses(http.MethodGet, "/v1/volumes"); !slices.Equal(got, []int{503, 503, 503, 200}) {
		t.Errorf("GET /v1/volumes statuses = %v, want three 503s then 200", got)
	}

	// One 503 more than the retries allow reaches the caller with the API's envelope.
	env.emu.ClearRequests()
	env.emu.AddFault(emulator.Fault{Method: http.MethodGet, Path: "/v1/volumes", Status: http.StatusServiceUnavailable, Count: 4})
	_, err := env.client.ListVolumes(ctx)
	apiErr := requireAPIError(t, err, http.StatusServiceUnavailable, "service_unavailable")
	if apiErr.Message != "emulated fault: 503 Service Unavailable for GET /v1/volumes" {
		t.Errorf("APIError.Message = %q, want the emulator's fault message", apiErr.Message)
	}
	if got := len(env.requests(http.MethodGet, "/v1/volumes")); got != 4 {
		t.Errorf("GET /v1/volumes was sent %d times, want 4 (1 + MaxRetries 3)", got)
	}
}

func TestContractFault503OnCreateNotRetried(t *testing.T) {
	t.Parallel()
	env := newContractEnv(t, emulator.Options{})
	ctx := contractContext(t)
	env.emu.AddFault(emulator.Fault{Method: http.MethodPost, Path: "/v1/container-deployments", Status: http.StatusServiceUnavailable, Count: 5})

	_, err := env.client.CreateDeployment(ctx, comfyDeployment("comfy-503"))
	requireAPIError(t, err, http.StatusServiceUnavailable, "service_unavailable")
	if got := env.statuses(http.MethodPost, "/v1/container-deployments"); !slices.Equal(got, []int{503}) {
		t.Errorf("POST /v1/container-deployments statuses = %v, want a single 503: a create is not repeated after a 5xx", got)
	}
}

func TestContractFaultCommitThenFailCreateOnce(t *testing.T) {
	t.Parallel()
	env := newContractEnv(t, emulator.Options{})
	ctx := contractContext(t)

	env.emu.AddFault(emulator.Fault{Method: http.MethodPost, Path: "/v1/container-deployments", CommitThenFail: true, Status: http.StatusServiceUnavailable})
	_, err := env.client.CreateDeployment(ctx, comfyDeployment("comfy-ambiguous"))
	requireAPIError(t, err, http.StatusServiceUnavailable, "service_unavailable")
	if got := env.statuses(http.MethodPost, "/v1/container-deployments"); !slices.Equal(got, []int{503}) {
		t.Errorf("POST /v1/container-deployments statuses = %v, want a single 503", got)
	}
	deployments, err := env.client.ListDeployments(ctx)
	if err != nil {
		t.Fatalf("ListDeployments: %v", err)
	}
	if len(deployments) != 1 || deployments[0].Name != "comfy-ambiguous" {
		t.Errorf("deployments after the failed create = %+v, want exactly comfy-ambiguous", deployments)
	}
	// The caller looks before trying again, because a second create of the same name conflicts.
	if _, err := env.client.CreateDeployment(ctx, comfyDeployment("comfy-ambiguous")); !errors.Is(err, verda.ErrConflict) {
		t.Errorf("second CreateDeployment: error = %v, want ErrConflict", err)
	}

	env.emu.AddFault(emulator.Fault{Method: http.MethodPost, Path: "/v1/volumes", CommitThenFail: true, Status: http.StatusBadGateway})
	_, err = env.client.CreateVolume(ctx, verda.CreateVolumeRequest{Type: "NVMe_Shared", Name: "ambiguous-volume", Size: 10})
	requireAPIError(t, err, http.StatusBadGateway, "server_error")
	if got := env.statuses(http.MethodPost, "/v1/volumes"); !slices.Equal(got, []int{502}) {
		t.Errorf("POST /v1/volumes statuses = %v, want a single 502", got)
	}
	volumes, err := env.client.ListVolumes(ctx)
	if err != nil {
		t.Fatalf("ListVolumes: %v", err)
	}
	if len(volumes) != 1 || volumes[0].Name != "ambiguous-volume" {
		t.Fatalf("volumes after the failed create = %+v, want exactly ambiguous-volume", volumes)
	}

	// A clone creates volumes too, so it is not repeated either.
	env.emu.AddFault(emulator.Fault{Method: http.MethodPut, Path: "/v1/volumes", CommitThenFail: true, Status: http.StatusGatewayTimeout})
	_, err = env.client.CloneVolume(ctx, volumes[0].ID, verda.CloneVolumeRequest{Name: "ambiguous-clone"})
	requireAPIError(t, err, http.StatusGatewayTimeout, "server_error")
	if got := env.statuses(http.MethodPut, "/v1/volumes"); !slices.Equal(got, []int{504}) {
		t.Errorf("PUT /v1/volumes statuses = %v, want a single 504", got)
	}
	if volumes, _ := env.client.ListVolumes(ctx); len(volumes) != 2 {
		t.Errorf("volumes after the failed clone = %+v, want the source and one clone", volumes)
	}
}

func TestContractFaultCommitThenDropCreateOnce(t *testing.T) {
	t.Parallel()
	env := newContractEnv(t, emulator.Options{})
	ctx := contractContext(t)
	env.emu.AddFault(emulator.Fault{Method: http.MethodPost, Path: "/v1/volumes", CommitThenFail: true, Drop: true})

	_, err := env.client.CreateVolume(ctx, verda.CreateVolumeRequest{Type: "NVMe", Name: "dropped", Size: 10})
	if err == nil {
		t.Fatal("CreateVolume succeeded although the connection was closed without a response")
	}
	var apiErr *verda.APIError
	var opErr *verda.OperationError
	if errors.As(err, &apiErr) || !errors.As(err, &opErr) {
		t.Errorf("error = %v (%T), want a transport failure as *verda.OperationError", err, err)
	}
	env.waitForRequests(http.MethodPost, "/v1/volumes", 1)
	volumes, err := env.client.ListVolumes(ctx)
	if err != nil {
		t.Fatalf("ListVolumes: %v", err)
	}
	if len(volumes) != 1 || volumes[0].Name != "dropped" {
		t.Errorf("volumes = %+v, want exactly the one the server committed", volumes)
	}
}

func TestContractFaultDelayPastRequestTimeout(t *testing.T) {
	t.Parallel()
	env := newContractEnv(t, emulator.Options{}, func(cfg *verda.Config) { cfg.RequestTimeout = 100 * time.Millisecond })
	ctx := contractContext(t)
	if _, err := env.client.ListLocations(ctx); err != nil {
		t.Fatalf("ListLocations to sign in: %v", err)
	}
	env.emu.ClearRequests()

	// A timed-out GET is sent again.
	env.emu.AddFault(emulator.Fault{Method: http.MethodGet, Path: "/v1/locations", Delay: 10 * time.Second})
	start := time.Now()
	if _, err := env.client.ListLocations(ctx); err != nil {
		t.Fatalf("ListLocations after one timed-out attempt: %v", err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("ListLocations took %v, want the attempt cut off after RequestTimeout (100ms)", elapsed)
	}
	env.waitForRequests(http.MethodGet, "/v1/locations", 2)
	if got := env.statuses(http.MethodGet, "/v1/locations"); !slices.Contains(got, 0) || !slices.Contains(got, 200) {
		t.Errorf("GET /v1/locations statuses = %v, want one abandoned (0) and one 200", got)
	}

	// A timed-out create is not: the request may have reached the server.
	env.emu.AddFault(emulator.Fault{Method: http.MethodPost, Path: "/v1/volumes", Delay: 10 * time.Second})
	_, err := env.client.CreateVolume(ctx, verda.CreateVolumeRequest{Type: "NVMe", Name: "slow", Size: 10})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("CreateVolume past RequestTimeout: error = %v, want one that matches context.DeadlineExceeded", err)
	}
	var apiErr *verda.APIError
	if errors.As(err, &apiErr) {
		t.Errorf("CreateVolume past RequestTimeout: error = %v, want a transport failure, not an API error", err)
	}
	env.waitForRequests(http.MethodPost, "/v1/volumes", 1)
	if faults := env.emu.Faults(); len(faults) != 0 {
		t.Errorf("faults left = %+v, want both used up", faults)
	}
	// The emulator's delay ends when the client goes away, before the handler runs.
	if volumes, _ := env.client.ListVolumes(ctx); len(volumes) != 0 {
		t.Errorf("volumes = %+v, want none", volumes)
	}
}

func TestContractFaultDropOnGetRetried(t *testing.T) {
	t.Parallel()
	env := newContractEnv(t, emulator.Options{})
	ctx := contractContext(t)

	env.emu.AddFault(emulator.Fault{Method: http.MethodGet, Path: "/v1/volumes", Drop: true, Count: 2})
	if _, err := env.client.ListVolumes(ctx); err != nil {
		t.Fatalf("ListVolumes after two dropped connections: %v", err)
	}
	env.waitForRequests(http.MethodGet, "/v1/volumes", 3)
	got := env.statuses(http.MethodGet, "/v1/volumes")
	slices.Sort(got)
	if !slices.Equal(got, []int{0, 0, 200}) {
		t.Errorf("GET /v1/volumes statuses = %v, want two dropped (0) and one 200", got)
	}

	// More drops than retries reach the caller as a transport error.
	env.emu.AddFault(emulator.Fault{Method: http.MethodGet, Path: "/v1/volume-types", Drop: true, Count: 50})
	_, err := env.client.ListVolumeTypes(ctx)
	var apiErr *verda.APIError
	var opErr *verda.OperationError
	if err == nil || errors.As(err, &apiErr) || !errors.As(err, &opErr) {
		t.Errorf("ListVolumeTypes with every connection dropped: error = %v (%T), want a *verda.OperationError", err, err)
	}
	if opErr != nil && opErr.Operation != "list volume types" {
		t.Errorf("OperationError.Operation = %q, want list volume types", opErr.Operation)
	}
}
