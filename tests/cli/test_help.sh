#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# --help of the top level and of every command exits 0 and mentions every
# option docs/cli.md gives that command. The list is fixed here on purpose
# (a copy of the contract, not parsed from it).
# shellcheck source=lib.sh disable=SC2317
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# command -> options its --help must mention
declare -A OPTS=(
    ["token init"]="--label --pin-file --so-pin-file"
    ["token list"]="--json"
    ["token delete"]="--label --so-pin-file"
    ["token set-pin"]="--token --so --pin-file --so-pin-file --new-pin-file"
    ["token unlock"]="--token --so-pin-file --new-pin-file"
    ["key generate"]="--token --type --label --id --bits --extractable --usage --pin-file"
    ["key list"]="--token --json"
    ["key show"]="--token --key --json"
    ["key delete"]="--token --key --pin-file"
    ["key export-public"]="--token --key --out"
    ["sign"]="--token --key --mechanism --in --out --format --pin-file"
    ["verify"]="--token --key --mechanism --in --signature"
    ["encrypt"]="--token --key --mechanism --in --out --iv --aad --tag-bits --hash --oaep-label --pin-file"
    ["decrypt"]="--token --key --mechanism --in --out --iv --aad --tag-bits --hash --oaep-label --pin-file"
    ["digest"]="--mechanism --in --out"
    ["random"]="--bytes --out --hex"
    ["audit list"]="--json --from --limit"
    ["audit verify"]=""
    ["mechanisms"]="--json"
)
# command groups -> subcommands their --help must mention
declare -A SUBS=(
    ["token"]="init list delete set-pin unlock"
    ["key"]="generate list show delete export-public"
    ["audit"]="list verify"
)

# mentions TEXT WORD - WORD appears as a whole word/option in TEXT
mentions() {
    grep -qE -- "(^|[^a-z-])$2([^a-z-]|$)" <<<"$1"
}

section "top level"
expect_exit 0 -- fh --help
top=$OUT
expect_match "$top" '[A-Za-z]' "ferrohsm --help prints something on stdout"
for c in token key sign verify encrypt decrypt digest random audit mechanisms; do
    if mentions "$top" "$c"; then pass "ferrohsm --help mentions $c"; else fail "ferrohsm --help mentions $c"; fi
done
for o in --help --version; do
    if mentions "$top" "$o"; then pass "ferrohsm --help mentions $o"; else fail "ferrohsm --help mentions $o"; fi
done
expect_exit 0 -- fh --version
expect_match "$OUT" '0\.1\.0' "ferrohsm --version prints the project version"

section "command groups"
for g in "${!SUBS[@]}"; do
    # shellcheck disable=SC2086
    expect_exit 0 -- fh $g --help
    text=$OUT
    for s in ${SUBS[$g]}; do
        if mentions "$text" "$s"; then pass "$g --help mentions $s"; else fail "$g --help mentions $s"; fi
    done
done

section "every command"
for c in "${!OPTS[@]}"; do
    # shellcheck disable=SC2086
    expect_exit 0 -- fh $c --help
    text=$OUT
    expect_match "$text" '[A-Za-z]' "$c --help prints its help on stdout"
    for o in ${OPTS[$c]} --help; do
        if mentions "$text" "$o"; then pass "$c --help mentions $o"; else fail "$c --help mentions $o" "$(head -n 20 <<<"$text")"; fi
    done
done
expect_cmd "--help created no store" -- test ! -e "$DB"

section "key generate --help lists the types"
expect_exit 0 -- fh key generate --help
for t in rsa-2048 rsa-3072 rsa-4096 ec-p256 ec-p384 ec-p521 ed25519 ed448 aes-128 aes-192 aes-256 generic-secret; do
    if mentions "$OUT" "$t"; then pass "key generate --help mentions $t"; else fail "key generate --help mentions $t"; fi
done

section "mechanisms"
expect_exit 0 -- fh mechanisms
mech=$OUT
for m in ECDSA_SHA256 SHA256_RSA_PKCS SHA256_RSA_PKCS_PSS EDDSA AES_GCM AES_CBC_PAD AES_CTR RSA_PKCS_OAEP SHA256_HMAC SHA256 SHA3_256; do
    if grep -qiE "(^|[^A-Z0-9_])(CKM_)?$m([^A-Z0-9_]|$)" <<<"$mech"; then pass "mechanisms lists $m"; else fail "mechanisms lists $m"; fi
done
expect_exit 0 -- fh mechanisms --json
cp "$OUT_FILE" mech.json
expect_json mech.json "any(re.search(r'(^|ckm_)ecdsa_sha256$', str(field(m, 'name', 'mechanism')), re.I) for m in items)" "mechanisms --json has ECDSA_SHA256 by name"

finish
