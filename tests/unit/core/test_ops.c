/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_ops.c - key generation and cryptographic operations through the
 * session API (src/core/session.c, src/core/keyops.c): results are checked
 * against OpenSSL, and the operation state machine against PKCS#11 rules.
 */
#include "helpers.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#define N(t) ((CK_ULONG)(sizeof(t) / sizeof((t)[0])))

static CK_BBOOL yes = CK_TRUE;
static CK_BBOOL no = CK_FALSE;
static CK_OBJECT_CLASS cls_secret = CKO_SECRET_KEY;
static CK_OBJECT_CLASS cls_priv = CKO_PRIVATE_KEY;
static CK_KEY_TYPE kt_aes = CKK_AES;
static CK_KEY_TYPE kt_ec = CKK_EC;

static const uint8_t msg[] = "The quick brown fox jumps over the lazy dog, twice over.";

struct fix {
    struct th_env e;
    fh_token *tok;
    fh_session *s;
};

static int
setup(void **state)
{
    struct fix *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    th_env_init(&f->e);
    assert_int_equal(th_token_create(f->e.ctx, TH_LABEL, TH_SO_PIN, TH_USER_PIN), FH_OK);
    th_open(f->e.ctx, TH_LABEL, true, true, &f->tok, &f->s);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fix *f = *state;

    fh_token_close(f->tok);
    th_env_fini(&f->e);
    free(f);
    return 0;
}

/* The bytes of attribute type of object h (malloc'ed). */
static uint8_t *
get_attr(fh_session *s, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE type, size_t *len)
{
    CK_ATTRIBUTE a = {type, NULL, 0};
    uint8_t *buf;

    assert_int_equal(fh_object_get_attributes(s, h, &a, 1), FH_OK);
    assert_true(a.ulValueLen != CK_UNAVAILABLE_INFORMATION);
    buf = malloc(a.ulValueLen + 1);
    assert_non_null(buf);
    a.pValue = buf;
    assert_int_equal(fh_object_get_attributes(s, h, &a, 1), FH_OK);
    *len = a.ulValueLen;
    return buf;
}

static EVP_PKEY *
pubkey_of(fh_session *s, CK_OBJECT_HANDLE h)
{
    size_t len = 0;
    uint8_t *spki = get_attr(s, h, CKA_PUBLIC_KEY_INFO, &len);
    const unsigned char *p = spki;
    EVP_PKEY *pk = d2i_PUBKEY(NULL, &p, (long)len);

    assert_non_null(pk);
    assert_ptr_equal(p, spki + len);
    free(spki);
    return pk;
}

/* OpenSSL's verdict on sig over data; md NULL for EdDSA. */
static int
ossl_verify(EVP_PKEY *pk, const EVP_MD *md, const uint8_t *data, size_t len, const uint8_t *sig,
            size_t sig_len)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int r;

    assert_non_null(c);
    assert_int_equal(EVP_DigestVerifyInit(c, NULL, md, NULL, pk), 1);
    r = EVP_DigestVerify(c, sig, sig_len, data, len);
    EVP_MD_CTX_free(c);
    return r;
}

/* raw r || s -> DER ECDSA-Sig-Value */
static uint8_t *
ecdsa_raw_to_der(const uint8_t *sig, size_t sig_len, size_t *der_len)
{
    ECDSA_SIG *es = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig, (int)(sig_len / 2), NULL);
    BIGNUM *sv = BN_bin2bn(sig + sig_len / 2, (int)(sig_len / 2), NULL);
    uint8_t *der = NULL;
    int n;

    assert_non_null(es);
    assert_non_null(r);
    assert_non_null(sv);
    assert_int_equal(ECDSA_SIG_set0(es, r, sv), 1);
    n = i2d_ECDSA_SIG(es, &der);
    assert_true(n > 0);
    ECDSA_SIG_free(es);
    *der_len = (size_t)n;
    return der;
}

static void
rsa_pair(fh_session *s, CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv)
{
    CK_MECHANISM m = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
    CK_ULONG bits = 2048;
    uint8_t e[] = {1, 0, 1};
    CK_ATTRIBUTE pt[] = {
        {CKA_MODULUS_BITS, &bits, sizeof(bits)},
        {CKA_PUBLIC_EXPONENT, e, sizeof(e)},
        {CKA_VERIFY, &yes, 1},
        {CKA_ENCRYPT, &yes, 1},
        {CKA_TOKEN, &no, 1},
    };
    CK_ATTRIBUTE st[] = {
        {CKA_SIGN, &yes, 1},
        {CKA_DECRYPT, &yes, 1},
        {CKA_TOKEN, &no, 1},
    };

    assert_int_equal(fh_key_generate_pair(s, &m, pt, N(pt), st, N(st), pub, priv), FH_OK);
}

static CK_OBJECT_HANDLE
import_aes(fh_session *s, const uint8_t key[32], bool extractable)
{
    CK_BBOOL ext = extractable;
    CK_ATTRIBUTE t[] = {
        {CKA_CLASS, &cls_secret, sizeof(cls_secret)},
        {CKA_KEY_TYPE, &kt_aes, sizeof(kt_aes)},
        {CKA_EXTRACTABLE, &ext, 1},
        {CKA_VALUE, (CK_VOID_PTR)(uintptr_t)key, 32},
    };
    CK_OBJECT_HANDLE h;

    assert_int_equal(fh_object_create(s, t, N(t), &h), FH_OK);
    return h;
}

static void
ecb_block(fh_session *s, CK_OBJECT_HANDLE key, const uint8_t in[32], uint8_t out[32])
{
    CK_MECHANISM ecb = {CKM_AES_ECB, NULL, 0};
    size_t len = 32;

    assert_int_equal(fh_op_init(s, FH_OP_ENCRYPT, &ecb, key), FH_OK);
    assert_int_equal(fh_op_oneshot(s, FH_OP_ENCRYPT, in, 32, out, &len), FH_OK);
    assert_int_equal(len, 32);
}

