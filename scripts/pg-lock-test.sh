#!/usr/bin/env bash
# Apply infrastructure/ against the emulator with the pg backend, twice at
# the same time from two working directories, and show that the state lock
# serializes them. Both applies finish. The later one finds the earlier
# one's state, so it plans no changes instead of importing again. The state
# lists all four deployments, and the emulator has exactly four.
#
# Needs PG_CONN_STR (scripts/start-postgres.sh prints one).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

[[ -n "${PG_CONN_STR:-}" ]] || die "PG_CONN_STR is not set; start PostgreSQL with: eval \"\$(scripts/start-postgres.sh)\""
TOFU="$(tofu_bin)"
work="$(mktemp -d "${TMPDIR:-/tmp}/verda-pglock.XXXXXX")"
cleanup() {
  [[ -n "${EMULATOR_PID:-}" ]] && kill "$EMULATOR_PID" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

setup_provider_mirror "$work"
start_emulator "$work"
mark_testing_instance "$work"

for side in a b; do
  cp -R infrastructure "$work/$side"
  (cd "$work/$side" && rm -rf .terraform .terraform.lock.hcl &&
    "$TOFU" init -input=false -no-color -backend-config="conn_str=$PG_CONN_STR" >"$work/init-$side.log" 2>&1) ||
    { cat "$work/init-$side.log" >&2; die "tofu init with the pg backend failed ($side)"; }
done

log "two simultaneous applies"
apply_pids=()
for side in a b; do
  (cd "$work/$side" && "$TOFU" apply -auto-approve -input=false -no-color -lock-timeout=10m \
    >"$work/apply-$side.log" 2>&1; echo $? >"$work/rc-$side") &
  apply_pids+=($!)
done
# Wait for the two applies only: the emulator runs in the background too.
wait "${apply_pids[@]}"

status=0
for side in a b; do
  rc="$(cat "$work/rc-$side")"
  summary="$(grep -E '^Apply complete!|^No changes\.' "$work/apply-$side.log" | tail -n1 || true)"
  echo "apply $side: exit $rc: ${summary:-no summary}"
  if [[ "$rc" != 0 ]]; then
    tail -n 40 "$work/apply-$side.log" >&2
    status=1
  fi
done
[[ $status == 0 ]] || die "an apply failed"

# Exactly one apply imported the deployments; the other waited for the lock
# and found them in state already.
imports=$(cat "$work/apply-a.log" "$work/apply-b.log" | grep -cE '^Apply complete! Resources: 4 imported' || true)
[[ "$imports" == 1 ]] || die "expected exactly one apply to import the four deployments, got $imports"
grep -qE 'Resources: (0 imported, )?0 added, 0 changed, 0 destroyed|^No changes\.' "$work/apply-a.log" "$work/apply-b.log" ||
  die "the second apply did not find the first one's state"

in_state=$(cd "$work/a" && "$TOFU" state list -no-color | grep -c 'verda_comfy_deployment.this' || true)
[[ "$in_state" == 4 ]] || die "state lists $in_state deployments, expected 4"

remote=$(curl -fsS -H "Authorization: Bearer $(curl -fsS -X POST "$VERDA_BASE_URL/oauth2/token" \
  -H 'Content-Type: application/json' \
  -d "{\"grant_type\":\"client_credentials\",\"client_id\":\"$VERDA_CLIENT_ID\",\"client_secret\":\"$VERDA_CLIENT_SECRET\"}" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')" \
  "$VERDA_BASE_URL/container-deployments" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[[ "$remote" == 4 ]] || die "the emulator has $remote deployments, expected 4"

echo "state lock test: 2 passed, 0 failed"
