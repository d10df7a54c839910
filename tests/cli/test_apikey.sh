#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `ferrohsm apikey create|list|revoke` (docs/cli.md): the key is printed once
# (first line of stdout, or "key" in --json), never listed, never stored;
# revoke by name or id; one-line errors with the documented exit codes.
# shellcheck source=lib.sh disable=SC2317
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KEY_RE='^fhk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$'

section "before any store"
expect_exit 3 -- fh apikey list

section "create"
setup fh token init --label demo
setup fh token init --label billing
expect_exit 0 -- fh apikey create --name ops --role admin --token '*'
KEY1=$(head -1 "$OUT_FILE")
expect_match "$KEY1" "$KEY_RE" "the first line of stdout is the key alone"
expect_eq "$(wc -l <"$OUT_FILE")" "1" "stdout holds only the key"
expect_match "$ERR" "not be shown again" "stderr says the key will not be shown again"
SECRETS+=("${KEY1:22}")
ID1=${KEY1:4:16}

expect_exit 0 -- fh apikey create --name billing-app --role app --token billing --token demo --json
cp "$OUT_FILE" create.json
expect_json create.json "doc['name'] == 'billing-app' and doc['role'] == 'app'" "create --json: name and role"
expect_json create.json "doc['tokens'] == ['billing', 'demo'] and doc['revoked'] is False" "create --json: tokens (repeated --token) and revoked"
expect_json create.json "re.match(r'^fhk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$', doc['key']) and doc['key'][4:20] == doc['id']" "create --json: the key carries the id"
expect_json create.json "re.match(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$', doc['created'])" "create --json: created is ISO 8601 UTC"
KEY2=$("$PY" -c 'import json,sys; print(json.load(sys.stdin)["key"])' <create.json)
SECRETS+=("${KEY2:22}")
ID2=${KEY2:4:16}

section "list"
expect_exit 0 -- fh apikey list
expect_match "$OUT" "$ID1" "list shows the id of the first key"
expect_match "$OUT" "$ID2" "list shows the id of the second key"
expect_match "$OUT" "billing-app" "list shows the name"
expect_no_match "$OUT" "fhk_" "list never shows a key"
expect_exit 0 -- fh apikey list --json
cp "$OUT_FILE" list.json
expect_json list.json "len(doc) == 2 and [k['id'] for k in doc] == ['$ID1', '$ID2']" "list --json: both keys, in creation order"
expect_json list.json "doc[0]['tokens'] == '*' and doc[1]['tokens'] == ['billing', 'demo']" "list --json: scopes"
expect_json list.json "all(set(k) == {'id', 'name', 'role', 'tokens', 'created', 'revoked'} for k in doc)" "list --json: the documented fields, no key"
expect_no_match "$(cat list.json)" "fhk_" "list --json never shows a key"

section "the store holds no key"
expect_not_cmd "the database file does not contain the first key's secret" -- grep -aqF -- "${KEY1:22}" "$DB"
expect_not_cmd "the WAL does not contain the first key's secret" -- grep -aqF -- "${KEY1:22}" "$DB-wal"
expect_not_cmd "the database file does not contain the second key's secret" -- grep -aqF -- "${KEY2:22}" "$DB"
expect_not_cmd "the WAL does not contain the second key's secret" -- grep -aqF -- "${KEY2:22}" "$DB-wal"

section "revoke"
expect_exit 0 -- fh apikey revoke --key billing-app
expect_match "$OUT" "revoked" "revoke by name"
expect_exit 0 -- fh apikey revoke --key "$ID2"
expect_match "$OUT" "already revoked" "revoking again changes nothing"
expect_exit 0 -- fh apikey revoke --key "$ID1"
expect_exit 0 -- fh apikey list --json
cp "$OUT_FILE" list2.json
expect_json list2.json "len(doc) == 2 and all(k['revoked'] is True for k in doc)" "both keys listed as revoked"
expect_exit 3 -- fh apikey revoke --key nobody
expect_exit 3 -- fh apikey revoke --key 0123456789abcdef
expect_exit 2 -- fh apikey revoke

section "errors"
expect_exit 2 -- fh apikey create --name x --role root --token demo
expect_match "$ERR" "unknown role" "bad role: message"
expect_exit 3 -- fh apikey create --name x --role app --token nosuch
expect_match "$ERR" "no such token: nosuch" "unknown token: message"
expect_exit 1 -- fh apikey create --name ops --role app --token demo
expect_match "$ERR" "already exists" "duplicate name (even of a revoked key): message"
expect_exit 2 -- fh apikey create --name x --role app
expect_exit 2 -- fh apikey create --role app --token demo
expect_exit 2 -- fh apikey create --name x --token demo
expect_exit 2 -- fh apikey create --name x --role app --token '*' --token demo
expect_exit 2 -- fh apikey create --name x --role app --token demo --token demo
expect_exit 2 -- fh apikey create --name 0123456789abcdef --role app --token demo
expect_exit 2 -- fh apikey create --name x --role app --token demo --bogus
expect_exit 2 -- fh apikey create --name x --role app --token
expect_exit 2 -- fh apikey list --json extra
expect_exit 2 -- fh apikey frobnicate

section "help"
expect_exit 0 -- fh apikey create --help
for opt in --name --role --token --json; do
    expect_match "$OUT" "$opt" "create --help lists $opt"
done
expect_exit 0 -- fh apikey --help
expect_match "$OUT" "revoke" "apikey --help lists the subcommands"

section "audit"
expect_exit 0 -- fh audit list --json
cp "$OUT_FILE" audit.json
expect_json audit.json "any(r['operation'] == 'apikey.create' and r['object'] == 'apikey:$ID1' and r['result'] == 'ok' for r in doc)" "apikey.create is audited with the id"
expect_json audit.json "any(r['operation'] == 'apikey.revoke' and r['object'] == 'apikey:$ID2' for r in doc)" "apikey.revoke is audited with the id"
expect_exit 0 -- fh audit verify

finish
