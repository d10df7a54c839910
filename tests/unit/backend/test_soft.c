/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_soft.c - unit tests of the soft key backend: harness, helpers and
 * functional tests (mechanism list, key generation and import, multi-part
 * versus single-part, key wrap round trips, ECDH).
 *
 * Independence: where a result cannot be a published vector, it is checked
 * against OpenSSL used directly from the test (its own default library
 * context, not the backend's) or against python3-cryptography
 * (test_soft_xcheck.c), never against the backend's own output alone.
 */
#include "test-soft.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

const struct fh_backend_ops *const T_OPS = &fh_backend_soft_ops;
void *T_PRIV;

/* ---- helpers ---- */

static int
hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

uint8_t *
t_unhex(const char *hex, size_t *len)
{
    size_t n = strlen(hex);
    uint8_t *b;

    assert_int_equal(n % 2, 0);
    b = malloc(n / 2 + 1);
    assert_non_null(b);
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

        assert_true(hi >= 0 && lo >= 0);
        b[i] = (uint8_t)(hi << 4 | lo);
    }
    *len = n / 2;
    return b;
}

fh_secret *
t_secret_hex(const char *hex)
{
    size_t n = 0;
    uint8_t *b = t_unhex(hex, &n);
    fh_secret *s = NULL;

    assert_int_equal(fh_secret_from(b, n, &s), FH_OK);
    free(b);
    return s;
}

void
t_assert_hex(const uint8_t *got, size_t got_len, const char *hex)
{
    size_t n = 0;
    uint8_t *want = t_unhex(hex, &n);

    assert_int_equal(got_len, n);
    assert_memory_equal(got, want, n);
    free(want);
}

struct fh_bkey
t_secret_key(CK_KEY_TYPE type, const fh_secret *m)
{
    struct fh_bkey k = {CKO_SECRET_KEY, type, m, NULL, 0, NULL};

    return k;
}

fh_rv
t_one(enum fh_op_kind kind, const CK_MECHANISM *mech, const struct fh_bkey *key,
      const uint8_t *in, size_t in_len, uint8_t *out, size_t *out_len)
{
    void *op = NULL;
    fh_rv rv = T_OPS->op_init(T_PRIV, kind, mech, key, &op);

    if (rv != FH_OK) {
        assert_null(op);
        return rv;
    }
    rv = T_OPS->op_oneshot(op, in, in_len, out, out_len);
    T_OPS->op_free(op);
    return rv;
}

fh_rv
t_multi(enum fh_op_kind kind, const CK_MECHANISM *mech, const struct fh_bkey *key,
        const uint8_t *in, size_t in_len, const size_t *cuts, size_t ncuts, uint8_t *out,
        size_t *out_len)
{
    void *op = NULL;
    bool cipher = kind == FH_OP_ENCRYPT || kind == FH_OP_DECRYPT;
    size_t off = 0, w = 0, n, room;
    fh_rv rv = T_OPS->op_init(T_PRIV, kind, mech, key, &op);

    if (rv != FH_OK) {
        return rv;
    }
    for (size_t i = 0; i <= ncuts; i++) {
        size_t chunk = i < ncuts ? cuts[i] : in_len - off;

        assert_true(chunk <= in_len - off);
        if (cipher) {
            /* the length query must not disturb the operation */
            n = 0;
            assert_int_equal(T_OPS->op_update(op, in + off, chunk, NULL, &n), FH_OK);
            room = *out_len - w;
            assert_true(n <= room);
            rv = T_OPS->op_update(op, in + off, chunk, out + w, &room);
            if (rv != FH_OK) {
                goto out;
            }
            assert_int_equal(room, n);
            w += room;
        } else {
            rv = T_OPS->op_update(op, in + off, chunk, NULL, NULL);
            if (rv != FH_OK) {
                goto out;
            }
        }
        off += chunk;
    }
    if (kind == FH_OP_VERIFY) {
        rv = T_OPS->op_final(op, out, out_len);
        goto out;
    }
    room = *out_len - w;
    rv = T_OPS->op_final(op, out + w, &room);
    if (rv == FH_OK) {
        *out_len = w + room;
    }
out:
    T_OPS->op_free(op);
    return rv;
}

void
t_tkey_bind(struct tkey *k, CK_OBJECT_CLASS cls, CK_KEY_TYPE type)
{
    const struct fh_attr *spki = fh_attrs_get(&k->pub, CKA_PUBLIC_KEY_INFO);

    assert_non_null(spki);
    k->priv.cls = cls;
    k->priv.type = type;
    k->priv.material = k->material;
    k->priv.spki = spki->value;
    k->priv.spki_len = spki->len;
    k->pubk = k->priv;
    k->pubk.cls = CKO_PUBLIC_KEY;
    k->pubk.material = NULL;
}

void
t_keygen(struct tkey *k, CK_MECHANISM_TYPE mech, CK_KEY_TYPE type, CK_ULONG bits,
         const char *params_hex)
{
    CK_MECHANISM m = {mech, NULL, 0};
    struct fh_keygen_params kp;
    uint8_t *params = NULL;
    size_t params_len = 0;

    memset(k, 0, sizeof(*k));
    memset(&kp, 0, sizeof(kp));
    kp.type = type;
    kp.modulus_bits = bits;
    if (params_hex != NULL) {
        params = t_unhex(params_hex, &params_len);
        kp.ec_params = params;
        kp.ec_params_len = params_len;
    }
    assert_int_equal(T_OPS->generate(T_PRIV, &m, &kp, &k->material, &k->pub), FH_OK);
    free(params);
    t_tkey_bind(k, CKO_PRIVATE_KEY, type);
}

fh_rv
t_import_pkcs8(struct tkey *k, CK_KEY_TYPE type, const uint8_t *der, size_t len)
{
    struct fh_attrs in = FH_ATTRS_INIT;
    fh_rv rv;

    memset(k, 0, sizeof(*k));
    assert_int_equal(fh_attrs_set(&in, CKA_VALUE, der, len), FH_OK);
    rv = T_OPS->import(T_PRIV, CKO_PRIVATE_KEY, type, &in, &k->material, &k->pub);
    fh_attrs_clear(&in);
    if (rv == FH_OK) {
        t_tkey_bind(k, CKO_PRIVATE_KEY, type);
    }
    return rv;
}

void
t_tkey_free(struct tkey *k)
{
    fh_secret_free(k->material);
    fh_attrs_clear(&k->pub);
    memset(k, 0, sizeof(*k));
}

/* An EVP_PKEY of the test's own (OpenSSL default context) from a key's SPKI. */
static EVP_PKEY *
own_pub(const struct tkey *k)
{
    const uint8_t *q = k->pubk.spki;
    EVP_PKEY *p = d2i_PUBKEY(NULL, &q, (long)k->pubk.spki_len);

    assert_non_null(p);
    return p;
}

/* ---- functional tests ---- */

void
t_mech_supported(void **state)
{
    static const CK_MECHANISM_TYPE yes[] = {
        CKM_AES_KEY_GEN, CKM_EC_EDWARDS_KEY_PAIR_GEN, CKM_SHA3_512, CKM_RSA_PKCS_PSS,
        CKM_ECDSA_SHA512, CKM_EDDSA, CKM_SHA3_224_HMAC, CKM_AES_CMAC_GENERAL, CKM_AES_GCM,
        CKM_RSA_PKCS_OAEP, CKM_AES_KEY_WRAP_KWP, CKM_ECDH1_DERIVE, CKM_RSA_AES_KEY_WRAP,
    };
    static const CK_MECHANISM_TYPE no[] = {
        CKM_MD5, CKM_DES3_ECB, CKM_SHA256_HMAC_GENERAL, CKM_AES_CFB128, CKM_RSA_X_509,
        CKM_AES_XTS, 0xffffffffUL,
    };

    (void)state;
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        assert_true(T_OPS->mech_supported(T_PRIV, yes[i]));
    }
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
        assert_false(T_OPS->mech_supported(T_PRIV, no[i]));
    }
    assert_int_equal(T_OPS->abi_version, FH_BACKEND_ABI_VERSION);
    assert_string_equal(T_OPS->name, "soft");
    assert_int_equal(T_OPS->health(T_PRIV), FH_OK);
}

void
t_random(void **state)
{
    uint8_t a[32] = {0}, b[32] = {0}, z[32] = {0};

    (void)state;
    assert_int_equal(T_OPS->random(T_PRIV, a, sizeof(a)), FH_OK);
    assert_int_equal(T_OPS->random(T_PRIV, b, sizeof(b)), FH_OK);
    assert_memory_not_equal(a, b, sizeof(a));
    assert_memory_not_equal(a, z, sizeof(a));
    assert_int_equal(T_OPS->random(T_PRIV, NULL, 0), FH_OK);
    assert_int_equal(T_OPS->random(T_PRIV, NULL, 4), FH_E_ARGS);
}

