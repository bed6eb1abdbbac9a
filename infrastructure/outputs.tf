output "deployments" {
  description = "Each deployment's endpoint, status and what its health probe read from ComfyUI."
  value = {
    for name, m in module.comfy : name => {
      endpoint        = m.endpoint_base_url
      command         = m.command
      status          = data.verda_deployment_drift.after_apply.deployments[name].status
      gpu_name        = m.health.gpu_name
      comfyui_version = m.health.comfyui_version
    }
  }
}

output "drift" {
  description = "Drift of the live deployments from the baseline, read after apply."
  value = {
    drifted     = data.verda_deployment_drift.after_apply.drifted
    drift_count = data.verda_deployment_drift.after_apply.drift_count
    summary     = data.verda_deployment_drift.after_apply.summary
    findings    = data.verda_deployment_drift.after_apply.findings
  }
}

output "sfs" {
  description = "The shared filesystems the deployments use."
  value = {
    production = {
      id            = data.verda_sfs.production.id
      mount_command = data.verda_sfs.production.mount_command
    }
    production_clone = {
      id = data.verda_sfs.production_clone.id
    }
  }
}
