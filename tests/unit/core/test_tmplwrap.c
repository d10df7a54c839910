/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_tmplwrap.c - tmplwrap.h: a C_CreateObject template checked by the
 * rules of fh_object_create (each bad template gets the code a local
 * C_CreateObject gives, compared here call by call), described, and wrapped
 * with CKM_RSA_AES_KEY_WRAP under a public key, which the token's private
 * key then unwraps into the same key (secret value read back; EC private key
 * compared by its public key with OpenSSL's); and fh_attr_type_valid.
 */
#include "helpers.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ferrohsm/tmplwrap.h"
#include "ferrohsm/vendor.h"

static CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
static CK_OBJECT_CLASS sec = CKO_SECRET_KEY, prv = CKO_PRIVATE_KEY, pubc = CKO_PUBLIC_KEY;
static CK_KEY_TYPE aes = CKK_AES, rsa = CKK_RSA, eck = CKK_EC;
static const uint8_t p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};

/* The same rv from fh_tmpl_check as from fh_object_create of a session object. */
static void
same_as_create(fh_ctx *ctx, fh_session *s, CK_ATTRIBUTE *t, CK_ULONG n, fh_rv want)
{
    struct fh_key_desc d;
    CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;

    assert_int_equal(fh_tmpl_check(ctx, t, n, &d), want);
    assert_int_equal(fh_object_create(s, t, n, &h), want);
}

static void
check_like_create(void **state)
{
    struct th_env *e = *state;
    fh_token *tok = NULL;
    fh_session *s = NULL;
    uint8_t v[32] = {1, 2, 3}, junk[4] = {9, 9, 9, 9};
    CK_ULONG vl = 16;
    struct fh_key_desc d;

    th_open(e->ctx, TH_LABEL, true, true, &tok, &s);
    {
        CK_ATTRIBUTE t[] = {{CKA_CLASS, &sec, sizeof(sec)},
                            {CKA_KEY_TYPE, &aes, sizeof(aes)},
                            {CKA_TOKEN, &no, 1},
                            {CKA_VALUE, v, 32},
                            {CKA_SIGN, &no, 1}};
        assert_int_equal(fh_tmpl_check(e->ctx, t, 5, &d), FH_OK);
        assert_int_equal(d.cls, CKO_SECRET_KEY);
        assert_int_equal(d.key_type, CKK_AES);
        assert_int_equal(d.bits, 256);
        assert_string_equal(fh_key_desc_type(&d), "aes-256");
        /* the class defaults, minus the template's false */
        assert_int_equal(d.usage, FH_USAGE_VERIFY | FH_USAGE_ENCRYPT | FH_USAGE_DECRYPT |
                                      FH_USAGE_WRAP | FH_USAGE_UNWRAP);
        same_as_create(e->ctx, s, t + 1, 4, FH_E_TEMPLATE_INCOMPLETE); /* no class */
        t[1].type = CKA_LABEL;
        same_as_create(e->ctx, s, t, 4, FH_E_TEMPLATE_INCOMPLETE); /* no key type */
        t[1].type = CKA_KEY_TYPE;
        same_as_create(e->ctx, s, t, 3, FH_E_TEMPLATE_INCOMPLETE); /* no value */
        t[3].ulValueLen = 17;
        same_as_create(e->ctx, s, t, 4, FH_E_ATTR_VALUE_INVALID);
        t[3].ulValueLen = 16;
        t[4] = (CK_ATTRIBUTE){CKA_VALUE_LEN, &vl, sizeof(vl)};
        same_as_create(e->ctx, s, t, 5, FH_E_TEMPLATE_INCONSISTENT);
        t[4] = (CK_ATTRIBUTE){0x7ffff00dUL, junk, sizeof(junk)};
        same_as_create(e->ctx, s, t, 5, FH_E_ATTR_TYPE_INVALID);
        t[4] = (CK_ATTRIBUTE){CKA_MODULUS, junk, sizeof(junk)};
        same_as_create(e->ctx, s, t, 5, FH_E_ATTR_TYPE_INVALID);
        t[4] = (CK_ATTRIBUTE){CKA_LOCAL, &yes, 1};
        same_as_create(e->ctx, s, t, 5, FH_E_ATTR_READ_ONLY);
        t[4] = (CK_ATTRIBUTE){CKA_SIGN, junk, sizeof(junk)};
        same_as_create(e->ctx, s, t, 5, FH_E_ATTR_VALUE_INVALID);
    }
    {
        /* a private EC key whose scalar is out of range */
        uint8_t big[32];
        CK_ATTRIBUTE t[] = {{CKA_CLASS, &prv, sizeof(prv)},
                            {CKA_KEY_TYPE, &eck, sizeof(eck)},
                            {CKA_TOKEN, &no, 1},
                            {CKA_EC_PARAMS, (void *)p256, sizeof(p256)},
                            {CKA_VALUE, big, sizeof(big)}};
        memset(big, 0xff, sizeof(big));
        same_as_create(e->ctx, s, t, 5, FH_E_ATTR_VALUE_INVALID);
        /* the transport marker is for generation only */
        t[1] = (CK_ATTRIBUTE){CKA_KEY_TYPE, &rsa, sizeof(rsa)};
        t[3] = (CK_ATTRIBUTE){FH_CKA_IMPORT_TRANSPORT, &yes, 1};
        same_as_create(e->ctx, s, t, 4, FH_E_TEMPLATE_INCONSISTENT);
    }
    {
        /* only keys with material */
        CK_ATTRIBUTE t[] = {{CKA_CLASS, &pubc, sizeof(pubc)}, {CKA_KEY_TYPE, &eck, sizeof(eck)}};
        assert_int_equal(fh_tmpl_check(e->ctx, t, 2, &d), FH_E_TEMPLATE_INCONSISTENT);
    }
    fh_session_close(s);
    fh_token_close(tok);
}

