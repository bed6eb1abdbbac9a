package emulator_test

// The contract tests drive the emulator only through the provider's typed API client (internal/verda), so
// they prove that the two agree on paths, bodies, status codes and the error envelope. The emulator's
// public Go API only steers it (clock, faults, seeds, image behaviors, files on a volume) and reads its
// request log.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/comfyume/terraform-provider-verda/internal/emulator"
	"github.com/comfyume/terraform-provider-verda/internal/verda"
)

// contractStart is the start time of every manual clock in the contract tests.
var contractStart = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// contractImage is a pinned ComfyUI image. The emulator names its containers "comfyui-<index>".
const contractImage = "ghcr.io/comfyume/comfyui:0.3.64-cu128"

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// contractEnv is one emulator on a loopback server and a client of it.
type contractEnv struct {
	t      *testing.T
	server *emulator.TestServer
	emu    *emulator.Emulator
	// clock drives the emulator and, unless a test replaces Config.Now, the client's token expiry.
	clock  *emulator.ManualClock
	client *verda.Client
}

// newContractEnv starts an emulator with opts and a client configured by contractConfig and then by
// configure. A nil opts.Clock is replaced by a manual clock that the client shares.
func newContractEnv(t *testing.T, opts emulator.Options, configure ...func(*verda.Config)) *contractEnv {
	t.Helper()
	clock := emulator.NewManualClock(contractStart)
	if opts.Clock == nil {
		opts.Clock = clock
	}
	server := emulator.NewTestServer(t, opts)
	env := &contractEnv{t: t, server: server, emu: server.Emulator, clock: clock}
	env.client = env.newClient(configure...)
	return env
}

// contractConfig has small retry waits so that retried faults cost milliseconds.
func (env *contractEnv) contractConfig() verda.Config {
	return verda.Config{
		BaseURL:         env.server.BaseURL,
		ClientID:        emulator.DefaultClientID,
		ClientSecret:    emulator.DefaultClientSecret,
		InferenceAPIKey: emulator.DefaultInferenceKey,
		MaxRetries:      3,
		RequestTimeout:  5 * time.Second,
		RetryWaitMin:    time.Millisecond,
		RetryWaitMax:    5 * time.Millisecond,
		UserAgent:       "verda-contract-test",
		Now:             env.clock.Now,
	}
}

// newClient returns another client of the same emulator.
func (env *contractEnv) newClient(configure ...func(*verda.Config)) *verda.Client {
	env.t.Helper()
	cfg := env.contractConfig()
	for _, apply := range configure {
		apply(&cfg)
	}
	client, err := verda.New(cfg)
	if err != nil {
		env.t.Fatalf("creating the API client failed: %v", err)
	}
	return client
}

func contractContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// requests returns the logged requests with this method and path, oldest first.
func (env *contractEnv) requests(method, path string) []emulator.RequestRecord {
	var out []emulator.RequestRecord
	for _, rec := range env.emu.Requests() {
		if rec.Method == method && rec.Path == path {
			out = append(out, rec)
		}
	}
	return out
}

// statuses returns the response statuses of the logged requests with this method and path.
func (env *contractEnv) statuses(method, path string) []int {
	var out []int
	for _, rec := range env.requests(method, path) {
		out = append(out, rec.Status)
	}
	return out
}

