/* SPDX-License-Identifier: Apache-2.0 */
/*
 * describe.c - key types, curves, usage words and key descriptions shared
 * by the fronts (see describe.h).
 *
 * The OIDs are those of RFC 5480 (P-256 1.2.840.10045.3.1.7, P-384
 * 1.3.132.0.34, P-521 1.3.132.0.35) and RFC 8410 (Ed25519 1.3.101.112,
 * Ed448 1.3.101.113), DER-encoded as PKCS#11 v3.0 §2.3.3 expects in
 * CKA_EC_PARAMS. Default usages follow docs/cli.md.
 *
 * The ECDSA encodings are those of the CLI's sign/verify: a strict DER
 * parse (the canonical re-encoding must equal the input) tells DER from raw.
 *
 * Only constant tables and reads through the public session API: no lock
 * of its own.
 */
#include "ferrohsm/describe.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ferrohsm/attr.h"
#include "ferrohsm/vendor.h"
#include "sigder.h"

static const uint8_t oid_p256[] = {0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07};
static const uint8_t oid_p384[] = {0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x22};
static const uint8_t oid_p521[] = {0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x23};
static const uint8_t oid_ed25519[] = {0x06, 0x03, 0x2B, 0x65, 0x70};
static const uint8_t oid_ed448[] = {0x06, 0x03, 0x2B, 0x65, 0x71};

static const struct fh_curve_desc curves[] = {
    {"ec-p256", CKK_EC, oid_p256, sizeof(oid_p256), 256, 32},
    {"ec-p384", CKK_EC, oid_p384, sizeof(oid_p384), 384, 48},
    {"ec-p521", CKK_EC, oid_p521, sizeof(oid_p521), 521, 66},
    {"ed25519", CKK_EC_EDWARDS, oid_ed25519, sizeof(oid_ed25519), 255, 32},
    {"ed448", CKK_EC_EDWARDS, oid_ed448, sizeof(oid_ed448), 448, 57},
};

#define USE_RSA                                                                                    \
    (FH_USAGE_SIGN | FH_USAGE_VERIFY | FH_USAGE_ENCRYPT | FH_USAGE_DECRYPT | FH_USAGE_WRAP |       \
     FH_USAGE_UNWRAP)
#define USE_EC (FH_USAGE_SIGN | FH_USAGE_VERIFY | FH_USAGE_DERIVE)
#define USE_ED (FH_USAGE_SIGN | FH_USAGE_VERIFY)
#define USE_AES USE_RSA
#define USE_GENERIC (FH_USAGE_SIGN | FH_USAGE_VERIFY | FH_USAGE_DERIVE)

static const struct fh_keytype_desc types[] = {
    {"rsa-2048", true, CKM_RSA_PKCS_KEY_PAIR_GEN, CKK_RSA, 2048, NULL, USE_RSA},
    {"rsa-3072", true, CKM_RSA_PKCS_KEY_PAIR_GEN, CKK_RSA, 3072, NULL, USE_RSA},
    {"rsa-4096", true, CKM_RSA_PKCS_KEY_PAIR_GEN, CKK_RSA, 4096, NULL, USE_RSA},
    {"ec-p256", true, CKM_EC_KEY_PAIR_GEN, CKK_EC, 256, &curves[0], USE_EC},
    {"ec-p384", true, CKM_EC_KEY_PAIR_GEN, CKK_EC, 384, &curves[1], USE_EC},
    {"ec-p521", true, CKM_EC_KEY_PAIR_GEN, CKK_EC, 521, &curves[2], USE_EC},
    {"ed25519", true, CKM_EC_EDWARDS_KEY_PAIR_GEN, CKK_EC_EDWARDS, 255, &curves[3], USE_ED},
    {"ed448", true, CKM_EC_EDWARDS_KEY_PAIR_GEN, CKK_EC_EDWARDS, 448, &curves[4], USE_ED},
    {"aes-128", false, CKM_AES_KEY_GEN, CKK_AES, 128, NULL, USE_AES},
    {"aes-192", false, CKM_AES_KEY_GEN, CKK_AES, 192, NULL, USE_AES},
    {"aes-256", false, CKM_AES_KEY_GEN, CKK_AES, 256, NULL, USE_AES},
    {"generic-secret", false, CKM_GENERIC_SECRET_KEY_GEN, CKK_GENERIC_SECRET, 0, NULL, USE_GENERIC},
};

#define N_TYPES (sizeof(types) / sizeof(types[0]))
#define N_CURVES (sizeof(curves) / sizeof(curves[0]))

