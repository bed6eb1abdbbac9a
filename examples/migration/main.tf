# Moving a deployment from verda-cloud/verda's verda_container to
# verda_comfy_deployment without touching the live deployment.
terraform {
  required_providers {
    verda = {
      source  = "verda-cloud/verda"
      version = "1.1.1"
    }
    comfy = {
      source = "comfyume/verda"
    }
  }
}

provider "verda" {}

provider "comfy" {}

# Step 1: forget the old resource without destroying the deployment. Delete
# its resource block and keep this block until the apply has run everywhere.
removed {
  from = verda_container.comfy_h200

  lifecycle {
    destroy = false
  }
}

# Step 2: adopt the same deployment, by name, as verda_comfy_deployment. The
# plan shows the import and any in-place changes; nothing is replaced.
import {
  provider = comfy
  to       = verda_comfy_deployment.comfy_h200
  id       = "comfy-h200"
}

resource "verda_comfy_deployment" "comfy_h200" {
  provider = comfy

  name  = "comfy-h200"
  image = "ghcr.io/comfyume/comfyui:0.3.64-cu128"
  gpu = {
    type  = "H200"
    count = 1
  }
}
