/* SPDX-License-Identifier: Apache-2.0 */
/*
 * soft_keys.c - key generation, import and encoding for the soft backend.
 *
 * Material formats (backend.h): a secret key is its raw value; a private key
 * is an unencrypted PKCS#8 PrivateKeyInfo DER, re-encoded by OpenSSL from the
 * parsed key so that every stored blob has one canonical form. Public keys
 * have no material: the core keeps their SubjectPublicKeyInfo.
 *
 * The public attributes reported in `pub` are:
 *   RSA: CKA_MODULUS, CKA_PUBLIC_EXPONENT, CKA_MODULUS_BITS (CK_ULONG),
 *        CKA_PUBLIC_KEY_INFO;
 *   EC/Edwards: CKA_EC_PARAMS (as given, or the curve OID for PKCS#8 input),
 *        CKA_EC_POINT (DER OCTET STRING around the uncompressed point, or
 *        around the 32/57-byte Edwards key), CKA_PUBLIC_KEY_INFO.
 *
 * Curves are recognised by the DER bytes of CKA_EC_PARAMS (curve OID, or
 * for Edwards also the PrintableString "edwards25519"/"edwards448" of
 * PKCS#11 v3.0 §2.3.10); anything else is FH_E_CURVE_NOT_SUPPORTED.
 *
 * Secrets: private scalars and factors travel in BN_secure_new BIGNUMs and
 * secure OSSL_PARAM blocks; PKCS#8 DER is written straight into an fh_secret.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "ferrohsm/attr.h"
#include "ferrohsm/backend.h"
#include "ferrohsm/secret.h"

#include "soft-int.h"

#define MAX_POINT 160 /* a P-521 uncompressed point is 133 bytes */

struct curve {
    const uint8_t *der;
    size_t der_len;
    CK_KEY_TYPE type;
    const char *name;   /* OpenSSL group name (EC) or algorithm (Edwards) */
    const char *alias;  /* name OpenSSL reports for the group */
    int nid;
    size_t flen;        /* EC: field bytes; Edwards: public key bytes */
};

static const uint8_t oid_p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
static const uint8_t oid_p384[] = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22};
static const uint8_t oid_p521[] = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23};
static const uint8_t oid_ed25519[] = {0x06, 0x03, 0x2b, 0x65, 0x70};
static const uint8_t oid_ed448[] = {0x06, 0x03, 0x2b, 0x65, 0x71};
static const uint8_t str_ed25519[] = {0x13, 0x0c, 'e', 'd', 'w', 'a', 'r', 'd', 's',
                                      '2', '5', '5', '1', '9'};
static const uint8_t str_ed448[] = {0x13, 0x0a, 'e', 'd', 'w', 'a', 'r', 'd', 's', '4', '4', '8'};

/* The first entry of each curve holds the canonical CKA_EC_PARAMS. */
static const struct curve curves[] = {
    {oid_p256, sizeof(oid_p256), CKK_EC, "P-256", "prime256v1", NID_X9_62_prime256v1, 32},
    {oid_p384, sizeof(oid_p384), CKK_EC, "P-384", "secp384r1", NID_secp384r1, 48},
    {oid_p521, sizeof(oid_p521), CKK_EC, "P-521", "secp521r1", NID_secp521r1, 66},
    {oid_ed25519, sizeof(oid_ed25519), CKK_EC_EDWARDS, "ED25519", "ED25519", NID_ED25519, 32},
    {oid_ed448, sizeof(oid_ed448), CKK_EC_EDWARDS, "ED448", "ED448", NID_ED448, 57},
    {str_ed25519, sizeof(str_ed25519), CKK_EC_EDWARDS, "ED25519", "ED25519", NID_ED25519, 32},
    {str_ed448, sizeof(str_ed448), CKK_EC_EDWARDS, "ED448", "ED448", NID_ED448, 57},
};
#define NCURVES (sizeof(curves) / sizeof(curves[0]))

/* The table entry whose DER equals CKA_EC_PARAMS exactly, or NULL. */
static const struct curve *
curve_by_params(const uint8_t *der, size_t len)
{
    if (der == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < NCURVES; i++) {
        if (curves[i].der_len == len && memcmp(curves[i].der, der, len) == 0) {
            return &curves[i];
        }
    }
    return NULL;
}

/* Used by the fast SPKI/PKCS#8 parser to map a curve OID to a group name. */
const char *
fhi_soft_ec_group(const uint8_t *der, size_t len)
{
    const struct curve *c = curve_by_params(der, len);

    return (c != NULL && c->type == CKK_EC) ? c->name : NULL;
}

/* The curve of a parsed EC or Edwards key (canonical entry), or NULL. */
static const struct curve *
curve_of_pkey(const EVP_PKEY *pkey)
{
    char name[64];
    size_t n = 0;

    if (EVP_PKEY_is_a(pkey, "ED25519")) {
        return &curves[3];
    }
    if (EVP_PKEY_is_a(pkey, "ED448")) {
        return &curves[4];
    }
    if (!EVP_PKEY_is_a(pkey, "EC")) {
        return NULL;
    }
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name),
                                       &n) != 1) {
        return NULL;
    }
    for (size_t i = 0; i < 3; i++) {
        if (OPENSSL_strcasecmp(name, curves[i].name) == 0 ||
            OPENSSL_strcasecmp(name, curves[i].alias) == 0) {
            return &curves[i];
        }
    }
    return NULL;
}

/* PKCS#11 key type of a parsed key: RSA, EC (prime curves) or Edwards. */
bool
fhi_soft_pkey_is(const EVP_PKEY *pkey, CK_KEY_TYPE type)
{
    switch (type) {
    case CKK_RSA:
        return EVP_PKEY_is_a(pkey, "RSA");
    case CKK_EC:
        return EVP_PKEY_is_a(pkey, "EC");
    case CKK_EC_EDWARDS:
        return EVP_PKEY_is_a(pkey, "ED25519") || EVP_PKEY_is_a(pkey, "ED448");
    default:
        return false;
    }
}

/*
 * Content of a DER OCTET STRING that spans exactly in[0..len), or NULL.
 * Short and one- or two-byte long forms only (points are < 64 KiB).
 */
