/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_soft_kat.c - known-answer tests of the soft backend against published
 * vectors (test-soft-vectors.h): digests, HMAC, CMAC, AES modes, AES-GCM,
 * AES key wrap (RFC 3394 / RFC 5649) and EdDSA (RFC 8032).
 *
 * Each vector runs single-part and, where the mechanism allows, multi-part;
 * decryption, unwrap and verification run in the reverse direction too.
 */
#include "test-soft.h"

#include <stdlib.h>
#include <string.h>

#include "test-soft-vectors.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const size_t split3[3] = {1, 0, 5};

void
t_kat_digest(void **state)
{
    uint8_t out[64];
    size_t ol;

    (void)state;
    for (size_t i = 0; i < N(kat_digests); i++) {
        CK_MECHANISM m = {kat_digests[i].mech, NULL, 0};
        const uint8_t *msg = (const uint8_t *)kat_digests[i].msg;
        size_t ml = strlen(kat_digests[i].msg);

        ol = 0;
        assert_int_equal(t_one(FH_OP_DIGEST, &m, NULL, msg, ml, NULL, &ol), FH_OK);
        assert_int_equal(ol, strlen(kat_digests[i].out) / 2);
        ol = sizeof(out);
        assert_int_equal(t_one(FH_OP_DIGEST, &m, NULL, msg, ml, out, &ol), FH_OK);
        t_assert_hex(out, ol, kat_digests[i].out);
        ol = sizeof(out);
        assert_int_equal(t_multi(FH_OP_DIGEST, &m, NULL, msg, ml, split3, ml >= 6 ? 3 : 0, out,
                                 &ol),
                         FH_OK);
        t_assert_hex(out, ol, kat_digests[i].out);
    }
}

static void
run_mac(const struct kat_mac *v, CK_MECHANISM_TYPE mech, CK_KEY_TYPE kt)
{
    CK_MECHANISM m = {mech, NULL, 0};
    fh_secret *key = t_secret_hex(v->key);
    struct fh_bkey k = t_secret_key(kt, key);
    size_t ml = 0, ol;
    uint8_t *msg = t_unhex(v->msg, &ml);
    uint8_t out[64];

    ol = sizeof(out);
    assert_int_equal(t_one(FH_OP_SIGN, &m, &k, msg, ml, out, &ol), FH_OK);
    t_assert_hex(out, ol, v->out);
    ol = sizeof(out);
    assert_int_equal(t_multi(FH_OP_SIGN, &m, &k, msg, ml, split3, ml >= 6 ? 3 : 0, out, &ol),
                     FH_OK);
    t_assert_hex(out, ol, v->out);
    assert_int_equal(t_one(FH_OP_VERIFY, &m, &k, msg, ml, out, &ol), FH_OK);
    out[ol - 1] ^= 0x80;
    assert_int_equal(t_one(FH_OP_VERIFY, &m, &k, msg, ml, out, &ol), FH_E_SIGNATURE_INVALID);
    ol--;
    assert_int_equal(t_one(FH_OP_VERIFY, &m, &k, msg, ml, out, &ol), FH_E_SIGNATURE_LEN_RANGE);
    free(msg);
    fh_secret_free(key);
}

void
t_kat_hmac(void **state)
{
    (void)state;
    for (size_t i = 0; i < N(kat_hmacs); i++) {
        run_mac(&kat_hmacs[i], kat_hmacs[i].mech, CKK_GENERIC_SECRET);
    }
}

