#!/usr/bin/env bash
# Validate .goreleaser.yml with GoReleaser itself, built from its Go module,
# and do a snapshot build for this platform without signing or publishing.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

GORELEASER_VERSION="${GORELEASER_VERSION:-v2.15.0}"
cache="${VERDA_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-verda}/goreleaser-$GORELEASER_VERSION"
if [[ ! -x "$cache/goreleaser" ]]; then
  log "building GoReleaser $GORELEASER_VERSION (first run only)"
  GOBIN="$cache" GOFLAGS=-mod=mod go install "github.com/goreleaser/goreleaser/v2@$GORELEASER_VERSION"
fi

"$cache/goreleaser" check
"$cache/goreleaser" build --snapshot --clean --single-target --output "$(mktemp -d)/terraform-provider-verda"