size_t
fh_keytype_count(void)
{
    return N_TYPES;
}

const struct fh_keytype_desc *
fh_keytype_at(size_t i)
{
    return i < N_TYPES ? &types[i] : NULL;
}

const struct fh_keytype_desc *
fh_keytype_find(const char *name)
{
    for (size_t i = 0; name != NULL && i < N_TYPES; i++) {
        if (strcmp(types[i].name, name) == 0) {
            return &types[i];
        }
    }
    return NULL;
}

const char *
fh_keytype_names(void)
{
    return "rsa-2048 rsa-3072 rsa-4096 ec-p256 ec-p384 ec-p521 ed25519 ed448 aes-128 aes-192 "
           "aes-256 generic-secret";
}

const struct fh_curve_desc *
fh_curve_by_params(const uint8_t *der, size_t len)
{
    for (size_t i = 0; der != NULL && i < N_CURVES; i++) {
        if (curves[i].der_len == len && memcmp(curves[i].der, der, len) == 0) {
            return &curves[i];
        }
    }
    return NULL;
}

const struct fh_curve_desc *
fh_curve_find(const char *name)
{
    for (size_t i = 0; name != NULL && i < N_CURVES; i++) {
        if (strcmp(curves[i].name, name) == 0) {
            return &curves[i];
        }
    }
    return NULL;
}

static const struct {
    unsigned bit;
    const char *word;
    CK_ATTRIBUTE_TYPE attr;
} usages[FH_USAGE_COUNT] = {
    {FH_USAGE_SIGN, "sign", CKA_SIGN},          {FH_USAGE_VERIFY, "verify", CKA_VERIFY},
    {FH_USAGE_ENCRYPT, "encrypt", CKA_ENCRYPT}, {FH_USAGE_DECRYPT, "decrypt", CKA_DECRYPT},
    {FH_USAGE_WRAP, "wrap", CKA_WRAP},          {FH_USAGE_UNWRAP, "unwrap", CKA_UNWRAP},
    {FH_USAGE_DERIVE, "derive", CKA_DERIVE},
};

const char *
fh_usage_word(unsigned bit)
{
    for (size_t i = 0; i < FH_USAGE_COUNT; i++) {
        if (usages[i].bit == bit) {
            return usages[i].word;
        }
    }
    return NULL;
}

fh_rv
fh_usage_from_word(const char *word, unsigned *bit)
{
    if (word == NULL || bit == NULL) {
        return FH_E_ARGS;
    }
    for (size_t i = 0; i < FH_USAGE_COUNT; i++) {
        if (strcmp(usages[i].word, word) == 0) {
            *bit = usages[i].bit;
            return FH_OK;
        }
    }
    return FH_E_ARGS;
}

CK_ATTRIBUTE_TYPE
fh_usage_attr(unsigned bit)
{
    for (size_t i = 0; i < FH_USAGE_COUNT; i++) {
        if (usages[i].bit == bit) {
            return usages[i].attr;
        }
    }
    return 0;
}

unsigned
fh_usage_for_class(CK_OBJECT_CLASS cls)
{
    /* PKCS#11 v3.0 §4.8-4.10: which usage attributes each key class carries */
    switch (cls) {
    case CKO_PUBLIC_KEY:
        return FH_USAGE_VERIFY | FH_USAGE_ENCRYPT | FH_USAGE_WRAP | FH_USAGE_DERIVE;
    case CKO_PRIVATE_KEY:
        return FH_USAGE_SIGN | FH_USAGE_DECRYPT | FH_USAGE_UNWRAP | FH_USAGE_DERIVE;
    case CKO_SECRET_KEY: return FH_USAGE_ALL;
    default: return 0;
    }
}

const char *
fh_class_short_name(CK_OBJECT_CLASS cls)
{
    switch (cls) {
    case CKO_PUBLIC_KEY: return "public";
    case CKO_PRIVATE_KEY: return "private";
    case CKO_SECRET_KEY: return "secret";
    default: return NULL; /* CK_OBJECT_CLASS is an integer, not an enum */
    }
}

const char *
fh_class_name(CK_OBJECT_CLASS cls)
{
    switch (cls) {
    case CKO_DATA: return "CKO_DATA";
    case CKO_CERTIFICATE: return "CKO_CERTIFICATE";
    case CKO_PUBLIC_KEY: return "CKO_PUBLIC_KEY";
    case CKO_PRIVATE_KEY: return "CKO_PRIVATE_KEY";
    case CKO_SECRET_KEY: return "CKO_SECRET_KEY";
    default: return NULL;
    }
}