void
t_kat_cmac(void **state)
{
    (void)state;
    for (size_t i = 0; i < N(kat_cmacs); i++) {
        CK_MAC_GENERAL_PARAMS l = 8;
        CK_MECHANISM m = {CKM_AES_CMAC_GENERAL, &l, sizeof(l)};
        fh_secret *key = t_secret_hex(kat_cmacs[i].key);
        struct fh_bkey k = t_secret_key(CKK_AES, key);
        size_t ml = 0, ol = 16;
        uint8_t *msg = t_unhex(kat_cmacs[i].msg, &ml);
        uint8_t out[16], full[16];
        size_t fl = 0;
        uint8_t *f = t_unhex(kat_cmacs[i].out, &fl);

        run_mac(&kat_cmacs[i], CKM_AES_CMAC, CKK_AES);
        /* CMAC_GENERAL: the leading bytes of the full MAC (SP 800-38B §6.2) */
        memcpy(full, f, 16);
        free(f);
        assert_int_equal(t_one(FH_OP_SIGN, &m, &k, msg, ml, out, &ol), FH_OK);
        assert_int_equal(ol, 8);
        assert_memory_equal(out, full, 8);
        assert_int_equal(t_one(FH_OP_VERIFY, &m, &k, msg, ml, full, &ol), FH_OK);
        free(msg);
        fh_secret_free(key);
    }
}

void
t_kat_aes(void **state)
{
    (void)state;
    for (size_t i = 0; i < N(kat_aes); i++) {
        const struct kat_aes *v = &kat_aes[i];
        fh_secret *key = t_secret_hex(v->key);
        struct fh_bkey k = t_secret_key(CKK_AES, key);
        size_t pl = 0, ivl = 0, ol;
        uint8_t *pt = t_unhex(v->pt, &pl);
        uint8_t *iv = t_unhex(v->iv, &ivl);
        uint8_t out[128];
        CK_AES_CTR_PARAMS ctr;
        CK_MECHANISM m = {v->mech, NULL, 0};
        static const size_t cuts[3] = {17, 0, 30};

        if (v->mech == CKM_AES_CBC) {
            m.pParameter = iv;
            m.ulParameterLen = 16;
        } else if (v->mech == CKM_AES_CTR) {
            ctr.ulCounterBits = 32;
            memcpy(ctr.cb, iv, 16);
            m.pParameter = &ctr;
            m.ulParameterLen = sizeof(ctr);
        }
        ol = sizeof(out);
        assert_int_equal(t_one(FH_OP_ENCRYPT, &m, &k, pt, pl, out, &ol), FH_OK);
        t_assert_hex(out, ol, v->ct);
        ol = sizeof(out);
        assert_int_equal(t_multi(FH_OP_ENCRYPT, &m, &k, pt, pl, cuts, 3, out, &ol), FH_OK);
        t_assert_hex(out, ol, v->ct);
        free(pt);
        pt = t_unhex(v->ct, &pl);
        ol = sizeof(out);
        assert_int_equal(t_multi(FH_OP_DECRYPT, &m, &k, pt, pl, cuts, 3, out, &ol), FH_OK);
        t_assert_hex(out, ol, v->pt);
        ol = sizeof(out);
        assert_int_equal(t_one(FH_OP_DECRYPT, &m, &k, pt, pl, out, &ol), FH_OK);
        t_assert_hex(out, ol, v->pt);
        free(pt);
        free(iv);
        fh_secret_free(key);
    }
}

