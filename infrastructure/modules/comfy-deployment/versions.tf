terraform {
  required_version = ">= 1.8.0"

  required_providers {
    verda = {
      source  = "comfyume/verda"
      version = ">= 0.1.0"
    }
  }
}