static const uint8_t *
der_octets(const uint8_t *in, size_t len, size_t *content_len)
{
    size_t hdr, n;

    if (len < 2 || in[0] != 0x04) {
        return NULL;
    }
    if (in[1] < 0x80) {
        hdr = 2;
        n = in[1];
    } else if (in[1] == 0x81 && len >= 3) {
        hdr = 3;
        n = in[2];
    } else if (in[1] == 0x82 && len >= 4) {
        hdr = 4;
        n = ((size_t)in[2] << 8) | in[3];
    } else {
        return NULL;
    }
    if (n != len - hdr) {
        return NULL;
    }
    *content_len = n;
    return in + hdr;
}

/*
 * The encoded point inside a CKA_EC_POINT or ECDH public value: raw
 * (uncompressed 0x04||X||Y or compressed) or a DER OCTET STRING around it.
 * For Edwards, raw is the flen-byte key. The raw forms are tried first; their
 * lengths never equal a DER-wrapped length, so the choice is unambiguous.
 */
static fh_rv
point_bytes(const struct curve *c, const uint8_t *in, size_t len, const uint8_t **pt,
            size_t *pt_len)
{
    const uint8_t *inner;
    size_t inner_len = 0;

    if (in == NULL || len == 0) {
        return FH_E_ATTR_VALUE_INVALID;
    }
    if (c->type == CKK_EC_EDWARDS) {
        if (len == c->flen) {
            *pt = in;
            *pt_len = len;
            return FH_OK;
        }
        inner = der_octets(in, len, &inner_len);
        if (inner == NULL || inner_len != c->flen) {
            return FH_E_ATTR_VALUE_INVALID;
        }
        *pt = inner;
        *pt_len = inner_len;
        return FH_OK;
    }
    if ((len == 1 + 2 * c->flen && in[0] == 0x04) ||
        (len == 1 + c->flen && (in[0] == 0x02 || in[0] == 0x03))) {
        *pt = in;
        *pt_len = len;
        return FH_OK;
    }
    inner = der_octets(in, len, &inner_len);
    if (inner == NULL ||
        !((inner_len == 1 + 2 * c->flen && inner[0] == 0x04) ||
          (inner_len == 1 + c->flen && (inner[0] == 0x02 || inner[0] == 0x03)))) {
        return FH_E_ATTR_VALUE_INVALID;
    }
    *pt = inner;
    *pt_len = inner_len;
    return FH_OK;
}

/* DER OCTET STRING around data (len <= 255). */
static size_t
der_wrap(const uint8_t *data, size_t len, uint8_t *out)
{
    size_t hdr = 2;

    out[0] = 0x04;
    if (len < 0x80) {
        out[1] = (uint8_t)len;
    } else {
        out[1] = 0x81;
        out[2] = (uint8_t)len;
        hdr = 3;
    }
    memcpy(out + hdr, data, len);
    return hdr + len;
}

/* Copies a public BIGNUM parameter of pkey into an attribute, big-endian. */
static fh_rv
set_bn_attr(struct fh_attrs *a, CK_ATTRIBUTE_TYPE t, const EVP_PKEY *pkey, const char *param)
{
    BIGNUM *bn = NULL;
    uint8_t *buf = NULL;
    int n = 0;
    fh_rv rv = FH_E_CRYPTO;

    if (EVP_PKEY_get_bn_param(pkey, param, &bn) != 1) {
        goto out;
    }
    n = BN_num_bytes(bn);
    buf = OPENSSL_malloc(n > 0 ? (size_t)n : 1);
    if (buf == NULL) {
        rv = FH_E_NOMEM;
        goto out;
    }
    if (BN_bn2bin(bn, buf) != n) {
        goto out;
    }
    rv = fh_attrs_set(a, t, buf, (size_t)n);
out:
    OPENSSL_clear_free(buf, n > 0 ? (size_t)n : 1);
    BN_clear_free(bn);
    return rv;
}

/* ---- direct DER for EC and Edwards keys ---- */

/*
 * OSSL_ENCODER looks its encoders up by name on every call, which costs more
 * than generating a P-256 key. The SubjectPublicKeyInfo (RFC 5480, RFC 8410)
 * and PKCS#8 PrivateKeyInfo (RFC 5915 inside RFC 5208; what OpenSSL writes:
 * no [0] parameters, with the [1] public key) of these keys are a few fixed
 * headers around the point and the scalar, written here directly.
 */
static const uint8_t oid_ec_public_key[] = {0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};

/* Tag and length (< 65536) at w when w != NULL; the number of bytes either way. */
static size_t
der_tl(uint8_t *w, uint8_t tag, size_t n)
{
    size_t k = n < 0x80 ? 2 : n < 0x100 ? 3 : 4;

    if (w != NULL) {
        w[0] = tag;
        if (k == 2) {
            w[1] = (uint8_t)n;
        } else if (k == 3) {
            w[1] = 0x81;
            w[2] = (uint8_t)n;
        } else {
            w[1] = 0x82;
            w[2] = (uint8_t)(n >> 8);
            w[3] = (uint8_t)n;
        }
    }
    return k;
}

static uint8_t *
der_put(uint8_t *w, uint8_t tag, size_t n)
{
    return w + der_tl(w, tag, n);
}

static uint8_t *
der_bytes(uint8_t *w, const uint8_t *v, size_t n)
{
    memcpy(w, v, n);
    return w + n;
}

/* AlgorithmIdentifier of curve c: its length, and its bytes at w when w != NULL. */
static size_t
der_alg(uint8_t *w, const struct curve *c)
{
    size_t n = (c->type == CKK_EC ? sizeof(oid_ec_public_key) : 0) + c->der_len;
    size_t k = der_tl(w, 0x30, n);

    if (w != NULL) {
        w += k;
        if (c->type == CKK_EC) {
            w = der_bytes(w, oid_ec_public_key, sizeof(oid_ec_public_key));
        }
        memcpy(w, c->der, c->der_len);
    }
    return k + n;
}

/* The public key of an EC (uncompressed point) or Edwards key (raw), and its curve. */
static fh_rv
ec_public(EVP_PKEY *pkey, const struct curve **cp, uint8_t pt[MAX_POINT], size_t *pt_len)
{
    const struct curve *c = curve_of_pkey(pkey);

    if (c == NULL) {
        return FH_E_CURVE_NOT_SUPPORTED;
    }
    if (c->type == CKK_EC) {
        if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt,
                                            MAX_POINT, pt_len) != 1) {
            return FH_E_CRYPTO;
        }
    } else {
        *pt_len = MAX_POINT;
        if (EVP_PKEY_get_raw_public_key(pkey, pt, pt_len) != 1) {
            return FH_E_CRYPTO;
        }
    }
    *cp = c;
    return FH_OK;
}

