#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Run the PKCS#11 conformance suite against one module with a fresh token.
#   run.sh MODULE IMPL        IMPL = softhsm | ferrohsm | remote
# Environment: P11CONF (suite binary), P11INIT (token initialiser, ferrohsm),
# FERROHSM_BIN (optional: use `ferrohsm token init` instead of p11init).
# remote: the token lives in a ferrohsm-server started here (FERROHSM_BIN and
# FERROHSM_SERVER_BIN required) and the module reaches it through a
# [remote.conf] slot with an admin API key; the server must exit 0 at the end.
set -euo pipefail
module=${1:?usage: run.sh MODULE softhsm|ferrohsm|remote}
impl=${2:?usage: run.sh MODULE softhsm|ferrohsm|remote}
here=$(cd "$(dirname "$0")" && pwd)
suite=${P11CONF:-$here/p11conf}
init=${P11INIT:-$here/p11init}
[ -f "$module" ] || { echo "run.sh: no module at $module"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/p11conf.XXXXXX")
srv_pid=
cleanup() {
  if [ -n "$srv_pid" ]; then kill "$srv_pid" 2>/dev/null; wait "$srv_pid" 2>/dev/null; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
export P11_MODULE=$module P11_IMPL=$impl P11_TOKEN_LABEL=conf
export P11_SO_PIN=12345678 P11_USER_PIN=87654321

case $impl in
softhsm)
  mkdir -p "$tmp/tokens"
  printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$tmp" \
    > "$tmp/softhsm2.conf"
  export SOFTHSM2_CONF=$tmp/softhsm2.conf
  softhsm2-util --init-token --free --label conf --so-pin "$P11_SO_PIN" --pin "$P11_USER_PIN" >/dev/null
  ;;
ferrohsm)
  export FERROHSM_HOME=$tmp
  printf '[token]\nargon2_t_cost = 1\nargon2_m_cost_kib = 64\nmax_pin_failures = 5\n' \
    > "$tmp/ferrohsm.conf"
  if [ -n "${FERROHSM_BIN:-}" ] && [ -x "$FERROHSM_BIN" ]; then
    FERROHSM_SO_PIN="$P11_SO_PIN" FERROHSM_PIN="$P11_USER_PIN" "$FERROHSM_BIN" token init --label conf
  else
    "$init" "$module" conf "$P11_SO_PIN" "$P11_USER_PIN"
  fi
  ;;
remote)
  for v in FERROHSM_BIN FERROHSM_SERVER_BIN; do
    [ -x "${!v:-}" ] || { echo "run.sh: remote needs $v"; exit 77; }
  done
  srv=$tmp/server
  mkdir -m 700 "$srv" "$tmp/client"
  printf '%s\n' "$P11_USER_PIN" > "$srv/conf.pin"
  printf '[token]\nargon2_t_cost = 1\nargon2_m_cost_kib = 64\nmax_pin_failures = 5\n[server]\nunlock.conf = file:%s\n' \
    "$srv/conf.pin" > "$srv/ferrohsm.conf"
  FERROHSM_HOME=$srv FERROHSM_SO_PIN="$P11_SO_PIN" FERROHSM_PIN="$P11_USER_PIN" \
    "$FERROHSM_BIN" token init --label conf >/dev/null
  FERROHSM_HOME=$srv "$FERROHSM_BIN" apikey create --name conf --role admin --token conf \
    | sed -n 1p > "$tmp/client/api.key"
  chmod 600 "$tmp/client/api.key"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  FERROHSM_HOME=$srv "$FERROHSM_SERVER_BIN" --listen "127.0.0.1:$port" \
    > "$srv/server.out" 2> "$srv/server.log" &
  srv_pid=$!
  ready=
  for _ in $(seq 600); do
    kill -0 "$srv_pid" 2>/dev/null || break
    if [ -f "$srv/server/cert.pem" ] &&
       curl -sf --cacert "$srv/server/cert.pem" "https://127.0.0.1:$port/v1/health/ready" >/dev/null; then
      ready=1; break
    fi
    sleep 0.1
  done
  [ -n "$ready" ] || { echo "run.sh: ferrohsm-server not ready"; tail -c 2000 "$srv/server.log"; exit 1; }
  export FERROHSM_HOME=$tmp/client
  printf '[remote.conf]\nserver = https://127.0.0.1:%s\ntoken = conf\napi_key = file:%s\ncacert = %s\n' \
    "$port" "$tmp/client/api.key" "$srv/server/cert.pem" > "$tmp/client/ferrohsm.conf"
  ;;
*)
  echo "run.sh: IMPL must be softhsm, ferrohsm or remote"; exit 2 ;;
esac

set +e
# A deadlocked module must not hang the run (meson has its own timeout too).
to=()
command -v timeout >/dev/null && to=(timeout "${P11CONF_TIMEOUT:-900}")
"${to[@]}" "$suite" 2>&1 | tee "$tmp/out.txt"
rc=${PIPESTATUS[0]}
set -e
ran=$(grep -c '^\[ RUN      \]' "$tmp/out.txt" || true)
ok=$(grep -c '^\[       OK \]' "$tmp/out.txt" || true)
failed=$( (grep "^\[  FAILED  \] [a-z]" "$tmp/out.txt" || true) | sort -u | wc -l)
skipped=$( (grep "^\[  SKIPPED \] [a-z]" "$tmp/out.txt" || true) | sort -u | wc -l)
echo "pkcs11-conformance[$impl]: $ran tests, $ok passed, $failed failed, $skipped skipped"
if [ -n "$srv_pid" ]; then
  # the server survived the suite and stops cleanly (no crash, no sanitizer report)
  kill -TERM "$srv_pid"
  src=0
  wait "$srv_pid" || src=$?
  srv_pid=
  if [ "$src" -ne 0 ]; then
    echo "run.sh: ferrohsm-server exited $src"; tail -c 4000 "$srv/server.log"
    [ "$rc" -ne 0 ] || rc=1
  fi
fi
exit "$rc"
