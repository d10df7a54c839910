#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The audit log: the right records, no secrets, and `audit verify` detects an
# edited, deleted, inserted or reordered record (each on a fresh copy of the
# store). Records live in table audit_pages, one row per written batch
# (first_seq, last_seq, body); the edits below change bytes of a body
# (docs/internals/core.md, "Audit pages", has the format) or move rows.
# shellcheck source=lib.sh disable=SC2317
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

printf 'audited message\n' >msg
NEWPIN='audit-new-pin-8642'
SECRETS+=("$NEWPIN")

section "operations"
setup fh token init --label demo
setup fh key generate --token demo --type ec-p256 --label k1
setup fh key generate --token demo --type aes-256 --label aes --extractable
setup fh sign --token demo --key k1 --mechanism ECDSA_SHA256 --in msg --out msg.sig
FERROHSM_PIN='wrong-pin-1111' expect_exit 4 -- fh sign --token demo --key k1 --mechanism ECDSA_SHA256 --in msg --out bad.sig
setup fh encrypt --token demo --key aes --mechanism AES_GCM --in msg --out msg.ct
setup fh decrypt --token demo --key aes --mechanism AES_GCM --in msg.ct --out msg.pt
FERROHSM_NEW_PIN=$NEWPIN expect_exit 0 -- fh token set-pin --token demo
OLDPIN=$FERROHSM_PIN
FERROHSM_NEW_PIN=$OLDPIN FERROHSM_PIN=$NEWPIN expect_exit 0 -- fh token set-pin --token demo
setup fh key generate --token demo --type ec-p256 --label k2
setup fh key delete --token demo --key k2

