package provider

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/comfyume/terraform-provider-verda/internal/emulator"
	"github.com/comfyume/terraform-provider-verda/internal/verda"
)

// reliabilityHTTPDate returns an HTTP date d from now, cut to whole
// seconds as the header format requires.
func reliabilityHTTPDate(d time.Duration) (string, time.Time) {
	at := time.Now().Add(d).Truncate(time.Second)
	return at.UTC().Format(http.TimeFormat), at
}

func TestAccReliability_rateLimited(t *testing.T) {
	t.Parallel()
	env := comfyEnv(t)
	// The deployment's plan reads the production SFS that it mounts; the
	// faults on volume reads are meant for the new SFS only.
	reliabilityShield(env, "/v1/volumes/"+comfyProductionSFS)
	const sfsName, deployName = "rl-sfs", "rl-deploy"
	statusPath := "/v1/container-deployments/" + deployName + "/status"
	scalingPath := "/v1/container-deployments/" + deployName + "/scaling"
	config := func(sfsName, scaling string) string {
		return reliabilityProvider(env, "max_retries = 3") + reliabilitySFS(sfsName, 50, "") + reliabilityDeployment(deployName, scaling)
	}
	sameSFS := statecheck.CompareValue(compare.ValuesSame())
	var createDate, refreshDate time.Time
	var sfsID string

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// Creates are rate limited with an HTTP date, the waits' reads
				// with delay-seconds.
				PreConfig: func() {
					var date string
					date, createDate = reliabilityHTTPDate(3 * time.Second)
					env.emu.AddFault(emulator.Fault{Method: "POST", Path: "/v1/container-deployments", Status: 429, RetryAfter: date})
					env.emu.AddFault(emulator.Fault{Method: "POST", Path: "/v1/volumes", Status: 429, RetryAfter: date})
					env.emu.AddFault(emulator.Fault{Method: "GET", Path: statusPath, Status: 429, RetryAfter: "1", Count: 2})
					env.emu.AddFault(emulator.Fault{Method: "GET", Path: "/v1/volumes/*", Status: 429, RetryAfter: "1"})
				},
				Config: config(sfsName, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					sameSFS.AddStateValue(reliabilitySFSAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(reliabilitySFSAddr, tfjsonpath.New("status"), knownvalue.StringExact("created")),
					statecheck.ExpectKnownValue(reliabilityDeployAddr, tfjsonpath.New("comfyui_version"), knownvalue.StringExact("0.3.64")),
					reliabilityCheck(func() error {
						var errs []error
						for _, path := range []string{"/v1/container-deployments", "/v1/volumes"} {
							records := reliabilityRecords(env, "POST", path)
							if len(records) != 2 || records[0].Status != 429 || records[1].Status/100 != 2 {
								errs = append(errs, fmt.Errorf("POST %s: statuses %v, want one 429 and one success", path, reliabilityStatuses(env, "POST", path)))
								continue
							}
							// The server named an instant; the retry must not come before it.
							if records[1].Time.Before(createDate) {
								errs = append(errs, fmt.Errorf("POST %s was retried at %s, before the Retry-After date %s",
									path, records[1].Time.Format(time.StampMilli), createDate.Format(time.StampMilli)))
							}
						}
						errs = append(errs, reliabilityExpectPrefix("GET "+statusPath, reliabilityStatuses(env, "GET", statusPath), []int{429, 429, 200}))
						if gap, err := reliabilityRetryGap(env, "GET", statusPath, 429); err != nil || gap < time.Second {
							errs = append(errs, fmt.Errorf("GET %s: retry %s after a 429 with Retry-After 1 (%v), want at least 1s", statusPath, gap, err))
						}
						if unused := reliabilityUnusedFaults(env); len(unused) != 0 {
							errs = append(errs, fmt.Errorf("faults left unused: %+v", unused))
						}
						return errors.Join(errs...)
					}),
				},
				Check: resource.ComposeTestCheckFunc(
					reliabilityOneLiveSFS(t, env, sfsName),
					reliabilityOneLiveDeployment(t, env, deployName),
					func(s *terraform.State) error {
						var err error
						sfsID, err = reliabilityStateID(s, reliabilitySFSAddr)
						if err != nil {
							return err
						}
						gap, err := reliabilityRetryGap(env, "GET", "/v1/volumes/"+sfsID, 429)
						if err != nil || gap < time.Second {
							return fmt.Errorf("GET /v1/volumes/%s: retry %s after a 429 with Retry-After 1 (%v), want at least 1s", sfsID, gap, err)
						}
						return nil
					},
				),
			},
			{
				// Updates are rate limited with delay-seconds.
				PreConfig: func() {
					env.emu.AddFault(emulator.Fault{Method: "PUT", Path: "/v1/volumes", Status: 429, RetryAfter: "1"})
					env.emu.AddFault(emulator.Fault{Method: "PATCH", Path: scalingPath, Status: 429, RetryAfter: "1"})
				},
				Config: config(sfsName+"-renamed", "  scaling = { max_replicas = 2 }"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(reliabilitySFSAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction(reliabilityDeployAddr, plancheck.ResourceActionUpdate),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameSFS.AddStateValue(reliabilitySFSAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(reliabilitySFSAddr, tfjsonpath.New("name"), knownvalue.StringExact(sfsName+"-renamed")),
					statecheck.ExpectKnownValue(reliabilityDeployAddr, tfjsonpath.New("scaling").AtMapKey("max_replicas"), knownvalue.Int64Exact(2)),
					reliabilityCheck(func() error {
						var errs []error
						for _, write := range [][2]string{{"PUT", "/v1/volumes"}, {"PATCH", scalingPath}} {
							got := reliabilityStatuses(env, write[0], write[1])
							if !slices.Equal(got, []int{429, 200}) && !slices.Equal(got, []int{429, 202}) && !slices.Equal(got, []int{429, 204}) {
								errs = append(errs, fmt.Errorf("%s %s: statuses %v, want one 429 and one success", write[0], write[1], got))
							}
							if gap, err := reliabilityRetryGap(env, write[0], write[1], 429); err != nil || gap < time.Second {
								errs = append(errs, fmt.Errorf("%s %s: retry %s after a 429 with Retry-After 1 (%v), want at least 1s", write[0], write[1], gap, err))
							}
						}
						if live := reliabilityVolumesNamed(t, env, sfsName+"-renamed"); len(live) != 1 || live[0].ID != sfsID {
							errs = append(errs, fmt.Errorf("live volumes named %q: %+v, want only %s", sfsName+"-renamed", live, sfsID))
						}
						return errors.Join(errs...)
					}),
				},
			},
			{
				// The refresh of a plan is rate limited with an HTTP date.
				PreConfig: func() {
					env.emu.ClearRequests()
					var date string
					date, refreshDate = reliabilityHTTPDate(3 * time.Second)
					env.emu.AddFault(emulator.Fault{Method: "GET", Path: "/v1/container-deployments", Status: 429, RetryAfter: date})
					// A refresh reads every SFS through one list of all volumes.
					env.emu.AddFault(emulator.Fault{Method: "GET", Path: "/v1/volumes", Status: 429, RetryAfter: date})
				},
				Config:   config(sfsName+"-renamed", "  scaling = { max_replicas = 2 }"),
				PlanOnly: true,
			},
			{
				// The destroy's calls are rate limited with delay-seconds.
				PreConfig: func() {
					var errs []error
					for _, read := range []string{"/v1/container-deployments", "/v1/volumes"} {
						records := reliabilityRecords(env, "GET", read)
						if len(records) < 2 || records[0].Status != 429 || records[1].Status != 200 {
							errs = append(errs, fmt.Errorf("GET %s during the refresh: statuses %v, want a 429, then 200", read, reliabilityStatuses(env, "GET", read)))
						} else if records[1].Time.Before(refreshDate) {
							errs = append(errs, fmt.Errorf("GET %s was retried at %s, before the Retry-After date %s",
								read, records[1].Time.Format(time.StampMilli), refreshDate.Format(time.StampMilli)))
						}
					}
					if len(env.emu.MutatingRequests()) != 0 {
						errs = append(errs, fmt.Errorf("the rate-limited plan made mutating requests: %q", reliabilityMutations(env, 0)))
					}
					if err := errors.Join(errs...); err != nil {
						t.Error(err)
					}
					env.emu.ClearRequests()
					env.emu.AddFault(emulator.Fault{Method: "DELETE", Path: "/v1/container-deployments/*", Status: 429, RetryAfter: "1"})
					env.emu.AddFault(emulator.Fault{Method: "PUT", Path: "/v1/volumes", Status: 429, RetryAfter: "1"})
				},
				Config:  config(sfsName+"-renamed", "  scaling = { max_replicas = 2 }"),
				Destroy: true,
			},
		},
		CheckDestroy: func(*terraform.State) error {
			var errs []error
			deletePath := "/v1/container-deployments/" + deployName
			if got := reliabilityStatuses(env, "DELETE", deletePath); !slices.Equal(got, []int{429, 204}) && !slices.Equal(got, []int{429, 200}) {
				errs = append(errs, fmt.Errorf("DELETE %s: statuses %v, want one 429 and one success", deletePath, got))
			}
			if got := reliabilityStatuses(env, "PUT", "/v1/volumes"); len(got) != 2 || got[0] != 429 || got[1]/100 != 2 {
				errs = append(errs, fmt.Errorf("PUT /v1/volumes (delete action): statuses %v, want one 429 and one success", got))
			}
			if n := reliabilityDeploymentsNamed(t, env, deployName); n != 0 {
				errs = append(errs, fmt.Errorf("%d deployments named %q remain after the destroy", n, deployName))
			}
			if live := reliabilityVolumesNamed(t, env, sfsName+"-renamed"); len(live) != 0 {
				errs = append(errs, fmt.Errorf("volumes remain after the destroy: %+v", live))
			}
			return errors.Join(errs...)
		},
	})
}