/* The DER SubjectPublicKeyInfo of object h (malloc'ed). */
static uint8_t *
spki_of(fh_session *s, CK_OBJECT_HANDLE h, size_t *len)
{
    uint8_t *spki = NULL;

    assert_int_equal(fh_attr_read(s, h, CKA_PUBLIC_KEY_INFO, &spki, len), FH_OK);
    return spki;
}

static CK_OBJECT_HANDLE
unwrap(fh_session *s, const CK_MECHANISM *m, CK_OBJECT_HANDLE uk, const uint8_t *w, size_t wl,
       CK_OBJECT_CLASS *cls, CK_KEY_TYPE *kt, fh_rv want)
{
    CK_ATTRIBUTE t[] = {{CKA_CLASS, cls, sizeof(*cls)},
                        {CKA_KEY_TYPE, kt, sizeof(*kt)},
                        {CKA_TOKEN, &no, 1},
                        {CKA_SENSITIVE, &no, 1},
                        {CKA_EXTRACTABLE, &yes, 1}};
    CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;

    assert_int_equal(fh_key_unwrap(s, m, uk, w, wl, t, 5, &h), want);
    return h;
}

static void
wrap_and_unwrap(void **state)
{
    struct th_env *e = *state;
    fh_token *tok = NULL;
    fh_session *s = NULL;
    CK_MECHANISM gen = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
    CK_ULONG bits = 2048;
    uint8_t f4[] = {1, 0, 1};
    CK_ATTRIBUTE pt[] = {{CKA_MODULUS_BITS, &bits, sizeof(bits)},
                         {CKA_PUBLIC_EXPONENT, f4, sizeof(f4)}};
    CK_ATTRIBUTE kt[] = {{CKA_UNWRAP, &yes, 1}};
    CK_OBJECT_HANDLE pub = CK_INVALID_HANDLE, priv = CK_INVALID_HANDLE, h, ecpub, ecpriv;
    CK_RSA_PKCS_OAEP_PARAMS op = {CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED, NULL, 0};
    CK_RSA_AES_KEY_WRAP_PARAMS ra = {256, &op};
    CK_MECHANISM m = {CKM_RSA_AES_KEY_WRAP, &ra, sizeof(ra)};
    CK_MECHANISM oaep = {CKM_RSA_PKCS_OAEP, &op, sizeof(op)};
    CK_MECHANISM kw = {CKM_AES_KEY_WRAP_PAD, NULL, 0};
    uint8_t v[24], *spki, *w = NULL, *back = NULL, *ecspki, *got = NULL;
    size_t spki_len = 0, wl = 0, bl = 0, ecspki_len = 0, gl = 0;

    th_open(e->ctx, TH_LABEL, true, true, &tok, &s);
    assert_int_equal(fh_key_generate_pair(s, &gen, pt, 2, kt, 1, &pub, &priv), FH_OK);
    spki = spki_of(s, pub, &spki_len);
    for (size_t i = 0; i < sizeof(v); i++) {
        v[i] = (uint8_t)(7 * i + 1);
    }
    {
        CK_ATTRIBUTE t[] = {{CKA_CLASS, &sec, sizeof(sec)},
                            {CKA_KEY_TYPE, &aes, sizeof(aes)},
                            {CKA_VALUE, v, sizeof(v)}};
        CK_OBJECT_CLASS c = CKO_SECRET_KEY;
        CK_KEY_TYPE k = CKK_AES;

        assert_int_equal(fh_tmpl_wrap(e->ctx, t, 3, &m, spki, spki_len, &w, &wl), FH_OK);
        assert_int_equal(wl, 256 + 32);
        h = unwrap(s, &m, priv, w, wl, &c, &k, FH_OK);
        assert_int_equal(fh_attr_read(s, h, CKA_VALUE, &back, &bl), FH_OK);
        assert_int_equal(bl, sizeof(v));
        assert_memory_equal(back, v, sizeof(v));
        free(back);
        free(w);
        w = NULL;
        /* RSA-OAEP carries a secret key too */
        assert_int_equal(fh_tmpl_wrap(e->ctx, t, 3, &oaep, spki, spki_len, &w, &wl), FH_OK);
        assert_int_equal(wl, 256);
        unwrap(s, &oaep, priv, w, wl, &c, &k, FH_OK);
        free(w);
        w = NULL;
        /* no AES wrapping: the wrapping key is a public key */
        assert_int_equal(fh_tmpl_wrap(e->ctx, t, 3, &kw, spki, spki_len, &w, &wl),
                         FH_E_MECH_INVALID);
        /* a bad template is the template's error, before any wrapping */
        t[2].ulValueLen = 5;
        assert_int_equal(fh_tmpl_wrap(e->ctx, t, 3, &m, spki, spki_len, &w, &wl),
                         FH_E_ATTR_VALUE_INVALID);
        assert_null(w);
    }
    {
        /* an EC private key from its scalar: PKCS#8 on the wire, the same key unwrapped */
        EVP_PKEY *ek = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
        BIGNUM *d = NULL;
        uint8_t scalar[32], *der = NULL, *p;
        int dl;
        CK_ATTRIBUTE t[] = {{CKA_CLASS, &prv, sizeof(prv)},
                            {CKA_KEY_TYPE, &eck, sizeof(eck)},
                            {CKA_EC_PARAMS, (void *)p256, sizeof(p256)},
                            {CKA_VALUE, scalar, sizeof(scalar)}};
        CK_OBJECT_CLASS c = CKO_PRIVATE_KEY;
        CK_KEY_TYPE k = CKK_EC;
        struct fh_key_desc desc;

        assert_non_null(ek);
        assert_int_equal(EVP_PKEY_get_bn_param(ek, OSSL_PKEY_PARAM_PRIV_KEY, &d), 1);
        assert_int_equal(BN_bn2binpad(d, scalar, sizeof(scalar)), 32);
        dl = i2d_PUBKEY(ek, NULL);
        assert_true(dl > 0);
        der = malloc((size_t)dl);
        assert_non_null(der);
        p = der;
        assert_int_equal(i2d_PUBKEY(ek, &p), dl);
        assert_int_equal(fh_tmpl_check(e->ctx, t, 4, &desc), FH_OK);
        assert_string_equal(fh_key_desc_type(&desc), "ec-p256");
        assert_int_equal(fh_tmpl_wrap(e->ctx, t, 4, &m, spki, spki_len, &w, &wl), FH_OK);
        ecpriv = unwrap(s, &m, priv, w, wl, &c, &k, FH_OK);
        got = spki_of(s, ecpriv, &gl);
        assert_int_equal(gl, (size_t)dl);
        assert_memory_equal(got, der, gl);
        free(got);
        free(w);
        w = NULL;
        /* OAEP cannot carry a private key */
        assert_int_equal(fh_tmpl_wrap(e->ctx, t, 4, &oaep, spki, spki_len, &w, &wl),
                         FH_E_KEY_NOT_WRAPPABLE);
        /* an EC public key cannot wrap */
        th_ec_pair(s, false, "ec", &ecpub, &ecpriv);
        ecspki = spki_of(s, ecpub, &ecspki_len);
        assert_int_equal(fh_tmpl_wrap(e->ctx, t, 4, &m, ecspki, ecspki_len, &w, &wl),
                         FH_E_WRAPPING_KEY_TYPE_INCONSISTENT);
        free(ecspki);
        free(der);
        BN_clear_free(d);
        OPENSSL_cleanse(scalar, sizeof(scalar));
        EVP_PKEY_free(ek);
    }
    free(spki);
    fh_session_close(s);
    fh_token_close(tok);
}

