// Command terraform-provider-verda serves the Verda provider for OpenTofu and
// Terraform over plugin protocol 6.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/comfyume/terraform-provider-verda/internal/provider"
)

// version is set by the release build through -ldflags "-X main.version=…".
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "start the provider with support for debuggers such as delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.opentofu.org/comfyume/verda",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err)
	}
}
