#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Signatures made by ferrohsm verify with openssl and python3-cryptography;
# a signature by another key of the same type fails `ferrohsm verify` (exit 5).
# shellcheck source=lib.sh disable=SC2317
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

setup fh token init --label xc

head -c 5000 /dev/urandom >msg
printf 'a different message\n' >msg.other
head -c 1048576 /dev/urandom >big   # multi-part mechanisms stream it

# gen TYPE LABEL - generate a key and export its public half to LABEL.pem
gen() {
    expect_exit 0 -- fh key generate --token xc --type "$1" --label "$2"
    expect_exit 0 -- fh key export-public --token xc --key "$2" --out "$2.pem"
}

# openssl_verify LABEL MECH SIG MSG - verify with openssl, by mechanism
openssl_verify() {
    local label=$1 mech=$2 sig=$3 in=$4
    case "$mech" in
    SHA256_RSA_PKCS) openssl dgst -sha256 -verify "$label.pem" -signature "$sig" "$in" ;;
    SHA384_RSA_PKCS) openssl dgst -sha384 -verify "$label.pem" -signature "$sig" "$in" ;;
    SHA512_RSA_PKCS) openssl dgst -sha512 -verify "$label.pem" -signature "$sig" "$in" ;;
    SHA256_RSA_PKCS_PSS | SHA384_RSA_PKCS_PSS | SHA512_RSA_PKCS_PSS)
        local d=${mech%%_*}
        openssl dgst "-${d,,}" -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest \
            -verify "$label.pem" -signature "$sig" "$in"
        ;;
    ECDSA_SHA256) openssl dgst -sha256 -verify "$label.pem" -signature "$sig" "$in" ;;
    ECDSA_SHA384) openssl dgst -sha384 -verify "$label.pem" -signature "$sig" "$in" ;;
    ECDSA_SHA512) openssl dgst -sha512 -verify "$label.pem" -signature "$sig" "$in" ;;
    EDDSA) openssl pkeyutl -verify -pubin -inkey "$label.pem" -rawin -in "$in" -sigfile "$sig" ;;
    *) echo "no openssl recipe for $mech"; return 1 ;;
    esac
}

# python_verify LABEL MECH SIG MSG - the same with python3-cryptography,
# PSS with salt length = digest length exactly.
python_verify() {
    "$PY" - "$@" <<'EOF'
import sys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
label, mech, sigf, msgf = sys.argv[1:]
key = serialization.load_pem_public_key(open(label + ".pem", "rb").read())
sig = open(sigf, "rb").read()
msg = open(msgf, "rb").read()
H = {"SHA256": hashes.SHA256, "SHA384": hashes.SHA384, "SHA512": hashes.SHA512}
if mech == "EDDSA":
    key.verify(sig, msg)
elif mech.startswith("ECDSA_"):
    key.verify(sig, msg, ec.ECDSA(H[mech[6:]]()))
elif mech.endswith("_RSA_PKCS"):
    key.verify(sig, msg, padding.PKCS1v15(), H[mech[:6]]())
elif mech.endswith("_RSA_PKCS_PSS"):
    h = H[mech[:6]]()
    key.verify(sig, msg, padding.PSS(mgf=padding.MGF1(h), salt_length=h.digest_size), h)
else:
    sys.exit("unknown mechanism " + mech)
EOF
}

