# Import a deployment by its name. With a configuration that matches the
# live deployment, the next plan is empty. A health_probe block is the
# exception: the first apply after the import records the probe settings
# and runs the probe, without changing the deployment.
tofu import verda_comfy_deployment.h200 comfy-h200

# Or let OpenTofu write the block: add
#   import {
#     to = verda_comfy_deployment.h200
#     id = "comfy-h200"
#   }
# and run
tofu plan -generate-config-out=generated.tf