const char *
fh_key_type_name(CK_KEY_TYPE kt)
{
    switch (kt) {
    case CKK_RSA: return "CKK_RSA";
    case CKK_EC: return "CKK_EC";
    case CKK_EC_EDWARDS: return "CKK_EC_EDWARDS";
    case CKK_AES: return "CKK_AES";
    case CKK_GENERIC_SECRET: return "CKK_GENERIC_SECRET";
    default: return NULL;
    }
}

/*
 * One CK_ULONG attribute; *ok false when the object has no readable value of
 * that size. Only object-level failures are returned.
 */
static fh_rv
get_ulong(fh_session *s, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE type, CK_ULONG *v, bool *ok)
{
    CK_ATTRIBUTE a = {type, v, sizeof(*v)};
    fh_rv rv = fh_object_get_attributes(s, h, &a, 1);

    *ok = rv == FH_OK && a.ulValueLen == sizeof(*v);
    if (rv == FH_E_ATTR_SENSITIVE || rv == FH_E_ATTR_TYPE_INVALID || rv == FH_E_BUFFER_TOO_SMALL) {
        rv = FH_OK;
    }
    return rv;
}

/* The length of a byte attribute, and up to cap bytes of it into buf. */
static fh_rv
get_bytes(fh_session *s, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE type, uint8_t *buf, size_t cap,
          size_t *len, bool *ok)
{
    CK_ATTRIBUTE a = {type, NULL, 0};
    fh_rv rv = fh_object_get_attributes(s, h, &a, 1);

    *ok = false;
    if (rv == FH_E_ATTR_SENSITIVE || rv == FH_E_ATTR_TYPE_INVALID) {
        return FH_OK;
    }
    if (rv != FH_OK || a.ulValueLen == CK_UNAVAILABLE_INFORMATION) {
        return rv;
    }
    *len = a.ulValueLen;
    *ok = true;
    if (buf == NULL || a.ulValueLen > cap) {
        return FH_OK;
    }
    a.pValue = buf;
    rv = fh_object_get_attributes(s, h, &a, 1);
    if (rv != FH_OK || a.ulValueLen == CK_UNAVAILABLE_INFORMATION) {
        *ok = false;
        return rv == FH_E_ATTR_SENSITIVE || rv == FH_E_ATTR_TYPE_INVALID ? FH_OK : rv;
    }
    return FH_OK;
}

fh_rv
fh_attr_read(fh_session *s, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE type, uint8_t **out, size_t *len)
{
    CK_ATTRIBUTE a = {type, NULL, 0};
    uint8_t *buf;
    fh_rv rv;

    if (s == NULL || out == NULL || len == NULL) {
        return FH_E_ARGS;
    }
    rv = fh_object_get_attributes(s, h, &a, 1); /* length query */
    if (a.ulValueLen == CK_UNAVAILABLE_INFORMATION) {
        return rv != FH_OK ? rv : FH_E_ATTR_TYPE_INVALID;
    }
    if (rv != FH_OK) {
        return rv;
    }
    if (a.ulValueLen > FH_ATTR_MAX_VALUE) {
        return FH_E_DATA_TOO_LARGE;
    }
    buf = malloc(a.ulValueLen + 1);
    if (buf == NULL) {
        return FH_E_NOMEM;
    }
    if (a.ulValueLen > 0) {
        a.pValue = buf;
        rv = fh_object_get_attributes(s, h, &a, 1);
        if (rv != FH_OK || a.ulValueLen == CK_UNAVAILABLE_INFORMATION) {
            free(buf);
            return rv != FH_OK ? rv : FH_E_ATTR_TYPE_INVALID;
        }
    }
    buf[a.ulValueLen] = 0;
    *out = buf;
    *len = a.ulValueLen;
    return FH_OK;
}