/* SubjectPublicKeyInfo of an EC or Edwards key into a new OPENSSL_malloc buffer. */
static fh_rv
ec_spki(EVP_PKEY *pkey, uint8_t **out, int *out_len)
{
    const struct curve *c = NULL;
    uint8_t pt[MAX_POINT];
    size_t pt_len = 0, alg, bits, body;
    uint8_t *buf, *w;
    fh_rv rv = ec_public(pkey, &c, pt, &pt_len);

    if (rv != FH_OK) {
        return rv;
    }
    alg = der_alg(NULL, c);
    bits = der_tl(NULL, 0x03, pt_len + 1) + pt_len + 1;
    body = alg + bits;
    buf = OPENSSL_malloc(der_tl(NULL, 0x30, body) + body);
    if (buf == NULL) {
        return FH_E_NOMEM;
    }
    w = der_put(buf, 0x30, body);
    w += der_alg(w, c);
    w = der_put(w, 0x03, pt_len + 1);
    *w++ = 0x00; /* no unused bits */
    w = der_bytes(w, pt, pt_len);
    *out = buf;
    *out_len = (int)(w - buf);
    return FH_OK;
}

/* PrivateKeyInfo of an EC or Edwards key, built in secure memory. */
static fh_rv
ec_pkcs8(EVP_PKEY *pkey, fh_secret **out)
{
    const struct curve *c = NULL;
    uint8_t pt[MAX_POINT];
    size_t pt_len = 0, d_len, inner, seq = 0, a1 = 0, octet, alg, body;
    fh_secret *d = NULL, *buf = NULL;
    BIGNUM *bn = NULL;
    uint8_t *w;
    fh_rv rv = ec_public(pkey, &c, pt, &pt_len);

    if (rv != FH_OK) {
        return rv;
    }
    d_len = c->flen; /* P-256/384/521: the order has as many bytes as the field */
    rv = fh_secret_new(d_len, &d);
    if (rv != FH_OK) {
        return rv;
    }
    if (c->type == CKK_EC) {
        if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &bn) != 1 ||
            BN_bn2binpad(bn, fh_secret_data(d), (int)d_len) != (int)d_len) {
            rv = FH_E_CRYPTO;
            goto out;
        }
        a1 = der_tl(NULL, 0x03, pt_len + 1) + pt_len + 1;
        seq = 3 + der_tl(NULL, 0x04, d_len) + d_len + der_tl(NULL, 0xa1, a1) + a1;
        inner = der_tl(NULL, 0x30, seq) + seq;
    } else {
        size_t n = d_len;

        if (EVP_PKEY_get_raw_private_key(pkey, fh_secret_data(d), &n) != 1 || n != d_len) {
            rv = FH_E_CRYPTO;
            goto out;
        }
        inner = der_tl(NULL, 0x04, d_len) + d_len;
    }
    octet = der_tl(NULL, 0x04, inner) + inner;
    alg = der_alg(NULL, c);
    body = 3 + alg + octet;
    rv = fh_secret_new(der_tl(NULL, 0x30, body) + body, &buf);
    if (rv != FH_OK) {
        goto out;
    }
    w = der_put(fh_secret_data(buf), 0x30, body);
    w = der_bytes(w, (const uint8_t *)"\x02\x01\x00", 3); /* version 0 */
    w += der_alg(w, c);
    w = der_put(w, 0x04, inner);
    if (c->type == CKK_EC) {
        w = der_put(w, 0x30, seq);
        w = der_bytes(w, (const uint8_t *)"\x02\x01\x01", 3); /* ecPrivkeyVer1 */
        w = der_put(w, 0x04, d_len);
        w = der_bytes(w, fh_secret_cdata(d), d_len);
        w = der_put(w, 0xa1, a1);
        w = der_put(w, 0x03, pt_len + 1);
        *w++ = 0x00;
        w = der_bytes(w, pt, pt_len);
    } else {
        w = der_put(w, 0x04, d_len);
        w = der_bytes(w, fh_secret_cdata(d), d_len);
    }
    if ((size_t)(w - fh_secret_data(buf)) != fh_secret_len(buf)) {
        rv = FH_E_GENERAL;
        goto out;
    }
    *out = buf;
    buf = NULL;
out:
    BN_clear_free(bn);
    fh_secret_free(d);
    fh_secret_free(buf);
    return rv;
}

/* Public attributes of pkey (see the file comment) into pub. */
static fh_rv
public_attrs(EVP_PKEY *pkey, CK_KEY_TYPE type, const uint8_t *ec_params, size_t ec_params_len,
             struct fh_attrs *pub)
{
    struct fh_attrs a = FH_ATTRS_INIT;
    uint8_t *spki = NULL;
    uint8_t pt[MAX_POINT];
    uint8_t wrapped[MAX_POINT + 4];
    size_t pt_len = 0;
    int spki_len;
    const struct curve *c;
    fh_rv rv;

    if (type == CKK_RSA) {
        spki_len = i2d_PUBKEY(pkey, &spki);
    } else if (ec_spki(pkey, &spki, &spki_len) != FH_OK) {
        spki_len = 0;
    }
    if (spki_len <= 0) {
        rv = FH_E_CRYPTO;
        goto out;
    }
    if (type == CKK_RSA) {
        rv = set_bn_attr(&a, CKA_MODULUS, pkey, OSSL_PKEY_PARAM_RSA_N);
        if (rv == FH_OK) {
            rv = set_bn_attr(&a, CKA_PUBLIC_EXPONENT, pkey, OSSL_PKEY_PARAM_RSA_E);
        }
        if (rv == FH_OK) {
            rv = fh_attrs_set_ulong(&a, CKA_MODULUS_BITS, (CK_ULONG)EVP_PKEY_get_bits(pkey));
        }
        if (rv != FH_OK) {
            goto out;
        }
    } else {
        c = curve_of_pkey(pkey);
        if (c == NULL) {
            rv = FH_E_CURVE_NOT_SUPPORTED;
            goto out;
        }
        if (ec_params == NULL) {
            ec_params = c->der;
            ec_params_len = c->der_len;
        }
        if (type == CKK_EC) {
            if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt,
                                                sizeof(pt), &pt_len) != 1) {
                rv = FH_E_CRYPTO;
                goto out;
            }
        } else {
            pt_len = sizeof(pt);
            if (EVP_PKEY_get_raw_public_key(pkey, pt, &pt_len) != 1) {
                rv = FH_E_CRYPTO;
                goto out;
            }
        }
        rv = fh_attrs_set(&a, CKA_EC_PARAMS, ec_params, ec_params_len);
        if (rv == FH_OK) {
            rv = fh_attrs_set(&a, CKA_EC_POINT, wrapped, der_wrap(pt, pt_len, wrapped));
        }
        if (rv != FH_OK) {
            goto out;
        }
    }
    rv = fh_attrs_set(&a, CKA_PUBLIC_KEY_INFO, spki, (size_t)spki_len);
    if (rv != FH_OK) {
        goto out;
    }
    for (size_t i = 0; i < a.n && rv == FH_OK; i++) {
        rv = fh_attrs_set(pub, a.v[i].type, a.v[i].value, a.v[i].len);
    }
