#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# OpenSC pkcs11-tool against the module: slot/token listing, key pair
# generation through the client (RSA-2048, EC P-256), object listing with and
# without login, the built-in self test (--test), sign/verify round trips whose
# signatures OpenSSL verifies against the public key read back with
# --read-object, RSA decryption of OpenSSL ciphertexts, AES encrypt/decrypt.
# shellcheck source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_tool pkcs11-tool openssl

init_token interop
P=(pkcs11-tool --module "$P11_MODULE" --token-label "$TOKEN")
PL=("${P[@]}" --login --pin "$USER_PIN")

# --- slots, token, mechanisms ----------------------------------------------
expect_cmd "--list-slots" -- "${P[@]}" --list-slots
expect_match "$OUT" "token label +: $TOKEN"$'\n' "--list-slots shows the token label"
expect_match "$OUT" "token flags +:[^"$'\n'"]*token initialized" "--list-slots: token initialized"
expect_match "$OUT" "token flags +:[^"$'\n'"]*PIN initialized" "--list-slots: PIN initialized"
expect_cmd "--list-mechanisms" -- "${P[@]}" --list-mechanisms
MECHS=$OUT
for m in RSA-PKCS-KEY-PAIR-GEN RSA-PKCS SHA256-RSA-PKCS SHA256-RSA-PKCS-PSS RSA-PKCS-OAEP \
    ECDSA AES-KEY-GEN AES-CBC-PAD AES-GCM SHA256; do
    expect_match "$MECHS" "(^|"$'\n'")  $m," "mechanism $m listed"
done
expect_match "$MECHS" "(^|"$'\n'")  (EC|ECDSA)-KEY-PAIR-GEN," "mechanism EC-KEY-PAIR-GEN listed"

# --- key generation through the client ---------------------------------------
expect_cmd "--keypairgen rsa:2048" -- "${PL[@]}" --keypairgen --key-type rsa:2048 --label rsa1 --id 01
expect_match "$OUT" "Public Key Object; RSA 2048 bits" "keypairgen rsa: RSA 2048-bit public key reported"
expect_cmd "--keypairgen EC:prime256v1" -- "${PL[@]}" --keypairgen --key-type EC:prime256v1 --label ec1 --id 02
expect_match "$OUT" "Public Key Object; EC +EC_POINT 256 bits" "keypairgen EC: 256-bit EC public key reported"
expect_match "$OUT" "EC_PARAMS: +06082a8648ce3d030107" "keypairgen EC: CKA_EC_PARAMS is the prime256v1 OID"

# --- listing -------------------------------------------------------------------
expect_cmd "--list-objects (no login)" -- "${P[@]}" --list-objects
expect_match "$OUT" "Public Key Object; RSA 2048 bits"$'\n'" +label: +rsa1"$'\n'" +ID: +01" "public rsa1 visible without login"
expect_match "$OUT" "Public Key Object; EC +EC_POINT 256 bits" "public ec1 visible without login"
expect_no_match "$OUT" "Private Key Object" "private keys hidden without login"
expect_cmd "--list-objects (login)" -- "${PL[@]}" --list-objects
LIST=$OUT
expect_match "$LIST" "Private Key Object; RSA[^"$'\n'"]*"$'\n'" +label: +rsa1"$'\n'" +ID: +01" "private rsa1 listed after login"
expect_match "$LIST" "Private Key Object; EC[^"$'\n'"]*"$'\n'" +label: +ec1"$'\n'" +ID: +02" "private ec1 listed after login"
expect_match "$LIST" "Access: +sensitive[^"$'\n'"]*never extractable" "private keys are sensitive, never extractable"
expect_eq "$(grep -c 'Key Object' <<<"$LIST")" 4 "exactly 4 key objects"

# --- the built-in self test --------------------------------------------------------
run "--test" -- "${PL[@]}" --test
TEST_OUT=$OUT
if ((RC == 0)) && [[ "$TEST_OUT" == *"No errors"* ]]; then
    pass "--test with RSA-2048 + EC P-256 present: No errors"