void
t_keygen_secret(void **state)
{
    static const struct {
        CK_MECHANISM_TYPE mech;
        CK_KEY_TYPE type;
        CK_ULONG len;
        fh_rv want;
    } cases[] = {
        {CKM_AES_KEY_GEN, CKK_AES, 16, FH_OK},
        {CKM_AES_KEY_GEN, CKK_AES, 24, FH_OK},
        {CKM_AES_KEY_GEN, CKK_AES, 32, FH_OK},
        {CKM_AES_KEY_GEN, CKK_AES, 20, FH_E_KEY_SIZE_RANGE},
        {CKM_AES_KEY_GEN, CKK_AES, 0, FH_E_KEY_SIZE_RANGE},
        {CKM_GENERIC_SECRET_KEY_GEN, CKK_GENERIC_SECRET, 1, FH_OK},
        {CKM_GENERIC_SECRET_KEY_GEN, CKK_GENERIC_SECRET, 512, FH_OK},
        {CKM_GENERIC_SECRET_KEY_GEN, CKK_GENERIC_SECRET, 0, FH_E_KEY_SIZE_RANGE},
        {CKM_GENERIC_SECRET_KEY_GEN, CKK_GENERIC_SECRET, 513, FH_E_KEY_SIZE_RANGE},
        {CKM_AES_KEY_GEN, CKK_GENERIC_SECRET, 16, FH_E_TEMPLATE_INCONSISTENT},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        CK_MECHANISM m = {cases[i].mech, NULL, 0};
        struct fh_keygen_params kp;
        struct fh_attrs pub = FH_ATTRS_INIT;
        fh_secret *s = NULL;

        memset(&kp, 0, sizeof(kp));
        kp.type = cases[i].type;
        kp.value_len = cases[i].len;
        assert_int_equal(T_OPS->generate(T_PRIV, &m, &kp, &s, &pub), cases[i].want);
        if (cases[i].want == FH_OK) {
            assert_non_null(s);
            assert_int_equal(fh_secret_len(s), cases[i].len);
            assert_int_equal(pub.n, 0);
        } else {
            assert_null(s);
        }
        fh_secret_free(s);
    }
}

/* Sign "hello" and check with OpenSSL used directly. */
static void
own_verify_roundtrip(struct tkey *k, CK_MECHANISM_TYPE mech, const char *mdname)
{
    CK_MECHANISM m = {mech, NULL, 0};
    static const uint8_t msg[] = "hello";
    uint8_t sig[600];
    size_t sig_len = sizeof(sig);
    EVP_PKEY *pk = own_pub(k);
    EVP_MD_CTX *c = EVP_MD_CTX_new();

    assert_int_equal(t_one(FH_OP_SIGN, &m, &k->priv, msg, 5, sig, &sig_len), FH_OK);
    assert_int_equal(t_one(FH_OP_VERIFY, &m, &k->pubk, msg, 5, sig, &sig_len), FH_OK);
    if (mech != CKM_ECDSA_SHA256) {
        assert_int_equal(EVP_DigestVerifyInit(c, NULL, mdname ? EVP_get_digestbyname(mdname) : NULL,
                                              NULL, pk),
                         1);
        assert_int_equal(EVP_DigestVerify(c, sig, sig_len, msg, 5), 1);
    }
    EVP_MD_CTX_free(c);
    EVP_PKEY_free(pk);
}

void
t_keygen_pairs(void **state)
{
    struct tkey k;
    const struct fh_attr *a;
    CK_MECHANISM m = {CKM_EC_KEY_PAIR_GEN, NULL, 0};
    struct fh_keygen_params kp;
    struct fh_attrs pub = FH_ATTRS_INIT;
    fh_secret *s = NULL;
    uint8_t *secp256k1;
    size_t len = 0;

    (void)state;
    t_keygen(&k, CKM_RSA_PKCS_KEY_PAIR_GEN, CKK_RSA, 2048, NULL);
    assert_int_equal(fh_attrs_ulong(&k.pub, CKA_MODULUS_BITS, 0), 2048);
    a = fh_attrs_get(&k.pub, CKA_MODULUS);
    assert_non_null(a);
    assert_int_equal(a->len, 256);
    a = fh_attrs_get(&k.pub, CKA_PUBLIC_EXPONENT);
    assert_non_null(a);
    t_assert_hex(a->value, a->len, "010001");
    own_verify_roundtrip(&k, CKM_SHA256_RSA_PKCS, "SHA256");
    t_tkey_free(&k);

    t_keygen(&k, CKM_EC_KEY_PAIR_GEN, CKK_EC, 0, "06082a8648ce3d030107");
    a = fh_attrs_get(&k.pub, CKA_EC_POINT);
    assert_non_null(a);
    assert_int_equal(a->len, 67);
    assert_int_equal(a->value[0], 0x04);
    assert_int_equal(a->value[1], 65);
    assert_int_equal(a->value[2], 0x04);
    a = fh_attrs_get(&k.pub, CKA_EC_PARAMS);
    t_assert_hex(a->value, a->len, "06082a8648ce3d030107");
    own_verify_roundtrip(&k, CKM_ECDSA_SHA256, NULL);
    t_tkey_free(&k);

    t_keygen(&k, CKM_EC_KEY_PAIR_GEN, CKK_EC, 0, "06052b81040023");
    a = fh_attrs_get(&k.pub, CKA_EC_POINT);
    assert_int_equal(a->len, 136); /* 04 81 85 04 X Y */
    assert_int_equal(a->value[1], 0x81);
    own_verify_roundtrip(&k, CKM_ECDSA_SHA256, NULL);
    t_tkey_free(&k);

    /* Edwards by OID and by PrintableString */
    t_keygen(&k, CKM_EC_EDWARDS_KEY_PAIR_GEN, CKK_EC_EDWARDS, 0, "06032b6570");
    a = fh_attrs_get(&k.pub, CKA_EC_POINT);
    assert_int_equal(a->len, 34);
    own_verify_roundtrip(&k, CKM_EDDSA, NULL);
    t_tkey_free(&k);
    t_keygen(&k, CKM_EC_EDWARDS_KEY_PAIR_GEN, CKK_EC_EDWARDS, 0, "130a65647761726473343438");
    a = fh_attrs_get(&k.pub, CKA_EC_POINT);
    assert_int_equal(a->len, 59);
    a = fh_attrs_get(&k.pub, CKA_EC_PARAMS);
    t_assert_hex(a->value, a->len, "130a65647761726473343438");
    own_verify_roundtrip(&k, CKM_EDDSA, NULL);
    t_tkey_free(&k);

    /* secp256k1 is not offered; an Edwards OID is not an EC curve */
    memset(&kp, 0, sizeof(kp));
    secp256k1 = t_unhex("06052b8104000a", &len);
    kp.type = CKK_EC;
    kp.ec_params = secp256k1;
    kp.ec_params_len = len;
    assert_int_equal(T_OPS->generate(T_PRIV, &m, &kp, &s, &pub), FH_E_CURVE_NOT_SUPPORTED);
    free(secp256k1);
    secp256k1 = t_unhex("06032b6570", &len);
    kp.ec_params = secp256k1;
    kp.ec_params_len = len;
    assert_int_equal(T_OPS->generate(T_PRIV, &m, &kp, &s, &pub), FH_E_CURVE_NOT_SUPPORTED);
    free(secp256k1);
    kp.ec_params = NULL;
    kp.ec_params_len = 0;
    assert_int_equal(T_OPS->generate(T_PRIV, &m, &kp, &s, &pub), FH_E_CURVE_NOT_SUPPORTED);
    m.mechanism = CKM_RSA_PKCS_KEY_PAIR_GEN;
    kp.type = CKK_RSA;
    kp.modulus_bits = 1000;
    assert_int_equal(T_OPS->generate(T_PRIV, &m, &kp, &s, &pub), FH_E_KEY_SIZE_RANGE);
    assert_null(s);
    assert_int_equal(pub.n, 0);
}

/* Big-endian bytes of an RSA parameter of an OpenSSL key. */
static void
set_bn(struct fh_attrs *a, CK_ATTRIBUTE_TYPE t, EVP_PKEY *pk, const char *name)
{
    BIGNUM *bn = NULL;
    uint8_t buf[1024];
    int n;

    assert_int_equal(EVP_PKEY_get_bn_param(pk, name, &bn), 1);
    n = BN_bn2bin(bn, buf);
    assert_int_equal(fh_attrs_set(a, t, buf, (size_t)n), FH_OK);
    BN_clear_free(bn);
}

