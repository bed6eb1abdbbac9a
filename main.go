// Command terraform-provider-verda serves the Verda provider for OpenTofu and
// Terraform over plugin protocol 6.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"runtime/debug"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/comfyume/terraform-provider-verda/internal/provider"
)

// version is set by the release build through -ldflags "-X main.version=…".
var version = "dev"

// memoryLimit is the Go runtime's soft memory limit unless GOMEMLIMIT is
// set. A plan of 200 deployments keeps about 18 MB live, and without a limit
// the heap grows to twice that before the collector runs. Both figures were
// measured with make bench (docs/benchmarks.md).
const memoryLimit = 40 << 20

func main() {
	var debugMode bool
	flag.BoolVar(&debugMode, "debug", false, "start the provider with support for debuggers such as delve")
	flag.Parse()

	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	quietSDKLogs()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.opentofu.org/comfyume/verda",
		Debug:   debugMode,
	})
	if err != nil {
		log.Fatal(err)
	}
}

// quietSDKLogs turns off the plugin SDK's own trace logs when the user asked
// for no logs at all. OpenTofu discards provider logs then anyway, but the
// SDK would still format and send them: a quarter of the provider's CPU time
// in a plan of 200 resources. Any TF_LOG variable keeps every log on.
func quietSDKLogs() {
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "TF_LOG") {
			return
		}
	}
	os.Setenv("TF_LOG_SDK", "OFF")
}