static void
aes_cbc_pad_single_and_multi(void **state)
{
    struct fix *f = *state;
    uint8_t key[32], iv[16], ct[128], ct2[128], pt[128], ref[128];
    CK_MECHANISM m = {CKM_AES_CBC_PAD, iv, sizeof(iv)};
    CK_OBJECT_HANDLE h, hg;
    size_t ct_len = sizeof(ct), n, off, pt_len;
    int rl = 0, fl = 0;
    EVP_CIPHER_CTX *c;

    for (int i = 0; i < 32; i++) {
        key[i] = (uint8_t)(i * 3 + 1);
    }
    for (int i = 0; i < 16; i++) {
        iv[i] = (uint8_t)(0xF0 - i);
    }
    h = import_aes(f->s, key, false);

    /* single part, checked against OpenSSL */
    assert_int_equal(fh_op_init(f->s, FH_OP_ENCRYPT, &m, h), FH_OK);
    assert_int_equal(fh_op_oneshot(f->s, FH_OP_ENCRYPT, msg, sizeof(msg), NULL, &ct_len), FH_OK);
    assert_true(ct_len >= 64);
    assert_true(fh_op_is_active(f->s, FH_OP_ENCRYPT));
    ct_len = sizeof(ct);
    assert_int_equal(fh_op_oneshot(f->s, FH_OP_ENCRYPT, msg, sizeof(msg), ct, &ct_len), FH_OK);
    assert_false(fh_op_is_active(f->s, FH_OP_ENCRYPT));
    assert_int_equal(ct_len, 64); /* 57 bytes + padding */
    c = EVP_CIPHER_CTX_new();
    assert_int_equal(EVP_EncryptInit_ex(c, EVP_aes_256_cbc(), NULL, key, iv), 1);
    assert_int_equal(EVP_EncryptUpdate(c, ref, &rl, msg, sizeof(msg)), 1);
    assert_int_equal(EVP_EncryptFinal_ex(c, ref + rl, &fl), 1);
    EVP_CIPHER_CTX_free(c);
    assert_int_equal((size_t)(rl + fl), ct_len);
    assert_memory_equal(ct, ref, ct_len);

    /* multi-part in odd chunks gives the same bytes */
    assert_int_equal(fh_op_init(f->s, FH_OP_ENCRYPT, &m, h), FH_OK);
    off = 0;
    for (size_t pos = 0; pos < sizeof(msg);) {
        size_t chunk = sizeof(msg) - pos < 13 ? sizeof(msg) - pos : 13;

        n = sizeof(ct2) - off;
        assert_int_equal(fh_op_update(f->s, FH_OP_ENCRYPT, msg + pos, chunk, ct2 + off, &n), FH_OK);
        off += n;
        pos += chunk;
    }
    n = sizeof(ct2) - off;
    assert_int_equal(fh_op_final(f->s, FH_OP_ENCRYPT, ct2 + off, &n), FH_OK);
    off += n;
    assert_false(fh_op_is_active(f->s, FH_OP_ENCRYPT));
    assert_int_equal(off, ct_len);
    assert_memory_equal(ct2, ref, off);

    /* decrypt, single and multi */
    pt_len = sizeof(pt);
    assert_int_equal(fh_op_init(f->s, FH_OP_DECRYPT, &m, h), FH_OK);
    assert_int_equal(fh_op_oneshot(f->s, FH_OP_DECRYPT, ct, ct_len, pt, &pt_len), FH_OK);
    assert_int_equal(pt_len, sizeof(msg));
    assert_memory_equal(pt, msg, sizeof(msg));
    assert_int_equal(fh_op_init(f->s, FH_OP_DECRYPT, &m, h), FH_OK);
    off = 0;
    for (size_t pos = 0; pos < ct_len; pos += 16) {
        n = sizeof(pt) - off;
        assert_int_equal(fh_op_update(f->s, FH_OP_DECRYPT, ct + pos, 16, pt + off, &n), FH_OK);
        off += n;
    }
    n = sizeof(pt) - off;
    assert_int_equal(fh_op_final(f->s, FH_OP_DECRYPT, pt + off, &n), FH_OK);
    off += n;
    assert_int_equal(off, sizeof(msg));
    assert_memory_equal(pt, msg, sizeof(msg));

    /* a generated AES-256 key round-trips too */
    hg = th_aes_key(f->s, false, false, "gen-aes");
    {
        size_t len = 32;
        uint8_t tmp[128];

        ct_len = sizeof(ct);
        assert_int_equal(fh_op_init(f->s, FH_OP_ENCRYPT, &m, hg), FH_OK);
        assert_int_equal(fh_op_oneshot(f->s, FH_OP_ENCRYPT, msg, sizeof(msg), ct, &ct_len), FH_OK);
        assert_memory_not_equal(ct, ref, ct_len); /* a different key */
        len = sizeof(tmp);
        assert_int_equal(fh_op_init(f->s, FH_OP_DECRYPT, &m, hg), FH_OK);
        assert_int_equal(fh_op_oneshot(f->s, FH_OP_DECRYPT, ct, ct_len, tmp, &len), FH_OK);
        assert_int_equal(len, sizeof(msg));
        assert_memory_equal(tmp, msg, sizeof(msg));
    }
    {
        CK_ULONG vlen = 0;
        CK_BBOOL local = 0, always = 0;
        CK_MECHANISM_TYPE genm = 0;
        CK_ATTRIBUTE g[] = {
            {CKA_VALUE_LEN, &vlen, sizeof(vlen)},
            {CKA_LOCAL, &local, 1},
            {CKA_ALWAYS_SENSITIVE, &always, 1},
            {CKA_KEY_GEN_MECHANISM, &genm, sizeof(genm)},
        };

        assert_int_equal(fh_object_get_attributes(f->s, hg, g, N(g)), FH_OK);
        assert_int_equal(vlen, 32);
        assert_int_equal(local, CK_TRUE);
        assert_int_equal(always, CK_TRUE);
        assert_int_equal(genm, CKM_AES_KEY_GEN);
    }
}