void
t_import_rsa_components(void **state)
{
    EVP_PKEY *own = EVP_RSA_gen(2048);
    struct fh_attrs in = FH_ATTRS_INIT, pubin = FH_ATTRS_INIT;
    struct tkey k, pk;
    const struct fh_attr *a;
    uint8_t sig[256];
    size_t sig_len = sizeof(sig);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    static const uint8_t msg[] = "import me";
    CK_MECHANISM m = {CKM_SHA256_RSA_PKCS, NULL, 0};

    (void)state;
    assert_non_null(own);
    memset(&k, 0, sizeof(k));
    memset(&pk, 0, sizeof(pk));
    set_bn(&in, CKA_MODULUS, own, OSSL_PKEY_PARAM_RSA_N);
    set_bn(&in, CKA_PUBLIC_EXPONENT, own, OSSL_PKEY_PARAM_RSA_E);
    assert_int_equal(fh_attrs_copy(&pubin, &in), FH_OK);
    set_bn(&in, CKA_PRIVATE_EXPONENT, own, OSSL_PKEY_PARAM_RSA_D);
    set_bn(&in, CKA_PRIME_1, own, OSSL_PKEY_PARAM_RSA_FACTOR1);
    set_bn(&in, CKA_PRIME_2, own, OSSL_PKEY_PARAM_RSA_FACTOR2);
    set_bn(&in, CKA_EXPONENT_1, own, OSSL_PKEY_PARAM_RSA_EXPONENT1);
    set_bn(&in, CKA_EXPONENT_2, own, OSSL_PKEY_PARAM_RSA_EXPONENT2);
    set_bn(&in, CKA_COEFFICIENT, own, OSSL_PKEY_PARAM_RSA_COEFFICIENT1);
    assert_int_equal(T_OPS->import(T_PRIV, CKO_PRIVATE_KEY, CKK_RSA, &in, &k.material, &k.pub),
                     FH_OK);
    t_tkey_bind(&k, CKO_PRIVATE_KEY, CKK_RSA);
    assert_int_equal(t_one(FH_OP_SIGN, &m, &k.priv, msg, sizeof(msg), sig, &sig_len), FH_OK);
    assert_int_equal(EVP_DigestVerifyInit(c, NULL, EVP_sha256(), NULL, own), 1);
    assert_int_equal(EVP_DigestVerify(c, sig, sig_len, msg, sizeof(msg)), 1);

    /* public key from modulus and exponent verifies the same signature */
    assert_int_equal(T_OPS->import(T_PRIV, CKO_PUBLIC_KEY, CKK_RSA, &pubin, &pk.material, &pk.pub),
                     FH_OK);
    assert_null(pk.material);
    t_tkey_bind(&pk, CKO_PUBLIC_KEY, CKK_RSA);
    assert_int_equal(t_one(FH_OP_VERIFY, &m, &pk.pubk, msg, sizeof(msg), sig, &sig_len), FH_OK);
    assert_int_equal(fh_attrs_ulong(&pk.pub, CKA_MODULUS_BITS, 0), 2048);

    /* components that do not form a key */
    a = fh_attrs_get(&in, CKA_PRIME_1);
    a->value[a->len - 1] ^= 0x02;
    t_tkey_free(&k);
    assert_int_equal(T_OPS->import(T_PRIV, CKO_PRIVATE_KEY, CKK_RSA, &in, &k.material, &k.pub),
                     FH_E_ATTR_VALUE_INVALID);
    assert_null(k.material);
    a->value[a->len - 1] ^= 0x02;
    a = fh_attrs_get(&in, CKA_COEFFICIENT);
    a->value[0] ^= 0x40;
    assert_int_equal(T_OPS->import(T_PRIV, CKO_PRIVATE_KEY, CKK_RSA, &in, &k.material, &k.pub),
                     FH_E_ATTR_VALUE_INVALID);
    fh_attrs_del(&in, CKA_COEFFICIENT);
    assert_int_equal(T_OPS->import(T_PRIV, CKO_PRIVATE_KEY, CKK_RSA, &in, &k.material, &k.pub),
                     FH_E_TEMPLATE_INCOMPLETE);

    t_tkey_free(&pk);
    fh_attrs_clear(&in);
    fh_attrs_clear(&pubin);
    EVP_MD_CTX_free(c);
    EVP_PKEY_free(own);
}

void
t_import_ec(void **state)
{
    EVP_PKEY *own = EVP_EC_gen("P-384");
    struct fh_attrs in = FH_ATTRS_INIT;
    struct tkey k, pk, pk2;
    uint8_t pt[200], wrapped[200], d[64], sig[96], h[48];
    size_t pt_len = 0, sig_len = sizeof(sig);
    BIGNUM *bn = NULL;
    const struct fh_attr *a;
    CK_MECHANISM m = {CKM_ECDSA, NULL, 0};
    uint8_t *params;
    size_t params_len = 0;
    int dn;

    (void)state;
    memset(&k, 0, sizeof(k));
    memset(&pk, 0, sizeof(pk));
    memset(&pk2, 0, sizeof(pk2));
    memset(h, 0x5a, sizeof(h));
    params = t_unhex("06052b81040022", &params_len);
    assert_int_equal(EVP_PKEY_get_octet_string_param(own, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt),
                                                     &pt_len),
                     1);
    assert_int_equal(pt_len, 97);
    assert_int_equal(EVP_PKEY_get_bn_param(own, OSSL_PKEY_PARAM_PRIV_KEY, &bn), 1);
    dn = BN_bn2binpad(bn, d, 48);
    assert_int_equal(dn, 48);
    BN_clear_free(bn);

    assert_int_equal(fh_attrs_set(&in, CKA_EC_PARAMS, params, params_len), FH_OK);
    assert_int_equal(fh_attrs_set(&in, CKA_VALUE, d, 48), FH_OK);
    assert_int_equal(T_OPS->import(T_PRIV, CKO_PRIVATE_KEY, CKK_EC, &in, &k.material, &k.pub),
                     FH_OK);
    t_tkey_bind(&k, CKO_PRIVATE_KEY, CKK_EC);
    /* the computed public point is the one OpenSSL derived */
    a = fh_attrs_get(&k.pub, CKA_EC_POINT);
    assert_int_equal(a->len, 99);
    assert_memory_equal(a->value + 2, pt, 97);
    assert_int_equal(t_one(FH_OP_SIGN, &m, &k.priv, h, sizeof(h), sig, &sig_len), FH_OK);
    assert_int_equal(sig_len, 96);

    /* public key from the raw point and from the DER-wrapped point */
    fh_attrs_del(&in, CKA_VALUE);
    assert_int_equal(fh_attrs_set(&in, CKA_EC_POINT, pt, pt_len), FH_OK);
    assert_int_equal(T_OPS->import(T_PRIV, CKO_PUBLIC_KEY, CKK_EC, &in, &pk.material, &pk.pub),
                     FH_OK);
    t_tkey_bind(&pk, CKO_PUBLIC_KEY, CKK_EC);
    assert_int_equal(t_one(FH_OP_VERIFY, &m, &pk.pubk, h, sizeof(h), sig, &sig_len), FH_OK);
    wrapped[0] = 0x04;
    wrapped[1] = 97;
    memcpy(wrapped + 2, pt, 97);
    assert_int_equal(fh_attrs_set(&in, CKA_EC_POINT, wrapped, 99), FH_OK);
    assert_int_equal(T_OPS->import(T_PRIV, CKO_PUBLIC_KEY, CKK_EC, &in, &pk2.material, &pk2.pub),
                     FH_OK);
    t_tkey_bind(&pk2, CKO_PUBLIC_KEY, CKK_EC);
    assert_int_equal(t_one(FH_OP_VERIFY, &m, &pk2.pubk, h, sizeof(h), sig, &sig_len), FH_OK);

    /* a point off the curve */
    wrapped[2 + 96] ^= 0x01;
    assert_int_equal(fh_attrs_set(&in, CKA_EC_POINT, wrapped, 99), FH_OK);
    t_tkey_free(&pk2);
    assert_int_equal(T_OPS->import(T_PRIV, CKO_PUBLIC_KEY, CKK_EC, &in, &pk2.material, &pk2.pub),
                     FH_E_ATTR_VALUE_INVALID);
    /* a truncated point */
    assert_int_equal(fh_attrs_set(&in, CKA_EC_POINT, pt, 60), FH_OK);
    assert_int_equal(T_OPS->import(T_PRIV, CKO_PUBLIC_KEY, CKK_EC, &in, &pk2.material, &pk2.pub),
                     FH_E_ATTR_VALUE_INVALID);
    /* a scalar of zero, and one equal to the group order */
    fh_attrs_del(&in, CKA_EC_POINT);
    memset(d, 0, 48);
    assert_int_equal(fh_attrs_set(&in, CKA_VALUE, d, 48), FH_OK);
    assert_int_equal(T_OPS->import(T_PRIV, CKO_PRIVATE_KEY, CKK_EC, &in, &pk2.material, &pk2.pub),
                     FH_E_ATTR_VALUE_INVALID);
    assert_int_equal(fh_attrs_set(&in, CKA_EC_PARAMS, "\x06\x05\x2b\x81\x04\x00\x0a", 7), FH_OK);
    assert_int_equal(T_OPS->import(T_PRIV, CKO_PRIVATE_KEY, CKK_EC, &in, &pk2.material, &pk2.pub),
                     FH_E_CURVE_NOT_SUPPORTED);

    t_tkey_free(&k);
    t_tkey_free(&pk);
    t_tkey_free(&pk2);
    fh_attrs_clear(&in);
    free(params);
    EVP_PKEY_free(own);
}

