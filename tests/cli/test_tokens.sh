#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Tokens: list, PIN failures and the persistent lock, unlock by the SO,
# set-pin, PIN sources, duplicate labels, delete.
FH_MAX_PIN_FAILURES=3
# shellcheck source=lib.sh disable=SC2317
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PIN0=$FERROHSM_PIN
PIN1='second-user-pin-93'
PIN2='third-user-pin-271'
SO0=$FERROHSM_SO_PIN
SO1='second-so-pin-5501'
WRONG='wrong-pin-0000'
SECRETS+=("$PIN1" "$PIN2" "$SO1")
printf 'signed data\n' >msg

section "init and list"
expect_exit 0 -- fh token init --label demo
expect_match "$OUT" '^token demo initialised \(serial [0-9A-Fa-f]{16}\)$' "init message"
serial=$(sed -n 's/.*(serial \([0-9A-Fa-f]*\)).*/\1/p' <<<"$OUT")
setup fh key generate --token demo --type ec-p256 --label k1
expect_exit 0 -- fh token list
expect_match "$OUT" 'demo' "token list shows demo"
expect_match "$OUT" "$serial" "token list shows the serial"
demo_line=$(grep -w demo <<<"$OUT" || true)
expect_match "$demo_line" '(^|[^a-z])ok([^a-z]|$)' "user PIN state is ok"
expect_exit 0 -- fh token list --json
printf '%s' "$OUT" >tl.json
expect_json tl.json "any(has(t, 'demo') and has(t, '$serial') for t in items)" "token list --json parses and has demo with its serial"

section "wrong PIN"
FERROHSM_PIN=$WRONG expect_exit 4 -- fh sign --token demo --key k1 --mechanism ECDSA_SHA256 --in msg --out s.bad
expect_match "$ERR" '^ferrohsm: sign: ' "error line names the command"
expect_file_absent s.bad "no signature written"
expect_exit 0 -- fh token list --json
printf '%s' "$OUT" >tl.json
expect_json tl.json "any(has(t, 'demo') and field(t, 'user_failures', 'failures', 'user_pin_failures', 'pin_failures') in (1, '1') for t in items)" "token list --json counts 1 user PIN failure"
expect_exit 0 -- fh token list
expect_match "$(grep -w demo <<<"$OUT" || true)" '(^|[^0-9a-fA-F])1([^0-9a-fA-F]|$)' "token list shows 1 failure"
# A success resets the consecutive failures.
expect_exit 0 -- fh sign --token demo --key k1 --mechanism ECDSA_SHA256 --in msg --out s.ok
expect_exit 0 -- fh token list
expect_match "$(grep -w demo <<<"$OUT" || true)" '(^|[^a-z])ok([^a-z]|$)' "still ok after a success"

section "lockout after 3 failures"
for _ in 1 2 3; do
    FERROHSM_PIN=$WRONG expect_exit 4 -- fh sign --token demo --key k1 --mechanism ECDSA_SHA256 --in msg --out s.bad
done
expect_exit 4 -- fh sign --token demo --key k1 --mechanism ECDSA_SHA256 --in msg --out s.locked
expect_match "$ERR" '[Ll]ocked' "the correct PIN is refused with a message mentioning locked"
expect_file_absent s.locked "no signature while locked"
# Every CLI call is a new process: the lock is persistent. Check again, and
# through another command.
expect_exit 4 -- fh key generate --token demo --type ec-p256 --label k-while-locked
expect_match "$ERR" '[Ll]ocked' "still locked in a new process"
expect_exit 0 -- fh token list
expect_match "$(grep -w demo <<<"$OUT" || true)" '[Ll]ocked' "token list shows the user PIN locked"
expect_exit 0 -- fh token list --json
printf '%s' "$OUT" >tl.json
expect_cmd "token list --json shows locked" -- sh -c "grep -qi locked tl.json"

