#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Bad input: usage errors, unknown names, wrong mechanisms, damaged,
# foreign, newer and tampered stores. Every failure is one line on stderr
# with the contract's exit code; a damaged store is never modified.
# shellcheck source=lib.sh disable=SC2317
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

printf 'message\n' >msg

section "usage errors (exit 2)"
expect_exit 2 -- fh
expect_exit 2 -- fh frobnicate
expect_exit 2 -- fh token frobnicate
expect_exit 2 -- fh key
expect_exit 2 -- fh token list --frobnicate
expect_exit 2 -- fh --frobnicate token list
expect_exit 2 -- fh token init --label
expect_exit 2 -- fh token init
expect_exit 2 -- fh random --bytes 0
expect_exit 2 -- fh random --bytes 99999999

setup fh token init --label demo
setup fh key generate --token demo --type ec-p256 --label k1
setup fh key generate --token demo --type ec-p256 --label k2
setup fh key generate --token demo --type aes-256 --label aes
setup fh key generate --token demo --type rsa-2048 --label rsa

expect_exit 2 -- fh sign --token demo --key k1 --in msg
expect_exit 2 -- fh sign --token demo --mechanism ECDSA_SHA256 --in msg
expect_exit 2 -- fh key generate --token demo --type ec-p256
expect_exit 2 -- fh key generate --token demo --type ec-p999 --label x
expect_exit 2 -- fh verify --token demo --key k1 --mechanism ECDSA_SHA256 --in msg
expect_exit 2 -- fh sign --token demo --key k1 --mechanism ECDSA_SHA256 --in msg --format der --format
expect_exit 2 -- fh encrypt --token demo --key aes --mechanism AES_GCM --iv nothex --in msg
expect_exit 2 -- fh encrypt --token demo --key aes --mechanism AES_GCM --tag-bits abc --in msg
expect_exit 2 -- fh encrypt --token demo --key rsa --mechanism RSA_PKCS_OAEP --hash md5 --in msg
expect_exit 2 -- fh key list --token demo extra-argument
expect_exit 2 -- fh audit list --limit abc
expect_exit 2 -- fh audit list --from -x

section "unknown names (exit 3 / 2)"
expect_exit 3 -- fh key list --token nosuch
expect_match "$ERR" 'nosuch' "the error names the token"
expect_exit 3 -- fh sign --token nosuch --key k1 --mechanism ECDSA_SHA256 --in msg
expect_exit 3 -- fh sign --token demo --key k9 --mechanism ECDSA_SHA256 --in msg
expect_eq "$ERR" "$(printf '%s' "$ERR" | grep -E '^ferrohsm: sign: .*k9$' || true)" 'error reads "ferrohsm: sign: <message>: k9"'
# Mechanism not known at all: a usage error.
expect_exit 2 -- fh sign --token demo --key k1 --mechanism NO_SUCH_MECH --in msg
expect_exit 2 -- fh encrypt --token demo --key aes --mechanism AES_XYZ --in msg
expect_exit 2 -- fh digest --mechanism NO_SUCH_MECH --in msg
# Files
expect_exit 3 -- fh sign --token demo --key k1 --mechanism ECDSA_SHA256 --in no-such-file
expect_match "$ERR" 'no-such-file' "the error names the file"
expect_exit 3 -- fh verify --token demo --key k1 --mechanism ECDSA_SHA256 --in msg --signature no-such-sig
expect_exit 3 -- fh encrypt --token demo --key aes --mechanism AES_GCM --in msg --aad no-such-aad
expect_exit nz -- fh sign --token demo --key k1 --mechanism ECDSA_SHA256 --in msg --out no-such-dir/sig
expect_exit nz -- fh sign --token demo --key k1 --mechanism ECDSA_SHA256 --in /

