output "name" {
  description = "Deployment name."
  value       = verda_comfy_deployment.this.name
}

output "endpoint_base_url" {
  description = "Base URL of the deployment's inference endpoint."
  value       = verda_comfy_deployment.this.endpoint_base_url
}

output "command" {
  description = "The ComfyUI command line the deployment runs."
  value       = verda_comfy_deployment.this.command
}

output "health" {
  description = "What the last successful health probe read from ComfyUI."
  value = {
    comfyui_version  = verda_comfy_deployment.this.comfyui_version
    gpu_name         = verda_comfy_deployment.this.gpu_name
    gpu_count        = verda_comfy_deployment.this.gpu_count
    vram_total_bytes = verda_comfy_deployment.this.vram_total_bytes
  }
}
