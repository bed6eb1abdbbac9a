variable "name" {
  description = "Deployment name: lower-case letters, digits and hyphens, at most 63 characters. Changing it replaces the deployment."
  type        = string
}

variable "image" {
  description = "ComfyUI container image with a tag or digest; `:latest` and untagged images are rejected."
  type        = string
}

variable "gpu_type" {
  description = "Serverless GPU type, such as H200 or B200 (see the verda_compute_resources data source)."
  type        = string
}

variable "gpu_count" {
  description = "GPUs per replica."
  type        = number
  default     = 1
}

variable "spot" {
  description = "Run on spot capacity."
  type        = bool
  default     = false
}

variable "sfs_volume_id" {
  description = "ID of the shared filesystem that holds models and outputs; mounted at /mnt/sfs."
  type        = string
}

variable "extra_model_paths_config" {
  description = "Path of ComfyUI's extra_model_paths.yaml inside the container, or null for none."
  type        = string
  default     = "/mnt/sfs/extra_model_paths.yaml"
}

variable "extra_args" {
  description = "Further ComfyUI command-line arguments. Flags the module manages (--listen, --port, --output-directory, --extra-model-paths-config) are rejected."
  type        = list(string)
  default     = []
}

variable "env" {
  description = "Plain environment variables."
  type        = map(string)
  default     = {}
}

variable "secret_env" {
  description = "Environment variables filled from Verda secrets: variable name to secret name."
  type        = map(string)
  default     = {}
}

variable "registry_credentials" {
  description = "Name of the container registry credentials for a private image, or null."
  type        = string
  default     = null
}

variable "scaling" {
  description = "Scaling of the deployment. The queue-load threshold stays at 1, the team's convention."
  type = object({
    min_replicas              = optional(number, 0)
    max_replicas              = optional(number, 2)
    queue_message_ttl_seconds = optional(number, 300)
    scale_up_delay_seconds    = optional(number, 0)
    scale_down_delay_seconds  = optional(number, 300)
  })
  default = {}
}

variable "required_nodes" {
  description = "ComfyUI node classes that the health probe requires."
  type        = list(string)
  default     = []
}

variable "required_models" {
  description = "Model files the health probe requires, by model folder (such as checkpoints)."
  type        = map(list(string))
  default     = {}
}

variable "smoke_test" {
  description = "Queue a model-free prompt after each apply and check that its output lands on the SFS."
  type        = bool
  default     = true
}