out:
    OPENSSL_free(spki);
    fh_attrs_clear(&a);
    return rv;
}

static fh_rv check_pkey(const struct fhi_soft_priv *p, EVP_PKEY *pkey, bool private_part);

/*
 * PKCS#8 DER of pkey into a new fh_secret. The encoder writes into a secure
 * scratch secret sized for the key (its own memory BIO is cleansed on free),
 * then the exact bytes are copied; EVP_PKEY2PKCS8 is avoided because it frees
 * an intermediate DER copy without cleansing it.
 */
static fh_rv
encode_pkcs8(EVP_PKEY *pkey, fh_secret **out)
{
    OSSL_ENCODER_CTX *ectx = NULL;
    fh_secret *scratch = NULL;
    uint8_t *w;
    size_t cap, room;
    int bits = EVP_PKEY_get_bits(pkey);
    fh_rv rv = FH_E_CRYPTO;

    if (bits <= 0) {
        return FH_E_CRYPTO;
    }
    if (!EVP_PKEY_is_a(pkey, "RSA")) {
        return ec_pkcs8(pkey, out);
    }
    /* RSA: n, d and five half-size CRT values plus DER overhead; EC/EdDSA: small */
    cap = EVP_PKEY_is_a(pkey, "RSA") ? (size_t)bits / 8 * 5 + 512 : 1024;
    ectx = OSSL_ENCODER_CTX_new_for_pkey(pkey, EVP_PKEY_KEYPAIR, "DER", "PrivateKeyInfo", NULL);
    if (ectx == NULL || OSSL_ENCODER_CTX_get_num_encoders(ectx) == 0) {
        goto out;
    }
    rv = fh_secret_new(cap, &scratch);
    if (rv != FH_OK) {
        goto out;
    }
    w = fh_secret_data(scratch);
    room = cap;
    if (OSSL_ENCODER_to_data(ectx, &w, &room) != 1 || room >= cap) {
        rv = FH_E_CRYPTO;
        goto out;
    }
    /* to_data advanced w and left the unused space in room */
    rv = fh_secret_from(fh_secret_cdata(scratch), cap - room, out);
out:
    fh_secret_free(scratch);
    OSSL_ENCODER_CTX_free(ectx);
    return rv;
}

/*
 * Material and public attributes of a parsed private key (unwrap path),
 * after a full key check; CKA_EC_PARAMS become the curve's canonical OID.
 */
fh_rv
fhi_soft_finish_private(const struct fhi_soft_priv *p, EVP_PKEY *pkey, CK_KEY_TYPE type,
                        fh_secret **material, struct fh_attrs *pub)
{
    fh_secret *m = NULL;
    fh_rv rv;

    /* bytes from outside (unwrap): the full consistency check, as for import */
    rv = check_pkey(p, pkey, true);
    if (rv != FH_OK) {
        return rv;
    }
    rv = encode_pkcs8(pkey, &m);
    if (rv == FH_OK && pub != NULL) {
        rv = public_attrs(pkey, type, NULL, 0, pub);
    }
    if (rv != FH_OK) {
        fh_secret_free(m);
        return rv;
    }
    *material = m;
    return FH_OK;
}

/*
 * Parses PKCS#8 material: the fast DER path first (soft_parse.c), then
 * OpenSSL's decoder. The result must be of the requested key type and, for
 * EC and Edwards, on a supported curve.
 */
fh_rv
fhi_soft_parse_pkcs8(const struct fhi_soft_priv *p, const uint8_t *der, size_t len,
                     CK_KEY_TYPE type, EVP_PKEY **out)
{
    PKCS8_PRIV_KEY_INFO *p8 = NULL;
    EVP_PKEY *pkey = NULL;
    const uint8_t *q = der;
    fh_rv rv = FH_E_ATTR_VALUE_INVALID;

    if (der == NULL || len == 0 || len > (size_t)INT32_MAX) {
        return FH_E_ATTR_VALUE_INVALID;
    }
    if (fhi_soft_fast_pkcs8(p, der, len, &pkey)) {
        /* the fast path knows only the supported curves */
        if (!fhi_soft_pkey_is(pkey, type)) {
            goto out;
        }
        *out = pkey;
        return FH_OK;
    }
    p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &q, (long)len);
    if (p8 == NULL || q != der + len) {
        goto out;
    }
    pkey = EVP_PKCS82PKEY_ex(p8, p->libctx, NULL);
    if (pkey == NULL || !fhi_soft_pkey_is(pkey, type)) {
        goto out;
    }
    if (type != CKK_RSA && curve_of_pkey(pkey) == NULL) {
        rv = FH_E_CURVE_NOT_SUPPORTED;
        goto out;
    }
    *out = pkey;
    pkey = NULL;
    rv = FH_OK;
out:
    EVP_PKEY_free(pkey);
    PKCS8_PRIV_KEY_INFO_free(p8);
    return rv;
}

/*
 * The EVP_PKEY an operation works with. Signing and decryption need the
 * private material; verification and encryption use the SPKI, which the core
 * passes for public and private keys alike. Undecodable or mismatched keys
 * are FH_E_KEY_TYPE_INCONSISTENT: the core stored them, so the caller cannot
 * fix the input.
 */
