/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OpenSSL side of the cross-checks: the module's public keys are read through
 * C_GetAttributeValue and rebuilt as EVP_PKEYs with OSSL_PARAM_BLD, so that
 * signatures are verified by an implementation independent of the module.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "p11conf_ossl.h"

static EVP_PKEY *
from_params(const char *type, OSSL_PARAM_BLD *bld)
{
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    EVP_PKEY *pk = NULL;
    if (params != NULL && ctx != NULL && EVP_PKEY_fromdata_init(ctx) == 1)
        EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    return pk;
}

EVP_PKEY *
ossl_rsa_from_module(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE pub)
{
    CK_BYTE *n = NULL, *e = NULL;
    CK_ULONG nl = get_attr(s, pub, CKA_MODULUS, &n);
    CK_ULONG el = get_attr(s, pub, CKA_PUBLIC_EXPONENT, &e);
    BIGNUM *bn = BN_bin2bn(n, (int)nl, NULL), *be = BN_bin2bn(e, (int)el, NULL);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    EVP_PKEY *pk = NULL;
    if (bn && be && bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be))
        pk = from_params("RSA", bld);
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn);
    BN_free(be);
    free(n);
    free(e);
    assert_non_null(pk);
    return pk;
}

EVP_PKEY *
ossl_ec_from_module(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE pub)
{
    CK_BYTE *params = NULL;
    CK_ULONG pl = get_attr(s, pub, CKA_EC_PARAMS, &params);
    assert_int_equal(pl, sizeof oid_p256);
    assert_memory_equal(params, oid_p256, pl);
    free(params);
    CK_BYTE point[133];
    CK_ULONG n = ec_point_raw(s, pub, point, sizeof point);
    assert_int_equal(n, 65);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    EVP_PKEY *pk = NULL;
    if (bld && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, n))
        pk = from_params("EC", bld);
    OSSL_PARAM_BLD_free(bld);
    assert_non_null(pk);
    return pk;
}

EVP_PKEY *
ossl_ed25519_from_module(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE pub)
{
    CK_BYTE point[64];
    CK_ULONG n = ec_point_raw(s, pub, point, sizeof point);
    assert_int_equal(n, 32);
    EVP_PKEY *pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, point, n);
    assert_non_null(pk);
    return pk;
}

int
ossl_verify_rsa(EVP_PKEY *k, int pad, const CK_BYTE *msg, size_t n, const CK_BYTE *sig, size_t sn)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    int ok = md != NULL && EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, k) == 1 &&
             EVP_PKEY_CTX_set_rsa_padding(pctx, pad) == 1;
    if (ok && pad == RSA_PKCS1_PSS_PADDING)
        ok = EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) == 1;
    ok = ok && EVP_DigestVerify(md, sig, sn, msg, n) == 1;
    EVP_MD_CTX_free(md);
    return ok;
}

int
ossl_verify_ecdsa(EVP_PKEY *k, const CK_BYTE *msg, size_t n, const CK_BYTE *sig, size_t sn)
{
    if (sn != 64)
        return 0;
    ECDSA_SIG *es = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig, 32, NULL), *s = BN_bin2bn(sig + 32, 32, NULL);
    unsigned char *der = NULL;
    int dl = -1;
    if (es && r && s && ECDSA_SIG_set0(es, r, s) == 1) {
        r = s = NULL;
        dl = i2d_ECDSA_SIG(es, &der);
    }
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(es);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = dl > 0 && md != NULL && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, k) == 1 &&
             EVP_DigestVerify(md, der, (size_t)dl, msg, n) == 1;
    EVP_MD_CTX_free(md);
    OPENSSL_free(der);
    return ok;
}

int
ossl_verify_ed25519(EVP_PKEY *k, const CK_BYTE *msg, size_t n, const CK_BYTE *sig, size_t sn)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md != NULL && EVP_DigestVerifyInit(md, NULL, NULL, NULL, k) == 1 &&
             EVP_DigestVerify(md, sig, sn, msg, n) == 1;
    EVP_MD_CTX_free(md);
    return ok;
}
