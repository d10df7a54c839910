/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pubkey.c - public keys in and out of the REST server (see pubkey.h).
 *
 * Public keys leave the server as SubjectPublicKeyInfo PEM (RFC 7468
 * "PUBLIC KEY") and as a JWK (RFC 7517/7518; OKP keys RFC 8037), both made
 * from CKA_PUBLIC_KEY_INFO with OpenSSL. Public keys enter as PEM and become
 * PKCS#11 attributes: CKA_MODULUS/CKA_PUBLIC_EXPONENT, or CKA_EC_PARAMS (the
 * curve OID) and CKA_EC_POINT (a DER OCTET STRING, PKCS#11 v3.0 §2.3.3), on
 * the public-key template of libferrohsm (newkey.h) that generation uses.
 *
 * No state: OpenSSL objects live for one call.
 */
#include "pubkey.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "ferrohsm/describe.h"
#include "ferrohsm/newkey.h"

#include "keys.h"

/* base64url without padding (RFC 7515 §2), as JWK members need. */
static json_t *
b64url_json(const uint8_t *p, size_t n)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char *s = malloc(n / 3 * 4 + 5);
    size_t o = 0, i = 0;
    json_t *j;

    if (s == NULL) {
        return NULL;
    }
    for (; i + 3 <= n; i += 3) {
        uint32_t w = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];

        s[o++] = a[w >> 18 & 63];
        s[o++] = a[w >> 12 & 63];
        s[o++] = a[w >> 6 & 63];
        s[o++] = a[w & 63];
    }
    if (n - i == 1) {
        uint32_t w = (uint32_t)p[i] << 16;

        s[o++] = a[w >> 18 & 63];
        s[o++] = a[w >> 12 & 63];
    } else if (n - i == 2) {
        uint32_t w = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;

        s[o++] = a[w >> 18 & 63];
        s[o++] = a[w >> 12 & 63];
        s[o++] = a[w >> 6 & 63];
    }
    s[o] = '\0';
    j = json_string(s);
    free(s);
    return j;
}

json_t *
srv_spki_pem_json(const uint8_t *der, size_t len)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *pem = NULL;
    long pem_len;
    json_t *j = NULL;

    if (bio == NULL) {
        return NULL;
    }
    if (len <= (size_t)LONG_MAX && PEM_write_bio(bio, "PUBLIC KEY", "", der, (long)len) > 0) {
        pem_len = BIO_get_mem_data(bio, &pem);
        if (pem_len > 0) {
            j = json_stringn(pem, (size_t)pem_len);
        }
    }
    BIO_free(bio);
    return j;
}

static EVP_PKEY *
spki_parse(const uint8_t *der, size_t len)
{
    const unsigned char *p = der;
    EVP_PKEY *pkey;

    if (len == 0 || len > (size_t)LONG_MAX) {
        return NULL;
    }
    pkey = d2i_PUBKEY(NULL, &p, (long)len);
    if (pkey != NULL && p != der + len) {
        EVP_PKEY_free(pkey); /* trailing bytes: not one SubjectPublicKeyInfo */
        pkey = NULL;
    }
    return pkey;
}

/* A BIGNUM parameter as big-endian bytes padded to width (0: minimal), as base64url. */
static json_t *
bn_param_json(const EVP_PKEY *pkey, const char *param, int width)
{
    BIGNUM *bn = NULL;
    unsigned char buf[1024];
    int n;
    json_t *j = NULL;

    if (EVP_PKEY_get_bn_param(pkey, param, &bn) != 1) {
        return NULL;
    }
    n = width > 0 ? width : BN_num_bytes(bn);
    if (n > 0 && n <= (int)sizeof(buf) && BN_bn2binpad(bn, buf, n) == n) {
        j = b64url_json(buf, (size_t)n);
    }
    BN_free(bn);
    return j;
}

/* EC group names OpenSSL reports, with the JWK curve names (RFC 7518 §6.2.1.1). */
static const struct {
    const char *ossl;
    const char *jwk;
    const char *curve;
    int flen;
} ec_names[] = {
    {"prime256v1", "P-256", "ec-p256", 32},
    {"secp384r1", "P-384", "ec-p384", 48},
    {"secp521r1", "P-521", "ec-p521", 66},
};

static int
ec_name_index(const EVP_PKEY *pkey)
{
    char group[64];

    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                       NULL) != 1) {
        return -1;
    }
    for (size_t i = 0; i < sizeof(ec_names) / sizeof(ec_names[0]); i++) {
        if (strcmp(group, ec_names[i].ossl) == 0) {
            return (int)i;
        }
    }
    return -1;
}