void
t_import_secret(void **state)
{
    struct fh_attrs in = FH_ATTRS_INIT, pub = FH_ATTRS_INIT;
    fh_secret *s = NULL;
    static const uint8_t v[33] = {1, 2, 3};

    (void)state;
    assert_int_equal(T_OPS->import(T_PRIV, CKO_SECRET_KEY, CKK_AES, &in, &s, &pub),
                     FH_E_TEMPLATE_INCOMPLETE);
    assert_int_equal(fh_attrs_set(&in, CKA_VALUE, v, 17), FH_OK);
    assert_int_equal(T_OPS->import(T_PRIV, CKO_SECRET_KEY, CKK_AES, &in, &s, &pub),
                     FH_E_ATTR_VALUE_INVALID);
    assert_int_equal(T_OPS->import(T_PRIV, CKO_SECRET_KEY, CKK_GENERIC_SECRET, &in, &s, &pub),
                     FH_OK);
    assert_int_equal(fh_secret_len(s), 17);
    assert_memory_equal(fh_secret_cdata(s), v, 17);
    fh_secret_free(s);
    s = NULL;
    assert_int_equal(fh_attrs_set(&in, CKA_VALUE, v, 32), FH_OK);
    assert_int_equal(T_OPS->import(T_PRIV, CKO_SECRET_KEY, CKK_AES, &in, &s, &pub), FH_OK);
    assert_int_equal(fh_secret_len(s), 32);
    fh_secret_free(s);
    fh_attrs_clear(&in);
}

/* ---- multi-part equals single-part ---- */

static const size_t cut_sets[][4] = {
    {0, 0, 0, 0}, {1, 0, 15, 16}, {7, 9, 0, 33}, {16, 16, 16, 0}, {100, 0, 55, 1},
};
#define NCUTS (sizeof(cut_sets) / sizeof(cut_sets[0]))

static uint8_t *
test_data(size_t n)
{
    uint8_t *b = malloc(n);

    assert_non_null(b);
    for (size_t i = 0; i < n; i++) {
        b[i] = (uint8_t)(i * 7 + 3);
    }
    return b;
}

void
t_multipart_digest_mac(void **state)
{
    static const CK_MECHANISM_TYPE digests[] = {
        CKM_SHA_1, CKM_SHA224, CKM_SHA256, CKM_SHA384, CKM_SHA512,
        CKM_SHA3_224, CKM_SHA3_256, CKM_SHA3_384, CKM_SHA3_512,
    };
    static const CK_MECHANISM_TYPE hmacs[] = {
        CKM_SHA_1_HMAC, CKM_SHA224_HMAC, CKM_SHA256_HMAC, CKM_SHA384_HMAC, CKM_SHA512_HMAC,
        CKM_SHA3_224_HMAC, CKM_SHA3_256_HMAC, CKM_SHA3_384_HMAC, CKM_SHA3_512_HMAC,
        CKM_AES_CMAC, CKM_AES_CMAC_GENERAL,
    };
    size_t n = 300;
    uint8_t *data = test_data(n);
    uint8_t a[64], b[64];
    size_t al, bl;
    fh_secret *key = t_secret_hex("000102030405060708090a0b0c0d0e0f1011121314151617");
    struct fh_bkey gk = t_secret_key(CKK_GENERIC_SECRET, key);
    struct fh_bkey ak = t_secret_key(CKK_AES, key);
    CK_MAC_GENERAL_PARAMS ml = 10;

    (void)state;
    for (size_t i = 0; i < sizeof(digests) / sizeof(digests[0]); i++) {
        CK_MECHANISM m = {digests[i], NULL, 0};

        al = sizeof(a);
        assert_int_equal(t_one(FH_OP_DIGEST, &m, NULL, data, n, a, &al), FH_OK);
        for (size_t c = 0; c < NCUTS; c++) {
            bl = sizeof(b);
            assert_int_equal(t_multi(FH_OP_DIGEST, &m, NULL, data, n, cut_sets[c], 4, b, &bl),
                             FH_OK);
            assert_int_equal(al, bl);
            assert_memory_equal(a, b, al);
        }
    }
    for (size_t i = 0; i < sizeof(hmacs) / sizeof(hmacs[0]); i++) {
        CK_MECHANISM m = {hmacs[i], NULL, 0};
        const struct fh_bkey *k = (hmacs[i] == CKM_AES_CMAC || hmacs[i] == CKM_AES_CMAC_GENERAL)
                                      ? &ak
                                      : &gk;

        if (hmacs[i] == CKM_AES_CMAC_GENERAL) {
            m.pParameter = &ml;
            m.ulParameterLen = sizeof(ml);
        }
        al = sizeof(a);
        assert_int_equal(t_one(FH_OP_SIGN, &m, k, data, n, a, &al), FH_OK);
        if (hmacs[i] == CKM_AES_CMAC_GENERAL) {
            assert_int_equal(al, 10);
        }
        for (size_t c = 0; c < NCUTS; c++) {
            bl = sizeof(b);
            assert_int_equal(t_multi(FH_OP_SIGN, &m, k, data, n, cut_sets[c], 4, b, &bl), FH_OK);
            assert_int_equal(al, bl);
            assert_memory_equal(a, b, al);
            assert_int_equal(t_multi(FH_OP_VERIFY, &m, k, data, n, cut_sets[c], 4, a, &al),
                             FH_OK);
        }
    }
    fh_secret_free(key);
    free(data);
}

void
t_multipart_sign(void **state)
{
    static const CK_MECHANISM_TYPE rsa[] = {
        CKM_SHA1_RSA_PKCS, CKM_SHA224_RSA_PKCS, CKM_SHA256_RSA_PKCS, CKM_SHA384_RSA_PKCS,
        CKM_SHA512_RSA_PKCS,
    };
    static const struct {
        CK_MECHANISM_TYPE mech, hash;
        CK_RSA_PKCS_MGF_TYPE mgf;
    } pss[] = {
        {CKM_SHA1_RSA_PKCS_PSS, CKM_SHA_1, CKG_MGF1_SHA1},
        {CKM_SHA224_RSA_PKCS_PSS, CKM_SHA224, CKG_MGF1_SHA224},
        {CKM_SHA256_RSA_PKCS_PSS, CKM_SHA256, CKG_MGF1_SHA256},
        {CKM_SHA384_RSA_PKCS_PSS, CKM_SHA384, CKG_MGF1_SHA384},
        {CKM_SHA512_RSA_PKCS_PSS, CKM_SHA512, CKG_MGF1_SHA512},
    };
    static const CK_MECHANISM_TYPE ecdsa[] = {
        CKM_ECDSA_SHA1, CKM_ECDSA_SHA224, CKM_ECDSA_SHA256, CKM_ECDSA_SHA384, CKM_ECDSA_SHA512,
    };
    struct tkey r, e;
    size_t n = 200;
    uint8_t *data = test_data(n);
    uint8_t a[256], b[256];
    size_t al, bl;

    (void)state;
    t_keygen(&r, CKM_RSA_PKCS_KEY_PAIR_GEN, CKK_RSA, 2048, NULL);
    t_keygen(&e, CKM_EC_KEY_PAIR_GEN, CKK_EC, 0, "06082a8648ce3d030107");
    /* PKCS#1 v1.5 is deterministic: multi-part output equals single-part */
    for (size_t i = 0; i < sizeof(rsa) / sizeof(rsa[0]); i++) {
        CK_MECHANISM m = {rsa[i], NULL, 0};

        al = sizeof(a);
        assert_int_equal(t_one(FH_OP_SIGN, &m, &r.priv, data, n, a, &al), FH_OK);
        for (size_t c = 0; c < NCUTS; c++) {
            bl = sizeof(b);
            assert_int_equal(t_multi(FH_OP_SIGN, &m, &r.priv, data, n, cut_sets[c], 4, b, &bl),
                             FH_OK);
            assert_int_equal(al, bl);
            assert_memory_equal(a, b, al);
            assert_int_equal(t_multi(FH_OP_VERIFY, &m, &r.pubk, data, n, cut_sets[c], 4, a, &al),
                             FH_OK);
        }
    }
    /* PSS and ECDSA are randomised: each form verifies the other's output */
    for (size_t i = 0; i < sizeof(pss) / sizeof(pss[0]); i++) {
        CK_RSA_PKCS_PSS_PARAMS pp = {pss[i].hash, pss[i].mgf, 20};
        CK_MECHANISM m = {pss[i].mech, &pp, sizeof(pp)};

        al = sizeof(a);
        assert_int_equal(t_one(FH_OP_SIGN, &m, &r.priv, data, n, a, &al), FH_OK);
        for (size_t c = 0; c < NCUTS; c++) {
            bl = sizeof(b);
            assert_int_equal(t_multi(FH_OP_SIGN, &m, &r.priv, data, n, cut_sets[c], 4, b, &bl),
                             FH_OK);
            assert_int_equal(t_one(FH_OP_VERIFY, &m, &r.pubk, data, n, b, &bl), FH_OK);
            assert_int_equal(t_multi(FH_OP_VERIFY, &m, &r.pubk, data, n, cut_sets[c], 4, a, &al),
                             FH_OK);
        }
    }
    for (size_t i = 0; i < sizeof(ecdsa) / sizeof(ecdsa[0]); i++) {
        CK_MECHANISM m = {ecdsa[i], NULL, 0};

        al = sizeof(a);
        assert_int_equal(t_one(FH_OP_SIGN, &m, &e.priv, data, n, a, &al), FH_OK);
        assert_int_equal(al, 64);
        for (size_t c = 0; c < NCUTS; c++) {
            bl = sizeof(b);
            assert_int_equal(t_multi(FH_OP_SIGN, &m, &e.priv, data, n, cut_sets[c], 4, b, &bl),
                             FH_OK);
            assert_int_equal(t_one(FH_OP_VERIFY, &m, &e.pubk, data, n, b, &bl), FH_OK);
            assert_int_equal(t_multi(FH_OP_VERIFY, &m, &e.pubk, data, n, cut_sets[c], 4, a, &al),
                             FH_OK);
        }
    }
    t_tkey_free(&r);
    t_tkey_free(&e);
    free(data);
}

