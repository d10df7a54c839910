/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_soft_neg.c - negative tests of the soft backend: corrupted input,
 * invalid mechanism parameters, wrong lengths, and the backend.h length
 * conventions (NULL output = size query, too small = FH_E_BUFFER_TOO_SMALL
 * with no state change).
 */
#include "test-soft.h"

#include <stdlib.h>
#include <string.h>

static const uint8_t iv16[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static const char *const k128 = "2b7e151628aed2a6abf7158809cf4f3c";

void
t_neg_gcm_tag(void **state)
{
    fh_secret *key = t_secret_hex(k128);
    struct fh_bkey k = t_secret_key(CKK_AES, key);
    CK_GCM_PARAMS gp = {(CK_BYTE_PTR)iv16, 12, 96, (CK_BYTE_PTR)"aad", 3, 128};
    CK_MECHANISM m = {CKM_AES_GCM, &gp, sizeof(gp)};
    uint8_t pt[40], ct[64], out[64];
    size_t cl = sizeof(ct), ol;
    void *op = NULL;

    (void)state;
    memset(pt, 0x33, sizeof(pt));
    assert_int_equal(t_one(FH_OP_ENCRYPT, &m, &k, pt, sizeof(pt), ct, &cl), FH_OK);
    assert_int_equal(cl, 56);
    /* flipped tag bit, flipped ciphertext bit, other AAD: all refused */
    ct[cl - 1] ^= 1;
    ol = sizeof(out);
    assert_int_equal(t_one(FH_OP_DECRYPT, &m, &k, ct, cl, out, &ol), FH_E_ENCRYPTED_DATA_INVALID);
    ct[cl - 1] ^= 1;
    ct[3] ^= 1;
    ol = sizeof(out);
    assert_int_equal(t_one(FH_OP_DECRYPT, &m, &k, ct, cl, out, &ol), FH_E_ENCRYPTED_DATA_INVALID);
    ct[3] ^= 1;
    gp.pAAD = (CK_BYTE_PTR)"aaD";
    ol = sizeof(out);
    assert_int_equal(t_one(FH_OP_DECRYPT, &m, &k, ct, cl, out, &ol), FH_E_ENCRYPTED_DATA_INVALID);
    gp.pAAD = (CK_BYTE_PTR)"aad";
    /* multi-part: updates release nothing, final refuses */
    ct[cl - 5] ^= 4;
    assert_int_equal(T_OPS->op_init(T_PRIV, FH_OP_DECRYPT, &m, &k, &op), FH_OK);
    ol = sizeof(out);
    assert_int_equal(T_OPS->op_update(op, ct, 30, out, &ol), FH_OK);
    assert_int_equal(ol, 0);
    ol = sizeof(out);
    assert_int_equal(T_OPS->op_update(op, ct + 30, cl - 30, out, &ol), FH_OK);
    assert_int_equal(ol, 0);
    ol = sizeof(out);
    assert_int_equal(T_OPS->op_final(op, out, &ol), FH_E_ENCRYPTED_DATA_INVALID);
    /* the failed operation is over */
    ol = sizeof(out);
    assert_int_equal(T_OPS->op_final(op, out, &ol), FH_E_OP_NOT_INITIALIZED);
    T_OPS->op_free(op);
    /* shorter than the tag */
    ol = sizeof(out);
    assert_int_equal(t_one(FH_OP_DECRYPT, &m, &k, ct, 15, out, &ol),
                     FH_E_ENCRYPTED_DATA_LEN_RANGE);
    fh_secret_free(key);
}

void
t_neg_cbc_pad(void **state)
{
    fh_secret *key = t_secret_hex(k128);
    struct fh_bkey k = t_secret_key(CKK_AES, key);
    CK_MECHANISM m = {CKM_AES_CBC_PAD, (void *)iv16, 16};
    uint8_t pt[20], ct[48], out[48];
    size_t cl = sizeof(ct), ol;

    (void)state;
    memset(pt, 0x42, sizeof(pt));
    assert_int_equal(t_one(FH_OP_ENCRYPT, &m, &k, pt, sizeof(pt), ct, &cl), FH_OK);
    assert_int_equal(cl, 32);
    /* altering the previous block's last byte alters the padding byte */
    ct[15] ^= 0x20;
    ol = sizeof(out);
    assert_int_equal(t_one(FH_OP_DECRYPT, &m, &k, ct, cl, out, &ol), FH_E_ENCRYPTED_DATA_INVALID);
    ol = 4; /* the short-buffer path peeks at the padding too */
    assert_int_equal(t_one(FH_OP_DECRYPT, &m, &k, ct, cl, out, &ol), FH_E_ENCRYPTED_DATA_INVALID);
    ol = sizeof(out);
    assert_int_equal(t_multi(FH_OP_DECRYPT, &m, &k, ct, cl, NULL, 0, out, &ol),
                     FH_E_ENCRYPTED_DATA_INVALID);
    /* a padding byte other than the last one wrong (0x0c pad, byte 20 altered) */
    ct[15] ^= 0x20;
    ct[4] ^= 0x01;
    ol = sizeof(out);
    assert_int_equal(t_one(FH_OP_DECRYPT, &m, &k, ct, cl, out, &ol), FH_E_ENCRYPTED_DATA_INVALID);
    ct[4] ^= 0x01;
    /* not a multiple of the block; empty */
    ol = sizeof(out);
    assert_int_equal(t_one(FH_OP_DECRYPT, &m, &k, ct, 31, out, &ol),
                     FH_E_ENCRYPTED_DATA_LEN_RANGE);
    ol = sizeof(out);
    assert_int_equal(t_one(FH_OP_DECRYPT, &m, &k, ct, 0, out, &ol),
                     FH_E_ENCRYPTED_DATA_LEN_RANGE);
    ol = sizeof(out);
    assert_int_equal(t_multi(FH_OP_DECRYPT, &m, &k, ct, 31, NULL, 0, out, &ol),
                     FH_E_ENCRYPTED_DATA_LEN_RANGE);
    /* the intact ciphertext still decrypts */
    ol = sizeof(out);
    assert_int_equal(t_one(FH_OP_DECRYPT, &m, &k, ct, cl, out, &ol), FH_OK);
    assert_int_equal(ol, 20);
    assert_memory_equal(out, pt, 20);
    fh_secret_free(key);
}

void
t_neg_keywrap(void **state)
{
    fh_secret *kek = t_secret_hex("000102030405060708090a0b0c0d0e0f");
    fh_secret *t16 = t_secret_hex("00112233445566778899aabbccddeeff");
    fh_secret *t20 = t_secret_hex("00112233445566778899aabbccddeeff00112233");
    fh_secret *t8 = t_secret_hex("0011223344556677");
    struct fh_bkey wk = t_secret_key(CKK_AES, kek);
    struct fh_bkey k16 = t_secret_key(CKK_AES, t16);
    struct fh_bkey k20 = t_secret_key(CKK_GENERIC_SECRET, t20);
    struct fh_bkey k8 = t_secret_key(CKK_GENERIC_SECRET, t8);
    struct fh_bkey notaes = t_secret_key(CKK_GENERIC_SECRET, kek);
    CK_MECHANISM kw = {CKM_AES_KEY_WRAP, NULL, 0};
    CK_MECHANISM kwp = {CKM_AES_KEY_WRAP_KWP, NULL, 0};
    uint8_t w[64];
    size_t wl;
    fh_secret *back = NULL;
    struct fh_attrs pub = FH_ATTRS_INIT;

    (void)state;
    /* RFC 3394 needs a multiple of 8, at least 16 */
    wl = sizeof(w);
    assert_int_equal(T_OPS->wrap(T_PRIV, &kw, &wk, &k20, w, &wl), FH_E_KEY_NOT_WRAPPABLE);
    wl = sizeof(w);
    assert_int_equal(T_OPS->wrap(T_PRIV, &kw, &wk, &k8, w, &wl), FH_E_KEY_NOT_WRAPPABLE);
    wl = sizeof(w);
    assert_int_equal(T_OPS->wrap(T_PRIV, &kw, &notaes, &k16, w, &wl),
                     FH_E_WRAPPING_KEY_TYPE_INCONSISTENT);
    /* corrupted KW */
    wl = sizeof(w);
    assert_int_equal(T_OPS->wrap(T_PRIV, &kw, &wk, &k16, w, &wl), FH_OK);
    assert_int_equal(wl, 24);
    w[7] ^= 1;
    assert_int_equal(T_OPS->unwrap(T_PRIV, &kw, &wk, w, wl, CKO_SECRET_KEY, CKK_AES, 0, &back,
                                   &pub),
                     FH_E_WRAPPED_KEY_INVALID);
    w[7] ^= 1;
    w[20] ^= 1;
    assert_int_equal(T_OPS->unwrap(T_PRIV, &kw, &wk, w, wl, CKO_SECRET_KEY, CKK_AES, 0, &back,
                                   &pub),
                     FH_E_WRAPPED_KEY_INVALID);
    w[20] ^= 1;
    /* wrong lengths */
    assert_int_equal(T_OPS->unwrap(T_PRIV, &kw, &wk, w, 23, CKO_SECRET_KEY, CKK_AES, 0, &back,
                                   &pub),
                     FH_E_WRAPPED_KEY_LEN_RANGE);
    assert_int_equal(T_OPS->unwrap(T_PRIV, &kw, &wk, w, 16, CKO_SECRET_KEY, CKK_AES, 0, &back,
                                   &pub),
                     FH_E_WRAPPED_KEY_LEN_RANGE);
    /* unwrapped to a length that is not an AES key / not the expected one */
    assert_int_equal(T_OPS->unwrap(T_PRIV, &kw, &wk, w, wl, CKO_SECRET_KEY, CKK_AES, 32, &back,
                                   &pub),
                     FH_E_TEMPLATE_INCONSISTENT);
    /* the intact blob unwraps */
    assert_int_equal(T_OPS->unwrap(T_PRIV, &kw, &wk, w, wl, CKO_SECRET_KEY, CKK_AES, 16, &back,
                                   &pub),
                     FH_OK);
    fh_secret_free(back);
    back = NULL;
    /* corrupted KWP: integrity and padding checks */
    wl = sizeof(w);
    assert_int_equal(T_OPS->wrap(T_PRIV, &kwp, &wk, &k20, w, &wl), FH_OK);
    assert_int_equal(wl, 32);
    assert_int_equal(T_OPS->unwrap(T_PRIV, &kwp, &wk, w, wl, CKO_SECRET_KEY, CKK_AES, 0, &back,
                                   &pub),
                     FH_E_WRAPPED_KEY_INVALID); /* 20 bytes is no AES key */
    w[0] ^= 0x80;
    assert_int_equal(T_OPS->unwrap(T_PRIV, &kwp, &wk, w, wl, CKO_SECRET_KEY, CKK_GENERIC_SECRET,
                                   0, &back, &pub),
                     FH_E_WRAPPED_KEY_INVALID);
    w[0] ^= 0x80;
    w[31] ^= 0x01;
    assert_int_equal(T_OPS->unwrap(T_PRIV, &kwp, &wk, w, wl, CKO_SECRET_KEY, CKK_GENERIC_SECRET,
                                   0, &back, &pub),
                     FH_E_WRAPPED_KEY_INVALID);
    w[31] ^= 0x01;
    assert_int_equal(T_OPS->unwrap(T_PRIV, &kwp, &wk, w, 31, CKO_SECRET_KEY, CKK_GENERIC_SECRET,
                                   0, &back, &pub),
                     FH_E_WRAPPED_KEY_LEN_RANGE);
    assert_int_equal(T_OPS->unwrap(T_PRIV, &kwp, &wk, w, 8, CKO_SECRET_KEY, CKK_GENERIC_SECRET,
                                   0, &back, &pub),
                     FH_E_WRAPPED_KEY_LEN_RANGE);
    /* a blob wrapped under another KEK */
    assert_int_equal(T_OPS->unwrap(T_PRIV, &kwp, &k16, w, wl, CKO_SECRET_KEY, CKK_GENERIC_SECRET,
                                   0, &back, &pub),
                     FH_E_WRAPPED_KEY_INVALID);
    assert_null(back);
    /* a bad IV parameter length */
    kwp.pParameter = w;
    kwp.ulParameterLen = 8;
    wl = sizeof(w);
    assert_int_equal(T_OPS->wrap(T_PRIV, &kwp, &wk, &k20, w, &wl), FH_E_MECH_PARAM_INVALID);
    fh_secret_free(kek);
    fh_secret_free(t16);
    fh_secret_free(t20);
    fh_secret_free(t8);
}

void
t_neg_iv_and_params(void **state)
{
    fh_secret *key = t_secret_hex(k128);
    struct fh_bkey k = t_secret_key(CKK_AES, key);
    fh_secret *gen = t_secret_hex(k128);
    struct fh_bkey g = t_secret_key(CKK_GENERIC_SECRET, gen);
    void *op = NULL;
    CK_AES_CTR_PARAMS ctr;
    CK_GCM_PARAMS gp = {(CK_BYTE_PTR)iv16, 12, 96, NULL, 0, 128};
    CK_MAC_GENERAL_PARAMS ml = 17;
    struct {
        CK_MECHANISM m;
        enum fh_op_kind kind;
        const struct fh_bkey *key;
        fh_rv want;
    } cases[] = {
        {{CKM_AES_CBC, (void *)iv16, 15}, FH_OP_ENCRYPT, &k, FH_E_MECH_PARAM_INVALID},
        {{CKM_AES_CBC, NULL, 16}, FH_OP_ENCRYPT, &k, FH_E_MECH_PARAM_INVALID},
        {{CKM_AES_CBC, NULL, 0}, FH_OP_DECRYPT, &k, FH_E_MECH_PARAM_INVALID},
        {{CKM_AES_CBC_PAD, (void *)iv16, 8}, FH_OP_DECRYPT, &k, FH_E_MECH_PARAM_INVALID},
        {{CKM_AES_ECB, (void *)iv16, 16}, FH_OP_ENCRYPT, &k, FH_E_MECH_PARAM_INVALID},
        {{CKM_AES_CTR, &ctr, sizeof(ctr) - 1}, FH_OP_ENCRYPT, &k, FH_E_MECH_PARAM_INVALID},
        {{CKM_AES_CTR, &ctr, sizeof(ctr)}, FH_OP_ENCRYPT, &k, FH_E_MECH_PARAM_INVALID},
        {{CKM_AES_GCM, NULL, 0}, FH_OP_ENCRYPT, &k, FH_E_MECH_PARAM_INVALID},
        {{CKM_AES_GCM, &gp, sizeof(gp) + 8}, FH_OP_ENCRYPT, &k, FH_E_MECH_PARAM_INVALID},
        {{CKM_AES_CMAC_GENERAL, &ml, sizeof(ml)}, FH_OP_SIGN, &k, FH_E_MECH_PARAM_INVALID},
        {{CKM_AES_CMAC_GENERAL, NULL, 0}, FH_OP_SIGN, &k, FH_E_MECH_PARAM_INVALID},
        {{CKM_SHA256_HMAC, &ml, sizeof(ml)}, FH_OP_SIGN, &g, FH_E_MECH_PARAM_INVALID},
        {{CKM_SHA256, &ml, sizeof(ml)}, FH_OP_DIGEST, NULL, FH_E_MECH_PARAM_INVALID},
        {{CKM_AES_CBC, (void *)iv16, 16}, FH_OP_ENCRYPT, &g, FH_E_KEY_TYPE_INCONSISTENT},
        {{CKM_AES_CMAC, NULL, 0}, FH_OP_SIGN, &g, FH_E_KEY_TYPE_INCONSISTENT},
        {{CKM_MD5, NULL, 0}, FH_OP_DIGEST, NULL, FH_E_MECH_INVALID},
        {{CKM_DES3_CBC, NULL, 0}, FH_OP_ENCRYPT, &k, FH_E_MECH_INVALID},
        {{CKM_SHA256, NULL, 0}, FH_OP_ENCRYPT, &g, FH_E_MECH_INVALID},
        {{CKM_AES_CBC, (void *)iv16, 16}, FH_OP_SIGN, &k, FH_E_MECH_INVALID},
        {{CKM_SHA256_HMAC, NULL, 0}, FH_OP_DECRYPT, &g, FH_E_MECH_INVALID},
    };
    static const struct {
        CK_ULONG ivlen, ivbits, tagbits;
    } bad_gcm[] = {
        {0, 0, 128}, {12, 95, 128}, {12, 96, 0}, {12, 96, 100}, {12, 96, 136}, {12, 96, 48},
        {129, 1032, 128},
    };

    (void)state;
    ctr.ulCounterBits = 0;
    memcpy(ctr.cb, iv16, 16);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        op = NULL;
        assert_int_equal(T_OPS->op_init(T_PRIV, cases[i].kind, &cases[i].m, cases[i].key, &op),
                         cases[i].want);
        assert_null(op);
    }
    ctr.ulCounterBits = 129;
    assert_int_equal(T_OPS->op_init(T_PRIV, FH_OP_ENCRYPT, &cases[6].m, &k, &op),
                     FH_E_MECH_PARAM_INVALID);
    for (size_t i = 0; i < sizeof(bad_gcm) / sizeof(bad_gcm[0]); i++) {
        CK_MECHANISM m = {CKM_AES_GCM, &gp, sizeof(gp)};
        uint8_t big[130] = {0};

        gp.pIv = big;
        gp.ulIvLen = bad_gcm[i].ivlen;
        gp.ulIvBits = bad_gcm[i].ivbits;
        gp.ulTagBits = bad_gcm[i].tagbits;
        assert_int_equal(T_OPS->op_init(T_PRIV, FH_OP_DECRYPT, &m, &k, &op),
                         FH_E_MECH_PARAM_INVALID);
    }
    /* AAD length without AAD, IV length without IV */
    gp.pIv = (CK_BYTE_PTR)iv16;
    gp.ulIvLen = 12;
    gp.ulIvBits = 96;
    gp.ulTagBits = 128;
    gp.pAAD = NULL;
    gp.ulAADLen = 4;
    {
        CK_MECHANISM m = {CKM_AES_GCM, &gp, sizeof(gp)};

        assert_int_equal(T_OPS->op_init(T_PRIV, FH_OP_ENCRYPT, &m, &k, &op),
                         FH_E_MECH_PARAM_INVALID);
        gp.ulAADLen = 0;
        gp.pIv = NULL;
        assert_int_equal(T_OPS->op_init(T_PRIV, FH_OP_ENCRYPT, &m, &k, &op),
                         FH_E_MECH_PARAM_INVALID);
        /* ulIvBits 0 (v2.40 callers) and tag of 32/64 bits are accepted */
        gp.pIv = (CK_BYTE_PTR)iv16;
        gp.ulIvBits = 0;
        gp.ulTagBits = 64;
        assert_int_equal(T_OPS->op_init(T_PRIV, FH_OP_ENCRYPT, &m, &k, &op), FH_OK);
        T_OPS->op_free(op);
        op = NULL;
    }
    /* CTR: a counter that would wrap within ulCounterBits */
    {
        CK_MECHANISM m = {CKM_AES_CTR, &ctr, sizeof(ctr)};
        uint8_t in[64] = {0}, out[64];
        size_t ol = sizeof(out);

        ctr.ulCounterBits = 2;
        memset(ctr.cb, 0, 16);
        ctr.cb[15] = 0x02; /* counter 2 of 0..3: two blocks left */
        assert_int_equal(t_one(FH_OP_ENCRYPT, &m, &k, in, 32, out, &ol), FH_OK);
        ol = sizeof(out);
        assert_int_equal(t_one(FH_OP_ENCRYPT, &m, &k, in, 33, out, &ol), FH_E_DATA_LEN_RANGE);
    }
    fh_secret_free(key);
    fh_secret_free(gen);
}