static void
rsa_sign_verify_encrypt(void **state)
{
    struct fix *f = *state;
    CK_OBJECT_HANDLE pub, priv;
    CK_MECHANISM m = {CKM_SHA256_RSA_PKCS, NULL, 0};
    uint8_t sig[512], sig2[512], ct[512], pt[512];
    size_t sig_len = 0, sig2_len, ct_len, pt_len;
    EVP_PKEY *pk;

    rsa_pair(f->s, &pub, &priv);
    assert_int_equal(fh_op_init(f->s, FH_OP_SIGN, &m, priv), FH_OK);
    assert_int_equal(fh_op_oneshot(f->s, FH_OP_SIGN, msg, sizeof(msg), NULL, &sig_len), FH_OK);
    assert_int_equal(sig_len, 256);
    assert_int_equal(fh_op_oneshot(f->s, FH_OP_SIGN, msg, sizeof(msg), sig, &sig_len), FH_OK);
    assert_int_equal(sig_len, 256);
    /* PKCS#1 v1.5 is deterministic: multi-part must give the same signature */
    assert_int_equal(fh_op_init(f->s, FH_OP_SIGN, &m, priv), FH_OK);
    assert_int_equal(fh_op_update(f->s, FH_OP_SIGN, msg, 10, NULL, NULL), FH_OK);
    assert_int_equal(fh_op_update(f->s, FH_OP_SIGN, msg + 10, sizeof(msg) - 10, NULL, NULL), FH_OK);
    sig2_len = sizeof(sig2);
    assert_int_equal(fh_op_final(f->s, FH_OP_SIGN, sig2, &sig2_len), FH_OK);
    assert_int_equal(sig2_len, sig_len);
    assert_memory_equal(sig, sig2, sig_len);
    assert_int_equal(th_verify(f->s, CKM_SHA256_RSA_PKCS, pub, msg, sizeof(msg), sig, sig_len),
                     FH_OK);
    /* multi-part verify */
    assert_int_equal(fh_op_init(f->s, FH_OP_VERIFY, &m, pub), FH_OK);
    assert_int_equal(fh_op_update(f->s, FH_OP_VERIFY, msg, 5, NULL, NULL), FH_OK);
    assert_int_equal(fh_op_update(f->s, FH_OP_VERIFY, msg + 5, sizeof(msg) - 5, NULL, NULL), FH_OK);
    sig2_len = sig_len;
    assert_int_equal(fh_op_final(f->s, FH_OP_VERIFY, sig2, &sig2_len), FH_OK);
    /* OpenSSL agrees */
    pk = pubkey_of(f->s, pub);
    assert_int_equal(ossl_verify(pk, EVP_sha256(), msg, sizeof(msg), sig, sig_len), 1);
    assert_int_equal(ossl_verify(pk, EVP_sha256(), msg, sizeof(msg) - 1, sig, sig_len), 0);
    EVP_PKEY_free(pk);

    /* RSA-OAEP encrypt with the public key, decrypt with the private one */
    {
        CK_RSA_PKCS_OAEP_PARAMS op = {CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED, NULL, 0};
        CK_MECHANISM om = {CKM_RSA_PKCS_OAEP, &op, sizeof(op)};

        ct_len = sizeof(ct);
        assert_int_equal(fh_op_init(f->s, FH_OP_ENCRYPT, &om, pub), FH_OK);
        assert_int_equal(fh_op_oneshot(f->s, FH_OP_ENCRYPT, msg, 32, ct, &ct_len), FH_OK);
        assert_int_equal(ct_len, 256);
        pt_len = sizeof(pt);
        assert_int_equal(fh_op_init(f->s, FH_OP_DECRYPT, &om, priv), FH_OK);
        assert_int_equal(fh_op_oneshot(f->s, FH_OP_DECRYPT, ct, ct_len, pt, &pt_len), FH_OK);
        assert_int_equal(pt_len, 32);
        assert_memory_equal(pt, msg, 32);
    }
    /* modulus bits on the public key */
    {
        CK_ULONG bits = 0;
        CK_ATTRIBUTE g[] = {{CKA_MODULUS_BITS, &bits, sizeof(bits)}};

        assert_int_equal(fh_object_get_attributes(f->s, pub, g, 1), FH_OK);
        assert_int_equal(bits, 2048);
    }
}

static void
ecdsa_p256_and_openssl_crosscheck(void **state)
{
    struct fix *f = *state;
    CK_OBJECT_HANDLE pub, priv;
    CK_MECHANISM m = {CKM_ECDSA_SHA256, NULL, 0};
    uint8_t sig[128], sig2[128];
    size_t sig_len = sizeof(sig), sig2_len = sizeof(sig2), der_len = 0;
    uint8_t *der;
    EVP_PKEY *pk;

    th_ec_pair(f->s, false, "ec", &pub, &priv);
    assert_int_equal(th_sign(f->s, CKM_ECDSA_SHA256, priv, msg, sizeof(msg), sig, &sig_len), FH_OK);
    assert_int_equal(sig_len, 64);
    assert_int_equal(th_verify(f->s, CKM_ECDSA_SHA256, pub, msg, sizeof(msg), sig, sig_len), FH_OK);
    /* multi-part sign, verified single-part */
    assert_int_equal(fh_op_init(f->s, FH_OP_SIGN, &m, priv), FH_OK);
    assert_int_equal(fh_op_update(f->s, FH_OP_SIGN, msg, 20, NULL, NULL), FH_OK);
    assert_int_equal(fh_op_update(f->s, FH_OP_SIGN, msg + 20, sizeof(msg) - 20, NULL, NULL), FH_OK);
    assert_int_equal(fh_op_final(f->s, FH_OP_SIGN, sig2, &sig2_len), FH_OK);
    assert_int_equal(sig2_len, 64);
    assert_int_equal(th_verify(f->s, CKM_ECDSA_SHA256, pub, msg, sizeof(msg), sig2, sig2_len),
                     FH_OK);

    /* OpenSSL verifies the token's signature with the token's SPKI */
    pk = pubkey_of(f->s, pub);
    assert_int_equal(EVP_PKEY_get_base_id(pk), EVP_PKEY_EC);
    assert_int_equal(EVP_PKEY_get_bits(pk), 256);
    der = ecdsa_raw_to_der(sig, sig_len, &der_len);
    assert_int_equal(ossl_verify(pk, EVP_sha256(), msg, sizeof(msg), der, der_len), 1);
    assert_int_equal(ossl_verify(pk, EVP_sha256(), msg + 1, sizeof(msg) - 1, der, der_len), 0);
    OPENSSL_free(der);
    der = ecdsa_raw_to_der(sig2, sig2_len, &der_len);
    assert_int_equal(ossl_verify(pk, EVP_sha256(), msg, sizeof(msg), der, der_len), 1);
    OPENSSL_free(der);
    EVP_PKEY_free(pk);

    /* the private key carries the same SPKI */
    {
        size_t l1 = 0, l2 = 0;
        uint8_t *a = get_attr(f->s, pub, CKA_PUBLIC_KEY_INFO, &l1);
        uint8_t *b = get_attr(f->s, priv, CKA_PUBLIC_KEY_INFO, &l2);

        assert_int_equal(l1, l2);
        assert_memory_equal(a, b, l1);
        free(a);
        free(b);
    }
}

