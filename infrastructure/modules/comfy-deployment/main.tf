# One ComfyUI GPU deployment with the team's conventions: models and outputs
# on the shared filesystem, ComfyUI's own health endpoint, a queue-load
# threshold of 1, and a health probe that must pass before apply ends.

resource "verda_comfy_deployment" "this" {
  name  = var.name
  image = var.image
  spot  = var.spot

  gpu = {
    type  = var.gpu_type
    count = var.gpu_count
  }

  output_directory         = "/mnt/sfs/outputs"
  extra_model_paths_config = var.extra_model_paths_config
  extra_args               = var.extra_args

  sfs_mounts = [{
    volume_id  = var.sfs_volume_id
    mount_path = "/mnt/sfs"
  }]
  scratch_mounts = [{ mount_path = "/data" }]

  env                  = var.env
  secret_env           = var.secret_env
  registry_credentials = var.registry_credentials

  healthcheck = {
    path = "/system_stats"
  }

  scaling = {
    min_replicas              = var.scaling.min_replicas
    max_replicas              = var.scaling.max_replicas
    queue_load_threshold      = 1
    queue_message_ttl_seconds = var.scaling.queue_message_ttl_seconds
    scale_up_delay_seconds    = var.scaling.scale_up_delay_seconds
    scale_down_delay_seconds  = var.scaling.scale_down_delay_seconds
  }

  health_probe = {
    required_nodes  = var.required_nodes
    required_models = var.required_models
    smoke_test      = var.smoke_test
  }
}
