#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# GnuTLS p11tool/certtool against the module: token listing and URLs, object
# listing, key generation through GnuTLS (ECDSA P-256, RSA-2048), --test-sign
# on the new keys and on the implementation's own keys, public key export
# compared with the generated key, a self-signed certificate made by certtool
# with the token key (verified by OpenSSL), writing it to the token, deletion.
# shellcheck source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_tool p11tool certtool openssl

init_token interop
make_keypairs
export GNUTLS_PIN=$USER_PIN GNUTLS_SO_PIN=$SO_PIN
PT=(p11tool --provider "$P11_MODULE")
TURL="pkcs11:token=$TOKEN"

# --- tokens --------------------------------------------------------------------------
expect_cmd "--list-tokens" -- "${PT[@]}" --list-tokens
expect_match "$OUT" "URL: pkcs11:[^"$'\n'"]*token=$TOKEN("$'\n'"|;)" "--list-tokens shows the token URL"
expect_match "$OUT" "Label: $TOKEN"$'\n' "--list-tokens shows the label"
expect_match "$OUT" "Flags: [^"$'\n'"]*Requires login" "--list-tokens: token requires login"
FULL_URL=$(grep -o "URL: pkcs11:[^ ]*token=$TOKEN\$" <<<"$OUT" | head -n 1 | cut -c6-)
expect_match "$FULL_URL" "serial=[^;]+" "the token URL carries the serial"
expect_cmd "--list-token-urls" -- "${PT[@]}" --list-token-urls
expect_match "$OUT" "token=$TOKEN" "--list-token-urls shows the token"
expect_cmd "--list-mechanisms" -- "${PT[@]}" --list-mechanisms "$TURL"
expect_match "$OUT" "CKM_ECDSA" "--list-mechanisms: CKM_ECDSA"
expect_match "$OUT" "CKM_RSA_PKCS " "--list-mechanisms: CKM_RSA_PKCS"

# --- objects -------------------------------------------------------------------------------
expect_cmd "--list-all (no login)" -- "${PT[@]}" --list-all "$TURL"
expect_match "$OUT" "object=rsa1;type=public" "public rsa1 listed without login"
expect_no_match "$OUT" "type=private" "no private object without login"
expect_cmd "--list-all --login" -- "${PT[@]}" --login --list-all "$TURL"
ALL=$OUT
expect_match "$ALL" "id=%01;object=rsa1;type=private"$'\n'"[[:space:]]+Type: Private key \(RSA-2048\)" "private rsa1 (RSA-2048) listed"
expect_match "$ALL" "id=%02;object=ec1;type=private"$'\n'"[[:space:]]+Type: Private key \(EC/ECDSA-SECP256R1\)" "private ec1 (SECP256R1) listed"
expect_match "$ALL" "Public key \(EC/ECDSA-SECP256R1\)" "public ec1 (SECP256R1) listed"
expect_match "$ALL" "Flags: [^"$'\n'"]*CKA_PRIVATE; [^"$'\n'"]*CKA_SENSITIVE" "private keys are CKA_PRIVATE and CKA_SENSITIVE"
expect_eq "$(grep -c 'URL: ' <<<"$ALL")" 4 "4 objects in all"
expect_cmd "--list-privkeys --login" -- "${PT[@]}" --login --list-privkeys "$TURL"
expect_eq "$(grep -c 'type=private' <<<"$OUT")" 2 "--list-privkeys: 2 private keys"

# --- the implementation's own keys --------------------------------------------------------
for k in rsa1 ec1; do
    expect_cmd "--test-sign on $k" -- "${PT[@]}" --login --test-sign "$TURL;object=$k;type=private"
    expect_match "$OUT" "Verifying against public key in the token\.\.\. ok" "--test-sign $k: verified against the token public key"
    expect_cmd "--export-pubkey $k" -- "${PT[@]}" --export-pubkey --outfile "$k.p11tool.pem" "$TURL;object=$k;type=public"
    export_pub "$k" "$k.ref.pem"
    expect_cmd "$k: p11tool's public key equals the implementation's export" -- cmp "$k.p11tool.pem" "$k.ref.pem"
done

# --- key generation through GnuTLS --------------------------------------------------------
expect_cmd "--generate-privkey ecdsa --curve secp256r1" -- \
    "${PT[@]}" --login --generate-privkey ecdsa --curve secp256r1 --label gk-ec --outfile gk-ec.pem "$TURL"
