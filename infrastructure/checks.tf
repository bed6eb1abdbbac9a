# Warn on every plan when live deployments differ from the team's baseline,
# including changes made outside OpenTofu.
check "deployment_drift" {
  data "verda_deployment_drift" "live" {
    names = keys(var.deployments)

    baseline = {
      image                = var.image
      healthcheck_path     = "/system_stats"
      output_directory     = "/mnt/sfs/outputs"
      queue_load_threshold = 1
      sfs_volume_id        = data.verda_sfs.production.id
      sfs_mount_path       = "/mnt/sfs"
    }
  }

  assert {
    condition     = !data.verda_deployment_drift.live.drifted
    error_message = data.verda_deployment_drift.live.summary
  }
}

# The same check read after the deployments are applied, for the outputs.
data "verda_deployment_drift" "after_apply" {
  names = keys(var.deployments)

  baseline = {
    image                = var.image
    healthcheck_path     = "/system_stats"
    output_directory     = "/mnt/sfs/outputs"
    queue_load_threshold = 1
    sfs_volume_id        = data.verda_sfs.production.id
    sfs_mount_path       = "/mnt/sfs"
  }

  depends_on = [module.comfy]
}