fh_rv
fhi_soft_load_key(const struct fhi_soft_priv *p, const struct fh_bkey *key, bool want_private,
                  EVP_PKEY **out)
{
    EVP_PKEY *pkey = NULL;
    const uint8_t *q;

    if (key->prepared != NULL) {
        const struct fhi_soft_prepared *pp = key->prepared;

        if (pp->pkey != NULL && (pp->is_private || !want_private)) {
            if (EVP_PKEY_up_ref(pp->pkey) != 1) {
                return FH_E_CRYPTO;
            }
            *out = pp->pkey;
            return FH_OK;
        }
    }
    if (key->material != NULL && (want_private || key->spki == NULL)) {
        if (key->cls != CKO_PRIVATE_KEY) {
            return FH_E_KEY_TYPE_INCONSISTENT;
        }
        /* material the core stored for this key: a parse failure is internal */
        if (fhi_soft_parse_pkcs8(p, fh_secret_cdata(key->material),
                                 fh_secret_len(key->material), key->type, &pkey) != FH_OK) {
            return FH_E_KEY_TYPE_INCONSISTENT;
        }
        *out = pkey;
        return FH_OK;
    }
    if (want_private || key->spki == NULL || key->spki_len == 0 ||
        key->spki_len > (size_t)INT32_MAX) {
        return FH_E_KEY_TYPE_INCONSISTENT;
    }
    q = key->spki;
    if (!fhi_soft_fast_spki(p, key->spki, key->spki_len, &pkey)) {
        pkey = d2i_PUBKEY_ex(NULL, &q, (long)key->spki_len, p->libctx, NULL);
        if (pkey != NULL && q != key->spki + key->spki_len) {
            EVP_PKEY_free(pkey);
            pkey = NULL;
        }
    }
    if (pkey == NULL || !fhi_soft_pkey_is(pkey, key->type)) {
        EVP_PKEY_free(pkey);
        return FH_E_KEY_TYPE_INCONSISTENT;
    }
    *out = pkey;
    return FH_OK;
}

/* ---- generation ---- */

/* Random secret key: AES 16/24/32 bytes, generic secret 1..512 bytes. */
static fh_rv
gen_secret(const struct fhi_soft_priv *p, const struct fh_keygen_params *kp, fh_secret **out)
{
    fh_secret *s = NULL;
    fh_rv rv;

    if (kp->type == CKK_AES) {
        if (fhi_soft_aes_index(kp->value_len) < 0) {
            return FH_E_KEY_SIZE_RANGE;
        }
    } else if (kp->value_len < 1 || kp->value_len > 512) {
        return FH_E_KEY_SIZE_RANGE;
    }
    rv = fh_secret_new(kp->value_len, &s);
    if (rv != FH_OK) {
        return rv;
    }
    if (RAND_bytes_ex(p->libctx, fh_secret_data(s), kp->value_len, 0) != 1) {
        fh_secret_free(s);
        return FH_E_CRYPTO;
    }
    *out = s;
    return FH_OK;
}

/*
 * Key pair generation in the instance's library context. RSA: 1024..16384
 * bits in steps of 8 (the core applies the policy range), optional public
 * exponent (odd, > 1). EC/Edwards: a curve from the table.
 */
static fh_rv
gen_pkey(const struct fhi_soft_priv *p, const struct fh_keygen_params *kp, EVP_PKEY **out)
{
    EVP_PKEY_CTX *ctx = NULL;
    BIGNUM *e = NULL;
    const struct curve *c = NULL;
    const char *alg = "RSA";
    fh_rv rv = FH_E_CRYPTO;

    if (kp->type == CKK_RSA) {
        if (kp->modulus_bits < 1024 || kp->modulus_bits > 16384 || kp->modulus_bits % 8 != 0) {
            return FH_E_KEY_SIZE_RANGE;
        }
        if (kp->public_exponent != NULL) {
            if (kp->public_exponent_len == 0 || kp->public_exponent_len > 8) {
                return FH_E_ATTR_VALUE_INVALID;
            }
            e = BN_bin2bn(kp->public_exponent, (int)kp->public_exponent_len, NULL);
            if (e == NULL) {
                return FH_E_NOMEM;
            }
            /* odd and at least 3 (SP 800-56B wants > 2^16, OpenSSL enforces its own floor) */
            if (!BN_is_odd(e) || BN_is_one(e)) {
                rv = FH_E_ATTR_VALUE_INVALID;
                goto out;
            }
        }
    } else {
        c = curve_by_params(kp->ec_params, kp->ec_params_len);
        if (c == NULL || c->type != kp->type) {
            return FH_E_CURVE_NOT_SUPPORTED;
        }
        alg = c->type == CKK_EC ? "EC" : c->name;
    }
    ctx = EVP_PKEY_CTX_new_from_name(p->libctx, alg, NULL);
    if (ctx == NULL || EVP_PKEY_keygen_init(ctx) != 1) {
        goto out;
    }
    if (kp->type == CKK_RSA) {
        if (EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, (int)kp->modulus_bits) != 1) {
            rv = FH_E_KEY_SIZE_RANGE;
            goto out;
        }
        if (e != NULL && EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx, e) != 1) {
            rv = FH_E_ATTR_VALUE_INVALID;
            goto out;
        }
    } else if (kp->type == CKK_EC) {
        if (EVP_PKEY_CTX_set_group_name(ctx, c->name) != 1) {
            goto out;
        }
    }
    if (EVP_PKEY_generate(ctx, out) != 1) {
        goto out;
    }
    rv = FH_OK;
out:
    BN_free(e);
    EVP_PKEY_CTX_free(ctx);
    return rv;
}

/*
 * backend.h generate: checks that the mechanism matches the key type, then
 * produces raw secret material or PKCS#8 material plus public attributes.
 */
fh_rv
fhi_soft_generate(void *priv, const CK_MECHANISM *mech, const struct fh_keygen_params *kp,
                  fh_secret **material, struct fh_attrs *pub)
{
    const struct fhi_soft_priv *p = priv;
    EVP_PKEY *pkey = NULL;
    CK_KEY_TYPE want;
    fh_secret *m = NULL;
    fh_rv rv;

    if (p == NULL || mech == NULL || kp == NULL || material == NULL) {
        return FH_E_ARGS;
    }
    switch (mech->mechanism) {
    case CKM_AES_KEY_GEN:
        want = CKK_AES;
        break;
    case CKM_GENERIC_SECRET_KEY_GEN:
        want = CKK_GENERIC_SECRET;
        break;
    case CKM_RSA_PKCS_KEY_PAIR_GEN:
        want = CKK_RSA;
        break;
    case CKM_EC_KEY_PAIR_GEN:
        want = CKK_EC;
        break;
    case CKM_EC_EDWARDS_KEY_PAIR_GEN:
        want = CKK_EC_EDWARDS;
        break;
    default:
        return FH_E_MECH_INVALID;
    }
    if (kp->type != want) {
        return FH_E_TEMPLATE_INCONSISTENT;
    }
    if (mech->ulParameterLen != 0) {
        return FH_E_MECH_PARAM_INVALID;
    }
    if (want == CKK_AES || want == CKK_GENERIC_SECRET) {
        return gen_secret(p, kp, material);
    }
    if (pub == NULL) {
        return FH_E_ARGS;
    }
    rv = gen_pkey(p, kp, &pkey);
    if (rv != FH_OK) {
        goto out;
    }
    rv = encode_pkcs8(pkey, &m);
    if (rv != FH_OK) {
        goto out;
    }
    /* CKA_EC_PARAMS are reported exactly as the caller gave them */
    rv = public_attrs(pkey, want, kp->ec_params, kp->ec_params_len, pub);
    if (rv != FH_OK) {
        goto out;
    }
    *material = m;
    m = NULL;
out:
    fh_secret_free(m);
    EVP_PKEY_free(pkey);
    return rv;
}