fh_rv
fh_key_describe(fh_session *s, CK_OBJECT_HANDLE h, struct fh_key_desc *out)
{
    struct fh_key_desc d = {
        CK_UNAVAILABLE_INFORMATION, CK_UNAVAILABLE_INFORMATION, "unknown", NULL, 0, 0};
    CK_ULONG v = 0;
    bool ok = false;
    fh_rv rv;

    if (s == NULL || out == NULL) {
        return FH_E_ARGS;
    }
    rv = get_ulong(s, h, CKA_CLASS, &v, &ok);
    if (rv != FH_OK) {
        return rv;
    }
    d.cls = ok ? v : CK_UNAVAILABLE_INFORMATION;
    if (fh_class_short_name(d.cls) == NULL) {
        *out = d; /* not a key: nothing more to say */
        return FH_OK;
    }
    rv = get_ulong(s, h, CKA_KEY_TYPE, &v, &ok);
    if (rv != FH_OK) {
        return rv;
    }
    d.key_type = ok ? v : CK_UNAVAILABLE_INFORMATION;
    if (d.key_type == CKK_RSA) {
        size_t len = 0;

        d.type_name = "rsa";
        rv = get_ulong(s, h, CKA_MODULUS_BITS, &v, &ok);
        if (rv == FH_OK && (!ok || v == 0)) {
            /* Some objects carry only the modulus: its length tells the size. */
            rv = get_bytes(s, h, CKA_MODULUS, NULL, 0, &len, &ok);
            v = ok ? (CK_ULONG)len * 8 : 0;
        }
        d.bits = (unsigned)v;
    } else if (d.key_type == CKK_EC || d.key_type == CKK_EC_EDWARDS) {
        uint8_t params[64];
        size_t len = 0;

        d.type_name = d.key_type == CKK_EC ? "ec" : "ec-edwards";
        rv = get_bytes(s, h, CKA_EC_PARAMS, params, sizeof(params), &len, &ok);
        if (rv == FH_OK && ok && len <= sizeof(params)) {
            const struct fh_curve_desc *c = fh_curve_by_params(params, len);

            if (c != NULL) {
                d.curve = c->name;
                d.bits = c->bits;
            }
        }
    } else if (d.key_type == CKK_AES || d.key_type == CKK_GENERIC_SECRET) {
        d.type_name = d.key_type == CKK_AES ? "aes" : "generic-secret";
        rv = get_ulong(s, h, CKA_VALUE_LEN, &v, &ok);
        d.bits = ok ? (unsigned)(v * 8) : 0;
    }
    for (size_t i = 0; rv == FH_OK && i < FH_USAGE_COUNT; i++) {
        CK_BBOOL b = CK_FALSE;
        CK_ATTRIBUTE a = {usages[i].attr, &b, sizeof(b)};

        if ((fh_usage_for_class(d.cls) & usages[i].bit) == 0) {
            continue;
        }
        rv = fh_object_get_attributes(s, h, &a, 1);
        if (rv == FH_OK && a.ulValueLen == sizeof(b) && b != CK_FALSE) {
            d.usage |= usages[i].bit;
        }
        if (rv == FH_E_ATTR_SENSITIVE || rv == FH_E_ATTR_TYPE_INVALID ||
            rv == FH_E_BUFFER_TOO_SMALL) {
            rv = FH_OK;
        }
    }
    if (rv != FH_OK) {
        return rv;
    }
    *out = d;
    return FH_OK;
}

const char *
fh_key_desc_type(const struct fh_key_desc *d)
{
    if (d == NULL) {
        return "unknown";
    }
    if (d->key_type == CKK_GENERIC_SECRET) {
        return "generic-secret";
    }
    if (d->curve != NULL) {
        return d->curve;
    }
    for (size_t i = 0; i < N_TYPES; i++) {
        if (types[i].key_type == d->key_type && types[i].curve == NULL &&
            types[i].bits == d->bits) {
            return types[i].name;
        }
    }
    return d->type_name;
}

