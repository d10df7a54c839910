#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The audit log: the right records, no secrets, and `audit verify` detects an
# edited, deleted or reordered record (each on a fresh copy of the store).
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
dbcount=$(sqlite3 "$DB" 'SELECT count(*) FROM audit' 2>/dev/null || echo "?")
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
MID=$(((dbcount + 1) / 2))
seq_at() { sqlite3 "$DB" "SELECT seq FROM audit ORDER BY seq LIMIT 1 OFFSET $1"; }

fresh_copy
S=$(seq_at $((MID - 1)))
sqlite3 "$DB" "UPDATE audit SET result = CASE WHEN result = 'ok' THEN 'pin_incorrect' ELSE 'ok' END WHERE seq = $S"
expect_exit 9 -- fh audit verify
expect_match "$ERR" "$BROKEN_RE" "edited result: the contract message"
expect_eq "$(sed -nE "s/$BROKEN_RE/\\1/p" <<<"$ERR")" "$S" "edited result: the first bad record is the edited one"

fresh_copy
sqlite3 "$DB" "UPDATE audit SET object = 'someone-else' WHERE seq = $S"
expect_exit 9 -- fh audit verify

fresh_copy
sqlite3 "$DB" "UPDATE audit SET time_ms = time_ms + 1 WHERE seq = $S"
expect_exit 9 -- fh audit verify

fresh_copy
sqlite3 "$DB" "UPDATE audit SET actor = 'so' WHERE seq = $S"
expect_exit 9 -- fh audit verify

fresh_copy
sqlite3 "$DB" "DELETE FROM audit WHERE seq = $S"
expect_exit 9 -- fh audit verify
expect_match "$ERR" "$BROKEN_RE" "deleted record: the contract message"
bad=$(sed -nE "s/$BROKEN_RE/\\1/p" <<<"$ERR")
expect_match "$bad" "^($S|$((S + 1)))\$" "deleted record: the break is reported at the gap"

fresh_copy
S1=$(seq_at 1)
S2=$(seq_at 2)
# Swap the contents (everything but seq) of two records: a reordering.
sqlite3 "$DB" "
CREATE TEMP TABLE t AS SELECT * FROM audit WHERE seq IN ($S1, $S2);
UPDATE audit SET (time_ms, actor, front, operation, object, result, corr_id, prev_hash, hash) =
  (SELECT time_ms, actor, front, operation, object, result, corr_id, prev_hash, hash FROM t
   WHERE t.seq = CASE audit.seq WHEN $S1 THEN $S2 ELSE $S1 END)
WHERE seq IN ($S1, $S2);"
expect_not_cmd "the swap changed the table" -- test "$(sqlite3 "$DB" 'SELECT hex(hash) FROM audit ORDER BY seq')" = "$(sqlite3 home.good/ferrohsm.db 'SELECT hex(hash) FROM audit ORDER BY seq')"
expect_exit 9 -- fh audit verify
expect_match "$ERR" "$BROKEN_RE" "swapped records: the contract message"

fresh_copy
# Swap the seq numbers too (rows keep their hashes, order changes).
sqlite3 "$DB" "UPDATE audit SET seq = -1 WHERE seq = $S1; UPDATE audit SET seq = $S1 WHERE seq = $S2; UPDATE audit SET seq = $S2 WHERE seq = -1;"
expect_exit 9 -- fh audit verify

fresh_copy
# Recompute nothing, but change a hash: the next record's prev_hash breaks.
sqlite3 "$DB" "UPDATE audit SET hash = zeroblob(32) WHERE seq = $S"
expect_exit 9 -- fh audit verify

fresh_copy
# Insert a forged record in the middle is impossible without a free seq;
# append one at the end with a bogus hash instead.
last=$(sqlite3 "$DB" 'SELECT max(seq) FROM audit')
sqlite3 "$DB" "INSERT INTO audit (seq, time_ms, actor, front, operation, object, result, corr_id, prev_hash, hash)
  SELECT seq + 1, time_ms, actor, front, operation, object, result, corr_id, hash, hash FROM audit WHERE seq = $last"
expect_exit 9 -- fh audit verify

fresh_copy
expect_exit 0 -- fh audit verify
expect_match "$OUT" "^audit log verified: $dbcount records\$" "an untouched copy still verifies"
# After more operations the chain still verifies.
setup fh sign --token demo --key k1 --mechanism ECDSA_SHA256 --in msg --out msg2.sig
expect_exit 0 -- fh audit verify
expect_match "$OUT" '^audit log verified: [0-9]+ records$' "verified after further operations"

finish
