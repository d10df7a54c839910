/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_soft_der.c - the soft backend writes the SubjectPublicKeyInfo and the
 * PKCS#8 PrivateKeyInfo of EC (P-256, P-384, P-521) and Edwards (Ed25519,
 * Ed448) keys by hand (soft_keys.c). They must be byte for byte what
 * OpenSSL's own encoders write for the same key: i2d_PUBKEY, and
 * OSSL_ENCODER "DER"/"PrivateKeyInfo" (i2d_PrivateKey writes the
 * traditional RFC 5915 form for EC keys, not PKCS#8).
 *
 * Three sources of keys, each encoded by the backend and compared with
 * OpenSSL's encoding of the key that the backend's bytes decode to, and of
 * the key that was given:
 *   generated: the backend's generate, several times per curve (a private
 *              scalar with a leading zero byte shows up sooner or later);
 *   OpenSSL:   keys OpenSSL generated, imported as PKCS#8 (CKA_VALUE);
 *   small d:   EC keys imported from a one-byte scalar (d = 1 and d = 0x7f),
 *              so the padding of the private key to the order's length is
 *              always exercised.
 *
 * ECDSA signatures cross the same line by hand (src/core/sigder.c): PKCS#11's
 * r||s against the DER ECDSA-Sig-Value of OpenSSL's signer and verifier.
 * t_der_ecdsa_sig converts with OpenSSL's own ECDSA_SIG in both directions,
 * over enough signatures that r or s with a leading zero byte and with the
 * top bit set (a DER sign byte) both occur on every curve, and feeds edge
 * values (r = s = 1, r = 0, all ones) to the verifier.
 */
#include "test-soft.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

struct der_curve {
    const char *name;   /* for messages */
    const char *params; /* CKA_EC_PARAMS, hex */
    CK_KEY_TYPE type;
    CK_MECHANISM_TYPE gen;
    const char *alg;    /* EVP_PKEY_Q_keygen algorithm */
    const char *group;  /* EC group, or NULL for Edwards */
    size_t d_len;       /* EC: bytes of the order */
};

static const struct der_curve der_curves[] = {
    {"P-256", "06082a8648ce3d030107", CKK_EC, CKM_EC_KEY_PAIR_GEN, "EC", "P-256", 32},
    {"P-384", "06052b81040022", CKK_EC, CKM_EC_KEY_PAIR_GEN, "EC", "P-384", 48},
    {"P-521", "06052b81040023", CKK_EC, CKM_EC_KEY_PAIR_GEN, "EC", "P-521", 66},
    {"Ed25519", "06032b6570", CKK_EC_EDWARDS, CKM_EC_EDWARDS_KEY_PAIR_GEN, "ED25519", NULL, 0},
    {"Ed448", "06032b6571", CKK_EC_EDWARDS, CKM_EC_EDWARDS_KEY_PAIR_GEN, "ED448", NULL, 0},
};
#define N_DER_CURVES (sizeof(der_curves) / sizeof(der_curves[0]))
#define DER_ROUNDS 16

/* OpenSSL's PKCS#8 PrivateKeyInfo DER of pkey (OPENSSL_free). */
static uint8_t *
ossl_pkcs8(EVP_PKEY *pkey, size_t *len)
{
    OSSL_ENCODER_CTX *ectx =
        OSSL_ENCODER_CTX_new_for_pkey(pkey, EVP_PKEY_KEYPAIR, "DER", "PrivateKeyInfo", NULL);
    uint8_t *der = NULL;

    assert_non_null(ectx);
    assert_true(OSSL_ENCODER_CTX_get_num_encoders(ectx) > 0);
    assert_int_equal(OSSL_ENCODER_to_data(ectx, &der, len), 1);
    OSSL_ENCODER_CTX_free(ectx);
    return der;
}

/* OpenSSL's SubjectPublicKeyInfo DER of pkey (OPENSSL_free). */
static uint8_t *
ossl_spki(EVP_PKEY *pkey, size_t *len)
{
    uint8_t *der = NULL;
    int n = i2d_PUBKEY(pkey, &der);

    assert_true(n > 0);
    *len = (size_t)n;
    return der;
}

/* The key a PKCS#8 DER holds, decoded by OpenSSL. */
static EVP_PKEY *
ossl_decode_pkcs8(const uint8_t *der, size_t len)
{
    const unsigned char *p = der;
    PKCS8_PRIV_KEY_INFO *p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)len);
    EVP_PKEY *pkey;

    assert_non_null(p8);
    assert_ptr_equal(p, der + len); /* nothing after it */
    pkey = EVP_PKCS82PKEY(p8);
    PKCS8_PRIV_KEY_INFO_free(p8);
    assert_non_null(pkey);
    return pkey;
}