func TestAccReliability_retryAfterBeyondTimeout(t *testing.T) {
	t.Parallel()
	env := comfyEnv(t)
	const sfsName, deployName = "ra-sfs", "ra-deploy"
	statusPath := "/v1/container-deployments/" + deployName + "/status"
	timeouts := `
  timeouts {
    create = "5s"
  }
`
	config := reliabilityProvider(env, "max_retries = 3") + reliabilitySFS(sfsName, 50, timeouts) + reliabilityDeployment(deployName, timeouts)
	var started time.Time

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// The SFS create and the deployment's health wait get a
				// Retry-After of an hour, which the 5 s create timeout cannot
				// cover even at the client's cap of 30 s.
				PreConfig: func() {
					env.emu.AddFault(emulator.Fault{Method: "POST", Path: "/v1/volumes", Status: 429, RetryAfter: "3600"})
					env.emu.AddFault(emulator.Fault{Method: "GET", Path: statusPath, Status: 429, RetryAfter: "3600"})
					started = time.Now()
				},
				Config: config,
				ExpectError: reliabilityEitherOrder(
					`SFS not created`,
					`Deployment not healthy`,
				),
			},
			{
				PreConfig: func() {
					var errs []error
					if elapsed := time.Since(started); elapsed > 5*time.Second+10*time.Second {
						errs = append(errs, fmt.Errorf("the failing apply took %s, want it to end within its 5 s timeout plus OpenTofu's own time", elapsed))
					}
					if got := reliabilityStatuses(env, "POST", "/v1/volumes"); !slices.Equal(got, []int{429}) {
						errs = append(errs, fmt.Errorf("POST /v1/volumes: statuses %v, want the one 429 and no retry", got))
					}
					if got := reliabilityStatuses(env, "GET", statusPath); !slices.Equal(got, []int{429}) {
						errs = append(errs, fmt.Errorf("GET %s: statuses %v, want the one 429 and no retry", statusPath, got))
					}
					if live := reliabilityVolumesNamed(t, env, sfsName); len(live) != 0 {
						errs = append(errs, fmt.Errorf("a rate-limited create left volumes: %+v", live))
					}
					if n := reliabilityDeploymentsNamed(t, env, deployName); n != 1 {
						errs = append(errs, fmt.Errorf("%d deployments named %q, want the 1 whose wait failed", n, deployName))
					}
					if err := errors.Join(errs...); err != nil {
						t.Error(err)
					}
				},
				// The failed wait left the deployment tainted, so this apply
				// replaces it, and creates the SFS.
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(reliabilityDeployAddr, plancheck.ResourceActionDestroyBeforeCreate),
						plancheck.ExpectResourceAction(reliabilitySFSAddr, plancheck.ResourceActionCreate),
					},
				},
				Check: resource.ComposeTestCheckFunc(
					reliabilityOneLiveSFS(t, env, sfsName),
					reliabilityOneLiveDeployment(t, env, deployName),
				),
			},
		},
	})
}