void
t_multipart_cipher(void **state)
{
    static const uint8_t iv[16] = {0xa0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    static const uint8_t aad[] = "header";
    CK_AES_CTR_PARAMS ctr;
    CK_GCM_PARAMS gcm = {(CK_BYTE_PTR)iv, 12, 96, (CK_BYTE_PTR)aad, 6, 128};
    CK_GCM_PARAMS gcm96 = {(CK_BYTE_PTR)iv, 16, 128, NULL, 0, 96};
    CK_GCM_PARAMS gcm32 = {(CK_BYTE_PTR)iv, 1, 8, (CK_BYTE_PTR)aad, 1, 32};
    struct {
        CK_MECHANISM m;
        bool blocks; /* input must be whole blocks */
    } mechs[] = {
        {{CKM_AES_ECB, NULL, 0}, true},
        {{CKM_AES_CBC, (void *)iv, 16}, true},
        {{CKM_AES_CBC_PAD, (void *)iv, 16}, false},
        {{CKM_AES_CTR, &ctr, sizeof(ctr)}, false},
        {{CKM_AES_GCM, &gcm, sizeof(gcm)}, false},
        {{CKM_AES_GCM, &gcm96, sizeof(gcm96)}, false},
        {{CKM_AES_GCM, &gcm32, sizeof(gcm32)}, false},
    };
    static const size_t lens[] = {0, 1, 15, 16, 17, 64, 200, 208};
    fh_secret *key =
        t_secret_hex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
    struct fh_bkey k = t_secret_key(CKK_AES, key);
    uint8_t *data = test_data(256);
    uint8_t ct[300], ct2[300], pt[300];
    size_t cl, cl2, pl;

    (void)state;
    ctr.ulCounterBits = 128;
    memcpy(ctr.cb, iv, 16);
    for (size_t i = 0; i < sizeof(mechs) / sizeof(mechs[0]); i++) {
        for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
            size_t n = lens[l];

            if (mechs[i].blocks && n % 16 != 0) {
                continue;
            }
            cl = sizeof(ct);
            assert_int_equal(t_one(FH_OP_ENCRYPT, &mechs[i].m, &k, data, n, ct, &cl), FH_OK);
            pl = sizeof(pt);
            assert_int_equal(t_one(FH_OP_DECRYPT, &mechs[i].m, &k, ct, cl, pt, &pl), FH_OK);
            assert_int_equal(pl, n);
            assert_memory_equal(pt, data, n);
            for (size_t c = 0; c < NCUTS; c++) {
                size_t cuts[4];
                size_t left = n;

                /* clip the cut pattern to the input */
                for (size_t j = 0; j < 4; j++) {
                    cuts[j] = cut_sets[c][j] < left ? cut_sets[c][j] : left;
                    left -= cuts[j];
                }
                cl2 = sizeof(ct2);
                assert_int_equal(t_multi(FH_OP_ENCRYPT, &mechs[i].m, &k, data, n, cuts, 4, ct2,
                                         &cl2),
                                 FH_OK);
                assert_int_equal(cl, cl2);
                assert_memory_equal(ct, ct2, cl);
                left = cl;
                for (size_t j = 0; j < 4; j++) {
                    cuts[j] = cut_sets[c][j] < left ? cut_sets[c][j] : left;
                    left -= cuts[j];
                }
                pl = sizeof(pt);
                assert_int_equal(t_multi(FH_OP_DECRYPT, &mechs[i].m, &k, ct, cl, cuts, 4, pt, &pl),
                                 FH_OK);
                assert_int_equal(pl, n);
                assert_memory_equal(pt, data, n);
            }
        }
    }
    fh_secret_free(key);
    free(data);
}

/* ---- key wrap ---- */

void
t_kwp_roundtrip(void **state)
{
    fh_secret *kek = t_secret_hex("000102030405060708090a0b0c0d0e0f");
    struct fh_bkey wk = t_secret_key(CKK_AES, kek);
    CK_MECHANISM mechs[] = {{CKM_AES_KEY_WRAP_KWP, NULL, 0}, {CKM_AES_KEY_WRAP_PAD, NULL, 0}};
    uint8_t *data = test_data(70);
    uint8_t w[100];
    size_t wl, need;

    (void)state;
    for (size_t mi = 0; mi < 2; mi++) {
        for (size_t len = 1; len <= 70; len++) {
            fh_secret *t = NULL, *back = NULL;
            struct fh_bkey tk;
            struct fh_attrs pub = FH_ATTRS_INIT;

            assert_int_equal(fh_secret_from(data, len, &t), FH_OK);
            tk = t_secret_key(CKK_GENERIC_SECRET, t);
            need = 0;
            assert_int_equal(T_OPS->wrap(T_PRIV, &mechs[mi], &wk, &tk, NULL, &need), FH_OK);
            assert_int_equal(need, (len + 7) / 8 * 8 + 8);
            wl = sizeof(w);
            assert_int_equal(T_OPS->wrap(T_PRIV, &mechs[mi], &wk, &tk, w, &wl), FH_OK);
            assert_int_equal(wl, need);
            assert_int_equal(T_OPS->unwrap(T_PRIV, &mechs[mi], &wk, w, wl, CKO_SECRET_KEY,
                                           CKK_GENERIC_SECRET, 0, &back, &pub),
                             FH_OK);
            assert_int_equal(fh_secret_len(back), len);
            assert_memory_equal(fh_secret_cdata(back), data, len);
            fh_secret_free(back);
            fh_secret_free(t);
        }
    }
    fh_secret_free(kek);
    free(data);
}

void
t_wrap_private_key(void **state)
{
    struct tkey ec, rsa;
    fh_secret *kek =
        t_secret_hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    fh_secret *aes = t_secret_hex("00112233445566778899aabbccddeeff");
    struct fh_bkey wk = t_secret_key(CKK_AES, kek);
    struct fh_bkey ak = t_secret_key(CKK_AES, aes);
    CK_MECHANISM kwp = {CKM_AES_KEY_WRAP_KWP, NULL, 0};
    CK_RSA_PKCS_OAEP_PARAMS op = {CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED, NULL, 0};
    CK_MECHANISM oaep = {CKM_RSA_PKCS_OAEP, &op, sizeof(op)};
    uint8_t w[4096];
    size_t wl = sizeof(w);
    fh_secret *back = NULL;
    struct fh_attrs pub = FH_ATTRS_INIT;
    const struct fh_attr *a, *b;

    (void)state;
    t_keygen(&ec, CKM_EC_KEY_PAIR_GEN, CKK_EC, 0, "06082a8648ce3d030107");
    t_keygen(&rsa, CKM_RSA_PKCS_KEY_PAIR_GEN, CKK_RSA, 2048, NULL);
    assert_int_equal(T_OPS->wrap(T_PRIV, &kwp, &wk, &ec.priv, w, &wl), FH_OK);
    /* wrong type requested: the PKCS#8 holds an EC key */
    assert_int_equal(T_OPS->unwrap(T_PRIV, &kwp, &wk, w, wl, CKO_PRIVATE_KEY, CKK_RSA, 0, &back,
                                   &pub),
                     FH_E_WRAPPED_KEY_INVALID);
    assert_int_equal(T_OPS->unwrap(T_PRIV, &kwp, &wk, w, wl, CKO_SECRET_KEY, CKK_AES, 0, &back,
                                   &pub),
                     FH_E_WRAPPED_KEY_INVALID);
    assert_int_equal(T_OPS->unwrap(T_PRIV, &kwp, &wk, w, wl, CKO_PRIVATE_KEY, CKK_EC, 0, &back,
                                   &pub),
                     FH_OK);
    a = fh_attrs_get(&pub, CKA_EC_POINT);
    b = fh_attrs_get(&ec.pub, CKA_EC_POINT);
    assert_int_equal(a->len, b->len);
    assert_memory_equal(a->value, b->value, a->len);
    assert_true(fh_secret_equal(back, ec.material));
    fh_secret_free(back);
    back = NULL;
    fh_attrs_clear(&pub);

    /* a well-formed PKCS#8 whose public point belongs to another key */
    {
        struct tkey other;
        fh_secret *bad = NULL;
        struct fh_bkey bk;
        const struct fh_attr *opt;
        size_t ml = fh_secret_len(ec.material);

        t_keygen(&other, CKM_EC_KEY_PAIR_GEN, CKK_EC, 0, "06082a8648ce3d030107");
        opt = fh_attrs_get(&other.pub, CKA_EC_POINT);
        assert_int_equal(fh_secret_from(fh_secret_cdata(ec.material), ml, &bad), FH_OK);
        /* the uncompressed point closes the DER (ECPrivateKey [1] publicKey) */
        assert_memory_equal(fh_secret_cdata(bad) + ml - 65, b->value + 2, 65);
        memcpy(fh_secret_data(bad) + ml - 65, opt->value + 2, 65);
        bk = t_secret_key(CKK_GENERIC_SECRET, bad);
        wl = sizeof(w);
        assert_int_equal(T_OPS->wrap(T_PRIV, &kwp, &wk, &bk, w, &wl), FH_OK);
        assert_int_equal(T_OPS->unwrap(T_PRIV, &kwp, &wk, w, wl, CKO_PRIVATE_KEY, CKK_EC, 0,
                                       &back, &pub),
                         FH_E_WRAPPED_KEY_INVALID);
        assert_null(back);
        assert_int_equal(pub.n, 0);
        fh_secret_free(bad);
        t_tkey_free(&other);
    }

    /* RSA-OAEP wraps secret keys only */
    wl = sizeof(w);
    assert_int_equal(T_OPS->wrap(T_PRIV, &oaep, &rsa.pubk, &ec.priv, w, &wl),
                     FH_E_KEY_NOT_WRAPPABLE);
    wl = sizeof(w);
    assert_int_equal(T_OPS->wrap(T_PRIV, &oaep, &rsa.pubk, &ak, w, &wl), FH_OK);
    assert_int_equal(wl, 256);
    assert_int_equal(T_OPS->unwrap(T_PRIV, &oaep, &rsa.priv, w, wl, CKO_SECRET_KEY, CKK_AES, 32,
                                   &back, &pub),
                     FH_E_TEMPLATE_INCONSISTENT);
    assert_int_equal(T_OPS->unwrap(T_PRIV, &oaep, &rsa.priv, w, wl - 1, CKO_SECRET_KEY, CKK_AES,
                                   0, &back, &pub),
                     FH_E_WRAPPED_KEY_LEN_RANGE);
    assert_int_equal(T_OPS->unwrap(T_PRIV, &oaep, &rsa.priv, w, wl, CKO_SECRET_KEY, CKK_AES, 16,
                                   &back, &pub),
                     FH_OK);
    assert_true(fh_secret_equal(back, aes));
    fh_secret_free(back);
    back = NULL;
    w[10] ^= 1;
    assert_int_equal(T_OPS->unwrap(T_PRIV, &oaep, &rsa.priv, w, wl, CKO_SECRET_KEY, CKK_AES, 0,
                                   &back, &pub),
                     FH_E_WRAPPED_KEY_INVALID);
    assert_null(back);

    t_tkey_free(&ec);
    t_tkey_free(&rsa);
    fh_secret_free(kek);
    fh_secret_free(aes);
}