void
t_neg_oaep_pss_params(void **state)
{
    struct tkey r, e;
    uint8_t h32[32], h48[48], sig[256], ct[256], out[256];
    size_t sl = sizeof(sig), cl, ol;
    CK_RSA_PKCS_PSS_PARAMS pp = {CKM_SHA256, CKG_MGF1_SHA256, 32};
    CK_RSA_PKCS_OAEP_PARAMS op = {CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED,
                                  (void *)"label", 5};
    CK_MECHANISM pss = {CKM_RSA_PKCS_PSS, &pp, sizeof(pp)};
    CK_MECHANISM spss = {CKM_SHA384_RSA_PKCS_PSS, &pp, sizeof(pp)};
    CK_MECHANISM oaep = {CKM_RSA_PKCS_OAEP, &op, sizeof(op)};
    void *ctx = NULL;

    (void)state;
    memset(h32, 1, sizeof(h32));
    memset(h48, 2, sizeof(h48));
    t_keygen(&r, CKM_RSA_PKCS_KEY_PAIR_GEN, CKK_RSA, 2048, NULL);
    t_keygen(&e, CKM_EC_KEY_PAIR_GEN, CKK_EC, 0, "06082a8648ce3d030107");
    /* PSS: input must be the hash of hashAlg */
    assert_int_equal(t_one(FH_OP_SIGN, &pss, &r.priv, h32, 32, sig, &sl), FH_OK);
    assert_int_equal(t_one(FH_OP_VERIFY, &pss, &r.pubk, h32, 32, sig, &sl), FH_OK);
    assert_int_equal(t_one(FH_OP_SIGN, &pss, &r.priv, h48, 48, sig, &sl), FH_E_DATA_LEN_RANGE);
    /* hashAlg differs from the mechanism's hash */
    assert_int_equal(T_OPS->op_init(T_PRIV, FH_OP_SIGN, &spss, &r.priv, &ctx),
                     FH_E_MECH_PARAM_INVALID);
    /* missing, short, unknown hash, unknown MGF, salt too long */
    pss.pParameter = NULL;
    assert_int_equal(T_OPS->op_init(T_PRIV, FH_OP_SIGN, &pss, &r.priv, &ctx),
                     FH_E_MECH_PARAM_INVALID);
    pss.pParameter = &pp;
    pss.ulParameterLen = sizeof(pp) - 1;
    assert_int_equal(T_OPS->op_init(T_PRIV, FH_OP_SIGN, &pss, &r.priv, &ctx),
                     FH_E_MECH_PARAM_INVALID);
    pss.ulParameterLen = sizeof(pp);
    pp.hashAlg = CKM_MD5;
    assert_int_equal(T_OPS->op_init(T_PRIV, FH_OP_VERIFY, &pss, &r.pubk, &ctx),
                     FH_E_MECH_PARAM_INVALID);
    pp.hashAlg = CKM_SHA256;
    pp.mgf = 0x77;
    assert_int_equal(T_OPS->op_init(T_PRIV, FH_OP_SIGN, &pss, &r.priv, &ctx),
                     FH_E_MECH_PARAM_INVALID);
    pp.mgf = CKG_MGF1_SHA256;
    pp.sLen = 256 - 32 - 1;
    assert_int_equal(T_OPS->op_init(T_PRIV, FH_OP_SIGN, &pss, &r.priv, &ctx),
                     FH_E_MECH_PARAM_INVALID);
    pp.sLen = 32;
    /* PSS on an EC key */
    assert_int_equal(T_OPS->op_init(T_PRIV, FH_OP_SIGN, &pss, &e.priv, &ctx),
                     FH_E_KEY_TYPE_INCONSISTENT);
    assert_null(ctx);

    /* OAEP round trip, then label mismatch, corruption and bad params */
    cl = sizeof(ct);
    assert_int_equal(t_one(FH_OP_ENCRYPT, &oaep, &r.pubk, (const uint8_t *)"secret", 6, ct, &cl),
                     FH_OK);
    assert_int_equal(cl, 256);
    ol = sizeof(out);
    assert_int_equal(t_one(FH_OP_DECRYPT, &oaep, &r.priv, ct, cl, out, &ol), FH_OK);
    assert_int_equal(ol, 6);
    assert_memory_equal(out, "secret", 6);
    /* too small: the exact length, then success on the same context */
    assert_int_equal(T_OPS->op_init(T_PRIV, FH_OP_DECRYPT, &oaep, &r.priv, &ctx), FH_OK);
    ol = 0;
    assert_int_equal(T_OPS->op_oneshot(ctx, ct, cl, NULL, &ol), FH_OK);
    assert_true(ol >= 6);
    ol = 5;
    assert_int_equal(T_OPS->op_oneshot(ctx, ct, cl, out, &ol), FH_E_BUFFER_TOO_SMALL);
    assert_int_equal(ol, 6);
    assert_int_equal(T_OPS->op_oneshot(ctx, ct, cl, out, &ol), FH_OK);
    assert_memory_equal(out, "secret", 6);
    T_OPS->op_free(ctx);
    ctx = NULL;
    op.pSourceData = (void *)"lab3l";
    ol = sizeof(out);
    assert_int_equal(t_one(FH_OP_DECRYPT, &oaep, &r.priv, ct, cl, out, &ol),
                     FH_E_ENCRYPTED_DATA_INVALID);
    op.pSourceData = (void *)"label";
    ct[100] ^= 1;
    ol = sizeof(out);
    assert_int_equal(t_one(FH_OP_DECRYPT, &oaep, &r.priv, ct, cl, out, &ol),
                     FH_E_ENCRYPTED_DATA_INVALID);
    ol = sizeof(out);
    assert_int_equal(t_one(FH_OP_DECRYPT, &oaep, &r.priv, ct, cl - 1, out, &ol),
                     FH_E_ENCRYPTED_DATA_LEN_RANGE);
    /* message longer than k - 2hLen - 2 */
    cl = sizeof(ct);
    assert_int_equal(t_one(FH_OP_ENCRYPT, &oaep, &r.pubk, out, 256 - 64 - 1, ct, &cl),
                     FH_E_DATA_LEN_RANGE);
    oaep.pParameter = NULL;
    assert_int_equal(T_OPS->op_init(T_PRIV, FH_OP_ENCRYPT, &oaep, &r.pubk, &ctx),
                     FH_E_MECH_PARAM_INVALID);
    oaep.pParameter = &op;
    op.source = 2;
    assert_int_equal(T_OPS->op_init(T_PRIV, FH_OP_ENCRYPT, &oaep, &r.pubk, &ctx),
                     FH_E_MECH_PARAM_INVALID);
    op.source = CKZ_DATA_SPECIFIED;
    op.pSourceData = NULL;
    assert_int_equal(T_OPS->op_init(T_PRIV, FH_OP_ENCRYPT, &oaep, &r.pubk, &ctx),
                     FH_E_MECH_PARAM_INVALID);
    op.ulSourceDataLen = 0;
    op.hashAlg = CKM_SHA3_256;
    assert_int_equal(T_OPS->op_init(T_PRIV, FH_OP_ENCRYPT, &oaep, &r.pubk, &ctx),
                     FH_E_MECH_PARAM_INVALID);
    op.hashAlg = CKM_SHA512;
    op.mgf = CKG_MGF1_SHA1; /* any MGF1 hash may be combined */
    assert_int_equal(T_OPS->op_init(T_PRIV, FH_OP_ENCRYPT, &oaep, &r.pubk, &ctx), FH_OK);
    T_OPS->op_free(ctx);
    /* RSA encryption is single-part */
    ctx = NULL;
    assert_int_equal(T_OPS->op_init(T_PRIV, FH_OP_ENCRYPT, &oaep, &r.pubk, &ctx), FH_OK);
    ol = sizeof(out);
    assert_int_equal(T_OPS->op_update(ctx, h32, 4, out, &ol), FH_E_MECH_INVALID);
    T_OPS->op_free(ctx);
    t_tkey_free(&r);
    t_tkey_free(&e);
}

