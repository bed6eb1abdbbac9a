#!/usr/bin/env bash
# The main job: apply infrastructure/ end to end against the embedded Verda
# emulator, started from the production fixture.
#
#   scripts/demo.sh                       run the demo and stop the emulator
#   scripts/demo.sh --keep                run the demo and leave the emulator up
#   scripts/demo.sh --keep-emulator-only  only start the seeded emulator and wait
#
# Steps: build the provider and OpenTofu if needed, then start the emulator
# and mark a temporary testing instance. `tofu init` installs the provider
# from a local mirror. `tofu plan` shows four imports, the drift findings and
# the in-place fixes, and `tofu apply` imports, fixes, waits until healthy
# and probes ComfyUI. The script then prints the drift report again, the
# endpoints and each deployment's GPU and ComfyUI version.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

mode="run"
case "${1:-}" in
  "") ;;
  --keep) mode="keep" ;;
  --keep-emulator-only) mode="emulator" ;;
  *) die "unknown argument '$1'; use --keep or --keep-emulator-only" ;;
esac

work="$(mktemp -d "${TMPDIR:-/tmp}/verda-demo.XXXXXX")"
emulator_pid=""
cleanup() {
  if [[ -n "$emulator_pid" && "$mode" != "keep" ]]; then
    kill "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
  fi
  if [[ "$mode" != "keep" ]]; then
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "building OpenTofu, the provider and the emulator"
TOFU="$(tofu_bin)"
setup_provider_mirror "$work"

log "starting the emulator from the production fixture"
start_emulator "$work"
emulator_pid="$EMULATOR_PID"

if [[ "$mode" == "emulator" ]]; then
  cat <<EOF_INFO
The emulator is running with the production fixture. In another shell:

  export VERDA_BASE_URL=$VERDA_BASE_URL
  export VERDA_CLIENT_ID=$VERDA_CLIENT_ID
  export VERDA_CLIENT_SECRET=$VERDA_CLIENT_SECRET
  export VERDA_INFERENCE_API_KEY=$VERDA_INFERENCE_API_KEY
  export VERDA_POLL_INTERVAL=$VERDA_POLL_INTERVAL
  export TF_CLI_CONFIG_FILE=$TF_CLI_CONFIG_FILE   # installs comfyume/verda from a local mirror
  alias tofu=$TOFU

Request log: $work/emulator.log. Press Ctrl-C (or send SIGTERM to this
script, PID $$) to stop; the directory $work is removed then.
EOF_INFO
  wait "$emulator_pid"
  exit 0
fi

log "marking this run as a testing instance"
mark_testing_instance "$work"

# Work on a copy, so the repository stays clean, with local state instead of
# the pg backend.
cp -R "$REPO_ROOT/infrastructure" "$work/infrastructure"
cat >"$work/infrastructure/backend_override.tf" <<'EOF_OVERRIDE'
terraform {
  backend "local" {
    path = "terraform.tfstate"
  }
}
EOF_OVERRIDE
cd "$work/infrastructure"
rm -rf .terraform .terraform.lock.hcl

log "tofu init (provider from the local mirror, no registry access)"
"$TOFU" init -input=false -no-color >"$work/init.log" || { cat "$work/init.log" >&2; die "tofu init failed"; }

log "tofu plan"
"$TOFU" plan -input=false -no-color -out="$work/demo.tfplan" | tee "$work/plan.log"

log "tofu apply"
"$TOFU" apply -input=false -no-color "$work/demo.tfplan" | tee "$work/apply.log"

log "re-reading the drift check after the apply"
"$TOFU" apply -refresh-only -auto-approve -input=false -no-color >"$work/refresh.log" || {
  cat "$work/refresh.log" >&2
  die "the refresh after apply failed"
}

"$TOFU" output -json >"$work/outputs.json"
python3 - "$work/outputs.json" <<'PY'
import json, sys

outputs = {k: v["value"] for k, v in json.load(open(sys.argv[1])).items()}
drift = outputs["drift"]
deployments = outputs["deployments"]

print()
print("Drift report after apply:")
print("  " + (drift["summary"].strip().replace("\n", "\n  ") or "no findings"))
print(f"  findings: {drift['drift_count']}")
print()
print(f"{'deployment':<18} {'status':<9} {'GPU':<38} {'ComfyUI':<8} endpoint")
for name in sorted(deployments):
    d = deployments[name]
    print(f"{name:<18} {d['status']:<9} {d['gpu_name']:<38} {d['comfyui_version']:<8} {d['endpoint']}")

healthy = [n for n, d in deployments.items() if d["status"] == "healthy"]
problems = []
if drift["drift_count"] != 0:
    problems.append(f"{drift['drift_count']} drift findings remain")
if len(deployments) != 4 or len(healthy) != 4:
    problems.append(f"{len(healthy)} of {len(deployments)} deployments are healthy, expected 4 of 4")
if problems:
    sys.exit("demo failed: " + "; ".join(problems))
print()
print("demo passed: zero findings, four healthy deployments")
PY
