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
target="$HOME/.terraform.d/plugins/$PROVIDER_ADDRESS/$version/$platform"
mkdir -p "$target"
cp "$binary" "$target/terraform-provider-verda_v$version"
echo "installed $PROVIDER_ADDRESS $version to $target"