elif [[ "$P11_IMPL" == softhsm && "$TEST_OUT" == *"Label) present"*"C_DecryptInit failed: rv = CKR_ARGUMENTS_BAD"* ]]; then
    # SoftHSM 2.6 implements OAEP without a source label only; pkcs11-tool
    # aborts there. Everything before that step must have passed.
    echo "# known SoftHSM 2.6 limitation: RSA-OAEP with a label (CKR_ARGUMENTS_BAD)"
    expect_no_match "$(grep -v 'C_DecryptInit failed' <<<"$TEST_OUT")" "ERR|[Ff]ailed|FAILED" \
        "--test: no error before the SoftHSM OAEP-label step"
else
    fail "--test with RSA-2048 + EC P-256 present (exit $RC)" "$TEST_OUT"
fi
expect_match "$TEST_OUT" "Digests:"$'\n'"  all [0-9]+ digest functions seem to work" "--test: digests work"
expect_match "$TEST_OUT" "C_SeedRandom\(\) and C_GenerateRandom\(\):"$'\n'"(  seeding[^"$'\n'"]*"$'\n'")?  seems to be OK" "--test: random works"
expect_no_match "$TEST_OUT" "RSA-PKCS: ERR|SHA1-RSA-PKCS: ERR" "--test: RSA verify tests without ERR"

# --- public keys read back -------------------------------------------------------------
expect_cmd "--read-object --type pubkey rsa1" -- "${P[@]}" --read-object --type pubkey --id 01 -o rsa1.der
expect_cmd "rsa1 public key is a DER SubjectPublicKeyInfo" -- openssl pkey -pubin -inform DER -in rsa1.der -text -noout
expect_match "$OUT" "Public-Key: \(2048 bit\)" "rsa1 public key has 2048 bits"
expect_cmd "--read-object --type pubkey ec1" -- "${P[@]}" --read-object --type pubkey --id 02 -o ec1.der
expect_cmd "ec1 public key is a DER SubjectPublicKeyInfo" -- openssl pkey -pubin -inform DER -in ec1.der -text -noout
expect_match "$OUT" "ASN1 OID: prime256v1" "ec1 public key is on prime256v1"
openssl pkey -pubin -inform DER -in rsa1.der -out rsa1.pem
openssl pkey -pubin -inform DER -in ec1.der -out ec1.pem

# Keys are selected by --id below: pkcs11-tool 0.23 picks the wrong object for
# --sign/--verify with --label alone.
# --- sign with pkcs11-tool, verify with OpenSSL (and back) ------------------------
head -c 3000 /dev/urandom >data.bin
cp data.bin tampered.bin
printf 'x' >>tampered.bin
openssl dgst -sha256 -binary data.bin >data.sha256

expect_cmd "sign SHA256-RSA-PKCS" -- "${PL[@]}" --sign -m SHA256-RSA-PKCS --id 01 -i data.bin -o rsa.sig
expect_eq "$(stat -c %s rsa.sig)" 256 "RSA signature is 256 bytes"
expect_cmd "openssl verifies the SHA256-RSA-PKCS signature" -- \
    openssl dgst -sha256 -verify rsa1.pem -signature rsa.sig data.bin
expect_not_cmd "openssl rejects it over tampered data" -- \
    openssl dgst -sha256 -verify rsa1.pem -signature rsa.sig tampered.bin
expect_cmd "pkcs11-tool --verify SHA256-RSA-PKCS" -- \
    "${P[@]}" --verify -m SHA256-RSA-PKCS --id 01 -i data.bin --signature-file rsa.sig
expect_match "$OUT" "Signature is valid" "pkcs11-tool: RSA signature is valid"
# pkcs11-tool exits 0 for an invalid signature; its message tells.
run "pkcs11-tool --verify over tampered data" -- \
    "${P[@]}" --verify -m SHA256-RSA-PKCS --id 01 -i tampered.bin --signature-file rsa.sig
expect_match "$OUT" "Invalid signature" "pkcs11-tool --verify rejects tampered data"