// TestAccReliability_retryAfterMessage checks the text of the error when a
// Retry-After does not fit before the deadline, separately from the test
// above, so that each diagnostic is matched on its own.
func TestAccReliability_retryAfterMessage(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	env.emu.AddFault(emulator.Fault{Method: "POST", Path: "/v1/volumes", Status: 429, RetryAfter: "3600"})

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: reliabilityProvider(env, "") + reliabilitySFS("ra-message", 50, `
  timeouts {
    create = "5s"
  }
`),
				ExpectError: comfyErrorPattern(`HTTP 429 with Retry-After "3600": the wait of 30s does not fit before the operation's deadline; ` +
					`try again later, or raise the operation's timeout`),
			},
			{
				PreConfig: func() {
					if got := reliabilityStatuses(env, "POST", "/v1/volumes"); !slices.Equal(got, []int{429}) {
						t.Errorf("POST /v1/volumes: statuses %v, want the one 429 and no retry", got)
					}
					if live := reliabilityVolumesNamed(t, env, "ra-message"); len(live) != 0 {
						t.Errorf("a rate-limited create left volumes: %+v", live)
					}
				},
				Config: reliabilityProvider(env, "") + reliabilitySFS("ra-message", 50, ""),
				Check:  reliabilityOneLiveSFS(t, env, "ra-message"),
			},
		},
	})
}