/* ---- import ---- */

/* A present, non-empty attribute, or NULL. */
static const struct fh_attr *
need(const struct fh_attrs *in, CK_ATTRIBUTE_TYPE t)
{
    const struct fh_attr *a = fh_attrs_get(in, t);

    return (a != NULL && a->len > 0) ? a : NULL;
}

/* Push a big-endian attribute as a BIGNUM (secure for private parts). */
static fh_rv
push_bn(OSSL_PARAM_BLD *bld, const char *name, const struct fh_attr *a, bool secret,
        BIGNUM **keep)
{
    BIGNUM *bn = secret ? BN_secure_new() : BN_new();

    if (bn == NULL) {
        return FH_E_NOMEM;
    }
    *keep = bn;
    if (a->len > 2048 || BN_bin2bn(a->value, (int)a->len, bn) == NULL) {
        return FH_E_ATTR_VALUE_INVALID;
    }
    if (OSSL_PARAM_BLD_push_BN(bld, name, bn) != 1) {
        return FH_E_NOMEM;
    }
    return FH_OK;
}

/*
 * Builds a key from an OSSL_PARAM builder; FH_E_ATTR_VALUE_INVALID when
 * OpenSSL refuses the components.
 */
static fh_rv
pkey_fromdata(const struct fhi_soft_priv *p, const char *alg, int selection, OSSL_PARAM_BLD *bld,
              EVP_PKEY **out)
{
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = NULL;
    fh_rv rv = FH_E_ATTR_VALUE_INVALID;

    if (params == NULL) {
        return FH_E_NOMEM;
    }
    ctx = EVP_PKEY_CTX_new_from_name(p->libctx, alg, NULL);
    if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1) {
        rv = FH_E_CRYPTO;
        goto out;
    }
    if (EVP_PKEY_fromdata(ctx, out, selection, params) != 1) {
        goto out;
    }
    rv = FH_OK;
out:
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params); /* clears the secure block holding private BNs */
    return rv;
}

/* Full consistency check of a parsed key (primes, pairwise, point on curve). */
static fh_rv
check_pkey(const struct fhi_soft_priv *p, EVP_PKEY *pkey, bool private_part)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(p->libctx, pkey, NULL);
    int ok;

    if (ctx == NULL) {
        return FH_E_NOMEM;
    }
    ok = private_part ? EVP_PKEY_check(ctx) : EVP_PKEY_public_check(ctx);
    EVP_PKEY_CTX_free(ctx);
    return ok == 1 ? FH_OK : FH_E_ATTR_VALUE_INVALID;
}

/*
 * RSA key from CKA_MODULUS/CKA_PUBLIC_EXPONENT and, for a private key,
 * the private exponent and CRT components (all required). The full
 * EVP_PKEY_check (primes, pairwise consistency) turns a set of numbers that
 * is not a key into FH_E_ATTR_VALUE_INVALID.
 */
static fh_rv
import_rsa(const struct fhi_soft_priv *p, bool priv_key, const struct fh_attrs *in,
           EVP_PKEY **out)
{
    static const struct {
        CK_ATTRIBUTE_TYPE t;
        const char *name;
    } parts[] = {
        {CKA_MODULUS, OSSL_PKEY_PARAM_RSA_N},
        {CKA_PUBLIC_EXPONENT, OSSL_PKEY_PARAM_RSA_E},
        {CKA_PRIVATE_EXPONENT, OSSL_PKEY_PARAM_RSA_D},
        {CKA_PRIME_1, OSSL_PKEY_PARAM_RSA_FACTOR1},
        {CKA_PRIME_2, OSSL_PKEY_PARAM_RSA_FACTOR2},
        {CKA_EXPONENT_1, OSSL_PKEY_PARAM_RSA_EXPONENT1},
        {CKA_EXPONENT_2, OSSL_PKEY_PARAM_RSA_EXPONENT2},
        {CKA_COEFFICIENT, OSSL_PKEY_PARAM_RSA_COEFFICIENT1},
    };
    BIGNUM *bn[8] = {NULL};
    size_t n = priv_key ? 8 : 2;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    fh_rv rv = FH_OK;

    if (bld == NULL) {
        return FH_E_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        const struct fh_attr *a = need(in, parts[i].t);

        if (a == NULL) {
            rv = FH_E_TEMPLATE_INCOMPLETE;
            goto out;
        }
        rv = push_bn(bld, parts[i].name, a, i >= 2, &bn[i]);
        if (rv != FH_OK) {
            goto out;
        }
    }
    rv = pkey_fromdata(p, "RSA", priv_key ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, bld, out);
    if (rv == FH_OK && EVP_PKEY_get_bits(*out) < 512) {
        rv = FH_E_KEY_SIZE_RANGE;
    }
    if (rv == FH_OK) {
        rv = check_pkey(p, *out, priv_key);
    }
    if (rv != FH_OK && *out != NULL) {
        EVP_PKEY_free(*out);
        *out = NULL;
    }
out:
    for (size_t i = 0; i < 8; i++) {
        BN_clear_free(bn[i]);
    }
    OSSL_PARAM_BLD_free(bld);
    return rv;
}