// waitForRequests waits until the request log has want requests with this method and path. A request whose
// connection a fault closed or whose client timed out is logged only when the server notices, which can be
// after the client has moved on.
func (env *contractEnv) waitForRequests(method, path string, want int) {
	env.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := len(env.requests(method, path))
		if got == want {
			return
		}
		if got > want || time.Now().After(deadline) {
			env.t.Fatalf("%s %s was logged %d times, want %d", method, path, got, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// tokenGrant is one logged request to the token endpoint.
type tokenGrant struct {
	Grant  string
	Status int
}

// tokenGrants returns the grant type and status of every token request, oldest first.
func (env *contractEnv) tokenGrants() []tokenGrant {
	env.t.Helper()
	var out []tokenGrant
	for _, rec := range env.requests(http.MethodPost, "/v1/oauth2/token") {
		var body struct {
			GrantType string `json:"grant_type"`
		}
		if err := json.Unmarshal([]byte(rec.Body), &body); err != nil {
			values, formErr := url.ParseQuery(rec.Body)
			if formErr != nil {
				env.t.Fatalf("token request body %q is neither JSON nor a form", rec.Body)
			}
			body.GrantType = values.Get("grant_type")
		}
		out = append(out, tokenGrant{Grant: body.GrantType, Status: rec.Status})
	}
	return out
}

// requireAPIError asserts that err is an *verda.APIError with this status and code.
func requireAPIError(t *testing.T, err error, status int, code string) *verda.APIError {
	t.Helper()
	var apiErr *verda.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error = %v (%T), want a *verda.APIError with HTTP %d", err, err, status)
	}
	if apiErr.StatusCode != status {
		t.Errorf("APIError.StatusCode = %d, want %d (error: %v)", apiErr.StatusCode, status, err)
	}
	if apiErr.Code != code {
		t.Errorf("APIError.Code = %q, want %q (error: %v)", apiErr.Code, code, err)
	}
	return apiErr
}

// comfyDeployment is a create request for one ComfyUI container without a name, so the API names it.
func comfyDeployment(name string) verda.CreateDeploymentRequest {
	return verda.CreateDeploymentRequest{
		Name:    name,
		Compute: verda.Compute{Name: "H100", Size: 1},
		Scaling: &verda.Scaling{MinReplicaCount: verda.Int64(1), MaxReplicaCount: verda.Int64(2)},
		Containers: []verda.Container{{
			Image:       verda.Image{Image: contractImage},
			ExposedPort: 8188,
			Healthcheck: &verda.Healthcheck{Enabled: true, Port: 8188, Path: "/"},
			Env: []verda.EnvVar{
				{Type: verda.EnvPlain, Name: "COMFYUI_LOG_LEVEL", ValueOrReferenceToSecret: "INFO"},
			},
			VolumeMounts: []verda.VolumeMount{{Type: verda.MountScratch, MountPath: "/data"}},
		}},
	}
}

// createDeployment creates req and fails the test on an error.
func (env *contractEnv) createDeployment(ctx context.Context, req verda.CreateDeploymentRequest) *verda.ContainerDeployment {
	env.t.Helper()
	d, err := env.client.CreateDeployment(ctx, req)
	if err != nil {
		env.t.Fatalf("creating deployment %q failed: %v", req.Name, err)
	}
	return d
}

// pollStatus reads the status until it is want and returns every status read. The emulator's lifecycle
// advances by status reads, so no test has to sleep.
func (env *contractEnv) pollStatus(ctx context.Context, name, want string) []string {
	env.t.Helper()
	var seen []string
	for range 20 {
		status, err := env.client.GetDeploymentStatus(ctx, name)
		if err != nil {
			env.t.Fatalf("reading the status of deployment %q failed: %v", name, err)
		}
		seen = append(seen, status)
		if status == want {
			return seen
		}
	}
	env.t.Fatalf("deployment %q never reached status %q; statuses read: %v", name, want, seen)
	return nil
}

// createVolume creates a volume and reads it until its status is created, and returns its id.
func (env *contractEnv) createVolume(ctx context.Context, req verda.CreateVolumeRequest) string {
	env.t.Helper()
	id, err := env.client.CreateVolume(ctx, req)
	if err != nil {
		env.t.Fatalf("creating volume %q failed: %v", req.Name, err)
	}
	env.pollVolume(ctx, id, verda.VolumeCreated)
	return id
}

// pollVolume reads a volume until its status is want and returns the last read.
func (env *contractEnv) pollVolume(ctx context.Context, id, want string) *verda.Volume {
	env.t.Helper()
	var seen []string
	for range 10 {
		v, err := env.client.GetVolume(ctx, id)
		if err != nil {
			env.t.Fatalf("reading volume %q failed: %v", id, err)
		}
		seen = append(seen, v.Status)
		if v.Status == want {
			return v
		}
	}
	env.t.Fatalf("volume %q never reached status %q; statuses read: %v", id, want, seen)
	return nil
}

// ---- token ----

func TestContractTokenClientCredentials(t *testing.T) {
	t.Parallel()
	env := newContractEnv(t, emulator.Options{})
	ctx := contractContext(t)

	for range 3 {
		if _, err := env.client.ListLocations(ctx); err != nil {
			t.Fatalf("ListLocations: %v", err)
		}
	}

	grants := env.tokenGrants()
	if want := []tokenGrant{{"client_credentials", http.StatusOK}}; !slices.Equal(grants, want) {
		t.Fatalf("token requests = %+v, want one client_credentials grant reused by all three calls", grants)
	}
	body := env.requests(http.MethodPost, "/v1/oauth2/token")[0].Body
	if !strings.HasPrefix(body, "{") {
		t.Errorf("token request body = %q, want a JSON object", body)
	}
	if strings.Contains(body, emulator.DefaultClientSecret) {
		t.Errorf("the request log contains the client secret: %s", body)
	}
}

func TestContractTokenSharedByConcurrentCalls(t *testing.T) {
	t.Parallel()
	env := newContractEnv(t, emulator.Options{})
	ctx := contractContext(t)

	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			_, err := env.client.ListLocations(ctx)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("ListLocations: %v", err)
		}
	}

	if grants := env.tokenGrants(); len(grants) != 1 {
		t.Errorf("token requests = %+v, want exactly one for eight concurrent calls", grants)
	}
	if got := len(env.requests(http.MethodGet, "/v1/locations")); got != 8 {
		t.Errorf("GET /v1/locations was sent %d times, want 8", got)
	}
}

