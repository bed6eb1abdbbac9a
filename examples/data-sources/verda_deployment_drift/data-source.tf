terraform {
  required_providers {
    verda = {
      source = "comfyume/verda"
    }
  }
}

# Warn on every plan when a ComfyUI deployment differs from the documented
# settings or from the rest of the fleet. A failed check is a warning, so
# plan and apply go on.
check "comfyui_fleet" {
  data "verda_deployment_drift" "fleet" {
    name_prefix = "comfy-"
    consistency = true

    baseline = {
      output_directory     = "/mnt/sfs/outputs"
      healthcheck_path     = "/system_stats"
      queue_load_threshold = 1
      secret_env_names     = ["HF_TOKEN"]
    }
  }

  assert {
    condition     = !data.verda_deployment_drift.fleet.drifted
    error_message = data.verda_deployment_drift.fleet.summary
  }
}

# Stop the plan when a required deployment is missing or not healthy.
data "verda_deployment_drift" "required" {
  names = ["comfy-h200", "comfy-b200"]

  lifecycle {
    postcondition {
      condition     = length([for f in self.findings : f if contains(["missing", "unhealthy"], f.kind)]) == 0
      error_message = self.summary
    }
  }
}

output "drifted_deployments" {
  value = sort([for name, d in data.verda_deployment_drift.required.deployments : name if d.drifted])
}