/* EC private key from the scalar d: checks 0 < d < n and computes Q = dG. */
static fh_rv
import_ec_private(const struct fhi_soft_priv *p, const struct curve *c, const struct fh_attr *d,
                  EVP_PKEY **out)
{
    EC_GROUP *grp = NULL;
    EC_POINT *q = NULL;
    BIGNUM *k = NULL;
    BN_CTX *bnctx = NULL;
    OSSL_PARAM_BLD *bld = NULL;
    uint8_t pt[MAX_POINT];
    size_t pt_len;
    fh_rv rv = FH_E_ATTR_VALUE_INVALID;

    if (d->len > c->flen) {
        return FH_E_ATTR_VALUE_INVALID;
    }
    grp = EC_GROUP_new_by_curve_name_ex(p->libctx, NULL, c->nid);
    k = BN_secure_new();
    bnctx = BN_CTX_secure_new_ex(p->libctx);
    bld = OSSL_PARAM_BLD_new();
    if (grp == NULL || k == NULL || bnctx == NULL || bld == NULL) {
        rv = FH_E_NOMEM;
        goto out;
    }
    if (BN_bin2bn(d->value, (int)d->len, k) == NULL || BN_is_zero(k) ||
        BN_cmp(k, EC_GROUP_get0_order(grp)) >= 0) {
        goto out;
    }
    q = EC_POINT_new(grp);
    if (q == NULL || EC_POINT_mul(grp, q, k, NULL, NULL, bnctx) != 1) {
        rv = FH_E_CRYPTO;
        goto out;
    }
    pt_len = EC_POINT_point2oct(grp, q, POINT_CONVERSION_UNCOMPRESSED, pt, sizeof(pt), bnctx);
    if (pt_len == 0) {
        rv = FH_E_CRYPTO;
        goto out;
    }
    if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, c->name, 0) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, k) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt, pt_len) != 1) {
        rv = FH_E_NOMEM;
        goto out;
    }
    rv = pkey_fromdata(p, "EC", EVP_PKEY_KEYPAIR, bld, out);
out:
    OSSL_PARAM_BLD_free(bld);
    EC_POINT_free(q);
    BN_CTX_free(bnctx);
    BN_clear_free(k);
    EC_GROUP_free(grp);
    return rv;
}

/* EC or Edwards public key from CKA_EC_POINT (raw or DER-wrapped). */
static fh_rv
import_ec_public(const struct fhi_soft_priv *p, const struct curve *c, const uint8_t *in,
                 size_t len, EVP_PKEY **out)
{
    OSSL_PARAM_BLD *bld = NULL;
    const uint8_t *pt = NULL;
    size_t pt_len = 0;
    fh_rv rv;

    rv = point_bytes(c, in, len, &pt, &pt_len);
    if (rv != FH_OK) {
        return rv;
    }
    if (c->type == CKK_EC_EDWARDS) {
        *out = EVP_PKEY_new_raw_public_key_ex(p->libctx, c->name, NULL, pt, pt_len);
        return *out != NULL ? FH_OK : FH_E_ATTR_VALUE_INVALID;
    }
    bld = OSSL_PARAM_BLD_new();
    if (bld == NULL) {
        return FH_E_NOMEM;
    }
    if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, c->name, 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt, pt_len) != 1) {
        rv = FH_E_NOMEM;
        goto out;
    }
    /* the EC import decodes the point and refuses one that is not on the curve */
    rv = pkey_fromdata(p, "EC", EVP_PKEY_PUBLIC_KEY, bld, out);
    if (rv == FH_OK) {
        rv = check_pkey(p, *out, false);
        if (rv != FH_OK) {
            EVP_PKEY_free(*out);
            *out = NULL;
        }
    }
out:
    OSSL_PARAM_BLD_free(bld);
    return rv;
}

/* The peer key of an ECDH derivation, on the base key's curve. */
fh_rv
fhi_soft_ec_peer(const struct fhi_soft_priv *p, const EVP_PKEY *base, const uint8_t *pt,
                 size_t pt_len, EVP_PKEY **out)
{
    const struct curve *c = curve_of_pkey(base);

    if (c == NULL || c->type != CKK_EC) {
        return FH_E_KEY_TYPE_INCONSISTENT;
    }
    return import_ec_public(p, c, pt, pt_len, out);
}

/* Secret key from CKA_VALUE: AES 16/24/32 bytes, generic secret >= 1 byte. */
static fh_rv
import_secret(CK_KEY_TYPE type, const struct fh_attrs *in, fh_secret **material)
{
    const struct fh_attr *v = fh_attrs_get(in, CKA_VALUE);

    if (v == NULL) {
        return FH_E_TEMPLATE_INCOMPLETE;
    }
    if (type == CKK_AES) {
        if (fhi_soft_aes_index(v->len) < 0) {
            return FH_E_ATTR_VALUE_INVALID;
        }
    } else if (type == CKK_GENERIC_SECRET) {
        if (v->len == 0) {
            return FH_E_ATTR_VALUE_INVALID;
        }
    } else {
        return FH_E_TEMPLATE_INCONSISTENT;
    }
    return fh_secret_from(v->value, v->len, material);
}

/*
 * backend.h import (C_CreateObject). Dispatches on class and type; a
 * private key given as CKA_VALUE without its other components is PKCS#8.
 */