func TestContractTokenRefreshAfterExpiry(t *testing.T) {
	t.Parallel()
	// The client renews 30 s before expires_in ends, so a 10-minute token is renewed after 9m30s.
	env := newContractEnv(t, emulator.Options{TokenTTL: 10 * time.Minute})
	ctx := contractContext(t)
	listLocations := func(step string) {
		t.Helper()
		if _, err := env.client.ListLocations(ctx); err != nil {
			t.Fatalf("ListLocations %s: %v", step, err)
		}
	}

	listLocations("with the first token")
	env.clock.Advance(9*time.Minute + 20*time.Second)
	listLocations("before the renewal point")
	if grants := env.tokenGrants(); len(grants) != 1 {
		t.Fatalf("token requests before the renewal point = %+v, want 1", grants)
	}

	env.clock.Advance(15 * time.Second)
	listLocations("after the renewal point")
	want := []tokenGrant{{"client_credentials", http.StatusOK}, {"refresh_token", http.StatusOK}}
	if grants := env.tokenGrants(); !slices.Equal(grants, want) {
		t.Fatalf("token requests after the renewal point = %+v, want %+v", grants, want)
	}
	refreshBody := env.requests(http.MethodPost, "/v1/oauth2/token")[1].Body
	if !strings.Contains(refreshBody, `"refresh_token":"***"`) {
		t.Errorf("refresh request body = %s, want the refresh token sent and masked in the log", refreshBody)
	}

	// Past the refresh token's lifetime the refresh grant gets 401 and the client falls back to
	// client_credentials within the same call.
	env.clock.Advance(emulator.RefreshTokenTTL + time.Minute)
	listLocations("after the refresh token expired")
	want = append(want, tokenGrant{"refresh_token", http.StatusUnauthorized}, tokenGrant{"client_credentials", http.StatusOK})
	if grants := env.tokenGrants(); !slices.Equal(grants, want) {
		t.Errorf("token requests after the refresh token expired = %+v, want %+v", grants, want)
	}
	if got := env.statuses(http.MethodGet, "/v1/locations"); !slices.Equal(got, []int{200, 200, 200, 200}) {
		t.Errorf("GET /v1/locations statuses = %v, want four 200s and no 401", got)
	}
}

func TestContractTokenReauthenticatesAfter401(t *testing.T) {
	t.Parallel()
	// The client keeps the real clock, so it still trusts a token that the emulator's clock has expired.
	env := newContractEnv(t, emulator.Options{TokenTTL: time.Hour}, func(cfg *verda.Config) { cfg.Now = nil })
	ctx := contractContext(t)

	if _, err := env.client.ListLocations(ctx); err != nil {
		t.Fatalf("ListLocations: %v", err)
	}
	env.clock.Advance(2 * time.Hour)
	if _, err := env.client.ListLocations(ctx); err != nil {
		t.Fatalf("ListLocations after the access token expired on the server: %v", err)
	}

	if got := env.statuses(http.MethodGet, "/v1/locations"); !slices.Equal(got, []int{200, 401, 200}) {
		t.Errorf("GET /v1/locations statuses = %v, want 200, then 401 for the expired token, then 200", got)
	}
	// A rejected access token drops the refresh token too, so the client signs in again.
	want := []tokenGrant{{"client_credentials", http.StatusOK}, {"client_credentials", http.StatusOK}}
	if grants := env.tokenGrants(); !slices.Equal(grants, want) {
		t.Errorf("token requests = %+v, want %+v", grants, want)
	}

	// A second 401 in a row is returned, not retried again.
	env.emu.AddFault(emulator.Fault{Method: http.MethodGet, Path: "/v1/locations", Status: http.StatusUnauthorized, Count: 2})
	_, err := env.client.ListLocations(ctx)
	apiErr := requireAPIError(t, err, http.StatusUnauthorized, "unauthorized_request")
	if !errors.Is(err, verda.ErrUnauthorized) {
		t.Errorf("errors.Is(%v, ErrUnauthorized) = false, want true", err)
	}
	if !strings.Contains(apiErr.Message, "emulated fault: 401") {
		t.Errorf("APIError.Message = %q, want the emulator's fault message", apiErr.Message)
	}
	if grants := env.tokenGrants(); len(grants) != 3 {
		t.Errorf("token requests = %+v, want exactly one more after the first 401", grants)
	}
}

