#!/usr/bin/env bash
# Start a private PostgreSQL cluster on 127.0.0.1 for the state-locking test
# and print its connection string. Uses the machine's PostgreSQL binaries
# (Debian's postgresql package); the cluster lives in a temporary directory.
#
#   eval "$(scripts/start-postgres.sh)"   # exports PG_CONN_STR and PG_TEST_DATA
#   scripts/start-postgres.sh --stop DIR
set -euo pipefail

if [[ "${1:-}" == "--stop" ]]; then
  dir="$2"
  bindir="$(cat "$dir/bindir")"
  runas=()
  [[ "$(id -u)" == 0 ]] && runas=(runuser -u postgres --)
  "${runas[@]}" "$bindir/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  exit 0
fi

bindir=""
for candidate in /usr/lib/postgresql/*/bin; do
  [[ -x "$candidate/initdb" ]] && bindir="$candidate"
done
if [[ -z "$bindir" ]] && command -v initdb >/dev/null; then
  bindir="$(dirname "$(command -v initdb)")"
fi
[[ -n "$bindir" ]] || { echo "PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }

dir="$(mktemp -d "${TMPDIR:-/tmp}/verda-pg.XXXXXX")"
echo "$bindir" >"$dir/bindir"
runas=()
if [[ "$(id -u)" == 0 ]]; then
  # initdb refuses to run as root.
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown postgres "$dir"
  chmod 755 "$dir"
  runas=(runuser -u postgres --)
fi
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"${runas[@]}" "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust >"$dir/initdb.log" 2>&1 ||
  { cat "$dir/initdb.log" >&2; exit 1; }
"${runas[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir" start >/dev/null ||
  { cat "$dir/server.log" >&2; exit 1; }
"${runas[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres tofu_state
echo "export PG_CONN_STR='postgres://postgres@127.0.0.1:$port/tofu_state?sslmode=disable'"
echo "export PG_TEST_DATA='$dir'"