static void
ed25519_sign_verify(void **state)
{
    struct fix *f = *state;
    CK_MECHANISM gm = {CKM_EC_EDWARDS_KEY_PAIR_GEN, NULL, 0};
    CK_ATTRIBUTE pt[] = {
        {CKA_EC_PARAMS, (CK_VOID_PTR)(uintptr_t)th_ed25519_params, sizeof(th_ed25519_params)},
        {CKA_VERIFY, &yes, 1},
    };
    CK_ATTRIBUTE st[] = {{CKA_SIGN, &yes, 1}};
    CK_OBJECT_HANDLE pub, priv;
    uint8_t sig[128], bad[sizeof(msg)];
    size_t sig_len = sizeof(sig);
    EVP_PKEY *pk;

    assert_int_equal(fh_key_generate_pair(f->s, &gm, pt, N(pt), st, N(st), &pub, &priv), FH_OK);
    assert_int_equal(th_sign(f->s, CKM_EDDSA, priv, msg, sizeof(msg), sig, &sig_len), FH_OK);
    assert_int_equal(sig_len, 64);
    assert_int_equal(th_verify(f->s, CKM_EDDSA, pub, msg, sizeof(msg), sig, sig_len), FH_OK);
    memcpy(bad, msg, sizeof(msg));
    bad[3] ^= 1;
    assert_int_equal(th_verify(f->s, CKM_EDDSA, pub, bad, sizeof(bad), sig, sig_len),
                     FH_E_SIGNATURE_INVALID);
    pk = pubkey_of(f->s, pub);
    assert_int_equal(EVP_PKEY_get_base_id(pk), EVP_PKEY_ED25519);
    assert_int_equal(ossl_verify(pk, NULL, msg, sizeof(msg), sig, sig_len), 1);
    EVP_PKEY_free(pk);
    /* EdDSA is single-part only */
    {
        CK_MECHANISM m = {CKM_EDDSA, NULL, 0};

        assert_int_equal(fh_op_init(f->s, FH_OP_SIGN, &m, priv), FH_OK);
        assert_int_equal(fh_op_update(f->s, FH_OP_SIGN, msg, 4, NULL, NULL), FH_E_MECH_INVALID);
        assert_false(fh_op_is_active(f->s, FH_OP_SIGN));
    }
}

static void
operation_state_machine(void **state)
{
    struct fix *f = *state;
    CK_OBJECT_HANDLE pub, priv;
    CK_MECHANISM m = {CKM_ECDSA_SHA256, NULL, 0};
    uint8_t sig[128];
    size_t len;

    th_ec_pair(f->s, false, "sm", &pub, &priv);

    /* init twice */
    assert_int_equal(fh_op_init(f->s, FH_OP_SIGN, &m, priv), FH_OK);
    assert_int_equal(fh_op_init(f->s, FH_OP_SIGN, &m, priv), FH_E_OP_ACTIVE);
    assert_true(fh_op_is_active(f->s, FH_OP_SIGN));
    /* other kinds are independent */
    assert_int_equal(fh_op_init(f->s, FH_OP_VERIFY, &m, pub), FH_OK);
    fh_op_cancel(f->s, FH_OP_VERIFY);
    fh_op_cancel(f->s, FH_OP_SIGN);
    assert_false(fh_op_is_active(f->s, FH_OP_SIGN));

    /* nothing initialised */
    len = sizeof(sig);
    assert_int_equal(fh_op_update(f->s, FH_OP_SIGN, msg, 4, NULL, NULL), FH_E_OP_NOT_INITIALIZED);
    assert_int_equal(fh_op_final(f->s, FH_OP_SIGN, sig, &len), FH_E_OP_NOT_INITIALIZED);
    assert_int_equal(fh_op_oneshot(f->s, FH_OP_SIGN, msg, 4, sig, &len), FH_E_OP_NOT_INITIALIZED);

    /* single-part after multi-part: refused and the operation is over */
    assert_int_equal(fh_op_init(f->s, FH_OP_SIGN, &m, priv), FH_OK);
    assert_int_equal(fh_op_update(f->s, FH_OP_SIGN, msg, 4, NULL, NULL), FH_OK);
    len = sizeof(sig);
    assert_int_equal(fh_op_oneshot(f->s, FH_OP_SIGN, msg, 4, sig, &len), FH_E_OP_MIXED);
    assert_false(fh_op_is_active(f->s, FH_OP_SIGN));
    assert_int_equal(fh_op_update(f->s, FH_OP_SIGN, msg, 4, NULL, NULL), FH_E_OP_NOT_INITIALIZED);

    /* a length query and a too-small buffer keep the operation */
    assert_int_equal(fh_op_init(f->s, FH_OP_SIGN, &m, priv), FH_OK);
    len = 0;
    assert_int_equal(fh_op_oneshot(f->s, FH_OP_SIGN, msg, sizeof(msg), NULL, &len), FH_OK);
    assert_int_equal(len, 64);
    assert_true(fh_op_is_active(f->s, FH_OP_SIGN));
    len = 10;
    assert_int_equal(fh_op_oneshot(f->s, FH_OP_SIGN, msg, sizeof(msg), sig, &len),
                     FH_E_BUFFER_TOO_SMALL);
    assert_int_equal(len, 64);
    assert_true(fh_op_is_active(f->s, FH_OP_SIGN));
    len = sizeof(sig);
    assert_int_equal(fh_op_oneshot(f->s, FH_OP_SIGN, msg, sizeof(msg), sig, &len), FH_OK);
    assert_false(fh_op_is_active(f->s, FH_OP_SIGN));
    assert_int_equal(th_verify(f->s, CKM_ECDSA_SHA256, pub, msg, sizeof(msg), sig, len), FH_OK);

    /* the same for final */
    assert_int_equal(fh_op_init(f->s, FH_OP_SIGN, &m, priv), FH_OK);
    assert_int_equal(fh_op_update(f->s, FH_OP_SIGN, msg, sizeof(msg), NULL, NULL), FH_OK);
    len = 0;
    assert_int_equal(fh_op_final(f->s, FH_OP_SIGN, NULL, &len), FH_OK);
    assert_int_equal(len, 64);
    len = 1;
    assert_int_equal(fh_op_final(f->s, FH_OP_SIGN, sig, &len), FH_E_BUFFER_TOO_SMALL);
    assert_true(fh_op_is_active(f->s, FH_OP_SIGN));
    len = sizeof(sig);
    assert_int_equal(fh_op_final(f->s, FH_OP_SIGN, sig, &len), FH_OK);
    assert_false(fh_op_is_active(f->s, FH_OP_SIGN));
    assert_int_equal(th_verify(f->s, CKM_ECDSA_SHA256, pub, msg, sizeof(msg), sig, len), FH_OK);

    /* a bad signature ends the verify operation */
    sig[10] ^= 0x40;
    assert_int_equal(fh_op_init(f->s, FH_OP_VERIFY, &m, pub), FH_OK);
    assert_int_equal(fh_op_oneshot(f->s, FH_OP_VERIFY, msg, sizeof(msg), sig, &len),
                     FH_E_SIGNATURE_INVALID);
    assert_false(fh_op_is_active(f->s, FH_OP_VERIFY));
    assert_int_equal(fh_op_oneshot(f->s, FH_OP_VERIFY, msg, sizeof(msg), sig, &len),
                     FH_E_OP_NOT_INITIALIZED);
    /* ... also in multi-part form, and for a wrong length */
    assert_int_equal(fh_op_init(f->s, FH_OP_VERIFY, &m, pub), FH_OK);
    assert_int_equal(fh_op_update(f->s, FH_OP_VERIFY, msg, sizeof(msg), NULL, NULL), FH_OK);
    assert_int_equal(fh_op_final(f->s, FH_OP_VERIFY, sig, &len), FH_E_SIGNATURE_INVALID);
    assert_false(fh_op_is_active(f->s, FH_OP_VERIFY));
    assert_int_equal(fh_op_init(f->s, FH_OP_VERIFY, &m, pub), FH_OK);
    len = 63;
    assert_int_not_equal(fh_op_oneshot(f->s, FH_OP_VERIFY, msg, sizeof(msg), sig, &len), FH_OK);
    assert_false(fh_op_is_active(f->s, FH_OP_VERIFY));

    /* closing a session with an active operation is clean */
    {
        fh_session *s2 = NULL;

        assert_int_equal(fh_session_open(f->tok, false, &s2), FH_OK);
        assert_int_equal(fh_op_init(s2, FH_OP_SIGN, &m, priv), FH_OK);
        assert_int_equal(fh_op_update(s2, FH_OP_SIGN, msg, 3, NULL, NULL), FH_OK);
        fh_session_close(s2);
    }
}

