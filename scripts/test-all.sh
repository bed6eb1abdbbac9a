#!/usr/bin/env bash
# Run every test of the project: static checks, unit and race tests,
# acceptance tests with real OpenTofu against the emulator, bounded fuzzing,
# example and docs checks, the PostgreSQL state-locking test and the demo.
#
# Environment: FUZZTIME (default 10s per target), TESTARGS (extra go test
# flags for the acceptance tests), PG_CONN_STR (use this PostgreSQL instead
# of starting a private one), SKIP_DEMO=1.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

FUZZTIME="${FUZZTIME:-10s}"
# Each stage stops the script on failure (set -e), so reaching the end means
# every stage that ran passed.
stages=0
skipped=0
TOFU="$(tofu_bin)"
export TF_ACC_TERRAFORM_PATH="$TOFU"

stages=$((stages + 1))
log "go vet and gofmt"
go vet ./...
unformatted="$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))"
[[ -z "$unformatted" ]] || die "gofmt needed on: $unformatted"

stages=$((stages + 1))
log "unit tests with the race detector"
go test -race -count=1 -timeout 20m ./internal/verda/... ./internal/emulator/... ./internal/comfy/... ./internal/bench/... ./cmd/...

stages=$((stages + 1))
log "provider unit and acceptance tests (OpenTofu against the emulator)"
TF_ACC=1 go test -count=1 -timeout 70m -parallel "${ACC_PARALLEL:-4}" ${TESTARGS:-} ./internal/provider/...

stages=$((stages + 1))
log "fuzzing, $FUZZTIME per target"
while read -r pkg target; do
  go test -run='^$' -fuzz="^${target}\$" -fuzztime="$FUZZTIME" "$pkg"
done < <(grep -rhoE --include='*_test.go' '^func (Fuzz[A-Za-z0-9_]+)' internal |
  sort -u | sed 's/^func //' | while read -r name; do
    file="$(grep -rl --include='*_test.go' "^func $name(" internal | head -n1)"
    echo "./$(dirname "$file") $name"
  done)

stages=$((stages + 1))
log "examples: tofu fmt and validate"
scripts/check-examples.sh

stages=$((stages + 1))
log "docs are up to date"
scripts/gen-docs.sh --check

stages=$((stages + 1))
log "PostgreSQL backend: concurrent applies are serialized by the state lock"
if [[ -n "${PG_CONN_STR:-}" ]]; then
  scripts/pg-lock-test.sh
elif eval "$(scripts/start-postgres.sh 2>/dev/null)"; then
  trap 'scripts/start-postgres.sh --stop "$PG_TEST_DATA"' EXIT
  scripts/pg-lock-test.sh
else
  log "skipped: PostgreSQL is not installed (apt-get install postgresql); .ci/run installs it"
  stages=$((stages - 1))
  skipped=$((skipped + 1))
fi

if [[ "${SKIP_DEMO:-}" != 1 ]]; then
  log "main job: scripts/demo.sh"
  scripts/demo.sh
  stages=$((stages + 1))
else
  skipped=$((skipped + 1))
fi

log "all tests passed"
echo "stages: $stages passed, 0 failed, $skipped skipped"