section "names with control characters: the error is still one line"
# docs/cli.md: errors are exactly one line; names echoed in them must not
# break the line (or carry terminal escapes).
expect_exit 3 -- fh sign --token demo --key $'no\nsuch' --mechanism ECDSA_SHA256 --in msg
expect_exit '2|3' -- fh sign --token $'no\nsuch' --key k1 --mechanism ECDSA_SHA256 --in msg
expect_exit 3 -- fh digest --mechanism SHA256 --in $'no\nfile'
expect_exit 2 -- fh sign --token demo --key k1 --mechanism $'EC\nDSA' --in msg
expect_exit 2 -- fh $'frob\nnicate'
expect_exit 2 -- fh token list $'--\e[31mx'
expect_no_match "$ERR" $'\e' "no raw ESC in the error line"

section "mechanism not valid for the key (exit 7)"
expect_exit 7 -- fh encrypt --token demo --key k1 --mechanism AES_GCM --in msg --out x1
expect_file_absent x1 "no output"
expect_exit 7 -- fh sign --token demo --key aes --mechanism ECDSA_SHA256 --in msg --out x2
expect_exit 7 -- fh sign --token demo --key k1 --mechanism SHA256_RSA_PKCS --in msg --out x3
expect_exit 7 -- fh sign --token demo --key rsa --mechanism ECDSA_SHA256 --in msg --out x4
expect_exit 7 -- fh encrypt --token demo --key rsa --mechanism AES_CBC_PAD --in msg --out x5
expect_exit 7 -- fh sign --token demo --key k1 --mechanism EDDSA --in msg --out x6
# Wrong lengths
expect_exit 7 -- fh encrypt --token demo --key aes --mechanism AES_CBC_PAD --iv 0011 --in msg --out x7
expect_exit 7 -- fh verify --token demo --key rsa --mechanism SHA256_RSA_PKCS --in msg --signature msg
# A digest mechanism is not a signature mechanism (known name, wrong operation).
expect_exit 2\|7 -- fh sign --token demo --key k1 --mechanism SHA256 --in msg

section "output errors"
# Write errors on standard output: exit 1, one line naming the command.
to_full() { "$@" >/dev/full; }
if [[ -c /dev/full ]]; then
    for c in "token list" "key list --token demo" "key show --token demo --key k1" \
        "key export-public --token demo --key k1" "sign --token demo --key k1 --mechanism ECDSA_SHA256 --in msg" \
        "digest --mechanism SHA256 --in msg" "random --bytes 16 --hex" "audit list" "audit list --json" \
        "audit verify" "mechanisms" "token list --json"; do
        # shellcheck disable=SC2086
        expect_exit 1 -- to_full fh $c
        expect_match "$ERR" "^ferrohsm: ${c%% --*}: " "write error on stdout names the command (${c%% --*})"
    done
fi
# --out onto an existing non-regular file (here a FIFO): the data must reach
# it; replacing the FIFO by a regular file (rename) loses the output.
rm -f out.fifo got.fifo
mkfifo out.fifo
(timeout 10 cat out.fifo >got.fifo || true) &
reader=$!
sleep 0.2
expect_exit 0 -- fh random --bytes 16 --hex --out out.fifo
if ! test -p out.fifo; then
    # unblock the reader if the FIFO was replaced
    kill "$reader" 2>/dev/null || true
fi
wait "$reader" 2>/dev/null || true
expect_cmd "--out onto a FIFO leaves it a FIFO" -- test -p out.fifo
expect_match "$(cat got.fifo 2>/dev/null || true)" '^[0-9a-f]{32}$' "--out onto a FIFO delivers the data to its reader"
rm -f out.fifo
# --out onto a symlink writes through it, like a shell redirection.
printf 'old\n' >target.txt
ln -sf target.txt link.txt
expect_exit 0 -- fh random --bytes 8 --hex --out link.txt
expect_cmd "--out onto a symlink keeps the symlink" -- test -L link.txt
expect_match "$(cat target.txt)" '^[0-9a-f]{16}$' "--out onto a symlink writes the target"
# --out into a directory that does not exist: not found or I/O error, no crash
expect_exit 1\|3 -- fh random --bytes 16 --out no-such-dir/r.bin