func TestContractTokenInvalidCredentials(t *testing.T) {
	t.Parallel()
	env := newContractEnv(t, emulator.Options{})
	ctx := contractContext(t)
	const wrongSecret = "not-the-emulator-secret"
	client := env.newClient(func(cfg *verda.Config) { cfg.ClientSecret = wrongSecret })

	_, err := client.ListLocations(ctx)
	if err == nil {
		t.Fatal("ListLocations with a wrong client secret succeeded, want an authentication error")
	}
	requireAPIError(t, err, http.StatusUnauthorized, "unauthorized_request")
	if !errors.Is(err, verda.ErrUnauthorized) {
		t.Errorf("errors.Is(%v, ErrUnauthorized) = false, want true", err)
	}
	// A 404 or 409 of the token endpoint must never read as a statement about the object.
	if errors.Is(err, verda.ErrNotFound) {
		t.Errorf("errors.Is(%v, ErrNotFound) = true, want false for a token error", err)
	}
	if !strings.Contains(err.Error(), "authentication failed") {
		t.Errorf("error = %q, want it to say that authentication failed", err)
	}
	if strings.Contains(err.Error(), wrongSecret) {
		t.Errorf("error = %q, want the client secret masked", err)
	}
	if got := len(env.requests(http.MethodGet, "/v1/locations")); got != 0 {
		t.Errorf("GET /v1/locations was sent %d times without a token, want 0", got)
	}
	if grants := env.tokenGrants(); len(grants) != 1 {
		t.Errorf("token requests = %+v, want one: a 401 of the token endpoint is not retried", grants)
	}
}

// ---- error envelope ----

func TestContractErrorEnvelopeNotFound(t *testing.T) {
	t.Parallel()
	env := newContractEnv(t, emulator.Options{})
	ctx := contractContext(t)

	_, err := env.client.GetDeployment(ctx, "missing")
	apiErr := requireAPIError(t, err, http.StatusNotFound, "not_found")
	if !errors.Is(err, verda.ErrNotFound) || !verda.IsNotFound(err) {
		t.Errorf("errors.Is(%v, ErrNotFound) = false, want true", err)
	}
	if errors.Is(err, verda.ErrConflict) {
		t.Errorf("errors.Is(%v, ErrConflict) = true, want false", err)
	}
	if apiErr.Message != `container deployment "missing" not found` {
		t.Errorf("APIError.Message = %q, want the API's message", apiErr.Message)
	}
	if apiErr.Operation != "read" || apiErr.Object != `container deployment "missing"` {
		t.Errorf("APIError operation and object = %q %q, want read container deployment \"missing\"", apiErr.Operation, apiErr.Object)
	}
	if want := `read container deployment "missing": Verda API returned HTTP 404 Not Found (not_found): container deployment "missing" not found`; err.Error() != want {
		t.Errorf("error text = %q, want %q", err, want)
	}

	_, err = env.client.GetVolume(ctx, "00000000-0000-4000-8000-000000000000")
	apiErr = requireAPIError(t, err, http.StatusNotFound, "not_found")
	if apiErr.Message != `volume "00000000-0000-4000-8000-000000000000" not found` {
		t.Errorf("APIError.Message = %q, want the API's message for a missing volume", apiErr.Message)
	}

	// The client escapes path segments; the emulator decodes the name back.
	_, err = env.client.GetDeployment(ctx, "a/b c")
	apiErr = requireAPIError(t, err, http.StatusNotFound, "not_found")
	if apiErr.Message != `container deployment "a/b c" not found` {
		t.Errorf("APIError.Message = %q, want the unescaped name", apiErr.Message)
	}
	if got := env.requests(http.MethodGet, "/v1/container-deployments/a/b c"); len(got) != 1 {
		t.Errorf("requests to the escaped deployment path = %d, want 1", len(got))
	}
}