/*
 * CKM_RSA_AES_KEY_WRAP (PKCS#11 v3.0 Current Mechanisms §2.1.21): the blob is
 * OAEP(AES key) as long as the modulus, then RFC 5649 of the material under
 * that AES key; checked here by opening it with OpenSSL directly.
 */
void
t_wrap_rsa_aes(void **state)
{
    struct tkey ec, rsa;
    fh_secret *aes = t_secret_hex("00112233445566778899aabbccddeeff");
    struct fh_bkey ak = t_secret_key(CKK_AES, aes);
    CK_RSA_PKCS_OAEP_PARAMS op = {CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED, NULL, 0};
    CK_RSA_AES_KEY_WRAP_PARAMS ra = {256, &op}, ra128 = {128, &op}, bad_bits = {100, &op},
                               no_oaep = {256, NULL};
    CK_MECHANISM m = {CKM_RSA_AES_KEY_WRAP, &ra, sizeof(ra)};
    CK_MECHANISM m128 = {CKM_RSA_AES_KEY_WRAP, &ra128, sizeof(ra128)};
    CK_MECHANISM bad[] = {
        {CKM_RSA_AES_KEY_WRAP, &bad_bits, sizeof(bad_bits)},
        {CKM_RSA_AES_KEY_WRAP, &no_oaep, sizeof(no_oaep)},
        {CKM_RSA_AES_KEY_WRAP, &ra, sizeof(ra) - 1},
        {CKM_RSA_AES_KEY_WRAP, NULL, 0},
    };
    uint8_t w[4096], w2[4096], k[512], kw[64];
    size_t wl = 0, wl2 = sizeof(w2), kl = sizeof(k);
    fh_secret *back = NULL;
    struct fh_attrs pub = FH_ATTRS_INIT;
    const uint8_t *q;
    EVP_PKEY *pk;
    EVP_PKEY_CTX *pc;
    EVP_CIPHER_CTX *x;
    int l = 0, f = 0;

    (void)state;
    t_keygen(&ec, CKM_EC_KEY_PAIR_GEN, CKK_EC, 0, "06082a8648ce3d030107");
    t_keygen(&rsa, CKM_RSA_PKCS_KEY_PAIR_GEN, CKK_RSA, 2048, NULL);
    /* the length query, then the blob: 256 bytes of OAEP, 24 of RFC 5649 (16 padded + 8) */
    assert_int_equal(T_OPS->wrap(T_PRIV, &m, &rsa.pubk, &ak, NULL, &wl), FH_OK);
    assert_int_equal(wl, 256 + 24);
    wl = 10;
    assert_int_equal(T_OPS->wrap(T_PRIV, &m, &rsa.pubk, &ak, w, &wl), FH_E_BUFFER_TOO_SMALL);
    assert_int_equal(wl, 256 + 24);
    wl = sizeof(w);
    assert_int_equal(T_OPS->wrap(T_PRIV, &m, &rsa.pubk, &ak, w, &wl), FH_OK);
    assert_int_equal(wl, 256 + 24);
    /* a fresh AES key every time */
    assert_int_equal(T_OPS->wrap(T_PRIV, &m, &rsa.pubk, &ak, w2, &wl2), FH_OK);
    assert_int_equal(wl2, wl);
    assert_true(memcmp(w, w2, wl) != 0);

    /* opened with OpenSSL alone */
    q = fh_secret_cdata(rsa.material);
    pk = d2i_AutoPrivateKey(NULL, &q, (long)fh_secret_len(rsa.material));
    assert_non_null(pk);
    pc = EVP_PKEY_CTX_new(pk, NULL);
    assert_non_null(pc);
    assert_int_equal(EVP_PKEY_decrypt_init(pc), 1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_OAEP_PADDING), 1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_oaep_md(pc, EVP_sha256()), 1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_mgf1_md(pc, EVP_sha256()), 1);
    assert_int_equal(EVP_PKEY_decrypt(pc, k, &kl, w, 256), 1);
    assert_int_equal(kl, 32);
    EVP_PKEY_CTX_free(pc);
    EVP_PKEY_free(pk);
    x = EVP_CIPHER_CTX_new();
    assert_non_null(x);
    assert_int_equal(EVP_DecryptInit_ex(x, EVP_aes_256_wrap_pad(), NULL, k, NULL), 1);
    assert_int_equal(EVP_DecryptUpdate(x, kw, &l, w + 256, 24), 1);
    assert_int_equal(EVP_DecryptFinal_ex(x, kw + l, &f), 1);
    EVP_CIPHER_CTX_free(x);
    assert_int_equal(l + f, 16);
    assert_memory_equal(kw, fh_secret_cdata(aes), 16);

    /* and by the backend: a secret key, then a private key (PKCS#8) */
    assert_int_equal(T_OPS->unwrap(T_PRIV, &m, &rsa.priv, w, wl, CKO_SECRET_KEY, CKK_AES, 0, &back,
                                   &pub),
                     FH_OK);
    assert_true(fh_secret_equal(back, aes));
    fh_secret_free(back);
    back = NULL;
    wl = sizeof(w);
    assert_int_equal(T_OPS->wrap(T_PRIV, &m, &rsa.pubk, &ec.priv, w2, &wl), FH_OK);
    assert_int_equal(T_OPS->unwrap(T_PRIV, &m, &rsa.priv, w2, wl, CKO_PRIVATE_KEY, CKK_EC, 0,
                                   &back, &pub),
                     FH_OK);
    assert_true(fh_secret_equal(back, ec.material));
    fh_secret_free(back);
    back = NULL;
    fh_attrs_clear(&pub);

    /* the AES key's length is the parameter's */
    wl = 256 + 24;
    assert_int_equal(T_OPS->unwrap(T_PRIV, &m128, &rsa.priv, w, wl, CKO_SECRET_KEY, CKK_AES, 0,
                                   &back, &pub),
                     FH_E_WRAPPED_KEY_INVALID);
    /* parameters */
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        wl2 = sizeof(w2);
        assert_int_equal(T_OPS->wrap(T_PRIV, &bad[i], &rsa.pubk, &ak, w2, &wl2),
                         FH_E_MECH_PARAM_INVALID);
        assert_int_equal(T_OPS->unwrap(T_PRIV, &bad[i], &rsa.priv, w, wl, CKO_SECRET_KEY,
                                       CKK_AES, 0, &back, &pub),
                         FH_E_MECH_PARAM_INVALID);
    }
    /* an AES key cannot wrap with it, an RSA public key cannot unwrap */
    wl2 = sizeof(w2);
    assert_int_equal(T_OPS->wrap(T_PRIV, &m, &ak, &ak, w2, &wl2),
                     FH_E_WRAPPING_KEY_TYPE_INCONSISTENT);
    assert_int_equal(T_OPS->unwrap(T_PRIV, &m, &rsa.pubk, w, wl, CKO_SECRET_KEY, CKK_AES, 0,
                                   &back, &pub),
                     FH_E_UNWRAPPING_KEY_TYPE_INCONSISTENT);
    /* corrupted in either half; lengths that cannot split */
    w[17] ^= 1;
    assert_int_equal(T_OPS->unwrap(T_PRIV, &m, &rsa.priv, w, wl, CKO_SECRET_KEY, CKK_AES, 0,
                                   &back, &pub),
                     FH_E_WRAPPED_KEY_INVALID);
    w[17] ^= 1;
    w[256 + 9] ^= 1;
    assert_int_equal(T_OPS->unwrap(T_PRIV, &m, &rsa.priv, w, wl, CKO_SECRET_KEY, CKK_AES, 0,
                                   &back, &pub),
                     FH_E_WRAPPED_KEY_INVALID);
    assert_int_equal(T_OPS->unwrap(T_PRIV, &m, &rsa.priv, w, 256 + 12, CKO_SECRET_KEY, CKK_AES,
                                   0, &back, &pub),
                     FH_E_WRAPPED_KEY_LEN_RANGE);
    assert_int_equal(T_OPS->unwrap(T_PRIV, &m, &rsa.priv, w, 256 + 8, CKO_SECRET_KEY, CKK_AES, 0,
                                   &back, &pub),
                     FH_E_WRAPPED_KEY_LEN_RANGE);
    assert_int_equal(T_OPS->unwrap(T_PRIV, &m, &rsa.priv, w, 200, CKO_SECRET_KEY, CKK_AES, 0,
                                   &back, &pub),
                     FH_E_WRAPPED_KEY_LEN_RANGE);
    assert_null(back);

    t_tkey_free(&ec);
    t_tkey_free(&rsa);
    fh_secret_free(aes);
}