void
t_kat_gcm(void **state)
{
    (void)state;
    for (size_t i = 0; i < N(kat_gcms); i++) {
        const struct kat_gcm *v = &kat_gcms[i];
        fh_secret *key = t_secret_hex(v->key);
        struct fh_bkey k = t_secret_key(CKK_AES, key);
        size_t pl = 0, ivl = 0, al = 0, cl = 0, tl = 0, ol;
        uint8_t *pt = t_unhex(v->pt, &pl);
        uint8_t *iv = t_unhex(v->iv, &ivl);
        uint8_t *aad = t_unhex(v->aad, &al);
        uint8_t *ct = t_unhex(v->ct, &cl);
        uint8_t *tag = t_unhex(v->tag, &tl);
        uint8_t ctt[128], out[128];
        CK_GCM_PARAMS gp = {iv, ivl, ivl * 8, al ? aad : NULL, al, 128};
        CK_MECHANISM m = {CKM_AES_GCM, &gp, sizeof(gp)};
        static const size_t cuts[3] = {13, 0, 16};

        memcpy(ctt, ct, cl);
        memcpy(ctt + cl, tag, tl);
        ol = sizeof(out);
        assert_int_equal(t_one(FH_OP_ENCRYPT, &m, &k, pt, pl, out, &ol), FH_OK);
        assert_int_equal(ol, cl + tl);
        assert_memory_equal(out, ctt, ol);
        ol = sizeof(out);
        assert_int_equal(t_multi(FH_OP_ENCRYPT, &m, &k, pt, pl, cuts, pl > 29 ? 3 : 0, out, &ol),
                         FH_OK);
        assert_memory_equal(out, ctt, cl + tl);
        ol = sizeof(out);
        assert_int_equal(t_one(FH_OP_DECRYPT, &m, &k, ctt, cl + tl, out, &ol), FH_OK);
        assert_int_equal(ol, pl);
        assert_memory_equal(out, pt, pl);
        ol = sizeof(out);
        assert_int_equal(t_multi(FH_OP_DECRYPT, &m, &k, ctt, cl + tl, cuts, 3, out, &ol), FH_OK);
        assert_int_equal(ol, pl);
        assert_memory_equal(out, pt, pl);
        /* truncated tag (96 bits): the leading bytes of the full tag */
        gp.ulTagBits = 96;
        ol = sizeof(out);
        assert_int_equal(t_one(FH_OP_ENCRYPT, &m, &k, pt, pl, out, &ol), FH_OK);
        assert_int_equal(ol, cl + 12);
        assert_memory_equal(out, ctt, cl + 12);
        free(pt);
        free(iv);
        free(aad);
        free(ct);
        free(tag);
        fh_secret_free(key);
    }
}

void
t_kat_keywrap(void **state)
{
    (void)state;
    for (size_t i = 0; i < N(kat_kws); i++) {
        const struct kat_kw *v = &kat_kws[i];
        CK_MECHANISM m = {v->mech, NULL, 0};
        fh_secret *kek = t_secret_hex(v->kek);
        fh_secret *t = t_secret_hex(v->key);
        struct fh_bkey wk = t_secret_key(CKK_AES, kek);
        struct fh_bkey tk = t_secret_key(CKK_GENERIC_SECRET, t);
        struct fh_attrs pub = FH_ATTRS_INIT;
        fh_secret *back = NULL;
        uint8_t out[64];
        size_t ol = sizeof(out), wl = 0;
        uint8_t *w = t_unhex(v->out, &wl);

        assert_int_equal(T_OPS->wrap(T_PRIV, &m, &wk, &tk, out, &ol), FH_OK);
        t_assert_hex(out, ol, v->out);
        assert_int_equal(T_OPS->unwrap(T_PRIV, &m, &wk, w, wl, CKO_SECRET_KEY, CKK_GENERIC_SECRET,
                                       0, &back, &pub),
                         FH_OK);
        assert_true(fh_secret_equal(back, t));
        fh_secret_free(back);
        back = NULL;
        if (fh_secret_len(t) == 16 || fh_secret_len(t) == 24 || fh_secret_len(t) == 32) {
            assert_int_equal(T_OPS->unwrap(T_PRIV, &m, &wk, w, wl, CKO_SECRET_KEY, CKK_AES,
                                           fh_secret_len(t), &back, &pub),
                             FH_OK);
            assert_true(fh_secret_equal(back, t));
            fh_secret_free(back);
        }
        free(w);
        fh_secret_free(kek);
        fh_secret_free(t);
    }
}