section "unlock by the SO"
FERROHSM_SO_PIN=$WRONG FERROHSM_NEW_PIN=$PIN1 expect_exit 4 -- fh token unlock --token demo
expect_exit 4 -- fh sign --token demo --key k1 --mechanism ECDSA_SHA256 --in msg --out s.locked
FERROHSM_NEW_PIN=$PIN1 expect_exit 0 -- fh token unlock --token demo
FERROHSM_PIN=$PIN1 expect_exit 0 -- fh sign --token demo --key k1 --mechanism ECDSA_SHA256 --in msg --out s.new
expect_exit 4 -- fh sign --token demo --key k1 --mechanism ECDSA_SHA256 --in msg --out s.old
expect_match "$ERR" '^ferrohsm: sign: ' "old PIN refused"
expect_exit 0 -- fh token list
expect_match "$(grep -w demo <<<"$OUT" || true)" '(^|[^a-z])ok([^a-z]|$)' "PIN state ok after unlock"
# Keys survived the lock/unlock (the TMK is the same).
setup fh key export-public --token demo --key k1 --out k1.pem
expect_cmd "signature made with the new PIN verifies with openssl" -- \
    sh -c 'openssl dgst -sha256 -verify k1.pem -signature s.new msg | grep -qx "Verified OK"'

section "set-pin"
FERROHSM_PIN=$PIN1 FERROHSM_NEW_PIN=$PIN2 expect_exit 0 -- fh token set-pin --token demo
FERROHSM_PIN=$PIN2 expect_exit 0 -- fh sign --token demo --key k1 --mechanism ECDSA_SHA256 --in msg --out s.2
FERROHSM_PIN=$PIN1 expect_exit 4 -- fh sign --token demo --key k1 --mechanism ECDSA_SHA256 --in msg --out s.1
FERROHSM_PIN=$WRONG FERROHSM_NEW_PIN=$PIN1 expect_exit 4 -- fh token set-pin --token demo
FERROHSM_PIN=$PIN2 expect_exit 0 -- fh sign --token demo --key k1 --mechanism ECDSA_SHA256 --in msg --out s.2b
# PIN files: first line, trailing newline stripped; env ignored when a file is given
printf '%s\n' "$PIN2" >old.pin
printf '%s\nsecond line is ignored\n' "$PIN0" >new.pin
chmod 600 old.pin new.pin
FERROHSM_PIN=$WRONG FERROHSM_NEW_PIN=$WRONG expect_exit 0 -- fh token set-pin --token demo --pin-file old.pin --new-pin-file new.pin
expect_exit 0 -- fh sign --token demo --key k1 --mechanism ECDSA_SHA256 --in msg --out s.0
printf '%s' "$PIN0" >nonl.pin
expect_exit 0 -- fhe -u FERROHSM_PIN -- sign --token demo --key k1 --mechanism ECDSA_SHA256 --in msg --out s.0b --pin-file nonl.pin
expect_exit 3 -- fhe -u FERROHSM_PIN -- sign --token demo --key k1 --mechanism ECDSA_SHA256 --in msg --pin-file no-such.pin
# No PIN anywhere and no tty: one-line error, exit 2.
expect_exit 2 -- fhe -u FERROHSM_PIN -- sign --token demo --key k1 --mechanism ECDSA_SHA256 --in msg --out s.nopin
expect_file_absent s.nopin "no output without a PIN"
expect_exit 2 -- fhe -u FERROHSM_NEW_PIN -- token set-pin --token demo
# The SO PIN: set-pin --so
FERROHSM_NEW_PIN=$SO1 expect_exit 0 -- fh token set-pin --token demo --so
FERROHSM_SO_PIN=$SO1 FERROHSM_NEW_PIN=$PIN0 expect_exit 0 -- fh token unlock --token demo
FERROHSM_SO_PIN=$SO0 FERROHSM_NEW_PIN=$PIN0 expect_exit 4 -- fh token unlock --token demo
expect_exit 0 -- fh sign --token demo --key k1 --mechanism ECDSA_SHA256 --in msg --out s.0c
# A PIN shorter than the minimum (4) is refused.
FERROHSM_NEW_PIN=abc expect_exit nz -- fh token set-pin --token demo
expect_exit 0 -- fh sign --token demo --key k1 --mechanism ECDSA_SHA256 --in msg --out s.0d