section "store busy (exit 6)"
rm -f locked.flag
"$PY" - "$DB" locked.flag <<'PYEOF' &
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN EXCLUSIVE")
open(sys.argv[2], "w").close()
time.sleep(4)
c.execute("ROLLBACK")
PYEOF
locker=$!
for _ in $(seq 1 100); do [[ -e locked.flag ]] && break; sleep 0.1; done
FERROHSM_SQLITE_BUSY_MS=300 expect_exit 6 -- fh sign --token demo --key k1 --mechanism ECDSA_SHA256 --in msg --out busy.sig
expect_match "${ERR,,}" 'busy' "the message says the store is busy"
expect_file_absent busy.sig "no signature while the store is locked"
wait "$locker" || true
expect_exit 0 -- fh sign --token demo --key k1 --mechanism ECDSA_SHA256 --in msg --out busy.sig

section "configuration errors (exit 8)"
cp "$FERROHSM_HOME/ferrohsm.conf" conf.good
write_conf 3 "frobnicate = 1"
expect_exit 8 -- fh token list
write_conf 3 "argon2_t_cost = many"
expect_exit 8 -- fh token list
printf '[token\nbroken\n' >"$FERROHSM_HOME/ferrohsm.conf"
expect_exit 8 -- fh token list
cp conf.good "$FERROHSM_HOME/ferrohsm.conf"
printf '[token]\nmax_pin_failures = 0\n' >other.conf
FERROHSM_CONF=$PWD/other.conf expect_exit 8 -- fh token list
expect_exit 0 -- fh token list

section "damaged stores (exit 6, file unchanged)"
# Make sure nothing of the database is in a WAL file: one self-contained file.
sqlite3 "$DB" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
expect_exit 0 -- fh sign --token demo --key k1 --mechanism ECDSA_SHA256 --in msg --out ok.sig
cp -a "$FERROHSM_HOME" home.good

restore() {
    rm -rf "$FERROHSM_HOME"
    cp -a home.good "$FERROHSM_HOME"
}

# damaged NAME CHECK-NEWER - run the commands against the damaged store
damaged() {
    local name=$1 before after
    before=$(sha256_of "$DB")
    expect_exit 6 -- fh token list
    local err1=$ERR
    expect_exit 6 -- fh key list --token demo
    expect_exit 6 -- fh sign --token demo --key k1 --mechanism ECDSA_SHA256 --in msg --out "$name.sig"
    expect_file_absent "$name.sig" "$name: no signature"
    expect_exit 6 -- fh token init --label fresh
    expect_exit 6 -- fh audit verify
    after=$(sha256_of "$DB")
    expect_eq "$after" "$before" "$name: the store file is unchanged"
    ERR=$err1
}

restore
head -c 65536 /dev/urandom >"$DB"
rm -f "$DB-wal" "$DB-shm"
damaged random
expect_match "$ERR" 'ferrohsm\.db' "random bytes: the message names the store file"

restore
rm -f "$DB" "$DB-wal" "$DB-shm"
sqlite3 "$DB" 'CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes(body) VALUES ("hello");'
damaged foreign
expect_cmd "foreign: the other database still has its table" -- sh -c "sqlite3 '$DB' 'SELECT body FROM notes' | grep -qx hello"
expect_eq "$(sqlite3 "$DB" "SELECT count(*) FROM sqlite_master WHERE name IN ('tokens','objects','audit')")" 0 "foreign: no FerroHSM tables were added"

restore
sqlite3 "$DB" 'PRAGMA user_version = 99;'
damaged newer
expect_match "${ERR,,}" 'newer' "newer version: the message mentions a newer version"

restore
size=$(stat -c %s "$DB")
truncate -s $((size / 2)) "$DB"
damaged truncated