expect_cmd "generated EC public key is P-256" -- openssl pkey -pubin -in gk-ec.pem -text -noout
expect_match "$OUT" "ASN1 OID: prime256v1" "generated EC key is on prime256v1"
expect_cmd "--test-sign on the new EC key" -- "${PT[@]}" --login --test-sign "$TURL;object=gk-ec;type=private"
expect_match "$OUT" "Signing using ECDSA-SHA256\.\.\. ok" "--test-sign gk-ec: ECDSA-SHA256 signature made"
expect_match "$OUT" "Verifying against private key parameters\.\.\. ok" "--test-sign gk-ec: verified against the key parameters"
expect_match "$OUT" "Verifying against public key in the token\.\.\. ok" "--test-sign gk-ec: verified against the token public key"
expect_cmd "--export-pubkey of the new EC key" -- \
    "${PT[@]}" --export-pubkey --outfile gk-ec.exp.pem "$TURL;object=gk-ec;type=public"
expect_cmd "exported public key equals the one printed at generation" -- cmp gk-ec.pem gk-ec.exp.pem

expect_cmd "--generate-privkey rsa --bits 2048" -- \
    "${PT[@]}" --login --generate-privkey rsa --bits 2048 --label gk-rsa --outfile gk-rsa.pem "$TURL"
expect_cmd "generated RSA public key parses" -- openssl pkey -pubin -in gk-rsa.pem -text -noout
expect_match "$OUT" "Public-Key: \(2048 bit\)" "generated RSA key has 2048 bits"
expect_cmd "--test-sign on the new RSA key" -- "${PT[@]}" --login --test-sign "$TURL;object=gk-rsa;type=private"
expect_match "$OUT" "Verifying against public key in the token\.\.\. ok" "--test-sign gk-rsa: verified against the token public key"

# --- a certificate signed by the token key -----------------------------------------------
printf 'cn = "ferrohsm-test"\nserial = 1\nexpiration_days = 30\nca\ncert_signing_key\nsigning_key\n' >cert.tmpl
expect_cmd "certtool self-signs a certificate with the token EC key" -- \
    certtool --provider "$P11_MODULE" --generate-self-signed \
    --load-privkey "$TURL;object=gk-ec;type=private" --template cert.tmpl --outfile cert.pem
expect_cmd "openssl verifies the self-signed certificate" -- openssl verify -CAfile cert.pem cert.pem
expect_eq "$(openssl x509 -in cert.pem -noout -pubkey 2>&1)" "$(cat gk-ec.pem)" "the certificate carries the token public key"
expect_cmd "--write the certificate to the token" -- \
    "${PT[@]}" --login --write --load-certificate cert.pem --label gk-ec --id 0a "$TURL"
expect_cmd "--list-all-certs" -- "${PT[@]}" --list-all-certs "$TURL"
expect_match "$OUT" "object=gk-ec;type=cert" "the certificate is listed"
expect_cmd "--export the certificate" -- "${PT[@]}" --export "$TURL;object=gk-ec;type=cert" --outfile cert.back.pem
expect_eq "$(openssl x509 -in cert.back.pem -outform DER 2>&1 | sha256sum)" \
    "$(openssl x509 -in cert.pem -outform DER | sha256sum)" "the exported certificate is the one written"

# --- deletion ---------------------------------------------------------------------------------
expect_cmd "--delete gk-rsa" -- "${PT[@]}" --login --batch --delete "$TURL;object=gk-rsa"
expect_match "$OUT" "2 objects deleted" "both halves of gk-rsa deleted"
expect_cmd "--list-all --login after deletion" -- "${PT[@]}" --login --list-all "$TURL"
expect_no_match "$OUT" "object=gk-rsa" "gk-rsa is gone"
expect_eq "$(grep -c 'URL: ' <<<"$OUT")" 7 "7 objects remain (rsa1, ec1, gk-ec pairs + certificate)"

# --- the SO resets the user PIN (C_InitPIN with GNUTLS_SO_PIN) ------------------------------
expect_cmd "--initialize-pin as SO" -- \
    env GNUTLS_SO_PIN="$SO_PIN" GNUTLS_PIN=55556666 "${PT[@]}" --initialize-pin "$TURL"
expect_cmd "the new user PIN logs in" -- env GNUTLS_PIN=55556666 "${PT[@]}" --login --list-privkeys "$TURL"
expect_eq "$(grep -c 'type=private' <<<"$OUT")" 3 "new PIN: the 3 private keys are listed"
expect_not_cmd "the old user PIN is refused" -- "${PT[@]}" --login --list-privkeys "$TURL"
expect_match "$OUT" "Wrong PIN" "old PIN: wrong PIN reported"

finish
