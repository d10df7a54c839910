#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# key generate / list / show / delete / export-public and key selectors.
# shellcheck source=lib.sh disable=SC2317
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

setup fh token init --label demo
printf 'to be signed\n' >msg

# label -> type, size as key list should report it ("" = any), type regex
LABELS=(r2048 r3072 p256 p384 p521 ed25519 ed448 aes128 aes192 aes256)
declare -A TYPE=([r2048]=rsa-2048 [r3072]=rsa-3072 [p256]=ec-p256 [p384]=ec-p384 [p521]=ec-p521
    [ed25519]=ed25519 [ed448]=ed448 [aes128]=aes-128 [aes192]=aes-192 [aes256]=aes-256
    [gs256]=generic-secret [r4096]=rsa-4096)
declare -A SIZE=([r2048]=2048 [r3072]=3072 [p256]=256 [p384]=384 [p521]=521 [ed25519]=""
    [ed448]="" [aes128]=128 [aes192]=192 [aes256]=256 [gs256]=256 [r4096]=4096)
EC_RE='(^|[^a-z])(ec|ecdsa|ckk_ec)([^a-z]|$)|p-?(256|384|521)|secp|prime256'
declare -A FAM=([r2048]=rsa [r3072]=rsa [r4096]=rsa [p256]=$EC_RE [p384]=$EC_RE [p521]=$EC_RE
    [ed25519]='ed25519|edwards|eddsa' [ed448]='ed448|edwards|eddsa'
    [aes128]=aes [aes192]=aes [aes256]=aes [gs256]='generic')
ANY_ID='[0-9a-f]{16}'

section "generate every type"
declare -A ID
for label in "${LABELS[@]}"; do
    type=${TYPE[$label]}
    expect_exit 0 -- fh key generate --token demo --type "$type" --label "$label"
    expect_match "$OUT" "^generated $type key $label \\(id ([0-9a-fA-F]{16})\\)\$" "generate $type prints the contract line"
    ID[$label]=$(sed -n 's/.*(id \([0-9a-fA-F]*\)).*/\1/p' <<<"$OUT" | tr 'A-F' 'a-f')
done
expect_exit 0 -- fh key generate --token demo --type generic-secret --bits 256 --label gs256
expect_match "$OUT" '^generated generic-secret key gs256 \(id [0-9a-fA-F]{16}\)$' "generate generic-secret --bits 256"
ID[gs256]=$(sed -n 's/.*(id \([0-9a-fA-F]*\)).*/\1/p' <<<"$OUT" | tr 'A-F' 'a-f')
LABELS+=(gs256)
expect_exit 0 -- fh key generate --token demo --type generic-secret --bits 8 --label gs8
expect_exit 0 -- fh key generate --token demo --type generic-secret --bits 4096 --label gs4096
expect_no_match "${ID[p256]}" "^${ID[p384]}\$" "random CKA_IDs differ"

section "rsa-4096 (timed)"
t0=$(date +%s)
expect_exit 0 -- fh key generate --token demo --type rsa-4096 --label r4096
t1=$(date +%s)
echo "# rsa-4096 generation took $((t1 - t0)) s"
ID[r4096]=$(sed -n 's/.*(id \([0-9a-fA-F]*\)).*/\1/p' <<<"$OUT" | tr 'A-F' 'a-f')
LABELS+=(r4096)

section "generate: bad arguments"
expect_exit 2 -- fh key generate --token demo --type generic-secret --label gs-nobits
expect_exit 2 -- fh key generate --token demo --type generic-secret --bits 7 --label gs7
expect_exit 2 -- fh key generate --token demo --type generic-secret --bits 0 --label gs0
expect_exit 2 -- fh key generate --token demo --type generic-secret --bits 4104 --label gs4104
expect_exit 2 -- fh key generate --token demo --type generic-secret --bits 12 --label gs12
expect_exit 2 -- fh key generate --token demo --type rsa-1024 --label r1024
expect_exit 2 -- fh key generate --token demo --type ec-p256 --label badusage --usage sign,fly
expect_exit 2 -- fh key generate --token demo --type ec-p256 --label badid --id xyz
expect_exit 2 -- fh key generate --token demo --type ec-p256
expect_exit 3 -- fh key generate --token nosuch --type ec-p256 --label x
expect_exit 0 -- fh key list --token demo
expect_no_match "$OUT" 'gs-nobits|gs7|gs0|gs4104|gs12|r1024|badusage|badid' "failed generates left no keys"