static void
digest_matches_openssl(void **state)
{
    struct fix *f = *state;
    CK_MECHANISM m = {CKM_SHA256, NULL, 0};
    uint8_t out[64], ref[32];
    size_t len = sizeof(out);
    unsigned int rl = 0;

    assert_int_equal(fh_op_init(f->s, FH_OP_DIGEST, &m, CK_INVALID_HANDLE), FH_OK);
    assert_int_equal(fh_op_update(f->s, FH_OP_DIGEST, msg, 7, NULL, NULL), FH_OK);
    assert_int_equal(fh_op_update(f->s, FH_OP_DIGEST, msg + 7, sizeof(msg) - 7, NULL, NULL), FH_OK);
    assert_int_equal(fh_op_final(f->s, FH_OP_DIGEST, out, &len), FH_OK);
    assert_int_equal(EVP_Digest(msg, sizeof(msg), ref, &rl, EVP_sha256(), NULL), 1);
    assert_int_equal(len, 32);
    assert_memory_equal(out, ref, 32);
}

static void
key_checks_at_init(void **state)
{
    struct fix *f = *state;
    CK_MECHANISM ecdsa = {CKM_ECDSA_SHA256, NULL, 0};
    CK_MECHANISM digest = {CKM_SHA256, NULL, 0};
    CK_MECHANISM bogus = {0x7FFFFFF0UL, NULL, 0};
    CK_MECHANISM ecb = {CKM_AES_ECB, NULL, 0};
    CK_MECHANISM gm = {CKM_EC_KEY_PAIR_GEN, NULL, 0};
    CK_OBJECT_HANDLE pub, priv, aes, nosign_pub, nosign_priv, noenc;

    th_ec_pair(f->s, false, "ok", &pub, &priv);
    aes = th_aes_key(f->s, false, false, "aes");
    {
        CK_ATTRIBUTE pt[] = {
            {CKA_EC_PARAMS, (CK_VOID_PTR)(uintptr_t)th_p256_params, sizeof(th_p256_params)}};
        CK_ATTRIBUTE st[] = {{CKA_SIGN, &no, 1}};

        assert_int_equal(fh_key_generate_pair(f->s, &gm, pt, 1, st, 1, &nosign_pub, &nosign_priv),
                         FH_OK);
    }
    {
        CK_MECHANISM kg = {CKM_AES_KEY_GEN, NULL, 0};
        CK_ULONG l = 32;
        CK_ATTRIBUTE t[] = {{CKA_VALUE_LEN, &l, sizeof(l)}, {CKA_ENCRYPT, &no, 1}};

        assert_int_equal(fh_key_generate(f->s, &kg, t, N(t), &noenc), FH_OK);
    }
    assert_int_equal(fh_op_init(f->s, FH_OP_SIGN, &ecdsa, nosign_priv),
                     FH_E_KEY_FUNCTION_NOT_PERMITTED);
    assert_false(fh_op_is_active(f->s, FH_OP_SIGN));
    assert_int_equal(fh_op_init(f->s, FH_OP_ENCRYPT, &ecb, noenc), FH_E_KEY_FUNCTION_NOT_PERMITTED);
    assert_int_equal(fh_op_init(f->s, FH_OP_SIGN, &ecdsa, aes), FH_E_KEY_TYPE_INCONSISTENT);
    assert_int_equal(fh_op_init(f->s, FH_OP_SIGN, &ecdsa, pub), FH_E_KEY_TYPE_INCONSISTENT);
    assert_int_equal(fh_op_init(f->s, FH_OP_ENCRYPT, &ecb, priv), FH_E_KEY_TYPE_INCONSISTENT);
    assert_int_equal(fh_op_init(f->s, FH_OP_SIGN, &ecdsa, CK_INVALID_HANDLE),
                     FH_E_KEY_HANDLE_INVALID);
    assert_int_equal(fh_op_init(f->s, FH_OP_SIGN, &ecdsa, 123456), FH_E_KEY_HANDLE_INVALID);
    assert_int_equal(fh_op_init(f->s, FH_OP_SIGN, &digest, priv), FH_E_MECH_INVALID);
    assert_int_equal(fh_op_init(f->s, FH_OP_SIGN, &bogus, priv), FH_E_MECH_INVALID);
    assert_false(fh_op_is_active(f->s, FH_OP_SIGN));
    /* a destroyed key */
    assert_int_equal(fh_object_destroy(f->s, priv), FH_OK);
    assert_int_equal(fh_op_init(f->s, FH_OP_SIGN, &ecdsa, priv), FH_E_KEY_HANDLE_INVALID);
    /* a private key after logout */
    assert_int_equal(fh_token_logout(f->tok), FH_OK);
    assert_int_not_equal(fh_op_init(f->s, FH_OP_SIGN, &ecdsa, nosign_priv), FH_OK);
    assert_false(fh_op_is_active(f->s, FH_OP_SIGN));
}

