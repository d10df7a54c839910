#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# encrypt / decrypt: AES round trips, GCM authentication, RSA-OAEP against
# python3-cryptography and openssl.
# shellcheck source=lib.sh disable=SC2317
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

setup fh token init --label enc
setup fh key generate --token enc --type aes-256 --label aes
setup fh key generate --token enc --type rsa-2048 --label rsa
setup fh key export-public --token enc --key rsa --out rsa.pem

SIZES=(0 1 15 16 17 4096 100000)
for n in "${SIZES[@]}"; do head -c "$n" /dev/urandom >"p$n"; done
printf 'header: v1, associated data\n' >aad
printf 'header: v2, associated data\n' >aad.wrong

# expected_len MECH N - IV || ciphertext length without --iv
expected_len() {
    case "$1" in
    AES_GCM) echo $((12 + $2 + 16)) ;;
    AES_CBC_PAD) echo $((16 + ($2 / 16 + 1) * 16)) ;;
    AES_CTR) echo $((16 + $2)) ;;
    esac
}

for mech in AES_GCM AES_CBC_PAD AES_CTR; do
    section "$mech round trips"
    extra=()
    [[ $mech == AES_GCM ]] && extra=(--aad aad)
    for n in "${SIZES[@]}"; do
        expect_exit 0 -- fh encrypt --token enc --key aes --mechanism "$mech" "${extra[@]}" --in "p$n" --out "c.$mech.$n"
        expect_size "c.$mech.$n" "$(expected_len "$mech" "$n")" "$mech ciphertext of $n bytes has IV || ciphertext length"
        expect_exit 0 -- fh decrypt --token enc --key aes --mechanism "$mech" "${extra[@]}" --in "c.$mech.$n" --out "d.$mech.$n"
        expect_cmd "$mech round trip of $n bytes" -- cmp "p$n" "d.$mech.$n"
    done
    # A fresh random IV each time: same plaintext, different ciphertexts.
    expect_exit 0 -- fh encrypt --token enc --key aes --mechanism "$mech" "${extra[@]}" --in p4096 --out "c2.$mech"
    expect_not_cmd "$mech: two encryptions of the same data differ (random IV)" -- cmp -s "c.$mech.4096" "c2.$mech"
    # stdin / stdout
    FH_STDIN=p4096 expect_exit 0 -- fh encrypt --token enc --key aes --mechanism "$mech" "${extra[@]}"
    cp "$OUT_FILE" "c3.$mech"
    FH_STDIN="c3.$mech" expect_exit 0 -- fh decrypt --token enc --key aes --mechanism "$mech" "${extra[@]}"
    cp "$OUT_FILE" "d3.$mech"
    expect_cmd "$mech round trip through stdin/stdout" -- cmp p4096 "d3.$mech"
done

section "explicit --iv"
IV16=000102030405060708090a0b0c0d0e0f
expect_exit 0 -- fh encrypt --token enc --key aes --mechanism AES_CBC_PAD --iv "$IV16" --in p17 --out civ1
expect_size civ1 32 "with --iv the IV is not prepended"
expect_exit 0 -- fh encrypt --token enc --key aes --mechanism AES_CBC_PAD --iv "$IV16" --in p17 --out civ2
expect_cmd "same key, IV and data: same ciphertext" -- cmp civ1 civ2
expect_exit 0 -- fh decrypt --token enc --key aes --mechanism AES_CBC_PAD --iv "$IV16" --in civ1 --out div1
expect_cmd "--iv round trip" -- cmp p17 div1
# Equivalence: "IV || ciphertext" without --iv decrypts the same.
cat <(printf '%s' "$IV16" | xxd -r -p) civ1 >civ1.prefixed
expect_exit 0 -- fh decrypt --token enc --key aes --mechanism AES_CBC_PAD --in civ1.prefixed --out div2
expect_cmd "IV read from the front of the input" -- cmp p17 div2
IV12=cafebabefacedbaddecaf888
expect_exit 0 -- fh encrypt --token enc --key aes --mechanism AES_GCM --iv "$IV12" --in p16 --out gciv
expect_size gciv 32 "GCM with --iv: ciphertext || tag"
expect_exit 0 -- fh decrypt --token enc --key aes --mechanism AES_GCM --iv "$IV12" --in gciv --out dgciv
expect_cmd "GCM --iv round trip" -- cmp p16 dgciv
expect_exit 0 -- fh encrypt --token enc --key aes --mechanism AES_CTR --iv "$IV16" --in p4096 --out ctriv
expect_size ctriv 4096 "CTR with --iv: ciphertext only"

section "AES_CBC without padding"
expect_exit 0 -- fh encrypt --token enc --key aes --mechanism AES_CBC --in p4096 --out cbc
expect_size cbc $((16 + 4096)) "AES_CBC of 4096 bytes"
expect_exit 0 -- fh decrypt --token enc --key aes --mechanism AES_CBC --in cbc --out dcbc
expect_cmd "AES_CBC round trip" -- cmp p4096 dcbc
expect_exit 7 -- fh encrypt --token enc --key aes --mechanism AES_CBC --in p17 --out cbc17
expect_file_absent cbc17 "no output for a failed AES_CBC of 17 bytes"

