#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The quick-start flow of the issue, verbatim, cross-checked with openssl and
# python3-cryptography.
# shellcheck source=lib.sh disable=SC2317
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

section "token init"
expect_exit 0 -- fh token init --label demo
expect_match "$OUT" '^token demo initialised \(serial [0-9A-Fa-f]{16}\)$' 'init prints "token demo initialised (serial S)"'
expect_cmd "the store was created in FERROHSM_HOME" -- test -s "$DB"

section "key generate"
expect_exit 0 -- fh key generate --token demo --type ec-p256 --label k1
expect_match "$OUT" '^generated ec-p256 key k1 \(id [0-9a-fA-F]{16}\)$' 'generate prints "generated ec-p256 key k1 (id HEX)"'

section "export-public"
expect_exit 0 -- fh key export-public --token demo --key k1 --out k1.pem
expect_eq "$(head -n 1 k1.pem 2>/dev/null || true)" "-----BEGIN PUBLIC KEY-----" "k1.pem is a SubjectPublicKeyInfo PEM"
expect_cmd "openssl parses k1.pem as a P-256 key" -- sh -c 'openssl pkey -pubin -in k1.pem -noout -text | grep -Eq "prime256v1|P-256"'
expect_exit 0 -- fh key export-public --token demo --key k1
printf '%s\n' "$OUT" >k1-stdout.pem
expect_cmd "export-public to stdout equals --out" -- cmp k1.pem k1-stdout.pem

section "sign and verify"
printf 'hello FerroHSM, this is the quick start message\n' >msg
expect_exit 0 -- fh sign --token demo --key k1 --mechanism ECDSA_SHA256 --in msg --out msg.sig
expect_cmd "msg.sig is a DER ECDSA-Sig-Value (SEQUENCE of two INTEGERs)" -- \
    sh -c 'openssl asn1parse -inform DER -in msg.sig | grep -c "INTEGER" | grep -qx 2'
expect_exit 0 -- fh verify --token demo --key k1 --mechanism ECDSA_SHA256 --in msg --signature msg.sig
expect_eq "$OUT" "signature valid" 'verify prints "signature valid"'

expect_cmd "openssl dgst -sha256 -verify says Verified OK" -- \
    sh -c 'openssl dgst -sha256 -verify k1.pem -signature msg.sig msg | grep -qx "Verified OK"'
expect_cmd "python3-cryptography verifies the signature" -- "$PY" -c '
import sys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
k = serialization.load_pem_public_key(open("k1.pem", "rb").read())
k.verify(open("msg.sig", "rb").read(), open("msg", "rb").read(), ec.ECDSA(hashes.SHA256()))
'

section "a one-byte change fails both"
cp msg msg.bad
printf 'H' | dd of=msg.bad bs=1 seek=0 conv=notrunc status=none
expect_not_cmd "msg.bad differs from msg" -- cmp -s msg msg.bad
expect_exit 5 -- fh verify --token demo --key k1 --mechanism ECDSA_SHA256 --in msg.bad --signature msg.sig
expect_eq "$ERR" "ferrohsm: verify: signature invalid" 'invalid signature message'
expect_not_cmd "openssl rejects the changed message" -- \
    sh -c 'openssl dgst -sha256 -verify k1.pem -signature msg.sig msg.bad | grep -qx "Verified OK"'

section "variants of the flow"
# Mechanism names are case-insensitive.
expect_exit 0 -- fh verify --token demo --key k1 --mechanism ecdsa_sha256 --in msg --signature msg.sig
# Input on stdin, signature on stdout.
FH_STDIN=msg expect_exit 0 -- fh sign --token demo --key k1 --mechanism ECDSA_SHA256
cp "$OUT_FILE" msg.sig2
expect_cmd "stdin/stdout signature verifies with openssl" -- \
    sh -c 'openssl dgst -sha256 -verify k1.pem -signature msg.sig2 msg | grep -qx "Verified OK"'
FH_STDIN=msg expect_exit 0 -- fh verify --token demo --key k1 --mechanism ECDSA_SHA256 --signature msg.sig2
# --format raw: r||s, 64 bytes for P-256; verify accepts it.
expect_exit 0 -- fh sign --token demo --key k1 --mechanism ECDSA_SHA256 --in msg --out msg.raw --format raw
expect_size msg.raw 64 "raw ECDSA P-256 signature is 64 bytes"
expect_exit 0 -- fh verify --token demo --key k1 --mechanism ECDSA_SHA256 --in msg --signature msg.raw
expect_cmd "raw r||s converted to DER verifies with openssl" -- "$PY" -c '
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
raw = open("msg.raw", "rb").read()
open("msg.raw.der", "wb").write(encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")))
'
expect_cmd "openssl verifies the converted raw signature" -- \
    sh -c 'openssl dgst -sha256 -verify k1.pem -signature msg.raw.der msg | grep -qx "Verified OK"'
expect_exit 5 -- fh verify --token demo --key k1 --mechanism ECDSA_SHA256 --in msg.bad --signature msg.raw
# A PIN from --pin-file works as well as the environment.
printf '%s\n' "$FERROHSM_PIN" >user.pin
expect_exit 0 -- fhe -u FERROHSM_PIN -- sign --token demo --key k1 --mechanism ECDSA_SHA256 --in msg --out msg.sig3 --pin-file user.pin
expect_cmd "--pin-file signature verifies with openssl" -- \
    sh -c 'openssl dgst -sha256 -verify k1.pem -signature msg.sig3 msg | grep -qx "Verified OK"'

finish