section "audit list"
expect_exit 0 -- fh audit list --json
cp "$OUT_FILE" audit.json
expect_json audit.json "len(items) >= 8" "audit list --json has the records"
ops="' '.join(str(field(r, 'operation', 'op')) for r in items)"
echo "# operations: $(jq_py "$ops" <audit.json 2>/dev/null || true)"
OK_RESULT="str(field(r, 'result')).lower() in ('ok', 'success', 'succeeded', '0', 'true', 'fh_ok')"
expect_json audit.json "any(re.search('login', str(field(r, 'operation', 'op')), re.I) and $OK_RESULT for r in items)" "a successful login is recorded"
expect_json audit.json "any(re.search('login', str(field(r, 'operation', 'op')), re.I) and not ($OK_RESULT) for r in items)" "a failed login is recorded"
expect_json audit.json "any(re.search(r'key\.generate|generate', str(field(r, 'operation', 'op')), re.I) and $OK_RESULT for r in items)" "key.generate is recorded"
expect_json audit.json "any(re.search('sign', str(field(r, 'operation', 'op')), re.I) and not re.search('verify', str(field(r, 'operation', 'op')), re.I) and $OK_RESULT for r in items)" "sign is recorded"
expect_json audit.json "any(re.search('decrypt', str(field(r, 'operation', 'op')), re.I) for r in items)" "decrypt is recorded"
expect_json audit.json "any(re.search('destroy|delete', str(field(r, 'operation', 'op')), re.I) for r in items)" "key deletion is recorded"
expect_json audit.json "any(re.search('k1', str(field(r, 'object'))) for r in items)" "records name the object (k1)"
expect_json audit.json "all(isinstance(field(r, 'seq'), int) for r in items) and [field(r, 'seq') for r in items] == sorted(field(r, 'seq') for r in items)" "records carry ascending seq numbers"
expect_json audit.json "all(field(r, 'front') for r in items) and any(re.search('cli', str(field(r, 'front')), re.I) for r in items)" "records name the front (cli)"
total=$(jq_py "len(items)" <audit.json 2>/dev/null || echo 0)
dbcount=$(sqlite3 "$DB" 'SELECT (SELECT count(*) FROM audit) +
  (SELECT coalesce(sum(last_seq - first_seq + 1), 0) FROM audit_pages)' 2>/dev/null || echo "?")
expect_eq "$(sqlite3 "$DB" 'SELECT count(*) FROM audit')" 0 "a new store writes no legacy rows"
expect_eq "$total" "$dbcount" "audit list --json lists every record in the store"

expect_exit 0 -- fh audit list
cp "$OUT_FILE" audit.txt
lines=$(grep -c . audit.txt || true)
expect_cmd "audit list prints a line per record ($lines lines, $dbcount records)" -- test "$lines" -ge "$dbcount"
expect_exit 0 -- fh audit list --json --from 3 --limit 2
cp "$OUT_FILE" audit.part.json
expect_json audit.part.json "[field(r, 'seq') for r in items] == [3, 4]" "--from 3 --limit 2 gives records 3 and 4"
expect_exit 0 -- fh audit list --json --from 999999
cp "$OUT_FILE" audit.none.json
expect_json audit.none.json "items == [] or items == [doc] and not doc" "--from past the end gives no records"

section "no secrets in the audit log or the store"
for pin in "$FERROHSM_PIN" "$FERROHSM_SO_PIN" "$NEWPIN" wrong-pin-1111; do
    expect_not_cmd "audit list does not contain a PIN" -- grep -aqF -- "$pin" audit.txt audit.json
    expect_not_cmd "the raw store does not contain a PIN" -- sh -c 'cat "$1"* | strings -n 4 | grep -qF -- "$2"' _ "$DB" "$pin"
    expect_not_cmd "the raw store does not contain a PIN (binary search)" -- sh -c 'cat "$1"* | grep -aqF -- "$2"' _ "$DB" "$pin"
done

section "audit verify"
expect_exit 0 -- fh audit verify
expect_match "$OUT" "^audit log verified: $dbcount records\$" "audit verify counts every record"
sqlite3 "$DB" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
cp -a "$FERROHSM_HOME" home.good

# fresh_copy - FERROHSM_HOME becomes a fresh copy of the good store
fresh_copy() {
    rm -rf "$FERROHSM_HOME"
    cp -a home.good "$FERROHSM_HOME"
}
BROKEN_RE='^ferrohsm: audit verify: chain broken at record ([0-9]+) \(.+\)$'
UNREADABLE_RE='^ferrohsm: audit verify: chain broken at record ([0-9]+) \(record unreadable: the stored log is damaged\)$'
bad_seq() { sed -nE "s/$BROKEN_RE/\\1/p" <<<"$ERR"; }
# two pages of one record each in the middle of the log, one after the other
S=$(sqlite3 "$DB" "SELECT a.first_seq FROM audit_pages a JOIN audit_pages b ON b.first_seq = a.first_seq + 1
  WHERE a.last_seq = a.first_seq AND b.last_seq = b.first_seq AND a.first_seq >= $(((dbcount + 1) / 2))
  ORDER BY a.first_seq LIMIT 1")
S2=$((S + 1))
LAST=$(sqlite3 "$DB" 'SELECT max(last_seq) FROM audit_pages')
expect_match "$S:$LAST" '^[0-9]+:[0-9]+$' "the log has one-record pages in its middle"
# the record at S, as audit list shows it
expect_exit 0 -- fh audit list --json --from "$S" --limit 1
cp "$OUT_FILE" rec.json
field_of() { jq_py "str(field(items[0], '$1'))" <rec.json; }

# page_edit SEQ STRING - change the last byte of STRING in the string table
# of the page at SEQ (found with its length byte in front; same length, so
# the page still decodes: only the record's content changes)
page_edit() {
    local seq=$1 str=$2 len=${#2}
    local new="${str:0:len-1}$([ "${str: -1}" = X ] && echo Y || echo X)"
    sqlite3 "$DB" "UPDATE audit_pages SET body = CAST(
        substr(body, 1, instr(body, CAST(char($len) || '$str' AS BLOB)))
        || CAST('$new' AS BLOB)
        || substr(body, instr(body, CAST(char($len) || '$str' AS BLOB)) + 1 + $len) AS BLOB)
      WHERE first_seq = $seq AND instr(body, CAST(char($len) || '$str' AS BLOB)) > 0"
}

for f in actor operation result corr_id; do
    fresh_copy
    value=$(field_of "$f")
    before=$(sqlite3 "$DB" "SELECT hex(body) FROM audit_pages WHERE first_seq = $S")
    page_edit "$S" "$value"
    expect_not_cmd "edited $f: the page changed" -- test "$(sqlite3 "$DB" "SELECT hex(body) FROM audit_pages WHERE first_seq = $S")" = "$before"
    expect_exit 9 -- fh audit verify
    expect_match "$ERR" "$BROKEN_RE" "edited $f: the contract message"
    expect_eq "$(bad_seq)" "$S" "edited $f: the first bad record is the edited one"
done

fresh_copy
# the last byte of the time varint (just before the six string indexes)
sqlite3 "$DB" "UPDATE audit_pages SET body = CAST(substr(body, 1, length(body) - 39)
    || CASE WHEN substr(body, length(body) - 38, 1) = X'01' THEN X'02' ELSE X'01' END
    || substr(body, length(body) - 37) AS BLOB) WHERE first_seq = $S"
expect_exit 9 -- fh audit verify
expect_eq "$(bad_seq)" "$S" "edited time: the first bad record is the edited one"

fresh_copy
sqlite3 "$DB" "UPDATE audit_pages SET body = CAST(substr(body, 1, length(body) - 32) || zeroblob(32) AS BLOB)
  WHERE first_seq = $S"
expect_exit 9 -- fh audit verify
expect_eq "$(bad_seq)" "$S" "zeroed hash: the first bad record is the edited one"

fresh_copy
# the hashes of two records swapped
sqlite3 "$DB" "
CREATE TEMP TABLE h AS SELECT first_seq, substr(body, length(body) - 31) AS hash FROM audit_pages WHERE first_seq IN ($S, $S2);
UPDATE audit_pages SET body = CAST(substr(body, 1, length(body) - 32)
  || (SELECT hash FROM h WHERE h.first_seq = CASE audit_pages.first_seq WHEN $S THEN $S2 ELSE $S END) AS BLOB)
WHERE first_seq IN ($S, $S2);"
expect_exit 9 -- fh audit verify
expect_eq "$(bad_seq)" "$S" "swapped hashes: the first bad record is the first of the two"

fresh_copy
sqlite3 "$DB" "DELETE FROM audit_pages WHERE first_seq = $S"
expect_exit 9 -- fh audit verify
expect_match "$ERR" "$BROKEN_RE" "deleted page: the contract message"
expect_eq "$(bad_seq)" "$S" "deleted page: the break is reported at the gap"

fresh_copy
# two pages trade places: their records are read in the other order
sqlite3 "$DB" "UPDATE audit_pages SET first_seq = -first_seq, last_seq = -last_seq WHERE first_seq IN ($S, $S2);
UPDATE audit_pages SET first_seq = CASE first_seq WHEN -$S THEN $S2 ELSE $S END,
  last_seq = CASE first_seq WHEN -$S THEN $S2 ELSE $S END WHERE first_seq < 0;"
expect_not_cmd "the swap changed the table" -- test "$(sqlite3 "$DB" 'SELECT hex(body) FROM audit_pages ORDER BY first_seq')" = "$(sqlite3 home.good/ferrohsm.db 'SELECT hex(body) FROM audit_pages ORDER BY first_seq')"
expect_exit 9 -- fh audit verify
expect_match "$ERR" "$BROKEN_RE" "swapped pages: the contract message"
expect_eq "$(bad_seq)" "$S" "swapped pages: the first bad record is the first of the two"

fresh_copy
# a forged page appended (a copy of another: its link is to the wrong record)
sqlite3 "$DB" "INSERT INTO audit_pages SELECT $((LAST + 1)), $((LAST + 1)), body FROM audit_pages WHERE first_seq = $S"
expect_exit 9 -- fh audit verify
expect_eq "$(bad_seq)" "$((LAST + 1))" "appended page: the first bad record is the forged one"

fresh_copy
# a body cut short: the page cannot be read. verify names it, list fails
sqlite3 "$DB" "UPDATE audit_pages SET body = substr(body, 1, length(body) - 1) WHERE first_seq = $S"
expect_exit 9 -- fh audit verify
expect_match "$ERR" "$UNREADABLE_RE" "truncated page: one line naming the unreadable record"
expect_eq "$(bad_seq)" "$S" "truncated page: the first bad record is the page's first"
expect_eq "$(grep -c . <<<"$ERR")" 1 "truncated page: verify prints one line"
expect_exit 6 -- fh audit list
expect_match "$ERR" '^ferrohsm: audit list: .*(corrupt|damaged).*$' "truncated page: audit list says the store is damaged"
expect_eq "$(grep -c . <<<"$ERR")" 1 "truncated page: audit list prints one line"
expect_eq "$OUT" "" "truncated page: audit list prints no records"
expect_exit 0 -- fh audit list --from $((S + 1))
expect_match "$OUT" . "records after the damaged page can still be listed"

fresh_copy
expect_exit 0 -- fh audit verify
expect_match "$OUT" "^audit log verified: $dbcount records\$" "an untouched copy still verifies"
# After more operations the chain still verifies.
setup fh sign --token demo --key k1 --mechanism ECDSA_SHA256 --in msg --out msg2.sig
expect_exit 0 -- fh audit verify
expect_match "$OUT" '^audit log verified: [0-9]+ records$' "verified after further operations"

finish
