#!/usr/bin/env bash
# Install a built provider into ~/.terraform.d/plugins, one of the local
# directories OpenTofu and Terraform search before any registry.
#
#   scripts/install-provider.sh VERSION BINARY
set -euo pipefail
source "$(dirname "$0")/lib.sh"

version="${1:?usage: install-provider.sh VERSION BINARY}"
binary="${2:?usage: install-provider.sh VERSION BINARY}"
platform="$(go env GOOS)_$(go env GOARCH)"
# OpenTofu resolves comfyume/verda to registry.opentofu.org, Terraform to
# registry.terraform.io.
for host in registry.opentofu.org registry.terraform.io; do
  target="$HOME/.terraform.d/plugins/$host/comfyume/verda/$version/$platform"
  mkdir -p "$target"
  cp "$binary" "$target/terraform-provider-verda_v$version"
  echo "installed $host/comfyume/verda $version to $target"
done
