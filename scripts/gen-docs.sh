#!/usr/bin/env bash
# Generate docs/ with tfplugindocs from the provider's schema descriptions,
# examples/ and templates/. The schema is read through OpenTofu from a
# locally built provider, so nothing is downloaded.
#
#   scripts/gen-docs.sh          regenerate docs/
#   scripts/gen-docs.sh --check  fail when docs/ is not up to date
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

check=0
[[ "${1:-}" == "--check" ]] && check=1

TOFU="$(tofu_bin)"
work="$(mktemp -d "${TMPDIR:-/tmp}/verda-docs.XXXXXX")"
trap 'rm -rf "$work"' EXIT
setup_provider_mirror "$work"

mkdir -p "$work/schema"
cat >"$work/schema/main.tf" <<'EOF_TF'
terraform {
  required_providers {
    verda = {
      source = "comfyume/verda"
    }
  }
}
EOF_TF
(cd "$work/schema" && "$TOFU" init -input=false -no-color >/dev/null &&
  "$TOFU" providers schema -json >"$work/schema.raw.json")
# tfplugindocs looks the provider up by its short name.
python3 - "$work/schema.raw.json" "$work/schema.json" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
schemas = data["provider_schemas"]
key = next(k for k in schemas if k.endswith("/comfyume/verda"))
data["provider_schemas"] = {"verda": schemas[key]}
json.dump(data, open(sys.argv[2], "w"))
PY

out="$REPO_ROOT"
if [[ $check == 1 ]]; then
  out="$work/provider"
  mkdir -p "$out"
  cp -R examples templates "$out/" 2>/dev/null || cp -R examples "$out/"
  [[ -d docs ]] && cp -R docs "$out/docs"
fi

(cd "$REPO_ROOT" && go tool tfplugindocs generate \
  --provider-dir "$out" \
  --provider-name verda \
  --rendered-provider-name "Verda (comfyume/verda)" \
  --providers-schema "$work/schema.json" >"$work/tfplugindocs.log" 2>&1) || {
  cat "$work/tfplugindocs.log" >&2
  die "tfplugindocs failed"
}

if [[ $check == 1 ]]; then
  if ! diff -ru docs "$out/docs"; then
    die "docs/ is out of date: run 'make docs' and commit the result"
  fi
  echo "docs/ is up to date"
fi