restore
expect_exit 0 -- fh token list
expect_match "$OUT" demo "restored store works again"

section "tampered key blobs (integrity, exit 6)"
restore
# id of the private (secret-holding) object of a label
priv_id() {
    sqlite3 "$DB" "SELECT id FROM objects WHERE CAST(label AS TEXT) = '$1' AND secret IS NOT NULL AND length(secret) > 0 ORDER BY id LIMIT 1"
}
A=$(priv_id k1)
B=$(priv_id k2)
expect_match "$A:$B" '^[0-9]+:[0-9]+$' "the private objects of k1 and k2 are in the store"
"$PY" - "$DB" "$A" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
(blob,) = db.execute("SELECT secret FROM objects WHERE id = ?", (int(sys.argv[2]),)).fetchone()
b = bytearray(blob)
b[len(b) // 2] ^= 0x01
db.execute("UPDATE objects SET secret = ? WHERE id = ?", (bytes(b), int(sys.argv[2])))
db.commit()
EOF
expect_exit 6 -- fh sign --token demo --key k1 --mechanism ECDSA_SHA256 --in msg --out flip.sig
expect_file_absent flip.sig "no signature from a tampered key"
expect_exit 0 -- fh sign --token demo --key k2 --mechanism ECDSA_SHA256 --in msg --out k2.sig
expect_exit 0 -- fh verify --token demo --key k2 --mechanism ECDSA_SHA256 --in msg --signature k2.sig
expect_exit 0 -- fh encrypt --token demo --key aes --mechanism AES_GCM --in msg --out aes.ct
expect_exit 0 -- fh key list --token demo
expect_exit 0 -- fh audit verify

restore
sqlite3 "$DB" "UPDATE objects SET secret = (SELECT secret FROM objects WHERE id = $A) WHERE id = $B"
expect_exit 6 -- fh sign --token demo --key k2 --mechanism ECDSA_SHA256 --in msg --out moved.sig
expect_file_absent moved.sig "a blob moved onto another key does not decrypt"
expect_exit 0 -- fh sign --token demo --key k1 --mechanism ECDSA_SHA256 --in msg --out k1.sig

restore
# Swap: k1's blob to k2 and k2's to k1.
sqlite3 "$DB" "CREATE TEMP TABLE s AS SELECT id, secret FROM objects WHERE id IN ($A, $B);
UPDATE objects SET secret = (SELECT secret FROM s WHERE s.id = CASE objects.id WHEN $A THEN $B ELSE $A END) WHERE id IN ($A, $B);"
expect_eq "$(sqlite3 "$DB" "SELECT hex(secret) FROM objects WHERE id = $A")" "$(sqlite3 home.good/ferrohsm.db "SELECT hex(secret) FROM objects WHERE id = $B")" "swap done (k1 now holds k2's blob)"
expect_exit 6 -- fh sign --token demo --key k1 --mechanism ECDSA_SHA256 --in msg --out sw1.sig
expect_exit 6 -- fh sign --token demo --key k2 --mechanism ECDSA_SHA256 --in msg --out sw2.sig

restore
# A blob moved to another token's object fails as well.
setup fh token init --label second
setup fh key generate --token second --type ec-p256 --label s1
C=$(sqlite3 "$DB" "SELECT o.id FROM objects o JOIN tokens t ON o.token_id = t.id WHERE CAST(t.label AS TEXT) = 'second' AND o.secret IS NOT NULL AND length(o.secret) > 0 LIMIT 1")
sqlite3 "$DB" "UPDATE objects SET secret = (SELECT secret FROM objects WHERE id = $A) WHERE id = $C"
expect_exit 6 -- fh sign --token second --key s1 --mechanism ECDSA_SHA256 --in msg --out cross.sig
expect_exit 0 -- fh sign --token demo --key k1 --mechanism ECDSA_SHA256 --in msg --out k1b.sig

finish
