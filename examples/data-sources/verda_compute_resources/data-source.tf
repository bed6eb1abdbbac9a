terraform {
  required_providers {
    verda = {
      source = "comfyume/verda"
    }
  }
}

data "verda_compute_resources" "available" {
  available_only = true
}

output "gpu_types" {
  value = data.verda_compute_resources.available.names
}