void
t_neg_signature(void **state)
{
    struct tkey r, e;
    CK_MECHANISM rs = {CKM_SHA256_RSA_PKCS, NULL, 0};
    CK_MECHANISM raw = {CKM_RSA_PKCS, NULL, 0};
    CK_MECHANISM es = {CKM_ECDSA_SHA256, NULL, 0};
    CK_MECHANISM ecdsa = {CKM_ECDSA, NULL, 0};
    static const uint8_t msg[] = "message";
    uint8_t sig[512], big[300];
    size_t sl;

    (void)state;
    memset(big, 7, sizeof(big));
    t_keygen(&r, CKM_RSA_PKCS_KEY_PAIR_GEN, CKK_RSA, 2048, NULL);
    t_keygen(&e, CKM_EC_KEY_PAIR_GEN, CKK_EC, 0, "06052b81040022");
    sl = sizeof(sig);
    assert_int_equal(t_one(FH_OP_SIGN, &rs, &r.priv, msg, 7, sig, &sl), FH_OK);
    assert_int_equal(sl, 256);
    assert_int_equal(t_one(FH_OP_VERIFY, &rs, &r.pubk, msg, 7, sig, &sl), FH_OK);
    assert_int_equal(t_one(FH_OP_VERIFY, &rs, &r.pubk, msg, 6, sig, &sl), FH_E_SIGNATURE_INVALID);
    sig[200] ^= 1;
    assert_int_equal(t_one(FH_OP_VERIFY, &rs, &r.pubk, msg, 7, sig, &sl), FH_E_SIGNATURE_INVALID);
    sl = 255;
    assert_int_equal(t_one(FH_OP_VERIFY, &rs, &r.pubk, msg, 7, sig, &sl),
                     FH_E_SIGNATURE_LEN_RANGE);
    sl = 257;
    assert_int_equal(t_multi(FH_OP_VERIFY, &rs, &r.pubk, msg, 7, NULL, 0, sig, &sl),
                     FH_E_SIGNATURE_LEN_RANGE);
    /* raw PKCS#1 v1.5: at most k - 11 bytes; single-part only */
    sl = sizeof(sig);
    assert_int_equal(t_one(FH_OP_SIGN, &raw, &r.priv, big, 245, sig, &sl), FH_OK);
    assert_int_equal(t_one(FH_OP_VERIFY, &raw, &r.pubk, big, 245, sig, &sl), FH_OK);
    sl = sizeof(sig);
    assert_int_equal(t_one(FH_OP_SIGN, &raw, &r.priv, big, 246, sig, &sl), FH_E_DATA_LEN_RANGE);
    sl = sizeof(sig);
    assert_int_equal(t_multi(FH_OP_SIGN, &raw, &r.priv, big, 10, NULL, 0, sig, &sl),
                     FH_E_MECH_INVALID);
    /* ECDSA P-384: r||s of 2 x 48 bytes */
    sl = sizeof(sig);
    assert_int_equal(t_one(FH_OP_SIGN, &es, &e.priv, msg, 7, sig, &sl), FH_OK);
    assert_int_equal(sl, 96);
    assert_int_equal(t_one(FH_OP_VERIFY, &es, &e.pubk, msg, 7, sig, &sl), FH_OK);
    sl = 95;
    assert_int_equal(t_one(FH_OP_VERIFY, &es, &e.pubk, msg, 7, sig, &sl),
                     FH_E_SIGNATURE_LEN_RANGE);
    sl = 96;
    sig[95] ^= 1;
    assert_int_equal(t_one(FH_OP_VERIFY, &es, &e.pubk, msg, 7, sig, &sl), FH_E_SIGNATURE_INVALID);
    memset(sig, 0, 96); /* r = s = 0 */
    assert_int_equal(t_one(FH_OP_VERIFY, &es, &e.pubk, msg, 7, sig, &sl), FH_E_SIGNATURE_INVALID);
    memset(sig, 0xff, 96); /* r, s >= n */
    assert_int_equal(t_one(FH_OP_VERIFY, &es, &e.pubk, msg, 7, sig, &sl), FH_E_SIGNATURE_INVALID);
    /* CKM_ECDSA: single-part over the hash */
    sl = sizeof(sig);
    assert_int_equal(t_one(FH_OP_SIGN, &ecdsa, &e.priv, big, 48, sig, &sl), FH_OK);
    assert_int_equal(t_one(FH_OP_VERIFY, &ecdsa, &e.pubk, big, 48, sig, &sl), FH_OK);
    assert_int_equal(t_multi(FH_OP_VERIFY, &ecdsa, &e.pubk, big, 48, NULL, 0, sig, &sl),
                     FH_E_MECH_INVALID);
    /* key type mismatches; verifying with a public key only for signing */
    assert_int_equal(t_one(FH_OP_SIGN, &es, &r.priv, msg, 7, sig, &sl),
                     FH_E_KEY_TYPE_INCONSISTENT);
    assert_int_equal(t_one(FH_OP_SIGN, &rs, &r.pubk, msg, 7, sig, &sl),
                     FH_E_KEY_TYPE_INCONSISTENT);
    t_tkey_free(&r);
    t_tkey_free(&e);
}