func TestContractErrorEnvelopeConflictAndValidation(t *testing.T) {
	t.Parallel()
	env := newContractEnv(t, emulator.Options{})
	ctx := contractContext(t)
	env.createDeployment(ctx, comfyDeployment("comfy-dup"))

	_, err := env.client.CreateDeployment(ctx, comfyDeployment("comfy-dup"))
	apiErr := requireAPIError(t, err, http.StatusConflict, "conflict")
	if !errors.Is(err, verda.ErrConflict) {
		t.Errorf("errors.Is(%v, ErrConflict) = false, want true", err)
	}
	if errors.Is(err, verda.ErrNotFound) {
		t.Errorf("errors.Is(%v, ErrNotFound) = true, want false", err)
	}
	if !strings.Contains(apiErr.Message, `container deployment "comfy-dup" already exists`) {
		t.Errorf("APIError.Message = %q, want the API's duplicate-name message", apiErr.Message)
	}

	latest := comfyDeployment("comfy-latest")
	latest.Containers[0].Image = verda.Image{Image: "ghcr.io/comfyume/comfyui:latest"}
	_, err = env.client.CreateDeployment(ctx, latest)
	apiErr = requireAPIError(t, err, http.StatusBadRequest, "invalid_request")
	if !errors.Is(err, verda.ErrBadRequest) {
		t.Errorf("errors.Is(%v, ErrBadRequest) = false, want true", err)
	}
	if !strings.HasPrefix(apiErr.Message, `containers.0.image "ghcr.io/comfyume/comfyui:latest" must be pinned`) {
		t.Errorf("APIError.Message = %q, want the field path and the pinning rule", apiErr.Message)
	}

	_, err = env.client.CreateVolume(ctx, verda.CreateVolumeRequest{Type: "SSD", Name: "bad-type", Size: 10})
	apiErr = requireAPIError(t, err, http.StatusBadRequest, "invalid_request")
	if !strings.HasPrefix(apiErr.Message, "type must be one of the following values: NVMe, HDD, NVMe_Shared, HDD_Shared") {
		t.Errorf("APIError.Message = %q, want the list of volume types", apiErr.Message)
	}
}

// ---- catalogs ----

func TestContractVolumeTypes(t *testing.T) {
	t.Parallel()
	env := newContractEnv(t, emulator.Options{})
	ctx := contractContext(t)

	types, err := env.client.ListVolumeTypes(ctx)
	if err != nil {
		t.Fatalf("ListVolumeTypes: %v", err)
	}
	byType := map[string]verda.VolumeType{}
	for _, vt := range types {
		byType[vt.Type] = vt
	}
	if len(byType) != 4 {
		t.Fatalf("volume types = %v, want NVMe, HDD, NVMe_Shared and HDD_Shared", types)
	}
	for name, shared := range map[string]bool{"NVMe": false, "HDD": false, "NVMe_Shared": true, "HDD_Shared": true} {
		vt, ok := byType[name]
		if !ok {
			t.Errorf("volume type %s is missing", name)
			continue
		}
		if vt.IsSharedFS != shared {
			t.Errorf("%s.is_shared_fs = %v, want %v", name, vt.IsSharedFS, shared)
		}
		if vt.Price.PerGBMonth() <= 0 || vt.Price.Currency != "usd" {
			t.Errorf("%s price = %+v, want a positive USD price per GB and month", name, vt.Price)
		}
		if vt.IOPS == "" || vt.ThroughputGbps <= 0 {
			t.Errorf("%s iops %q, throughput %v: want both set", name, vt.IOPS, vt.ThroughputGbps)
		}
	}
	if got := byType["NVMe_Shared"].Price.PerGBMonth(); got != 0.2 {
		t.Errorf("NVMe_Shared price per GB and month = %v, want 0.2", got)
	}
}