json_t *
srv_spki_jwk_json(const uint8_t *der, size_t len, const uint8_t *id, size_t id_len)
{
    EVP_PKEY *pkey = spki_parse(der, len);
    json_t *o = json_object();
    bool ok = pkey != NULL && o != NULL;

    if (!ok) {
        goto out;
    }
    if (EVP_PKEY_is_a(pkey, "RSA")) {
        fh_shape_set(o, "kty", json_string("RSA"), &ok);
        fh_shape_set(o, "n", bn_param_json(pkey, OSSL_PKEY_PARAM_RSA_N, 0), &ok);
        fh_shape_set(o, "e", bn_param_json(pkey, OSSL_PKEY_PARAM_RSA_E, 0), &ok);
    } else if (EVP_PKEY_is_a(pkey, "EC")) {
        int i = ec_name_index(pkey);

        ok = i >= 0;
        if (ok) {
            fh_shape_set(o, "kty", json_string("EC"), &ok);
            fh_shape_set(o, "crv", json_string(ec_names[i].jwk), &ok);
            fh_shape_set(o, "x", bn_param_json(pkey, OSSL_PKEY_PARAM_EC_PUB_X, ec_names[i].flen),
                         &ok);
            fh_shape_set(o, "y", bn_param_json(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, ec_names[i].flen),
                         &ok);
        }
    } else if (EVP_PKEY_is_a(pkey, "ED25519") || EVP_PKEY_is_a(pkey, "ED448")) {
        unsigned char raw[64];
        size_t raw_len = sizeof(raw);

        ok = EVP_PKEY_get_raw_public_key(pkey, raw, &raw_len) == 1;
        fh_shape_set(o, "kty", json_string("OKP"), &ok);
        fh_shape_set(o, "crv", json_string(EVP_PKEY_is_a(pkey, "ED25519") ? "Ed25519" : "Ed448"),
                     &ok);
        if (ok) {
            fh_shape_set(o, "x", b64url_json(raw, raw_len), &ok);
        }
    } else {
        ok = false;
    }
    if (ok && id_len > 0) {
        fh_shape_set(o, "kid", fh_shape_hex(id, id_len), &ok);
    }
out:
    EVP_PKEY_free(pkey);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

fh_rv
srv_pem_to_spki(const char *pem, uint8_t **der, size_t *der_len)
{
    BIO *bio;
    EVP_PKEY *pkey = NULL;
    unsigned char *d = NULL;
    size_t len = strlen(pem);
    int n;
    fh_rv rv = FH_E_DATA_INVALID;

    if (len == 0 || len > SRV_KEY_PEM_MAX) {
        return FH_E_DATA_INVALID;
    }
    bio = BIO_new_mem_buf(pem, (int)len);
    if (bio == NULL) {
        return FH_E_NOMEM;
    }
    pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
    if (pkey == NULL) {
        goto out;
    }
    n = i2d_PUBKEY(pkey, &d);
    if (n <= 0) {
        goto out;
    }
    *der = malloc((size_t)n);
    if (*der == NULL) {
        rv = FH_E_NOMEM;
        goto out;
    }
    memcpy(*der, d, (size_t)n);
    *der_len = (size_t)n;
    rv = FH_OK;
out:
    OPENSSL_free(d);
    EVP_PKEY_free(pkey);
    BIO_free(bio);
    return rv;
}

/* 0x04 || X || Y of an EC key, into buf (at least 1 + 2 * 66 bytes). */
static fh_rv
ec_point(const EVP_PKEY *pkey, int flen, uint8_t *buf, size_t *len)
{
    BIGNUM *x = NULL, *y = NULL;
    fh_rv rv = FH_E_DATA_INVALID;

    if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x) == 1 &&
        EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y) == 1 &&
        BN_bn2binpad(x, buf + 1, flen) == flen && BN_bn2binpad(y, buf + 1 + flen, flen) == flen) {
        buf[0] = 0x04;
        *len = 1 + 2 * (size_t)flen;
        rv = FH_OK;
    }
    BN_free(x);
    BN_free(y);
    return rv;
}

fh_rv
srv_spki_ec_point(const uint8_t *spki, size_t spki_len, uint8_t **pt, size_t *pt_len)
{
    EVP_PKEY *pkey = spki_parse(spki, spki_len);
    uint8_t buf[1 + 2 * 66];
    size_t len = 0;
    int i;
    fh_rv rv;

    if (pkey == NULL) {
        return FH_E_DATA_INVALID;
    }
    if (!EVP_PKEY_is_a(pkey, "EC")) {
        EVP_PKEY_free(pkey);
        return FH_E_KEY_TYPE_INCONSISTENT;
    }
    i = ec_name_index(pkey);
    rv = i >= 0 ? ec_point(pkey, ec_names[i].flen, buf, &len) : FH_E_CURVE_NOT_SUPPORTED;
    EVP_PKEY_free(pkey);
    if (rv != FH_OK) {
        return rv;
    }
    *pt = malloc(len);
    if (*pt == NULL) {
        return FH_E_NOMEM;
    }
    memcpy(*pt, buf, len);
    *pt_len = len;
    return FH_OK;
}