func TestAccReliability_serverErrorsOnReads(t *testing.T) {
	t.Parallel()
	env := comfyEnv(t)
	// The deployment's plan reads the production SFS that it mounts; the
	// faults on volume reads are meant for the new SFS only.
	reliabilityShield(env, "/v1/volumes/"+comfyProductionSFS)
	const sfsName, deployName = "burst-sfs", "burst-deploy"
	statusPath := "/v1/container-deployments/" + deployName + "/status"
	config := reliabilityProvider(env, "max_retries = 3") + reliabilitySFS(sfsName, 50, "") + reliabilityDeployment(deployName, "")
	var sfsID string

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// Three different 5xx in a row on each wait's reads: the client's
				// three retries outlast them.
				PreConfig: func() {
					for _, status := range []int{500, 502, 503} {
						env.emu.AddFault(emulator.Fault{Method: "GET", Path: statusPath, Status: status})
					}
					for _, status := range []int{504, 500, 503} {
						env.emu.AddFault(emulator.Fault{Method: "GET", Path: "/v1/volumes/*", Status: status})
					}
				},
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(reliabilitySFSAddr, tfjsonpath.New("status"), knownvalue.StringExact("created")),
					statecheck.ExpectKnownValue(reliabilityDeployAddr, tfjsonpath.New("comfyui_version"), knownvalue.StringExact("0.3.64")),
				},
				Check: resource.ComposeTestCheckFunc(
					reliabilityOneLiveSFS(t, env, sfsName),
					reliabilityOneLiveDeployment(t, env, deployName),
					func(s *terraform.State) error {
						var err error
						sfsID, err = reliabilityStateID(s, reliabilitySFSAddr)
						if err != nil {
							return err
						}
						return errors.Join(
							reliabilityExpectPrefix("GET "+statusPath, reliabilityStatuses(env, "GET", statusPath), []int{500, 502, 503, 200}),
							reliabilityExpectPrefix("GET /v1/volumes/"+sfsID, reliabilityStatuses(env, "GET", "/v1/volumes/"+sfsID), []int{504, 500, 503, 200}),
							reliabilityExpectSingleCreates(env),
						)
					},
				),
			},
			{
				// A refresh whose reads lose their connections twice recovers
				// too. Go's transport repeats an idempotent request once by
				// itself when a reused connection closes, so two drops make
				// sure the client's own retry runs as well.
				PreConfig: func() {
					env.emu.ClearRequests()
					env.emu.AddFault(emulator.Fault{Method: "GET", Path: "/v1/container-deployments", Drop: true, Count: 2})
					env.emu.AddFault(emulator.Fault{Method: "GET", Path: "/v1/volumes", Drop: true, Count: 2})
				},
				Config:   config,
				PlanOnly: true,
			},
			{
				PreConfig: func() {
					var errs []error
					for _, path := range []string{"/v1/container-deployments", "/v1/volumes"} {
						errs = append(errs, reliabilityExpectPrefix("GET "+path, reliabilityStatuses(env, "GET", path), []int{0, 0, 200}))
					}
					if len(env.emu.MutatingRequests()) != 0 {
						errs = append(errs, fmt.Errorf("the plan made mutating requests: %q", reliabilityMutations(env, 0)))
					}
					if err := errors.Join(errs...); err != nil {
						t.Error(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

// reliabilityExpectSingleCreates fails unless exactly one create request of
// each resource kind was logged.
func reliabilityExpectSingleCreates(env *accEnv) error {
	var errs []error
	for _, path := range []string{"/v1/container-deployments", "/v1/volumes"} {
		if n := len(reliabilityRecords(env, "POST", path)); n != 1 {
			errs = append(errs, fmt.Errorf("POST %s was sent %d times, want once", path, n))
		}
	}
	return errors.Join(errs...)
}

func TestAccReliability_serverErrorOnCreate(t *testing.T) {
	t.Parallel()
	env := comfyEnv(t)
	const sfsName, deployName = "failed-sfs", "failed-deploy"
	config := reliabilityProvider(env, "max_retries = 3") + reliabilitySFS(sfsName, 50, "") + reliabilityDeployment(deployName, "")

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// The API fails both creates without committing them. A create
				// is never repeated blindly, so each fails, after the provider
				// made sure that nothing was created.
				PreConfig: func() {
					env.emu.AddFault(emulator.Fault{Method: "POST", Path: "/v1/container-deployments", Status: 503})
					env.emu.AddFault(emulator.Fault{Method: "POST", Path: "/v1/volumes", Status: 502})
				},
				Config: config,
				ExpectError: reliabilityEitherOrder(
					`No deployment named "failed-deploy" exists afterwards, so the API did not create it; apply again`,
					`No new SFS named "failed-sfs" appeared in the API afterwards, so the API did not create one; apply again.`,
				),
			},
			{
				PreConfig: func() {
					var errs []error
					if n := reliabilityDeploymentsNamed(t, env, deployName); n != 0 {
						errs = append(errs, fmt.Errorf("%d deployments named %q after the failed create, want 0", n, deployName))
					}
					if live := reliabilityVolumesNamed(t, env, sfsName); len(live) != 0 {
						errs = append(errs, fmt.Errorf("volumes after the failed create: %+v", live))
					}
					errs = append(errs, reliabilityExpectSingleCreates(env))
					// The provider looked before it reported the failure.
					if got := reliabilityStatuses(env, "GET", "/v1/container-deployments/"+deployName); !slices.Equal(got, []int{404}) {
						errs = append(errs, fmt.Errorf("GET of the deployment after the failed create: statuses %v, want one 404", got))
					}
					if err := reliabilityExpectAround(env, "GET", "/v1/volumes", "POST", "/v1/volumes"); err != nil {
						errs = append(errs, fmt.Errorf("the SFS was not looked up around its failed create: %w", err))
					}
					if err := errors.Join(errs...); err != nil {
						t.Error(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(reliabilitySFSAddr, plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction(reliabilityDeployAddr, plancheck.ResourceActionCreate),
					},
				},
				Check: resource.ComposeTestCheckFunc(
					reliabilityOneLiveSFS(t, env, sfsName),
					reliabilityOneLiveDeployment(t, env, deployName),
				),
			},
		},
	})
}

// reliabilityExpectAround fails unless a request of method and path was
// logged both before and after the first request of aroundMethod and
// aroundPath.
func reliabilityExpectAround(env *accEnv, method, path, aroundMethod, aroundPath string) error {
	records := env.emu.Requests()
	pivot := slices.IndexFunc(records, func(r emulator.RequestRecord) bool { return r.Method == aroundMethod && r.Path == aroundPath })
	if pivot < 0 {
		return fmt.Errorf("no %s %s was logged", aroundMethod, aroundPath)
	}
	matches := func(r emulator.RequestRecord) bool { return r.Method == method && r.Path == path }
	if !slices.ContainsFunc(records[:pivot], matches) {
		return fmt.Errorf("no %s %s before %s %s", method, path, aroundMethod, aroundPath)
	}
	if !slices.ContainsFunc(records[pivot+1:], matches) {
		return fmt.Errorf("no %s %s after %s %s", method, path, aroundMethod, aroundPath)
	}
	return nil
}

func TestAccReliability_createCommitted(t *testing.T) {
	t.Parallel()
	for name, fault := range map[string]emulator.Fault{
		"serverError":       {CommitThenFail: true, Status: 500},
		"connectionDropped": {CommitThenFail: true, Drop: true},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := comfyEnv(t)
			sfsName, deployName := "committed-sfs", "committed-deploy"
			config := reliabilityProvider(env, "max_retries = 3") + reliabilitySFS(sfsName, 50, "") + reliabilityDeployment(deployName, "")
			sfsFault, deployFault := fault, fault
			sfsFault.Method, sfsFault.Path = "POST", "/v1/volumes"
			deployFault.Method, deployFault.Path = "POST", "/v1/container-deployments"
			wantStatus := fault.Status

			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps: []resource.TestStep{
					{
						// The API creates both objects but their responses are
						// lost. The provider finds each by name and adopts it.
						PreConfig: func() {
							env.emu.AddFault(sfsFault)
							env.emu.AddFault(deployFault)
						},
						Config: config,
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue(reliabilitySFSAddr, tfjsonpath.New("status"), knownvalue.StringExact("created")),
							statecheck.ExpectKnownValue(reliabilitySFSAddr, tfjsonpath.New("size"), knownvalue.Int64Exact(50)),
							statecheck.ExpectKnownValue(reliabilityDeployAddr, tfjsonpath.New("endpoint_base_url"),
								knownvalue.StringRegexp(regexp.MustCompile(`/inference/`+deployName+`$`))),
							statecheck.ExpectKnownValue(reliabilityDeployAddr, tfjsonpath.New("comfyui_version"), knownvalue.StringExact("0.3.64")),
							reliabilityCheck(func() error {
								var errs []error
								for _, path := range []string{"/v1/container-deployments", "/v1/volumes"} {
									if got := reliabilityStatuses(env, "POST", path); !slices.Equal(got, []int{wantStatus}) {
										errs = append(errs, fmt.Errorf("POST %s: statuses %v, want the one failed create %d and no retry", path, got, wantStatus))
									}
								}
								return errors.Join(errs...)
							}),
						},
						Check: resource.ComposeTestCheckFunc(
							reliabilityOneLiveSFS(t, env, sfsName),
							reliabilityOneLiveDeployment(t, env, deployName),
						),
					},
					{
						Config: config,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						},
					},
				},
			})
		})
	}
}