/*
 * FH_E_BUFFER_TOO_SMALL leaves the operation usable and unchanged; a NULL
 * output is a size query.
 */
void
t_neg_buffer_too_small(void **state)
{
    fh_secret *key = t_secret_hex(k128);
    struct fh_bkey k = t_secret_key(CKK_AES, key);
    CK_GCM_PARAMS gp = {(CK_BYTE_PTR)iv16, 12, 96, NULL, 0, 128};
    CK_MECHANISM gcm = {CKM_AES_GCM, &gp, sizeof(gp)};
    CK_MECHANISM cbcpad = {CKM_AES_CBC_PAD, (void *)iv16, 16};
    CK_MECHANISM sha = {CKM_SHA256, NULL, 0};
    CK_MECHANISM hm = {CKM_SHA512_HMAC, NULL, 0};
    struct fh_bkey gk = t_secret_key(CKK_GENERIC_SECRET, key);
    struct tkey e;
    CK_MECHANISM es = {CKM_ECDSA_SHA256, NULL, 0};
    uint8_t pt[37], ct[80], out[80], ref[80];
    size_t cl, ol, rl, n;
    void *op = NULL;

    (void)state;
    memset(pt, 0x61, sizeof(pt));
    /* GCM encrypt final: tag needs 16 bytes */
    rl = sizeof(ref);
    assert_int_equal(t_one(FH_OP_ENCRYPT, &gcm, &k, pt, sizeof(pt), ref, &rl), FH_OK);
    assert_int_equal(T_OPS->op_init(T_PRIV, FH_OP_ENCRYPT, &gcm, &k, &op), FH_OK);
    cl = sizeof(ct);
    assert_int_equal(T_OPS->op_update(op, pt, sizeof(pt), ct, &cl), FH_OK);
    assert_int_equal(cl, 37);
    n = 0;
    assert_int_equal(T_OPS->op_final(op, NULL, &n), FH_OK);
    assert_int_equal(n, 16);
    ol = 15;
    assert_int_equal(T_OPS->op_final(op, ct + cl, &ol), FH_E_BUFFER_TOO_SMALL);
    assert_int_equal(ol, 16);
    assert_int_equal(T_OPS->op_final(op, ct + cl, &ol), FH_OK);
    assert_memory_equal(ct, ref, rl);
    T_OPS->op_free(op);
    /* GCM decrypt final: exactly the plaintext length */
    assert_int_equal(T_OPS->op_init(T_PRIV, FH_OP_DECRYPT, &gcm, &k, &op), FH_OK);
    ol = sizeof(out);
    assert_int_equal(T_OPS->op_update(op, ref, rl, out, &ol), FH_OK);
    n = 0;
    assert_int_equal(T_OPS->op_final(op, NULL, &n), FH_OK);
    assert_int_equal(n, 37);
    ol = 36;
    assert_int_equal(T_OPS->op_final(op, out, &ol), FH_E_BUFFER_TOO_SMALL);
    assert_int_equal(ol, 37);
    assert_int_equal(T_OPS->op_final(op, out, &ol), FH_OK);
    assert_memory_equal(out, pt, 37);
    T_OPS->op_free(op);
    /* GCM single-part */
    assert_int_equal(T_OPS->op_init(T_PRIV, FH_OP_DECRYPT, &gcm, &k, &op), FH_OK);
    ol = 0;
    assert_int_equal(T_OPS->op_oneshot(op, ref, rl, NULL, &ol), FH_OK);
    assert_int_equal(ol, 37);
    ol = 10;
    assert_int_equal(T_OPS->op_oneshot(op, ref, rl, out, &ol), FH_E_BUFFER_TOO_SMALL);
    assert_int_equal(ol, 37);
    assert_int_equal(T_OPS->op_oneshot(op, ref, rl, out, &ol), FH_OK);
    assert_memory_equal(out, pt, 37);
    T_OPS->op_free(op);

    /* CBC-PAD: update and final with short buffers */
    rl = sizeof(ref);
    assert_int_equal(t_one(FH_OP_ENCRYPT, &cbcpad, &k, pt, sizeof(pt), ref, &rl), FH_OK);
    assert_int_equal(rl, 48);
    assert_int_equal(T_OPS->op_init(T_PRIV, FH_OP_ENCRYPT, &cbcpad, &k, &op), FH_OK);
    n = 0;
    assert_int_equal(T_OPS->op_update(op, pt, sizeof(pt), NULL, &n), FH_OK);
    assert_int_equal(n, 32);
    ol = 31;
    assert_int_equal(T_OPS->op_update(op, pt, sizeof(pt), ct, &ol), FH_E_BUFFER_TOO_SMALL);
    assert_int_equal(ol, 32);
    assert_int_equal(T_OPS->op_update(op, pt, sizeof(pt), ct, &ol), FH_OK);
    ol = 15;
    assert_int_equal(T_OPS->op_final(op, ct + 32, &ol), FH_E_BUFFER_TOO_SMALL);
    assert_int_equal(ol, 16);
    assert_int_equal(T_OPS->op_final(op, ct + 32, &ol), FH_OK);
    assert_memory_equal(ct, ref, 48);
    T_OPS->op_free(op);
    assert_int_equal(T_OPS->op_init(T_PRIV, FH_OP_DECRYPT, &cbcpad, &k, &op), FH_OK);
    ol = sizeof(out);
    assert_int_equal(T_OPS->op_update(op, ref, 48, out, &ol), FH_OK);
    assert_int_equal(ol, 32);
    n = 0;
    assert_int_equal(T_OPS->op_final(op, NULL, &n), FH_OK);
    assert_int_equal(n, 5);
    ol = 4;
    assert_int_equal(T_OPS->op_final(op, out + 32, &ol), FH_E_BUFFER_TOO_SMALL);
    assert_int_equal(ol, 5);
    assert_int_equal(T_OPS->op_final(op, out + 32, &ol), FH_OK);
    assert_memory_equal(out, pt, 37);
    T_OPS->op_free(op);
    /* CBC-PAD single-part decrypt: the exact length, even below the bound */
    assert_int_equal(T_OPS->op_init(T_PRIV, FH_OP_DECRYPT, &cbcpad, &k, &op), FH_OK);
    ol = 0;
    assert_int_equal(T_OPS->op_oneshot(op, ref, 48, NULL, &ol), FH_OK);
    assert_true(ol >= 37);
    ol = 36;
    assert_int_equal(T_OPS->op_oneshot(op, ref, 48, out, &ol), FH_E_BUFFER_TOO_SMALL);
    assert_int_equal(ol, 37);
    assert_int_equal(T_OPS->op_oneshot(op, ref, 48, out, &ol), FH_OK);
    assert_int_equal(ol, 37);
    assert_memory_equal(out, pt, 37);
    T_OPS->op_free(op);

    /* digest, HMAC and ECDSA final */
    assert_int_equal(T_OPS->op_init(T_PRIV, FH_OP_DIGEST, &sha, NULL, &op), FH_OK);
    assert_int_equal(T_OPS->op_update(op, pt, 10, NULL, NULL), FH_OK);
    ol = 31;
    assert_int_equal(T_OPS->op_final(op, out, &ol), FH_E_BUFFER_TOO_SMALL);
    assert_int_equal(ol, 32);
    assert_int_equal(T_OPS->op_final(op, out, &ol), FH_OK);
    T_OPS->op_free(op);
    rl = sizeof(ref);
    assert_int_equal(t_one(FH_OP_DIGEST, &sha, NULL, pt, 10, ref, &rl), FH_OK);
    assert_memory_equal(out, ref, 32);
    assert_int_equal(T_OPS->op_init(T_PRIV, FH_OP_SIGN, &hm, &gk, &op), FH_OK);
    n = 0;
    assert_int_equal(T_OPS->op_oneshot(op, pt, 10, NULL, &n), FH_OK);
    assert_int_equal(n, 64);
    ol = 63;
    assert_int_equal(T_OPS->op_oneshot(op, pt, 10, out, &ol), FH_E_BUFFER_TOO_SMALL);
    assert_int_equal(T_OPS->op_oneshot(op, pt, 10, out, &ol), FH_OK);
    /* single-part after completion: the operation is over */
    assert_int_equal(T_OPS->op_oneshot(op, pt, 10, out, &ol), FH_E_OP_NOT_INITIALIZED);
    T_OPS->op_free(op);
    rl = sizeof(ref);
    assert_int_equal(t_one(FH_OP_SIGN, &hm, &gk, pt, 10, ref, &rl), FH_OK);
    assert_memory_equal(out, ref, 64);
    t_keygen(&e, CKM_EC_KEY_PAIR_GEN, CKK_EC, 0, "06052b81040023");
    assert_int_equal(T_OPS->op_init(T_PRIV, FH_OP_SIGN, &es, &e.priv, &op), FH_OK);
    assert_int_equal(T_OPS->op_update(op, pt, 10, NULL, NULL), FH_OK);
    n = 0;
    assert_int_equal(T_OPS->op_final(op, NULL, &n), FH_OK);
    assert_int_equal(n, 132);
    {
        uint8_t sig[132];

        ol = 131;
        assert_int_equal(T_OPS->op_final(op, sig, &ol), FH_E_BUFFER_TOO_SMALL);
        assert_int_equal(ol, 132);
        assert_int_equal(T_OPS->op_final(op, sig, &ol), FH_OK);
        T_OPS->op_free(op);
        assert_int_equal(t_one(FH_OP_VERIFY, &es, &e.pubk, pt, 10, sig, &ol), FH_OK);
    }
    /* mixing: single-part after an update */
    assert_int_equal(T_OPS->op_init(T_PRIV, FH_OP_SIGN, &es, &e.priv, &op), FH_OK);
    assert_int_equal(T_OPS->op_update(op, pt, 10, NULL, NULL), FH_OK);
    ol = sizeof(out);
    assert_int_equal(T_OPS->op_oneshot(op, pt, 10, out, &ol), FH_E_OP_MIXED);
    T_OPS->op_free(op);
    t_tkey_free(&e);
    fh_secret_free(key);
}