expect_cmd "sign SHA256-RSA-PKCS-PSS" -- "${PL[@]}" --sign -m SHA256-RSA-PKCS-PSS --id 01 -i data.bin -o pss.sig
expect_cmd "openssl verifies the PSS signature (salt = 32)" -- \
    openssl dgst -sha256 -verify rsa1.pem -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 \
    -signature pss.sig data.bin

expect_cmd "sign ECDSA (hash input), DER output" -- \
    "${PL[@]}" --sign -m ECDSA --signature-format openssl --id 02 -i data.sha256 -o ec.sig
expect_cmd "openssl verifies the ECDSA signature" -- \
    openssl dgst -sha256 -verify ec1.pem -signature ec.sig data.bin
expect_not_cmd "openssl rejects it over tampered data" -- \
    openssl dgst -sha256 -verify ec1.pem -signature ec.sig tampered.bin
expect_cmd "pkcs11-tool --verify ECDSA" -- \
    "${P[@]}" --verify -m ECDSA --signature-format openssl --id 02 -i data.sha256 --signature-file ec.sig
expect_match "$OUT" "Signature is valid" "pkcs11-tool: ECDSA signature is valid"
if [[ "$MECHS" == *"  ECDSA-SHA256,"* ]]; then
    expect_cmd "sign ECDSA-SHA256" -- \
        "${PL[@]}" --sign -m ECDSA-SHA256 --signature-format openssl --id 02 -i data.bin -o ec256.sig
    expect_cmd "openssl verifies the ECDSA-SHA256 signature" -- \
        openssl dgst -sha256 -verify ec1.pem -signature ec256.sig data.bin
fi

