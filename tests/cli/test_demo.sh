#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# scripts/run-demo (what `make run` runs) works on a fresh FERROHSM_HOME and
# again on the same one, keeps its PINs in 0600 files and never passes a PIN
# on a command line.
# shellcheck source=lib.sh disable=SC2317
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DEMO="$LIB_DIR/../../scripts/run-demo"
# The demo ends by running ferrohsm-server in the foreground; here it stops
# just before (the server has tests of its own, tests/integration/server).
export FERROHSM_DEMO_NO_SERVER=1
expect_cmd "scripts/run-demo is executable" -- test -x "$DEMO"

# The demo must not rely on PINs from the environment.
T_DESC="first run-demo" expect_exit 0 -- env -u FERROHSM_PIN -u FERROHSM_SO_PIN bash "$DEMO" "$FERROHSM_BIN"
cp "$OUT_FILE" run1.log
expect_match "$OUT" $'\n\\$ ferrohsm token init --label demo' "the first run creates the token and shows the command"
expect_match "$OUT" 'Verified OK' "openssl verified the demo signature"
expect_match "$OUT" 'signature valid' "ferrohsm verified the demo signature"
for f in demo-user.pin demo-so.pin; do
    expect_eq "$(stat -c %a "$FERROHSM_HOME/$f" 2>/dev/null || echo missing)" 600 "$f has mode 0600"
    pin=$(head -n 1 "$FERROHSM_HOME/$f" 2>/dev/null || true)
    expect_match "$pin" '^[0-9a-f]{16,}$' "$f holds a random hex PIN"
    [[ -n "$pin" ]] && SECRETS+=("$pin")
    expect_not_cmd "$f's PIN is not in the demo output" -- grep -qF -- "$pin" run1.log
done
expect_match "$OUT" 'What next|what next' "the demo ends with a what-next section"
expect_eq "$(stat -c %a "$FERROHSM_HOME/demo-admin.key" 2>/dev/null || echo missing)" 600 "demo-admin.key has mode 0600"
ADMIN_KEY1=$(head -n 1 "$FERROHSM_HOME/demo-admin.key" 2>/dev/null || true)
expect_match "$ADMIN_KEY1" '^fhk_[0-9a-f]{16}_' "demo-admin.key holds an API key"
expect_match "$OUT" 'curl --cacert [^ ]*/server/cert.pem -H "Authorization: Bearer fhk_[^"]*" https://localhost:8443/v1/tokens/demo/keys' "the demo prints a curl example"
expect_cmd "the configuration unlocks demo with the PIN file" -- grep -qx "unlock.demo = file:$FERROHSM_HOME/demo-user.pin" "$FERROHSM_HOME/ferrohsm.conf"

T_DESC="second run-demo (idempotent)" expect_exit 0 -- env -u FERROHSM_PIN -u FERROHSM_SO_PIN bash "$DEMO" "$FERROHSM_BIN"
expect_no_match "$OUT" 'token init' "the second run reuses the token"
expect_no_match "$OUT" 'key generate' "the second run reuses the key"
expect_match "$OUT" 'Verified OK' "the second run verifies too"
expect_eq "$(head -n 1 "$FERROHSM_HOME/demo-admin.key")" "$ADMIN_KEY1" "the second run reuses the admin API key"
expect_eq "$(grep -c '^unlock.demo' "$FERROHSM_HOME/ferrohsm.conf")" 1 "the second run does not add unlock.demo again"
expect_exit 0 -- fh token list
expect_eq "$(grep -cw demo <<<"$OUT")" 1 "one demo token"
FERROHSM_PIN=$(head -n 1 "$FERROHSM_HOME/demo-user.pin") expect_exit 0 -- fh key list --token demo --json
cp "$OUT_FILE" keys.json
expect_json keys.json "len([k for k in items if has(k, 'demo-signing-key')]) in (1, 2)" "one demo-signing-key (one or two halves)"
expect_exit 0 -- fh audit verify

finish
