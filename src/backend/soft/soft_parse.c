/* SPDX-License-Identifier: Apache-2.0 */
/*
 * soft_parse.c - fast parsers for the two key encodings the soft backend
 * reads on every operation: PKCS#8 PrivateKeyInfo (material) and
 * SubjectPublicKeyInfo (the core's copy of the public key).
 *
 * Why: OpenSSL 3.0 decodes both through OSSL_DECODER, which builds a decoder
 * chain per call (about 300 us, twenty times an ECDSA P-256 signature). Here
 * a strict, bounded DER reader walks the few structures the backend itself
 * writes (RFC 5208, RFC 8017 A.1, RFC 5915, RFC 8410, RFC 5480) and hands the
 * components to EVP_PKEY_fromdata. Anything else (BER, multi-prime RSA, EC
 * keys without the public point, unknown algorithms) returns false and the
 * caller falls back to OpenSSL's general decoder, so this path only ever
 * speeds up, never narrows, what is accepted.
 *
 * Secrets: the reader never copies; private integers go straight from the
 * caller's buffer (an fh_secret) into BN_secure_new BIGNUMs, and the
 * OSSL_PARAM block holding them is allocated and cleared by OpenSSL's secure
 * param builder.
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "ferrohsm/backend.h"

#include "soft-int.h"

struct der {
    const uint8_t *p;
    size_t n;
};

static const uint8_t oid_rsa[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01};
static const uint8_t oid_ecpub[] = {0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
static const uint8_t oid_ed25519[] = {0x06, 0x03, 0x2b, 0x65, 0x70};
static const uint8_t oid_ed448[] = {0x06, 0x03, 0x2b, 0x65, 0x71};

/* Take one TLV with tag from d into val (definite, minimal lengths only). */
static bool
take(struct der *d, uint8_t tag, struct der *val)
{
    size_t len, hdr, nb;

    if (d->n < 2 || d->p[0] != tag) {
        return false;
    }
    if (d->p[1] < 0x80) {
        len = d->p[1];
        hdr = 2;
    } else {
        nb = d->p[1] & 0x7fu;
        if (nb == 0 || nb > 3 || d->n < 2 + nb || d->p[2] == 0) {
            return false;
        }
        len = 0;
        for (size_t i = 0; i < nb; i++) {
            len = (len << 8) | d->p[2 + i];
        }
        if (len < 0x80) {
            return false;
        }
        hdr = 2 + nb;
    }
    if (len > d->n - hdr) {
        return false;
    }
    val->p = d->p + hdr;
    val->n = len;
    d->p += hdr + len;
    d->n -= hdr + len;
    return true;
}

/* Take the OID TLV want (whole encoding) from d; d is unchanged on mismatch. */
static bool
take_oid(struct der *d, const uint8_t *want, size_t want_len)
{
    struct der rest = *d, v;

    if (!take(&rest, 0x06, &v) || (size_t)(rest.p - d->p) != want_len ||
        memcmp(d->p, want, want_len) != 0) {
        return false;
    }
    *d = rest;
    return true;
}

/* Whether alg starts with the OID encoding want (alg is not consumed). */
static bool
is_oid(const struct der *alg, const uint8_t *want, size_t want_len)
{
    return alg->n >= want_len && memcmp(alg->p, want, want_len) == 0;
}

/* A non-negative INTEGER pushed as a BIGNUM (secure when private). */
static bool
push_int(OSSL_PARAM_BLD *bld, struct der *d, const char *name, bool secret, BIGNUM **keep)
{
    struct der v;

    if (!take(d, 0x02, &v) || v.n == 0 || v.n > 2048 || (v.p[0] & 0x80) != 0) {
        return false;
    }
    *keep = secret ? BN_secure_new() : BN_new();
    return *keep != NULL && BN_bin2bn(v.p, (int)v.n, *keep) != NULL &&
           OSSL_PARAM_BLD_push_BN(bld, name, *keep) == 1;
}