# --- RSA decryption of OpenSSL ciphertexts ---------------------------------------
printf 'interop secret %s' "$RANDOM" >plain.txt
openssl pkeyutl -encrypt -pubin -inkey rsa1.pem -in plain.txt -out c.pkcs1
expect_cmd "decrypt RSA-PKCS (OpenSSL ciphertext)" -- "${PL[@]}" --decrypt -m RSA-PKCS --id 01 -i c.pkcs1 -o p.pkcs1
expect_eq "$(cat p.pkcs1 2>/dev/null)" "$(cat plain.txt)" "RSA-PKCS plaintext matches"
# SoftHSM 2.6 implements OAEP with SHA-1 only.
OAEP_HASH=SHA256
[[ "$P11_IMPL" == softhsm ]] && OAEP_HASH=SHA-1
oh=${OAEP_HASH,,}; oh=${oh//-/}
openssl pkeyutl -encrypt -pubin -inkey rsa1.pem -pkeyopt rsa_padding_mode:oaep \
    -pkeyopt rsa_oaep_md:"$oh" -pkeyopt rsa_mgf1_md:"$oh" -in plain.txt -out c.oaep
expect_cmd "decrypt RSA-PKCS-OAEP $OAEP_HASH (OpenSSL ciphertext)" -- \
    "${PL[@]}" --decrypt -m RSA-PKCS-OAEP --hash-algorithm "$OAEP_HASH" --mgf "MGF1-${OAEP_HASH//-/}" \
    --id 01 -i c.oaep -o p.oaep
expect_eq "$(cat p.oaep 2>/dev/null)" "$(cat plain.txt)" "RSA-PKCS-OAEP plaintext matches"

# --- AES -----------------------------------------------------------------------------
expect_cmd "--keygen AES:32" -- "${PL[@]}" --keygen --key-type AES:32 --label aes1 --id 03
expect_match "$OUT" "Secret Key Object; AES length 32" "AES-256 secret key reported"
head -c 1000 /dev/urandom >aes.in
IV=000102030405060708090a0b0c0d0e0f
expect_cmd "encrypt AES-CBC-PAD" -- "${PL[@]}" --encrypt -m AES-CBC-PAD --iv "$IV" --id 03 -i aes.in -o aes.enc
expect_eq "$(stat -c %s aes.enc 2>/dev/null)" 1008 "AES-CBC-PAD ciphertext is padded to 1008 bytes"
expect_cmd "decrypt AES-CBC-PAD" -- "${PL[@]}" --decrypt -m AES-CBC-PAD --iv "$IV" --id 03 -i aes.enc -o aes.out
expect_cmd "AES-CBC-PAD round trip" -- cmp aes.in aes.out

# --- deletion ----------------------------------------------------------------------------
expect_cmd "--delete-object secret key aes1" -- "${PL[@]}" --delete-object --type secrkey --label aes1
expect_cmd "--list-objects after deletion" -- "${PL[@]}" --list-objects
expect_no_match "$OUT" "Secret Key Object" "aes1 is gone"
expect_eq "$(grep -c 'Key Object' <<<"$OUT")" 4 "the 4 key pair objects remain"

# --- a token made through PKCS#11: C_InitToken, C_InitPIN, C_SetPIN ----------------------
expect_cmd "--show-info" -- "${P[@]}" --show-info
expect_match "$OUT" "Cryptoki version [23]\.[0-9]+" "--show-info: Cryptoki version"
[[ "$P11_IMPL" == ferrohsm ]] && expect_match "$OUT" "Cryptoki version 3\.0" "--show-info: Cryptoki version 3.0"
FREE=$(pkcs11-tool --module "$P11_MODULE" --list-slots 2>/dev/null |
    awk '/^Slot [0-9]+ \(0x[0-9a-f]+\)/ {id = $3; gsub(/[():]/, "", id)} /token state: +uninitialized/ && id != "" {print id; exit}')
if [[ -z "$FREE" ]]; then
    fail "a slot with an uninitialised token is offered (for C_InitToken)" "$("${P[@]}" --list-slots 2>&1)"
else
    pass "a slot with an uninitialised token is offered (slot $FREE)"
    P2=(pkcs11-tool --module "$P11_MODULE" --token-label second)
    expect_cmd "--init-token --label second (C_InitToken)" -- \
        pkcs11-tool --module "$P11_MODULE" --slot "$FREE" --init-token --label second --so-pin "$SO_PIN"
    expect_cmd "--list-slots after --init-token" -- "${P[@]}" --list-slots
    expect_match "$OUT" "token label +: second"$'\n' "the new token 'second' is listed"
    expect_match "$OUT" "token label +: $TOKEN"$'\n' "the first token is still listed"
    expect_match "$OUT" "token state: +uninitialized" "a free slot is offered again"
    expect_cmd "--init-pin as SO (C_InitPIN)" -- \
        "${P2[@]}" --login --login-type so --so-pin "$SO_PIN" --init-pin --new-pin 11112222
    expect_cmd "--change-pin (C_SetPIN)" -- "${P2[@]}" --login --pin 11112222 --change-pin --new-pin 33334444
    expect_not_cmd "the old user PIN is refused" -- "${P2[@]}" --login --pin 11112222 --list-objects
    expect_match "$OUT" "CKR_PIN_INCORRECT" "old PIN: CKR_PIN_INCORRECT"
    expect_cmd "--keypairgen EC on the new token with the new PIN" -- \
        "${P2[@]}" --login --pin 33334444 --keypairgen --key-type EC:prime256v1 --label k2 --id 05
    expect_cmd "--list-objects on the new token" -- "${P2[@]}" --login --pin 33334444 --list-objects
    expect_eq "$(grep -c 'Key Object' <<<"$OUT")" 2 "the new token holds exactly its own key pair"
    if [[ "$P11_IMPL" == ferrohsm ]]; then
        expect_cmd "the CLI lists the token made through PKCS#11" -- fh token list --json
        expect_match "$OUT" '"label": "second"' "CLI token list: second"
        expect_cmd "the CLI lists the key made through PKCS#11" -- \
            env FERROHSM_PIN=33334444 "$FERROHSM_BIN" key list --token second --json
        expect_match "$OUT" '"label": "k2"' "CLI key list: k2"
    fi
fi

finish
