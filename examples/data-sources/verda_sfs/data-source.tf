terraform {
  required_providers {
    verda = {
      source = "comfyume/verda"
    }
  }
}

# Look up the production SFS by name (or by `id`) to mount it without
# managing it: nothing in this configuration can delete it.
data "verda_sfs" "production" {
  name = "production-sfs"
}

output "production_sfs_id" {
  value = data.verda_sfs.production.id
}

output "production_sfs_size_gb" {
  value = data.verda_sfs.production.size
}
