#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# OpenSSL 3 with the libp11 pkcs11 engine (libengine-pkcs11-openssl) loading
# the module from an openssl.cnf: certificate requests signed by token keys
# (RSA-2048, EC P-256) that `openssl req -verify` accepts, and
# `openssl dgst -sign` / `pkeyutl` through the engine checked with the
# exported public key (no engine involved in the checks).
# shellcheck source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_tool openssl

ENGINE_SO=""
for d in "$(openssl version -e 2>/dev/null | sed -n 's/^ENGINESDIR: "\(.*\)"$/\1/p')" \
    /usr/lib/x86_64-linux-gnu/engines-3 /usr/lib/aarch64-linux-gnu/engines-3 /usr/lib/engines-3; do
    if [[ -n "$d" && -f "$d/pkcs11.so" ]]; then
        ENGINE_SO="$d/pkcs11.so"
        break
    fi
done
[[ -n "$ENGINE_SO" ]] || skip "libp11 pkcs11 engine (libengine-pkcs11-openssl) not installed"

init_token interop
make_keypairs
export_pub rsa1 rsa1.pem
export_pub ec1 ec1.pem

cat >openssl.cnf <<EOF
openssl_conf = openssl_init

[openssl_init]
engines = engine_section

[engine_section]
pkcs11 = pkcs11_section

[pkcs11_section]
engine_id = pkcs11
dynamic_path = $ENGINE_SO
MODULE_PATH = $P11_MODULE
init = 0

[req]
distinguished_name = req_dn
prompt = no

[req_dn]
CN = ferrohsm-test
EOF
export OPENSSL_CONF=$WORK/openssl.cnf

expect_cmd "openssl engine pkcs11 loads the module" -- openssl engine -t -c pkcs11
expect_match "$OUT" "\(pkcs11\)" "engine pkcs11 is listed"
expect_match "$OUT" "\[ available \]" "engine pkcs11 is available"

head -c 5000 /dev/urandom >data.bin
cp data.bin tampered.bin
printf 'x' >>tampered.bin

for k in rsa1 ec1; do
    uri="pkcs11:token=$TOKEN;object=$k;type=private;pin-value=$USER_PIN"
    # --- certificate request -----------------------------------------------------------
    expect_cmd "$k: openssl req -new through the engine" -- \
        openssl req -new -engine pkcs11 -keyform engine -key "$uri" -subj /CN=ferrohsm-test -sha256 -out "$k.csr"
    expect_cmd "$k: openssl req -verify accepts the CSR" -- openssl req -in "$k.csr" -verify -noout
    expect_match "$OUT" "verify OK|Certificate request self-signature verify OK" "$k: CSR self-signature verify OK"
    expect_eq "$(openssl req -in "$k.csr" -noout -subject 2>&1)" "subject=CN = ferrohsm-test" "$k: CSR subject"
    expect_eq "$(openssl req -in "$k.csr" -noout -pubkey 2>&1)" "$(cat "$k.pem")" "$k: the CSR carries the token public key"

    # --- a self-signed certificate (x509 -signkey path through the engine) ---------
    expect_cmd "$k: openssl req -x509 through the engine" -- \
        openssl req -new -x509 -days 1 -engine pkcs11 -keyform engine -key "$uri" -subj /CN=ferrohsm-ca \
        -sha256 -out "$k.crt"
    expect_cmd "$k: openssl verify accepts the self-signed certificate" -- \
        env -u OPENSSL_CONF openssl verify -CAfile "$k.crt" "$k.crt"

    # --- dgst -sign ------------------------------------------------------------------------------
    expect_cmd "$k: openssl dgst -sha256 -sign through the engine" -- \
        openssl dgst -sha256 -engine pkcs11 -keyform engine -sign "$uri" -out "$k.sig" data.bin
    expect_cmd "$k: openssl dgst -verify with the exported public key" -- \
        env -u OPENSSL_CONF openssl dgst -sha256 -verify "$k.pem" -signature "$k.sig" data.bin
    expect_not_cmd "$k: the signature does not verify over tampered data" -- \
        env -u OPENSSL_CONF openssl dgst -sha256 -verify "$k.pem" -signature "$k.sig" tampered.bin
done

# --- RSA-PSS and RSA decryption through the engine (pkeyutl) ------------------------------
uri="pkcs11:token=$TOKEN;object=rsa1;type=private;pin-value=$USER_PIN"
expect_cmd "rsa1: dgst -sign with PSS padding through the engine" -- \
    openssl dgst -sha256 -engine pkcs11 -keyform engine -sign "$uri" \
    -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -out pss.sig data.bin
expect_cmd "rsa1: the PSS signature verifies with the exported public key" -- \
    env -u OPENSSL_CONF openssl dgst -sha256 -verify rsa1.pem -sigopt rsa_padding_mode:pss \
    -sigopt rsa_pss_saltlen:32 -signature pss.sig data.bin
printf 'engine secret %s' "$RANDOM" >plain.txt
env -u OPENSSL_CONF openssl pkeyutl -encrypt -pubin -inkey rsa1.pem -in plain.txt -out c.pkcs1
expect_cmd "rsa1: pkeyutl -decrypt (PKCS#1 v1.5) through the engine" -- \
    openssl pkeyutl -decrypt -engine pkcs11 -keyform engine -inkey "$uri" -in c.pkcs1 -out p.pkcs1
expect_eq "$(cat p.pkcs1 2>/dev/null)" "$(cat plain.txt)" "rsa1: decrypted plaintext matches"

# --- wrong PIN is refused ----------------------------------------------------------------------
expect_not_cmd "a wrong PIN in the URI is refused" -- \
    openssl dgst -sha256 -engine pkcs11 -keyform engine \
    -sign "pkcs11:token=$TOKEN;object=ec1;type=private;pin-value=00000000" -out bad.sig data.bin
expect_no_match "$(cat bad.sig 2>/dev/null || true)" "." "no signature written with a wrong PIN"

finish