static void
allowed_mechanisms_restrict(void **state)
{
    struct fix *f = *state;
    CK_MECHANISM gm = {CKM_EC_KEY_PAIR_GEN, NULL, 0};
    CK_MECHANISM_TYPE allowed[] = {CKM_ECDSA_SHA256};
    CK_ATTRIBUTE pt[] = {
        {CKA_EC_PARAMS, (CK_VOID_PTR)(uintptr_t)th_p256_params, sizeof(th_p256_params)}};
    CK_ATTRIBUTE st[] = {{CKA_SIGN, &yes, 1}, {CKA_ALLOWED_MECHANISMS, allowed, sizeof(allowed)}};
    CK_OBJECT_HANDLE pub, priv;
    CK_MECHANISM ok = {CKM_ECDSA_SHA256, NULL, 0};
    CK_MECHANISM other = {CKM_ECDSA_SHA384, NULL, 0};
    CK_MECHANISM raw = {CKM_ECDSA, NULL, 0};
    uint8_t sig[128];
    size_t len = sizeof(sig);

    assert_int_equal(fh_key_generate_pair(f->s, &gm, pt, 1, st, N(st), &pub, &priv), FH_OK);
    assert_int_equal(fh_op_init(f->s, FH_OP_SIGN, &other, priv), FH_E_MECH_INVALID);
    assert_int_equal(fh_op_init(f->s, FH_OP_SIGN, &raw, priv), FH_E_MECH_INVALID);
    assert_int_equal(fh_op_init(f->s, FH_OP_SIGN, &ok, priv), FH_OK);
    assert_int_equal(fh_op_oneshot(f->s, FH_OP_SIGN, msg, sizeof(msg), sig, &len), FH_OK);
    /* the public key has no restriction */
    assert_int_equal(th_verify(f->s, CKM_ECDSA_SHA256, pub, msg, sizeof(msg), sig, len), FH_OK);
    /* a malformed list is rejected at generation */
    {
        uint8_t odd[3] = {1, 2, 3};
        CK_ATTRIBUTE bad[] = {{CKA_ALLOWED_MECHANISMS, odd, sizeof(odd)}};

        assert_int_equal(fh_key_generate_pair(f->s, &gm, pt, 1, bad, 1, &pub, &priv),
                         FH_E_ATTR_VALUE_INVALID);
    }
}

static void
wrap_unwrap_round_trip(void **state)
{
    struct fix *f = *state;
    CK_MECHANISM wm = {CKM_AES_KEY_WRAP_PAD, NULL, 0};
    CK_OBJECT_HANDLE kek, target, other, unwrapped, nx;
    uint8_t wrapped[128], block[32], c1[32], c2[32], c3[32];
    size_t wlen = 0;
    CK_ATTRIBUTE ut[] = {
        {CKA_CLASS, &cls_secret, sizeof(cls_secret)},
        {CKA_KEY_TYPE, &kt_aes, sizeof(kt_aes)},
        {CKA_ENCRYPT, &yes, 1},
        {CKA_DECRYPT, &yes, 1},
    };

    for (int i = 0; i < 32; i++) {
        block[i] = (uint8_t)(i * 5);
    }
    kek = th_aes_key(f->s, false, false, "kek");
    target = th_aes_key(f->s, false, true, "target");
    other = th_aes_key(f->s, false, true, "other");
    nx = th_aes_key(f->s, false, false, "nx");

    assert_int_equal(fh_key_wrap(f->s, &wm, kek, target, NULL, &wlen), FH_OK);
    assert_int_equal(wlen, 40);
    {
        size_t small = 8;

        assert_int_equal(fh_key_wrap(f->s, &wm, kek, target, wrapped, &small),
                         FH_E_BUFFER_TOO_SMALL);
    }
    wlen = sizeof(wrapped);
    assert_int_equal(fh_key_wrap(f->s, &wm, kek, target, wrapped, &wlen), FH_OK);
    assert_int_equal(wlen, 40);
    assert_int_equal(fh_key_unwrap(f->s, &wm, kek, wrapped, wlen, ut, N(ut), &unwrapped), FH_OK);
    assert_int_not_equal(unwrapped, target);

    /* same key material -> same AES-ECB ciphertext; a different key differs */
    ecb_block(f->s, target, block, c1);
    ecb_block(f->s, unwrapped, block, c2);
    ecb_block(f->s, other, block, c3);
    assert_memory_equal(c1, c2, 32);
    assert_memory_not_equal(c1, c3, 32);
    {
        CK_ULONG vlen = 0;
        CK_BBOOL local = 1;
        CK_ATTRIBUTE g[] = {{CKA_VALUE_LEN, &vlen, sizeof(vlen)}, {CKA_LOCAL, &local, 1}};

        assert_int_equal(fh_object_get_attributes(f->s, unwrapped, g, N(g)), FH_OK);
        assert_int_equal(vlen, 32);
        assert_int_equal(local, CK_FALSE);
    }

    /* refused cases */
    wlen = sizeof(wrapped);
    assert_int_equal(fh_key_wrap(f->s, &wm, kek, nx, wrapped, &wlen), FH_E_KEY_UNEXTRACTABLE);
    wlen = sizeof(wrapped);
    assert_int_equal(fh_key_wrap(f->s, &wm, kek, 4242, wrapped, &wlen), FH_E_KEY_HANDLE_INVALID);
    wlen = sizeof(wrapped);
    assert_int_equal(fh_key_wrap(f->s, &wm, kek, target, wrapped, &wlen), FH_OK);
    wrapped[5] ^= 1;
    assert_int_equal(fh_key_unwrap(f->s, &wm, kek, wrapped, wlen, ut, N(ut), &unwrapped),
                     FH_E_WRAPPED_KEY_INVALID);
}