static void
assert_same_der(const char *what, const char *curve, const uint8_t *ours, size_t ours_len,
                const uint8_t *theirs, size_t theirs_len)
{
    if (ours_len != theirs_len || memcmp(ours, theirs, ours_len) != 0) {
        print_error("%s of a %s key: %zu bytes, OpenSSL %zu bytes\n", what, curve, ours_len,
                    theirs_len);
        for (size_t i = 0; i < ours_len && i < theirs_len; i++) {
            if (ours[i] != theirs[i]) {
                print_error("first difference at byte %zu: %02x, OpenSSL %02x\n", i, ours[i],
                            theirs[i]);
                break;
            }
        }
        fail();
    }
}

/*
 * The backend's material (PKCS#8) and CKA_PUBLIC_KEY_INFO of k are what
 * OpenSSL writes for the key they decode to, and, when given, for the key
 * `orig` the backend was handed.
 */
static void
check_key(const struct der_curve *c, const struct tkey *k, EVP_PKEY *orig)
{
    const struct fh_attr *spki = fh_attrs_get(&k->pub, CKA_PUBLIC_KEY_INFO);
    EVP_PKEY *back = ossl_decode_pkcs8(fh_secret_cdata(k->material), fh_secret_len(k->material));
    EVP_PKEY *keys[2] = {back, orig};

    assert_non_null(spki);
    for (size_t i = 0; i < 2 && keys[i] != NULL; i++) {
        size_t p8_len = 0, spki_len = 0;
        uint8_t *p8 = ossl_pkcs8(keys[i], &p8_len);
        uint8_t *pub = ossl_spki(keys[i], &spki_len);

        assert_same_der("PKCS#8", c->name, fh_secret_cdata(k->material),
                        fh_secret_len(k->material), p8, p8_len);
        assert_same_der("SPKI", c->name, spki->value, spki->len, pub, spki_len);
        OPENSSL_clear_free(p8, p8_len);
        OPENSSL_free(pub);
    }
    EVP_PKEY_free(back);
}

void
t_der_generated(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_DER_CURVES; i++) {
        for (int r = 0; r < DER_ROUNDS; r++) {
            struct tkey k;

            t_keygen(&k, der_curves[i].gen, der_curves[i].type, 0, der_curves[i].params);
            check_key(&der_curves[i], &k, NULL);
            t_tkey_free(&k);
        }
    }
}

void
t_der_openssl_keys(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_DER_CURVES; i++) {
        for (int r = 0; r < DER_ROUNDS; r++) {
            const struct der_curve *c = &der_curves[i];
            EVP_PKEY *pkey = c->group != NULL
                                 ? EVP_PKEY_Q_keygen(NULL, NULL, c->alg, c->group)
                                 : EVP_PKEY_Q_keygen(NULL, NULL, c->alg);
            size_t len = 0;
            uint8_t *der;
            struct tkey k;

            assert_non_null(pkey);
            der = ossl_pkcs8(pkey, &len);
            assert_int_equal(t_import_pkcs8(&k, c->type, der, len), FH_OK);
            check_key(c, &k, pkey);
            t_tkey_free(&k);
            OPENSSL_clear_free(der, len);
            EVP_PKEY_free(pkey);
        }
    }
}

void
t_der_small_scalar(void **state)
{
    static const uint8_t scalars[] = {0x01, 0x7f};

    (void)state;
    for (size_t i = 0; i < N_DER_CURVES; i++) {
        const struct der_curve *c = &der_curves[i];

        for (size_t j = 0; c->type == CKK_EC && j < sizeof(scalars); j++) {
            struct fh_attrs in = FH_ATTRS_INIT;
            uint8_t d[66] = {0};
            size_t params_len = 0;
            uint8_t *params = t_unhex(c->params, &params_len);
            struct tkey k;

            d[c->d_len - 1] = scalars[j];
            memset(&k, 0, sizeof(k));
            assert_int_equal(fh_attrs_set(&in, CKA_EC_PARAMS, params, params_len), FH_OK);
            assert_int_equal(fh_attrs_set(&in, CKA_VALUE, d, c->d_len), FH_OK);
            assert_int_equal(T_OPS->import(T_PRIV, CKO_PRIVATE_KEY, CKK_EC, &in, &k.material,
                                           &k.pub),
                             FH_OK);
            t_tkey_bind(&k, CKO_PRIVATE_KEY, CKK_EC);
            check_key(c, &k, NULL);
            t_tkey_free(&k);
            fh_attrs_clear(&in);
            free(params);
        }
    }
}

/* r||s (n bytes each) as OpenSSL's DER ECDSA-Sig-Value (OPENSSL_free). */
static uint8_t *
ossl_sig_der(const uint8_t *raw, size_t n, size_t *len)
{
    ECDSA_SIG *s = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(raw, (int)n, NULL), *ss = BN_bin2bn(raw + n, (int)n, NULL);
    uint8_t *der = NULL;
    int dn;

    assert_non_null(s);
    assert_int_equal(ECDSA_SIG_set0(s, r, ss), 1);
    dn = i2d_ECDSA_SIG(s, &der);
    assert_true(dn > 0);
    *len = (size_t)dn;
    ECDSA_SIG_free(s);
    return der;
}

