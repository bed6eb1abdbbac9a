package provider

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/comfyume/terraform-provider-verda/internal/emulator"
	"github.com/comfyume/terraform-provider-verda/internal/verda"
)

// Addresses and names of the objects that the reliability tests manage.
const (
	reliabilitySFSAddr    = "verda_sfs.test"
	reliabilityDeployAddr = "verda_comfy_deployment.test"
	reliabilityTokenPath  = "/v1/oauth2/token"
)

// reliabilityProvider is a provider block for the test's emulator with a
// short poll interval; settings holds more arguments, such as max_retries.
func reliabilityProvider(env *accEnv, settings string) string {
	return fmt.Sprintf(`
provider "verda" {
  base_url          = %q
  client_id         = "emulator-client-id"
  client_secret     = "emulator-client-secret"
  inference_api_key = "emulator-inference-key"
  poll_interval     = "20ms"
%s
}
`, env.server.BaseURL, settings)
}

// reliabilitySFS is a verda_sfs "test" without deletion protection, so that
// the test's final destroy removes it; extra holds more arguments.
func reliabilitySFS(name string, size int, extra string) string {
	return fmt.Sprintf(`
resource "verda_sfs" "test" {
  name                = %q
  size                = %d
  deletion_protection = false
%s
}
`, name, size, extra)
}

// reliabilityDeployment is a verda_comfy_deployment "test" of the
// production image on one H200 that mounts the production seed's SFS.
func reliabilityDeployment(name, extra string) string {
	return comfyHCL(name, comfyProductionImage, extra)
}

// reliabilityVolumesNamed returns the live volumes (the trash excluded)
// with the given name.
func reliabilityVolumesNamed(t *testing.T, env *accEnv, name string) []verda.Volume {
	t.Helper()
	list, err := env.apiClient(t).ListVolumes(apiContext(t))
	if err != nil {
		t.Fatalf("listing volumes: %v", err)
	}
	var out []verda.Volume
	for _, v := range list {
		if v.Name == name {
			out = append(out, v)
		}
	}
	return out
}

// reliabilityDeploymentsNamed counts the deployments with the given name.
func reliabilityDeploymentsNamed(t *testing.T, env *accEnv, name string) int {
	t.Helper()
	list, err := env.apiClient(t).ListDeployments(apiContext(t))
	if err != nil {
		t.Fatalf("listing deployments: %v", err)
	}
	n := 0
	for _, d := range list {
		if d.Name == name {
			n++
		}
	}
	return n
}

// reliabilityRecords returns the logged requests with the given method and
// exact path, in the order the emulator received them.
func reliabilityRecords(env *accEnv, method, path string) []emulator.RequestRecord {
	var out []emulator.RequestRecord
	for _, rec := range env.emu.Requests() {
		if rec.Method == method && rec.Path == path {
			out = append(out, rec)
		}
	}
	return out
}

// reliabilityStatuses returns the response statuses of the logged requests
// with the given method and exact path; 0 is a dropped connection or a
// request whose client gave up.
func reliabilityStatuses(env *accEnv, method, path string) []int {
	var out []int
	for _, rec := range reliabilityRecords(env, method, path) {
		out = append(out, rec.Status)
	}
	return out
}

// reliabilityExpectPrefix fails unless got starts with want.
func reliabilityExpectPrefix(request string, got, want []int) error {
	if len(got) < len(want) || !slices.Equal(got[:len(want)], want) {
		return fmt.Errorf("%s: statuses %v, want them to start with %v", request, got, want)
	}
	return nil
}

// reliabilityRetryGap returns the time between the first logged request of
// method and path with status failed and the request after it on the same
// path.
func reliabilityRetryGap(env *accEnv, method, path string, failed int) (time.Duration, error) {
	records := reliabilityRecords(env, method, path)
	for i, rec := range records {
		if rec.Status == failed {
			if i+1 == len(records) {
				return 0, fmt.Errorf("%s %s: no request followed the %d", method, path, failed)
			}
			return records[i+1].Time.Sub(rec.Time), nil
		}
	}
	return 0, fmt.Errorf("%s %s: no %d was logged; statuses %v", method, path, failed, reliabilityStatuses(env, method, path))
}

// reliabilityMutations returns "METHOD path" of the mutating API requests
// logged after the first skip ones.
func reliabilityMutations(env *accEnv, skip int) []string {
	var out []string
	for i, rec := range env.emu.MutatingRequests() {
		if i >= skip {
			out = append(out, rec.Method+" "+rec.Path)
		}
	}
	return out
}

// reliabilityCheck adapts a function to statecheck.StateCheck, for checks
// that ask the emulator rather than the state.
type reliabilityCheck func() error

func (f reliabilityCheck) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = f()
}

// reliabilityStateID returns the id of a resource in state.
func reliabilityStateID(s *terraform.State, address string) (string, error) {
	rs, ok := s.RootModule().Resources[address]
	if !ok {
		return "", fmt.Errorf("%s is not in state", address)
	}
	return rs.Primary.ID, nil
}

