# This provider beside the official verda-cloud/verda provider in one
# configuration. Both read VERDA_CLIENT_ID, VERDA_CLIENT_SECRET and
# VERDA_BASE_URL, so one environment configures both.
#
# Both providers name their resources verda_*, so each gets its own local
# name. Here the official provider keeps the local name "verda" and this one
# is "comfy": every resource and data source of this provider sets
# `provider = comfy`, otherwise OpenTofu would look for it in verda-cloud/verda.
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

# Managed by verda-cloud/verda: an SSH key for the team's VMs.
resource "verda_ssh_key" "team" {
  name       = "workshop-team"
  public_key = file("${path.module}/team.pub")
}

# Managed by comfyume/verda: the shared filesystem and a ComfyUI deployment.
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
