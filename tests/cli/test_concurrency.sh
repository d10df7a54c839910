#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Two processes generate and sign against the same store at once; a third
# reads. Nothing is lost, the audit chain stays intact.
# shellcheck source=lib.sh disable=SC2317
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

setup fh token init --label demo
printf 'concurrent message\n' >msg
N=10

# worker NAME - generate N ec-p256 keys, sign with each; failures to NAME.log
worker() {
    local name=$1 i rc=0 e
    for i in $(seq 1 "$N"); do
        fh key generate --token demo --type ec-p256 --label "$name-$i" </dev/null >>"$name.out" 2>>"$name.log" ||
            { e=$?; rc=1; echo "generate $name-$i failed: exit $e" >>"$name.log"; }
        fh sign --token demo --key "$name-$i" --mechanism ECDSA_SHA256 --in msg --out "$name-$i.sig" </dev/null 2>>"$name.log" ||
            { e=$?; rc=1; echo "sign $name-$i failed: exit $e" >>"$name.log"; }
    done
    return $rc
}

# reader - list keys and verify the audit log while the writers run
reader() {
    local rc=0 i
    for i in $(seq 1 10); do
        fh key list --token demo </dev/null >/dev/null 2>>reader.log || { rc=1; echo "key list failed" >>reader.log; }
        fh audit verify </dev/null >/dev/null 2>>reader.log || { rc=1; echo "audit verify failed" >>reader.log; }
    done
    return $rc
}

section "two writers and a reader"
t0=$(date +%s)
worker A &
pa=$!
worker B &
pb=$!
reader &
pr=$!
ra=0 rb=0 rr=0
wait "$pa" || ra=$?
wait "$pb" || rb=$?
wait "$pr" || rr=$?
echo "# took $(($(date +%s) - t0)) s"
expect_eq "$ra" 0 "writer A succeeded$( [[ -s A.log ]] && printf ' (%s)' "$(head -n 3 A.log | tr '\n' ' ')")"
expect_eq "$rb" 0 "writer B succeeded$( [[ -s B.log ]] && printf ' (%s)' "$(head -n 3 B.log | tr '\n' ' ')")"
expect_eq "$rr" 0 "the reader succeeded$( [[ -s reader.log ]] && printf ' (%s)' "$(head -n 3 reader.log | tr '\n' ' ')")"

section "results"
expect_exit 0 -- fh key list --token demo --json
cp "$OUT_FILE" keys.json
expect_json keys.json "len(set(str(field(k, 'label')) for k in items)) == 20" "key list --json shows 20 distinct keys"
expect_exit 0 -- fh key list --token demo
missing=""
for w in A B; do
    for i in $(seq 1 "$N"); do
        grep -qE "(^|[^A-Za-z0-9-])$w-$i([^0-9]|$)" <<<"$OUT" || missing+=" $w-$i"
    done
done
expect_eq "$missing" "" "key list shows all 20 labels"
fh key export-public --token demo --key A-7 --out a7.pem </dev/null 2>/dev/null || true
expect_cmd "a signature made during the race verifies with openssl" -- \
    sh -c 'openssl dgst -sha256 -verify a7.pem -signature A-7.sig msg | grep -qx "Verified OK"'
expect_exit 0 -- fh audit verify
expect_match "$OUT" '^audit log verified: [0-9]+ records$' "audit verify passes after the race"
expect_exit 0 -- fh audit list --json
cp "$OUT_FILE" audit.json
expect_json audit.json "len([r for r in items if re.search('generate', str(field(r, 'operation')), re.I)]) >= 20" "20 key generations audited"
expect_json audit.json "[field(r, 'seq') for r in items] == list(range(field(items[0], 'seq'), field(items[0], 'seq') + len(items)))" "audit seq numbers have no gaps or duplicates"

section "parallel signers with the correct PIN (max_pin_failures = 3)"
# Logins with the right PIN racing each other must never be refused as
# "locked": the failure counter is 0 throughout. Three rounds of 20.
failed=0
for round in 1 2 3; do
    pids=()
    for i in $(seq 1 20); do
        fh sign --token demo --key "A-$(((i - 1) % N + 1))" --mechanism ECDSA_SHA256 --in msg --out "par-$round-$i.sig" </dev/null 2>"par-$round-$i.log" &
        pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
done
expect_eq "$failed" 0 "60 parallel signers with the correct PIN all succeed$(cat par-*.log | sort | uniq -c | head -n 3 | tr -s ' \n' ' ' | sed 's/^./: &/')"
expect_exit 0 -- fh token list --json
cp "$OUT_FILE" tokens.json
expect_json tokens.json "any(has(t, 'demo') and field(t, 'user_failures', 'failures') == 0 for t in items)" "no failure counted after the correct-PIN race"
expect_exit 0 -- fh audit list --json
cp "$OUT_FILE" audit2.json
expect_json audit2.json "not [r for r in items if re.search('login', str(field(r, 'operation')), re.I) and re.search('lock', str(field(r, 'result')), re.I)]" "no login was refused as locked during the correct-PIN race"
expect_exit 0 -- fh audit verify

section "parallel wrong PINs are all counted (max_pin_failures = 3)"
setup fh token init --label guess
setup fh key generate --token guess --type ec-p256 --label g
pids=()
for i in $(seq 1 8); do
    FERROHSM_PIN="wrong-guess-$i" fh sign --token guess --key g --mechanism ECDSA_SHA256 --in msg --out "guess-$i.sig" </dev/null >/dev/null 2>"guess-$i.log" &
    pids+=($!)
done
codes=""
for p in "${pids[@]}"; do
    rc=0
    wait "$p" || rc=$?
    codes+="$rc "
done
expect_eq "$codes" "4 4 4 4 4 4 4 4 " "eight parallel wrong PINs all fail with exit 4"
checked=$(cat guess-*.log | grep -vic locked || true)
expect_match "$checked" '^[0-3]$' "at most max_pin_failures (3) guesses were evaluated, the rest refused as locked ($checked evaluated)"
expect_exit 4 -- fh sign --token guess --key g --mechanism ECDSA_SHA256 --in msg --out guess-ok.sig
expect_match "$ERR" '[Ll]ocked' "the correct PIN is locked out after the parallel guesses"
expect_exit 0 -- fh token list --json
cp "$OUT_FILE" tokens.json
expect_json tokens.json "any(has(t, 'guess') and field(t, 'user_failures', 'failures') == 3 for t in items)" "exactly 3 failures were counted"

section "parallel token init of one label: exactly one wins"
pids=()
for i in $(seq 1 6); do
    fh token init --label race </dev/null >"race-$i.out" 2>"race-$i.err" &
    pids+=($!)
done
wins=0
for p in "${pids[@]}"; do wait "$p" && wins=$((wins + 1)) || true; done
expect_eq "$wins" 1 "one token init succeeds"
expect_eq "$(cat race-*.err | grep -c '^ferrohsm: token init: .*race' || true)" 5 "the others fail with one line naming the token"
expect_exit 0 -- fh token list
expect_eq "$(grep -cw race <<<"$OUT")" 1 "one token race exists"
expect_exit 0 -- fh audit verify

finish