/* DER OCTET STRING around data[0..len) (len < 256), into out (len + 3 bytes). */
static size_t
der_octets(const uint8_t *data, size_t len, uint8_t *out)
{
    size_t h = 2;

    out[0] = 0x04;
    if (len < 0x80) {
        out[1] = (uint8_t)len;
    } else {
        out[1] = 0x81;
        out[2] = (uint8_t)len;
        h = 3;
    }
    memcpy(out + h, data, len);
    return h + len;
}

fh_rv
srv_key_create_public(fh_session *s, const uint8_t *spki, size_t spki_len,
                      const struct fh_newkey *nk, CK_OBJECT_HANDLE *out)
{
    EVP_PKEY *pkey = spki_parse(spki, spki_len);
    BIGNUM *n = NULL, *e = NULL;
    uint8_t *mod = NULL, *exp = NULL, pt[1 + 2 * 66], ec_pt[3 + sizeof(pt)];
    size_t pt_len = 0, ec_pt_len;
    CK_KEY_TYPE kt;
    struct fh_newkey_tmpl t;
    const struct fh_curve_desc *c = NULL;
    fh_rv rv = FH_OK;

    if (pkey == NULL) {
        return FH_E_DATA_INVALID;
    }
    if (EVP_PKEY_is_a(pkey, "RSA")) {
        int nl, el;

        kt = CKK_RSA;
        if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
            EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e) != 1) {
            rv = FH_E_DATA_INVALID;
            goto out;
        }
        nl = BN_num_bytes(n);
        el = BN_num_bytes(e);
        mod = malloc((size_t)nl + 1);
        exp = malloc((size_t)el + 1);
        if (mod == NULL || exp == NULL) {
            rv = FH_E_NOMEM;
            goto out;
        }
        BN_bn2bin(n, mod);
        BN_bn2bin(e, exp);
        fh_newkey_tmpl_init(&t, CKO_PUBLIC_KEY, kt, nk);
        rv = fh_newkey_tmpl_add(&t, CKA_MODULUS, mod, (CK_ULONG)nl);
        if (rv == FH_OK) {
            rv = fh_newkey_tmpl_add(&t, CKA_PUBLIC_EXPONENT, exp, (CK_ULONG)el);
        }
    } else if (EVP_PKEY_is_a(pkey, "EC")) {
        int i = ec_name_index(pkey);

        kt = CKK_EC;
        if (i < 0) {
            rv = FH_E_CURVE_NOT_SUPPORTED;
            goto out;
        }
        c = fh_curve_find(ec_names[i].curve);
        rv = ec_point(pkey, ec_names[i].flen, pt, &pt_len);
    } else if (EVP_PKEY_is_a(pkey, "ED25519") || EVP_PKEY_is_a(pkey, "ED448")) {
        kt = CKK_EC_EDWARDS;
        pt_len = sizeof(pt);
        c = fh_curve_find(EVP_PKEY_is_a(pkey, "ED25519") ? "ed25519" : "ed448");
        rv = EVP_PKEY_get_raw_public_key(pkey, pt, &pt_len) == 1 ? FH_OK : FH_E_DATA_INVALID;
    } else {
        rv = FH_E_KEY_TYPE_INCONSISTENT; /* DSA, X25519 ...: no PKCS#11 key type here */
        goto out;
    }
    if (rv != FH_OK) {
        goto out;
    }
    if (kt != CKK_RSA) {
        if (c == NULL) {
            rv = FH_E_CURVE_NOT_SUPPORTED;
            goto out;
        }
        ec_pt_len = der_octets(pt, pt_len, ec_pt);
        fh_newkey_tmpl_init(&t, CKO_PUBLIC_KEY, kt, nk);
        rv = fh_newkey_tmpl_add(&t, CKA_EC_PARAMS, c->der, c->der_len);
        if (rv == FH_OK) {
            rv = fh_newkey_tmpl_add(&t, CKA_EC_POINT, ec_pt, ec_pt_len);
        }
    }
    if (rv == FH_OK) {
        rv = fh_object_create(s, t.attrs, t.n, out);
    }
out:
    free(mod);
    free(exp);
    BN_free(n);
    BN_free(e);
    EVP_PKEY_free(pkey);
    return rv;
}
