variable "deployments" {
  description = "The ComfyUI GPU deployments, by name."
  type = map(object({
    gpu_type  = string
    gpu_count = optional(number, 1)
    spot      = bool
    image     = optional(string)
    scaling = optional(object({
      min_replicas              = optional(number, 0)
      max_replicas              = optional(number, 2)
      queue_message_ttl_seconds = optional(number, 300)
      scale_up_delay_seconds    = optional(number, 0)
      scale_down_delay_seconds  = optional(number, 300)
    }), {})
  }))
  default = {
    "comfy-h200-spot" = { gpu_type = "H200", spot = true }
    "comfy-h200"      = { gpu_type = "H200", spot = false }
    "comfy-b200-spot" = { gpu_type = "B200", spot = true }
    "comfy-b200"      = { gpu_type = "B200", spot = false }
  }
}

variable "image" {
  description = "ComfyUI image used by every deployment that does not set its own."
  type        = string
  default     = "ghcr.io/comfyume/comfyui:0.3.64-cu128"
}

variable "sfs_name" {
  description = "Name of the production shared filesystem (looked up, never managed here)."
  type        = string
  default     = "production-sfs"
}

variable "sfs_clone_name" {
  description = "Name of the clone of the production shared filesystem."
  type        = string
  default     = "production-sfs-clone"
}

variable "env" {
  description = "Plain environment variables of every deployment."
  type        = map(string)
  default = {
    COMFYUI_LOG_LEVEL = "INFO"
  }
}

variable "secret_env" {
  description = "Environment variables filled from Verda secrets: variable name to secret name."
  type        = map(string)
  default = {
    HF_TOKEN = "hf-token"
  }
}

variable "required_models" {
  description = "Model files the health probe requires on every deployment, by model folder."
  type        = map(list(string))
  default = {
    checkpoints = ["sd_xl_base_1.0.safetensors"]
  }
}

variable "forbidden_hostnames" {
  description = "Hosts that must never plan or apply this configuration (development machines, production hosts)."
  type        = list(string)
  default     = []
}