/* ---- ECDH ---- */

/* Z computed by OpenSSL directly (the test's own context). */
static size_t
own_ecdh(const struct tkey *mine, const struct tkey *peer, uint8_t *z)
{
    const uint8_t *q = fh_secret_cdata(mine->material);
    EVP_PKEY *a = d2i_AutoPrivateKey(NULL, &q, (long)fh_secret_len(mine->material));
    EVP_PKEY *b = own_pub(peer);
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(a, NULL);
    size_t zl = 132;

    assert_non_null(a);
    assert_int_equal(EVP_PKEY_derive_init(c), 1);
    assert_int_equal(EVP_PKEY_derive_set_peer(c, b), 1);
    assert_int_equal(EVP_PKEY_derive(c, z, &zl), 1);
    EVP_PKEY_CTX_free(c);
    EVP_PKEY_free(a);
    EVP_PKEY_free(b);
    return zl;
}

void
t_ecdh(void **state)
{
    struct tkey x, y;
    const struct fh_attr *ypt;
    uint8_t z[132], kdf[64];
    size_t zl;
    CK_ECDH1_DERIVE_PARAMS dp;
    CK_MECHANISM m = {CKM_ECDH1_DERIVE, &dp, sizeof(dp)};
    fh_secret *s = NULL;
    static const uint8_t shared[] = "shared info";
    EVP_KDF *kd;
    EVP_KDF_CTX *kc;
    OSSL_PARAM params[4];

    (void)state;
    t_keygen(&x, CKM_EC_KEY_PAIR_GEN, CKK_EC, 0, "06082a8648ce3d030107");
    t_keygen(&y, CKM_EC_KEY_PAIR_GEN, CKK_EC, 0, "06082a8648ce3d030107");
    zl = own_ecdh(&x, &y, z);
    assert_int_equal(zl, 32);
    ypt = fh_attrs_get(&y.pub, CKA_EC_POINT);
    memset(&dp, 0, sizeof(dp));
    dp.kdf = CKD_NULL;
    /* DER-wrapped public data, full length */
    dp.pPublicData = ypt->value;
    dp.ulPublicDataLen = ypt->len;
    assert_int_equal(T_OPS->derive(T_PRIV, &m, &x.priv, CKK_GENERIC_SECRET, 0, &s), FH_OK);
    assert_int_equal(fh_secret_len(s), 32);
    assert_memory_equal(fh_secret_cdata(s), z, 32);
    fh_secret_free(s);
    s = NULL;
    /* raw point, AES-128: the trailing 16 bytes (SoftHSMv2 convention) */
    dp.pPublicData = ypt->value + 2;
    dp.ulPublicDataLen = ypt->len - 2;
    assert_int_equal(T_OPS->derive(T_PRIV, &m, &x.priv, CKK_AES, 16, &s), FH_OK);
    assert_memory_equal(fh_secret_cdata(s), z + 16, 16);
    fh_secret_free(s);
    s = NULL;
    assert_int_equal(T_OPS->derive(T_PRIV, &m, &x.priv, CKK_GENERIC_SECRET, 33, &s),
                     FH_E_KEY_SIZE_RANGE);
    assert_int_equal(T_OPS->derive(T_PRIV, &m, &x.priv, CKK_AES, 20, &s), FH_E_KEY_SIZE_RANGE);
    /* shared data with CKD_NULL, missing public data, bad point */
    dp.pSharedData = (CK_BYTE_PTR)shared;
    dp.ulSharedDataLen = 11;
    assert_int_equal(T_OPS->derive(T_PRIV, &m, &x.priv, CKK_AES, 16, &s),
                     FH_E_MECH_PARAM_INVALID);
    /* X9.63 KDF with SHA-256 and shared info, checked against OpenSSL's X963KDF */
    dp.kdf = CKD_SHA256_KDF;
    assert_int_equal(T_OPS->derive(T_PRIV, &m, &x.priv, CKK_GENERIC_SECRET, 40, &s), FH_OK);
    kd = EVP_KDF_fetch(NULL, "X963KDF", NULL);
    kc = EVP_KDF_CTX_new(kd);
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA256", 0);
    params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, z, zl);
    params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)shared, 11);
    params[3] = OSSL_PARAM_construct_end();
    assert_int_equal(EVP_KDF_derive(kc, kdf, 40, params), 1);
    assert_int_equal(fh_secret_len(s), 40);
    assert_memory_equal(fh_secret_cdata(s), kdf, 40);
    EVP_KDF_CTX_free(kc);
    EVP_KDF_free(kd);
    fh_secret_free(s);
    s = NULL;
    dp.ulPublicDataLen = 0;
    assert_int_equal(T_OPS->derive(T_PRIV, &m, &x.priv, CKK_AES, 16, &s),
                     FH_E_MECH_PARAM_INVALID);
    dp.ulPublicDataLen = ypt->len - 2;
    ((uint8_t *)dp.pPublicData)[40] ^= 1; /* off the curve */
    assert_int_equal(T_OPS->derive(T_PRIV, &m, &x.priv, CKK_AES, 16, &s),
                     FH_E_MECH_PARAM_INVALID);
    m.ulParameterLen = sizeof(dp) - 1;
    assert_int_equal(T_OPS->derive(T_PRIV, &m, &x.priv, CKK_AES, 16, &s),
                     FH_E_MECH_PARAM_INVALID);
    assert_null(s);
    t_tkey_free(&x);
    t_tkey_free(&y);
}

/*
 * PKCS#8 that the fast parser does not take (an ECPrivateKey without the
 * public point) goes through OpenSSL's decoder and gives the same key.
 */
void
t_import_pkcs8_fallback(void **state)
{
    EVP_PKEY *own = EVP_EC_gen("P-256");
    PKCS8_PRIV_KEY_INFO *p8;
    uint8_t *der = NULL, pt[65], sig[64];
    size_t pt_len = 0, sl = sizeof(sig);
    int len;
    struct tkey k;
    const struct fh_attr *a;
    CK_MECHANISM m = {CKM_ECDSA_SHA256, NULL, 0};
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    uint8_t der_sig[80], *w = der_sig;
    ECDSA_SIG *es = ECDSA_SIG_new();

    (void)state;
    assert_int_equal(EVP_PKEY_get_octet_string_param(own, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt),
                                                     &pt_len),
                     1);
    assert_int_equal(EVP_PKEY_set_int_param(own, OSSL_PKEY_PARAM_EC_INCLUDE_PUBLIC, 0), 1);
    p8 = EVP_PKEY2PKCS8(own);
    assert_non_null(p8);
    len = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);
    assert_true(len > 0);
    assert_true(len < 130); /* no public key inside */
    assert_int_equal(t_import_pkcs8(&k, CKK_EC, der, (size_t)len), FH_OK);
    a = fh_attrs_get(&k.pub, CKA_EC_POINT);
    assert_int_equal(a->len, 67);
    assert_memory_equal(a->value + 2, pt, 65);
    a = fh_attrs_get(&k.pub, CKA_EC_PARAMS);
    t_assert_hex(a->value, a->len, "06082a8648ce3d030107");
    /* a signature of the imported key verifies under OpenSSL's own key */
    assert_int_equal(t_one(FH_OP_SIGN, &m, &k.priv, (const uint8_t *)"x", 1, sig, &sl), FH_OK);
    assert_int_equal(ECDSA_SIG_set0(es, BN_bin2bn(sig, 32, NULL), BN_bin2bn(sig + 32, 32, NULL)),
                     1);
    len = i2d_ECDSA_SIG(es, &w);
    assert_int_equal(EVP_DigestVerifyInit(c, NULL, EVP_sha256(), NULL, own), 1);
    assert_int_equal(EVP_DigestVerify(c, der_sig, (size_t)len, (const uint8_t *)"x", 1), 1);
    /* garbage and truncated PKCS#8 */
    t_tkey_free(&k);
    assert_int_equal(t_import_pkcs8(&k, CKK_EC, der, 40), FH_E_ATTR_VALUE_INVALID);
    assert_int_equal(t_import_pkcs8(&k, CKK_RSA, der, (size_t)i2d_PKCS8_PRIV_KEY_INFO(p8, NULL)),
                     FH_E_ATTR_VALUE_INVALID);
    ECDSA_SIG_free(es);
    EVP_MD_CTX_free(c);
    OPENSSL_free(der);
    PKCS8_PRIV_KEY_INFO_free(p8);
    EVP_PKEY_free(own);
}