// TestAccReliability_createCommittedNameTaken checks that a create
// whose response is lost does not adopt an older SFS of the same name. SFS
// names need not be unique, so the new volume is recognized by its id.
func TestAccReliability_createCommittedNameTaken(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	const sfsName = "twin-sfs"
	olderID, err := env.apiClient(t).CreateVolume(apiContext(t), verda.CreateVolumeRequest{Name: sfsName, Type: sfsDefaultType, Size: 50})
	if err != nil {
		t.Fatalf("creating the older volume: %v", err)
	}
	env.emu.ClearRequests()

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					env.emu.AddFault(emulator.Fault{Method: "POST", Path: "/v1/volumes", CommitThenFail: true, Drop: true})
				},
				Config: reliabilityProvider(env, "") + reliabilitySFS(sfsName, 50, ""),
				Check: func(s *terraform.State) error {
					id, err := reliabilityStateID(s, reliabilitySFSAddr)
					if err != nil {
						return err
					}
					live := reliabilityVolumesNamed(t, env, sfsName)
					if len(live) != 2 {
						return fmt.Errorf("%d volumes named %q, want the older one and the new one", len(live), sfsName)
					}
					if id == olderID {
						return fmt.Errorf("the provider adopted the older volume %s instead of the one it created", olderID)
					}
					if n := len(reliabilityRecords(env, "POST", "/v1/volumes")); n != 1 {
						return fmt.Errorf("POST /v1/volumes was sent %d times, want once", n)
					}
					return nil
				},
			},
		},
	})
}