section "key list"
expect_exit 0 -- fh key list --token demo
cp "$OUT_FILE" list.txt
for label in "${LABELS[@]}"; do
    size=${SIZE[$label]} id=${ID[$label]:-}
    [[ -n "$id" ]] || id=$ANY_ID
    line=$(grep -E "(^|[^a-z0-9-])$label([^a-z0-9-]|$)" list.txt | head -n 1 || true)
    expect_match "$line" "$label" "key list shows $label"
    rest=${line//$label/}
    if [[ -n "$size" ]]; then
        expect_match "$rest" "(^|[^0-9])$size([^0-9]|$)" "key list shows size $size for $label"
    fi
    expect_match "${rest,,}" "${FAM[$label]}" "key list shows the type of $label"
    expect_match "${rest,,}" "$id" "key list shows the id of $label"
done
# Pairs show both halves (or at least the private one), secret keys one line.
expect_eq "$(grep -cE '(^|[^a-z0-9-])aes256([^a-z0-9-]|$)' list.txt)" 1 "one line for a secret key"
n=$(grep -cE '(^|[^a-z0-9-])p256([^a-z0-9-]|$)' list.txt || true)
expect_match "$n" '^[12]$' "one or two lines for a key pair"

expect_exit 0 -- fh key list --token demo --json
cp "$OUT_FILE" list.json
expect_json list.json "True" "key list --json is one JSON document"
for label in "${LABELS[@]}"; do
    size=${SIZE[$label]}
    expect_json list.json "any(has(k, '$label') for k in items)" "key list --json has $label"
    if [[ -n "$size" ]]; then
        expect_json list.json "any(has(k, '$label') and has(k, $size) for k in items)" "key list --json: $label has size $size"
    fi
    if [[ -n "${ID[$label]:-}" ]]; then
        expect_json list.json "any(has(k, '$label') and any(isinstance(v, str) and v.replace(':', '') == '${ID[$label]}' for v in flat(k)) for k in items)" "key list --json: $label has its id"
    fi
done
expect_json list.json "any(has(k, 'p256') and re.search('priv', ' '.join(str(v) for v in flat(k))) for k in items)" "key list --json has the private half of p256"

section "key show never reveals secret values"
# check_show LABEL - text and --json output; no attribute carrying secret
# key material may have a value, and the object is CKA_SENSITIVE.
check_show() {
    local label=$1
    expect_exit 0 -- fh key show --token demo --key "$label"
    cp "$OUT_FILE" "show.$label.txt"
    expect_match "$OUT" "$label" "key show $label names it"
    local bad
    bad=$(grep -Ei 'CKA_VALUE([^_]|$)|PRIVATE_EXPONENT|PRIME_1|PRIME_2|EXPONENT_1|EXPONENT_2|COEFFICIENT|^[[:space:]]*value[[:space:]]*[:=]' "show.$label.txt" |
        grep -E '[0-9A-Fa-f]{16}|[A-Za-z0-9+/]{22}' || true)
    expect_eq "$bad" "" "key show $label prints no secret attribute value"
    expect_match "$(tr 'A-Z' 'a-z' <"show.$label.txt")" 'sensitive' "key show $label lists CKA_SENSITIVE"
    expect_exit 0 -- fh key show --token demo --key "$label" --json
    cp "$OUT_FILE" "show.$label.json"
    expect_json "show.$label.json" "not [k for k, v in pairs(doc) if re.search(r'(^|_)(value|private_exponent|prime_1|prime_2|exponent_1|exponent_2|coefficient)$', k, re.I) and isinstance(v, str) and re.fullmatch(r'[0-9A-Fa-f:]{16,}|[A-Za-z0-9+/=]{22,}', v)]" "key show --json $label has no secret attribute value"
    expect_json "show.$label.json" "any(re.search(r'(^|[^a-z_])(cka_)?sensitive$', k, re.I) and istrue(v) for k, v in pairs(doc))" "key show --json $label: sensitive is true"
}
check_show aes256
check_show r2048
check_show p256
check_show ed25519
check_show gs256

section "key show of public values"
# The public half's modulus / EC point are readable and equal what
# export-public gives.
expect_exit 0 -- fh key export-public --token demo --key r2048 --out r2048.pem
mod=$(openssl rsa -pubin -in r2048.pem -noout -modulus 2>/dev/null | sed 's/^Modulus=//' | tr 'A-F' 'a-f')
expect_match "$mod" '^[0-9a-f]{512}$' "openssl reads the exported RSA modulus"
shown=$(tr -d ' :\n' <show.r2048.txt | tr 'A-F' 'a-f')
shownj=$(tr -d ' :\n' <show.r2048.json | tr 'A-F' 'a-f')
expect_match "$shown$shownj" "$mod" "key show prints the RSA modulus that export-public exports"
expect_exit 0 -- fh key show --token demo --key aes256 --json
expect_json "$OUT_FILE" "any(re.search(r'(^|[^a-z_])(cka_)?extractable$', k, re.I) and isfalse(v) for k, v in pairs(doc))" "aes256 is not extractable by default"
expect_exit 0 -- fh key generate --token demo --type aes-256 --label aesx --extractable
expect_exit 0 -- fh key show --token demo --key aesx --json
expect_json "$OUT_FILE" "any(re.search(r'(^|[^a-z_])(cka_)?extractable$', k, re.I) and istrue(v) for k, v in pairs(doc))" "--extractable makes it extractable"

section "export-public"
for l in r3072 p384 p521 ed25519 ed448; do
    expect_exit 0 -- fh key export-public --token demo --key "$l" --out "$l.pem"
    expect_cmd "openssl parses $l.pem" -- openssl pkey -pubin -in "$l.pem" -noout
done
expect_cmd "ed448.pem is an Ed448 key" -- sh -c 'openssl pkey -pubin -in ed448.pem -noout -text | grep -q ED448'
expect_cmd "p521.pem is a P-521 key" -- sh -c 'openssl pkey -pubin -in p521.pem -noout -text | grep -Eq "secp521r1|P-521"'
expect_exit nz -- fh key export-public --token demo --key aes256

section "default usage flags (docs/cli.md)"
# usage_of LABEL - the union of the usage flags of LABEL's objects, sorted
usage_of() {
    fh key show --token demo --key "$1" --json </dev/null 2>/dev/null | "$PY" -c '
import json, sys
doc = json.load(sys.stdin)
objs = doc if isinstance(doc, list) else [doc]
names = ["sign", "verify", "encrypt", "decrypt", "wrap", "unwrap", "derive"]
got = set()
for o in objs:
    for n in names:
        v = o.get("CKA_" + n.upper())
        if v is True or (isinstance(v, str) and v.lower() == "true"):
            got.add(n)
print(",".join(n for n in names if n in got))
'
}
expect_eq "$(usage_of r3072)" "sign,verify,encrypt,decrypt,wrap,unwrap" "rsa: all but derive"
expect_eq "$(usage_of p384)" "sign,verify,derive" "ec: sign,verify,derive"
expect_eq "$(usage_of ed448)" "sign,verify" "ed: sign,verify"
expect_eq "$(usage_of aes192)" "sign,verify,encrypt,decrypt,wrap,unwrap" "aes: encrypt,decrypt,wrap,unwrap,sign,verify"
expect_eq "$(usage_of gs256)" "sign,verify,derive" "generic-secret: sign,verify,derive"

section "usage flags"
expect_exit 0 -- fh key generate --token demo --type aes-256 --label aes-enc-only --usage encrypt,decrypt
expect_exit 0 -- fh encrypt --token demo --key aes-enc-only --mechanism AES_GCM --in msg --out ct
expect_exit nz -- fh sign --token demo --key aes-enc-only --mechanism SHA256_HMAC --in msg --out mac
expect_file_absent mac "no MAC with a key without sign usage"
expect_exit nz -- fh encrypt --token demo --key p256 --mechanism AES_GCM --in msg --out ct2

section "selectors"
expect_exit 0 -- fh key generate --token demo --type ec-p256 --label dup --id 01
expect_match "$OUT" '\(id 01\)' "--id is used"
expect_exit 0 -- fh key generate --token demo --type ec-p256 --label dup --id 02
expect_exit 2 -- fh sign --token demo --key dup --mechanism ECDSA_SHA256 --in msg --out dup.sig
expect_file_absent dup.sig "no signature with an ambiguous label"
expect_exit 0 -- fh sign --token demo --key id:01 --mechanism ECDSA_SHA256 --in msg --out dup1.sig
expect_exit 0 -- fh verify --token demo --key id:01 --mechanism ECDSA_SHA256 --in msg --signature dup1.sig
expect_exit 5 -- fh verify --token demo --key id:02 --mechanism ECDSA_SHA256 --in msg --signature dup1.sig
expect_exit 0 -- fh key generate --token demo --type ec-p256 --label k1 --id 0102
expect_exit 0 -- fh key export-public --token demo --key k1 --out k1.pem
expect_exit 0 -- fh sign --key 'pkcs11:token=demo;object=k1;type=private' --mechanism ECDSA_SHA256 --in msg --out uri.sig
expect_cmd "signature via a pkcs11: URI verifies with openssl" -- \
    sh -c 'openssl dgst -sha256 -verify k1.pem -signature uri.sig msg | grep -qx "Verified OK"'
expect_exit 0 -- fh sign --key 'pkcs11:token=demo;id=%01%02;type=private' --mechanism ECDSA_SHA256 --in msg --out uri2.sig
expect_exit 0 -- fh verify --key 'pkcs11:token=demo;id=%01%02' --mechanism ECDSA_SHA256 --in msg --signature uri2.sig
expect_exit 0 -- fh key export-public --token demo --key id:0102 --out k1b.pem
expect_cmd "id: and label select the same key" -- cmp k1.pem k1b.pem
expect_exit 0 -- fh sign --token demo --key 'pkcs11:object=k1' --mechanism ECDSA_SHA256 --in msg --out uri3.sig
expect_exit 2 -- fh sign --key 'pkcs11:token=demo;object=k1;type=private?pin-value=1234' --mechanism ECDSA_SHA256 --in msg --out pv.sig
expect_file_absent pv.sig "no signature with a pin-value URI"
expect_exit 3 -- fh sign --key 'pkcs11:token=nosuch;object=k1' --mechanism ECDSA_SHA256 --in msg
expect_exit 2 -- fh sign --key 'pkcs11:token=demo;object=dup' --mechanism ECDSA_SHA256 --in msg
expect_exit 3 -- fh sign --token demo --key k9 --mechanism ECDSA_SHA256 --in msg
expect_match "$ERR" '^ferrohsm: sign: .*k9' "not-found error names the key (ferrohsm: sign: ...: k9)"
expect_exit 3 -- fh sign --token demo --key id:0909 --mechanism ECDSA_SHA256 --in msg
expect_exit 3 -- fh key show --token demo --key k9
expect_exit 3 -- fh key export-public --token demo --key k9
expect_exit 3 -- fh key delete --token demo --key k9
expect_exit 2 -- fh sign --token demo --key id:xyz --mechanism ECDSA_SHA256 --in msg

# Percent-encoding in URIs (RFC 7512), upper/lower-case hex in id:
setup fh token init --label "sp ace"
expect_exit 0 -- fh key generate --token "sp ace" --type ec-p256 --label "my key" --id 0A0b
expect_exit 0 -- fh sign --key 'pkcs11:token=sp%20ace;object=my%20key' --mechanism ECDSA_SHA256 --in msg --out pe1.sig
expect_exit 0 -- fh sign --key 'pkcs11:token=sp%20ace;id=%0a%0B' --mechanism ECDSA_SHA256 --in msg --out pe2.sig
expect_exit 0 -- fh sign --token "sp ace" --key id:0A0B --mechanism ECDSA_SHA256 --in msg --out pe3.sig
expect_exit 0 -- fh key export-public --token "sp ace" --key "my key" --out mykey.pem
expect_cmd "the percent-encoded URI selected the right key" -- \
    sh -c 'openssl dgst -sha256 -verify mykey.pem -signature pe1.sig msg | grep -qx "Verified OK"'

section "labels with control characters"
# A label may carry a newline or a terminal escape (PKCS#11 apps can set any
# bytes). Either generate refuses it (usage error) or every text output
# stays one line per key with the control bytes escaped.
setup fh token init --label ctl
for lbl in $'two\nlines' $'esc\e[31mred' $'bell\acr\rx'; do
    shown=$(printf '%q' "$lbl")
    expect_exit '0|2' -- fh key generate --token ctl --type aes-128 --label "$lbl"
    if [[ $RC == 0 ]]; then
        expect_eq "$(wc -l <"$OUT_FILE")" 1 "generate with label $shown prints one line"
        expect_not_cmd "generate with label $shown prints no raw control byte" -- grep -qP '[\x00-\x08\x0b-\x1f\x7f]' "$OUT_FILE"
    fi
done
expect_exit 0 -- fh key list --token ctl --json
cp "$OUT_FILE" ctl.json
n=$(jq_py "len(items)" <ctl.json 2>/dev/null) || n=0
expect_exit 0 -- fh key list --token ctl
expect_eq "$(grep -c '' "$OUT_FILE")" "$n" "key list prints one line per key ($n keys) whatever the labels"
expect_not_cmd "key list prints no raw control byte" -- grep -qP '[\x00-\x08\x0b-\x1f\x7f]' "$OUT_FILE"
expect_exit 0 -- fh audit list
expect_not_cmd "audit list prints no raw control byte" -- grep -qP '[\x00-\x08\x0b-\x1f\x7f]' "$OUT_FILE"

section "key delete"
expect_exit 0 -- fh key delete --token demo --key r2048
expect_exit 0 -- fh key list --token demo --json
cp "$OUT_FILE" list2.json
expect_json list2.json "not any(has(k, 'r2048') for k in items)" "r2048 (both halves) gone from key list --json"
expect_exit 3 -- fh key export-public --token demo --key r2048
expect_exit 3 -- fh sign --token demo --key r2048 --mechanism SHA256_RSA_PKCS --in msg
rows=$(sqlite3 "$DB" "SELECT count(*) FROM objects WHERE label = CAST('r2048' AS BLOB) OR label = 'r2048'" 2>/dev/null || echo "?")
expect_eq "$rows" 0 "no r2048 rows left in the store"
expect_exit 0 -- fh key delete --token demo --key id:02
expect_exit 0 -- fh sign --token demo --key dup --mechanism ECDSA_SHA256 --in msg --out dup.sig
expect_exit 0 -- fh key delete --token demo --key aes256
expect_exit 3 -- fh encrypt --token demo --key aes256 --mechanism AES_GCM --in msg
expect_exit 0 -- fh key list --token demo
expect_match "$OUT" 'p384' "other keys are untouched"

finish
