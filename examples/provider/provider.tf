terraform {
  required_providers {
    verda = {
      source = "comfyume/verda"
    }
  }
}

# Credentials default to VERDA_CLIENT_ID and VERDA_CLIENT_SECRET, the base URL
# to VERDA_BASE_URL (then https://api.verda.com/v1), and the key for ComfyUI
# health probes to VERDA_INFERENCE_API_KEY.
provider "verda" {
  # Refuse plan and apply unless this machine is a marked testing server.
  require_testing_instance = true
  forbidden_hostnames      = ["dev-laptop", "prod-gateway-1"]
}
