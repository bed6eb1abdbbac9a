# The team's four ComfyUI GPU deployments on Verda serverless containers.
# The shared filesystems are looked up, not managed, so nothing in this
# configuration can delete the models and outputs they hold.

data "verda_sfs" "production" {
  name = var.sfs_name
}

data "verda_sfs" "production_clone" {
  name = var.sfs_clone_name
}

module "comfy" {
  source   = "./modules/comfy-deployment"
  for_each = var.deployments

  name          = each.key
  image         = coalesce(each.value.image, var.image)
  gpu_type      = each.value.gpu_type
  gpu_count     = each.value.gpu_count
  spot          = each.value.spot
  scaling       = each.value.scaling
  sfs_volume_id = data.verda_sfs.production.id

  env             = var.env
  secret_env      = var.secret_env
  required_models = var.required_models
}