void
t_neg_lengths(void **state)
{
    fh_secret *key = t_secret_hex(k128);
    struct fh_bkey k = t_secret_key(CKK_AES, key);
    CK_MECHANISM ecb = {CKM_AES_ECB, NULL, 0};
    CK_MECHANISM cbc = {CKM_AES_CBC, (void *)iv16, 16};
    uint8_t in[40] = {0}, out[64];
    size_t ol;

    (void)state;
    ol = sizeof(out);
    assert_int_equal(t_one(FH_OP_ENCRYPT, &ecb, &k, in, 17, out, &ol), FH_E_DATA_LEN_RANGE);
    ol = sizeof(out);
    assert_int_equal(t_one(FH_OP_DECRYPT, &ecb, &k, in, 17, out, &ol),
                     FH_E_ENCRYPTED_DATA_LEN_RANGE);
    ol = sizeof(out);
    assert_int_equal(t_multi(FH_OP_ENCRYPT, &cbc, &k, in, 33, NULL, 0, out, &ol),
                     FH_E_DATA_LEN_RANGE);
    ol = sizeof(out);
    assert_int_equal(t_multi(FH_OP_DECRYPT, &cbc, &k, in, 33, NULL, 0, out, &ol),
                     FH_E_ENCRYPTED_DATA_LEN_RANGE);
    ol = 0;
    assert_int_equal(t_one(FH_OP_ENCRYPT, &cbc, &k, in, 32, NULL, &ol), FH_OK);
    assert_int_equal(ol, 32);
    fh_secret_free(key);
}