static void
attr_type_valid(void **state)
{
    (void)state;
    assert_true(fh_attr_type_valid(CKO_SECRET_KEY, CKK_AES, CKA_VALUE));
    assert_true(fh_attr_type_valid(CKO_SECRET_KEY, CKK_AES, CKA_LABEL));
    assert_false(fh_attr_type_valid(CKO_SECRET_KEY, CKK_AES, CKA_MODULUS));
    assert_false(fh_attr_type_valid(CKO_PUBLIC_KEY, CKK_EC, CKA_MODULUS));
    assert_true(fh_attr_type_valid(CKO_PUBLIC_KEY, CKK_RSA, CKA_MODULUS));
    assert_true(fh_attr_type_valid(CKO_PRIVATE_KEY, CKK_RSA, FH_CKA_IMPORT_TRANSPORT));
    assert_false(fh_attr_type_valid(CKO_SECRET_KEY, CKK_AES, FH_CKA_IMPORT_TRANSPORT));
    assert_false(fh_attr_type_valid(CKO_SECRET_KEY, CKK_AES, 0x7ffff00dUL));
    assert_true(fh_attr_type_valid(CKO_PRIVATE_KEY, CK_UNAVAILABLE_INFORMATION, CKA_SIGN));
    assert_false(fh_attr_type_valid(CKO_PRIVATE_KEY, CK_UNAVAILABLE_INFORMATION, CKA_MODULUS));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(check_like_create, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(wrap_and_unwrap, th_setup, th_teardown),
        cmocka_unit_test(attr_type_valid),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
