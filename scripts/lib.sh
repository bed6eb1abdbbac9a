# Shared shell functions of the project's scripts. Source it; it sets
# REPO_ROOT and never downloads anything but Go modules.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROVIDER_ADDRESS="registry.opentofu.org/comfyume/verda"
PROVIDER_VERSION="${PROVIDER_VERSION:-0.1.0}"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# tofu_bin prints the path of OpenTofu 1.11.5, building it on first use.
tofu_bin() {
  "$REPO_ROOT/scripts/install-tofu.sh"
}

# setup_provider_mirror DIR builds the provider into a filesystem mirror
# below DIR and writes DIR/tofurc, a CLI configuration that installs
# comfyume/verda from that mirror only and every other provider directly.
# It exports TF_CLI_CONFIG_FILE.
setup_provider_mirror() {
  local dir="$1"
  local platform
  platform="$(go env GOOS)_$(go env GOARCH)"
  local target="$dir/mirror/$PROVIDER_ADDRESS/$PROVIDER_VERSION/$platform"
  mkdir -p "$target"
  (cd "$REPO_ROOT" && go build -trimpath -ldflags "-X main.version=$PROVIDER_VERSION" \
    -o "$target/terraform-provider-verda_v$PROVIDER_VERSION" .)
  cat >"$dir/tofurc" <<CONFIG
provider_installation {
  filesystem_mirror {
    path    = "$dir/mirror"
    include = ["$PROVIDER_ADDRESS"]
  }
  direct {
    exclude = ["$PROVIDER_ADDRESS"]
  }
}
CONFIG
  export TF_CLI_CONFIG_FILE="$dir/tofurc"
}

# free_port prints a free TCP port on 127.0.0.1.
free_port() {
  python3 - <<'PY' 2>/dev/null || echo $((20000 + RANDOM % 20000))
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

# wait_http URL [SECONDS] waits until URL returns a success status.
wait_http() {
  local url="$1" limit="${2:-30}" i
  for ((i = 0; i < limit * 10; i++)); do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  return 1
}

# start_emulator DIR builds the emulator into DIR, starts it on a free
# loopback port from the production fixture and exports the VERDA_*
# variables that point both providers at it. It sets EMULATOR_PID.
start_emulator() {
  local dir="$1"
  (cd "$REPO_ROOT" && go build -trimpath -o "$dir/verda-emulator" ./cmd/verda-emulator)
  local port="${VERDA_EMULATOR_PORT:-$(free_port)}"
  export VERDA_BASE_URL="http://127.0.0.1:$port/v1"
  export VERDA_CLIENT_ID="emulator-client-id"
  export VERDA_CLIENT_SECRET="emulator-client-secret"
  export VERDA_INFERENCE_API_KEY="emulator-inference-key"
  export VERDA_POLL_INTERVAL="${VERDA_POLL_INTERVAL:-250ms}"
  "$dir/verda-emulator" -listen "127.0.0.1:$port" -seed production \
    -client-id "$VERDA_CLIENT_ID" -client-secret "$VERDA_CLIENT_SECRET" \
    -inference-key "$VERDA_INFERENCE_API_KEY" -stage-polls 2 \
    -state "$dir/emulator-state.json" 2>"$dir/emulator.log" &
  EMULATOR_PID=$!
  if ! wait_http "http://127.0.0.1:$port/_emulator/requests" 30; then
    cat "$dir/emulator.log" >&2
    die "the emulator did not start; its log is above"
  fi
}

# mark_testing_instance DIR writes a testing-instance marker in DIR and
# points the provider's guard at it.
mark_testing_instance() {
  export VERDA_TESTING_INSTANCE_MARKER="$1/testing-instance"
  printf 'verda testing instance, created %s\n' "$(date -u +%FT%TZ)" >"$VERDA_TESTING_INSTANCE_MARKER"
}