func TestAccReliability_cloneCommitted(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	const cloneName = "committed-clone"
	sourceID, err := env.apiClient(t).CreateVolume(apiContext(t), verda.CreateVolumeRequest{Name: "clone-source", Type: sfsDefaultType, Size: 50})
	if err != nil {
		t.Fatalf("creating the clone source: %v", err)
	}
	env.emu.ClearRequests()

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// The API clones the volume but the response is lost. The clone
				// has its source's 50 GB, so the provider adopts it and then
				// grows it to the planned size.
				PreConfig: func() {
					env.emu.AddFault(emulator.Fault{Method: "PUT", Path: "/v1/volumes", CommitThenFail: true, Drop: true})
				},
				Config: reliabilityProvider(env, "") + reliabilitySFS(cloneName, 60, fmt.Sprintf("  source_volume_id = %q", sourceID)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(reliabilitySFSAddr, tfjsonpath.New("size"), knownvalue.Int64Exact(60)),
					statecheck.ExpectKnownValue(reliabilitySFSAddr, tfjsonpath.New("source_volume_id"), knownvalue.StringExact(sourceID)),
				},
				Check: resource.ComposeTestCheckFunc(
					reliabilityOneLiveSFS(t, env, cloneName),
					func(*terraform.State) error {
						clones := 0
						for _, action := range sfsVolumeActions(t, env, "clone") {
							if action.ID == sourceID {
								clones++
							}
						}
						if clones != 1 {
							return fmt.Errorf("the source was cloned %d times, want once", clones)
						}
						// The clone's connection was dropped; the resize that follows succeeded.
						if got := reliabilityStatuses(env, "PUT", "/v1/volumes"); len(got) != 2 || got[0] != 0 || got[1]/100 != 2 {
							return fmt.Errorf("PUT /v1/volumes: statuses %v, want the dropped clone, then the resize", got)
						}
						return nil
					},
				),
			},
		},
	})
}

func TestAccReliability_deleteCommitted(t *testing.T) {
	t.Parallel()
	env := comfyEnv(t)
	const sfsName, deployName = "deleted-sfs", "deleted-deploy"
	config := reliabilityProvider(env, "max_retries = 3") + reliabilitySFS(sfsName, 50, "") + reliabilityDeployment(deployName, "")
	deletePath := "/v1/container-deployments/" + deployName

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
			},
			{
				// The API deletes both objects but the responses are lost. A
				// delete may be repeated, and a repeated one finds nothing left
				// to delete, which counts as done.
				PreConfig: func() {
					env.emu.ClearRequests()
					env.emu.AddFault(emulator.Fault{Method: "DELETE", Path: deletePath, CommitThenFail: true, Drop: true})
					env.emu.AddFault(emulator.Fault{Method: "PUT", Path: "/v1/volumes", CommitThenFail: true, Drop: true})
				},
				Config:  config,
				Destroy: true,
			},
		},
		CheckDestroy: func(*terraform.State) error {
			var errs []error
			if got := reliabilityStatuses(env, "DELETE", deletePath); len(got) < 2 || got[0] != 0 {
				errs = append(errs, fmt.Errorf("DELETE %s: statuses %v, want the dropped delete, then a repeated one", deletePath, got))
			}
			if got := reliabilityStatuses(env, "PUT", "/v1/volumes"); len(got) < 2 || got[0] != 0 {
				errs = append(errs, fmt.Errorf("PUT /v1/volumes: statuses %v, want the dropped delete action, then a repeated one", got))
			}
			if n := reliabilityDeploymentsNamed(t, env, deployName); n != 0 {
				errs = append(errs, fmt.Errorf("%d deployments named %q after the destroy", n, deployName))
			}
			if live := reliabilityVolumesNamed(t, env, sfsName); len(live) != 0 {
				errs = append(errs, fmt.Errorf("volumes named %q after the destroy: %+v", sfsName, live))
			}
			return errors.Join(errs...)
		},
	})
}