# check LABEL MECH SIGLEN - sign msg and big, verify everywhere, negatives
check() {
    local label=$1 mech=$2 siglen=$3 f
    section "$label $mech"
    for f in msg big; do
        expect_exit 0 -- fh sign --token xc --key "$label" --mechanism "$mech" --in "$f" --out "$label.$mech.$f.sig"
        local sig="$label.$mech.$f.sig"
        if [[ -n "$siglen" ]]; then
            expect_size "$sig" "$siglen" "$label $mech signature length"
        fi
        expect_cmd "openssl verifies $label $mech ($f)" -- openssl_verify "$label" "$mech" "$sig" "$f"
        expect_cmd "python3-cryptography verifies $label $mech ($f)" -- python_verify "$label" "$mech" "$sig" "$f"
        expect_exit 0 -- fh verify --token xc --key "$label" --mechanism "$mech" --in "$f" --signature "$sig"
        expect_eq "$OUT" "signature valid" "ferrohsm verify prints signature valid"
    done
    local sig="$label.$mech.msg.sig"
    expect_not_cmd "openssl rejects $label $mech over another message" -- openssl_verify "$label" "$mech" "$sig" msg.other
    expect_exit 5 -- fh verify --token xc --key "$label" --mechanism "$mech" --in msg.other --signature "$sig"
    expect_eq "$ERR" "ferrohsm: verify: signature invalid" "invalid signature message"
    # A signature by another key of the same type does not verify.
    expect_exit 0 -- fh sign --token xc --key "$label-other" --mechanism "$mech" --in msg --out "$label.$mech.other.sig"
    expect_exit 5 -- fh verify --token xc --key "$label" --mechanism "$mech" --in msg --signature "$label.$mech.other.sig"
    expect_not_cmd "openssl rejects the other key's signature" -- openssl_verify "$label" "$mech" "$label.$mech.other.sig" msg
    # A corrupted signature (one bit) does not verify.
    cp "$sig" "$sig.bad"
    "$PY" -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[len(b)//2]^=1; open(sys.argv[1],"wb").write(b)' "$sig.bad"
    expect_exit 5 -- fh verify --token xc --key "$label" --mechanism "$mech" --in msg --signature "$sig.bad"
    # Signatures of the wrong length: invalid (5) or a length error (7) --
    # docs/cli.md lists "wrong lengths" under 7 and "invalid" under 5.
    : >empty.sig
    head -c "$(($(stat -c %s "$sig") - 1))" "$sig" >"$sig.short"
    cat "$sig" "$sig" >"$sig.long"
    for bad in empty.sig "$sig.short" "$sig.long"; do
        expect_exit '5|7' -- fh verify --token xc --key "$label" --mechanism "$mech" --in msg --signature "$bad"
    done
}

pair() {
    gen "$1" "$2"
    gen "$1" "$2-other"
}

pair rsa-2048 rsa2k
check rsa2k SHA256_RSA_PKCS 256
check rsa2k SHA256_RSA_PKCS_PSS 256
check rsa2k SHA384_RSA_PKCS 256
check rsa2k SHA512_RSA_PKCS_PSS 256

pair rsa-3072 rsa3k
check rsa3k SHA256_RSA_PKCS 384

pair ec-p384 p384
check p384 ECDSA_SHA384 ""

pair ec-p521 p521
check p521 ECDSA_SHA512 ""

pair ed25519 ed1
check ed1 EDDSA 64

pair ed448 ed4
check ed4 EDDSA 114

section "deterministic schemes"
# PKCS#1 v1.5 and EdDSA are deterministic; PSS and ECDSA are randomised.
for spec in rsa2k:SHA256_RSA_PKCS ed1:EDDSA ed4:EDDSA; do
    label=${spec%%:*} mech=${spec#*:}
    expect_exit 0 -- fh sign --token xc --key "$label" --mechanism "$mech" --in msg --out again.sig
    expect_cmd "$label $mech signs deterministically" -- cmp "$label.$mech.msg.sig" again.sig
done
expect_exit 0 -- fh sign --token xc --key rsa2k --mechanism SHA256_RSA_PKCS_PSS --in msg --out again.sig
expect_not_cmd "PSS signatures are randomised (salt)" -- cmp -s rsa2k.SHA256_RSA_PKCS_PSS.msg.sig again.sig

section "raw ECDSA format"
expect_exit 0 -- fh sign --token xc --key p384 --mechanism ECDSA_SHA384 --in msg --out p384.raw --format raw
expect_size p384.raw 96 "raw P-384 signature is 96 bytes"
expect_exit 0 -- fh verify --token xc --key p384 --mechanism ECDSA_SHA384 --in msg --signature p384.raw
expect_exit 0 -- fh sign --token xc --key p521 --mechanism ECDSA_SHA512 --in msg --out p521.raw --format raw
expect_size p521.raw 132 "raw P-521 signature is 132 bytes"
expect_exit 0 -- fh verify --token xc --key p521 --mechanism ECDSA_SHA512 --in msg --signature p521.raw
expect_exit 2 -- fh sign --token xc --key p384 --mechanism ECDSA_SHA384 --in msg --format pem

section "multi-part signing streams large inputs"
truncate -s 96M big.sparse
expect_exit 0 -- fh sign --token xc --key p384 --mechanism ECDSA_SHA384 --in big.sparse --out big.sig
expect_cmd "openssl verifies the ECDSA_SHA384 signature of a 96 MiB file" -- openssl_verify p384 ECDSA_SHA384 big.sig big.sparse
FH_STDIN=big.sparse expect_exit 0 -- fh verify --token xc --key p384 --mechanism ECDSA_SHA384 --signature big.sig
rm -f big.sparse

section "HMAC (no external cross-check possible: secret keys do not leave)"
expect_exit 0 -- fh key generate --token xc --type generic-secret --bits 256 --label mac
expect_exit 0 -- fh sign --token xc --key mac --mechanism SHA256_HMAC --in msg --out mac.sig
expect_size mac.sig 32 "SHA256_HMAC is 32 bytes"
expect_exit 0 -- fh sign --token xc --key mac --mechanism SHA256_HMAC --in msg --out mac2.sig
expect_cmd "HMAC is deterministic" -- cmp mac.sig mac2.sig
expect_exit 0 -- fh verify --token xc --key mac --mechanism SHA256_HMAC --in msg --signature mac.sig
expect_exit 5 -- fh verify --token xc --key mac --mechanism SHA256_HMAC --in msg.other --signature mac.sig

finish