static const struct fh_attr_show show[] = {
    {CKA_CLASS, "CKA_CLASS", FH_ATTR_KIND_CLASS},
    {CKA_KEY_TYPE, "CKA_KEY_TYPE", FH_ATTR_KIND_KEYTYPE},
    {CKA_LABEL, "CKA_LABEL", FH_ATTR_KIND_TEXT},
    {CKA_ID, "CKA_ID", FH_ATTR_KIND_HEX},
    {CKA_TOKEN, "CKA_TOKEN", FH_ATTR_KIND_BOOL},
    {CKA_PRIVATE, "CKA_PRIVATE", FH_ATTR_KIND_BOOL},
    {CKA_MODIFIABLE, "CKA_MODIFIABLE", FH_ATTR_KIND_BOOL},
    {CKA_COPYABLE, "CKA_COPYABLE", FH_ATTR_KIND_BOOL},
    {CKA_DESTROYABLE, "CKA_DESTROYABLE", FH_ATTR_KIND_BOOL},
    {CKA_LOCAL, "CKA_LOCAL", FH_ATTR_KIND_BOOL},
    {CKA_KEY_GEN_MECHANISM, "CKA_KEY_GEN_MECHANISM", FH_ATTR_KIND_MECH},
    {CKA_ALLOWED_MECHANISMS, "CKA_ALLOWED_MECHANISMS", FH_ATTR_KIND_MECHS},
    {CKA_SENSITIVE, "CKA_SENSITIVE", FH_ATTR_KIND_BOOL},
    {CKA_ALWAYS_SENSITIVE, "CKA_ALWAYS_SENSITIVE", FH_ATTR_KIND_BOOL},
    {CKA_EXTRACTABLE, "CKA_EXTRACTABLE", FH_ATTR_KIND_BOOL},
    {CKA_NEVER_EXTRACTABLE, "CKA_NEVER_EXTRACTABLE", FH_ATTR_KIND_BOOL},
    {CKA_ALWAYS_AUTHENTICATE, "CKA_ALWAYS_AUTHENTICATE", FH_ATTR_KIND_BOOL},
    {CKA_WRAP_WITH_TRUSTED, "CKA_WRAP_WITH_TRUSTED", FH_ATTR_KIND_BOOL},
    {CKA_TRUSTED, "CKA_TRUSTED", FH_ATTR_KIND_BOOL},
    {CKA_ENCRYPT, "CKA_ENCRYPT", FH_ATTR_KIND_BOOL},
    {CKA_DECRYPT, "CKA_DECRYPT", FH_ATTR_KIND_BOOL},
    {CKA_SIGN, "CKA_SIGN", FH_ATTR_KIND_BOOL},
    {CKA_VERIFY, "CKA_VERIFY", FH_ATTR_KIND_BOOL},
    {CKA_SIGN_RECOVER, "CKA_SIGN_RECOVER", FH_ATTR_KIND_BOOL},
    {CKA_VERIFY_RECOVER, "CKA_VERIFY_RECOVER", FH_ATTR_KIND_BOOL},
    {CKA_WRAP, "CKA_WRAP", FH_ATTR_KIND_BOOL},
    {CKA_UNWRAP, "CKA_UNWRAP", FH_ATTR_KIND_BOOL},
    {CKA_DERIVE, "CKA_DERIVE", FH_ATTR_KIND_BOOL},
    {CKA_VALUE_LEN, "CKA_VALUE_LEN", FH_ATTR_KIND_ULONG},
    {CKA_MODULUS_BITS, "CKA_MODULUS_BITS", FH_ATTR_KIND_ULONG},
    {CKA_MODULUS, "CKA_MODULUS", FH_ATTR_KIND_HEX},
    {CKA_PUBLIC_EXPONENT, "CKA_PUBLIC_EXPONENT", FH_ATTR_KIND_HEX},
    {CKA_EC_PARAMS, "CKA_EC_PARAMS", FH_ATTR_KIND_HEX},
    {CKA_EC_POINT, "CKA_EC_POINT", FH_ATTR_KIND_HEX},
    {CKA_CHECK_VALUE, "CKA_CHECK_VALUE", FH_ATTR_KIND_HEX},
    {CKA_SUBJECT, "CKA_SUBJECT", FH_ATTR_KIND_HEX},
    {CKA_PUBLIC_KEY_INFO, "CKA_PUBLIC_KEY_INFO", FH_ATTR_KIND_HEX},
    {FH_CKA_IMPORT_TRANSPORT, "CKA_FH_IMPORT_TRANSPORT", FH_ATTR_KIND_BOOL},
};

size_t
fh_attr_show_count(void)
{
    return sizeof(show) / sizeof(show[0]);
}

const struct fh_attr_show *
fh_attr_show_at(size_t i)
{
    return i < fh_attr_show_count() ? &show[i] : NULL;
}

fh_rv
fh_ecdsa_sig_to_der(const uint8_t *raw, size_t len, uint8_t **out, size_t *out_len)
{
    size_t n;
    uint8_t *der;

    if (raw == NULL || out == NULL || out_len == NULL || len == 0 || len % 2 != 0) {
        return FH_E_DATA_INVALID;
    }
    n = fhi_ecdsa_der_size(raw, len / 2);
    if (n == 0) {
        return FH_E_DATA_INVALID;
    }
    der = malloc(n);
    if (der == NULL) {
        return FH_E_NOMEM;
    }
    if (!fhi_ecdsa_raw_to_der(raw, len / 2, der, &n)) {
        free(der);
        return FH_E_DATA_INVALID;
    }
    *out = der;
    *out_len = n;
    return FH_OK;
}

bool
fh_ecdsa_sig_from_der(const uint8_t *der, size_t len, size_t order_len, uint8_t *raw)
{
    return fhi_ecdsa_der_to_raw(der, len, order_len, raw);
}
