#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# digest against openssl dgst; random output shape and limits. Neither needs
# a token; this file never creates one.
# shellcheck source=lib.sh disable=SC2317
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

: >empty
printf 'abc' >abc
head -c 1048576 /dev/urandom >rand1m

declare -A OSSL=([SHA1]=sha1 [SHA224]=sha224 [SHA256]=sha256 [SHA384]=sha384 [SHA512]=sha512
    [SHA3_256]=sha3-256 [SHA3_512]=sha3-512)
declare -A LEN=([SHA1]=20 [SHA224]=28 [SHA256]=32 [SHA384]=48 [SHA512]=64 [SHA3_256]=32 [SHA3_512]=64)

for m in SHA1 SHA224 SHA256 SHA384 SHA512 SHA3_256 SHA3_512; do
    section "$m"
    for f in empty abc rand1m; do
        want=$(openssl dgst "-${OSSL[$m]}" -r "$f" | cut -d' ' -f1)
        expect_exit 0 -- fh digest --mechanism "$m" --in "$f"
        expect_eq "$OUT" "$want" "digest $m of $f equals openssl dgst -${OSSL[$m]}"
        expect_eq "$(tail -c 1 "$OUT_FILE" | xxd -p)" "0a" "digest output ends with a newline"
    done
    # stdin, lower-case name, --out (binary)
    FH_STDIN=abc expect_exit 0 -- fh digest --mechanism "${m,,}"
    expect_eq "$OUT" "$(openssl dgst "-${OSSL[$m]}" -r abc | cut -d' ' -f1)" "digest ${m,,} of stdin"
    expect_exit 0 -- fh digest --mechanism "$m" --in rand1m --out "d.$m"
    expect_eq "$OUT" "" "nothing on stdout with --out"
    expect_size "d.$m" "${LEN[$m]}" "--out writes the raw ${LEN[$m]}-byte digest"
    expect_eq "$(xxd -p -c 256 "d.$m" 2>/dev/null || true)" "$(openssl dgst "-${OSSL[$m]}" -r rand1m | cut -d' ' -f1)" "--out bytes equal openssl's digest"
done
expect_eq "$(sha256sum abc | cut -d' ' -f1)" "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" "sanity: sha256(abc) known answer"
expect_exit 0 -- fh digest --mechanism SHA256 --in abc
expect_eq "$OUT" "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" "ferrohsm digest SHA256 abc known answer"

section "digest streams large inputs"
# docs/cli.md: multi-part mechanisms stream the input, so size is no limit.
truncate -s 96M big.sparse
want=$(openssl dgst -sha256 -r big.sparse | cut -d' ' -f1)
expect_exit 0 -- fh digest --mechanism SHA256 --in big.sparse
expect_eq "$OUT" "$want" "digest of a 96 MiB file equals openssl's"
FH_STDIN=big.sparse expect_exit 0 -- fh digest --mechanism SHA256
expect_eq "$OUT" "$want" "digest of 96 MiB on stdin equals openssl's"
rm -f big.sparse

section "digest errors"
expect_exit 2 -- fh digest --mechanism MD5_NOT_A_MECH --in abc
expect_exit 2 -- fh digest --in abc
expect_exit 3 -- fh digest --mechanism SHA256 --in does-not-exist
expect_match "$ERR" 'does-not-exist' "the error names the missing file"
# A signing mechanism is not a digest mechanism.
expect_exit 2 -- fh digest --mechanism ECDSA_SHA256 --in abc

section "random"
expect_exit 0 -- fh random --bytes 32 --hex
r1=$OUT
expect_match "$r1" '^[0-9a-f]{64}$' "random --bytes 32 --hex is 64 lowercase hex digits"
expect_exit 0 -- fh random --bytes 32 --hex
expect_match "$OUT" '^[0-9a-f]{64}$' "second call is 64 hex digits too"
expect_no_match "$OUT" "^${r1}\$" "two calls differ"
expect_exit 0 -- fh random --bytes 1 --hex
expect_match "$OUT" '^[0-9a-f]{2}$' "random --bytes 1 --hex"
expect_exit 0 -- fh random --bytes 16
expect_size "$OUT_FILE" 16 "random --bytes 16 writes 16 raw bytes to stdout"
expect_exit 0 -- fh random --bytes 1048576 --out r.bin
expect_size r.bin 1048576 "random --bytes 1048576 --out (the maximum)"
expect_eq "$OUT" "" "nothing on stdout with --out"
expect_cmd "1 MiB of random output does not compress (crude entropy check)" -- \
    sh -c '[ "$(gzip -c r.bin | wc -c)" -gt 1040000 ]'
expect_exit 0 -- fh random --bytes 64 --hex --out r.hex
expect_match "$(cat r.hex 2>/dev/null || true)" '^[0-9a-f]{128}$' "--hex --out writes hex to the file"
expect_exit 2 -- fh random --bytes 0
expect_exit 2 -- fh random --bytes 99999999
expect_exit 2 -- fh random --bytes 1048577
expect_exit 2 -- fh random --bytes -1
expect_exit 2 -- fh random --bytes abc
expect_exit 2 -- fh random --bytes 12abc
expect_exit 2 -- fh random --hex
expect_exit 2 -- fh random --bytes

section "no store was needed"
expect_cmd "digest and random did not need a token or a store" -- test ! -e "$DB"

finish