void
t_neg_eddsa_params(void **state)
{
    struct tkey e25519, e448;
    CK_EDDSA_PARAMS ep = {CK_TRUE, 0, NULL};
    CK_MECHANISM m = {CKM_EDDSA, &ep, sizeof(ep)};
    void *op = NULL;
    fh_rv rv;

    (void)state;
    t_keygen(&e25519, CKM_EC_EDWARDS_KEY_PAIR_GEN, CKK_EC_EDWARDS, 0, "06032b6570");
    t_keygen(&e448, CKM_EC_EDWARDS_KEY_PAIR_GEN, CKK_EC_EDWARDS, 0, "06032b6571");
    /* prehash variants are refused */
    assert_int_equal(T_OPS->op_init(T_PRIV, FH_OP_SIGN, &m, &e25519.priv, &op),
                     FH_E_MECH_PARAM_INVALID);
    /* Ed25519 context (Ed25519ctx) is refused */
    ep.phFlag = CK_FALSE;
    ep.pContextData = (CK_BYTE_PTR)"ctx";
    ep.ulContextDataLen = 3;
    assert_int_equal(T_OPS->op_init(T_PRIV, FH_OP_SIGN, &m, &e25519.priv, &op),
                     FH_E_MECH_PARAM_INVALID);
    /* Ed448 context: supported only where OpenSSL offers it, refused clearly otherwise */
    rv = T_OPS->op_init(T_PRIV, FH_OP_SIGN, &m, &e448.priv, &op);
    assert_true(rv == FH_OK || rv == FH_E_MECH_PARAM_INVALID);
    T_OPS->op_free(op);
    op = NULL;
    m.ulParameterLen = 3;
    assert_int_equal(T_OPS->op_init(T_PRIV, FH_OP_SIGN, &m, &e448.priv, &op),
                     FH_E_MECH_PARAM_INVALID);
    /* EdDSA with an EC key */
    assert_null(op);
    t_tkey_free(&e25519);
    t_tkey_free(&e448);
}