/* ---- concurrency: one priv, many threads ---- */

struct thr {
    const struct tkey *ec;
    const struct fh_bkey *aes;
    int failures;
};

static void *
thr_main(void *arg)
{
    struct thr *t = arg;
    static const uint8_t iv[12] = {9};
    CK_GCM_PARAMS gp = {(CK_BYTE_PTR)iv, 12, 96, NULL, 0, 128};
    CK_MECHANISM gcm = {CKM_AES_GCM, &gp, sizeof(gp)};
    CK_MECHANISM cmac = {CKM_AES_CMAC, NULL, 0};
    CK_MECHANISM hmac = {CKM_SHA3_256_HMAC, NULL, 0};
    CK_MECHANISM ecdsa = {CKM_ECDSA_SHA384, NULL, 0};
    struct fh_bkey gk = *t->aes;
    uint8_t msg[100], ct[128], pt[128], mac[64];
    size_t cl, pl, ml;

    gk.type = CKK_GENERIC_SECRET;
    for (int i = 0; i < 40; i++) {
        memset(msg, i, sizeof(msg));
        cl = sizeof(ct);
        pl = sizeof(pt);
        t->failures += t_one(FH_OP_ENCRYPT, &gcm, t->aes, msg, sizeof(msg), ct, &cl) != FH_OK;
        t->failures += t_one(FH_OP_DECRYPT, &gcm, t->aes, ct, cl, pt, &pl) != FH_OK;
        t->failures += pl != sizeof(msg) || memcmp(pt, msg, pl) != 0;
        ml = sizeof(mac);
        t->failures += t_one(FH_OP_SIGN, &cmac, t->aes, msg, sizeof(msg), mac, &ml) != FH_OK;
        t->failures += t_one(FH_OP_VERIFY, &cmac, t->aes, msg, sizeof(msg), mac, &ml) != FH_OK;
        ml = sizeof(mac);
        t->failures += t_one(FH_OP_SIGN, &hmac, &gk, msg, sizeof(msg), mac, &ml) != FH_OK;
        t->failures += t_one(FH_OP_VERIFY, &hmac, &gk, msg, sizeof(msg), mac, &ml) != FH_OK;
        ml = sizeof(mac);
        t->failures += t_one(FH_OP_SIGN, &ecdsa, &t->ec->priv, msg, sizeof(msg), mac, &ml) != FH_OK;
        t->failures +=
            t_one(FH_OP_VERIFY, &ecdsa, &t->ec->pubk, msg, sizeof(msg), mac, &ml) != FH_OK;
    }
    return NULL;
}

void
t_threads(void **state)
{
    struct tkey ec;
    fh_secret *key = t_secret_hex("000102030405060708090a0b0c0d0e0f");
    struct fh_bkey ak = t_secret_key(CKK_AES, key);
    struct thr t[4];
    pthread_t th[4];

    (void)state;
    t_keygen(&ec, CKM_EC_KEY_PAIR_GEN, CKK_EC, 0, "06082a8648ce3d030107");
    for (size_t i = 0; i < 4; i++) {
        t[i].ec = &ec;
        t[i].aes = &ak;
        t[i].failures = 0;
        assert_int_equal(pthread_create(&th[i], NULL, thr_main, &t[i]), 0);
    }
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(t[i].failures, 0);
    }
    t_tkey_free(&ec);
    fh_secret_free(key);
}

/*
 * A prepared key keeps the ops made with it for reuse (each keeps its
 * reference while idle). Released while an op is live: the idle ops go at
 * once, the live one still signs and is freed when it ends, and that frees
 * the key (ASan sees a leak or a use after free otherwise).
 */
void
t_prepared_retire(void **state)
{
    struct tkey ec;
    CK_MECHANISM m = {CKM_ECDSA, NULL, 0};
    struct fh_bkey k;
    uint8_t h[32], sig[64];
    size_t sl;
    void *pp = NULL, *live = NULL, *second = NULL;

    (void)state;
    memset(h, 0x3c, sizeof(h));
    t_keygen(&ec, CKM_EC_KEY_PAIR_GEN, CKK_EC, 0, "06082a8648ce3d030107");
    assert_int_equal(T_OPS->key_prepare(T_PRIV, &ec.priv, &pp), FH_OK);
    k = ec.priv;
    k.prepared = pp;
    for (int i = 0; i < 20; i++) { /* ops come back to the pool and are re-armed */
        h[0] = (uint8_t)i;
        sl = sizeof(sig);
        assert_int_equal(t_one(FH_OP_SIGN, &m, &k, h, sizeof(h), sig, &sl), FH_OK);
        assert_int_equal(t_one(FH_OP_VERIFY, &m, &ec.pubk, h, sizeof(h), sig, &sl), FH_OK);
    }
    assert_int_equal(T_OPS->op_init(T_PRIV, FH_OP_SIGN, &m, &k, &live), FH_OK);
    assert_int_equal(T_OPS->op_init(T_PRIV, FH_OP_SIGN, &m, &k, &second), FH_OK);
    T_OPS->op_free(second); /* back to the pool: the release frees it */
    T_OPS->key_release(T_PRIV, pp);
    sl = sizeof(sig);
    assert_int_equal(T_OPS->op_oneshot(live, h, sizeof(h), sig, &sl), FH_OK);
    assert_int_equal(t_one(FH_OP_VERIFY, &m, &ec.pubk, h, sizeof(h), sig, &sl), FH_OK);
    T_OPS->op_free(live); /* not pooled: the key is gone with it */
    t_tkey_free(&ec);
}

/* ---- harness ---- */

static int
group_setup(void **state)
{
    (void)state;
    T_PRIV = calloc(1, T_OPS->priv_size);
    if (T_PRIV == NULL || T_OPS->init(T_PRIV, NULL) != FH_OK) {
        return -1;
    }
    return 0;
}

static int
group_teardown(void **state)
{
    (void)state;
    T_OPS->fini(T_PRIV);
    free(T_PRIV);
    T_PRIV = NULL;
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_mech_supported),
        cmocka_unit_test(t_random),
        cmocka_unit_test(t_keygen_secret),
        cmocka_unit_test(t_keygen_pairs),
        cmocka_unit_test(t_import_rsa_components),
        cmocka_unit_test(t_import_ec),
        cmocka_unit_test(t_import_secret),
        cmocka_unit_test(t_import_pkcs8_fallback),
        cmocka_unit_test(t_threads),
        cmocka_unit_test(t_prepared_retire),
        cmocka_unit_test(t_multipart_digest_mac),
        cmocka_unit_test(t_multipart_sign),
        cmocka_unit_test(t_multipart_cipher),
        cmocka_unit_test(t_kwp_roundtrip),
        cmocka_unit_test(t_wrap_private_key),
        cmocka_unit_test(t_wrap_rsa_aes),
        cmocka_unit_test(t_ecdh),
        cmocka_unit_test(t_kat_digest),
        cmocka_unit_test(t_kat_hmac),
        cmocka_unit_test(t_kat_cmac),
        cmocka_unit_test(t_kat_aes),
        cmocka_unit_test(t_kat_gcm),
        cmocka_unit_test(t_kat_keywrap),
        cmocka_unit_test(t_kat_eddsa),
        cmocka_unit_test(t_neg_gcm_tag),
        cmocka_unit_test(t_neg_cbc_pad),
        cmocka_unit_test(t_neg_keywrap),
        cmocka_unit_test(t_neg_iv_and_params),
        cmocka_unit_test(t_neg_oaep_pss_params),
        cmocka_unit_test(t_neg_signature),
        cmocka_unit_test(t_neg_buffer_too_small),
        cmocka_unit_test(t_neg_lengths),
        cmocka_unit_test(t_neg_eddsa_params),
        cmocka_unit_test(t_xcheck_ours),
        cmocka_unit_test(t_xcheck_theirs),
        cmocka_unit_test(t_der_generated),
        cmocka_unit_test(t_der_openssl_keys),
        cmocka_unit_test(t_der_small_scalar),
        cmocka_unit_test(t_der_ecdsa_sig),
    };

    return cmocka_run_group_tests_name("backend-soft", tests, group_setup, group_teardown);
}