func TestContractComputeResources(t *testing.T) {
	t.Parallel()
	env := newContractEnv(t, emulator.Options{})
	ctx := contractContext(t)

	available := func() map[string]bool {
		t.Helper()
		resources, err := env.client.ListComputeResources(ctx)
		if err != nil {
			t.Fatalf("ListComputeResources: %v", err)
		}
		out := map[string]bool{}
		for _, r := range resources {
			out[fmt.Sprintf("%s/%d", r.Name, r.Size)] = r.IsAvailable
		}
		return out
	}

	got := available()
	if len(got) != 28 {
		t.Errorf("compute resources = %d entries, want 7 GPU models at sizes 1, 2, 4 and 8", len(got))
	}
	for key, want := range map[string]bool{"H100/1": true, "H200/8": true, "RTX 4500 Ada/2": true, "B300/1": false} {
		if avail, ok := got[key]; !ok || avail != want {
			t.Errorf("compute resource %s: present %v, available %v; want present and available %v", key, ok, avail, want)
		}
	}

	env.emu.SetComputeAvailable("H100", 1, false)
	if got := available(); got["H100/1"] {
		t.Error("H100/1 is still available after SetComputeAvailable(false)")
	}
}

func TestContractLocations(t *testing.T) {
	t.Parallel()
	env := newContractEnv(t, emulator.Options{})
	ctx := contractContext(t)

	locations, err := env.client.ListLocations(ctx)
	if err != nil {
		t.Fatalf("ListLocations: %v", err)
	}
	want := []verda.Location{
		{Code: "FIN-01", Name: "Finland 1", CountryCode: "FI"},
		{Code: "FIN-02", Name: "Finland 2", CountryCode: "FI"},
		{Code: "FIN-03", Name: "Finland 3", CountryCode: "FI"},
		{Code: "ICE-01", Name: "Iceland 1", CountryCode: "IS"},
	}
	if !slices.Equal(locations, want) {
		t.Errorf("locations = %+v, want %+v", locations, want)
	}
}

func TestContractSecretsAndRegistryCredentials(t *testing.T) {
	t.Parallel()
	env := newContractEnv(t, emulator.Options{})
	ctx := contractContext(t)

	secrets, err := env.client.ListSecrets(ctx)
	if err != nil {
		t.Fatalf("ListSecrets on an empty account: %v", err)
	}
	if len(secrets) != 0 {
		t.Errorf("secrets of an empty account = %+v, want none", secrets)
	}
	credentials, err := env.client.ListRegistryCredentials(ctx)
	if err != nil {
		t.Fatalf("ListRegistryCredentials on an empty account: %v", err)
	}
	if len(credentials) != 0 {
		t.Errorf("registry credentials of an empty account = %+v, want none", credentials)
	}

	seed := `{
	  "format_version": 1,
	  "secrets": [
	    {"name": "hf-token", "value": "hf_contract_value", "created_at": "2026-01-12T09:00:00.000Z"},
	    {"name": "api-key", "value": "contract_api_value", "created_at": "2026-01-13T09:00:00.000Z"}
	  ],
	  "file_secrets": [{"name": "comfy-config", "files": {"config.yaml": "a2V5OiB2YWx1ZQo="}}],
	  "registry_credentials": [
	    {"name": "ghcr-comfyume", "type": "ghcr", "fields": {"username": "bot", "access_token": "ghp_contract"},
	     "created_at": "2026-01-12T09:05:00.000Z"}
	  ]
	}`
	if err := env.emu.LoadSeed([]byte(seed)); err != nil {
		t.Fatalf("LoadSeed: %v", err)
	}

	secrets, err = env.client.ListSecrets(ctx)
	if err != nil {
		t.Fatalf("ListSecrets: %v", err)
	}
	wantSecrets := []verda.Secret{
		{Name: "api-key", CreatedAt: "2026-01-13T09:00:00.000Z", SecretType: "generic"},
		{Name: "hf-token", CreatedAt: "2026-01-12T09:00:00.000Z", SecretType: "generic"},
	}
	if !slices.Equal(secrets, wantSecrets) {
		t.Errorf("secrets = %+v, want %+v (file secrets are listed elsewhere)", secrets, wantSecrets)
	}

	credentials, err = env.client.ListRegistryCredentials(ctx)
	if err != nil {
		t.Fatalf("ListRegistryCredentials: %v", err)
	}
	wantCredentials := []verda.RegistryCredential{{Name: "ghcr-comfyume", CreatedAt: "2026-01-12T09:05:00.000Z"}}
	if !slices.Equal(credentials, wantCredentials) {
		t.Errorf("registry credentials = %+v, want %+v", credentials, wantCredentials)
	}
}
