#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Run the PKCS#11 conformance suite against one module with a fresh token.
#   run.sh MODULE IMPL        IMPL = softhsm | ferrohsm
# Environment: P11CONF (suite binary), P11INIT (token initialiser, ferrohsm),
# FERROHSM_BIN (optional: use `ferrohsm token init` instead of p11init).
set -euo pipefail
module=${1:?usage: run.sh MODULE softhsm|ferrohsm}
impl=${2:?usage: run.sh MODULE softhsm|ferrohsm}
here=$(cd "$(dirname "$0")" && pwd)
suite=${P11CONF:-$here/p11conf}
init=${P11INIT:-$here/p11init}
[ -f "$module" ] || { echo "run.sh: no module at $module"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/p11conf.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
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
*)
  echo "run.sh: IMPL must be softhsm or ferrohsm"; exit 2 ;;
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
exit "$rc"