section "duplicate label"
expect_exit nz -- fh token init --label demo
expect_match "$ERR" 'demo' "the error names the label"
expect_exit 0 -- fh token list
expect_eq "$(grep -cw demo <<<"$OUT")" 1 "still exactly one demo token"
expect_exit 0 -- fh sign --token demo --key k1 --mechanism ECDSA_SHA256 --in msg --out s.afterdup
expect_exit 2 -- fh token init --label "a-label-that-is-longer-than-32-bytes-long"
expect_exit 2 -- fh token init
FERROHSM_PIN=12 expect_exit nz -- fh token init --label shortpin
expect_exit 0 -- fh token list
expect_no_match "$OUT" 'shortpin' "no token was created with a too-short PIN"

section "tokens are isolated"
setup fh token init --label other
setup fh key generate --token other --type ec-p256 --label only-in-other
expect_exit 3 -- fh sign --token demo --key only-in-other --mechanism ECDSA_SHA256 --in msg
expect_exit 0 -- fh key list --token other
expect_no_match "$OUT" 'k1' "demo's key is not in other"

section "delete"
FERROHSM_SO_PIN=$WRONG expect_exit 4 -- fh token delete --label demo
expect_exit 0 -- fh token list
expect_match "$OUT" 'demo' "demo still exists after a wrong SO PIN"
expect_exit 0 -- fh sign --token demo --key k1 --mechanism ECDSA_SHA256 --in msg --out s.still
demo_objects=$(sqlite3 "$DB" "SELECT count(*) FROM objects o JOIN tokens t ON o.token_id = t.id WHERE t.label = 'demo'" 2>/dev/null || echo "?")
expect_match "$demo_objects" '^[1-9][0-9]*$' "demo has objects in the store before delete"
FERROHSM_SO_PIN=$SO1 expect_exit 0 -- fh token delete --label demo
expect_exit 0 -- fh token list
expect_no_match "$OUT" '(^|[^a-z-])demo([^a-z-]|$)' "demo is gone from token list"
expect_match "$OUT" 'other' "other is still listed"
expect_exit 3 -- fh key list --token demo
expect_match "$ERR" 'demo' "not-found error names the token"
expect_exit 3 -- fh sign --token demo --key k1 --mechanism ECDSA_SHA256 --in msg
left=$(sqlite3 "$DB" "SELECT count(*) FROM objects WHERE token_id NOT IN (SELECT id FROM tokens)" 2>/dev/null || echo "?")
expect_eq "$left" 0 "no objects left without a token in the store"
expect_exit 0 -- fh key list --token other
expect_match "$OUT" 'only-in-other' "other's keys survive"
expect_exit 3 -- fh token delete --label no-such-token
# A new demo starts empty.
expect_exit 0 -- fh token init --label demo
expect_exit 3 -- fh key export-public --token demo --key k1
expect_exit 0 -- fh key list --token demo
expect_no_match "$OUT" 'k1' "the new demo token has no k1"

section "SO PIN lockout"
setup fh token init --label solock
for _ in 1 2 3; do
    FERROHSM_SO_PIN=$WRONG expect_exit 4 -- fh token delete --label solock
done
expect_exit 4 -- fh token delete --label solock
expect_match "$ERR" '[Ll]ocked' "the SO PIN is locked after 3 failures"
expect_exit 0 -- fh token list
expect_match "$OUT" 'solock' "solock still exists"
# The user PIN is unaffected.
expect_exit 0 -- fh key generate --token solock --type ec-p256 --label still-works

section "max_pin_failures from the configuration"
write_conf 5
setup fh token init --label five
setup fh key generate --token five --type ec-p256 --label k5
for _ in 1 2 3 4; do
    FERROHSM_PIN=$WRONG expect_exit 4 -- fh sign --token five --key k5 --mechanism ECDSA_SHA256 --in msg --out s5
done
T_DESC="with max_pin_failures = 5, four failures do not lock" expect_exit 0 -- fh sign --token five --key k5 --mechanism ECDSA_SHA256 --in msg --out s5
write_conf 3