func TestAccReliability_tokenExpiresMidApply(t *testing.T) {
	t.Parallel()
	// The emulator's clock moves only when the test moves it, so a token
	// expires at the moment the test chooses, while the provider's own clock
	// still counts it as valid for an hour.
	clock := emulator.NewManualClock(time.Now())
	env := newAccEnv(t, func(o *emulator.Options) {
		o.Clock = clock
		o.StagePolls = 10
	}).withProductionSeed()
	const deployName = "token-deploy"
	statusPath := "/v1/container-deployments/" + deployName + "/status"

	var expired sync.WaitGroup
	var jumped bool
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// Two hours pass on the API's clock once the health wait has begun.
				PreConfig: func() {
					expired.Add(1)
					go func() {
						defer expired.Done()
						if reliabilityWaitFor(2*time.Minute, func() bool { return env.emu.CountRequests("GET", statusPath) > 0 }) {
							clock.Advance(2 * time.Hour)
							jumped = true
						}
					}()
				},
				Config: reliabilityProvider(env, "max_retries = 3") + reliabilityDeployment(deployName, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(reliabilityDeployAddr, tfjsonpath.New("comfyui_version"), knownvalue.StringExact("0.3.64")),
					reliabilityCheck(func() error {
						expired.Wait()
						if !jumped {
							return errors.New("the apply never polled the deployment's status, so the token never expired during it")
						}
						return reliabilityExpectOneReauthentication(env)
					}),
				},
				Check: reliabilityOneLiveDeployment(t, env, deployName),
			},
		},
	})
}

func TestAccReliability_unauthorizedOnce(t *testing.T) {
	t.Parallel()
	env := comfyEnv(t)
	const sfsName, deployName = "unauth-sfs", "unauth-deploy"

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// A write and a read are each rejected once, as if the token had
				// been revoked.
				PreConfig: func() {
					env.emu.AddFault(emulator.Fault{Method: "POST", Path: "/v1/volumes", Status: 401})
					env.emu.AddFault(emulator.Fault{Method: "GET", Path: "/v1/container-deployments/" + deployName + "/status", Status: 401})
				},
				Config: reliabilityProvider(env, "max_retries = 3") + reliabilitySFS(sfsName, 50, "") + reliabilityDeployment(deployName, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					reliabilityCheck(func() error {
						var errs []error
						if got := reliabilityStatuses(env, "POST", "/v1/volumes"); len(got) != 2 || got[0] != 401 || got[1]/100 != 2 {
							errs = append(errs, fmt.Errorf("POST /v1/volumes: statuses %v, want a 401, then the create", got))
						}
						errs = append(errs, reliabilityExpectOneReauthentication(env))
						return errors.Join(errs...)
					}),
				},
				Check: resource.ComposeTestCheckFunc(
					reliabilityOneLiveSFS(t, env, sfsName),
					reliabilityOneLiveDeployment(t, env, deployName),
				),
			},
		},
	})
}

// reliabilityExpectOneReauthentication checks that each 401 of an API call
// was followed by exactly one token request and then by the same call,
// which succeeded.
func reliabilityExpectOneReauthentication(env *accEnv) error {
	records := env.emu.Requests()
	var errs []error
	seen := 0
	for i, rec := range records {
		if rec.Status != http.StatusUnauthorized || rec.Path == reliabilityTokenPath {
			continue
		}
		seen++
		// Other calls of the same apply may run in between, so the next
		// token request and the next request of the same call are looked up.
		var tokens []int
		retried := -1
		for _, next := range records[i+1:] {
			if next.Path == reliabilityTokenPath {
				tokens = append(tokens, next.Status)
				continue
			}
			if next.Method == rec.Method && next.Path == rec.Path {
				retried = next.Status
				break
			}
		}
		if !slices.Equal(tokens, []int{200}) || retried/100 != 2 {
			errs = append(errs, fmt.Errorf("after the 401 of %s %s: token requests %v and the repeated call's status %d; "+
				"want one successful token request, then the call succeeding", rec.Method, rec.Path, tokens, retried))
		}
	}
	if seen == 0 {
		errs = append(errs, errors.New("no API call was rejected with 401"))
	}
	return errors.Join(errs...)
}