section "GCM authentication"
for n in 0 4096; do
    cp "c.AES_GCM.$n" "bad.$n"
    # flip one byte of the ciphertext (or of the tag when the plaintext is empty)
    "$PY" -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[-1 if len(b)==28 else 20]^=0x40; open(sys.argv[1],"wb").write(b)' "bad.$n"
    expect_exit 7 -- fh decrypt --token enc --key aes --mechanism AES_GCM --aad aad --in "bad.$n" --out "out.bad.$n"
    expect_file_absent "out.bad.$n" "no output file after a bad GCM tag ($n bytes)"
    expect_exit 7 -- fh decrypt --token enc --key aes --mechanism AES_GCM --aad aad.wrong --in "c.AES_GCM.$n" --out "out.aad.$n"
    expect_file_absent "out.aad.$n" "no output file after wrong --aad ($n bytes)"
    expect_exit 7 -- fh decrypt --token enc --key aes --mechanism AES_GCM --in "c.AES_GCM.$n" --out "out.noaad.$n"
    expect_file_absent "out.noaad.$n" "no output file after missing --aad ($n bytes)"
done
# A large GCM message with a bad tag must not leave partial plaintext behind
# (the output is written only once the tag verified).
cp c.AES_GCM.100000 bad.big
"$PY" -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[-1]^=1; open(sys.argv[1],"wb").write(b)' bad.big
expect_exit 7 -- fh decrypt --token enc --key aes --mechanism AES_GCM --aad aad --in bad.big --out out.bad.big
expect_file_absent out.bad.big "no output file after a bad tag (100000 bytes)"
FH_STDIN=bad.big expect_exit 7 -- fh decrypt --token enc --key aes --mechanism AES_GCM --aad aad
expect_eq "$(stat -c %s "$OUT_FILE")" 0 "nothing on stdout after a bad tag"
# Truncated ciphertext (shorter than IV + tag)
head -c 20 c.AES_GCM.0 >short
expect_exit 7 -- fh decrypt --token enc --key aes --mechanism AES_GCM --aad aad --in short --out out.short
expect_file_absent out.short "no output for a too-short GCM input"
# --tag-bits
expect_exit 0 -- fh encrypt --token enc --key aes --mechanism AES_GCM --tag-bits 96 --in p17 --out c96
expect_size c96 $((12 + 17 + 12)) "GCM with --tag-bits 96"
expect_exit 0 -- fh decrypt --token enc --key aes --mechanism AES_GCM --tag-bits 96 --in c96 --out d96
expect_cmd "GCM --tag-bits 96 round trip" -- cmp p17 d96

section "output files"
# A failed decrypt leaves an existing --out file untouched.
printf 'precious\n' >keep.txt
expect_exit 7 -- fh decrypt --token enc --key aes --mechanism AES_GCM --aad aad --in bad.4096 --out keep.txt
expect_eq "$(cat keep.txt)" "precious" "an existing output file survives a failed decrypt"
# --in and --out may name the same file.
cp p4096 inplace
expect_exit 0 -- fh encrypt --token enc --key aes --mechanism AES_GCM --in inplace --out inplace
expect_not_cmd "in-place encrypt changed the file" -- cmp -s p4096 inplace
expect_exit 0 -- fh decrypt --token enc --key aes --mechanism AES_GCM --in inplace --out inplace
expect_cmd "in-place round trip" -- cmp p4096 inplace

section "other AES key sizes"
for bits in 128 192; do
    setup fh key generate --token enc --type "aes-$bits" --label "aes$bits"
    expect_exit 0 -- fh encrypt --token enc --key "aes$bits" --mechanism AES_GCM --in p4096 --out "c$bits"
    expect_exit 0 -- fh decrypt --token enc --key "aes$bits" --mechanism AES_GCM --in "c$bits" --out "d$bits"
    expect_cmd "aes-$bits GCM round trip" -- cmp p4096 "d$bits"
    expect_exit 7 -- fh decrypt --token enc --key aes --mechanism AES_GCM --in "c$bits" --out "x$bits"
    expect_file_absent "x$bits" "a ciphertext of another key does not decrypt"
done

section "RSA_PKCS_OAEP from python3-cryptography / openssl"
head -c 100 /dev/urandom >secret.msg
# py_oaep HASH [LABEL] - encrypt secret.msg to oaep.HASH with rsa.pem
py_oaep() {
    "$PY" - "$@" <<'EOF'
import sys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
h = {"sha1": hashes.SHA1, "sha224": hashes.SHA224, "sha256": hashes.SHA256,
     "sha384": hashes.SHA384, "sha512": hashes.SHA512}[sys.argv[1]]
label = sys.argv[2].encode() if len(sys.argv) > 2 else None
key = serialization.load_pem_public_key(open("rsa.pem", "rb").read())
ct = key.encrypt(open("secret.msg", "rb").read(),
                 padding.OAEP(mgf=padding.MGF1(algorithm=h()), algorithm=h(), label=label))
open("oaep." + sys.argv[1], "wb").write(ct)
EOF
}
for h in sha1 sha224 sha256 sha384 sha512; do
    expect_cmd "python encrypts with OAEP/$h" -- py_oaep "$h"
    expect_exit 0 -- fh decrypt --token enc --key rsa --mechanism RSA_PKCS_OAEP --hash "$h" --in "oaep.$h" --out "dec.$h"
    expect_cmd "ferrohsm decrypts python's OAEP/$h" -- cmp secret.msg "dec.$h"