/* EVP_PKEY from the builder's parameters in the instance's context. */
static bool
build(const struct fhi_soft_priv *p, const char *alg, int selection, OSSL_PARAM_BLD *bld,
      EVP_PKEY **out)
{
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = NULL;
    bool ok = false;

    if (params == NULL) {
        return false;
    }
    ctx = EVP_PKEY_CTX_new_from_name(p->libctx, alg, NULL);
    ok = ctx != NULL && EVP_PKEY_fromdata_init(ctx) == 1 &&
         EVP_PKEY_fromdata(ctx, out, selection, params) == 1;
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    return ok;
}

/* RSAPrivateKey (RFC 8017 A.1.2), two-prime only; or RSAPublicKey (A.1.1). */
static bool
rsa_key(const struct fhi_soft_priv *p, struct der body, bool priv, EVP_PKEY **out)
{
    static const char *const names[] = {
        OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E, OSSL_PKEY_PARAM_RSA_D,
        OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2,
        OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
        OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
    };
    BIGNUM *bn[8] = {NULL};
    OSSL_PARAM_BLD *bld = NULL;
    struct der seq, ver;
    size_t count = priv ? 8 : 2;
    bool ok = false;

    if (!take(&body, 0x30, &seq) || body.n != 0) {
        return false;
    }
    if (priv && (!take(&seq, 0x02, &ver) || ver.n != 1 || ver.p[0] != 0)) {
        return false;
    }
    bld = OSSL_PARAM_BLD_new();
    if (bld == NULL) {
        return false;
    }
    for (size_t i = 0; i < count; i++) {
        if (!push_int(bld, &seq, names[i], i >= 2, &bn[i])) {
            goto out;
        }
    }
    if (seq.n != 0) {
        goto out;
    }
    ok = build(p, "RSA", priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, bld, out);
out:
    for (size_t i = 0; i < 8; i++) {
        BN_clear_free(bn[i]);
    }
    OSSL_PARAM_BLD_free(bld);
    return ok;
}

/* EC key from a curve OID and a point, plus the private scalar if any. */
static bool
ec_key(const struct fhi_soft_priv *p, const struct der *curve, const struct der *d,
       const struct der *pt, EVP_PKEY **out)
{
    const char *group = fhi_soft_ec_group(curve->p, curve->n);
    OSSL_PARAM_BLD *bld = NULL;
    BIGNUM *k = NULL;
    bool ok = false;

    if (group == NULL || pt->n < 2) {
        return false;
    }
    bld = OSSL_PARAM_BLD_new();
    if (bld == NULL) {
        return false;
    }
    if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt->p, pt->n) != 1) {
        goto out;
    }
    if (d != NULL) {
        k = BN_secure_new();
        if (k == NULL || BN_bin2bn(d->p, (int)d->n, k) == NULL ||
            OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, k) != 1) {
            goto out;
        }
    }
    ok = build(p, "EC", d != NULL ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, bld, out);
out:
    BN_clear_free(k);
    OSSL_PARAM_BLD_free(bld);
    return ok;
}

/* BIT STRING with no unused bits: its content. */
static bool
take_bits(struct der *d, uint8_t tag, struct der *val)
{
    if (!take(d, tag, val) || val->n < 1 || val->p[0] != 0) {
        return false;
    }
    val->p++;
    val->n--;
    return true;
}

/*
 * PrivateKeyInfo v1 (RFC 5208) holding a two-prime RSAPrivateKey, an
 * ECPrivateKey with its public point on a supported curve, or an RFC 8410
 * Ed25519/Ed448 seed.
 */
