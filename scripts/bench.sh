#!/usr/bin/env bash
# Measure the provider: API requests per refresh, plan time against
# terraform_data, peak memory, health-detection latency and an end-to-end
# apply of infrastructure/, all against in-process Verda emulators.
#
#   scripts/bench.sh                  full run; writes docs/benchmarks.md
#   scripts/bench.sh -only latency    any verdabench flags; the report then
#                                     goes to the work directory instead
#
# Exits 1 when a target is missed. BENCH_KEEP=1 keeps the work directory
# (configurations, state and logs) after a full run.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

work="$(mktemp -d "${TMPDIR:-/tmp}/verda-bench.XXXXXX")"
keep="${BENCH_KEEP:-}"
cleanup() {
  if [[ -z "$keep" ]]; then
    rm -rf "$work"
  else
    log "work directory kept: $work"
  fi
}
trap cleanup EXIT

markdown="$REPO_ROOT/docs/benchmarks.md"
command="make bench"
if (($# > 0)); then
  # A partial or tuned run must not replace the published figures.
  markdown="$work/benchmarks.md"
  command="scripts/bench.sh $*"
  keep=1
fi
mkdir -p "$(dirname "$markdown")"

log "building OpenTofu, the provider and the benchmark driver"
TOFU="$(tofu_bin)"
setup_provider_mirror "$work"
platform="$(go env GOOS)_$(go env GOARCH)"
provider="$work/mirror/$PROVIDER_ADDRESS/$PROVIDER_VERSION/$platform/terraform-provider-verda_v$PROVIDER_VERSION"
(cd "$REPO_ROOT" && go build -trimpath -o "$work/verdabench" ./internal/bench/cmd/verdabench)

log "running the benchmarks (about 3 minutes on 2 cores, longer while other work loads the machine)"
status=0
"$work/verdabench" \
  -tofu "$TOFU" \
  -cli-config "$TF_CLI_CONFIG_FILE" \
  -provider "$provider" \
  -provider-version "$PROVIDER_VERSION" \
  -infrastructure "$REPO_ROOT/infrastructure" \
  -work "$work/runs" \
  -markdown "$markdown" \
  -command "$command" \
  "$@" || status=$?
exit "$status"