done
expect_exit 0 -- fh decrypt --token enc --key rsa --mechanism RSA_PKCS_OAEP --in oaep.sha256 --out dec.default
expect_cmd "OAEP --hash defaults to sha256" -- cmp secret.msg dec.default
expect_exit 7 -- fh decrypt --token enc --key rsa --mechanism RSA_PKCS_OAEP --hash sha1 --in oaep.sha256 --out dec.wronghash
expect_file_absent dec.wronghash "no output after an OAEP decoding error"
expect_cmd "python encrypts with an OAEP label" -- py_oaep sha256 "my label"
expect_exit 0 -- fh decrypt --token enc --key rsa --mechanism RSA_PKCS_OAEP --oaep-label "my label" --in oaep.sha256 --out dec.label
expect_cmd "ferrohsm decrypts with --oaep-label" -- cmp secret.msg dec.label
expect_exit 7 -- fh decrypt --token enc --key rsa --mechanism RSA_PKCS_OAEP --in oaep.sha256 --out dec.nolabel
expect_file_absent dec.nolabel "no output when the OAEP label is missing"

expect_cmd "openssl pkeyutl encrypts with OAEP/sha256" -- openssl pkeyutl -encrypt -pubin -inkey rsa.pem \
    -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256 -in secret.msg -out oaep.openssl
expect_exit 0 -- fh decrypt --token enc --key rsa --mechanism RSA_PKCS_OAEP --hash sha256 --in oaep.openssl --out dec.openssl
expect_cmd "ferrohsm decrypts openssl's OAEP" -- cmp secret.msg dec.openssl
expect_cmd "openssl pkeyutl encrypts with OAEP/sha512" -- openssl pkeyutl -encrypt -pubin -inkey rsa.pem \
    -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha512 -pkeyopt rsa_mgf1_md:sha512 -in secret.msg -out oaep.openssl512
expect_exit 0 -- fh decrypt --token enc --key rsa --mechanism RSA_PKCS_OAEP --hash sha512 --in oaep.openssl512 --out dec.openssl512
expect_cmd "ferrohsm decrypts openssl's OAEP/sha512" -- cmp secret.msg dec.openssl512

section "RSA_PKCS_OAEP ferrohsm round trip"
for h in sha1 sha256 sha512; do
    expect_exit 0 -- fh encrypt --token enc --key rsa --mechanism RSA_PKCS_OAEP --hash "$h" --in secret.msg --out "fho.$h"
    expect_size "fho.$h" 256 "OAEP/$h ciphertext is 256 bytes"
    expect_exit 0 -- fh decrypt --token enc --key rsa --mechanism RSA_PKCS_OAEP --hash "$h" --in "fho.$h" --out "fhd.$h"
    expect_cmd "ferrohsm OAEP/$h round trip" -- cmp secret.msg "fhd.$h"
done
expect_exit 0 -- fh encrypt --token enc --key rsa --mechanism RSA_PKCS_OAEP --in secret.msg --out fho.again
expect_not_cmd "OAEP encryption is randomised" -- cmp -s fho.sha256 fho.again 2>/dev/null
# 2048-bit key, SHA-256: at most 256 - 2*32 - 2 = 190 bytes of plaintext
head -c 190 /dev/urandom >max.msg
head -c 191 /dev/urandom >toolong.msg
expect_exit 0 -- fh encrypt --token enc --key rsa --mechanism RSA_PKCS_OAEP --in max.msg --out max.ct
expect_exit 0 -- fh decrypt --token enc --key rsa --mechanism RSA_PKCS_OAEP --in max.ct --out max.dec
expect_cmd "OAEP round trip of 190 bytes" -- cmp max.msg max.dec
expect_exit 7 -- fh encrypt --token enc --key rsa --mechanism RSA_PKCS_OAEP --in toolong.msg --out toolong.ct
expect_file_absent toolong.ct "no output for a too-long OAEP plaintext"
expect_exit 2 -- fh decrypt --token enc --key rsa --mechanism RSA_PKCS_OAEP --hash md5 --in fho.sha1
# The ciphertext of an exported-key encryption decrypts with python? No:
# the private key never leaves. Check the other direction instead: a
# ciphertext made by ferrohsm is a valid OAEP block only for this key.
setup fh key generate --token enc --type rsa-2048 --label rsa2
expect_exit 7 -- fh decrypt --token enc --key rsa2 --mechanism RSA_PKCS_OAEP --in fho.sha256 --out wrongkey.dec
expect_file_absent wrongkey.dec "another RSA key does not decrypt"

finish