bool
fhi_soft_fast_pkcs8(const struct fhi_soft_priv *p, const uint8_t *der, size_t len,
                    EVP_PKEY **out)
{
    struct der in = {der, len}, pki, ver, alg, key, curve = {NULL, 0};
    struct der seq, ecver, d, tagged, pt;

    *out = NULL;
    /* PrivateKeyInfo ::= SEQUENCE { version 0, AlgorithmIdentifier, OCTET STRING, ... } */
    if (!take(&in, 0x30, &pki) || in.n != 0 || !take(&pki, 0x02, &ver) || ver.n != 1 ||
        ver.p[0] != 0 || !take(&pki, 0x30, &alg) || !take(&pki, 0x04, &key) || pki.n != 0) {
        return false;
    }
    if (take_oid(&alg, oid_rsa, sizeof(oid_rsa))) {
        /* parameters NULL */
        if (alg.n != 2 || alg.p[0] != 0x05 || alg.p[1] != 0) {
            return false;
        }
        return rsa_key(p, key, true, out);
    }
    if (is_oid(&alg, oid_ed25519, sizeof(oid_ed25519)) ||
        is_oid(&alg, oid_ed448, sizeof(oid_ed448))) {
        const char *name = alg.p[4] == 0x70 ? "ED25519" : "ED448";
        size_t want = alg.p[4] == 0x70 ? 32 : 57;

        /* RFC 8410 §7: no parameters; CurvePrivateKey ::= OCTET STRING */
        if (alg.n != sizeof(oid_ed25519) || !take(&key, 0x04, &d) || key.n != 0 ||
            d.n != want) {
            return false;
        }
        *out = EVP_PKEY_new_raw_private_key_ex(p->libctx, name, NULL, d.p, d.n);
        return *out != NULL;
    }
    if (!take_oid(&alg, oid_ecpub, sizeof(oid_ecpub))) {
        return false;
    }
    curve = alg;
    /* ECPrivateKey (RFC 5915 §3): version 1, privateKey, [0] params, [1] publicKey */
    if (!take(&key, 0x30, &seq) || key.n != 0 || !take(&seq, 0x02, &ecver) || ecver.n != 1 ||
        ecver.p[0] != 1 || !take(&seq, 0x04, &d)) {
        return false;
    }
    if (seq.n > 0 && seq.p[0] == 0xa0 && !take(&seq, 0xa0, &tagged)) {
        return false;
    }
    if (!take(&seq, 0xa1, &tagged) || seq.n != 0 || !take_bits(&tagged, 0x03, &pt) ||
        tagged.n != 0) {
        return false; /* no public point: let OpenSSL compute it */
    }
    return ec_key(p, &curve, &d, &pt, out);
}

/*
 * SubjectPublicKeyInfo holding an RSAPublicKey, a named-curve EC point or
 * an Ed25519/Ed448 key.
 */
bool
fhi_soft_fast_spki(const struct fhi_soft_priv *p, const uint8_t *der, size_t len, EVP_PKEY **out)
{
    struct der in = {der, len}, spki, alg, bits;

    *out = NULL;
    /* SubjectPublicKeyInfo ::= SEQUENCE { AlgorithmIdentifier, BIT STRING } */
    if (!take(&in, 0x30, &spki) || in.n != 0 || !take(&spki, 0x30, &alg) ||
        !take_bits(&spki, 0x03, &bits) || spki.n != 0) {
        return false;
    }
    if (take_oid(&alg, oid_rsa, sizeof(oid_rsa))) {
        if (alg.n != 2 || alg.p[0] != 0x05 || alg.p[1] != 0) {
            return false;
        }
        return rsa_key(p, bits, false, out);
    }
    if (is_oid(&alg, oid_ed25519, sizeof(oid_ed25519)) ||
        is_oid(&alg, oid_ed448, sizeof(oid_ed448))) {
        bool ed25519 = alg.p[4] == 0x70;

        if (alg.n != sizeof(oid_ed25519) || bits.n != (ed25519 ? 32u : 57u)) {
            return false;
        }
        *out = EVP_PKEY_new_raw_public_key_ex(p->libctx, ed25519 ? "ED25519" : "ED448", NULL,
                                              bits.p, bits.n);
        return *out != NULL;
    }
    if (!take_oid(&alg, oid_ecpub, sizeof(oid_ecpub))) {
        return false;
    }
    return ec_key(p, &alg, NULL, &bits, out);
}
