terraform {
  required_providers {
    verda = {
      source = "comfyume/verda"
    }
  }
}

# A shared filesystem for models and outputs. Deletion protection is on by
# default, so neither `tofu destroy` nor a change that needs a new volume can
# remove it until deletion_protection = false has been applied on its own.
resource "verda_sfs" "models" {
  name = "comfyui-models"
  size = 500 # GB; a larger value grows it in place, a smaller one is rejected
}

# The production SFS, looked up without being managed here.
data "verda_sfs" "production" {
  name = "production-sfs"
}

# A clone of production for testing. It is disposable: deletion protection
# is off, and a destroy deletes it for good instead of moving it to the trash.
resource "verda_sfs" "staging" {
  name                = "production-sfs-staging"
  size                = data.verda_sfs.production.size
  location            = data.verda_sfs.production.location
  source_volume_id    = data.verda_sfs.production.id
  deletion_protection = false
  permanent_delete    = true

  timeouts {
    # Cloning copies every file of the source.
    create = "2h"
  }
}

output "staging_mount_command" {
  value = verda_sfs.staging.mount_command
}