section "where the store lives (FERROHSM_HOME, XDG_DATA_HOME, HOME, FERROHSM_CONF)"
conf=$FERROHSM_HOME/ferrohsm.conf
mkdir -p "$T_ROOT/xdg" "$T_ROOT/h"
expect_exit 0 -- fhe -u FERROHSM_HOME XDG_DATA_HOME="$T_ROOT/xdg" FERROHSM_CONF="$conf" -- token init --label in-xdg
expect_cmd "without FERROHSM_HOME the store is \$XDG_DATA_HOME/ferrohsm/ferrohsm.db" -- test -s "$T_ROOT/xdg/ferrohsm/ferrohsm.db"
expect_exit 0 -- fhe -u FERROHSM_HOME -u XDG_DATA_HOME HOME="$T_ROOT/h" FERROHSM_CONF="$conf" -- token init --label in-home
expect_cmd "without XDG_DATA_HOME it is ~/.local/share/ferrohsm/ferrohsm.db" -- test -s "$T_ROOT/h/.local/share/ferrohsm/ferrohsm.db"
expect_exit 0 -- fh token list
expect_no_match "$OUT" 'in-xdg|in-home' "those stores are separate from FERROHSM_HOME's"
# FERROHSM_CONF replaces $FERROHSM_HOME/ferrohsm.conf
printf '[token]\nargon2_t_cost = 1\nargon2_m_cost_kib = 256\nmax_pin_failures = 7\n' >alt.conf
expect_exit 0 -- fhe FERROHSM_CONF="$PWD/alt.conf" -- token init --label seven
expect_exit 0 -- fh token list --json
cp "$OUT_FILE" tl7.json
expect_json tl7.json "any(has(t, 'seven') and field(t, 'max_failures', 'max_pin_failures') == 7 for t in items)" "FERROHSM_CONF's max_pin_failures applies (7)"

section "PIN prompts on a terminal"
# No PIN source but a controlling tty: the CLI prompts without echo.
# pty_expect RC DESC PINS ARGS... - run the CLI on a pty (ptyrun.py), answer
# its prompts with PINS (comma list), check the exit code; the terminal
# transcript is left in $TTY_OUT.
pty_expect() {
    local want=$1 desc=$2 pins=$3 rc=0
    shift 3
    : >"$T_ROOT/tty.txt"
    env -u FERROHSM_PIN -u FERROHSM_NEW_PIN timeout 60 "$PY" "$LIB_DIR/ptyrun.py" "$T_ROOT/tty.txt" "$pins" \
        "$FERROHSM_BIN" "$@" </dev/null >/dev/null 2>&1 || rc=$?
    TTY_OUT=$(tr -d '\r' <"$T_ROOT/tty.txt")
    if [[ "$rc" == "$want" ]]; then
        pass "[exit $rc] $desc"
    else
        fail "$desc" "exit $rc, expected $want; terminal: $(head -c 400 <<<"$TTY_OUT")"
    fi
}
pty_expect 0 "sign prompts for the user PIN on the tty" "$PIN0" sign --token five --key k5 --mechanism ECDSA_SHA256 --in msg --out pty.sig
expect_match "$TTY_OUT" 'PIN' "the prompt mentions the PIN"
expect_no_match "$TTY_OUT" "$PIN0" "the PIN is not echoed"
expect_cmd "a signature was written after the prompt" -- test -s pty.sig
pty_expect 4 "a wrong PIN typed at the prompt" "$WRONG" sign --token five --key k5 --mechanism ECDSA_SHA256 --in msg --out pty2.sig
expect_match "$TTY_OUT" $'(^|\n)ferrohsm: sign: ' "the error line follows the prompt"
expect_file_absent pty2.sig "no signature after a wrong PIN at the prompt"
# New PINs are asked twice; a mismatch changes nothing.
pty_expect 2 "set-pin with two different new PINs at the prompt" "$PIN0,$PIN1,$PIN2" token set-pin --token five
expect_exit 0 -- fh sign --token five --key k5 --mechanism ECDSA_SHA256 --in msg --out s5b
pty_expect 0 "set-pin with the new PIN typed twice" "$PIN0,$PIN1,$PIN1" token set-pin --token five
expect_no_match "$TTY_OUT" "$PIN1|$PIN0" "no PIN is echoed"
expect_no_match "$TTY_OUT" '[Uu]ser user' "the prompt for the current PIN reads well (no \"User user PIN\")"
FERROHSM_PIN=$PIN1 expect_exit 0 -- fh sign --token five --key k5 --mechanism ECDSA_SHA256 --in msg --out s5c
expect_exit 4 -- fh sign --token five --key k5 --mechanism ECDSA_SHA256 --in msg --out s5d

finish