static void
wrap_unwrap_ec_private_key(void **state)
{
    struct fix *f = *state;
    CK_MECHANISM gm = {CKM_EC_KEY_PAIR_GEN, NULL, 0};
    CK_MECHANISM wm = {CKM_AES_KEY_WRAP_PAD, NULL, 0};
    CK_ATTRIBUTE pt[] = {
        {CKA_EC_PARAMS, (CK_VOID_PTR)(uintptr_t)th_p256_params, sizeof(th_p256_params)}};
    CK_ATTRIBUTE st[] = {{CKA_SIGN, &yes, 1}, {CKA_EXTRACTABLE, &yes, 1}};
    CK_ATTRIBUTE ut[] = {
        {CKA_CLASS, &cls_priv, sizeof(cls_priv)},
        {CKA_KEY_TYPE, &kt_ec, sizeof(kt_ec)},
        {CKA_SIGN, &yes, 1},
    };
    CK_OBJECT_HANDLE pub, priv, kek, priv2;
    uint8_t wrapped[512], sig[128];
    size_t wlen = sizeof(wrapped), slen = sizeof(sig);

    assert_int_equal(fh_key_generate_pair(f->s, &gm, pt, 1, st, N(st), &pub, &priv), FH_OK);
    kek = th_aes_key(f->s, false, false, "kek");
    assert_int_equal(fh_key_wrap(f->s, &wm, kek, priv, wrapped, &wlen), FH_OK);
    assert_int_equal(fh_key_unwrap(f->s, &wm, kek, wrapped, wlen, ut, N(ut), &priv2), FH_OK);
    /* the unwrapped private key signs what the original public key verifies */
    assert_int_equal(th_sign(f->s, CKM_ECDSA_SHA256, priv2, msg, sizeof(msg), sig, &slen), FH_OK);
    assert_int_equal(th_verify(f->s, CKM_ECDSA_SHA256, pub, msg, sizeof(msg), sig, slen), FH_OK);
}

static void
ecdh_derive_agrees(void **state)
{
    struct fix *f = *state;
    CK_OBJECT_HANDLE pa, ka, pb, kb, da, db;
    uint8_t *pta, *ptb;
    size_t la = 0, lb = 0;
    CK_ULONG vlen = 32;
    CK_ATTRIBUTE t[] = {
        {CKA_CLASS, &cls_secret, sizeof(cls_secret)},
        {CKA_KEY_TYPE, &kt_aes, sizeof(kt_aes)},
        {CKA_VALUE_LEN, &vlen, sizeof(vlen)},
        {CKA_SENSITIVE, &no, 1},
        {CKA_EXTRACTABLE, &yes, 1},
    };
    uint8_t va[32], vb[32], zero[32] = {0};
    CK_ATTRIBUTE ga[] = {{CKA_VALUE, va, sizeof(va)}};
    CK_ATTRIBUTE gb[] = {{CKA_VALUE, vb, sizeof(vb)}};

    th_ec_pair(f->s, false, "alice", &pa, &ka);
    th_ec_pair(f->s, false, "bob", &pb, &kb);
    pta = get_attr(f->s, pa, CKA_EC_POINT, &la);
    ptb = get_attr(f->s, pb, CKA_EC_POINT, &lb);
    {
        CK_ECDH1_DERIVE_PARAMS p = {CKD_NULL, 0, NULL, (CK_ULONG)lb, ptb};
        CK_MECHANISM m = {CKM_ECDH1_DERIVE, &p, sizeof(p)};

        assert_int_equal(fh_key_derive(f->s, &m, ka, t, N(t), &da), FH_OK);
    }
    {
        CK_ECDH1_DERIVE_PARAMS p = {CKD_NULL, 0, NULL, (CK_ULONG)la, pta};
        CK_MECHANISM m = {CKM_ECDH1_DERIVE, &p, sizeof(p)};

        assert_int_equal(fh_key_derive(f->s, &m, kb, t, N(t), &db), FH_OK);
    }
    assert_int_equal(fh_object_get_attributes(f->s, da, ga, 1), FH_OK);
    assert_int_equal(fh_object_get_attributes(f->s, db, gb, 1), FH_OK);
    assert_int_equal(ga[0].ulValueLen, 32);
    assert_int_equal(gb[0].ulValueLen, 32);
    assert_memory_equal(va, vb, 32);
    assert_memory_not_equal(va, zero, 32);
    /* a base key without CKA_DERIVE may not derive */
    {
        CK_MECHANISM gm = {CKM_EC_KEY_PAIR_GEN, NULL, 0};
        CK_ATTRIBUTE pt[] = {
            {CKA_EC_PARAMS, (CK_VOID_PTR)(uintptr_t)th_p256_params, sizeof(th_p256_params)}};
        CK_OBJECT_HANDLE pc, kc, dc;
        CK_ECDH1_DERIVE_PARAMS p = {CKD_NULL, 0, NULL, (CK_ULONG)la, pta};
        CK_MECHANISM m = {CKM_ECDH1_DERIVE, &p, sizeof(p)};

        assert_int_equal(fh_key_generate_pair(f->s, &gm, pt, 1, NULL, 0, &pc, &kc), FH_OK);
        assert_int_equal(fh_key_derive(f->s, &m, kc, t, N(t), &dc),
                         FH_E_KEY_FUNCTION_NOT_PERMITTED);
    }
    free(pta);
    free(ptb);
}

