package emulator_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/comfyume/terraform-provider-verda/internal/emulator"
)

// Example serves the emulator in-process, signs in and lists the production fixture's deployments.
func Example() {
	e, err := emulator.New(emulator.Options{})
	if err != nil {
		panic(err)
	}
	if err := e.LoadSeed(emulator.ProductionSeed()); err != nil {
		panic(err)
	}
	server := httptest.NewServer(e.Handler())
	defer server.Close()

	resp, err := http.Post(server.URL+"/v1/oauth2/token", "application/json", strings.NewReader(
		`{"grant_type":"client_credentials","client_id":"emulator-client-id","client_secret":"emulator-client-secret"}`))
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println("token:", resp.StatusCode)

	resp, err = http.Get(server.URL + "/v1/container-deployments")
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println("without a token:", resp.StatusCode)

	status, _ := e.DeploymentStatus("comfy-h200-spot")
	fmt.Println("comfy-h200-spot:", status)
	// Output:
	// token: 200
	// without a token: 401
	// comfy-h200-spot: healthy
}
