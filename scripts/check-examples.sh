#!/usr/bin/env bash
# Check every example and the infrastructure configuration: `tofu fmt
# -check`, then `tofu init -backend=false` from a local provider mirror and
# `tofu validate`. A directory with a VALIDATE_SKIP file is only
# format-checked; the file gives the reason. Snippets without required_providers
# are validated with comfyume/verda as the "verda" provider.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

TOFU="$(tofu_bin)"
work="$(mktemp -d "${TMPDIR:-/tmp}/verda-examples.XXXXXX")"
trap 'rm -rf "$work"' EXIT
setup_provider_mirror "$work"

log "tofu fmt -check"
"$TOFU" fmt -check -recursive -diff examples infrastructure

failed=0
checked=0
while read -r dir; do
  if [[ -f "$dir/VALIDATE_SKIP" ]]; then
    log "format only: $dir ($(head -n1 "$dir/VALIDATE_SKIP"))"
    continue
  fi
  copy="$work/check/$dir"
  mkdir -p "$copy"
  cp -R "$dir/." "$copy/"
  # Snippets that show one resource leave out required_providers; without it
  # OpenTofu would look for hashicorp/verda.
  if ! grep -qs required_providers "$copy"/*.tf; then
    cat >"$copy/zz_required_providers.tf" <<'EOF_TF'
terraform {
  required_providers {
    verda = {
      source = "comfyume/verda"
    }
  }
}
EOF_TF
  fi
  if ! (cd "$copy" && "$TOFU" init -backend=false -input=false -no-color >"$copy/init.log" 2>&1 &&
    "$TOFU" validate -no-color >"$copy/validate.log" 2>&1); then
    echo "FAIL: $dir" >&2
    cat "$copy/init.log" "$copy/validate.log" 2>/dev/null >&2 || true
    failed=$((failed + 1))
  else
    echo "ok    $dir"
  fi
  checked=$((checked + 1))
done < <(find examples infrastructure -name '*.tf' -not -path '*/.terraform/*' -exec dirname {} \; | sort -u)

echo "$((checked - failed)) passed, $failed failed"
[[ $failed -eq 0 ]]