static void
generate_template_checks(void **state)
{
    struct fix *f = *state;
    CK_MECHANISM kg = {CKM_AES_KEY_GEN, NULL, 0};
    CK_MECHANISM rg = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
    CK_ULONG l20 = 20, l32 = 32, bits = 1024;
    uint8_t v[32] = {0};
    CK_OBJECT_HANDLE h, h2;
    fh_session *ro = NULL;
    CK_ATTRIBUTE bad_len[] = {{CKA_VALUE_LEN, &l20, sizeof(l20)}};
    CK_ATTRIBUTE no_len[] = {{CKA_ENCRYPT, &yes, 1}};
    CK_ATTRIBUTE with_value[] = {{CKA_VALUE_LEN, &l32, sizeof(l32)}, {CKA_VALUE, v, sizeof(v)}};
    CK_ATTRIBUTE wrong_class[] = {{CKA_VALUE_LEN, &l32, sizeof(l32)},
                                  {CKA_CLASS, &cls_priv, sizeof(cls_priv)}};
    CK_ATTRIBUTE on_token[] = {{CKA_VALUE_LEN, &l32, sizeof(l32)}, {CKA_TOKEN, &yes, 1}};
    CK_ATTRIBUTE small_rsa[] = {{CKA_MODULUS_BITS, &bits, sizeof(bits)}};

    assert_int_equal(fh_key_generate(f->s, &kg, bad_len, 1, &h), FH_E_KEY_SIZE_RANGE);
    assert_int_equal(fh_key_generate(f->s, &kg, no_len, 1, &h), FH_E_TEMPLATE_INCOMPLETE);
    assert_int_equal(fh_key_generate(f->s, &kg, with_value, 2, &h), FH_E_TEMPLATE_INCONSISTENT);
    assert_int_equal(fh_key_generate(f->s, &kg, wrong_class, 2, &h), FH_E_TEMPLATE_INCONSISTENT);
    assert_int_equal(fh_key_generate_pair(f->s, &rg, small_rsa, 1, NULL, 0, &h, &h2),
                     FH_E_KEY_SIZE_RANGE);
    /* a mechanism that does not generate */
    {
        CK_MECHANISM ecb = {CKM_AES_ECB, NULL, 0};

        assert_int_equal(fh_key_generate(f->s, &ecb, on_token, 1, &h), FH_E_MECH_INVALID);
    }
    assert_int_equal(fh_session_open(f->tok, false, &ro), FH_OK);
    assert_int_equal(fh_key_generate(ro, &kg, on_token, 2, &h), FH_E_SESSION_READ_ONLY);
    assert_int_equal(fh_key_generate(ro, &kg, on_token, 1, &h), FH_OK); /* session key */
    fh_session_close(ro);
    assert_int_equal(fh_token_logout(f->tok), FH_OK);
    assert_int_equal(fh_key_generate(f->s, &kg, on_token, 1, &h), FH_E_NOT_LOGGED_IN);
    assert_int_equal(th_find(f->s, NULL, 0, NULL), 0);
}

/* AES-256-GCM of pt by OpenSSL alone: ciphertext then tag of tag_len bytes. */
static size_t
ossl_gcm(const uint8_t key[32], const uint8_t *iv, size_t iv_len, const uint8_t *aad,
         size_t aad_len, const uint8_t *pt, size_t pt_len, size_t tag_len, uint8_t *out)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int n = 0, fin = 0;

    assert_non_null(c);
    assert_int_equal(EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL), 1);
    assert_int_equal(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, (int)iv_len, NULL), 1);
    assert_int_equal(EVP_EncryptInit_ex(c, NULL, NULL, key, iv), 1);
    if (aad_len > 0) {
        assert_int_equal(EVP_EncryptUpdate(c, NULL, &n, aad, (int)aad_len), 1);
    }
    assert_int_equal(EVP_EncryptUpdate(c, out, &n, pt, (int)pt_len), 1);
    assert_int_equal(EVP_EncryptFinal_ex(c, out + n, &fin), 1);
    assert_int_equal(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, (int)tag_len, out + n + fin), 1);
    EVP_CIPHER_CTX_free(c);
    return (size_t)(n + fin) + tag_len;
}

/*
 * One key, many GCM messages in a row: finished operations are kept and
 * re-armed with the next message's IV, AAD and tag length (the soft
 * backend's pool), so every message must still equal OpenSSL's own result
 * for its parameters, also right after a decryption that failed on a bad tag.
 */
static void
gcm_rearm_matches_openssl(void **state)
{
    struct fix *f = *state;
    static const uint8_t key[32] = {0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    static const size_t iv_lens[] = {12, 16, 1, 12, 60};
    static const size_t aad_lens[] = {0, 5, 0, 33, 1};
    static const size_t tag_bits[] = {128, 96, 32, 128, 120};
    CK_OBJECT_HANDLE k = import_aes(f->s, key, false);
    uint8_t iv[64], aad[64], ct[128], want[128], pt[128];

    for (size_t round = 0; round < 40; round++) {
        size_t v = round % 5, pt_len = (round * 7) % sizeof(msg);
        CK_GCM_PARAMS gp = {iv, iv_lens[v], iv_lens[v] * 8, aad_lens[v] > 0 ? aad : NULL,
                            aad_lens[v], tag_bits[v]};
        CK_MECHANISM m = {CKM_AES_GCM, &gp, sizeof(gp)};
        size_t cl = sizeof(ct), pl = sizeof(pt), wl;

        memset(iv, (int)round, sizeof(iv));
        memset(aad, (int)(round * 3), sizeof(aad));
        wl = ossl_gcm(key, iv, iv_lens[v], aad, aad_lens[v], msg, pt_len, tag_bits[v] / 8, want);
        assert_int_equal(fh_op_init(f->s, FH_OP_ENCRYPT, &m, k), FH_OK);
        assert_int_equal(fh_op_oneshot(f->s, FH_OP_ENCRYPT, msg, pt_len, ct, &cl), FH_OK);
        assert_int_equal(cl, wl);
        assert_memory_equal(ct, want, wl);
        if (round % 4 == 3) {
            /* a wrong tag: the operation fails and is not kept */
            ct[cl - 1] ^= 1;
            assert_int_equal(fh_op_init(f->s, FH_OP_DECRYPT, &m, k), FH_OK);
            assert_int_equal(fh_op_oneshot(f->s, FH_OP_DECRYPT, ct, cl, pt, &pl),
                             FH_E_ENCRYPTED_DATA_INVALID);
            ct[cl - 1] ^= 1;
            pl = sizeof(pt);
        }
        assert_int_equal(fh_op_init(f->s, FH_OP_DECRYPT, &m, k), FH_OK);
        assert_int_equal(fh_op_oneshot(f->s, FH_OP_DECRYPT, ct, cl, pt, &pl), FH_OK);
        assert_int_equal(pl, pt_len);
        assert_memory_equal(pt, msg, pt_len);
    }
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(aes_cbc_pad_single_and_multi),
        T(rsa_sign_verify_encrypt),
        T(ecdsa_p256_and_openssl_crosscheck),
        T(ed25519_sign_verify),
        T(operation_state_machine),
        T(digest_matches_openssl),
        T(key_checks_at_init),
        T(allowed_mechanisms_restrict),
        T(wrap_unwrap_round_trip),
        T(wrap_unwrap_ec_private_key),
        T(ecdh_derive_agrees),
        T(generate_template_checks),
        T(gcm_rearm_matches_openssl),
    };
#undef T

    return cmocka_run_group_tests(tests, NULL, NULL);
}