void
t_kat_eddsa(void **state)
{
    (void)state;
    for (size_t i = 0; i < N(kat_eddsas); i++) {
        const struct kat_eddsa *v = &kat_eddsas[i];
        struct fh_attrs in = FH_ATTRS_INIT;
        struct tkey k;
        size_t pl = 0, skl = 0, pkl = 0, ml = 0, sl = 0, ol;
        uint8_t *params = t_unhex(v->params_hex, &pl);
        uint8_t *sk = t_unhex(v->sk, &skl);
        uint8_t *pk = t_unhex(v->pk, &pkl);
        uint8_t *msg = t_unhex(v->msg, &ml);
        uint8_t *sig = t_unhex(v->sig, &sl);
        uint8_t out[114];
        const struct fh_attr *a;
        CK_MECHANISM m = {CKM_EDDSA, NULL, 0};
        CK_EDDSA_PARAMS ep = {CK_FALSE, 0, NULL};
        CK_MECHANISM mp = {CKM_EDDSA, &ep, sizeof(ep)};

        memset(&k, 0, sizeof(k));
        assert_int_equal(fh_attrs_set(&in, CKA_EC_PARAMS, params, pl), FH_OK);
        assert_int_equal(fh_attrs_set(&in, CKA_VALUE, sk, skl), FH_OK);
        assert_int_equal(T_OPS->import(T_PRIV, CKO_PRIVATE_KEY, CKK_EC_EDWARDS, &in, &k.material,
                                       &k.pub),
                         FH_OK);
        t_tkey_bind(&k, CKO_PRIVATE_KEY, CKK_EC_EDWARDS);
        /* CKA_EC_POINT: DER OCTET STRING around the RFC 8032 public key */
        a = fh_attrs_get(&k.pub, CKA_EC_POINT);
        assert_int_equal(a->len, pkl + 2);
        assert_int_equal(a->value[0], 0x04);
        assert_int_equal(a->value[1], pkl);
        assert_memory_equal(a->value + 2, pk, pkl);
        ol = sizeof(out);
        assert_int_equal(t_one(FH_OP_SIGN, &m, &k.priv, msg, ml, out, &ol), FH_OK);
        t_assert_hex(out, ol, v->sig);
        ol = sizeof(out);
        assert_int_equal(t_one(FH_OP_SIGN, &mp, &k.priv, msg, ml, out, &ol), FH_OK);
        t_assert_hex(out, ol, v->sig);
        assert_int_equal(t_one(FH_OP_VERIFY, &m, &k.pubk, msg, ml, sig, &sl), FH_OK);
        sig[5] ^= 0x10;
        assert_int_equal(t_one(FH_OP_VERIFY, &m, &k.pubk, msg, ml, sig, &sl),
                         FH_E_SIGNATURE_INVALID);
        sl--;
        assert_int_equal(t_one(FH_OP_VERIFY, &m, &k.pubk, msg, ml, sig, &sl),
                         FH_E_SIGNATURE_LEN_RANGE);
        /* the public key imported from CKA_EC_POINT (raw form) verifies too */
        t_tkey_free(&k);
        fh_attrs_del(&in, CKA_VALUE);
        assert_int_equal(fh_attrs_set(&in, CKA_EC_POINT, pk, pkl), FH_OK);
        assert_int_equal(T_OPS->import(T_PRIV, CKO_PUBLIC_KEY, CKK_EC_EDWARDS, &in, &k.material,
                                       &k.pub),
                         FH_OK);
        t_tkey_bind(&k, CKO_PUBLIC_KEY, CKK_EC_EDWARDS);
        sig[5] ^= 0x10;
        sl++;
        assert_int_equal(t_one(FH_OP_VERIFY, &m, &k.pubk, msg, ml, sig, &sl), FH_OK);
        /* EdDSA is single-part */
        {
            void *op = NULL;

            assert_int_equal(T_OPS->op_init(T_PRIV, FH_OP_VERIFY, &m, &k.pubk, &op), FH_OK);
            assert_int_equal(T_OPS->op_update(op, msg, ml, NULL, NULL), FH_E_MECH_INVALID);
            T_OPS->op_free(op);
        }
        t_tkey_free(&k);
        fh_attrs_clear(&in);
        free(params);
        free(sk);
        free(pk);
        free(msg);
        free(sig);
    }
}
