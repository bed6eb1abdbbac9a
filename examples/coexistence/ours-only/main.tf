# The comfyume/verda half of ../main.tf, validated offline: this provider
# under the local name "comfy", every resource selecting it with
# `provider = comfy`.
terraform {
  required_providers {
    comfy = {
      source = "comfyume/verda"
    }
  }
}

provider "comfy" {}

resource "verda_sfs" "models" {
  provider = comfy

  name = "workshop-models"
  size = 500
}

resource "verda_comfy_deployment" "h200" {
  provider = comfy

  name  = "comfy-h200"
  image = "ghcr.io/comfyume/comfyui:0.3.64-cu128"
  gpu = {
    type  = "H200"
    count = 1
  }

  sfs_mounts = [{
    volume_id = verda_sfs.models.id
  }]
}