fh_rv
fhi_soft_import(void *priv, CK_OBJECT_CLASS cls, CK_KEY_TYPE type, const struct fh_attrs *in,
                fh_secret **material, struct fh_attrs *pub)
{
    const struct fhi_soft_priv *p = priv;
    const struct fh_attr *params, *value, *point;
    const struct curve *c = NULL;
    EVP_PKEY *pkey = NULL;
    fh_secret *m = NULL;
    fh_rv rv;

    if (p == NULL || in == NULL || material == NULL) {
        return FH_E_ARGS;
    }
    if (cls == CKO_SECRET_KEY) {
        return import_secret(type, in, material);
    }
    if ((cls != CKO_PRIVATE_KEY && cls != CKO_PUBLIC_KEY) ||
        (type != CKK_RSA && type != CKK_EC && type != CKK_EC_EDWARDS)) {
        return FH_E_TEMPLATE_INCONSISTENT;
    }
    if (pub == NULL) {
        return FH_E_ARGS;
    }
    params = need(in, CKA_EC_PARAMS);
    value = need(in, CKA_VALUE);
    if (type != CKK_RSA && params != NULL) {
        c = curve_by_params(params->value, params->len);
        if (c == NULL || c->type != type) {
            return FH_E_CURVE_NOT_SUPPORTED;
        }
    }
    if (cls == CKO_PRIVATE_KEY && value != NULL &&
        ((type == CKK_RSA && fh_attrs_get(in, CKA_MODULUS) == NULL) ||
         (type != CKK_RSA && params == NULL))) {
        /* PKCS#8 PrivateKeyInfo in CKA_VALUE (unwrap, CLI import) */
        rv = fhi_soft_parse_pkcs8(p, value->value, value->len, type, &pkey);
        if (rv == FH_OK) {
            rv = check_pkey(p, pkey, true);
        }
        if (rv != FH_OK) {
            goto out;
        }
        rv = encode_pkcs8(pkey, &m);
        if (rv == FH_OK) {
            rv = public_attrs(pkey, type, NULL, 0, pub);
        }
        goto done;
    }
    point = need(in, CKA_EC_POINT);
    if (type == CKK_RSA) {
        rv = import_rsa(p, cls == CKO_PRIVATE_KEY, in, &pkey);
    } else if (c == NULL || (cls == CKO_PUBLIC_KEY ? point == NULL : value == NULL)) {
        rv = FH_E_TEMPLATE_INCOMPLETE;
    } else if (cls == CKO_PUBLIC_KEY) {
        rv = import_ec_public(p, c, point->value, point->len, &pkey);
    } else if (type == CKK_EC) {
        rv = import_ec_private(p, c, value, &pkey);
    } else if (value->len != c->flen) {
        rv = FH_E_ATTR_VALUE_INVALID;
    } else {
        /* RFC 8032: the private key is the 32/57-byte seed */
        pkey = EVP_PKEY_new_raw_private_key_ex(p->libctx, c->name, NULL, value->value,
                                               value->len);
        rv = pkey != NULL ? FH_OK : FH_E_ATTR_VALUE_INVALID;
    }
    if (rv != FH_OK) {
        goto out;
    }
    if (cls == CKO_PRIVATE_KEY) {
        rv = encode_pkcs8(pkey, &m);
        if (rv != FH_OK) {
            goto out;
        }
    }
    rv = public_attrs(pkey, type, params != NULL ? params->value : NULL,
                      params != NULL ? params->len : 0, pub);
done:
    if (rv != FH_OK) {
        goto out;
    }
    *material = m;
    m = NULL;
out:
    fh_secret_free(m);
    EVP_PKEY_free(pkey);
    return rv;
}

/* ---- export of readable private keys ---- */

fh_rv
fhi_soft_export_private(void *priv, const struct fh_bkey *key, struct fh_attrs *out)
{
    static const struct {
        CK_ATTRIBUTE_TYPE type;
        const char *param;
    } rsa[] = {
        {CKA_MODULUS, OSSL_PKEY_PARAM_RSA_N},
        {CKA_PUBLIC_EXPONENT, OSSL_PKEY_PARAM_RSA_E},
        {CKA_PRIVATE_EXPONENT, OSSL_PKEY_PARAM_RSA_D},
        {CKA_PRIME_1, OSSL_PKEY_PARAM_RSA_FACTOR1},
        {CKA_PRIME_2, OSSL_PKEY_PARAM_RSA_FACTOR2},
        {CKA_EXPONENT_1, OSSL_PKEY_PARAM_RSA_EXPONENT1},
        {CKA_EXPONENT_2, OSSL_PKEY_PARAM_RSA_EXPONENT2},
        {CKA_COEFFICIENT, OSSL_PKEY_PARAM_RSA_COEFFICIENT1},
    };
    const struct fhi_soft_priv *p = priv;
    const struct curve *c;
    EVP_PKEY *pkey = NULL;
    BIGNUM *d = NULL;
    uint8_t buf[128];
    size_t len = sizeof(buf);
    fh_rv rv;

    if (key == NULL || out == NULL || key->cls != CKO_PRIVATE_KEY) {
        return FH_E_ARGS;
    }
    rv = fhi_soft_load_key(p, key, true, &pkey);
    if (rv != FH_OK) {
        return rv;
    }
    switch (key->type) {
    case CKK_RSA:
        for (size_t i = 0; i < sizeof(rsa) / sizeof(rsa[0]) && rv == FH_OK; i++) {
            rv = set_bn_attr(out, rsa[i].type, pkey, rsa[i].param);
        }
        break;
    case CKK_EC:
        c = curve_of_pkey(pkey);
        if (c == NULL || c->flen > sizeof(buf) ||
            EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d) != 1 ||
            BN_bn2binpad(d, buf, (int)c->flen) != (int)c->flen) {
            rv = FH_E_CRYPTO;
            break;
        }
        rv = fh_attrs_set(out, CKA_VALUE, buf, c->flen);
        break;
    case CKK_EC_EDWARDS:
        if (EVP_PKEY_get_raw_private_key(pkey, buf, &len) != 1) {
            rv = FH_E_CRYPTO;
            break;
        }
        rv = fh_attrs_set(out, CKA_VALUE, buf, len);
        break;
    default:
        rv = FH_E_KEY_TYPE_INCONSISTENT;
        break;
    }
    OPENSSL_cleanse(buf, sizeof(buf));
    BN_clear_free(d);
    EVP_PKEY_free(pkey);
    return rv;
}

/* ---- prepared keys ---- */

fh_rv
fhi_soft_key_prepare(void *priv, const struct fh_bkey *key, void **out)
{
    const struct fhi_soft_priv *p = priv;
    struct fhi_soft_prepared *pp;
    struct fh_bkey plain;
    EVP_PKEY *pkey = NULL;
    fh_rv rv;

    if (key == NULL || out == NULL) {
        return FH_E_ARGS;
    }
    *out = NULL;
    /* AES and HMAC keys have nothing to parse; their prepared key only
     * keeps finished operation contexts for reuse */
    if (key->cls != CKO_SECRET_KEY) {
        plain = *key;
        plain.prepared = NULL;
        rv = fhi_soft_load_key(p, &plain, key->cls == CKO_PRIVATE_KEY, &pkey);
        if (rv != FH_OK) {
            return rv;
        }
    }
    pp = aligned_alloc(FHI_SOFT_LINE, sizeof(*pp)); /* a multiple of the line */
    if (pp == NULL) {
        EVP_PKEY_free(pkey);
        return FH_E_NOMEM;
    }
    memset(pp, 0, sizeof(*pp));
    for (size_t k = 0; k < FHI_SOFT_STRIPES; k++) {
        if (pthread_mutex_init(&pp->stripe[k].lock, NULL) != 0) {
            while (k-- > 0) {
                pthread_mutex_destroy(&pp->stripe[k].lock);
            }
            free(pp);
            EVP_PKEY_free(pkey);
            return FH_E_NOMEM;
        }
    }
    pp->pkey = pkey;
    pp->is_private = key->cls == CKO_PRIVATE_KEY;
    pp->refs = 1; /* the core's */
    *out = pp;
    return FH_OK;
}

void
fhi_soft_key_release(void *priv, void *prepared)
{
    fhi_soft_prepared_retire(prepared);
}
