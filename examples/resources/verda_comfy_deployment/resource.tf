terraform {
  required_providers {
    verda = {
      source = "comfyume/verda"
    }
  }
}

resource "verda_sfs" "models" {
  name = "comfyui-models"
  size = 500
}

# ComfyUI on one H200. The container command is built from the ComfyUI
# arguments in a fixed order and shown in `command`:
#   python3 /app/ComfyUI/main.py --listen 0.0.0.0 --port 8188
#     --extra-model-paths-config /mnt/sfs/extra_model_paths.yaml
#     --output-directory /mnt/sfs/outputs --preview-method auto
# Every change except `name` is applied in place, and apply returns only
# when the deployment is healthy and ComfyUI passes the health probe.
resource "verda_comfy_deployment" "h200" {
  name  = "comfy-h200"
  image = "ghcr.io/comfyume/comfyui:0.3.64-cu128" # a tag or digest; never latest
  gpu   = { type = "H200", count = 1 }
  spot  = false

  # entrypoint defaults to ["python3", "/app/ComfyUI/main.py"].
  extra_model_paths_config = "/mnt/sfs/extra_model_paths.yaml"
  output_directory         = "/mnt/sfs/outputs" # the default; must lie inside an SFS mount
  extra_args               = ["--preview-method", "auto"]

  sfs_mounts     = [{ volume_id = verda_sfs.models.id }] # mounted at /mnt/sfs
  scratch_mounts = [{ mount_path = "/data" }]

  env        = { COMFYUI_LOG_LEVEL = "INFO" }
  secret_env = { HF_TOKEN = "hf-token" } # name of a Verda secret

  # ComfyUI's own health endpoint; "/" only proves the web UI is installed.
  healthcheck = { path = "/system_stats" }

  scaling = {
    min_replicas         = 0 # scale to zero when idle
    max_replicas         = 2
    queue_load_threshold = 1 # scale up as soon as one request waits
  }

  health_probe = {
    required_nodes  = ["KSampler", "CheckpointLoaderSimple"]
    required_models = { checkpoints = ["sd_xl_base_1.0.safetensors"] }
    smoke_test      = true
  }
  on_failed_update = "rollback"

  timeouts {
    create = "30m"
    update = "30m"
  }
}

output "comfyui" {
  value = {
    endpoint = verda_comfy_deployment.h200.endpoint_base_url
    version  = verda_comfy_deployment.h200.comfyui_version
    gpu      = verda_comfy_deployment.h200.gpu_name
  }
}