// reliabilityOneLiveSFS checks that exactly one live volume has the name and
// that the state's id is that volume's.
func reliabilityOneLiveSFS(t *testing.T, env *accEnv, name string) func(*terraform.State) error {
	return func(s *terraform.State) error {
		live := reliabilityVolumesNamed(t, env, name)
		if len(live) != 1 {
			return fmt.Errorf("%d volumes named %q exist, want exactly 1: %+v", len(live), name, live)
		}
		id, err := reliabilityStateID(s, reliabilitySFSAddr)
		if err != nil {
			return err
		}
		if id != live[0].ID {
			return fmt.Errorf("state holds SFS id %s, but the live volume named %q is %s", id, name, live[0].ID)
		}
		return nil
	}
}

// reliabilityOneLiveDeployment checks that exactly one deployment has the
// name and that the state holds it.
func reliabilityOneLiveDeployment(t *testing.T, env *accEnv, name string) func(*terraform.State) error {
	return func(s *terraform.State) error {
		if n := reliabilityDeploymentsNamed(t, env, name); n != 1 {
			return fmt.Errorf("%d deployments named %q exist, want exactly 1", n, name)
		}
		id, err := reliabilityStateID(s, reliabilityDeployAddr)
		if err != nil {
			return err
		}
		if id != name {
			return fmt.Errorf("state holds deployment id %q, want %q", id, name)
		}
		return nil
	}
}

// reliabilityEitherOrder matches two texts in an OpenTofu diagnostic output
// in either order, because resources are applied concurrently.
func reliabilityEitherOrder(first, second string) *regexp.Regexp {
	a, b := comfyErrorPattern(first).String(), comfyErrorPattern(second).String()
	return regexp.MustCompile(`(?s)(` + a + `.*` + b + `|` + b + `.*` + a + `)`)
}

// reliabilityWaitFor polls cond every 5 ms until it holds or the timeout
// passes, and reports whether it held.
func reliabilityWaitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(5 * time.Millisecond)
	}
	return cond()
}

// reliabilityShieldDelay marks the faults that reliabilityShield adds.
const reliabilityShieldDelay = time.Nanosecond

// reliabilityShield lets the requests to one exact path through untouched,
// so that faults added after it with a wider pattern, such as
// "/v1/volumes/*", hit only the other paths. Faults match in the order they
// were added, and a fault with only a delay passes the request on.
func reliabilityShield(env *accEnv, path string) {
	env.emu.AddFault(emulator.Fault{Path: path, Delay: reliabilityShieldDelay, Count: 1 << 30})
}

// reliabilityUnusedFaults returns the faults that are still active, except
// the shields.
func reliabilityUnusedFaults(env *accEnv) []emulator.Fault {
	var out []emulator.Fault
	for _, f := range env.emu.Faults() {
		if f.Delay != reliabilityShieldDelay {
			out = append(out, f)
		}
	}
	return out
}

// reliabilityServer is an emulator behind a loopback server that a test can
// stop and start again on the same address, to take the API down.
type reliabilityServer struct {
	t       *testing.T
	emu     *emulator.Emulator
	addr    string
	current *httptest.Server
}

// newReliabilityServer starts an emulator with the production seed behind
// a stoppable server, and returns it with an accEnv that points at it.
func newReliabilityServer(t *testing.T) (*reliabilityServer, *accEnv) {
	t.Helper()
	emu, err := emulator.New(emulator.Options{})
	if err != nil {
		t.Fatalf("creating the emulator: %v", err)
	}
	if err := emu.LoadSeed(emulator.ProductionSeed()); err != nil {
		t.Fatalf("loading the production seed: %v", err)
	}
	s := &reliabilityServer{t: t, emu: emu}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listening on a loopback port: %v", err)
	}
	s.addr = listener.Addr().String()
	s.serve(listener)
	t.Cleanup(s.stop)

	url := "http://" + s.addr
	env := &accEnv{t: t, server: &emulator.TestServer{URL: url, BaseURL: url + "/v1", Emulator: emu}, emu: emu}
	return s, env
}

func (s *reliabilityServer) serve(listener net.Listener) {
	srv := httptest.NewUnstartedServer(s.emu.Handler())
	srv.Listener = listener
	srv.Config.ErrorLog = nil
	srv.Start()
	s.current = srv
}

// stop closes the server, so that connections to its address are refused.
func (s *reliabilityServer) stop() {
	if s.current != nil {
		s.current.CloseClientConnections()
		s.current.Close()
		s.current = nil
	}
}

// start serves the emulator again on the same address.
func (s *reliabilityServer) start() {
	s.t.Helper()
	var listener net.Listener
	var err error
	// The port is free again once the old listener is closed; a few tries
	// cover a slow close.
	for range 50 {
		listener, err = net.Listen("tcp", s.addr)
		if err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		s.t.Fatalf("listening on %s again: %v", s.addr, err)
	}
	s.serve(listener)
}

// reliabilityRefused reports whether the host of baseURL refuses connections.
func reliabilityRefused(baseURL string) bool {
	client := &http.Client{Timeout: time.Second}
	resp, err := client.Get(baseURL + "/instance-types")
	if err != nil {
		return strings.Contains(err.Error(), "refused")
	}
	_ = resp.Body.Close()
	return false
}