func TestAccReliability_apiDownDuringPlan(t *testing.T) {
	t.Parallel()
	server, env := newReliabilityServer(t)
	const sfsName, deployName = "down-sfs", "down-deploy"
	config := reliabilityProvider(env, "max_retries = 1") + reliabilitySFS(sfsName, 50, "") + reliabilityDeployment(deployName, "")
	sameSFS := statecheck.CompareValue(compare.ValuesSame())
	sameCreatedAt := statecheck.CompareValue(compare.ValuesSame())
	mutations := 0

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					sameSFS.AddStateValue(reliabilitySFSAddr, tfjsonpath.New("id")),
					sameCreatedAt.AddStateValue(reliabilityDeployAddr, tfjsonpath.New("created_at")),
				},
			},
			{
				PreConfig: func() {
					mutations = len(env.emu.MutatingRequests())
					server.stop()
					if !reliabilityRefused(env.server.BaseURL) {
						t.Fatal("the stopped emulator still accepts connections")
					}
				},
				Config:      config,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)connection refused.*(could not be reached|check the network)`),
			},
			{
				PreConfig: func() {
					server.start()
					if got := reliabilityMutations(env, mutations); len(got) != 0 {
						t.Errorf("mutating requests while the API was down: %q", got)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameSFS.AddStateValue(reliabilitySFSAddr, tfjsonpath.New("id")),
					sameCreatedAt.AddStateValue(reliabilityDeployAddr, tfjsonpath.New("created_at")),
				},
				Check: resource.ComposeTestCheckFunc(
					reliabilityOneLiveSFS(t, env, sfsName),
					reliabilityOneLiveDeployment(t, env, deployName),
				),
			},
		},
	})
}

func TestAccReliability_slowAPI(t *testing.T) {
	t.Parallel()
	env := comfyEnv(t)
	// The deployment's plan reads the production SFS that it mounts; the
	// faults on volume reads are meant for the new SFS only.
	reliabilityShield(env, "/v1/volumes/"+comfyProductionSFS)
	const sfsName, deployName = "slow-sfs", "slow-deploy"
	statusPath := "/v1/container-deployments/" + deployName + "/status"
	provider := reliabilityProvider(env, `
  max_retries     = 2
  request_timeout = "1s"
`)
	created := provider + reliabilitySFS(sfsName, 50, "") + reliabilityDeployment(deployName, "")
	updated := provider + reliabilitySFS(sfsName, 50, "") + reliabilityDeployment(deployName, `
  scaling          = { max_replicas = 2 }
  on_failed_update = "keep"
`)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// One read of each wait responds only after the 1 s request
				// timeout, so the client gives up on it and sends it again.
				PreConfig: func() {
					env.emu.AddFault(emulator.Fault{Method: "GET", Path: statusPath, Delay: 3 * time.Second})
					env.emu.AddFault(emulator.Fault{Method: "GET", Path: "/v1/volumes/*", Delay: 3 * time.Second})
				},
				Config: created,
				Check: resource.ComposeTestCheckFunc(
					reliabilityOneLiveSFS(t, env, sfsName),
					reliabilityOneLiveDeployment(t, env, deployName),
					func(s *terraform.State) error {
						sfsID, err := reliabilityStateID(s, reliabilitySFSAddr)
						if err != nil {
							return err
						}
						return errors.Join(
							reliabilityExpectPrefix("GET "+statusPath, reliabilityStatuses(env, "GET", statusPath), []int{0, 200}),
							reliabilityExpectPrefix("GET /v1/volumes/"+sfsID, reliabilityStatuses(env, "GET", "/v1/volumes/"+sfsID), []int{0, 200}),
							reliabilityExpectSingleCreates(env),
						)
					},
				),
			},
			{
				// After a scaling change, every status read of the health wait
				// is slow, the retries included: the update fails with an error
				// that names the request timeout.
				PreConfig: func() {
					env.emu.ClearRequests()
					env.emu.AddFault(emulator.Fault{Method: "GET", Path: statusPath, Delay: 3 * time.Second, Count: 3})
				},
				Config:      updated,
				ExpectError: comfyErrorPattern(`did not respond within the request timeout of 1s`),
			},
			{
				PreConfig: func() {
					// One try and two retries, each given up after 1 s.
					if got := reliabilityStatuses(env, "GET", statusPath); !slices.Equal(got, []int{0, 0, 0}) {
						t.Errorf("GET %s: statuses %v, want three reads given up", statusPath, got)
					}
					if got := reliabilityMutations(env, 0); !slices.Equal(got, []string{"PATCH " + "/v1/container-deployments/" + deployName + "/scaling"}) {
						t.Errorf("mutating requests %q, want only the scaling change", got)
					}
				},
				// on_failed_update = "keep" kept the change, which the API
				// accepted, so nothing is left to do.
				Config: updated,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(reliabilityDeployAddr, tfjsonpath.New("scaling").AtMapKey("max_replicas"), knownvalue.Int64Exact(2)),
				},
			},
		},
	})
}