/* OpenSSL's DER signature as r||s, n bytes each. */
static void
ossl_sig_raw(const uint8_t *der, size_t len, size_t n, uint8_t *raw)
{
    const uint8_t *p = der;
    ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)len);

    assert_non_null(s);
    assert_int_equal(BN_bn2binpad(ECDSA_SIG_get0_r(s), raw, (int)n), (int)n);
    assert_int_equal(BN_bn2binpad(ECDSA_SIG_get0_s(s), raw + n, (int)n), (int)n);
    ECDSA_SIG_free(s);
}

#define SIG_ROUNDS 400
/* a half with a leading zero byte comes once in 128 signatures: go on past
 * SIG_ROUNDS until one came, so that the edge case is always met */
#define SIG_ROUNDS_MAX 8000

void
t_der_ecdsa_sig(void **state)
{
    CK_MECHANISM m = {CKM_ECDSA, NULL, 0};
    uint8_t h[32];

    (void)state;
    memset(h, 0xa5, sizeof(h));
    for (size_t i = 0; i < N_DER_CURVES; i++) {
        const struct der_curve *c = &der_curves[i];
        size_t n = c->d_len, spki_len;
        int lead_zero = 0, top_bit = 0;
        const uint8_t *p;
        EVP_PKEY *pub;
        EVP_PKEY_CTX *pc;
        struct tkey k;

        if (c->type != CKK_EC) {
            continue;
        }
        t_keygen(&k, c->gen, c->type, 0, c->params);
        spki_len = fh_attrs_get(&k.pub, CKA_PUBLIC_KEY_INFO)->len;
        p = fh_attrs_get(&k.pub, CKA_PUBLIC_KEY_INFO)->value;
        pub = d2i_PUBKEY(NULL, &p, (long)spki_len);
        assert_non_null(pub);
        pc = EVP_PKEY_CTX_new(pub, NULL);
        assert_int_equal(EVP_PKEY_verify_init(pc), 1);
        for (int r = 0; r < SIG_ROUNDS || ((lead_zero == 0 || top_bit == 0) && r < SIG_ROUNDS_MAX);
             r++) {
            uint8_t raw[132], der[160];
            size_t raw_len = sizeof(raw), der_len = sizeof(der), len;
            uint8_t *d;
            EVP_PKEY *priv =
                ossl_decode_pkcs8(fh_secret_cdata(k.material), fh_secret_len(k.material));
            EVP_PKEY_CTX *sc = EVP_PKEY_CTX_new(priv, NULL);

            /* ours -> OpenSSL */
            h[r % sizeof(h)]++;
            assert_int_equal(t_one(FH_OP_SIGN, &m, &k.priv, h, sizeof(h), raw, &raw_len), FH_OK);
            assert_int_equal(raw_len, 2 * n);
            for (int half = 0; half < 2; half++) {
                const uint8_t *v = raw + half * n;
                size_t z = 0;

                while (z < n - 1 && v[z] == 0) {
                    z++;
                }
                lead_zero += z > 0;
                top_bit += (v[z] & 0x80) != 0; /* DER needs a sign byte */
            }
            d = ossl_sig_der(raw, n, &len);
            assert_int_equal(EVP_PKEY_verify(pc, d, len, h, sizeof(h)), 1);
            OPENSSL_free(d);
            /* OpenSSL -> ours */
            assert_int_equal(EVP_PKEY_sign_init(sc), 1);
            assert_int_equal(EVP_PKEY_sign(sc, der, &der_len, h, sizeof(h)), 1);
            ossl_sig_raw(der, der_len, n, raw);
            raw_len = 2 * n;
            assert_int_equal(t_one(FH_OP_VERIFY, &m, &k.pubk, h, sizeof(h), raw, &raw_len), FH_OK);
            raw[n - 1] ^= 1;
            assert_int_equal(t_one(FH_OP_VERIFY, &m, &k.pubk, h, sizeof(h), raw, &raw_len),
                             FH_E_SIGNATURE_INVALID);
            EVP_PKEY_CTX_free(sc);
            EVP_PKEY_free(priv);
        }
        /* both DER edge cases of the integers were met */
        assert_true(lead_zero > 0);
        assert_true(top_bit > 0);
        /* edge values: invalid, never an error of another kind */
        for (int e = 0; e < 3; e++) {
            uint8_t raw[132];
            size_t raw_len = 2 * n;

            memset(raw, e == 2 ? 0xff : 0, sizeof(raw));
            if (e == 0) {
                raw[n - 1] = 1;
                raw[2 * n - 1] = 1;
            } else if (e == 1) {
                raw[2 * n - 1] = 1; /* r = 0 */
            }
            assert_int_equal(t_one(FH_OP_VERIFY, &m, &k.pubk, h, sizeof(h), raw, &raw_len),
                             FH_E_SIGNATURE_INVALID);
        }
        EVP_PKEY_CTX_free(pc);
        EVP_PKEY_free(pub);
        t_tkey_free(&k);
    }
}
