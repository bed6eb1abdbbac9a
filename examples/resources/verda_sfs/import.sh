# Import an SFS by its volume id.
tofu import verda_sfs.models 3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f

# Or by its name, when exactly one shared filesystem has that name.
tofu import verda_sfs.models name:comfyui-models
