package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/comfyume/terraform-provider-verda/internal/emulator"
)

// setupPollInterval is the provider's poll interval while the benchmark
// creates the resources it then measures: short, because only the plans
// that follow are measured.
const setupPollInterval = 50 * time.Millisecond

// Images the benchmark configurations deploy. The emulator's image
// behaviours are keyed by these exact references.
const (
	benchImage      = "ghcr.io/comfyume/comfyui:0.3.64-cu128"
	neverReadyImage = "ghcr.io/comfyume/comfyui:0.3.64-bench-never-ready"
	pullErrorImage  = "ghcr.io/comfyume/comfyui:0.3.64-bench-pull-error"
)

// providerBlock is the configuration of comfyume/verda pointed at one
// emulator. No inference key is set, so the health probes stay off and the
// figures measure the provider's own API traffic. pollInterval is an HCL
// expression, such as "\"50ms\"" or "var.poll_interval".
func providerBlock(baseURL, pollInterval string) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    verda = {
      source  = "comfyume/verda"
      version = ">= 0.1.0"
    }
  }
}

provider "verda" {
  base_url      = %q
  client_id     = %q
  client_secret = %q
  poll_interval = %s
}
`, baseURL, emulator.DefaultClientID, emulator.DefaultClientSecret, pollInterval)
}

// deploymentsConfig is n verda_comfy_deployment resources that mount two
// verda_sfs resources, the shape of a team that runs many ComfyUI
// deployments on one model store and one output store.
func deploymentsConfig(baseURL string, n int) string {
	var b strings.Builder
	b.WriteString(providerBlock(baseURL, fmt.Sprintf("%q", setupPollInterval.String())))
	fmt.Fprintf(&b, `
resource "verda_sfs" "models" {
  name                = "bench-models"
  size                = 500
  deletion_protection = false
}

resource "verda_sfs" "outputs" {
  name                = "bench-outputs"
  size                = 100
  deletion_protection = false
}

resource "verda_comfy_deployment" "bench" {
  count = %d

  name  = format("bench-%%03d", count.index)
  image = %q
  gpu = {
    type = "H200"
  }

  sfs_mounts = [
    { volume_id = verda_sfs.models.id, mount_path = "/mnt/sfs" },
    { volume_id = verda_sfs.outputs.id, mount_path = "/mnt/outputs" },
  ]
  output_directory         = "/mnt/outputs/comfyui"
  extra_model_paths_config = "/mnt/sfs/extra_model_paths.yaml"
  extra_args               = ["--preview-method", "auto"]

  env = {
    COMFYUI_LOG_LEVEL = "INFO"
  }

  scaling = {
    min_replicas = 0
    max_replicas = 2
  }

  health_probe = {
    enabled = false
  }
}
`, n, benchImage)
	return b.String()
}

// baselineConfig is n terraform_data resources: OpenTofu's cost of planning
// n resources with no provider process and no API behind them.
func baselineConfig(n int) string {
	return fmt.Sprintf(`resource "terraform_data" "bench" {
  count = %d

  input = {
    name  = format("bench-%%03d", count.index)
    image = %q
    gpu   = "H200"
  }
}
`, n, benchImage)
}

// latencyConfig is one deployment of the image given by var.image, named by
// var.name, that apply waits for with the poll interval var.poll_interval.
func latencyConfig(baseURL string) string {
	return providerBlock(baseURL, "var.poll_interval") + `
variable "poll_interval" {
  type = string
}

variable "name" {
  type = string
}

variable "image" {
  type = string
}

resource "verda_comfy_deployment" "probe" {
  name             = var.name
  image            = var.image
  output_directory = ""
  gpu = {
    type = "H200"
  }

  health_probe = {
    enabled = false
  }
}
`
}

// writeConfig creates dir and writes main.tf into it.
func writeConfig(dir, content string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating %s failed: %w", dir, err)
	}
	path := filepath.Join(dir, "main.tf")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		return fmt.Errorf("writing %s failed: %w", path, err)
	}
	return nil
}
