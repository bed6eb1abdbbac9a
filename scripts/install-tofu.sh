#!/usr/bin/env bash
# Build OpenTofu from its Go module into a cache outside the repository and
# print the path of the binary. A cached binary of the right version is reused.
# Nothing is downloaded except through the Go module proxy.
set -euo pipefail

TOFU_VERSION="${TOFU_VERSION:-1.11.5}"
CACHE_DIR="${VERDA_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-verda}"
BIN="$CACHE_DIR/tofu-$TOFU_VERSION/tofu"

# first_version_line BINARY prints the first line of `BINARY version`. The
# whole output is read before it is cut, because with pipefail a `| head`
# would kill tofu with SIGPIPE now and then and fail a good binary.
first_version_line() {
  local out
  out="$(TF_CLI_CONFIG_FILE=/dev/null "$1" version 2>/dev/null)" || return 1
  printf '%s\n' "${out%%$'\n'*}"
}

if [[ -x "$BIN" ]] && [[ "$(first_version_line "$BIN" || true)" == "OpenTofu v$TOFU_VERSION" ]]; then
  echo "$BIN"
  exit 0
fi

mkdir -p "$(dirname "$BIN")"
module="github.com/opentofu/opentofu@v$TOFU_VERSION"
echo "building OpenTofu v$TOFU_VERSION from $module" >&2

# Download into the module cache; GOFLAGS=-mod=mod keeps the caller's
# workspace or vendor settings from interfering.
dir="$(cd "$(mktemp -d)" && GOFLAGS=-mod=mod go mod download -json "$module" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
if [[ -z "$dir" || ! -d "$dir" ]]; then
  echo "go mod download of $module did not report a module directory" >&2
  exit 1
fi

tmp="$BIN.tmp.$$"
(cd "$dir" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath \
  -ldflags "-X github.com/opentofu/opentofu/version.dev=no" -o "$tmp" ./cmd/tofu)
mv "$tmp" "$BIN"

version="$(first_version_line "$BIN" || true)"
if [[ "$version" != "OpenTofu v$TOFU_VERSION" ]]; then
  echo "built binary reports '$version', expected 'OpenTofu v$TOFU_VERSION'" >&2
  exit 1
fi
echo "$BIN"
